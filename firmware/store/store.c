/*
 * SQLite record store. Every write is one transaction; WAL with synchronous=FULL makes a
 * committed record survive a power cut. The schema is versioned with user_version and
 * upgraded by the migrations table below, oldest first; a database newer than this
 * firmware is refused rather than guessed at. An envelope embeds the submission's checked
 * JSON verbatim and is signed and sealed with libsodium; only ciphertext and masked
 * summaries reach the disk.
 */
#include "store/store.h"

#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "core/kiosk_json.h"
#include "core/kiosk_log.h"
#include "proto/sync_proto.h"

static const char *const migrations[STORE_SCHEMA_VERSION] = {
    /* 0 -> 1 */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE day_counter(day TEXT PRIMARY KEY, n INTEGER NOT NULL);"
    "CREATE TABLE records("
    " id INTEGER PRIMARY KEY,"
    " uuid TEXT NOT NULL UNIQUE,"
    " seq INTEGER NOT NULL UNIQUE,"
    " receipt_no TEXT NOT NULL UNIQUE,"
    " created_ms INTEGER NOT NULL,"
    " hash BLOB NOT NULL CHECK(length(hash) = 32),"
    " sealed BLOB NOT NULL,"
    " masked_name TEXT NOT NULL,"
    " masked_id TEXT NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0,"
    " reject_reason TEXT,"
    " print_outcome TEXT NOT NULL DEFAULT '',"
    " acked_ms INTEGER);"
    "CREATE INDEX records_outbox ON records(state, seq);",
    /* 1 -> 2: the outbox counts attempts; purging finds acknowledged records by age */
    "ALTER TABLE records ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE records ADD COLUMN sent_ms INTEGER;"
    /* the device's signature over uuid, seq and the sealed bytes, made when saving, so
     * the hub can check origin and integrity without opening the record (NULL for
     * records saved before: they are signed when sent) */
    "ALTER TABLE records ADD COLUMN record_sig BLOB CHECK(length(record_sig) = 64);"
    "CREATE INDEX records_acked ON records(acked_ms) WHERE state = 2;",
    /* 2 -> 3: the audit log (append-only, hash-chained) and staff accounts */
    "CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL,"
    " actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL,"
    " prev BLOB NOT NULL CHECK(length(prev) = 32), hash BLOB NOT NULL CHECK(length(hash) = 32));"
    /* sealed bytes in their own table: changing a record's state no longer rewrites
     * kilobytes of ciphertext (SQLite rewrites a whole row on update) */
    "CREATE TABLE record_blobs(record_id INTEGER PRIMARY KEY"
    " REFERENCES records(id) ON DELETE CASCADE, sealed BLOB NOT NULL);"
    "INSERT INTO record_blobs(record_id, sealed) SELECT id, sealed FROM records;"
    "ALTER TABLE records DROP COLUMN sealed;"
    "CREATE TABLE staff(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " role INTEGER NOT NULL, pin_hash TEXT NOT NULL, card_uid TEXT UNIQUE,"
    " created_ms INTEGER NOT NULL, removed INTEGER NOT NULL DEFAULT 0);",
    /* 3 -> 4: acknowledgements are signed by the hub from now on; those taken from
     * unsigned replies go back to the queue, to be sent again and acknowledged properly
     * (a real hub answers "duplicate"), so a purge never deletes what nobody vouched for */
    "UPDATE records SET state = 0, acked_ms = NULL WHERE state = 2;",
    /* 4 -> 5: the outbox by its own index. (state, seq) made the batch query read every
     * pending row of both states and sort them, once per batch; the pending records by
     * seq alone come out in order and stop at the batch's end. state is in the key so
     * counting pending records by state reads the index only. Rejected records get a
     * small index of their own for the staff list and the counts. */
    "CREATE INDEX IF NOT EXISTS records_pending ON records(seq, state) WHERE state IN (0, 1);"
    "CREATE INDEX IF NOT EXISTS records_rejected ON records(seq) WHERE state = 3;"
    "DROP INDEX IF EXISTS records_outbox;",
    /* 5 -> 6: the store epoch, a random 16-byte id made when the database is made (or
     * here, for a database made before: its records belong to this epoch). A unit that
     * finds its database restored, replaced or missing starts a new epoch (store_open)
     * and raises the alarm. epochs lists every epoch the database has had with the first
     * seq issued in it: seq goes on across epochs, so a record's epoch is the one with the
     * highest first_seq not above its seq (no column per record, no rewrite of the
     * records). Idempotent, like 4 -> 5. */
    "CREATE TABLE IF NOT EXISTS epochs(id BLOB PRIMARY KEY CHECK(length(id) = 16),"
    " started_ms INTEGER NOT NULL, first_seq INTEGER NOT NULL, reason TEXT NOT NULL);"
    "INSERT INTO meta(key, value) VALUES('epoch', randomblob(16)) ON CONFLICT(key) DO NOTHING;"
    "INSERT INTO epochs(id, started_ms, first_seq, reason)"
    " SELECT value, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),"
    " coalesce((SELECT min(seq) FROM records), (SELECT CAST(value AS INTEGER) FROM meta"
    " WHERE key = 'last_seq') + 1, 1),"
    " CASE WHEN EXISTS(SELECT 1 FROM records) THEN 'migrated' ELSE 'created' END"
    " FROM meta WHERE key = 'epoch' AND NOT EXISTS(SELECT 1 FROM epochs);",
    /* 6 -> 7: kiosk events for the hub (help requests), a queue of their own with their
     * own sequence, sent before records; nothing personal (events.c) */
    "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " kind TEXT NOT NULL, step TEXT NOT NULL, hall_code TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0, sent_ms INTEGER);"
    "CREATE INDEX IF NOT EXISTS events_pending ON events(seq) WHERE state = 0;",
    /* 7 -> 8: 我的办理记录 finds a citizen's records by a keyed hash of the ID number
     * (citizen_key below), never the number in clear, in a table of its own (deleted with
     * its record); records saved before have none. Idempotent, like 4 -> 5. */
    "CREATE TABLE IF NOT EXISTS record_citizen(record_id INTEGER PRIMARY KEY"
    " REFERENCES records(id) ON DELETE CASCADE,"
    " id_key BLOB NOT NULL CHECK(length(id_key) = 32));"
    "CREATE INDEX IF NOT EXISTS record_citizen_key ON record_citizen(id_key, record_id);",
    /* 8 -> 9: the record's type (注销申报, 求职登记 beside 失业登记) in clear, for the receipt's
     * title and 我的办理记录, in a table of its own with a row only for a type other than a
     * registration (records saved before are registrations; a registration's save writes
     * nothing more). Idempotent, like 4 -> 5. */
    "CREATE TABLE IF NOT EXISTS record_types("
    "record_id INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,"
    " record_type TEXT NOT NULL);",
    /* 9 -> 10: 我的办理记录 keeps the hub's last word on each record (POST /v3/status), so
     * an offline unit still shows what it last heard; a row only once the hub answered.
     * Idempotent, like 4 -> 5. */
    "CREATE TABLE IF NOT EXISTS record_hub_states("
    "record_id INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,"
    " state INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '',"
    " changed_ms INTEGER NOT NULL, heard_ms INTEGER NOT NULL);"
    /* and the record's signature over its unsealed metadata (type, receipt number: version
     * 3 of the record message, sync_proto.h), made at the save beside record_sig, which
     * goes to a hub that does not take metadata; records saved before have none */
    "CREATE TABLE IF NOT EXISTS record_meta_sigs("
    "record_id INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,"
    " sig BLOB NOT NULL CHECK(length(sig) = 64));",
    /* 10 -> 11: the health report's counters (health.c): one row per citizen's session
     * ended since the last report the hub took, holding only its number of touches, for
     * the count and the median; nothing else of the session. Idempotent, like 4 -> 5. */
    ("CREATE TABLE IF NOT EXISTS health_sessions(id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " taps INTEGER NOT NULL);"),
    /* 11 -> 12: the follow-up plan printed with a record (its plans' bits and its date,
     * nothing personal), so a 副本 from 我的办理记录 carries it as the original did; a row
     * only where a plan was printed. Idempotent, like 4 -> 5. */
    "CREATE TABLE IF NOT EXISTS record_plans("
    "record_id INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,"
    " intents INTEGER NOT NULL, due TEXT NOT NULL);",
};

/* The keyed hash that finds a citizen's records: BLAKE2b-256 of the ID number (upper
 * case, as the card gives it) keyed by a lookup key that is itself BLAKE2b of a fixed
 * label keyed by the device's secret key. Without the device key the column tells
 * nothing and a guessed number cannot be tried against it. */
int store_keyed_id(const store_device_key *key, const char *label, const char *id_number,
                   uint8_t out[32])
{
    char id[40];
    size_t n = id_number ? strlen(id_number) : 0;
    if (n == 0 || n >= sizeof id)
        return 0;
    for (size_t i = 0; i <= n; i++)
        id[i] =
            id_number[i] >= 'a' && id_number[i] <= 'z' ? (char)(id_number[i] - 32) : id_number[i];
    uint8_t k[32];
    crypto_generichash(k, sizeof k, (const uint8_t *)label, strlen(label), key->secret_key,
                       sizeof key->secret_key);
    crypto_generichash(out, 32, (const uint8_t *)id, n, k, sizeof k);
    sodium_memzero(k, sizeof k);
    sodium_memzero(id, sizeof id);
    return 1;
}

static int citizen_key(const store *s, const char *id_number, uint8_t out[32])
{
    return store_keyed_id(&s->key, "kiosk.store.citizen-lookup.v1", id_number, out);
}

/* The cached statement for sql — a string literal, recognised by its address — reset
 * and unbound, or NULL. Owned by the cache: reset (never finalize) after use, so that a
 * finished SELECT does not hold a read transaction open. */
sqlite3_stmt *store_cached(store *s, const char *sql)
{
    for (int i = 0; i < STORE_STMT_CACHE; i++) {
        if (s->cache[i].sql == sql) {
            sqlite3_reset(s->cache[i].st);
            sqlite3_clear_bindings(s->cache[i].st);
            return s->cache[i].st;
        }
        if (!s->cache[i].sql) {
            if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->cache[i].st,
                                   NULL) != SQLITE_OK) {
                kiosk_log_error("store", "cannot prepare: %s", sqlite3_errmsg(s->db));
                return NULL;
            }
            s->cache[i].sql = sql;
            return s->cache[i].st;
        }
    }
    kiosk_log_error("store", "statement cache full");
    return NULL;
}

/* Run a cached statement that returns no rows (BEGIN, COMMIT, ROLLBACK). */
kiosk_rc store_step_cached(store *s, const char *sql)
{
    sqlite3_stmt *st = store_cached(s, sql);
    if (!st)
        return KIOSK_IO;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return recdb_rc(rc);
}

kiosk_rc store_exec(store *s, const char *sql)
{
    return recdb_exec(s->db, "store", sql);
}

/* ---- device key ---------------------------------------------------------------- */

kiosk_rc store_write_file_atomic(const char *dir, const char *path, const void *data, size_t n)
{
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EROFS || errno == EACCES ? KIOSK_READ_ONLY : KIOSK_IO;
    ssize_t w = write(fd, data, n);
    int ok = w == (ssize_t)n && fsync(fd) == 0;
    int e = errno;
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return e == ENOSPC ? KIOSK_DISK_FULL : KIOSK_IO;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* the rename itself must survive a power cut */
        close(dfd);
    }
    return KIOSK_OK;
}

kiosk_rc store_device_key_load(const char *state_dir, store_device_key *out)
{
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    char path[600];
    snprintf(path, sizeof path, "%s/device.key", state_dir);
    if (mkdir(state_dir, 0700) != 0 && errno != EEXIST)
        return errno == EROFS || errno == EACCES ? KIOSK_READ_ONLY : KIOSK_IO;
    FILE *f = fopen(path, "rb");
    if (f) {
        uint8_t buf[65];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        if (n != 64) {
            sodium_memzero(buf, sizeof buf);
            kiosk_log_error("store", "device key %s is damaged; refusing to replace it", path);
            return KIOSK_CORRUPT;
        }
        memcpy(out->secret_key, buf, 64);
        sodium_memzero(buf, sizeof buf);
        crypto_sign_ed25519_sk_to_pk(out->public_key, out->secret_key);
        return KIOSK_OK;
    }
    if (errno != ENOENT)
        return KIOSK_IO;
    crypto_sign_keypair(out->public_key, out->secret_key);
    kiosk_rc rc = store_write_file_atomic(state_dir, path, out->secret_key, 64);
    if (rc == KIOSK_OK)
        kiosk_log_info("store", "created a new device key in %s", state_dir);
    else
        sodium_memzero(out, sizeof *out);
    return rc;
}

static void load_upstream(store *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'upstream_pk'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
        memcpy(s->upstream_pk, sqlite3_column_blob(st, 0), 32);
        s->has_upstream = 1;
    }
    sqlite3_finalize(st);
}

/* A database that does not exist yet is made with STORE_PAGE_SIZE pages. The size can
 * only be chosen before the first table, and recdb_open puts the file in WAL mode (which
 * fixes it) first; so the empty file is made here, already in WAL mode. An existing
 * database keeps its page size (changing it means a VACUUM outside WAL: not at start). */
static int store_create_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > 0)
        return 0;
    sqlite3 *db = NULL;
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA page_size = %d; PRAGMA journal_mode = WAL;", STORE_PAGE_SIZE);
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return 1;
}

static kiosk_rc store_epoch_check(store *s, int fresh);

kiosk_rc store_open(const char *path, const char *hall_code, const store_device_key *key,
                    const kiosk_clock *clock, store **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    store *s = calloc(1, sizeof *s);
    if (!s)
        return KIOSK_NOMEM;
    snprintf(s->dir, sizeof s->dir, "%s", path);
    char *slash = strrchr(s->dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(s->dir, sizeof s->dir, ".");
    snprintf(s->hall_code, sizeof s->hall_code, "%s", hall_code);
    s->key = *key;
    s->clock = clock ? clock : kiosk_clock_system();
    /* best effort: recdb_open reports what cannot be opened */
    int fresh = store_create_file(path);
    /* a small page cache: the kiosk reads little, and two connections keep one each */
    kiosk_rc k = recdb_open(path, "store", "PRAGMA cache_size = -512;", migrations,
                            STORE_SCHEMA_VERSION, &s->db);
    if (k != KIOSK_OK) {
        store_close(s);
        return k;
    }
    load_upstream(s);
    s->retention_days = STORE_RETENTION_DEFAULT_DAYS;
    snprintf(s->mark_path, sizeof s->mark_path, "%s.mark", path);
    k = store_epoch_check(s, fresh);
    if (k != KIOSK_OK) {
        store_close(s);
        return k;
    }
    *out = s;
    return KIOSK_OK;
}

void store_close(store *s)
{
    if (!s)
        return;
    for (int i = 0; i < STORE_STMT_CACHE && s->cache[i].sql; i++)
        sqlite3_finalize(s->cache[i].st);
    sqlite3_close(s->db);
    sodium_memzero(s, sizeof *s);
    free(s);
}

kiosk_rc store_set_max_bytes(store *s, uint64_t max_bytes)
{
    /* databases made before STORE_PAGE_SIZE keep their own page size */
    sqlite3_stmt *st;
    uint64_t page = 4096;
    if (sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0)
        page = (uint64_t)sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    char sql[96];
    uint64_t pages = max_bytes ? max_bytes / page : 0xFFFFFFFEu;
    if (pages < 1)
        pages = 1;
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %llu", (unsigned long long)pages);
    return store_exec(s, sql);
}

/* ---- sealing ---------------------------------------------------------------------- */

/* A sealed box (crypto_box_seal) in two halves. The first — an ephemeral X25519 key pair,
 * the shared key with the upstream and the nonce blake2b(epk || upstream_pk) — needs
 * nothing of the record, so it is made before the citizen signs; the second encrypts.
 * The bytes are crypto_box_seal's: epk || crypto_box_easy(m, nonce, upstream_pk, esk). The
 * ephemeral secret is wiped at once and the shared key after its one use. */
static void seal_prepare(store *s)
{
    if (s->seal_ready || !s->has_upstream)
        return;
    uint8_t esk[32], both[64];
    crypto_box_keypair(s->seal_epk, esk);
    int ok = crypto_box_beforenm(s->seal_key, s->upstream_pk, esk) == 0;
    sodium_memzero(esk, sizeof esk);
    memcpy(both, s->seal_epk, 32);
    memcpy(both + 32, s->upstream_pk, 32);
    crypto_generichash(s->seal_nonce, sizeof s->seal_nonce, both, sizeof both, NULL, 0);
    s->seal_ready = ok;
    if (!ok)
        sodium_memzero(s->seal_key, sizeof s->seal_key);
}

static void seal_forget(store *s)
{
    sodium_memzero(s->seal_key, sizeof s->seal_key);
    sodium_memzero(s->seal_epk, sizeof s->seal_epk);
    sodium_memzero(s->seal_nonce, sizeof s->seal_nonce);
    s->seal_ready = 0;
}

/* out: len + crypto_box_SEALBYTES bytes. */
static kiosk_rc seal(store *s, uint8_t *out, const uint8_t *m, size_t len)
{
    seal_prepare(s);
    kiosk_rc rc = KIOSK_CRYPTO;
    if (s->seal_ready) {
        memcpy(out, s->seal_epk, 32);
        if (crypto_box_easy_afternm(out + 32, m, len, s->seal_nonce, s->seal_key) == 0)
            rc = KIOSK_OK;
    }
    seal_forget(s);
    return rc;
}

kiosk_rc store_set_upstream_key(store *s, const uint8_t public_key[32])
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        s->db, "INSERT INTO meta(key, value) VALUES('upstream_pk', ?) " STORE_META_UPSERT, -1, &st,
        NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (recdb_rc(rc) != KIOSK_OK)
        return recdb_rc(rc);
    seal_forget(s); /* made for the key before */
    memcpy(s->upstream_pk, public_key, 32);
    s->has_upstream = 1;
    char fp[17];
    sodium_bin2hex(fp, sizeof fp, public_key, 8);
    store_audit(s, "system", "provision.upstream_key", "", fp);
    return KIOSK_OK;
}

kiosk_rc store_upstream_key(const store *s, uint8_t out[32])
{
    if (!s->has_upstream)
        return KIOSK_CONFIG;
    memcpy(out, s->upstream_pk, 32);
    return KIOSK_OK;
}

kiosk_rc store_ready(store *s, uint64_t min_free_bytes)
{
    if (!s->has_upstream)
        return KIOSK_CONFIG;
    seal_prepare(s);
    struct statvfs vfs;
    if (statvfs(s->dir, &vfs) == 0 &&
        (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize < min_free_bytes)
        return KIOSK_DISK_FULL;
    /* a write lock proves the file and its directory are writable */
    kiosk_rc rc = store_exec(s, "BEGIN IMMEDIATE");
    if (rc == KIOSK_OK)
        rc = store_exec(s, "ROLLBACK");
    return rc;
}

/* ---- saving ---------------------------------------------------------------------- */

static void make_uuid(char out[STORE_UUID_LEN + 1])
{
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, b, sizeof b);
    snprintf(out, STORE_UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
}

static int64_t next_counter(store *s, const char *sql_get, const char *sql_set, const char *key)
{
    sqlite3_stmt *st = store_cached(s, sql_get);
    int64_t n = 0;
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    n++;
    if (!(st = store_cached(s, sql_set)))
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, n);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : -1;
}

/* The commitment version goes into the envelope without escaping. */
static int version_ok(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'A' && v[i] <= 'Z') ||
              (v[i] >= 'a' && v[i] <= 'z') || v[i] == '.' || v[i] == '-' || v[i] == '_'))
            return 0;
    return 1;
}

/* The signed envelope: every part of the submission plus the record's identity. The
 * registration and evidence texts are checked (kiosk_json_object_valid) and embedded as
 * given — parsing and re-serialising them cost more than signing and sealing together.
 * Owned (free()), or NULL when a part is not a JSON object or on no memory. */
static char *build_envelope(store *s, const store_submission *sub, const store_saved *sv,
                            size_t *len)
{
    size_t rl = strlen(sub->registration_json), el = strlen(sub->evidence_json);
    if (!kiosk_json_object_valid(sub->registration_json, rl) ||
        !kiosk_json_object_valid(sub->evidence_json, el) || !version_ok(sub->commitment_version))
        return NULL;
    char device[65], commit[65];
    sodium_bin2hex(device, sizeof device, s->key.public_key, 32);
    sodium_bin2hex(commit, sizeof commit, sub->commitment_sha256, 32);
    static const char fmt[] = "{\"schema\":1,\"uuid\":\"%s\",\"device\":\"%s\",\"seq\":%lld,"
                              "\"receipt_no\":\"%s\",\"created_ms\":%lld,\"commitment\":{"
                              "\"version\":\"%s\",\"sha256\":\"%s\"},\"registration\":";
    char head[512];
    int hn = snprintf(head, sizeof head, fmt, sv->uuid, device, (long long)sv->seq, sv->receipt_no,
                      (long long)sv->created_ms, sub->commitment_version, commit);
    if (hn < 0 || (size_t)hn >= sizeof head)
        return NULL;
    static const char mid[] = ",\"evidence\":";
    size_t total = (size_t)hn + rl + sizeof mid - 1 + el + 1;
    char *out = malloc(total + 1);
    if (!out)
        return NULL;
    char *p = out;
    memcpy(p, head, (size_t)hn);
    p += hn;
    memcpy(p, sub->registration_json, rl);
    p += rl;
    memcpy(p, mid, sizeof mid - 1);
    p += sizeof mid - 1;
    memcpy(p, sub->evidence_json, el);
    p += el;
    *p++ = '}';
    *p = '\0';
    *len = total;
    return out;
}

kiosk_rc store_save(store *s, const store_submission *sub, store_saved *out)
{
    return store_save_citizen(s, sub, NULL, out);
}

kiosk_rc store_save_citizen(store *s, const store_submission *sub, const char *id_number,
                            store_saved *out)
{
    memset(out, 0, sizeof *out);
    if (!s->has_upstream)
        return KIOSK_CONFIG;
    if (!sub->registration_json || !sub->evidence_json || !sub->commitment_version ||
        !sub->commitment_sha256 || !sub->masked_name || !sub->masked_id)
        return KIOSK_INVALID;
    kiosk_rc rc = store_step_cached(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    out->created_ms = kiosk_clock_now_ms(s->clock);
    kiosk_date d = kiosk_clock_today(s->clock);
    char day[9];
    snprintf(day, sizeof day, "%04d%02d%02d", d.year, d.month, d.day);
    int64_t daily = next_counter(s, "SELECT n FROM day_counter WHERE day = ?",
                                 "INSERT INTO day_counter(day, n) VALUES(?, ?)"
                                 " ON CONFLICT(day) DO UPDATE SET n = excluded.n",
                                 day);
    out->seq =
        next_counter(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?",
                     "INSERT INTO meta(key, value) VALUES(?, ?) " STORE_META_UPSERT, "last_seq");
    make_uuid(out->uuid);
    snprintf(out->receipt_no, sizeof out->receipt_no, "%s-%s-%04lld", s->hall_code, day,
             (long long)daily);

    size_t env_len = 0;
    char *env = daily > 0 && out->seq > 0 ? build_envelope(s, sub, out, &env_len) : NULL;
    uint8_t *sealed = NULL;
    size_t plain_len = 64 + env_len;
    size_t sealed_len = plain_len + crypto_box_SEALBYTES;
    uint8_t *plain = env ? malloc(plain_len) : NULL;
    if (plain)
        sealed = malloc(sealed_len);
    if (!sealed) {
        rc = env ? KIOSK_NOMEM : KIOSK_INVALID;
    } else {
        /* plaintext = Ed25519 signature of the envelope, then the envelope */
        crypto_sign_detached(plain, NULL, (const uint8_t *)env, env_len, s->key.secret_key);
        memcpy(plain + 64, env, env_len);
        crypto_hash_sha256(out->hash, (const uint8_t *)env, env_len);
        rc = seal(s, sealed, plain, plain_len);
    }
    uint8_t record_sig[64], msg[SYNC_RECORD_MSG_MAX];
    if (rc == KIOSK_OK) {
        /* the epoch as the database holds it in this transaction (another connection —
         * the sync worker's — may have begun one since this one opened) */
        sqlite3_stmt *ep = store_cached(s, "SELECT value FROM meta WHERE key = 'epoch'");
        if (ep && sqlite3_step(ep) == SQLITE_ROW && sqlite3_column_bytes(ep, 0) == 16)
            memcpy(s->epoch, sqlite3_column_blob(ep, 0), 16);
        if (ep)
            sqlite3_reset(ep);
        size_t mlen =
            sync_record_message_epoch(out->uuid, out->seq, s->epoch, sealed, sealed_len, msg);
        crypto_sign_detached(record_sig, NULL, msg, mlen, s->key.secret_key);
        uint8_t id_key[32];
        int has_key = id_number && citizen_key(s, id_number, id_key);
        sqlite3_int64 row = 0;
        sqlite3_stmt *st = store_cached(
            s, "INSERT INTO records(uuid, seq, receipt_no, created_ms, hash, masked_name,"
               " masked_id, record_sig) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
        int r = st ? SQLITE_OK : SQLITE_ERROR;
        if (st) {
            sqlite3_bind_text(st, 1, out->uuid, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, out->seq);
            sqlite3_bind_text(st, 3, out->receipt_no, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, out->created_ms);
            sqlite3_bind_blob(st, 5, out->hash, 32, SQLITE_STATIC);
            sqlite3_bind_text(st, 6, sub->masked_name, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 7, sub->masked_id, -1, SQLITE_STATIC);
            sqlite3_bind_blob(st, 8, record_sig, 64, SQLITE_STATIC);
            r = sqlite3_step(st);
            row = sqlite3_last_insert_rowid(s->db);
            sqlite3_reset(st);
        }
        sqlite3_stmt *blob = r == SQLITE_DONE
                                 ? store_cached(s, "INSERT INTO record_blobs(record_id, sealed)"
                                                   " VALUES(last_insert_rowid(), ?)")
                                 : NULL;
        if (blob) {
            sqlite3_bind_blob(blob, 1, sealed, (int)sealed_len, SQLITE_STATIC);
            r = sqlite3_step(blob);
            sqlite3_reset(blob);
        } else if (r == SQLITE_DONE) {
            r = SQLITE_ERROR;
        }
        sqlite3_stmt *who = r == SQLITE_DONE && has_key
                                ? store_cached(s, "INSERT INTO record_citizen(record_id, id_key)"
                                                  " VALUES(?, ?)")
                                : NULL;
        if (who) {
            sqlite3_bind_int64(who, 1, row);
            sqlite3_bind_blob(who, 2, id_key, 32, SQLITE_STATIC);
            r = sqlite3_step(who);
            sqlite3_reset(who);
        } else if (r == SQLITE_DONE && has_key) {
            r = SQLITE_ERROR;
        }
        sodium_memzero(id_key, sizeof id_key);
        int typed = sub->record_type && strcmp(sub->record_type, "registration") != 0;
        sqlite3_stmt *kind =
            r == SQLITE_DONE && typed
                ? store_cached(s, "INSERT INTO record_types(record_id, record_type)"
                                  " VALUES(?, ?)")
                : NULL;
        if (kind) {
            sqlite3_bind_int64(kind, 1, row);
            sqlite3_bind_text(kind, 2, sub->record_type, -1, SQLITE_STATIC);
            r = sqlite3_step(kind);
            sqlite3_reset(kind);
        } else if (r == SQLITE_DONE && typed) {
            r = SQLITE_ERROR;
        }
        /* the signature over the unsealed metadata, for a hub that takes it */
        sync_record m;
        memset(&m, 0, sizeof m);
        memcpy(m.uuid, out->uuid, SYNC_UUID_LEN + 1);
        m.seq = out->seq;
        m.sealed = sealed;
        m.sealed_len = sealed_len;
        snprintf(m.record_type, sizeof m.record_type, "%s",
                 sub->record_type ? sub->record_type : "registration");
        snprintf(m.receipt_no, sizeof m.receipt_no, "%s", out->receipt_no);
        int signs = sync_record_meta_ok(&m);
        if (signs)
            sync_record_sign_meta(&m, s->epoch, s->key.secret_key);
        sqlite3_stmt *msig =
            r == SQLITE_DONE && signs
                ? store_cached(s, "INSERT INTO record_meta_sigs(record_id, sig) VALUES(?, ?)")
                : NULL;
        if (msig) {
            sqlite3_bind_int64(msig, 1, row);
            sqlite3_bind_blob(msig, 2, m.sig, 64, SQLITE_STATIC);
            r = sqlite3_step(msig);
            sqlite3_reset(msig);
        } else if (r == SQLITE_DONE && signs) {
            r = SQLITE_ERROR;
        }
        rc = recdb_rc(r);
    }
    if (rc == KIOSK_OK)
        rc = store_audit_append(s, "citizen", "record.saved", out->receipt_no, "");
    if (rc == KIOSK_OK)
        rc = store_commit(s);
    if (rc != KIOSK_OK) {
        store_rollback(s);
        memset(out, 0, sizeof *out);
    } else {
        store_mark_write(s, s->epoch, out->seq, day, daily);
    }
    if (env)
        sodium_memzero(env, env_len);
    if (plain)
        sodium_memzero(plain, plain_len);
    free(env);
    free(plain);
    free(sealed);
    return rc;
}

/* ---- queries --------------------------------------------------------------------- */

kiosk_rc store_count(store *s, store_counts *out)
{
    memset(out, 0, sizeof *out);
    /* each from an index (pending by state from records_pending, the rest from the row
     * count), so a status line costs the same whatever the history holds */
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT state, count(*) FROM records WHERE state IN (0, 1)"
                                " GROUP BY state UNION ALL"
                                " SELECT 3, count(*) FROM records WHERE state = 3 UNION ALL"
                                " SELECT -1, count(*) FROM records",
                                -1, &st, NULL);
    int64_t all = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int state = sqlite3_column_int(st, 0);
        if (state >= 0 && state < 4)
            out->by_state[state] = sqlite3_column_int64(st, 1);
        else
            all = sqlite3_column_int64(st, 1);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    out->by_state[STORE_ACKED] = all - out->by_state[STORE_QUEUED] - out->by_state[STORE_SENT] -
                                 out->by_state[STORE_REJECTED];
    return recdb_rc(rc);
}

kiosk_rc store_set_print_outcome(store *s, const char *receipt_no, const char *outcome)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "UPDATE records SET print_outcome = ? WHERE receipt_no = ?",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, outcome, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, receipt_no, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE && sqlite3_changes(s->db) == 0)
        return KIOSK_NOT_FOUND;
    return recdb_rc(rc);
}

void store_copy_col(sqlite3_stmt *st, int col, char *dst, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

/* A store_summary from a row whose first columns are SUMMARY_COLUMNS. */
#define SUMMARY_COLUMNS                                                                            \
    "uuid, receipt_no, masked_name, masked_id, state, print_outcome, hash, created_ms,"            \
    " coalesce((SELECT record_type FROM record_types WHERE record_id = records.id),"               \
    " 'registration')"
static void read_summary(sqlite3_stmt *st, store_summary *out)
{
    memset(out, 0, sizeof *out);
    store_copy_col(st, 0, out->uuid, sizeof out->uuid);
    store_copy_col(st, 1, out->receipt_no, sizeof out->receipt_no);
    store_copy_col(st, 2, out->masked_name, sizeof out->masked_name);
    store_copy_col(st, 3, out->masked_id, sizeof out->masked_id);
    out->state = (store_state)sqlite3_column_int(st, 4);
    store_copy_col(st, 5, out->print_outcome, sizeof out->print_outcome);
    if (sqlite3_column_bytes(st, 6) == 32)
        memcpy(out->hash, sqlite3_column_blob(st, 6), 32);
    out->created_ms = sqlite3_column_int64(st, 7);
    store_copy_col(st, 8, out->record_type, sizeof out->record_type);
}

kiosk_rc store_set_plan(store *s, const char *receipt_no, unsigned intents, const char *due)
{
    if (!receipt_no || !due || strlen(due) != 10 || due[4] != '-' || due[7] != '-')
        return KIOSK_INVALID;
    sqlite3_stmt *st =
        store_cached(s, "INSERT OR REPLACE INTO record_plans(record_id, intents, due)"
                        " SELECT id, ?, ? FROM records WHERE receipt_no = ?");
    if (!st)
        return KIOSK_IO;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)intents);
    sqlite3_bind_text(st, 2, due, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, receipt_no, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    int changed = sqlite3_changes(s->db);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return recdb_rc(r);
    return changed > 0 ? KIOSK_OK : KIOSK_NOT_FOUND;
}

/* The follow-up plan kept beside receipt_no's record, if any, into out. */
static void read_plan(store *s, const char *receipt_no, store_summary *out)
{
    sqlite3_stmt *st = store_cached(s, "SELECT intents, due FROM record_plans"
                                       " JOIN records ON records.id = record_plans.record_id"
                                       " WHERE records.receipt_no = ?");
    if (!st)
        return;
    sqlite3_bind_text(st, 1, receipt_no, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->plan_on = 1;
        out->plan_intents = (unsigned)sqlite3_column_int64(st, 0);
        store_copy_col(st, 1, out->plan_due, sizeof out->plan_due);
    }
    sqlite3_reset(st);
}

kiosk_rc store_find(store *s, const char *receipt_no, store_summary *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        s->db, "SELECT " SUMMARY_COLUMNS " FROM records WHERE receipt_no = ?", -1, &st, NULL);
    kiosk_rc k = KIOSK_NOT_FOUND;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, receipt_no, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            read_summary(st, out);
            k = KIOSK_OK;
            read_plan(s, receipt_no, out);
        } else if (rc != SQLITE_DONE) {
            k = recdb_rc(rc);
        }
    } else {
        k = recdb_rc(rc);
    }
    sqlite3_finalize(st);
    return k;
}

kiosk_rc store_records_of(store *s, const char *id_number, store_summary *out, size_t max,
                          size_t *n)
{
    *n = 0;
    uint8_t key[32];
    if (!id_number || !citizen_key(s, id_number, key))
        return KIOSK_INVALID;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT " SUMMARY_COLUMNS " FROM records WHERE id IN"
                                " (SELECT record_id FROM record_citizen WHERE id_key = ?)"
                                " ORDER BY seq DESC LIMIT ?",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
            read_summary(st, &out[(*n)++]);
    }
    sqlite3_finalize(st);
    sodium_memzero(key, sizeof key);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? KIOSK_OK : recdb_rc(rc);
}

kiosk_rc store_sealed(store *s, const char *uuid, uint8_t **sealed, size_t *len)
{
    *sealed = NULL;
    *len = 0;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT b.sealed FROM records r JOIN record_blobs b"
                                " ON b.record_id = r.id WHERE r.uuid = ?",
                                -1, &st, NULL);
    kiosk_rc k = KIOSK_NOT_FOUND;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            int n = sqlite3_column_bytes(st, 0);
            *sealed = malloc((size_t)n);
            if (*sealed) {
                memcpy(*sealed, sqlite3_column_blob(st, 0), (size_t)n);
                *len = (size_t)n;
                k = KIOSK_OK;
            } else {
                k = KIOSK_NOMEM;
            }
        }
    } else {
        k = recdb_rc(rc);
    }
    sqlite3_finalize(st);
    return k;
}

/* ---- the outbox ------------------------------------------------------------------ */

/* The batch: pending records after a seq, in seq order, from the partial index
 * records_pending — a batch costs the same with a hundred or a million pending. */
static const char sql_pending[] = "SELECT r.uuid, r.seq, b.sealed, r.attempts, r.record_sig,"
                                  " m.sig, coalesce(t.record_type, 'registration'), r.receipt_no"
                                  " FROM records r JOIN record_blobs b ON b.record_id = r.id"
                                  " LEFT JOIN record_meta_sigs m ON m.record_id = r.id"
                                  " LEFT JOIN record_types t ON t.record_id = r.id"
                                  " WHERE r.state IN (0, 1) AND r.seq > ?"
                                  " ORDER BY r.seq LIMIT ?";
static const char sql_mark_sent[] = "UPDATE records SET state = 1, attempts = attempts + 1,"
                                    " sent_ms = ? WHERE state IN (0, 1) AND seq > ? AND seq <= ?";

kiosk_rc store_outbox_plan(store *s, char *out, size_t size)
{
    if (!size)
        return KIOSK_INVALID;
    out[0] = '\0';
    size_t len = 0;
    const char *const sqls[] = {sql_pending, sql_mark_sent};
    int rc = SQLITE_OK;
    for (size_t i = 0; i < sizeof sqls / sizeof sqls[0] && rc == SQLITE_OK; i++) {
        char sql[512];
        snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", sqls[i]);
        sqlite3_stmt *st;
        rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
        while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            const unsigned char *d = sqlite3_column_text(st, 3);
            int n = snprintf(out + len, size - len, "%s%s\n",
                             i ? "mark_sent: " : "pending: ", d ? (const char *)d : "");
            if (n < 0 || (size_t)n >= size - len) {
                sqlite3_finalize(st);
                return KIOSK_RANGE;
            }
            len += (size_t)n;
            rc = SQLITE_OK;
        }
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        sqlite3_finalize(st);
    }
    return recdb_rc(rc);
}

/* The records the hub refused, in the same shape (store_refused_each). */
static const char sql_refused[] = "SELECT r.uuid, r.seq, b.sealed, r.attempts, r.record_sig,"
                                  " m.sig, coalesce(t.record_type, 'registration'), r.receipt_no"
                                  " FROM records r JOIN record_blobs b ON b.record_id = r.id"
                                  " LEFT JOIN record_meta_sigs m ON m.record_id = r.id"
                                  " LEFT JOIN record_types t ON t.record_id = r.id"
                                  " WHERE r.state = 3 AND r.seq > ?"
                                  " ORDER BY r.seq LIMIT ?";

static kiosk_rc outbox_each(store *s, const char *sql, int64_t after_seq, size_t max,
                            store_pending_fn fn, void *ctx, size_t *count);

kiosk_rc store_pending_each(store *s, int64_t after_seq, size_t max, store_pending_fn fn, void *ctx,
                            size_t *count)
{
    return outbox_each(s, sql_pending, after_seq, max, fn, ctx, count);
}

kiosk_rc store_refused_each(store *s, int64_t after_seq, size_t max, store_pending_fn fn, void *ctx,
                            size_t *count)
{
    return outbox_each(s, sql_refused, after_seq, max, fn, ctx, count);
}

static kiosk_rc outbox_each(store *s, const char *sql, int64_t after_seq, size_t max,
                            store_pending_fn fn, void *ctx, size_t *count)
{
    if (count)
        *count = 0;
    sqlite3_stmt *st = store_cached(s, sql);
    if (!st)
        return KIOSK_IO;
    size_t n = 0;
    int rc;
    /* each record's epoch: the one with the highest first_seq not above its seq (the
     * epochs table is short: a handful of rows in a unit's life) */
    enum { EPOCHS_MAX = 64 };
    uint8_t ep_id[EPOCHS_MAX][16];
    int64_t ep_first[EPOCHS_MAX];
    size_t neps = 0;
    sqlite3_stmt *es = store_cached(s, "SELECT id, first_seq FROM epochs ORDER BY first_seq");
    if (!es)
        return KIOSK_IO;
    while (sqlite3_step(es) == SQLITE_ROW)
        if (sqlite3_column_bytes(es, 0) == 16) {
            size_t i = neps < EPOCHS_MAX ? neps++ : EPOCHS_MAX - 1; /* keep the latest */
            memcpy(ep_id[i], sqlite3_column_blob(es, 0), 16);
            ep_first[i] = sqlite3_column_int64(es, 1);
        }
    sqlite3_reset(es);
    uint64_t limit = max; /* a 64-bit comparison on 32-bit boards too */
    sqlite3_bind_int64(st, 1, after_seq);
    sqlite3_bind_int64(st, 2, limit > INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_pending p = {
            .uuid = (const char *)sqlite3_column_text(st, 0),
            .seq = sqlite3_column_int64(st, 1),
            .sealed = sqlite3_column_blob(st, 2),
            .sealed_len = (size_t)sqlite3_column_bytes(st, 2),
            .attempts = sqlite3_column_int(st, 3),
            .record_sig = sqlite3_column_bytes(st, 4) == 64 ? sqlite3_column_blob(st, 4) : NULL,
            .meta_sig = sqlite3_column_bytes(st, 5) == 64 ? sqlite3_column_blob(st, 5) : NULL,
            .record_type = (const char *)sqlite3_column_text(st, 6),
            .receipt_no = (const char *)sqlite3_column_text(st, 7),
        };
        for (size_t i = 0; i < neps && ep_first[i] <= p.seq; i++)
            p.epoch = ep_id[i];
        n++;
        if (fn(ctx, &p)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (count)
        *count = n;
    return recdb_rc(rc);
}

kiosk_rc store_mark_sent(store *s, int64_t after_seq, int64_t last_seq)
{
    sqlite3_stmt *st = store_cached(s, sql_mark_sent);
    if (!st)
        return KIOSK_IO;
    kiosk_rc k = store_step_cached(s, "BEGIN IMMEDIATE");
    if (k != KIOSK_OK)
        return k;
    sqlite3_bind_int64(st, 1, kiosk_clock_now_ms(s->clock));
    sqlite3_bind_int64(st, 2, after_seq);
    sqlite3_bind_int64(st, 3, last_seq);
    int rc = sqlite3_step(st);
    int n = sqlite3_changes(s->db);
    sqlite3_reset(st);
    k = recdb_rc(rc);
    char detail[96];
    snprintf(detail, sizeof detail, "%d records, seq %lld-%lld", n, (long long)after_seq + 1,
             (long long)last_seq);
    if (k == KIOSK_OK && n > 0)
        k = store_audit_append(s, "system", "records.sent", "", detail);
    if (k == KIOSK_OK)
        k = store_commit(s);
    if (k != KIOSK_OK)
        store_rollback(s);
    return k;
}

/* Acknowledged seqs gathered into ranges ("1-16,18-500") for the audit log: one entry
 * per batch instead of one per record, a new entry when the text would not fit. */
typedef struct seq_ranges {
    char text[150];
    size_t len;
    int64_t first, last; /* the open range; first 0: none */
    size_t count;
} seq_ranges;

static kiosk_rc ranges_flush(store *s, seq_ranges *g)
{
    if (!g->len)
        return KIOSK_OK;
    char detail[180];
    snprintf(detail, sizeof detail, "%zu records, seq %s", g->count, g->text);
    g->len = 0;
    g->count = 0;
    g->text[0] = '\0';
    return store_audit_append(s, "system", "records.acked", "", detail);
}

static kiosk_rc ranges_close(store *s, seq_ranges *g)
{
    if (!g->first)
        return KIOSK_OK;
    char part[48];
    int n = g->first == g->last
                ? snprintf(part, sizeof part, "%s%lld", g->len ? "," : "", (long long)g->first)
                : snprintf(part, sizeof part, "%s%lld-%lld", g->len ? "," : "", (long long)g->first,
                           (long long)g->last);
    kiosk_rc rc = KIOSK_OK;
    if (g->len + (size_t)n >= sizeof g->text) {
        rc = ranges_flush(s, g);
        n = g->first == g->last
                ? snprintf(part, sizeof part, "%lld", (long long)g->first)
                : snprintf(part, sizeof part, "%lld-%lld", (long long)g->first, (long long)g->last);
    }
    memcpy(g->text + g->len, part, (size_t)n + 1);
    g->len += (size_t)n;
    g->first = 0;
    return rc;
}

kiosk_rc store_set_hub_key(store *s, const uint8_t public_key[32])
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES('hub_pk', ?)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (recdb_rc(rc) != KIOSK_OK)
        return recdb_rc(rc);
    char fp[17];
    sodium_bin2hex(fp, sizeof fp, public_key, 8);
    store_audit(s, "system", "provision.hub_key", "", fp);
    return KIOSK_OK;
}

kiosk_rc store_hub_key(store *s, uint8_t out[32])
{
    sqlite3_stmt *st;
    kiosk_rc k = KIOSK_CONFIG;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'hub_pk'", -1, &st, NULL) !=
        SQLITE_OK)
        return KIOSK_IO;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
        memcpy(out, sqlite3_column_blob(st, 0), 32);
        k = KIOSK_OK;
    }
    sqlite3_finalize(st);
    return k;
}

void store_set_retention_days(store *s, int days)
{
    s->retention_days = days < 0 ? 0 : days;
}

static kiosk_rc ranges_add(store *s, seq_ranges *g, int64_t seq)
{
    kiosk_rc rc = KIOSK_OK;
    if (g->first && seq == g->last + 1) {
        g->last = seq;
    } else {
        rc = ranges_close(s, g);
        g->first = g->last = seq;
    }
    g->count++;
    return rc;
}

kiosk_rc store_apply_outcomes(store *s, const store_outcome *o, size_t n, size_t *changed)
{
    if (changed)
        *changed = 0;
    kiosk_rc rc = store_step_cached(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *ack = store_cached(s, "UPDATE records SET state = 2, acked_ms = ?,"
                                        " reject_reason = NULL WHERE uuid = ? AND state IN (0, 1)"
                                        " RETURNING seq");
    sqlite3_stmt *rej = store_cached(s, "UPDATE records SET state = 3, reject_reason = ?"
                                        " WHERE uuid = ? AND state IN (0, 1)");
    int64_t now = kiosk_clock_now_ms(s->clock);
    size_t done = 0;
    seq_ranges acked = {0};
    rc = ack && rej ? KIOSK_OK : KIOSK_IO;
    for (size_t i = 0; rc == KIOSK_OK && i < n; i++) {
        if (o[i].acknowledged && !o[i].hub_signed) {
            continue; /* nobody vouched for it: it stays pending */
        } else if (o[i].acknowledged) {
            sqlite3_bind_int64(ack, 1, now);
            sqlite3_bind_text(ack, 2, o[i].uuid, -1, SQLITE_STATIC);
            int r = sqlite3_step(ack);
            if (r == SQLITE_ROW) {
                int64_t seq = sqlite3_column_int64(ack, 0);
                r = sqlite3_step(ack);
                done++;
                rc = ranges_add(s, &acked, seq);
            }
            sqlite3_reset(ack);
            if (rc == KIOSK_OK && r != SQLITE_DONE)
                rc = recdb_rc(r == SQLITE_ROW ? SQLITE_CORRUPT : r);
        } else {
            sqlite3_bind_text(rej, 1, o[i].reason ? o[i].reason : "", -1, SQLITE_STATIC);
            sqlite3_bind_text(rej, 2, o[i].uuid, -1, SQLITE_STATIC);
            int r = sqlite3_step(rej);
            int one = sqlite3_changes(s->db);
            sqlite3_reset(rej);
            rc = recdb_rc(r);
            done += (size_t)one;
            /* a rejection is kept for staff: one entry each, with the hub's reason */
            if (rc == KIOSK_OK && one)
                rc = store_audit_append(s, "system", "record.rejected", o[i].uuid, o[i].reason);
        }
    }
    if (rc == KIOSK_OK)
        rc = ranges_close(s, &acked);
    if (rc == KIOSK_OK)
        rc = ranges_flush(s, &acked);
    if (rc == KIOSK_OK)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (rc != KIOSK_OK)
        return rc;
    if (changed)
        *changed = done;
    return KIOSK_OK;
}

kiosk_rc store_purge_acked(store *s, int64_t cutoff_ms, const char *purge_actor, int64_t *purged)
{
    if (purged)
        *purged = 0;
    int64_t floor_ms = kiosk_clock_now_ms(s->clock) - (int64_t)s->retention_days * 86400000;
    if (cutoff_ms > floor_ms)
        cutoff_ms = floor_ms;
    kiosk_rc k = store_step_cached(s, "BEGIN IMMEDIATE");
    if (k != KIOSK_OK)
        return k;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "DELETE FROM records WHERE state = 2 AND acked_ms < ?", -1,
                                &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, cutoff_ms);
        rc = sqlite3_step(st);
    }
    int n = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    k = recdb_rc(rc);
    char detail[64];
    snprintf(detail, sizeof detail, "%d records", n);
    if (k == KIOSK_OK)
        k = store_audit_append(s, purge_actor ? purge_actor : "system", "records.purged", "",
                               detail);
    if (k == KIOSK_OK)
        k = store_commit(s);
    if (k != KIOSK_OK) {
        store_rollback(s);
        return k;
    }
    if (purged)
        *purged = n;
    kiosk_log_info("store", "purged %d acknowledged records", n);
    return KIOSK_OK;
}

kiosk_rc store_rejected_each(store *s, store_rejected_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT " SUMMARY_COLUMNS ", reject_reason FROM records"
                                " WHERE state = 3 ORDER BY seq",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_summary sum;
        read_summary(st, &sum);
        const unsigned char *reason = sqlite3_column_text(st, 9);
        if (fn(ctx, &sum, reason ? (const char *)reason : "")) {
            rc = SQLITE_DONE;
            break;
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return recdb_rc(rc);
}

static kiosk_rc meta_put(store *s, const char *key, const char *text, int64_t num, int is_text)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        s->db, "INSERT INTO meta(key, value) VALUES(?, ?) " STORE_META_UPSERT, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (is_text)
            sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, 2, num);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return recdb_rc(rc);
}

kiosk_rc store_note_sync(store *s, int ok, int64_t when_ms, const char *error)
{
    kiosk_rc rc = store_exec(s, "BEGIN IMMEDIATE");
    if (rc == KIOSK_OK)
        rc = meta_put(s, "sync_last_attempt_ms", NULL, when_ms, 0);
    if (rc == KIOSK_OK && ok)
        rc = meta_put(s, "sync_last_ok_ms", NULL, when_ms, 0);
    if (rc == KIOSK_OK)
        rc = meta_put(s, "sync_last_error", ok || !error ? "" : error, 0, 1);
    if (rc == KIOSK_OK)
        rc = store_exec(s, "COMMIT");
    if (rc != KIOSK_OK)
        store_exec(s, "ROLLBACK");
    return rc;
}

kiosk_rc store_sync_info(store *s, store_sync_note *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT key, value FROM meta WHERE key IN ('sync_last_ok_ms',"
                                " 'sync_last_attempt_ms', 'sync_last_error')",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        if (!strcmp(key, "sync_last_ok_ms"))
            out->last_ok_ms = sqlite3_column_int64(st, 1);
        else if (!strcmp(key, "sync_last_attempt_ms"))
            out->last_attempt_ms = sqlite3_column_int64(st, 1);
        else
            store_copy_col(st, 1, out->last_error, sizeof out->last_error);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    store_epoch ep;
    if (rc == SQLITE_DONE && store_epoch_info(s, &ep) == KIOSK_OK && ep.alarm[0]) {
        /* the alarm outranks a sync error on every screen that shows this line */
        snprintf(out->alarm, sizeof out->alarm, "%s", ep.alarm);
        snprintf(out->last_error, sizeof out->last_error, "ALARM: %.*s (new store epoch)",
                 (int)(sizeof out->last_error - 28), ep.alarm);
    }
    return recdb_rc(rc);
}

kiosk_rc store_set_out_of_service(store *s, int on, const char *who)
{
    kiosk_rc rc = store_step_cached(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    rc = meta_put(s, "out_of_service", NULL, on ? 1 : 0, 0);
    if (rc == KIOSK_OK)
        rc = store_audit_append(s, who ? who : "staff", on ? "service.off" : "service.on", "", "");
    if (rc == KIOSK_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

int store_out_of_service(store *s)
{
    sqlite3_stmt *st;
    int on = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'out_of_service'",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        on = sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    return on;
}

/* ---- the store epoch and the high-water mark ------------------------------------ */

/* The mark file (<db>.mark) beside the database: the epoch, the highest seq and the
 * day's receipt counter this unit has issued, rewritten after every save. It is written
 * after the commit and never synced, so it can lag behind the database (a power cut)
 * but is ahead of it only when the database went back: restored from a backup, replaced
 * by another, or lost. One line: "kiosk-store-mark-v1 <epoch hex> <seq> <day> <n>". */
#define MARK_MAGIC "kiosk-store-mark-v1"

typedef struct store_mark {
    uint8_t epoch[16];
    int64_t seq;
    char day[9];
    int64_t daily;
} store_mark;

void store_mark_write(store *s, const uint8_t epoch[16], int64_t seq, const char *day,
                      int64_t daily)
{
    char hex[33], line[128];
    sodium_bin2hex(hex, sizeof hex, epoch, 16);
    int n = snprintf(line, sizeof line, MARK_MAGIC " %s %lld %s %lld\n", hex, (long long)seq,
                     day && *day ? day : "-", (long long)daily);
    int fd = open(s->mark_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return; /* the mark is a tripwire, not the record: a save never fails for it */
    /* same length or longer than before: overwritten in place, then cut to size */
    if (n > 0 && pwrite(fd, line, (size_t)n, 0) == n)
        (void)!ftruncate(fd, n);
    close(fd);
}

static int mark_read(const store *s, store_mark *m)
{
    memset(m, 0, sizeof *m);
    FILE *f = fopen(s->mark_path, "re");
    if (!f)
        return 0;
    char hex[40] = "", day[16] = "";
    long long seq = 0, daily = 0;
    int ok = fscanf(f, MARK_MAGIC " %39s %lld %15s %lld", hex, &seq, day, &daily) == 4 &&
             strlen(hex) == 32 && sync_hex_parse(hex, m->epoch, 16) && seq >= 0 && daily >= 0;
    fclose(f);
    if (!ok)
        return 0;
    m->seq = seq;
    m->daily = daily;
    if (strlen(day) == 8)
        memcpy(m->day, day, 9);
    return 1;
}

static kiosk_rc epoch_read(store *s, uint8_t epoch[16], int64_t *last_seq)
{
    sqlite3_stmt *st;
    kiosk_rc k = KIOSK_CORRUPT;
    *last_seq = 0;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT (SELECT value FROM meta WHERE key = 'epoch'),"
                                " coalesce((SELECT CAST(value AS INTEGER) FROM meta"
                                " WHERE key = 'last_seq'), 0)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW &&
        sqlite3_column_bytes(st, 0) == 16) {
        memcpy(epoch, sqlite3_column_blob(st, 0), 16);
        *last_seq = sqlite3_column_int64(st, 1);
        k = KIOSK_OK;
    } else if (rc != SQLITE_ROW) {
        k = recdb_rc(rc);
    }
    sqlite3_finalize(st);
    return k;
}

/* Begin a new epoch inside the caller's transaction: a new random id, the sequence and
 * today's receipt counter moved past min_seq and (day, daily), the alarm set, an audit
 * entry. Numbers continue rather than restart, so neither a seq at the hub nor a receipt
 * number on paper repeats, and the hub needs no change to accept them. */
static kiosk_rc epoch_begin(store *s, const char *reason, int64_t min_seq, const char *day,
                            int64_t daily, uint8_t epoch[16], int64_t *last_seq)
{
    /* the random bytes hashed with the process and the instant: two processes forked
     * from one (or two machines restored from one snapshot) that share a generator's
     * state still make different epochs */
    struct {
        uint8_t random[32];
        pid_t pid;
        struct timespec mono, real;
    } seed;
    memset(&seed, 0, sizeof seed);
    randombytes_buf(seed.random, sizeof seed.random);
    seed.pid = getpid();
    clock_gettime(CLOCK_MONOTONIC, &seed.mono);
    clock_gettime(CLOCK_REALTIME, &seed.real);
    crypto_generichash(epoch, 16, (const uint8_t *)&seed, sizeof seed, NULL, 0);
    sodium_memzero(&seed, sizeof seed);
    int64_t now = kiosk_clock_now_ms(s->clock);
    if (min_seq > *last_seq)
        *last_seq = min_seq;
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO meta(key, value) VALUES('epoch', ?1), ('last_seq', ?2),"
                           " ('store_alarm', ?3), ('store_alarm_ms', ?4) " STORE_META_UPSERT ";",
                           -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, epoch, 16, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, *last_seq);
        sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE && day && strlen(day) == 8 && daily > 0) {
        rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO day_counter(day, n) VALUES(?, ?)"
                                " ON CONFLICT(day) DO UPDATE SET n = max(n, excluded.n)",
                                -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, daily);
            rc = sqlite3_step(st);
        }
        sqlite3_finalize(st);
    }
    if (rc == SQLITE_DONE) {
        rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO epochs(id, started_ms, first_seq, reason)"
                                " VALUES(?, ?, ?, ?)",
                                -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_blob(st, 1, epoch, 16, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, now);
            sqlite3_bind_int64(st, 3, *last_seq + 1);
            sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
            rc = sqlite3_step(st);
        }
        sqlite3_finalize(st);
    }
    kiosk_rc k = recdb_rc(rc);
    char tag[9], detail[160];
    sodium_bin2hex(tag, sizeof tag, epoch, 4);
    snprintf(detail, sizeof detail, "epoch %s from seq %lld: %s", tag, (long long)*last_seq + 1,
             reason);
    if (k == KIOSK_OK)
        k = store_audit_append(s, "system", "store.epoch_new", "", detail);
    if (k == KIOSK_OK)
        kiosk_log_warn("store", "a new store epoch: %s", detail);
    return k;
}

/* At open: compare the database with the mark. A database behind its mark, of another
 * epoch than its mark, or made just now beside a mark (missing or emptied while the unit
 * kept its device key) is never used silently: a new epoch begins past every number
 * the mark names, and the alarm is raised. */
static kiosk_rc store_epoch_check(store *s, int fresh)
{
    kiosk_rc k = store_step_cached(s, "BEGIN IMMEDIATE");
    if (k != KIOSK_OK)
        return k;
    uint8_t epoch[16];
    int64_t last_seq;
    store_mark m;
    k = epoch_read(s, epoch, &last_seq);
    int has_mark = mark_read(s, &m);
    const char *why = NULL;
    if (k == KIOSK_OK && has_mark) {
        if (fresh || (last_seq == 0 && m.seq > 0))
            why = "database missing or empty (the unit kept its key)";
        else if (sodium_memcmp(m.epoch, epoch, 16) != 0)
            why = "database replaced (restored or copied)";
        else if (m.seq > last_seq)
            why = "database behind its numbers (restored from a backup)";
    }
    int write_mark = k == KIOSK_OK && (!has_mark || why);
    if (why)
        k = epoch_begin(s, why, m.seq, m.day, m.daily, epoch, &last_seq);
    if (k == KIOSK_OK)
        k = store_commit(s);
    else
        store_rollback(s);
    if (k == KIOSK_OK) {
        memcpy(s->epoch, epoch, 16);
        if (write_mark)
            store_mark_write(s, epoch, last_seq > m.seq ? last_seq : m.seq, m.day, m.daily);
        if (why)
            kiosk_log_error("store", "%s: numbering goes on past seq %lld in a new epoch", why,
                            (long long)last_seq);
    }
    return k;
}

kiosk_rc store_epoch_past(store *s, int64_t seq, int conflict, const char *why, int *started)
{
    if (started)
        *started = 0;
    kiosk_rc k = store_step_cached(s, "BEGIN IMMEDIATE");
    if (k != KIOSK_OK)
        return k;
    uint8_t epoch[16];
    int64_t last_seq;
    k = epoch_read(s, epoch, &last_seq);
    int behind = k == KIOSK_OK && (seq > last_seq || conflict);
    if (behind) {
        /* Another copy of this unit may be issuing the numbers right after the hub's: this
         * one moves to a block of its own, a random one of 1024 blocks of 2^20 above. */
        int64_t past = seq > last_seq ? seq : last_seq;
        int64_t block = ((past >> 20) + 1 + (int64_t)randombytes_uniform(1024)) << 20;
        /* the hub holds seq - last_seq records this database never saw; at most that many
         * receipt numbers of today were issued with them: today's counter goes past them */
        kiosk_date d = kiosk_clock_today(s->clock);
        char day[9];
        snprintf(day, sizeof day, "%04d%02d%02d", d.year, d.month, d.day);
        int64_t daily = 0;
        sqlite3_stmt *st;
        if (seq > last_seq && sqlite3_prepare_v2(s->db, "SELECT n FROM day_counter WHERE day = ?",
                                                 -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                daily = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            daily += seq - last_seq;
        }
        k = epoch_begin(s, why, block, daily ? day : NULL, daily, epoch, &last_seq);
    }
    if (k == KIOSK_OK)
        k = store_commit(s);
    else
        store_rollback(s);
    if (k != KIOSK_OK || !behind)
        return k;
    store_mark m;
    int has = mark_read(s, &m);
    memcpy(s->epoch, epoch, 16);
    store_mark_write(s, epoch, last_seq, has ? m.day : "", has ? m.daily : 0);
    if (started)
        *started = 1;
    return KIOSK_OK;
}

kiosk_rc store_epoch_info(store *s, store_epoch *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        s->db,
        "SELECT (SELECT value FROM meta WHERE key = 'epoch'),"
        " (SELECT started_ms FROM epochs WHERE id = (SELECT value FROM meta WHERE key = 'epoch')),"
        " (SELECT count(*) FROM epochs),"
        " (SELECT value FROM meta WHERE key = 'store_alarm'),"
        " (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'store_alarm_ms'),"
        " coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_seq'), 0)",
        -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) == 16)
            memcpy(out->id, sqlite3_column_blob(st, 0), 16);
        out->started_ms = sqlite3_column_int64(st, 1);
        out->epochs = sqlite3_column_int64(st, 2);
        store_copy_col(st, 3, out->alarm, sizeof out->alarm);
        out->alarm_ms = sqlite3_column_int64(st, 4);
        out->last_seq = sqlite3_column_int64(st, 5);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return recdb_rc(rc);
}

kiosk_rc store_requeue_conflicts(store *s, size_t *requeued)
{
    if (requeued)
        *requeued = 0;
    /* done once in the database's life: after that one cached read, no transaction */
    sqlite3_stmt *flag = store_cached(s, "SELECT 1 FROM meta WHERE key = 'conflicts_requeued'");
    int seen = flag && sqlite3_step(flag) == SQLITE_ROW;
    if (flag)
        sqlite3_reset(flag);
    if (seen)
        return KIOSK_OK;
    kiosk_rc k = store_step_cached(s, "BEGIN IMMEDIATE");
    if (k != KIOSK_OK)
        return k;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM meta WHERE key = 'conflicts_requeued'", -1,
                                &st, NULL);
    int done = rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW;
    sqlite3_finalize(st);
    k = done ? KIOSK_OK : recdb_rc(rc == SQLITE_ROW ? SQLITE_DONE : rc);
    int n = 0;
    if (k == KIOSK_OK && !done) {
        k = store_exec(s, "UPDATE records SET state = 0, reject_reason = NULL"
                          " WHERE state = 3 AND reject_reason = 'seq_conflict'");
        n = sqlite3_changes(s->db);
        if (k == KIOSK_OK)
            k = meta_put(s, "conflicts_requeued", NULL, kiosk_clock_now_ms(s->clock), 0);
        char detail[64];
        snprintf(detail, sizeof detail, "%d records refused as seq_conflict", n);
        if (k == KIOSK_OK && n > 0)
            k = store_audit_append(s, "system", "records.requeued", "", detail);
    }
    if (k != KIOSK_OK) {
        store_rollback(s);
        return k;
    }
    k = store_commit(s);
    if (k == KIOSK_OK && requeued)
        *requeued = (size_t)n;
    return k;
}

kiosk_rc store_alarm_clear(store *s, const char *who)
{
    kiosk_rc rc = store_step_cached(s, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    rc = meta_put(s, "store_alarm", "", 0, 1);
    /* a rolled-back audit log the hub showed us is acknowledged, not forgotten: the
     * audit entry stays, kioskctl audit verify stops failing on this one anchor */
    if (rc == KIOSK_OK)
        rc = store_exec(s, "INSERT INTO meta(key, value) SELECT 'hub_audit_ack', value FROM meta"
                           " WHERE key = 'hub_audit_anchor' " STORE_META_UPSERT);
    if (rc == KIOSK_OK)
        rc = store_audit_append(s, who ? who : "staff", "store.alarm_cleared", "", "");
    if (rc == KIOSK_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

/* ---- 我的办理记录: the hub's last word on a record ------------------------------------ */

kiosk_rc store_hub_state_put(store *s, const char *uuid, const store_hub_state *st)
{
    if (!uuid || strnlen(st->note, sizeof st->note) >= sizeof st->note)
        return KIOSK_INVALID;
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO record_hub_states(record_id, state, note, changed_ms,"
                                " heard_ms) SELECT id, ?, ?, ?, ? FROM records WHERE uuid = ?"
                                " ON CONFLICT(record_id) DO UPDATE SET state = excluded.state,"
                                " note = excluded.note, changed_ms = excluded.changed_ms,"
                                " heard_ms = excluded.heard_ms",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return recdb_rc(rc);
    sqlite3_bind_int(q, 1, st->state);
    sqlite3_bind_text(q, 2, st->note, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, st->changed_ms);
    sqlite3_bind_int64(q, 4, st->heard_ms);
    sqlite3_bind_text(q, 5, uuid, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return recdb_rc(rc);
    return sqlite3_changes(s->db) == 1 ? KIOSK_OK : KIOSK_NOT_FOUND;
}

kiosk_rc store_hub_state_get(store *s, const char *uuid, store_hub_state *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT h.state, h.note, h.changed_ms, h.heard_ms FROM"
                                " record_hub_states h JOIN records r ON r.id = h.record_id"
                                " WHERE r.uuid = ?",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return recdb_rc(rc);
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    kiosk_rc k = KIOSK_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        out->state = sqlite3_column_int(q, 0);
        snprintf(out->note, sizeof out->note, "%s", (const char *)sqlite3_column_text(q, 1));
        out->changed_ms = sqlite3_column_int64(q, 2);
        out->heard_ms = sqlite3_column_int64(q, 3);
        k = KIOSK_OK;
    } else if (rc != SQLITE_DONE) {
        k = recdb_rc(rc);
    }
    sqlite3_finalize(q);
    return k;
}
