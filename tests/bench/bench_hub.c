/* Benchmark of the hub's ingest at regional scale: many simulated kiosks POST their
 * signed batches over TLS (a new connection each, as separate units would) to one hub,
 * into PostgreSQL (a private server on this machine, fsync on) and into SQLite
 * (synchronous=FULL) — the same requests, the two figures side by side. Target (issue 17):
 * >= 5,000 records/s into PostgreSQL from 1,000 kiosks at the real record size on this
 * 2-core machine, the database on the same machine. Asserts nothing about time: prints
 * the figure of every run beside the target, and the spread over the runs.
 *
 * A record is the real size (10,400 sealed bytes, what bench_sync's whole registration
 * with its signature evidence seals to; random here, the hub never opens them), signed
 * by its kiosk's key; the kiosks' side (making and signing requests, TLS clients) runs on
 * the same two cores as the hub and the database, so the figure is a floor.
 *
 * PostgreSQL is served by several hub servers (default 4), each with its own database
 * connection, the kiosks spread over them round robin: what several hub processes behind a
 * load balancer do, and what lets the database commit several batches with one flush.
 * SQLite is served by one (one writer: a hall's hub).
 *
 * Usage: bench_hub [KIOSKS [RECORDS_PER_KIOSK [RUNS [CLIENT_THREADS [PG_HUBS]]]]] — defaults
 * 1000 10 3 16 4. */
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "core/kiosk_log.h"
#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "pg_server.h"
#include "proto/sync_proto.h"

#define SEALED_SIZE 10400

typedef struct kiosk {
    uint8_t pk[32], sk[64];
    char *body;
    size_t len;
} kiosk;

static kiosk *kiosks;
static int n_kiosks, per_kiosk, n_threads;
static char cert[600], keyfile[600];
#define HUBS_MAX 16
static uint16_t ports[HUBS_MAX];
static int n_ports;
static atomic_int next_kiosk, failures;

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

/* Every kiosk's batch, encoded once (fresh uuids for every run, so each run stores). */
static int make_bodies(void)
{
    sync_record *recs = calloc((size_t)per_kiosk, sizeof *recs);
    if (!recs)
        return -1;
    for (int i = 0; i < per_kiosk; i++) {
        recs[i].sealed = malloc(SEALED_SIZE);
        if (!recs[i].sealed)
            return -1;
        recs[i].sealed_len = SEALED_SIZE;
    }
    for (int k = 0; k < n_kiosks; k++) {
        kiosk *ki = &kiosks[k];
        free(ki->body);
        crypto_sign_keypair(ki->pk, ki->sk);
        for (int i = 0; i < per_kiosk; i++) {
            make_uuid(recs[i].uuid);
            recs[i].seq = i + 1;
            randombytes_buf(recs[i].sealed, SEALED_SIZE);
            sync_record_sign(&recs[i], ki->sk);
        }
        if (sync_body_encode(recs, (size_t)per_kiosk, &ki->body, &ki->len) != KIOSK_OK)
            return -1;
    }
    for (int i = 0; i < per_kiosk; i++)
        free(recs[i].sealed);
    free(recs);
    return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A client thread: kiosk after kiosk, each its own TLS connection and signed request. */
static void *client(void *arg)
{
    (void)arg;
    char url[128];
    for (;;) {
        int k = atomic_fetch_add(&next_kiosk, 1);
        if (k >= n_kiosks)
            return NULL;
        /* round robin over the hub processes, as a load balancer would */
        snprintf(url, sizeof url, "https://127.0.0.1:%u%s", (unsigned)ports[k % n_ports],
                 SYNC_PATH_RECORDS_V2);
        kiosk *ki = &kiosks[k];
        uint8_t sha[32], sig[64];
        char hex[129], h_dev[160], h_time[64], h_sha[160], h_sig[200];
        int64_t t = wall_ms();
        crypto_hash_sha256(sha, (const uint8_t *)ki->body, ki->len);
        sync_request_sign_v2(ki->sk, "POST", SYNC_PATH_RECORDS_V2, t, sha, ki->len, sig);
        sync_hex_format(ki->pk, 32, hex);
        snprintf(h_dev, sizeof h_dev, "%s: %s", SYNC_HDR_DEVICE, hex);
        snprintf(h_time, sizeof h_time, "%s: %lld", SYNC_HDR_TIME, (long long)t);
        sync_hex_format(sha, 32, hex);
        snprintf(h_sha, sizeof h_sha, "%s: %s", SYNC_HDR_BODY_SHA256, hex);
        sync_hex_format(sig, 64, hex);
        snprintf(h_sig, sizeof h_sig, "%s: %s", SYNC_HDR_SIGNATURE, hex);
        struct curl_slist *h = curl_slist_append(NULL, "Expect:");
        h = curl_slist_append(h, "Content-Type: application/json");
        h = curl_slist_append(h, h_dev);
        h = curl_slist_append(h, h_time);
        h = curl_slist_append(h, h_sha);
        h = curl_slist_append(h, h_sig);
        CURL *c = curl_easy_init();
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CAINFO, cert);
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, ki->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)ki->len);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
        long status = 0;
        if (curl_easy_perform(c) != CURLE_OK ||
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200)
            atomic_fetch_add(&failures, 1);
        curl_easy_cleanup(c);
        curl_slist_free_all(h);
    }
}

/* One run into the store at where, served by hubs servers (each its own connection to the
 * database, as separate hub processes have): records/s, or -1. */
static double run(const char *where, int hubs, const uint8_t hub_sk[64])
{
    if (make_bodies() != 0)
        return -1;
    hub_db *dbs[HUBS_MAX] = {0};
    hub_server *srvs[HUBS_MAX] = {0};
    int ok = 1;
    for (int i = 0; ok && i < hubs; i++)
        ok = hub_db_open(where, &dbs[i]) == KIOSK_OK;
    for (int k = 0; ok && k < n_kiosks; k++)
        ok = hub_db_device_add(dbs[0], kiosks[k].pk, "bench", 1) == KIOSK_OK;
    hub_server_options o;
    hub_server_options_init(&o);
    o.tls_cert_file = cert;
    o.tls_key_file = keyfile;
    o.sign_secret_key = hub_sk;
    o.per_ip_limit = 1000; /* every simulated kiosk comes from 127.0.0.1 */
    for (int i = 0; ok && i < hubs; i++) {
        ok = hub_server_start(dbs[i], &o, &srvs[i]) == KIOSK_OK;
        if (ok)
            ports[i] = hub_server_port(srvs[i]);
    }
    n_ports = hubs;
    double ms = 0;
    if (ok) {
        atomic_store(&next_kiosk, 0);
        atomic_store(&failures, 0);
        pthread_t th[64];
        double t0 = bench_now_ms();
        for (int i = 0; i < n_threads; i++)
            pthread_create(&th[i], NULL, client, NULL);
        for (int i = 0; i < n_threads; i++)
            pthread_join(th[i], NULL);
        ms = bench_now_ms() - t0;
    }
    for (int i = 0; i < hubs; i++)
        hub_server_stop(srvs[i]);
    int64_t held = 0;
    for (int k = 0; ok && k < n_kiosks; k++) {
        int64_t records, max_seq;
        if (hub_db_device_counts(dbs[0], kiosks[k].pk, &records, &max_seq) == KIOSK_OK)
            held += records;
    }
    for (int i = 0; i < hubs; i++)
        hub_db_close(dbs[i]);
    int64_t total = (int64_t)n_kiosks * per_kiosk;
    if (!ok || atomic_load(&failures) || held != total) {
        printf("  %d requests failed, %lld of %lld records held\n", atomic_load(&failures),
               (long long)held, (long long)total);
        return -1;
    }
    return (double)total / (ms / 1000.0);
}

static void report(const char *name, double *v, int n, const char *target)
{
    bench_sort(v, (size_t)n);
    printf("%-10s median %7.0f records/s (min %.0f, max %.0f over %d runs)%s\n", name, v[n / 2],
           v[0], v[n - 1], n, target);
}

int main(int argc, char **argv)
{
    n_kiosks = argc > 1 ? atoi(argv[1]) : 1000;
    per_kiosk = argc > 2 ? atoi(argv[2]) : 10;
    int runs = argc > 3 ? atoi(argv[3]) : 3;
    n_threads = argc > 4 ? atoi(argv[4]) : 16;
    int pg_hubs = argc > 5 ? atoi(argv[5]) : 4;
    if (n_kiosks < 1 || per_kiosk < 1 || runs < 1 || runs > 20 || n_threads < 1 || n_threads > 64 ||
        pg_hubs < 1 || pg_hubs > HUBS_MAX || sodium_init() < 0 ||
        curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 2;
    kiosk_log_set_level(KIOSK_LOG_ERROR);
    kiosks = calloc((size_t)n_kiosks, sizeof *kiosks);
    char dir[512], cmd[2048];
    snprintf(dir, sizeof dir, "%s/bench-hub-%d", KIOSK_BENCH_TMP, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (!kiosks || system(cmd) != 0)
        return 1;
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(keyfile, sizeof keyfile, "%s/key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
             " -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
             " -keyout '%s' -out '%s' >/dev/null 2>&1",
             keyfile, cert);
    if (system(cmd) != 0)
        return 1;
    uint8_t hub_pk[32], hub_sk[64];
    crypto_sign_keypair(hub_pk, hub_sk);
    printf("bench_hub: %d kiosks x %d records of %d sealed bytes over TLS (a connection each),"
           " %d client threads, %ld CPUs\n",
           n_kiosks, per_kiosk, SEALED_SIZE, n_threads, sysconf(_SC_NPROCESSORS_ONLN));

    pg_server *pg = NULL;
    int pg_ok = pg_server_start(1, &pg) == 0;
    double pgv[20], slv[20];
    int pgn = 0, sln = 0;
    for (int r = 0; r < runs; r++) {
        if (pg_ok) {
            char url[PG_SERVER_URL_MAX], name[32];
            snprintf(name, sizeof name, "bench_%d", r);
            double v =
                pg_server_fresh_db(pg, name, url, sizeof url) == 0 ? run(url, pg_hubs, hub_sk) : -1;
            printf("run %d postgresql, %d hubs: %7.0f records/s (target >= 5000)\n", r + 1, pg_hubs,
                   v);
            if (v > 0)
                pgv[pgn++] = v;
        }
        char path[700];
        snprintf(path, sizeof path, "%s/hub-%d.db", dir, r);
        double v = run(path, 1, hub_sk);
        printf("run %d sqlite, 1 hub:     %7.0f records/s\n", r + 1, v);
        if (v > 0)
            slv[sln++] = v;
        fflush(stdout);
    }
    if (pgn)
        report("postgresql", pgv, pgn, "  target >= 5000 records/s");
    else
        printf("postgresql: no figure (%s)\n", pg_ok ? "every run failed" : "no server");
    if (sln)
        report("sqlite", slv, sln, "");
    pg_server_stop(pg);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    for (int k = 0; k < n_kiosks; k++)
        free(kiosks[k].body);
    free(kiosks);
    sodium_memzero(hub_sk, sizeof hub_sk);
    curl_global_cleanup();
    return pgn && sln ? 0 : 1;
}
