/*
 * A private PostgreSQL 15 server for tests: initdb and pg_ctl in a new directory under
 * $TMPDIR (or /tmp), listening only on a unix socket in that directory, run as the calling
 * user or, when that is root (CI), as nobody (initdb refuses root). Every step is bounded
 * in time (pg_ctl -w -t). Trust authentication for the one database user "kiosk": the
 * socket directory is private (0700, its own user). A watchdog stops the server and
 * removes its directory when the process that started it dies (SIGKILL included).
 */
#ifndef KIOSK_PG_SERVER_H
#define KIOSK_PG_SERVER_H

#include <stddef.h>

typedef struct pg_server pg_server;

#define PG_SERVER_URL_MAX 512

/* Start a server (durable: keep fsync on, as a hub would run; 0: fsync off for tests).
 * 0 and *out on success; 1 when the PostgreSQL binaries are missing (skip, with the reason
 * printed); -1 on any other failure (the server's log printed). */
int pg_server_start(int durable, pg_server **out);

/* The same with the server's options (borrowed, may be NULL: postgres's own command-line
 * form, "-c name=value ..."); $KIOSK_PG_OPTIONS, when set, is appended to them (to try a
 * setting without a rebuild). */
int pg_server_start_with(int durable, const char *options, pg_server **out);

/* Drop (if there) and create the database name ([a-z0-9_]), and write its URL
 * (postgresql:///name?host=DIR&user=kiosk) into url (caller storage, PG_SERVER_URL_MAX).
 * 0 or -1. */
int pg_server_fresh_db(pg_server *s, const char *name, char *url, size_t cap);

/* Stop the server (immediate shutdown) and remove its directory. NULL is fine. */
void pg_server_stop(pg_server *s);

/* The server's WAL so far: flushes to disk (*syncs, pg_stat_wal: a backend adds its own
 * at most once a second and when it exits) and bytes written (the WAL position: exact).
 * 0 or -1. For benchmarks. */
int pg_server_wal(const pg_server *s, double *syncs, double *bytes);

/* The server's directory (its socket, data/, the logs), borrowed from s. */
const char *pg_server_dir(const pg_server *s);

/* CPU time the server's processes have used so far, in ms (the postmaster, its live
 * children and those it has reaped); -1 when unknown. For benchmarks. */
double pg_server_cpu_ms(const pg_server *s);

/* The directory of the PostgreSQL programs ($KIOSK_PG_BINDIR or Debian's
 * /usr/lib/postgresql/15/bin). */
const char *pg_server_bindir(void);

#endif
