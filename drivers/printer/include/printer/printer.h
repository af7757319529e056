/*
 * The receipt printer behind one small ops table: send an ESC/POS job, ask its
 * real-time status, close. Backends: a USB printer-class device (/dev/usb/lp*), a
 * serial port (termios), a file (the job bytes appended, for development), and a
 * simulated printer that decodes the job back into an image and can inject faults.
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

/* Send a whole job, checking status first when the backend can: paper out or offline
 * is reported before any byte is sent. */
kiosk_rc printer_print(printer *p, const uint8_t *bytes, size_t n);

/* Close and free (NULL is fine). */
void printer_close(printer *p);

#endif
