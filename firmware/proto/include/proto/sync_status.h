/*
 * A record's processing state upstream, and how a kiosk asks for it (POST /v3/status).
 * Shared by the hub (which stores the state, hub_db.h) and the kiosk (which shows it in
 * 我的办理记录). Nothing personal travels: record uuids, a state name, a note code from a
 * fixed table, times.
 *
 * States: "received" (the hub holds the record: set by ingest, implicitly), "processing",
 * "approved", "needs_materials" (with an optional note code naming the material, from
 * sync_state_notes below — a code, never free text), each with the time it changed.
 *
 * Request: POST /v3/status, signed by the device exactly as a record request
 *   (sync_request_sign_v2 over "POST", SYNC_PATH_STATUS, time, body length and hash; the
 *   same headers, the same replay protection), Content-Type application/json, body
 *   {"uuids":["<uuid>",…]} — 1 to SYNC_STATUS_MAX distinct record uuids: the records the
 *   kiosk holds for the card it has just verified (found by the keyed ID hash, so a kiosk
 *   can only ask for that card's records).
 * Reply 200: {"now_ms":N,"states":[{"uuid":"…","state":"…","note":"…","changed_ms":N},…]}
 *   one entry per uuid asked, in order. "unknown" for a record the hub does not hold or
 *   that another device sent (the hub answers only for records of the asking device).
 *   X-Hub-Signature by sync_reply_sign() as for records; the kiosk ignores a reply whose
 *   signature does not verify with the provisioned hub key. Errors as for records
 *   (sync_error_encode): malformed (400), unknown_device, bad_signature, replayed, …
 */
#ifndef KIOSK_SYNC_STATUS_H
#define KIOSK_SYNC_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"
#include "proto/sync_proto.h"

#define SYNC_PATH_STATUS "/v3/status"
#define SYNC_STATUS_MAX 50               /* uuids in one request */
#define SYNC_STATUS_MAX_BODY (64u << 10) /* a status request or reply over this is refused */
#define SYNC_STATE_NOTE_MAX 24           /* a note code, terminator included */

typedef enum sync_state {
    SYNC_STATE_UNKNOWN = 0, /* not held by the hub (or of another device) */
    SYNC_STATE_RECEIVED = 1,
    SYNC_STATE_PROCESSING = 2,
    SYNC_STATE_APPROVED = 3,
    SYNC_STATE_NEEDS_MATERIALS = 4,
    SYNC_STATE_COUNT
} sync_state;

/* "unknown", "received", "processing", "approved", "needs_materials"; NULL outside. */
const char *sync_state_name(sync_state s);
/* The state named s (one of the names above); 0 when s names none. */
int sync_state_parse(const char *s, sync_state *out);

/* The note codes a "needs_materials" state may carry: which material is missing. The
 * kiosk shows each through its strings ("records.note.<code>"). NULL-terminated. */
extern const char *const sync_state_notes[];
/* 1 when note is "" or one of sync_state_notes. */
int sync_state_note_valid(const char *note);

typedef struct sync_record_state {
    char uuid[SYNC_UUID_LEN + 1];
    sync_state state;
    char note[SYNC_STATE_NOTE_MAX]; /* "" unless needs_materials names one */
    int64_t changed_ms; /* when it changed (received: when the hub stored it); 0 unknown */
} sync_record_state;

/* Request body. encode: *body owned (free()); KIOSK_INVALID for 0 or more than
 * SYNC_STATUS_MAX uuids, a bad or repeated uuid. decode (the hub, outside bytes): uuids
 * (caller storage, SYNC_STATUS_MAX entries) and *n; KIOSK_INVALID for anything malformed
 * (not exactly {"uuids":[…]}, an empty list, a bad or repeated uuid, too many),
 * KIOSK_RANGE for a body over SYNC_STATUS_MAX_BODY. */
kiosk_rc sync_status_request_encode(const char (*uuids)[SYNC_UUID_LEN + 1], size_t n, char **body,
                                    size_t *len);
kiosk_rc sync_status_request_decode(const char *body, size_t len, char (*uuids)[SYNC_UUID_LEN + 1],
                                    size_t *n);

/* Reply body. encode (hub): *body owned; KIOSK_INVALID for a state or note outside the
 * tables. decode (the kiosk, outside bytes): states (caller storage, SYNC_STATUS_MAX
 * entries), *n, *now_ms (0 when absent); KIOSK_INVALID for anything malformed (unknown
 * keys, an unknown state or note code, a note on a state other than needs_materials,
 * changed_ms < 0, more than SYNC_STATUS_MAX), KIOSK_RANGE for an oversized body. */
kiosk_rc sync_status_reply_encode(const sync_record_state *states, size_t n, int64_t now_ms,
                                  char **body, size_t *len);
kiosk_rc sync_status_reply_decode(const char *body, size_t len, sync_record_state *states,
                                  size_t *n, int64_t *now_ms);

#endif
