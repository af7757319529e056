/*
 * A simulated social security card on a simulated reader, described by a card profile
 * (INI: [card], [holder], [pin]; see tests/fixtures/cards/). It answers the APDUs of
 * the SSSE application as a card does — SELECT by DF name and EF, READ RECORD by tag,
 * VERIFY with a retry counter, GET RESPONSE after 61 xx when asked to behave like T=0 —
 * and injects faults: card removed after N APDUs, slow answers, malformed records, a
 * blocked PIN. Holder fields are stored the way the card stores them (GBK, BCD, F/00
 * padding), so the protocol code above is tested on real byte layouts.
 */
#ifndef KIOSK_READER_SIM_H
#define KIOSK_READER_SIM_H

#include "nfc/reader.h"

typedef struct reader_sim_faults {
    int remove_after_apdus; /* the card leaves after this many APDUs; 0: never */
    int delay_ms;           /* each answer takes this long */
    int malformed;          /* records come back with a wrong length byte */
    int t0_get_response;    /* answer 61 xx and wait for GET RESPONSE */
} reader_sim_faults;

/* Create a reader holding the card of profile (a file path, copied). The card is on the
 * reader at once unless absent is set. *out is owned: reader_close. KIOSK_NOT_FOUND,
 * KIOSK_CONFIG (bad profile line, logged with its number: also a field given twice, so
 * no EF holds more than its 8 records), KIOSK_NOMEM. */
kiosk_rc reader_sim_create(const char *profile, const reader_sim_faults *faults, reader **out);

/* The same from a profile held in memory (text[0..len), copied; need not be
 * NUL-terminated): for the fuzz target and for tests that build a profile. */
kiosk_rc reader_sim_create_mem(const char *text, size_t len, const reader_sim_faults *faults,
                               reader **out);

/* Put the card on or take it off the reader. */
void reader_sim_set_present(reader *r, int present);

/* Another card put down in the place of the one on the reader (or on an empty reader):
 * the worker waiting for the old card's removal sees it go, then polls the new one. */
void reader_sim_swap_card(reader *r);

/* APDUs the card has answered so far, and the PIN tries it has left. */
int reader_sim_apdus(reader *r);
int reader_sim_pin_tries(reader *r);

#endif
