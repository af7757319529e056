/*
 * Strings shown to people, loaded from assets/strings/<lang>.ini ("[section] key =
 * text" → "section.key"). C code names strings by key only; no people-facing text lives
 * in C. Read-only after loading; any thread may look up.
 */
#ifndef KIOSK_STRINGS_H
#define KIOSK_STRINGS_H

#include <stddef.h>

#include "core/kiosk_error.h"

typedef struct kiosk_strings kiosk_strings;

/* Load <dir>/<lang>.ini. On success *out is owned (kiosk_strings_destroy); on failure
 * *out is NULL and *bad_line (if not NULL) holds the failing line (0: file error).
 * KIOSK_NOT_FOUND, KIOSK_IO, KIOSK_CORRUPT (bad or duplicate line), KIOSK_NOMEM. */
kiosk_rc kiosk_strings_load(const char *dir, const char *lang, kiosk_strings **out, int *bad_line);
void kiosk_strings_destroy(kiosk_strings *s);

/* The text for key (borrowed from s), or NULL when the key is missing. */
const char *kiosk_strings_find(const kiosk_strings *s, const char *key);

/* The text for key; a missing key logs a warning and returns the key itself, so a
 * screen shows something a technician can trace rather than nothing. */
const char *kiosk_strings_get(const kiosk_strings *s, const char *key);

/* tmpl into out (always terminated, cut at size) with every "{name}" replaced by the
 * value of that name: names[i] → values[i], n pairs; a name "" stands for "{}".
 * Placeholders without a value stay as they are. */
void kiosk_strings_fill(const char *tmpl, const char *const *names, const char *const *values,
                        size_t n, char *out, size_t size);

/* The languages of the strings files, in the order the header's switch goes through them:
 * "zh_CN" (the hall's Simplified Chinese), "en", "zh_Hant" (Traditional Chinese for Hong
 * Kong, Macao and Taiwan residents, made from zh_CN at build time). zh_CN → en is one
 * tap as before; zh_Hant, chosen by itself for a permit holder, is one tap from zh_CN. */
#define KIOSK_LANGS 3
extern const char *const kiosk_langs[KIOSK_LANGS + 1]; /* NULL-terminated */

/* The language after lang in the switch's cycle (static storage); zh_CN for an unknown
 * lang. Any thread. */
const char *kiosk_lang_next(const char *lang);

/* Whether lang is Traditional Chinese ("zh_Hant"): its fonts, code and division names. */
int kiosk_lang_is_hant(const char *lang);

/* Number of keys, and the i-th key in sorted order (borrowed), for completeness tests. */
size_t kiosk_strings_count(const kiosk_strings *s);
const char *kiosk_strings_key_at(const kiosk_strings *s, size_t i);

#endif
