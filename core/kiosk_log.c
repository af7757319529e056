/*
 * The log front end and its scrubber. Formatting happens in a fixed stack buffer; the
 * scrubber runs before the sink, so a careless format string still leaks nothing. It
 * does not try to keep log files (journald does that on the device).
 */
#include "core/kiosk_log.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static kiosk_log_level log_level = KIOSK_LOG_INFO;
static kiosk_log_sink log_sink;
static void *log_sink_ctx;

static const char *level_name(kiosk_log_level level)
{
    switch (level) {
    case KIOSK_LOG_DEBUG:
        return "DEBUG";
    case KIOSK_LOG_INFO:
        return "INFO";
    case KIOSK_LOG_WARN:
        return "WARN";
    case KIOSK_LOG_ERROR:
        return "ERROR";
    }
    return "?";
}

static void stderr_sink(void *ctx, kiosk_log_level level, const char *module, const char *msg)
{
    (void)ctx;
    char stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s %-5s %s: %s\n", stamp, level_name(level), module, msg);
}

void kiosk_log_set_level(kiosk_log_level level)
{
    pthread_mutex_lock(&log_lock);
    log_level = level;
    pthread_mutex_unlock(&log_lock);
}

void kiosk_log_set_sink(kiosk_log_sink sink, void *ctx)
{
    pthread_mutex_lock(&log_lock);
    log_sink = sink;
    log_sink_ctx = ctx;
    pthread_mutex_unlock(&log_lock);
}

static char recent[KIOSK_LOG_RECENT][KIOSK_LOG_RECENT_LEN];
static size_t recent_next, recent_count;

void kiosk_log(kiosk_log_level level, const char *module, const char *fmt, ...)
{
    char line[KIOSK_LOG_LINE_MAX];
    va_list ap;

    pthread_mutex_lock(&log_lock);
    if (level < log_level) {
        pthread_mutex_unlock(&log_lock);
        return;
    }
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        snprintf(line, sizeof line, "(unformattable log message)");
    else if ((size_t)n >= sizeof line) {
        /* Do not leave half a UTF-8 sequence at the cut: back up to the last lead byte
         * and drop its sequence unless it is complete. */
        size_t end = sizeof line - 1, lead = end;
        while (lead > 0 && ((unsigned char)line[lead - 1] & 0xC0) == 0x80)
            lead--;
        if (lead > 0) {
            unsigned cp;
            lead--;
            if (kiosk_utf8_decode(line + lead, end - lead, &cp) == 0)
                line[lead] = '\0';
        }
    }
    kiosk_log_scrub(line);
    if (log_sink)
        log_sink(log_sink_ctx, level, module, line);
    else
        stderr_sink(NULL, level, module, line);
    /* the staff screen's "recent lines": already scrubbed, cut to fit */
    time_t now = time(NULL);
    struct tm tm;
    char stamp[16];
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    snprintf(recent[recent_next], sizeof recent[0], "%s %s: %.*s", stamp, module,
             KIOSK_LOG_RECENT_LEN - 40, line);
    recent_next = (recent_next + 1) % KIOSK_LOG_RECENT;
    if (recent_count < KIOSK_LOG_RECENT)
        recent_count++;
    pthread_mutex_unlock(&log_lock);
}

size_t kiosk_log_recent(char (*out)[KIOSK_LOG_RECENT_LEN], size_t max)
{
    pthread_mutex_lock(&log_lock);
    size_t n = recent_count < max ? recent_count : max;
    for (size_t i = 0; i < n; i++) {
        size_t k = (recent_next + KIOSK_LOG_RECENT - n + i) % KIOSK_LOG_RECENT;
        memcpy(out[i], recent[k], KIOSK_LOG_RECENT_LEN);
    }
    pthread_mutex_unlock(&log_lock);
    return n;
}

size_t kiosk_utf8_decode(const char *s, size_t n, unsigned *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len;
    unsigned v, min;
    if (n == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    } else if ((u[0] & 0xE0) == 0xC0) {
        len = 2, v = u[0] & 0x1F, min = 0x80;
    } else if ((u[0] & 0xF0) == 0xE0) {
        len = 3, v = u[0] & 0x0F, min = 0x800;
    } else if ((u[0] & 0xF8) == 0xF0) {
        len = 4, v = u[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

unsigned kiosk_utf8_next(const char *s, size_t len, size_t *pos)
{
    unsigned cp;
    size_t n = kiosk_utf8_decode(s + *pos, len - *pos, &cp);
    if (n == 0) {
        *pos += 1;
        return 0xFFFD;
    }
    *pos += n;
    return cp;
}

int kiosk_utf8_valid(const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = kiosk_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* Characters that make up Chinese names and addresses: CJK ideographs of every block,
 * compatibility ideographs, and the middle dot of transliterated minority names. */
static int is_name_char(unsigned cp)
{
    return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF) || cp == 0x00B7 ||
           cp == 0x30FB;
}

/* Masks a run of `count` code points starting at s (byte length len) in place: the first
 * code point stays, every following one becomes one '*', the rest of the bytes are
 * removed. Returns the new byte length. */
static size_t mask_cjk_run(char *s, size_t len, size_t count)
{
    unsigned cp;
    size_t first = kiosk_utf8_decode(s, len, &cp);
    size_t out = first;
    for (size_t i = 1; i < count; i++)
        s[out++] = '*';
    return out;
}

/* 36 when s starts with a record UUID in its canonical form (8-4-4-4-12 hex digits) that
 * is not glued to a letter or digit after it, else 0. A UUID is no personal data, and its
 * all-digit groups must not be masked as numbers: staff match log lines to records by it. */
static size_t uuid_at(const char *s, size_t len)
{
    if (len < 36 || (len > 36 && isalnum((unsigned char)s[36])))
        return 0;
    for (size_t i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return 0;
    }
    return 36;
}

size_t kiosk_log_scrub(char *line)
{
    size_t masked = 0;
    size_t len = strlen(line);
    size_t r = 0, w = 0;

    while (r < len) {
        unsigned cp;
        size_t n = kiosk_utf8_decode(line + r, len - r, &cp);
        if (n > 1 && is_name_char(cp)) {
            size_t start = r, count = 0;
            while (r < len && (n = kiosk_utf8_decode(line + r, len - r, &cp)) > 1 &&
                   is_name_char(cp)) {
                r += n;
                count++;
            }
            memmove(line + w, line + start, r - start);
            w += mask_cjk_run(line + w, r - start, count);
            masked++;
            continue;
        }
        size_t id_len =
            (r == 0 || !isalnum((unsigned char)line[r - 1])) ? uuid_at(line + r, len - r) : 0;
        if (id_len) {
            memmove(line + w, line + r, id_len);
            w += id_len;
            r += id_len;
            continue;
        }
        if (isdigit((unsigned char)line[r]) || ((line[r] == 'H' || line[r] == 'M') && r + 1 < len &&
                                                isdigit((unsigned char)line[r + 1]))) {
            /* A number: ID numbers (15/18, maybe ending in X), phones (11), permit
             * numbers (H/M + 8..10), card numbers. Short numbers (counts, codes,
             * times) pass. */
            size_t start = r;
            r++;
            while (r < len && isdigit((unsigned char)line[r]))
                r++;
            if (r < len && (line[r] == 'X' || line[r] == 'x'))
                r++;
            size_t run = r - start;
            int bounded = (start == 0 || !isalnum((unsigned char)line[start - 1])) &&
                          (r == len || !isalnum((unsigned char)line[r]));
            memmove(line + w, line + start, run);
            if (run >= 7 && bounded) {
                size_t keep_head = run >= 15 ? 4 : 3, keep_tail = run >= 15 ? 4 : 2;
                for (size_t i = keep_head; i + keep_tail < run; i++)
                    line[w + i] = '*';
                masked++;
            }
            w += run;
            continue;
        }
        line[w++] = line[r++];
    }
    line[w] = '\0';
    return masked;
}

kiosk_rc kiosk_mask_name(const char *name, char *out, size_t outsz)
{
    size_t len = strlen(name), count = 0, first = 0, last = 0, lastlen = 0;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = kiosk_utf8_decode(name + i, len - i, &cp);
        if (n == 0)
            return KIOSK_INVALID;
        if (count == 0)
            first = n;
        last = i;
        lastlen = n;
        count++;
        i += n;
    }
    size_t need;
    if (count == 0)
        need = 1;
    else if (count == 1)
        need = 2;
    else if (count == 2)
        need = first + 2;
    else
        need = first + (count - 2) + lastlen + 1;
    if (need > outsz)
        return KIOSK_RANGE;
    size_t w = 0;
    if (count == 1) {
        out[w++] = '*';
    } else if (count >= 2) {
        memcpy(out, name, first);
        w = first;
        for (size_t i = 0; i < (count == 2 ? 1 : count - 2); i++)
            out[w++] = '*';
        if (count > 2) {
            memcpy(out + w, name + last, lastlen);
            w += lastlen;
        }
    }
    out[w] = '\0';
    return KIOSK_OK;
}

kiosk_rc kiosk_mask_id(const char *id, char *out, size_t outsz)
{
    size_t len = strlen(id);
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)id[i]))
            return KIOSK_INVALID;
    if (len + 1 > outsz)
        return KIOSK_RANGE;
    size_t head = len >= 15 ? 4 : 1, tail = len >= 15 ? 4 : 2;
    for (size_t i = 0; i < len; i++)
        out[i] = (i < head || i + tail >= len) ? id[i] : '*';
    if (len <= head + tail) /* too short to keep anything safely */
        memset(out, '*', len);
    out[len] = '\0';
    return KIOSK_OK;
}
