/* Headless tests of the maintenance menu and the portable unit: the hidden way in, a
 * staff login, every menu item walked with a screenshot each (dashboard, sync now,
 * printer test, reprint, export, purge, out of service, log, reader test, restart), the
 * audit log recording each action and still verifying; the lockout after wrong PINs; and
 * the portable layout at 1280×800 with a low battery that refuses to start a
 * registration until the power is plugged in. Screenshots go to tests/tmp/screens/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "printer_peer.h"
#include "store/staff.h"
#include "store/store.h"
#include "ui/ui_app.h"
#include "ui/ui_menu.h"
#include "ui/ui_script.h"

static kiosk_config cfg;
static char shots[512], dir[200];
static char receipt_no[40];

static void run(ui_app *app, const char *script)
{
    ui_script_result res;
    kiosk_rc rc = ui_script_run(app, script, shots, &res);
    if (rc != KIOSK_OK)
        fail_msg("script line %d: %s", res.line, res.message);
}

/* A provisioned unit with one saved record and two staff accounts. */
static int setup(void **state)
{
    (void)state;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    snprintf(shots, sizeof shots, "%s/screens", KIOSK_TEST_TMP);
    mkdir(shots, 0755);
    snprintf(dir, sizeof dir, "%s/menu-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/r'", dir, dir);
    if (system(cmd) != 0 || sodium_init() < 0)
        return -1;
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%s", dir);
    snprintf(cfg.printer_output_dir, sizeof cfg.printer_output_dir, "%s/r", dir);
    snprintf(cfg.export_dir, sizeof cfg.export_dir, "%s/usb", dir);
    snprintf(cfg.reader_card_profile, sizeof cfg.reader_card_profile, "%s/cards/demo.ini",
             KIOSK_TEST_ASSETS);
    store_device_key key;
    store *st;
    char db[300];
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    uint8_t pk[32], sk[32], commit[32] = {1};
    crypto_box_keypair(pk, sk);
    if (store_device_key_load(dir, &key) != KIOSK_OK ||
        store_open(db, cfg.hall_code, &key, NULL, &st) != KIOSK_OK ||
        store_set_upstream_key(st, pk) != KIOSK_OK)
        return -1;
    store_submission sub = {"{}", "{}", "2026.1", commit, "张*丰", "3701**********4519", NULL};
    store_saved sv;
    if (store_save(st, &sub, &sv) != KIOSK_OK ||
        staff_add(st, "A017", STAFF_HALL, "482915", NULL, "test") != KIOSK_OK ||
        staff_add(st, "T001", STAFF_TECHNICIAN, "730146", NULL, "test") != KIOSK_OK ||
        staff_add(st, "C002", STAFF_HALL, "551234", "085A3C11", "test") != KIOSK_OK)
        return -1;
    snprintf(receipt_no, sizeof receipt_no, "%s", sv.receipt_no);
    store_close(st);
    return 0;
}

static ui_app *start(const kiosk_clock *clock)
{
    ui_app *app;
    ui_app_options opt = {
        .headless = 1, .with_reader = 1, .with_store = 1, .clock = clock, .version = "0.1.0"};
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    return app;
}

typedef struct actions {
    char names[64][48];
    int n;
} actions;

static int note_action(void *ctx, const store_audit_entry *e)
{
    actions *a = ctx;
    if (a->n < 64)
        snprintf(a->names[a->n++], sizeof a->names[0], "%s", e->action);
    return 0;
}

static int has_action(const actions *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->names[i], name))
            return 1;
    return 0;
}

static void audit_of(actions *a, store_audit_check *chk)
{
    store_device_key key;
    store *st;
    char db[300];
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    assert_int_equal(store_open(db, cfg.hall_code, &key, NULL, &st), KIOSK_OK);
    memset(a, 0, sizeof *a);
    assert_int_equal(store_audit_recent(st, 64, note_action, a), KIOSK_OK);
    assert_int_equal(store_audit_verify(st, chk), KIOSK_OK);
    store_close(st);
}

static void test_every_menu_item(void **state)
{
    (void)state;
    ui_app *app = start(NULL);
    char digits[16], script[4096];
    /* the receipt number's date and sequence: HALL-YYYYMMDD-NNNN */
    snprintf(digits, sizeof digits, "%.8s%.4s", receipt_no + strlen(cfg.hall_code) + 1,
             receipt_no + strlen(cfg.hall_code) + 10);
    char keys[200] = "";
    for (const char *d = digits; *d; d++) {
        char k[16];
        snprintf(k, sizeof k, "tap rk%c\n", *d);
        strcat(keys, k);
    }
    run(app, "tap staff_corner\ntap staff_corner\ntap staff_corner\ntap staff_corner\n"
             "expect-menu off\n" /* four taps are not enough */
             "tap staff_corner\n"
             "expect-menu login\n"
             "screenshot menu-01-login.png\n"
             "tap mk7\ntap mk3\ntap mk0\ntap mk1\ntap mk4\ntap mk6\ntap mk_ok\n"
             "wait-menu home\nwait 300\n"
             "screenshot menu-02-dashboard.png\n"
             "tap m_sync\nscreenshot menu-03-sync-now.png\n"
             "tap m_print_test\nwait 300\nscreenshot menu-04-print-test.png\n"
             "tap m_reprint\nexpect-menu reprint\n");
    snprintf(script, sizeof script,
             "%s"
             "screenshot menu-05-reprint-typed.png\n"
             "tap m_do_reprint\nwait 500\n"
             "screenshot menu-06-reprinted.png\n"
             "tap m_back\nwait-menu home\n"
             "tap m_export\nwait 500\nscreenshot menu-07-exported.png\n"
             "tap m_purge\nexpect-menu purge\nscreenshot menu-08-purge-confirm.png\n"
             "tap m_do_purge\nwait-menu home\nwait 300\nscreenshot menu-09-purged.png\n"
             "tap m_log\nexpect-menu log\nscreenshot menu-10-log.png\ntap m_back\n"
             "tap m_reader\nexpect-menu reader\ncard insert\nwait 800\n"
             "screenshot menu-11-reader-test.png\ncard remove\ntap m_back\n"
             "tap m_service\nscreenshot menu-12-out-of-service-set.png\n"
             "tap m_logout\nexpect-menu off\nexpect attract\n"
             "screenshot menu-13-attract-out-of-service.png\n"
             /* a card during out of service starts nothing */
             "card insert\nwait 500\nexpect attract\ncard remove\n",
             keys);
    run(app, script);
    assert_true(ui_app_out_of_service(app));
    /* a restart keeps the kiosk closed */
    ui_app_destroy(app);
    app = start(NULL);
    run(app, "wait 300\nscreenshot menu-13b-still-out-of-service.png\n");
    assert_true(ui_app_out_of_service(app));
    char path[600];
    snprintf(path, sizeof path, "ls '%s'/r/%s-copy.png >/dev/null 2>&1", dir, receipt_no);
    assert_int_equal(system(path), 0);
    snprintf(path, sizeof path, "ls '%s'/usb/*.kb >/dev/null 2>&1", dir);
    assert_int_equal(system(path), 0);
    /* back in service, then a restart asked for */
    run(app, "tap staff_corner\ntap staff_corner\ntap staff_corner\ntap staff_corner\n"
             "tap staff_corner\nexpect-menu login\n"
             "tap mk4\ntap mk8\ntap mk2\ntap mk9\ntap mk1\ntap mk5\ntap mk_ok\n"
             "wait-menu home\nwait 200\n"
             "screenshot menu-14-hall-staff.png\n"
             "tap m_service\ntap m_restart\nwait 300\n");
    assert_false(ui_app_out_of_service(app));
    assert_true(ui_app_restart_requested(app));
    ui_app_destroy(app);
    actions a;
    store_audit_check chk;
    audit_of(&a, &chk);
    const char *want[] = {"staff.login",   "sync.now",       "printer.test", "receipt.reprint",
                          "bundle.export", "records.purged", "service.off",  "staff.logout",
                          "service.on",    "kiosk.restart"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!has_action(&a, want[i]))
            fail_msg("no %s in the audit log", want[i]);
}

/* With export_mount set, export writes only onto a mounted stick: a plain folder where
 * the stick should be (or none) gets nothing, and staff are told to plug one in. */
static void test_export_needs_a_stick(void **state)
{
    (void)state;
    cfg.export_mount = 1;
    ui_app *app = start(NULL);
    run(app, "tap staff_corner\ntap staff_corner\ntap staff_corner\ntap staff_corner\n"
             "tap staff_corner\nexpect-menu login\n"
             "tap mk7\ntap mk3\ntap mk0\ntap mk1\ntap mk4\ntap mk6\ntap mk_ok\n"
             "wait-menu home\n"
             "tap m_export\nwait 500\nscreenshot menu-07b-no-stick.png\n");
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test ! -e '%s/usb'", dir); /* not even made */
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "mkdir '%s/usb'", dir); /* a folder is no stick either */
    assert_int_equal(system(cmd), 0);
    run(app, "tap m_export\nwait 500\n");
    snprintf(cmd, sizeof cmd, "test -z \"$(ls '%s/usb')\"", dir);
    assert_int_equal(system(cmd), 0);
    /* a mounted filesystem is taken (a tmpfs stands in for the stick, where root may
     * mount one) */
    snprintf(cmd, sizeof cmd, "mount -t tmpfs kiosk-test-usb '%s/usb' 2>/dev/null", dir);
    if (geteuid() == 0 && system(cmd) == 0) {
        run(app, "tap m_export\nwait 500\n");
        snprintf(cmd, sizeof cmd, "ls '%s'/usb/*.kb >/dev/null 2>&1", dir);
        int found = system(cmd);
        snprintf(cmd, sizeof cmd, "umount '%s/usb'", dir);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(found, 0);
    }
    ui_app_destroy(app);
    cfg.export_mount = 0;
}

/* With a real printer (a serial one on a pty here) the receipt image has served once
 * printed: a reprint leaves no picture of a citizen's receipt on the unit's disk. */
static void test_real_printer_leaves_no_receipt_images(void **state)
{
    (void)state;
    static printer_peer pe;
    const uint8_t healthy[5] = {0, 0x12, 0x12, 0x12, 0x12};
    assert_int_equal(printer_peer_start(&pe, healthy), 0);
    cfg.printer_backend = KIOSK_PRINTER_SERIAL;
    snprintf(cfg.printer_device, sizeof cfg.printer_device, "%s", pe.name);
    ui_app *app = start(NULL);
    char digits[16], script[2048];
    snprintf(digits, sizeof digits, "%.8s%.4s", receipt_no + strlen(cfg.hall_code) + 1,
             receipt_no + strlen(cfg.hall_code) + 10);
    int n = snprintf(script, sizeof script,
                     "tap staff_corner\ntap staff_corner\ntap staff_corner\ntap staff_corner\n"
                     "tap staff_corner\nexpect-menu login\n"
                     "tap mk4\ntap mk8\ntap mk2\ntap mk9\ntap mk1\ntap mk5\ntap mk_ok\n"
                     "wait-menu home\ntap m_reprint\nexpect-menu reprint\n");
    for (const char *d = digits; *d; d++)
        n += snprintf(script + n, sizeof script - (size_t)n, "tap rk%c\n", *d);
    snprintf(script + n, sizeof script - (size_t)n, "tap m_do_reprint\nwait 1500\n");
    run(app, script);
    ui_app_destroy(app);
    printer_peer_stop(&pe); /* got_len is the peer thread's until it stops */
    size_t sent = pe.got_len;
    cfg.printer_backend = KIOSK_PRINTER_FILE;
    assert_true(sent > 1000); /* the receipt went to the printer */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls '%s/r')\"", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_lockout_after_wrong_pins(void **state)
{
    (void)state;
    ui_app *app = start(NULL);
    run(app, "tap staff_corner\ntap staff_corner\ntap staff_corner\ntap staff_corner\n"
             "tap staff_corner\nexpect-menu login\n"
             "tap mk1\ntap mk2\ntap mk3\ntap mk4\ntap mk5\ntap mk7\ntap mk_ok\nwait-login\n"
             "tap mk1\ntap mk2\ntap mk3\ntap mk4\ntap mk5\ntap mk8\ntap mk_ok\nwait-login\n"
             "tap mk1\ntap mk2\ntap mk3\ntap mk4\ntap mk5\ntap mk9\ntap mk_ok\nwait-login\n"
             "screenshot menu-15-locked.png\n"
             /* even the right PIN waits now */
             "tap mk7\ntap mk3\ntap mk0\ntap mk1\ntap mk4\ntap mk6\ntap mk_ok\nwait-login\n"
             "expect-menu login\n"
             "tap menu_exit\nexpect-menu off\n");
    ui_app_destroy(app);
    actions a;
    store_audit_check chk;
    audit_of(&a, &chk);
    int failed = 0;
    for (int i = 0; i < a.n; i++)
        failed += !strcmp(a.names[i], "staff.login_failed");
    assert_int_equal(failed, 3);
    assert_false(has_action(&a, "staff.login"));
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_portable_low_battery(void **state)
{
    (void)state;
    char ps[240], cmd[700];
    snprintf(ps, sizeof ps, "%.200s/power_supply", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/BAT0' '%s/AC'", ps, ps);
    assert_int_equal(system(cmd), 0);
    char p[400];
    snprintf(p, sizeof p, "%s/BAT0/type", ps);
    write_file(p, "Battery\n");
    snprintf(p, sizeof p, "%s/BAT0/status", ps);
    write_file(p, "Discharging\n");
    snprintf(p, sizeof p, "%s/BAT0/capacity", ps);
    write_file(p, "12\n");
    snprintf(p, sizeof p, "%s/BAT0/present", ps);
    write_file(p, "1\n");
    snprintf(p, sizeof p, "%s/AC/type", ps);
    write_file(p, "Mains\n");
    snprintf(p, sizeof p, "%s/AC/online", ps);
    write_file(p, "0\n");
    cfg.mode = KIOSK_MODE_PORTABLE;
    snprintf(cfg.power_supply, sizeof cfg.power_supply, "%s", ps);
    kiosk_clock_manual clk;
    kiosk_clock_manual_init(&clk, 1795363199000LL);
    ui_app *app = start(&clk.clock);
    run(app, "screenshot portable-50-attract-low-battery.png\n"
             "card insert\nwait 600\nexpect attract\n"
             "screenshot portable-51-refused-low-battery.png\ncard remove\nwait 300\n");
    /* the power is plugged in: the next card starts a registration */
    write_file(p, "1\n");
    kiosk_clock_manual_advance(&clk, 6000);
    run(app, "wait 100\nscreenshot portable-52-attract-charging.png\n"
             "card insert\nwait-for pin\nscreenshot portable-53-pin.png\n");
    /* the maintenance menu in the landscape layout */
    run(app, "card remove\nwait-for card_away\ntap cancel_confirm\nexpect message\ntap ok\nexpect "
             "attract\n"
             "tap staff_corner\ntap staff_corner\ntap staff_corner\ntap staff_corner\n"
             "tap staff_corner\nexpect-menu login\nscreenshot portable-54-menu-login.png\n"
             "tap mk7\ntap mk3\ntap mk0\ntap mk1\ntap mk4\ntap mk6\ntap mk_ok\n"
             "wait-menu home\nwait 300\nscreenshot portable-55-menu-dashboard.png\n"
             "tap m_logout\n");
    ui_app_destroy(app);
    cfg.mode = KIOSK_MODE_HALL;
}

static void test_staff_card_login(void **state)
{
    (void)state;
    ui_app *app = start(NULL);
    /* the card's own PIN with the card: in; another account's PIN with it: refused */
    run(app, "tap staff_corner\ntap staff_corner\ntap staff_corner\ntap staff_corner\n"
             "tap staff_corner\nexpect-menu login\ncard insert\nwait 500\n"
             "screenshot menu-16-staff-card.png\n"
             "tap mk4\ntap mk8\ntap mk2\ntap mk9\ntap mk1\ntap mk5\ntap mk_ok\nwait-login\n"
             "expect-menu login\n"
             "tap mk5\ntap mk5\ntap mk1\ntap mk2\ntap mk3\ntap mk4\ntap mk_ok\n"
             "wait-menu home\ntap m_logout\ncard remove\n");
    ui_app_destroy(app);
    actions a;
    store_audit_check chk;
    audit_of(&a, &chk);
    assert_true(has_action(&a, "staff.login_failed"));
    assert_true(has_action(&a, "staff.login"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_every_menu_item, setup),
        cmocka_unit_test_setup(test_export_needs_a_stick, setup),
        cmocka_unit_test_setup(test_real_printer_leaves_no_receipt_images, setup),
        cmocka_unit_test_setup(test_lockout_after_wrong_pins, setup),
        cmocka_unit_test_setup(test_staff_card_login, setup),
        cmocka_unit_test_setup(test_portable_low_battery, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
