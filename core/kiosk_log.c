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

/* Byte length of a digit at s: an ASCII one, or a full-width one (U+FF10..U+FF19, as
 * typed by a Chinese input method); else 0. */
static size_t digit_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 1 && isdigit(u[0]))
        return 1;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99)
        return 3;
    return 0;
}

/* Byte length of an ID number's check character X (ASCII or full-width, either case). */
static size_t check_x_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 1 && (u[0] == 'X' || u[0] == 'x'))
        return 1;
    if (len >= 3 && ((u[0] == 0xEF && u[1] == 0xBC && u[2] == 0xB8) ||
                     (u[0] == 0xEF && u[1] == 0xBD && u[2] == 0x98)))
        return 3;
    return 0;
}

/* 1 for a letter or digit, ASCII or full-width: what glues a number to a word. */
static int is_alnum_cp(unsigned cp)
{
    return (cp < 0x80 && isalnum((int)cp)) || (cp >= 0xFF10 && cp <= 0xFF19) ||
           (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
}

static int alnum_after(const char *line, size_t len, size_t at)
{
    unsigned cp;
    return at < len && kiosk_utf8_decode(line + at, len - at, &cp) > 0 && is_alnum_cp(cp);
}

/* A run of digits (ASCII or full-width) from at: its end, and its digit count in *n. */
static size_t digit_run(const char *line, size_t len, size_t at, size_t *n)
{
    size_t d;
    *n = 0;
    while (at < len && (d = digit_at(line + at, len - at)) > 0) {
        at += d;
        (*n)++;
    }
    return at;
}

/* A number starting at line[r], or 0 when none starts there: the end of the number. A
 * number is a run of digits, maybe after 'H'/'M' (permits) and before a check 'X'; or,
 * for phone and ID numbers written in groups ("138-1234-5678", "138 1234 5678"),
 * groups of 3..8 digits joined by one kind of separator ('-' or ' '), 11..18 digits
 * in all, the first group 3..6 digits and nothing more joined on after the last. */
static size_t number_at(const char *line, size_t len, size_t r)
{
    size_t at = r, n;
    if ((line[r] == 'H' || line[r] == 'M') && r + 1 < len && digit_at(line + r + 1, len - r - 1))
        at++;
    else if (!digit_at(line + r, len - r))
        return 0;
    size_t end = digit_run(line, len, at, &n);
    size_t plain = end + check_x_at(line + end, len - end);
    if (at != r || n < 3 || n > 6 || end >= len || (line[end] != '-' && line[end] != ' '))
        return plain;
    char sep = line[end];
    size_t total = n, groups = 1, p = end;
    while (p < len && line[p] == sep) {
        size_t g, q = digit_run(line, len, p + 1, &g);
        if (g < 3 || g > 8 || total + g > 18)
            break;
        total += g;
        groups++;
        p = q;
    }
    size_t x = check_x_at(line + p, len - p);
    size_t after = p + x;
    int joined_on = after < len && line[after] == sep && after + 1 < len &&
                    digit_at(line + after + 1, len - after - 1);
    if (groups < 2 || total < 11 || joined_on || alnum_after(line, len, after))
        return plain;
    return after;
}

/* Copies the number line[r..end) to line[w..] (w <= r), masking its middle when it looks
 * like an ID, phone, permit or card number: 7 or more characters standing alone, or 11
 * or more glued to letters ("ID110101199003071234x"; 8 glued digits are a hash's).
 * glued: the character before it was a letter or digit. Separators stay; a masked
 * character becomes one '*'. Returns the bytes written. */
static size_t mask_number(char *line, size_t len, size_t r, size_t end, size_t w, int glued,
                          size_t *masked)
{
    size_t units = 0;
    for (size_t p = r; p < end;) {
        size_t d = digit_at(line + p, end - p);
        if (!d)
            d = (line[p] == '-' || line[p] == ' ') ? 0 : check_x_at(line + p, end - p);
        if (!d && (line[p] == 'H' || line[p] == 'M'))
            d = 1;
        if (d) {
            units++;
            p += d;
        } else {
            p++;
        }
    }
    int bounded = !glued && !alnum_after(line, len, end);
    int mask = units >= 11 || (units >= 7 && bounded);
    size_t keep_head = units >= 15 ? 4 : 3, keep_tail = units >= 15 ? 4 : 2;
    size_t i = 0, w0 = w;
    for (size_t p = r; p < end;) {
        size_t d = digit_at(line + p, end - p);
        if (!d && line[p] != '-' && line[p] != ' ')
            d = check_x_at(line + p, end - p);
        if (!d && (line[p] == 'H' || line[p] == 'M'))
            d = 1;
        if (!d) { /* a separator */
            line[w++] = line[p++];
            continue;
        }
        if (mask && i >= keep_head && i + keep_tail < units) {
            line[w++] = '*';
        } else {
            memmove(line + w, line + p, d);
            w += d;
        }
        p += d;
        i++;
    }
    if (mask)
        (*masked)++;
    return w - w0;
}

size_t kiosk_log_scrub(char *line)
{
    size_t masked = 0;
    size_t len = strlen(line);
    size_t r = 0, w = 0;
    /* whether the last character read was a letter or digit; line[r - 1] may already be
     * overwritten by the output */
    int glued = 0;

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
            glued = 0;
            continue;
        }
        size_t id_len = glued ? 0 : uuid_at(line + r, len - r);
        if (id_len) {
            memmove(line + w, line + r, id_len);
            w += id_len;
            r += id_len;
            glued = 1;
            continue;
        }
        size_t next = number_at(line, len, r);
        if (next) {
            w += mask_number(line, len, r, next, w, glued, &masked);
            r = next;
            glued = 1;
            continue;
        }
        if (n == 0)
            n = 1;
        glued = n > 1 ? is_alnum_cp(cp) : isalnum((unsigned char)line[r]);
        memmove(line + w, line + r, n);
        w += n;
        r += n;
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
