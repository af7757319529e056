/*
 * The app's I/O worker: a thread that owns the record store, the device key and the
 * printer, so the UI thread never waits on a disk or a printer. It takes one job at a
 * time — "can a record be saved now?", "save this submission", "print this receipt" — and
 * reports each outcome through a callback on its own thread (the app turns it into an
 * SDL event). A submission's personal data is copied in and wiped as soon as the store
 * has sealed it.
 */
#ifndef UI_IO_H
#define UI_IO_H

#include <stddef.h>
#include <stdint.h>

#include "config/kiosk_config.h"
#include "core/kiosk_error.h"

typedef struct ui_io ui_io;

typedef enum ui_io_kind {
    UI_IO_READY = 1, /* rc: store_ready */
    UI_IO_SAVE,      /* rc, receipt_no */
    UI_IO_PRINT,     /* rc, png (the preview image) */
} ui_io_kind;

typedef struct ui_io_result {
    ui_io_kind kind;
    kiosk_rc rc;
    char receipt_no[40];
    char png[1024];
} ui_io_result;

/* Called on the worker thread; r is borrowed for the call. */
typedef void (*ui_io_callback)(void *ctx, const ui_io_result *r);

/* Start the worker for cfg (copied): it opens the device key, the store in
 * <state_dir>/kiosk.db, the receipt fonts and strings, and the printer. A failure there
 * does not stop the kiosk: every job then answers the error (the flow sends the citizen
 * to a counter) and the log says why. *out owned: ui_io_stop. KIOSK_NOMEM. */
kiosk_rc ui_io_start(const kiosk_config *cfg, ui_io_callback cb, void *ctx, ui_io **out);

/* Stop after the job in hand (a save in progress completes: it may already be the
 * citizen's), close everything, wipe. NULL is fine. */
void ui_io_stop(ui_io *io);

/* Queue a job. KIOSK_BUSY when one is already waiting (the journey asks one at a time).
 * Any thread. The submission's strings are copied. */
kiosk_rc ui_io_check_ready(ui_io *io);
typedef struct ui_io_submission {
    const char *registration_json;
    const char *evidence_json;
    const char *commitment_version;
    uint8_t commitment_sha256[32];
    const char *masked_name;
    const char *masked_id;
} ui_io_submission;
kiosk_rc ui_io_save(ui_io *io, const ui_io_submission *sub);
kiosk_rc ui_io_print(ui_io *io, const char *receipt_no, int copy);

/* Free disk under which the store refuses to start a registration. */
#define UI_IO_MIN_FREE_BYTES (16u << 20)

#endif
