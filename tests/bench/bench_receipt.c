/* Benchmark: time to lay out, render and encode one receipt, and the bytes it sends to
 * the printer, at 576 and 384 dots. Prints figures; asserts nothing (targets: ≤ 20 ms
 * and ≤ 40 KB at 576 dots). Usage: bench_receipt [FONTS_DIR] [ITERATIONS] */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "config/kiosk_config.h"
#include "core/kiosk_buf.h"
#include "receipt/receipt.h"
#include "proto/receipt_payload.h"

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : KIOSK_BENCH_FONTS;
    int iterations = argc > 2 ? atoi(argv[2]) : 50;
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, "", dir);
    kiosk_config_fonts paths; /* the kiosk's stack */
    kiosk_config_font_paths(&cfg, &paths);
    receipt_fonts *fonts;
    if (receipt_fonts_load(paths.list, paths.n, &fonts) != KIOSK_OK || sodium_init() < 0) {
        fprintf(stderr, "bench_receipt: cannot load fonts from %s\n", dir);
        return 1;
    }
    uint8_t pk[32], sk[64], hash[32] = {1};
    crypto_sign_keypair(pk, sk);
    char payload[RECEIPT_PAYLOAD_MAX];
    receipt_payload_make("DEMO01-20261122-0007", "20261122093015", hash, sk, pk, payload);
    receipt_doc d;
    memset(&d, 0, sizeof d);
    d.title = "失业登记回执";
    d.hall_name = "历下区公共就业服务中心";
    d.lines[d.nlines++] = (receipt_line){"回执编号", "DEMO01-20261122-0007"};
    d.lines[d.nlines++] = (receipt_line){"姓名", "欧阳*娜"};
    d.lines[d.nlines++] = (receipt_line){"证件号码", "3701**********123X"};
    d.lines[d.nlines++] = (receipt_line){"办理事项", "失业登记"};
    d.lines[d.nlines++] = (receipt_line){"办理时间", "2026-11-22 09:30"};
    d.lines[d.nlines++] = (receipt_line){"信用承诺", "已签署"};
    d.paras[d.nparas++] =
        "我们将在7个工作日内完成审核，结果以短信通知。如材料不全，工作人员会与您联系，"
        "请携带身份证到服务大厅补充材料。";
    d.paras[d.nparas++] = "地址：济南市历下区解放路1号  电话：0531-12345678";
    d.qr_payload = payload;
    d.qr_caption = "回执信息二维码（供工作人员核对）";

    const int widths[] = {576, 384};
    for (size_t w = 0; w < 2; w++) {
        double best = 1e9, total = 0;
        size_t bytes = 0;
        int rows = 0;
        for (int i = 0; i < iterations; i++) {
            double t0 = bench_now_ms();
            receipt_bitmap bmp;
            kiosk_buf job;
            kiosk_buf_init(&job, 1 << 20, 0);
            if (receipt_render(fonts, &d, widths[w], &bmp) != KIOSK_OK ||
                receipt_encode_escpos(&bmp, &job) != KIOSK_OK) {
                fprintf(stderr, "bench_receipt: render failed\n");
                return 1;
            }
            double dt = bench_now_ms() - t0;
            best = dt < best ? dt : best;
            total += dt;
            bytes = job.len;
            rows = bmp.rows;
            kiosk_buf_deinit(&job);
            receipt_bitmap_deinit(&bmp);
        }
        printf("receipt %d dots: %d rows, %zu bytes (%.1f KB), render+encode best %.2f ms, "
               "mean %.2f ms over %d\n",
               widths[w], rows, bytes, bytes / 1024.0, best, total / iterations, iterations);
    }
    receipt_fonts_destroy(fonts);
    return 0;
}
