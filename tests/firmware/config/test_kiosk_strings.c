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

/* The format specifiers of a text in order (%d, %s, {name}), joined, for comparing. */
static void specifiers(const char *text, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = text; *p && n + 1 < size; p++) {
        const char *end = NULL;
        if (*p == '%' && p[1])
            end = p + 2;
        else if (*p == '{' && strchr(p, '}'))
            end = strchr(p, '}') + 1;
        if (!end)
            continue;
        n += (size_t)snprintf(out + n, size - n, "%.*s|", (int)(end - p), p);
        if (n >= size)
            n = size - 1;
        p = end - 1;
    }
}

/* zh_Hant is made from zh_CN at build time (toolchain/gen-hant.py): it loads (no line over
 * 199 bytes, no duplicate key), has every key of zh_CN with the same specifiers, and is
 * Traditional: no string holds a Simplified-only character of the kiosk's common words,
 * the override file's corrections are in. */
static void test_hant_generated(void **state)
{
    (void)state;
    kiosk_strings *zh, *hant;
    int bad = -1;
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", "zh_CN", &zh, NULL),
                     KIOSK_OK);
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", "zh_Hant", &hant, &bad),
                     KIOSK_OK);
    assert_int_equal(kiosk_strings_count(hant), kiosk_strings_count(zh));
    static const char *const simplified[] = {"这", "们", "请", "证",   "业", "记",
                                             "执", "码", "读", "卡里", "为", "“"};
    size_t changed = 0;
    for (size_t i = 0; i < kiosk_strings_count(zh); i++) {
        const char *key = kiosk_strings_key_at(zh, i);
        const char *a = kiosk_strings_find(zh, key), *b = kiosk_strings_find(hant, key);
        if (!b)
            fail_msg("zh_Hant.ini lacks %s", key);
        char sa[256], sb[256];
        specifiers(a, sa, sizeof sa);
        specifiers(b, sb, sizeof sb);
        if (strcmp(sa, sb) != 0)
            fail_msg("%s: specifiers %s in zh_CN, %s in zh_Hant", key, sa, sb);
        changed += strcmp(a, b) != 0;
        if (!strcmp(key, "screen.hw_words")) {
            assert_string_equal(a, b); /* what goes into an address, and the keys' names */
            continue;
        }
        for (size_t k = 0; k < sizeof simplified / sizeof simplified[0]; k++)
            if (strstr(b, simplified[k]))
                fail_msg("%s in zh_Hant holds the Simplified %s: %s", key, simplified[k], b);
    }
    assert_true(changed > kiosk_strings_count(zh) / 2);
    assert_string_equal(kiosk_strings_get(hant, "receipt.title"), "失業登記回執");
    assert_string_equal(kiosk_strings_get(hant, "attract.step2"), "輸入密碼");
    /* the override file: 裡 for "inside", 「」 for quotes, the switch's own label */
    assert_non_null(strstr(kiosk_strings_get(hant, "flow.card_mismatch"), "卡裡"));
    assert_non_null(strstr(kiosk_strings_get(hant, "attract.help"), "「求助」"));
    assert_string_equal(kiosk_strings_get(hant, "app.language_switch"), "简体中文");
    kiosk_strings_destroy(zh);
    kiosk_strings_destroy(hant);
}

/* The switch's cycle: 中文 → English → 繁體 → 中文; zh_Hant alone is Traditional. */
static void test_language_cycle(void **state)
{
    (void)state;
    assert_string_equal(kiosk_lang_next("zh_CN"), "en");
    assert_string_equal(kiosk_lang_next("en"), "zh_Hant");
    assert_string_equal(kiosk_lang_next("zh_Hant"), "zh_CN");
    assert_string_equal(kiosk_lang_next("fr"), "zh_CN");
    assert_string_equal(kiosk_lang_next(NULL), "zh_CN");
    assert_true(kiosk_lang_is_hant("zh_Hant"));
    assert_false(kiosk_lang_is_hant("zh_CN"));
    assert_false(kiosk_lang_is_hant(NULL));
}

/* Every key the domain hands to screens has a text in every language. */
static void test_domain_keys_have_texts(void **state)
{
    (void)state;
    const char *langs[] = {"zh_CN", "en", "zh_Hant"};
    for (int l = 0; l < 3; l++) {
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
        cmocka_unit_test(test_hant_generated),
        cmocka_unit_test(test_language_cycle),
        cmocka_unit_test(test_domain_keys_have_texts),
        cmocka_unit_test(test_broken_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
