/*
 * Voice guidance without a device: every step has its prompt, and every prompt its text
 * in both string tables (the build renders those texts; a missing one would be a silent
 * screen); the help chime is two tones, soft at the edges, scaled by the volume.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/voice.h"
#include "config/kiosk_strings.h"

static void test_every_step_has_a_prompt(void **state)
{
    (void)state;
    static const char *const langs[] = {"zh_CN", "en", "zh_Hant"};
    for (size_t l = 0; l < 3; l++) {
        kiosk_strings *s;
        assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", langs[l], &s, NULL),
                         KIOSK_OK);
        for (int step = FLOW_ATTRACT; step < FLOW_STEP_COUNT + 2; step++) {
            /* each step's prompt, then the attract screen's for a card inserted or either */
            const char *name = step < FLOW_STEP_COUNT    ? voice_prompt_name((flow_step)step)
                               : step == FLOW_STEP_COUNT ? voice_attract_prompt(KIOSK_CARD_INSERT)
                                                         : voice_attract_prompt(KIOSK_CARD_EITHER);
            assert_non_null(name);
            for (int other = FLOW_ATTRACT; other < step && other < FLOW_STEP_COUNT; other++)
                assert_string_not_equal(name, voice_prompt_name((flow_step)other));
            char key[64];
            snprintf(key, sizeof key, "voice.%s", name);
            const char *text = kiosk_strings_find(s, key);
            if (!text)
                fail_msg("%s has no %s", langs[l], key);
            assert_true(strlen(text) > 4);
        }
        kiosk_strings_destroy(s);
    }
    assert_null(voice_prompt_name(FLOW_STEP_COUNT));
}

/* The unfinished form's offer names the kept form: a prompt of its own for each type, with
 * its text in every string table. */
static void test_resume_prompt_per_type(void **state)
{
    (void)state;
    static const char *const langs[] = {"zh_CN", "en", "zh_Hant"};
    static const char *const names[] = {"登记", "注销申报", "求职登记"};
    const registration_type types[] = {REGISTRATION_TYPE_REGISTRATION,
                                       REGISTRATION_TYPE_DEREGISTRATION,
                                       REGISTRATION_TYPE_JOBSEEKER};
    assert_string_equal(voice_resume_prompt(REGISTRATION_TYPE_REGISTRATION), "resume");
    for (size_t l = 0; l < 3; l++) {
        kiosk_strings *s;
        assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", langs[l], &s, NULL),
                         KIOSK_OK);
        for (size_t t = 0; t < 3; t++) {
            for (size_t u = 0; u < t; u++)
                assert_string_not_equal(voice_resume_prompt(types[t]),
                                        voice_resume_prompt(types[u]));
            char key[64];
            snprintf(key, sizeof key, "voice.%s", voice_resume_prompt(types[t]));
            const char *text = kiosk_strings_find(s, key);
            if (!text)
                fail_msg("%s has no %s", langs[l], key);
            if (l == 0 && !strstr(text, names[t])) /* Simplified: says which form */
                fail_msg("%s does not name %s", key, names[t]);
        }
        kiosk_strings_destroy(s);
    }
}

/* Zero crossings of x[0..n) as a frequency at rate. */
static double frequency(const int16_t *x, size_t n, int rate)
{
    size_t crossings = 0;
    for (size_t i = 1; i < n; i++)
        crossings += (x[i - 1] < 0) != (x[i] < 0);
    return (double)crossings / 2.0 / ((double)n / rate);
}

static void test_chime(void **state)
{
    (void)state;
    enum { RATE = 22050 };
    static int16_t pcm[RATE];
    size_t n = voice_chime(pcm, RATE, RATE, 100);
    assert_int_equal(n, voice_chime_samples(RATE));
    assert_true(n > RATE / 3 && n < RATE / 2); /* 0.4 s */
    /* soft edges: no click at the start or end */
    assert_true(abs(pcm[0]) < 100 && abs(pcm[n - 1]) < 2000);
    int peak = 0;
    for (size_t i = 0; i < n; i++)
        peak = abs(pcm[i]) > peak ? abs(pcm[i]) : peak;
    assert_true(peak > 12000 && peak <= 16384);
    /* two tones: E6 in the first tone's middle, C6 in the second's */
    size_t tone = (size_t)RATE * 180 / 1000, gap = (size_t)RATE * 40 / 1000;
    double f1 = frequency(pcm + tone / 4, tone / 2, RATE);
    double f2 = frequency(pcm + tone + gap + tone / 4, tone / 2, RATE);
    assert_true(f1 > 1250 && f1 < 1390);
    assert_true(f2 > 990 && f2 < 1100);
    /* silent between them */
    for (size_t i = tone + 2; i < tone + gap - 2; i++)
        assert_int_equal(pcm[i], 0);
    /* the buffer's end is respected; volume 0 is silence */
    assert_int_equal(voice_chime(pcm, 100, RATE, 100), 100);
    n = voice_chime(pcm, RATE, RATE, 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(pcm[i], 0);
}

static void test_scale(void **state)
{
    (void)state;
    int16_t x[4] = {1000, -1000, 32767, -32768};
    voice_scale(x, 4, 100);
    assert_int_equal(x[2], 32767);
    voice_scale(x, 4, 50);
    assert_int_equal(x[0], 500);
    assert_int_equal(x[1], -500);
    assert_int_equal(x[3], -16384);
    voice_scale(x, 4, -3);
    assert_int_equal(x[0], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_step_has_a_prompt),
        cmocka_unit_test(test_resume_prompt_per_type),
        cmocka_unit_test(test_chime),
        cmocka_unit_test(test_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
