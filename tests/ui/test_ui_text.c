/* Tests of the text layer on a software renderer drawing into a memory surface: Chinese
 * ink lands inside its block and nowhere else, a rare Extension B character comes from
 * the Ext font, a character no font has is boxed, counted and logged without the text,
 * wrapping keeps Chinese punctuation rules, and the cache reuses and evicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>

#include "config/kiosk_config.h"
#include "core/kiosk_log.h"
#include "ui/ui_text.h"

#define PRIMARY KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk.otf"
#define EXT KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk-Ext.otf"
#define W 800
#define H 600

/* 𠮷 U+20BB7 (a surname variant of 吉), only in the Ext font. */
#define EXT_B_CHAR "\xF0\xA0\xAE\xB7"
/* 𪚥 U+2A6A5 (zhé, four dragons, Extension B): not in Noto, only in KioskRareHan.ttf. */
#define FOUR_DRAGONS "\xF0\xAA\x9A\xA5"
/* A 30-character name: 𪚥 𫝋 𫟤 𪞝 𭀖 (Extensions B, D, D, C, F) only in the rare-name
 * font, 𠮷 𡈼 𬌗 in the Noto Ext font, the rest in the primary font. */
#define LONG_RARE_NAME                                                                             \
    "𪚥𠮷·阿卜杜热合曼·买买提·艾合买提江·吐尔逊·𫝋𫟤𡈼𬌗𪞝"    \
    "𭀖"
#define LONG_RARE_NAME_RARE_ONLY 5
/* U+10FFFD, private use: no font has it. */
#define NO_GLYPH "\xF4\x8F\xBF\xBD"

static SDL_Surface *surface;
static SDL_Renderer *renderer;
static ui_text *text;    /* primary + Ext */
static ui_text *primary; /* primary alone */
static const SDL_Color black = {0, 0, 0, 255};

static int warnings;
static char last_warning[KIOSK_LOG_LINE_MAX];

static void capture(void *ctx, kiosk_log_level level, const char *module, const char *msg)
{
    (void)ctx;
    (void)module;
    if (level == KIOSK_LOG_WARN) {
        warnings++;
        snprintf(last_warning, sizeof last_warning, "%s", msg);
    }
}

static int setup(void **state)
{
    (void)state;
    setenv("SDL_VIDEODRIVER", "dummy", 0);
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return -1;
    surface = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ARGB8888);
    renderer = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
    if (!renderer)
        return -1;
    const char *both[] = {PRIMARY, EXT};
    if (ui_text_create(renderer, both, 2, &text) != KIOSK_OK)
        return -1;
    const char *one[] = {PRIMARY};
    if (ui_text_create(renderer, one, 1, &primary) != KIOSK_OK)
        return -1;
    kiosk_log_set_sink(capture, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kiosk_log_set_sink(NULL, NULL);
    ui_text_destroy(text);
    ui_text_destroy(primary);
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

static int dark(int x, int y)
{
    const uint8_t *row = (const uint8_t *)surface->pixels + y * surface->pitch;
    uint32_t p = ((const uint32_t *)row)[x];
    uint8_t r, g, b;
    SDL_GetRGB(p, surface->format, &r, &g, &b);
    return r < 128;
}

/* Dark pixels inside and outside r. */
static void ink(SDL_Rect r, long *in, long *out)
{
    *in = *out = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            SDL_Point p = {x, y};
            if (dark(x, y))
                (*(SDL_PointInRect(&p, &r) ? in : out))++;
        }
}

/* Bounding box of the dark pixels (w = 0 when there are none). */
static SDL_Rect ink_box(void)
{
    int x0 = W, y0 = H, x1 = -1, y1 = -1;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (dark(x, y)) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
    return x1 < 0 ? (SDL_Rect){0, 0, 0, 0} : (SDL_Rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

/* Font metrics at px as SDL2_ttf computes them, for exact expectations. */
static void metrics(int px, int *height, int *lineskip)
{
    TTF_Font *f = TTF_OpenFont(PRIMARY, px);
    assert_non_null(f);
    *height = TTF_FontHeight(f);
    *lineskip = TTF_FontLineSkip(f);
    TTF_CloseFont(f);
}

static void test_chinese_ink_stays_in_its_block(void **state)
{
    (void)state;
    int height, skip;
    metrics(40, &height, &skip);
    /* Noto CJK: ascender 1160, descender -288 per 1000 units: about 58 px at 40 px. */
    assert_in_range(height, 57, 59);

    clear();
    ui_text_style st = {.px = 40, .color = black};
    ui_text_block b;
    assert_int_equal(ui_text_draw_block(text, "失业登记", &st, (SDL_Rect){100, 120, 0, 0}, &b),
                     KIOSK_OK);
    assert_int_equal(b.w, 160); /* four ideographs of 1 em */
    assert_int_equal(b.h, height);
    assert_int_equal(b.lines, 1);
    assert_int_equal(b.missing, 0);
    long in, out;
    ink((SDL_Rect){100, 120, b.w, b.h}, &in, &out);
    assert_true(in > 1000);
    assert_int_equal(out, 0);
    /* The ideographs sit in the em box below the ascender: ink starts some way down. */
    SDL_Rect box = ink_box();
    assert_in_range(box.x, 100, 106);
    assert_in_range(box.x + box.w, 150 + 100 - 0, 160 + 100);
    assert_in_range(box.y, 120 + 6, 120 + 20);

    /* The shorthand draws the same block (from the cache) and measure agrees. */
    size_t renders = ui_text_cache_renders(text);
    int w, h, mw, mh;
    clear();
    assert_int_equal(ui_text_draw(text, "失业登记", 40, black, 300, 300, &w, &h), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(text), renders);
    assert_int_equal(ui_text_measure(text, "失业登记", 40, &mw, &mh), KIOSK_OK);
    assert_int_equal(w, mw);
    assert_int_equal(h, mh);
    ink((SDL_Rect){300, 300, w, h}, &in, &out);
    assert_true(in > 1000);
    assert_int_equal(out, 0);

    /* Two lines: the second starts one line skip lower. */
    assert_int_equal(ui_text_measure(text, "失业\n登记", 40, &mw, &mh), KIOSK_OK);
    assert_int_equal(mw, 80);
    assert_int_equal(mh, skip + height);
}

static void test_ext_b_name_character_uses_the_fallback_font(void **state)
{
    (void)state;
    /* The Ext font really has 𠮷 and the primary does not. */
    TTF_Font *p = TTF_OpenFont(PRIMARY, 20), *e = TTF_OpenFont(EXT, 20);
    assert_non_null(p);
    assert_non_null(e);
    assert_false(TTF_GlyphIsProvided32(p, 0x20BB7));
    assert_true(TTF_GlyphIsProvided32(e, 0x20BB7));
    assert_true(TTF_GlyphIsProvided32(e, 0x9FEF)); /* 鿯: URO but not GBK */
    assert_false(TTF_GlyphIsProvided32(e, 0x4E00));
    TTF_CloseFont(p);
    TTF_CloseFont(e);

    assert_int_equal(ui_text_count_missing(text, "张" EXT_B_CHAR "明"), 0);
    assert_int_equal(ui_text_count_missing(primary, "张" EXT_B_CHAR "明"), 1);

    /* With the stack: drawn as a glyph, nothing missing, no warning. */
    ui_text_style st = {.px = 64, .color = black};
    ui_text_block b;
    warnings = 0;
    clear();
    assert_int_equal(ui_text_draw_block(text, EXT_B_CHAR, &st, (SDL_Rect){10, 10, 0, 0}, &b),
                     KIOSK_OK);
    assert_int_equal(b.missing, 0);
    assert_int_equal(b.w, 64);
    assert_int_equal(warnings, 0);
    static uint8_t glyph[200][200];
    long glyph_ink = 0;
    for (int y = 0; y < 200; y++)
        for (int x = 0; x < 200; x++)
            glyph_ink += glyph[y][x] = (uint8_t)dark(x, y);
    assert_true(glyph_ink > 300);
    /* 𠮷 has strokes across its middle; the placeholder box is hollow there. */
    int centre_y = 10 + b.h / 2 + 4;
    long middle = 0;
    for (int x = 10 + 16; x < 10 + 48; x++)
        for (int y = centre_y - 8; y < centre_y + 8; y++)
            middle += dark(x, y);
    assert_true(middle > 20);

    /* Without the Ext font: a box of another shape, counted. */
    clear();
    assert_int_equal(ui_text_draw_block(primary, EXT_B_CHAR, &st, (SDL_Rect){10, 10, 0, 0}, &b),
                     KIOSK_OK);
    assert_int_equal(b.missing, 1);
    long differ = 0;
    for (int y = 0; y < 200; y++)
        for (int x = 0; x < 200; x++)
            differ += glyph[y][x] != dark(x, y);
    assert_true(differ > 200);

    /* A name mixing both fonts, on one line, all inside the block. */
    clear();
    assert_int_equal(
        ui_text_draw_block(text, "张" EXT_B_CHAR "明", &st, (SDL_Rect){100, 200, 0, 0}, &b),
        KIOSK_OK);
    assert_int_equal(b.missing, 0);
    assert_int_equal(b.w, 3 * 64);
    long in, out;
    ink((SDL_Rect){100, 200, b.w, b.h}, &in, &out);
    assert_int_equal(out, 0);
    /* Each of the three cells has ink: the fallback run sits between the others. */
    for (int c = 0; c < 3; c++) {
        long cell, rest;
        ink((SDL_Rect){100 + 64 * c, 200, 64, b.h}, &cell, &rest);
        assert_true(cell > 200);
    }
}

/* The product's stack (kiosk_config_font_paths): 𪚥 and a 30-character name with
 * characters of Extensions B to F are drawn whole, in normal and in large text, with no
 * box and no warning; without the rare-name font the same name has boxes. */
static void test_rare_name_characters_from_the_whole_stack(void **state)
{
    (void)state;
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    kiosk_config_fonts paths;
    kiosk_config_font_paths(&cfg, &paths);
    ui_text *all;
    assert_int_equal(ui_text_create(renderer, paths.list, paths.n, &all), KIOSK_OK);

    /* 𪚥 is in the last font only: the Noto files lack it. */
    TTF_Font *e = TTF_OpenFont(EXT, 20), *r = TTF_OpenFont(paths.list[paths.n - 1], 20);
    assert_non_null(e);
    assert_non_null(r);
    assert_false(TTF_GlyphIsProvided32(e, 0x2A6A5));
    assert_true(TTF_GlyphIsProvided32(r, 0x2A6A5));
    assert_false(TTF_GlyphIsProvided32(r, 0x20BB7)); /* 𠮷: Noto's, not taken twice */
    assert_false(TTF_GlyphIsProvided32(r, 0x5F20));  /* 张 */
    TTF_CloseFont(e);
    TTF_CloseFont(r);

    assert_int_equal(ui_text_count_missing(all, FOUR_DRAGONS), 0);
    assert_int_equal(ui_text_count_missing(text, FOUR_DRAGONS), 1);
    assert_int_equal(ui_text_count_missing(all, EXT_B_CHAR), 0);
    assert_int_equal(ui_text_count_missing(all, LONG_RARE_NAME), 0);
    assert_int_equal(ui_text_count_missing(text, LONG_RARE_NAME), LONG_RARE_NAME_RARE_ONLY);

    /* 𪚥 drawn: 64 strokes fill its cell, where the placeholder box is hollow. */
    ui_text_style st = {.px = 64, .color = black};
    ui_text_block b;
    warnings = 0;
    clear();
    assert_int_equal(ui_text_draw_block(all, FOUR_DRAGONS, &st, (SDL_Rect){10, 10, 0, 0}, &b),
                     KIOSK_OK);
    assert_int_equal(b.missing, 0);
    assert_int_equal(b.w, 64);
    long middle = 0;
    for (int x = 10 + 20; x < 10 + 44; x++)
        for (int y = 10 + b.h / 2 - 8; y < 10 + b.h / 2 + 8; y++)
            middle += dark(x, y);
    assert_true(middle > 100);

    /* The long name at a form row's value size in normal (44 px) and large text (57 px),
     * in a row's width: every character drawn, on two or three lines, ink in the block. */
    const int sizes[] = {44, 57};
    for (size_t i = 0; i < 2; i++) {
        st.px = sizes[i];
        clear();
        assert_int_equal(
            ui_text_draw_block(all, LONG_RARE_NAME, &st, (SDL_Rect){20, 20, 760, 0}, &b), KIOSK_OK);
        assert_int_equal(b.missing, 0);
        assert_true(b.lines >= 2 && b.lines <= 3);
        assert_true(b.w <= 760);
        long in, out;
        ink((SDL_Rect){20, 20, b.w, b.h}, &in, &out);
        assert_int_equal(out, 0);
        assert_true(in > 1000);
    }
    assert_int_equal(warnings, 0);

    /* Without the rare-name font the same name shows (and logs) its boxes. */
    clear();
    assert_int_equal(ui_text_draw_block(text, LONG_RARE_NAME, &st, (SDL_Rect){20, 20, 760, 0}, &b),
                     KIOSK_OK);
    assert_int_equal(b.missing, LONG_RARE_NAME_RARE_ONLY);
    assert_int_equal(warnings, 1);
    ui_text_destroy(all);
}

static void test_missing_character_is_boxed_counted_and_logged(void **state)
{
    (void)state;
    assert_int_equal(ui_text_count_missing(text, NO_GLYPH), 1);
    assert_int_equal(ui_text_count_missing(text, "A" NO_GLYPH "B" NO_GLYPH), 2);
    assert_int_equal(ui_text_count_missing(text, "\xFF\xFE"), 2);                /* invalid bytes */
    assert_int_equal(ui_text_count_missing(text, "\xE5\xBC"), 2);                /* truncated 张 */
    assert_int_equal(ui_text_count_missing(text, "\xED\xA0\x80"), 3);            /* a surrogate */
    assert_int_equal(ui_text_count_missing(text, "a\nb\tc\r\xE2\x80\x8D d"), 0); /* ZWJ */
    assert_int_equal(ui_text_count_missing(text, "✓→①·×¥￥（）《》，。、"), 0);
    assert_int_equal(ui_text_count_missing(text, "✗"), 1); /* not in Noto CJK */
    assert_int_equal(ui_text_count_missing(text, ""), 0);
    assert_int_equal(ui_text_count_missing(text, NULL), 0);

    int aw, ah;
    assert_int_equal(ui_text_measure(text, "A", 50, &aw, &ah), KIOSK_OK);
    assert_int_equal(aw, 30); /* 608 units at 50 px, rounded */
    ui_text_style st = {.px = 50, .color = black};
    ui_text_block b;
    warnings = 0;
    clear();
    assert_int_equal(ui_text_draw_block(text, "A" NO_GLYPH "丁", &st, (SDL_Rect){20, 20, 0, 0}, &b),
                     KIOSK_OK);
    assert_int_equal(b.missing, 1);
    assert_int_equal(b.w, aw + 40 + 50); /* the box advances 4/5 em */
    /* One warning with the count and the class, never the text. */
    assert_int_equal(warnings, 1);
    assert_non_null(strstr(last_warning, "1 character(s)"));
    assert_non_null(strstr(last_warning, "private use"));
    for (const char *c = last_warning; *c; c++)
        assert_true((unsigned char)*c < 0x80);
    /* The box: its left stroke is inked down the cell, its middle is empty. */
    int left = 20 + aw + 5, mid_y = 20 + b.h / 2;
    long stroke = 0, hollow = 0;
    for (int y = mid_y - 10; y < mid_y + 10; y++) {
        stroke += dark(left, y) || dark(left + 1, y);
        for (int x = left + 8; x < left + 22; x++)
            hollow += dark(x, y);
    }
    assert_int_equal(stroke, 20);
    assert_int_equal(hollow, 0);
    long in, out;
    ink((SDL_Rect){20, 20, b.w, b.h}, &in, &out);
    assert_int_equal(out, 0);

    /* Cached: drawing it again neither renders nor warns again. */
    assert_int_equal(ui_text_draw_block(text, "A" NO_GLYPH "丁", &st, (SDL_Rect){20, 20, 0, 0}, &b),
                     KIOSK_OK);
    assert_int_equal(warnings, 1);
    assert_int_equal(b.missing, 1);

    /* An Ext-B miss is classed as such. */
    clear();
    assert_int_equal(
        ui_text_draw_block(primary, EXT_B_CHAR "\xFF", &st, (SDL_Rect){0, 0, 0, 0}, &b), KIOSK_OK);
    assert_int_equal(b.missing, 2);
    assert_non_null(strstr(last_warning, "2 character(s)"));
    assert_non_null(strstr(last_warning, "CJK ideograph planes 2-3"));
    assert_non_null(strstr(last_warning, "invalid UTF-8"));
}

static void expect_starts(const char *s, int px, int width, const size_t *want, size_t n)
{
    ui_text_style st = {.px = px, .color = black};
    size_t starts[16], nlines = 99;
    assert_int_equal(ui_text_break_lines(text, s, &st, width, starts, 16, &nlines), KIOSK_OK);
    assert_int_equal(nlines, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(starts[i], want[i]);
}

static void test_wrapping_keeps_punctuation_rules(void **state)
{
    (void)state;
    /* Five 20 px ideographs per 100 px line. Greedy filling would start line 2 with '，'
     * and line 4 with '。'; the character before each moves down with it. */
    const char *s = "一二三四五，六七八九十。一二三四五";
    static const size_t want[] = {0, 12, 27, 42};
    expect_starts(s, 20, 100, want, 4);
    expect_starts("一二三四五六七八九十。一二三四五", 20, 100, (size_t[]){0, 15, 27, 42}, 4);
    /* Two closing marks in a row travel together with the character before them. */
    expect_starts("一二三四五六七八九，。一二三四", 20, 100, (size_t[]){0, 15, 24, 39}, 4);

    /* An opening bracket never ends a line: 《 goes down with what it opens. */
    expect_starts("一二三四《五六》", 20, 100, (size_t[]){0, 12}, 2);
    /* Breaks after closing punctuation are fine. */
    expect_starts("一二三四，五六", 20, 100, (size_t[]){0, 15}, 2);

    /* Latin breaks at spaces, and the space is not carried to the next line. */
    int w;
    assert_int_equal(ui_text_measure(text, "hello world", 20, &w, NULL), KIOSK_OK);
    expect_starts("hello world again", 20, w, (size_t[]){0, 12}, 2);
    expect_starts("hello world again", 20, w - 1, (size_t[]){0, 6, 12}, 3);
    /* A word longer than the line is cut rather than overflowing or looping. */
    ui_text_style st = {.px = 20, .color = black};
    size_t starts[16], n;
    assert_int_equal(
        ui_text_break_lines(text, "abcdefghijklmnopqrstuvwxyz", &st, 60, starts, 16, &n), KIOSK_OK);
    assert_true(n >= 4);
    for (size_t i = 1; i < n; i++)
        assert_true(starts[i] > starts[i - 1]);
    /* Even one character wider than the line gets a line of its own. */
    expect_starts("一二", 20, 5, (size_t[]){0, 3}, 2);

    /* Newlines are hard breaks; spaces after them are kept (indentation). */
    expect_starts("一\n\n二", 20, 0, (size_t[]){0, 4, 5}, 3);
    expect_starts("一\n", 20, 0, (size_t[]){0, 4}, 2);
    expect_starts("一\n\xE3\x80\x80\xE3\x80\x80二", 20, 100, (size_t[]){0, 4}, 2);
    expect_starts("", 20, 100, NULL, 0);

    /* Drawn wrapped: four lines, all ink inside the 100 px column. */
    ui_text_block b;
    clear();
    assert_int_equal(ui_text_draw_block(text, s, &st, (SDL_Rect){50, 40, 100, 0}, &b), KIOSK_OK);
    int height, skip;
    metrics(20, &height, &skip);
    assert_int_equal(b.lines, 4);
    assert_int_equal(b.w, 100);
    assert_int_equal(b.h, 3 * skip + height);
    long in, out;
    ink((SDL_Rect){50, 40, 100, b.h}, &in, &out);
    assert_true(in > 500);
    assert_int_equal(out, 0);

    /* Line spacing: 200 % puts baselines 40 px apart. */
    st.line_pct = 200;
    assert_int_equal(ui_text_measure_block(text, s, &st, 100, &b), KIOSK_OK);
    assert_int_equal(b.h, 3 * 40 + height);
    int used;
    clear();
    assert_int_equal(
        ui_text_draw_wrapped(text, s, 20, black, (SDL_Rect){50, 40, 100, 0}, UI_TEXT_LEFT, &used),
        KIOSK_OK);
    assert_int_equal(used, 3 * skip + height);
}

static void test_centre_alignment(void **state)
{
    (void)state;
    ui_text_style st = {.px = 40, .color = black, .align = UI_TEXT_CENTER};
    ui_text_block b;
    clear();
    assert_int_equal(ui_text_draw_block(text, "就业", &st, (SDL_Rect){100, 100, 400, 0}, &b),
                     KIOSK_OK);
    assert_int_equal(b.w, 80);
    SDL_Rect box = ink_box();
    int centre2 = 2 * box.x + box.w; /* twice the ink's centre */
    assert_in_range(centre2, 2 * 300 - 6, 2 * 300 + 6);
    /* Each line centred on its own in a two-line block. */
    clear();
    assert_int_equal(ui_text_draw_block(text, "就业服务\n大厅", &st, (SDL_Rect){0, 0, 800, 0}, &b),
                     KIOSK_OK);
    assert_int_equal(b.w, 160);
    long in, out;
    ink((SDL_Rect){320, 0, 160, b.h}, &in, &out);
    assert_int_equal(out, 0);
    int height, skip;
    metrics(40, &height, &skip);
    ink((SDL_Rect){320, skip, 40, height}, &in, &out); /* 大厅 is at 360..440 */
    assert_int_equal(in, 0);
    ink((SDL_Rect){360, skip, 80, height}, &in, &out);
    assert_true(in > 300);
}

static void test_bold_and_colour_are_part_of_the_key(void **state)
{
    (void)state;
    ui_text_style st = {.px = 40, .color = black};
    ui_text_block b;
    long regular, bold, out;
    clear();
    assert_int_equal(ui_text_draw_block(text, "登记", &st, (SDL_Rect){0, 0, 0, 0}, &b), KIOSK_OK);
    assert_int_equal(b.w, 80);
    ink((SDL_Rect){0, 0, W, H}, &regular, &out);
    size_t renders = ui_text_cache_renders(text);
    st.flags = UI_TEXT_BOLD;
    clear();
    assert_int_equal(ui_text_draw_block(text, "登记", &st, (SDL_Rect){0, 0, 0, 0}, &b), KIOSK_OK);
    assert_int_equal(b.w, 80 + 4); /* same advances, the last glyph a tenth wider */
    ink((SDL_Rect){0, 0, b.w, b.h}, &bold, &out);
    assert_int_equal(out, 0);
    assert_int_equal(ui_text_cache_renders(text), renders + 1);
    assert_true(bold > regular * 11 / 10);
    /* Latin too stays inside its block. */
    clear();
    assert_int_equal(
        ui_text_draw_block(text, "Registration, jiffy", &st, (SDL_Rect){10, 10, 0, 0}, &b),
        KIOSK_OK);
    ink((SDL_Rect){10, 10, b.w, b.h}, &bold, &out);
    assert_true(bold > 500);
    assert_int_equal(out, 0);

    /* Red text is red. */
    st.flags = 0;
    st.color = (SDL_Color){200, 0, 0, 255};
    clear();
    assert_int_equal(ui_text_draw_block(text, "登记", &st, (SDL_Rect){0, 0, 0, 0}, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(text), renders + 3);
    long red = 0;
    for (int y = 0; y < 80; y++)
        for (int x = 0; x < 80; x++) {
            uint8_t r, g, b2;
            SDL_GetRGB(((uint32_t *)((uint8_t *)surface->pixels + y * surface->pitch))[x],
                       surface->format, &r, &g, &b2);
            red += r == 200 && g == 0 && b2 == 0;
        }
    assert_true(red > 100);
}

/* ui_text_drop takes exactly the block named (text, style, width) out of the cache; a
 * block not there, or another width, changes nothing; the next draw rasterises anew. */
static void test_drop_takes_one_block(void **state)
{
    (void)state;
    const char *one[] = {PRIMARY, EXT};
    ui_text *t;
    assert_int_equal(ui_text_create(renderer, one, 2, &t), KIOSK_OK);
    ui_text_style st = {.px = 30, .color = black};
    SDL_Texture *x;
    assert_int_equal(ui_text_get_texture(t, "一", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_get_texture(t, "二", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_entries(t), 2);
    ui_text_drop(t, "一", &st, 100); /* another width: another block */
    ui_text_drop(t, "三", &st, 0);   /* not cached */
    assert_int_equal(ui_text_cache_entries(t), 2);
    ui_text_drop(t, "一", &st, 0);
    assert_int_equal(ui_text_cache_entries(t), 1);
    assert_int_equal(ui_text_get_texture(t, "二", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(t), 2); /* 二 still cached */
    assert_int_equal(ui_text_get_texture(t, "一", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(t), 3); /* 一 rasterised anew */
    ui_text_drop(NULL, "一", &st, 0);
    ui_text_destroy(t);
}

/* A frame done keeps what it drew and, of the rest, only the most recently drawn up to
 * the slack: a screen's cache is its own text (the typed states of a value, an earlier
 * step's questions go). */
static void test_frame_keeps_its_own_text(void **state)
{
    (void)state;
    const char *one[] = {PRIMARY, EXT};
    ui_text *t;
    assert_int_equal(ui_text_create(renderer, one, 2, &t), KIOSK_OK);
    ui_text_style st = {.px = 30, .color = black};
    SDL_Texture *x;
    ui_text_block q;
    const char *earlier[] = {"您现在是否有工作？", "12号楼3", "12号楼3单元"};
    for (size_t i = 0; i < 3; i++) /* one frame each, as a citizen types or moves on */
        assert_int_equal(ui_text_get_texture(t, earlier[i], &st, 0, &x, i ? NULL : &q), KIOSK_OK);
    size_t px = (size_t)q.w * (size_t)q.h; /* the question's pixels */
    ui_text_frame_done(t, SIZE_MAX);       /* all slack: nothing goes */
    assert_int_equal(ui_text_cache_entries(t), 3);
    /* the next frame draws only the value as it is now, and a button */
    assert_int_equal(ui_text_get_texture(t, "12号楼3单元", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_get_texture(t, "完成", &st, 0, &x, NULL), KIOSK_OK);
    ui_text_frame_done(t, 0); /* no slack: what the frame did not draw goes */
    assert_int_equal(ui_text_cache_entries(t), 2);
    size_t renders = ui_text_cache_renders(t);
    assert_int_equal(ui_text_get_texture(t, "12号楼3单元", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_get_texture(t, "完成", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(t), renders); /* both kept */
    assert_int_equal(ui_text_get_texture(t, "您现在是否有工作？", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(t), renders + 1); /* the question had gone */
    ui_text_frame_done(t, SIZE_MAX);
    /* a slack of one block keeps the most recently drawn of the others */
    assert_int_equal(ui_text_get_texture(t, "完成", &st, 0, &x, NULL), KIOSK_OK);
    ui_text_frame_done(t, px);
    assert_int_equal(ui_text_cache_entries(t), 2); /* 完成, and the question (drawn last) */
    renders = ui_text_cache_renders(t);
    assert_int_equal(ui_text_get_texture(t, "您现在是否有工作？", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(t), renders);
    ui_text_frame_done(NULL, 0);
    ui_text_destroy(t);
}

static void test_cache_reuses_and_evicts_least_recent(void **state)
{
    (void)state;
    const char *one[] = {PRIMARY, EXT};
    ui_text *t;
    assert_int_equal(ui_text_create(renderer, one, 2, &t), KIOSK_OK);
    assert_int_equal(ui_text_set_cache_capacity(t, 3), KIOSK_OK);
    ui_text_style st = {.px = 30, .color = black};
    SDL_Texture *a, *a2, *b, *c, *d, *x;

    assert_int_equal(ui_text_get_texture(t, "一", &st, 0, &a, NULL), KIOSK_OK);
    assert_non_null(a);
    assert_int_equal(ui_text_cache_renders(t), 1);
    assert_int_equal(ui_text_get_texture(t, "一", &st, 0, &a2, NULL), KIOSK_OK);
    assert_ptr_equal(a, a2);
    assert_int_equal(ui_text_cache_renders(t), 1);
    /* Drawing with the same style and no wrap width is the same block. */
    assert_int_equal(ui_text_draw_block(t, "一", &st, (SDL_Rect){0, 0, 0, 0}, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(t), 1);
    assert_int_equal(ui_text_cache_entries(t), 1);

    assert_int_equal(ui_text_get_texture(t, "二", &st, 0, &b, NULL), KIOSK_OK);
    assert_int_equal(ui_text_get_texture(t, "三", &st, 0, &c, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_entries(t), 3);
    assert_int_equal(ui_text_cache_renders(t), 3);
    /* Touch 一 so that 二 is the least recently used; 四 evicts it. */
    assert_int_equal(ui_text_get_texture(t, "一", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_get_texture(t, "四", &st, 0, &d, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_entries(t), 3);
    assert_int_equal(ui_text_cache_renders(t), 4);
    assert_int_equal(ui_text_get_texture(t, "一", &st, 0, &x, NULL), KIOSK_OK);
    assert_ptr_equal(x, a);
    assert_int_equal(ui_text_get_texture(t, "三", &st, 0, &x, NULL), KIOSK_OK);
    assert_ptr_equal(x, c);
    assert_int_equal(ui_text_cache_renders(t), 4);
    assert_int_equal(ui_text_get_texture(t, "二", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(t), 5); /* rendered again */
    assert_int_equal(ui_text_cache_entries(t), 3);

    /* Same text, other colour or width: other blocks. */
    size_t r = ui_text_cache_renders(t);
    st.color.r = 1;
    assert_int_equal(ui_text_get_texture(t, "二", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_get_texture(t, "二", &st, 500, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(t), r + 2);

    /* A blank block has no texture but is cached all the same. */
    ui_text_block blk;
    assert_int_equal(ui_text_get_texture(t, "  ", &st, 0, &x, &blk), KIOSK_OK);
    assert_null(x);
    assert_int_equal(blk.lines, 1);
    assert_int_equal(blk.w, 0);
    r = ui_text_cache_renders(t);
    assert_int_equal(ui_text_draw_block(t, "  ", &st, (SDL_Rect){0, 0, 0, 0}, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(t), r);
    ui_text_destroy(t);
}

/* A step change trims the cache to a pixel budget, least recently used first. */
static void test_trim_keeps_the_most_recent(void **state)
{
    (void)state;
    const char *one[] = {PRIMARY, EXT};
    ui_text *t;
    assert_int_equal(ui_text_create(renderer, one, 2, &t), KIOSK_OK);
    ui_text_style st = {.px = 30, .color = black};
    SDL_Texture *a, *x;
    ui_text_block blk;
    assert_int_equal(ui_text_get_texture(t, "二", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_get_texture(t, "三", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_get_texture(t, "一", &st, 0, &a, &blk), KIOSK_OK);
    assert_int_equal(ui_text_cache_entries(t), 3);
    ui_text_trim(t, SIZE_MAX); /* within the budget: nothing goes */
    assert_int_equal(ui_text_cache_entries(t), 3);
    ui_text_trim(t, (size_t)blk.w * (size_t)blk.h); /* room for 一 alone, the latest */
    assert_int_equal(ui_text_cache_entries(t), 1);
    size_t r = ui_text_cache_renders(t);
    assert_int_equal(ui_text_get_texture(t, "一", &st, 0, &x, NULL), KIOSK_OK);
    assert_ptr_equal(x, a);
    assert_int_equal(ui_text_cache_renders(t), r);
    assert_int_equal(ui_text_get_texture(t, "二", &st, 0, &x, NULL), KIOSK_OK);
    assert_int_equal(ui_text_cache_renders(t), r + 1); /* rasterised again */
    ui_text_trim(t, 0);
    assert_int_equal(ui_text_cache_entries(t), 0);
    ui_text_trim(NULL, 0);
    ui_text_destroy(t);
}

/* What one block comes to: its metrics, wrapped metrics and the pixels it draws. */
typedef struct drawn {
    ui_text_block plain, wrapped;
    uint64_t ink; /* FNV-1a of the surface after drawing the block in bold */
} drawn;

static drawn draw_at(ui_text *t, const char *s, int px)
{
    drawn d;
    ui_text_style st = {.px = px, .color = black};
    assert_int_equal(ui_text_measure_block(t, s, &st, 0, &d.plain), KIOSK_OK);
    assert_int_equal(ui_text_measure_block(t, s, &st, 3 * px, &d.wrapped), KIOSK_OK);
    st.flags = UI_TEXT_BOLD;
    SDL_FillRect(surface, NULL, SDL_MapRGB(surface->format, 255, 255, 255));
    assert_int_equal(ui_text_draw_block(t, s, &st, (SDL_Rect){0, 0, W, 0}, NULL), KIOSK_OK);
    d.ink = 1469598103934665603ull;
    const uint8_t *p = surface->pixels;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W * 4; x++)
            d.ink = (d.ink ^ p[y * surface->pitch + x]) * 1099511628211ull;
    return d;
}

static void test_sizes_switched_on_shared_faces_match_fresh_faces(void **state)
{
    (void)state;
    /* One face per font and style serves every size: switching sizes back and forth,
     * with caches forgotten so that every block is laid out and drawn again, gives
     * exactly what a text layer that never saw another size gives. */
    const char *s = "失业登记 Ab " EXT_B_CHAR "，请";
    const char *both[] = {PRIMARY, EXT};
    const int sizes[] = {64, 20, 40};
    drawn fresh[3];
    for (int i = 0; i < 3; i++) {
        ui_text *t;
        assert_int_equal(ui_text_create(renderer, both, 2, &t), KIOSK_OK);
        fresh[i] = draw_at(t, s, sizes[i]);
        ui_text_destroy(t);
        assert_true(fresh[i].plain.w > 0);
        assert_true(fresh[i].wrapped.lines > 1);
    }
    assert_true(fresh[0].plain.w > fresh[2].plain.w && fresh[2].plain.w > fresh[1].plain.w);

    ui_text *t;
    assert_int_equal(ui_text_create(renderer, both, 2, &t), KIOSK_OK);
    const int order[] = {1, 0, 2, 1, 2, 0, 0, 1};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        ui_text_forget(t);
        drawn d = draw_at(t, s, sizes[order[k]]);
        const drawn *f = &fresh[order[k]];
        assert_memory_equal(&d.plain, &f->plain, sizeof d.plain);
        assert_memory_equal(&d.wrapped, &f->wrapped, sizeof d.wrapped);
        assert_true(d.ink == f->ink);
    }
    /* Remembered measurements: the same answer again, whatever the colour. */
    ui_text_style st = {.px = 40, .color = {200, 0, 0, 255}};
    ui_text_block b;
    assert_int_equal(ui_text_measure_block(t, s, &st, 0, &b), KIOSK_OK);
    assert_memory_equal(&b, &fresh[2].plain, sizeof b);
    assert_int_equal(ui_text_measure_block(t, s, &st, 0, &b), KIOSK_OK);
    assert_memory_equal(&b, &fresh[2].plain, sizeof b);
    ui_text_destroy(t);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    ui_text *t = (ui_text *)&t;
    const char *missing[] = {KIOSK_TEST_FONTS "/no-such-font.otf"};
    assert_int_equal(ui_text_create(renderer, missing, 1, &t), KIOSK_FONT);
    assert_null(t);
    const char *not_font[] = {KIOSK_TEST_FONTS "/README.md"};
    assert_int_equal(ui_text_create(renderer, not_font, 1, &t), KIOSK_FONT);
    assert_null(t);
    const char *none[] = {NULL};
    assert_int_equal(ui_text_create(renderer, none, 1, &t), KIOSK_INVALID);
    assert_int_equal(ui_text_create(renderer, not_font, 0, &t), KIOSK_INVALID);
    const char *five[] = {PRIMARY, PRIMARY, PRIMARY, PRIMARY, PRIMARY};
    assert_int_equal(ui_text_create(renderer, five, 5, &t), KIOSK_INVALID);
    assert_null(t);

    ui_text_style st = {.px = 20, .color = black};
    ui_text_block b = {.w = 7};
    assert_int_equal(ui_text_draw_block(text, NULL, &st, (SDL_Rect){0}, &b), KIOSK_INVALID);
    assert_int_equal(b.w, 0);
    assert_int_equal(ui_text_draw_block(text, "一", NULL, (SDL_Rect){0}, &b), KIOSK_INVALID);
    assert_int_equal(ui_text_draw_block(NULL, "一", &st, (SDL_Rect){0}, &b), KIOSK_INVALID);
    st.px = UI_TEXT_PX_MIN - 1;
    assert_int_equal(ui_text_draw_block(text, "一", &st, (SDL_Rect){0}, &b), KIOSK_RANGE);
    st.px = UI_TEXT_PX_MAX + 1;
    assert_int_equal(ui_text_measure_block(text, "一", &st, 0, &b), KIOSK_RANGE);
    st.px = 20;
    char *long_text = malloc(UI_TEXT_BYTES_MAX + 2);
    assert_non_null(long_text);
    memset(long_text, 'a', UI_TEXT_BYTES_MAX + 1);
    long_text[UI_TEXT_BYTES_MAX + 1] = '\0';
    assert_int_equal(ui_text_measure_block(text, long_text, &st, 100, &b), KIOSK_RANGE);
    free(long_text);
    int w = 5, h = 5;
    assert_int_equal(ui_text_measure(text, NULL, 20, &w, &h), KIOSK_INVALID);
    assert_int_equal(w, 0);
    assert_int_equal(h, 0);
    assert_int_equal(ui_text_set_cache_capacity(text, 0), KIOSK_INVALID);

    /* Without a renderer: measuring and checking work, drawing does not. */
    const char *fonts[] = {PRIMARY};
    assert_int_equal(ui_text_create(NULL, fonts, 1, &t), KIOSK_OK);
    assert_int_equal(ui_text_measure(t, "一二", 20, &w, &h), KIOSK_OK);
    assert_int_equal(w, 40);
    assert_int_equal(ui_text_count_missing(t, EXT_B_CHAR), 1);
    assert_int_equal(ui_text_draw_block(t, "一", &st, (SDL_Rect){0}, &b), KIOSK_INVALID);
    ui_text_destroy(t);
    ui_text_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chinese_ink_stays_in_its_block),
        cmocka_unit_test(test_trim_keeps_the_most_recent),
        cmocka_unit_test(test_ext_b_name_character_uses_the_fallback_font),
        cmocka_unit_test(test_rare_name_characters_from_the_whole_stack),
        cmocka_unit_test(test_missing_character_is_boxed_counted_and_logged),
        cmocka_unit_test(test_wrapping_keeps_punctuation_rules),
        cmocka_unit_test(test_centre_alignment),
        cmocka_unit_test(test_bold_and_colour_are_part_of_the_key),
        cmocka_unit_test(test_cache_reuses_and_evicts_least_recent),
        cmocka_unit_test(test_drop_takes_one_block),
        cmocka_unit_test(test_frame_keeps_its_own_text),
        cmocka_unit_test(test_sizes_switched_on_shared_faces_match_fresh_faces),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
