/*
 * The record of the unemployment registration form (失业人员登记表, DOMAIN.md §6, seed 003):
 * every field in fixed-size, NUL-terminated UTF-8 arrays with documented byte caps, so the
 * record holds no pointer and one explicit_bzero (registration_wipe) clears it. Setters
 * enforce the caps and UTF-8; registration_validate applies the form's rules and answers
 * with per-field errors and string-table keys (no people-facing text here); the
 * canonical schema-1 JSON goes both ways. It does not read the card, store or send.
 */
#ifndef KIOSK_REGISTRATION_H
#define KIOSK_REGISTRATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"
#include "domain/codes.h"
#include "domain/divisions.h"

/* Version of the canonical JSON (the "schema" key). */
#define REGISTRATION_SCHEMA 1

/* Limits of the free-text fields in characters (code points): longer text is a TOO_LONG
 * error of registration_validate. The byte caps (storage; a setter refuses more with
 * KIOSK_RANGE) are four bytes per character, so any text within its limit fits. */
#define REGISTRATION_NAME_CHARS 50              /* 姓名 */
#define REGISTRATION_DETAIL_CHARS 100           /* address detail (详细地址) */
#define REGISTRATION_QUAL_NAME_CHARS 50         /* qualification or title name */
#define REGISTRATION_QUAL_LEVEL_CHARS 20        /* its level (等级 / 级别) */
#define REGISTRATION_OTHER_CONTACT_CHARS 50     /* 其他 (contact) */
#define REGISTRATION_REASON_OTHER_CHARS 100     /* 失业原因: 其他 ______ */
#define REGISTRATION_JOB_INTENTION_CHARS 50     /* 求职意向 1, 2 */
#define REGISTRATION_REMARKS_CHARS 500          /* 其他需要说明的事项 */
#define REGISTRATION_SITUATION_DETAIL_CHARS 100 /* 注销申报: employer or business name */
#define REGISTRATION_TEXT_CAP(chars) (4 * (chars))

/* Byte caps of the ASCII fields (limit = cap). */
#define REGISTRATION_CODE_CAP CODES_CODE_MAX /* every code field: 1..8 ASCII digits */
#define REGISTRATION_DIVISION_CAP 12         /* 6 digits (county), 9 (street) or 12 (community) */
#define REGISTRATION_DOCUMENT_CAP 32         /* 证件号 */
#define REGISTRATION_MOBILE_CAP 20           /* 手机: valid ones have 11 digits */
#define REGISTRATION_LANDLINE_CAP 24         /* 固定电话 */
#define REGISTRATION_EMAIL_CAP 254           /* 电子邮件 (RFC 5321 path limit) */

#define REGISTRATION_QUALIFICATIONS 3     /* rows of 职业(工种)资格 / 专业技术职务 */
#define REGISTRATION_SERVICES_MAX 8       /* services wanted, at most (the table has 6) */
#define REGISTRATION_KEY_MAX 64           /* an error key with its terminator */
#define REGISTRATION_JOB_CATEGORIES_MAX 3 /* 求职登记: intended jobs, at most */

/* Local codes with a rule attached (assets/codes, *.tsv; never renumbered). */
#define REGISTRATION_REASON_OTHER "13"   /* unemployment_reason.tsv 其他: needs text */
#define REGISTRATION_PLACE_HOUSEHOLD "1" /* registration_place.tsv 户籍地 */
#define REGISTRATION_PLACE_RESIDENCE "2" /* 常住地 */
#define REGISTRATION_DOC_RESIDENT_ID "01"
#define REGISTRATION_DOC_SOCIAL_SECURITY "02"
#define REGISTRATION_DOC_PERMIT_HKMO "03"
#define REGISTRATION_DOC_PERMIT_TW "04"
#define REGISTRATION_DOC_RESIDENCE_PERMIT "05"
#define REGISTRATION_DOC_FOREIGNER_PR "06"
#define REGISTRATION_DOC_PASSPORT "07"
/* deregistration_situation.tsv: the situations whose detail (employer, business, what
 * happened) is required */
#define REGISTRATION_SITUATION_HIRED "01"
#define REGISTRATION_SITUATION_SELF_EMPLOYED "03"
#define REGISTRATION_SITUATION_COMPANY "04"
#define REGISTRATION_SITUATION_OTHER "11"

/* The record types. Each has its own field schema (registration_type_schema) over the one
 * field enum below; the JSON names the type ("type"; absent means a registration, as in
 * records saved before the types existed). Values are logged: only append. */
typedef enum registration_type {
    REGISTRATION_TYPE_REGISTRATION = 0, /* "registration": 失业登记 */
    REGISTRATION_TYPE_DEREGISTRATION,   /* "deregistration": 就业/失业注销申报 */
    REGISTRATION_TYPE_JOBSEEKER,        /* "jobseeker": 求职登记 */
    REGISTRATION_TYPE_COUNT
} registration_type;

/* The fields, in form order. Values are logged and used as bit numbers of from_card:
 * only append. Keys (registration_field_key) are the flat names used in error keys and
 * in the JSON "from_card" list. */
typedef enum registration_field {
    REGISTRATION_NAME = 0,           /* "name" * */
    REGISTRATION_SEX,                /* "sex" *, sex.tsv */
    REGISTRATION_ETHNICITY,          /* "ethnicity" *, ethnicity.tsv */
    REGISTRATION_POLITICAL,          /* "political", political.tsv */
    REGISTRATION_EDUCATION,          /* "education" *, education.tsv */
    REGISTRATION_HEALTH,             /* "health" *, health.tsv */
    REGISTRATION_DISABILITY_GRADE,   /* "disability_grade", * when health is 6x */
    REGISTRATION_BIRTH_DATE,         /* "birth_date" *, not on the paper form: the rules need it */
    REGISTRATION_UNEMPLOYED_SINCE,   /* "unemployed_since" * (失业时间, year and month) */
    REGISTRATION_DOCUMENT_TYPE,      /* "document_type" *, document_type.tsv */
    REGISTRATION_DOCUMENT_NUMBER,    /* "document_number" * */
    REGISTRATION_HOUSEHOLD_DIVISION, /* "household_division" * (户籍地址) */
    REGISTRATION_HOUSEHOLD_DETAIL,   /* "household_detail" * */
    REGISTRATION_RESIDENCE_DIVISION, /* "residence_division" * (常住地址) */
    REGISTRATION_RESIDENCE_DETAIL,   /* "residence_detail" * */
    REGISTRATION_QUALIFICATION_1,    /* "qualification_1": name, required when a level is given */
    REGISTRATION_QUALIFICATION_1_LEVEL, /* "qualification_1_level" */
    REGISTRATION_QUALIFICATION_2,       /* "qualification_2" */
    REGISTRATION_QUALIFICATION_2_LEVEL, /* "qualification_2_level" */
    REGISTRATION_QUALIFICATION_3,       /* "qualification_3" */
    REGISTRATION_QUALIFICATION_3_LEVEL, /* "qualification_3_level" */
    REGISTRATION_MOBILE,                /* "mobile" * */
    REGISTRATION_LANDLINE,              /* "landline" */
    REGISTRATION_EMAIL,                 /* "email" */
    REGISTRATION_OTHER_CONTACT,         /* "other_contact" */
    REGISTRATION_PLACE,                 /* "registration_place", registration_place.tsv */
    REGISTRATION_REASON,                /* "reason" *, unemployment_reason.tsv */
    REGISTRATION_REASON_OTHER_TEXT,     /* "reason_other", * when reason is 13 */
    REGISTRATION_CLAIMS_INSURANCE,      /* "claims_insurance" * (是否申领失业保险金) */
    REGISTRATION_JOB_INTENTION_1,       /* "job_intention_1" */
    REGISTRATION_JOB_INTENTION_2,       /* "job_intention_2" */
    REGISTRATION_REMARKS,               /* "remarks" */
    REGISTRATION_SERVICES,              /* "services", service.tsv, several */
    /* 就业/失业注销申报 (REGISTRATION_TYPE_DEREGISTRATION) */
    REGISTRATION_SITUATION,        /* "situation" *, deregistration_situation.tsv */
    REGISTRATION_SITUATION_DATE,   /* "situation_date" * (YYYY-MM-DD), not after today */
    REGISTRATION_SITUATION_DETAIL, /* "situation_detail": * for situations 01, 03, 04, 11 */
    /* 求职登记 (REGISTRATION_TYPE_JOBSEEKER) */
    REGISTRATION_JOB_CATEGORIES, /* "job_categories" *, job_category.tsv, 1..3 */
    REGISTRATION_JOB_AREA,       /* "job_area" *, a county-level division (6 digits) */
    REGISTRATION_EXPECTED_WAGE,  /* "expected_wage" *, wage_range.tsv */
    REGISTRATION_AVAILABLE_FROM, /* "available_from" * (YYYY-MM-DD) */
    REGISTRATION_FIELD_COUNT     /* number of fields, not a field */
} registration_field;

/* The sections of the paper form — the kiosk's form pages — in order. */
typedef enum registration_section {
    REGISTRATION_SECTION_PERSONAL = 0, /* 个人信息: name … health */
    REGISTRATION_SECTION_DOCUMENT,     /* 证件和地址 */
    REGISTRATION_SECTION_CONTACT,      /* 联系方式 */
    REGISTRATION_SECTION_UNEMPLOYMENT, /* 失业情况 */
    REGISTRATION_SECTION_WISHES,       /* 求职意向和希望得到的帮助 */
    REGISTRATION_SECTION_COUNT,        /* the registration's pages; the other types' follow */
    REGISTRATION_SECTION_DEREGISTRATION = REGISTRATION_SECTION_COUNT, /* 注销申报: one page */
    REGISTRATION_SECTION_JOBSEEKER,                                   /* 求职登记: one page */
    REGISTRATION_SECTION_ALL                                          /* every section */
} registration_section;

/* How a field's value is entered: the kind of editor the kiosk opens for it. */
typedef enum registration_input {
    REGISTRATION_INPUT_TEXT = 0, /* Chinese text: a keyboard with pinyin */
    REGISTRATION_INPUT_ASCII,    /* Latin text (e-mail): a keyboard without pinyin */
    REGISTRATION_INPUT_DIGITS,   /* a keypad: digits */
    REGISTRATION_INPUT_PHONE,    /* a keypad: digits and '-' */
    REGISTRATION_INPUT_IDNUM,    /* a keypad: digits and 'X' */
    REGISTRATION_INPUT_CODE,     /* one of a code table */
    REGISTRATION_INPUT_YESNO,    /* yes or no */
    REGISTRATION_INPUT_MONTH,    /* a year and a month */
    REGISTRATION_INPUT_DATE,     /* a date: the birth date read from the card; the other
                                    types' dates are asked (month, then day) */
    REGISTRATION_INPUT_DIVISION, /* province → city → county → street */
    REGISTRATION_INPUT_MULTI,    /* several of a code table */
} registration_input;

/* A field described once. From this table the form's pages and editors, the checks'
 * plain requirements and code tables, the JSON and error keys, the screens' labels
 * ("form.field.<key>" in the strings), the review and the hub's CSV columns are made;
 * rules that tie fields together stay in registration_validate. */
typedef struct registration_field_info {
    registration_field field;
    const char *key;              /* JSON and error key, "mobile" */
    const char *title;            /* its name on the paper form, "手机" (the CSV's columns) */
    registration_input input;     /* how it is entered */
    int table;                    /* its codes_table (domain/codes.h), or -1 */
    registration_section section; /* its form page */
    bool required;                /* always required (conditional rules: see validate) */
    bool on_form;                 /* a row of its page and of the review (birth date: no,
                                     it is read from the card and checked, not shown) */
} registration_field_info;

/* What is wrong with a field. Values are logged: only append. */
typedef enum registration_error {
    REGISTRATION_ERR_REQUIRED = 1,             /* "required": empty (or blanks only) */
    REGISTRATION_ERR_FORMAT = 2,               /* "format": not a well-formed value */
    REGISTRATION_ERR_UNKNOWN_CODE = 3,         /* "unknown_code": not in its table */
    REGISTRATION_ERR_IN_FUTURE = 4,            /* "in_future": after today (or this month) */
    REGISTRATION_ERR_BEFORE_16TH_BIRTHDAY = 5, /* "before_16th_birthday": 失业时间 too early */
    REGISTRATION_ERR_TOO_LONG = 6,             /* "too_long": over its character limit */
    REGISTRATION_ERR_MISMATCH = 7,             /* "mismatch": disagrees with the ID number */
    REGISTRATION_ERR_NOT_APPLICABLE = 8,       /* "not_applicable": given, but the choice
                                                  it belongs to was not made */
} registration_error;

typedef enum registration_yesno {
    REGISTRATION_UNSET = 0, /* JSON "" */
    REGISTRATION_YES = 1,   /* JSON "yes" */
    REGISTRATION_NO = 2,    /* JSON "no" */
} registration_yesno;

typedef struct registration_address {
    char division[REGISTRATION_DIVISION_CAP + 1]; /* county (6), street (9) or community (12) */
    char detail[REGISTRATION_TEXT_CAP(REGISTRATION_DETAIL_CHARS) + 1];
} registration_address;

typedef struct registration_qualification {
    char name[REGISTRATION_TEXT_CAP(REGISTRATION_QUAL_NAME_CHARS) + 1];
    char level[REGISTRATION_TEXT_CAP(REGISTRATION_QUAL_LEVEL_CHARS) + 1];
} registration_qualification;

typedef struct registration_month {
    int year; /* 0 with month 0: not given */
    int month;
} registration_month;

/* The record. Caller storage: registration_init it, write through the setters (they keep
 * every array NUL-terminated UTF-8 within its cap, codes as digits, services sorted), and
 * registration_wipe it when done: it holds personal data. Reading the members directly
 * is fine. An empty string, a zero date or REGISTRATION_UNSET means "not given". */
typedef struct registration {
    char name[REGISTRATION_TEXT_CAP(REGISTRATION_NAME_CHARS) + 1];
    char sex[REGISTRATION_CODE_CAP + 1];
    char ethnicity[REGISTRATION_CODE_CAP + 1];
    char political[REGISTRATION_CODE_CAP + 1];
    char education[REGISTRATION_CODE_CAP + 1];
    char health[REGISTRATION_CODE_CAP + 1];
    char disability_grade[REGISTRATION_CODE_CAP + 1];
    kiosk_date birth_date;
    registration_month unemployed_since;
    char document_type[REGISTRATION_CODE_CAP + 1];
    char document_number[REGISTRATION_DOCUMENT_CAP + 1]; /* letters stored upper case */
    registration_address household;
    registration_address residence;
    registration_qualification qualifications[REGISTRATION_QUALIFICATIONS];
    char mobile[REGISTRATION_MOBILE_CAP + 1];
    char landline[REGISTRATION_LANDLINE_CAP + 1];
    char email[REGISTRATION_EMAIL_CAP + 1];
    char other_contact[REGISTRATION_TEXT_CAP(REGISTRATION_OTHER_CONTACT_CHARS) + 1];
    char registration_place[REGISTRATION_CODE_CAP + 1];
    char reason[REGISTRATION_CODE_CAP + 1];
    char reason_other[REGISTRATION_TEXT_CAP(REGISTRATION_REASON_OTHER_CHARS) + 1];
    registration_yesno claims_insurance;
    char job_intention[2][REGISTRATION_TEXT_CAP(REGISTRATION_JOB_INTENTION_CHARS) + 1];
    char remarks[REGISTRATION_TEXT_CAP(REGISTRATION_REMARKS_CHARS) + 1];
    char services[REGISTRATION_SERVICES_MAX][REGISTRATION_CODE_CAP + 1]; /* in code order */
    size_t service_count;
    uint64_t from_card;     /* bit (1 << field): read from the card, not editable */
    registration_type type; /* which record this is; 0 (init): a registration */
    char situation[REGISTRATION_CODE_CAP + 1];
    kiosk_date situation_date;
    char situation_detail[REGISTRATION_TEXT_CAP(REGISTRATION_SITUATION_DETAIL_CHARS) + 1];
    char job_categories[REGISTRATION_JOB_CATEGORIES_MAX][REGISTRATION_CODE_CAP + 1]; /* sorted */
    size_t job_category_count;
    char job_area[REGISTRATION_DIVISION_CAP + 1];
    char expected_wage[REGISTRATION_CODE_CAP + 1];
    kiosk_date available_from;
} registration;

/* One problem found by registration_validate. */
typedef struct registration_issue {
    registration_field field;
    registration_error error;
    char key[REGISTRATION_KEY_MAX]; /* "form.error.<field key>_<error key>" */
} registration_issue;

/* Empty the record (every field "not given", nothing locked). rec is caller storage. */
void registration_init(registration *rec);

/* Erase the whole record with explicit_bzero (the compiler may not drop it); it is then
 * an empty record. NULL is fine. */
void registration_wipe(registration *rec);

/* Set a text or code field: every field except BIRTH_DATE, UNEMPLOYED_SINCE,
 * CLAIMS_INSURANCE and SERVICES (they have their own setters). value is copied; NULL or
 * "" clears. Code fields (sex … health, disability grade, document type, registration
 * place, reason) take 1..REGISTRATION_CODE_CAP ASCII digits; divisions 1..12 digits; the
 * document number printable ASCII, letters stored upper case; the other fields UTF-8
 * without control characters (REMARKS may hold line feeds).
 * KIOSK_OK; KIOSK_RANGE over the byte cap; KIOSK_INVALID for a bad value or a field
 * without a text setter; KIOSK_READ_ONLY when the field came from the card. The field is
 * unchanged on failure. Any thread, one writer per record. */
kiosk_rc registration_set_text(registration *rec, registration_field field, const char *value);

/* The text of a field as set, borrowed from rec (valid while rec is unchanged), or NULL
 * for a field without text (see registration_set_text) or outside the enum. */
const char *registration_get_text(const registration *rec, registration_field field);

/* Birth date: a real date (kiosk_date_check) or {0, 0, 0} to clear. KIOSK_INVALID,
 * KIOSK_READ_ONLY as for registration_set_text. */
kiosk_rc registration_set_birth_date(registration *rec, kiosk_date date);

/* 失业时间: month 1..12 of year 1900..2999, or 0, 0 to clear. Same return codes. */
kiosk_rc registration_set_unemployed_since(registration *rec, int year, int month);

/* 是否申领失业保险金. KIOSK_INVALID for a value outside the enum, KIOSK_READ_ONLY. */
kiosk_rc registration_set_claims_insurance(registration *rec, registration_yesno value);

/* Services wanted, a set kept in code order (by length, then bytes: "2" before "10"),
 * so the order of choosing does not matter. add: code (copied) is 1..8 ASCII digits;
 * adding a chosen code is KIOSK_OK; KIOSK_RANGE when REGISTRATION_SERVICES_MAX are
 * chosen. remove: KIOSK_OK also when it was not chosen. set: replaces the whole set with
 * n codes (borrowed array; duplicates collapse), all or nothing; n 0 clears. All:
 * KIOSK_INVALID for a malformed code, KIOSK_READ_ONLY when locked. */
kiosk_rc registration_add_service(registration *rec, const char *code);
kiosk_rc registration_remove_service(registration *rec, const char *code);
kiosk_rc registration_set_services(registration *rec, const char *const *codes, size_t n);
/* 1 when code is chosen, else 0. */
int registration_has_service(const registration *rec, const char *code);

/* The record's type: KIOSK_INVALID outside the enum. Set it before the fields (a field
 * the type does not carry is NOT_APPLICABLE when given). Static names ("jobseeker";
 * "?" outside the enum) and back (KIOSK_INVALID for an unknown name). */
kiosk_rc registration_set_type(registration *rec, registration_type type);
const char *registration_type_key(registration_type type);
kiosk_rc registration_type_parse(const char *key, registration_type *out);

/* The asked dates of the other types (SITUATION_DATE, AVAILABLE_FROM) and the birth
 * date: a real date or {0, 0, 0} to clear. KIOSK_INVALID for another field or a date
 * that does not exist, KIOSK_READ_ONLY. */
kiosk_rc registration_set_date(registration *rec, registration_field field, kiosk_date date);

/* The sets of codes (SERVICES, JOB_CATEGORIES) as for the services above: add, remove
 * and has by field; KIOSK_INVALID for another field. JOB_CATEGORIES holds at most
 * REGISTRATION_JOB_CATEGORIES_MAX (then KIOSK_RANGE). */
kiosk_rc registration_add_choice(registration *rec, registration_field field, const char *code);
kiosk_rc registration_remove_choice(registration *rec, registration_field field, const char *code);
int registration_has_choice(const registration *rec, registration_field field, const char *code);

/* Mark a field as read from the card (社会保障卡 / ID): its setters then answer
 * KIOSK_READ_ONLY. Set the value first. KIOSK_INVALID for a field outside the enum. Only
 * registration_init / registration_wipe unlock. */
kiosk_rc registration_lock(registration *rec, registration_field field);
/* 1 when the field came from the card, else 0. */
int registration_is_locked(const registration *rec, registration_field field);

/* Check the record against the form's rules, one issue at most per field, in field
 * order. codes and divs are borrowed; today is the date of the check (kiosk_clock_today).
 *   required: name, sex, ethnicity, education, health, birth date, unemployed since,
 *     document type and number, both addresses (division and detail), mobile, reason,
 *     claims insurance; disability grade when health is 6x (disabled); reason_other when
 *     the reason is 13; a qualification's name when its level is given.
 *   given when not applicable: a disability grade without a 6x health, reason_other
 *     with another reason.
 *   codes: in their table (codes_check); divisions: 6, 9 or 12 digits (county, street or
 *     community / village, else FORMAT) and known to divs (divisions_name, else UNKNOWN_CODE).
 *   dates: birth date real and not after today; 失业时间 not after this month and not
 *     before the month of the 16th birthday.
 *   document number, by type: 01 resident ID card: idnum_parse18, a mainland number;
 *     02 social security card: idnum_parse18, mainland or residence permit number;
 *     03 idnum_check_permit_hkmo; 04 idnum_check_permit_tw; 05 residence permit:
 *     idnum_parse18, region 810000/820000/830000; 06, 07: 5..20 letters and digits.
 *     For 01, 02 and 05 the record's sex and birth date must agree with the number's
 *     (MISMATCH on the sex or birth date field).
 *   mobile: 11 digits, "1" then 3..9. landline: area code "0" + 2 digits (010, 02x) or
 *     3 digits, an optional "-", a 7- or 8-digit number not starting with 0, and
 *     optionally "-" + a 1..6-digit extension (0531-88886666, 01012345678,
 *     0531-88886666-123). e-mail: ASCII local@domain, local part of atext and single
 *     dots, domain of two or more LDH labels, the last alphabetic.
 *   free text: UTF-8 within its character limit; name without ASCII digits or symbols.
 * That is a registration's (rec->type). The other types check the holder as above (name,
 * sex, birth date, document; ethnicity only when given) and their own page:
 *   deregistration: situation (its table), its date real and not after today, the detail
 *     for situations 01, 03, 04 and 11.
 *   jobseeker: 1..3 job categories (their table, sorted), the area a known 6-digit
 *     county (FORMAT for a street or community), the wage (its table), available_from a
 *     real date, the mobile as above.
 * In every type a field the type does not carry (registration_type_field) that is given
 * is NOT_APPLICABLE. KIOSK_RANGE also for a type outside the enum.
 * Up to max issues are written to errors (caller storage); *count receives how many were
 * found in all (may exceed max). KIOSK_OK when none, KIOSK_INVALID when some, KIOSK_RANGE
 * when nothing could be checked (a NULL rec, codes, divs or count, errors NULL with max
 * above 0, today not a real date; *count 0). Any thread. */
kiosk_rc registration_validate(const registration *rec, const codes_tables *codes,
                               const divisions *divs, kiosk_date today, registration_issue *errors,
                               size_t max, size_t *count);

/* The canonical JSON of a record (valid or not): compact, UTF-8 unescaped, no floats,
 * every key always present in this order, "" for a value not given:
 *   {"schema":1,"name":"","sex":"","ethnicity":"","political":"","education":"",
 *    "health":"","disability_grade":"","birth_date":"YYYY-MM-DD","unemployed_since":"YYYY-MM",
 *    "document_type":"","document_number":"",
 *    "household":{"division":"","detail":""},"residence":{"division":"","detail":""},
 *    "qualifications":[{"name":"","level":""},{"name":"","level":""},{"name":"","level":""}],
 *    "mobile":"","landline":"","email":"","other_contact":"","registration_place":"",
 *    "reason":"","reason_other":"","claims_insurance":"yes"|"no"|"",
 *    "job_intention_1":"","job_intention_2":"","remarks":"",
 *    "services":["code",…],"from_card":["field key",…]}
 * services in code order, from_card in field order. Equal records give identical bytes.
 * "type" ("registration") follows "schema". The other types write "schema", "type", then
 * the keys of their schema in its order (a date "YYYY-MM-DD" or "", job_categories an
 * array of codes) and "from_card".
 * On success *out is owned (NUL-terminated, free with free()) and *len (may be NULL) is
 * its length; on failure *out is NULL: KIOSK_NOMEM, KIOSK_INVALID for a record not made
 * by the setters (unterminated or non-UTF-8 text, a bad date). jansson's working copies of
 * the personal data are freed without wiping (install wiping json_set_alloc_funcs if that
 * matters). Any thread. */
kiosk_rc registration_to_json(const registration *rec, char **out, size_t *len);

/* Parse canonical JSON (len bytes, borrowed; no terminator needed) into out (caller
 * storage). Strict: an object with exactly the keys above, each of its type ("schema" the
 * integer 1, dates as "YYYY-MM-DD" / "YYYY-MM" or ""), values accepted by the setters,
 * from_card naming fields. Whitespace and key order are free; duplicate keys are not.
 * "type" may be absent (a registration, as every record saved before the types); a
 * known type's keys are exactly its schema's. It checks form, not rules: run
 * registration_validate on the result.
 * KIOSK_OK; KIOSK_UNSUPPORTED for another schema; KIOSK_INVALID for anything else
 * (also over 64 KiB); KIOSK_NOMEM. On failure *out is wiped (empty). Any thread. */
kiosk_rc registration_from_json(const char *json, size_t len, registration *out);

/* ---- the fields described once ---- */

/* Every field, in form order — the order of the rows on each page. *n gets the count
 * (REGISTRATION_FIELD_COUNT). Static; any thread. The registration's rows come first;
 * the other types' own fields follow with their sections. */
const registration_field_info *registration_schema(size_t *n);

/* The fields a record type carries, in its order (its JSON keys, its review rows, its
 * CSV cells): the registration's is registration_schema; the others name the holder's
 * identity as read from the card (not on the form) and then their own page. *n gets the
 * count; NULL (and *n 0) outside the enum. Static; any thread. */
const registration_field_info *registration_type_schema(registration_type type, size_t *n);

/* The description of field in the type's schema; NULL when the type does not carry it. */
const registration_field_info *registration_type_field(registration_type type,
                                                       registration_field field);

/* The record type whose pages include section (the registration's five; DEREGISTRATION,
 * JOBSEEKER); REGISTRATION_TYPE_COUNT for none. */
registration_type registration_section_type(registration_section section);

/* The description of field; NULL outside the enum. */
const registration_field_info *registration_field_get(registration_field field);

/* The fields a section shows, in form order, into out; returns how many (at most max). */
size_t registration_section_fields(registration_section section, registration_field *out,
                                   size_t max);

/* A field's value as text, as FLOW_EV_FIELD_SET takes it: the text or code as set,
 * "2026-09" (a month), "1990-03-07" (a date), "yes"/"no", the codes of a set joined by
 * sep (borrowed). Written into buf (size bytes, truncated); returns buf, "" when the
 * field is not given or outside the enum. Any thread. */
const char *registration_value(const registration *rec, registration_field field, const char *sep,
                               char *buf, size_t size);

/* A mobile number as it is being typed, judged digit by digit so the keypad can say what
 * is wrong before 完成 (the rule is registration_validate's: 11 digits, "1" then 3..9). */
typedef enum registration_mobile_state {
    REGISTRATION_MOBILE_OK = 0,     /* a whole, valid number */
    REGISTRATION_MOBILE_EMPTY,      /* nothing typed yet */
    REGISTRATION_MOBILE_SHORT,      /* a good start, fewer than 11 digits */
    REGISTRATION_MOBILE_FIRST,      /* does not start with 1 ("23812345678") */
    REGISTRATION_MOBILE_SECOND,     /* the second digit is not 3..9 */
    REGISTRATION_MOBILE_LONG,       /* more than 11 digits */
    REGISTRATION_MOBILE_NOT_DIGITS, /* something other than a digit */
} registration_mobile_state;

/* The state of typed (borrowed; NULL is EMPTY); *missing (may be NULL) receives the digits
 * still needed for SHORT, else 0. Any thread. */
registration_mobile_state registration_mobile_check(const char *typed, int *missing);

/* typed grouped 3-4-4 as people read it ("138 1234 5678", "138 12") into out (size bytes,
 * always terminated, cut at size); anything but digits is copied as it is. Returns out. */
char *registration_mobile_group(const char *typed, char *out, size_t size);

/* Static strings, never NULL: the key of a field ("mobile"; "?" outside the enum), of an
 * error ("format"; "?"). */
const char *registration_field_key(registration_field field);
const char *registration_error_key(registration_error error);

#endif
