/* Tests of the error table and the clock/calendar helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"

static void test_strerror_covers_every_code(void **state)
{
    (void)state;
    for (int rc = KIOSK_OK; rc <= KIOSK_NO_MEDIUM; rc++) {
        assert_string_not_equal(kiosk_strerror((kiosk_rc)rc), "unknown error");
        assert_string_not_equal(kiosk_rc_name((kiosk_rc)rc), "KIOSK_UNKNOWN");
    }
    assert_string_equal(kiosk_rc_name(KIOSK_PIN_BLOCKED), "KIOSK_PIN_BLOCKED");
    assert_string_equal(kiosk_strerror((kiosk_rc)999), "unknown error");
    assert_string_equal(kiosk_strerror((kiosk_rc)-1), "unknown error");
}

static void test_manual_clock_and_today(void **state)
{
    (void)state;
    kiosk_clock_manual m;
    /* 2026-11-22 15:59:59 UTC = 23:59:59 in Asia/Shanghai (tests run with that TZ) */
    kiosk_clock_manual_init(&m, 1795363199000LL);
    kiosk_date d = kiosk_clock_today(&m.clock);
    assert_int_equal(d.year, 2026);
    assert_int_equal(d.month, 11);
    assert_int_equal(d.day, 22);
    kiosk_clock_manual_advance(&m, 1000);
    d = kiosk_clock_today(&m.clock);
    assert_int_equal(d.day, 23);
    assert_int_equal(kiosk_clock_mono_ms(&m.clock), 1000);
    int64_t a = kiosk_clock_mono_ms(kiosk_clock_system());
    assert_true(kiosk_clock_mono_ms(kiosk_clock_system()) >= a);
}

static void test_date_parse_and_check(void **state)
{
    (void)state;
    kiosk_date d;
    assert_int_equal(kiosk_date_parse("19491231", &d), KIOSK_OK);
    assert_int_equal(d.year, 1949);
    assert_int_equal(d.month, 12);
    assert_int_equal(d.day, 31);
    assert_int_equal(kiosk_date_parse("2000-02-29", &d), KIOSK_OK);
    assert_int_equal(kiosk_date_parse("19490230", &d), KIOSK_INVALID);
    assert_int_equal(kiosk_date_parse("19000229", &d), KIOSK_INVALID); /* 1900 not leap */
    assert_int_equal(kiosk_date_parse("20230229", &d), KIOSK_INVALID);
    assert_int_equal(kiosk_date_parse("20231301", &d), KIOSK_INVALID);
    assert_int_equal(kiosk_date_parse("2023011", &d), KIOSK_INVALID);
    assert_int_equal(kiosk_date_parse("2023-1-01", &d), KIOSK_INVALID);
    assert_int_equal(kiosk_date_parse("2023010a", &d), KIOSK_INVALID);
    assert_int_equal(kiosk_date_parse(NULL, &d), KIOSK_INVALID);
}

static void test_age_on(void **state)
{
    (void)state;
    kiosk_date b = {2010, 11, 22};
    assert_int_equal(kiosk_date_age_on(b, (kiosk_date){2026, 11, 21}), 15);
    assert_int_equal(kiosk_date_age_on(b, (kiosk_date){2026, 11, 22}), 16);
    kiosk_date leap = {2008, 2, 29};
    assert_int_equal(kiosk_date_age_on(leap, (kiosk_date){2024, 2, 28}), 15);
    assert_int_equal(kiosk_date_age_on(leap, (kiosk_date){2024, 2, 29}), 16);
    /* weekdays and working days */
    assert_int_equal(kiosk_date_weekday((kiosk_date){1970, 1, 1}), 4);
    assert_int_equal(kiosk_date_weekday((kiosk_date){2026, 12, 4}), 5); /* a Friday */
    assert_int_equal(kiosk_date_weekday((kiosk_date){2000, 2, 29}), 2);
    kiosk_date due = kiosk_date_add_working_days((kiosk_date){2026, 12, 4}, 7);
    assert_true(due.year == 2026 && due.month == 12 && due.day == 15);
    due = kiosk_date_add_working_days((kiosk_date){2026, 12, 30}, 3); /* over the new year */
    assert_true(due.year == 2027 && due.month == 1 && due.day == 4);
    due = kiosk_date_add_working_days((kiosk_date){2026, 12, 5}, 1); /* from a Saturday */
    assert_true(due.year == 2026 && due.month == 12 && due.day == 7);
    assert_int_equal(kiosk_date_age_on(leap, (kiosk_date){2025, 2, 28}), 16);
    assert_int_equal(kiosk_date_age_on(leap, (kiosk_date){2026, 2, 28}), 17);
    assert_int_equal(kiosk_date_age_on(leap, (kiosk_date){2026, 3, 1}), 18);
    assert_true(kiosk_date_cmp((kiosk_date){2026, 1, 1}, (kiosk_date){2025, 12, 31}) > 0);
    assert_int_equal(kiosk_date_cmp(b, b), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_covers_every_code),
        cmocka_unit_test(test_manual_clock_and_today),
        cmocka_unit_test(test_date_parse_and_check),
        cmocka_unit_test(test_age_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
