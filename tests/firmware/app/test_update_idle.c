/* The idle rule with a real session: the update worker (RAUC as a test double) fetches a
 * bundle from a real hub while a citizen is at the PIN, and installs it only after the
 * session ended and the kiosk stayed idle; the session tells it how long through
 * session_idle_ms, never through the screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/session.h"
#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "test_state.h"
#include "update/update.h"

static atomic_int installs, infos;

static kiosk_rc fake_info(void *ctx, const char *bundle, char *version, char *detail, size_t dn)
{
    (void)ctx;
    (void)bundle;
    (void)detail;
    (void)dn;
    atomic_fetch_add(&infos, 1);
    snprintf(version, UPDATE_VERSION_MAX, "2.0");
    return KIOSK_OK;
}

static kiosk_rc fake_install(void *ctx, const char *bundle, _Atomic int *progress, char *detail,
                             size_t dn)
{
    (void)progress;
    (void)ctx;
    (void)bundle;
    (void)detail;
    (void)dn;
    atomic_fetch_add(&installs, 1);
    return KIOSK_OK;
}

static kiosk_rc fake_reboot(void *ctx)
{
    (void)ctx;
    return KIOSK_OK;
}

static int64_t idle_of(void *ctx)
{
    return session_idle_ms(ctx);
}

static void pump(session *s, int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        session_wait(s, 20);
        session_pump(s);
    }
}

static void wait_step(session *s, flow_step want, int ms)
{
    for (int waited = 0; session_get_view(s)->flow->step != want && waited < ms; waited += 20) {
        session_wait(s, 20);
        session_pump(s);
    }
    assert_int_equal(session_get_view(s)->flow->step, want);
}

static void test_install_waits_for_the_session_to_end(void **st)
{
    (void)st;
    char dir[200], hubdir[400], path[600], url[64];
    snprintf(dir, sizeof dir, "%.150s/update-idle-%d", KIOSK_TEST_TMP, (int)getpid());
    assert_int_equal(test_state_provision(dir, "DEMO01"), KIOSK_OK);
    snprintf(hubdir, sizeof hubdir, "%s/hub", dir);
    mkdir(hubdir, 0700);
    snprintf(path, sizeof path, "%s/kiosk-2.0-%s.raucb", hubdir, update_arch());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 50000; i++)
        fputc(i * 7, f);
    fclose(f);
    store_device_key key;
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    uint8_t hub_pk[32], hub_sk[64];
    crypto_sign_keypair(hub_pk, hub_sk);
    hub_db *hdb;
    snprintf(path, sizeof path, "%s/hub.db", dir);
    assert_int_equal(hub_db_open(path, &hdb), KIOSK_OK);
    assert_int_equal(hub_db_device_add(hdb, key.public_key, "unit", 0), KIOSK_OK);
    hub_server_options opt;
    hub_server_options_init(&opt);
    opt.sign_secret_key = hub_sk;
    opt.plain_http_loopback_test = 1;
    opt.updates_dir = hubdir;
    hub_server *srv;
    assert_int_equal(hub_server_start(hdb, &opt, &srv), KIOSK_OK);
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)hub_server_port(srv));

    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%s", dir);
    snprintf(cfg.printer_output_dir, sizeof cfg.printer_output_dir, "%s/receipts", dir);
    snprintf(cfg.reader_card_profile, sizeof cfg.reader_card_profile, "%s",
             KIOSK_TEST_ASSETS "/cards/demo.ini");
    session_options o = {.with_reader = 1, .with_store = 1};
    session *s;
    assert_int_equal(session_create(&cfg, &o, &s), KIOSK_OK);
    pump(s, 100);
    assert_true(session_idle_ms(s) >= 0);

    /* a citizen puts the card down: the session is open */
    assert_int_equal(session_sim_card(s, true), KIOSK_OK);
    wait_step(s, FLOW_PIN, 3000);
    assert_int_equal(session_idle_ms(s), -1);

    char db[400];
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    update_config uc = {.url = url,
                        .allow_plain_http_loopback = 1,
                        .hub_key = hub_pk,
                        .key = &key,
                        .state_dir = dir,
                        .db_path = db,
                        .hall_code = "DEMO01",
                        .running_version = "1.0",
                        .margin_bytes = 1 << 20,
                        .check_interval_ms = 60000,
                        .idle_min_ms = 500,
                        .reboot_hour = -1};
    update_rauc r = {fake_info, fake_install, NULL, fake_reboot, NULL};
    update_worker *w;
    assert_int_equal(update_worker_create(&uc, &r, idle_of, s, &w), KIOSK_OK);
    for (int i = 0; i < 250 && atomic_load(&infos) == 0; i++)
        pump(s, 20);
    assert_int_equal(atomic_load(&infos), 1); /* fetched and checked meanwhile */
    pump(s, 2000);                            /* the citizen is still at the PIN */
    assert_int_equal(session_get_view(s)->flow->step, FLOW_PIN);
    assert_int_equal(atomic_load(&installs), 0);

    /* the citizen leaves: idle from now, installed once idle long enough */
    session_cancel(s);
    if (session_get_view(s)->flow->step != FLOW_ATTRACT)
        session_cancel_confirm(s);
    wait_step(s, FLOW_ATTRACT, 3000);
    pump(s, 200);
    assert_int_equal(atomic_load(&installs), 0);
    for (int i = 0; i < 250 && atomic_load(&installs) == 0; i++)
        pump(s, 20);
    assert_int_equal(atomic_load(&installs), 1);
    update_worker_destroy(w);
    session_destroy(s);
    hub_server_stop(srv);
    hub_db_close(hdb);
    update_status us;
    assert_int_equal(update_status_read(dir, &us), KIOSK_OK);
    assert_string_equal(us.result, "installed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_install_waits_for_the_session_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
