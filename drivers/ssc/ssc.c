/*
 * SSSE application protocol. Every exchange goes through one helper that follows
 * 61 xx with GET RESPONSE and splits off the status word; record reads check the echoed
 * tag and the length byte against what came back, so a garbled record is an error
 * rather than garbage in a citizen's form.
 */
#include "ssc/ssc.h"

#include <iconv.h>
#include <sodium.h>
#include <string.h>

static const uint8_t ssse_name[15] = {0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9,
                                      0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF};

/* Send apdu; on 61 xx fetch the rest with GET RESPONSE. *sw gets the final status word,
 * data/len the response body. */
static kiosk_rc exchange(reader *r, const uint8_t *apdu, size_t n, uint8_t *data, size_t *len,
                         unsigned *sw)
{
    uint8_t resp[READER_RESP_MAX];
    size_t got = 0;
    kiosk_rc rc = r->ops->transceive(r, apdu, n, resp, sizeof resp, &got, SSC_APDU_TIMEOUT_MS);
    if (rc != KIOSK_OK)
        return rc;
    for (int rounds = 0; got >= 2 && resp[got - 2] == 0x61 && rounds < 4; rounds++) {
        const uint8_t get[5] = {0x00, 0xC0, 0x00, 0x00, resp[got - 1]};
        rc = r->ops->transceive(r, get, sizeof get, resp, sizeof resp, &got, SSC_APDU_TIMEOUT_MS);
        if (rc != KIOSK_OK)
            return rc;
    }
    if (got < 2)
        return KIOSK_CARD;
    *sw = (unsigned)resp[got - 2] << 8 | resp[got - 1];
    *len = got - 2;
    memcpy(data, resp, *len);
    return KIOSK_OK;
}

/* READ RECORD by tag in the current EF; value (expected length want) into out. */
/* READ RECORD by tag from the EF with short file identifier sfi (P2 = SFI<<3): no
 * SELECT EF needed, one APDU a field. */
static kiosk_rc read_tag(reader *r, uint8_t sfi, uint8_t tag, size_t want, uint8_t *out)
{
    const uint8_t apdu[5] = {0x00, 0xB2, tag, (uint8_t)(sfi << 3), (uint8_t)(want + 2)};
    uint8_t data[READER_RESP_MAX];
    size_t len;
    unsigned sw;
    kiosk_rc rc = exchange(r, apdu, sizeof apdu, data, &len, &sw);
    if (rc != KIOSK_OK)
        return rc;
    if (sw == 0x6982)
        return KIOSK_UNSUPPORTED;
    if (sw != 0x9000 || len != want + 2 || data[0] != tag || data[1] != want)
        return KIOSK_CARD;
    memcpy(out, data + 2, want);
    return KIOSK_OK;
}

/* BCD digits, stopping at F padding; 0 if a nibble is not a digit or F, or F is
 * followed by a digit. */
static int from_bcd(const uint8_t *b, size_t bytes, char *out, size_t outsz)
{
    size_t o = 0;
    int ended = 0;
    for (size_t i = 0; i < bytes * 2; i++) {
        uint8_t nib = (uint8_t)(i % 2 ? b[i / 2] & 0x0F : b[i / 2] >> 4);
        if (nib == 0xF) {
            ended = 1;
            continue;
        }
        if (nib > 9 || ended || o + 1 >= outsz)
            return 0;
        out[o++] = (char)('0' + nib);
    }
    out[o] = '\0';
    return 1;
}

/* Bytes before the 00 padding. */
static size_t unpadded(const uint8_t *b, size_t bytes)
{
    size_t n = 0;
    while (n < bytes && b[n])
        n++;
    return n;
}

/* 00-padded ASCII (printable) into a string. */
static int from_ascii(const uint8_t *b, size_t bytes, char *out, size_t outsz)
{
    size_t n = unpadded(b, bytes);
    for (size_t i = n; i < bytes; i++)
        if (b[i])
            return 0;
    if (n + 1 > outsz)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (b[i] < 0x20 || b[i] > 0x7E)
            return 0;
    memcpy(out, b, n);
    out[n] = '\0';
    return 1;
}

/* 00-padded GBK (decoded as GB18030) appended to out as UTF-8. */
static int from_gbk(const uint8_t *b, size_t bytes, char *out, size_t outsz)
{
    size_t n = unpadded(b, bytes);
    if (n == 0)
        return 1;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return 0;
    size_t have = strlen(out);
    char *in = (char *)b, *o = out + have;
    size_t inleft = n, outleft = outsz - have - 1;
    size_t rc = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    if (rc == (size_t)-1 || inleft != 0)
        return 0;
    *o = '\0';
    return 1;
}

kiosk_rc ssc_select_card(reader *r, ssc_card *out)
{
    memset(out, 0, sizeof *out);
    uint8_t apdu[5 + 15] = {0x00, 0xA4, 0x04, 0x00, 15};
    memcpy(apdu + 5, ssse_name, 15);
    uint8_t data[READER_RESP_MAX];
    size_t len;
    unsigned sw;
    kiosk_rc rc = exchange(r, apdu, sizeof apdu, data, &len, &sw);
    if (rc != KIOSK_OK)
        return rc;
    if (sw != 0x9000)
        return KIOSK_CARD; /* not a social security card */
    uint8_t v[4];
    rc = read_tag(r, SSC_SFI_EF05, 0x03, 4, v);
    if (rc == KIOSK_OK && (!from_ascii(v, 4, out->spec_version, sizeof out->spec_version) ||
                           out->spec_version[0] < '1' || out->spec_version[0] > '9'))
        rc = KIOSK_CARD;
    if (rc != KIOSK_OK) {
        memset(out, 0, sizeof *out);
        return rc == KIOSK_UNSUPPORTED ? KIOSK_CARD : rc;
    }
    out->generation = out->spec_version[0] - '0';
    /* The identification code keys diversification for terminal authentication: only a
     * 3rd-generation card needs it read. A reader that fails here is the caller's to
     * hear about; a card without the code reads fine otherwise. */
    if (out->generation >= 3) {
        rc = read_tag(r, SSC_SFI_EF05, 0x01, 16, out->card_id);
        if (rc == KIOSK_CARD_REMOVED || rc == KIOSK_TIMEOUT || rc == KIOSK_READER) {
            memset(out, 0, sizeof *out);
            return rc;
        }
        if (rc != KIOSK_OK)
            memset(out->card_id, 0, sizeof out->card_id);
    }
    return KIOSK_OK;
}

kiosk_rc ssc_read_card_number(reader *r, ssc_card *card)
{
    uint8_t v[9];
    kiosk_rc rc = read_tag(r, SSC_SFI_EF05, 0x07, 9, v);
    if (rc == KIOSK_OK && !from_ascii(v, 9, card->card_number, sizeof card->card_number))
        rc = KIOSK_CARD;
    if (rc != KIOSK_OK)
        memset(card->card_number, 0, sizeof card->card_number);
    return rc == KIOSK_UNSUPPORTED ? KIOSK_CARD : rc;
}

kiosk_rc ssc_read_card(reader *r, ssc_card *out)
{
    kiosk_rc rc = ssc_select_card(r, out);
    if (rc == KIOSK_OK)
        rc = ssc_read_card_number(r, out);
    if (rc != KIOSK_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

/* VERIFY (with the PIN, or without data for the counter) and its status word: 90 00
 * KIOSK_OK; 63 Cx wrong_rc with x tries in *tries_left (x = 0 blocked); 69 83 and 93 03
 * blocked; anything else other_rc. The APDU is wiped after sending. */
static kiosk_rc verify(reader *r, uint8_t *apdu, size_t n, kiosk_rc wrong_rc, kiosk_rc other_rc,
                       int *tries_left)
{
    *tries_left = -1;
    uint8_t data[READER_RESP_MAX];
    size_t len;
    unsigned sw;
    kiosk_rc rc = exchange(r, apdu, n, data, &len, &sw);
    explicit_bzero(apdu, n);
    if (rc != KIOSK_OK)
        return rc;
    if (sw == 0x9000)
        return KIOSK_OK;
    if ((sw & 0xFFF0) == 0x63C0) {
        *tries_left = (int)(sw & 0x0F);
        return *tries_left == 0 ? KIOSK_PIN_BLOCKED : wrong_rc;
    }
    if (sw == 0x6983 || sw == 0x9303)
        return KIOSK_PIN_BLOCKED;
    return other_rc;
}

kiosk_rc ssc_verify_pin(reader *r, const char *pin, int *tries_left)
{
    *tries_left = -1;
    if (!pin || strlen(pin) != 6 || strspn(pin, "0123456789") != 6)
        return KIOSK_INVALID;
    uint8_t apdu[8] = {0x00, 0x20, 0x00, 0x00, 0x03};
    for (int i = 0; i < 3; i++)
        apdu[5 + i] = (uint8_t)((pin[2 * i] - '0') << 4 | (pin[2 * i + 1] - '0'));
    return verify(r, apdu, sizeof apdu, KIOSK_PIN_WRONG, KIOSK_CARD, tries_left);
}

kiosk_rc ssc_pin_tries(reader *r, int *tries_left)
{
    uint8_t apdu[4] = {0x00, 0x20, 0x00, 0x00};
    return verify(r, apdu, sizeof apdu, KIOSK_OK, KIOSK_UNSUPPORTED, tries_left);
}

kiosk_rc ssc_read_holder(reader *r, ssc_holder *out)
{
    memset(out, 0, sizeof *out);
    uint8_t v[32];
    kiosk_rc rc = read_tag(r, SSC_SFI_EF06, 0x08, 18, v);
    if (rc == KIOSK_OK &&
        (!from_ascii(v, 18, out->id_number, sizeof out->id_number) || strlen(out->id_number) != 18))
        rc = KIOSK_CARD;
    if (rc == KIOSK_OK)
        rc = read_tag(r, SSC_SFI_EF06, 0x09, 30, v);
    if (rc == KIOSK_OK && (!from_gbk(v, 30, out->name, sizeof out->name) || !out->name[0]))
        rc = KIOSK_CARD;
    if (rc == KIOSK_OK) {
        /* V2/V3 cards may carry a name extension (also for characters beyond GBK); older
         * ones answer 6A 83 */
        kiosk_rc ext = read_tag(r, SSC_SFI_EF06, 0x4E, 20, v);
        if (ext == KIOSK_OK && !from_gbk(v, 20, out->name, sizeof out->name))
            rc = KIOSK_CARD;
        else if (ext != KIOSK_OK && ext != KIOSK_CARD)
            rc = ext;
    }
    if (rc == KIOSK_OK)
        rc = read_tag(r, SSC_SFI_EF06, 0x0B, 1, v);
    if (rc == KIOSK_OK &&
        (!from_bcd(v, 1, out->ethnicity, sizeof out->ethnicity) || strlen(out->ethnicity) != 2))
        rc = KIOSK_CARD;
    explicit_bzero(v, sizeof v);
    if (rc != KIOSK_OK)
        ssc_holder_wipe(out);
    return rc;
}

kiosk_rc ssc_authenticate(reader *r, const ssc_card *card, const ssc_key_holder *kh)
{
    kiosk_rc rc;
    static const uint8_t get_challenge[5] = {0x00, 0x84, 0x00, 0x00, 0x08};
    uint8_t data[READER_RESP_MAX];
    size_t len;
    unsigned sw;
    rc = exchange(r, get_challenge, sizeof get_challenge, data, &len, &sw);
    if (rc != KIOSK_OK)
        return rc;
    if (sw != 0x9000 || len != 8)
        return KIOSK_CARD;
    uint8_t apdu[13] = {0x00, 0x82, 0x00, kh->key_id, 0x08};
    rc = kh->cryptogram(kh->ctx, card->card_id, data, apdu + 5);
    if (rc != KIOSK_OK)
        return rc;
    rc = exchange(r, apdu, sizeof apdu, data, &len, &sw);
    if (rc != KIOSK_OK)
        return rc;
    if (sw == 0x9000)
        return KIOSK_OK;
    return sw == 0x6300 || (sw & 0xFFF0) == 0x63C0 || sw == 0x6982 ? KIOSK_CRYPTO : KIOSK_CARD;
}

kiosk_rc ssc_test_cryptogram(void *key32, const uint8_t card_id[16], const uint8_t challenge[8],
                             uint8_t out[8])
{
    uint8_t msg[24], mac[crypto_auth_BYTES];
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    memcpy(msg, card_id, 16);
    memcpy(msg + 16, challenge, 8);
    crypto_auth(mac, msg, sizeof msg, key32);
    memcpy(out, mac, 8);
    return KIOSK_OK;
}

void ssc_holder_wipe(ssc_holder *h)
{
    explicit_bzero(h, sizeof *h);
}
