/*
 * The string table: parsed once with inih into one sorted array of key/text pairs,
 * looked up by binary search. Duplicate keys are an error (a translation that silently
 * shadows another is a bug).
 */
#include "config/kiosk_strings.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/kiosk_config.h"
#include "core/kiosk_log.h"

typedef struct {
    char *key;
    char *text;
    int line; /* where the file gave it */
} entry;

struct kiosk_strings {
    entry *items;
    size_t count, cap;
    int failed;       /* set by the handler on NOMEM */
    const int *lines; /* while loading: lines read so far (the one being handled) */
};

static void strings_free(kiosk_strings *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->items[i].key);
        free(s->items[i].text);
    }
    free(s->items);
    free(s);
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
    kiosk_strings *s = user;
    if (key == NULL)
        return 1;
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        entry *grown = realloc(s->items, cap * sizeof *grown);
        if (!grown) {
            s->failed = 1;
            return 0;
        }
        s->items = grown;
        s->cap = cap;
    }
    size_t klen = strlen(section) + 1 + strlen(key) + 1;
    char *k = malloc(klen);
    char *t = strdup(value);
    if (!k || !t) {
        free(k);
        free(t);
        s->failed = 1;
        return 0;
    }
    snprintf(k, klen, "%s.%s", section, key);
    /* "\n" in the file means a line break on screen. */
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
    s->items[s->count++] = (entry){k, t, s->lines ? *s->lines : 0};
    return 1;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

typedef struct long_reader {
    FILE *f;
    int lines, long_line;
} long_reader;

static char *read_line(char *buf, int size, void *stream)
{
    long_reader *r = stream;
    int overlong = 0;
    if (!kiosk_ini_gets(buf, size, r->f, &overlong)) {
        if (overlong)
            r->long_line = r->lines + 1;
        return NULL;
    }
    r->lines++;
    return buf;
}

kiosk_rc kiosk_strings_load(const char *dir, const char *lang, kiosk_strings **out, int *bad_line)
{
    char path[512];
    *out = NULL;
    if (bad_line)
        *bad_line = 0;
    snprintf(path, sizeof path, "%s/%s.ini", dir, lang);
    FILE *f = fopen(path, "r");
    if (!f)
        return KIOSK_NOT_FOUND;
    kiosk_strings *s = calloc(1, sizeof *s);
    if (!s) {
        fclose(f);
        return KIOSK_NOMEM;
    }
    long_reader r = {.f = f};
    s->lines = &r.lines;
    int line = ini_parse_stream(read_line, &r, on_entry, s);
    fclose(f);
    s->lines = NULL;
    if (line == 0 && r.long_line) {
        kiosk_log_error("strings", "%s: line %d is longer than %d bytes", path, r.long_line,
                        KIOSK_INI_LINE_MAX - 1);
        line = r.long_line;
    }
    if (s->failed) {
        strings_free(s);
        return KIOSK_NOMEM;
    }
    if (line != 0) {
        if (bad_line)
            *bad_line = line;
        strings_free(s);
        return line < 0 ? KIOSK_IO : KIOSK_CORRUPT;
    }
    if (s->count > 1)
        qsort(s->items, s->count, sizeof *s->items, cmp_entry);
    for (size_t i = 1; i < s->count; i++) {
        if (!strcmp(s->items[i - 1].key, s->items[i].key)) {
            /* the later of the two is the bad line */
            int a = s->items[i - 1].line, b = s->items[i].line;
            if (bad_line)
                *bad_line = a > b ? a : b;
            kiosk_log_error("strings", "%s: line %d: duplicate key %s (first on line %d)", path,
                            a > b ? a : b, s->items[i].key, a > b ? b : a);
            strings_free(s);
            return KIOSK_CORRUPT;
        }
    }
    *out = s;
    return KIOSK_OK;
}

void kiosk_strings_destroy(kiosk_strings *s)
{
    if (s)
        strings_free(s);
}

const char *kiosk_strings_find(const kiosk_strings *s, const char *key)
{
    if (s->count == 0) /* an empty file: items is NULL, which bsearch may not take */
        return NULL;
    entry probe = {(char *)key, NULL, 0};
    const entry *e = bsearch(&probe, s->items, s->count, sizeof *s->items, cmp_entry);
    return e ? e->text : NULL;
}

const char *kiosk_strings_get(const kiosk_strings *s, const char *key)
{
    const char *t = kiosk_strings_find(s, key);
    if (!t) {
        kiosk_log_warn("strings", "missing string %s", key);
        return key;
    }
    return t;
}

size_t kiosk_strings_count(const kiosk_strings *s)
{
    return s->count;
}

const char *kiosk_strings_key_at(const kiosk_strings *s, size_t i)
{
    return i < s->count ? s->items[i].key : NULL;
}

void kiosk_strings_fill(const char *tmpl, const char *const *names, const char *const *values,
                        size_t n, char *out, size_t size)
{
    if (size == 0)
        return;
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = tmpl; *p && used + 1 < size;) {
        const char *value = NULL;
        size_t skip = 0;
        if (*p == '{') {
            const char *close = strchr(p, '}');
            for (size_t i = 0; close && i < n && !value; i++) {
                size_t len = strlen(names[i]);
                if ((size_t)(close - p - 1) == len && strncmp(p + 1, names[i], len) == 0) {
                    value = values[i] ? values[i] : "";
                    skip = len + 2;
                }
            }
        }
        if (!value) {
            out[used++] = *p++;
            continue;
        }
        int w = snprintf(out + used, size - used, "%s", value);
        used += (size_t)w < size - used ? (size_t)w : size - used - 1;
        p += skip;
    }
    out[used] = '\0';
}

const char *const kiosk_langs[KIOSK_LANGS + 1] = {"zh_CN", "en", "zh_Hant", NULL};

const char *kiosk_lang_next(const char *lang)
{
    for (size_t i = 0; i < KIOSK_LANGS; i++)
        if (lang && strcmp(lang, kiosk_langs[i]) == 0)
            return kiosk_langs[(i + 1) % KIOSK_LANGS];
    return kiosk_langs[0];
}

int kiosk_lang_is_hant(const char *lang)
{
    return lang && strcmp(lang, "zh_Hant") == 0;
}
