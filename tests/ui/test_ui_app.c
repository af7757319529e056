/* Tests of the kiosk application shell, headless: the attract screen renders Chinese
 * text from the project's fonts in both layouts, every string of both languages can be
 * drawn, the toggles react to touches, and --screenshot's PNG is a real image. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_app.h"
#include "ui/ui_attract.h"

static kiosk_config cfg;

static int setup(void **state)
{
    (void)state;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    return 0;
}

/* Reads a PNG back: its size and how many pixels differ from the top-left one. */
static void read_png(const char *path, int *w, int *h, long *ink)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&img, path));
    img.format = PNG_FORMAT_RGB;
    unsigned char *buf = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(buf);
    assert_true(png_image_finish_read(&img, NULL, buf, 0, NULL));
    *w = (int)img.width;
    *h = (int)img.height;
    *ink = 0;
    for (size_t i = 0; i < (size_t)img.width * img.height; i++)
        if (memcmp(buf + 3 * i, buf, 3) != 0)
            (*ink)++;
    free(buf);
}

static void screenshot_case(kiosk_mode mode, const char *file, int ew, int eh)
{
    ui_app *app;
    ui_app_options opt = {.headless = 1};
    cfg.mode = mode;
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", KIOSK_TEST_TMP, file);
    assert_int_equal(ui_app_screenshot(app, path), KIOSK_OK);
    assert_int_equal(ui_app_missing_glyphs(app), 0);
    ui_app_destroy(app);
    int w, h;
    long ink;
    read_png(path, &w, &h, &ink);
    assert_int_equal(w, ew);
    assert_int_equal(h, eh);
    /* text, the card and the steps cover a good part of the screen */
    assert_true(ink > (long)w * h / 20);
}

static void test_portrait_screenshot(void **state)
{
    (void)state;
    screenshot_case(KIOSK_MODE_HALL, "attract-portrait.png", 1080, 1920);
}

static void test_landscape_screenshot(void **state)
{
    (void)state;
    screenshot_case(KIOSK_MODE_PORTABLE, "attract-landscape.png", 1280, 800);
}

static void tap(ui_app *app, SDL_Rect r)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_FINGERDOWN;
    int w, h;
    ui_app_size(app, &w, &h);
    ev.tfinger.x = (float)(r.x + r.w / 2) / (float)w;
    ev.tfinger.y = (float)(r.y + r.h / 2) / (float)h;
    assert_int_equal(ui_app_handle_event(app, &ev), 0);
    ev.type = SDL_FINGERUP; /* a tap acts on release */
    assert_int_equal(ui_app_handle_event(app, &ev), 0);
    assert_int_equal(ui_app_render(app), KIOSK_OK);
}

static void test_toggles_follow_touches(void **state)
{
    (void)state;
    ui_app *app;
    ui_app_options opt = {.headless = 1};
    cfg.mode = KIOSK_MODE_HALL;
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    assert_int_equal(ui_app_render(app), KIOSK_OK);
    const ui_attract_layout *l = ui_app_attract_layout(app);
    /* every toggle is a real touch target: at least 9 mm at 160 dpi = 57 px */
    assert_true(l->language.w >= 57 && l->language.h >= 57);
    assert_true(l->large_text.w >= 57 && l->contrast.h >= 57);

    assert_string_equal(ui_app_language(app), "zh_CN");
    tap(app, l->language);
    assert_string_equal(ui_app_language(app), "en");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", KIOSK_TEST_TMP, "attract-en.png");
    assert_int_equal(ui_app_screenshot(app, path), KIOSK_OK);
    /* 中文 → English → 繁體 → 中文 */
    tap(app, ui_app_attract_layout(app)->language);
    assert_string_equal(ui_app_language(app), "zh_Hant");
    tap(app, ui_app_attract_layout(app)->language);
    assert_string_equal(ui_app_language(app), "zh_CN");

    tap(app, ui_app_attract_layout(app)->large_text);
    assert_true(ui_app_large_text(app));
    tap(app, ui_app_attract_layout(app)->contrast);
    assert_true(ui_app_high_contrast(app));
    snprintf(path, sizeof path, "%s/%s", KIOSK_TEST_TMP, "attract-large-contrast.png");
    assert_int_equal(ui_app_screenshot(app, path), KIOSK_OK);
    int w, h;
    long ink;
    read_png(path, &w, &h, &ink);
    assert_true(ink > (long)w * h / 20);

    /* a touch elsewhere changes nothing */
    tap(app, (SDL_Rect){10, 900, 4, 4});
    assert_true(ui_app_large_text(app));
    tap(app, ui_app_attract_layout(app)->large_text);
    assert_false(ui_app_large_text(app));
    ui_app_destroy(app);
}

/* A landscape panel mounted portrait: the picture is turned, and touches on the glass
 * still reach the right buttons. */
static void test_rotated_panel(void **state)
{
    (void)state;
    ui_app *app;
    ui_app_options opt = {.headless = 1};
    cfg.mode = KIOSK_MODE_HALL;
    cfg.rotation_quarters = 1;
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", KIOSK_TEST_TMP, "attract-rotated-panel.png");
    assert_int_equal(ui_app_screenshot_panel(app, path), KIOSK_OK);
    int w, h;
    long ink;
    read_png(path, &w, &h, &ink);
    assert_int_equal(w, 1920); /* the glass is landscape */
    assert_int_equal(h, 1080);
    assert_true(ink > (long)w * h / 20);
    /* the language toggle, as the finger on the turned glass sees it */
    assert_int_equal(ui_app_render(app), KIOSK_OK);
    SDL_Rect b = ui_app_attract_layout(app)->language;
    float lx = (float)(b.x + b.w / 2), ly = (float)(b.y + b.h / 2);
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_FINGERDOWN;
    ev.tfinger.x = (1920.0f - ly) / 1920.0f; /* 90° clockwise: x' = H - y, y' = x */
    ev.tfinger.y = lx / 1080.0f;
    assert_int_equal(ui_app_handle_event(app, &ev), 0);
    assert_string_equal(ui_app_language(app), "zh_CN"); /* down: nothing yet */
    ev.type = SDL_FINGERUP;
    assert_int_equal(ui_app_handle_event(app, &ev), 0);
    assert_string_equal(ui_app_language(app), "en");
    ui_app_destroy(app);
    cfg.rotation_quarters = 0;
}

static void test_missing_fonts_are_an_error(void **state)
{
    (void)state;
    ui_app *app = (ui_app *)1;
    ui_app_options opt = {.headless = 1};
    snprintf(cfg.fonts_dir, sizeof cfg.fonts_dir, "%s", "/nonexistent");
    assert_int_not_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    assert_null(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_portrait_screenshot, setup),
        cmocka_unit_test_setup(test_landscape_screenshot, setup),
        cmocka_unit_test_setup(test_toggles_follow_touches, setup),
        cmocka_unit_test_setup(test_rotated_panel, setup),
        cmocka_unit_test_setup(test_missing_fonts_are_an_error, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
