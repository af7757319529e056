/* Tests of the numeric keypad on a software renderer: the ids every keypad records (the
 * digits under their prefix, the corner keys, the confirm row) and in what order; the
 * grid's proportions (a share of the width centred, a height limit in pixels or in % of
 * the width); a missing corner key leaves its place empty; a disabled confirm takes no
 * touch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_keypad.h"

#define PRIMARY KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk.otf"
#define W 1080
#define H 1920

static SDL_Surface *surface;
static SDL_Renderer *renderer;
static ui_text *text;
static ui_theme theme;
static ui_widgets widgets;
static ui_ctx ctx;

static int setup(void **state)
{
    (void)state;
    setenv("SDL_VIDEODRIVER", "dummy", 0);
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return -1;
    surface = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ARGB8888);
    renderer = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
    const char *fonts[] = {PRIMARY};
    if (!renderer || ui_text_create(renderer, fonts, 1, &text) != KIOSK_OK)
        return -1;
    ui_theme_init(&theme, W, H, 160, 0, 0);
    ctx = (ui_ctx){.r = renderer, .text = text, .t = &theme, .ws = &widgets, .w = W, .h = H};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ui_text_destroy(text);
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
    SDL_Quit();
    return 0;
}

static SDL_Rect key(const char *id)
{
    SDL_Rect r = {0, 0, 0, 0};
    if (!ui_widgets_find(&widgets, id, &r))
        fail_msg("no key %s", id);
    return r;
}

static void test_pin_keypad_ids_and_grid(void **state)
{
    (void)state;
    ui_widgets_clear(&widgets);
    SDL_Rect area = {100, 200, 810, 1400};
    const ui_keypad_spec spec = {
        .digit_prefix = "key",
        .digit_size = UI_SIZE_PIN_DIGIT,
        .left = {"pin_clear", "清除", UI_SIZE_KEY_WORD, UI_BUTTON_SECONDARY},
        .right = {"pin_delete", "删除", UI_SIZE_KEY_WORD, UI_BUTTON_SECONDARY},
        .gap = 18,
        .max_key_h_pct = 75,
    };
    ui_keypad_draw(&ctx, area, &spec);
    /* phone order, the corners around 0, nothing else */
    static const char *const order[] = {"key1", "key2", "key3", "key4",      "key5", "key6",
                                        "key7", "key8", "key9", "pin_clear", "key0", "pin_delete"};
    assert_int_equal(widgets.n, 12);
    for (size_t i = 0; i < 12; i++)
        assert_string_equal(widgets.items[i].id, order[i]);
    SDL_Rect k1 = key("key1"), k2 = key("key2"), k4 = key("key4"), k0 = key("key0");
    int gap = ui_theme_px(&theme, 18);
    assert_int_equal(k1.x, area.x);
    assert_int_equal(k1.y, area.y);
    assert_int_equal(k1.w, (area.w - 2 * gap) / 3);
    assert_int_equal(k1.h, k1.w * 3 / 4); /* the tall area: the width limits the height */
    assert_int_equal(k2.x, k1.x + k1.w + gap);
    assert_int_equal(k4.y, k1.y + k1.h + gap);
    assert_int_equal(k0.x, k2.x);
    assert_int_equal(k0.y, k1.y + 3 * (k1.h + gap));
    SDL_Rect clear = key("pin_clear"), del = key("pin_delete");
    assert_int_equal(clear.x, k1.x);
    assert_int_equal(clear.y, k0.y);
    assert_int_equal(del.x, k0.x + k0.w + gap);
}

static void test_number_pad_is_centred_and_capped(void **state)
{
    (void)state;
    ui_widgets_clear(&widgets);
    SDL_Rect area = {40, 600, 1000, 1000};
    const ui_keypad_spec spec = {
        .digit_prefix = "kb_",
        .digit_size = UI_SIZE_PAD_DIGIT,
        .right = {"kb_del", "删除", UI_SIZE_KEY_WORD, UI_BUTTON_SECONDARY},
        .gap = 14,
        .width_pct = 75,
        .max_key_h = 130,
    };
    ui_keypad_draw(&ctx, area, &spec);
    assert_int_equal(widgets.n, 11); /* no key left of 0 */
    for (char d = '0'; d <= '9'; d++) {
        char id[8];
        snprintf(id, sizeof id, "kb_%c", d);
        key(id);
    }
    SDL_Rect k1 = key("kb_1"), k3 = key("kb_3"), del = key("kb_del");
    int gap = ui_theme_px(&theme, 14);
    assert_int_equal(k1.w, (area.w * 3 / 4 - 2 * gap) / 3);
    assert_int_equal(k1.h, ui_theme_px(&theme, 130));
    int left = k1.x - area.x, right = area.x + area.w - (k3.x + k3.w);
    assert_true(abs(left - right) <= 1);
    assert_null(ui_widgets_hit(&widgets, k1.x + k1.w / 2, del.y + del.h / 2));
}

static void test_staff_keypad_confirm_row(void **state)
{
    (void)state;
    const ui_keypad_spec base = {
        .digit_prefix = "mk",
        .digit_size = UI_SIZE_STAFF_DIGIT,
        .right = {"mk_del", "删除", UI_SIZE_STAFF_KEY_WORD, UI_BUTTON_SECONDARY},
        .confirm = {"mk_ok", "登录", UI_SIZE_BUTTON, UI_BUTTON_PRIMARY},
        .gap = 16,
        .max_key_h = 130,
    };
    SDL_Rect area = {135, 500, 810, 600};
    ui_widgets_clear(&widgets);
    ui_keypad_draw(&ctx, area, &base);
    assert_int_equal(widgets.n, 12);
    assert_string_equal(widgets.items[11].id, "mk_ok");
    SDL_Rect k1 = key("mk1"), ok = key("mk_ok");
    int gap = ui_theme_px(&theme, 16);
    assert_int_equal(k1.h, (area.h - 4 * gap) / 5); /* five rows share the height */
    assert_int_equal(ok.x, area.x);
    assert_int_equal(ok.w, area.w);
    assert_int_equal(ok.y, area.y + 4 * (k1.h + gap));
    assert_int_equal(ok.h, k1.h);
    key("mk_del");

    /* not yet possible: drawn, but no touch */
    ui_keypad_spec off = base;
    off.confirm.kind = UI_BUTTON_DISABLED;
    ui_widgets_clear(&widgets);
    ui_keypad_draw(&ctx, area, &off);
    assert_int_equal(widgets.n, 11);
    SDL_Rect r;
    assert_false(ui_widgets_find(&widgets, "mk_ok", &r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pin_keypad_ids_and_grid),
        cmocka_unit_test(test_number_pad_is_centred_and_capped),
        cmocka_unit_test(test_staff_keypad_confirm_row),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
