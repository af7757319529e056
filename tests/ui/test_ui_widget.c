/* Tests of the widgets on a software renderer drawing into a memory surface: a button
 * keeps the 9 mm target and records its id; a long label in a tall button goes on more
 * lines at a larger size than one shrunk line would have; a disabled button is drawn
 * but takes no touch; a form page too long for the screen scrolls, keeps its rows'
 * size, and brings a new problem into view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config/kiosk_strings.h"
#include "domain/registration.h"
#include "ui/ui_form.h"
#include "ui/ui_theme.h"
#include "ui/ui_widget.h"

#define PRIMARY KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk.otf"
#define W 1080
#define H 1920

static SDL_Surface *surface;
static SDL_Renderer *renderer;
static ui_text *text;
static ui_theme theme;
static ui_widgets widgets;
static ui_ctx ctx;
static kiosk_strings *strings;

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
    if (kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", "zh_CN", &strings, NULL) != KIOSK_OK)
        return -1;
    ctx = (ui_ctx){
        .r = renderer, .text = text, .t = &theme, .s = strings, .ws = &widgets, .w = W, .h = H};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kiosk_strings_destroy(strings);
    ui_text_destroy(text);
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
    SDL_Quit();
    return 0;
}

/* The rows of box holding the label's ink (pixels darker than the button's face). */
static void ink_rows(SDL_Rect box, int *top, int *bottom, int *left, int *right)
{
    *top = *left = 1 << 30;
    *bottom = *right = -1;
    const uint32_t *p = surface->pixels;
    int border = ui_theme_px(&theme, 3) + 1 + 4, corner = box.h / 5 + border;
    for (int y = box.y + border; y < box.y + box.h - border; y++)
        for (int x = box.x + corner; x < box.x + box.w - corner; x++) { /* off the frame */
            uint32_t v = p[y * (surface->pitch / 4) + x];
            int g = (int)((v >> 8) & 0xFF);
            if (g < 160) { /* the accent-coloured label on the white face */
                *top = y < *top ? y : *top;
                *bottom = y > *bottom ? y : *bottom;
                *left = x < *left ? x : *left;
                *right = x > *right ? x : *right;
            }
        }
}

static void clear(void)
{
    SDL_FillRect(surface, NULL, SDL_MapRGB(surface->format, 255, 255, 255));
    ui_widgets_clear(&widgets);
}

static void test_long_label_wraps_in_a_tall_button(void **state)
{
    (void)state;
    const char *label = "从事一定收入的劳动，但是收入低于当地最低生活保障标准";
    int px = 38;
    /* as low as a target may be: one line, shrunk to fit */
    clear();
    SDL_Rect flat = {40, 40, 500, theme.min_target_px};
    SDL_Rect drawn = ui_button(&ctx, "flat", flat, label, px, UI_BUTTON_SECONDARY);
    int t1, b1, l1, r1;
    ink_rows(drawn, &t1, &b1, &l1, &r1);
    assert_true(b1 > t1);
    int one_line_h = b1 - t1;
    assert_true(one_line_h < ui_theme_font_px(&theme, px));

    /* tall: wrapped, at a larger size, inside the button */
    clear();
    SDL_Rect tall = {40, 40, 500, ui_theme_target_px(&theme, 180)};
    drawn = ui_button(&ctx, "tall", tall, label, px, UI_BUTTON_SECONDARY);
    int t2, b2, l2, r2;
    ink_rows(drawn, &t2, &b2, &l2, &r2);
    assert_true(b2 - t2 > 2 * one_line_h);
    assert_true(t2 > drawn.y && b2 < drawn.y + drawn.h);
    SDL_Rect hit;
    assert_true(ui_widgets_find(&widgets, "tall", &hit));

    /* a short label is not wrapped: one line at full size */
    clear();
    drawn = ui_button(&ctx, "short", tall, "其他", px, UI_BUTTON_SECONDARY);
    int t3, b3, l3, r3;
    ink_rows(drawn, &t3, &b3, &l3, &r3);
    assert_true(b3 - t3 < ui_theme_font_px(&theme, px) * 3 / 2);
    assert_true(b3 - t3 > one_line_h);
}

static void test_targets_and_disabled_buttons(void **state)
{
    (void)state;
    clear();
    SDL_Rect tiny = {100, 100, 10, 10};
    SDL_Rect drawn = ui_button(&ctx, "tiny", tiny, "x", 20, UI_BUTTON_SECONDARY);
    assert_true(drawn.w >= theme.min_target_px && drawn.h >= theme.min_target_px);
    SDL_Rect hit;
    assert_true(ui_widgets_find(&widgets, "tiny", &hit));
    assert_string_equal(ui_widgets_hit(&widgets, drawn.x + drawn.w / 2, drawn.y + drawn.h / 2),
                        "tiny");
    ui_button(&ctx, "off", (SDL_Rect){300, 100, 200, 100}, "off", 20, UI_BUTTON_DISABLED);
    assert_false(ui_widgets_find(&widgets, "off", &hit));
    assert_null(ui_widgets_hit(&widgets, 400, 150));
}

/* The wishes page (ten fields) in body. */
static SDL_Rect body = {40, 300, 1000, 1300}; /* the portrait body */
static void draw_wishes(const flow_view *v, ui_form_scroll *sc)
{
    static registration rec;
    registration_init(&rec);
    ui_form_env env = {.rec = &rec, .lang = CODES_ZH};
    ui_form_edit edit;
    memset(&edit, 0, sizeof edit);
    clear();
    ui_form_draw(&ctx, &env, v, &edit, sc, body);
}

/* In the hall the wishes page fits, in normal and large text: two columns, nothing to
 * scroll, every row whole. */
static void test_hall_wishes_fit(void **state)
{
    (void)state;
    for (int large = 0; large < 2; large++) {
        ui_theme_init(&theme, W, H, 160, large, 0);
        flow_view v;
        memset(&v, 0, sizeof v);
        v.step = FLOW_FORM;
        v.page = FLOW_PAGE_WISHES;
        ui_form_scroll sc = {.page = -1};
        draw_wishes(&v, &sc);
        SDL_Rect first, last, r;
        assert_int_equal(sc.max, 0);
        assert_true(ui_widgets_find(&widgets, "field_services", &first));
        assert_true(ui_widgets_find(&widgets, "field_remarks", &last));
        assert_true(first.h >= ui_theme_size_px(&theme, UI_SIZE_FIELD_VALUE) * 2);
        assert_true(last.y + last.h <= body.y + body.h);
        assert_false(ui_widgets_find(&widgets, UI_ID_SCROLL_DOWN, &r));
    }
    ui_theme_init(&theme, W, H, 160, 0, 0);
}

/* On the portable unit (1280×800) in large text the wishes page scrolls. */
static void test_long_form_page_scrolls(void **state)
{
    (void)state;
    ui_theme_init(&theme, 1280, 800, 160, 1, 0);
    body = (SDL_Rect){48, 200, 1184, 450};
    flow_view v;
    memset(&v, 0, sizeof v);
    v.step = FLOW_FORM;
    v.page = FLOW_PAGE_WISHES;
    ui_form_scroll sc = {.page = -1};
    draw_wishes(&v, &sc);
    /* rows keep a readable size; the first is whole on screen, the last is not there;
     * the page can go down, not up */
    SDL_Rect first, last, r;
    assert_true(ui_widgets_find(&widgets, "field_services", &first));
    assert_true(first.h >= ui_theme_size_px(&theme, UI_SIZE_FIELD_LABEL) * 3);
    assert_false(ui_widgets_find(&widgets, "field_job_intention_2", &last));
    assert_true(sc.max > 0 && sc.y == 0);
    assert_true(ui_widgets_find(&widgets, UI_ID_SCROLL_DOWN, &r));
    assert_false(ui_widgets_find(&widgets, UI_ID_SCROLL_UP, &r));

    /* down to the end: the last row whole, the first gone */
    for (int i = 0; i < 20 && sc.y < sc.max; i++) {
        sc.y += H / 3; /* as the app moves it on a tap of ▼ */
        draw_wishes(&v, &sc);
    }
    assert_int_equal(sc.y, sc.max);
    assert_true(ui_widgets_find(&widgets, "field_job_intention_2", &last));
    assert_int_equal(last.h, first.h);
    assert_false(ui_widgets_find(&widgets, "field_services", &r));
    assert_false(ui_widgets_find(&widgets, UI_ID_SCROLL_DOWN, &r));

    /* a problem appears above the view: it is brought into view, whole */
    v.nissues = 1;
    v.issues[0].field = REGISTRATION_SERVICES;
    v.issues[0].error = REGISTRATION_ERR_REQUIRED;
    draw_wishes(&v, &sc);
    assert_int_equal(sc.y, 0);
    assert_true(ui_widgets_find(&widgets, "field_services", &r));
    assert_int_equal(r.h, first.h);
    /* and stays where the citizen scrolls to while it stands */
    sc.y += H / 3; /* as the app moves it on a tap of ▼ */
    draw_wishes(&v, &sc);
    assert_true(sc.y > 0);

    /* another page starts at the top */
    v.nissues = 0;
    v.page = FLOW_PAGE_CONTACT;
    draw_wishes(&v, &sc);
    assert_int_equal(sc.y, 0);
    ui_theme_init(&theme, W, H, 160, 0, 0);
    body = (SDL_Rect){40, 300, 1000, 1300};
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_label_wraps_in_a_tall_button),
        cmocka_unit_test(test_targets_and_disabled_buttons),
        cmocka_unit_test(test_hall_wishes_fit),
        cmocka_unit_test(test_long_form_page_scrolls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
