/*
 * Kiosk events: urgent notices for the hub (today "help.request"), queued beside the
 * records with their own sequence and sent by the sync worker before any record. An
 * event holds the kind, the journey step's name, the hall code and the time — never
 * anything of the citizen. Its audit entry is written in the same transaction.
 */
#include "store/store.h"

#include "store_internal.h"

#include <string.h>

#include "core/kiosk_log.h"
#include "proto/sync_proto.h"

/* Events are rare: their statements are prepared per call, not held in the store's
 * statement cache (kept for the hot paths). */
static sqlite3_stmt *prep(store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        kiosk_log_error("store", "cannot prepare: %s", sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

kiosk_rc store_event_add(store *s, const char *kind, const char *step, int64_t *seq)
{
    if (seq)
        *seq = 0;
    if (!sync_event_field_ok(kind, 0) || !sync_event_field_ok(step, 0) ||
        !sync_event_field_ok(s->hall_code, 1))
        return KIOSK_INVALID;
    static const char sql[] = "INSERT INTO events(kind, step, hall_code, at_ms) VALUES(?, ?, ?, ?)";
    kiosk_rc rc = store_exec(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *st = prep(s, sql);
    rc = st ? KIOSK_OK : KIOSK_IO;
    if (rc == KIOSK_OK) {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, step, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, s->hall_code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, kiosk_clock_now_ms(s->clock));
        int r = sqlite3_step(st);
        sqlite3_finalize(st);
        rc = r == SQLITE_DONE ? KIOSK_OK : r == SQLITE_FULL ? KIOSK_DISK_FULL : KIOSK_IO;
        if (rc != KIOSK_OK)
            kiosk_log_error("store", "queueing an event failed: %s", sqlite3_errmsg(s->db));
    }
    int64_t id = rc == KIOSK_OK ? sqlite3_last_insert_rowid(s->db) : 0;
    if (rc == KIOSK_OK)
        rc = store_audit_append(s, "citizen", kind, step, s->hall_code);
    if (rc == KIOSK_OK)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (rc == KIOSK_OK && seq)
        *seq = id;
    return rc;
}

kiosk_rc store_events_pending(store *s, struct sync_event *out, size_t max, size_t *n)
{
    *n = 0;
    if (max == 0)
        return KIOSK_OK;
    static const char sql[] = "SELECT seq, kind, step, hall_code, at_ms FROM events"
                              " WHERE state = 0 ORDER BY seq LIMIT ?";
    sqlite3_stmt *st = prep(s, sql);
    if (!st)
        return KIOSK_IO;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
    int r;
    size_t got = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW && got < max) {
        sync_event *e = &out[got++];
        memset(e, 0, sizeof *e);
        e->seq = sqlite3_column_int64(st, 0);
        store_copy_col(st, 1, e->kind, sizeof e->kind);
        store_copy_col(st, 2, e->step, sizeof e->step);
        store_copy_col(st, 3, e->hall_code, sizeof e->hall_code);
        e->at_ms = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        return KIOSK_IO;
    if (got) {
        static const char up[] =
            "UPDATE events SET attempts = attempts + 1 WHERE state = 0 AND seq <= ?";
        sqlite3_stmt *u = prep(s, up);
        if (!u)
            return KIOSK_IO;
        sqlite3_bind_int64(u, 1, out[got - 1].seq);
        r = sqlite3_step(u);
        sqlite3_finalize(u);
        if (r != SQLITE_DONE)
            return KIOSK_IO;
    }
    *n = got;
    return KIOSK_OK;
}

kiosk_rc store_events_mark_sent(store *s, const int64_t *seqs, size_t n, int64_t now_ms,
                                size_t *changed)
{
    if (changed)
        *changed = 0;
    if (n == 0)
        return KIOSK_OK;
    static const char sql[] =
        "UPDATE events SET state = 1, sent_ms = ? WHERE seq = ? AND state = 0";
    kiosk_rc rc = store_exec(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    size_t done = 0;
    sqlite3_stmt *st = prep(s, sql);
    if (!st)
        rc = KIOSK_IO;
    for (size_t i = 0; rc == KIOSK_OK && i < n; i++) {
        sqlite3_bind_int64(st, 1, now_ms);
        sqlite3_bind_int64(st, 2, seqs[i]);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            rc = KIOSK_IO;
        else
            done += (size_t)sqlite3_changes(s->db);
    }
    sqlite3_finalize(st);
    if (rc == KIOSK_OK)
        rc = store_exec(s, "COMMIT");
    if (rc != KIOSK_OK) {
        store_exec(s, "ROLLBACK");
        return rc;
    }
    if (changed)
        *changed = done;
    return KIOSK_OK;
}

kiosk_rc store_events_count(store *s, int64_t *pending, int64_t *sent)
{
    static const char sql[] = "SELECT coalesce(sum(state = 0), 0), coalesce(sum(state = 1), 0)"
                              " FROM events";
    sqlite3_stmt *st = prep(s, sql);
    if (!st)
        return KIOSK_IO;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        if (pending)
            *pending = sqlite3_column_int64(st, 0);
        if (sent)
            *sent = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? KIOSK_OK : KIOSK_IO;
}
