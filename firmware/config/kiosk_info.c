/*
 * The hall's policies, agencies and calendar: a small line parser of its own (not inih),
 * so that every refusal names its line — an unknown section or key, a key given twice, an
 * empty value, a section missing a key (at its header), an unknown level, a bad date.
 * Values are copied once at load; nothing changes afterwards.
 */
#include "config/kiosk_info.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/kiosk_config.h"
#include "core/kiosk_log.h"

static const char *const level_names[KIOSK_INFO_LEVEL_COUNT] = {"city", "district", "street",
                                                                "community"};

const char *kiosk_info_level_name(kiosk_info_level level)
{
    return (unsigned)level < KIOSK_INFO_LEVEL_COUNT ? level_names[level] : NULL;
}

enum { POLICY_KEYS = 3, AGENCY_KEYS = 5, MAX_KEYS = 5 };
static const char *const policy_keys[POLICY_KEYS] = {"title", "who", "how"};
static const char *const agency_keys[AGENCY_KEYS] = {"level", "name", "address", "phone", "hours"};

typedef struct item {
    char id[KIOSK_INFO_ID_MAX];
    int agency; /* else a policy */
    int line;   /* of its header */
    char *values[MAX_KEYS];
} item;

struct kiosk_info {
    item items[KIOSK_INFO_POLICIES_MAX + KIOSK_INFO_AGENCIES_MAX];
    size_t nitems, npolicies, nagencies;
    kiosk_info_policy policies[KIOSK_INFO_POLICIES_MAX];
    kiosk_info_agency agencies[KIOSK_INFO_AGENCIES_MAX];
};

void kiosk_info_destroy(kiosk_info *info)
{
    if (!info)
        return;
    for (size_t i = 0; i < info->nitems; i++)
        for (int k = 0; k < MAX_KEYS; k++)
            free(info->items[i].values[k]);
    free(info);
}

/* s without its leading and trailing blanks (in place). */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static int good_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= KIOSK_INFO_ID_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int key_index(const item *it, const char *key)
{
    const char *const *keys = it->agency ? agency_keys : policy_keys;
    int n = it->agency ? AGENCY_KEYS : POLICY_KEYS;
    for (int k = 0; k < n; k++)
        if (!strcmp(keys[k], key))
            return k;
    return -1;
}

/* "\n" in the file is a line break on screen (as in the strings). Owned copy or NULL. */
static char *unescape(const char *v)
{
    char *t = strdup(v);
    if (!t)
        return NULL;
    char *w = t;
    for (const char *r = t; *r; r++) {
        if (r[0] == '\\' && r[1] == 'n') {
            *w++ = '\n';
            r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return t;
}

static int level_of(const char *v)
{
    for (int l = 0; l < KIOSK_INFO_LEVEL_COUNT; l++)
        if (!strcmp(v, level_names[l]))
            return l;
    return -1;
}

/* The item just closed: every key given, a known level. 0 or its header's line. */
static int close_item(const item *it)
{
    if (!it)
        return 0;
    int n = it->agency ? AGENCY_KEYS : POLICY_KEYS;
    for (int k = 0; k < n; k++)
        if (!it->values[k])
            return it->line;
    return 0;
}

/* One line of an info file: 0, -1 on NOMEM, or the line to refuse (this one; a section
 * missing a key: its header's). */
static int info_line(kiosk_info *info, item **cur, char *raw, int lineno)
{
    char *s = trim(raw);
    if (!*s || *s == ';' || *s == '#')
        return 0;
    if (*s == '[') {
        size_t n = strlen(s);
        if (n < 3 || s[n - 1] != ']')
            return lineno;
        s[n - 1] = '\0';
        char *name = s + 1;
        int agency;
        if (!strncmp(name, "policy.", 7))
            agency = 0;
        else if (!strncmp(name, "agency.", 7))
            agency = 1;
        else
            return lineno;
        const char *id = name + 7;
        if (!good_id(id))
            return lineno;
        int open = close_item(*cur);
        if (open)
            return open;
        if ((agency && info->nagencies >= KIOSK_INFO_AGENCIES_MAX) ||
            (!agency && info->npolicies >= KIOSK_INFO_POLICIES_MAX))
            return lineno;
        for (size_t i = 0; i < info->nitems; i++)
            if (info->items[i].agency == agency && !strcmp(info->items[i].id, id))
                return lineno;
        item *it = &info->items[info->nitems++];
        memset(it, 0, sizeof *it);
        snprintf(it->id, sizeof it->id, "%s", id);
        it->agency = agency;
        it->line = lineno;
        if (agency)
            info->nagencies++;
        else
            info->npolicies++;
        *cur = it;
        return 0;
    }
    char *eq = strchr(s, '=');
    if (!*cur || !eq)
        return lineno;
    *eq = '\0';
    char *key = trim(s), *value = trim(eq + 1);
    int k = key_index(*cur, key);
    if (k < 0 || (*cur)->values[k] || !*value)
        return lineno;
    if ((*cur)->agency && k == 0 && level_of(value) < 0)
        return lineno;
    (*cur)->values[k] = unescape(value);
    return (*cur)->values[k] ? 0 : -1;
}

/* Read f line by line through handle(ctx, line, lineno): 0 go on, -1 NOMEM, else the
 * line to refuse. */
static kiosk_rc read_lines(FILE *f, int (*handle)(void *, char *, int), void *ctx, int *bad_line)
{
    char buf[KIOSK_INI_LINE_MAX];
    int lineno = 0, overlong = 0;
    while (kiosk_ini_gets(buf, sizeof buf, f, &overlong)) {
        lineno++;
        if (lineno == 1 && !strncmp(buf, "\xEF\xBB\xBF", 3))
            memmove(buf, buf + 3, strlen(buf + 3) + 1); /* a BOM from a Windows editor */
        int r = handle(ctx, buf, lineno);
        if (r < 0)
            return KIOSK_NOMEM;
        if (r > 0) {
            *bad_line = r;
            return KIOSK_CORRUPT;
        }
    }
    if (overlong) {
        *bad_line = lineno + 1;
        return KIOSK_CORRUPT;
    }
    if (ferror(f))
        return KIOSK_IO;
    return KIOSK_OK;
}

typedef struct info_reader {
    kiosk_info *info;
    item *cur;
} info_reader;

static int info_handle(void *ctx, char *line, int lineno)
{
    info_reader *r = ctx;
    return info_line(r->info, &r->cur, line, lineno);
}

kiosk_rc kiosk_info_load_file(const char *path, kiosk_info **out, int *bad_line)
{
    int dummy;
    if (!bad_line)
        bad_line = &dummy;
    *out = NULL;
    *bad_line = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return KIOSK_NOT_FOUND;
    kiosk_info *info = calloc(1, sizeof *info);
    if (!info) {
        fclose(f);
        return KIOSK_NOMEM;
    }
    info_reader r = {info, NULL};
    kiosk_rc rc = read_lines(f, info_handle, &r, bad_line);
    fclose(f);
    if (rc == KIOSK_OK && (*bad_line = close_item(r.cur)) != 0)
        rc = KIOSK_CORRUPT;
    if (rc != KIOSK_OK) {
        if (rc == KIOSK_CORRUPT)
            kiosk_log_error("info", "%s: line %d refused", path, *bad_line);
        kiosk_info_destroy(info);
        return rc;
    }
    size_t np = 0, na = 0;
    for (size_t i = 0; i < info->nitems; i++) {
        const item *it = &info->items[i];
        if (it->agency) {
            kiosk_info_agency *a = &info->agencies[na++];
            snprintf(a->id, sizeof a->id, "%s", it->id);
            a->level = (kiosk_info_level)level_of(it->values[0]);
            a->name = it->values[1];
            a->address = it->values[2];
            a->phone = it->values[3];
            a->hours = it->values[4];
        } else {
            kiosk_info_policy *p = &info->policies[np++];
            snprintf(p->id, sizeof p->id, "%s", it->id);
            p->title = it->values[0];
            p->who = it->values[1];
            p->how = it->values[2];
        }
    }
    *out = info;
    return KIOSK_OK;
}

kiosk_rc kiosk_info_load(const char *dir, const char *lang, kiosk_info **out, int *bad_line)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.ini", dir, lang);
    return kiosk_info_load_file(path, out, bad_line);
}

size_t kiosk_info_policy_count(const kiosk_info *info)
{
    return info ? info->npolicies : 0;
}

const kiosk_info_policy *kiosk_info_policy_at(const kiosk_info *info, size_t i)
{
    return info && i < info->npolicies ? &info->policies[i] : NULL;
}

size_t kiosk_info_agency_count(const kiosk_info *info)
{
    return info ? info->nagencies : 0;
}

const kiosk_info_agency *kiosk_info_agency_at(const kiosk_info *info, size_t i)
{
    return info && i < info->nagencies ? &info->agencies[i] : NULL;
}

const kiosk_info_agency *kiosk_info_agency_of(const kiosk_info *info, kiosk_info_level level,
                                              size_t i)
{
    for (size_t k = 0; info && k < info->nagencies; k++)
        if (info->agencies[k].level == level && i-- == 0)
            return &info->agencies[k];
    return NULL;
}

size_t kiosk_info_agency_count_of(const kiosk_info *info, kiosk_info_level level)
{
    size_t n = 0;
    for (size_t k = 0; info && k < info->nagencies; k++)
        n += info->agencies[k].level == level;
    return n;
}

typedef struct cal_reader {
    kiosk_info_calendar *out;
    kiosk_date holidays[KIOSK_INFO_DATES_MAX], workdays[KIOSK_INFO_DATES_MAX];
    size_t nh, nw;
    int section; /* 0 none, 1 holidays, 2 workdays */
} cal_reader;

static int in_list(kiosk_date d, const kiosk_date *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (kiosk_date_cmp(d, list[i]) == 0)
            return 1;
    return 0;
}

static int cal_handle(void *ctx, char *raw, int lineno)
{
    cal_reader *r = ctx;
    char *s = trim(raw);
    if (!*s || *s == ';' || *s == '#')
        return 0;
    if (!strcmp(s, "[holidays]")) {
        r->section = 1;
        return 0;
    }
    if (!strcmp(s, "[workdays]")) {
        r->section = 2;
        return 0;
    }
    char *eq = strchr(s, '=');
    if (!r->section || !eq)
        return lineno;
    *eq = '\0';
    char *key = trim(s), *name = trim(eq + 1);
    kiosk_date d;
    if (strlen(key) != 10 || key[4] != '-' || key[7] != '-' || !*name ||
        kiosk_date_parse(key, &d) != KIOSK_OK)
        return lineno;
    if (in_list(d, r->holidays, r->nh) || in_list(d, r->workdays, r->nw))
        return lineno; /* once, and never both */
    if (r->section == 1) {
        if (r->nh >= KIOSK_INFO_DATES_MAX)
            return lineno;
        r->holidays[r->nh++] = d;
    } else {
        if (r->nw >= KIOSK_INFO_DATES_MAX)
            return lineno;
        r->workdays[r->nw++] = d;
    }
    return 0;
}

kiosk_rc kiosk_info_calendar_load(const char *path, kiosk_info_calendar *out, int *bad_line)
{
    int dummy;
    if (!bad_line)
        bad_line = &dummy;
    *bad_line = 0;
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f)
        return KIOSK_NOT_FOUND;
    cal_reader *r = calloc(1, sizeof *r);
    if (!r) {
        fclose(f);
        return KIOSK_NOMEM;
    }
    kiosk_rc rc = read_lines(f, cal_handle, r, bad_line);
    fclose(f);
    if (rc == KIOSK_OK) {
        memcpy(out->dates, r->holidays, r->nh * sizeof *r->holidays);
        memcpy(out->dates + KIOSK_INFO_DATES_MAX, r->workdays, r->nw * sizeof *r->workdays);
        out->cal = (kiosk_calendar){out->dates, r->nh, out->dates + KIOSK_INFO_DATES_MAX, r->nw};
    } else if (rc == KIOSK_CORRUPT) {
        kiosk_log_error("info", "%s: line %d refused", path, *bad_line);
    }
    free(r);
    return rc;
}
