/*
 * The injectable clock. Everything that asks "what time is it" (ages, "not in the
 * future" checks, idle timeouts, receipt times) goes through a kiosk_clock so tests can
 * pin the date. Civil dates are in the device's local time zone.
 */
#ifndef KIOSK_CLOCK_H
#define KIOSK_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/kiosk_error.h"

typedef struct kiosk_clock {
    /* Wall-clock time in milliseconds since the Unix epoch. */
    int64_t (*now_ms)(void *ctx);
    /* Monotonic milliseconds for timeouts; never goes back. */
    int64_t (*mono_ms)(void *ctx);
    void *ctx;
} kiosk_clock;

/* A civil date; month 1..12, day 1..31. */
typedef struct kiosk_date {
    int year;
    int month;
    int day;
} kiosk_date;

/* The system clock (CLOCK_REALTIME / CLOCK_MONOTONIC). Static storage; any thread. */
const kiosk_clock *kiosk_clock_system(void);

/* A settable clock for tests: caller storage, starts at now_ms; both readings advance
 * only through kiosk_clock_manual_advance. */
typedef struct kiosk_clock_manual {
    kiosk_clock clock;
    int64_t now_ms;
    int64_t mono_ms;
} kiosk_clock_manual;
void kiosk_clock_manual_init(kiosk_clock_manual *m, int64_t now_ms);
void kiosk_clock_manual_advance(kiosk_clock_manual *m, int64_t ms);

int64_t kiosk_clock_now_ms(const kiosk_clock *c);
int64_t kiosk_clock_mono_ms(const kiosk_clock *c);

/* Today's local date according to c. */
kiosk_date kiosk_clock_today(const kiosk_clock *c);

/* The system's CLOCK_REALTIME instant ms milliseconds from now: the deadline that
 * pthread_cond_timedwait takes (worker threads' bounded sleeps). Any thread. */
struct timespec kiosk_deadline_in_ms(int ms);

/* Date helpers. */
int kiosk_date_is_leap(int year);
int kiosk_date_days_in_month(int year, int month);
/* KIOSK_OK when d is a real calendar date (years 1900..2999), else KIOSK_INVALID. */
kiosk_rc kiosk_date_check(kiosk_date d);
/* <0, 0, >0 like strcmp. */
int kiosk_date_cmp(kiosk_date a, kiosk_date b);
/* Parse "YYYYMMDD" (8 digits, nothing else) or "YYYY-MM-DD"; checks the calendar. */
kiosk_rc kiosk_date_parse(const char *s, kiosk_date *out);
/* Full years of age on `on` for someone born on `birth` (birthday counts on the day;
 * a 29 February birthday counts on 1 March in common years). Negative if not born. */
int kiosk_date_age_on(kiosk_date birth, kiosk_date on);
/* 0 Sunday … 6 Saturday. */
int kiosk_date_weekday(kiosk_date d);
/* The date n working days (Monday to Friday) after d. Public holidays are not known
 * here: a screen that shows the result says that they move it on. */
kiosk_date kiosk_date_add_working_days(kiosk_date d, int n);

/* A hall's calendar beyond the weekend: public holidays (days off on a weekday) and the
 * make-up working days (调休: a Saturday or Sunday worked). Both lists borrowed, any order. */
typedef struct kiosk_calendar {
    const kiosk_date *holidays;
    size_t nholidays;
    const kiosk_date *workdays;
    size_t nworkdays;
} kiosk_calendar;

/* Whether d is a working day: Monday to Friday unless a holiday, or a listed make-up day.
 * cal may be NULL (weekends only). */
int kiosk_date_is_working_day(kiosk_date d, const kiosk_calendar *cal);

/* The date n working days after d by cal (NULL: weekends only, as above). */
kiosk_date kiosk_date_add_working_days_in(kiosk_date d, int n, const kiosk_calendar *cal);

#endif
