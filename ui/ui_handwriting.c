/*
 * The handwriting pad over Zinnia's C API. Points live in fixed pools (no allocation
 * while a finger draws); after each stroke the ink is scaled from the pad to the box the
 * model was trained in (not to the ink's own bounds: how much of the box a character
 * fills tells 口 from 囗) and classified. Zinnia's own copy of the
 * points is cleared right after. Nothing written is logged.
 */
#include "ui/ui_handwriting.h"

#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zinnia.h>

#include "core/kiosk_log.h"

/* The box the model's characters were drawn in. */
#define MODEL_BOX 1000
/* A move closer than this (pad pixels, per axis) to the last point adds nothing. */
#define MIN_STEP 3

struct ui_handwriting {
    zinnia_recognizer_t *rec;
    void *model; /* the model file, mapped read-only here (Zinnia points into it) */
    size_t model_size;
    zinnia_character_t *ch;
    int x, y, w, h; /* the pad on the screen (kept while hidden: a stroke may go on) */
    int shown;
    ui_handwriting_point pts[UI_HANDWRITING_POINTS_MAX];
    size_t start[UI_HANDWRITING_STROKES_MAX + 1]; /* stroke i: start[i] .. start[i+1] */
    size_t nstrokes, npts;
    int open; /* the last stroke is being drawn */
    char cand[UI_HANDWRITING_CANDIDATES][UI_HANDWRITING_CANDIDATE_BYTES];
    size_t ncand;
    unsigned serial; /* bumped whenever ink goes away or moves (not when it is added) */
    void *view;      /* the drawing's cache of the ink (ui_handpad's), dropped with h */
    void (*drop_view)(void *view);
};

/* Zinnia reads the whole model when it opens it and at every recognition (each
 * character's weights in turn): 25.6 MB of pages that would stay in the kiosk's memory
 * while the form is open. They are handed back after the open and after every
 * recognition: they stay in the page cache, clean, and the next recognition maps them
 * again (bench_handwriting: 1 to 1.5 ms more a stroke), so the model counts in the
 * kiosk's memory only while a stroke is being recognised. */
static void release_model(ui_handwriting *h)
{
    if (h->model)
        madvise(h->model, h->model_size, MADV_DONTNEED);
}

kiosk_rc ui_handwriting_create(const char *model_path, ui_handwriting **out)
{
    if (!out)
        return KIOSK_INVALID;
    *out = NULL;
    const char *path = model_path && *model_path ? model_path : UI_HANDWRITING_MODEL_DEFAULT;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return KIOSK_NOT_FOUND;
    ui_handwriting *h = calloc(1, sizeof *h);
    if (!h)
        return KIOSK_NOMEM;
    h->rec = zinnia_recognizer_new();
    h->ch = zinnia_character_new();
    if (!h->rec || !h->ch) {
        ui_handwriting_destroy(h);
        return KIOSK_NOMEM;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && st.st_size > 0) {
        h->model = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        h->model_size = h->model == MAP_FAILED ? 0 : (size_t)st.st_size;
        if (h->model == MAP_FAILED)
            h->model = NULL;
    }
    if (fd >= 0)
        close(fd);
    if (!h->model) {
        ui_handwriting_destroy(h);
        return KIOSK_IO;
    }
    if (!zinnia_recognizer_open_from_ptr(h->rec, h->model, h->model_size)) {
        kiosk_log_warn("ui", "handwriting model %s: %s", path, zinnia_recognizer_strerror(h->rec));
        ui_handwriting_destroy(h);
        return KIOSK_CORRUPT;
    }
    release_model(h);
    *out = h;
    return KIOSK_OK;
}

void ui_handwriting_destroy(ui_handwriting *h)
{
    if (!h)
        return;
    ui_handwriting_clear(h);
    ui_handwriting_set_view(h, NULL, NULL);
    if (h->ch)
        zinnia_character_destroy(h->ch);
    if (h->rec)
        zinnia_recognizer_destroy(h->rec); /* closes the model */
    if (h->model)
        munmap(h->model, h->model_size);
    free(h);
}

void ui_handwriting_clear(ui_handwriting *h)
{
    if (!h)
        return;
    explicit_bzero(h->pts, sizeof h->pts);
    explicit_bzero(h->start, sizeof h->start);
    explicit_bzero(h->cand, sizeof h->cand);
    h->nstrokes = h->npts = h->ncand = 0;
    h->open = 0;
    h->serial++;
}

unsigned ui_handwriting_serial(const ui_handwriting *h)
{
    return h ? h->serial : 0;
}

void ui_handwriting_set_view(ui_handwriting *h, void *view, void (*drop)(void *view))
{
    if (!h)
        return;
    if (h->view && h->drop_view && h->view != view)
        h->drop_view(h->view);
    h->view = view;
    h->drop_view = drop;
}

void *ui_handwriting_view(const ui_handwriting *h)
{
    return h ? h->view : NULL;
}

void ui_handwriting_place(ui_handwriting *h, int x, int y, int w, int hgt)
{
    if (!h)
        return;
    h->shown = w > 0 && hgt > 0;
    if (!h->shown)
        return; /* a stroke under way ends where it would have: each frame hides, then shows */
    h->x = x;
    h->y = y;
    h->w = w;
    h->h = hgt;
}

int ui_handwriting_rect(const ui_handwriting *h, int *x, int *y, int *w, int *hgt)
{
    if (!h || !h->shown)
        return 0;
    *x = h->x;
    *y = h->y;
    *w = h->w;
    *hgt = h->h;
    return 1;
}

static void add_point(ui_handwriting *h, int x, int y)
{
    ui_handwriting_point p = {(int16_t)x, (int16_t)y};
    /* pools full: the last point moves, so the stroke still ends where the finger is */
    size_t i = h->npts;
    if (i < UI_HANDWRITING_POINTS_MAX) {
        h->npts++;
    } else {
        i = UI_HANDWRITING_POINTS_MAX - 1;
        h->serial++; /* a point already drawn moves */
    }
    h->pts[i] = p;
}

int ui_handwriting_stroke(ui_handwriting *h, int phase, int x, int y)
{
    if (!h || h->w <= 0)
        return 0;
    int px = x - h->x, py = y - h->y;
    if (phase == 0) {
        if (!h->shown || px < 0 || py < 0 || px >= h->w || py >= h->h)
            return 0;
        if (h->open) /* a down without its up: end that stroke first */
            ui_handwriting_stroke(h, 2, x, y);
        if (h->nstrokes >= UI_HANDWRITING_STROKES_MAX || h->npts + 2 > UI_HANDWRITING_POINTS_MAX)
            return 0;
        h->start[h->nstrokes] = h->npts;
        h->nstrokes++;
        h->open = 1;
        add_point(h, px, py);
        h->start[h->nstrokes] = h->npts;
        return 1;
    }
    if (!h->open)
        return 0;
    px = px < 0 ? 0 : px >= h->w ? h->w - 1 : px;
    py = py < 0 ? 0 : py >= h->h ? h->h - 1 : py;
    const ui_handwriting_point *last = &h->pts[h->npts - 1];
    if (abs(px - last->x) >= MIN_STEP || abs(py - last->y) >= MIN_STEP || phase == 2)
        add_point(h, px, py);
    h->start[h->nstrokes] = h->npts;
    if (phase == 2) {
        h->open = 0;
        if (ui_handwriting_recognise(h) != KIOSK_OK)
            kiosk_log_warn("ui", "handwriting: the recogniser failed");
    }
    return 1;
}

int ui_handwriting_stroke_open(const ui_handwriting *h)
{
    return h && h->open;
}

size_t ui_handwriting_stroke_count(const ui_handwriting *h)
{
    return h ? h->nstrokes : 0;
}

size_t ui_handwriting_stroke_points(const ui_handwriting *h, size_t i,
                                    const ui_handwriting_point **pts)
{
    if (!h || i >= h->nstrokes)
        return 0;
    *pts = &h->pts[h->start[i]];
    return h->start[i + 1] - h->start[i];
}

kiosk_rc ui_handwriting_recognise(ui_handwriting *h)
{
    if (!h)
        return KIOSK_INVALID;
    explicit_bzero(h->cand, sizeof h->cand);
    h->ncand = 0;
    if (h->npts == 0)
        return KIOSK_OK;
    /* the pad is the model's box (a square as large as the pad's longer side, the pad
     * centred in it): how large a character is written against the box tells 口 from 囗 */
    int side = h->w > h->h ? h->w : h->h;
    if (side < 1)
        side = 1;
    int ox = (side - h->w) / 2, oy = (side - h->h) / 2;
    zinnia_character_clear(h->ch);
    zinnia_character_set_width(h->ch, MODEL_BOX);
    zinnia_character_set_height(h->ch, MODEL_BOX);
    for (size_t s = 0; s < h->nstrokes; s++)
        for (size_t i = h->start[s]; i < h->start[s + 1]; i++) {
            int mx = (h->pts[i].x + ox) * MODEL_BOX / side;
            int my = (h->pts[i].y + oy) * MODEL_BOX / side;
            zinnia_character_add(h->ch, s, mx, my);
        }
    zinnia_result_t *res = zinnia_recognizer_classify(h->rec, h->ch, UI_HANDWRITING_CANDIDATES);
    zinnia_character_clear(h->ch); /* its copy of the ink */
    release_model(h);
    if (!res)
        return KIOSK_CORRUPT;
    size_t n = zinnia_result_size(res);
    for (size_t i = 0; i < n && h->ncand < UI_HANDWRITING_CANDIDATES; i++) {
        const char *v = zinnia_result_value(res, i);
        if (v && *v && strlen(v) < UI_HANDWRITING_CANDIDATE_BYTES)
            snprintf(h->cand[h->ncand++], UI_HANDWRITING_CANDIDATE_BYTES, "%s", v);
    }
    zinnia_result_destroy(res);
    return KIOSK_OK;
}

size_t ui_handwriting_candidate_count(const ui_handwriting *h)
{
    return h ? h->ncand : 0;
}

const char *ui_handwriting_candidate(const ui_handwriting *h, size_t i)
{
    return h && i < h->ncand ? h->cand[i] : "";
}
