/* The kiosk's side of 我的办理记录's hub states (sync_query_states, POST /v3/status) against
 * a real loopback hub: the states of this unit's records (another unit's record unknown),
 * an answer not signed by the provisioned hub key ignored, a hub that is down or that
 * never answers ending the wait with KIOSK_NET / KIOSK_TIMEOUT within the short timeout,
 * and the states kept in the store (store_hub_state_put/get). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/kiosk_clock.h"
#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "proto/sync_status.h"
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

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/states-%d", KIOSK_TEST_TMP, (int)getpid());
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
        hub_db_device_add(hdb, key.public_key, "test kiosk", 1) != KIOSK_OK)
        return -1;
    hub_server_options opt;
    hub_server_options_init(&opt);
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
    hub_db_close(hdb);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_states_from_the_hub(void **state)
{
    (void)state;
    store *s;
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &s), KIOSK_OK);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    assert_int_equal(store_set_hub_key(s, hub_pk), KIOSK_OK);
    store_saved a, b;
    assert_int_equal(store_save(s, &sample, &a), KIOSK_OK);
    assert_int_equal(store_save(s, &sample, &b), KIOSK_OK);
    sync_config cfg = {.url = url, .allow_plain_http_loopback = 1, .key = &key, .timeout_s = 3};
    char why[160] = "";
    assert_int_equal(sync_run_once(&cfg, s, NULL, why, sizeof why), KIOSK_OK);
    /* the test's own connection: the server's belongs to its thread */
    hub_db *look;
    assert_int_equal(hub_db_open(hubdb, &look), KIOSK_OK);
    /* the records went with their metadata (type, receipt number: signed by version 3 of
     * the record message), so the hub finds each by what its receipt shows */
    char found[SYNC_UUID_LEN + 1];
    assert_int_equal(hub_db_find_receipt(look, key.public_key, a.receipt_no, found), KIOSK_OK);
    assert_string_equal(found, a.uuid);
    assert_int_equal(hub_db_find_receipt(look, key.public_key, b.receipt_no, found), KIOSK_OK);
    assert_string_equal(found, b.uuid);
    /* staff at the hub: a is being processed; b is only received */
    assert_int_equal(hub_db_state_set(look, a.uuid, SYNC_STATE_PROCESSING, "", "cli:t", 5000),
                     KIOSK_OK);
    /* a record of another unit, held by the hub: unknown to this one */
    uint8_t opk[32], osk[64];
    crypto_sign_keypair(opk, osk);
    assert_int_equal(hub_db_device_add(look, opk, "other", 1), KIOSK_OK);
    sync_record r = {.uuid = "0b3a8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", .seq = 1, .sealed_len = 80};
    uint8_t sealed[80];
    randombytes_buf(sealed, sizeof sealed);
    r.sealed = sealed;
    sync_record_sign(&r, osk);
    sync_result res;
    assert_int_equal(hub_db_ingest(look, opk, &r, 1, "http", 1, &res), KIOSK_OK);
    assert_int_equal(hub_db_state_set(look, r.uuid, SYNC_STATE_APPROVED, "", "cli:t", 6000),
                     KIOSK_OK);

    char ask[3][SYNC_UUID_LEN + 1];
    memcpy(ask[0], a.uuid, sizeof ask[0]);
    memcpy(ask[1], b.uuid, sizeof ask[1]);
    memcpy(ask[2], r.uuid, sizeof ask[2]);
    sync_record_state st[3];
    int64_t hub_now = 0;
    assert_int_equal(sync_query_states(&cfg, s, (const char(*)[SYNC_UUID_LEN + 1]) ask, 3, st,
                                       &hub_now, why, sizeof why),
                     KIOSK_OK);
    assert_true(hub_now > 0);
    assert_int_equal(st[0].state, SYNC_STATE_PROCESSING);
    assert_int_equal(st[0].changed_ms, 5000);
    assert_int_equal(st[1].state, SYNC_STATE_RECEIVED);
    assert_int_equal(st[2].state, SYNC_STATE_UNKNOWN);

    /* kept beside the record; a record not held here is refused */
    store_hub_state keep = {.state = st[0].state, .changed_ms = st[0].changed_ms, .heard_ms = 7};
    assert_int_equal(store_hub_state_put(s, a.uuid, &keep), KIOSK_OK);
    assert_int_equal(store_hub_state_put(s, r.uuid, &keep), KIOSK_NOT_FOUND);
    store_hub_state got;
    assert_int_equal(store_hub_state_get(s, a.uuid, &got), KIOSK_OK);
    assert_int_equal(got.state, SYNC_STATE_PROCESSING);
    assert_int_equal(got.heard_ms, 7);
    assert_int_equal(store_hub_state_get(s, b.uuid, &got), KIOSK_NOT_FOUND);

    /* an answer signed by another key than the provisioned hub's: ignored */
    uint8_t wrong_pk[32], wrong_sk[64];
    crypto_sign_keypair(wrong_pk, wrong_sk);
    sync_config wrong = cfg;
    wrong.hub_key = wrong_pk;
    memset(st, 0, sizeof st);
    assert_int_equal(sync_query_states(&wrong, s, (const char(*)[SYNC_UUID_LEN + 1]) ask, 3, st,
                                       &hub_now, why, sizeof why),
                     KIOSK_CRYPTO);
    assert_non_null(strstr(why, "hub fault"));

    /* a hub that never answers: the wait ends with the timeout (printed, not asserted) */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(lfd, 4), 0);
    socklen_t sl = sizeof sa;
    getsockname(lfd, (struct sockaddr *)&sa, &sl);
    char mute[64];
    snprintf(mute, sizeof mute, "http://127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
    sync_config silent = cfg;
    silent.url = mute;
    double t0 = now_s();
    assert_int_equal(sync_query_states(&silent, s, (const char(*)[SYNC_UUID_LEN + 1]) ask, 3, st,
                                       &hub_now, why, sizeof why),
                     KIOSK_TIMEOUT);
    printf("a hub that never answers: given up after %.1f s (timeout %ld s)\n", now_s() - t0,
           silent.timeout_s);
    close(lfd);

    /* the hub down: unreachable */
    hub_server_stop(srv);
    srv = NULL;
    assert_int_equal(sync_query_states(&cfg, s, (const char(*)[SYNC_UUID_LEN + 1]) ask, 3, st,
                                       &hub_now, why, sizeof why),
                     KIOSK_NET);
    assert_non_null(strstr(why, "unreachable"));
    store_close(s);
    hub_db_close(look);
}

/* A hub of before record metadata refuses a body that carries it as malformed: the unit
 * sends the same records again without it (their version 2 signatures) and they are
 * stored; the hub then has no metadata for them. */
static void test_older_hub_without_metadata(void **state)
{
    (void)state;
    store *s;
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &s), KIOSK_OK);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    assert_int_equal(store_set_hub_key(s, hub_pk), KIOSK_OK);
    store_saved a;
    assert_int_equal(store_save(s, &sample, &a), KIOSK_OK);
    hub_server_set_fault(srv, HUB_FAULT_NO_META, -1);
    sync_config cfg = {.url = url, .allow_plain_http_loopback = 1, .key = &key, .timeout_s = 3};
    char why[160] = "";
    sync_round r;
    assert_int_equal(sync_run_once(&cfg, s, &r, why, sizeof why), KIOSK_OK);
    assert_int_equal(r.acked, 1);
    hub_server_set_fault(srv, HUB_FAULT_NONE, 0);
    hub_db *look;
    assert_int_equal(hub_db_open(hubdb, &look), KIOSK_OK);
    char found[SYNC_UUID_LEN + 1];
    assert_int_equal(hub_db_find_receipt(look, key.public_key, a.receipt_no, found),
                     KIOSK_NOT_FOUND);
    hub_record_state st;
    assert_int_equal(hub_db_state_get(look, key.public_key, a.uuid, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_RECEIVED);
    hub_db_close(look);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_states_from_the_hub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_hub_without_metadata, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
