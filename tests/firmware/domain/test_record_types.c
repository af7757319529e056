/* Tests of the other record types (就业/失业注销申报, 求职登记): their schemas, their checks
 * against the shipped code tables, their canonical JSON byte for byte and back, and the
 * fields of one type refused in another. */
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

/* The holder as the card gives it (a made-up person, synthetic ID number), locked. */
static void holder(registration *r, registration_type type)
{
    registration_init(r);
    assert_int_equal(registration_set_type(r, type), KIOSK_OK);
    set(r, REGISTRATION_NAME, "李四");
    set(r, REGISTRATION_SEX, "1");
    assert_int_equal(registration_set_date(r, REGISTRATION_BIRTH_DATE, (kiosk_date){1990, 3, 7}),
                     KIOSK_OK);
    set(r, REGISTRATION_DOCUMENT_TYPE, "01");
    set(r, REGISTRATION_DOCUMENT_NUMBER, "370102199003071238");
    static const registration_field card[] = {REGISTRATION_NAME, REGISTRATION_SEX,
                                              REGISTRATION_BIRTH_DATE, REGISTRATION_DOCUMENT_TYPE,
                                              REGISTRATION_DOCUMENT_NUMBER};
    for (size_t i = 0; i < sizeof card / sizeof card[0]; i++)
        assert_int_equal(registration_lock(r, card[i]), KIOSK_OK);
}

static void deregistration(registration *r)
{
    holder(r, REGISTRATION_TYPE_DEREGISTRATION);
    set(r, REGISTRATION_SITUATION, "01");
    assert_int_equal(
        registration_set_date(r, REGISTRATION_SITUATION_DATE, (kiosk_date){2026, 3, 2}), KIOSK_OK);
    set(r, REGISTRATION_SITUATION_DETAIL, "济南泉城物流有限公司");
}

static void jobseeker(registration *r)
{
    holder(r, REGISTRATION_TYPE_JOBSEEKER);
    assert_int_equal(registration_add_choice(r, REGISTRATION_JOB_CATEGORIES, "05"), KIOSK_OK);
    assert_int_equal(registration_add_choice(r, REGISTRATION_JOB_CATEGORIES, "03"), KIOSK_OK);
    set(r, REGISTRATION_JOB_AREA, "370102");
    set(r, REGISTRATION_EXPECTED_WAGE, "2");
    assert_int_equal(
        registration_set_date(r, REGISTRATION_AVAILABLE_FROM, (kiosk_date){2026, 4, 1}), KIOSK_OK);
    set(r, REGISTRATION_MOBILE, "13800138000");
}

static size_t validate(const registration *r, registration_issue *out, size_t max)
{
    size_t n = 0;
    kiosk_rc rc = registration_validate(r, codes, divs, TODAY, out, max, &n);
    assert_int_equal(rc, n ? KIOSK_INVALID : KIOSK_OK);
    return n;
}

/* The only issue is on field f, with error e. */
static void expect_one(const registration *r, registration_field f, registration_error e)
{
    registration_issue is[8];
    size_t n = validate(r, is, 8);
    if (n != 1)
        fail_msg("%zu issues, first %s", n, n ? is[0].key : "-");
    assert_int_equal(is[0].field, f);
    assert_int_equal(is[0].error, e);
}

static void test_schemas(void **state)
{
    (void)state;
    size_t n;
    const registration_field_info *rows =
        registration_type_schema(REGISTRATION_TYPE_REGISTRATION, &n);
    assert_int_equal(n, REGISTRATION_SITUATION); /* the registration's rows only */
    assert_int_equal(rows[0].field, REGISTRATION_NAME);

    rows = registration_type_schema(REGISTRATION_TYPE_DEREGISTRATION, &n);
    assert_int_equal(n, 9);
    assert_int_equal(rows[6].field, REGISTRATION_SITUATION);
    assert_int_equal(rows[6].table, CODES_DEREGISTRATION_SITUATION);
    assert_false(rows[0].on_form); /* the holder comes from the card */

    rows = registration_type_schema(REGISTRATION_TYPE_JOBSEEKER, &n);
    assert_int_equal(n, 11);
    assert_null(registration_type_schema(REGISTRATION_TYPE_COUNT, &n));
    assert_int_equal(n, 0);

    /* each type's page: what its form shows, in order */
    registration_field f[16];
    assert_int_equal(registration_section_fields(REGISTRATION_SECTION_DEREGISTRATION, f, 16), 3);
    assert_int_equal(f[0], REGISTRATION_SITUATION);
    assert_int_equal(f[1], REGISTRATION_SITUATION_DATE);
    assert_int_equal(f[2], REGISTRATION_SITUATION_DETAIL);
    assert_int_equal(registration_section_fields(REGISTRATION_SECTION_JOBSEEKER, f, 16), 5);
    assert_int_equal(f[4], REGISTRATION_MOBILE);
    /* the registration's pages are unchanged: the contact page still holds the mobile */
    size_t k = registration_section_fields(REGISTRATION_SECTION_CONTACT, f, 16);
    assert_int_equal(k, 4);
    assert_int_equal(f[0], REGISTRATION_MOBILE);
    assert_int_equal(registration_section_fields(REGISTRATION_SECTION_WISHES, f, 16), 10);

    assert_non_null(registration_type_field(REGISTRATION_TYPE_JOBSEEKER, REGISTRATION_MOBILE));
    assert_null(registration_type_field(REGISTRATION_TYPE_DEREGISTRATION, REGISTRATION_MOBILE));
    assert_null(registration_type_field(REGISTRATION_TYPE_REGISTRATION, REGISTRATION_SITUATION));
    assert_int_equal(registration_section_type(REGISTRATION_SECTION_JOBSEEKER),
                     REGISTRATION_TYPE_JOBSEEKER);
    assert_int_equal(registration_section_type(REGISTRATION_SECTION_ALL), REGISTRATION_TYPE_COUNT);

    registration_type t;
    assert_string_equal(registration_type_key(REGISTRATION_TYPE_DEREGISTRATION), "deregistration");
    assert_int_equal(registration_type_parse("jobseeker", &t), KIOSK_OK);
    assert_int_equal(t, REGISTRATION_TYPE_JOBSEEKER);
    assert_int_equal(registration_type_parse("Jobseeker", &t), KIOSK_INVALID);
    assert_int_equal(registration_type_parse(NULL, &t), KIOSK_INVALID);
    assert_string_equal(registration_type_key(REGISTRATION_TYPE_COUNT), "?");

    /* the new tables load with their names */
    assert_string_equal(codes_name(codes, CODES_DEREGISTRATION_SITUATION, "01", CODES_ZH),
                        "被用人单位录用或招聘");
    assert_string_equal(codes_name(codes, CODES_WAGE_RANGE, "6", CODES_EN), "To be agreed");
    const codes_entry *e;
    assert_int_equal(codes_list(codes, CODES_DEREGISTRATION_SITUATION, &e), 11);
    assert_int_equal(codes_list(codes, CODES_JOB_CATEGORY, &e), 15);
}

static void test_deregistration_checks(void **state)
{
    (void)state;
    registration r;
    deregistration(&r);
    assert_int_equal(validate(&r, NULL, 0), 0);

    /* the situation and its date are required; the date not after today */
    deregistration(&r);
    set(&r, REGISTRATION_SITUATION, "");
    set(&r, REGISTRATION_SITUATION_DETAIL, "");
    expect_one(&r, REGISTRATION_SITUATION, REGISTRATION_ERR_REQUIRED);
    deregistration(&r);
    set(&r, REGISTRATION_SITUATION, "12");
    expect_one(&r, REGISTRATION_SITUATION, REGISTRATION_ERR_UNKNOWN_CODE);
    deregistration(&r);
    registration_set_date(&r, REGISTRATION_SITUATION_DATE, (kiosk_date){0, 0, 0});
    expect_one(&r, REGISTRATION_SITUATION_DATE, REGISTRATION_ERR_REQUIRED);
    registration_set_date(&r, REGISTRATION_SITUATION_DATE, (kiosk_date){2026, 3, 16});
    expect_one(&r, REGISTRATION_SITUATION_DATE, REGISTRATION_ERR_IN_FUTURE);
    assert_int_equal(
        registration_set_date(&r, REGISTRATION_SITUATION_DATE, (kiosk_date){2026, 2, 30}),
        KIOSK_INVALID);

    /* the employer or business is named for a job, a business, a company, "other" */
    static const char *const named[] = {"01", "03", "04", "11"};
    for (size_t i = 0; i < 4; i++) {
        deregistration(&r);
        set(&r, REGISTRATION_SITUATION, named[i]);
        set(&r, REGISTRATION_SITUATION_DETAIL, "  ");
        expect_one(&r, REGISTRATION_SITUATION_DETAIL, REGISTRATION_ERR_REQUIRED);
    }
    /* and may be left out for a pension, study, enlistment */
    static const char *const plain[] = {"02", "05", "06", "07", "08", "09", "10"};
    for (size_t i = 0; i < 7; i++) {
        deregistration(&r);
        set(&r, REGISTRATION_SITUATION, plain[i]);
        set(&r, REGISTRATION_SITUATION_DETAIL, "");
        assert_int_equal(validate(&r, NULL, 0), 0);
    }

    /* the holder is checked as in a registration */
    deregistration(&r);
    r.from_card = 0;
    set(&r, REGISTRATION_SEX, "2");
    expect_one(&r, REGISTRATION_SEX, REGISTRATION_ERR_MISMATCH);

    /* a registration's field in a report is refused */
    deregistration(&r);
    set(&r, REGISTRATION_REASON, "02");
    expect_one(&r, REGISTRATION_REASON, REGISTRATION_ERR_NOT_APPLICABLE);
    deregistration(&r);
    set(&r, REGISTRATION_MOBILE, "13800138000");
    expect_one(&r, REGISTRATION_MOBILE, REGISTRATION_ERR_NOT_APPLICABLE);
    /* and a report's field in a registration */
    deregistration(&r);
    registration_set_type(&r, REGISTRATION_TYPE_REGISTRATION);
    registration_issue is[REGISTRATION_FIELD_COUNT];
    size_t n = validate(&r, is, REGISTRATION_FIELD_COUNT);
    int refused = 0;
    for (size_t i = 0; i < n; i++)
        refused += is[i].field == REGISTRATION_SITUATION &&
                   is[i].error == REGISTRATION_ERR_NOT_APPLICABLE &&
                   strcmp(is[i].key, "form.error.situation_not_applicable") == 0;
    assert_int_equal(refused, 1);
    registration_wipe(&r);
}

static void test_jobseeker_checks(void **state)
{
    (void)state;
    registration r;
    jobseeker(&r);
    assert_int_equal(validate(&r, NULL, 0), 0);

    /* one to three jobs, kept in code order */
    assert_string_equal(r.job_categories[0], "03");
    assert_int_equal(registration_add_choice(&r, REGISTRATION_JOB_CATEGORIES, "15"), KIOSK_OK);
    assert_int_equal(registration_add_choice(&r, REGISTRATION_JOB_CATEGORIES, "01"), KIOSK_RANGE);
    assert_int_equal(registration_add_choice(&r, REGISTRATION_JOB_CATEGORIES, "15"), KIOSK_OK);
    assert_int_equal(r.job_category_count, 3);
    assert_true(registration_has_choice(&r, REGISTRATION_JOB_CATEGORIES, "15"));
    assert_int_equal(validate(&r, NULL, 0), 0);
    for (size_t i = 0; i < 3; i++)
        registration_remove_choice(&r, REGISTRATION_JOB_CATEGORIES, r.job_categories[0]);
    expect_one(&r, REGISTRATION_JOB_CATEGORIES, REGISTRATION_ERR_REQUIRED);
    assert_int_equal(registration_add_choice(&r, REGISTRATION_JOB_CATEGORIES, "99"), KIOSK_OK);
    expect_one(&r, REGISTRATION_JOB_CATEGORIES, REGISTRATION_ERR_UNKNOWN_CODE);
    assert_int_equal(registration_add_choice(&r, REGISTRATION_SEX, "1"), KIOSK_INVALID);

    /* the area is a district: a street is too fine, an unknown code refused */
    jobseeker(&r);
    set(&r, REGISTRATION_JOB_AREA, "370102001");
    expect_one(&r, REGISTRATION_JOB_AREA, REGISTRATION_ERR_FORMAT);
    set(&r, REGISTRATION_JOB_AREA, "379999");
    expect_one(&r, REGISTRATION_JOB_AREA, REGISTRATION_ERR_UNKNOWN_CODE);
    set(&r, REGISTRATION_JOB_AREA, "");
    expect_one(&r, REGISTRATION_JOB_AREA, REGISTRATION_ERR_REQUIRED);

    jobseeker(&r);
    set(&r, REGISTRATION_EXPECTED_WAGE, "7");
    expect_one(&r, REGISTRATION_EXPECTED_WAGE, REGISTRATION_ERR_UNKNOWN_CODE);
    jobseeker(&r);
    registration_set_date(&r, REGISTRATION_AVAILABLE_FROM, (kiosk_date){0, 0, 0});
    expect_one(&r, REGISTRATION_AVAILABLE_FROM, REGISTRATION_ERR_REQUIRED);
    jobseeker(&r);
    set(&r, REGISTRATION_MOBILE, "23800138000");
    expect_one(&r, REGISTRATION_MOBILE, REGISTRATION_ERR_FORMAT);
    set(&r, REGISTRATION_MOBILE, "");
    expect_one(&r, REGISTRATION_MOBILE, REGISTRATION_ERR_REQUIRED);

    jobseeker(&r);
    set(&r, REGISTRATION_SITUATION, "01");
    expect_one(&r, REGISTRATION_SITUATION, REGISTRATION_ERR_NOT_APPLICABLE);
    registration_wipe(&r);
}

static const char DEREG_JSON[] =
    "{\"schema\":1,\"type\":\"deregistration\",\"name\":\"李四\",\"sex\":\"1\",\"ethnicity\":\"\","
    "\"birth_date\":\"1990-03-07\",\"document_type\":\"01\","
    "\"document_number\":\"370102199003071238\",\"situation\":\"01\","
    "\"situation_date\":\"2026-03-02\",\"situation_detail\":\"济南泉城物流有限公司\","
    "\"from_card\":[\"name\",\"sex\",\"birth_date\",\"document_type\",\"document_number\"]}";

static const char JOBSEEKER_JSON[] =
    "{\"schema\":1,\"type\":\"jobseeker\",\"name\":\"李四\",\"sex\":\"1\",\"ethnicity\":\"\","
    "\"birth_date\":\"1990-03-07\",\"document_type\":\"01\","
    "\"document_number\":\"370102199003071238\",\"job_categories\":[\"03\",\"05\"],"
    "\"job_area\":\"370102\",\"expected_wage\":\"2\",\"available_from\":\"2026-04-01\","
    "\"mobile\":\"13800138000\","
    "\"from_card\":[\"name\",\"sex\",\"birth_date\",\"document_type\",\"document_number\"]}";

static void round_trip(const registration *r, const char *expect)
{
    char *json = NULL;
    size_t len = 0;
    assert_int_equal(registration_to_json(r, &json, &len), KIOSK_OK);
    assert_string_equal(json, expect);
    assert_int_equal(len, strlen(expect));
    registration back;
    assert_int_equal(registration_from_json(json, len, &back), KIOSK_OK);
    assert_int_equal(back.type, r->type);
    assert_memory_equal(&back, r, sizeof back);
    free(json);
    registration_wipe(&back);
}

/* json with from replaced by to, parsed */
static kiosk_rc parse_edited(const char *json, const char *from, const char *to)
{
    char buf[2048];
    const char *at = strstr(json, from);
    assert_non_null(at);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - json), json, to, at + strlen(from));
    registration r;
    kiosk_rc rc = registration_from_json(buf, strlen(buf), &r);
    if (rc != KIOSK_OK)
        assert_int_equal(r.type, REGISTRATION_TYPE_REGISTRATION); /* wiped */
    registration_wipe(&r);
    return rc;
}

static void test_json(void **state)
{
    (void)state;
    registration r;
    deregistration(&r);
    round_trip(&r, DEREG_JSON);
    jobseeker(&r);
    round_trip(&r, JOBSEEKER_JSON);
    registration_wipe(&r);

    /* strict: exactly the type's keys */
    static const struct {
        const char *from, *to;
    } bad[] = {
        {"\"situation\":\"01\",", ""},                                        /* missing key */
        {"\"situation\":\"01\",", "\"situation\":\"01\",\"reason\":\"02\","}, /* another's key */
        {"\"type\":\"deregistration\"", "\"type\":\"jobseeker\""}, /* another type's keys */
        {"\"type\":\"deregistration\",", ""}, /* no type: read as a registration */
        {"\"situation_date\":\"2026-03-02\"", "\"situation_date\":\"2026-3-2\""},
        {"\"situation_date\":\"2026-03-02\"", "\"situation_date\":\"2026-02-30\""},
        {"\"situation\":\"01\"", "\"situation\":\"A1\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse_edited(DEREG_JSON, bad[i].from, bad[i].to) != KIOSK_INVALID)
            fail_msg("case %zu accepted", i);
    assert_int_equal(parse_edited(JOBSEEKER_JSON, "[\"03\",\"05\"]", "[\"05\",\"03\"]"), KIOSK_OK);
    assert_int_equal(parse_edited(JOBSEEKER_JSON, "[\"03\",\"05\"]", "[\"03\",\"03\"]"),
                     KIOSK_INVALID);
    assert_int_equal(
        parse_edited(JOBSEEKER_JSON, "[\"03\",\"05\"]", "[\"01\",\"03\",\"05\",\"07\"]"),
        KIOSK_INVALID);
    assert_int_equal(parse_edited(JOBSEEKER_JSON, "[\"03\",\"05\"]", "\"03\""), KIOSK_INVALID);
    assert_int_equal(parse_edited(JOBSEEKER_JSON, "\"schema\":1", "\"schema\":2"),
                     KIOSK_UNSUPPORTED);

    /* a record with a type outside the enum is not written */
    deregistration(&r);
    r.type = REGISTRATION_TYPE_COUNT;
    char *json = (char *)1;
    assert_int_equal(registration_to_json(&r, &json, NULL), KIOSK_INVALID);
    assert_null(json);
    size_t n = 1;
    assert_int_equal(registration_validate(&r, codes, divs, TODAY, NULL, 0, &n), KIOSK_RANGE);
    assert_int_equal(registration_set_type(&r, REGISTRATION_TYPE_COUNT), KIOSK_INVALID);
    registration_wipe(&r);
}

static void test_values(void **state)
{
    (void)state;
    registration r;
    char buf[64];
    jobseeker(&r);
    assert_string_equal(registration_value(&r, REGISTRATION_JOB_CATEGORIES, ";", buf, sizeof buf),
                        "03;05");
    assert_string_equal(registration_value(&r, REGISTRATION_AVAILABLE_FROM, ";", buf, sizeof buf),
                        "2026-04-01");
    deregistration(&r);
    assert_string_equal(registration_value(&r, REGISTRATION_SITUATION_DATE, ";", buf, sizeof buf),
                        "2026-03-02");
    assert_string_equal(registration_value(&r, REGISTRATION_JOB_CATEGORIES, ";", buf, sizeof buf),
                        "");
    assert_string_equal(registration_field_key(REGISTRATION_EXPECTED_WAGE), "expected_wage");
    registration_wipe(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schemas),          cmocka_unit_test(test_deregistration_checks),
        cmocka_unit_test(test_jobseeker_checks), cmocka_unit_test(test_json),
        cmocka_unit_test(test_values),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
