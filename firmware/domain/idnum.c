/*
 * Identity document number checks (GB 11643-1999 and the permit formats). Everything
 * here is arithmetic on ASCII digits: no region names are looked up (divisions.h does
 * that) and nothing is logged, because every input is personal data.
 */
#include "domain/idnum.h"

#include <string.h>

static const int idnum_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char idnum_check_table[] = "10X98765432";

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 1 when the first n bytes of s are ASCII digits; stops at the first non-digit, so a
 * shorter NUL-terminated string is never read past its end. */
static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

static int digits_value(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* The six region digits at s: not below province 11, and the permit regions exact. */
static int region_ok(const char *s)
{
    int province = digits_value(s, 2);
    if (province < 11)
        return 0;
    if (province >= 81 && province <= 83 && digits_value(s + 2, 4) != 0)
        return 0;
    return 1;
}

static idnum_kind region_kind(const char *s)
{
    switch (digits_value(s, 6)) {
    case 810000:
        return IDNUM_PERMIT_HK;
    case 820000:
        return IDNUM_PERMIT_MACAO;
    case 830000:
        return IDNUM_PERMIT_TW;
    default:
        return IDNUM_RESIDENT;
    }
}

char idnum_check_char(const char *s)
{
    if (!s || !all_digits(s, 17))
        return '\0';
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s[i] - '0') * idnum_weights[i];
    return idnum_check_table[sum % 11];
}

kiosk_rc idnum_parse18(const char *s, kiosk_date today, idnum_info *out)
{
    if (!s || !all_digits(s, 17) || s[17] == '\0' || s[18] != '\0')
        return KIOSK_INVALID;
    char check = s[17] == 'x' ? 'X' : s[17];
    if (check != idnum_check_char(s))
        return KIOSK_INVALID;
    if (!region_ok(s))
        return KIOSK_INVALID;
    kiosk_date birth = {digits_value(s + 6, 4), digits_value(s + 10, 2), digits_value(s + 12, 2)};
    /* The calendar check starts at 1800, not at kiosk_date_check's 1900: the standard's own
     * example 440524188001010014 is born in 1880 and is a valid number. */
    if (birth.year < 1800 || birth.month < 1 || birth.month > 12 || birth.day < 1 ||
        birth.day > kiosk_date_days_in_month(birth.year, birth.month) ||
        kiosk_date_cmp(birth, today) > 0)
        return KIOSK_INVALID;
    if (out) {
        out->kind = region_kind(s);
        memcpy(out->region, s, 6);
        out->region[6] = '\0';
        out->birth = birth;
        out->sex = (s[16] - '0') % 2 ? IDNUM_MALE : IDNUM_FEMALE;
        memcpy(out->normalized, s, 17);
        out->normalized[17] = check;
        out->normalized[18] = '\0';
    }
    return KIOSK_OK;
}

kiosk_rc idnum_from15(const char *s15, char out[19])
{
    if (!s15 || !out || !all_digits(s15, 15) || s15[15] != '\0')
        return KIOSK_INVALID;
    if (!region_ok(s15))
        return KIOSK_INVALID;
    char buf[19];
    memcpy(buf, s15, 6);
    buf[6] = '1';
    buf[7] = '9';
    memcpy(buf + 8, s15 + 6, 9);
    kiosk_date birth = {digits_value(buf + 6, 4), digits_value(buf + 10, 2),
                        digits_value(buf + 12, 2)};
    if (kiosk_date_check(birth) != KIOSK_OK)
        return KIOSK_INVALID;
    buf[17] = idnum_check_char(buf);
    buf[18] = '\0';
    memcpy(out, buf, sizeof buf);
    return KIOSK_OK;
}

kiosk_rc idnum_parse(const char *s, kiosk_date today, idnum_info *out)
{
    if (!s)
        return KIOSK_INVALID;
    if (all_digits(s, 15) && s[15] == '\0') {
        char s18[19];
        kiosk_rc rc = idnum_from15(s, s18);
        if (rc)
            return rc;
        return idnum_parse18(s18, today, out);
    }
    return idnum_parse18(s, today, out);
}

int idnum_kind_is_permit(idnum_kind kind)
{
    return kind == IDNUM_PERMIT_HK || kind == IDNUM_PERMIT_MACAO || kind == IDNUM_PERMIT_TW;
}

kiosk_rc idnum_check_permit_hkmo(const char *s)
{
    if (!s || (s[0] != 'H' && s[0] != 'M') || !all_digits(s + 1, 8))
        return KIOSK_INVALID;
    if (s[9] == '\0')
        return KIOSK_OK;
    return all_digits(s + 9, 2) && s[11] == '\0' ? KIOSK_OK : KIOSK_INVALID;
}

kiosk_rc idnum_check_permit_tw(const char *s)
{
    return s && all_digits(s, 8) && s[8] == '\0' ? KIOSK_OK : KIOSK_INVALID;
}
