/*
 * Printing a stored record's receipt: the step after the record is committed. It reads
 * the record's staff view from the store (masked name and ID, hash, time — never the
 * sealed record), signs the QR payload with the device key, lays the receipt out from
 * the string table, sends the job to the printer (the image printer too: it keeps the
 * page as a PNG) and hands the rendered receipt back for the screen, and stores the outcome
 * ("printed" or the error's name) with the record. A reprint is marked 副本. Print worker thread or
 * kioskctl; never the UI thread.
 */
#ifndef KIOSK_RECEIPT_JOB_H
#define KIOSK_RECEIPT_JOB_H

#include <stddef.h>

#include "config/kiosk_config.h"
#include "core/kiosk_clock.h"
#include "config/kiosk_strings.h"
#include "printer/printer.h"
#include "receipt/receipt.h"
#include "store/store.h"

#define RECEIPT_PLAN_MAX 6
#define RECEIPT_TYPE_LINES_MAX 4

typedef struct receipt_job {
    store *store;                 /* kept */
    const store_device_key *key;  /* kept: signs the QR payload */
    receipt_fonts *fonts;         /* kept */
    const kiosk_strings *strings; /* kept: the receipt's language */
    const kiosk_config *cfg;      /* kept: hall, agency, deadline, paper width */
    printer *printer;             /* kept; NULL: none could be opened (KIOSK_PRINTER) */
} receipt_job;

/* The follow-up plan (domain/followup.h), printed as 后续服务: the strings' keys of its
 * lines ("plan.job" …, borrowed) and its date. */
typedef struct receipt_plan {
    const char *keys[RECEIPT_PLAN_MAX];
    size_t n;
    kiosk_date by;
    /* the record type's own lines under 业务 (a label's string key and its value, both
     * borrowed; the caller's, short and in the receipt's language), printed whatever n */
    const char *line_keys[RECEIPT_TYPE_LINES_MAX];
    const char *line_values[RECEIPT_TYPE_LINES_MAX];
    size_t nlines;
} receipt_plan;

/* Open the printer the configuration names ([printer] backend: usb, serial, or file —
 * the image printer writing <receipt_no>.png into printer_output_dir). *out is owned
 * (printer_close); on failure NULL and the device's error (KIOSK_NOT_FOUND, KIOSK_IO,
 * KIOSK_PRINTER …): the printer is at fault, nothing takes its place. */
kiosk_rc receipt_printer_open(const kiosk_config *cfg, printer **out);

/* Print the receipt of receipt_no (copy: mark it 副本; the job's title is the receipt
 * number, with "-copy" for a copy). A real printer leaves no image of it on the unit.
 * preview (may be NULL) receives the rendered receipt for the screen, the caller's
 * to receipt_bitmap_deinit (bits NULL when it could not be rendered). Returns the
 * printer's outcome: KIOSK_OK, KIOSK_PAPER_OUT, KIOSK_PRINTER, ...; the outcome is
 * stored with the record either way. KIOSK_NOT_FOUND for an unknown receipt. */
kiosk_rc receipt_job_print(const receipt_job *job, const char *receipt_no, int copy,
                           receipt_bitmap *preview);

/* The same with the follow-up plan (borrowed; NULL or n == 0: none) as 后续服务 under the
 * record's lines. */
kiosk_rc receipt_job_print_plan(const receipt_job *job, const char *receipt_no, int copy,
                                const receipt_plan *plan, receipt_bitmap *preview);

/* Print a test page (the hall, the time, the paper width, a QR code) on p, to check the
 * paper, the print head and the cutter. fonts, strings (the [receipt] texts), cfg and p
 * borrowed. The printer's outcome, as receipt_job_print. Not the UI thread. */
kiosk_rc receipt_print_test_page(receipt_fonts *fonts, const kiosk_strings *strings,
                                 const kiosk_config *cfg, printer *p);

/* A slip of the hall's Level I information (政策和服务机构): one policy or one agency, the
 * hall's phone and a QR code that dials it. Nothing personal, no store record: the
 * caller audits it. Every pointer borrowed for the call. */
typedef struct receipt_slip {
    const char *kind;  /* the item's kind as printed: 政策, 服务机构 */
    const char *title; /* the policy's title, the agency's name */
    receipt_line lines[4];
    size_t nlines;
    const char *job_title; /* the printer's job title ("slip-policy-<id>") */
} receipt_slip;

/* Print slip on p (NULL: KIOSK_PRINTER) with the [receipt] slip texts of strings, the hall
 * and phone of cfg. preview (may be NULL) as for receipt_job_print. The printer's outcome.
 * Not the UI thread. */
kiosk_rc receipt_slip_print(receipt_fonts *fonts, const kiosk_strings *strings,
                            const kiosk_config *cfg, printer *p, const receipt_slip *slip,
                            receipt_bitmap *preview);

#endif
