/* Tests of the follow-up plan: service codes to plans, and its date in working days over
 * weekends, the year's end, holidays and make-up working days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/followup.h"

static void assert_date(kiosk_date d, int y, int m, int day)
{
    if (d.year != y || d.month != m || d.day != day)
        fail_msg("got %04d-%02d-%02d, wanted %04d-%02d-%02d", d.year, d.month, d.day, y, m, day);
}

static void test_plans_of_codes(void **state)
{
    (void)state;
    const char *job_training[] = {"1", "2"};
    assert_int_equal(followup_plans(job_training, 2),
                     (1u << FOLLOWUP_JOB) | (1u << FOLLOWUP_TRAINING));
    const char *all[] = {"1", "2", "3", "4", "5"};
    assert_int_equal(followup_plans(all, 5), (1u << FOLLOWUP_COUNT) - 1);
    const char *other[] = {"6"}; /* 其他: the general plan, no own */
    assert_int_equal(followup_plans(other, 1), 0);
    assert_int_equal(followup_plans(NULL, 0), 0);
    assert_int_equal(followup_intent_of_code("4"), FOLLOWUP_INSURANCE);
    assert_int_equal(followup_intent_of_code("0"), -1);
    assert_int_equal(followup_intent_of_code("11"), -1);
    assert_int_equal(followup_intent_of_code(""), -1);
    assert_string_equal(followup_intent_name(FOLLOWUP_UNSURE), "unsure");
    assert_null(followup_intent_name(FOLLOWUP_COUNT));
}

static void test_working_days(void **state)
{
    (void)state;
    /* a Friday: the next five working days end on the next Friday */
    assert_date(followup_due((kiosk_date){2026, 11, 20}, NULL), 2026, 11, 27);
    /* a Saturday and a Sunday count from Monday */
    assert_date(followup_due((kiosk_date){2026, 12, 5}, NULL), 2026, 12, 11);
    assert_date(followup_due((kiosk_date){2026, 12, 6}, NULL), 2026, 12, 11);
    /* a Wednesday: over the weekend */
    assert_date(followup_due((kiosk_date){2026, 12, 2}, NULL), 2026, 12, 9);
    /* over the year's end: Thu 31 Dec 2026 → Thu 7 Jan 2027 by weekends only … */
    assert_date(followup_due((kiosk_date){2026, 12, 31}, NULL), 2027, 1, 7);
    /* … and a day later with New Year's Day (a Friday) off */
    kiosk_date holidays[] = {{2027, 1, 1}};
    kiosk_calendar cal = {holidays, 1, NULL, 0};
    assert_date(followup_due((kiosk_date){2026, 12, 31}, &cal), 2027, 1, 8);
    /* a week of holidays (1-7 Oct 2026) with a make-up Sunday before and a Saturday after */
    kiosk_date golden[7], makeup[] = {{2026, 9, 27}, {2026, 10, 10}};
    for (int i = 0; i < 7; i++)
        golden[i] = (kiosk_date){2026, 10, 1 + i};
    kiosk_calendar national = {golden, 7, makeup, 2};
    /* Fri 25 Sep: Sun 27, Mon 28, Tue 29, Wed 30, then Thu 8 Oct */
    assert_date(followup_due((kiosk_date){2026, 9, 25}, &national), 2026, 10, 8);
    /* Wed 30 Sep: Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13 */
    assert_date(followup_due((kiosk_date){2026, 9, 30}, &national), 2026, 10, 13);
    assert_false(kiosk_date_is_working_day((kiosk_date){2026, 10, 5}, &national));
    assert_true(kiosk_date_is_working_day((kiosk_date){2026, 10, 10}, &national));
    assert_false(kiosk_date_is_working_day((kiosk_date){2026, 10, 11}, &national));
    /* leap day and month ends */
    assert_date(followup_due((kiosk_date){2028, 2, 25}, NULL), 2028, 3, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plans_of_codes),
        cmocka_unit_test(test_working_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
