/*
 * Staff accounts and logins. PINs are never stored: crypto_pwhash_str (argon2id,
 * interactive limits) makes a self-describing hash string. The lockout state is one
 * counter for the whole kiosk (a PIN-only login names nobody to lock), kept in meta so a
 * restart does not reset it.
 */
#include "store/staff.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/kiosk_log.h"
#include "store_internal.h"

#define LOCK_AFTER 3
#define LOCK_FIRST_MS 30000
#define LOCK_MAX_MS 3600000

const char *staff_role_name(staff_role role)
{
    return role == STAFF_HALL ? "hall" : role == STAFF_TECHNICIAN ? "technician" : "?";
}

static int name_ok(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len == 0 || len >= STAFF_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && n[i] != '_' && n[i] != '-')
            return 0;
    return 1;
}

static int pin_ok(const char *p)
{
    size_t len = p ? strlen(p) : 0;
    if (len < STAFF_PIN_MIN || len > STAFF_PIN_MAX)
        return 0;
    int same = 1;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        same &= p[i] == p[0];
    }
    return !same;
}

static int uid_ok(const char *u)
{
    size_t len = strlen(u);
    if (len < 8 || len > 20)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isxdigit((unsigned char)u[i]))
            return 0;
    return 1;
}

/* Does pin match any live account's hash? 1 and *id when it does. Slow on purpose. */
static int pin_owner(store *s, const char *pin, const char *card_uid, int64_t *id,
                     staff_account *who)
{
    sqlite3_stmt *st;
    int found = 0;
    const char *sql = card_uid ? "SELECT id, pin_hash, name, role, card_uid IS NOT NULL, created_ms"
                                 " FROM staff WHERE removed = 0 AND card_uid = ?"
                               : "SELECT id, pin_hash, name, role, card_uid IS NOT NULL, created_ms"
                                 " FROM staff WHERE removed = 0 ORDER BY id";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (card_uid)
        sqlite3_bind_text(st, 1, card_uid, -1, SQLITE_STATIC);
    while (!found && sqlite3_step(st) == SQLITE_ROW) {
        const char *hash = (const char *)sqlite3_column_text(st, 1);
        if (hash && crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0) {
            found = 1;
            *id = sqlite3_column_int64(st, 0);
            if (who) {
                memset(who, 0, sizeof *who);
                store_copy_col(st, 2, who->name, sizeof who->name);
                who->role = (staff_role)sqlite3_column_int(st, 3);
                who->has_card = sqlite3_column_int(st, 4);
                who->created_ms = sqlite3_column_int64(st, 5);
            }
        }
    }
    sqlite3_finalize(st);
    return found;
}

static int64_t meta_int(store *s, const char *key)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

static kiosk_rc meta_set_int(store *s, const char *key, int64_t v)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1,
                                &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, v);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return recdb_rc(rc);
}

kiosk_rc staff_add(store *s, const char *name, staff_role role, const char *pin,
                   const char *card_uid, const char *by)
{
    if (!name_ok(name) || !pin_ok(pin) || (role != STAFF_HALL && role != STAFF_TECHNICIAN) ||
        (card_uid && !uid_ok(card_uid)))
        return KIOSK_INVALID;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return KIOSK_NOMEM;
    int64_t other;
    if (pin_owner(s, pin, NULL, &other, NULL))
        return KIOSK_BUSY; /* a PIN alone must say who logs in */
    kiosk_rc rc = store_step_cached(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *st;
    int count = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM staff WHERE removed = 0", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        count = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (count >= STAFF_MAX)
        rc = KIOSK_RANGE;
    if (rc == KIOSK_OK) {
        /* a removed account's name can be given again */
        int r = sqlite3_prepare_v2(
            s->db,
            "INSERT INTO staff(name, role, pin_hash, card_uid, created_ms) VALUES(?, ?, ?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET role = excluded.role, pin_hash = excluded.pin_hash,"
            " card_uid = excluded.card_uid, created_ms = excluded.created_ms, removed = 0"
            " WHERE removed = 1",
            -1, &st, NULL);
        if (r == SQLITE_OK) {
            sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 2, (int)role);
            sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
            if (card_uid)
                sqlite3_bind_text(st, 4, card_uid, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(st, 4);
            sqlite3_bind_int64(st, 5, kiosk_clock_now_ms(s->clock));
            r = sqlite3_step(st);
        }
        int changed = sqlite3_changes(s->db);
        sqlite3_finalize(st);
        rc = r == SQLITE_DONE && changed == 1                      ? KIOSK_OK
             : r == SQLITE_DONE || (r & 0xFF) == SQLITE_CONSTRAINT ? KIOSK_BUSY
                                                                   : recdb_rc(r);
    }
    char detail[64];
    snprintf(detail, sizeof detail, "role %s%s", staff_role_name(role), card_uid ? ", card" : "");
    if (rc == KIOSK_OK)
        rc = store_audit_append(s, by ? by : "system", "staff.add", name, detail);
    if (rc == KIOSK_OK)
        rc = store_commit(s);
    if (rc != KIOSK_OK)
        store_rollback(s);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

kiosk_rc staff_remove(store *s, const char *name, const char *by)
{
    kiosk_rc rc = store_step_cached(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *st;
    int r = sqlite3_prepare_v2(s->db,
                               "UPDATE staff SET removed = 1, card_uid = NULL, pin_hash = ''"
                               " WHERE name = ? AND removed = 0",
                               -1, &st, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
    }
    int changed = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    rc = r != SQLITE_DONE ? recdb_rc(r) : changed ? KIOSK_OK : KIOSK_NOT_FOUND;
    if (rc == KIOSK_OK)
        rc = store_audit_append(s, by ? by : "system", "staff.remove", name, "");
    if (rc == KIOSK_OK)
        rc = store_commit(s);
    if (rc != KIOSK_OK)
        store_rollback(s);
    return rc;
}

kiosk_rc staff_list(store *s, int (*fn)(void *ctx, const staff_account *a), void *ctx)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT name, role, card_uid IS NOT NULL, created_ms FROM staff"
                                " WHERE removed = 0 ORDER BY name",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        staff_account a;
        memset(&a, 0, sizeof a);
        store_copy_col(st, 0, a.name, sizeof a.name);
        a.role = (staff_role)sqlite3_column_int(st, 1);
        a.has_card = sqlite3_column_int(st, 2);
        a.created_ms = sqlite3_column_int64(st, 3);
        if (fn(ctx, &a)) {
            rc = SQLITE_DONE;
            break;
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return recdb_rc(rc);
}

kiosk_rc staff_login(store *s, const char *card_uid, const char *pin, staff_account *who,
                     int64_t *retry_in_ms)
{
    memset(who, 0, sizeof *who);
    if (retry_in_ms)
        *retry_in_ms = 0;
    int64_t now = kiosk_clock_now_ms(s->clock);
    int64_t locked_until = meta_int(s, "staff_locked_until");
    if (now < locked_until) {
        if (retry_in_ms)
            *retry_in_ms = locked_until - now;
        return KIOSK_BUSY;
    }
    int64_t id = 0;
    int ok = pin && pin_ok(pin) && pin_owner(s, pin, card_uid, &id, who);
    kiosk_rc rc = store_step_cached(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    int64_t failures = ok ? 0 : meta_int(s, "staff_failures") + 1;
    rc = meta_set_int(s, "staff_failures", failures);
    int64_t delay = 0;
    if (rc == KIOSK_OK && failures >= LOCK_AFTER) {
        delay = LOCK_FIRST_MS;
        for (int64_t k = LOCK_AFTER; k < failures && delay < LOCK_MAX_MS; k++)
            delay *= 2;
        if (delay > LOCK_MAX_MS)
            delay = LOCK_MAX_MS;
    }
    if (rc == KIOSK_OK)
        rc = meta_set_int(s, "staff_locked_until", delay ? now + delay : 0);
    char detail[64];
    snprintf(detail, sizeof detail, "%s%s", card_uid ? "card" : "pin",
             delay ? ", login locked" : "");
    if (rc == KIOSK_OK)
        rc = store_audit_append(s, ok ? who->name : "unknown",
                                ok ? "staff.login" : "staff.login_failed", "", detail);
    if (rc == KIOSK_OK)
        rc = store_commit(s);
    if (rc != KIOSK_OK) {
        store_rollback(s);
        memset(who, 0, sizeof *who);
        return rc;
    }
    if (!ok) {
        memset(who, 0, sizeof *who);
        kiosk_log_warn("staff", "a staff login failed (%lld in a row)", (long long)failures);
        if (retry_in_ms)
            *retry_in_ms = delay;
        return KIOSK_AUTH;
    }
    kiosk_log_info("staff", "%s logged in", who->name);
    return KIOSK_OK;
}
