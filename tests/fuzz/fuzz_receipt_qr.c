/* libFuzzer target: arbitrary text as a receipt's QR payload (what a staff scanner reads
 * from paper anyone can print). Parsing and verifying must refuse or give a claim in the
 * payload's format; a payload signed here must verify, and the same payload with the
 * fuzzer's bytes appended must not. The payload found in a check page's address
 * (receipt_payload_in) lies within the text. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/receipt_payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int claim_ok(const receipt_claim *c)
{
    size_t rn = strlen(c->receipt_no);
    return strlen(c->device_id) == RECEIPT_DEVICE_ID_LEN && rn >= 1 && rn <= RECEIPT_NO_MAX &&
           strspn(c->receipt_no, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-") == rn &&
           strlen(c->time) == 14 && strspn(c->time, "0123456789") == 14;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pk[32], sk[64];
    static int keyed;
    if (!keyed) {
        uint8_t seed[32] = {7};
        if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed) != 0)
            abort();
        keyed = 1;
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    receipt_claim c;
    if (receipt_payload_parse(text, &c) == KIOSK_OK && !claim_ok(&c))
        abort();
    kiosk_rc rc = receipt_payload_verify(text, pk, &c);
    if (rc == KIOSK_OK && !claim_ok(&c))
        abort();
    if (rc != KIOSK_OK && rc != KIOSK_INVALID && rc != KIOSK_NOT_FOUND && rc != KIOSK_CRYPTO)
        abort();
    /* the text as what a phone reads: the payload found in it lies inside it, at its end */
    const char *in = receipt_payload_in(text);
    if (in && (in < text || in > text + strlen(text) || strncmp(in, "KR1/", 4) != 0))
        abort();

    /* the bytes as a receipt number: made only when well formed, then verified */
    char no[RECEIPT_NO_MAX + 2];
    snprintf(no, sizeof no, "%s", text);
    uint8_t hash[32] = {0};
    memcpy(hash, data, size < 32 ? size : 32);
    char payload[RECEIPT_PAYLOAD_MAX];
    if (receipt_payload_make(no, "20261122093000", hash, sk, pk, payload) == KIOSK_OK) {
        if (receipt_payload_verify(payload, pk, &c) != KIOSK_OK || strcmp(c.receipt_no, no) != 0)
            abort();
        char longer[RECEIPT_PAYLOAD_MAX + 8];
        snprintf(longer, sizeof longer, "%s%c", payload, size ? (char)data[0] : 'A');
        if (receipt_payload_verify(longer, pk, NULL) == KIOSK_OK)
            abort();
    }
    free(text);
    return 0;
}
