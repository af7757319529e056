/* libFuzzer target: a card that answers every APDU with bytes from the fuzzer. The
 * protocol code must return an error or well-formed fields, never crash or overread. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ssc/ssc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fuzz_reader {
    reader base;
    const uint8_t *data;
    size_t size, pos;
} fuzz_reader;

/* Each answer: one length byte, then that many bytes (cut at the end of the input). */
static kiosk_rc fz_transceive(reader *r, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap,
                              size_t *len, int timeout_ms)
{
    (void)apdu;
    (void)n;
    (void)timeout_ms;
    fuzz_reader *f = (fuzz_reader *)r;
    if (f->pos >= f->size)
        return KIOSK_CARD_REMOVED;
    size_t want = f->data[f->pos++];
    if (want > f->size - f->pos)
        want = f->size - f->pos;
    if (want > cap)
        want = cap;
    memcpy(resp, f->data + f->pos, want);
    f->pos += want;
    *len = want;
    return KIOSK_OK;
}

static const reader_ops fz_ops = {"fuzz", NULL, fz_transceive, NULL, NULL, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader f = {{&fz_ops}, data, size, 0};
    ssc_card card;
    ssc_holder h;
    int tries;
    if (ssc_read_card(&f.base, &card) == KIOSK_OK && strlen(card.card_number) > 9)
        abort();
    ssc_verify_pin(&f.base, "123456", &tries);
    /* the holder's sex comes from the ID number, by the caller: not checked here */
    if (ssc_read_holder(&f.base, &h) == KIOSK_OK && (strlen(h.id_number) != 18 || !h.name[0]))
        abort();
    return 0;
}
