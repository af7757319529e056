/*
 * A strict JSON (RFC 8259) syntax check that allocates nothing, for text the firmware
 * embeds verbatim in a larger document (a record's envelope) instead of parsing and
 * re-serialising it. It accepts what jansson's json_loadb (flags 0) accepts, minus
 * duplicate object keys, which it does not look for. It builds no values.
 */
#ifndef KIOSK_JSON_H
#define KIOSK_JSON_H

#include <stddef.h>

/* 1 when s[0..len) is one JSON object (surrounding whitespace allowed): valid UTF-8,
 * strings without control characters or \u0000, integers within int64, nesting at most
 * 64 deep; else 0. Any thread. */
int kiosk_json_object_valid(const char *s, size_t len);

#endif
