/* A private PostgreSQL server for tests (pg_server.h). The watchdog: a supervisor process
 * (its own session, so a terminal's ^C or a killed process group leaves it) holds the read
 * end of a pipe whose only writer is this process (close-on-exec); when this process dies,
 * however it dies, the pipe ends and the supervisor stops the server and removes its
 * directory. pg_server_stop ends the pipe itself and waits for the same clean-up. */
#define _GNU_SOURCE /* pipe2 */
#include "pg_server.h"

#ifdef KIOSK_HUB_POSTGRESQL
#include <libpq-fe.h>
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct pg_server {
    char dir[256];
    char as[128];  /* the command prefix that drops root, or "" */
    int watch_fd;  /* the pipe's write end (-1: no supervisor) */
    pid_t watcher; /* the supervisor */
};

/* The command that stops the server at once and removes its directory. */
static void cleanup_command(const pg_server *s, char *cmd, size_t cap)
{
    snprintf(cmd, cap,
             "if [ -f '%s/data/postmaster.pid' ]; then %s '%s/pg_ctl' -D '%s/data' -m immediate"
             " -w -t 30 stop >/dev/null 2>&1 || echo 'pg_server: pg_ctl stop failed in %s' >&2;"
             " fi; rm -rf '%s'",
             s->dir, s->as, pg_server_bindir(), s->dir, s->dir, s->dir);
}

#ifdef KIOSK_HUB_POSTGRESQL
/* Start the supervisor: it waits for the end of its stdin (this process's pipe), then runs
 * the clean-up. 0, or -1 (no watchdog: pg_server_stop cleans up alone). */
static int watch_start(pg_server *s)
{
    char cmd[2048];
    int fds[2];
    cleanup_command(s, cmd, sizeof cmd);
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        /* only async-signal-safe calls until exec: the caller may have threads */
        setsid();
        if (dup2(fds[0], 0) < 0)
            _exit(127);
        execl("/bin/sh", "sh", "-c", "exec >/dev/null; trap '' INT TERM HUP; cat; eval \"$0\"", cmd,
              (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    s->watch_fd = fds[1];
    s->watcher = pid;
    return 0;
}
#endif

const char *pg_server_bindir(void)
{
    const char *b = getenv("KIOSK_PG_BINDIR");
    return b && *b ? b : "/usr/lib/postgresql/15/bin";
}

#ifdef KIOSK_HUB_POSTGRESQL
static void print_log(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    fprintf(stderr, "---- %s\n", path);
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}
#endif

int pg_server_start(int durable, pg_server **out)
{
    return pg_server_start_with(durable, NULL, out);
}

int pg_server_start_with(int durable, const char *options, pg_server **out)
{
    *out = NULL;
#ifndef KIOSK_HUB_POSTGRESQL
    (void)durable;
    (void)options;
    fprintf(stderr, "SKIP: built without libpq: the hub has no PostgreSQL backend here\n");
    return 1;
#else
    char initdb[512], pgctl[512];
    snprintf(initdb, sizeof initdb, "%s/initdb", pg_server_bindir());
    snprintf(pgctl, sizeof pgctl, "%s/pg_ctl", pg_server_bindir());
    if (access(initdb, X_OK) != 0 || access(pgctl, X_OK) != 0) {
        fprintf(stderr,
                "SKIP: PostgreSQL 15 is not installed (%s missing; Debian: apt-get install"
                " postgresql-15, which toolchain/install-deps.sh does)\n",
                initdb);
        return 1;
    }
    pg_server *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->watch_fd = -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/kiosk-pg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s->dir)) {
        free(s);
        return -1;
    }
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("nobody");
        if (!pw || chown(s->dir, pw->pw_uid, pw->pw_gid) != 0) {
            rmdir(s->dir);
            free(s);
            return -1;
        }
        snprintf(s->as, sizeof s->as, "setpriv --reuid=%u --regid=%u --clear-groups --",
                 (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
    }
    if (watch_start(s) != 0)
        fprintf(stderr, "pg_server: no watchdog: a killed test will leave %s running\n", s->dir);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s '%s' -D '%s/data' -A trust -U kiosk -E UTF8 --locale=C --no-sync"
             " >'%s/initdb.log' 2>&1",
             s->as, initdb, s->dir, s->dir);
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof cmd, "%s/initdb.log", s->dir);
        print_log(cmd);
        pg_server_stop(s);
        return -1;
    }
    const char *extra = getenv("KIOSK_PG_OPTIONS");
    snprintf(cmd, sizeof cmd,
             "%s '%s' -D '%s/data' -l '%s/server.log' -w -t 60 -o \"-k '%s' -c listen_addresses=''"
             " -c max_connections=200 %s %s %s\" start >/dev/null 2>&1",
             s->as, pgctl, s->dir, s->dir, s->dir,
             durable ? "" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
             options ? options : "", extra ? extra : "");
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof cmd, "%s/server.log", s->dir);
        print_log(cmd);
        pg_server_stop(s);
        return -1;
    }
    *out = s;
    return 0;
#endif
}

int pg_server_fresh_db(pg_server *s, const char *name, char *url, size_t cap)
{
#ifndef KIOSK_HUB_POSTGRESQL
    (void)s;
    (void)name;
    (void)url;
    (void)cap;
    return -1;
#else
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return -1;
    char admin[PG_SERVER_URL_MAX];
    snprintf(admin, sizeof admin, "postgresql:///postgres?host=%s&user=kiosk", s->dir);
    PGconn *c = PQconnectdb(admin);
    int ok = PQstatus(c) == CONNECTION_OK;
    if (ok)
        PQclear(PQexec(c, "SET client_min_messages = warning"));
    char sql[256];
    for (int i = 0; ok && i < 2; i++) {
        if (i == 0)
            snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
        else
            snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
        PGresult *r = PQexec(c, sql);
        ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    if (!ok)
        fprintf(stderr, "pg_server: cannot make database %s: %s\n", name, PQerrorMessage(c));
    PQfinish(c);
    if (!ok)
        return -1;
    int n = snprintf(url, cap, "postgresql:///%s?host=%s&user=kiosk", name, s->dir);
    return n > 0 && (size_t)n < cap ? 0 : -1;
#endif
}

void pg_server_stop(pg_server *s)
{
    if (!s)
        return;
    if (s->watch_fd >= 0) {
        close(s->watch_fd); /* the supervisor cleans up */
        int st;
        while (waitpid(s->watcher, &st, 0) < 0 && errno == EINTR)
            ;
    } else {
        char cmd[2048];
        cleanup_command(s, cmd, sizeof cmd);
        if (system(cmd) != 0)
            fprintf(stderr, "pg_server: cannot remove %s\n", s->dir);
    }
    free(s);
}

int pg_server_wal(const pg_server *s, double *syncs, double *bytes)
{
    *syncs = *bytes = 0;
#ifndef KIOSK_HUB_POSTGRESQL
    (void)s;
    return -1;
#else
    char url[PG_SERVER_URL_MAX];
    snprintf(url, sizeof url, "postgresql:///postgres?host=%s&user=kiosk", s->dir);
    PGconn *c = PQconnectdb(url);
    PGresult *r =
        PQstatus(c) == CONNECTION_OK
            ? PQexec(c, "SELECT wal_sync::float8,"
                        " (pg_current_wal_lsn() - '0/0'::pg_lsn)::float8 FROM pg_stat_wal")
            : NULL;
    int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok) {
        *syncs = atof(PQgetvalue(r, 0, 0));
        *bytes = atof(PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
#endif
}

const char *pg_server_dir(const pg_server *s)
{
    return s->dir;
}

/* utime + stime (+ cutime + cstime when children) of /proc/<pid>/stat, in clock ticks;
 * *ppid its parent. -1 when gone. */
static long long proc_ticks(const char *pid, int children, long *ppid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the name may hold spaces */
    unsigned long long ut, st;
    long long cut, cst;
    char state;
    if (!p || sscanf(p + 1, " %c %ld %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %lld %lld",
                     &state, ppid, &ut, &st, &cut, &cst) != 6)
        return -1;
    return (long long)(ut + st) + (children ? cut + cst : 0);
}

double pg_server_cpu_ms(const pg_server *s)
{
    char path[512], pid[32] = "";
    snprintf(path, sizeof path, "%s/data/postmaster.pid", s->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(pid, sizeof pid, f) != NULL;
    fclose(f);
    pid[strcspn(pid, "\n")] = '\0';
    long ppid, master = atol(pid);
    long long ticks = ok ? proc_ticks(pid, 1, &ppid) : -1;
    if (ticks < 0)
        return -1;
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        long long t = proc_ticks(e->d_name, 0, &ppid);
        if (t > 0 && ppid == master)
            ticks += t;
    }
    closedir(d);
    return (double)ticks * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}
