/* A private PostgreSQL server for tests (pg_server.h). */
#include "pg_server.h"

#ifdef KIOSK_HUB_POSTGRESQL
#include <libpq-fe.h>
#endif
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pg_server {
    char dir[256];
    char as[128]; /* the command prefix that drops root, or "" */
};

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
    *out = NULL;
#ifndef KIOSK_HUB_POSTGRESQL
    (void)durable;
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
    snprintf(cmd, sizeof cmd,
             "%s '%s' -D '%s/data' -l '%s/server.log' -w -t 60 -o \"-k '%s' -c listen_addresses=''"
             " -c max_connections=200 %s\" start >/dev/null 2>&1",
             s->as, pgctl, s->dir, s->dir, s->dir,
             durable ? "" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off");
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
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "%s/data/postmaster.pid", s->dir);
    if (access(cmd, F_OK) == 0) {
        snprintf(cmd, sizeof cmd,
                 "%s '%s/pg_ctl' -D '%s/data' -m immediate -w -t 30 stop"
                 " >/dev/null 2>&1",
                 s->as, pg_server_bindir(), s->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "pg_server: pg_ctl stop failed in %s\n", s->dir);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "pg_server: cannot remove %s\n", s->dir);
    free(s);
}
