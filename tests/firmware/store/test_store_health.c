/* Tests of the health report's counters in the store (health.c): sessions and their
 * median touches, help requests after the mark, report numbers, what a report covers and
 * what stays for the next one when new sessions end meanwhile, counters summed while
 * reports are not acknowledged, and a reopened store keeping them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/sync_proto.h"
#include "store/store.h"

static char dir[512], db[600];
static kiosk_clock_manual clk;

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/store-health-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    kiosk_clock_manual_init(&clk, 1795363199000LL);
    return 0;
}

static store *open_store(store_device_key *key)
{
    assert_int_equal(store_device_key_load(dir, key), KIOSK_OK);
    store *s;
    assert_int_equal(store_open(db, "DEMO01", key, &clk.clock, &s), KIOSK_OK);
    return s;
}

static void test_counters_sum_until_reported(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    store_health h, h2;
    assert_int_equal(store_health_take(s, &h), KIOSK_OK);
    assert_int_equal(h.seq, 1);
    assert_int_equal(h.sessions, 0);
    assert_int_equal(h.median_taps, 0);
    assert_int_equal(h.help_requests, 0);
    assert_int_equal(h.backlog, 0);
    assert_true(h.disk_free_bytes > 0);
    assert_true(h.disk_free_pct >= 0 && h.disk_free_pct <= 100);
    store_epoch ep;
    assert_int_equal(store_epoch_info(s, &ep), KIOSK_OK);
    assert_memory_equal(h.epoch, ep.id, 16);

    static const int64_t taps[] = {40, 12, 30, 7, 1000000};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(store_health_note_session(s, taps[i]), KIOSK_OK);
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "form", NULL), KIOSK_OK);
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "pin", NULL), KIOSK_OK);
    assert_int_equal(store_health_take(s, &h), KIOSK_OK);
    assert_int_equal(h.seq, 2);
    assert_int_equal(h.sessions, 5);
    assert_int_equal(h.median_taps, 30); /* 7 12 30 40 100000 */
    assert_int_equal(h.help_requests, 2);

    /* not acknowledged: the next report carries them again, with what came since */
    assert_int_equal(store_health_note_session(s, 3), KIOSK_OK);
    assert_int_equal(store_health_take(s, &h), KIOSK_OK);
    assert_int_equal(h.seq, 3);
    assert_int_equal(h.sessions, 6);
    assert_int_equal(h.median_taps, 12); /* lower middle of 3 7 12 30 40 100000 */
    assert_int_equal(h.help_requests, 2);

    /* a session and a help request after the take stay for the next report */
    assert_int_equal(store_health_note_session(s, 20), KIOSK_OK);
    assert_int_equal(store_event_add(s, SYNC_EVENT_HELP, "review", NULL), KIOSK_OK);
    assert_int_equal(store_health_reported(s, &h), KIOSK_OK);
    store_close(s);
    s = open_store(&key);
    assert_int_equal(store_health_take(s, &h2), KIOSK_OK);
    assert_int_equal(h2.seq, 4);
    assert_int_equal(h2.sessions, 1);
    assert_int_equal(h2.median_taps, 20);
    assert_int_equal(h2.help_requests, 1);
    assert_int_equal(store_health_reported(s, &h2), KIOSK_OK);
    /* an old report acknowledged late takes nothing more off */
    assert_int_equal(store_health_reported(s, &h), KIOSK_OK);
    assert_int_equal(store_health_take(s, &h2), KIOSK_OK);
    assert_int_equal(h2.sessions, 0);
    assert_int_equal(h2.help_requests, 0);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_counters_sum_until_reported, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
