/*
 * Hall staff and technicians: accounts in the kiosk's store, each with a PIN kept only as
 * an argon2id hash (libsodium crypto_pwhash_str) and optionally a registered staff card
 * (its UID). Logging in takes the PIN alone or the card plus the PIN; failures lock the
 * login with a growing delay (30 s after the third, doubling, at most an hour) and every
 * attempt goes into the audit log. Disk and CPU (argon2id): not the UI thread.
 */
#ifndef KIOSK_STAFF_H
#define KIOSK_STAFF_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"
#include "store/store.h"

typedef enum staff_role {
    STAFF_HALL = 1,       /* queue, reprint, out-of-service, paper */
    STAFF_TECHNICIAN = 2, /* also configuration, provisioning, purge */
} staff_role;

#define STAFF_NAME_MAX 32 /* a staff number or short name, terminator included */
#define STAFF_MAX 32      /* accounts per kiosk (a PIN-only login tries each) */
#define STAFF_PIN_MIN 6
#define STAFF_PIN_MAX 12

/* "hall" or "technician"; "?" otherwise. */
const char *staff_role_name(staff_role role);

/* Add an account. name: 1..31 of [A-Za-z0-9_-]; pin: STAFF_PIN_MIN..MAX digits, not all
 * the same digit, and different from every other account's PIN (a PIN alone must say who
 * logs in); card_uid: NULL or 8..20 hex digits. All copied. KIOSK_INVALID, KIOSK_BUSY
 * (name, card or PIN taken), KIOSK_RANGE (STAFF_MAX accounts), store errors. Audited. */
kiosk_rc staff_add(store *s, const char *name, staff_role role, const char *pin,
                   const char *card_uid, const char *by);

/* Remove an account (its audit entries stay). KIOSK_NOT_FOUND. Audited. */
kiosk_rc staff_remove(store *s, const char *name, const char *by);

typedef struct staff_account {
    char name[STAFF_NAME_MAX];
    staff_role role;
    int has_card;
    int64_t created_ms;
} staff_account;

/* The accounts, by name. Return nonzero from fn to stop. */
kiosk_rc staff_list(store *s, int (*fn)(void *ctx, const staff_account *a), void *ctx);

/* Log in with the PIN alone (card_uid NULL) or a staff card plus its PIN (both
 * borrowed). KIOSK_OK and *who filled; KIOSK_AUTH for a wrong PIN or unknown card;
 * KIOSK_BUSY while locked out (*retry_in_ms says for how long, may be NULL); store
 * errors. A success clears the failures. */
kiosk_rc staff_login(store *s, const char *card_uid, const char *pin, staff_account *who,
                     int64_t *retry_in_ms);

#endif
