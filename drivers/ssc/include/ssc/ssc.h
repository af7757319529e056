/*
 * The social security card's SSSE application (DOMAIN.md §5) over any reader: select
 * the application, read the card number (EF05), verify the PIN, read the holder's
 * identity (EF06) by tag, and decode BCD, F/00 padding and GBK names (iconv, GB18030)
 * into checked UTF-8 fields. Reads only what the registration needs. Never stores or
 * logs the PIN or the holder's data. Reader worker thread only.
 */
#ifndef KIOSK_SSC_H
#define KIOSK_SSC_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"
#include "nfc/reader.h"

/* What EF05 says about the card itself (not personal). */
typedef struct ssc_card {
    uint8_t card_id[16];  /* card identification code (EF05 tag 01), zero if absent */
    char card_number[10]; /* 9 characters; "" unless ssc_read_card read it */
    char spec_version[5]; /* "3.00" */
    int generation;       /* first digit of spec_version */
} ssc_card;

/* The holder, from EF06 (sex and birth date from the ID number, by the caller). */
typedef struct ssc_holder {
    char id_number[19];
    char name[128];    /* UTF-8, name + name extension */
    char sex;          /* '1' male, '2' female: from the ID number */
    char ethnicity[3]; /* GB 3304, two digits */
    kiosk_date birth;  /* from the ID number */
} ssc_holder;

/* Short file identifiers: READ RECORD by SFI needs no SELECT EF. */
#define SSC_SFI_EF05 5
#define SSC_SFI_EF06 6

/* Per-APDU timeout: contactless cards doing crypto can take well over libnfc's
 * 350 ms default. */
#define SSC_APDU_TIMEOUT_MS 2000

/* Select the application and read of EF05 (by SFI) what the kiosk needs: the
 * specification, hence the generation, and the identification code only on a
 * 3rd-generation card (for terminal authentication). Not the card number: the journey
 * has no use for it, and it is one APDU less a tap. card_number is left "". KIOSK_CARD
 * for a card without the SSSE application or with a malformed record, or the reader's
 * KIOSK_CARD_REMOVED / KIOSK_TIMEOUT / KIOSK_READER. */
kiosk_rc ssc_select_card(reader *r, ssc_card *out);

/* ssc_select_card, then the card number too (staff tools): one APDU more. Same codes. */
kiosk_rc ssc_read_card(reader *r, ssc_card *out);

/* The card number (EF05 tag 07) of the card selected by ssc_select_card into
 * card->card_number ("" on failure): what tells the same card put back from another,
 * read only when a session needs it, off the tap → PIN path. Same codes. */
kiosk_rc ssc_read_card_number(reader *r, ssc_card *card);

/* VERIFY the 6-digit PIN (borrowed; not kept). KIOSK_OK; KIOSK_PIN_WRONG with
 * *tries_left set from 63 Cx; KIOSK_PIN_BLOCKED (69 83); KIOSK_INVALID for a PIN that
 * is not 6 digits (nothing is sent). Call after ssc_read_card. */
kiosk_rc ssc_verify_pin(reader *r, const char *pin, int *tries_left);

/* The PIN's retry counter, without spending a try (VERIFY with no data): KIOSK_OK with
 * *tries_left from 63 Cx (or -1 after 90 00: already verified); KIOSK_PIN_BLOCKED (69 83,
 * 63 C0); KIOSK_UNSUPPORTED for a card that does not tell (67 00, 6A 86 …: *tries_left
 * -1, say nothing about tries); the reader's errors. Call after ssc_read_card. */
kiosk_rc ssc_pin_tries(reader *r, int *tries_left);

/* Read EF06 after a verified PIN, only what the form needs: the ID number (18
 * characters), the name with its extension, and the ethnicity, each format-checked. Sex
 * and birth date are left for the caller to take from the ID number (the domain's
 * idnum.h, above the drivers): fewer APDUs, and nothing to disagree with. KIOSK_CARD for
 * anything malformed, KIOSK_UNSUPPORTED when the card wants terminal authentication first
 * (3rd generation, 69 82). */
kiosk_rc ssc_read_holder(reader *r, ssc_holder *out);

/* Terminal authentication for 3rd-generation cards. The key holder (a PSAM in the
 * reader, a networked HSM, or the test key holder) turns the card's 8-byte challenge
 * into the 8-byte cryptogram EXTERNAL AUTHENTICATE expects; the key never enters this
 * code. card_id is EF05's 16-byte card identification code, for key diversification. */
typedef struct ssc_key_holder {
    kiosk_rc (*cryptogram)(void *ctx, const uint8_t card_id[16], const uint8_t challenge[8],
                           uint8_t out[8]);
    void *ctx;
    uint8_t key_id; /* P2 of EXTERNAL AUTHENTICATE */
} ssc_key_holder;

/* GET CHALLENGE, ask the key holder, EXTERNAL AUTHENTICATE; then EF06 is readable.
 * card is what ssc_read_card returned (borrowed). KIOSK_CRYPTO when the card rejects
 * the cryptogram, KIOSK_CARD for anything else unexpected, or the key holder's /
 * reader's error. */
kiosk_rc ssc_authenticate(reader *r, const ssc_card *card, const ssc_key_holder *kh);

/* The test key holder: an HMAC (libsodium crypto_auth, truncated) of the challenge under
 * a 32-byte key, matching the simulated card's [auth] key. For tests and the demo
 * only; a real deployment plugs a PSAM or HSM into ssc_key_holder. */
kiosk_rc ssc_test_cryptogram(void *key32, const uint8_t card_id[16], const uint8_t challenge[8],
                             uint8_t out[8]);

/* Wipe a holder record (explicit_bzero). */
void ssc_holder_wipe(ssc_holder *h);

#endif
