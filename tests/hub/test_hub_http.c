/* Tests of the hub's HTTP service with libcurl as the client, on 127.0.0.1 only: the
 * happy path and idempotent resend with every 200 signed by the hub's key, every refusal
 * (malformed headers, unknown device, stale time through the clock hook, bad signature,
 * a body that is not the signed one, replay, malformed body, oversized body by
 * Content-Length, a chunked upload without one, the old protocol's path, wrong path and
 * method) each with its status, error code and nothing stored, health, every injected
 * fault, HTTPS when openssl can make a certificate, and no plain HTTP off loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "pg_server.h"
#include "hub/hub_http.h"
#include "proto/receipt_payload.h"

#define T0 1795363199000LL

static char dir[512], db_path[600];
static uint8_t dev_pk[32], dev_sk[64], hub_pk[32], hub_sk[64];
static uint8_t last_sig[64]; /* of the last signed request: the hub's reply covers it */
static hub_db *db;
static hub_server *srv;
static _Atomic int64_t fake_now = T0;

static int64_t fake_clock(void *ctx)
{
    (void)ctx;
    return atomic_load(&fake_now);
}

static int remove_dir(int recreate)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'%s%s%s", dir, recreate ? " && mkdir -p '" : "",
             recreate ? dir : "", recreate ? "'" : "");
    return system(cmd);
}

/* NULL: the group on SQLite; else the one on a database of this private server */
static pg_server *pg;
static hub_db *look; /* the test thread's connection to the server's database */

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/hub-http-%d", KIOSK_TEST_TMP, (int)getpid());
    if (remove_dir(1) != 0)
        return -1;
    if (pg) {
        if (pg_server_fresh_db(pg, "hub_http", db_path, sizeof db_path) != 0)
            return -1;
    } else {
        snprintf(db_path, sizeof db_path, "%s/hub.db", dir);
    }
    crypto_sign_keypair(dev_pk, dev_sk);
    if (hub_db_open(db_path, &db) != KIOSK_OK || hub_db_device_add(db, dev_pk, "k1", 1) != 0)
        return -1;
    crypto_sign_keypair(hub_pk, hub_sk);
    hub_server_options o;
    hub_server_options_init(&o);
    o.now_ms = fake_clock;
    o.sign_secret_key = hub_sk;
    o.plain_http_loopback_test = 1;
    if (hub_server_start(db, &o, &srv) != KIOSK_OK)
        return -1;
    /* the test's own connection for its checks: the server's belongs to its thread (a
     * PostgreSQL connection must not be shared between threads) */
    return hub_db_open(db_path, &look) == KIOSK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hub_server_stop(srv);
    hub_db_close(look);
    hub_db_close(db);
    curl_global_cleanup();
    return remove_dir(0) == 0 ? 0 : -1;
}

/* ---- client helpers ------------------------------------------------------------- */

typedef struct reply {
    CURLcode cc;
    long status;
    char *body;
    size_t len;
    char ctype[64];
    char hub_sig[130]; /* X-Hub-Signature, "" when none */
    double seconds;
} reply;

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    size_t k = strlen(SYNC_HDR_HUB_SIGNATURE);
    if (size * n >= k + 2 + 128 && strncasecmp(p, SYNC_HDR_HUB_SIGNATURE, k) == 0)
        snprintf(r->hub_sig, sizeof r->hub_sig, "%.128s", p + k + 2);
    return size * n;
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    char *grown = realloc(r->body, r->len + size * n + 1);
    assert_non_null(grown);
    r->body = grown;
    memcpy(r->body + r->len, p, size * n);
    r->len += size * n;
    r->body[r->len] = '\0';
    return size * n;
}

/* A source of `left` bytes of 'x' for chunked uploads. */
typedef struct source {
    size_t left;
} source;

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    source *s = ud;
    size_t k = size * n < s->left ? size * n : s->left;
    memset(buf, 'x', k);
    s->left -= k;
    return k;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One request. headers: NULL-terminated extra headers; body NULL: no body (GET). */
static reply request_full(const char *scheme, const char *cainfo, const char *method,
                          const char *path, const char *const *headers, const char *body,
                          size_t len, source *chunked)
{
    reply r;
    memset(&r, 0, sizeof r);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[256];
    snprintf(url, sizeof url, "%s://127.0.0.1:%u%s", scheme, (unsigned)hub_server_port(srv), path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (cainfo)
        curl_easy_setopt(c, CURLOPT_CAINFO, cainfo);
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; headers && headers[i]; i++)
        h = curl_slist_append(h, headers[i]);
    if (chunked) {
        h = curl_slist_append(h, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, chunked);
    } else if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    double t0 = now_s();
    r.cc = curl_easy_perform(c);
    r.seconds = now_s() - t0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(r.ctype, sizeof r.ctype, "%s", ct ? ct : "");
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

static reply request(const char *method, const char *path, const char *const *headers,
                     const char *body, size_t len)
{
    return request_full("http", NULL, method, path, headers, body, len, NULL);
}

/* The path requests are signed for and sent to (the events test switches it). */
static const char *sign_path = SYNC_PATH_RECORDS_V2;

/* The four signed headers of a request by pk/sk at time t over body (protocol v2). */
typedef struct signed_headers {
    char device[160], time[64], sha[160], signature[200];
} signed_headers;

static void sign_headers(const uint8_t pk[32], const uint8_t sk[64], int64_t t, const char *body,
                         size_t len, signed_headers *h)
{
    uint8_t sha[32];
    char hex[129];
    crypto_hash_sha256(sha, (const uint8_t *)body, len);
    sync_request_sign_v2(sk, "POST", sign_path, t, sha, len, last_sig);
    sync_hex_format(pk, 32, hex);
    snprintf(h->device, sizeof h->device, "%s: %s", SYNC_HDR_DEVICE, hex);
    snprintf(h->time, sizeof h->time, "%s: %lld", SYNC_HDR_TIME, (long long)t);
    sync_hex_format(sha, 32, hex);
    snprintf(h->sha, sizeof h->sha, "%s: %s", SYNC_HDR_BODY_SHA256, hex);
    sync_hex_format(last_sig, 64, hex);
    snprintf(h->signature, sizeof h->signature, "%s: %s", SYNC_HDR_SIGNATURE, hex);
}

/* POST a body signed by sk at time t. */
static reply post_signed(const uint8_t pk[32], const uint8_t sk[64], int64_t t, const char *body,
                         size_t len)
{
    signed_headers sh;
    sign_headers(pk, sk, t, body, len, &sh);
    const char *h[] = {
        "Content-Type: application/json", sh.device, sh.time, sh.sha, sh.signature, NULL};
    return request("POST", sign_path, h, body, len);
}

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

static int64_t next_seq = 1;

/* A body of n fresh records from the test device; *recs_out (may be NULL) gets them. */
static char *make_body(size_t n, size_t *len)
{
    sync_record *recs = calloc(n ? n : 1, sizeof *recs);
    assert_non_null(recs);
    for (size_t i = 0; i < n; i++) {
        make_uuid(recs[i].uuid);
        recs[i].seq = next_seq++;
        recs[i].sealed_len = 100;
        recs[i].sealed = malloc(100);
        randombytes_buf(recs[i].sealed, 100);
        sync_record_sign(&recs[i], dev_sk);
    }
    char *body;
    assert_int_equal(sync_body_encode(recs, n, &body, len), KIOSK_OK);
    sync_records_free(recs, n);
    return body;
}

static int64_t stored(void)
{
    int64_t n, max;
    /* the server thread owns db while it runs; counting between requests is safe here
     * because no request is in flight */
    assert_int_equal(hub_db_device_counts(look, dev_pk, &n, &max), KIOSK_OK);
    return n;
}

static void expect_error(reply *r, long status, const char *code)
{
    assert_int_equal(r->cc, CURLE_OK);
    assert_int_equal(r->status, status);
    assert_string_equal(r->ctype, "application/json");
    assert_string_equal(r->hub_sig, ""); /* a refusal acknowledges nothing */
    char got[32];
    int64_t now = 0;
    assert_int_equal(sync_error_decode(r->body, r->len, got, sizeof got, &now), KIOSK_OK);
    assert_string_equal(got, code);
    assert_int_equal(now, atomic_load(&fake_now));
    free(r->body);
    r->body = NULL;
}

static sync_result *expect_results(reply *r, size_t *n)
{
    assert_int_equal(r->cc, CURLE_OK);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->ctype, "application/json");
    /* signed by the hub over this device, this request and this very body */
    uint8_t hs[64];
    assert_true(sync_hex_parse(r->hub_sig, hs, 64));
    assert_true(sync_reply_verify(hub_pk, dev_pk, last_sig, 200, r->body, r->len, hs));
    assert_false(sync_reply_verify(dev_pk, dev_pk, last_sig, 200, r->body, r->len, hs));
    uint8_t other[64];
    memcpy(other, last_sig, 64);
    other[0] ^= 1;
    assert_false(sync_reply_verify(hub_pk, dev_pk, other, 200, r->body, r->len, hs));
    sync_result *res;
    int64_t now;
    assert_int_equal(sync_results_decode(r->body, r->len, &res, n, &now), KIOSK_OK);
    for (size_t i = 0; i < *n; i++)
        assert_true(res[i].has_sealed_sha256);
    assert_int_equal(now, atomic_load(&fake_now));
    free(r->body);
    r->body = NULL;
    return res;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_health(void **state)
{
    (void)state;
    reply r = request("GET", "/v1/health", NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    char want[64];
    snprintf(want, sizeof want, "{\"ok\":true,\"now_ms\":%lld}", (long long)T0);
    assert_string_equal(r.body, want);
    assert_string_equal(r.ctype, "application/json");
    free(r.body);
}

/* The receipt check a phone opens from the QR code: valid, altered, from an unknown unit,
 * not a receipt, from a retired unit; the unit's name escaped; GET only. */
static void test_receipt_check(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64], other_pk[32], other_sk[64], hash[32] = {1, 2, 3};
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(other_pk, other_sk);
    assert_int_equal(hub_db_device_add(db, pk, "历下区<b>大厅</b> 1号机", 1), KIOSK_OK);
    char payload[RECEIPT_PAYLOAD_MAX], path[RECEIPT_PAYLOAD_MAX + 8];
    assert_int_equal(
        receipt_payload_make("DEMO01-20261205-0001", "20261205093000", hash, sk, pk, payload),
        KIOSK_OK);
    snprintf(path, sizeof path, "/r/%s", payload);
    reply r = request("GET", path, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.ctype, "text/html", 9) == 0);
    assert_non_null(strstr(r.body, "回执真实有效"));
    assert_non_null(strstr(r.body, "2026-12-05 09:30"));
    assert_non_null(strstr(r.body, "DEMO01-20261205-0001"));
    assert_non_null(strstr(r.body, "历下区&lt;b&gt;大厅&lt;/b&gt; 1号机"));
    assert_null(strstr(r.body, "<b>大厅"));
    free(r.body);
    path[1] = 'R'; /* as a QR code in alphanumeric mode spells it */
    r = request("GET", path, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "回执真实有效"));
    free(r.body);
    /* one character of the receipt number changed */
    char *no = strstr(path, "-0001/");
    assert_non_null(no);
    no[4] = '2';
    r = request("GET", path, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "回执内容与签名不符"));
    assert_null(strstr(r.body, "回执真实有效"));
    free(r.body);
    /* a unit the hub never registered */
    assert_int_equal(receipt_payload_make("DEMO01-20261205-0001", "20261205093000", hash, other_sk,
                                          other_pk, payload),
                     KIOSK_OK);
    snprintf(path, sizeof path, "/r/%s", payload);
    r = request("GET", path, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "无法核验"));
    free(r.body);
    r = request("GET", "/r/hello", NULL, NULL, 0);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "这不是回执二维码"));
    free(r.body);
    r = request("POST", "/r/hello", NULL, "x", 1);
    assert_int_equal(r.status, 405);
    free(r.body);
    /* a retired unit's receipt stays genuine */
    assert_int_equal(
        receipt_payload_make("DEMO01-20261205-0002", "20261205093500", hash, sk, pk, payload),
        KIOSK_OK);
    assert_int_equal(hub_db_device_remove(db, pk), KIOSK_OK);
    snprintf(path, sizeof path, "/r/%s", payload);
    r = request("GET", path, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "回执真实有效"));
    assert_non_null(strstr(r.body, "已停用"));
    free(r.body);
}

static void test_happy_path_and_resend(void **state)
{
    (void)state;
    int64_t before = stored();
    uint64_t posts = hub_server_requests(srv);
    size_t len;
    char *body = make_body(3, &len);
    int64_t t = atomic_load(&fake_now) - 1000;
    reply r = post_signed(dev_pk, dev_sk, t, body, len);
    size_t n;
    sync_result *res = expect_results(&r, &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(res[i].status, SYNC_ACCEPTED);
    free(res);
    assert_int_equal(stored(), before + 3);
    assert_int_equal(hub_server_requests(srv), posts + 1);

    /* the very same request again is a replay */
    r = post_signed(dev_pk, dev_sk, t, body, len);
    expect_error(&r, 409, "replayed");
    /* a resend (new time, new signature) of the same records: duplicates */
    r = post_signed(dev_pk, dev_sk, t + 1, body, len);
    res = expect_results(&r, &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(res[i].status, SYNC_DUPLICATE);
    free(res);
    assert_int_equal(stored(), before + 3);
    free(body);

    /* an empty batch is a valid request */
    r = post_signed(dev_pk, dev_sk, t + 2, "{\"records\":[]}", 14);
    res = expect_results(&r, &n);
    assert_int_equal(n, 0);
    free(res);
}

/* Protocol v3: the same records as a binary body on /v3/records, signed for that path;
 * the answers as v2's (JSON, signed). A JSON body there, or a v3 body on /v2/records, is
 * malformed; a v2 signature does not pass on /v3/records. */
static void test_binary_body_v3(void **state)
{
    (void)state;
    int64_t before = stored();
    sync_record recs[3];
    for (size_t i = 0; i < 3; i++) {
        memset(&recs[i], 0, sizeof recs[i]);
        make_uuid(recs[i].uuid);
        recs[i].seq = next_seq++;
        recs[i].sealed_len = 100;
        recs[i].sealed = malloc(100);
        randombytes_buf(recs[i].sealed, 100);
        sync_record_sign(&recs[i], dev_sk);
    }
    char *body, *json;
    size_t len, jlen;
    assert_int_equal(sync_body_encode_v3(recs, 3, NULL, &body, &len), KIOSK_OK);
    assert_int_equal(sync_body_encode(recs, 3, &json, &jlen), KIOSK_OK);
    int64_t t = atomic_load(&fake_now) - 500;
    sign_path = SYNC_PATH_RECORDS_V3;
    reply r = post_signed(dev_pk, dev_sk, t, json, jlen);
    expect_error(&r, 400, "malformed");
    r = post_signed(dev_pk, dev_sk, t + 1, body, len);
    size_t n;
    sync_result *res = expect_results(&r, &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        uint8_t h[32];
        crypto_hash_sha256(h, recs[i].sealed, recs[i].sealed_len);
        assert_int_equal(res[i].status, SYNC_ACCEPTED);
        assert_string_equal(res[i].uuid, recs[i].uuid);
        assert_memory_equal(res[i].sealed_sha256, h, 32);
    }
    free(res);
    assert_int_equal(stored(), before + 3);
    /* signed for /v2/records, sent to /v3/records */
    sign_path = SYNC_PATH_RECORDS_V2;
    signed_headers sh;
    sign_headers(dev_pk, dev_sk, t + 2, body, len, &sh);
    const char *h[] = {sh.device, sh.time, sh.sha, sh.signature, NULL};
    r = request("POST", SYNC_PATH_RECORDS_V3, h, body, len);
    expect_error(&r, 401, "bad_signature");
    /* a binary body on /v2/records */
    r = post_signed(dev_pk, dev_sk, t + 3, body, len);
    expect_error(&r, 400, "malformed");
    assert_int_equal(stored(), before + 3);
    free(body);
    free(json);
    for (size_t i = 0; i < 3; i++)
        free(recs[i].sealed);
}

static void test_refusals(void **state)
{
    (void)state;
    int64_t before = stored();
    size_t len;
    char *body = make_body(2, &len);
    int64_t t = atomic_load(&fake_now);
    signed_headers sh;
    sign_headers(dev_pk, dev_sk, t, body, len, &sh);
    const char *dev = sh.device, *tim = sh.time, *sg = sh.signature, *sha = sh.sha;

    /* headers missing or malformed */
    const char *const missing[] = {dev, tim, sha, NULL};
    reply r = request("POST", SYNC_PATH_RECORDS_V2, missing, body, len);
    expect_error(&r, 400, "malformed");
    const char *const no_sha[] = {dev, tim, sg, NULL};
    r = request("POST", SYNC_PATH_RECORDS_V2, no_sha, body, len);
    expect_error(&r, 400, "malformed");
    const char *const bad_time[] = {dev, "X-Kiosk-Time: 12x", sha, sg, NULL};
    r = request("POST", SYNC_PATH_RECORDS_V2, bad_time, body, len);
    expect_error(&r, 400, "malformed");
    const char *const bad_dev[] = {"X-Kiosk-Device: abcd", tim, sha, sg, NULL};
    r = request("POST", SYNC_PATH_RECORDS_V2, bad_dev, body, len);
    expect_error(&r, 400, "malformed");
    const char *const neg_time[] = {dev, "X-Kiosk-Time: -5", sha, sg, NULL};
    r = request("POST", SYNC_PATH_RECORDS_V2, neg_time, body, len);
    expect_error(&r, 400, "malformed");
    /* the old protocol (unsigned answers) is gone */
    r = request("POST", SYNC_PATH_RECORDS, missing, body, len);
    expect_error(&r, 410, "old_protocol");

    /* a device the hub does not know */
    uint8_t spk[32], ssk[64];
    crypto_sign_keypair(spk, ssk);
    r = post_signed(spk, ssk, t, body, len);
    expect_error(&r, 403, "unknown_device");

    /* clocks outside the window, both ways (the clock hook moves the hub's time) */
    atomic_store(&fake_now, T0 + SYNC_SKEW_MS + 1);
    r = post_signed(dev_pk, dev_sk, T0, body, len);
    expect_error(&r, 401, "stale_time");
    atomic_store(&fake_now, T0 - SYNC_SKEW_MS - 1);
    r = post_signed(dev_pk, dev_sk, T0, body, len);
    expect_error(&r, 401, "stale_time");
    atomic_store(&fake_now, T0 + SYNC_SKEW_MS); /* the edge is inside */
    r = post_signed(dev_pk, dev_sk, T0, "{\"records\":[]}", 14);
    assert_int_equal(r.status, 200);
    free(r.body);
    atomic_store(&fake_now, T0);

    /* a signature by another key, or over other bytes */
    r = post_signed(dev_pk, ssk, t, body, len);
    expect_error(&r, 401, "bad_signature");
    const char *const wrong_body[] = {dev, tim, sha, sg, NULL};
    char *tampered = strdup(body);
    tampered[len - 3] ^= 1;
    /* the headers verify, the body is not the one they name: refused once it is in */
    r = request("POST", SYNC_PATH_RECORDS_V2, wrong_body, tampered, len);
    expect_error(&r, 400, "bad_signature");
    /* a length other than the signed one is refused from the headers */
    r = request("POST", SYNC_PATH_RECORDS_V2, wrong_body, body, len - 1);
    expect_error(&r, 401, "bad_signature");
    free(tampered);

    /* a well-signed body that is not a request body; refused again the same way (a
     * refused request is not remembered as seen) */
    static const char junk[] = "{\"records\":[{\"uuid\":\"nope\"}]}";
    r = post_signed(dev_pk, dev_sk, t, junk, strlen(junk));
    expect_error(&r, 400, "malformed");
    r = post_signed(dev_pk, dev_sk, t, junk, strlen(junk));
    expect_error(&r, 400, "malformed");
    r = post_signed(dev_pk, dev_sk, t, "not json", 8);
    expect_error(&r, 400, "malformed");

    /* wrong path, wrong method */
    r = request("GET", "/v1/nothing", NULL, NULL, 0);
    expect_error(&r, 404, "not_found");
    r = request("POST", "/", NULL, "x", 1);
    expect_error(&r, 404, "not_found");
    r = request("GET", SYNC_PATH_RECORDS_V2, NULL, NULL, 0);
    expect_error(&r, 405, "method");
    r = request("PUT", SYNC_PATH_RECORDS_V2, wrong_body, body, len);
    expect_error(&r, 405, "method");
    r = request("POST", "/v1/health", NULL, "x", 1);
    expect_error(&r, 405, "method");

    assert_int_equal(stored(), before);
    /* and the good request still goes through after all that */
    r = post_signed(dev_pk, dev_sk, t, body, len);
    size_t n;
    free(expect_results(&r, &n));
    assert_int_equal(n, 2);
    assert_int_equal(stored(), before + 2);
    free(body);
}

/* Read the reply to raw request bytes (for a Content-Length curl would not send). */
static void raw_exchange(const char *req, char *out, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(hub_server_port(srv))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
    size_t got = 0;
    ssize_t k;
    while (got + 1 < size && (k = recv(fd, out + got, size - 1 - got, 0)) > 0) {
        got += (size_t)k;
        if (strstr(out, "\r\n\r\n") && strchr(strstr(out, "\r\n\r\n"), '}'))
            break;
        out[got] = '\0';
    }
    out[got] = '\0';
    close(fd);
}

/* POST /v2/events: judged as records are (headers first), stored once per (device, seq),
 * every seq held answered in a reply signed by the hub. */
static int64_t help_count(void)
{
    int64_t n = -1;
    assert_int_equal(hub_db_event_count(look, SYNC_EVENT_HELP, 0, &n), KIOSK_OK);
    return n;
}

static void test_events(void **state)
{
    (void)state;
    sign_path = SYNC_PATH_EVENTS;
    const char body[] = "{\"events\":[{\"seq\":1,\"kind\":\"help.request\",\"step\":\"form\","
                        "\"hall_code\":\"DEMO01\",\"at_ms\":1}]}";
    size_t len = strlen(body);
    int64_t t = atomic_load(&fake_now);
    reply r = post_signed(dev_pk, dev_sk, t, body, len);
    assert_int_equal(r.status, 200);
    uint8_t hs[64];
    assert_true(sync_hex_parse(r.hub_sig, hs, 64));
    assert_true(sync_reply_verify(hub_pk, dev_pk, last_sig, 200, r.body, r.len, hs));
    int64_t *seqs = NULL, now = 0;
    size_t n = 0;
    assert_int_equal(sync_event_acks_decode(r.body, r.len, &seqs, &n, &now), KIOSK_OK);
    assert_int_equal(n, 1);
    assert_int_equal(seqs[0], 1);
    free(seqs);
    free(r.body);
    assert_int_equal(help_count(), 1);
    /* sent again (its answer lost): answered, kept once */
    r = post_signed(dev_pk, dev_sk, t + 1, body, len);
    assert_int_equal(r.status, 200);
    free(r.body);
    assert_int_equal(help_count(), 1);
    /* the same request again is a replay */
    r = post_signed(dev_pk, dev_sk, t + 1, body, len);
    expect_error(&r, 409, "replayed");
    /* a records signature does not open the events door */
    sign_path = SYNC_PATH_RECORDS_V2;
    signed_headers sh;
    sign_headers(dev_pk, dev_sk, t + 2, body, len, &sh);
    const char *h[] = {
        "Content-Type: application/json", sh.device, sh.time, sh.sha, sh.signature, NULL};
    r = request("POST", SYNC_PATH_EVENTS, h, body, len);
    expect_error(&r, 401, "bad_signature");
    sign_path = SYNC_PATH_EVENTS;
    /* an unknown device, a malformed body */
    uint8_t other_pk[32], other_sk[64];
    crypto_sign_keypair(other_pk, other_sk);
    r = post_signed(other_pk, other_sk, t + 3, body, len);
    expect_error(&r, 403, "unknown_device");
    r = post_signed(dev_pk, dev_sk, t + 4, "{\"events\":[{}]}", 15);
    expect_error(&r, 400, "malformed");
    /* over the events' own limit, refused on its Content-Length */
    char req[512], resp[4096];
    snprintf(req, sizeof req,
             "POST " SYNC_PATH_EVENTS " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Content-Type: application/json\r\nContent-Length: %u\r\n\r\n",
             SYNC_MAX_EVENTS_BODY + 1u);
    raw_exchange(req, resp, sizeof resp);
    assert_non_null(strstr(resp, "HTTP/1.1 413"));
    assert_int_equal(help_count(), 1);
    sign_path = SYNC_PATH_RECORDS_V2;
}

static void test_too_large(void **state)
{
    (void)state;
    int64_t before = stored();
    char req[512], resp[4096];
    /* refused on its Content-Length, before any of the body is sent */
    snprintf(req, sizeof req,
             "POST " SYNC_PATH_RECORDS_V2 " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Content-Type: application/json\r\nContent-Length: %u\r\n\r\n",
             SYNC_MAX_BODY + 1u);
    raw_exchange(req, resp, sizeof resp);
    assert_non_null(strstr(resp, "HTTP/1.1 413"));
    assert_non_null(strstr(resp, "\"error\":\"too_large\""));

    /* a chunked upload has no length up front: refused before its body is read */
    source src = {SYNC_MAX_BODY + 1u};
    reply r = request_full("http", NULL, "POST", SYNC_PATH_RECORDS_V2, NULL, NULL, 0, &src);
    /* the hub answers 411 and closes; a slow client (sanitizers) may still be sending
     * and see the connection go (a send error) before it reads the answer: refused
     * either way, and nothing is stored */
    if (r.cc == CURLE_SEND_ERROR)
        assert_true(r.status == 0 || r.status == 411);
    else
        expect_error(&r, 411, "malformed");
    assert_int_equal(stored(), before);
}

static void test_faults(void **state)
{
    (void)state;
    int64_t t = atomic_load(&fake_now);
    int64_t before = stored();
    size_t len, n;
    reply r;

    /* 500 once, then normal */
    char *body = make_body(2, &len);
    hub_server_set_fault(srv, HUB_FAULT_500, 1);
    r = post_signed(dev_pk, dev_sk, t + 10, body, len);
    expect_error(&r, 500, "internal");
    assert_int_equal(stored(), before);
    r = post_signed(dev_pk, dev_sk, t + 11, body, len);
    free(expect_results(&r, &n));
    assert_int_equal(stored(), before + 2);
    free(body);

    /* 503 twice; GET requests are not counted against the fault */
    body = make_body(1, &len);
    hub_server_set_fault(srv, HUB_FAULT_503, 2);
    r = request("GET", "/v1/health", NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    free(r.body);
    for (int i = 0; i < 2; i++) {
        r = post_signed(dev_pk, dev_sk, t + 20 + i, body, len);
        expect_error(&r, 503, "internal");
    }
    r = post_signed(dev_pk, dev_sk, t + 22, body, len);
    free(expect_results(&r, &n));
    free(body);
    before = stored();

    /* reset: stored, but no reply at all */
    body = make_body(2, &len);
    hub_server_set_fault(srv, HUB_FAULT_RESET, 1);
    r = post_signed(dev_pk, dev_sk, t + 30, body, len);
    assert_int_not_equal(r.cc, CURLE_OK);
    free(r.body);
    assert_int_equal(stored(), before + 2);
    r = post_signed(dev_pk, dev_sk, t + 31, body, len);
    sync_result *res = expect_results(&r, &n);
    assert_int_equal(n, 2);
    assert_int_equal(res[0].status, SYNC_DUPLICATE);
    free(res);
    free(body);

    /* garbage: stored, 200 with a body that does not parse */
    body = make_body(1, &len);
    hub_server_set_fault(srv, HUB_FAULT_GARBAGE, 1);
    r = post_signed(dev_pk, dev_sk, t + 40, body, len);
    assert_int_equal(r.status, 200);
    sync_result *junk = NULL;
    int64_t now;
    assert_int_equal(sync_results_decode(r.body, r.len, &junk, &n, &now), KIOSK_INVALID);
    free(r.body);
    assert_int_equal(stored(), before + 3);
    free(body);

    /* partial: all four stored, results for the first two only */
    body = make_body(4, &len);
    hub_server_set_fault(srv, HUB_FAULT_PARTIAL, 1);
    r = post_signed(dev_pk, dev_sk, t + 50, body, len);
    res = expect_results(&r, &n);
    assert_int_equal(n, 2);
    assert_int_equal(res[0].status, SYNC_ACCEPTED);
    free(res);
    assert_int_equal(stored(), before + 7);
    free(body);

    /* slow: two seconds, then a normal answer */
    body = make_body(1, &len);
    hub_server_set_fault(srv, HUB_FAULT_SLOW, 1);
    r = post_signed(dev_pk, dev_sk, t + 60, body, len);
    assert_true(r.seconds >= 1.9);
    free(expect_results(&r, &n));
    assert_int_equal(n, 1);
    free(body);

    /* persistent until cleared */
    body = make_body(1, &len);
    uint64_t posts = hub_server_requests(srv);
    hub_server_set_fault(srv, HUB_FAULT_503, -1);
    for (int i = 0; i < 3; i++) {
        r = post_signed(dev_pk, dev_sk, t + 70 + i, body, len);
        expect_error(&r, 503, "internal");
    }
    hub_server_set_fault(srv, HUB_FAULT_NONE, 0);
    r = post_signed(dev_pk, dev_sk, t + 80, body, len);
    free(expect_results(&r, &n));
    assert_int_equal(hub_server_requests(srv), posts + 4);
    free(body);
}

static void test_tls(void **state)
{
    (void)state;
    char cert[700], key[700], cmd[2048];
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
             " -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
             " -keyout '%s' -out '%s' >/dev/null 2>&1",
             key, cert);
    if (system(cmd) != 0) {
        skip();
        return;
    }
    hub_server_options o;
    hub_server_options_init(&o);
    o.tls_cert_file = cert;
    o.tls_key_file = key;
    o.now_ms = fake_clock;
    o.sign_secret_key = hub_sk;
    hub_server *plain = srv;
    assert_int_equal(hub_server_start(db, &o, &srv), KIOSK_OK);
    reply r = request_full("https", cert, "GET", "/v1/health", NULL, NULL, 0, NULL);
    assert_int_equal(r.cc, CURLE_OK);
    assert_int_equal(r.status, 200);
    free(r.body);
    size_t len, n;
    char *body = make_body(1, &len);
    signed_headers sh;
    sign_headers(dev_pk, dev_sk, atomic_load(&fake_now) + 90, body, len, &sh);
    const char *const h[] = {sh.device, sh.time, sh.sha, sh.signature, NULL};
    r = request_full("https", cert, "POST", SYNC_PATH_RECORDS_V2, h, body, len, NULL);
    free(expect_results(&r, &n));
    assert_int_equal(n, 1);
    free(body);
    hub_server_stop(srv);
    srv = plain;

    /* one file without the other, a missing file */
    hub_server *none = (hub_server *)1;
    o.tls_key_file = NULL;
    assert_int_equal(hub_server_start(db, &o, &none), KIOSK_INVALID);
    assert_null(none);
    o.tls_key_file = "/nonexistent/key.pem";
    assert_int_equal(hub_server_start(db, &o, &none), KIOSK_NOT_FOUND);
}

static void test_bad_options(void **state)
{
    (void)state;
    hub_server_options o;
    hub_server_options_init(&o);
    o.sign_secret_key = hub_sk;
    o.plain_http_loopback_test = 1;
    o.bind_address = "localhost"; /* numeric only: no name lookups */
    hub_server *s = (hub_server *)1;
    assert_int_equal(hub_server_start(db, &o, &s), KIOSK_INVALID);
    assert_null(s);
    /* no signing key: nothing could be acknowledged */
    hub_server_options_init(&o);
    o.plain_http_loopback_test = 1;
    assert_int_equal(hub_server_start(db, &o, &s), KIOSK_INVALID);
    /* no certificate: refused, unless it is a loopback test on a loopback address */
    o.sign_secret_key = hub_sk;
    o.plain_http_loopback_test = 0;
    assert_int_equal(hub_server_start(db, &o, &s), KIOSK_CONFIG);
    assert_null(s);
    o.plain_http_loopback_test = 1;
    o.bind_address = "0.0.0.0";
    assert_int_equal(hub_server_start(db, &o, &s), KIOSK_CONFIG);
    /* the port in use */
    o.bind_address = "127.0.0.1";
    o.port = hub_server_port(srv);
    assert_int_equal(hub_server_start(db, &o, &s), KIOSK_NET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_receipt_check),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_happy_path_and_resend),
        cmocka_unit_test(test_binary_body_v3),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_bad_options),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, setup, teardown);
    /* the same service on the PostgreSQL backend */
    int started = pg_server_start(0, &pg);
    if (started == 1)
        return failed; /* said why: PostgreSQL is not installed */
    if (started != 0)
        return failed + 1;
    failed += cmocka_run_group_tests_name("postgresql", tests, setup, teardown);
    pg_server_stop(pg);
    return failed;
}
