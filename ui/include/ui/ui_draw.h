/*
 * Drawing primitives the screens share: the screen cleared, filled rectangles, rounded
 * rectangles and circles (as row spans, written straight into the software renderer's
 * surface when it can), triangles (SDL_RenderGeometry). Not antialiased. No text
 * (ui_text.h) and no layout.
 */
#ifndef UI_DRAW_H
#define UI_DRAW_H

#include <SDL.h>

/* SDL_RenderClear in colour c (opaque): the whole target, viewport and clip aside. */
void ui_draw_clear(SDL_Renderer *r, SDL_Color c);
void ui_draw_fill_rect(SDL_Renderer *r, SDL_Rect rect, SDL_Color c);
/* radius is clamped to half the shorter side. */
void ui_draw_fill_round_rect(SDL_Renderer *r, SDL_Rect rect, int radius, SDL_Color c);
/* An outline `width` pixels thick inside rect. */
void ui_draw_round_frame(SDL_Renderer *r, SDL_Rect rect, int radius, int width, SDL_Color c,
                         SDL_Color inside);
void ui_draw_fill_circle(SDL_Renderer *r, int cx, int cy, int radius, SDL_Color c);
void ui_draw_fill_triangle(SDL_Renderer *r, SDL_FPoint a, SDL_FPoint b, SDL_FPoint c,
                           SDL_Color col);

#endif
