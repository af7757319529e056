/* Benchmark of the screens. Prints figures; asserts nothing.
 *   1. cold start: creating the app (window, renderer, fonts, strings, code tables,
 *      divisions, pinyin dictionary) to the first attract frame rendered (target 300 ms);
 *   2. frame time (the UI thread's CPU time) at 1080×1920 on the software renderer, p50 and p99, on
 * the busiest screens: the pinyin keyboard with candidates, the review, the signature pad with a
 *      signature (target p99 ≤ 4 ms); every frame redrawn in full;
 *   3. the first frame after the large-text switch on the review, where every text is
 *      new: what a page change costs at worst (no target; it shows the glyph work);
 *   4. memory (RSS, PSS from /proc/self/smaps_rollup) at the attract screen and after a
 *      whole journey (target PSS ≤ 40 MB);
 *   5. the voice: what opening the sound device and asking for a step's prompt cost the UI
 *      thread (SDL's dummy audio driver unless SDL_AUDIODRIVER says otherwise).
 * Usage: bench_ui [FRAMES]   (SDL_VIDEODRIVER=dummy is set when unset; BENCH_MEM_EACH=1
 * prints the memory after every screen) */
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "app/voice.h"
#include "test_state.h"
#include "ui/ui_app.h"
#include "ui/ui_script.h"
#include "ui/ui_voice.h"

/* The most seen over the journey: sampled after every screen's frames. */
static double peak_rss, peak_pss;
static const char *peak_where = "";

static void sample(const char *where)
{
    double rss, pss;
    bench_rss_pss(&rss, &pss);
    if (rss > peak_rss)
        peak_rss = rss;
    if (pss > peak_pss) {
        peak_pss = pss;
        peak_where = where;
    }
}

static void memory(const char *when)
{
    double rss, pss;
    bench_rss_pss(&rss, &pss);
    printf("memory %-22s RSS %6.1f MB   PSS %6.1f MB (target PSS <= 40)\n", when, rss, pss);
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
    printf("frame %-23s p50 %6.2f ms   p99 %6.2f ms (target p99 <= 4)\n", name, t[n / 2],
           t[n * 99 / 100]);
    free(t);
    sample(name);
    if (getenv("BENCH_MEM_EACH")) { /* where the memory goes, screen by screen */
        memory(name);
        struct mallinfo2 mi = mallinfo2();
        printf("  malloc: in use %.1f MB, free %.1f MB, mmapped %.1f MB\n", mi.uordblks / 1048576.0,
               mi.fordblks / 1048576.0, mi.hblkhd / 1048576.0);
    }
}

/* The first frame in large text: all of its text is laid out and rasterised anew. */
static void cold_frame(ui_app *app, const char *name)
{
    ui_app_tap_id(app, "large_text");
    double t0 = bench_thread_cpu_ms();
    ui_app_render(app);
    printf("frame %-23s %6.2f ms (every text new)\n", name, bench_thread_cpu_ms() - t0);
    ui_app_tap_id(app, "large_text");
    ui_app_render(app);
}

/* What asking for a step's prompt costs the UI thread (wall time: reading a file is a
 * wait, not work): the sound device opened, then every step's prompt in both languages
 * asked for, as the app does when a step begins. */
static void voice_stall(void)
{
    ui_voice *v;
    double t0 = bench_now_ms();
    if (ui_voice_create(NULL, 80, &v) != KIOSK_OK) {
        printf("voice: no sound device\n");
        return;
    }
    double open_ms = bench_now_ms() - t0, t[2 * FLOW_STEP_COUNT];
    int n = 0;
    static const char *const langs[] = {"zh_CN", "en"};
    for (int l = 0; l < 2; l++)
        for (int step = 0; step < FLOW_STEP_COUNT; step++) {
            const char *name = voice_prompt_name((flow_step)step);
            if (!name)
                continue;
            t0 = bench_now_ms();
            ui_voice_say(v, langs[l], name);
            t[n++] = bench_now_ms() - t0;
        }
    ui_voice_destroy(v);
    if (n == 0)
        return;
    bench_sort(t, (size_t)n);
    printf("voice on the UI thread: device opened %.2f ms; a prompt asked for p50 %.3f ms"
           "   max %.3f ms (target: no frame stalled, well under 4)\n",
           open_ms, t[n / 2], t[n - 1]);
}

static int run(ui_app *app, const char *script)
{
    ui_script_result res;
    if (ui_script_run(app, script, "/tmp", &res) != KIOSK_OK) {
        fprintf(stderr, "bench_ui: script line %d: %s\n", res.line, res.message);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300;
    if (n < 10)
        n = 10;
    setenv("SDL_VIDEODRIVER", "dummy", 0);
    setenv("SDL_AUDIODRIVER", "dummy", 0); /* a kiosk has sound: the app speaks, as in a hall */
    voice_stall();
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_BENCH_ASSETS, KIOSK_BENCH_FONTS);
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bench-ui-%d", (int)getpid());
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%s", dir);
    snprintf(cfg.printer_output_dir, sizeof cfg.printer_output_dir, "%s/receipts", dir);
    char cmd[600];
    if (test_state_provision(dir, "DEMO01") != KIOSK_OK) /* a unit that can save */
        return 1;

    ui_app *app;
    ui_app_options opt = {.headless = 1, .with_reader = 1, .with_store = 1};
    double t0 = bench_now_ms();
    if (ui_app_create(&cfg, &opt, &app) != KIOSK_OK)
        return 1;
    ui_app_render(app);
    printf("cold start to first attract frame: %.0f ms (target <= 300)\n", bench_now_ms() - t0);
    memory("at attract");
    if (getenv("BENCH_PAUSE_ATTRACT"))
        sleep((unsigned)atoi(getenv("BENCH_PAUSE_ATTRACT")));
    frames(app, "attract", n);
    if (!run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
                  "svc_register\nexpect questions\n"
                  "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\n"
                  "tap field_education\npick opt_21\npick opt_10\ntap next\n"
                  "tap field_household_division\npick div_370102001\npick div_370102001001\n"
                  "type 12\ntap kb_pinyin\ntype haolou\n"))
        return 1;
    frames(app, "pinyin keyboard", n);
    if (!run(app, "choose 0\ntap edit_done\ntap div_same\n"))
        return 1;
    frames(app, "form page", n);
    if (!run(app, "tap next\ntap field_mobile\ntype 13812345678\ntap edit_done\ntap next\n"
                  "tap field_unemployed_since\ntap month_9\npick opt_05\ntap opt_yes\n"
                  "tap next\ntap field_services\ntap opt_1\ntap edit_done\ntap next\n"
                  "expect review\n"))
        return 1;
    frames(app, "review", n);
    cold_frame(app, "review, large text 1st");
    sample("review, large text");
    if (!run(app, "tap next\ntap-while scroll_down\n"))
        return 1;
    frames(app, "commitment", n);
    if (!run(app, "tap agree\nsign\n"))
        return 1;
    frames(app, "signature pad, signed", n);
    if (!run(app, "tap sign_ok\nwait-for done 10000\n"))
        return 1;
    frames(app, "done, receipt preview", n);
    if (!run(app, "tap finish\nexpect attract\n"))
        return 1;
    memory("after a journey");
    printf("memory peak of the journey      RSS %6.1f MB   PSS %6.1f MB at %s (target PSS <= 40;"
           " sampled at every screen)\n",
           peak_rss, peak_pss, peak_where);
    /* the kernel's own high-water mark: every instant, between the samples too */
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    long hwm = -1;
    while (status && fgets(line, sizeof line, status))
        sscanf(line, "VmHWM: %ld kB", &hwm);
    if (status)
        fclose(status);
    printf("memory peak RSS of the process  %6.1f MB (VmHWM: every instant, shared pages whole)\n",
           hwm / 1024.0);
    if (getenv("BENCH_PAUSE")) /* look at /proc/PID/smaps meanwhile */
        sleep((unsigned)atoi(getenv("BENCH_PAUSE")));
    ui_app_destroy(app);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
