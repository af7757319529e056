/* Tests of the power driver: fake power_supply trees under KIOSK_TEST_TMP read through the
 * simulated backend (same parser as sysfs), garbage attributes, several packs, no battery,
 * a missing root, injected faults, the session-start rule, and the real sysfs root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "power/power.h"

#define ROOT KIOSK_TEST_TMP "/power"

/* Remove a two-level tree: ROOT/<supply>/<attr>. */
static void rm_tree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A fresh, empty tree for one test. */
static const char *fresh(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", ROOT, name);
    mkdir(KIOSK_TEST_TMP, 0755);
    mkdir(ROOT, 0755);
    rm_tree(path);
    assert_int_equal(mkdir(path, 0755), 0);
    return path;
}

/* Write <root>/<supply>/<attr> = value (value NULL removes it). A newline is appended
 * like sysfs does, unless raw. */
static void put_raw(const char *root, const char *supply, const char *attr, const char *value,
                    int raw)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", root, supply);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", root, supply, attr);
    if (value == NULL) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, raw ? "%s" : "%s\n", value);
    assert_int_equal(fclose(f), 0);
}

static void put(const char *root, const char *supply, const char *attr, const char *value)
{
    put_raw(root, supply, attr, value, 0);
}

static power_status read_ok(const char *root)
{
    power *p;
    power_status st;
    assert_int_equal(power_open_sim(root, &p), KIOSK_OK);
    assert_non_null(p);
    assert_int_equal(power_read(p, &st), KIOSK_OK);
    power_close(p);
    return st;
}

/* A laptop-like BAT0, AC offline. */
static void laptop(const char *root)
{
    put(root, "AC", "type", "Mains");
    put(root, "AC", "online", "0");
    put(root, "BAT0", "type", "Battery");
    put(root, "BAT0", "present", "1");
    put(root, "BAT0", "scope", "System");
    put(root, "BAT0", "status", "Discharging");
    put(root, "BAT0", "capacity", "55");
    put(root, "BAT0", "capacity_level", "Normal");
    put(root, "BAT0", "energy_full", "50000000"); /* 50 Wh */
    put(root, "BAT0", "energy_now", "27500000");  /* 27.5 Wh */
    put(root, "BAT0", "power_now", "11000000");   /* 11 W */
}

static void test_laptop_discharging(void **state)
{
    (void)state;
    const char *root = fresh("laptop");
    laptop(root);
    power_status st = read_ok(root);
    assert_int_equal(st.has_battery, 1);
    assert_int_equal(st.percent, 55);
    assert_int_equal(st.charging, 0);
    assert_int_equal(st.on_mains, 0);
    assert_int_equal(st.minutes_left, 150); /* 27.5 Wh / 11 W = 2.5 h */
    assert_int_equal(st.critical, 0);

    /* rounded down: 27.5 Wh / 12 W = 137.5 min */
    put(root, "BAT0", "power_now", "12000000");
    assert_int_equal(read_ok(root).minutes_left, 137);
    /* some drivers report the draw negative */
    put(root, "BAT0", "power_now", "-11000000");
    assert_int_equal(read_ok(root).minutes_left, 150);
    /* no draw reading: unknown */
    put(root, "BAT0", "power_now", "0");
    assert_int_equal(read_ok(root).minutes_left, -1);
    put(root, "BAT0", "power_now", NULL);
    assert_int_equal(read_ok(root).minutes_left, -1);
    /* a tiny draw is clamped */
    put(root, "BAT0", "power_now", "1");
    assert_int_equal(read_ok(root).minutes_left, POWER_MINUTES_MAX);
}

static void test_ac_online_charging(void **state)
{
    (void)state;
    const char *root = fresh("ac");
    laptop(root);
    put(root, "AC", "online", "1");
    put(root, "BAT0", "status", "Charging");
    power_status st = read_ok(root);
    assert_int_equal(st.has_battery, 1);
    assert_int_equal(st.percent, 55);
    assert_int_equal(st.charging, 1);
    assert_int_equal(st.on_mains, 1);
    assert_int_equal(st.minutes_left, -1); /* no time-to-empty while charging */

    /* mains online, charge threshold reached: "Not charging" still counts as charging */
    put(root, "BAT0", "status", "Not charging");
    st = read_ok(root);
    assert_int_equal(st.charging, 1);
    assert_int_equal(st.on_mains, 1);

    /* the battery alone says Full, mains unknown */
    put(root, "AC", "online", NULL);
    put(root, "BAT0", "status", "Full");
    st = read_ok(root);
    assert_int_equal(st.charging, 1);
    assert_int_equal(st.on_mains, 0);

    /* a USB-C supply counts as mains, whatever its sub-type spelling */
    put(root, "BAT0", "status", "Discharging");
    put(root, "ucsi-source-psy-USBC000:001", "type", "USB");
    put(root, "ucsi-source-psy-USBC000:001", "online", "0");
    assert_int_equal(read_ok(root).charging, 0);
    put(root, "ucsi-source-psy-USBC000:001", "online", "1");
    st = read_ok(root);
    assert_int_equal(st.charging, 1);
    assert_int_equal(st.on_mains, 1);
    put(root, "ucsi-source-psy-USBC000:001", "type", "USB_PD");
    put(root, "ucsi-source-psy-USBC000:001", "online", "2");
    assert_int_equal(read_ok(root).on_mains, 1);
}

static void test_two_batteries(void **state)
{
    (void)state;
    const char *root = fresh("two");
    put(root, "BAT0", "type", "Battery");
    put(root, "BAT0", "status", "Discharging");
    put(root, "BAT0", "capacity", "80");
    put(root, "BAT0", "energy_full", "40000000");
    put(root, "BAT0", "energy_now", "32000000");
    put(root, "BAT0", "power_now", "8000000");
    put(root, "BAT1", "type", "Battery");
    put(root, "BAT1", "status", "Unknown"); /* the idle pack of a dual-battery laptop */
    put(root, "BAT1", "capacity", "20");
    put(root, "BAT1", "energy_full", "10000000");
    put(root, "BAT1", "energy_now", "2000000");
    put(root, "BAT1", "power_now", "0");
    power_status st = read_ok(root);
    assert_int_equal(st.has_battery, 1);
    assert_int_equal(st.percent, 68); /* (80*40 + 20*10) / 50 */
    assert_int_equal(st.charging, 0);
    assert_int_equal(st.minutes_left, 255); /* 34 Wh / 8 W = 4.25 h */
    assert_int_equal(st.critical, 0);

    /* without energy_full on one pack: plain average */
    put(root, "BAT1", "energy_full", NULL);
    put(root, "BAT1", "energy_now", NULL);
    st = read_ok(root);
    assert_int_equal(st.percent, 50);
    assert_int_equal(st.minutes_left, -1); /* BAT1's content is unknown */

    /* one pack charging makes the unit charging */
    put(root, "BAT1", "status", "Charging");
    assert_int_equal(read_ok(root).charging, 1);

    /* an empty bay and a mouse battery are not counted */
    put(root, "BAT1", "present", "0");
    put(root, "hid-00:11:22:33:44:55-battery", "type", "Battery");
    put(root, "hid-00:11:22:33:44:55-battery", "scope", "Device");
    put(root, "hid-00:11:22:33:44:55-battery", "capacity", "3");
    put(root, "hid-00:11:22:33:44:55-battery", "status", "Discharging");
    st = read_ok(root);
    assert_int_equal(st.percent, 80);
    assert_int_equal(st.charging, 0);
    assert_int_equal(st.critical, 0);
    assert_int_equal(st.minutes_left, 240); /* 32 Wh / 8 W */
}

static void test_charge_only(void **state)
{
    (void)state;
    const char *root = fresh("charge");
    put(root, "battery", "type", "Battery");
    put(root, "battery", "status", "Discharging");
    put(root, "battery", "charge_full", "4000000"); /* 4000 mAh */
    put(root, "battery", "charge_now", "1300000");  /* 1300 mAh */
    put(root, "battery", "current_now", "-520000"); /* 520 mA, negative sign convention */
    put(root, "battery", "voltage_now", "3800000");
    power_status st = read_ok(root);
    assert_int_equal(st.has_battery, 1);
    assert_int_equal(st.percent, 33);       /* 32.5 rounds to 33 */
    assert_int_equal(st.minutes_left, 150); /* 1300 mAh / 520 mA = 2.5 h */
    assert_int_equal(st.charging, 0);

    /* energy family without capacity too */
    const char *root2 = fresh("energy");
    put(root2, "BAT0", "type", "Battery");
    put(root2, "BAT0", "status", "Discharging");
    put(root2, "BAT0", "energy_full", "60000000");
    put(root2, "BAT0", "energy_now", "3000000");
    st = read_ok(root2);
    assert_int_equal(st.percent, 5);
    assert_int_equal(st.critical, 1); /* <= POWER_CRITICAL_PERCENT */
    assert_int_equal(st.minutes_left, -1);
}

static void test_garbage(void **state)
{
    (void)state;
    const char *root = fresh("garbage");
    put(root, "BAT0", "type", "Battery");
    put(root, "BAT0", "status", "Discharging");

    /* not a number, empty, trailing junk, negative: unknown */
    const char *bad[] = {"abc", "", "55abc", "-3", "5 5", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put(root, "BAT0", "capacity", bad[i]);
        power_status st = read_ok(root);
        assert_int_equal(st.has_battery, 1);
        assert_int_equal(st.percent, -1);
        assert_int_equal(st.minutes_left, -1);
    }
    /* a zero-length file without newline */
    put_raw(root, "BAT0", "capacity", "", 1);
    assert_int_equal(read_ok(root).percent, -1);
    /* over 100 is clamped */
    put(root, "BAT0", "capacity", "150");
    assert_int_equal(read_ok(root).percent, 100);
    /* a bad capacity falls back to the energy ratio */
    put(root, "BAT0", "capacity", "abc");
    put(root, "BAT0", "energy_full", "1000");
    put(root, "BAT0", "energy_now", "420");
    assert_int_equal(read_ok(root).percent, 42);
    /* energy_now above energy_full (worn gauge) is clamped */
    put(root, "BAT0", "energy_now", "1200");
    assert_int_equal(read_ok(root).percent, 100);
    /* garbage energy: unknown again; garbage status: not charging */
    put(root, "BAT0", "energy_now", "lots");
    put(root, "BAT0", "energy_full", "0");
    put(root, "BAT0", "status", "Sparkling");
    power_status st = read_ok(root);
    assert_int_equal(st.percent, -1);
    assert_int_equal(st.charging, 0);
    /* an attribute longer than the 64-byte cap is cut, then fails to parse */
    char longv[200];
    memset(longv, '7', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    put(root, "BAT0", "capacity", longv);
    assert_int_equal(read_ok(root).percent, -1);
    /* capacity_level Critical marks critical whatever the percent */
    put(root, "BAT0", "capacity", "40");
    put(root, "BAT0", "capacity_level", "Critical");
    st = read_ok(root);
    assert_int_equal(st.percent, 40);
    assert_int_equal(st.critical, 1);
    /* junk in the root (a stray file, an unknown type, a supply with no type) is ignored */
    put(root, "UPS0", "type", "UPS");
    put(root, "weird", "capacity", "1");
    FILE *f = fopen(ROOT "/garbage/stray", "w");
    assert_non_null(f);
    fclose(f);
    st = read_ok(root);
    assert_int_equal(st.has_battery, 1);
    assert_int_equal(st.percent, 40);
}

static void test_no_battery(void **state)
{
    (void)state;
    const char *root = fresh("hall");
    put(root, "AC", "type", "Mains");
    put(root, "AC", "online", "1");
    power_status st = read_ok(root);
    assert_int_equal(st.has_battery, 0);
    assert_int_equal(st.percent, -1);
    assert_int_equal(st.minutes_left, -1);
    assert_int_equal(st.on_mains, 1);
    assert_int_equal(st.critical, 0);
    assert_int_equal(power_can_start_session(&st, 30, 20), 1);

    /* an empty class directory (a desktop board without ACPI supplies) */
    root = fresh("empty");
    st = read_ok(root);
    assert_int_equal(st.has_battery, 0);
    assert_int_equal(power_can_start_session(&st, 30, 20), 1);
}

static void test_missing_root(void **state)
{
    (void)state;
    power *p = (power *)1;
    assert_int_equal(power_open_sim(ROOT "/does-not-exist", &p), KIOSK_NOT_FOUND);
    assert_null(p);
    p = (power *)1;
    assert_int_equal(power_open_sysfs(ROOT "/does-not-exist", &p), KIOSK_NOT_FOUND);
    assert_null(p);
    p = (power *)1;
    assert_int_equal(power_open_sim("", &p), KIOSK_INVALID);
    assert_null(p);
    assert_int_equal(power_open_sim(NULL, &p), KIOSK_INVALID);

    /* a file is not a root */
    const char *root = fresh("file-root");
    put(root, "x", "type", "Mains");
    char file[1200];
    snprintf(file, sizeof file, "%s/x/type", root);
    assert_int_equal(power_open_sim(file, &p), KIOSK_NOT_FOUND);
    assert_null(p);

    /* the root vanishes after open */
    root = fresh("vanish");
    laptop(root);
    assert_int_equal(power_open_sim(root, &p), KIOSK_OK);
    power_status st;
    assert_int_equal(power_read(p, &st), KIOSK_OK);
    assert_int_equal(st.percent, 55);
    rm_tree(root);
    assert_int_equal(power_read(p, &st), KIOSK_NOT_FOUND);
    assert_int_equal(st.has_battery, 0);
    assert_int_equal(st.percent, -1);
    assert_int_equal(st.minutes_left, -1);
    power_close(p);
    power_close(NULL);
}

static void test_sim_faults(void **state)
{
    (void)state;
    const char *root = fresh("faults");
    laptop(root);
    power *p;
    power_status st;
    assert_int_equal(power_open_sim(root, &p), KIOSK_OK);
    assert_string_equal(p->ops->name, "sim");
    power_sim_fail(p, KIOSK_IO, 2);
    assert_int_equal(power_read(p, &st), KIOSK_IO);
    assert_int_equal(st.percent, -1);
    assert_int_equal(power_read(p, &st), KIOSK_IO);
    assert_int_equal(power_read(p, &st), KIOSK_OK);
    assert_int_equal(st.percent, 55);
    power_sim_fail(p, KIOSK_BUSY, -1);
    for (int i = 0; i < 5; i++)
        assert_int_equal(power_read(p, &st), KIOSK_BUSY);
    power_sim_fail(p, KIOSK_OK, -1);
    assert_int_equal(power_read(p, &st), KIOSK_OK);
    power_close(p);
}

static power_status mk(int has, int percent, int charging, int mains, int minutes, int crit)
{
    power_status st = {has, percent, charging, mains, minutes, crit};
    return st;
}

static void test_can_start_session(void **state)
{
    (void)state;
    power_status st;
    /* low and discharging: refused */
    st = mk(1, 15, 0, 0, 40, 0);
    assert_int_equal(power_can_start_session(&st, 20, 15), 0);
    /* low but charging, or on mains: allowed */
    st = mk(1, 15, 1, 0, -1, 0);
    assert_int_equal(power_can_start_session(&st, 20, 15), 1);
    st = mk(1, 3, 1, 1, -1, 0);
    assert_int_equal(power_can_start_session(&st, 20, 15), 1);
    /* no battery: allowed */
    st = mk(0, -1, 0, 0, -1, 0);
    assert_int_equal(power_can_start_session(&st, 20, 15), 1);
    /* enough percent, minutes unknown: allowed */
    st = mk(1, 60, 0, 0, -1, 0);
    assert_int_equal(power_can_start_session(&st, 20, 15), 1);
    /* exactly at both thresholds: allowed */
    st = mk(1, 20, 0, 0, 15, 0);
    assert_int_equal(power_can_start_session(&st, 20, 15), 1);
    /* enough percent but too few minutes (heavy draw): refused */
    st = mk(1, 60, 0, 0, 14, 0);
    assert_int_equal(power_can_start_session(&st, 20, 15), 0);
    /* unknown percent on battery: refused */
    st = mk(1, -1, 0, 0, 300, 0);
    assert_int_equal(power_can_start_session(&st, 20, 15), 0);
    /* the gauge says Critical: refused whatever the percent */
    st = mk(1, 40, 0, 0, -1, 1);
    assert_int_equal(power_can_start_session(&st, 20, 15), 0);

    /* end to end through the parser */
    const char *root = fresh("session");
    laptop(root);
    st = read_ok(root);
    assert_int_equal(power_can_start_session(&st, 20, 15), 1);
    put(root, "BAT0", "capacity", "12");
    st = read_ok(root);
    assert_int_equal(power_can_start_session(&st, 20, 15), 0);
    put(root, "AC", "online", "1");
    st = read_ok(root);
    assert_int_equal(power_can_start_session(&st, 20, 15), 1);
}

static void test_real_sysfs(void **state)
{
    (void)state;
    struct stat sb;
    if (stat(POWER_SYSFS_ROOT, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        skip();
        return;
    }
    power *p;
    assert_int_equal(power_open_sysfs(POWER_SYSFS_ROOT, &p), KIOSK_OK);
    assert_string_equal(p->ops->name, "sysfs");
    power_status st;
    assert_int_equal(power_read(p, &st), KIOSK_OK);
    assert_true(st.has_battery == 0 || st.has_battery == 1);
    assert_true(st.percent >= -1 && st.percent <= 100);
    assert_true(st.minutes_left >= -1 && st.minutes_left <= POWER_MINUTES_MAX);
    if (!st.has_battery)
        assert_int_equal(st.percent, -1);
    print_message("sysfs: battery %d, %d%%, charging %d, mains %d, %d min\n", st.has_battery,
                  st.percent, st.charging, st.on_mains, st.minutes_left);
    power_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_laptop_discharging),
        cmocka_unit_test(test_ac_online_charging),
        cmocka_unit_test(test_two_batteries),
        cmocka_unit_test(test_charge_only),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_no_battery),
        cmocka_unit_test(test_missing_root),
        cmocka_unit_test(test_sim_faults),
        cmocka_unit_test(test_can_start_session),
        cmocka_unit_test(test_real_sysfs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
