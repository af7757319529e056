/* Tests of the text layer on a software renderer: Chinese ink lands inside its box,
 * rare characters come from the fallback font, missing ones are boxed and counted,
 * wrapping respects Chinese punctuation, and the cache reuses and evicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ui_text.h"

static SDL_Surface *surface;
static SDL_Renderer *renderer;
static ui_text *text;
static const SDL_Color black = {0, 0, 0, 255};

static int setup(void **state)
{
    (void)state;
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return -1;
    surface = SDL_CreateRGBSurfaceWithFormat(0, 800, 600, 32, SDL_PIXELFORMAT_RGBA32);
    renderer = SDL_CreateSoftwareRenderer(surface);
    const char *fonts[] = {KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk.otf",
                           KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk-Ext.otf"};
    return ui_text_create(renderer, fonts, 2, &text) == KIOSK_OK ? 0 : -1;
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

static void clear(void)
{
    SDL_SetRenderDrawColor(renderer, 255, 255, 255, 255);
    SDL_RenderClear(renderer);
}

/* Dark pixels inside and outside r. */
static void ink(SDL_Rect r, long *in, long *out)
{
    *in = *out = 0;
    for (int y = 0; y < surface->h; y++) {
        const uint8_t *row = (const uint8_t *)surface->pixels + y * surface->pitch;
        for (int x = 0; x < surface->w; x++) {
            int dark = row[x * 4] < 128;
            SDL_Point p = {x, y};
            if (dark && SDL_PointInRect(&p, &r))
                (*in)++;
            else if (dark)
                (*out)++;
        }
    }
}

static void test_chinese_ink_stays_in_its_box(void **state)
{
    (void)state;
    clear();
    SDL_Rect box = {100, 100, 400, 200};
    int h = 0;
    assert_int_equal(
        ui_text_draw_wrapped(text, "请把社会保障卡放在读卡区", 40, black, box, UI_TEXT_LEFT, &h),
        KIOSK_OK);
    long in, out;
    ink(box, &in, &out);
    assert_true(in > 2000);
    assert_int_equal(out, 0);
    /* 12 characters at 40 px do not fit 400 px: two lines */
    assert_true(h > 80 && h < 130);
    assert_int_equal(ui_text_count_missing(text, "请把社会保障卡放在读卡区"), 0);
}

static void test_fallback_and_missing(void **state)
{
    (void)state;
    /* 𠮷 (U+20BB7) is in the Ext font only */
    assert_int_equal(ui_text_count_missing(text, "𠮷田"), 0);
    /* U+F0000 (plane-15 private use) is in no font; newlines are not characters */
    assert_int_equal(ui_text_count_missing(text, "王\xf3\xb0\x80\x80\n李"), 1);
    assert_int_equal(ui_text_count_missing(text, "\xff"), 1);
    clear();
    SDL_Rect box = {10, 10, 300, 100};
    assert_int_equal(
        ui_text_draw_wrapped(text, "\xf3\xb0\x80\x80", 48, black, box, UI_TEXT_LEFT, NULL),
        KIOSK_OK);
    long in, out;
    ink(box, &in, &out);
    assert_true(in > 100); /* the box is visible */
    clear();
    assert_int_equal(ui_text_draw_wrapped(text, "𠮷", 48, black, box, UI_TEXT_LEFT, NULL),
                     KIOSK_OK);
    ink(box, &in, &out);
    assert_true(in > 100);
}

static void test_wrapping_keeps_punctuation(void **state)
{
    (void)state;
    int w1, h1, w;
    assert_int_equal(ui_text_measure(text, "中", 40, &w1, &h1), KIOSK_OK);
    assert_true(w1 >= 36 && w1 <= 44);
    /* "一二三，四": a 3-character box would start line 2 with '，' — it must not */
    assert_int_equal(ui_text_measure(text, "一二三", 40, &w, NULL), KIOSK_OK);
    clear();
    SDL_Rect box = {0, 0, w + 2, 400};
    int h;
    ui_text_draw_wrapped(text, "一二三，四", 40, black, box, UI_TEXT_LEFT, &h);
    /* two lines either way; what matters is no line begins with the comma: the second
     * line holds "三，四" — so the first line is exactly "一二" wide */
    long in, out;
    SDL_Rect first_line = {0, 0, w1 * 2 + 2, h1};
    SDL_Rect whole = {0, 0, w + 2, h};
    ink(whole, &in, &out);
    long all = in;
    SDL_Rect line1_tail = {w1 * 2 + 2, 0, w, h1 - 2};
    ink(line1_tail, &in, &out);
    assert_int_equal(in, 0); /* nothing after "一二" on line 1 */
    ink(first_line, &in, &out);
    assert_true(in > 0 && in < all);
    /* Latin wraps at spaces */
    int hw;
    ui_text_measure(text, "hello world", 40, &hw, NULL);
    ui_text_measure(text, "hello", 40, &w, NULL);
    clear();
    box = (SDL_Rect){0, 0, w + 10, 400};
    ui_text_draw_wrapped(text, "hello world", 40, black, box, UI_TEXT_LEFT, &h);
    assert_true(h >= 2 * h1 - 2);
}

static void test_cache_reuses_and_evicts(void **state)
{
    (void)state;
    SDL_Rect box = {0, 0, 500, 100};
    size_t before = ui_text_cache_renders(text);
    ui_text_draw_wrapped(text, "缓存测试", 30, black, box, UI_TEXT_LEFT, NULL);
    ui_text_draw_wrapped(text, "缓存测试", 30, (SDL_Color){200, 0, 0, 255}, box, UI_TEXT_LEFT,
                         NULL);
    assert_int_equal(ui_text_cache_renders(text), before + 1); /* colour is not a new block */
    ui_text_draw_wrapped(text, "缓存测试", 31, black, box, UI_TEXT_LEFT, NULL);
    assert_int_equal(ui_text_cache_renders(text), before + 2);
    char s[32];
    for (int i = 0; i < UI_TEXT_CACHE_MAX + 10; i++) {
        snprintf(s, sizeof s, "第%d行", i);
        ui_text_draw(text, s, 20, black, 0, 0, NULL, NULL);
    }
    assert_int_equal(ui_text_cache_entries(text), UI_TEXT_CACHE_MAX);
    /* the oldest was evicted: drawing it again renders again */
    size_t r = ui_text_cache_renders(text);
    ui_text_draw_wrapped(text, "缓存测试", 30, black, box, UI_TEXT_LEFT, NULL);
    assert_int_equal(ui_text_cache_renders(text), r + 1);
    /* the newest is still there */
    ui_text_draw(text, s, 20, black, 0, 0, NULL, NULL);
    assert_int_equal(ui_text_cache_renders(text), r + 1);
}

static void test_bad_font(void **state)
{
    (void)state;
    ui_text *t = (ui_text *)1;
    const char *fonts[] = {"/nonexistent.otf"};
    assert_int_equal(ui_text_create(renderer, fonts, 1, &t), KIOSK_FONT);
    assert_null(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chinese_ink_stays_in_its_box),
        cmocka_unit_test(test_fallback_and_missing),
        cmocka_unit_test(test_wrapping_keeps_punctuation),
        cmocka_unit_test(test_cache_reuses_and_evicts),
        cmocka_unit_test(test_bad_font),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
