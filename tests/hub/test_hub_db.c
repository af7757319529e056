/* Tests of the hub's database, on both backends: SQLite, then PostgreSQL (a private server,
 * tests/tools/pg_server.h; skipped with a message only when PostgreSQL is not installed).
 * Schema creation from an empty file and refusal of newer schemas (SQLite), devices (add, rename,
 * remove, re-admit), every ingest outcome (accepted, duplicate, uuid and seq conflicts, bad record
 * signature, unknown device) with nothing changed by a rejection, replay memory with pruning, gaps,
 * the ordered walk, and the ingest rate of 10,000 records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef KIOSK_HUB_POSTGRESQL
#include <libpq-fe.h>
#endif
#include <sys/wait.h>

#include "hub/hub_db.h"
#include "pg_server.h"

static char dir[512], path[600];
static uint8_t dev_pk[32], dev_sk[64], other_pk[32], other_sk[64];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/hub-db-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return -1;
    crypto_sign_keypair(dev_pk, dev_sk);
    crypto_sign_keypair(other_pk, other_sk);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The backend of the group running: SQLite files, or databases on this private server. */
static pg_server *pg;

/* An empty store: a new SQLite file, or a new PostgreSQL database (path is its URL). */
static hub_db *fresh(const char *name)
{
    if (pg) {
        assert_int_equal(pg_server_fresh_db(pg, name, path, sizeof path), 0);
    } else {
        snprintf(path, sizeof path, "%s/%s.db", dir, name);
        unlink(path);
    }
    hub_db *db;
    assert_int_equal(hub_db_open(path, &db), KIOSK_OK);
    return db;
}

static void make_uuid(char out[SYNC_UUID_LEN + 1])
{
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
    char hex[33];
    sync_hex_format(b, 16, hex);
    snprintf(out, SYNC_UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
}

/* A signed record with random "sealed" bytes (the hub never opens them). */
static void make_record(sync_record *r, int64_t seq, const uint8_t sk[64])
{
    memset(r, 0, sizeof *r);
    make_uuid(r->uuid);
    r->seq = seq;
    r->sealed_len = 120;
    r->sealed = malloc(r->sealed_len);
    assert_non_null(r->sealed);
    randombytes_buf(r->sealed, r->sealed_len);
    sync_record_sign(r, sk);
}

/* Free the sealed bytes of records in caller storage (sync_records_free frees the array). */
static void free_recs(sync_record *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i].sealed);
}

static sync_result ingest1(hub_db *db, const uint8_t pk[32], const sync_record *r)
{
    sync_result res;
    assert_int_equal(hub_db_ingest(db, pk, r, 1, "http", 1000, &res), KIOSK_OK);
    assert_string_equal(res.uuid, r->uuid);
    return res;
}

static int64_t count_records(hub_db *db, const uint8_t pk[32])
{
    int64_t n, max;
    assert_int_equal(hub_db_device_counts(db, pk, &n, &max), KIOSK_OK);
    return n;
}

static void test_migrate_from_empty_file(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "%s/empty.db", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fclose(f);
    hub_db *db;
    assert_int_equal(hub_db_open(path, &db), KIOSK_OK);
    hub_db_close(db);

    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), HUB_DB_SCHEMA_VERSION);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                        " AND name IN ('devices', 'records', 'seen_requests')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 3);
    sqlite3_finalize(st);

    /* reopening an up-to-date database changes nothing */
    assert_int_equal(hub_db_open(path, &db), KIOSK_OK);
    hub_db_close(db);

    /* a newer schema is refused, not guessed at */
    assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    db = (hub_db *)1;
    assert_int_equal(hub_db_open(path, &db), KIOSK_CORRUPT);
    assert_null(db);

    /* not a database at all */
    snprintf(path, sizeof path, "%s/garbage.db", dir);
    f = fopen(path, "wb");
    fputs("this is not an SQLite database, not even close to one......", f);
    fclose(f);
    assert_int_not_equal(hub_db_open(path, &db), KIOSK_OK);
    assert_null(db);
}

static void test_devices(void **state)
{
    (void)state;
    hub_db *db = fresh("devices");
    assert_int_equal(hub_db_device_known(db, dev_pk), KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_device_remove(db, dev_pk), KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_device_add(db, dev_pk, "大厅一号 kiosk-01", 5), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, other_pk, NULL, 6), KIOSK_OK);
    assert_int_equal(hub_db_device_known(db, dev_pk), KIOSK_OK);
    /* adding again renames */
    assert_int_equal(hub_db_device_add(db, dev_pk, "kiosk-01", 7), KIOSK_OK);

    hub_device *list;
    size_t n;
    assert_int_equal(hub_db_device_list(db, &list, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    int i = memcmp(list[0].public_key, dev_pk, 32) == 0 ? 0 : 1;
    assert_memory_equal(list[i].public_key, dev_pk, 32);
    assert_string_equal(list[i].name, "kiosk-01");
    assert_int_equal(list[i].added_ms, 5);
    assert_int_equal(list[i].removed, 0);
    assert_int_equal(list[i].records, 0);
    assert_string_equal(list[1 - i].name, "");
    free(list);

    sync_record r;
    make_record(&r, 1, dev_sk);
    assert_int_equal(ingest1(db, dev_pk, &r).status, SYNC_ACCEPTED);

    /* removal keeps the records but refuses new ones; adding re-admits */
    assert_int_equal(hub_db_device_remove(db, dev_pk), KIOSK_OK);
    assert_int_equal(hub_db_device_remove(db, dev_pk), KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_device_known(db, dev_pk), KIOSK_NOT_FOUND);
    assert_int_equal(count_records(db, dev_pk), 1);
    sync_record r2;
    make_record(&r2, 2, dev_sk);
    sync_result res;
    assert_int_equal(hub_db_ingest(db, dev_pk, &r2, 1, "http", 1, &res), KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_device_list(db, &list, &n), KIOSK_OK);
    assert_int_equal(list[i].removed, 1);
    assert_int_equal(list[i].records, 1);
    assert_int_equal(list[i].max_seq, 1);
    free(list);
    assert_int_equal(hub_db_device_add(db, dev_pk, "kiosk-01", 8), KIOSK_OK);
    assert_int_equal(ingest1(db, dev_pk, &r2).status, SYNC_ACCEPTED);

    uint8_t unknown[32] = {1};
    int64_t cnt, max;
    assert_int_equal(hub_db_device_counts(db, unknown, &cnt, &max), KIOSK_NOT_FOUND);
    free_recs(&r, 1);
    free_recs(&r2, 1);
    hub_db_close(db);
}

static void test_ingest_outcomes(void **state)
{
    (void)state;
    hub_db *db = fresh("outcomes");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, other_pk, "b", 1), KIOSK_OK);

    sync_record r1;
    make_record(&r1, 1, dev_sk);
    sync_result res = ingest1(db, dev_pk, &r1);
    assert_int_equal(res.status, SYNC_ACCEPTED);
    assert_string_equal(res.reason, "");

    /* the same record again: a duplicate, nothing to do */
    res = ingest1(db, dev_pk, &r1);
    assert_int_equal(res.status, SYNC_DUPLICATE);
    assert_string_equal(res.reason, "");
    assert_int_equal(count_records(db, dev_pk), 1);

    /* same uuid, other content */
    sync_record c = r1;
    uint8_t other_sealed[120];
    memcpy(other_sealed, r1.sealed, sizeof other_sealed);
    other_sealed[0] ^= 1;
    c.sealed = other_sealed;
    sync_record_sign(&c, dev_sk);
    res = ingest1(db, dev_pk, &c);
    assert_int_equal(res.status, SYNC_REJECTED);
    assert_string_equal(res.reason, "uuid_conflict");

    /* same uuid, other seq */
    c = r1;
    c.seq = 5;
    sync_record_sign(&c, dev_sk);
    res = ingest1(db, dev_pk, &c);
    assert_int_equal(res.status, SYNC_REJECTED);
    assert_string_equal(res.reason, "uuid_conflict");

    /* same uuid from another device */
    c = r1;
    sync_record_sign(&c, other_sk);
    res = ingest1(db, other_pk, &c);
    assert_int_equal(res.status, SYNC_REJECTED);
    assert_string_equal(res.reason, "uuid_conflict");

    /* the device's seq 1 under another uuid */
    sync_record r1b;
    make_record(&r1b, 1, dev_sk);
    res = ingest1(db, dev_pk, &r1b);
    assert_int_equal(res.status, SYNC_REJECTED);
    assert_string_equal(res.reason, "seq_conflict");
    /* ... which is fine for another device */
    sync_record_sign(&r1b, other_sk);
    assert_int_equal(ingest1(db, other_pk, &r1b).status, SYNC_ACCEPTED);

    /* a record signed by another key, or altered after signing */
    sync_record bad;
    make_record(&bad, 2, other_sk);
    res = ingest1(db, dev_pk, &bad);
    assert_int_equal(res.status, SYNC_REJECTED);
    assert_string_equal(res.reason, "bad_record_signature");
    sync_record_sign(&bad, dev_sk);
    bad.sealed[7] ^= 0x80;
    res = ingest1(db, dev_pk, &bad);
    assert_string_equal(res.reason, "bad_record_signature");
    assert_int_equal(count_records(db, dev_pk), 1);

    /* unknown device, bad source: refused, nothing stored */
    uint8_t stranger_pk[32], stranger_sk[64];
    crypto_sign_keypair(stranger_pk, stranger_sk);
    sync_record s;
    make_record(&s, 1, stranger_sk);
    assert_int_equal(hub_db_ingest(db, stranger_pk, &s, 1, "http", 1, &res), KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_ingest(db, dev_pk, &s, 1, "carrier pigeon", 1, &res), KIOSK_INVALID);

    /* a batch: decisions in order; records of a batch see each other */
    sync_record batch[5];
    make_record(&batch[0], 2, dev_sk);
    make_record(&batch[1], 3, dev_sk);
    batch[2] = batch[0];               /* same record twice in one batch */
    make_record(&batch[3], 3, dev_sk); /* seq 3 again, other uuid */
    batch[4] = r1;
    sync_result results[5];
    assert_int_equal(hub_db_ingest(db, dev_pk, batch, 5, "bundle", 42, results), KIOSK_OK);
    assert_int_equal(results[0].status, SYNC_ACCEPTED);
    assert_int_equal(results[1].status, SYNC_ACCEPTED);
    assert_int_equal(results[2].status, SYNC_DUPLICATE);
    assert_int_equal(results[3].status, SYNC_REJECTED);
    assert_string_equal(results[3].reason, "seq_conflict");
    assert_int_equal(results[4].status, SYNC_DUPLICATE);
    assert_int_equal(count_records(db, dev_pk), 3);
    /* an empty batch is fine */
    assert_int_equal(hub_db_ingest(db, dev_pk, NULL, 0, "http", 1, NULL), KIOSK_OK);

    free_recs(&r1, 1);
    free_recs(&r1b, 1);
    free_recs(&bad, 1);
    free_recs(&s, 1);
    free(batch[0].sealed);
    free(batch[1].sealed);
    free(batch[3].sealed);
    hub_db_close(db);
}

static void test_seen_requests(void **state)
{
    (void)state;
    hub_db *db = fresh("seen");
    uint8_t sig[64], sig2[64];
    randombytes_buf(sig, sizeof sig);
    randombytes_buf(sig2, sizeof sig2);
    int seen = -1;
    int64_t t0 = 1700000000000LL;
    /* a check without remembering leaves no trace */
    assert_int_equal(hub_db_seen_request(db, sig, t0, 0, &seen), KIOSK_OK);
    assert_int_equal(seen, 0);
    assert_int_equal(hub_db_seen_request(db, sig, t0, 1, &seen), KIOSK_OK);
    assert_int_equal(seen, 0);
    assert_int_equal(hub_db_seen_request(db, sig, t0 + 1000, 1, &seen), KIOSK_OK);
    assert_int_equal(seen, 1);
    assert_int_equal(hub_db_seen_request(db, sig2, t0 + 20000, 1, &seen), KIOSK_OK);
    assert_int_equal(seen, 0);
    /* still remembered just inside 2 x the skew, forgotten after */
    assert_int_equal(hub_db_seen_request(db, sig, t0 + 2 * SYNC_SKEW_MS, 0, &seen), KIOSK_OK);
    assert_int_equal(seen, 1);
    assert_int_equal(hub_db_seen_request(db, sig, t0 + 2 * SYNC_SKEW_MS + 1, 0, &seen), KIOSK_OK);
    assert_int_equal(seen, 0);
    /* forgotten, it is new again when remembered (the PostgreSQL backend may not have
     * pruned it yet: it prunes at most every 10 s) */
    assert_int_equal(hub_db_seen_request(db, sig, t0 + 2 * SYNC_SKEW_MS + 1, 1, &seen), KIOSK_OK);
    assert_int_equal(seen, 0);
    assert_int_equal(hub_db_seen_request(db, sig, t0 + 2 * SYNC_SKEW_MS + 2, 0, &seen), KIOSK_OK);
    assert_int_equal(seen, 1);
    /* pruned by then on both backends: sig's first row went, its second and sig2's stay */
    assert_int_equal(hub_db_seen_request(db, sig2, t0 + 2 * SYNC_SKEW_MS + 15000, 0, &seen),
                     KIOSK_OK);
    assert_int_equal(seen, 1);
    hub_db_close(db);

#ifdef KIOSK_HUB_POSTGRESQL
    if (pg) {
        PGconn *c = PQconnectdb(path);
        PGresult *r = PQexec(c, "SELECT count(*) FROM seen_requests");
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        assert_string_equal(PQgetvalue(r, 0, 0), "2"); /* sig again, sig2 */
        PQclear(r);
        PQfinish(c);
        return;
    }
#endif
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw, "SELECT count(*) FROM seen_requests", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2); /* sig again, sig2 */
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

static void test_gaps_and_walk(void **state)
{
    (void)state;
    hub_db *db = fresh("gaps");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, other_pk, "b", 1), KIOSK_OK);
    hub_gap *gaps;
    size_t n;
    assert_int_equal(hub_db_gaps(db, dev_pk, &gaps, &n), KIOSK_OK);
    assert_int_equal(n, 0);
    assert_null(gaps);

    static const int64_t seqs[] = {10, 1, 2, 3, 7, 8};
    sync_record recs[6];
    sync_result results[6];
    for (int i = 0; i < 6; i++)
        make_record(&recs[i], seqs[i], dev_sk);
    assert_int_equal(hub_db_ingest(db, dev_pk, recs, 6, "http", 1, results), KIOSK_OK);
    sync_record o;
    make_record(&o, 3, other_sk);
    assert_int_equal(hub_db_ingest(db, other_pk, &o, 1, "http", 1, results), KIOSK_OK);

    assert_int_equal(hub_db_gaps(db, dev_pk, &gaps, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_int_equal(gaps[0].first, 4);
    assert_int_equal(gaps[0].last, 6);
    assert_int_equal(gaps[1].first, 9);
    assert_int_equal(gaps[1].last, 9);
    free(gaps);
    assert_int_equal(hub_db_gaps(db, other_pk, &gaps, &n), KIOSK_OK);
    assert_int_equal(n, 1);
    assert_int_equal(gaps[0].first, 1);
    assert_int_equal(gaps[0].last, 2);
    free(gaps);
    int64_t cnt, max;
    assert_int_equal(hub_db_device_counts(db, dev_pk, &cnt, &max), KIOSK_OK);
    assert_int_equal(cnt, 6);
    assert_int_equal(max, 10);
    uint8_t unknown[32] = {0};
    assert_int_equal(hub_db_gaps(db, unknown, &gaps, &n), KIOSK_NOT_FOUND);

    free_recs(recs, 6);
    free_recs(&o, 1);
    hub_db_close(db);
}

typedef struct walk {
    int count;
    uint8_t last_device[32];
    int64_t last_seq;
    int ordered;
} walk;

static kiosk_rc walk_cb(void *ctx, const hub_db_record *rec)
{
    walk *w = ctx;
    int c = w->count ? memcmp(w->last_device, rec->device, 32) : -1;
    if (c > 0 || (c == 0 && rec->seq <= w->last_seq))
        w->ordered = 0;
    memcpy(w->last_device, rec->device, 32);
    w->last_seq = rec->seq;
    if (rec->sealed_len != 120 || strcmp(rec->source, "http") != 0)
        w->ordered = 0;
    return ++w->count == 5 ? KIOSK_BUSY : KIOSK_OK;
}

static void test_walk_order(void **state)
{
    (void)state;
    hub_db *db = fresh("walk");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, other_pk, "b", 1), KIOSK_OK);
    sync_record recs[3];
    sync_result results[3];
    for (int i = 0; i < 3; i++)
        make_record(&recs[i], 3 - i, dev_sk);
    assert_int_equal(hub_db_ingest(db, dev_pk, recs, 3, "http", 1, results), KIOSK_OK);
    free_recs(recs, 3);
    for (int i = 0; i < 3; i++)
        make_record(&recs[i], 3 - i, other_sk);
    assert_int_equal(hub_db_ingest(db, other_pk, recs, 3, "http", 1, results), KIOSK_OK);
    free_recs(recs, 3);
    walk w = {.ordered = 1};
    assert_int_equal(hub_db_foreach_record(db, walk_cb, &w), KIOSK_BUSY);
    assert_int_equal(w.count, 5);
    assert_int_equal(w.ordered, 1);
    hub_db_close(db);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_ingest_rate(void **state)
{
    (void)state;
    hub_db *db = fresh("rate");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    enum { TOTAL = 10000, BATCH = 1000 };
    sync_record *recs = calloc(TOTAL, sizeof *recs);
    sync_result *results = calloc(BATCH, sizeof *results);
    assert_non_null(recs);
    assert_non_null(results);
    for (int i = 0; i < TOTAL; i++)
        make_record(&recs[i], i + 1, dev_sk);
    double t0 = seconds();
    for (int b = 0; b < TOTAL / BATCH; b++) {
        assert_int_equal(hub_db_ingest(db, dev_pk, recs + b * BATCH, BATCH, "http", 1, results),
                         KIOSK_OK);
        for (int i = 0; i < BATCH; i++)
            assert_int_equal(results[i].status, SYNC_ACCEPTED);
    }
    double dt = seconds() - t0;
    printf("# ingest (%s): %d records in %.3f s (%.0f records/s)\n", hub_db_backend(db), TOTAL, dt,
           TOTAL / dt);
    /* 10,000/s is the target on the hub's hardware; sanitizer builds get slack (PostgreSQL:
     * its figure is bench_hub's, against a server shared with the other tests) */
    if (!pg)
        assert_true(dt < 5.0);
    assert_int_equal(count_records(db, dev_pk), TOTAL);
    sync_records_free(recs, TOTAL); /* heap array */
    free(results);
    hub_db_close(db);
}

/* The checkpoint policy: past 1,000 WAL frames a thread of the hub's copies the WAL into
 * the database while the ingest connection stays open; the ingest commits themselves
 * would not (their own autocheckpoint waits for 16,384 frames, 64 MiB). So the database
 * file grows to hold what was ingested only if the checkpointer ran: all of it but what
 * the last commits left in the WAL under the 1,000 frames (4 MiB) that wake the thread —
 * at least a third of 10.4 MB; without the thread it stays at its first page. */
static void test_checkpoints_off_the_ingest_path(void **state)
{
    (void)state;
    hub_db *db = fresh("ckpt");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    enum { BATCHES = 20, BATCH = 50, SEALED = 10400 };
    static sync_record recs[BATCH];
    static sync_result res[BATCH];
    for (int b = 0; b < BATCHES; b++) {
        for (int i = 0; i < BATCH; i++) {
            make_record(&recs[i], b * BATCH + i + 1, dev_sk);
            free(recs[i].sealed);
            recs[i].sealed_len = SEALED;
            recs[i].sealed = malloc(SEALED);
            assert_non_null(recs[i].sealed);
            randombytes_buf(recs[i].sealed, SEALED);
            sync_record_sign(&recs[i], dev_sk);
        }
        assert_int_equal(hub_db_ingest(db, dev_pk, recs, BATCH, "http", 1, res), KIOSK_OK);
        for (int i = 0; i < BATCH; i++)
            assert_int_equal(res[i].status, SYNC_ACCEPTED);
        free_recs(recs, BATCH);
    }
    long long want = (long long)BATCHES * BATCH * SEALED / 3, size = 0;
    for (int tries = 0; tries < 500 && size < want; tries++) {
        struct stat st;
        size = stat(path, &st) == 0 ? (long long)st.st_size : 0;
        if (size < want)
            usleep(10000);
    }
    printf("# database file %lld bytes for %d bytes of records\n", size, BATCHES * BATCH * SEALED);
    assert_true(size >= want);
    assert_int_equal(count_records(db, dev_pk), BATCHES * BATCH);
    hub_db_close(db);
}

/* A batch big enough that its records are checked on helper threads beside the inserts:
 * each refused record (another key's signature, bytes altered after signing, a bad uuid)
 * is refused in its own place, everything else stored, the answers in order, and a
 * refused record's place is not taken by its neighbour's check. */
static void test_ingest_checks_a_big_batch_in_order(void **state)
{
    (void)state;
    hub_db *db = fresh("checks");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    enum { N = 97 };
    sync_record recs[N];
    sync_result res[N];
    for (int i = 0; i < N; i++)
        make_record(&recs[i], i + 1, i % 10 == 3 ? other_sk : dev_sk);
    recs[50].sealed[0] ^= 1; /* altered after signing */
    recs[77].uuid[0] = 'X';  /* not a uuid */
    recs[96].seq = 0;        /* not a seq */
    assert_int_equal(hub_db_ingest(db, dev_pk, recs, N, "http", 1, res), KIOSK_OK);
    int stored = 0;
    for (int i = 0; i < N; i++) {
        assert_string_equal(res[i].uuid, recs[i].uuid);
        const char *want = i % 10 == 3 || i == 50 ? "bad_record_signature"
                           : i == 77              ? "bad_uuid"
                           : i == 96              ? "bad_seq"
                                                  : "";
        assert_string_equal(res[i].reason, want);
        assert_int_equal(res[i].status, *want ? SYNC_REJECTED : SYNC_ACCEPTED);
        if (!*want) {
            uint8_t h[32];
            sync_sha256(h, recs[i].sealed, recs[i].sealed_len);
            assert_true(res[i].has_sealed_sha256);
            assert_memory_equal(res[i].sealed_sha256, h, 32);
            stored++;
        }
    }
    assert_int_equal(count_records(db, dev_pk), stored);
    /* again: every stored one a duplicate, the refused ones refused again */
    assert_int_equal(hub_db_ingest(db, dev_pk, recs, N, "http", 2, res), KIOSK_OK);
    for (int i = 0; i < N; i++)
        assert_int_equal(res[i].status, *res[i].reason ? SYNC_REJECTED : SYNC_DUPLICATE);
    assert_int_equal(count_records(db, dev_pk), stored);
    free_recs(recs, N);
    hub_db_close(db);
}

/* Conflicts inside one batch, and across the PostgreSQL backend's statements of 1,000
 * records: each record is decided as if the batch were stored one record after another —
 * an exact copy of an earlier record a duplicate, its uuid under another seq a
 * uuid_conflict, its seq under another uuid a seq_conflict (both kept for
 * reconciliation) — on both backends alike. */
static void test_ingest_conflicts_inside_one_batch(void **state)
{
    (void)state;
    hub_db *db = fresh("inbatch");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    enum { N = 2105 };
    sync_record *recs = calloc(N, sizeof *recs);
    sync_result *res = calloc(N, sizeof *res);
    assert_non_null(recs);
    assert_non_null(res);
    for (int i = 0; i < N; i++)
        make_record(&recs[i], i + 1, dev_sk);
    /* 2100: a copy of 5 (in an earlier statement); 2101: 6's uuid at its own seq; 2102:
     * 7's seq under its own uuid; 2103: 2104's uuid and seq, other bytes, before it */
    memcpy(recs[2100].sealed, recs[5].sealed, recs[5].sealed_len);
    memcpy(recs[2100].uuid, recs[5].uuid, sizeof recs[2100].uuid);
    recs[2100].seq = recs[5].seq;
    sync_record_sign(&recs[2100], dev_sk);
    memcpy(recs[2101].uuid, recs[6].uuid, sizeof recs[2101].uuid);
    sync_record_sign(&recs[2101], dev_sk);
    recs[2102].seq = recs[7].seq;
    sync_record_sign(&recs[2102], dev_sk);
    memcpy(recs[2103].uuid, recs[2104].uuid, sizeof recs[2103].uuid);
    recs[2103].seq = recs[2104].seq;
    sync_record_sign(&recs[2103], dev_sk);
    assert_int_equal(hub_db_ingest(db, dev_pk, recs, N, "bundle", 1, res), KIOSK_OK);
    for (int i = 0; i < N; i++) {
        assert_string_equal(res[i].uuid, recs[i].uuid);
        assert_true(res[i].has_sealed_sha256);
        const char *want = i == 2101 || i == 2104 ? "uuid_conflict"
                           : i == 2102            ? "seq_conflict"
                                                  : "";
        assert_string_equal(res[i].reason, want);
        assert_int_equal(res[i].status, *want       ? SYNC_REJECTED
                                        : i == 2100 ? SYNC_DUPLICATE
                                                    : SYNC_ACCEPTED);
    }
    assert_int_equal(count_records(db, dev_pk), N - 4);
    int64_t kept, conflicts;
    assert_int_equal(hub_db_reconcile_count(db, &kept, &conflicts), KIOSK_OK);
    assert_int_equal(kept, 3);
    assert_int_equal(conflicts, 1);
    free_recs(recs, N);
    free(recs);
    free(res);
    hub_db_close(db);
}

/* The mark a device's signed reply carries: its highest seq and the audit head it gave,
 * as held before this request; a later head replaces it, an earlier one (a unit whose
 * log went back) never does. */
static void test_mark_head_only_moves_forward(void **state)
{
    (void)state;
    hub_db *db = fresh("mark");
    sync_mark m;
    sync_head h = {.present = 1, .audit_id = 10};
    memset(h.audit_hash, 0xAA, 32);
    assert_int_equal(hub_db_mark(db, dev_pk, &h, 1, &m), KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    assert_int_equal(hub_db_mark(db, dev_pk, &h, 1, &m), KIOSK_OK);
    assert_true(m.present);
    assert_int_equal(m.audit_id, 0); /* none held before */
    assert_int_equal(m.max_seq, 0);
    sync_record r;
    sync_result res;
    make_record(&r, 4, dev_sk);
    assert_int_equal(hub_db_ingest(db, dev_pk, &r, 1, "http", 2, &res), KIOSK_OK);
    free_recs(&r, 1);
    sync_head back = {.present = 1, .audit_id = 7};
    memset(back.audit_hash, 0xBB, 32);
    assert_int_equal(hub_db_mark(db, dev_pk, &back, 3, &m), KIOSK_OK);
    assert_int_equal(m.audit_id, 10);
    assert_int_equal(m.audit_hash[0], 0xAA);
    assert_int_equal(m.max_seq, 4);
    assert_int_equal(hub_db_mark(db, dev_pk, NULL, 4, &m), KIOSK_OK);
    assert_int_equal(m.audit_id, 10); /* the earlier head was not taken */
    h.audit_id = 12;
    memset(h.audit_hash, 0xCC, 32);
    assert_int_equal(hub_db_mark(db, dev_pk, &h, 5, &m), KIOSK_OK);
    assert_int_equal(hub_db_mark(db, dev_pk, NULL, 6, &m), KIOSK_OK);
    assert_int_equal(m.audit_id, 12);
    assert_int_equal(m.audit_hash[0], 0xCC);
    hub_db_close(db);
}

/* A records request (hub_db_ingest_request): the records, the signature remembered and the
 * mark after the batch (on PostgreSQL in one transaction); a replay of the signature
 * stores nothing, and a request refused leaves its signature unremembered. */
static void test_ingest_request(void **state)
{
    (void)state;
    hub_db *db = fresh("request");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    uint8_t epoch[16], sig[64], sig2[64];
    randombytes_buf(epoch, sizeof epoch);
    randombytes_buf(sig, sizeof sig);
    randombytes_buf(sig2, sizeof sig2);
    sync_head head = {.present = 1, .audit_id = 5, .has_epoch = 1};
    memset(head.audit_hash, 0xAA, 32);
    memcpy(head.epoch, epoch, 16);
    sync_record r[5];
    for (int i = 0; i < 5; i++)
        make_record(&r[i], i + 1, dev_sk);
    /* two of the first batch carry metadata (signed with it), kept with them */
    for (int i = 0; i < 2; i++) {
        snprintf(r[i].record_type, sizeof r[i].record_type, "registration");
        snprintf(r[i].receipt_no, sizeof r[i].receipt_no, "DEMO01-20261205-000%d", i + 1);
        sync_record_sign_meta(&r[i], epoch, dev_sk);
    }
    sync_result res[5];
    sync_mark mark;
    int replayed = -1, seen = -1;
    int64_t now = 1700000000000LL;
    assert_int_equal(
        hub_db_ingest_request(db, dev_pk, epoch, r, 3, now, sig, &head, res, &replayed, &mark),
        KIOSK_OK);
    assert_int_equal(replayed, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(res[i].status, SYNC_ACCEPTED);
    assert_true(mark.present); /* after this batch, with the head held before it */
    assert_int_equal(mark.max_seq, 3);
    assert_true(mark.has_epoch);
    assert_memory_equal(mark.epoch, epoch, 16);
    assert_int_equal(mark.audit_id, 0);
    assert_int_equal(hub_db_seen_request(db, sig, now + 1, 0, &seen), KIOSK_OK);
    assert_int_equal(seen, 1);
    /* the head was kept */
    assert_int_equal(hub_db_mark_epoch(db, dev_pk, epoch, NULL, now + 1, &mark), KIOSK_OK);
    assert_int_equal(mark.audit_id, 5);
    assert_int_equal(mark.audit_hash[0], 0xAA);
    char found[SYNC_UUID_LEN + 1];
    assert_int_equal(hub_db_find_receipt(db, dev_pk, "DEMO01-20261205-0002", found), KIOSK_OK);
    assert_string_equal(found, r[1].uuid);
    /* the same signature again, carrying other records */
    assert_int_equal(hub_db_ingest_request(db, dev_pk, epoch, r + 3, 2, now + 2, sig, &head, res,
                                           &replayed, &mark),
                     KIOSK_OK);
    assert_int_equal(replayed, 1); /* nothing stored, no mark */
    assert_false(mark.present);
    assert_int_equal(count_records(db, dev_pk), 3);
    /* no head: no mark */
    sync_head none = {0};
    sync_record more;
    make_record(&more, 6, dev_sk);
    assert_int_equal(hub_db_ingest_request(db, dev_pk, epoch, &more, 1, now + 3, sig2, &none, res,
                                           &replayed, &mark),
                     KIOSK_OK);
    assert_int_equal(replayed, 0);
    assert_false(mark.present);
    assert_int_equal(res[0].status, SYNC_ACCEPTED);
    /* an unknown device: refused, and its signature not remembered */
    uint8_t sig3[64];
    randombytes_buf(sig3, sizeof sig3);
    sync_record theirs;
    make_record(&theirs, 1, other_sk);
    assert_int_equal(hub_db_ingest_request(db, other_pk, epoch, &theirs, 1, now + 4, sig3, &head,
                                           res, &replayed, &mark),
                     KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_seen_request(db, sig3, now + 5, 0, &seen), KIOSK_OK);
    assert_int_equal(seen, 0);
    free_recs(r, 5);
    free_recs(&more, 1);
    free_recs(&theirs, 1);
    hub_db_close(db);
}

/* A records request of more records than one statement takes (PostgreSQL: 1,000 a chunk)
 * is one transaction too: every record stored, their metadata kept, the mark after all of
 * them, and a replay of its signature stores nothing. Metadata goes only with a record held
 * exactly as sent: a record of another device that claims a held uuid is refused, and its
 * metadata kept for neither. */
static void test_ingest_request_chunks(void **state)
{
    (void)state;
    enum { N = 1205 };
    hub_db *db = fresh("request_chunks");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, other_pk, "b", 1), KIOSK_OK);
    uint8_t epoch[16], sig[64];
    randombytes_buf(epoch, sizeof epoch);
    randombytes_buf(sig, sizeof sig);
    sync_head head = {.present = 1, .audit_id = 9, .has_epoch = 1};
    memcpy(head.epoch, epoch, 16);
    sync_record *r = calloc(N, sizeof *r), *again = calloc(N, sizeof *again);
    sync_result *res = calloc(N, sizeof *res);
    assert_non_null(r);
    assert_non_null(again);
    assert_non_null(res);
    for (int i = 0; i < N; i++) {
        make_record(&r[i], i + 1, dev_sk);
        make_record(&again[i], N + i + 1, dev_sk);
    }
    for (int i = N - 3; i < N; i++) { /* in the last chunk */
        snprintf(r[i].record_type, sizeof r[i].record_type, "registration");
        snprintf(r[i].receipt_no, sizeof r[i].receipt_no, "DEMO01-20261205-%04d", i);
        sync_record_sign_meta(&r[i], epoch, dev_sk);
    }
    sync_mark mark;
    int replayed = -1;
    int64_t now = 1700000000000LL;
    assert_int_equal(
        hub_db_ingest_request(db, dev_pk, epoch, r, N, now, sig, &head, res, &replayed, &mark),
        KIOSK_OK);
    assert_int_equal(replayed, 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(res[i].status, SYNC_ACCEPTED);
    assert_int_equal(count_records(db, dev_pk), N);
    assert_int_equal(mark.max_seq, N);
    char found[SYNC_UUID_LEN + 1];
    assert_int_equal(hub_db_find_receipt(db, dev_pk, "DEMO01-20261205-1204", found), KIOSK_OK);
    assert_string_equal(found, r[N - 1].uuid);
    assert_int_equal(hub_db_ingest_request(db, dev_pk, epoch, again, N, now + 1, sig, &head, res,
                                           &replayed, &mark),
                     KIOSK_OK);
    assert_int_equal(replayed, 1);
    assert_int_equal(count_records(db, dev_pk), N);
    /* another device's record under a held uuid, with metadata of its own */
    sync_record theirs;
    make_record(&theirs, 1, other_sk);
    snprintf(theirs.uuid, sizeof theirs.uuid, "%s", r[0].uuid);
    snprintf(theirs.record_type, sizeof theirs.record_type, "registration");
    snprintf(theirs.receipt_no, sizeof theirs.receipt_no, "OTHER-1");
    sync_record_sign_meta(&theirs, epoch, other_sk);
    uint8_t sig2[64];
    randombytes_buf(sig2, sizeof sig2);
    assert_int_equal(hub_db_ingest_request(db, other_pk, epoch, &theirs, 1, now + 2, sig2, &head,
                                           res, &replayed, &mark),
                     KIOSK_OK);
    assert_int_equal(res[0].status, SYNC_REJECTED);
    assert_string_equal(res[0].reason, "uuid_conflict");
    assert_int_equal(hub_db_find_receipt(db, other_pk, "OTHER-1", found), KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_find_receipt(db, dev_pk, "OTHER-1", found), KIOSK_NOT_FOUND);
    free_recs(r, N);
    free_recs(again, N);
    free_recs(&theirs, 1);
    free(r);
    free(again);
    free(res);
    hub_db_close(db);
}

/* Seqs are unique per (device, epoch): the same seq in another epoch is a new record;
 * in the same epoch a seq_conflict, kept for reconciliation; the mark and the gaps are per
 * epoch. */
static void test_epochs(void **state)
{
    (void)state;
    hub_db *db = fresh("epochs");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    uint8_t e1[16], e2[16];
    memset(e1, 1, 16);
    memset(e2, 2, 16);
    sync_record r[4];
    sync_result res[4];
    for (int i = 0; i < 3; i++) {
        make_record(&r[i], i + 1, dev_sk);
        sync_record_sign_epoch(&r[i], e1, dev_sk);
    }
    assert_int_equal(hub_db_ingest_epoch(db, dev_pk, e1, r, 3, "http", 1, res), KIOSK_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(res[i].status, SYNC_ACCEPTED);
    /* signed for e1: not a record of e2, nor of the legacy epoch */
    assert_int_equal(hub_db_ingest_epoch(db, dev_pk, e2, r, 1, "http", 2, res), KIOSK_OK);
    assert_int_equal(res[0].status, SYNC_REJECTED);
    assert_string_equal(res[0].reason, "bad_record_signature");
    free_recs(r, 3);
    /* seq 2 again: in e2 a new record, in e1 a conflict kept for reconciliation */
    make_record(&r[0], 2, dev_sk);
    sync_record_sign_epoch(&r[0], e2, dev_sk);
    make_record(&r[1], 2, dev_sk);
    sync_record_sign_epoch(&r[1], e1, dev_sk);
    assert_int_equal(hub_db_ingest_epoch(db, dev_pk, e2, &r[0], 1, "http", 3, res), KIOSK_OK);
    assert_int_equal(res[0].status, SYNC_ACCEPTED);
    assert_int_equal(hub_db_ingest_epoch(db, dev_pk, e1, &r[1], 1, "bundle", 4, res), KIOSK_OK);
    assert_int_equal(res[0].status, SYNC_REJECTED);
    assert_string_equal(res[0].reason, "seq_conflict");
    assert_int_equal(hub_db_ingest_epoch(db, dev_pk, e1, &r[1], 1, "bundle", 5, res), KIOSK_OK);
    int64_t kept, conflicts;
    assert_int_equal(hub_db_reconcile_count(db, &kept, &conflicts), KIOSK_OK);
    assert_int_equal(kept, 1); /* once, however often it comes */
    assert_int_equal(conflicts, 1);
    free_recs(r, 2);
    /* a version 1 record in a body that names e2: kept under e2 */
    make_record(&r[0], 6, dev_sk);
    assert_int_equal(hub_db_ingest_epoch(db, dev_pk, e2, &r[0], 1, "http", 6, res), KIOSK_OK);
    assert_int_equal(res[0].status, SYNC_ACCEPTED);
    free_recs(r, 1);
    /* marks per epoch */
    sync_mark m;
    assert_int_equal(hub_db_mark_epoch(db, dev_pk, e1, NULL, 7, &m), KIOSK_OK);
    assert_true(m.has_epoch);
    assert_memory_equal(m.epoch, e1, 16);
    assert_int_equal(m.max_seq, 3);
    assert_int_equal(hub_db_mark_epoch(db, dev_pk, e2, NULL, 7, &m), KIOSK_OK);
    assert_int_equal(m.max_seq, 6);
    uint8_t e3[16];
    memset(e3, 3, 16);
    assert_int_equal(hub_db_mark_epoch(db, dev_pk, e3, NULL, 7, &m), KIOSK_OK);
    assert_int_equal(m.max_seq, 0);
    /* gaps per epoch: e1 from 1 (its first), e2 from its lowest seq held: 3..5 */
    hub_gap *gaps;
    size_t ng;
    assert_int_equal(hub_db_gaps(db, dev_pk, &gaps, &ng), KIOSK_OK);
    assert_int_equal(ng, 1);
    assert_int_equal(gaps[0].first, 3);
    assert_int_equal(gaps[0].last, 5);
    assert_memory_equal(gaps[0].epoch, e2, 16);
    free(gaps);
    hub_db_close(db);
}

/* A hub database of schema 3 (seqs unique per device): its rows get the legacy epoch and
 * count in every epoch's mark. */
static void test_migrate_from_3(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "%s/v3.db", dir);
    unlink(path);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    char hex[65];
    sync_hex_format(dev_pk, 32, hex);
    char *sql = sqlite3_mprintf(
        "CREATE TABLE devices(public_key BLOB PRIMARY KEY CHECK(length(public_key) = 32),"
        " name TEXT NOT NULL DEFAULT '', added_ms INTEGER NOT NULL, removed_ms INTEGER);"
        "CREATE TABLE records(uuid TEXT PRIMARY KEY,"
        " device BLOB NOT NULL REFERENCES devices(public_key), seq INTEGER NOT NULL CHECK(seq >= "
        "1),"
        " sealed BLOB NOT NULL, sig BLOB NOT NULL CHECK(length(sig) = 64),"
        " sealed_sha256 BLOB NOT NULL CHECK(length(sealed_sha256) = 32),"
        " received_ms INTEGER NOT NULL, source TEXT NOT NULL CHECK(source IN ('http', 'bundle')),"
        " UNIQUE(device, seq));"
        "CREATE TABLE seen_requests(signature BLOB PRIMARY KEY CHECK(length(signature) = 64),"
        " time_ms INTEGER NOT NULL);"
        "CREATE INDEX seen_requests_time ON seen_requests(time_ms);"
        "CREATE TABLE device_heads(device BLOB PRIMARY KEY REFERENCES devices(public_key),"
        " audit_id INTEGER NOT NULL, audit_hash BLOB NOT NULL CHECK(length(audit_hash) = 32),"
        " updated_ms INTEGER NOT NULL);"
        "CREATE TABLE events(device BLOB NOT NULL REFERENCES devices(public_key),"
        " seq INTEGER NOT NULL CHECK(seq >= 1), kind TEXT NOT NULL, step TEXT NOT NULL,"
        " hall_code TEXT NOT NULL, at_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL,"
        " PRIMARY KEY(device, seq, at_ms));"
        "INSERT INTO devices(public_key, name, added_ms) VALUES(X'%s', 'a', 1);"
        "INSERT INTO records VALUES('0f8fad5b-d9cb-469f-a165-70867728950e', X'%s', 5, X'00',"
        " zeroblob(64), zeroblob(32), 1, 'http');"
        "PRAGMA user_version = 3;",
        hex, hex);
    assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
    sqlite3_close(raw);
    hub_db *db;
    assert_int_equal(hub_db_open(path, &db), KIOSK_OK);
    assert_int_equal(count_records(db, dev_pk), 1);
    uint8_t e1[16];
    memset(e1, 1, 16);
    sync_mark m;
    assert_int_equal(hub_db_mark_epoch(db, dev_pk, e1, NULL, 7, &m), KIOSK_OK);
    assert_int_equal(m.max_seq, 5); /* the legacy row counts */
    /* seq 5 of e1 is not the legacy row's seq 5 */
    sync_record r;
    sync_result res;
    make_record(&r, 5, dev_sk);
    sync_record_sign_epoch(&r, e1, dev_sk);
    assert_int_equal(hub_db_ingest_epoch(db, dev_pk, e1, &r, 1, "http", 8, &res), KIOSK_OK);
    assert_int_equal(res.status, SYNC_ACCEPTED);
    free_recs(&r, 1);
    /* a body without an epoch is of the legacy one: seq 5 there is taken */
    make_record(&r, 5, dev_sk);
    res = ingest1(db, dev_pk, &r);
    assert_int_equal(res.status, SYNC_REJECTED);
    assert_string_equal(res.reason, "seq_conflict");
    free_recs(&r, 1);
    hub_db_close(db);
}

/* Several hub processes on one PostgreSQL database: two processes (each its own
 * connection) ingest the same 2,000 records at once, one in order and one from the end, in
 * batches of 50 -> every record stored once, accepted by exactly one of them and a duplicate
 * for the other, no gap. */
static void test_two_processes_one_database(void **state)
{
    (void)state;
    hub_db *db = fresh("two_processes");
    assert_int_equal(hub_db_device_add(db, dev_pk, "a", 1), KIOSK_OK);
    enum { TOTAL = 2000, BATCH = 50 };
    sync_record *recs = calloc(TOTAL, sizeof *recs);
    assert_non_null(recs);
    for (int i = 0; i < TOTAL; i++)
        make_record(&recs[i], i + 1, dev_sk);
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    int backwards = child == 0;
    hub_db *mine;
    assert_int_equal(hub_db_open(path, &mine), KIOSK_OK);
    long accepted = 0, duplicates = 0, other = 0;
    sync_result results[BATCH];
    for (int b = 0; b < TOTAL / BATCH; b++) {
        int at = backwards ? TOTAL - (b + 1) * BATCH : b * BATCH;
        kiosk_rc rc = hub_db_ingest(mine, dev_pk, recs + at, BATCH, "http", 2, results);
        if (rc != KIOSK_OK) {
            other += BATCH;
            continue;
        }
        for (int i = 0; i < BATCH; i++) {
            accepted += results[i].status == SYNC_ACCEPTED;
            duplicates += results[i].status == SYNC_DUPLICATE;
            other += results[i].status == SYNC_REJECTED;
        }
    }
    hub_db_close(mine);
    if (child == 0) {
        long counts[3] = {accepted, duplicates, other};
        _exit(write(fd[1], counts, sizeof counts) == sizeof counts ? 0 : 1);
    }
    long theirs[3] = {0};
    assert_int_equal(read(fd[0], theirs, sizeof theirs), sizeof theirs);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fd[0]);
    close(fd[1]);
    printf("# two processes: accepted %ld + %ld, duplicates %ld + %ld\n", accepted, theirs[0],
           duplicates, theirs[1]);
    assert_int_equal(other, 0);
    assert_int_equal(theirs[2], 0);
    assert_int_equal(accepted + theirs[0], TOTAL);
    assert_int_equal(duplicates + theirs[1], TOTAL);
    assert_int_equal(count_records(db, dev_pk), TOTAL);
    hub_gap *gaps;
    size_t ng;
    assert_int_equal(hub_db_gaps(db, dev_pk, &gaps, &ng), KIOSK_OK);
    assert_int_equal(ng, 0);
    sync_records_free(recs, TOTAL);
    hub_db_close(db);
}

static int pg_setup(void **state)
{
    return setup(state);
}

static int pg_teardown(void **state)
{
    pg_server_stop(pg);
    pg = NULL;
    return teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_from_empty_file),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_ingest_outcomes),
        cmocka_unit_test(test_seen_requests),
        cmocka_unit_test(test_gaps_and_walk),
        cmocka_unit_test(test_walk_order),
        cmocka_unit_test(test_ingest_rate),
        cmocka_unit_test(test_ingest_checks_a_big_batch_in_order),
        cmocka_unit_test(test_ingest_conflicts_inside_one_batch),
        cmocka_unit_test(test_checkpoints_off_the_ingest_path),
        cmocka_unit_test(test_mark_head_only_moves_forward),
        cmocka_unit_test(test_epochs),
        cmocka_unit_test(test_migrate_from_3),
        cmocka_unit_test(test_ingest_request),
        cmocka_unit_test(test_ingest_request_chunks),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, setup, teardown);
    /* the same suite on PostgreSQL (the SQLite file tests left out), and what only a shared
     * database can show */
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_ingest_outcomes),
        cmocka_unit_test(test_seen_requests),
        cmocka_unit_test(test_gaps_and_walk),
        cmocka_unit_test(test_walk_order),
        cmocka_unit_test(test_ingest_rate),
        cmocka_unit_test(test_ingest_checks_a_big_batch_in_order),
        cmocka_unit_test(test_ingest_conflicts_inside_one_batch),
        cmocka_unit_test(test_mark_head_only_moves_forward),
        cmocka_unit_test(test_epochs),
        cmocka_unit_test(test_two_processes_one_database),
        cmocka_unit_test(test_ingest_request),
        cmocka_unit_test(test_ingest_request_chunks),
    };
    int started = pg_server_start(0, &pg);
    if (started == 1)
        return failed; /* said why: PostgreSQL is not installed */
    if (started != 0) {
        fprintf(stderr, "cannot start a PostgreSQL server for the tests\n");
        return failed + 1;
    }
    return failed + cmocka_run_group_tests_name("postgresql", pg_tests, pg_setup, pg_teardown);
}
