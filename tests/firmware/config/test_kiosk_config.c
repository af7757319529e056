/* Tests of configuration parsing: defaults, every kind of value, errors with their line
 * numbers, and the shipped example file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/kiosk_config.h"

static kiosk_config cfg;
static kiosk_config_error err;

static int setup(void **state)
{
    (void)state;
    kiosk_config_defaults(&cfg, "/a", "/f");
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(cfg.mode, KIOSK_MODE_HALL);
    assert_int_equal(cfg.reader_backend, KIOSK_READER_SIMULATED);
    assert_int_equal(cfg.printer_backend, KIOSK_PRINTER_FILE);
    assert_int_equal(cfg.printer_width_dots, 576);
    assert_int_equal(cfg.processing_days, 7);
    assert_string_equal(cfg.sync_url, "");
    assert_int_equal(cfg.sync_batch, 200);
    assert_int_equal(cfg.sync_retry_max_s, 300);
    assert_string_equal(cfg.assets_dir, "/a");
    assert_string_equal(cfg.division, "370102"); /* the demo hall's 历下区 */
    assert_int_equal(cfg.voice_enabled, 1);
    assert_int_equal(cfg.voice_volume, 80);
    assert_string_equal(cfg.voice_prompts_dir, "");
    int w, h;
    kiosk_config_screen_size(&cfg, &w, &h);
    assert_int_equal(w, 1080);
    assert_int_equal(h, 1920);
}

/* The one font stack the screen and the receipt use: the Noto subsets first, the rare
 * name font last, every file shipped in fonts/. */
static void test_font_stack(void **state)
{
    (void)state;
    kiosk_config_fonts fonts;
    kiosk_config_font_paths(&cfg, &fonts);
    assert_int_equal(fonts.n, 3);
    assert_string_equal(fonts.list[0], "/f/NotoSansCJKsc-Kiosk.otf");
    assert_string_equal(fonts.list[1], "/f/NotoSansCJKsc-Kiosk-Ext.otf");
    assert_string_equal(fonts.list[2], "/f/KioskRareHan.ttf");
    kiosk_config_defaults(&cfg, "/a", KIOSK_TEST_FONTS);
    kiosk_config_font_paths(&cfg, &fonts);
    for (size_t i = 0; i < fonts.n; i++) {
        assert_ptr_equal(fonts.list[i], fonts.path[i]);
        assert_int_equal(access(fonts.list[i], R_OK), 0);
    }
}

static void test_full_file(void **state)
{
    (void)state;
    const char *text = "; a comment\n"
                       "[device]\n"
                       "mode = portable\n"
                       "hall_code = 370102\n"
                       "hall_name = 历下区公共就业服务中心\n"
                       "division = 370103\n"
                       "[display]\n"
                       "fullscreen = yes\n"
                       "rotation = 270\n"
                       "dpi = 220\n"
                       "language = en\n"
                       "[reader]\n"
                       "backend = libnfc\n"
                       "connstring = pn532_uart:/dev/ttyS1:115200\n"
                       "[printer]\n"
                       "backend = usb\n"
                       "width_dots = 384\n"
                       "[policy]\n"
                       "processing_days = 3\n"
                       "[sync]\n"
                       "url = https://hub.example.gov.cn:8443\n"
                       "ca_file = /etc/kiosk/hub-ca.pem\n"
                       "batch = 50\n"
                       "retry_max_s = 600\n"
                       "[log]\n"
                       "level = debug\n"
                       "[input]\n"
                       "handwriting_model = /opt/zinnia/zh.model\n";
    assert_string_equal(cfg.handwriting_model, /* the default, until read */
                        "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model");
    assert_int_equal(kiosk_config_load_string(&cfg, text, &err), KIOSK_OK);
    assert_string_equal(cfg.handwriting_model, "/opt/zinnia/zh.model");
    assert_int_equal(cfg.mode, KIOSK_MODE_PORTABLE);
    assert_string_equal(cfg.hall_name, "历下区公共就业服务中心");
    assert_string_equal(cfg.division, "370103");
    assert_true(cfg.fullscreen);
    assert_int_equal(cfg.rotation_quarters, 3);
    assert_int_equal(cfg.dpi, 220);
    assert_string_equal(cfg.language, "en");
    assert_int_equal(cfg.reader_backend, KIOSK_READER_LIBNFC);
    assert_string_equal(cfg.reader_connstring, "pn532_uart:/dev/ttyS1:115200");
    assert_int_equal(cfg.printer_backend, KIOSK_PRINTER_USB);
    assert_int_equal(cfg.printer_width_dots, 384);
    assert_int_equal(cfg.processing_days, 3);
    assert_int_equal(cfg.log_level, KIOSK_LOG_DEBUG);
    assert_string_equal(cfg.sync_url, "https://hub.example.gov.cn:8443");
    assert_string_equal(cfg.sync_ca_file, "/etc/kiosk/hub-ca.pem");
    assert_int_equal(cfg.sync_batch, 50);
    assert_int_equal(cfg.sync_retry_max_s, 600);
    int w, h;
    kiosk_config_screen_size(&cfg, &w, &h);
    assert_int_equal(w, 1280);
    assert_int_equal(h, 800);
}

static void expect_error(const char *text, int line, const char *fragment)
{
    kiosk_config_defaults(&cfg, "/a", "/f");
    assert_int_equal(kiosk_config_load_string(&cfg, text, &err), KIOSK_CONFIG);
    assert_int_equal(err.line, line);
    if (!strstr(err.message, fragment))
        fail_msg("message '%s' lacks '%s'", err.message, fragment);
}

static void test_errors_name_their_line(void **state)
{
    (void)state;
    expect_error("[device]\nmode = hal\n", 2, "device.mode");
    expect_error("[device]\n\n\nflavour = mint\n", 4, "not a known setting");
    expect_error("[display]\ndpi = 12x\n", 2, "whole number");
    expect_error("[display]\ndpi = 20\n", 2, "between 50 and 1000");
    expect_error("[display]\nfullscreen = maybe\n", 2, "true or false");
    expect_error("[display]\nlanguage = fr\n", 2, "display.language");
    expect_error("[display]\nlanguage = zh_TW\n", 2, "display.language");
    /* a hall for Traditional readers may start in zh_Hant */
    kiosk_config_defaults(&cfg, "/a", "/f");
    assert_int_equal(kiosk_config_load_string(&cfg, "[display]\nlanguage = zh_Hant\n", &err),
                     KIOSK_OK);
    assert_string_equal(cfg.language, "zh_Hant");
    expect_error("[display]\nrotation = 45\n", 2, "display.rotation");
    expect_error("[printer]\nwidth_dots = 500000000000000000000\n", 2, "whole number");
    expect_error("mode = hall\n", 1, "(no section)");
    expect_error("[sync]\nbatch = 0\n", 2, "between 1 and 5000");
    expect_error("[device]\nhall_code = demo01\n", 2, "0-9, A-Z");
    expect_error("[device]\ndivision = 37010\n", 2, "2, 4, 6, 9 or 12 digits");
    expect_error("[device]\ndivision = 37010X\n", 2, "2, 4, 6, 9 or 12 digits");
    /* a syntax error before a value error: the first bad line wins, with its own text */
    expect_error("[device]\nthis line is junk\nmode = nope\n", 2, "not a [section]");
    /* a value error before a syntax error */
    expect_error("[device]\nmode = nope\njunk\n", 2, "device.mode");
}

/* Issue 14: a setting given twice and a junk sync URL are refused with their line. */
static void test_duplicates_and_bad_urls_refused(void **state)
{
    (void)state;
    expect_error("[display]\ndpi = 120\n\ndpi = 160\n", 4, "set twice (first on line 2)");
    expect_error("[sync]\nurl = https://hub:8443\n[device]\nmode = hall\n[sync]\n"
                 "url = https://other\n",
                 6, "sync.url is set twice");
    expect_error("[sync]\nurl = junk\n", 2, "sync.url must start with a scheme");
    expect_error("[sync]\nurl = https//hub.example\n", 2, "scheme");
    expect_error("[sync]\nurl = https://\n", 2, "no host");
    expect_error("[sync]\nurl = https://hub:0\n", 2, "port");
    expect_error("[sync]\nurl = https://hub:99999/v1\n", 2, "port");
    expect_error("[sync]\nurl = https://hub:84x3\n", 2, "junk after the host");
    expect_error("[sync]\nurl = https://hub.example/a b\n", 2, "path");
    expect_error("[sync]\nurl = https://[fe80::1/x\n", 2, "IPv6");
    static const char *const good[] = {
        "https://hub.example.gov.cn:8443",
        "http://127.0.0.1:8080/",
        "https://hub/kiosk/v1",
        "https://[::1]:8443",
        "HTTPS://HUB-1.example",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char text[200];
        snprintf(text, sizeof text, "[sync]\nallow_plain_http_loopback = true\nurl = %s\n",
                 good[i]);
        kiosk_config_defaults(&cfg, "/a", "/f");
        if (kiosk_config_load_string(&cfg, text, &err) != KIOSK_OK)
            fail_msg("%s refused: line %d: %s", good[i], err.line, err.message);
        assert_string_equal(cfg.sync_url, good[i]);
    }
    /* an empty url keeps network sync off */
    kiosk_config_defaults(&cfg, "/a", "/f");
    assert_int_equal(kiosk_config_load_string(&cfg, "[sync]\nurl =\n", &err), KIOSK_OK);
    assert_string_equal(cfg.sync_url, "");
}

static void test_too_long_value(void **state)
{
    (void)state;
    char text[600];
    snprintf(text, sizeof text, "[device]\nhall_code = %0100d\n", 7);
    expect_error(text, 2, "too long");
}

static void test_overlong_line_is_named(void **state)
{
    (void)state;
    char text[600], path[300];
    memset(path, 'p', sizeof path);
    path[250] = '\0';
    snprintf(text, sizeof text, "[device]\nmode = hall\n[paths]\nstate_dir = /%s\n", path);
    expect_error(text, 4, "longer than 199 bytes");
    /* the same from a file */
    const char *file = KIOSK_TEST_TMP "/long.conf";
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(kiosk_config_load(&cfg, file, &err), KIOSK_CONFIG);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "longer than 199 bytes"));
}

static void test_default_path(void **state)
{
    (void)state;
    setenv("KIOSK_CONFIG", "/tmp/some.conf", 1);
    assert_string_equal(kiosk_config_default_path(), "/tmp/some.conf");
    setenv("KIOSK_CONFIG", "", 1); /* set but empty: the embedded defaults */
    assert_null(kiosk_config_default_path());
    unsetenv("KIOSK_CONFIG"); /* the device's file, when there is one */
    const char *p = kiosk_config_default_path();
    if (access(KIOSK_CONFIG_SYSTEM_PATH, F_OK) == 0)
        assert_string_equal(p, KIOSK_CONFIG_SYSTEM_PATH);
    else
        assert_null(p);
    setenv("KIOSK_CONFIG", "", 1);
}

static void test_missing_file(void **state)
{
    (void)state;
    assert_int_equal(kiosk_config_load(&cfg, "/nonexistent/kiosk.conf", &err), KIOSK_NOT_FOUND);
    assert_int_equal(err.line, 0);
}

static void test_shipped_example_parses(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/../toolchain/kiosk.conf.in", KIOSK_TEST_FONTS);
    kiosk_rc rc = kiosk_config_load(&cfg, path, &err);
    if (rc != KIOSK_OK)
        fail_msg("line %d: %s", err.line, err.message);
    assert_string_equal(cfg.state_dir, "/var/lib/kiosk");
}

/* [update]: defaults, a reboot hour of -1 (when idle) or 0-23, the rest in range. */
static void test_update_settings(void **state)
{
    (void)state;
    assert_int_equal(cfg.update_enabled, 1);
    assert_int_equal(cfg.update_reboot_hour, -1);
    assert_int_equal(cfg.update_idle_min_s, 300);
    assert_string_equal(cfg.update_keyring, "/etc/rauc/keyring.pem");
    assert_int_equal(kiosk_config_load_string(&cfg,
                                              "[update]\nenabled = false\nreboot_hour = 3\n"
                                              "idle_min_s = 600\nmargin_mb = 512\n",
                                              &err),
                     KIOSK_OK);
    assert_int_equal(cfg.update_enabled, 0);
    assert_int_equal(cfg.update_reboot_hour, 3);
    assert_int_equal(cfg.update_idle_min_s, 600);
    assert_int_equal(cfg.update_margin_mb, 512);
    assert_int_equal(kiosk_config_load_string(&cfg, "[update]\nreboot_hour = 24\n", &err),
                     KIOSK_CONFIG);
    assert_int_equal(err.line, 2);
    assert_int_equal(kiosk_config_load_string(&cfg, "[update]\nidle_min_s = 0\n", &err),
                     KIOSK_CONFIG);
}

/* [voice]: on or off by default, a volume of 0-100, where the prompts are. */
static void test_voice_settings(void **state)
{
    (void)state;
    assert_int_equal(kiosk_config_load_string(&cfg,
                                              "[voice]\nenabled = false\nvolume = 35\n"
                                              "prompts_dir = /usr/share/kiosk/prompts\n",
                                              &err),
                     KIOSK_OK);
    assert_int_equal(cfg.voice_enabled, 0);
    assert_int_equal(cfg.voice_volume, 35);
    assert_string_equal(cfg.voice_prompts_dir, "/usr/share/kiosk/prompts");
    assert_int_equal(kiosk_config_load_string(&cfg, "[voice]\n\nvolume = 101\n", &err),
                     KIOSK_CONFIG);
    assert_int_equal(err.line, 3);
    assert_int_equal(kiosk_config_load_string(&cfg, "[voice]\nenabled = loud\n", &err),
                     KIOSK_CONFIG);
}

/* A contact reader through pcscd, named by (the start of) its PC/SC name. */
static void test_pcsc_reader(void **state)
{
    (void)state;
    assert_int_equal(
        kiosk_config_load_string(&cfg, "[reader]\nbackend = pcsc\nconnstring = ACS ACR39U\n", &err),
        KIOSK_OK);
    assert_int_equal(cfg.reader_backend, KIOSK_READER_PCSC);
    assert_string_equal(cfg.reader_connstring, "ACS ACR39U");
    assert_int_equal(kiosk_config_load_string(&cfg, "[reader]\nbackend = pcsc2\n", &err),
                     KIOSK_CONFIG);
}

/* The receipt's check page: https, ending in '/', short enough for a 58 mm code; unset by
 * default (the QR holds the bare payload). */
static void test_receipt_verify_url(void **state)
{
    (void)state;
    assert_string_equal(cfg.receipt_verify_url, "");
    assert_int_equal(kiosk_config_load_string(
                         &cfg, "[receipt]\nverify_url = https://hub.example.gov.cn/r/\n", &err),
                     KIOSK_OK);
    assert_string_equal(cfg.receipt_verify_url, "https://hub.example.gov.cn/r/");
    static const char *const refused[] = {
        "[receipt]\nverify_url = http://hub.example.gov.cn/r/\n",
        "[receipt]\nverify_url = https://hub.example.gov.cn/r\n",
        "[receipt]\nverify_url = https:///r/\n",
        "[receipt]\nverify_url = https://hub.example.gov.cn/a b/\n",
        "[receipt]\nverify_url = https://hub.example.gov.cn/"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/\n",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(kiosk_config_load_string(&cfg, refused[i], &err), KIOSK_CONFIG);
        assert_int_equal(err.line, 2);
    }
}

/* The hub is reached over TLS only: a plain URL stops the kiosk at start, with the
 * url's line; the development setting allows plain HTTP to the loopback address only. */
static void test_sync_url_must_be_https(void **state)
{
    (void)state;
    kiosk_config_defaults(&cfg, "a", "f");
    assert_int_equal(
        kiosk_config_load_string(&cfg, "[sync]\n\nurl = http://hub.example:8080\n", &err),
        KIOSK_CONFIG);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.message, "must be https://"));
    kiosk_config_defaults(&cfg, "a", "f");
    assert_int_equal(kiosk_config_load_string(&cfg, "[sync]\nurl = http://127.0.0.1:8080\n", &err),
                     KIOSK_CONFIG);
    kiosk_config_defaults(&cfg, "a", "f");
    assert_int_equal(kiosk_config_load_string(&cfg,
                                              "[sync]\nurl = http://127.0.0.1:8080\n"
                                              "allow_plain_http_loopback = true\n",
                                              &err),
                     KIOSK_OK);
    kiosk_config_defaults(&cfg, "a", "f");
    assert_int_equal(kiosk_config_load_string(&cfg,
                                              "[sync]\nallow_plain_http_loopback = yes\n"
                                              "url = http://10.1.2.3:8080\n",
                                              &err),
                     KIOSK_CONFIG);
    assert_int_equal(err.line, 3);
    static const char *const ok[] = {"https://hub.example.gov.cn:8443", "https://10.0.0.1"};
    static const char *const plain_ok[] = {"http://127.0.0.1", "http://127.0.0.1:80/",
                                           "http://[::1]:8080", "HTTP://127.0.0.1"};
    static const char *const never[] = {"http://127.0.0.1.evil.example", "http://localhost",
                                        "https://", "ftp://127.0.0.1", "http://127.0.0.12"};
    for (size_t i = 0; i < 2; i++)
        assert_true(kiosk_config_sync_url_ok(ok[i], 0));
    for (size_t i = 0; i < sizeof plain_ok / sizeof plain_ok[0]; i++) {
        assert_false(kiosk_config_sync_url_ok(plain_ok[i], 0));
        assert_true(kiosk_config_sync_url_ok(plain_ok[i], 1));
    }
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        assert_false(kiosk_config_sync_url_ok(never[i], 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pcsc_reader, setup),
        cmocka_unit_test_setup(test_receipt_verify_url, setup),
        cmocka_unit_test_setup(test_voice_settings, setup),
        cmocka_unit_test_setup(test_update_settings, setup),
        cmocka_unit_test_setup(test_defaults, setup),
        cmocka_unit_test_setup(test_font_stack, setup),
        cmocka_unit_test_setup(test_full_file, setup),
        cmocka_unit_test_setup(test_errors_name_their_line, setup),
        cmocka_unit_test_setup(test_duplicates_and_bad_urls_refused, setup),
        cmocka_unit_test_setup(test_too_long_value, setup),
        cmocka_unit_test_setup(test_overlong_line_is_named, setup),
        cmocka_unit_test_setup(test_default_path, setup),
        cmocka_unit_test_setup(test_missing_file, setup),
        cmocka_unit_test_setup(test_shipped_example_parses, setup),
        cmocka_unit_test_setup(test_sync_url_must_be_https, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
