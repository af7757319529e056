/*
 * The handwriting pad (手写): a citizen's finger strokes in a box on the screen, recognised
 * after each stroke by Zinnia with the Simplified Chinese model (Debian packages
 * libzinnia0v5 and tegaki-zinnia-simplified-chinese), best candidates first. Keeps the
 * strokes (the citizen's data: wiped by ui_handwriting_clear, which the UI calls with the
 * session's wipe) in fixed pools; no drawing, no SDL, never logs what was written. The
 * form's text editor draws the ink and the candidates (ui_form.c). UI thread only.
 */
#ifndef UI_HANDWRITING_H
#define UI_HANDWRITING_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"

typedef struct ui_handwriting ui_handwriting;

#define UI_HANDWRITING_MODEL_DEFAULT "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"
#define UI_HANDWRITING_CANDIDATES 8   /* candidates kept after each stroke, best first */
#define UI_HANDWRITING_STROKES_MAX 40 /* a stroke past these is not taken (重写 first) */
#define UI_HANDWRITING_POINTS_MAX 4096
#define UI_HANDWRITING_CANDIDATE_BYTES 16 /* one character (or a few) in UTF-8, with NUL */

/* A point of a stroke, in pad pixels (0,0 the pad's top left). */
typedef struct ui_handwriting_point {
    int16_t x, y;
} ui_handwriting_point;

/* Open the recogniser with the model at model_path (borrowed; NULL: the Debian path
 * UI_HANDWRITING_MODEL_DEFAULT). The model (26 MB) is mapped, not read: cheap, but call
 * at set-up, not in the frame loop. On success *out is owned: free it with
 * ui_handwriting_destroy. On failure *out is NULL: KIOSK_INVALID for a NULL out,
 * KIOSK_NOT_FOUND when the file does not exist, KIOSK_CORRUPT when Zinnia cannot open it
 * as a model, KIOSK_NOMEM. */
kiosk_rc ui_handwriting_create(const char *model_path, ui_handwriting **out);

/* Wipe the strokes and free h. NULL is a no-op. */
void ui_handwriting_destroy(ui_handwriting *h);

/* Wipe the strokes and the candidates (the citizen's writing). NULL is a no-op. */
void ui_handwriting_clear(ui_handwriting *h);

/* Where the pad is on the screen (screen pixels), set by the draw each frame it shows the
 * pad; w or h <= 0: the pad is not shown and no new stroke starts (one under way goes on
 * to its up, in the last place). Strokes keep their pad coordinates. NULL: a no-op. */
void ui_handwriting_place(ui_handwriting *h, int x, int y, int w, int hgt);

/* The pad's place (0 when it is not shown). */
int ui_handwriting_rect(const ui_handwriting *h, int *x, int *y, int *w, int *hgt);

/* A finger on the screen at (x, y) in screen pixels: phase 0 down, 1 move, 2 up. A stroke
 * starts only on a down inside the pad; moves outside are held to its edge. On the up the
 * stroke ends and the character so far is recognised (candidates refresh). Returns 1 when
 * the pad took the event (a redraw is due), 0 when it was not the pad's (a tap elsewhere,
 * no open stroke, the pools full). */
int ui_handwriting_stroke(ui_handwriting *h, int phase, int x, int y);

/* Whether a stroke is being drawn (finger down on the pad). */
int ui_handwriting_stroke_open(const ui_handwriting *h);

/* Strokes on the pad (the open one included), and stroke i's points (borrowed until the
 * next call that changes h); 0 for NULL or i out of range. */
size_t ui_handwriting_stroke_count(const ui_handwriting *h);
size_t ui_handwriting_stroke_points(const ui_handwriting *h, size_t i,
                                    const ui_handwriting_point **pts);

/* A number that changes whenever ink already on the pad goes away or moves (a clear, the
 * pools full); adding points leaves it. A drawing that caches the ink redraws it all
 * when it changes and otherwise only the points added since. 0 for NULL. */
unsigned ui_handwriting_serial(const ui_handwriting *h);

/* Attach the drawing's cache of the ink (kept: h owns it from now on and calls drop on it
 * when it is replaced or h is destroyed, so the rasterised writing goes with the
 * writing). NULL view: none. */
void ui_handwriting_set_view(ui_handwriting *h, void *view, void (*drop)(void *view));
/* The attached cache (borrowed), or NULL. */
void *ui_handwriting_view(const ui_handwriting *h);

/* Recognise the strokes as they are (ui_handwriting_stroke does it on each up): the
 * candidates, best first, replace the last ones; no strokes: none. KIOSK_INVALID for NULL,
 * KIOSK_CORRUPT when Zinnia fails. Takes a few milliseconds. */
kiosk_rc ui_handwriting_recognise(ui_handwriting *h);

/* Candidates now (0 for NULL), and candidate i (borrowed until the next change of h; ""
 * when out of range). */
size_t ui_handwriting_candidate_count(const ui_handwriting *h);
const char *ui_handwriting_candidate(const ui_handwriting *h, size_t i);

#endif
