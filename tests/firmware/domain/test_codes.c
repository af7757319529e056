/* Tests of the code tables as shipped, and of broken table files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "domain/codes.h"

static codes_tables *codes;

static int setup(void **state)
{
    (void)state;
    return codes_load(KIOSK_TEST_ASSETS "/codes", &codes) == KIOSK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    codes_destroy(codes);
    return 0;
}

static void test_counts(void **state)
{
    (void)state;
    const codes_entry *e;
    assert_int_equal(codes_list(codes, CODES_SEX, &e), 4);
    assert_int_equal(codes_list(codes, CODES_ETHNICITY, &e), 56);
    assert_string_equal(e[0].code, "01");
    assert_string_equal(e[55].name[CODES_ZH], "基诺族");
    assert_int_equal(codes_list(codes, CODES_POLITICAL, &e), 13);
    assert_int_equal(codes_list(codes, CODES_EDUCATION, &e), 33);
    assert_int_equal(codes_list(codes, CODES_UNEMPLOYMENT_REASON, &e), 13);
    assert_int_equal(codes_list(codes, CODES_SERVICE, &e), 6);
    assert_int_equal(codes_list(codes, CODES_DOCUMENT_TYPE, &e), 7);
    assert_int_equal(codes_list(codes, CODES_TABLE_COUNT, &e), 0);
    assert_null(e);
}

static void test_names_and_unknown_codes(void **state)
{
    (void)state;
    assert_string_equal(codes_name(codes, CODES_ETHNICITY, "01", CODES_ZH), "汉族");
    assert_string_equal(codes_name(codes, CODES_ETHNICITY, "05", CODES_EN), "Uyghur");
    assert_string_equal(codes_name(codes, CODES_POLITICAL, "13", CODES_ZH), "群众");
    assert_string_equal(codes_name(codes, CODES_EDUCATION, "21", CODES_ZH), "大学本科毕业");
    assert_string_equal(codes_name(codes, CODES_HEALTH, "64", CODES_ZH), "肢体残疾");
    assert_string_equal(codes_name(codes, CODES_SEX, "2", CODES_ZH), "女");
    assert_int_equal(codes_check(codes, CODES_ETHNICITY, "57"), KIOSK_UNKNOWN_CODE);
    assert_int_equal(codes_check(codes, CODES_ETHNICITY, "1"), KIOSK_UNKNOWN_CODE);
    assert_int_equal(codes_check(codes, CODES_EDUCATION, "20"), KIOSK_UNKNOWN_CODE);
    assert_int_equal(codes_check(codes, CODES_EDUCATION, NULL), KIOSK_UNKNOWN_CODE);
    assert_int_equal(codes_check(codes, (codes_table)99, "01"), KIOSK_UNKNOWN_CODE);
    assert_null(codes_name(codes, CODES_SEX, "3", CODES_ZH));
    assert_int_equal(codes_check(codes, CODES_UNEMPLOYMENT_REASON, "13"), KIOSK_OK);
}

/* A copy of the tables with one file replaced. */
static kiosk_rc load_with(const char *file, const char *content)
{
    char dir[512], cmd[1200];
    snprintf(dir, sizeof dir, "%s/codes-broken", KIOSK_TEST_TMP);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s/codes' '%s'", dir, KIOSK_TEST_ASSETS,
             dir);
    assert_int_equal(system(cmd), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (content) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
    } else {
        remove(path);
    }
    codes_tables *t = (codes_tables *)1;
    kiosk_rc rc = codes_load(dir, &t);
    if (rc == KIOSK_OK)
        codes_destroy(t);
    else
        assert_null(t);
    return rc;
}

static void test_broken_tables(void **state)
{
    (void)state;
    assert_int_equal(load_with("sex.tsv", NULL), KIOSK_NOT_FOUND);
    assert_int_equal(load_with("sex.tsv", "1\t男\n"), KIOSK_CORRUPT); /* no English */
    assert_int_equal(load_with("sex.tsv", "1\t男\tMale\n1\t女\tFemale\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("sex.tsv", "A\t男\tMale\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("sex.tsv", "# only a comment\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("sex.tsv", "1\t\xff\xfe\tMale\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("sex.tsv", "# ok\r\n1\t男\tMale\r\n2\t女\tFemale"), KIOSK_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_names_and_unknown_codes),
        cmocka_unit_test(test_broken_tables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
