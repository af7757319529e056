/* Numbers never reused, end to end against a real hub on 127.0.0.1 (hub_http + hub_db in
 * this process): a store restored from a backup with its mark lost learns from the hub's
 * signed mark — on an idle round, before a citizen saves — that it went back, starts a new
 * epoch and raises the alarm; what it saves then is never a seq_conflict, every record is
 * at the hub once and no receipt number repeats. Two copies of one state directory: the
 * copy's refused records stay visible, go out in a --refused bundle and land in the hub's
 * reconciliation table. Records an older hub refused as seq_conflict go again once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/kiosk_clock.h"
#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "proto/sync_proto.h"
#include "store/store.h"
#include "sync/sync.h"

static char dir[512], db[600], hubdb[600], url[128];
static uint8_t up_pk[32], up_sk[32], commit_hash[32], hub_pk[32], hub_sk[64];
static store_device_key key;
static hub_db *hdb;
static hub_server *srv;

static const store_submission sample = {
    .registration_json = "{\"schema\":1,\"name\":\"张三丰\",\"mobile\":\"13812345678\"}",
    .evidence_json = "{\"strokes\":[[[10,20,0],[12,24,16]]]}",
    .commitment_version = "2026.1",
    .commitment_sha256 = commit_hash,
    .masked_name = "张*丰",
    .masked_id = "3701**********4519",
};

static int64_t wall_ms(void)
{
    return kiosk_clock_now_ms(kiosk_clock_system());
}

static int64_t hub_clock(void *ctx)
{
    (void)ctx;
    return wall_ms();
}

/* cp src dst; dst NULL: remove src */
static void cp(const char *src, const char *dst)
{
    char cmd[2048];
    if (dst)
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", src, dst);
    else
        snprintf(cmd, sizeof cmd, "rm -f '%s'", src);
    assert_int_equal(system(cmd), 0);
}

/* path + suffix, in a static buffer of four (enough for one call's arguments) */
static const char *with(const char *path, const char *suffix)
{
    static char buf[4][800];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s%s", path, suffix);
    return buf[i];
}

/* The database as a disk would be put back: no WAL or shared memory of the old one. */
static void restore(const char *backup, const char *path)
{
    cp(with(path, "-wal"), NULL);
    cp(with(path, "-shm"), NULL);
    cp(backup, path);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/epoch-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    snprintf(hubdb, sizeof hubdb, "%s/hub.db", dir);
    crypto_box_keypair(up_pk, up_sk);
    crypto_sign_keypair(hub_pk, hub_sk);
    crypto_hash_sha256(commit_hash, (const uint8_t *)"承诺 v1", strlen("承诺 v1"));
    if (store_device_key_load(dir, &key) != KIOSK_OK || hub_db_open(hubdb, &hdb) != KIOSK_OK ||
        hub_db_device_add(hdb, key.public_key, "test kiosk", wall_ms()) != KIOSK_OK)
        return -1;
    hub_server_options opt;
    hub_server_options_init(&opt);
    opt.now_ms = hub_clock;
    opt.sign_secret_key = hub_sk;
    opt.plain_http_loopback_test = 1;
    if (hub_server_start(hdb, &opt, &srv) != KIOSK_OK)
        return -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)hub_server_port(srv));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hub_server_stop(srv);
    srv = NULL;
    hub_db_close(hdb);
    hdb = NULL;
    return 0;
}

static store *open_at(const char *path)
{
    store *s;
    assert_int_equal(store_open(path, "DEMO01", &key, NULL, &s), KIOSK_OK);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    assert_int_equal(store_set_hub_key(s, hub_pk), KIOSK_OK);
    return s;
}

/* Save n records; their receipt numbers appended to receipts (a list of nr entries). */
static void save_n(store *s, int n, char (*receipts)[STORE_RECEIPT_NO_MAX + 1], size_t *nr)
{
    store_saved sv;
    for (int i = 0; i < n; i++) {
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
        if (receipts)
            memcpy(receipts[(*nr)++], sv.receipt_no, sizeof sv.receipt_no);
    }
}

static sync_config config(const char *path)
{
    sync_config c = {.url = url,
                     .allow_plain_http_loopback = 1,
                     .db_path = path,
                     .hall_code = "DEMO01",
                     .key = &key,
                     .batch = 4,
                     .timeout_s = 5};
    return c;
}

static int64_t count(store *s, store_state st)
{
    store_counts c;
    assert_int_equal(store_count(s, &c), KIOSK_OK);
    return c.by_state[st];
}

static int64_t hub_records(void)
{
    int64_t records, max_seq;
    assert_int_equal(hub_db_device_counts(hdb, key.public_key, &records, &max_seq), KIOSK_OK);
    return records;
}

/* Every uuid at the hub once (the table's key) and every record of the unit there: the
 * unit's acknowledged records are exactly the hub's. */
static void assert_no_gaps(void)
{
    hub_gap *gaps;
    size_t n;
    assert_int_equal(hub_db_gaps(hdb, key.public_key, &gaps, &n), KIOSK_OK);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "gap %lld-%lld\n", (long long)gaps[i].first, (long long)gaps[i].last);
    assert_int_equal(n, 0);
    free(gaps);
}

static void test_restored_store_learns_the_mark_when_idle(void **state)
{
    (void)state;
    char receipts[32][STORE_RECEIPT_NO_MAX + 1];
    size_t nr = 0;
    store *s = open_at(db);
    save_n(s, 3, receipts, &nr);
    sync_config c = config(db);
    sync_round r;
    char err[160];
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.acked, 3);
    store_close(s);
    /* the backup: the database alone (its mark beside it is not in the backup) */
    cp(db, with(db, ".bak"));
    s = open_at(db);
    save_n(s, 4, receipts, &nr);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.acked, 4);
    store_close(s);
    assert_int_equal(hub_records(), 7);
    /* the disk is replaced: the backup comes back, the mark is gone with the old disk */
    cp(with(db, ".mark"), NULL);
    restore(with(db, ".bak"), db);
    s = open_at(db);
    store_epoch ep;
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    assert_int_equal(ep.epochs, 1); /* nothing beside the database says it went back */
    assert_string_equal(ep.alarm, "");
    assert_int_equal(ep.last_seq, 3);
    uint8_t old_epoch[16];
    memcpy(old_epoch, ep.id, 16);
    /* an idle round: nothing pending, the hub is asked for its mark all the same */
    assert_int_equal(count(s, STORE_QUEUED) + count(s, STORE_SENT), 0);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.sent, 0);
    assert_int_equal(r.probed, 1);
    assert_int_equal(r.hub_ahead, 1);
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    assert_int_equal(ep.epochs, 2);
    assert_true(ep.alarm[0] != '\0');
    assert_true(memcmp(ep.id, old_epoch, 16) != 0);
    assert_true(ep.last_seq > 7);
    store_sync_note note;
    assert_int_equal(store_sync_info(s, &note), KIOSK_OK);
    assert_non_null(strstr(note.alarm, "hub holds later numbers"));
    /* the next citizens' records: accepted, never a seq_conflict */
    save_n(s, 3, receipts, &nr);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.acked, 3);
    assert_int_equal(r.rejected, 0);
    assert_int_equal(count(s, STORE_REJECTED), 0);
    assert_int_equal(hub_records(), 10);
    assert_no_gaps();
    /* no receipt number was issued twice */
    for (size_t i = 0; i < nr; i++)
        for (size_t j = i + 1; j < nr; j++)
            assert_string_not_equal(receipts[i], receipts[j]);
    /* quiet afterwards: the mark of the new epoch is ours */
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.hub_ahead, 0);
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    assert_int_equal(ep.epochs, 2);
    store_close(s);
}

static void test_restored_store_with_its_mark(void **state)
{
    (void)state;
    store *s = open_at(db);
    save_n(s, 2, NULL, NULL);
    sync_config c = config(db);
    sync_round r;
    assert_int_equal(sync_run_once(&c, s, &r, NULL, 0), KIOSK_OK);
    store_close(s);
    cp(db, with(db, ".bak"));
    s = open_at(db);
    save_n(s, 2, NULL, NULL);
    assert_int_equal(sync_run_once(&c, s, &r, NULL, 0), KIOSK_OK);
    store_close(s);
    restore(with(db, ".bak"), db);
    s = open_at(db); /* the mark is ahead: a new epoch at once */
    store_epoch ep;
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    assert_int_equal(ep.epochs, 2);
    save_n(s, 2, NULL, NULL);
    assert_int_equal(sync_run_once(&c, s, &r, NULL, 0), KIOSK_OK);
    assert_int_equal(r.rejected, 0);
    assert_int_equal(r.acked, 2);
    assert_int_equal(hub_records(), 6);
    assert_no_gaps();
    store_close(s);
}

static void test_copy_refused_records_reconciled(void **state)
{
    (void)state;
    store *a = open_at(db);
    save_n(a, 2, NULL, NULL);
    sync_config ca = config(db);
    sync_round r;
    char err[160];
    assert_int_equal(sync_run_once(&ca, a, &r, err, sizeof err), KIOSK_OK);
    store_close(a);
    /* a second unit made from a copy of the whole state directory */
    char copy[700];
    snprintf(copy, sizeof copy, "%s/copy.db", dir);
    cp(db, copy);
    cp(with(db, ".mark"), with(copy, ".mark"));
    a = open_at(db);
    store *b = open_at(copy);
    save_n(a, 2, NULL, NULL);
    save_n(b, 2, NULL, NULL); /* the same seqs, in the same epoch, other records */
    assert_int_equal(sync_run_once(&ca, a, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.acked, 2);
    sync_config cb = config(copy);
    assert_int_equal(sync_run_once(&cb, b, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.rejected, 2); /* kioskctl sync exits non-zero on this */
    assert_int_equal(r.hub_ahead, 1);
    assert_int_equal(count(b, STORE_REJECTED), 2);
    /* the hub kept what it refused, for reconciliation */
    int64_t kept, conflicts;
    assert_int_equal(hub_db_reconcile_count(hdb, &kept, &conflicts), KIOSK_OK);
    assert_int_equal(kept, 2);
    assert_int_equal(conflicts, 2);
    /* the copy goes on in an epoch of its own: its next records are accepted */
    save_n(b, 2, NULL, NULL);
    assert_int_equal(sync_run_once(&cb, b, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.acked, 2);
    assert_int_equal(r.rejected, 0);
    assert_int_equal(hub_records(), 6);
    /* the refused records go out in a bundle of their own and stay rejected here */
    sync_export_options opt = {.refused = 1};
    sync_export_result res;
    assert_int_equal(sync_export_bundles(b, &key, dir, "refused", wall_ms(), &opt, &res), KIOSK_OK);
    assert_int_equal(res.records, 2);
    assert_int_equal(count(b, STORE_REJECTED), 2);
    /* nothing pending is in it: a plain export holds nothing */
    assert_int_equal(sync_export_bundles(b, &key, dir, "pending", wall_ms(), NULL, &res),
                     KIOSK_NOT_FOUND);
    store_close(a);
    store_close(b);
}

static void test_older_refusals_go_again_once(void **state)
{
    (void)state;
    store *s = open_at(db);
    store_saved sv[2];
    assert_int_equal(store_save(s, &sample, &sv[0]), KIOSK_OK);
    assert_int_equal(store_save(s, &sample, &sv[1]), KIOSK_OK);
    /* a hub that keyed seqs by device alone refused one as seq_conflict (signed) */
    store_outcome o = {
        .uuid = sv[0].uuid, .acknowledged = 0, .reason = "seq_conflict", .hub_signed = 1};
    assert_int_equal(store_apply_outcomes(s, &o, 1, NULL), KIOSK_OK);
    assert_int_equal(count(s, STORE_REJECTED), 1);
    sync_config c = config(db);
    sync_round r;
    assert_int_equal(sync_run_once(&c, s, &r, NULL, 0), KIOSK_OK);
    assert_int_equal(r.acked, 1);
    assert_int_equal(r.requeued, 1); /* this hub keys by epoch: the refusal goes again */
    assert_int_equal(sync_run_once(&c, s, &r, NULL, 0), KIOSK_OK);
    assert_int_equal(r.acked, 1);
    assert_int_equal(count(s, STORE_REJECTED), 0);
    assert_int_equal(count(s, STORE_ACKED), 2);
    assert_int_equal(hub_records(), 2);
    /* once in the database's life: a later refusal stays */
    store_saved third;
    assert_int_equal(store_save(s, &sample, &third), KIOSK_OK);
    o.uuid = third.uuid;
    assert_int_equal(store_apply_outcomes(s, &o, 1, NULL), KIOSK_OK);
    assert_int_equal(sync_run_once(&c, s, &r, NULL, 0), KIOSK_OK);
    assert_int_equal(r.requeued, 0);
    assert_int_equal(count(s, STORE_REJECTED), 1);
    store_close(s);
}

/* The worker asks for the mark at its idle interval, with nothing to send: records of
 * this unit's epoch beyond its numbers reach the hub some other way (the lost disk's
 * bundle, imported late) and the idle unit moves to a new epoch without a save or a wake. */
static void test_idle_worker_learns_the_mark(void **state)
{
    (void)state;
    store *s = open_at(db);
    save_n(s, 2, NULL, NULL);
    store_epoch ep;
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    sync_config c = config(db);
    c.idle_poll_ms = 150;
    sync_worker *sy;
    assert_int_equal(sync_worker_create(&c, &sy), KIOSK_OK);
    sync_status_info st;
    for (int i = 0; i < 500; i++) { /* the first round sends the two */
        sync_worker_status(sy, &st);
        if (st.counts.by_state[STORE_ACKED] == 2)
            break;
        usleep(10000);
    }
    assert_int_equal(st.counts.by_state[STORE_ACKED], 2);
    /* seq 3 and 4 of this epoch arrive at the hub, signed by this unit */
    sync_record r[2];
    sync_result res[2];
    uint8_t sealed[2][80];
    for (int i = 0; i < 2; i++) {
        memset(&r[i], 0, sizeof r[i]);
        snprintf(r[i].uuid, sizeof r[i].uuid, "0f8fad5b-d9cb-469f-a165-7086772895%02d", i);
        r[i].seq = 3 + i;
        randombytes_buf(sealed[i], sizeof sealed[i]);
        r[i].sealed = sealed[i];
        r[i].sealed_len = sizeof sealed[i];
        sync_record_sign_epoch(&r[i], ep.id, key.secret_key);
    }
    assert_int_equal(
        hub_db_ingest_epoch(hdb, key.public_key, ep.id, r, 2, "bundle", wall_ms(), res), KIOSK_OK);
    assert_int_equal(res[0].status, SYNC_ACCEPTED);
    /* no save, no wake: the idle round finds the hub ahead within a few intervals */
    int epochs = 1;
    for (int i = 0; i < 500 && epochs < 2; i++) {
        usleep(10000);
        store_epoch now;
        if (store_epoch_info(s, &now) == KIOSK_OK)
            epochs = (int)now.epochs;
    }
    sync_worker_destroy(sy);
    assert_int_equal(epochs, 2);
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    assert_non_null(strstr(ep.alarm, "hub holds later numbers"));
    assert_true(ep.last_seq > 4);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_restored_store_learns_the_mark_when_idle, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_restored_store_with_its_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_refused_records_reconciled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_refusals_go_again_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_worker_learns_the_mark, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
