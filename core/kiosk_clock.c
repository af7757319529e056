/*
 * System and manual clocks, and the calendar arithmetic the domain needs. No time zone
 * logic of our own: local time is whatever TZ the device runs in (Asia/Shanghai).
 */
#include "core/kiosk_clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t ts_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t system_now(void *ctx)
{
    (void)ctx;
    return ts_ms(CLOCK_REALTIME);
}

static int64_t system_mono(void *ctx)
{
    (void)ctx;
    return ts_ms(CLOCK_MONOTONIC);
}

static const kiosk_clock system_clock = {system_now, system_mono, NULL};

const kiosk_clock *kiosk_clock_system(void)
{
    return &system_clock;
}

/* A test moves the manual clock while workers read it (the I/O worker stamps audit
 * entries): atomic, so each reader sees a whole value. */
static int64_t manual_now(void *ctx)
{
    return __atomic_load_n(&((kiosk_clock_manual *)ctx)->now_ms, __ATOMIC_SEQ_CST);
}

static int64_t manual_mono(void *ctx)
{
    return __atomic_load_n(&((kiosk_clock_manual *)ctx)->mono_ms, __ATOMIC_SEQ_CST);
}

void kiosk_clock_manual_init(kiosk_clock_manual *m, int64_t now_ms)
{
    m->clock.now_ms = manual_now;
    m->clock.mono_ms = manual_mono;
    m->clock.ctx = m;
    m->now_ms = now_ms;
    m->mono_ms = 0;
}

void kiosk_clock_manual_advance(kiosk_clock_manual *m, int64_t ms)
{
    __atomic_add_fetch(&m->now_ms, ms, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&m->mono_ms, ms, __ATOMIC_SEQ_CST);
}

int64_t kiosk_clock_now_ms(const kiosk_clock *c)
{
    return c->now_ms(c->ctx);
}

int64_t kiosk_clock_mono_ms(const kiosk_clock *c)
{
    return c->mono_ms(c->ctx);
}

kiosk_date kiosk_clock_today(const kiosk_clock *c)
{
    time_t t = (time_t)(kiosk_clock_now_ms(c) / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    return (kiosk_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

int kiosk_date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int kiosk_date_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + (month == 2 && kiosk_date_is_leap(year));
}

kiosk_rc kiosk_date_check(kiosk_date d)
{
    if (d.year < 1900 || d.year > 2999 || d.month < 1 || d.month > 12 || d.day < 1 ||
        d.day > kiosk_date_days_in_month(d.year, d.month))
        return KIOSK_INVALID;
    return KIOSK_OK;
}

int kiosk_date_cmp(kiosk_date a, kiosk_date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

kiosk_rc kiosk_date_parse(const char *s, kiosk_date *out)
{
    kiosk_date d;
    size_t len = s ? strlen(s) : 0;
    if (len == 8) {
        if (!digits(s, 4, &d.year) || !digits(s + 4, 2, &d.month) || !digits(s + 6, 2, &d.day))
            return KIOSK_INVALID;
    } else if (len == 10 && s[4] == '-' && s[7] == '-') {
        if (!digits(s, 4, &d.year) || !digits(s + 5, 2, &d.month) || !digits(s + 8, 2, &d.day))
            return KIOSK_INVALID;
    } else {
        return KIOSK_INVALID;
    }
    if (kiosk_date_check(d) != KIOSK_OK)
        return KIOSK_INVALID;
    *out = d;
    return KIOSK_OK;
}

int kiosk_date_age_on(kiosk_date birth, kiosk_date on)
{
    int age = on.year - birth.year;
    /* Born on 29 Feb: in a common year the birthday is taken as 1 March. */
    int bm = birth.month, bd = birth.day;
    if (bm == 2 && bd == 29 && !kiosk_date_is_leap(on.year)) {
        bm = 3;
        bd = 1;
    }
    if (on.month < bm || (on.month == bm && on.day < bd))
        age--;
    return age;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int kiosk_date_weekday(kiosk_date d)
{
    int64_t days = days_from_civil(d.year, d.month, d.day);
    return (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday (4) */
}

kiosk_date kiosk_date_add_working_days(kiosk_date d, int n)
{
    while (n > 0) {
        if (++d.day > kiosk_date_days_in_month(d.year, d.month)) {
            d.day = 1;
            if (++d.month > 12) {
                d.month = 1;
                d.year++;
            }
        }
        int wd = kiosk_date_weekday(d);
        if (wd != 0 && wd != 6)
            n--;
    }
    return d;
}

static int listed(kiosk_date d, const kiosk_date *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (kiosk_date_cmp(d, list[i]) == 0)
            return 1;
    return 0;
}

int kiosk_date_is_working_day(kiosk_date d, const kiosk_calendar *cal)
{
    if (cal && listed(d, cal->workdays, cal->nworkdays))
        return 1;
    if (cal && listed(d, cal->holidays, cal->nholidays))
        return 0;
    int wd = kiosk_date_weekday(d);
    return wd != 0 && wd != 6;
}

kiosk_date kiosk_date_add_working_days_in(kiosk_date d, int n, const kiosk_calendar *cal)
{
    while (n > 0) {
        if (++d.day > kiosk_date_days_in_month(d.year, d.month)) {
            d.day = 1;
            if (++d.month > 12) {
                d.month = 1;
                d.year++;
            }
        }
        if (kiosk_date_is_working_day(d, cal))
            n--;
    }
    return d;
}

struct timespec kiosk_deadline_in_ms(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}
