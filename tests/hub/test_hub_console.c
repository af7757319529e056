/*
 * The hub's web console: staff accounts (argon2id, lockout, sessions, idle expiry, audit),
 * then the pages over the real HTTP service (login with its CSRF token, roles: a hall
 * account never sees another hall's unit nor its records in the export, escaping of a
 * unit named <script>, a gap shown, security headers, CSRF on every POST, logout, no
 * login over plain HTTP without the test flag). Every test runs on SQLite and on a private
 * PostgreSQL server (tests/tools/pg_server.h; skipped with a message only when PostgreSQL
 * is not installed).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <sodium.h>

#include "hub/hub_console.h"
#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "hub/hub_staff.h"
#include "pg_server.h"
#include "proto/health_proto.h"
#include "proto/receipt_payload.h"
#include "proto/sync_status.h"

#define T0 1800000000000LL /* 2027-01-15 */
#define PW_REGION "region password 1"
#define PW_HALL "hall password 12"

static char dir[512], path[600];
static pg_server *pg;
static _Atomic int64_t fake_now = T0;

static int64_t fake_clock(void *ctx)
{
    (void)ctx;
    return fake_now;
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/hub-console-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int pg_teardown(void **state)
{
    pg_server_stop(pg);
    pg = NULL;
    return teardown(state);
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
    return db;
}

/* 1 when the audit holds a row of action (and detail containing part, may be NULL) */
static int audited(hub_db *db, const char *who, const char *action, const char *part)
{
    hub_qparam p[] = {{.kind = 't', .t = who}, {.kind = 't', .t = action}};
    hub_rows *r;
    assert_int_equal(hub_db_query(db,
                                  "SELECT detail FROM staff_audit WHERE who = $1 AND action = $2",
                                  NULL, p, 2, &r, NULL),
                     KIOSK_OK);
    int found = 0;
    for (size_t i = 0; i < r->nrows; i++)
        found |= !part || strstr(hub_rows_get(r, i, 0), part) != NULL;
    hub_rows_free(r);
    return found;
}

/* no audit row anywhere holds text */
static void audit_never_holds(hub_db *db, const char *text)
{
    hub_rows *r;
    assert_int_equal(hub_db_query(db, "SELECT who, action, detail, address FROM staff_audit", NULL,
                                  NULL, 0, &r, NULL),
                     KIOSK_OK);
    assert_true(r->nrows > 0);
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        assert_null(strstr(r->cell[i] ? r->cell[i] : "", text));
    hub_rows_free(r);
}

static void test_accounts(void **state)
{
    (void)state;
    hub_db *db = fresh("accounts");
    assert_int_equal(hub_staff_add(db, "alice", PW_REGION, HUB_STAFF_REGION, NULL, "cli", T0),
                     KIOSK_OK);
    assert_int_equal(hub_staff_add(db, "bob", PW_HALL, HUB_STAFF_HALL, "H001, H002", "cli", T0),
                     KIOSK_OK);
    /* refused: a taken name, a bad name, a short password, a hall account without halls */
    assert_int_equal(hub_staff_add(db, "alice", PW_REGION, HUB_STAFF_REGION, NULL, "cli", T0),
                     KIOSK_INVALID);
    assert_int_equal(hub_staff_add(db, "a b", PW_REGION, HUB_STAFF_REGION, NULL, "cli", T0),
                     KIOSK_INVALID);
    assert_int_equal(hub_staff_add(db, "carol", "short", HUB_STAFF_REGION, NULL, "cli", T0),
                     KIOSK_INVALID);
    assert_int_equal(hub_staff_add(db, "dave", PW_HALL, HUB_STAFF_HALL, "", "cli", T0),
                     KIOSK_INVALID);
    hub_staff *list;
    size_t n;
    assert_int_equal(hub_staff_list(db, &list, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "alice");
    assert_int_equal(list[0].role, HUB_STAFF_REGION);
    assert_string_equal(list[1].halls, "H001 H002");
    assert_true(hub_staff_sees_hall(&list[1], "H002"));
    assert_false(hub_staff_sees_hall(&list[1], "H00"));
    assert_false(hub_staff_sees_hall(&list[1], "H003"));
    assert_true(hub_staff_sees_hall(&list[0], "H003"));
    free(list);

    char token[HUB_STAFF_TOKEN_HEX], csrf[HUB_STAFF_TOKEN_HEX], c2[HUB_STAFF_TOKEN_HEX];
    hub_staff who;
    assert_int_equal(hub_staff_login(db, "bob", PW_HALL, "10.0.0.9", T0, token, csrf, &who),
                     KIOSK_OK);
    assert_string_equal(who.name, "bob");
    assert_int_equal(strlen(token), 64);
    assert_int_equal(hub_staff_session(db, token, T0 + 1000, &who, c2), KIOSK_OK);
    assert_string_equal(c2, csrf);
    /* the store holds the token's hash, never the token */
    hub_rows *r;
    assert_int_equal(
        hub_db_query(db, "SELECT token_hash FROM staff_sessions", NULL, NULL, 0, &r, NULL),
        KIOSK_OK);
    assert_int_equal(r->nrows, 1);
    assert_string_not_equal(hub_rows_get(r, 0, 0), token);
    hub_rows_free(r);

    /* wrong password, unknown name: one answer */
    assert_int_equal(
        hub_staff_login(db, "bob", "wrong password", "10.0.0.9", T0, token, csrf, &who),
        KIOSK_AUTH);
    assert_int_equal(hub_staff_login(db, "nobody", PW_HALL, "10.0.0.9", T0, token, csrf, &who),
                     KIOSK_AUTH);
    /* a new password ends the sessions; disabling refuses the login */
    char old[HUB_STAFF_TOKEN_HEX];
    assert_int_equal(hub_staff_login(db, "bob", PW_HALL, "10.0.0.9", T0, old, csrf, &who),
                     KIOSK_OK);
    assert_int_equal(hub_staff_set_password(db, "bob", "a new password", "cli", T0), KIOSK_OK);
    assert_int_equal(hub_staff_session(db, old, T0, &who, c2), KIOSK_AUTH);
    assert_int_equal(hub_staff_login(db, "bob", PW_HALL, "10.0.0.9", T0, token, csrf, &who),
                     KIOSK_AUTH);
    assert_int_equal(
        hub_staff_login(db, "bob", "a new password", "10.0.0.9", T0, token, csrf, &who), KIOSK_OK);
    assert_int_equal(hub_staff_set_disabled(db, "bob", 1, "cli", T0), KIOSK_OK);
    assert_int_equal(hub_staff_session(db, token, T0, &who, c2), KIOSK_AUTH);
    assert_int_equal(
        hub_staff_login(db, "bob", "a new password", "10.0.0.9", T0, token, csrf, &who),
        KIOSK_AUTH);
    assert_int_equal(hub_staff_set_disabled(db, "nobody", 1, "cli", T0), KIOSK_NOT_FOUND);

    assert_true(audited(db, "cli", "staff_add", "bob role=hall halls=H001 H002"));
    assert_true(audited(db, "bob", "login", NULL));
    assert_true(audited(db, "bob", "login_failed", "wrong password"));
    assert_true(audited(db, "nobody", "login_failed", "unknown name"));
    assert_true(audited(db, "cli", "staff_passwd", "bob"));
    assert_true(audited(db, "cli", "staff_disable", "bob"));
    assert_true(audited(db, "bob", "login_failed", "account disabled"));
    audit_never_holds(db, "password 1"); /* neither password, in any column */
    audit_never_holds(db, "new password");
    hub_db_close(db);
}

static void test_lockout_and_idle(void **state)
{
    (void)state;
    hub_db *db = fresh("lockout");
    assert_int_equal(hub_staff_add(db, "bob", PW_HALL, HUB_STAFF_HALL, "H001", "cli", T0),
                     KIOSK_OK);
    char token[HUB_STAFF_TOKEN_HEX], csrf[HUB_STAFF_TOKEN_HEX];
    hub_staff who;
    for (int i = 0; i < HUB_STAFF_LOCK_FAILURES; i++)
        assert_int_equal(
            hub_staff_login(db, "bob", "not the password", "::1", T0 + i, token, csrf, &who),
            KIOSK_AUTH);
    /* locked: the right password too, until 15 minutes have passed */
    assert_int_equal(hub_staff_login(db, "bob", PW_HALL, "::1", T0 + 10, token, csrf, &who),
                     KIOSK_BUSY);
    assert_int_equal(hub_staff_login(db, "bob", PW_HALL, "::1",
                                     T0 + HUB_STAFF_LOCK_FAILURES - 1 + HUB_STAFF_LOCK_MS - 1,
                                     token, csrf, &who),
                     KIOSK_BUSY);
    assert_true(audited(db, "bob", "locked", NULL));
    assert_true(audited(db, "bob", "login_locked", NULL));
    int64_t later = T0 + HUB_STAFF_LOCK_MS + 10;
    assert_int_equal(hub_staff_login(db, "bob", PW_HALL, "::1", later, token, csrf, &who),
                     KIOSK_OK);
    /* four wrong passwords and a good one do not lock: the count starts again */
    for (int i = 0; i < HUB_STAFF_LOCK_FAILURES - 1; i++)
        assert_int_equal(
            hub_staff_login(db, "bob", "nope nope nope", "::1", later, token, csrf, &who),
            KIOSK_AUTH);
    assert_int_equal(hub_staff_login(db, "bob", PW_HALL, "::1", later, token, csrf, &who),
                     KIOSK_OK);
    assert_int_equal(hub_staff_login(db, "bob", "nope nope nope", "::1", later, token, csrf, &who),
                     KIOSK_AUTH);
    assert_int_equal(hub_staff_login(db, "bob", PW_HALL, "::1", later, token, csrf, &who),
                     KIOSK_OK);

    /* idle expiry: used within the idle time it lives on; idle longer it is over */
    char c2[HUB_STAFF_TOKEN_HEX];
    int64_t t = later + HUB_STAFF_IDLE_MS - 1;
    assert_int_equal(hub_staff_session(db, token, t, &who, c2), KIOSK_OK);
    t += HUB_STAFF_IDLE_MS - 1;
    assert_int_equal(hub_staff_session(db, token, t, &who, c2), KIOSK_OK);
    assert_int_equal(hub_staff_session(db, token, t + HUB_STAFF_IDLE_MS + 1, &who, c2), KIOSK_AUTH);
    assert_int_equal(hub_staff_session(db, token, t, &who, c2), KIOSK_AUTH); /* removed */
    /* logout */
    assert_int_equal(hub_staff_login(db, "bob", PW_HALL, "::1", t, token, csrf, &who), KIOSK_OK);
    assert_int_equal(hub_staff_logout(db, token, "::1", t), KIOSK_OK);
    assert_int_equal(hub_staff_session(db, token, t, &who, c2), KIOSK_AUTH);
    assert_true(audited(db, "bob", "logout", NULL));
    hub_db_close(db);
}

/* ---- over HTTP ------------------------------------------------------------------------ */

typedef struct reply {
    long status;
    char body[1 << 18];
    size_t len;
    char headers[8192];
    size_t hlen;
} reply;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    size_t k = size * n;
    if (r->len + k >= sizeof r->body)
        k = sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, p, k);
    r->len += k;
    r->body[r->len] = '\0';
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    size_t k = size * n;
    if (r->hlen + k >= sizeof r->headers)
        k = sizeof r->headers - 1 - r->hlen;
    memcpy(r->headers + r->hlen, p, k);
    r->hlen += k;
    r->headers[r->hlen] = '\0';
    return size * n;
}

static reply *http(uint16_t port, const char *method, const char *target, const char *cookie,
                   const char *form)
{
    reply *r = calloc(1, sizeof *r);
    assert_non_null(r);
    CURL *c = curl_easy_init();
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, target);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (form)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    if (cookie)
        curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    return r;
}

/* the value of cookie name set by the reply, into out (65 bytes) */
static int set_cookie(const reply *r, const char *name, char *out)
{
    char want[64];
    snprintf(want, sizeof want, "Set-Cookie: %s=", name);
    const char *p = strstr(r->headers, want);
    if (!p)
        return 0;
    p += strlen(want);
    size_t n = strcspn(p, ";\r\n");
    if (n >= HUB_STAFF_TOKEN_HEX)
        return 0;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

/* the value of the form's hidden csrf field */
static void page_csrf(const reply *r, char *out)
{
    const char *p = strstr(r->body, "name=\"csrf\" value=\"");
    assert_non_null(p);
    p += strlen("name=\"csrf\" value=\"");
    memcpy(out, p, 64);
    out[64] = '\0';
}

/* log in over HTTP: *cookie gets "kh_session=…"; the status of the POST */
static long login(uint16_t port, const char *name, const char *password, char *cookie, size_t cap)
{
    reply *r = http(port, "GET", "/console/login", NULL, NULL);
    assert_int_equal(r->status, 200);
    char pre[HUB_STAFF_TOKEN_HEX], field[HUB_STAFF_TOKEN_HEX], c[128], form[512];
    assert_true(set_cookie(r, "kh_login", pre));
    page_csrf(r, field);
    assert_string_equal(pre, field);
    free(r);
    snprintf(c, sizeof c, "kh_login=%s", pre);
    snprintf(form, sizeof form, "csrf=%s&name=%s&password=%s", pre, name, password);
    for (char *p = form; *p; p++)
        if (*p == ' ')
            *p = '+';
    r = http(port, "POST", "/console/login", c, form);
    long status = r->status;
    char token[HUB_STAFF_TOKEN_HEX];
    if (status == 303) {
        assert_true(set_cookie(r, "kh_session", token));
        assert_non_null(strstr(r->headers, "HttpOnly; Secure; SameSite=Strict"));
        assert_non_null(strstr(r->headers, "Location: /console/units"));
        snprintf(cookie, cap, "kh_session=%s", token);
    }
    free(r);
    return status;
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

/* records of the given seqs, signed by sk, with sealed bytes no key opens */
static void store_at(hub_db *db, const uint8_t pk[32], const uint8_t sk[64], const int64_t *seqs,
                     size_t n, int64_t at)
{
    sync_record recs[8];
    sync_result res[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        memset(&recs[i], 0, sizeof recs[i]);
        make_uuid(recs[i].uuid);
        recs[i].seq = seqs[i];
        recs[i].sealed_len = 100;
        recs[i].sealed = malloc(100);
        randombytes_buf(recs[i].sealed, 100);
        sync_record_sign(&recs[i], sk);
    }
    assert_int_equal(hub_db_ingest(db, pk, recs, n, "http", at, res), KIOSK_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(res[i].status, SYNC_ACCEPTED);
        free(recs[i].sealed);
    }
}

static void store(hub_db *db, const uint8_t pk[32], const uint8_t sk[64], const int64_t *seqs,
                  size_t n)
{
    store_at(db, pk, sk, seqs, n, T0 - 3600000);
}

/* A hub on db over plain HTTP on loopback, console logins allowed there when plain_login
 * (the test flag), signing with hub_sk, on the fake clock; with key (not NULL) the export's
 * upstream key and the assets. */
static hub_server *console_server(hub_db *db, const uint8_t hub_sk[64], const char *key,
                                  int plain_login)
{
    hub_server_options o;
    hub_server_options_init(&o);
    o.plain_http_loopback_test = 1;
    o.console_plain_http_login = plain_login;
    o.console_upstream_key_file = key;
    o.console_assets_dir = key ? KIOSK_TEST_ASSETS : NULL;
    o.sign_secret_key = hub_sk;
    o.now_ms = fake_clock;
    hub_server *srv;
    assert_int_equal(hub_server_start(db, &o, &srv), KIOSK_OK);
    return srv;
}

static void test_pages_roles_and_csrf(void **state)
{
    (void)state;
    fake_now = T0;
    hub_db *db = fresh("pages");
    uint8_t a_pk[32], a_sk[64], b_pk[32], b_sk[64], hub_pk[32], hub_sk[64];
    crypto_sign_keypair(a_pk, a_sk);
    crypto_sign_keypair(b_pk, b_sk);
    crypto_sign_keypair(hub_pk, hub_sk);
    assert_int_equal(hub_db_device_add(db, a_pk, "<script>alert(1)</script>", T0), KIOSK_OK);
    assert_int_equal(hub_device_set_hall(db, a_pk, "H001"), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, b_pk, "Other hall unit", T0), KIOSK_OK);
    assert_int_equal(hub_device_set_hall(db, b_pk, "H009"), KIOSK_OK);
    assert_int_equal(hub_device_set_hall(db, hub_pk, "H001"), KIOSK_NOT_FOUND);
    store(db, a_pk, a_sk, (const int64_t[]){1, 2, 4}, 3); /* 3 is missing */
    /* and one that arrived in the last minutes: counted at each view, not in the counts the
     * console keeps (counted twice if it were) */
    store_at(db, a_pk, a_sk, (const int64_t[]){5}, 1, T0 - 5 * 60000);
    store(db, b_pk, b_sk, (const int64_t[]){1, 2}, 2);
    assert_int_equal(hub_staff_add(db, "alice", PW_REGION, HUB_STAFF_REGION, NULL, "cli", T0),
                     KIOSK_OK);
    assert_int_equal(hub_staff_add(db, "bob", PW_HALL, HUB_STAFF_HALL, "H001", "cli", T0),
                     KIOSK_OK);
    /* an upstream key no record was sealed to: every record counts as not opened, so the
     * audit tells how many records an export reached */
    char key[700];
    snprintf(key, sizeof key, "%s/upstream.key", dir);
    FILE *f = fopen(key, "wb");
    uint8_t k[32];
    randombytes_buf(k, sizeof k);
    assert_int_equal(fwrite(k, 1, 32, f), 32);
    fclose(f);

    hub_server *srv = console_server(db, hub_sk, key, 1);
    uint16_t port = hub_server_port(srv);

    /* no session: to the login page */
    reply *r = http(port, "GET", "/console/units", NULL, NULL);
    assert_int_equal(r->status, 303);
    assert_non_null(strstr(r->headers, "Location: /console/login"));
    free(r);
    /* a login without the login page's token is refused */
    r = http(port, "POST", "/console/login", NULL, "name=bob&password=hall+password+12");
    assert_int_equal(r->status, 403);
    free(r);
    char cookie[128], other[128];
    assert_int_equal(login(port, "bob", "wrong+password", cookie, sizeof cookie), 403);
    assert_int_equal(login(port, "bob", PW_HALL, cookie, sizeof cookie), 303);

    r = http(port, "GET", "/console/units", cookie, NULL);
    assert_int_equal(r->status, 200);
    /* the name escaped, never markup; the other hall's unit absent; the gap in red */
    assert_null(strstr(r->body, "<script>"));
    assert_non_null(strstr(r->body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(r->body, "Other hall unit"));
    assert_non_null(strstr(r->body, "<td class=\"n bad\">1 缺号 missing</td>"));
    assert_non_null(strstr(r->body, "<td class=\"n\">4</td><td class=\"n\">5</td>"));
    assert_non_null(strstr(r->headers, "Content-Security-Policy: default-src 'none'"));
    assert_non_null(strstr(r->headers, "X-Frame-Options: DENY"));
    assert_non_null(strstr(r->headers, "Cache-Control: no-store"));
    char csrf[HUB_STAFF_TOKEN_HEX];
    page_csrf(r, csrf);
    free(r);

    char target[200], hex[65];
    sync_hex_format(a_pk, 32, hex);
    snprintf(target, sizeof target, "/console/unit?id=%s", hex);
    r = http(port, "GET", target, cookie, NULL);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "<td class=\"n\">3</td><td class=\"n\">3</td><td "
                                    "class=\"n\">1</td>")); /* the gap 3..3, one missing */
    /* the latest records, highest first */
    const char *latest = strstr(r->body, "\">5</a></td><td class=\"t\">2027-01-15 ");
    assert_non_null(latest);
    assert_non_null(strstr(latest, "\">4</a></td><td class=\"t\">2027-01-15 "));
    free(r);
    /* another hall's unit: as if it did not exist */
    sync_hex_format(b_pk, 32, hex);
    snprintf(target, sizeof target, "/console/unit?id=%s", hex);
    r = http(port, "GET", target, cookie, NULL);
    assert_int_equal(r->status, 404);
    assert_null(strstr(r->body, "Other hall unit"));
    free(r);
    r = http(port, "GET", "/console/audit", cookie, NULL);
    assert_int_equal(r->status, 403); /* region staff only */
    free(r);
    r = http(port, "GET", "/console/days", cookie, NULL);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "<th>H001</th>"));
    assert_null(strstr(r->body, "H009"));
    free(r);

    /* POST without the CSRF token, or with another: refused, nothing exported */
    r = http(port, "POST", "/console/export", cookie, "x=1");
    assert_int_equal(r->status, 403);
    free(r);
    r = http(port, "POST", "/console/export", cookie,
             "csrf=0000000000000000000000000000000000000000000000000000000000000000");
    assert_int_equal(r->status, 403);
    free(r);
    assert_true(audited(db, "bob", "csrf_refused", "/console/export"));
    assert_false(audited(db, "bob", "export", NULL));
    /* the hall's export reaches its own unit's 4 records only */
    char form[128];
    snprintf(form, sizeof form, "csrf=%s", csrf);
    r = http(port, "POST", "/console/export", cookie, form);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->headers, "Content-Type: text/csv"));
    assert_non_null(strstr(r->headers, "Content-Disposition: attachment"));
    assert_memory_equal(r->body, "\xEF\xBB\xBF", 3);
    free(r);
    assert_true(audited(db, "bob", "export", "0 rows, 4 not opened"));

    /* region staff: every unit, the audit log, the export of all 6 records */
    assert_int_equal(login(port, "alice", PW_REGION, other, sizeof other), 303);
    r = http(port, "GET", "/console/units", other, NULL);
    assert_non_null(strstr(r->body, "Other hall unit"));
    page_csrf(r, csrf);
    free(r);
    r = http(port, "GET", "/console/audit", other, NULL);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "csrf_refused"));
    free(r);
    snprintf(form, sizeof form, "csrf=%s", csrf);
    r = http(port, "POST", "/console/export", other, form);
    assert_int_equal(r->status, 200);
    free(r);
    assert_true(audited(db, "alice", "export", "0 rows, 6 not opened"));

    /* the counts follow what arrives: the missing record comes in now (counted at each
     * view), then settles into the console's counts (counted once) */
    store_at(db, a_pk, a_sk, (const int64_t[]){3}, 1, T0 - 1000);
    r = http(port, "GET", "/console/units", cookie, NULL);
    assert_non_null(strstr(r->body, "0 台缺号"));
    assert_non_null(strstr(r->body, "<td class=\"n\">5</td><td class=\"n\">5</td>"));
    free(r);
    fake_now = T0 + 20 * 60000; /* the cut moves past it; the session is not idle yet */
    r = http(port, "GET", "/console/units", cookie, NULL);
    assert_non_null(strstr(r->body, "0 台缺号"));
    assert_non_null(strstr(r->body, "<td class=\"n\">5</td><td class=\"n\">5</td>"));
    free(r);
    store_at(db, a_pk, a_sk, (const int64_t[]){7}, 1, T0 + 20 * 60000 - 5);
    r = http(port, "GET", "/console/units", cookie, NULL);
    assert_non_null(strstr(r->body, "<td class=\"n bad\">1 缺号 missing</td>"));
    assert_non_null(strstr(r->body, "<td class=\"n\">6</td><td class=\"n\">7</td>"));
    free(r);
    fake_now = T0;

    /* logout ends the session */
    r = http(port, "POST", "/console/logout", other, form);
    assert_int_equal(r->status, 303);
    assert_non_null(strstr(r->headers, "kh_session=;"));
    free(r);
    r = http(port, "GET", "/console/units", other, NULL);
    assert_int_equal(r->status, 303);
    free(r);
    hub_server_stop(srv);

    /* plain HTTP without the test flag: the pages answer, a login is refused */
    srv = console_server(db, hub_sk, key, 0);
    port = hub_server_port(srv);
    assert_int_equal(login(port, "alice", PW_REGION, other, sizeof other), 403);
    hub_server_stop(srv);
    hub_db_close(db);
}

/* ---- unit health, records per service, processing state ------------------------------ */

/* one record of seq, its uuid into uuid */
static void store_one(hub_db *db, const uint8_t pk[32], const uint8_t sk[64], int64_t seq,
                      int64_t at, char uuid[SYNC_UUID_LEN + 1])
{
    sync_record rec;
    sync_result res;
    memset(&rec, 0, sizeof rec);
    make_uuid(rec.uuid);
    rec.seq = seq;
    rec.sealed_len = 100;
    rec.sealed = malloc(100);
    randombytes_buf(rec.sealed, 100);
    sync_record_sign(&rec, sk);
    assert_int_equal(hub_db_ingest(db, pk, &rec, 1, "http", at, &res), KIOSK_OK);
    assert_int_equal(res.status, SYNC_ACCEPTED);
    free(rec.sealed);
    memcpy(uuid, rec.uuid, SYNC_UUID_LEN + 1);
}

static void health_at(hub_db *db, const uint8_t pk[32], int64_t seq, int64_t at,
                      health_printer printer, const char *version)
{
    health_report h;
    memset(&h, 0, sizeof h);
    h.seq = seq;
    h.at_ms = at;
    snprintf(h.version, sizeof h.version, "%s", version);
    h.uptime_s = 3600;
    h.reader = HEALTH_READER_OK;
    h.printer = printer;
    h.disk_free_bytes = 12000000000LL;
    h.disk_free_pct = 61;
    h.battery_pct = -1;
    h.power = HEALTH_POWER_MAINS;
    h.backlog = 3;
    h.sessions = 12;
    h.median_taps = 20;
    int added = 0;
    assert_int_equal(hub_db_health_add(db, pk, &h, "http", at, &added), KIOSK_OK);
    assert_int_equal(added, 1);
}

static void test_health_services_and_states(void **state)
{
    (void)state;
    fake_now = T0;
    hub_db *db = fresh("states");
    uint8_t a_pk[32], a_sk[64], b_pk[32], b_sk[64], c_pk[32], c_sk[64], hub_pk[32], hub_sk[64];
    crypto_sign_keypair(a_pk, a_sk);
    crypto_sign_keypair(b_pk, b_sk);
    crypto_sign_keypair(c_pk, c_sk);
    crypto_sign_keypair(hub_pk, hub_sk);
    assert_int_equal(hub_db_device_add(db, a_pk, "Hall kiosk A", T0), KIOSK_OK);
    assert_int_equal(hub_device_set_hall(db, a_pk, "H001"), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, b_pk, "Other hall unit", T0), KIOSK_OK);
    assert_int_equal(hub_device_set_hall(db, b_pk, "H009"), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, c_pk, "Silent kiosk C", T0), KIOSK_OK);
    assert_int_equal(hub_device_set_hall(db, c_pk, "H001"), KIOSK_OK);
    char a1[SYNC_UUID_LEN + 1], a2[SYNC_UUID_LEN + 1], a3[SYNC_UUID_LEN + 1], b1[SYNC_UUID_LEN + 1];
    store_one(db, a_pk, a_sk, 1, T0 - 3600000, a1);
    store_one(db, a_pk, a_sk, 2, T0 - 3500000, a2);
    store_one(db, a_pk, a_sk, 3, T0 - 3400000, a3); /* an older unit's: no metadata */
    store_one(db, b_pk, b_sk, 1, T0 - 3600000, b1);
    assert_int_equal(hub_db_meta_put(db, a1, "registration", "H001-20270115-0001"), KIOSK_OK);
    assert_int_equal(hub_db_meta_put(db, a2, "jobseeker", "H001-20270115-0002"), KIOSK_OK);
    assert_int_equal(hub_db_meta_put(db, b1, "deregistration", "H009-20270115-0001"), KIOSK_OK);
    /* A: a good report, then a newer one out of paper; C: none */
    health_at(db, a_pk, 1, T0 - 7200000, HEALTH_PRINTER_OK, "1.4.0");
    health_at(db, a_pk, 2, T0 - 600000, HEALTH_PRINTER_PAPER_OUT, "1.4.1");
    health_at(db, b_pk, 1, T0 - 600000, HEALTH_PRINTER_OK, "9.9.9");
    assert_int_equal(hub_staff_add(db, "alice", PW_REGION, HUB_STAFF_REGION, NULL, "cli", T0),
                     KIOSK_OK);
    assert_int_equal(hub_staff_add(db, "bob", PW_HALL, HUB_STAFF_HALL, "H001", "cli", T0),
                     KIOSK_OK);
    hub_server *srv = console_server(db, hub_sk, NULL, 1);
    uint16_t port = hub_server_port(srv);
    char cookie[128], other[128], csrf[HUB_STAFF_TOKEN_HEX];
    assert_int_equal(login(port, "bob", PW_HALL, cookie, sizeof cookie), 303);

    /* the units page: A's latest report with its problem in red, C's "no report yet", never
     * the other hall's */
    reply *r = http(port, "GET", "/console/units", cookie, NULL);
    assert_int_equal(r->status, 200);
    const char *a_row = strstr(r->body, "Hall kiosk A");
    assert_non_null(a_row);
    assert_non_null(strstr(a_row, "<span class=\"bad\">⚠ 打印机缺纸 printer out of paper"));
    assert_non_null(strstr(a_row, "1.4.1"));
    assert_non_null(strstr(a_row, "61% (12.0 GB)"));
    const char *c_row = strstr(r->body, "Silent kiosk C");
    assert_non_null(c_row);
    assert_non_null(strstr(c_row, "尚无报告 <span class=\"en\">no report yet</span>"));
    assert_null(strstr(r->body, "9.9.9"));
    page_csrf(r, csrf);
    free(r);

    /* A's page: both reports, newest first; its latest records with their state */
    char target[256], hex[65];
    sync_hex_format(a_pk, 32, hex);
    snprintf(target, sizeof target, "/console/unit?id=%s", hex);
    r = http(port, "GET", target, cookie, NULL);
    assert_int_equal(r->status, 200);
    const char *newer = strstr(r->body, "<td>1.4.1</td>");
    const char *older = strstr(r->body, "<td>1.4.0</td>");
    assert_non_null(newer);
    assert_non_null(older);
    assert_true(newer < older);
    assert_non_null(strstr(r->body, "H001-20270115-0002"));
    assert_non_null(strstr(r->body, "已收到 <span class=\"en\">received"));
    free(r);

    /* records per service: H001 has one registration, one jobseeker, one without metadata */
    r = http(port, "GET", "/console/days", cookie, NULL);
    assert_int_equal(r->status, 200);
    const char *svc = strstr(r->body, "<table id=\"services\">");
    assert_non_null(svc);
    assert_non_null(strstr(svc, "<tr><td>H001</td><td class=\"n\">1</td><td class=\"n\">0</td>"
                                "<td class=\"n\">1</td><td class=\"n\">0</td><td class=\"n\">1</td>"
                                "<td class=\"n\"><b>3</b></td></tr>"));
    assert_null(strstr(r->body, "H009"));
    free(r);

    /* find a receipt as printed (DEVICE-ID/RECEIPT-NO), and by uuid */
    char dev[RECEIPT_DEVICE_ID_LEN + 1], bdev[RECEIPT_DEVICE_ID_LEN + 1];
    receipt_device_id(a_pk, dev);
    receipt_device_id(b_pk, bdev);
    snprintf(target, sizeof target, "/console/find?q=%s/H001-20270115-0001", dev);
    r = http(port, "GET", target, cookie, NULL);
    assert_int_equal(r->status, 303);
    char want[128];
    snprintf(want, sizeof want, "Location: /console/record?uuid=%s", a1);
    assert_non_null(strstr(r->headers, want));
    free(r);
    snprintf(target, sizeof target, "/console/find?q=%s", a2);
    r = http(port, "GET", target, cookie, NULL);
    assert_int_equal(r->status, 303);
    free(r);
    /* another hall's receipt, or its uuid: as if not held */
    snprintf(target, sizeof target, "/console/find?q=%s/H009-20270115-0001", bdev);
    r = http(port, "GET", target, cookie, NULL);
    assert_int_equal(r->status, 404);
    free(r);
    snprintf(target, sizeof target, "/console/record?uuid=%s", b1);
    r = http(port, "GET", target, cookie, NULL);
    assert_int_equal(r->status, 404);
    assert_null(strstr(r->body, "H009"));
    free(r);

    /* the record's page: what is not sealed, its state, the form */
    snprintf(target, sizeof target, "/console/record?uuid=%s", a1);
    r = http(port, "GET", target, cookie, NULL);
    assert_int_equal(r->status, 200);
    snprintf(want, sizeof want, "%s/H001-20270115-0001", dev);
    assert_non_null(strstr(r->body, want));
    assert_non_null(strstr(r->body, "失业登记"));
    assert_non_null(strstr(r->body, "Hall kiosk A"));
    assert_non_null(strstr(r->body, "已收到"));
    assert_non_null(strstr(r->body, "<option value=\"photo\">照片 photo</option>"));
    free(r);

    /* setting a state: without the token refused; a note on another state refused; another
     * hall's record 404; then needs_materials + photo, written as console:bob */
    char form[512];
    snprintf(form, sizeof form, "uuid=%s&state=approved", a1);
    r = http(port, "POST", "/console/record", cookie, form);
    assert_int_equal(r->status, 403);
    free(r);
    snprintf(form, sizeof form,
             "csrf=0000000000000000000000000000000000000000000000000000000000000000&uuid=%s"
             "&state=approved",
             a1);
    r = http(port, "POST", "/console/record", cookie, form);
    assert_int_equal(r->status, 403);
    free(r);
    assert_true(audited(db, "bob", "csrf_refused", "/console/record"));
    snprintf(form, sizeof form, "csrf=%s&uuid=%s&state=approved&note=photo", csrf, a1);
    r = http(port, "POST", "/console/record", cookie, form);
    assert_int_equal(r->status, 400);
    free(r);
    snprintf(form, sizeof form, "csrf=%s&uuid=%s&state=approved", csrf, b1);
    r = http(port, "POST", "/console/record", cookie, form);
    assert_int_equal(r->status, 404);
    free(r);
    hub_record_state st;
    assert_int_equal(hub_db_state_get(db, NULL, a1, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_RECEIVED);
    assert_int_equal(hub_db_state_get(db, NULL, b1, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_RECEIVED);

    snprintf(form, sizeof form, "csrf=%s&uuid=%s&state=needs_materials&note=photo", csrf, a1);
    r = http(port, "POST", "/console/record", cookie, form);
    assert_int_equal(r->status, 303);
    snprintf(want, sizeof want, "Location: /console/record?uuid=%s", a1);
    assert_non_null(strstr(r->headers, want));
    free(r);
    assert_int_equal(hub_db_state_get(db, NULL, a1, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_NEEDS_MATERIALS);
    assert_string_equal(st.s.note, "photo");
    assert_string_equal(st.changed_by, "console:bob");
    snprintf(want, sizeof want, "%s needs_materials photo: ok", a1);
    assert_true(audited(db, "bob", "record_state", want));
    snprintf(target, sizeof target, "/console/record?uuid=%s", a1);
    r = http(port, "GET", target, cookie, NULL);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "需补材料 <span class=\"en\">needs_materials: photo"));
    assert_non_null(strstr(r->body, "<td>console:bob</td>"));
    free(r);

    /* region staff see and set the other hall's record */
    assert_int_equal(login(port, "alice", PW_REGION, other, sizeof other), 303);
    r = http(port, "GET", "/console/units", other, NULL);
    page_csrf(r, csrf);
    assert_non_null(strstr(r->body, "9.9.9"));
    free(r);
    snprintf(form, sizeof form, "csrf=%s&uuid=%s&state=approved", csrf, b1);
    r = http(port, "POST", "/console/record", other, form);
    assert_int_equal(r->status, 303);
    free(r);
    assert_int_equal(hub_db_state_get(db, NULL, b1, &st), KIOSK_OK);
    assert_int_equal(st.s.state, SYNC_STATE_APPROVED);
    assert_string_equal(st.changed_by, "console:alice");
    hub_server_stop(srv);
    hub_db_close(db);
}

/* ---- the command line -------------------------------------------------------------- */

/* run a shell command line; its exit status */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_staff_commands(void **state)
{
    (void)state;
    hub_db *db = fresh("cli");
    hub_db_close(db);
    const char *bin = KIOSK_HUB_BIN;
    /* the password from stdin, never from the command line */
    assert_int_equal(sh("echo 'region password 1' | KIOSK_HUB_CONFIG= %s staff add --db '%s' alice"
                        " --role region",
                        bin, path),
                     0);
    assert_int_equal(sh("echo 'hall password 12' | KIOSK_HUB_CONFIG= %s staff add --db '%s' bob"
                        " --role hall --hall H001,H002",
                        bin, path),
                     0);
    /* a hall account needs halls; a role is required; a short password is refused */
    assert_int_equal(sh("echo 'hall password 12' | KIOSK_HUB_CONFIG= %s staff add --db '%s' carol"
                        " --role hall 2>/dev/null",
                        bin, path),
                     2);
    assert_int_equal(sh("echo 'hall password 12' | KIOSK_HUB_CONFIG= %s staff add --db '%s' carol"
                        " 2>/dev/null",
                        bin, path),
                     2);
    assert_int_equal(sh("echo 'short' | KIOSK_HUB_CONFIG= %s staff add --db '%s' carol"
                        " --role region 2>/dev/null",
                        bin, path),
                     1);
    assert_int_equal(sh("echo 'hall password 12' | KIOSK_HUB_CONFIG= %s staff add --db '%s' bob"
                        " --role region 2>/dev/null",
                        bin, path),
                     1); /* taken */
    assert_int_equal(
        sh("echo 'a new password' | KIOSK_HUB_CONFIG= %s staff passwd --db '%s' bob", bin, path),
        0);
    assert_int_equal(sh("KIOSK_HUB_CONFIG= %s staff disable --db '%s' alice", bin, path), 0);
    assert_int_equal(
        sh("KIOSK_HUB_CONFIG= %s staff disable --db '%s' nobody 2>/dev/null", bin, path), 1);
    char list[700];
    snprintf(list, sizeof list, "%s/staff.txt", dir);
    assert_int_equal(sh("KIOSK_HUB_CONFIG= %s staff list --db '%s' > '%s'", bin, path, list), 0);
    FILE *f = fopen(list, "r");
    assert_non_null(f);
    char text[512] = "";
    size_t got = fread(text, 1, sizeof text - 1, f);
    text[got] = '\0';
    fclose(f);
    assert_string_equal(text, "alice region disabled\nbob hall halls H001 H002\n");
    /* a unit's hall */
    char hex[65];
    uint8_t pk[32];
    memset(pk, 0xab, sizeof pk);
    sync_hex_format(pk, 32, hex);
    assert_int_equal(
        sh("KIOSK_HUB_CONFIG= %s device add --db '%s' %s 'Unit 1' --hall H001", bin, path, hex), 0);
    assert_int_equal(
        sh("KIOSK_HUB_CONFIG= %s device hall --db '%s' %s 'H 2' 2>/dev/null", bin, path, hex), 1);
    assert_int_equal(sh("KIOSK_HUB_CONFIG= %s device hall --db '%s' %s H002", bin, path, hex), 0);
    assert_int_equal(hub_db_open(path, &db), KIOSK_OK);
    hub_rows *r;
    assert_int_equal(hub_db_query(db, "SELECT name, hall FROM devices", NULL, NULL, 0, &r, NULL),
                     KIOSK_OK);
    assert_int_equal(r->nrows, 1);
    assert_string_equal(hub_rows_get(r, 0, 1), "H002");
    hub_rows_free(r);
    char token[HUB_STAFF_TOKEN_HEX], csrf[HUB_STAFF_TOKEN_HEX];
    hub_staff who;
    assert_int_equal(hub_staff_login(db, "bob", "a new password", "::1", T0, token, csrf, &who),
                     KIOSK_OK);
    assert_int_equal(
        hub_staff_login(db, "alice", "region password 1", "::1", T0, token, csrf, &who),
        KIOSK_AUTH); /* disabled */
    assert_true(audited(db, "cli", "staff_add", "alice role=region"));
    audit_never_holds(db, "password");
    hub_db_close(db);
}

/* A login's POST on a thread of its own, no cmocka in it: its status, and where it is. */
typedef struct login_post {
    uint16_t port;
    char cookie[128], form[512];
    long status;
    atomic_int stage; /* 1 sent, 2 answered */
} login_post;

static size_t drop(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static void *post_login(void *arg)
{
    login_post *lp = arg;
    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/console/login", (unsigned)lp->port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, lp->form);
    curl_easy_setopt(c, CURLOPT_COOKIE, lp->cookie);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, drop);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    atomic_store(&lp->stage, 1);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &lp->status);
    atomic_store(&lp->stage, 2);
    curl_easy_cleanup(c);
    return NULL;
}

/* A staff login's password check (argon2id, ~0.2 s of a CPU) runs away from the hub's
 * polling thread: while one is being checked the hub goes on answering — here its health
 * endpoint, as it would the kiosks' records. Run on the polling thread (as it was), no
 * request could be answered between the login's arrival and its answer. Then the login
 * has worked, and a wrong password is still refused and audited. */
static void test_login_leaves_the_hub_answering(void **state)
{
    (void)state;
    fake_now = T0;
    hub_db *db = fresh("login_async");
    assert_int_equal(hub_staff_add(db, "alice", PW_REGION, HUB_STAFF_REGION, NULL, "cli", T0),
                     KIOSK_OK);
    uint8_t hub_pk[32], hub_sk[64];
    crypto_sign_keypair(hub_pk, hub_sk);
    hub_server *srv = console_server(db, hub_sk, NULL, 1);
    uint16_t port = hub_server_port(srv);

    reply *r = http(port, "GET", "/console/login", NULL, NULL);
    char pre[HUB_STAFF_TOKEN_HEX];
    assert_true(set_cookie(r, "kh_login", pre));
    free(r);
    login_post lp = {.port = port};
    atomic_init(&lp.stage, 0);
    snprintf(lp.cookie, sizeof lp.cookie, "kh_login=%s", pre);
    snprintf(lp.form, sizeof lp.form, "csrf=%s&name=alice&password=region+password+1", pre);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, post_login, &lp), 0);
    while (atomic_load(&lp.stage) == 0)
        usleep(1000);
    usleep(20000); /* the login has reached the hub */
    int answered = 0, during = 0;
    while (atomic_load(&lp.stage) == 1 && answered < 100000) {
        reply *h = http(port, "GET", "/v1/health", NULL, NULL);
        assert_int_equal(h->status, 200);
        free(h);
        answered++;
        during += atomic_load(&lp.stage) == 1;
    }
    pthread_join(th, NULL);
    print_message("answered %d health requests while the login's password was checked\n", during);
    assert_int_equal(lp.status, 303);
    assert_true(during >= 5);
    assert_true(audited(db, "alice", "login", NULL));
    /* the same way, a wrong password */
    char cookie[128];
    assert_int_equal(login(port, "alice", "not+the+password", cookie, sizeof cookie), 403);
    assert_true(audited(db, "alice", "login_failed", "wrong password"));
    hub_server_stop(srv);
    hub_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accounts),
        cmocka_unit_test(test_lockout_and_idle),
        cmocka_unit_test(test_pages_roles_and_csrf),
        cmocka_unit_test(test_health_services_and_states),
        cmocka_unit_test(test_staff_commands),
        cmocka_unit_test(test_login_leaves_the_hub_answering),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int failed = cmocka_run_group_tests_name("sqlite", tests, setup, teardown);
    int started = pg_server_start(0, &pg);
    if (started == 1)
        return failed; /* said why: PostgreSQL is not installed */
    if (started != 0) {
        fprintf(stderr, "cannot start a PostgreSQL server for the tests\n");
        return failed + 1;
    }
    failed += cmocka_run_group_tests_name("postgresql", tests, setup, pg_teardown);
    curl_global_cleanup();
    return failed;
}
