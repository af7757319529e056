/* Tests of the handwriting pad with the real recogniser and the Debian model: characters
 * written with a finger's coordinates (moves every few pixels, as a panel reports them)
 * come back among the first candidates, after each stroke; strokes start only on the pad;
 * clearing wipes the ink and the candidates; a cache of the drawn ink learns when to redraw
 * and goes with the writing; a missing model is KIOSK_NOT_FOUND. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui_handwriting.h"

#define PAD_X 100
#define PAD_Y 200
#define PAD 300

static ui_handwriting *hw;

static int setup(void **state)
{
    (void)state;
    return ui_handwriting_create(NULL, &hw) == KIOSK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ui_handwriting_destroy(hw);
    return 0;
}

/* One stroke through the points (pad pixels, -1 ends), a move every 5 pixels. */
static void stroke(const int *p)
{
    ui_handwriting_place(hw, PAD_X, PAD_Y, PAD, PAD);
    assert_int_equal(ui_handwriting_stroke(hw, 0, PAD_X + p[0], PAD_Y + p[1]), 1);
    assert_true(ui_handwriting_stroke_open(hw));
    int i = 2;
    for (; p[i] >= 0; i += 2) {
        int x0 = p[i - 2], y0 = p[i - 1], x1 = p[i], y1 = p[i + 1];
        int steps = (abs(x1 - x0) + abs(y1 - y0)) / 5 + 1;
        for (int k = 1; k <= steps; k++)
            ui_handwriting_stroke(hw, 1, PAD_X + x0 + (x1 - x0) * k / steps,
                                  PAD_Y + y0 + (y1 - y0) * k / steps);
    }
    assert_int_equal(ui_handwriting_stroke(hw, 2, PAD_X + p[i - 2], PAD_Y + p[i - 1]), 1);
    assert_false(ui_handwriting_stroke_open(hw));
}

/* Position of want among the candidates, or -1. */
static int rank(const char *want)
{
    for (size_t i = 0; i < ui_handwriting_candidate_count(hw); i++)
        if (!strcmp(ui_handwriting_candidate(hw, i), want))
            return (int)i;
    return -1;
}

static void write_char(const int strokes[][16], size_t n)
{
    ui_handwriting_clear(hw);
    for (size_t s = 0; s < n; s++) {
        stroke(strokes[s]);
        assert_int_equal(ui_handwriting_stroke_count(hw), s + 1);
        assert_true(ui_handwriting_candidate_count(hw) > 0); /* after every stroke */
    }
}

static void test_shi(void **state)
{
    (void)state;
    static const int s[][16] = {{40, 150, 260, 148, -1}, {150, 30, 152, 280, -1}};
    write_char(s, 2);
    assert_int_equal(rank("十"), 0);
}

static void test_kou(void **state)
{
    (void)state;
    /* 口 is a small character: written filling the box it reads as 囗 (also offered) */
    static const int s[][16] = {
        {95, 90, 97, 210, -1}, {95, 90, 205, 88, 203, 212, -1}, {97, 208, 203, 210, -1}};
    write_char(s, 3);
    int r = rank("口");
    assert_true(r >= 0 && r < 3);
}

static void test_ren(void **state)
{
    (void)state;
    static const int s[][16] = {{150, 40, 140, 140, 60, 260, -1},
                                {142, 130, 200, 200, 265, 260, -1}};
    write_char(s, 2);
    int r = rank("人");
    assert_true(r >= 0 && r < 3);
}

static void test_hao(void **state)
{
    (void)state;
    static const int s[][16] = {{95, 30, 97, 105, -1},
                                {95, 30, 205, 30, 203, 105, -1},
                                {97, 103, 203, 103, -1},
                                {40, 145, 260, 145, -1},
                                {115, 150, 95, 205, 225, 205, 215, 280, 175, 268, -1}};
    write_char(s, 5);
    int r = rank("号");
    assert_true(r >= 0 && r < 3);
}

static void test_pad_bounds_and_clear(void **state)
{
    (void)state;
    ui_handwriting_clear(hw);
    ui_handwriting_place(hw, PAD_X, PAD_Y, PAD, PAD);
    /* a touch beside the pad is not a stroke; nor is a move without a down */
    assert_int_equal(ui_handwriting_stroke(hw, 0, PAD_X - 1, PAD_Y + 10), 0);
    assert_int_equal(ui_handwriting_stroke(hw, 1, PAD_X + 10, PAD_Y + 10), 0);
    assert_int_equal(ui_handwriting_stroke_count(hw), 0);
    /* a stroke leaving the pad is held to its edge */
    assert_int_equal(ui_handwriting_stroke(hw, 0, PAD_X + 10, PAD_Y + 10), 1);
    ui_handwriting_stroke(hw, 1, PAD_X + 2 * PAD, PAD_Y + 10);
    ui_handwriting_stroke(hw, 2, PAD_X + 2 * PAD, PAD_Y + 10);
    const ui_handwriting_point *p;
    size_t n = ui_handwriting_stroke_points(hw, 0, &p);
    assert_true(n >= 2);
    assert_int_equal(p[n - 1].x, PAD - 1);
    assert_true(ui_handwriting_candidate_count(hw) > 0);
    /* the pad hidden: no stroke starts */
    ui_handwriting_place(hw, 0, 0, 0, 0);
    assert_int_equal(ui_handwriting_stroke(hw, 0, PAD_X + 10, PAD_Y + 10), 0);
    int x, y, w, h;
    assert_false(ui_handwriting_rect(hw, &x, &y, &w, &h));
    /* 重写 and the session's wipe: no ink, no candidates */
    ui_handwriting_clear(hw);
    assert_int_equal(ui_handwriting_stroke_count(hw), 0);
    assert_int_equal(ui_handwriting_candidate_count(hw), 0);
    assert_string_equal(ui_handwriting_candidate(hw, 0), "");
    assert_int_equal(ui_handwriting_stroke_points(hw, 0, &p), 0);
}

static void test_stroke_cap(void **state)
{
    (void)state;
    ui_handwriting_clear(hw);
    ui_handwriting_place(hw, PAD_X, PAD_Y, PAD, PAD);
    for (int i = 0; i < UI_HANDWRITING_STROKES_MAX; i++) {
        assert_int_equal(ui_handwriting_stroke(hw, 0, PAD_X + 10 + i, PAD_Y + 10), 1);
        ui_handwriting_stroke(hw, 2, PAD_X + 10 + i, PAD_Y + 60);
    }
    assert_int_equal(ui_handwriting_stroke(hw, 0, PAD_X + 10, PAD_Y + 10), 0);
    assert_int_equal(ui_handwriting_stroke_count(hw), UI_HANDWRITING_STROKES_MAX);
    ui_handwriting_clear(hw);
}

/* The drawing's cache of the ink: the serial tells it when drawn ink went away (not when
 * ink is added), and the cache is dropped with the writing. */
static int drops;
static void count_drop(void *view)
{
    assert_ptr_equal(view, &drops);
    drops++;
}

static void test_ink_serial_and_view(void **state)
{
    (void)state;
    ui_handwriting *h;
    assert_int_equal(ui_handwriting_create(NULL, &h), KIOSK_OK);
    ui_handwriting_place(h, PAD_X, PAD_Y, PAD, PAD);
    unsigned s0 = ui_handwriting_serial(h);
    ui_handwriting_stroke(h, 0, PAD_X + 10, PAD_Y + 10);
    ui_handwriting_stroke(h, 1, PAD_X + 100, PAD_Y + 10);
    ui_handwriting_stroke(h, 2, PAD_X + 200, PAD_Y + 10);
    assert_int_equal(ui_handwriting_serial(h), s0); /* ink added: drawn on top */
    ui_handwriting_clear(h);
    unsigned s1 = ui_handwriting_serial(h);
    assert_int_not_equal(s1, s0); /* 重写: the cached ink must go */
    /* the pools full: the last point moves, which a cache must redraw */
    ui_handwriting_stroke(h, 0, PAD_X + 1, PAD_Y + 1);
    for (int i = 0; i < UI_HANDWRITING_POINTS_MAX + 10; i++)
        ui_handwriting_stroke(h, 1, PAD_X + 1 + (i % 2) * 50, PAD_Y + 1 + (i % 3) * 50);
    assert_int_not_equal(ui_handwriting_serial(h), s1);
    drops = 0;
    ui_handwriting_set_view(h, &drops, count_drop);
    assert_ptr_equal(ui_handwriting_view(h), &drops);
    ui_handwriting_clear(h);
    assert_int_equal(drops, 0); /* a clear keeps the cache (it is redrawn) */
    ui_handwriting_set_view(h, &drops, count_drop);
    assert_int_equal(drops, 0); /* the same view again is not a replacement */
    ui_handwriting_destroy(h);  /* the session's wipe: the rasterised writing goes too */
    assert_int_equal(drops, 1);
}

static void test_missing_model(void **state)
{
    (void)state;
    ui_handwriting *h = (ui_handwriting *)1;
    assert_int_equal(ui_handwriting_create("/nonexistent/handwriting.model", &h), KIOSK_NOT_FOUND);
    assert_null(h);
    assert_int_equal(ui_handwriting_create(KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk.otf", &h),
                     KIOSK_CORRUPT);
    assert_null(h);
    assert_int_equal(ui_handwriting_create(NULL, NULL), KIOSK_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shi),
        cmocka_unit_test(test_kou),
        cmocka_unit_test(test_ren),
        cmocka_unit_test(test_hao),
        cmocka_unit_test(test_pad_bounds_and_clear),
        cmocka_unit_test(test_stroke_cap),
        cmocka_unit_test(test_ink_serial_and_view),
        cmocka_unit_test(test_missing_model),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
