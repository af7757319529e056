/*
 * The citizen journey's screens after the attract screen, drawn from the flow's view
 * model plus the little the UI keeps itself (the PIN digits typed so far, answers not yet
 * sent). Draws only and records touch targets by id (ui_widget.h); ui_app turns taps on
 * those ids into flow events. Screens on screen so far: reading the card, PIN keypad,
 * checking the PIN, the four questions, the eligibility outcome, messages and the
 * "more time?" countdown dialog. Steps without their screen yet (form pages onwards)
 * send the citizen to the counter rather than show something unfinished.
 */
#ifndef UI_JOURNEY_H
#define UI_JOURNEY_H

#include "flow/flow.h"
#include "ui_widget.h"

#define UI_PIN_DIGITS 6

/* What the UI holds between frames; wiped with the session. */
typedef struct ui_journey_state {
    char pin[UI_PIN_DIGITS + 1];
    int pin_len;
    int answers[4];   /* -1 not answered, 0 no, 1 yes: pension, employed, able, wants work */
    int show_missing; /* "answer every question" after Next with gaps */
} ui_journey_state;

void ui_journey_state_wipe(ui_journey_state *st);

/* Draw the screen of v->step (not FLOW_ATTRACT) and, when v->countdown_s > 0, the
 * countdown dialog over it. */
kiosk_rc ui_journey_draw(ui_ctx *c, const flow_view *v, const ui_journey_state *st);

/* Replace the first "%d" of template (borrowed) with n into out. */
void ui_journey_fill_number(const char *template_text, int n, char *out, size_t outsz);

/* Widget ids the screens use (scripts tap them by these names). */
#define UI_ID_CANCEL "cancel"
#define UI_ID_BACK "back"
#define UI_ID_NEXT "next"
#define UI_ID_OK "ok"
#define UI_ID_MORE_TIME "more_time"
#define UI_ID_PIN_CLEAR "pin_clear"
#define UI_ID_PIN_DELETE "pin_delete"
#define UI_ID_PIN_CONFIRM "pin_ok"
/* keypad digits: "key0" … "key9"; answers: "q0_yes", "q0_no" … "q3_no" */

#endif
