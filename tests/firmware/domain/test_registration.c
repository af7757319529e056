/* Tests of the registration record: setters and their caps, the form's rules against the
 * shipped code tables and divisions, and the canonical JSON byte for byte both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/registration.h"

static codes_tables *codes;
static divisions *divs;
static const kiosk_date TODAY = {2026, 3, 15};

static int setup(void **state)
{
    (void)state;
    if (codes_load(KIOSK_TEST_ASSETS "/codes", &codes) != KIOSK_OK)
        return -1;
    return divisions_load(KIOSK_TEST_ASSETS "/divisions/divisions.txt", &divs) == KIOSK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    codes_destroy(codes);
    divisions_destroy(divs);
    return 0;
}

static void set(registration *r, registration_field f, const char *v)
{
    assert_int_equal(registration_set_text(r, f, v), KIOSK_OK);
}

/* A complete, valid record of a made-up person (the ID number is synthetic). Nothing
 * locked, so tests can change any field. */
static void fixture(registration *r)
{
    registration_init(r);
    set(r, REGISTRATION_NAME, "李四");
    set(r, REGISTRATION_SEX, "1");
    set(r, REGISTRATION_ETHNICITY, "01");
    set(r, REGISTRATION_POLITICAL, "13");
    set(r, REGISTRATION_EDUCATION, "21");
    set(r, REGISTRATION_HEALTH, "10");
    assert_int_equal(registration_set_birth_date(r, (kiosk_date){1990, 3, 7}), KIOSK_OK);
    assert_int_equal(registration_set_unemployed_since(r, 2025, 12), KIOSK_OK);
    set(r, REGISTRATION_DOCUMENT_TYPE, "01");
    set(r, REGISTRATION_DOCUMENT_NUMBER, "370102199003071238");
    set(r, REGISTRATION_HOUSEHOLD_DIVISION, "370102001");
    set(r, REGISTRATION_HOUSEHOLD_DETAIL, "泉城路100号");
    set(r, REGISTRATION_RESIDENCE_DIVISION, "110105004");
    set(r, REGISTRATION_RESIDENCE_DETAIL, "三里屯路1号院2单元301室");
    set(r, REGISTRATION_QUALIFICATION_1, "电工");
    set(r, REGISTRATION_QUALIFICATION_1_LEVEL, "四级/中级工");
    set(r, REGISTRATION_MOBILE, "13800138000");
    set(r, REGISTRATION_LANDLINE, "0531-88886666");
    set(r, REGISTRATION_EMAIL, "li.si@example.com");
    set(r, REGISTRATION_PLACE, "2");
    set(r, REGISTRATION_REASON, "02");
    assert_int_equal(registration_set_claims_insurance(r, REGISTRATION_YES), KIOSK_OK);
    set(r, REGISTRATION_JOB_INTENTION_1, "电工");
    set(r, REGISTRATION_JOB_INTENTION_2, "仓库管理");
    set(r, REGISTRATION_REMARKS, "希望在历下区就业\n不上\"夜班\"");
    assert_int_equal(registration_add_service(r, "2"), KIOSK_OK);
    assert_int_equal(registration_add_service(r, "1"), KIOSK_OK);
}

static void lock_card_fields(registration *r)
{
    static const registration_field card[] = {
        REGISTRATION_NAME,       REGISTRATION_SEX,           REGISTRATION_ETHNICITY,
        REGISTRATION_BIRTH_DATE, REGISTRATION_DOCUMENT_TYPE, REGISTRATION_DOCUMENT_NUMBER,
    };
    for (size_t i = 0; i < sizeof card / sizeof card[0]; i++)
        assert_int_equal(registration_lock(r, card[i]), KIOSK_OK);
}

static const char FIXTURE_JSON[] =
    "{\"schema\":1,\"type\":\"registration\",\"name\":\"李四\",\"sex\":\"1\",\"ethnicity\":\"01\","
    "\"political\":\"13\","
    "\"education\":\"21\",\"health\":\"10\",\"disability_grade\":\"\","
    "\"birth_date\":\"1990-03-07\",\"unemployed_since\":\"2025-12\",\"document_type\":\"01\","
    "\"document_number\":\"370102199003071238\","
    "\"household\":{\"division\":\"370102001\",\"detail\":\"泉城路100号\"},"
    "\"residence\":{\"division\":\"110105004\",\"detail\":\"三里屯路1号院2单元301室\"},"
    "\"qualifications\":[{\"name\":\"电工\",\"level\":\"四级/中级工\"},"
    "{\"name\":\"\",\"level\":\"\"},{\"name\":\"\",\"level\":\"\"}],"
    "\"mobile\":\"13800138000\",\"landline\":\"0531-88886666\","
    "\"email\":\"li.si@example.com\",\"other_contact\":\"\",\"registration_place\":\"2\","
    "\"reason\":\"02\",\"reason_other\":\"\",\"claims_insurance\":\"yes\","
    "\"job_intention_1\":\"电工\",\"job_intention_2\":\"仓库管理\","
    "\"remarks\":\"希望在历下区就业\\n不上\\\"夜班\\\"\",\"services\":[\"1\",\"2\"],"
    "\"from_card\":[\"name\",\"sex\",\"ethnicity\",\"birth_date\",\"document_type\","
    "\"document_number\"]}";

static size_t validate(const registration *r, registration_issue *out, size_t max)
{
    size_t n = 99;
    kiosk_rc rc = registration_validate(r, codes, divs, TODAY, out, max, &n);
    assert_int_equal(rc, n ? KIOSK_INVALID : KIOSK_OK);
    return n;
}

/* Exactly one issue, on field f, of error e, with the given key. */
static void expect_one(const registration *r, registration_field f, registration_error e,
                       const char *key)
{
    registration_issue is[8];
    size_t n = validate(r, is, 8);
    if (n != 1) {
        for (size_t i = 0; i < n && i < 8; i++)
            print_message("issue: %s\n", is[i].key);
    }
    assert_int_equal(n, 1);
    assert_int_equal(is[0].field, f);
    assert_int_equal(is[0].error, e);
    assert_string_equal(is[0].key, key);
}

static void expect_clean(const registration *r)
{
    registration_issue is[8];
    size_t n = validate(r, is, 8);
    if (n)
        print_message("unexpected issue: %s\n", is[0].key);
    assert_int_equal(n, 0);
}

static void test_valid_record(void **state)
{
    (void)state;
    registration r;
    fixture(&r);
    expect_clean(&r);
    lock_card_fields(&r);
    expect_clean(&r);

    /* optional fields may all be empty */
    fixture(&r);
    const registration_field optional[] = {
        REGISTRATION_POLITICAL, REGISTRATION_QUALIFICATION_1, REGISTRATION_QUALIFICATION_1_LEVEL,
        REGISTRATION_LANDLINE,  REGISTRATION_EMAIL,           REGISTRATION_OTHER_CONTACT,
        REGISTRATION_PLACE,     REGISTRATION_JOB_INTENTION_1, REGISTRATION_JOB_INTENTION_2,
        REGISTRATION_REMARKS,
    };
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
        set(&r, optional[i], "");
    assert_int_equal(registration_set_services(&r, NULL, 0), KIOSK_OK);
    expect_clean(&r);

    /* NULL errors with max 0 still counts */
    size_t n = 99;
    set(&r, REGISTRATION_MOBILE, "");
    set(&r, REGISTRATION_NAME, "");
    assert_int_equal(registration_validate(&r, codes, divs, TODAY, NULL, 0, &n), KIOSK_INVALID);
    assert_int_equal(n, 2);
    /* a bad "today" or a missing table: nothing checked */
    assert_int_equal(registration_validate(&r, codes, divs, (kiosk_date){2026, 2, 30}, NULL, 0, &n),
                     KIOSK_RANGE);
    assert_int_equal(n, 0);
    assert_int_equal(registration_validate(&r, codes, NULL, TODAY, NULL, 0, &n), KIOSK_RANGE);
}

static void test_each_required_field(void **state)
{
    (void)state;
    static const registration_field text[] = {
        REGISTRATION_NAME,
        REGISTRATION_SEX,
        REGISTRATION_ETHNICITY,
        REGISTRATION_EDUCATION,
        REGISTRATION_HEALTH,
        REGISTRATION_DOCUMENT_TYPE,
        REGISTRATION_DOCUMENT_NUMBER,
        REGISTRATION_HOUSEHOLD_DIVISION,
        REGISTRATION_HOUSEHOLD_DETAIL,
        REGISTRATION_RESIDENCE_DIVISION,
        REGISTRATION_RESIDENCE_DETAIL,
        REGISTRATION_MOBILE,
        REGISTRATION_REASON,
    };
    registration r;
    char key[REGISTRATION_KEY_MAX];
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        fixture(&r);
        set(&r, text[i], "");
        snprintf(key, sizeof key, "form.error.%s_required", registration_field_key(text[i]));
        expect_one(&r, text[i], REGISTRATION_ERR_REQUIRED, key);
    }
    fixture(&r);
    assert_int_equal(registration_set_birth_date(&r, (kiosk_date){0, 0, 0}), KIOSK_OK);
    expect_one(&r, REGISTRATION_BIRTH_DATE, REGISTRATION_ERR_REQUIRED,
               "form.error.birth_date_required");
    fixture(&r);
    assert_int_equal(registration_set_unemployed_since(&r, 0, 0), KIOSK_OK);
    expect_one(&r, REGISTRATION_UNEMPLOYED_SINCE, REGISTRATION_ERR_REQUIRED,
               "form.error.unemployed_since_required");
    fixture(&r);
    assert_int_equal(registration_set_claims_insurance(&r, REGISTRATION_UNSET), KIOSK_OK);
    expect_one(&r, REGISTRATION_CLAIMS_INSURANCE, REGISTRATION_ERR_REQUIRED,
               "form.error.claims_insurance_required");

    /* blanks only count as missing, ideographic space included */
    fixture(&r);
    set(&r, REGISTRATION_NAME, " \xE3\x80\x80 ");
    expect_one(&r, REGISTRATION_NAME, REGISTRATION_ERR_REQUIRED, "form.error.name_required");

    /* claims "no" is an answer */
    fixture(&r);
    assert_int_equal(registration_set_claims_insurance(&r, REGISTRATION_NO), KIOSK_OK);
    expect_clean(&r);
}

static void test_conditional_fields(void **state)
{
    (void)state;
    registration r;
    fixture(&r);
    set(&r, REGISTRATION_HEALTH, "64");
    expect_one(&r, REGISTRATION_DISABILITY_GRADE, REGISTRATION_ERR_REQUIRED,
               "form.error.disability_grade_required");
    set(&r, REGISTRATION_DISABILITY_GRADE, "3");
    expect_clean(&r);
    set(&r, REGISTRATION_DISABILITY_GRADE, "5");
    expect_one(&r, REGISTRATION_DISABILITY_GRADE, REGISTRATION_ERR_UNKNOWN_CODE,
               "form.error.disability_grade_unknown_code");
    set(&r, REGISTRATION_DISABILITY_GRADE, "2");
    set(&r, REGISTRATION_HEALTH, "30");
    expect_one(&r, REGISTRATION_DISABILITY_GRADE, REGISTRATION_ERR_NOT_APPLICABLE,
               "form.error.disability_grade_not_applicable");

    fixture(&r);
    set(&r, REGISTRATION_REASON, REGISTRATION_REASON_OTHER);
    expect_one(&r, REGISTRATION_REASON_OTHER_TEXT, REGISTRATION_ERR_REQUIRED,
               "form.error.reason_other_required");
    set(&r, REGISTRATION_REASON_OTHER_TEXT, "合同到期未续签");
    expect_clean(&r);
    set(&r, REGISTRATION_REASON, "05");
    expect_one(&r, REGISTRATION_REASON_OTHER_TEXT, REGISTRATION_ERR_NOT_APPLICABLE,
               "form.error.reason_other_not_applicable");

    fixture(&r);
    set(&r, REGISTRATION_QUALIFICATION_1, "");
    expect_one(&r, REGISTRATION_QUALIFICATION_1, REGISTRATION_ERR_REQUIRED,
               "form.error.qualification_1_required");
    set(&r, REGISTRATION_QUALIFICATION_1_LEVEL, "");
    set(&r, REGISTRATION_QUALIFICATION_3, "会计");
    expect_clean(&r);
}

static void test_unknown_codes(void **state)
{
    (void)state;
    static const struct {
        registration_field field;
        const char *code;
        const char *key;
    } cases[] = {
        {REGISTRATION_SEX, "3", "form.error.sex_unknown_code"},
        {REGISTRATION_ETHNICITY, "57", "form.error.ethnicity_unknown_code"},
        {REGISTRATION_ETHNICITY, "1", "form.error.ethnicity_unknown_code"},
        {REGISTRATION_POLITICAL, "14", "form.error.political_unknown_code"},
        {REGISTRATION_EDUCATION, "20", "form.error.education_unknown_code"},
        {REGISTRATION_HEALTH, "50", "form.error.health_unknown_code"},
        {REGISTRATION_DOCUMENT_TYPE, "08", "form.error.document_type_unknown_code"},
        {REGISTRATION_PLACE, "3", "form.error.registration_place_unknown_code"},
        {REGISTRATION_REASON, "14", "form.error.reason_unknown_code"},
    };
    registration r;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture(&r);
        set(&r, cases[i].field, cases[i].code);
        expect_one(&r, cases[i].field, REGISTRATION_ERR_UNKNOWN_CODE, cases[i].key);
    }
    fixture(&r);
    assert_int_equal(registration_add_service(&r, "7"), KIOSK_OK);
    expect_one(&r, REGISTRATION_SERVICES, REGISTRATION_ERR_UNKNOWN_CODE,
               "form.error.services_unknown_code");
}

static void test_mobile(void **state)
{
    (void)state;
    static const char *const good[] = {"13800138000", "19912345678", "15000000000", "17012345678"};
    static const char *const bad[] = {
        "1380013800",  "138001380001",  "12800138000",    "10800138000",   "23800138000",
        "1380013800a", "138 0013 8000", "+8613800138000", "138-0013-8000", "１３８００１３８０００",
    };
    registration r;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        fixture(&r);
        set(&r, REGISTRATION_MOBILE, good[i]);
        expect_clean(&r);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fixture(&r);
        kiosk_rc rc = registration_set_text(&r, REGISTRATION_MOBILE, bad[i]);
        if (rc == KIOSK_RANGE) /* the full-width digits: 33 bytes */
            continue;
        assert_int_equal(rc, KIOSK_OK);
        expect_one(&r, REGISTRATION_MOBILE, REGISTRATION_ERR_FORMAT, "form.error.mobile_format");
    }
}

static void test_landline(void **state)
{
    (void)state;
    static const char *const good[] = {
        "0531-88886666", "010-12345678",      "01012345678",    "053188886666",  "0531-8888666",
        "021-61234567",  "0531-88886666-123", "010-12345678-1", "0898-66778899", "0571-8765432",
    };
    static const char *const bad[] = {
        "88886666",       "0531-08886666",  "0531-888866",
        "0531-888866667", "011-12345678",   "0031-88886666",
        "0531--88886666", "0531-88886666-", "0531-88886666-1234567",
        "(0531)88886666", "0531 88886666",  "13800138000",
        "0531-8888666x",  "0531",           "010-1234567-",
    };
    registration r;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        fixture(&r);
        set(&r, REGISTRATION_LANDLINE, good[i]);
        expect_clean(&r);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fixture(&r);
        set(&r, REGISTRATION_LANDLINE, bad[i]);
        expect_one(&r, REGISTRATION_LANDLINE, REGISTRATION_ERR_FORMAT,
                   "form.error.landline_format");
    }
}

static void test_email(void **state)
{
    (void)state;
    static const char *const good[] = {
        "a@b.cn",
        "first.last+tag@mail.example.org",
        "x_y@sub-domain.example.com",
        "LI.SI@EXAMPLE.COM",
        "123456@qq.com",
    };
    static const char *const bad[] = {
        "li.si",
        "@example.com",
        "li@",
        "li@example",
        "li..si@example.com",
        ".li@example.com",
        "li.@example.com",
        "li@-example.com",
        "li@example-.com",
        "li@example.c",
        "li@exa_mple.com",
        "li si@example.com",
        "李四@example.com",
        "li@@example.com",
        "li@example.com.",
        "li@example..com",
        "li@例子.cn",
        "li@example.c0m",
        "li@.example.com",
    };
    registration r;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        fixture(&r);
        set(&r, REGISTRATION_EMAIL, good[i]);
        expect_clean(&r);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fixture(&r);
        set(&r, REGISTRATION_EMAIL, bad[i]);
        expect_one(&r, REGISTRATION_EMAIL, REGISTRATION_ERR_FORMAT, "form.error.email_format");
    }
    /* a 65-character local part is too long for SMTP */
    char local[80];
    memset(local, 'a', 65);
    strcpy(local + 65, "@example.com");
    fixture(&r);
    set(&r, REGISTRATION_EMAIL, local);
    expect_one(&r, REGISTRATION_EMAIL, REGISTRATION_ERR_FORMAT, "form.error.email_format");
    strcpy(local + 64, "@example.com");
    set(&r, REGISTRATION_EMAIL, local);
    expect_clean(&r);
}

static void test_dates(void **state)
{
    (void)state;
    registration r;
    /* 失业时间: this month is fine, next month is the future */
    fixture(&r);
    assert_int_equal(registration_set_unemployed_since(&r, 2026, 3), KIOSK_OK);
    expect_clean(&r);
    assert_int_equal(registration_set_unemployed_since(&r, 2026, 4), KIOSK_OK);
    expect_one(&r, REGISTRATION_UNEMPLOYED_SINCE, REGISTRATION_ERR_IN_FUTURE,
               "form.error.unemployed_since_in_future");
    assert_int_equal(registration_set_unemployed_since(&r, 2027, 1), KIOSK_OK);
    expect_one(&r, REGISTRATION_UNEMPLOYED_SINCE, REGISTRATION_ERR_IN_FUTURE,
               "form.error.unemployed_since_in_future");

    /* born 1990-03-07: the 16th birthday is in March 2006 */
    assert_int_equal(registration_set_unemployed_since(&r, 2006, 3), KIOSK_OK);
    expect_clean(&r);
    assert_int_equal(registration_set_unemployed_since(&r, 2006, 2), KIOSK_OK);
    expect_one(&r, REGISTRATION_UNEMPLOYED_SINCE, REGISTRATION_ERR_BEFORE_16TH_BIRTHDAY,
               "form.error.unemployed_since_before_16th_birthday");
    assert_int_equal(registration_set_unemployed_since(&r, 2005, 12), KIOSK_OK);
    expect_one(&r, REGISTRATION_UNEMPLOYED_SINCE, REGISTRATION_ERR_BEFORE_16TH_BIRTHDAY,
               "form.error.unemployed_since_before_16th_birthday");

    /* a birth date after today (a travel permit carries none to compare with) */
    fixture(&r);
    set(&r, REGISTRATION_DOCUMENT_TYPE, "03");
    set(&r, REGISTRATION_DOCUMENT_NUMBER, "H12345678");
    expect_clean(&r);
    assert_int_equal(registration_set_birth_date(&r, (kiosk_date){2026, 3, 16}), KIOSK_OK);
    expect_one(&r, REGISTRATION_BIRTH_DATE, REGISTRATION_ERR_IN_FUTURE,
               "form.error.birth_date_in_future");
    assert_int_equal(registration_set_birth_date(&r, (kiosk_date){2026, 3, 15}), KIOSK_OK);
    expect_one(&r, REGISTRATION_UNEMPLOYED_SINCE, REGISTRATION_ERR_BEFORE_16TH_BIRTHDAY,
               "form.error.unemployed_since_before_16th_birthday");

    /* setters refuse unreal dates and months and leave the value alone */
    fixture(&r);
    assert_int_equal(registration_set_birth_date(&r, (kiosk_date){1990, 2, 29}), KIOSK_INVALID);
    assert_int_equal(registration_set_unemployed_since(&r, 2025, 13), KIOSK_INVALID);
    assert_int_equal(registration_set_unemployed_since(&r, 2025, 0), KIOSK_INVALID);
    assert_int_equal(registration_set_unemployed_since(&r, 1899, 12), KIOSK_INVALID);
    assert_int_equal(r.birth_date.day, 7);
    assert_int_equal(r.unemployed_since.month, 12);
    /* written by hand: FORMAT */
    r.unemployed_since.month = 13;
    expect_one(&r, REGISTRATION_UNEMPLOYED_SINCE, REGISTRATION_ERR_FORMAT,
               "form.error.unemployed_since_format");
}

static void test_document_numbers(void **state)
{
    (void)state;
    registration r;
    /* the ID number says male, born 1990-03-07 */
    fixture(&r);
    set(&r, REGISTRATION_SEX, "2");
    expect_one(&r, REGISTRATION_SEX, REGISTRATION_ERR_MISMATCH, "form.error.sex_mismatch");
    set(&r, REGISTRATION_SEX, "9");
    expect_one(&r, REGISTRATION_SEX, REGISTRATION_ERR_MISMATCH, "form.error.sex_mismatch");
    fixture(&r);
    assert_int_equal(registration_set_birth_date(&r, (kiosk_date){1990, 3, 8}), KIOSK_OK);
    expect_one(&r, REGISTRATION_BIRTH_DATE, REGISTRATION_ERR_MISMATCH,
               "form.error.birth_date_mismatch");
    /* both at once: two issues, in field order */
    set(&r, REGISTRATION_SEX, "2");
    registration_issue is[4];
    assert_int_equal(validate(&r, is, 4), 2);
    assert_string_equal(is[0].key, "form.error.sex_mismatch");
    assert_string_equal(is[1].key, "form.error.birth_date_mismatch");
    /* only the first max are written, all are counted */
    assert_int_equal(validate(&r, is, 1), 2);
    assert_string_equal(is[0].key, "form.error.sex_mismatch");

    static const struct {
        const char *type, *number;
        int ok;
    } cases[] = {
        {"01", "370102199003071238", 1},
        {"01", "370102199003071239", 0}, /* check character */
        {"01", "37010219900307123", 0},
        {"01", "370102900307123", 0},    /* 15 digits are no longer issued */
        {"01", "810000199003071237", 0}, /* a residence permit is not an ID card */
        {"02", "370102199003071238", 1},
        {"02", "810000199003071237", 1},
        {"05", "810000199003071237", 1},
        {"05", "370102199003071238", 0},
        {"03", "H12345678", 1},
        {"03", "M1234567801", 1},
        {"03", "h12345678", 1}, /* stored upper case */
        {"03", "H1234567", 0},
        {"03", "12345678", 0},
        {"04", "12345678", 1},
        {"04", "H12345678", 0},
        {"06", "USA330000000000", 1},
        {"07", "E12345678", 1},
        {"07", "E123", 0},
        {"07", "E1234-5678", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture(&r);
        set(&r, REGISTRATION_DOCUMENT_TYPE, cases[i].type);
        set(&r, REGISTRATION_DOCUMENT_NUMBER, cases[i].number);
        if (cases[i].ok)
            expect_clean(&r);
        else
            expect_one(&r, REGISTRATION_DOCUMENT_NUMBER, REGISTRATION_ERR_FORMAT,
                       "form.error.document_number_format");
    }
    fixture(&r);
    set(&r, REGISTRATION_DOCUMENT_NUMBER, "11010519491231002x");
    assert_string_equal(r.document_number, "11010519491231002X");
    /* that one is a woman born 1949-12-31 */
    assert_int_equal(registration_set_birth_date(&r, (kiosk_date){1949, 12, 31}), KIOSK_OK);
    expect_one(&r, REGISTRATION_SEX, REGISTRATION_ERR_MISMATCH, "form.error.sex_mismatch");
    /* an unknown document type: the number is not judged */
    set(&r, REGISTRATION_DOCUMENT_TYPE, "99");
    expect_one(&r, REGISTRATION_DOCUMENT_TYPE, REGISTRATION_ERR_UNKNOWN_CODE,
               "form.error.document_type_unknown_code");
}

static void test_divisions(void **state)
{
    (void)state;
    registration r;
    static const struct {
        registration_field field;
        const char *code;
        registration_error error;
        const char *key;
    } cases[] = {
        {REGISTRATION_HOUSEHOLD_DIVISION, "370199", REGISTRATION_ERR_UNKNOWN_CODE,
         "form.error.household_division_unknown_code"},
        {REGISTRATION_HOUSEHOLD_DIVISION, "370102999", REGISTRATION_ERR_UNKNOWN_CODE,
         "form.error.household_division_unknown_code"},
        {REGISTRATION_RESIDENCE_DIVISION, "3701", REGISTRATION_ERR_FORMAT,
         "form.error.residence_division_format"},
        {REGISTRATION_RESIDENCE_DIVISION, "37", REGISTRATION_ERR_FORMAT,
         "form.error.residence_division_format"},
        {REGISTRATION_RESIDENCE_DIVISION, "3701020", REGISTRATION_ERR_FORMAT,
         "form.error.residence_division_format"},
        {REGISTRATION_RESIDENCE_DIVISION, "3701020010", REGISTRATION_ERR_FORMAT,
         "form.error.residence_division_format"},
        {REGISTRATION_RESIDENCE_DIVISION, "370102001999", REGISTRATION_ERR_UNKNOWN_CODE,
         "form.error.residence_division_unknown_code"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture(&r);
        set(&r, cases[i].field, cases[i].code);
        expect_one(&r, cases[i].field, cases[i].error, cases[i].key);
    }
    /* county level is enough */
    fixture(&r);
    set(&r, REGISTRATION_HOUSEHOLD_DIVISION, "370102");
    set(&r, REGISTRATION_RESIDENCE_DIVISION, "440304");
    expect_clean(&r);
    /* so is a community or village, where the division data has them */
    set(&r, REGISTRATION_RESIDENCE_DIVISION, "370102001001");
    expect_clean(&r);
    assert_int_equal(registration_set_text(&r, REGISTRATION_HOUSEHOLD_DIVISION, "37010200A"),
                     KIOSK_INVALID);
    assert_int_equal(registration_set_text(&r, REGISTRATION_HOUSEHOLD_DIVISION, "3701020010011"),
                     KIOSK_RANGE);
    assert_string_equal(r.household.division, "370102");
}

/* n copies of a three-byte character. */
static void cjk(char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        memcpy(buf + 3 * i, "张", 3);
    buf[3 * n] = '\0';
}

static void test_setters_and_caps(void **state)
{
    (void)state;
    registration r;
    char buf[2048];
    fixture(&r);

    /* 50 characters fit, 51 are TOO_LONG, 67 (201 bytes) exceed the 200-byte cap */
    cjk(buf, 50);
    set(&r, REGISTRATION_NAME, buf);
    expect_clean(&r);
    cjk(buf, 51);
    set(&r, REGISTRATION_NAME, buf);
    expect_one(&r, REGISTRATION_NAME, REGISTRATION_ERR_TOO_LONG, "form.error.name_too_long");
    cjk(buf, 67);
    assert_int_equal(registration_set_text(&r, REGISTRATION_NAME, buf), KIOSK_RANGE);
    assert_int_equal(strlen(r.name), 51 * 3); /* unchanged */
    cjk(buf, 66);
    buf[198] = 'a';
    buf[199] = 'b';
    buf[200] = '\0';
    assert_int_equal(registration_set_text(&r, REGISTRATION_NAME, buf), KIOSK_OK);

    cjk(buf, REGISTRATION_REMARKS_CHARS + 1);
    set(&r, REGISTRATION_REMARKS, buf);
    set(&r, REGISTRATION_NAME, "李四");
    expect_one(&r, REGISTRATION_REMARKS, REGISTRATION_ERR_TOO_LONG, "form.error.remarks_too_long");

    /* UTF-8 and control characters */
    assert_int_equal(registration_set_text(&r, REGISTRATION_NAME, "\xE6\x9D"), KIOSK_INVALID);
    assert_int_equal(registration_set_text(&r, REGISTRATION_NAME, "\xC0\xAF"), KIOSK_INVALID);
    assert_int_equal(registration_set_text(&r, REGISTRATION_NAME, "李\t四"), KIOSK_INVALID);
    assert_int_equal(registration_set_text(&r, REGISTRATION_NAME, "李\n四"), KIOSK_INVALID);
    assert_int_equal(registration_set_text(&r, REGISTRATION_REMARKS, "a\nb"), KIOSK_OK);
    assert_int_equal(registration_set_text(&r, REGISTRATION_REMARKS, "a\rb"), KIOSK_INVALID);
    assert_string_equal(r.name, "李四");
    /* names: letters of any script and '·', no digits or symbols */
    set(&r, REGISTRATION_NAME, "阿依古丽·买买提");
    set(&r, REGISTRATION_REMARKS, "");
    expect_clean(&r);
    set(&r, REGISTRATION_NAME, "李四2");
    expect_one(&r, REGISTRATION_NAME, REGISTRATION_ERR_FORMAT, "form.error.name_format");
    set(&r, REGISTRATION_NAME, "李四");

    /* codes are digits */
    assert_int_equal(registration_set_text(&r, REGISTRATION_SEX, "M"), KIOSK_INVALID);
    assert_int_equal(registration_set_text(&r, REGISTRATION_SEX, "123456789"), KIOSK_RANGE);
    assert_int_equal(registration_set_text(&r, REGISTRATION_DOCUMENT_NUMBER, "H 1234"),
                     KIOSK_INVALID);
    /* fields without a text setter */
    assert_int_equal(registration_set_text(&r, REGISTRATION_BIRTH_DATE, "1990-03-07"),
                     KIOSK_INVALID);
    assert_int_equal(registration_set_text(&r, REGISTRATION_SERVICES, "1"), KIOSK_INVALID);
    assert_int_equal(registration_set_text(&r, REGISTRATION_FIELD_COUNT, "1"), KIOSK_INVALID);
    assert_null(registration_get_text(&r, REGISTRATION_CLAIMS_INSURANCE));
    assert_string_equal(registration_get_text(&r, REGISTRATION_RESIDENCE_DETAIL),
                        "三里屯路1号院2单元301室");
    assert_int_equal(registration_set_claims_insurance(&r, (registration_yesno)3), KIOSK_INVALID);

    /* locked fields */
    lock_card_fields(&r);
    assert_true(registration_is_locked(&r, REGISTRATION_NAME));
    assert_false(registration_is_locked(&r, REGISTRATION_MOBILE));
    assert_int_equal(registration_set_text(&r, REGISTRATION_NAME, "王五"), KIOSK_READ_ONLY);
    assert_int_equal(registration_set_birth_date(&r, (kiosk_date){1991, 1, 1}), KIOSK_READ_ONLY);
    assert_string_equal(r.name, "李四");
    set(&r, REGISTRATION_MOBILE, "13900139000");
    assert_int_equal(registration_lock(&r, REGISTRATION_FIELD_COUNT), KIOSK_INVALID);

    /* services: a set in code order, capped */
    fixture(&r);
    assert_int_equal(registration_add_service(&r, "1"), KIOSK_OK);
    assert_int_equal(r.service_count, 2);
    assert_int_equal(registration_add_service(&r, "x"), KIOSK_INVALID);
    assert_int_equal(registration_remove_service(&r, "1"), KIOSK_OK);
    assert_int_equal(registration_remove_service(&r, "5"), KIOSK_OK);
    assert_int_equal(r.service_count, 1);
    assert_string_equal(r.services[0], "2");
    assert_false(registration_has_service(&r, "1"));
    assert_true(registration_has_service(&r, "2"));
    const char *nine[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9"};
    assert_int_equal(registration_set_services(&r, nine, 9), KIOSK_RANGE);
    assert_int_equal(r.service_count, 1); /* all or nothing */
    const char *mixed[] = {"10", "6", "2", "6"};
    assert_int_equal(registration_set_services(&r, mixed, 4), KIOSK_OK);
    assert_int_equal(r.service_count, 3);
    assert_string_equal(r.services[0], "2");
    assert_string_equal(r.services[1], "6");
    assert_string_equal(r.services[2], "10");

    /* wipe leaves an empty record */
    registration_wipe(&r);
    registration empty;
    registration_init(&empty);
    assert_memory_equal(&r, &empty, sizeof r);
    registration_wipe(NULL);
}

static void test_hand_written_records(void **state)
{
    (void)state;
    registration r;
    fixture(&r);
    memset(r.mobile, '1', sizeof r.mobile); /* no terminator */
    expect_one(&r, REGISTRATION_MOBILE, REGISTRATION_ERR_FORMAT, "form.error.mobile_format");
    char *json = (char *)1;
    assert_int_equal(registration_to_json(&r, &json, NULL), KIOSK_INVALID);
    assert_null(json);

    fixture(&r);
    strcpy(r.household.detail, "\xFF\xFE");
    expect_one(&r, REGISTRATION_HOUSEHOLD_DETAIL, REGISTRATION_ERR_FORMAT,
               "form.error.household_detail_format");
    assert_int_equal(registration_to_json(&r, &json, NULL), KIOSK_INVALID);

    fixture(&r);
    strcpy(r.services[1], "1"); /* duplicate, out of order */
    expect_one(&r, REGISTRATION_SERVICES, REGISTRATION_ERR_FORMAT, "form.error.services_format");
    r.service_count = 99;
    expect_one(&r, REGISTRATION_SERVICES, REGISTRATION_ERR_FORMAT, "form.error.services_format");
    assert_int_equal(registration_to_json(&r, &json, NULL), KIOSK_INVALID);

    fixture(&r);
    r.claims_insurance = (registration_yesno)7;
    expect_one(&r, REGISTRATION_CLAIMS_INSURANCE, REGISTRATION_ERR_FORMAT,
               "form.error.claims_insurance_format");
    assert_int_equal(registration_to_json(&r, &json, NULL), KIOSK_INVALID);
}

static void test_json_exact_bytes(void **state)
{
    (void)state;
    registration r;
    fixture(&r);
    lock_card_fields(&r);
    char *json = NULL;
    size_t len = 0;
    assert_int_equal(registration_to_json(&r, &json, &len), KIOSK_OK);
    assert_string_equal(json, FIXTURE_JSON);
    assert_int_equal(len, strlen(FIXTURE_JSON));
    free(json);

    /* an empty record: every key, "" for what is not given */
    registration_init(&r);
    assert_int_equal(registration_to_json(&r, &json, &len), KIOSK_OK);
    assert_string_equal(
        json, "{\"schema\":1,\"type\":\"registration\",\"name\":\"\",\"sex\":\"\",\"ethnicity\":"
              "\"\",\"political\":\"\","
              "\"education\":\"\",\"health\":\"\",\"disability_grade\":\"\",\"birth_date\":\"\","
              "\"unemployed_since\":\"\",\"document_type\":\"\",\"document_number\":\"\","
              "\"household\":{\"division\":\"\",\"detail\":\"\"},"
              "\"residence\":{\"division\":\"\",\"detail\":\"\"},"
              "\"qualifications\":[{\"name\":\"\",\"level\":\"\"},{\"name\":\"\",\"level\":\"\"},"
              "{\"name\":\"\",\"level\":\"\"}],\"mobile\":\"\",\"landline\":\"\",\"email\":\"\","
              "\"other_contact\":\"\",\"registration_place\":\"\",\"reason\":\"\","
              "\"reason_other\":\"\",\"claims_insurance\":\"\",\"job_intention_1\":\"\","
              "\"job_intention_2\":\"\",\"remarks\":\"\",\"services\":[],\"from_card\":[]}");
    free(json);
}

/* The fixture again, setters called in reverse order and services chosen differently. */
static void fixture_reversed(registration *r)
{
    registration_init(r);
    assert_int_equal(registration_set_services(r, (const char *[]){"2", "1", "2"}, 3), KIOSK_OK);
    set(r, REGISTRATION_REMARKS, "希望在历下区就业\n不上\"夜班\"");
    set(r, REGISTRATION_JOB_INTENTION_2, "仓库管理");
    set(r, REGISTRATION_JOB_INTENTION_1, "电工");
    assert_int_equal(registration_set_claims_insurance(r, REGISTRATION_YES), KIOSK_OK);
    set(r, REGISTRATION_REASON_OTHER_TEXT, "临时");
    set(r, REGISTRATION_REASON, "02");
    set(r, REGISTRATION_PLACE, "2");
    set(r, REGISTRATION_EMAIL, "li.si@example.com");
    set(r, REGISTRATION_LANDLINE, "0531-88886666");
    set(r, REGISTRATION_MOBILE, "13800138000");
    set(r, REGISTRATION_QUALIFICATION_1_LEVEL, "四级/中级工");
    set(r, REGISTRATION_QUALIFICATION_1, "电工");
    set(r, REGISTRATION_RESIDENCE_DETAIL, "三里屯路1号院2单元301室");
    set(r, REGISTRATION_RESIDENCE_DIVISION, "110105004");
    set(r, REGISTRATION_HOUSEHOLD_DETAIL, "泉城路100号");
    set(r, REGISTRATION_HOUSEHOLD_DIVISION, "370102001");
    set(r, REGISTRATION_DOCUMENT_NUMBER, "370102199003071238");
    set(r, REGISTRATION_DOCUMENT_TYPE, "01");
    assert_int_equal(registration_set_unemployed_since(r, 2025, 12), KIOSK_OK);
    assert_int_equal(registration_set_birth_date(r, (kiosk_date){1990, 3, 7}), KIOSK_OK);
    set(r, REGISTRATION_HEALTH, "10");
    set(r, REGISTRATION_EDUCATION, "21");
    set(r, REGISTRATION_POLITICAL, "13");
    set(r, REGISTRATION_ETHNICITY, "01");
    set(r, REGISTRATION_SEX, "1");
    set(r, REGISTRATION_NAME, "王五"); /* overwritten below: a longer value leaves no trace */
    set(r, REGISTRATION_NAME, "李四");
    set(r, REGISTRATION_REASON_OTHER_TEXT, "");
    static const registration_field card[] = {
        REGISTRATION_DOCUMENT_NUMBER,
        REGISTRATION_DOCUMENT_TYPE,
        REGISTRATION_BIRTH_DATE,
        REGISTRATION_ETHNICITY,
        REGISTRATION_SEX,
        REGISTRATION_NAME,
        REGISTRATION_NAME,
    };
    for (size_t i = 0; i < sizeof card / sizeof card[0]; i++)
        assert_int_equal(registration_lock(r, card[i]), KIOSK_OK);
}

static void test_json_equal_records(void **state)
{
    (void)state;
    registration a, b;
    fixture(&a);
    lock_card_fields(&a);
    fixture_reversed(&b);
    assert_memory_equal(&a, &b, sizeof a);
    char *ja, *jb;
    size_t la, lb;
    assert_int_equal(registration_to_json(&a, &ja, &la), KIOSK_OK);
    assert_int_equal(registration_to_json(&b, &jb, &lb), KIOSK_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(ja, jb, la);
    free(jb);
    /* a different record gives different bytes */
    registration_remove_service(&b, "2");
    assert_int_equal(registration_to_json(&b, &jb, &lb), KIOSK_OK);
    assert_string_not_equal(ja, jb);
    free(ja);
    free(jb);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    registration a, b;
    fixture(&a);
    set(&a, REGISTRATION_HEALTH, "61");
    set(&a, REGISTRATION_DISABILITY_GRADE, "4");
    set(&a, REGISTRATION_QUALIFICATION_3, "会计师");
    set(&a, REGISTRATION_QUALIFICATION_3_LEVEL, "中级");
    set(&a, REGISTRATION_OTHER_CONTACT, "微信 lisi_1990");
    set(&a, REGISTRATION_REASON, "13");
    set(&a, REGISTRATION_REASON_OTHER_TEXT, "家庭原因 \\ 照顾老人");
    assert_int_equal(registration_set_claims_insurance(&a, REGISTRATION_NO), KIOSK_OK);
    assert_int_equal(registration_add_service(&a, "6"), KIOSK_OK);
    lock_card_fields(&a);
    assert_int_equal(registration_lock(&a, REGISTRATION_SERVICES), KIOSK_OK);
    expect_clean(&a);

    char *ja, *jb;
    size_t la, lb;
    assert_int_equal(registration_to_json(&a, &ja, &la), KIOSK_OK);
    memset(&b, 0x55, sizeof b);
    assert_int_equal(registration_from_json(ja, la, &b), KIOSK_OK);
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(registration_is_locked(&b, REGISTRATION_SERVICES));
    assert_int_equal(registration_to_json(&b, &jb, &lb), KIOSK_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(ja, jb, la);
    free(ja);
    free(jb);

    /* the fixture's expected bytes parse back to the fixture */
    fixture(&a);
    lock_card_fields(&a);
    assert_int_equal(registration_from_json(FIXTURE_JSON, strlen(FIXTURE_JSON), &b), KIOSK_OK);
    assert_memory_equal(&a, &b, sizeof a);

    /* whitespace and key order are free */
    const char *loose =
        "{ \"from_card\": [], \"services\": [\"3\", \"1\"], \"remarks\": \"\",\n"
        "  \"job_intention_2\": \"\", \"job_intention_1\": \"\", \"claims_insurance\": \"no\",\n"
        "  \"reason_other\": \"\", \"reason\": \"05\", \"registration_place\": \"1\",\n"
        "  \"other_contact\": \"\", \"email\": \"\", \"landline\": \"\", \"mobile\": "
        "\"13800138000\",\n"
        "  \"qualifications\": [{\"level\": \"\", \"name\": \"\"}, {\"name\": \"\", \"level\": "
        "\"\"},\n"
        "                     {\"name\": \"\", \"level\": \"\"}],\n"
        "  \"residence\": {\"detail\": \"x\", \"division\": \"370102\"},\n"
        "  \"household\": {\"division\": \"370102\", \"detail\": \"x\"},\n"
        "  \"document_number\": \"h12345678\", \"document_type\": \"03\",\n"
        "  \"unemployed_since\": \"2024-07\", \"birth_date\": \"1988-11-30\",\n"
        "  \"disability_grade\": \"\", \"health\": \"20\", \"education\": \"61\",\n"
        "  \"political\": \"\", \"ethnicity\": \"03\", \"sex\": \"2\", \"name\": \"马丽\",\n"
        "  \"schema\": 1 }";
    assert_int_equal(registration_from_json(loose, strlen(loose), &b), KIOSK_OK);
    assert_string_equal(b.document_number, "H12345678");
    assert_int_equal(b.birth_date.day, 30);
    assert_int_equal(b.unemployed_since.month, 7);
    assert_int_equal(b.claims_insurance, REGISTRATION_NO);
    assert_string_equal(b.services[0], "1");
    assert_string_equal(b.services[1], "3");
    expect_clean(&b);
}

/* FIXTURE_JSON with the first occurrence of `from` replaced by `to`. */
static kiosk_rc parse_edited(const char *from, const char *to, registration *out)
{
    static char buf[4096];
    const char *at = strstr(FIXTURE_JSON, from);
    assert_non_null(at);
    size_t head = (size_t)(at - FIXTURE_JSON);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)head, FIXTURE_JSON, to, at + strlen(from));
    return registration_from_json(buf, strlen(buf), out);
}

static void test_json_rejects(void **state)
{
    (void)state;
    registration r;
    static const struct {
        const char *from, *to;
    } invalid[] = {
        {"\"schema\":1,", "\"schema\":1,\"extra\":\"\","}, /* unknown key */
        {"\"political\":\"13\",", ""},                     /* missing key */
        {"\"schema\":1,", "\"schema\":1,\"schema\":1,"},   /* duplicate key */
        {"\"schema\":1", "\"schema\":\"1\""},              /* wrong type */
        {"\"schema\":1", "\"schema\":1.0"},                /* no floats */
        {"\"sex\":\"1\"", "\"sex\":1"},
        {"\"sex\":\"1\"", "\"sex\":null"},
        {"\"sex\":\"1\"", "\"sex\":\"M\""}, /* not a code */
        {"\"mobile\":\"13800138000\"", "\"mobile\":[\"13800138000\"]"},
        {"\"birth_date\":\"1990-03-07\"", "\"birth_date\":\"19900307\""},
        {"\"birth_date\":\"1990-03-07\"", "\"birth_date\":\"1990-3-7\""},
        {"\"birth_date\":\"1990-03-07\"", "\"birth_date\":\"1990-02-30\""},
        {"\"unemployed_since\":\"2025-12\"", "\"unemployed_since\":\"2025-13\""},
        {"\"unemployed_since\":\"2025-12\"", "\"unemployed_since\":\"2025-1\""},
        {"\"unemployed_since\":\"2025-12\"", "\"unemployed_since\":\"2025-12-01\""},
        {"\"claims_insurance\":\"yes\"", "\"claims_insurance\":true"},
        {"\"claims_insurance\":\"yes\"", "\"claims_insurance\":\"是\""},
        {",{\"name\":\"\",\"level\":\"\"}]", "]"}, /* two qualifications */
        {"\"level\":\"四级/中级工\"", "\"level\":\"四级/中级工\",\"year\":\"\""},
        {"\"detail\":\"泉城路100号\"}", "\"detail\":\"泉城路100号\",\"zip\":\"\"}"},
        {"\"household\":{\"division\":\"370102001\",\"detail\":\"泉城路100号\"}",
         "\"household\":[\"370102001\",\"泉城路100号\"]"},
        {"\"services\":[\"1\",\"2\"]", "\"services\":[1,2]"},
        {"\"services\":[\"1\",\"2\"]", "\"services\":\"1\""},
        {"\"services\":[\"1\",\"2\"]",
         "\"services\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]"},
        {"\"from_card\":[\"name\",", "\"from_card\":[\"nickname\","},
        {"\"from_card\":[\"name\",", "\"from_card\":[1,"},
        {"\"name\":\"李四\"", "\"name\":\"李\\u0000四\""},       /* NUL */
        {"\"name\":\"李四\"", "\"name\":\"李\\t四\""},           /* control character */
        {"\"name\":\"李四\"", "\"name\":\"\\ud800\""},           /* lone surrogate */
        {"]}", "]},"},                                           /* trailing comma */
        {"\"type\":\"registration\"", "\"type\":\"other\""},     /* unknown type */
        {"\"type\":\"registration\"", "\"type\":1"},             /* type not a name */
        {"\"type\":\"registration\"", "\"type\":\"jobseeker\""}, /* another type's keys */
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        fixture(&r);
        if (parse_edited(invalid[i].from, invalid[i].to, &r) != KIOSK_INVALID)
            fail_msg("case %zu accepted", i);
        assert_string_equal(r.name, ""); /* wiped */
        assert_int_equal(r.from_card, 0);
    }
    /* a record saved before the types existed has no "type": a registration */
    fixture(&r);
    assert_int_equal(parse_edited("\"type\":\"registration\",", "", &r), KIOSK_OK);
    assert_int_equal(r.type, REGISTRATION_TYPE_REGISTRATION);
    assert_string_equal(r.name, "李四");
    assert_int_equal(parse_edited("\"schema\":1", "\"schema\":2", &r), KIOSK_UNSUPPORTED);
    assert_int_equal(parse_edited("\"schema\":1", "\"schema\":0", &r), KIOSK_UNSUPPORTED);

    /* over a cap: 67 characters of name */
    char name[300], to[320];
    cjk(name, 67);
    snprintf(to, sizeof to, "\"name\":\"%s\"", name);
    assert_int_equal(parse_edited("\"name\":\"李四\"", to, &r), KIOSK_INVALID);
    /* invalid UTF-8 bytes inside a string */
    assert_int_equal(parse_edited("\"name\":\"李四\"", "\"name\":\"\xE6\x9D\"", &r), KIOSK_INVALID);

    /* not JSON, not an object, truncated, too big */
    assert_int_equal(registration_from_json("", 0, &r), KIOSK_INVALID);
    assert_int_equal(registration_from_json("[]", 2, &r), KIOSK_INVALID);
    assert_int_equal(registration_from_json("{\"schema\":1}", 12, &r), KIOSK_INVALID);
    assert_int_equal(registration_from_json(FIXTURE_JSON, strlen(FIXTURE_JSON) - 1, &r),
                     KIOSK_INVALID);
    assert_int_equal(registration_from_json(NULL, 0, &r), KIOSK_INVALID);
    char *big = malloc(70000);
    assert_non_null(big);
    memset(big, ' ', 70000);
    memcpy(big, FIXTURE_JSON, strlen(FIXTURE_JSON));
    assert_int_equal(registration_from_json(big, 70000, &r), KIOSK_INVALID);
    /* the same with a little trailing whitespace is fine */
    assert_int_equal(registration_from_json(big, strlen(FIXTURE_JSON) + 100, &r), KIOSK_OK);
    free(big);
}

static void test_keys(void **state)
{
    (void)state;
    assert_string_equal(registration_field_key(REGISTRATION_QUALIFICATION_2_LEVEL),
                        "qualification_2_level");
    assert_string_equal(registration_field_key(REGISTRATION_SERVICES), "services");
    assert_string_equal(registration_field_key(REGISTRATION_FIELD_COUNT), "?");
    assert_string_equal(registration_error_key(REGISTRATION_ERR_BEFORE_16TH_BIRTHDAY),
                        "before_16th_birthday");
    assert_string_equal(registration_error_key((registration_error)0), "?");
    /* every field has a distinct key, and the longest error key fits */
    for (int i = 0; i < REGISTRATION_FIELD_COUNT; i++) {
        const char *k = registration_field_key((registration_field)i);
        assert_string_not_equal(k, "?");
        assert_true(strlen("form.error.") + strlen(k) + strlen("_before_16th_birthday") <
                    REGISTRATION_KEY_MAX);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(k, registration_field_key((registration_field)j));
    }
}

/* A mobile number judged as it is typed, and grouped 3-4-4 as people read it. */
static void test_mobile_as_typed(void **state)
{
    (void)state;
    int missing = -1;
    assert_int_equal(registration_mobile_check("13812345678", &missing), REGISTRATION_MOBILE_OK);
    assert_int_equal(missing, 0);
    assert_int_equal(registration_mobile_check("1381234", &missing), REGISTRATION_MOBILE_SHORT);
    assert_int_equal(missing, 4);
    assert_int_equal(registration_mobile_check("1", &missing), REGISTRATION_MOBILE_SHORT);
    assert_int_equal(missing, 10);
    assert_int_equal(registration_mobile_check("23812345678", &missing), REGISTRATION_MOBILE_FIRST);
    assert_int_equal(registration_mobile_check("2", NULL), REGISTRATION_MOBILE_FIRST);
    assert_int_equal(registration_mobile_check("12", NULL), REGISTRATION_MOBILE_SECOND);
    assert_int_equal(registration_mobile_check("138123456789", NULL), REGISTRATION_MOBILE_LONG);
    assert_int_equal(registration_mobile_check("138-1234", NULL), REGISTRATION_MOBILE_NOT_DIGITS);
    assert_int_equal(registration_mobile_check("", NULL), REGISTRATION_MOBILE_EMPTY);
    assert_int_equal(registration_mobile_check(NULL, NULL), REGISTRATION_MOBILE_EMPTY);
    /* the same rule as the form's check */
    registration r;
    fixture(&r);
    set(&r, REGISTRATION_MOBILE, "1381234");
    expect_one(&r, REGISTRATION_MOBILE, REGISTRATION_ERR_FORMAT, "form.error.mobile_format");

    char g[32];
    assert_string_equal(registration_mobile_group("13812345678", g, sizeof g), "138 1234 5678");
    assert_string_equal(registration_mobile_group("1381", g, sizeof g), "138 1");
    assert_string_equal(registration_mobile_group("138", g, sizeof g), "138");
    assert_string_equal(registration_mobile_group("13812345", g, sizeof g), "138 1234 5");
    assert_string_equal(registration_mobile_group("", g, sizeof g), "");
    assert_string_equal(registration_mobile_group("138-1", g, sizeof g), "138-1");
    assert_string_equal(registration_mobile_group("13812345678", g, 6), "138 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_record),
        cmocka_unit_test(test_each_required_field),
        cmocka_unit_test(test_conditional_fields),
        cmocka_unit_test(test_unknown_codes),
        cmocka_unit_test(test_mobile),
        cmocka_unit_test(test_landline),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_document_numbers),
        cmocka_unit_test(test_divisions),
        cmocka_unit_test(test_setters_and_caps),
        cmocka_unit_test(test_hand_written_records),
        cmocka_unit_test(test_json_exact_bytes),
        cmocka_unit_test(test_json_equal_records),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_rejects),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_mobile_as_typed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
