/* The form's editors without a screen: the month picker's twelve months up to today (one
 * tap chooses and closes, never a month to come) and the next field to give opening by
 * itself after a field is given for the first time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "domain/registration.h"
#include "ui/ui_form.h"

static registration rec;

static ui_form_env env_on(int year, int month, int day)
{
    return (ui_form_env){.rec = &rec, .lang = CODES_ZH, .today = {year, month, day}};
}

/* Tap id; the text the form asks to set for field, or "" when it asks nothing. */
static const char *tap(const ui_form_env *env, ui_form_edit *e, const char *id,
                       registration_field *field)
{
    static ui_form_action act;
    assert_int_equal(ui_form_tap(env, e, id, &act), 1);
    if (field)
        *field = act.field;
    return act.set ? act.text : "";
}

static void test_month_window(void **state)
{
    (void)state;
    registration_init(&rec);
    ui_form_env env = env_on(2027, 2, 15);
    ui_form_edit e;
    ui_form_edit_wipe(&e);
    registration_field f;
    /* March 2026 … February 2027: "9月" is last September, "2月" this month */
    assert_string_equal(tap(&env, &e, "field_unemployed_since", NULL), "");
    assert_true(e.active);
    assert_string_equal(tap(&env, &e, "month_9", &f), "2026-09");
    assert_int_equal(f, REGISTRATION_UNEMPLOYED_SINCE);
    assert_false(e.active); /* one tap: chosen and closed */
    tap(&env, &e, "field_unemployed_since", NULL);
    assert_string_equal(tap(&env, &e, "month_2", NULL), "2027-02");
    /* "+" never goes past this month; "−" a year back */
    tap(&env, &e, "field_unemployed_since", NULL);
    assert_string_equal(tap(&env, &e, "year_plus", NULL), "");
    assert_string_equal(tap(&env, &e, "month_3", NULL), "2026-03");
    tap(&env, &e, "field_unemployed_since", NULL);
    tap(&env, &e, "year_minus", NULL);
    assert_string_equal(tap(&env, &e, "month_3", NULL), "2025-03");
    assert_string_equal(tap(&env, &e, "field_unemployed_since", NULL), "");
    tap(&env, &e, "year_minus", NULL);
    tap(&env, &e, "year_plus", NULL);
    tap(&env, &e, "year_plus", NULL);
    assert_string_equal(tap(&env, &e, "month_2", NULL), "2027-02");
    /* a value given long ago is shown where it lies */
    assert_int_equal(registration_set_unemployed_since(&rec, 2024, 5), KIOSK_OK);
    tap(&env, &e, "field_unemployed_since", NULL);
    assert_string_equal(tap(&env, &e, "month_5", NULL), "2024-05");
    /* December, nothing given yet: the calendar year */
    registration_init(&rec);
    env = env_on(2026, 12, 5);
    tap(&env, &e, "field_unemployed_since", NULL);
    assert_string_equal(tap(&env, &e, "month_1", NULL), "2026-01");
}

static void test_next_field_opens(void **state)
{
    (void)state;
    registration_init(&rec);
    ui_form_env env = env_on(2026, 12, 5);
    ui_form_edit e;
    ui_form_edit_wipe(&e);
    /* education given: health (required, empty) opens; health given: nothing more to ask
     * on the page (a disability grade only with a 6x health, the birth date from the card) */
    assert_int_equal(registration_set_text(&rec, REGISTRATION_EDUCATION, "21"), KIOSK_OK);
    assert_int_equal(ui_form_open_next(&env, &e, REGISTRATION_EDUCATION), 1);
    assert_true(e.active);
    assert_int_equal(e.field, REGISTRATION_HEALTH);
    ui_form_edit_wipe(&e);
    assert_int_equal(registration_set_text(&rec, REGISTRATION_HEALTH, "10"), KIOSK_OK);
    assert_int_equal(ui_form_open_next(&env, &e, REGISTRATION_HEALTH), 0);
    assert_false(e.active);
    /* 失业情况: the month, then the reason, then the insurance; 登记失业地 (optional, preselected)
     * is passed over */
    assert_int_equal(ui_form_open_next(&env, &e, REGISTRATION_UNEMPLOYED_SINCE), 1);
    assert_int_equal(e.field, REGISTRATION_REASON);
    ui_form_edit_wipe(&e);
    assert_int_equal(registration_set_text(&rec, REGISTRATION_REASON, "05"), KIOSK_OK);
    assert_int_equal(ui_form_open_next(&env, &e, REGISTRATION_REASON), 1);
    assert_int_equal(e.field, REGISTRATION_CLAIMS_INSURANCE);
    /* never over an open editor */
    assert_int_equal(ui_form_open_next(&env, &e, REGISTRATION_EDUCATION), 0);
    assert_int_equal(e.field, REGISTRATION_CLAIMS_INSURANCE);
    ui_form_edit_wipe(&e);
    /* the household's detail given: the residence is next (its picker offers 与户籍地址相同) */
    assert_int_equal(ui_form_open_next(&env, &e, REGISTRATION_HOUSEHOLD_DETAIL), 1);
    assert_int_equal(e.field, REGISTRATION_RESIDENCE_DIVISION);
    ui_form_edit_wipe(&e);
    /* the last page asks nothing required */
    assert_int_equal(ui_form_open_next(&env, &e, REGISTRATION_SERVICES), 0);
    registration_wipe(&rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_month_window),
        cmocka_unit_test(test_next_field_opens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
