/*
 * Widgets as the screens draw them: each draw call paints a widget and records its id and
 * rectangle in a ui_widgets list (fixed capacity, no allocation), so touches, scripts and
 * tests find a widget by id or by position after any frame. Buttons keep at least the
 * 9 mm touch target of the theme. No widget keeps state between frames: the screens own
 * what they show (microui-like); the list is rebuilt on every draw.
 */
#ifndef UI_WIDGET_H
#define UI_WIDGET_H

#include <SDL.h>
#include <stddef.h>

#include "config/kiosk_strings.h"
#include "ui/ui_text.h"
#include "ui/ui_theme.h"

#define UI_WIDGETS_MAX 96
#define UI_WIDGET_ID_MAX 32

typedef struct ui_widget {
    char id[UI_WIDGET_ID_MAX];
    SDL_Rect rect;
} ui_widget;

typedef struct ui_widgets {
    ui_widget items[UI_WIDGETS_MAX];
    size_t n;
    char pressed[UI_WIDGET_ID_MAX]; /* the button under a finger that is down ("" none): drawn
                                       pressed; kept across ui_widgets_clear */
} ui_widgets;

/* What a screen draws with (all borrowed for the frame). */
typedef struct ui_ctx {
    SDL_Renderer *r;
    ui_text *text;
    const ui_theme *t;
    const kiosk_strings *s;
    ui_widgets *ws;
    int w, h; /* the screen */
} ui_ctx;

void ui_widgets_clear(ui_widgets *ws);
/* Record a touch target (id copied, cut at UI_WIDGET_ID_MAX - 1). A full list drops it
 * and logs once: a screen with that many targets is a layout bug. */
void ui_widgets_add(ui_widgets *ws, const char *id, SDL_Rect r);
/* The id at (x, y), the last added winning (dialogs are drawn last); NULL for none. */
const char *ui_widgets_hit(const ui_widgets *ws, int x, int y);
/* 1 and *out = its rectangle when id is on screen, else 0. */
int ui_widgets_find(const ui_widgets *ws, const char *id, SDL_Rect *out);

typedef enum ui_button_kind {
    UI_BUTTON_PRIMARY = 0, /* filled with the accent: the way forward */
    UI_BUTTON_SECONDARY,   /* outlined */
    UI_BUTTON_SELECTED,    /* a chosen option (filled) */
    UI_BUTTON_KEY,         /* a keypad key */
    UI_BUTTON_DISABLED,    /* not yet possible (the PIN is incomplete): greyed */
} ui_button_kind;

/* Draw a button with label (borrowed) centred in box (grown to the minimum target) and
 * record it as id (a disabled button is drawn but not recorded); drawn darker while it is
 * ws->pressed. px: the label's layout
 * font size, a role's ui_theme_size. Returns the drawn rectangle. */
SDL_Rect ui_button(ui_ctx *c, const char *id, SDL_Rect box, const char *label, int px,
                   ui_button_kind kind);

/* Text wrapped in box at the layout font size px (a role's ui_theme_size); returns the
 * height used. */
int ui_label(ui_ctx *c, const char *text, SDL_Rect box, int px, SDL_Color color,
             ui_text_align align);

/* Scrolling without swiping: big ▲ ▼ buttons down the right of a scrolled area. */
#define UI_ID_SCROLL_UP "scroll_up"
#define UI_ID_SCROLL_DOWN "scroll_down"
/* The width the buttons take from the right of an area, their gap included. */
int ui_scroll_strip_w(const ui_theme *t);
/* Draw them down the right of area; each takes touches while there is more that way
 * (y of max pixels scrolled). */
void ui_scroll_buttons(ui_ctx *c, SDL_Rect area, int y, int max);
/* +1 for UI_ID_SCROLL_DOWN, -1 for UI_ID_SCROLL_UP, else 0. */
int ui_scroll_dir(const char *id);

/* One line shrunk until it fits box.w. */
void ui_label_fit(ui_ctx *c, const char *text, SDL_Rect box, int px, SDL_Color color,
                  ui_text_align align);

/* A layout rectangle (base 1080×1920 or 1280×800 coordinates) in screen pixels. */
SDL_Rect ui_px_rect(const ui_ctx *c, int x, int y, int w, int h);

#endif
