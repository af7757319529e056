/*
 * What kiosk and hub share about update bundles: the manifest the hub signs for a unit
 * (GET /v3/update/<arch>, signed as any request: sync_request_sign_v2 over "GET", that
 * path, the time, the empty body's hash and length 0; the 200 reply signed by the hub's
 * key with sync_reply_sign), the bundle's download path, and Debian's version order.
 *
 *   {"version":"2.0","size":12345,"sha256":"<64 hex>","path":"/v3/update/bundle/<file>"}
 *   {"version":""}                                   (nothing offered to this unit)
 *
 * The bundle itself is RAUC's (signed with the update key; the unit checks that
 * signature before it installs): the manifest only tells the unit what to fetch.
 */
#ifndef KIOSK_UPDATE_MANIFEST_H
#define KIOSK_UPDATE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"

#define UPDATE_PATH_MANIFEST "/v3/update/"      /* + the unit's arch (dpkg's name) */
#define UPDATE_PATH_BUNDLE "/v3/update/bundle/" /* + the bundle's file name */
#define UPDATE_VERSION_MAX 64
#define UPDATE_NAME_MAX 128

typedef struct update_manifest {
    char version[UPDATE_VERSION_MAX]; /* "" : nothing offered */
    uint64_t size;
    uint8_t sha256[32];
    char name[UPDATE_NAME_MAX]; /* the file name under UPDATE_PATH_BUNDLE */
} update_manifest;

/* Encode m as the JSON above. *out owned (free()), NUL-terminated; KIOSK_NOMEM. */
kiosk_rc update_manifest_encode(const update_manifest *m, char **out, size_t *len);

/* Parse outside bytes (borrowed) into *m. KIOSK_INVALID for anything not exactly the
 * shape above (unknown keys, a path outside UPDATE_PATH_BUNDLE, a bad name or version). */
kiosk_rc update_manifest_decode(const char *body, size_t len, update_manifest *m);

/* 1 when name is a bundle file name the hub may serve: [A-Za-z0-9._+~-], ending ".raucb",
 * not starting with '.', under UPDATE_NAME_MAX. */
int update_name_ok(const char *name);

/* 1 when v is a version a bundle may carry: [A-Za-z0-9.+~-], 1..UPDATE_VERSION_MAX-1. */
int update_version_ok(const char *v);

/* Debian's order of upstream versions (dpkg's verrevcmp: digits compare as numbers,
 * '~' sorts before anything, letters before other signs): <0, 0, >0. */
int update_version_cmp(const char *a, const char *b);

/* The version in a bundle file name "kiosk-<version>-<arch>.raucb" for arch (borrowed),
 * into version (UPDATE_VERSION_MAX). 1 when name has that shape for arch. */
int update_name_version(const char *name, const char *arch, char *version);

#endif
