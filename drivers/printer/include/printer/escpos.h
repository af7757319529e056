/*
 * ESC/POS encoding for thermal receipt printers: initialise, a 1-bit raster image sent
 * in bands with GS v 0, feed, cut, and the real-time status queries DLE EOT n with a
 * parser of their one-byte replies. Pure byte work appended to a caller's kiosk_buf,
 * whose cap bounds the job (KIOSK_RANGE past it); no I/O (the printer backends send the
 * bytes).
 */
#ifndef KIOSK_ESCPOS_H
#define KIOSK_ESCPOS_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"

typedef struct kiosk_buf kiosk_buf; /* core/kiosk_buf.h */

/* ESC @: reset the printer to its power-on modes. */
kiosk_rc escpos_init(kiosk_buf *b);

/* A 1-bit image: rows of width_bytes bytes, most significant bit = leftmost dot, 1 =
 * black (the GS v 0 convention). Sent as GS v 0 commands of at most band_rows rows each
 * (1..2047; printers with small buffers want 128 or less). bits is borrowed. */
kiosk_rc escpos_raster(kiosk_buf *b, const uint8_t *bits, int width_bytes, int rows, int band_rows);

/* The same image, smaller on the wire: runs of blank rows become ESC J feeds, and each
 * band is cut off right of its last inked byte (the printer leaves the rest white).
 * What lands on paper is identical to escpos_raster. */
kiosk_rc escpos_raster_compact(kiosk_buf *b, const uint8_t *bits, int width_bytes, int rows,
                               int band_rows);

/* ESC J n: print and feed n dots (0..255). */
kiosk_rc escpos_feed_dots(kiosk_buf *b, int dots);

/* ESC d n: print and feed n lines (0..255). */
kiosk_rc escpos_feed_lines(kiosk_buf *b, int lines);

/* GS V 66 0: feed to the cutter and cut, leaving a small hinge (partial cut). */
kiosk_rc escpos_cut(kiosk_buf *b);

/* DLE EOT n: ask for real-time status n (ESCPOS_STATUS_*). */
typedef enum escpos_status_query {
    ESCPOS_STATUS_PRINTER = 1, /* online/offline */
    ESCPOS_STATUS_OFFLINE = 2, /* why offline: cover, paper end, error */
    ESCPOS_STATUS_ERROR = 3,   /* cutter, unrecoverable, auto-recoverable */
    ESCPOS_STATUS_PAPER = 4,   /* roll sensors: near end, end */
} escpos_status_query;
kiosk_rc escpos_status_request(kiosk_buf *b, escpos_status_query n);

/* What the replies say, folded together. */
typedef struct escpos_status {
    int offline;
    int cover_open;
    int paper_near_end;
    int paper_out;
    int error; /* cutter, unrecoverable or auto-recoverable error */
} escpos_status;

/* Fold one reply byte to query n into *st (which starts zeroed). KIOSK_CORRUPT when the
 * byte's fixed bits (bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0) are wrong: not a
 * status reply. */
kiosk_rc escpos_status_parse(escpos_status_query n, uint8_t reply, escpos_status *st);

/* The one condition a screen should show for st: KIOSK_OK (printing possible, perhaps
 * paper near end), KIOSK_PAPER_OUT, or KIOSK_PRINTER (offline, cover open, error). */
kiosk_rc escpos_status_rc(const escpos_status *st);

#endif
