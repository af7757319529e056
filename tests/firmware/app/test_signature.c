/* Tests of the signature pad's model without SDL: a synthesised handwritten 张三 passes
 * while a swipe, a tap, a tiny scribble and an empty pad do not, at every screen
 * density; the caps hold; the evidence JSON is byte-exact, deterministic, strictly valid
 * and parses with jansson; the rasteriser puts ink on the path only; clear wipes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/kiosk_json.h"
#include "app/signature.h"

/* ---- synthesised handwriting, in millimetres on a 120 x 60 mm pad ---- */

#define PAD_W_MM 120
#define PAD_H_MM 60
#define MAX_VERTS 8
#define MAX_SHAPE_STROKES 12

typedef struct polyline {
    int n;
    double p[MAX_VERTS][2];
} polyline;

typedef struct shape {
    const char *name;
    int n;
    polyline s[MAX_SHAPE_STROKES];
} shape;

/* 张三 about 25 mm high, in the order a hand writes it: 弓 (3 strokes), 长 (4), 三 (3). */
static const shape zhang_san = {
    "张三",
    10,
    {
        {3, {{10, 16}, {18, 16}, {18, 22}}},
        {2, {{11, 22}, {18, 22}}},
        {5, {{11, 22}, {11, 29}, {19, 29}, {18, 37}, {15, 36}}},
        {3, {{24, 15}, {24, 31}, {27, 29}}},
        {2, {{33, 16}, {26, 22}}},
        {2, {{21, 24}, {36, 24}}},
        {2, {{27, 26}, {36, 38}}},
        {2, {{45, 18}, {60, 17}}},
        {2, {{46, 27}, {58, 26}}},
        {2, {{42, 37}, {66, 35}}},
    },
};

/* One confident swipe across the pad. */
static const shape swipe = {"swipe", 1, {{2, {{10, 10}, {100, 45}}}}};

/* A scribble inside 6 x 4 mm, with plenty of ink. */
static const shape scribble = {
    "scribble",
    2,
    {
        {8, {{20, 20}, {26, 21}, {20, 22}, {26, 23}, {21, 24}, {25, 20}, {21, 21}, {26, 24}}},
        {4, {{22, 20}, {24, 24}, {23, 20}, {25, 23}}},
    },
};

/* An "L" 16 x 10 mm: big enough, not a line, but only 26 mm of ink. */
static const shape ell = {"L", 1, {{3, {{20, 20}, {20, 30}, {36, 30}}}}};

/* Sampling like a 60 Hz touch panel under a slow hand: 60 mm/s, a 16 ms period, a
 * deterministic tremor of 0.15 mm, 350 ms between strokes. */
#define SPEED_MM_PER_MS 0.06
#define PERIOD_MS 16
#define GAP_MS 350
#define T_START 5000000

static void draw(signature *s, const shape *sh, double ppm)
{
    int64_t t = T_START;
    int tick = 0;
    for (int k = 0; k < sh->n; k++) {
        const polyline *pl = &sh->s[k];
        assert_int_equal(
            signature_begin(s, (float)(pl->p[0][0] * ppm), (float)(pl->p[0][1] * ppm), t),
            KIOSK_OK);
        for (int v = 1; v < pl->n; v++) {
            double ax = pl->p[v - 1][0], ay = pl->p[v - 1][1];
            double bx = pl->p[v][0], by = pl->p[v][1];
            int steps = (int)ceil(hypot(bx - ax, by - ay) / (SPEED_MM_PER_MS * PERIOD_MS));
            for (int i = 1; i <= steps; i++, tick++) {
                double f = (double)i / steps;
                double x = ax + f * (bx - ax) + 0.15 * sin(tick * 1.7);
                double y = ay + f * (by - ay) + 0.15 * cos(tick * 2.3);
                t += PERIOD_MS;
                assert_int_equal(signature_move(s, (float)(x * ppm), (float)(y * ppm), t),
                                 KIOSK_OK);
            }
        }
        t += 8;
        assert_int_equal(signature_end(s, t), KIOSK_OK);
        t += GAP_MS;
    }
}

static signature *pad_mm(double ppm)
{
    signature *s = NULL;
    assert_int_equal(
        signature_create((int)lround(PAD_W_MM * ppm), (int)lround(PAD_H_MM * ppm), (float)ppm, &s),
        KIOSK_OK);
    assert_non_null(s);
    return s;
}

static signature_verdict verdict_of(const shape *sh, double ppm)
{
    signature *s = pad_mm(ppm);
    draw(s, sh, ppm);
    signature_verdict why = (signature_verdict)-1;
    kiosk_rc rc = signature_check(s, &why);
    assert_int_equal(rc, why == SIGNATURE_OK ? KIOSK_OK : KIOSK_INVALID);
    signature_destroy(s);
    return why;
}

/* ---- verdicts ---- */

static void test_name_passes(void **state)
{
    (void)state;
    signature *s = pad_mm(8);
    draw(s, &zhang_san, 8);
    assert_int_equal(signature_stroke_count(s), 10);
    signature_verdict why = SIGNATURE_EMPTY;
    assert_int_equal(signature_check(s, &why), KIOSK_OK);
    assert_int_equal(why, SIGNATURE_OK);
    assert_int_equal(signature_check(s, NULL), KIOSK_OK);
    signature_destroy(s);
}

static void test_swipe_scribble_short(void **state)
{
    (void)state;
    assert_int_equal(verdict_of(&swipe, 8), SIGNATURE_A_DOT_OR_LINE);
    assert_int_equal(verdict_of(&scribble, 8), SIGNATURE_TOO_SMALL);
    assert_int_equal(verdict_of(&ell, 8), SIGNATURE_TOO_SHORT);
}

/* A tap is a dot (A_DOT_OR_LINE), not EMPTY: the citizen did touch the pad, and the
 * message should ask for a name rather than say nothing was signed. */
static void test_tap_is_a_dot(void **state)
{
    (void)state;
    signature *s = pad_mm(8);
    assert_int_equal(signature_begin(s, 400, 200, 10), KIOSK_OK);
    assert_int_equal(signature_end(s, 90), KIOSK_OK);
    assert_int_equal(signature_stroke_count(s), 1);
    assert_int_equal(signature_point_count(s), 1);
    signature_verdict why;
    assert_int_equal(signature_check(s, &why), KIOSK_INVALID);
    assert_int_equal(why, SIGNATURE_A_DOT_OR_LINE);
    /* a few more taps nearby (within 2 mm): still a dot */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(signature_begin(s, 400 + 3 * i, 200 + 2 * i, 200 + 100 * i), KIOSK_OK);
        assert_int_equal(signature_end(s, 250 + 100 * i), KIOSK_OK);
    }
    assert_int_equal(signature_check(s, &why), KIOSK_INVALID);
    assert_int_equal(why, SIGNATURE_A_DOT_OR_LINE);
    signature_destroy(s);
}

static void test_empty_and_clear(void **state)
{
    (void)state;
    signature *s = pad_mm(8);
    signature_verdict why;
    assert_int_equal(signature_check(s, &why), KIOSK_INVALID);
    assert_int_equal(why, SIGNATURE_EMPTY);
    draw(s, &zhang_san, 8);
    assert_int_equal(signature_check(s, &why), KIOSK_OK);
    signature_clear(s);
    assert_int_equal(signature_stroke_count(s), 0);
    assert_int_equal(signature_point_count(s), 0);
    assert_int_equal(signature_check(s, &why), KIOSK_INVALID);
    assert_int_equal(why, SIGNATURE_EMPTY);
    /* the pad is usable again, and the clock restarts at the next touch */
    draw(s, &zhang_san, 8);
    assert_int_equal(signature_check(s, &why), KIOSK_OK);
    const signature_point *p;
    size_t n;
    assert_int_equal(signature_points(s, 0, &p, &n), KIOSK_OK);
    assert_int_equal(p[0].t_ms, 0);
    signature_destroy(s);
    signature_destroy(NULL);
}

/* Thresholds are millimetres: the same hand on three screen densities. */
static void test_density_independent(void **state)
{
    (void)state;
    const double ppm[] = {4, 8, 12};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(verdict_of(&zhang_san, ppm[i]), SIGNATURE_OK);
        assert_int_equal(verdict_of(&swipe, ppm[i]), SIGNATURE_A_DOT_OR_LINE);
        assert_int_equal(verdict_of(&scribble, ppm[i]), SIGNATURE_TOO_SMALL);
        assert_int_equal(verdict_of(&ell, ppm[i]), SIGNATURE_TOO_SHORT);
    }
}

/* Size thresholds at their edges: a box-shaped scribble 14 x 7 mm is too small; 16 mm
 * wide (or 9 mm tall) is not, at both densities. */
static void test_size_threshold(void **state)
{
    (void)state;
    const double ppm[] = {4, 12};
    for (size_t i = 0; i < 2; i++) {
        shape box = {"box", 1, {{5, {{20, 20}, {34, 20}, {34, 27}, {20, 27}, {20, 21}}}}};
        assert_int_equal(verdict_of(&box, ppm[i]), SIGNATURE_TOO_SMALL);
        box.s[0].p[1][0] = box.s[0].p[2][0] = 36;
        assert_int_equal(verdict_of(&box, ppm[i]), SIGNATURE_OK);
        shape tall = {"tall", 1, {{5, {{20, 20}, {34, 20}, {34, 29}, {20, 29}, {20, 21}}}}};
        assert_int_equal(verdict_of(&tall, ppm[i]), SIGNATURE_OK);
    }
}

/* ---- input handling ---- */

static void test_clamp_and_invalid(void **state)
{
    (void)state;
    signature *s = NULL;
    assert_int_equal(signature_create(200, 100, 8, &s), KIOSK_OK);
    assert_int_equal(signature_begin(s, -50, 500, 0), KIOSK_OK);
    assert_int_equal(signature_move(s, 1e9f, -3, 16), KIOSK_OK);
    assert_int_equal(signature_move(s, NAN, 3, 32), KIOSK_INVALID);
    assert_int_equal(signature_move(s, 3, INFINITY, 32), KIOSK_INVALID);
    assert_int_equal(signature_end(s, 40), KIOSK_OK);
    const signature_point *p;
    size_t n;
    assert_int_equal(signature_points(s, 0, &p, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_int_equal(p[0].x, 0);
    assert_int_equal(p[0].y, 99);
    assert_int_equal(p[1].x, 199);
    assert_int_equal(p[1].y, 0);
    assert_int_equal(signature_points(s, 1, &p, &n), KIOSK_RANGE);
    assert_null(p);
    assert_int_equal(n, 0);
    signature_destroy(s);

    signature *bad = (signature *)&bad;
    assert_int_equal(signature_create(0, 100, 8, &bad), KIOSK_INVALID);
    assert_null(bad);
    assert_int_equal(signature_create(100, SIGNATURE_PAD_MAX + 1, 8, &bad), KIOSK_INVALID);
    assert_int_equal(signature_create(100, 100, 0, &bad), KIOSK_INVALID);
    assert_int_equal(signature_create(100, 100, NAN, &bad), KIOSK_INVALID);
    assert_null(bad);
}

/* Jitter under 0.5 mm is dropped, but the point where the finger lifted is kept. */
static void test_jitter_keeps_last(void **state)
{
    (void)state;
    signature *s = NULL;
    assert_int_equal(signature_create(200, 100, 8, &s), KIOSK_OK); /* jitter 4 px */
    assert_int_equal(signature_begin(s, 10, 10, 100), KIOSK_OK);
    assert_int_equal(signature_move(s, 11, 10, 116), KIOSK_OK);
    assert_int_equal(signature_move(s, 12, 11, 132), KIOSK_OK);
    assert_int_equal(signature_point_count(s), 1);
    assert_int_equal(signature_end(s, 140), KIOSK_OK);
    const signature_point *p;
    size_t n;
    assert_int_equal(signature_points(s, 0, &p, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_int_equal(p[1].x, 12);
    assert_int_equal(p[1].y, 11);
    assert_int_equal(p[1].t_ms, 32);
    /* a sample far enough is stored at once; nothing pending afterwards */
    assert_int_equal(signature_begin(s, 50, 50, 200), KIOSK_OK);
    assert_int_equal(signature_move(s, 55, 50, 216), KIOSK_OK);
    assert_int_equal(signature_move(s, 56, 50, 232), KIOSK_OK); /* dropped: 1 px */
    assert_int_equal(signature_move(s, 55, 50, 248), KIOSK_OK); /* back on the last */
    assert_int_equal(signature_end(s, 260), KIOSK_OK);
    assert_int_equal(signature_points(s, 1, &p, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    signature_destroy(s);
}

/* One finger: a second begin is refused; stray moves and lifts are ignored. */
static void test_one_finger(void **state)
{
    (void)state;
    signature *s = NULL;
    assert_int_equal(signature_create(200, 100, 8, &s), KIOSK_OK);
    assert_int_equal(signature_move(s, 30, 30, 0), KIOSK_OK); /* hover */
    assert_int_equal(signature_end(s, 0), KIOSK_OK);
    assert_int_equal(signature_stroke_count(s), 0);
    assert_int_equal(signature_begin(s, 10, 10, 1000), KIOSK_OK);
    assert_int_equal(signature_begin(s, 150, 80, 1010), KIOSK_BUSY);
    assert_int_equal(signature_stroke_count(s), 1);
    assert_int_equal(signature_point_count(s), 1);
    assert_int_equal(signature_end(s, 1100), KIOSK_OK);
    signature_destroy(s);
}

/* Times are relative to the first touch and never go back. */
static void test_timing(void **state)
{
    (void)state;
    signature *s = NULL;
    assert_int_equal(signature_create(200, 100, 8, &s), KIOSK_OK);
    assert_int_equal(signature_begin(s, 10, 10, -7000), KIOSK_OK);
    assert_int_equal(signature_move(s, 30, 10, -6900), KIOSK_OK);
    assert_int_equal(signature_move(s, 50, 10, -6950), KIOSK_OK); /* clock stepped back */
    assert_int_equal(signature_end(s, -6800), KIOSK_OK);
    const signature_point *p;
    size_t n;
    assert_int_equal(signature_points(s, 0, &p, &n), KIOSK_OK);
    assert_int_equal(n, 3);
    assert_int_equal(p[0].t_ms, 0);
    assert_int_equal(p[1].t_ms, 100);
    assert_int_equal(p[2].t_ms, 100);
    char *json;
    size_t len;
    assert_int_equal(signature_evidence_json(s, NULL, &json, &len), KIOSK_OK);
    assert_non_null(strstr(json, "\"duration_ms\":200,"));
    free(json);
    signature_destroy(s);
}

/* ---- caps ---- */

static void test_stroke_cap(void **state)
{
    (void)state;
    signature *s = NULL;
    assert_int_equal(signature_create(800, 400, 8, &s), KIOSK_OK);
    for (int k = 0; k < SIGNATURE_MAX_STROKES; k++) {
        assert_int_equal(signature_begin(s, 10 + k * 10, 10, k * 100), KIOSK_OK);
        assert_int_equal(signature_move(s, 10 + k * 10, 300, k * 100 + 50), KIOSK_OK);
        assert_int_equal(signature_end(s, k * 100 + 60), KIOSK_OK);
    }
    assert_int_equal(signature_begin(s, 5, 5, 99999), KIOSK_RANGE);
    assert_int_equal(signature_move(s, 700, 350, 100000), KIOSK_OK); /* ignored */
    assert_int_equal(signature_end(s, 100010), KIOSK_OK);
    assert_int_equal(signature_stroke_count(s), SIGNATURE_MAX_STROKES);
    assert_int_equal(signature_point_count(s), 2 * SIGNATURE_MAX_STROKES);
    signature_verdict why;
    assert_int_equal(signature_check(s, &why), KIOSK_OK);
    signature_destroy(s);
}

static void test_point_cap(void **state)
{
    (void)state;
    signature *s = NULL;
    assert_int_equal(signature_create(1000, 1000, 4, &s), KIOSK_OK);
    assert_int_equal(signature_begin(s, 100, 0, 0), KIOSK_OK);
    for (int i = 1; i < SIGNATURE_MAX_POINTS; i++)
        assert_int_equal(signature_move(s, (i % 2) ? 900 : 100, i % 1000, i), KIOSK_OK);
    assert_int_equal(signature_point_count(s), SIGNATURE_MAX_POINTS);
    assert_int_equal(signature_move(s, 500, 500, 1000000), KIOSK_RANGE);
    /* the last stored point is (900, 191); a 1 px move is jitter, kept for _end */
    assert_int_equal(signature_move(s, 901, 191, 1000001), KIOSK_OK);
    assert_int_equal(signature_end(s, 1000002), KIOSK_RANGE); /* no room for it */
    assert_int_equal(signature_begin(s, 10, 10, 1000003), KIOSK_RANGE);
    assert_int_equal(signature_point_count(s), SIGNATURE_MAX_POINTS);
    assert_int_equal(signature_stroke_count(s), 1);

    /* the largest evidence is still strict JSON of the right shape */
    char *json;
    size_t len;
    assert_int_equal(signature_evidence_json(s, "kiosk-3", &json, &len), KIOSK_OK);
    assert_int_equal(strlen(json), len);
    assert_true(kiosk_json_object_valid(json, len));
    json_error_t err;
    json_t *root = json_loadb(json, len, 0, &err);
    assert_non_null(root);
    json_t *strokes = json_object_get(root, "strokes");
    assert_int_equal(json_array_size(strokes), 1);
    assert_int_equal(json_array_size(json_array_get(strokes, 0)), SIGNATURE_MAX_POINTS);
    json_decref(root);
    free(json);
    signature_destroy(s);
}

/* ---- evidence ---- */

static signature *two_strokes(void)
{
    signature *s = NULL;
    assert_int_equal(signature_create(100, 50, 8, &s), KIOSK_OK);
    assert_int_equal(signature_begin(s, 10, 10, 1000), KIOSK_OK);
    assert_int_equal(signature_move(s, 20.4f, 10.6f, 1016), KIOSK_OK);
    assert_int_equal(signature_end(s, 1030), KIOSK_OK);
    assert_int_equal(signature_begin(s, 30, 40, 1500), KIOSK_OK);
    assert_int_equal(signature_move(s, 30.4f, 40.2f, 1510), KIOSK_OK); /* jitter */
    assert_int_equal(signature_move(s, 40, 45, 1520), KIOSK_OK);
    assert_int_equal(signature_end(s, 1600), KIOSK_OK);
    return s;
}

static void test_evidence_exact(void **state)
{
    (void)state;
    signature *s = two_strokes();
    char *json = NULL;
    size_t len = 0;
    assert_int_equal(signature_evidence_json(s, NULL, &json, &len), KIOSK_OK);
    const char *want =
        "{\"v\":1,\"pad\":{\"w\":100,\"h\":50,\"px_per_m\":8000},\"duration_ms\":600,"
        "\"strokes\":[[[10,10,0],[20,11,16]],[[30,40,500],[40,45,520]]]}";
    assert_string_equal(json, want);
    assert_int_equal(len, strlen(want));
    assert_true(kiosk_json_object_valid(json, len));
    free(json);

    assert_int_equal(signature_evidence_json(s, "hall-7:pad_2.a", &json, &len), KIOSK_OK);
    assert_string_equal(json, "{\"v\":1,\"pad\":{\"id\":\"hall-7:pad_2.a\",\"w\":100,\"h\":50,"
                              "\"px_per_m\":8000},\"duration_ms\":600,\"strokes\":[[[10,10,0],"
                              "[20,11,16]],[[30,40,500],[40,45,520]]]}");
    assert_true(kiosk_json_object_valid(json, len));
    free(json);

    /* ids that would need escaping, or are empty or too long, are refused */
    char long_id[SIGNATURE_PAD_ID_MAX + 2];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    const char *bad[] = {"", "a\"b", "a\\b", "pad 1", "签名板", long_id};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json = (char *)&json;
        len = 99;
        assert_int_equal(signature_evidence_json(s, bad[i], &json, &len), KIOSK_INVALID);
        assert_null(json);
        assert_int_equal(len, 0);
    }
    long_id[SIGNATURE_PAD_ID_MAX] = '\0';
    assert_int_equal(signature_evidence_json(s, long_id, &json, &len), KIOSK_OK);
    free(json);

    /* the empty pad still writes a valid object */
    signature_clear(s);
    assert_int_equal(signature_evidence_json(s, NULL, &json, &len), KIOSK_OK);
    assert_string_equal(json, "{\"v\":1,\"pad\":{\"w\":100,\"h\":50,\"px_per_m\":8000},"
                              "\"duration_ms\":0,\"strokes\":[]}");
    assert_true(kiosk_json_object_valid(json, len));
    free(json);
    signature_destroy(s);
}

static void test_evidence_deterministic_and_parses(void **state)
{
    (void)state;
    signature *a = pad_mm(8), *b = pad_mm(8);
    draw(a, &zhang_san, 8);
    draw(b, &zhang_san, 8);
    char *ja, *jb;
    size_t la, lb;
    assert_int_equal(signature_evidence_json(a, "pad-1", &ja, &la), KIOSK_OK);
    assert_int_equal(signature_evidence_json(b, "pad-1", &jb, &lb), KIOSK_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(ja, jb, la);
    assert_true(kiosk_json_object_valid(ja, la));

    json_error_t err;
    json_t *root = json_loadb(ja, la, 0, &err);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(root, "v")), 1);
    json_t *pad = json_object_get(root, "pad");
    assert_string_equal(json_string_value(json_object_get(pad, "id")), "pad-1");
    assert_int_equal(json_integer_value(json_object_get(pad, "w")), 960);
    assert_int_equal(json_integer_value(json_object_get(pad, "h")), 480);
    assert_int_equal(json_integer_value(json_object_get(pad, "px_per_m")), 8000);
    json_t *strokes = json_object_get(root, "strokes");
    assert_int_equal(json_array_size(strokes), signature_stroke_count(a));
    size_t total = 0;
    json_int_t prev_t = 0;
    for (size_t k = 0; k < json_array_size(strokes); k++) {
        json_t *st = json_array_get(strokes, k);
        const signature_point *p;
        size_t n;
        assert_int_equal(signature_points(a, k, &p, &n), KIOSK_OK);
        assert_int_equal(json_array_size(st), n);
        for (size_t i = 0; i < n; i++) {
            json_t *pt = json_array_get(st, i);
            assert_int_equal(json_array_size(pt), 3);
            assert_int_equal(json_integer_value(json_array_get(pt, 0)), p[i].x);
            assert_int_equal(json_integer_value(json_array_get(pt, 1)), p[i].y);
            json_int_t t = json_integer_value(json_array_get(pt, 2));
            assert_true(t >= prev_t);
            prev_t = t;
        }
        total += n;
    }
    assert_int_equal(total, signature_point_count(a));
    assert_true(json_integer_value(json_object_get(root, "duration_ms")) >= prev_t);
    json_decref(root);
    free(ja);
    free(jb);
    signature_destroy(a);
    signature_destroy(b);
}

/* ---- rendering ---- */

#define BG 0xFFFFFFFFu
#define INK 0x101820FFu
#define RW 200
#define RH 100
#define PITCH 210 /* a row padded past the width: the padding must stay untouched */

static uint32_t canvas[RH * PITCH];

static void blank(void)
{
    for (size_t i = 0; i < sizeof canvas / sizeof canvas[0]; i++)
        canvas[i] = BG;
}

static uint32_t px(int x, int y)
{
    return canvas[y * PITCH + x];
}

static int ink_rows_at(int x)
{
    int rows = 0;
    for (int y = 0; y < RH; y++)
        rows += px(x, y) == INK;
    return rows;
}

static void test_render(void **state)
{
    (void)state;
    signature *s = NULL;
    assert_int_equal(signature_create(RW, RH, 8, &s), KIOSK_OK);
    assert_int_equal(signature_begin(s, 20, 50, 0), KIOSK_OK);
    assert_int_equal(signature_move(s, 180, 50, 300), KIOSK_OK);
    assert_int_equal(signature_end(s, 310), KIOSK_OK);
    assert_int_equal(signature_begin(s, 20, 10, 500), KIOSK_OK); /* a diagonal */
    assert_int_equal(signature_move(s, 60, 40, 600), KIOSK_OK);
    assert_int_equal(signature_end(s, 610), KIOSK_OK);
    assert_int_equal(signature_begin(s, 150, 20, 700), KIOSK_OK); /* a dot */
    assert_int_equal(signature_end(s, 750), KIOSK_OK);

    blank();
    assert_int_equal(signature_render_rgba(s, canvas, RW, RH, PITCH, INK, 5), KIOSK_OK);
    /* the horizontal stroke: exactly 5 rows, round caps reach 2 px past the ends */
    for (int x = 20; x <= 180; x += 8)
        assert_int_equal(px(x, 50), INK);
    assert_int_equal(ink_rows_at(100), 5);
    assert_int_equal(px(100, 48), INK);
    assert_int_equal(px(100, 52), INK);
    assert_int_equal(px(100, 47), BG);
    assert_int_equal(px(100, 53), BG);
    assert_int_equal(px(18, 50), INK);
    assert_int_equal(px(17, 50), BG);
    assert_int_equal(px(182, 50), INK);
    assert_int_equal(px(183, 50), BG);
    assert_int_equal(px(19, 48), INK); /* inside the cap's disc */
    assert_int_equal(px(18, 48), BG);  /* outside it: round, not square */
    /* the diagonal: ink along the path, none 5 px beside it */
    for (int i = 0; i <= 40; i += 4) {
        int x = 20 + i, y = 10 + i * 3 / 4;
        assert_int_equal(px(x, y), INK);
        assert_int_equal(px(x + 4, y - 4), BG);
    }
    /* the dot: a disc of diameter 5 */
    assert_int_equal(px(150, 20), INK);
    assert_int_equal(px(152, 20), INK);
    assert_int_equal(px(153, 20), BG);
    assert_int_equal(px(151, 22), INK); /* 1 and 2 px off the centre: inside */
    assert_int_equal(px(152, 22), BG);  /* 2 and 2 px: outside */
    /* far away and in the row padding: untouched */
    assert_int_equal(px(100, 90), BG);
    assert_int_equal(px(120, 10), BG);
    for (int y = 0; y < RH; y++)
        for (int x = RW; x < PITCH; x++)
            assert_int_equal(px(x, y), BG);

    /* pen width honoured */
    const int pens[] = {1, 3, 9, 15};
    for (size_t i = 0; i < 4; i++) {
        blank();
        assert_int_equal(signature_render_rgba(s, canvas, RW, RH, PITCH, INK, pens[i]), KIOSK_OK);
        assert_int_equal(ink_rows_at(120), pens[i]);
    }

    /* a half-size buffer: the pad scales to fit, the stroke lands on row 25 */
    blank();
    assert_int_equal(signature_render_rgba(s, canvas, RW / 2, RH / 2, PITCH, INK, 3), KIOSK_OK);
    assert_int_equal(px(50, 25), INK);
    assert_int_equal(px(50, 23), BG);
    for (int y = 0; y < RH; y++)
        for (int x = 0; x < PITCH; x++)
            if (x >= RW / 2 || y >= RH / 2)
                assert_int_equal(px(x, y), BG);

    assert_int_equal(signature_render_rgba(s, NULL, RW, RH, PITCH, INK, 3), KIOSK_INVALID);
    assert_int_equal(signature_render_rgba(s, canvas, RW, RH, RW - 1, INK, 3), KIOSK_INVALID);
    assert_int_equal(signature_render_rgba(s, canvas, RW, RH, PITCH, INK, 0), KIOSK_INVALID);

    /* an empty pad draws nothing */
    signature_clear(s);
    blank();
    assert_int_equal(signature_render_rgba(s, canvas, RW, RH, PITCH, INK, 5), KIOSK_OK);
    for (size_t i = 0; i < sizeof canvas / sizeof canvas[0]; i++)
        assert_int_equal(canvas[i], BG);
    signature_destroy(s);
}

/* ---- wiping ---- */

/* White-box: the points a renderer borrowed live inside the pad, so after clear the very
 * memory they occupied can be read back and must be zero. */
static void test_clear_wipes(void **state)
{
    (void)state;
    signature *s = pad_mm(8);
    draw(s, &zhang_san, 8);
    const signature_point *p;
    size_t n;
    assert_int_equal(signature_points(s, 2, &p, &n), KIOSK_OK);
    size_t total = signature_point_count(s);
    assert_true(total > 100);
    const signature_point *first;
    assert_int_equal(signature_points(s, 0, &first, &n), KIOSK_OK);
    signature_clear(s);
    const unsigned char *bytes = (const unsigned char *)first;
    for (size_t i = 0; i < total * sizeof *first; i++)
        assert_int_equal(bytes[i], 0);
    assert_int_equal(signature_stroke_count(s), 0);
    assert_int_equal(signature_point_count(s), 0);
    assert_int_equal(signature_points(s, 0, &p, &n), KIOSK_RANGE);
    signature_verdict why;
    assert_int_equal(signature_check(s, &why), KIOSK_INVALID);
    assert_int_equal(why, SIGNATURE_EMPTY);
    char *json;
    size_t len;
    assert_int_equal(signature_evidence_json(s, NULL, &json, &len), KIOSK_OK);
    assert_non_null(strstr(json, "\"strokes\":[]"));
    free(json);
    signature_destroy(s);
}

static void test_verdict_names(void **state)
{
    (void)state;
    assert_string_equal(signature_verdict_name(SIGNATURE_OK), "SIGNATURE_OK");
    assert_string_equal(signature_verdict_name(SIGNATURE_A_DOT_OR_LINE), "SIGNATURE_A_DOT_OR_LINE");
    assert_non_null(signature_verdict_name((signature_verdict)99));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_passes),
        cmocka_unit_test(test_swipe_scribble_short),
        cmocka_unit_test(test_tap_is_a_dot),
        cmocka_unit_test(test_empty_and_clear),
        cmocka_unit_test(test_density_independent),
        cmocka_unit_test(test_size_threshold),
        cmocka_unit_test(test_clamp_and_invalid),
        cmocka_unit_test(test_jitter_keeps_last),
        cmocka_unit_test(test_one_finger),
        cmocka_unit_test(test_timing),
        cmocka_unit_test(test_stroke_cap),
        cmocka_unit_test(test_point_cap),
        cmocka_unit_test(test_evidence_exact),
        cmocka_unit_test(test_evidence_deterministic_and_parses),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_clear_wipes),
        cmocka_unit_test(test_verdict_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
