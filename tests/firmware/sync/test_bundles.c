/* USB bundles of any size and the hub's signed acknowledgements on the stick, with the
 * real store and the real hub database (no network): a backlog split under a lowered cap
 * into numbered bundles, each importable alone and in any order (duplicates the second
 * time); an export killed (SIGKILL) at random moments leaves no file that looks like a
 * bundle and the next export clears what it left; a real-size backlog (records of about
 * 10 KB sealed, more than the 2,280 that used to overflow the hub's limit) written at the
 * real cap and imported whole; the hub's acknowledgement bundle marks exactly the records
 * the hub holds with the same bytes, and one signed by another key, altered, made for
 * another unit, or met without a hub key changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hub/hub_db.h"
#include "core/kiosk_clock.h"
#include "proto/sync_proto.h"
#include "store/store.h"
#include "sync/sync.h"

static char dir[512], usb[600], db[600], hubdb[600];
static uint8_t up_pk[32], up_sk[32], commit_hash[32], hub_pk[32], hub_sk[64];
static store_device_key key;
static hub_db *hdb;
static char *big_evidence; /* makes a record about 10 KB sealed */

static const store_submission small = {
    .registration_json = "{\"schema\":1,\"name\":\"张三丰\",\"mobile\":\"13812345678\"}",
    .evidence_json = "{\"strokes\":[[[10,20,0],[12,24,16]]]}",
    .commitment_version = "2026.1",
    .commitment_sha256 = commit_hash,
    .masked_name = "张*丰",
    .masked_id = "3701**********4519",
};

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The wall clock, as the hub and the store read it. */
static int64_t wall_ms(void)
{
    return kiosk_clock_now_ms(kiosk_clock_system());
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/bundles-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(usb, sizeof usb, "%s/usb", dir);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, usb);
    if (system(cmd) != 0)
        return -1;
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    snprintf(hubdb, sizeof hubdb, "%s/hub.db", dir);
    crypto_box_keypair(up_pk, up_sk);
    crypto_sign_keypair(hub_pk, hub_sk);
    crypto_hash_sha256(commit_hash, (const uint8_t *)"承诺 v1", strlen("承诺 v1"));
    if (store_device_key_load(dir, &key) != KIOSK_OK || hub_db_open(hubdb, &hdb) != KIOSK_OK ||
        hub_db_device_add(hdb, key.public_key, "field unit", wall_ms()) != KIOSK_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hub_db_close(hdb);
    hdb = NULL;
    return 0;
}

static store *open_store(void)
{
    store *s;
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &s), KIOSK_OK);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    assert_int_equal(store_set_hub_key(s, hub_pk), KIOSK_OK);
    store_set_retention_days(s, 0);
    return s;
}

static int64_t count(store *s, store_state st)
{
    store_counts c;
    assert_int_equal(store_count(s, &c), KIOSK_OK);
    return c.by_state[st];
}

static void save_n(store *s, const store_submission *sub, int n)
{
    store_saved sv;
    for (int i = 0; i < n; i++)
        assert_int_equal(store_save(s, sub, &sv), KIOSK_OK);
}

/* Evidence strokes as the pad makes them: enough points for a ~10 KB sealed record. */
static const char *evidence_10k(void)
{
    if (big_evidence)
        return big_evidence;
    size_t cap = 16000, n = 0;
    big_evidence = malloc(cap);
    assert_non_null(big_evidence);
    n += (size_t)snprintf(big_evidence + n, cap - n, "{\"strokes\":[");
    for (int k = 0; k < 29; k++) {
        n += (size_t)snprintf(big_evidence + n, cap - n, "%s[", k ? "," : "");
        for (int i = 0; i < 22; i++)
            n += (size_t)snprintf(big_evidence + n, cap - n, "%s[%d,%d,%d]", i ? "," : "",
                                  80 + k * 23 + i * 6, 100 + (i * 7 + k * 3) % 13 * 3,
                                  1000 + k * 500 + i * 16);
        n += (size_t)snprintf(big_evidence + n, cap - n, "]");
    }
    snprintf(big_evidence + n, cap - n, "]}");
    return big_evidence;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return data;
}

/* The names in d, sorted; how many. */
static size_t list_dir(const char *d, char names[][256], size_t max)
{
    DIR *dd = opendir(d);
    assert_non_null(dd);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dd)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < max)
            snprintf(names[n++], 256, "%s", e->d_name);
    closedir(dd);
    qsort(names, n, 256, (int (*)(const void *, const void *))strcmp);
    return n;
}

static void empty_usb(void)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", usb, usb);
    assert_int_equal(system(cmd), 0);
}

/* Import one bundle file into the hub as `hub import` does; the decisions counted in
 * c[status]; the body's length into *body_len. */
static void hub_import(const char *path, size_t c[3], size_t *body_len)
{
    size_t len;
    char *data = slurp(path, &len);
    assert_true(len <= (size_t)SYNC_MAX_BODY + 4096); /* what `hub import` reads */
    sync_bundle b;
    assert_int_equal(sync_bundle_parse(data, len, &b), KIOSK_OK);
    assert_true(sync_request_verify(b.device, SYNC_BUNDLE_METHOD, SYNC_PATH_RECORDS, b.time_ms,
                                    b.body, b.body_len, b.sig));
    if (body_len)
        *body_len = b.body_len;
    sync_record *recs;
    size_t n;
    sync_head head;
    assert_int_equal(sync_body_decode_head(b.body, b.body_len, &recs, &n, &head), KIOSK_OK);
    assert_true(head.has_epoch);
    sync_result *res = calloc(n ? n : 1, sizeof *res);
    assert_non_null(res);
    assert_int_equal(
        hub_db_ingest_epoch(hdb, b.device, head.epoch, recs, n, "bundle", wall_ms(), res),
        KIOSK_OK);
    for (size_t i = 0; i < n; i++) {
        c[res[i].status]++;
        /* a record goes with its type and receipt number (signed at the save), so the hub
         * finds it by what its receipt shows, as for a record sent online */
        char uuid[SYNC_UUID_LEN + 1];
        assert_true(recs[i].record_type[0] && recs[i].receipt_no[0]);
        assert_int_equal(hub_db_find_receipt(hdb, b.device, recs[i].receipt_no, uuid), KIOSK_OK);
        assert_string_equal(uuid, recs[i].uuid);
    }
    free(res);
    sync_records_free(recs, n);
    free(data);
}

static int64_t hub_records(void)
{
    int64_t records, max_seq;
    assert_int_equal(hub_db_device_counts(hdb, key.public_key, &records, &max_seq), KIOSK_OK);
    return records;
}

/* ---- splitting -------------------------------------------------------------------- */

static void test_record_size_is_exact(void **state)
{
    (void)state;
    uint8_t sealed[1000];
    randombytes_buf(sealed, sizeof sealed);
    sync_record r[3] = {{.seq = 7}, {.seq = 123456789}, {.seq = 1}};
    size_t lens[3] = {48, 1000, 49};
    size_t want = SYNC_BODY_FRAME;
    for (int i = 0; i < 3; i++) {
        snprintf(r[i].uuid, sizeof r[i].uuid, "123e4567-e89b-42d3-a456-42661417400%d", i);
        r[i].sealed = sealed;
        r[i].sealed_len = lens[i];
        want += sync_body_record_size(r[i].seq, lens[i], i == 0);
        char *body;
        size_t len;
        assert_int_equal(sync_body_encode(r, (size_t)i + 1, &body, &len), KIOSK_OK);
        assert_int_equal(len, want);
        free(body);
    }
    assert_true(sync_bundle_is_temp_name(".x.kb.part"));
    assert_false(sync_bundle_is_temp_name("x.kb"));
    assert_false(sync_bundle_is_temp_name("x.kb.part")); /* not hidden: not ours */
}

/* Found by fuzz_acks_bundle: a NUL inside a header value ended it early for the hex
 * check, so bytes after it were taken as part of a valid header. */
static void test_headers_are_strict(void **state)
{
    (void)state;
    char data[512];
    char sig[129];
    memset(sig, 'c', 128);
    sig[128] = '\0';
    int n =
        snprintf(data, sizeof data,
                 SYNC_ACKS_MAGIC "device %064d\nhub %064d\ntime 5\nsignature %sX\n\n{}", 0, 0, sig);
    char *x = strchr(data, 'X');
    sync_acks a;
    sync_bundle b;
    *x = 'c'; /* 129 digits: refused */
    assert_int_equal(sync_acks_parse(data, (size_t)n, &a), KIOSK_INVALID);
    *x = '\0';
    assert_int_equal(sync_acks_parse(data, (size_t)n, &a), KIOSK_INVALID);
    memmove(x, x + 1, (size_t)(n - (x - data)));
    assert_int_equal(sync_acks_parse(data, (size_t)n - 1, &a), KIOSK_OK);
    assert_int_equal(a.time_ms, 5);
    assert_int_equal(a.body_len, 2);
    /* a leading zero or sign in the time: one spelling only */
    char *t = strstr(data, "time 5");
    t[5] = '+';
    assert_int_equal(sync_acks_parse(data, (size_t)n - 1, &a), KIOSK_INVALID);
    t[5] = '5';
    /* the records bundle's header, the same way */
    n = snprintf(data, sizeof data, "kiosk-bundle-v1\ndevice %064d\ntime 5\nsignature %sX\n\n{}", 0,
                 sig);
    x = strchr(data, 'X');
    *x = '\0';
    assert_int_equal(sync_bundle_parse(data, (size_t)n, &b), KIOSK_INVALID);
    memmove(x, x + 1, (size_t)(n - (x - data)));
    assert_int_equal(sync_bundle_parse(data, (size_t)n - 1, &b), KIOSK_OK);
}

static void test_split_under_a_cap(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, &small, 30);
    /* a cap that holds a few records a bundle */
    char names[64][256];
    sync_export_options opt = {.max_body = SYNC_BODY_FRAME + 4 * 600};
    sync_export_result res;
    assert_int_equal(
        sync_export_bundles(s, &key, usb, "DEMO01-U1-20261204-231500", wall_ms(), &opt, &res),
        KIOSK_OK);
    assert_int_equal(res.records, 30);
    assert_true(res.files > 4);
    size_t n = list_dir(usb, names, 64);
    assert_int_equal(n, res.files); /* nothing else: no temporary file */
    char want[64];
    snprintf(want, sizeof want, "DEMO01-U1-20261204-231500-001of%03zu.kb", res.files);
    assert_string_equal(names[0], want);
    /* the hub takes them in any order: last first */
    size_t c[3] = {0, 0, 0};
    for (size_t i = n; i-- > 0;) {
        char path[4096];
        size_t body_len = 0;
        snprintf(path, sizeof path, "%s/%s", usb, names[i]);
        hub_import(path, c, &body_len);
        assert_true(body_len <= opt.max_body);
    }
    assert_int_equal(c[SYNC_ACCEPTED], 30);
    assert_int_equal(hub_records(), 30);
    /* again: every one a duplicate, nothing new */
    memset(c, 0, sizeof c);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", usb, names[i]);
        hub_import(path, c, NULL);
    }
    assert_int_equal(c[SYNC_DUPLICATE], 30);
    assert_int_equal(c[SYNC_ACCEPTED], 0);
    assert_int_equal(hub_records(), 30);
    /* the records stay pending on the unit until acknowledged */
    assert_int_equal(count(s, STORE_QUEUED), 30);

    /* a cap on the number of records, too */
    empty_usb();
    opt = (sync_export_options){.max_records = 7};
    assert_int_equal(sync_export_bundles(s, &key, usb, "B", wall_ms(), &opt, &res), KIOSK_OK);
    assert_int_equal(res.files, 5);
    n = list_dir(usb, names, 64);
    assert_int_equal(n, 5);
    assert_string_equal(names[4], "B-005of005.kb");
    /* one bundle is enough: no number */
    empty_usb();
    assert_int_equal(sync_export_bundles(s, &key, usb, "C", wall_ms(), NULL, &res), KIOSK_OK);
    assert_int_equal(res.files, 1);
    n = list_dir(usb, names, 64);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "C.kb");
    /* a cap too small for one record: refused, nothing written */
    empty_usb();
    opt = (sync_export_options){.max_body = 100};
    assert_int_equal(sync_export_bundles(s, &key, usb, "D", wall_ms(), &opt, &res), KIOSK_RANGE);
    assert_int_equal(list_dir(usb, names, 64), 0);
    store_close(s);
}

/* ---- an export killed in the middle ----------------------------------------------- */

/* Every visible file in usb is a whole, signed bundle; hidden ones are our leftovers. */
static void assert_no_partial_bundle(size_t *hidden)
{
    char names[64][256];
    size_t n = list_dir(usb, names, 64);
    *hidden = 0;
    for (size_t i = 0; i < n; i++) {
        if (names[i][0] == '.') {
            assert_true(sync_bundle_is_temp_name(names[i]));
            (*hidden)++;
            continue;
        }
        size_t nl = strlen(names[i]);
        assert_true(nl > 3 && strcmp(names[i] + nl - 3, ".kb") == 0);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", usb, names[i]);
        size_t len;
        char *data = slurp(path, &len);
        sync_bundle b;
        assert_int_equal(sync_bundle_parse(data, len, &b), KIOSK_OK);
        assert_true(sync_request_verify(b.device, SYNC_BUNDLE_METHOD, SYNC_PATH_RECORDS, b.time_ms,
                                        b.body, b.body_len, b.sig));
        free(data);
    }
}

static void test_killed_export_leaves_no_bundle(void **state)
{
    (void)state;
    store *s = open_store();
    store_submission sub = small;
    sub.evidence_json = evidence_10k();
    save_n(s, &sub, 600); /* about 6 MB to write */
    store_close(s);
    size_t hidden_seen = 0;
    for (int round = 0; round < 6; round++) {
        empty_usb();
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
            store *cs;
            if (store_open(db, "DEMO01", &key, NULL, &cs) != KIOSK_OK)
                _exit(3);
            sync_export_options opt = {.max_body = 1u << 20}; /* about six bundles */
            for (;;)                                          /* export after export until killed */
                sync_export_bundles(cs, &key, usb, "K", wall_ms(), &opt, NULL);
        }
        usleep((useconds_t)(20000 + round * 37000 + (int)randombytes_uniform(30000)));
        assert_int_equal(kill(child, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_true(WIFSIGNALED(status));
        size_t hidden;
        assert_no_partial_bundle(&hidden);
        hidden_seen += hidden;
        /* the next export clears what the killed one left */
        s = open_store();
        sync_export_result res;
        assert_int_equal(sync_export_bundles(s, &key, usb, "N", wall_ms(), NULL, &res), KIOSK_OK);
        assert_int_equal(res.records, 600);
        assert_int_equal(res.stale_removed, hidden);
        assert_no_partial_bundle(&hidden);
        assert_int_equal(hidden, 0);
        store_close(s);
    }
    /* at least one kill landed while a part was being written */
    print_message("killed exports left %zu hidden part files, all removed\n", hidden_seen);
    assert_true(hidden_seen > 0);
}

/* ---- real size, real cap ------------------------------------------------------------ */

static void test_real_size_backlog(void **state)
{
    (void)state;
    store *s = open_store();
    store_submission sub = small;
    sub.evidence_json = evidence_10k();
    enum { N = 2400 };
    double t0 = mono_ms();
    save_n(s, &sub, N);
    double t1 = mono_ms();
    uint8_t *sealed;
    size_t sealed_len;
    store_saved sv;
    assert_int_equal(store_save(s, &sub, &sv), KIOSK_OK);
    assert_int_equal(store_sealed(s, sv.uuid, &sealed, &sealed_len), KIOSK_OK);
    free(sealed);
    assert_true(sealed_len > 9500 && sealed_len < 11500);
    /* one bundle of all of it is over the hub's limit: the old way refuses now */
    char path[4096];
    size_t n1 = 0;
    snprintf(path, sizeof path, "%s/one.kb", usb);
    assert_int_equal(sync_export_bundle(s, &key, path, wall_ms(), &n1), KIOSK_RANGE);
    sync_export_result res;
    double t2 = mono_ms();
    assert_int_equal(sync_export_bundles(s, &key, usb, "R", wall_ms(), NULL, &res), KIOSK_OK);
    double t3 = mono_ms();
    assert_int_equal(res.records, N + 1);
    assert_int_equal(res.files, 2);
    char names[8][256];
    assert_int_equal(list_dir(usb, names, 8), 2);
    size_t c[3] = {0, 0, 0}, body[2];
    double t4 = mono_ms();
    for (int i = 1; i >= 0; i--) {
        snprintf(path, sizeof path, "%s/%s", usb, names[i]);
        hub_import(path, c, &body[i]);
        assert_true(body[i] <= SYNC_MAX_BODY);
    }
    double t5 = mono_ms();
    assert_int_equal(c[SYNC_ACCEPTED], N + 1);
    print_message("%d records of %zu bytes sealed: saved in %.1f s, exported in %.2f s as 2 "
                  "bundles (%zu + %zu body bytes, limit %u), imported in %.2f s\n",
                  N + 1, sealed_len, (t1 - t0) / 1e3, (t3 - t2) / 1e3, body[0], body[1],
                  SYNC_MAX_BODY, (t5 - t4) / 1e3);

    /* the way back: the hub's signed list, imported on the unit */
    sync_result *held;
    size_t nheld;
    char *abody;
    size_t alen;
    assert_int_equal(hub_db_device_results(hdb, key.public_key, SYNC_MAX_RECORDS, &held, &nheld),
                     KIOSK_OK);
    assert_int_equal(nheld, N + 1);
    assert_int_equal(sync_results_encode(held, nheld, wall_ms(), &abody, &alen), KIOSK_OK);
    snprintf(path, sizeof path, "%s/unit.acks", usb);
    assert_int_equal(sync_acks_write(path, hub_sk, key.public_key, wall_ms(), abody, alen),
                     KIOSK_OK);
    free(abody);
    free(held);
    sync_acks_report rep;
    char err[160];
    double t6 = mono_ms();
    assert_int_equal(sync_import_acks(s, &key, path, "test", &rep, err, sizeof err), KIOSK_OK);
    print_message("acknowledgements for %zu records (%zu bytes) applied in %.2f s\n", rep.listed,
                  alen, (mono_ms() - t6) / 1e3);
    assert_int_equal(rep.acked, N + 1);
    assert_int_equal(count(s, STORE_ACKED), N + 1);
    assert_int_equal(count(s, STORE_QUEUED), 0);
    store_close(s);
}

/* ---- acknowledgements ------------------------------------------------------------- */

/* Write the hub's acknowledgement bundle for device at path, signed with sk. */
static void write_acks(const char *path, const uint8_t sk[64], const uint8_t device[32])
{
    sync_result *held;
    size_t n;
    char *body;
    size_t len;
    assert_int_equal(hub_db_device_results(hdb, key.public_key, SYNC_MAX_RECORDS, &held, &n),
                     KIOSK_OK);
    assert_int_equal(sync_results_encode(held, n, wall_ms(), &body, &len), KIOSK_OK);
    assert_int_equal(sync_acks_write(path, sk, device, wall_ms(), body, len), KIOSK_OK);
    free(body);
    free(held);
}

static void test_acks_mark_what_the_hub_holds(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, &small, 10);
    /* the hub got the first 6 by a bundle */
    sync_export_options opt = {.max_records = 6};
    sync_export_result res;
    assert_int_equal(sync_export_bundles(s, &key, usb, "A", wall_ms(), &opt, &res), KIOSK_OK);
    assert_int_equal(res.files, 2);
    size_t c[3] = {0, 0, 0};
    char path[4096], err[160];
    snprintf(path, sizeof path, "%s/A-001of002.kb", usb);
    hub_import(path, c, NULL);
    assert_int_equal(c[SYNC_ACCEPTED], 6);
    snprintf(path, sizeof path, "%s/unit.acks", usb);
    write_acks(path, hub_sk, key.public_key);

    sync_acks_report rep;
    assert_int_equal(sync_import_acks(s, &key, path, "staff1", &rep, err, sizeof err), KIOSK_OK);
    assert_int_equal(rep.listed, 6);
    assert_int_equal(rep.acked, 6);
    assert_int_equal(count(s, STORE_ACKED), 6);
    assert_int_equal(count(s, STORE_QUEUED), 4);
    /* again: nothing more to do */
    assert_int_equal(sync_import_acks(s, &key, path, "staff1", &rep, err, sizeof err), KIOSK_OK);
    assert_int_equal(rep.acked, 0);
    /* purge now takes them, the floor respected: with 7 days nothing goes */
    int64_t purged = -1;
    store_set_retention_days(s, 7);
    assert_int_equal(store_purge_acked(s, wall_ms() + 1000, "staff1", &purged), KIOSK_OK);
    assert_int_equal(purged, 0);
    store_set_retention_days(s, 0);
    assert_int_equal(store_purge_acked(s, wall_ms() + 1000, "staff1", &purged), KIOSK_OK);
    assert_int_equal(purged, 6);
    assert_int_equal(count(s, STORE_QUEUED), 4);
    store_close(s);
}

/* A signed list whose entries are built by hand (hash, status). */
static void write_custom_acks(const char *path, const sync_result *r, size_t n)
{
    char *body;
    size_t len;
    assert_int_equal(sync_results_encode(r, n, wall_ms(), &body, &len), KIOSK_OK);
    assert_int_equal(sync_acks_write(path, hub_sk, key.public_key, wall_ms(), body, len), KIOSK_OK);
    free(body);
}

static void test_acks_refused_change_nothing(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, &small, 5);
    sync_export_result res;
    assert_int_equal(sync_export_bundles(s, &key, usb, "X", wall_ms(), NULL, &res), KIOSK_OK);
    size_t c[3] = {0, 0, 0};
    char path[4096], good[1000], err[160];
    snprintf(path, sizeof path, "%s/X.kb", usb);
    hub_import(path, c, NULL);
    assert_int_equal(c[SYNC_ACCEPTED], 5);
    snprintf(good, sizeof good, "%s/good.acks", usb);
    write_acks(good, hub_sk, key.public_key);
    sync_acks_report rep;

    /* signed by another key (a hub this unit was not provisioned with) */
    uint8_t other_pk[32], other_sk[64];
    crypto_sign_keypair(other_pk, other_sk);
    snprintf(path, sizeof path, "%s/other-key.acks", usb);
    write_acks(path, other_sk, key.public_key);
    assert_int_equal(sync_import_acks(s, &key, path, "t", &rep, err, sizeof err), KIOSK_CRYPTO);
    assert_non_null(strstr(err, "signed by another key"));
    assert_int_equal(count(s, STORE_ACKED), 0);

    /* another key, but claiming to be the provisioned hub in its header */
    size_t len;
    char *data = slurp(path, &len);
    char hexpk[65], hexother[65];
    sync_hex_format(hub_pk, 32, hexpk);
    sync_hex_format(other_pk, 32, hexother);
    char *at = strstr(data, hexother);
    assert_non_null(at);
    memcpy(at, hexpk, 64);
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    free(data);
    assert_int_equal(sync_import_acks(s, &key, path, "t", &rep, err, sizeof err), KIOSK_CRYPTO);
    assert_non_null(strstr(err, "altered"));
    assert_int_equal(count(s, STORE_ACKED), 0);

    /* the hub's own bundle, altered: one hex digit of a hash changed */
    data = slurp(good, &len);
    at = strstr(data, "\"sealed_sha256\":\"");
    assert_non_null(at);
    at += strlen("\"sealed_sha256\":\"");
    *at = *at == '0' ? '1' : '0';
    snprintf(path, sizeof path, "%s/altered.acks", usb);
    f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    free(data);
    assert_int_equal(sync_import_acks(s, &key, path, "t", &rep, err, sizeof err), KIOSK_CRYPTO);
    assert_non_null(strstr(err, "altered"));
    assert_int_equal(count(s, STORE_ACKED), 0);

    /* made for another unit, rightly signed by the hub */
    uint8_t other_dev[32];
    randombytes_buf(other_dev, sizeof other_dev);
    snprintf(path, sizeof path, "%s/other-unit.acks", usb);
    write_acks(path, hub_sk, other_dev);
    assert_int_equal(sync_import_acks(s, &key, path, "t", &rep, err, sizeof err), KIOSK_AUTH);
    assert_non_null(strstr(err, "another unit"));
    assert_int_equal(count(s, STORE_ACKED), 0);

    /* not an acknowledgement bundle at all: a records bundle */
    snprintf(path, sizeof path, "%s/X.kb", usb);
    assert_int_equal(sync_import_acks(s, &key, path, "t", &rep, err, sizeof err), KIOSK_INVALID);
    snprintf(path, sizeof path, "%s/missing.acks", usb);
    assert_int_equal(sync_import_acks(s, &key, path, "t", &rep, err, sizeof err), KIOSK_NOT_FOUND);
    assert_int_equal(count(s, STORE_ACKED), 0);

    /* signed, but for other bytes under this unit's uuids, or a rejection: not acknowledged */
    sync_result *held;
    size_t n;
    assert_int_equal(hub_db_device_results(hdb, key.public_key, 100, &held, &n), KIOSK_OK);
    assert_int_equal(n, 5);
    held[0].sealed_sha256[0] ^= 1;
    held[1].status = SYNC_REJECTED;
    snprintf(held[1].reason, sizeof held[1].reason, "seq_conflict");
    held[2].has_sealed_sha256 = 0;
    snprintf(path, sizeof path, "%s/custom.acks", usb);
    write_custom_acks(path, held, 3);
    free(held);
    assert_int_equal(sync_import_acks(s, &key, path, "t", &rep, err, sizeof err), KIOSK_OK);
    assert_int_equal(rep.listed, 3);
    assert_int_equal(rep.acked, 0);
    assert_int_equal(rep.mismatched, 2);
    assert_int_equal(count(s, STORE_ACKED), 0);

    /* no hub key on the unit: nothing to check it with */
    store_close(s);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"DELETE FROM meta WHERE key = 'hub_pk'\"", db);
    assert_int_equal(system(cmd), 0);
    store *s2;
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &s2), KIOSK_OK);
    uint8_t tmp[32];
    assert_int_equal(store_hub_key(s2, tmp), KIOSK_CONFIG);
    assert_int_equal(sync_import_acks(s2, &key, good, "t", &rep, err, sizeof err), KIOSK_CONFIG);
    assert_non_null(strstr(err, "no hub key"));
    assert_int_equal(count(s2, STORE_ACKED), 0);
    store_close(s2);
    /* and the good one, checked last, works */
    s = open_store();
    assert_int_equal(sync_import_acks(s, &key, good, "t", &rep, err, sizeof err), KIOSK_OK);
    assert_int_equal(rep.acked, 5);
    assert_int_equal(count(s, STORE_ACKED), 5);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_size_is_exact),
        cmocka_unit_test(test_headers_are_strict),
        cmocka_unit_test_setup_teardown(test_split_under_a_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_killed_export_leaves_no_bundle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_size_backlog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acks_mark_what_the_hub_holds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acks_refused_change_nothing, setup, teardown),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    free(big_evidence);
    return r;
}
