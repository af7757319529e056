/*
 * The citizen journey's screens after the attract screen, drawn from the flow's view
 * model plus the little the UI keeps itself (the PIN digits typed so far, answers not yet
 * sent). Draws only and records touch targets by id (ui_widget.h); ui_app turns taps on
 * those ids into flow events. Every step has its screen: reading the card, PIN keypad,
 * checking the PIN, the four questions, the eligibility outcome, the form pages
 * (ui_form.h), the review, the commitment (scrolled with big buttons), the signature pad,
 * saving, printing, done with the receipt preview, messages, the card taken away (waiting
 * for it to come back), and the modal "cancel?" question, "more time?" countdown and
 * "工作人员马上就来" (求助: a help button and a sound switch are in every header). Every
 * ending says "请取回社保卡" while the card still lies on the reader.
 */
#ifndef UI_JOURNEY_H
#define UI_JOURNEY_H

#include "app/session.h"
#include "flow/flow.h"
#include "ui/ui_form.h"
#include "ui/ui_widget.h"

#define UI_JOURNEY_COMMITMENT_LINES 1024 /* lines of the commitment at most */

/* The commitment's lines, laid out once for the draw. */
typedef struct ui_commitment_lines {
    const char *text; /* what, how wide and how large they were laid out for */
    int width, px;
    int lines, h;                                   /* line count, the whole text's height */
    float advance;                                  /* from one line's top to the next */
    size_t starts[UI_JOURNEY_COMMITMENT_LINES + 1]; /* each line's first byte; the end */
    int shown_from, shown_to; /* the pieces drawn last frame (to < from: none) */
} ui_commitment_lines;

/* What the screens keep between frames (presentation only: the session holds what the
 * citizen entered); wiped with the session. */
typedef struct ui_journey_state {
    ui_form_edit edit;          /* the open field editor */
    ui_form_scroll form_scroll; /* how far the form's page is scrolled */
    int review_scroll;          /* pixels scrolled on the review */
    int review_max_scroll;      /* set by the draw; 0 when everything fits */
    int review_part;            /* hall mode: the part of the review shown (0, 1) */
    int review_parts;           /* set by the draw: 2 when the cards are shown in two parts */
    int review_split;           /* set by the draw: the first card of the second part */
    int commitment_scroll;      /* pixels scrolled */
    int commitment_max_scroll;  /* set by the draw */
    int commitment_page;        /* a tap of ▼ turns this much (the text's window less two
                                   lines, read like the pages of a book); set by the draw */
    int commitment_seen_end;    /* scrolled to the end at least once */
    ui_commitment_lines commitment_lines; /* the commitment laid out once for the draw */
    SDL_Rect pad_rect;                    /* where the signature pad is, set by the draw */
} ui_journey_state;

/* What the screens read besides the view (all borrowed for the draw). */
typedef struct ui_journey_env {
    ui_form_env form;
    const session_view *session; /* PIN length, answers, the pad, the commitment … */
    SDL_Texture *receipt;        /* the receipt preview on the done screen, or NULL */
    const char *agency_phone;    /* where to ask ([receipt] phone), for the done screen */
    int voice_on;                /* the 🔊 switch is on (session_prefs.voice) */
    int receipt_w, receipt_h;
    int64_t anim_ms; /* the waiting indicator's time (the app's clock: fixed in a test) */
} ui_journey_env;

void ui_journey_state_wipe(ui_journey_state *st);

/* Whether step's screen moves (the waiting indicator): the app then redraws it every
 * UI_JOURNEY_ANIM_MS and otherwise only when something changed. */
#define UI_JOURNEY_ANIM_MS 80
int ui_journey_animates(flow_step step);

/* Draw the screen of v->step (not FLOW_ATTRACT) and, when v->countdown_s > 0, the
 * countdown dialog over it. */
kiosk_rc ui_journey_draw(ui_ctx *c, const flow_view *v, ui_journey_state *st,
                         const ui_journey_env *env);

/* The frame every journey screen shares, in screen pixels, for the screens drawn in
 * sibling files (ui_services.c): the header (step or service, 求助, the switches, cancel
 * when cancellable), the title (tap: the instruction again), the footer's one or two
 * buttons (back on the left, forward on the right; either id may be NULL). */
typedef struct ui_journey_frame {
    SDL_Rect header, title, body, footer;
    int landscape;
    int voice_on; /* the 🔊 toggle's state (session_prefs.voice) */
} ui_journey_frame;
ui_journey_frame ui_journey_layout(const ui_ctx *c, int voice_on);
void ui_journey_header(ui_ctx *c, const ui_journey_frame *f, const flow_view *v, int cancellable);
void ui_journey_title(ui_ctx *c, const ui_journey_frame *f, const char *text);
void ui_journey_footer(ui_ctx *c, const ui_journey_frame *f, const char *back_id,
                       const char *back_label, const char *next_id, const char *next_label);

/* Replace the first "%d" of template (borrowed) with n into out. */
void ui_journey_fill_number(const char *template_text, int n, char *out, size_t outsz);

/* Widget ids the screens use (scripts tap them by these names). */
#define UI_ID_CANCEL "cancel"
#define UI_ID_CANCEL_CONFIRM "cancel_confirm" /* "确定取消"; "不办了" while the card is away */
#define UI_ID_CANCEL_KEEP "cancel_keep"
#define UI_ID_RESUME_YES "resume_yes" /* "接着填": the unfinished form from before a power cut */
#define UI_ID_RESUME_NO "resume_no"   /* "重新开始": it is deleted */
#define UI_ID_BACK "back"
#define UI_ID_NEXT "next"
#define UI_ID_OK "ok"
#define UI_ID_MORE_TIME "more_time"
#define UI_ID_PIN_CLEAR "pin_clear"
#define UI_ID_PIN_DELETE "pin_delete"
#define UI_ID_PIN_CONFIRM "pin_ok"
#define UI_ID_AGREE "agree"
#define UI_ID_SIGN_CLEAR "sign_clear"
#define UI_ID_SIGN_CONFIRM "sign_ok"
#define UI_ID_REPRINT "reprint"
#define UI_ID_FINISH "finish"
#define UI_ID_PAD "pad"         /* the signature pad itself */
#define UI_ID_HELP "help"       /* 求助, in the header of every screen */
#define UI_ID_HELP_OK "help_ok" /* "好的" on the help dialog */
#define UI_ID_VOICE "voice"     /* the 🔊 switch: each step's instruction spoken */
#define UI_ID_REPLAY "replay"   /* the title: tap to hear the instruction again */
/* form rows: "field_<key>"; review: "edit_<page number>"; editors: see ui_form.c */
/* keypad digits: "key0" … "key9"; answers: "q0_yes", "q0_no" … "q3_no" */

#endif
