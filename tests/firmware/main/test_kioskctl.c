/* Tests of `kioskctl verify` as staff run it: on a receipt image and on payload text,
 * with the right key, an altered payload and another device's key; the exit codes are
 * the contract scripts rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "receipt/receipt.h"
#include "receipt/receipt_payload.h"

static char payload[RECEIPT_PAYLOAD_MAX];
static char key_path[512], other_key_path[512], png_path[512];

static void write_hex_key(const char *path, const uint8_t pk[32])
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 32; i++)
        fprintf(f, "%02x", pk[i]);
    fputc('\n', f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    uint8_t pk[32], sk[64], pk2[32], sk2[64], hash[32] = {9};
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    snprintf(key_path, sizeof key_path, "%s/ctl-device.pub", KIOSK_TEST_TMP);
    snprintf(other_key_path, sizeof other_key_path, "%s/ctl-other.pub", KIOSK_TEST_TMP);
    snprintf(png_path, sizeof png_path, "%s/ctl-receipt.png", KIOSK_TEST_TMP);
    write_hex_key(key_path, pk);
    write_hex_key(other_key_path, pk2);
    if (receipt_payload_make("DEMO01-20261122-0042", "20261122101500", hash, sk, pk, payload))
        return -1;
    const char *fonts[] = {KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk.otf",
                           KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk-Ext.otf"};
    receipt_fonts *f;
    if (receipt_fonts_load(fonts, 2, &f) != KIOSK_OK)
        return -1;
    receipt_doc d;
    memset(&d, 0, sizeof d);
    d.title = "失业登记回执";
    d.lines[d.nlines++] = (receipt_line){"回执编号", "DEMO01-20261122-0042"};
    d.qr_payload = payload;
    receipt_bitmap bmp;
    kiosk_rc rc = receipt_render(f, &d, 384, &bmp);
    if (rc == KIOSK_OK)
        rc = receipt_bitmap_write_png(&bmp, png_path);
    receipt_bitmap_deinit(&bmp);
    receipt_fonts_destroy(f);
    return rc == KIOSK_OK ? 0 : -1;
}

static int run_ctl(const char *key, const char *what, char *out, size_t outsz)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' verify --key '%s' '%s'", KIOSK_KIOSKCTL, key, what);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, outsz - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_verify_image_and_text(void **state)
{
    (void)state;
    char out[1024];
    assert_int_equal(run_ctl(key_path, png_path, out, sizeof out), 0);
    assert_non_null(strstr(out, "valid: receipt DEMO01-20261122-0042, issued 2026-11-22 10:15"));
    assert_int_equal(run_ctl(key_path, payload, out, sizeof out), 0);
}

static void test_verify_failures(void **state)
{
    (void)state;
    char out[1024], altered[RECEIPT_PAYLOAD_MAX];
    snprintf(altered, sizeof altered, "%s", payload);
    char *no = strstr(altered, "0042");
    no[3] = '3'; /* a different receipt number under the same signature */
    assert_int_equal(run_ctl(key_path, altered, out, sizeof out), 1);
    assert_non_null(strstr(out, "altered"));
    assert_int_equal(run_ctl(other_key_path, payload, out, sizeof out), 2);
    assert_non_null(strstr(out, "unknown device"));
    assert_int_equal(run_ctl(key_path, "HELLO", out, sizeof out), 3);
    char blank[512];
    snprintf(blank, sizeof blank, "%s/ctl-nothing.png", KIOSK_TEST_TMP);
    FILE *f = fopen(blank, "w");
    fclose(f);
    assert_int_equal(run_ctl(key_path, blank, out, sizeof out), 3);
    assert_int_equal(run_ctl("/nonexistent", payload, out, sizeof out), 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_image_and_text),
        cmocka_unit_test(test_verify_failures),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
