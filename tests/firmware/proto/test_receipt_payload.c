/* Tests of the signed receipt payload: round trip, every altered character detected,
 * a foreign key reported as an unknown device, strict parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "proto/receipt_payload.h"

static uint8_t pk[32], sk[64], hash[32];

static int setup(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    /* a fixed seed: the same key every run, so the payload is reproducible */
    uint8_t seed[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)i;
    crypto_sign_seed_keypair(pk, sk, seed);
    crypto_hash_sha256(hash, (const uint8_t *)"record", 6);
    return 0;
}

static void test_round_trip(void **state)
{
    (void)state;
    char p[RECEIPT_PAYLOAD_MAX];
    assert_int_equal(
        receipt_payload_make("DEMO01-20261122-0007", "20261122093015", hash, sk, pk, p), KIOSK_OK);
    /* the fixed part, and only QR alphanumeric characters */
    char dev[9];
    receipt_device_id(pk, dev);
    char head[64];
    snprintf(head, sizeof head, "KR1/%s/DEMO01-20261122-0007/20261122093015/", dev);
    assert_memory_equal(p, head, strlen(head));
    assert_int_equal(strlen(p), strlen(head) + 16 + 1 + 103);
    for (const char *c = p; *c; c++)
        assert_non_null(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", *c));
    receipt_claim c;
    assert_int_equal(receipt_payload_verify(p, pk, &c), KIOSK_OK);
    assert_string_equal(c.receipt_no, "DEMO01-20261122-0007");
    assert_string_equal(c.time, "20261122093015");
    assert_string_equal(c.device_id, dev);
    assert_memory_equal(c.hash_prefix, hash, RECEIPT_HASH_PREFIX);
    /* deterministic: Ed25519 signatures do not depend on randomness */
    char again[RECEIPT_PAYLOAD_MAX];
    receipt_payload_make("DEMO01-20261122-0007", "20261122093015", hash, sk, pk, again);
    assert_string_equal(p, again);
}

static void test_every_alteration_fails(void **state)
{
    (void)state;
    char p[RECEIPT_PAYLOAD_MAX];
    assert_int_equal(
        receipt_payload_make("DEMO01-20261122-0007", "20261122093015", hash, sk, pk, p), KIOSK_OK);
    size_t n = strlen(p);
    for (size_t i = 0; i < n; i++) {
        char q[RECEIPT_PAYLOAD_MAX];
        memcpy(q, p, n + 1);
        q[i] = q[i] == 'A' ? 'B' : (q[i] == '/' ? 'A' : 'A');
        if (q[i] == p[i])
            q[i] = '7';
        kiosk_rc rc = receipt_payload_verify(q, pk, NULL);
        if (rc == KIOSK_OK)
            fail_msg("alteration at %zu accepted", i);
    }
    /* truncated, extended */
    char q[RECEIPT_PAYLOAD_MAX];
    memcpy(q, p, n - 1);
    q[n - 1] = '\0';
    assert_int_equal(receipt_payload_verify(q, pk, NULL), KIOSK_INVALID);
    memcpy(q, p, n);
    q[n] = 'A';
    q[n + 1] = '\0';
    assert_int_equal(receipt_payload_verify(q, pk, NULL), KIOSK_INVALID);
}

static void test_unknown_device(void **state)
{
    (void)state;
    char p[RECEIPT_PAYLOAD_MAX];
    uint8_t pk2[32], sk2[64];
    crypto_sign_keypair(pk2, sk2);
    assert_int_equal(receipt_payload_make("H1-20260101-0001", "20260101080000", hash, sk, pk, p),
                     KIOSK_OK);
    assert_int_equal(receipt_payload_verify(p, pk2, NULL), KIOSK_NOT_FOUND);
    /* a payload signed by another key but claiming our device id is altered */
    char forged[RECEIPT_PAYLOAD_MAX];
    assert_int_equal(
        receipt_payload_make("H1-20260101-0001", "20260101080000", hash, sk2, pk, forged),
        KIOSK_OK);
    assert_int_equal(receipt_payload_verify(forged, pk, NULL), KIOSK_CRYPTO);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    char p[RECEIPT_PAYLOAD_MAX];
    assert_int_equal(receipt_payload_make("demo-1", "20260101080000", hash, sk, pk, p),
                     KIOSK_INVALID);
    assert_int_equal(receipt_payload_make("", "20260101080000", hash, sk, pk, p), KIOSK_INVALID);
    assert_int_equal(receipt_payload_make("A", "2026010108000", hash, sk, pk, p), KIOSK_INVALID);
    assert_int_equal(receipt_payload_make("A/B", "20260101080000", hash, sk, pk, p), KIOSK_INVALID);
    receipt_claim c;
    assert_int_equal(receipt_payload_parse("", &c), KIOSK_INVALID);
    assert_int_equal(receipt_payload_parse("KR2/AAAAAAAA/X/20260101080000/AAAAAAAAAAAAAAAA/", &c),
                     KIOSK_INVALID);
    assert_int_equal(receipt_payload_parse("KR1/////", &c), KIOSK_INVALID);
}

/* The payload found in what a phone or a scanner reads: bare, or ending the hub's check
 * page's address. */
static void test_payload_in_a_url(void **state)
{
    (void)state;
    char p[RECEIPT_PAYLOAD_MAX], url[RECEIPT_PAYLOAD_MAX + 64];
    assert_int_equal(
        receipt_payload_make("DEMO01-20261205-0001", "20261205093000", hash, sk, pk, p), KIOSK_OK);
    assert_ptr_equal(receipt_payload_in(p), p);
    snprintf(url, sizeof url, "https://hub.example.gov.cn/r/%s", p);
    assert_string_equal(receipt_payload_in(url), p);
    assert_int_equal(receipt_payload_verify(receipt_payload_in(url), pk, NULL), KIOSK_OK);
    snprintf(url, sizeof url, "HTTPS://HUB.EXAMPLE.GOV.CN/R/%s", p);
    assert_string_equal(receipt_payload_in(url), p);
    snprintf(url, sizeof url, "http://127.0.0.1:8443/r/%s", p);
    assert_string_equal(receipt_payload_in(url), p);
    /* not a receipt: no payload, another scheme, a payload not at a path's start */
    assert_null(receipt_payload_in("https://hub.example.gov.cn/r/"));
    assert_null(receipt_payload_in(NULL));
    snprintf(url, sizeof url, "ftp://hub/r/%s", p);
    assert_null(receipt_payload_in(url));
    snprintf(url, sizeof url, "https://hub/r/xKR1/%s", p + 4);
    assert_null(receipt_payload_in(url));
    /* found, then judged: a URL ending in an altered payload does not verify */
    snprintf(url, sizeof url, "https://hub/r/%s", p);
    url[strlen(url) - 1] = url[strlen(url) - 1] == 'A' ? 'B' : 'A';
    assert_non_null(receipt_payload_in(url));
    assert_int_not_equal(receipt_payload_verify(receipt_payload_in(url), pk, NULL), KIOSK_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),       cmocka_unit_test(test_every_alteration_fails),
        cmocka_unit_test(test_unknown_device),   cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_payload_in_a_url),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
