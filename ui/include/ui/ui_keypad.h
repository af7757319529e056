/*
 * The numeric keypad, one for every screen that asks for digits: the citizen's PIN, the
 * form's number pad (mobile, landline, document number) and the staff menu's PIN and
 * receipt-number keypads. Keys 1–9 then 0 in a 3 × 4 grid, as on a phone; the bottom
 * row's corners hold an optional key each (clear, delete, "-", "X"), and an optional
 * confirm button fills a fifth row. It draws and records ids (ui_widget.h); what a key
 * does is the screen's to decide. No state between frames.
 */
#ifndef UI_KEYPAD_H
#define UI_KEYPAD_H

#include "ui/ui_widget.h"

/* A key beside the digits, or the confirm button. id NULL: no key there. */
typedef struct ui_keypad_key {
    const char *id;    /* widget id (borrowed for the draw) */
    const char *label; /* borrowed for the draw */
    ui_size size;
    ui_button_kind kind;
} ui_keypad_key;

/* What a keypad looks like; each screen keeps its own proportions. */
typedef struct ui_keypad_spec {
    const char *digit_prefix; /* a digit's id is prefix + "0" … "9" (borrowed) */
    ui_size digit_size;
    ui_keypad_key left;    /* left of 0 */
    ui_keypad_key right;   /* right of 0 */
    ui_keypad_key confirm; /* a fifth row as wide as the area, under the keys */
    int gap;               /* between keys, layout pixels */
    int width_pct;         /* the keys' share of the area's width, centred in it; 0: all of
                            * it, from its left edge */
    int max_key_h;         /* a key's greatest height, layout pixels; 0: no limit */
    int max_key_h_pct;     /* a key's greatest height in % of its width; 0: no limit */
} ui_keypad_spec;

/* Draw the keypad of spec (borrowed) in area (screen pixels), top-aligned, and record
 * its keys' ids. UI thread only. */
void ui_keypad_draw(ui_ctx *c, SDL_Rect area, const ui_keypad_spec *spec);

#endif
