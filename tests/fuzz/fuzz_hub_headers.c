/* libFuzzer target: the X-Kiosk-* request headers as the hub reads them, up to the
 * signature check. The input is three lines: X-Kiosk-Device, X-Kiosk-Time and
 * X-Kiosk-Signature values; the rest is the body. The hub's own header handling
 * (hub/hub_http.c: parse_time, the lookups) is static and not reached from here: this
 * target fuzzes the protocol functions it calls — sync_hex_parse for the device key and
 * the signature, sync_request_verify over method, path, time and body — with the same
 * decimal time rule. Never a crash or overread; a request that verifies (a seed) no
 * longer does with another time or body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sync_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The hub's rule for X-Kiosk-Time: 1..18 decimal digits. */
static int time_value(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return 0;
    *out = strtoll(s, NULL, 10);
    return 1;
}

/* The next line of data as a NUL-terminated copy (the rest when no newline). */
static char *take_line(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = (size_t)((nl ? nl : end) - *p);
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, *p, n);
    s[n] = '\0';
    *p += n + (nl != NULL);
    return s;
}

static void hex_round_trip(const char *hex, const uint8_t *bin, size_t n)
{
    char again[129];
    sync_hex_format(bin, n, again);
    for (size_t i = 0; i < 2 * n; i++) {
        char c = hex[i] >= 'A' && hex[i] <= 'F' ? (char)(hex[i] - 'A' + 'a') : hex[i];
        if (c != again[i])
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    char *dev = take_line(&p, end), *tm = take_line(&p, end), *sig = take_line(&p, end);
    uint8_t device[32], signature[64];
    int64_t t = 0;
    int dev_ok = sync_hex_parse(dev, device, sizeof device);
    int sig_ok = sync_hex_parse(sig, signature, sizeof signature);
    if (dev_ok)
        hex_round_trip(dev, device, sizeof device);
    if (sig_ok)
        hex_round_trip(sig, signature, sizeof signature);
    size_t blen = (size_t)(end - p);
    if (dev_ok && sig_ok && time_value(tm, &t) &&
        sync_request_verify(device, "POST", SYNC_PATH_RECORDS, t, p, blen, signature)) {
        /* a real request (a seed): any other time or body must not verify */
        uint8_t *other = malloc(blen + 1);
        if (!other)
            abort();
        memcpy(other, p, blen);
        other[blen] = 'x';
        if (sync_request_verify(device, "POST", SYNC_PATH_RECORDS, t + 1, p, blen, signature) ||
            sync_request_verify(device, "POST", SYNC_PATH_RECORDS, t, other, blen + 1, signature))
            abort();
        free(other);
    }
    free(dev);
    free(tm);
    free(sig);
    return 0;
}
