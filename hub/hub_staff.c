/*
 * Staff accounts, sessions and the audit of the web console (hub_staff.h), on the hub's
 * store through hub_db_query, one spelling of each statement for both backends. It keeps
 * no password and no session token: argon2id strings and the tokens' SHA-256.
 */
#include "hub/hub_staff.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"
#include "proto/sync_proto.h"

#define P_I(v) ((hub_qparam){.kind = 'i', .i = (v)})
#define P_T(v) ((hub_qparam){.kind = 't', .t = (v)})
#define P_B(v, n) ((hub_qparam){.kind = 'b', .b = (v), .len = (n)})

int hub_staff_role_parse(const char *word, hub_staff_role *out)
{
    if (word && strcmp(word, "hall") == 0)
        *out = HUB_STAFF_HALL;
    else if (word && strcmp(word, "region") == 0)
        *out = HUB_STAFF_REGION;
    else
        return -1;
    return 0;
}

const char *hub_staff_role_name(hub_staff_role role)
{
    return role == HUB_STAFF_REGION ? "region" : "hall";
}

int hub_staff_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= HUB_STAFF_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int hub_staff_sees_hall(const hub_staff *s, const char *hall)
{
    if (s->role == HUB_STAFF_REGION)
        return 1;
    size_t n = hall ? strlen(hall) : 0;
    if (n == 0)
        return 0;
    for (const char *p = s->halls; *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, hall, n) == 0)
            return 1;
        p += len;
        while (*p == ' ')
            p++;
    }
    return 0;
}

/* halls as "A B C": codes of [A-Za-z0-9_-], separated by one space. 0, or -1 when bad. */
static int normalise_halls(const char *in, char out[HUB_STAFF_HALLS_MAX])
{
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = in ? in : ""; *p; p++) {
        char c = *p;
        if (c == ' ' || c == ',') {
            if (o && out[o - 1] != ' ')
                out[o++] = ' ';
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '-') {
            out[o++] = c;
        } else {
            return -1;
        }
        if (o >= HUB_STAFF_HALLS_MAX - 1)
            return -1;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    return 0;
}

static int password_ok(const char *pw)
{
    size_t n = pw ? strlen(pw) : 0;
    return n >= HUB_STAFF_PASSWORD_MIN && n <= HUB_STAFF_PASSWORD_MAX;
}

static kiosk_rc hash_password(const char *pw, char out[crypto_pwhash_STRBYTES])
{
    if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return KIOSK_NOMEM; /* libsodium fails only for want of memory */
    return KIOSK_OK;
}

kiosk_rc hub_staff_audit(hub_db *db, int64_t now_ms, const char *who, const char *action,
                         const char *detail, const char *address)
{
    hub_qparam p[] = {P_I(now_ms), P_T(who ? who : ""), P_T(action), P_T(detail ? detail : ""),
                      P_T(address ? address : "")};
    return hub_db_query(db,
                        "INSERT INTO staff_audit(at_ms, who, action, detail, address)"
                        " VALUES($1, $2, $3, $4, $5)",
                        NULL, p, 5, NULL, NULL);
}

kiosk_rc hub_staff_add(hub_db *db, const char *name, const char *password, hub_staff_role role,
                       const char *halls, const char *actor, int64_t now_ms)
{
    char h[HUB_STAFF_HALLS_MAX];
    if (!hub_staff_name_ok(name) || !password_ok(password) || normalise_halls(halls, h) != 0 ||
        (role == HUB_STAFF_HALL && !h[0]))
        return KIOSK_INVALID;
    if (role == HUB_STAFF_REGION)
        h[0] = '\0';
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    char hash[crypto_pwhash_STRBYTES];
    kiosk_rc rc = hash_password(password, hash);
    if (rc != KIOSK_OK)
        return rc;
    hub_qparam p[] = {P_T(name), P_T(hash), P_T(hub_staff_role_name(role)), P_T(h), P_I(now_ms)};
    rc = hub_db_query(db,
                      "INSERT INTO staff(name, pwhash, role, halls, created_ms)"
                      " VALUES($1, $2, $3, $4, $5)",
                      NULL, p, 5, NULL, NULL);
    sodium_memzero(hash, sizeof hash);
    if (rc == KIOSK_OK) {
        char detail[HUB_STAFF_NAME_MAX + HUB_STAFF_HALLS_MAX + 32];
        snprintf(detail, sizeof detail, "%s role=%s halls=%s", name, hub_staff_role_name(role), h);
        rc = hub_staff_audit(db, now_ms, actor, "staff_add", detail, "");
    }
    return rc;
}

static void fill_staff(const hub_rows *r, size_t i, hub_staff *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", hub_rows_get(r, i, 0));
    s->role = strcmp(hub_rows_get(r, i, 1), "region") == 0 ? HUB_STAFF_REGION : HUB_STAFF_HALL;
    snprintf(s->halls, sizeof s->halls, "%s", hub_rows_get(r, i, 2));
    s->disabled = hub_rows_i64(r, i, 3) != 0;
    s->failures = (int)hub_rows_i64(r, i, 4);
    s->locked_until_ms = hub_rows_i64(r, i, 5);
}

#define STAFF_COLUMNS "name, role, halls, disabled, failures, locked_until_ms"

kiosk_rc hub_staff_list(hub_db *db, hub_staff **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    hub_rows *r;
    kiosk_rc rc = hub_db_query(db, "SELECT " STAFF_COLUMNS " FROM staff ORDER BY name", NULL, NULL,
                               0, &r, NULL);
    if (rc != KIOSK_OK)
        return rc;
    hub_staff *list = r->nrows ? calloc(r->nrows, sizeof *list) : NULL;
    if (r->nrows && !list) {
        hub_rows_free(r);
        return KIOSK_NOMEM;
    }
    for (size_t i = 0; i < r->nrows; i++)
        fill_staff(r, i, &list[i]);
    *out = list;
    *n = r->nrows;
    hub_rows_free(r);
    return KIOSK_OK;
}

static kiosk_rc end_sessions(hub_db *db, const char *name)
{
    hub_qparam p[] = {P_T(name)};
    return hub_db_query(db, "DELETE FROM staff_sessions WHERE name = $1", NULL, p, 1, NULL, NULL);
}

kiosk_rc hub_staff_set_disabled(hub_db *db, const char *name, int disabled, const char *actor,
                                int64_t now_ms)
{
    int64_t changed = 0;
    hub_qparam p[] = {P_I(disabled ? 1 : 0), P_T(name)};
    kiosk_rc rc = hub_db_query(db, "UPDATE staff SET disabled = $1 WHERE name = $2", NULL, p, 2,
                               NULL, &changed);
    if (rc == KIOSK_OK && changed == 0)
        return KIOSK_NOT_FOUND;
    if (rc == KIOSK_OK && disabled)
        rc = end_sessions(db, name);
    if (rc == KIOSK_OK)
        rc = hub_staff_audit(db, now_ms, actor, disabled ? "staff_disable" : "staff_enable", name,
                             "");
    return rc;
}

kiosk_rc hub_staff_set_password(hub_db *db, const char *name, const char *password,
                                const char *actor, int64_t now_ms)
{
    if (!password_ok(password))
        return KIOSK_INVALID;
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    char hash[crypto_pwhash_STRBYTES];
    kiosk_rc rc = hash_password(password, hash);
    if (rc != KIOSK_OK)
        return rc;
    int64_t changed = 0;
    hub_qparam p[] = {P_T(hash), P_T(name)};
    rc = hub_db_query(db,
                      "UPDATE staff SET pwhash = $1, failures = 0, locked_until_ms = 0"
                      " WHERE name = $2",
                      NULL, p, 2, NULL, &changed);
    sodium_memzero(hash, sizeof hash);
    if (rc == KIOSK_OK && changed == 0)
        return KIOSK_NOT_FOUND;
    if (rc == KIOSK_OK)
        rc = end_sessions(db, name);
    if (rc == KIOSK_OK)
        rc = hub_staff_audit(db, now_ms, actor, "staff_passwd", name, "");
    return rc;
}

/* A hash to check a wrong name's password against, so an unknown name answers as slowly
 * as a known one. */
static const char *dummy_hash(void)
{
    static char hash[crypto_pwhash_STRBYTES];
    if (!hash[0] && hash_password("not a password of anyone", hash) != KIOSK_OK)
        return NULL;
    return hash;
}

static void token_hash(const char *token, char out[HUB_STAFF_TOKEN_HEX])
{
    uint8_t h[32];
    sync_sha256(h, token, strlen(token));
    sync_hex_format(h, sizeof h, out);
}

_Static_assert(HUB_STAFF_HASH_MAX >= crypto_pwhash_STRBYTES, "an argon2id string fits");

kiosk_rc hub_staff_login_begin(hub_db *db, const char *name, const char *password,
                               const char *address, int64_t now_ms, hub_staff_login_job *job)
{
    memset(job, 0, sizeof *job);
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    if (!password || strlen(password) > HUB_STAFF_PASSWORD_MAX)
        password = "";
    snprintf(job->password, sizeof job->password, "%s", password);
    snprintf(job->address, sizeof job->address, "%s", address ? address : "");
    job->now_ms = now_ms;
    int named = hub_staff_name_ok(name);
    snprintf(job->shown, sizeof job->shown, "%s", named ? name : "(not a name)");
    hub_rows *r = NULL;
    if (named) {
        snprintf(job->name, sizeof job->name, "%s", name);
        hub_qparam p[] = {P_T(name)};
        kiosk_rc rc =
            hub_db_query(db, "SELECT " STAFF_COLUMNS ", pwhash FROM staff WHERE name = $1", NULL, p,
                         1, &r, NULL);
        if (rc != KIOSK_OK) {
            sodium_memzero(job, sizeof *job);
            return rc;
        }
    }
    job->found = r && r->nrows > 0;
    if (job->found) {
        fill_staff(r, 0, &job->staff);
        snprintf(job->hash, sizeof job->hash, "%s", hub_rows_get(r, 0, 6));
    } else {
        /* an unknown name answers as slowly as a known one */
        const char *dh = dummy_hash();
        snprintf(job->hash, sizeof job->hash, "%s", dh ? dh : "");
    }
    hub_rows_free(r);
    return KIOSK_OK;
}

void hub_staff_login_check(hub_staff_login_job *job)
{
    job->good = job->hash[0] &&
                crypto_pwhash_str_verify(job->hash, job->password, strlen(job->password)) == 0;
    sodium_memzero(job->password, sizeof job->password);
}

/* finish, the job not wiped */
static kiosk_rc login_finish(hub_db *db, const hub_staff_login_job *job,
                             char token[HUB_STAFF_TOKEN_HEX], char csrf[HUB_STAFF_TOKEN_HEX],
                             hub_staff *who)
{
    token[0] = csrf[0] = '\0';
    memset(who, 0, sizeof *who);
    int64_t now_ms = job->now_ms;
    const char *address = job->address;
    kiosk_rc rc = KIOSK_OK;
    if (!job->found) {
        if (job->good)
            kiosk_log_info("hub_staff", "the dummy password was given");
        hub_staff_audit(db, now_ms, job->shown, "login_failed", "unknown name", address);
        return KIOSK_AUTH;
    }
    /* the account as it is now: another login's finish may have counted a failure or
     * locked it while this password was checked */
    hub_rows *r = NULL;
    hub_qparam named[] = {P_T(job->name)};
    rc = hub_db_query(db, "SELECT " STAFF_COLUMNS " FROM staff WHERE name = $1", NULL, named, 1, &r,
                      NULL);
    if (rc != KIOSK_OK)
        return rc;
    if (r->nrows == 0) {
        hub_rows_free(r);
        hub_staff_audit(db, now_ms, job->shown, "login_failed", "unknown name", address);
        return KIOSK_AUTH;
    }
    hub_staff s;
    fill_staff(r, 0, &s);
    hub_rows_free(r);
    int good = job->good;
    if (s.locked_until_ms > now_ms) {
        hub_staff_audit(db, now_ms, s.name, "login_locked", good ? "while locked" : "", address);
        return KIOSK_BUSY;
    }
    if (!good || s.disabled) {
        if (!good) {
            int failures = s.failures + 1;
            int lock = failures >= HUB_STAFF_LOCK_FAILURES;
            hub_qparam p[] = {P_I(lock ? 0 : failures), P_I(lock ? now_ms + HUB_STAFF_LOCK_MS : 0),
                              P_T(s.name)};
            rc = hub_db_query(db,
                              "UPDATE staff SET failures = $1, locked_until_ms = $2"
                              " WHERE name = $3",
                              NULL, p, 3, NULL, NULL);
            hub_staff_audit(db, now_ms, s.name, "login_failed", "wrong password", address);
            if (lock) {
                kiosk_log_info("hub_staff", "an account is locked for 15 minutes");
                hub_staff_audit(db, now_ms, s.name, "locked", "5 wrong passwords: 15 minutes",
                                address);
            }
        } else {
            hub_staff_audit(db, now_ms, s.name, "login_failed", "account disabled", address);
        }
        return rc == KIOSK_OK ? KIOSK_AUTH : rc;
    }
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    sync_hex_format(raw, sizeof raw, token);
    randombytes_buf(raw, sizeof raw);
    sync_hex_format(raw, sizeof raw, csrf);
    sodium_memzero(raw, sizeof raw);
    char th[HUB_STAFF_TOKEN_HEX];
    token_hash(token, th);
    hub_qparam p[] = {P_T(th), P_T(s.name), P_T(csrf), P_I(now_ms)};
    rc = hub_db_query(db,
                      "INSERT INTO staff_sessions(token_hash, name, csrf, created_ms, last_ms)"
                      " VALUES($1, $2, $3, $4, $4)",
                      NULL, p, 4, NULL, NULL);
    if (rc == KIOSK_OK) {
        hub_qparam q[] = {P_T(s.name)};
        rc = hub_db_query(db, "UPDATE staff SET failures = 0, locked_until_ms = 0 WHERE name = $1",
                          NULL, q, 1, NULL, NULL);
    }
    if (rc == KIOSK_OK)
        rc = hub_staff_audit(db, now_ms, s.name, "login", "", address);
    if (rc != KIOSK_OK) {
        token[0] = csrf[0] = '\0';
        return rc;
    }
    s.failures = 0;
    s.locked_until_ms = 0;
    *who = s;
    return KIOSK_OK;
}

kiosk_rc hub_staff_login_finish(hub_db *db, hub_staff_login_job *job,
                                char token[HUB_STAFF_TOKEN_HEX], char csrf[HUB_STAFF_TOKEN_HEX],
                                hub_staff *who)
{
    kiosk_rc rc = login_finish(db, job, token, csrf, who);
    sodium_memzero(job, sizeof *job);
    return rc;
}

kiosk_rc hub_staff_login(hub_db *db, const char *name, const char *password, const char *address,
                         int64_t now_ms, char token[HUB_STAFF_TOKEN_HEX],
                         char csrf[HUB_STAFF_TOKEN_HEX], hub_staff *who)
{
    token[0] = csrf[0] = '\0';
    memset(who, 0, sizeof *who);
    hub_staff_login_job job;
    kiosk_rc rc = hub_staff_login_begin(db, name, password, address, now_ms, &job);
    if (rc != KIOSK_OK)
        return rc;
    hub_staff_login_check(&job);
    return hub_staff_login_finish(db, &job, token, csrf, who);
}

kiosk_rc hub_staff_session(hub_db *db, const char *token, int64_t now_ms, hub_staff *who,
                           char csrf[HUB_STAFF_TOKEN_HEX])
{
    memset(who, 0, sizeof *who);
    csrf[0] = '\0';
    if (!token || strlen(token) != HUB_STAFF_TOKEN_HEX - 1)
        return KIOSK_AUTH;
    char th[HUB_STAFF_TOKEN_HEX];
    token_hash(token, th);
    hub_qparam p[] = {P_T(th)};
    hub_rows *r;
    kiosk_rc rc = hub_db_query(db,
                               "SELECT s.name, s.role, s.halls, s.disabled, s.failures,"
                               " s.locked_until_ms, x.csrf, x.created_ms, x.last_ms"
                               " FROM staff_sessions x JOIN staff s ON s.name = x.name"
                               " WHERE x.token_hash = $1",
                               NULL, p, 1, &r, NULL);
    if (rc != KIOSK_OK)
        return rc;
    if (r->nrows == 0) {
        hub_rows_free(r);
        return KIOSK_AUTH;
    }
    hub_staff s;
    fill_staff(r, 0, &s);
    int64_t created = hub_rows_i64(r, 0, 7), last = hub_rows_i64(r, 0, 8);
    char c[HUB_STAFF_TOKEN_HEX];
    snprintf(c, sizeof c, "%s", hub_rows_get(r, 0, 6));
    hub_rows_free(r);
    if (s.disabled || now_ms - last > HUB_STAFF_IDLE_MS ||
        now_ms - created > HUB_STAFF_SESSION_MS) {
        hub_db_query(db, "DELETE FROM staff_sessions WHERE token_hash = $1", NULL, p, 1, NULL,
                     NULL);
        return KIOSK_AUTH;
    }
    hub_qparam q[] = {P_I(now_ms), P_T(th)};
    rc = hub_db_query(db, "UPDATE staff_sessions SET last_ms = $1 WHERE token_hash = $2", NULL, q,
                      2, NULL, NULL);
    if (rc != KIOSK_OK)
        return rc;
    *who = s;
    memcpy(csrf, c, HUB_STAFF_TOKEN_HEX);
    return KIOSK_OK;
}

kiosk_rc hub_staff_logout(hub_db *db, const char *token, const char *address, int64_t now_ms)
{
    if (!token || strlen(token) != HUB_STAFF_TOKEN_HEX - 1)
        return KIOSK_OK;
    hub_staff s;
    char csrf[HUB_STAFF_TOKEN_HEX];
    if (hub_staff_session(db, token, now_ms, &s, csrf) == KIOSK_OK)
        hub_staff_audit(db, now_ms, s.name, "logout", "", address);
    char th[HUB_STAFF_TOKEN_HEX];
    token_hash(token, th);
    hub_qparam p[] = {P_T(th)};
    return hub_db_query(db, "DELETE FROM staff_sessions WHERE token_hash = $1", NULL, p, 1, NULL,
                        NULL);
}

kiosk_rc hub_device_set_hall(hub_db *db, const uint8_t public_key[32], const char *hall)
{
    char h[HUB_STAFF_HALLS_MAX];
    if (normalise_halls(hall, h) != 0 || strchr(h, ' '))
        return KIOSK_INVALID;
    int64_t changed = 0;
    hub_qparam p[] = {P_T(h), P_B(public_key, 32)};
    kiosk_rc rc = hub_db_query(db, "UPDATE devices SET hall = $1 WHERE public_key = $2", NULL, p, 2,
                               NULL, &changed);
    if (rc == KIOSK_OK && changed == 0)
        return KIOSK_NOT_FOUND;
    return rc;
}
