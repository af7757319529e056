/* Tests of idnum: the GB 11643-1999 check character against the standard's examples,
 * every rejection rule of idnum_parse18, 15→18 conversion and the travel permits. The
 * vectors other than the standard's carry check characters computed by hand from the
 * weights of DOMAIN.md §3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "domain/idnum.h"

static const kiosk_date today = {2026, 11, 22};

static void test_check_char_standard_examples(void **state)
{
    (void)state;
    assert_int_equal(idnum_check_char("11010519491231002"), 'X');
    assert_int_equal(idnum_check_char("44052418800101001"), '4');
    /* Only the first 17 characters count. */
    assert_int_equal(idnum_check_char("11010519491231002X"), 'X');
    assert_int_equal(idnum_check_char("11010519491231001"), '1');
    assert_int_equal(idnum_check_char("1101051949123100"), '\0'); /* 16 digits */
    assert_int_equal(idnum_check_char("1101051949123100A"), '\0');
    assert_int_equal(idnum_check_char(""), '\0');
    assert_int_equal(idnum_check_char(NULL), '\0');
}

static void test_parse18_standard_example(void **state)
{
    (void)state;
    idnum_info info;
    memset(&info, 0x55, sizeof info);
    assert_int_equal(idnum_parse18("11010519491231002X", today, &info), KIOSK_OK);
    assert_int_equal(info.kind, IDNUM_RESIDENT);
    assert_string_equal(info.region, "110105");
    assert_int_equal(info.birth.year, 1949);
    assert_int_equal(info.birth.month, 12);
    assert_int_equal(info.birth.day, 31);
    assert_int_equal(info.sex, IDNUM_FEMALE); /* sequence 002: even */
    assert_string_equal(info.normalized, "11010519491231002X");
    assert_int_equal(idnum_parse18("11010519491231002X", today, NULL), KIOSK_OK);
}

static void test_parse18_lower_case_x_normalized(void **state)
{
    (void)state;
    idnum_info info;
    assert_int_equal(idnum_parse18("11010519491231002x", today, &info), KIOSK_OK);
    assert_string_equal(info.normalized, "11010519491231002X");
}

static void test_parse18_male_and_1800_limit(void **state)
{
    (void)state;
    idnum_info info;
    assert_int_equal(idnum_parse18("110105199901010016", today, &info), KIOSK_OK);
    assert_int_equal(info.sex, IDNUM_MALE); /* sequence 001: odd */
    assert_int_equal(info.birth.year, 1999);
    assert_string_equal(info.normalized, "110105199901010016");
    /* 1900-01-01, a birth date in the range; its check character is X. */
    assert_int_equal(idnum_parse18("11010519000101001X", today, &info), KIOSK_OK);
    assert_int_equal(info.birth.year, 1900);
    /* The standard's second example has a correct check character (above) but a birth in
     * 1880: the standard's own example, valid (births from 1800 on are accepted). */
    assert_int_equal(idnum_parse18("440524188001010014", today, &info), KIOSK_OK);
    assert_int_equal(info.birth.year, 1880);
    assert_int_equal(info.sex, IDNUM_MALE);
    char early[19] = "11010517991231001";
    early[17] = idnum_check_char(early);
    early[18] = '\0';
    assert_int_equal(idnum_parse18(early, today, &info), KIOSK_INVALID); /* 1799 */
    assert_int_equal(idnum_parse18("440524190001010017", today, &info), KIOSK_OK);
    assert_string_equal(info.region, "440524");
    assert_int_equal(info.sex, IDNUM_MALE);
}

static void test_parse18_wrong_check(void **state)
{
    (void)state;
    assert_int_equal(idnum_parse18("110105194912310021", today, NULL), KIOSK_INVALID);
    assert_int_equal(idnum_parse18("110105194912310020", today, NULL), KIOSK_INVALID);
    assert_int_equal(idnum_parse18("11010519491231002Y", today, NULL), KIOSK_INVALID);
    /* One digit changed (its own check would be 6), check kept. */
    assert_int_equal(idnum_parse18("11010519491231012X", today, NULL), KIOSK_INVALID);
    assert_int_equal(idnum_parse18("110105194912310126", today, NULL), KIOSK_OK);
    /* 'X' where the check is a digit. */
    assert_int_equal(idnum_parse18("11010519990101001X", today, NULL), KIOSK_INVALID);
}

static void test_parse18_impossible_dates(void **state)
{
    (void)state;
    /* Correct check characters, impossible dates. */
    assert_int_equal(idnum_parse18("110105194902300020", today, NULL), KIOSK_INVALID);
    assert_int_equal(idnum_parse18("110105194913010029", today, NULL), KIOSK_INVALID);
    assert_int_equal(idnum_parse18("110105190002290017", today, NULL), KIOSK_INVALID);
    /* 29 Feb in a leap year is fine. */
    idnum_info info;
    assert_int_equal(idnum_parse18("650102200002290036", today, &info), KIOSK_OK);
    assert_int_equal(info.birth.month, 2);
    assert_int_equal(info.birth.day, 29);
}

static void test_parse18_future_birth(void **state)
{
    (void)state;
    assert_int_equal(idnum_parse18("110105202611220028", today, NULL), KIOSK_OK);
    assert_int_equal(idnum_parse18("110105202611230023", today, NULL), KIOSK_INVALID);
    kiosk_date later = {2026, 11, 23};
    assert_int_equal(idnum_parse18("110105202611230023", later, NULL), KIOSK_OK);
}

static void test_parse18_malformed(void **state)
{
    (void)state;
    idnum_info info;
    memset(&info, 0x55, sizeof info);
    idnum_info before = info;
    const char *bad[] = {
        "",
        "11010519491231002",   /* 17 */
        "11010519491231002X0", /* 19 */
        "11010519491231002XX",
        " 11010519491231002X",
        "11010519491231002X ",
        "1101051949123100 X",
        "110105194912310O2X", /* letter O */
        "11010519491231002\n",
        "X10105194912310021",
        "１10105194912310021", /* full-width digit */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(idnum_parse18(bad[i], today, &info), KIOSK_INVALID);
    assert_int_equal(idnum_parse18(NULL, today, &info), KIOSK_INVALID);
    assert_memory_equal(&info, &before, sizeof info); /* untouched on failure */
}

static void test_parse18_regions(void **state)
{
    (void)state;
    idnum_info info;
    assert_int_equal(idnum_parse18("000000194912310027", today, &info), KIOSK_INVALID);
    assert_int_equal(idnum_parse18("100105194912310028", today, &info), KIOSK_INVALID);
    assert_int_equal(idnum_parse18("810000199001011230", today, &info), KIOSK_OK);
    assert_int_equal(info.kind, IDNUM_PERMIT_HK);
    assert_int_equal(info.sex, IDNUM_MALE);
    assert_int_equal(idnum_parse18("820000199001011240", today, &info), KIOSK_OK);
    assert_int_equal(info.kind, IDNUM_PERMIT_MACAO);
    assert_int_equal(info.sex, IDNUM_FEMALE);
    assert_int_equal(idnum_parse18("830000199001011250", today, &info), KIOSK_OK);
    assert_int_equal(info.kind, IDNUM_PERMIT_TW);
    assert_string_equal(info.region, "830000");
    assert_int_equal(idnum_parse18("810100199001011236", today, &info), KIOSK_INVALID);
    /* 710000 is Taiwan's GB/T 2260 code, not a permit region. */
    assert_int_equal(idnum_parse18("710000199001011237", today, &info), KIOSK_OK);
    assert_int_equal(info.kind, IDNUM_RESIDENT);
    assert_true(idnum_kind_is_permit(IDNUM_PERMIT_HK));
    assert_true(idnum_kind_is_permit(IDNUM_PERMIT_MACAO));
    assert_true(idnum_kind_is_permit(IDNUM_PERMIT_TW));
    assert_false(idnum_kind_is_permit(IDNUM_RESIDENT));
}

static void test_from15(void **state)
{
    (void)state;
    char out[19];
    assert_int_equal(idnum_from15("110105491231002", out), KIOSK_OK);
    assert_string_equal(out, "11010519491231002X");
    assert_int_equal(idnum_from15("440524800101001", out), KIOSK_OK);
    assert_string_equal(out, "440524198001010013");
    assert_int_equal(idnum_from15("110105990101001", out), KIOSK_OK);
    assert_string_equal(out, "110105199901010016");
    assert_int_equal(idnum_from15("110105000101001", out), KIOSK_OK);
    assert_string_equal(out, "11010519000101001X");

    memcpy(out, "untouched!!!!!!!!!", 19);
    const char *bad[] = {
        "11010549123100",   /* 14 */
        "1101054912310021", /* 16 */
        "11010549123100X",  /* no check character in 15-digit numbers */
        "110105491301002",  /* month 13 */
        "110105490230002",  /* 30 Feb */
        "110105000229001",  /* 1900 is not a leap year */
        "000000491231002",  /* region */
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(idnum_from15(bad[i], out), KIOSK_INVALID);
    assert_int_equal(idnum_from15(NULL, out), KIOSK_INVALID);
    assert_string_equal(out, "untouched!!!!!!!!!");
}

static void test_parse_either_length(void **state)
{
    (void)state;
    idnum_info info;
    assert_int_equal(idnum_parse("110105491231002", today, &info), KIOSK_OK);
    assert_string_equal(info.normalized, "11010519491231002X");
    assert_int_equal(info.sex, IDNUM_FEMALE);
    assert_int_equal(info.birth.year, 1949);
    assert_int_equal(idnum_parse("11010519491231002x", today, &info), KIOSK_OK);
    assert_string_equal(info.normalized, "11010519491231002X");
    assert_int_equal(idnum_parse("110105194912310021", today, &info), KIOSK_INVALID);
    assert_int_equal(idnum_parse("110105491301002", today, &info), KIOSK_INVALID);
    assert_int_equal(idnum_parse("1101054912310021", today, &info), KIOSK_INVALID);
    assert_int_equal(idnum_parse(NULL, today, &info), KIOSK_INVALID);
}

static void test_permit_hkmo(void **state)
{
    (void)state;
    assert_int_equal(idnum_check_permit_hkmo("H12345678"), KIOSK_OK);
    assert_int_equal(idnum_check_permit_hkmo("M12345678"), KIOSK_OK);
    assert_int_equal(idnum_check_permit_hkmo("H1234567801"), KIOSK_OK);
    assert_int_equal(idnum_check_permit_hkmo("h12345678"), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_hkmo("T12345678"), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_hkmo("H1234567"), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_hkmo("H123456789"), KIOSK_INVALID);    /* 1 renewal digit */
    assert_int_equal(idnum_check_permit_hkmo("H123456780123"), KIOSK_INVALID); /* 12 digits */
    assert_int_equal(idnum_check_permit_hkmo("H1234567a"), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_hkmo("H12345678 "), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_hkmo("H"), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_hkmo(""), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_hkmo(NULL), KIOSK_INVALID);
}

static void test_permit_tw(void **state)
{
    (void)state;
    assert_int_equal(idnum_check_permit_tw("12345678"), KIOSK_OK);
    assert_int_equal(idnum_check_permit_tw("00000000"), KIOSK_OK);
    assert_int_equal(idnum_check_permit_tw("1234567"), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_tw("123456789"), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_tw("T1234567"), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_tw("1234567a"), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_tw(""), KIOSK_INVALID);
    assert_int_equal(idnum_check_permit_tw(NULL), KIOSK_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_char_standard_examples),
        cmocka_unit_test(test_parse18_standard_example),
        cmocka_unit_test(test_parse18_lower_case_x_normalized),
        cmocka_unit_test(test_parse18_male_and_1800_limit),
        cmocka_unit_test(test_parse18_wrong_check),
        cmocka_unit_test(test_parse18_impossible_dates),
        cmocka_unit_test(test_parse18_future_birth),
        cmocka_unit_test(test_parse18_malformed),
        cmocka_unit_test(test_parse18_regions),
        cmocka_unit_test(test_from15),
        cmocka_unit_test(test_parse_either_length),
        cmocka_unit_test(test_permit_hkmo),
        cmocka_unit_test(test_permit_tw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
