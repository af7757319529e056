/*
 * The kiosk↔hub wire protocol, version 2 (bundles still version 1): signing strings,
 * request and reply bodies, the hub's signed acknowledgement, and the bundle file. Parsers take
 * outside bytes and are strict: exact keys, no duplicates, bounded sizes; anything else is
 * KIOSK_INVALID. Encoders produce compact JSON.
 */
#include "proto/sync_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const status_names[] = {"accepted", "duplicate", "rejected"};

const char *sync_status_name(sync_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "?";
}

int sync_uuid_valid(const char *s)
{
    if (!s || strlen(s) != SYNC_UUID_LEN)
        return 0;
    for (int i = 0; i < SYNC_UUID_LEN; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

int sync_hex_parse(const char *hex, uint8_t *out, size_t n)
{
    size_t got = 0;
    const char *end = NULL;
    if (!hex || strlen(hex) != 2 * n)
        return 0;
    return sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, &end) == 0 && got == n && *end == '\0';
}

void sync_hex_format(const uint8_t *in, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

/* ---- hashing --------------------------------------------------------------------- */

/* OpenSSL's SHA-256 uses the CPU's SHA instructions (x86 SHA-NI, ARMv8 crypto) where it
 * has them: 1.8 GB/s here against libsodium's portable 390 MB/s, and a drained record is
 * hashed four times (request body at both ends, the record's digest, the reply check).
 * The bytes are the same; libsodium's only when OpenSSL cannot (out of memory). */
void sync_sha256(uint8_t out[32], const void *data, size_t len)
{
    unsigned int n = 0;
    if (EVP_Digest(len ? data : "", len, out, &n, EVP_sha256(), NULL) != 1 || n != 32)
        crypto_hash_sha256(out, data, len);
}

/* ---- signatures ------------------------------------------------------------------ */

size_t sync_record_message(const char *uuid, int64_t seq, const uint8_t *sealed, size_t len,
                           uint8_t out[SYNC_RECORD_MSG_MAX])
{
    int n = snprintf((char *)out, SYNC_RECORD_MSG_MAX - 32, "kiosk-record-v1\n%.36s\n%lld\n", uuid,
                     (long long)seq);
    sync_sha256(out + n, sealed, len);
    return (size_t)n + 32;
}

size_t sync_record_message_epoch(const char *uuid, int64_t seq, const uint8_t epoch[16],
                                 const uint8_t *sealed, size_t len,
                                 uint8_t out[SYNC_RECORD_MSG_MAX])
{
    char hex[33];
    sync_hex_format(epoch, 16, hex);
    int n = snprintf((char *)out, SYNC_RECORD_MSG_MAX - 32, "kiosk-record-v2\n%.36s\n%lld\n%s\n",
                     uuid, (long long)seq, hex);
    sync_sha256(out + n, sealed, len);
    return (size_t)n + 32;
}

void sync_record_sign_epoch(sync_record *r, const uint8_t epoch[16], const uint8_t secret_key[64])
{
    uint8_t msg[SYNC_RECORD_MSG_MAX];
    size_t n = sync_record_message_epoch(r->uuid, r->seq, epoch, r->sealed, r->sealed_len, msg);
    crypto_sign_detached(r->sig, NULL, msg, n, secret_key);
}

int sync_record_meta_ok(const sync_record *r)
{
    const char *t = r->record_type, *n = r->receipt_no;
    size_t tl = strnlen(t, SYNC_META_TYPE_MAX), nl = strnlen(n, SYNC_META_RECEIPT_MAX);
    if (tl == 0 && nl == 0)
        return 1;
    if (tl == 0 || tl >= SYNC_META_TYPE_MAX || nl == 0 || nl >= SYNC_META_RECEIPT_MAX)
        return 0;
    for (size_t i = 0; i < tl; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || t[i] == '_'))
            return 0;
    for (size_t i = 0; i < nl; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= 'A' && n[i] <= 'Z') ||
              (n[i] >= '0' && n[i] <= '9') || n[i] == '-'))
            return 0;
    return 1;
}

size_t sync_record_message_meta(const sync_record *r, const uint8_t epoch[16],
                                uint8_t out[SYNC_RECORD_META_MSG_MAX])
{
    char ehex[33];
    sync_hex_format(epoch, 16, ehex);
    int n = snprintf((char *)out, SYNC_RECORD_META_MSG_MAX - 32,
                     "kiosk-record-v3\n%.36s\n%" PRId64 "\n%s\n%.15s\n%.39s\n", r->uuid, r->seq,
                     ehex, r->record_type, r->receipt_no);
    if (n < 0 || (size_t)n >= SYNC_RECORD_META_MSG_MAX - 32)
        n = 0;
    sync_sha256(out + n, r->sealed, r->sealed_len);
    return (size_t)n + 32;
}

void sync_record_sign_meta(sync_record *r, const uint8_t epoch[16], const uint8_t secret_key[64])
{
    uint8_t msg[SYNC_RECORD_META_MSG_MAX];
    size_t n = sync_record_message_meta(r, epoch, msg);
    crypto_sign_detached(r->sig, NULL, msg, n, secret_key);
}

int sync_record_verify_epoch(const sync_record *r, const uint8_t *epoch,
                             const uint8_t public_key[32], uint8_t sealed_sha256[32])
{
    if (r->record_type[0] || r->receipt_no[0]) {
        /* metadata is covered by version 3 alone, which names the epoch */
        uint8_t msg[SYNC_RECORD_META_MSG_MAX];
        static const uint8_t zeros[16];
        size_t n = sync_record_message_meta(r, epoch ? epoch : zeros, msg);
        memcpy(sealed_sha256, msg + n - 32, 32);
        return sync_record_meta_ok(r) &&
                       crypto_sign_verify_detached(r->sig, msg, n, public_key) == 0
                   ? 3
                   : 0;
    }
    if (epoch) {
        uint8_t msg[SYNC_RECORD_MSG_MAX];
        size_t n = sync_record_message_epoch(r->uuid, r->seq, epoch, r->sealed, r->sealed_len, msg);
        memcpy(sealed_sha256, msg + n - 32, 32);
        if (crypto_sign_verify_detached(r->sig, msg, n, public_key) == 0)
            return 2;
    }
    return sync_record_verify_digest(r, public_key, sealed_sha256);
}

static size_t record_message(const sync_record *r, uint8_t msg[SYNC_RECORD_MSG_MAX])
{
    return sync_record_message(r->uuid, r->seq, r->sealed, r->sealed_len, msg);
}

void sync_record_sign(sync_record *r, const uint8_t secret_key[64])
{
    uint8_t msg[SYNC_RECORD_MSG_MAX];
    size_t n = record_message(r, msg);
    crypto_sign_detached(r->sig, NULL, msg, n, secret_key);
}

int sync_record_verify_digest(const sync_record *r, const uint8_t public_key[32],
                              uint8_t sealed_sha256[32])
{
    uint8_t msg[SYNC_RECORD_MSG_MAX];
    size_t n = record_message(r, msg);
    memcpy(sealed_sha256, msg + n - 32, 32);
    return crypto_sign_verify_detached(r->sig, msg, n, public_key) == 0;
}

int sync_record_verify(const sync_record *r, const uint8_t public_key[32])
{
    uint8_t digest[32];
    return sync_record_verify_digest(r, public_key, digest);
}

/* The request message is short; the body enters only through its hash. */
static size_t request_message(const char *method, const char *path, int64_t time_ms,
                              const void *body, size_t len, char *msg, size_t size)
{
    uint8_t h[32];
    char hex[65];
    sync_sha256(h, body, len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    int n = snprintf(msg, size, "kiosk-request-v1\n%s\n%s\n%" PRId64 "\n%s", method, path, time_ms,
                     hex);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

void sync_request_sign(const uint8_t secret_key[64], const char *method, const char *path,
                       int64_t time_ms, const void *body, size_t len, uint8_t sig[64])
{
    char msg[512];
    size_t n = request_message(method, path, time_ms, body, len, msg, sizeof msg);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, n, secret_key);
}

int sync_request_verify(const uint8_t public_key[32], const char *method, const char *path,
                        int64_t time_ms, const void *body, size_t len, const uint8_t sig[64])
{
    char msg[512];
    size_t n = request_message(method, path, time_ms, body, len, msg, sizeof msg);
    return n > 0 && crypto_sign_verify_detached(sig, (const uint8_t *)msg, n, public_key) == 0;
}

/* Version 2: the body enters as its hash and length, so a hub can check the signature
 * from the headers alone, before it reads a byte of the body. */
static size_t request_message_v2(const char *method, const char *path, int64_t time_ms,
                                 const uint8_t body_sha256[32], uint64_t len, char *msg,
                                 size_t size)
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, body_sha256, 32);
    int n = snprintf(msg, size, "kiosk-request-v2\n%s\n%s\n%" PRId64 "\n%" PRIu64 "\n%s", method,
                     path, time_ms, len, hex);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

void sync_request_sign_v2(const uint8_t secret_key[64], const char *method, const char *path,
                          int64_t time_ms, const uint8_t body_sha256[32], uint64_t len,
                          uint8_t sig[64])
{
    char msg[512];
    size_t n = request_message_v2(method, path, time_ms, body_sha256, len, msg, sizeof msg);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, n, secret_key);
}

int sync_request_verify_v2(const uint8_t public_key[32], const char *method, const char *path,
                           int64_t time_ms, const uint8_t body_sha256[32], uint64_t len,
                           const uint8_t sig[64])
{
    char msg[512];
    size_t n = request_message_v2(method, path, time_ms, body_sha256, len, msg, sizeof msg);
    return n > 0 && crypto_sign_verify_detached(sig, (const uint8_t *)msg, n, public_key) == 0;
}

static size_t reply_message(const uint8_t device[32], const uint8_t request_sig[64],
                            unsigned status, const void *body, size_t len, char *msg, size_t size)
{
    uint8_t h[32];
    char dev[65], rs[129], hex[65];
    sync_sha256(h, body, len);
    sodium_bin2hex(dev, sizeof dev, device, 32);
    sodium_bin2hex(rs, sizeof rs, request_sig, 64);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    int n = snprintf(msg, size, "kiosk-reply-v2\n%s\n%s\n%u\n%zu\n%s", dev, rs, status, len, hex);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

void sync_reply_sign(const uint8_t hub_secret_key[64], const uint8_t device[32],
                     const uint8_t request_sig[64], unsigned status, const void *body, size_t len,
                     uint8_t sig[64])
{
    char msg[512];
    size_t n = reply_message(device, request_sig, status, body, len, msg, sizeof msg);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, n, hub_secret_key);
}

int sync_reply_verify(const uint8_t hub_public_key[32], const uint8_t device[32],
                      const uint8_t request_sig[64], unsigned status, const void *body, size_t len,
                      const uint8_t sig[64])
{
    char msg[512];
    size_t n = reply_message(device, request_sig, status, body, len, msg, sizeof msg);
    return n > 0 && crypto_sign_verify_detached(sig, (const uint8_t *)msg, n, hub_public_key) == 0;
}

/* ---- JSON helpers ---------------------------------------------------------------- */

static kiosk_rc dump(json_t *o, char **body, size_t *len)
{
    *body = NULL;
    if (len)
        *len = 0;
    if (!o)
        return KIOSK_NOMEM;
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return KIOSK_NOMEM;
    *body = s;
    if (len)
        *len = strlen(s);
    return KIOSK_OK;
}

/* An object with exactly the required keys, optionally some of the optional ones. */
static int keys_ok(const json_t *o, const char *const *req, size_t nreq, const char *const *opt,
                   size_t nopt)
{
    if (!json_is_object(o))
        return 0;
    size_t seen = 0;
    for (size_t i = 0; i < nreq; i++)
        if (!json_object_get(o, req[i]))
            return 0;
    seen = nreq;
    for (size_t i = 0; i < nopt; i++)
        if (json_object_get(o, opt[i]))
            seen++;
    return json_object_size(o) == seen;
}

static json_t *load(const char *body, size_t len)
{
    json_error_t err;
    return json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
}

static int64_t int_of(const json_t *v, int *ok)
{
    if (!json_is_integer(v)) {
        *ok = 0;
        return 0;
    }
    return (int64_t)json_integer_value(v);
}

/* ---- request body ---------------------------------------------------------------- */

/* Base64 (RFC 4648, with padding). Sealed records are ciphertext, not secrets, so a
 * table lookup is fine here (libsodium's constant-time codec is several times slower, and
 * a backlog moves megabytes). */
static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

static void b64_encode(const uint8_t *in, size_t n, char *out)
{
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *out++ = b64_alphabet[v >> 18];
        *out++ = b64_alphabet[(v >> 12) & 63];
        *out++ = b64_alphabet[(v >> 6) & 63];
        *out++ = b64_alphabet[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        *out++ = b64_alphabet[v >> 18];
        *out++ = b64_alphabet[(v >> 12) & 63];
        *out++ = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
        *out++ = '=';
    }
}

/* The value of each base64 character, -1 for any other byte. */
static const int8_t b64_rev[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1, -1, 0,  1,  2,  3,  4,  5,  6,
    7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
    49, 50, 51, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static int b64_value(char ch)
{
    return b64_rev[(uint8_t)ch];
}

/* Strict: a multiple of 4 characters, padding only at the end, unused bits zero; any
 * byte outside the alphabet (a quote, a backslash, a control or non-ASCII byte) fails it.
 * Returns the decoded length, or (size_t)-1. out holds len / 4 * 3 bytes. */
static size_t b64_decode(const char *in, size_t len, uint8_t *out)
{
    if (len % 4)
        return (size_t)-1;
    if (len == 0)
        return 0;
    const uint8_t *u = (const uint8_t *)in;
    size_t o = 0, body = len - 4; /* every group but the last has no padding */
    for (size_t i = 0; i < body; i += 4) {
        int a = b64_rev[u[i]], b = b64_rev[u[i + 1]], c = b64_rev[u[i + 2]], d = b64_rev[u[i + 3]];
        if ((a | b | c | d) < 0)
            return (size_t)-1;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        out[o] = (uint8_t)(v >> 16);
        out[o + 1] = (uint8_t)(v >> 8);
        out[o + 2] = (uint8_t)v;
        o += 3;
    }
    size_t pad = in[len - 1] == '=' ? (in[len - 2] == '=' ? 2 : 1) : 0;
    int a = b64_value(in[body]), b = b64_value(in[body + 1]);
    int c = pad == 2 ? 0 : b64_value(in[body + 2]);
    int d = pad ? 0 : b64_value(in[body + 3]);
    if ((a | b | c | d) < 0)
        return (size_t)-1;
    uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
    out[o++] = (uint8_t)(v >> 16);
    if (pad < 2)
        out[o++] = (uint8_t)(v >> 8);
    if (!pad)
        out[o++] = (uint8_t)v;
    if (pad && (v & (pad == 2 ? 0xFFFFu : 0xFFu)))
        return (size_t)-1; /* non-zero bits under the padding */
    return o;
}

/* Written by hand rather than through jansson: every value is ASCII that needs no
 * escaping (uuid, digits, base64, hex), and a backlog body runs to megabytes. */
kiosk_rc sync_body_encode(const sync_record *recs, size_t n, char **body, size_t *len)
{
    static const char head[] = "{\"records\":[", tail[] = "]}";
    static const char k_uuid[] = "{\"uuid\":\"",
                      k_seq[] = "\",\"seq\":", k_sealed[] = ",\"sealed\":\"",
                      k_sig[] = "\",\"sig\":\"", k_end[] = "\"}", k_type[] = "\",\"type\":\"",
                      k_receipt[] = "\",\"receipt_no\":\"";
    *body = NULL;
    if (len)
        *len = 0;
    size_t total = sizeof head + sizeof tail;
    for (size_t i = 0; i < n; i++)
        total += sizeof k_uuid + SYNC_UUID_LEN + sizeof k_seq + 20 + sizeof k_sealed +
                 b64_encoded_len(recs[i].sealed_len) + sizeof k_sig + 128 + sizeof k_end + 1 +
                 sizeof k_type + SYNC_META_TYPE_MAX + sizeof k_receipt + SYNC_META_RECEIPT_MAX;
    for (size_t i = 0; i < n; i++)
        if (!sync_record_meta_ok(&recs[i]))
            return KIOSK_INVALID;
    char *out = malloc(total), *p = out;
    if (!out)
        return KIOSK_NOMEM;
#define PUT(lit) (memcpy(p, lit, sizeof lit - 1), p += sizeof lit - 1)
    PUT(head);
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        PUT(k_uuid);
        memcpy(p, recs[i].uuid, SYNC_UUID_LEN);
        p += SYNC_UUID_LEN;
        PUT(k_seq);
        p += sprintf(p, "%" PRId64, recs[i].seq);
        PUT(k_sealed);
        b64_encode(recs[i].sealed, recs[i].sealed_len, p);
        p += b64_encoded_len(recs[i].sealed_len);
        PUT(k_sig);
        sync_hex_format(recs[i].sig, 64, p);
        p += 128;
        if (recs[i].record_type[0]) {
            size_t tl = strlen(recs[i].record_type), rl = strlen(recs[i].receipt_no);
            PUT(k_type);
            memcpy(p, recs[i].record_type, tl);
            p += tl;
            PUT(k_receipt);
            memcpy(p, recs[i].receipt_no, rl);
            p += rl;
        }
        PUT(k_end);
    }
    PUT(tail);
#undef PUT
    *p = '\0';
    *body = out;
    if (len)
        *len = (size_t)(p - out);
    return KIOSK_OK;
}

void sync_records_free(sync_record *recs, size_t n)
{
    if (!recs)
        return;
    for (size_t i = 0; i < n; i++)
        free(recs[i].sealed);
    free(recs);
}

/* The request body is parsed by hand: it is the hub's hot path (a backlog arrives as
 * megabytes of base64) and its grammar is tiny. Strict JSON (RFC 8259) for exactly this
 * shape; strings must be plain ASCII without escapes, which every valid value is. */
typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int eat(cursor *c, char ch)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A string without escapes or control characters; borrowed as (start, length). */
static int string_of(cursor *c, const char **s, size_t *n)
{
    if (!eat(c, '"'))
        return 0;
    const char *start = c->p;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '\\' || ch < 0x20 || ch >= 0x7F)
            return 0;
        c->p++;
    }
    if (c->p == c->end)
        return 0;
    *s = start;
    *n = (size_t)(c->p - start);
    c->p++;
    return 1;
}

/* A string whose every byte its decoder checks (base64): found by its closing quote alone,
 * without looking at each byte twice. Borrowed as (start, length). */
static int checked_string_of(cursor *c, const char **s, size_t *n)
{
    if (!eat(c, '"'))
        return 0;
    const char *q = memchr(c->p, '"', (size_t)(c->end - c->p));
    if (!q)
        return 0;
    *s = c->p;
    *n = (size_t)(q - c->p);
    c->p = q + 1;
    return 1;
}

/* A positive JSON integer without sign, fraction or exponent, up to INT64_MAX. */
static int positive_of(cursor *c, int64_t *v)
{
    skip_ws(c);
    const char *start = c->p;
    uint64_t x = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        uint64_t d = (uint64_t)(*c->p - '0');
        if (x > ((uint64_t)INT64_MAX - d) / 10)
            return 0; /* over INT64_MAX, which version 3's binary head may carry */
        x = x * 10 + d;
        c->p++;
    }
    size_t n = (size_t)(c->p - start);
    if (n == 0 || (n > 1 && *start == '0') ||
        (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E')))
        return 0;
    *v = (int64_t)x;
    return *v >= 1;
}

static int key_is(const char *k, size_t n, const char *want)
{
    return strlen(want) == n && memcmp(k, want, n) == 0;
}

static int record_of(cursor *c, sync_record *out)
{
    if (!eat(c, '{'))
        return 0;
    unsigned seen = 0;
    do {
        const char *k, *v;
        size_t kn, vn;
        if (!string_of(c, &k, &kn) || !eat(c, ':'))
            return 0;
        unsigned bit = key_is(k, kn, "uuid")         ? 1u
                       : key_is(k, kn, "seq")        ? 2u
                       : key_is(k, kn, "sealed")     ? 4u
                       : key_is(k, kn, "sig")        ? 8u
                       : key_is(k, kn, "type")       ? 16u
                       : key_is(k, kn, "receipt_no") ? 32u
                                                     : 0u;
        if (!bit || (seen & bit))
            return 0; /* unknown or duplicate key */
        seen |= bit;
        if (bit == 2u) {
            if (!positive_of(c, &out->seq))
                return 0;
            continue;
        }
        if (!(bit == 4u ? checked_string_of(c, &v, &vn) : string_of(c, &v, &vn)))
            return 0;
        if (bit == 1u) {
            if (vn != SYNC_UUID_LEN)
                return 0;
            memcpy(out->uuid, v, SYNC_UUID_LEN);
            out->uuid[SYNC_UUID_LEN] = '\0';
            if (!sync_uuid_valid(out->uuid))
                return 0;
        } else if (bit == 8u) {
            if (vn != 128 || sodium_hex2bin(out->sig, 64, v, 128, NULL, NULL, NULL) != 0)
                return 0;
        } else if (bit == 16u || bit == 32u) {
            char *dst = bit == 16u ? out->record_type : out->receipt_no;
            size_t cap = bit == 16u ? SYNC_META_TYPE_MAX : SYNC_META_RECEIPT_MAX;
            if (vn == 0 || vn >= cap)
                return 0;
            memcpy(dst, v, vn);
            dst[vn] = '\0';
        } else {
            size_t max = vn / 4 * 3;
            if (out->sealed || max > SYNC_MAX_SEALED + 3)
                return 0;
            out->sealed = malloc(max ? max : 1);
            if (!out->sealed)
                return 0;
            out->sealed_len = b64_decode(v, vn, out->sealed);
            if (out->sealed_len == (size_t)-1 || out->sealed_len > SYNC_MAX_SEALED ||
                out->sealed_len <= crypto_box_SEALBYTES)
                return 0;
        }
    } while (eat(c, ','));
    return (seen == 15u || (seen == 63u && sync_record_meta_ok(out))) && eat(c, '}');
}

/* An audit id: a positive number, or 0 (an empty log). */
static int audit_id_of(cursor *c, int64_t *v)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == '0' && (c->p + 1 == c->end || (c->p[1] < '0' || c->p[1] > '9'))) {
        if (c->p + 1 < c->end && (c->p[1] == '.' || c->p[1] == 'e' || c->p[1] == 'E'))
            return 0;
        c->p++;
        *v = 0;
        return 1;
    }
    return positive_of(c, v);
}

/* The optional audit head after the records:
 * "head":{"audit_id":N,"audit_hash":"<hex>"[,"epoch":"<32 hex>"]}. */
static int head_of(cursor *c, sync_head *head)
{
    const char *k, *h;
    size_t kn, hn;
    memset(head, 0, sizeof *head);
    if (!string_of(c, &k, &kn) || !key_is(k, kn, "head") || !eat(c, ':') || !eat(c, '{') ||
        !string_of(c, &k, &kn) || !key_is(k, kn, "audit_id") || !eat(c, ':') ||
        !audit_id_of(c, &head->audit_id) || !eat(c, ',') || !string_of(c, &k, &kn) ||
        !key_is(k, kn, "audit_hash") || !eat(c, ':') || !string_of(c, &h, &hn) || hn != 64)
        return 0;
    char hex[65];
    memcpy(hex, h, 64);
    hex[64] = '\0';
    if (!sync_hex_parse(hex, head->audit_hash, 32))
        return 0;
    if (eat(c, ',')) {
        if (!string_of(c, &k, &kn) || !key_is(k, kn, "epoch") || !eat(c, ':') ||
            !string_of(c, &h, &hn) || hn != 32)
            return 0;
        memcpy(hex, h, 32);
        hex[32] = '\0';
        if (!sync_hex_parse(hex, head->epoch, 16))
            return 0;
        head->has_epoch = 1;
    }
    if (!eat(c, '}'))
        return 0;
    head->present = 1;
    return 1;
}

kiosk_rc sync_body_decode(const char *body, size_t len, sync_record **recs, size_t *n)
{
    return sync_body_decode_head(body, len, recs, n, NULL);
}

kiosk_rc sync_body_encode_head(const sync_record *recs, size_t n, const sync_head *head,
                               char **body, size_t *len)
{
    size_t l = 0;
    kiosk_rc rc = sync_body_encode(recs, n, body, &l);
    if (rc != KIOSK_OK || !head || !head->present) {
        if (len)
            *len = l;
        return rc;
    }
    char tail[220], hex[65], ehex[33] = "";
    sync_hex_format(head->audit_hash, 32, hex);
    if (head->has_epoch)
        sync_hex_format(head->epoch, 16, ehex);
    int tn = snprintf(tail, sizeof tail,
                      ",\"head\":{\"audit_id\":%" PRId64 ",\"audit_hash\":\"%s\"%s%s%s}}",
                      head->audit_id < 0 ? 0 : head->audit_id, hex,
                      head->has_epoch ? ",\"epoch\":\"" : "", ehex, head->has_epoch ? "\"" : "");
    char *grown = realloc(*body, l + (size_t)tn + 1);
    if (!grown) {
        free(*body);
        *body = NULL;
        return KIOSK_NOMEM;
    }
    memcpy(grown + l - 1, tail, (size_t)tn + 1); /* over the closing brace */
    *body = grown;
    if (len)
        *len = l - 1 + (size_t)tn;
    return KIOSK_OK;
}

kiosk_rc sync_body_decode_head(const char *body, size_t len, sync_record **recs, size_t *n,
                               sync_head *head)
{
    *recs = NULL;
    *n = 0;
    if (head)
        memset(head, 0, sizeof *head);
    if (len > SYNC_MAX_BODY)
        return KIOSK_RANGE;
    cursor c = {body, body + len};
    const char *k;
    size_t kn;
    if (!eat(&c, '{') || !string_of(&c, &k, &kn) || !key_is(k, kn, "records") || !eat(&c, ':') ||
        !eat(&c, '['))
        return KIOSK_INVALID;
    size_t count = 0, cap = 0;
    sync_record *out = NULL;
    int ok = 1;
    if (!eat(&c, ']')) {
        do {
            if (count == SYNC_MAX_RECORDS) {
                ok = 0;
                break;
            }
            if (count == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                sync_record *p = realloc(out, ncap * sizeof *p);
                if (!p) {
                    sync_records_free(out, count);
                    return KIOSK_NOMEM;
                }
                out = p;
                cap = ncap;
            }
            memset(&out[count], 0, sizeof out[count]);
            ok = record_of(&c, &out[count]);
            count++; /* a half-parsed record may own sealed bytes: freed below */
        } while (ok && eat(&c, ','));
        ok = ok && eat(&c, ']');
    }
    if (ok && head && eat(&c, ','))
        ok = head_of(&c, head);
    ok = ok && eat(&c, '}');
    skip_ws(&c);
    if (!ok || c.p != c.end) {
        sync_records_free(out, count);
        return KIOSK_INVALID;
    }
    if (!out && !(out = calloc(1, sizeof *out)))
        return KIOSK_NOMEM;
    *recs = out;
    *n = count;
    return KIOSK_OK;
}

/* ---- version 3: the binary records body --------------------------------------------- */

static uint8_t *put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

static uint64_t get_be(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

kiosk_rc sync_body_encode_v3(const sync_record *recs, size_t n, const sync_head *head, char **body,
                             size_t *len)
{
    *body = NULL;
    if (len)
        *len = 0;
    int flags = head && head->present ? (head->has_epoch ? 3 : 1) : 0;
    size_t total = 4 + 4 + 1 + (flags ? 8 + 32 : 0) + (flags == 3 ? 16 : 0);
    int meta = 0; /* KSR4: some record carries metadata */
    for (size_t i = 0; i < n; i++) {
        if (recs[i].sealed_len > SYNC_MAX_SEALED || recs[i].seq < 1 ||
            !sync_record_meta_ok(&recs[i]))
            return KIOSK_INVALID;
        total += SYNC_UUID_LEN + 8 + 4 + recs[i].sealed_len + 64 + 2 + strlen(recs[i].record_type) +
                 strlen(recs[i].receipt_no);
        meta |= recs[i].record_type[0] != '\0';
    }
    if (n > SYNC_MAX_RECORDS)
        return KIOSK_INVALID;
    uint8_t *out = malloc(total), *p = out;
    if (!out)
        return KIOSK_NOMEM;
    memcpy(p, meta ? SYNC_BODY_V4_MAGIC : SYNC_BODY_V3_MAGIC, 4);
    p = put_be(p + 4, n, 4);
    for (size_t i = 0; i < n; i++) {
        memcpy(p, recs[i].uuid, SYNC_UUID_LEN);
        p = put_be(p + SYNC_UUID_LEN, (uint64_t)recs[i].seq, 8);
        p = put_be(p, recs[i].sealed_len, 4);
        memcpy(p, recs[i].sealed, recs[i].sealed_len);
        p += recs[i].sealed_len;
        memcpy(p, recs[i].sig, 64);
        p += 64;
        for (int f = 0; meta && f < 2; f++) {
            const char *v = f ? recs[i].receipt_no : recs[i].record_type;
            size_t vl = strlen(v);
            *p++ = (uint8_t)vl;
            memcpy(p, v, vl);
            p += vl;
        }
    }
    *p++ = (uint8_t)flags;
    if (flags) {
        p = put_be(p, (uint64_t)(head->audit_id < 0 ? 0 : head->audit_id), 8);
        memcpy(p, head->audit_hash, 32);
        p += 32;
    }
    if (flags == 3) {
        memcpy(p, head->epoch, 16);
        p += 16;
    }
    *body = (char *)out;
    if (len)
        *len = (size_t)(p - out);
    return KIOSK_OK;
}

kiosk_rc sync_body_decode_v3(const char *body, size_t len, sync_record **recs, size_t *n,
                             sync_head *head)
{
    *recs = NULL;
    *n = 0;
    if (head)
        memset(head, 0, sizeof *head);
    if (len > SYNC_MAX_BODY)
        return KIOSK_RANGE;
    const uint8_t *p = (const uint8_t *)body, *end = p + len;
    if (len < 9 || (memcmp(p, SYNC_BODY_V3_MAGIC, 4) != 0 && memcmp(p, SYNC_BODY_V4_MAGIC, 4) != 0))
        return KIOSK_INVALID;
    int meta = memcmp(p, SYNC_BODY_V4_MAGIC, 4) == 0, any_meta = 0;
    uint64_t count = get_be(p + 4, 4);
    p += 8;
    /* the smallest record takes more than this, so a count the body cannot hold fails
     * before anything is allocated */
    size_t least = SYNC_UUID_LEN + 8 + 4 + crypto_box_SEALBYTES + 1 + 64;
    if (count > SYNC_MAX_RECORDS || count > (size_t)(end - p) / least)
        return KIOSK_INVALID;
    sync_record *out = calloc(count ? count : 1, sizeof *out);
    if (!out)
        return KIOSK_NOMEM;
    size_t got = 0;
    int ok = 1;
    for (; ok && got < count; got++) {
        sync_record *r = &out[got];
        if ((size_t)(end - p) < SYNC_UUID_LEN + 8 + 4) {
            ok = 0;
            break;
        }
        memcpy(r->uuid, p, SYNC_UUID_LEN);
        r->uuid[SYNC_UUID_LEN] = '\0';
        uint64_t seq = get_be(p + SYNC_UUID_LEN, 8);
        uint64_t sl = get_be(p + SYNC_UUID_LEN + 8, 4);
        p += SYNC_UUID_LEN + 12;
        if (!sync_uuid_valid(r->uuid) || seq < 1 || seq > (uint64_t)INT64_MAX ||
            sl <= crypto_box_SEALBYTES || sl > SYNC_MAX_SEALED || (size_t)(end - p) < sl + 64) {
            ok = 0;
            break;
        }
        r->seq = (int64_t)seq;
        r->sealed = malloc(sl);
        if (!r->sealed) {
            sync_records_free(out, got);
            return KIOSK_NOMEM;
        }
        memcpy(r->sealed, p, sl);
        r->sealed_len = sl;
        memcpy(r->sig, p + sl, 64);
        p += sl + 64;
        for (int f = 0; ok && meta && f < 2; f++) {
            char *dst = f ? r->receipt_no : r->record_type;
            size_t cap = f ? SYNC_META_RECEIPT_MAX : SYNC_META_TYPE_MAX;
            size_t vl = p < end ? *p : cap;
            if (vl >= cap || (size_t)(end - p) < 1 + vl || memchr(p + 1, '\0', vl)) {
                ok = 0;
                break;
            }
            memcpy(dst, p + 1, vl);
            dst[vl] = '\0';
            p += 1 + vl;
        }
        if (ok && !sync_record_meta_ok(r))
            ok = 0;
        any_meta |= r->record_type[0] != '\0';
        if (!ok) {
            got++; /* its sealed bytes are freed with the rest */
            break;
        }
    }
    if (meta && !any_meta)
        ok = 0; /* KSR4 carries metadata: one encoding per content */
    int flags = ok && p < end ? *p++ : -1;
    sync_head h;
    memset(&h, 0, sizeof h);
    if (flags == 1 || flags == 3) {
        if ((size_t)(end - p) < 8 + 32 + (flags == 3 ? 16u : 0u) ||
            get_be(p, 8) > (uint64_t)INT64_MAX) {
            flags = -1;
        } else {
            h.present = 1;
            h.audit_id = (int64_t)get_be(p, 8);
            memcpy(h.audit_hash, p + 8, 32);
            p += 40;
            if (flags == 3) {
                h.has_epoch = 1;
                memcpy(h.epoch, p, 16);
                p += 16;
            }
        }
    }
    if (flags < 0 || flags == 2 || flags > 3 || p != end || (h.present && !head)) {
        sync_records_free(out, got);
        return KIOSK_INVALID;
    }
    if (head)
        *head = h;
    *recs = out;
    *n = (size_t)count;
    return KIOSK_OK;
}

/* ---- reply bodies ---------------------------------------------------------------- */

static int reason_ok(const char *s)
{
    size_t n = strlen(s);
    if (n >= SYNC_REASON_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

kiosk_rc sync_results_encode(const sync_result *results, size_t n, int64_t now_ms, char **body,
                             size_t *len)
{
    return sync_results_encode_mark(results, n, now_ms, NULL, body, len);
}

kiosk_rc sync_results_encode_mark(const sync_result *results, size_t n, int64_t now_ms,
                                  const sync_mark *mark, char **body, size_t *len)
{
    json_t *o = json_object(), *arr = json_array();
    int ok = o && arr && json_object_set_new(o, "now_ms", json_integer(now_ms)) == 0 &&
             json_object_set(o, "results", arr) == 0;
    if (ok && mark && mark->present) {
        char hex[65];
        sync_hex_format(mark->audit_hash, 32, hex);
        json_t *m = json_object();
        ok = m && json_object_set_new(m, "max_seq", json_integer(mark->max_seq)) == 0 &&
             json_object_set_new(m, "audit_id", json_integer(mark->audit_id)) == 0 &&
             json_object_set_new(m, "audit_hash", json_string(hex)) == 0;
        if (ok && mark->has_epoch) {
            char ehex[33];
            sync_hex_format(mark->epoch, 16, ehex);
            ok = json_object_set_new(m, "epoch", json_string(ehex)) == 0;
        }
        ok = m && json_object_set_new(o, "mark", m) == 0 && ok;
    }
    for (size_t i = 0; ok && i < n; i++) {
        json_t *r = json_object();
        ok = r && json_object_set_new(r, "uuid", json_string(results[i].uuid)) == 0 &&
             json_object_set_new(r, "status", json_string(sync_status_name(results[i].status))) ==
                 0 &&
             json_object_set_new(r, "reason", json_string(results[i].reason)) == 0;
        if (ok && results[i].has_sealed_sha256) {
            char hex[65];
            sync_hex_format(results[i].sealed_sha256, 32, hex);
            ok = json_object_set_new(r, "sealed_sha256", json_string(hex)) == 0;
        }
        ok = json_array_append_new(arr, r) == 0 && ok;
    }
    json_decref(arr);
    if (!ok) {
        json_decref(o);
        o = NULL;
    }
    return dump(o, body, len);
}

kiosk_rc sync_results_decode(const char *body, size_t len, sync_result **results, size_t *n,
                             int64_t *now_ms)
{
    return sync_results_decode_mark(body, len, results, n, now_ms, NULL);
}

/* The hub's mark: {"max_seq":N,"audit_id":N,"audit_hash":"<64 hex>"[,"epoch":"<32 hex>"]},
 * numbers >= 0. */
static int mark_of(const json_t *m, sync_mark *mark)
{
    static const char *const req[] = {"max_seq", "audit_id", "audit_hash"}, *const opt[] = {
                                                                                "epoch"};
    int ok = keys_ok(m, req, 3, opt, 1);
    const json_t *ej = ok ? json_object_get(m, "epoch") : NULL;
    if (ej) {
        const char *ehex = json_string_value(ej);
        ok = ehex && strlen(ehex) == 32 && sync_hex_parse(ehex, mark->epoch, 16);
        mark->has_epoch = ok;
    }
    mark->max_seq = ok ? int_of(json_object_get(m, "max_seq"), &ok) : 0;
    mark->audit_id = ok ? int_of(json_object_get(m, "audit_id"), &ok) : 0;
    const char *hex = ok ? json_string_value(json_object_get(m, "audit_hash")) : NULL;
    ok = ok && hex && strlen(hex) == 64 && sync_hex_parse(hex, mark->audit_hash, 32) &&
         mark->max_seq >= 0 && mark->audit_id >= 0;
    mark->present = ok;
    return ok;
}

kiosk_rc sync_results_decode_mark(const char *body, size_t len, sync_result **results, size_t *n,
                                  int64_t *now_ms, sync_mark *mark)
{
    *results = NULL;
    *n = 0;
    *now_ms = 0;
    if (mark)
        memset(mark, 0, sizeof *mark);
    if (len > SYNC_MAX_BODY)
        return KIOSK_RANGE;
    json_t *o = load(body, len);
    static const char *const req[] = {"results"}, *const opt[] = {"now_ms", "mark"};
    json_t *arr = json_object_get(o, "results");
    int ok = keys_ok(o, req, 1, opt, mark ? 2 : 1) && json_is_array(arr) &&
             json_array_size(arr) <= SYNC_MAX_RECORDS;
    json_t *t = ok ? json_object_get(o, "now_ms") : NULL;
    if (t)
        *now_ms = int_of(t, &ok);
    json_t *mj = ok && mark ? json_object_get(o, "mark") : NULL;
    if (mj)
        ok = mark_of(mj, mark);
    size_t count = ok ? json_array_size(arr) : 0;
    sync_result *out = ok ? calloc(count ? count : 1, sizeof *out) : NULL;
    if (ok && !out) {
        json_decref(o);
        return KIOSK_NOMEM;
    }
    for (size_t i = 0; ok && i < count; i++) {
        static const char *const rreq[] = {"uuid", "status"}, *const ropt[] = {"reason",
                                                                               "sealed_sha256"};
        json_t *r = json_array_get(arr, i);
        ok = keys_ok(r, rreq, 2, ropt, 2);
        json_t *hj = ok ? json_object_get(r, "sealed_sha256") : NULL;
        const char *hhex = hj ? json_string_value(hj) : NULL;
        if (hj) {
            ok = hhex && strlen(hhex) == 64 && sync_hex_parse(hhex, out[i].sealed_sha256, 32);
            out[i].has_sealed_sha256 = ok;
        }
        const char *uuid = json_string_value(json_object_get(r, "uuid"));
        const char *status = json_string_value(json_object_get(r, "status"));
        json_t *rj = json_object_get(r, "reason");
        const char *reason = rj ? json_string_value(rj) : "";
        ok = ok && sync_uuid_valid(uuid) && status && reason && reason_ok(reason);
        int st = -1;
        for (int k = 0; ok && k < 3; k++)
            if (!strcmp(status, status_names[k]))
                st = k;
        ok = ok && st >= 0;
        if (ok) {
            memcpy(out[i].uuid, uuid, SYNC_UUID_LEN + 1);
            out[i].status = (sync_status)st;
            snprintf(out[i].reason, sizeof out[i].reason, "%s", reason);
        }
    }
    json_decref(o);
    if (!ok) {
        free(out);
        *now_ms = 0;
        return KIOSK_INVALID;
    }
    *results = out;
    *n = count;
    return KIOSK_OK;
}

kiosk_rc sync_error_encode(const char *code, const char *message, int64_t now_ms, char **body,
                           size_t *len)
{
    json_t *o = json_object();
    if (o && (json_object_set_new(o, "now_ms", json_integer(now_ms)) != 0 ||
              json_object_set_new(o, "error", json_string(code)) != 0 ||
              json_object_set_new(o, "message", json_string(message ? message : "")) != 0)) {
        json_decref(o);
        o = NULL;
    }
    return dump(o, body, len);
}

kiosk_rc sync_error_decode(const char *body, size_t len, char *code, size_t code_size,
                           int64_t *now_ms)
{
    if (code_size)
        code[0] = '\0';
    *now_ms = 0;
    if (len > SYNC_MAX_BODY)
        return KIOSK_RANGE;
    json_t *o = load(body, len);
    const char *c = json_string_value(json_object_get(o, "error"));
    json_t *t = json_object_get(o, "now_ms");
    int ok = json_is_object(o) && c && (!t || json_is_integer(t));
    for (const char *p = c; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || *p == '_';
    if (ok) {
        snprintf(code, code_size, "%s", c);
        *now_ms = t ? (int64_t)json_integer_value(t) : 0;
    }
    json_decref(o);
    return ok ? KIOSK_OK : KIOSK_INVALID;
}

/* ---- kiosk events ---------------------------------------------------------------- */

int sync_event_field_ok(const char *s, int allow_empty)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    if (n >= SYNC_EVENT_FIELD_MAX || (n == 0 && !allow_empty))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return 0;
    return 1;
}

static int event_ok(const sync_event *e)
{
    return e->seq >= 1 && e->at_ms >= 0 && sync_event_field_ok(e->kind, 0) &&
           sync_event_field_ok(e->step, 0) && sync_event_field_ok(e->hall_code, 1);
}

kiosk_rc sync_events_encode(const sync_event *events, size_t n, char **body, size_t *len)
{
    *body = NULL;
    if (len)
        *len = 0;
    if (n > SYNC_MAX_EVENTS)
        return KIOSK_INVALID;
    for (size_t i = 0; i < n; i++)
        if (!event_ok(&events[i]))
            return KIOSK_INVALID;
    json_t *o = json_object(), *arr = json_array();
    int ok = o && arr && json_object_set(o, "events", arr) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *e = json_object();
        ok = e && json_object_set_new(e, "seq", json_integer(events[i].seq)) == 0 &&
             json_object_set_new(e, "kind", json_string(events[i].kind)) == 0 &&
             json_object_set_new(e, "step", json_string(events[i].step)) == 0 &&
             json_object_set_new(e, "hall_code", json_string(events[i].hall_code)) == 0 &&
             json_object_set_new(e, "at_ms", json_integer(events[i].at_ms)) == 0;
        ok = e && json_array_append_new(arr, e) == 0 && ok;
    }
    json_decref(arr);
    if (!ok) {
        json_decref(o);
        o = NULL;
    }
    return dump(o, body, len);
}

static int event_field_of(const json_t *e, const char *key, char *out, int allow_empty)
{
    const char *s = json_string_value(json_object_get(e, key));
    if (!s || !sync_event_field_ok(s, allow_empty))
        return 0;
    snprintf(out, SYNC_EVENT_FIELD_MAX, "%s", s);
    return 1;
}

kiosk_rc sync_events_decode(const char *body, size_t len, sync_event **events, size_t *n)
{
    *events = NULL;
    *n = 0;
    if (len > SYNC_MAX_EVENTS_BODY)
        return KIOSK_RANGE;
    json_t *o = load(body, len);
    static const char *const req[] = {"events"};
    json_t *arr = json_object_get(o, "events");
    int ok = keys_ok(o, req, 1, NULL, 0) && json_is_array(arr) &&
             json_array_size(arr) <= SYNC_MAX_EVENTS;
    size_t count = ok ? json_array_size(arr) : 0;
    sync_event *out = ok ? calloc(count ? count : 1, sizeof *out) : NULL;
    if (ok && !out) {
        json_decref(o);
        return KIOSK_NOMEM;
    }
    for (size_t i = 0; ok && i < count; i++) {
        static const char *const ereq[] = {"seq", "kind", "step", "hall_code", "at_ms"};
        json_t *e = json_array_get(arr, i);
        ok = keys_ok(e, ereq, 5, NULL, 0);
        out[i].seq = ok ? int_of(json_object_get(e, "seq"), &ok) : 0;
        out[i].at_ms = ok ? int_of(json_object_get(e, "at_ms"), &ok) : 0;
        ok = ok && event_field_of(e, "kind", out[i].kind, 0) &&
             event_field_of(e, "step", out[i].step, 0) &&
             event_field_of(e, "hall_code", out[i].hall_code, 1) && event_ok(&out[i]);
        for (size_t k = 0; ok && k < i; k++)
            ok = out[k].seq != out[i].seq;
    }
    json_decref(o);
    if (!ok) {
        free(out);
        return KIOSK_INVALID;
    }
    *events = out;
    *n = count;
    return KIOSK_OK;
}

kiosk_rc sync_event_acks_encode(const int64_t *seqs, size_t n, int64_t now_ms, char **body,
                                size_t *len)
{
    json_t *o = json_object(), *arr = json_array();
    int ok = o && arr && json_object_set_new(o, "now_ms", json_integer(now_ms)) == 0 &&
             json_object_set(o, "acked", arr) == 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = json_array_append_new(arr, json_integer(seqs[i])) == 0;
    json_decref(arr);
    if (!ok) {
        json_decref(o);
        o = NULL;
    }
    return dump(o, body, len);
}

kiosk_rc sync_event_acks_decode(const char *body, size_t len, int64_t **seqs, size_t *n,
                                int64_t *now_ms)
{
    *seqs = NULL;
    *n = 0;
    *now_ms = 0;
    if (len > SYNC_MAX_EVENTS_BODY)
        return KIOSK_RANGE;
    json_t *o = load(body, len);
    static const char *const req[] = {"acked"}, *const opt[] = {"now_ms"};
    json_t *arr = json_object_get(o, "acked");
    int ok =
        keys_ok(o, req, 1, opt, 1) && json_is_array(arr) && json_array_size(arr) <= SYNC_MAX_EVENTS;
    json_t *t = ok ? json_object_get(o, "now_ms") : NULL;
    int64_t now = t ? int_of(t, &ok) : 0;
    size_t count = ok ? json_array_size(arr) : 0;
    int64_t *out = ok ? calloc(count ? count : 1, sizeof *out) : NULL;
    if (ok && !out) {
        json_decref(o);
        return KIOSK_NOMEM;
    }
    for (size_t i = 0; ok && i < count; i++) {
        out[i] = int_of(json_array_get(arr, i), &ok);
        ok = ok && out[i] >= 1;
    }
    json_decref(o);
    if (!ok) {
        free(out);
        return KIOSK_INVALID;
    }
    *seqs = out;
    *n = count;
    *now_ms = now;
    return KIOSK_OK;
}

/* ---- bundle file ----------------------------------------------------------------- */

/* Write head then body to tmp (created or truncated, mode 0600) and fsync it; the file
 * is removed on failure. */
static kiosk_rc write_file(const char *tmp, const char *head, size_t hn, const char *body,
                           size_t len)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EROFS || errno == EACCES ? KIOSK_READ_ONLY
               : errno == ENOSPC                 ? KIOSK_DISK_FULL
                                                 : KIOSK_IO;
    int ok = write(fd, head, hn) == (ssize_t)hn;
    for (size_t off = 0; ok && off < len;) {
        ssize_t w = write(fd, body + off, len - off);
        ok = w > 0;
        off += ok ? (size_t)w : 0;
    }
    ok = ok && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        unlink(tmp);
        return e == ENOSPC ? KIOSK_DISK_FULL : KIOSK_IO;
    }
    return KIOSK_OK;
}

/* A USB stick may be pulled right after: a rename must be on it too. */
static void fsync_dir_of(const char *path)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

/* The hidden temporary path beside path: "<dir>/.<name>.part". */
static int temp_path_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t dl = (size_t)(name - path);
    if (dl >= size)
        return 0;
    memcpy(out, path, dl);
    return sync_bundle_temp_name(name, out + dl, size - dl);
}

int sync_bundle_temp_name(const char *name, char *out, size_t size)
{
    int n = snprintf(out, size, ".%s.part", name);
    return n > 0 && (size_t)n < size;
}

int sync_bundle_is_temp_name(const char *name)
{
    size_t n = strlen(name);
    return n > 6 && name[0] == '.' && strcmp(name + n - 5, ".part") == 0;
}

size_t sync_body_record_size_meta(int64_t seq, size_t sealed_len, int first, const char *type,
                                  const char *receipt_no)
{
    size_t base = sync_body_record_size(seq, sealed_len, first);
    if (!type || !type[0])
        return base;
    /* ,"type":"<t>","receipt_no":"<r>" before the closing brace */
    return base + 10 + strlen(type) + 16 + strlen(receipt_no);
}

size_t sync_body_record_size(int64_t seq, size_t sealed_len, int first)
{
    /* {"uuid":"<36>","seq":N,"sealed":"<b64>","sig":"<128>"} as sync_body_encode writes it */
    char digits[24];
    int d = snprintf(digits, sizeof digits, "%" PRId64, seq);
    return (first ? 0 : 1) + 9 + SYNC_UUID_LEN + 8 + (size_t)d + 11 + b64_encoded_len(sealed_len) +
           9 + 128 + 2;
}

kiosk_rc sync_bundle_write_temp(const char *tmp_path, const uint8_t public_key[32],
                                const uint8_t secret_key[64], int64_t time_ms, const char *body,
                                size_t len)
{
    return sync_bundle_write_temp_for(tmp_path, SYNC_PATH_RECORDS, public_key, secret_key, time_ms,
                                      body, len);
}

kiosk_rc sync_bundle_write_temp_for(const char *tmp_path, const char *signed_path,
                                    const uint8_t public_key[32], const uint8_t secret_key[64],
                                    int64_t time_ms, const char *body, size_t len)
{
    uint8_t sig[64];
    char dev[65], sighex[129], head[320];
    sync_request_sign(secret_key, SYNC_BUNDLE_METHOD, signed_path, time_ms, body, len, sig);
    sync_hex_format(public_key, 32, dev);
    sync_hex_format(sig, 64, sighex);
    int hn = snprintf(head, sizeof head,
                      "kiosk-bundle-v1\ndevice %s\ntime %" PRId64 "\nsignature %s\n\n", dev,
                      time_ms, sighex);
    return write_file(tmp_path, head, (size_t)hn, body, len);
}

kiosk_rc sync_bundle_write(const char *path, const uint8_t public_key[32],
                           const uint8_t secret_key[64], int64_t time_ms, const char *body,
                           size_t len)
{
    char tmp[4200];
    if (!temp_path_of(path, tmp, sizeof tmp))
        return KIOSK_INVALID;
    kiosk_rc rc = sync_bundle_write_temp(tmp, public_key, secret_key, time_ms, body, len);
    if (rc != KIOSK_OK)
        return rc;
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return KIOSK_IO;
    }
    fsync_dir_of(path);
    return KIOSK_OK;
}

/* One header line "<key> <value>\n" at *p; value borrowed into val (NUL-terminated). */
static int header_line(const char **p, const char *end, const char *key, char *val, size_t size)
{
    size_t kl = strlen(key);
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl || (size_t)(nl - *p) <= kl + 1 || memcmp(*p, key, kl) != 0 || (*p)[kl] != ' ')
        return 0;
    size_t vl = (size_t)(nl - *p) - kl - 1;
    if (vl >= size)
        return 0;
    /* printable ASCII only: a NUL would end the value early for the checks after this */
    for (size_t i = 0; i < vl; i++)
        if ((*p)[kl + 1 + i] < 0x21 || (*p)[kl + 1 + i] > 0x7e)
            return 0;
    memcpy(val, *p + kl + 1, vl);
    val[vl] = '\0';
    *p = nl + 1;
    return 1;
}

kiosk_rc sync_bundle_parse(const char *data, size_t len, sync_bundle *out)
{
    memset(out, 0, sizeof *out);
    static const char magic[] = "kiosk-bundle-v1\n";
    const char *p = data, *end = data + len;
    char dev[80], t[32], sig[160];
    if (len < sizeof magic - 1 || memcmp(data, magic, sizeof magic - 1) != 0)
        return KIOSK_INVALID;
    p += sizeof magic - 1;
    if (!header_line(&p, end, "device", dev, sizeof dev) ||
        !header_line(&p, end, "time", t, sizeof t) ||
        !header_line(&p, end, "signature", sig, sizeof sig) || p >= end || *p != '\n')
        return KIOSK_INVALID;
    p++;
    char *tend = NULL;
    errno = 0;
    long long tv = strtoll(t, &tend, 10);
    if (errno || tend == t || *tend || tv < 0 || !sync_hex_parse(dev, out->device, 32) ||
        !sync_hex_parse(sig, out->sig, 64)) {
        memset(out, 0, sizeof *out);
        return KIOSK_INVALID;
    }
    if ((size_t)(end - p) > SYNC_MAX_BODY) {
        memset(out, 0, sizeof *out);
        return KIOSK_RANGE;
    }
    out->time_ms = tv;
    out->body = p;
    out->body_len = (size_t)(end - p);
    return KIOSK_OK;
}

/* ---- acknowledgement bundle ------------------------------------------------------ */

static size_t acks_message(const uint8_t device[32], int64_t time_ms, const void *body, size_t len,
                           char *msg, size_t size)
{
    uint8_t h[32];
    char dev[65], hex[65];
    sync_sha256(h, body, len);
    sodium_bin2hex(dev, sizeof dev, device, 32);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    int n = snprintf(msg, size, "kiosk-acks-v1\n%s\n%" PRId64 "\n%zu\n%s", dev, time_ms, len, hex);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

void sync_acks_sign(const uint8_t hub_secret_key[64], const uint8_t device[32], int64_t time_ms,
                    const void *body, size_t len, uint8_t sig[64])
{
    char msg[256];
    size_t n = acks_message(device, time_ms, body, len, msg, sizeof msg);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, n, hub_secret_key);
}

int sync_acks_verify(const uint8_t hub_public_key[32], const uint8_t device[32], int64_t time_ms,
                     const void *body, size_t len, const uint8_t sig[64])
{
    char msg[256];
    size_t n = acks_message(device, time_ms, body, len, msg, sizeof msg);
    return n > 0 && crypto_sign_verify_detached(sig, (const uint8_t *)msg, n, hub_public_key) == 0;
}

kiosk_rc sync_acks_write(const char *path, const uint8_t hub_secret_key[64],
                         const uint8_t device[32], int64_t time_ms, const char *body, size_t len)
{
    uint8_t sig[64], hub[32];
    char dev[65], hubhex[65], sighex[129], head[400], tmp[4200];
    if (!temp_path_of(path, tmp, sizeof tmp))
        return KIOSK_INVALID;
    crypto_sign_ed25519_sk_to_pk(hub, hub_secret_key);
    sync_acks_sign(hub_secret_key, device, time_ms, body, len, sig);
    sync_hex_format(device, 32, dev);
    sync_hex_format(hub, 32, hubhex);
    sync_hex_format(sig, 64, sighex);
    int hn = snprintf(head, sizeof head,
                      SYNC_ACKS_MAGIC "device %s\nhub %s\ntime %" PRId64 "\nsignature %s\n\n", dev,
                      hubhex, time_ms, sighex);
    kiosk_rc rc = write_file(tmp, head, (size_t)hn, body, len);
    if (rc != KIOSK_OK)
        return rc;
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return KIOSK_IO;
    }
    fsync_dir_of(path);
    return KIOSK_OK;
}

kiosk_rc sync_acks_parse(const char *data, size_t len, sync_acks *out)
{
    memset(out, 0, sizeof *out);
    static const char magic[] = SYNC_ACKS_MAGIC;
    const char *p = data, *end = data + len;
    char dev[80], hub[80], t[32], sig[160];
    if (len < sizeof magic - 1 || memcmp(data, magic, sizeof magic - 1) != 0)
        return KIOSK_INVALID;
    p += sizeof magic - 1;
    if (!header_line(&p, end, "device", dev, sizeof dev) ||
        !header_line(&p, end, "hub", hub, sizeof hub) ||
        !header_line(&p, end, "time", t, sizeof t) ||
        !header_line(&p, end, "signature", sig, sizeof sig) || p >= end || *p != '\n')
        return KIOSK_INVALID;
    p++;
    char *tend = NULL;
    errno = 0;
    long long tv = strtoll(t, &tend, 10);
    /* digits only, no leading zero: one spelling for one time */
    if (errno || tend == t || *tend || tv < 0 || t[0] < '0' || t[0] > '9' ||
        (t[0] == '0' && t[1]) || !sync_hex_parse(dev, out->device, 32) ||
        !sync_hex_parse(hub, out->hub, 32) || !sync_hex_parse(sig, out->sig, 64)) {
        memset(out, 0, sizeof *out);
        return KIOSK_INVALID;
    }
    if ((size_t)(end - p) > SYNC_MAX_BODY) {
        memset(out, 0, sizeof *out);
        return KIOSK_RANGE;
    }
    out->time_ms = tv;
    out->body = p;
    out->body_len = (size_t)(end - p);
    return KIOSK_OK;
}

void sync_acks_file_name(const uint8_t device[32], char out[SYNC_ACKS_NAME_MAX])
{
    char hex[65];
    sync_hex_format(device, 32, hex);
    snprintf(out, SYNC_ACKS_NAME_MAX, "%.16s.acks", hex);
}
