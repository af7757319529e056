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

#include "core/kiosk_log.h"
#include "domain/codes.h"

static codes_tables *codes;
static codes_tables *codes_unused;

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
    assert_int_equal(codes_list(codes, CODES_HEALTH, &e), 20);
    assert_string_equal(e[0].code, "10");
    assert_string_equal(e[12].code, "60");
    assert_string_equal(e[19].name[CODES_ZH], "多重残疾");
    assert_int_equal(codes_list(codes, CODES_DISABILITY_GRADE, &e), 4);
    assert_int_equal(codes_list(codes, CODES_REGISTRATION_PLACE, &e), 2);
    assert_int_equal(codes_list(codes, CODES_TABLE_COUNT, &e), 0);
    assert_null(e);
    assert_int_equal(codes_list(NULL, CODES_SEX, &e), 0);
    assert_null(e);
}

/* Every table: codes unique, in ascending order as shipped, names non-empty. */
static void test_tables_are_ordered(void **state)
{
    (void)state;
    for (int t = 0; t < CODES_TABLE_COUNT; t++) {
        const codes_entry *e;
        size_t n = codes_list(codes, (codes_table)t, &e);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            assert_true(strlen(e[i].code) <= CODES_CODE_MAX);
            assert_true(*e[i].name[CODES_ZH] && *e[i].name[CODES_EN]);
            assert_string_equal(codes_name(codes, (codes_table)t, e[i].code, CODES_ZH),
                                e[i].name[CODES_ZH]);
            if (i > 0) {
                size_t a = strlen(e[i - 1].code), b = strlen(e[i].code);
                assert_true(a < b || (a == b && strcmp(e[i - 1].code, e[i].code) < 0));
            }
        }
    }
}

/* The education table is exactly the GB/T 4658-2006 leaf codes of DOMAIN.md §6. */
static void test_education_codes(void **state)
{
    (void)state;
    static const char *const expected[] = {"11", "12", "13", "14", "15", "16", "17", "18", "19",
                                           "21", "22", "23", "28", "31", "32", "33", "41", "42",
                                           "43", "44", "45", "46", "47", "48", "49", "61", "62",
                                           "63", "71", "73", "81", "83", "90"};
    const codes_entry *e;
    size_t n = codes_list(codes, CODES_EDUCATION, &e);
    assert_int_equal(n, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(e[i].code, expected[i]);
    assert_string_equal(codes_name(codes, CODES_EDUCATION, "11", CODES_ZH), "博士研究生毕业");
    assert_string_equal(codes_name(codes, CODES_EDUCATION, "19", CODES_ZH), "研究生班肄业");
    assert_string_equal(codes_name(codes, CODES_EDUCATION, "28", CODES_ZH), "大学普通班毕业");
    assert_string_equal(codes_name(codes, CODES_EDUCATION, "47", CODES_ZH), "技工学校毕业");
    assert_string_equal(codes_name(codes, CODES_EDUCATION, "73", CODES_ZH), "初中肄业");
    assert_string_equal(codes_name(codes, CODES_EDUCATION, "90", CODES_ZH), "其他");
}

/* The commonest education first (初中, 高中, 中专, 大专, 本科), then the rest in code
 * order; a table without a common line lists in file order. */
static void test_common_choices_first(void **state)
{
    (void)state;
    static const char *const first[] = {"71", "61", "41", "31", "21", "11", "12"};
    const codes_entry *e;
    size_t n = codes_choices(codes, CODES_EDUCATION, &e);
    assert_int_equal(n, 33);
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++)
        assert_string_equal(e[i].code, first[i]);
    assert_string_equal(e[n - 1].code, "90");
    const codes_entry *l;
    assert_int_equal(codes_choices(codes, CODES_SEX, &e), codes_list(codes, CODES_SEX, &l));
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(e[i].code, l[i].code);
    assert_int_equal(codes_choices(codes, CODES_TABLE_COUNT, &e), 0);
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
    assert_string_equal(codes_name(codes, CODES_SEX, "2", CODES_ZH), "女性");
    assert_string_equal(codes_name(codes, CODES_SEX, "9", CODES_EN), "Unspecified");
    assert_string_equal(codes_name(codes, CODES_ETHNICITY, "56", CODES_ZH), "基诺族");
    assert_string_equal(codes_name(codes, CODES_ETHNICITY, "23", CODES_ZH), "高山族");
    assert_string_equal(codes_name(codes, CODES_POLITICAL, "01", CODES_ZH), "中国共产党党员");
    assert_string_equal(codes_name(codes, CODES_POLITICAL, "12", CODES_ZH), "无党派民主人士");
    assert_string_equal(codes_name(codes, CODES_HEALTH, "10", CODES_ZH), "健康或良好");
    assert_string_equal(codes_name(codes, CODES_HEALTH, "20", CODES_ZH), "一般或较弱");
    assert_string_equal(codes_name(codes, CODES_HEALTH, "30", CODES_ZH), "有慢性病");
    assert_string_equal(codes_name(codes, CODES_HEALTH, "66", CODES_ZH), "精神残疾");
    assert_string_equal(codes_name(codes, CODES_UNEMPLOYMENT_REASON, "07", CODES_ZH),
                        "终止从事个体工商户");
    assert_string_equal(codes_name(codes, CODES_UNEMPLOYMENT_REASON, "13", CODES_ZH), "其他");
    assert_string_equal(codes_name(codes, CODES_SERVICE, "5", CODES_EN), "Not sure yet");
    assert_string_equal(codes_name(codes, CODES_DOCUMENT_TYPE, "01", CODES_ZH), "居民身份证");
    assert_null(codes_name(codes, CODES_SEX, "1", (codes_lang)2));
    assert_null(codes_name(NULL, CODES_SEX, "1", CODES_ZH));
    assert_int_equal(codes_check(codes, CODES_HEALTH, "40"), KIOSK_UNKNOWN_CODE);
    assert_int_equal(codes_check(codes, CODES_HEALTH, "67"), KIOSK_OK);
    assert_int_equal(codes_check(codes, CODES_DISABILITY_GRADE, "0"), KIOSK_UNKNOWN_CODE);
    assert_int_equal(codes_check(codes, CODES_SEX, ""), KIOSK_UNKNOWN_CODE);
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
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s/codes' '%s'", dir, KIOSK_TEST_ASSETS, dir);
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
    assert_int_equal(load_with("sex.tsv", "# common: 3\n1\t男\tMale\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("sex.tsv", "# common: 1 1\n1\t男\tMale\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("sex.tsv", "# common: 2 1\n1\t男\tMale\n2\t女\tFemale\n"), KIOSK_OK);
    assert_int_equal(load_with("sex.tsv", "1\t\xff\xfe\tMale\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("sex.tsv", "1\t男\tMa\x01le\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("sex.tsv", "123456789\t男\tMale\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("sex.tsv", "1\t\tMale\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("sex.tsv", "1\t男\tMale\textra\n"), KIOSK_CORRUPT);
    assert_int_equal(load_with("political.tsv", ""), KIOSK_CORRUPT);
    assert_int_equal(load_with("service.tsv", NULL), KIOSK_NOT_FOUND);
    assert_int_equal(load_with("sex.tsv", "# ok\r\n1\t男\tMale\r\n2\t女\tFemale"), KIOSK_OK);
    assert_int_equal(codes_load(KIOSK_TEST_TMP "/no-such-dir", &codes_unused), KIOSK_NOT_FOUND);
    assert_null(codes_unused);
}

static char last_log[KIOSK_LOG_LINE_MAX];

static void capture(void *ctx, kiosk_log_level level, const char *module, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)module;
    snprintf(last_log, sizeof last_log, "%s", msg);
}

/* The log names the file and the line of the first bad entry. */
static void test_logged_line_number(void **state)
{
    (void)state;
    kiosk_log_set_sink(capture, NULL);
    last_log[0] = '\0';
    assert_int_equal(load_with("ethnicity.tsv", "# header\n01\t汉族\tHan\n\n02 蒙古族 Mongol\n"),
                     KIOSK_CORRUPT);
    kiosk_log_set_sink(NULL, NULL);
    assert_non_null(strstr(last_log, "ethnicity.tsv:4:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_names_and_unknown_codes),
        cmocka_unit_test(test_tables_are_ordered),
        cmocka_unit_test(test_education_codes),
        cmocka_unit_test(test_common_choices_first),
        cmocka_unit_test(test_broken_tables),
        cmocka_unit_test(test_logged_line_number),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
