/*
 * Text for the screens: SDL2_ttf over an ordered font stack with per-character
 * fallback (a rare name character missing from the first font is drawn with the next
 * one that has it; one no font has is drawn as a visible box and counted, never
 * dropped). Wrapped blocks are laid out once and kept as textures in a fixed-size LRU
 * cache, so an unchanged screen costs one texture copy per block per frame and no
 * allocation. Chinese breaks between characters except before closing or after opening
 * punctuation; Latin breaks at spaces. UI thread only.
 */
#ifndef UI_TEXT_H
#define UI_TEXT_H

#include <SDL.h>
#include <stddef.h>

#include "core/kiosk_error.h"

typedef struct ui_text ui_text;

typedef enum ui_text_align {
    UI_TEXT_LEFT = 0,
    UI_TEXT_CENTER = 1,
} ui_text_align;

/* Most cached blocks; the least recently drawn is dropped beyond it. */
#define UI_TEXT_CACHE_MAX 256

/* Open the font stack (paths copied; files opened now to fail early) for drawing on
 * renderer (kept). On failure *out is NULL: KIOSK_FONT when a font cannot be opened,
 * KIOSK_NOMEM. */
kiosk_rc ui_text_create(SDL_Renderer *renderer, const char *const *paths, size_t n, ui_text **out);
void ui_text_destroy(ui_text *t);

/* Size of utf8 on one line (newlines honoured) at px pixels. */
kiosk_rc ui_text_measure(ui_text *t, const char *utf8, int px, int *w, int *h);

/* Draw utf8 wrapped to box.w, from box.y down, aligned in the box; lines past the box
 * bottom are still drawn (layout bugs should be visible). *used_h (may be NULL) gets
 * the block's height. */
kiosk_rc ui_text_draw_wrapped(ui_text *t, const char *utf8, int px, SDL_Color color, SDL_Rect box,
                              ui_text_align align, int *used_h);

/* Draw utf8 without wrapping with its top-left at (x, y); w/h (may be NULL) get its size. */
kiosk_rc ui_text_draw(ui_text *t, const char *utf8, int px, SDL_Color color, int x, int y, int *w,
                      int *h);

/* How many characters of utf8 no font in the stack can draw (newlines and other
 * control characters are not counted; invalid UTF-8 bytes count as missing). */
size_t ui_text_count_missing(ui_text *t, const char *utf8);

/* Cache statistics for tests: entries held, and blocks rendered (misses) so far. */
size_t ui_text_cache_entries(const ui_text *t);
size_t ui_text_cache_renders(const ui_text *t);

#endif
