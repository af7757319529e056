/*
 * The health report's counters in the store: sessions ended (one row each, only its number
 * of touches) and the help requests after a mark in the events queue, kept until the hub
 * acknowledges a report that carried them. Also numbers the reports and reads the backlog,
 * epoch and free disk the report shows. Nothing of any citizen.
 */
#include "store/store.h"

#include "store_internal.h"

#include <string.h>
#include <sys/statvfs.h>

#include "core/kiosk_log.h"
#include "proto/sync_proto.h"

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

/* Run sql with up to two integer parameters; *out (may be NULL) gets the first column of
 * the first row (0 when none). */
static kiosk_rc run(store *s, const char *sql, int nparams, int64_t a, int64_t b, int64_t *out)
{
    if (out)
        *out = 0;
    sqlite3_stmt *st = prep(s, sql);
    if (!st)
        return KIOSK_IO;
    if (nparams > 0)
        sqlite3_bind_int64(st, 1, a);
    if (nparams > 1)
        sqlite3_bind_int64(st, 2, b);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW && out)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (r == SQLITE_FULL)
        return KIOSK_DISK_FULL;
    return r == SQLITE_ROW || r == SQLITE_DONE ? KIOSK_OK : KIOSK_IO;
}

kiosk_rc store_health_note_session(store *s, int64_t taps)
{
    if (taps < 0)
        taps = 0;
    if (taps > 100000)
        taps = 100000;
    return run(s, "INSERT INTO health_sessions(taps) VALUES(?)", 1, taps, 0, NULL);
}

static const char meta_int_sql[] =
    "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?1), 0)";

static kiosk_rc meta_int(store *s, const char *key, int64_t *out)
{
    *out = 0;
    sqlite3_stmt *st = prep(s, meta_int_sql);
    if (!st)
        return KIOSK_IO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? KIOSK_OK : KIOSK_IO;
}

static kiosk_rc meta_set_int(store *s, const char *key, int64_t v)
{
    sqlite3_stmt *st = prep(s, "INSERT INTO meta(key, value) VALUES(?, ?) " STORE_META_UPSERT);
    if (!st)
        return KIOSK_IO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, v);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? KIOSK_OK : r == SQLITE_FULL ? KIOSK_DISK_FULL : KIOSK_IO;
}

kiosk_rc store_health_take(store *s, store_health *out)
{
    memset(out, 0, sizeof *out);
    kiosk_rc rc = store_exec(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    int64_t mark = 0;
    rc = meta_int(s, "health_seq", &out->seq);
    out->seq++;
    if (rc == KIOSK_OK)
        rc = meta_set_int(s, "health_seq", out->seq);
    if (rc == KIOSK_OK)
        rc =
            run(s, "SELECT coalesce(max(id), 0) FROM health_sessions", 0, 0, 0, &out->upto_session);
    if (rc == KIOSK_OK)
        rc = run(s, "SELECT count(*) FROM health_sessions WHERE id <= ?", 1, out->upto_session, 0,
                 &out->sessions);
    if (rc == KIOSK_OK && out->sessions > 0)
        rc = run(s,
                 "SELECT taps FROM health_sessions WHERE id <= ? ORDER BY taps"
                 " LIMIT 1 OFFSET ?",
                 2, out->upto_session, (out->sessions - 1) / 2, &out->median_taps);
    if (rc == KIOSK_OK)
        rc = meta_int(s, "health_event_mark", &mark);
    if (rc == KIOSK_OK)
        rc = run(s, "SELECT coalesce(max(seq), 0) FROM events", 0, 0, 0, &out->upto_event);
    if (rc == KIOSK_OK)
        rc = run(s,
                 "SELECT count(*) FROM events WHERE kind = '" SYNC_EVENT_HELP "'"
                 " AND seq > ? AND seq <= ?",
                 2, mark, out->upto_event, &out->help_requests);
    if (rc == KIOSK_OK)
        rc = run(s, "SELECT count(*) FROM records WHERE state IN (0, 1)", 0, 0, 0, &out->backlog);
    if (rc == KIOSK_OK)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (rc != KIOSK_OK)
        return rc;
    store_epoch ep;
    if (store_epoch_info(s, &ep) == KIOSK_OK)
        memcpy(out->epoch, ep.id, sizeof out->epoch);
    struct statvfs vfs;
    if (statvfs(s->dir, &vfs) == 0 && vfs.f_blocks > 0) {
        out->disk_free_bytes = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
        out->disk_free_pct = (int)((uint64_t)vfs.f_bavail * 100 / vfs.f_blocks);
    }
    return KIOSK_OK;
}

kiosk_rc store_health_reported(store *s, const store_health *h)
{
    kiosk_rc rc = store_exec(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    int64_t mark = 0;
    rc = run(s, "DELETE FROM health_sessions WHERE id <= ?", 1, h->upto_session, 0, NULL);
    if (rc == KIOSK_OK)
        rc = meta_int(s, "health_event_mark", &mark);
    if (rc == KIOSK_OK && h->upto_event > mark)
        rc = meta_set_int(s, "health_event_mark", h->upto_event);
    if (rc == KIOSK_OK)
        rc = store_commit(s);
    else
        store_rollback(s);
    return rc;
}
