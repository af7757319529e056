/*
 * The audit log: every staff login and action and every record state change, in the
 * store's database, append-only and hash-chained. Each entry's hash covers the previous
 * entry's hash and its own fields (length-prefixed); ids never repeat (AUTOINCREMENT), so
 * an altered or removed entry breaks the chain. The newest id and hash are kept in the
 * meta table signed with the device key, so cutting entries off the end is caught too.
 * Entries hold no personal data: actors are staff names or "system", subjects receipt
 * numbers or record uuids.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/kiosk_log.h"
#include "store/store.h"
#include "store_internal.h"

static void put_u64(crypto_hash_sha256_state *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    crypto_hash_sha256_update(h, b, 8);
}

static void put_str(crypto_hash_sha256_state *h, const char *s)
{
    size_t n = strlen(s);
    put_u64(h, n);
    crypto_hash_sha256_update(h, (const uint8_t *)s, n);
}

static void entry_hash(const uint8_t prev[32], int64_t id, int64_t at_ms, const char *actor,
                       const char *action, const char *subject, const char *detail, uint8_t out[32])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const uint8_t *)"kiosk-audit-v1", 14);
    crypto_hash_sha256_update(&h, prev, 32);
    put_u64(&h, (uint64_t)id);
    put_u64(&h, (uint64_t)at_ms);
    put_str(&h, actor);
    put_str(&h, action);
    put_str(&h, subject);
    put_str(&h, detail);
    crypto_hash_sha256_final(&h, out);
}

/* The signed head: id (8 bytes LE) | hash (32) | Ed25519 signature of both (64). */
#define HEAD_LEN (8 + 32 + 64)

static void head_sign(const store *s, int64_t id, const uint8_t hash[32], uint8_t out[HEAD_LEN])
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)((uint64_t)id >> (8 * i));
    memcpy(out + 8, hash, 32);
    crypto_sign_detached(out + 40, NULL, out, 40, s->key.secret_key);
}

static int read_head(store *s, int64_t *id, uint8_t hash[32], int *signed_ok)
{
    sqlite3_stmt *st = store_cached(s, "SELECT value FROM meta WHERE key = 'audit_head'");
    int found = 0;
    *id = 0;
    memset(hash, 0, 32);
    *signed_ok = 1;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == HEAD_LEN) {
        const uint8_t *b = sqlite3_column_blob(st, 0);
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v |= (uint64_t)b[i] << (8 * i);
        *id = (int64_t)v;
        memcpy(hash, b + 8, 32);
        *signed_ok = crypto_sign_verify_detached(b + 40, b, 40, s->key.public_key) == 0;
        found = 1;
    }
    if (st)
        sqlite3_reset(st);
    return found;
}

kiosk_rc store_audit_append(store *s, const char *actor, const char *action, const char *subject,
                            const char *detail)
{
    if (!s->audit_open) {
        /* first entry of this transaction: the head as committed (the write lock is held,
         * so no other connection moves it meanwhile) */
        int signed_ok;
        read_head(s, &s->audit_last_id, s->audit_last_hash, &signed_ok);
        s->audit_open = 1;
    }
    subject = subject ? subject : "";
    detail = detail ? detail : "";
    int64_t id = s->audit_last_id + 1, at = kiosk_clock_now_ms(s->clock);
    uint8_t hash[32];
    entry_hash(s->audit_last_hash, id, at, actor, action, subject, detail, hash);
    sqlite3_stmt *st = store_cached(s, "INSERT INTO audit(id, at_ms, actor, action, subject,"
                                       " detail, prev, hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return KIOSK_IO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, s->audit_last_hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, hash, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);
    s->audit_last_id = id;
    memcpy(s->audit_last_hash, hash, 32);
    return KIOSK_OK;
}

kiosk_rc store_audit_seal(store *s)
{
    if (!s->audit_open)
        return KIOSK_OK;
    uint8_t head[HEAD_LEN];
    head_sign(s, s->audit_last_id, s->audit_last_hash, head);
    sqlite3_stmt *st =
        store_cached(s, "INSERT INTO meta(key, value) VALUES('audit_head', ?) " STORE_META_UPSERT);
    if (!st)
        return KIOSK_IO;
    sqlite3_bind_blob(st, 1, head, HEAD_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    s->audit_open = 0;
    return recdb_rc(rc);
}

void store_audit_abandon(store *s)
{
    s->audit_open = 0;
}

kiosk_rc store_commit(store *s)
{
    kiosk_rc rc = store_audit_seal(s);
    if (rc == KIOSK_OK)
        rc = store_step_cached(s, "COMMIT");
    if (rc != KIOSK_OK)
        store_rollback(s);
    return rc;
}

void store_rollback(store *s)
{
    store_audit_abandon(s);
    store_step_cached(s, "ROLLBACK");
}

kiosk_rc store_audit(store *s, const char *actor, const char *action, const char *subject,
                     const char *detail)
{
    kiosk_rc rc = store_step_cached(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    rc = store_audit_append(s, actor, action, subject, detail);
    if (rc == KIOSK_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

static void read_entry(sqlite3_stmt *st, store_audit_entry *e)
{
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(st, 0);
    e->at_ms = sqlite3_column_int64(st, 1);
    store_copy_col(st, 2, e->actor, sizeof e->actor);
    store_copy_col(st, 3, e->action, sizeof e->action);
    store_copy_col(st, 4, e->subject, sizeof e->subject);
    store_copy_col(st, 5, e->detail, sizeof e->detail);
}

kiosk_rc store_audit_recent(store *s, size_t max, store_audit_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT id, at_ms, actor, action, subject, detail FROM"
                                " (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_audit_entry e;
        read_entry(st, &e);
        if (fn(ctx, &e)) {
            rc = SQLITE_DONE;
            break;
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return recdb_rc(rc);
}

kiosk_rc store_audit_verify(store *s, store_audit_check *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT id, at_ms, actor, action, subject, detail, prev, hash"
                                " FROM audit ORDER BY id",
                                -1, &st, NULL);
    uint8_t prev[32] = {0};
    int64_t expect = 0;
    kiosk_rc verdict = KIOSK_OK;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        store_audit_entry e;
        read_entry(st, &e);
        uint8_t h[32];
        int ok = sqlite3_column_bytes(st, 6) == 32 && sqlite3_column_bytes(st, 7) == 32 &&
                 memcmp(sqlite3_column_blob(st, 6), prev, 32) == 0 &&
                 (expect == 0 || e.id == expect + 1);
        /* the first entry may follow ids that never existed (a fresh chain starts at 1) */
        if (ok && expect == 0 && e.id != 1)
            ok = 0;
        if (ok) {
            entry_hash(prev, e.id, e.at_ms, e.actor, e.action, e.subject, e.detail, h);
            ok = memcmp(h, sqlite3_column_blob(st, 7), 32) == 0;
        }
        if (!ok) {
            out->first_bad = expect + 1;
            verdict = KIOSK_CORRUPT;
            break;
        }
        memcpy(prev, h, 32);
        expect = e.id;
        out->entries++;
    }
    sqlite3_finalize(st);
    if (verdict == KIOSK_OK && rc != SQLITE_DONE && rc != SQLITE_OK)
        return recdb_rc(rc);
    if (verdict == KIOSK_OK) {
        /* the signed head must name the last entry: entries cut off the end show here */
        int64_t head_id;
        uint8_t head_hash[32];
        int signed_ok;
        int found = read_head(s, &head_id, head_hash, &signed_ok);
        if ((found || out->entries) &&
            (!found || !signed_ok || head_id != expect || memcmp(head_hash, prev, 32) != 0)) {
            out->first_bad = expect + 1;
            verdict = KIOSK_CORRUPT;
        }
    }
    if (verdict != KIOSK_OK)
        kiosk_log_error("audit", "the audit log is broken at entry %" PRId64, out->first_bad);
    return verdict;
}

/* ---- the head anchored at the hub ------------------------------------------------ */

kiosk_rc store_audit_head(store *s, int64_t *id, uint8_t hash[32])
{
    int signed_ok;
    read_head(s, id, hash, &signed_ok);
    return signed_ok ? KIOSK_OK : KIOSK_CORRUPT;
}

/* Does this log hold entry id with this hash? 1 yes, 0 no, -1 a database error. */
static int log_holds(store *s, int64_t id, const uint8_t hash[32])
{
    sqlite3_stmt *st;
    int holds = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT hash FROM audit WHERE id = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            holds = sqlite3_column_bytes(st, 0) == 32 &&
                    sodium_memcmp(sqlite3_column_blob(st, 0), hash, 32) == 0;
        else if (rc == SQLITE_DONE)
            holds = 0;
    }
    sqlite3_finalize(st);
    return holds;
}

/* The hub's anchor as last heard ('hub_audit_anchor'), or the one staff acknowledged
 * as lacking ('hub_audit_ack'): id (8 bytes LE) | hash (32). */
static kiosk_rc anchor_read_key(store *s, const char *key, int64_t *id, uint8_t hash[32])
{
    sqlite3_stmt *st;
    *id = 0;
    memset(hash, 0, 32);
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return KIOSK_IO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 40) {
        const uint8_t *b = sqlite3_column_blob(st, 0);
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v |= (uint64_t)b[i] << (8 * i);
        *id = (int64_t)v;
        memcpy(hash, b + 8, 32);
    }
    sqlite3_finalize(st);
    return KIOSK_OK;
}

static kiosk_rc anchor_read(store *s, int64_t *id, uint8_t hash[32])
{
    return anchor_read_key(s, "hub_audit_anchor", id, hash);
}

kiosk_rc store_audit_anchor_check(store *s, int64_t id, const uint8_t hash[32])
{
    if (id <= 0)
        return KIOSK_OK; /* the hub holds no head of this unit yet */
    int holds = log_holds(s, id, hash);
    if (holds < 0)
        return KIOSK_IO;
    int64_t known_id;
    uint8_t known[32];
    if (!holds && anchor_read(s, &known_id, known) == KIOSK_OK && known_id == id &&
        sodium_memcmp(known, hash, 32) == 0)
        return KIOSK_OK; /* said already: the alarm and the audit entry stand */
    kiosk_rc rc = store_step_cached(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    uint8_t b[40];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)((uint64_t)id >> (8 * i));
    memcpy(b + 8, hash, 32);
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(s->db,
                               "INSERT INTO meta(key, value) VALUES('hub_audit_anchor', ?) "
                               "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               -1, &st, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, b, 40, SQLITE_STATIC);
        r = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    rc = recdb_rc(r);
    char detail[96];
    snprintf(detail, sizeof detail, "the hub holds entry %" PRId64 ", which this log %s", id,
             holds ? "holds" : "lacks");
    if (rc == KIOSK_OK && !holds) {
        static const char why[] = "audit log rolled back or copied (the hub holds a later head)";
        st = NULL;
        r = sqlite3_prepare_v2(s->db,
                               "INSERT INTO meta(key, value) VALUES('store_alarm', ?1),"
                               " ('store_alarm_ms', ?2) "
                               "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               -1, &st, NULL);
        if (r == SQLITE_OK) {
            sqlite3_bind_text(st, 1, why, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, kiosk_clock_now_ms(s->clock));
            r = sqlite3_step(st);
        }
        sqlite3_finalize(st);
        rc = recdb_rc(r);
        if (rc == KIOSK_OK)
            rc = store_audit_append(s, "system", "audit.rolled_back", "", detail);
    }
    if (rc == KIOSK_OK)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (rc != KIOSK_OK)
        return rc;
    if (!holds) {
        kiosk_log_error("audit", "%s: the log was rolled back or copied", detail);
        return KIOSK_CORRUPT;
    }
    return KIOSK_OK;
}

kiosk_rc store_audit_anchor_verify(store *s, int64_t *anchor_id)
{
    uint8_t hash[32], ack[32];
    int64_t ack_id;
    kiosk_rc rc = anchor_read(s, anchor_id, hash);
    if (rc != KIOSK_OK || *anchor_id <= 0)
        return rc;
    int holds = log_holds(s, *anchor_id, hash);
    if (holds < 0)
        return KIOSK_IO;
    if (holds)
        return KIOSK_OK;
    /* staff saw this very rollback (store_alarm_clear): known, not hidden */
    if (anchor_read_key(s, "hub_audit_ack", &ack_id, ack) == KIOSK_OK && ack_id == *anchor_id &&
        sodium_memcmp(ack, hash, 32) == 0)
        return KIOSK_OK;
    return KIOSK_CORRUPT;
}
