/* Tests of the systemd notification protocol: datagrams to a path and to an abstract
 * socket, the watchdog interval and its PID check, and silence outside systemd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/kiosk_notify.h"

static int listen_at(const char *name, int abstract)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    size_t len = strlen(name);
    memcpy(a.sun_path + (abstract ? 1 : 0), name, len);
    if (!abstract)
        unlink(name);
    socklen_t al = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (abstract ? 1 : 0));
    assert_int_equal(bind(fd, (struct sockaddr *)&a, al), 0);
    return fd;
}

static void expect(int fd, const char *want)
{
    char buf[128];
    ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

static void test_path_and_abstract_sockets(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/notify-%d.sock", KIOSK_TEST_TMP, (int)getpid());
    int fd = listen_at(path, 0);
    setenv("NOTIFY_SOCKET", path, 1);
    assert_int_equal(kiosk_notify("READY=1"), KIOSK_OK);
    expect(fd, "READY=1");
    close(fd);
    unlink(path);

    char name[64];
    snprintf(name, sizeof name, "kiosk-test-%d", (int)getpid());
    fd = listen_at(name, 1);
    char env[80];
    snprintf(env, sizeof env, "@%s", name);
    setenv("NOTIFY_SOCKET", env, 1);
    assert_int_equal(kiosk_notify("WATCHDOG=1"), KIOSK_OK);
    expect(fd, "WATCHDOG=1");
    close(fd);
    /* a socket nobody listens on */
    assert_int_equal(kiosk_notify("WATCHDOG=1"), KIOSK_IO);
    /* outside systemd: nothing to do */
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(kiosk_notify("READY=1"), KIOSK_OK);
}

static void test_watchdog_interval(void **state)
{
    (void)state;
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    assert_int_equal(kiosk_notify_watchdog_ms(), 0);
    setenv("WATCHDOG_USEC", "30000000", 1);
    assert_int_equal(kiosk_notify_watchdog_ms(), 15000);
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    setenv("WATCHDOG_PID", pid, 1);
    assert_int_equal(kiosk_notify_watchdog_ms(), 15000);
    setenv("WATCHDOG_PID", "1", 1);
    assert_int_equal(kiosk_notify_watchdog_ms(), 0);
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_and_abstract_sockets),
        cmocka_unit_test(test_watchdog_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
