#define _GNU_SOURCE /* strcasestr */
/* Integration tests of the sync client against a real hub on 127.0.0.1 (hub_http +
 * hub_db in this process, libmicrohttpd on its own thread): a normal sync; the hub down,
 * then up; 500 and 503; a reset connection after the hub stored the records; a garbage
 * reply; an answer for only some records; duplicates; a record the hub rejects; an
 * unknown device; a kiosk clock an hour off; the worker thread woken by a new record and
 * backing off while the hub is away; a bundle exported and imported twice; HTTPS with
 * the hub's certificate checked; and the trust in acknowledgements: a plain-HTTP hub URL
 * refused, a fake hub that answers "accepted" without the hub's signature (or signed by
 * another key, or about other bytes) acknowledges nothing and lets purge delete
 * nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "store/store.h"
#include "sync/sync.h"
#include "core/kiosk_clock.h"
#include "proto/sync_proto.h"

static char dir[512], db[600], hubdb[600], url[128];
static uint8_t up_pk[32], up_sk[32], commit_hash[32], hub_pk[32], hub_sk[64];
static store_device_key key;
static hub_db *hdb;
static hub_server *srv;
static int64_t hub_skew_ms;

static const store_submission sample = {
    .registration_json = "{\"schema\":1,\"name\":\"张三丰\",\"mobile\":\"13812345678\"}",
    .evidence_json = "{\"strokes\":[[[10,20,0],[12,24,16]]]}",
    .commitment_version = "2026.1",
    .commitment_sha256 = commit_hash,
    .masked_name = "张*丰",
    .masked_id = "3701**********4519",
};

/* The wall clock, as the hub and the store read it. */
static int64_t wall_ms(void)
{
    return kiosk_clock_now_ms(kiosk_clock_system());
}

static int64_t hub_clock(void *ctx)
{
    (void)ctx;
    return wall_ms() + hub_skew_ms;
}

static void hub_up_key(uint16_t port, const uint8_t *sign_sk)
{
    hub_server_options opt;
    hub_server_options_init(&opt);
    opt.port = port;
    opt.now_ms = hub_clock;
    opt.sign_secret_key = sign_sk;
    opt.plain_http_loopback_test = 1;
    assert_int_equal(hub_server_start(hdb, &opt, &srv), KIOSK_OK);
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)hub_server_port(srv));
}

static void hub_up(uint16_t port)
{
    hub_up_key(port, hub_sk);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/sync-%d", KIOSK_TEST_TMP, (int)getpid());
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
    hub_skew_ms = 0;
    hub_up(0);
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

static store *open_store(void)
{
    store *s;
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &s), KIOSK_OK);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    assert_int_equal(store_set_hub_key(s, hub_pk), KIOSK_OK);
    store_set_retention_days(s, 0); /* so a purge would take anything acknowledged */
    return s;
}

static void save_n(store *s, int n)
{
    store_saved sv;
    for (int i = 0; i < n; i++)
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
}

static sync_config config(void)
{
    sync_config c = {.url = url,
                     .allow_plain_http_loopback = 1,
                     .db_path = db,
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

/* The hub holds exactly n records of this kiosk, seq 1..n, without gaps. */
static void assert_hub_holds(int64_t n)
{
    int64_t records, max_seq;
    assert_int_equal(hub_db_device_counts(hdb, key.public_key, &records, &max_seq), KIOSK_OK);
    assert_int_equal(records, n);
    assert_int_equal(max_seq, n);
    hub_gap *gaps;
    size_t ngaps;
    assert_int_equal(hub_db_gaps(hdb, key.public_key, &gaps, &ngaps), KIOSK_OK);
    assert_int_equal(ngaps, 0);
    free(gaps);
}

static void test_normal_sync(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 10);
    sync_config c = config();
    sync_round r;
    char err[128];
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.sent, 10);
    assert_int_equal(r.acked, 10);
    assert_int_equal(r.requests, 3); /* batches of 4 */
    assert_string_equal(err, "");
    assert_int_equal(count(s, STORE_ACKED), 10);
    assert_hub_holds(10);
    /* nothing pending: one request, the empty one that asks for the hub's mark */
    uint64_t before = hub_server_requests(srv);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.requests, 1);
    assert_int_equal(r.sent, 0);
    assert_int_equal(r.probed, 1);
    assert_int_equal(r.hub_ahead, 0);
    assert_int_equal(hub_server_requests(srv), before + 1);
    store_close(s);
}

static void test_hub_down_then_up(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 3);
    sync_config c = config();
    uint16_t port = hub_server_port(srv);
    hub_server_stop(srv);
    srv = NULL;
    sync_round r;
    char err[128];
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_NET);
    assert_non_null(strstr(err, "hub unreachable"));
    assert_int_equal(count(s, STORE_ACKED), 0);
    assert_int_equal(count(s, STORE_SENT), 3); /* tried, no answer: still pending */
    hub_up(port);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(count(s, STORE_ACKED), 3);
    assert_hub_holds(3);
    store_close(s);
}

/* The round prepares the next batch (read, marked sent, encoded, signed) while the hub
 * decides on one. A first request that fails leaves the batch behind it marked sent but
 * never sent: still pending, and the next round sends and acknowledges every record
 * once. Without the overlap only the first batch would be marked. */
static void test_next_batch_prepared_while_the_hub_works(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 10);
    sync_config c = config(); /* batches of 4 */
    sync_round r;
    char err[128];
    hub_server_set_fault(srv, HUB_FAULT_503, 1);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_NET);
    assert_int_equal(r.requests, 1);
    assert_int_equal(count(s, STORE_SENT), 8);
    assert_int_equal(count(s, STORE_QUEUED), 2);
    assert_hub_holds(0);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.requests, 3);
    assert_int_equal(r.acked, 10);
    assert_int_equal(count(s, STORE_ACKED), 10);
    assert_int_equal(count(s, STORE_QUEUED) + count(s, STORE_SENT), 0);
    assert_hub_holds(10);
    store_close(s);
}

static void test_server_errors_reset_garbage_partial(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 6);
    sync_config c = config();
    sync_round r;
    char err[128];
    static const struct {
        hub_fault fault;
        kiosk_rc rc;
        const char *says;
    } cases[] = {
        {HUB_FAULT_500, KIOSK_NET, "HTTP 500"},
        {HUB_FAULT_503, KIOSK_NET, "HTTP 503"},
        {HUB_FAULT_RESET, KIOSK_NET, "hub unreachable"},
        {HUB_FAULT_GARBAGE, KIOSK_CRYPTO, "hub fault: the reply is not signed"},
        {HUB_FAULT_PARTIAL, KIOSK_NET, "without an answer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hub_server_set_fault(srv, cases[i].fault, 1);
        assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), cases[i].rc);
        assert_non_null(strstr(err, cases[i].says));
        assert_int_equal(count(s, STORE_REJECTED), 0);
    }
    /* the stored-but-unanswered records come back as duplicates and are acknowledged */
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(count(s, STORE_ACKED), 6);
    assert_int_equal(count(s, STORE_QUEUED) + count(s, STORE_SENT), 0);
    assert_hub_holds(6);
    store_close(s);
}

static int note_rejected(void *ctx, const store_summary *rec, const char *reason)
{
    int *n = ctx;
    if (*n == 0) {
        assert_string_equal(rec->uuid, "00000000-0000-4000-8000-000000000002");
        assert_string_equal(reason, "seq_conflict");
    } else {
        assert_string_equal(reason, "bad_record_signature");
    }
    ++*n;
    return 0;
}

static void test_duplicate_conflicting_and_tampered_records(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 3);
    sync_config c = config();
    sync_round r;
    char err[128];
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    /* the same records again (a restored backup of the kiosk): duplicates, acknowledged */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "UPDATE records SET state = 0", NULL, NULL, NULL),
                     SQLITE_OK);
    /* a record whose seq the hub already holds under another uuid (re-signed, as a
     * kiosk restored from an old backup would) */
    assert_int_equal(sqlite3_exec(raw,
                                  "UPDATE records SET uuid = '00000000-0000-4000-8000-"
                                  "000000000002', record_sig = NULL WHERE seq = 2",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    /* and sealed bytes changed at rest: the signature made at saving no longer fits */
    assert_int_equal(sqlite3_exec(raw,
                                  "UPDATE record_blobs SET sealed = CAST(zeroblob("
                                  "length(sealed)) AS BLOB) WHERE record_id = (SELECT id FROM"
                                  " records WHERE seq = 3)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.acked, 1);
    assert_int_equal(r.rejected, 2);
    assert_int_equal(count(s, STORE_ACKED), 1);
    assert_int_equal(count(s, STORE_REJECTED), 2);
    assert_hub_holds(3);
    /* a rejected record is kept, with the hub's reason, and not sent again */
    int nrej = 0;
    assert_int_equal(store_rejected_each(s, note_rejected, &nrej), KIOSK_OK);
    assert_int_equal(nrej, 2);
    uint64_t before = hub_server_requests(srv);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.sent, 0);
    assert_int_equal(hub_server_requests(srv), before + 1); /* the mark alone */
    assert_int_equal(count(s, STORE_REJECTED), 2);
    store_close(s);
}

static void test_unknown_device_and_clock_skew(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 2);
    sync_config c = config();
    sync_round r;
    char err[160];
    assert_int_equal(hub_db_device_remove(hdb, key.public_key), KIOSK_OK);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_AUTH);
    assert_non_null(strstr(err, "does not know this device"));
    assert_int_equal(hub_db_device_add(hdb, key.public_key, "back", wall_ms()), KIOSK_OK);
    /* the hub's clock is an hour ahead: the first request is stale, the client learns the
     * offset from the reply and the retry goes through */
    hub_skew_ms = 3600 * 1000;
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.requests, 2);
    assert_int_equal(count(s, STORE_ACKED), 2);
    store_close(s);
}

/* Poll the worker's status until pred holds (bounded, so a broken worker fails). */
static int wait_for(sync_worker *sy, int64_t acked, sync_status_info *st)
{
    for (int i = 0; i < 1000; i++) {
        sync_worker_status(sy, st);
        if (st->counts.by_state[STORE_ACKED] == acked && !st->busy)
            return 1;
        usleep(10000);
    }
    return 0;
}

static void test_worker_wakes_and_backs_off(void **state)
{
    (void)state;
    store *s = open_store();
    sync_config c = config();
    c.backoff_min_ms = 50;
    c.backoff_max_ms = 200;
    c.idle_poll_ms = 60000;
    sync_worker *sy;
    assert_int_equal(sync_worker_create(&c, &sy), KIOSK_OK);
    sync_status_info st;
    save_n(s, 5);
    sync_worker_wake(sy);
    assert_true(wait_for(sy, 5, &st));
    assert_int_equal(st.last_rc, KIOSK_OK);
    assert_true(st.last_ok_ms > 0);

    /* the hub goes away: the worker keeps trying, with delays within the cap */
    uint16_t port = hub_server_port(srv);
    hub_server_stop(srv);
    srv = NULL;
    save_n(s, 2);
    sync_worker_wake(sy);
    size_t rounds = 0;
    for (int i = 0; i < 500 && rounds < 4; i++) {
        usleep(10000);
        sync_worker_status(sy, &st);
        if (st.last_rc == KIOSK_NET) {
            assert_true(st.next_try_ms - st.last_attempt_ms <= 200);
            rounds = st.rounds;
        }
    }
    assert_true(rounds >= 4);
    assert_int_equal(count(s, STORE_ACKED), 5);
    store_sync_note note;
    assert_int_equal(store_sync_info(s, &note), KIOSK_OK);
    assert_non_null(strstr(note.last_error, "hub unreachable"));
    /* back up on the same address: the next retry delivers */
    hub_up(port);
    assert_true(wait_for(sy, 7, &st));
    assert_int_equal(st.last_rc, KIOSK_OK);
    sync_worker_destroy(sy);
    assert_hub_holds(7);
    store_close(s);
}

static void test_stop_during_a_slow_request(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 1);
    sync_config c = config();
    sync_worker *sy;
    hub_server_set_fault(srv, HUB_FAULT_SLOW, 1);
    assert_int_equal(sync_worker_create(&c, &sy), KIOSK_OK);
    usleep(200000);
    sync_worker_destroy(sy); /* must not wait for the hub's two seconds plus a retry */
    store_close(s);
}

static void test_bundle_export_and_import_twice(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 4);
    char path[700];
    snprintf(path, sizeof path, "%s/usb-bundle.kb", dir);
    size_t n;
    assert_int_equal(sync_export_bundle(s, &key, path, wall_ms(), &n), KIOSK_OK);
    assert_int_equal(n, 4);
    /* the records stay pending until the hub acknowledges them */
    assert_int_equal(count(s, STORE_QUEUED), 4);
    for (int round = 0; round < 2; round++) {
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static char data[1 << 20];
        size_t len = fread(data, 1, sizeof data, f);
        fclose(f);
        sync_bundle b;
        assert_int_equal(sync_bundle_parse(data, len, &b), KIOSK_OK);
        assert_true(sync_request_verify(b.device, SYNC_BUNDLE_METHOD, SYNC_PATH_RECORDS, b.time_ms,
                                        b.body, b.body_len, b.sig));
        sync_record *recs;
        size_t nrec;
        sync_head head;
        assert_int_equal(sync_body_decode_head(b.body, b.body_len, &recs, &nrec, &head), KIOSK_OK);
        assert_true(head.has_epoch); /* the records' epoch, which their signatures cover */
        sync_result res[4];
        assert_int_equal(nrec, 4);
        assert_int_equal(
            hub_db_ingest_epoch(hdb, b.device, head.epoch, recs, nrec, "bundle", wall_ms(), res),
            KIOSK_OK);
        for (size_t i = 0; i < nrec; i++)
            assert_int_equal(res[i].status, round == 0 ? SYNC_ACCEPTED : SYNC_DUPLICATE);
        sync_records_free(recs, nrec);
        assert_hub_holds(4);
    }
    /* the next sync learns that they arrived: duplicates, acknowledged, nothing new */
    sync_config c = config();
    sync_round r;
    assert_int_equal(sync_run_once(&c, s, &r, NULL, 0), KIOSK_OK);
    assert_int_equal(r.acked, 4);
    assert_int_equal(count(s, STORE_ACKED), 4);
    assert_hub_holds(4);
    /* nothing pending: no bundle */
    assert_int_equal(sync_export_bundle(s, &key, path, wall_ms(), &n), KIOSK_NOT_FOUND);
    store_close(s);
}

static void test_https_verifies_the_hub(void **state)
{
    (void)state;
    char cert[700], key_pem[700], cmd[2200];
    snprintf(cert, sizeof cert, "%s/hub-cert.pem", dir);
    snprintf(key_pem, sizeof key_pem, "%s/hub-key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
             " -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
             " -keyout '%s' -out '%s' >/dev/null 2>&1",
             key_pem, cert);
    assert_int_equal(system(cmd), 0); /* toolchain/install-deps.sh installs openssl */
    hub_server_stop(srv);
    hub_server_options opt;
    hub_server_options_init(&opt);
    opt.tls_cert_file = cert;
    opt.tls_key_file = key_pem;
    opt.sign_secret_key = hub_sk;
    assert_int_equal(hub_server_start(hdb, &opt, &srv), KIOSK_OK);
    snprintf(url, sizeof url, "https://127.0.0.1:%u", (unsigned)hub_server_port(srv));
    store *s = open_store();
    save_n(s, 2);
    sync_config c = config();
    sync_round r;
    char err[160];
    /* without the hub's CA the certificate is refused and nothing is marked */
    c.ca_file = NULL;
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_NET);
    assert_non_null(strstr(err, "certificate"));
    assert_int_equal(count(s, STORE_ACKED), 0);
    c.ca_file = cert;
    c.allow_plain_http_loopback = 0; /* https needs no development setting */
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(count(s, STORE_ACKED), 2);
    assert_hub_holds(2);
    store_close(s);
}

/* ---- a fake hub ------------------------------------------------------------------ */

/* What the fake answers: 200 "accepted" for every record of every request, with the
 * right sealed hashes, signed by sign_sk when it is set (a hub with another key), else
 * unsigned. It never stores anything. */
typedef struct fake_hub {
    int fd;
    uint16_t port;
    const uint8_t *sign_sk;
    int corrupt_hash; /* name other sealed bytes */
    int before_v3;    /* a hub of before the binary body: 404 to /v3/records */
    int v2_bodies, v3_bodies;
    atomic_int stop; /* set by the test thread, read by the fake's */
    int requests;
    pthread_t thread;
} fake_hub;

static void fake_answer(fake_hub *f, int c)
{
    static char buf[1 << 20];
    size_t got = 0;
    char *end = NULL;
    while (!end && got < sizeof buf - 1) {
        ssize_t k = recv(c, buf + got, sizeof buf - 1 - got, 0);
        if (k <= 0)
            return;
        got += (size_t)k;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end)
        return;
    const char *cl = strcasestr(buf, "Content-Length:");
    const char *sg = strcasestr(buf, SYNC_HDR_SIGNATURE ":");
    size_t len = cl ? strtoul(cl + 15, NULL, 10) : 0, head = (size_t)(end + 4 - buf);
    uint8_t req_sig[64] = {0};
    if (sg) {
        char hex[129];
        snprintf(hex, sizeof hex, "%.128s", sg + strlen(SYNC_HDR_SIGNATURE ":") + 1);
        sync_hex_parse(hex, req_sig, 64);
    }
    int v3 = strncmp(buf, "POST " SYNC_PATH_RECORDS_V3 " ",
                     strlen("POST " SYNC_PATH_RECORDS_V3 " ")) == 0;
    if (v3 && f->before_v3) {
        static const char nf[] =
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
            "Content-Length: 61\r\nConnection: close\r\n\r\n"
            "{\"now_ms\":1,\"error\":\"not_found\",\"message\":\"no such resource\"}";
        send(c, nf, sizeof nf - 1, MSG_NOSIGNAL);
        return;
    }
    if (strcasestr(buf, "Expect: 100-continue"))
        send(c, "HTTP/1.1 100 Continue\r\n\r\n", 25, MSG_NOSIGNAL);
    while (got < head + len && got < sizeof buf - 1) {
        ssize_t k = recv(c, buf + got, sizeof buf - 1 - got, 0);
        if (k <= 0)
            return;
        got += (size_t)k;
    }
    sync_record *recs = NULL;
    size_t n = 0;
    sync_head audit_head; /* this firmware's units send their audit head */
    if ((v3 ? sync_body_decode_v3(buf + head, len, &recs, &n, &audit_head)
            : sync_body_decode_head(buf + head, len, &recs, &n, &audit_head)) != KIOSK_OK)
        return;
    f->requests++;
    if (n)
        *(v3 ? &f->v3_bodies : &f->v2_bodies) += 1;
    sync_result *res = calloc(n ? n : 1, sizeof *res);
    for (size_t i = 0; i < n; i++) {
        memcpy(res[i].uuid, recs[i].uuid, sizeof res[i].uuid);
        res[i].status = SYNC_ACCEPTED;
        crypto_hash_sha256(res[i].sealed_sha256, recs[i].sealed, recs[i].sealed_len);
        res[i].sealed_sha256[0] ^= (uint8_t)f->corrupt_hash;
        res[i].has_sealed_sha256 = 1;
    }
    char *body;
    size_t blen;
    assert_int_equal(sync_results_encode(res, n, wall_ms(), &body, &blen), KIOSK_OK);
    char hdr[512], sighex[129] = "";
    if (f->sign_sk) {
        uint8_t hs[64];
        sync_reply_sign(f->sign_sk, key.public_key, req_sig, 200, body, blen, hs);
        sync_hex_format(hs, 64, sighex);
    }
    int hn = snprintf(hdr, sizeof hdr,
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                      "%s%s%sConnection: close\r\n\r\n",
                      blen, sighex[0] ? SYNC_HDR_HUB_SIGNATURE ": " : "", sighex,
                      sighex[0] ? "\r\n" : "");
    send(c, hdr, (size_t)hn, MSG_NOSIGNAL);
    send(c, body, blen, MSG_NOSIGNAL);
    free(body);
    free(res);
    sync_records_free(recs, n);
}

static void *fake_run(void *arg)
{
    fake_hub *f = arg;
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {.fd = f->fd, .events = POLLIN};
        if (poll(&p, 1, 50) != 1)
            continue;
        int c = accept(f->fd, NULL, NULL);
        if (c < 0)
            continue;
        fake_answer(f, c);
        close(c);
    }
    return NULL;
}

static void fake_start(fake_hub *f)
{
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(f->fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    assert_int_equal(bind(f->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(f->fd, 8), 0);
    assert_int_equal(getsockname(f->fd, (struct sockaddr *)&a, &al), 0);
    f->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

static void fake_stop(fake_hub *f)
{
    atomic_store(&f->stop, 1);
    pthread_join(f->thread, NULL);
    close(f->fd);
}

/* Failure 1 of issue 14: a plain-HTTP endpoint answering "accepted" made the kiosk
 * acknowledge, and purge then deleted, records that exist nowhere else. */
static void test_plain_http_hub_refused(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 3);
    fake_hub f = {0};
    fake_start(&f);
    char fake_url[64];
    snprintf(fake_url, sizeof fake_url, "http://127.0.0.1:%u", (unsigned)f.port);
    sync_config c = config();
    c.url = fake_url;
    c.allow_plain_http_loopback = 0; /* the production setting: https only */
    sync_round r;
    char err[200];
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_CONFIG);
    assert_non_null(strstr(err, "https"));
    sync_worker *sy = (sync_worker *)1;
    c.db_path = db;
    assert_int_equal(sync_worker_create(&c, &sy), KIOSK_CONFIG);
    /* the development setting is for the loopback address only */
    c.allow_plain_http_loopback = 1;
    static const char *const not_loopback[] = {
        "http://10.0.0.8:8080", "http://127.0.0.1.evil.example", "http://localhost:80",
        "ftp://127.0.0.1", "https://"};
    for (size_t i = 0; i < sizeof not_loopback / sizeof not_loopback[0]; i++) {
        c.url = not_loopback[i];
        assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_CONFIG);
    }
    fake_stop(&f);
    assert_int_equal(f.requests, 0); /* not a byte went to it */
    assert_int_equal(count(s, STORE_QUEUED), 3);
    int64_t purged = -1;
    assert_int_equal(store_purge_acked(s, INT64_MAX, NULL, &purged), KIOSK_OK);
    assert_int_equal(purged, 0);
    store_close(s);
}

/* Protocol v3 (the binary body) beside v2: a unit sends v3, and against a hub of before
 * it (404 to /v3/records) sends the same records as v2 JSON and goes on in v2 for the
 * rest of its session. */
static void test_binary_body_falls_back_to_json_for_an_older_hub(void **state)
{
    (void)state;
    store *s = open_store();
    for (int old = 0; old < 2; old++) {
        save_n(s, 5);
        fake_hub f = {.sign_sk = hub_sk, .before_v3 = old};
        fake_start(&f);
        char fake_url[64];
        snprintf(fake_url, sizeof fake_url, "http://127.0.0.1:%u", (unsigned)f.port);
        sync_config c = config();
        c.url = fake_url;
        c.batch = 2; /* three batches: the fallback holds for the ones after the first */
        sync_round r;
        char err[200];
        assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
        fake_stop(&f);
        assert_int_equal(r.acked, 5);
        assert_int_equal(f.v3_bodies, old ? 0 : 3);
        assert_int_equal(f.v2_bodies, old ? 3 : 0);
        assert_int_equal(count(s, STORE_QUEUED) + count(s, STORE_SENT), 0);
    }
    store_close(s);
}

/* A loopback-development fake that answers "accepted" unsigned, signed by another key,
 * or signed about other bytes: nothing is acknowledged, the round is a hub fault, the
 * records stay pending, purge deletes none; the real hub then takes them all. */
static void test_unsigned_acks_leave_records_queued(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 5);
    uint8_t other_pk[32], other_sk[64];
    crypto_sign_keypair(other_pk, other_sk);
    static const struct {
        int signer; /* 0 unsigned, 1 another key, 2 the hub's key about other bytes */
        kiosk_rc rc;
        const char *says;
    } cases[] = {
        {0, KIOSK_CRYPTO, "hub fault: the reply is not signed"},
        {1, KIOSK_CRYPTO, "not the provisioned hub's"},
        {2, KIOSK_NET, "without an answer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fake_hub f = {.sign_sk = cases[i].signer == 0   ? NULL
                                 : cases[i].signer == 1 ? other_sk
                                                        : hub_sk,
                      .corrupt_hash = cases[i].signer == 2};
        fake_start(&f);
        char fake_url[64];
        snprintf(fake_url, sizeof fake_url, "http://127.0.0.1:%u", (unsigned)f.port);
        sync_config c = config();
        c.url = fake_url;
        sync_round r;
        char err[200];
        assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), cases[i].rc);
        assert_non_null(strstr(err, cases[i].says));
        assert_int_equal(r.acked, 0);
        fake_stop(&f);
        assert_true(f.requests >= 1);
        assert_int_equal(count(s, STORE_ACKED), 0);
        assert_int_equal(count(s, STORE_QUEUED) + count(s, STORE_SENT), 5);
        int64_t purged = -1;
        assert_int_equal(store_purge_acked(s, INT64_MAX, NULL, &purged), KIOSK_OK);
        assert_int_equal(purged, 0);
        /* the fault is kept for kioskctl status and the menu */
        store_note_sync(s, 0, wall_ms(), err);
        store_sync_note note;
        assert_int_equal(store_sync_info(s, &note), KIOSK_OK);
        assert_non_null(strstr(note.last_error, cases[i].says));
    }
    /* a unit without a hub key trusts no acknowledgement, not even the real hub's */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "DELETE FROM meta WHERE key = 'hub_pk'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    sync_config c = config();
    sync_round r;
    char err[200];
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_CONFIG);
    assert_non_null(strstr(err, "no hub key"));
    assert_int_equal(count(s, STORE_ACKED), 0);
    /* provisioned again: the real hub's signed answers acknowledge all five, and only
     * now may they be purged */
    assert_int_equal(store_set_hub_key(s, hub_pk), KIOSK_OK);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(count(s, STORE_ACKED), 5);
    assert_hub_holds(5);
    usleep(5000); /* acknowledged strictly before the cutoff */
    int64_t purged = -1;
    assert_int_equal(store_purge_acked(s, INT64_MAX, NULL, &purged), KIOSK_OK);
    assert_int_equal(purged, 5);
    store_close(s);
}

/* ---- help requests (kiosk events) ---- */

static int64_t events_pending(store *s)
{
    int64_t pending = -1;
    assert_int_equal(store_events_count(s, &pending, NULL), KIOSK_OK);
    return pending;
}

static int64_t hub_help_requests(void)
{
    int64_t n = -1;
    assert_int_equal(hub_db_event_count(hdb, SYNC_EVENT_HELP, 0, &n), KIOSK_OK);
    return n;
}

typedef struct seen_event {
    uint8_t device[32];
    int64_t seq;
} seen_event;

static kiosk_rc event_seen(void *ctx, const hub_db_event *e)
{
    seen_event *out = ctx;
    memcpy(out->device, e->device, 32); /* borrowed for the call only */
    out->seq = e->seq;
    assert_string_equal(e->kind, SYNC_EVENT_HELP);
    assert_string_equal(e->step, "form");
    assert_string_equal(e->hall_code, "DEMO01");
    assert_string_equal(e->device_name, "test kiosk");
    return KIOSK_OK;
}

/* A help request goes before the records, arrives at the hub with the step and the
 * hall, and is marked sent on the hub's signed answer; sent again (a lost answer), the
 * hub keeps one. */
static void test_help_request_reaches_the_hub(void **state)
{
    (void)state;
    store *s = open_store();
    save_n(s, 3);
    int64_t seq = 0;
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "form", &seq), KIOSK_OK);
    assert_true(seq >= 1);
    sync_config c = config();
    sync_round r;
    char err[128];
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.events_sent, 1);
    assert_int_equal(r.events_acked, 1);
    assert_int_equal(r.acked, 3);
    assert_int_equal(events_pending(s), 0);
    assert_int_equal(hub_help_requests(), 1);
    seen_event got = {0};
    assert_int_equal(hub_db_foreach_event(hdb, 0, event_seen, &got), KIOSK_OK);
    assert_memory_equal(got.device, key.public_key, 32);
    assert_int_equal(got.seq, seq);
    /* the answer was lost: sent again, the hub answers it and still holds one */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "UPDATE events SET state = 0", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(events_pending(s), 1);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.events_acked, 1);
    assert_int_equal(events_pending(s), 0);
    assert_int_equal(hub_help_requests(), 1);
    store_close(s);
}

/* An unsigned reply, one signed by another key, or no hub at all: the request stays
 * queued; the real hub, back, gets it. */
static void test_help_request_stays_queued_without_a_signed_answer(void **state)
{
    (void)state;
    store *s = open_store();
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "form", NULL), KIOSK_OK);
    sync_config c = config();
    sync_round r;
    char err[200];
    /* unsigned (the reply replaced by garbage after the hub stored it) */
    hub_server_set_fault(srv, HUB_FAULT_GARBAGE, 1);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_CRYPTO);
    assert_non_null(strstr(err, "not signed"));
    assert_int_equal(r.events_acked, 0);
    assert_int_equal(events_pending(s), 1);
    /* a hub answering with another key: forged as far as this unit knows */
    uint16_t port = hub_server_port(srv);
    hub_server_stop(srv);
    uint8_t other_pk[32], other_sk[64];
    crypto_sign_keypair(other_pk, other_sk);
    hub_up_key(port, other_sk);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_CRYPTO);
    assert_non_null(strstr(err, "not the provisioned hub's"));
    assert_int_equal(events_pending(s), 1);
    /* a dead hub */
    hub_server_stop(srv);
    srv = NULL;
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_NET);
    assert_non_null(strstr(err, "hub unreachable"));
    assert_int_equal(events_pending(s), 1);
    /* the real hub again */
    hub_up(port);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(events_pending(s), 0);
    assert_int_equal(hub_help_requests(), 1);
    store_close(s);
}

/* The worker, woken by a help request, delivers it at once (not at the next poll). */
static void test_worker_delivers_a_help_request_within_seconds(void **state)
{
    (void)state;
    store *s = open_store();
    sync_config c = config();
    c.idle_poll_ms = 600000; /* only a wake can explain a quick delivery */
    sync_worker *sy;
    assert_int_equal(sync_worker_create(&c, &sy), KIOSK_OK);
    sync_status_info st;
    for (int i = 0; i < 500; i++) { /* the first round (nothing to send) is over */
        sync_worker_status(sy, &st);
        if (st.rounds >= 1 && !st.busy)
            break;
        usleep(10000);
    }
    int64_t t0 = kiosk_clock_mono_ms(kiosk_clock_system());
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "form", NULL), KIOSK_OK);
    sync_worker_wake(sy);
    int64_t arrived = -1;
    for (int i = 0; i < 1000 && arrived < 0; i++) {
        if (hub_help_requests() == 1)
            arrived = kiosk_clock_mono_ms(kiosk_clock_system()) - t0;
        else
            usleep(5000);
    }
    print_message("help request at the hub %lld ms after the wake (bench_sync measures it)\n",
                  (long long)arrived);
    assert_true(arrived >= 0);
    for (int i = 0; i < 500; i++) {
        sync_worker_status(sy, &st);
        if (st.rounds >= 2 && !st.busy)
            break;
        usleep(10000);
    }
    /* carried by the round the wake started, not by a poll 10 minutes later */
    assert_int_equal(st.rounds, 2);
    assert_int_equal(st.last_rc, KIOSK_OK);
    assert_int_equal(events_pending(s), 0);
    sync_worker_destroy(sy);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_normal_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hub_down_then_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_next_batch_prepared_while_the_hub_works, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_server_errors_reset_garbage_partial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_conflicting_and_tampered_records, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_device_and_clock_skew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worker_wakes_and_backs_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_during_a_slow_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bundle_export_and_import_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_https_verifies_the_hub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_http_hub_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsigned_acks_leave_records_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_body_falls_back_to_json_for_an_older_hub, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_help_request_reaches_the_hub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_request_stays_queued_without_a_signed_answer,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_worker_delivers_a_help_request_within_seconds, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
