/*
 * The hub's storage interface (hub_db.h): the --db value names the backend, and every
 * operation goes through that backend's table (hub_db_impl.h). SQLite for one hall (a
 * path), PostgreSQL for a region (a postgresql:// or postgres:// URL), where several hub
 * processes share one database.
 */
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"
#include "hub_db_impl.h"

struct hub_db {
    const hub_db_ops *ops;
    void *impl;
};

int hub_db_is_url(const char *where)
{
    return where &&
           (strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0);
}

kiosk_rc hub_db_open(const char *where, hub_db **out)
{
    *out = NULL;
    if (!where)
        return KIOSK_INVALID;
    hub_db *db = calloc(1, sizeof *db);
    if (!db)
        return KIOSK_NOMEM;
    kiosk_rc rc;
    if (hub_db_is_url(where)) {
#ifdef KIOSK_HUB_POSTGRESQL
        db->ops = &hub_pg_ops;
        rc = hub_pg_open_impl(where, &db->impl);
#else
        kiosk_log_error("hub_db", "this kiosk-hub is built without PostgreSQL (no libpq)");
        rc = KIOSK_UNSUPPORTED;
#endif
    } else {
        db->ops = &hub_sqlite_ops;
        rc = hub_sqlite_open_impl(where, &db->impl);
    }
    if (rc != KIOSK_OK) {
        free(db);
        return rc;
    }
    *out = db;
    return KIOSK_OK;
}

void hub_db_close(hub_db *db)
{
    if (!db)
        return;
    db->ops->close(db->impl);
    free(db);
}

const char *hub_db_backend(const hub_db *db)
{
    return db->ops->name;
}

kiosk_rc hub_db_device_add(hub_db *db, const uint8_t public_key[32], const char *name,
                           int64_t now_ms)
{
    return db->ops->device_add(db->impl, public_key, name, now_ms);
}

kiosk_rc hub_db_device_remove(hub_db *db, const uint8_t public_key[32])
{
    return db->ops->device_remove(db->impl, public_key);
}

kiosk_rc hub_db_device_known(hub_db *db, const uint8_t public_key[32])
{
    return db->ops->device_known(db->impl, public_key);
}

kiosk_rc hub_db_device_list(hub_db *db, hub_device **out, size_t *n)
{
    return db->ops->device_list(db->impl, out, n);
}

kiosk_rc hub_db_device_counts(hub_db *db, const uint8_t public_key[32], int64_t *records,
                              int64_t *max_seq)
{
    return db->ops->device_counts(db->impl, public_key, records, max_seq);
}

kiosk_rc hub_db_ingest(hub_db *db, const uint8_t device_pk[32], const sync_record *recs, size_t n,
                       const char *source, int64_t now_ms, sync_result *results)
{
    return hub_db_ingest_epoch(db, device_pk, NULL, recs, n, source, now_ms, results);
}

kiosk_rc hub_db_ingest_epoch(hub_db *db, const uint8_t device_pk[32], const uint8_t *epoch,
                             const sync_record *recs, size_t n, const char *source, int64_t now_ms,
                             sync_result *results)
{
    if (!db)
        return KIOSK_INVALID;
    return db->ops->ingest_epoch(db->impl, device_pk, epoch, recs, n, source, now_ms, results);
}

kiosk_rc hub_db_reconcile_count(hub_db *db, int64_t *count, int64_t *seq_conflicts)
{
    return db->ops->reconcile_count(db->impl, count, seq_conflicts);
}

kiosk_rc hub_db_seen_request(hub_db *db, const uint8_t signature[64], int64_t now_ms, int remember,
                             int *seen)
{
    return db->ops->seen_request(db->impl, signature, now_ms, remember, seen);
}

kiosk_rc hub_db_mark(hub_db *db, const uint8_t public_key[32], const sync_head *given,
                     int64_t now_ms, sync_mark *out)
{
    return hub_db_mark_epoch(db, public_key, NULL, given, now_ms, out);
}

kiosk_rc hub_db_mark_epoch(hub_db *db, const uint8_t public_key[32], const uint8_t *epoch,
                           const sync_head *given, int64_t now_ms, sync_mark *out)
{
    return db->ops->mark_epoch(db->impl, public_key, epoch, given, now_ms, out);
}

kiosk_rc hub_db_gaps(hub_db *db, const uint8_t public_key[32], hub_gap **gaps, size_t *n)
{
    return db->ops->gaps(db->impl, public_key, gaps, n);
}

kiosk_rc hub_db_foreach_record(hub_db *db, hub_db_record_cb cb, void *ctx)
{
    return db->ops->foreach_record(db->impl, cb, ctx);
}

kiosk_rc hub_db_device_results(hub_db *db, const uint8_t public_key[32], size_t max,
                               sync_result **out, size_t *n)
{
    return db->ops->device_results(db->impl, public_key, max, out, n);
}

kiosk_rc hub_db_events_add(hub_db *db, const uint8_t public_key[32], const sync_event *events,
                           size_t n, int64_t now_ms)
{
    return db->ops->events_add(db->impl, public_key, events, n, now_ms);
}

kiosk_rc hub_db_foreach_event(hub_db *db, int64_t since_ms, hub_db_event_cb cb, void *ctx)
{
    return db->ops->foreach_event(db->impl, since_ms, cb, ctx);
}

kiosk_rc hub_db_event_count(hub_db *db, const char *kind, int64_t since_ms, int64_t *count)
{
    return db->ops->event_count(db->impl, kind, since_ms, count);
}

kiosk_rc hub_db_query(hub_db *db, const char *sql, const char *pg_sql, const hub_qparam *params,
                      size_t n, hub_rows **rows, int64_t *changes)
{
    if (rows)
        *rows = NULL;
    if (changes)
        *changes = 0;
    if (!db || !sql)
        return KIOSK_INVALID;
    int pg = strcmp(db->ops->name, "postgresql") == 0;
    return db->ops->query(db->impl, pg && pg_sql ? pg_sql : sql, params, n, rows, changes);
}

void hub_rows_free(hub_rows *rows)
{
    if (!rows)
        return;
    for (size_t i = 0; i < rows->ncells; i++)
        free(rows->cell[i]);
    free(rows->cell);
    free(rows);
}

const char *hub_rows_get(const hub_rows *rows, size_t row, size_t col)
{
    if (!rows || row >= rows->nrows || col >= rows->ncols)
        return "";
    const char *c = rows->cell[row * rows->ncols + col];
    return c ? c : "";
}

int64_t hub_rows_i64(const hub_rows *rows, size_t row, size_t col)
{
    return strtoll(hub_rows_get(rows, row, col), NULL, 10);
}

hub_rows *hub_rows_new(size_t ncols)
{
    hub_rows *r = calloc(1, sizeof *r);
    if (r)
        r->ncols = ncols;
    return r;
}

kiosk_rc hub_rows_append(hub_rows *rows, const char *text, size_t len)
{
    if (rows->ncells == rows->cap) {
        size_t cap = rows->cap ? 2 * rows->cap : 64;
        char **grown = realloc(rows->cell, cap * sizeof *grown);
        if (!grown)
            return KIOSK_NOMEM;
        rows->cell = grown;
        rows->cap = cap;
    }
    char *c = NULL;
    if (text) {
        c = malloc(len + 1);
        if (!c)
            return KIOSK_NOMEM;
        memcpy(c, text, len);
        c[len] = '\0';
    }
    rows->cell[rows->ncells++] = c;
    rows->nrows = rows->ncols ? rows->ncells / rows->ncols : 0;
    return KIOSK_OK;
}
