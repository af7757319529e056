/*
 * The maintenance desk: screens as a small state machine, the staff jobs queued on the
 * session's I/O worker and their answers turned into notes. Every staff action and the
 * end of every staff session is audited with the staff member's name.
 */
#include "app/desk.h"

#include <stdio.h>
#include <string.h>

#include "core/kiosk_log.h"
#include "store/staff.h"

#define CORNER_TAPS 5
#define CORNER_WINDOW_MS 3000

/* The session hands cards to the desk while it is open. */
static void sync_mode(desk *d)
{
    if (d->env.session)
        session_set_staff_mode(d->env.session, d->screen != DESK_OFF);
}

static app_io *io_of(const desk *d)
{
    return d->env.session ? session_io(d->env.session) : NULL;
}

void desk_init(desk *d, const desk_env *env)
{
    memset(d, 0, sizeof *d);
    d->env = *env;
}

void desk_wipe(desk *d)
{
    desk_env env = d->env;
    bool oos = d->out_of_service;
    explicit_bzero(d, sizeof *d);
    d->env = env;
    d->out_of_service = oos; /* the kiosk's state, not the staff session's */
    sync_mode(d);
}

bool desk_corner_tap(desk *d, int64_t now_ms)
{
    if (d->corner_taps == 0 || now_ms - d->corner_first_ms > CORNER_WINDOW_MS) {
        d->corner_taps = 0;
        d->corner_first_ms = now_ms;
    }
    if (++d->corner_taps < CORNER_TAPS)
        return false;
    d->corner_taps = 0;
    d->screen = DESK_LOGIN;
    d->last_touch_ms = now_ms;
    d->note_key = NULL;
    sync_mode(d);
    return true;
}

static void set_note(desk *d, const char *key, const char *arg, bool bad)
{
    d->note_key = key;
    snprintf(d->note_arg, sizeof d->note_arg, "%s", arg ? arg : "");
    d->note_bad = bad;
}

/* Digits typed on a keypad with ids prefix0..9 and prefix_del. */
static int digit_key(const char *id, const char *prefix, char *buf, int *len, int max)
{
    size_t pl = strlen(prefix);
    if (strncmp(id, prefix, pl) != 0)
        return 0;
    const char *k = id + pl;
    if (!strcmp(k, "_del")) {
        if (*len > 0)
            buf[--*len] = '\0';
        return 1;
    }
    if (k[0] >= '0' && k[0] <= '9' && !k[1]) {
        if (*len < max) {
            buf[(*len)++] = k[0];
            buf[*len] = '\0';
        }
        return 1;
    }
    return 0;
}

static void audit(desk *d, const char *who, const char *action, const char *detail)
{
    app_io *io = io_of(d);
    if (io)
        app_io_audit(io, who[0] ? who : "staff", action, "", detail);
}

static void dashboard(desk *d)
{
    app_io *io = io_of(d);
    if (io)
        app_io_dashboard(io);
}

static void login(desk *d)
{
    app_io *io = io_of(d);
    d->checking = true;
    if (!io || app_io_login(io, d->card_uid[0] ? d->card_uid : NULL, d->pin) != KIOSK_OK) {
        app_io_result r = {.kind = APP_IO_LOGIN, .rc = KIOSK_UNSUPPORTED};
        desk_result(d, &r);
    }
    explicit_bzero(d->pin, sizeof d->pin);
    d->pin_len = 0;
}

static void tap_home(desk *d, const char *id, int64_t now_ms)
{
    app_io *io = io_of(d);
    char who[sizeof d->staff];
    memcpy(who, d->staff, sizeof who);
    if (!strcmp(id, "m_logout")) {
        desk_wipe(d);
        audit(d, who, "staff.logout", "");
    } else if (!strcmp(id, "m_sync")) {
        set_note(d, "screen.m_sync_started", NULL, false);
        d->sync_until_ms = now_ms + 30000; /* progress: the counts as they move */
        if (d->env.sync_now)
            d->env.sync_now(d->env.ctx);
        audit(d, who, "sync.now", "");
    } else if (!strcmp(id, "m_print_test")) {
        set_note(d, "screen.m_working", NULL, false);
        if (io)
            app_io_print_test(io);
    } else if (!strcmp(id, "m_export")) {
        set_note(d, "screen.m_working", NULL, false);
        if (io)
            app_io_export(io, d->env.cfg->export_dir, who[0] ? who : "staff");
    } else if (!strcmp(id, "m_import_acks")) {
        set_note(d, "screen.m_working", NULL, false);
        if (io)
            app_io_import_acks(io, d->env.cfg->export_dir, who[0] ? who : "staff");
    } else if (!strcmp(id, "m_service")) {
        d->out_of_service = !d->out_of_service;
        set_note(d, d->out_of_service ? "screen.m_service_now_off" : "screen.m_service_now_on",
                 NULL, false);
        if (d->env.session)
            session_set_out_of_service(d->env.session, d->out_of_service, who[0] ? who : "staff");
    } else if (!strcmp(id, "m_restart")) {
        audit(d, who, "kiosk.restart", "");
        d->restart_requested = true;
        if (d->env.restart)
            d->env.restart(d->env.ctx);
    } else if (!strcmp(id, "m_reprint")) {
        d->screen = DESK_REPRINT;
        d->ndigits = 0;
        d->digits[0] = '\0';
        d->note_key = NULL;
    } else if (!strcmp(id, "m_purge") && d->role == STAFF_TECHNICIAN) {
        d->screen = DESK_PURGE;
    } else if (!strcmp(id, "m_update") && d->role == STAFF_TECHNICIAN) {
        d->screen = DESK_UPDATE;
        d->nbundles = 0;
        d->chosen = -1;
        d->update_installed = false;
        d->update_busy = true;
        set_note(d, "screen.m_update_looking", NULL, false);
        audit(d, who, "update.menu", "");
        if (!io || app_io_update_list(io, d->env.cfg->export_dir) != KIOSK_OK)
            d->update_busy = false;
    } else if (!strcmp(id, "m_log")) {
        d->screen = DESK_LOG;
    } else if (!strcmp(id, "m_reader")) {
        d->screen = DESK_READER;
        d->card = DESK_CARD_NONE;
    }
}

void desk_tap(desk *d, const char *id, int64_t now_ms)
{
    d->last_touch_ms = now_ms;
    app_io *io = io_of(d);
    switch (d->screen) {
    case DESK_OFF:
        return;
    case DESK_LOGIN:
        if (!strcmp(id, "menu_exit"))
            desk_wipe(d);
        else if (d->checking)
            ; /* the PIN given is being checked: nothing is typed over it */
        else if (digit_key(id, "mk", d->pin, &d->pin_len, STAFF_PIN_MAX))
            ;
        else if (!strcmp(id, "mk_ok") && d->pin_len >= STAFF_PIN_MIN)
            login(d);
        return;
    case DESK_HOME:
        tap_home(d, id, now_ms);
        return;
    case DESK_REPRINT:
        if (digit_key(id, "rk", d->digits, &d->ndigits, 12))
            return;
        if (!strcmp(id, "m_do_reprint") && d->ndigits == 12) {
            set_note(d, "screen.m_working", NULL, false);
            snprintf(d->receipt_no, sizeof d->receipt_no, "%s-%.8s-%.4s", d->env.cfg->hall_code,
                     d->digits, d->digits + 8);
            if (io)
                app_io_print(io, d->receipt_no, 1);
            return;
        }
        break;
    case DESK_PURGE:
        if (!strcmp(id, "m_do_purge") && d->role == STAFF_TECHNICIAN) {
            d->screen = DESK_HOME;
            set_note(d, "screen.m_working", NULL, false);
            if (io)
                app_io_purge(io, d->env.cfg->retention_days, d->staff);
            return;
        }
        break;
    case DESK_UPDATE:
        if (d->role != STAFF_TECHNICIAN || d->update_busy)
            break;
        if (!strncmp(id, "m_upd", 5) && id[5] >= '0' && id[5] < '0' + d->nbundles && !id[6] &&
            !d->update_installed) {
            d->chosen = id[5] - '0';
            d->note_key = NULL;
            return;
        }
        if (!strcmp(id, "m_do_update") && d->chosen >= 0 && d->bundles[d->chosen].valid &&
            !d->update_installed) {
            d->update_busy = true;
            d->update_installing = true;
            d->update_percent = -1;
            set_note(d, "screen.m_update_installing", d->bundles[d->chosen].version, false);
            if (!io || app_io_update_install(io, d->env.cfg->export_dir, d->bundles[d->chosen].name,
                                             d->staff) != KIOSK_OK)
                d->update_busy = false;
            return;
        }
        if (!strcmp(id, "m_update_reboot") && d->update_installed) {
            set_note(d, "screen.m_update_rebooting", NULL, false);
            if (io)
                app_io_update_reboot(io, d->staff);
            return;
        }
        break;
    case DESK_LOG:
    case DESK_READER:
        break;
    }
    if (!strcmp(id, "m_back")) {
        d->screen = DESK_HOME;
        dashboard(d);
    }
}

void desk_result(desk *d, const app_io_result *r)
{
    char n[32];
    snprintf(n, sizeof n, "%lld", (long long)r->count);
    switch (r->kind) {
    case APP_IO_SERVICE:
        d->out_of_service = r->count != 0;
        return;
    case APP_IO_LOGIN:
        explicit_bzero(d->pin, sizeof d->pin);
        d->pin_len = 0;
        d->checking = false;
        if (r->rc == KIOSK_OK) {
            snprintf(d->staff, sizeof d->staff, "%s", r->name);
            d->role = r->role;
            d->screen = DESK_HOME;
            d->note_key = NULL;
        } else if (r->rc == KIOSK_BUSY || r->retry_ms > 0) {
            snprintf(n, sizeof n, "%lld", (long long)((r->retry_ms + 999) / 1000));
            set_note(d, "screen.m_locked", n, true);
        } else {
            set_note(d, r->rc == KIOSK_AUTH ? "screen.m_wrong_pin" : "screen.m_login_failed", NULL,
                     true);
        }
        break;
    case APP_IO_DASHBOARD:
        d->dash = *r;
        d->dash.preview = (receipt_bitmap){0}; /* a dashboard carries no receipt */
        d->has_dash = r->rc == KIOSK_OK;
        return;
    case APP_IO_PRINT_TEST:
        set_note(d, r->rc == KIOSK_OK ? "screen.m_printed" : "screen.m_print_failed",
                 kiosk_rc_name(r->rc), r->rc != KIOSK_OK);
        return;
    case APP_IO_PRINT:
        set_note(d,
                 r->rc == KIOSK_OK          ? "screen.m_reprinted"
                 : r->rc == KIOSK_NOT_FOUND ? "screen.m_no_receipt"
                                            : "screen.m_print_failed",
                 r->rc == KIOSK_OK || r->rc == KIOSK_NOT_FOUND ? r->receipt_no
                                                               : kiosk_rc_name(r->rc),
                 r->rc != KIOSK_OK);
        break;
    case APP_IO_EXPORT:
        if (r->rc == KIOSK_OK && r->counts[STORE_REJECTED] > 0)
            set_note(d, "screen.m_exported_refused", n, false); /* for the hub to reconcile */
        else if (r->rc == KIOSK_OK)
            set_note(d, "screen.m_exported", n, false);
        else
            set_note(d,
                     r->rc == KIOSK_NOT_FOUND   ? "screen.m_nothing_to_export"
                     : r->rc == KIOSK_NO_MEDIUM ? "screen.m_no_stick"
                                                : "screen.m_export_failed",
                     kiosk_rc_name(r->rc), r->rc != KIOSK_NOT_FOUND);
        break;
    case APP_IO_IMPORT_ACKS:
        if (r->rc == KIOSK_OK) {
            set_note(d, r->counts[1] > 0 ? "screen.m_acks_mismatch" : "screen.m_acks_imported", n,
                     r->counts[1] > 0);
        } else if (r->rc == KIOSK_NOT_FOUND) {
            const char *slash = strrchr(r->png, '/');
            snprintf(n, sizeof n, "%.24s", slash ? slash + 1 : r->png); /* the file's name */
            set_note(d, "screen.m_no_acks", n, true);
        } else {
            set_note(d,
                     r->rc == KIOSK_NO_MEDIUM ? "screen.m_no_stick_acks" : "screen.m_acks_refused",
                     kiosk_rc_name(r->rc), true);
        }
        break;
    case APP_IO_PURGE:
        set_note(d, r->rc == KIOSK_OK ? "screen.m_purged" : "screen.m_purge_failed", n,
                 r->rc != KIOSK_OK);
        break;
    case APP_IO_UPDATE_LIST:
        d->update_busy = false;
        d->nbundles = r->rc == KIOSK_OK ? r->nbundles : 0;
        memcpy(d->bundles, r->bundles, sizeof d->bundles);
        d->chosen = -1;
        if (r->rc == KIOSK_OK)
            set_note(d, "screen.m_update_choose", NULL, false);
        else
            set_note(d,
                     r->rc == KIOSK_NO_MEDIUM ? "screen.m_no_stick_update" : "screen.m_update_none",
                     NULL, r->rc == KIOSK_NO_MEDIUM);
        return;
    case APP_IO_UPDATE_INSTALL: {
        d->update_busy = false;
        d->update_installing = false;
        d->update_installed = r->rc == KIOSK_OK;
        snprintf(d->update_version, sizeof d->update_version, "%s", r->update_version);
        /* what a technician is told, by RAUC's or the version check's reason */
        static const char *const reasons[][2] = {
            {"bad_signature", "screen.m_update_bad_signature"},
            {"older_version", "screen.m_update_older"},
            {"no_space", "screen.m_update_no_space"},
            {"not_compatible", "screen.m_update_not_compatible"},
        };
        const char *key = "screen.m_update_failed";
        for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
            if (!strcmp(r->update_detail, reasons[i][0]))
                key = reasons[i][1];
        if (r->rc == KIOSK_OK)
            set_note(d, "screen.m_update_done", r->update_version, false);
        else
            set_note(d, key, r->update_detail, true);
        return;
    }
    case APP_IO_UPDATE_REBOOT:
        if (r->rc != KIOSK_OK)
            set_note(d, "screen.m_update_reboot_failed", kiosk_rc_name(r->rc), true);
        return;
    default:
        return;
    }
    /* the figures after a login and after anything that moved records */
    if ((r->kind == APP_IO_LOGIN && r->rc == KIOSK_OK) || r->kind == APP_IO_EXPORT ||
        r->kind == APP_IO_PURGE || r->kind == APP_IO_PRINT || r->kind == APP_IO_IMPORT_ACKS)
        dashboard(d);
    sync_mode(d);
}

void desk_card_event(desk *d, const identity_event *ev)
{
    if (d->screen == DESK_READER) {
        if (ev->type == IDENTITY_CARD_READ) {
            /* the generation and specification only: the card number belongs to its holder */
            d->card = DESK_CARD_READ;
            d->card_generation = ev->card.generation;
            snprintf(d->card_spec, sizeof d->card_spec, "%s", ev->card.spec_version);
        } else if (ev->type == IDENTITY_CARD_UNREADABLE) {
            d->card = DESK_CARD_UNREADABLE;
            d->card_rc = ev->rc;
        }
    }
    if (d->screen == DESK_LOGIN && ev->type == IDENTITY_CARD_PRESENT) {
        snprintf(d->card_uid, sizeof d->card_uid, "%s", ev->uid);
        d->note_key = NULL;
    } else if (d->screen == DESK_LOGIN && ev->type == IDENTITY_CARD_REMOVED) {
        d->card_uid[0] = '\0';
    }
}

bool desk_tick(desk *d, int64_t now_ms)
{
    if (d->screen == DESK_OFF)
        return false;
    bool changed = false;
    if (d->screen == DESK_UPDATE && d->update_installing && io_of(d)) {
        /* RAUC's percentage, for the technician watching (touching nothing meanwhile) */
        int pct = app_io_update_progress(io_of(d));
        changed = pct != d->update_percent;
        d->update_percent = pct;
        d->last_touch_ms = now_ms;
    }
    if (d->screen == DESK_HOME && now_ms < d->sync_until_ms && now_ms - d->dash_at_ms >= 1000) {
        d->dash_at_ms = now_ms;
        dashboard(d);
    }
    if (now_ms - d->last_touch_ms < DESK_IDLE_MS)
        return changed;
    char who[sizeof d->staff];
    memcpy(who, d->staff, sizeof who);
    desk_wipe(d);
    if (who[0])
        audit(d, who, "staff.logout", "idle");
    return true;
}
