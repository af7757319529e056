/* Benchmark: the hall's Level I information — loading assets/info/zh_CN.ini (at a language's
 * first use) and the calendar, and laying out, rendering and encoding a policy's slip at 576
 * dots and its paper length (8 dots a mm). Prints figures; asserts nothing (targets: a load
 * ≤ 2 ms; a slip ≤ 20 ms, as a receipt, and ≤ 150 mm of paper). Usage: bench_info [ITERATIONS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "config/kiosk_config.h"
#include "config/kiosk_info.h"
#include "config/kiosk_strings.h"
#include "printer/printer_sim.h"
#include "receipt/receipt_job.h"

int main(int argc, char **argv)
{
    int iterations = argc > 1 ? atoi(argv[1]) : 50;
    if (iterations < 1)
        iterations = 1;
    double *t = calloc((size_t)iterations, sizeof *t);
    if (!t)
        return 1;
    for (int i = 0; i < iterations; i++) {
        double t0 = bench_now_ms();
        kiosk_info *info;
        kiosk_info_calendar cal;
        if (kiosk_info_load(KIOSK_BENCH_ASSETS "/info", "zh_CN", &info, NULL) != KIOSK_OK ||
            kiosk_info_calendar_load(KIOSK_BENCH_ASSETS "/info/calendar.ini", &cal, NULL) !=
                KIOSK_OK) {
            fprintf(stderr, "bench_info: cannot load %s/info\n", KIOSK_BENCH_ASSETS);
            return 1;
        }
        t[i] = bench_now_ms() - t0;
        kiosk_info_destroy(info);
    }
    printf(
        "info load (policies, agencies, calendar): median %.3f ms, p95 %.3f ms (target <= 2 ms)\n",
        bench_pct(t, (size_t)iterations, 50), bench_pct(t, (size_t)iterations, 95));

    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_BENCH_ASSETS, KIOSK_BENCH_FONTS);
    kiosk_config_fonts paths;
    kiosk_config_font_paths(&cfg, &paths);
    receipt_fonts *fonts;
    kiosk_strings *strings;
    kiosk_info *info;
    if (receipt_fonts_load(paths.list, paths.n, &fonts) != KIOSK_OK ||
        kiosk_strings_load(KIOSK_BENCH_ASSETS "/strings", "zh_CN", &strings, NULL) != KIOSK_OK ||
        kiosk_info_load(KIOSK_BENCH_ASSETS "/info", "zh_CN", &info, NULL) != KIOSK_OK) {
        fprintf(stderr, "bench_info: cannot load fonts or strings\n");
        return 1;
    }
    const kiosk_info_policy *p = kiosk_info_policy_at(info, 1);
    receipt_slip slip = {.kind = "政策",
                         .title = p->title,
                         .lines = {{"适用对象", p->who}, {"如何办理", p->how}},
                         .nlines = 2,
                         .job_title = "slip-policy"};
    int paper_rows = 0;
    for (int i = 0; i < iterations; i++) {
        printer *pr;
        if (printer_sim_create(576, NULL, &pr) != KIOSK_OK)
            return 1;
        double t0 = bench_now_ms();
        kiosk_rc rc = receipt_slip_print(fonts, strings, &cfg, pr, &slip, NULL);
        t[i] = bench_now_ms() - t0;
        printer_sim_paper(pr, &paper_rows);
        printer_close(pr);
        if (rc != KIOSK_OK)
            return 1;
    }
    printf("policy slip at 576 dots (render, ESC/POS, sim printer): median %.2f ms, p95 %.2f ms "
           "(target <= 20 ms); paper %d mm (target <= 150 mm)\n",
           bench_pct(t, (size_t)iterations, 50), bench_pct(t, (size_t)iterations, 95),
           paper_rows / 8);
    kiosk_info_destroy(info);
    kiosk_strings_destroy(strings);
    receipt_fonts_destroy(fonts);
    free(t);
    return 0;
}
