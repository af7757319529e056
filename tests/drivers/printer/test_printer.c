/* Tests of the printer backends: the simulated printer decodes jobs back to paper and
 * injects faults; the serial backend talks to a peer on a pseudo-terminal that answers
 * status queries like a real printer; the file backend appends jobs. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_decodes_job),
        cmocka_unit_test(test_sim_faults),
        cmocka_unit_test(test_serial_healthy_printer),
        cmocka_unit_test(test_serial_paper_out),
        cmocka_unit_test(test_serial_printer_that_never_answers_still_prints),
        cmocka_unit_test(test_file_backend_and_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
