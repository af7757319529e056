/*
 * The durable record store: one SQLite database (WAL, synchronous=FULL) holding sealed
 * records and what staff screens and receipts need — receipt number, masked summary,
 * state — never the readable record. A registration becomes a signed envelope (device
 * Ed25519 key) sealed to the upstream's public key (libsodium sealed box), stored with a
 * UUID, a per-device sequence number and a receipt number in one transaction. The
 * device cannot read a sealed record back. Not for the UI thread: calls do disk I/O.
 */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"

typedef struct store store;

#define STORE_SCHEMA_VERSION 12
#define STORE_UUID_LEN 36
#define STORE_RECEIPT_NO_MAX 32

/* The device identity: an Ed25519 key pair kept in <state_dir>/device.key (mode 0600). */
typedef struct store_device_key {
    uint8_t public_key[32];
    uint8_t secret_key[64];
} store_device_key;

/* Load the device key, creating it on first start. KIOSK_IO/KIOSK_READ_ONLY when the
 * state directory cannot be used, KIOSK_CORRUPT for a damaged key file (never silently
 * replaced: a new key would orphan the receipts already issued). */
kiosk_rc store_device_key_load(const char *state_dir, store_device_key *out);

/* Open (creating or migrating) the database at path. hall_code (copied) prefixes receipt
 * numbers. On failure *out is NULL: KIOSK_CORRUPT (integrity check failed, or a schema
 * newer than this firmware), KIOSK_READ_ONLY, KIOSK_DISK_FULL, KIOSK_IO. */
kiosk_rc store_open(const char *path, const char *hall_code, const store_device_key *key,
                    const kiosk_clock *clock, store **out);
void store_close(store *s);

/* Can a record be saved right now? Checked before the citizen signs, so nobody signs
 * into the void: KIOSK_OK, KIOSK_DISK_FULL (less than min_free_bytes free),
 * KIOSK_READ_ONLY, KIOSK_CORRUPT, KIOSK_CONFIG (no upstream key provisioned). */
kiosk_rc store_ready(store *s, uint64_t min_free_bytes);

/* Cap the database at max_bytes (0: no cap), so the store fails cleanly with
 * KIOSK_DISK_FULL before it fills the disk other programs need. */
kiosk_rc store_set_max_bytes(store *s, uint64_t max_bytes);

/* Provision the upstream's X25519 public key (32 bytes) for sealing. */
kiosk_rc store_set_upstream_key(store *s, const uint8_t public_key[32]);
/* The provisioned upstream key into out; KIOSK_CONFIG when there is none. */
kiosk_rc store_upstream_key(const store *s, uint8_t out[32]);

/* Provision the hub's Ed25519 public key (32 bytes): only replies signed by it
 * acknowledge records (sync_proto.h). Audited with its fingerprint. */
kiosk_rc store_set_hub_key(store *s, const uint8_t public_key[32]);
/* The provisioned hub key into out (read from the database each time, so a key
 * provisioned by kioskctl reaches a running sync worker); KIOSK_CONFIG when there is none. */
kiosk_rc store_hub_key(store *s, uint8_t out[32]);

/* What a citizen submits. All borrowed for the call. */
typedef struct store_submission {
    const char *registration_json; /* registration_to_json output */
    const char *evidence_json;     /* signature strokes with timing, as JSON */
    const char *commitment_version;
    const uint8_t *commitment_sha256; /* 32 bytes: hash of the exact text shown */
    const char *masked_name;          /* "张*丰" */
    const char *masked_id;            /* "3701**********123X" */
    const char *record_type;          /* the record's type as its JSON names it
                                         ("registration", "deregistration", "jobseeker"),
                                         for the receipt and 我的办理记录; NULL: registration */
} store_submission;

/* What the receipt and the screens get back. */
typedef struct store_saved {
    char uuid[STORE_UUID_LEN + 1];
    int64_t seq;
    char receipt_no[STORE_RECEIPT_NO_MAX + 1]; /* HALL-YYYYMMDD-NNNN */
    uint8_t hash[32];                          /* SHA-256 of the signed envelope */
    int64_t created_ms;
} store_saved;

/* Sign, seal and store sub in one transaction. After KIOSK_OK the record survives a
 * power cut. KIOSK_CONFIG without an upstream key, KIOSK_INVALID for missing parts,
 * KIOSK_DISK_FULL, KIOSK_READ_ONLY, KIOSK_IO. */
kiosk_rc store_save(store *s, const store_submission *sub, store_saved *out);

/* store_save, and the record found again by 我的办理记录 (store_records_of) for
 * id_number (borrowed; NULL: as store_save): the number is kept only as a keyed hash,
 * never in clear. */
kiosk_rc store_save_citizen(store *s, const store_submission *sub, const char *id_number,
                            store_saved *out);

/* Record states for the outbox. */
typedef enum store_state {
    STORE_QUEUED = 0,
    STORE_SENT = 1,
    STORE_ACKED = 2,
    STORE_REJECTED = 3,
} store_state;

typedef struct store_counts {
    int64_t by_state[4];
} store_counts;

kiosk_rc store_count(store *s, store_counts *out);

/* Record the print outcome for a receipt number: "printed" or a failure reason key. */
kiosk_rc store_set_print_outcome(store *s, const char *receipt_no, const char *outcome);

/* Look up the staff view of a record by receipt number (masked fields only). */
typedef struct store_summary {
    char uuid[STORE_UUID_LEN + 1];
    char receipt_no[STORE_RECEIPT_NO_MAX + 1];
    char masked_name[64];
    char masked_id[32];
    store_state state;
    char print_outcome[32];
    uint8_t hash[32];
    int64_t created_ms;
    char record_type[16];  /* "registration" (also every record saved before schema 9) … */
    int plan_on;           /* a follow-up plan was printed with it (schema 10): */
    unsigned plan_intents; /* its plans' bits */
    char plan_due[11];     /* its date, "YYYY-MM-DD" */
} store_summary;
kiosk_rc store_find(store *s, const char *receipt_no, store_summary *out);

/* Keep the follow-up plan printed with the record receipt_no (borrowed) beside it
 * (record_plans, schema 10), so a 副本 carries it as the original did: the plans' bits
 * (domain/followup.h; 0: the general one) and due, "YYYY-MM-DD" — nothing personal.
 * Replaces one kept before. KIOSK_NOT_FOUND (no such record), KIOSK_INVALID (due not a
 * date's shape), store errors. Not the UI thread. */
kiosk_rc store_set_plan(store *s, const char *receipt_no, unsigned intents, const char *due);

/* 我的办理记录: the records saved on this unit for the ID number id_number (borrowed),
 * newest first, up to max into out (caller storage); *n how many. The store keeps no ID
 * number in clear: each record saved with store_submission.id_number carries a keyed
 * BLAKE2b hash of it (records.id_key, schema 8), keyed by a lookup key derived from the
 * device's secret key, so the database alone (or another unit's key) cannot tell whose
 * records they are, nor test a guessed number. Records saved before schema 8 have none
 * and are not found. A purged record is gone with its hash. KIOSK_INVALID for an empty
 * id_number; store errors. Not the UI thread. */
kiosk_rc store_records_of(store *s, const char *id_number, store_summary *out, size_t max,
                          size_t *n);

/* The sealed bytes of a record (for sync and export). *sealed is owned (free()). */
kiosk_rc store_sealed(store *s, const char *uuid, uint8_t **sealed, size_t *len);

/* ---- the outbox ---- */

/* One record waiting for upstream; every pointer borrowed for the callback only. */
typedef struct store_pending {
    const char *uuid;
    int64_t seq;
    const uint8_t *sealed;
    size_t sealed_len;
    int attempts;              /* requests that carried it so far */
    const uint8_t *record_sig; /* 64 bytes, see sync_record_message; NULL for records
                                * saved by firmware before schema 2: sign when sending */
    const uint8_t *epoch;      /* 16 bytes: the store epoch it was numbered in (NULL only
                                * in a database without epochs); records saved by this
                                * firmware are signed with it (sync_record_message_epoch),
                                * older ones in version 1 */
    /* the unsealed metadata and its signature (version 3 of the record message, with the
     * epoch): meta_sig NULL for a record saved before schema 10 */
    const uint8_t *meta_sig;
    const char *record_type;
    const char *receipt_no;
} store_pending;

/* Return nonzero from the callback to stop early. */
typedef int (*store_pending_fn)(void *ctx, const store_pending *rec);

/* Up to max records not yet acknowledged nor rejected (queued, or sent without an answer:
 * a crash between sending and the answer sends them again, which the hub dedupes), with
 * seq > after_seq, lowest seq first. *count (may be NULL) receives how many were passed. */
kiosk_rc store_pending_each(store *s, int64_t after_seq, size_t max, store_pending_fn fn, void *ctx,
                            size_t *count);

/* The same for the records the hub refused (state rejected), lowest seq first: for an
 * export that takes them to the hub's reconciliation (kioskctl export --refused). */
kiosk_rc store_refused_each(store *s, int64_t after_seq, size_t max, store_pending_fn fn, void *ctx,
                            size_t *count);

/* TEST HOOK: the query plans (EXPLAIN QUERY PLAN) of the batch selection and of
 * store_mark_sent, one line each, prefixed "pending: " / "mark_sent: ", into out (size
 * bytes, always terminated). KIOSK_RANGE when they do not fit. Lets a test check that a
 * batch is read from an index in order, not sorted. */
kiosk_rc store_outbox_plan(store *s, char *out, size_t size);

/* Mark the pending records with after_seq < seq <= last_seq as sent (in flight) before
 * a request: state queued -> sent, attempts + 1. One statement, one transaction. The
 * range is what store_pending_each just gave (pending records are taken in seq order). */
kiosk_rc store_mark_sent(store *s, int64_t after_seq, int64_t last_seq);

/* What upstream said about one record. */
typedef struct store_outcome {
    const char *uuid;   /* borrowed */
    int acknowledged;   /* 1: accepted or duplicate; 0: rejected */
    const char *reason; /* borrowed; the hub's reason when rejected */
    int hub_signed;     /* 1: the answer came in a reply whose hub signature verified */
} store_outcome;

/* Apply upstream's answers in one transaction: acknowledged -> STORE_ACKED (acked_ms =
 * now), rejected -> STORE_REJECTED with the reason (kept for staff, never dropped). An
 * acknowledgement without hub_signed changes nothing (the record stays pending), so
 * STORE_ACKED always means "acknowledged with a valid hub signature" (schema 4 sent the
 * records that older firmware took as acknowledged from unsigned replies back to the
 * queue). Only records still queued or sent change: an acknowledged record stays
 * acknowledged. Unknown uuids are skipped. *changed (may be NULL) receives how many
 * records changed. */
kiosk_rc store_apply_outcomes(store *s, const store_outcome *o, size_t n, size_t *changed);

/* Staff action: delete acknowledged records acknowledged before cutoff_ms, and never one
 * acknowledged less than the retention floor ago (store_set_retention_days): a later
 * cutoff is moved back to the floor. Nothing that upstream has not acknowledged with a
 * valid signature is ever deleted. actor (borrowed, may be NULL) is who asked, for the
 * audit log. *purged (may be NULL) gets the count. */
kiosk_rc store_purge_acked(store *s, int64_t cutoff_ms, const char *actor, int64_t *purged);
/* The purge floor: [policy] retention_days; STORE_RETENTION_DEFAULT_DAYS until set. The
 * maintenance menu and kioskctl both set it from the configuration. */
#define STORE_RETENTION_DEFAULT_DAYS 7
void store_set_retention_days(store *s, int days);

/* Rejected records for the staff screen, oldest first: masked summary and the reason. */
typedef int (*store_rejected_fn)(void *ctx, const store_summary *rec, const char *reason);
kiosk_rc store_rejected_each(store *s, store_rejected_fn fn, void *ctx);

/* The sync worker's last outcome, kept in the database so kioskctl (another process)
 * and the staff screens can show it. error: "" after a success (copied). */
kiosk_rc store_note_sync(store *s, int ok, int64_t when_ms, const char *error);
typedef struct store_sync_note {
    int64_t last_ok_ms;      /* 0: never */
    int64_t last_attempt_ms; /* 0: never */
    char last_error[128];    /* "" when the last attempt succeeded; while the store alarm
                              * (store_epoch) is set, "ALARM: <why>" so the maintenance
                              * dashboard, which shows this line, shows the alarm */
    char alarm[160];         /* the store alarm, "" when none */
} store_sync_note;
kiosk_rc store_sync_info(store *s, store_sync_note *out);

/* Out of service (the maintenance menu): kept in the database so a restart or a power
 * cut does not quietly reopen a kiosk staff closed. Setting it is audited (who borrowed).
 * store_out_of_service: 1 or 0 (0 also when it cannot be read). */
kiosk_rc store_set_out_of_service(store *s, int on, const char *who);
int store_out_of_service(store *s);

/* ---- the store epoch ---- */

/* Every database has an epoch: a random 16-byte id made with it (schema 6; a database
 * made before got one when it was migrated, and its records with it). Beside the
 * database, <db>.mark holds the highest seq and receipt counter the unit issued. At open
 * a database behind its mark (restored from a backup), of another epoch than its mark
 * (replaced, copied) or made anew beside a mark (missing or emptied on a unit that keeps
 * its device key) starts a new epoch: seq and the day's receipt counter go on past the
 * mark, so no number is issued twice; the alarm below is set, the audit log says
 * "store.epoch_new" and the log says why. A database and mark copied together to a
 * second unit (a clone) are not caught here: see README, "Numbers never reused". */
typedef struct store_epoch {
    uint8_t id[16];
    int64_t started_ms;
    int64_t epochs;  /* how many this database has had, the current one included */
    char alarm[160]; /* "" when none; else why a new epoch began, until staff clear it */
    int64_t alarm_ms;
    int64_t last_seq; /* the last seq issued (in any epoch; seq goes on across them) */
} store_epoch;
kiosk_rc store_epoch_info(store *s, store_epoch *out);

/* The hub holds seq numbers of this device up to seq. When that is beyond the last seq
 * issued here, or conflict is set (the hub refused a record of ours as seq_conflict: a
 * copy of this unit issues the same numbers), a new epoch begins in a block of seqs of
 * its own — a random one of 1024 blocks of 2^20 above both — so the copy that goes on
 * from the hub's numbers does not meet it. why (borrowed) becomes the alarm and goes to
 * the audit log. *started (may be NULL): 1 when an epoch began. */
kiosk_rc store_epoch_past(store *s, int64_t seq, int conflict, const char *why, int *started);

/* The hub keys seqs by (device, epoch) (its mark names the epoch): records it refused as
 * "seq_conflict" while it keyed them by device alone go back to the queue, once in the
 * database's life (meta "conflicts_requeued"), and are sent again under their own epoch;
 * a refusal after that stays (staff reconcile it, kioskctl export --refused). Audited
 * when any moved. *requeued (may be NULL) gets how many. */
kiosk_rc store_requeue_conflicts(store *s, size_t *requeued);

/* Staff saw the alarm (who borrowed, audited). */
kiosk_rc store_alarm_clear(store *s, const char *who);

/* ---- the audit log (audit.c) ---- */

/* One entry. No personal data: actor is a staff name, "system" or "citizen"; subject a
 * receipt number or record uuid. */
typedef struct store_audit_entry {
    int64_t id;
    int64_t at_ms;
    char actor[48];
    char action[48];
    char subject[64];
    char detail[160];
} store_audit_entry;

/* Append an entry in its own transaction (strings borrowed). The store itself logs the
 * record state changes (saved, sent, acknowledged, rejected, purged). */
kiosk_rc store_audit(store *s, const char *actor, const char *action, const char *subject,
                     const char *detail);

/* The newest max entries, oldest first. Return nonzero from fn to stop. */
typedef int (*store_audit_fn)(void *ctx, const store_audit_entry *e);
kiosk_rc store_audit_recent(store *s, size_t max, store_audit_fn fn, void *ctx);

/* Check the whole chain: KIOSK_OK with out->entries counted, or KIOSK_CORRUPT with
 * out->first_bad the first entry that was altered, removed or cut off. */
typedef struct store_audit_check {
    int64_t entries;
    int64_t first_bad;
} store_audit_check;
kiosk_rc store_audit_verify(store *s, store_audit_check *out);

/* The audit head as signed into meta: its entry id (0: an empty log) and hash.
 * KIOSK_CORRUPT when the head's signature does not verify. For the sync request, which
 * gives it to the hub (sync_proto.h, "head"). */
kiosk_rc store_audit_head(store *s, int64_t *id, uint8_t hash[32]);

/* The hub's answer: the latest head this device gave it (id, hash). It is kept as the
 * anchor; when this log lacks that entry (restored from a backup, or a copy that went
 * its own way) the store alarm is set, "audit.rolled_back" is logged in the audit log
 * and KIOSK_CORRUPT returned. id 0: the hub holds none (KIOSK_OK). */
kiosk_rc store_audit_anchor_check(store *s, int64_t id, const uint8_t hash[32]);

/* kioskctl audit verify: does the log still hold the anchor last heard from the hub?
 * KIOSK_OK (or no anchor: *anchor_id 0), KIOSK_CORRUPT when it does not. */
kiosk_rc store_audit_anchor_verify(store *s, int64_t *anchor_id);

/* ---- kiosk events (events.c): urgent notices for the hub, today help requests ----
 * A queue of its own beside the records, with its own sequence (events.seq, never
 * reused: AUTOINCREMENT), so a help request goes out before any backlog of records.
 * Nothing personal: kind, the step's name, the hall code, the time. */
struct sync_event;

/* Queue an event of kind at step (borrowed; [A-Za-z0-9_.-], see sync_event_field_ok), with
 * the store's hall code and the clock's time, and its audit entry (actor "citizen",
 * action kind, subject step, detail the hall code) in one transaction. *seq (may be
 * NULL) gets its sequence. KIOSK_INVALID for a bad kind or step; store errors. */
kiosk_rc store_event_add(store *s, const char *kind, const char *step, int64_t *seq);

/* Up to max unsent events, oldest first, into out (caller storage, max entries); *n the
 * count. Each call counts an attempt. */
kiosk_rc store_events_pending(store *s, struct sync_event *out, size_t max, size_t *n);

/* Mark the events with these seqs sent (one transaction; seqs not queued are ignored).
 * *changed (may be NULL) gets how many changed. */
kiosk_rc store_events_mark_sent(store *s, const int64_t *seqs, size_t n, int64_t now_ms,
                                size_t *changed);

/* How many events wait (*pending) and how many were sent (*sent); either may be NULL. */
kiosk_rc store_events_count(store *s, int64_t *pending, int64_t *sent);

/* ---- 我的办理记录: the hub's word on a record, kept (schema 10) ----
 * The last processing state the hub gave for a record (proto/sync_status.h: state as a
 * sync_state, a note code), so a unit that cannot reach the hub still shows what it last
 * heard, and when. Deleted with its record. Nothing personal. */
typedef struct store_hub_state {
    int state;          /* sync_state; 0 unknown */
    char note[24];      /* a sync_state_notes code or "" */
    int64_t changed_ms; /* when the hub says it changed */
    int64_t heard_ms;   /* when this unit heard it */
} store_hub_state;
/* Keep st (borrowed) for the record uuid. KIOSK_NOT_FOUND for a record not held here,
 * KIOSK_INVALID for a note too long, store errors. Not the UI thread. */
kiosk_rc store_hub_state_put(store *s, const char *uuid, const store_hub_state *st);
/* The state kept for uuid into out (caller storage; zeros and KIOSK_NOT_FOUND when none). */
kiosk_rc store_hub_state_get(store *s, const char *uuid, store_hub_state *out);
/* ---- the health report's store side (health.c) ----
 * The counters a health report carries since the last one the hub took: sessions ended
 * (with their touches, for the median) and help requests (the events of kind
 * "help.request" after a mark). They add up while reports cannot be sent and are taken
 * off only when the hub acknowledged a report that carried them (or an export wrote
 * them), so nothing is counted twice and nothing is lost to a dead network. */
typedef struct store_health {
    int64_t seq;             /* the report's number: one more than the last one taken */
    int64_t sessions;        /* sessions ended since the last report acknowledged */
    int64_t median_taps;     /* their median touches (the lower middle), 0 when none */
    int64_t help_requests;   /* help requests queued since then */
    int64_t upto_session;    /* what the report covers: session rows up to this id, */
    int64_t upto_event;      /* help request events up to this seq */
    int64_t backlog;         /* records queued or sent, not yet acknowledged */
    uint8_t epoch[16];       /* the store epoch */
    int64_t disk_free_bytes; /* of the file system that holds the store */
    int disk_free_pct;       /* 0..100 */
} store_health;

/* A citizen's session ended after taps touches (clamped to 0..100000): one row, nothing
 * else. I/O worker. */
kiosk_rc store_health_note_session(store *s, int64_t taps);

/* The counters for a new report (caller storage): numbers the report (the seq is kept,
 * so the next take numbers the one after) and reads what it covers. Any connection. */
kiosk_rc store_health_take(store *s, store_health *out);

/* The hub took the report h (borrowed) described (or an export wrote it): its sessions and
 * help requests are off the counters; later ones stay. */
kiosk_rc store_health_reported(store *s, const store_health *h);

#endif
