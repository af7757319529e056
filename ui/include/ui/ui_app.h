/*
 * The kiosk on the screen: window, renderer (accelerated with a software fallback),
 * theme, text, strings, and the screen being shown. It owns the SDL event loop and the
 * citizen's session (app/session.h), which decides everything: ui_app draws the
 * session's view — the attract screen with its language, large-text and high-contrast
 * toggles, the journey's screens (ui_journey.h), the maintenance menu — and turns
 * touches into the session's intents. Workers wake the loop through an SDL user event.
 */
#ifndef UI_APP_H
#define UI_APP_H

#include <SDL.h>

#include "app/session.h"
#include "config/kiosk_config.h"
#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"
#include "flow/flow.h"

typedef struct ui_app ui_app;

typedef struct ui_app_options {
    int headless;             /* render without showing a window (screenshots, tests, no display) */
    int with_reader;          /* start the card reader worker ([reader] backend); 0: no reader */
    const kiosk_clock *clock; /* kept; NULL: the system clock (idle timeouts, dates) */
    int with_store;           /* save records and print receipts (the I/O worker, app_io.h) */
    /* Called on the UI thread after a record was saved (e.g. sync_worker_wake). */
    void (*record_saved)(void *ctx);
    void *record_saved_ctx;
    /* The maintenance menu's "sync now" (UI thread, must not block), and whether the
     * kiosk is offline (shown on portable units); both may be NULL. */
    void (*sync_now)(void *ctx);
    int (*is_offline)(void *ctx);
    void *sync_ctx;
    const char *version; /* shown to staff; NULL: "?" */
} ui_app_options;

/* Create the app for cfg (borrowed; copied). Loads strings and fonts from the configured
 * directories. On failure *out is NULL and the reason is logged: KIOSK_NOT_FOUND for a
 * missing asset or font, KIOSK_UNSUPPORTED when SDL cannot open a window or renderer.
 * Main thread only; SDL video must not be initialised yet. */
kiosk_rc ui_app_create(const kiosk_config *cfg, const ui_app_options *opt, ui_app **out);
void ui_app_destroy(ui_app *app);

/* Draw the current screen into the back buffer (no present). */
kiosk_rc ui_app_render(ui_app *app);

/* Render, then write the frame as a PNG. */
kiosk_rc ui_app_screenshot(ui_app *app, const char *path);

/* Render, present as the panel shows it (turned by [display] rotation), and write that
 * as a PNG: what the glass shows, for checking a mounting. */
kiosk_rc ui_app_screenshot_panel(ui_app *app, const char *path);

/* Feed one SDL event (touch, mouse, key, quit). Returns 1 when the app should quit. */
int ui_app_handle_event(ui_app *app, const SDL_Event *ev);

/* Run the event loop until quit (SDL_QUIT, SIGINT/SIGTERM). */
kiosk_rc ui_app_run(ui_app *app);

/* The renderer's logical size and the current modes, for tests. */
void ui_app_size(const ui_app *app, int *w, int *h);
const char *ui_app_language(const ui_app *app);
int ui_app_large_text(const ui_app *app);
int ui_app_high_contrast(const ui_app *app);

/* Where the attract screen's touch targets were in the last render (borrowed). */
struct ui_attract_layout;
const struct ui_attract_layout *ui_app_attract_layout(const ui_app *app);

/* Tap the widget with this id on the current screen (as a finger would, at its centre:
 * down and up through ui_app_touch). KIOSK_NOT_FOUND when no such widget is on screen.
 * For scripts and tests. */
kiosk_rc ui_app_tap_id(ui_app *app, const char *id);
/* 1 and *out = where widget id is on the current screen (the last render), else 0. */
int ui_app_widget_rect(const ui_app *app, const char *id, SDL_Rect *out);
/* What a finished tap at logical coordinates does (the widget there acts), with no
 * touch-down before it: ui_app_touch calls it on finger-up. */
void ui_app_tap(ui_app *app, int x, int y);

/* A finger (or the mouse) on the screen: phase 0 down, 1 move, 2 up, at logical
 * coordinates. On a drawing pad it is a stroke (from the down, as ui_app_stroke);
 * elsewhere the widget under the down is drawn pressed and acts on the up when the finger
 * moved less than the theme's drag threshold (ui_theme.drag_px); beyond it the touch is
 * a drag: it scrolls a scrollable screen with the finger and activates nothing. */
void ui_app_touch(ui_app *app, int phase, int x, int y);

/* A finger (or the mouse) drawing: down, moves, up, at logical coordinates. Outside the
 * signature pad these are ignored (a tap is ui_app_tap). */
void ui_app_stroke(ui_app *app, int phase, int x, int y); /* phase: 0 down, 1 move, 2 up */

/* How far the current screen is scrolled (*y) and can be (*max, 0: everything fits):
 * the form page (no editor open), the review, the commitment; 0 and 0 elsewhere. For
 * tests; valid after a render. */
void ui_app_scroll_get(const ui_app *app, int *y, int *max);

/* The maintenance menu's screen now (UI_MENU_OFF when closed), and whether the kiosk is
 * out of service; restart_requested: a staff member asked for a restart. */
int ui_app_menu_screen(const ui_app *app);
/* A staff login is being checked. */
int ui_app_menu_checking(const ui_app *app);
int ui_app_out_of_service(const ui_app *app);
int ui_app_restart_requested(const ui_app *app);

/* Where the signature pad is on screen (0 when it is not shown). */
int ui_app_pad_rect(const ui_app *app, SDL_Rect *out);

/* Put the simulated card on the reader or take it off (KIOSK_UNSUPPORTED without a
 * simulated reader). */
kiosk_rc ui_app_sim_card(ui_app *app, int present);

/* Handle what is queued (worker events, time) without waiting: one turn of the loop. */
void ui_app_pump(ui_app *app);

/* The handwriting pad (borrowed; NULL until the form first showed, or without the
 * model), for tests: its strokes are wiped with the session. */
struct ui_handwriting;
const struct ui_handwriting *ui_app_handwriting(const ui_app *app);

/* Whether the pinyin engine (its dictionary, about 10 MB) is loaded now, for tests: it is
 * loaded when a form first needs it and goes when the form is done. */
int ui_app_pinyin_loaded(const ui_app *app);

/* The journey's view model now (borrowed until the next event). */
const flow_view *ui_app_view(const ui_app *app);

/* The session the app shows (borrowed; lives as long as app). */
session *ui_app_session(ui_app *app);

/* Characters in every string of both languages that no font can draw (0 expected). */
size_t ui_app_missing_glyphs(ui_app *app);

#endif
