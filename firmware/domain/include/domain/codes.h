/*
 * The code tables of the registration form (sex, ethnicity, education, political status,
 * health, disability grade, document type, unemployment reason, services wanted,
 * registration place), loaded from the .tsv files of assets/codes at start (format and
 * sources: assets/codes/README.md). Read-only after loading; any thread may look up.
 * Unknown codes are errors, never crashes. No people-facing text beyond the names.
 */
#ifndef KIOSK_CODES_H
#define KIOSK_CODES_H

#include <stddef.h>

#include "core/kiosk_error.h"

/* Longest code in any table, in bytes (codes are ASCII digits). */
#define CODES_CODE_MAX 8

typedef enum codes_table {
    CODES_SEX = 0,
    CODES_ETHNICITY,
    CODES_EDUCATION,
    CODES_POLITICAL,
    CODES_HEALTH,
    CODES_DISABILITY_GRADE,
    CODES_DOCUMENT_TYPE,
    CODES_UNEMPLOYMENT_REASON,
    CODES_SERVICE,
    CODES_REGISTRATION_PLACE,
    CODES_DEREGISTRATION_SITUATION, /* 注销情形 (seed 000's list) */
    CODES_JOB_CATEGORY,             /* 意向岗位 of 求职登记 */
    CODES_WAGE_RANGE,               /* 期望月薪 of 求职登记 */
    CODES_TABLE_COUNT
} codes_table;

typedef enum codes_lang {
    CODES_ZH = 0,
    CODES_EN = 1,
} codes_lang;

typedef struct codes_tables codes_tables;

/* One entry of a table (all strings borrowed from the tables). */
typedef struct codes_entry {
    const char *code;
    const char *name[2]; /* by codes_lang */
} codes_entry;

/* Load every table from dir (borrowed, e.g. "assets/codes"). On success *out is owned
 * (free with codes_destroy); on failure *out is NULL and "file:line: what" is logged:
 * KIOSK_NOT_FOUND (missing file), KIOSK_IO (unreadable), KIOSK_CORRUPT (a line without
 * exactly three tab-separated fields, a code that is not 1..CODES_CODE_MAX digits, an
 * empty name, a name that is not UTF-8 or holds a control character, a duplicate code,
 * a file without entries or over 1 MiB), KIOSK_NOMEM. Call once at start. */
kiosk_rc codes_load(const char *dir, codes_tables **out);

/* Free the tables (NULL is fine). Every name and entry borrowed from them dies. */
void codes_destroy(codes_tables *t);

/* The file name of a table ("ethnicity.tsv"), static storage; "?" for a bad table. */
const char *codes_file(codes_table table);

/* KIOSK_OK when code (borrowed) is in table, else KIOSK_UNKNOWN_CODE (also for a NULL
 * code, NULL tables or a table outside the enum). Codes compare as strings: "1" is not
 * "01". Any thread. */
kiosk_rc codes_check(const codes_tables *t, codes_table table, const char *code);

/* The name of code in lang, borrowed from t (valid until codes_destroy), or NULL when
 * the code, the table or the language is unknown. Any thread. */
const char *codes_name(const codes_tables *t, codes_table table, const char *code, codes_lang lang);

/* Entries of a table in file order, for choice lists. Returns the count and sets
 * *entries to a borrowed array (valid until codes_destroy); 0 and NULL for NULL tables
 * or a table outside the enum. Any thread. */
size_t codes_list(const codes_tables *t, codes_table table, const codes_entry **entries);

/* The same entries in the order a choice list shows them: the commonest first, as the
 * file's "# common: <code> <code> …" line names them (education: 初中, 高中, 中专, 大专,
 * 本科), then the rest in file order; file order alone without such a line. Same
 * ownership and results as codes_list. A common code missing from the table, or named
 * twice, makes codes_load fail with KIOSK_CORRUPT. Any thread. */
size_t codes_choices(const codes_tables *t, codes_table table, const codes_entry **entries);

#endif
