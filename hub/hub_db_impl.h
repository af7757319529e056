/*
 * The hub's storage interface, inside the hub room: hub_db.h is what callers see; behind it
 * a table of operations per backend. hub_db.c is the SQLite backend (one hall), hub_pg.c the
 * PostgreSQL one (a region: several hub processes on one database). hub_store.c opens the
 * backend named by the --db value and dispatches. A backend implements every operation
 * with the contract written in hub_db.h; impl is its own connection state.
 */
#ifndef KIOSK_HUB_DB_IMPL_H
#define KIOSK_HUB_DB_IMPL_H

#include "hub/hub_db.h"

typedef struct hub_db_ops {
    const char *name; /* "sqlite" or "postgresql" */
    void (*close)(void *impl);
    kiosk_rc (*device_add)(void *impl, const uint8_t pk[32], const char *name, int64_t now_ms);
    kiosk_rc (*device_remove)(void *impl, const uint8_t pk[32]);
    kiosk_rc (*device_known)(void *impl, const uint8_t pk[32]);
    kiosk_rc (*device_list)(void *impl, hub_device **out, size_t *n);
    kiosk_rc (*device_counts)(void *impl, const uint8_t pk[32], int64_t *records, int64_t *max_seq);
    kiosk_rc (*ingest_epoch)(void *impl, const uint8_t pk[32], const uint8_t *epoch,
                             const sync_record *recs, size_t n, const char *source, int64_t now_ms,
                             sync_result *results);
    kiosk_rc (*reconcile_count)(void *impl, int64_t *count, int64_t *seq_conflicts);
    kiosk_rc (*seen_request)(void *impl, const uint8_t signature[64], int64_t now_ms, int remember,
                             int *seen);
    kiosk_rc (*mark_epoch)(void *impl, const uint8_t pk[32], const uint8_t *epoch,
                           const sync_head *given, int64_t now_ms, sync_mark *out);
    kiosk_rc (*gaps)(void *impl, const uint8_t pk[32], hub_gap **gaps, size_t *n);
    kiosk_rc (*foreach_record)(void *impl, hub_db_record_cb cb, void *ctx);
    kiosk_rc (*device_results)(void *impl, const uint8_t pk[32], size_t max, sync_result **out,
                               size_t *n);
    kiosk_rc (*events_add)(void *impl, const uint8_t pk[32], const sync_event *events, size_t n,
                           int64_t now_ms);
    kiosk_rc (*foreach_event)(void *impl, int64_t since_ms, hub_db_event_cb cb, void *ctx);
    kiosk_rc (*event_count)(void *impl, const char *kind, int64_t since_ms, int64_t *count);
    /* processing state (hub_db.h): arguments checked by hub_store.c before the call */
    kiosk_rc (*state_set)(void *impl, const char *uuid, const char *state, const char *note,
                          const char *actor, int64_t now_ms);
    kiosk_rc (*state_get)(void *impl, const char *uuid, hub_record_state *out);
    kiosk_rc (*state_history)(void *impl, const char *uuid, hub_db_state_cb cb, void *ctx);
    /* record metadata (hub_db.h): arguments checked by hub_store.c */
    /* the metadata of the records of recs (n; checked) that carry it and whose results
     * (NULL: all) are not rejected, in one transaction; KIOSK_NOT_FOUND when n is 1 and
     * its record is not held */
    kiosk_rc (*meta_put)(void *impl, const sync_record *recs, const sync_result *results, size_t n);
    kiosk_rc (*find_receipt)(void *impl, const uint8_t device[32], const char *receipt_no,
                             char uuid[SYNC_UUID_LEN + 1]);
    kiosk_rc (*health_add)(void *impl, const uint8_t pk[32], const health_report *r,
                           const char *source, int64_t now_ms, int *added);
    /* latest: pk NULL and since_ms < 0 ignored; history: latest 0 */
    kiosk_rc (*health_walk)(void *impl, int latest, const uint8_t *pk, int64_t since_ms,
                            hub_db_health_cb cb, void *ctx);
    kiosk_rc (*health_prune)(void *impl, int64_t before_ms, int64_t *removed);
    /* hub_db_query, with the backend's spelling of the statement already chosen */
    kiosk_rc (*query)(void *impl, const char *sql, const hub_qparam *params, size_t n,
                      hub_rows **rows, int64_t *changes);
    /* hub_db_ingest_request in one transaction: the records, their metadata, the request's
     * signature and the device's head commit together (NULL: hub_store.c runs
     * ingest_epoch, meta_put, seen_request and mark_epoch one after another) */
    /* optional (NULL: device_known, then seen_request) */
    kiosk_rc (*request_admit)(void *impl, const uint8_t pk[32], const uint8_t signature[64],
                              int64_t now_ms, int *seen);
    kiosk_rc (*ingest_request)(void *impl, const uint8_t pk[32], const uint8_t *epoch,
                               const sync_record *recs, size_t n, int64_t now_ms,
                               const uint8_t signature[64], const sync_head *head,
                               sync_result *results, int *replayed, sync_mark *mark);
} hub_db_ops;

/* SQLite (hub_db.c): open or create the file at path. */
extern const hub_db_ops hub_sqlite_ops;
kiosk_rc hub_sqlite_open_impl(const char *path, void **impl);

/* PostgreSQL (hub_pg.c): connect to url (a libpq URI, postgresql:// or postgres://) and
 * migrate the schema. */
extern const hub_db_ops hub_pg_ops;
kiosk_rc hub_pg_open_impl(const char *url, void **impl);

/* The checks that need no database (hub_db.c): shape, then the record's signature. NULL
 * when the record may be stored (hash: its sealed bytes' SHA-256), else the reason, hashed
 * (*hashed 1) when the signature was reached. Any thread. */
const char *hub_db_check_record(const uint8_t device_pk[32], const uint8_t *epoch_given,
                                const sync_record *r, uint8_t hash[32], int *hashed);

/* For the backends' query (hub_store.c): an empty answer of ncols columns; cells appended
 * row by row (text NULL: SQL NULL; copied); nrows follows. NULL / KIOSK_NOMEM. */
hub_rows *hub_rows_new(size_t ncols);
kiosk_rc hub_rows_append(hub_rows *rows, const char *text, size_t len);

#endif
