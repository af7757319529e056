/*
 * Identity document numbers (DOMAIN.md §3): the 18-character resident ID number of
 * GB 11643-1999 with its check character, old 15-digit numbers, HK/Macao/Taiwan
 * residence permits (same scheme, regions 81/82/83) and the mainland travel permits of
 * HK/Macao (H/M + 8 digits [+ 2]) and Taiwan (8 digits) residents. Pure functions; no
 * lookup of region names (that is divisions.h).
 */
#ifndef KIOSK_IDNUM_H
#define KIOSK_IDNUM_H

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"

typedef enum idnum_kind {
    IDNUM_RESIDENT = 0,     /* mainland resident ID number */
    IDNUM_PERMIT_HK = 1,    /* HK residence permit, region 810000 */
    IDNUM_PERMIT_MACAO = 2, /* Macao residence permit, region 820000 */
    IDNUM_PERMIT_TW = 3,    /* Taiwan residence permit, region 830000 */
} idnum_kind;

typedef enum idnum_sex {
    IDNUM_FEMALE = 2, /* GB/T 2261.1 codes */
    IDNUM_MALE = 1,
} idnum_sex;

typedef struct idnum_info {
    idnum_kind kind;
    char region[7]; /* six digits */
    kiosk_date birth;
    idnum_sex sex;
    char normalized[19]; /* 18 characters, check character upper case */
} idnum_info;

/* The check character ('0'..'9' or 'X') for the first 17 digits of s; '\0' when s does
 * not start with 17 ASCII digits. */
char idnum_check_char(const char *s);

/* Validate an 18-character number (a lower-case 'x' is accepted and normalized):
 * digits, check character, a real birth date from 1800 on (the standard's example
 * 440524188001010014 is born in 1880), not after `today`, region
 * not 000000. On success fills *out (may be NULL). KIOSK_INVALID on any failure.
 * Also rejected: a province part below 11 (no GB/T 2260 province code is lower), and a
 * region 81xxxx/82xxxx/83xxxx other than exactly 810000/820000/830000 (residence permits
 * use only those three). s is borrowed; *out is not written on failure. Any thread. */
kiosk_rc idnum_parse18(const char *s, kiosk_date today, idnum_info *out);

/* Convert a 15-digit number (region + YYMMDD + sequence, born 1900..1999) to 18
 * characters: out (caller storage, 19 bytes) receives the NUL-terminated number.
 * KIOSK_INVALID for a malformed number, date or region (same region rules as
 * idnum_parse18); out is not written then. No "today" check: all such births are past. */
kiosk_rc idnum_from15(const char *s15, char out[19]);

/* Either form: 15 digits are converted with idnum_from15 and then checked like 18
 * characters (so out->normalized holds the 18-character form); anything else goes to
 * idnum_parse18. Same return codes and ownership as idnum_parse18. */
kiosk_rc idnum_parse(const char *s, kiosk_date today, idnum_info *out);

/* 1 for the three residence-permit kinds, 0 for a mainland resident ID number. */
int idnum_kind_is_permit(idnum_kind kind);

/* Travel permits: KIOSK_OK or KIOSK_INVALID. HK/Macao: 'H' or 'M' (upper case) then 8
 * digits, optionally 2 more digits (renewal count). Taiwan: exactly 8 digits. */
kiosk_rc idnum_check_permit_hkmo(const char *s);
kiosk_rc idnum_check_permit_tw(const char *s);

#endif
