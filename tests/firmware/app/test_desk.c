/* The maintenance desk with no screen and no SDL: the real session and I/O worker on a
 * provisioned state with staff accounts. The way in (five quick taps), a wrong and a
 * right staff PIN, out of service (cards start nothing, the store remembers), a
 * reprint, a technician's purge refused to hall staff, log out and the idle lock, each
 * audited; while the desk is open a card is the staff's, never a citizen's session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <stdlib.h>

#include "app/desk.h"
#include "proto/sync_proto.h"
#include "store/staff.h"
#include "test_state.h"
#include "update/update.h"

static kiosk_config cfg;
static char dir[200];
static kiosk_clock_manual clk;
static int restarts;

static void on_restart(void *ctx)
{
    (void)ctx;
    restarts++;
}

static desk d;
static uint8_t hub_pk[32], hub_sk[64]; /* the hub's signing key, provisioned on the unit */
static store_device_key unit_key;

static void on_staff_result(void *ctx, const app_io_result *r)
{
    (void)ctx;
    desk_result(&d, r);
}

static void on_staff_card(void *ctx, const identity_event *ev)
{
    (void)ctx;
    desk_card_event(&d, ev);
}

static session *start(const char *tag)
{
    snprintf(dir, sizeof dir, "%.150s/desk-%.16s-%d", KIOSK_TEST_TMP, tag, (int)getpid());
    store *st;
    assert_int_equal(test_state_open(dir, "DEMO01", &unit_key, &st), KIOSK_OK);
    crypto_sign_keypair(hub_pk, hub_sk);
    assert_int_equal(store_set_hub_key(st, hub_pk), KIOSK_OK);
    assert_int_equal(staff_add(st, "A017", STAFF_HALL, "482915", NULL, "test"), KIOSK_OK);
    assert_int_equal(staff_add(st, "T001", STAFF_TECHNICIAN, "730146", NULL, "test"), KIOSK_OK);
    store_close(st);
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%s", dir);
    snprintf(cfg.printer_output_dir, sizeof cfg.printer_output_dir, "%s/receipts", dir);
    snprintf(cfg.reader_card_profile, sizeof cfg.reader_card_profile, "%s",
             KIOSK_TEST_ASSETS "/cards/demo.ini");
    kiosk_clock_manual_init(&clk, 1795363199000LL);
    restarts = 0;
    desk_env env = {.cfg = &cfg, .restart = on_restart};
    desk_init(&d, &env);
    session_options o = {.clock = &clk.clock,
                         .with_reader = 1,
                         .with_store = 1,
                         .staff_result = on_staff_result,
                         .staff_card = on_staff_card};
    session *s;
    assert_int_equal(session_create(&cfg, &o, &s), KIOSK_OK);
    d.env.session = s;
    return s;
}

/* Let the workers answer (real time: argon2id and the store are real). */
static void settle(session *s, int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        session_wait(s, 20);
        session_pump(s);
    }
}

static void wait_login(session *s)
{
    for (int waited = 0; d.checking && waited < 10000; waited += 20) {
        session_wait(s, 20);
        session_pump(s);
    }
    assert_false(d.checking);
}

static void open_desk(void)
{
    int64_t now = kiosk_clock_mono_ms(&clk.clock);
    for (int i = 0; i < 4; i++)
        assert_false(desk_corner_tap(&d, now));
    assert_true(desk_corner_tap(&d, now));
    assert_int_equal(d.screen, DESK_LOGIN);
}

static void type(const char *prefix, const char *digits)
{
    char id[16];
    for (const char *p = digits; *p; p++) {
        snprintf(id, sizeof id, "%s%c", prefix, *p);
        desk_tap(&d, id, kiosk_clock_mono_ms(&clk.clock));
    }
}

typedef struct count {
    const char *action;
    int n;
} count;

static int count_entry(void *ctx, const store_audit_entry *e)
{
    count *c = ctx;
    c->n += strcmp(e->action, c->action) == 0;
    return 0;
}

/* How often action is in the audit log. */
static int audited(const char *action)
{
    store_device_key key;
    char db[300];
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    store *st;
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &st), KIOSK_OK);
    count c = {action, 0};
    assert_int_equal(store_audit_recent(st, 200, count_entry, &c), KIOSK_OK);
    store_close(st);
    return c.n;
}

static void test_login_and_out_of_service(void **state)
{
    (void)state;
    session *s = start("service");
    settle(s, 200);
    /* slow taps do not open it */
    for (int i = 0; i < 5; i++) {
        kiosk_clock_manual_advance(&clk, 3500);
        assert_false(desk_corner_tap(&d, kiosk_clock_mono_ms(&clk.clock)));
    }
    kiosk_clock_manual_advance(&clk, 5000);
    open_desk();
    /* a card now is the staff's: no citizen's session */
    assert_int_equal(session_sim_card(s, true), KIOSK_OK);
    settle(s, 400);
    assert_int_equal(session_get_view(s)->flow->step, FLOW_ATTRACT);
    assert_true(d.card_uid[0] != '\0');
    assert_int_equal(session_sim_card(s, false), KIOSK_OK);
    settle(s, 300);
    assert_string_equal(d.card_uid, "");
    /* a wrong PIN, then the right one */
    type("mk", "111111");
    desk_tap(&d, "mk_ok", kiosk_clock_mono_ms(&clk.clock));
    assert_true(d.checking);
    type("mk", "9"); /* typed while checking: ignored */
    wait_login(s);
    assert_int_equal(d.screen, DESK_LOGIN);
    assert_string_equal(d.note_key, "screen.m_wrong_pin");
    assert_int_equal(d.pin_len, 0);
    type("mk", "482915");
    desk_tap(&d, "mk_ok", kiosk_clock_mono_ms(&clk.clock));
    wait_login(s);
    assert_int_equal(d.screen, DESK_HOME);
    assert_string_equal(d.staff, "A017");
    settle(s, 200);
    assert_true(d.has_dash);
    /* a hall member cannot purge */
    desk_tap(&d, "m_purge", kiosk_clock_mono_ms(&clk.clock));
    assert_int_equal(d.screen, DESK_HOME);
    /* out of service: the session refuses cards, and the store remembers */
    desk_tap(&d, "m_service", kiosk_clock_mono_ms(&clk.clock));
    assert_true(d.out_of_service);
    assert_true(session_get_view(s)->out_of_service);
    desk_tap(&d, "m_logout", kiosk_clock_mono_ms(&clk.clock));
    assert_int_equal(d.screen, DESK_OFF);
    assert_string_equal(d.staff, "");
    assert_true(d.out_of_service); /* the kiosk's state, not the staff session's */
    assert_int_equal(session_sim_card(s, true), KIOSK_OK);
    settle(s, 400);
    assert_int_equal(session_get_view(s)->flow->step, FLOW_ATTRACT);
    session_destroy(s);
    assert_true(audited("staff.login") >= 1);
    assert_true(audited("staff.login_failed") >= 1);
    assert_true(audited("staff.logout") >= 1);

    /* a new start comes up out of service, as staff left it */
    session_options o = {.with_store = 1, .staff_result = on_staff_result};
    desk_env env = {.cfg = &cfg};
    desk_init(&d, &env);
    assert_int_equal(session_create(&cfg, &o, &s), KIOSK_OK);
    d.env.session = s;
    settle(s, 300);
    assert_true(session_get_view(s)->out_of_service);
    assert_true(d.out_of_service);
    session_destroy(s);
}

static void test_technician_reprint_purge_restart_and_idle_lock(void **state)
{
    (void)state;
    session *s = start("tech");
    open_desk();
    type("mk", "730146");
    desk_tap(&d, "mk_ok", kiosk_clock_mono_ms(&clk.clock));
    wait_login(s);
    assert_int_equal(d.screen, DESK_HOME);
    assert_int_equal(d.role, STAFF_TECHNICIAN);
    /* a reprint of a receipt that does not exist says so */
    desk_tap(&d, "m_reprint", kiosk_clock_mono_ms(&clk.clock));
    assert_int_equal(d.screen, DESK_REPRINT);
    type("rk", "202611200099");
    assert_int_equal(d.ndigits, 12);
    desk_tap(&d, "m_do_reprint", kiosk_clock_mono_ms(&clk.clock));
    assert_string_equal(d.receipt_no, "DEMO01-20261120-0099");
    settle(s, 500);
    assert_string_equal(d.note_key, "screen.m_no_receipt");
    desk_tap(&d, "m_back", kiosk_clock_mono_ms(&clk.clock));
    assert_int_equal(d.screen, DESK_HOME);
    /* a technician may purge, after confirming */
    desk_tap(&d, "m_purge", kiosk_clock_mono_ms(&clk.clock));
    assert_int_equal(d.screen, DESK_PURGE);
    desk_tap(&d, "m_do_purge", kiosk_clock_mono_ms(&clk.clock));
    settle(s, 500);
    assert_string_equal(d.note_key, "screen.m_purged");
    assert_string_equal(d.note_arg, "0");
    desk_tap(&d, "m_restart", kiosk_clock_mono_ms(&clk.clock));
    assert_int_equal(restarts, 1);
    assert_true(d.restart_requested);
    /* two minutes untouched: the staff session locks */
    kiosk_clock_manual_advance(&clk, DESK_IDLE_MS - 1000);
    assert_false(desk_tick(&d, kiosk_clock_mono_ms(&clk.clock)));
    kiosk_clock_manual_advance(&clk, 2000);
    assert_true(desk_tick(&d, kiosk_clock_mono_ms(&clk.clock)));
    assert_int_equal(d.screen, DESK_OFF);
    assert_string_equal(d.staff, "");
    settle(s, 300);
    session_destroy(s);
    assert_true(audited("staff.logout") >= 1);
    assert_true(audited("kiosk.restart") >= 1);
}

/* The hub's acknowledgement file for this unit on the stick, imported from the menu: a
 * stick without it, a file signed by another key, then the hub's own (listing nothing yet,
 * as for a unit whose bundles the hub has not seen) — each said on the desk, each audited. */
static void test_import_acks_from_the_stick(void **state)
{
    (void)state;
    session *s = start("acks");
    char usb[220];
    snprintf(usb, sizeof usb, "%.200s/usb", dir);
    snprintf(cfg.export_dir, sizeof cfg.export_dir, "%s", usb);
    cfg.export_mount = 0;
    open_desk();
    type("mk", "482915");
    desk_tap(&d, "mk_ok", kiosk_clock_mono_ms(&clk.clock));
    wait_login(s);
    assert_int_equal(d.screen, DESK_HOME);
    /* no file for this unit */
    desk_tap(&d, "m_import_acks", kiosk_clock_mono_ms(&clk.clock));
    settle(s, 500);
    assert_string_equal(d.note_key, "screen.m_no_acks");
    char name[SYNC_ACKS_NAME_MAX], path[600];
    sync_acks_file_name(unit_key.public_key, name);
    assert_string_equal(d.note_arg, name);
    /* signed by a stranger: refused, nothing changed */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", usb);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/%s", usb, name);
    char *body;
    size_t len;
    assert_int_equal(sync_results_encode(NULL, 0, kiosk_clock_now_ms(&clk.clock), &body, &len),
                     KIOSK_OK);
    uint8_t other_pk[32], other_sk[64];
    crypto_sign_keypair(other_pk, other_sk);
    assert_int_equal(sync_acks_write(path, other_sk, unit_key.public_key,
                                     kiosk_clock_now_ms(&clk.clock), body, len),
                     KIOSK_OK);
    desk_tap(&d, "m_import_acks", kiosk_clock_mono_ms(&clk.clock));
    settle(s, 500);
    assert_string_equal(d.note_key, "screen.m_acks_refused");
    assert_true(d.note_bad);
    /* the hub's own */
    assert_int_equal(sync_acks_write(path, hub_sk, unit_key.public_key,
                                     kiosk_clock_now_ms(&clk.clock), body, len),
                     KIOSK_OK);
    free(body);
    desk_tap(&d, "m_import_acks", kiosk_clock_mono_ms(&clk.clock));
    settle(s, 500);
    assert_string_equal(d.note_key, "screen.m_acks_imported");
    assert_string_equal(d.note_arg, "0");
    assert_false(d.note_bad);
    session_destroy(s);
    cfg.export_dir[0] = '\0';
}

/* The menu's export takes the records the hub refused too, in bundles of their own for
 * the hub's reconciliation, and says so; they stay rejected on the unit. */
static void test_export_takes_refused_records(void **state)
{
    (void)state;
    session *s = start("refused");
    char usb[220], dbp[260];
    snprintf(usb, sizeof usb, "%.200s/usb", dir);
    snprintf(dbp, sizeof dbp, "%.200s/kiosk.db", dir);
    snprintf(cfg.export_dir, sizeof cfg.export_dir, "%s", usb);
    cfg.export_mount = 0;
    store *st;
    assert_int_equal(store_open(dbp, "DEMO01", &unit_key, NULL, &st), KIOSK_OK);
    uint8_t commit[32] = {1};
    store_submission sub = {"{}", "{}", "2026.1", commit, "李*", "1101**********0026", NULL};
    store_saved sv;
    assert_int_equal(store_save(st, &sub, &sv), KIOSK_OK);
    store_outcome o = {.uuid = sv.uuid, .reason = "seq_conflict", .hub_signed = 1};
    assert_int_equal(store_apply_outcomes(st, &o, 1, NULL), KIOSK_OK);
    assert_int_equal(store_save(st, &sub, &sv), KIOSK_OK); /* and one pending */
    store_close(st);
    open_desk();
    type("mk", "482915");
    desk_tap(&d, "mk_ok", kiosk_clock_mono_ms(&clk.clock));
    wait_login(s);
    desk_tap(&d, "m_export", kiosk_clock_mono_ms(&clk.clock));
    settle(s, 800);
    assert_string_equal(d.note_key, "screen.m_exported_refused");
    assert_string_equal(d.note_arg, "2");
    assert_false(d.note_bad);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c -- '-refused.kb$' | grep -qx 1", usb);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(test_state_records(dir, "DEMO01", STORE_REJECTED), 1);
    session_destroy(s);
    cfg.export_dir[0] = '\0';
}

/* ---- 软件更新 from a stick, with RAUC as a test double ---- */

static int rauc_installs, rauc_reboots;

/* The double reads a bundle's "version" from its bytes; "bad" has a wrong signature. */
static kiosk_rc fake_info(void *ctx, const char *bundle, char *version, char *detail, size_t dn)
{
    (void)ctx;
    char buf[16] = "";
    FILE *f = fopen(bundle, "r");
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            buf[0] = '\0';
        fclose(f);
    }
    if (!update_version_ok(buf) || !strcmp(buf, "bad")) {
        snprintf(detail, dn, "bad_signature");
        return KIOSK_CRYPTO;
    }
    snprintf(version, UPDATE_VERSION_MAX, "%s", buf);
    return KIOSK_OK;
}

/* As RAUC's pre-install handler: a version older than the running 1.0 is refused. */
static kiosk_rc fake_install(void *ctx, const char *bundle, _Atomic int *progress, char *detail,
                             size_t dn)
{
    char v[UPDATE_VERSION_MAX], why[48];
    if (fake_info(ctx, bundle, v, why, sizeof why) != KIOSK_OK ||
        update_version_cmp(v, "1.0") < 0) {
        snprintf(detail, dn, "older_version");
        return KIOSK_RANGE;
    }
    if (progress)
        atomic_store(progress, 100);
    rauc_installs++;
    return KIOSK_OK;
}

static kiosk_rc fake_reboot(void *ctx)
{
    (void)ctx;
    rauc_reboots++;
    return KIOSK_OK;
}

static void put_file(const char *dir_, const char *name, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir_, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Hall staff do not get 软件更新; a technician sees the stick's bundles with their
 * signatures, an older one refused, a good one installed, the restart asked for — each
 * audited with the technician's name. */
static void test_update_from_the_stick(void **state)
{
    (void)state;
    session *s = start("update");
    rauc_installs = rauc_reboots = 0;
    update_rauc fake = {fake_info, fake_install, NULL, fake_reboot, NULL};
    app_io_set_update_rauc(session_io(s), &fake);
    char usb[220], cmd[300];
    snprintf(usb, sizeof usb, "%s/usb", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", usb);
    assert_int_equal(system(cmd), 0);
    put_file(usb, "kiosk-0.9-amd64.raucb", "0.9");
    put_file(usb, "kiosk-2.0-amd64.raucb", "2.0");
    put_file(usb, "kiosk-2.1-amd64.raucb", "bad");
    put_file(usb, "notes.txt", "not a bundle");
    snprintf(cfg.export_dir, sizeof cfg.export_dir, "%s", usb);
    /* hall staff: the action is not theirs */
    open_desk();
    type("mk", "482915");
    desk_tap(&d, "mk_ok", kiosk_clock_mono_ms(&clk.clock));
    wait_login(s);
    desk_tap(&d, "m_update", kiosk_clock_mono_ms(&clk.clock));
    assert_int_equal(d.screen, DESK_HOME);
    desk_tap(&d, "m_logout", kiosk_clock_mono_ms(&clk.clock));
    /* a technician */
    open_desk();
    type("mk", "730146");
    desk_tap(&d, "mk_ok", kiosk_clock_mono_ms(&clk.clock));
    wait_login(s);
    desk_tap(&d, "m_update", kiosk_clock_mono_ms(&clk.clock));
    assert_int_equal(d.screen, DESK_UPDATE);
    settle(s, 500);
    assert_string_equal(d.note_key, "screen.m_update_choose");
    assert_int_equal(d.nbundles, 3);
    assert_string_equal(d.bundles[0].name, "kiosk-0.9-amd64.raucb");
    assert_true(d.bundles[1].valid);
    assert_string_equal(d.bundles[1].version, "2.0");
    assert_false(d.bundles[2].valid);
    /* the wrongly signed one cannot be installed */
    desk_tap(&d, "m_upd2", kiosk_clock_mono_ms(&clk.clock));
    desk_tap(&d, "m_do_update", kiosk_clock_mono_ms(&clk.clock));
    assert_false(d.update_busy);
    /* an older one is refused and said so */
    desk_tap(&d, "m_upd0", kiosk_clock_mono_ms(&clk.clock));
    desk_tap(&d, "m_do_update", kiosk_clock_mono_ms(&clk.clock));
    assert_string_equal(d.note_key, "screen.m_update_installing");
    settle(s, 500);
    assert_string_equal(d.note_key, "screen.m_update_older");
    assert_true(d.note_bad);
    assert_false(d.update_installed);
    /* the good one: installed, then the restart */
    desk_tap(&d, "m_upd1", kiosk_clock_mono_ms(&clk.clock));
    desk_tap(&d, "m_do_update", kiosk_clock_mono_ms(&clk.clock));
    assert_true(d.update_installing);
    assert_int_equal(d.update_percent, -1);
    settle(s, 500);
    assert_false(d.update_installing); /* done: no percentage shown any more */
    assert_int_equal(app_io_update_progress(session_io(s)), 100);
    assert_string_equal(d.note_key, "screen.m_update_done");
    assert_string_equal(d.note_arg, "2.0");
    assert_true(d.update_installed);
    assert_int_equal(rauc_installs, 1);
    desk_tap(&d, "m_update_reboot", kiosk_clock_mono_ms(&clk.clock));
    settle(s, 300);
    assert_int_equal(rauc_reboots, 1);
    session_destroy(s);
    update_status us;
    assert_int_equal(update_status_read(dir, &us), KIOSK_OK);
    assert_string_equal(us.result, "installed");
    assert_string_equal(us.version, "2.0");
    assert_int_equal(audited("update.menu"), 1);
    assert_int_equal(audited("update.usb"), 2);
    assert_int_equal(audited("update refused"), 1);
    assert_int_equal(audited("update installed"), 1);
    assert_int_equal(audited("update.reboot"), 1);
    cfg.export_dir[0] = '\0';
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_and_out_of_service),
        cmocka_unit_test(test_technician_reprint_purge_restart_and_idle_lock),
        cmocka_unit_test(test_import_acks_from_the_stick),
        cmocka_unit_test(test_export_takes_refused_records),
        cmocka_unit_test(test_update_from_the_stick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
