/*
 * Logging that cannot leak personal data. Every line passes through a scrubber before
 * any sink sees it: runs of digits that look like ID, phone or card numbers (also glued
 * to letters, written in groups like "138-1234-5678" or in full-width digits) and runs of
 * Chinese characters (names, addresses) are masked, whatever the caller formatted. The
 * masking helpers for summaries shown to staff live here too.
 */
#ifndef KIOSK_LOG_H
#define KIOSK_LOG_H

#include <stddef.h>

#include "core/kiosk_error.h"

typedef enum kiosk_log_level {
    KIOSK_LOG_DEBUG = 0,
    KIOSK_LOG_INFO = 1,
    KIOSK_LOG_WARN = 2,
    KIOSK_LOG_ERROR = 3,
} kiosk_log_level;

/* Longest line a sink receives (longer messages are cut), terminator included. */
#define KIOSK_LOG_LINE_MAX 512

/* A sink gets the scrubbed message (no timestamp, no newline); borrowed for the call.
 * Sinks may be called from any thread, one call at a time. */
typedef void (*kiosk_log_sink)(void *ctx, kiosk_log_level level, const char *module,
                               const char *msg);

/* Log a printf-style message from `module` (a static string like "store"). Any thread. */
void kiosk_log(kiosk_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define kiosk_log_debug(mod, ...) kiosk_log(KIOSK_LOG_DEBUG, mod, __VA_ARGS__)
#define kiosk_log_info(mod, ...) kiosk_log(KIOSK_LOG_INFO, mod, __VA_ARGS__)
#define kiosk_log_warn(mod, ...) kiosk_log(KIOSK_LOG_WARN, mod, __VA_ARGS__)
#define kiosk_log_error(mod, ...) kiosk_log(KIOSK_LOG_ERROR, mod, __VA_ARGS__)

/* The newest lines logged (scrubbed, "HH:MM:SS module: message", cut to fit), oldest
 * first, for the staff screen: up to max copied into out; returns how many. Any thread. */
#define KIOSK_LOG_RECENT 64
#define KIOSK_LOG_RECENT_LEN 160
size_t kiosk_log_recent(char (*out)[KIOSK_LOG_RECENT_LEN], size_t max);

/* Lines below `level` are dropped. Default INFO. */
void kiosk_log_set_level(kiosk_log_level level);

/* Replace the sink (NULL restores the default: stderr with a timestamp). The ctx is kept. */
void kiosk_log_set_sink(kiosk_log_sink sink, void *ctx);

/* Mask personal data in a NUL-terminated UTF-8 line, in place (the length never grows).
 * Returns how many runs were masked. */
size_t kiosk_log_scrub(char *line);

/* "张三丰" → "张*丰", "张三" → "张*", "欧阳娜娜" → "欧**娜"; "·" kept. Writes at most
 * outsz bytes (always terminated). KIOSK_RANGE when out is too small, KIOSK_INVALID when
 * name is not UTF-8. */
kiosk_rc kiosk_mask_name(const char *name, char *out, size_t outsz);

/* "37010219900101123X" → "3701**********123X"; shorter documents keep their first
 * character and last two. Same return codes as kiosk_mask_name. */
kiosk_rc kiosk_mask_id(const char *id, char *out, size_t outsz);

/* Decode one UTF-8 code point from s (at most n bytes). Returns its length in bytes
 * (1..4) and stores it in *cp, or 0 for an invalid or truncated sequence. */
size_t kiosk_utf8_decode(const char *s, size_t n, unsigned *cp);

/* The code point at s[*pos] (len bytes in all), advancing *pos past it. An invalid
 * byte gives U+FFFD and advances one byte, so a loop over any bytes always ends. */
unsigned kiosk_utf8_next(const char *s, size_t len, size_t *pos);

/* 1 when the NUL-terminated s is valid UTF-8, else 0. */
int kiosk_utf8_valid(const char *s);

#endif
