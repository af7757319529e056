/* Byte-exact tests of the ESC/POS encoder and the status reply parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/kiosk_buf.h"
#include "printer/escpos.h"

static void expect_bytes(const kiosk_buf *b, const uint8_t *want, size_t n)
{
    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, want, n);
}

static void test_init_feed_cut(void **state)
{
    (void)state;
    kiosk_buf b;
    kiosk_buf_init(&b, 1024, 0);
    assert_int_equal(escpos_init(&b), KIOSK_OK);
    assert_int_equal(escpos_feed_lines(&b, 3), KIOSK_OK);
    assert_int_equal(escpos_cut(&b), KIOSK_OK);
    assert_int_equal(escpos_status_request(&b, ESCPOS_STATUS_PAPER), KIOSK_OK);
    const uint8_t want[] = {0x1B, 0x40, 0x1B, 0x64, 0x03, 0x1D, 0x56, 0x42, 0x00, 0x10, 0x04, 0x04};
    expect_bytes(&b, want, sizeof want);
    assert_int_equal(escpos_feed_lines(&b, 256), KIOSK_INVALID);
    assert_int_equal(escpos_status_request(&b, 5), KIOSK_INVALID);
    kiosk_buf_deinit(&b);
}

static void test_raster_bands(void **state)
{
    (void)state;
    /* 3 rows of 2 bytes, bands of 2 rows: two GS v 0 commands (2 rows, then 1) */
    const uint8_t bits[] = {0x80, 0x01, 0xFF, 0x00, 0x0F, 0xF0};
    kiosk_buf b;
    kiosk_buf_init(&b, 1024, 0);
    assert_int_equal(escpos_raster(&b, bits, 2, 3, 2), KIOSK_OK);
    const uint8_t want[] = {0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0x80, 0x01, 0xFF,
                            0x00, 0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x01, 0x00, 0x0F, 0xF0};
    expect_bytes(&b, want, sizeof want);
    kiosk_buf_deinit(&b);
}

static void test_raster_wide_and_tall_headers(void **state)
{
    (void)state;
    /* 576 dots = 72 bytes; 300 rows in bands of 256: heights 256 (00 01) and 44 (2C 00) */
    static uint8_t bits[72 * 300];
    kiosk_buf b;
    kiosk_buf_init(&b, 64 * 1024, 0);
    assert_int_equal(escpos_raster(&b, bits, 72, 300, 256), KIOSK_OK);
    assert_int_equal(b.len, 2 * 8 + sizeof bits);
    const uint8_t h1[] = {0x1D, 0x76, 0x30, 0x00, 0x48, 0x00, 0x00, 0x01};
    const uint8_t h2[] = {0x1D, 0x76, 0x30, 0x00, 0x48, 0x00, 0x2C, 0x00};
    assert_memory_equal(b.data, h1, 8);
    assert_memory_equal(b.data + 8 + 72 * 256, h2, 8);
    assert_int_equal(escpos_raster(&b, bits, 0, 1, 1), KIOSK_INVALID);
    assert_int_equal(escpos_raster(&b, bits, 72, 1, 0), KIOSK_INVALID);
    kiosk_buf_deinit(&b);
}

static void test_raster_compact(void **state)
{
    (void)state;
    /* 4 bytes wide: an inked row using 2 bytes, 3 blank rows, 2 rows using 3 bytes */
    const uint8_t bits[] = {0x80, 0x01, 0x00, 0x00, 0,    0,    0,    0,    0,    0,    0,    0,
                            0,    0,    0,    0,    0x00, 0x00, 0x10, 0x00, 0xFF, 0x00, 0x00, 0x00};
    kiosk_buf b;
    kiosk_buf_init(&b, 1024, 0);
    assert_int_equal(escpos_raster_compact(&b, bits, 4, 6, 128), KIOSK_OK);
    const uint8_t want[] = {0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x01, 0x00, 0x80,
                            0x01, 0x1B, 0x4A, 0x03, 0x1D, 0x76, 0x30, 0x00, 0x03,
                            0x00, 0x02, 0x00, 0x00, 0x00, 0x10, 0xFF, 0x00, 0x00};
    expect_bytes(&b, want, sizeof want);
    kiosk_buf_deinit(&b);
    /* 300 blank rows: feeds of at most 255 dots */
    static uint8_t blank[4 * 300];
    kiosk_buf_init(&b, 1024, 0);
    assert_int_equal(escpos_raster_compact(&b, blank, 4, 300, 128), KIOSK_OK);
    const uint8_t feeds[] = {0x1B, 0x4A, 0xFF, 0x1B, 0x4A, 0x2D};
    expect_bytes(&b, feeds, sizeof feeds);
    kiosk_buf_deinit(&b);
}

static void test_buffer_cap(void **state)
{
    (void)state;
    static uint8_t bits[72 * 100];
    kiosk_buf b;
    kiosk_buf_init(&b, 1000, 0);
    assert_int_equal(escpos_raster(&b, bits, 72, 100, 10), KIOSK_RANGE);
    assert_true(b.len <= 1000);
    kiosk_buf_deinit(&b);
}

static void test_status_parse(void **state)
{
    (void)state;
    /* an out-of-paper printer: DLE EOT 1 = 0x1A (offline), 2 = 0x32, 4 = 0x7E */
    escpos_status st;
    memset(&st, 0, sizeof st);
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_PRINTER, 0x1A, &st), KIOSK_OK);
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_OFFLINE, 0x32, &st), KIOSK_OK);
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_PAPER, 0x7E, &st), KIOSK_OK);
    assert_true(st.offline && st.paper_out && st.paper_near_end && !st.cover_open);
    assert_int_equal(escpos_status_rc(&st), KIOSK_PAPER_OUT);

    /* a healthy printer with the roll nearly used up */
    memset(&st, 0, sizeof st);
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_PRINTER, 0x12, &st), KIOSK_OK);
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_PAPER, 0x1E, &st), KIOSK_OK);
    assert_true(st.paper_near_end && !st.paper_out && !st.offline);
    assert_int_equal(escpos_status_rc(&st), KIOSK_OK);

    /* cover open; then a cutter error */
    memset(&st, 0, sizeof st);
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_OFFLINE, 0x16, &st), KIOSK_OK);
    assert_true(st.cover_open);
    assert_int_equal(escpos_status_rc(&st), KIOSK_PRINTER);
    memset(&st, 0, sizeof st);
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_ERROR, 0x1A, &st), KIOSK_OK);
    assert_true(st.error);

    /* bytes that are not status replies */
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_PRINTER, 0x00, &st), KIOSK_CORRUPT);
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_PRINTER, 0x13, &st), KIOSK_CORRUPT);
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_PRINTER, 0x92, &st), KIOSK_CORRUPT);
    assert_int_equal(escpos_status_parse(ESCPOS_STATUS_PAPER, 0x02, &st), KIOSK_CORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_feed_cut),
        cmocka_unit_test(test_raster_bands),
        cmocka_unit_test(test_raster_wide_and_tall_headers),
        cmocka_unit_test(test_raster_compact),
        cmocka_unit_test(test_buffer_cap),
        cmocka_unit_test(test_status_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
