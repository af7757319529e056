/* Large text as one theme, pages that fit, and touches that tap on release.
 *
 * - In hall mode (1080×1920) every form page and the review fit without scrolling, with
 *   the demo data (a community-level address, "12号楼3单元402室"), in normal and large text,
 *   in Chinese and English: the max scroll the UI reports is 0 on each, before and after
 *   the page is filled in. Only the commitment scrolls.
 * - A drag on the commitment scrolls it with the finger and opens nothing; a touch that
 *   moves less than the drag threshold still taps; a drag that starts on a form field (the
 *   portable unit's scrolling page) does not open it.
 * - Large text scales every text role by one factor: the title stays above the body.
 * The screens passed are saved in tests/tmp/screens/fit-*.png for a reviewer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/kiosk_clock.h"
#include "ui/ui_app.h"
#include "ui/ui_script.h"
#include "ui/ui_theme.h"

static kiosk_config cfg;
static char shots[512];
static const char demo_card[] = KIOSK_TEST_ASSETS "/cards/demo.ini";

static int setup(void **state)
{
    (void)state;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    cfg.idle_timeout_s = 90;
    snprintf(cfg.reader_card_profile, sizeof cfg.reader_card_profile, "%s", demo_card);
    snprintf(shots, sizeof shots, "%s/screens", KIOSK_TEST_TMP);
    mkdir(shots, 0755);
    return 0;
}

static ui_app *start(kiosk_mode mode)
{
    cfg.mode = mode;
    ui_app *app;
    ui_app_options opt = {.headless = 1, .with_reader = 1};
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    return app;
}

static void run(ui_app *app, const char *script)
{
    ui_script_result res;
    kiosk_rc rc = ui_script_run(app, script, shots, &res);
    if (rc != KIOSK_OK)
        fail_msg("script line %d: %s", res.line, res.message);
}

/* The screens that scrolled in this walk, named all at once at its end. */
static char scrolled[1024];

/* The screen, rendered now, must not scroll. */
static void assert_fits(ui_app *app, const char *what, const char *tag)
{
    ui_app_render(app);
    int y = 0, max = 0;
    ui_app_scroll_get(app, &y, &max);
    char line[300];
    snprintf(line, sizeof line, "screenshot fit-%s-%s.png\n", tag, what);
    run(app, line);
    if (max != 0) {
        size_t used = strlen(scrolled);
        snprintf(scrolled + used, sizeof scrolled - used, " %s (%s) by %d px;", what, tag, max);
    }
}

/* The demo registration's pages one by one, each checked empty and filled. */
static const char *const pages[][2] = {
    {"personal", "tap field_education\npick opt_21\npick opt_10\n"},
    {"document", "tap field_household_division\npick div_370102001\npick div_370102001001\n"
                 "type 12\ntap kb_号\ntap kb_楼\ntype 3\ntap kb_单元\ntype 402\ntap kb_室\n"
                 "tap edit_done\ntap div_same\n"},
    {"contact", "tap field_mobile\ntype 13812345678\ntap edit_done\n"},
    {"unemployment", "tap field_unemployed_since\ntap month_9\n"
                     "pick opt_05\ntap opt_yes\n"},
    {"wishes", "tap field_services\ntap opt_1\ntap edit_done\n"},
};

/* english: 0 Simplified, 1 English, 2 Traditional (zh_Hant: one more tap of the switch) */
static void walk_hall(int large, int english)
{
    ui_app *app = start(KIOSK_MODE_HALL);
    scrolled[0] = '\0';
    char tag[32];
    snprintf(tag, sizeof tag, "%s%s",
             english == 2 ? "hant"
             : english    ? "en"
                          : "zh",
             large ? "-large" : "");
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n");
    if (large)
        run(app, "tap large_text\n");
    for (int tap = 0; tap < english; tap++)
        run(app, "tap language\n");
    assert_int_equal(ui_app_large_text(app), large);
    assert_string_equal(ui_app_language(app), english == 2 ? "zh_Hant" : english ? "en" : "zh_CN");
    run(app, "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n");
    for (size_t p = 0; p < sizeof pages / sizeof pages[0]; p++) {
        char what[64];
        snprintf(what, sizeof what, "%zu-%s", p + 1, pages[p][0]);
        assert_fits(app, what, tag);
        run(app, pages[p][1]);
        snprintf(what, sizeof what, "%zu-%s-filled", p + 1, pages[p][0]);
        assert_fits(app, what, tag);
        run(app, "tap next\n");
    }
    run(app, "expect review\n");
    /* the review, in two parts where it does not fit in one */
    for (int part = 1; part <= 3 && ui_app_view(app)->step == FLOW_REVIEW; part++) {
        char what[32];
        snprintf(what, sizeof what, "review-%d", part);
        assert_fits(app, what, tag);
        assert_true(part < 3);
        run(app, "tap next\n");
    }
    /* the commitment is the one screen that scrolls */
    run(app, "expect commitment\n");
    ui_app_render(app);
    int y = 0, max = 0;
    ui_app_scroll_get(app, &y, &max);
    ui_app_destroy(app);
    assert_true(max > 0);
    if (scrolled[0])
        fail_msg("scrolling in hall mode:%s", scrolled);
}

static void test_hall_fits_zh(void **state)
{
    (void)state;
    walk_hall(0, 0);
}

static void test_hall_fits_zh_large(void **state)
{
    (void)state;
    walk_hall(1, 0);
}

static void test_hall_fits_en(void **state)
{
    (void)state;
    walk_hall(0, 1);
}

static void test_hall_fits_en_large(void **state)
{
    (void)state;
    walk_hall(1, 1);
}

static void test_hall_fits_hant_large(void **state)
{
    (void)state;
    walk_hall(1, 2);
}

static const char to_form[] = "card insert\nwait-for pin\npin 123456\ntap pin_ok\n"
                              "wait-for services\ntap svc_register\nexpect questions\ntap "
                              "q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n";

/* A drag on the commitment scrolls it with the finger and agrees to nothing; the ▲ ▼
 * buttons are still there. */
static void test_drag_scrolls_commitment(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL);
    run(app, to_form);
    for (size_t p = 0; p < sizeof pages / sizeof pages[0]; p++) {
        run(app, pages[p][1]);
        run(app, "tap next\n");
    }
    run(app, "expect review\ntap next\nexpect commitment\n");
    ui_app_render(app);
    int y = 0, max = 0;
    ui_app_scroll_get(app, &y, &max);
    assert_int_equal(y, 0);
    assert_true(max > 0);
    SDL_Rect down;
    assert_true(ui_app_widget_rect(app, "scroll_down", &down));
    /* up by 600 px from the middle of the text */
    run(app, "swipe 400 1300 400 700\nexpect commitment\n");
    ui_app_scroll_get(app, &y, &max);
    assert_int_equal(y, 600);
    /* back down by 200: the text follows the finger */
    run(app, "swipe 400 800 400 1000\nexpect commitment\n");
    ui_app_scroll_get(app, &y, &max);
    assert_int_equal(y, 400);
    /* a drag that ends on "agree" (greyed until the end is read) or starts on ▼ acts not */
    SDL_Rect r = down;
    char line[160];
    snprintf(line, sizeof line, "swipe %d %d %d %d\n", r.x + r.w / 2, r.y + r.h / 2, r.x + r.w / 2,
             r.y + r.h / 2 - 300);
    run(app, line);
    ui_app_scroll_get(app, &y, &max);
    assert_int_equal(y, 700); /* ▼ did not act (a third of the screen): the text followed */
    /* the buttons still scroll by a tap, and a swipe to the end lets the citizen agree */
    run(app, "tap scroll_down\n");
    ui_app_scroll_get(app, &y, &max);
    assert_true(y > 700 || y == max);
    for (int i = 0; i < 100 && y < max; i++) {
        run(app, "swipe 400 1500 400 500\n");
        ui_app_scroll_get(app, &y, &max);
    }
    assert_int_equal(y, max);
    run(app, "screenshot fit-commitment-dragged.png\ntap agree\nexpect signature\n");
    ui_app_destroy(app);
}

/* A touch that wanders less than the threshold is a tap; one that goes farther is a drag
 * and opens nothing, even where it started on a field. */
static void test_tap_on_release(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL);
    run(app, to_form);
    ui_app_render(app);
    SDL_Rect f;
    assert_true(ui_app_widget_rect(app, "field_education", &f));
    int x = f.x + f.w / 2, y = f.y + f.h / 2;
    /* down: nothing yet (a swipe may follow) */
    ui_app_touch(app, 0, x, y);
    ui_app_pump(app);
    assert_true(ui_app_widget_rect(app, "field_education", &f));
    /* a drag of 2 cm: up somewhere else, nothing opens */
    ui_app_touch(app, 1, x, y - 40);
    ui_app_touch(app, 1, x, y - 160);
    ui_app_touch(app, 2, x, y - 160);
    ui_app_pump(app);
    SDL_Rect cancel;
    assert_false(ui_app_widget_rect(app, "edit_cancel", &cancel));
    assert_true(ui_app_widget_rect(app, "field_education", &f));
    /* a finger that trembles a little (under 3 mm) still taps, on release */
    ui_app_touch(app, 0, x, y);
    ui_app_touch(app, 1, x + 3, y + 2);
    ui_app_pump(app);
    assert_false(ui_app_widget_rect(app, "edit_cancel", &cancel));
    ui_app_touch(app, 2, x + 3, y + 2);
    ui_app_pump(app);
    assert_true(ui_app_widget_rect(app, "edit_cancel", &cancel));
    ui_app_destroy(app);
}

/* The portable unit's form page scrolls in large text: a swipe starting on a field
 * scrolls it and leaves the field closed. */
static void test_portable_drag_on_field(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_PORTABLE);
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n"
             "tap large_text\ntap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\n"
             "expect form\n");
    ui_app_render(app);
    int y = 0, max = 0;
    ui_app_scroll_get(app, &y, &max);
    run(app, "screenshot fit-portable-large-personal.png\n");
    if (max == 0) { /* the page fits: one that does not is the wishes page */
        for (size_t p = 0; p + 1 < sizeof pages / sizeof pages[0]; p++)
            run(app, "tap next\n");
        ui_app_render(app);
        ui_app_scroll_get(app, &y, &max);
    }
    assert_true(max > 0);
    SDL_Rect f = {0};
    const char *ids[] = {"field_education", "field_job_wish_1", "field_services"};
    size_t k = 0;
    while (k < 3 && !ui_app_widget_rect(app, ids[k], &f))
        k++;
    assert_true(k < 3);
    int x = f.x + f.w / 2, fy = f.y + f.h / 2, dy = max < 120 ? max : 120;
    char line[160];
    snprintf(line, sizeof line, "swipe %d %d %d %d\nexpect form\n", x, fy, x, fy - dy);
    run(app, line);
    SDL_Rect cancel;
    assert_false(ui_app_widget_rect(app, "edit_cancel", &cancel));
    ui_app_scroll_get(app, &y, &max);
    assert_int_equal(y, dy);
    run(app, "screenshot fit-portable-large-dragged.png\n");
    ui_app_destroy(app);
}

/* The dialogs (the idle countdown, the cancel question, help) in every mode: each of
 * their buttons lies whole inside the screen and apart from the others; the screens are
 * saved for a reviewer to look at (fit-dialog-*.png). */
static void put(const char *dir, const char *name, const char *text)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void dialogs_in(kiosk_mode mode, int large, int english)
{
    /* a portable unit's battery (76 %, on battery) for the status line */
    char bat[300];
    snprintf(cfg.power_supply, sizeof cfg.power_supply, "%.200s/fit-power", KIOSK_TEST_TMP);
    mkdir(cfg.power_supply, 0755);
    snprintf(bat, sizeof bat, "%.250s/BAT0", cfg.power_supply);
    mkdir(bat, 0755);
    put(bat, "type", "Battery\n");
    put(bat, "status", "Discharging\n");
    put(bat, "capacity", "76\n");
    put(bat, "present", "1\n");
    kiosk_clock_manual clk;
    kiosk_clock_manual_init(&clk, 1763600000000LL);
    cfg.mode = mode;
    ui_app *app;
    ui_app_options opt = {.headless = 1, .with_reader = 1, .clock = &clk.clock};
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    char tag[48], line[200];
    if (large && english && mode == KIOSK_MODE_PORTABLE) /* the attract screen's status line */
        run(app, "tap large_text\ntap language\nscreenshot fit-portable-attract-en-large.png\n"
                 "tap large_text\ntap language\ntap language\n"); /* en → 繁體 → 中文 */
    snprintf(tag, sizeof tag, "%s-%s%s", mode == KIOSK_MODE_PORTABLE ? "portable" : "hall",
             english ? "en" : "zh", large ? "-large" : "");
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n");
    if (large)
        run(app, "tap large_text\n");
    if (english)
        run(app, "tap language\n");
    int w, h;
    ui_app_size(app, &w, &h);
    static const struct {
        const char *name, *open, *ids[2], *close;
    } dialogs[] = {
        {"cancel", "tap cancel\n", {"cancel_keep", "cancel_confirm"}, "tap cancel_keep\n"},
        {"help", "tap help\n", {"help_ok", NULL}, "tap help_ok\n"},
        {"more-time", NULL, {"more_time", NULL}, "tap more_time\n"},
    };
    for (size_t d = 0; d < sizeof dialogs / sizeof dialogs[0]; d++) {
        if (dialogs[d].open) {
            run(app, dialogs[d].open);
        } else { /* the idle countdown */
            kiosk_clock_manual_advance(&clk, 91 * 1000LL);
            ui_app_pump(app);
        }
        ui_app_render(app);
        snprintf(line, sizeof line, "screenshot fit-dialog-%s-%s.png\n", dialogs[d].name, tag);
        run(app, line);
        SDL_Rect r[2];
        for (int i = 0; i < 2 && dialogs[d].ids[i]; i++) {
            if (!ui_app_widget_rect(app, dialogs[d].ids[i], &r[i]))
                fail_msg("%s (%s): no %s", dialogs[d].name, tag, dialogs[d].ids[i]);
            assert_true(r[i].x >= 0 && r[i].y >= 0 && r[i].x + r[i].w <= w && r[i].y + r[i].h <= h);
        }
        if (dialogs[d].ids[1])
            assert_false(SDL_HasIntersection(&r[0], &r[1]));
        run(app, dialogs[d].close);
    }
    ui_app_destroy(app);
}

static void test_dialogs(void **state)
{
    (void)state;
    for (int mode = 0; mode < 2; mode++)
        for (int large = 0; large < 2; large++)
            for (int english = 0; english < 2; english++)
                dialogs_in(mode ? KIOSK_MODE_PORTABLE : KIOSK_MODE_HALL, large, english);
}

/* One factor for every text role: large text keeps the title above the body, and
 * options, candidates and keys grow with it. */
static void test_one_scale(void **state)
{
    (void)state;
    for (int landscape = 0; landscape < 2; landscape++) {
        ui_theme n, l;
        int w = landscape ? 1280 : 1080, h = landscape ? 800 : 1920;
        ui_theme_init(&n, w, h, 160, 0, 0);
        ui_theme_init(&l, w, h, 160, 1, 0);
        assert_true(ui_theme_size_px(&l, UI_SIZE_TITLE) > ui_theme_size_px(&l, UI_SIZE_BODY));
        assert_true(ui_theme_size_px(&l, UI_SIZE_TITLE) >=
                    ui_theme_size_px(&l, UI_SIZE_FIELD_VALUE));
        const ui_size roles[] = {UI_SIZE_TITLE,  UI_SIZE_BODY,       UI_SIZE_OPTION,
                                 UI_SIZE_KEY,    UI_SIZE_CANDIDATE,  UI_SIZE_DIALOG,
                                 UI_SIZE_BUTTON, UI_SIZE_FIELD_VALUE};
        for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
            float k = (float)ui_theme_size_px(&l, roles[i]) / (float)ui_theme_size_px(&n, roles[i]);
            if (k < 1.25f || k > 1.35f)
                fail_msg("role %d grows by %.2f in large text (one factor: %.2f)", (int)roles[i],
                         (double)k, (double)l.text_scale);
        }
        /* touch targets that carry text grow too, never under 9 mm */
        assert_true(ui_theme_text_target_px(&l, 100) > ui_theme_text_target_px(&n, 100));
        assert_true(ui_theme_text_target_px(&n, 10) >= n.min_target_px);
        assert_true(ui_theme_target_px(&n, 10) >= n.min_target_px);
        assert_true(n.drag_px > 0 && n.drag_px < n.min_target_px);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_one_scale, setup),
        cmocka_unit_test_setup(test_hall_fits_zh, setup),
        cmocka_unit_test_setup(test_hall_fits_zh_large, setup),
        cmocka_unit_test_setup(test_hall_fits_en, setup),
        cmocka_unit_test_setup(test_hall_fits_en_large, setup),
        cmocka_unit_test_setup(test_hall_fits_hant_large, setup),
        cmocka_unit_test_setup(test_drag_scrolls_commitment, setup),
        cmocka_unit_test_setup(test_tap_on_release, setup),
        cmocka_unit_test_setup(test_portable_drag_on_field, setup),
        cmocka_unit_test_setup(test_dialogs, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
