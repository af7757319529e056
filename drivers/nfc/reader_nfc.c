/*
 * libnfc behind the reader ops. The device is opened with its own nfc_context so
 * reopening after an unplug starts clean. Removal shows up as NFC_ETGRELEASED or an RF
 * transmission error; a dead serial line or unplugged USB reader as NFC_EIO.
 */
#include "nfc/reader_nfc.h"

#include <nfc/nfc.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"

typedef struct nfc_reader {
    reader base;
    nfc_context *ctx;
    nfc_device *dev;
    nfc_target target;
    int have_target;
} nfc_reader;

kiosk_rc reader_nfc_rc(int e)
{
    switch (e) {
    case NFC_ETIMEOUT:
        return KIOSK_TIMEOUT;
    case NFC_ETGRELEASED:
    case NFC_ERFTRANS:
        return KIOSK_CARD_REMOVED;
    case NFC_EIO:
    case NFC_ENOTSUCHDEV:
    case NFC_EOPABORTED:
    case NFC_ECHIP:
        return KIOSK_READER;
    case NFC_EOVFLOW:
    case NFC_EMFCAUTHFAIL:
        return KIOSK_CARD;
    case NFC_EDEVNOTSUPP:
    case NFC_ENOTIMPL:
        return KIOSK_UNSUPPORTED;
    case NFC_EINVARG:
        return KIOSK_INVALID;
    default:
        return e < 0 ? KIOSK_READER : KIOSK_OK;
    }
}

/* The reader answers a select (0 targets when the field is empty) or a presence check
 * at once: no answer at all is a reader that went silent or away, not an empty field. */
static int silent_or_gone(int res)
{
    kiosk_rc rc = reader_nfc_rc(res);
    return rc == KIOSK_READER || rc == KIOSK_TIMEOUT;
}

static kiosk_rc nfc_poll(reader *r, int timeout_ms, reader_target *out)
{
    nfc_reader *n = (nfc_reader *)r;
    static const nfc_modulation kinds[2] = {{NMT_ISO14443A, NBR_106}, {NMT_ISO14443B, NBR_106}};
    (void)timeout_ms; /* one select per modulation; the reader answers at once */
    for (int i = 0; i < 2; i++) {
        int res = nfc_initiator_select_passive_target(n->dev, kinds[i], NULL, 0, &n->target);
        if (res < 0)
            return silent_or_gone(res) ? KIOSK_READER : KIOSK_NO_CARD;
        if (res == 0)
            continue;
        memset(out, 0, sizeof *out);
        if (kinds[i].nmt == NMT_ISO14443A) {
            size_t len = n->target.nti.nai.szUidLen;
            out->uid_len = len < READER_UID_MAX ? len : READER_UID_MAX;
            memcpy(out->uid, n->target.nti.nai.abtUid, out->uid_len);
        } else {
            out->uid_len = 4;
            memcpy(out->uid, n->target.nti.nbi.abtPupi, 4);
            out->type_b = 1;
        }
        n->have_target = 1;
        return KIOSK_OK;
    }
    return KIOSK_NO_CARD;
}

static kiosk_rc nfc_transceive(reader *r, const uint8_t *apdu, size_t len, uint8_t *resp,
                               size_t cap, size_t *got, int timeout_ms)
{
    nfc_reader *n = (nfc_reader *)r;
    if (!n->have_target)
        return KIOSK_CARD_REMOVED;
    int res = nfc_initiator_transceive_bytes(n->dev, apdu, len, resp, cap, timeout_ms);
    if (res < 0)
        return reader_nfc_rc(res);
    *got = (size_t)res;
    return KIOSK_OK;
}

static kiosk_rc nfc_present(reader *r)
{
    nfc_reader *n = (nfc_reader *)r;
    if (!n->have_target)
        return KIOSK_NO_CARD;
    int res = nfc_initiator_target_is_present(n->dev, NULL);
    if (res == 0)
        return KIOSK_OK;
    n->have_target = 0;
    return silent_or_gone(res) ? KIOSK_READER : KIOSK_NO_CARD;
}

static void nfc_release(reader *r)
{
    nfc_reader *n = (nfc_reader *)r;
    if (n->have_target)
        nfc_initiator_deselect_target(n->dev);
    n->have_target = 0;
}

static void nfc_close_reader(reader *r)
{
    nfc_reader *n = (nfc_reader *)r;
    if (n->dev)
        nfc_close(n->dev);
    if (n->ctx)
        nfc_exit(n->ctx);
    free(n);
}

static const reader_ops nfc_ops = {"libnfc",    nfc_poll,    nfc_transceive,
                                   nfc_present, nfc_release, nfc_close_reader};

kiosk_rc reader_nfc_open(const char *connstring, reader **out)
{
    *out = NULL;
    nfc_reader *n = calloc(1, sizeof *n);
    if (!n)
        return KIOSK_NOMEM;
    n->base.ops = &nfc_ops;
    nfc_init(&n->ctx);
    if (!n->ctx) {
        free(n);
        return KIOSK_NOMEM;
    }
    /* a reader that stays away is tried again every second: said once, then once a
     * minute with the count, not every time */
    static unsigned failures;
    unsigned seen = __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
    int say = seen == 1 || seen % 60 == 0;
    n->dev = nfc_open(n->ctx, connstring && *connstring ? connstring : NULL);
    if (!n->dev) {
        if (say)
            kiosk_log_warn("reader", "cannot open NFC reader %s (%u tries)",
                           connstring && *connstring ? connstring : "(first found)", seen);
        nfc_close_reader(&n->base);
        return KIOSK_READER;
    }
    if (nfc_initiator_init(n->dev) < 0 ||
        nfc_device_set_property_bool(n->dev, NP_INFINITE_SELECT, false) < 0) {
        if (say)
            kiosk_log_warn("reader", "NFC reader %s does not initialise: %s (%u tries)",
                           nfc_device_get_name(n->dev), nfc_strerror(n->dev), seen);
        nfc_close_reader(&n->base);
        return KIOSK_READER;
    }
    if (seen > 1)
        kiosk_log_info("reader", "NFC reader back after %u tries", seen - 1);
    __atomic_store_n(&failures, 0, __ATOMIC_RELAXED);
    kiosk_log_info("reader", "NFC reader %s ready", nfc_device_get_name(n->dev));
    *out = &n->base;
    return KIOSK_OK;
}
