/* Tests of the division asset as shipped (counts, names, children, paths, the
 * placeholder rows, HK/Macao/Taiwan) and of damaged assets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "domain/divisions.h"

static divisions *div;

static int setup(void **state)
{
    (void)state;
    return divisions_load(KIOSK_TEST_ASSETS "/divisions/divisions.txt", &div) == KIOSK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    divisions_destroy(div);
    return 0;
}

static void test_counts(void **state)
{
    (void)state;
    assert_int_equal(divisions_count(div, DIVISIONS_PROVINCE), 34); /* 31 + HK, Macao, TW */
    /* 342 mainland cities + 3 HK + 2 Macao + 20 Taiwan */
    assert_int_equal(divisions_count(div, DIVISIONS_CITY), 342 + 25);
    /* 2978 mainland counties + 18 HK + 7 Macao + Taiwan's districts */
    size_t counties = divisions_count(div, DIVISIONS_COUNTY);
    assert_true(counties > 2978 + 25 && counties < 2978 + 25 + 400);
    assert_int_equal(divisions_count(div, DIVISIONS_STREET), 41352);
}

static void test_names_and_children(void **state)
{
    (void)state;
    assert_string_equal(divisions_name(div, "37"), "山东省");
    assert_string_equal(divisions_name(div, "370102"), "历下区");
    assert_string_equal(divisions_name(div, "110101"), "东城区");
    assert_string_equal(divisions_name(div, "110101001"), "东华门街道");
    assert_string_equal(divisions_name(div, "1101"), "北京市");     /* was 市辖区 */
    assert_string_equal(divisions_name(div, "5002"), "重庆市辖县"); /* was 县 */
    assert_string_equal(divisions_name(div, "4290"), "省直辖县级市");
    assert_string_equal(divisions_name(div, "81"), "香港特别行政区");
    assert_null(divisions_name(div, "99"));
    assert_null(divisions_name(div, "3701029999"));
    assert_null(divisions_name(div, NULL));
    assert_int_equal(divisions_level_of(div, "370102001"), DIVISIONS_STREET);
    assert_int_equal(divisions_level_of(div, "1101"), DIVISIONS_CITY);

    const char *const *c;
    assert_int_equal(divisions_children(div, NULL, &c), 34);
    assert_string_equal(c[0], "11");
    assert_string_equal(c[33], "83");
    assert_int_equal(divisions_children(div, "11", &c), 1);
    assert_string_equal(c[0], "1101");
    assert_int_equal(divisions_children(div, "1101", &c), 16);
    assert_string_equal(c[0], "110101");
    assert_int_equal(divisions_children(div, "50", &c), 2);
    assert_int_equal(divisions_children(div, "81", &c), 3); /* 香港岛, 九龙, 新界 */
    size_t hk = 0;
    for (size_t i = 0; i < 3; i++) {
        const char *const *d;
        hk += divisions_children(div, c[i], &d);
    }
    assert_int_equal(hk, 18);
    assert_int_equal(divisions_children(div, "110101001", &c), 0);
    assert_int_equal(divisions_children(div, "98", &c), 0);
    assert_null(c);
}

static void test_paths(void **state)
{
    (void)state;
    char p[256];
    assert_int_equal(divisions_path(div, "110101001", p, sizeof p), KIOSK_OK);
    assert_string_equal(p, "北京市东城区东华门街道");
    assert_int_equal(divisions_path(div, "370102", p, sizeof p), KIOSK_OK);
    assert_string_equal(p, "山东省济南市历下区");
    assert_int_equal(divisions_path(div, "1101", p, sizeof p), KIOSK_OK);
    assert_string_equal(p, "北京市北京市"); /* the row itself is named, not skipped */
    assert_int_equal(divisions_path(div, "500229", p, sizeof p), KIOSK_OK);
    assert_string_equal(p, "重庆市城口县");
    assert_int_equal(divisions_path(div, "429004", p, sizeof p), KIOSK_OK);
    assert_string_equal(p, "湖北省仙桃市");
    assert_int_equal(divisions_path(div, "370102", p, 10), KIOSK_RANGE);
    assert_int_equal(divisions_path(div, "3799", p, sizeof p), KIOSK_NOT_FOUND);
}

static kiosk_rc load_text(const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/divisions-bad.txt", KIOSK_TEST_TMP);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    divisions *d = (divisions *)1;
    kiosk_rc rc = divisions_load(path, &d);
    if (rc == KIOSK_OK)
        divisions_destroy(d);
    else
        assert_null(d);
    return rc;
}

static void test_damaged_assets(void **state)
{
    (void)state;
    divisions *d = (divisions *)1;
    assert_int_equal(divisions_load(KIOSK_TEST_TMP "/no-such-file", &d), KIOSK_NOT_FOUND);
    assert_null(d);
    assert_int_equal(load_text("111\t北京市\n201\t北京市\n301\t东城区\n"), KIOSK_OK);
    assert_int_equal(load_text("111\t北京市\n301\t东城区\n"), KIOSK_CORRUPT); /* no city */
    assert_int_equal(load_text("112\t天津市\n111\t北京市\n"), KIOSK_CORRUPT); /* order */
    assert_int_equal(load_text("111\t北京市\n111\t北京市\n"), KIOSK_CORRUPT); /* repeat */
    assert_int_equal(load_text("11A\t北京市\n"), KIOSK_CORRUPT);
    assert_int_equal(load_text("111 北京市\n"), KIOSK_CORRUPT);
    assert_int_equal(load_text("511\t北京市\n"), KIOSK_CORRUPT);
    assert_int_equal(load_text("# nothing\n"), KIOSK_CORRUPT);
    assert_int_equal(load_text("111\t\n"), KIOSK_CORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_names_and_children),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_damaged_assets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
