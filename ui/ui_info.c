/*
 * 政策和服务机构: the policies' list, one policy, the agencies of a level. Texts are the
 * hall's (assets/info/<lang>.ini, through session_view.info) set in the largest size of
 * their role that fits the room; nothing scrolls: a list goes on with ▲ ▼ whose ids carry
 * the item the list then starts from, so a tap needs no state kept here.
 */
#include "ui/ui_info.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_draw.h"

static const char *S(const ui_ctx *c, const char *key)
{
    return kiosk_strings_get(c->s, key);
}

static const char *const level_keys[KIOSK_INFO_LEVEL_COUNT] = {
    "info.level_city", "info.level_district", "info.level_street", "info.level_community"};

/* text wrapped in box at the largest size up to role's that fits its height; the height
 * used. */
static int fit_block(ui_ctx *c, const char *text, SDL_Rect box, ui_size role, SDL_Color col)
{
    const ui_theme *t = c->t;
    int px = ui_theme_size(t, role);
    ui_text_style st = {.px = ui_theme_font_px(t, px), .align = UI_TEXT_LEFT};
    ui_text_block b = {0};
    while (px > 8 && ui_text_measure_block(c->text, text, &st, box.w, &b) == KIOSK_OK &&
           b.h > box.h) {
        px = px * 9 / 10;
        st.px = ui_theme_font_px(t, px);
    }
    return ui_label(c, text, box, px, col, UI_TEXT_LEFT);
}

/* The two tabs across the top of the body; returns the height they take. */
static int tabs(ui_ctx *c, const ui_journey_frame *f, const flow_view *v)
{
    const ui_theme *t = c->t;
    SDL_Rect body = f->body;
    int gap = ui_theme_px(t, 16), h = ui_theme_text_target_px(t, 96);
    /* the portable unit: a third of the row is 打印's (print_row) */
    int w = f->landscape ? (body.w - 2 * gap) / 3 : (body.w - gap) / 2;
    int px = ui_theme_size(t, UI_SIZE_BUTTON);
    int agencies = v->info_page == FLOW_INFO_AGENCIES;
    ui_button(c, UI_ID_INFO_POLICIES, (SDL_Rect){body.x, body.y, w, h}, S(c, "info.tab_policies"),
              px, agencies ? UI_BUTTON_SECONDARY : UI_BUTTON_SELECTED);
    ui_button(c, UI_ID_INFO_AGENCIES, (SDL_Rect){body.x + w + gap, body.y, w, h},
              S(c, "info.tab_agencies"), px, agencies ? UI_BUTTON_SELECTED : UI_BUTTON_SECONDARY);
    return h + ui_theme_px(t, f->landscape ? 16 : 28);
}

/* ▲ ▼ on one row at the bottom of box: each carries the first item it shows. */
static void pager(ui_ctx *c, SDL_Rect row, int prev, int next, const char *up, const char *down)
{
    const ui_theme *t = c->t;
    int gap = ui_theme_px(t, 16), w = (row.w - gap) / 2, px = ui_theme_size(t, UI_SIZE_BUTTON);
    char id[UI_WIDGET_ID_MAX];
    snprintf(id, sizeof id, UI_ID_INFO_FIRST "%d", prev < 0 ? 0 : prev);
    ui_button(c, id, (SDL_Rect){row.x, row.y, w, row.h}, up, px,
              prev >= 0 ? UI_BUTTON_SECONDARY : UI_BUTTON_DISABLED);
    snprintf(id, sizeof id, UI_ID_INFO_FIRST "%d", next < 0 ? 0 : next);
    ui_button(c, id, (SDL_Rect){row.x + w + gap, row.y, w, row.h}, down, px,
              next >= 0 ? UI_BUTTON_SECONDARY : UI_BUTTON_DISABLED);
}

/* How many policy rows fit in h (rows of row_h and gaps). */
static int rows_in(int h, int row_h, int gap)
{
    int n = (h + gap) / (row_h + gap);
    return n < 1 ? 1 : n;
}

static void policies_page(ui_ctx *c, const ui_journey_frame *f, const flow_view *v,
                          const kiosk_info *info, SDL_Rect room)
{
    const ui_theme *t = c->t;
    int n = (int)kiosk_info_policy_count(info);
    /* the kiosk: one title a row, with a hint above; the portable unit: two columns */
    int cols = f->landscape ? 2 : 1, gap = ui_theme_px(t, f->landscape ? 12 : 20);
    int row_h = ui_theme_text_target_px(t, f->landscape ? 84 : 120);
    if (!f->landscape) {
        int hint_h = ui_theme_size_px(t, UI_SIZE_HINT) * 2;
        ui_label(c, S(c, "info.policies_hint"), (SDL_Rect){room.x, room.y, room.w, hint_h},
                 ui_theme_size(t, UI_SIZE_HINT), t->muted, UI_TEXT_LEFT);
        room.y += hint_h;
        room.h -= hint_h;
    }
    int per = rows_in(room.h, row_h, gap) * cols;
    if (n > per) /* the last row holds ▲ ▼ */
        per = rows_in(room.h - row_h - gap, row_h, gap) * cols;
    int first = v->info_first < n ? v->info_first : n - 1;
    if (first < 0)
        first = 0;
    first -= first % per; /* whole pages: the same titles together every time */
    int w = (room.w - (cols - 1) * gap) / cols;
    for (int i = first; i < n && i < first + per; i++) {
        const kiosk_info_policy *p = kiosk_info_policy_at(info, (size_t)i);
        char id[UI_WIDGET_ID_MAX];
        snprintf(id, sizeof id, UI_ID_INFO_POLICY "%d", i);
        int k = i - first;
        SDL_Rect box = {room.x + (k % cols) * (w + gap), room.y + (k / cols) * (row_h + gap), w,
                        row_h};
        box = ui_button(c, id, box, "", ui_theme_size(t, UI_SIZE_BUTTON), UI_BUTTON_SECONDARY);
        int pad = ui_theme_px(t, 24), px = ui_theme_size(t, UI_SIZE_BUTTON_MAIN), th = 0;
        ui_text_measure(c->text, p->title, ui_theme_font_px(t, px), NULL, &th);
        if (th > box.h)
            th = box.h;
        ui_label_fit(c, p->title,
                     (SDL_Rect){box.x + pad, box.y + (box.h - th) / 2, box.w - 2 * pad, th}, px,
                     t->fg, UI_TEXT_LEFT);
    }
    if (n > per)
        pager(c, (SDL_Rect){room.x, room.y + room.h - row_h, room.w, row_h},
              first > 0 ? first - per : -1, first + per < n ? first + per : -1, S(c, "info.up"),
              S(c, "info.down"));
}

/* The print button and the last slip's outcome: on the kiosk a row at the bottom of room,
 * on the portable unit the last third of the tabs' row with the outcome on a line at the
 * bottom. Returns the room left. */
static SDL_Rect print_row(ui_ctx *c, const ui_journey_frame *f, const flow_view *v, SDL_Rect room)
{
    const ui_theme *t = c->t;
    int h = ui_theme_text_target_px(t, f->landscape ? 96 : 104), gap = ui_theme_px(t, 16);
    const char *note = v->slip_printing ? S(c, "info.printing")
                       : v->info_note   ? S(c, v->info_note)
                                        : NULL;
    SDL_Color col = v->info_note && !strcmp(v->info_note, "info.print_failed") ? t->error : t->fg;
    ui_button_kind kind = v->slip_printing ? UI_BUTTON_DISABLED : UI_BUTTON_PRIMARY;
    if (f->landscape) {
        int w = (f->body.w - 2 * gap) / 3;
        ui_button(c, UI_ID_INFO_PRINT, (SDL_Rect){f->body.x + 2 * (w + gap), f->body.y, w, h},
                  S(c, "info.print"), ui_theme_size(t, UI_SIZE_BUTTON), kind);
        if (!note)
            return room;
        int lh = ui_theme_size_px(t, UI_SIZE_LEAD) * 3 / 2;
        ui_label_fit(c, note, (SDL_Rect){room.x, room.y + room.h - lh, room.w, lh},
                     ui_theme_size(t, UI_SIZE_LEAD), col, UI_TEXT_LEFT);
        return (SDL_Rect){room.x, room.y, room.w, room.h - lh};
    }
    int bw = room.w * 36 / 100;
    SDL_Rect row = {room.x, room.y + room.h - h, room.w, h};
    ui_button(c, UI_ID_INFO_PRINT, (SDL_Rect){row.x, row.y, bw, h}, S(c, "info.print"),
              ui_theme_size(t, UI_SIZE_BUTTON), kind);
    if (note)
        fit_block(c, note, (SDL_Rect){row.x + bw + gap, row.y, row.w - bw - gap, h}, UI_SIZE_LEAD,
                  col);
    return (SDL_Rect){room.x, room.y, room.w, room.h - h - gap};
}

/* label, then text at the largest size up to role's at which it fits box; the y below. */
static int labelled(ui_ctx *c, const char *label, const char *text, SDL_Rect box, ui_size role)
{
    const ui_theme *t = c->t;
    int y = box.y + ui_label(c, label, (SDL_Rect){box.x, box.y, box.w, 0},
                             ui_theme_size(t, UI_SIZE_HINT), t->muted, UI_TEXT_LEFT);
    return y + fit_block(c, text, (SDL_Rect){box.x, y, box.w, box.y + box.h - y}, role, t->fg);
}

static void policy_page(ui_ctx *c, const ui_journey_frame *f, const flow_view *v,
                        const kiosk_info *info, SDL_Rect room)
{
    const ui_theme *t = c->t;
    const kiosk_info_policy *p = kiosk_info_policy_at(info, (size_t)v->info_index);
    if (!p)
        return;
    room = print_row(c, f, v, room);
    int gap = ui_theme_px(t, f->landscape ? 10 : 24);
    int y = room.y;
    if (f->landscape) { /* the title on a line, who and how side by side under it */
        int th = ui_theme_size_px(t, UI_SIZE_HEADLINE) * 13 / 10, cw = (room.w - 2 * gap) / 2;
        ui_label_fit(c, p->title, (SDL_Rect){room.x, y, room.w, th},
                     ui_theme_size(t, UI_SIZE_HEADLINE), t->accent, UI_TEXT_LEFT);
        y += th + gap;
        SDL_Rect left = {room.x, y, cw, room.y + room.h - y};
        labelled(c, S(c, "info.who"), p->who, left, UI_SIZE_EXPLAIN);
        left.x += cw + 2 * gap;
        labelled(c, S(c, "info.how"), p->how, left, UI_SIZE_EXPLAIN);
        return;
    }
    y +=
        fit_block(c, p->title, (SDL_Rect){room.x, y, room.w, ui_theme_size_px(t, UI_SIZE_LEAD) * 3},
                  UI_SIZE_HEADLINE, t->accent) +
        gap;
    /* who and how one under the other, in the largest size at which both fit */
    int label_h = ui_theme_size_px(t, UI_SIZE_HINT) * 3 / 2, room_h = room.y + room.h - y;
    int px = ui_theme_size(t, UI_SIZE_EXPLAIN);
    for (; px > 8; px = px * 9 / 10) {
        ui_text_style st = {.px = ui_theme_font_px(t, px), .align = UI_TEXT_LEFT};
        ui_text_block a = {0}, b = {0};
        if (ui_text_measure_block(c->text, p->who, &st, room.w, &a) != KIOSK_OK ||
            ui_text_measure_block(c->text, p->how, &st, room.w, &b) != KIOSK_OK ||
            a.h + b.h + 2 * label_h + gap <= room_h)
            break;
    }
    int hint = ui_theme_size(t, UI_SIZE_HINT);
    y += ui_label(c, S(c, "info.who"), (SDL_Rect){room.x, y, room.w, 0}, hint, t->muted,
                  UI_TEXT_LEFT);
    y += ui_label(c, p->who, (SDL_Rect){room.x, y, room.w, 0}, px, t->fg, UI_TEXT_LEFT) + gap;
    y += ui_label(c, S(c, "info.how"), (SDL_Rect){room.x, y, room.w, 0}, hint, t->muted,
                  UI_TEXT_LEFT);
    ui_label(c, p->how, (SDL_Rect){room.x, y, room.w, 0}, px, t->fg, UI_TEXT_LEFT);
}

static void agencies_page(ui_ctx *c, const ui_journey_frame *f, const flow_view *v,
                          const ui_journey_env *env, const kiosk_info *info, SDL_Rect room)
{
    const ui_theme *t = c->t;
    int level = v->info_index < KIOSK_INFO_LEVEL_COUNT ? v->info_index : 0;
    /* the four levels: one row on the portable unit, two by two on the kiosk */
    int gap = ui_theme_px(t, 12), h = ui_theme_text_target_px(t, 88);
    int cols = f->landscape ? 4 : 2, rows = KIOSK_INFO_LEVEL_COUNT / cols;
    int w = (room.w - (cols - 1) * gap) / cols;
    for (int l = 0; l < KIOSK_INFO_LEVEL_COUNT; l++) {
        char id[UI_WIDGET_ID_MAX];
        snprintf(id, sizeof id, UI_ID_INFO_LEVEL "%d", l);
        ui_button(
            c, id,
            (SDL_Rect){room.x + (l % cols) * (w + gap), room.y + (l / cols) * (h + gap), w, h},
            S(c, level_keys[l]), ui_theme_size(t, UI_SIZE_BUTTON_SMALL),
            l == level ? UI_BUTTON_SELECTED : UI_BUTTON_SECONDARY);
    }
    int top = rows * (h + gap) + ui_theme_px(t, f->landscape ? 8 : 20);
    room.y += top;
    room.h -= top;
    int n = (int)kiosk_info_agency_count_of(info, (kiosk_info_level)level);
    int first = v->info_first < n ? v->info_first : n - 1;
    const kiosk_info_agency *a =
        n > 0 ? kiosk_info_agency_of(info, (kiosk_info_level)level, (size_t)first) : NULL;
    if (!a) {
        char text[300];
        const char *name = "phone", *value = env->agency_phone ? env->agency_phone : "12333";
        kiosk_strings_fill(S(c, "info.level_none"), &name, &value, 1, text, sizeof text);
        fit_block(c, text, room, UI_SIZE_EXPLAIN, t->fg);
        return;
    }
    room = print_row(c, f, v, room);
    if (n > 1) { /* several at this level: ▲ ▼ between them, and which one this is */
        int ph = ui_theme_text_target_px(t, 88);
        char of[64], ns[16], ms[16];
        snprintf(ns, sizeof ns, "%d", first + 1);
        snprintf(ms, sizeof ms, "%d", n);
        const char *const nn[] = {"n", "m"}, *const nv[] = {ns, ms};
        kiosk_strings_fill(S(c, "info.agency_of"), nn, nv, 2, of, sizeof of);
        int lh = ui_theme_size_px(t, UI_SIZE_HINT) * 3 / 2;
        SDL_Rect row = {room.x, room.y + room.h - ph, room.w, ph};
        pager(c, row, first > 0 ? first - 1 : -1, first + 1 < n ? first + 1 : -1,
              S(c, "info.prev_agency"), S(c, "info.next_agency"));
        ui_label(c, of, (SDL_Rect){room.x, row.y - lh, room.w, lh}, ui_theme_size(t, UI_SIZE_HINT),
                 t->muted, UI_TEXT_LEFT);
        room.h -= ph + lh + gap;
    }
    int y = room.y, sgap = ui_theme_px(t, f->landscape ? 6 : 18);
    if (f->landscape) { /* the name on a line; phone and hours, address beside them */
        int th = ui_theme_size_px(t, UI_SIZE_LEAD) * 3 / 2, cw = (room.w - 2 * sgap) / 2;
        ui_label_fit(c, a->name, (SDL_Rect){room.x, y, room.w, th}, ui_theme_size(t, UI_SIZE_LEAD),
                     t->accent, UI_TEXT_LEFT);
        y += th + sgap;
        /* the phone alone on the left, as large as it goes: what a citizen writes down */
        labelled(c, S(c, "info.phone"), a->phone, (SDL_Rect){room.x, y, cw, room.y + room.h - y},
                 UI_SIZE_HEADLINE);
        int rx = room.x + cw + 2 * sgap, hh = (room.y + room.h - y) / 2;
        labelled(c, S(c, "info.address"), a->address, (SDL_Rect){rx, y, cw, hh}, UI_SIZE_EXPLAIN);
        labelled(c, S(c, "info.hours"), a->hours, (SDL_Rect){rx, y + hh, cw, hh}, UI_SIZE_EXPLAIN);
        return;
    }
    /* the name, then phone (the largest: what a citizen writes down), address, hours */
    y += fit_block(c, a->name, (SDL_Rect){room.x, y, room.w, ui_theme_size_px(t, UI_SIZE_LEAD) * 3},
                   UI_SIZE_LEAD, t->accent) +
         sgap;
    int part = (room.y + room.h - y) / 3;
    y = labelled(c, S(c, "info.phone"), a->phone, (SDL_Rect){room.x, y, room.w, part},
                 UI_SIZE_HEADLINE) +
        sgap;
    int left = room.y + room.h - y;
    y = labelled(c, S(c, "info.address"), a->address, (SDL_Rect){room.x, y, room.w, left / 2},
                 UI_SIZE_EXPLAIN) +
        sgap;
    labelled(c, S(c, "info.hours"), a->hours, (SDL_Rect){room.x, y, room.w, room.y + room.h - y},
             UI_SIZE_EXPLAIN);
}

void ui_info_draw(ui_ctx *c, const ui_journey_frame *f, const flow_view *v,
                  const ui_journey_env *env)
{
    const kiosk_info *info = env->session ? env->session->info : NULL;
    ui_journey_header(c, f, v, 1);
    ui_journey_title(c, f, S(c, "info.title"));
    SDL_Rect room = f->body;
    if (!info || (kiosk_info_policy_count(info) == 0 && kiosk_info_agency_count(info) == 0)) {
        char text[300];
        const char *name = "phone", *value = env->agency_phone ? env->agency_phone : "12333";
        kiosk_strings_fill(S(c, "info.none"), &name, &value, 1, text, sizeof text);
        fit_block(c, text, room, UI_SIZE_EXPLAIN, c->t->fg);
    } else {
        int top = tabs(c, f, v);
        room.y += top;
        room.h -= top;
        switch (v->info_page) {
        case FLOW_INFO_POLICIES:
            policies_page(c, f, v, info, room);
            break;
        case FLOW_INFO_POLICY:
            policy_page(c, f, v, info, room);
            break;
        case FLOW_INFO_AGENCIES:
            agencies_page(c, f, v, env, info, room);
            break;
        case FLOW_INFO_PAGE_COUNT:
            break;
        }
    }
    ui_journey_footer(c, f, UI_ID_BACK, S(c, "info.back"), UI_ID_FINISH, S(c, "info.finish"));
}

/* The prompt of the agency shown at level from first, into prompt. */
static const char *agency_prompt(const kiosk_info *info, int level, int first, char *prompt,
                                 size_t size)
{
    const kiosk_info_agency *a =
        kiosk_info_agency_of(info, (kiosk_info_level)level, (size_t)(first < 0 ? 0 : first));
    if (!a)
        return NULL;
    snprintf(prompt, size, "agency_%s", a->id);
    return prompt;
}

const char *ui_info_tap(session *s, const flow_view *v, const char *id, char *prompt, size_t size)
{
    const kiosk_info *info = session_get_view(s)->info;
    if (!strcmp(id, UI_ID_FINISH)) {
        session_next(s);
    } else if (!strcmp(id, UI_ID_BACK)) {
        session_back(s);
    } else if (!strcmp(id, UI_ID_INFO_POLICIES)) {
        session_info_open(s, FLOW_INFO_POLICIES, 0, 0);
    } else if (!strcmp(id, UI_ID_INFO_AGENCIES)) {
        session_info_open(s, FLOW_INFO_AGENCIES, 0, 0);
        return agency_prompt(info, 0, 0, prompt, size);
    } else if (!strcmp(id, UI_ID_INFO_PRINT)) {
        session_print_slip(s);
    } else if (!strncmp(id, UI_ID_INFO_POLICY, strlen(UI_ID_INFO_POLICY))) {
        int i = atoi(id + strlen(UI_ID_INFO_POLICY));
        const kiosk_info_policy *p = kiosk_info_policy_at(info, (size_t)i);
        if (!p)
            return NULL;
        session_info_open(s, FLOW_INFO_POLICY, i, 0);
        snprintf(prompt, size, "policy_%s", p->id);
        return prompt;
    } else if (!strncmp(id, UI_ID_INFO_LEVEL, strlen(UI_ID_INFO_LEVEL))) {
        int l = atoi(id + strlen(UI_ID_INFO_LEVEL));
        session_info_open(s, FLOW_INFO_AGENCIES, l, 0);
        return agency_prompt(info, l, 0, prompt, size);
    } else if (!strncmp(id, UI_ID_INFO_FIRST, strlen(UI_ID_INFO_FIRST))) {
        int first = atoi(id + strlen(UI_ID_INFO_FIRST));
        session_info_open(s, v->info_page, v->info_index, first);
        if (v->info_page == FLOW_INFO_AGENCIES)
            return agency_prompt(info, v->info_index, first, prompt, size);
    }
    return NULL;
}
