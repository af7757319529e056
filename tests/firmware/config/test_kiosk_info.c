/* Tests of the hall's policies, agencies and calendar (assets/info/): the shipped files
 * load and agree across languages, and every malformed line is refused with its number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/kiosk_info.h"

static void test_shipped_files_agree(void **state)
{
    (void)state;
    static const char *const langs[] = {"zh_CN", "en", "zh_Hant"};
    kiosk_info *info[3];
    for (int i = 0; i < 3; i++) {
        int line = -1;
        kiosk_rc rc = kiosk_info_load(KIOSK_TEST_ASSETS "/info", langs[i], &info[i], &line);
        if (rc != KIOSK_OK)
            fail_msg("%s.ini: line %d refused", langs[i], line);
    }
    assert_int_equal(kiosk_info_policy_count(info[0]), 6);
    assert_int_equal(kiosk_info_agency_count(info[0]), 4);
    for (int l = 0; l < KIOSK_INFO_LEVEL_COUNT; l++) /* every level has its agency */
        assert_int_equal(kiosk_info_agency_count_of(info[0], (kiosk_info_level)l), 1);
    /* the same sections in the same order in every language */
    for (int i = 1; i < 3; i++) {
        assert_int_equal(kiosk_info_policy_count(info[i]), kiosk_info_policy_count(info[0]));
        assert_int_equal(kiosk_info_agency_count(info[i]), kiosk_info_agency_count(info[0]));
        for (size_t k = 0; k < kiosk_info_policy_count(info[0]); k++)
            assert_string_equal(kiosk_info_policy_at(info[i], k)->id,
                                kiosk_info_policy_at(info[0], k)->id);
        for (size_t k = 0; k < kiosk_info_agency_count(info[0]); k++) {
            const kiosk_info_agency *a = kiosk_info_agency_at(info[i], k),
                                    *b = kiosk_info_agency_at(info[0], k);
            assert_string_equal(a->id, b->id);
            assert_int_equal(a->level, b->level);
            assert_string_equal(a->phone, b->phone);
        }
    }
    const kiosk_info_policy *p = kiosk_info_policy_at(info[0], 2);
    assert_string_equal(p->id, "service_131");
    assert_non_null(strstr(p->how, "5个工作日"));
    const kiosk_info_agency *a = kiosk_info_agency_of(info[0], KIOSK_INFO_COMMUNITY, 0);
    assert_string_equal(a->id, "community");
    assert_null(kiosk_info_agency_of(info[0], KIOSK_INFO_COMMUNITY, 1));
    assert_null(kiosk_info_policy_at(info[0], 6));
    /* Traditional: converted, not copied */
    assert_non_null(strstr(kiosk_info_policy_at(info[2], 0)->title, "失業登記"));
    assert_string_equal(kiosk_info_level_name(KIOSK_INFO_STREET), "street");
    assert_null(kiosk_info_level_name(KIOSK_INFO_LEVEL_COUNT));
    for (int i = 0; i < 3; i++)
        kiosk_info_destroy(info[i]);
}

static const char *write_tmp(const char *name, const char *text)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/%s-%d.ini", KIOSK_TEST_TMP, name, (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#define GOOD_POLICY "[policy.a]\ntitle = T\nwho = W\nhow = H\n"
#define GOOD_AGENCY "[agency.b]\nlevel = district\nname = N\naddress = A\nphone = 1\nhours = 9-5\n"

static void test_good_file(void **state)
{
    (void)state;
    const char *path =
        write_tmp("info-good", "\xEF\xBB\xBF; a comment\n\n" GOOD_POLICY "# another\n" GOOD_AGENCY
                               "[policy.c_2]\r\ntitle=x\r\nwho =  y \r\nhow = a\\nb\r\n");
    kiosk_info *info;
    int line = -1;
    assert_int_equal(kiosk_info_load_file(path, &info, &line), KIOSK_OK);
    assert_int_equal(line, 0);
    assert_int_equal(kiosk_info_policy_count(info), 2);
    assert_string_equal(kiosk_info_policy_at(info, 1)->id, "c_2");
    assert_string_equal(kiosk_info_policy_at(info, 1)->who, "y");
    assert_string_equal(kiosk_info_policy_at(info, 1)->how, "a\nb");
    assert_int_equal(kiosk_info_agency_at(info, 0)->level, KIOSK_INFO_DISTRICT);
    assert_string_equal(kiosk_info_agency_at(info, 0)->hours, "9-5");
    kiosk_info_destroy(info);
    /* an empty file is an empty list, not an error */
    assert_int_equal(kiosk_info_load_file(write_tmp("info-empty", ""), &info, NULL), KIOSK_OK);
    assert_int_equal(kiosk_info_policy_count(info), 0);
    kiosk_info_destroy(info);
    assert_int_equal(kiosk_info_load_file("/nonexistent/info.ini", &info, &line), KIOSK_NOT_FOUND);
    assert_null(info);
    assert_int_equal(line, 0);
}

/* Each malformed file and the line it must be refused at. */
static void test_every_malformed_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
    } cases[] = {
        {"title = outside\n", 1},                                /* no section yet */
        {GOOD_POLICY "[news.x]\n", 5},                           /* unknown kind */
        {"[policy.]\n", 1},                                      /* empty id */
        {"[policy.A]\n", 1},                                     /* id not lower case */
        {"[policy.a b]\n", 1},                                   /* space in id */
        {"[policy.a\n", 1},                                      /* unclosed */
        {"[policy.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n", 1},      /* id of 32 */
        {GOOD_POLICY GOOD_POLICY, 5},                            /* a section twice */
        {"[policy.a]\ntitle = T\ntitle = U\n", 3},               /* a key twice */
        {"[policy.a]\ntitle = T\nname = N\n", 3},                /* an agency's key */
        {"[policy.a]\ntitle =\n", 2},                            /* empty value */
        {"[policy.a]\ntitle T\n", 2},                            /* no = */
        {"[policy.a]\ntitle = T\nwho = W\n[policy.b]\n", 1},     /* how missing: header */
        {GOOD_POLICY "[policy.b]\ntitle = T\n", 5},              /* …at the end of file */
        {"[agency.b]\nlevel = province\n", 2},                   /* unknown level */
        {GOOD_AGENCY "[agency.c]\nlevel = city\nname = N\n", 7}, /* agency incomplete */
        {"[agency.b]\nlevel = city\nwho = W\n", 3},              /* a policy's key */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiosk_info *info = (kiosk_info *)1;
        int line = -1;
        kiosk_rc rc = kiosk_info_load_file(write_tmp("info-bad", cases[i].text), &info, &line);
        if (rc != KIOSK_CORRUPT || line != cases[i].line)
            fail_msg("case %zu: rc %d line %d, wanted line %d", i, rc, line, cases[i].line);
        assert_null(info);
    }
    /* a line over the INI limit */
    char big[400];
    memset(big, 'x', sizeof big);
    snprintf(big, sizeof big, "[policy.a]\ntitle = %0300d\n", 7);
    kiosk_info *info;
    int line = -1;
    assert_int_equal(kiosk_info_load_file(write_tmp("info-long", big), &info, &line),
                     KIOSK_CORRUPT);
    assert_int_equal(line, 2);
    /* more policies than the list holds */
    char many[4096] = "";
    for (int i = 0; i <= KIOSK_INFO_POLICIES_MAX; i++) {
        size_t n = strlen(many);
        snprintf(many + n, sizeof many - n, "[policy.p%d]\ntitle = T\nwho = W\nhow = H\n", i);
    }
    assert_int_equal(kiosk_info_load_file(write_tmp("info-many", many), &info, &line),
                     KIOSK_CORRUPT);
    assert_int_equal(line, 4 * KIOSK_INFO_POLICIES_MAX + 1);
}

static void test_calendar(void **state)
{
    (void)state;
    kiosk_info_calendar cal;
    int line = -1;
    assert_int_equal(kiosk_info_calendar_load(KIOSK_TEST_ASSETS "/info/calendar.ini", &cal, &line),
                     KIOSK_OK);
    assert_true(cal.cal.nholidays >= 1); /* 元旦 2027 */
    const char *path = write_tmp("cal", "; c\n[holidays]\n2027-01-01 = 元旦\n2026-10-01=国庆\n"
                                        "[workdays]\n2026-09-27 = 调休\n");
    assert_int_equal(kiosk_info_calendar_load(path, &cal, &line), KIOSK_OK);
    assert_int_equal(cal.cal.nholidays, 2);
    assert_int_equal(cal.cal.nworkdays, 1);
    assert_int_equal(cal.cal.workdays[0].day, 27);
    assert_false(kiosk_date_is_working_day((kiosk_date){2026, 10, 1}, &cal.cal)); /* Thursday */
    assert_true(kiosk_date_is_working_day((kiosk_date){2026, 9, 27}, &cal.cal));  /* Sunday */
    assert_true(kiosk_date_is_working_day((kiosk_date){2026, 10, 2}, &cal.cal));
    static const struct {
        const char *text;
        int line;
    } bad[] = {
        {"2027-01-01 = x\n", 1},                                         /* outside a section */
        {"[holidays]\n20270101 = x\n", 2},                               /* not YYYY-MM-DD */
        {"[holidays]\n2027-02-30 = x\n", 2},                             /* no such day */
        {"[holidays]\n2027-01-01 =\n", 2},                               /* no name */
        {"[holidays]\n2027-01-01 = a\n2027-01-01 = b\n", 3},             /* twice */
        {"[holidays]\n2027-01-01 = a\n[workdays]\n2027-01-01 = b\n", 4}, /* both */
        {"[spring]\n", 1},                                               /* unknown section */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kiosk_rc rc = kiosk_info_calendar_load(write_tmp("cal-bad", bad[i].text), &cal, &line);
        if (rc != KIOSK_CORRUPT || line != bad[i].line)
            fail_msg("case %zu: rc %d line %d, wanted line %d", i, rc, line, bad[i].line);
    }
    assert_int_equal(kiosk_info_calendar_load("/nonexistent", &cal, &line), KIOSK_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_files_agree),
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_every_malformed_line),
        cmocka_unit_test(test_calendar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
