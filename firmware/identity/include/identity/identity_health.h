/*
 * The reader's health as a small file in the state directory, for those who cannot ask
 * the reader themselves: the running kiosk holds it, so `kioskctl status` reads this
 * file instead. The identity worker writes it when the reader's state changes (temp
 * file + rename: a reader never sees half a file) and removes it when it stops. It holds
 * the state, since when, a reason and the writer's pid — nothing about cards or people.
 */
#ifndef KIOSK_IDENTITY_HEALTH_H
#define KIOSK_IDENTITY_HEALTH_H

#include <stdint.h>

#include "core/kiosk_error.h"

#define IDENTITY_HEALTH_FILE "reader.state"

typedef enum identity_health_state {
    IDENTITY_HEALTH_UNKNOWN = 0, /* no kiosk running (no file, or its writer is gone) */
    IDENTITY_HEALTH_OK,
    IDENTITY_HEALTH_FAULT,
} identity_health_state;

typedef struct identity_health {
    identity_health_state state;
    int64_t since_ms; /* wall clock (ms since 1970) when this state began */
    char reason[64];  /* for a fault: what the worker saw, plain ASCII */
    long pid;         /* the process that wrote it */
} identity_health;

/* Write h (borrowed) to dir/IDENTITY_HEALTH_FILE through a temporary file and rename.
 * KIOSK_IO when the directory cannot be written. Any thread (the identity worker's). */
kiosk_rc identity_health_write(const char *dir, const identity_health *h);

/* Read dir/IDENTITY_HEALTH_FILE into *out. KIOSK_OK with state IDENTITY_HEALTH_UNKNOWN
 * when there is no file or the process that wrote it no longer runs; KIOSK_CORRUPT for a
 * file that does not parse. Any thread. */
kiosk_rc identity_health_read(const char *dir, identity_health *out);

/* Remove dir/IDENTITY_HEALTH_FILE (a kiosk that stops knows nothing more). */
void identity_health_remove(const char *dir);

#endif
