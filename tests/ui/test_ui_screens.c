/* Screens are guarded: every screen of the citizen journey, the maintenance menu and the
 * portable layout (landscape, large text, English, high contrast) is rendered headless and
 * compared with tests/ui/ref/<name>.png. A refactor that moves a pixel or changes a colour
 * fails here, naming the screen, with the actual screen and a diff image in
 * <build>/tests/tmp/screens-diff/; a missing reference fails too. After a change that is
 * meant, remake the references (look at them, and commit them with the change):
 *     KIOSK_UPDATE_REFS=1 build/tests/test_ui_screens
 * References are 8-bit grayscale PNGs at full size, about half an RGB file: each pixel's
 * luma is compared, so layout and text are checked pixel for pixel. Luma alone cannot tell
 * the error red (190,30,30) from the accent blue (0,87,184), 6 levels apart, so each
 * reference also carries the mean colour of every 16×16 block (a zTXt chunk, ~2 KB), which
 * is compared too. Time, keys and the battery are pinned (fresh_state, start); what cannot
 * be pinned without changing the app is masked (masks[]). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>
#include <sodium.h>

#include "core/kiosk_log.h"
#include "proto/sync_status.h"
#include "store/staff.h"
#include "store/store.h"
#include "ui/ui_app.h"
#include "ui/ui_menu.h"
#include "ui/ui_screenshot.h"
#include "ui/ui_script.h"
#include "update/update.h"

#define LUMA_TOL 16         /* a pixel's luma may differ this much (anti-aliasing) */
#define BLOCK_TOL 10        /* a block's mean R, G or B may differ this much */
#define MAX_PIXELS_PPM 100  /* 0.01 %: 207 pixels of a portrait screen, 102 of a landscape */
#define MAX_BLOCKS_PPM 1000 /* 0.1 %: 8 blocks of a portrait screen, 4 of a landscape */
#define BLOCK 16            /* side of a colour block, in pixels */
#define ASYNC_MS 3000       /* how long a screen fed by a worker may take to settle */

/* 2026-11-20 10:00:00 in Asia/Shanghai */
#define PINNED_NOW_MS 1795140000000LL

static const char demo_card[] = KIOSK_TEST_ASSETS "/cards/demo.ini";

/* Regions not compared, by screen, in screen pixels; the references show them flat grey.
 * The I/O worker opens the store on the system clock (ui_io_start takes no clock), so the
 * receipt number on the done screen and, on the receipt preview, its number, time and
 * signed QR code carry the day and minute of the run. The dashboard's free disk is the
 * build machine's. (The maintenance log is not among the screens: its lines carry
 * wall-clock times.) Digits are of equal width in the font, so nothing around a masked
 * number moves with it. A layout change that moves these moves the masks too (the diff
 * image shows them blue). */
typedef struct mask {
    const char *screen;
    SDL_Rect r[4];
} mask;
static const mask masks[] = {
    /* the receipt number on screen; on the receipt (with the follow-up plan, so drawn
     * smaller): its number, time and QR code */
    {"hall-done",
     {{304, 372, 600, 58}, {484, 1151, 104, 13}, {484, 1205, 104, 13}, {497, 1408, 86, 86}}},
    {"hall-hant-done",
     {{304, 372, 600, 58}, {484, 1151, 104, 13}, {484, 1205, 104, 13}, {497, 1408, 86, 86}}},
    {"portable-done",
     {{44, 286, 660, 66}, {915, 164, 130, 18}, {915, 226, 130, 18}, {930, 428, 100, 98}}},
    /* the dashboard's free disk, in MB */
    {"hall-menu-dashboard", {{230, 343, 786, 42}}},
    {"hall-menu-sync-started", {{230, 343, 786, 42}}},
    {"hall-menu-print-test", {{230, 343, 786, 42}}},
    {"hall-menu-exported", {{230, 343, 786, 42}}},
    {"hall-menu-purged", {{230, 343, 786, 42}}},
    {"hall-menu-out-of-service", {{230, 343, 786, 42}}},
    {"hall-menu-refused", {{230, 343, 786, 42}}},
    {"portable-menu-dashboard", {{185, 254, 200, 36}}},
};

static kiosk_config cfg;
static kiosk_clock_manual clk;
static int update_refs;
static char failed[2048]; /* the screens of the current test that failed, for fail_msg */
static int nfailed;
static char seen[512][64]; /* every screen name of this run (unique; orphans) */
static int nseen;
static int screen_tests_done; /* screen tests that reached their end */
#define SCREEN_TESTS 19

/* ---- images ------------------------------------------------------------------------ */

typedef struct image {
    int w, h, bw, bh;
    unsigned char *luma;   /* w × h */
    unsigned char *blocks; /* bw × bh × 3: mean R, G, B of each BLOCK × BLOCK block */
    unsigned char *rgba;   /* a screen's own pixels (w × h × 4); NULL for a reference */
} image;

static void image_free(image *im)
{
    free(im->luma);
    free(im->blocks);
    free(im->rgba);
    memset(im, 0, sizeof *im);
}

static int image_alloc(image *im, int w, int h)
{
    im->w = w;
    im->h = h;
    im->bw = (w + BLOCK - 1) / BLOCK;
    im->bh = (h + BLOCK - 1) / BLOCK;
    im->luma = malloc((size_t)w * (size_t)h);
    im->blocks = calloc((size_t)im->bw * (size_t)im->bh, 3);
    return im->luma && im->blocks;
}

/* Luma and colour blocks of im->rgba. */
static void image_measure(image *im)
{
    int w = im->w, h = im->h;
    for (int by = 0; by < im->bh; by++)
        for (int bx = 0; bx < im->bw; bx++) {
            unsigned sum[3] = {0, 0, 0}, n = 0;
            for (int y = by * BLOCK; y < h && y < (by + 1) * BLOCK; y++)
                for (int x = bx * BLOCK; x < w && x < (bx + 1) * BLOCK; x++, n++) {
                    const unsigned char *s = im->rgba + ((size_t)y * (size_t)w + (size_t)x) * 4;
                    im->luma[(size_t)y * (size_t)w + (size_t)x] =
                        (unsigned char)((299u * s[0] + 587u * s[1] + 114u * s[2] + 500u) / 1000u);
                    for (int c = 0; c < 3; c++)
                        sum[c] += s[c];
                }
            for (int c = 0; c < 3; c++)
                im->blocks[((size_t)by * (size_t)im->bw + (size_t)bx) * 3 + (size_t)c] =
                    (unsigned char)((sum[c] + n / 2) / n);
        }
}

/* The app of the running test and the renderer of its window (found by start()), to read
 * the screen without a PNG round trip; NULL: through ui_app_screenshot. */
static ui_app *live;
static SDL_Renderer *live_renderer;

/* The screen as the app draws it now (what ui_app_screenshot would write). */
static void capture(ui_app *app, image *im)
{
    memset(im, 0, sizeof *im);
    SDL_Renderer *r = app == live ? live_renderer : NULL;
    int w = 0, h = 0;
    if (r) {
        assert_int_equal(ui_app_render(app), KIOSK_OK);
        assert_int_equal(SDL_GetRendererOutputSize(r, &w, &h), 0);
        assert_true(image_alloc(im, w, h));
        im->rgba = malloc((size_t)w * (size_t)h * 4);
        assert_non_null(im->rgba);
        assert_int_equal(SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_RGBA32, im->rgba, w * 4), 0);
    } else {
        char path[600];
        snprintf(path, sizeof path, "%s/screens-scratch.png", KIOSK_TEST_TMP);
        assert_int_equal(ui_app_screenshot(app, path), KIOSK_OK);
        png_image p;
        memset(&p, 0, sizeof p);
        p.version = PNG_IMAGE_VERSION;
        assert_true(png_image_begin_read_from_file(&p, path));
        p.format = PNG_FORMAT_RGBA;
        assert_true(image_alloc(im, (int)p.width, (int)p.height));
        im->rgba = malloc(PNG_IMAGE_SIZE(p));
        assert_non_null(im->rgba);
        assert_true(png_image_finish_read(&p, NULL, im->rgba, 0, NULL));
    }
    image_measure(im);
}

/* A reference: the gray image and its "kiosk-colour" chunk (hex). 0 when missing or not
 * a reference. */
static int ref_read(const char *path, image *im)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    int ok = 0;
    memset(im, 0, sizeof *im);
    if (!png || !info || setjmp(png_jmpbuf(png))) {
        image_free(im);
        png_destroy_read_struct(&png, &info, NULL);
        fclose(f);
        return 0;
    }
    png_init_io(png, f);
    png_read_info(png, info);
    if (png_get_color_type(png, info) == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) == 8 &&
        image_alloc(im, (int)png_get_image_width(png, info),
                    (int)png_get_image_height(png, info))) {
        for (int y = 0; y < im->h; y++)
            png_read_row(png, im->luma + (size_t)y * (size_t)im->w, NULL);
        png_read_end(png, info);
        png_textp text;
        int ntext = 0;
        png_get_text(png, info, &text, &ntext);
        size_t want = (size_t)im->bw * (size_t)im->bh * 3;
        for (int i = 0; i < ntext; i++)
            if (!strcmp(text[i].key, "kiosk-colour") && text[i].text_length == 2 * want) {
                ok = 1;
                for (size_t k = 0; k < want; k++) {
                    unsigned v;
                    if (sscanf(text[i].text + 2 * k, "%2x", &v) != 1)
                        ok = 0;
                    im->blocks[k] = (unsigned char)v;
                }
            }
    }
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    if (!ok)
        image_free(im);
    return ok;
}

static int ref_write(const char *path, const image *im)
{
    size_t n = (size_t)im->bw * (size_t)im->bh * 3;
    char *hex = malloc(2 * n + 1);
    FILE *f = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!hex || !f || !png || !info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        if (f)
            fclose(f);
        free(hex);
        return 0;
    }
    for (size_t k = 0; k < n; k++)
        snprintf(hex + 2 * k, 3, "%02x", im->blocks[k]);
    png_init_io(png, f);
    png_set_compression_level(png, 9);
    png_set_IHDR(png, info, (png_uint_32)im->w, (png_uint_32)im->h, 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_text t = {.compression = PNG_TEXT_COMPRESSION_zTXt,
                  .key = "kiosk-colour",
                  .text = hex,
                  .text_length = 2 * n};
    png_set_text(png, info, &t, 1);
    png_write_info(png, info);
    for (int y = 0; y < im->h; y++)
        png_write_row(png, im->luma + (size_t)y * (size_t)im->w);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(hex);
    return fclose(f) == 0;
}

static int masked(const mask *m, int x, int y)
{
    for (int i = 0; m && i < 4; i++)
        if (m->r[i].w && x >= m->r[i].x && x < m->r[i].x + m->r[i].w && y >= m->r[i].y &&
            y < m->r[i].y + m->r[i].h)
            return 1;
    return 0;
}

static int block_masked(const mask *m, int bx, int by)
{
    for (int i = 0; m && i < 4; i++)
        if (m->r[i].w && bx * BLOCK < m->r[i].x + m->r[i].w && (bx + 1) * BLOCK > m->r[i].x &&
            by * BLOCK < m->r[i].y + m->r[i].h && (by + 1) * BLOCK > m->r[i].y)
            return 1;
    return 0;
}

/* Masked regions become flat grey, so the reference shows what is not compared. */
static void paint_masks(image *im, const mask *m)
{
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++)
            if (masked(m, x, y))
                im->luma[(size_t)y * (size_t)im->w + (size_t)x] = 128;
    for (int by = 0; by < im->bh; by++)
        for (int bx = 0; bx < im->bw; bx++)
            if (block_masked(m, bx, by))
                memset(im->blocks + ((size_t)by * (size_t)im->bw + (size_t)bx) * 3, 128, 3);
}

typedef struct verdict {
    long pixels, pixels_max, blocks, blocks_max;
    int worst_luma, worst_block;
} verdict;

static int same(const image *a, const image *b, const mask *m, verdict *v)
{
    memset(v, 0, sizeof *v);
    if (a->w != b->w || a->h != b->h)
        return 0;
    v->pixels_max = (long)a->w * a->h * MAX_PIXELS_PPM / 1000000;
    v->blocks_max = (long)a->bw * a->bh * MAX_BLOCKS_PPM / 1000000;
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w; x++) {
            size_t i = (size_t)y * (size_t)a->w + (size_t)x;
            int d = abs(a->luma[i] - b->luma[i]);
            if (d > LUMA_TOL && !masked(m, x, y)) {
                v->pixels++;
                if (d > v->worst_luma)
                    v->worst_luma = d;
            }
        }
    for (int by = 0; by < a->bh; by++)
        for (int bx = 0; bx < a->bw; bx++) {
            size_t i = ((size_t)by * (size_t)a->bw + (size_t)bx) * 3;
            int d = 0;
            for (int c = 0; c < 3; c++)
                if (abs(a->blocks[i + c] - b->blocks[i + c]) > d)
                    d = abs(a->blocks[i + c] - b->blocks[i + c]);
            if (d > BLOCK_TOL && !block_masked(m, bx, by)) {
                v->blocks++;
                if (d > v->worst_block)
                    v->worst_block = d;
            }
        }
    return v->pixels <= v->pixels_max && v->blocks <= v->blocks_max;
}

/* The diff picture: the actual screen faded, differing pixels red, differing colour
 * blocks framed magenta, masked regions blue. */
static void write_diff(const char *path, const image *act, const image *ref, const mask *m)
{
    int w = act->w, h = act->h;
    unsigned char *px = malloc((size_t)w * (size_t)h * 4);
    if (!px)
        return;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * (size_t)w + (size_t)x;
            unsigned char *o = px + i * 4;
            int l = 170 + act->luma[i] / 3;
            o[0] = o[1] = o[2] = (unsigned char)l;
            o[3] = 255;
            if (masked(m, x, y)) {
                o[0] = o[1] = (unsigned char)(l / 2);
            } else if (abs(act->luma[i] - ref->luma[i]) > LUMA_TOL) {
                o[0] = 255;
                o[1] = o[2] = 0;
            } else {
                size_t b = ((size_t)(y / BLOCK) * (size_t)act->bw + (size_t)(x / BLOCK)) * 3;
                int edge = x % BLOCK == 0 || y % BLOCK == 0;
                for (int c = 0; edge && c < 3; c++)
                    if (abs(act->blocks[b + c] - ref->blocks[b + c]) > BLOCK_TOL &&
                        !block_masked(m, x / BLOCK, y / BLOCK)) {
                        o[0] = o[2] = 255;
                        o[1] = 0;
                    }
            }
        }
    ui_png_write_rgba(path, w, h, px, w * 4);
    free(px);
}

/* ---- checking a screen ------------------------------------------------------------- */

enum { SHOT, STILL, ASYNC };

static int identical(const image *a, const image *b)
{
    return a->w == b->w && a->h == b->h && !memcmp(a->luma, b->luma, (size_t)a->w * (size_t)a->h) &&
           !memcmp(a->blocks, b->blocks, (size_t)a->bw * (size_t)a->bh * 3);
}

static void pump_ms(ui_app *app, int ms)
{
    Uint64 end = SDL_GetTicks64() + (Uint64)ms;
    do {
        ui_app_pump(app);
        SDL_Delay(10);
    } while (SDL_GetTicks64() < end);
}

static void note_failure(const char *name)
{
    size_t used = strlen(failed);
    snprintf(failed + used, sizeof failed - used, "%s%s", nfailed++ ? ", " : "", name);
}

/* Compare the screen now with the reference name (or write it, KIOSK_UPDATE_REFS).
 * STILL: as it is, without handling events (a screen the next event would leave); ASYNC:
 * a screen a worker fills in, given up to ASYNC_MS to settle. */
static void check_screen(ui_app *app, const char *name, int how)
{
    for (int i = 0; i < nseen; i++)
        if (!strcmp(seen[i], name))
            fail_msg("screen name %s used twice", name);
    assert_true(nseen < (int)(sizeof seen / sizeof seen[0]));
    snprintf(seen[nseen++], sizeof seen[0], "%s", name);
    const mask *m = NULL;
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++)
        if (!strcmp(masks[i].screen, name))
            m = &masks[i];
    char ref_path[600];
    snprintf(ref_path, sizeof ref_path, "%s/%s.png", KIOSK_TEST_UI_REFS, name);
    if (how != STILL)
        ui_app_pump(app);
    image act, ref;
    capture(app, &act);
    if (update_refs) {
        /* a worker's screen: give the worker time (a staff login's argon2id takes a few
         * tenths of a second), then wait until two captures a while apart agree */
        if (how == ASYNC) {
            image_free(&act);
            pump_ms(app, 1000);
            capture(app, &act);
        }
        for (Uint64 end = SDL_GetTicks64() + ASYNC_MS; how == ASYNC && SDL_GetTicks64() < end;) {
            image again;
            pump_ms(app, 250);
            capture(app, &again);
            int settled = identical(&act, &again);
            image_free(&act);
            act = again;
            if (settled)
                break;
        }
        paint_masks(&act, m);
        if (!ref_write(ref_path, &act))
            fail_msg("cannot write %s", ref_path);
        print_message("wrote %s\n", ref_path);
        image_free(&act);
        return;
    }
    if (!ref_read(ref_path, &ref)) {
        print_error("screen %s: no reference %s (or not a reference image). Make it with\n"
                    "    KIOSK_UPDATE_REFS=1 build/tests/test_ui_screens\n"
                    "then look at it before committing it.\n",
                    name, ref_path);
        note_failure(name);
        image_free(&act);
        return;
    }
    verdict v;
    int ok = same(&act, &ref, m, &v);
    for (Uint64 end = SDL_GetTicks64() + ASYNC_MS; !ok && how == ASYNC && SDL_GetTicks64() < end;) {
        image_free(&act);
        pump_ms(app, 50);
        capture(app, &act);
        ok = same(&act, &ref, m, &v);
    }
    if (!ok) {
        char dir[600], out[700];
        snprintf(dir, sizeof dir, "%s/screens-diff", KIOSK_TEST_TMP);
        mkdir(dir, 0755);
        snprintf(out, sizeof out, "%s/%s.png", dir, name);
        ui_png_write_rgba(out, act.w, act.h, act.rgba, act.w * 4);
        if (act.w == ref.w && act.h == ref.h) {
            snprintf(out, sizeof out, "%s/%s-diff.png", dir, name);
            write_diff(out, &act, &ref, m);
            print_error("screen %s differs from %s: %ld of %d pixels (allowed %ld) differ in "
                        "luma by more than %d, at most by %d; %ld of %d colour blocks (allowed "
                        "%ld) differ by more than %d, at most by %d. Actual and diff in %s/\n",
                        name, ref_path, v.pixels, act.w * act.h, v.pixels_max, LUMA_TOL,
                        v.worst_luma, v.blocks, act.bw * act.bh, v.blocks_max, BLOCK_TOL,
                        v.worst_block, dir);
        } else {
            print_error("screen %s is %dx%d, its reference %s is %dx%d. Actual in %s/\n", name,
                        act.w, act.h, ref_path, ref.w, ref.h, dir);
        }
        note_failure(name);
    }
    image_free(&act);
    image_free(&ref);
}

/* ---- driving the app --------------------------------------------------------------- */

/* Handle the workers' reports one at a time (no redraw, no tick) until the journey is at step:
 * to catch a step the next event leaves (reading the card, printing). */
static int until_step(ui_app *app, flow_step step, int ms)
{
    Uint64 end = SDL_GetTicks64() + (Uint64)ms;
    session *s = ui_app_session(app);
    while (ui_app_view(app)->step != step) {
        if (!session_pump_one(s))
            session_wait(s, 10);
        if (SDL_GetTicks64() >= end)
            return 0;
    }
    return 1;
}

static int step_named(const char *name, flow_step *out)
{
    for (int s = FLOW_ATTRACT; s <= FLOW_CARD_AWAY; s++)
        if (!strcmp(ui_script_step_name((flow_step)s), name)) {
            *out = (flow_step)s;
            return 1;
        }
    return 0;
}

static void run_script(ui_app *app, const char *text, int first_line)
{
    ui_script_result res;
    if (ui_script_run(app, text, NULL, &res) != KIOSK_OK)
        fail_msg("script line %d: %s", first_line + res.line - 1, res.message);
}

/* Play a script (ui_script.h) with this test's own lines mixed in:
 *   shot NAME / shot-async NAME / still NAME   check the screen (check_screen)
 *   tap-still ID     tap without handling what follows (the next screen stays)
 *   until STEP       handle events one by one until the journey is at STEP
 *   idle SECONDS     the manual clock moves on, untouched
 * Failed screens are collected; a failing script line fails at once. */
static void play(ui_app *app, const char *script)
{
    char *copy = strdup(script), *chunk = malloc(strlen(script) + 1);
    assert_non_null(copy);
    assert_non_null(chunk);
    chunk[0] = '\0';
    int lineno = 0, chunk_first = 1;
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char word[32], arg[96];
        int n = sscanf(line, "%31s %95s", word, arg);
        int own = n == 2 &&
                  (!strcmp(word, "shot") || !strcmp(word, "shot-async") || !strcmp(word, "still") ||
                   !strcmp(word, "tap-still") || !strcmp(word, "until") || !strcmp(word, "idle"));
        if (!own) {
            if (!chunk[0])
                chunk_first = lineno;
            strcat(chunk, line);
            strcat(chunk, "\n");
            continue;
        }
        if (chunk[0])
            run_script(app, chunk, chunk_first);
        chunk[0] = '\0';
        flow_step step;
        if (!strcmp(word, "shot")) {
            check_screen(app, arg, SHOT);
        } else if (!strcmp(word, "shot-async")) {
            check_screen(app, arg, ASYNC);
        } else if (!strcmp(word, "still")) {
            check_screen(app, arg, STILL);
        } else if (!strcmp(word, "tap-still")) {
            if (ui_app_tap_id(app, arg) != KIOSK_OK)
                fail_msg("line %d: no widget %s on the %s screen", lineno, arg,
                         ui_script_step_name(ui_app_view(app)->step));
        } else if (!strcmp(word, "until")) {
            if (!step_named(arg, &step) || !until_step(app, step, 5000))
                fail_msg("line %d: never at %s (at %s)", lineno, arg,
                         ui_script_step_name(ui_app_view(app)->step));
        } else {
            kiosk_clock_manual_advance(&clk, atoi(arg) * 1000LL);
            ui_app_pump(app);
        }
    }
    if (chunk[0])
        run_script(app, chunk, chunk_first);
    free(copy);
    free(chunk);
}

/* ---- fixed state ------------------------------------------------------------------- */

static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_file(path, text, strlen(text));
}

typedef struct state_opts {
    int upstream_key;  /* records can be sealed */
    int record;        /* one saved record (DEMO01-20261120-0001), on the manual clock */
    int staff;         /* T001 (technician, PIN 730146) */
    int failed_logins; /* wrong staff PINs already tried */
    int citizen;       /* 我的办理记录: two records of the demo card's holder, one of them
                          acknowledged by the hub an hour ago */
    int refused;       /* the record was refused by the hub (seq_conflict) */
    int hub_states;    /* with citizen: the hub's states last heard two hours ago (the newer
                          record needs materials, the older is approved) and a hub that
                          cannot be reached now */
    const char *citizen_id; /* the citizen's ID number of those records (NULL: the demo card's) */
} state_opts;

/* A fresh state directory KIOSK_TEST_TMP/screens-state/tag, the same every run, and cfg
 * pointed at it: the device key from a fixed seed (the dashboard's device id and key
 * fingerprint), a fixed upstream key, records and staff made on the manual clock, and a
 * fake battery for the portable unit (not the build machine's). */
static void fresh_state(const char *tag, kiosk_mode mode, const char *card, state_opts o)
{
    kiosk_clock_manual_init(&clk, PINNED_NOW_MS);
    char dir[200], cmd[1000];
    snprintf(dir, sizeof dir, "%.150s/screens-state/%.40s", KIOSK_TEST_TMP, tag);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/receipts' '%s/power/BAT0' '%s/power/AC'",
             dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    unsigned char seed[32], pk[32], sk[64];
    for (int i = 0; i < 32; i++)
        seed[i] = (unsigned char)(i + 1);
    assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
    char path[400];
    snprintf(path, sizeof path, "%s/device.key", dir);
    write_file(path, sk, sizeof sk);
    if (o.upstream_key || o.record || o.staff || o.failed_logins || o.citizen) {
        store_device_key key;
        store *st;
        snprintf(path, sizeof path, "%s/kiosk.db", dir);
        assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
        assert_int_equal(store_open(path, "DEMO01", &key, &clk.clock, &st), KIOSK_OK);
        if (o.upstream_key) {
            unsigned char upk[32], usk[32];
            memset(seed, 0x5a, sizeof seed);
            assert_int_equal(crypto_box_seed_keypair(upk, usk, seed), 0);
            assert_int_equal(store_set_upstream_key(st, upk), KIOSK_OK);
        }
        if (o.record) {
            uint8_t commit[32] = {1};
            store_submission sub = {"{}", "{}", "2026.1", commit, "张*丰", "3701**********4519",
                                    NULL};
            store_saved sv;
            assert_int_equal(store_save(st, &sub, &sv), KIOSK_OK);
            assert_string_equal(sv.receipt_no, "DEMO01-20261120-0001");
            if (o.refused) {
                store_outcome oc = {.uuid = sv.uuid, .reason = "seq_conflict", .hub_signed = 1};
                assert_int_equal(store_apply_outcomes(st, &oc, 1, NULL), KIOSK_OK);
            }
        }
        if (o.citizen) {
            uint8_t commit[32] = {1};
            store_submission sub = {"{}", "{}", "2026.1", commit, "张*丰", "3701**********4519",
                                    NULL};
            store_saved first, second;
            kiosk_clock_manual_advance(&clk, -3 * 86400000LL);
            const char *id = o.citizen_id ? o.citizen_id : "370102199003074519";
            assert_int_equal(store_save_citizen(st, &sub, id, &first), KIOSK_OK);
            kiosk_clock_manual_advance(&clk, 3 * 86400000LL - 600000);
            assert_int_equal(store_save_citizen(st, &sub, id, &second), KIOSK_OK);
            store_outcome ack = {.uuid = first.uuid, .acknowledged = 1, .hub_signed = 1};
            assert_int_equal(store_apply_outcomes(st, &ack, 1, NULL), KIOSK_OK);
            assert_int_equal(store_note_sync(st, 1, PINNED_NOW_MS - 3600000, ""), KIOSK_OK);
            if (o.hub_states) {
                store_hub_state a = {.state = SYNC_STATE_APPROVED,
                                     .changed_ms = PINNED_NOW_MS - 2 * 86400000LL,
                                     .heard_ms = PINNED_NOW_MS - 7200000};
                store_hub_state b = {.state = SYNC_STATE_NEEDS_MATERIALS,
                                     .note = "contract_end",
                                     .changed_ms = PINNED_NOW_MS - 86400000LL,
                                     .heard_ms = PINNED_NOW_MS - 7200000};
                assert_int_equal(store_hub_state_put(st, first.uuid, &a), KIOSK_OK);
                assert_int_equal(store_hub_state_put(st, second.uuid, &b), KIOSK_OK);
            }
            kiosk_clock_manual_init(&clk, PINNED_NOW_MS);
        }
        if (o.staff)
            assert_int_equal(staff_add(st, "T001", STAFF_TECHNICIAN, "730146", NULL, "test"),
                             KIOSK_OK);
        for (int i = 0; i < o.failed_logins; i++) {
            staff_account who;
            assert_int_equal(staff_login(st, NULL, "123457", &who, NULL), KIOSK_AUTH);
        }
        store_close(st);
    }
    /* a portable unit's battery: 76 %, on battery */
    snprintf(path, sizeof path, "%s/power", dir);
    write_text(path, "BAT0/type", "Battery\n");
    write_text(path, "BAT0/status", "Discharging\n");
    write_text(path, "BAT0/capacity", "76\n");
    write_text(path, "BAT0/present", "1\n");
    write_text(path, "AC/type", "Mains\n");
    write_text(path, "AC/online", "0\n");
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    cfg.mode = mode;
    cfg.idle_timeout_s = 90;
    cfg.printer_backend = KIOSK_PRINTER_FILE;
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%s", dir);
    snprintf(cfg.printer_output_dir, sizeof cfg.printer_output_dir, "%s/receipts", dir);
    snprintf(cfg.export_dir, sizeof cfg.export_dir, "%s/usb", dir);
    snprintf(cfg.power_supply, sizeof cfg.power_supply, "%s/power", dir);
    snprintf(cfg.reader_card_profile, sizeof cfg.reader_card_profile, "%s", card);
    if (o.hub_states) { /* nothing listens there: the hub cannot be reached */
        snprintf(cfg.sync_url, sizeof cfg.sync_url, "http://127.0.0.1:9");
        cfg.sync_allow_plain_http_loopback = 1;
    }
}

static int offline(void *ctx)
{
    (void)ctx;
    return 1;
}

/* The app on the manual clock (the flow, the idle countdown, ages, the menu), with the
 * simulated reader; portable units say they are offline, as a field unit mostly is. */
static int no_reader; /* the next start without the reader worker (only its screens) */

static ui_app *start(int with_store)
{
    kiosk_clock_manual_init(&clk, PINNED_NOW_MS);
    ui_app *app;
    ui_app_options opt = {.headless = 1,
                          .with_reader = !no_reader,
                          .with_store = with_store,
                          .clock = &clk.clock,
                          .version = "0.1.0",
                          .is_offline = cfg.mode == KIOSK_MODE_PORTABLE ? offline : NULL};
    /* the app's (hidden) window is the one that was not there before */
    static unsigned char existed[256];
    for (Uint32 id = 1; id < sizeof existed; id++)
        existed[id] = SDL_GetWindowFromID(id) != NULL;
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    live = app;
    live_renderer = NULL;
    for (Uint32 id = 1; id < sizeof existed && !live_renderer; id++)
        if (!existed[id] && SDL_GetWindowFromID(id))
            live_renderer = SDL_GetRenderer(SDL_GetWindowFromID(id));
    return app;
}

static void stop(ui_app *app)
{
    ui_app_destroy(app);
    live = NULL;
    live_renderer = NULL;
}

static int setup(void **state)
{
    (void)state;
    if (live) /* left by a test that failed half-way */
        stop(live);
    failed[0] = '\0';
    nfailed = 0;
    kiosk_clock_manual_init(&clk, PINNED_NOW_MS);
    return 0;
}

/* At the end of each test: the screens that did not match, all named at once. */
static void report(void)
{
    if (nfailed)
        fail_msg("%d screen check(s) failed (see above): %s", nfailed, failed);
}

/* ---- the screens ------------------------------------------------------------------- */

/* The whole journey in the hall, every screen on the way. */
static void test_hall_journey(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1};
    fresh_state("hall-journey", KIOSK_MODE_HALL, demo_card, o);
    ui_app *app = start(1);
    play(app, "expect attract\n"
              "shot hall-attract\n"
              "card insert\n"
              "until reading_card\n"
              "still hall-reading-card\n"
              "wait-for pin\n"
              "shot hall-pin\n"
              "pin 111\n"
              "shot hall-pin-digits\n"
              "pin 111\n"
              "tap-still pin_ok\n"
              "still hall-checking-pin\n"
              "wait-for pin\n"
              "shot hall-pin-wrong\n"
              "pin 123456\n"
              "tap pin_ok\n"
              "wait-for services\ntap svc_register\nexpect questions\n"
              "shot hall-questions\n"
              "tap next\n"
              "shot hall-questions-missing\n"
              /* the two outcomes that are not "go on" */
              "tap q0_yes\ntap q1_no\ntap q2_yes\ntap q3_yes\n"
              "expect eligibility\n"
              "shot hall-eligibility-jobseeker\n"
              "tap back\ntap q0_no\ntap q2_no\ntap next\n"
              "expect eligibility\n"
              "shot hall-eligibility-see-staff\n"
              "tap back\ntap q2_yes\n"
              "shot hall-questions-answered\n"
              "tap next\n"
              "expect form\n"
              /* 1 个人信息 */
              "shot hall-form-personal\n"
              "tap next\n"
              "shot hall-form-personal-errors\n"
              "tap field_education\n"
              "shot hall-edit-list\n"
              "pick opt_21\n"
              "tap opt_10\n" /* health opens by itself */
              "shot hall-form-personal-filled\n"
              "tap next\n"
              /* 2 证件和地址 */
              "shot hall-form-document\n"
              /* the picker opens at the hall's district; a community, then the detail
               * opens by itself with the digits first */
              "tap field_household_division\n"
              "shot hall-edit-address-home\n"
              "pick div_370102001\n"
              "shot hall-edit-address-communities\n"
              "pick div_370102001001\n"
              "type 12\n"
              "shot hall-edit-keyboard-digits\n"
              "tap kb_pinyin\ntype haolou\n"
              "shot hall-edit-pinyin\n"
              "choose 0\n"
              "tap edit_done\n" /* the residence opens by itself */
              "shot hall-edit-address-residence\n"
              "tap div_same\n"
              "shot hall-form-document-filled\n"
              "tap next\n"
              /* 3 联系方式, and the idle countdown over it */
              "shot hall-form-contact\n"
              "idle 91\n"
              "shot hall-more-time\n"
              "tap more_time\n"
              /* cancelling asks first; keeping on loses nothing */
              "tap cancel\n"
              "shot hall-cancel-question\n"
              "tap cancel_keep\nexpect form\n"
              "tap field_mobile\ntype 1381234\n"
              "shot hall-edit-numpad\n"
              "type 5678\n"
              "shot hall-edit-numpad-complete\n"
              "tap edit_done\n"
              "tap field_email\ntype zhang\n"
              "shot hall-edit-keyboard-latin\n"
              "tap edit_done\n"
              "tap next\n"
              "shot hall-form-contact-errors\n"
              "tap field_email\ntap kb_mode\ntype @\ntap kb_mode\ntype qq\ntap kb_mode\n"
              "type .\ntap kb_mode\ntype com\ntap edit_done\n"
              "tap next\n"
              /* 4 失业情况 */
              "shot hall-form-unemployment\n"
              "tap field_unemployed_since\n"
              "shot hall-edit-month\n"
              "tap month_9\n" /* the reason, then the insurance, open by themselves */
              "pick opt_05\n"
              "shot hall-edit-yesno\n"
              "tap opt_yes\n"
              "shot hall-form-unemployment-filled\n"
              "tap next\n"
              /* 5 求职意向 */
              "shot hall-form-wishes\n"
              "tap field_services\ntap opt_1\ntap opt_2\n"
              "shot hall-edit-multi\n"
              "tap edit_done\n"
              "tap-while scroll_down\n"
              "shot hall-form-wishes-end\n"
              "tap-while scroll_up\n"
              "tap next\n"
              "expect review\n"
              "shot hall-review\n"
              "tap-while scroll_down\n"
              "shot hall-review-end\n"
              "tap next\n"
              "expect commitment\n"
              "shot hall-commitment\n"
              "tap-while scroll_down\n"
              "shot hall-commitment-end\n"
              "tap agree\n"
              "expect signature\n"
              "shot hall-signature\n"
              "tap sign_ok\n"
              "shot hall-signature-refused-empty\n"
              "stroke 40 40 300 44\n"
              "tap sign_ok\n"
              "shot hall-signature-refused-line\n"
              "tap sign_clear\n"
              "sign\n"
              "shot hall-signature-signed\n"
              "tap-still sign_ok\n"
              "still hall-saving\n"
              "until printing\n"
              "still hall-printing\n"
              "wait-for done 10000\n"
              "shot hall-done\n"
              "tap finish\n"
              "expect attract\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* A Hong Kong resident (the permit card: a residence permit number, region 810000): the
 * switch goes 中文 → English → 繁體 → 中文, the card's holder turns the session to zh_Hant
 * by itself, and every key screen is Traditional — hall, large text, portable. */
static const char permit_card[] = KIOSK_TEST_ASSETS "/cards/permit-hk.ini";

/* The form filled from its first page to the review, as the permit holder does. */
static const char hant_fill[] =
    "tap field_education\npick opt_21\ntap opt_10\ntap next\n"
    "tap field_household_division\npick div_370102001\npick div_370102001001\n"
    "type 12\ntap edit_done\ntap div_same\ntap next\n"
    "tap field_mobile\ntype 13812345678\ntap edit_done\ntap next\n"
    "tap field_unemployed_since\ntap month_9\npick opt_05\ntap opt_yes\ntap next\n"
    "tap field_services\ntap opt_1\ntap opt_2\ntap edit_done\n"
    "tap next\nexpect review\n";

static void test_hant(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1};
    fresh_state("hall-hant", KIOSK_MODE_HALL, permit_card, o);
    ui_app *app = start(1);
    play(app, "expect attract\ntap language\n");
    assert_string_equal(ui_app_language(app), "en");
    play(app, "tap language\n");
    assert_string_equal(ui_app_language(app), "zh_Hant");
    play(app, "shot hall-hant-attract\n"
              "tap language\n");
    assert_string_equal(ui_app_language(app), "zh_CN");
    /* the holder is read after the PIN: Simplified until then, Traditional from there */
    play(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
              "svc_register\nexpect questions\n");
    assert_string_equal(ui_app_language(app), "zh_Hant");
    play(app, "shot hall-hant-questions\n"
              "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n"
              "shot hall-hant-form-personal\n"
              "tap field_education\npick opt_21\ntap opt_10\n"
              "shot hall-hant-form-personal-filled\n"
              "tap next\n"
              "tap field_household_division\npick div_370102001\npick div_370102001001\n"
              "type 12\ntap edit_done\ntap div_same\n"
              "shot hall-hant-form-document\n"
              "tap next\n"
              "tap field_mobile\ntype 13812345678\ntap edit_done\n"
              "tap field_email\ntype chan\ntap kb_mode\ntype @\ntap kb_mode\ntype qq\n"
              "tap kb_mode\ntype .\ntap kb_mode\ntype com\ntap edit_done\n"
              "tap next\n"
              "tap field_unemployed_since\ntap month_9\npick opt_05\ntap opt_yes\n"
              "tap next\n"
              "tap field_services\ntap opt_1\ntap opt_2\ntap edit_done\n"
              "tap next\nexpect review\n"
              "shot hall-hant-review\n"
              "tap next\nexpect commitment\n"
              "shot hall-hant-commitment\n"
              "tap-while scroll_down\ntap agree\nexpect signature\n"
              "sign\ntap sign_ok\n"
              "wait-for done 10000\n"
              "shot hall-hant-done\n"
              "tap finish\nexpect attract\n");
    /* the session's end returns to the hall's language */
    assert_string_equal(ui_app_language(app), "zh_CN");
    stop(app);
    /* the PIN screen and large text, switched to by hand */
    fresh_state("hall-hant-large", KIOSK_MODE_HALL, permit_card, o);
    app = start(1);
    play(app, "tap language\ntap language\ntap large_text\n"
              "shot hall-hant-attract-large\n"
              "card insert\nwait-for pin\npin 12\n"
              "shot hall-hant-pin-large\n"
              "tap large_text\nshot hall-hant-pin\ntap large_text\n"
              "pin 3456\ntap pin_ok\nwait-for services\ntap svc_register\nexpect questions\n"
              "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n"
              "shot hall-hant-form-personal-large\n");
    play(app, hant_fill);
    play(app, "shot hall-hant-review-large\n"
              "tap next\nexpect commitment\n"
              "shot hall-hant-commitment-large\n");
    stop(app);
    fresh_state("portable-hant", KIOSK_MODE_PORTABLE, permit_card, o);
    app = start(1);
    play(app, "tap language\ntap language\n"
              "shot portable-hant-attract\n"
              "card insert\nwait-for pin\npin 12\n"
              "shot portable-hant-pin\n"
              "pin 3456\ntap pin_ok\nwait-for services\ntap svc_register\nexpect questions\n"
              "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n"
              "shot portable-hant-form-personal\n");
    play(app, hant_fill);
    play(app, "shot portable-hant-review\n"
              "tap next\nexpect commitment\n"
              "shot portable-hant-commitment\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* The hall's other services in Traditional Chinese, for the Hong Kong permit holder (the
 * session turns to zh_Hant when the holder is read): the services screen, 我的办理记录
 * with two records of theirs, 政策和服务机构 (the list, a policy, the agencies), 注销申报
 * and 求职登记 filled, reviewed and saved (their receipts are the Traditional ones), and
 * the offer of an unfinished form after a power cut — in the hall and on the portable
 * unit. */
/* On the done screen of a permit holder's record: its receipt printed in Traditional
 * Chinese with no missing glyph (the page is in the state's receipts/ to look at); then
 * the card is taken and the session ends. */
static void hant_receipt_printed(ui_app *app)
{
    const session_view *v = session_get_view(ui_app_session(app));
    assert_string_equal(v->prefs.language, "zh_Hant");
    assert_true(v->flow->printed);
    assert_non_null(v->receipt->bits);
    assert_int_equal(v->receipt->missing_glyphs, 0);
    play(app, "card remove\nwait-for attract\n");
}

static void test_hant_services(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1, .citizen = 1, .citizen_id = "810000198506151234"};
    static const char *const runs[][2] = {
        {"hant-services-hall", "hall-hant"},
        {"hant-services-portable", "portable-hant"},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        fresh_state(runs[i][0], i == 1 ? KIOSK_MODE_PORTABLE : KIOSK_MODE_HALL, permit_card, o);
        ui_app *app = start(1);
        char script[4000];
        const char *p = runs[i][1];
        snprintf(script, sizeof script,
                 "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
                 "wait 500\nshot %s-services\n"
                 "tap svc_records\nexpect records\nwait 500\n"
                 "shot %s-records\n"
                 "tap back\nexpect services\n"
                 "tap svc_policies\nexpect info\n"
                 "shot %s-info-policies\n"
                 "tap info_policy_2\nexpect info\n"
                 "shot %s-info-policy\n"
                 "tap info_agencies\n"
                 "shot %s-info-agencies\n"
                 "tap back\nexpect services\n"
                 "tap svc_report\nexpect form\n"
                 "shot %s-report\n"
                 "tap field_situation\npick opt_01\ntap month_11\ntap day_2\n"
                 "tap kb_pinyin\ntype gs\nchoose 0\ntap edit_done\n"
                 "shot %s-report-filled\n"
                 "tap next\nexpect review\n"
                 "shot %s-report-review\n"
                 "tap next\nexpect commitment\ntap-while scroll_down\ntap agree\n"
                 "expect signature\nsign\ntap sign_ok\nwait-for done 10000\n",
                 p, p, p, p, p, p, p, p);
        play(app, script);
        hant_receipt_printed(app);
        assert_string_equal(ui_app_language(app), "zh_CN"); /* the hall's, once it ended */
        snprintf(script, sizeof script,
                 "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
                 "tap svc_jobseeker\nexpect form\n"
                 "shot %s-jobseeker\n"
                 "tap field_job_categories\ntap opt_05\ntap opt_06\ntap edit_done\n"
                 "pick div_370102\npick opt_2\ntap month_12\ntap day_1\n"
                 "type 13812345678\ntap edit_done\n"
                 "shot %s-jobseeker-filled\n"
                 "tap next\nexpect review\n"
                 "shot %s-jobseeker-review\n"
                 "tap next\nexpect commitment\ntap-while scroll_down\ntap agree\n"
                 "expect signature\nsign\ntap sign_ok\nwait-for done 10000\n",
                 p, p, p);
        play(app, script);
        hant_receipt_printed(app);
        stop(app);
        /* the power goes on a 求职登记 half given; the same citizen comes back */
        app = start(1);
        play(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
                  "tap svc_jobseeker\nexpect form\n"
                  "tap field_job_categories\ntap opt_05\ntap edit_done\nwait 500\n");
        stop(app);
        app = start(1);
        snprintf(script, sizeof script,
                 "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
                 "wait 500\nshot %s-services-resume\ntap resume_yes\nexpect form\n",
                 p);
        play(app, script);
        stop(app);
    }
    screen_tests_done++;
    report();
}

/* A card whose PIN is blocked, and one whose ID number fails its check (in the hall, and
 * on the portable unit in English). */
static void test_hall_messages(void **state)
{
    (void)state;
    state_opts o = {0};
    fresh_state("hall-blocked", KIOSK_MODE_HALL, KIOSK_TEST_FIXTURES "/cards/blocked.ini", o);
    ui_app *app = start(0);
    play(app, "card insert\nwait-for message\n"
              "shot hall-message-pin-blocked\n"
              "tap ok\nexpect attract\nshot hall-attract-take-card\n");
    stop(app);
    /* in large text: the icon and the title still on one line */
    fresh_state("hall-blocked-large", KIOSK_MODE_HALL, KIOSK_TEST_FIXTURES "/cards/blocked.ini", o);
    app = start(0);
    play(app, "tap large_text\ncard insert\nwait-for message\n"
              "shot hall-message-pin-blocked-large\n");
    stop(app);
    /* the card reads well but its data disagree: said so, with a notice, not "unreadable" */
    fresh_state("hall-mismatch", KIOSK_MODE_HALL, KIOSK_TEST_FIXTURES "/cards/bad-id.ini", o);
    app = start(0);
    play(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for message\n"
              "shot hall-message-card-mismatch\n");
    stop(app);
    fresh_state("portable-mismatch", KIOSK_MODE_PORTABLE, KIOSK_TEST_FIXTURES "/cards/bad-id.ini",
                o);
    app = start(0);
    play(app, "tap language\ncard insert\nwait-for pin\npin 123456\ntap pin_ok\n"
              "wait-for message\nshot portable-message-card-mismatch-en\n");
    stop(app);
    /* a third-generation card without a key holder: the services screen, where what needs
     * the card's holder says why; 失业登记 has the ID number keyed in (hall; portable in
     * large text and English) */
    fresh_state("hall-gen3", KIOSK_MODE_HALL, KIOSK_TEST_FIXTURES "/cards/gen3.ini", o);
    app = start(0);
    play(app, "card insert\nwait-for pin\npin 111111\ntap pin_ok\nwait-for services\n"
              "shot hall-services-keyed\n"
              "tap svc_records\nexpect services\nshot hall-services-keyed-why\n"
              "tap svc_register\nexpect form\n"
              "shot hall-form-enter-id\n");
    stop(app);
    fresh_state("portable-gen3", KIOSK_MODE_PORTABLE, KIOSK_TEST_FIXTURES "/cards/gen3.ini", o);
    app = start(0);
    play(app, "tap language\ncard insert\nwait-for pin\npin 111111\ntap pin_ok\n"
              "wait-for services\ntap svc_report\nexpect services\n"
              "shot portable-services-keyed-why-en\n"
              "tap large_text\nshot portable-services-keyed-why-en-large\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* No upstream key: the kiosk says so before the citizen reads and signs. */
static void test_hall_cannot_save(void **state)
{
    (void)state;
    state_opts o = {0};
    fresh_state("hall-nokey", KIOSK_MODE_HALL, demo_card, o);
    ui_app *app = start(1);
    /* told before a card is taken: out of service, and a card starts nothing */
    play(app, "wait 800\nshot hall-attract-cannot-save\n"
              "card insert\nwait 800\nexpect attract\n");
    stop(app);
    screen_tests_done++;
    report();
}

static const char login_730146[] =
    "tap staff_corner\ntap staff_corner\ntap staff_corner\ntap staff_corner\n"
    "tap staff_corner\nexpect-menu login\n";

/* The maintenance menu in the hall: login, dashboard, each action's outcome, the
 * confirmations, the reader test, out of service. */
static void test_hall_menu(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1, .record = 1, .staff = 1};
    fresh_state("hall-menu", KIOSK_MODE_HALL, demo_card, o);
    ui_app *app = start(1);
    play(app, login_730146);
    play(app, "shot hall-menu-login\n"
              "tap mk1\ntap mk2\ntap mk3\n"
              "shot hall-menu-login-digits\n"
              "tap mk4\ntap mk5\ntap mk6\ntap mk_ok\n"
              "shot-async hall-menu-login-wrong\n"
              "tap mk7\ntap mk3\ntap mk0\ntap mk1\ntap mk4\ntap mk6\ntap mk_ok\n"
              "wait-menu home\n"
              "shot-async hall-menu-dashboard\n"
              "tap m_sync\n"
              "shot-async hall-menu-sync-started\n"
              "tap m_print_test\n"
              "shot-async hall-menu-print-test\n"
              "tap m_reprint\nexpect-menu reprint\n"
              "shot hall-menu-reprint\n"
              "tap rk2\ntap rk0\ntap rk2\ntap rk6\ntap rk1\ntap rk1\ntap rk2\ntap rk0\n"
              "tap rk0\ntap rk0\ntap rk0\ntap rk1\n"
              "shot hall-menu-reprint-typed\n"
              "tap m_do_reprint\n"
              "shot-async hall-menu-reprinted\n"
              "tap m_back\nwait-menu home\n"
              "tap m_export\n"
              "shot-async hall-menu-exported\n"
              "tap m_purge\nexpect-menu purge\n"
              "shot hall-menu-purge-confirm\n"
              "tap m_do_purge\nwait-menu home\n"
              "shot-async hall-menu-purged\n"
              "tap m_reader\nexpect-menu reader\n"
              "shot hall-menu-reader\n"
              "card insert\n"
              "shot-async hall-menu-reader-card\n"
              "card remove\ntap m_back\nwait-menu home\n"
              "tap m_service\n"
              "shot-async hall-menu-out-of-service\n"
              "tap m_logout\nexpect-menu off\nexpect attract\n"
              "shot-async hall-attract-out-of-service\n");
    stop(app);
    /* a record the hub refused: the dashboard says why and what to do */
    state_opts ro = {.upstream_key = 1, .record = 1, .staff = 1, .refused = 1};
    fresh_state("hall-menu-refused", KIOSK_MODE_HALL, demo_card, ro);
    app = start(1);
    play(app, login_730146);
    play(app, "tap mk7\ntap mk3\ntap mk0\ntap mk1\ntap mk4\ntap mk6\ntap mk_ok\n"
              "wait-menu home\n"
              "shot-async hall-menu-refused\n"
              "tap m_logout\nexpect-menu off\n");
    stop(app);
    /* the third wrong PIN in a row locks the login (two were tried before) */
    o.failed_logins = 2;
    fresh_state("hall-menu-lock", KIOSK_MODE_HALL, demo_card, o);
    app = start(1);
    play(app, login_730146);
    play(app, "tap mk1\ntap mk2\ntap mk3\ntap mk4\ntap mk5\ntap mk9\ntap mk_ok\n"
              "shot-async hall-menu-locked\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* 软件更新 from a stick, RAUC as a double: a bundle's "version" is its bytes; "bad" has a
 * wrong signature; older than 1.0 is refused as RAUC's pre-install handler does. */
static kiosk_rc screens_rauc_info(void *ctx, const char *bundle, char *version, char *detail,
                                  size_t dn)
{
    (void)ctx;
    char buf[16] = "";
    FILE *f = fopen(bundle, "r");
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            buf[0] = '\0';
        fclose(f);
    }
    if (!update_version_ok(buf) || !strcmp(buf, "bad")) {
        snprintf(detail, dn, "bad_signature");
        return KIOSK_CRYPTO;
    }
    snprintf(version, UPDATE_VERSION_MAX, "%s", buf);
    return KIOSK_OK;
}

/* While set, an install stops at 40 % until the test has seen it (the installing thread). */
static atomic_int hold_install;

static kiosk_rc screens_rauc_install(void *ctx, const char *bundle, _Atomic int *progress,
                                     char *detail, size_t dn)
{
    char v[UPDATE_VERSION_MAX], why[48];
    if (screens_rauc_info(ctx, bundle, v, why, sizeof why) != KIOSK_OK ||
        update_version_cmp(v, "1.0") < 0) {
        snprintf(detail, dn, "older_version");
        return KIOSK_RANGE;
    }
    if (progress)
        atomic_store(progress, 40);
    while (atomic_load(&hold_install))
        SDL_Delay(5);
    if (progress)
        atomic_store(progress, 100);
    return KIOSK_OK;
}

/* The stick: an older bundle, a good one, one signed by another key. */
static void update_stick(void)
{
    char usb[KIOSK_CONFIG_PATH_MAX + 8];
    snprintf(usb, sizeof usb, "%s", cfg.export_dir);
    mkdir(usb, 0755);
    write_text(usb, "kiosk-0.9-amd64.raucb", "0.9");
    write_text(usb, "kiosk-2.0-amd64.raucb", "2.0");
    write_text(usb, "kiosk-2.1-amd64.raucb", "bad");
}

static void use_fake_rauc(ui_app *app)
{
    static const update_rauc fake = {screens_rauc_info, screens_rauc_install, NULL, NULL, NULL};
    app_io_set_update_rauc(session_io(ui_app_session(app)), &fake);
}

/* 软件更新 in the menu: the stick's bundles, an older one refused, the good one installed;
 * in large text, in English, and on the portable unit. */
static void test_update_menu(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1, .staff = 1};
    static const struct {
        const char *tag, *prefs;
        kiosk_mode mode;
        int refused;
    } runs[] = {
        {"hall-menu-update", "", KIOSK_MODE_HALL, 1},
        {"hall-large-menu-update", "tap large_text\n", KIOSK_MODE_HALL, 0},
        {"hall-en-menu-update", "tap language\n", KIOSK_MODE_HALL, 1},
        {"portable-menu-update", "tap language\ntap large_text\n", KIOSK_MODE_PORTABLE, 0},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        fresh_state(runs[i].tag, runs[i].mode, demo_card, o);
        update_stick();
        ui_app *app = start(1);
        use_fake_rauc(app);
        char script[600];
        snprintf(script, sizeof script,
                 "expect attract\n%s%s"
                 "tap mk7\ntap mk3\ntap mk0\ntap mk1\ntap mk4\ntap mk6\ntap mk_ok\n"
                 "wait-menu home\ntap m_update\nexpect-menu update\n"
                 "shot-async %s-list\n",
                 runs[i].prefs,
                 /* the corner's very edge: with large text its middle is the language button */
                 "tap-at 2 2\ntap-at 2 2\ntap-at 2 2\ntap-at 2 2\ntap-at 2 2\nexpect-menu login\n",
                 runs[i].tag);
        play(app, script);
        if (runs[i].refused) {
            snprintf(script, sizeof script, "tap m_upd0\ntap m_do_update\nshot-async %s-older\n",
                     runs[i].tag);
            play(app, script);
        }
        /* installing: RAUC's percentage under the note, held at 40 % for the shot */
        atomic_store(&hold_install, 1);
        snprintf(script, sizeof script, "tap m_upd1\nshot %s-chosen\ntap m_do_update\n",
                 runs[i].tag);
        play(app, script);
        app_io *io = session_io(ui_app_session(app));
        for (int k = 0; k < 1000 && app_io_update_progress(io) != 40; k++)
            SDL_Delay(5);
        assert_int_equal(app_io_update_progress(io), 40);
        snprintf(script, sizeof script, "shot %s-installing\n", runs[i].tag);
        play(app, script);
        atomic_store(&hold_install, 0);
        snprintf(script, sizeof script,
                 "shot-async %s-installed\ntap m_back\nwait-menu home\ntap m_logout\n",
                 runs[i].tag);
        play(app, script);
        stop(app);
    }
    screen_tests_done++;
    report();
}

/* The portable unit (1280×800) with large text, English and high contrast: the screens
 * a field team's citizens meet most, and the menu. */
static void test_portable(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1, .staff = 1};
    fresh_state("portable", KIOSK_MODE_PORTABLE, demo_card, o);
    ui_app *app = start(1);
    play(app, "expect attract\n"
              "tap language\ntap large_text\ntap contrast\n"
              "shot-async portable-attract\n"
              "card insert\nuntil reading_card\nstill portable-reading-card\nwait-for pin\n"
              "pin 12\n"
              "shot portable-pin\n"
              "pin 3456\ntap pin_ok\nwait-for services\ntap svc_register\nexpect questions\n"
              "tap q0_no\ntap q1_no\ntap q2_yes\n"
              "shot portable-questions\n"
              "tap q3_yes\nexpect form\n"
              "tap next\n"
              "shot portable-form-personal-errors\n"
              "tap field_education\n"
              "shot portable-edit-list\n"
              "pick opt_21\npick opt_10\ntap next\n"
              "shot portable-form-document\n"
              "tap field_household_division\n"
              "shot portable-edit-address\n"
              "pick div_370102001\n"
              "shot portable-edit-address-communities\n"
              "pick div_370102001001\n"
              "stroke 40 130 260 130\nstroke 150 30 150 280\n"
              "shot portable-edit-handwriting\n"
              "type 12\ntap kb_pinyin\ntype haolou\n"
              "shot portable-edit-pinyin\n"
              "tap large_text\n"
              "shot portable-edit-pinyin-normal\n"
              "tap large_text\n"
              "choose 0\ntap edit_done\n"
              "shot portable-edit-address-residence\n"
              "tap div_same\n"
              "shot portable-form-document-filled\n"
              "tap next\n"
              "tap field_mobile\ntype 2\n"
              "shot portable-edit-numpad-wrong\n"
              "tap kb_del\ntype 13812345678\n"
              "shot portable-edit-numpad\n"
              "tap edit_done\ntap next\n"
              "tap field_unemployed_since\ntap month_9\n"
              "pick opt_05\ntap opt_yes\n"
              "shot portable-form-unemployment-place\n"
              "tap-while scroll_down\n"
              "shot portable-form-unemployment\n"
              "tap next\n"
              "tap field_services\ntap opt_1\ntap edit_done\n"
              "tap next\n"
              "expect review\n"
              "shot portable-review\n"
              "tap-while scroll_down\n"
              "shot portable-review-end\n"
              "tap next\n"
              "expect commitment\n"
              "shot portable-commitment\n"
              "tap-while scroll_down\n"
              "tap agree\n"
              "sign\n"
              "shot portable-signature\n"
              "tap sign_ok\n"
              "wait-for done 10000\n"
              "shot portable-done\n"
              "tap finish\nexpect attract\n");
    play(app, login_730146);
    play(app, "shot portable-menu-login\n"
              "tap mk7\ntap mk3\ntap mk0\ntap mk1\ntap mk4\ntap mk6\ntap mk_ok\n"
              "wait-menu home\n"
              "shot-async portable-menu-dashboard\n"
              "tap m_logout\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* Warnings of the text layer that a character had no glyph in any font (a box). */
static int glyphless;

static void count_glyphless(void *ctx, kiosk_log_level level, const char *module, const char *msg)
{
    (void)ctx;
    if (level == KIOSK_LOG_WARN && !strcmp(module, "ui_text") && strstr(msg, "without a glyph"))
        glyphless++;
    fprintf(stderr, "%s: %s\n", module, msg);
}

/* The address and number editors in large text (hall): the picker at the hall's district
 * with "其他地区", the communities, "与户籍地址相同", the detail's digits, the page with
 * 必填 / 选填 marks, a mobile number refused as it is typed, and 登记失业地 preselected
 * with its one line of explanation. */
static void test_hall_large_address(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1};
    fresh_state("hall-large-address", KIOSK_MODE_HALL, demo_card, o);
    ui_app *app = start(0);
    play(app, "tap large_text\n"
              "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
              "svc_register\nexpect questions\n"
              "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n"
              "tap field_education\n"
              "shot hall-large-edit-education\n"
              "pick opt_61\npick opt_10\ntap next\n"
              "shot hall-large-form-document\n"
              "tap field_household_division\n"
              "shot hall-large-edit-address-home\n"
              "pick div_370102001\n"
              "shot hall-large-edit-address-communities\n"
              "pick div_370102001001\ntype 12\n"
              "shot hall-large-edit-detail-digits\n"
              "tap edit_done\n"
              "shot hall-large-edit-address-residence\n"
              "tap div_same\n"
              "shot hall-large-form-document-filled\n"
              "tap next\n"
              "tap field_mobile\ntype 23\n"
              "shot hall-large-edit-mobile-wrong\n"
              "tap kb_del\ntap kb_del\ntype 13812345678\n"
              "shot hall-large-edit-mobile-complete\n"
              "tap edit_done\ntap next\n"
              "shot hall-large-form-unemployment-place\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* A name that fills the card's name fields (22 characters, three beyond the BMP, two of
 * them only in the last font of the stack): every character drawn, none a box, and the
 * name wrapped at its size rather than shrunk, in normal and in large text. */
static void test_hall_long_rare_name(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1};
    fresh_state("hall-long-name", KIOSK_MODE_HALL, KIOSK_TEST_FIXTURES "/cards/long-rare-name.ini",
                o);
    ui_app *app = start(0);
    glyphless = 0;
    kiosk_log_set_sink(count_glyphless, NULL);
    play(app, "card insert\nwait-for pin\npin 246810\ntap pin_ok\nwait-for services\ntap "
              "svc_register\nexpect questions\n"
              "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n"
              "shot hall-form-personal-long-name\n"
              "tap large_text\n"
              "shot hall-form-personal-long-name-large\n");
    kiosk_log_set_sink(NULL, NULL);
    assert_int_equal(glyphless, 0);
    assert_int_equal(ui_app_missing_glyphs(app), 0);
    stop(app);
    screen_tests_done++;
    report();
}

/* Every reference belongs to a screen of this test (when all the tests ran). */
/* A printer that cannot be opened: citizens are told before they start (or, with
 * [printer] required, the kiosk is out of service). */
static void test_printer_fault(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1};
    fresh_state("hall-noprinter", KIOSK_MODE_HALL, demo_card, o);
    cfg.printer_backend = KIOSK_PRINTER_USB;
    snprintf(cfg.printer_device, sizeof cfg.printer_device, "%s/no-printer", KIOSK_TEST_TMP);
    ui_app *app = start(1);
    play(app, "wait 300\nshot hall-attract-no-printer\n");
    stop(app);
    cfg.printer_required = 1;
    app = start(1);
    play(app, "wait 300\nshot hall-attract-no-printer-closed\n");
    stop(app);
    /* a reader that cannot be opened: no card invited */
    fresh_state("hall-noreader", KIOSK_MODE_HALL, demo_card, o);
    cfg.reader_backend = KIOSK_READER_LIBNFC;
    snprintf(cfg.reader_connstring, sizeof cfg.reader_connstring, "%s",
             "pn532_uart:/dev/nonexistent-tty:115200");
    setenv("LIBNFC_LOG_LEVEL", "0", 1);
    app = start(1);
    play(app, "wait 500\nshot hall-attract-no-reader\n");
    stop(app);
    fresh_state("portable-noprinter", KIOSK_MODE_PORTABLE, demo_card, o);
    cfg.printer_backend = KIOSK_PRINTER_USB;
    snprintf(cfg.printer_device, sizeof cfg.printer_device, "%s/no-printer", KIOSK_TEST_TMP);
    app = start(1);
    play(app, "tap language\ntap large_text\nwait 300\nshot portable-attract-no-printer\n");
    stop(app);
    /* a low battery: the banner between the instruction and the steps, both readable */
    fresh_state("portable-lowbattery", KIOSK_MODE_PORTABLE, demo_card, o);
    char bat[300];
    snprintf(bat, sizeof bat, "%s/BAT0", cfg.power_supply);
    write_text(bat, "capacity", "8\n");
    app = start(1);
    play(app, "tap language\nwait 300\nshot portable-attract-battery-low\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* The PIN screen before the first digit when the card's counter says few tries are
 * left: two, and the last one (said plainly, with the way to a counter); then the card
 * taken away, which says so. */
/* What the attract screen asks for as the readers fitted allow: a card inserted into a
 * contact slot (PC/SC alone), or tapped or inserted (an NFC reader and a contact slot). */
static void test_card_slots(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1};
    no_reader = 1; /* the screens alone: no reader is there to open */
    fresh_state("hall-insert", KIOSK_MODE_HALL, demo_card, o);
    cfg.reader_backend = KIOSK_READER_PCSC;
    ui_app *app = start(1);
    play(app, "expect attract\nshot hall-attract-insert\n");
    stop(app);
    fresh_state("hall-either", KIOSK_MODE_HALL, demo_card, o);
    cfg.reader_backend = KIOSK_READER_LIBNFC;
    snprintf(cfg.reader_contact, sizeof cfg.reader_contact, "%s", "ACS ACR39U");
    app = start(1);
    play(app, "expect attract\nshot hall-attract-either\n"
              "tap language\ntap large_text\nshot hall-attract-either-en-large\n");
    stop(app);
    fresh_state("portable-either", KIOSK_MODE_PORTABLE, demo_card, o);
    cfg.reader_backend = KIOSK_READER_LIBNFC;
    snprintf(cfg.reader_contact, sizeof cfg.reader_contact, "%s", "ACS ACR39U");
    app = start(1);
    play(app, "expect attract\nshot-async portable-attract-either\n");
    stop(app);
    no_reader = 0;
    screen_tests_done++;
}

static void test_pin_tries(void **state)
{
    (void)state;
    state_opts o = {0};
    fresh_state("hall-two-tries", KIOSK_MODE_HALL, KIOSK_TEST_FIXTURES "/cards/two-tries.ini", o);
    ui_app *app = start(0);
    play(app, "card insert\nwait-for pin\nshot hall-pin-two-tries\n");
    stop(app);
    fresh_state("hall-last-try", KIOSK_MODE_HALL, KIOSK_TEST_FIXTURES "/cards/last-try.ini", o);
    app = start(0);
    play(app, "card insert\nwait-for pin\nshot hall-pin-last-try\n"
              "card remove\nwait-for card_away\nshot hall-card-away\n"
              "idle 21\nwait-for message\nshot hall-message-card-away-ended\n");
    stop(app);
    fresh_state("portable-last-try", KIOSK_MODE_PORTABLE, KIOSK_TEST_FIXTURES "/cards/last-try.ini",
                o);
    app = start(0);
    play(app, "tap language\ntap large_text\ncard insert\nwait-for pin\n"
              "shot portable-pin-last-try\n"
              "card remove\nwait-for card_away\nshot portable-card-away\n"
              "idle 21\nwait-for message\nshot portable-message-card-away-ended\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* The handwriting keyboard in the hall: 12 typed on its digits, 号 written with a finger
 * (ink and candidates), in normal and in large text; the candidate chosen, 楼 added and
 * the caret moved. */
static void test_hall_handwriting(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1};
    fresh_state("hall-handwriting", KIOSK_MODE_HALL, demo_card, o);
    ui_app *app = start(0);
    play(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
              "svc_register\nexpect questions\n"
              "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n"
              "tap field_education\npick opt_21\ntap opt_10\ntap next\n"
              "tap field_household_detail\n"
              "shot hall-edit-handwriting-empty\n"
              "type 12\n"
              "stroke 190 60 194 210\nstroke 190 60 410 60 406 210\nstroke 194 206 406 206\n"
              "stroke 80 290 520 290\nstroke 230 300 190 410 450 410 430 560 350 536\n"
              "shot hall-edit-handwriting\n"
              "tap large_text\n"
              "shot hall-edit-handwriting-large\n"
              "choose 0\ntap kb_楼\ntap caret_left\ntap caret_left\n"
              "shot hall-edit-handwriting-caret\n"
              /* large text: the pinyin spelling stays clear of the candidates */
              "tap kb_pinyin\ntype haolou\n"
              "shot hall-edit-pinyin-large\n"
              "choose 0\ntap edit_done\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* 求助: "工作人员马上就来" over the screen, in normal and large text, in English, and on the
 * portable unit (English, large text, high contrast); "好的" closes it. */
static void test_help(void **state)
{
    (void)state;
    state_opts o = {0};
    fresh_state("hall-help", KIOSK_MODE_HALL, demo_card, o);
    ui_app *app = start(0);
    /* the attract screen has 求助 and the sound switch too */
    play(app, "expect attract\ntap help\nshot hall-attract-help\ntap help_ok\nexpect attract\n"
              "tap voice\nshot hall-attract-sound-off\ntap voice\n");
    play(app, "card insert\nwait-for pin\ntap help\nshot hall-help\ntap help_ok\nexpect pin\n"
              "tap large_text\ntap help\nshot hall-help-large\ntap help_ok\n"
              "shot hall-pin-large\ntap large_text\n"
              "tap language\ntap help\nshot hall-help-en\ntap help_ok\n"
              "tap voice\nshot hall-pin-en-sound-off\n");
    stop(app);
    fresh_state("portable-help", KIOSK_MODE_PORTABLE, demo_card, o);
    app = start(0);
    play(app, "tap language\ntap large_text\ntap contrast\ntap help\n"
              "shot portable-attract-help\ntap help_ok\ncard insert\nwait-for pin\n"
              "tap help\nshot portable-help\ntap help_ok\ntap large_text\ntap contrast\n"
              "shot portable-pin-en\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* 我的办理记录 with the hub's states last heard, the hub out of reach now: each record's
 * state (已办结, 需补充材料（…）) with its time, and "未连上中心…（最后联系 …）" — in the
 * hall (normal, large text, English, Traditional Chinese) and on the portable unit. */
static void test_records_hub_states(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1, .citizen = 1, .hub_states = 1};
    /* the hall: one session, the switches turned on the same screen (the hub refuses at
     * once, so the answer is in long before the first shot) */
    fresh_state("hubstates-hall", KIOSK_MODE_HALL, demo_card, o);
    ui_app *app = start(1);
    play(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
              "tap svc_records\nexpect records\nwait 1000\n"
              "shot hall-records-hub-offline\n"
              "tap large_text\nshot hall-large-records-hub-offline\ntap large_text\n"
              "tap language\nshot hall-en-records-hub-offline\n"
              "tap language\nshot hall-hant-records-hub-offline\n"
              "tap finish\nexpect attract\n");
    stop(app);
    fresh_state("hubstates-portable", KIOSK_MODE_PORTABLE, demo_card, o);
    app = start(1);
    play(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
              "tap svc_records\nexpect records\nwait 1000\n"
              "shot portable-records-hub-offline\n"
              "tap finish\nexpect attract\n");
    stop(app);
    screen_tests_done++;
    report();
}

/* The services screen after the PIN and 我的办理记录 with two records of the demo card's
 * holder: in the hall (normal, large text, English) and on the portable unit; a copy
 * printed from the list; the unfinished form's offer after a power cut. */
static void test_services_and_records(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1, .citizen = 1};
    static const char *const runs[][3] = {
        /* tag, the switches, the shots' prefix */
        {"services-hall", "", "hall"},
        {"services-large", "tap large_text\n", "hall-large"},
        {"services-en", "tap language\n", "hall-en"},
        {"services-portable", "", "portable"},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        fresh_state(runs[i][0], i == 3 ? KIOSK_MODE_PORTABLE : KIOSK_MODE_HALL, demo_card, o);
        ui_app *app = start(1);
        char script[2000];
        const char *p = runs[i][2];
        snprintf(script, sizeof script,
                 "%scard insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
                 "shot %s-services\n"
                 "tap svc_records\nexpect records\nwait 500\n"
                 "shot %s-records\n"
                 "tap reprint_0\nwait 3000\n"
                 "shot %s-records-reprinted\n"
                 "tap back\nexpect services\ntap finish\nexpect attract\n",
                 runs[i][1], p, p, p);
        play(app, script);
        stop(app);
        /* the power goes mid-form; the same citizen comes back: "接着填？" */
        app = start(1);
        snprintf(script, sizeof script,
                 "%scard insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
                 "tap svc_register\nexpect questions\n"
                 "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\nwait 500\n",
                 runs[i][1]);
        play(app, script);
        stop(app);
        app = start(1);
        snprintf(script, sizeof script,
                 "%scard insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
                 "wait 500\nshot %s-services-resume\ntap resume_yes\nexpect form\n",
                 runs[i][1], p);
        play(app, script);
        stop(app);
    }
    screen_tests_done++;
    report();
}

/* 政策和服务机构 from the services screen: the policies' list, one policy and its slip
 * printed, the agencies by level (city, then a community), back to the services; in the
 * hall (normal, large text, English) and on the portable unit. */
static void test_info(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1};
    static const char *const runs[][3] = {
        {"info-hall", "", "hall"},
        {"info-large", "tap large_text\n", "hall-large"},
        {"info-en", "tap language\n", "hall-en"},
        {"info-portable", "", "portable"},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        fresh_state(runs[i][0], i == 3 ? KIOSK_MODE_PORTABLE : KIOSK_MODE_HALL, demo_card, o);
        ui_app *app = start(1);
        char script[2000];
        const char *p = runs[i][2];
        snprintf(script, sizeof script,
                 "%scard insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
                 "tap svc_policies\nexpect info\n"
                 "shot %s-info-policies\n"
                 "tap info_policy_2\nexpect info\n"
                 "shot %s-info-policy\n"
                 "tap info_print\nwait 3000\n"
                 "shot %s-info-policy-printed\n"
                 "tap info_agencies\n"
                 "shot %s-info-agencies\n"
                 "tap info_level_3\n"
                 "shot %s-info-community\n"
                 "tap back\nexpect services\ntap finish\nexpect attract\n",
                 runs[i][1], p, p, p, p, p);
        play(app, script);
        stop(app);
    }
    screen_tests_done++;
    report();
}

/* 就业/失业注销申报 and 求职登记: each one page from the services screen, its editors
 * (the situations, the date's months then its day, up to three jobs, the districts of
 * the hall's city, the wages) and its review; in large text, English and on the portable
 * unit the pages, the day grid and the reviews. */
static void test_record_type_screens(void **state)
{
    (void)state;
    state_opts o = {.upstream_key = 1};
    static const char *const runs[][3] = {
        {"types-hall", "", "hall"},
        {"types-large", "tap large_text\n", "hall-large"},
        {"types-en", "tap language\n", "hall-en"},
        {"types-portable", "", "portable"},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        fresh_state(runs[i][0], i == 3 ? KIOSK_MODE_PORTABLE : KIOSK_MODE_HALL, demo_card, o);
        ui_app *app = start(1);
        char script[4000];
        const char *p = runs[i][2];
        int all = i == 0; /* the editors once, in the hall */
#define SHOT(name) (all ? "shot " : "#"), p, name
        snprintf(script, sizeof script,
                 "%scard insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\n"
                 "tap svc_report\nexpect form\n"
                 "%s%s-%s\n"
                 "tap field_situation\n"
                 "%s%s-%s\n"
                 "pick opt_01\n"
                 "%s%s-%s\n"
                 "tap month_11\n"
                 "shot %s-report-days\n"
                 "tap day_2\ntap kb_pinyin\ntype gs\nchoose 0\ntap edit_done\n"
                 "shot %s-report-filled\n"
                 "tap next\nexpect review\n"
                 "shot %s-report-review\n"
                 "tap back\ntap back\nexpect services\n"
                 "tap svc_jobseeker\nexpect form\n"
                 "tap field_job_categories\n"
                 "shot %s-jobseeker-jobs\n"
                 "tap opt_05\ntap opt_06\ntap edit_done\n"
                 "%s%s-%s\n"
                 "pick div_370102\n"
                 "%s%s-%s\n"
                 "pick opt_2\n"
                 "shot %s-jobseeker-start\n"
                 "tap month_12\ntap day_1\ntype 13812345678\ntap edit_done\n"
                 "shot %s-jobseeker-filled\n"
                 "tap next\nexpect review\n"
                 "shot %s-jobseeker-review\n"
                 "tap cancel\ntap cancel_confirm\n",
                 runs[i][1], SHOT("report"), SHOT("report-situations"), SHOT("report-months"), p, p,
                 p, p, SHOT("jobseeker-area"), SHOT("jobseeker-wage"), p, p, p);
#undef SHOT
        play(app, script);
        stop(app);
    }
    screen_tests_done++;
    report();
}

static void test_no_stray_references(void **state)
{
    (void)state;
    if (screen_tests_done != SCREEN_TESTS) {
        print_message("not every screen test ran to its end: stray references not looked for\n");
        skip();
    }
    DIR *d = opendir(KIOSK_TEST_UI_REFS);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".png"))
            continue;
        int used = 0;
        for (int i = 0; i < nseen; i++)
            used |= strlen(seen[i]) == len - 4 && !strncmp(seen[i], e->d_name, len - 4);
        if (used)
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", KIOSK_TEST_UI_REFS, e->d_name);
        if (update_refs) {
            print_message("removed %s: no screen uses it\n", path);
            unlink(path);
        } else {
            print_error("%s belongs to no screen: remove it (KIOSK_UPDATE_REFS=1 does)\n", path);
            note_failure(e->d_name);
        }
    }
    closedir(d);
    report();
}

int main(void)
{
    /* the same pixels wherever it runs: no window, China's time zone, no config file */
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    setenv("TZ", "Asia/Shanghai", 1);
    setenv("KIOSK_CONFIG", "", 1);
    tzset();
    const char *u = getenv("KIOSK_UPDATE_REFS");
    update_refs = u && *u && strcmp(u, "0") != 0;
    if (sodium_init() < 0)
        return 1;
    char dir[600];
    snprintf(dir, sizeof dir, "rm -rf '%s/screens-diff' && mkdir -p '%s'", KIOSK_TEST_TMP,
             KIOSK_TEST_UI_REFS);
    if (system(dir) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_hall_journey, setup),
        cmocka_unit_test_setup(test_hall_messages, setup),
        cmocka_unit_test_setup(test_hall_cannot_save, setup),
        cmocka_unit_test_setup(test_hall_menu, setup),
        cmocka_unit_test_setup(test_portable, setup),
        cmocka_unit_test_setup(test_printer_fault, setup),
        cmocka_unit_test_setup(test_card_slots, setup),
        cmocka_unit_test_setup(test_pin_tries, setup),
        cmocka_unit_test_setup(test_hall_long_rare_name, setup),
        cmocka_unit_test_setup(test_hall_handwriting, setup),
        cmocka_unit_test_setup(test_hall_large_address, setup),
        cmocka_unit_test_setup(test_help, setup),
        cmocka_unit_test_setup(test_services_and_records, setup),
        cmocka_unit_test_setup(test_records_hub_states, setup),
        cmocka_unit_test_setup(test_hant_services, setup),
        cmocka_unit_test_setup(test_info, setup),
        cmocka_unit_test_setup(test_record_type_screens, setup),
        cmocka_unit_test_setup(test_hant, setup),
        cmocka_unit_test_setup(test_update_menu, setup),
        cmocka_unit_test_setup(test_no_stray_references, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
