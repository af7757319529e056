/*
 * The PSAM opened lazily on its PC/SC slot, and dropped on every failure so the next
 * card tries afresh.
 */
#include "identity/identity_psam.h"

#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"
#include "pcsc/reader_pcsc.h"

struct identity_psam {
    char reader_name[KIOSK_CONFIG_TEXT_MAX];
    uint8_t key_index;
    reader *slot;
    ssc_psam *psam;
};

kiosk_rc identity_psam_create(const kiosk_config *cfg, identity_psam **out)
{
    *out = NULL;
    if (!cfg->psam_reader[0])
        return KIOSK_OK;
    identity_psam *p = calloc(1, sizeof *p);
    if (!p)
        return KIOSK_NOMEM;
    memcpy(p->reader_name, cfg->psam_reader, sizeof p->reader_name);
    p->key_index = (uint8_t)cfg->psam_key;
    *out = p;
    return KIOSK_OK;
}

static void drop(identity_psam *p)
{
    ssc_psam_close(p->psam);
    p->psam = NULL;
    reader_close(p->slot);
    p->slot = NULL;
}

static kiosk_rc ensure_open(identity_psam *p)
{
    if (p->psam)
        return KIOSK_OK;
    kiosk_rc rc = p->slot ? KIOSK_OK : reader_pcsc_open(p->reader_name, &p->slot);
    if (rc == KIOSK_OK)
        rc = ssc_psam_open(p->slot, p->key_index, &p->psam);
    if (rc != KIOSK_OK) {
        kiosk_log_warn("psam", "no PSAM in %s: %s", p->reader_name, kiosk_strerror(rc));
        drop(p);
        return rc;
    }
    kiosk_log_info("psam", "PSAM %s ready in %s", ssc_psam_serial(p->psam), p->reader_name);
    return KIOSK_OK;
}

static kiosk_rc cryptogram(void *ctx, const uint8_t card_id[16], const uint8_t challenge[8],
                           uint8_t out[8])
{
    identity_psam *p = ctx;
    if (ensure_open(p) != KIOSK_OK)
        return KIOSK_UNSUPPORTED;
    kiosk_rc rc = ssc_psam_cryptogram(p->psam, card_id, challenge, out);
    if (rc != KIOSK_OK)
        drop(p); /* found again (or not) for the next card */
    return rc;
}

ssc_key_holder identity_psam_key_holder(identity_psam *p)
{
    ssc_key_holder kh = {NULL, NULL, 0};
    if (p) {
        kh.cryptogram = cryptogram;
        kh.ctx = p;
        kh.key_id = p->key_index;
    }
    return kh;
}

kiosk_rc identity_psam_probe(identity_psam *p, char serial[SSC_PSAM_SERIAL_HEX])
{
    serial[0] = '\0';
    drop(p); /* look afresh */
    kiosk_rc rc = ensure_open(p);
    if (rc == KIOSK_OK)
        memcpy(serial, ssc_psam_serial(p->psam), SSC_PSAM_SERIAL_HEX);
    return rc;
}

void identity_psam_destroy(identity_psam *p)
{
    if (!p)
        return;
    drop(p);
    free(p);
}
