/*
 * The 2025 retirement-age formula as a table of the three groups' parameters. Months are
 * counted as year * 12 + (month - 1) so the additions need no carries.
 */
#include "domain/retire.h"

#include <stddef.h>

typedef struct retire_rule {
    int base_years;  /* A: the age before the reform */
    int first_year;  /* S: first birth month with a delay, always January of this year */
    int step_months; /* k: one month of delay per k months of birth */
    int max_delay;   /* C: months */
} retire_rule;

static const retire_rule retire_rules[] = {
    [RETIRE_MEN] = {60, 1965, 4, 36},
    [RETIRE_WOMEN_55] = {55, 1970, 4, 36},
    [RETIRE_WOMEN_50] = {50, 1975, 2, 60},
};

static const retire_rule *rule_for(retire_group group)
{
    if ((int)group < 0 || (size_t)group >= sizeof retire_rules / sizeof retire_rules[0])
        return NULL;
    return &retire_rules[group];
}

int retire_age_on(kiosk_date birth, kiosk_date on)
{
    return kiosk_date_age_on(birth, on);
}

kiosk_rc retire_compute(retire_group group, int birth_year, int birth_month, retire_info *out)
{
    const retire_rule *r = rule_for(group);
    if (!r || !out || birth_year < 1900 || birth_year > 2999 || birth_month < 1 || birth_month > 12)
        return KIOSK_INVALID;
    int n = (birth_year - r->first_year) * 12 + (birth_month - 1);
    int delay = 0;
    if (n >= 0) {
        delay = n / r->step_months + 1;
        if (delay > r->max_delay)
            delay = r->max_delay;
    }
    int age = r->base_years * 12 + delay;
    int at = birth_year * 12 + (birth_month - 1) + age;
    out->age_years = age / 12;
    out->age_months = age % 12;
    out->delay_months = delay;
    out->year = at / 12;
    out->month = at % 12 + 1;
    return KIOSK_OK;
}

kiosk_rc retire_has_reached(retire_group group, kiosk_date birth, kiosk_date on, bool *reached)
{
    if (!reached || kiosk_date_check(birth) != KIOSK_OK || kiosk_date_check(on) != KIOSK_OK)
        return KIOSK_INVALID;
    retire_info info;
    kiosk_rc rc = retire_compute(group, birth.year, birth.month, &info);
    if (rc)
        return rc;
    *reached = on.year * 12 + (on.month - 1) >= info.year * 12 + (info.month - 1);
    return KIOSK_OK;
}
