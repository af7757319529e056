/*
 * A citizen's unfinished form, kept so that a power cut mid-form loses nothing: the same
 * citizen, back with the same card and PIN, is offered to go on where they were. One file
 * beside the database (<state_dir>/draft), written whole or not at all, sealed to this
 * device: XChaCha20-Poly1305 with a key derived from the device's secret key, so the file
 * alone (a copied disk without the key, a stick) reads as nothing. In clear it holds only
 * a keyed hash of the ID number (key derived from the device key as well: not a hash
 * anyone can compute from a number) and the time it was written; the draft opens only
 * for the citizen whose ID number gives that hash, and only while younger than the age
 * the caller allows. What is inside is the caller's (the session's replay of the form).
 */
#ifndef KIOSK_STORE_DRAFT_H
#define KIOSK_STORE_DRAFT_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"
#include "store/store.h"

/* The draft file of a state directory: <state_dir>/draft. */
void store_draft_path(const char *state_dir, char *out, size_t size);

/* Keep body (n bytes, borrowed; at most STORE_DRAFT_MAX) as id_number's draft, written at
 * now_ms, replacing any draft. KIOSK_INVALID (no ID number, too long), KIOSK_READ_ONLY,
 * KIOSK_DISK_FULL, KIOSK_IO. */
#define STORE_DRAFT_MAX (64 * 1024)
kiosk_rc store_draft_write(const char *state_dir, const store_device_key *key,
                           const char *id_number, const void *body, size_t n, int64_t now_ms);

/* id_number's draft, if one younger than max_age_ms at now_ms is there: *body owned
 * (wipe, then free()), *n its length, *written_ms when it was written. KIOSK_NOT_FOUND: no
 * draft, another citizen's, or too old (left as it is: store_draft_clear_expired removes
 * it); KIOSK_CRYPTO: the file does not open with this device's key (damaged, or
 * another unit's); KIOSK_IO. */
kiosk_rc store_draft_read(const char *state_dir, const store_device_key *key, const char *id_number,
                          int64_t now_ms, int64_t max_age_ms, uint8_t **body, size_t *n,
                          int64_t *written_ms);

/* Remove the draft (none is fine). KIOSK_IO. */
kiosk_rc store_draft_clear(const char *state_dir);

/* Remove a draft older than max_age_ms at now_ms, or one that does not open with key;
 * 1 when one was removed, 0 when none was or it is young. */
int store_draft_clear_expired(const char *state_dir, const store_device_key *key, int64_t now_ms,
                              int64_t max_age_ms);

#endif
