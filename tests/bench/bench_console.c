/*
 * The web console at a region's size: 1,000 units and 1,000,000 records (filled directly,
 * hub_fill: not through HTTP) at the real record size, a year of arrivals, help requests;
 * then each console page fetched over HTTP from the running hub service, logged in as
 * region staff, and its p50 / p95 printed beside the target (p95 <= 200 ms). SQLite, then
 * PostgreSQL when it is installed (a private server, tests/tools/pg_server.h).
 *   bench_console [UNITS [RECORDS_PER_UNIT [ROUNDS]]]   (default 1000 1000 30)
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "hub/hub_staff.h"
#include "hub_fill.h"
#include "proto/receipt_payload.h"
#include "pg_server.h"

#define TARGET_P95_MS 200.0
#define PASSWORD "bench password 1"

typedef struct sink {
    char *text;
    size_t len, cap;
    char cookie[128];
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t k = size * n;
    if (s->len + k + 1 > s->cap) {
        size_t cap = (s->len + k + 1) * 2;
        char *grown = realloc(s->text, cap);
        if (!grown)
            return 0;
        s->text = grown;
        s->cap = cap;
    }
    memcpy(s->text + s->len, p, k);
    s->len += k;
    s->text[s->len] = '\0';
    return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    static const char want[] = "Set-Cookie: kh_session=";
    size_t k = size * n;
    if (k > sizeof want && strncmp(p, want, sizeof want - 1) == 0)
        snprintf(s->cookie, sizeof s->cookie, "kh_session=%.64s", p + sizeof want - 1);
    if (k > 23 && strncmp(p, "Set-Cookie: kh_login=", 21) == 0 && p[21] != ';')
        snprintf(s->cookie, sizeof s->cookie, "kh_login=%.64s", p + 21);
    return k;
}

static long fetch(CURL *c, uint16_t port, const char *path, const char *cookie, const char *form,
                  sink *s)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, path);
    s->len = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    if (form)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

/* 0 when the page answers within the target at p95 */
static int run(const char *where, const char *backend, size_t units, int64_t per_unit, int rounds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    hub_db *db;
    if (hub_db_open(where, &db) != KIOSK_OK)
        return -1;
    hub_fill_plan plan = {.units = units,
                          .halls = units / 10 ? units / 10 : 1,
                          .per_unit = per_unit,
                          .now_ms = now,
                          .spread_days = 365,
                          .gap_every = 50,
                          .help_per_unit = 3,
                          .sealed_len = 1200,
                          .with_meta = 1,
                          .with_health = 1};
    double t0 = bench_now_ms();
    kiosk_rc rc = hub_fill(db, &plan);
    if (rc == KIOSK_OK)
        rc = hub_db_query(db, hub_db_is_url(where) ? "VACUUM ANALYZE" : "ANALYZE", NULL, NULL, 0,
                          NULL, NULL);
    if (rc == KIOSK_OK)
        rc = hub_staff_add(db, "bench", PASSWORD, HUB_STAFF_REGION, NULL, "bench", now);
    double fill_s = (bench_now_ms() - t0) / 1000.0;
    if (rc != KIOSK_OK) {
        fprintf(stderr, "fill failed: %s\n", kiosk_strerror(rc));
        hub_db_close(db);
        return -1;
    }
    printf("%s: %zu units, %lld records (%zu bytes sealed each) filled in %.1f s\n", backend, units,
           (long long)(units * (size_t)per_unit), plan.sealed_len, fill_s);

    uint8_t hub_pk[32], hub_sk[64];
    crypto_sign_keypair(hub_pk, hub_sk);
    hub_server_options o;
    hub_server_options_init(&o);
    o.plain_http_loopback_test = 1;
    o.console_plain_http_login = 1;
    o.sign_secret_key = hub_sk;
    hub_server *srv;
    if (hub_server_start(db, &o, &srv) != KIOSK_OK) {
        hub_db_close(db);
        return -1;
    }
    uint16_t port = hub_server_port(srv);
    CURL *c = curl_easy_init();
    sink s = {0};
    /* log in: the login page's token, then the form; time the argon2id login too */
    fetch(c, port, "/console/login", NULL, NULL, &s);
    char pre[128], form[256];
    snprintf(pre, sizeof pre, "%s", s.cookie);
    snprintf(form, sizeof form, "csrf=%s&name=bench&password=bench+password+1", pre + 9);
    double l0 = bench_now_ms();
    long st = fetch(c, port, "/console/login", pre, form, &s);
    double login_ms = bench_now_ms() - l0;
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
    char cookie[128];
    snprintf(cookie, sizeof cookie, "%s", s.cookie);
    printf("  login (argon2id, interactive limits): %.0f ms, status %ld\n", login_ms, st);

    char unit_path[128] = "/console/unit?id=4b48000000000000000000000000000000000000000000000000"
                          "000000000000";
    /* a record's page (unit 0's seq 1, a registration), and finding it by its receipt as
     * printed (answered with a redirect to that page) */
    char find_path[160], dev[RECEIPT_DEVICE_ID_LEN + 1];
    uint8_t pk0[32] = {0x4b, 0x48};
    receipt_device_id(pk0, dev);
    snprintf(find_path, sizeof find_path, "/console/find?q=%s/H001-1", dev);
    const char *pages[] = {
        "/console/units", unit_path,
        "/console/days",  "/console/help",
        "/console/audit", "/console/record?uuid=00000000-0000-4000-8000-000000000001",
        find_path};
    const char *names[] = {"units", "unit", "days", "help", "audit", "record", "find"};
    int worst = 0;
    double *ms = calloc((size_t)rounds, sizeof *ms);
    for (size_t p = 0; ms && p < sizeof pages / sizeof pages[0]; p++) {
        long status = 0;
        size_t bytes = 0;
        double w0 = bench_now_ms();
        fetch(c, port, pages[p], cookie, NULL, &s); /* warm */
        if (p == 0)
            printf("  units, first view after the hub started (counts every record once): "
                   "%.0f ms\n",
                   bench_now_ms() - w0);
        for (int i = 0; i < rounds; i++) {
            double a = bench_now_ms();
            status = fetch(c, port, pages[p], cookie, NULL, &s);
            ms[i] = bench_now_ms() - a;
            bytes = s.len;
        }
        double p50 = bench_pct(ms, (size_t)rounds, 50), p95 = bench_pct(ms, (size_t)rounds, 95);
        int ok = (status == 200 || (p == 6 && status == 303)) && p95 <= TARGET_P95_MS;
        worst |= !ok;
        printf("  %-6s p50 %7.1f ms  p95 %7.1f ms   (target p95 <= %.0f ms) %s  [%ld, %zu KB]\n",
               names[p], p50, p95, TARGET_P95_MS, ok ? "ok" : "OVER", status, bytes / 1024);
    }
    free(ms);
    free(s.text);
    curl_easy_cleanup(c);
    hub_server_stop(srv);
    hub_db_close(db);
    return worst;
}

int main(int argc, char **argv)
{
    size_t units = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
    int64_t per_unit = argc > 2 ? strtoll(argv[2], NULL, 10) : 1000;
    int rounds = argc > 3 ? atoi(argv[3]) : 30;
    if (sodium_init() < 0 || units == 0 || rounds < 1)
        return 2;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s/bench-console-%d", KIOSK_BENCH_TMP, (int)getpid());
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return 1;
    snprintf(path, sizeof path, "%s/hub.db", dir);
    printf("console pages, a region of %zu units and %lld records, %d rounds each\n", units,
           (long long)(units * (size_t)per_unit), rounds);
    int r = run(path, "sqlite", units, per_unit, rounds);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);

    pg_server *pg = NULL;
    int started = pg_server_start(0, &pg);
    if (started == 0) {
        char url[PG_SERVER_URL_MAX];
        if (pg_server_fresh_db(pg, "bench_console", url, sizeof url) == 0)
            r |= run(url, "postgresql", units, per_unit, rounds);
        pg_server_stop(pg);
    } else {
        printf("postgresql: not run (no server)\n");
    }
    curl_global_cleanup();
    return r ? 1 : 0;
}
