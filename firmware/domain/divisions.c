/*
 * The division table. The asset lists divisions in code order with codes relative to
 * their parent; loading reads the file into one buffer, rebuilds full codes in one pass
 * over its lines (down to communities and villages where the asset has them), checks the order (so
 * lookups can binary search) and files each code under its level, where a parent's children are
 * contiguous. Names stay in the file buffer: four allocations in all. It does not know what a
 * picker shows; see the header.
 */
#include "domain/divisions.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/kiosk_log.h"

#define MAX_ASSET_BYTES (8u << 20)
#define MAGIC "# kiosk divisions v1 "
#define NONE UINT32_MAX

typedef struct entry {
    char code[13];          /* full code, at most 12 digits */
    unsigned char level;    /* 1..5 */
    unsigned char grouping; /* left out of paths */
    uint32_t name;          /* offset of the NUL-terminated name in text */
    uint32_t parent;        /* index in entries, NONE for provinces */
    uint32_t child0;        /* first child in by_level, when nchild > 0 */
    uint32_t nchild;
} entry;

struct divisions {
    char *text;     /* the asset; names NUL-terminated in place */
    entry *entries; /* in code order, parents before children */
    size_t count;
    const char **by_level; /* every code grouped by level, each group in code order */
    size_t level_count[DIVISIONS_LEVELS + 1];
};

static const size_t suffix_len[DIVISIONS_LEVELS + 1] = {0, 2, 2, 2, 3, 3};

static kiosk_rc corrupt(const char *path, size_t lineno, const char *why)
{
    kiosk_log_error("divisions", "%s:%zu: %s", path, lineno, why);
    return KIOSK_CORRUPT;
}

/* The whole file, NUL-terminated, in one allocation. */
static kiosk_rc read_asset(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int err = errno;
        kiosk_log_error("divisions", "cannot open %s: %s", path, strerror(err));
        return err == ENOENT || err == ENOTDIR ? KIOSK_NOT_FOUND : KIOSK_IO;
    }
    struct stat st;
    kiosk_rc rc = KIOSK_OK;
    char *buf = NULL;
    size_t n = 0;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        kiosk_log_error("divisions", "%s is not a readable file", path);
        rc = KIOSK_IO;
    } else if ((uintmax_t)st.st_size > MAX_ASSET_BYTES) {
        rc = corrupt(path, 0, "larger than 8 MiB");
    } else if (!(buf = malloc((size_t)st.st_size + 1))) {
        rc = KIOSK_NOMEM;
    } else {
        n = fread(buf, 1, (size_t)st.st_size, f);
        if (n != (size_t)st.st_size || ferror(f)) {
            kiosk_log_error("divisions", "cannot read %s", path);
            rc = KIOSK_IO;
        } else if (memchr(buf, '\0', n)) {
            rc = corrupt(path, 0, "NUL byte");
        }
    }
    fclose(f);
    if (rc != KIOSK_OK) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return KIOSK_OK;
}

typedef struct parser {
    divisions *d;
    const char *path;
    size_t lineno;
    uint32_t
        last[DIVISIONS_LEVELS + 1];    /* latest entry of each level, NONE after a shallower one */
    size_t plen[DIVISIONS_LEVELS + 1]; /* path length of last[level] */
} parser;

/* One "<level><suffix>[*]<TAB><name>" line, NUL-terminated in place. */
static kiosk_rc parse_entry(parser *ps, char *line)
{
    divisions *d = ps->d;
    int level = line[0] - '0';
    char *tab = strchr(line, '\t');
    if (level < 1 || level > DIVISIONS_LEVELS || !tab)
        return corrupt(ps->path, ps->lineno, "expected <level><code>[*]<TAB><name>");
    size_t n = (size_t)(tab - line) - 1;
    int grouping = n > 0 && tab[-1] == '*';
    n -= grouping != 0;
    if (n != suffix_len[level] || strspn(line + 1, "0123456789") != n)
        return corrupt(ps->path, ps->lineno, "bad code");
    if (grouping && level == 1)
        return corrupt(ps->path, ps->lineno, "a province cannot be a grouping row");
    const char *name = tab + 1;
    if (!*name || strchr(name, '\t') || !kiosk_utf8_valid(name))
        return corrupt(ps->path, ps->lineno, "bad name");

    uint32_t parent = level == 1 ? NONE : ps->last[level - 1];
    if (level > 1 && parent == NONE)
        return corrupt(ps->path, ps->lineno, "division without a parent");
    entry *e = &d->entries[d->count];
    const char *pcode = level == 1 ? "" : d->entries[parent].code;
    size_t pl = strlen(pcode);
    memcpy(e->code, pcode, pl);
    memcpy(e->code + pl, line + 1, n);
    e->code[pl + n] = '\0';
    if (d->count > 0 && strcmp(d->entries[d->count - 1].code, e->code) >= 0)
        return corrupt(ps->path, ps->lineno, "codes out of order or repeated");
    size_t plen = (level == 1 ? 0 : ps->plen[level - 1]) + (grouping ? 0 : strlen(name));
    if (plen >= DIVISIONS_PATH_MAX)
        return corrupt(ps->path, ps->lineno, "full path too long");

    e->level = (unsigned char)level;
    e->grouping = (unsigned char)grouping;
    e->name = (uint32_t)(name - d->text);
    e->parent = parent;
    ps->last[level] = (uint32_t)d->count;
    ps->plen[level] = plen;
    for (int l = level + 1; l <= DIVISIONS_LEVELS; l++)
        ps->last[l] = NONE;
    d->level_count[level]++;
    d->count++;
    return KIOSK_OK;
}

static kiosk_rc parse(divisions *d, const char *path, size_t len)
{
    size_t lines = 1;
    for (const char *p = d->text; (p = memchr(p, '\n', len - (size_t)(p - d->text))); p++)
        lines++;
    d->entries = calloc(lines, sizeof *d->entries);
    if (!d->entries)
        return KIOSK_NOMEM;
    parser ps = {.d = d, .path = path, .last = {NONE, NONE, NONE, NONE, NONE, NONE}};
    char *end = d->text + len;
    for (char *p = d->text;;) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        *eol = '\0';
        if (eol > p && eol[-1] == '\r')
            eol[-1] = '\0';
        ps.lineno++;
        if (ps.lineno == 1) {
            if (strncmp(p, MAGIC, strlen(MAGIC)) != 0)
                return corrupt(path, 1, "not a v1 division asset (header)");
        } else if (*p && *p != '#') {
            kiosk_rc rc = parse_entry(&ps, p);
            if (rc != KIOSK_OK)
                return rc;
        }
        if (eol == end || eol + 1 == end)
            break;
        p = eol + 1;
    }
    if (d->level_count[1] == 0)
        return corrupt(path, ps.lineno, "no provinces");
    return KIOSK_OK;
}

/* Files every code under its level. In code order, the children of one parent follow
 * each other within their level, so each parent needs only its first child and count. */
static kiosk_rc link_levels(divisions *d)
{
    d->by_level = malloc(d->count * sizeof *d->by_level);
    if (!d->by_level)
        return KIOSK_NOMEM;
    size_t next[DIVISIONS_LEVELS + 1] = {0};
    for (int l = 2; l <= DIVISIONS_LEVELS; l++)
        next[l] = next[l - 1] + d->level_count[l - 1];
    for (size_t i = 0; i < d->count; i++) {
        entry *e = &d->entries[i];
        size_t slot = next[e->level]++;
        d->by_level[slot] = e->code;
        if (e->parent != NONE) {
            entry *p = &d->entries[e->parent];
            if (p->nchild++ == 0)
                p->child0 = (uint32_t)slot;
        }
    }
    return KIOSK_OK;
}

kiosk_rc divisions_load(const char *path, divisions **out)
{
    *out = NULL;
    char *text;
    size_t len;
    kiosk_rc rc = read_asset(path, &text, &len);
    if (rc != KIOSK_OK)
        return rc;
    divisions *d = calloc(1, sizeof *d);
    if (!d) {
        free(text);
        return KIOSK_NOMEM;
    }
    d->text = text;
    rc = parse(d, path, len);
    if (rc == KIOSK_OK)
        rc = link_levels(d);
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
    free(d->by_level);
    free(d->entries);
    free(d->text);
    free(d);
}

size_t divisions_count(const divisions *d, divisions_level level)
{
    return level >= DIVISIONS_PROVINCE && level <= DIVISIONS_COMMUNITY ? d->level_count[level] : 0;
}

static int cmp_code(const void *key, const void *elem)
{
    return strcmp(key, ((const entry *)elem)->code);
}

static const entry *find(const divisions *d, const char *code)
{
    if (!code || strnlen(code, sizeof d->entries->code) >= sizeof d->entries->code)
        return NULL;
    return bsearch(code, d->entries, d->count, sizeof *d->entries, cmp_code);
}

const char *divisions_name(const divisions *d, const char *code)
{
    const entry *e = find(d, code);
    return e ? d->text + e->name : NULL;
}

int divisions_level_of(const divisions *d, const char *code)
{
    const entry *e = find(d, code);
    return e ? e->level : 0;
}

int divisions_is_grouping(const divisions *d, const char *code)
{
    const entry *e = find(d, code);
    return e ? e->grouping : 0;
}

size_t divisions_children(const divisions *d, const char *code, const char *const **codes)
{
    if (!code || !*code) {
        *codes = d->by_level;
        return d->level_count[DIVISIONS_PROVINCE];
    }
    const entry *e = find(d, code);
    if (!e || e->nchild == 0) {
        *codes = NULL;
        return 0;
    }
    *codes = d->by_level + e->child0;
    return e->nchild;
}

kiosk_rc divisions_path(const divisions *d, const char *code, char *out, size_t outsz)
{
    const entry *e = find(d, code);
    if (!e)
        return KIOSK_NOT_FOUND;
    if (outsz == 0)
        return KIOSK_RANGE;
    const entry *chain[DIVISIONS_LEVELS]; /* each parent one level up */
    int n = 0;
    chain[n++] = e;
    while (e->parent != NONE && n < DIVISIONS_LEVELS)
        chain[n++] = e = &d->entries[e->parent];
    size_t len = 0;
    out[0] = '\0';
    for (int i = n - 1; i >= 0; i--) {
        if (chain[i]->grouping)
            continue;
        const char *name = d->text + chain[i]->name;
        size_t l = strlen(name);
        if (len + l >= outsz) {
            out[0] = '\0';
            return KIOSK_RANGE;
        }
        memcpy(out + len, name, l + 1);
        len += l;
    }
    return KIOSK_OK;
}
