/*
 * The one growable byte buffer of the firmware (curl's dynbuf in small). Every buffer has
 * a hard size cap given at init; the bytes are always followed by a NUL the length does
 * not count, so text can be read in place. A buffer made for personal data wipes every
 * block it lets go of. It does no I/O and does not know what it holds; a failed call
 * leaves the buffer as it was.
 */
#ifndef KIOSK_BUF_H
#define KIOSK_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"

/* Caller storage (init/deinit). Read data and len directly; change them only through
 * the functions below. */
typedef struct kiosk_buf {
    uint8_t *data; /* owned by the buffer; NULL until the first byte, then data[len] == 0 */
    size_t len;    /* bytes held */
    size_t cap;    /* bytes allocated (private) */
    size_t limit;  /* len never exceeds it (private) */
    unsigned flags;
} kiosk_buf;

/* Flags for kiosk_buf_init. */
#define KIOSK_BUF_WIPE 1u /* personal data: explicit_bzero every block before freeing it */

/* Make b an empty buffer whose length may never exceed limit bytes (limit < SIZE_MAX).
 * Allocates nothing. Any thread; a buffer is used by one thread at a time. */
void kiosk_buf_init(kiosk_buf *b, size_t limit, unsigned flags);

/* Free the bytes (wiped first with KIOSK_BUF_WIPE). b is then empty, with the same limit
 * and flags, and may be used again. */
void kiosk_buf_deinit(kiosk_buf *b);

/* Make room for n more bytes now, allocating exactly that, so that appends totalling n
 * bytes allocate nothing (and cannot fail with KIOSK_NOMEM). KIOSK_RANGE when len + n
 * would pass the limit, KIOSK_NOMEM. */
kiosk_rc kiosk_buf_reserve(kiosk_buf *b, size_t n);

/* Append n bytes (borrowed). KIOSK_RANGE when the limit would be passed, KIOSK_NOMEM. */
kiosk_rc kiosk_buf_append(kiosk_buf *b, const void *bytes, size_t n);

/* Append the string s (borrowed), without its terminator. As kiosk_buf_append. */
kiosk_rc kiosk_buf_append_str(kiosk_buf *b, const char *s);

/* Append printf-style text. As kiosk_buf_append; KIOSK_INVALID when the format fails. */
kiosk_rc kiosk_buf_printf(kiosk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append n zero bytes and point *at at them, to be written in place (an encoder that
 * writes into its output, rows of an image). *at is borrowed: valid until the next call
 * that may grow b. As kiosk_buf_append; on failure *at is NULL. */
kiosk_rc kiosk_buf_extend(kiosk_buf *b, size_t n, uint8_t **at);

/* Drop the first n bytes (n <= len), keeping the rest: a parser that keeps an incomplete
 * tail for the next read. Allocates nothing. */
void kiosk_buf_consume(kiosk_buf *b, size_t n);

/* The bytes as a string, borrowed until b changes; "" while empty. */
const char *kiosk_buf_str(const kiosk_buf *b);

/* Hand the bytes over: *out is owned by the caller (free(); with KIOSK_BUF_WIPE, wipe
 * them first), NUL-terminated, "" for an empty buffer; *len (may be NULL) is the length
 * without the NUL. b is then empty, as after kiosk_buf_deinit. KIOSK_NOMEM (only for an
 * empty buffer that never allocated); on failure *out is NULL and b unchanged. */
kiosk_rc kiosk_buf_take(kiosk_buf *b, char **out, size_t *len);

/* Simulated out-of-memory, for tests (SQLite's fault injection in small): every block
 * is then got, resized and freed through fn (Lua's lua_Alloc contract: nsize 0 frees p
 * and returns NULL; otherwise like realloc(p, nsize), osize being p's current size, 0
 * when p is NULL). Blocks must be malloc-compatible (take hands them to free()). NULL
 * restores malloc. Not thread-safe: set it before any buffer is in use. */
typedef void *(*kiosk_buf_alloc_fn)(void *ctx, void *p, size_t osize, size_t nsize);
void kiosk_buf_set_allocator(kiosk_buf_alloc_fn fn, void *ctx);

#endif
