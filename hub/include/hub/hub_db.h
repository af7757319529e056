/*
 * The hub's record database: registered devices, the sealed records they sent (by HTTP or
 * USB bundle) and the request signatures seen recently (replay protection). One interface,
 * two backends (hub_db_impl.h): a SQLite file for one hall (WAL, synchronous=FULL, schema
 * versioned with user_version), or a PostgreSQL 15 database for a region, where several hub
 * processes ingest into one database (uniqueness enforced by its constraints). Both give
 * the same answers. It checks each record's device signature and dedupes by UUID and
 * (device, epoch, seq); it never opens a sealed record (that is hub_export, with the
 * upstream secret key). One connection: use a hub_db from one thread at a time.
 */
#ifndef KIOSK_HUB_DB_H
#define KIOSK_HUB_DB_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"
#include "proto/health_proto.h"
#include "proto/sync_proto.h"
#include "proto/sync_status.h"

typedef struct hub_db hub_db;

#define HUB_DB_SCHEMA_VERSION 7
#define HUB_DEVICE_NAME_MAX 128 /* bytes of a device name, terminator included */

/* Open (creating or migrating) the database at where (borrowed): a postgresql:// or
 * postgres:// URL (libpq URI) opens PostgreSQL, anything else is a SQLite file path. On
 * failure *out is NULL: KIOSK_CORRUPT (integrity check failed, or a schema newer than this
 * hub), KIOSK_READ_ONLY, KIOSK_DISK_FULL, KIOSK_BUSY, KIOSK_IO, KIOSK_NET (PostgreSQL
 * unreachable or refusing the login), KIOSK_NOMEM. */
kiosk_rc hub_db_open(const char *where, hub_db **out);
/* 1 when where (may be NULL) names a PostgreSQL database rather than a SQLite file. */
int hub_db_is_url(const char *where);
/* "sqlite" or "postgresql". */
const char *hub_db_backend(const hub_db *db);
/* Close and free; NULL is fine. */
void hub_db_close(hub_db *db);

/* Register a device's Ed25519 public key (copied) under name (copied, may be NULL or "";
 * cut at HUB_DEVICE_NAME_MAX - 1 bytes). Adding a known device updates its name, and
 * re-admits a removed one. KIOSK_OK, KIOSK_IO/DISK_FULL/READ_ONLY/BUSY. */
kiosk_rc hub_db_device_add(hub_db *db, const uint8_t public_key[32], const char *name,
                           int64_t now_ms);

/* Stop accepting records from a device. Its records stay (they reference the device), so
 * the row is only marked removed; hub_db_device_add re-admits it. KIOSK_NOT_FOUND for a
 * device never added or already removed. */
kiosk_rc hub_db_device_remove(hub_db *db, const uint8_t public_key[32]);

/* KIOSK_OK when the device is registered (and not removed), KIOSK_NOT_FOUND when not,
 * or a database error. */
kiosk_rc hub_db_device_known(hub_db *db, const uint8_t public_key[32]);

/* A device with its counts, for listings. */
typedef struct hub_device {
    uint8_t public_key[32];
    char name[HUB_DEVICE_NAME_MAX];
    int64_t added_ms;
    int removed;     /* 1 when removed (records kept, new ones refused) */
    int64_t records; /* records stored */
    int64_t max_seq; /* highest seq stored, 0 when none */
} hub_device;

/* Every device ever added (removed ones too), ordered by public key. On success *out is
 * owned (free()), NULL when *n is 0. On failure *out is NULL and *n 0. */
kiosk_rc hub_db_device_list(hub_db *db, hub_device **out, size_t *n);

/* Records and highest seq of one device (0, 0 for a device without records).
 * KIOSK_NOT_FOUND for a device never added. */
kiosk_rc hub_db_device_counts(hub_db *db, const uint8_t public_key[32], int64_t *records,
                              int64_t *max_seq);

/* Store n records (borrowed) sent by device_pk in ONE transaction. source is "http" or
 * "bundle". results (caller storage, n entries) receives one decision per record, in
 * order: accepted (stored); duplicate (this uuid is already stored with the same device,
 * seq and sealed bytes: nothing to do); rejected with reason "bad_record_signature" (the
 * record signature does not verify against device_pk), "uuid_conflict" (the uuid is
 * stored with another device, seq or content), "seq_conflict" (the device's seq is stored
 * under another uuid), "bad_uuid" / "bad_seq" (malformed, for callers that did not use
 * sync_body_decode). A rejection changes nothing. Once a record's signature has been
 * checked its result also carries the SHA-256 of its sealed bytes (has_sealed_sha256). Records of
 * one batch see each other: the same record twice in a batch is accepted once, then a duplicate.
 * KIOSK_OK when the transaction committed (results valid); KIOSK_NOT_FOUND for an
 * unknown or removed device, KIOSK_INVALID for a bad source or NULL arguments, a database
 * error otherwise (rolled back: nothing stored, results not valid). Thousands of records
 * a second: statements are prepared once and the batch commits once. */
kiosk_rc hub_db_ingest(hub_db *db, const uint8_t device_pk[32], const sync_record *recs, size_t n,
                       const char *source, int64_t now_ms, sync_result *results);
/* The same for records of one store epoch (16 bytes, borrowed; NULL: the legacy epoch,
 * zeros — a body whose head names none). Seqs are unique per (device, epoch): "seq_conflict"
 * means this epoch's seq is held under another uuid. Each record must sign version 2 of
 * the record message with that epoch, or version 1 (saved before records carried it; the
 * request or bundle that names the epoch is signed by the device). A record refused as
 * "seq_conflict" or "uuid_conflict" (its signature good) is kept in the reconciliation
 * table (hub_db_reconcile_count), sealed as it came. hub_db_ingest is this with NULL. */
kiosk_rc hub_db_ingest_epoch(hub_db *db, const uint8_t device_pk[32], const uint8_t *epoch,
                             const sync_record *recs, size_t n, const char *source, int64_t now_ms,
                             sync_result *results);

/* Refused records kept for reconciliation: how many, over every device (*count), and
 * of those, how many as seq_conflict (*seq_conflicts, may be NULL). */
kiosk_rc hub_db_reconcile_count(hub_db *db, int64_t *count, int64_t *seq_conflicts);

/* Replay protection for signed HTTP requests. Sets *seen to 1 when this request
 * signature (64 bytes, borrowed) was seen within the last 2 * SYNC_SKEW_MS, else 0; when
 * remember is non-zero and it was not seen, it is remembered as seen at now_ms. Entries
 * older than 2 * SYNC_SKEW_MS are pruned on the way (a request that old is refused as
 * stale anyway). KIOSK_OK or a database error (*seen 0). */
kiosk_rc hub_db_seen_request(hub_db *db, const uint8_t signature[64], int64_t now_ms, int remember,
                             int *seen);

/* A signed request's first look, before its body: KIOSK_OK with *seen as
 * hub_db_seen_request (remember 0) when the device is known and not removed,
 * KIOSK_NOT_FOUND when not, or a database error. One statement on PostgreSQL. */
kiosk_rc hub_db_request_admit(hub_db *db, const uint8_t public_key[32], const uint8_t signature[64],
                              int64_t now_ms, int *seen);

/* The high-water mark for a device's signed reply (sync_proto.h): the highest seq
 * stored and the audit head it last gave (as stored before this request), into out
 * (caller storage, present 1). given (borrowed, may be NULL or not present): the head
 * this request carries; it is stored when it is later (a higher id) than the one held —
 * the stored head never goes back. KIOSK_NOT_FOUND for a device never added, a
 * database error otherwise. */
kiosk_rc hub_db_mark(hub_db *db, const uint8_t public_key[32], const sync_head *given,
                     int64_t now_ms, sync_mark *out);

/* A records request from HTTP (source "http"): hub_db_ingest_epoch, then the request
 * signature remembered (hub_db_seen_request), then, when head (borrowed, may be NULL) is
 * present, the device's mark after this batch into mark (caller storage; present 0 when
 * not asked for). *replayed 1 (nothing stored, results not valid) when a request with this
 * signature was remembered first. PostgreSQL does all of it in one transaction — one
 * commit per request, and a crash cannot leave the records stored but the request
 * forgotten or the reverse — and finds a replay even when another hub process remembered
 * it a moment before. SQLite (one process) looks first, then runs the steps one after
 * another (a mark that cannot be read or kept is logged, present 0). Return codes as
 * hub_db_ingest_epoch. */
kiosk_rc hub_db_ingest_request(hub_db *db, const uint8_t device_pk[32], const uint8_t *epoch,
                               const sync_record *recs, size_t n, int64_t now_ms,
                               const uint8_t signature[64], const sync_head *head,
                               sync_result *results, int *replayed, sync_mark *mark);
/* The same for one store epoch (16 bytes, borrowed; NULL: hub_db_mark): max_seq is the
 * highest seq held for (device, epoch) or in the device's legacy rows, and out names the
 * epoch (has_epoch), so the unit knows this hub keys by epoch. */
kiosk_rc hub_db_mark_epoch(hub_db *db, const uint8_t public_key[32], const uint8_t *epoch,
                           const sync_head *given, int64_t now_ms, sync_mark *out);

/* A run of missing sequence numbers, first..last inclusive. */
typedef struct hub_gap {
    int64_t first;
    int64_t last;
    uint8_t epoch[16]; /* the store epoch it is in (zeros: legacy) */
} hub_gap;

/* The missing seq ranges of a device, per store epoch (ordered by epoch, then seq): in its
 * first epoch (the one with its lowest seq) between 1 and the epoch's highest seq, in a
 * later one between the lowest and the highest seq held (a later epoch begins past the
 * numbers before it, or in a block of its own, so its start is not known here).
 * On success *gaps is owned (free()), NULL when *n is 0. KIOSK_NOT_FOUND for a device
 * never added, KIOSK_NOMEM, a database error. */
kiosk_rc hub_db_gaps(hub_db *db, const uint8_t public_key[32], hub_gap **gaps, size_t *n);

/* One stored record, as hub_db_foreach_record hands it over. Everything is borrowed for
 * the callback only. */
typedef struct hub_db_record {
    const uint8_t *device; /* 32 bytes */
    const char *uuid;
    int64_t seq;
    const uint8_t *sealed;
    size_t sealed_len;
    const uint8_t *sig; /* 64 bytes: the device's record signature */
    int64_t received_ms;
    const char *source;
} hub_db_record;

/* Called once per record; a return other than KIOSK_OK stops the walk and is returned by
 * hub_db_foreach_record. */
typedef kiosk_rc (*hub_db_record_cb)(void *ctx, const hub_db_record *rec);

/* Walk every stored record ordered by (device, seq). The database must not be changed
 * from inside the callback. KIOSK_OK, the callback's code, or a database error. */
kiosk_rc hub_db_foreach_record(hub_db *db, hub_db_record_cb cb, void *ctx);

/* What the hub holds for one device, for its signed acknowledgement bundle: up to max
 * records (the highest seqs), each as an "accepted" result with its uuid and the SHA-256
 * of its sealed bytes. *out owned (free()), NULL when *n is 0. KIOSK_NOT_FOUND for a
 * device never added, KIOSK_NOMEM, a database error. */
kiosk_rc hub_db_device_results(hub_db *db, const uint8_t public_key[32], size_t max,
                               sync_result **out, size_t *n);

/* ---- kiosk events (help requests) ---- */

/* Store the events a device sent (POST /v2/events), idempotent on (device, seq, at_ms): an event
 * held already is not changed. One transaction. KIOSK_NOT_FOUND for a device never added
 * (or removed), a database error otherwise. */
kiosk_rc hub_db_events_add(hub_db *db, const uint8_t public_key[32], const sync_event *events,
                           size_t n, int64_t now_ms);

/* One stored event, borrowed for the callback only. */
typedef struct hub_db_event {
    const uint8_t *device; /* 32 bytes */
    const char *device_name;
    int64_t seq;
    const char *kind;
    const char *step;
    const char *hall_code;
    int64_t at_ms;       /* the unit's clock */
    int64_t received_ms; /* the hub's */
} hub_db_event;
typedef kiosk_rc (*hub_db_event_cb)(void *ctx, const hub_db_event *e);

/* Every event received at or after since_ms, oldest first. KIOSK_OK, the callback's code,
 * or a database error. */
kiosk_rc hub_db_foreach_event(hub_db *db, int64_t since_ms, hub_db_event_cb cb, void *ctx);

/* How many events of kind (borrowed) were received at or after since_ms. */
kiosk_rc hub_db_event_count(hub_db *db, const char *kind, int64_t since_ms, int64_t *count);

/* ---- processing state of a record (proto/sync_status.h) ----
 * A record the hub holds is "received" from its ingest on (no row: changed_ms is its
 * received_ms, changed_by "hub"); staff move it on to processing / approved /
 * needs_materials (with an optional note code). Every change is also written, in the same
 * transaction, to the record's state history (who, when, from what), never rewritten. */
#define HUB_STATE_ACTOR_MAX                                                                        \
    64 /* who changed it: "cli:<user>", "import:<file>", "console:<staff>" */

typedef struct hub_record_state {
    sync_record_state s; /* uuid, state (SYNC_STATE_UNKNOWN: not held), note, changed_ms */
    char changed_by[HUB_STATE_ACTOR_MAX];
    uint8_t device[32]; /* the device that sent the record (zeros when unknown) */
} hub_record_state;

/* Set the state of the record uuid (borrowed) to state (not UNKNOWN), with note (a
 * sync_state_notes code or "", only with needs_materials), by actor (borrowed, printable
 * ASCII, 1..HUB_STATE_ACTOR_MAX-1 bytes; cut). One transaction: the current state and a
 * history row. KIOSK_NOT_FOUND for a record the hub does not hold, KIOSK_INVALID for a
 * bad uuid, state, note or actor, a database error otherwise (nothing changed). */
kiosk_rc hub_db_state_set(hub_db *db, const char *uuid, sync_state state, const char *note,
                          const char *actor, int64_t now_ms);
/* The state of the record uuid (borrowed) into out (caller storage). device (borrowed, may
 * be NULL: any): when given, a record of another device is answered as not held. A record
 * not held: KIOSK_OK with out->s.state SYNC_STATE_UNKNOWN. A database error otherwise. */
kiosk_rc hub_db_state_get(hub_db *db, const uint8_t *device, const char *uuid,
                          hub_record_state *out);
/* One change of a record's state, borrowed for the callback only. */
typedef struct hub_db_state_change {
    const char *uuid;
    const char *state; /* the state's name */
    const char *note;
    int64_t changed_ms;
    const char *changed_by;
} hub_db_state_change;
typedef kiosk_rc (*hub_db_state_cb)(void *ctx, const hub_db_state_change *c);
/* Every recorded change of the record uuid's state, oldest first. KIOSK_OK, the
 * callback's code, or a database error. */
kiosk_rc hub_db_state_history(hub_db *db, const char *uuid, hub_db_state_cb cb, void *ctx);

/* ---- a record's unsealed metadata: its type and receipt number ----
 * What the receipt shows, so the check page and staff can find a record by (device,
 * receipt number); nothing personal (a receipt number is HALL-YYYYMMDD-NNNN). Kept in a
 * table of its own beside the record (record_meta), written once: the first value stays. */
#define HUB_META_TYPE_MAX 16
#define HUB_META_RECEIPT_MAX 40
/* Keep record_type ([a-z_], 1..15) and receipt_no ([A-Za-z0-9-], 1..39) for the record
 * uuid held. KIOSK_NOT_FOUND for a record not held, KIOSK_INVALID for a malformed value,
 * a database error otherwise. A record with metadata already keeps it (KIOSK_OK). */
kiosk_rc hub_db_meta_put(hub_db *db, const char *uuid, const char *record_type,
                         const char *receipt_no);
/* The uuid (caller storage) of the record device sent with receipt_no (borrowed).
 * KIOSK_NOT_FOUND when none (not synced yet, or sent without metadata). */
kiosk_rc hub_db_find_receipt(hub_db *db, const uint8_t device[32], const char *receipt_no,
                             char uuid[SYNC_UUID_LEN + 1]);
/* 1 when s is a record type or a receipt number as hub_db_meta_put takes them. */
int hub_db_meta_type_ok(const char *s);
int hub_db_meta_receipt_ok(const char *s);
/* ---- unit health reports (health_proto.h) ----
 * One row per report a unit sent (POST /v3/health) or brought in a bundle ("-health.kb"):
 * the device, when the hub received it, the unit's time and every field as a column, kept
 * HUB_HEALTH_RETENTION_DAYS (older rows are pruned by every insert). Nothing personal. */
#define HUB_HEALTH_RETENTION_DAYS 30
#define HUB_HEALTH_RETENTION_MS ((int64_t)HUB_HEALTH_RETENTION_DAYS * 86400000)

/* Store report r (borrowed) of a device, received at now_ms from source ("http" or
 * "bundle"); idempotent on (device, seq, at_ms): a report held already is not changed
 * (*added 0, may be NULL). Rows received before now_ms - HUB_HEALTH_RETENTION_MS go.
 * KIOSK_NOT_FOUND for a device never added (or removed), KIOSK_INVALID for a report that is
 * not valid, a database error otherwise. */
kiosk_rc hub_db_health_add(hub_db *db, const uint8_t public_key[32], const health_report *r,
                           const char *source, int64_t now_ms, int *added);

/* One stored report, borrowed for the callback only. */
typedef struct hub_db_health {
    const uint8_t *device; /* 32 bytes */
    const char *device_name;
    int64_t received_ms; /* the hub's clock */
    const char *source;  /* "http" or "bundle" */
    health_report report;
} hub_db_health;
typedef kiosk_rc (*hub_db_health_cb)(void *ctx, const hub_db_health *h);

/* The latest report of every device that sent one (the highest unit time, then the latest
 * received), ordered by device name then key. KIOSK_OK, the callback's code, a database
 * error. For `kiosk-hub health`, `kiosk-hub status` and the console. */
kiosk_rc hub_db_health_latest(hub_db *db, hub_db_health_cb cb, void *ctx);

/* The reports received at or after since_ms of one device (public_key borrowed; NULL:
 * every device), ordered by device, then the unit's time, oldest first. As latest. */
kiosk_rc hub_db_health_history(hub_db *db, const uint8_t *public_key, int64_t since_ms,
                               hub_db_health_cb cb, void *ctx);

/* Remove the reports received before before_ms; *removed (may be NULL) how many. */
kiosk_rc hub_db_health_prune(hub_db *db, int64_t before_ms, int64_t *removed);

/* 1 when the report shows a problem staff should see, with a short reason (ASCII, caller
 * storage): printer out of paper, offline or faulty, reader down, disk under 10 %, the last
 * update failed or fell back. Pure. */
int hub_health_problem(const health_report *r, char *why, size_t why_size);

/* The same, the reasons in Chinese with the English beside ("打印机缺纸 printer out of
 * paper"; UTF-8), as the console says them. */
int hub_health_problem_zh(const health_report *r, char *why, size_t why_size);
/* ---- the console's queries (hub_console, hub_staff) ---- */

/* A parameter of hub_db_query: an integer, a text (borrowed) or bytes (borrowed). */
typedef struct hub_qparam {
    char kind; /* 'i', 't' or 'b' */
    int64_t i;
    const char *t;
    const uint8_t *b;
    size_t len;
} hub_qparam;

/* A query's answer as text: nrows * ncols cells, row by row; a cell is NULL for SQL NULL.
 * Integers are in decimal; select bytes as hex in the SQL. Free with hub_rows_free. */
typedef struct hub_rows {
    size_t nrows, ncols;
    char **cell;
    size_t ncells, cap; /* the backend's, while filling */
} hub_rows;
void hub_rows_free(hub_rows *rows);
/* The cell at (row, col), "" for NULL or out of range (borrowed from rows). */
const char *hub_rows_get(const hub_rows *rows, size_t row, size_t col);
int64_t hub_rows_i64(const hub_rows *rows, size_t row, size_t col);

/* One statement of the console's own (accounts, sessions, audit, summaries), written once
 * with $1, $2 … placeholders (the SQLite backend binds them as ?1, ?2 …); pg_sql (may be
 * NULL: the same) is the PostgreSQL spelling where the dialects differ. params borrowed.
 * *rows (may be NULL when no answer is wanted) owned (hub_rows_free), *changes (may be
 * NULL) the rows changed. KIOSK_OK, KIOSK_INVALID for a row the database refuses (a
 * constraint: a name taken), a database error otherwise. One statement. */
kiosk_rc hub_db_query(hub_db *db, const char *sql, const char *pg_sql, const hub_qparam *params,
                      size_t n, hub_rows **rows, int64_t *changes);

#endif
