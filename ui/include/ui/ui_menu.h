/*
 * The maintenance menu for hall staff and technicians, behind a staff login. It opens
 * from a discreet place on the attract screen (five quick taps on the kiosk's name),
 * asks for a staff PIN, and shows a dashboard (records by state, last sync and error,
 * reader and printer, free disk, version, device id and key fingerprint) with the staff
 * actions: sync now, reader test, printer test page, reprint a receipt (marked 副本),
 * export a bundle to USB, purge acknowledged records (technicians, confirmed), out of
 * service, recent log lines, restart, log out. It only draws: the desk (app/desk.h)
 * holds the staff session, takes the touches and does the work.
 */
#ifndef UI_MENU_H
#define UI_MENU_H

#include <stdint.h>

#include "app/desk.h"
#include "ui/ui_widget.h"

/* What the menu shows besides its own state (borrowed for the draw). */
typedef struct ui_menu_env {
    const char *hall_code;
    const char *hall_name;
    const char *agency_phone;
    const char *version;
    int retention_days;
    const char *reader_state; /* string key: screen.m_reader_ok / _fault / _none */
    const char *printer_state;
    const char *store_state; /* string key when records cannot be saved, else NULL */
    const char *battery;     /* portable units: "电量 45% · 充电中", else NULL */
} ui_menu_env;

/* Draw the desk's screen (not DESK_OFF). */
void ui_menu_draw(ui_ctx *c, const desk *m, const ui_menu_env *env);

#endif
