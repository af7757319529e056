/*
 * One SQLite database opened the way every record database here is: WAL,
 * synchronous=FULL, foreign keys, a busy timeout, checked (quick_check) and brought to
 * its schema version by forward migrations (PRAGMA user_version), each in its own
 * transaction; a newer database is refused. The kiosk's store and the hub use it.
 */
#ifndef KIOSK_PROTO_RECDB_H
#define KIOSK_PROTO_RECDB_H

#include <sqlite3.h>

#include "core/kiosk_error.h"

/* An SQLite result code as a kiosk_rc. */
kiosk_rc recdb_rc(int rc);

/* Run SQL text; a failure is logged under module. */
kiosk_rc recdb_exec(sqlite3 *db, const char *module, const char *sql);

/* Open (or create) path as above: extra_pragmas (may be NULL) run after the durable
 * ones; migrations[v] takes schema v to v + 1, for v below version. On failure *out is
 * NULL and the reason logged under module: KIOSK_CORRUPT (damaged, or newer than
 * version), KIOSK_READ_ONLY, KIOSK_DISK_FULL, KIOSK_BUSY, KIOSK_NOMEM, KIOSK_IO. */
kiosk_rc recdb_open(const char *path, const char *module, const char *extra_pragmas,
                    const char *const *migrations, int version, sqlite3 **out);

#endif
