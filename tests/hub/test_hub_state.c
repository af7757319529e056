/* Tests of a record's processing state at the hub, on both backends (SQLite, then a private
 * PostgreSQL server, tests/tools/pg_server.h): hub_db_state_set/get/history (received on
 * ingest, each change with its history, refusals that change nothing, another device's
 * record answered as unknown), the CSV import (refused lines named by number, the rest
 * applied whole), and POST /v3/status through the real HTTP service with libcurl: a signed
 * answer for the asking device's records only, replay refused, malformed bodies refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "hub/hub_state.h"
#include "hub/hub_verify.h"
#include "proto/receipt_payload.h"
#include "pg_server.h"
#include "proto/sync_status.h"

#define T0 1795363199000LL

static char dir[512], path[600];
static uint8_t dev_pk[32], dev_sk[64], other_pk[32], other_sk[64], hub_pk[32], hub_sk[64];
static pg_server *pg; /* NULL: the SQLite group */

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/hub-state-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return -1;
    crypto_sign_keypair(dev_pk, dev_sk);
    crypto_sign_keypair(other_pk, other_sk);
    crypto_sign_keypair(hub_pk, hub_sk);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static hub_db *fresh(const char *name)
{
    if (pg) {
        assert_int_equal(pg_server_fresh_db(pg, name, path, sizeof path), 0);
    } else {
        snprintf(path, sizeof path, "%s/%s.db", dir, name);
        unlink(path);
    }
    hub_db *db;
    assert_int_equal(hub_db_open(path, &db), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, dev_pk, "k1", 1), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, other_pk, "k2", 1), KIOSK_OK);
    return db;
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

/* One record of pk/sk stored at received_ms; its uuid into uuid. */
static void store_one(hub_db *db, const uint8_t pk[32], const uint8_t sk[64], int64_t seq,
                      int64_t received_ms, char uuid[SYNC_UUID_LEN + 1])
{
    sync_record r;
    memset(&r, 0, sizeof r);
    make_uuid(r.uuid);
    r.seq = seq;
    r.sealed_len = 120;
    r.sealed = malloc(r.sealed_len);
    assert_non_null(r.sealed);
    randombytes_buf(r.sealed, r.sealed_len);
    sync_record_sign(&r, sk);
    sync_result res;
    assert_int_equal(hub_db_ingest(db, pk, &r, 1, "http", received_ms, &res), KIOSK_OK);
    assert_int_equal(res.status, SYNC_ACCEPTED);
    memcpy(uuid, r.uuid, SYNC_UUID_LEN + 1);
    free(r.sealed);
}

typedef struct history {
    size_t n;
    char states[8][48];
    char by[8][HUB_STATE_ACTOR_MAX];
    int64_t at[8];
} history;

static kiosk_rc collect(void *ctx, const hub_db_state_change *c)
{
    history *h = ctx;
    if (h->n < 8) {
        snprintf(h->states[h->n], sizeof h->states[h->n], "%s%s%s", c->state, c->note[0] ? ":" : "",
                 c->note);
        snprintf(h->by[h->n], sizeof h->by[h->n], "%s", c->changed_by);
        h->at[h->n] = c->changed_ms;
    }
    h->n++;
    return KIOSK_OK;
}

static void test_states(void **state)
{
    (void)state;
    hub_db *db = fresh("states");
    char mine[SYNC_UUID_LEN + 1], theirs[SYNC_UUID_LEN + 1], absent[SYNC_UUID_LEN + 1];
    store_one(db, dev_pk, dev_sk, 1, 5000, mine);
    store_one(db, other_pk, other_sk, 1, 6000, theirs);
    make_uuid(absent);

    /* received from its ingest on */
    hub_record_state st;
    assert_int_equal(hub_db_state_get(db, dev_pk, mine, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_RECEIVED);
    assert_int_equal(st.s.changed_ms, 5000);
    assert_string_equal(st.changed_by, "hub");
    assert_memory_equal(st.device, dev_pk, 32);
    assert_string_equal(st.s.uuid, mine);

    /* staff move it on; each change is in the history, in order */
    assert_int_equal(hub_db_state_set(db, mine, SYNC_STATE_PROCESSING, "", "cli:wang", 7000),
                     KIOSK_OK);
    assert_int_equal(
        hub_db_state_set(db, mine, SYNC_STATE_NEEDS_MATERIALS, "contract_end", "cli:li", 8000),
        KIOSK_OK);
    assert_int_equal(hub_db_state_get(db, dev_pk, mine, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_NEEDS_MATERIALS);
    assert_string_equal(st.s.note, "contract_end");
    assert_int_equal(st.s.changed_ms, 8000);
    assert_string_equal(st.changed_by, "cli:li");

    /* refusals change nothing */
    assert_int_equal(hub_db_state_set(db, mine, SYNC_STATE_APPROVED, "photo", "cli:x", 9000),
                     KIOSK_INVALID); /* a note only with needs_materials */
    assert_int_equal(
        hub_db_state_set(db, mine, SYNC_STATE_NEEDS_MATERIALS, "his ID 110105", "cli:x", 9000),
        KIOSK_INVALID); /* a code from the table, never free text */
    assert_int_equal(hub_db_state_set(db, mine, SYNC_STATE_UNKNOWN, "", "cli:x", 9000),
                     KIOSK_INVALID);
    assert_int_equal(hub_db_state_set(db, mine, SYNC_STATE_APPROVED, "", "", 9000),
                     KIOSK_INVALID); /* nobody */
    assert_int_equal(hub_db_state_set(db, "not-a-uuid", SYNC_STATE_APPROVED, "", "cli:x", 9000),
                     KIOSK_INVALID);
    assert_int_equal(hub_db_state_set(db, absent, SYNC_STATE_APPROVED, "", "cli:x", 9000),
                     KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_state_get(db, NULL, mine, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_NEEDS_MATERIALS);
    assert_int_equal(st.s.changed_ms, 8000);

    history h = {0};
    assert_int_equal(hub_db_state_history(db, mine, collect, &h), KIOSK_OK);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.states[0], "processing");
    assert_string_equal(h.by[0], "cli:wang");
    assert_int_equal(h.at[0], 7000);
    assert_string_equal(h.states[1], "needs_materials:contract_end");
    memset(&h, 0, sizeof h);
    assert_int_equal(hub_db_state_history(db, absent, collect, &h), KIOSK_OK);
    assert_int_equal(h.n, 0);

    /* another device's record is not answered for this device; absent is unknown */
    assert_int_equal(hub_db_state_get(db, dev_pk, theirs, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_UNKNOWN);
    assert_int_equal(st.s.changed_ms, 0);
    assert_string_equal(st.s.uuid, theirs);
    assert_int_equal(hub_db_state_get(db, other_pk, theirs, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_RECEIVED);
    assert_int_equal(hub_db_state_get(db, NULL, absent, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_UNKNOWN);

    /* the state survives a reopen */
    hub_db_close(db);
    assert_int_equal(hub_db_open(path, &db), KIOSK_OK);
    assert_int_equal(hub_db_state_get(db, dev_pk, mine, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_NEEDS_MATERIALS);
    hub_db_close(db);
}

typedef struct refusals {
    size_t n;
    size_t lines[16];
} refusals;

static void on_refused(void *ctx, size_t line, const char *reason)
{
    refusals *r = ctx;
    assert_non_null(reason);
    if (r->n < 16)
        r->lines[r->n] = line;
    r->n++;
}

static void test_csv_import(void **state)
{
    (void)state;
    hub_db *db = fresh("import");
    char a[SYNC_UUID_LEN + 1], b[SYNC_UUID_LEN + 1], c[SYNC_UUID_LEN + 1], x[SYNC_UUID_LEN + 1];
    store_one(db, dev_pk, dev_sk, 1, 5000, a);
    store_one(db, dev_pk, dev_sk, 2, 5000, b);
    store_one(db, other_pk, other_sk, 1, 5000, c);
    make_uuid(x);
    char csv[4096];
    snprintf(csv, sizeof csv,
             "uuid,state,note\n"              /* 1 header */
             "%s,processing,\n"               /* 2 applied */
             "\n"                             /* 3 blank */
             "# from the provincial system\n" /* 4 comment */
             "%s,needs_materials,photo\r\n"   /* 5 applied (CRLF) */
             "%s,approved\n"                  /* 6 applied (no note field) */
             "%s,approved,photo\n"            /* 7 refused: note with approved */
             "%s,done,\n"                     /* 8 refused: no such state */
             "%s,processing,\n"               /* 9 refused: no such record */
             "%s,processing,,extra\n"         /* 10 refused: four fields */
             "garbage\n"                      /* 11 refused */
             "%s,needs_materials,passport\n", /* 12 refused: not a note code */
             a, b, c, a, a, x, b, b);
    char file[700];
    snprintf(file, sizeof file, "%s/answer.csv", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs(csv, f);
    fclose(f);
    f = fopen(file, "r");
    refusals r = {0};
    hub_state_import_result res;
    assert_int_equal(hub_state_import(db, f, "import:test", 9000, on_refused, &r, &res), KIOSK_OK);
    fclose(f);
    assert_int_equal(res.applied, 3);
    assert_int_equal(res.refused, 6);
    assert_int_equal(r.n, 6);
    static const size_t want[] = {7, 8, 9, 10, 11, 12};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(r.lines[i], want[i]);
    hub_record_state st;
    assert_int_equal(hub_db_state_get(db, NULL, a, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_PROCESSING); /* line 7 changed nothing */
    assert_string_equal(st.changed_by, "import:test");
    assert_int_equal(hub_db_state_get(db, NULL, b, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_NEEDS_MATERIALS);
    assert_string_equal(st.s.note, "photo");
    assert_int_equal(hub_db_state_get(db, NULL, c, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_APPROVED);
    hub_db_close(db);
}

/* ---- POST /v3/status through the real service ------------------------------------------ */

typedef struct reply {
    long status;
    char *body;
    size_t len;
    char hub_sig[130];
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

/* POST body to SYNC_PATH_STATUS signed by sk at t (signed for sign_path); sig gets the
 * request signature. */
static reply post_status(hub_server *srv, const uint8_t pk[32], const uint8_t sk[64], int64_t t,
                         const char *sign_path, const char *body, size_t len, uint8_t sig[64])
{
    reply r;
    memset(&r, 0, sizeof r);
    uint8_t sha[32];
    char hex[129], hdev[160], htime[64], hsha[160], hsig[200], url[128];
    crypto_hash_sha256(sha, (const uint8_t *)body, len);
    sync_request_sign_v2(sk, "POST", sign_path, t, sha, len, sig);
    sync_hex_format(pk, 32, hex);
    snprintf(hdev, sizeof hdev, "%s: %s", SYNC_HDR_DEVICE, hex);
    snprintf(htime, sizeof htime, "%s: %lld", SYNC_HDR_TIME, (long long)t);
    sync_hex_format(sha, 32, hex);
    snprintf(hsha, sizeof hsha, "%s: %s", SYNC_HDR_BODY_SHA256, hex);
    sync_hex_format(sig, 64, hex);
    snprintf(hsig, sizeof hsig, "%s: %s", SYNC_HDR_SIGNATURE, hex);
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)hub_server_port(srv),
             SYNC_PATH_STATUS);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, hdev);
    h = curl_slist_append(h, htime);
    h = curl_slist_append(h, hsha);
    h = curl_slist_append(h, hsig);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

static void expect_error(reply *r, long status, const char *code)
{
    assert_int_equal(r->status, status);
    assert_string_equal(r->hub_sig, "");
    char got[32];
    int64_t now;
    assert_int_equal(sync_error_decode(r->body, r->len, got, sizeof got, &now), KIOSK_OK);
    assert_string_equal(got, code);
    free(r->body);
}

static int64_t fixed_clock(void *ctx)
{
    (void)ctx;
    return T0;
}

static void test_status_endpoint(void **state)
{
    (void)state;
    hub_db *db = fresh("endpoint");
    char mine[SYNC_UUID_LEN + 1], mine2[SYNC_UUID_LEN + 1], theirs[SYNC_UUID_LEN + 1],
        absent[SYNC_UUID_LEN + 1];
    store_one(db, dev_pk, dev_sk, 1, T0 - 5000, mine);
    store_one(db, dev_pk, dev_sk, 2, T0 - 4000, mine2);
    store_one(db, other_pk, other_sk, 1, T0 - 3000, theirs);
    make_uuid(absent);
    assert_int_equal(
        hub_db_state_set(db, mine, SYNC_STATE_NEEDS_MATERIALS, "household", "cli:t", T0 - 100),
        KIOSK_OK);
    assert_int_equal(hub_db_state_set(db, theirs, SYNC_STATE_APPROVED, "", "cli:t", T0 - 50),
                     KIOSK_OK);
    hub_server_options o;
    hub_server_options_init(&o);
    o.now_ms = fixed_clock;
    o.sign_secret_key = hub_sk;
    o.plain_http_loopback_test = 1;
    hub_server *srv;
    assert_int_equal(hub_server_start(db, &o, &srv), KIOSK_OK);

    char ask[4][SYNC_UUID_LEN + 1];
    memcpy(ask[0], mine, sizeof ask[0]);
    memcpy(ask[1], mine2, sizeof ask[1]);
    memcpy(ask[2], theirs, sizeof ask[2]);
    memcpy(ask[3], absent, sizeof ask[3]);
    char *body;
    size_t len;
    assert_int_equal(
        sync_status_request_encode((const char(*)[SYNC_UUID_LEN + 1]) ask, 4, &body, &len),
        KIOSK_OK);
    uint8_t sig[64], hs[64];
    reply r = post_status(srv, dev_pk, dev_sk, T0, SYNC_PATH_STATUS, body, len, sig);
    assert_int_equal(r.status, 200);
    /* signed by the hub for this device and this request */
    assert_int_equal(sync_hex_parse(r.hub_sig, hs, 64), 1);
    assert_int_equal(sync_reply_verify(hub_pk, dev_pk, sig, 200, r.body, r.len, hs), 1);
    assert_int_equal(sync_reply_verify(hub_pk, other_pk, sig, 200, r.body, r.len, hs), 0);
    sync_record_state got[SYNC_STATUS_MAX];
    size_t n;
    int64_t now;
    assert_int_equal(sync_status_reply_decode(r.body, r.len, got, &n, &now), KIOSK_OK);
    assert_int_equal(n, 4);
    assert_int_equal(now, T0);
    assert_string_equal(got[0].uuid, mine);
    assert_int_equal(got[0].state, SYNC_STATE_NEEDS_MATERIALS);
    assert_string_equal(got[0].note, "household");
    assert_int_equal(got[0].changed_ms, T0 - 100);
    assert_int_equal(got[1].state, SYNC_STATE_RECEIVED);
    assert_int_equal(got[1].changed_ms, T0 - 4000);
    /* another device's record: unknown, although the hub holds it (approved) */
    assert_string_equal(got[2].uuid, theirs);
    assert_int_equal(got[2].state, SYNC_STATE_UNKNOWN);
    assert_int_equal(got[2].changed_ms, 0);
    assert_int_equal(got[3].state, SYNC_STATE_UNKNOWN);
    free(r.body);

    /* the same request again: a replay */
    r = post_status(srv, dev_pk, dev_sk, T0, SYNC_PATH_STATUS, body, len, sig);
    expect_error(&r, 409, "replayed");
    /* signed for another route: refused */
    r = post_status(srv, dev_pk, dev_sk, T0 + 1, SYNC_PATH_RECORDS_V2, body, len, sig);
    expect_error(&r, 401, "bad_signature");
    /* the other device asks for its own */
    r = post_status(srv, other_pk, other_sk, T0 + 2, SYNC_PATH_STATUS, body, len, sig);
    assert_int_equal(r.status, 200);
    assert_int_equal(sync_status_reply_decode(r.body, r.len, got, &n, &now), KIOSK_OK);
    assert_int_equal(got[0].state, SYNC_STATE_UNKNOWN);
    assert_int_equal(got[2].state, SYNC_STATE_APPROVED);
    free(r.body);
    free(body);
    /* malformed bodies */
    static const char *const bad[] = {
        "{\"uuids\":[]}",
        "{\"uuids\":[\"x\"]}",
        "{\"uuids\":\"0b3a8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b\"}",
        "{\"uuids\":[\"0b3a8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b\"],\"more\":1}",
        "{\"uuids\":[\"0b3a8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b\","
        "\"0b3a8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b\"]}",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = post_status(srv, dev_pk, dev_sk, T0 + 10 + (int64_t)i, SYNC_PATH_STATUS, bad[i],
                        strlen(bad[i]), sig);
        expect_error(&r, 400, "malformed");
    }
    /* more than SYNC_STATUS_MAX uuids */
    char many[SYNC_STATUS_MAX + 1][SYNC_UUID_LEN + 1];
    for (size_t i = 0; i <= SYNC_STATUS_MAX; i++)
        make_uuid(many[i]);
    assert_int_equal(sync_status_request_encode((const char(*)[SYNC_UUID_LEN + 1]) many,
                                                SYNC_STATUS_MAX + 1, &body, &len),
                     KIOSK_INVALID);
    assert_int_equal(sync_status_request_encode((const char(*)[SYNC_UUID_LEN + 1]) many,
                                                SYNC_STATUS_MAX, &body, &len),
                     KIOSK_OK);
    char *big = malloc(len + 40);
    assert_non_null(big);
    memcpy(big, body, len - 2);
    size_t blen = len - 2 + (size_t)snprintf(big + len - 2, 40, ",\"%s\"]}", many[SYNC_STATUS_MAX]);
    free(body);
    r = post_status(srv, dev_pk, dev_sk, T0 + 30, SYNC_PATH_STATUS, big, blen, sig);
    expect_error(&r, 400, "malformed");
    free(big);
    hub_server_stop(srv);
    hub_db_close(db);
}

/* The receipt check page with the record's state: found by (unit, receipt number) in the
 * records' metadata; not synced yet says so; another unit's record of the same number is
 * not this one; kiosk-hub state set by DEVICE-ID/RECEIPT-NO. */
static void page_has(hub_db *db, const char *payload, const char *want)
{
    hub_receipt_check chk;
    assert_int_equal(hub_verify_receipt(db, payload, &chk), KIOSK_OK);
    assert_int_equal(chk.verdict, HUB_RECEIPT_VALID);
    char *html;
    size_t len;
    assert_int_equal(hub_verify_page(&chk, &html, &len), KIOSK_OK);
    if (!strstr(html, want))
        fail_msg("the page lacks \"%s\": %s", want, html);
    assert_null(strstr(html, "cli:")); /* who changed it is not shown */
    free(html);
}

static void test_receipt_check_state(void **state)
{
    (void)state;
    hub_db *db = fresh("receipts");
    static const char no[] = "DEMO01-20261205-0001";
    uint8_t hash[32] = {7};
    char payload[RECEIPT_PAYLOAD_MAX];
    assert_int_equal(receipt_payload_make(no, "20261205093000", hash, dev_sk, dev_pk, payload),
                     KIOSK_OK);
    page_has(db, payload, "本机尚未上传，状态未知");

    char mine[SYNC_UUID_LEN + 1], theirs[SYNC_UUID_LEN + 1], absent[SYNC_UUID_LEN + 1];
    store_one(db, dev_pk, dev_sk, 1, T0 - 9000, mine);
    store_one(db, other_pk, other_sk, 1, T0 - 8000, theirs);
    make_uuid(absent);
    /* the other unit's record carries the same number: it is not this receipt's */
    assert_int_equal(hub_db_meta_put(db, theirs, "registration", no), KIOSK_OK);
    assert_int_equal(hub_db_state_set(db, theirs, SYNC_STATE_APPROVED, "", "cli:t", T0), KIOSK_OK);
    page_has(db, payload, "本机尚未上传，状态未知");
    assert_int_equal(hub_db_meta_put(db, mine, "registration", no), KIOSK_OK);
    page_has(db, payload, "已收到，等待办理");
    /* metadata is kept once; malformed or for a record not held is refused */
    assert_int_equal(hub_db_meta_put(db, mine, "jobseeker", "X-1"), KIOSK_OK);
    char found[SYNC_UUID_LEN + 1];
    assert_int_equal(hub_db_find_receipt(db, dev_pk, no, found), KIOSK_OK);
    assert_string_equal(found, mine);
    assert_int_equal(hub_db_find_receipt(db, dev_pk, "X-1", found), KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_meta_put(db, absent, "registration", "X-2"), KIOSK_NOT_FOUND);
    assert_int_equal(hub_db_meta_put(db, mine, "Registration!", no), KIOSK_INVALID);
    assert_int_equal(hub_db_meta_put(db, mine, "registration", "张三"), KIOSK_INVALID);

    assert_int_equal(
        hub_db_state_set(db, mine, SYNC_STATE_NEEDS_MATERIALS, "photo", "cli:wang", T0 + 1000),
        KIOSK_OK);
    page_has(db, payload, "需补充材料：照片");
    page_has(db, payload, "更新于 ");

    /* staff by what the receipt shows: DEVICE-ID/RECEIPT-NO */
    char id[RECEIPT_DEVICE_ID_LEN + 1], cmd[1600];
    receipt_device_id(dev_pk, id);
    snprintf(cmd, sizeof cmd,
             "KIOSK_HUB_CONFIG= '%s' state set --db '%s' %s/%s approved --by test 2>/dev/null",
             KIOSK_HUB_BIN, path, id, no);
    assert_int_equal(system(cmd), 0);
    page_has(db, payload, "已办结");
    snprintf(cmd, sizeof cmd,
             "KIOSK_HUB_CONFIG= '%s' state set --db '%s' %s/DEMO01-20261205-0099 approved"
             " 2>/dev/null",
             KIOSK_HUB_BIN, path, id);
    assert_int_equal(WEXITSTATUS(system(cmd)), 1); /* no such receipt: nothing set */
    hub_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_csv_import),
        cmocka_unit_test(test_status_endpoint),
        cmocka_unit_test(test_receipt_check_state),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, setup, teardown);
    int started = pg_server_start(0, &pg);
    if (started == 1)
        return failed; /* said why: PostgreSQL is not installed */
    if (started != 0) {
        fprintf(stderr, "cannot start a PostgreSQL server for the tests\n");
        return failed + 1;
    }
    failed += cmocka_run_group_tests_name("postgresql", tests, setup, teardown);
    pg_server_stop(pg);
    return failed;
}
