/*
 * Primitive shapes built from horizontal spans: a rounded rectangle or a circle is one
 * SDL_RenderFillRects call of one rectangle per row of its curved parts plus the
 * straight middle. On the software renderer a filled rectangle is a row fill, far faster
 * than rasterising triangles; opaque colours are drawn without blending. Span arrays
 * live on the stack (no allocation in the frame loop); very large radii are clamped.
 */
#include "ui/ui_draw.h"

#include <math.h>

#define MAX_RADIUS 256 /* rows of one curved part: spans on the stack */

/* Set colour and the cheapest blend mode that draws it right. */
static void use_color(SDL_Renderer *r, SDL_Color c)
{
    SDL_SetRenderDrawBlendMode(r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

/* Back to blending for what follows (text, images). */
static void done(SDL_Renderer *r)
{
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
}

void ui_draw_fill_rect(SDL_Renderer *r, SDL_Rect rect, SDL_Color c)
{
    use_color(r, c);
    SDL_RenderFillRect(r, &rect);
    done(r);
}

/* Half the width of a disc of radius rad at row dy (0 = top row) of its top half. */
static int half_span(int rad, int dy)
{
    float y = (float)rad - (float)dy - 0.5f;
    float h = sqrtf((float)rad * (float)rad - y * y);
    return (int)(h + 0.5f);
}

void ui_draw_fill_round_rect(SDL_Renderer *r, SDL_Rect rect, int radius, SDL_Color c)
{
    int maxr = (rect.w < rect.h ? rect.w : rect.h) / 2;
    if (radius > maxr)
        radius = maxr;
    if (radius > MAX_RADIUS)
        radius = MAX_RADIUS;
    if (radius <= 0) {
        ui_draw_fill_rect(r, rect, c);
        return;
    }
    SDL_Rect spans[2 * MAX_RADIUS + 1];
    int n = 0;
    for (int dy = 0; dy < radius; dy++) {
        int inset = radius - half_span(radius, dy);
        spans[n++] = (SDL_Rect){rect.x + inset, rect.y + dy, rect.w - 2 * inset, 1};
        spans[n++] = (SDL_Rect){rect.x + inset, rect.y + rect.h - 1 - dy, rect.w - 2 * inset, 1};
    }
    spans[n++] = (SDL_Rect){rect.x, rect.y + radius, rect.w, rect.h - 2 * radius};
    use_color(r, c);
    SDL_RenderFillRects(r, spans, n);
    done(r);
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
    if (radius <= 0)
        return;
    if (radius > MAX_RADIUS)
        radius = MAX_RADIUS;
    SDL_Rect spans[2 * MAX_RADIUS];
    int n = 0;
    for (int dy = 0; dy < radius; dy++) {
        int h = half_span(radius, dy);
        spans[n++] = (SDL_Rect){cx - h, cy - radius + dy, 2 * h, 1};
        spans[n++] = (SDL_Rect){cx - h, cy + radius - 1 - dy, 2 * h, 1};
    }
    use_color(r, c);
    SDL_RenderFillRects(r, spans, n);
    done(r);
}

void ui_draw_fill_triangle(SDL_Renderer *r, SDL_FPoint a, SDL_FPoint b, SDL_FPoint c, SDL_Color col)
{
    SDL_Vertex v[3] = {{a, col, {0, 0}}, {b, col, {0, 0}}, {c, col, {0, 0}}};
    SDL_RenderGeometry(r, NULL, v, 3, NULL, 0);
}
