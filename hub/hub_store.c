/*
 * The hub's storage interface (hub_db.h): the --db value names the backend, and every
 * operation goes through that backend's table (hub_db_impl.h). SQLite for one hall (a
 * path), PostgreSQL for a region (a postgresql:// or postgres:// URL), where several hub
 * processes share one database.
 */
#include <stdio.h>
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
    kiosk_rc rc =
        db->ops->ingest_epoch(db->impl, device_pk, epoch, recs, n, source, now_ms, results);
    /* the records' metadata (checked with their signatures), beside them: after the
     * batch, so the ingest of either backend is untouched; a record that came without it
     * and comes again with it gets it then */
    int any = 0;
    for (size_t i = 0; rc == KIOSK_OK && i < n && !any; i++)
        any = recs[i].record_type[0] && results[i].status != SYNC_REJECTED;
    if (any) {
        kiosk_rc m = db->ops->meta_put(db->impl, recs, results, n);
        if (m != KIOSK_OK && m != KIOSK_NOT_FOUND)
            kiosk_log_warn("hub_db", "the records' metadata was not kept: %s", kiosk_strerror(m));
    }
    return rc;
}

kiosk_rc hub_db_ingest_request(hub_db *db, const uint8_t device_pk[32], const uint8_t *epoch,
                               const sync_record *recs, size_t n, int64_t now_ms,
                               const uint8_t signature[64], const sync_head *head,
                               sync_result *results, int *replayed, sync_mark *mark)
{
    if (!db || !signature || !replayed || !mark)
        return KIOSK_INVALID;
    *replayed = 0;
    memset(mark, 0, sizeof *mark);
    if (head && !head->present)
        head = NULL;
    if (db->ops->ingest_request)
        return db->ops->ingest_request(db->impl, device_pk, epoch, recs, n, now_ms, signature, head,
                                       results, replayed, mark);
    /* one process: nothing can remember it between this look and the remembering below */
    kiosk_rc rc = db->ops->seen_request(db->impl, signature, now_ms, 0, replayed);
    if (rc != KIOSK_OK || *replayed)
        return rc;
    rc = hub_db_ingest_epoch(db, device_pk, epoch, recs, n, "http", now_ms, results);
    if (rc != KIOSK_OK)
        return rc;
    /* Failing to remember only lets a replay through, and a replay of stored records is
     * answered with duplicates. */
    int seen = 0;
    if (db->ops->seen_request(db->impl, signature, now_ms, 1, &seen) != KIOSK_OK)
        kiosk_log_warn("hub_db", "cannot remember the request signature");
    if (head && db->ops->mark_epoch(db->impl, device_pk, epoch, head, now_ms, mark) != KIOSK_OK) {
        kiosk_log_warn("hub_db", "cannot read or keep the device's mark");
        memset(mark, 0, sizeof *mark);
    }
    return KIOSK_OK;
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

kiosk_rc hub_db_request_admit(hub_db *db, const uint8_t public_key[32], const uint8_t signature[64],
                              int64_t now_ms, int *seen)
{
    *seen = 0;
    if (db->ops->request_admit)
        return db->ops->request_admit(db->impl, public_key, signature, now_ms, seen);
    kiosk_rc rc = db->ops->device_known(db->impl, public_key);
    return rc == KIOSK_OK ? db->ops->seen_request(db->impl, signature, now_ms, 0, seen) : rc;
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

/* ---- processing state ---- */

static int actor_ok(const char *actor)
{
    if (!actor || !actor[0])
        return 0;
    for (const char *c = actor; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            return 0;
    return 1;
}

kiosk_rc hub_db_state_set(hub_db *db, const char *uuid, sync_state state, const char *note,
                          const char *actor, int64_t now_ms)
{
    if (!db || !uuid || !sync_uuid_valid(uuid) || state == SYNC_STATE_UNKNOWN ||
        !sync_state_name(state) || !sync_state_note_valid(note) ||
        (note[0] && state != SYNC_STATE_NEEDS_MATERIALS) || !actor_ok(actor))
        return KIOSK_INVALID;
    char who[HUB_STATE_ACTOR_MAX];
    snprintf(who, sizeof who, "%s", actor);
    return db->ops->state_set(db->impl, uuid, sync_state_name(state), note, who, now_ms);
}

kiosk_rc hub_db_state_get(hub_db *db, const uint8_t *device, const char *uuid,
                          hub_record_state *out)
{
    memset(out, 0, sizeof *out);
    if (!uuid || !sync_uuid_valid(uuid))
        return KIOSK_INVALID;
    memcpy(out->s.uuid, uuid, SYNC_UUID_LEN + 1);
    kiosk_rc rc = db->ops->state_get(db->impl, uuid, out);
    if (rc == KIOSK_OK && device && memcmp(device, out->device, 32) != 0) {
        /* another device's record: answered as not held */
        memset(out, 0, sizeof *out);
        memcpy(out->s.uuid, uuid, SYNC_UUID_LEN + 1);
    }
    if (rc != KIOSK_OK || out->s.state == SYNC_STATE_UNKNOWN) {
        memset(out->s.note, 0, sizeof out->s.note);
        out->s.changed_ms = 0;
        out->changed_by[0] = 0;
    }
    return rc;
}

kiosk_rc hub_db_state_history(hub_db *db, const char *uuid, hub_db_state_cb cb, void *ctx)
{
    if (!uuid || !sync_uuid_valid(uuid))
        return KIOSK_INVALID;
    return db->ops->state_history(db->impl, uuid, cb, ctx);
}

/* ---- record metadata ---- */

int hub_db_meta_type_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= HUB_META_TYPE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return 0;
    return 1;
}

int hub_db_meta_receipt_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= HUB_META_RECEIPT_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

kiosk_rc hub_db_meta_put(hub_db *db, const char *uuid, const char *record_type,
                         const char *receipt_no)
{
    if (!uuid || !sync_uuid_valid(uuid) || !hub_db_meta_type_ok(record_type) ||
        !hub_db_meta_receipt_ok(receipt_no))
        return KIOSK_INVALID;
    sync_record r;
    memset(&r, 0, sizeof r);
    memcpy(r.uuid, uuid, SYNC_UUID_LEN + 1);
    snprintf(r.record_type, sizeof r.record_type, "%s", record_type);
    snprintf(r.receipt_no, sizeof r.receipt_no, "%s", receipt_no);
    return db->ops->meta_put(db->impl, &r, NULL, 1);
}

kiosk_rc hub_db_find_receipt(hub_db *db, const uint8_t device[32], const char *receipt_no,
                             char uuid[SYNC_UUID_LEN + 1])
{
    uuid[0] = '\0';
    if (!hub_db_meta_receipt_ok(receipt_no))
        return KIOSK_NOT_FOUND;
    return db->ops->find_receipt(db->impl, device, receipt_no, uuid);
}

kiosk_rc hub_db_health_add(hub_db *db, const uint8_t public_key[32], const health_report *r,
                           const char *source, int64_t now_ms, int *added)
{
    if (added)
        *added = 0;
    if (!health_report_valid(r))
        return KIOSK_INVALID;
    return db->ops->health_add(db->impl, public_key, r, source, now_ms, added);
}

kiosk_rc hub_db_health_latest(hub_db *db, hub_db_health_cb cb, void *ctx)
{
    return db->ops->health_walk(db->impl, 1, NULL, -1, cb, ctx);
}

kiosk_rc hub_db_health_history(hub_db *db, const uint8_t *public_key, int64_t since_ms,
                               hub_db_health_cb cb, void *ctx)
{
    return db->ops->health_walk(db->impl, 0, public_key, since_ms, cb, ctx);
}

kiosk_rc hub_db_health_prune(hub_db *db, int64_t before_ms, int64_t *removed)
{
    if (removed)
        *removed = 0;
    return db->ops->health_prune(db->impl, before_ms, removed);
}

/* The problems of r into why, each reason in English (zh 0) or in Chinese with the English
 * beside (zh 1); 1 when there is one. */
static int health_problem(const health_report *r, int zh, char *why, size_t why_size)
{
    char buf[320] = "";
    size_t used = 0;
    /* one reason: its Chinese (when zh) and its English, after a separator */
#define HUB_HEALTH_NOTE(ZH, ...)                                                                   \
    do {                                                                                           \
        int w_ = snprintf(buf + used, sizeof buf - used, "%s%s", used ? (zh ? "；" : ", ") : "",   \
                          zh ? ZH " " : "");                                                       \
        if (w_ > 0 && (size_t)w_ < sizeof buf - used)                                              \
            used += (size_t)w_;                                                                    \
        w_ = snprintf(buf + used, sizeof buf - used, __VA_ARGS__);                                 \
        if (w_ > 0 && (size_t)w_ < sizeof buf - used)                                              \
            used += (size_t)w_;                                                                    \
    } while (0)
    if (r->printer == HEALTH_PRINTER_PAPER_OUT)
        HUB_HEALTH_NOTE("打印机缺纸", "printer out of paper");
    else if (r->printer == HEALTH_PRINTER_OFFLINE)
        HUB_HEALTH_NOTE("打印机离线", "printer %s", health_printer_name(r->printer));
    else if (r->printer == HEALTH_PRINTER_FAULT)
        HUB_HEALTH_NOTE("打印机故障", "printer %s", health_printer_name(r->printer));
    if (r->reader == HEALTH_READER_FAULT)
        HUB_HEALTH_NOTE("读卡器故障", "reader down");
    if (r->disk_free_pct < 10)
        HUB_HEALTH_NOTE("磁盘将满", "disk %d %% free", r->disk_free_pct);
    if (r->has_update && r->update.result == HEALTH_UPDATE_FAILED)
        HUB_HEALTH_NOTE("软件更新失败", "update %s %s", r->update.version,
                        health_update_result_name(r->update.result));
    else if (r->has_update && r->update.result == HEALTH_UPDATE_FALLBACK)
        HUB_HEALTH_NOTE("软件更新已回退", "update %s %s", r->update.version,
                        health_update_result_name(r->update.result));
#undef HUB_HEALTH_NOTE
    if (why && why_size)
        snprintf(why, why_size, "%s", buf);
    return used > 0;
}

int hub_health_problem(const health_report *r, char *why, size_t why_size)
{
    return health_problem(r, 0, why, why_size);
}

int hub_health_problem_zh(const health_report *r, char *why, size_t why_size)
{
    return health_problem(r, 1, why, why_size);
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
