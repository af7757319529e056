/* The record databases' common opening; see recdb.h. */
#include "proto/recdb.h"

#include <stdio.h>
#include <string.h>

#include "core/kiosk_log.h"

kiosk_rc recdb_rc(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return KIOSK_OK;
    case SQLITE_FULL:
        return KIOSK_DISK_FULL;
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return KIOSK_READ_ONLY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return KIOSK_CORRUPT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return KIOSK_BUSY;
    case SQLITE_NOMEM:
        return KIOSK_NOMEM;
    case SQLITE_CONSTRAINT:
        return KIOSK_INVALID;
    default:
        return KIOSK_IO;
    }
}

kiosk_rc recdb_exec(sqlite3 *db, const char *module, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        kiosk_log_error(module, "sql failed (%d): %s", rc, err ? err : "?");
    sqlite3_free(err);
    return recdb_rc(rc);
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static kiosk_rc migrate(sqlite3 *db, const char *module, const char *const *migrations, int version)
{
    int v = user_version(db);
    if (v < 0)
        return KIOSK_CORRUPT;
    if (v > version) {
        kiosk_log_error(module, "database schema %d is newer than this program's (%d)", v, version);
        return KIOSK_CORRUPT;
    }
    for (; v < version; v++) {
        char sql[64];
        kiosk_rc rc = recdb_exec(db, module, "BEGIN IMMEDIATE");
        if (rc == KIOSK_OK)
            rc = recdb_exec(db, module, migrations[v]);
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
        if (rc == KIOSK_OK)
            rc = recdb_exec(db, module, sql);
        if (rc == KIOSK_OK)
            rc = recdb_exec(db, module, "COMMIT");
        if (rc != KIOSK_OK) {
            recdb_exec(db, module, "ROLLBACK");
            return rc;
        }
        kiosk_log_info(module, "database schema upgraded to %d", v + 1);
    }
    return KIOSK_OK;
}

/* "ok", or KIOSK_CORRUPT; a busy or starved check says so instead. */
static kiosk_rc quick_check(sqlite3 *db)
{
    sqlite3_stmt *st;
    kiosk_rc rc = KIOSK_CORRUPT;
    int r = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL);
    if (r == SQLITE_OK)
        r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        if (t && strcmp((const char *)t, "ok") == 0)
            rc = KIOSK_OK;
    } else if ((r & 0xFF) == SQLITE_BUSY || (r & 0xFF) == SQLITE_NOMEM) {
        rc = recdb_rc(r);
    }
    sqlite3_finalize(st);
    return rc;
}

kiosk_rc recdb_open(const char *path, const char *module, const char *extra_pragmas,
                    const char *const *migrations, int version, sqlite3 **out)
{
    sqlite3 *db = NULL;
    *out = NULL;
    kiosk_rc rc =
        recdb_rc(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL));
    if (rc == KIOSK_OK) {
        sqlite3_busy_timeout(db, 5000);
        rc = recdb_exec(db, module,
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                        " PRAGMA foreign_keys = ON;");
    }
    if (rc == KIOSK_OK && extra_pragmas)
        rc = recdb_exec(db, module, extra_pragmas);
    if (rc == KIOSK_OK)
        rc = quick_check(db);
    if (rc == KIOSK_OK)
        rc = migrate(db, module, migrations, version);
    if (rc != KIOSK_OK) {
        kiosk_log_error(module, "cannot open the database %s: %s", path, kiosk_strerror(rc));
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return KIOSK_OK;
}
