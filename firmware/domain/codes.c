/*
 * Code table loading: each file is read whole into one buffer (trimmed to its size) that
 * the entries point into (tabs and newlines become terminators), so a table costs two
 * allocations. Lookups are linear: the longest table has 56 entries.
 */
#include "domain/codes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"

#define MAX_FILE_BYTES (1 << 20)

static const char *const files[CODES_TABLE_COUNT] = {
    [CODES_SEX] = "sex.tsv",
    [CODES_ETHNICITY] = "ethnicity.tsv",
    [CODES_EDUCATION] = "education.tsv",
    [CODES_POLITICAL] = "political.tsv",
    [CODES_HEALTH] = "health.tsv",
    [CODES_DISABILITY_GRADE] = "disability_grade.tsv",
    [CODES_DOCUMENT_TYPE] = "document_type.tsv",
    [CODES_UNEMPLOYMENT_REASON] = "unemployment_reason.tsv",
    [CODES_SERVICE] = "service.tsv",
    [CODES_REGISTRATION_PLACE] = "registration_place.tsv",
    [CODES_DEREGISTRATION_SITUATION] = "deregistration_situation.tsv",
    [CODES_JOB_CATEGORY] = "job_category.tsv",
    [CODES_WAGE_RANGE] = "wage_range.tsv",
};

typedef struct code_table {
    char *text;
    codes_entry *entries;
    codes_entry *choices; /* the same entries, the commonest first (a "# common:" line) */
    size_t count;
} code_table;

struct codes_tables {
    code_table tables[CODES_TABLE_COUNT];
};

const char *codes_file(codes_table t)
{
    return (unsigned)t < CODES_TABLE_COUNT ? files[t] : "?";
}

/* "# common: 71 61 41 31 21": the codes a choice list shows first, in that order. */
#define COMMON "# common:"

/* tb->choices: the codes of the common line (space-separated, each once, each in the
 * table), then the others in file order. */
static kiosk_rc order_choices(code_table *tb, const char *path, char *common, size_t lineno)
{
    tb->choices = calloc(tb->count, sizeof *tb->choices);
    char *used = calloc(tb->count, 1);
    if (!tb->choices || !used) {
        free(used);
        return KIOSK_NOMEM;
    }
    size_t n = 0;
    for (char *save = NULL, *tok = common ? strtok_r(common, " ", &save) : NULL; tok;
         tok = strtok_r(NULL, " ", &save)) {
        size_t i = 0;
        while (i < tb->count && strcmp(tb->entries[i].code, tok) != 0)
            i++;
        if (i == tb->count || used[i]) {
            kiosk_log_error("codes", "%s:%zu: a common code not in the table, or twice", path,
                            lineno);
            free(used);
            return KIOSK_CORRUPT;
        }
        used[i] = 1;
        tb->choices[n++] = tb->entries[i];
    }
    for (size_t i = 0; i < tb->count; i++)
        if (!used[i])
            tb->choices[n++] = tb->entries[i];
    free(used);
    return KIOSK_OK;
}

static kiosk_rc read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? KIOSK_NOT_FOUND : KIOSK_IO;
    char *buf = malloc(MAX_FILE_BYTES + 1);
    if (!buf) {
        fclose(f);
        return KIOSK_NOMEM;
    }
    size_t n = fread(buf, 1, MAX_FILE_BYTES + 1, f);
    int err = ferror(f);
    fclose(f);
    if (err || n > MAX_FILE_BYTES) {
        free(buf);
        return err ? KIOSK_IO : KIOSK_CORRUPT;
    }
    buf[n] = '\0';
    char *small = realloc(buf, n + 1); /* the tables live as long as the kiosk runs */
    *out = small ? small : buf;
    return KIOSK_OK;
}

/* Names are shown and printed: valid UTF-8 without control characters. */
static int valid_name(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return 0;
    return *s && kiosk_utf8_valid(s);
}

static kiosk_rc parse_table(code_table *tb, const char *path)
{
    size_t lines = 1;
    for (const char *p = tb->text; *p; p++)
        lines += *p == '\n';
    tb->entries = calloc(lines, sizeof *tb->entries);
    if (!tb->entries)
        return KIOSK_NOMEM;
    char *p = tb->text, *common = NULL;
    size_t common_line = 0;
    for (size_t lineno = 1; *p; lineno++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        size_t len = strlen(p);
        if (len > 0 && p[len - 1] == '\r')
            p[--len] = '\0';
        if (!strncmp(p, COMMON, strlen(COMMON))) {
            common = p + strlen(COMMON);
            common_line = lineno;
        } else if (len > 0 && p[0] != '#') {
            char *f1 = strchr(p, '\t');
            char *f2 = f1 ? strchr(f1 + 1, '\t') : NULL;
            if (!f1 || !f2 || strchr(f2 + 1, '\t')) {
                kiosk_log_error("codes", "%s:%zu: expected code, Chinese name, English name", path,
                                lineno);
                return KIOSK_CORRUPT;
            }
            *f1 = *f2 = '\0';
            codes_entry *e = &tb->entries[tb->count];
            e->code = p;
            e->name[CODES_ZH] = f1 + 1;
            e->name[CODES_EN] = f2 + 1;
            size_t cl = strlen(e->code);
            int ok = cl > 0 && cl <= CODES_CODE_MAX && valid_name(e->name[CODES_ZH]) &&
                     valid_name(e->name[CODES_EN]);
            for (size_t i = 0; ok && i < cl; i++)
                ok = e->code[i] >= '0' && e->code[i] <= '9';
            for (size_t i = 0; ok && i < tb->count; i++)
                ok = strcmp(tb->entries[i].code, e->code) != 0;
            if (!ok) {
                kiosk_log_error("codes", "%s:%zu: bad or duplicate entry", path, lineno);
                return KIOSK_CORRUPT;
            }
            tb->count++;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (tb->count == 0) {
        kiosk_log_error("codes", "%s: no entries", path);
        return KIOSK_CORRUPT;
    }
    return order_choices(tb, path, common, common_line);
}

kiosk_rc codes_load(const char *dir, codes_tables **out)
{
    *out = NULL;
    codes_tables *t = calloc(1, sizeof *t);
    if (!t)
        return KIOSK_NOMEM;
    for (int i = 0; i < CODES_TABLE_COUNT; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        kiosk_rc rc = read_file(path, &t->tables[i].text);
        if (rc == KIOSK_OK)
            rc = parse_table(&t->tables[i], path);
        else
            kiosk_log_error("codes", "%s: %s", path, kiosk_strerror(rc));
        if (rc != KIOSK_OK) {
            codes_destroy(t);
            return rc;
        }
    }
    *out = t;
    return KIOSK_OK;
}

void codes_destroy(codes_tables *t)
{
    if (!t)
        return;
    for (int i = 0; i < CODES_TABLE_COUNT; i++) {
        free(t->tables[i].text);
        free(t->tables[i].entries);
        free(t->tables[i].choices);
    }
    free(t);
}

static const codes_entry *find(const codes_tables *t, codes_table table, const char *code)
{
    if (!t || !code || (unsigned)table >= CODES_TABLE_COUNT)
        return NULL;
    const code_table *tb = &t->tables[table];
    for (size_t i = 0; i < tb->count; i++)
        if (strcmp(tb->entries[i].code, code) == 0)
            return &tb->entries[i];
    return NULL;
}

kiosk_rc codes_check(const codes_tables *t, codes_table table, const char *code)
{
    return find(t, table, code) ? KIOSK_OK : KIOSK_UNKNOWN_CODE;
}

const char *codes_name(const codes_tables *t, codes_table table, const char *code, codes_lang lang)
{
    const codes_entry *e = find(t, table, code);
    return e && (unsigned)lang <= CODES_EN ? e->name[lang] : NULL;
}

size_t codes_list(const codes_tables *t, codes_table table, const codes_entry **entries)
{
    if (!t || (unsigned)table >= CODES_TABLE_COUNT) {
        *entries = NULL;
        return 0;
    }
    *entries = t->tables[table].entries;
    return t->tables[table].count;
}

size_t codes_choices(const codes_tables *t, codes_table table, const codes_entry **entries)
{
    if (!t || (unsigned)table >= CODES_TABLE_COUNT) {
        *entries = NULL;
        return 0;
    }
    *entries = t->tables[table].choices;
    return t->tables[table].count;
}
