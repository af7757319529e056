/*
 * Widget drawing and the per-frame list of touch targets.
 */
#include "ui/ui_widget.h"

#include <stdio.h>
#include <string.h>

#include "core/kiosk_log.h"
#include "ui/ui_draw.h"

void ui_widgets_clear(ui_widgets *ws)
{
    ws->n = 0;
}

void ui_widgets_add(ui_widgets *ws, const char *id, SDL_Rect r)
{
    static int warned;
    if (ws->n == UI_WIDGETS_MAX) {
        if (!warned++)
            kiosk_log_error("ui", "more than %d touch targets on one screen", UI_WIDGETS_MAX);
        return;
    }
    ui_widget *w = &ws->items[ws->n++];
    snprintf(w->id, sizeof w->id, "%s", id);
    w->rect = r;
}

const char *ui_widgets_hit(const ui_widgets *ws, int x, int y)
{
    SDL_Point p = {x, y};
    for (size_t i = ws->n; i-- > 0;)
        if (SDL_PointInRect(&p, &ws->items[i].rect))
            return ws->items[i].id;
    return NULL;
}

int ui_widgets_find(const ui_widgets *ws, const char *id, SDL_Rect *out)
{
    for (size_t i = ws->n; i-- > 0;)
        if (strcmp(ws->items[i].id, id) == 0) {
            *out = ws->items[i].rect;
            return 1;
        }
    return 0;
}

SDL_Rect ui_px_rect(const ui_ctx *c, int x, int y, int w, int h)
{
    return (SDL_Rect){ui_theme_px(c->t, x), ui_theme_px(c->t, y), ui_theme_px(c->t, w),
                      ui_theme_px(c->t, h)};
}

/* The font size, at most px, at which text fits width: scaled down in one step and
 * rounded down to a multiple of 4, so a screen of labels opens few font sizes. */
static int fit_px(ui_ctx *c, const char *text, int px, int width)
{
    int w = 0;
    if (ui_text_measure(c->text, text, px, &w, NULL) != KIOSK_OK || w <= width || w <= 0)
        return px;
    int fitted = (int)((long)px * width / w);
    fitted -= fitted % 4;
    return fitted < 12 ? 12 : fitted;
}

void ui_label_fit(ui_ctx *c, const char *text, SDL_Rect box, int px, SDL_Color color,
                  ui_text_align align)
{
    int fpx = fit_px(c, text, ui_theme_font_px(c->t, px), box.w);
    ui_text_draw_wrapped(c->text, text, fpx, color, box, align, NULL);
}

int ui_label(ui_ctx *c, const char *text, SDL_Rect box, int px, SDL_Color color,
             ui_text_align align)
{
    int used = 0;
    ui_text_draw_wrapped(c->text, text, ui_theme_font_px(c->t, px), color, box, align, &used);
    return used;
}

SDL_Rect ui_button(ui_ctx *c, const char *id, SDL_Rect box, const char *label, int px,
                   ui_button_kind kind)
{
    const ui_theme *t = c->t;
    /* never smaller than 9 mm: grow around the centre */
    if (box.w < t->min_target_px) {
        box.x -= (t->min_target_px - box.w) / 2;
        box.w = t->min_target_px;
    }
    if (box.h < t->min_target_px) {
        box.y -= (t->min_target_px - box.h) / 2;
        box.h = t->min_target_px;
    }
    int radius = box.h / 5, border = ui_theme_px(t, 3) + 1;
    SDL_Color fg;
    switch (kind) {
    case UI_BUTTON_PRIMARY:
    case UI_BUTTON_SELECTED:
        ui_draw_fill_round_rect(c->r, box, radius, t->accent);
        fg = t->on_accent;
        break;
    case UI_BUTTON_KEY:
        ui_draw_round_frame(c->r, box, radius, border, t->muted, t->panel);
        fg = t->fg;
        break;
    case UI_BUTTON_DISABLED:
        ui_draw_round_frame(c->r, box, radius, border, t->muted, t->bg);
        fg = t->muted;
        break;
    default:
        ui_draw_round_frame(c->r, box, radius, border, t->accent, t->panel);
        fg = t->accent;
        break;
    }
    int full = ui_theme_font_px(t, px), room = box.w - 2 * border - ui_theme_px(t, 16);
    int fpx = fit_px(c, label, full, room), wrap = 0, th = 0;
    if (fpx * 4 < full * 3) {
        /* a long label (a reason for leaving a job) goes on two or three lines rather than
         * shrinking to small print on one, when the button is tall enough */
        ui_text_style st = {.px = full, .align = UI_TEXT_CENTER};
        for (; st.px > fpx; st.px -= 4) {
            ui_text_block b;
            if (ui_text_measure_block(c->text, label, &st, room, &b) == KIOSK_OK && b.lines <= 3 &&
                b.w <= room && b.h <= box.h - 2 * border) {
                fpx = st.px;
                wrap = room;
                th = b.h;
                break;
            }
        }
    }
    if (kind != UI_BUTTON_DISABLED && c->ws->pressed[0] && !strcmp(c->ws->pressed, id))
        ui_draw_fill_round_rect(c->r, box, radius, t->pressed); /* under the finger */
    if (!wrap) {
        ui_text_measure(c->text, label, fpx, NULL, &th);
        int room_h = box.h - 2 * border;
        if (th > room_h && th > 0) { /* a short key in large text: the label stays inside */
            fpx = fpx * room_h / th;
            fpx -= fpx % 2;
            fpx = fpx < 12 ? 12 : fpx;
            ui_text_measure(c->text, label, fpx, NULL, &th);
        }
    }
    SDL_Rect inner = {wrap ? box.x + (box.w - wrap) / 2 : box.x, box.y + (box.h - th) / 2,
                      wrap ? wrap : box.w, th};
    ui_text_draw_wrapped(c->text, label, fpx, fg, inner, UI_TEXT_CENTER, NULL);
    if (kind != UI_BUTTON_DISABLED) /* a greyed button is not a touch target */
        ui_widgets_add(c->ws, id, box);
    return box;
}

static int scroll_gap(const ui_theme *t)
{
    return ui_theme_px(t, 20);
}

int ui_scroll_strip_w(const ui_theme *t)
{
    return ui_theme_px(t, t->landscape ? 150 : 180) + scroll_gap(t);
}

void ui_scroll_buttons(ui_ctx *c, SDL_Rect area, int y, int max)
{
    int gap = scroll_gap(c->t), bw = ui_scroll_strip_w(c->t) - gap, bh = (area.h - gap) / 2;
    int x = area.x + area.w - bw;
    int px = ui_theme_size(c->t, UI_SIZE_SCROLL);
    ui_button(c, UI_ID_SCROLL_UP, (SDL_Rect){x, area.y, bw, bh}, "▲", px,
              y > 0 ? UI_BUTTON_SECONDARY : UI_BUTTON_DISABLED);
    ui_button(c, UI_ID_SCROLL_DOWN, (SDL_Rect){x, area.y + bh + gap, bw, bh}, "▼", px,
              y < max ? UI_BUTTON_SECONDARY : UI_BUTTON_DISABLED);
}

int ui_scroll_dir(const char *id)
{
    return !strcmp(id, UI_ID_SCROLL_DOWN) ? 1 : !strcmp(id, UI_ID_SCROLL_UP) ? -1 : 0;
}
