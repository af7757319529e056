/*
 * The code tables of the registration form (sex, ethnicity, education, political
 * status, health, disability grade, document type, unemployment reason, services
 * wanted, registration place), loaded from the .tsv files of assets/codes at start. Read-only after
 * loading; any thread may look up. Unknown codes are errors, never crashes.
 */
#ifndef KIOSK_CODES_H
#define KIOSK_CODES_H

#include <stddef.h>

#include "core/kiosk_error.h"

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
    CODES_TABLE_COUNT
} codes_table;

typedef enum codes_lang {
    CODES_ZH = 0,
    CODES_EN = 1,
} codes_lang;

typedef struct codes_tables codes_tables;

/* One entry of a table (all borrowed from the tables). */
typedef struct codes_entry {
    const char *code;
    const char *name[2]; /* by codes_lang */
} codes_entry;

/* Load every table from dir (e.g. "assets/codes"). On success *out is owned (free with
 * codes_destroy); on failure *out is NULL and the file and line are logged:
 * KIOSK_NOT_FOUND (missing file), KIOSK_CORRUPT (malformed or duplicate line),
 * KIOSK_NOMEM. */
kiosk_rc codes_load(const char *dir, codes_tables **out);
void codes_destroy(codes_tables *t);

/* The file name of a table ("ethnicity.tsv"). */
const char *codes_file(codes_table table);

/* KIOSK_OK when code is in table, else KIOSK_UNKNOWN_CODE (also for NULL or a bad table). */
kiosk_rc codes_check(const codes_tables *t, codes_table table, const char *code);

/* The name of code in lang (borrowed), or NULL when unknown. */
const char *codes_name(const codes_tables *t, codes_table table, const char *code, codes_lang lang);

/* Entries of a table in file order, for choice lists: *entries is borrowed. */
size_t codes_list(const codes_tables *t, codes_table table, const codes_entry **entries);

#endif
