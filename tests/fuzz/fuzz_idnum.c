/* libFuzzer target: arbitrary bytes (a NUL-terminated copy) as an 18- or 15-character
 * ID number and as travel permit numbers. Must never crash or read past the string; what
 * is accepted must be self-consistent (the normalized form parses to the same fields). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/idnum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A real calendar date from 1800 on: ID numbers reach back before kiosk_date_check's
 * 1900 (the standard's own example is born in 1880). */
static int real_birth(kiosk_date d)
{
    return d.year >= 1800 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= kiosk_date_days_in_month(d.year, d.month);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    const kiosk_date today = {2026, 11, 22};

    char check = idnum_check_char(s);
    if (check != '\0' && !strchr("0123456789X", check))
        abort();

    idnum_info info;
    if (idnum_parse18(s, today, &info) == KIOSK_OK) {
        idnum_info again;
        if (strlen(info.normalized) != 18 || info.normalized[17] != check ||
            idnum_parse18(info.normalized, today, &again) != KIOSK_OK || again.kind != info.kind ||
            strcmp(again.region, info.region) != 0 ||
            kiosk_date_cmp(again.birth, info.birth) != 0 || again.sex != info.sex ||
            strcmp(again.normalized, info.normalized) != 0 ||
            kiosk_date_cmp(info.birth, today) > 0 || !real_birth(info.birth))
            abort();
    }

    char s18[19];
    if (idnum_from15(s, s18) == KIOSK_OK) {
        const kiosk_date far = {2999, 12, 31};
        if (s18[18] != '\0' || strlen(s18) != 18 || idnum_parse18(s18, far, NULL) != KIOSK_OK)
            abort();
    }
    (void)idnum_parse(s, today, &info);

    size_t len = strlen(s); /* the bytes may hold a NUL */
    kiosk_rc hkmo = idnum_check_permit_hkmo(s);
    kiosk_rc tw = idnum_check_permit_tw(s);
    if ((hkmo == KIOSK_OK && len != 9 && len != 11) || (tw == KIOSK_OK && len != 8))
        abort();
    free(s);
    return 0;
}
