/*
 * The division table. The asset lists divisions in code order with codes relative to
 * their parent; loading rebuilds full codes, checks the order (so lookups can binary
 * search), and builds one array of child pointers per parent. Names point into the one
 * file buffer: three allocations in all.
 */
#include "domain/divisions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"

#define MAX_ASSET_BYTES (8 << 20)

typedef struct entry {
    char code[10];
    const char *name;
    unsigned char level, skip;
    int parent;            /* index, -1 for provinces */
    size_t child0, nchild; /* range in the children array */
} entry;

struct divisions {
    char *text;
    entry *entries;
    size_t count;
    const char **children; /* codes, grouped by parent; provinces first */
    size_t nprovinces;
    size_t level_count[5];
};

static const int suffix_len[5] = {0, 2, 2, 2, 3};

static kiosk_rc corrupt(const char *path, size_t line, const char *why)
{
    kiosk_log_error("divisions", "%s:%zu: %s", path, line, why);
    return KIOSK_CORRUPT;
}

static kiosk_rc parse(divisions *d, const char *path)
{
    size_t lines = 1;
    for (const char *p = d->text; *p; p++)
        lines += *p == '\n';
    d->entries = calloc(lines, sizeof *d->entries);
    if (!d->entries)
        return KIOSK_NOMEM;
    int last_at[5] = {-1, -1, -1, -1, -1}; /* latest entry of each level */
    char *p = d->text;
    for (size_t lineno = 1; *p; lineno++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (*p && *p != '#') {
            char *tab = strchr(p, '\t');
            int level = p[0] - '0';
            if (!tab || level < 1 || level > 4 || tab[1] == '\0')
                return corrupt(path, lineno, "expected <level><code>[*]<TAB><name>");
            *tab = '\0';
            size_t n = strlen(p + 1);
            int skip = n > 0 && p[n] == '*';
            if (skip)
                p[n--] = '\0';
            if ((int)n != suffix_len[level] || strspn(p + 1, "0123456789") != n)
                return corrupt(path, lineno, "bad code");
            entry *e = &d->entries[d->count];
            e->level = (unsigned char)level;
            e->skip = (unsigned char)skip;
            e->name = tab + 1;
            e->parent = level == 1 ? -1 : last_at[level - 1];
            if (level > 1 && e->parent < 0)
                return corrupt(path, lineno, "division without a parent");
            const char *parent_code = level == 1 ? "" : d->entries[e->parent].code;
            size_t pl = strlen(parent_code);
            memcpy(e->code, parent_code, pl);
            memcpy(e->code + pl, p + 1, n + 1);
            if (d->count > 0 && strcmp(d->entries[d->count - 1].code, e->code) >= 0)
                return corrupt(path, lineno, "codes out of order or repeated");
            last_at[level] = (int)d->count;
            for (int l = level + 1; l <= 4; l++)
                last_at[l] = -1;
            d->level_count[level]++;
            d->count++;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (d->level_count[1] == 0)
        return corrupt(path, 0, "no provinces");
    return KIOSK_OK;
}

static kiosk_rc link_children(divisions *d)
{
    d->children = malloc((d->count ? d->count : 1) * sizeof *d->children);
    if (!d->children)
        return KIOSK_NOMEM;
    /* count, then place: provinces take the first slots */
    for (size_t i = 0; i < d->count; i++)
        if (d->entries[i].parent >= 0)
            d->entries[d->entries[i].parent].nchild++;
    size_t next = d->level_count[1];
    for (size_t i = 0; i < d->count; i++) {
        d->entries[i].child0 = next;
        next += d->entries[i].nchild;
        d->entries[i].nchild = 0;
    }
    for (size_t i = 0; i < d->count; i++) {
        entry *e = &d->entries[i];
        if (e->parent < 0) {
            d->children[d->nprovinces++] = e->code;
        } else {
            entry *parent = &d->entries[e->parent];
            d->children[parent->child0 + parent->nchild++] = e->code;
        }
    }
    return KIOSK_OK;
}

kiosk_rc divisions_load(const char *path, divisions **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        kiosk_log_error("divisions", "cannot open %s", path);
        return errno == ENOENT ? KIOSK_NOT_FOUND : KIOSK_IO;
    }
    divisions *d = calloc(1, sizeof *d);
    char *buf = malloc(MAX_ASSET_BYTES + 1);
    if (!d || !buf) {
        free(d);
        free(buf);
        fclose(f);
        return KIOSK_NOMEM;
    }
    size_t n = fread(buf, 1, MAX_ASSET_BYTES + 1, f);
    int err = ferror(f);
    fclose(f);
    buf[n <= MAX_ASSET_BYTES ? n : MAX_ASSET_BYTES] = '\0';
    d->text = buf;
    kiosk_rc rc = err ? KIOSK_IO : n > MAX_ASSET_BYTES ? KIOSK_CORRUPT : KIOSK_OK;
    if (rc == KIOSK_OK)
        rc = parse(d, path);
    if (rc == KIOSK_OK)
        rc = link_children(d);
    if (rc != KIOSK_OK) {
        divisions_destroy(d);
        return rc;
    }
    *out = d;
    return KIOSK_OK;
}

void divisions_destroy(divisions *d)
{
    if (!d)
        return;
    free(d->children);
    free(d->entries);
    free(d->text);
    free(d);
}

size_t divisions_count(const divisions *d, divisions_level level)
{
    return level >= 1 && level <= 4 ? d->level_count[level] : 0;
}

static int cmp_code(const void *key, const void *elem)
{
    return strcmp(key, ((const entry *)elem)->code);
}

static const entry *find(const divisions *d, const char *code)
{
    if (!code || strlen(code) >= sizeof d->entries[0].code)
        return NULL;
    return bsearch(code, d->entries, d->count, sizeof *d->entries, cmp_code);
}

const char *divisions_name(const divisions *d, const char *code)
{
    const entry *e = find(d, code);
    return e ? e->name : NULL;
}

int divisions_level_of(const divisions *d, const char *code)
{
    const entry *e = find(d, code);
    return e ? e->level : 0;
}

size_t divisions_children(const divisions *d, const char *code, const char *const **codes)
{
    if (!code || !*code) {
        *codes = d->children;
        return d->nprovinces;
    }
    const entry *e = find(d, code);
    if (!e) {
        *codes = NULL;
        return 0;
    }
    *codes = d->children + e->child0;
    return e->nchild;
}

kiosk_rc divisions_path(const divisions *d, const char *code, char *out, size_t outsz)
{
    const entry *e = find(d, code);
    if (!e)
        return KIOSK_NOT_FOUND;
    const entry *chain[4];
    int n = 0;
    for (; e && n < 4; e = e->parent >= 0 ? &d->entries[e->parent] : NULL)
        chain[n++] = e;
    size_t len = 0;
    if (outsz == 0)
        return KIOSK_RANGE;
    out[0] = '\0';
    for (int i = n - 1; i >= 0; i--) {
        if (chain[i]->skip && i != 0)
            continue;
        size_t l = strlen(chain[i]->name);
        if (len + l + 1 > outsz)
            return KIOSK_RANGE;
        memcpy(out + len, chain[i]->name, l + 1);
        len += l;
    }
    return KIOSK_OK;
}
