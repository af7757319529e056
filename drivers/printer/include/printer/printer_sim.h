/*
 * The simulated printer for tests and the demo: it parses the ESC/POS stream it
 * receives (ESC @, ESC J, ESC d, GS V, GS v 0, DLE EOT) back into a 1-bit paper image,
 * answers status queries from its simulated state, and injects faults: paper out after
 * N bytes, offline, cover open, a garbage status byte. Any byte sequence it does not
 * understand is an error the test sees, so an encoder bug cannot pass silently.
 */
#ifndef KIOSK_PRINTER_SIM_H
#define KIOSK_PRINTER_SIM_H

#include "printer/printer.h"

typedef struct printer_sim_faults {
    long paper_out_after; /* bytes accepted before the paper runs out; <0: never */
    int offline;
    int cover_open;
    int garbage_status; /* status replies are 0x00 */
} printer_sim_faults;

/* Create a simulated printer width_dots wide (multiple of 8). *out is owned; close it
 * with printer_close. */
kiosk_rc printer_sim_create(int width_dots, const printer_sim_faults *faults, printer **out);

/* The paper printed so far: rows of width_dots/8 bytes, MSB = left, 1 = black
 * (borrowed, valid until the next write or close), its height in dots, and how many
 * cuts were made. */
const uint8_t *printer_sim_paper(printer *p, int *rows);
int printer_sim_cuts(printer *p);
/* Parse errors seen (unknown command, band wider than the paper). */
int printer_sim_errors(printer *p);
/* Tear off the paper printed so far (wiped: a receipt shows a masked name). */
void printer_sim_clear(printer *p);
/* Change faults mid-run (e.g. reload paper). */
void printer_sim_set_faults(printer *p, const printer_sim_faults *faults);

#endif
