/*
 * Icons from geometry: discs and rounded cards from ui_draw's spans, strokes (a tick, a
 * cross, an exclamation mark) as quads through SDL_RenderGeometry with round caps, the
 * waiting arc as a quad strip. Everything is sized from the box, so an icon grows with
 * the layout and large text. Vertex arrays live on the stack (no allocation per frame).
 */
#include "ui/ui_icon.h"

#include <math.h>

#include "ui/ui_draw.h"

/* A stroke from a to b, w wide, with round ends. */
static void stroke(SDL_Renderer *r, SDL_FPoint a, SDL_FPoint b, float w, SDL_Color c)
{
    float dx = b.x - a.x, dy = b.y - a.y, len = sqrtf(dx * dx + dy * dy);
    if (len <= 0.0f)
        return;
    float nx = -dy / len * w / 2.0f, ny = dx / len * w / 2.0f;
    SDL_Vertex v[4] = {{{a.x + nx, a.y + ny}, c, {0, 0}},
                       {{a.x - nx, a.y - ny}, c, {0, 0}},
                       {{b.x - nx, b.y - ny}, c, {0, 0}},
                       {{b.x + nx, b.y + ny}, c, {0, 0}}};
    static const int idx[6] = {0, 1, 2, 0, 2, 3};
    SDL_RenderGeometry(r, NULL, v, 4, idx, 6);
    int rad = (int)(w / 2.0f + 0.5f);
    ui_draw_fill_circle(r, (int)(a.x + 0.5f), (int)(a.y + 0.5f), rad, c);
    ui_draw_fill_circle(r, (int)(b.x + 0.5f), (int)(b.y + 0.5f), rad, c);
}

/* A point of the unit square (0..1) in the icon's square. */
static SDL_FPoint at(SDL_Rect sq, float u, float v)
{
    return (SDL_FPoint){(float)sq.x + u * (float)sq.w, (float)sq.y + v * (float)sq.h};
}

/* The mark inside a coloured shape: white on the normal palette's strong colours, black
 * on high contrast's bright ones. */
static SDL_Color mark_color(const ui_theme *t)
{
    return t->high_contrast ? t->bg : t->on_error;
}

static void card(SDL_Renderer *r, const ui_theme *t, SDL_Rect box, SDL_Color body, SDL_Color chip,
                 SDL_Color lines)
{
    int w = box.w, h = w * 54 / 86;
    if (h > box.h) {
        h = box.h;
        w = h * 86 / 54;
    }
    SDL_Rect c = {box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, w, h};
    ui_draw_fill_round_rect(r, c, h / 8, body);
    SDL_Rect ch = {c.x + w / 9, c.y + h * 2 / 5, w / 5, h / 3};
    ui_draw_fill_round_rect(r, ch, h / 20 + 1, chip);
    /* two lines of print beside the chip */
    int lh = h / 12 > 1 ? h / 12 : 1;
    ui_draw_fill_rect(r, (SDL_Rect){c.x + w * 2 / 5, c.y + h * 2 / 5, w * 2 / 5, lh}, lines);
    ui_draw_fill_rect(r, (SDL_Rect){c.x + w * 2 / 5, c.y + h * 3 / 5, w / 4, lh}, lines);
    (void)t;
}

void ui_icon_draw(SDL_Renderer *r, const ui_theme *t, ui_icon_kind kind, SDL_Rect box)
{
    int d = box.w < box.h ? box.w : box.h;
    if (d <= 0)
        return;
    SDL_Rect sq = {box.x + (box.w - d) / 2, box.y + (box.h - d) / 2, d, d};
    float fd = (float)d, w = fd * 0.11f;
    SDL_Color m = mark_color(t);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    switch (kind) {
    case UI_ICON_SUCCESS:
        ui_draw_fill_circle(r, sq.x + d / 2, sq.y + d / 2, d / 2, t->success);
        stroke(r, at(sq, 0.27f, 0.52f), at(sq, 0.44f, 0.69f), w, m);
        stroke(r, at(sq, 0.44f, 0.69f), at(sq, 0.74f, 0.35f), w, m);
        break;
    case UI_ICON_ERROR:
        ui_draw_fill_circle(r, sq.x + d / 2, sq.y + d / 2, d / 2, t->error);
        stroke(r, at(sq, 0.33f, 0.33f), at(sq, 0.67f, 0.67f), w, m);
        stroke(r, at(sq, 0.67f, 0.33f), at(sq, 0.33f, 0.67f), w, m);
        break;
    case UI_ICON_NOTICE: {
        /* a triangle with rounded corners: the triangle's edges stroked round it */
        SDL_FPoint a = at(sq, 0.5f, 0.10f), b = at(sq, 0.93f, 0.86f), c = at(sq, 0.07f, 0.86f);
        ui_draw_fill_triangle(r, a, b, c, t->notice);
        float e = fd * 0.08f;
        stroke(r, a, b, e, t->notice);
        stroke(r, b, c, e, t->notice);
        stroke(r, c, a, e, t->notice);
        stroke(r, at(sq, 0.5f, 0.38f), at(sq, 0.5f, 0.60f), w, m);
        ui_draw_fill_circle(r, sq.x + d / 2, sq.y + (int)(fd * 0.75f), (int)(w * 0.6f), m);
        break;
    }
    case UI_ICON_CARD:
        card(r, t, box, t->card, t->chip, t->on_card);
        break;
    case UI_ICON_CARD_ON_FILL:
        card(r, t, box, t->on_accent, t->chip, t->accent);
        break;
    case UI_ICON_COUNT:
        break;
    }
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
}

#define ARC_STEPS 48 /* quads in the whole ring */

/* The part of a ring between angles a0 and a1 (radians, clockwise from the top). */
static void arc(SDL_Renderer *r, float cx, float cy, float rin, float rout, float a0, float a1,
                SDL_Color c)
{
    SDL_Vertex v[2 * (ARC_STEPS + 1)];
    int idx[6 * ARC_STEPS];
    int n = (int)((a1 - a0) / (2.0f * (float)M_PI) * ARC_STEPS + 0.999f);
    if (n < 1)
        n = 1;
    if (n > ARC_STEPS)
        n = ARC_STEPS;
    for (int i = 0; i <= n; i++) {
        float a = a0 + (a1 - a0) * (float)i / (float)n, s = sinf(a), k = cosf(a);
        v[2 * i] = (SDL_Vertex){{cx + rin * s, cy - rin * k}, c, {0, 0}};
        v[2 * i + 1] = (SDL_Vertex){{cx + rout * s, cy - rout * k}, c, {0, 0}};
    }
    for (int i = 0; i < n; i++) {
        int *q = idx + 6 * i;
        q[0] = 2 * i;
        q[1] = 2 * i + 1;
        q[2] = 2 * i + 3;
        q[3] = 2 * i;
        q[4] = 2 * i + 3;
        q[5] = 2 * i + 2;
    }
    SDL_RenderGeometry(r, NULL, v, 2 * (n + 1), idx, 6 * n);
}

void ui_icon_spinner(SDL_Renderer *r, const ui_theme *t, SDL_Rect box, int64_t phase_ms)
{
    int d = box.w < box.h ? box.w : box.h;
    if (d <= 0)
        return;
    float cx = (float)box.x + (float)box.w / 2.0f, cy = (float)box.y + (float)box.h / 2.0f;
    float rout = (float)d / 2.0f, rin = rout * 0.78f, mid = (rin + rout) / 2.0f;
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_Color track = t->muted;
    track.a = 60;
    arc(r, cx, cy, rin, rout, 0.0f, 2.0f * (float)M_PI, track);
    int64_t p = phase_ms % UI_ICON_SPIN_MS;
    if (p < 0)
        p += UI_ICON_SPIN_MS;
    float a0 = 2.0f * (float)M_PI * (float)p / (float)UI_ICON_SPIN_MS;
    float a1 = a0 + (float)M_PI * 0.6f;
    arc(r, cx, cy, rin, rout, a0, a1, t->accent);
    int cap = (int)((rout - rin) / 2.0f + 0.5f);
    ui_draw_fill_circle(r, (int)(cx + mid * sinf(a0) + 0.5f), (int)(cy - mid * cosf(a0) + 0.5f),
                        cap, t->accent);
    ui_draw_fill_circle(r, (int)(cx + mid * sinf(a1) + 0.5f), (int)(cy - mid * cosf(a1) + 0.5f),
                        cap, t->accent);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
}

void ui_icon_loudspeaker(SDL_Renderer *r, int x, int cy, int icon, int on, SDL_Color fg)
{
    float u = (float)icon / 10.0f, x0 = (float)x, fy = (float)cy;
    ui_draw_fill_rect(r, (SDL_Rect){x, cy - (int)(1.5f * u), (int)(2.5f * u), (int)(3.0f * u)}, fg);
    SDL_FPoint p1 = {x0 + 2.0f * u, fy - 1.5f * u}, p2 = {x0 + 5.5f * u, fy - 4.5f * u},
               p3 = {x0 + 5.5f * u, fy + 4.5f * u}, p4 = {x0 + 2.0f * u, fy + 1.5f * u};
    ui_draw_fill_triangle(r, p1, p2, p3, fg);
    ui_draw_fill_triangle(r, p1, p3, p4, fg);
    SDL_SetRenderDrawColor(r, fg.r, fg.g, fg.b, 255);
    float w = u * 0.9f > 2.0f ? u * 0.9f : 2.0f;
    if (on) {
        for (int k = 1; k <= 2; k++) {
            float rad = (float)k * 2.2f * u;
            for (int a10 = -450; a10 <= 450; a10 += 15) {
                float ang = (float)a10 / 10.0f * (float)M_PI / 180.0f;
                SDL_FRect dot = {x0 + 5.5f * u + rad * cosf(ang) - w / 2,
                                 fy + rad * sinf(ang) - w / 2, w, w};
                SDL_RenderFillRectF(r, &dot);
            }
        }
    } else {
        for (int i = 0; i <= 20; i++) {
            float k = (float)i / 20.0f * 3.0f * u;
            SDL_FRect d1 = {x0 + 6.8f * u + k - w / 2, fy - 1.5f * u + k - w / 2, w, w};
            SDL_FRect d2 = {x0 + 6.8f * u + k - w / 2, fy + 1.5f * u - k - w / 2, w, w};
            SDL_RenderFillRectF(r, &d1);
            SDL_RenderFillRectF(r, &d2);
        }
    }
}
