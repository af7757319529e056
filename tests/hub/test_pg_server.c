/* Tests of the private PostgreSQL server of the hub's tests (tests/tools/pg_server.h):
 * its watchdog. A process that started a server and is killed with SIGKILL (a test that
 * crashed, or ctest's timeout) must not leave the server running: the server is gone
 * within seconds and its directory removed. Also the ordinary stop. Skipped with a message
 * when PostgreSQL is not installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pg_server.h"

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The postmaster's pid from DIR/data/postmaster.pid, or 0. */
static pid_t postmaster_of(const char *dir)
{
    char path[600], line[32] = "";
    snprintf(path, sizeof path, "%s/data/postmaster.pid", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    return ok ? (pid_t)atol(line) : 0;
}

/* 1 when the process has ended: no longer there, or a zombie its parent (whoever adopted
 * the postmaster) has not reaped yet. */
static int ended(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

/* Wait up to ms for the process to end and the directory to be removed: 1 when both. */
static int gone_within(pid_t pid, const char *dir, int ms)
{
    for (int t = 0; t < ms; t += 50) {
        if (ended(pid) && !exists(dir))
            return 1;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static void test_stop_removes_everything(void **state)
{
    (void)state;
    pg_server *pg;
    assert_int_equal(pg_server_start(0, &pg), 0);
    char dir[256];
    snprintf(dir, sizeof dir, "%s", pg_server_dir(pg));
    pid_t pm = postmaster_of(dir);
    assert_true(pm > 0);
    assert_int_equal(kill(pm, 0), 0);
    assert_true(pg_server_cpu_ms(pg) >= 0);
    pg_server_stop(pg);
    assert_true(gone_within(pm, dir, 2000)); /* stop waited for it */
}

static void test_parent_killed_server_gone(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        /* the test that crashes: starts a server, says where, then hangs */
        close(fds[0]);
        pg_server *pg;
        if (pg_server_start(0, &pg) != 0)
            _exit(1);
        char dir[256];
        snprintf(dir, sizeof dir, "%s", pg_server_dir(pg));
        if (write(fds[1], dir, sizeof dir) != (ssize_t)sizeof dir)
            _exit(1);
        for (;;)
            pause();
    }
    close(fds[1]);
    char dir[256];
    ssize_t got = read(fds[0], dir, sizeof dir);
    close(fds[0]);
    assert_int_equal(got, (ssize_t)sizeof dir);
    pid_t pm = postmaster_of(dir);
    assert_true(pm > 0);
    assert_int_equal(kill(pm, 0), 0);
    assert_int_equal(kill(child, SIGKILL), 0);
    int st;
    assert_int_equal(waitpid(child, &st, 0), child);
    assert_true(WIFSIGNALED(st));
    assert_true(gone_within(pm, dir, 10000));
}

int main(void)
{
    pg_server *probe;
    int started = pg_server_start(0, &probe);
    if (started == 1)
        return 0; /* said why: PostgreSQL is not installed */
    assert_int_equal(started, 0);
    pg_server_stop(probe);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_removes_everything),
        cmocka_unit_test(test_parent_killed_server_gone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
