/*
 * Maintenance menu screens, drawn from the desk (app/desk.h), which decides. Staff read
 * them standing at the kiosk, so the same large type and targets as the citizen screens;
 * every action says what came of it in a line under the dashboard.
 */
#include "ui/ui_menu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/kiosk_log.h"
#include "store/staff.h"
#include "ui/ui_draw.h"
#include "ui/ui_keypad.h"

static const char *S(const ui_ctx *c, const char *key)
{
    return kiosk_strings_get(c->s, key);
}

/* A dashboard line: its template's "{}" filled in. */
static void fill(const char *tmpl, const char *arg, char *out, size_t size)
{
    static const char *const anon = "";
    kiosk_strings_fill(tmpl, &anon, &arg, 1, out, size);
}

static void when(int64_t ms, const ui_ctx *c, char *out, size_t size)
{
    if (!ms) {
        snprintf(out, size, "%s", S(c, "screen.m_never"));
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

/* The bar at the top: the menu's name, who is logged in, and the way out. */
static void bar(ui_ctx *c, const desk *m, const char *exit_id, const char *exit_key)
{
    const ui_theme *t = c->t;
    SDL_Rect b = ui_px_rect(c, 0, 0, t->landscape ? 1280 : 1080, t->landscape ? 90 : 130);
    ui_draw_fill_rect(c->r, b, t->accent);
    char title[96];
    snprintf(title, sizeof title, "%s%s%s", S(c, "screen.m_title"), m->staff[0] ? " · " : "",
             m->staff);
    int pad = ui_theme_px(t, 40);
    ui_label_fit(c, title, (SDL_Rect){pad, b.h / 4, b.w / 2, b.h / 2},
                 ui_theme_size(t, UI_SIZE_MENU_TITLE), t->on_accent, UI_TEXT_LEFT);
    int bw = ui_theme_px(t, 260), bh = b.h * 2 / 3;
    SDL_Rect e = {b.w - pad - bw, (b.h - bh) / 2, bw, bh};
    ui_draw_fill_round_rect(c->r, e, bh / 5, t->on_accent);
    ui_button(c, exit_id, e, S(c, exit_key), ui_theme_size(t, UI_SIZE_BUTTON_BAR),
              UI_BUTTON_SECONDARY);
}

static SDL_Rect body(const ui_ctx *c)
{
    return c->t->landscape ? ui_px_rect(c, 40, 110, 1200, 670) : ui_px_rect(c, 40, 160, 1000, 1720);
}

/* A staff keypad: ids prefix0..9 and prefix_del (digit_key reads them), ok_id under it. */
static void keypad(ui_ctx *c, SDL_Rect area, const char *prefix, const char *ok_id,
                   const char *ok_key, int ok_enabled)
{
    char del[24];
    snprintf(del, sizeof del, "%s_del", prefix);
    const ui_keypad_spec keys = {
        .digit_prefix = prefix,
        .digit_size = UI_SIZE_STAFF_DIGIT,
        .right = {del, S(c, "screen.pin_delete"), UI_SIZE_STAFF_KEY_WORD, UI_BUTTON_SECONDARY},
        .confirm = {ok_id, S(c, ok_key), UI_SIZE_BUTTON,
                    ok_enabled ? UI_BUTTON_PRIMARY : UI_BUTTON_DISABLED},
        .gap = 16,
        .max_key_h = 130,
    };
    ui_keypad_draw(c, area, &keys);
}

static void note(ui_ctx *c, const desk *m, SDL_Rect box)
{
    if (!m->note_key)
        return;
    char text[256];
    fill(S(c, m->note_key), m->note_arg, text, sizeof text);
    ui_label(c, text, box, ui_theme_size(c->t, UI_SIZE_MENU_NOTE),
             m->note_bad ? c->t->error : c->t->fg, UI_TEXT_LEFT);
}

static void login_screen(ui_ctx *c, const desk *m)
{
    const ui_theme *t = c->t;
    bar(c, m, "menu_exit", "screen.m_exit");
    SDL_Rect b = body(c);
    SDL_Rect title = {b.x, b.y, t->landscape ? b.w / 2 : b.w, ui_theme_px(t, 70)};
    ui_label_fit(c, S(c, "screen.m_login"), title, ui_theme_size(t, UI_SIZE_MENU_HEADING), t->fg,
                 UI_TEXT_LEFT);
    int box = ui_theme_px(t, t->landscape ? 40 : 56), gap = ui_theme_px(t, 10);
    int y = title.y + title.h + ui_theme_px(t, 16);
    for (int i = 0; i < 12 && i < (m->pin_len > 6 ? m->pin_len : 6); i++) {
        SDL_Rect r = {b.x + i * (box + gap), y, box, box};
        ui_draw_round_frame(c->r, r, box / 6, ui_theme_px(t, 3) + 1, t->muted, t->panel);
        if (i < m->pin_len)
            ui_draw_fill_circle(c->r, r.x + box / 2, r.y + box / 2, box / 5, t->fg);
    }
    SDL_Rect nb = {b.x, y + box + ui_theme_px(t, 16), t->landscape ? b.w / 2 : b.w,
                   ui_theme_px(t, 120)};
    if (m->card_uid[0] && !m->note_key)
        ui_label(c, S(c, "screen.m_card_seen"), nb, ui_theme_size(t, UI_SIZE_MENU_NOTE), t->accent,
                 UI_TEXT_LEFT);
    note(c, m, nb);
    SDL_Rect pad =
        t->landscape
            ? (SDL_Rect){b.x + b.w / 2 + ui_theme_px(t, 20), b.y, b.w / 2 - ui_theme_px(t, 20), b.h}
            : (SDL_Rect){b.x + b.w / 8, nb.y + nb.h, b.w * 3 / 4, b.y + b.h - nb.y - nb.h};
    keypad(c, pad, "mk", "mk_ok", "screen.m_login_ok", m->pin_len >= STAFF_PIN_MIN);
}

static void home_screen(ui_ctx *c, const desk *m, const ui_menu_env *env)
{
    const ui_theme *t = c->t;
    bar(c, m, "m_logout", "screen.m_logout");
    SDL_Rect b = body(c);
    int px = ui_theme_size(t, UI_SIZE_MENU_ROW),
        line = ui_theme_size_px(t, UI_SIZE_MENU_ROW) * 3 / 2;
    char rows[12][200], a[300], w1[32], w2[32];
    int n = 0;
    if (m->has_dash) {
        const app_io_result *d = &m->dash;
        snprintf(a, sizeof a, "%lld / %lld / %lld / %lld", (long long)d->counts[0],
                 (long long)d->counts[1], (long long)d->counts[2], (long long)d->counts[3]);
        fill(S(c, "screen.m_records"), a, rows[n++], sizeof rows[0]);
        when(d->last_sync_ok_ms, c, w1, sizeof w1);
        fill(S(c, "screen.m_last_sync"), w1, rows[n++], sizeof rows[0]);
        fill(S(c, "screen.m_last_error"),
             d->last_sync_error[0] ? d->last_sync_error : S(c, "screen.m_none"), rows[n++],
             sizeof rows[0]);
        snprintf(a, sizeof a, "%llu MB", (unsigned long long)d->free_mb);
        fill(S(c, "screen.m_disk"), a, rows[n++], sizeof rows[0]);
        snprintf(a, sizeof a, "%s · %s", d->device_id, d->fingerprint);
        fill(S(c, "screen.m_device"), a, rows[n++], sizeof rows[0]);
        if (d->refused[0]) /* records the hub refused: why, and what staff do about it */
            fill(S(c, "screen.m_refused"), d->refused, rows[n++], sizeof rows[0]);
        (void)w2;
    } else {
        snprintf(rows[n++], sizeof rows[0], "%s", S(c, "screen.m_loading"));
    }
    fill(S(c, "screen.m_reader"), S(c, env->reader_state), rows[n++], sizeof rows[0]);
    static const char *const printer_keys[] = {"screen.m_printer_file", "screen.m_printer_ok",
                                               "screen.m_printer_paper", "screen.m_printer_fault"};
    const char *pkey = m->has_dash && (unsigned)m->dash.printer_state < 4
                           ? printer_keys[m->dash.printer_state]
                           : env->printer_state;
    fill(S(c, "screen.m_printer"), S(c, pkey), rows[n++], sizeof rows[0]);
    if (env->store_state)
        fill(S(c, "screen.m_store"), S(c, env->store_state), rows[n++], sizeof rows[0]);
    snprintf(a, sizeof a, "%s · %s", env->hall_name, env->agency_phone);
    fill(S(c, "screen.m_hall"), a, rows[n++], sizeof rows[0]);
    snprintf(a, sizeof a, "%s · %s", env->version, env->hall_code);
    fill(S(c, "screen.m_version"), a, rows[n++], sizeof rows[0]);
    if (env->battery)
        snprintf(rows[n++], sizeof rows[0], "%s", env->battery);
    SDL_Rect panel = {b.x, b.y, t->landscape ? b.w / 2 - ui_theme_px(t, 16) : b.w,
                      t->landscape ? b.h : n * line + ui_theme_px(t, 40)};
    ui_draw_fill_round_rect(c->r, panel, ui_theme_px(t, 16), t->panel);
    int pad = ui_theme_px(t, 24);
    for (int i = 0; i < n; i++)
        ui_label_fit(c, rows[i],
                     (SDL_Rect){panel.x + pad, panel.y + pad + i * line, panel.w - 2 * pad, line},
                     px, t->fg, UI_TEXT_LEFT);
    /* the outcome of the last action, then the actions */
    SDL_Rect nb = t->landscape ? (SDL_Rect){b.x + b.w / 2 + pad, b.y, b.w / 2 - pad, line * 2}
                               : (SDL_Rect){b.x, panel.y + panel.h + pad, b.w, line * 2};
    note(c, m, nb);
    static const struct {
        const char *id, *key;
        int technician;
    } actions[] = {
        {"m_sync", "screen.m_sync", 0},
        {"m_reader", "screen.m_reader_test", 0},
        {"m_print_test", "screen.m_print_test", 0},
        {"m_reprint", "screen.m_reprint", 0},
        {"m_export", "screen.m_export", 0},
        {"m_import_acks", "screen.m_import_acks", 0},
        {"m_purge", "screen.m_purge", 1},
        {"m_update", "screen.m_update", 1},
        {"m_service", NULL, 0},
        {"m_log", "screen.m_log", 0},
        {"m_restart", "screen.m_restart", 0},
    };
    int cols = 2, gap = ui_theme_px(t, 16);
    SDL_Rect grid = {nb.x, nb.y + nb.h + gap, nb.w, b.y + b.h - nb.y - nb.h - gap};
    int count = (int)(sizeof actions / sizeof actions[0]);
    int rows_n = (count + cols - 1) / cols;
    int bw = (grid.w - gap) / cols, bh = (grid.h - (rows_n - 1) * gap) / rows_n;
    if (bh > ui_theme_px(t, 130))
        bh = ui_theme_px(t, 130);
    for (int i = 0; i < count; i++) {
        SDL_Rect r = {grid.x + (i % cols) * (bw + gap), grid.y + (i / cols) * (bh + gap), bw, bh};
        const char *label = actions[i].key ? S(c, actions[i].key)
                                           : S(c, m->out_of_service ? "screen.m_service_on"
                                                                    : "screen.m_service_off");
        int allowed = !actions[i].technician || m->role == STAFF_TECHNICIAN;
        ui_button(c, actions[i].id, r, label, ui_theme_size(t, UI_SIZE_MENU_ACTION),
                  !allowed                                                   ? UI_BUTTON_DISABLED
                  : !strcmp(actions[i].id, "m_service") && m->out_of_service ? UI_BUTTON_SELECTED
                                                                             : UI_BUTTON_SECONDARY);
    }
}

static void reprint_screen(ui_ctx *c, const desk *m, const ui_menu_env *env)
{
    const ui_theme *t = c->t;
    bar(c, m, "m_back", "screen.m_back");
    SDL_Rect b = body(c);
    ui_label_fit(c, S(c, "screen.m_reprint_hint"), (SDL_Rect){b.x, b.y, b.w, ui_theme_px(t, 60)},
                 ui_theme_size(t, UI_SIZE_MENU_HINT), t->muted, UI_TEXT_LEFT);
    char shown[64], typed[16];
    snprintf(typed, sizeof typed, "%.*s", m->ndigits, m->digits);
    /* HALL-YYYYMMDD-NNNN, the digits filling in as typed */
    snprintf(shown, sizeof shown, "%s-%.8s%s%s", env->hall_code, typed, m->ndigits > 8 ? "-" : "",
             m->ndigits > 8 ? typed + 8 : "");
    SDL_Rect box = {b.x, b.y + ui_theme_px(t, 80), t->landscape ? b.w / 2 : b.w,
                    ui_theme_px(t, 100)};
    ui_draw_round_frame(c->r, box, ui_theme_px(t, 12), ui_theme_px(t, 3) + 1, t->accent, t->panel);
    ui_label_fit(c, shown, (SDL_Rect){box.x + 20, box.y + box.h / 5, box.w - 40, box.h * 3 / 5},
                 ui_theme_size(t, UI_SIZE_MENU_VALUE), t->fg, UI_TEXT_LEFT);
    SDL_Rect nb = {b.x, box.y + box.h + ui_theme_px(t, 16), box.w, ui_theme_px(t, 100)};
    note(c, m, nb);
    SDL_Rect pad =
        t->landscape ? (SDL_Rect){b.x + b.w / 2 + 20, b.y, b.w / 2 - 20, b.h}
                     : (SDL_Rect){b.x + b.w / 8, nb.y + nb.h, b.w * 3 / 4, b.y + b.h - nb.y - nb.h};
    keypad(c, pad, "rk", "m_do_reprint", "screen.m_reprint_do", m->ndigits == 12);
}

static void purge_screen(ui_ctx *c, const desk *m, const ui_menu_env *env)
{
    const ui_theme *t = c->t;
    bar(c, m, "m_back", "screen.m_back");
    SDL_Rect b = body(c);
    char days[16], text[300];
    snprintf(days, sizeof days, "%d", env->retention_days);
    fill(S(c, "screen.m_purge_confirm"), days, text, sizeof text);
    ui_label(c, text, (SDL_Rect){b.x, b.y, b.w, b.h / 3}, ui_theme_size(t, UI_SIZE_MENU_TEXT),
             t->fg, UI_TEXT_LEFT);
    int bh = ui_theme_px(t, t->landscape ? 90 : 130), gap = ui_theme_px(t, 24);
    SDL_Rect yes = {b.x, b.y + b.h / 2, b.w, bh};
    ui_button(c, "m_do_purge", yes, S(c, "screen.m_purge_do"),
              ui_theme_size(t, UI_SIZE_BUTTON_SMALL), UI_BUTTON_PRIMARY);
    ui_button(c, "m_back", (SDL_Rect){b.x, yes.y + bh + gap, b.w, bh}, S(c, "screen.edit_cancel"),
              ui_theme_size(t, UI_SIZE_BUTTON_SMALL), UI_BUTTON_SECONDARY);
}

static void log_screen(ui_ctx *c, const desk *m)
{
    const ui_theme *t = c->t;
    bar(c, m, "m_back", "screen.m_back");
    SDL_Rect b = body(c);
    static char lines[KIOSK_LOG_RECENT][KIOSK_LOG_RECENT_LEN];
    int px = ui_theme_size(t, UI_SIZE_LOG), line = ui_theme_size_px(t, UI_SIZE_LOG) * 3 / 2;
    size_t fit = (size_t)(b.h / line);
    size_t n = kiosk_log_recent(lines, fit < KIOSK_LOG_RECENT ? fit : KIOSK_LOG_RECENT);
    for (size_t i = 0; i < n; i++)
        ui_label_fit(c, lines[i], (SDL_Rect){b.x, b.y + (int)i * line, b.w, line}, px, t->fg,
                     UI_TEXT_LEFT);
}

static void reader_screen(ui_ctx *c, const desk *m)
{
    const ui_theme *t = c->t;
    bar(c, m, "m_back", "screen.m_back");
    SDL_Rect b = body(c);
    int px = ui_theme_size(t, UI_SIZE_MENU_TEXT);
    int used = ui_label(c, S(c, "screen.m_reader_hint"), (SDL_Rect){b.x, b.y, b.w, 0}, px, t->fg,
                        UI_TEXT_LEFT);
    char info[160], detail[64];
    if (m->card == DESK_CARD_READ) {
        snprintf(detail, sizeof detail, "gen %d · spec %s", m->card_generation, m->card_spec);
        fill(S(c, "screen.m_card_info"), detail, info, sizeof info);
    } else if (m->card == DESK_CARD_UNREADABLE) {
        fill(S(c, "screen.m_card_bad"), kiosk_rc_name(m->card_rc), info, sizeof info);
    }
    ui_label(c, m->card != DESK_CARD_NONE ? info : S(c, "screen.m_reader_waiting"),
             (SDL_Rect){b.x, b.y + used + ui_theme_px(t, 30), b.w, 0}, px, t->accent, UI_TEXT_LEFT);
}

/* 软件更新: the stick's bundles (version and signature, the file's name under each), the
 * outcome line, then install — or, once installed, restart now or later. */
static void update_screen(ui_ctx *c, const desk *m)
{
    const ui_theme *t = c->t;
    bar(c, m, "m_back", "screen.m_back");
    SDL_Rect b = body(c);
    int gap = ui_theme_px(t, 12), pad = ui_theme_px(t, 20);
    SDL_Rect list = t->landscape ? (SDL_Rect){b.x, b.y, b.w * 11 / 20, b.h} : b;
    int hint_h = ui_theme_size_px(t, UI_SIZE_MENU_HINT) * 3 / 2;
    ui_label_fit(c, S(c, "screen.m_update_hint"), (SDL_Rect){list.x, list.y, list.w, hint_h},
                 ui_theme_size(t, UI_SIZE_MENU_HINT), t->muted, UI_TEXT_LEFT);
    int bh = ui_theme_px(t, t->landscape ? 80 : 110),
        name_h = ui_theme_size_px(t, UI_SIZE_LOG) * 3 / 2;
    int y = list.y + hint_h + gap;
    for (int i = 0; i < m->nbundles; i++) {
        const app_io_bundle *bu = &m->bundles[i];
        char id[24], label[160];
        snprintf(id, sizeof id, "m_upd%d", i);
        if (bu->valid)
            snprintf(label, sizeof label, "%s · %s", bu->version, S(c, "screen.m_update_valid"));
        else
            snprintf(label, sizeof label, "%s", S(c, "screen.m_update_invalid"));
        SDL_Rect r = ui_button(c, id, (SDL_Rect){list.x, y, list.w, bh}, label,
                               ui_theme_size(t, UI_SIZE_MENU_ACTION),
                               !bu->valid || m->update_installed ? UI_BUTTON_DISABLED
                               : i == m->chosen                  ? UI_BUTTON_SELECTED
                                                                 : UI_BUTTON_SECONDARY);
        ui_label_fit(c, bu->name,
                     (SDL_Rect){list.x + pad, r.y + r.h + gap / 2, list.w - pad, name_h},
                     ui_theme_size(t, UI_SIZE_LOG), t->muted, UI_TEXT_LEFT);
        y = r.y + r.h + gap / 2 + name_h + gap;
    }
    SDL_Rect side = t->landscape
                        ? (SDL_Rect){list.x + list.w + 2 * pad, b.y, b.w - list.w - 2 * pad, b.h}
                        : (SDL_Rect){b.x, y + gap, b.w, b.y + b.h - y - gap};
    int abh = ui_theme_px(t, t->landscape ? 90 : 130);
    int line = ui_theme_size_px(t, UI_SIZE_MENU_NOTE) * 3 / 2;
    note(c, m, (SDL_Rect){side.x, side.y, side.w, side.h - 2 * abh - 2 * gap - line});
    if (m->update_installing && m->update_percent >= 0) {
        /* RAUC's percentage: a bar and the figure, over the buttons */
        int pct = m->update_percent > 100 ? 100 : m->update_percent;
        char n[12], text[64];
        snprintf(n, sizeof n, "%d", pct);
        fill(S(c, "screen.m_update_percent"), n, text, sizeof text);
        SDL_Rect at = {side.x, side.y + side.h - 2 * abh - 2 * gap - line, side.w, line};
        int tw = side.w / 3, bar_h = line / 2;
        ui_label_fit(c, text, (SDL_Rect){at.x, at.y, tw, at.h}, ui_theme_size(t, UI_SIZE_MENU_NOTE),
                     t->fg, UI_TEXT_LEFT);
        SDL_Rect track = {at.x + tw, at.y + (at.h - bar_h) / 2, at.w - tw, bar_h};
        ui_draw_round_frame(c->r, track, bar_h / 2, ui_theme_px(t, 2) + 1, t->muted, t->panel);
        SDL_Rect done = track;
        done.w = track.w * pct / 100;
        if (done.w > 0)
            ui_draw_fill_round_rect(c->r, done, bar_h / 2, t->accent);
    }
    SDL_Rect a1 = {side.x, side.y + side.h - 2 * abh - gap, side.w, abh};
    SDL_Rect a2 = {side.x, side.y + side.h - abh, side.w, abh};
    if (m->update_installed) {
        ui_button(c, "m_update_reboot", a1, S(c, "screen.m_update_reboot"),
                  ui_theme_size(t, UI_SIZE_BUTTON_SMALL), UI_BUTTON_PRIMARY);
        ui_button(c, "m_back", a2, S(c, "screen.m_update_later"),
                  ui_theme_size(t, UI_SIZE_BUTTON_SMALL), UI_BUTTON_SECONDARY);
    } else {
        int ready = !m->update_busy && m->chosen >= 0 && m->chosen < m->nbundles &&
                    m->bundles[m->chosen].valid;
        ui_button(c, "m_do_update", a2, S(c, "screen.m_update_do"),
                  ui_theme_size(t, UI_SIZE_BUTTON_SMALL),
                  ready ? UI_BUTTON_PRIMARY : UI_BUTTON_DISABLED);
    }
}

void ui_menu_draw(ui_ctx *c, const desk *m, const ui_menu_env *env)
{
    const ui_theme *t = c->t;
    ui_draw_clear(c->r, t->bg);
    switch (m->screen) {
    case DESK_LOGIN:
        login_screen(c, m);
        break;
    case DESK_HOME:
        home_screen(c, m, env);
        break;
    case DESK_REPRINT:
        reprint_screen(c, m, env);
        break;
    case DESK_PURGE:
        purge_screen(c, m, env);
        break;
    case DESK_LOG:
        log_screen(c, m);
        break;
    case DESK_READER:
        reader_screen(c, m);
        break;
    case DESK_UPDATE:
        update_screen(c, m);
        break;
    case DESK_OFF:
        break;
    }
}
