/* Tests of eligibility: each reason with its outcome, the precedence over all answer
 * combinations, the 16th-birthday boundary (also for 29 February), the retirement-month
 * boundary per group (unknown women as 55), invalid inputs and the string keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "domain/eligibility.h"

/* An adult man who can and wants to work, without a job or pension. */
static eligibility_input base(void)
{
    eligibility_input in;
    memset(&in, 0, sizeof in);
    in.birth = (kiosk_date){1990, 5, 10};
    in.sex = IDNUM_MALE;
    in.women_group = ELIGIBILITY_WOMEN_UNKNOWN;
    in.today = (kiosk_date){2026, 11, 22};
    in.receiving_pension = false;
    in.employed = false;
    in.able_to_work = true;
    in.wants_work = true;
    return in;
}

static eligibility_result decide(const eligibility_input *in)
{
    eligibility_result r;
    memset(&r, 0xff, sizeof r);
    assert_int_equal(eligibility_decide(in, &r), KIOSK_OK);
    assert_int_equal(r.outcome, eligibility_reason_outcome(r.reason));
    return r;
}

static void expect(const eligibility_input *in, eligibility_outcome outcome,
                   eligibility_reason reason)
{
    eligibility_result r = decide(in);
    assert_int_equal(r.reason, reason);
    assert_int_equal(r.outcome, outcome);
}

static void test_eligible(void **state)
{
    (void)state;
    eligibility_input in = base();
    eligibility_result r = decide(&in);
    assert_int_equal(r.outcome, ELIGIBILITY_ELIGIBLE);
    assert_int_equal(r.reason, ELIGIBILITY_REASON_OK);
    assert_int_equal(r.age, 36);
    assert_int_equal(r.group, RETIRE_MEN);
    assert_int_equal(r.retirement.age_years, 63); /* born 1990: capped */
    assert_int_equal(r.retirement.age_months, 0);
    assert_int_equal(r.retirement.year, 2053);
    assert_int_equal(r.retirement.month, 5);
}

static void test_each_reason(void **state)
{
    (void)state;
    eligibility_input in = base();
    in.able_to_work = false;
    expect(&in, ELIGIBILITY_SEE_STAFF, ELIGIBILITY_REASON_UNABLE_TO_WORK);
    in = base();
    in.wants_work = false;
    expect(&in, ELIGIBILITY_SEE_STAFF, ELIGIBILITY_REASON_NOT_SEEKING_WORK);
    in = base();
    in.receiving_pension = true;
    expect(&in, ELIGIBILITY_OFFER_JOBSEEKER, ELIGIBILITY_REASON_RECEIVING_PENSION);
    in = base();
    in.employed = true;
    expect(&in, ELIGIBILITY_OFFER_JOBSEEKER, ELIGIBILITY_REASON_EMPLOYED);
    in = base();
    in.birth = (kiosk_date){2011, 1, 1};
    expect(&in, ELIGIBILITY_SEE_STAFF, ELIGIBILITY_REASON_UNDER_16);
    in = base();
    in.birth = (kiosk_date){1960, 3, 3}; /* retired 2020-03 */
    expect(&in, ELIGIBILITY_SEE_STAFF, ELIGIBILITY_REASON_PAST_RETIREMENT_AGE);
}

/* Every combination of the four answers for a working-age adult, then past retirement
 * age and under 16: the precedence written in eligibility.h. */
static void test_precedence_all_answers(void **state)
{
    (void)state;
    /* index bits: 8 able, 4 wants, 2 pension, 1 employed */
    static const eligibility_reason adult[16] = {
        ELIGIBILITY_REASON_UNABLE_TO_WORK,
        ELIGIBILITY_REASON_UNABLE_TO_WORK,
        ELIGIBILITY_REASON_UNABLE_TO_WORK,
        ELIGIBILITY_REASON_UNABLE_TO_WORK,
        ELIGIBILITY_REASON_UNABLE_TO_WORK,
        ELIGIBILITY_REASON_UNABLE_TO_WORK,
        ELIGIBILITY_REASON_UNABLE_TO_WORK,
        ELIGIBILITY_REASON_UNABLE_TO_WORK,
        ELIGIBILITY_REASON_NOT_SEEKING_WORK,
        ELIGIBILITY_REASON_NOT_SEEKING_WORK,
        ELIGIBILITY_REASON_NOT_SEEKING_WORK,
        ELIGIBILITY_REASON_NOT_SEEKING_WORK,
        ELIGIBILITY_REASON_OK,
        ELIGIBILITY_REASON_EMPLOYED,
        ELIGIBILITY_REASON_RECEIVING_PENSION,
        ELIGIBILITY_REASON_RECEIVING_PENSION,
    };
    for (int bits = 0; bits < 16; bits++) {
        eligibility_input in = base();
        in.able_to_work = bits & 8;
        in.wants_work = bits & 4;
        in.receiving_pension = bits & 2;
        in.employed = bits & 1;
        print_message("answers %d\n", bits);
        assert_int_equal(decide(&in).reason, adult[bits]);

        /* Past retirement age only changes the otherwise eligible case. */
        in.birth = (kiosk_date){1960, 3, 3};
        eligibility_reason want = adult[bits] == ELIGIBILITY_REASON_OK
                                      ? ELIGIBILITY_REASON_PAST_RETIREMENT_AGE
                                      : adult[bits];
        assert_int_equal(decide(&in).reason, want);

        /* Under 16 wins over every answer. */
        in.birth = (kiosk_date){2012, 6, 1};
        assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_UNDER_16);
    }
}

static void test_sixteenth_birthday(void **state)
{
    (void)state;
    eligibility_input in = base();
    in.birth = (kiosk_date){2010, 11, 23}; /* 16 tomorrow */
    eligibility_result r = decide(&in);
    assert_int_equal(r.reason, ELIGIBILITY_REASON_UNDER_16);
    assert_int_equal(r.age, 15);
    in.birth = (kiosk_date){2010, 11, 22}; /* 16 today */
    r = decide(&in);
    assert_int_equal(r.reason, ELIGIBILITY_REASON_OK);
    assert_int_equal(r.age, 16);
    /* Born today: a valid, if unusual, input. */
    in.birth = in.today;
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_UNDER_16);
}

static void test_born_29_february(void **state)
{
    (void)state;
    eligibility_input in = base();
    in.sex = IDNUM_FEMALE;
    in.birth = (kiosk_date){2008, 2, 29};
    in.today = (kiosk_date){2024, 2, 28};
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_UNDER_16);
    in.today = (kiosk_date){2024, 2, 29};
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_OK);
    /* 2100 is a common year: the 16th birthday of someone born 2084-02-29 is 1 March. */
    in.birth = (kiosk_date){2084, 2, 29};
    in.today = (kiosk_date){2100, 2, 28};
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_UNDER_16);
    in.today = (kiosk_date){2100, 3, 1};
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_OK);
}

static void test_retirement_boundary_men(void **state)
{
    (void)state;
    eligibility_input in = base();
    in.birth = (kiosk_date){1965, 5, 20}; /* 60y2m: 2025-07 */
    in.today = (kiosk_date){2025, 6, 30};
    eligibility_result r = decide(&in);
    assert_int_equal(r.reason, ELIGIBILITY_REASON_OK);
    assert_int_equal(r.age, 60);
    assert_int_equal(r.retirement.age_years, 60);
    assert_int_equal(r.retirement.age_months, 2);
    assert_int_equal(r.retirement.year, 2025);
    assert_int_equal(r.retirement.month, 7);
    in.today = (kiosk_date){2025, 7, 1};
    r = decide(&in);
    assert_int_equal(r.reason, ELIGIBILITY_REASON_PAST_RETIREMENT_AGE);
    assert_int_equal(r.outcome, ELIGIBILITY_SEE_STAFF);
    /* A pension decides before the age. */
    in.receiving_pension = true;
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_RECEIVING_PENSION);
    /* The women's group is ignored for men. */
    in = base();
    in.women_group = ELIGIBILITY_WOMEN_50;
    assert_int_equal(decide(&in).group, RETIRE_MEN);
}

static void test_retirement_women_groups(void **state)
{
    (void)state;
    /* Born 1975-03: group 50 → 50y2m, 2025-05; group 55 → 56y4m, 2031-07. */
    eligibility_input in = base();
    in.sex = IDNUM_FEMALE;
    in.birth = (kiosk_date){1975, 3, 8};
    in.women_group = ELIGIBILITY_WOMEN_50;
    eligibility_result r = decide(&in);
    assert_int_equal(r.reason, ELIGIBILITY_REASON_PAST_RETIREMENT_AGE);
    assert_int_equal(r.group, RETIRE_WOMEN_50);
    assert_int_equal(r.retirement.year, 2025);
    assert_int_equal(r.retirement.month, 5);
    in.today = (kiosk_date){2025, 4, 30};
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_OK);
    in.today = (kiosk_date){2025, 5, 1};
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_PAST_RETIREMENT_AGE);

    in.today = (kiosk_date){2026, 11, 22};
    in.women_group = ELIGIBILITY_WOMEN_UNKNOWN; /* treated as 55 */
    r = decide(&in);
    assert_int_equal(r.reason, ELIGIBILITY_REASON_OK);
    assert_int_equal(r.group, RETIRE_WOMEN_55);
    assert_int_equal(r.retirement.age_years, 56);
    assert_int_equal(r.retirement.age_months, 4);
    assert_int_equal(r.retirement.year, 2031);
    assert_int_equal(r.retirement.month, 7);
    in.women_group = ELIGIBILITY_WOMEN_55;
    assert_int_equal(decide(&in).group, RETIRE_WOMEN_55);
    in.today = (kiosk_date){2031, 6, 30};
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_OK);
    in.today = (kiosk_date){2031, 7, 1};
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_PAST_RETIREMENT_AGE);
    in.women_group = ELIGIBILITY_WOMEN_UNKNOWN;
    assert_int_equal(decide(&in).reason, ELIGIBILITY_REASON_PAST_RETIREMENT_AGE);
}

static void test_invalid_input(void **state)
{
    (void)state;
    eligibility_result r;
    memset(&r, 0x5a, sizeof r);
    eligibility_result before = r;
    eligibility_input in = base();
    in.birth = (kiosk_date){2026, 11, 23}; /* after today */
    assert_int_equal(eligibility_decide(&in, &r), KIOSK_INVALID);
    in = base();
    in.birth = (kiosk_date){1990, 2, 30};
    assert_int_equal(eligibility_decide(&in, &r), KIOSK_INVALID);
    in = base();
    in.birth = (kiosk_date){1899, 12, 31};
    assert_int_equal(eligibility_decide(&in, &r), KIOSK_INVALID);
    in = base();
    in.today = (kiosk_date){2026, 13, 1};
    assert_int_equal(eligibility_decide(&in, &r), KIOSK_INVALID);
    in = base();
    in.sex = (idnum_sex)0;
    assert_int_equal(eligibility_decide(&in, &r), KIOSK_INVALID);
    in.sex = (idnum_sex)9;
    assert_int_equal(eligibility_decide(&in, &r), KIOSK_INVALID);
    in = base();
    in.sex = IDNUM_FEMALE;
    in.women_group = (eligibility_women_group)51;
    assert_int_equal(eligibility_decide(&in, &r), KIOSK_INVALID);
    assert_memory_equal(&r, &before, sizeof r);
    in = base();
    assert_int_equal(eligibility_decide(NULL, &r), KIOSK_INVALID);
    assert_int_equal(eligibility_decide(&in, NULL), KIOSK_INVALID);
}

static void test_keys(void **state)
{
    (void)state;
    static const struct {
        eligibility_reason reason;
        const char *key;
        eligibility_outcome outcome;
    } table[] = {
        {ELIGIBILITY_REASON_OK, "eligibility.ok", ELIGIBILITY_ELIGIBLE},
        {ELIGIBILITY_REASON_UNDER_16, "eligibility.under_16", ELIGIBILITY_SEE_STAFF},
        {ELIGIBILITY_REASON_UNABLE_TO_WORK, "eligibility.unable_to_work", ELIGIBILITY_SEE_STAFF},
        {ELIGIBILITY_REASON_NOT_SEEKING_WORK, "eligibility.not_seeking_work",
         ELIGIBILITY_SEE_STAFF},
        {ELIGIBILITY_REASON_RECEIVING_PENSION, "eligibility.receiving_pension",
         ELIGIBILITY_OFFER_JOBSEEKER},
        {ELIGIBILITY_REASON_EMPLOYED, "eligibility.employed", ELIGIBILITY_OFFER_JOBSEEKER},
        {ELIGIBILITY_REASON_PAST_RETIREMENT_AGE, "eligibility.past_retirement_age",
         ELIGIBILITY_SEE_STAFF},
    };
    assert_int_equal(sizeof table / sizeof table[0], ELIGIBILITY_REASON_COUNT);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_string_equal(eligibility_reason_key(table[i].reason), table[i].key);
        assert_int_equal(eligibility_reason_outcome(table[i].reason), table[i].outcome);
    }
    assert_string_equal(eligibility_reason_key(ELIGIBILITY_REASON_COUNT), "eligibility.unknown");
    assert_string_equal(eligibility_reason_key((eligibility_reason)-1), "eligibility.unknown");
    assert_int_equal(eligibility_reason_outcome((eligibility_reason)99), ELIGIBILITY_SEE_STAFF);
    assert_string_equal(eligibility_outcome_key(ELIGIBILITY_ELIGIBLE),
                        "eligibility.outcome_eligible");
    assert_string_equal(eligibility_outcome_key(ELIGIBILITY_OFFER_JOBSEEKER),
                        "eligibility.outcome_offer_jobseeker");
    assert_string_equal(eligibility_outcome_key(ELIGIBILITY_SEE_STAFF),
                        "eligibility.outcome_see_staff");
    assert_string_equal(eligibility_outcome_key((eligibility_outcome)3), "eligibility.unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eligible),
        cmocka_unit_test(test_each_reason),
        cmocka_unit_test(test_precedence_all_answers),
        cmocka_unit_test(test_sixteenth_birthday),
        cmocka_unit_test(test_born_29_february),
        cmocka_unit_test(test_retirement_boundary_men),
        cmocka_unit_test(test_retirement_women_groups),
        cmocka_unit_test(test_invalid_input),
        cmocka_unit_test(test_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
