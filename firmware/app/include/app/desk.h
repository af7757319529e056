/*
 * The maintenance desk: hall staff and technicians at the kiosk, behind a staff login.
 * Five quick taps on the attract screen's corner open the login; a staff PIN (or a staff
 * card plus its PIN) opens the dashboard and the staff actions — sync now, reader test,
 * printer test page, reprint a receipt (副本), export a bundle, purge acknowledged
 * records (technicians, confirmed), out of service, the log, restart, log out. The desk
 * decides and acts (through the session's I/O worker, audited); ui/ui_menu draws it and
 * hands it the touches. Idle staff sessions lock. No SDL. UI thread only.
 */
#ifndef KIOSK_APP_DESK_H
#define KIOSK_APP_DESK_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app_io.h"
#include "app/session.h"
#include "config/kiosk_config.h"
#include "identity/identity.h"

typedef enum desk_screen {
    DESK_OFF = 0,
    DESK_LOGIN,
    DESK_HOME,
    DESK_REPRINT,
    DESK_PURGE,
    DESK_LOG,
    DESK_READER,
    DESK_UPDATE, /* 软件更新: the bundles on a USB stick (technicians) */
} desk_screen;

/* What the reader test saw of the last card: only the card's own details. */
typedef enum desk_card {
    DESK_CARD_NONE = 0,
    DESK_CARD_READ,       /* card_generation, card_spec */
    DESK_CARD_UNREADABLE, /* card_rc */
} desk_card;

#define DESK_IDLE_MS 120000 /* a staff session locks after two minutes untouched */

/* What the desk works with (kept: they outlive the desk). */
typedef struct desk_env {
    session *session;            /* its I/O worker does the work; cards come through it */
    const kiosk_config *cfg;     /* hall code, export folder, retention */
    void (*sync_now)(void *ctx); /* "sync now": wake the sync worker; may be NULL */
    void (*restart)(void *ctx);  /* "restart": end the program (systemd starts it again) */
    void *ctx;
} desk_env;

typedef struct desk {
    desk_env env;
    desk_screen screen;
    char pin[16];
    int pin_len;
    bool checking;  /* a login is being checked (argon2id takes a moment): the keypad waits */
    char staff[32]; /* logged in, "" before */
    int role;       /* staff_role */
    int64_t last_touch_ms;
    int corner_taps; /* the way in: taps on the attract screen's corner */
    int64_t corner_first_ms;
    const char *note_key; /* the outcome of the last action, a string key */
    char note_arg[128];   /* a number, a receipt number or a reason filled into the note */
    bool note_bad;        /* shown as a problem */
    app_io_result dash;   /* the dashboard's figures */
    bool has_dash;
    char digits[13]; /* reprint: YYYYMMDD + NNNN typed */
    int ndigits;
    char receipt_no[40];
    bool out_of_service;
    desk_card card; /* the reader test */
    int card_generation;
    char card_spec[8];
    kiosk_rc card_rc;
    char card_uid[24];     /* login: a staff card on the reader (its UID), "" for none */
    int64_t sync_until_ms; /* after "sync now": the figures refresh each second until then */
    int64_t dash_at_ms;
    bool restart_requested;
    /* 软件更新 (technicians): the stick's bundles, the one chosen, what came of it */
    app_io_bundle bundles[APP_IO_BUNDLES_MAX];
    int nbundles;
    int chosen; /* index into bundles, -1 none */
    bool update_busy;
    bool update_installing; /* the chosen bundle is being installed */
    int update_percent;     /* as RAUC says (desk_tick); -1: not known yet */
    bool update_installed;  /* installed: restart now or later */
    char update_version[64];
} desk;

/* Set up a closed desk for env (copied). */
void desk_init(desk *d, const desk_env *env);

/* Close the staff session and wipe it (the PIN, the staff name, the figures); the kiosk's
 * out-of-service state stays. */
void desk_wipe(desk *d);

/* A tap on the attract screen's corner at now_ms: true when that opened the login. */
bool desk_corner_tap(desk *d, int64_t now_ms);

/* A touch on the desk's widget id at now_ms (the ids ui_menu draws: "mk0".."mk9",
 * "mk_del", "mk_ok", "menu_exit", "m_logout", "m_sync", "m_print_test", "m_export",
 * "m_import_acks", "m_service", "m_restart", "m_reprint", "rk0".."rk9", "rk_del", "m_do_reprint",
 * "m_purge", "m_do_purge", "m_log", "m_reader", "m_back"; 软件更新, technicians only:
 * "m_update", "m_upd0".."m_upd3" (choose a bundle), "m_do_update", "m_update_reboot");
 * the desk acts on it. */
void desk_tap(desk *d, const char *id, int64_t now_ms);

/* A staff job's result (session_options.staff_result). */
void desk_result(desk *d, const app_io_result *r);

/* A card while the desk is open (session_options.staff_card). */
void desk_card_event(desk *d, const identity_event *ev);

/* Time passes: the figures refresh while a sync runs, an install's percentage is read,
 * an idle staff session locks (audited; not while an install runs). True when something
 * on the desk changed. */
bool desk_tick(desk *d, int64_t now_ms);

#endif
