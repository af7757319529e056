/*
 * Journey screens. Every screen shares one frame: a header with the step ("第2步，共5步")
 * and a cancel button, a title, a body, and the way forward at the bottom where a thumb
 * reaches it. Layout in base coordinates (1080×1920 portrait, 1280×800 landscape), scaled
 * by the theme; text from the string table only.
 */
#include "ui/ui_journey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/ui_draw.h"
#include "ui/ui_icon.h"
#include "ui/ui_keypad.h"
#include "domain/followup.h"
#include "ui/ui_info.h"
#include "ui/ui_services.h"
#include "app/signature.h"

void ui_journey_state_wipe(ui_journey_state *st)
{
    ui_form_edit_wipe(&st->edit);
    explicit_bzero(st, sizeof *st);
}

void ui_journey_fill_number(const char *template_text, int n, char *out, size_t outsz)
{
    const char *at = strstr(template_text, "%d");
    if (!at) {
        snprintf(out, outsz, "%s", template_text);
        return;
    }
    snprintf(out, outsz, "%.*s%d%s", (int)(at - template_text), template_text, n, at + 2);
}

static const char *S(const ui_ctx *c, const char *key)
{
    return kiosk_strings_get(c->s, key);
}

/* The frame's parts, in screen pixels (ui_journey.h). */
typedef ui_journey_frame frame;

static frame layout(const ui_ctx *c)
{
    frame f;
    f.landscape = c->t->landscape;
    if (f.landscape) {
        f.header = ui_px_rect(c, 0, 0, 1280, 96);
        f.title = ui_px_rect(c, 48, 110, 1184, 80);
        f.body = ui_px_rect(c, 48, 200, 1184, 450);
        f.footer = ui_px_rect(c, 48, 670, 1184, 110);
    } else {
        /* the header, then a row for the language and reading-aid switches */
        f.header = ui_px_rect(c, 0, 0, 1080, 140);
        f.title = ui_px_rect(c, 48, 236, 984, 110);
        f.body = ui_px_rect(c, 48, 360, 984, 1300);
        f.footer = ui_px_rect(c, 48, 1700, 984, 170);
    }
    return f;
}

static int step_number(flow_step s)
{
    switch (s) {
    case FLOW_READING_CARD:
        return 1;
    case FLOW_PIN:
    case FLOW_CHECKING_PIN:
        return 2;
    case FLOW_QUESTIONS:
    case FLOW_ELIGIBILITY:
    case FLOW_FORM:
    case FLOW_REVIEW:
        return 3;
    case FLOW_COMMITMENT:
    case FLOW_SIGNATURE:
        return 4;
    case FLOW_SAVING:
    case FLOW_PRINTING:
    case FLOW_DONE:
        return 5;
    default:
        return 0;
    }
}

/* The sound switch: a loudspeaker drawn before its word (the fonts have no 🔊), with
 * waves while the sound is on and a cross while it is off. */
static SDL_Rect sound_switch(ui_ctx *c, SDL_Rect b, const char *text, int on, int icon)
{
    const ui_theme *t = c->t;
    b = ui_button(c, UI_ID_VOICE, b, "", ui_theme_size(t, UI_SIZE_TOGGLE),
                  on ? UI_BUTTON_SELECTED : UI_BUTTON_SECONDARY);
    SDL_Color fg = on ? t->on_accent : t->accent;
    int tw = 0, th = 0, fpx = ui_theme_size_px(t, UI_SIZE_TOGGLE);
    ui_text_measure(c->text, text, fpx, &tw, &th);
    int gap = icon / 4;
    int x = b.x + (b.w - icon - gap - tw) / 2, cy = b.y + b.h / 2;
    ui_icon_loudspeaker(c->r, x, cy, icon, on, fg);
    ui_label_fit(c, text, (SDL_Rect){x + icon + gap, cy - th / 2, tw + 2, th},
                 ui_theme_size(t, UI_SIZE_TOGGLE), fg, UI_TEXT_LEFT);
    return b;
}

/* The header: the step on the left; 求助 and (while a session can be cancelled) cancel on
 * the right; the switches — sound, contrast, large text, language — a touch away on every
 * screen: in the header of the landscape unit, in a row under it on the portrait kiosk.
 * Buttons are laid out right to left first; the step gets what is left and says "3/5"
 * when "Step 3 of 5" would not fit at its size (the landscape unit in large text). */
static void header(ui_ctx *c, const frame *f, const flow_view *v, int cancellable)
{
    const ui_theme *t = c->t;
    ui_draw_fill_rect(c->r, f->header, t->panel);
    SDL_Rect under = {f->header.x, f->header.y + f->header.h - ui_theme_px(t, 3), f->header.w,
                      ui_theme_px(t, 3)};
    ui_draw_fill_rect(c->r, under, t->accent);
    int pad = ui_theme_px(t, 40);
    int right = f->header.x + f->header.w - pad;
    int bh = f->header.h * 2 / 3, by = f->header.y + (f->header.h - bh) / 2;
    if (cancellable) {
        int bw = ui_theme_px(t, f->landscape ? 220 : 260);
        SDL_Rect b = {right - bw, by, bw, bh};
        b = ui_button(c, UI_ID_CANCEL, b, S(c, "screen.cancel"),
                      ui_theme_size(t, UI_SIZE_BUTTON_COMPACT), UI_BUTTON_SECONDARY);
        right = b.x - ui_theme_px(t, f->landscape ? 16 : 24);
    }
    /* 求助 on every screen, filled so that it is found at a glance */
    {
        const char *text = S(c, "screen.help");
        int tw = 0, px = ui_theme_size(t, UI_SIZE_BUTTON_COMPACT);
        ui_text_measure(c->text, text, ui_theme_size_px(t, UI_SIZE_BUTTON_COMPACT), &tw, NULL);
        int bw = tw + ui_theme_px(t, f->landscape ? 32 : 64);
        if (bw < ui_theme_px(t, f->landscape ? 110 : 180))
            bw = ui_theme_px(t, f->landscape ? 110 : 180);
        SDL_Rect b = ui_button(c, UI_ID_HELP, (SDL_Rect){right - bw, by, bw, bh}, text, px,
                               UI_BUTTON_PRIMARY);
        right = b.x - ui_theme_px(t, 16);
    }
    int th = ui_theme_px(t, f->landscape ? 60 : 70), ty = f->header.y + (f->header.h - th) / 2;
    int label_right = right;
    if (!f->landscape) {
        right = f->header.x + f->header.w - pad;
        ty = f->header.y + f->header.h + ui_theme_px(t, 12);
    }
    static const struct {
        const char *id, *key;
    } toggles[] = {{"contrast", "app.high_contrast"},
                   {"large_text", "app.large_text"},
                   {"language", "app.language_switch"},
                   {UI_ID_VOICE, "screen.voice"}};
    /* right to left, as they were; the sound switch joins on the left */
    for (size_t i = 0; i < sizeof toggles / sizeof toggles[0]; i++) {
        const char *text = S(c, toggles[i].key);
        int tw = 0, px = ui_theme_size(t, UI_SIZE_TOGGLE);
        ui_text_measure(c->text, text, ui_theme_size_px(t, UI_SIZE_TOGGLE), &tw, NULL);
        int bw = tw + ui_theme_px(t, f->landscape ? 28 : 40);
        int on =
            (i == 0 && t->high_contrast) || (i == 1 && t->large_text) || (i == 3 && f->voice_on);
        int icon = th * 5 / 8; /* the loudspeaker before "声音" */
        SDL_Rect b;
        if (i == 3)
            b = sound_switch(c,
                             (SDL_Rect){right - bw - icon - icon / 4, ty, bw + icon + icon / 4, th},
                             text, on, icon);
        else
            b = ui_button(c, toggles[i].id, (SDL_Rect){right - bw, ty, bw, th}, text, px,
                          on ? UI_BUTTON_SELECTED : UI_BUTTON_SECONDARY);
        right = b.x - ui_theme_px(t, f->landscape ? 12 : 16);
    }
    if (f->landscape)
        label_right = right;
    int n = step_number(v->step);
    char step[96];
    step[0] = '\0';
    int lpad = f->landscape ? ui_theme_px(t, 24) : pad; /* the landscape header is full */
    SDL_Rect label = {f->header.x + lpad, f->header.y + f->header.h / 4,
                      label_right - ui_theme_px(t, 8) - (f->header.x + lpad), f->header.h / 2};
    if (n) {
        ui_journey_fill_number(S(c, "screen.step_of"), n, step, sizeof step);
        int sw = 0;
        ui_text_measure(c->text, step, ui_theme_size_px(t, UI_SIZE_STEP), &sw, NULL);
        if (sw > label.w)
            ui_journey_fill_number(S(c, "screen.step_short"), n, step, sizeof step);
    } else /* a message or an ending: the header says what this is, never empty */
        snprintf(step, sizeof step, "%s",
                 S(c, v->step == FLOW_SERVICES || v->step == FLOW_RECORDS || v->step == FLOW_INFO
                          ? "services.header"
                          : "screen.header_service"));
    if (label.w > 0)
        ui_label_fit(c, step, label, ui_theme_size(t, UI_SIZE_STEP), t->fg, UI_TEXT_LEFT);
}

/* A title with an icon before it (UI_ICON_COUNT: none); the title's colour follows the
 * icon, so a notice never looks like a success. */
static void title_icon(ui_ctx *c, const frame *f, const char *text, ui_icon_kind icon)
{
    /* large text grows the title with everything else, as far as its line allows: it
     * never runs into the body below (ui_label_fit keeps it to the width) */
    SDL_Rect r = f->title;
    SDL_Color col = c->t->accent;
    if (icon != UI_ICON_COUNT) {
        int d = r.h * 9 / 10;
        ui_icon_draw(c->r, c->t, icon, (SDL_Rect){r.x, r.y + (r.h - d) / 2, d, d});
        r.x += d + ui_theme_px(c->t, 20);
        r.w -= d + ui_theme_px(c->t, 20);
        if (icon == UI_ICON_ERROR)
            col = c->t->error;
        else if (icon == UI_ICON_NOTICE || icon == UI_ICON_SUCCESS)
            col = c->t->fg;
    }
    int px = ui_theme_size(c->t, UI_SIZE_TITLE), th = 0;
    ui_text_measure(c->text, text, ui_theme_font_px(c->t, px), NULL, &th);
    if (th > r.h)
        px = px * r.h / th;
    ui_label_fit(c, text, r, px, col, UI_TEXT_LEFT);
    /* the instruction again, spoken (when the sound is on) */
    ui_widgets_add(c->ws, UI_ID_REPLAY, f->title);
}

static void title(ui_ctx *c, const frame *f, const char *text)
{
    title_icon(c, f, text, UI_ICON_COUNT);
}

/* One or two buttons in the footer: back on the left (optional), forward on the right. */
static void footer(ui_ctx *c, const frame *f, const char *back_id, const char *back_label,
                   const char *next_id, const char *next_label, ui_button_kind next_kind)
{
    int gap = ui_theme_px(c->t, 32);
    SDL_Rect r = f->footer;
    if (back_id) {
        SDL_Rect b = {r.x, r.y, (r.w - gap) * 2 / 5, r.h};
        ui_button(c, back_id, b, back_label, ui_theme_size(c->t, UI_SIZE_BUTTON),
                  UI_BUTTON_SECONDARY);
        r.x += b.w + gap;
        r.w -= b.w + gap;
    }
    if (next_id)
        ui_button(c, next_id, r, next_label, ui_theme_size(c->t, UI_SIZE_BUTTON_MAIN), next_kind);
}

int ui_journey_animates(flow_step step)
{
    return step == FLOW_READING_CARD || step == FLOW_CHECKING_PIN || step == FLOW_SAVING ||
           step == FLOW_PRINTING;
}

static void waiting(ui_ctx *c, const frame *f, const flow_view *v, const char *title_key,
                    const char *hint_key, int64_t anim_ms)
{
    header(c, f, v, 0);
    SDL_Rect box = f->body;
    box.y += box.h / 5;
    box.h = box.h / 3;
    int used = ui_label(c, S(c, title_key), box, ui_theme_size(c->t, UI_SIZE_HEADLINE), c->t->fg,
                        UI_TEXT_CENTER);
    /* a turning arc under the words: something is happening (ui_app redraws it while this
     * screen shows) */
    int d = ui_theme_px(c->t, f->landscape ? 96 : 150), cx = box.x + box.w / 2;
    int cy = box.y + used + ui_theme_px(c->t, 24) + d / 2;
    if (cy < box.y + box.h)
        cy = box.y + box.h;
    ui_icon_spinner(c->r, c->t, (SDL_Rect){cx - d / 2, cy - d / 2, d, d}, anim_ms);
    SDL_Rect hint = {box.x, cy + d / 2 + ui_theme_px(c->t, 32), box.w, box.h};
    ui_label(c, S(c, hint_key), hint, ui_theme_size(c->t, UI_SIZE_LEAD), c->t->muted,
             UI_TEXT_CENTER);
}

static void pin_screen(ui_ctx *c, const frame *f, const flow_view *v, const session_view *st)
{
    const ui_theme *t = c->t;
    header(c, f, v, 1);
    title(c, f, S(c, "screen.pin_title"));
    SDL_Rect body = f->body;
    int hint_px = ui_theme_size(t, UI_SIZE_PIN_HINT);
    /* landscape: texts and boxes on the left, the keypad on the right */
    int col_w = f->landscape ? body.w / 2 - ui_theme_px(t, 40) : body.w;
    SDL_Rect hint = {body.x, body.y, col_w, ui_theme_px(t, 60)};
    int used = ui_label(c, S(c, "screen.pin_hint"), hint, hint_px, t->muted, UI_TEXT_LEFT);
    int y = body.y + used + ui_theme_px(t, 24);
    /* tries: after a wrong PIN; before the first digit when the card's counter says few
     * are left (cards in circulation allow three; the card does not tell its maximum) —
     * the last one said plainly, with the way to a counter */
    const char *tries_key = NULL;
    int tries = -1;
    if (v->tries_left >= 0) {
        tries_key = v->tries_left == 1 ? "screen.pin_wrong_last_try" : "screen.pin_tries_left";
        tries = v->tries_left;
    } else if (v->pin_tries == 1) {
        tries_key = "screen.pin_last_try";
    } else if (v->pin_tries >= 0 && v->pin_tries <= FLOW_PIN_TRIES_TOLD) {
        tries_key = "screen.pin_tries_before";
        tries = v->pin_tries;
    }
    if (tries_key) {
        char msg[320];
        ui_journey_fill_number(S(c, tries_key), tries, msg, sizeof msg);
        SDL_Rect warn = {body.x, y, col_w, ui_theme_px(t, 120)};
        y += ui_label(c, msg, warn, hint_px, t->error, UI_TEXT_LEFT) + ui_theme_px(t, 16);
    }
    /* six boxes, filled as digits are typed (never the digits themselves) */
    int box = ui_theme_px(t, f->landscape ? 72 : 110), gap = ui_theme_px(t, f->landscape ? 16 : 20);
    int total = SESSION_PIN_DIGITS * box + (SESSION_PIN_DIGITS - 1) * gap;
    int x0 = f->landscape ? body.x : body.x + (body.w - total) / 2;
    for (int i = 0; i < SESSION_PIN_DIGITS; i++) {
        SDL_Rect b = {x0 + i * (box + gap), y, box, box};
        ui_draw_round_frame(c->r, b, box / 6, ui_theme_px(t, 3) + 1, t->muted, t->panel);
        if (i < st->pin_len)
            ui_draw_fill_circle(c->r, b.x + box / 2, b.y + box / 2, box / 5, t->fg);
    }
    y += box + ui_theme_px(t, 40);
    /* the keypad: 3 × 4, as on a phone */
    SDL_Rect pad;
    if (f->landscape)
        pad = (SDL_Rect){body.x + body.w / 2, body.y, body.w / 2, body.h};
    else
        pad = (SDL_Rect){body.x + body.w / 8, y, body.w * 3 / 4, body.y + body.h - y};
    const ui_keypad_spec keys = {
        .digit_prefix = "key",
        .digit_size = UI_SIZE_PIN_DIGIT,
        .left = {UI_ID_PIN_CLEAR, S(c, "screen.pin_clear"), UI_SIZE_KEY_WORD, UI_BUTTON_SECONDARY},
        .right = {UI_ID_PIN_DELETE, S(c, "screen.pin_delete"), UI_SIZE_KEY_WORD,
                  UI_BUTTON_SECONDARY},
        .gap = 18,
        .max_key_h_pct = 75, /* keys no taller than three quarters of their width */
    };
    ui_keypad_draw(c, pad, &keys); /* confirm is the footer's button */
    int ready = st->pin_len == SESSION_PIN_DIGITS;
    footer(c, f, NULL, NULL, ready ? UI_ID_PIN_CONFIRM : "pin_wait", S(c, "screen.pin_confirm"),
           ready ? UI_BUTTON_PRIMARY : UI_BUTTON_DISABLED);
}

static void questions_screen(ui_ctx *c, const frame *f, const flow_view *v, const session_view *st)
{
    const ui_theme *t = c->t;
    header(c, f, v, 1);
    title(c, f, S(c, "screen.questions_title"));
    static const char *const q[4] = {"screen.q_pension", "screen.q_employed", "screen.q_able",
                                     "screen.q_wants_work"};
    SDL_Rect body = f->body;
    int row = body.h / 5, px = ui_theme_size(t, UI_SIZE_LEAD);
    int bw = ui_theme_px(t, f->landscape ? 170 : 300), gap = ui_theme_px(t, 32);
    for (int i = 0; i < 4; i++) {
        int y = body.y + i * row;
        /* a question sits close above its own buttons (beside them in landscape), well
         * apart from the next one; on one line, so large text or English never runs into
         * the row below */
        int bh = f->landscape ? row * 3 / 4 : row * 9 / 20;
        int by = f->landscape ? y : y + row * 2 / 5;
        int bx = f->landscape ? body.x + body.w - 2 * bw - gap : body.x;
        int line = ui_theme_size_px(t, UI_SIZE_LEAD) * 4 / 3;
        SDL_Rect text = f->landscape
                            ? (SDL_Rect){body.x, y + (bh - line) / 2, bx - gap - body.x, line}
                            : (SDL_Rect){body.x, y, body.w, row * 2 / 5};
        ui_label_fit(c, S(c, q[i]), text, px, t->fg, UI_TEXT_LEFT);
        char id[16];
        snprintf(id, sizeof id, "q%d_yes", i);
        ui_button(c, id, (SDL_Rect){bx, by, bw, bh}, S(c, "screen.yes"),
                  ui_theme_size(t, UI_SIZE_BUTTON),
                  st->answers[i] == 1 ? UI_BUTTON_SELECTED : UI_BUTTON_SECONDARY);
        snprintf(id, sizeof id, "q%d_no", i);
        ui_button(c, id, (SDL_Rect){bx + bw + gap, by, bw, bh}, S(c, "screen.no"),
                  ui_theme_size(t, UI_SIZE_BUTTON),
                  st->answers[i] == 0 ? UI_BUTTON_SELECTED : UI_BUTTON_SECONDARY);
    }
    if (st->show_missing) {
        SDL_Rect warn = {body.x, body.y + 4 * row, body.w, row};
        ui_label(c, S(c, "screen.questions_missing"), warn, px, t->error, UI_TEXT_LEFT);
    }
    footer(c, f, NULL, NULL, UI_ID_NEXT, S(c, "screen.next"), UI_BUTTON_PRIMARY);
}

/* every page of every record type: the registration's five, then the others' one each */
#define ALL_PAGES (FLOW_PAGE_JOBSEEKER + 1)
static const char *const page_titles[ALL_PAGES] = {
    "screen.page_personal",     "screen.page_document", "screen.page_contact",
    "screen.page_unemployment", "screen.page_wishes",   "screen.page_deregistration",
    "screen.page_jobseeker"};

static void form_screen(ui_ctx *c, const frame *f, const flow_view *v, ui_journey_state *st,
                        const ui_journey_env *env)
{
    header(c, f, v, 1);
    if (st->edit.active) {
        /* the editor takes title, body and footer: it has its own done and cancel */
        SDL_Rect area = {f->title.x, f->title.y, f->title.w,
                         f->footer.y + f->footer.h - f->title.y};
        ui_form_draw(c, &env->form, v, &st->edit, &st->form_scroll, area);
        return;
    }
    title(c, f, S(c, page_titles[(unsigned)v->page < ALL_PAGES ? v->page : 0]));
    SDL_Rect body = f->body;
    if (v->nissues > 0 || v->message_key) {
        int hpx = ui_theme_size(c->t, UI_SIZE_PAGE_HINT); /* its line follows large text */
        SDL_Rect hint = {body.x, body.y, body.w, ui_theme_size_px(c->t, UI_SIZE_PAGE_HINT) * 3 / 2};
        ui_label_fit(c, S(c, v->message_key ? v->message_key : "screen.page_hint"), hint, hpx,
                     c->t->muted, UI_TEXT_LEFT);
        body.y += hint.h;
        body.h -= hint.h;
    }
    ui_form_draw(c, &env->form, v, &st->edit, &st->form_scroll, body);
    footer(c, f, UI_ID_BACK, S(c, "screen.back"), UI_ID_NEXT, S(c, "screen.next"),
           UI_BUTTON_PRIMARY);
}

/* a page's rows on the review: room for every field of a page at its longest */
#define REVIEW_ROWS_BYTES (16 * (UI_FORM_TEXT_MAX + 128))

/* The review's rows of a page, "label：value" (screen.review_row) for each filled-in field, one
 * after the other in rows (NUL-separated) up to size; returns how many. */
static int review_rows(ui_ctx *c, const ui_journey_env *env, flow_page page, char *rows,
                       size_t size)
{
    registration_field fields[16];
    size_t n = registration_section_fields((registration_section)page, fields, 16), used = 0;
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        char value[UI_FORM_TEXT_MAX * 2 + 8], key[96];
        ui_form_value(&env->form, c->s, fields[i], value, UI_FORM_TEXT_MAX);
        if (!value[0])
            continue;
        snprintf(key, sizeof key, "form.field.%s", registration_field_key(fields[i]));
        registration_field detail =
            fields[i] == REGISTRATION_HOUSEHOLD_DIVISION   ? REGISTRATION_HOUSEHOLD_DETAIL
            : fields[i] == REGISTRATION_RESIDENCE_DIVISION ? REGISTRATION_RESIDENCE_DETAIL
                                                           : fields[i];
        if (detail != fields[i] && i + 1 < n && fields[i + 1] == detail) {
            /* an address is one row: the division and the house number after it */
            size_t len = strlen(value);
            if (env->form.lang == CODES_EN)
                len += (size_t)snprintf(value + len, sizeof value - len, ", ");
            ui_form_value(&env->form, c->s, detail, value + len, sizeof value - len);
            i++;
        }
        /* "学历：大专", "Education: College" — each language its own colon (none after
         * a question) */
        const char *label = S(c, key);
        size_t ll = strlen(label);
        const char *const rn[] = {"label", "value"};
        const char *const rv[] = {label, value};
        if (ll > 0 && label[ll - 1] == '?')
            snprintf(rows + used, size - used, "%s %s", label, value);
        else
            kiosk_strings_fill(S(c, "screen.review_row"), rn, rv, 2, rows + used, size - used);
        int w = (int)strlen(rows + used);
        explicit_bzero(value, sizeof value);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w + 1;
        count++;
    }
    return count;
}

/* The review's lines, as far apart as a form row's wrapped value's */
#define REVIEW_LINE_PCT 133

/* A card's rows flowed like words: "label：value" items side by side while they fit in
 * box.w, a wide gap between them, one wider than the line on lines of its own; lead
 * between lines. The first line is the card's head: it starts at x0 (after the page's
 * name), ends at w0 (before its button) and is h0 tall. Draws in color from box's
 * top-left when draw; returns the height. */
static int flow_rows(ui_ctx *c, const char *rows, int nrows, int vpx, SDL_Rect box, int lead,
                     const int head[3], SDL_Color color, int draw)
{
    int px = ui_theme_font_px(c->t, vpx), line_h = (px * REVIEW_LINE_PCT + 50) / 100,
        sep = px * 3 / 2;
    int x = head[0], y = 0, end = head[1], cur_h = head[2], first = 1;
    const char *r = rows;
    for (int i = 0; i < nrows; i++, r += strlen(r) + 1) {
        int w = 0;
        ui_text_measure(c->text, r, px, &w, NULL);
        if (x > 0 && x + sep + w <= end) {
            x += sep;
        } else if (x > 0 || first) {
            y += cur_h + lead;
            x = first = 0;
            end = box.w;
            cur_h = line_h;
        }
        if (w > box.w) { /* an address: wrapped on its own lines */
            ui_text_style st = {
                .px = px, .color = color, .align = UI_TEXT_LEFT, .line_pct = REVIEW_LINE_PCT};
            ui_text_block b;
            if (ui_text_measure_block(c->text, r, &st, box.w, &b) == KIOSK_OK) {
                if (draw)
                    ui_text_draw_block(c->text, r, &st, (SDL_Rect){box.x, box.y + y, box.w, b.h},
                                       NULL);
                y += b.h + lead;
            }
            continue;
        }
        if (draw)
            ui_text_draw(c->text, r, px, color, box.x + x, box.y + y + (cur_h - line_h) / 2, NULL,
                         NULL);
        x += w;
    }
    return x > 0 || first ? y + cur_h : y - lead;
}

typedef struct review_layout {
    int card_w, head_h, pad, gap;
    int h[ALL_PAGES];   /* each page's card */
    int col[ALL_PAGES]; /* its column */
    int y[ALL_PAGES];   /* its top, from the content's top */
    int content_h;
    int pf, pe; /* the record type's pages: pf up to (not with) pe */
} review_layout;

/* The width of a card's "修改" button. */
static int review_edit_w(const ui_ctx *c, SDL_Rect card)
{
    return card.w / 4 > c->t->min_target_px ? card.w / 4 : c->t->min_target_px;
}

/* Where page p's rows flow in card, and its head line (head: the rows' start after the
 * page's name, their end before the button, the line's height). */
static SDL_Rect review_box(ui_ctx *c, const review_layout *lo, int p, SDL_Rect card, int head[3])
{
    const ui_theme *t = c->t;
    int name_w = 0;
    ui_text_measure(c->text, S(c, page_titles[p]), ui_theme_size_px(t, UI_SIZE_CARD_HEAD), &name_w,
                    NULL);
    SDL_Rect box = {card.x + lo->pad, card.y + lo->pad / 2, card.w - 2 * lo->pad, 0};
    head[0] = name_w + ui_theme_size_px(t, UI_SIZE_REVIEW_ROW) * 3 / 2;
    head[1] = box.w - review_edit_w(c, card) - lo->pad;
    head[2] = lo->head_h;
    return box;
}

/* Lay the five cards out in cols columns of width area_w: every row shown in full,
 * wrapped where long; in two columns the pages are split where the taller column is
 * shortest. */
static void review_lay_out(ui_ctx *c, char rows[][REVIEW_ROWS_BYTES], const int *nrows, int cols,
                           int area_w, int vpx, review_layout *lo)
{
    lo->card_w = (area_w - (cols - 1) * lo->gap) / cols;
    for (int p = lo->pf; p < lo->pe; p++) {
        int head[3];
        SDL_Rect box = review_box(c, lo, p, (SDL_Rect){0, 0, lo->card_w, 0}, head);
        const char *none = S(c, "screen.review_nothing");
        lo->h[p] = lo->pad / 2 +
                   flow_rows(c, nrows[p] ? rows[p] : none, nrows[p] ? nrows[p] : 1, vpx, box,
                             lo->pad / 3, head, c->t->fg, 0) +
                   lo->pad / 2;
    }
    int split = lo->pe, best = -1;
    if (cols == 2)
        for (int k = lo->pf + 1; k < lo->pe; k++) {
            int a = 0, b = 0;
            for (int p = lo->pf; p < lo->pe; p++)
                *(p < k ? &a : &b) += lo->h[p] + lo->gap;
            int tall = a > b ? a : b;
            if (best < 0 || tall < best) {
                best = tall;
                split = k;
            }
        }
    int y[2] = {0, 0};
    lo->content_h = 0;
    for (int p = lo->pf; p < lo->pe; p++) {
        lo->col[p] = p < split ? 0 : 1;
        lo->y[p] = y[lo->col[p]];
        y[lo->col[p]] += lo->h[p] + lo->gap;
        if (y[lo->col[p]] - lo->gap > lo->content_h)
            lo->content_h = y[lo->col[p]] - lo->gap;
    }
}

static void review_screen(ui_ctx *c, const frame *f, const flow_view *v, ui_journey_state *st,
                          const ui_journey_env *env)
{
    const ui_theme *t = c->t;
    header(c, f, v, 1);
    SDL_Rect body = f->body;
    int vpx = ui_theme_size(t, UI_SIZE_REVIEW_ROW), hpx = ui_theme_size(t, UI_SIZE_CARD_HEAD);
    int cols = f->landscape ? 2 : 1;
    char rows[ALL_PAGES][REVIEW_ROWS_BYTES]; /* wiped below */
    int nrows[ALL_PAGES] = {0};
    review_layout lo = {.pad = ui_theme_px(t, 16), .gap = ui_theme_px(t, 12)};
    /* the pages of the record's type: the registration's five, or another type's one */
    lo.pf = FLOW_PAGE_PERSONAL;
    lo.pe = FLOW_PAGE_COUNT;
    if (env->form.rec && env->form.rec->type != REGISTRATION_TYPE_REGISTRATION) {
        lo.pf = env->form.rec->type == REGISTRATION_TYPE_JOBSEEKER ? FLOW_PAGE_JOBSEEKER
                                                                   : FLOW_PAGE_DEREGISTRATION;
        lo.pe = lo.pf + 1;
        cols = 1;
    }
    for (int p = lo.pf; p < lo.pe; p++)
        nrows[p] = review_rows(c, env, (flow_page)p, rows[p], sizeof rows[p]);
    lo.head_h = ui_theme_size_px(t, UI_SIZE_CARD_HEAD) * 4 / 3;
    if (lo.head_h < t->min_target_px)
        lo.head_h = t->min_target_px;
    /* everything the citizen entered is shown, never cut: when it does not fit, the cards
     * scroll with big buttons beside them, as the commitment does */
    review_lay_out(c, rows, nrows, cols, body.w, vpx, &lo);
    /* hall mode does not scroll: cards that do not fit (English in large text) are shown
     * in two parts, split between two cards, "下一步" going to the second part first */
    int first = lo.pf, last = lo.pe; /* the cards shown */
    st->review_parts = 1;
    if (!f->landscape && lo.content_h > body.h) {
        int best = -1;
        for (int k = lo.pf + 1; k < lo.pe; k++) {
            int a = lo.y[k] - lo.gap, b = lo.content_h - lo.y[k];
            int tall = a > b ? a : b;
            if (tall <= body.h && (best < 0 || tall < best)) {
                best = tall;
                st->review_split = k;
            }
        }
        if (best >= 0)
            st->review_parts = 2;
    }
    if (st->review_parts == 2) {
        if (st->review_part > 1)
            st->review_part = 1;
        first = st->review_part ? st->review_split : lo.pf;
        last = st->review_part ? lo.pe : st->review_split;
        int top = lo.y[first];
        for (int p = lo.pf; p < lo.pe; p++)
            lo.y[p] -= top;
        lo.content_h = 0;
        char both[160];
        snprintf(both, sizeof both, "%s (%d/2)", S(c, "screen.review_title"), st->review_part + 1);
        title(c, f, both);
    } else {
        st->review_part = 0;
        title(c, f, S(c, "screen.review_title"));
    }
    int scrolls = lo.content_h > body.h;
    SDL_Rect view = {body.x, body.y, scrolls ? body.w - ui_scroll_strip_w(t) : body.w, body.h};
    if (scrolls)
        review_lay_out(c, rows, nrows, cols, view.w, vpx, &lo);
    st->review_max_scroll = scrolls ? lo.content_h - view.h : 0;
    if (st->review_scroll > st->review_max_scroll)
        st->review_scroll = st->review_max_scroll;
    if (st->review_scroll < 0)
        st->review_scroll = 0;

    SDL_RenderSetClipRect(c->r, &view);
    for (int p = first; p < last; p++) {
        SDL_Rect card = {view.x + lo.col[p] * (lo.card_w + lo.gap),
                         view.y + lo.y[p] - st->review_scroll, lo.card_w, lo.h[p]};
        if (card.y + card.h <= view.y || card.y >= view.y + view.h)
            continue;
        int bad = 0;
        for (int i = 0; i < v->nissues; i++)
            bad |= flow_page_of(v->issues[i].field) == (flow_page)p ||
                   (p >= FLOW_PAGE_COUNT && lo.pe - lo.pf == 1); /* one card: all of it */
        ui_draw_round_frame(c->r, card, ui_theme_px(t, 16), ui_theme_px(t, bad ? 4 : 2) + 1,
                            bad ? t->error : t->muted, t->panel);
        int ebw = review_edit_w(c, card);
        SDL_Rect head = {card.x + lo.pad, card.y + lo.pad / 2, card.w - ebw - 3 * lo.pad,
                         lo.head_h};
        SDL_Rect name = head; /* the page's name, level with its button */
        name.y += (lo.head_h - ui_theme_size_px(t, UI_SIZE_CARD_HEAD) * 4 / 3) / 2;
        ui_label_fit(c, S(c, page_titles[p]), name, hpx, t->accent, UI_TEXT_LEFT);
        SDL_Rect edit = {card.x + card.w - ebw - lo.pad, head.y, ebw, lo.head_h};
        if (edit.y >= view.y && edit.y + edit.h <= view.y + view.h) { /* tappable: whole */
            char id[16];
            snprintf(id, sizeof id, "edit_%d", p);
            ui_button(c, id, edit, S(c, "screen.review_edit"),
                      ui_theme_size(t, UI_SIZE_BUTTON_EDIT), UI_BUTTON_SECONDARY);
        }
        int hl[3];
        SDL_Rect box = review_box(c, &lo, p, card, hl);
        if (nrows[p])
            flow_rows(c, rows[p], nrows[p], vpx, box, lo.pad / 3, hl, t->fg, 1);
        else
            flow_rows(c, S(c, "screen.review_nothing"), 1, vpx, box, lo.pad / 3, hl, t->muted, 1);
    }
    SDL_RenderSetClipRect(c->r, NULL);
    explicit_bzero(rows, sizeof rows);

    if (scrolls)
        ui_scroll_buttons(c, body, st->review_scroll, st->review_max_scroll);
    footer(c, f, UI_ID_BACK, S(c, "screen.back"), UI_ID_NEXT, S(c, "screen.next"),
           UI_BUTTON_PRIMARY);
}

/* The commitment's lines at width in style, laid out once (the text, width and size are
 * the key): where each starts, and how far apart they are. */
static kiosk_rc commitment_lay_out(ui_ctx *c, ui_journey_state *st, const char *text,
                                   const ui_text_style *style, int width)
{
    ui_commitment_lines *cl = &st->commitment_lines;
    if (cl->text == text && cl->width == width && cl->px == style->px)
        return KIOSK_OK;
    memset(cl, 0, sizeof *cl);
    ui_text_block whole, one;
    size_t n = 0;
    kiosk_rc rc = ui_text_measure_block(c->text, text, style, width, &whole);
    if (rc == KIOSK_OK)
        rc = ui_text_measure_block(c->text, "字", style, width, &one);
    if (rc == KIOSK_OK)
        rc = ui_text_break_lines(c->text, text, style, width, cl->starts,
                                 UI_JOURNEY_COMMITMENT_LINES, &n);
    if (rc != KIOSK_OK || n > UI_JOURNEY_COMMITMENT_LINES)
        return rc != KIOSK_OK ? rc : KIOSK_RANGE;
    cl->lines = (int)n;
    cl->starts[n] = strlen(text);
    cl->h = whole.h;
    cl->advance = n > 1 ? (float)(whole.h - one.h) / (float)(n - 1) : (float)whole.h;
    cl->text = text;
    cl->width = width;
    cl->px = style->px;
    cl->shown_from = 0;
    cl->shown_to = -1;
    return KIOSK_OK;
}

/* Lines of the commitment rasterised together: a piece of the text's picture. */
#define COMMITMENT_PIECE_LINES 4

/* Piece k of the commitment (its lines, without the break after the last) into out. */
static size_t commitment_piece(const ui_commitment_lines *cl, const char *text, int k, char *out,
                               size_t size)
{
    int a = k * COMMITMENT_PIECE_LINES;
    int b = a + COMMITMENT_PIECE_LINES < cl->lines ? a + COMMITMENT_PIECE_LINES : cl->lines;
    size_t len = cl->starts[b] - cl->starts[a];
    if (len >= size)
        len = size - 1;
    memcpy(out, text + cl->starts[a], len);
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
        len--; /* the break after the piece's last line is the next piece's business */
    out[len] = '\0';
    return len;
}

/* The commitment drawn into window from st->commitment_scroll on, in pieces of a few
 * lines: only the pieces on screen are rasterised and kept (the whole text as one block
 * was 8 MB of texture at 1080x1920); a piece scrolled away leaves the text cache. */
static void commitment_draw(ui_ctx *c, ui_journey_state *st, const char *text,
                            const ui_text_style *style, SDL_Rect window)
{
    ui_commitment_lines *cl = &st->commitment_lines;
    int top = st->commitment_scroll,
        pieces = (cl->lines + COMMITMENT_PIECE_LINES - 1) / COMMITMENT_PIECE_LINES;
    float piece_h = cl->advance * COMMITMENT_PIECE_LINES;
    int from = (int)((float)top / piece_h), to = (int)((float)(top + window.h) / piece_h);
    if (to >= pieces)
        to = pieces - 1;
    char piece[4096];
    for (int k = cl->shown_from; k <= cl->shown_to; k++)
        if ((k < from || k > to) && commitment_piece(cl, text, k, piece, sizeof piece) > 0)
            ui_text_drop(c->text, piece, style, window.w);
    SDL_RenderSetClipRect(c->r, &window);
    for (int k = from; k <= to; k++) {
        SDL_Texture *tex = NULL;
        ui_text_block blk;
        if (commitment_piece(cl, text, k, piece, sizeof piece) > 0 &&
            ui_text_get_texture(c->text, piece, style, window.w, &tex, &blk) == KIOSK_OK && tex) {
            int y = (int)((float)(k * COMMITMENT_PIECE_LINES) * cl->advance);
            SDL_Rect dst = {window.x, window.y + y - top, blk.w, blk.h};
            SDL_RenderCopy(c->r, tex, NULL, &dst);
        }
    }
    SDL_RenderSetClipRect(c->r, NULL);
    cl->shown_from = from;
    cl->shown_to = to;
}

static void commitment_screen(ui_ctx *c, const frame *f, const flow_view *v, ui_journey_state *st,
                              const ui_journey_env *env)
{
    const ui_theme *t = c->t;
    header(c, f, v, 1);
    title(c, f, S(c, "screen.commitment_title"));
    SDL_Rect body = f->body;
    SDL_Rect paper = {body.x, body.y, body.w - ui_scroll_strip_w(t), body.h};
    ui_draw_fill_round_rect(c->r, paper, ui_theme_px(t, 16), t->panel);
    int pad = ui_theme_px(t, 32);
    ui_text_style style = {.px = ui_theme_size_px(t, UI_SIZE_READING),
                           .color = t->fg,
                           .align = UI_TEXT_LEFT,
                           .line_pct = 160};
    int inner_w = paper.w - 2 * pad, inner_h = paper.h - 2 * pad;
    const char *text = env->session->commitment ? env->session->commitment : "";
    if (commitment_lay_out(c, st, text, &style, inner_w) == KIOSK_OK && st->commitment_lines.h) {
        st->commitment_max_scroll =
            st->commitment_lines.h > inner_h ? st->commitment_lines.h - inner_h : 0;
        st->commitment_page = inner_h - 2 * style.px * style.line_pct / 100;
        if (st->commitment_scroll > st->commitment_max_scroll)
            st->commitment_scroll = st->commitment_max_scroll;
        SDL_Rect window = {paper.x + pad, paper.y + pad, inner_w, inner_h};
        commitment_draw(c, st, text, &style, window);
    }
    if (st->commitment_scroll >= st->commitment_max_scroll)
        st->commitment_seen_end = 1;
    /* big scroll buttons beside the text: no swiping needed */
    ui_scroll_buttons(c, body, st->commitment_scroll, st->commitment_max_scroll);
    /* agreeing needs the whole text seen once */
    footer(
        c, f, UI_ID_BACK, S(c, "screen.back"), st->commitment_seen_end ? UI_ID_AGREE : "agree_wait",
        S(c, st->commitment_seen_end ? "screen.commitment_agree" : "screen.commitment_read_first"),
        st->commitment_seen_end ? UI_BUTTON_PRIMARY : UI_BUTTON_DISABLED);
}

static void signature_screen(ui_ctx *c, const frame *f, const flow_view *v, ui_journey_state *st,
                             const ui_journey_env *env)
{
    const ui_theme *t = c->t;
    header(c, f, v, 1);
    title(c, f, S(c, "screen.signature_title"));
    SDL_Rect body = f->body;
    int px = ui_theme_size(t, UI_SIZE_HINT);
    SDL_Rect hint = {body.x, body.y, body.w, ui_theme_px(t, f->landscape ? 44 : 64)};
    const char *key =
        env->session->signature_problem ? env->session->signature_problem : "screen.signature_hint";
    SDL_Color col = env->session->signature_problem ? t->error : t->muted;
    ui_label_fit(c, S(c, key), hint, px, col, UI_TEXT_LEFT);
    int bh = ui_theme_px(t, f->landscape ? 70 : 110), gap = ui_theme_px(t, 20);
    SDL_Rect pad = {body.x, hint.y + hint.h + gap, body.w, body.h - hint.h - 2 * gap - bh};
    st->pad_rect = pad;
    ui_draw_fill_round_rect(c->r, pad, ui_theme_px(t, 16), t->paper);
    ui_draw_round_frame(c->r, pad, ui_theme_px(t, 16), ui_theme_px(t, 3) + 1, t->accent, t->paper);
    /* a baseline to write on */
    SDL_Rect line = {pad.x + pad.w / 10, pad.y + pad.h * 3 / 4, pad.w * 8 / 10, ui_theme_px(t, 3)};
    ui_draw_fill_rect(c->r, line, t->paper_rule);
    if (env->session->pad) {
        int pen = ui_theme_px(t, 6) + 2;
        for (size_t s = 0; s < signature_stroke_count(env->session->pad); s++) {
            const signature_point *pts;
            size_t n;
            if (signature_points(env->session->pad, s, &pts, &n) != KIOSK_OK)
                continue;
            for (size_t i = 0; i < n; i++) {
                int x = pad.x + pts[i].x, y = pad.y + pts[i].y;
                ui_draw_fill_circle(c->r, x, y, pen / 2, t->ink);
                if (i > 0) {
                    /* fill the gap between samples with discs along the segment */
                    int x0 = pad.x + pts[i - 1].x, y0 = pad.y + pts[i - 1].y;
                    int dx = x - x0, dy = y - y0,
                        steps =
                            (abs(dx) > abs(dy) ? abs(dx) : abs(dy)) / (pen / 3 > 0 ? pen / 3 : 1);
                    for (int k = 1; k < steps; k++)
                        ui_draw_fill_circle(c->r, x0 + dx * k / steps, y0 + dy * k / steps, pen / 2,
                                            t->ink);
                }
            }
        }
    }
    ui_widgets_add(c->ws, UI_ID_PAD, pad);
    SDL_Rect row = {body.x, pad.y + pad.h + gap, body.w, bh};
    ui_button(c, UI_ID_SIGN_CLEAR, (SDL_Rect){row.x, row.y, row.w / 3 - gap, bh},
              S(c, "screen.signature_clear"), ui_theme_size(t, UI_SIZE_BUTTON_SMALL),
              UI_BUTTON_SECONDARY);
    footer(c, f, UI_ID_BACK, S(c, "screen.back"), UI_ID_SIGN_CONFIRM,
           S(c, "screen.signature_confirm"), UI_BUTTON_PRIMARY);
}

static const char *const month_keys[13] = {NULL,
                                           "screen.month_1",
                                           "screen.month_2",
                                           "screen.month_3",
                                           "screen.month_4",
                                           "screen.month_5",
                                           "screen.month_6",
                                           "screen.month_7",
                                           "screen.month_8",
                                           "screen.month_9",
                                           "screen.month_10",
                                           "screen.month_11",
                                           "screen.month_12"};

/* "请取回社保卡" at the bottom of area while the card lies on the reader: every ending
 * says it. A card drawn on the left, the words beside it. Returns the height it took
 * (with its gap), 0 when there is no card. */
static int take_card_banner(ui_ctx *c, SDL_Rect area, const session_view *sv)
{
    if (!sv || !sv->card_on_reader)
        return 0;
    const ui_theme *t = c->t;
    int h = ui_theme_px(t, t->landscape ? 84 : 130), gap = ui_theme_px(t, 16);
    SDL_Rect b = {area.x, area.y + area.h - h, area.w, h};
    ui_draw_fill_round_rect(c->r, b, ui_theme_px(t, 20), t->accent);
    /* the card: 85.6 × 54 mm, its chip */
    int ch = h * 3 / 5, cw = ch * 86 / 54, pad = (h - ch) / 2;
    SDL_Rect card = {b.x + pad * 2, b.y + pad, cw, ch};
    ui_icon_draw(c->r, t, UI_ICON_CARD_ON_FILL, card);
    SDL_Rect words = {card.x + cw + pad * 2, b.y, b.x + b.w - (card.x + cw + pad * 4), h};
    /* centred in the banner, at a size whose line fits its height (large text) and
     * shrunk to the width when too long */
    int tw = 0, th = 0, px = ui_theme_size(t, UI_SIZE_DIALOG);
    const char *say = S(c, "screen.take_card");
    for (;;) {
        ui_text_measure(c->text, say, ui_theme_font_px(t, px), &tw, &th);
        if (th <= h * 9 / 10 || px <= 12)
            break;
        px -= 2;
    }
    if (tw > words.w && tw > 0)
        th = th * words.w / tw;
    if (th < h)
        words = (SDL_Rect){words.x, b.y + (h - th) / 2, words.w, th};
    ui_label_fit(c, say, words, px, t->on_accent, UI_TEXT_LEFT);
    return h + gap;
}

/* The follow-up plan under what happens next: its date, then a line of each plan. */
static void append_plan(ui_ctx *c, const session_view *sv, char *out, size_t size)
{
    static const char *const keys[FOLLOWUP_COUNT] = {"plan.job", "plan.training", "plan.business",
                                                     "plan.insurance", "plan.unsure"};
    char yy[16], mm[16], dd[16], date[64], by[256];
    snprintf(yy, sizeof yy, "%d", sv->plan_by.year);
    snprintf(mm, sizeof mm, "%d", sv->plan_by.month);
    snprintf(dd, sizeof dd, "%d", sv->plan_by.day);
    int m = sv->plan_by.month >= 1 && sv->plan_by.month <= 12 ? sv->plan_by.month : 1;
    const char *const dn[] = {"year", "month", "day", "month_name"};
    const char *const dv[] = {yy, mm, dd, S(c, month_keys[m])};
    kiosk_strings_fill(S(c, "screen.date"), dn, dv, 4, date, sizeof date);
    const char *name = "date", *value = date;
    kiosk_strings_fill(S(c, "plan.by"), &name, &value, 1, by, sizeof by);
    size_t len = strlen(out);
    snprintf(out + len, size - len, "\n\n%s", by);
    int any = 0;
    for (int i = 0; i < FOLLOWUP_COUNT; i++) {
        if (!(sv->plan_intents & (1u << i)))
            continue;
        len = strlen(out);
        snprintf(out + len, size - len, "\n· %s", S(c, keys[i]));
        any = 1;
    }
    if (!any) {
        len = strlen(out);
        snprintf(out + len, size - len, "\n· %s", S(c, "plan.general"));
    }
}

static void done_screen(ui_ctx *c, const frame *f, const flow_view *v, const ui_journey_env *env)
{
    const ui_theme *t = c->t;
    header(c, f, v, 0);
    /* saved: a success; the receipt not printed is told below, with a notice */
    title_icon(c, f, S(c, "screen.done_title"), v->printed ? UI_ICON_SUCCESS : UI_ICON_NOTICE);
    SDL_Rect body = f->body;
    int px = ui_theme_size(t, UI_SIZE_BODY);
    /* landscape: the words on the left, the receipt on the right from the title down;
     * portrait: the receipt under the words */
    SDL_Rect room = body;
    if (f->landscape) {
        int gap = ui_theme_px(t, 32);
        body.w = body.w * 11 / 20;
        room = (SDL_Rect){body.x + body.w + gap, f->title.y, f->body.w - body.w - gap,
                          body.y + body.h - f->title.y};
    }
    char line[128];
    snprintf(line, sizeof line, "%s%s", S(c, "screen.done_receipt"), v->receipt_no);
    int y = body.y, lead = ui_theme_size(t, UI_SIZE_LEAD), lw = 0, lh = 0;
    ui_text_measure(c->text, line, ui_theme_size_px(t, UI_SIZE_LEAD), &lw, &lh);
    if (lw <= body.w) {
        y += ui_label(c, line, (SDL_Rect){body.x, y, body.w, 0}, lead, t->fg, UI_TEXT_LEFT);
    } else {
        /* the number is never broken: on a line of its own, made smaller if need be */
        y += ui_label(c, S(c, "screen.done_receipt"), (SDL_Rect){body.x, y, body.w, 0}, lead, t->fg,
                      UI_TEXT_LEFT);
        ui_label_fit(c, v->receipt_no, (SDL_Rect){body.x, y, body.w, lh}, lead, t->fg,
                     UI_TEXT_LEFT);
        y += lh;
    }
    y += ui_theme_px(t, 12);
    /* what happens next, with the date and the number to ask */
    char next[1536], date[64], days[16];
    const session_view *sv = env->session;
    kiosk_date by = sv ? sv->answer_by : (kiosk_date){0};
    char yy[8], mm[8], dd[8];
    snprintf(yy, sizeof yy, "%d", by.year);
    snprintf(mm, sizeof mm, "%d", by.month);
    snprintf(dd, sizeof dd, "%d", by.day);
    const char *const dn[] = {"year", "month", "day", "month_name"};
    const char *const dv[] = {yy, mm, dd,
                              S(c, month_keys[by.month >= 1 && by.month <= 12 ? by.month : 1])};
    kiosk_strings_fill(S(c, "screen.date"), dn, dv, 4, date, sizeof date);
    snprintf(days, sizeof days, "%d", sv ? sv->processing_days : 0);
    const char *const nn[] = {"date", "days", "phone"};
    const char *const nv[] = {date, days, env->agency_phone ? env->agency_phone : "12333"};
    kiosk_strings_fill(S(c, "screen.done_next"), nn, nv, 3, next, sizeof next);
    if (sv && sv->plan_on)
        append_plan(c, sv, next, sizeof next);
    const char *msg = v->message_key ? S(c, v->message_key) : next;
    if (f->landscape) {
        /* the words' column ends above the footer: the largest size whose lines fit */
        ui_text_style st = {.px = ui_theme_font_px(t, px), .align = UI_TEXT_LEFT};
        ui_text_block b = {0};
        int room_h = body.y + body.h - y;
        while (ui_text_measure_block(c->text, msg, &st, body.w, &b) == KIOSK_OK && b.h > room_h &&
               st.px > 16)
            st.px -= 2;
        ui_text_draw_wrapped(c->text, msg, st.px, v->printed ? t->fg : t->error,
                             (SDL_Rect){body.x, y, body.w, room_h}, UI_TEXT_LEFT, NULL);
        y += b.h;
    } else {
        y += ui_label(c, msg, (SDL_Rect){body.x, y, body.w, 0}, px, v->printed ? t->fg : t->error,
                      UI_TEXT_LEFT);
    }
    y += ui_theme_px(t, 16);
    if (!f->landscape)
        room = (SDL_Rect){body.x, y, body.w, body.y + body.h - y};
    /* the card reminder at the bottom of the receipt's room, the receipt above it */
    room.h -= take_card_banner(c, room, env->session);
    if (env->receipt && env->receipt_w > 0) {
        /* the receipt as printed, scaled to fit its room */
        int room_h = room.h, room_w = room.w;
        float s = (float)room_h / (float)env->receipt_h;
        if ((float)env->receipt_w * s > (float)room_w)
            s = (float)room_w / (float)env->receipt_w;
        if (s > 1.0f) /* the preview is made at its display size: never blow it up */
            s = 1.0f;
        int w = (int)((float)env->receipt_w * s), h = (int)((float)env->receipt_h * s);
        SDL_Rect dst = {room.x + (room.w - w) / 2, room.y, w, h};
        ui_draw_fill_rect(c->r, (SDL_Rect){dst.x - 4, dst.y - 4, w + 8, h + 8}, t->muted);
        SDL_RenderCopy(c->r, env->receipt, NULL, &dst);
    }
    footer(c, f, v->printed ? NULL : UI_ID_REPRINT, S(c, "screen.done_reprint"), UI_ID_FINISH,
           S(c, "screen.done_finish"), UI_BUTTON_PRIMARY);
}

/* A message's icon: a fault of the card, the reader or the kiosk is an error; an ending
 * the citizen chose or caused (cancelled, card taken away, another card) and a card
 * whose data the kiosk cannot use are notices. */
static ui_icon_kind message_icon(const char *key)
{
    static const char *const errors[] = {"flow.pin_blocked",  "flow.card_unreadable",
                                         "flow.reader_fault", "flow.save_failed",
                                         "flow.cannot_save",  "flow.print_failed"};
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (strcmp(key, errors[i]) == 0)
            return UI_ICON_ERROR;
    return UI_ICON_NOTICE;
}

/* A page of explanation and one button (eligibility outcome, messages); the button's kind
 * (primary, or secondary when the page offers a better way on). */
static void explain_screen_kind(ui_ctx *c, const frame *f, const flow_view *v,
                                const char *title_text, ui_icon_kind icon, const char *text,
                                const char *back_key, const char *button_id, const session_view *sv,
                                ui_button_kind ok_kind);
static void explain_screen(ui_ctx *c, const frame *f, const flow_view *v, const char *title_text,
                           ui_icon_kind icon, const char *text, const char *back_key,
                           const char *button_id, const session_view *sv)
{
    explain_screen_kind(c, f, v, title_text, icon, text, back_key, button_id, sv,
                        UI_BUTTON_PRIMARY);
}

static void explain_screen_kind(ui_ctx *c, const frame *f, const flow_view *v,
                                const char *title_text, ui_icon_kind icon, const char *text,
                                const char *back_key, const char *button_id, const session_view *sv,
                                ui_button_kind ok_kind)
{
    header(c, f, v, 0);
    title_icon(c, f, title_text, icon);
    SDL_Rect room = f->body;
    room.h -= take_card_banner(c, f->body, sv);
    SDL_Rect panel = room;
    panel.h = f->body.h * 3 / 5 < room.h ? f->body.h * 3 / 5 : room.h;
    int pad = ui_theme_px(c->t, 40);
    /* the panel grows with a long text (large text, English) up to the whole body */
    ui_text_style st = {.px = ui_theme_font_px(c->t, ui_theme_size(c->t, UI_SIZE_EXPLAIN)),
                        .align = UI_TEXT_LEFT};
    ui_text_block blk = {0};
    if (ui_text_measure_block(c->text, text, &st, panel.w - 2 * pad, &blk) == KIOSK_OK &&
        blk.h + 2 * pad > panel.h)
        panel.h = blk.h + 2 * pad < room.h ? blk.h + 2 * pad : room.h;
    ui_draw_fill_round_rect(c->r, panel, ui_theme_px(c->t, 24), c->t->panel);
    SDL_Rect inner = {panel.x + pad, panel.y + pad, panel.w - 2 * pad, panel.h - 2 * pad};
    ui_label(c, text, inner, ui_theme_size(c->t, UI_SIZE_EXPLAIN), c->t->fg, UI_TEXT_LEFT);
    footer(c, f, back_key ? UI_ID_BACK : NULL, back_key ? S(c, back_key) : NULL, button_id,
           S(c, "screen.ok"), ok_kind);
}

/* The card left before saving: put the same one back within the seconds shown. */
static void card_away_screen(ui_ctx *c, const frame *f, const flow_view *v)
{
    const ui_theme *t = c->t;
    header(c, f, v, 0);
    title(c, f, S(c, "screen.away_title"));
    SDL_Rect body = f->body;
    int pad = ui_theme_px(t, f->landscape ? 28 : 40);
    /* the words in a panel their own size, then the seconds and what they mean */
    const char *words = S(c, "screen.away_body");
    ui_text_style st = {.px = ui_theme_font_px(t, ui_theme_size(t, UI_SIZE_EXPLAIN)),
                        .align = UI_TEXT_LEFT};
    ui_text_block blk = {0};
    int text_h = ui_text_measure_block(c->text, words, &st, body.w - 2 * pad, &blk) == KIOSK_OK
                     ? blk.h
                     : body.h / 4;
    SDL_Rect panel = {body.x, body.y, body.w, text_h + 2 * pad};
    ui_draw_fill_round_rect(c->r, panel, ui_theme_px(t, 24), t->panel);
    ui_label(c, words, (SDL_Rect){panel.x + pad, panel.y + pad, panel.w - 2 * pad, text_h},
             ui_theme_size(t, UI_SIZE_EXPLAIN), t->fg, UI_TEXT_LEFT);
    char secs[16], msg[256];
    snprintf(secs, sizeof secs, "%d", v->away_s);
    int y = panel.y + panel.h + pad / 2;
    ui_journey_fill_number(S(c, "screen.away_seconds"), v->away_s, msg, sizeof msg);
    if (f->landscape) {
        /* little height: the seconds and their meaning side by side */
        int row_h = f->footer.y - pad / 2 - y, num_w = body.w / 5;
        ui_label_fit(c, secs, (SDL_Rect){body.x, y, num_w, row_h},
                     ui_theme_size(t, UI_SIZE_BIG_DIGIT), t->accent, UI_TEXT_CENTER);
        ui_label_fit(c, msg, (SDL_Rect){body.x + num_w, y, body.w - num_w, row_h},
                     ui_theme_size(t, UI_SIZE_LEAD), t->muted, UI_TEXT_LEFT);
    } else {
        y += ui_label(c, secs, (SDL_Rect){body.x, y, body.w, 0},
                      ui_theme_size(t, UI_SIZE_BIG_DIGIT), t->accent, UI_TEXT_CENTER);
        ui_label(c, msg, (SDL_Rect){body.x, y, body.w, 0}, ui_theme_size(t, UI_SIZE_LEAD), t->muted,
                 UI_TEXT_CENTER);
    }
    footer(c, f, NULL, NULL, UI_ID_CANCEL_CONFIRM, S(c, "screen.away_end"), UI_BUTTON_SECONDARY);
}

/* The height text takes wrapped in w at role's size. */
static int text_height(ui_ctx *c, const char *text, ui_size role, int w)
{
    ui_text_style st = {.px = ui_theme_size_px(c->t, role), .align = UI_TEXT_CENTER};
    ui_text_block b;
    return ui_text_measure_block(c->text, text, &st, w, &b) == KIOSK_OK ? b.h : 0;
}

/* A dialog over the screen: the veil, then the panel d grown (about the screen's middle)
 * to need pixels when its texts take more than its room (large text, English), never
 * beyond the screen. Returns the panel. */
static SDL_Rect dialog_panel(ui_ctx *c, SDL_Rect d, int need)
{
    const ui_theme *t = c->t;
    ui_draw_fill_rect(c->r, (SDL_Rect){0, 0, c->w, c->h}, t->veil);
    if (need > d.h) {
        int most = c->h - 2 * ui_theme_px(t, 24);
        d.h = need < most ? need : most;
        d.y = (c->h - d.h) / 2;
    }
    ui_draw_fill_round_rect(c->r, d, ui_theme_px(t, 32), t->panel);
    return d;
}

/* "确定要取消吗？" over the screen: keeping on is the big, first choice. Laid out top to
 * bottom from the texts' measured heights, so nothing overlaps in any mode. */
static void cancel_dialog(ui_ctx *c, const frame *f)
{
    const ui_theme *t = c->t;
    SDL_Rect d =
        f->landscape ? ui_px_rect(c, 240, 160, 800, 480) : ui_px_rect(c, 90, 600, 900, 720);
    int pad = ui_theme_px(t, 48), gap = ui_theme_px(t, 24), w = d.w - 2 * pad;
    int bh = ui_theme_text_target_px(t, f->landscape ? 80 : 120);
    int qh = text_height(c, S(c, "screen.cancel_question"), UI_SIZE_DIALOG, w);
    int dh = text_height(c, S(c, "screen.cancel_detail"), UI_SIZE_LEAD, w);
    d = dialog_panel(c, d, 2 * pad + qh + gap + dh + 2 * gap + 2 * bh + gap);
    int y = d.y + pad;
    y += ui_label(c, S(c, "screen.cancel_question"), (SDL_Rect){d.x + pad, y, w, 0},
                  ui_theme_size(t, UI_SIZE_DIALOG), t->fg, UI_TEXT_CENTER);
    ui_label(c, S(c, "screen.cancel_detail"), (SDL_Rect){d.x + pad, y + gap, w, 0},
             ui_theme_size(t, UI_SIZE_LEAD), t->muted, UI_TEXT_CENTER);
    SDL_Rect quit = {d.x + pad, d.y + d.h - pad - bh, w, bh};
    SDL_Rect keep = {quit.x, quit.y - gap - bh, quit.w, bh};
    ui_button(c, UI_ID_CANCEL_KEEP, keep, S(c, "screen.cancel_keep"),
              ui_theme_size(t, UI_SIZE_BUTTON_MAIN), UI_BUTTON_PRIMARY);
    ui_button(c, UI_ID_CANCEL_CONFIRM, quit, S(c, "screen.cancel_confirm"),
              ui_theme_size(t, UI_SIZE_BUTTON), UI_BUTTON_SECONDARY);
}

/* "您上次没填完的失业登记还在": the same citizen's form from before a power cut or a crash,
 * on the services screen; going on is the big, first choice. */
static void resume_dialog(ui_ctx *c, const frame *f, const session_view *sv)
{
    const ui_theme *t = c->t;
    SDL_Rect d =
        f->landscape ? ui_px_rect(c, 200, 120, 880, 560) : ui_px_rect(c, 90, 560, 900, 800);
    int pad = ui_theme_px(t, 48), gap = ui_theme_px(t, 24), w = d.w - 2 * pad;
    int bh = ui_theme_text_target_px(t, f->landscape ? 80 : 120);
    char when[32] = "", detail[512];
    time_t tt = (time_t)(sv->resume_written_ms / 1000);
    struct tm tm;
    if (localtime_r(&tt, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    const char *name = "time", *value = when;
    kiosk_strings_fill(S(c, "screen.resume_detail"), &name, &value, 1, detail, sizeof detail);
    /* the kept form's own name (注销申报, 求职登记), where the strings have it */
    char qkey[64];
    snprintf(qkey, sizeof qkey, "screen.resume_question_%s",
             registration_type_key(sv->resume_type));
    const char *question =
        sv->resume_type != REGISTRATION_TYPE_REGISTRATION ? kiosk_strings_find(c->s, qkey) : NULL;
    if (!question)
        question = S(c, "screen.resume_question");
    int qh = text_height(c, question, UI_SIZE_DIALOG, w);
    int dh = text_height(c, detail, UI_SIZE_LEAD, w);
    d = dialog_panel(c, d, 2 * pad + qh + gap + dh + 2 * gap + 2 * bh + gap);
    int y = d.y + pad;
    y += ui_label(c, question, (SDL_Rect){d.x + pad, y, w, 0}, ui_theme_size(t, UI_SIZE_DIALOG),
                  t->fg, UI_TEXT_CENTER);
    ui_label(c, detail, (SDL_Rect){d.x + pad, y + gap, w, 0}, ui_theme_size(t, UI_SIZE_LEAD),
             t->muted, UI_TEXT_CENTER);
    SDL_Rect no = {d.x + pad, d.y + d.h - pad - bh, w, bh};
    SDL_Rect yes = {no.x, no.y - gap - bh, no.w, bh};
    ui_button(c, UI_ID_RESUME_YES, yes, S(c, "screen.resume_yes"),
              ui_theme_size(t, UI_SIZE_BUTTON_MAIN), UI_BUTTON_PRIMARY);
    ui_button(c, UI_ID_RESUME_NO, no, S(c, "screen.resume_no"), ui_theme_size(t, UI_SIZE_BUTTON),
              UI_BUTTON_SECONDARY);
}

/* 求助: "工作人员马上就来" over the screen until the citizen closes it. */
static void help_dialog(ui_ctx *c, const frame *f)
{
    const ui_theme *t = c->t;
    SDL_Rect d = f->landscape ? ui_px_rect(c, 190, 90, 900, 620) : ui_px_rect(c, 90, 560, 900, 800);
    int pad = ui_theme_px(t, 48), gap = ui_theme_px(t, 24), w = d.w - 2 * pad;
    int bh = ui_theme_text_target_px(t, f->landscape ? 90 : 140);
    int qh = text_height(c, S(c, "screen.help_title"), UI_SIZE_DIALOG, w);
    int dh = text_height(c, S(c, "screen.help_detail"), UI_SIZE_LEAD, w);
    d = dialog_panel(c, d, 2 * pad + qh + gap + dh + 2 * gap + bh);
    /* wrapped, one under the other (the English title has the Chinese under it) */
    int y = d.y + pad;
    y += ui_label(c, S(c, "screen.help_title"), (SDL_Rect){d.x + pad, y, w, 0},
                  ui_theme_size(t, UI_SIZE_DIALOG), t->fg, UI_TEXT_CENTER);
    ui_label(c, S(c, "screen.help_detail"), (SDL_Rect){d.x + pad, y + gap, w, 0},
             ui_theme_size(t, UI_SIZE_LEAD), t->muted, UI_TEXT_CENTER);
    SDL_Rect ok = {d.x + pad, d.y + d.h - pad - bh, w, bh};
    ui_button(c, UI_ID_HELP_OK, ok, S(c, "screen.help_ok"), ui_theme_size(t, UI_SIZE_BUTTON_MAIN),
              UI_BUTTON_PRIMARY);
}

/* "还需要更多时间吗？", the seconds left, what happens then, and "more time". */
static void countdown_dialog(ui_ctx *c, const frame *f, int seconds)
{
    const ui_theme *t = c->t;
    SDL_Rect d =
        f->landscape ? ui_px_rect(c, 240, 160, 800, 480) : ui_px_rect(c, 90, 560, 900, 800);
    int pad = ui_theme_px(t, f->landscape ? 32 : 48), gap = ui_theme_px(t, 16), w = d.w - 2 * pad;
    char secs[16], msg[256];
    snprintf(secs, sizeof secs, "%d", seconds);
    ui_journey_fill_number(S(c, "screen.more_time_seconds"), seconds, msg, sizeof msg);
    const char *q = kiosk_strings_get(c->s, "flow.more_time");
    int bh = ui_theme_text_target_px(t, f->landscape ? 80 : 130);
    int qh = text_height(c, q, UI_SIZE_DIALOG, w), sh = text_height(c, secs, UI_SIZE_BIG_DIGIT, w),
        nh = text_height(c, msg, UI_SIZE_HINT, w);
    d = dialog_panel(c, d, 2 * pad + qh + sh + nh + 3 * gap + bh);
    /* the texts spread over the room above the button */
    int room = d.h - 2 * pad - bh - (qh + sh + nh), step = room > 3 * gap ? room / 3 : gap;
    int y = d.y + pad;
    y += ui_label(c, q, (SDL_Rect){d.x + pad, y, w, 0}, ui_theme_size(t, UI_SIZE_DIALOG), t->fg,
                  UI_TEXT_CENTER) +
         step;
    y += ui_label(c, secs, (SDL_Rect){d.x + pad, y, w, 0}, ui_theme_size(t, UI_SIZE_BIG_DIGIT),
                  t->accent, UI_TEXT_CENTER);
    ui_label(c, msg, (SDL_Rect){d.x + pad, y, w, 0}, ui_theme_size(t, UI_SIZE_HINT), t->muted,
             UI_TEXT_CENTER);
    SDL_Rect b = {d.x + pad, d.y + d.h - pad - bh, w, bh};
    ui_button(c, UI_ID_MORE_TIME, b, S(c, "screen.more_time_yes"),
              ui_theme_size(t, UI_SIZE_BUTTON_MAIN), UI_BUTTON_PRIMARY);
}

kiosk_rc ui_journey_draw(ui_ctx *c, const flow_view *v, ui_journey_state *st,
                         const ui_journey_env *env)
{
    const ui_theme *t = c->t;
    ui_draw_clear(c->r, t->bg);
    frame f = layout(c);
    f.voice_on = env->voice_on;
    switch (v->step) {
    case FLOW_ATTRACT: /* drawn by ui_attract */
    case FLOW_READING_CARD:
        waiting(c, &f, v, "screen.reading_title", "screen.reading_hint", env->anim_ms);
        break;
    case FLOW_PIN:
        pin_screen(c, &f, v, env->session);
        break;
    case FLOW_CHECKING_PIN:
        waiting(c, &f, v, "screen.checking_title", "screen.checking_hint", env->anim_ms);
        break;
    case FLOW_QUESTIONS:
        questions_screen(c, &f, v, env->session);
        break;
    case FLOW_ELIGIBILITY: {
        /* the outcome as the title ("可以办理求职登记"), the reason below it */
        const char *outcome = eligibility_outcome_key(v->eligibility.outcome);
        char text[1024]; /* the reason, and how to put a mistaken answer right */
        snprintf(text, sizeof text, "%s\n\n%s",
                 S(c, v->message_key ? v->message_key : "eligibility.unknown"),
                 S(c, "screen.change_answers_hint"));
        /* only "eligible" is good news; the others send the citizen to a counter */
        ui_icon_kind icon =
            v->eligibility.outcome == ELIGIBILITY_ELIGIBLE ? UI_ICON_SUCCESS : UI_ICON_NOTICE;
        /* 求职登记 offered here: its button under the explanation, the counter (好的) and
         * 修改回答 in the footer as before */
        frame ef = f;
        int offer = v->eligibility.outcome == ELIGIBILITY_OFFER_JOBSEEKER;
        int bh = ui_theme_text_target_px(c->t, c->t->landscape ? 72 : 110),
            gap = ui_theme_px(c->t, 16);
        if (offer)
            ef.body.h -= bh + gap;
        explain_screen_kind(c, &ef, v, S(c, outcome ? outcome : "screen.eligibility_title"), icon,
                            text, "screen.change_answers", UI_ID_OK, env->session,
                            offer ? UI_BUTTON_SECONDARY : UI_BUTTON_PRIMARY);
        if (offer) /* the way on here, the whole width: 好的 (the counter) beside it */
            ui_button(c, UI_ID_SERVICE_PREFIX "jobseeker",
                      (SDL_Rect){f.body.x, ef.body.y + ef.body.h + gap, f.body.w, bh},
                      S(c, "screen.jobseeker_here"), ui_theme_size(c->t, UI_SIZE_BUTTON),
                      UI_BUTTON_PRIMARY);
        break;
    }
    case FLOW_FORM:
        form_screen(c, &f, v, st, env);
        break;
    case FLOW_REVIEW:
        review_screen(c, &f, v, st, env);
        break;
    case FLOW_COMMITMENT:
        commitment_screen(c, &f, v, st, env);
        break;
    case FLOW_SIGNATURE:
        signature_screen(c, &f, v, st, env);
        break;
    case FLOW_SAVING:
        waiting(c, &f, v, "screen.saving_title", "screen.saving_hint", env->anim_ms);
        break;
    case FLOW_PRINTING:
        waiting(c, &f, v, "screen.printing_title", "screen.printing_hint", env->anim_ms);
        break;
    case FLOW_DONE:
        done_screen(c, &f, v, env);
        break;
    case FLOW_MESSAGE: {
        const char *key = v->message_key ? v->message_key : "flow.see_staff";
        char title_key[96];
        snprintf(title_key, sizeof title_key, "flow.title.%s",
                 strncmp(key, "flow.", 5) == 0 ? key + 5 : key);
        const char *heading = kiosk_strings_find(c->s, title_key);
        explain_screen(c, &f, v, heading ? heading : S(c, "screen.message_title"),
                       message_icon(key), S(c, key), NULL, UI_ID_OK, env->session);
        break;
    }
    case FLOW_CARD_AWAY:
        card_away_screen(c, &f, v);
        break;
    case FLOW_SERVICES:
    case FLOW_RECORDS:
        ui_services_draw(c, &f, v, env);
        break;
    case FLOW_INFO:
        ui_info_draw(c, &f, v, env);
        break;
    case FLOW_STEP_COUNT: /* not a step */
        break;
    }
    if (v->confirm_cancel && v->countdown_s <= 0) {
        ui_widgets_clear(c->ws); /* modal */
        cancel_dialog(c, &f);
    } else if (v->step == FLOW_SERVICES && env->session->resume_offer && v->countdown_s <= 0 &&
               !env->session->help_shown) {
        ui_widgets_clear(c->ws); /* modal */
        resume_dialog(c, &f, env->session);
    }
    if (env->session->help_shown && v->countdown_s <= 0) {
        ui_widgets_clear(c->ws); /* modal */
        help_dialog(c, &f);
    }
    if (v->countdown_s > 0) {
        ui_widgets_clear(c->ws); /* modal: nothing under the veil can be tapped */
        countdown_dialog(c, &f, v->countdown_s);
    }
    return KIOSK_OK;
}

/* ---- the frame for the screens of sibling files (ui_services.c) ---- */

ui_journey_frame ui_journey_layout(const ui_ctx *c, int voice_on)
{
    frame f = layout(c);
    f.voice_on = voice_on;
    return f;
}

void ui_journey_header(ui_ctx *c, const ui_journey_frame *f, const flow_view *v, int cancellable)
{
    header(c, f, v, cancellable);
}

void ui_journey_title(ui_ctx *c, const ui_journey_frame *f, const char *text)
{
    title(c, f, text);
}

void ui_journey_footer(ui_ctx *c, const ui_journey_frame *f, const char *back_id,
                       const char *back_label, const char *next_id, const char *next_label)
{
    footer(c, f, back_id, back_label, next_id, next_label, UI_BUTTON_PRIMARY);
}
