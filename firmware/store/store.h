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

#define STORE_SCHEMA_VERSION 1
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

/* What a citizen submits. All borrowed for the call. */
typedef struct store_submission {
    const char *registration_json; /* registration_to_json output */
    const char *evidence_json;     /* signature strokes with timing, as JSON */
    const char *commitment_version;
    const uint8_t *commitment_sha256; /* 32 bytes: hash of the exact text shown */
    const char *masked_name;          /* "张*丰" */
    const char *masked_id;            /* "3701**********123X" */
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
} store_summary;
kiosk_rc store_find(store *s, const char *receipt_no, store_summary *out);

/* The sealed bytes of a record (for sync and export). *sealed is owned (free()). */
kiosk_rc store_sealed(store *s, const char *uuid, uint8_t **sealed, size_t *len);

#endif
