/* End-to-end tests of the receipt: render with the project's fonts, encode as ESC/POS,
 * print on the simulated printer, decode the QR code off the reconstructed paper with
 * zbar and verify its signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <png.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zbar.h>

#include "config/kiosk_config.h"
#include "core/kiosk_buf.h"
#include "printer/printer_sim.h"
#include "receipt/receipt.h"
#include "receipt/receipt_job.h"
#include "proto/receipt_payload.h"

#ifndef RECEIPT_TEST_FONT1
#define RECEIPT_TEST_FONT1 KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk.otf"
#define RECEIPT_TEST_FONT2 KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk-Ext.otf"
#endif

static receipt_fonts *fonts;
static uint8_t pk[32], sk[64];
static char payload[RECEIPT_PAYLOAD_MAX];

static int setup(void **state)
{
    (void)state;
    const char *paths[] = {RECEIPT_TEST_FONT1, RECEIPT_TEST_FONT2};
    if (receipt_fonts_load(paths, 2, &fonts) != KIOSK_OK)
        return -1;
    if (sodium_init() < 0)
        return -1;
    uint8_t seed[32] = {7}, hash[32];
    crypto_sign_seed_keypair(pk, sk, seed);
    crypto_hash_sha256(hash, (const uint8_t *)"a record", 8);
    return receipt_payload_make("DEMO01-20261122-0007", "20261122093015", hash, sk, pk, payload) ==
                   KIOSK_OK
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    receipt_fonts_destroy(fonts);
    return 0;
}

static receipt_doc make_doc(const char *name, const char *copy)
{
    receipt_doc d;
    memset(&d, 0, sizeof d);
    d.title = "失业登记回执";
    d.copy_mark = copy;
    d.hall_name = "历下区公共就业服务中心";
    d.lines[d.nlines++] = (receipt_line){"回执编号", "DEMO01-20261122-0007"};
    d.lines[d.nlines++] = (receipt_line){"姓名", name};
    d.lines[d.nlines++] = (receipt_line){"证件号码", "3701**********123X"};
    d.lines[d.nlines++] = (receipt_line){"办理事项", "失业登记"};
    d.lines[d.nlines++] = (receipt_line){"办理时间", "2026-11-22 09:30"};
    d.lines[d.nlines++] = (receipt_line){"信用承诺", "已签署"};
    d.paras[d.nparas++] =
        "我们将在7个工作日内完成审核，结果以短信通知。如材料不全，工作人员会与您联系。";
    d.paras[d.nparas++] = "地址：济南市历下区解放路1号  电话：0531-12345678";
    d.qr_payload = payload;
    d.qr_caption = "回执信息二维码（供工作人员核对）";
    return d;
}

/* Scan an 8-bit gray image (0 black .. 255 white) for one QR code. */
static int scan_qr(const uint8_t *bits, int width, int rows, char *out, size_t outsz)
{
    size_t n = (size_t)width * (size_t)rows, wb = (size_t)width / 8;
    uint8_t *gray = malloc(n);
    assert_non_null(gray);
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < width; x++)
            gray[(size_t)y * (size_t)width + (size_t)x] =
                (bits[(size_t)y * wb + (size_t)x / 8] & (0x80 >> (x % 8))) ? 0 : 255;
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)width, (unsigned)rows);
    zbar_image_set_data(img, gray, n, NULL);
    int found = zbar_scan_image(sc, img);
    if (found > 0) {
        const zbar_symbol_t *sym = zbar_image_first_symbol(img);
        snprintf(out, outsz, "%s", zbar_symbol_get_data(sym));
    }
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(sc);
    free(gray);
    return found;
}

/* url: the hub's check page the QR leads a phone to ([receipt] verify_url), or "". */
static void print_and_verify(int width, const char *url)
{
    receipt_doc d = make_doc("张三丰", NULL);
    char qr[KIOSK_RECEIPT_URL_MAX + RECEIPT_PAYLOAD_MAX];
    snprintf(qr, sizeof qr, "%s%s", url, payload);
    d.qr_payload = qr;
    receipt_bitmap bmp;
    assert_int_equal(receipt_render(fonts, &d, width, &bmp), KIOSK_OK);
    assert_int_equal(bmp.missing_glyphs, 0);
    assert_int_equal(bmp.width, width);
    assert_true(bmp.rows > 400 && bmp.rows < 3000);

    kiosk_buf job;
    kiosk_buf_init(&job, 256 * 1024, 0);
    assert_int_equal(receipt_encode_escpos(&bmp, &job), KIOSK_OK);
    printer *p;
    assert_int_equal(printer_sim_create(width, NULL, &p), KIOSK_OK);
    assert_int_equal(printer_print(p, job.data, job.len), KIOSK_OK);
    int rows;
    const uint8_t *paper = printer_sim_paper(p, &rows);
    assert_int_equal(printer_sim_errors(p), 0);
    assert_int_equal(printer_sim_cuts(p), 1);
    assert_true(rows >= bmp.rows);
    assert_memory_equal(paper, bmp.bits, (size_t)bmp.rows * (size_t)width / 8);

    char got[512] = "";
    assert_int_equal(scan_qr(paper, width, rows, got, sizeof got), 1);
    assert_string_equal(got, qr);
    receipt_claim c;
    assert_non_null(receipt_payload_in(got));
    assert_int_equal(receipt_payload_verify(receipt_payload_in(got), pk, &c), KIOSK_OK);
    assert_string_equal(c.receipt_no, "DEMO01-20261122-0007");

    char path[512];
    snprintf(path, sizeof path, "%s/receipt-%d.png", KIOSK_TEST_TMP, width);
    assert_int_equal(receipt_bitmap_write_png(&bmp, path), KIOSK_OK);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&img, path));
    assert_int_equal(img.width, width);
    assert_int_equal(img.height, bmp.rows);
    png_image_free(&img);

    printer_close(p);
    kiosk_buf_deinit(&job);
    receipt_bitmap_deinit(&bmp);
}

static void test_print_and_verify_80mm(void **state)
{
    (void)state;
    print_and_verify(576, "");
}

/* A realistic check page's address before the payload: the code grows and must still
 * read at both paper widths. */
static void test_qr_with_the_check_page(void **state)
{
    (void)state;
    print_and_verify(384, "https://jy.hrss.jinan.gov.cn/kiosk/r/");
    print_and_verify(576, "HTTPS://JY.HRSS.JINAN.GOV.CN/KIOSK/R/");
}

static void test_print_and_verify_58mm(void **state)
{
    (void)state;
    print_and_verify(384, "");
}

static void test_copy_mark_and_rare_characters(void **state)
{
    (void)state;
    receipt_doc d = make_doc("张三丰", NULL);
    receipt_bitmap a, b;
    assert_int_equal(receipt_render(fonts, &d, 576, &a), KIOSK_OK);
    d = make_doc("张三丰", "副本");
    assert_int_equal(receipt_render(fonts, &d, 576, &b), KIOSK_OK);
    assert_true(b.rows > a.rows);
    char path[512];
    snprintf(path, sizeof path, "%s/receipt-copy.png", KIOSK_TEST_TMP);
    assert_int_equal(receipt_bitmap_write_png(&b, path), KIOSK_OK);
    receipt_bitmap_deinit(&a);
    receipt_bitmap_deinit(&b);

    /* 𠮷 (U+20BB7, Extension B) comes from the fallback font */
    d = make_doc("𠮷田", NULL);
    assert_int_equal(receipt_render(fonts, &d, 576, &a), KIOSK_OK);
    assert_int_equal(a.missing_glyphs, 0);
    receipt_bitmap_deinit(&a);
    /* a code point no font has is drawn as a box and counted */
    d = make_doc("\xf3\xb0\x80\x80王", NULL); /* U+F0000, private use plane 15 */
    assert_int_equal(receipt_render(fonts, &d, 576, &a), KIOSK_OK);
    assert_int_equal(a.missing_glyphs, 1);
    receipt_bitmap_deinit(&a);
}

/* The product's stack (kiosk_config_font_paths) prints every character of a 30-character
 * name with characters of Extensions B to F, and 𪚥 U+2A6A5, which only the rare-name
 * font has; the Noto files alone print five boxes. */
#define LONG_RARE_NAME                                                                             \
    "𪚥𠮷·阿卜杜热合曼·买买提·艾合买提江·吐尔逊·𫝋𫟤𡈼𬌗𪞝"    \
    "𭀖"
#define LONG_RARE_NAME_RARE_ONLY 5

static void test_rare_name_from_the_whole_stack(void **state)
{
    (void)state;
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    kiosk_config_fonts paths;
    kiosk_config_font_paths(&cfg, &paths);
    receipt_fonts *all;
    assert_int_equal(receipt_fonts_load(paths.list, paths.n, &all), KIOSK_OK);
    const int widths[] = {384, 576};
    for (size_t i = 0; i < 2; i++) {
        receipt_doc d = make_doc("𪚥", NULL);
        receipt_bitmap one, name, boxes;
        assert_int_equal(receipt_render(all, &d, widths[i], &one), KIOSK_OK);
        assert_int_equal(one.missing_glyphs, 0);
        d = make_doc(LONG_RARE_NAME, NULL);
        assert_int_equal(receipt_render(all, &d, widths[i], &name), KIOSK_OK);
        assert_int_equal(name.missing_glyphs, 0);
        assert_true(name.rows > one.rows); /* the name wraps, it is not cut */
        assert_int_equal(receipt_render(fonts, &d, widths[i], &boxes), KIOSK_OK);
        assert_int_equal(boxes.missing_glyphs, LONG_RARE_NAME_RARE_ONLY);
        if (widths[i] == 576) {
            char path[512];
            snprintf(path, sizeof path, "%s/receipt-rare-name.png", KIOSK_TEST_TMP);
            assert_int_equal(receipt_bitmap_write_png(&name, path), KIOSK_OK);
        }
        receipt_bitmap_deinit(&one);
        receipt_bitmap_deinit(&name);
        receipt_bitmap_deinit(&boxes);
    }
    receipt_fonts_destroy(all);
}

/* The lines of text (bands of rows with ink, short enough to be text) of a bitmap:
 * their first and last inked column. Returns how many. */
static int text_bands(const receipt_bitmap *b, int *minx, int *maxx, int cap)
{
    int n = 0, start = -1, lo = b->width, hi = -1;
    size_t wb = (size_t)b->width / 8;
    for (int y = 0; y <= b->rows; y++) {
        int ink = 0;
        for (int x = 0; y < b->rows && x < b->width; x++)
            if (b->bits[(size_t)y * wb + (size_t)x / 8] & (0x80 >> (x % 8))) {
                ink = 1;
                lo = x < lo ? x : lo;
                hi = x > hi ? x : hi;
            }
        if (ink && start < 0)
            start = y;
        if (!ink && start >= 0) {
            if (y - start > 6 && y - start < 60 && n < cap) { /* not a rule, not the QR */
                minx[n] = lo;
                maxx[n] = hi;
                n++;
            }
            start = -1;
            lo = b->width;
            hi = -1;
        }
    }
    return n;
}

/* A title that fits on one line at a slightly smaller size is not wrapped: on 58 mm paper
 * 就业/失业注销申报回执 is one line, as 失业登记回执 is (one character of it went to a
 * second line alone); a title too long for any size still wraps, whole. */
static void test_title_on_one_line(void **state)
{
    (void)state;
    receipt_doc d;
    memset(&d, 0, sizeof d);
    d.qr_payload = payload;
    static const char *const titles[] = {"失业登记回执", "就业/失业注销申报回执",
                                         "就业/失业注销申报回执（补充材料后重新申报的副本）"};
    static const int lines[] = {1, 1, 2};
    for (int w = 0; w < 2; w++) {
        for (size_t t = 0; t < 3; t++) {
            d.title = titles[t];
            receipt_bitmap b;
            assert_int_equal(receipt_render(fonts, &d, w ? 576 : 384, &b), KIOSK_OK);
            assert_int_equal(b.missing_glyphs, 0);
            int lo[8], hi[8];
            int n = text_bands(&b, lo, hi, 8);
            if (n != lines[t])
                fail_msg("%s at %d dots: %d lines", titles[t], b.width, n);
            if (t == 1 && w == 0) {
                char path[512];
                snprintf(path, sizeof path, "%s/receipt-title-58mm.png", KIOSK_TEST_TMP);
                assert_int_equal(receipt_bitmap_write_png(&b, path), KIOSK_OK);
            }
            receipt_bitmap_deinit(&b);
        }
    }
}

/* A receipt number never breaks inside: on 58 mm paper in English, beside a label too
 * wide to leave it room, it goes on a line of its own under the label, whole. */
static void test_receipt_number_never_broken(void **state)
{
    (void)state;
    static const char number[] = "KR-370102-20261205-0001";
    receipt_doc d;
    memset(&d, 0, sizeof d);
    d.title = "Receipt";
    d.hall_name = number; /* alone, centred: how wide the whole number is */
    d.qr_payload = payload;
    receipt_bitmap alone, row;
    assert_int_equal(receipt_render(fonts, &d, 384, &alone), KIOSK_OK);
    int lo[16], hi[16];
    int n = text_bands(&alone, lo, hi, 16);
    assert_int_equal(n, 2); /* the title, the number */
    int whole = hi[1] - lo[1];
    d.hall_name = NULL;
    d.lines[d.nlines++] = (receipt_line){"Receipt no.", number};
    assert_int_equal(receipt_render(fonts, &d, 384, &row), KIOSK_OK);
    n = text_bands(&row, lo, hi, 16);
    assert_int_equal(n, 3);                  /* the title, the label, the number under it */
    assert_true(lo[2] < 16 + 8);             /* from the left margin, not the value column */
    assert_true(hi[2] - lo[2] >= whole - 2); /* all of it on that line */
    char path[512];
    snprintf(path, sizeof path, "%s/receipt-number-en.png", KIOSK_TEST_TMP);
    assert_int_equal(receipt_bitmap_write_png(&row, path), KIOSK_OK);
    receipt_bitmap_deinit(&alone);
    receipt_bitmap_deinit(&row);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    receipt_doc d = make_doc("张三", NULL);
    receipt_bitmap bmp;
    assert_int_equal(receipt_render(fonts, &d, 500, &bmp), KIOSK_INVALID);
    assert_null(bmp.bits);
    d.qr_payload = NULL;
    assert_int_equal(receipt_render(fonts, &d, 576, &bmp), KIOSK_INVALID);
    receipt_fonts *f = (receipt_fonts *)1;
    const char *bad[] = {"/nonexistent.otf"};
    assert_int_equal(receipt_fonts_load(bad, 1, &f), KIOSK_FONT);
    assert_null(f);
}

/* A fresh unit's store under KIOSK_TEST_TMP/<tag>-<pid> (its folder into dir), its device
 * key into *key and an upstream key set. */
static store *fresh_store(const char *tag, char dir[200], store_device_key *key)
{
    char db[300], cmd[1200];
    snprintf(dir, 200, "%s/%s-%d", KIOSK_TEST_TMP, tag, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    assert_int_equal(store_device_key_load(dir, key), KIOSK_OK);
    store *st;
    assert_int_equal(store_open(db, "DEMO01", key, NULL, &st), KIOSK_OK);
    uint8_t up_pk[32], up_sk[32];
    crypto_box_keypair(up_pk, up_sk);
    assert_int_equal(store_set_upstream_key(st, up_pk), KIOSK_OK);
    return st;
}

/* The sample citizen's record of type (NULL: a registration) saved in st. */
static void save_sample(store *st, const char *type, store_saved *saved)
{
    static const uint8_t commit[32] = {1};
    store_submission sub = {"{\"name\":\"张三丰\"}",
                            "{\"strokes\":[]}",
                            "2026.1",
                            commit,
                            "张*丰",
                            "3701**********4519",
                            type};
    assert_int_equal(store_save(st, &sub, saved), KIOSK_OK);
}

/* The print step after saving: a stored record's receipt printed, verified off the
 * paper, its outcome stored; paper out recorded; a reprint marked as a copy. */
static void test_print_job_from_the_store(void **state)
{
    (void)state;
    char dir[200];
    store_device_key key;
    store *st = fresh_store("job", dir, &key);
    store_saved saved;
    save_sample(st, NULL, &saved);

    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    snprintf(cfg.printer_output_dir, sizeof cfg.printer_output_dir, "%s/receipts", dir);
    kiosk_strings *strings;
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", "zh_CN", &strings, NULL),
                     KIOSK_OK);
    printer_sim_faults f = {.paper_out_after = 100};
    printer *p;
    assert_int_equal(printer_sim_create(576, &f, &p), KIOSK_OK);
    receipt_job job = {st, &key, fonts, strings, &cfg, p};

    /* the paper runs out mid-receipt: the outcome is kept for staff */
    receipt_bitmap preview;
    assert_int_equal(receipt_job_print(&job, saved.receipt_no, 0, &preview), KIOSK_PAPER_OUT);
    store_summary sum;
    assert_int_equal(store_find(st, saved.receipt_no, &sum), KIOSK_OK);
    assert_string_equal(sum.print_outcome, "KIOSK_PAPER_OUT");
    /* the screen gets the receipt anyway; a real printer leaves no image on the unit */
    assert_non_null(preview.bits);
    assert_int_equal(preview.width, 576);
    receipt_bitmap_deinit(&preview);
    char ls[600];
    snprintf(ls, sizeof ls, "test ! -e '%s/receipts'", dir);
    assert_int_equal(system(ls), 0);
    printer_close(p);

    /* paper reloaded: the reprint is a copy, and it verifies */
    assert_int_equal(printer_sim_create(576, NULL, &p), KIOSK_OK);
    job.printer = p;
    assert_int_equal(receipt_job_print(&job, saved.receipt_no, 1, NULL), KIOSK_OK);
    assert_int_equal(store_find(st, saved.receipt_no, &sum), KIOSK_OK);
    assert_string_equal(sum.print_outcome, "printed");
    int rows;
    const uint8_t *paper = printer_sim_paper(p, &rows);
    char got[512] = "";
    assert_int_equal(scan_qr(paper, 576, rows, got, sizeof got), 1);
    receipt_claim claim;
    assert_int_equal(receipt_payload_verify(got, key.public_key, &claim), KIOSK_OK);
    assert_string_equal(claim.receipt_no, saved.receipt_no);
    assert_memory_equal(claim.hash_prefix, saved.hash, RECEIPT_HASH_PREFIX);
    assert_int_equal(receipt_job_print(&job, "DEMO01-19990101-0001", 0, NULL), KIOSK_NOT_FOUND);
    printer_close(p);
    /* no printer could be opened: a fault stored with the record, never an image */
    job.printer = NULL;
    assert_int_equal(receipt_job_print(&job, saved.receipt_no, 1, NULL), KIOSK_PRINTER);
    assert_int_equal(store_find(st, saved.receipt_no, &sum), KIOSK_OK);
    assert_string_equal(sum.print_outcome, "KIOSK_PRINTER");
    assert_int_equal(system(ls), 0);
    /* the file printer ([printer] backend = file) is the image printer: the same job
     * bytes, the page kept as <receipt_no>-copy.png, and it verifies */
    assert_int_equal(receipt_printer_open(&cfg, &p), KIOSK_OK);
    job.printer = p;
    assert_int_equal(receipt_job_print(&job, saved.receipt_no, 1, NULL), KIOSK_OK);
    char png[600];
    snprintf(png, sizeof png, "%s/receipts/%s-copy.png", dir, saved.receipt_no);
    struct stat pst;
    assert_int_equal(stat(png, &pst), 0);
    assert_true(pst.st_size > 1000);
    printer_close(p);
    kiosk_strings_destroy(strings);
    store_close(st);
}

/* The registration receipt with its follow-up plan (后续服务): longer than without, on
 * 80 and 58 mm, and its QR code still decodes and verifies; the Level I slip of a policy:
 * its QR code dials the hall. */
static void test_plan_and_slip(void **state)
{
    (void)state;
    char dir[200];
    store_device_key key;
    store *st = fresh_store("plan", dir, &key);
    store_saved saved;
    save_sample(st, NULL, &saved);
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    kiosk_strings *strings;
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", "zh_CN", &strings, NULL),
                     KIOSK_OK);
    receipt_plan plan = {
        .keys = {"plan.job", "plan.training", "plan.business", "plan.insurance", "plan.unsure"},
        .n = 5,
        .by = {2026, 11, 27}};
    static const int widths[] = {576, 384};
    for (size_t w = 0; w < 2; w++) {
        cfg.printer_width_dots = widths[w];
        printer *p;
        assert_int_equal(printer_sim_create(widths[w], NULL, &p), KIOSK_OK);
        receipt_job job = {st, &key, fonts, strings, &cfg, p};
        receipt_bitmap plain, planned;
        assert_int_equal(receipt_job_print(&job, saved.receipt_no, 0, &plain), KIOSK_OK);
        assert_int_equal(receipt_job_print_plan(&job, saved.receipt_no, 0, &plan, &planned),
                         KIOSK_OK);
        assert_int_equal(planned.missing_glyphs, 0);
        assert_true(planned.rows > plain.rows + 5 * 20); /* five plans and the date */
        char got[512] = "";
        assert_int_equal(scan_qr(planned.bits, planned.width, planned.rows, got, sizeof got), 1);
        receipt_claim claim;
        assert_int_equal(receipt_payload_verify(got, key.public_key, &claim), KIOSK_OK);
        assert_string_equal(claim.receipt_no, saved.receipt_no);
        /* no plan given: the receipt as before */
        receipt_plan none = {.n = 0};
        receipt_bitmap again;
        assert_int_equal(receipt_job_print_plan(&job, saved.receipt_no, 0, &none, &again),
                         KIOSK_OK);
        assert_int_equal(again.rows, plain.rows);
        receipt_bitmap_deinit(&again);
        receipt_bitmap_deinit(&plain);
        receipt_bitmap_deinit(&planned);
        printer_close(p);
    }
    /* the slip: nothing of a record; the hall's phone in its QR code */
    cfg.printer_width_dots = 576;
    printer *p;
    assert_int_equal(printer_sim_create(576, NULL, &p), KIOSK_OK);
    receipt_slip slip = {.kind = "政策",
                         .title = "“131”就业服务",
                         .lines = {{"适用对象", "所有登记失业人员。"},
                                   {"如何办理", "失业登记后5个工作日内，工作人员联系您。"}},
                         .nlines = 2,
                         .job_title = "slip-policy"};
    receipt_bitmap preview;
    assert_int_equal(receipt_slip_print(fonts, strings, &cfg, p, &slip, &preview), KIOSK_OK);
    assert_int_equal(preview.missing_glyphs, 0);
    int rows;
    const uint8_t *paper = printer_sim_paper(p, &rows);
    assert_int_equal(printer_sim_cuts(p), 1);
    char got[128] = "";
    assert_int_equal(scan_qr(paper, 576, rows, got, sizeof got), 1);
    assert_string_equal(got, "tel:12333");
    receipt_bitmap_deinit(&preview);
    printer_close(p);
    assert_int_equal(receipt_slip_print(fonts, strings, &cfg, NULL, &slip, NULL), KIOSK_PRINTER);
    kiosk_strings_destroy(strings);
    store_close(st);
}

/* A 注销申报 and a 求职登记 carry their own lines under 业务 (as the session gives them:
 * short, in the receipt's language): each line makes the receipt longer, at 80 and 58 mm,
 * with no missing glyph and the QR code still verifying; a type without lines prints as
 * before. The pages (the image printer's PNGs, the ESC/POS job decoded back) stay in
 * <tmp>/types-<pid>/receipts to be looked at. */
static void test_type_lines(void **state)
{
    (void)state;
    char dir[200], cmd[1200];
    store_device_key key;
    store *st = fresh_store("types", dir, &key);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/receipts'", dir);
    assert_int_equal(system(cmd), 0);
    static const struct {
        const char *type;
        receipt_plan plan;
    } cases[] = {
        {"deregistration",
         {.line_keys = {"receipt.situation", "receipt.situation_date", "receipt.situation_detail"},
          .line_values = {"被用人单位录用", "2026-11-03", "和平物流有限公司…"},
          .nlines = 3}},
        {"jobseeker",
         {.line_keys = {"receipt.jobs", "receipt.job_area", "receipt.wage", "receipt.available"},
          .line_values = {"餐饮服务、保洁", "历下区", "4000-5999元", "2026-12-07"},
          .nlines = 4}},
    };
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    cfg.printer_backend = KIOSK_PRINTER_FILE;
    snprintf(cfg.printer_output_dir, sizeof cfg.printer_output_dir, "%s/receipts", dir);
    kiosk_strings *strings;
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", "zh_CN", &strings, NULL),
                     KIOSK_OK);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        store_saved saved;
        save_sample(st, cases[c].type, &saved);
        static const int widths[] = {576, 384};
        for (size_t w = 0; w < 2; w++) {
            cfg.printer_width_dots = widths[w];
            printer *p;
            assert_int_equal(receipt_printer_open(&cfg, &p), KIOSK_OK);
            receipt_job job = {st, &key, fonts, strings, &cfg, p};
            receipt_bitmap plain, typed;
            receipt_plan none = {.n = 0};
            assert_int_equal(receipt_job_print_plan(&job, saved.receipt_no, 1, &none, &plain),
                             KIOSK_OK);
            assert_int_equal(
                receipt_job_print_plan(&job, saved.receipt_no, 0, &cases[c].plan, &typed),
                KIOSK_OK);
            assert_int_equal(typed.missing_glyphs, 0);
            /* each line at least a line of text more (the copy mark aside) */
            assert_true(typed.rows > plain.rows + (int)cases[c].plan.nlines * 20 - 60);
            char got[512] = "";
            assert_int_equal(scan_qr(typed.bits, typed.width, typed.rows, got, sizeof got), 1);
            receipt_claim claim;
            assert_int_equal(receipt_payload_verify(got, key.public_key, &claim), KIOSK_OK);
            assert_string_equal(claim.receipt_no, saved.receipt_no);
            receipt_bitmap_deinit(&plain);
            receipt_bitmap_deinit(&typed);
            printer_close(p);
            /* the page as the printer's sink decoded it back, named for a look */
            snprintf(cmd, sizeof cmd, "cp '%s/receipts/%s.png' '%s/receipts/%s-%d.png'", dir,
                     saved.receipt_no, dir, cases[c].type, widths[w]);
            assert_int_equal(system(cmd), 0);
        }
    }
    kiosk_strings_destroy(strings);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print_and_verify_80mm),
        cmocka_unit_test(test_print_and_verify_58mm),
        cmocka_unit_test(test_qr_with_the_check_page),
        cmocka_unit_test(test_copy_mark_and_rare_characters),
        cmocka_unit_test(test_rare_name_from_the_whole_stack),
        cmocka_unit_test(test_receipt_number_never_broken),
        cmocka_unit_test(test_title_on_one_line),
        cmocka_unit_test(test_plan_and_slip),
        cmocka_unit_test(test_type_lines),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_print_job_from_the_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
