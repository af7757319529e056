/*
 * The outbox worker: sends pending kiosk events (help requests: urgent, so first), then
 * the sealed records that upstream has not acknowledged, to the hub
 * over HTTPS with libcurl, in batches, signed by the device key, and applies the hub's
 * per-record answers to the store — only answers signed by the hub's key. A thread with its own
 * database connection, woken by new records and by "sync now", backing off (capped, exponential,
 * full jitter) while the hub cannot be reached. Never deletes anything; never blocks its caller on
 * the network. Also writes the signed bundle files that portable units carry on USB (as
 * many as the hub's import limit needs) and imports the hub's signed acknowledgement
 * bundle they bring back.
 */
#ifndef KIOSK_SYNC_H
#define KIOSK_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"
#include "proto/sync_status.h"
#include "proto/health_proto.h"
#include "store/store.h"

/* Where a health report's parts come from beyond the store (sync_health_make). */
typedef void (*sync_health_fill_fn)(void *ctx, health_report *r);
typedef struct sync_health_source {
    const char *version;   /* the firmware's version (copied into reports); NULL: "unknown" */
    const char *state_dir; /* where <state>/update-status.json is looked for; NULL: none */
    int64_t started_ms;    /* the clock when the kiosk started (uptime); 0: uptime 0 */
    /* reader, printer, power and battery, which the sync room cannot see: called on the
     * calling thread (the sync worker's, or the exporter's) with the report filled from
     * the store; NULL: they stay unknown */
    sync_health_fill_fn fill;
    void *ctx;
} sync_health_source;

typedef struct sync_config {
    const char *url; /* hub base URL, "https://hub.example:8443" (copied); https only */
    int allow_plain_http_loopback; /* development: also http://127.0.0.1 or http://[::1] */
    /* The hub's Ed25519 public key (32 bytes, copied); NULL: the one provisioned in the
     * store (store_hub_key). A reply acknowledges records only when signed by it. */
    const uint8_t *hub_key;
    const char *ca_file; /* PEM CA bundle for the hub's certificate; NULL: system CAs */
    const char *db_path; /* the store the kiosk writes (the worker opens its own link) */
    const char *hall_code;
    const store_device_key *key; /* kept: signs requests and records */
    size_t batch;                /* records per request; 0: 200 */
    int64_t backoff_min_ms;      /* first retry within; 0: 1 s */
    int64_t backoff_max_ms;      /* retry delay cap; 0: 5 min */
    int64_t idle_poll_ms;        /* look for work this often when idle; 0: 5 min */
    long timeout_s;              /* one request, connect included; 0: 30 s */
    const kiosk_clock *clock;    /* kept; NULL: the system clock */
    /* the health report (POST /v3/health): sent by the worker at its start and then at most
     * every health_interval_ms (0: 15 min; < 0: never); health's strings are copied by
     * sync_worker_create, fill and ctx kept */
    int64_t health_interval_ms;
    sync_health_source health;
} sync_config;

/* What a round of sending did. */
typedef struct sync_round {
    size_t sent;           /* records carried by requests */
    size_t acked;          /* accepted or duplicate at the hub */
    size_t rejected;       /* kept for staff with the hub's reason */
    size_t requests;       /* HTTP requests made */
    size_t undecided;      /* sent but without an answer: go again later */
    int hub_ahead;         /* the hub holds seqs beyond this unit's: a new store epoch began */
    int audit_rolled_back; /* the hub holds an audit head this log lacks: alarm raised */
    size_t events_sent;    /* kiosk events (help requests) carried, sent before records */
    size_t events_acked;   /* marked sent on the hub's signed answer */
    int probed;            /* nothing was sent, so the hub was asked for its mark alone */
    size_t requeued;       /* refused as seq_conflict by a hub keyed by device alone: again */
    int health_sent;       /* a health report was acknowledged by the hub (sync_send_health) */
} sync_round;

/* Send everything pending now, on the calling thread, through s (borrowed): batches until
 * none is left or one fails. KIOSK_OK when nothing pending is left undecided; KIOSK_NET
 * (hub unreachable, reset, HTTP 5xx), KIOSK_INVALID (a reply that is not the protocol),
 * KIOSK_AUTH (the hub does not know this device or refuses its signature), KIOSK_TIMEOUT;
 * KIOSK_CRYPTO (hub fault: a 200 reply not signed by the hub key, records left queued),
 * KIOSK_CONFIG (a URL that is not https, or no hub key provisioned); store errors as
 * the store gives them. error (may be NULL) receives a one-line reason
 * for the log and staff, without personal data. For kioskctl and the worker. */
kiosk_rc sync_run_once(const sync_config *cfg, store *s, sync_round *round, char *error,
                       size_t error_size);

typedef struct sync_worker sync_worker;

/* Start the worker thread (it opens cfg->db_path itself). cfg is copied. *out owned (free
 * with sync_worker_destroy). KIOSK_CONFIG without url or key, KIOSK_NOMEM, store errors. */
kiosk_rc sync_worker_create(const sync_config *cfg, sync_worker **out);

/* Stop the worker (an HTTP request in flight is abandoned within about a second; what
 * it carried stays pending) and free. NULL is fine. */
void sync_worker_destroy(sync_worker *sy);

/* New record saved, help requested, or staff pressed "sync now": try at once, forgetting the
 * backoff. Any thread; never blocks. */
void sync_worker_wake(sync_worker *sy);

/* The worker's state for the UI and kioskctl. Any thread; never blocks on I/O. */
typedef struct sync_status_info {
    store_counts counts;     /* after the last round */
    int busy;                /* a round is running */
    int64_t last_ok_ms;      /* 0: never in this run */
    int64_t last_attempt_ms; /* 0: never */
    int64_t next_try_ms;     /* when the worker will try next (clock time) */
    kiosk_rc last_rc;
    char last_error[128];    /* "" after a success */
    int64_t clock_offset_ms; /* hub clock minus ours, learned from a stale_time reply */
    size_t rounds;
} sync_status_info;
void sync_worker_status(sync_worker *sy, sync_status_info *out);

/* Write every pending record (queued or sent, not rejected) of s to a signed bundle at
 * path for a USB stick. The records stay pending until the hub acknowledges them by a
 * later sync (then as duplicates). *count (may be NULL) gets how many were written.
 * KIOSK_NOT_FOUND when nothing is pending (no file written), KIOSK_RANGE when one file
 * would be over the hub's import limit (use sync_export_bundles), store and file errors. */
kiosk_rc sync_export_bundle(store *s, const store_device_key *key, const char *path, int64_t now_ms,
                            size_t *count);

/* ---- bundles of any size, and the hub's acknowledgements on a stick ---- */

typedef struct sync_export_options {
    size_t max_body;    /* bytes of one bundle's body; 0: SYNC_MAX_BODY (the hub's limit) */
    size_t max_records; /* records in one bundle; 0: SYNC_MAX_RECORDS */
    int refused;        /* 1: the records the hub refused (state rejected), for its reconciliation
                         * table, instead of the pending ones; they stay rejected here */
    /* a health report in "<base>-health.kb" beside the bundles (not with refused); its
     * counters count as reported once the export is written. NULL: no health file */
    const sync_health_source *health;
} sync_export_options;

#define SYNC_EXPORT_PATH_MAX 1024
typedef struct sync_export_result {
    size_t records;                   /* written, over every file */
    size_t files;                     /* bundle files written */
    size_t stale_removed;             /* temporary files of an interrupted export removed */
    char first[SYNC_EXPORT_PATH_MAX]; /* the first file's path ("" when none) */
    size_t events; /* pending kiosk events (help requests) in "<base>-events.kb" (up to
                    * SYNC_MAX_EVENTS, oldest first; they stay queued: the hub keeps each
                    * once, by device, seq and time) */
    int health;    /* 1: "<base>-health.kb" was written */
} sync_export_result;

/* Write every pending record (queued or sent, not rejected) of s into dir as as many
 * signed bundles as it takes to keep each under the hub's limits (opt, may be NULL):
 * "<dir>/<base>.kb" when one is enough, else "<base>-001of003.kb", "-002of003" …, each
 * importable alone and in any order. Every file is first written and fsynced under a
 * hidden temporary name (".<name>.kb.part", sync_bundle_temp_name) and renamed into
 * place only when all are written, so an interrupted export leaves nothing that looks
 * like a bundle; such leftovers in dir are removed first. The records stay pending until
 * the hub acknowledges them (a later sync, or sync_import_acks). out (may be NULL).
 * KIOSK_NOT_FOUND when nothing is pending (no file written), KIOSK_INVALID for a dir or
 * base that makes too long a path, KIOSK_NOMEM, store and file errors (every file of
 * this export removed). Not thread-safe with another export into the same dir. */
kiosk_rc sync_export_bundles(store *s, const store_device_key *key, const char *dir,
                             const char *base, int64_t now_ms, const sync_export_options *opt,
                             sync_export_result *out);

/* What an acknowledgement bundle did. */
typedef struct sync_acks_report {
    size_t listed;     /* records the hub says it holds for this unit */
    size_t acked;      /* records marked acknowledged now */
    size_t mismatched; /* listed, pending here, but the hub holds other bytes: left pending */
} sync_acks_report;

/* Import the hub's signed acknowledgement bundle at path (sync_proto.h, made by `hub
 * export-acks`): checked against this unit's device key and the hub key provisioned in
 * s (store_hub_key); then every pending record the hub holds with the same sealed bytes
 * is marked acknowledged exactly as a signed reply would (store_apply_outcomes with
 * hub_signed), so purge may delete it later, never below the retention floor. A refused
 * bundle changes nothing. who (borrowed) is for the audit log, which gets one entry
 * either way. error (may be NULL) receives a one-line reason without personal data.
 * KIOSK_OK; KIOSK_NOT_FOUND / KIOSK_IO (unreadable file); KIOSK_INVALID (not an
 * acknowledgement bundle, or a malformed body); KIOSK_AUTH (made for another unit);
 * KIOSK_CONFIG (no hub key provisioned); KIOSK_CRYPTO (signed by another key, or
 * altered); store errors. */
kiosk_rc sync_import_acks(store *s, const store_device_key *key, const char *path, const char *who,
                          sync_acks_report *report, char *error, size_t error_size);

/* ---- 我的办理记录: the hub's word on a citizen's records (POST /v3/status) ---- */

/* Ask the hub (cfg: url, key, hub_key or the one provisioned in s, ca_file, timeout_s —
 * keep it short, the citizen is waiting) for the processing state of n records (1 to
 * SYNC_STATUS_MAX uuids, borrowed): the ones this unit holds for the card just verified.
 * On KIOSK_OK out[i] (caller storage, n entries) is the state of uuids[i] and *hub_now_ms
 * the hub's clock. The answer is taken only when signed by the hub key for this request;
 * KIOSK_CRYPTO otherwise (nothing taken), KIOSK_NET / KIOSK_TIMEOUT (hub unreachable),
 * KIOSK_AUTH (the hub refuses this device), KIOSK_INVALID (a reply that is not the
 * protocol, or answers other uuids), KIOSK_UNSUPPORTED (a hub without the route: 404),
 * KIOSK_CONFIG. error (may be NULL) gets a one-line reason, nothing personal. On the
 * calling thread (the app's I/O worker), its own connection. */
kiosk_rc sync_query_states(const sync_config *cfg, store *s, const char (*uuids)[SYNC_UUID_LEN + 1],
                           size_t n, sync_record_state *out, int64_t *hub_now_ms, char *error,
                           size_t error_size);
/* ---- the health report ------------------------------------------------------------- */

/* Make a health report (caller storage) from the store s (borrowed: the counters since the
 * last acknowledged report, backlog, epoch, free disk; the report's number is taken) and
 * src (borrowed, may be NULL: version, uptime, the update's status file, then its fill
 * callback). covers (caller storage) says what the report carries, for
 * store_health_reported once the hub has it. Store errors. */
kiosk_rc sync_health_make(store *s, const sync_health_source *src, int64_t now_ms, health_report *r,
                          store_health *covers);

/* Send one health report now (POST /v3/health) made from s and cfg->health, on the calling
 * thread. KIOSK_OK when the hub's signed answer names it (its counters are then taken off);
 * KIOSK_UNSUPPORTED when the hub does not know the route (404: an older hub; nothing
 * changes); other errors as sync_run_once. Nothing is queued: a report that could not go is
 * made again, newer, next time, its counters still summed. error (may be NULL). */
kiosk_rc sync_send_health(const sync_config *cfg, store *s, char *error, size_t error_size);

#endif
