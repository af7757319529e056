/*
 * Making, parsing and verifying receipt payloads with libsodium (Ed25519, SHA-256).
 * The parser is strict: one version, exact field lengths, uppercase base32 only, so an
 * altered code fails at parse or at the signature, never by accident passes.
 */
#include "proto/receipt_payload.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PREFIX "KR1/"
#define SIG_CHARS 103 /* ceil(64 * 8 / 5) */
#define HASH_CHARS 16 /* 10 bytes */

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static size_t base32_encode(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;
    unsigned buf = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        buf = (buf << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = b32[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = b32[(buf << (5 - bits)) & 31];
    out[o] = '\0';
    return o;
}

/* Decode exactly `chars` characters into n bytes; the unused low bits must be zero so
 * that every byte string has exactly one encoding. */
static int base32_decode(const char *in, size_t chars, uint8_t *out, size_t n)
{
    unsigned buf = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < chars; i++) {
        const char *p = in[i] ? strchr(b32, in[i]) : NULL;
        if (!p)
            return 0;
        buf = (buf << 5) | (unsigned)(p - b32);
        bits += 5;
        if (bits >= 8) {
            if (o == n)
                return 0;
            out[o++] = (uint8_t)(buf >> (bits - 8));
            bits -= 8;
        }
    }
    return o == n && (buf & ((1u << bits) - 1)) == 0;
}

void receipt_device_id(const uint8_t public_key[32], char out[RECEIPT_DEVICE_ID_LEN + 1])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, public_key, 32);
    base32_encode(h, 5, out);
}

void receipt_bundle_base(const char *hall_code, const uint8_t public_key[32], time_t when,
                         char *out, size_t size)
{
    char id[RECEIPT_DEVICE_ID_LEN + 1], stamp[32];
    struct tm tm;
    receipt_device_id(public_key, id);
    localtime_r(&when, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(out, size, "%s-%s-%s", hall_code, id, stamp);
}

static int valid_receipt_no(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > RECEIPT_NO_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-'))
            return 0;
    return 1;
}

static int valid_time(const char *s)
{
    if (strlen(s) != 14)
        return 0;
    for (int i = 0; i < 14; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

kiosk_rc receipt_payload_make(const char *receipt_no, const char *time,
                              const uint8_t record_hash[32], const uint8_t secret_key[64],
                              const uint8_t public_key[32], char out[RECEIPT_PAYLOAD_MAX])
{
    if (!valid_receipt_no(receipt_no) || !valid_time(time))
        return KIOSK_INVALID;
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    char dev[RECEIPT_DEVICE_ID_LEN + 1], hash[HASH_CHARS + 1];
    receipt_device_id(public_key, dev);
    base32_encode(record_hash, RECEIPT_HASH_PREFIX, hash);
    int n = snprintf(out, RECEIPT_PAYLOAD_MAX, PREFIX "%s/%s/%s/%s/", dev, receipt_no, time, hash);
    if (n < 0 || (size_t)n + SIG_CHARS + 1 > RECEIPT_PAYLOAD_MAX)
        return KIOSK_INVALID;
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)out, (size_t)n, secret_key);
    base32_encode(sig, sizeof sig, out + n);
    return KIOSK_OK;
}

/* Fields between slashes; *signed_len is the length of what the signature covers. */
static kiosk_rc split(const char *payload, receipt_claim *c, uint8_t sig[64], size_t *signed_len)
{
    if (strncmp(payload, PREFIX, strlen(PREFIX)) != 0)
        return KIOSK_INVALID;
    const char *f[5];
    size_t len[5];
    const char *p = payload + strlen(PREFIX);
    for (int i = 0; i < 5; i++) {
        f[i] = p;
        const char *slash = strchr(p, '/');
        if (i < 4) {
            if (!slash)
                return KIOSK_INVALID;
            len[i] = (size_t)(slash - p);
            p = slash + 1;
        } else {
            if (slash)
                return KIOSK_INVALID;
            len[i] = strlen(p);
        }
    }
    if (len[0] != RECEIPT_DEVICE_ID_LEN || len[1] < 1 || len[1] > RECEIPT_NO_MAX || len[2] != 14 ||
        len[3] != HASH_CHARS || len[4] != SIG_CHARS)
        return KIOSK_INVALID;
    memcpy(c->device_id, f[0], len[0]);
    c->device_id[len[0]] = '\0';
    memcpy(c->receipt_no, f[1], len[1]);
    c->receipt_no[len[1]] = '\0';
    memcpy(c->time, f[2], 14);
    c->time[14] = '\0';
    uint8_t dev_bytes[5];
    if (!base32_decode(c->device_id, RECEIPT_DEVICE_ID_LEN, dev_bytes, 5) ||
        !valid_receipt_no(c->receipt_no) || !valid_time(c->time) ||
        !base32_decode(f[3], HASH_CHARS, c->hash_prefix, RECEIPT_HASH_PREFIX) ||
        !base32_decode(f[4], SIG_CHARS, sig, 64))
        return KIOSK_INVALID;
    *signed_len = (size_t)(f[4] - payload);
    return KIOSK_OK;
}

const char *receipt_payload_in(const char *text)
{
    if (!text)
        return NULL;
    if (!strncmp(text, PREFIX, strlen(PREFIX)))
        return text;
    if (strncasecmp(text, "https://", 8) != 0 && strncasecmp(text, "http://", 7) != 0)
        return NULL;
    const char *p = strstr(text, "/" PREFIX);
    return p ? p + 1 : NULL;
}

kiosk_rc receipt_payload_parse(const char *payload, receipt_claim *out)
{
    uint8_t sig[64];
    size_t signed_len;
    return split(payload, out, sig, &signed_len);
}

kiosk_rc receipt_payload_verify(const char *payload, const uint8_t public_key[32],
                                receipt_claim *out)
{
    receipt_claim c;
    uint8_t sig[64];
    size_t signed_len;
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    kiosk_rc rc = split(payload, &c, sig, &signed_len);
    if (rc != KIOSK_OK)
        return rc;
    char dev[RECEIPT_DEVICE_ID_LEN + 1];
    receipt_device_id(public_key, dev);
    if (strcmp(dev, c.device_id) != 0)
        return KIOSK_NOT_FOUND;
    if (crypto_sign_verify_detached(sig, (const uint8_t *)payload, signed_len, public_key) != 0)
        return KIOSK_CRYPTO;
    if (out)
        *out = c;
    return KIOSK_OK;
}
