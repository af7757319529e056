/*
 * Pinyin input: keeps the phrase being composed (what the engine holds: the characters
 * already converted in steps, then the pending ones) and turns the engine's answers into
 * what the keyboard shows: the pending spelling with syllable separators and UTF-8
 * candidates, where candidate 0 (the engine's whole-sentence guess, which repeats the
 * converted part) is cut to the new text only. Letters the engine cannot parse are
 * refused rather than kept unparsed, and every letter first checks the engine's pools
 * (see ui_pinyin_ime.cc): both keep the library away from its aborting paths.
 */
#define UI_PINYIN_IME_INTERNAL
#include "ui/ui_pinyin.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/kiosk_log.h"

#define LOG_MODULE "ui_pinyin"

#ifndef UI_PINYIN_DICT_DEFAULT
#define UI_PINYIN_DICT_DEFAULT "/usr/lib/x86_64-linux-gnu/googlepinyin/data/dict_pinyin.dat"
#endif

/* The packaged dictionary is about 1 MiB; anything far off is not one, and the library
 * checks too little to be handed arbitrary files. */
#define DICT_BYTES_MIN (64 * 1024)
#define DICT_BYTES_MAX (64 * 1024 * 1024)

struct ui_pinyin {
    ui_pinyin_ime *ime;
    char *dict;                           /* the dictionary's path */
    char sps[UI_PINYIN_SPELLING_MAX + 1]; /* the phrase's spelling, as the engine holds it */
    size_t len;                           /* characters in sps */
    size_t start;                         /* where the pending part of sps begins */
    size_t fixed;                         /* characters converted by partial choices */
    size_t count;                         /* candidates */
    char shown[UI_PINYIN_SPELLING_BYTES];
};

/* The library keeps process-wide state (spelling trie, n-gram model): one engine. And
 * loading a dictionary a second time frees with delete what it allocated with new[]
 * (SpellingTrie::build_ym_info), which AddressSanitizer aborts on: so a destroyed
 * engine stays loaded, with its path, for the next ui_pinyin_create of the process. */
static int engine_open;
static ui_pinyin_ime *spare;
static char *spare_dict;

static void refresh(ui_pinyin *p)
{
    p->sps[p->len] = '\0';
    p->shown[0] = '\0';
    p->start = 0;
    p->fixed = 0;
    p->count = 0;
    if (p->len == 0)
        return;
    p->count = ui_pinyin_ime_count(p->ime);
    p->fixed = ui_pinyin_ime_fixed(p->ime);

    const uint16_t *starts;
    size_t n = ui_pinyin_ime_syllables(p->ime, &starts);
    if (p->fixed <= n && starts[p->fixed] <= p->len)
        p->start = starts[p->fixed];

    size_t k = p->fixed + 1, o = 0;
    for (size_t i = p->start; i < p->len; i++) {
        while (k <= n && starts[k] < i)
            k++;
        int boundary = k < n && starts[k] == i;
        if (i > p->start && boundary && p->sps[i - 1] != '\'' && p->sps[i] != '\'')
            p->shown[o++] = '\'';
        p->shown[o++] = p->sps[i];
    }
    p->shown[o] = '\0';
}

/* Search the whole phrase again from nothing: drops partial choices, frees the pools. */
static void research(ui_pinyin *p)
{
    ui_pinyin_ime_reset(p->ime);
    if (p->len > 0)
        ui_pinyin_ime_search(p->ime, p->sps, p->len);
    refresh(p);
}

/* Delete the engine's character at pos (our sps no longer has it), keeping the partial
 * choices before it. */
static void delete_at(ui_pinyin *p, size_t pos)
{
    ui_pinyin_ime_delete(p->ime, pos);
    size_t decoded;
    const char *s = ui_pinyin_ime_spelling(p->ime, &decoded);
    if (strlen(s) != p->len || memcmp(s, p->sps, p->len) != 0 || decoded != p->len) {
        /* Never seen; should the engine disagree, its view of the choices is stale. */
        kiosk_log_warn(LOG_MODULE, "pinyin engine lost its partial choice");
        research(p);
        return;
    }
    refresh(p);
}

kiosk_rc ui_pinyin_create(const char *sys_dict, ui_pinyin **out)
{
    if (!out)
        return KIOSK_INVALID;
    *out = NULL;
    if (!sys_dict)
        sys_dict = UI_PINYIN_DICT_DEFAULT;

    struct stat st;
    if (stat(sys_dict, &st) != 0) {
        int err = errno;
        kiosk_log_warn(LOG_MODULE, "no pinyin dictionary at %s", sys_dict);
        return (err == ENOENT || err == ENOTDIR) ? KIOSK_NOT_FOUND : KIOSK_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        kiosk_log_warn(LOG_MODULE, "pinyin dictionary %s is not a file", sys_dict);
        return KIOSK_NOT_FOUND;
    }
    if (st.st_size < DICT_BYTES_MIN || st.st_size > DICT_BYTES_MAX) {
        kiosk_log_warn(LOG_MODULE, "pinyin dictionary %s has an unlikely size", sys_dict);
        return KIOSK_CORRUPT;
    }
    if (engine_open)
        return KIOSK_BUSY;

    ui_pinyin *p = calloc(1, sizeof(*p));
    if (!p)
        return KIOSK_NOMEM;
    if (spare && strcmp(spare_dict, sys_dict) == 0) {
        p->ime = spare;
        p->dict = spare_dict;
        spare = NULL;
        spare_dict = NULL;
        ui_pinyin_ime_reset(p->ime);
    } else {
        ui_pinyin_ime_close(spare);
        free(spare_dict);
        spare = NULL;
        spare_dict = NULL;
        p->dict = strdup(sys_dict);
        if (!p->dict) {
            free(p);
            return KIOSK_NOMEM;
        }
        kiosk_rc rc = ui_pinyin_ime_open(sys_dict, &p->ime);
        if (rc) {
            kiosk_log_warn(LOG_MODULE, "pinyin dictionary %s: %s", sys_dict, kiosk_rc_name(rc));
            free(p->dict);
            free(p);
            return rc;
        }
    }
    engine_open = 1;
    refresh(p);
    *out = p;
    return KIOSK_OK;
}

void ui_pinyin_destroy(ui_pinyin *p)
{
    if (!p)
        return;
    ui_pinyin_ime_reset(p->ime);
    spare = p->ime;
    spare_dict = p->dict;
    engine_open = 0;
    free(p);
}

kiosk_rc ui_pinyin_type(ui_pinyin *p, char letter)
{
    if (!p)
        return KIOSK_INVALID;
    if (letter >= 'A' && letter <= 'Z')
        letter = (char)(letter - 'A' + 'a');
    if (letter == '\'') {
        if (p->len == p->start || p->sps[p->len - 1] == '\'')
            return KIOSK_INVALID;
    } else if (letter < 'a' || letter > 'z') {
        return KIOSK_INVALID;
    }
    if (p->len >= UI_PINYIN_SPELLING_MAX || !ui_pinyin_ime_has_room(p->ime))
        return KIOSK_RANGE;

    p->sps[p->len] = letter;
    size_t decoded = ui_pinyin_ime_search(p->ime, p->sps, p->len + 1);
    const uint16_t *starts;
    size_t n = ui_pinyin_ime_syllables(p->ime, &starts);
    if (decoded == p->len + 1 && n > 0 && starts[n] == p->len + 1 &&
        ui_pinyin_ime_count(p->ime) > 0) {
        p->len++;
        refresh(p);
        return KIOSK_OK;
    }
    /* Not pinyin here ("i" first, "v" after "jing", "fi"): take it back rather than leave
     * it unparsed, as the engine would parse that tail again on every later letter. */
    p->sps[p->len] = '\0';
    if (p->fixed == 0)
        research(p);
    else
        delete_at(p, p->len);
    return KIOSK_INVALID;
}

kiosk_rc ui_pinyin_backspace(ui_pinyin *p)
{
    if (!p)
        return KIOSK_INVALID;
    if (p->len == 0)
        return KIOSK_NOT_FOUND;
    if (p->fixed == 0) {
        p->len--;
        research(p);
        return KIOSK_OK;
    }
    if (p->len - p->start <= 1) {
        /* The last pending letter: what was chosen is already with the caller. */
        ui_pinyin_reset(p);
        return KIOSK_OK;
    }
    p->len--;
    delete_at(p, p->len);
    return KIOSK_OK;
}

void ui_pinyin_reset(ui_pinyin *p)
{
    if (!p)
        return;
    p->len = 0;
    ui_pinyin_ime_reset(p->ime);
    refresh(p);
}

const char *ui_pinyin_spelling(const ui_pinyin *p)
{
    return p ? p->shown : "";
}

size_t ui_pinyin_candidate_count(const ui_pinyin *p)
{
    return p ? p->count : 0;
}

/* UTF-16 units to UTF-8 (a lone surrogate becomes U+FFFD). KIOSK_RANGE when out is too
 * small. */
static kiosk_rc utf16_to_utf8(const uint16_t *u, size_t n, char *out, size_t outsz)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = u[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (u[i + 1] - 0xDC00u);
            i++;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        unsigned char b[4];
        size_t len;
        if (cp < 0x80) {
            b[0] = (unsigned char)cp;
            len = 1;
        } else if (cp < 0x800) {
            b[0] = (unsigned char)(0xC0 | (cp >> 6));
            b[1] = (unsigned char)(0x80 | (cp & 0x3F));
            len = 2;
        } else if (cp < 0x10000) {
            b[0] = (unsigned char)(0xE0 | (cp >> 12));
            b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            b[2] = (unsigned char)(0x80 | (cp & 0x3F));
            len = 3;
        } else {
            b[0] = (unsigned char)(0xF0 | (cp >> 18));
            b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
            b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            b[3] = (unsigned char)(0x80 | (cp & 0x3F));
            len = 4;
        }
        if (o + len >= outsz) {
            out[0] = '\0';
            return KIOSK_RANGE;
        }
        memcpy(out + o, b, len);
        o += len;
    }
    out[o] = '\0';
    return KIOSK_OK;
}

kiosk_rc ui_pinyin_candidate(const ui_pinyin *p, size_t index, char *out, size_t outsz)
{
    if (!p || !out)
        return KIOSK_INVALID;
    if (outsz == 0)
        return KIOSK_RANGE;
    out[0] = '\0';
    if (index >= p->count)
        return KIOSK_RANGE;

    uint16_t buf[UI_PINYIN_IME_CANDIDATE_UNITS];
    size_t n = ui_pinyin_ime_candidate(p->ime, index, buf, UI_PINYIN_IME_CANDIDATE_UNITS);
    if (n == 0)
        return KIOSK_CORRUPT;
    size_t skip = 0;
    if (index == 0)
        skip = p->fixed < n ? p->fixed : n; /* one unit per converted character */
    return utf16_to_utf8(buf + skip, n - skip, out, outsz);
}

kiosk_rc ui_pinyin_choose(ui_pinyin *p, size_t index, char *out, size_t outsz, int *done)
{
    if (!p || !out || !done)
        return KIOSK_INVALID;
    *done = 0;
    kiosk_rc rc = ui_pinyin_candidate(p, index, out, outsz);
    if (rc)
        return rc;

    ui_pinyin_ime_choose(p->ime, index);
    const uint16_t *starts;
    size_t syllables = ui_pinyin_ime_syllables(p->ime, &starts);
    if (ui_pinyin_ime_fixed(p->ime) >= syllables) {
        *done = 1;
        ui_pinyin_reset(p);
        return KIOSK_OK;
    }
    refresh(p);
    return KIOSK_OK;
}
