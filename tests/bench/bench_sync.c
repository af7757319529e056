/* Benchmark of the record pipeline. Prints figures; asserts nothing.
 *   1. raw fdatasync latency of a 4 KiB append on the state disk (p50, p99);
 *   2. commit latency of one record, sign + seal + insert with synchronous=FULL (p50, p99),
 *      and its ratio to fdatasync (target: p50 <= 3x);
 *   3. drain of a backlog to a hub on loopback (HTTP, libmicrohttpd) in records/s
 *      (target >= 5,000/s for 10,000 records);
 *   4. hub ingest rate without HTTP (verify + insert, one transaction per batch).
 * Usage: bench_sync [DIR] [BACKLOG] — DIR defaults to the build's tmp (the disk measured). */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "store/store.h"
#include "sync/sync.h"
#include "proto/sync_proto.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void percentiles(double *v, int n, double *p50, double *p99)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    *p50 = v[n / 2];
    *p99 = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

static const char registration[] =
    "{\"schema\":1,\"name\":\"张三丰\",\"sex\":\"1\",\"ethnicity\":\"01\",\"political\":\"13\","
    "\"education\":\"21\",\"health\":\"1\",\"disability_grade\":\"\",\"birth_date\":\"1979-"
    "03-15\",\"unemployed_since\":\"2026-09\",\"document_type\":\"01\",\"document_number\":"
    "\"370102197903154519\",\"household\":{\"division\":\"370102\",\"detail\":\"解放路12号\"},"
    "\"residence\":{\"division\":\"370102\",\"detail\":\"解放路12号\"},\"mobile\":"
    "\"13812345678\",\"reason\":\"05\",\"claims_insurance\":\"yes\",\"services\":[\"1\",\"2\"]}";

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : KIOSK_BENCH_TMP;
    int backlog = argc > 2 ? atoi(argv[2]) : 10000;
    if (sodium_init() < 0 || backlog < 1)
        return 1;
    char dir[512], db[600], hubdb[600], path[600];
    snprintf(dir, sizeof dir, "%s/bench-sync-%d", base, (int)getpid());
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    snprintf(hubdb, sizeof hubdb, "%s/hub.db", dir);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return 1;

    /* 1. fdatasync */
    enum { N = 300 };
    static double t[N];
    static char page[4096];
    snprintf(path, sizeof path, "%s/fsync.bin", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    for (int i = 0; i < N; i++) {
        double t0 = now_ms();
        if (write(fd, page, sizeof page) != (ssize_t)sizeof page || fdatasync(fd) != 0)
            return 1;
        t[i] = now_ms() - t0;
    }
    close(fd);
    double f50, f99;
    percentiles(t, N, &f50, &f99);
    printf("fdatasync (4 KiB append):        p50 %7.3f ms   p99 %7.3f ms\n", f50, f99);

    /* 2. commit latency */
    uint8_t up_pk[32], up_sk[32], commit[32] = {7};
    crypto_box_keypair(up_pk, up_sk);
    store_device_key key;
    store *s;
    if (store_device_key_load(dir, &key) != KIOSK_OK ||
        store_open(db, "DEMO01", &key, NULL, &s) != KIOSK_OK ||
        store_set_upstream_key(s, up_pk) != KIOSK_OK)
        return 1;
    static char evidence[16384];
    int off = snprintf(evidence, sizeof evidence, "{\"strokes\":[[");
    for (int i = 0; i < 300; i++)
        off += snprintf(evidence + off, sizeof evidence - (size_t)off, "%s[%d,%d,%d]", i ? "," : "",
                        100 + i, 200 + i / 2, i * 16);
    snprintf(evidence + off, sizeof evidence - (size_t)off, "]]}");
    store_submission sub = {registration, evidence, "2026.1",
                            commit,       "张*丰",  "3701**********4519"};
    for (int i = 0; i < N; i++) {
        store_saved sv;
        double t0 = now_ms();
        if (store_save(s, &sub, &sv) != KIOSK_OK)
            return 1;
        t[i] = now_ms() - t0;
    }
    double c50, c99;
    percentiles(t, N, &c50, &c99);
    printf("commit (sign+seal+insert):       p50 %7.3f ms   p99 %7.3f ms   p50 = %.2f x "
           "fdatasync (target <= 3)\n",
           c50, c99, c50 / f50);

    /* 3. drain a backlog of real records: those just timed, and as many more */
    for (int i = N; i < backlog; i++) {
        store_saved sv;
        if (store_save(s, &sub, &sv) != KIOSK_OK)
            return 1;
    }
    store_counts counts;
    store_count(s, &counts);
    long long pending = (long long)counts.by_state[STORE_QUEUED];
    hub_db *h;
    hub_server *srv;
    hub_server_options opt;
    hub_server_options_init(&opt);
    uint8_t hub_pk[32], hub_sk[64]; /* the hub signs its answers (protocol v2) */
    crypto_sign_keypair(hub_pk, hub_sk);
    opt.sign_secret_key = hub_sk;
    opt.plain_http_loopback_test = 1;
    if (hub_db_open(hubdb, &h) != KIOSK_OK || hub_db_device_add(h, key.public_key, "bench", 0) ||
        hub_server_start(h, &opt, &srv) != KIOSK_OK)
        return 1;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)hub_server_port(srv));
    sync_config cfg = {.url = url,
                       .allow_plain_http_loopback = 1,
                       .hub_key = hub_pk,
                       .db_path = db,
                       .key = &key,
                       .batch = 500};
    sync_round r;
    char err[128];
    double t0 = now_ms();
    kiosk_rc rc = sync_run_once(&cfg, s, &r, err, sizeof err);
    double dt = now_ms() - t0;
    if (rc != KIOSK_OK) {
        fprintf(stderr, "bench_sync: drain failed: %s\n", err);
        return 1;
    }
    printf("drain %lld records to loopback:  %7.0f ms   %8.0f records/s (target >= 5000); "
           "%zu requests of %zu\n",
           pending, dt, (double)r.acked / (dt / 1e3), r.requests, cfg.batch);
    hub_server_stop(srv);

    /* 4. hub ingest without HTTP: a second device's records, batches of 500 */
    uint8_t pk2[32], sk2[64];
    crypto_sign_keypair(pk2, sk2);
    hub_db_device_add(h, pk2, "bench 2", 0);
    enum { B = 500 };
    static sync_record recs[B];
    static sync_result res[B];
    static uint8_t sealed[1200];
    randombytes_buf(sealed, sizeof sealed);
    int total = backlog, done = 0;
    double ingest = 0;
    while (done < total) {
        int n = total - done < B ? total - done : B;
        for (int i = 0; i < n; i++) {
            int seq = done + i + 1;
            snprintf(recs[i].uuid, sizeof recs[i].uuid, "%08x-0000-4000-8000-%012x", seq, seq);
            recs[i].seq = seq;
            recs[i].sealed = sealed;
            recs[i].sealed_len = sizeof sealed;
            sync_record_sign(&recs[i], sk2);
        }
        t0 = now_ms();
        if (hub_db_ingest(h, pk2, recs, (size_t)n, "http", 0, res) != KIOSK_OK)
            return 1;
        ingest += now_ms() - t0;
        done += n;
    }
    printf("hub ingest (verify+insert):      %7.0f ms   %8.0f records/s\n", ingest,
           total / (ingest / 1e3));
    hub_db_close(h);
    store_close(s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
