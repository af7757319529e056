/*
 * The simulated card. The profile is read with inih into the card's own byte layout
 * (EF05 and EF06 records as tag-length-value); the APDU handler is a small state
 * machine: selected application, selected EF, verified PIN, pending GET RESPONSE.
 */
#include "ssc/reader_sim.h"

#include <errno.h>
#include <iconv.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/kiosk_log.h"
#include "ssc/ssc.h"
#include "ssc/ssc_psam.h"

static const uint8_t ssse_name[15] = {0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9,
                                      0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF};

#define SIM_RECORDS 8 /* records per EF: ef05[] and ef06[] */

typedef struct record {
    uint8_t tag, len;
    uint8_t value[32];
} record;

typedef struct sim_reader {
    reader base;
    reader_sim_faults faults;
    int present, apdus, generation;
    int card_gen;   /* bumped by reader_sim_swap_card; atomic */
    int polled_gen; /* the card_gen the last poll found (the reader's thread) */
    int type_b;     /* answers ISO 14443 Type B polls, not Type A ([card] modulation = B) */
    record ef05[SIM_RECORDS], ef06[SIM_RECORDS];
    size_t n05, n06;
    uint8_t pin[3];
    int tries, max_tries;
    int counter;          /* answers VERIFY without a PIN with its retry counter (default yes) */
    int app_selected, ef; /* ef: 0 none, 5, 6 */
    int pin_ok;
    uint8_t auth_key[32];
    int has_auth_key, authed;
    uint8_t sm4_master[16]; /* [auth] sm4_master: the card's key is diversified from it */
    int has_sm4;
    /* a PSAM ([psam]): the SAM application, its serial, its master key, the key the last
     * diversification made */
    int is_psam, psam_selected, psam_diversified;
    uint8_t psam_serial[10], psam_master[16], psam_key[16];
    uint8_t challenge[8];
    int challenge_valid;
    uint8_t pending[READER_RESP_MAX]; /* T=0: data waiting for GET RESPONSE */
    size_t pending_len;
    int bad_line;
} sim_reader;

/* Adds a record to an EF's list; 0 (a bad profile line) when the list is full or the tag
 * is already there: a field given twice. Checked before writing, so no profile can
 * write past the list. */
static int put(record *list, size_t *n, uint8_t tag, const uint8_t *v, size_t len)
{
    if (*n >= SIM_RECORDS || len > sizeof list->value)
        return 0;
    for (size_t i = 0; i < *n; i++)
        if (list[i].tag == tag)
            return 0;
    record *r = &list[(*n)++];
    r->tag = tag;
    r->len = (uint8_t)len;
    memcpy(r->value, v, len);
    return 1;
}

/* Digits as BCD, right-padded with F to `bytes`. */
static int bcd(const char *digits, uint8_t *out, size_t bytes)
{
    size_t n = strlen(digits);
    if (n > bytes * 2 || strspn(digits, "0123456789") != n)
        return 0;
    memset(out, 0xFF, bytes);
    for (size_t i = 0; i < n; i++) {
        uint8_t d = (uint8_t)(digits[i] - '0');
        out[i / 2] = i % 2 ? (uint8_t)((out[i / 2] & 0xF0) | d) : (uint8_t)((d << 4) | 0x0F);
    }
    return 1;
}

/* ASCII right-padded with 00 (alphanumeric fields). */
static int ascii(const char *s, uint8_t *out, size_t bytes)
{
    size_t n = strlen(s);
    if (n > bytes)
        return 0;
    memset(out, 0, bytes);
    memcpy(out, s, n);
    return 1;
}

static int to_gbk(const char *utf8, uint8_t *out, size_t bytes, size_t *used)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1)
        return 0;
    char *in = (char *)utf8, *o = (char *)out;
    size_t inleft = strlen(utf8), outleft = bytes;
    memset(out, 0, bytes);
    size_t r = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    *used = bytes - outleft;
    return r != (size_t)-1 && inleft == 0;
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
    sim_reader *s = user;
    uint8_t b[32] = {0};
    int ok = 1;
    if (!strcmp(section, "card") && !strcmp(key, "generation")) {
        s->generation = atoi(value);
        ok = s->generation >= 1 && s->generation <= 3;
    } else if (!strcmp(section, "card") && !strcmp(key, "modulation")) {
        ok = !strcmp(value, "A") || !strcmp(value, "B");
        s->type_b = !strcmp(value, "B");
    } else if (!strcmp(section, "card") && !strcmp(key, "card_number")) {
        ok = ascii(value, b, 9) && put(s->ef05, &s->n05, 0x07, b, 9);
    } else if (!strcmp(section, "card") && !strcmp(key, "issuing_region")) {
        memset(b, 0, 16);
        ok = bcd(value, b, 3) && put(s->ef05, &s->n05, 0x01, b, 16);
    } else if (!strcmp(section, "card") && !strcmp(key, "spec_version")) {
        ok = strlen(value) == 4 && ascii(value, b, 4) && put(s->ef05, &s->n05, 0x03, b, 4);
    } else if (!strcmp(section, "card") &&
               (!strcmp(key, "issue_date") || !strcmp(key, "expiry_date"))) {
        ok = strlen(value) == 8 && bcd(value, b, 4) &&
             put(s->ef05, &s->n05, !strcmp(key, "issue_date") ? 0x05 : 0x06, b, 4);
    } else if (!strcmp(section, "holder") && !strcmp(key, "id_number")) {
        ok = ascii(value, b, 18) && put(s->ef06, &s->n06, 0x08, b, 18);
    } else if (!strcmp(section, "holder") && !strcmp(key, "name")) {
        size_t used;
        ok = to_gbk(value, b, 30, &used) && put(s->ef06, &s->n06, 0x09, b, 30);
    } else if (!strcmp(section, "holder") && !strcmp(key, "name_extension")) {
        size_t used;
        ok = to_gbk(value, b, 20, &used) && put(s->ef06, &s->n06, 0x4E, b, 20);
    } else if (!strcmp(section, "holder") && !strcmp(key, "sex")) {
        b[0] = (uint8_t)value[0];
        ok = strlen(value) == 1 && put(s->ef06, &s->n06, 0x0A, b, 1);
    } else if (!strcmp(section, "holder") && !strcmp(key, "ethnicity")) {
        ok = strlen(value) == 2 && bcd(value, b, 1) && put(s->ef06, &s->n06, 0x0B, b, 1);
    } else if (!strcmp(section, "holder") && !strcmp(key, "birthplace")) {
        ok = bcd(value, b, 3) && put(s->ef06, &s->n06, 0x0C, b, 3);
    } else if (!strcmp(section, "holder") && !strcmp(key, "birth_date")) {
        ok = strlen(value) == 8 && bcd(value, b, 4) && put(s->ef06, &s->n06, 0x0D, b, 4);
    } else if (!strcmp(section, "auth") && !strcmp(key, "key")) {
        size_t bin_len = 0;
        ok = strlen(value) == 64 &&
             sodium_hex2bin(s->auth_key, 32, value, 64, NULL, &bin_len, NULL) == 0 && bin_len == 32;
        s->has_auth_key = ok;
    } else if (!strcmp(section, "auth") && !strcmp(key, "sm4_master")) {
        size_t bin_len = 0;
        ok = strlen(value) == 32 &&
             sodium_hex2bin(s->sm4_master, 16, value, 32, NULL, &bin_len, NULL) == 0 &&
             bin_len == 16;
        s->has_sm4 = ok;
    } else if (!strcmp(section, "psam") && !strcmp(key, "serial")) {
        size_t bin_len = 0;
        ok = strlen(value) == 20 &&
             sodium_hex2bin(s->psam_serial, 10, value, 20, NULL, &bin_len, NULL) == 0 &&
             bin_len == 10;
        s->is_psam = 1;
    } else if (!strcmp(section, "psam") && !strcmp(key, "sm4_master")) {
        size_t bin_len = 0;
        ok = strlen(value) == 32 &&
             sodium_hex2bin(s->psam_master, 16, value, 32, NULL, &bin_len, NULL) == 0 &&
             bin_len == 16;
        s->is_psam = 1;
    } else if (!strcmp(section, "pin") && !strcmp(key, "pin")) {
        ok = strlen(value) == 6 && bcd(value, s->pin, 3);
    } else if (!strcmp(section, "pin") && !strcmp(key, "tries")) {
        s->tries = atoi(value);
        ok = s->tries >= 0 && s->tries <= 15;
    } else if (!strcmp(section, "pin") && !strcmp(key, "counter")) {
        s->counter = !strcmp(value, "true");
        ok = s->counter || !strcmp(value, "false");
    } else if (!strcmp(section, "pin") && !strcmp(key, "max_tries")) {
        s->max_tries = atoi(value);
        ok = s->max_tries >= 1 && s->max_tries <= 15;
    } else {
        ok = 0;
    }
    return ok;
}

/* Tests move the card from their own thread while the reader worker polls. */
void reader_sim_set_present(reader *r, int present)
{
    __atomic_store_n(&((sim_reader *)r)->present, present, __ATOMIC_SEQ_CST);
}

void reader_sim_swap_card(reader *r)
{
    sim_reader *s = (sim_reader *)r;
    __atomic_add_fetch(&s->card_gen, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&s->present, 1, __ATOMIC_SEQ_CST);
}

static int is_present(sim_reader *s)
{
    return __atomic_load_n(&s->present, __ATOMIC_SEQ_CST);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static size_t sw(uint8_t *resp, size_t at, uint8_t sw1, uint8_t sw2)
{
    resp[at] = sw1;
    resp[at + 1] = sw2;
    return at + 2;
}

/* Answer data + 90 00, or 61 xx with the data kept for GET RESPONSE. */
static size_t data_ok(sim_reader *s, const uint8_t *data, size_t n, uint8_t *resp)
{
    if (s->faults.t0_get_response && n > 0) {
        memcpy(s->pending, data, n);
        s->pending_len = n;
        return sw(resp, 0, 0x61, (uint8_t)n);
    }
    memcpy(resp, data, n);
    return sw(resp, n, 0x90, 0x00);
}

/* The cryptogram a card of the SM4 scheme expects (ssc_psam.h): its key diversified
 * from the master by its identification code, then the padded challenge enciphered. */
static int sm4_cryptogram(const uint8_t master[16], const uint8_t card_id[16],
                          const uint8_t challenge[8], uint8_t out[8])
{
    uint8_t key[16], block[16] = {0}, enc[16];
    int ok = ssc_sm4_encrypt(master, card_id, key) == KIOSK_OK;
    memcpy(block, challenge, 8);
    block[8] = 0x80;
    ok = ok && ssc_sm4_encrypt(key, block, enc) == KIOSK_OK;
    memcpy(out, enc, 8);
    explicit_bzero(key, sizeof key);
    explicit_bzero(enc, sizeof enc);
    return ok;
}

/* A PSAM: the SAM application (select), its serial (EF15 by SFI), diversify and cipher
 * as ssc_psam.c's table says. */
static size_t handle_psam(sim_reader *s, const uint8_t *a, size_t n, uint8_t *resp)
{
    static const uint8_t aid[6] = {0xD1, 0x56, 0x00, 0x00, 0x05, 0x90};
    uint8_t cla = a[0], ins = a[1], p1 = a[2];
    if (cla == 0x00 && ins == 0xA4 && p1 == 0x04) {
        s->psam_selected = n >= 11 && a[4] == 6 && !memcmp(a + 5, aid, 6);
        s->psam_diversified = 0;
        return s->psam_selected ? sw(resp, 0, 0x90, 0x00) : sw(resp, 0, 0x6A, 0x82);
    }
    if (!s->psam_selected)
        return sw(resp, 0, 0x69, 0x85);
    if (cla == 0x00 && ins == 0xB0 && p1 == 0x95) /* the public information file */
        return data_ok(s, s->psam_serial, sizeof s->psam_serial, resp);
    if (cla == 0x80 && ins == 0x1A) { /* diversify for external authentication */
        if (p1 != 0x27 || n < 21 || a[4] != 16)
            return sw(resp, 0, 0x6A, 0x86);
        s->psam_diversified = ssc_sm4_encrypt(s->psam_master, a + 5, s->psam_key) == KIOSK_OK;
        return s->psam_diversified ? sw(resp, 0, 0x90, 0x00) : sw(resp, 0, 0x6F, 0x00);
    }
    if (cla == 0x80 && ins == 0xFA) { /* cipher one block under the diversified key */
        if (!s->psam_diversified)
            return sw(resp, 0, 0x69, 0x85);
        if (n < 21 || a[4] != 16)
            return sw(resp, 0, 0x67, 0x00);
        uint8_t enc[16];
        if (ssc_sm4_encrypt(s->psam_key, a + 5, enc) != KIOSK_OK)
            return sw(resp, 0, 0x6F, 0x00);
        size_t k = data_ok(s, enc, sizeof enc, resp);
        explicit_bzero(enc, sizeof enc);
        return k;
    }
    return sw(resp, 0, 0x6D, 0x00);
}

static size_t handle(sim_reader *s, const uint8_t *a, size_t n, uint8_t *resp)
{
    if (n < 4)
        return sw(resp, 0, 0x67, 0x00);
    uint8_t cla = a[0], ins = a[1], p1 = a[2], p2 = a[3];
    if (s->is_psam && !(cla == 0x00 && ins == 0xC0))
        return handle_psam(s, a, n, resp);
    if (cla != 0x00)
        return sw(resp, 0, 0x6E, 0x00);
    if (ins == 0xC0) { /* GET RESPONSE */
        if (!s->pending_len)
            return sw(resp, 0, 0x6F, 0x00);
        size_t len = s->pending_len;
        s->pending_len = 0;
        memcpy(resp, s->pending, len);
        return sw(resp, len, 0x90, 0x00);
    }
    s->pending_len = 0;
    if (ins == 0xA4) { /* SELECT */
        if (p1 == 0x04 && n >= 5 && a[4] == 15 && n >= 20 && !memcmp(a + 5, ssse_name, 15)) {
            s->app_selected = 1;
            s->ef = 0;
            return sw(resp, 0, 0x90, 0x00);
        }
        if (p1 == 0x02 && n >= 7 && a[4] == 2 && a[5] == 0xEF && s->app_selected &&
            (a[6] == 0x05 || a[6] == 0x06)) {
            s->ef = a[6];
            return sw(resp, 0, 0x90, 0x00);
        }
        return sw(resp, 0, 0x6A, 0x82);
    }
    if (ins == 0x84) { /* GET CHALLENGE */
        if (n < 5 || a[4] != 8)
            return sw(resp, 0, 0x67, 0x00);
        randombytes_buf(s->challenge, sizeof s->challenge);
        s->challenge_valid = 1;
        return data_ok(s, s->challenge, sizeof s->challenge, resp);
    }
    if (ins == 0x82) { /* EXTERNAL AUTHENTICATE: the PSAM's SM4 scheme or the test one */
        if (!s->challenge_valid || !(s->has_auth_key || s->has_sm4) || n < 13 || a[4] != 8)
            return sw(resp, 0, 0x69, 0x85);
        s->challenge_valid = 0; /* one try per challenge */
        uint8_t card_id[16] = {0}, want[8];
        for (size_t i = 0; i < s->n05; i++)
            if (s->ef05[i].tag == 0x01)
                memcpy(card_id, s->ef05[i].value, 16);
        if (s->has_sm4 ? !sm4_cryptogram(s->sm4_master, card_id, s->challenge, want)
                       : ssc_test_cryptogram(s->auth_key, card_id, s->challenge, want) != KIOSK_OK)
            return sw(resp, 0, 0x6F, 0x00);
        if (sodium_memcmp(want, a + 5, 8) != 0)
            return sw(resp, 0, 0x63, 0x00);
        s->authed = 1;
        return sw(resp, 0, 0x90, 0x00);
    }
    if (ins == 0x20) { /* VERIFY */
        if (!s->app_selected)
            return sw(resp, 0, 0x69, 0x85);
        if (n == 4 || (n == 5 && a[4] == 0)) {
            /* no PIN: the retry counter, no try spent (ISO/IEC 7816-4) */
            if (!s->counter)
                return sw(resp, 0, 0x6A, 0x86);
            if (s->tries == 0)
                return sw(resp, 0, 0x69, 0x83);
            return s->pin_ok ? sw(resp, 0, 0x90, 0x00)
                             : sw(resp, 0, 0x63, (uint8_t)(0xC0 | s->tries));
        }
        if (s->tries == 0)
            return sw(resp, 0, 0x69, 0x83);
        if (n < 8 || a[4] != 3)
            return sw(resp, 0, 0x67, 0x00);
        if (!memcmp(a + 5, s->pin, 3)) {
            s->tries = s->max_tries;
            s->pin_ok = 1;
            return sw(resp, 0, 0x90, 0x00);
        }
        s->tries--;
        s->pin_ok = 0;
        return s->tries == 0 ? sw(resp, 0, 0x69, 0x83)
                             : sw(resp, 0, 0x63, (uint8_t)(0xC0 | s->tries));
    }
    if (ins == 0xB2) { /* READ RECORD by tag, in the current EF or the one of SFI P2>>3 */
        if ((p2 & 0x07) != 0)
            return sw(resp, 0, 0x69, 0x86);
        if (p2 >> 3) {
            if ((p2 >> 3) != 5 && (p2 >> 3) != 6)
                return sw(resp, 0, 0x6A, 0x82);
            s->ef = p2 >> 3; /* the EF read by its SFI becomes the current one */
        }
        if (!s->ef)
            return sw(resp, 0, 0x69, 0x86);
        if (s->ef == 6 && s->generation >= 3 && !s->authed)
            return sw(resp, 0, 0x69, 0x82); /* needs external authentication */
        const record *list = s->ef == 5 ? s->ef05 : s->ef06;
        size_t count = s->ef == 5 ? s->n05 : s->n06;
        for (size_t i = 0; i < count; i++) {
            if (list[i].tag == p1) {
                uint8_t out[40];
                out[0] = list[i].tag;
                out[1] = (uint8_t)(list[i].len + (s->faults.malformed ? 7 : 0));
                memcpy(out + 2, list[i].value, list[i].len);
                return data_ok(s, out, (size_t)list[i].len + 2, resp);
            }
        }
        return sw(resp, 0, 0x6A, 0x83);
    }
    return sw(resp, 0, 0x6D, 0x00);
}

static kiosk_rc sim_poll(reader *r, int timeout_ms, reader_target *out)
{
    sim_reader *s = (sim_reader *)r;
    if (!is_present(s)) {
        sleep_ms(timeout_ms < 20 ? timeout_ms : 20);
        return KIOSK_NO_CARD;
    }
    memset(out, 0, sizeof *out);
    static const uint8_t uid[4] = {0x08, 0x5A, 0x3C, 0x11}; /* random-UID style, fixed */
    memcpy(out->uid, uid, sizeof uid);
    out->uid_len = sizeof uid;
    out->type_b = s->type_b;
    s->polled_gen = __atomic_load_n(&s->card_gen, __ATOMIC_SEQ_CST);
    s->app_selected = 0;
    s->ef = 0;
    s->pin_ok = 0;
    s->authed = 0;
    s->psam_selected = s->psam_diversified = 0;
    explicit_bzero(s->psam_key, sizeof s->psam_key);
    return KIOSK_OK;
}

static kiosk_rc sim_transceive(reader *r, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap,
                               size_t *len, int timeout_ms)
{
    sim_reader *s = (sim_reader *)r;
    if (!is_present(s))
        return KIOSK_CARD_REMOVED;
    if (s->faults.delay_ms > 0) {
        if (s->faults.delay_ms > timeout_ms) {
            sleep_ms(timeout_ms);
            return KIOSK_TIMEOUT;
        }
        sleep_ms(s->faults.delay_ms);
    }
    if (s->faults.remove_after_apdus && s->apdus >= s->faults.remove_after_apdus) {
        __atomic_store_n(&s->present, 0, __ATOMIC_SEQ_CST);
        return KIOSK_CARD_REMOVED;
    }
    s->apdus++;
    uint8_t out[READER_RESP_MAX];
    size_t got = handle(s, apdu, n, out);
    if (got > cap)
        return KIOSK_CARD;
    memcpy(resp, out, got);
    *len = got;
    return KIOSK_OK;
}

static kiosk_rc sim_present(reader *r)
{
    sim_reader *s = (sim_reader *)r;
    if (__atomic_load_n(&s->card_gen, __ATOMIC_SEQ_CST) != s->polled_gen)
        return KIOSK_NO_CARD; /* the card polled was swapped for another */
    return is_present(s) ? KIOSK_OK : KIOSK_NO_CARD;
}

static void sim_release(reader *r)
{
    sim_reader *s = (sim_reader *)r;
    s->app_selected = 0;
    s->ef = 0;
    s->pin_ok = 0;
    s->authed = 0;
    s->psam_selected = s->psam_diversified = 0;
    explicit_bzero(s->psam_key, sizeof s->psam_key);
}

static void sim_close(reader *r)
{
    sim_reader *s = (sim_reader *)r;
    explicit_bzero(s, sizeof *s); /* the profile holds personal data */
    free(s);
}

static const reader_ops sim_ops = {"simulated", sim_poll,    sim_transceive,
                                   sim_present, sim_release, sim_close};

static sim_reader *sim_new(const reader_sim_faults *faults)
{
    sim_reader *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->base.ops = &sim_ops;
    s->generation = 2;
    s->tries = s->max_tries = 3;
    s->counter = 1;
    s->present = 1;
    if (faults)
        s->faults = *faults;
    return s;
}

/* line: what inih returned for the profile named `what`. */
static kiosk_rc sim_finish(sim_reader *s, const char *what, int line, reader **out)
{
    if (line != 0) {
        kiosk_log_error("reader", "card profile %s: line %d is not understood", what, line);
        explicit_bzero(s, sizeof *s);
        free(s);
        return line < 0 ? KIOSK_NOMEM : KIOSK_CONFIG;
    }
    if (s->tries > s->max_tries)
        s->tries = s->max_tries;
    *out = &s->base;
    return KIOSK_OK;
}

kiosk_rc reader_sim_create(const char *profile, const reader_sim_faults *faults, reader **out)
{
    *out = NULL;
    sim_reader *s = sim_new(faults);
    if (!s)
        return KIOSK_NOMEM;
    FILE *f = fopen(profile, "r");
    if (!f) {
        free(s);
        return KIOSK_NOT_FOUND;
    }
    int line = ini_parse_file(f, on_entry, s);
    fclose(f);
    return sim_finish(s, profile, line, out);
}

kiosk_rc reader_sim_create_mem(const char *text, size_t len, const reader_sim_faults *faults,
                               reader **out)
{
    *out = NULL;
    char *copy = malloc(len + 1);
    sim_reader *s = copy ? sim_new(faults) : NULL;
    if (!s) {
        free(copy);
        return KIOSK_NOMEM;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    int line = ini_parse_string(copy, on_entry, s);
    explicit_bzero(copy, len);
    free(copy);
    return sim_finish(s, "(memory)", line, out);
}

int reader_sim_apdus(reader *r)
{
    return ((sim_reader *)r)->apdus;
}

int reader_sim_pin_tries(reader *r)
{
    return ((sim_reader *)r)->tries;
}
