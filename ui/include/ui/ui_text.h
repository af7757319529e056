/*
 * Text for the screens: SDL2_ttf over an ordered font stack with per-character fallback.
 * Each character is drawn with the first font that has it (so a rare name character
 * missing from the main font comes from the Ext font); one that no font has is drawn as
 * a visible box, counted and logged (count and code-point class only, never the text),
 * never dropped. Blocks of text are laid out (Chinese breaks between characters except
 * before closing or after opening punctuation; Latin breaks at spaces), rasterised once
 * and kept as textures in a fixed-capacity LRU cache, so an unchanged screen costs one
 * texture copy per block per frame. No shaping beyond one glyph per character, no
 * bidirectional text, no vertical text. UI thread only.
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

/* Style flags for ui_text_style.flags (bold is synthesised from the regular face). */
#define UI_TEXT_BOLD 1u
#define UI_TEXT_UNDERLINE 2u

/* How a block is drawn. Everything in it is part of the cache key. */
typedef struct ui_text_style {
    int px;              /* font size in pixels, UI_TEXT_PX_MIN..UI_TEXT_PX_MAX */
    SDL_Color color;     /* text colour; its alpha is honoured */
    unsigned flags;      /* UI_TEXT_BOLD | UI_TEXT_UNDERLINE */
    ui_text_align align; /* of each line inside the box (or the widest line) */
    int line_pct;        /* distance between baselines in % of px; 0: the font's own */
} ui_text_style;

/* What a block came to. */
typedef struct ui_text_block {
    int w, h;       /* the block's size: widest line; first line top to last line bottom */
    int lines;      /* 0 for an empty string */
    size_t missing; /* characters no font has, drawn as boxes (invalid UTF-8 bytes count) */
} ui_text_block;

#define UI_TEXT_MAX_FONTS 4           /* fonts in a stack */
#define UI_TEXT_PX_MIN 6              /* smallest and largest font size */
#define UI_TEXT_PX_MAX 512            /*   in pixels */
#define UI_TEXT_BYTES_MAX 65536       /* longest block, in bytes of UTF-8 */
#define UI_TEXT_CACHE_MAX 256         /* default number of cached blocks */
#define UI_TEXT_CACHE_PIXELS 16777216 /* cached texture pixels kept at most (64 MiB) */

/* Load the font stack (paths borrowed: each file is read into memory during the call,
 * first font first) for drawing on renderer (kept: it must outlive t; NULL allows only
 * measuring and checking). On failure *out is NULL: KIOSK_INVALID for no font, more than
 * UI_TEXT_MAX_FONTS or a NULL path; KIOSK_FONT when a file cannot be read or is not a font
 * SDL2_ttf can open; KIOSK_NOMEM. */
kiosk_rc ui_text_create(SDL_Renderer *renderer, const char *const *paths, size_t n, ui_text **out);

/* Free t, its cached textures and fonts. Call before destroying the renderer. NULL is a
 * no-op. */
void ui_text_destroy(ui_text *t);

/* Draw utf8 (borrowed) wrapped to box.w (no wrapping when box.w <= 0) with its top at
 * box.y; each line aligned by style->align inside box.w. Lines past the box bottom are
 * still drawn (a layout bug should be visible); out (may be NULL) gets the block's size,
 * line count and missing characters. Renders and caches the block on first use, then
 * only copies the texture. KIOSK_INVALID for a NULL argument or renderer, KIOSK_RANGE
 * for px outside UI_TEXT_PX_MIN..MAX, a text longer than UI_TEXT_BYTES_MAX or a block
 * larger than the renderer's largest texture, KIOSK_FONT when a font cannot be opened at
 * px, KIOSK_NOMEM, KIOSK_IO when SDL fails to draw. */
kiosk_rc ui_text_draw_block(ui_text *t, const char *utf8, const ui_text_style *style, SDL_Rect box,
                            ui_text_block *out);

/* Lay out utf8 as ui_text_draw_block would for a box width of width (<= 0: no
 * wrapping), without drawing or caching. Same return codes; works without a renderer. */
kiosk_rc ui_text_measure_block(ui_text *t, const char *utf8, const ui_text_style *style, int width,
                               ui_text_block *out);

/* Where the lines of that layout start: starts[i] (caller's array of max entries) gets
 * the byte offset in utf8 of line i's first character (soft breaks skip the spaces they
 * break at); *nlines gets the line count even when it is larger than max. */
kiosk_rc ui_text_break_lines(ui_text *t, const char *utf8, const ui_text_style *style, int width,
                             size_t *starts, size_t max, size_t *nlines);

/* The cached texture of a block (rendering it if needed), for callers that copy parts
 * of it (scrolling). *tex is borrowed: valid until a later ui_text call evicts it or t
 * is destroyed; NULL for a block with no ink (empty or blank). out may be NULL. Same
 * return codes as ui_text_draw_block. */
kiosk_rc ui_text_get_texture(ui_text *t, const char *utf8, const ui_text_style *style, int width,
                             SDL_Texture **tex, ui_text_block *out);

/* Drop the cached block of utf8 in style at width, if there is one (its texture freed,
 * its text wiped): for a caller that draws a long text in pieces and keeps only those on
 * screen. NULL t is a no-op. */
void ui_text_drop(ui_text *t, const char *utf8, const ui_text_style *style, int width);

/* Shorthands for the plain style (regular, font line spacing). */

/* Size of utf8 on unwrapped lines (newlines honoured) at px pixels; w, h may be NULL. */
kiosk_rc ui_text_measure(ui_text *t, const char *utf8, int px, int *w, int *h);

/* Draw utf8 without wrapping with its top-left at (x, y); w, h (may be NULL) get its size. */
kiosk_rc ui_text_draw(ui_text *t, const char *utf8, int px, SDL_Color color, int x, int y, int *w,
                      int *h);

/* Draw utf8 wrapped inside box (see ui_text_draw_block); used_h (may be NULL) gets the
 * block's height. */
kiosk_rc ui_text_draw_wrapped(ui_text *t, const char *utf8, int px, SDL_Color color, SDL_Rect box,
                              ui_text_align align, int *used_h);

/* How many characters of utf8 (borrowed) no font in the stack can draw: the boxes a draw
 * would show. Newlines, spaces, other control and default-ignorable characters (ZWJ,
 * variation selectors) are not counted; each invalid UTF-8 byte counts as one. NULL: 0.
 * For tests and for the flow to warn staff about a name; logs nothing. */
size_t ui_text_count_missing(ui_text *t, const char *utf8);

/* Change the cache's capacity (1..65536 blocks) and empty it. Allocates: call at set-up,
 * not in the frame loop. KIOSK_INVALID, KIOSK_NOMEM (then the old cache is kept). */
kiosk_rc ui_text_set_cache_capacity(ui_text *t, size_t blocks);

/* Drop every cached block, wiping the copies of their text and freeing their textures:
 * called when a citizen's session ends, so their name and address leave memory. The
 * next draws rasterise again. */
void ui_text_forget(ui_text *t);

/* Drop the least recently used blocks until those kept hold at most keep_pixels: called
 * when the journey moves to another step, whose screen shares little text with the last
 * (the cache had grown to 23 MB by the commitment). The font files' pages read so far are
 * handed back too (ui_text_forget does the same). NULL is a no-op. */
#define UI_TEXT_TRIM_PIXELS 1048576 /* 4 MiB: the header and the buttons every step shares */
void ui_text_trim(ui_text *t, size_t keep_pixels);

/* A frame is drawn: the blocks it drew stay cached, and of the others only the most
 * recently drawn, up to slack_pixels, so that a screen's cache holds its own text and
 * little more (the typed states of a value, a page's list of options left behind, an
 * earlier step's questions go). Called once a frame, after the last draw. NULL is a
 * no-op. */
#define UI_TEXT_SLACK_PIXELS 262144 /* 1 MiB: room for a dialog's or a toggle's text */
void ui_text_frame_done(ui_text *t, size_t slack_pixels);

/* Cache statistics for tests and the staff status screen: blocks held, and blocks
 * rasterised (cache misses) since creation. */
size_t ui_text_cache_entries(const ui_text *t);
size_t ui_text_cache_renders(const ui_text *t);

#endif
