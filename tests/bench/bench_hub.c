/* Benchmark of the hub's ingest at regional scale: many simulated kiosks POST their
 * signed batches over TLS (a new connection each, as separate units would) to one hub,
 * into PostgreSQL (a private server on this machine, fsync and synchronous_commit on) and
 * into SQLite (synchronous=FULL) — the same requests, the two figures side by side.
 * Target (issue 17): >= 5,000 records/s into PostgreSQL from 1,000 kiosks at the real
 * record size on this 2-core machine, the database on the same machine. Asserts nothing
 * about time: prints the figure of every run beside the target, the spread over the runs,
 * the machine's load average, and where the CPU went per record (the kiosks' side, the
 * hubs, the PostgreSQL server; the machine's idle share).
 *
 * A request is what a kiosk sends today: POST /v3/records (the records as bytes) with
 * the head (the unit's audit head and its store epoch; the hub answers the mark) and
 * "Expect: 100-continue". A record is the real size (10,400 sealed bytes, what
 * bench_sync's whole registration with its signature evidence seals to; random here, the
 * hub never opens them), signed by its kiosk's key with the epoch; the kiosks' side
 * (making and signing requests, TLS clients) runs on the same two cores as the hub and
 * the database, so the figure is a floor.
 *
 * PostgreSQL is served by several hub servers (default 4), each with its own database
 * connection, the kiosks spread over them round robin: what several hub processes behind a
 * load balancer do, and what lets the database commit several batches with one flush.
 * SQLite is served by one (one writer: a hall's hub).
 *
 * Usage: bench_hub [KIOSKS [RECORDS_PER_KIOSK [RUNS [CLIENT_THREADS [PG_HUBS [BACKENDS]]]]]]
 * — defaults 1000 10 3 16 4 both (BACKENDS: both, postgresql or sqlite). */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "core/kiosk_log.h"
#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "pg_server.h"
#include "proto/sync_proto.h"

#define SEALED_SIZE 10400
/* README, "running a regional hub": the settings a hub's PostgreSQL is advised to have */
#define HUB_PG_ADVISED                                                                             \
    "-c shared_buffers=256MB -c wal_buffers=16MB -c max_wal_size=4GB -c checkpoint_timeout=15min"

typedef struct kiosk {
    uint8_t pk[32], sk[64];
    char *body;
    size_t len;
} kiosk;

static kiosk *kiosks;
static int n_kiosks, per_kiosk, n_threads, use_curl;
static char cert[600], keyfile[600];
#define HUBS_MAX 16
static uint16_t ports[HUBS_MAX];
static int n_ports;
static atomic_int next_kiosk, failures;
static _Atomic long long client_cpu_us; /* the kiosks' threads, summed as each ends */

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

/* Every kiosk's batch, encoded once (fresh uuids, epoch and keys for every run, so each
 * run stores): version 3, with the head a unit sends. */
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
        sync_head head = {.present = 1, .audit_id = 40 + k, .has_epoch = 1};
        randombytes_buf(head.audit_hash, sizeof head.audit_hash);
        randombytes_buf(head.epoch, sizeof head.epoch);
        for (int i = 0; i < per_kiosk; i++) {
            make_uuid(recs[i].uuid);
            recs[i].seq = i + 1;
            randombytes_buf(recs[i].sealed, SEALED_SIZE);
            sync_record_sign_epoch(&recs[i], head.epoch, ki->sk);
        }
        if (sync_body_encode_v3(recs, (size_t)per_kiosk, &head, &ki->body, &ki->len) != KIOSK_OK)
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

/* The next kiosk for a client thread, or -1 when none is left (or the thread could not
 * make its client, ready 0: a failure), its CPU then counted. */
static int take_kiosk(int ready)
{
    int k = atomic_fetch_add(&next_kiosk, 1);
    if (k < n_kiosks && ready)
        return k;
    if (!ready)
        atomic_fetch_add(&failures, 1);
    atomic_fetch_add(&client_cpu_us, (long long)(bench_thread_cpu_ms() * 1000.0));
    return -1;
}

/* The request's signed headers, as a unit's sync sends them (sync_http.c), into h (n
 * bytes): "Name: value\r\n" lines. */
static void signed_headers(const kiosk *ki, char *h, size_t n)
{
    uint8_t sha[32], sig[64];
    char pk[65], shahex[65], sighex[129];
    int64_t t = wall_ms();
    sync_sha256(sha, (const uint8_t *)ki->body, ki->len); /* as a unit hashes */
    sync_request_sign_v2(ki->sk, "POST", SYNC_PATH_RECORDS_V3, t, sha, ki->len, sig);
    sync_hex_format(ki->pk, 32, pk);
    sync_hex_format(sha, 32, shahex);
    sync_hex_format(sig, 64, sighex);
    snprintf(h, n, "%s: %s\r\n%s: %lld\r\n%s: %s\r\n%s: %s\r\n", SYNC_HDR_DEVICE, pk, SYNC_HDR_TIME,
             (long long)t, SYNC_HDR_BODY_SHA256, shahex, SYNC_HDR_SIGNATURE, sighex);
}

/* A client thread of libcurl's kind (BENCH_HUB_CLIENT=curl), as a unit's sync sends: kiosk
 * after kiosk, each its own TCP and TLS connection and signed request. The thread keeps one
 * curl handle; libcurl (7.88, OpenSSL) still makes a new TLS context and reads the CA file
 * again for every connection. The connection is never reused. */
static void *client(void *arg)
{
    (void)arg;
    char url[128], lines[600];
    CURL *c = curl_easy_init();
    for (int k; (k = take_kiosk(c != NULL)) >= 0;) {
        /* round robin over the hub processes, as a load balancer would */
        snprintf(url, sizeof url, "https://127.0.0.1:%u%s", (unsigned)ports[k % n_ports],
                 SYNC_PATH_RECORDS_V3);
        kiosk *ki = &kiosks[k];
        signed_headers(ki, lines, sizeof lines);
        struct curl_slist *h = curl_slist_append(NULL, "Expect: 100-continue");
        h = curl_slist_append(h, "Content-Type: application/octet-stream");
        char *save = NULL;
        for (char *line = strtok_r(lines, "\r\n", &save); line;
             line = strtok_r(NULL, "\r\n", &save))
            h = curl_slist_append(h, line);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
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
        curl_slist_free_all(h);
    }
    curl_easy_cleanup(c);
    return NULL;
}

/* BENCH_PERF_CTL (a fifo, perf record's --control fifo:PATH with -D -1): the profile
 * covers the timed part of each run only, not the set-up or the phases. */
static void perf_ctl(const char *what)
{
    const char *path = getenv("BENCH_PERF_CTL");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "%s\n", what);
        fclose(f);
    }
}

/* Read from ssl into buf (n bytes, *got so far) until a whole HTTP head is in; its status,
 * or -1. *head_len: the head's length with its blank line. */
static int read_head(SSL *ssl, char *buf, size_t n, size_t *got, size_t *head_len)
{
    for (;;) {
        buf[*got] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (end) {
            *head_len = (size_t)(end + 4 - buf);
            int status = 0;
            return sscanf(buf, "HTTP/1.%*d %d", &status) == 1 ? status : -1;
        }
        if (*got + 1 >= n)
            return -1;
        int r = SSL_read(ssl, buf + *got, (int)(n - 1 - *got));
        if (r <= 0)
            return -1;
        *got += (size_t)r;
    }
}

/* One kiosk's request over a TLS connection of its own, with OpenSSL directly: a full
 * handshake (no session resumption: each kiosk is a different unit), the certificate
 * checked against the CA and the address, then what a unit's libcurl sends — the head with
 * "Expect: 100-continue", the body once the hub said 100 — and the reply read whole.
 * 0 when the hub answered 200. */
static int post_tls(SSL_CTX *ctx, uint16_t port, const kiosk *ki)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1, status = -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as curl sets */
    SSL *ssl = connect(fd, (struct sockaddr *)&a, sizeof a) == 0 ? SSL_new(ctx) : NULL;
    if (ssl && SSL_set_fd(ssl, fd) == 1 &&
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1") == 1 &&
        SSL_connect(ssl) == 1) {
        char head[1024], sig[600], buf[4096];
        signed_headers(ki, sig, sizeof sig);
        int n = snprintf(head, sizeof head,
                         "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nAccept: */*\r\n"
                         "Expect: 100-continue\r\nContent-Type: application/octet-stream\r\n"
                         "%sContent-Length: %zu\r\n\r\n",
                         SYNC_PATH_RECORDS_V3, (unsigned)port, sig, ki->len);
        size_t got = 0, hl = 0;
        if (SSL_write(ssl, head, n) == n && read_head(ssl, buf, sizeof buf, &got, &hl) == 100 &&
            got == hl && SSL_write(ssl, ki->body, (int)ki->len) == (int)ki->len) {
            got = 0;
            status = read_head(ssl, buf, sizeof buf, &got, &hl);
            const char *cl = strcasestr(buf, "\r\ncontent-length:");
            size_t want = cl ? hl + strtoul(cl + 17, NULL, 10) : hl;
            while (status > 0 && got < want) { /* the signed reply, read whole */
                int r = SSL_read(ssl, buf, (int)sizeof buf - 1);
                if (r <= 0)
                    status = -1;
                else
                    got += (size_t)r;
            }
        }
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    close(fd);
    return status == 200 ? 0 : -1;
}

/* A client thread of the lean kind: one OpenSSL context (the CA parsed once, as a unit
 * holds it), a connection per kiosk. */
static void *client_tls(void *arg)
{
    (void)arg;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        if (SSL_CTX_load_verify_locations(ctx, cert, NULL) != 1) {
            SSL_CTX_free(ctx);
            ctx = NULL;
        }
    }
    for (int k; (k = take_kiosk(ctx != NULL)) >= 0;)
        if (post_tls(ctx, ports[k % n_ports], &kiosks[k]) != 0)
            atomic_fetch_add(&failures, 1);
    SSL_CTX_free(ctx);
    return NULL;
}

/* Where the CPU went in a run, in microseconds per record; idle: the machine's idle
 * share (both CPUs) over the run. */
typedef struct cpu_split {
    double client, hub, db, idle;
    double syncs, wal_bytes; /* PostgreSQL: WAL flushes per request, WAL bytes per record */
} cpu_split;

/* The machine's busy and idle time so far (/proc/stat's first line), in clock ticks. */
static void machine_ticks(long long *busy, long long *idle)
{
    long long v[8] = {0};
    *busy = *idle = 0;
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return;
    int n = fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n != 8)
        return;
    *idle = v[3] + v[4];
    *busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
}

/* One run into the store at where (pg: its server, NULL for SQLite), served by hubs
 * servers (each its own connection to the database, as separate hub processes have):
 * records/s, or -1; where the CPU went into *cpu. */
static double run(const char *where, const pg_server *pg, int hubs, const uint8_t hub_sk[64],
                  cpu_split *cpu)
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
    double ms = 0, sync0 = 0, wal0 = 0;
    if (ok) {
        atomic_store(&next_kiosk, 0);
        atomic_store(&failures, 0);
        atomic_store(&client_cpu_us, 0);
        pthread_t th[64];
        long long busy0, idle0, busy1, idle1;
        machine_ticks(&busy0, &idle0);
        double db0 = pg ? pg_server_cpu_ms(pg) : 0, proc0 = bench_process_cpu_ms();
        if (pg)
            pg_server_wal(pg, &sync0, &wal0);
        perf_ctl("enable");
        double t0 = bench_now_ms();
        for (int i = 0; i < n_threads; i++)
            pthread_create(&th[i], NULL, use_curl ? client : client_tls, NULL);
        for (int i = 0; i < n_threads; i++)
            pthread_join(th[i], NULL);
        ms = bench_now_ms() - t0;
        perf_ctl("disable");
        double proc = bench_process_cpu_ms() - proc0, db = pg ? pg_server_cpu_ms(pg) - db0 : 0;
        machine_ticks(&busy1, &idle1);
        double recs = (double)n_kiosks * per_kiosk, client_ms = atomic_load(&client_cpu_us) / 1e3;
        cpu->client = client_ms * 1000.0 / recs;
        cpu->hub = (proc - client_ms) * 1000.0 / recs; /* SQLite's work is in the hub */
        cpu->db = db * 1000.0 / recs;
        long long all = (busy1 - busy0) + (idle1 - idle0);
        cpu->idle = all > 0 ? 100.0 * (double)(idle1 - idle0) / (double)all : 0;
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
    if (pg && ms > 0) {
        /* the hubs' sessions end and count their WAL flushes (pg_server_wal) */
        struct timespec pause = {0, 300 * 1000000L};
        nanosleep(&pause, NULL);
        double sync1 = 0, wal1 = 0;
        pg_server_wal(pg, &sync1, &wal1);
        cpu->syncs = (sync1 - sync0) / n_kiosks;
        cpu->wal_bytes = (wal1 - wal0) / ((double)n_kiosks * per_kiosk);
    }
    int64_t total = (int64_t)n_kiosks * per_kiosk;
    if (!ok || atomic_load(&failures) || held != total) {
        printf("  %d requests failed, %lld of %lld records held\n", atomic_load(&failures),
               (long long)held, (long long)total);
        return -1;
    }
    return (double)total / (ms / 1000.0);
}

/* Where a request's time goes at the hub, TLS and HTTP aside: the kiosks' batches of the
 * last run through the calls hub_http makes for POST /v3/records, one request after another
 * on one thread and one database connection (so each wall time is a latency, fsync
 * included), summed per phase; with the PostgreSQL server's CPU per phase (pg NULL:
 * SQLite, whose work is in the wall time). Per record, into stdout. */
enum { PH_ADMIT, PH_VERIFY, PH_INGEST, PH_REPLY, PH_COUNT };
/* "admit": hub_db_request_admit, the device known and the signature not seen (the headers'
 * look); "ingest": hub_db_ingest_request, the records with the signature remembered and
 * the mark (one transaction and one round trip on PostgreSQL) */
static const char *const phase_name[PH_COUNT] = {"admit", "decode+verify", "ingest+mark", "reply"};

static void phases(const char *where, const pg_server *pg, int n, const uint8_t hub_sk[64])
{
    hub_db *db = NULL;
    if (hub_db_open(where, &db) != KIOSK_OK)
        return;
    double wall[PH_COUNT] = {0}, cpu[PH_COUNT] = {0};
    int ok = 1;
    for (int k = 0; ok && k < n; k++)
        ok = hub_db_device_add(db, kiosks[k].pk, "bench", 1) == KIOSK_OK;
    for (int k = 0; ok && k < n; k++) {
        kiosk *ki = &kiosks[k];
        int64_t now = wall_ms();
        double t = bench_now_ms(), c = pg ? pg_server_cpu_ms(pg) : 0;
        int ph = 0;
#define PHASE_END()                                                                                \
    do {                                                                                           \
        double t2 = bench_now_ms(), c2 = pg ? pg_server_cpu_ms(pg) : 0;                            \
        wall[ph] += t2 - t;                                                                        \
        cpu[ph++] += c2 - c;                                                                       \
        c = c2;                                                                                    \
        t = bench_now_ms(); /* the next phase's wall leaves the /proc reading out */               \
    } while (0)
        uint8_t sha[32], sig[64];
        sync_sha256(sha, (const uint8_t *)ki->body, ki->len);
        sync_request_sign_v2(ki->sk, "POST", SYNC_PATH_RECORDS_V3, now, sha, ki->len, sig);
        t = bench_now_ms();
        int seen = 0;
        ok = hub_db_request_admit(db, ki->pk, sig, now, &seen) == KIOSK_OK && !seen;
        PHASE_END();
        sync_record *recs = NULL;
        size_t m = 0;
        sync_head head;
        sync_sha256(sha, (const uint8_t *)ki->body, ki->len);
        ok = ok &&
             sync_request_verify_v2(ki->pk, "POST", SYNC_PATH_RECORDS_V3, now, sha, ki->len, sig) &&
             sync_body_decode_v3(ki->body, ki->len, &recs, &m, &head) == KIOSK_OK;
        PHASE_END();
        sync_result *res = calloc(m ? m : 1, sizeof *res);
        sync_mark mark;
        int replayed = 0;
        ok = ok && res &&
             hub_db_ingest_request(db, ki->pk, head.epoch, recs, m, now, sig, &head, res, &replayed,
                                   &mark) == KIOSK_OK &&
             !replayed;
        PHASE_END();
        char *out = NULL;
        size_t out_len = 0;
        uint8_t rs[64];
        ok = ok && sync_results_encode_mark(res, m, now, &mark, &out, &out_len) == KIOSK_OK;
        if (ok)
            sync_reply_sign(hub_sk, ki->pk, sig, 200, out, out_len, rs);
        PHASE_END();
#undef PHASE_END
        free(out);
        free(res);
        sync_records_free(recs, m);
    }
    hub_db_close(db);
    if (!ok) {
        printf("  phases: a call failed\n");
        return;
    }
    double recs = (double)n * per_kiosk, tw = 0, tc = 0;
    printf("  %s, one request at a time, per record (wall us / %s):\n",
           pg ? "postgresql" : "sqlite", pg ? "server cpu us" : "-");
    for (int i = 0; i < PH_COUNT; i++) {
        printf("    %-14s %7.1f / %5.1f\n", phase_name[i], wall[i] * 1000.0 / recs,
               cpu[i] * 1000.0 / recs);
        tw += wall[i];
        tc += cpu[i];
    }
    printf("    %-14s %7.1f / %5.1f\n", "total", tw * 1000.0 / recs, tc * 1000.0 / recs);
}

/* The CPU each record took, and what that allows on this machine's CPUs were nothing else
 * running: with the kiosks' side (as this benchmark runs), and without it (as a region
 * runs: the kiosks are elsewhere). An estimate from CPU time, for a shared machine whose
 * wall-clock figure is whatever the others left over. */
static void print_cpu(const cpu_split *c)
{
    double cpus = (double)sysconf(_SC_NPROCESSORS_ONLN), own = c->hub + c->db;
    printf("  cpu/record: kiosks %.0f us, hubs %.0f us, postgresql %.0f us; idle %.0f%%;"
           " the CPUs alone would allow %.0f/s (%.0f/s without the kiosks' side)\n",
           c->client, c->hub, c->db, c->idle, own > 0 ? cpus * 1e6 / (own + c->client) : 0,
           own > 0 ? cpus * 1e6 / own : 0);
    if (c->syncs > 0)
        printf("  postgresql WAL: %.2f flushes per request, %.0f bytes per record\n", c->syncs,
               c->wal_bytes);
}

/* The machine is shared: the load average beside the figures. */
static void print_load(const char *when)
{
    double l[3];
    if (getloadavg(l, 3) == 3)
        printf("load average %s: %.2f %.2f %.2f\n", when, l[0], l[1], l[2]);
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
    const char *backends = argc > 6 ? argv[6] : "both";
    int do_pg = strcmp(backends, "sqlite") != 0, do_sqlite = strcmp(backends, "postgresql") != 0;
    if (n_kiosks < 1 || per_kiosk < 1 || runs < 1 || runs > 20 || n_threads < 1 || n_threads > 64 ||
        pg_hubs < 1 || pg_hubs > HUBS_MAX || (!do_pg && !do_sqlite) || sodium_init() < 0 ||
        curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 2;
    const char *kind = getenv("BENCH_HUB_CLIENT");
    use_curl = kind && strcmp(kind, "curl") == 0;
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
    printf("bench_hub: %d kiosks x %d records of %d sealed bytes over TLS (a connection each,"
           " POST %s with the head), %d client threads (%s), %ld CPUs\n",
           n_kiosks, per_kiosk, SEALED_SIZE, SYNC_PATH_RECORDS_V3, n_threads,
           use_curl ? "libcurl, as a unit sends"
                    : "lean OpenSSL clients; BENCH_HUB_CLIENT=curl: libcurl",
           sysconf(_SC_NPROCESSORS_ONLN));
    print_load("before");

    pg_server *pg = NULL;
    /* the server set as README's "running a regional hub" advises (durable: fsync,
     * synchronous_commit and full_page_writes on) */
    const char *pg_options = getenv("BENCH_HUB_PG_DEFAULTS") ? "" : HUB_PG_ADVISED;
    printf("postgresql options: %s\n", *pg_options ? pg_options : "(the server's defaults)");
    int pg_ok = do_pg && pg_server_start_with(1, pg_options, &pg) == 0;
    double pgv[20], slv[20];
    int pgn = 0, sln = 0;
    for (int r = 0; r < runs; r++) {
        cpu_split c = {0};
        if (pg_ok) {
            char url[PG_SERVER_URL_MAX], name[32];
            snprintf(name, sizeof name, "bench_%d", r);
            double v = pg_server_fresh_db(pg, name, url, sizeof url) == 0
                           ? run(url, pg, pg_hubs, hub_sk, &c)
                           : -1;
            printf("run %d postgresql, %d hubs: %7.0f records/s (target >= 5000)", r + 1, pg_hubs,
                   v);
            print_cpu(&c);
            if (v > 0)
                pgv[pgn++] = v;
        }
        if (do_sqlite) {
            char path[700];
            snprintf(path, sizeof path, "%s/hub-%d.db", dir, r);
            double v = run(path, NULL, 1, hub_sk, &c);
            printf("run %d sqlite, 1 hub:     %7.0f records/s                 ", r + 1, v);
            print_cpu(&c);
            if (v > 0)
                slv[sln++] = v;
        }
        fflush(stdout);
    }
    print_load("after");
    /* the breakdown, on the last run's batches (fresh databases) */
    int pn = n_kiosks;
    if (pg_ok) {
        char url[PG_SERVER_URL_MAX];
        if (pg_server_fresh_db(pg, "bench_phases", url, sizeof url) == 0)
            phases(url, pg, pn, hub_sk);
    }
    if (do_sqlite) {
        char path[700];
        snprintf(path, sizeof path, "%s/phases.db", dir);
        phases(path, NULL, pn, hub_sk);
    }
    if (pgn)
        report("postgresql", pgv, pgn, "  target >= 5000 records/s");
    else if (do_pg)
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
    return (pgn || !do_pg) && (sln || !do_sqlite) ? 0 : 1;
}
