/*
 * Primitive shapes built from horizontal spans: a rounded rectangle or a circle is one
 * rectangle per row of its curved parts plus the straight middle. Opaque spans on the
 * software renderer's own window surface are written here with ordinary stores; anything
 * else goes through SDL_RenderFillRects. Span arrays live on the stack (no allocation in
 * the frame loop); very large radii are clamped.
 */
#include "ui/ui_draw.h"

#include <math.h>
#include <stdint.h>

#define MAX_RADIUS 256 /* rows of one curved part: spans on the stack */

/* Where opaque spans can be written straight into the pixels: a software renderer drawing
 * on its window's surface (no target texture), 32-bit pixels, no scaling. *clip: the part
 * of the surface drawing may touch (viewport and clip rectangle), *off the viewport's
 * origin. SDL's own fill streams past the cache (non-temporal SSE stores, one partial
 * cache line after another on a span a key wide): a frame of keys cost 3 ms that way,
 * 0.3 ms with plain stores. The commands queued so far are run first, so what is drawn
 * keeps its order. NULL: draw through SDL. */
static SDL_Surface *direct_surface(SDL_Renderer *r, SDL_Rect *clip, SDL_Point *off)
{
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(r, &info) != 0 || !(info.flags & SDL_RENDERER_SOFTWARE) ||
        SDL_GetRenderTarget(r) != NULL)
        return NULL;
    SDL_Window *win = SDL_RenderGetWindow(r);
    float sx = 0, sy = 0;
    int lw = 0, lh = 0;
    SDL_RenderGetScale(r, &sx, &sy);
    SDL_RenderGetLogicalSize(r, &lw, &lh);
    if (!win || sx != 1.0f || sy != 1.0f || lw || lh)
        return NULL;
    SDL_Surface *s = SDL_GetWindowSurface(win);
    if (!s || !s->pixels || SDL_MUSTLOCK(s) || s->format->BytesPerPixel != 4)
        return NULL;
    SDL_Rect vp;
    SDL_RenderGetViewport(r, &vp);
    *off = (SDL_Point){vp.x, vp.y};
    SDL_Rect whole = {0, 0, s->w, s->h};
    if (!SDL_IntersectRect(&whole, &vp, clip))
        *clip = (SDL_Rect){0, 0, 0, 0};
    if (SDL_RenderIsClipEnabled(r)) {
        SDL_Rect cr, shifted;
        SDL_RenderGetClipRect(r, &cr);
        cr.x += vp.x;
        cr.y += vp.y;
        if (!SDL_IntersectRect(clip, &cr, &shifted))
            shifted = (SDL_Rect){0, 0, 0, 0};
        *clip = shifted;
    }
    SDL_RenderFlush(r);
    return s;
}

/* Fill n rectangles (viewport coordinates) with an opaque colour: straight into the
 * pixels when direct_surface allows, else through SDL. */
static void fill_spans(SDL_Renderer *r, const SDL_Rect *rects, int n, SDL_Color c)
{
    SDL_Rect clip;
    SDL_Point off;
    SDL_Surface *s = c.a == 255 ? direct_surface(r, &clip, &off) : NULL;
    if (!s) {
        /* SDL's unblended fill streams (see direct_surface); its blended fill reads and
         * writes through the cache, and an opaque colour blends to exactly itself. Narrow
         * spans (a disc of ink, a key's corner) are five times faster blended, a wide
         * fill faster streamed. */
        int widest = 0;
        for (int i = 0; i < n; i++)
            widest = rects[i].w > widest ? rects[i].w : widest;
        int stream = c.a == 255 && widest > 256;
        SDL_SetRenderDrawBlendMode(r, stream ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
        SDL_RenderFillRects(r, rects, n);
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        return;
    }
    uint32_t pixel = SDL_MapRGBA(s->format, c.r, c.g, c.b, 255);
    for (int i = 0; i < n; i++) {
        SDL_Rect at = {rects[i].x + off.x, rects[i].y + off.y, rects[i].w, rects[i].h}, d;
        if (!SDL_IntersectRect(&at, &clip, &d))
            continue;
        for (int y = d.y; y < d.y + d.h; y++) {
            uint32_t *row =
                (uint32_t *)(void *)((uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch) + d.x;
            for (int x = 0; x < d.w; x++)
                row[x] = pixel;
        }
    }
}

void ui_draw_clear(SDL_Renderer *r, SDL_Color c)
{
    SDL_Rect clip;
    SDL_Point off;
    SDL_Surface *s = direct_surface(r, &clip, &off);
    if (!s) {
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
        SDL_RenderClear(r);
        return;
    }
    /* SDL_RenderClear fills the whole target, viewport and clip aside */
    uint32_t pixel = SDL_MapRGBA(s->format, c.r, c.g, c.b, 255);
    for (int y = 0; y < s->h; y++) {
        uint32_t *row = (uint32_t *)(void *)((uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < s->w; x++)
            row[x] = pixel;
    }
}

void ui_draw_fill_rect(SDL_Renderer *r, SDL_Rect rect, SDL_Color c)
{
    fill_spans(r, &rect, 1, c);
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
    fill_spans(r, spans, n, c);
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
    fill_spans(r, spans, n, c);
}

void ui_draw_fill_triangle(SDL_Renderer *r, SDL_FPoint a, SDL_FPoint b, SDL_FPoint c, SDL_Color col)
{
    SDL_Vertex v[3] = {{a, col, {0, 0}}, {b, col, {0, 0}}, {c, col, {0, 0}}};
    SDL_RenderGeometry(r, NULL, v, 3, NULL, 0);
}
