/*
 * PostgreSQL storage of the hub (libpq), for a region: several hub processes share one
 * database and ingest concurrently. The database enforces what the answers rest on: the
 * uuid is the records' primary key and (device, epoch, seq) is unique, and each record goes
 * in with INSERT ... ON CONFLICT DO NOTHING, so two processes storing the same record (a
 * kiosk that retried on the other hub) store it once; the loser then reads the row that
 * won (read committed: the other transaction has committed) and answers duplicate,
 * uuid_conflict or seq_conflict exactly as the SQLite backend does. A batch is one
 * transaction of few statements whatever its size (its signatures checked beforehand on
 * several threads; see "ingest" below), retried whole on a deadlock or serialization
 * failure. Every statement is prepared once per connection. The schema is
 * versioned in hub_schema and migrated under an advisory lock, so hubs starting together
 * migrate once. Records stay sealed: only the signature is checked (hub_db_check_record).
 */
#include <endian.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/kiosk_log.h"
#include "hub_db_impl.h"

#define PG_SCHEMA_VERSION 4
#define PG_MIGRATE_LOCK 0x6b696f736b687562LL /* "kioskhub": the advisory lock of migrations */
#define PG_RETRIES 8                         /* a batch lost to a deadlock is tried again */

static const uint8_t legacy_epoch[16];

static const char *const pg_migrations[PG_SCHEMA_VERSION] = {
    /* 0 -> 1: the SQLite schema 4 */
    "CREATE TABLE devices("
    " public_key bytea PRIMARY KEY CHECK(length(public_key) = 32),"
    " name text NOT NULL DEFAULT '',"
    " added_ms bigint NOT NULL,"
    " removed_ms bigint);"
    "CREATE TABLE records("
    " uuid text PRIMARY KEY,"
    " device bytea NOT NULL REFERENCES devices(public_key),"
    " epoch bytea NOT NULL CHECK(length(epoch) = 16),"
    " seq bigint NOT NULL CHECK(seq >= 1),"
    " sealed bytea NOT NULL,"
    " sig bytea NOT NULL CHECK(length(sig) = 64),"
    " sealed_sha256 bytea NOT NULL CHECK(length(sealed_sha256) = 32),"
    " received_ms bigint NOT NULL,"
    " source text NOT NULL CHECK(source IN ('http', 'bundle')),"
    " UNIQUE(device, epoch, seq));"
    "CREATE INDEX records_device_seq ON records(device, seq);"
    "CREATE TABLE seen_requests("
    " signature bytea PRIMARY KEY CHECK(length(signature) = 64),"
    " time_ms bigint NOT NULL);"
    "CREATE INDEX seen_requests_time ON seen_requests(time_ms);"
    "CREATE TABLE device_heads("
    " device bytea PRIMARY KEY REFERENCES devices(public_key),"
    " audit_id bigint NOT NULL, audit_hash bytea NOT NULL CHECK(length(audit_hash) = 32),"
    " updated_ms bigint NOT NULL);"
    "CREATE TABLE events("
    " device bytea NOT NULL REFERENCES devices(public_key),"
    " seq bigint NOT NULL CHECK(seq >= 1),"
    " kind text NOT NULL, step text NOT NULL, hall_code text NOT NULL,"
    " at_ms bigint NOT NULL, received_ms bigint NOT NULL,"
    " PRIMARY KEY(device, seq, at_ms));"
    "CREATE INDEX events_received ON events(received_ms);"
    "CREATE TABLE reconcile("
    " device bytea NOT NULL REFERENCES devices(public_key),"
    " uuid text NOT NULL,"
    " epoch bytea NOT NULL CHECK(length(epoch) = 16),"
    " seq bigint NOT NULL,"
    " sealed bytea NOT NULL,"
    " sig bytea NOT NULL CHECK(length(sig) = 64),"
    " sealed_sha256 bytea NOT NULL CHECK(length(sealed_sha256) = 32),"
    " reason text NOT NULL,"
    " received_ms bigint NOT NULL,"
    " source text NOT NULL,"
    " PRIMARY KEY(device, uuid, sealed_sha256));",
    /* 1 -> 2: the SQLite schema 5 (a record's processing state and its history) */
    "CREATE TABLE IF NOT EXISTS record_states("
    " uuid text PRIMARY KEY REFERENCES records(uuid),"
    " state text NOT NULL CHECK(state IN ('received', 'processing', 'approved',"
    " 'needs_materials')),"
    " note text NOT NULL DEFAULT '',"
    " changed_ms bigint NOT NULL,"
    " changed_by text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS record_state_history("
    " id bigserial PRIMARY KEY,"
    " uuid text NOT NULL REFERENCES records(uuid),"
    " state text NOT NULL, note text NOT NULL,"
    " changed_ms bigint NOT NULL, changed_by text NOT NULL);"
    "CREATE INDEX IF NOT EXISTS record_state_history_uuid ON record_state_history(uuid, id);"
    "CREATE TABLE IF NOT EXISTS record_meta("
    " uuid text PRIMARY KEY REFERENCES records(uuid),"
    " device bytea NOT NULL CHECK(length(device) = 32),"
    " record_type text NOT NULL, receipt_no text NOT NULL);"
    "CREATE INDEX IF NOT EXISTS record_meta_receipt ON record_meta(device, receipt_no);",
    /* 2 -> 3: the units' health reports (SQLite schema 6) */
    "CREATE TABLE IF NOT EXISTS unit_health("
    " device bytea NOT NULL REFERENCES devices(public_key),"
    " seq bigint NOT NULL CHECK(seq >= 1), at_ms bigint NOT NULL,"
    " received_ms bigint NOT NULL, source text NOT NULL,"
    " version text NOT NULL, uptime_s bigint NOT NULL, reader text NOT NULL,"
    " printer text NOT NULL, disk_free_bytes bigint NOT NULL, disk_free_pct bigint NOT NULL,"
    " battery_pct bigint NOT NULL, power text NOT NULL, backlog bigint NOT NULL,"
    " sessions bigint NOT NULL, median_taps bigint NOT NULL, help_requests bigint NOT NULL,"
    " epoch bytea NOT NULL CHECK(length(epoch) = 16),"
    " update_version text, update_result text, update_at_ms bigint, update_detail text,"
    " PRIMARY KEY(device, seq, at_ms));"
    "CREATE INDEX IF NOT EXISTS unit_health_received ON unit_health(received_ms);"
    "CREATE INDEX IF NOT EXISTS unit_health_device_at ON unit_health(device, at_ms);",
    /* 3 -> 4: the web console (hub_staff.c), as SQLite schema 7 */
    "ALTER TABLE devices ADD COLUMN hall text NOT NULL DEFAULT '';"
    "CREATE TABLE staff("
    " name text PRIMARY KEY, pwhash text NOT NULL,"
    " role text NOT NULL CHECK(role IN ('hall', 'region')), halls text NOT NULL DEFAULT '',"
    " disabled bigint NOT NULL DEFAULT 0, failures bigint NOT NULL DEFAULT 0,"
    " locked_until_ms bigint NOT NULL DEFAULT 0, created_ms bigint NOT NULL);"
    "CREATE TABLE staff_sessions("
    " token_hash text PRIMARY KEY, name text NOT NULL REFERENCES staff(name),"
    " csrf text NOT NULL, created_ms bigint NOT NULL, last_ms bigint NOT NULL);"
    "CREATE TABLE staff_audit("
    " id bigserial PRIMARY KEY, at_ms bigint NOT NULL, who text NOT NULL,"
    " action text NOT NULL, detail text NOT NULL DEFAULT '', address text NOT NULL DEFAULT '');"
    "CREATE INDEX records_received ON records(received_ms, device, epoch, seq);",
};

/* The statements of the ingest path, prepared once per connection. */
static const struct {
    const char *name;
    const char *sql;
} prepared[] = {
    {"known", "SELECT 1 FROM devices WHERE public_key = $1 AND removed_ms IS NULL"},
/* the ingest of a chunk (see "ingest" below): $1 device, $2 received_ms, $3 source,
 * $4 epoch, then the arrays uuid, seq, sealed, sig, sealed_sha256 */
/* The insert of a chunk: $1 device, $2 received_ms, $3 source, $4 epoch, then the arrays
 * uuid, seq, sealed, sig, sealed_sha256; rows (0, uuid, seq) per record inserted, (1, NULL,
 * NULL) when the device is known. WHEN: a further condition on inserting (and a CTE before
 * "ins"); MORE: further rows. */
#define PG_INGEST_SQL(BEFORE, WHEN, MORE)                                                          \
    "WITH k AS (SELECT 1 FROM devices WHERE public_key = $1 AND removed_ms IS NULL)," BEFORE       \
    " ins AS (INSERT INTO records(uuid, device, seq, sealed, sig, sealed_sha256,"                  \
    " received_ms, source, epoch) SELECT r.uuid, $1, r.seq, r.sealed, r.sig, r.sha, $2,"           \
    " $3, $4 FROM unnest($5::text[], $6::bigint[], $7::bytea[], $8::bytea[],"                      \
    " $9::bytea[]) WITH ORDINALITY AS r(uuid, seq, sealed, sig, sha, n)"                           \
    " WHERE EXISTS (SELECT 1 FROM k)" WHEN " ORDER BY r.n ON CONFLICT DO NOTHING"                  \
    " RETURNING uuid, seq)"                                                                        \
    " SELECT 0::bigint, uuid, seq FROM ins UNION ALL SELECT 1::bigint, NULL, NULL FROM k" MORE
    {"ingest", PG_INGEST_SQL("", "", "")},
    /* the same, a request's first (and only) chunk, with its signature remembered first —
     * $10 signature, $11 the horizon (as "remember"), and only for a device known — the
     * records inserted only when it was new, (2, NULL, NULL) then */
    {"ingest_request",
     PG_INGEST_SQL(" s AS (INSERT INTO seen_requests(signature, time_ms) SELECT $10, $2"
                   " WHERE EXISTS (SELECT 1 FROM k) ON CONFLICT(signature) DO UPDATE SET"
                   " time_ms = excluded.time_ms WHERE seen_requests.time_ms < $11 RETURNING 1),",
                   " AND EXISTS (SELECT 1 FROM s)",
                   " UNION ALL SELECT 2::bigint, NULL, NULL FROM s")},
    /* a request's signature remembered: $1 signature, $2 now, $3 the horizon (a row past
     * it not pruned yet is taken over, not "seen") */
    {"remember", "INSERT INTO seen_requests(signature, time_ms) VALUES($1, $2)"
                 " ON CONFLICT(signature) DO UPDATE SET time_ms = excluded.time_ms"
                 " WHERE seen_requests.time_ms < $3"},
    /* the metadata of records, for those held exactly as sent (the device, seq and bytes:
     * a request's own and its duplicates): $1 device (NULL: the record held under the uuid,
     * whoever's — meta_put), then the arrays uuid, type, receipt number, seq,
     * sealed_sha256 */
    {"meta_held",
     "INSERT INTO record_meta(uuid, device, record_type, receipt_no)"
     " SELECT m.uuid, r.device, m.t, m.rn FROM unnest($2::text[], $3::text[], $4::text[],"
     " $5::bigint[], $6::bytea[]) AS m(uuid, t, rn, seq, sha) JOIN records r ON r.uuid = m.uuid"
     " AND ($1::bytea IS NULL OR (r.device = $1 AND r.seq = m.seq AND r.sealed_sha256 = m.sha))"
     " ON CONFLICT(uuid) DO NOTHING"},
    /* the mark (hub_db_mark) in one statement: $1 device, $2 epoch (NULL: every epoch),
     * $3 the legacy epoch; the head held before, and the unit's head ($4 audit id, NULL:
     * none given; $5 hash; $6 now) kept when it moves forward, also against another hub
     * process writing the same device's head (and not for a device unknown: the batch
     * says so); max_seq as this transaction sees it */
    {"mark",
     "WITH old AS (SELECT audit_id, audit_hash FROM device_heads WHERE device = $1),"
     " up AS (INSERT INTO device_heads(device, audit_id, audit_hash, updated_ms)"
     " SELECT $1::bytea, $4::bigint, $5::bytea, $6::bigint WHERE $4::bigint > 0"
     " AND EXISTS (SELECT 1 FROM devices WHERE public_key = $1 AND removed_ms IS NULL)"
     " ON CONFLICT(device) DO UPDATE SET audit_id = excluded.audit_id,"
     " audit_hash = excluded.audit_hash, updated_ms = excluded.updated_ms"
     " WHERE device_heads.audit_id < excluded.audit_id RETURNING 1)"
     " SELECT (SELECT coalesce(max(seq), 0)::bigint FROM records WHERE device = $1"
     " AND ($2::bytea IS NULL OR epoch = $2 OR epoch = $3)),"
     " (SELECT audit_id FROM old), (SELECT audit_hash FROM old), (SELECT count(*) FROM up)"},
    {"find_uuids",
     "SELECT uuid, device, seq, sealed_sha256 FROM records WHERE uuid = ANY($1::text[])"},
    /* $1 device, $2 epoch, $3 received_ms, $4 source, then the arrays uuid, seq, sealed,
     * sig, sealed_sha256, reason */
    {"reconcile_many",
     "INSERT INTO reconcile(device, uuid, epoch, seq, sealed, sig, sealed_sha256, reason,"
     " received_ms, source) SELECT $1, r.uuid, $2, r.seq, r.sealed, r.sig, r.sha, r.reason, $3, $4"
     " FROM unnest($5::text[], $6::bigint[], $7::bytea[], $8::bytea[], $9::bytea[], $10::text[])"
     " AS r(uuid, seq, sealed, sig, sha, reason) ON CONFLICT DO NOTHING"},
};

/* Every other statement is prepared on its first use on a connection and kept by its text
 * (parse and plan once per connection, not per call), up to PG_CACHE_MAX of them. */
#define PG_CACHE_MAX 64

#define PG_PRUNE_MS 10000

typedef struct hub_pg {
    PGconn *conn;
    int64_t pruned_ms; /* when seen_requests was last pruned on this connection */
    size_t cached;
    char *cache[PG_CACHE_MAX]; /* owned: the texts prepared as "c<index>" */
} hub_pg;

/* ---- parameters and results ----------------------------------------------------------- */

#define PARAMS_MAX 24 /* unit_health takes 22 */
typedef struct params {
    const char *v[PARAMS_MAX];
    int len[PARAMS_MAX];
    int fmt[PARAMS_MAX];
    char num[PARAMS_MAX][24];
    int n;
} params;

static void p_bytes(params *p, const void *b, size_t len)
{
    p->v[p->n] = b;
    p->len[p->n] = (int)len;
    p->fmt[p->n++] = 1;
}

static void p_text(params *p, const char *s)
{
    p->v[p->n] = s;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static void p_null(params *p)
{
    p->v[p->n] = NULL;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static void p_i64(params *p, int64_t v)
{
    snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)v);
    p_text(p, p->num[p->n]);
}

static int64_t r_i64(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8)
        return 0;
    uint64_t be;
    memcpy(&be, PQgetvalue(r, row, col), 8);
    return (int64_t)be64toh(be);
}

static const uint8_t *r_bytes(const PGresult *r, int row, int col, size_t want)
{
    if (PQgetisnull(r, row, col) || (want && (size_t)PQgetlength(r, row, col) != want))
        return NULL;
    return (const uint8_t *)PQgetvalue(r, row, col);
}

/* The kiosk_rc of a failed result (NULL: out of memory or no connection). Logs the
 * SQLSTATE and primary message only (a detail line may quote the row). */
static kiosk_rc pg_fail(hub_pg *db, PGresult *r, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    kiosk_rc rc = KIOSK_IO;
    if (PQstatus(db->conn) != CONNECTION_OK)
        rc = KIOSK_NET;
    else if (!state)
        rc = r ? KIOSK_IO : KIOSK_NOMEM;
    else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
             strcmp(state, "55P03") == 0)
        rc = KIOSK_BUSY;
    else if (strcmp(state, "53100") == 0)
        rc = KIOSK_DISK_FULL;
    else if (strcmp(state, "25006") == 0)
        rc = KIOSK_READ_ONLY;
    if (rc != KIOSK_BUSY)
        kiosk_log_error("hub_pg", "%s: %s %s", what, state ? state : "-",
                        msg ? msg : PQerrorMessage(db->conn));
    PQclear(r);
    return rc;
}

/* The name of sql prepared on this connection (prepared now when new), into name; 0, or -1
 * with *failed set (a failed PQprepare's result) or not (the cache is full: run unprepared). */
static int cached_statement(hub_pg *db, const char *sql, char name[16], PGresult **failed)
{
    *failed = NULL;
    size_t i = 0;
    while (i < db->cached && strcmp(db->cache[i], sql) != 0)
        i++;
    snprintf(name, 16, "c%zu", i);
    if (i < db->cached)
        return 0;
    char *copy = i < PG_CACHE_MAX ? strdup(sql) : NULL;
    if (!copy)
        return -1;
    PGresult *r = PQprepare(db->conn, name, sql, 0, NULL);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        free(copy);
        *failed = r;
        return -1;
    }
    PQclear(r);
    db->cache[db->cached++] = copy;
    return 0;
}

static void cache_clear(hub_pg *db)
{
    for (size_t i = 0; i < db->cached; i++)
        free(db->cache[i]);
    db->cached = 0;
}

/* Run sql (or the prepared statement stmt when sql is NULL) with p (may be NULL), results
 * in binary. *out gets the result on success (PQclear it). */
static kiosk_rc pg_run(hub_pg *db, const char *stmt, const char *sql, const params *p,
                       PGresult **out)
{
    *out = NULL;
    int n = p ? p->n : 0;
    char name[16];
    PGresult *failed = NULL;
    if (sql && cached_statement(db, sql, name, &failed) == 0) {
        stmt = name;
        sql = NULL;
    } else if (failed) {
        return pg_fail(db, failed, "prepare");
    }
    PGresult *r = sql ? PQexecParams(db->conn, sql, n, NULL, p ? p->v : NULL, p ? p->len : NULL,
                                     p ? p->fmt : NULL, 1)
                      : PQexecPrepared(db->conn, stmt, n, p ? p->v : NULL, p ? p->len : NULL,
                                       p ? p->fmt : NULL, 1);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return pg_fail(db, r, stmt ? stmt : "query");
    *out = r;
    return KIOSK_OK;
}

/* Run and drop the result. */
static kiosk_rc pg_do(hub_pg *db, const char *sql, const params *p)
{
    PGresult *r;
    kiosk_rc rc = pg_run(db, NULL, sql, p, &r);
    PQclear(r);
    return rc;
}

static kiosk_rc pg_prepare(hub_pg *db)
{
    /* a sealed record is ciphertext: compressing it for TOAST never wins, and lz4 finds
     * that out in a fraction of pglz's time (a server built without lz4 keeps pglz) */
    PGresult *t = PQexec(db->conn, "SET default_toast_compression = lz4");
    if (!t || PQresultStatus(t) != PGRES_COMMAND_OK)
        kiosk_log_info("hub_pg", "no lz4 on this server: sealed records are tried with pglz");
    PQclear(t);
    for (size_t i = 0; i < sizeof prepared / sizeof prepared[0]; i++) {
        PGresult *r = PQprepare(db->conn, prepared[i].name, prepared[i].sql, 0, NULL);
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
            return pg_fail(db, r, "prepare");
        PQclear(r);
    }
    return KIOSK_OK;
}

/* A connection lost (the server restarted, a proxy closed it) is made again once, at the
 * start of an operation; what was in flight was rolled back by the server. */
static kiosk_rc pg_ready(hub_pg *db)
{
    if (PQstatus(db->conn) == CONNECTION_OK)
        return KIOSK_OK;
    PQreset(db->conn);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        kiosk_log_error("hub_pg", "connection lost, not made again: %s", PQerrorMessage(db->conn));
        return KIOSK_NET;
    }
    kiosk_log_info("hub_pg", "connection made again");
    cache_clear(db); /* the server forgot them with the old session */
    return pg_prepare(db);
}

/* ---- open ------------------------------------------------------------------------------ */

static kiosk_rc pg_migrate(hub_pg *db)
{
    kiosk_rc rc = pg_do(db, "BEGIN", NULL);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_i64(&p, PG_MIGRATE_LOCK);
    rc = pg_do(db, "SELECT pg_advisory_xact_lock($1::bigint)", &p);
    if (rc == KIOSK_OK)
        rc = pg_do(db, "SET LOCAL client_min_messages = warning", NULL);
    if (rc == KIOSK_OK)
        rc = pg_do(db, "CREATE TABLE IF NOT EXISTS hub_schema(version integer NOT NULL)", NULL);
    PGresult *r = NULL;
    int64_t version = 0;
    if (rc == KIOSK_OK)
        rc = pg_run(db, NULL, "SELECT coalesce(max(version), 0)::bigint FROM hub_schema", NULL, &r);
    if (rc == KIOSK_OK)
        version = r_i64(r, 0, 0);
    PQclear(r);
    if (rc == KIOSK_OK && version > PG_SCHEMA_VERSION) {
        kiosk_log_error("hub_pg", "the database has schema %lld, newer than this hub's %d",
                        (long long)version, PG_SCHEMA_VERSION);
        rc = KIOSK_CORRUPT;
    }
    for (int64_t v = version; rc == KIOSK_OK && v < PG_SCHEMA_VERSION; v++) {
        PGresult *m = PQexec(db->conn, pg_migrations[v]); /* several statements: simple query */
        if (!m || PQresultStatus(m) != PGRES_COMMAND_OK)
            rc = pg_fail(db, m, "migration");
        else
            PQclear(m);
        if (rc == KIOSK_OK) {
            params q = {0};
            p_i64(&q, v + 1);
            rc = pg_do(db, "DELETE FROM hub_schema", NULL);
            if (rc == KIOSK_OK)
                rc = pg_do(db, "INSERT INTO hub_schema(version) VALUES($1::integer)", &q);
        }
        if (rc == KIOSK_OK)
            kiosk_log_info("hub_pg", "schema migrated to %lld", (long long)(v + 1));
    }
    if (rc == KIOSK_OK)
        rc = pg_do(db, "COMMIT", NULL);
    if (rc != KIOSK_OK)
        PQclear(PQexec(db->conn, "ROLLBACK"));
    return rc;
}

static void pg_close(void *impl)
{
    hub_pg *db = impl;
    if (!db)
        return;
    PQfinish(db->conn);
    cache_clear(db);
    free(db);
}

kiosk_rc hub_pg_open_impl(const char *url, void **impl)
{
    *impl = NULL;
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    hub_pg *db = calloc(1, sizeof *db);
    if (!db)
        return KIOSK_NOMEM;
    db->conn = PQconnectdb(url);
    if (!db->conn) {
        free(db);
        return KIOSK_NOMEM;
    }
    if (PQstatus(db->conn) != CONNECTION_OK) {
        /* the message names host and user, never the password */
        kiosk_log_error("hub_pg", "cannot connect: %s", PQerrorMessage(db->conn));
        pg_close(db);
        return KIOSK_NET;
    }
    kiosk_rc rc = pg_migrate(db);
    if (rc == KIOSK_OK)
        rc = pg_prepare(db);
    if (rc != KIOSK_OK) {
        pg_close(db);
        return rc;
    }
    *impl = db;
    return KIOSK_OK;
}

/* ---- devices ---------------------------------------------------------------------------- */

static kiosk_rc pg_device_add(void *impl, const uint8_t pk[32], const char *name, int64_t now_ms)
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    char nm[HUB_DEVICE_NAME_MAX];
    snprintf(nm, sizeof nm, "%s", name ? name : "");
    params p = {0};
    p_bytes(&p, pk, 32);
    p_text(&p, nm);
    p_i64(&p, now_ms);
    return pg_do(db,
                 "INSERT INTO devices(public_key, name, added_ms) VALUES($1, $2, $3)"
                 " ON CONFLICT(public_key) DO UPDATE SET name = excluded.name, removed_ms = NULL",
                 &p);
}

static kiosk_rc pg_device_remove(void *impl, const uint8_t pk[32])
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_bytes(&p, pk, 32);
    PGresult *r;
    rc = pg_run(db, NULL,
                "UPDATE devices SET removed_ms = (extract(epoch FROM now()) * 1000)::bigint"
                " WHERE public_key = $1 AND removed_ms IS NULL",
                &p, &r);
    if (rc == KIOSK_OK && strcmp(PQcmdTuples(r), "0") == 0)
        rc = KIOSK_NOT_FOUND;
    PQclear(r);
    return rc;
}

static kiosk_rc known(hub_pg *db, const uint8_t pk[32])
{
    params p = {0};
    p_bytes(&p, pk, 32);
    PGresult *r;
    kiosk_rc rc = pg_run(db, "known", NULL, &p, &r);
    if (rc == KIOSK_OK && PQntuples(r) == 0)
        rc = KIOSK_NOT_FOUND;
    PQclear(r);
    return rc;
}

static kiosk_rc pg_device_known(void *impl, const uint8_t pk[32])
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    return rc == KIOSK_OK ? known(db, pk) : rc;
}

#define DEVICE_SELECT                                                                              \
    "SELECT d.public_key, d.name, d.added_ms, d.removed_ms IS NOT NULL,"                           \
    " (SELECT count(*) FROM records r WHERE r.device = d.public_key)::bigint,"                     \
    " (SELECT coalesce(max(seq), 0) FROM records r WHERE r.device = d.public_key)::bigint"         \
    " FROM devices d"

static void fill_device(const PGresult *r, int row, hub_device *d)
{
    memset(d, 0, sizeof *d);
    const uint8_t *pk = r_bytes(r, row, 0, 32);
    if (pk)
        memcpy(d->public_key, pk, 32);
    snprintf(d->name, sizeof d->name, "%s", PQgetvalue(r, row, 1));
    d->added_ms = r_i64(r, row, 2);
    d->removed = PQgetlength(r, row, 3) == 1 && PQgetvalue(r, row, 3)[0] != 0;
    d->records = r_i64(r, row, 4);
    d->max_seq = r_i64(r, row, 5);
}

static kiosk_rc pg_device_list(void *impl, hub_device **out, size_t *n)
{
    hub_pg *db = impl;
    *out = NULL;
    *n = 0;
    kiosk_rc rc = pg_ready(db);
    PGresult *r = NULL;
    if (rc == KIOSK_OK)
        rc = pg_run(db, NULL, DEVICE_SELECT " ORDER BY d.public_key", NULL, &r);
    if (rc != KIOSK_OK)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0) {
        hub_device *list = calloc((size_t)rows, sizeof *list);
        if (!list) {
            PQclear(r);
            return KIOSK_NOMEM;
        }
        for (int i = 0; i < rows; i++)
            fill_device(r, i, &list[i]);
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(r);
    return KIOSK_OK;
}

static kiosk_rc counts(hub_pg *db, const uint8_t pk[32], int64_t *records, int64_t *max_seq)
{
    *records = 0;
    *max_seq = 0;
    params p = {0};
    p_bytes(&p, pk, 32);
    PGresult *r;
    kiosk_rc rc = pg_run(db, NULL, DEVICE_SELECT " WHERE d.public_key = $1", &p, &r);
    if (rc != KIOSK_OK)
        return rc;
    if (PQntuples(r) == 0) {
        rc = KIOSK_NOT_FOUND;
    } else {
        *records = r_i64(r, 0, 4);
        *max_seq = r_i64(r, 0, 5);
    }
    PQclear(r);
    return rc;
}

static kiosk_rc pg_device_counts(void *impl, const uint8_t pk[32], int64_t *records,
                                 int64_t *max_seq)
{
    hub_pg *db = impl;
    *records = 0;
    *max_seq = 0;
    kiosk_rc rc = pg_ready(db);
    return rc == KIOSK_OK ? counts(db, pk, records, max_seq) : rc;
}

/* ---- ingest ---------------------------------------------------------------------------
 * A batch is one transaction of few statements, whatever its size: the records' signatures
 * are checked first, on several threads (no database needed), then the records that passed
 * go to the server as arrays in binary (the sealed bytes as they are, never hex) in one
 * INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING per chunk of
 * PG_CHUNK_RECORDS or PG_CHUNK_BYTES, which also checks the device is known. Only when a
 * record was not inserted does one more statement read the rows that hold those uuids
 * (read committed: it sees what a concurrent hub committed meanwhile) and one more keep the
 * refused for reconciliation. A new column of the record (its unsealed metadata) is one
 * more array in the chunk and in "ingest". A batch's statements travel together (see "a
 * batch in one round trip" below). */
#define PG_CHUNK_RECORDS 1000
#define PG_CHUNK_BYTES (8u << 20)
#define PG_CHECK_THREADS_MAX 4
/* A helper thread for every 32 records, up to one per CPU: a live request's few records
 * are checked on its own thread (a thread started for each cost more than it saved:
 * bench_hub, ~8 us of the hub's CPU a record), a backlog batch on all of them. */
#define PG_CHECK_PER_THREAD 32

#define PG_OID_BYTEA 17
#define PG_OID_INT8 20
#define PG_OID_TEXT 25

/* A one-dimensional array in PostgreSQL's binary format (array_recv). */
typedef struct pg_array {
    uint8_t *b;
    size_t len, cap;
} pg_array;

static void put_be32(uint8_t *p, uint32_t v)
{
    uint32_t be = htobe32(v);
    memcpy(p, &be, 4);
}

/* Start an array of n elements of type oid, with room for payload bytes of elements. */
static kiosk_rc arr_init(pg_array *a, uint32_t oid, size_t n, size_t payload)
{
    a->cap = 20 + 4 * n + payload;
    a->b = malloc(a->cap);
    if (!a->b)
        return KIOSK_NOMEM;
    put_be32(a->b, n ? 1 : 0); /* dimensions */
    put_be32(a->b + 4, 0);     /* no NULLs */
    put_be32(a->b + 8, oid);
    put_be32(a->b + 12, (uint32_t)n);
    put_be32(a->b + 16, 1); /* lower bound */
    a->len = n ? 20 : 12;
    return KIOSK_OK;
}

static void arr_put(pg_array *a, const void *v, size_t len)
{
    if (a->len + 4 + len > a->cap) {
        kiosk_log_error("hub_pg", "array sized short: %zu + %zu over %zu", a->len, 4 + len, a->cap);
        abort(); /* a broken invariant of this file: arr_init was given the sizes */
    }
    put_be32(a->b + a->len, (uint32_t)len);
    memcpy(a->b + a->len + 4, v, len);
    a->len += 4 + len;
}

static void arr_put_i64(pg_array *a, int64_t v)
{
    uint64_t be = htobe64((uint64_t)v);
    arr_put(a, &be, 8);
}

static void set_result(sync_result *res, const sync_record *r, sync_status status,
                       const char *reason, const uint8_t *hash)
{
    memset(res, 0, sizeof *res);
    snprintf(res->uuid, sizeof res->uuid, "%.*s", SYNC_UUID_LEN, r->uuid);
    res->status = status;
    snprintf(res->reason, sizeof res->reason, "%s", reason);
    if (hash) {
        memcpy(res->sealed_sha256, hash, 32);
        res->has_sealed_sha256 = 1;
    }
}

/* One record's verdict before the database: refused (NULL: may be stored), its sealed
 * bytes' hash when hashed, and whether "ingest" inserted it. */
typedef struct checked {
    const char *refused;
    uint8_t hash[32];
    int hashed;
    int inserted;
} checked;

typedef struct check_job {
    const uint8_t *pk;
    const uint8_t *epoch; /* NULL: records of version 1 */
    const sync_record *recs;
    checked *out;
    size_t n;
    _Atomic size_t next;
} check_job;

static void *check_some(void *arg)
{
    check_job *j = arg;
    for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < j->n;)
        j->out[i].refused =
            hub_db_check_record(j->pk, j->epoch, &j->recs[i], j->out[i].hash, &j->out[i].hashed);
    return NULL;
}

/* Check every record's shape and signature (an Ed25519 verification and a SHA-256 of
 * the sealed bytes each: the costly part of a batch) on this thread and up to one helper
 * per further CPU. Nothing touches the database. */
static void check_all(const uint8_t pk[32], const uint8_t *epoch, const sync_record *recs, size_t n,
                      checked *out)
{
    check_job j = {.pk = pk, .epoch = epoch, .recs = recs, .out = out, .n = n};
    atomic_init(&j.next, 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = n / PG_CHECK_PER_THREAD;
    size_t cap = cpus > PG_CHECK_THREADS_MAX ? PG_CHECK_THREADS_MAX : cpus > 1 ? (size_t)cpus : 1;
    if (want > cap)
        want = cap;
    pthread_t th[PG_CHECK_THREADS_MAX];
    size_t started = 0;
    while (started + 1 < want && pthread_create(&th[started], NULL, check_some, &j) == 0)
        started++;
    check_some(&j);
    for (size_t t = 0; t < started; t++)
        pthread_join(th[t], NULL);
}

/* ---- a batch in one round trip and one transaction -----------------------------------
 * A batch's statements go to the server together in libpq's pipeline mode, with one sync:
 * the request's signature remembered (first: every hub takes its locks in this order, and
 * of two hubs handed the same request at once the second waits here for the first's
 * commit), the chunks, the metadata and the mark. The server runs everything up to a sync
 * as one transaction and commits it at the sync (one WAL flush) — or rolls it all back at
 * the first error, the statements after it aborted. Every statement is idempotent (ON
 * CONFLICT DO NOTHING, a head moved forward only), so a replay the remembering found
 * stores nothing. A request was nine statements and as many round trips; now the four
 * come back in order in one, the records' conflicts (a resend's duplicates, rare
 * conflicts) are judged after the commit against what is held, and the reply waits for
 * both. */

/* Send the prepared statement stmt with p (NULL: none) into the open pipeline; 1 when
 * queued. */
static int pl_send(hub_pg *db, const char *stmt, const params *p)
{
    return PQsendQueryPrepared(db->conn, stmt, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL,
                               p ? p->fmt : NULL, 1);
}

/* The next statement's result from the pipeline: KIOSK_OK with *out (NULL: dropped; else
 * PQclear it), or the statement's failure (said by pg_fail, or by the statement before it
 * when this one was aborted). */
static kiosk_rc pl_take(hub_pg *db, const char *what, PGresult **out)
{
    if (out)
        *out = NULL;
    PGresult *r = PQgetResult(db->conn);
    if (!r)
        return pg_fail(db, NULL, what);
    ExecStatusType st = PQresultStatus(r);
    kiosk_rc rc = KIOSK_OK;
    if (st == PGRES_PIPELINE_ABORTED) {
        PQclear(r);
        rc = KIOSK_IO;
    } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = pg_fail(db, r, what);
    } else if (out) {
        *out = r;
    } else {
        PQclear(r);
    }
    PQclear(PQgetResult(db->conn)); /* NULL: the end of this statement's results */
    return rc;
}

/* The pipeline's sync read and the pipeline left: KIOSK_OK, or the connection is made
 * again (a session left mid-pipeline cannot be trusted; the server rolls it back). */
static kiosk_rc pl_end(hub_pg *db, int sent)
{
    int ok = sent;
    if (ok) {
        PGresult *r = PQgetResult(db->conn);
        ok = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
    }
    if (ok && PQexitPipelineMode(db->conn) == 1)
        return KIOSK_OK;
    kiosk_log_error("hub_pg", "pipeline broken: %s", PQerrorMessage(db->conn));
    PQreset(db->conn);
    cache_clear(db);
    if (PQstatus(db->conn) == CONNECTION_OK)
        pg_prepare(db);
    return KIOSK_NET;
}

/* Queue the insert of the checked records [from, to) that passed, in one statement (with
 * the request's signature remember, not NULL: "ingest_request"); 1 when queued, 0 when not
 * (*rc: KIOSK_NOMEM, or KIOSK_OK and the connection failed). */
static int chunk_send(hub_pg *db, const uint8_t pk[32], const uint8_t epoch[16],
                      const sync_record *recs, const checked *c, size_t from, size_t to,
                      const char *source, int64_t now_ms, const uint8_t *remember, kiosk_rc *rc)
{
    size_t m = 0, payload = 0;
    for (size_t i = from; i < to; i++)
        if (!c[i].refused) {
            m++;
            payload += recs[i].sealed_len;
        }
    pg_array a[5] = {{0}};
    *rc = arr_init(&a[0], PG_OID_TEXT, m, m * SYNC_UUID_LEN);
    if (*rc == KIOSK_OK)
        *rc = arr_init(&a[1], PG_OID_INT8, m, m * 8);
    if (*rc == KIOSK_OK)
        *rc = arr_init(&a[2], PG_OID_BYTEA, m, payload);
    if (*rc == KIOSK_OK)
        *rc = arr_init(&a[3], PG_OID_BYTEA, m, m * 64);
    if (*rc == KIOSK_OK)
        *rc = arr_init(&a[4], PG_OID_BYTEA, m, m * 32);
    for (size_t i = from; *rc == KIOSK_OK && i < to; i++) {
        if (c[i].refused)
            continue;
        arr_put(&a[0], recs[i].uuid, SYNC_UUID_LEN);
        arr_put_i64(&a[1], recs[i].seq);
        arr_put(&a[2], recs[i].sealed, recs[i].sealed_len);
        arr_put(&a[3], recs[i].sig, 64);
        arr_put(&a[4], c[i].hash, 32);
    }
    int sent = 0;
    if (*rc == KIOSK_OK) {
        params p = {0};
        p_bytes(&p, pk, 32);
        p_i64(&p, now_ms);
        p_text(&p, source);
        p_bytes(&p, epoch, 16);
        for (int k = 0; k < 5; k++)
            p_bytes(&p, a[k].b, a[k].len);
        if (remember) {
            p_bytes(&p, remember, 64);
            p_i64(&p, now_ms - 2 * (int64_t)SYNC_SKEW_MS);
        }
        /* libpq has copied the arrays */
        sent = pl_send(db, remember ? "ingest_request" : "ingest", &p);
    }
    for (int k = 0; k < 5; k++)
        free(a[k].b);
    return sent;
}

/* A chunk's rows: (1, NULL, NULL) when the device is known, (2, NULL, NULL) when its
 * request's signature was remembered (*remembered 1), (0, uuid, seq) per record inserted;
 * a uuid inserted twice in one batch cannot be, so (uuid, seq) names the first record of
 * [from, to) not yet marked that carries them. Marks those inserted; 1 when the device is
 * known. */
static int chunk_take(const PGresult *r, const sync_record *recs, checked *c, size_t from,
                      size_t to, int *remembered)
{
    int known_row = 0;
    for (int row = 0; row < PQntuples(r); row++) {
        if (r_i64(r, row, 0) == 1) {
            known_row = 1;
            continue;
        }
        if (r_i64(r, row, 0) == 2) {
            *remembered = 1;
            continue;
        }
        const char *uuid = PQgetvalue(r, row, 1);
        int64_t seq = r_i64(r, row, 2);
        for (size_t i = from; i < to; i++)
            if (!c[i].refused && !c[i].inserted && recs[i].seq == seq &&
                strncmp(recs[i].uuid, uuid, SYNC_UUID_LEN) == 0) {
                c[i].inserted = 1;
                break;
            }
    }
    return known_row;
}

/* The parameters of "meta_held" for the records of recs that carry metadata and passed
 * their checks (c[i] not refused; its hash), for device pk (NULL: any) into p, their arrays
 * into a (free them). The number of records (0: nothing to keep), or -1 out of memory. */
static long meta_params(const uint8_t *pk, const sync_record *recs, const checked *c, size_t n,
                        params *p, pg_array a[5])
{
    size_t m = 0, types = 0, receipts = 0;
    for (size_t i = 0; i < n; i++)
        if (recs[i].record_type[0] && !c[i].refused) {
            m++;
            types += strlen(recs[i].record_type);
            receipts += strlen(recs[i].receipt_no);
        }
    if (m == 0)
        return 0;
    kiosk_rc rc = arr_init(&a[0], PG_OID_TEXT, m, m * SYNC_UUID_LEN);
    if (rc == KIOSK_OK)
        rc = arr_init(&a[1], PG_OID_TEXT, m, types);
    if (rc == KIOSK_OK)
        rc = arr_init(&a[2], PG_OID_TEXT, m, receipts);
    if (rc == KIOSK_OK)
        rc = arr_init(&a[3], PG_OID_INT8, m, m * 8);
    if (rc == KIOSK_OK)
        rc = arr_init(&a[4], PG_OID_BYTEA, m, m * 32);
    if (rc != KIOSK_OK)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!recs[i].record_type[0] || c[i].refused)
            continue;
        arr_put(&a[0], recs[i].uuid, strnlen(recs[i].uuid, SYNC_UUID_LEN));
        arr_put(&a[1], recs[i].record_type, strlen(recs[i].record_type));
        arr_put(&a[2], recs[i].receipt_no, strlen(recs[i].receipt_no));
        arr_put_i64(&a[3], recs[i].seq);
        arr_put(&a[4], c[i].hash, 32);
    }
    if (pk)
        p_bytes(p, pk, 32);
    else
        p_null(p);
    for (int k = 0; k < 5; k++)
        p_bytes(p, a[k].b, a[k].len);
    return (long)m;
}

/* Queue the metadata of the records that carry it and passed their checks ("meta_held"
 * keeps it for those the store then holds exactly as sent); *queued 1 when there was
 * some. 1 when queued or none, 0 when not (*rc as for chunk_send). */
static int meta_send(hub_pg *db, const uint8_t pk[32], const sync_record *recs, const checked *c,
                     size_t n, int *queued, kiosk_rc *rc)
{
    params p = {0};
    pg_array a[5] = {{0}};
    long m = meta_params(pk, recs, c, n, &p, a);
    *queued = 0;
    *rc = m < 0 ? KIOSK_NOMEM : KIOSK_OK;
    int sent = m == 0 || (m > 0 && (*queued = pl_send(db, "meta_held", &p)));
    for (int k = 0; k < 5; k++)
        free(a[k].b);
    return sent;
}

/* The parameters of "mark". */
static void mark_params(params *p, const uint8_t pk[32], const uint8_t *epoch,
                        const sync_head *given, int64_t now_ms)
{
    p_bytes(p, pk, 32);
    if (epoch)
        p_bytes(p, epoch, 16);
    else
        p_null(p);
    p_bytes(p, legacy_epoch, 16);
    if (given && given->present) {
        p_i64(p, given->audit_id);
        p_bytes(p, given->audit_hash, 32);
    } else {
        p_null(p);
        p_null(p);
    }
    p_i64(p, now_ms);
}

/* "mark"'s row into out: the head held before this request, max_seq after its batch. */
static void mark_take(const PGresult *r, const uint8_t *epoch, sync_mark *out)
{
    memset(out, 0, sizeof *out);
    out->present = 1;
    if (PQntuples(r) != 1)
        return;
    out->max_seq = r_i64(r, 0, 0);
    if (epoch) {
        out->has_epoch = 1;
        memcpy(out->epoch, epoch, 16);
    }
    if (r_bytes(r, 0, 2, 32)) {
        out->audit_id = r_i64(r, 0, 1);
        memcpy(out->audit_hash, r_bytes(r, 0, 2, 32), 32);
    }
}

/* The records that passed their checks but were not inserted: the rows holding their
 * uuids say duplicate (the same device, seq and bytes) or uuid_conflict; without one, their
 * seq is taken (seq_conflict). Those refused are kept for reconciliation, in one
 * statement. */
static kiosk_rc decide_conflicts(hub_pg *db, const uint8_t pk[32], const uint8_t epoch[16],
                                 const sync_record *recs, checked *c, size_t n, const char *source,
                                 int64_t now_ms, sync_result *results)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += !c[i].refused && !c[i].inserted;
    if (m == 0)
        return KIOSK_OK;
    pg_array u = {0};
    kiosk_rc rc = arr_init(&u, PG_OID_TEXT, m, m * SYNC_UUID_LEN);
    if (rc != KIOSK_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!c[i].refused && !c[i].inserted)
            arr_put(&u, recs[i].uuid, SYNC_UUID_LEN);
    params p = {0};
    p_bytes(&p, u.b, u.len);
    PGresult *q;
    rc = pg_run(db, "find_uuids", NULL, &p, &q);
    free(u.b);
    if (rc != KIOSK_OK)
        return rc;
    size_t payload = 0, refused = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].refused || c[i].inserted)
            continue;
        const char *reason = "seq_conflict";
        for (int row = 0; row < PQntuples(q); row++) {
            if (strncmp(PQgetvalue(q, row, 0), recs[i].uuid, SYNC_UUID_LEN) != 0)
                continue;
            const uint8_t *dev = r_bytes(q, row, 1, 32), *h = r_bytes(q, row, 3, 32);
            int same = dev && memcmp(dev, pk, 32) == 0 && r_i64(q, row, 2) == recs[i].seq && h &&
                       memcmp(h, c[i].hash, 32) == 0;
            reason = same ? NULL : "uuid_conflict";
            break;
        }
        if (!reason) {
            set_result(&results[i], &recs[i], SYNC_DUPLICATE, "", c[i].hash);
            continue;
        }
        set_result(&results[i], &recs[i], SYNC_REJECTED, reason, c[i].hash);
        refused++;
        payload += recs[i].sealed_len;
    }
    PQclear(q);
    if (refused == 0)
        return KIOSK_OK;
    pg_array a[6] = {{0}};
    rc = arr_init(&a[0], PG_OID_TEXT, refused, refused * SYNC_UUID_LEN);
    if (rc == KIOSK_OK)
        rc = arr_init(&a[1], PG_OID_INT8, refused, refused * 8);
    if (rc == KIOSK_OK)
        rc = arr_init(&a[2], PG_OID_BYTEA, refused, payload);
    if (rc == KIOSK_OK)
        rc = arr_init(&a[3], PG_OID_BYTEA, refused, refused * 64);
    if (rc == KIOSK_OK)
        rc = arr_init(&a[4], PG_OID_BYTEA, refused, refused * 32);
    if (rc == KIOSK_OK)
        rc = arr_init(&a[5], PG_OID_TEXT, refused, refused * 16);
    for (size_t i = 0; rc == KIOSK_OK && i < n; i++) {
        if (c[i].refused || c[i].inserted || results[i].status != SYNC_REJECTED)
            continue;
        arr_put(&a[0], recs[i].uuid, SYNC_UUID_LEN);
        arr_put_i64(&a[1], recs[i].seq);
        arr_put(&a[2], recs[i].sealed, recs[i].sealed_len);
        arr_put(&a[3], recs[i].sig, 64);
        arr_put(&a[4], c[i].hash, 32);
        arr_put(&a[5], results[i].reason, strlen(results[i].reason));
    }
    if (rc == KIOSK_OK) {
        params k = {0};
        p_bytes(&k, pk, 32);
        p_bytes(&k, epoch, 16);
        p_i64(&k, now_ms);
        p_text(&k, source);
        for (int x = 0; x < 6; x++)
            p_bytes(&k, a[x].b, a[x].len);
        rc = pg_run(db, "reconcile_many", NULL, &k, &q);
        PQclear(q);
    }
    for (int x = 0; x < 6; x++)
        free(a[x].b);
    return rc;
}

/* What a records request adds to its batch's transaction (ingest_request): NULL for a
 * plain ingest. */
typedef struct fold {
    const uint8_t *signature;   /* remembered first: a replay stops before any record */
    const uint8_t *epoch_given; /* the head's epoch (NULL: none named), for the mark */
    const sync_head *head;      /* NULL: no mark asked for */
    int replayed;
    sync_mark *mark;
} fold;

/* A deadlock or serialization failure: another hub holds a row this batch wants; let it
 * finish (1-20 ms, jittered) before trying again. */
static void let_others_finish(void)
{
    struct timespec ts = {0, (long)(1 + randombytes_uniform(20)) * 1000000L};
    nanosleep(&ts, NULL);
}

static kiosk_rc ingest_batch(hub_pg *db, const uint8_t pk[32], const uint8_t epoch[16],
                             const sync_record *recs, checked *c, size_t n, const char *source,
                             int64_t now_ms, sync_result *results, fold *f)
{
    /* the chunks' bounds: at least one chunk (it also says whether the device is known) */
    size_t chunks = 0, *bounds = malloc((n + 2) * sizeof *bounds);
    if (!bounds)
        return KIOSK_NOMEM;
    bounds[0] = 0;
    do {
        size_t from = bounds[chunks], to = from, bytes = 0;
        while (to < n && to - from < PG_CHUNK_RECORDS &&
               (to == from || bytes + recs[to].sealed_len <= PG_CHUNK_BYTES))
            bytes += recs[to++].sealed_len;
        bounds[++chunks] = to;
    } while (bounds[chunks] < n);
    for (size_t i = 0; i < n; i++)
        c[i].inserted = 0;
    /* a request of one chunk remembers its signature in the chunk's statement, which
     * inserts only when it is new; of more, in a statement of its own, and the transaction
     * is ended by the hub (nothing kept for a replay) */
    int explicit_tx = f && chunks > 1;
    if (PQenterPipelineMode(db->conn) != 1) {
        free(bounds);
        return pg_fail(db, NULL, "pipeline");
    }
    kiosk_rc rc = KIOSK_OK;
    int sent = 1;
    if (explicit_tx) {
        params q = {0};
        p_bytes(&q, f->signature, 64);
        p_i64(&q, now_ms);
        p_i64(&q, now_ms - 2 * (int64_t)SYNC_SKEW_MS);
        sent = PQsendQueryParams(db->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 1) &&
               pl_send(db, "remember", &q);
    }
    for (size_t i = 0; sent && i < chunks; i++)
        sent = chunk_send(db, pk, epoch, recs, c, bounds[i], bounds[i + 1], source, now_ms,
                          f && !explicit_tx ? f->signature : NULL, &rc);
    int meta = 0;
    if (sent && f)
        sent = meta_send(db, pk, recs, c, n, &meta, &rc);
    if (sent && f && f->head) {
        params m = {0};
        mark_params(&m, pk, f->epoch_given, f->head, now_ms);
        sent = pl_send(db, "mark", &m);
    }
    sent = sent && PQpipelineSync(db->conn) == 1;

    /* the results, in the order sent; the first failure counts */
    kiosk_rc first = rc;
    int known = 1, remembered = 0;
    if (sent) {
        PGresult *r;
        kiosk_rc k;
        if (explicit_tx) {
            first = pl_take(db, "begin", NULL);
            k = pl_take(db, "remember", &r);
            remembered = k == KIOSK_OK && strcmp(PQcmdTuples(r), "0") != 0;
            PQclear(r);
            first = first != KIOSK_OK ? first : k;
        }
        for (size_t i = 0; i < chunks; i++) {
            k = pl_take(db, "ingest", &r);
            if (k == KIOSK_OK)
                known = known && chunk_take(r, recs, c, bounds[i], bounds[i + 1], &remembered);
            PQclear(r);
            first = first != KIOSK_OK ? first : k;
        }
        if (meta) {
            k = pl_take(db, "meta", NULL);
            first = first != KIOSK_OK ? first : k;
        }
        if (f && f->head) {
            k = pl_take(db, "mark", &r);
            if (k == KIOSK_OK)
                mark_take(r, f->epoch_given, f->mark);
            PQclear(r);
            first = first != KIOSK_OK ? first : k;
        }
    }
    free(bounds);
    kiosk_rc end = pl_end(db, sent);
    if (end != KIOSK_OK)
        return first != KIOSK_OK ? first : end; /* the session is gone, and its transaction */
    if (f)
        f->replayed = first == KIOSK_OK && known && !remembered;
    rc = first != KIOSK_OK ? first : known ? KIOSK_OK : KIOSK_NOT_FOUND;
    if (explicit_tx) {
        kiosk_rc e = pg_do(db, rc != KIOSK_OK || f->replayed ? "ROLLBACK" : "COMMIT", NULL);
        rc = rc != KIOSK_OK ? rc : e;
    }
    /* else committed at the sync, or rolled back at a failure */
    if (rc != KIOSK_OK || (f && f->replayed))
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (c[i].refused)
            set_result(&results[i], &recs[i], SYNC_REJECTED, c[i].refused,
                       c[i].hashed ? c[i].hash : NULL);
        else if (c[i].inserted)
            set_result(&results[i], &recs[i], SYNC_ACCEPTED, "", c[i].hash);
    }
    /* those not inserted were already held (a duplicate, the usual resend) or conflict:
     * judged against what is committed, the conflicting kept in one statement — tried again
     * here on a deadlock, not the whole batch (whose signature is remembered by now: a
     * second try would find it "replayed") */
    for (int attempt = 0;; attempt++) {
        rc = decide_conflicts(db, pk, epoch, recs, c, n, source, now_ms, results);
        if (rc != KIOSK_BUSY || attempt >= PG_RETRIES)
            return rc == KIOSK_BUSY ? KIOSK_IO : rc;
        let_others_finish();
    }
}

static void prune_seen(hub_pg *db, int64_t now_ms);

static kiosk_rc ingest_folded(hub_pg *db, const uint8_t pk[32], const uint8_t *epoch,
                              const sync_record *recs, size_t n, const char *source, int64_t now_ms,
                              sync_result *results, fold *f)
{
    if (!db || !pk || (n && (!recs || !results)) || !source ||
        (strcmp(source, "http") != 0 && strcmp(source, "bundle") != 0))
        return KIOSK_INVALID;
    checked *c = n ? calloc(n, sizeof *c) : NULL;
    if (n && !c)
        return KIOSK_NOMEM;
    check_all(pk, epoch, recs, n, c); /* before the transaction: it holds no lock meanwhile */
    kiosk_rc rc = pg_ready(db);
    if (rc == KIOSK_OK && f)
        prune_seen(db, now_ms);
    for (int attempt = 0; rc == KIOSK_OK || (rc == KIOSK_BUSY && attempt < PG_RETRIES); attempt++) {
        rc = ingest_batch(db, pk, epoch ? epoch : legacy_epoch, recs, c, n, source, now_ms, results,
                          f);
        if (rc != KIOSK_BUSY)
            break;
        let_others_finish();
    }
    free(c);
    if (rc != KIOSK_OK && rc != KIOSK_NOT_FOUND)
        kiosk_log_error("hub_pg", "ingest of %zu records rolled back: %s", n, kiosk_strerror(rc));
    return rc;
}

static kiosk_rc pg_ingest_epoch(void *impl, const uint8_t pk[32], const uint8_t *epoch,
                                const sync_record *recs, size_t n, const char *source,
                                int64_t now_ms, sync_result *results)
{
    return ingest_folded(impl, pk, epoch, recs, n, source, now_ms, results, NULL);
}

/* A records request: the batch, its metadata, its signature and the device's mark in the
 * batch's one transaction (one commit, one WAL flush). */
static kiosk_rc pg_ingest_request(void *impl, const uint8_t pk[32], const uint8_t *epoch,
                                  const sync_record *recs, size_t n, int64_t now_ms,
                                  const uint8_t signature[64], const sync_head *head,
                                  sync_result *results, int *replayed, sync_mark *mark)
{
    fold f = {.signature = signature, .epoch_given = epoch, .head = head, .mark = mark};
    kiosk_rc rc = ingest_folded(impl, pk, epoch, recs, n, "http", now_ms, results, &f);
    *replayed = rc == KIOSK_OK && f.replayed;
    if (rc != KIOSK_OK || f.replayed)
        memset(mark, 0, sizeof *mark);
    return rc;
}

/* ---- replay protection ---------------------------------------------------------------- */

/* Remembering is one INSERT ... ON CONFLICT DO NOTHING: of two hubs handed the same
 * request at once, exactly one finds it new. */
/* Rows past the horizon deleted, at most every PG_PRUNE_MS on a connection: under steady
 * traffic every prune deletes rows, and each would be a commit waiting for its own WAL
 * flush (the answers never depend on it: a row past the horizon is not "seen"). */
static kiosk_rc prune_seen_rc(hub_pg *db, int64_t now_ms)
{
    if (now_ms < db->pruned_ms + PG_PRUNE_MS && now_ms >= db->pruned_ms)
        return KIOSK_OK;
    params p = {0};
    p_i64(&p, now_ms - 2 * (int64_t)SYNC_SKEW_MS);
    kiosk_rc rc = pg_do(db, "DELETE FROM seen_requests WHERE time_ms < $1", &p);
    if (rc == KIOSK_OK)
        db->pruned_ms = now_ms;
    return rc;
}

static void prune_seen(hub_pg *db, int64_t now_ms)
{
    if (prune_seen_rc(db, now_ms) != KIOSK_OK)
        kiosk_log_warn("hub_pg", "old request signatures not pruned (tried again later)");
}

/* The signature remembered (in the caller's transaction, if any): *seen 1 when it was
 * already, within the horizon. One INSERT ... ON CONFLICT: of two hubs handed the same
 * request at once, exactly one finds it new. */
static kiosk_rc remember_in(hub_pg *db, const uint8_t signature[64], int64_t now_ms, int *seen)
{
    *seen = 0;
    params q = {0};
    p_bytes(&q, signature, 64);
    p_i64(&q, now_ms);
    p_i64(&q, now_ms - 2 * (int64_t)SYNC_SKEW_MS);
    PGresult *r;
    kiosk_rc rc = pg_run(db, "remember", NULL, &q, &r);
    if (rc == KIOSK_OK)
        *seen = strcmp(PQcmdTuples(r), "0") == 0;
    PQclear(r);
    return rc;
}

/* The connection ready (pg_ready) and old request signatures pruned (prune_seen_rc). */
static kiosk_rc ready_pruned(hub_pg *db, int64_t now_ms)
{
    kiosk_rc rc = pg_ready(db);
    return rc == KIOSK_OK ? prune_seen_rc(db, now_ms) : rc;
}

/* The device known and the signature seen, in one statement. */
static kiosk_rc pg_request_admit(void *impl, const uint8_t pk[32], const uint8_t signature[64],
                                 int64_t now_ms, int *seen)
{
    hub_pg *db = impl;
    *seen = 0;
    kiosk_rc rc = ready_pruned(db, now_ms);
    if (rc != KIOSK_OK)
        return rc;
    params q = {0};
    p_bytes(&q, pk, 32);
    p_bytes(&q, signature, 64);
    p_i64(&q, now_ms - 2 * (int64_t)SYNC_SKEW_MS);
    PGresult *r;
    rc =
        pg_run(db, NULL,
               "SELECT EXISTS (SELECT 1 FROM devices WHERE public_key = $1 AND removed_ms IS NULL),"
               " EXISTS (SELECT 1 FROM seen_requests WHERE signature = $2 AND time_ms >= $3)",
               &q, &r);
    if (rc != KIOSK_OK)
        return rc;
    int found = PQntuples(r) == 1 && PQgetlength(r, 0, 0) == 1 && PQgetvalue(r, 0, 0)[0];
    *seen = found && PQgetlength(r, 0, 1) == 1 && PQgetvalue(r, 0, 1)[0];
    PQclear(r);
    return found ? KIOSK_OK : KIOSK_NOT_FOUND;
}

static kiosk_rc pg_seen_request(void *impl, const uint8_t signature[64], int64_t now_ms,
                                int remember, int *seen)
{
    hub_pg *db = impl;
    *seen = 0;
    kiosk_rc rc = ready_pruned(db, now_ms);
    if (rc != KIOSK_OK)
        return rc;
    if (remember)
        return remember_in(db, signature, now_ms, seen);
    params q = {0};
    p_bytes(&q, signature, 64);
    p_i64(&q, now_ms - 2 * (int64_t)SYNC_SKEW_MS);
    PGresult *r;
    rc = pg_run(db, NULL, "SELECT 1 FROM seen_requests WHERE signature = $1 AND time_ms >= $2", &q,
                &r);
    if (rc == KIOSK_OK)
        *seen = PQntuples(r) > 0;
    PQclear(r);
    return rc;
}

/* ---- the mark ------------------------------------------------------------------------- */

/* The mark (hub_db_mark) of a device known to exist, in the caller's transaction if any:
 * max_seq as this transaction sees it (after its own batch); one statement ("mark"). */
static kiosk_rc mark_in(hub_pg *db, const uint8_t pk[32], const uint8_t *epoch,
                        const sync_head *given, int64_t now_ms, sync_mark *out)
{
    memset(out, 0, sizeof *out);
    params p = {0};
    mark_params(&p, pk, epoch, given, now_ms);
    PGresult *r;
    kiosk_rc rc = pg_run(db, "mark", NULL, &p, &r);
    if (rc == KIOSK_OK)
        mark_take(r, epoch, out);
    PQclear(r);
    return rc;
}

static kiosk_rc pg_mark_epoch(void *impl, const uint8_t pk[32], const uint8_t *epoch,
                              const sync_head *given, int64_t now_ms, sync_mark *out)
{
    hub_pg *db = impl;
    memset(out, 0, sizeof *out);
    kiosk_rc rc = pg_ready(db);
    PGresult *r;
    params p = {0};
    p_bytes(&p, pk, 32);
    if (rc == KIOSK_OK)
        rc = pg_run(db, NULL, "SELECT 1 FROM devices WHERE public_key = $1", &p, &r);
    if (rc != KIOSK_OK)
        return rc;
    int found = PQntuples(r) == 1;
    PQclear(r);
    if (!found)
        return KIOSK_NOT_FOUND;
    return mark_in(db, pk, epoch, given, now_ms, out);
}

/* The metadata of the records of recs that carry it and were not rejected (results NULL:
 * all), to whatever record holds each uuid, in one statement ("meta_held" for any device);
 * a record not held is passed over. */
static kiosk_rc meta_in(hub_pg *db, const sync_record *recs, const sync_result *results, size_t n)
{
    checked *c = calloc(n ? n : 1, sizeof *c);
    if (!c)
        return KIOSK_NOMEM;
    for (size_t i = 0; i < n; i++)
        c[i].refused = results && results[i].status == SYNC_REJECTED ? "rejected" : NULL;
    params p = {0};
    pg_array a[5] = {{0}};
    long m = meta_params(NULL, recs, c, n, &p, a);
    kiosk_rc rc = m < 0 ? KIOSK_NOMEM : KIOSK_OK;
    if (m > 0) {
        PGresult *r;
        rc = pg_run(db, "meta_held", NULL, &p, &r);
        PQclear(r);
    }
    for (int k = 0; k < 5; k++)
        free(a[k].b);
    free(c);
    return rc;
}

/* ---- gaps, walks ------------------------------------------------------------------------ */

static kiosk_rc pg_gaps(void *impl, const uint8_t pk[32], hub_gap **gaps, size_t *n)
{
    hub_pg *db = impl;
    *gaps = NULL;
    *n = 0;
    int64_t records, max_seq;
    kiosk_rc rc = pg_ready(db);
    if (rc == KIOSK_OK)
        rc = counts(db, pk, &records, &max_seq);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_bytes(&p, pk, 32);
    PGresult *r;
    /* the runs missing, computed in the database: in the device's first epoch (the one
     * with its lowest seq) from 1, in a later one from its first seq held */
    rc = pg_run(db, NULL,
                "WITH first AS (SELECT epoch FROM records WHERE device = $1"
                " ORDER BY seq, epoch LIMIT 1),"
                " s AS (SELECT epoch, seq, lag(seq) OVER (PARTITION BY epoch ORDER BY seq) AS prev"
                " FROM records WHERE device = $1)"
                " SELECT epoch, CASE WHEN prev IS NULL THEN 1 ELSE prev + 1 END::bigint, seq - 1"
                " FROM s WHERE (prev IS NULL AND seq > 1 AND epoch = (SELECT epoch FROM first))"
                " OR (prev IS NOT NULL AND seq > prev + 1) ORDER BY epoch, seq",
                &p, &r);
    if (rc != KIOSK_OK)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0) {
        hub_gap *list = calloc((size_t)rows, sizeof *list);
        if (!list) {
            PQclear(r);
            return KIOSK_NOMEM;
        }
        for (int i = 0; i < rows; i++) {
            const uint8_t *e = r_bytes(r, i, 0, 16);
            if (e)
                memcpy(list[i].epoch, e, 16);
            list[i].first = r_i64(r, i, 1);
            list[i].last = r_i64(r, i, 2);
        }
        *gaps = list;
        *n = (size_t)rows;
    }
    PQclear(r);
    return KIOSK_OK;
}

/* Every record through a cursor, a thousand rows at a time: a region's store does not fit
 * one result. */
static kiosk_rc pg_foreach_record(void *impl, hub_db_record_cb cb, void *ctx)
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc == KIOSK_OK)
        rc = pg_do(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL);
    if (rc != KIOSK_OK)
        return rc;
    rc = pg_do(db,
               "DECLARE walk NO SCROLL CURSOR FOR SELECT device, uuid, seq, sealed, sig,"
               " received_ms, source FROM records ORDER BY device, seq, epoch",
               NULL);
    while (rc == KIOSK_OK) {
        PGresult *r;
        rc = pg_run(db, NULL, "FETCH 1000 FROM walk", NULL, &r);
        if (rc != KIOSK_OK)
            break;
        int rows = PQntuples(r);
        for (int i = 0; rc == KIOSK_OK && i < rows; i++) {
            hub_db_record rec = {
                .device = r_bytes(r, i, 0, 32),
                .uuid = PQgetvalue(r, i, 1),
                .seq = r_i64(r, i, 2),
                .sealed = r_bytes(r, i, 3, 0),
                .sealed_len = (size_t)PQgetlength(r, i, 3),
                .sig = r_bytes(r, i, 4, 64),
                .received_ms = r_i64(r, i, 5),
                .source = PQgetvalue(r, i, 6),
            };
            if (!rec.device || !rec.sig || !rec.sealed)
                rc = KIOSK_CORRUPT;
            else
                rc = cb(ctx, &rec);
        }
        PQclear(r);
        if (rows == 0)
            break;
    }
    PQclear(PQexec(db->conn, rc == KIOSK_OK ? "COMMIT" : "ROLLBACK"));
    return rc;
}

static kiosk_rc pg_device_results(void *impl, const uint8_t pk[32], size_t max, sync_result **out,
                                  size_t *n)
{
    hub_pg *db = impl;
    *out = NULL;
    *n = 0;
    int64_t records, max_seq;
    kiosk_rc rc = pg_ready(db);
    if (rc == KIOSK_OK)
        rc = counts(db, pk, &records, &max_seq);
    if (rc != KIOSK_OK || max == 0 || records == 0)
        return rc;
    params p = {0};
    p_bytes(&p, pk, 32);
    p_i64(&p, (int64_t)max);
    PGresult *r;
    rc = pg_run(db, NULL,
                "SELECT uuid, sealed_sha256 FROM records WHERE device = $1"
                " ORDER BY seq DESC LIMIT $2",
                &p, &r);
    if (rc != KIOSK_OK)
        return rc;
    int rows = PQntuples(r);
    sync_result *res = rows ? calloc((size_t)rows, sizeof *res) : NULL;
    if (rows && !res) {
        PQclear(r);
        return KIOSK_NOMEM;
    }
    for (int i = 0; i < rows; i++) {
        const char *uuid = PQgetvalue(r, i, 0);
        const uint8_t *h = r_bytes(r, i, 1, 32);
        if (strlen(uuid) != SYNC_UUID_LEN || !h) {
            free(res);
            PQclear(r);
            return KIOSK_CORRUPT;
        }
        memcpy(res[i].uuid, uuid, SYNC_UUID_LEN + 1);
        res[i].status = SYNC_ACCEPTED;
        res[i].has_sealed_sha256 = 1;
        memcpy(res[i].sealed_sha256, h, 32);
    }
    PQclear(r);
    *out = res;
    *n = (size_t)rows;
    return KIOSK_OK;
}

/* ---- events ----------------------------------------------------------------------------- */

static kiosk_rc pg_events_add(void *impl, const uint8_t pk[32], const sync_event *events, size_t n,
                              int64_t now_ms)
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc == KIOSK_OK)
        rc = known(db, pk);
    if (rc != KIOSK_OK || n == 0)
        return rc;
    rc = pg_do(db, "BEGIN", NULL);
    for (size_t i = 0; rc == KIOSK_OK && i < n; i++) {
        params p = {0};
        p_bytes(&p, pk, 32);
        p_i64(&p, events[i].seq);
        p_text(&p, events[i].kind);
        p_text(&p, events[i].step);
        p_text(&p, events[i].hall_code);
        p_i64(&p, events[i].at_ms);
        p_i64(&p, now_ms);
        rc = pg_do(db,
                   "INSERT INTO events(device, seq, kind, step, hall_code, at_ms, received_ms)"
                   " VALUES($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(device, seq, at_ms) DO NOTHING",
                   &p);
    }
    if (rc == KIOSK_OK)
        rc = pg_do(db, "COMMIT", NULL);
    if (rc != KIOSK_OK) {
        kiosk_log_error("hub_pg", "cannot store events: %s", kiosk_strerror(rc));
        if (PQstatus(db->conn) == CONNECTION_OK)
            PQclear(PQexec(db->conn, "ROLLBACK"));
    }
    return rc;
}

static kiosk_rc pg_foreach_event(void *impl, int64_t since_ms, hub_db_event_cb cb, void *ctx)
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_i64(&p, since_ms);
    PGresult *r;
    rc = pg_run(db, NULL,
                "SELECT e.device, coalesce(d.name, ''), e.seq, e.kind, e.step, e.hall_code,"
                " e.at_ms, e.received_ms FROM events e"
                " LEFT JOIN devices d ON d.public_key = e.device"
                " WHERE e.received_ms >= $1 ORDER BY e.received_ms, e.device, e.seq",
                &p, &r);
    if (rc != KIOSK_OK)
        return rc;
    for (int i = 0; rc == KIOSK_OK && i < PQntuples(r); i++) {
        hub_db_event e = {
            .device = r_bytes(r, i, 0, 32),
            .device_name = PQgetvalue(r, i, 1),
            .seq = r_i64(r, i, 2),
            .kind = PQgetvalue(r, i, 3),
            .step = PQgetvalue(r, i, 4),
            .hall_code = PQgetvalue(r, i, 5),
            .at_ms = r_i64(r, i, 6),
            .received_ms = r_i64(r, i, 7),
        };
        if (e.device)
            rc = cb(ctx, &e);
    }
    PQclear(r);
    return rc;
}

static kiosk_rc pg_event_count(void *impl, const char *kind, int64_t since_ms, int64_t *count)
{
    hub_pg *db = impl;
    *count = 0;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_text(&p, kind);
    p_i64(&p, since_ms);
    PGresult *r;
    rc =
        pg_run(db, NULL,
               "SELECT count(*)::bigint FROM events WHERE kind = $1 AND received_ms >= $2", &p, &r);
    if (rc == KIOSK_OK)
        *count = r_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

static kiosk_rc pg_reconcile_count(void *impl, int64_t *count, int64_t *seq_conflicts)
{
    hub_pg *db = impl;
    *count = 0;
    if (seq_conflicts)
        *seq_conflicts = 0;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    PGresult *r;
    rc = pg_run(db, NULL,
                "SELECT count(*)::bigint, count(*) FILTER (WHERE reason = 'seq_conflict')::bigint"
                " FROM reconcile",
                NULL, &r);
    if (rc == KIOSK_OK) {
        *count = r_i64(r, 0, 0);
        if (seq_conflicts)
            *seq_conflicts = r_i64(r, 0, 1);
    }
    PQclear(r);
    return rc;
}

/* ---- processing state (hub_db.h; arguments checked by hub_store.c) ------------------- */

static kiosk_rc pg_state_set(void *impl, const char *uuid, const char *state, const char *note,
                             const char *actor, int64_t now_ms)
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_text(&p, uuid);
    p_text(&p, state);
    p_text(&p, note);
    p_i64(&p, now_ms);
    p_text(&p, actor);
    /* one statement, so one transaction: the current state and its history row, only
     * when the record is held */
    PGresult *r;
    rc = pg_run(db, NULL,
                "WITH rec AS (SELECT uuid FROM records WHERE uuid = $1),"
                " cur AS (INSERT INTO record_states(uuid, state, note, changed_ms, changed_by)"
                " SELECT uuid, $2, $3, $4::bigint, $5 FROM rec ON CONFLICT(uuid) DO UPDATE SET"
                " state = excluded.state, note = excluded.note, changed_ms = excluded.changed_ms,"
                " changed_by = excluded.changed_by RETURNING uuid)"
                " INSERT INTO record_state_history(uuid, state, note, changed_ms, changed_by)"
                " SELECT uuid, $2, $3, $4::bigint, $5 FROM cur",
                &p, &r);
    if (rc == KIOSK_OK && strcmp(PQcmdTuples(r), "1") != 0)
        rc = KIOSK_NOT_FOUND;
    PQclear(r);
    return rc;
}

static kiosk_rc pg_state_get(void *impl, const char *uuid, hub_record_state *out)
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_text(&p, uuid);
    PGresult *r;
    rc = pg_run(db, NULL,
                "SELECT r.device, r.received_ms, s.state, s.note, s.changed_ms, s.changed_by"
                " FROM records r LEFT JOIN record_states s ON s.uuid = r.uuid WHERE r.uuid = $1",
                &p, &r);
    if (rc != KIOSK_OK)
        return rc;
    const uint8_t *dev = PQntuples(r) == 1 ? r_bytes(r, 0, 0, 32) : NULL;
    if (dev) {
        memcpy(out->device, dev, 32);
        if (PQgetisnull(r, 0, 2)) {
            out->s.state = SYNC_STATE_RECEIVED;
            out->s.changed_ms = r_i64(r, 0, 1);
            snprintf(out->changed_by, sizeof out->changed_by, "hub");
        } else if (!sync_state_parse(PQgetvalue(r, 0, 2), &out->s.state)) {
            out->s.state = SYNC_STATE_UNKNOWN;
        } else {
            snprintf(out->s.note, sizeof out->s.note, "%s", PQgetvalue(r, 0, 3));
            out->s.changed_ms = r_i64(r, 0, 4);
            snprintf(out->changed_by, sizeof out->changed_by, "%s", PQgetvalue(r, 0, 5));
        }
    }
    PQclear(r);
    return KIOSK_OK;
}

static kiosk_rc pg_state_history(void *impl, const char *uuid, hub_db_state_cb cb, void *ctx)
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_text(&p, uuid);
    PGresult *r;
    rc = pg_run(db, NULL,
                "SELECT state, note, changed_ms, changed_by FROM record_state_history"
                " WHERE uuid = $1 ORDER BY id",
                &p, &r);
    if (rc != KIOSK_OK)
        return rc;
    for (int i = 0; rc == KIOSK_OK && i < PQntuples(r); i++) {
        hub_db_state_change c = {
            .uuid = uuid,
            .state = PQgetvalue(r, i, 0),
            .note = PQgetvalue(r, i, 1),
            .changed_ms = r_i64(r, i, 2),
            .changed_by = PQgetvalue(r, i, 3),
        };
        rc = cb(ctx, &c);
    }
    PQclear(r);
    return rc;
}

static kiosk_rc pg_meta_put(void *impl, const sync_record *recs, const sync_result *results,
                            size_t n)
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc == KIOSK_OK)
        rc = meta_in(db, recs, results, n); /* one statement: all or nothing */
    if (rc != KIOSK_OK || n != 1)
        return rc;
    params p = {0};
    p_text(&p, recs[0].uuid);
    PGresult *r;
    rc = pg_run(db, NULL, "SELECT 1 FROM records WHERE uuid = $1", &p, &r);
    if (rc == KIOSK_OK && PQntuples(r) == 0)
        rc = KIOSK_NOT_FOUND;
    PQclear(r);
    return rc;
}

static kiosk_rc pg_find_receipt(void *impl, const uint8_t device[32], const char *receipt_no,
                                char uuid[SYNC_UUID_LEN + 1])
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_bytes(&p, device, 32);
    p_text(&p, receipt_no);
    PGresult *r;
    rc = pg_run(db, NULL,
                "SELECT uuid FROM record_meta WHERE device = $1 AND receipt_no = $2"
                " ORDER BY uuid LIMIT 1",
                &p, &r);
    if (rc != KIOSK_OK)
        return rc;
    if (PQntuples(r) == 1 && PQgetlength(r, 0, 0) == SYNC_UUID_LEN) {
        memcpy(uuid, PQgetvalue(r, 0, 0), SYNC_UUID_LEN);
        uuid[SYNC_UUID_LEN] = '\0';
    } else {
        rc = KIOSK_NOT_FOUND;
    }
    PQclear(r);
    return rc;
}

/* ---- unit health reports ---------------------------------------------------------------- */

static kiosk_rc pg_health_add(void *impl, const uint8_t pk[32], const health_report *r,
                              const char *source, int64_t now_ms, int *added)
{
    hub_pg *db = impl;
    if (added)
        *added = 0;
    kiosk_rc rc = pg_ready(db);
    if (rc == KIOSK_OK)
        rc = known(db, pk);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_bytes(&p, pk, 32);
    p_i64(&p, r->seq);
    p_i64(&p, r->at_ms);
    p_i64(&p, now_ms);
    p_text(&p, source);
    p_text(&p, r->version);
    p_i64(&p, r->uptime_s);
    p_text(&p, health_reader_name(r->reader));
    p_text(&p, health_printer_name(r->printer));
    p_i64(&p, r->disk_free_bytes);
    p_i64(&p, r->disk_free_pct);
    p_i64(&p, r->battery_pct);
    p_text(&p, health_power_name(r->power));
    p_i64(&p, r->backlog);
    p_i64(&p, r->sessions);
    p_i64(&p, r->median_taps);
    p_i64(&p, r->help_requests);
    p_bytes(&p, r->epoch, 16);
    if (r->has_update) {
        p_text(&p, r->update.version);
        p_text(&p, health_update_result_name(r->update.result));
        p_i64(&p, r->update.at_ms);
        p_text(&p, r->update.detail);
    } else {
        for (int i = 0; i < 4; i++)
            p_text(&p, NULL); /* SQL NULL */
    }
    rc = pg_do(db, "BEGIN", NULL);
    PGresult *res = NULL;
    if (rc == KIOSK_OK)
        rc =
            pg_run(db, NULL,
                   "INSERT INTO unit_health(device, seq, at_ms, received_ms, source, version,"
                   " uptime_s, reader, printer, disk_free_bytes, disk_free_pct, battery_pct, power,"
                   " backlog, sessions, median_taps, help_requests, epoch, update_version,"
                   " update_result, update_at_ms, update_detail) VALUES($1, $2, $3, $4, $5, $6,"
                   " $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
                   " ON CONFLICT(device, seq, at_ms) DO NOTHING",
                   &p, &res);
    int changed = res ? atoi(PQcmdTuples(res)) : 0;
    PQclear(res);
    if (rc == KIOSK_OK) {
        params q = {0};
        p_i64(&q, now_ms - HUB_HEALTH_RETENTION_MS);
        rc = pg_do(db, "DELETE FROM unit_health WHERE received_ms < $1", &q);
    }
    if (rc == KIOSK_OK)
        rc = pg_do(db, "COMMIT", NULL);
    if (rc != KIOSK_OK) {
        kiosk_log_error("hub_pg", "cannot store a health report: %s", kiosk_strerror(rc));
        if (PQstatus(db->conn) == CONNECTION_OK)
            PQclear(PQexec(db->conn, "ROLLBACK"));
        return rc;
    }
    if (added)
        *added = changed > 0;
    return KIOSK_OK;
}

#define PG_HEALTH_COLUMNS                                                                          \
    "h.device, coalesce(d.name, ''), h.received_ms, h.source, h.seq, h.at_ms, h.version,"          \
    " h.uptime_s, h.reader, h.printer, h.disk_free_bytes, h.disk_free_pct, h.battery_pct,"         \
    " h.power, h.backlog, h.sessions, h.median_taps, h.help_requests, h.epoch,"                    \
    " h.update_version, h.update_result, h.update_at_ms, h.update_detail"

static kiosk_rc pg_health_walk(void *impl, int latest, const uint8_t *pk, int64_t since_ms,
                               hub_db_health_cb cb, void *ctx)
{
    hub_pg *db = impl;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    PGresult *r;
    if (latest) {
        rc = pg_run(db, NULL,
                    "SELECT " PG_HEALTH_COLUMNS " FROM (SELECT DISTINCT ON (device) *"
                    " FROM unit_health ORDER BY device, at_ms DESC, received_ms DESC, seq DESC) h"
                    " LEFT JOIN devices d ON d.public_key = h.device"
                    " ORDER BY coalesce(d.name, ''), h.device",
                    NULL, &r);
    } else {
        p_i64(&p, since_ms);
        if (pk)
            p_bytes(&p, pk, 32);
        rc = pg_run(db, NULL,
                    pk ? "SELECT " PG_HEALTH_COLUMNS " FROM unit_health h"
                         " LEFT JOIN devices d ON d.public_key = h.device"
                         " WHERE h.received_ms >= $1 AND h.device = $2"
                         " ORDER BY h.device, h.at_ms, h.seq"
                       : "SELECT " PG_HEALTH_COLUMNS " FROM unit_health h"
                         " LEFT JOIN devices d ON d.public_key = h.device"
                         " WHERE h.received_ms >= $1 ORDER BY h.device, h.at_ms, h.seq",
                    &p, &r);
    }
    if (rc != KIOSK_OK)
        return rc;
    for (int i = 0; rc == KIOSK_OK && i < PQntuples(r); i++) {
        hub_db_health h = {
            .device = r_bytes(r, i, 0, 32),
            .device_name = PQgetvalue(r, i, 1),
            .received_ms = r_i64(r, i, 2),
            .source = PQgetvalue(r, i, 3),
        };
        health_report *x = &h.report;
        const uint8_t *epoch = r_bytes(r, i, 18, 16);
        x->seq = r_i64(r, i, 4);
        x->at_ms = r_i64(r, i, 5);
        snprintf(x->version, sizeof x->version, "%s", PQgetvalue(r, i, 6));
        x->uptime_s = r_i64(r, i, 7);
        int ok = h.device && epoch && health_reader_parse(PQgetvalue(r, i, 8), &x->reader) &&
                 health_printer_parse(PQgetvalue(r, i, 9), &x->printer) &&
                 health_power_parse(PQgetvalue(r, i, 13), &x->power);
        x->disk_free_bytes = r_i64(r, i, 10);
        x->disk_free_pct = (int)r_i64(r, i, 11);
        x->battery_pct = (int)r_i64(r, i, 12);
        x->backlog = r_i64(r, i, 14);
        x->sessions = r_i64(r, i, 15);
        x->median_taps = r_i64(r, i, 16);
        x->help_requests = r_i64(r, i, 17);
        if (epoch)
            memcpy(x->epoch, epoch, 16);
        if (!PQgetisnull(r, i, 19)) {
            x->has_update = 1;
            snprintf(x->update.version, sizeof x->update.version, "%s", PQgetvalue(r, i, 19));
            ok = ok && health_update_result_parse(PQgetvalue(r, i, 20), &x->update.result);
            x->update.at_ms = r_i64(r, i, 21);
            snprintf(x->update.detail, sizeof x->update.detail, "%s", PQgetvalue(r, i, 22));
        }
        if (ok)
            rc = cb(ctx, &h);
    }
    PQclear(r);
    return rc;
}

static kiosk_rc pg_health_prune(void *impl, int64_t before_ms, int64_t *removed)
{
    hub_pg *db = impl;
    if (removed)
        *removed = 0;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    params p = {0};
    p_i64(&p, before_ms);
    PGresult *r;
    rc = pg_run(db, NULL, "DELETE FROM unit_health WHERE received_ms < $1", &p, &r);
    if (rc == KIOSK_OK && removed)
        *removed = atoll(PQcmdTuples(r));
    PQclear(r);
    return rc;
}

/* ---- the console's queries (hub_db_query) ---------------------------------------------- */

static kiosk_rc pg_query(void *impl, const char *sql, const hub_qparam *qp, size_t n,
                         hub_rows **rows, int64_t *changes)
{
    hub_pg *db = impl;
    if (n > PARAMS_MAX)
        return KIOSK_INVALID;
    kiosk_rc rc = pg_ready(db);
    if (rc != KIOSK_OK)
        return rc;
    const char *v[PARAMS_MAX];
    int len[PARAMS_MAX], fmt[PARAMS_MAX];
    Oid types[PARAMS_MAX];
    char num[PARAMS_MAX][24];
    for (size_t i = 0; i < n; i++) {
        if (qp[i].kind == 'i') {
            snprintf(num[i], sizeof num[i], "%lld", (long long)qp[i].i);
            v[i] = num[i];
            len[i] = 0;
            fmt[i] = 0;
            types[i] = 20; /* int8 */
        } else if (qp[i].kind == 't') {
            v[i] = qp[i].t ? qp[i].t : "";
            len[i] = 0;
            fmt[i] = 0;
            types[i] = 25; /* text */
        } else {
            v[i] = (const char *)qp[i].b;
            len[i] = (int)qp[i].len;
            fmt[i] = 1;
            types[i] = 17; /* bytea */
        }
    }
    PGresult *r = PQexecParams(db->conn, sql, (int)n, types, v, len, fmt, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        if (state && strncmp(state, "23", 2) == 0) { /* integrity: a name taken */
            PQclear(r);
            return KIOSK_INVALID;
        }
        return pg_fail(db, r, "console query");
    }
    hub_rows *out = rows ? hub_rows_new((size_t)PQnfields(r)) : NULL;
    rc = rows && !out ? KIOSK_NOMEM : KIOSK_OK;
    for (int i = 0; out && rc == KIOSK_OK && i < PQntuples(r); i++)
        for (int c = 0; rc == KIOSK_OK && c < PQnfields(r); c++)
            rc = hub_rows_append(out, PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c),
                                 (size_t)PQgetlength(r, i, c));
    if (rc == KIOSK_OK && changes)
        *changes = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    if (rc != KIOSK_OK) {
        hub_rows_free(out);
        return rc;
    }
    if (rows)
        *rows = out;
    return KIOSK_OK;
}

const hub_db_ops hub_pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .device_add = pg_device_add,
    .device_remove = pg_device_remove,
    .device_known = pg_device_known,
    .device_list = pg_device_list,
    .device_counts = pg_device_counts,
    .ingest_epoch = pg_ingest_epoch,
    .reconcile_count = pg_reconcile_count,
    .seen_request = pg_seen_request,
    .mark_epoch = pg_mark_epoch,
    .gaps = pg_gaps,
    .foreach_record = pg_foreach_record,
    .device_results = pg_device_results,
    .events_add = pg_events_add,
    .foreach_event = pg_foreach_event,
    .event_count = pg_event_count,
    .state_set = pg_state_set,
    .state_get = pg_state_get,
    .state_history = pg_state_history,
    .meta_put = pg_meta_put,
    .find_receipt = pg_find_receipt,
    .health_add = pg_health_add,
    .health_walk = pg_health_walk,
    .health_prune = pg_health_prune,
    .query = pg_query,
    .request_admit = pg_request_admit,
    .ingest_request = pg_ingest_request,
};
