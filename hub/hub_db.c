/*
 * SQLite storage of the hub. WAL with synchronous=FULL: an acknowledged record survives a
 * power cut, since the reply goes out only after the batch committed. The schema is
 * upgraded by the migrations table, oldest first; a newer database is refused. Ingest
 * reuses prepared statements and commits once per batch; it verifies record signatures
 * (sync_record_verify) but never opens a sealed record.
 */
#include "hub_db_impl.h"

/* This file is the SQLite backend behind the storage interface (hub_db_impl.h): its
 * functions keep the interface's names in the source and are renamed here, so every call
 * inside this file stays in SQLite; hub_store.c holds the public hub_db_* that dispatch. */
#define hub_db hub_sqlite
#define hub_db_open hub_sqlite_open
#define hub_db_close hub_sqlite_close
#define hub_db_device_add hub_sqlite_device_add
#define hub_db_device_remove hub_sqlite_device_remove
#define hub_db_device_known hub_sqlite_device_known
#define hub_db_device_list hub_sqlite_device_list
#define hub_db_device_counts hub_sqlite_device_counts
#define hub_db_ingest hub_sqlite_ingest
#define hub_db_ingest_epoch hub_sqlite_ingest_epoch
#define hub_db_reconcile_count hub_sqlite_reconcile_count
#define hub_db_seen_request hub_sqlite_seen_request
#define hub_db_mark hub_sqlite_mark
#define hub_db_mark_epoch hub_sqlite_mark_epoch
#define hub_db_gaps hub_sqlite_gaps
#define hub_db_foreach_record hub_sqlite_foreach_record
#define hub_db_device_results hub_sqlite_device_results
#define hub_db_events_add hub_sqlite_events_add
#define hub_db_foreach_event hub_sqlite_foreach_event
#define hub_db_event_count hub_sqlite_event_count
#define hub_db_health_add hub_sqlite_health_add
#define hub_db_health_prune hub_sqlite_health_prune
typedef struct hub_sqlite hub_sqlite;
void hub_sqlite_close(hub_sqlite *db);
kiosk_rc hub_sqlite_ingest_epoch(hub_sqlite *db, const uint8_t device_pk[32], const uint8_t *epoch,
                                 const sync_record *recs, size_t n, const char *source,
                                 int64_t now_ms, sync_result *results);
kiosk_rc hub_sqlite_mark_epoch(hub_sqlite *db, const uint8_t public_key[32], const uint8_t *epoch,
                               const sync_head *given, int64_t now_ms, sync_mark *out);

#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/kiosk_log.h"
#include "proto/recdb.h"

enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_FIND_UUID,
    ST_FIND_SEQ,
    ST_INSERT,
    ST_DEVICE_KNOWN,
    ST_SEEN_FIND,
    ST_SEEN_INSERT,
    ST_SEEN_PRUNE,
    ST_RECONCILE,
    ST_COUNT
};

static const char *const statements[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_FIND_UUID] = "SELECT device, seq, sealed_sha256 FROM records WHERE uuid = ?",
    [ST_FIND_SEQ] = "SELECT uuid FROM records WHERE device = ? AND epoch = ? AND seq = ?",
    [ST_INSERT] = ("INSERT INTO records(uuid, device, seq, sealed, sig, sealed_sha256,"
                   " received_ms, source, epoch) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    [ST_DEVICE_KNOWN] = "SELECT 1 FROM devices WHERE public_key = ? AND removed_ms IS NULL",
    [ST_SEEN_FIND] = "SELECT 1 FROM seen_requests WHERE signature = ? AND time_ms >= ?",
    [ST_SEEN_INSERT] = "INSERT OR REPLACE INTO seen_requests(signature, time_ms) VALUES(?, ?)",
    [ST_SEEN_PRUNE] = "DELETE FROM seen_requests WHERE time_ms < ?",
    [ST_RECONCILE] = ("INSERT INTO reconcile(device, uuid, epoch, seq, sealed, sig, sealed_sha256,"
                      " reason, received_ms, source) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                      " ON CONFLICT DO NOTHING"),
};

/* The epoch of rows that came without one (hub schema 3 and before, and units that name
 * none): sixteen zero bytes. */
static const uint8_t legacy_epoch[16];

/* The checkpoint policy (see "the checkpointer" below): the WAL is copied into the
 * database by a thread of its own, with its own connection, so an ingest's commit does one
 * fsync (the WAL's) and never the checkpoint's copy and database fsync. */
#define CKPT_WAL_PAGES 1000       /* the checkpointer starts past this many WAL frames */
#define CKPT_FALLBACK_PAGES 16384 /* past this, the commit checkpoints itself (PASSIVE) */

typedef struct checkpointer {
    pid_t pid; /* the process that started it (0: none): a forked child has no thread */
    pthread_t thread;
    sem_t wake; /* posted by wal_hook past CKPT_WAL_PAGES, and to stop */
    _Atomic int stop;
    sqlite3 *db; /* its own connection to the same file */
} checkpointer;

struct hub_db {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    checkpointer ckpt;
};

static const char *const migrations[HUB_DB_SCHEMA_VERSION] = {
    /* 0 -> 1 */
    "CREATE TABLE devices("
    " public_key BLOB PRIMARY KEY CHECK(length(public_key) = 32),"
    " name TEXT NOT NULL DEFAULT '',"
    " added_ms INTEGER NOT NULL,"
    " removed_ms INTEGER);"
    "CREATE TABLE records("
    " uuid TEXT PRIMARY KEY,"
    " device BLOB NOT NULL REFERENCES devices(public_key),"
    " seq INTEGER NOT NULL CHECK(seq >= 1),"
    " sealed BLOB NOT NULL,"
    " sig BLOB NOT NULL CHECK(length(sig) = 64),"
    " sealed_sha256 BLOB NOT NULL CHECK(length(sealed_sha256) = 32),"
    " received_ms INTEGER NOT NULL,"
    " source TEXT NOT NULL CHECK(source IN ('http', 'bundle')),"
    " UNIQUE(device, seq));"
    "CREATE TABLE seen_requests("
    " signature BLOB PRIMARY KEY CHECK(length(signature) = 64),"
    " time_ms INTEGER NOT NULL);"
    "CREATE INDEX seen_requests_time ON seen_requests(time_ms);",
    /* 1 -> 2: the audit head each device last gave (sync_proto.h, "head"): answered in
     * the signed reply's mark, so a unit whose log went back finds out */
    "CREATE TABLE IF NOT EXISTS device_heads("
    " device BLOB PRIMARY KEY REFERENCES devices(public_key),"
    " audit_id INTEGER NOT NULL, audit_hash BLOB NOT NULL CHECK(length(audit_hash) = 32),"
    " updated_ms INTEGER NOT NULL);",
    /* 2 -> 3: kiosk events (help requests), one row per (device, seq, at_ms): a unit
     * sends an event again until it holds the hub's signed answer (the same seq and time:
     * stored once), and a unit whose database was restored from a backup numbers its
     * events again from an older seq (another time: a new request, never dropped) */
    "CREATE TABLE IF NOT EXISTS events("
    " device BLOB NOT NULL REFERENCES devices(public_key),"
    " seq INTEGER NOT NULL CHECK(seq >= 1),"
    " kind TEXT NOT NULL, step TEXT NOT NULL, hall_code TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL,"
    " PRIMARY KEY(device, seq, at_ms));"
    "CREATE INDEX IF NOT EXISTS events_received ON events(received_ms);",
    /* 3 -> 4: a seq is unique per (device, store epoch), not per device: a unit whose store
     * was restored or copied begins a new epoch and may number again. Rows stored before
     * get the legacy epoch (zeros; their records named none). Records refused as a
     * conflict are kept for staff to reconcile, sealed as they came, never dropped. */
    "CREATE TABLE records_v4("
    " uuid TEXT PRIMARY KEY,"
    " device BLOB NOT NULL REFERENCES devices(public_key),"
    " seq INTEGER NOT NULL CHECK(seq >= 1),"
    " sealed BLOB NOT NULL,"
    " sig BLOB NOT NULL CHECK(length(sig) = 64),"
    " sealed_sha256 BLOB NOT NULL CHECK(length(sealed_sha256) = 32),"
    " received_ms INTEGER NOT NULL,"
    " source TEXT NOT NULL CHECK(source IN ('http', 'bundle')),"
    " epoch BLOB NOT NULL DEFAULT (zeroblob(16)) CHECK(length(epoch) = 16),"
    " UNIQUE(device, epoch, seq));"
    "INSERT INTO records_v4(uuid, device, seq, sealed, sig, sealed_sha256, received_ms, source,"
    " epoch) SELECT uuid, device, seq, sealed, sig, sealed_sha256, received_ms, source,"
    " zeroblob(16) FROM records;"
    "DROP TABLE records;"
    "ALTER TABLE records_v4 RENAME TO records;"
    "CREATE TABLE IF NOT EXISTS reconcile("
    " device BLOB NOT NULL REFERENCES devices(public_key),"
    " uuid TEXT NOT NULL,"
    " epoch BLOB NOT NULL CHECK(length(epoch) = 16),"
    " seq INTEGER NOT NULL,"
    " sealed BLOB NOT NULL,"
    " sig BLOB NOT NULL CHECK(length(sig) = 64),"
    " sealed_sha256 BLOB NOT NULL CHECK(length(sealed_sha256) = 32),"
    " reason TEXT NOT NULL,"
    " received_ms INTEGER NOT NULL,"
    " source TEXT NOT NULL,"
    " PRIMARY KEY(device, uuid, sealed_sha256));",
    /* 4 -> 5: a record's processing state upstream (hub_db_state_set): the current one,
     * and every change in its history (who, when), never rewritten. A record without a
     * row is "received" since its received_ms. */
    "CREATE TABLE IF NOT EXISTS record_states("
    " uuid TEXT PRIMARY KEY REFERENCES records(uuid),"
    " state TEXT NOT NULL CHECK(state IN ('received', 'processing', 'approved',"
    " 'needs_materials')),"
    " note TEXT NOT NULL DEFAULT '',"
    " changed_ms INTEGER NOT NULL,"
    " changed_by TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS record_state_history("
    " id INTEGER PRIMARY KEY,"
    " uuid TEXT NOT NULL REFERENCES records(uuid),"
    " state TEXT NOT NULL, note TEXT NOT NULL,"
    " changed_ms INTEGER NOT NULL, changed_by TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS record_state_history_uuid ON record_state_history(uuid, id);"
    /* and a record's unsealed metadata, signed by its device: type and receipt number */
    "CREATE TABLE IF NOT EXISTS record_meta("
    " uuid TEXT PRIMARY KEY REFERENCES records(uuid),"
    " device BLOB NOT NULL CHECK(length(device) = 32),"
    " record_type TEXT NOT NULL, receipt_no TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS record_meta_receipt ON record_meta(device, receipt_no);",
    /* 5 -> 6: the units' health reports (health_proto.h), one row per (device, seq, at_ms),
     * every field a column for the console; kept 30 days (pruned by each insert). Nothing
     * personal. Idempotent. */
    "CREATE TABLE IF NOT EXISTS unit_health("
    " device BLOB NOT NULL REFERENCES devices(public_key),"
    " seq INTEGER NOT NULL CHECK(seq >= 1), at_ms INTEGER NOT NULL,"
    " received_ms INTEGER NOT NULL, source TEXT NOT NULL,"
    " version TEXT NOT NULL, uptime_s INTEGER NOT NULL, reader TEXT NOT NULL,"
    " printer TEXT NOT NULL, disk_free_bytes INTEGER NOT NULL, disk_free_pct INTEGER NOT NULL,"
    " battery_pct INTEGER NOT NULL, power TEXT NOT NULL, backlog INTEGER NOT NULL,"
    " sessions INTEGER NOT NULL, median_taps INTEGER NOT NULL, help_requests INTEGER NOT NULL,"
    " epoch BLOB NOT NULL CHECK(length(epoch) = 16),"
    " update_version TEXT, update_result TEXT, update_at_ms INTEGER, update_detail TEXT,"
    " PRIMARY KEY(device, seq, at_ms));"
    "CREATE INDEX IF NOT EXISTS unit_health_received ON unit_health(received_ms);"
    "CREATE INDEX IF NOT EXISTS unit_health_device_at ON unit_health(device, at_ms);",
    /* 6 -> 7: the web console (hub_staff.c): a unit's hall, staff accounts (argon2id),
     * their sessions (the token's hash only), the audit of logins and changes; the records'
     * arrival, for what came lately and the records per hall per day */
    "ALTER TABLE devices ADD COLUMN hall TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE IF NOT EXISTS staff("
    " name TEXT PRIMARY KEY, pwhash TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK(role IN ('hall', 'region')), halls TEXT NOT NULL DEFAULT '',"
    " disabled INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,"
    " locked_until_ms INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS staff_sessions("
    " token_hash TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES staff(name),"
    " csrf TEXT NOT NULL, created_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS staff_audit("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, who TEXT NOT NULL,"
    " action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX IF NOT EXISTS records_received ON records(received_ms, device, epoch, seq);",
};

/* Step a reused statement that returns no row, then reset it for the next use. */
static int step_reset(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static void done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* ---- the checkpointer -------------------------------------------------------------
 * After each commit of the hub's connection SQLite tells wal_hook how many frames the
 * WAL holds. Past CKPT_WAL_PAGES the checkpointer thread is woken: with its own
 * connection it copies the WAL into the database (PASSIVE: it never waits for the ingest
 * thread nor blocks it; SQLite lets a checkpoint and a writer run at once in WAL mode), so
 * an ingest's commit does one fsync, the WAL's, and never the checkpoint's copy and
 * database fsync. Past CKPT_FALLBACK_PAGES (the thread is behind), or in a process without
 * the thread (a forked child: threads do not survive fork), the commit checkpoints itself,
 * PASSIVE, as SQLite's autocheckpoint would. Durability is the WAL's fsync at commit in
 * every case. */
static void *checkpointer_main(void *arg)
{
    checkpointer *c = arg;
    for (;;) {
        while (sem_wait(&c->wake) != 0)
            ;
        if (c->stop)
            return NULL;
        sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
}

static int wal_hook(void *ctx, sqlite3 *conn, const char *name, int frames)
{
    checkpointer *c = ctx;
    int ours = c->pid == getpid();
    if (ours && frames >= CKPT_WAL_PAGES && frames < CKPT_FALLBACK_PAGES) {
        int queued = 0;
        if (sem_getvalue(&c->wake, &queued) == 0 && queued == 0)
            sem_post(&c->wake);
    } else if (frames >= (ours ? CKPT_FALLBACK_PAGES : CKPT_WAL_PAGES)) {
        sqlite3_wal_checkpoint_v2(conn, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
    return SQLITE_OK;
}

/* Started by the first ingest of this process (nothing when it runs already). */
static void checkpointer_start(hub_db *db)
{
    checkpointer *c = &db->ckpt;
    if (c->pid == getpid())
        return;
    if (c->pid != 0) /* inherited over fork: not ours, and its connection is not either */
        memset(c, 0, sizeof *c);
    const char *path = sqlite3_db_filename(db->db, "main");
    if (!path || !path[0] || sem_init(&c->wake, 0, 0) != 0)
        return;
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(c->db);
        c->db = NULL;
        sem_destroy(&c->wake);
        return;
    }
    sqlite3_exec(c->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    c->stop = 0;
    if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
        sqlite3_close(c->db);
        c->db = NULL;
        sem_destroy(&c->wake);
        return;
    }
    c->pid = getpid();
    sqlite3_wal_hook(db->db, wal_hook, c);
}

static void checkpointer_stop(hub_db *db)
{
    checkpointer *c = &db->ckpt;
    if (!c->pid || c->pid != getpid())
        return;
    c->stop = 1;
    sem_post(&c->wake);
    pthread_join(c->thread, NULL);
    sqlite3_close(c->db);
    sem_destroy(&c->wake);
}

/* ---- open ---------------------------------------------------------------------- */

kiosk_rc hub_db_open(const char *path, hub_db **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    hub_db *db = calloc(1, sizeof *db);
    if (!db)
        return KIOSK_NOMEM;
    kiosk_rc rc = recdb_open(path, "hub_db", NULL, migrations, HUB_DB_SCHEMA_VERSION, &db->db);
    if (rc != KIOSK_OK) { /* said in the log already */
        free(db);
        return rc;
    }
    /* the indexes a batch touches (uuid, (device, epoch, seq)) stay in memory at a region's
     * size: 100,000 records' index pages are about 12 MB; SQLite's default cache is 2 MB */
    sqlite3_exec(db->db, "PRAGMA cache_size = -32768", NULL, NULL, NULL);
    for (int i = 0; rc == KIOSK_OK && i < ST_COUNT; i++)
        rc = recdb_rc(sqlite3_prepare_v3(db->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT,
                                         &db->st[i], NULL));
    if (rc != KIOSK_OK) {
        kiosk_log_error("hub_db", "cannot prepare the statements of %s: %s", path,
                        kiosk_strerror(rc));
        hub_db_close(db);
        return rc;
    }
    *out = db;
    return KIOSK_OK;
}

void hub_db_close(hub_db *db)
{
    if (!db)
        return;
    checkpointer_stop(db);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(db->st[i]);
    sqlite3_close(db->db);
    free(db);
}

/* ---- devices --------------------------------------------------------------------- */

kiosk_rc hub_db_device_add(hub_db *db, const uint8_t public_key[32], const char *name,
                           int64_t now_ms)
{
    char nm[HUB_DEVICE_NAME_MAX];
    snprintf(nm, sizeof nm, "%s", name ? name : "");
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db,
                                "INSERT INTO devices(public_key, name, added_ms) VALUES(?, ?, ?)"
                                " ON CONFLICT(public_key) DO UPDATE SET name = excluded.name,"
                                " removed_ms = NULL",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, nm, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now_ms);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return recdb_rc(rc);
}

kiosk_rc hub_db_device_remove(hub_db *db, const uint8_t public_key[32])
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db,
                                "UPDATE devices SET removed_ms = strftime('%s', 'now') * 1000"
                                " WHERE public_key = ? AND removed_ms IS NULL",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE && sqlite3_changes(db->db) == 0)
        return KIOSK_NOT_FOUND;
    return recdb_rc(rc);
}

kiosk_rc hub_db_device_known(hub_db *db, const uint8_t public_key[32])
{
    sqlite3_stmt *st = db->st[ST_DEVICE_KNOWN];
    sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    done(st);
    if (rc == SQLITE_ROW)
        return KIOSK_OK;
    return rc == SQLITE_DONE ? KIOSK_NOT_FOUND : recdb_rc(rc);
}

static void fill_device(sqlite3_stmt *st, hub_device *d)
{
    memset(d, 0, sizeof *d);
    if (sqlite3_column_bytes(st, 0) == 32)
        memcpy(d->public_key, sqlite3_column_blob(st, 0), 32);
    const unsigned char *t = sqlite3_column_text(st, 1);
    snprintf(d->name, sizeof d->name, "%s", t ? (const char *)t : "");
    d->added_ms = sqlite3_column_int64(st, 2);
    d->removed = sqlite3_column_type(st, 3) != SQLITE_NULL;
    d->records = sqlite3_column_int64(st, 4);
    d->max_seq = sqlite3_column_int64(st, 5);
}

#define DEVICE_SELECT                                                                              \
    "SELECT d.public_key, d.name, d.added_ms, d.removed_ms,"                                       \
    " (SELECT count(*) FROM records r WHERE r.device = d.public_key),"                             \
    " (SELECT coalesce(max(seq), 0) FROM records r WHERE r.device = d.public_key)"                 \
    " FROM devices d"

kiosk_rc hub_db_device_list(hub_db *db, hub_device **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db, DEVICE_SELECT " ORDER BY d.public_key", -1, &st, NULL);
    hub_device *list = NULL;
    size_t count = 0, cap = 0;
    kiosk_rc k = KIOSK_OK;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            hub_device *grown = realloc(list, ncap * sizeof *grown);
            if (!grown) {
                k = KIOSK_NOMEM;
                break;
            }
            list = grown;
            cap = ncap;
        }
        fill_device(st, &list[count++]);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (k == KIOSK_OK)
        k = recdb_rc(rc);
    if (k != KIOSK_OK) {
        free(list);
        return k;
    }
    if (count == 0) {
        free(list);
        list = NULL;
    }
    *out = list;
    *n = count;
    return KIOSK_OK;
}

kiosk_rc hub_db_device_counts(hub_db *db, const uint8_t public_key[32], int64_t *records,
                              int64_t *max_seq)
{
    *records = 0;
    *max_seq = 0;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db, DEVICE_SELECT " WHERE d.public_key = ?", -1, &st, NULL);
    kiosk_rc k = KIOSK_NOT_FOUND;
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *records = sqlite3_column_int64(st, 4);
            *max_seq = sqlite3_column_int64(st, 5);
            k = KIOSK_OK;
        } else if (rc != SQLITE_DONE) {
            k = recdb_rc(rc);
        }
    } else {
        k = recdb_rc(rc);
    }
    sqlite3_finalize(st);
    return k;
}

/* ---- ingest ---------------------------------------------------------------------- */

static void set_result(sync_result *res, const sync_record *r, sync_status status,
                       const char *reason)
{
    memset(res, 0, sizeof *res);
    snprintf(res->uuid, sizeof res->uuid, "%.*s", SYNC_UUID_LEN, r->uuid);
    res->status = status;
    snprintf(res->reason, sizeof res->reason, "%s", reason);
}

/* The decision names the sealed bytes it was about (computed once, for the signature). */
static void set_hash(sync_result *res, const uint8_t hash[32])
{
    memcpy(res->sealed_sha256, hash, 32);
    res->has_sealed_sha256 = 1;
}

/* The checks that need no database: shape, then the record's signature over its uuid, seq,
 * epoch (epoch_given; NULL for a record of version 1) and sealed bytes (the costly part: an
 * Ed25519 verification and a SHA-256 each). NULL when the record may be stored, with hash
 * its sealed bytes' SHA-256; else the reason, hashed (*hashed 1) when the signature was
 * reached. Any thread. */
static const char *check_one(const uint8_t device_pk[32], const uint8_t *epoch_given,
                             const sync_record *r, uint8_t hash[32], int *hashed)
{
    *hashed = 0;
    if (strnlen(r->uuid, sizeof r->uuid) != SYNC_UUID_LEN || !sync_uuid_valid(r->uuid))
        return "bad_uuid";
    if (r->seq < 1 || !r->sealed || r->sealed_len == 0 || r->sealed_len > SYNC_MAX_SEALED)
        return "bad_seq";
    *hashed = 1;
    if (!sync_record_verify_epoch(r, epoch_given, device_pk, hash))
        return "bad_record_signature";
    return NULL;
}

/* Keep a refused record (its signature checked) for staff to reconcile. */
static kiosk_rc keep_refused(hub_db *db, const uint8_t device_pk[32], const uint8_t epoch[16],
                             const sync_record *r, const uint8_t hash[32], const char *reason,
                             const char *source, int64_t now_ms)
{
    sqlite3_stmt *st = db->st[ST_RECONCILE];
    sqlite3_bind_blob(st, 1, device_pk, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, epoch, 16, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, r->seq);
    sqlite3_bind_blob64(st, 5, r->sealed, r->sealed_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, r->sig, 64, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now_ms);
    sqlite3_bind_text(st, 10, source, -1, SQLITE_STATIC);
    int rc = step_reset(st);
    return rc == SQLITE_DONE ? KIOSK_OK : recdb_rc(rc);
}

/* Decide one checked record inside the open transaction. Returns KIOSK_OK with res
 * filled, or a database error (the caller rolls back the batch). */
static kiosk_rc ingest_one(hub_db *db, const uint8_t device_pk[32], const uint8_t *epoch_given,
                           const sync_record *r, const char *refused, const uint8_t hash[32],
                           int hashed, const char *source, int64_t now_ms, sync_result *res)
{
    const uint8_t *epoch = epoch_given ? epoch_given : legacy_epoch;
    if (refused) {
        set_result(res, r, SYNC_REJECTED, refused);
        if (hashed)
            set_hash(res, hash);
        return KIOSK_OK;
    }

    sqlite3_stmt *st = db->st[ST_FIND_UUID];
    sqlite3_bind_text(st, 1, r->uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int same = sqlite3_column_bytes(st, 0) == 32 &&
                   memcmp(sqlite3_column_blob(st, 0), device_pk, 32) == 0 &&
                   sqlite3_column_int64(st, 1) == r->seq && sqlite3_column_bytes(st, 2) == 32 &&
                   memcmp(sqlite3_column_blob(st, 2), hash, 32) == 0;
        done(st);
        set_result(res, r, same ? SYNC_DUPLICATE : SYNC_REJECTED, same ? "" : "uuid_conflict");
        set_hash(res, hash);
        return same ? KIOSK_OK
                    : keep_refused(db, device_pk, epoch, r, hash, "uuid_conflict", source, now_ms);
    }
    done(st);
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);

    st = db->st[ST_FIND_SEQ];
    sqlite3_bind_blob(st, 1, device_pk, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, epoch, 16, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, r->seq);
    rc = sqlite3_step(st);
    done(st);
    if (rc == SQLITE_ROW) {
        set_result(res, r, SYNC_REJECTED, "seq_conflict");
        set_hash(res, hash);
        return keep_refused(db, device_pk, epoch, r, hash, "seq_conflict", source, now_ms);
    }
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);

    st = db->st[ST_INSERT];
    sqlite3_bind_text(st, 1, r->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, device_pk, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, r->seq);
    sqlite3_bind_blob64(st, 4, r->sealed, r->sealed_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, r->sig, 64, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, now_ms);
    sqlite3_bind_text(st, 8, source, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, epoch, 16, SQLITE_STATIC);
    rc = step_reset(st);
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);
    set_result(res, r, SYNC_ACCEPTED, "");
    set_hash(res, hash);
    return KIOSK_OK;
}

/* ---- the checks of a batch, beside the inserts --------------------------------------
 * A record's signature check costs more than its insert (49 us against about 40 us here),
 * so helper threads check the batch while this thread stores the records already checked,
 * in order. Nothing is stored before its own check has passed; the transaction and every
 * statement stay on the calling thread. */
#define CHECK_THREADS_MAX 4
#define CHECK_MIN_RECORDS 16 /* below this, threads cost more than they save */

typedef struct checked {
    const char *refused;
    uint8_t hash[32];
    int hashed;
} checked;

typedef struct checker {
    const uint8_t *device_pk;
    const uint8_t *epoch; /* NULL: records of version 1 */
    const sync_record *recs;
    checked *out;
    size_t n;
    size_t next;   /* the next record a helper takes (under mu) */
    size_t *ready; /* per record: 1 once checked (under mu) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} checker;

static void *check_helper(void *arg)
{
    checker *k = arg;
    for (;;) {
        pthread_mutex_lock(&k->mu);
        size_t i = k->next < k->n ? k->next++ : k->n;
        pthread_mutex_unlock(&k->mu);
        if (i == k->n)
            return NULL;
        checked c;
        c.refused = check_one(k->device_pk, k->epoch, &k->recs[i], c.hash, &c.hashed);
        pthread_mutex_lock(&k->mu);
        k->out[i] = c;
        k->ready[i] = 1;
        pthread_cond_broadcast(&k->cv);
        pthread_mutex_unlock(&k->mu);
    }
}

static size_t check_threads(size_t n)
{
    if (n < CHECK_MIN_RECORDS)
        return 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 2 ? 1 : cpus > CHECK_THREADS_MAX ? CHECK_THREADS_MAX : (size_t)cpus;
}

static kiosk_rc ingest_all(hub_db *db, const uint8_t device_pk[32], const uint8_t *epoch,
                           const sync_record *recs, size_t n, const char *source, int64_t now_ms,
                           sync_result *results)
{
    size_t nt = check_threads(n);
    checked *out = nt ? calloc(n, sizeof *out) : NULL;
    size_t *ready = nt ? calloc(n, sizeof *ready) : NULL;
    checker k = {
        .device_pk = device_pk, .epoch = epoch, .recs = recs, .out = out, .n = n, .ready = ready};
    pthread_t th[CHECK_THREADS_MAX];
    size_t started = 0;
    if (out && ready && pthread_mutex_init(&k.mu, NULL) == 0) {
        if (pthread_cond_init(&k.cv, NULL) == 0) {
            while (started < nt && pthread_create(&th[started], NULL, check_helper, &k) == 0)
                started++;
            if (!started)
                pthread_cond_destroy(&k.cv);
        }
        if (!started)
            pthread_mutex_destroy(&k.mu);
    }
    kiosk_rc rc = KIOSK_OK;
    for (size_t i = 0; rc == KIOSK_OK && i < n; i++) {
        checked c;
        if (started) {
            pthread_mutex_lock(&k.mu);
            while (!ready[i])
                pthread_cond_wait(&k.cv, &k.mu);
            c = out[i];
            pthread_mutex_unlock(&k.mu);
        } else {
            c.refused = check_one(device_pk, epoch, &recs[i], c.hash, &c.hashed);
        }
        rc = ingest_one(db, device_pk, epoch, &recs[i], c.refused, c.hash, c.hashed, source, now_ms,
                        &results[i]);
    }
    if (started) {
        pthread_mutex_lock(&k.mu);
        k.next = n; /* a database error stops the checks still to come */
        pthread_mutex_unlock(&k.mu);
        for (size_t t = 0; t < started; t++)
            pthread_join(th[t], NULL);
        pthread_cond_destroy(&k.cv);
        pthread_mutex_destroy(&k.mu);
    }
    free(out);
    free(ready);
    return rc;
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
    if (!db || !device_pk || (n && (!recs || !results)) || !source ||
        (strcmp(source, "http") != 0 && strcmp(source, "bundle") != 0))
        return KIOSK_INVALID;
    checkpointer_start(db);
    kiosk_rc rc = recdb_rc(step_reset(db->st[ST_BEGIN]));
    if (rc != KIOSK_OK)
        return rc;
    rc = hub_db_device_known(db, device_pk);
    if (rc == KIOSK_OK)
        rc = ingest_all(db, device_pk, epoch, recs, n, source, now_ms, results);
    if (rc == KIOSK_OK)
        rc = recdb_rc(step_reset(db->st[ST_COMMIT]));
    if (rc != KIOSK_OK) {
        step_reset(db->st[ST_ROLLBACK]);
        if (rc != KIOSK_NOT_FOUND)
            kiosk_log_error("hub_db", "ingest of %zu records rolled back: %s", n,
                            kiosk_strerror(rc));
    }
    return rc;
}

/* ---- replay protection ----------------------------------------------------------- */

kiosk_rc hub_db_seen_request(hub_db *db, const uint8_t signature[64], int64_t now_ms, int remember,
                             int *seen)
{
    *seen = 0;
    int64_t horizon = now_ms - 2 * (int64_t)SYNC_SKEW_MS;
    sqlite3_stmt *st = db->st[ST_SEEN_PRUNE];
    sqlite3_bind_int64(st, 1, horizon);
    int rc = step_reset(st);
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);
    st = db->st[ST_SEEN_FIND];
    sqlite3_bind_blob(st, 1, signature, 64, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, horizon);
    rc = sqlite3_step(st);
    done(st);
    if (rc == SQLITE_ROW) {
        *seen = 1;
        return KIOSK_OK;
    }
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);
    if (!remember)
        return KIOSK_OK;
    /* Remembered without an fsync of its own (synchronous NORMAL for this one commit): the
     * next commit's fsync, or a checkpoint, makes it durable. A power cut before then
     * forgets it, and a replay of the request is answered with duplicates, storing
     * nothing: the records it carried were committed (and synced) before this. */
    sqlite3_exec(db->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    st = db->st[ST_SEEN_INSERT];
    sqlite3_bind_blob(st, 1, signature, 64, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_ms);
    rc = step_reset(st);
    sqlite3_exec(db->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    return recdb_rc(rc);
}

/* ---- gaps and walking -------------------------------------------------------------- */

kiosk_rc hub_db_gaps(hub_db *db, const uint8_t public_key[32], hub_gap **gaps, size_t *n)
{
    *gaps = NULL;
    *n = 0;
    int64_t records, max_seq;
    kiosk_rc k = hub_db_device_counts(db, public_key, &records, &max_seq);
    if (k != KIOSK_OK)
        return k;
    sqlite3_stmt *st;
    /* per epoch: the device's first epoch (the one holding its lowest seq) from seq 1, a
     * later one from its first seq held (an epoch begins past the numbers before it, or in
     * a block of its own: the seqs below are not its to miss) */
    int rc = sqlite3_prepare_v2(db->db,
                                "SELECT r.epoch, r.seq, r.epoch = (SELECT epoch FROM records"
                                " WHERE device = ?1 ORDER BY seq LIMIT 1) FROM records r"
                                " WHERE r.device = ?1 ORDER BY r.epoch, r.seq",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
    hub_gap *list = NULL;
    size_t count = 0, cap = 0;
    int64_t expect = 1;
    uint8_t epoch[16];
    int have_epoch = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 1);
        rc = SQLITE_OK;
        if (sqlite3_column_bytes(st, 0) != 16) {
            k = KIOSK_CORRUPT;
            break;
        }
        if (!have_epoch || memcmp(epoch, sqlite3_column_blob(st, 0), 16) != 0) {
            memcpy(epoch, sqlite3_column_blob(st, 0), 16);
            have_epoch = 1;
            expect = sqlite3_column_int(st, 2) ? 1 : seq;
        }
        if (seq > expect) {
            if (count == cap) {
                size_t ncap = cap ? 2 * cap : 8;
                hub_gap *grown = realloc(list, ncap * sizeof *grown);
                if (!grown) {
                    k = KIOSK_NOMEM;
                    break;
                }
                list = grown;
                cap = ncap;
            }
            list[count].first = expect;
            list[count].last = seq - 1;
            memcpy(list[count].epoch, epoch, 16);
            count++;
        }
        if (seq >= expect)
            expect = seq + 1;
    }
    sqlite3_finalize(st);
    if (k == KIOSK_OK)
        k = recdb_rc(rc);
    if (k != KIOSK_OK || count == 0) {
        free(list);
        return k;
    }
    *gaps = list;
    *n = count;
    return KIOSK_OK;
}

kiosk_rc hub_db_foreach_record(hub_db *db, hub_db_record_cb cb, void *ctx)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db,
                                "SELECT device, uuid, seq, sealed, sig, received_ms, source"
                                " FROM records ORDER BY device, seq",
                                -1, &st, NULL);
    kiosk_rc k = KIOSK_OK;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (sqlite3_column_bytes(st, 0) != 32 || sqlite3_column_bytes(st, 4) != 64) {
            k = KIOSK_CORRUPT;
            break;
        }
        hub_db_record r = {
            .device = sqlite3_column_blob(st, 0),
            .uuid = (const char *)sqlite3_column_text(st, 1),
            .seq = sqlite3_column_int64(st, 2),
            .sealed = sqlite3_column_blob(st, 3),
            .sealed_len = (size_t)sqlite3_column_bytes(st, 3),
            .sig = sqlite3_column_blob(st, 4),
            .received_ms = sqlite3_column_int64(st, 5),
            .source = (const char *)sqlite3_column_text(st, 6),
        };
        if (!r.uuid || !r.source || !r.sealed) {
            k = KIOSK_CORRUPT;
            break;
        }
        k = cb(ctx, &r);
        if (k != KIOSK_OK)
            break;
    }
    sqlite3_finalize(st);
    if (k == KIOSK_OK)
        k = recdb_rc(rc);
    return k;
}

kiosk_rc hub_db_device_results(hub_db *db, const uint8_t public_key[32], size_t max,
                               sync_result **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int64_t records = 0, max_seq = 0;
    kiosk_rc k = hub_db_device_counts(db, public_key, &records, &max_seq);
    if (k != KIOSK_OK)
        return k;
    size_t cap = (size_t)records < max ? (size_t)records : max;
    if (cap == 0)
        return KIOSK_OK;
    sync_result *res = calloc(cap, sizeof *res);
    if (!res)
        return KIOSK_NOMEM;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db,
                                "SELECT uuid, sealed_sha256 FROM records WHERE device = ?"
                                " ORDER BY seq DESC LIMIT ?",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)cap);
    }
    size_t got = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        const char *uuid = (const char *)sqlite3_column_text(st, 0);
        if (got == cap || !uuid || strlen(uuid) != SYNC_UUID_LEN ||
            sqlite3_column_bytes(st, 1) != 32) {
            k = KIOSK_CORRUPT;
            break;
        }
        memcpy(res[got].uuid, uuid, SYNC_UUID_LEN + 1);
        res[got].status = SYNC_ACCEPTED;
        res[got].has_sealed_sha256 = 1;
        memcpy(res[got].sealed_sha256, sqlite3_column_blob(st, 1), 32);
        got++;
    }
    sqlite3_finalize(st);
    if (k == KIOSK_OK)
        k = recdb_rc(rc);
    if (k != KIOSK_OK) {
        free(res);
        return k;
    }
    *out = res;
    *n = got;
    return KIOSK_OK;
}

/* ---- the high-water mark ------------------------------------------------------------ */

kiosk_rc hub_db_mark(hub_db *db, const uint8_t public_key[32], const sync_head *given,
                     int64_t now_ms, sync_mark *out)
{
    return hub_db_mark_epoch(db, public_key, NULL, given, now_ms, out);
}

/* KIOSK_OK when the device was ever registered (removed or not), else KIOSK_NOT_FOUND,
 * as hub_db_device_counts says without counting. */
static kiosk_rc device_exists(hub_db *db, const uint8_t public_key[32])
{
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(db->db, "SELECT 1 FROM devices WHERE public_key = ?", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? KIOSK_OK : rc == SQLITE_DONE ? KIOSK_NOT_FOUND : recdb_rc(rc);
}

kiosk_rc hub_db_mark_epoch(hub_db *db, const uint8_t public_key[32], const uint8_t *epoch,
                           const sync_head *given, int64_t now_ms, sync_mark *out)
{
    memset(out, 0, sizeof *out);
    int64_t records;
    /* with an epoch, only that the device exists: counting its rows would cost a walk of
     * its index entries on every request (O(backlog) a batch) */
    kiosk_rc k = epoch ? device_exists(db, public_key)
                       : hub_db_device_counts(db, public_key, &records, &out->max_seq);
    if (k != KIOSK_OK)
        return k;
    sqlite3_stmt *st;
    int rc;
    if (epoch) {
        /* the mark of that epoch; legacy rows count too (their epoch is not known, and a
         * unit that went back behind them must hear of it) */
        rc = sqlite3_prepare_v2(db->db,
                                "SELECT max(coalesce((SELECT max(seq) FROM records"
                                " WHERE device = ?1 AND epoch = ?2), 0),"
                                " coalesce((SELECT max(seq) FROM records"
                                " WHERE device = ?1 AND epoch = ?3), 0))",
                                -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
            sqlite3_bind_blob(st, 2, epoch, 16, SQLITE_STATIC);
            sqlite3_bind_blob(st, 3, legacy_epoch, 16, SQLITE_STATIC);
            rc = sqlite3_step(st);
            if (rc == SQLITE_ROW)
                out->max_seq = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            return recdb_rc(rc);
        out->has_epoch = 1;
        memcpy(out->epoch, epoch, 16);
    }
    rc = sqlite3_prepare_v2(
        db->db, "SELECT audit_id, audit_hash FROM device_heads WHERE device = ?", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
            out->audit_id = sqlite3_column_int64(st, 0);
            memcpy(out->audit_hash, sqlite3_column_blob(st, 1), 32);
        }
        rc = rc == SQLITE_ROW ? SQLITE_DONE : rc;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);
    out->present = 1;
    /* the stored head only moves forward: a unit whose log went back gets the later
     * head it once gave, until its own log passes it */
    if (!given || !given->present || given->audit_id <= out->audit_id)
        return KIOSK_OK;
    rc = sqlite3_prepare_v2(db->db,
                            "INSERT INTO device_heads(device, audit_id, audit_hash, updated_ms)"
                            " VALUES(?, ?, ?, ?) ON CONFLICT(device) DO UPDATE SET"
                            " audit_id = excluded.audit_id, audit_hash = excluded.audit_hash,"
                            " updated_ms = excluded.updated_ms",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, given->audit_id);
        sqlite3_bind_blob(st, 3, given->audit_hash, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now_ms);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return recdb_rc(rc);
}

/* ---- kiosk events ------------------------------------------------------------------ */

kiosk_rc hub_db_events_add(hub_db *db, const uint8_t public_key[32], const sync_event *events,
                           size_t n, int64_t now_ms)
{
    kiosk_rc k = hub_db_device_known(db, public_key);
    if (k != KIOSK_OK || n == 0)
        return k;
    sqlite3_stmt *st = NULL;
    int rc = step_reset(db->st[ST_BEGIN]);
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);
    rc = sqlite3_prepare_v2(db->db,
                            "INSERT INTO events(device, seq, kind, step, hall_code, at_ms,"
                            " received_ms) VALUES(?, ?, ?, ?, ?, ?, ?)"
                            " ON CONFLICT(device, seq, at_ms) DO NOTHING",
                            -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, events[i].seq);
        sqlite3_bind_text(st, 3, events[i].kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, events[i].step, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, events[i].hall_code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, events[i].at_ms);
        sqlite3_bind_int64(st, 7, now_ms);
        rc = step_reset(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK) {
        rc = step_reset(db->st[ST_COMMIT]);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK) {
        kiosk_log_error("hub", "cannot store events: %s", sqlite3_errmsg(db->db));
        step_reset(db->st[ST_ROLLBACK]);
        return recdb_rc(rc);
    }
    return KIOSK_OK;
}

kiosk_rc hub_db_foreach_event(hub_db *db, int64_t since_ms, hub_db_event_cb cb, void *ctx)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db,
                                "SELECT e.device, coalesce(d.name, ''), e.seq, e.kind, e.step,"
                                " e.hall_code, e.at_ms, e.received_ms FROM events e"
                                " LEFT JOIN devices d ON d.public_key = e.device"
                                " WHERE e.received_ms >= ? ORDER BY e.received_ms, e.device, e.seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return recdb_rc(rc);
    sqlite3_bind_int64(st, 1, since_ms);
    kiosk_rc k = KIOSK_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hub_db_event e = {
            .device = sqlite3_column_blob(st, 0),
            .device_name = (const char *)sqlite3_column_text(st, 1),
            .seq = sqlite3_column_int64(st, 2),
            .kind = (const char *)sqlite3_column_text(st, 3),
            .step = (const char *)sqlite3_column_text(st, 4),
            .hall_code = (const char *)sqlite3_column_text(st, 5),
            .at_ms = sqlite3_column_int64(st, 6),
            .received_ms = sqlite3_column_int64(st, 7),
        };
        if (!e.device || sqlite3_column_bytes(st, 0) != 32)
            continue;
        k = cb(ctx, &e);
        if (k != KIOSK_OK)
            break;
    }
    sqlite3_finalize(st);
    if (k == KIOSK_OK && rc != SQLITE_DONE)
        k = recdb_rc(rc);
    return k;
}

kiosk_rc hub_db_event_count(hub_db *db, const char *kind, int64_t since_ms, int64_t *count)
{
    *count = 0;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        db->db, "SELECT count(*) FROM events WHERE kind = ? AND received_ms >= ?", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return recdb_rc(rc);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since_ms);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? KIOSK_OK : recdb_rc(rc);
}

/* ---- unit health reports ------------------------------------------------------------ */

kiosk_rc hub_db_health_prune(hub_db *db, int64_t before_ms, int64_t *removed)
{
    if (removed)
        *removed = 0;
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(db->db, "DELETE FROM unit_health WHERE received_ms < ?", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return recdb_rc(rc);
    sqlite3_bind_int64(st, 1, before_ms);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE && removed)
        *removed = sqlite3_changes(db->db);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? KIOSK_OK : recdb_rc(rc);
}

kiosk_rc hub_db_health_add(hub_db *db, const uint8_t public_key[32], const health_report *r,
                           const char *source, int64_t now_ms, int *added)
{
    if (added)
        *added = 0;
    kiosk_rc k = hub_db_device_known(db, public_key);
    if (k != KIOSK_OK)
        return k;
    sqlite3_stmt *st = NULL;
    int rc = step_reset(db->st[ST_BEGIN]);
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);
    rc = sqlite3_prepare_v2(
        db->db,
        "INSERT INTO unit_health(device, seq, at_ms, received_ms, source, version, uptime_s,"
        " reader, printer, disk_free_bytes, disk_free_pct, battery_pct, power, backlog,"
        " sessions, median_taps, help_requests, epoch, update_version, update_result,"
        " update_at_ms, update_detail) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
        " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"
        " ON CONFLICT(device, seq, at_ms) DO NOTHING",
        -1, &st, NULL);
    int changed = 0;
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, r->seq);
        sqlite3_bind_int64(st, 3, r->at_ms);
        sqlite3_bind_int64(st, 4, now_ms);
        sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, r->version, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, r->uptime_s);
        sqlite3_bind_text(st, 8, health_reader_name(r->reader), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, health_printer_name(r->printer), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 10, r->disk_free_bytes);
        sqlite3_bind_int(st, 11, r->disk_free_pct);
        sqlite3_bind_int(st, 12, r->battery_pct);
        sqlite3_bind_text(st, 13, health_power_name(r->power), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 14, r->backlog);
        sqlite3_bind_int64(st, 15, r->sessions);
        sqlite3_bind_int64(st, 16, r->median_taps);
        sqlite3_bind_int64(st, 17, r->help_requests);
        sqlite3_bind_blob(st, 18, r->epoch, 16, SQLITE_STATIC);
        if (r->has_update) {
            sqlite3_bind_text(st, 19, r->update.version, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 20, health_update_result_name(r->update.result), -1,
                              SQLITE_STATIC);
            sqlite3_bind_int64(st, 21, r->update.at_ms);
            sqlite3_bind_text(st, 22, r->update.detail, -1, SQLITE_STATIC);
        }
        rc = sqlite3_step(st);
        changed = rc == SQLITE_DONE ? sqlite3_changes(db->db) : 0;
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK) {
        sqlite3_stmt *del = NULL;
        rc = sqlite3_prepare_v2(db->db, "DELETE FROM unit_health WHERE received_ms < ?", -1, &del,
                                NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(del, 1, now_ms - HUB_HEALTH_RETENTION_MS);
            rc = sqlite3_step(del);
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
        sqlite3_finalize(del);
    }
    if (rc == SQLITE_OK) {
        rc = step_reset(db->st[ST_COMMIT]);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK) {
        kiosk_log_error("hub", "cannot store a health report: %s", sqlite3_errmsg(db->db));
        step_reset(db->st[ST_ROLLBACK]);
        return recdb_rc(rc);
    }
    if (added)
        *added = changed > 0;
    return KIOSK_OK;
}

#define HEALTH_COLUMNS                                                                             \
    "h.device, coalesce(d.name, ''), h.received_ms, h.source, h.seq, h.at_ms, h.version,"          \
    " h.uptime_s, h.reader, h.printer, h.disk_free_bytes, h.disk_free_pct, h.battery_pct,"         \
    " h.power, h.backlog, h.sessions, h.median_taps, h.help_requests, h.epoch,"                    \
    " h.update_version, h.update_result, h.update_at_ms, h.update_detail"

static void health_text(sqlite3_stmt *st, int col, char *out, size_t size)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    snprintf(out, size, "%s", s ? (const char *)s : "");
}

kiosk_rc hub_sqlite_health_walk(hub_db *db, int latest, const uint8_t *pk, int64_t since_ms,
                                hub_db_health_cb cb, void *ctx);
kiosk_rc hub_sqlite_health_walk(hub_db *db, int latest, const uint8_t *pk, int64_t since_ms,
                                hub_db_health_cb cb, void *ctx)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        db->db,
        latest ? "SELECT " HEALTH_COLUMNS " FROM unit_health h"
                 " LEFT JOIN devices d ON d.public_key = h.device"
                 " WHERE NOT EXISTS(SELECT 1 FROM unit_health n WHERE n.device = h.device AND"
                 " (n.at_ms > h.at_ms OR (n.at_ms = h.at_ms AND (n.received_ms > h.received_ms"
                 " OR (n.received_ms = h.received_ms AND n.seq > h.seq)))))"
                 " ORDER BY coalesce(d.name, ''), h.device"
               : "SELECT " HEALTH_COLUMNS " FROM unit_health h"
                 " LEFT JOIN devices d ON d.public_key = h.device"
                 " WHERE (?1 IS NULL OR h.device = ?1) AND h.received_ms >= ?2"
                 " ORDER BY h.device, h.at_ms, h.seq",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        return recdb_rc(rc);
    if (!latest) {
        if (pk)
            sqlite3_bind_blob(st, 1, pk, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, since_ms);
    }
    kiosk_rc k = KIOSK_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != 32 || sqlite3_column_bytes(st, 18) != 16)
            continue;
        hub_db_health h = {
            .device = sqlite3_column_blob(st, 0),
            .device_name = (const char *)sqlite3_column_text(st, 1),
            .received_ms = sqlite3_column_int64(st, 2),
            .source = (const char *)sqlite3_column_text(st, 3),
        };
        health_report *r = &h.report;
        r->seq = sqlite3_column_int64(st, 4);
        r->at_ms = sqlite3_column_int64(st, 5);
        health_text(st, 6, r->version, sizeof r->version);
        r->uptime_s = sqlite3_column_int64(st, 7);
        int ok = health_reader_parse((const char *)sqlite3_column_text(st, 8), &r->reader) &&
                 health_printer_parse((const char *)sqlite3_column_text(st, 9), &r->printer);
        r->disk_free_bytes = sqlite3_column_int64(st, 10);
        r->disk_free_pct = sqlite3_column_int(st, 11);
        r->battery_pct = sqlite3_column_int(st, 12);
        ok = ok && health_power_parse((const char *)sqlite3_column_text(st, 13), &r->power);
        r->backlog = sqlite3_column_int64(st, 14);
        r->sessions = sqlite3_column_int64(st, 15);
        r->median_taps = sqlite3_column_int64(st, 16);
        r->help_requests = sqlite3_column_int64(st, 17);
        memcpy(r->epoch, sqlite3_column_blob(st, 18), 16);
        if (sqlite3_column_type(st, 19) != SQLITE_NULL) {
            r->has_update = 1;
            health_text(st, 19, r->update.version, sizeof r->update.version);
            ok = ok && health_update_result_parse((const char *)sqlite3_column_text(st, 20),
                                                  &r->update.result);
            r->update.at_ms = sqlite3_column_int64(st, 21);
            health_text(st, 22, r->update.detail, sizeof r->update.detail);
        }
        if (!ok || !h.device_name || !h.source)
            continue; /* a row this hub did not write */
        k = cb(ctx, &h);
        if (k != KIOSK_OK)
            break;
    }
    sqlite3_finalize(st);
    if (k == KIOSK_OK && rc != SQLITE_DONE)
        k = recdb_rc(rc);
    return k;
}

/* ---- reconciliation ----------------------------------------------------------------- */

kiosk_rc hub_db_reconcile_count(hub_db *db, int64_t *count, int64_t *seq_conflicts)
{
    *count = 0;
    if (seq_conflicts)
        *seq_conflicts = 0;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db,
                                "SELECT count(*), coalesce(sum(reason = 'seq_conflict'), 0)"
                                " FROM reconcile",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return recdb_rc(rc);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int64(st, 0);
        if (seq_conflicts)
            *seq_conflicts = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? KIOSK_OK : recdb_rc(rc);
}

/* ---- processing state (hub_db.h; arguments checked by hub_store.c) ------------------- */

static kiosk_rc sqlite_state_set(hub_db *db, const char *uuid, const char *state, const char *note,
                                 const char *actor, int64_t now_ms)
{
    int rc = step_reset(db->st[ST_BEGIN]);
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);
    static const char *const sql[] = {
        "SELECT 1 FROM records WHERE uuid = ?1",
        ("INSERT INTO record_states(uuid, state, note, changed_ms, changed_by)"
         " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(uuid) DO UPDATE SET state = excluded.state,"
         " note = excluded.note, changed_ms = excluded.changed_ms,"
         " changed_by = excluded.changed_by"),
        ("INSERT INTO record_state_history(uuid, state, note, changed_ms, changed_by)"
         " VALUES(?1, ?2, ?3, ?4, ?5)"),
    };
    kiosk_rc k = KIOSK_OK;
    for (size_t i = 0; k == KIOSK_OK && i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *st;
        rc = sqlite3_prepare_v2(db->db, sql[i], -1, &st, NULL);
        if (rc != SQLITE_OK) {
            k = recdb_rc(rc);
            break;
        }
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
        if (i > 0) {
            sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, now_ms);
            sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
        }
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (i == 0)
            k = rc == SQLITE_ROW ? KIOSK_OK : rc == SQLITE_DONE ? KIOSK_NOT_FOUND : recdb_rc(rc);
        else
            k = rc == SQLITE_DONE ? KIOSK_OK : recdb_rc(rc);
    }
    if (k == KIOSK_OK) {
        rc = step_reset(db->st[ST_COMMIT]);
        k = rc == SQLITE_DONE ? KIOSK_OK : recdb_rc(rc);
    }
    if (k != KIOSK_OK)
        step_reset(db->st[ST_ROLLBACK]);
    return k;
}

static kiosk_rc sqlite_state_get(hub_db *db, const char *uuid, hub_record_state *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db,
                                "SELECT r.device, r.received_ms, s.state, s.note, s.changed_ms,"
                                " s.changed_by FROM records r LEFT JOIN record_states s"
                                " ON s.uuid = r.uuid WHERE r.uuid = ?",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return recdb_rc(rc);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
        memcpy(out->device, sqlite3_column_blob(st, 0), 32);
        const char *state = (const char *)sqlite3_column_text(st, 2);
        if (!state) {
            out->s.state = SYNC_STATE_RECEIVED;
            out->s.changed_ms = sqlite3_column_int64(st, 1);
            snprintf(out->changed_by, sizeof out->changed_by, "hub");
        } else if (!sync_state_parse(state, &out->s.state)) {
            out->s.state = SYNC_STATE_UNKNOWN;
        } else {
            snprintf(out->s.note, sizeof out->s.note, "%s",
                     (const char *)sqlite3_column_text(st, 3));
            out->s.changed_ms = sqlite3_column_int64(st, 4);
            snprintf(out->changed_by, sizeof out->changed_by, "%s",
                     (const char *)sqlite3_column_text(st, 5));
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? KIOSK_OK : recdb_rc(rc);
}

static kiosk_rc sqlite_state_history(hub_db *db, const char *uuid, hub_db_state_cb cb, void *ctx)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db,
                                "SELECT state, note, changed_ms, changed_by FROM"
                                " record_state_history WHERE uuid = ? ORDER BY id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return recdb_rc(rc);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    kiosk_rc k = KIOSK_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hub_db_state_change c = {
            .uuid = uuid,
            .state = (const char *)sqlite3_column_text(st, 0),
            .note = (const char *)sqlite3_column_text(st, 1),
            .changed_ms = sqlite3_column_int64(st, 2),
            .changed_by = (const char *)sqlite3_column_text(st, 3),
        };
        k = cb(ctx, &c);
        if (k != KIOSK_OK)
            break;
    }
    sqlite3_finalize(st);
    if (k == KIOSK_OK && rc != SQLITE_DONE)
        k = recdb_rc(rc);
    return k;
}

/* ---- the table of operations ----------------------------------------------------------- */

const char *hub_db_check_record(const uint8_t device_pk[32], const uint8_t *epoch_given,
                                const sync_record *r, uint8_t hash[32], int *hashed)
{
    return check_one(device_pk, epoch_given, r, hash, hashed);
}

kiosk_rc hub_sqlite_open_impl(const char *path, void **impl)
{
    hub_sqlite *db = NULL;
    kiosk_rc rc = hub_sqlite_open(path, &db);
    *impl = db;
    return rc;
}

static void op_close(void *impl)
{
    hub_sqlite_close(impl);
}
static kiosk_rc op_device_add(void *impl, const uint8_t pk[32], const char *name, int64_t now_ms)
{
    return hub_sqlite_device_add(impl, pk, name, now_ms);
}
static kiosk_rc op_device_remove(void *impl, const uint8_t pk[32])
{
    return hub_sqlite_device_remove(impl, pk);
}
static kiosk_rc op_device_known(void *impl, const uint8_t pk[32])
{
    return hub_sqlite_device_known(impl, pk);
}
static kiosk_rc op_device_list(void *impl, hub_device **out, size_t *n)
{
    return hub_sqlite_device_list(impl, out, n);
}
static kiosk_rc op_device_counts(void *impl, const uint8_t pk[32], int64_t *records,
                                 int64_t *max_seq)
{
    return hub_sqlite_device_counts(impl, pk, records, max_seq);
}
static kiosk_rc op_ingest_epoch(void *impl, const uint8_t pk[32], const uint8_t *epoch,
                                const sync_record *recs, size_t n, const char *source,
                                int64_t now_ms, sync_result *results)
{
    return hub_sqlite_ingest_epoch(impl, pk, epoch, recs, n, source, now_ms, results);
}
static kiosk_rc op_reconcile_count(void *impl, int64_t *count, int64_t *seq_conflicts)
{
    return hub_sqlite_reconcile_count(impl, count, seq_conflicts);
}
static kiosk_rc op_seen_request(void *impl, const uint8_t signature[64], int64_t now_ms,
                                int remember, int *seen)
{
    return hub_sqlite_seen_request(impl, signature, now_ms, remember, seen);
}
static kiosk_rc op_mark_epoch(void *impl, const uint8_t pk[32], const uint8_t *epoch,
                              const sync_head *given, int64_t now_ms, sync_mark *out)
{
    return hub_sqlite_mark_epoch(impl, pk, epoch, given, now_ms, out);
}
static kiosk_rc op_gaps(void *impl, const uint8_t pk[32], hub_gap **gaps, size_t *n)
{
    return hub_sqlite_gaps(impl, pk, gaps, n);
}
static kiosk_rc op_foreach_record(void *impl, hub_db_record_cb cb, void *ctx)
{
    return hub_sqlite_foreach_record(impl, cb, ctx);
}
static kiosk_rc op_device_results(void *impl, const uint8_t pk[32], size_t max, sync_result **out,
                                  size_t *n)
{
    return hub_sqlite_device_results(impl, pk, max, out, n);
}
static kiosk_rc op_events_add(void *impl, const uint8_t pk[32], const sync_event *events, size_t n,
                              int64_t now_ms)
{
    return hub_sqlite_events_add(impl, pk, events, n, now_ms);
}
static kiosk_rc op_foreach_event(void *impl, int64_t since_ms, hub_db_event_cb cb, void *ctx)
{
    return hub_sqlite_foreach_event(impl, since_ms, cb, ctx);
}
static kiosk_rc op_event_count(void *impl, const char *kind, int64_t since_ms, int64_t *count)
{
    return hub_sqlite_event_count(impl, kind, since_ms, count);
}
static kiosk_rc op_health_add(void *impl, const uint8_t pk[32], const health_report *r,
                              const char *source, int64_t now_ms, int *added)
{
    return hub_sqlite_health_add(impl, pk, r, source, now_ms, added);
}
static kiosk_rc op_health_walk(void *impl, int latest, const uint8_t *pk, int64_t since_ms,
                               hub_db_health_cb cb, void *ctx)
{
    return hub_sqlite_health_walk(impl, latest, pk, since_ms, cb, ctx);
}
static kiosk_rc op_health_prune(void *impl, int64_t before_ms, int64_t *removed)
{
    return hub_sqlite_health_prune(impl, before_ms, removed);
}

static kiosk_rc sqlite_meta_put(hub_db *db, const sync_record *recs, const sync_result *results,
                                size_t n)
{
    int rc = step_reset(db->st[ST_BEGIN]);
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);
    sqlite3_stmt *st;
    rc = sqlite3_prepare_v2(db->db,
                            "INSERT INTO record_meta(uuid, device, record_type, receipt_no)"
                            " SELECT uuid, device, ?2, ?3 FROM records WHERE uuid = ?1"
                            " ON CONFLICT(uuid) DO NOTHING",
                            -1, &st, NULL);
    int held = 0;
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        if (!recs[i].record_type[0] || (results && results[i].status == SYNC_REJECTED))
            continue;
        sqlite3_bind_text(st, 1, recs[i].uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, recs[i].record_type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, recs[i].receipt_no, -1, SQLITE_STATIC);
        rc = step_reset(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        held += sqlite3_changes(db->db) == 1;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK) {
        rc = step_reset(db->st[ST_COMMIT]);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK) {
        step_reset(db->st[ST_ROLLBACK]);
        return recdb_rc(rc);
    }
    if (n != 1 || held)
        return KIOSK_OK;
    hub_record_state h;
    memset(&h, 0, sizeof h);
    kiosk_rc k = sqlite_state_get(db, recs[0].uuid, &h);
    return k != KIOSK_OK ? k : h.s.state == SYNC_STATE_UNKNOWN ? KIOSK_NOT_FOUND : KIOSK_OK;
}

static kiosk_rc sqlite_find_receipt(hub_db *db, const uint8_t device[32], const char *receipt_no,
                                    char uuid[SYNC_UUID_LEN + 1])
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db,
                                "SELECT uuid FROM record_meta WHERE device = ? AND receipt_no = ?"
                                " ORDER BY uuid LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return recdb_rc(rc);
    sqlite3_bind_blob(st, 1, device, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, receipt_no, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    kiosk_rc k = KIOSK_NOT_FOUND;
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == SYNC_UUID_LEN) {
        memcpy(uuid, sqlite3_column_text(st, 0), SYNC_UUID_LEN);
        uuid[SYNC_UUID_LEN] = '\0';
        k = KIOSK_OK;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        k = recdb_rc(rc);
    }
    sqlite3_finalize(st);
    return k;
}

static kiosk_rc op_meta_put(void *impl, const sync_record *recs, const sync_result *results,
                            size_t n)
{
    return sqlite_meta_put(impl, recs, results, n);
}
static kiosk_rc op_find_receipt(void *impl, const uint8_t device[32], const char *receipt_no,
                                char uuid[SYNC_UUID_LEN + 1])
{
    return sqlite_find_receipt(impl, device, receipt_no, uuid);
}
static kiosk_rc op_state_set(void *impl, const char *uuid, const char *state, const char *note,
                             const char *actor, int64_t now_ms)
{
    return sqlite_state_set(impl, uuid, state, note, actor, now_ms);
}
static kiosk_rc op_state_get(void *impl, const char *uuid, hub_record_state *out)
{
    return sqlite_state_get(impl, uuid, out);
}
static kiosk_rc op_state_history(void *impl, const char *uuid, hub_db_state_cb cb, void *ctx)
{
    return sqlite_state_history(impl, uuid, cb, ctx);
}

/* ---- the console's queries (hub_db_query) ------------------------------------------ */

static kiosk_rc op_query(void *impl, const char *sql, const hub_qparam *params, size_t n,
                         hub_rows **rows, int64_t *changes)
{
    hub_db *db = impl;
    /* $1 … as ?1 … (the console's statements hold no '$' of their own) */
    size_t len = strlen(sql);
    char *text = malloc(len + 1);
    if (!text)
        return KIOSK_NOMEM;
    for (size_t i = 0; i <= len; i++)
        text[i] = sql[i] == '$' ? '?' : sql[i];
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->db, text, -1, &st, NULL);
    free(text);
    if (rc != SQLITE_OK) {
        kiosk_log_error("hub_db", "console query: %s", sqlite3_errmsg(db->db));
        sqlite3_finalize(st);
        return KIOSK_INVALID;
    }
    for (size_t i = 0; i < n; i++) {
        int at = (int)i + 1;
        if (params[i].kind == 'i')
            sqlite3_bind_int64(st, at, params[i].i);
        else if (params[i].kind == 't')
            sqlite3_bind_text(st, at, params[i].t ? params[i].t : "", -1, SQLITE_STATIC);
        else
            sqlite3_bind_blob(st, at, params[i].b, (int)params[i].len, SQLITE_STATIC);
    }
    hub_rows *r = rows ? hub_rows_new((size_t)sqlite3_column_count(st)) : NULL;
    kiosk_rc k = rows && !r ? KIOSK_NOMEM : KIOSK_OK;
    while (k == KIOSK_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; r && k == KIOSK_OK && c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            k = hub_rows_append(r, (const char *)t, (size_t)sqlite3_column_bytes(st, c));
        }
    }
    if (k == KIOSK_OK && rc != SQLITE_DONE)
        k = (rc & 0xff) == SQLITE_CONSTRAINT ? KIOSK_INVALID : recdb_rc(rc);
    sqlite3_finalize(st);
    if (k != KIOSK_OK) {
        hub_rows_free(r);
        return k;
    }
    if (changes)
        *changes = sqlite3_changes(db->db);
    if (rows)
        *rows = r;
    return KIOSK_OK;
}

const hub_db_ops hub_sqlite_ops = {
    .name = "sqlite",
    .close = op_close,
    .device_add = op_device_add,
    .device_remove = op_device_remove,
    .device_known = op_device_known,
    .device_list = op_device_list,
    .device_counts = op_device_counts,
    .ingest_epoch = op_ingest_epoch,
    .reconcile_count = op_reconcile_count,
    .seen_request = op_seen_request,
    .mark_epoch = op_mark_epoch,
    .gaps = op_gaps,
    .foreach_record = op_foreach_record,
    .device_results = op_device_results,
    .events_add = op_events_add,
    .foreach_event = op_foreach_event,
    .event_count = op_event_count,
    .state_set = op_state_set,
    .state_get = op_state_get,
    .state_history = op_state_history,
    .meta_put = op_meta_put,
    .find_receipt = op_find_receipt,
    .health_add = op_health_add,
    .health_walk = op_health_walk,
    .health_prune = op_health_prune,
    .query = op_query,
};
