/*
 * The registration form on screen: a page of rows (one per field of the page: its label,
 * the value so far or "点击填写", an inline message saying how to fix it) and, when a row
 * is tapped, the editor that suits the field — a list of choices from the code tables,
 * yes/no, a year-and-month picker, the address picker (opening at the hall's own county,
 * down to the community or village where the divisions asset has them; "与户籍地址相同"
 * for the residence; a chosen division goes straight on to its detail), a keypad for
 * numbers (a mobile number checked and grouped as it is typed), and for Chinese text the
 * handwriting pad (ui_handpad.h, when the model is there) with pinyin one tap away; the
 * text being typed has a caret that a tap in it or ◀ ▶ moves. Fields read from the card
 * are shown, not editable. Draws and interprets taps; the flow owns the record (the UI
 * sends FLOW_EV_FIELD_SET).
 */
#ifndef UI_FORM_H
#define UI_FORM_H

#include "domain/codes.h"
#include "domain/divisions.h"
#include "domain/registration.h"
#include "flow/flow.h"
#include "ui/ui_widget.h"

struct ui_pinyin;
struct ui_handwriting;

#define UI_FORM_TEXT_MAX 400

/* What the form reads (all borrowed for the call). */
typedef struct ui_form_env {
    const codes_tables *codes;
    const divisions *divs;
    const registration *rec;
    struct ui_pinyin *pinyin; /* NULL: letters go in as typed */
    codes_lang lang;
    const char *home;            /* the hall's division (session_home_division): the address picker
                                    opens there, "其他地区" one tap away; NULL or "": the provinces */
    struct ui_handwriting *hand; /* NULL: no handwriting pad (pinyin only); strokes kept */
    kiosk_date today;            /* the month editor offers the twelve months up to this one; a zero
                                    date: 2026-12 (tests without a clock) */
} ui_form_env;

/* The open editor, kept by the UI between frames; wiped with the session. */
typedef struct ui_form_edit {
    int active;
    registration_field field;
    char text[UI_FORM_TEXT_MAX]; /* typed so far */
    int list_page;
    char division[16]; /* chosen so far ("" = choosing a province) */
    int year, month;   /* a month's value: chosen (month 0: none yet) */
    int last_month;    /* the month editor shows the twelve months up to this one (year * 12 +
                          month - 1): today's at first, a year back for each "−" */
    char chosen[8][CODES_CODE_MAX + 1]; /* services */
    int nchosen;
    int symbols; /* the keyboard shows digits and symbols instead of letters */
    int cand_page;
    int pinyin;    /* a Chinese text field shows the pinyin keyboard, not the handwriting pad */
    size_t after;  /* bytes of text after the caret (0: the caret is at the end) */
    int day_stage; /* an asked date (注销申报, 求职登记): its month is chosen, now the day */
} ui_form_edit;

void ui_form_edit_wipe(ui_form_edit *e);

/* How far a page of rows is scrolled, kept by the UI between frames. A page whose rows do
 * not fit at their full size (the wishes page, large text) scrolls with the big buttons
 * of ui_scroll_buttons rather than shrinking them; the app moves y, the draw keeps it in
 * range. */
typedef struct ui_form_scroll {
    int page;    /* the page the figures are for; another page starts at the top */
    int y, max;  /* pixels scrolled; the most there is (set by the draw, 0: all fits) */
    int nissues; /* problems shown last frame: new ones bring the first into view */
} ui_form_scroll;

/* Draw page v->page of the form into body, or the open editor. */
void ui_form_draw(ui_ctx *c, const ui_form_env *env, const flow_view *v, const ui_form_edit *e,
                  ui_form_scroll *scroll, SDL_Rect body);

/* What a tap asks of the app. */
typedef struct ui_form_action {
    int set; /* 1: send FLOW_EV_FIELD_SET with field and text */
    registration_field field;
    char text[UI_FORM_TEXT_MAX];
    int set2; /* 1: then a second FLOW_EV_FIELD_SET (与户籍地址相同: division, then detail) */
    registration_field field2;
    char text2[UI_FORM_TEXT_MAX];
} ui_form_action;

/* A tap on widget id while the form is shown. Returns 1 when the form used it (then
 * *out may ask for a field to be set), 0 for ids that are not the form's (next, back…). */
int ui_form_tap(const ui_form_env *env, ui_form_edit *e, const char *id, ui_form_action *out);

/* After field was given for the first time (its editor closed with a value), open the
 * editor of the next field of its page that the citizen still has to give: required,
 * on the form, not from the card, empty — so a page is filled without a tap on each row.
 * Returns 1 when an editor opened, 0 when the page has nothing more to ask (or an
 * editor is already open). */
int ui_form_open_next(const ui_form_env *env, ui_form_edit *e, registration_field field);

/* The value of field as a citizen reads it ("高中", "山东省济南市历下区…") into out; the
 * document number masked as on the receipt ("3701**********4519"). */
void ui_form_value(const ui_form_env *env, const kiosk_strings *s, registration_field field,
                   char *out, size_t outsz);

#endif
