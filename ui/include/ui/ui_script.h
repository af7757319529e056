/*
 * Scripted runs: `kiosk --script FILE` and the UI tests replay a journey as a citizen
 * would make it — taps on widgets by id, the simulated card put on and taken off, time
 * passing — and take screenshots on the way. One command per line; blank lines and
 * lines starting with '#' are ignored; words are separated by spaces.
 *
 *   tap ID                 tap the widget ID on the current screen (its centre)
 *   tap-at X Y             tap at screen coordinates (the logical screen, unturned)
 *   swipe X1 Y1 X2 Y2      a finger down at X1 Y1, moved to X2 Y2 and lifted (a drag)
 *   pick ID [NEXT]         tap ID, first paging with NEXT (default list_next) until it shows
 *   tap-while ID           tap ID until it is no longer on screen (scroll to the end)
 *   card insert|remove     put the simulated card on the reader or take it off
 *   wait MS                let MS milliseconds pass, handling events
 *   wait-for STEP [MS]     wait until the journey is at STEP (at most MS, default 5000)
 *   expect STEP            the journey must be at STEP now
 *   wait-menu SCREEN [MS]  wait until the maintenance menu shows SCREEN (off, login, home,
 *                          reprint, purge, log, reader); expect-menu SCREEN: now
 *   screenshot PATH        save the screen as a PNG (PATH relative to the script's
 *                          screenshot directory when one is given)
 *   pin DIGITS             tap the keypad keys for DIGITS (a shorthand for tap keyN …)
 *   type WORDS             tap the keyboard keys of WORDS (ASCII; letters go through
 *                          pinyin in a Chinese field, words are separated by the space key)
 *   choose N               tap the pinyin candidate N (0 = first) of the page shown
 *   stroke X Y X Y …       draw one stroke through the points (pixels inside the pad)
 *   sign                   draw a handwritten-looking name on the pad
 *
 * STEP is one of attract, reading_card, pin, checking_pin, questions, eligibility,
 * form, review, commitment, signature, saving, printing, done, message.
 */
#ifndef UI_SCRIPT_H
#define UI_SCRIPT_H

#include <stddef.h>

#include "core/kiosk_error.h"
#include "ui/ui_app.h"

typedef struct ui_script_result {
    int line;          /* the failing line (1-based), 0 when the script ran through */
    char message[256]; /* what went wrong, for the person who wrote the script */
    int screenshots;   /* written so far */
    int taps;          /* touches on widgets so far (tap, pick and its page turns, pin,
                          type, choose); a citizen's touch count for a scripted journey */
} ui_script_result;

/* Run the script text (borrowed) against app on the calling (UI) thread. shot_dir
 * (borrowed, may be NULL) is where relative screenshot paths go. KIOSK_OK when every
 * line ran; KIOSK_INVALID for a line that is not a command (res says which), KIOSK_TIMEOUT
 * for a wait-for that ran out, KIOSK_NOT_FOUND for a tap on a widget not on screen,
 * KIOSK_RANGE for an expect that failed, KIOSK_IO for a screenshot that could not be
 * written, KIOSK_UNSUPPORTED for card commands without a simulated reader. */
kiosk_rc ui_script_run(ui_app *app, const char *text, const char *shot_dir, ui_script_result *res);

/* Read the file at path (borrowed, at most 1 MiB) and run it; screenshots relative to
 * shot_dir, else to the script's own directory. KIOSK_NOT_FOUND/KIOSK_IO for the file. */
kiosk_rc ui_script_run_file(ui_app *app, const char *path, const char *shot_dir,
                            ui_script_result *res);

/* The step's name as scripts write it ("pin"), or "?" */
const char *ui_script_step_name(flow_step step);

#endif
