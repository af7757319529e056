/*
 * The wire protocol between a kiosk and its hub, version 2, and the bundle file (version
 * 1) that carries the same records on a USB stick. Shared by the sync client
 * (firmware/sync) and the hub (hub/), so both sides agree byte for byte. No I/O here
 * except the bundle file.
 *
 * Version 2 (this one) differs from version 1 in two ways: the request is authenticated
 * from its headers alone (the body enters the signature as its SHA-256 and length), and
 * every 200 reply is signed by the hub's own Ed25519 key. Version 1 answered unsigned, so
 * anything that could answer HTTP could make a kiosk believe its records were stored;
 * a version 2 hub answers POST /v1/records with 410 "old_protocol".
 *
 * Request: POST /v2/records over HTTPS, Content-Type application/json, headers
 *   X-Kiosk-Device:      the device's Ed25519 public key, 64 lowercase hex
 *   X-Kiosk-Time:        the device's clock, milliseconds since 1970 (decimal)
 *   X-Kiosk-Body-SHA256: SHA-256 of the body, 64 lowercase hex
 *   Content-Length:      the body's length (required; no chunked bodies)
 *   X-Kiosk-Signature:   Ed25519 signature (128 hex) of sync_request_sign_v2()'s message
 *                        over method, path, time, body length and body hash
 * The hub checks device, time window, signature and replay when the headers arrive and
 * refuses (400/401/403/409/411/413) before it accepts a byte of the body; once the body
 * is in it checks its hash against the signed one.
 * Body: {"records":[{"uuid":"…","seq":N,"sealed":"<base64>","sig":"<128 hex>"},…]}
 *   (or POST /v3/records with the same records as bytes: sync_body_encode_v3 below)
 *   sealed: the record as stored (sealed box to the upstream key, unreadable here);
 *   sig: the device's signature of sync_record_message(), so the hub can check every
 *   record's origin without opening it, also when it arrived in a bundle.
 * Reply 200: {"now_ms":N,"results":[{"uuid":"…","status":"accepted"|"duplicate"|
 *   "rejected","reason":"…","sealed_sha256":"<64 hex>"},…]} — one result per record the
 *   hub decided on; a record without a result was not decided and is sent again.
 *   Header X-Hub-Signature: the hub's signature (128 hex) of sync_reply_sign()'s message
 *   over the device, the request signature, the status and the body's hash. A kiosk
 *   takes "accepted"/"duplicate" as acknowledged only when this signature verifies with
 *   the hub key provisioned on the unit and sealed_sha256 is the hash of what it sent;
 *   otherwise the records stay queued and the round is a hub fault.
 * Reply 4xx/5xx: {"now_ms":N,"error":"<code>","message":"…"} (unsigned: it acknowledges
 *   nothing); codes: malformed, too_large, unknown_device, bad_signature, stale_time
 *   (clock outside the window: the client corrects by now_ms and retries), replayed,
 *   not_found, method, old_protocol, internal.
 *
 * Bundle file (text header, then the body bytes exactly):
 *   "kiosk-bundle-v1\n" "device <64 hex>\n" "time <ms>\n" "signature <128 hex>\n" "\n" body
 * The signature is sync_request_sign(key, "BUNDLE", "/v1/records", time, body) (version 1:
 * the hub reads a bundle whole before it checks it, so it needs no header-only check).
 */
#ifndef KIOSK_SYNC_PROTO_H
#define KIOSK_SYNC_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"

#define SYNC_PROTOCOL_VERSION 2
#define SYNC_PATH_RECORDS "/v1/records"    /* version 1; still what a bundle signs */
#define SYNC_PATH_RECORDS_V2 "/v2/records" /* HTTP, version 2 */
#define SYNC_HDR_DEVICE "X-Kiosk-Device"
#define SYNC_HDR_TIME "X-Kiosk-Time"
#define SYNC_HDR_SIGNATURE "X-Kiosk-Signature"
#define SYNC_HDR_BODY_SHA256 "X-Kiosk-Body-SHA256"
#define SYNC_HDR_HUB_SIGNATURE "X-Hub-Signature"
#define SYNC_BUNDLE_METHOD "BUNDLE"

#define SYNC_UUID_LEN 36
#define SYNC_MAX_BODY (32u << 20)  /* a request or bundle body over this is refused */
#define SYNC_MAX_RECORDS 100000    /* records in one body */
#define SYNC_MAX_SEALED (1u << 20) /* one sealed record */
#define SYNC_SKEW_MS (5 * 60 * 1000)
#define SYNC_REASON_MAX 64

/* A record's unsealed metadata (see "record metadata" below): sizes with the terminator. */
#define SYNC_META_TYPE_MAX 16
#define SYNC_META_RECEIPT_MAX 40

/* One record on the wire. sealed is owned by the array it is in (sync_records_free). */
typedef struct sync_record {
    char uuid[SYNC_UUID_LEN + 1];
    int64_t seq;
    uint8_t *sealed;
    size_t sealed_len;
    uint8_t sig[64];
    /* the unsealed metadata ("" and "": none); when given, sig is version 3's */
    char record_type[SYNC_META_TYPE_MAX];
    char receipt_no[SYNC_META_RECEIPT_MAX];
} sync_record;

typedef enum sync_status {
    SYNC_ACCEPTED = 0,
    SYNC_DUPLICATE = 1,
    SYNC_REJECTED = 2,
} sync_status;

typedef struct sync_result {
    char uuid[SYNC_UUID_LEN + 1];
    sync_status status;
    char reason[SYNC_REASON_MAX]; /* "" unless rejected; ASCII [a-z0-9_] */
    int has_sealed_sha256;        /* v2: the hub names the sealed bytes it decided on */
    uint8_t sealed_sha256[32];
} sync_result;

/* SHA-256 of len bytes of data (borrowed) into out (caller storage): the hash every
 * signing string and sealed_sha256 of this protocol uses, made with the CPU's SHA
 * instructions where it has them (OpenSSL), a drain hashes megabytes. Any thread. */
void sync_sha256(uint8_t out[32], const void *data, size_t len);

/* "accepted", "duplicate", "rejected"; "?" outside the enum. */
const char *sync_status_name(sync_status s);

/* 1 when s is a lowercase RFC 4122 textual UUID (36 chars), else 0. */
int sync_uuid_valid(const char *s);

/* The bytes a record signature covers: "kiosk-record-v1\n<uuid>\n<seq>\n" followed by
 * the 32-byte SHA-256 of the sealed bytes. The kiosk's store signs them with the device
 * key in the same transaction as the save, so the hub can check a record's origin and
 * integrity without opening it. Returns the length written to out. Any thread. */
#define SYNC_RECORD_MSG_MAX 160
size_t sync_record_message(const char *uuid, int64_t seq, const uint8_t *sealed, size_t len,
                           uint8_t out[SYNC_RECORD_MSG_MAX]);

/* Version 2 of the record message, with the store epoch the record was numbered in (16
 * bytes, borrowed): "kiosk-record-v2\n<uuid>\n<seq>\n<epoch, 32 lowercase hex>\n" then
 * the 32-byte SHA-256 of the sealed bytes. A unit's store signs every record it saves so
 * (the epoch then travels in the request's or bundle's "head"); a seq is unique only
 * within its (device, epoch), so a restored or copied store that began a new epoch can
 * number again without a record of one epoch passing for one of another. Any thread. */
#define SYNC_EPOCH_LEN 16
size_t sync_record_message_epoch(const char *uuid, int64_t seq, const uint8_t epoch[16],
                                 const uint8_t *sealed, size_t len,
                                 uint8_t out[SYNC_RECORD_MSG_MAX]);
void sync_record_sign_epoch(sync_record *r, const uint8_t epoch[16], const uint8_t secret_key[64]);
/* Check r's signature as a record of epoch (borrowed; NULL: none known, version 1 only):
 * 2 when it signs version 2 with that epoch, 1 when it signs version 1 (a record saved
 * before records carried their epoch: its epoch is the one its request or bundle names,
 * itself signed by the device), 0 when neither. sealed_sha256 (caller storage) gets the
 * SHA-256 of the sealed bytes either way. */
int sync_record_verify_epoch(const sync_record *r, const uint8_t *epoch,
                             const uint8_t public_key[32], uint8_t sealed_sha256[32]);

/* The record signature: over sync_record_message(), made by store_save; sign here only
 * records saved before the store kept signatures. Verified against the device key. */
void sync_record_sign(sync_record *r, const uint8_t secret_key[64]);
int sync_record_verify(const sync_record *r, const uint8_t public_key[32]); /* 1 good */
/* The same, also giving the SHA-256 of the sealed bytes it computed (caller storage),
 * for a hub that stores it: one hash per record instead of two. */
int sync_record_verify_digest(const sync_record *r, const uint8_t public_key[32],
                              uint8_t sealed_sha256[32]);

/* The bytes a request signature covers: "kiosk-request-v1\n<method>\n<path>\n<time_ms>\n"
 * followed by the lowercase hex SHA-256 of the body. */
void sync_request_sign(const uint8_t secret_key[64], const char *method, const char *path,
                       int64_t time_ms, const void *body, size_t len, uint8_t sig[64]);
int sync_request_verify(const uint8_t public_key[32], const char *method, const char *path,
                        int64_t time_ms, const void *body, size_t len, const uint8_t sig[64]);

/* Version 2 of the request signature (HTTP): "kiosk-request-v2\n<method>\n<path>\n
 * <time_ms>\n<body length>\n" followed by the lowercase hex SHA-256 of the body. The hub
 * checks it from the headers alone (X-Kiosk-Body-SHA256, Content-Length) before it reads
 * the body, then checks the body against the hash. Any thread. */
void sync_request_sign_v2(const uint8_t secret_key[64], const char *method, const char *path,
                          int64_t time_ms, const uint8_t body_sha256[32], uint64_t len,
                          uint8_t sig[64]);
int sync_request_verify_v2(const uint8_t public_key[32], const char *method, const char *path,
                           int64_t time_ms, const uint8_t body_sha256[32], uint64_t len,
                           const uint8_t sig[64]); /* 1 good */

/* The hub's signature of a reply (X-Hub-Signature), made with the hub's Ed25519 key:
 * "kiosk-reply-v2\n<device hex>\n<request signature hex>\n<HTTP status>\n<body length>\n"
 * followed by the lowercase hex SHA-256 of the reply body. The body names each record's
 * uuid, status and sealed_sha256, so one signature binds every acknowledgement to this
 * device and this request. A kiosk marks a record acknowledged only when it verifies
 * against the provisioned hub key. Any thread. */
void sync_reply_sign(const uint8_t hub_secret_key[64], const uint8_t device[32],
                     const uint8_t request_sig[64], unsigned status, const void *body, size_t len,
                     uint8_t sig[64]);
int sync_reply_verify(const uint8_t hub_public_key[32], const uint8_t device[32],
                      const uint8_t request_sig[64], unsigned status, const void *body, size_t len,
                      const uint8_t sig[64]); /* 1 good */

/* Request body. encode: *body owned (free()), NUL-terminated; KIOSK_NOMEM. decode: the
 * hub's parser of outside bytes; on success *recs owned (sync_records_free), *n may be
 * 0; KIOSK_INVALID for anything malformed (not JSON, wrong shape, unknown or duplicate
 * keys, bad uuid, seq < 1, bad base64 or hex, a sealed record over SYNC_MAX_SEALED or
 * shorter than a sealed box, more than SYNC_MAX_RECORDS), KIOSK_RANGE for a body over
 * SYNC_MAX_BODY, KIOSK_NOMEM. */
kiosk_rc sync_body_encode(const sync_record *recs, size_t n, char **body, size_t *len);
kiosk_rc sync_body_decode(const char *body, size_t len, sync_record **recs, size_t *n);
void sync_records_free(sync_record *recs, size_t n);

/* Reply body. encode (hub): *body owned. decode (client, outside bytes): *results owned
 * (free()), *now_ms 0 when absent; KIOSK_INVALID for anything malformed, unknown status,
 * a reason that is not [a-z0-9_]{0,63}. */
kiosk_rc sync_results_encode(const sync_result *results, size_t n, int64_t now_ms, char **body,
                             size_t *len);
kiosk_rc sync_results_decode(const char *body, size_t len, sync_result **results, size_t *n,
                             int64_t *now_ms);

/* ---- the high-water mark (additive to version 2; a hub of this firmware understands
 * both forms, an older hub refuses the head: upgrade the hub first) ----
 *
 * Request body, optionally after the records: ,"head":{"audit_id":N,"audit_hash":"<64
 * hex>"} — the unit's audit head (signed with the body). A hub that got a head answers
 * with "mark":{"max_seq":N,"audit_id":N,"audit_hash":"<64 hex>"} in the signed reply:
 * the highest seq it holds for the device and the latest audit head the device gave it
 * (0 and zeros when none). A unit whose audit log lacks that head, or is behind it, was
 * rolled back (or copied); a unit whose next seq is not above max_seq is behind the hub.
 * Replies to requests without a head carry no mark, so older units parse them. */
typedef struct sync_head {
    int present;
    int64_t audit_id; /* 0 (with a zero hash): the unit's log is empty */
    uint8_t audit_hash[32];
    /* the store epoch of every record in this body (,"epoch":"<32 hex>" in the head):
     * the hub keys them by (device, epoch, seq) and answers the mark of that epoch.
     * A body without it is of the legacy epoch (all zeros) */
    int has_epoch;
    uint8_t epoch[16];
} sync_head;

typedef struct sync_mark {
    int present;
    int64_t max_seq; /* for the head's epoch (and the device's legacy rows) when has_epoch */
    int64_t audit_id;
    uint8_t audit_hash[32];
    int has_epoch; /* ,"epoch":"<32 hex>": the epoch max_seq is about (a hub keyed by epoch) */
    uint8_t epoch[16];
} sync_mark;

/* sync_body_encode with the head appended when head (borrowed, may be NULL) is present.
 * decode_head: as sync_body_decode, also accepting the head (head caller storage,
 * present 0 when absent); sync_body_decode refuses a body with a head. */
kiosk_rc sync_body_encode_head(const sync_record *recs, size_t n, const sync_head *head,
                               char **body, size_t *len);
kiosk_rc sync_body_decode_head(const char *body, size_t len, sync_record **recs, size_t *n,
                               sync_head *head);
/* ---- version 3 of the records body: binary (POST /v3/records) ----------------------
 * The same records and head as version 2's JSON, without base64 or hex: a third fewer
 * bytes to copy and hash, nothing to decode at the hub. Everything else is version 2's:
 * the headers and request signature (sync_request_sign_v2 over "POST", "/v3/records",
 * time, body hash and length), the JSON reply and its signature. Content-Type
 * application/octet-stream. A kiosk sends version 3 and falls back to /v2/records for the
 * rest of its session when the hub answers 404 (a hub of before this body); bundles stay
 * JSON. Layout, integers big-endian:
 *   "KSR3"  u32 count
 *   count times: uuid (36 ASCII bytes), u64 seq, u32 sealed length, sealed bytes, sig (64)
 *   u8 head flags: 0 none, 1 audit head, 3 audit head and epoch; then when 1 or 3:
 *   u64 audit_id, audit_hash (32); when 3: epoch (16). Nothing after.
 * decode (outside bytes): as sync_body_decode_head, same checks (uuid, seq >= 1, sealed
 * size, count <= SYNC_MAX_RECORDS); KIOSK_RANGE over SYNC_MAX_BODY, KIOSK_INVALID for
 * anything else malformed (a short or long body, an unknown flag). encode: *body owned
 * (free()), binary (not NUL-terminated text), head borrowed, may be NULL. */
#define SYNC_PATH_RECORDS_V3 "/v3/records"
#define SYNC_BODY_V3_MAGIC "KSR3"
kiosk_rc sync_body_encode_v3(const sync_record *recs, size_t n, const sync_head *head, char **body,
                             size_t *len);
kiosk_rc sync_body_decode_v3(const char *body, size_t len, sync_record **recs, size_t *n,
                             sync_head *head);

/* Reply body with the mark (borrowed, may be NULL: none). decode_mark: as
 * sync_results_decode, also accepting the mark (caller storage, present 0 when absent);
 * sync_results_decode refuses a reply with a mark. */
kiosk_rc sync_results_encode_mark(const sync_result *results, size_t n, int64_t now_ms,
                                  const sync_mark *mark, char **body, size_t *len);
kiosk_rc sync_results_decode_mark(const char *body, size_t len, sync_result **results, size_t *n,
                                  int64_t *now_ms, sync_mark *mark);

/* Error reply. encode: *body owned. decode: code (caller storage, [a-z_], may be "") and
 * now_ms (0 when absent); KIOSK_INVALID when the body is not an error object. */
kiosk_rc sync_error_encode(const char *code, const char *message, int64_t now_ms, char **body,
                           size_t *len);
kiosk_rc sync_error_decode(const char *body, size_t len, char *code, size_t code_size,
                           int64_t *now_ms);

/* Hex helpers for the headers: parse exactly 2*n lowercase or uppercase hex digits. */
int sync_hex_parse(const char *hex, uint8_t *out, size_t n);  /* 1 good */
void sync_hex_format(const uint8_t *in, size_t n, char *out); /* out holds 2n+1 */

/* A parsed bundle: header fields and the body (borrowed from the parsed bytes). */
typedef struct sync_bundle {
    uint8_t device[32];
    int64_t time_ms;
    uint8_t sig[64];
    const char *body;
    size_t body_len;
} sync_bundle;

/* Write a bundle of body to path atomically (temp file, fsync, rename, fsync of the
 * directory), signed with the device key. KIOSK_IO, KIOSK_DISK_FULL, KIOSK_READ_ONLY. */
kiosk_rc sync_bundle_write(const char *path, const uint8_t public_key[32],
                           const uint8_t secret_key[64], int64_t time_ms, const char *body,
                           size_t len);
/* Parse (outside bytes) a bundle held in data. KIOSK_INVALID for a malformed header,
 * KIOSK_RANGE for a body over SYNC_MAX_BODY. Does not check the signature: verify with
 * sync_request_verify(device, SYNC_BUNDLE_METHOD, SYNC_PATH_RECORDS, time_ms, body…). */
kiosk_rc sync_bundle_parse(const char *data, size_t len, sync_bundle *out);

/* ---- bundles of any size ----------------------------------------------------------
 * An export larger than one bundle is split into several, each signed and importable on
 * its own. These say exactly how many bytes a record takes in sync_body_encode's output,
 * so a writer can cut the backlog under SYNC_MAX_BODY without encoding it twice. */
#define SYNC_BODY_FRAME 14 /* {"records":[ and ]} */
/* Bytes of one record in a body, the comma before it included when it is not the first. */
size_t sync_body_record_size(int64_t seq, size_t sealed_len, int first);

/* Write a signed bundle of body to exactly tmp_path (created, truncated, fsynced; no
 * rename): the caller renames it into place when every part of an export is written.
 * tmp_path should be a hidden name that does not end in ".kb" (sync_bundle_temp_name),
 * so nothing takes a half-written file for a bundle. KIOSK_IO, KIOSK_DISK_FULL,
 * KIOSK_READ_ONLY (the file is removed on failure). */
kiosk_rc sync_bundle_write_temp(const char *tmp_path, const uint8_t public_key[32],
                                const uint8_t secret_key[64], int64_t time_ms, const char *body,
                                size_t len);
/* The same for a bundle whose body is signed for signed_path (borrowed): SYNC_PATH_RECORDS
 * for records, SYNC_PATH_EVENTS for kiosk events — an events bundle's body is
 * sync_events_encode's, signed sync_request_sign(key, SYNC_BUNDLE_METHOD, SYNC_PATH_EVENTS,
 * time, body), so neither kind can pass for the other. The hub tells them apart by which
 * signature verifies. */
kiosk_rc sync_bundle_write_temp_for(const char *tmp_path, const char *signed_path,
                                    const uint8_t public_key[32], const uint8_t secret_key[64],
                                    int64_t time_ms, const char *body, size_t len);
/* The temporary name of the bundle file name (a base name, "x.kb"): ".x.kb.part", into out
 * (size bytes). 1 when it fits, else 0. */
int sync_bundle_temp_name(const char *name, char *out, size_t size);
/* 1 when name (a base name) is one sync_bundle_temp_name makes: a leftover of an export
 * that was interrupted, which the next export removes. */
int sync_bundle_is_temp_name(const char *name);

/* ---- acknowledgement bundle (hub -> unit, on a USB stick) --------------------------
 * A unit that never sees a network learns from it which of its records the hub holds:
 *   "kiosk-acks-v1\n" "device <64 hex>\n" "hub <64 hex>\n" "time <ms>\n"
 *   "signature <128 hex>\n" "\n" body
 * body: a reply body as sync_results_encode writes it, one result per record the hub
 * holds for that device ("accepted", with sealed_sha256). hub: the hub's public key (to
 * say which key signed when it is not the provisioned one; trust comes from the
 * provisioned key alone). signature: by the hub's Ed25519 key — the key that signs
 * protocol v2 replies — over sync_acks_sign()'s message:
 *   "kiosk-acks-v1\n<device hex>\n<time_ms>\n<body length>\n" + hex SHA-256 of body
 * Its own prefix, so an acknowledgement bundle can never pass for a reply or a request. */
#define SYNC_ACKS_MAGIC "kiosk-acks-v1\n"
typedef struct sync_acks {
    uint8_t device[32];
    uint8_t hub[32];
    int64_t time_ms;
    uint8_t sig[64];
    const char *body; /* borrowed from the parsed bytes */
    size_t body_len;
} sync_acks;

void sync_acks_sign(const uint8_t hub_secret_key[64], const uint8_t device[32], int64_t time_ms,
                    const void *body, size_t len, uint8_t sig[64]);
int sync_acks_verify(const uint8_t hub_public_key[32], const uint8_t device[32], int64_t time_ms,
                     const void *body, size_t len, const uint8_t sig[64]); /* 1 good */
/* Write an acknowledgement bundle to path atomically (hidden temp, fsync, rename, fsync of
 * the directory). hub_secret_key: 64 bytes (its public half is in it). KIOSK_IO,
 * KIOSK_DISK_FULL, KIOSK_READ_ONLY, KIOSK_INVALID (a path too long). */
kiosk_rc sync_acks_write(const char *path, const uint8_t hub_secret_key[64],
                         const uint8_t device[32], int64_t time_ms, const char *body, size_t len);
/* Parse (outside bytes) an acknowledgement bundle held in data. KIOSK_INVALID for a
 * malformed header, KIOSK_RANGE for a body over SYNC_MAX_BODY. Does not check the
 * signature (sync_acks_verify) nor the body (sync_results_decode). */
kiosk_rc sync_acks_parse(const char *data, size_t len, sync_acks *out);

/* The name the hub gives a unit's acknowledgement bundle on a stick, and the unit looks
 * for: the first 16 hex digits of its device key + ".acks" (out holds SYNC_ACKS_NAME_MAX). */
#define SYNC_ACKS_NAME_MAX 24
void sync_acks_file_name(const uint8_t device[32], char out[SYNC_ACKS_NAME_MAX]);

/* ---- kiosk events (POST /v2/events) -------------------------------------------------
 * Urgent, small notices from a unit to its hub, today only "help.request" (a citizen
 * pressed 求助). Nothing personal: the kind, the journey step's name, the hall code and
 * the unit's clock; the device is the request's X-Kiosk-Device. Each event carries the
 * unit's own event sequence (not the records' seq), so the hub is idempotent on (device,
 * seq, at_ms) — a resend is held once, a restored unit's renumbered event is new — and the
 * unit marks exactly the events the hub names.
 * Request: signed exactly as a record request (sync_request_sign_v2 over "POST",
 *   SYNC_PATH_EVENTS, time, body length and hash; the same headers), body
 *   {"events":[{"seq":N,"kind":"help.request","step":"…","hall_code":"…","at_ms":N},…]}
 *   kind, step, hall_code: [A-Za-z0-9_.-]{1,31} (hall_code may be ""); seq >= 1, at_ms >= 0;
 *   at most SYNC_MAX_EVENTS, distinct seqs.
 * Reply 200: {"now_ms":N,"acked":[seq,…]} — the seqs the hub holds (new or already
 *   held), X-Hub-Signature by sync_reply_sign() as for records. The unit marks an event
 *   sent only when the signature verifies with the provisioned hub key and the seq is one
 *   it sent; otherwise the events stay queued. Errors as for records. */
#define SYNC_PATH_EVENTS "/v2/events"
#define SYNC_MAX_EVENTS 1000
#define SYNC_MAX_EVENTS_BODY (256u << 10) /* an events body over this is refused */
#define SYNC_EVENT_FIELD_MAX 32
#define SYNC_EVENT_HELP "help.request"

typedef struct sync_event {
    int64_t seq;
    int64_t at_ms;
    char kind[SYNC_EVENT_FIELD_MAX];
    char step[SYNC_EVENT_FIELD_MAX];
    char hall_code[SYNC_EVENT_FIELD_MAX];
} sync_event;

/* 1 when s is a valid kind/step/hall_code ([A-Za-z0-9_.-], shorter than
 * SYNC_EVENT_FIELD_MAX; empty allowed only when allow_empty). */
int sync_event_field_ok(const char *s, int allow_empty);
/* Request body. encode: *body owned (free()); KIOSK_INVALID for an event that would not
 * decode, KIOSK_NOMEM. decode (the hub's parser of outside bytes): *events owned (free()),
 * *n may be 0; KIOSK_INVALID for anything malformed, KIOSK_RANGE for a body over
 * SYNC_MAX_EVENTS_BODY, KIOSK_NOMEM. */
kiosk_rc sync_events_encode(const sync_event *events, size_t n, char **body, size_t *len);
kiosk_rc sync_events_decode(const char *body, size_t len, sync_event **events, size_t *n);
/* Reply body. encode (hub): *body owned. decode (the unit, outside bytes): *seqs owned
 * (free()), *now_ms 0 when absent; KIOSK_INVALID for anything malformed (a seq < 1, more
 * than SYNC_MAX_EVENTS), KIOSK_RANGE for an oversized body. */
kiosk_rc sync_event_acks_encode(const int64_t *seqs, size_t n, int64_t now_ms, char **body,
                                size_t *len);
kiosk_rc sync_event_acks_decode(const char *body, size_t len, int64_t **seqs, size_t *n,
                                int64_t *now_ms);

/* ---- record metadata (additive: a hub of this firmware takes records with and without
 * it; an older hub refuses a body that carries it as malformed — upgrade the hub first; a
 * unit that is refused so sends its records without it from then on) ----
 *
 * A record may carry, unsealed, what its receipt shows and nothing personal: its type
 * ("registration", "deregistration", "jobseeker": [a-z_]{1,15}) and its receipt number
 * (HALL-YYYYMMDD-NNNN: [A-Za-z0-9-]{1,39}), so the hub can find a record by its receipt
 * and count records per service without opening it. Both or neither. A record with them
 * is signed by version 3 of the record message, which covers them:
 *   "kiosk-record-v3\n<uuid>\n<seq>\n<epoch, 32 lowercase hex>\n<type>\n<receipt no>\n"
 *   followed by the 32-byte SHA-256 of the sealed bytes
 * (the kiosk's store signs it at the save beside version 2's, which goes with the record
 * to a hub that does not take metadata). On the wire: version 2's JSON record object gets
 * ,"type":"…","receipt_no":"…" after "sig"; version 3's binary body is "KSR4" instead of
 * "KSR3" when at least one record carries it, each record then followed by u8 type length,
 * the type, u8 receipt length, the receipt number (0, 0: none). */
#define SYNC_BODY_V4_MAGIC "KSR4"
#define SYNC_RECORD_META_MSG_MAX 256
/* 1 when r carries no metadata, or well-formed metadata (both fields). */
int sync_record_meta_ok(const sync_record *r);
size_t sync_record_message_meta(const sync_record *r, const uint8_t epoch[16],
                                uint8_t out[SYNC_RECORD_META_MSG_MAX]);
void sync_record_sign_meta(sync_record *r, const uint8_t epoch[16], const uint8_t secret_key[64]);
/* sync_body_record_size for a record with metadata (type and receipt_no "" for none). */
size_t sync_body_record_size_meta(int64_t seq, size_t sealed_len, int first, const char *type,
                                  const char *receipt_no);

#endif
