/* Tests of the kiosk-hub wire protocol: exact bytes of the bodies, signatures over
 * records and requests (and that any change breaks them), the strictness of both
 * parsers of outside bytes, and the bundle file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/sync_proto.h"

#define UUID "0f8fad5b-d9cb-469f-a165-70867728950e"

static uint8_t pk[32], sk[64], sealed49[49];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    crypto_sign_keypair(pk, sk);
    for (int i = 0; i < 49; i++)
        sealed49[i] = (uint8_t)i;
    return 0;
}

static sync_record sample(void)
{
    sync_record r = {.seq = 7, .sealed = sealed49, .sealed_len = sizeof sealed49};
    memcpy(r.uuid, UUID, sizeof r.uuid);
    sync_record_sign(&r, sk);
    return r;
}

static void test_uuid_and_hex(void **state)
{
    (void)state;
    assert_true(sync_uuid_valid(UUID));
    assert_false(sync_uuid_valid("0F8FAD5B-D9CB-469F-A165-70867728950E"));
    assert_false(sync_uuid_valid("0f8fad5b-d9cb-469f-a165-70867728950"));
    assert_false(sync_uuid_valid("0f8fad5bxd9cb-469f-a165-70867728950e"));
    assert_false(sync_uuid_valid(NULL));
    uint8_t b[2];
    char out[5];
    assert_true(sync_hex_parse("0aFf", b, 2));
    assert_int_equal(b[0], 0x0a);
    assert_int_equal(b[1], 0xff);
    sync_hex_format(b, 2, out);
    assert_string_equal(out, "0aff");
    assert_false(sync_hex_parse("0aF", b, 2));
    assert_false(sync_hex_parse("0aFg", b, 2));
    assert_false(sync_hex_parse("0a:f", b, 2));
}

static void test_record_signature(void **state)
{
    (void)state;
    sync_record r = sample();
    assert_true(sync_record_verify(&r, pk));
    uint8_t other_pk[32], other_sk[64];
    crypto_sign_keypair(other_pk, other_sk);
    assert_false(sync_record_verify(&r, other_pk));
    r.seq = 8;
    assert_false(sync_record_verify(&r, pk));
    r = sample();
    uint8_t copy[49];
    memcpy(copy, sealed49, sizeof copy);
    copy[30] ^= 1;
    r.sealed = copy;
    assert_false(sync_record_verify(&r, pk));
    r = sample();
    r.uuid[0] = '1';
    assert_false(sync_record_verify(&r, pk));
}

/* Version 2 of the record signature binds the store epoch: the same record verifies as a
 * record of its own epoch only; a version 1 signature (saved before) still verifies. */
static void test_record_signature_binds_epoch(void **state)
{
    (void)state;
    uint8_t ea[16], eb[16], hash[32], want[32];
    memset(ea, 0xA1, 16);
    memset(eb, 0xB2, 16);
    crypto_hash_sha256(want, sealed49, sizeof sealed49);
    sync_record r = sample();
    sync_record_sign_epoch(&r, ea, sk);
    assert_int_equal(sync_record_verify_epoch(&r, ea, pk, hash), 2);
    assert_memory_equal(hash, want, 32);
    assert_int_equal(sync_record_verify_epoch(&r, eb, pk, hash), 0);
    assert_int_equal(sync_record_verify_epoch(&r, NULL, pk, hash), 0);
    assert_false(sync_record_verify(&r, pk));
    r.seq = 8;
    assert_int_equal(sync_record_verify_epoch(&r, ea, pk, hash), 0);
    r = sample(); /* version 1 */
    assert_int_equal(sync_record_verify_epoch(&r, ea, pk, hash), 1);
    assert_int_equal(sync_record_verify_epoch(&r, NULL, pk, hash), 1);
    assert_memory_equal(hash, want, 32);
    /* the exact message */
    uint8_t msg[SYNC_RECORD_MSG_MAX];
    size_t n = sync_record_message_epoch(UUID, 7, ea, sealed49, sizeof sealed49, msg);
    static const char prefix[] = "kiosk-record-v2\n" UUID "\n7\n"
                                 "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1\n";
    assert_int_equal(n, strlen(prefix) + 32);
    assert_memory_equal(msg, prefix, strlen(prefix));
    assert_memory_equal(msg + strlen(prefix), want, 32);
}

static void test_request_signature(void **state)
{
    (void)state;
    uint8_t sig[64];
    const char body[] = "{\"records\":[]}";
    sync_request_sign(sk, "POST", SYNC_PATH_RECORDS, 1795363199000LL, body, strlen(body), sig);
    assert_true(sync_request_verify(pk, "POST", SYNC_PATH_RECORDS, 1795363199000LL, body,
                                    strlen(body), sig));
    assert_false(sync_request_verify(pk, "POST", SYNC_PATH_RECORDS, 1795363199001LL, body,
                                     strlen(body), sig));
    assert_false(sync_request_verify(pk, "BUNDLE", SYNC_PATH_RECORDS, 1795363199000LL, body,
                                     strlen(body), sig));
    assert_false(
        sync_request_verify(pk, "POST", "/v1/other", 1795363199000LL, body, strlen(body), sig));
    assert_false(sync_request_verify(pk, "POST", SYNC_PATH_RECORDS, 1795363199000LL, body,
                                     strlen(body) - 1, sig));
}

/* Version 2: the body enters as its hash and length, and nothing else may vary. */
static void test_request_signature_v2(void **state)
{
    (void)state;
    uint8_t sig[64], h[32], other[32];
    const char body[] = "{\"records\":[]}";
    crypto_hash_sha256(h, (const uint8_t *)body, strlen(body));
    memcpy(other, h, 32);
    other[31] ^= 1;
    const int64_t t = 1795363199000LL;
    sync_request_sign_v2(sk, "POST", SYNC_PATH_RECORDS_V2, t, h, strlen(body), sig);
    assert_true(sync_request_verify_v2(pk, "POST", SYNC_PATH_RECORDS_V2, t, h, strlen(body), sig));
    assert_false(
        sync_request_verify_v2(pk, "POST", SYNC_PATH_RECORDS_V2, t + 1, h, strlen(body), sig));
    assert_false(
        sync_request_verify_v2(pk, "POST", SYNC_PATH_RECORDS_V2, t, h, strlen(body) + 1, sig));
    assert_false(
        sync_request_verify_v2(pk, "POST", SYNC_PATH_RECORDS_V2, t, other, strlen(body), sig));
    assert_false(sync_request_verify_v2(pk, "POST", SYNC_PATH_RECORDS, t, h, strlen(body), sig));
    assert_false(sync_request_verify_v2(pk, "PUT", SYNC_PATH_RECORDS_V2, t, h, strlen(body), sig));
    /* a v1 signature over the same request is not a v2 one */
    sync_request_sign(sk, "POST", SYNC_PATH_RECORDS_V2, t, body, strlen(body), sig);
    assert_false(sync_request_verify_v2(pk, "POST", SYNC_PATH_RECORDS_V2, t, h, strlen(body), sig));
}

/* The hub's reply signature binds device, request, status and body. */
static void test_reply_signature(void **state)
{
    (void)state;
    uint8_t hub_pk[32], hub_sk[64], req[64], sig[64], dev[32];
    crypto_sign_keypair(hub_pk, hub_sk);
    randombytes_buf(req, sizeof req);
    memcpy(dev, pk, 32);
    const char body[] = "{\"now_ms\":1,\"results\":[]}";
    size_t len = strlen(body);
    sync_reply_sign(hub_sk, dev, req, 200, body, len, sig);
    assert_true(sync_reply_verify(hub_pk, dev, req, 200, body, len, sig));
    assert_false(sync_reply_verify(pk, dev, req, 200, body, len, sig)); /* another key */
    assert_false(sync_reply_verify(hub_pk, dev, req, 201, body, len, sig));
    assert_false(sync_reply_verify(hub_pk, dev, req, 200, body, len - 1, sig));
    dev[0] ^= 1;
    assert_false(sync_reply_verify(hub_pk, dev, req, 200, body, len, sig));
    dev[0] ^= 1;
    req[63] ^= 1;
    assert_false(sync_reply_verify(hub_pk, dev, req, 200, body, len, sig));
    req[63] ^= 1;
    char tampered[sizeof body];
    memcpy(tampered, body, sizeof body);
    tampered[9] = '2';
    assert_false(sync_reply_verify(hub_pk, dev, req, 200, tampered, len, sig));
}

static void test_body_exact_bytes_and_round_trip(void **state)
{
    (void)state;
    sync_record r = sample();
    char *body;
    size_t len;
    assert_int_equal(sync_body_encode(&r, 1, &body, &len), KIOSK_OK);
    char sig[129], want[512];
    sync_hex_format(r.sig, 64, sig);
    snprintf(want, sizeof want,
             "{\"records\":[{\"uuid\":\"" UUID "\",\"seq\":7,\"sealed\":"
             "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA==\","
             "\"sig\":\"%s\"}]}",
             sig);
    assert_string_equal(body, want);
    assert_int_equal(len, strlen(want));

    sync_record *got;
    size_t n;
    assert_int_equal(sync_body_decode(body, len, &got, &n), KIOSK_OK);
    assert_int_equal(n, 1);
    assert_string_equal(got[0].uuid, UUID);
    assert_int_equal(got[0].seq, 7);
    assert_int_equal(got[0].sealed_len, 49);
    assert_memory_equal(got[0].sealed, sealed49, 49);
    assert_true(sync_record_verify(&got[0], pk));
    sync_records_free(got, n);
    free(body);

    assert_int_equal(sync_body_encode(NULL, 0, &body, &len), KIOSK_OK);
    assert_string_equal(body, "{\"records\":[]}");
    assert_int_equal(sync_body_decode(body, len, &got, &n), KIOSK_OK);
    assert_int_equal(n, 0);
    sync_records_free(got, n);
    free(body);
}

/* Version 3, the binary body: the exact layout, a round trip with and without a head
 * (with and without its epoch), and every malformed form refused: each truncation, a
 * byte more, another magic, an unknown head flag, a count the body cannot hold, a bad
 * uuid, seq 0, a sealed length too short, a head where none is wanted. */
/* The largest audit id and seq (INT64_MAX), which version 3's binary carries, go through
 * version 2's JSON and back; one more is refused (found by fuzz_sync_request). */
static void test_body_json_takes_int64_max(void **state)
{
    (void)state;
    sync_record r = sample();
    r.seq = INT64_MAX;
    sync_head head = {.present = 1, .audit_id = INT64_MAX};
    char *body;
    size_t len;
    assert_int_equal(sync_body_encode_head(&r, 1, &head, &body, &len), KIOSK_OK);
    sync_record *got;
    size_t n;
    sync_head h;
    assert_int_equal(sync_body_decode_head(body, len, &got, &n, &h), KIOSK_OK);
    assert_int_equal(n, 1);
    assert_true(got[0].seq == INT64_MAX && h.audit_id == INT64_MAX);
    sync_records_free(got, n);
    char *at = strstr(body, "9223372036854775807");
    assert_non_null(at);
    at[18] = '8'; /* the seq, one over */
    assert_int_equal(sync_body_decode_head(body, len, &got, &n, &h), KIOSK_INVALID);
    free(body);
}

static void test_body_v3_exact_bytes_round_trip_and_refusals(void **state)
{
    (void)state;
    sync_record r[2] = {sample(), sample()};
    r[1].seq = 8;
    r[1].uuid[35] = 'f';
    sync_head head = {.present = 1, .audit_id = 42, .has_epoch = 1};
    memset(head.audit_hash, 0xAB, 32);
    memset(head.epoch, 0x5C, 16);
    char *body;
    size_t len;
    assert_int_equal(sync_body_encode_v3(r, 2, &head, &body, &len), KIOSK_OK);
    size_t one = SYNC_UUID_LEN + 8 + 4 + 49 + 64;
    assert_int_equal(len, 8 + 2 * one + 1 + 8 + 32 + 16);
    const uint8_t *u = (const uint8_t *)body;
    assert_memory_equal(u, "KSR3\0\0\0\2", 8);
    assert_memory_equal(u + 8, UUID, SYNC_UUID_LEN);
    assert_memory_equal(u + 8 + SYNC_UUID_LEN, "\0\0\0\0\0\0\0\7\0\0\0\x31", 12);
    assert_memory_equal(u + 8 + SYNC_UUID_LEN + 12, sealed49, 49);
    assert_memory_equal(u + 8 + one - 64, r[0].sig, 64);
    assert_int_equal(u[8 + 2 * one], 3);
    assert_memory_equal(u + 8 + 2 * one + 1, "\0\0\0\0\0\0\0\x2a", 8);

    sync_record *got;
    size_t n;
    sync_head h;
    assert_int_equal(sync_body_decode_v3(body, len, &got, &n, &h), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_string_equal(got[1].uuid, r[1].uuid);
    assert_int_equal(got[1].seq, 8);
    assert_int_equal(got[0].sealed_len, 49);
    assert_memory_equal(got[0].sealed, sealed49, 49);
    assert_true(sync_record_verify(&got[0], pk));
    assert_true(h.present && h.has_epoch && h.audit_id == 42);
    assert_memory_equal(h.audit_hash, head.audit_hash, 32);
    assert_memory_equal(h.epoch, head.epoch, 16);
    sync_records_free(got, n);
    /* a head where the caller wants none */
    assert_int_equal(sync_body_decode_v3(body, len, &got, &n, NULL), KIOSK_INVALID);
    /* every truncation, and a byte more */
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(sync_body_decode_v3(body, cut, &got, &n, &h), KIOSK_INVALID);
    char *more = malloc(len + 1);
    memcpy(more, body, len);
    more[len] = 0;
    assert_int_equal(sync_body_decode_v3(more, len + 1, &got, &n, &h), KIOSK_INVALID);
    /* one byte changed where the decoder must look */
    const struct {
        size_t at;
        uint8_t to;
    } bad[] = {
        {0, 'k'},                     /* magic */
        {7, 3},                       /* count: more than there are */
        {4, 0x7f},                    /* count: more than the body could hold */
        {8 + 8, 'X'},                 /* uuid */
        {8 + SYNC_UUID_LEN + 7, 0},   /* seq 0 */
        {8 + SYNC_UUID_LEN, 0x80},    /* seq over INT64_MAX */
        {8 + SYNC_UUID_LEN + 11, 16}, /* sealed shorter than a sealed box */
        {8 + 2 * one, 2},             /* an epoch without a head */
        {8 + 2 * one, 4},             /* an unknown flag */
        {8 + 2 * one + 1, 0x80},      /* audit id over INT64_MAX */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(more, body, len);
        more[bad[i].at] = (char)bad[i].to;
        assert_int_equal(sync_body_decode_v3(more, len, &got, &n, &h), KIOSK_INVALID);
    }
    free(more);
    free(body);

    /* no head, and no records */
    assert_int_equal(sync_body_encode_v3(r, 1, NULL, &body, &len), KIOSK_OK);
    assert_int_equal(sync_body_decode_v3(body, len, &got, &n, NULL), KIOSK_OK);
    assert_int_equal(n, 1);
    sync_records_free(got, n);
    free(body);
    head.has_epoch = 0;
    assert_int_equal(sync_body_encode_v3(NULL, 0, &head, &body, &len), KIOSK_OK);
    assert_int_equal(len, 8 + 1 + 8 + 32);
    assert_int_equal(sync_body_decode_v3(body, len, &got, &n, &h), KIOSK_OK);
    assert_int_equal(n, 0);
    assert_true(h.present && !h.has_epoch && h.audit_id == 42);
    sync_records_free(got, n);
    free(body);
    assert_int_equal(sync_body_decode_v3("KSR3", 4, &got, &n, &h), KIOSK_INVALID);
}

static void test_body_decode_refuses_malformed(void **state)
{
    (void)state;
    char sig[129];
    sync_record r = sample();
    sync_hex_format(r.sig, 64, sig);
    const char *b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA==";
    char bad[16][700];
    int k = 0;
#define REC(u, seq, sealed, s, extra)                                                              \
    snprintf(bad[k++], sizeof bad[0],                                                              \
             "{\"records\":[{\"uuid\":\"%s\",\"seq\":%s,\"sealed\":\"%s\",\"sig\":\"%s\"%s}]}", u, \
             seq, sealed, s, extra)
    REC(UUID, "0", b64, sig, "");                                   /* seq below 1 */
    REC(UUID, "\"7\"", b64, sig, "");                               /* seq as text */
    REC("0F8FAD5B-D9CB-469F-A165-70867728950E", "7", b64, sig, ""); /* uppercase uuid */
    REC(UUID, "7", "AAEC*wQF", sig, "");                            /* not base64 */
    REC(UUID, "7", "AAECAwQF", sig, "");                            /* shorter than a sealed box */
    REC(UUID, "7", b64, "00", "");                                  /* short signature */
    REC(UUID, "7", b64, sig, ",\"x\":1");                           /* unknown key */
    REC(UUID, "7", b64, sig, ",\"seq\":8");                         /* duplicate key */
    snprintf(bad[k++], sizeof bad[0], "{\"records\":[{\"uuid\":\"%s\"}]}", UUID);
    snprintf(bad[k++], sizeof bad[0], "{\"records\":{}}");
    snprintf(bad[k++], sizeof bad[0], "{\"records\":[],\"more\":1}");
    snprintf(bad[k++], sizeof bad[0], "[]");
    snprintf(bad[k++], sizeof bad[0], "{\"records\":[]");
    snprintf(bad[k++], sizeof bad[0], "%s", "");
#undef REC
    for (int i = 0; i < k; i++) {
        sync_record *got = (sync_record *)1;
        size_t n = 99;
        assert_int_equal(sync_body_decode(bad[i], strlen(bad[i]), &got, &n), KIOSK_INVALID);
        assert_null(got);
        assert_int_equal(n, 0);
    }
    sync_record *got;
    size_t n;
    assert_int_equal(sync_body_decode("{}", SYNC_MAX_BODY + 1, &got, &n), KIOSK_RANGE);
}

/* The sealed field's base64 (a table codec: the value is found by its closing quote and
 * every byte of it is checked by the decoder alone) is strict: every padding form round-trips to
 * RFC 4648's exact bytes, and anything else a lax decoder might take is refused — missing, short,
 * extra or inner padding, bits under the padding, whitespace, trailing bytes, the URL-safe
 * alphabet, bytes over 0x7F, JSON escapes and control bytes. */
static void test_body_base64_strictness(void **state)
{
    (void)state;
    static const char *const exact[] = {
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA==",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDE=",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEy",
    };
    uint8_t bytes[51];
    for (int i = 0; i < 51; i++)
        bytes[i] = (uint8_t)i;
    char sig[129], body[700], *enc;
    size_t len, n;
    sync_record *got;
    for (size_t k = 0; k < 3; k++) {
        sync_record r = {.seq = 7, .sealed = bytes, .sealed_len = 49 + k};
        memcpy(r.uuid, UUID, sizeof r.uuid);
        sync_record_sign(&r, sk);
        assert_int_equal(sync_body_encode(&r, 1, &enc, &len), KIOSK_OK);
        assert_non_null(strstr(enc, exact[k]));
        assert_int_equal(sync_body_decode(enc, len, &got, &n), KIOSK_OK);
        assert_int_equal(got[0].sealed_len, 49 + k);
        assert_memory_equal(got[0].sealed, bytes, 49 + k);
        sync_records_free(got, n);
        free(enc);
    }
    sync_record r = sample();
    sync_hex_format(r.sig, 64, sig);
    static const char *const bad[] = {
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA",       /* unpadded */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA=",      /* short pad */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA===",    /* extra pad */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA====",   /* pad group */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMB==",     /* bits set */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDE",      /* unpadded */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDF=",     /* bits set */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA==AAAA", /* after */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA==x",    /* after */
        "AA==AwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEy",     /* inner */
        "AAEC AwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA==",    /* space */
        " AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA==",    /* space */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4_MA==",     /* URL-safe */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4\x84MA==",  /* high */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA\xbd\xbd", /* high */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4\\/MA==",     /* escape */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA\x01=",    /* control */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMA\t=",      /* tab */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"records\":[{\"uuid\":\"" UUID
                 "\",\"seq\":7,\"sealed\":\"%s\",\"sig\":\"%s\"}]}",
                 bad[i], sig);
        got = (sync_record *)1;
        if (sync_body_decode(body, strlen(body), &got, &n) != KIOSK_INVALID)
            fail_msg("sealed value %zu accepted: %s", i, bad[i]);
        assert_null(got);
    }
}

static void test_results_round_trip_and_refusals(void **state)
{
    (void)state;
    sync_result in[3] = {{.status = SYNC_ACCEPTED},
                         {.status = SYNC_DUPLICATE},
                         {.status = SYNC_REJECTED, .reason = "bad_record_signature"}};
    for (int i = 0; i < 3; i++)
        memcpy(in[i].uuid, UUID, sizeof in[i].uuid);
    char *body;
    size_t len;
    assert_int_equal(sync_results_encode(in, 3, 42, &body, &len), KIOSK_OK);
    assert_string_equal(body, "{\"now_ms\":42,\"results\":["
                              "{\"uuid\":\"" UUID "\",\"status\":\"accepted\",\"reason\":\"\"},"
                              "{\"uuid\":\"" UUID "\",\"status\":\"duplicate\",\"reason\":\"\"},"
                              "{\"uuid\":\"" UUID "\",\"status\":\"rejected\","
                              "\"reason\":\"bad_record_signature\"}]}");
    sync_result *out;
    size_t n;
    int64_t now;
    assert_int_equal(sync_results_decode(body, len, &out, &n, &now), KIOSK_OK);
    assert_int_equal(n, 3);
    assert_int_equal(now, 42);
    assert_int_equal(out[1].status, SYNC_DUPLICATE);
    assert_string_equal(out[2].reason, "bad_record_signature");
    free(out);
    free(body);

    const char *bad[] = {
        "<html>502 Bad Gateway</html>",
        "{\"results\":[{\"uuid\":\"" UUID "\",\"status\":\"maybe\"}]}",
        "{\"results\":[{\"uuid\":\"" UUID "\",\"status\":\"rejected\",\"reason\":\"Nope!\"}]}",
        "{\"results\":[{\"status\":\"accepted\"}]}",
        "{\"results\":[{\"uuid\":\"x\",\"status\":\"accepted\"}]}",
        "{\"results\":[],\"now_ms\":\"soon\"}",
        "{\"results\":[],\"extra\":true}",
        "{\"error\":\"internal\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        out = (sync_result *)1;
        assert_int_equal(sync_results_decode(bad[i], strlen(bad[i]), &out, &n, &now),
                         KIOSK_INVALID);
        assert_null(out);
    }
    assert_int_equal(sync_results_decode("{\"results\":[]}", 14, &out, &n, &now), KIOSK_OK);
    assert_int_equal(n, 0);
    assert_int_equal(now, 0);
    free(out);

    /* v2: each result may name the sealed bytes' hash, exactly 64 hex */
    in[0].has_sealed_sha256 = 1;
    memset(in[0].sealed_sha256, 0xab, 32);
    assert_int_equal(sync_results_encode(in, 1, 7, &body, &len), KIOSK_OK);
    assert_non_null(strstr(body, "\"sealed_sha256\":\"abababab"));
    assert_int_equal(sync_results_decode(body, len, &out, &n, &now), KIOSK_OK);
    assert_true(out[0].has_sealed_sha256);
    assert_memory_equal(out[0].sealed_sha256, in[0].sealed_sha256, 32);
    free(out);
    free(body);
    const char *bad_hash[] = {
        "{\"results\":[{\"uuid\":\"" UUID "\",\"status\":\"accepted\",\"sealed_sha256\":\"ab\"}]}",
        "{\"results\":[{\"uuid\":\"" UUID "\",\"status\":\"accepted\",\"sealed_sha256\":7}]}",
    };
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(sync_results_decode(bad_hash[i], strlen(bad_hash[i]), &out, &n, &now),
                         KIOSK_INVALID);
}

static void test_error_bodies(void **state)
{
    (void)state;
    char *body, code[32];
    size_t len;
    int64_t now;
    assert_int_equal(sync_error_encode("stale_time", "clock off", 99, &body, &len), KIOSK_OK);
    assert_string_equal(body, "{\"now_ms\":99,\"error\":\"stale_time\",\"message\":\"clock off\"}");
    assert_int_equal(sync_error_decode(body, len, code, sizeof code, &now), KIOSK_OK);
    assert_string_equal(code, "stale_time");
    assert_int_equal(now, 99);
    free(body);
    assert_int_equal(sync_error_decode("oops", 4, code, sizeof code, &now), KIOSK_INVALID);
    assert_string_equal(code, "");
    assert_int_equal(sync_error_decode("{\"error\":\"Bad Code\"}", 20, code, sizeof code, &now),
                     KIOSK_INVALID);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[8192];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static void test_bundle_file(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/bundle-%d.kb", KIOSK_TEST_TMP, (int)getpid());
    sync_record r = sample();
    char *body;
    size_t blen;
    assert_int_equal(sync_body_encode(&r, 1, &body, &blen), KIOSK_OK);
    assert_int_equal(sync_bundle_write(path, pk, sk, 1795363199000LL, body, blen), KIOSK_OK);
    size_t len;
    char *data = slurp(path, &len);
    char dev[65];
    sync_hex_format(pk, 32, dev);
    char head[200];
    snprintf(head, sizeof head, "kiosk-bundle-v1\ndevice %s\ntime 1795363199000\nsignature ", dev);
    assert_memory_equal(data, head, strlen(head));
    sync_bundle b;
    assert_int_equal(sync_bundle_parse(data, len, &b), KIOSK_OK);
    assert_memory_equal(b.device, pk, 32);
    assert_int_equal(b.time_ms, 1795363199000LL);
    assert_int_equal(b.body_len, blen);
    assert_memory_equal(b.body, body, blen);
    assert_true(sync_request_verify(b.device, SYNC_BUNDLE_METHOD, SYNC_PATH_RECORDS, b.time_ms,
                                    b.body, b.body_len, b.sig));
    /* a changed byte in the body breaks the signature; a broken header does not parse */
    data[len - 5] ^= 1;
    assert_int_equal(sync_bundle_parse(data, len, &b), KIOSK_OK);
    assert_false(sync_request_verify(b.device, SYNC_BUNDLE_METHOD, SYNC_PATH_RECORDS, b.time_ms,
                                     b.body, b.body_len, b.sig));
    assert_int_equal(sync_bundle_parse(data, 40, &b), KIOSK_INVALID);
    data[3] = 'X';
    assert_int_equal(sync_bundle_parse(data, len, &b), KIOSK_INVALID);
    assert_int_equal(sync_bundle_parse("kiosk-bundle-v1\ndevice 00\n", 26, &b), KIOSK_INVALID);
    free(body);
    unlink(path);
    /* a directory that cannot be written */
    assert_int_not_equal(sync_bundle_write("/proc/kiosk.kb", pk, sk, 1, "{}", 2), KIOSK_OK);
}

/* The audit head after the records and the hub's mark in the reply: round trips; the
 * decoders without them refuse them, so nothing slips through a caller that ignores it. */
static void test_head_and_mark(void **state)
{
    (void)state;
    sync_record r = sample();
    sync_head h = {.present = 1, .audit_id = 42};
    memset(h.audit_hash, 0x5A, 32);
    char *body;
    size_t len;
    assert_int_equal(sync_body_encode_head(&r, 1, &h, &body, &len), KIOSK_OK);
    assert_int_equal(strlen(body), len);
    assert_non_null(strstr(body, ",\"head\":{\"audit_id\":42,\"audit_hash\":\"5a5a"));
    sync_record *got;
    size_t n;
    sync_head gh;
    assert_int_equal(sync_body_decode_head(body, len, &got, &n, &gh), KIOSK_OK);
    assert_int_equal(n, 1);
    assert_true(gh.present);
    assert_int_equal(gh.audit_id, 42);
    assert_memory_equal(gh.audit_hash, h.audit_hash, 32);
    sync_records_free(got, n);
    assert_int_equal(sync_body_decode(body, len, &got, &n), KIOSK_INVALID);
    body[len - 3] = 'x'; /* a hash that is not hex */
    assert_int_equal(sync_body_decode_head(body, len, &got, &n, &gh), KIOSK_INVALID);
    free(body);
    /* without a head: the same bytes as sync_body_encode, and present 0 */
    assert_int_equal(sync_body_encode_head(&r, 1, NULL, &body, &len), KIOSK_OK);
    assert_int_equal(sync_body_decode_head(body, len, &got, &n, &gh), KIOSK_OK);
    assert_false(gh.present);
    sync_records_free(got, n);
    free(body);

    sync_result res = {.status = SYNC_ACCEPTED};
    memcpy(res.uuid, UUID, sizeof res.uuid);
    sync_mark m = {.present = 1, .max_seq = 9, .audit_id = 41};
    memset(m.audit_hash, 0x11, 32);
    assert_int_equal(sync_results_encode_mark(&res, 1, 5, &m, &body, &len), KIOSK_OK);
    sync_result *out;
    int64_t now;
    sync_mark gm;
    assert_int_equal(sync_results_decode_mark(body, len, &out, &n, &now, &gm), KIOSK_OK);
    assert_true(gm.present);
    assert_int_equal(gm.max_seq, 9);
    assert_int_equal(gm.audit_id, 41);
    assert_memory_equal(gm.audit_hash, m.audit_hash, 32);
    free(out);
    assert_int_equal(sync_results_decode(body, len, &out, &n, &now), KIOSK_INVALID);
    free(body);
    static const char *const bad[] = {
        "{\"results\":[],\"mark\":{\"max_seq\":-1,\"audit_id\":0,\"audit_hash\":"
        "\"1111111111111111111111111111111111111111111111111111111111111111\"}}",
        "{\"results\":[],\"mark\":{\"max_seq\":1,\"audit_id\":0}}",
        "{\"results\":[],\"mark\":{\"max_seq\":1,\"audit_id\":0,\"audit_hash\":\"11\"}}",
        "{\"results\":[],\"mark\":{\"max_seq\":1,\"audit_id\":0,\"x\":1,\"audit_hash\":"
        "\"1111111111111111111111111111111111111111111111111111111111111111\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sync_results_decode_mark(bad[i], strlen(bad[i]), &out, &n, &now, &gm),
                         KIOSK_INVALID);

    /* the epoch in the head (an empty log: audit id 0) and in the mark */
    sync_head eh = {.present = 1, .audit_id = 0, .has_epoch = 1};
    memset(eh.epoch, 0x3C, 16);
    assert_int_equal(sync_body_encode_head(NULL, 0, &eh, &body, &len), KIOSK_OK);
    assert_string_equal(body, "{\"records\":[],\"head\":{\"audit_id\":0,\"audit_hash\":\""
                              "0000000000000000000000000000000000000000000000000000000000000000\","
                              "\"epoch\":\"3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c\"}}");
    assert_int_equal(sync_body_decode_head(body, len, &got, &n, &gh), KIOSK_OK);
    assert_int_equal(n, 0);
    assert_true(gh.present && gh.has_epoch);
    assert_int_equal(gh.audit_id, 0);
    assert_memory_equal(gh.epoch, eh.epoch, 16);
    sync_records_free(got, n);
    body[len - 4] = 'x';
    assert_int_equal(sync_body_decode_head(body, len, &got, &n, &gh), KIOSK_INVALID);
    free(body);
    static const char *const bad_heads[] = {
        "{\"records\":[],\"head\":{\"audit_id\":00,\"audit_hash\":\""
        "0000000000000000000000000000000000000000000000000000000000000000\"}}",
        "{\"records\":[],\"head\":{\"audit_id\":0,\"audit_hash\":\""
        "0000000000000000000000000000000000000000000000000000000000000000\",\"epoch\":\"3c\"}}",
        "{\"records\":[],\"head\":{\"audit_id\":0,\"audit_hash\":\""
        "0000000000000000000000000000000000000000000000000000000000000000\",\"x\":\""
        "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c\"}}",
    };
    for (size_t i = 0; i < sizeof bad_heads / sizeof bad_heads[0]; i++)
        assert_int_equal(sync_body_decode_head(bad_heads[i], strlen(bad_heads[i]), &got, &n, &gh),
                         KIOSK_INVALID);
    m.has_epoch = 1;
    memset(m.epoch, 0x3C, 16);
    assert_int_equal(sync_results_encode_mark(&res, 1, 5, &m, &body, &len), KIOSK_OK);
    assert_int_equal(sync_results_decode_mark(body, len, &out, &n, &now, &gm), KIOSK_OK);
    assert_true(gm.present && gm.has_epoch);
    assert_memory_equal(gm.epoch, m.epoch, 16);
    free(out);
    free(body);
}

/* ---- kiosk events ---- */

static void test_events_exact_bytes_round_trip_and_signing(void **state)
{
    (void)state;
    sync_event ev[2] = {{.seq = 1, .at_ms = 1795363199000LL}, {.seq = 2, .at_ms = 1795363200000LL}};
    snprintf(ev[0].kind, sizeof ev[0].kind, "%s", SYNC_EVENT_HELP);
    snprintf(ev[0].step, sizeof ev[0].step, "form");
    snprintf(ev[0].hall_code, sizeof ev[0].hall_code, "DEMO01");
    snprintf(ev[1].kind, sizeof ev[1].kind, "%s", SYNC_EVENT_HELP);
    snprintf(ev[1].step, sizeof ev[1].step, "attract");
    char *body = NULL;
    size_t len = 0;
    assert_int_equal(sync_events_encode(ev, 2, &body, &len), KIOSK_OK);
    assert_string_equal(body, "{\"events\":[{\"seq\":1,\"kind\":\"help.request\",\"step\":"
                              "\"form\",\"hall_code\":\"DEMO01\",\"at_ms\":1795363199000},"
                              "{\"seq\":2,\"kind\":\"help.request\",\"step\":\"attract\","
                              "\"hall_code\":\"\",\"at_ms\":1795363200000}]}");
    assert_int_equal(len, strlen(body));
    sync_event *back = NULL;
    size_t n = 0;
    assert_int_equal(sync_events_decode(body, len, &back, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(back, ev, sizeof ev);
    free(back);
    /* signed as a record request is, over its own path: the signature of one path does
     * not pass for the other */
    uint8_t sha[32], sig[64];
    crypto_hash_sha256(sha, (const uint8_t *)body, len);
    sync_request_sign_v2(sk, "POST", SYNC_PATH_EVENTS, 5, sha, len, sig);
    assert_true(sync_request_verify_v2(pk, "POST", SYNC_PATH_EVENTS, 5, sha, len, sig));
    assert_false(sync_request_verify_v2(pk, "POST", SYNC_PATH_RECORDS_V2, 5, sha, len, sig));
    uint8_t other_pk[32], other_sk[64];
    crypto_sign_keypair(other_pk, other_sk);
    assert_false(sync_request_verify_v2(other_pk, "POST", SYNC_PATH_EVENTS, 5, sha, len, sig));
    free(body);
    /* the hub's answer, signed by the hub key over the request signature */
    int64_t seqs[2] = {1, 2}, *got = NULL, now = 0;
    assert_int_equal(sync_event_acks_encode(seqs, 2, 42, &body, &len), KIOSK_OK);
    assert_string_equal(body, "{\"now_ms\":42,\"acked\":[1,2]}");
    uint8_t rs[64];
    sync_reply_sign(other_sk, pk, sig, 200, body, len, rs);
    assert_true(sync_reply_verify(other_pk, pk, sig, 200, body, len, rs));
    assert_false(sync_reply_verify(pk, pk, sig, 200, body, len, rs)); /* wrong key */
    assert_int_equal(sync_event_acks_decode(body, len, &got, &n, &now), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_int_equal(got[1], 2);
    assert_int_equal(now, 42);
    free(got);
    free(body);
    /* nothing to encode that would not decode */
    ev[0].step[0] = '\0';
    assert_int_equal(sync_events_encode(ev, 1, &body, &len), KIOSK_INVALID);
    snprintf(ev[0].step, sizeof ev[0].step, "张三");
    assert_int_equal(sync_events_encode(ev, 1, &body, &len), KIOSK_INVALID);
    assert_null(body);
}

static void test_events_decode_refuses_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "[]",
        "{}",
        "{\"events\":{}}",
        "{\"events\":[],\"x\":1}",
        "{\"events\":[1]}",
        "{\"events\":[{\"seq\":1,\"kind\":\"help.request\",\"step\":\"form\","
        "\"hall_code\":\"D\"}]}", /* no at_ms */
        "{\"events\":[{\"seq\":0,\"kind\":\"help.request\",\"step\":\"form\","
        "\"hall_code\":\"D\",\"at_ms\":1}]}", /* seq 0 */
        "{\"events\":[{\"seq\":1,\"kind\":\"help.request\",\"step\":\"form\","
        "\"hall_code\":\"D\",\"at_ms\":-1}]}",
        "{\"events\":[{\"seq\":1,\"kind\":\"\",\"step\":\"form\","
        "\"hall_code\":\"D\",\"at_ms\":1}]}",
        "{\"events\":[{\"seq\":1,\"kind\":\"help request\",\"step\":\"form\","
        "\"hall_code\":\"D\",\"at_ms\":1}]}",
        "{\"events\":[{\"seq\":1,\"kind\":\"help.request\",\"step\":"
        "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"hall_code\":\"D\",\"at_ms\":1}]}",
        "{\"events\":[{\"seq\":1,\"kind\":\"help.request\",\"step\":\"form\","
        "\"hall_code\":\"D\",\"at_ms\":1,\"name\":\"x\"}]}", /* an extra key */
        "{\"events\":[{\"seq\":1,\"kind\":\"help.request\",\"step\":\"form\","
        "\"hall_code\":\"D\",\"at_ms\":1},{\"seq\":1,\"kind\":\"help.request\","
        "\"step\":\"pin\",\"hall_code\":\"D\",\"at_ms\":2}]}", /* seq twice */
        "{\"events\":[],\"events\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sync_event *ev = (sync_event *)1;
        size_t n = 9;
        assert_int_equal(sync_events_decode(bad[i], strlen(bad[i]), &ev, &n), KIOSK_INVALID);
        assert_null(ev);
        assert_int_equal(n, 0);
    }
    static const char *const bad_acks[] = {"",
                                           "{}",
                                           "{\"acked\":[0]}",
                                           "{\"acked\":[\"1\"]}",
                                           "{\"acked\":[1],\"now_ms\":\"x\"}",
                                           "{\"acked\":[1],\"results\":[]}"};
    for (size_t i = 0; i < sizeof bad_acks / sizeof bad_acks[0]; i++) {
        int64_t *seqs = (int64_t *)1, now = 7;
        size_t n = 9;
        assert_int_equal(sync_event_acks_decode(bad_acks[i], strlen(bad_acks[i]), &seqs, &n, &now),
                         KIOSK_INVALID);
        assert_null(seqs);
        assert_int_equal(n, 0);
    }
    /* over the limit before parsing */
    size_t big = SYNC_MAX_EVENTS_BODY + 1;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, ' ', big);
    sync_event *ev = NULL;
    size_t n = 0;
    assert_int_equal(sync_events_decode(huge, big, &ev, &n), KIOSK_RANGE);
    free(huge);
}

/* sync_sha256 is SHA-256 (FIPS 180-4 vectors) and the same bytes as libsodium's, which
 * older units and bundles used, at every length around the block size and for megabytes. */
static void test_sha256(void **state)
{
    (void)state;
    static const struct {
        const char *in, *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t h[32];
        char hex[65];
        sync_sha256(h, v[i].in, strlen(v[i].in));
        sync_hex_format(h, 32, hex);
        assert_string_equal(hex, v[i].hex);
    }
    enum { BIG = 3 << 20 };
    uint8_t *buf = malloc(BIG);
    assert_non_null(buf);
    randombytes_buf(buf, BIG);
    static const size_t lens[] = {1, 55, 56, 63, 64, 65, 127, 128, 10381, BIG};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint8_t a[32], b[32];
        sync_sha256(a, buf, lens[i]);
        crypto_hash_sha256(b, buf, lens[i]);
        assert_memory_equal(a, b, 32);
    }
    free(buf);
}

/* Record metadata: version 3 of the record message covers type and receipt number; a
 * changed one (or a record stripped of it) no longer verifies; version 2's JSON and version
 * 3's binary (KSR4) carry it byte for byte, a body without it stays KSR3; malformed
 * metadata is refused. */
static void test_record_metadata(void **state)
{
    (void)state;
    static const uint8_t epoch[16] = {9, 8, 7};
    sync_record r = sample(), plain = sample();
    snprintf(r.record_type, sizeof r.record_type, "registration");
    snprintf(r.receipt_no, sizeof r.receipt_no, "DEMO01-20261205-0001");
    assert_true(sync_record_meta_ok(&r));
    sync_record_sign_meta(&r, epoch, sk);
    uint8_t h[32];
    assert_int_equal(sync_record_verify_epoch(&r, epoch, pk, h), 3);
    static const uint8_t other_epoch[16] = {1};
    assert_int_equal(sync_record_verify_epoch(&r, other_epoch, pk, h), 0);
    sync_record t = r;
    t.receipt_no[19] = '2'; /* another receipt number */
    assert_int_equal(sync_record_verify_epoch(&t, epoch, pk, h), 0);
    t = r;
    snprintf(t.record_type, sizeof t.record_type, "jobseeker");
    assert_int_equal(sync_record_verify_epoch(&t, epoch, pk, h), 0);
    t = r;
    t.record_type[0] = t.receipt_no[0] = '\0'; /* stripped: its signature is version 3's */
    assert_int_equal(sync_record_verify_epoch(&t, epoch, pk, h), 0);

    /* JSON: the keys after "sig", the exact size; back to the same fields */
    sync_record two[2] = {plain, r};
    char *body;
    size_t len;
    assert_int_equal(sync_body_encode(two, 2, &body, &len), KIOSK_OK);
    assert_non_null(
        strstr(body, ",\"type\":\"registration\",\"receipt_no\":\"DEMO01-20261205-0001\"}"));
    assert_int_equal(
        len, SYNC_BODY_FRAME + sync_body_record_size_meta(plain.seq, plain.sealed_len, 1, "", "") +
                 sync_body_record_size_meta(r.seq, r.sealed_len, 0, r.record_type, r.receipt_no));
    sync_record *back;
    size_t n;
    assert_int_equal(sync_body_decode(body, len, &back, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_string_equal(back[0].record_type, "");
    assert_string_equal(back[1].record_type, "registration");
    assert_string_equal(back[1].receipt_no, "DEMO01-20261205-0001");
    assert_int_equal(sync_record_verify_epoch(&back[1], epoch, pk, h), 3);
    sync_records_free(back, n);
    free(body);
    /* one of the two keys alone, a bad value: malformed */
    static const char *const bad[] = {"\"type\":\"registration\"", "\"receipt_no\":\"X-1\"",
                                      "\"type\":\"Reg\",\"receipt_no\":\"X-1\"",
                                      "\"type\":\"registration\",\"receipt_no\":\"X 1\""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sync_record one = plain;
        assert_int_equal(sync_body_encode(&one, 1, &body, &len), KIOSK_OK);
        char doc[4096];
        snprintf(doc, sizeof doc, "%.*s,%s}]}", (int)(len - 3), body, bad[i]);
        free(body);
        assert_int_equal(sync_body_decode(doc, strlen(doc), &back, &n), KIOSK_INVALID);
    }
    /* binary: KSR4 with metadata, exact bytes back; KSR3 without */
    sync_head head = {0};
    assert_int_equal(sync_body_encode_v3(two, 2, &head, &body, &len), KIOSK_OK);
    assert_memory_equal(body, SYNC_BODY_V4_MAGIC, 4);
    assert_int_equal(sync_body_decode_v3(body, len, &back, &n, &head), KIOSK_OK);
    assert_string_equal(back[1].receipt_no, "DEMO01-20261205-0001");
    assert_string_equal(back[0].receipt_no, "");
    char *again;
    size_t alen;
    assert_int_equal(sync_body_encode_v3(back, n, &head, &again, &alen), KIOSK_OK);
    assert_int_equal(alen, len);
    assert_memory_equal(again, body, len);
    free(again);
    sync_records_free(back, n);
    free(body);
    /* a NUL inside a field (found by fuzz_sync_request): not the encoder's, refused */
    char *nb;
    size_t nlen;
    assert_int_equal(sync_body_encode_v3(two, 2, &head, &nb, &nlen), KIOSK_OK);
    char *nul = NULL;
    for (size_t i = 0; i + 20 <= nlen && !nul; i++)
        if (memcmp(nb + i, "DEMO01-20261205-0001", 20) == 0)
            nul = nb + i;
    assert_non_null(nul);
    nul[6] = '\0';
    assert_int_equal(sync_body_decode_v3(nb, nlen, &back, &n, &head), KIOSK_INVALID);
    free(nb);
    assert_int_equal(sync_body_encode_v3(&plain, 1, &head, &body, &len), KIOSK_OK);
    assert_memory_equal(body, SYNC_BODY_V3_MAGIC, 4);
    /* KSR4 whose records carry none: not the encoder's, refused */
    memcpy(body, SYNC_BODY_V4_MAGIC, 4);
    char *grown = malloc(len + 2);
    size_t rec_end = len - 1; /* before the head flags */
    memcpy(grown, body, rec_end);
    grown[rec_end] = 0;
    grown[rec_end + 1] = 0;
    memcpy(grown + rec_end + 2, body + rec_end, 1);
    assert_int_equal(sync_body_decode_v3(grown, len + 2, &back, &n, &head), KIOSK_INVALID);
    free(grown);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_uuid_and_hex, setup),
        cmocka_unit_test_setup(test_sha256, setup),
        cmocka_unit_test_setup(test_record_signature, setup),
        cmocka_unit_test_setup(test_record_signature_binds_epoch, setup),
        cmocka_unit_test_setup(test_request_signature, setup),
        cmocka_unit_test_setup(test_request_signature_v2, setup),
        cmocka_unit_test_setup(test_reply_signature, setup),
        cmocka_unit_test_setup(test_body_exact_bytes_and_round_trip, setup),
        cmocka_unit_test_setup(test_body_decode_refuses_malformed, setup),
        cmocka_unit_test_setup(test_body_json_takes_int64_max, setup),
        cmocka_unit_test_setup(test_body_v3_exact_bytes_round_trip_and_refusals, setup),
        cmocka_unit_test_setup(test_body_base64_strictness, setup),
        cmocka_unit_test_setup(test_results_round_trip_and_refusals, setup),
        cmocka_unit_test_setup(test_error_bodies, setup),
        cmocka_unit_test_setup(test_bundle_file, setup),
        cmocka_unit_test_setup(test_head_and_mark, setup),
        cmocka_unit_test_setup(test_events_exact_bytes_round_trip_and_signing, setup),
        cmocka_unit_test_setup(test_events_decode_refuses_malformed, setup),
        cmocka_unit_test_setup(test_record_metadata, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
