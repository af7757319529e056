/* Benchmark of the citizen's work: replays the demo registration
 * (tests/scripts/happy-path.script: the demo card, the community-level address
 * "…和平小区社区居委会" + "12号楼3单元402室" on the handwriting keyboard's digits and address
 * words, the residence "与户籍地址相同", a mobile number, the unemployment page, one
 * service, the commitment read to the end, a signature) through the real kiosk and prints
 *   1. the touches a citizen makes, counted as the session counts them (every touch but
 *      signature and handwriting strokes) — target ≤ 60;
 *   2. per step, the touches and a modelled citizen's time, and the total — target ≤ 5 min;
 *   3. the kiosk's memory (PSS) after every line, and its peak — target ≤ 40 MB.
 * The time is a model, not a measurement (a replay takes a second): an older first-time
 * user, 3 s to find and make each touch, 1.5 s for each further key of a number typed in
 * one go, 20 s to read each screenful of the commitment, 10 s to sign, 15 s to read each
 * question page's or outcome's text the first time, 10 s to read the review. The clock the
 * session runs on is advanced by the model before each line, so the session's own log line
 * (the step times) shows the same figures.
 * PSS depends on what else runs (shared library pages count less on a busy machine):
 * USS and RSS are printed beside it, the RSS bounding it from above on any machine.
 * Usage: bench_journey [SCRIPT]   (SDL_VIDEODRIVER=dummy is set when unset; BENCH_PEAK_LINE=1
 * prints each line that raised the memory peak, and where the peak's memory was) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "core/kiosk_clock.h"
#include "test_state.h"
#include "ui/ui_app.h"
#include "ui/ui_script.h"

/* The modelled seconds a citizen spends on one script line. */
static double model_s(const char *line, flow_step step)
{
    char cmd[32] = "", arg[64] = "";
    if (sscanf(line, "%31s %63s", cmd, arg) < 1)
        return 0;
    if (!strcmp(cmd, "pin") || !strcmp(cmd, "type"))
        return 3.0 + 1.5 * (double)(strlen(arg) - 1); /* find the keypad, then key on */
    if (!strcmp(cmd, "sign"))
        return 10.0;
    if (!strcmp(cmd, "card"))
        return 5.0; /* the card on the reader, or taken back */
    if (!strcmp(cmd, "tap-while"))
        return 0; /* counted per screenful below */
    if (!strcmp(cmd, "tap") || !strcmp(cmd, "pick") || !strcmp(cmd, "choose"))
        return step == FLOW_REVIEW && !strcmp(arg, "next") ? 10.0 + 3.0 : 3.0;
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : KIOSK_BENCH_SCRIPT;
    setenv("SDL_VIDEODRIVER", "dummy", 0);
    setenv("SDL_AUDIODRIVER", "dummy", 0);
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_BENCH_ASSETS, KIOSK_BENCH_FONTS);
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bench-journey-%d", (int)getpid());
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%s", dir);
    snprintf(cfg.printer_output_dir, sizeof cfg.printer_output_dir, "%s/receipts", dir);
    if (test_state_provision(dir, "DEMO01") != KIOSK_OK) /* a unit that can save */
        return 1;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_journey: cannot read %s\n", path);
        return 1;
    }
    kiosk_clock_manual clk;
    kiosk_clock_manual_init(&clk, 1796000000000LL); /* 2026-12-01, a working day */
    ui_app *app;
    ui_app_options opt = {.headless = 1, .with_reader = 1, .with_store = 1, .clock = &clk.clock};
    if (ui_app_create(&cfg, &opt, &app) != KIOSK_OK)
        return 1;

    int taps[FLOW_STEP_COUNT] = {0}, total_taps = 0;
    double secs[FLOW_STEP_COUNT] = {0}, total_s = 0;
    char line[512];
    int lineno = 0, ok = 1;
    bench_mem peak = {0, 0, 0};
    double peak_rss = 0;
    static char peak_parts[8192];
    flow_step peak_at = FLOW_ATTRACT;
    while (ok && fgets(line, sizeof line, f)) {
        lineno++;
        /* comments, and the script's screenshots: a citizen's journey takes none (a
         * PNG of the whole screen would count in the memory) */
        if (line[0] == '#' || line[0] == '\n' || !strncmp(line, "screenshot", 10))
            continue;
        flow_step step = ui_app_view(app)->step;
        int screens = !strncmp(line, "tap-while scroll_down", 21);
        double s = model_s(line, step);
        if (step == FLOW_QUESTIONS && taps[step] == 0 && s > 0)
            s += 15.0; /* the four questions read once */
        kiosk_clock_manual_advance(&clk, (int64_t)(s * 1000));
        ui_script_result res;
        if (ui_script_run(app, line, "/tmp", &res) != KIOSK_OK) {
            fprintf(stderr, "bench_journey: %s:%d: %s\n", path, lineno, res.message);
            ok = 0;
            break;
        }
        if (screens) /* each screenful read, then ▼ */
            s = 23.0 * res.taps, kiosk_clock_manual_advance(&clk, (int64_t)(s * 1000));
        ui_app_render(app); /* the screen as the citizen sees it, then its memory */
        bench_mem m;
        bench_mem_now(&m);
        if (m.rss > peak_rss)
            peak_rss = m.rss;
        if (m.pss > peak.pss) {
            peak = m;
            peak_at = ui_app_view(app)->step;
            if (getenv("BENCH_PEAK_LINE")) { /* which touch raised it, and where it is */
                fprintf(stderr, "peak %.1f MB after line %d: %s", m.pss, lineno, line);
                bench_pss_breakdown(peak_parts, sizeof peak_parts);
            }
        }
        taps[step] += res.taps;
        total_taps += res.taps;
        secs[step] += s;
        total_s += s;
    }
    fclose(f);
    bench_mem after;
    bench_mem_now(&after);
    if (ok) {
        printf("demo registration (%s)\n", path);
        printf("  %-14s %7s %10s\n", "step", "touches", "modelled");
        for (int i = 0; i < FLOW_STEP_COUNT; i++)
            if (taps[i] || secs[i] > 0)
                printf("  %-14s %7d %8.0f s\n", ui_script_step_name((flow_step)i), taps[i],
                       secs[i]);
        printf("touches: %d (target <= 60)\n", total_taps);
        printf("modelled citizen time: %.0f s = %.1f min (target <= 5 min)\n", total_s,
               total_s / 60.0);
        printf("memory peak: PSS %.1f MB at %s (target <= 40; USS %.1f, RSS %.1f then, RSS "
               "peak %.1f)\n",
               peak.pss, ui_script_step_name(peak_at), peak.uss, peak.rss, peak_rss);
        printf("memory after the journey: PSS %.1f MB (USS %.1f, RSS %.1f)\n", after.pss, after.uss,
               after.rss);
        if (peak_parts[0])
            printf("where the peak's PSS was:\n%s", peak_parts);
    }
    ui_app_destroy(app);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return ok && system(cmd) == 0 ? 0 : 1;
}
