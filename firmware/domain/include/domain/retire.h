/*
 * Age and the statutory retirement age (法定退休年龄) after the reform in force since
 * 2025-01-01 (NPC Standing Committee decision of 2024-09-13; DOMAIN.md §4): for men,
 * women with original age 55 and women with original age 50. Pure arithmetic on birth
 * year-month. It does not model flexible early or late retirement (弹性退休) or the
 * special-work-type ages: the result is the default age, used to warn, never to refuse.
 */
#ifndef KIOSK_RETIRE_H
#define KIOSK_RETIRE_H

#include <stdbool.h>

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"

typedef enum retire_group {
    RETIRE_MEN = 0,      /* base 60, from births 1965-01, +1 month per 4, at most +36 */
    RETIRE_WOMEN_55 = 1, /* base 55, from births 1970-01, +1 month per 4, at most +36 */
    RETIRE_WOMEN_50 = 2, /* base 50, from births 1975-01, +1 month per 2, at most +60 */
} retire_group;

typedef struct retire_info {
    int age_years;    /* statutory retirement age: whole years ... */
    int age_months;   /* ... plus months, 0..11 */
    int delay_months; /* months added by the reform, 0..36 (0..60 for RETIRE_WOMEN_50) */
    int year;         /* the retirement month = birth month + age: year ... */
    int month;        /* ... and month 1..12 */
} retire_info;

/* Full years of age on `on` for someone born on `birth` (kiosk_date_age_on: the birthday
 * counts on the day; 29 February counts on 1 March in common years). Negative when `on`
 * is before the birth. No validation. Any thread. */
int retire_age_on(kiosk_date birth, kiosk_date on);

/* The statutory retirement age and month for a birth year-month. With S the group's first
 * affected birth month, n = (birth_year - S.year) * 12 + (birth_month - 1) and
 * delay = 0 if n < 0 else min(n / k + 1, C). KIOSK_INVALID for a group outside the enum,
 * a year outside 1900..2999 or a month outside 1..12; *out is not written then. out is
 * caller storage. Any thread. */
kiosk_rc retire_compute(retire_group group, int birth_year, int birth_month, retire_info *out);

/* Whether someone of `group` born on `birth` has reached the statutory retirement age on
 * `on`. Retirement happens in a month, as in the reform's tables and at the pension
 * office, so the age counts as reached from the FIRST DAY of the retirement month
 * (retire_compute's year/month), whatever the day of birth: a man born 1964-12-31 has
 * reached it on 2024-12-01. This errs towards routing a person to staff a few days
 * early, which costs nothing, rather than missing a case. `on` before the birth gives
 * false. KIOSK_INVALID for an unreal date (kiosk_date_check) or group; *reached is
 * written only on KIOSK_OK. Any thread. */
kiosk_rc retire_has_reached(retire_group group, kiosk_date birth, kiosk_date on, bool *reached);

#endif
