/* The kiosk's own icons and the waiting indicator, drawn with the software renderer on a
 * surface: each icon is in its theme colour (high contrast too), the indicator moves
 * with time and is the same picture at the same time (screenshots stay deterministic),
 * and only the waiting screens ask the app to redraw on their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "flow/flow.h"
#include "ui/ui_icon.h"
#include "ui/ui_journey.h"

#define SIDE 200

typedef struct canvas {
    SDL_Surface *s;
    SDL_Renderer *r;
} canvas;

static canvas open_canvas(void)
{
    canvas c;
    c.s = SDL_CreateRGBSurfaceWithFormat(0, SIDE, SIDE, 32, SDL_PIXELFORMAT_RGBA32);
    assert_non_null(c.s);
    c.r = SDL_CreateSoftwareRenderer(c.s);
    assert_non_null(c.r);
    return c;
}

static void close_canvas(canvas *c)
{
    SDL_DestroyRenderer(c->r);
    SDL_FreeSurface(c->s);
}

static void clear(canvas *c, SDL_Color bg)
{
    SDL_SetRenderDrawColor(c->r, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(c->r);
}

/* How many pixels are col (exactly). */
static int count(const canvas *c, SDL_Color col)
{
    int n = 0;
    for (int y = 0; y < SIDE; y++) {
        const Uint8 *row = (const Uint8 *)c->s->pixels + (size_t)y * (size_t)c->s->pitch;
        for (int x = 0; x < SIDE; x++)
            if (row[4 * x] == col.r && row[4 * x + 1] == col.g && row[4 * x + 2] == col.b)
                n++;
    }
    return n;
}

static void test_icons_in_theme_colours(void **state)
{
    (void)state;
    for (int hc = 0; hc <= 1; hc++) {
        ui_theme t;
        ui_theme_init(&t, 1080, 1920, 160, 0, hc);
        canvas c = open_canvas();
        const struct {
            ui_icon_kind kind;
            SDL_Color body;
        } icons[] = {{UI_ICON_SUCCESS, t.success},
                     {UI_ICON_NOTICE, t.notice},
                     {UI_ICON_ERROR, t.error},
                     {UI_ICON_CARD, t.card}};
        for (size_t i = 0; i < sizeof icons / sizeof icons[0]; i++) {
            clear(&c, t.bg);
            ui_icon_draw(c.r, &t, icons[i].kind, (SDL_Rect){0, 0, SIDE, SIDE});
            SDL_RenderFlush(c.r);
            int body = count(&c, icons[i].body);
            /* a good part of the square is the icon's colour, the rest the ground */
            assert_true(body > SIDE * SIDE / 5);
            assert_true(body < SIDE * SIDE);
            assert_true(count(&c, t.bg) > 0);
        }
        close_canvas(&c);
    }
}

static void test_spinner_moves_with_time_only(void **state)
{
    (void)state;
    ui_theme t;
    ui_theme_init(&t, 1080, 1920, 160, 0, 0);
    canvas c = open_canvas();
    size_t size = (size_t)c.s->pitch * SIDE;
    static Uint8 at0[4 * SIDE * SIDE], again[4 * SIDE * SIDE];
    assert_true(size <= sizeof at0);
    int64_t times[] = {0, 300, UI_ICON_SPIN_MS};
    Uint8 *shots[] = {at0, again, again};
    for (int i = 0; i < 3; i++) {
        clear(&c, t.bg);
        ui_icon_spinner(c.r, &t, (SDL_Rect){0, 0, SIDE, SIDE}, times[i]);
        SDL_RenderFlush(c.r);
        assert_true(count(&c, t.accent) > 100); /* the arc */
        memcpy(shots[i], c.s->pixels, size);
        if (i == 1)
            assert_memory_not_equal(at0, again, size); /* a quarter turn later: moved */
    }
    assert_memory_equal(at0, again, size); /* a whole turn later: the same picture */
    close_canvas(&c);
}

static void test_only_waiting_screens_animate(void **state)
{
    (void)state;
    for (int s = 0; s < FLOW_STEP_COUNT; s++) {
        int waiting = s == FLOW_READING_CARD || s == FLOW_CHECKING_PIN || s == FLOW_SAVING ||
                      s == FLOW_PRINTING;
        assert_int_equal(ui_journey_animates((flow_step)s), waiting);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icons_in_theme_colours),
        cmocka_unit_test(test_spinner_moves_with_time_only),
        cmocka_unit_test(test_only_waiting_screens_animate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
