/* Backend-independent reader helpers: closing, and two readers as one (reader_either). */
#include "nfc/reader.h"

#include <stdlib.h>

void reader_close(reader *r)
{
    if (r)
        r->ops->close(r);
}

typedef struct either {
    reader base;
    reader *a, *b;
    reader *active; /* the one whose card the last poll found */
} either;

static kiosk_rc either_poll(reader *r, int timeout_ms, reader_target *out)
{
    either *e = (either *)r;
    e->active = NULL;
    kiosk_rc rc = e->a->ops->poll(e->a, 0, out); /* a tap is answered at once */
    if (rc == KIOSK_NO_CARD)
        rc = e->b->ops->poll(e->b, timeout_ms, out);
    else if (rc == KIOSK_OK)
        e->active = e->a;
    if (rc == KIOSK_OK && !e->active)
        e->active = e->b;
    return rc;
}

static kiosk_rc either_transceive(reader *r, const uint8_t *apdu, size_t n, uint8_t *resp,
                                  size_t cap, size_t *len, int timeout_ms)
{
    either *e = (either *)r;
    if (!e->active)
        return KIOSK_CARD_REMOVED;
    return e->active->ops->transceive(e->active, apdu, n, resp, cap, len, timeout_ms);
}

static kiosk_rc either_present(reader *r)
{
    either *e = (either *)r;
    return e->active ? e->active->ops->present(e->active) : KIOSK_NO_CARD;
}

static void either_release(reader *r)
{
    either *e = (either *)r;
    if (e->active)
        e->active->ops->release(e->active);
    e->active = NULL;
}

static void either_close(reader *r)
{
    either *e = (either *)r;
    reader_close(e->a);
    reader_close(e->b);
    free(e);
}

static const reader_ops either_ops = {"either",       either_poll,    either_transceive,
                                      either_present, either_release, either_close};

kiosk_rc reader_either(reader *a, reader *b, reader **out)
{
    *out = NULL;
    either *e = calloc(1, sizeof *e);
    if (!e) {
        reader_close(a);
        reader_close(b);
        return KIOSK_NOMEM;
    }
    e->base.ops = &either_ops;
    e->a = a;
    e->b = b;
    *out = &e->base;
    return KIOSK_OK;
}
