/*
 * The kiosk's sound, heard through SDL's disk audio driver (SDL_AUDIODRIVER=disk writes
 * what the device plays into SDL_DISKAUDIOFILE): every step's prompt, in Mandarin and in
 * English, is speech and not silence; the help chime sounds; the app speaks a step when
 * the sound switch is on and says nothing when it is off.
 */
#include <SDL.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/voice.h"
#include "config/kiosk_config.h"
#include "ui/ui_app.h"
#include "ui/ui_script.h"
#include "ui/ui_voice.h"

/* What the device played: samples louder than a whisper, and all of them. */
typedef struct heard {
    size_t samples, loud;
    double rms;
} heard;

static heard listen(const char *path)
{
    heard h = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return h; /* never opened: nothing was played */
    int16_t buf[4096];
    double sum = 0;
    size_t n;
    while ((n = fread(buf, sizeof buf[0], sizeof buf / sizeof buf[0], f)) > 0) {
        for (size_t i = 0; i < n; i++) {
            int x = buf[i] < 0 ? -buf[i] : buf[i];
            h.loud += x > 500;
            sum += (double)buf[i] * buf[i];
        }
        h.samples += n;
    }
    fclose(f);
    h.rms = h.samples ? SDL_sqrt(sum / (double)h.samples) : 0;
    return h;
}

static void disk_file(const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/voice-%s.raw", KIOSK_TEST_TMP, name);
    remove(path);
    setenv("SDL_DISKAUDIOFILE", path, 1);
}

/* Wait until the device took everything queued (the disk driver runs fast: see main). */
static void drain(ui_voice *v)
{
    for (int i = 0; i < 2000 && ui_voice_queued(v) > 0; i++)
        SDL_Delay(5);
    assert_int_equal(ui_voice_queued(v), 0);
    SDL_Delay(30);
}

static void test_every_prompt_speaks(void **state)
{
    (void)state;
    static const char *const langs[] = {"zh_CN", "en", "zh_Hant"};
    /* every step's prompt, and the attract screen's for a card inserted or either */
    const char *names[FLOW_STEP_COUNT + 5];
    size_t nnames = 0;
    for (int step = FLOW_ATTRACT; step <= FLOW_CARD_AWAY; step++)
        names[nnames++] = voice_prompt_name((flow_step)step);
    names[nnames++] = voice_attract_prompt(KIOSK_CARD_INSERT);
    names[nnames++] = voice_attract_prompt(KIOSK_CARD_EITHER);
    /* the unfinished form's offer (ui_app), for each type of form kept */
    names[nnames++] = voice_resume_prompt(REGISTRATION_TYPE_REGISTRATION);
    names[nnames++] = voice_resume_prompt(REGISTRATION_TYPE_DEREGISTRATION);
    names[nnames++] = voice_resume_prompt(REGISTRATION_TYPE_JOBSEEKER);
    for (size_t l = 0; l < 3; l++) {
        for (size_t k = 0; k < nnames; k++) {
            const char *name = names[k];
            assert_non_null(name);
            char path[400], tag[64];
            snprintf(tag, sizeof tag, "%s-%s", langs[l], name);
            disk_file(tag, path, sizeof path);
            ui_voice *v;
            assert_int_equal(ui_voice_create(NULL, 80, &v), KIOSK_OK);
            assert_int_equal(ui_voice_say(v, langs[l], name), KIOSK_OK);
            drain(v);
            ui_voice_destroy(v);
            heard h = listen(path);
            print_message("%-5s %-12s %.2f s played, %.2f s loud, rms %.0f\n", langs[l], name,
                          (double)h.samples / 22050, (double)h.loud / 22050, h.rms);
            /* at least half a second of speech in every prompt */
            assert_true(h.loud > 22050 / 2);
            assert_true(h.rms > 300);
            remove(path);
        }
    }
}

static void test_missing_prompt(void **state)
{
    (void)state;
    char path[400];
    disk_file("missing", path, sizeof path);
    ui_voice *v;
    assert_int_equal(ui_voice_create(NULL, 80, &v), KIOSK_OK);
    assert_int_equal(ui_voice_say(v, "zh_CN", "no_such_prompt"), KIOSK_NOT_FOUND);
    ui_voice_destroy(v);
    remove(path);
}

static void test_chime_sounds(void **state)
{
    (void)state;
    char path[400];
    disk_file("chime", path, sizeof path);
    ui_voice *v;
    assert_int_equal(ui_voice_create(NULL, 100, &v), KIOSK_OK);
    assert_int_equal(ui_voice_chime(v), KIOSK_OK);
    drain(v);
    ui_voice_destroy(v);
    heard h = listen(path);
    print_message("chime: %.2f s loud, rms %.0f\n", (double)h.loud / 22050, h.rms);
    assert_true(h.loud > 22050 / 4); /* two tones of 0.18 s */
    remove(path);
}

/* A prompt is read by the loader thread: one asked for and then silenced, or followed by
 * the chime (help tapped as a step begins), is never played once it is read. */
static void test_cancelled_prompt_not_played(void **state)
{
    (void)state;
    char path[400];
    disk_file("stopped", path, sizeof path);
    ui_voice *v;
    assert_int_equal(ui_voice_create(NULL, 80, &v), KIOSK_OK);
    assert_int_equal(ui_voice_say(v, "zh_CN", "attract"), KIOSK_OK); /* 9 s of speech */
    ui_voice_stop(v);
    drain(v);
    ui_voice_destroy(v);
    heard h = listen(path);
    print_message("stopped at once: %.2f s loud\n", (double)h.loud / 22050);
    assert_true(h.loud < 22050 / 4);
    remove(path);

    disk_file("chime-over", path, sizeof path);
    assert_int_equal(ui_voice_create(NULL, 100, &v), KIOSK_OK);
    assert_int_equal(ui_voice_say(v, "zh_CN", "attract"), KIOSK_OK);
    assert_int_equal(ui_voice_chime(v), KIOSK_OK);
    drain(v);
    ui_voice_destroy(v);
    h = listen(path);
    print_message("chime over a prompt: %.2f s loud\n", (double)h.loud / 22050);
    assert_true(h.loud > 22050 / 4); /* the chime */
    assert_true(h.loud < 22050 * 6 / 10);
    remove(path);
}

/* The sound the app played for script (the simulated card, the hall's default sound
 * switch enabled), from SDL's disk audio driver. */
static heard app_heard(const char *tag, int enabled, const char *script)
{
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%s/voice-state", KIOSK_TEST_TMP);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", cfg.state_dir);
    assert_int_equal(system(cmd), 0);
    cfg.voice_enabled = enabled;
    char path[400];
    disk_file(tag, path, sizeof path);
    ui_app_options opt = {.headless = 1, .with_reader = 1};
    ui_app *app;
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    ui_script_result res;
    assert_int_equal(ui_app_render(app), KIOSK_OK);
    assert_int_equal(ui_script_run(app, script, KIOSK_TEST_TMP, &res), KIOSK_OK);
    ui_app_destroy(app);
    heard h = listen(path);
    print_message("%s: %.2f s played, %.2f s loud\n", tag, (double)h.samples / 22050,
                  (double)h.loud / 22050);
    remove(path);
    return h;
}

/* The app on a simulated card up to the PIN screen: reading the card and the PIN are
 * spoken when the sound is on, nothing when it is off; the switch turns it on. */
static heard app_to_pin(const char *tag, int enabled, const char *more)
{
    char script[400];
    snprintf(script, sizeof script, "card insert\nwait-for pin 5000\n%swait 400\n", more);
    return app_heard(tag, enabled, script);
}

static void test_app_voice_on_off(void **state)
{
    (void)state;
    heard on = app_to_pin("app-on", 1, "");
    assert_true(on.loud > 22050 / 2);
    heard off = app_to_pin("app-off", 0, "");
    assert_int_equal(off.loud, 0);
    heard switched = app_to_pin("app-switched-on", 0, "tap voice\n");
    assert_true(switched.loud > 22050 / 2);
    heard switched_off = app_to_pin("app-switched-off", 1, "tap voice\n");
    /* the PIN's prompt cut short when the switch goes off: less than when left on */
    assert_true(switched_off.loud < on.loud);
}

/* The attract screen: silent by itself (a hall would go mad), whatever the hall's default;
 * the prompt once when the sound switch is turned on there. */
static void test_attract_speaks_only_when_asked(void **state)
{
    (void)state;
    heard idle = app_heard("attract-idle", 1, "expect attract\nwait 1500\n");
    assert_int_equal(idle.loud, 0);
    heard on = app_heard("attract-switched-on", 0, "expect attract\ntap voice\nwait 1500\n");
    assert_true(on.loud > 22050 / 2);
    heard off = app_heard("attract-switched-off", 1, "tap voice\nwait 1000\n");
    assert_int_equal(off.loud, 0);
}

int main(void)
{
    /* every sound into a file, 20× faster than it would play (1 ms per 1024 samples) */
    setenv("SDL_AUDIODRIVER", "disk", 1);
    setenv("SDL_DISKAUDIODELAY", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_prompt_speaks),
        cmocka_unit_test(test_missing_prompt),
        cmocka_unit_test(test_chime_sounds),
        cmocka_unit_test(test_cancelled_prompt_not_played),
        cmocka_unit_test(test_app_voice_on_off),
        cmocka_unit_test(test_attract_speaks_only_when_asked),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return failed;
}
