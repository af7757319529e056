/* What the kiosk's own icons cost with the software renderer at 1080×1920: each icon at
 * its title size, and the waiting arc, which a waiting screen draws 12.5 times a second
 * (UI_JOURNEY_ANIM_MS). CPU time of the process, so a busy machine does not blur it;
 * printed beside the target. Run by hand: build/tests/bench_icon. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"
#include "ui/ui_icon.h"
#include "ui/ui_journey.h"

#define RUNS 400

static void report(const char *name, double *t, double target)
{
    bench_sort(t, RUNS);
    printf("%-22s p50 %6.3f ms   p99 %6.3f ms (target p99 <= %.1f)\n", name, t[RUNS / 2],
           t[RUNS * 99 / 100], target);
}

int main(void)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1080, 1920, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    if (!r) {
        fprintf(stderr, "bench_icon: %s\n", SDL_GetError());
        return 1;
    }
    ui_theme t;
    ui_theme_init(&t, 1080, 1920, 160, 0, 0);
    static double times[RUNS];
    static const struct {
        const char *name;
        ui_icon_kind kind;
    } icons[] = {{"icon success (99 px)", UI_ICON_SUCCESS},
                 {"icon notice (99 px)", UI_ICON_NOTICE},
                 {"icon error (99 px)", UI_ICON_ERROR},
                 {"icon card (99 px)", UI_ICON_CARD}};
    for (size_t k = 0; k < sizeof icons / sizeof icons[0]; k++) {
        for (int i = 0; i < RUNS; i++) {
            double t0 = bench_process_cpu_ms();
            ui_icon_draw(r, &t, icons[k].kind, (SDL_Rect){48, 241, 99, 99});
            SDL_RenderFlush(r);
            times[i] = bench_process_cpu_ms() - t0;
        }
        report(icons[k].name, times, 0.5);
    }
    for (int i = 0; i < RUNS; i++) {
        double t0 = bench_process_cpu_ms();
        ui_icon_spinner(r, &t, (SDL_Rect){465, 1000, 150, 150}, (int64_t)i * UI_JOURNEY_ANIM_MS);
        SDL_RenderFlush(r);
        times[i] = bench_process_cpu_ms() - t0;
    }
    report("waiting arc (150 px)", times, 0.5);
    printf("a waiting screen redraws every %d ms (%.1f frames a second) and sleeps otherwise\n",
           UI_JOURNEY_ANIM_MS, 1000.0 / UI_JOURNEY_ANIM_MS);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
    return 0;
}
