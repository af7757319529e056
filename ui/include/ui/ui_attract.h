/*
 * The attract screen: what a citizen sees walking up to an idle kiosk. It says what the
 * kiosk does, shows where to put the card and the five steps ahead, and offers the
 * language, large-text and high-contrast toggles. Draws only; the app decides.
 */
#ifndef UI_ATTRACT_H
#define UI_ATTRACT_H

#include <SDL.h>

#include "config/kiosk_strings.h"
#include "ui/ui_text.h"
#include "ui/ui_theme.h"

typedef enum ui_attract_hit {
    UI_ATTRACT_HIT_NONE = 0,
    UI_ATTRACT_HIT_LANGUAGE,
    UI_ATTRACT_HIT_LARGE_TEXT,
    UI_ATTRACT_HIT_CONTRAST,
} ui_attract_hit;

/* Where the touch targets ended up in the last draw (screen pixels). */
typedef struct ui_attract_layout {
    SDL_Rect language, large_text, contrast;
} ui_attract_layout;

/* Draw the screen filling w×h. strings and hall_name are borrowed. */
kiosk_rc ui_attract_draw(SDL_Renderer *r, ui_text *text, const ui_theme *theme,
                         const kiosk_strings *strings, const char *hall_name, int w, int h,
                         ui_attract_layout *layout);

/* Which target, if any, is at (x, y). */
ui_attract_hit ui_attract_hit_test(const ui_attract_layout *layout, int x, int y);

#endif
