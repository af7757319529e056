/* Tests of retire: every checkpoint of DOMAIN.md §4, the first affected birth month and
 * the cap of each group, the month boundary of retire_has_reached and invalid inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "domain/retire.h"

typedef struct vec {
    retire_group group;
    int birth_year, birth_month;
    int age_years, age_months, delay;
    int year, month;
} vec;

static const vec vectors[] = {
    /* DOMAIN.md §4 checks */
    {RETIRE_MEN, 1965, 5, 60, 2, 2, 2025, 7},
    {RETIRE_MEN, 1970, 6, 61, 5, 17, 2031, 11},
    {RETIRE_WOMEN_55, 1971, 4, 55, 4, 4, 2026, 8},
    {RETIRE_WOMEN_50, 1980, 6, 52, 9, 33, 2033, 3},
    {RETIRE_WOMEN_50, 1984, 11, 55, 0, 60, 2039, 11},
    {RETIRE_WOMEN_50, 1984, 12, 55, 0, 60, 2039, 12},
    {RETIRE_WOMEN_50, 1990, 1, 55, 0, 60, 2045, 1},
    /* women (50): the month before the cap */
    {RETIRE_WOMEN_50, 1984, 10, 54, 11, 59, 2039, 9},
    /* men: before and at the first affected month, the step, the cap */
    {RETIRE_MEN, 1964, 12, 60, 0, 0, 2024, 12},
    {RETIRE_MEN, 1950, 1, 60, 0, 0, 2010, 1},
    {RETIRE_MEN, 1965, 1, 60, 1, 1, 2025, 2},
    {RETIRE_MEN, 1965, 4, 60, 1, 1, 2025, 5},
    {RETIRE_MEN, 1976, 8, 62, 11, 35, 2039, 7},
    {RETIRE_MEN, 1976, 9, 63, 0, 36, 2039, 9},
    {RETIRE_MEN, 1976, 12, 63, 0, 36, 2039, 12},
    {RETIRE_MEN, 2000, 1, 63, 0, 36, 2063, 1},
    /* women (55): first affected month and cap (1981-09 by n/4+1 = 36) */
    {RETIRE_WOMEN_55, 1969, 12, 55, 0, 0, 2024, 12},
    {RETIRE_WOMEN_55, 1970, 1, 55, 1, 1, 2025, 2},
    {RETIRE_WOMEN_55, 1981, 8, 57, 11, 35, 2039, 7},
    {RETIRE_WOMEN_55, 1981, 9, 58, 0, 36, 2039, 9},
    /* women (50): first affected months, step of 2 */
    {RETIRE_WOMEN_50, 1974, 12, 50, 0, 0, 2024, 12},
    {RETIRE_WOMEN_50, 1975, 1, 50, 1, 1, 2025, 2},
    {RETIRE_WOMEN_50, 1975, 2, 50, 1, 1, 2025, 3},
    {RETIRE_WOMEN_50, 1975, 3, 50, 2, 2, 2025, 5},
};

static void test_checkpoints(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vec *v = &vectors[i];
        retire_info info;
        memset(&info, 0xff, sizeof info);
        print_message("group %d born %04d-%02d\n", v->group, v->birth_year, v->birth_month);
        assert_int_equal(retire_compute(v->group, v->birth_year, v->birth_month, &info), KIOSK_OK);
        assert_int_equal(info.age_years, v->age_years);
        assert_int_equal(info.age_months, v->age_months);
        assert_int_equal(info.delay_months, v->delay);
        assert_int_equal(info.year, v->year);
        assert_int_equal(info.month, v->month);
    }
}

/* The delay never decreases with later births and stays within the cap. */
static void test_monotonic_and_capped(void **state)
{
    (void)state;
    static const int caps[] = {36, 36, 60};
    for (int g = RETIRE_MEN; g <= RETIRE_WOMEN_50; g++) {
        int prev = -1;
        for (int y = 1940; y <= 2010; y++) {
            for (int m = 1; m <= 12; m++) {
                retire_info info;
                assert_int_equal(retire_compute((retire_group)g, y, m, &info), KIOSK_OK);
                assert_true(info.delay_months >= prev);
                assert_true(info.delay_months <= caps[g]);
                assert_int_equal(info.age_years * 12 + info.age_months,
                                 (g == RETIRE_MEN        ? 60
                                  : g == RETIRE_WOMEN_55 ? 55
                                                         : 50) *
                                         12 +
                                     info.delay_months);
                prev = info.delay_months;
            }
        }
        assert_int_equal(prev, caps[g]);
    }
}

static void test_compute_invalid(void **state)
{
    (void)state;
    retire_info info;
    memset(&info, 0x5a, sizeof info);
    retire_info before = info;
    assert_int_equal(retire_compute(RETIRE_MEN, 1965, 0, &info), KIOSK_INVALID);
    assert_int_equal(retire_compute(RETIRE_MEN, 1965, 13, &info), KIOSK_INVALID);
    assert_int_equal(retire_compute(RETIRE_MEN, 1899, 12, &info), KIOSK_INVALID);
    assert_int_equal(retire_compute(RETIRE_MEN, 3000, 1, &info), KIOSK_INVALID);
    assert_int_equal(retire_compute((retire_group)3, 1965, 5, &info), KIOSK_INVALID);
    assert_int_equal(retire_compute((retire_group)-1, 1965, 5, &info), KIOSK_INVALID);
    assert_memory_equal(&info, &before, sizeof info);
    assert_int_equal(retire_compute(RETIRE_MEN, 1965, 5, NULL), KIOSK_INVALID);
}

static void test_age_on(void **state)
{
    (void)state;
    kiosk_date b = {1965, 5, 20};
    assert_int_equal(retire_age_on(b, (kiosk_date){2025, 5, 19}), 59);
    assert_int_equal(retire_age_on(b, (kiosk_date){2025, 5, 20}), 60);
    assert_int_equal(retire_age_on(b, (kiosk_date){1965, 5, 19}), -1);
    kiosk_date leap = {1976, 2, 29};
    assert_int_equal(retire_age_on(leap, (kiosk_date){2026, 2, 28}), 49);
    assert_int_equal(retire_age_on(leap, (kiosk_date){2026, 3, 1}), 50);
}

static void assert_reached(retire_group g, kiosk_date birth, kiosk_date on, bool expected)
{
    bool reached = !expected;
    assert_int_equal(retire_has_reached(g, birth, on, &reached), KIOSK_OK);
    assert_int_equal(reached, expected);
}

static void test_has_reached_month_boundary(void **state)
{
    (void)state;
    /* Man born 1965-05-20 retires 2025-07: reached from 2025-07-01. */
    kiosk_date b = {1965, 5, 20};
    assert_reached(RETIRE_MEN, b, (kiosk_date){2025, 6, 30}, false);
    assert_reached(RETIRE_MEN, b, (kiosk_date){2025, 7, 1}, true);
    assert_reached(RETIRE_MEN, b, (kiosk_date){2025, 7, 31}, true);
    assert_reached(RETIRE_MEN, b, (kiosk_date){2030, 1, 1}, true);
    /* The day of birth does not matter: born on the 31st, reached on the 1st. */
    kiosk_date late = {1964, 12, 31};
    assert_reached(RETIRE_MEN, late, (kiosk_date){2024, 11, 30}, false);
    assert_reached(RETIRE_MEN, late, (kiosk_date){2024, 12, 1}, true);
    /* Year change: woman (55) born 1971-04 retires 2026-08; man 1970-06 2031-11. */
    assert_reached(RETIRE_WOMEN_55, (kiosk_date){1971, 4, 1}, (kiosk_date){2026, 7, 31}, false);
    assert_reached(RETIRE_WOMEN_55, (kiosk_date){1971, 4, 1}, (kiosk_date){2026, 8, 1}, true);
    assert_reached(RETIRE_MEN, (kiosk_date){1970, 6, 15}, (kiosk_date){2031, 10, 31}, false);
    assert_reached(RETIRE_MEN, (kiosk_date){1970, 6, 15}, (kiosk_date){2031, 11, 1}, true);
    /* Woman (50) born 1980-06 retires 2033-03; the same woman in group 55 does not. */
    kiosk_date w = {1980, 6, 10};
    assert_reached(RETIRE_WOMEN_50, w, (kiosk_date){2033, 2, 28}, false);
    assert_reached(RETIRE_WOMEN_50, w, (kiosk_date){2033, 3, 1}, true);
    assert_reached(RETIRE_WOMEN_55, w, (kiosk_date){2033, 3, 1}, false);
    /* 29 February: woman (50) born 1976-02-29, n = 13, delay 7 → 50y7m, 2026-09. */
    kiosk_date leap = {1976, 2, 29};
    retire_info info;
    assert_int_equal(retire_compute(RETIRE_WOMEN_50, 1976, 2, &info), KIOSK_OK);
    assert_int_equal(info.age_years, 50);
    assert_int_equal(info.age_months, 7);
    assert_int_equal(info.year, 2026);
    assert_int_equal(info.month, 9);
    assert_reached(RETIRE_WOMEN_50, leap, (kiosk_date){2026, 8, 31}, false);
    assert_reached(RETIRE_WOMEN_50, leap, (kiosk_date){2026, 9, 1}, true);
    /* Before the birth: not reached. */
    assert_reached(RETIRE_MEN, b, (kiosk_date){1960, 1, 1}, false);
}

static void test_has_reached_invalid(void **state)
{
    (void)state;
    bool reached = true;
    assert_int_equal(retire_has_reached(RETIRE_MEN, (kiosk_date){1965, 2, 30},
                                        (kiosk_date){2026, 1, 1}, &reached),
                     KIOSK_INVALID);
    assert_int_equal(retire_has_reached(RETIRE_MEN, (kiosk_date){1965, 2, 1},
                                        (kiosk_date){2026, 13, 1}, &reached),
                     KIOSK_INVALID);
    assert_int_equal(retire_has_reached(RETIRE_MEN, (kiosk_date){1899, 12, 31},
                                        (kiosk_date){2026, 1, 1}, &reached),
                     KIOSK_INVALID);
    assert_int_equal(retire_has_reached((retire_group)7, (kiosk_date){1965, 2, 1},
                                        (kiosk_date){2026, 1, 1}, &reached),
                     KIOSK_INVALID);
    assert_true(reached); /* untouched */
    assert_int_equal(
        retire_has_reached(RETIRE_MEN, (kiosk_date){1965, 2, 1}, (kiosk_date){2026, 1, 1}, NULL),
        KIOSK_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checkpoints),
        cmocka_unit_test(test_monotonic_and_capped),
        cmocka_unit_test(test_compute_invalid),
        cmocka_unit_test(test_age_on),
        cmocka_unit_test(test_has_reached_month_boundary),
        cmocka_unit_test(test_has_reached_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
