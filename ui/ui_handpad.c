/*
 * The handwriting keyboard's layout. Portrait (the hall kiosk): candidates across the top,
 * the pad below with its buttons in a column at its right, then the address words in two
 * rows and the digits in one. Landscape (the portable unit): the pad square at the left,
 * candidates, the words (two rows), digits and the buttons in rows at its right. The ink is drawn
 * as thick as a felt pen (discs at the samples, quads between), on a 田字格 guide.
 */
#include "ui/ui_handpad.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_draw.h"

/* The words after "kb_" are split on spaces from this string (the same in every language:
 * they are what goes into a Chinese address). */
#define WORDS_KEY "screen.hw_words"
#define WORDS_MAX 12
static const char *const digits[10] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"};

/* The layout size of role, made smaller where its text would not fit a key h tall (large
 * text on the portable unit's short rows). */
static int fit_px(const ui_theme *t, ui_size role, int h)
{
    int layout = ui_theme_size(t, role), px = ui_theme_size_px(t, role), most = h * 7 / 10;
    return px > most ? layout * most / px : layout;
}

/* A row of keys "kb_<label>" spread evenly over r. */
static void key_row(ui_ctx *c, SDL_Rect r, const char *const *labels, int n, int gap)
{
    if (n <= 0)
        return;
    int kw = (r.w - (n - 1) * gap) / n;
    for (int i = 0; i < n; i++) {
        char id[UI_WIDGET_ID_MAX];
        snprintf(id, sizeof id, "kb_%s", labels[i]);
        ui_button(c, id, (SDL_Rect){r.x + i * (kw + gap), r.y, kw, r.h}, labels[i],
                  fit_px(c->t, UI_SIZE_KEY, r.h), UI_BUTTON_KEY);
    }
}

/* The candidates left to right in r, each as wide as its text needs and at least square
 * (or an eighth of the row); the ones that do not fit are left off (they rank last). */
static void candidates(ui_ctx *c, ui_handwriting *hw, SDL_Rect r, int gap)
{
    const ui_theme *t = c->t;
    size_t n = ui_handwriting_candidate_count(hw);
    int layout_px = fit_px(t, UI_SIZE_PAD_DIGIT, r.h);
    int px =
        ui_theme_size_px(t, UI_SIZE_PAD_DIGIT) * layout_px / ui_theme_size(t, UI_SIZE_PAD_DIGIT);
    if (n == 0) {
        SDL_Rect hint = {r.x, r.y + r.h / 6, r.w, r.h * 2 / 3};
        ui_label_fit(c, kiosk_strings_get(c->s, "screen.hw_hint"), hint,
                     ui_theme_size(t, UI_SIZE_HINT), t->muted, UI_TEXT_LEFT);
        return;
    }
    int least = (r.w - (UI_HANDWRITING_CANDIDATES - 1) * gap) / UI_HANDWRITING_CANDIDATES;
    if (least > r.h)
        least = r.h;
    int x = r.x;
    for (size_t i = 0; i < n; i++) {
        const char *cand = ui_handwriting_candidate(hw, i);
        int tw = 0;
        ui_text_measure(c->text, cand, px, &tw, NULL);
        int w = tw + px / 2 > least ? tw + px / 2 : least;
        if (x + w > r.x + r.w)
            break;
        char id[UI_WIDGET_ID_MAX];
        snprintf(id, sizeof id, "cand_%zu", i);
        ui_button(c, id, (SDL_Rect){x, r.y, w, r.h}, cand, layout_px,
                  i == 0 ? UI_BUTTON_SELECTED : UI_BUTTON_SECONDARY);
        x += w + gap;
    }
}

static void ink_segment(SDL_Renderer *r, float x0, float y0, float x1, float y1, float half,
                        SDL_Color col)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 0.5f)
        return;
    float nx = -dy / len * half, ny = dx / len * half;
    SDL_FPoint a = {x0 + nx, y0 + ny}, b = {x1 + nx, y1 + ny}, cc = {x1 - nx, y1 - ny},
               d = {x0 - nx, y0 - ny};
    ui_draw_fill_triangle(r, a, b, cc, col);
    ui_draw_fill_triangle(r, a, cc, d, col);
}

/* The pad as last drawn, kept in a texture (paper, guide and ink): a frame copies it and
 * draws only the points added since, instead of every stroke again (16-32 ms a frame
 * with a character on the pad). Attached to the ui_handwriting, so it goes with the
 * writing: ui_handwriting_destroy (the session's wipe) drops it; a clear redraws it. */
typedef struct ink_cache {
    SDL_Renderer *r;
    SDL_Texture *tex;
    int w, h;
    SDL_Color bg, accent, paper, rule, ink;
    unsigned serial;
    int failed;           /* the renderer made no texture: drawn in full, not tried again */
    size_t stroke, point; /* the next point to draw: stroke's point-th */
    int lx, ly;           /* the last point drawn of that stroke */
} ink_cache;

static void ink_cache_drop(void *view)
{
    ink_cache *k = view;
    if (!k)
        return;
    if (k->tex)
        SDL_DestroyTexture(k->tex);
    free(k);
}

static int same_color(SDL_Color a, SDL_Color b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b && a.a == b.a;
}

/* Paper, the 田字格 guide and the frame in the pad's own coordinates. */
static void paper(SDL_Renderer *r, const ui_theme *t, int w, int h)
{
    SDL_Rect p = {0, 0, w, h};
    ui_draw_clear(r, t->bg);
    ui_draw_round_frame(r, p, ui_theme_px(t, 16), ui_theme_px(t, 3) + 1, t->accent, t->paper);
    int rule = ui_theme_px(t, 2) + 1, dash = ui_theme_px(t, 18);
    for (int x = dash; x < w - dash; x += 2 * dash)
        ui_draw_fill_rect(r, (SDL_Rect){x, h / 2 - rule / 2, dash, rule}, t->paper_rule);
    for (int y = dash; y < h - dash; y += 2 * dash)
        ui_draw_fill_rect(r, (SDL_Rect){w / 2 - rule / 2, y, rule, dash}, t->paper_rule);
}

/* The ink from k's next point on, in pad coordinates (ox, oy added): as thick as a felt
 * pen, a stroke a 60-year-old can see from arm's length. */
static void ink(SDL_Renderer *r, const ui_theme *t, ui_handwriting *hw, ink_cache *k, int side,
                int ox, int oy)
{
    int pen = side / 28 + 2;
    float half = (float)pen / 2.0f;
    /* a disc at every few samples and quads between them: the samples come every 3 px,
     * a disc at each would cost a frame its budget on the software renderer */
    int stride = pen / 2 > 4 ? pen / 2 : 4;
    size_t ns = ui_handwriting_stroke_count(hw);
    for (size_t s = k->stroke; s < ns; s++) {
        const ui_handwriting_point *pts;
        size_t n = ui_handwriting_stroke_points(hw, s, &pts), i = s == k->stroke ? k->point : 0;
        if (i == 0 && n > 0) {
            k->lx = pts[0].x;
            k->ly = pts[0].y;
            ui_draw_fill_circle(r, ox + k->lx, oy + k->ly, pen / 2, t->ink);
            i = 1;
        }
        for (; i < n; i++) {
            int x = pts[i].x, y = pts[i].y;
            if (i + 1 < n && abs(x - k->lx) < stride && abs(y - k->ly) < stride)
                continue;
            ink_segment(r, (float)(ox + k->lx), (float)(oy + k->ly), (float)(ox + x),
                        (float)(oy + y), half, t->ink);
            ui_draw_fill_circle(r, ox + x, oy + y, pen / 2, t->ink);
            k->lx = x;
            k->ly = y;
        }
        k->stroke = s;
        k->point = n;
    }
}

/* Bring the cached pad up to date; 0 when there is no texture to draw (no memory, or a
 * renderer without render targets). */
static int ink_cache_update(ui_ctx *c, ui_handwriting *hw, SDL_Rect p, ink_cache **out)
{
    const ui_theme *t = c->t;
    ink_cache *k = ui_handwriting_view(hw);
    if (!k) {
        k = calloc(1, sizeof *k);
        if (!k)
            return 0;
        ui_handwriting_set_view(hw, k, ink_cache_drop);
    }
    if (k->failed && k->r == c->r)
        return 0;
    int stale = k->r != c->r || k->w != p.w || k->h != p.h || !k->tex ||
                !same_color(k->bg, t->bg) || !same_color(k->accent, t->accent) ||
                !same_color(k->paper, t->paper) || !same_color(k->rule, t->paper_rule) ||
                !same_color(k->ink, t->ink);
    if (stale) {
        if (k->tex)
            SDL_DestroyTexture(k->tex);
        k->tex =
            SDL_CreateTexture(c->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, p.w, p.h);
        k->r = c->r;
        k->failed = !k->tex;
        if (!k->tex)
            return 0;
        SDL_SetTextureBlendMode(k->tex, SDL_BLENDMODE_NONE);
        k->r = c->r;
        k->w = p.w;
        k->h = p.h;
        k->bg = t->bg;
        k->accent = t->accent;
        k->paper = t->paper;
        k->rule = t->paper_rule;
        k->ink = t->ink;
    }
    int redo = stale || k->serial != ui_handwriting_serial(hw);
    size_t ns = ui_handwriting_stroke_count(hw);
    const ui_handwriting_point *pts;
    int more = ns > k->stroke + 1 || (ns == k->stroke + 1 &&
                                      ui_handwriting_stroke_points(hw, k->stroke, &pts) > k->point);
    if (redo || more) {
        /* draw into the texture, then back to whatever was the target, as it was */
        SDL_Texture *target = SDL_GetRenderTarget(c->r);
        SDL_Rect clip;
        int clipped = SDL_RenderIsClipEnabled(c->r);
        SDL_RenderGetClipRect(c->r, &clip);
        SDL_SetRenderTarget(c->r, k->tex);
        if (redo) {
            paper(c->r, t, p.w, p.h);
            k->serial = ui_handwriting_serial(hw);
            k->stroke = k->point = 0;
        }
        ink(c->r, t, hw, k, p.w < p.h ? p.w : p.h, 0, 0);
        SDL_SetRenderTarget(c->r, target);
        SDL_RenderSetClipRect(c->r, clipped ? &clip : NULL);
    }
    *out = k;
    return 1;
}

/* The pad: paper, a 田字格 guide, the strokes. */
static void pad(ui_ctx *c, ui_handwriting *hw, SDL_Rect p)
{
    const ui_theme *t = c->t;
    ui_handwriting_place(hw, p.x, p.y, p.w, p.h);
    ink_cache *k;
    if (ink_cache_update(c, hw, p, &k) && SDL_RenderCopy(c->r, k->tex, NULL, &p) == 0)
        return;
    /* no texture: everything drawn again, every frame */
    ui_draw_round_frame(c->r, p, ui_theme_px(t, 16), ui_theme_px(t, 3) + 1, t->accent, t->paper);
    int rule = ui_theme_px(t, 2) + 1, dash = ui_theme_px(t, 18);
    for (int x = p.x + dash; x < p.x + p.w - dash; x += 2 * dash)
        ui_draw_fill_rect(c->r, (SDL_Rect){x, p.y + p.h / 2 - rule / 2, dash, rule}, t->paper_rule);
    for (int y = p.y + dash; y < p.y + p.h - dash; y += 2 * dash)
        ui_draw_fill_rect(c->r, (SDL_Rect){p.x + p.w / 2 - rule / 2, y, rule, dash}, t->paper_rule);
    ink_cache scratch = {0};
    ink(c->r, t, hw, &scratch, p.w < p.h ? p.w : p.h, p.x, p.y);
}

/* 重写, 删除, ◀ ▶ and 拼音 in r: a column (portrait) or a row (landscape). */
static void controls(ui_ctx *c, SDL_Rect r, int gap, int column)
{
    const ui_theme *t = c->t;
    int px = column ? ui_theme_size(t, UI_SIZE_BUTTON) : fit_px(t, UI_SIZE_BUTTON_COMPACT, r.h);
    SDL_Rect b[4];
    for (int i = 0; i < 4; i++)
        b[i] = column ? (SDL_Rect){r.x, r.y + i * (r.h + gap) / 4, r.w, (r.h + gap) / 4 - gap}
                      : (SDL_Rect){r.x + i * (r.w + gap) / 4, r.y, (r.w + gap) / 4 - gap, r.h};
    ui_button(c, UI_ID_HW_CLEAR, b[0], kiosk_strings_get(c->s, "screen.hw_clear"), px,
              UI_BUTTON_SECONDARY);
    ui_button(c, UI_ID_KB_DELETE, b[1], kiosk_strings_get(c->s, "screen.pin_delete"), px,
              UI_BUTTON_SECONDARY);
    SDL_Rect l = b[2], rr = b[2];
    l.w = rr.w = (b[2].w - gap) / 2;
    rr.x = l.x + l.w + gap;
    ui_button(c, UI_ID_CARET_LEFT, l, "◀", px, UI_BUTTON_SECONDARY);
    ui_button(c, UI_ID_CARET_RIGHT, rr, "▶", px, UI_BUTTON_SECONDARY);
    ui_button(c, UI_ID_KB_PINYIN, b[3], kiosk_strings_get(c->s, "screen.kb_letters"), px,
              UI_BUTTON_SECONDARY);
}

void ui_handpad_draw(ui_ctx *c, ui_handwriting *hw, SDL_Rect area)
{
    const ui_theme *t = c->t;
    char words_buf[128];
    snprintf(words_buf, sizeof words_buf, "%s", kiosk_strings_get(c->s, WORDS_KEY));
    const char *words[WORDS_MAX];
    int nwords = 0;
    for (char *save = NULL, *w = strtok_r(words_buf, " ", &save); w && nwords < WORDS_MAX;
         w = strtok_r(NULL, " ", &save))
        words[nwords++] = w;
    int gap = ui_theme_px(t, 12);
    int half = (nwords + 1) / 2; /* the words in two rows: 单元 and 小区 stay on one line */
    if (t->landscape) {
        /* the pad square at the left; five rows at its right */
        int side = area.h < area.w / 3 ? area.h : area.w / 3;
        pad(c, hw, (SDL_Rect){area.x, area.y, side, side});
        SDL_Rect right = {area.x + side + 2 * gap, area.y, area.w - side - 2 * gap, side};
        int rh = (right.h - 4 * gap) / 5;
        candidates(c, hw, (SDL_Rect){right.x, right.y, right.w, rh}, gap);
        key_row(c, (SDL_Rect){right.x, right.y + (rh + gap), right.w, rh}, words, half, gap);
        key_row(c, (SDL_Rect){right.x, right.y + 2 * (rh + gap), right.w, rh}, words + half,
                nwords - half, gap);
        key_row(c, (SDL_Rect){right.x, right.y + 3 * (rh + gap), right.w, rh}, digits, 10, gap / 2);
        controls(c, (SDL_Rect){right.x, right.y + 4 * (rh + gap), right.w, rh}, gap, 0);
        return;
    }
    /* rows as tall as their text needs in large text, never under the layout's */
    int key_h = ui_theme_px(t, 100), cand_h = ui_theme_px(t, 120);
    if (key_h < ui_theme_size_px(t, UI_SIZE_KEY) * 7 / 4)
        key_h = ui_theme_size_px(t, UI_SIZE_KEY) * 7 / 4;
    if (cand_h < ui_theme_size_px(t, UI_SIZE_PAD_DIGIT) * 3 / 2)
        cand_h = ui_theme_size_px(t, UI_SIZE_PAD_DIGIT) * 3 / 2;
    SDL_Rect cand = {area.x, area.y, area.w, cand_h};
    candidates(c, hw, cand, gap);
    int bottom = area.y + area.h;
    SDL_Rect digit_row = {area.x, bottom - key_h, area.w, key_h};
    SDL_Rect words2 = {area.x, digit_row.y - gap - key_h, area.w, key_h};
    SDL_Rect words1 = {area.x, words2.y - gap - key_h, area.w, key_h};
    key_row(c, words1, words, half, gap);
    key_row(c, words2, words + half, nwords - half, gap);
    key_row(c, digit_row, digits, 10, gap);
    int top = cand.y + cand.h + gap, h = words1.y - 2 * gap - top;
    int side_w = area.w / 4;
    int pw = area.w - side_w - 2 * gap;
    SDL_Rect p = {area.x, top, pw, h};
    pad(c, hw, p);
    controls(c, (SDL_Rect){area.x + pw + 2 * gap, top, side_w, h}, gap, 1);
}

int ui_handpad_tap(ui_handwriting *hw, const char *id, char *out, size_t outsz)
{
    if (!strcmp(id, UI_ID_HW_CLEAR)) {
        ui_handwriting_clear(hw);
        return 2;
    }
    if (strncmp(id, "cand_", 5) != 0)
        return 0;
    char *end;
    unsigned long k = strtoul(id + 5, &end, 10);
    if (*end || end == id + 5 || k >= ui_handwriting_candidate_count(hw))
        return 2;
    snprintf(out, outsz, "%s", ui_handwriting_candidate(hw, k));
    ui_handwriting_clear(hw);
    return 1;
}
