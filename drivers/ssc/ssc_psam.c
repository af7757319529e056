/*
 * The PSAM behind ssc_key_holder. Two commands per authentication (diversify, cipher),
 * three at open (select, serial). Responses are checked for their exact length.
 */
#include "ssc/ssc_psam.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"

/* The PSAM's commands (CLA INS P1 P2), one table, with their sources:
 *  - select: ISO/IEC 7816-4 SELECT by DF name, the SAM application of the social
 *    security system, AID D1 56 00 00 05 90 (../shared/DOMAIN.md §5);
 *  - serial: READ BINARY by short file identifier 0x15 (P1 = 0x80 | SFI), the PSAM's
 *    public information file, whose first 10 bytes are its serial number (JR/T 0025's
 *    PSAM file layout, which the SSSE terminal specification takes over);
 *  - diversify: INIT_SAM_FOR_DESCRYPT, 80 1A: P1 the key's usage (0x27: external
 *    authentication), P2 the key's index, data the diversification input (the user
 *    card's 16-byte identification code) (JR/T 0025 PSAM general cipher commands);
 *  - cipher: CIPHER_DATA, 80 FA 00 00: the data enciphered under the diversified key
 *    (P1 0x00: one block, the last) (same source). SM4 blocks of 16 bytes.
 * A deployment whose PSAM documents other bytes changes them here. */
enum { PSAM_SELECT, PSAM_SERIAL, PSAM_DIVERSIFY, PSAM_CIPHER };
static const uint8_t psam_cmd[][4] = {
    [PSAM_SELECT] = {0x00, 0xA4, 0x04, 0x00},
    [PSAM_SERIAL] = {0x00, 0xB0, 0x95, 0x00},
    [PSAM_DIVERSIFY] = {0x80, 0x1A, 0x27, 0x00}, /* P2: the key index, set at open */
    [PSAM_CIPHER] = {0x80, 0xFA, 0x00, 0x00},
};
static const uint8_t sam_aid[6] = {0xD1, 0x56, 0x00, 0x00, 0x05, 0x90};

#define PSAM_TIMEOUT_MS 2000
#define SERIAL_BYTES 10

struct ssc_psam {
    reader *r;
    uint8_t key_index;
    char serial[SSC_PSAM_SERIAL_HEX];
};

kiosk_rc ssc_sm4_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, ok = c && EVP_EncryptInit_ex(c, EVP_sm4_ecb(), NULL, key, NULL) == 1 &&
                      EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
                      EVP_EncryptUpdate(c, out, &len, in, 16) == 1 && len == 16;
    EVP_CIPHER_CTX_free(c); /* clears the key schedule */
    return ok ? KIOSK_OK : KIOSK_CRYPTO;
}

/* One command (header from the table, p2, data, Le when want > 0); on 61 xx the rest
 * with GET RESPONSE. The answer's data into resp, its length into *got, the status word
 * into *sw. */
static kiosk_rc command(reader *r, int which, uint8_t p2, const uint8_t *data, size_t n,
                        size_t want, uint8_t *resp, size_t *got, unsigned *sw)
{
    uint8_t apdu[5 + 32 + 1], buf[READER_RESP_MAX];
    size_t len = 4;
    memcpy(apdu, psam_cmd[which], 4);
    if (which == PSAM_DIVERSIFY)
        apdu[3] = p2;
    if (n) {
        apdu[len++] = (uint8_t)n;
        memcpy(apdu + len, data, n);
        len += n;
    }
    if (want)
        apdu[len++] = (uint8_t)want;
    size_t blen = 0;
    kiosk_rc rc = r->ops->transceive(r, apdu, len, buf, sizeof buf, &blen, PSAM_TIMEOUT_MS);
    if (rc == KIOSK_OK && blen == 2 && buf[0] == 0x61) { /* T=0: fetch the data */
        uint8_t get[5] = {0x00, 0xC0, 0x00, 0x00, buf[1]};
        rc = r->ops->transceive(r, get, sizeof get, buf, sizeof buf, &blen, PSAM_TIMEOUT_MS);
    }
    explicit_bzero(apdu, sizeof apdu);
    if (rc == KIOSK_OK && blen < 2)
        rc = KIOSK_CARD;
    if (rc == KIOSK_OK) {
        *sw = (unsigned)buf[blen - 2] << 8 | buf[blen - 1];
        *got = blen - 2;
        if (*got > want)
            *got = want;
        memcpy(resp, buf, *got);
    }
    explicit_bzero(buf, sizeof buf);
    return rc;
}

kiosk_rc ssc_psam_open(reader *sam, uint8_t key_index, ssc_psam **out)
{
    *out = NULL;
    reader_target t;
    kiosk_rc rc = sam->ops->poll(sam, 0, &t);
    if (rc != KIOSK_OK)
        return rc;
    uint8_t resp[SERIAL_BYTES];
    size_t got = 0;
    unsigned sw = 0;
    rc = command(sam, PSAM_SELECT, 0, sam_aid, sizeof sam_aid, 0, resp, &got, &sw);
    if (rc == KIOSK_OK && sw != 0x9000)
        rc = KIOSK_CARD;
    if (rc == KIOSK_OK)
        rc = command(sam, PSAM_SERIAL, 0, NULL, 0, SERIAL_BYTES, resp, &got, &sw);
    if (rc == KIOSK_OK && (sw != 0x9000 || got != SERIAL_BYTES))
        rc = KIOSK_CARD;
    if (rc != KIOSK_OK)
        return rc == KIOSK_CARD_REMOVED ? KIOSK_NO_CARD : rc;
    ssc_psam *p = calloc(1, sizeof *p);
    if (!p)
        return KIOSK_NOMEM;
    p->r = sam;
    p->key_index = key_index;
    for (size_t i = 0; i < SERIAL_BYTES; i++)
        snprintf(p->serial + 2 * i, 3, "%02X", resp[i]);
    *out = p;
    return KIOSK_OK;
}

const char *ssc_psam_serial(const ssc_psam *p)
{
    return p->serial;
}

kiosk_rc ssc_psam_cryptogram(void *ctx, const uint8_t card_id[16], const uint8_t challenge[8],
                             uint8_t out[8])
{
    ssc_psam *p = ctx;
    uint8_t block[16] = {0}, resp[16];
    size_t got = 0;
    unsigned sw = 0;
    kiosk_rc rc = command(p->r, PSAM_DIVERSIFY, p->key_index, card_id, 16, 0, resp, &got, &sw);
    if (rc == KIOSK_OK && sw != 0x9000) {
        kiosk_log_warn("psam", "the PSAM refused to diversify key %u (SW %04X)", p->key_index, sw);
        rc = KIOSK_UNSUPPORTED;
    }
    if (rc == KIOSK_OK) {
        memcpy(block, challenge, 8);
        block[8] = 0x80; /* ISO/IEC 9797-1 padding method 2 */
        rc = command(p->r, PSAM_CIPHER, 0, block, sizeof block, 16, resp, &got, &sw);
        if (rc == KIOSK_OK && (sw != 0x9000 || got != 16)) {
            kiosk_log_warn("psam", "the PSAM refused the cipher (SW %04X)", sw);
            rc = KIOSK_UNSUPPORTED;
        }
    }
    if (rc == KIOSK_OK)
        memcpy(out, resp, 8);
    else if (rc != KIOSK_UNSUPPORTED) {
        kiosk_log_warn("psam", "the PSAM does not answer: %s", kiosk_strerror(rc));
        rc = KIOSK_UNSUPPORTED;
    }
    explicit_bzero(block, sizeof block);
    explicit_bzero(resp, sizeof resp);
    return rc;
}

void ssc_psam_close(ssc_psam *p)
{
    if (p)
        explicit_bzero(p, sizeof *p);
    free(p);
}
