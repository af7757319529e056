/*
 * Primitive shapes as triangle fans. Corner arcs use 8 segments per quarter, enough at
 * kiosk sizes; vertices live on the stack (no allocation in the frame loop).
 */
#include "ui_draw.h"

#include <math.h>

#define ARC_SEGMENTS 8
#define CIRCLE_SEGMENTS 48

static SDL_Vertex vtx(float x, float y, SDL_Color c)
{
    SDL_Vertex v = {{x, y}, c, {0, 0}};
    return v;
}

void ui_draw_fill_rect(SDL_Renderer *r, SDL_Rect rect, SDL_Color c)
{
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(r, &rect);
}

void ui_draw_fill_round_rect(SDL_Renderer *r, SDL_Rect rect, int radius, SDL_Color c)
{
    int maxr = (rect.w < rect.h ? rect.w : rect.h) / 2;
    if (radius > maxr)
        radius = maxr;
    if (radius <= 0) {
        ui_draw_fill_rect(r, rect, c);
        return;
    }
    /* centre + 4 arcs of (ARC_SEGMENTS + 1) points, as a fan closed on itself */
    SDL_Vertex v[1 + 4 * (ARC_SEGMENTS + 1)];
    int idx[3 * 4 * (ARC_SEGMENTS + 1)];
    float cx = rect.x + rect.w / 2.0f, cy = rect.y + rect.h / 2.0f;
    const float corners[4][2] = {
        {rect.x + rect.w - radius, rect.y + radius},          /* top right, -90..0 */
        {rect.x + rect.w - radius, rect.y + rect.h - radius}, /* bottom right, 0..90 */
        {rect.x + radius, rect.y + rect.h - radius},          /* bottom left, 90..180 */
        {rect.x + radius, rect.y + radius},                   /* top left, 180..270 */
    };
    int n = 0;
    v[n++] = vtx(cx, cy, c);
    for (int k = 0; k < 4; k++) {
        float start = (float)M_PI * (k - 1) / 2.0f;
        for (int s = 0; s <= ARC_SEGMENTS; s++) {
            float a = start + (float)M_PI / 2.0f * s / ARC_SEGMENTS;
            v[n++] = vtx(corners[k][0] + radius * cosf(a), corners[k][1] + radius * sinf(a), c);
        }
    }
    int points = n - 1, m = 0;
    for (int i = 0; i < points; i++) {
        idx[m++] = 0;
        idx[m++] = 1 + i;
        idx[m++] = 1 + (i + 1) % points;
    }
    SDL_RenderGeometry(r, NULL, v, n, idx, m);
}

void ui_draw_round_frame(SDL_Renderer *r, SDL_Rect rect, int radius, int width, SDL_Color c,
                         SDL_Color inside)
{
    ui_draw_fill_round_rect(r, rect, radius, c);
    SDL_Rect in = {rect.x + width, rect.y + width, rect.w - 2 * width, rect.h - 2 * width};
    ui_draw_fill_round_rect(r, in, radius - width, inside);
}

void ui_draw_fill_circle(SDL_Renderer *r, int cx, int cy, int radius, SDL_Color c)
{
    SDL_Vertex v[CIRCLE_SEGMENTS + 1];
    int idx[3 * CIRCLE_SEGMENTS];
    v[0] = vtx((float)cx, (float)cy, c);
    for (int i = 0; i < CIRCLE_SEGMENTS; i++) {
        float a = 2.0f * (float)M_PI * i / CIRCLE_SEGMENTS;
        v[1 + i] = vtx(cx + radius * cosf(a), cy + radius * sinf(a), c);
        idx[3 * i] = 0;
        idx[3 * i + 1] = 1 + i;
        idx[3 * i + 2] = 1 + (i + 1) % CIRCLE_SEGMENTS;
    }
    SDL_RenderGeometry(r, NULL, v, CIRCLE_SEGMENTS + 1, idx, 3 * CIRCLE_SEGMENTS);
}

void ui_draw_fill_triangle(SDL_Renderer *r, SDL_FPoint a, SDL_FPoint b, SDL_FPoint c, SDL_Color col)
{
    SDL_Vertex v[3] = {vtx(a.x, a.y, col), vtx(b.x, b.y, col), vtx(c.x, c.y, col)};
    SDL_RenderGeometry(r, NULL, v, 3, NULL, 0);
}
