/* libFuzzer target: what a field unit parses from a USB stick — the hub's
 * acknowledgement bundle (header, then a reply body listing what the hub holds). A header
 * that parses must spell back to the same bytes (hex in either case), and its body must
 * decode, encode and decode again to the same results; a signature made over it must
 * verify, and fail for any other device. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>

#include "proto/sync_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static uint8_t pk[32], sk[64];
    if (!ready) {
        if (sodium_init() < 0)
            abort();
        crypto_sign_keypair(pk, sk);
        ready = 1;
    }
    sync_acks a;
    kiosk_rc rc = sync_acks_parse((const char *)data, size, &a);
    if (rc != KIOSK_OK) {
        if (rc != KIOSK_INVALID && rc != KIOSK_RANGE)
            abort();
        return 0;
    }
    if (a.body < (const char *)data || a.body + a.body_len != (const char *)data + size ||
        a.time_ms < 0)
        abort();
    char dev[65], hub[65], sig[129], head[400];
    sync_hex_format(a.device, 32, dev);
    sync_hex_format(a.hub, 32, hub);
    sync_hex_format(a.sig, 64, sig);
    int hn = snprintf(head, sizeof head,
                      SYNC_ACKS_MAGIC "device %s\nhub %s\ntime %" PRId64 "\nsignature %s\n\n", dev,
                      hub, a.time_ms, sig);
    if (hn <= 0 || (size_t)hn != (size_t)(a.body - (const char *)data) ||
        strncasecmp(head, (const char *)data, (size_t)hn) != 0)
        abort();
    uint8_t s[64];
    sync_acks_sign(sk, a.device, a.time_ms, a.body, a.body_len, s);
    if (!sync_acks_verify(pk, a.device, a.time_ms, a.body, a.body_len, s))
        abort();
    uint8_t other[32];
    memcpy(other, a.device, 32);
    other[0] ^= 1;
    if (sync_acks_verify(pk, other, a.time_ms, a.body, a.body_len, s))
        abort();
    sync_result *res = NULL, *again = NULL;
    size_t n = 0, m = 0;
    int64_t now = 0, now2 = 0;
    rc = sync_results_decode(a.body, a.body_len, &res, &n, &now);
    if (rc == KIOSK_OK) {
        char *out = NULL;
        size_t olen = 0;
        if (sync_results_encode(res, n, now, &out, &olen) != KIOSK_OK ||
            sync_results_decode(out, olen, &again, &m, &now2) != KIOSK_OK || m != n ||
            now2 != now || (n && memcmp(res, again, n * sizeof *res)))
            abort();
        free(out);
        free(again);
        free(res);
    } else if (res || n || now) {
        abort();
    }
    return 0;
}
