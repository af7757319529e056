/*
 * The growable byte buffer. Growth doubles the allocation (from 256 bytes) up to the
 * limit plus the NUL; a wiping buffer never uses realloc, which could free the old block
 * unwiped, but copies into a new block and wipes the old one.
 */
#include "core/kiosk_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"

#define FIRST_CAP 256

static kiosk_buf_alloc_fn alloc_fn;
static void *alloc_ctx;

void kiosk_buf_set_allocator(kiosk_buf_alloc_fn fn, void *ctx)
{
    alloc_fn = fn;
    alloc_ctx = ctx;
}

static void *mem_resize(void *p, size_t osize, size_t nsize)
{
    if (alloc_fn)
        return alloc_fn(alloc_ctx, p, osize, nsize);
    if (nsize == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, nsize);
}

static void mem_free(kiosk_buf *b)
{
    if (!b->data)
        return;
    if (b->flags & KIOSK_BUF_WIPE)
        explicit_bzero(b->data, b->cap);
    mem_resize(b->data, b->cap, 0);
}

void kiosk_buf_init(kiosk_buf *b, size_t limit, unsigned flags)
{
    if (limit == SIZE_MAX) {
        kiosk_log_error("buf", "a buffer limit leaves no room for the terminator");
        abort();
    }
    memset(b, 0, sizeof *b);
    b->limit = limit;
    b->flags = flags;
}

void kiosk_buf_deinit(kiosk_buf *b)
{
    mem_free(b);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* Move to an allocation of exactly cap bytes (cap > len). */
static kiosk_rc resize(kiosk_buf *b, size_t cap)
{
    uint8_t *p;
    if (b->flags & KIOSK_BUF_WIPE) {
        p = mem_resize(NULL, 0, cap);
        if (!p)
            return KIOSK_NOMEM;
        if (b->data)
            memcpy(p, b->data, b->len + 1);
        mem_free(b);
    } else {
        p = mem_resize(b->data, b->cap, cap);
        if (!p)
            return KIOSK_NOMEM;
    }
    if (!b->data)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return KIOSK_OK;
}

/* Room for n more bytes and the NUL: the doubling policy, capped at the limit. */
static kiosk_rc grow(kiosk_buf *b, size_t n)
{
    if (n > b->limit - b->len)
        return KIOSK_RANGE;
    size_t need = b->len + n + 1, max = b->limit + 1;
    if (need <= b->cap)
        return KIOSK_OK;
    size_t cap = b->cap ? b->cap : FIRST_CAP;
    while (cap < need)
        cap = cap > max / 2 ? max : cap * 2;
    return resize(b, cap < max ? cap : max);
}

kiosk_rc kiosk_buf_reserve(kiosk_buf *b, size_t n)
{
    if (n > b->limit - b->len)
        return KIOSK_RANGE;
    size_t need = b->len + n + 1;
    return need <= b->cap ? KIOSK_OK : resize(b, need);
}

kiosk_rc kiosk_buf_append(kiosk_buf *b, const void *bytes, size_t n)
{
    kiosk_rc rc = grow(b, n);
    if (rc != KIOSK_OK)
        return rc;
    if (n) {
        memcpy(b->data + b->len, bytes, n);
        b->len += n;
        b->data[b->len] = '\0';
    }
    return KIOSK_OK;
}

kiosk_rc kiosk_buf_append_str(kiosk_buf *b, const char *s)
{
    return kiosk_buf_append(b, s, strlen(s));
}

kiosk_rc kiosk_buf_printf(kiosk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return KIOSK_INVALID;
    kiosk_rc rc = grow(b, (size_t)n);
    if (rc != KIOSK_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return KIOSK_OK;
}

kiosk_rc kiosk_buf_extend(kiosk_buf *b, size_t n, uint8_t **at)
{
    *at = NULL;
    kiosk_rc rc = grow(b, n);
    if (rc != KIOSK_OK)
        return rc;
    *at = b->data + b->len;
    memset(*at, 0, n + 1);
    b->len += n;
    return KIOSK_OK;
}

void kiosk_buf_consume(kiosk_buf *b, size_t n)
{
    if (n > b->len) {
        kiosk_log_error("buf", "consume of %zu bytes from a buffer of %zu", n, b->len);
        abort();
    }
    if (n == 0)
        return;
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
    if (b->flags & KIOSK_BUF_WIPE)
        explicit_bzero(b->data + b->len + 1, n);
}

const char *kiosk_buf_str(const kiosk_buf *b)
{
    return b->data ? (const char *)b->data : "";
}

kiosk_rc kiosk_buf_take(kiosk_buf *b, char **out, size_t *len)
{
    *out = NULL;
    if (len)
        *len = 0;
    if (!b->data) {
        kiosk_rc rc = resize(b, 1);
        if (rc != KIOSK_OK)
            return rc;
    }
    *out = (char *)b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return KIOSK_OK;
}
