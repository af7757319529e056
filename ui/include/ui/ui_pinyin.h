/*
 * Pinyin input for the on-screen keyboard: letters typed by the citizen become Chinese
 * candidates, best first, from libgooglepinyin's system dictionary (Debian package
 * libgooglepinyin0). A phrase can be converted in steps: choosing a candidate that covers
 * only the start of the spelling hands that text out and keeps the rest pending. No user
 * dictionary: nothing typed is learnt, stored or logged. No drawing, no SDL: the keyboard
 * screen shows the spelling and the candidates. One engine per process. UI thread only.
 */
#ifndef UI_PINYIN_H
#define UI_PINYIN_H

#include <stddef.h>

#include "core/kiosk_error.h"

typedef struct ui_pinyin ui_pinyin;

/* Characters (letters and ') in the phrase being composed, parts already chosen in steps
 * included; the library's own limit is 39. */
#define UI_PINYIN_SPELLING_MAX 32
#define UI_PINYIN_SPELLING_BYTES 72   /* ui_pinyin_spelling() with separators, terminated */
#define UI_PINYIN_CANDIDATE_BYTES 128 /* a candidate (<= 32 characters) in UTF-8, with NUL */

/* Open the engine with the system dictionary at sys_dict (borrowed; NULL: the Debian
 * default /usr/lib/<multiarch>/googlepinyin/data/dict_pinyin.dat). Reads the file (about
 * 1 MiB) into memory: call at set-up, not in the frame loop. On success *out is owned:
 * free it with ui_pinyin_destroy. On failure *out is NULL: KIOSK_INVALID for a NULL out,
 * KIOSK_NOT_FOUND when the file does not exist (or is not a regular file), KIOSK_IO when
 * it cannot be looked at, KIOSK_CORRUPT when it is not a dictionary the library can load
 * (it checks little: use the packaged file), KIOSK_BUSY when an engine is already open
 * (the library keeps process-wide state), KIOSK_NOMEM. */
kiosk_rc ui_pinyin_create(const char *sys_dict, ui_pinyin **out);

/* Free p. The dictionary stays loaded (about 1 MiB) for the next ui_pinyin_create with
 * the same path in this process: libgooglepinyin cannot load one twice cleanly. NULL is
 * a no-op. */
void ui_pinyin_destroy(ui_pinyin *p);

/* Append one character to the pending spelling: a-z, A-Z (folded to lower case, pinyin
 * has no case; 'v' stands for ü as in "lv" 绿) or ' to separate syllables ("xi'an" 西安
 * against "xian" 先). Candidates refresh. The spelling is unchanged on failure:
 * KIOSK_INVALID for NULL, any other character, a ' at the start or after another ', or a
 * letter that cannot continue a pinyin spelling (the keyboard may flash the key: "i", "u"
 * and "v" never start one); KIOSK_RANGE when the phrase has UI_PINYIN_SPELLING_MAX
 * characters, or when the library's search space is nearly full (long runs of ambiguous
 * letters such as "anananan…" or initials only): the citizen chooses a candidate first. */
kiosk_rc ui_pinyin_type(ui_pinyin *p, char letter);

/* Remove the last pending character; candidates refresh. When it was the only one left,
 * the engine resets (text already handed out by ui_pinyin_choose stays with the caller).
 * KIOSK_INVALID for NULL, KIOSK_NOT_FOUND when nothing is pending (the keyboard then
 * deletes from the text field instead). */
kiosk_rc ui_pinyin_backspace(ui_pinyin *p);

/* Drop the pending spelling and any partial choice. NULL is a no-op. */
void ui_pinyin_reset(ui_pinyin *p);

/* The pending spelling as shown to the citizen, syllables separated by ' ("bei'jing",
 * typed separators kept); after a partial choice only the part not yet converted. Empty
 * when nothing is pending, "" for NULL. Borrowed: valid until the next call on p. */
const char *ui_pinyin_spelling(const ui_pinyin *p);

/* How many candidates the pending spelling has (0 when nothing is pending or NULL). The
 * first is usually the whole spelling as one sentence, then words and characters for its
 * start. Single initials work too ("bj" → 北京). */
size_t ui_pinyin_candidate_count(const ui_pinyin *p);

/* Copy candidate index (0-based, best first; a page is index first..first+n-1) as UTF-8
 * into out (outsz bytes, UI_PINYIN_CANDIDATE_BYTES always suffice, always terminated on
 * success). It is the text ui_pinyin_choose would hand out for index. KIOSK_INVALID for a
 * NULL argument, KIOSK_RANGE for index >= the count or out too small (then out is ""). */
kiosk_rc ui_pinyin_candidate(const ui_pinyin *p, size_t index, char *out, size_t outsz);

/* Choose candidate index: its text (as ui_pinyin_candidate gives it) is copied into out
 * for the caller to insert. When it covers only the start of the spelling the rest stays
 * pending, candidates refresh and *done = 0; the next choice hands out only new text, so
 * the caller simply appends each piece ("zhangsan": 张, then 三). When the whole spelling
 * is converted *done = 1 and the engine resets. Nothing changes on failure: KIOSK_INVALID
 * for a NULL argument, KIOSK_RANGE for index >= the count or out too small. */
kiosk_rc ui_pinyin_choose(ui_pinyin *p, size_t index, char *out, size_t outsz, int *done);

/*
 * Private to ui_pinyin.c and its C++ shim ui_pinyin_ime.cc, which wraps the library's
 * C++ engine (ime_pinyin::MatrixSearch) in these C functions. Not for other modules.
 */
#ifdef UI_PINYIN_IME_INTERNAL
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ui_pinyin_ime ui_pinyin_ime;

/* Longest candidate the engine returns, in UTF-16 units with the terminator. */
#define UI_PINYIN_IME_CANDIDATE_UNITS 48

/* Load sys_dict (borrowed) with no user dictionary. *out owned (ui_pinyin_ime_close).
 * KIOSK_CORRUPT when the library refuses the file, KIOSK_NOMEM. */
kiosk_rc ui_pinyin_ime_open(const char *sys_dict, ui_pinyin_ime **out);
void ui_pinyin_ime_close(ui_pinyin_ime *e);
/* Forget the spelling and the choices. */
void ui_pinyin_ime_reset(ui_pinyin_ime *e);
/* Search sps[0..len) (borrowed), incrementally from the common prefix with the previous
 * search, keeping choices when the new spelling extends the old one. Returns how many
 * characters the engine could parse. */
size_t ui_pinyin_ime_search(ui_pinyin_ime *e, const char *sps, size_t len);
/* Delete the character at pos of the engine's spelling, keeping the choices before it. */
void ui_pinyin_ime_delete(ui_pinyin_ime *e, size_t pos);
/* The engine's spelling (borrowed until the next call); *decoded gets the parsed length. */
const char *ui_pinyin_ime_spelling(ui_pinyin_ime *e, size_t *decoded);
/* Syllables in the spelling; *starts (borrowed) gets n + 1 offsets into it. */
size_t ui_pinyin_ime_syllables(ui_pinyin_ime *e, const uint16_t **starts);
/* Syllables (= Chinese characters) fixed by choices so far. */
size_t ui_pinyin_ime_fixed(ui_pinyin_ime *e);
size_t ui_pinyin_ime_count(ui_pinyin_ime *e);
/* Candidate index as terminated UTF-16 in buf (max units); returns its length in units,
 * 0 when there is none. Candidate 0 includes the fixed characters in front. */
size_t ui_pinyin_ime_candidate(ui_pinyin_ime *e, size_t index, uint16_t *buf, size_t max);
/* Fix candidate index; returns the new candidate count. */
size_t ui_pinyin_ime_choose(ui_pinyin_ime *e, size_t index);
/* 1 when the engine's search pools have room for one more character, else 0. */
int ui_pinyin_ime_has_room(ui_pinyin_ime *e);

#ifdef __cplusplus
}
#endif
#endif /* UI_PINYIN_IME_INTERNAL */

#endif
