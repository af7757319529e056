/*
 * The maintenance menu for hall staff and technicians, behind a staff login. It opens
 * from a discreet place on the attract screen (five quick taps on the kiosk's name),
 * asks for a staff PIN, and shows a dashboard (records by state, last sync and error,
 * reader and printer, free disk, version, device id and key fingerprint) with the staff
 * actions: sync now, reader test, printer test page, reprint a receipt (marked 副本),
 * export a bundle to USB, purge acknowledged records (technicians, confirmed), out of
 * service, recent log lines, restart, log out. Draws and interprets taps; the app does
 * the work (on the I/O worker) and tells the menu the outcome. Idle staff sessions lock.
 */
#ifndef UI_MENU_H
#define UI_MENU_H

#include <stdint.h>

#include "app/app_io.h"
#include "ui/ui_widget.h"

typedef enum ui_menu_screen {
    UI_MENU_OFF = 0,
    UI_MENU_LOGIN,
    UI_MENU_HOME,
    UI_MENU_REPRINT,
    UI_MENU_PURGE,
    UI_MENU_LOG,
    UI_MENU_READER,
} ui_menu_screen;

/* What the app is asked to do after a tap. */
typedef enum ui_menu_action {
    UI_MENU_NONE = 0,
    UI_MENU_DO_LOGIN,      /* check pin (app_io_login) */
    UI_MENU_DO_DASHBOARD,  /* refresh the figures */
    UI_MENU_DO_SYNC,       /* wake the sync worker */
    UI_MENU_DO_PRINT_TEST, /* a test page */
    UI_MENU_DO_REPRINT,    /* receipt_no: a copy */
    UI_MENU_DO_EXPORT,     /* a bundle to the export folder */
    UI_MENU_DO_PURGE,      /* acknowledged records older than the retention */
    UI_MENU_DO_SERVICE,    /* out_of_service changed */
    UI_MENU_DO_RESTART,    /* quit; systemd starts the kiosk again */
    UI_MENU_DO_LOGOUT,     /* the staff session ended */
} ui_menu_action;

#define UI_MENU_IDLE_MS 120000 /* a staff session locks after two minutes untouched */

typedef struct ui_menu {
    ui_menu_screen screen;
    char pin[16];
    int pin_len;
    char staff[32]; /* logged in, "" before */
    int role;       /* staff_role */
    int64_t last_touch_ms;
    int corner_taps; /* the way in: taps on the attract screen's corner */
    int64_t corner_first_ms;
    const char *note_key; /* the outcome of the last action, a string key */
    char note_arg[128];   /* a number or path filled into the note */
    int note_bad;         /* shown in red */
    app_io_result dash;   /* the dashboard's figures */
    int has_dash;
    char digits[13]; /* reprint: YYYYMMDD + NNNN typed */
    int ndigits;
    char receipt_no[40];
    int out_of_service;
    char card_info[160];   /* reader test: what the card said (no personal data) */
    char card_uid[24];     /* login: a staff card on the reader (its UID), "" for none */
    int64_t sync_until_ms; /* after "sync now": the figures refresh each second until then */
    int64_t dash_at_ms;
    int checking; /* a login is being checked (argon2id takes a moment): the keypad waits */
} ui_menu;

/* What the menu shows besides its own state (borrowed for the draw). */
typedef struct ui_menu_env {
    const char *hall_code;
    const char *hall_name;
    const char *agency_phone;
    const char *version;
    int retention_days;
    const char *reader_state; /* string key: screen.m_reader_ok / _fault / _none */
    const char *printer_state;
    const char *battery; /* portable units: "电量 45% · 充电中", else NULL */
} ui_menu_env;

void ui_menu_wipe(ui_menu *m);

/* A tap on the attract screen's corner at now_ms: 1 when that opened the login. */
int ui_menu_corner_tap(ui_menu *m, int64_t now_ms);

void ui_menu_draw(ui_ctx *c, const ui_menu *m, const ui_menu_env *env);

/* A tap on widget id of the menu; returns what the app must do. */
ui_menu_action ui_menu_tap(ui_menu *m, const char *id, int64_t now_ms);

/* The app reports an I/O outcome for the menu (login, dashboard, print, export, purge). */
void ui_menu_result(ui_menu *m, const app_io_result *r);

/* While a sync runs after "sync now", 1 once a second: refresh the figures (the counts
 * moving from queued to acknowledged are the progress). */
int ui_menu_wants_figures(ui_menu *m, int64_t now_ms);

/* Time passes: 1 when the staff session locked for want of touches (audit it). */
int ui_menu_tick(ui_menu *m, int64_t now_ms);

#endif
