/* Tests of the record store: the device key, schema creation and refusal of newer
 * schemas, saving signed and sealed records that only the upstream can open, receipt
 * numbers and sequence numbers, readiness checks (no upstream key, disk full), a full
 * database, records that survive a process killed right after saving, migrations (a
 * backlog included), the outbox's query plan and the WAL bytes of a save. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/sync_proto.h"
#include "store/store.h"

static char dir[512], db[600];
static uint8_t up_pk[32], up_sk[32], commit_hash[32];
static kiosk_clock_manual clk;

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/store-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    crypto_box_keypair(up_pk, up_sk);
    crypto_hash_sha256(commit_hash, (const uint8_t *)"承诺文本 v1", strlen("承诺文本 v1"));
    kiosk_clock_manual_init(&clk, 1795363199000LL - 3600000); /* 2026-11-22 22:59:59 +08 */
    return 0;
}

static const store_submission sample = {
    .registration_json = "{\"schema\":1,\"name\":\"张三丰\",\"mobile\":\"13812345678\"}",
    .evidence_json = "{\"strokes\":[[[10,20,0],[12,24,16]]]}",
    .commitment_version = "2026.1",
    .commitment_sha256 = commit_hash,
    .masked_name = "张*丰",
    .masked_id = "3701**********4519",
};

/* A database gone, with its mark: a unit made anew (the mark alone left behind is what
 * test_epoch_* try). */
static void remove_db(void)
{
    char mark[700];
    snprintf(mark, sizeof mark, "%s.mark", db);
    unlink(db);
    unlink(mark);
}

static store *open_store(store_device_key *key)
{
    assert_int_equal(store_device_key_load(dir, key), KIOSK_OK);
    store *s;
    assert_int_equal(store_open(db, "DEMO01", key, &clk.clock, &s), KIOSK_OK);
    return s;
}

static void test_device_key(void **state)
{
    (void)state;
    store_device_key a, b;
    assert_int_equal(store_device_key_load(dir, &a), KIOSK_OK);
    char path[700];
    snprintf(path, sizeof path, "%s/device.key", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 64);
    assert_int_equal(store_device_key_load(dir, &b), KIOSK_OK);
    assert_memory_equal(a.public_key, b.public_key, 32);
    /* a damaged key is never silently replaced */
    FILE *f = fopen(path, "wb");
    fputs("short", f);
    fclose(f);
    assert_int_equal(store_device_key_load(dir, &b), KIOSK_CORRUPT);
}

static void test_save_seal_and_open_upstream(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    store_saved sv;
    /* nobody signs into the void: no upstream key, no saving */
    assert_int_equal(store_ready(s, 0), KIOSK_CONFIG);
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_CONFIG);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    assert_int_equal(store_ready(s, 0), KIOSK_OK);
    assert_int_equal(store_ready(s, UINT64_MAX), KIOSK_DISK_FULL);

    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    assert_string_equal(sv.receipt_no, "DEMO01-20261122-0001");
    assert_int_equal(sv.seq, 1);
    assert_int_equal(strlen(sv.uuid), 36);
    assert_true(sync_uuid_valid(sv.uuid)); /* lowercase 8-4-4-4-12 */
    assert_int_equal(sv.uuid[14], '4');
    assert_non_null(strchr("89ab", sv.uuid[19]));
    store_saved sv2;
    assert_int_equal(store_save(s, &sample, &sv2), KIOSK_OK);
    assert_string_equal(sv2.receipt_no, "DEMO01-20261122-0002");
    assert_int_equal(sv2.seq, 2);
    assert_string_not_equal(sv.uuid, sv2.uuid);
    /* a new day starts the daily number again; the device sequence goes on */
    kiosk_clock_manual_advance(&clk, 2 * 3600 * 1000);
    assert_int_equal(store_save(s, &sample, &sv2), KIOSK_OK);
    assert_string_equal(sv2.receipt_no, "DEMO01-20261123-0001");
    assert_int_equal(sv2.seq, 3);

    /* only the upstream can open the record; it is signed by this device */
    uint8_t *sealed;
    size_t len;
    assert_int_equal(store_sealed(s, sv.uuid, &sealed, &len), KIOSK_OK);
    uint8_t *plain = malloc(len - crypto_box_SEALBYTES + 1);
    assert_int_equal(crypto_box_seal_open(plain, sealed, len, up_pk, up_sk), 0);
    size_t plen = len - crypto_box_SEALBYTES;
    plain[plen] = '\0';
    const char *env = (const char *)plain + 64;
    assert_int_equal(crypto_sign_verify_detached(plain, plain + 64, plen - 64, key.public_key), 0);
    uint8_t h[32];
    crypto_hash_sha256(h, plain + 64, plen - 64);
    assert_memory_equal(h, sv.hash, 32);
    assert_non_null(strstr(env, "\"registration\":{\"schema\":1,\"name\":\"张三丰\""));
    assert_non_null(strstr(env, "\"receipt_no\":\"DEMO01-20261122-0001\""));
    assert_non_null(strstr(env, "\"evidence\":{\"strokes\":"));
    /* the plaintext is nowhere in the database file */
    free(plain);
    free(sealed);

    store_summary sum;
    assert_int_equal(store_find(s, "DEMO01-20261122-0001", &sum), KIOSK_OK);
    assert_string_equal(sum.masked_name, "张*丰");
    assert_int_equal(sum.state, STORE_QUEUED);
    assert_int_equal(store_set_print_outcome(s, "DEMO01-20261122-0001", "printed"), KIOSK_OK);
    assert_int_equal(store_find(s, "DEMO01-20261122-0001", &sum), KIOSK_OK);
    assert_string_equal(sum.print_outcome, "printed");
    assert_int_equal(store_set_print_outcome(s, "NOPE", "printed"), KIOSK_NOT_FOUND);
    assert_int_equal(store_find(s, "NOPE", &sum), KIOSK_NOT_FOUND);
    store_counts c;
    assert_int_equal(store_count(s, &c), KIOSK_OK);
    assert_int_equal(c.by_state[STORE_QUEUED], 3);
    store_close(s);

    /* the name never reaches the disk in the clear */
    FILE *f = fopen(db, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_null(memmem(buf, n, "13812345678", 11));
    /* the upstream key persists */
    s = open_store(&key);
    assert_int_equal(store_ready(s, 0), KIOSK_OK);
    store_close(s);
}

static void test_bad_submissions_and_full_database(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_submission bad = sample;
    bad.registration_json = "{not json";
    store_saved sv;
    assert_int_equal(store_save(s, &bad, &sv), KIOSK_INVALID);
    bad = sample;
    bad.masked_id = NULL;
    assert_int_equal(store_save(s, &bad, &sv), KIOSK_INVALID);
    store_counts c;
    store_count(s, &c);
    assert_int_equal(c.by_state[STORE_QUEUED], 0);

    /* a database that cannot grow: the save fails cleanly, nothing half-written */
    struct stat st;
    assert_int_equal(stat(db, &st), 0);
    assert_int_equal(store_set_max_bytes(s, (uint64_t)st.st_size), KIOSK_OK);
    store_submission big = sample;
    static char evidence[200000];
    memset(evidence, 0, sizeof evidence);
    strcpy(evidence, "{\"strokes\":\"");
    memset(evidence + strlen(evidence), 'x', sizeof evidence - 100);
    strcat(evidence, "\"}");
    big.evidence_json = evidence;
    assert_int_equal(store_save(s, &big, &sv), KIOSK_DISK_FULL);
    assert_string_equal(sv.receipt_no, "");
    store_count(s, &c);
    assert_int_equal(c.by_state[STORE_QUEUED], 0);
    assert_int_equal(store_set_max_bytes(s, 0), KIOSK_OK);
    assert_int_equal(store_save(s, &big, &sv), KIOSK_OK);
    /* the failed attempt used no receipt number */
    assert_string_equal(sv.receipt_no, "DEMO01-20261122-0001");
    store_close(s);
}

/* The follow-up plan beside a record (schema 10): kept, found with it, replaced; none for
 * a record without one; refused for an unknown receipt or a date of the wrong shape. */
static void test_plan_beside_the_record(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    uint8_t pk[32], sk[32];
    crypto_box_keypair(pk, sk);
    assert_int_equal(store_set_upstream_key(s, pk), KIOSK_OK);
    store_saved a, b;
    assert_int_equal(store_save(s, &sample, &a), KIOSK_OK);
    assert_int_equal(store_save(s, &sample, &b), KIOSK_OK);
    assert_int_equal(store_set_plan(s, a.receipt_no, 5, "2026-11-27"), KIOSK_OK);
    store_summary sum;
    assert_int_equal(store_find(s, a.receipt_no, &sum), KIOSK_OK);
    assert_true(sum.plan_on);
    assert_int_equal(sum.plan_intents, 5);
    assert_string_equal(sum.plan_due, "2026-11-27");
    assert_int_equal(store_set_plan(s, a.receipt_no, 0, "2026-11-30"), KIOSK_OK);
    assert_int_equal(store_find(s, a.receipt_no, &sum), KIOSK_OK);
    assert_int_equal(sum.plan_intents, 0);
    assert_string_equal(sum.plan_due, "2026-11-30");
    assert_int_equal(store_find(s, b.receipt_no, &sum), KIOSK_OK);
    assert_false(sum.plan_on);
    assert_string_equal(sum.plan_due, "");
    assert_int_equal(store_set_plan(s, "DEMO01-19990101-0001", 1, "2026-11-27"), KIOSK_NOT_FOUND);
    assert_int_equal(store_set_plan(s, b.receipt_no, 1, "27.11.2026"), KIOSK_INVALID);
    store_close(s);
}

static void test_schema_versions(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    store_close(s);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, NULL);
    sqlite3_step(st);
    assert_int_equal(sqlite3_column_int(st, 0), STORE_SCHEMA_VERSION);
    sqlite3_finalize(st);
    sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL);
    sqlite3_step(st);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    /* a database from newer firmware is refused, not guessed at */
    assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(store_open(db, "DEMO01", &key, &clk.clock, &s), KIOSK_CORRUPT);
    assert_null(s);
    /* not a database at all */
    FILE *f = fopen(db, "wb");
    fputs("this is not an SQLite database, just some text that is long enough.......", f);
    fclose(f);
    char wal[700];
    snprintf(wal, sizeof wal, "%s-wal", db);
    unlink(wal);
    assert_int_equal(store_open(db, "DEMO01", &key, &clk.clock, &s), KIOSK_CORRUPT);
}

static void test_record_survives_a_killed_process(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_close(s);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        store *cs;
        store_saved sv;
        if (store_open(db, "DEMO01", &key, &clk.clock, &cs) != KIOSK_OK ||
            store_save(cs, &sample, &sv) != KIOSK_OK)
            _exit(1);
        /* tell the parent the citizen saw "saved", then die without closing */
        if (write(pipefd[1], sv.receipt_no, sizeof sv.receipt_no) < 0)
            _exit(1);
        pause();
        _exit(0);
    }
    char receipt[STORE_RECEIPT_NO_MAX + 1] = "";
    assert_int_equal(read(pipefd[0], receipt, sizeof receipt), (ssize_t)sizeof receipt);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(pipefd[0]);
    close(pipefd[1]);
    s = open_store(&key);
    store_summary sum;
    assert_int_equal(store_find(s, receipt, &sum), KIOSK_OK);
    store_close(s);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &st, NULL);
    sqlite3_step(st);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

typedef struct seen {
    char uuid[8][STORE_UUID_LEN + 1];
    int64_t seq[8];
    size_t n;
} seen;

static int note_pending(void *ctx, const store_pending *p)
{
    seen *sn = ctx;
    snprintf(sn->uuid[sn->n], sizeof sn->uuid[0], "%s", p->uuid);
    sn->seq[sn->n++] = p->seq;
    assert_true(p->sealed_len > 64);
    return 0;
}

static int note_rejected(void *ctx, const store_summary *rec, const char *reason)
{
    int *n = ctx;
    assert_string_equal(rec->masked_name, "张*丰");
    assert_string_equal(reason, "bad_record_signature");
    assert_int_equal(rec->state, STORE_REJECTED);
    (*n)++;
    return 0;
}

static void test_outbox_states_and_purge(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_saved sv[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_save(s, &sample, &sv[i]), KIOSK_OK);
    seen sn = {0};
    size_t count;
    assert_int_equal(store_pending_each(s, 0, 10, note_pending, &sn, &count), KIOSK_OK);
    assert_int_equal(count, 3);
    assert_int_equal(sn.seq[0], 1);
    assert_int_equal(sn.seq[2], 3);
    assert_string_equal(sn.uuid[1], sv[1].uuid);
    /* after_seq and max page through the outbox */
    sn.n = 0;
    assert_int_equal(store_pending_each(s, 1, 1, note_pending, &sn, &count), KIOSK_OK);
    assert_int_equal(count, 1);
    assert_int_equal(sn.seq[0], 2);

    assert_int_equal(store_mark_sent(s, 1, 2), KIOSK_OK);
    store_counts c;
    store_count(s, &c);
    assert_int_equal(c.by_state[STORE_QUEUED], 2);
    assert_int_equal(c.by_state[STORE_SENT], 1);
    assert_int_equal(store_mark_sent(s, 0, 3), KIOSK_OK);
    store_count(s, &c);
    assert_int_equal(c.by_state[STORE_SENT], 3);

    kiosk_clock_manual_advance(&clk, 1000);
    /* the last: an acknowledgement nobody signed, which changes nothing */
    store_outcome o[4] = {
        {.uuid = sv[0].uuid, .acknowledged = 1, .hub_signed = 1},
        {.uuid = sv[1].uuid, .reason = "bad_record_signature"},
        {.uuid = "00000000-0000-4000-8000-000000000000", .acknowledged = 1, .hub_signed = 1},
        {.uuid = sv[2].uuid, .acknowledged = 1}};
    size_t changed;
    assert_int_equal(store_apply_outcomes(s, o, 4, &changed), KIOSK_OK);
    assert_int_equal(changed, 2);
    /* an acknowledged record stays acknowledged, whatever comes later */
    store_outcome late = {.uuid = sv[0].uuid, .reason = "late"};
    assert_int_equal(store_apply_outcomes(s, &late, 1, &changed), KIOSK_OK);
    assert_int_equal(changed, 0);
    store_count(s, &c);
    assert_int_equal(c.by_state[STORE_ACKED], 1);
    assert_int_equal(c.by_state[STORE_REJECTED], 1);
    assert_int_equal(c.by_state[STORE_SENT], 1);
    sn.n = 0;
    assert_int_equal(store_pending_each(s, 0, 10, note_pending, &sn, &count), KIOSK_OK);
    assert_int_equal(count, 1);
    assert_string_equal(sn.uuid[0], sv[2].uuid);
    int nrej = 0;
    assert_int_equal(store_rejected_each(s, note_rejected, &nrej), KIOSK_OK);
    assert_int_equal(nrej, 1);

    /* purge: only acknowledged records, only those older than the cutoff, never inside
     * the retention floor (7 days until set) */
    int64_t purged;
    int64_t acked_at = kiosk_clock_now_ms(&clk.clock);
    assert_int_equal(store_purge_acked(s, INT64_MAX, NULL, &purged), KIOSK_OK);
    assert_int_equal(purged, 0);
    store_set_retention_days(s, 1);
    kiosk_clock_manual_advance(&clk, 86400000); /* acknowledged exactly a day ago */
    assert_int_equal(store_purge_acked(s, INT64_MAX, NULL, &purged), KIOSK_OK);
    assert_int_equal(purged, 0);
    kiosk_clock_manual_advance(&clk, 1);
    assert_int_equal(store_purge_acked(s, acked_at, NULL, &purged), KIOSK_OK);
    assert_int_equal(purged, 0);
    assert_int_equal(store_purge_acked(s, acked_at + 1, NULL, &purged), KIOSK_OK);
    assert_int_equal(purged, 1);
    assert_int_equal(store_purge_acked(s, INT64_MAX, NULL, &purged), KIOSK_OK);
    assert_int_equal(purged, 0);
    store_count(s, &c);
    assert_int_equal(c.by_state[STORE_ACKED], 0);
    assert_int_equal(c.by_state[STORE_REJECTED], 1);
    assert_int_equal(c.by_state[STORE_SENT], 1);
    /* sequence numbers never go back after a purge */
    assert_int_equal(store_save(s, &sample, &sv[0]), KIOSK_OK);
    assert_int_equal(sv[0].seq, 4);

    store_sync_note note;
    assert_int_equal(store_sync_info(s, &note), KIOSK_OK);
    assert_int_equal(note.last_ok_ms, 0);
    assert_int_equal(store_note_sync(s, 0, 5000, "hub unreachable"), KIOSK_OK);
    assert_int_equal(store_note_sync(s, 1, 6000, NULL), KIOSK_OK);
    assert_int_equal(store_note_sync(s, 0, 7000, "HTTP 503"), KIOSK_OK);
    assert_int_equal(store_sync_info(s, &note), KIOSK_OK);
    assert_int_equal(note.last_ok_ms, 6000);
    assert_int_equal(note.last_attempt_ms, 7000);
    assert_string_equal(note.last_error, "HTTP 503");
    store_close(s);
}

/* The schema of every earlier version, exactly as that firmware created it. */
static const char *const schema_v1 =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE day_counter(day TEXT PRIMARY KEY, n INTEGER NOT NULL);"
    "CREATE TABLE records(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " seq INTEGER NOT NULL UNIQUE, receipt_no TEXT NOT NULL UNIQUE,"
    " created_ms INTEGER NOT NULL, hash BLOB NOT NULL CHECK(length(hash) = 32),"
    " sealed BLOB NOT NULL, masked_name TEXT NOT NULL, masked_id TEXT NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0, reject_reason TEXT,"
    " print_outcome TEXT NOT NULL DEFAULT '', acked_ms INTEGER);"
    "CREATE INDEX records_outbox ON records(state, seq);"
    "INSERT INTO meta VALUES('last_seq', 1);"
    "INSERT INTO day_counter VALUES('20261122', 1);"
    "INSERT INTO records(uuid, seq, receipt_no, created_ms, hash, sealed, masked_name,"
    " masked_id) VALUES('9b2e6c1a-3d4f-4a5b-8c6d-7e8f9a0b1c2d', 1, 'DEMO01-20261122-0001',"
    " 1795359599000, zeroblob(32), randomblob(200), '张*丰', '3701**********4519');"
    "PRAGMA user_version = 1;";

static const char *const schema_v2_extra =
    "ALTER TABLE records ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE records ADD COLUMN sent_ms INTEGER;"
    "ALTER TABLE records ADD COLUMN record_sig BLOB CHECK(length(record_sig) = 64);"
    "CREATE INDEX records_acked ON records(acked_ms) WHERE state = 2;"
    "PRAGMA user_version = 2;";

/* Version 3 as that firmware made it: on top of version 2 */
static const char *const schema_v3_extra =
    "CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL,"
    " actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL,"
    " prev BLOB NOT NULL CHECK(length(prev) = 32), hash BLOB NOT NULL CHECK(length(hash) = 32));"
    "CREATE TABLE record_blobs(record_id INTEGER PRIMARY KEY"
    " REFERENCES records(id) ON DELETE CASCADE, sealed BLOB NOT NULL);"
    "INSERT INTO record_blobs(record_id, sealed) SELECT id, sealed FROM records;"
    "ALTER TABLE records DROP COLUMN sealed;"
    "CREATE TABLE staff(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " role INTEGER NOT NULL, pin_hash TEXT NOT NULL, card_uid TEXT UNIQUE,"
    " created_ms INTEGER NOT NULL, removed INTEGER NOT NULL DEFAULT 0);"
    "PRAGMA user_version = 3;";

static void test_migration_from_every_earlier_version(void **state)
{
    (void)state;
    store_device_key key;
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    /* version 0: an empty file */
    const char *const earlier[] = {"", schema_v1, schema_v1, schema_v1};
    for (size_t v = 0; v < sizeof earlier / sizeof earlier[0]; v++) {
        remove_db();
        sqlite3 *raw;
        assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
        assert_int_equal(sqlite3_exec(raw, earlier[v], NULL, NULL, NULL), SQLITE_OK);
        if (v >= 2)
            assert_int_equal(sqlite3_exec(raw, schema_v2_extra, NULL, NULL, NULL), SQLITE_OK);
        if (v >= 3)
            assert_int_equal(sqlite3_exec(raw, schema_v3_extra, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
        store *s;
        assert_int_equal(store_open(db, "DEMO01", &key, &clk.clock, &s), KIOSK_OK);
        assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
        store_saved sv;
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
        /* what the old firmware stored is still there and still goes upstream */
        seen sn = {0};
        size_t count;
        assert_int_equal(store_pending_each(s, 0, 10, note_pending, &sn, &count), KIOSK_OK);
        assert_int_equal(count, v ? 2 : 1);
        assert_int_equal(sv.seq, v ? 2 : 1);
        if (v >= 1) {
            assert_string_equal(sn.uuid[0], "9b2e6c1a-3d4f-4a5b-8c6d-7e8f9a0b1c2d");
            assert_string_equal(sv.receipt_no, "DEMO01-20261122-0002");
        }
        store_close(s);
        assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
        sqlite3_stmt *st;
        sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, NULL);
        sqlite3_step(st);
        assert_int_equal(sqlite3_column_int(st, 0), STORE_SCHEMA_VERSION);
        sqlite3_finalize(st);
        sqlite3_close(raw);
    }
}

/* A version-3 database of a unit in the field: a backlog in every state. After the
 * upgrade the outbox is read from its index, in order, and nothing changed state. */
static void test_migration_keeps_a_backlog(void **state)
{
    (void)state;
    store_device_key key;
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    remove_db();
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "PRAGMA journal_mode = WAL", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, schema_v1, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, schema_v2_extra, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, schema_v3_extra, NULL, NULL, NULL), SQLITE_OK);
    /* seq 2..40 more (1 is schema_v1's): seq % 4 gives the state, 0 queued .. 3 rejected */
    assert_int_equal(
        sqlite3_exec(raw,
                     "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 40)"
                     " INSERT INTO records(uuid, seq, receipt_no, created_ms, hash, masked_name,"
                     " masked_id, state, acked_ms, attempts)"
                     " SELECT printf('00000000-0000-4000-8000-%012d', i), i,"
                     " printf('DEMO01-20261122-%04d', i), 1795359599000, zeroblob(32), '张*丰',"
                     " '3701**********4519', i % 4, CASE WHEN i % 4 = 2 THEN 1 END, i % 4 FROM n;"
                     "INSERT INTO record_blobs(record_id, sealed)"
                     " SELECT id, randomblob(100 + seq) FROM records WHERE seq > 1;"
                     "UPDATE meta SET value = 40 WHERE key = 'last_seq';"
                     "UPDATE day_counter SET n = 40;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(raw);

    store *s;
    assert_int_equal(store_open(db, "DEMO01", &key, &clk.clock, &s), KIOSK_OK);
    store_counts c;
    assert_int_equal(store_count(s, &c), KIOSK_OK);
    /* queued: 1 and 4, 8 .. 40, and 2, 6 .. 38 (acknowledged by unsigned replies before
     * schema 4: sent again); sent: 5, 9 .. 37; rejected: 3 .. 39 */
    assert_int_equal(c.by_state[STORE_QUEUED], 21);
    assert_int_equal(c.by_state[STORE_SENT], 9);
    assert_int_equal(c.by_state[STORE_ACKED], 0);
    assert_int_equal(c.by_state[STORE_REJECTED], 10);
    seen sn = {0};
    size_t count;
    assert_int_equal(store_pending_each(s, 0, 8, note_pending, &sn, &count), KIOSK_OK);
    assert_int_equal(count, 8);
    const int64_t want[8] = {1, 2, 4, 5, 6, 8, 9, 10};
    for (int i = 0; i < 8; i++)
        assert_int_equal(sn.seq[i], want[i]);
    assert_string_equal(sn.uuid[2], "00000000-0000-4000-8000-000000000004");
    uint8_t *sealed;
    size_t len;
    assert_int_equal(store_sealed(s, "00000000-0000-4000-8000-000000000004", &sealed, &len),
                     KIOSK_OK);
    assert_int_equal(len, 104);
    free(sealed);
    char plan[1024];
    assert_int_equal(store_outbox_plan(s, plan, sizeof plan), KIOSK_OK);
    assert_non_null(strstr(plan, "pending: SEARCH r USING INDEX records_pending"));
    assert_null(strstr(plan, "TEMP B-TREE"));
    /* saving goes on after the backlog's numbers */
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_saved sv;
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    assert_int_equal(sv.seq, 41);
    assert_string_equal(sv.receipt_no, "DEMO01-20261122-0041");
    store_close(s);
}

/* The batch is read from the partial index records_pending in seq order: no sort of
 * every pending row per batch (the drain slowed with the backlog). A structural check —
 * the query plan — not a timing. */
static void test_outbox_batch_uses_the_index(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_saved sv;
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    char plan[1024];
    assert_int_equal(store_outbox_plan(s, plan, sizeof plan), KIOSK_OK);
    assert_non_null(strstr(plan, "pending: SEARCH r USING INDEX records_pending (seq>?)"));
    assert_non_null(strstr(plan, "mark_sent: SEARCH records USING INDEX records_pending"));
    assert_null(strstr(plan, "TEMP B-TREE"));
    assert_null(strstr(plan, "SCAN"));
    assert_int_equal(store_outbox_plan(s, plan, 8), KIOSK_RANGE);
    store_close(s);
}

/* What one save writes to the WAL: a new database has small pages, and a save touches
 * each table and index once (no delete-and-reinsert of meta rows). Before: 16-17 pages
 * of 4 KiB for this record; now a few 1 KiB pages beyond the sealed bytes. */
static void test_save_wal_bytes(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    char wal[700];
    snprintf(wal, sizeof wal, "%s-wal", db);
    store_saved sv;
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK); /* tables' first pages */
    struct stat before, after;
    assert_int_equal(stat(wal, &before), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    assert_int_equal(stat(wal, &after), 0);
    /* frames of 24 + 1024 bytes; fewer than 1000 of them, so no checkpoint restarted it */
    long frames = (long)(after.st_size - before.st_size) / (24 + 1024);
    assert_int_equal((after.st_size - before.st_size) % (24 + 1024), 0);
    /* meta, day counter, records and its 4 indexes, the blob, the metadata's signature,
     * audit, its sequence and page 1: 12, and some splits */
    assert_true(frames <= 10 * 14);
    store_close(s);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(raw, "PRAGMA page_size", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1024);
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

/* The sealed box's key agreement is made ahead, in store_ready: the result is still a
 * crypto_box_seal box the upstream opens, each ephemeral key serves one record, and a new
 * upstream key after store_ready is the one sealed to. */
static void test_seal_prepared_ahead(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    uint8_t *sealed[3];
    size_t len[3];
    for (int i = 0; i < 3; i++) {
        store_saved sv;
        if (i < 2)
            assert_int_equal(store_ready(s, 0), KIOSK_OK);
        if (i == 1) { /* ready made for the first key, then the key changes */
            crypto_box_keypair(up_pk, up_sk);
            assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
        }
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
        assert_int_equal(store_sealed(s, sv.uuid, &sealed[i], &len[i]), KIOSK_OK);
    }
    for (int i = 1; i < 3; i++) {
        uint8_t *plain = malloc(len[i]);
        assert_int_equal(crypto_box_seal_open(plain, sealed[i], len[i], up_pk, up_sk), 0);
        assert_memory_equal(plain + 64, "{\"schema\":1,", 12);
        free(plain);
    }
    /* three saves, three ephemeral keys */
    assert_memory_not_equal(sealed[0], sealed[1], 32);
    assert_memory_not_equal(sealed[1], sealed[2], 32);
    assert_memory_not_equal(sealed[0], sealed[2], 32);
    for (int i = 0; i < 3; i++)
        free(sealed[i]);
    store_close(s);
}

/* Schema 4: what firmware before signed acknowledgements took as acknowledged goes back
 * to the queue, to be sent and acknowledged again, so a purge cannot delete it; the hub
 * key is kept with the upstream key. */
static void test_unsigned_acks_requeued_by_schema_4(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_saved sv[2];
    assert_int_equal(store_save(s, &sample, &sv[0]), KIOSK_OK);
    assert_int_equal(store_save(s, &sample, &sv[1]), KIOSK_OK);
    uint8_t hub[32] = {7}, got[32];
    assert_int_equal(store_hub_key(s, got), KIOSK_CONFIG);
    assert_int_equal(store_set_hub_key(s, hub), KIOSK_OK);
    assert_int_equal(store_hub_key(s, got), KIOSK_OK);
    assert_memory_equal(got, hub, 32);
    store_close(s);
    /* as a schema-3 unit left them: both acknowledged by unsigned v1 replies */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "UPDATE records SET state = 2, acked_ms = 1;"
                                  " PRAGMA user_version = 3",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    s = open_store(&key);
    store_counts c;
    assert_int_equal(store_count(s, &c), KIOSK_OK);
    assert_int_equal(c.by_state[STORE_ACKED], 0);
    assert_int_equal(c.by_state[STORE_QUEUED], 2);
    store_set_retention_days(s, 0);
    int64_t purged = -1;
    assert_int_equal(store_purge_acked(s, INT64_MAX, NULL, &purged), KIOSK_OK);
    assert_int_equal(purged, 0);
    assert_int_equal(store_hub_key(s, got), KIOSK_OK);
    store_close(s);
}

/* ---- numbers never reused: the store epoch --------------------------------------- */

static void copy_file(const char *from, const char *to)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", from, to, to, to);
    assert_int_equal(system(cmd), 0);
}

typedef struct audit_find {
    const char *action;
    int found;
    char detail[160];
} audit_find;

static int find_action(void *ctx, const store_audit_entry *e)
{
    audit_find *f = ctx;
    if (!strcmp(e->action, f->action)) {
        f->found++;
        snprintf(f->detail, sizeof f->detail, "%s", e->detail);
    }
    return 0;
}

/* Issue 14, 4: back up kiosk.db, save more, restore the backup, save. The restored
 * database is behind the mark: a new epoch begins past every number issued, the alarm
 * is raised (the dashboard's line, the audit log), and no seq or receipt number repeats. */
static void test_epoch_restored_backup(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_saved sv;
    store_epoch before;
    assert_int_equal(store_epoch_info(s, &before), KIOSK_OK);
    assert_int_equal(before.epochs, 1);
    assert_string_equal(before.alarm, "");
    for (int i = 0; i < 2; i++)
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    store_close(s);
    char backup[700];
    snprintf(backup, sizeof backup, "%s/backup.db", dir);
    copy_file(db, backup);

    char receipts[8][STORE_RECEIPT_NO_MAX + 1];
    int64_t seqs[8];
    int n = 0;
    s = open_store(&key);
    for (int i = 0; i < 3; i++, n++) {
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
        seqs[n] = sv.seq;
        snprintf(receipts[n], sizeof receipts[n], "%s", sv.receipt_no);
    }
    store_close(s);

    copy_file(backup, db); /* the restore */
    s = open_store(&key);
    store_epoch after;
    assert_int_equal(store_epoch_info(s, &after), KIOSK_OK);
    assert_int_equal(after.epochs, 2);
    assert_memory_not_equal(after.id, before.id, 16);
    assert_non_null(strstr(after.alarm, "restored"));
    store_sync_note note;
    assert_int_equal(store_sync_info(s, &note), KIOSK_OK);
    assert_true(!strncmp(note.last_error, "ALARM: ", 7));
    audit_find f = {.action = "store.epoch_new"};
    assert_int_equal(store_audit_recent(s, 50, find_action, &f), KIOSK_OK);
    assert_int_equal(f.found, 1);
    assert_non_null(strstr(f.detail, "from seq 6"));
    for (int i = 0; i < 3; i++, n++) {
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
        seqs[n] = sv.seq;
        snprintf(receipts[n], sizeof receipts[n], "%s", sv.receipt_no);
    }
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++) {
            assert_true(seqs[a] != seqs[b]);
            assert_string_not_equal(receipts[a], receipts[b]);
        }
    assert_int_equal(seqs[3], 6);
    assert_string_equal(receipts[3], "DEMO01-20261122-0006");
    /* staff saw it: the alarm goes, the epoch stays */
    assert_int_equal(store_alarm_clear(s, "A017"), KIOSK_OK);
    assert_int_equal(store_sync_info(s, &note), KIOSK_OK);
    assert_string_equal(note.alarm, "");
    assert_string_equal(note.last_error, "");
    store_close(s);
    /* reopening the database it now is raises nothing */
    s = open_store(&key);
    assert_int_equal(store_epoch_info(s, &after), KIOSK_OK);
    assert_int_equal(after.epochs, 2);
    assert_string_equal(after.alarm, "");
    store_close(s);
}

/* Issue 14, 8: a unit that keeps its device key finds its database missing (or
 * replaced by an empty one): it says so and numbers go on past the mark. */
static void test_epoch_missing_database(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_saved sv;
    for (int i = 0; i < 4; i++)
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    store_close(s);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm'", db, db, db);
    assert_int_equal(system(cmd), 0);
    s = open_store(&key);
    store_epoch ep;
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    assert_non_null(strstr(ep.alarm, "missing or empty"));
    assert_int_equal(ep.epochs, 2);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    assert_int_equal(sv.seq, 5);
    assert_string_equal(sv.receipt_no, "DEMO01-20261122-0005");
    store_close(s);
}

/* A database of another epoch than the mark (another unit's, or an older copy from
 * before a new epoch) is caught as replaced. */
static void test_epoch_replaced_database(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_saved sv;
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    store_close(s);
    char other[700], mark[700], keep[700];
    snprintf(other, sizeof other, "%s/other.db", dir);
    snprintf(mark, sizeof mark, "%s.mark", db);
    snprintf(keep, sizeof keep, "%s/keep.mark", dir);
    copy_file(mark, keep);
    /* another database, one record further, made beside no mark */
    remove_db();
    s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    store_close(s);
    copy_file(keep, mark);
    s = open_store(&key);
    store_epoch ep;
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    assert_non_null(strstr(ep.alarm, "replaced"));
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    assert_int_equal(sv.seq, 3);
    store_close(s);
}

/* Schema 5 -> 6 on a populated database: its records belong to the epoch made by the
 * migration, nothing changes state, numbering goes on, and no alarm (no mark yet: the
 * firmware before kept none). */
static void test_epoch_migration_from_5(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_saved sv;
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    store_outcome o = {.uuid = sv.uuid, .acknowledged = 0, .reason = "seq_conflict"};
    assert_int_equal(store_apply_outcomes(s, &o, 1, NULL), KIOSK_OK);
    store_close(s);
    /* as schema 5 left it */
    char mark[700];
    snprintf(mark, sizeof mark, "%s.mark", db);
    unlink(mark);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "DROP TABLE epochs; DELETE FROM meta WHERE key = 'epoch';"
                                  " PRAGMA user_version = 5",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    s = open_store(&key);
    store_epoch ep;
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    assert_int_equal(ep.epochs, 1);
    assert_string_equal(ep.alarm, "");
    store_counts c;
    assert_int_equal(store_count(s, &c), KIOSK_OK);
    assert_int_equal(c.by_state[STORE_QUEUED], 2);
    assert_int_equal(c.by_state[STORE_REJECTED], 1);
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    assert_int_equal(sv.seq, 4);
    store_close(s);
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw, "SELECT reason, first_seq FROM epochs", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "migrated");
    assert_int_equal(sqlite3_column_int64(st, 1), 1);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    /* and the mark is there now: a restore from here on is caught */
    struct stat stt;
    assert_int_equal(stat(mark, &stt), 0);
}

/* Help requests for the hub: queued with their own sequence and an audit entry, handed
 * out oldest first, marked sent only by seq, and still there after a reopen. */
static int find_help_entry(void *ctx, const store_audit_entry *e)
{
    int *n = ctx;
    if (!strcmp(e->action, SYNC_EVENT_HELP)) {
        assert_string_equal(e->actor, "citizen");
        assert_string_equal(e->detail, "DEMO01");
        (*n)++;
    }
    return 0;
}

static void test_events_queue(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    int64_t a = 0, b = 0, c = 0, pending = -1, sent = -1;
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "form", &a), KIOSK_OK);
    kiosk_clock_manual_advance(&clk, 1000);
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "review", &b), KIOSK_OK);
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "pin", &c), KIOSK_OK);
    assert_true(a >= 1 && b == a + 1 && c == b + 1);
    assert_int_equal(store_event_add(s, "help request", "form", NULL), KIOSK_INVALID);
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "", NULL), KIOSK_INVALID);
    int audited = 0;
    assert_int_equal(store_audit_recent(s, 100, find_help_entry, &audited), KIOSK_OK);
    assert_int_equal(audited, 3);
    sync_event ev[4];
    size_t n = 0;
    assert_int_equal(store_events_pending(s, ev, 2, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ev[0].seq, a);
    assert_string_equal(ev[0].step, "form");
    assert_string_equal(ev[0].hall_code, "DEMO01");
    assert_int_equal(ev[0].at_ms, 1795363199000LL - 3600000);
    assert_int_equal(ev[1].at_ms, ev[0].at_ms + 1000);
    /* only what the hub named, once */
    int64_t acked[] = {b, 999};
    size_t changed = 9;
    assert_int_equal(store_events_mark_sent(s, acked, 2, 5, &changed), KIOSK_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(store_events_mark_sent(s, acked, 1, 6, &changed), KIOSK_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(store_events_count(s, &pending, &sent), KIOSK_OK);
    assert_int_equal(pending, 2);
    assert_int_equal(sent, 1);
    store_close(s);
    /* survives a reopen */
    s = open_store(&key);
    assert_int_equal(store_events_pending(s, ev, 4, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ev[0].seq, a);
    assert_int_equal(ev[1].seq, c);
    int64_t rest[] = {a, c};
    assert_int_equal(store_events_mark_sent(s, rest, 2, 7, &changed), KIOSK_OK);
    assert_int_equal(changed, 2);
    assert_int_equal(store_events_pending(s, ev, 4, &n), KIOSK_OK);
    assert_int_equal(n, 0);
    /* seqs are never reused */
    int64_t d = 0;
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "done", &d), KIOSK_OK);
    assert_int_equal(d, c + 1);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_device_key, setup),
        cmocka_unit_test_setup(test_save_seal_and_open_upstream, setup),
        cmocka_unit_test_setup(test_bad_submissions_and_full_database, setup),
        cmocka_unit_test_setup(test_schema_versions, setup),
        cmocka_unit_test_setup(test_plan_beside_the_record, setup),
        cmocka_unit_test_setup(test_record_survives_a_killed_process, setup),
        cmocka_unit_test_setup(test_outbox_states_and_purge, setup),
        cmocka_unit_test_setup(test_migration_from_every_earlier_version, setup),
        cmocka_unit_test_setup(test_migration_keeps_a_backlog, setup),
        cmocka_unit_test_setup(test_outbox_batch_uses_the_index, setup),
        cmocka_unit_test_setup(test_unsigned_acks_requeued_by_schema_4, setup),
        cmocka_unit_test_setup(test_save_wal_bytes, setup),
        cmocka_unit_test_setup(test_seal_prepared_ahead, setup),
        cmocka_unit_test_setup(test_epoch_restored_backup, setup),
        cmocka_unit_test_setup(test_epoch_missing_database, setup),
        cmocka_unit_test_setup(test_epoch_replaced_database, setup),
        cmocka_unit_test_setup(test_epoch_migration_from_5, setup),
        cmocka_unit_test_setup(test_events_queue, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
