/* Tests of the printer backends: the simulated printer decodes jobs back to paper and
 * injects faults; the serial backend talks to a peer on a pseudo-terminal that answers
 * status queries like a real printer; the file backend appends jobs; the image printer
 * keeps each page as a PNG named by the job's title. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>

#include "core/kiosk_buf.h"
#include "printer/escpos.h"
#include "printer/printer.h"
#include "printer/printer_sim.h"
#include "printer_peer.h"

/* A 64×20 test image: a diagonal line. */
static void make_image(uint8_t bits[8 * 20])
{
    memset(bits, 0, 8 * 20);
    for (int y = 0; y < 20; y++)
        bits[y * 8 + y / 8] |= (uint8_t)(0x80 >> (y % 8));
}

static void make_job(kiosk_buf *b, const uint8_t *bits)
{
    kiosk_buf_init(b, 4096, 0);
    assert_int_equal(escpos_init(b), KIOSK_OK);
    assert_int_equal(escpos_raster(b, bits, 8, 20, 7), KIOSK_OK);
    assert_int_equal(escpos_feed_lines(b, 2), KIOSK_OK);
    assert_int_equal(escpos_cut(b), KIOSK_OK);
}

static void test_sim_decodes_job(void **state)
{
    (void)state;
    uint8_t bits[8 * 20];
    make_image(bits);
    kiosk_buf job;
    make_job(&job, bits);
    printer *p;
    assert_int_equal(printer_sim_create(64, NULL, &p), KIOSK_OK);
    /* deliver in awkward pieces: commands split across writes */
    for (size_t i = 0; i < job.len; i += 5) {
        size_t n = job.len - i < 5 ? job.len - i : 5;
        assert_int_equal(p->ops->write(p, job.data + i, n), KIOSK_OK);
    }
    int rows;
    const uint8_t *paper = printer_sim_paper(p, &rows);
    assert_int_equal(rows, 20 + 2 * 30);
    assert_memory_equal(paper, bits, sizeof bits);
    assert_int_equal(printer_sim_cuts(p), 1);
    assert_int_equal(printer_sim_errors(p), 0);
    /* junk is noticed */
    const uint8_t junk[] = {0x1B, 0x7F};
    p->ops->write(p, junk, sizeof junk);
    assert_true(printer_sim_errors(p) > 0);
    printer_close(p);
    kiosk_buf_deinit(&job);
}

static void test_sim_faults(void **state)
{
    (void)state;
    uint8_t bits[8 * 20];
    make_image(bits);
    kiosk_buf job;
    make_job(&job, bits);
    printer *p;
    printer_sim_faults f = {.paper_out_after = 50};
    assert_int_equal(printer_sim_create(64, &f, &p), KIOSK_OK);
    /* paper runs out mid-job */
    assert_int_equal(printer_print(p, job.data, job.len), KIOSK_PAPER_OUT);
    escpos_status st;
    assert_int_equal(p->ops->status(p, &st), KIOSK_OK);
    assert_true(st.paper_out);
    /* the next job is refused before a byte is sent */
    assert_int_equal(printer_print(p, job.data, job.len), KIOSK_PAPER_OUT);
    /* staff reload paper */
    f.paper_out_after = -1;
    printer_sim_set_faults(p, &f);
    assert_int_equal(printer_print(p, job.data, job.len), KIOSK_OK);
    f.cover_open = 1;
    printer_sim_set_faults(p, &f);
    assert_int_equal(printer_print(p, job.data, job.len), KIOSK_PRINTER);
    f.cover_open = 0;
    f.garbage_status = 1;
    printer_sim_set_faults(p, &f);
    assert_int_equal(printer_print(p, job.data, job.len), KIOSK_CORRUPT);
    printer_close(p);
    kiosk_buf_deinit(&job);
}

static void serial_case(const uint8_t replies[5], kiosk_rc expect, int expect_job)
{
    static printer_peer pe;
    assert_int_equal(printer_peer_start(&pe, replies), 0);
    printer *p;
    assert_int_equal(printer_open_serial(pe.name, 115200, &p), KIOSK_OK);
    const uint8_t job[] = {0x1B, 0x40, 0x1B, 0x64, 0x01, 0x1D, 0x56, 0x42, 0x00};
    assert_int_equal(printer_print(p, job, sizeof job), expect);
    usleep(100 * 1000);
    printer_close(p);
    printer_peer_stop(&pe);
    /* the peer saw the three status queries, then the job (or not) */
    const uint8_t queries[] = {0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04};
    if (expect_job) {
        assert_int_equal(pe.got_len, sizeof queries + sizeof job);
        assert_memory_equal(pe.got, queries, sizeof queries);
        assert_memory_equal(pe.got + sizeof queries, job, sizeof job);
    } else {
        assert_true(pe.got_len <= sizeof queries);
    }
}

static void test_serial_healthy_printer(void **state)
{
    (void)state;
    const uint8_t r[5] = {0, 0x12, 0x12, 0x12, 0x12};
    serial_case(r, KIOSK_OK, 1);
}

static void test_serial_paper_out(void **state)
{
    (void)state;
    const uint8_t r[5] = {0, 0x1A, 0x32, 0x12, 0x7E};
    serial_case(r, KIOSK_PAPER_OUT, 0);
}

static void test_serial_printer_that_never_answers_still_prints(void **state)
{
    (void)state;
    /* one-way printers ignore DLE EOT: the job goes out after the status timeout */
    const uint8_t r[5] = {0, 0, 0, 0, 0};
    int master, slave;
    char name[128];
    assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
    printer *p;
    assert_int_equal(printer_open_usb(name, &p), KIOSK_OK);
    const uint8_t job[] = {0x1B, 0x40};
    assert_int_equal(printer_print(p, job, sizeof job), KIOSK_OK);
    uint8_t buf[16];
    ssize_t n = read(master, buf, sizeof buf);
    assert_true(n >= 3);
    (void)r;
    printer_close(p);
    close(slave);
    close(master);
}

static void test_file_backend_and_open_errors(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/printer-file.bin", KIOSK_TEST_TMP);
    unlink(path);
    printer *p;
    assert_int_equal(printer_open_file(path, &p), KIOSK_OK);
    const uint8_t job[] = {0x1B, 0x40, 0x0A};
    assert_int_equal(printer_print(p, job, sizeof job), KIOSK_OK);
    assert_int_equal(printer_print(p, job, sizeof job), KIOSK_OK);
    printer_close(p);
    struct stat stt;
    assert_int_equal(stat(path, &stt), 0);
    assert_int_equal(stt.st_size, 6);
    assert_int_equal(stt.st_mode & 0777, 0600);

    p = (printer *)1;
    assert_int_equal(printer_open_usb("/dev/usb/lp-does-not-exist", &p), KIOSK_NOT_FOUND);
    assert_null(p);
    assert_int_equal(printer_open_serial("/dev/null", 12345, &p), KIOSK_INVALID);
    assert_null(p);
}

/* Read a 1-bit gray PNG back: rows of width/8 bytes, 1 = black. *bits is malloc'd. */
static void read_png(const char *path, uint8_t **bits, int *width, int *rows)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    assert_false(setjmp(png_jmpbuf(png)));
    png_init_io(png, f);
    png_read_info(png, info);
    *width = (int)png_get_image_width(png, info);
    *rows = (int)png_get_image_height(png, info);
    assert_int_equal(png_get_bit_depth(png, info), 1);
    png_set_invert_mono(png);
    size_t wb = (size_t)*width / 8;
    *bits = malloc(wb * (size_t)*rows);
    for (int r = 0; r < *rows; r++)
        png_read_row(png, *bits + (size_t)r * wb, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
}

/* The image printer takes the same job as a real one; each page, up to the cut, is a PNG
 * named by the title, which cannot name a file outside the folder. */
static void test_image_printer(void **state)
{
    (void)state;
    char dir[256], cmd[400], path[400];
    snprintf(dir, sizeof dir, "%s/images-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    printer *p;
    assert_int_equal(printer_open_images(dir, 63, &p), KIOSK_INVALID);
    assert_int_equal(printer_open_images(dir, 64, &p), KIOSK_OK);
    uint8_t bits[8 * 20];
    make_image(bits);
    kiosk_buf b;
    make_job(&b, bits);
    printer_set_title(p, "DEMO01-20261204-0001");
    assert_int_equal(printer_print(p, b.data, b.len), KIOSK_OK);
    snprintf(path, sizeof path, "%s/DEMO01-20261204-0001.png", dir);
    uint8_t *page;
    int w, rows;
    read_png(path, &page, &w, &rows);
    assert_int_equal(w, 64);
    assert_int_equal(rows, 20 + 2 * 30); /* the image, then two fed lines */
    assert_memory_equal(page, bits, sizeof bits);
    for (size_t i = sizeof bits; i < (size_t)rows * 8; i++)
        assert_int_equal(page[i], 0);
    free(page);
    /* the next page starts on fresh paper; a title that climbs out is not used */
    printer_set_title(p, "../escape");
    assert_int_equal(printer_print(p, b.data, b.len), KIOSK_OK);
    snprintf(path, sizeof path, "%s/page-2.png", dir);
    read_png(path, &page, &w, &rows);
    assert_int_equal(rows, 20 + 2 * 30);
    free(page);
    snprintf(cmd, sizeof cmd, "test ! -e '%s/../escape.png'", dir);
    assert_int_equal(system(cmd), 0);
    /* bytes that are no ESC/POS are a printer fault, never a page */
    const uint8_t junk[] = {0x1D, 0x76, 0x31, 0x00, 0x01, 0x00, 0x01, 0x00, 0xFF};
    assert_int_equal(printer_print(p, junk, sizeof junk), KIOSK_PRINTER);
    /* and the printer goes on with the next job */
    printer_set_title(p, "after");
    assert_int_equal(printer_print(p, b.data, b.len), KIOSK_OK);
    snprintf(path, sizeof path, "%s/after.png", dir);
    read_png(path, &page, &w, &rows);
    assert_memory_equal(page, bits, sizeof bits);
    free(page);
    kiosk_buf_deinit(&b);
    printer_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_decodes_job),
        cmocka_unit_test(test_sim_faults),
        cmocka_unit_test(test_serial_healthy_printer),
        cmocka_unit_test(test_serial_paper_out),
        cmocka_unit_test(test_serial_printer_that_never_answers_still_prints),
        cmocka_unit_test(test_file_backend_and_open_errors),
        cmocka_unit_test(test_image_printer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
