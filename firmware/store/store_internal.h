/*
 * What the store's own files share (store.c, audit.c, staff.c): the connection object
 * and the statement helpers. Not for anyone outside firmware/store.
 */
#ifndef KIOSK_STORE_INTERNAL_H
#define KIOSK_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"
#include "proto/recdb.h"

/* The page size of a new database: see store.c (store_create_file) for why. */
#ifndef STORE_PAGE_SIZE
#define STORE_PAGE_SIZE 1024
#endif

/* Write path (in dir) whole or not at all: a temporary file, fsync, rename, fsync of dir,
 * mode 0600. KIOSK_READ_ONLY, KIOSK_DISK_FULL, KIOSK_IO. */
kiosk_rc store_write_file_atomic(const char *dir, const char *path, const void *data, size_t n);

/* The keyed hash of an ID number: BLAKE2b-256 of the number (upper case, as the card
 * gives it) keyed by BLAKE2b of label keyed by the device's secret key — without the
 * device key it tells nothing and a guessed number cannot be tried. One label per use
 * (the records' lookup, the unfinished form). 0 for no number or one too long. */
int store_keyed_id(const store_device_key *key, const char *label, const char *id_number,
                   uint8_t out[32]);

/* Statements of the hot paths (saving, the outbox) are prepared once per connection. */
#define STORE_STMT_CACHE 24

struct store {
    sqlite3 *db;
    char dir[512];
    char hall_code[16];
    store_device_key key;
    const kiosk_clock *clock;
    uint8_t upstream_pk[32];
    int has_upstream;
    int retention_days;  /* the purge floor, store_set_retention_days */
    char mark_path[520]; /* <db>.mark: the high-water mark beside the database */
    uint8_t epoch[16];   /* the epoch as this connection opened it */
    /* the next sealed box's ephemeral public key, nonce and shared key, made ahead of the
     * save (store_ready) so the curve work is not in the citizen's wait; used once */
    int seal_ready;
    uint8_t seal_epk[32];
    uint8_t seal_nonce[24];
    uint8_t seal_key[32];
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[STORE_STMT_CACHE];
    /* the audit chain's head while a transaction appends to it (audit.c) */
    int audit_open;
    int64_t audit_last_id;
    uint8_t audit_last_hash[32];
};

/* The tail of an INSERT into meta that replaces the value of an existing key in place.
 * INSERT OR REPLACE deletes and reinserts the row, which also rewrites the key's index
 * page: one WAL page more on every save. */
#define STORE_META_UPSERT "ON CONFLICT(key) DO UPDATE SET value = excluded.value"

/* The cached statement for sql (a string literal, recognised by its address), reset and
 * unbound, or NULL. Owned by the cache: reset after use, never finalize. */
sqlite3_stmt *store_cached(store *s, const char *sql);

/* Run a cached statement without rows (BEGIN IMMEDIATE, COMMIT, ROLLBACK). */
kiosk_rc store_step_cached(store *s, const char *sql);

/* Run SQL text (logged on failure). */
kiosk_rc store_exec(store *s, const char *sql);

/* Column col of a row as text into dst (never NULL, always terminated). */
void store_copy_col(sqlite3_stmt *st, int col, char *dst, size_t size);

/* Append one entry to the audit chain inside the caller's open transaction (audit.c).
 * Strings borrowed; never personal data. The signed head is written once, by
 * store_audit_seal, just before the transaction commits; store_audit_abandon after a
 * rollback. */
kiosk_rc store_audit_append(store *s, const char *actor, const char *action, const char *subject,
                            const char *detail);
kiosk_rc store_audit_seal(store *s);
void store_audit_abandon(store *s);

/* Rewrite the mark file (<db>.mark) with the numbers just issued; best effort, no sync
 * (store.c: the mark may lag the database, never lead it). */
void store_mark_write(store *s, const uint8_t epoch[16], int64_t seq, const char *day,
                      int64_t daily);

/* COMMIT with the audit head sealed first (rolled back on failure); ROLLBACK forgetting
 * the unsealed head. */
kiosk_rc store_commit(store *s);
void store_rollback(store *s);

#endif
