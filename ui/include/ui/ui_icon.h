/*
 * Icons the kiosk draws itself with SDL2 geometry — success (a tick in a disc), notice
 * (an exclamation mark in a triangle), error (a cross in a disc), the card (on the reader,
 * to take back) — and the waiting indicator (an arc turning round a faint ring). Colours
 * come from the theme, so high contrast has its own. No image files, no text, no layout:
 * the screens say where an icon goes.
 */
#ifndef UI_ICON_H
#define UI_ICON_H

#include <SDL.h>
#include <stdint.h>

#include "ui/ui_theme.h"

typedef enum ui_icon_kind {
    UI_ICON_SUCCESS = 0,  /* done, saved: theme success */
    UI_ICON_NOTICE,       /* not what was hoped, not an error: theme notice */
    UI_ICON_ERROR,        /* something went wrong: theme error */
    UI_ICON_CARD,         /* the social security card, theme card colours */
    UI_ICON_CARD_ON_FILL, /* the card on a filled (accent) ground: drawn in on_accent */
    UI_ICON_COUNT
} ui_icon_kind;

/* Draw kind centred in box (the largest square that fits; the card keeps its 86:54
 * shape). r and t borrowed. */
void ui_icon_draw(SDL_Renderer *r, const ui_theme *t, ui_icon_kind kind, SDL_Rect box);

/* The waiting indicator centred in box: a ring with an arc that turns once every
 * UI_ICON_SPIN_MS. phase_ms is the time to draw it at (a screenshot passes a fixed one,
 * so it stays the same picture). */
#define UI_ICON_SPIN_MS 1200
void ui_icon_spinner(SDL_Renderer *r, const ui_theme *t, SDL_Rect box, int64_t phase_ms);

/* A loudspeaker (the fonts have no 🔊) icon px wide at (x, centre cy) in fg: two waves
 * while the sound is on, a cross while it is off — the sound switch's drawing, in the
 * journey header and on the attract screen. */
void ui_icon_loudspeaker(SDL_Renderer *r, int x, int cy, int icon, int on, SDL_Color fg);

#endif
