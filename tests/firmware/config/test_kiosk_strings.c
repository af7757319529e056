/* Tests of the people-facing string tables: both languages load, hold the same keys,
 * and broken files are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "config/kiosk_config.h"
#include "config/kiosk_strings.h"
#include "domain/eligibility.h"
#include "domain/registration.h"

static void test_languages_have_same_keys(void **state)
{
    (void)state;
    kiosk_strings *zh, *en;
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", "zh_CN", &zh, NULL),
                     KIOSK_OK);
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", "en", &en, NULL), KIOSK_OK);
    assert_true(kiosk_strings_count(zh) > 10);
    assert_int_equal(kiosk_strings_count(zh), kiosk_strings_count(en));
    for (size_t i = 0; i < kiosk_strings_count(zh); i++) {
        const char *key = kiosk_strings_key_at(zh, i);
        if (!kiosk_strings_find(en, key))
            fail_msg("en.ini lacks %s", key);
        assert_true(strlen(kiosk_strings_find(zh, key)) > 0);
    }
    assert_string_equal(kiosk_strings_get(zh, "attract.step2"), "输入密码");
    assert_string_equal(kiosk_strings_get(en, "attract.step2"), "Enter PIN");
    /* "\n" in the file is a line break */
    assert_non_null(strchr(kiosk_strings_get(zh, "attract.instruction"), '\n'));
    /* a missing key falls back to the key itself */
    assert_string_equal(kiosk_strings_get(zh, "no.such_key"), "no.such_key");
    assert_null(kiosk_strings_find(zh, "no.such_key"));
    kiosk_strings_destroy(zh);
    kiosk_strings_destroy(en);
}

/* Every key the domain hands to screens has a text in both languages. */
static void test_domain_keys_have_texts(void **state)
{
    (void)state;
    const char *langs[] = {"zh_CN", "en"};
    for (int l = 0; l < 2; l++) {
        kiosk_strings *s;
        assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", langs[l], &s, NULL),
                         KIOSK_OK);
        for (int r = 0; r < ELIGIBILITY_REASON_COUNT; r++)
            if (!kiosk_strings_find(s, eligibility_reason_key((eligibility_reason)r)))
                fail_msg("%s.ini lacks %s", langs[l],
                         eligibility_reason_key((eligibility_reason)r));
        /* every form field has a label, every error kind a generic message */
        char key[128];
        for (int f = 0; f < REGISTRATION_FIELD_COUNT; f++) {
            snprintf(key, sizeof key, "form.field.%s",
                     registration_field_key((registration_field)f));
            if (!kiosk_strings_find(s, key))
                fail_msg("%s.ini lacks %s", langs[l], key);
        }
        for (int e = REGISTRATION_ERR_REQUIRED; e <= REGISTRATION_ERR_NOT_APPLICABLE; e++) {
            snprintf(key, sizeof key, "form.error.%s",
                     registration_error_key((registration_error)e));
            if (!kiosk_strings_find(s, key))
                fail_msg("%s.ini lacks %s", langs[l], key);
        }
        const char *flow_keys[] = {"flow.pin_blocked", "flow.card_unreadable", "flow.reader_fault",
                                   "flow.save_failed", "flow.print_failed",    "flow.enter_id",
                                   "flow.see_staff",   "flow.more_time"};
        for (size_t k = 0; k < sizeof flow_keys / sizeof flow_keys[0]; k++)
            if (!kiosk_strings_find(s, flow_keys[k]))
                fail_msg("%s.ini lacks %s", langs[l], flow_keys[k]);
        const eligibility_outcome outcomes[] = {ELIGIBILITY_ELIGIBLE, ELIGIBILITY_OFFER_JOBSEEKER,
                                                ELIGIBILITY_SEE_STAFF};
        for (int o = 0; o < 3; o++)
            assert_non_null(kiosk_strings_find(s, eligibility_outcome_key(outcomes[o])));
        kiosk_strings_destroy(s);
    }
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_broken_files(void **state)
{
    (void)state;
    kiosk_strings *s = (kiosk_strings *)1;
    int line = -1;
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_TMP, "missing", &s, &line), KIOSK_NOT_FOUND);
    assert_null(s);
    write_file(KIOSK_TEST_TMP "/dup.ini", "[a]\nx = 1\n[a]\nx = 2\n");
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_TMP, "dup", &s, &line), KIOSK_CORRUPT);
    assert_int_equal(line, 4); /* found by fuzz_strings: a duplicate named no line */
    assert_null(s);
    write_file(KIOSK_TEST_TMP "/junk.ini", "[a]\nx = 1\nnot a line\n");
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_TMP, "junk", &s, &line), KIOSK_CORRUPT);
    assert_int_equal(line, 3);

    /* a line longer than inih reads is named, not parsed in pieces; one that just fits,
     * last in the file without a newline, loads */
    char text[600], value[400];
    memset(value, 'a', sizeof value);
    value[KIOSK_INI_LINE_MAX - 5] = '\0'; /* "x = " + value + "\n" = 200 bytes */
    snprintf(text, sizeof text, "[a]\ny = 1\nx = %s\nz = 2\n", value);
    write_file(KIOSK_TEST_TMP "/long.ini", text);
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_TMP, "long", &s, &line), KIOSK_CORRUPT);
    assert_int_equal(line, 3);
    value[KIOSK_INI_LINE_MAX - 6] = '\0';
    snprintf(text, sizeof text, "[a]\ny = 1\nx = %s\n[b]\nz = 2", value);
    write_file(KIOSK_TEST_TMP "/fits.ini", text);
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_TMP, "fits", &s, &line), KIOSK_OK);
    assert_int_equal(strlen(kiosk_strings_get(s, "a.x")), KIOSK_INI_LINE_MAX - 6);
    assert_string_equal(kiosk_strings_get(s, "b.z"), "2");
    kiosk_strings_destroy(s);
    /* found by fuzz_strings: an empty file has no table to search (UBSan: bsearch on NULL) */
    write_file(KIOSK_TEST_TMP "/empty.ini", "");
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_TMP, "empty", &s, &line), KIOSK_OK);
    assert_int_equal(kiosk_strings_count(s), 0);
    assert_null(kiosk_strings_find(s, "a.x"));
    kiosk_strings_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_languages_have_same_keys),
        cmocka_unit_test(test_domain_keys_have_texts),
        cmocka_unit_test(test_broken_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
