/*
 * A power cut for SQLite, for tests (the idea of SQLite's own crash tests; our own code).
 * "crashvfs" wraps the default VFS: writes and truncations of database, WAL and journal
 * files wait in memory, per file, until that file's xSync, and only then reach the real
 * file. Reads see them, so SQLite works as usual. A power cut writes what a disk could
 * hold afterwards — the synced state plus a random choice of the waiting writes: none, a
 * prefix, all, or a subset in any order with some torn (512-byte pieces kept, lost,
 * half written or garbage; never a byte outside a write, as POWERSAFE_OVERWRITE
 * promises). Directory operations (create, delete) are taken as durable. Not thread-safe:
 * one thread of one process at a time. Does not model the -shm file (SQLite rebuilds it).
 */
#ifndef TEST_CRASHVFS_H
#define TEST_CRASHVFS_H

#include <stdint.h>

/* The exit status of a process whose power was cut by crashvfs_arm. */
#define CRASHVFS_EXIT 86

typedef struct crashvfs_stats {
    uint64_t ops;         /* writes, truncations and syncs of tracked files so far */
    uint64_t cut_pending; /* waiting writes at the last cut */
    uint64_t cut_applied; /* of those, written whole */
    uint64_t cut_torn;    /* written in part or with garbage */
    uint64_t cut_dropped; /* lost */
    uint64_t cut_db;      /* of the waiting writes, those to a main database file (a
                           * checkpoint under way) */
} crashvfs_stats;

/* Register "crashvfs" over the current default VFS; make_default: make it the default
 * (so code that opens SQLite with no VFS name uses it). SQLITE_OK or an SQLite error. */
int crashvfs_register(int make_default);

/* Seed the choices of the next cuts (deterministic for one seed and one workload). */
void crashvfs_seed(uint64_t seed);

/* Cut the power just before the at_op-th write, truncation or sync from now (1 = the next
 * one), then end the process with _exit(CRASHVFS_EXIT). 0 disarms. */
void crashvfs_arm(uint64_t at_op);

/* A disk that ignores flushes (or a database with synchronous=OFF): xSync makes nothing
 * durable. For self-tests that must lose data. */
void crashvfs_ignore_sync(int on);

/* Cut the power now, without exiting: the files become what the disk holds, and every
 * later I/O on a file opened before fails with SQLITE_IOERR (that process is "dead");
 * close those handles. Files opened afterwards work normally (the next boot). */
void crashvfs_cut_now(void);

void crashvfs_get_stats(crashvfs_stats *out);

/* Called (if set) after an armed cut has written the files, just before _exit: the last
 * words of the process, e.g. its stats to a pipe. fn and ctx kept. */
void crashvfs_on_cut(void (*fn)(void *ctx), void *ctx);

#endif
