/* The unit's health report end to end, on both hub backends (SQLite, then PostgreSQL on a
 * private server, tests/tools/pg_server.h): the real sync client sends a report made from
 * a real store (sessions and their median touches, help requests, backlog, epoch, free
 * disk, the updater's status file) to the real hub on 127.0.0.1, which keeps it in
 * unit_health; the counters are taken off only on the hub's signed answer; the worker
 * sends one at its start; a hub that does not know the route (404) or answers unsigned
 * changes nothing on the unit; a USB export's "-health.kb" is imported by `kiosk-hub
 * import` once; old reports are pruned after 30 days; `kiosk-hub health` and `status`
 * show them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/kiosk_clock.h"
#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "pg_server.h"
#include "proto/health_proto.h"
#include "store/store.h"
#include "sync/sync.h"

static char dir[400], db[600], hubdb[PG_SERVER_URL_MAX], url[128];
static uint8_t up_pk[32], up_sk[32], commit_hash[32], hub_pk[32], hub_sk[64];
static store_device_key key;
static hub_db *hdb;  /* the server's connection */
static hub_db *look; /* the test's own (one connection, one thread) */
static hub_server *srv;
static pg_server *pg; /* the PostgreSQL group's server; NULL: SQLite */
static int test_no;

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

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/sync-health-%d-%d", KIOSK_TEST_TMP, (int)getpid(), ++test_no);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/usb'", dir, dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    if (pg) {
        char name[32];
        snprintf(name, sizeof name, "health_%d", test_no);
        if (pg_server_fresh_db(pg, name, hubdb, sizeof hubdb) != 0)
            return -1;
    } else {
        snprintf(hubdb, sizeof hubdb, "%s/hub.db", dir);
    }
    crypto_box_keypair(up_pk, up_sk);
    crypto_sign_keypair(hub_pk, hub_sk);
    crypto_hash_sha256(commit_hash, (const uint8_t *)"承诺 v1", strlen("承诺 v1"));
    if (store_device_key_load(dir, &key) != KIOSK_OK || hub_db_open(hubdb, &hdb) != KIOSK_OK ||
        hub_db_device_add(hdb, key.public_key, "hall kiosk 3", wall_ms()) != KIOSK_OK)
        return -1;
    hub_server_options opt;
    hub_server_options_init(&opt);
    opt.now_ms = hub_clock;
    opt.sign_secret_key = hub_sk;
    opt.plain_http_loopback_test = 1;
    if (hub_server_start(hdb, &opt, &srv) != KIOSK_OK || hub_db_open(hubdb, &look) != KIOSK_OK)
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
    hub_db_close(look);
    look = NULL;
    return 0;
}

static store *open_store(void)
{
    store *s;
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &s), KIOSK_OK);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    assert_int_equal(store_set_hub_key(s, hub_pk), KIOSK_OK);
    return s;
}

/* What the kiosk's app would say of its hardware: a reader down, no paper, on battery. */
static void fill_faults(void *ctx, health_report *r)
{
    (void)ctx;
    r->reader = HEALTH_READER_FAULT;
    r->printer = HEALTH_PRINTER_PAPER_OUT;
    r->power = HEALTH_POWER_BATTERY;
    r->battery_pct = 41;
}

static sync_config config(void)
{
    sync_config c = {.url = url,
                     .allow_plain_http_loopback = 1,
                     .db_path = db,
                     .hall_code = "DEMO01",
                     .key = &key,
                     .timeout_s = 5,
                     .health = {.version = "1.4.0",
                                .state_dir = dir,
                                .started_ms = wall_ms() - 3723000,
                                .fill = fill_faults}};
    return c;
}

/* ---- what the hub holds ---- */

typedef struct held {
    size_t n;
    hub_db_health last;
    char name[64], source[16];
    uint8_t device[32];
} held;

static kiosk_rc hold(void *ctx, const hub_db_health *h)
{
    held *w = ctx;
    w->n++;
    w->last = *h;
    snprintf(w->name, sizeof w->name, "%s", h->device_name);
    snprintf(w->source, sizeof w->source, "%s", h->source);
    memcpy(w->device, h->device, 32); /* borrowed for the call only */
    w->last.device = NULL;
    w->last.device_name = w->name;
    w->last.source = w->source;
    return KIOSK_OK;
}

static held hub_latest(void)
{
    held w = {0};
    assert_int_equal(hub_db_health_latest(look, hold, &w), KIOSK_OK);
    return w;
}

static held hub_history(void)
{
    held w = {0};
    assert_int_equal(hub_db_health_history(look, key.public_key, 0, hold, &w), KIOSK_OK);
    return w;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_report_reaches_the_hub(void **state)
{
    (void)state;
    store *s = open_store();
    store_saved sv;
    for (int i = 0; i < 3; i++) /* a backlog of 3 */
        assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    static const int64_t taps[] = {31, 12, 55};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(store_health_note_session(s, taps[i]), KIOSK_OK);
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "form", NULL), KIOSK_OK);
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, HEALTH_UPDATE_STATUS_FILE);
    write_file(path, "{\"version\":\"1.4.1\",\"result\":\"fallback\",\"at_ms\":1764900000000,"
                     "\"detail\":\"not_healthy\"}");
    sync_config c = config();
    char err[200] = "";
    assert_int_equal(sync_send_health(&c, s, err, sizeof err), KIOSK_OK);
    held w = hub_latest();
    assert_int_equal(w.n, 1);
    const health_report *r = &w.last.report;
    assert_memory_equal(w.device, key.public_key, 32);
    assert_string_equal(w.name, "hall kiosk 3");
    assert_string_equal(w.source, "http");
    assert_int_equal(r->seq, 1);
    assert_string_equal(r->version, "1.4.0");
    assert_true(r->uptime_s >= 3723 && r->uptime_s < 3800);
    assert_int_equal(r->reader, HEALTH_READER_FAULT);
    assert_int_equal(r->printer, HEALTH_PRINTER_PAPER_OUT);
    assert_int_equal(r->power, HEALTH_POWER_BATTERY);
    assert_int_equal(r->battery_pct, 41);
    assert_int_equal(r->backlog, 3);
    assert_int_equal(r->sessions, 3);
    assert_int_equal(r->median_taps, 31);
    assert_int_equal(r->help_requests, 1);
    assert_true(r->disk_free_bytes > 0);
    store_epoch ep;
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    assert_memory_equal(r->epoch, ep.id, 16);
    /* the updater's word, carried as given */
    assert_int_equal(r->has_update, 1);
    assert_string_equal(r->update.version, "1.4.1");
    assert_int_equal(r->update.result, HEALTH_UPDATE_FALLBACK);
    assert_int_equal(r->update.at_ms, 1764900000000);
    assert_string_equal(r->update.detail, "not_healthy");
    char why[160];
    assert_true(hub_health_problem(r, why, sizeof why));
    assert_non_null(strstr(why, "printer out of paper"));
    assert_non_null(strstr(why, "reader down"));
    assert_non_null(strstr(why, "update 1.4.1 fallback"));
    /* as the console says it: Chinese first, the English beside */
    char zh[320];
    assert_true(hub_health_problem_zh(r, zh, sizeof zh));
    assert_string_equal(zh, "打印机缺纸 printer out of paper；读卡器故障 reader down；"
                            "软件更新已回退 update 1.4.1 fallback");

    /* taken off on the hub's answer; a damaged status file is left out, not sent */
    write_file(path, "{\"version\":\"1.4.1\",\"result\":\"exploded\"}");
    assert_int_equal(store_health_note_session(s, 7), KIOSK_OK);
    assert_int_equal(sync_send_health(&c, s, err, sizeof err), KIOSK_OK);
    w = hub_latest();
    assert_int_equal(w.n, 1);
    assert_int_equal(w.last.report.seq, 2);
    assert_int_equal(w.last.report.sessions, 1);
    assert_int_equal(w.last.report.median_taps, 7);
    assert_int_equal(w.last.report.help_requests, 0);
    assert_int_equal(w.last.report.has_update, 0);
    assert_int_equal(hub_history().n, 2);
    store_close(s);
}

/* A hub that refuses or answers badly: nothing taken off, nothing queued. */
static void test_unanswered_report_keeps_the_counters(void **state)
{
    (void)state;
    store *s = open_store();
    assert_int_equal(store_health_note_session(s, 20), KIOSK_OK);
    assert_int_equal(store_health_note_session(s, 22), KIOSK_OK);
    sync_config c = config();
    char err[200] = "";
    hub_server_set_fault(srv, HUB_FAULT_GARBAGE, 1); /* stored, but the answer is not signed */
    assert_int_equal(sync_send_health(&c, s, err, sizeof err), KIOSK_CRYPTO);
    hub_server_set_fault(srv, HUB_FAULT_503, 1);
    assert_int_equal(sync_send_health(&c, s, err, sizeof err), KIOSK_NET);
    uint16_t port = hub_server_port(srv);
    hub_server_stop(srv);
    srv = NULL;
    assert_int_equal(sync_send_health(&c, s, err, sizeof err), KIOSK_NET);
    /* back: the newest report carries both sessions (and a new number) */
    hub_server_options opt;
    hub_server_options_init(&opt);
    opt.port = port;
    opt.now_ms = hub_clock;
    opt.sign_secret_key = hub_sk;
    opt.plain_http_loopback_test = 1;
    assert_int_equal(hub_server_start(hdb, &opt, &srv), KIOSK_OK);
    assert_int_equal(sync_send_health(&c, s, err, sizeof err), KIOSK_OK);
    held w = hub_latest();
    assert_int_equal(w.last.report.sessions, 2);
    assert_int_equal(w.last.report.median_taps, 20);
    assert_true(w.last.report.seq >= 3);
    /* the device unknown to the hub: refused, kept */
    assert_int_equal(hub_db_device_remove(look, key.public_key), KIOSK_OK);
    assert_int_equal(store_health_note_session(s, 5), KIOSK_OK);
    assert_int_equal(sync_send_health(&c, s, err, sizeof err), KIOSK_AUTH);
    store_health h;
    assert_int_equal(store_health_take(s, &h), KIOSK_OK);
    assert_int_equal(h.sessions, 1);
    store_close(s);
}

/* ---- a hub of before the health report: 404 to everything but records ---- */

typedef struct old_hub {
    int fd;
    uint16_t port;
    atomic_int stop;
    atomic_int requests;
    pthread_t thread;
} old_hub;

static void *old_run(void *arg)
{
    old_hub *f = arg;
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {.fd = f->fd, .events = POLLIN};
        if (poll(&p, 1, 50) != 1)
            continue;
        int c = accept(f->fd, NULL, NULL);
        if (c < 0)
            continue;
        char buf[8192];
        ssize_t k = recv(c, buf, sizeof buf - 1, 0);
        (void)k;
        atomic_fetch_add(&f->requests, 1);
        static const char nf[] =
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
            "Content-Length: 61\r\nConnection: close\r\n\r\n"
            "{\"now_ms\":1,\"error\":\"not_found\",\"message\":\"no such resource\"}";
        send(c, nf, sizeof nf - 1, MSG_NOSIGNAL);
        close(c);
    }
    return NULL;
}

static void test_hub_without_the_route(void **state)
{
    (void)state;
    old_hub f = {0};
    f.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    assert_int_equal(bind(f.fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(f.fd, 8), 0);
    assert_int_equal(getsockname(f.fd, (struct sockaddr *)&a, &al), 0);
    f.port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&f.thread, NULL, old_run, &f), 0);
    store *s = open_store();
    assert_int_equal(store_health_note_session(s, 9), KIOSK_OK);
    sync_config c = config();
    char old_url[64], err[200] = "";
    snprintf(old_url, sizeof old_url, "http://127.0.0.1:%u", (unsigned)f.port);
    c.url = old_url;
    assert_int_equal(sync_send_health(&c, s, err, sizeof err), KIOSK_UNSUPPORTED);
    assert_non_null(strstr(err, "404"));
    atomic_store(&f.stop, 1);
    pthread_join(f.thread, NULL);
    close(f.fd);
    /* the unit keeps its counters and works on with the real hub */
    c.url = url;
    sync_round r;
    store_saved sv;
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    assert_int_equal(sync_run_once(&c, s, &r, err, sizeof err), KIOSK_OK);
    assert_int_equal(r.acked, 1);
    assert_int_equal(sync_send_health(&c, s, err, sizeof err), KIOSK_OK);
    assert_int_equal(hub_latest().last.report.sessions, 1);
    store_close(s);
}

/* The worker sends a report at its start (and a records round still works beside it). */
static void test_worker_reports_at_start(void **state)
{
    (void)state;
    store *s = open_store();
    assert_int_equal(store_health_note_session(s, 14), KIOSK_OK);
    sync_config c = config();
    c.idle_poll_ms = 600000;
    sync_worker *sy;
    assert_int_equal(sync_worker_create(&c, &sy), KIOSK_OK);
    held w = {0};
    for (int i = 0; i < 500 && w.n == 0; i++) {
        usleep(10000);
        w = hub_latest();
    }
    sync_worker_destroy(sy);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.last.report.sessions, 1);
    assert_string_equal(w.last.report.version, "1.4.0");
    store_close(s);
}

/* ---- bundles, the command line, retention ---- */

static void run(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t got = fread(out, 1, cap - 1, p);
    out[got] = '\0';
    pclose(p);
}

static void test_bundle_carries_the_report(void **state)
{
    (void)state;
    store *s = open_store();
    store_saved sv;
    assert_int_equal(store_save(s, &sample, &sv), KIOSK_OK);
    assert_int_equal(store_health_note_session(s, 40), KIOSK_OK);
    sync_health_source hs = config().health;
    sync_export_options eo = {.health = &hs};
    sync_export_result res;
    char usb[600];
    snprintf(usb, sizeof usb, "%s/usb", dir);
    assert_int_equal(sync_export_bundles(s, &key, usb, "H7-unit", wall_ms(), &eo, &res), KIOSK_OK);
    assert_int_equal(res.records, 1);
    assert_int_equal(res.health, 1);
    char path[700];
    snprintf(path, sizeof path, "%s/H7-unit-health.kb", usb);
    assert_int_equal(access(path, F_OK), 0);
    /* its counters went with it */
    store_health h;
    assert_int_equal(store_health_take(s, &h), KIOSK_OK);
    assert_int_equal(h.sessions, 0);
    /* the hub's import takes it once (the server is stopped: the command owns the file) */
    hub_server_stop(srv);
    srv = NULL;
    hub_db_close(hdb);
    hdb = NULL;
    char cmd[2000], out[4096];
    snprintf(cmd, sizeof cmd, "'%s' import --db '%s' '%s' 2>&1", KIOSK_HUB, hubdb, usb);
    run(cmd, out, sizeof out);
    assert_non_null(strstr(out, "H7-unit-health.kb: health report 1\n"));
    assert_non_null(strstr(out, "H7-unit.kb: accepted 1"));
    run(cmd, out, sizeof out);
    assert_non_null(strstr(out, "health report 1 (held already)"));
    snprintf(cmd, sizeof cmd, "'%s' health --db '%s' 2>&1", KIOSK_HUB, hubdb);
    run(cmd, out, sizeof out);
    print_message("%s", out);
    assert_non_null(strstr(out, "name \"hall kiosk 3\""));
    assert_non_null(strstr(out, "reader fault printer paper_out"));
    assert_non_null(strstr(out, "power battery battery 41 %"));
    assert_non_null(strstr(out, "sessions 1 median taps 40"));
    assert_non_null(strstr(out, "problem: printer out of paper, reader down"));
    assert_non_null(strstr(out, "history of "));
    snprintf(cmd, sizeof cmd, "'%s' status --db '%s' 2>&1", KIOSK_HUB, hubdb);
    run(cmd, out, sizeof out);
    assert_non_null(strstr(out, "unit health: device "));
    assert_non_null(strstr(out, "printer out of paper, reader down"));
    held w = hub_latest();
    assert_int_equal(w.n, 1);
    assert_string_equal(w.source, "bundle");
    store_close(s);
}

static void test_thirty_days_kept(void **state)
{
    (void)state;
    health_report r = {.seq = 1, .version = "1.0", .battery_pct = -1, .disk_free_pct = 50};
    int64_t now = wall_ms(), day = 86400000;
    int added = 0;
    assert_int_equal(hub_db_health_add(look, key.public_key, &r, "http", now - 40 * day, &added),
                     KIOSK_OK);
    assert_int_equal(added, 1);
    r.seq = 2;
    r.at_ms = 1;
    assert_int_equal(hub_db_health_add(look, key.public_key, &r, "http", now - 29 * day, &added),
                     KIOSK_OK);
    assert_int_equal(hub_history().n, 2); /* both within 30 days of that insert */
    r.seq = 3;
    r.at_ms = 2;
    assert_int_equal(hub_db_health_add(look, key.public_key, &r, "http", now, &added), KIOSK_OK);
    held w = hub_history();
    assert_int_equal(w.n, 2); /* the 40-day-old one went with this insert */
    assert_int_equal(w.last.report.seq, 3);
    assert_int_equal(hub_latest().last.report.seq, 3);
    /* the same report again: held once */
    assert_int_equal(hub_db_health_add(look, key.public_key, &r, "bundle", now, &added), KIOSK_OK);
    assert_int_equal(added, 0);
    int64_t removed = -1;
    assert_int_equal(hub_db_health_prune(look, now - day, &removed), KIOSK_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(hub_history().n, 1);
    /* an unknown device, an invalid report */
    uint8_t other[32] = {1};
    assert_int_equal(hub_db_health_add(look, other, &r, "http", now, NULL), KIOSK_NOT_FOUND);
    r.printer = HEALTH_PRINTER_COUNT;
    assert_int_equal(hub_db_health_add(look, key.public_key, &r, "http", now, NULL), KIOSK_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report_reaches_the_hub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unanswered_report_keeps_the_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hub_without_the_route, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worker_reports_at_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bundle_carries_the_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thirty_days_kept, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    int started = pg_server_start(0, &pg);
    if (started == 1)
        return failed; /* said why: PostgreSQL is not installed */
    if (started != 0) {
        fprintf(stderr, "cannot start a PostgreSQL server for the tests\n");
        return failed + 1;
    }
    failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    pg_server_stop(pg);
    pg = NULL;
    return failed;
}
