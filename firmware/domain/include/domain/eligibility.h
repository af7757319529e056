/*
 * Who may register as unemployed at the kiosk (DOMAIN.md §1): from the 16th birthday
 * until actually receiving the basic old-age pension, able to work, wanting work and
 * without a job. Decides from the birth date and sex of the ID number plus the citizen's
 * own yes/no answers; it never refuses by itself: a person who does not qualify is
 * offered job-seeker registration (求职登记) or sent to staff. No people-facing text
 * here: a reason is a key the UI looks up in assets/strings.
 */
#ifndef KIOSK_ELIGIBILITY_H
#define KIOSK_ELIGIBILITY_H

#include <stdbool.h>

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"
#include "domain/idnum.h"
#include "domain/retire.h"

typedef enum eligibility_outcome {
    ELIGIBILITY_ELIGIBLE = 0,        /* go on with the unemployment registration */
    ELIGIBILITY_OFFER_JOBSEEKER = 1, /* offer 求职登记 instead (seed 001 §四(一)) */
    ELIGIBILITY_SEE_STAFF = 2,       /* explain, then send the person to a counter */
} eligibility_outcome;

/* Why; each reason always maps to the same outcome (eligibility_reason_outcome). Values
 * are stored and logged: only append. */
typedef enum eligibility_reason {
    ELIGIBILITY_REASON_OK = 0,                  /* ELIGIBLE */
    ELIGIBILITY_REASON_UNDER_16 = 1,            /* SEE_STAFF: before the 16th birthday */
    ELIGIBILITY_REASON_UNABLE_TO_WORK = 2,      /* SEE_STAFF: says he or she cannot work */
    ELIGIBILITY_REASON_NOT_SEEKING_WORK = 3,    /* SEE_STAFF: says he or she wants no work */
    ELIGIBILITY_REASON_RECEIVING_PENSION = 4,   /* OFFER_JOBSEEKER: past working age */
    ELIGIBILITY_REASON_EMPLOYED = 5,            /* OFFER_JOBSEEKER: has a job now */
    ELIGIBILITY_REASON_PAST_RETIREMENT_AGE = 6, /* SEE_STAFF: statutory age, no pension */
    ELIGIBILITY_REASON_COUNT = 7,               /* number of reasons, not a reason */
} eligibility_reason;

/* A woman's original retirement group, when known (the kiosk cannot tell cadre from
 * worker). UNKNOWN is treated as 55: the later age only moves the "past retirement age"
 * warning, which never refuses, and using 50 would send every woman aged 50 to 55 to a
 * counter although the law keeps her in working age until she actually draws a pension.
 * Ignored for men. The zero value is UNKNOWN. */
typedef enum eligibility_women_group {
    ELIGIBILITY_WOMEN_UNKNOWN = 0,
    ELIGIBILITY_WOMEN_50 = 50,
    ELIGIBILITY_WOMEN_55 = 55,
} eligibility_women_group;

typedef struct eligibility_input {
    kiosk_date birth;                    /* from the ID number */
    idnum_sex sex;                       /* from the ID number */
    eligibility_women_group women_group; /* women only */
    kiosk_date today;                    /* the decision date (kiosk_clock_today) */
    bool receiving_pension;              /* "do you receive a basic old-age pension?" */
    bool employed;                       /* "do you have a job now?" */
    bool able_to_work;                   /* "are you able to work?" */
    bool wants_work;                     /* "do you want to work?" */
} eligibility_input;

typedef struct eligibility_result {
    eligibility_outcome outcome;
    eligibility_reason reason;
    int age;                /* full years on `today` */
    retire_group group;     /* the retirement group applied (UNKNOWN women → 55) */
    retire_info retirement; /* statutory retirement age and month for that group */
} eligibility_result;

/* Decide. The rules are checked in this order and the first that applies wins:
 *   1. UNDER_16            (today before the 16th birthday)         → SEE_STAFF
 *   2. UNABLE_TO_WORK      (able_to_work false)                      → SEE_STAFF
 *   3. NOT_SEEKING_WORK    (wants_work false)                        → SEE_STAFF
 *   4. RECEIVING_PENSION   (receiving_pension true)                  → OFFER_JOBSEEKER
 *   5. EMPLOYED            (employed true)                           → OFFER_JOBSEEKER
 *   6. PAST_RETIREMENT_AGE (retire_has_reached on today, no pension) → SEE_STAFF
 *   7. OK                                                            → ELIGIBLE
 * Age first: a child is a case for staff whatever the answers. Inability and not wanting
 * work come before pension and job because job-seeker registration only helps someone who
 * can and wants to work (seed 001 offers it to those who "want help finding work"); for
 * the others a person at the counter explains, rather than a machine turning them away
 * (a mis-tapped answer is also caught there). Pension before retirement age: drawing the
 * pension, not the statutory age, ends working age; past the age without a pension the
 * person may still register, so staff check (the kiosk warns, never refuses).
 * in is borrowed, out is caller storage. KIOSK_INVALID for an unreal birth or today
 * (kiosk_date_check), a birth after today, a sex other than IDNUM_MALE/IDNUM_FEMALE or an
 * unlisted women_group; *out is not written then. Any thread. */
kiosk_rc eligibility_decide(const eligibility_input *in, eligibility_result *out);

/* The outcome every decision with this reason has; ELIGIBILITY_SEE_STAFF for a value
 * outside the enum. */
eligibility_outcome eligibility_reason_outcome(eligibility_reason reason);

/* Stable string-table keys (static storage, never NULL), e.g. "eligibility.under_16" and
 * "eligibility.outcome_see_staff"; "eligibility.unknown" for a value outside the enum.
 * The keys are stored in logs and assets: never change one. */
const char *eligibility_reason_key(eligibility_reason reason);
const char *eligibility_outcome_key(eligibility_outcome outcome);

#endif
