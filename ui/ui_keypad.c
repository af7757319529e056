/*
 * The numeric keypad: the key grid from the spec's proportions, the digits in phone
 * order, then the corner keys and the confirm row. Drawn in the order the three keypads
 * it replaces drew theirs, so the screens look and hit-test as before.
 */
#include "ui/ui_keypad.h"

#include <stdio.h>

static void side_key(ui_ctx *c, const ui_keypad_key *k, SDL_Rect r)
{
    if (k->id)
        ui_button(c, k->id, r, k->label, ui_theme_size(c->t, k->size), k->kind);
}

void ui_keypad_draw(ui_ctx *c, SDL_Rect area, const ui_keypad_spec *spec)
{
    const ui_theme *t = c->t;
    int rows = spec->confirm.id ? 5 : 4, pct = spec->width_pct ? spec->width_pct : 100;
    int gap = ui_theme_px(t, spec->gap);
    int kw = (area.w * pct / 100 - 2 * gap) / 3, kh = (area.h - (rows - 1) * gap) / rows;
    if (spec->max_key_h && kh > ui_theme_px(t, spec->max_key_h))
        kh = ui_theme_px(t, spec->max_key_h);
    if (spec->max_key_h_pct && kh > kw * spec->max_key_h_pct / 100)
        kh = kw * spec->max_key_h_pct / 100;
    int x0 = pct < 100 ? area.x + (area.w - 3 * kw - 2 * gap) / 2 : area.x;
    for (int i = 0; i < 12; i++) {
        SDL_Rect r = {x0 + (i % 3) * (kw + gap), area.y + (i / 3) * (kh + gap), kw, kh};
        if (i == 9) {
            side_key(c, &spec->left, r);
        } else if (i == 11) {
            side_key(c, &spec->right, r);
        } else {
            char digit[2] = {i == 10 ? '0' : (char)('1' + i), '\0'}, id[UI_WIDGET_ID_MAX];
            snprintf(id, sizeof id, "%s%s", spec->digit_prefix, digit);
            ui_button(c, id, r, digit, ui_theme_size(t, spec->digit_size), UI_BUTTON_KEY);
        }
    }
    side_key(c, &spec->confirm, (SDL_Rect){area.x, area.y + 4 * (kh + gap), area.w, kh});
}
