/*
 * The eligibility rules of eligibility.h as one ordered chain of checks, plus the key
 * tables. The answers are personal data and are neither logged nor kept.
 */
#include "domain/eligibility.h"

#include <stddef.h>

static const struct {
    const char *key;
    eligibility_outcome outcome;
} eligibility_reasons[ELIGIBILITY_REASON_COUNT] = {
    [ELIGIBILITY_REASON_OK] = {"eligibility.ok", ELIGIBILITY_ELIGIBLE},
    [ELIGIBILITY_REASON_UNDER_16] = {"eligibility.under_16", ELIGIBILITY_SEE_STAFF},
    [ELIGIBILITY_REASON_UNABLE_TO_WORK] = {"eligibility.unable_to_work", ELIGIBILITY_SEE_STAFF},
    [ELIGIBILITY_REASON_NOT_SEEKING_WORK] = {"eligibility.not_seeking_work", ELIGIBILITY_SEE_STAFF},
    [ELIGIBILITY_REASON_RECEIVING_PENSION] = {"eligibility.receiving_pension",
                                              ELIGIBILITY_OFFER_JOBSEEKER},
    [ELIGIBILITY_REASON_EMPLOYED] = {"eligibility.employed", ELIGIBILITY_OFFER_JOBSEEKER},
    [ELIGIBILITY_REASON_PAST_RETIREMENT_AGE] = {"eligibility.past_retirement_age",
                                                ELIGIBILITY_SEE_STAFF},
};

static int reason_valid(eligibility_reason reason)
{
    return (int)reason >= 0 && (int)reason < ELIGIBILITY_REASON_COUNT;
}

eligibility_outcome eligibility_reason_outcome(eligibility_reason reason)
{
    return reason_valid(reason) ? eligibility_reasons[reason].outcome : ELIGIBILITY_SEE_STAFF;
}

const char *eligibility_reason_key(eligibility_reason reason)
{
    return reason_valid(reason) ? eligibility_reasons[reason].key : "eligibility.unknown";
}

const char *eligibility_outcome_key(eligibility_outcome outcome)
{
    switch (outcome) {
    case ELIGIBILITY_ELIGIBLE:
        return "eligibility.outcome_eligible";
    case ELIGIBILITY_OFFER_JOBSEEKER:
        return "eligibility.outcome_offer_jobseeker";
    case ELIGIBILITY_SEE_STAFF:
        return "eligibility.outcome_see_staff";
    }
    return "eligibility.unknown";
}

static kiosk_rc group_for(const eligibility_input *in, retire_group *group)
{
    if (in->sex == IDNUM_MALE) {
        *group = RETIRE_MEN;
        return KIOSK_OK;
    }
    if (in->sex != IDNUM_FEMALE)
        return KIOSK_INVALID;
    switch (in->women_group) {
    case ELIGIBILITY_WOMEN_50:
        *group = RETIRE_WOMEN_50;
        return KIOSK_OK;
    case ELIGIBILITY_WOMEN_55:
    case ELIGIBILITY_WOMEN_UNKNOWN:
        *group = RETIRE_WOMEN_55;
        return KIOSK_OK;
    }
    return KIOSK_INVALID;
}

static eligibility_reason decide_reason(const eligibility_input *in, int age, bool retired)
{
    if (age < 16)
        return ELIGIBILITY_REASON_UNDER_16;
    if (!in->able_to_work)
        return ELIGIBILITY_REASON_UNABLE_TO_WORK;
    if (!in->wants_work)
        return ELIGIBILITY_REASON_NOT_SEEKING_WORK;
    if (in->receiving_pension)
        return ELIGIBILITY_REASON_RECEIVING_PENSION;
    if (in->employed)
        return ELIGIBILITY_REASON_EMPLOYED;
    if (retired)
        return ELIGIBILITY_REASON_PAST_RETIREMENT_AGE;
    return ELIGIBILITY_REASON_OK;
}

kiosk_rc eligibility_decide(const eligibility_input *in, eligibility_result *out)
{
    if (!in || !out || kiosk_date_check(in->birth) != KIOSK_OK ||
        kiosk_date_check(in->today) != KIOSK_OK || kiosk_date_cmp(in->birth, in->today) > 0)
        return KIOSK_INVALID;
    retire_group group;
    kiosk_rc rc = group_for(in, &group);
    if (rc)
        return rc;
    retire_info info;
    rc = retire_compute(group, in->birth.year, in->birth.month, &info);
    if (rc)
        return rc;
    bool retired;
    rc = retire_has_reached(group, in->birth, in->today, &retired);
    if (rc)
        return rc;
    int age = retire_age_on(in->birth, in->today);
    eligibility_reason reason = decide_reason(in, age, retired);
    out->outcome = eligibility_reason_outcome(reason);
    out->reason = reason;
    out->age = age;
    out->group = group;
    out->retirement = info;
    return KIOSK_OK;
}
