/*
 * The follow-up plan: service codes to plans, and the plan's date in working days. The
 * service codes are the LOCAL codes of assets/codes/service.tsv (DOMAIN.md §7).
 */
#include "domain/followup.h"

#include <string.h>

static const char *const names[FOLLOWUP_COUNT] = {"job", "training", "business", "insurance",
                                                  "unsure"};

const char *followup_intent_name(followup_intent intent)
{
    return (unsigned)intent < FOLLOWUP_COUNT ? names[intent] : NULL;
}

int followup_intent_of_code(const char *code)
{
    if (!code || code[0] < '1' || code[0] > '5' || code[1])
        return -1;
    return code[0] - '1';
}

unsigned followup_plans(const char *const *codes, size_t n)
{
    unsigned bits = 0;
    for (size_t i = 0; codes && i < n; i++) {
        int intent = followup_intent_of_code(codes[i]);
        if (intent >= 0)
            bits |= 1u << intent;
    }
    return bits;
}

kiosk_date followup_due(kiosk_date today, const kiosk_calendar *cal)
{
    return kiosk_date_add_working_days_in(today, FOLLOWUP_WORKING_DAYS, cal);
}
