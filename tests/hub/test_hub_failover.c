/* Several hub processes on one PostgreSQL database, one of them killed again and again:
 * two `kiosk-hub serve` processes behind a round-robin proxy (tests/tools/pg_proxy.h, what
 * a load balancer does), 50 simulated kiosks, each its own store and device key, sealing
 * records of the real size (a full registration and a signature's evidence, about 10 KB)
 * and sending them with the real sync worker. Every 300 ms one hub gets SIGKILL, mid-
 * request or not, and is started again; more records are saved meanwhile. At the end:
 * every record is at the hub exactly once (count and highest seq per unit, no gap,
 * nothing refused as a conflict) and every kiosk's outbox is empty. Skipped with a message
 * only when PostgreSQL is not installed. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/kiosk_log.h"
#include "domain/registration.h"
#include "hub/hub_db.h"
#include "pg_proxy.h"
#include "pg_server.h"
#include "store/store.h"
#include "sync/sync.h"
#include "test_state.h"

#ifndef KIOSK_HUB_BIN
#error "KIOSK_HUB_BIN (the hub program) comes from hub/CMakeLists.txt"
#endif

enum { KIOSKS = 50, FIRST = 10, LATER = 10, HUBS = 2 };

static char dir[512], sign_key[600], db_url[PG_SERVER_URL_MAX];
static uint8_t hub_pk[32];

typedef struct kiosk {
    char dir[640], db[700], hall[16];
    store_device_key key;
    store *st;
    sync_worker *sy;
} kiosk;

static kiosk kiosks[KIOSKS];
static char *reg_json, *evidence_json;
static uint8_t commit[32];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A full registration, and signature evidence of the usual size (29 strokes of 20
 * points with timing). */
static void make_texts(void)
{
    registration r;
    registration_init(&r);
    assert_int_equal(registration_set_text(&r, REGISTRATION_NAME, "欧阳建国"), KIOSK_OK);
    assert_int_equal(registration_set_text(&r, REGISTRATION_SEX, "1"), KIOSK_OK);
    assert_int_equal(registration_set_text(&r, REGISTRATION_DOCUMENT_TYPE, "01"), KIOSK_OK);
    assert_int_equal(registration_set_text(&r, REGISTRATION_DOCUMENT_NUMBER, "370102197903154519"),
                     KIOSK_OK);
    assert_int_equal(registration_set_text(&r, REGISTRATION_HOUSEHOLD_DIVISION, "370102001"),
                     KIOSK_OK);
    assert_int_equal(
        registration_set_text(&r, REGISTRATION_HOUSEHOLD_DETAIL, "泉城路100号3号楼2单元501室"),
        KIOSK_OK);
    assert_int_equal(registration_set_text(&r, REGISTRATION_MOBILE, "13812345678"), KIOSK_OK);
    assert_int_equal(
        registration_set_text(&r, REGISTRATION_REMARKS,
                              "希望在历下区就业，可以接受倒班，需要参加电工技能提升培训。"),
        KIOSK_OK);
    registration_set_birth_date(&r, (kiosk_date){1979, 3, 15});
    assert_int_equal(registration_to_json(&r, &reg_json, NULL), KIOSK_OK);
    size_t cap = 16384, len = 0;
    evidence_json = malloc(cap);
    assert_non_null(evidence_json);
    len += (size_t)snprintf(evidence_json + len, cap - len, "{\"strokes\":[");
    for (int k = 0; k < 29; k++) {
        len += (size_t)snprintf(evidence_json + len, cap - len, "%s[", k ? "," : "");
        for (int i = 0; i < 20; i++)
            len += (size_t)snprintf(evidence_json + len, cap - len, "%s[%d,%d,%d]", i ? "," : "",
                                    80 + k * 30 + i * 6, 100 + (i * 7 + k * 3) % 13 * 3,
                                    1000 + (k * 20 + i) * 16);
        len += (size_t)snprintf(evidence_json + len, cap - len, "]");
    }
    snprintf(evidence_json + len, cap - len, "]}");
    crypto_hash_sha256(commit, (const uint8_t *)"承诺文本 2026.1", strlen("承诺文本 2026.1"));
}

static void save_records(kiosk *k, int n)
{
    store_submission sub = {reg_json, evidence_json,        "2026.1", commit,
                            "欧*国",  "3701**********4519", NULL};
    for (int i = 0; i < n; i++) {
        store_saved sv;
        assert_int_equal(store_save(k->st, &sub, &sv), KIOSK_OK);
    }
    sync_worker_wake(k->sy);
}

/* ---- the hub processes ------------------------------------------------------------------ */

typedef struct hub_proc {
    pid_t pid;
    uint16_t port;
    char port_file[700], log[700];
} hub_proc;

static hub_proc hubs[HUBS];

static void hub_start(hub_proc *h, int i)
{
    snprintf(h->port_file, sizeof h->port_file, "%s/hub%d.port", dir, i);
    snprintf(h->log, sizeof h->log, "%s/hub%d.log", dir, i);
    unlink(h->port_file);
    h->pid = fork();
    assert_true(h->pid >= 0);
    if (h->pid == 0) {
        int fd = open(h->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        execl(KIOSK_HUB_BIN, KIOSK_HUB_BIN, "serve", "--db", db_url, "--listen", "127.0.0.1:0",
              "--sign-key", sign_key, "--plain-http-loopback-test", "--per-ip-limit", "200",
              "--port-file", h->port_file, (char *)NULL);
        _exit(127);
    }
    char port[32] = "";
    for (int t = 0; t < 400 && !port[0]; t++) {
        usleep(25000);
        FILE *f = fopen(h->port_file, "r");
        if (f) {
            if (!fgets(port, sizeof port, f))
                port[0] = '\0';
            fclose(f);
        }
    }
    if (!port[0])
        fail_msg("hub %d did not start; see %s", i, h->log);
    h->port = (uint16_t)atoi(port);
}

static void hub_kill(hub_proc *h)
{
    kill(h->pid, SIGKILL);
    int status;
    waitpid(h->pid, &status, 0);
    h->pid = 0;
}

/* ---- the test --------------------------------------------------------------------------- */

static void test_failover(void **state)
{
    (void)state;
    pg_server *pg = NULL;
    int started = pg_server_start(0, &pg);
    if (started == 1) {
        printf("# skipped: PostgreSQL is not installed\n");
        return;
    }
    assert_int_equal(started, 0);
    assert_int_equal(pg_server_fresh_db(pg, "failover", db_url, sizeof db_url), 0);

    snprintf(dir, sizeof dir, "%s/hub-failover-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    uint8_t sk[64];
    crypto_sign_keypair(hub_pk, sk);
    snprintf(sign_key, sizeof sign_key, "%s/hub-sign.key", dir);
    FILE *f = fopen(sign_key, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(sk, 1, 64, f), 64);
    fclose(f);
    chmod(sign_key, 0600);
    sodium_memzero(sk, sizeof sk);
    make_texts();

    /* the region's database: every unit registered */
    hub_db *db;
    assert_int_equal(hub_db_open(db_url, &db), KIOSK_OK);
    for (int i = 0; i < KIOSKS; i++) {
        kiosk *k = &kiosks[i];
        snprintf(k->dir, sizeof k->dir, "%s/kiosk%02d", dir, i);
        snprintf(k->db, sizeof k->db, "%s/kiosk.db", k->dir);
        snprintf(k->hall, sizeof k->hall, "H%02d", i);
        assert_int_equal(test_state_open(k->dir, k->hall, &k->key, &k->st), KIOSK_OK);
        assert_int_equal(store_set_hub_key(k->st, hub_pk), KIOSK_OK);
        assert_int_equal(hub_db_device_add(db, k->key.public_key, k->hall, 1), KIOSK_OK);
    }

    pg_proxy *proxy;
    uint16_t proxy_port;
    assert_int_equal(pg_proxy_start(&proxy, &proxy_port), 0);
    for (int i = 0; i < HUBS; i++) {
        hub_start(&hubs[i], i);
        pg_proxy_set_backend(proxy, i, hubs[i].port);
    }
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)proxy_port);

    /* the kiosks: a backlog each, then their workers */
    for (int i = 0; i < KIOSKS; i++) {
        kiosk *k = &kiosks[i];
        store_submission sub = {reg_json, evidence_json,        "2026.1", commit,
                                "欧*国",  "3701**********4519", NULL};
        for (int r = 0; r < FIRST; r++) {
            store_saved sv;
            assert_int_equal(store_save(k->st, &sub, &sv), KIOSK_OK);
        }
        sync_config c = {
            .url = url,
            .allow_plain_http_loopback = 1,
            .db_path = k->db,
            .hall_code = k->hall,
            .key = &k->key,
            .batch = 4, /* many requests, so kills land mid-request */
            .backoff_min_ms = 50,
            .backoff_max_ms = 400,
            .idle_poll_ms = 300,
            .timeout_s = 5,
        };
        assert_int_equal(sync_worker_create(&c, &k->sy), KIOSK_OK);
    }

    /* a hub killed every 300 ms, in turn, and started again; the kiosks keep saving */
    double t0 = now_s();
    int kills = 0, saved_later = 0;
    while (kills < 12) {
        usleep(300000);
        int which = kills % HUBS;
        hub_proc *h = &hubs[which];
        hub_kill(h); /* whatever it was doing; the proxy skips it while it is down */
        kills++;
        for (int i = 0; i < KIOSKS / 5 && saved_later < KIOSKS; i++)
            save_records(&kiosks[saved_later++], LATER); /* a fifth of the units save more */
        hub_start(h, which);
        pg_proxy_set_backend(proxy, which, h->port);
    }
    while (saved_later < KIOSKS)
        save_records(&kiosks[saved_later++], LATER);
    double killing = now_s() - t0;

    /* then until every outbox is empty (bounded) */
    int pending = 1;
    while (pending && now_s() - t0 < 90) {
        pending = 0;
        for (int i = 0; i < KIOSKS && !pending; i++) {
            store_counts sc;
            assert_int_equal(store_count(kiosks[i].st, &sc), KIOSK_OK);
            pending = sc.by_state[STORE_QUEUED] + sc.by_state[STORE_SENT] > 0;
        }
        if (pending)
            usleep(100000);
    }
    double total = now_s() - t0;
    printf("# %d kills in %.1f s; every outbox empty after %.1f s; %llu connections through the"
           " proxy\n",
           kills, killing, total, (unsigned long long)pg_proxy_connections(proxy));

    for (int i = 0; i < KIOSKS; i++)
        sync_worker_destroy(kiosks[i].sy);
    for (int i = 0; i < HUBS; i++)
        hub_kill(&hubs[i]);
    pg_proxy_stop(proxy);

    /* every record once, nothing missing, nothing refused, every outbox empty */
    int64_t held = 0;
    for (int i = 0; i < KIOSKS; i++) {
        kiosk *k = &kiosks[i];
        store_counts sc;
        assert_int_equal(store_count(k->st, &sc), KIOSK_OK);
        if (sc.by_state[STORE_QUEUED] || sc.by_state[STORE_SENT] || sc.by_state[STORE_REJECTED])
            fail_msg("kiosk %d: queued %lld sent %lld rejected %lld", i,
                     (long long)sc.by_state[STORE_QUEUED], (long long)sc.by_state[STORE_SENT],
                     (long long)sc.by_state[STORE_REJECTED]);
        assert_int_equal(sc.by_state[STORE_ACKED], FIRST + LATER);
        int64_t records, max_seq;
        assert_int_equal(hub_db_device_counts(db, k->key.public_key, &records, &max_seq), KIOSK_OK);
        assert_int_equal(records, FIRST + LATER);
        assert_int_equal(max_seq, FIRST + LATER);
        hub_gap *gaps;
        size_t ng;
        assert_int_equal(hub_db_gaps(db, k->key.public_key, &gaps, &ng), KIOSK_OK);
        assert_int_equal(ng, 0);
        held += records;
        store_close(k->st);
    }
    assert_int_equal(held, KIOSKS * (FIRST + LATER));
    int64_t refused, conflicts;
    assert_int_equal(hub_db_reconcile_count(db, &refused, &conflicts), KIOSK_OK);
    assert_int_equal(refused, 0);
    hub_db_close(db);
    free(reg_json);
    free(evidence_json);
    pg_server_stop(pg);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    kiosk_log_set_level(KIOSK_LOG_WARN);
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
