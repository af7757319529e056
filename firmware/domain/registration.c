/*
 * The registration record: a table of the text fields (where each lives in the struct,
 * its cap, its character limit and what it may hold) drives the setters, the checks of
 * hand-written records and both JSON directions, so a field is described once. The
 * rules of the form follow in field order.
 */
#include "domain/registration.h"

#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"
#include "domain/idnum.h"

#define JSON_MAX_BYTES (64 * 1024)

typedef enum text_kind {
    KIND_CODE,      /* 1..8 ASCII digits */
    KIND_DIVISION,  /* 1..12 ASCII digits */
    KIND_DOCUMENT,  /* printable ASCII without blanks, letters upper case */
    KIND_TEXT,      /* UTF-8 without control characters */
    KIND_MULTILINE, /* UTF-8 without control characters but line feeds */
} text_kind;

typedef struct text_field {
    size_t offset; /* of the char array in registration */
    size_t size;   /* of the array, terminator included */
    size_t chars;  /* character limit, 0: the byte cap is the limit */
    text_kind kind;
} text_field;

#define TF(member, chars, kind)                                                                    \
    {                                                                                              \
        offsetof(registration, member), sizeof(((registration *)0)->member), chars, kind           \
    }

static const text_field text_fields[REGISTRATION_FIELD_COUNT] = {
    [REGISTRATION_NAME] = TF(name, REGISTRATION_NAME_CHARS, KIND_TEXT),
    [REGISTRATION_SEX] = TF(sex, 0, KIND_CODE),
    [REGISTRATION_ETHNICITY] = TF(ethnicity, 0, KIND_CODE),
    [REGISTRATION_POLITICAL] = TF(political, 0, KIND_CODE),
    [REGISTRATION_EDUCATION] = TF(education, 0, KIND_CODE),
    [REGISTRATION_HEALTH] = TF(health, 0, KIND_CODE),
    [REGISTRATION_DISABILITY_GRADE] = TF(disability_grade, 0, KIND_CODE),
    [REGISTRATION_DOCUMENT_TYPE] = TF(document_type, 0, KIND_CODE),
    [REGISTRATION_DOCUMENT_NUMBER] = TF(document_number, 0, KIND_DOCUMENT),
    [REGISTRATION_HOUSEHOLD_DIVISION] = TF(household.division, 0, KIND_DIVISION),
    [REGISTRATION_HOUSEHOLD_DETAIL] = TF(household.detail, REGISTRATION_DETAIL_CHARS, KIND_TEXT),
    [REGISTRATION_RESIDENCE_DIVISION] = TF(residence.division, 0, KIND_DIVISION),
    [REGISTRATION_RESIDENCE_DETAIL] = TF(residence.detail, REGISTRATION_DETAIL_CHARS, KIND_TEXT),
    [REGISTRATION_QUALIFICATION_1] =
        TF(qualifications[0].name, REGISTRATION_QUAL_NAME_CHARS, KIND_TEXT),
    [REGISTRATION_QUALIFICATION_1_LEVEL] =
        TF(qualifications[0].level, REGISTRATION_QUAL_LEVEL_CHARS, KIND_TEXT),
    [REGISTRATION_QUALIFICATION_2] =
        TF(qualifications[1].name, REGISTRATION_QUAL_NAME_CHARS, KIND_TEXT),
    [REGISTRATION_QUALIFICATION_2_LEVEL] =
        TF(qualifications[1].level, REGISTRATION_QUAL_LEVEL_CHARS, KIND_TEXT),
    [REGISTRATION_QUALIFICATION_3] =
        TF(qualifications[2].name, REGISTRATION_QUAL_NAME_CHARS, KIND_TEXT),
    [REGISTRATION_QUALIFICATION_3_LEVEL] =
        TF(qualifications[2].level, REGISTRATION_QUAL_LEVEL_CHARS, KIND_TEXT),
    [REGISTRATION_MOBILE] = TF(mobile, 0, KIND_TEXT),
    [REGISTRATION_LANDLINE] = TF(landline, 0, KIND_TEXT),
    [REGISTRATION_EMAIL] = TF(email, 0, KIND_TEXT),
    [REGISTRATION_OTHER_CONTACT] = TF(other_contact, REGISTRATION_OTHER_CONTACT_CHARS, KIND_TEXT),
    [REGISTRATION_PLACE] = TF(registration_place, 0, KIND_CODE),
    [REGISTRATION_REASON] = TF(reason, 0, KIND_CODE),
    [REGISTRATION_REASON_OTHER_TEXT] = TF(reason_other, REGISTRATION_REASON_OTHER_CHARS, KIND_TEXT),
    [REGISTRATION_JOB_INTENTION_1] =
        TF(job_intention[0], REGISTRATION_JOB_INTENTION_CHARS, KIND_TEXT),
    [REGISTRATION_JOB_INTENTION_2] =
        TF(job_intention[1], REGISTRATION_JOB_INTENTION_CHARS, KIND_TEXT),
    [REGISTRATION_REMARKS] = TF(remarks, REGISTRATION_REMARKS_CHARS, KIND_MULTILINE),
    [REGISTRATION_SITUATION] = TF(situation, 0, KIND_CODE),
    [REGISTRATION_SITUATION_DETAIL] =
        TF(situation_detail, REGISTRATION_SITUATION_DETAIL_CHARS, KIND_TEXT),
    [REGISTRATION_JOB_AREA] = TF(job_area, 0, KIND_DIVISION),
    [REGISTRATION_EXPECTED_WAGE] = TF(expected_wage, 0, KIND_CODE),
};

/* The fields, described once, in form order. */
#define F(f, key, title, input, table, section, required, on_form)                                 \
    {                                                                                              \
        REGISTRATION_##f, key, title, REGISTRATION_INPUT_##input, table,                           \
            REGISTRATION_SECTION_##section, required, on_form                                      \
    }
#define NONE (-1)
static const registration_field_info fields[REGISTRATION_FIELD_COUNT] = {
    F(NAME, "name", "姓名", TEXT, NONE, PERSONAL, true, true),
    F(SEX, "sex", "性别", CODE, CODES_SEX, PERSONAL, true, true),
    F(ETHNICITY, "ethnicity", "民族", CODE, CODES_ETHNICITY, PERSONAL, true, true),
    F(POLITICAL, "political", "政治面貌", CODE, CODES_POLITICAL, PERSONAL, false, true),
    F(EDUCATION, "education", "学历", CODE, CODES_EDUCATION, PERSONAL, true, true),
    F(HEALTH, "health", "健康状况", CODE, CODES_HEALTH, PERSONAL, true, true),
    F(DISABILITY_GRADE, "disability_grade", "残疾等级", CODE, CODES_DISABILITY_GRADE, PERSONAL,
      false, true),
    F(BIRTH_DATE, "birth_date", "出生日期", DATE, NONE, PERSONAL, true, false),
    F(DOCUMENT_TYPE, "document_type", "证件类型", CODE, CODES_DOCUMENT_TYPE, DOCUMENT, true, true),
    F(DOCUMENT_NUMBER, "document_number", "证件号码", IDNUM, NONE, DOCUMENT, true, true),
    F(HOUSEHOLD_DIVISION, "household_division", "户籍地区划", DIVISION, NONE, DOCUMENT, true, true),
    F(HOUSEHOLD_DETAIL, "household_detail", "户籍地详细地址", TEXT, NONE, DOCUMENT, true, true),
    F(RESIDENCE_DIVISION, "residence_division", "常住地区划", DIVISION, NONE, DOCUMENT, true, true),
    F(RESIDENCE_DETAIL, "residence_detail", "常住地详细地址", TEXT, NONE, DOCUMENT, true, true),
    F(MOBILE, "mobile", "手机", DIGITS, NONE, CONTACT, true, true),
    F(LANDLINE, "landline", "固定电话", PHONE, NONE, CONTACT, false, true),
    F(EMAIL, "email", "电子邮件", ASCII, NONE, CONTACT, false, true),
    F(OTHER_CONTACT, "other_contact", "其他联系方式", TEXT, NONE, CONTACT, false, true),
    F(UNEMPLOYED_SINCE, "unemployed_since", "失业时间", MONTH, NONE, UNEMPLOYMENT, true, true),
    F(PLACE, "registration_place", "登记失业地", CODE, CODES_REGISTRATION_PLACE, UNEMPLOYMENT,
      false, true),
    F(REASON, "reason", "失业原因", CODE, CODES_UNEMPLOYMENT_REASON, UNEMPLOYMENT, true, true),
    F(REASON_OTHER_TEXT, "reason_other", "其他失业原因", TEXT, NONE, UNEMPLOYMENT, false, true),
    F(CLAIMS_INSURANCE, "claims_insurance", "是否申领失业保险金", YESNO, NONE, UNEMPLOYMENT, true,
      true),
    /* the help wanted heads its page: it is what the hall follows up, and the page is
     * long enough to scroll */
    F(SERVICES, "services", "服务需求", MULTI, CODES_SERVICE, WISHES, false, true),
    F(QUALIFICATION_1, "qualification_1", "职业资格1", TEXT, NONE, WISHES, false, true),
    F(QUALIFICATION_1_LEVEL, "qualification_1_level", "职业资格1等级", TEXT, NONE, WISHES, false,
      true),
    F(QUALIFICATION_2, "qualification_2", "职业资格2", TEXT, NONE, WISHES, false, true),
    F(QUALIFICATION_2_LEVEL, "qualification_2_level", "职业资格2等级", TEXT, NONE, WISHES, false,
      true),
    F(QUALIFICATION_3, "qualification_3", "职业资格3", TEXT, NONE, WISHES, false, true),
    F(QUALIFICATION_3_LEVEL, "qualification_3_level", "职业资格3等级", TEXT, NONE, WISHES, false,
      true),
    F(JOB_INTENTION_1, "job_intention_1", "求职意向1", TEXT, NONE, WISHES, false, true),
    F(JOB_INTENTION_2, "job_intention_2", "求职意向2", TEXT, NONE, WISHES, false, true),
    F(REMARKS, "remarks", "其他需要说明的事项", TEXT, NONE, WISHES, false, true),
    /* the other types' own fields, each on its type's one page */
    F(SITUATION, "situation", "注销情形", CODE, CODES_DEREGISTRATION_SITUATION, DEREGISTRATION,
      true, true),
    F(SITUATION_DATE, "situation_date", "情形发生日期", DATE, NONE, DEREGISTRATION, true, true),
    F(SITUATION_DETAIL, "situation_detail", "单位或经营名称", TEXT, NONE, DEREGISTRATION, false,
      true),
    F(JOB_CATEGORIES, "job_categories", "意向岗位", MULTI, CODES_JOB_CATEGORY, JOBSEEKER, true,
      true),
    F(JOB_AREA, "job_area", "意向工作地区", DIVISION, NONE, JOBSEEKER, true, true),
    F(EXPECTED_WAGE, "expected_wage", "期望月薪", CODE, CODES_WAGE_RANGE, JOBSEEKER, true, true),
    F(AVAILABLE_FROM, "available_from", "可到岗日期", DATE, NONE, JOBSEEKER, true, true),
};

/* The other types: the holder as the card gave it (checked as in a registration, not on
 * the form; the ethnicity carried as the card gave it, not required), then their own page. Mobile
 * is asked on the job seeker's page: the hall calls with job leads. */
static const registration_field_info deregistration_fields[] = {
    F(NAME, "name", "姓名", TEXT, NONE, DEREGISTRATION, true, false),
    F(SEX, "sex", "性别", CODE, CODES_SEX, DEREGISTRATION, true, false),
    F(ETHNICITY, "ethnicity", "民族", CODE, CODES_ETHNICITY, DEREGISTRATION, false, false),
    F(BIRTH_DATE, "birth_date", "出生日期", DATE, NONE, DEREGISTRATION, true, false),
    F(DOCUMENT_TYPE, "document_type", "证件类型", CODE, CODES_DOCUMENT_TYPE, DEREGISTRATION, true,
      false),
    F(DOCUMENT_NUMBER, "document_number", "证件号码", IDNUM, NONE, DEREGISTRATION, true, false),
    F(SITUATION, "situation", "注销情形", CODE, CODES_DEREGISTRATION_SITUATION, DEREGISTRATION,
      true, true),
    F(SITUATION_DATE, "situation_date", "情形发生日期", DATE, NONE, DEREGISTRATION, true, true),
    F(SITUATION_DETAIL, "situation_detail", "单位或经营名称", TEXT, NONE, DEREGISTRATION, false,
      true),
};

static const registration_field_info jobseeker_fields[] = {
    F(NAME, "name", "姓名", TEXT, NONE, JOBSEEKER, true, false),
    F(SEX, "sex", "性别", CODE, CODES_SEX, JOBSEEKER, true, false),
    F(ETHNICITY, "ethnicity", "民族", CODE, CODES_ETHNICITY, JOBSEEKER, false, false),
    F(BIRTH_DATE, "birth_date", "出生日期", DATE, NONE, JOBSEEKER, true, false),
    F(DOCUMENT_TYPE, "document_type", "证件类型", CODE, CODES_DOCUMENT_TYPE, JOBSEEKER, true,
      false),
    F(DOCUMENT_NUMBER, "document_number", "证件号码", IDNUM, NONE, JOBSEEKER, true, false),
    F(JOB_CATEGORIES, "job_categories", "意向岗位", MULTI, CODES_JOB_CATEGORY, JOBSEEKER, true,
      true),
    F(JOB_AREA, "job_area", "意向工作地区", DIVISION, NONE, JOBSEEKER, true, true),
    F(EXPECTED_WAGE, "expected_wage", "期望月薪", CODE, CODES_WAGE_RANGE, JOBSEEKER, true, true),
    F(AVAILABLE_FROM, "available_from", "可到岗日期", DATE, NONE, JOBSEEKER, true, true),
    F(MOBILE, "mobile", "手机", DIGITS, NONE, JOBSEEKER, true, true),
};
#undef F
#undef NONE

/* The registration's rows: those before the other types' own fields. */
#define REGISTRATION_ROWS ((size_t)REGISTRATION_SITUATION)

static const struct {
    const char *key;
    const registration_field_info *fields;
    size_t n;
} types[REGISTRATION_TYPE_COUNT] = {
    [REGISTRATION_TYPE_REGISTRATION] = {"registration", fields, REGISTRATION_ROWS},
    [REGISTRATION_TYPE_DEREGISTRATION] = {"deregistration", deregistration_fields,
                                          sizeof deregistration_fields /
                                              sizeof deregistration_fields[0]},
    [REGISTRATION_TYPE_JOBSEEKER] = {"jobseeker", jobseeker_fields,
                                     sizeof jobseeker_fields / sizeof jobseeker_fields[0]},
};

/* schema by field, made once */
static const registration_field_info *by_field[REGISTRATION_FIELD_COUNT];
static pthread_once_t by_field_once = PTHREAD_ONCE_INIT;

static void index_schema(void)
{
    for (size_t i = 0; i < REGISTRATION_FIELD_COUNT; i++)
        by_field[fields[i].field] = &fields[i];
}

const registration_field_info *registration_schema(size_t *n)
{
    *n = REGISTRATION_FIELD_COUNT;
    return fields;
}

const registration_field_info *registration_field_get(registration_field field)
{
    if ((unsigned)field >= REGISTRATION_FIELD_COUNT)
        return NULL;
    pthread_once(&by_field_once, index_schema);
    return by_field[field];
}

const registration_field_info *registration_type_schema(registration_type type, size_t *n)
{
    if ((unsigned)type >= REGISTRATION_TYPE_COUNT) {
        *n = 0;
        return NULL;
    }
    *n = types[type].n;
    return types[type].fields;
}

const registration_field_info *registration_type_field(registration_type type,
                                                       registration_field field)
{
    size_t n;
    const registration_field_info *rows = registration_type_schema(type, &n);
    for (size_t i = 0; i < n; i++)
        if (rows[i].field == field)
            return &rows[i];
    return NULL;
}

registration_type registration_section_type(registration_section section)
{
    if ((unsigned)section < REGISTRATION_SECTION_COUNT)
        return REGISTRATION_TYPE_REGISTRATION;
    if (section == REGISTRATION_SECTION_DEREGISTRATION)
        return REGISTRATION_TYPE_DEREGISTRATION;
    if (section == REGISTRATION_SECTION_JOBSEEKER)
        return REGISTRATION_TYPE_JOBSEEKER;
    return REGISTRATION_TYPE_COUNT;
}

size_t registration_section_fields(registration_section section, registration_field *out,
                                   size_t max)
{
    size_t n = 0, rows_n;
    const registration_field_info *rows =
        registration_type_schema(registration_section_type(section), &rows_n);
    for (size_t i = 0; i < rows_n && n < max; i++)
        if (rows[i].section == section && rows[i].on_form)
            out[n++] = rows[i].field;
    return n;
}

const char *registration_type_key(registration_type type)
{
    return (unsigned)type < REGISTRATION_TYPE_COUNT ? types[type].key : "?";
}

kiosk_rc registration_type_parse(const char *key, registration_type *out)
{
    for (int t = 0; key && t < REGISTRATION_TYPE_COUNT; t++)
        if (strcmp(types[t].key, key) == 0) {
            *out = (registration_type)t;
            return KIOSK_OK;
        }
    return KIOSK_INVALID;
}

const char *registration_field_key(registration_field field)
{
    const registration_field_info *fi = registration_field_get(field);
    return fi ? fi->key : "?";
}

const char *registration_error_key(registration_error error)
{
    switch (error) {
    case REGISTRATION_ERR_REQUIRED:
        return "required";
    case REGISTRATION_ERR_FORMAT:
        return "format";
    case REGISTRATION_ERR_UNKNOWN_CODE:
        return "unknown_code";
    case REGISTRATION_ERR_IN_FUTURE:
        return "in_future";
    case REGISTRATION_ERR_BEFORE_16TH_BIRTHDAY:
        return "before_16th_birthday";
    case REGISTRATION_ERR_TOO_LONG:
        return "too_long";
    case REGISTRATION_ERR_MISMATCH:
        return "mismatch";
    case REGISTRATION_ERR_NOT_APPLICABLE:
        return "not_applicable";
    }
    return "?";
}

/* ---- the record and its setters ---- */

void registration_init(registration *rec)
{
    memset(rec, 0, sizeof *rec);
}

void registration_wipe(registration *rec)
{
    if (rec)
        explicit_bzero(rec, sizeof *rec);
}

static const text_field *text_field_of(registration_field field)
{
    if ((unsigned)field >= REGISTRATION_FIELD_COUNT || text_fields[field].size == 0)
        return NULL;
    return &text_fields[field];
}

static char *field_ptr(registration *rec, const text_field *tf)
{
    return (char *)rec + tf->offset;
}

static const char *field_cptr(const registration *rec, const text_field *tf)
{
    return (const char *)rec + tf->offset;
}

static int is_locked(const registration *rec, registration_field field)
{
    return (unsigned)field < REGISTRATION_FIELD_COUNT && (rec->from_card >> field) & 1u;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Whether s (n bytes) may be stored in a field of this kind. */
static int value_ok(text_kind kind, const char *s, size_t n)
{
    switch (kind) {
    case KIND_CODE:
    case KIND_DIVISION:
        return all_digits(s, n);
    case KIND_DOCUMENT:
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7F)
                return 0;
        return 1;
    case KIND_TEXT:
    case KIND_MULTILINE:
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if ((c < 0x20 && !(c == '\n' && kind == KIND_MULTILINE)) || c == 0x7F)
                return 0;
        }
        return kiosk_utf8_valid(s);
    }
    return 0;
}

kiosk_rc registration_set_text(registration *rec, registration_field field, const char *value)
{
    const text_field *tf = text_field_of(field);
    if (!rec || !tf)
        return KIOSK_INVALID;
    if (is_locked(rec, field))
        return KIOSK_READ_ONLY;
    if (!value)
        value = "";
    size_t n = strlen(value);
    if (n >= tf->size)
        return KIOSK_RANGE;
    if (!value_ok(tf->kind, value, n))
        return KIOSK_INVALID;
    char *dst = field_ptr(rec, tf);
    memset(dst, 0, tf->size);
    memcpy(dst, value, n);
    if (tf->kind == KIND_DOCUMENT)
        for (size_t i = 0; i < n; i++)
            if (dst[i] >= 'a' && dst[i] <= 'z')
                dst[i] = (char)(dst[i] - 'a' + 'A');
    return KIOSK_OK;
}

const char *registration_get_text(const registration *rec, registration_field field)
{
    const text_field *tf = text_field_of(field);
    return rec && tf ? field_cptr(rec, tf) : NULL;
}

static int date_is_zero(kiosk_date d)
{
    return d.year == 0 && d.month == 0 && d.day == 0;
}

kiosk_rc registration_set_birth_date(registration *rec, kiosk_date date)
{
    if (!rec || (!date_is_zero(date) && kiosk_date_check(date) != KIOSK_OK))
        return KIOSK_INVALID;
    if (is_locked(rec, REGISTRATION_BIRTH_DATE))
        return KIOSK_READ_ONLY;
    rec->birth_date = date;
    return KIOSK_OK;
}

static int month_ok(int year, int month)
{
    return year >= 1900 && year <= 2999 && month >= 1 && month <= 12;
}

kiosk_rc registration_set_unemployed_since(registration *rec, int year, int month)
{
    if (!rec || (!(year == 0 && month == 0) && !month_ok(year, month)))
        return KIOSK_INVALID;
    if (is_locked(rec, REGISTRATION_UNEMPLOYED_SINCE))
        return KIOSK_READ_ONLY;
    rec->unemployed_since.year = year;
    rec->unemployed_since.month = month;
    return KIOSK_OK;
}

kiosk_rc registration_set_claims_insurance(registration *rec, registration_yesno value)
{
    if (!rec ||
        (value != REGISTRATION_UNSET && value != REGISTRATION_YES && value != REGISTRATION_NO))
        return KIOSK_INVALID;
    if (is_locked(rec, REGISTRATION_CLAIMS_INSURANCE))
        return KIOSK_READ_ONLY;
    rec->claims_insurance = value;
    return KIOSK_OK;
}

static int code_ok(const char *code)
{
    if (!code)
        return 0;
    size_t n = strlen(code);
    return n >= 1 && n <= REGISTRATION_CODE_CAP && all_digits(code, n);
}

/* Numeric order of digit strings without leading-zero games: shorter first. */
static int code_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

/* Insert into a sorted set; 1 when inserted, 0 when present, -1 when full. */
static int set_insert_cap(char (*set)[REGISTRATION_CODE_CAP + 1], size_t *count, size_t cap,
                          const char *code)
{
    size_t i = 0;
    while (i < *count && code_cmp(set[i], code) < 0)
        i++;
    if (i < *count && code_cmp(set[i], code) == 0)
        return 0;
    if (*count >= cap)
        return -1;
    memmove(set[i + 1], set[i], (*count - i) * sizeof set[0]);
    memset(set[i], 0, sizeof set[i]);
    memcpy(set[i], code, strlen(code));
    (*count)++;
    return 1;
}

static int set_insert(char (*set)[REGISTRATION_CODE_CAP + 1], size_t *count, const char *code)
{
    return set_insert_cap(set, count, REGISTRATION_SERVICES_MAX, code);
}

kiosk_rc registration_add_service(registration *rec, const char *code)
{
    if (!rec || !code_ok(code))
        return KIOSK_INVALID;
    if (is_locked(rec, REGISTRATION_SERVICES))
        return KIOSK_READ_ONLY;
    if (rec->service_count > REGISTRATION_SERVICES_MAX)
        return KIOSK_INVALID;
    return set_insert(rec->services, &rec->service_count, code) < 0 ? KIOSK_RANGE : KIOSK_OK;
}

kiosk_rc registration_remove_service(registration *rec, const char *code)
{
    if (!rec || !code_ok(code))
        return KIOSK_INVALID;
    if (is_locked(rec, REGISTRATION_SERVICES))
        return KIOSK_READ_ONLY;
    if (rec->service_count > REGISTRATION_SERVICES_MAX)
        return KIOSK_INVALID;
    for (size_t i = 0; i < rec->service_count; i++) {
        if (strcmp(rec->services[i], code) == 0) {
            memmove(rec->services[i], rec->services[i + 1],
                    (rec->service_count - i - 1) * sizeof rec->services[0]);
            rec->service_count--;
            memset(rec->services[rec->service_count], 0, sizeof rec->services[0]);
            break;
        }
    }
    return KIOSK_OK;
}

kiosk_rc registration_set_services(registration *rec, const char *const *codes, size_t n)
{
    if (!rec || (n > 0 && !codes))
        return KIOSK_INVALID;
    if (is_locked(rec, REGISTRATION_SERVICES))
        return KIOSK_READ_ONLY;
    char set[REGISTRATION_SERVICES_MAX][REGISTRATION_CODE_CAP + 1];
    size_t count = 0;
    memset(set, 0, sizeof set);
    for (size_t i = 0; i < n; i++) {
        if (!code_ok(codes[i]))
            return KIOSK_INVALID;
        if (set_insert(set, &count, codes[i]) < 0)
            return KIOSK_RANGE;
    }
    memcpy(rec->services, set, sizeof set);
    rec->service_count = count;
    return KIOSK_OK;
}

int registration_has_service(const registration *rec, const char *code)
{
    if (!rec || !code || rec->service_count > REGISTRATION_SERVICES_MAX)
        return 0;
    for (size_t i = 0; i < rec->service_count; i++)
        if (strcmp(rec->services[i], code) == 0)
            return 1;
    return 0;
}

kiosk_rc registration_add_choice(registration *rec, registration_field field, const char *code)
{
    if (field == REGISTRATION_SERVICES)
        return registration_add_service(rec, code);
    if (!rec || field != REGISTRATION_JOB_CATEGORIES || !code_ok(code) ||
        rec->job_category_count > REGISTRATION_JOB_CATEGORIES_MAX)
        return KIOSK_INVALID;
    if (is_locked(rec, field))
        return KIOSK_READ_ONLY;
    return set_insert_cap(rec->job_categories, &rec->job_category_count,
                          REGISTRATION_JOB_CATEGORIES_MAX, code) < 0
               ? KIOSK_RANGE
               : KIOSK_OK;
}

kiosk_rc registration_remove_choice(registration *rec, registration_field field, const char *code)
{
    if (field == REGISTRATION_SERVICES)
        return registration_remove_service(rec, code);
    if (!rec || field != REGISTRATION_JOB_CATEGORIES || !code_ok(code) ||
        rec->job_category_count > REGISTRATION_JOB_CATEGORIES_MAX)
        return KIOSK_INVALID;
    if (is_locked(rec, field))
        return KIOSK_READ_ONLY;
    for (size_t i = 0; i < rec->job_category_count; i++) {
        if (strcmp(rec->job_categories[i], code) == 0) {
            memmove(rec->job_categories[i], rec->job_categories[i + 1],
                    (rec->job_category_count - i - 1) * sizeof rec->job_categories[0]);
            rec->job_category_count--;
            memset(rec->job_categories[rec->job_category_count], 0, sizeof rec->job_categories[0]);
            break;
        }
    }
    return KIOSK_OK;
}

int registration_has_choice(const registration *rec, registration_field field, const char *code)
{
    if (field == REGISTRATION_SERVICES)
        return registration_has_service(rec, code);
    if (!rec || !code || field != REGISTRATION_JOB_CATEGORIES ||
        rec->job_category_count > REGISTRATION_JOB_CATEGORIES_MAX)
        return 0;
    for (size_t i = 0; i < rec->job_category_count; i++)
        if (strcmp(rec->job_categories[i], code) == 0)
            return 1;
    return 0;
}

kiosk_rc registration_set_type(registration *rec, registration_type type)
{
    if (!rec || (unsigned)type >= REGISTRATION_TYPE_COUNT)
        return KIOSK_INVALID;
    rec->type = type;
    return KIOSK_OK;
}

static kiosk_date *date_field(registration *rec, registration_field field)
{
    switch (field) {
    case REGISTRATION_BIRTH_DATE:
        return &rec->birth_date;
    case REGISTRATION_SITUATION_DATE:
        return &rec->situation_date;
    case REGISTRATION_AVAILABLE_FROM:
        return &rec->available_from;
    default:
        return NULL;
    }
}

kiosk_rc registration_set_date(registration *rec, registration_field field, kiosk_date date)
{
    kiosk_date *d = rec ? date_field(rec, field) : NULL;
    if (!d)
        return KIOSK_INVALID;
    if (is_locked(rec, field))
        return KIOSK_READ_ONLY;
    if (!date_is_zero(date) && kiosk_date_check(date) != KIOSK_OK)
        return KIOSK_INVALID;
    *d = date;
    return KIOSK_OK;
}

kiosk_rc registration_lock(registration *rec, registration_field field)
{
    if (!rec || (unsigned)field >= REGISTRATION_FIELD_COUNT)
        return KIOSK_INVALID;
    rec->from_card |= (uint64_t)1 << field;
    return KIOSK_OK;
}

int registration_is_locked(const registration *rec, registration_field field)
{
    return rec && is_locked(rec, field);
}

/* ---- checks of single values ---- */

/* The stored text of a field when it is terminated and holds what its kind allows. */
static const char *stored_text(const registration *rec, const text_field *tf)
{
    const char *s = field_cptr(rec, tf);
    const char *nul = memchr(s, '\0', tf->size);
    if (!nul || !value_ok(tf->kind, s, (size_t)(nul - s)))
        return NULL;
    return s;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Empty, or only ASCII blanks and ideographic spaces (U+3000). */
static int is_blank(const char *s)
{
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        else if (strncmp(s, "\xE3\x80\x80", 3) == 0)
            s += 3;
        else
            return 0;
    }
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Mobile numbers: 11 digits, 1 then 3..9 (13x … 19x). */
static int mobile_ok(const char *s)
{
    return strlen(s) == 11 && all_digits(s, 11) && s[0] == '1' && s[1] >= '3' && s[1] <= '9';
}

registration_mobile_state registration_mobile_check(const char *typed, int *missing)
{
    if (missing)
        *missing = 0;
    size_t n = typed ? strlen(typed) : 0;
    if (n == 0)
        return REGISTRATION_MOBILE_EMPTY;
    if (!all_digits(typed, n))
        return REGISTRATION_MOBILE_NOT_DIGITS;
    if (typed[0] != '1')
        return REGISTRATION_MOBILE_FIRST;
    if (n >= 2 && (typed[1] < '3' || typed[1] > '9'))
        return REGISTRATION_MOBILE_SECOND;
    if (n > 11)
        return REGISTRATION_MOBILE_LONG;
    if (n < 11) {
        if (missing)
            *missing = (int)(11 - n);
        return REGISTRATION_MOBILE_SHORT;
    }
    return REGISTRATION_MOBILE_OK;
}

char *registration_mobile_group(const char *typed, char *out, size_t size)
{
    if (size == 0)
        return out;
    size_t o = 0, n = typed ? strlen(typed) : 0;
    int digits_only = n > 0 && all_digits(typed, n);
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        if (digits_only && (i == 3 || i == 7) && o + 2 < size)
            out[o++] = ' ';
        out[o++] = typed[i];
    }
    out[o] = '\0';
    return out;
}

static size_t count_digits(const char *s)
{
    size_t n = 0;
    while (is_digit(s[n]))
        n++;
    return n;
}

/* Landlines: area code (010 and 020–029 have three digits, the others four), an
 * optional '-', a 7- or 8-digit number not starting with 0 (a trunk prefix), an optional
 * "-extension" of 1..6 digits. */
static int landline_ok(const char *s)
{
    if (s[0] != '0' || !is_digit(s[1]) || s[1] == '0')
        return 0;
    size_t area = s[1] == '1' || s[1] == '2' ? 3 : 4;
    if (count_digits(s) < area || (s[1] == '1' && s[2] != '0'))
        return 0;
    const char *p = s + area;
    if (*p == '-')
        p++;
    size_t n = count_digits(p);
    if ((n != 7 && n != 8) || p[0] == '0')
        return 0;
    p += n;
    if (*p == '\0')
        return 1;
    if (*p != '-')
        return 0;
    p++;
    n = count_digits(p);
    return n >= 1 && n <= 6 && p[n] == '\0';
}

static int atext(char c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* A plain syntactic check (RFC 5322 dot-atom @ a DNS name), ASCII only: what people
 * type, not every address the RFC allows (no quoted local parts, no IP literals). */
static int email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@'))
        return 0;
    size_t local = (size_t)(at - s);
    if (local < 1 || local > 64 || s[0] == '.' || at[-1] == '.')
        return 0;
    for (const char *p = s; p < at; p++)
        if (!(atext(*p) || (*p == '.' && p[1] != '.')))
            return 0;
    const char *d = at + 1;
    size_t dlen = strlen(d), labels = 0;
    if (dlen < 3 || dlen > 253)
        return 0;
    const char *label = d;
    for (;;) {
        size_t n = 0;
        while (is_alpha(label[n]) || is_digit(label[n]) || label[n] == '-')
            n++;
        if (n < 1 || n > 63 || label[0] == '-' || label[n - 1] == '-')
            return 0;
        labels++;
        if (label[n] == '\0') {
            if (labels < 2 || n < 2)
                return 0;
            for (size_t i = 0; i < n; i++)
                if (!is_alpha(label[i]))
                    return 0;
            return 1;
        }
        if (label[n] != '.')
            return 0;
        label += n + 1;
    }
}

/* Names: letters of any script, blanks, '.', '-', '\'' and non-ASCII marks such as '·';
 * no ASCII digits or other ASCII symbols. */
static int name_ok(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x80 && !is_alpha((char)c) && !strchr(" .-'", (char)c))
            return 0;
    }
    return 1;
}

/* Travel documents without a national check: 5..20 letters and digits. */
static int generic_document_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 5 || n > 20)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]) && !(s[i] >= 'A' && s[i] <= 'Z'))
            return 0;
    return 1;
}

static int month_cmp(int y1, int m1, int y2, int m2)
{
    if (y1 != y2)
        return y1 < y2 ? -1 : 1;
    return m1 < m2 ? -1 : m1 > m2;
}

/* ---- the rules ---- */

typedef struct checker {
    const registration *rec;
    const codes_tables *codes;
    const divisions *divs;
    kiosk_date today;
    registration_error err[REGISTRATION_FIELD_COUNT];
} checker;

/* The text of a field, or NULL after recording FORMAT / TOO_LONG. */
static const char *text_of(checker *c, registration_field f)
{
    const text_field *tf = &text_fields[f];
    const char *s = stored_text(c->rec, tf);
    if (!s) {
        c->err[f] = REGISTRATION_ERR_FORMAT;
        return NULL;
    }
    if (tf->chars && utf8_chars(s) > tf->chars) {
        c->err[f] = REGISTRATION_ERR_TOO_LONG;
        return NULL;
    }
    return s;
}

/* A code field: REQUIRED when blank and required, UNKNOWN_CODE when not in its table.
 * Returns the code when it is given and known. */
static const char *check_code(checker *c, registration_field f, codes_table table, int required)
{
    const char *s = text_of(c, f);
    if (!s)
        return NULL;
    if (is_blank(s)) {
        if (required)
            c->err[f] = REGISTRATION_ERR_REQUIRED;
        return NULL;
    }
    if (codes_check(c->codes, table, s) != KIOSK_OK) {
        c->err[f] = REGISTRATION_ERR_UNKNOWN_CODE;
        return NULL;
    }
    return s;
}

/* A free-text field; returns it when given (not blank). */
static const char *check_free(checker *c, registration_field f, int required)
{
    const char *s = text_of(c, f);
    if (!s)
        return NULL;
    if (is_blank(s)) {
        if (required)
            c->err[f] = REGISTRATION_ERR_REQUIRED;
        return NULL;
    }
    return s;
}

static void check_division(checker *c, registration_field f)
{
    const char *s = check_free(c, f, 1);
    if (!s)
        return;
    size_t n = strlen(s);
    if (n != 6 && n != 9 && n != 12)
        c->err[f] = REGISTRATION_ERR_FORMAT;
    else if (!divisions_name(c->divs, s))
        c->err[f] = REGISTRATION_ERR_UNKNOWN_CODE;
}

/* A required date that may not be after today; 1 when it is good. */
static int check_past_date(checker *c, registration_field f, kiosk_date d)
{
    if (date_is_zero(d))
        c->err[f] = REGISTRATION_ERR_REQUIRED;
    else if (kiosk_date_check(d) != KIOSK_OK)
        c->err[f] = REGISTRATION_ERR_FORMAT;
    else if (kiosk_date_cmp(d, c->today) > 0)
        c->err[f] = REGISTRATION_ERR_IN_FUTURE;
    else
        return 1;
    return 0;
}

static void check_dates(checker *c, int *birth_ok)
{
    const registration *rec = c->rec;
    kiosk_date b = rec->birth_date;
    *birth_ok = check_past_date(c, REGISTRATION_BIRTH_DATE, b);

    registration_month u = rec->unemployed_since;
    registration_error *e = &c->err[REGISTRATION_UNEMPLOYED_SINCE];
    if (u.year == 0 && u.month == 0)
        *e = REGISTRATION_ERR_REQUIRED;
    else if (!month_ok(u.year, u.month))
        *e = REGISTRATION_ERR_FORMAT;
    else if (month_cmp(u.year, u.month, c->today.year, c->today.month) > 0)
        *e = REGISTRATION_ERR_IN_FUTURE;
    else if (*birth_ok && month_cmp(u.year, u.month, b.year + 16, b.month) < 0)
        *e = REGISTRATION_ERR_BEFORE_16TH_BIRTHDAY;
}

/* The document number by its type; for numbers that carry a birth date and sex, the
 * record's must agree (reported on those fields). */
static void check_document(checker *c, const char *type, const char *sex, int birth_ok)
{
    registration_field f = REGISTRATION_DOCUMENT_NUMBER;
    const char *num = check_free(c, f, 1);
    if (!num || !type)
        return;
    int id = 0, ok;
    idnum_info info;
    if (strcmp(type, REGISTRATION_DOC_RESIDENT_ID) == 0) {
        ok = idnum_parse18(num, c->today, &info) == KIOSK_OK && info.kind == IDNUM_RESIDENT;
        id = 1;
    } else if (strcmp(type, REGISTRATION_DOC_SOCIAL_SECURITY) == 0) {
        ok = idnum_parse18(num, c->today, &info) == KIOSK_OK;
        id = 1;
    } else if (strcmp(type, REGISTRATION_DOC_RESIDENCE_PERMIT) == 0) {
        ok = idnum_parse18(num, c->today, &info) == KIOSK_OK && idnum_kind_is_permit(info.kind);
        id = 1;
    } else if (strcmp(type, REGISTRATION_DOC_PERMIT_HKMO) == 0) {
        ok = idnum_check_permit_hkmo(num) == KIOSK_OK;
    } else if (strcmp(type, REGISTRATION_DOC_PERMIT_TW) == 0) {
        ok = idnum_check_permit_tw(num) == KIOSK_OK;
    } else {
        ok = generic_document_ok(num);
    }
    if (!ok) {
        c->err[f] = REGISTRATION_ERR_FORMAT;
        return;
    }
    if (!id)
        return;
    if (sex && !(strcmp(sex, "1") == 0 && info.sex == IDNUM_MALE) &&
        !(strcmp(sex, "2") == 0 && info.sex == IDNUM_FEMALE))
        c->err[REGISTRATION_SEX] = REGISTRATION_ERR_MISMATCH;
    if (birth_ok && kiosk_date_cmp(info.birth, c->rec->birth_date) != 0)
        c->err[REGISTRATION_BIRTH_DATE] = REGISTRATION_ERR_MISMATCH;
}

/* A set of codes (services, job categories): sorted, well formed, known; required
 * means at least one. */
static void check_set(checker *c, registration_field f,
                      const char (*set)[REGISTRATION_CODE_CAP + 1], size_t count, size_t cap,
                      codes_table table, int required)
{
    registration_error *e = &c->err[f];
    if (count > cap) {
        *e = REGISTRATION_ERR_FORMAT;
        return;
    }
    if (count == 0 && required) {
        *e = REGISTRATION_ERR_REQUIRED;
        return;
    }
    for (size_t i = 0; i < count; i++) {
        const char *s = set[i];
        if (!memchr(s, '\0', sizeof set[i]) || !code_ok(s) ||
            (i > 0 && code_cmp(set[i - 1], s) >= 0)) {
            *e = REGISTRATION_ERR_FORMAT;
            return;
        }
    }
    for (size_t i = 0; i < count; i++)
        if (codes_check(c->codes, table, set[i]) != KIOSK_OK) {
            *e = REGISTRATION_ERR_UNKNOWN_CODE;
            return;
        }
}

static void check_services(checker *c)
{
    const registration *rec = c->rec;
    check_set(c, REGISTRATION_SERVICES, rec->services, rec->service_count,
              REGISTRATION_SERVICES_MAX, CODES_SERVICE, 0);
}

/* A field's own check, as the schema describes it: its code table or free text, and
 * whether it is always required. */
static const char *check_field(checker *c, registration_field f)
{
    const registration_field_info *fi = registration_field_get(f);
    return fi->table >= 0 ? check_code(c, f, (codes_table)fi->table, fi->required)
                          : check_free(c, f, fi->required);
}

static void check_registration(checker *c);

/* The holder as the other types carry it: name, sex, birth date, document. */
static void check_identity(checker *c)
{
    const char *name = check_field(c, REGISTRATION_NAME);
    if (name && !name_ok(name))
        c->err[REGISTRATION_NAME] = REGISTRATION_ERR_FORMAT;
    const char *sex = check_field(c, REGISTRATION_SEX);
    check_code(c, REGISTRATION_ETHNICITY, CODES_ETHNICITY, 0);
    int birth_ok = check_past_date(c, REGISTRATION_BIRTH_DATE, c->rec->birth_date);
    const char *type = check_field(c, REGISTRATION_DOCUMENT_TYPE);
    check_document(c, type, sex, birth_ok);
}

/* 就业/失业注销申报: the situation, its date, and for a job, a business or "other" the
 * name or words that say which. */
static void check_deregistration(checker *c)
{
    check_identity(c);
    const char *sit = check_field(c, REGISTRATION_SITUATION);
    check_past_date(c, REGISTRATION_SITUATION_DATE, c->rec->situation_date);
    int needs = sit && (strcmp(sit, REGISTRATION_SITUATION_HIRED) == 0 ||
                        strcmp(sit, REGISTRATION_SITUATION_SELF_EMPLOYED) == 0 ||
                        strcmp(sit, REGISTRATION_SITUATION_COMPANY) == 0 ||
                        strcmp(sit, REGISTRATION_SITUATION_OTHER) == 0);
    check_free(c, REGISTRATION_SITUATION_DETAIL, needs);
}

/* 求职登记: 1..3 intended jobs, a district, a wage range, a date, a mobile number. */
static void check_jobseeker(checker *c)
{
    const registration *rec = c->rec;
    check_identity(c);
    check_set(c, REGISTRATION_JOB_CATEGORIES, rec->job_categories, rec->job_category_count,
              REGISTRATION_JOB_CATEGORIES_MAX, CODES_JOB_CATEGORY, 1);
    check_division(c, REGISTRATION_JOB_AREA);
    if (c->err[REGISTRATION_JOB_AREA] == 0 && strlen(rec->job_area) != 6)
        c->err[REGISTRATION_JOB_AREA] = REGISTRATION_ERR_FORMAT;
    check_field(c, REGISTRATION_EXPECTED_WAGE);
    kiosk_date d = rec->available_from;
    if (date_is_zero(d))
        c->err[REGISTRATION_AVAILABLE_FROM] = REGISTRATION_ERR_REQUIRED;
    else if (kiosk_date_check(d) != KIOSK_OK)
        c->err[REGISTRATION_AVAILABLE_FROM] = REGISTRATION_ERR_FORMAT;
    const char *mobile = check_field(c, REGISTRATION_MOBILE);
    if (mobile && !mobile_ok(mobile))
        c->err[REGISTRATION_MOBILE] = REGISTRATION_ERR_FORMAT;
}

/* A field the record's type does not carry must not be given. */
static void check_foreign(checker *c)
{
    char buf[16];
    for (int f = 0; f < REGISTRATION_FIELD_COUNT; f++)
        if (!registration_type_field(c->rec->type, (registration_field)f) && c->err[f] == 0 &&
            registration_value(c->rec, (registration_field)f, ",", buf, sizeof buf)[0])
            c->err[f] = REGISTRATION_ERR_NOT_APPLICABLE;
}

static void check_all(checker *c)
{
    switch (c->rec->type) {
    case REGISTRATION_TYPE_REGISTRATION:
        check_registration(c);
        break;
    case REGISTRATION_TYPE_DEREGISTRATION:
        check_deregistration(c);
        break;
    case REGISTRATION_TYPE_JOBSEEKER:
        check_jobseeker(c);
        break;
    case REGISTRATION_TYPE_COUNT:
        break;
    }
    check_foreign(c);
}

static void check_registration(checker *c)
{
    const registration *rec = c->rec;

    const char *name = check_field(c, REGISTRATION_NAME);
    if (name && !name_ok(name))
        c->err[REGISTRATION_NAME] = REGISTRATION_ERR_FORMAT;
    const char *sex = check_field(c, REGISTRATION_SEX);
    check_field(c, REGISTRATION_ETHNICITY);
    check_field(c, REGISTRATION_POLITICAL);
    check_field(c, REGISTRATION_EDUCATION);
    const char *health = check_field(c, REGISTRATION_HEALTH);

    /* 如健康状况为残疾，需注明伤残等级: grade only with a known 6x health. */
    int disabled = health && health[0] == '6';
    int health_known = health != NULL;
    const char *grade =
        check_code(c, REGISTRATION_DISABILITY_GRADE, CODES_DISABILITY_GRADE, disabled);
    if (grade && health_known && !disabled)
        c->err[REGISTRATION_DISABILITY_GRADE] = REGISTRATION_ERR_NOT_APPLICABLE;

    int birth_ok;
    check_dates(c, &birth_ok);
    const char *type = check_field(c, REGISTRATION_DOCUMENT_TYPE);
    check_document(c, type, sex, birth_ok);

    check_division(c, REGISTRATION_HOUSEHOLD_DIVISION);
    check_field(c, REGISTRATION_HOUSEHOLD_DETAIL);
    check_division(c, REGISTRATION_RESIDENCE_DIVISION);
    check_field(c, REGISTRATION_RESIDENCE_DETAIL);

    for (int i = 0; i < REGISTRATION_QUALIFICATIONS; i++) {
        registration_field nf = (registration_field)(REGISTRATION_QUALIFICATION_1 + 2 * i);
        const char *qname = check_free(c, nf, 0);
        const char *level = check_free(c, (registration_field)(nf + 1), 0);
        if (level && !qname && c->err[nf] == 0)
            c->err[nf] = REGISTRATION_ERR_REQUIRED;
    }

    const char *mobile = check_field(c, REGISTRATION_MOBILE);
    if (mobile && !mobile_ok(mobile))
        c->err[REGISTRATION_MOBILE] = REGISTRATION_ERR_FORMAT;
    const char *landline = check_field(c, REGISTRATION_LANDLINE);
    if (landline && !landline_ok(landline))
        c->err[REGISTRATION_LANDLINE] = REGISTRATION_ERR_FORMAT;
    const char *email = check_field(c, REGISTRATION_EMAIL);
    if (email && !email_ok(email))
        c->err[REGISTRATION_EMAIL] = REGISTRATION_ERR_FORMAT;
    check_field(c, REGISTRATION_OTHER_CONTACT);
    check_field(c, REGISTRATION_PLACE);

    const char *reason = check_field(c, REGISTRATION_REASON);
    int other = reason && strcmp(reason, REGISTRATION_REASON_OTHER) == 0;
    const char *why = check_free(c, REGISTRATION_REASON_OTHER_TEXT, other);
    if (why && reason && !other)
        c->err[REGISTRATION_REASON_OTHER_TEXT] = REGISTRATION_ERR_NOT_APPLICABLE;

    if (rec->claims_insurance == REGISTRATION_UNSET)
        c->err[REGISTRATION_CLAIMS_INSURANCE] = REGISTRATION_ERR_REQUIRED;
    else if (rec->claims_insurance != REGISTRATION_YES && rec->claims_insurance != REGISTRATION_NO)
        c->err[REGISTRATION_CLAIMS_INSURANCE] = REGISTRATION_ERR_FORMAT;

    check_field(c, REGISTRATION_JOB_INTENTION_1);
    check_field(c, REGISTRATION_JOB_INTENTION_2);
    check_field(c, REGISTRATION_REMARKS);
    check_services(c);
}

kiosk_rc registration_validate(const registration *rec, const codes_tables *codes,
                               const divisions *divs, kiosk_date today, registration_issue *errors,
                               size_t max, size_t *count)
{
    if (count)
        *count = 0;
    if (!rec || !codes || !divs || !count || (!errors && max > 0) ||
        kiosk_date_check(today) != KIOSK_OK || (unsigned)rec->type >= REGISTRATION_TYPE_COUNT)
        return KIOSK_RANGE;

    checker c;
    memset(&c, 0, sizeof c);
    c.rec = rec;
    c.codes = codes;
    c.divs = divs;
    c.today = today;
    check_all(&c);

    size_t n = 0;
    for (int f = 0; f < REGISTRATION_FIELD_COUNT; f++) {
        if (c.err[f] == 0)
            continue;
        if (n < max) {
            registration_issue *is = &errors[n];
            is->field = (registration_field)f;
            is->error = c.err[f];
            snprintf(is->key, sizeof is->key, "form.error.%s_%s",
                     registration_field_key((registration_field)f),
                     registration_error_key(c.err[f]));
        }
        n++;
    }
    *count = n;
    return n ? KIOSK_INVALID : KIOSK_OK;
}

/* ---- canonical JSON ---- */

/* Adds a string member; 0 on failure (no memory, or text jansson refuses). */
static int put_str(json_t *obj, const char *key, const char *value)
{
    return json_object_set_new(obj, key, json_string(value)) == 0;
}

static int put_field(json_t *obj, const char *key, const registration *rec, registration_field f)
{
    return put_str(obj, key, field_cptr(rec, &text_fields[f]));
}

static json_t *address_json(const registration *rec, registration_field division)
{
    json_t *o = json_object();
    if (o && put_field(o, "division", rec, division) &&
        put_field(o, "detail", rec, (registration_field)(division + 1)))
        return o;
    json_decref(o);
    return NULL;
}

static json_t *record_json(const registration *rec)
{
    char date[16] = "", month[16] = "";
    if (!date_is_zero(rec->birth_date))
        snprintf(date, sizeof date, "%04d-%02d-%02d", rec->birth_date.year, rec->birth_date.month,
                 rec->birth_date.day);
    if (rec->unemployed_since.year || rec->unemployed_since.month)
        snprintf(month, sizeof month, "%04d-%02d", rec->unemployed_since.year,
                 rec->unemployed_since.month);
    static const char *const yesno[] = {"", "yes", "no"};

    json_t *o = json_object();
    json_t *quals = json_array(), *services = json_array(), *from_card = json_array();
    int ok = o && quals && services && from_card &&
             json_object_set_new(o, "schema", json_integer(REGISTRATION_SCHEMA)) == 0 &&
             put_str(o, "type", registration_type_key(rec->type)) &&
             put_field(o, "name", rec, REGISTRATION_NAME) &&
             put_field(o, "sex", rec, REGISTRATION_SEX) &&
             put_field(o, "ethnicity", rec, REGISTRATION_ETHNICITY) &&
             put_field(o, "political", rec, REGISTRATION_POLITICAL) &&
             put_field(o, "education", rec, REGISTRATION_EDUCATION) &&
             put_field(o, "health", rec, REGISTRATION_HEALTH) &&
             put_field(o, "disability_grade", rec, REGISTRATION_DISABILITY_GRADE) &&
             put_str(o, "birth_date", date) && put_str(o, "unemployed_since", month) &&
             put_field(o, "document_type", rec, REGISTRATION_DOCUMENT_TYPE) &&
             put_field(o, "document_number", rec, REGISTRATION_DOCUMENT_NUMBER) &&
             json_object_set_new(o, "household",
                                 address_json(rec, REGISTRATION_HOUSEHOLD_DIVISION)) == 0 &&
             json_object_set_new(o, "residence",
                                 address_json(rec, REGISTRATION_RESIDENCE_DIVISION)) == 0;
    for (int i = 0; ok && i < REGISTRATION_QUALIFICATIONS; i++) {
        json_t *q = json_object();
        ok = q && put_str(q, "name", rec->qualifications[i].name) &&
             put_str(q, "level", rec->qualifications[i].level);
        ok = json_array_append_new(quals, q) == 0 && ok;
    }
    ok = ok && json_object_set(o, "qualifications", quals) == 0 &&
         put_field(o, "mobile", rec, REGISTRATION_MOBILE) &&
         put_field(o, "landline", rec, REGISTRATION_LANDLINE) &&
         put_field(o, "email", rec, REGISTRATION_EMAIL) &&
         put_field(o, "other_contact", rec, REGISTRATION_OTHER_CONTACT) &&
         put_field(o, "registration_place", rec, REGISTRATION_PLACE) &&
         put_field(o, "reason", rec, REGISTRATION_REASON) &&
         put_field(o, "reason_other", rec, REGISTRATION_REASON_OTHER_TEXT) &&
         put_str(o, "claims_insurance", yesno[rec->claims_insurance]) &&
         put_field(o, "job_intention_1", rec, REGISTRATION_JOB_INTENTION_1) &&
         put_field(o, "job_intention_2", rec, REGISTRATION_JOB_INTENTION_2) &&
         put_field(o, "remarks", rec, REGISTRATION_REMARKS);
    for (size_t i = 0; ok && i < rec->service_count; i++)
        ok = json_array_append_new(services, json_string(rec->services[i])) == 0;
    for (int f = 0; ok && f < REGISTRATION_FIELD_COUNT; f++)
        if (is_locked(rec, (registration_field)f))
            ok = json_array_append_new(
                     from_card, json_string(registration_field_key((registration_field)f))) == 0;
    ok = ok && json_object_set(o, "services", services) == 0 &&
         json_object_set(o, "from_card", from_card) == 0;
    json_decref(quals);
    json_decref(services);
    json_decref(from_card);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The JSON of the other types: "schema", "type", each field of the type's schema in its
 * order (a set as an array of codes, a date as YYYY-MM-DD, the rest as its text), then
 * "from_card". */
static json_t *type_json(const registration *rec)
{
    size_t n;
    const registration_field_info *rows = registration_type_schema(rec->type, &n);
    char buf[REGISTRATION_TEXT_CAP(REGISTRATION_SITUATION_DETAIL_CHARS) + 1];
    json_t *o = json_object(), *from_card = json_array();
    int ok = o && from_card &&
             json_object_set_new(o, "schema", json_integer(REGISTRATION_SCHEMA)) == 0 &&
             put_str(o, "type", registration_type_key(rec->type));
    for (size_t i = 0; ok && i < n; i++) {
        if (rows[i].input == REGISTRATION_INPUT_MULTI) {
            json_t *a = json_array();
            ok = a != NULL;
            for (size_t k = 0; ok && k < rec->job_category_count; k++)
                ok = json_array_append_new(a, json_string(rec->job_categories[k])) == 0;
            ok = json_object_set_new(o, rows[i].key, a) == 0 && ok;
        } else {
            ok = put_str(o, rows[i].key,
                         registration_value(rec, rows[i].field, ",", buf, sizeof buf));
        }
    }
    for (int f = 0; ok && f < REGISTRATION_FIELD_COUNT; f++)
        if (is_locked(rec, (registration_field)f))
            ok = json_array_append_new(
                     from_card, json_string(registration_field_key((registration_field)f))) == 0;
    ok = ok && json_object_set(o, "from_card", from_card) == 0;
    json_decref(from_card);
    explicit_bzero(buf, sizeof buf);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Whether every stored value is what the setters could have produced. */
static int record_well_formed(const registration *rec)
{
    if ((unsigned)rec->type >= REGISTRATION_TYPE_COUNT ||
        rec->job_category_count > REGISTRATION_JOB_CATEGORIES_MAX)
        return 0;
    if ((!date_is_zero(rec->situation_date) && kiosk_date_check(rec->situation_date) != KIOSK_OK) ||
        (!date_is_zero(rec->available_from) && kiosk_date_check(rec->available_from) != KIOSK_OK))
        return 0;
    for (size_t i = 0; i < rec->job_category_count; i++)
        if (!memchr(rec->job_categories[i], '\0', sizeof rec->job_categories[i]) ||
            !code_ok(rec->job_categories[i]))
            return 0;
    for (int f = 0; f < REGISTRATION_FIELD_COUNT; f++)
        if (text_fields[f].size && !stored_text(rec, &text_fields[f]))
            return 0;
    if (!date_is_zero(rec->birth_date) && kiosk_date_check(rec->birth_date) != KIOSK_OK)
        return 0;
    registration_month u = rec->unemployed_since;
    if (!(u.year == 0 && u.month == 0) && !month_ok(u.year, u.month))
        return 0;
    if ((unsigned)rec->claims_insurance > REGISTRATION_NO ||
        rec->service_count > REGISTRATION_SERVICES_MAX)
        return 0;
    for (size_t i = 0; i < rec->service_count; i++)
        if (!memchr(rec->services[i], '\0', sizeof rec->services[i]) || !code_ok(rec->services[i]))
            return 0;
    return 1;
}

/* jansson keeps its own copies of every string it serialises or parses. Its memory is
 * wiped on free, so a citizen's data does not linger in freed heap blocks. */
static void wiping_free(void *p)
{
    if (p) {
        explicit_bzero(p, malloc_usable_size(p));
        free(p);
    }
}

static void install_wiping_allocator(void)
{
    json_set_alloc_funcs(malloc, wiping_free);
}

static pthread_once_t wiping_once = PTHREAD_ONCE_INIT;

kiosk_rc registration_to_json(const registration *rec, char **out, size_t *len)
{
    pthread_once(&wiping_once, install_wiping_allocator);
    if (!out)
        return KIOSK_INVALID;
    *out = NULL;
    if (len)
        *len = 0;
    if (!rec || !record_well_formed(rec))
        return KIOSK_INVALID;
    json_t *o = rec->type == REGISTRATION_TYPE_REGISTRATION ? record_json(rec) : type_json(rec);
    if (!o)
        return KIOSK_NOMEM;
    const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
    size_t n = json_dumpb(o, NULL, 0, flags);
    char *buf = n ? malloc(n + 1) : NULL;
    if (!buf || json_dumpb(o, buf, n, flags) != n) {
        free(buf);
        json_decref(o);
        return KIOSK_NOMEM;
    }
    json_decref(o);
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return KIOSK_OK;
}

/* ---- parsing ---- */

static const char *const top_keys[] = {
    "schema",
    "name",
    "sex",
    "ethnicity",
    "political",
    "education",
    "health",
    "disability_grade",
    "birth_date",
    "unemployed_since",
    "document_type",
    "document_number",
    "household",
    "residence",
    "qualifications",
    "mobile",
    "landline",
    "email",
    "other_contact",
    "registration_place",
    "reason",
    "reason_other",
    "claims_insurance",
    "job_intention_1",
    "job_intention_2",
    "remarks",
    "services",
    "from_card",
};

/* An object whose keys are exactly the n given ones and extra others (duplicates are
 * refused earlier). */
static int exact_keys_plus(const json_t *o, const char *const *keys, size_t n, size_t extra)
{
    if (!json_is_object(o) || json_object_size(o) != n + extra)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!json_object_get(o, keys[i]))
            return 0;
    return 1;
}

static int exact_keys(const json_t *o, const char *const *keys, size_t n)
{
    return exact_keys_plus(o, keys, n, 0);
}

static const char *get_str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int set_from(registration *rec, const json_t *o, const char *key, registration_field f)
{
    const char *s = get_str(o, key);
    return s && registration_set_text(rec, f, s) == KIOSK_OK;
}

/* "" or exactly 10 characters YYYY-MM-DD. */
static int parse_birth(registration *rec, const char *s)
{
    if (!s)
        return 0;
    if (!*s)
        return 1;
    kiosk_date d;
    return strlen(s) == 10 && s[4] == '-' && s[7] == '-' && kiosk_date_parse(s, &d) == KIOSK_OK &&
           registration_set_birth_date(rec, d) == KIOSK_OK;
}

/* "" or exactly YYYY-MM. */
static int parse_month(registration *rec, const char *s)
{
    if (!s)
        return 0;
    if (!*s)
        return 1;
    if (strlen(s) != 7 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2))
        return 0;
    int y = atoi(s), m = (s[5] - '0') * 10 + (s[6] - '0');
    return registration_set_unemployed_since(rec, y, m) == KIOSK_OK;
}

static int parse_address(registration *rec, const json_t *o, registration_field division)
{
    static const char *const keys[] = {"division", "detail"};
    return exact_keys(o, keys, 2) && set_from(rec, o, "division", division) &&
           set_from(rec, o, "detail", (registration_field)(division + 1));
}

static int parse_from_card(registration *rec, const json_t *root);

/* The registration; "type" (checked by the caller) is the one key it may lack. */
static int parse_record(registration *rec, const json_t *root)
{
    if (!exact_keys_plus(root, top_keys, sizeof top_keys / sizeof top_keys[0],
                         json_object_get(root, "type") != NULL))
        return 0;
    static const struct {
        const char *key;
        registration_field field;
    } flat[] = {
        {"name", REGISTRATION_NAME},
        {"sex", REGISTRATION_SEX},
        {"ethnicity", REGISTRATION_ETHNICITY},
        {"political", REGISTRATION_POLITICAL},
        {"education", REGISTRATION_EDUCATION},
        {"health", REGISTRATION_HEALTH},
        {"disability_grade", REGISTRATION_DISABILITY_GRADE},
        {"document_type", REGISTRATION_DOCUMENT_TYPE},
        {"document_number", REGISTRATION_DOCUMENT_NUMBER},
        {"mobile", REGISTRATION_MOBILE},
        {"landline", REGISTRATION_LANDLINE},
        {"email", REGISTRATION_EMAIL},
        {"other_contact", REGISTRATION_OTHER_CONTACT},
        {"registration_place", REGISTRATION_PLACE},
        {"reason", REGISTRATION_REASON},
        {"reason_other", REGISTRATION_REASON_OTHER_TEXT},
        {"job_intention_1", REGISTRATION_JOB_INTENTION_1},
        {"job_intention_2", REGISTRATION_JOB_INTENTION_2},
        {"remarks", REGISTRATION_REMARKS},
    };
    for (size_t i = 0; i < sizeof flat / sizeof flat[0]; i++)
        if (!set_from(rec, root, flat[i].key, flat[i].field))
            return 0;
    if (!parse_birth(rec, get_str(root, "birth_date")) ||
        !parse_month(rec, get_str(root, "unemployed_since")) ||
        !parse_address(rec, json_object_get(root, "household"), REGISTRATION_HOUSEHOLD_DIVISION) ||
        !parse_address(rec, json_object_get(root, "residence"), REGISTRATION_RESIDENCE_DIVISION))
        return 0;

    const char *claims = get_str(root, "claims_insurance");
    if (!claims)
        return 0;
    if (strcmp(claims, "yes") == 0)
        rec->claims_insurance = REGISTRATION_YES;
    else if (strcmp(claims, "no") == 0)
        rec->claims_insurance = REGISTRATION_NO;
    else if (*claims)
        return 0;

    const json_t *quals = json_object_get(root, "qualifications");
    if (!json_is_array(quals) || json_array_size(quals) != REGISTRATION_QUALIFICATIONS)
        return 0;
    for (size_t i = 0; i < REGISTRATION_QUALIFICATIONS; i++) {
        static const char *const keys[] = {"name", "level"};
        const json_t *q = json_array_get(quals, i);
        registration_field nf = (registration_field)(REGISTRATION_QUALIFICATION_1 + 2 * i);
        if (!exact_keys(q, keys, 2) || !set_from(rec, q, "name", nf) ||
            !set_from(rec, q, "level", (registration_field)(nf + 1)))
            return 0;
    }

    const json_t *services = json_object_get(root, "services");
    size_t ns = json_array_size(services);
    if (!json_is_array(services) || ns > REGISTRATION_SERVICES_MAX)
        return 0;
    const char *codes[REGISTRATION_SERVICES_MAX];
    for (size_t i = 0; i < ns; i++)
        if (!(codes[i] = json_string_value(json_array_get(services, i))))
            return 0;
    if (registration_set_services(rec, codes, ns) != KIOSK_OK)
        return 0;

    /* Locks last: the values above went through the setters. */
    return parse_from_card(rec, root);
}

static int parse_from_card(registration *rec, const json_t *root)
{
    const json_t *from_card = json_object_get(root, "from_card");
    if (!json_is_array(from_card) || json_array_size(from_card) > REGISTRATION_FIELD_COUNT)
        return 0;
    for (size_t i = 0; i < json_array_size(from_card); i++) {
        const char *key = json_string_value(json_array_get(from_card, i));
        int f = 0;
        while (key && f < REGISTRATION_FIELD_COUNT &&
               strcmp(registration_field_key((registration_field)f), key) != 0)
            f++;
        if (!key || f == REGISTRATION_FIELD_COUNT)
            return 0;
        registration_lock(rec, (registration_field)f);
    }
    return 1;
}

/* "" or exactly YYYY-MM-DD into a date field. */
static int parse_date_field(registration *rec, registration_field f, const char *s)
{
    if (!s)
        return 0;
    if (!*s)
        return 1;
    kiosk_date d;
    return strlen(s) == 10 && s[4] == '-' && s[7] == '-' && kiosk_date_parse(s, &d) == KIOSK_OK &&
           registration_set_date(rec, f, d) == KIOSK_OK;
}

/* The other types: exactly "schema", "type", the type's keys and "from_card". */
static int parse_type(registration *rec, const json_t *root)
{
    size_t n;
    const registration_field_info *rows = registration_type_schema(rec->type, &n);
    const char *keys[REGISTRATION_FIELD_COUNT + 3];
    size_t nk = 0;
    keys[nk++] = "schema";
    keys[nk++] = "type";
    for (size_t i = 0; i < n; i++)
        keys[nk++] = rows[i].key;
    keys[nk++] = "from_card";
    if (!exact_keys(root, keys, nk))
        return 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(root, rows[i].key);
        registration_field f = rows[i].field;
        if (rows[i].input == REGISTRATION_INPUT_MULTI) {
            if (!json_is_array(v) || json_array_size(v) > REGISTRATION_JOB_CATEGORIES_MAX)
                return 0;
            for (size_t k = 0; k < json_array_size(v); k++) {
                const char *code = json_string_value(json_array_get(v, k));
                if (!code || registration_has_choice(rec, f, code) ||
                    registration_add_choice(rec, f, code) != KIOSK_OK)
                    return 0;
            }
        } else if (rows[i].input == REGISTRATION_INPUT_DATE) {
            if (!parse_date_field(rec, f, json_string_value(v)))
                return 0;
        } else if (!set_from(rec, root, rows[i].key, f)) {
            return 0;
        }
    }
    return parse_from_card(rec, root);
}

kiosk_rc registration_from_json(const char *json, size_t len, registration *out)
{
    pthread_once(&wiping_once, install_wiping_allocator);
    if (!out)
        return KIOSK_INVALID;
    registration_wipe(out);
    if (!json || len > JSON_MAX_BYTES)
        return KIOSK_INVALID;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return json_error_code(&jerr) == json_error_out_of_memory ? KIOSK_NOMEM : KIOSK_INVALID;
    kiosk_rc rc = KIOSK_INVALID;
    const json_t *schema = json_object_get(root, "schema");
    const json_t *type = json_object_get(root, "type");
    registration_type t = REGISTRATION_TYPE_REGISTRATION;
    if (json_is_integer(schema) && json_integer_value(schema) != REGISTRATION_SCHEMA)
        rc = KIOSK_UNSUPPORTED;
    else if (!json_is_integer(schema) ||
             (type && registration_type_parse(json_string_value(type), &t) != KIOSK_OK))
        rc = KIOSK_INVALID;
    else if ((void)(out->type = t),
             t == REGISTRATION_TYPE_REGISTRATION ? parse_record(out, root) : parse_type(out, root))
        rc = KIOSK_OK;
    json_decref(root);
    if (rc != KIOSK_OK)
        registration_wipe(out);
    return rc;
}

const char *registration_value(const registration *rec, registration_field field, const char *sep,
                               char *buf, size_t size)
{
    if (!size)
        return buf;
    buf[0] = '\0';
    switch (field) {
    case REGISTRATION_UNEMPLOYED_SINCE:
        if (rec->unemployed_since.year)
            snprintf(buf, size, "%04d-%02d", rec->unemployed_since.year,
                     rec->unemployed_since.month);
        break;
    case REGISTRATION_BIRTH_DATE:
        if (rec->birth_date.year)
            snprintf(buf, size, "%04d-%02d-%02d", rec->birth_date.year, rec->birth_date.month,
                     rec->birth_date.day);
        break;
    case REGISTRATION_CLAIMS_INSURANCE:
        snprintf(buf, size, "%s",
                 rec->claims_insurance == REGISTRATION_YES  ? "yes"
                 : rec->claims_insurance == REGISTRATION_NO ? "no"
                                                            : "");
        break;
    case REGISTRATION_SITUATION_DATE:
    case REGISTRATION_AVAILABLE_FROM: {
        kiosk_date d =
            field == REGISTRATION_SITUATION_DATE ? rec->situation_date : rec->available_from;
        if (d.year)
            snprintf(buf, size, "%04d-%02d-%02d", d.year, d.month, d.day);
        break;
    }
    case REGISTRATION_SERVICES: {
        size_t used = 0;
        for (size_t i = 0; i < rec->service_count && i < REGISTRATION_SERVICES_MAX && used < size;
             i++)
            used +=
                (size_t)snprintf(buf + used, size - used, "%s%s", i ? sep : "", rec->services[i]);
        break;
    }
    case REGISTRATION_JOB_CATEGORIES: {
        size_t used = 0;
        for (size_t i = 0;
             i < rec->job_category_count && i < REGISTRATION_JOB_CATEGORIES_MAX && used < size; i++)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? sep : "",
                                     rec->job_categories[i]);
        break;
    }
    default: {
        const char *t = registration_get_text(rec, field);
        snprintf(buf, size, "%s", t ? t : "");
        break;
    }
    }
    return buf;
}
