/*
 * The signature pad's model: the strokes a citizen draws with one finger after reading
 * the credit commitment, with timing, as evidence for the record. It checks that the
 * ink is plausibly a handwritten name (not empty, a dot, a swipe or a tiny scribble),
 * writes the strokes as a compact JSON object and rasterises them into a caller's pixel
 * buffer. It knows nothing of SDL events, recognises no characters and never draws text.
 */
#ifndef SIGNATURE_H
#define SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"

typedef struct signature signature;

/* Fixed caps: storage is allocated once by signature_create, never in the frame loop. */
#define SIGNATURE_MAX_STROKES 64
#define SIGNATURE_MAX_POINTS 8192
#define SIGNATURE_PAD_MAX 16384  /* largest pad_w / pad_h in pixels */
#define SIGNATURE_PAD_ID_MAX 64  /* longest pad_id in the evidence */
#define SIGNATURE_PEN_MAX_PX 128 /* widest pen signature_render_rgba draws */

/* Thresholds, in millimetres on the glass, converted with the pad's px_per_mm so a
 * signature gets the same verdict on every screen density:
 *   JITTER_MM   a move closer than this to the stroke's last point is dropped (tremor,
 *               touch noise);
 *   DOT_MM      all ink inside a box this size: a dot or a few taps;
 *   MIN_W_MM,   too small: the bounding box is narrower than MIN_W_MM and lower than
 *   MIN_H_MM    MIN_H_MM;
 *   LINE_MM     a line: no point further than this from the least-squares line through
 *               all points;
 *   MIN_INK_MM  too short: less ink than this, all strokes summed. */
#define SIGNATURE_JITTER_MM 0.5
#define SIGNATURE_DOT_MM 2.0
#define SIGNATURE_MIN_W_MM 15.0
#define SIGNATURE_MIN_H_MM 8.0
#define SIGNATURE_LINE_MM 2.0
#define SIGNATURE_MIN_INK_MM 40.0

/* One sample, in pad pixels (clamped to the pad, rounded) and milliseconds since the
 * first touch after create or clear. Times never decrease within a signature. */
typedef struct signature_point {
    int32_t x;
    int32_t y;
    uint32_t t_ms;
} signature_point;

/* Why a signature is not acceptable. Values map to on-screen strings kept in the assets
 * (never here); the enum is only ever appended to. */
typedef enum signature_verdict {
    SIGNATURE_OK = 0,
    SIGNATURE_EMPTY = 1,         /* nothing drawn */
    SIGNATURE_TOO_SMALL = 2,     /* bounding box under MIN_W_MM wide and MIN_H_MM tall */
    SIGNATURE_TOO_SHORT = 3,     /* under MIN_INK_MM of ink in all */
    SIGNATURE_A_DOT_OR_LINE = 4, /* a tap or taps (under DOT_MM), or one straight line */
} signature_verdict;

/* Make an empty pad of pad_w x pad_h pixels (1..SIGNATURE_PAD_MAX) on a screen of
 * px_per_mm pixels per millimetre (1..100). *out is owned: signature_destroy. On
 * failure *out is NULL: KIOSK_INVALID for bad sizes, KIOSK_NOMEM. UI thread only. */
kiosk_rc signature_create(int pad_w, int pad_h, float px_per_mm, signature **out);

/* Zero every point (a signature is personal data) and free s. NULL is a no-op. */
void signature_destroy(signature *s);

/* The "重写" button, and the end of a session: forget every stroke and zero the stored
 * points, pending samples and timing in memory, so the signature leaves memory now and
 * not when the pad is next reused. The next touch restarts the clock. UI thread only. */
void signature_clear(signature *s);

/*
 * Touch input for ONE finger. The caller forwards only the events of the finger that
 * began the current stroke (match SDL's fingerId) and drops the others: the model has
 * no finger ids, so a second finger's moves would otherwise join the first one's
 * stroke. As a guard, _begin while a stroke is open is refused with KIOSK_BUSY and
 * changes nothing; _move and _end with no stroke open (mouse hover, the lift of a
 * refused finger) are ignored and return KIOSK_OK.
 *
 * x, y: pad pixels, clamped to [0, pad_w-1] x [0, pad_h-1] and rounded; KIOSK_INVALID
 * for NaN or infinite. t_ms: any monotonic millisecond clock (SDL event timestamps); the
 * pad stores times relative to the first touch, and a time earlier than the previous
 * one is taken as the previous one.
 *
 * Caps: _begin beyond SIGNATURE_MAX_STROKES strokes or with SIGNATURE_MAX_POINTS
 * points stored returns KIOSK_RANGE and opens no stroke; _move or _end that would store
 * a point beyond the cap returns KIOSK_RANGE and drops it. The pad keeps what it has.
 *
 * _move drops a sample closer than SIGNATURE_JITTER_MM to the stroke's last stored
 * point, but _end stores the last dropped sample, so a stroke ends where the finger
 * lifted. _end's own time counts towards the signature's duration. UI thread only.
 */
kiosk_rc signature_begin(signature *s, float x, float y, int64_t t_ms);
kiosk_rc signature_move(signature *s, float x, float y, int64_t t_ms);
kiosk_rc signature_end(signature *s, int64_t t_ms);

/* Is the signature acceptable? KIOSK_OK (*why = SIGNATURE_OK) or KIOSK_INVALID with
 * the first failed test in *why, in this order: EMPTY (no stroke); A_DOT_OR_LINE when all
 * ink fits in a SIGNATURE_DOT_MM box (a tap, a few taps); TOO_SMALL; A_DOT_OR_LINE
 * when every point lies within SIGNATURE_LINE_MM of the least-squares line through
 * all points (a swipe; a short swipe is TOO_SMALL instead); TOO_SHORT. A stroke still
 * open counts with the points stored so far. There is deliberately no "too fast" test:
 * speed says little about who signs, and slow elderly hands must never be the ones
 * refused. why may be NULL. UI thread only. */
kiosk_rc signature_check(const signature *s, signature_verdict *why);

/* The enum's symbolic name ("SIGNATURE_TOO_SMALL") for logs; never NULL. Any thread. */
const char *signature_verdict_name(signature_verdict v);

/*
 * The evidence for store_submission.evidence_json: one compact JSON object of integers,
 * keys in this fixed order, no whitespace, so the same strokes give the same bytes:
 *
 *   {"v":1,"pad":{"id":"kiosk-3","w":960,"h":480,"px_per_m":8000},"duration_ms":2150,
 *    "strokes":[[[x,y,t],[x,y,t]],[[x,y,t]]]}
 *
 * "id" is present only when pad_id is not NULL; px_per_m is px_per_mm x 1000 rounded
 * (pixels per metre, as in PNG's pHYs); t and duration_ms are ms since the first touch,
 * duration_ms up to the last event seen (usually the last lift). An empty pad gives
 * "strokes":[] — run signature_check first. pad_id (borrowed) is 1..64 characters of
 * [A-Za-z0-9._:-] (nothing to escape), else KIOSK_INVALID.
 *
 * *out is owned (free()), NUL-terminated, *len bytes without the NUL. On failure *out is
 * NULL and *len 0: KIOSK_INVALID, KIOSK_NOMEM. UI thread only.
 */
kiosk_rc signature_evidence_json(const signature *s, const char *pad_id, char **out, size_t *len);

/* How many strokes / points in all are stored (an open stroke counts). */
size_t signature_stroke_count(const signature *s);
size_t signature_point_count(const signature *s);

/* Borrow the points of stroke (0-based) for a renderer: *pts stays valid until the next
 * call that changes s (begin, move, end, clear, destroy). KIOSK_RANGE when stroke is not
 * below signature_stroke_count (then *pts is NULL, *n 0). */
kiosk_rc signature_points(const signature *s, size_t stroke, const signature_point **pts,
                          size_t *n);

/*
 * Draw the ink into pixels (borrowed; w x h, pitch_px pixels per row, pitch_px >= w):
 * every stroke as thick segments with round caps and joins, a one-point stroke as a
 * disc, each pen_px (1..SIGNATURE_PEN_MAX_PX) across. The pad is scaled uniformly
 * to fit the buffer and centred, so a buffer of the pad's size maps pixel to pixel.
 * A pixel is ink when its centre lies within pen_px/2 of the path (an odd pen_px gives
 * exactly pen_px pixels across an axis-aligned stroke, an even one pen_px+1): hard
 * edges and no blending, so overlapping segments never darken, the result is exact
 * for tests and suits a 1-bit thermal receipt. ink_rgba is stored as is (in the
 * buffer's own packing); other pixels are untouched, clear the background first.
 * KIOSK_INVALID for bad arguments. Allocates nothing. UI thread only.
 */
kiosk_rc signature_render_rgba(const signature *s, uint32_t *pixels, int w, int h, int pitch_px,
                               uint32_t ink_rgba, int pen_px);

#endif
