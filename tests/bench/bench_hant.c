/* Benchmark of Traditional Chinese (zh_Hant). Prints figures; asserts nothing.
 *   1. the first switch to zh_Hant on the attract screen (the header's switch, twice:
 *      中文 → English → 繁體): the Traditional code and division names loaded, the TC font
 *      stack opened, the strings and commitment read, the frame drawn — wall time
 *      (target <= 150 ms: a tap answered within a blink); then the same switches again
 *      (the tables stay loaded);
 *   2. memory (RSS, PSS) before and after: what the Traditional tables and fonts cost
 *      (target <= +6 MB PSS);
 *   3. the attract frame's UI-thread CPU time in zh_CN and zh_Hant, p50 and p99 (target p99
 *      <= 4 ms, as bench_ui).
 * Usage: bench_hant [FRAMES]   (SDL_VIDEODRIVER=dummy when unset) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "test_state.h"
#include "ui/ui_app.h"

static double switch_ms(ui_app *app, int taps)
{
    double t0 = bench_now_ms();
    for (int i = 0; i < taps; i++)
        ui_app_tap_id(app, "language");
    ui_app_render(app);
    return bench_now_ms() - t0;
}

static void frames(ui_app *app, const char *name, int n)
{
    double *t = malloc(sizeof *t * (size_t)n);
    if (!t)
        return;
    for (int i = 0; i < n; i++) {
        double t0 = bench_thread_cpu_ms();
        ui_app_render(app);
        t[i] = bench_thread_cpu_ms() - t0;
    }
    bench_sort(t, (size_t)n);
    printf("frame attract %-8s p50 %6.2f ms   p99 %6.2f ms (target p99 <= 4)\n", name, t[n / 2],
           t[n * 99 / 100]);
    free(t);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    if (n < 10)
        n = 10;
    setenv("SDL_VIDEODRIVER", "dummy", 0);
    setenv("SDL_AUDIODRIVER", "dummy", 0);
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_BENCH_ASSETS, KIOSK_BENCH_FONTS);
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bench-hant-%d", (int)getpid());
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%s", dir);
    snprintf(cfg.printer_output_dir, sizeof cfg.printer_output_dir, "%s/receipts", dir);
    if (test_state_provision(dir, "DEMO01") != KIOSK_OK)
        return 1;
    ui_app *app;
    ui_app_options opt = {.headless = 1, .with_reader = 1, .with_store = 1};
    if (ui_app_create(&cfg, &opt, &app) != KIOSK_OK)
        return 1;
    ui_app_render(app);
    frames(app, "zh_CN", n);
    double rss0, pss0, rss1, pss1;
    bench_rss_pss(&rss0, &pss0);
    double first = switch_ms(app, 2);
    if (strcmp(ui_app_language(app), "zh_Hant") != 0) {
        fprintf(stderr, "bench_hant: the switch gave %s\n", ui_app_language(app));
        return 1;
    }
    frames(app, "zh_Hant", n);
    bench_rss_pss(&rss1, &pss1);
    printf("first switch to zh_Hant: %.1f ms (target <= 150)\n", first);
    double again = 0;
    for (int i = 0; i < 5; i++) {
        switch_ms(app, 1); /* → 中文 */
        again += switch_ms(app, 2);
    }
    printf("switch to zh_Hant again: %.1f ms (mean of 5; target <= 150)\n", again / 5);
    printf("memory zh_CN   RSS %6.1f MB   PSS %6.1f MB\n", rss0, pss0);
    printf("memory zh_Hant RSS %6.1f MB   PSS %6.1f MB   (+%.1f MB PSS, target <= +6)\n", rss1,
           pss1, pss1 - pss0);
    ui_app_destroy(app);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
