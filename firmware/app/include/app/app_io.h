/*
 * The app's I/O worker: a thread that owns the record store, the device key and the
 * printer, so the UI thread never waits on a disk or a printer. It takes one job at a
 * time — "can a record be saved now?", "save this submission", "print this receipt" — and
 * reports each outcome through a callback on its own thread (the app turns it into an
 * SDL event). A submission's personal data is copied in and wiped as soon as the store
 * has sealed it.
 */
#ifndef APP_IO_H
#define APP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/kiosk_config.h"
#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"
#include "receipt/receipt.h"

typedef struct app_io app_io;

typedef enum app_io_kind {
    APP_IO_READY = 1,      /* rc: store_ready */
    APP_IO_SAVE,           /* rc, receipt_no */
    APP_IO_PRINT,          /* rc, png (the preview image) */
    APP_IO_LOGIN,          /* rc (staff_login), name, role, retry_ms */
    APP_IO_DASHBOARD,      /* counts, sync, free_mb, device_id, fingerprint */
    APP_IO_PRINT_TEST,     /* rc */
    APP_IO_EXPORT,         /* rc, count, path; counts[STORE_REJECTED]: of count, the records the
                            * hub refused (in "-refused" bundles, for its reconciliation) */
    APP_IO_PURGE,          /* rc, count */
    APP_IO_IMPORT_ACKS,    /* rc, count (newly acknowledged), counts[0] listed by the hub,
                            * counts[1] held differently there (left pending), png: the file */
    APP_IO_AUDIT,          /* rc: an entry appended */
    APP_IO_SERVICE,        /* count: 1 out of service, 0 in service (also sent once at start) */
    APP_IO_PRINTER,        /* rc: the printer could (KIOSK_OK) or could not be opened; sent at
                            * start and whenever that changes (it is looked for again) */
    APP_IO_STORE,          /* rc: whether a record can be saved now (store_ready: an upstream
                            * key, room on the disk, a sound database); sent at start and
                            * whenever it changes (checked every APP_IO_STORE_CHECK_MS and
                            * after every save) */
    APP_IO_HELP,           /* rc: a help request queued for the hub (store_event_add) */
    APP_IO_RECORDS,        /* rc, records[nrecords] (a citizen's, store_records_of),
                            * last_sync_ok_ms: when this unit last heard from the hub */
    APP_IO_DRAFT,          /* rc (KIOSK_NOT_FOUND: none for this citizen), draft[draft_len]:
                            * the citizen's unfinished form (store_draft_read), created_ms:
                            * when it was written */
    APP_IO_SLIP,           /* rc: a slip of 政策和服务机构 printed (app_io_print_slip) */
    APP_IO_RECORD_STATES,  /* after APP_IO_RECORDS, from the same job: records[nrecords] again
                            * with the hub's states (hub_answer 1), or the last known ones
                            * when the hub could not be asked (hub_answer -1, rc why) */
    APP_IO_SESSION_END,    /* rc: a session's touches counted for the health report */
    APP_IO_UPDATE_LIST,    /* rc (KIOSK_NO_MEDIUM: no stick), bundles[nbundles] */
    APP_IO_UPDATE_INSTALL, /* rc, update_version, update_detail (update.h's codes) */
    APP_IO_UPDATE_REBOOT,  /* rc: the reboot was asked for */
} app_io_kind;

/* 软件更新: the update bundles on a stick the menu lists at most. */
#define APP_IO_BUNDLES_MAX 4
typedef struct app_io_bundle {
    char name[128];   /* the file's name on the stick */
    char version[64]; /* from the bundle, when its signature is good */
    bool valid;       /* RAUC checked its signature against the unit's keyring */
    char detail[48];  /* why not: "bad_signature", "bad_bundle" */
} app_io_bundle;

/* 我的办理记录: the records of one citizen shown at most (the newest). */
#define APP_IO_RECORDS_MAX 6

/* One of a citizen's records as the screen lists it: nothing more personal than the
 * receipt carries (the receipt number, the time, the sync state). */
typedef struct app_io_record {
    char receipt_no[40];
    int64_t created_ms;
    int state;              /* store_state: 0 queued, 1 sent, 2 acknowledged, 3 rejected */
    char print_outcome[32]; /* "printed" or the failure's name */
    char record_type[16];   /* "registration", "deregistration", "jobseeker" */
    /* the hub's processing state (proto/sync_status.h), as last heard (0: none known) */
    int hub_state;          /* sync_state */
    char hub_note[24];      /* needs_materials: the material's code, else "" */
    int64_t hub_changed_ms; /* when it changed at the hub */
} app_io_record;

/* How long 我的办理记录 waits for the hub's states (the local list is shown at once). */
#define APP_IO_HUB_TIMEOUT_S 3

#define APP_IO_STORE_CHECK_MS 30000

typedef struct app_io_result {
    app_io_kind kind;
    kiosk_rc rc;
    char receipt_no[40];
    char png[1024];         /* export: the first bundle's path */
    receipt_bitmap preview; /* print: the receipt for the screen; its bits are the
                             * receiver's (receipt_bitmap_deinit), NULL if none */
    /* staff login */
    char name[32];
    int role;
    int64_t retry_ms;
    /* dashboard */
    int64_t counts[4]; /* by store_state */
    int64_t last_sync_ok_ms, last_sync_attempt_ms;
    char last_sync_error[128];
    uint64_t free_mb;
    char device_id[16];
    char fingerprint[24];
    int printer_state; /* 0 the image printer, 1 ready, 2 paper out, 3 fault */
    char refused[64];  /* the hub's reasons for the rejected records with their counts,
                        * "seq_conflict 2, …" ("" when none) */
    /* export, purge */
    int64_t count;
    int at_start; /* APP_IO_SERVICE: the state the store kept, reported once at start */
    /* records */
    app_io_record records[APP_IO_RECORDS_MAX];
    int nrecords;
    int hub_answer;       /* APP_IO_RECORDS: 0 the hub is being asked (a second result comes),
                           * 2 nothing to ask (no hub configured, no records); states: 1 the
                           * hub answered now, -1 it could not be asked or its answer was refused */
    int64_t hub_heard_ms; /* when the states shown were heard from the hub (0: never) */
    /* draft: owned by the receiver (wipe, then free()), NUL-terminated; NULL when none */
    char *draft;
    size_t draft_len;
    int64_t created_ms;
    /* 软件更新 */
    app_io_bundle bundles[APP_IO_BUNDLES_MAX];
    int nbundles;
    char update_version[64];
    char update_detail[48];
} app_io_result;

/* Called on the worker thread; r is borrowed for the call. */
typedef void (*app_io_callback)(void *ctx, const app_io_result *r);

/* Start the worker for cfg (copied) on clock (kept; NULL: the system clock, which dates
 * records and receipts): it opens the device key, the store in
 * <state_dir>/kiosk.db, the receipt fonts and strings, and the printer. A failure there
 * does not stop the kiosk: every job then answers the error (the flow sends the citizen
 * to a counter) and the log says why. *out owned: app_io_stop. KIOSK_NOMEM. */
kiosk_rc app_io_start(const kiosk_config *cfg, const kiosk_clock *clock, app_io_callback cb,
                      void *ctx, app_io **out);

/* Stop after the job in hand (a save in progress completes: it may already be the
 * citizen's), close everything, wipe. NULL is fine. */
void app_io_stop(app_io *io);

/* Queue a job (up to APP_IO_QUEUE wait; KIOSK_BUSY beyond). Any thread. Strings copied. */
#define APP_IO_QUEUE 8
kiosk_rc app_io_check_ready(app_io *io);
typedef struct app_io_submission {
    const char *registration_json;
    const char *evidence_json;
    const char *commitment_version;
    uint8_t commitment_sha256[32];
    const char *masked_name;
    const char *masked_id;
    const char *id_number;   /* NULL: the record cannot be found by 我的办理记录 */
    const char *record_type; /* registration_type_key of the record; NULL: "registration" */
    bool plan_on; /* the follow-up plan its receipt prints, kept beside it for a 副本 */
    unsigned plan_intents;
    kiosk_date plan_by;
} app_io_submission;
kiosk_rc app_io_save(app_io *io, const app_io_submission *sub);
kiosk_rc app_io_print(app_io *io, const char *receipt_no, int copy);
/* The same in the citizen's language (borrowed): "zh_Hant" prints the receipt in
 * Traditional Chinese with the Traditional font first; any other language prints zh_CN
 * (the receipt is the hall's record too, so English screens still print Chinese). */
kiosk_rc app_io_print_lang(app_io *io, const char *receipt_no, int copy, const char *lang);

/* The lines of a record's own type on its receipt (注销申报: the situation, its date, the
 * employer or business; 求职登记: the jobs, the area, the wage, the day work can start):
 * a label's string key ("receipt.situation") and its value, already short and in the
 * receipt's language — the print job never opens the sealed record. */
#define APP_IO_TYPE_LINES_MAX 4
typedef struct app_io_type_lines {
    int n;
    char key[APP_IO_TYPE_LINES_MAX][32];
    char value[APP_IO_TYPE_LINES_MAX][128];
} app_io_type_lines;

/* The follow-up plan printed on a registration's receipt (domain/followup.h). */
typedef struct app_io_plan {
    bool on;          /* print the plan */
    unsigned intents; /* 1 << followup_intent; 0: the general "131" plan */
    kiosk_date by;
    app_io_type_lines lines; /* the type's lines (n == 0: none), printed whether on or not */
} app_io_plan;
/* app_io_print_lang with the plan (borrowed, copied; NULL or !on: none). */
kiosk_rc app_io_print_plan(app_io *io, const char *receipt_no, int copy, const char *lang,
                           const app_io_plan *plan);

/* A slip of 政策和服务机构 (APP_IO_SLIP): one policy or one agency, in the receipt's
 * language (lang as for app_io_print_lang; the texts given in it), the hall's phone; no
 * record, nothing personal; audited as "slip.print" with the item's id. All borrowed,
 * copied. */
typedef struct app_io_slip {
    bool agency;           /* else a policy */
    const char *id;        /* "policy.<id>" / "agency.<id>" */
    const char *title;     /* the policy's title, the agency's name */
    int level;             /* agency: kiosk_info_level */
    const char *values[3]; /* policy: who, how; agency: address, phone, hours */
} app_io_slip;
kiosk_rc app_io_print_slip(app_io *io, const app_io_slip *slip, const char *lang);

/* Staff jobs (the maintenance menu). who: the logged-in staff name, for the audit log.
 * login: with a staff card's UID (or NULL for the PIN alone); the PIN is copied and
 * wiped after checking. export: signed bundles (as many as the hub's limit needs) of pending
 * records into dir. purge: acknowledged records older than days. audit: an entry for a
 * staff action done elsewhere (sync now, out of service). */
kiosk_rc app_io_login(app_io *io, const char *card_uid, const char *pin);
kiosk_rc app_io_dashboard(app_io *io);
kiosk_rc app_io_print_test(app_io *io);
kiosk_rc app_io_export(app_io *io, const char *dir, const char *who);
kiosk_rc app_io_purge(app_io *io, int days, const char *who);
/* The hub's signed acknowledgement bundle for this unit (sync_acks_file_name) from dir
 * (the stick: [export] dir, looked for only when mounted if [export] mount) imported as
 * sync_import_acks does: the records the hub holds become acknowledged. */
kiosk_rc app_io_import_acks(app_io *io, const char *dir, const char *who);
kiosk_rc app_io_audit(app_io *io, const char *who, const char *action, const char *subject,
                      const char *detail);
kiosk_rc app_io_service(app_io *io, int out_of_service, const char *who);

/* A citizen pressed 求助 at step (a voice_prompt_name, copied): queue a "help.request"
 * event for the hub with its audit entry (store_event_add; nothing personal). The
 * result (APP_IO_HELP) comes back so the session can wake the sync worker. */
kiosk_rc app_io_help(app_io *io, const char *step);

/* 我的办理记录: the records of id_number (copied, wiped after the look-up) saved on this
 * unit, newest first (APP_IO_RECORDS, at once, with the states last heard from the hub);
 * then, when a hub is configured, the same job asks the hub for their processing states
 * (POST /v3/status, signed by the device, only these records' uuids — the ones found by
 * this card's keyed hash — at most APP_IO_HUB_TIMEOUT_S), keeps what it answered in the
 * store, and reports APP_IO_RECORD_STATES. last_sync_ok_ms: when the unit last heard from
 * the hub. */
kiosk_rc app_io_records(app_io *io, const char *id_number);

/* A citizen's unfinished form (store/draft.h), so a power cut mid-form loses nothing.
 * put: keep body (a string, copied) as id_number's draft; clear: remove it. Both go into
 * one slot the worker empties before its next job (a newer put or clear replaces one not
 * yet written), so they never fill the queue however often the form changes. take: ask
 * for id_number's draft (APP_IO_DRAFT), if younger than APP_IO_DRAFT_MAX_AGE_MS (30 min,
 * the issue's); older ones are removed when the worker starts, whenever one is asked for
 * and on the worker's idle wakes, so one left by a power cut leaves the disk even if
 * nobody comes. */
#define APP_IO_DRAFT_MAX_AGE_MS (30LL * 60 * 1000)
kiosk_rc app_io_draft_put(app_io *io, const char *id_number, const char *body);
kiosk_rc app_io_draft_clear(app_io *io);
kiosk_rc app_io_draft_take(app_io *io, const char *id_number);

/* 软件更新 from a USB stick (technicians; the desk checks the role): list the *.raucb in
 * dir (the stick: [paths] export_dir, only when mounted if export_mount) with each one's
 * version and signature (RAUC); install dir/name (update_install: signature, version,
 * RAUC; the status file; audited with who); reboot into the new slot (audited). */
kiosk_rc app_io_update_list(app_io *io, const char *dir);
kiosk_rc app_io_update_install(app_io *io, const char *dir, const char *name, const char *who);
kiosk_rc app_io_update_reboot(app_io *io, const char *who);
/* The install's percentage as RAUC says it (0..100; -1 before any install). Any thread. */
int app_io_update_progress(app_io *io);
/* TEST HOOK: RAUC's operations for the update jobs (copied; NULL: the rauc command line,
 * the default). Before the first update job. */
struct update_rauc;
void app_io_set_update_rauc(app_io *io, const struct update_rauc *ops);

/* Free disk under which the store refuses to start a registration. */
#define APP_IO_MIN_FREE_BYTES (16u << 20)

/* ---- the health report's parts the I/O worker knows ---- */

/* A citizen's session ended after taps touches: counted for the unit's health report
 * (store_health_note_session: the number alone). Any thread. */
kiosk_rc app_io_session_end(app_io *io, int taps);

/* The printer as the I/O worker last saw it (a health_printer value of
 * proto/health_proto.h): when it opened or failed to, after every print and every status
 * asked. One I/O worker per process; HEALTH_PRINTER_UNKNOWN before it started. Any thread. */
int app_io_printer_health(void);

/* sync_health_fill_fn for the kiosk's health report (sync.h): the reader from
 * <state_dir>/reader.state (identity_health), the printer (app_io_printer_health), power
 * and battery from sysfs (drivers/power: "mains" without a battery). ctx: the state
 * directory (const char *, kept). r: struct health_report of proto/health_proto.h. Any
 * thread. */
struct health_report;
void app_io_health_fill(void *ctx, struct health_report *r);

#endif
