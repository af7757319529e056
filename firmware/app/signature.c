/*
 * The signature pad's model: fixed arrays of strokes and points filled from touch
 * events, plausibility tests in millimetres, a direct JSON writer (integers only, so
 * the bytes are deterministic) and a hard-edged capsule rasteriser. No SDL, no
 * allocation after create except the evidence string.
 */
#include "app/signature.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct signature {
    int pad_w, pad_h;
    double px_per_mm;
    double jitter_px;
    int started;     /* t0 is set: a first touch happened since create/clear */
    int64_t t0;      /* the caller's clock at the first touch */
    uint32_t last_t; /* latest relative time seen: times never decrease */
    int down;        /* the last stroke is open */
    int has_pending; /* a sample dropped as jitter, stored by _end */
    signature_point pending;
    size_t n_strokes, n_points;
    size_t stroke_first[SIGNATURE_MAX_STROKES];
    size_t stroke_len[SIGNATURE_MAX_STROKES];
    signature_point pts[SIGNATURE_MAX_POINTS];
};

kiosk_rc signature_create(int pad_w, int pad_h, float px_per_mm, signature **out)
{
    *out = NULL;
    if (pad_w < 1 || pad_h < 1 || pad_w > SIGNATURE_PAD_MAX || pad_h > SIGNATURE_PAD_MAX ||
        !isfinite(px_per_mm) || px_per_mm < 1.0f || px_per_mm > 100.0f)
        return KIOSK_INVALID;
    signature *s = calloc(1, sizeof *s);
    if (!s)
        return KIOSK_NOMEM;
    s->pad_w = pad_w;
    s->pad_h = pad_h;
    s->px_per_mm = px_per_mm;
    s->jitter_px = SIGNATURE_JITTER_MM * px_per_mm;
    *out = s;
    return KIOSK_OK;
}

void signature_clear(signature *s)
{
    /* Zero the whole store, not only the used part: cheap (~100 KB, on a button press)
     * and leaves nothing behind from a longer earlier signature. */
    explicit_bzero(s->pts, sizeof s->pts);
    explicit_bzero(s->stroke_first, sizeof s->stroke_first);
    explicit_bzero(s->stroke_len, sizeof s->stroke_len);
    explicit_bzero(&s->pending, sizeof s->pending);
    s->has_pending = 0;
    s->n_strokes = 0;
    s->n_points = 0;
    s->down = 0;
    s->started = 0;
    s->t0 = 0;
    s->last_t = 0;
}

void signature_destroy(signature *s)
{
    if (!s)
        return;
    explicit_bzero(s, sizeof *s);
    free(s);
}

static int32_t clamp_coord(float v, int size)
{
    double d = v;
    if (d < 0)
        d = 0;
    if (d > size - 1)
        d = size - 1;
    return (int32_t)lround(d);
}

/* t_ms relative to the first touch, never below the previous time, capped at 32 bits. */
static uint32_t rel_time(signature *s, int64_t t_ms)
{
    if (!s->started) {
        s->started = 1;
        s->t0 = t_ms;
    }
    int64_t rel;
    /* Guard the subtraction: the caller's clock is arbitrary. */
    if (t_ms < s->t0)
        rel = 0;
    else if (s->t0 < 0 && t_ms > INT64_MAX + s->t0)
        rel = UINT32_MAX;
    else
        rel = t_ms - s->t0;
    if (rel > UINT32_MAX)
        rel = UINT32_MAX;
    if (rel < s->last_t)
        rel = s->last_t;
    s->last_t = (uint32_t)rel;
    return (uint32_t)rel;
}

static void append(signature *s, signature_point p)
{
    assert(s->n_points < SIGNATURE_MAX_POINTS && s->n_strokes > 0);
    s->pts[s->n_points++] = p;
    s->stroke_len[s->n_strokes - 1]++;
}

kiosk_rc signature_begin(signature *s, float x, float y, int64_t t_ms)
{
    if (s->down)
        return KIOSK_BUSY;
    if (!isfinite(x) || !isfinite(y))
        return KIOSK_INVALID;
    if (s->n_strokes >= SIGNATURE_MAX_STROKES || s->n_points >= SIGNATURE_MAX_POINTS)
        return KIOSK_RANGE;
    signature_point p = {clamp_coord(x, s->pad_w), clamp_coord(y, s->pad_h), 0};
    p.t_ms = rel_time(s, t_ms);
    s->stroke_first[s->n_strokes] = s->n_points;
    s->stroke_len[s->n_strokes] = 0;
    s->n_strokes++;
    append(s, p);
    s->down = 1;
    s->has_pending = 0;
    return KIOSK_OK;
}

kiosk_rc signature_move(signature *s, float x, float y, int64_t t_ms)
{
    if (!s->down)
        return KIOSK_OK;
    if (!isfinite(x) || !isfinite(y))
        return KIOSK_INVALID;
    signature_point p = {clamp_coord(x, s->pad_w), clamp_coord(y, s->pad_h), 0};
    p.t_ms = rel_time(s, t_ms);
    const signature_point *last = &s->pts[s->n_points - 1];
    double dx = p.x - last->x, dy = p.y - last->y;
    if (dx * dx + dy * dy < s->jitter_px * s->jitter_px) {
        s->pending = p;
        s->has_pending = 1;
        return KIOSK_OK;
    }
    s->has_pending = 0;
    if (s->n_points >= SIGNATURE_MAX_POINTS)
        return KIOSK_RANGE;
    append(s, p);
    return KIOSK_OK;
}

kiosk_rc signature_end(signature *s, int64_t t_ms)
{
    if (!s->down)
        return KIOSK_OK;
    (void)rel_time(s, t_ms);
    s->down = 0;
    if (!s->has_pending)
        return KIOSK_OK;
    s->has_pending = 0;
    const signature_point *last = &s->pts[s->n_points - 1];
    if (s->pending.x == last->x && s->pending.y == last->y)
        return KIOSK_OK;
    if (s->n_points >= SIGNATURE_MAX_POINTS)
        return KIOSK_RANGE;
    append(s, s->pending);
    return KIOSK_OK;
}

/* ---- the plausibility tests ---- */

kiosk_rc signature_check(const signature *s, signature_verdict *why)
{
    signature_verdict v = SIGNATURE_OK;
    const double mm = s->px_per_mm;
    if (s->n_points == 0) {
        v = SIGNATURE_EMPTY;
        goto done;
    }

    int32_t minx = INT32_MAX, miny = INT32_MAX, maxx = INT32_MIN, maxy = INT32_MIN;
    double sumx = 0, sumy = 0;
    for (size_t i = 0; i < s->n_points; i++) {
        const signature_point *p = &s->pts[i];
        minx = p->x < minx ? p->x : minx;
        maxx = p->x > maxx ? p->x : maxx;
        miny = p->y < miny ? p->y : miny;
        maxy = p->y > maxy ? p->y : maxy;
        sumx += p->x;
        sumy += p->y;
    }
    double bw = maxx - minx, bh = maxy - miny;
    if (bw < SIGNATURE_DOT_MM * mm && bh < SIGNATURE_DOT_MM * mm) {
        v = SIGNATURE_A_DOT_OR_LINE;
        goto done;
    }
    if (bw < SIGNATURE_MIN_W_MM * mm && bh < SIGNATURE_MIN_H_MM * mm) {
        v = SIGNATURE_TOO_SMALL;
        goto done;
    }

    /* The least-squares (principal axis) line through all points; a line if no point
     * lies further than LINE_MM from it. */
    double n = (double)s->n_points, mx = sumx / n, my = sumy / n;
    double sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < s->n_points; i++) {
        double dx = s->pts[i].x - mx, dy = s->pts[i].y - my;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    double theta = 0.5 * atan2(2 * sxy, sxx - syy);
    double ux = cos(theta), uy = sin(theta), far = 0;
    for (size_t i = 0; i < s->n_points; i++) {
        double d = fabs(-(s->pts[i].x - mx) * uy + (s->pts[i].y - my) * ux);
        far = d > far ? d : far;
    }
    if (far < SIGNATURE_LINE_MM * mm) {
        v = SIGNATURE_A_DOT_OR_LINE;
        goto done;
    }

    double ink = 0;
    for (size_t k = 0; k < s->n_strokes; k++) {
        const signature_point *p = &s->pts[s->stroke_first[k]];
        for (size_t i = 1; i < s->stroke_len[k]; i++)
            ink += hypot(p[i].x - p[i - 1].x, p[i].y - p[i - 1].y);
    }
    if (ink < SIGNATURE_MIN_INK_MM * mm)
        v = SIGNATURE_TOO_SHORT;

done:
    if (why)
        *why = v;
    return v == SIGNATURE_OK ? KIOSK_OK : KIOSK_INVALID;
}

const char *signature_verdict_name(signature_verdict v)
{
    switch (v) {
    case SIGNATURE_OK:
        return "SIGNATURE_OK";
    case SIGNATURE_EMPTY:
        return "SIGNATURE_EMPTY";
    case SIGNATURE_TOO_SMALL:
        return "SIGNATURE_TOO_SMALL";
    case SIGNATURE_TOO_SHORT:
        return "SIGNATURE_TOO_SHORT";
    case SIGNATURE_A_DOT_OR_LINE:
        return "SIGNATURE_A_DOT_OR_LINE";
    }
    return "SIGNATURE_UNKNOWN";
}

/* ---- evidence ---- */

static int pad_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n < 1 || n > SIGNATURE_PAD_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}

typedef struct sig_buf {
    char *p;
    size_t len, cap;
} sig_buf;

static void put(sig_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(sig_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    /* The capacity is a computed upper bound: running out is a bug, not an error. */
    assert(n >= 0 && (size_t)n < b->cap - b->len);
    b->len += (size_t)n;
}

/* Longest text of one point: "[16383,16383,4294967295]," */
#define POINT_JSON_MAX 26
/* Everything but the points, with a 64-character id: well under this. */
#define FRAME_JSON_MAX 256

kiosk_rc signature_evidence_json(const signature *s, const char *pad_id, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (pad_id && !pad_id_ok(pad_id))
        return KIOSK_INVALID;
    sig_buf b = {NULL, 0, FRAME_JSON_MAX + s->n_strokes * 3 + s->n_points * POINT_JSON_MAX};
    b.p = malloc(b.cap);
    if (!b.p)
        return KIOSK_NOMEM;
    long px_per_m = lround(s->px_per_mm * 1000.0);
    put(&b, "{\"v\":1,\"pad\":{");
    if (pad_id)
        put(&b, "\"id\":\"%s\",", pad_id);
    put(&b, "\"w\":%d,\"h\":%d,\"px_per_m\":%ld},\"duration_ms\":%lu,\"strokes\":[", s->pad_w,
        s->pad_h, px_per_m, (unsigned long)s->last_t);
    for (size_t k = 0; k < s->n_strokes; k++) {
        put(&b, k ? ",[" : "[");
        const signature_point *p = &s->pts[s->stroke_first[k]];
        for (size_t i = 0; i < s->stroke_len[k]; i++)
            put(&b, "%s[%ld,%ld,%lu]", i ? "," : "", (long)p[i].x, (long)p[i].y,
                (unsigned long)p[i].t_ms);
        put(&b, "]");
    }
    put(&b, "]}");
    *out = b.p;
    *len = b.len;
    return KIOSK_OK;
}

/* ---- access and rendering ---- */

size_t signature_stroke_count(const signature *s)
{
    return s->n_strokes;
}

size_t signature_point_count(const signature *s)
{
    return s->n_points;
}

kiosk_rc signature_points(const signature *s, size_t stroke, const signature_point **pts, size_t *n)
{
    if (stroke >= s->n_strokes) {
        *pts = NULL;
        *n = 0;
        return KIOSK_RANGE;
    }
    *pts = &s->pts[s->stroke_first[stroke]];
    *n = s->stroke_len[stroke];
    return KIOSK_OK;
}

typedef struct sig_canvas {
    uint32_t *pixels;
    int w, h, pitch;
    uint32_t ink;
    double r;
    double k, ox, oy; /* pad pixel -> buffer: ox + (x + 0.5) * k */
} sig_canvas;

/* Ink every pixel whose centre lies within c->r of the segment a-b (buffer units). */
static void capsule(const sig_canvas *c, double ax, double ay, double bx, double by)
{
    double r = c->r;
    int x0 = (int)floor(fmin(ax, bx) - r), x1 = (int)ceil(fmax(ax, bx) + r);
    int y0 = (int)floor(fmin(ay, by) - r), y1 = (int)ceil(fmax(ay, by) + r);
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > c->w - 1 ? c->w - 1 : x1;
    y1 = y1 > c->h - 1 ? c->h - 1 : y1;
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    for (int py = y0; py <= y1; py++) {
        uint32_t *row = c->pixels + (size_t)py * (size_t)c->pitch;
        double cy = py + 0.5;
        for (int px = x0; px <= x1; px++) {
            double cx = px + 0.5, t = 0;
            if (len2 > 0) {
                t = ((cx - ax) * dx + (cy - ay) * dy) / len2;
                t = t < 0 ? 0 : (t > 1 ? 1 : t);
            }
            double ex = ax + t * dx - cx, ey = ay + t * dy - cy;
            if (ex * ex + ey * ey <= r * r)
                row[px] = c->ink;
        }
    }
}

kiosk_rc signature_render_rgba(const signature *s, uint32_t *pixels, int w, int h, int pitch_px,
                               uint32_t ink_rgba, int pen_px)
{
    if (!pixels || w < 1 || h < 1 || pitch_px < w || pen_px < 1 || pen_px > SIGNATURE_PEN_MAX_PX)
        return KIOSK_INVALID;
    double kx = (double)w / s->pad_w, ky = (double)h / s->pad_h;
    sig_canvas c = {pixels, w, h, pitch_px, ink_rgba, pen_px / 2.0, kx < ky ? kx : ky, 0, 0};
    c.ox = (w - s->pad_w * c.k) / 2;
    c.oy = (h - s->pad_h * c.k) / 2;
    for (size_t k = 0; k < s->n_strokes; k++) {
        const signature_point *p = &s->pts[s->stroke_first[k]];
        size_t n = s->stroke_len[k];
        double ax = c.ox + (p[0].x + 0.5) * c.k, ay = c.oy + (p[0].y + 0.5) * c.k;
        if (n == 1)
            capsule(&c, ax, ay, ax, ay);
        for (size_t i = 1; i < n; i++) {
            double bx = c.ox + (p[i].x + 0.5) * c.k, by = c.oy + (p[i].y + 0.5) * c.k;
            capsule(&c, ax, ay, bx, by);
            ax = bx;
            ay = by;
        }
    }
    return KIOSK_OK;
}
