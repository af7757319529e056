/*
 * The NFC reader behind one ops table: poll for an ISO 14443 card (Type A or B),
 * exchange ISO 14443-4 APDUs with an explicit timeout, check the card is still there,
 * release it, close. Backends: libnfc (real readers), PC/SC (contact and SAM slots:
 * drivers/pcsc) and a simulated card driven by a card profile (demo, UI, tests). Only the reader
 * worker thread calls these.
 */
#ifndef KIOSK_READER_H
#define KIOSK_READER_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"

#define READER_UID_MAX 10
#define READER_APDU_MAX 261 /* short APDU: 5 header + 255 data + Le */
#define READER_RESP_MAX 258 /* 256 data + SW1 SW2 */

typedef struct reader_target {
    uint8_t uid[READER_UID_MAX];
    size_t uid_len;
    int type_b;  /* 0: ISO 14443 Type A, 1: Type B */
    int contact; /* an ISO 7816 card in a contact slot (PC/SC): no UID */
} reader_target;

typedef struct reader reader;

typedef struct reader_ops {
    const char *name;
    /* Wait up to timeout_ms for a card and activate it. KIOSK_NO_CARD when none came,
     * KIOSK_READER when the reader is gone. */
    kiosk_rc (*poll)(reader *r, int timeout_ms, reader_target *out);
    /* Send apdu (borrowed) and receive the response with its status word into resp
     * (cap bytes). KIOSK_CARD_REMOVED, KIOSK_TIMEOUT, KIOSK_READER, KIOSK_CARD. */
    kiosk_rc (*transceive)(reader *r, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap,
                           size_t *len, int timeout_ms);
    /* KIOSK_OK while the card is in the field, KIOSK_NO_CARD after it left. */
    kiosk_rc (*present)(reader *r);
    /* Deselect the card (next poll finds it again if it stays). */
    void (*release)(reader *r);
    void (*close)(reader *r);
} reader_ops;

struct reader {
    const reader_ops *ops;
};

/* Close and free r (NULL is fine). */
void reader_close(reader *r);

/* One reader made of two (owned: closed with it), for a kiosk that both reads a tapped
 * card and takes one inserted into a contact slot: a poll asks a at once, then waits on
 * b; the card found is the one the exchanges go to until it is released. A fault of
 * either is the pair's (the worker reopens both). KIOSK_NOMEM (a and b closed). */
kiosk_rc reader_either(reader *a, reader *b, reader **out);

#endif
