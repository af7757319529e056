/*
 * The attract screen: what a citizen sees walking up to an idle kiosk. It says what the
 * kiosk does, shows where to put the card and the five steps ahead, and offers — as the
 * journey's header does — 求助 and the sound, language, large-text and high-contrast
 * switches. Draws only; the app decides (and speaks: the attract prompt only when the
 * sound is switched on here, never by itself).
 */
#ifndef UI_ATTRACT_H
#define UI_ATTRACT_H

#include <SDL.h>

#include "config/kiosk_config.h"
#include "config/kiosk_strings.h"
#include "ui/ui_text.h"
#include "ui/ui_theme.h"
#include "ui/ui_widget.h"

typedef enum ui_attract_hit {
    UI_ATTRACT_HIT_NONE = 0,
    UI_ATTRACT_HIT_LANGUAGE,
    UI_ATTRACT_HIT_LARGE_TEXT,
    UI_ATTRACT_HIT_CONTRAST,
    UI_ATTRACT_HIT_VOICE,
    UI_ATTRACT_HIT_HELP,
} ui_attract_hit;

/* Where the touch targets ended up in the last draw (screen pixels). */
typedef struct ui_attract_layout {
    SDL_Rect language, large_text, contrast, voice, help;
    SDL_Rect name; /* where the kiosk's name went (w 0: not drawn) */
} ui_attract_layout;

/* Draw the screen filling w×h. strings and hall_name are borrowed. voice_on: the sound
 * switch's state (session_prefs.voice). entry: what to do with the card, as the readers
 * fitted allow (kiosk_config_card_entry): the instruction, the first step's label and the
 * card's picture (contactless waves unless the card is only inserted) follow it. */
kiosk_rc ui_attract_draw(SDL_Renderer *r, ui_text *text, const ui_theme *theme,
                         const kiosk_strings *strings, const char *hall_name, int w, int h,
                         int voice_on, kiosk_card_entry entry, ui_attract_layout *layout);

/* "工作人员马上就来" over the attract screen (after 求助 there), as the journey shows it:
 * its "好的" is the widget UI_ID_HELP_OK. The caller clears the widgets first (modal). */
void ui_attract_help_dialog(ui_ctx *c);

/* Which target, if any, is at (x, y). */
ui_attract_hit ui_attract_hit_test(const ui_attract_layout *layout, int x, int y);

#endif
