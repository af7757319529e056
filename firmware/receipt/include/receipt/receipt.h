/*
 * The receipt as one 1-bit image: laid out with the project's font (FreeType, with
 * per-character fallback, so every character of a name prints whatever fonts the
 * printer has), a QR code (libqrencode) carrying the signed payload, for 58 mm (384
 * dots) or 80 mm (576 dots) paper. The same image is written as PNG for the on-screen
 * preview and encoded as ESC/POS raster for the printer. Knows nothing about records:
 * the caller fills a receipt_doc with text from the string table.
 */
#ifndef KIOSK_RECEIPT_H
#define KIOSK_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"
#include "printer/escpos.h"

#define RECEIPT_MAX_LINES 16
#define RECEIPT_MAX_PARAS 8

typedef struct receipt_fonts receipt_fonts;

/* Open the font stack (paths borrowed, opened now). *out is owned: receipt_fonts_destroy.
 * KIOSK_FONT when a file is missing or not a font. */
kiosk_rc receipt_fonts_load(const char *const *paths, size_t n, receipt_fonts **out);
void receipt_fonts_destroy(receipt_fonts *f);

typedef struct receipt_line {
    const char *label; /* "回执编号" */
    const char *value; /* "DEMO01-20261122-0007" */
} receipt_line;

/* What a receipt says. Every pointer is borrowed for the call. */
typedef struct receipt_doc {
    const char *title;     /* 失业登记回执 */
    const char *copy_mark; /* 副本 on a reprint, else NULL */
    const char *hall_name;
    receipt_line lines[RECEIPT_MAX_LINES];
    size_t nlines;
    const char *paras[RECEIPT_MAX_PARAS]; /* what happens next, address, phone */
    size_t nparas;
    const char *qr_payload; /* receipt_payload_make output */
    const char *qr_caption; /* "扫码核验" */
} receipt_doc;

/* A 1-bit image: rows of width/8 bytes, most significant bit = leftmost dot, 1 = black. */
typedef struct receipt_bitmap {
    int width, rows;
    uint8_t *bits;         /* owned: receipt_bitmap_deinit */
    size_t missing_glyphs; /* characters no font could draw (printed as a box) */
} receipt_bitmap;

/* Lay out and render doc at width_dots (384 or 576). On failure out->bits is NULL.
 * KIOSK_INVALID (bad width or missing title/payload), KIOSK_RANGE (QR payload too long),
 * KIOSK_NOMEM. Any thread; fonts must not be used by two threads at once. */
kiosk_rc receipt_render(receipt_fonts *fonts, const receipt_doc *doc, int width_dots,
                        receipt_bitmap *out);
void receipt_bitmap_deinit(receipt_bitmap *b);

/* Write the bitmap as a 1-bit grayscale PNG (black on white). KIOSK_IO on failure. */
kiosk_rc receipt_bitmap_write_png(const receipt_bitmap *b, const char *path);

/* Append the whole print job (init, raster in bands, feed, cut) to buf. */
kiosk_rc receipt_encode_escpos(const receipt_bitmap *b, kiosk_buf *buf);

#endif
