/*
 * The receipt printer behind one small ops table: send an ESC/POS job, ask its
 * real-time status, close. Backends: a USB printer-class device (/dev/usb/lp*), a
 * serial port (termios), the image printer (the demo's and a laptop's: it reads each
 * job back into paper and keeps every page as a PNG named by the job's title), a file
 * (the job bytes appended, for development), and a simulated printer that decodes the
 * job back into an image and can inject faults. Every backend takes the same bytes.
 * Callers: the print worker thread, never the UI thread (writes block).
 */
#ifndef KIOSK_PRINTER_H
#define KIOSK_PRINTER_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"
#include "printer/escpos.h"

typedef struct printer printer;

typedef struct printer_ops {
    const char *name;
    /* Send all n bytes (borrowed). KIOSK_PRINTER/KIOSK_PAPER_OUT/KIOSK_TIMEOUT/KIOSK_IO. */
    kiosk_rc (*write)(printer *p, const uint8_t *bytes, size_t n);
    /* Ask DLE EOT 1, 2 and 4 and fold the replies. KIOSK_TIMEOUT when it does not answer,
     * KIOSK_CORRUPT for a reply that is not a status byte, KIOSK_UNSUPPORTED for a
     * backend that cannot read back (file). */
    kiosk_rc (*status)(printer *p, escpos_status *out);
    void (*close)(printer *p);
    /* The next job's title (copied), for a backend that keeps jobs by name; NULL for
     * device printers, which ignore titles. */
    void (*title)(printer *p, const char *title);
} printer_ops;

struct printer {
    const printer_ops *ops;
};

/* Open a device backend. path is copied. For serial, baud is one of 9600, 19200, 38400,
 * 57600, 115200. On failure *out is NULL: KIOSK_NOT_FOUND (no such device), KIOSK_IO,
 * KIOSK_INVALID (bad baud), KIOSK_NOMEM. */
kiosk_rc printer_open_usb(const char *path, printer **out);
kiosk_rc printer_open_serial(const char *path, int baud, printer **out);
/* Append every job to path (created 0600 if missing). */
kiosk_rc printer_open_file(const char *path, printer **out);
/* The image printer: paper width_dots wide (a multiple of 8); every page (up to each
 * cut) becomes <dir>/<title>.png (dir created 0700 if missing; "page-N" without a
 * title). KIOSK_INVALID for a bad width, KIOSK_NOMEM. */
kiosk_rc printer_open_images(const char *dir, int width_dots, printer **out);

/* Name the next job (a receipt number: [A-Za-z0-9._-], up to 63 characters). Device
 * printers ignore it. */
void printer_set_title(printer *p, const char *title);

/* A 1-bit page as a PNG file: rows of width/8 bytes, MSB left, 1 = black (borrowed).
 * KIOSK_IO, KIOSK_NOMEM. Any thread. */
kiosk_rc printer_write_png(const char *path, const uint8_t *bits, int width, int rows);

/* Send a whole job, checking status first when the backend can: paper out or offline
 * is reported before any byte is sent. */
kiosk_rc printer_print(printer *p, const uint8_t *bytes, size_t n);

/* Close and free (NULL is fine). */
void printer_close(printer *p);

#endif
