/*
 * Recursive descent over the JSON grammar with a depth cap; no allocation. Numbers
 * follow RFC 8259; an integer (no fraction, no exponent) must fit int64 and a real number
 * a double, as jansson refuses others. Strings are checked for UTF-8 and escapes, surrogate pairs
 * included.
 */
#include "core/kiosk_json.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"

#define DEPTH_MAX 64

typedef struct scan {
    const char *p, *end;
    int depth;
} scan;

static void ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* The four hex digits of a \u escape, either case, as one UTF-16 code unit. */
static int hex4(scan *s, unsigned *v)
{
    uint8_t b[2];
    size_t got = 0;
    if (s->end - s->p < 4 || sodium_hex2bin(b, 2, s->p, 4, NULL, &got, NULL) != 0 || got != 2)
        return 0;
    s->p += 4;
    *v = (unsigned)b[0] << 8 | b[1];
    return 1;
}

static int string(scan *s)
{
    s->p++; /* the opening quote */
    while (s->p < s->end) {
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            s->p++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            if (++s->p >= s->end)
                return 0;
            char e = *s->p++;
            if (e == 'u') {
                unsigned v, lo;
                if (!hex4(s, &v) || v == 0 || (v >= 0xDC00 && v <= 0xDFFF))
                    return 0;
                if (v >= 0xD800 && v <= 0xDBFF) { /* a high surrogate needs its low half */
                    if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
                        return 0;
                    s->p += 2;
                    if (!hex4(s, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                        return 0;
                }
            } else if (!strchr("\"\\/bfnrt", e) || e == '\0') {
                return 0;
            }
            continue;
        }
        if (c < 0x80) {
            s->p++;
            continue;
        }
        unsigned cp;
        size_t n = kiosk_utf8_decode(s->p, (size_t)(s->end - s->p), &cp);
        if (n == 0)
            return 0;
        s->p += n;
    }
    return 0;
}

static int digits(scan *s)
{
    const char *start = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > start;
}

/* Does the real number whose integer digits are [int_start, int_end), followed by an
 * optional fraction and, from exp_start (or NULL) to end, an exponent, overflow a
 * double? Its first significant digits and its decimal exponent are put in a short
 * string for strtod, so a number of any length is judged without allocating. */
static int real_overflows(const char *int_start, const char *int_end, const char *exp_start,
                          const char *end)
{
    char buf[64] = "0.";
    size_t n = 2;
    long long scale = 0; /* the decimal point's place relative to the first digit kept */
    int seen = 0;
    const char *stop = exp_start ? exp_start - 1 : end;
    for (const char *d = int_start; d < stop; d++) {
        if (*d == '.')
            continue;
        int in_int = d < int_end;
        if (!seen && *d == '0') {
            if (!in_int)
                scale--; /* 0.000ddd */
            continue;
        }
        seen = 1;
        if (in_int)
            scale++;
        if (n < 2 + 20)
            buf[n++] = *d;
    }
    if (!seen)
        return 0; /* zero */
    long long e = 0;
    if (exp_start) {
        const char *d = exp_start;
        int eneg = *d == '-';
        if (*d == '+' || *d == '-')
            d++;
        for (; d < end; d++)
            if (e < 1000000)
                e = e * 10 + (*d - '0');
        e = eneg ? -e : e;
    }
    snprintf(buf + n, sizeof buf - n, "e%lld", scale + e);
    errno = 0;
    double v = strtod(buf, NULL);
    return (v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE;
}

static int number(scan *s)
{
    int neg = *s->p == '-';
    if (neg)
        s->p++;
    const char *int_start = s->p;
    if (s->p >= s->end)
        return 0;
    if (*s->p == '0')
        s->p++;
    else if (!digits(s))
        return 0;
    const char *int_end = s->p;
    int integer = 1;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!digits(s))
            return 0;
        integer = 0;
    }
    const char *exp_start = NULL;
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        exp_start = s->p;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!digits(s))
            return 0;
        integer = 0;
    }
    if (!integer && real_overflows(int_start, int_end, exp_start, s->p))
        return 0;  /* jansson refuses a real number out of double's range */
    if (integer) { /* must fit int64_t, as jansson requires */
        uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (const char *d = int_start; d < int_end; d++) {
            unsigned k = (unsigned)(*d - '0');
            if (v > (limit - k) / 10)
                return 0;
            v = v * 10 + k;
        }
    }
    return 1;
}

static int literal(scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return 0;
    s->p += n;
    return 1;
}

static int value(scan *s);

static int container(scan *s, char close, int is_object)
{
    if (++s->depth > DEPTH_MAX)
        return 0;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return 1;
    }
    for (;;) {
        ws(s);
        if (is_object) {
            if (s->p >= s->end || *s->p != '"' || !string(s))
                return 0;
            ws(s);
            if (s->p >= s->end || *s->p++ != ':')
                return 0;
            ws(s);
        }
        if (!value(s))
            return 0;
        ws(s);
        if (s->p >= s->end)
            return 0;
        char c = *s->p++;
        if (c == close) {
            s->depth--;
            return 1;
        }
        if (c != ',')
            return 0;
    }
}

static int value(scan *s)
{
    if (s->p >= s->end)
        return 0;
    switch (*s->p) {
    case '{':
        return container(s, '}', 1);
    case '[':
        return container(s, ']', 0);
    case '"':
        return string(s);
    case 't':
        return literal(s, "true");
    case 'f':
        return literal(s, "false");
    case 'n':
        return literal(s, "null");
    default:
        return (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) && number(s);
    }
}

int kiosk_json_object_valid(const char *text, size_t len)
{
    if (!text)
        return 0;
    scan s = {text, text + len, 0};
    ws(&s);
    if (s.p >= s.end || *s.p != '{' || !value(&s))
        return 0;
    ws(&s);
    return s.p == s.end;
}
