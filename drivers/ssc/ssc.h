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

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"
#include "nfc/reader.h"

/* What EF05 says about the card itself (not personal). */
typedef struct ssc_card {
    char card_number[10]; /* 9 characters */
    char spec_version[5]; /* "3.00" */
    int generation;       /* first digit of spec_version */
} ssc_card;

/* The holder, from EF06. */
typedef struct ssc_holder {
    char id_number[19];
    char name[128];     /* UTF-8, name + name extension */
    char sex;           /* '1' male, '2' female */
    char ethnicity[3];  /* GB 3304, two digits */
    char birthplace[7]; /* region code */
    kiosk_date birth;
} ssc_holder;

/* Per-APDU timeout: contactless cards doing crypto can take well over libnfc's
 * 350 ms default. */
#define SSC_APDU_TIMEOUT_MS 2000

/* Select the application and read EF05. KIOSK_CARD for a card without the SSSE
 * application or with a malformed record, or the reader's KIOSK_CARD_REMOVED /
 * KIOSK_TIMEOUT / KIOSK_READER. */
kiosk_rc ssc_read_card(reader *r, ssc_card *out);

/* VERIFY the 6-digit PIN (borrowed; not kept). KIOSK_OK; KIOSK_PIN_WRONG with
 * *tries_left set from 63 Cx; KIOSK_PIN_BLOCKED (69 83); KIOSK_INVALID for a PIN that
 * is not 6 digits (nothing is sent). Call after ssc_read_card. */
kiosk_rc ssc_verify_pin(reader *r, const char *pin, int *tries_left);

/* Read and check EF06 after a verified PIN: every field's format (18-character ID
 * number, sex '1'/'2', BCD digits, a real birth date not after today, a name that
 * decodes). The ID number's check character and its agreement with sex and birth date
 * are the domain's (idnum.h, above the drivers). KIOSK_CARD for anything malformed,
 * KIOSK_UNSUPPORTED when the card wants terminal authentication first (3rd generation,
 * 69 82). today bounds the birth date. */
kiosk_rc ssc_read_holder(reader *r, kiosk_date today, ssc_holder *out);

/* Wipe a holder record (explicit_bzero). */
void ssc_holder_wipe(ssc_holder *h);

#endif
