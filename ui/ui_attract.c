/*
 * The attract screen, laid out at base size (1080×1920 portrait or 1280×800 landscape)
 * and scaled by the theme. The card picture is drawn from shapes, not an image file, so
 * it follows the high-contrast palette. All text comes from the string table.
 */
#include "ui/ui_attract.h"

#include <stdio.h>

#include "ui/ui_draw.h"
#include "ui/ui_icon.h"
#include "ui/ui_journey.h"

typedef struct {
    SDL_Rect app_name, toggles, title, subtitle, card, arrow, instruction, steps, help, hall;
} attract_geometry; /* the texts' sizes are the theme's UI_SIZE_ATTRACT_* */

static const attract_geometry portrait = {
    .app_name = {48, 40, 520, 60},
    .toggles = {560, 28, 480, 96},
    .title = {40, 220, 1000, 140},
    .subtitle = {40, 380, 1000, 70},
    .card = {240, 520, 600, 378},
    .arrow = {470, 930, 140, 150},
    .instruction = {40, 1100, 1000, 220},
    .steps = {40, 1425, 1000, 290},
    .help = {40, 1740, 1000, 60},
    .hall = {40, 1810, 1000, 60},
};

static const attract_geometry landscape = {
    .app_name = {40, 30, 500, 50},
    .toggles = {760, 20, 480, 80},
    .title = {560, 150, 680, 100},
    .subtitle = {560, 255, 680, 50},
    .card = {90, 170, 400, 252},
    .arrow = {240, 440, 100, 90},
    .instruction = {560, 330, 680, 170},
    .steps = {40, 560, 1200, 150},
    .help = {40, 730, 580, 50}, /* one row: the help on the left, the hall on the right */
    .hall = {660, 730, 580, 50},
};

static SDL_Rect scaled(const ui_theme *t, SDL_Rect r)
{
    return (SDL_Rect){ui_theme_px(t, r.x), ui_theme_px(t, r.y), ui_theme_px(t, r.w),
                      ui_theme_px(t, r.h)};
}

static void text_in(SDL_Renderer *r, ui_text *text, const char *s, int px, SDL_Color c,
                    SDL_Rect box, ui_text_align align)
{
    (void)r;
    ui_text_draw_wrapped(text, s, px, c, box, align, NULL);
}

/* A one-line text shrunk until its widest line fits box.w, so large text never spills
 * into a neighbour (titles and labels are short; they stay readable). */
static void text_fit(SDL_Renderer *r, ui_text *text, const char *s, int px, SDL_Color c,
                     SDL_Rect box, ui_text_align align)
{
    int w = 0;
    while (px > 12 && ui_text_measure(text, s, px, &w, NULL) == KIOSK_OK && w > box.w)
        px = px * box.w / w < px ? px * box.w / w : px - 1;
    text_in(r, text, s, px, c, box, align);
}

typedef enum { TOGGLE_PLAIN, TOGGLE_SOUND, TOGGLE_FILLED } toggle_kind;

/* A toggle button: outlined, filled with the accent when on (TOGGLE_FILLED: always, the
 * way 求助 is found at a glance; TOGGLE_SOUND: the loudspeaker before the word). Keeps at
 * least 9 mm. */
/* The width of a toggle of label with pad pixels of room around its content (at least
 * 9 mm); *tw, *th the label's size, *icon the loudspeaker's. */
static int toggle_width(ui_text *text, const ui_theme *t, const char *label, toggle_kind kind,
                        int pad, int *tw, int *th, int *icon)
{
    int px = ui_theme_size_px(t, UI_SIZE_ATTRACT_TOGGLE);
    *tw = *th = 0;
    ui_text_measure(text, label, px, tw, th);
    *icon = kind == TOGGLE_SOUND ? *th * 9 / 8 : 0;
    int bw = *tw + *icon + *icon / 4 + pad;
    return bw < t->min_target_px ? t->min_target_px : bw;
}

static SDL_Rect toggle_ex(SDL_Renderer *r, ui_text *text, const ui_theme *t, const char *label,
                          int on, int right, int y, int h, toggle_kind kind, int pad)
{
    int px = ui_theme_size_px(t, UI_SIZE_ATTRACT_TOGGLE);
    int tw, th, icon;
    int bw = toggle_width(text, t, label, kind, pad, &tw, &th, &icon);
    int bh = ui_theme_target_px(t, h);
    int gap = icon / 4;
    if (kind == TOGGLE_FILLED)
        on = 1;
    SDL_Rect b = {right - bw, y, bw, bh};
    ui_draw_round_frame(r, b, bh / 4, ui_theme_px(t, 3) + 1, t->accent, on ? t->accent : t->panel);
    SDL_Color fg = on ? t->on_accent : t->accent;
    int x = b.x + (b.w - icon - gap - tw) / 2;
    if (icon)
        ui_icon_loudspeaker(r, x, b.y + bh / 2, icon, on, fg);
    SDL_Rect inner = {x + icon + gap, b.y + (bh - th) / 2, tw + 2, th};
    text_in(r, text, label, px, fg, inner, UI_TEXT_LEFT);
    return b;
}

static SDL_Rect toggle(SDL_Renderer *r, ui_text *text, const ui_theme *t, const char *label, int on,
                       int right, int y, int h, int pad)
{
    return toggle_ex(r, text, t, label, on, right, y, h, TOGGLE_PLAIN, pad);
}

static void draw_card(SDL_Renderer *r, ui_text *text, const ui_theme *t, SDL_Rect card,
                      const char *label, int waves)
{
    int radius = card.w / 18;
    /* a soft shadow, then the card */
    SDL_Rect shadow = {card.x + card.w / 40, card.y + card.w / 40, card.w, card.h};
    ui_draw_fill_round_rect(r, shadow, radius, t->card_shadow);
    ui_draw_fill_round_rect(r, card, radius, t->card);
    /* contactless waves on the right: rings, their left halves covered by the card */
    int cx = card.x + card.w * 13 / 20, cy = card.y + card.h * 3 / 5;
    for (int i = 3; waves && i >= 1; i--) {
        ui_draw_fill_circle(r, cx, cy, card.h * i / 10, t->on_card);
        ui_draw_fill_circle(r, cx, cy, card.h * i / 10 - card.h / 40, t->card);
    }
    SDL_Rect cover = {cx - card.h * 3 / 10 - 2, cy - card.h * 3 / 10 - 2, card.h * 3 / 10 + 2,
                      card.h * 3 / 5 + 4};
    if (waves)
        ui_draw_fill_rect(r, cover, t->card);
    SDL_Rect chip = {card.x + card.w / 9, card.y + card.h / 2, card.w / 7, card.h / 5};
    ui_draw_fill_round_rect(r, chip, chip.h / 5, t->chip);
    SDL_Rect label_box = {card.x + card.w / 9, card.y + card.h / 8, card.w / 2, card.h / 4};
    text_fit(r, text, label, card.h / 7, t->on_card, label_box, UI_TEXT_LEFT);
}

static void draw_arrow(SDL_Renderer *r, const ui_theme *t, SDL_Rect a)
{
    SDL_Rect shaft = {a.x + a.w * 3 / 8, a.y, a.w / 4, a.h / 2};
    ui_draw_fill_rect(r, shaft, t->accent);
    ui_draw_fill_triangle(r, (SDL_FPoint){(float)a.x, (float)(a.y + a.h / 2)},
                          (SDL_FPoint){(float)(a.x + a.w), (float)(a.y + a.h / 2)},
                          (SDL_FPoint){(float)(a.x + a.w / 2), (float)(a.y + a.h)}, t->accent);
}

static void draw_steps(SDL_Renderer *r, ui_text *text, const ui_theme *t, const kiosk_strings *s,
                       SDL_Rect box, int label_px, kiosk_card_entry entry)
{
    ui_draw_fill_round_rect(r, box, box.h / 8, t->panel);
    int n = 5, col = box.w / n, radius = box.h / 5;
    for (int i = 0; i < n; i++) {
        char key[32], num[4];
        int cx = box.x + col * i + col / 2, cy = box.y + box.h / 3;
        ui_draw_fill_circle(r, cx, cy, radius, t->accent);
        snprintf(num, sizeof num, "%d", i + 1);
        SDL_Rect nb = {cx - radius, cy - radius * 3 / 4, 2 * radius, radius * 3 / 2};
        text_in(r, text, num, radius, t->on_accent, nb, UI_TEXT_CENTER);
        snprintf(key, sizeof key, "attract.step%d%s", i + 1,
                 i > 0                        ? ""
                 : entry == KIOSK_CARD_INSERT ? "_insert"
                 : entry == KIOSK_CARD_EITHER ? "_either"
                                              : "");
        SDL_Rect lb = {box.x + col * i, cy + radius + box.h / 12, col, box.h / 3};
        SDL_Rect fit = {lb.x + col / 20, lb.y, col - col / 10, lb.h};
        text_fit(r, text, kiosk_strings_get(s, key), label_px, t->fg, fit, UI_TEXT_CENTER);
    }
}

/* Wrapped text shrunk until the whole block fits box (the instruction in English or large
 * text on the small landscape screen). */
static void text_fit_block(SDL_Renderer *r, ui_text *text, const char *s, int px, SDL_Color c,
                           SDL_Rect box, ui_text_align align)
{
    ui_text_style st = {.px = px, .align = align};
    ui_text_block b;
    while (st.px > 12 && ui_text_measure_block(text, s, &st, box.w, &b) == KIOSK_OK && b.h > box.h)
        st.px -= 2;
    text_in(r, text, s, st.px, c, box, align);
}

kiosk_rc ui_attract_draw(SDL_Renderer *r, ui_text *text, const ui_theme *t, const kiosk_strings *s,
                         const char *hall_name, int w, int h, int voice_on, kiosk_card_entry entry,
                         ui_attract_layout *layout)
{
    const attract_geometry *g = t->landscape ? &landscape : &portrait;
    (void)w;
    (void)h;
    ui_draw_clear(r, t->bg);

    /* 求助 and the switches, right to left, in the journey header's order */
    SDL_Rect tg = scaled(t, g->toggles);
    int gap = ui_theme_px(t, 16), right = tg.x + tg.w;
    /* the five in one row within the screen's margin: the room around each label shrinks
     * first (English in large text needs it) */
    const char *labels[5] = {
        kiosk_strings_get(s, "screen.help"), kiosk_strings_get(s, "app.high_contrast"),
        kiosk_strings_get(s, "app.large_text"), kiosk_strings_get(s, "app.language_switch"),
        kiosk_strings_get(s, "screen.voice")};
    int pad = ui_theme_px(t, 48), room = right - ui_theme_px(t, 20);
    for (;;) {
        int total = 4 * gap, tw, th, icon;
        for (int i = 0; i < 5; i++)
            total += toggle_width(text, t, labels[i], i == 4 ? TOGGLE_SOUND : TOGGLE_PLAIN, pad,
                                  &tw, &th, &icon);
        if (total <= room || pad <= ui_theme_px(t, 16))
            break;
        pad -= ui_theme_px(t, 4);
        if (gap > ui_theme_px(t, 8))
            gap -= ui_theme_px(t, 2);
    }
    layout->help =
        toggle_ex(r, text, t, labels[0], 1, right, tg.y, g->toggles.h, TOGGLE_FILLED, pad);
    right = layout->help.x - gap;
    layout->contrast =
        toggle(r, text, t, labels[1], t->high_contrast, right, tg.y, g->toggles.h, pad);
    right = layout->contrast.x - gap;
    layout->large_text =
        toggle(r, text, t, labels[2], t->large_text, right, tg.y, g->toggles.h, pad);
    right = layout->large_text.x - gap;
    layout->language = toggle(r, text, t, labels[3], 0, right, tg.y, g->toggles.h, pad);
    right = layout->language.x - gap;
    layout->voice =
        toggle_ex(r, text, t, labels[4], voice_on, right, tg.y, g->toggles.h, TOGGLE_SOUND, pad);
    /* the kiosk's name beside the switches where it stays readable (at least two thirds of
     * its size); else, on the portrait kiosk, under them; on the small landscape screen it
     * gives way (the title below says what the kiosk does) */
    SDL_Rect name = scaled(t, g->app_name);
    name.w = layout->voice.x - gap - name.x;
    int name_px = ui_theme_size_px(t, UI_SIZE_ATTRACT_SMALL), name_w = 0;
    const char *app_name = kiosk_strings_get(s, "app.name");
    layout->name = (SDL_Rect){0, 0, 0, 0};
    if (ui_text_measure(text, app_name, name_px, &name_w, NULL) == KIOSK_OK) {
        if (name_w * 2 / 3 > name.w && !t->landscape) {
            int bottom = layout->help.y + layout->help.h;
            name = (SDL_Rect){name.x, bottom + gap, name_w, name.h};
        }
        if (name_w * 2 / 3 <= name.w) {
            text_fit(r, text, app_name, name_px, t->muted, name, UI_TEXT_LEFT);
            layout->name = name;
        }
    }

    text_fit(r, text, kiosk_strings_get(s, "attract.title"),
             ui_theme_size_px(t, UI_SIZE_ATTRACT_TITLE), t->accent, scaled(t, g->title),
             t->landscape ? UI_TEXT_LEFT : UI_TEXT_CENTER);
    text_fit(r, text, kiosk_strings_get(s, "attract.subtitle"),
             ui_theme_size_px(t, UI_SIZE_ATTRACT_SUBTITLE), t->muted, scaled(t, g->subtitle),
             t->landscape ? UI_TEXT_LEFT : UI_TEXT_CENTER);
    draw_card(r, text, t, scaled(t, g->card), kiosk_strings_get(s, "attract.card_label"),
              entry != KIOSK_CARD_INSERT);
    draw_arrow(r, t, scaled(t, g->arrow));
    const char *instruction = entry == KIOSK_CARD_INSERT   ? "attract.instruction_insert"
                              : entry == KIOSK_CARD_EITHER ? "attract.instruction_either"
                                                           : "attract.instruction";
    text_fit_block(r, text, kiosk_strings_get(s, instruction),
                   ui_theme_size_px(t, UI_SIZE_ATTRACT_INSTRUCTION), t->fg,
                   scaled(t, g->instruction), t->landscape ? UI_TEXT_LEFT : UI_TEXT_CENTER);
    draw_steps(r, text, t, s, scaled(t, g->steps), ui_theme_size_px(t, UI_SIZE_ATTRACT_STEP),
               entry);
    text_fit(r, text, kiosk_strings_get(s, "attract.help"),
             ui_theme_size_px(t, UI_SIZE_ATTRACT_SMALL), t->muted, scaled(t, g->help),
             t->landscape ? UI_TEXT_LEFT : UI_TEXT_CENTER);
    text_fit(r, text, hall_name, ui_theme_size_px(t, UI_SIZE_ATTRACT_SMALL), t->muted,
             scaled(t, g->hall), t->landscape ? UI_TEXT_LEFT : UI_TEXT_CENTER);
    return KIOSK_OK;
}

static int inside(SDL_Rect r, int x, int y)
{
    SDL_Point p = {x, y};
    return SDL_PointInRect(&p, &r);
}

void ui_attract_help_dialog(ui_ctx *c)
{
    const ui_theme *t = c->t;
    ui_draw_fill_rect(c->r, (SDL_Rect){0, 0, c->w, c->h}, t->veil);
    SDL_Rect d = t->landscape ? ui_px_rect(c, 190, 90, 900, 620) : ui_px_rect(c, 90, 560, 900, 800);
    ui_draw_fill_round_rect(c->r, d, ui_theme_px(t, 32), t->panel);
    int pad = ui_theme_px(t, 48);
    int y = d.y + pad;
    y += ui_label(c, kiosk_strings_get(c->s, "screen.help_title"),
                  (SDL_Rect){d.x + pad, y, d.w - 2 * pad, 0}, ui_theme_size(t, UI_SIZE_DIALOG),
                  t->fg, UI_TEXT_CENTER);
    y += ui_theme_px(t, 24);
    ui_label(c, kiosk_strings_get(c->s, "screen.help_detail"),
             (SDL_Rect){d.x + pad, y, d.w - 2 * pad, 0}, ui_theme_size(t, UI_SIZE_LEAD), t->muted,
             UI_TEXT_CENTER);
    int bh = d.h / 5;
    SDL_Rect ok = {d.x + pad, d.y + d.h - pad - bh, d.w - 2 * pad, bh};
    ui_button(c, UI_ID_HELP_OK, ok, kiosk_strings_get(c->s, "screen.help_ok"),
              ui_theme_size(t, UI_SIZE_BUTTON_MAIN), UI_BUTTON_PRIMARY);
}

ui_attract_hit ui_attract_hit_test(const ui_attract_layout *layout, int x, int y)
{
    if (inside(layout->help, x, y))
        return UI_ATTRACT_HIT_HELP;
    if (inside(layout->voice, x, y))
        return UI_ATTRACT_HIT_VOICE;
    if (inside(layout->language, x, y))
        return UI_ATTRACT_HIT_LANGUAGE;
    if (inside(layout->large_text, x, y))
        return UI_ATTRACT_HIT_LARGE_TEXT;
    if (inside(layout->contrast, x, y))
        return UI_ATTRACT_HIT_CONTRAST;
    return UI_ATTRACT_HIT_NONE;
}
