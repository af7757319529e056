/*
 * Form pages and field editors. Every editor shows the field's name as its title and
 * ends with 完成 (take it) or 取消 (leave the field as it was); a list choice or a yes/no
 * is taken at the tap. Lists page by a fixed count so buttons stay large; the address
 * picker steps down one level per tap and can stop at the county.
 */
#include "ui/ui_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "core/kiosk_log.h"
#include "ui/ui_draw.h"
#include "ui/ui_handpad.h"
#include "ui/ui_handwriting.h"
#include "ui/ui_keypad.h"
#include "ui/ui_pinyin.h"

/* How a field is entered and its code table: the field's description (domain). */
static registration_input input_of(registration_field f)
{
    return registration_field_get(f)->input;
}

static codes_table table_of(registration_field f)
{
    return (codes_table)registration_field_get(f)->table;
}

#define CANDIDATES_PER_PAGE 6
#define UI_ID_DATE_TODAY "date_today" /* a forward date's months: today, one tap */

static void year_month_text(const kiosk_strings *s, int k, char *out, size_t size);
static void date_text(const kiosk_strings *s, int k, int day, char *out, size_t size);

/* An asked date looks forward (可到岗日期: this month and the eleven after it), the others
 * back (the twelve months up to this one). */
static int date_forward(registration_field f)
{
    return f == REGISTRATION_AVAILABLE_FROM;
}

void ui_form_edit_wipe(ui_form_edit *e)
{
    explicit_bzero(e, sizeof *e);
}

static const char *field_label(const kiosk_strings *s, registration_field f)
{
    char key[96];
    snprintf(key, sizeof key, "form.field.%s", registration_field_key(f));
    return kiosk_strings_get(s, key);
}

void ui_form_value(const ui_form_env *env, const kiosk_strings *s, registration_field field,
                   char *out, size_t outsz)
{
    out[0] = '\0';
    char raw[UI_FORM_TEXT_MAX];
    const char *v = registration_value(env->rec, field, ",", raw, sizeof raw);
    if (!*v)
        return;
    switch (input_of(field)) {
    case REGISTRATION_INPUT_CODE: {
        const char *name = codes_name(env->codes, table_of(field), v, env->lang);
        snprintf(out, outsz, "%s", name ? name : v);
        break;
    }
    case REGISTRATION_INPUT_YESNO:
        snprintf(out, outsz, "%s",
                 kiosk_strings_get(s, strcmp(v, "yes") == 0 ? "screen.yes" : "screen.no"));
        break;
    case REGISTRATION_INPUT_MONTH: {
        int y, m;
        if (sscanf(v, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12)
            year_month_text(s, y * 12 + m - 1, out, outsz); /* "2026年9月" */
        else
            snprintf(out, outsz, "%s", v);
        break;
    }
    case REGISTRATION_INPUT_DATE: {
        int y, m, d;
        if (sscanf(v, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
            date_text(s, y * 12 + m - 1, d, out, outsz); /* "2026年11月2日" */
        else
            snprintf(out, outsz, "%s", v);
        break;
    }
    case REGISTRATION_INPUT_DIVISION:
        if (divisions_path(env->divs, v, out, outsz) != KIOSK_OK)
            snprintf(out, outsz, "%s", v);
        break;
    case REGISTRATION_INPUT_MULTI: {
        /* "1,2,5" → names joined */
        char buf[128];
        size_t used = 0;
        snprintf(buf, sizeof buf, "%s", v);
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            const char *name = codes_name(env->codes, table_of(field), tok, env->lang);
            /* "职业指导、职业介绍", "Career guidance, Job placement" */
            char list[256];
            snprintf(list, sizeof list, "%s", out);
            const char *const jn[] = {"list", "item"};
            const char *const jv[] = {list, name ? name : tok};
            if (used)
                kiosk_strings_fill(kiosk_strings_get(s, "screen.list_join"), jn, jv, 2, out, outsz);
            else
                snprintf(out, outsz, "%s", jv[1]);
            size_t now = strlen(out);
            if (now + 1 >= outsz)
                break;
            used = now;
        }
        break;
    }
    default:
        /* a public hall: the document number is shown as the receipt prints it (the
         * citizen typing it in sees it whole, in the editor) */
        if (field != REGISTRATION_DOCUMENT_NUMBER || kiosk_mask_id(v, out, outsz) != KIOSK_OK)
            snprintf(out, outsz, "%s", v);
        break;
    }
    explicit_bzero(raw, sizeof raw);
}

/* The message for the first issue of field in the view, or NULL. */
static const char *issue_text(const kiosk_strings *s, const flow_view *v, registration_field f)
{
    for (int i = 0; i < v->nissues; i++) {
        if (v->issues[i].field != f)
            continue;
        const char *t = kiosk_strings_find(s, v->issues[i].key);
        if (t)
            return t;
        char key[96];
        snprintf(key, sizeof key, "form.error.%s", registration_error_key(v->issues[i].error));
        return kiosk_strings_get(s, key);
    }
    return NULL;
}

/* ---- the page of rows ------------------------------------------------------------- */

/* Fields whose need depends on another answer (a disability grade for a disabled
 * health, the words of 失业原因 其他): neither always required nor free to skip, so the
 * row carries no mark; the check says when they are needed. */
static int conditional(registration_field f)
{
    return f == REGISTRATION_DISABILITY_GRADE || f == REGISTRATION_REASON_OTHER_TEXT ||
           f == REGISTRATION_SITUATION_DETAIL;
}

/* The row's label marked from the schema's required flag, before anything turns red:
 * "学历（必填）", "政治面貌（选填，可不填）"; fields from the card are already given. */
static const char *marked_label(const kiosk_strings *s, registration_field f, int locked, char *out,
                                size_t size)
{
    const char *label = field_label(s, f);
    if (locked || conditional(f))
        return label;
    const char *tmpl = kiosk_strings_get(
        s, registration_field_get(f)->required ? "screen.field_required" : "screen.field_optional");
    const char *names[] = {""}, *values[] = {label};
    kiosk_strings_fill(tmpl, names, values, 1, out, size);
    return out;
}

/* A value too long for its row's line (a long name from the card, in large text above
 * all) wraps on up to this many lines at its own size; the row grows by the lines it
 * adds. Only one that still does not fit is made smaller. */
#define VALUE_LINES_MAX 3
#define VALUE_LINE_PCT 133 /* a wrapped value's lines, as far apart as a row's lines */

/* How a row's value is drawn: at font size px, on lines lines (1: as it always was). */
typedef struct value_fit {
    int px, lines;
} value_fit;

/* The lines value takes in width at the layout size layout_px, and the font size that
 * keeps it to VALUE_LINES_MAX lines. */
static value_fit fit_value(ui_ctx *c, const char *value, int layout_px, int width)
{
    value_fit f = {ui_theme_font_px(c->t, layout_px), 1};
    ui_text_style st = {.px = f.px, .line_pct = VALUE_LINE_PCT};
    ui_text_block b;
    while (value[0] && ui_text_measure_block(c->text, value, &st, width, &b) == KIOSK_OK) {
        f.lines = b.lines > 1 ? b.lines : 1;
        if (f.lines <= VALUE_LINES_MAX || st.px <= 12)
            break;
        st.px -= 4 + st.px % 4; /* down to a multiple of 4, as ui_label_fit does */
        f.px = st.px = st.px < 12 ? 12 : st.px;
    }
    return f;
}

/* The height lines - 1 more lines of a value at font size px add to its row. */
static int value_extra_h(value_fit f)
{
    return (f.lines - 1) * ((f.px * VALUE_LINE_PCT + 50) / 100);
}

/* How a row's label is drawn in a compact page (a narrow column in hall mode): on up to
 * LABEL_LINES_MAX lines at its size rather than shrunk onto one; only a label that needs
 * more (English in large text) is made smaller, until it fits those lines. */
#define LABEL_LINES_MAX 2
static value_fit fit_label(ui_ctx *c, const char *label, int px, int width)
{
    value_fit f = {px, 1};
    ui_text_style st = {.px = px, .line_pct = VALUE_LINE_PCT};
    ui_text_block b;
    while (ui_text_measure_block(c->text, label, &st, width, &b) == KIOSK_OK) {
        f.px = st.px;
        f.lines = b.lines > 1 ? b.lines : 1;
        if (f.lines <= LABEL_LINES_MAX || st.px <= 12)
            break;
        st.px -= 2;
    }
    if (f.lines > LABEL_LINES_MAX)
        f.lines = LABEL_LINES_MAX;
    return f;
}

/* The row of field f shows a message line: a problem, "from the card", or the place's hint. */
static int has_message(const ui_form_env *env, const kiosk_strings *s, const flow_view *v,
                       registration_field f)
{
    return issue_text(s, v, f) || registration_is_locked(env->rec, f) ||
           (f == REGISTRATION_PLACE && v->place_hint_key);
}

static void draw_page(ui_ctx *c, const ui_form_env *env, const flow_view *v, ui_form_scroll *sc,
                      SDL_Rect body)
{
    const ui_theme *t = c->t;
    registration_field fields[16];
    size_t n = registration_section_fields((registration_section)v->page, fields, 16);
    int label_px = ui_theme_size(t, UI_SIZE_FIELD_LABEL),
        value_px = ui_theme_size(t, UI_SIZE_FIELD_VALUE);
    /* a row holds its label, the value and one line of message: sized from the fonts,
     * so large text gets taller rows rather than overlapping lines */
    int pad = ui_theme_px(t, 16);
    int label_h = ui_theme_size_px(t, UI_SIZE_FIELD_LABEL) * 4 / 3,
        value_h = ui_theme_size_px(t, UI_SIZE_FIELD_VALUE) * 4 / 3;
    int want = pad * 3 / 2 + label_h + value_h + label_h; /* pad/2 above, pad below */
    int in = ui_theme_px(t, 20), gap_x = ui_theme_px(t, 24);
    /* Hall mode never scrolls a form page: when the rows do not fit at their full size,
     * first the message line is kept only where there is a message, then the page goes
     * into two columns (pairs side by side, labels on more lines), then the gaps close.
     * The portable unit keeps its rows and scrolls. */
    int compact = 0, cols = t->landscape && n >= 4 ? 2 : 1, gap = ui_theme_px(t, 12);
    value_fit labels[16]; /* compact: each label's size and lines */
    for (size_t i = 0; i < n; i++)
        labels[i] = (value_fit){ui_theme_size_px(t, UI_SIZE_FIELD_LABEL), 1};
again:;
    if (cols == 2 && v->page == FLOW_PAGE_WISHES && n > 2 && fields[1] != REGISTRATION_REMARKS) {
        /* two by two, the remarks beside the help wanted, so that each qualification
         * sits beside its level and the two job wishes share a row */
        size_t r = 0;
        while (r < n && fields[r] != REGISTRATION_REMARKS)
            r++;
        for (; r > 1 && r < n; r--)
            fields[r] = fields[r - 1];
        if (r == 1)
            fields[1] = REGISTRATION_REMARKS;
    }
    int rows = (int)((n + (size_t)cols - 1) / (size_t)cols);
    int row_h = (body.h - (rows - 1) * gap) / (rows > 0 ? rows : 1);
    if (row_h > want || compact)
        row_h = want;
    /* a little short: the rows shrink together; much too short, or short at all in large
     * text (which is there to be large): they keep their size and the page scrolls */
    int scrolls = row_h * 100 < want * (t->large_text ? 100 : 85);
    if (scrolls && !t->landscape && !compact) {
        compact = 1;
        goto again;
    }
    SDL_Rect view = body;
    if (scrolls) {
        row_h = want;
        if (t->landscape)
            view.w -= ui_scroll_strip_w(t);
    }
    /* a value that needs more than its line: the rows keep their full size, the rows with
     * such a value grow, and the page scrolls when they no longer fit */
    value_fit fits[16];
    int extra[16] = {0}; /* per row of the grid: what its wrapped values and labels add */
    for (int pass = 0; pass < 3; pass++) {
        int col_w = (view.w - (cols - 1) * gap_x) / cols, wraps = 0;
        memset(extra, 0, sizeof extra);
        float kk = row_h < want ? (float)row_h / (float)want : 1.0f;
        for (size_t i = 0; i < n; i++) {
            char value[UI_FORM_TEXT_MAX];
            ui_form_value(env, c->s, fields[i], value, sizeof value);
            fits[i] = fit_value(c, value, (int)((float)value_px * kk), col_w - 2 * in);
            explicit_bzero(value, sizeof value);
            wraps |= fits[i].lines > 1;
            if (compact) {
                char marked[160];
                int locked = registration_is_locked(env->rec, fields[i]);
                labels[i] =
                    fit_label(c, marked_label(c->s, fields[i], locked, marked, sizeof marked),
                              ui_theme_size_px(t, UI_SIZE_FIELD_LABEL), col_w - 2 * in);
                wraps |= labels[i].lines > 1 || !has_message(env, c->s, v, fields[i]);
            }
        }
        if (!wraps)
            break;
        int total = (rows - 1) * gap;
        for (int row = 0; row < rows; row++) {
            int msg = !compact;
            extra[row] = INT_MIN;
            for (size_t i = (size_t)(row * cols); i < n && i < (size_t)((row + 1) * cols); i++) {
                int e = value_extra_h(fits[i]) + value_extra_h(labels[i]);
                extra[row] = e > extra[row] ? e : extra[row];
                msg |= has_message(env, c->s, v, fields[i]);
            }
            if (!msg) /* compact: no message in this row, no line kept for one */
                extra[row] -= label_h;
            total += want + extra[row];
        }
        int was_h = row_h, was_w = view.w;
        row_h = want;
        if (!scrolls && total > body.h) {
            if (!t->landscape && cols == 1 && n >= 6) {
                cols = 2; /* hall mode: two columns before anything scrolls */
                goto again;
            }
            if (!t->landscape && gap > 2) {
                gap = 2; /* the last resort before scrolling: the rows touch */
                goto again;
            }
            scrolls = 1;
            view.w = body.w - ui_scroll_strip_w(t);
        }
        if (row_h == was_h && view.w == was_w)
            break; /* measured at the size and width they are drawn at */
    }
    if (sc->page != (int)v->page) {
        sc->page = (int)v->page;
        sc->y = 0;
        sc->nissues = 0;
    }
    int tops[16], content_h = 0; /* each row's top from the first's */
    for (int row = 0; row < rows; row++) {
        tops[row] = content_h;
        content_h += row_h + extra[row] + (row + 1 < rows ? gap : 0);
    }
    sc->max = scrolls && content_h > view.h ? content_h - view.h : 0;
    if (scrolls && v->nissues > 0 && sc->nissues == 0) {
        /* new problems: bring the first one into view */
        for (size_t i = 0; i < n; i++)
            if (issue_text(c->s, v, fields[i])) {
                int row = (int)i / cols, top = tops[row];
                if (top < sc->y || top + row_h + extra[row] > sc->y + view.h)
                    sc->y = top;
                break;
            }
    }
    sc->nissues = v->nissues;
    if (sc->y > sc->max)
        sc->y = sc->max;
    if (sc->y < 0)
        sc->y = 0;

    int col_w = (view.w - (cols - 1) * gap_x) / cols;
    if (scrolls)
        SDL_RenderSetClipRect(c->r, &view);
    for (size_t i = 0; i < n; i++) {
        registration_field f = fields[i];
        int col = (int)i % cols, row = (int)i / cols; /* row by row: pairs side by side */
        SDL_Rect r = {view.x + col * (col_w + gap_x), view.y + tops[row] - sc->y, col_w,
                      row_h + extra[row]};
        SDL_Rect shown;
        if (!SDL_IntersectRect(&r, &view, &shown))
            continue;
        const char *problem = issue_text(c->s, v, f);
        int locked = registration_is_locked(env->rec, f);
        ui_draw_round_frame(c->r, r, ui_theme_px(t, 16), ui_theme_px(t, problem ? 4 : 2) + 1,
                            problem ? t->error : t->muted, locked ? t->bg : t->panel);
        /* if the body is short (landscape), the three lines shrink together to fit */
        float k = row_h < want ? (float)row_h / (float)want : 1.0f;
        int lh = (int)((float)label_h * k), vh = (int)((float)value_h * k);
        int lpx = (int)((float)label_px * k), vpx = (int)((float)value_px * k);
        SDL_Rect label = {r.x + in, r.y + (int)((float)pad * k) / 2, r.w - 2 * in,
                          lh + value_extra_h(labels[i])};
        char marked[160];
        if (labels[i].lines > 1) { /* a narrow column: the label on its lines */
            ui_text_style st = {.px = labels[i].px,
                                .color = t->muted,
                                .align = UI_TEXT_LEFT,
                                .line_pct = VALUE_LINE_PCT};
            ui_text_draw_block(c->text, marked_label(c->s, f, locked, marked, sizeof marked), &st,
                               label, NULL);
        } else
            ui_label_fit(c, marked_label(c->s, f, locked, marked, sizeof marked), label, lpx,
                         t->muted, UI_TEXT_LEFT);
        char value[UI_FORM_TEXT_MAX];
        ui_form_value(env, c->s, f, value, sizeof value);
        SDL_Rect val = {r.x + in, label.y + label.h, r.w - 2 * in, vh + value_extra_h(fits[i])};
        if (value[0] && fits[i].lines > 1) {
            ui_text_style st = {.px = fits[i].px,
                                .color = t->fg,
                                .align = UI_TEXT_LEFT,
                                .line_pct = VALUE_LINE_PCT};
            ui_text_draw_block(c->text, value, &st, val, NULL);
        } else if (value[0]) {
            ui_label_fit(c, value, val, vpx, t->fg, UI_TEXT_LEFT);
        } else if (!locked) {
            ui_label_fit(c, kiosk_strings_get(c->s, "screen.tap_to_fill"), val, vpx, t->accent,
                         UI_TEXT_LEFT);
        }
        explicit_bzero(value, sizeof value); /* a citizen's answer: not left on the stack */
        SDL_Rect msg = {r.x + in, val.y + val.h, r.w - 2 * in, lh};
        if (problem) {
            ui_label_fit(c, problem, msg, lpx, t->error, UI_TEXT_LEFT);
        } else if (locked) {
            ui_label_fit(c, kiosk_strings_get(c->s, "screen.from_card"), msg, lpx, t->muted,
                         UI_TEXT_LEFT);
        } else if (f == REGISTRATION_PLACE && v->place_hint_key) {
            /* preselected from the addresses: one line says why */
            ui_label_fit(c, kiosk_strings_get(c->s, v->place_hint_key), msg, lpx, t->muted,
                         UI_TEXT_LEFT);
        }
        if (!locked) { /* the part on screen takes the touch; drawn pressed under a finger */
            char id[UI_WIDGET_ID_MAX];
            snprintf(id, sizeof id, "field_%s", registration_field_key(f));
            ui_widgets_add(c->ws, id, shown);
            if (!strcmp(c->ws->pressed, id))
                ui_draw_fill_round_rect(c->r, r, ui_theme_px(t, 16), t->pressed);
        }
    }
    if (!scrolls)
        return;
    SDL_RenderSetClipRect(c->r, NULL);
    ui_scroll_buttons(c, body, sc->y, sc->max);
}

/* ---- editors ----------------------------------------------------------------------- */

/* Title, the value being edited, and where the editor's controls go. */
static SDL_Rect editor_frame(ui_ctx *c, const ui_form_edit *e, SDL_Rect body, const char *shown)
{
    const ui_theme *t = c->t;
    int tpx = ui_theme_size(t, UI_SIZE_EDIT_TITLE), spx = ui_theme_size(t, UI_SIZE_EDIT_VALUE);
    /* heights follow the fonts, so large text does not run into the box below */
    SDL_Rect title = {body.x, body.y, body.w, ui_theme_size_px(t, UI_SIZE_EDIT_TITLE) * 4 / 3};
    ui_label_fit(c, field_label(c->s, e->field), title, tpx, t->accent, UI_TEXT_LEFT);
    int y = title.y + title.h + ui_theme_px(t, 12);
    if (shown) {
        SDL_Rect box = {body.x, y, body.w, ui_theme_size_px(t, UI_SIZE_EDIT_VALUE) * 2};
        ui_draw_round_frame(c->r, box, ui_theme_px(t, 12), ui_theme_px(t, 3) + 1, t->accent,
                            t->panel);
        SDL_Rect in = {box.x + ui_theme_px(t, 20), box.y + box.h / 5, box.w - ui_theme_px(t, 40),
                       box.h * 3 / 5};
        ui_label_fit(c, shown, in, spx, t->fg, UI_TEXT_LEFT);
        y = box.y + box.h + ui_theme_px(t, 16);
    }
    return (SDL_Rect){body.x, y, body.w, body.y + body.h - y};
}

/* The caret's taps: one target per place between characters, at most this many. */
#define CARET_TARGETS 40

/* The value being typed and its caret, on one line: as large as fits (down to two
 * thirds), then scrolled to keep the caret in view. A tap between two characters
 * ("caret_<bytes before>") puts the caret there. */
static void value_with_caret(ui_ctx *c, const ui_form_edit *e, SDL_Rect box)
{
    const ui_theme *t = c->t;
    const char *s = e->text;
    size_t n = strlen(s), at = e->after <= n ? n - e->after : 0;
    int full = ui_theme_size_px(t, UI_SIZE_EDIT_VALUE);
    /* where each character starts at the full size (widths add: no kerning across CJK) */
    int xs[UI_FORM_TEXT_MAX + 1];
    size_t offs[UI_FORM_TEXT_MAX + 1];
    int nb = 0, line_h = full * 4 / 3;
    xs[0] = 0;
    offs[0] = 0;
    for (size_t i = 0; i < n;) {
        size_t len = 1;
        while (i + len < n && ((unsigned char)s[i + len] & 0xC0) == 0x80)
            len++;
        char ch[8];
        snprintf(ch, sizeof ch, "%.*s", (int)len, s + i);
        int w = 0;
        ui_text_measure(c->text, ch, full, &w, NULL);
        i += len;
        nb++;
        xs[nb] = xs[nb - 1] + w;
        offs[nb] = i;
    }
    int px = full;
    if (xs[nb] > box.w) {
        px = (int)((long)full * box.w / xs[nb]);
        px = px < full * 2 / 3 ? full * 2 / 3 : px;
        for (int i = 0; i <= nb; i++)
            xs[i] = (int)((long)xs[i] * px / full);
        line_h = px * 4 / 3;
    }
    int caret = 0;
    while (caret < nb && offs[caret] < at)
        caret++;
    int shift = 0; /* scrolled so that the caret sits three quarters along */
    if (xs[nb] > box.w) {
        shift = xs[caret] - box.w * 3 / 4;
        shift = shift > xs[nb] - box.w ? xs[nb] - box.w : shift;
        shift = shift < 0 ? 0 : shift;
    }
    int y = box.y + (box.h - line_h) / 2;
    SDL_Rect old;
    int clipped = SDL_RenderIsClipEnabled(c->r);
    SDL_RenderGetClipRect(c->r, &old);
    /* the frame's inside: descenders (j, g) reach below the value's line box */
    SDL_Rect clip = {box.x - ui_theme_px(t, 4), box.y - box.h / 3, box.w + ui_theme_px(t, 8),
                     box.h * 5 / 3};
    SDL_RenderSetClipRect(c->r, &clip);
    if (n)
        ui_text_draw(c->text, s, px, t->fg, box.x - shift, y + (line_h - px * 4 / 3) / 2, NULL,
                     NULL);
    int cw = px / 10 > 3 ? px / 10 : 3; /* a caret seen from arm's length */
    ui_draw_fill_rect(c->r, (SDL_Rect){box.x - shift + xs[caret] - cw / 2, y, cw, line_h},
                      t->accent);
    SDL_RenderSetClipRect(c->r, clipped ? &old : NULL);
    int targets = 0;
    for (int i = 0; i <= nb && targets < CARET_TARGETS; i++) {
        int x = box.x - shift + xs[i];
        if (x < box.x || x > box.x + box.w)
            continue;
        int l = i == 0 ? box.x - ui_theme_px(t, 20) : box.x - shift + (xs[i - 1] + xs[i]) / 2;
        int r =
            i == nb ? box.x + box.w + ui_theme_px(t, 20) : box.x - shift + (xs[i] + xs[i + 1]) / 2;
        l = l < box.x - ui_theme_px(t, 20) ? box.x - ui_theme_px(t, 20) : l;
        char id[UI_WIDGET_ID_MAX];
        snprintf(id, sizeof id, "caret_%zu", offs[i]);
        ui_widgets_add(c->ws, id, (SDL_Rect){l, box.y - box.h / 5, r - l, box.h * 7 / 5});
        targets++;
    }
}

/* editor_frame for the keyboards: the value with its caret. */
static SDL_Rect text_frame(ui_ctx *c, const ui_form_edit *e, SDL_Rect body)
{
    const ui_theme *t = c->t;
    SDL_Rect title = {body.x, body.y, body.w, ui_theme_size_px(t, UI_SIZE_EDIT_TITLE) * 4 / 3};
    ui_label_fit(c, field_label(c->s, e->field), title, ui_theme_size(t, UI_SIZE_EDIT_TITLE),
                 t->accent, UI_TEXT_LEFT);
    SDL_Rect box = {body.x, title.y + title.h + ui_theme_px(t, 12), body.w,
                    ui_theme_size_px(t, UI_SIZE_EDIT_VALUE) * 2};
    ui_draw_round_frame(c->r, box, ui_theme_px(t, 12), ui_theme_px(t, 3) + 1, t->accent, t->panel);
    SDL_Rect in = {box.x + ui_theme_px(t, 20), box.y + box.h / 5, box.w - ui_theme_px(t, 40),
                   box.h * 3 / 5};
    value_with_caret(c, e, in);
    int y = box.y + box.h + ui_theme_px(t, 16);
    return (SDL_Rect){body.x, y, body.w, body.y + body.h - y};
}

/* Done and cancel along the bottom of area; returns the area above them. with_done: 0 no
 * done button, 1 done, DONE_GREYED done shown but not yet possible (the editor says why). */
#define DONE_GREYED 2
static SDL_Rect done_cancel(ui_ctx *c, SDL_Rect area, int with_done)
{
    const ui_theme *t = c->t;
    int h = ui_theme_px(t, t->landscape ? 70 : 110), gap = ui_theme_px(t, 24);
    SDL_Rect row = {area.x, area.y + area.h - h, area.w, h};
    SDL_Rect cancel = {row.x, row.y, with_done ? (row.w - gap) / 3 : row.w, h};
    ui_button(c, "edit_cancel", cancel, kiosk_strings_get(c->s, "screen.edit_cancel"),
              ui_theme_size(t, UI_SIZE_BUTTON_SMALL), UI_BUTTON_SECONDARY);
    if (with_done) {
        SDL_Rect done = {cancel.x + cancel.w + gap, row.y, row.w - cancel.w - gap, h};
        ui_button(c, "edit_done", done, kiosk_strings_get(c->s, "screen.edit_done"),
                  ui_theme_size(t, UI_SIZE_BUTTON),
                  with_done == DONE_GREYED ? UI_BUTTON_DISABLED : UI_BUTTON_PRIMARY);
    }
    return (SDL_Rect){area.x, area.y, area.w, area.h - h - gap};
}

/* A grid of options, as many per page as fit at a comfortable size, with previous and
 * next when there are more. ids are prefix + code. */
static void option_grid(ui_ctx *c, SDL_Rect area, const char *prefix, const char *const *codes,
                        const char *const *names, const int *selected, size_t n, int page)
{
    const ui_theme *t = c->t;
    int cols = t->landscape ? 4 : 2, gap = ui_theme_px(t, 16);
    int row_h = ui_theme_text_target_px(t, t->landscape ? 80 : 120); /* they grow with the text */
    int nav_h = ui_theme_text_target_px(t, t->landscape ? 64 : 100);
    int rows = (area.h + gap) / (row_h + gap);
    int needed = (int)((n + (size_t)cols - 1) / (size_t)cols);
    if (needed > 0 && needed <= rows) {
        /* all on one page with room to spare: taller buttons, so long names (reasons
         * for leaving a job) stay large on their two lines */
        int roomy = (area.h + gap) / needed - gap;
        row_h = roomy < row_h * 3 / 2 ? roomy : row_h * 3 / 2;
        rows = needed;
    }
    if ((size_t)(rows * cols) < n) /* it pages: keep room for the page buttons */
        rows = (area.h - nav_h) / (row_h + gap);
    if (rows < 1)
        rows = 1;
    int per_page = rows * cols;
    int pages = (int)((n + (size_t)per_page - 1) / (size_t)per_page);
    if (page >= pages)
        page = pages > 0 ? pages - 1 : 0;
    int cw = (area.w - (cols - 1) * gap) / cols;
    for (int i = 0; i < per_page; i++) {
        size_t k = (size_t)page * (size_t)per_page + (size_t)i;
        if (k >= n)
            break;
        SDL_Rect b = {area.x + (i % cols) * (cw + gap), area.y + (i / cols) * (row_h + gap), cw,
                      row_h};
        char id[UI_WIDGET_ID_MAX];
        snprintf(id, sizeof id, "%s%s", prefix, codes[k]);
        ui_button(c, id, b, names[k], ui_theme_size(t, UI_SIZE_OPTION),
                  selected && selected[k] ? UI_BUTTON_SELECTED : UI_BUTTON_SECONDARY);
    }
    if (pages > 1) {
        int y = area.y + rows * (row_h + gap);
        int bw = area.w / 3;
        char where[32];
        snprintf(where, sizeof where, "%d / %d", page + 1, pages);
        ui_button(c, "list_prev", (SDL_Rect){area.x, y, bw, nav_h},
                  kiosk_strings_get(c->s, "screen.list_prev"),
                  ui_theme_size(t, UI_SIZE_BUTTON_COMPACT),
                  page > 0 ? UI_BUTTON_SECONDARY : UI_BUTTON_DISABLED);
        SDL_Rect mid = {area.x + bw, y + nav_h / 4, bw, nav_h / 2};
        /* "2 / 5" at the size of the buttons beside it */
        ui_label(c, where, mid, ui_theme_size(t, UI_SIZE_BUTTON_COMPACT), t->muted, UI_TEXT_CENTER);
        ui_button(c, "list_next", (SDL_Rect){area.x + 2 * bw, y, bw, nav_h},
                  kiosk_strings_get(c->s, "screen.list_next"),
                  ui_theme_size(t, UI_SIZE_BUTTON_COMPACT),
                  page + 1 < pages ? UI_BUTTON_SECONDARY : UI_BUTTON_DISABLED);
    }
}

static void draw_code_editor(ui_ctx *c, const ui_form_env *env, const ui_form_edit *e,
                             SDL_Rect body, int multi)
{
    SDL_Rect area = done_cancel(c, editor_frame(c, e, body, NULL), multi);
    const codes_entry *entries;
    size_t n = codes_choices(env->codes, table_of(e->field), &entries); /* common first */
    const char *codes[64], *names[64];
    int selected[64] = {0};
    if (n > 64)
        n = 64;
    const char *current = registration_get_text(env->rec, e->field);
    for (size_t i = 0; i < n; i++) {
        codes[i] = entries[i].code;
        names[i] = entries[i].name[env->lang];
        if (multi) {
            for (int k = 0; k < e->nchosen; k++)
                selected[i] |= strcmp(e->chosen[k], codes[i]) == 0;
        } else {
            selected[i] = current && strcmp(current, codes[i]) == 0;
        }
    }
    option_grid(c, area, "opt_", codes, names, selected, n, e->list_page);
}

static void draw_yesno(ui_ctx *c, const ui_form_env *env, const ui_form_edit *e, SDL_Rect body)
{
    SDL_Rect area = done_cancel(c, editor_frame(c, e, body, NULL), 0);
    static const char *const codes[] = {"yes", "no"};
    const char *names[] = {kiosk_strings_get(c->s, "screen.yes"),
                           kiosk_strings_get(c->s, "screen.no")};
    char raw[8];
    const char *current = registration_value(env->rec, e->field, ",", raw, sizeof raw);
    int selected[2] = {!strcmp(current, "yes"), !strcmp(current, "no")};
    option_grid(c, area, "opt_", codes, names, selected, 2, 0);
}

/* A month as a count of months (year * 12 + month - 1); a zero date (no clock): 2026-12. */
static int month_index(kiosk_date d)
{
    return d.year > 0 && d.month >= 1 && d.month <= 12 ? d.year * 12 + d.month - 1 : 2026 * 12 + 11;
}

/* "2026年9月" / "September 2026" for the month index k. */
static void year_month_text(const kiosk_strings *s, int k, char *out, size_t size)
{
    char key[32], year[16];
    snprintf(key, sizeof key, "screen.month_%d", k % 12 + 1); /* "9月", "September" */
    snprintf(year, sizeof year, "%d", k / 12);
    const char *names[] = {"year", "month"}, *values[] = {year, kiosk_strings_get(s, key)};
    kiosk_strings_fill(kiosk_strings_get(s, "screen.year_month"), names, values, 2, out, size);
}

/* "2026年11月2日" / "November 2, 2026" for the month index k and day. */
static void date_text(const kiosk_strings *s, int k, int day, char *out, size_t size)
{
    char key[32], year[16], d[8];
    snprintf(key, sizeof key, "screen.month_%d", k % 12 + 1);
    snprintf(year, sizeof year, "%d", k / 12);
    snprintf(d, sizeof d, "%d", day);
    const char *names[] = {"year", "month", "day"},
               *values[] = {year, kiosk_strings_get(s, key), d};
    kiosk_strings_fill(kiosk_strings_get(s, "screen.year_month_day"), names, values, 3, out, size);
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[(month - 1) % 12];
}

/* The day of an asked date, its month chosen: the month's days in a grid of seven, one
 * tap chooses and closes; "重选月份" goes back to the months. */
static void draw_days(ui_ctx *c, const ui_form_edit *e, SDL_Rect body)
{
    const ui_theme *t = c->t;
    char shown[64];
    year_month_text(c->s, e->year * 12 + e->month - 1, shown, sizeof shown);
    SDL_Rect area = done_cancel(c, editor_frame(c, e, body, shown), 0);
    int gap = ui_theme_px(t, 12), bh = ui_theme_text_target_px(t, t->landscape ? 60 : 90);
    ui_button(c, "day_back", (SDL_Rect){area.x, area.y, area.w / 2, bh},
              kiosk_strings_get(c->s, "screen.date_other_month"), ui_theme_size(t, UI_SIZE_OPTION),
              UI_BUTTON_SECONDARY);
    int top = area.y + bh + gap, n = days_in_month(e->year, e->month), cols = 7;
    int rows = (n + cols - 1) / cols;
    int cw = (area.w - (cols - 1) * gap) / cols, ch = (area.y + area.h - top - rows * gap) / rows;
    if (ch > bh * 3 / 2)
        ch = bh * 3 / 2;
    for (int i = 0; i < n; i++) {
        char id[16], label[16];
        snprintf(id, sizeof id, "day_%d", i + 1);
        snprintf(label, sizeof label, "%d", i + 1);
        SDL_Rect b = {area.x + (i % cols) * (cw + gap), top + (i / cols) * (ch + gap), cw, ch};
        ui_button(c, id, b, label, ui_theme_size(t, UI_SIZE_MONTH), UI_BUTTON_SECONDARY);
    }
}

/* The twelve months up to e->last_month, oldest first, each button with its year above
 * its month's name; "−" and "+" move a year at a time, never past this month. */
static void draw_month(ui_ctx *c, const ui_form_env *env, const ui_form_edit *e, SDL_Rect body)
{
    const ui_theme *t = c->t;
    char shown[64], first[48], last[48];
    if (e->month)
        year_month_text(c->s, e->year * 12 + e->month - 1, shown, sizeof shown);
    /* a date goes on to its day: no 完成 for its months */
    SDL_Rect area = done_cancel(c, editor_frame(c, e, body, e->month ? shown : NULL),
                                input_of(e->field) != REGISTRATION_INPUT_DATE);
    int gap = ui_theme_px(t, 16), bh = ui_theme_px(t, t->landscape ? 70 : 110);
    year_month_text(c->s, e->last_month - 11, first, sizeof first);
    year_month_text(c->s, e->last_month, last, sizeof last);
    char range[112];
    snprintf(range, sizeof range, "%s – %s", first, last);
    int bw = area.w / 5;
    int forward = date_forward(e->field);
    int later = !forward && e->last_month + 12 <= month_index(env->today);
    if (!forward) /* the months ahead are the twelve shown */
        ui_button(c, "year_minus", (SDL_Rect){area.x, area.y, bw, bh}, "−",
                  ui_theme_size(t, UI_SIZE_KEY_SYMBOL), UI_BUTTON_SECONDARY);
    int line = ui_theme_size_px(t, UI_SIZE_MONTH) * 4 / 3;
    SDL_Rect mid = {area.x + bw + gap, area.y + (bh - line) / 2, area.w - 2 * (bw + gap), line};
    if (forward && input_of(e->field) == REGISTRATION_INPUT_DATE) {
        /* the usual answer, one tap: today (可到岗日期 "从今天起") */
        int tw = (area.w - gap) / 2;
        ui_button(c, UI_ID_DATE_TODAY, (SDL_Rect){area.x, area.y, tw, bh},
                  kiosk_strings_get(c->s, "screen.date_today"), ui_theme_size(t, UI_SIZE_OPTION),
                  UI_BUTTON_PRIMARY);
        mid = (SDL_Rect){area.x + tw + gap, area.y + (bh - line) / 2, area.w - tw - gap, line};
    }
    ui_label_fit(c, range, mid, ui_theme_size(t, UI_SIZE_MONTH), t->fg, UI_TEXT_CENTER);
    if (later) /* never a month to come */
        ui_button(c, "year_plus", (SDL_Rect){area.x + area.w - bw, area.y, bw, bh}, "+",
                  ui_theme_size(t, UI_SIZE_KEY_SYMBOL), UI_BUTTON_SECONDARY);
    int cols = t->landscape ? 6 : 4, rows = 12 / cols;
    int top = area.y + bh + gap;
    int cw = (area.w - (cols - 1) * gap) / cols, ch = (area.y + area.h - top - rows * gap) / rows;
    if (ch > bh * 3 / 2)
        ch = bh * 3 / 2;
    int ypx = ui_theme_size(t, UI_SIZE_MONTH) * 2 / 3;
    for (int i = 0; i < 12; i++) {
        int k = e->last_month - 11 + i, m = k % 12 + 1;
        char id[16], key[32], year[16];
        snprintf(id, sizeof id, "month_%d", m);
        snprintf(key, sizeof key, "screen.month_%d", m);
        snprintf(year, sizeof year, "%d", k / 12);
        int chosen = e->month && e->year * 12 + e->month - 1 == k;
        SDL_Rect b = {area.x + (i % cols) * (cw + gap), top + (i / cols) * (ch + gap), cw, ch};
        /* the month's name a little below the middle, its year small above it */
        SDL_Rect b2 = ui_button(c, id, b, "", ui_theme_size(t, UI_SIZE_MONTH),
                                chosen ? UI_BUTTON_SELECTED : UI_BUTTON_SECONDARY);
        SDL_Color fg = chosen ? t->on_accent : t->fg;
        SDL_Rect yr = {b2.x, b2.y + b2.h / 10, b2.w, b2.h * 2 / 5};
        SDL_Rect mo = {b2.x, b2.y + b2.h * 2 / 5, b2.w, b2.h / 2};
        ui_label_fit(c, year, yr, ypx, fg, UI_TEXT_CENTER);
        ui_label_fit(c, kiosk_strings_get(c->s, key), mo, ui_theme_size(t, UI_SIZE_MONTH), fg,
                     UI_TEXT_CENTER);
    }
}

/* The detail field of the address a division field belongs to (and back). */
static registration_field detail_of(registration_field f)
{
    return f == REGISTRATION_HOUSEHOLD_DIVISION ? REGISTRATION_HOUSEHOLD_DETAIL
                                                : REGISTRATION_RESIDENCE_DETAIL;
}

/* "与户籍地址相同" is offered for the residence once the household address has a division. */
static int same_available(const ui_form_env *env, const ui_form_edit *e)
{
    return e->field == REGISTRATION_RESIDENCE_DIVISION && env->rec &&
           env->rec->household.division[0];
}

static void draw_division(ui_ctx *c, const ui_form_env *env, const ui_form_edit *e, SDL_Rect body)
{
    const ui_theme *t = c->t;
    char path[DIVISIONS_PATH_MAX] = "";
    if (e->division[0])
        divisions_path(env->divs, e->division, path, sizeof path);
    const char *const *kids;
    size_t n = divisions_children(env->divs, e->division[0] ? e->division : NULL, &kids);
    int level = e->division[0] ? divisions_level_of(env->divs, e->division) : 0;
    /* a county (or a street) is a complete answer: done becomes possible */
    int enough = level >= DIVISIONS_COUNTY;
    SDL_Rect area = done_cancel(c, editor_frame(c, e, body, path[0] ? path : NULL), enough);
    int nav_h = ui_theme_px(t, t->landscape ? 60 : 90);
    SDL_Rect hint = {area.x, area.y, area.w * 2 / 3, nav_h};
    const char *hint_key = n == 0                        ? "screen.division_done"
                           : level == 0                  ? "screen.division_province"
                           : level == DIVISIONS_PROVINCE ? "screen.division_city"
                           : level == DIVISIONS_CITY     ? "screen.division_county"
                           : level == DIVISIONS_COUNTY   ? "screen.division_street"
                                                         : "screen.division_community";
    ui_label_fit(c, kiosk_strings_get(c->s, hint_key), hint, ui_theme_size(t, UI_SIZE_HINT),
                 t->muted, UI_TEXT_LEFT);
    if (level > 0)
        ui_button(c, "div_up",
                  (SDL_Rect){area.x + area.w * 2 / 3, area.y, area.w / 3, nav_h * 9 / 10},
                  kiosk_strings_get(c->s, "screen.division_up"),
                  ui_theme_size(t, UI_SIZE_BUTTON_BAR), UI_BUTTON_SECONDARY);
    int top = area.y + nav_h + ui_theme_px(t, 12);
    /* the shortcuts: the residence as the household, and another region than the hall's */
    int same = same_available(env, e), other = level >= DIVISIONS_CITY;
    if (same || other) {
        int bh = ui_theme_text_target_px(t, t->landscape ? 64 : 100), gap = ui_theme_px(t, 16);
        int bw = same && other ? (area.w - gap) / 2 : area.w;
        if (same)
            ui_button(c, "div_same", (SDL_Rect){area.x, top, bw, bh},
                      kiosk_strings_get(c->s, "screen.division_same"),
                      ui_theme_size(t, UI_SIZE_OPTION), UI_BUTTON_PRIMARY);
        if (other)
            ui_button(c, "div_other", (SDL_Rect){area.x + area.w - bw, top, bw, bh},
                      kiosk_strings_get(c->s, "screen.division_other"),
                      ui_theme_size(t, UI_SIZE_OPTION), UI_BUTTON_SECONDARY);
        top += bh + ui_theme_px(t, 20);
    }
    SDL_Rect grid = {area.x, top, area.w, area.y + area.h - top};
    const char *names[512];
    if (n > 512)
        n = 512;
    for (size_t i = 0; i < n; i++) {
        names[i] = divisions_name(env->divs, kids[i]);
        if (!names[i])
            names[i] = kids[i];
    }
    option_grid(c, grid, "div_", kids, names, NULL, n, e->list_page);
}

/* Keys of the keyboards: letters, then digits and symbols. */
static const char *const kb_letters[3] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
static const char *const kb_symbols_text[3] = {"1234567890", "-#/()·", ""};
static const char *const kb_symbols_ascii[3] = {"1234567890", "@._-+", ""};

static void draw_keyboard(ui_ctx *c, const ui_form_env *env, const ui_form_edit *e, SDL_Rect area,
                          int ascii)
{
    const ui_theme *t = c->t;
    int gap = ui_theme_px(t, 10);
    /* the candidates grow with the text; the portable unit's keys have no height to spare */
    int cand_h = t->landscape ? ui_theme_target_px(t, 64) : ui_theme_text_target_px(t, 100);
    int key_h = (area.h - cand_h - 4 * gap) / 4;
    int max_h = ui_theme_text_target_px(t, t->landscape ? 70 : 120);
    if (key_h > max_h)
        key_h = max_h;
    int y = area.y + area.h - 4 * key_h - 3 * gap;
    /* candidates of the pinyin spelling, above the keys */
    struct ui_pinyin *py = ascii ? NULL : env->pinyin;
    const char *spelling = py ? ui_pinyin_spelling(py) : "";
    if (py && spelling[0]) {
        size_t count = ui_pinyin_candidate_count(py);
        int cy = y - cand_h - gap, cx = area.x;
        int sw = area.w / 6;
        /* the spelling inside the candidates' row, centred on it, as large as both its
         * width and the row's height allow: in large text it would run down into the keys */
        int spx = ui_theme_size_px(t, UI_SIZE_SPELLING), most = cand_h * 7 / 10, tw = 0, th = 0;
        if (spx > most)
            spx = most;
        ui_text_measure(c->text, spelling, spx, &tw, NULL);
        if (tw > sw - gap && tw > 0)
            spx = spx * (sw - gap) / tw;
        spx = spx < 12 ? 12 : spx;
        ui_text_measure(c->text, spelling, spx, NULL, &th);
        ui_text_draw(c->text, spelling, spx, t->muted, cx, cy + (cand_h - th) / 2, NULL, NULL);
        cx += sw;
        /* each candidate as wide as its text (a word of three characters is not drawn
         * smaller, nor on two lines); what is left over is shared out, and only a page
         * whose words cannot all fit makes them narrower */
        int nav = area.w / 12, room = area.w - sw - 2 * nav;
        char cands[CANDIDATES_PER_PAGE][64];
        int want[CANDIDATES_PER_PAGE], n = 0, total = 0;
        int cpx = ui_theme_size_px(t, UI_SIZE_CANDIDATE), pad = cand_h / 3;
        for (; n < CANDIDATES_PER_PAGE; n++) {
            size_t k = (size_t)e->cand_page * CANDIDATES_PER_PAGE + (size_t)n;
            if (k >= count || ui_pinyin_candidate(py, k, cands[n], sizeof cands[n]) != KIOSK_OK)
                break;
            int w = 0;
            ui_text_measure(c->text, cands[n], cpx, &w, NULL);
            want[n] = w + 2 * pad > cand_h ? w + 2 * pad : cand_h;
            total += want[n];
        }
        int spare = n ? (room - total) / n : 0;
        for (int i = 0, x = cx; i < n; i++) {
            int w = spare >= 0 ? want[i] + spare : want[i] * room / (total ? total : 1);
            char id[16];
            snprintf(id, sizeof id, "cand_%d", i);
            ui_button(c, id, (SDL_Rect){x, cy, w - gap, cand_h}, cands[i],
                      ui_theme_size(t, UI_SIZE_CANDIDATE),
                      i == 0 && e->cand_page == 0 ? UI_BUTTON_SELECTED : UI_BUTTON_SECONDARY);
            x += w;
        }
        explicit_bzero(cands, sizeof cands);
        int nx = area.x + area.w - 2 * nav;
        ui_button(c, "cand_prev", (SDL_Rect){nx, cy, nav - gap, cand_h}, "◀",
                  ui_theme_size(t, UI_SIZE_BUTTON_COMPACT),
                  e->cand_page > 0 ? UI_BUTTON_SECONDARY : UI_BUTTON_DISABLED);
        ui_button(c, "cand_next", (SDL_Rect){nx + nav, cy, nav - gap, cand_h}, "▶",
                  ui_theme_size(t, UI_SIZE_BUTTON_COMPACT),
                  (size_t)(e->cand_page + 1) * CANDIDATES_PER_PAGE < count ? UI_BUTTON_SECONDARY
                                                                           : UI_BUTTON_DISABLED);
    }
    const char *const *rows =
        e->symbols ? (ascii ? kb_symbols_ascii : kb_symbols_text) : kb_letters;
    int kw = (area.w - 9 * gap) / 10;
    for (int r = 0; r < 3; r++) {
        int n = (int)strlen(rows[r]);
        /* "·" is two bytes: count characters, not bytes */
        int chars = 0;
        for (int i = 0; i < n; i++)
            chars += ((unsigned char)rows[r][i] & 0xC0) != 0x80;
        int x = area.x + (area.w - chars * kw - (chars - 1) * gap) / 2;
        for (int i = 0; i < n;) {
            int len = 1;
            while (i + len < n && ((unsigned char)rows[r][i + len] & 0xC0) == 0x80)
                len++;
            char key[8], id[16];
            snprintf(key, sizeof key, "%.*s", len, rows[r] + i);
            snprintf(id, sizeof id, "kb_%s", key);
            ui_button(c, id, (SDL_Rect){x, y + r * (key_h + gap), kw, key_h}, key,
                      ui_theme_size(t, UI_SIZE_KEY), UI_BUTTON_KEY);
            x += kw + gap;
            i += len;
        }
    }
    int by = y + 3 * (key_h + gap);
    int w1 = area.w / 5, hand = !ascii && env->hand; /* 手写: back to the pad */
    ui_button(c, "kb_mode", (SDL_Rect){area.x, by, w1 - gap, key_h},
              kiosk_strings_get(c->s, e->symbols ? "screen.kb_letters" : "screen.kb_symbols"),
              ui_theme_size(t, UI_SIZE_BUTTON_COMPACT), UI_BUTTON_SECONDARY);
    if (hand)
        ui_button(c, UI_ID_KB_HAND, (SDL_Rect){area.x + w1, by, w1 - gap, key_h},
                  kiosk_strings_get(c->s, "screen.kb_hand"),
                  ui_theme_size(t, UI_SIZE_BUTTON_COMPACT), UI_BUTTON_SECONDARY);
    ui_button(c, "kb_space", (SDL_Rect){area.x + (1 + hand) * w1, by, (2 - hand) * w1 - gap, key_h},
              kiosk_strings_get(c->s, "screen.kb_space"), ui_theme_size(t, UI_SIZE_BUTTON_COMPACT),
              UI_BUTTON_KEY);
    ui_button(c, "kb_del", (SDL_Rect){area.x + 3 * w1, by, 2 * w1, key_h},
              kiosk_strings_get(c->s, "screen.pin_delete"),
              ui_theme_size(t, UI_SIZE_BUTTON_COMPACT), UI_BUTTON_SECONDARY);
}

/* The number pad: digits "kb_0" … "kb_9", "kb_-" (phone) or "kb_X" (document number) left
 * of 0, and "kb_del" right of it; a key types what its id says after "kb_". */
static void draw_keypad(ui_ctx *c, SDL_Rect area, registration_input kind)
{
    const char *extra = kind == REGISTRATION_INPUT_PHONE   ? "kb_-"
                        : kind == REGISTRATION_INPUT_IDNUM ? "kb_X"
                                                           : NULL;
    const ui_keypad_spec keys = {
        .digit_prefix = "kb_",
        /* landscape keys are short: a digit at the pad size would spill over its key */
        .digit_size = c->t->landscape ? UI_SIZE_KEY : UI_SIZE_PAD_DIGIT,
        .left = {extra, extra ? extra + 3 : NULL, UI_SIZE_KEY_SYMBOL, UI_BUTTON_KEY},
        .right = {"kb_del", kiosk_strings_get(c->s, "screen.pin_delete"), UI_SIZE_KEY_WORD,
                  UI_BUTTON_SECONDARY},
        .gap = 14,
        .width_pct = 75,
        .max_key_h = c->t->landscape ? 70 : 130,
    };
    ui_keypad_draw(c, area, &keys);
}

/* The mobile number: grouped as it is typed ("138 1234 5678"), a line under it saying
 * what is still wrong or missing, and 完成 greyed until the number is whole and valid. */
static void draw_mobile(ui_ctx *c, const ui_form_edit *e, SDL_Rect body)
{
    const ui_theme *t = c->t;
    char grouped[48];
    registration_mobile_group(e->text, grouped, sizeof grouped);
    int missing = 0;
    registration_mobile_state st = registration_mobile_check(e->text, &missing);
    SDL_Rect area = done_cancel(c, editor_frame(c, e, body, grouped),
                                st == REGISTRATION_MOBILE_OK ? 1 : DONE_GREYED);
    static const char *const keys[] = {
        [REGISTRATION_MOBILE_OK] = "screen.mobile_ok",
        [REGISTRATION_MOBILE_EMPTY] = "screen.mobile_empty",
        [REGISTRATION_MOBILE_SHORT] = "screen.mobile_short",
        [REGISTRATION_MOBILE_FIRST] = "screen.mobile_first",
        [REGISTRATION_MOBILE_SECOND] = "screen.mobile_second",
        [REGISTRATION_MOBILE_LONG] = "screen.mobile_long",
        [REGISTRATION_MOBILE_NOT_DIGITS] = "screen.mobile_first",
    };
    char line[160], n[8];
    snprintf(n, sizeof n, "%d", missing);
    const char *names[] = {"n"}, *values[] = {n};
    kiosk_strings_fill(kiosk_strings_get(c->s, keys[st]), names, values, 1, line, sizeof line);
    int bad = st == REGISTRATION_MOBILE_FIRST || st == REGISTRATION_MOBILE_SECOND ||
              st == REGISTRATION_MOBILE_LONG || st == REGISTRATION_MOBILE_NOT_DIGITS;
    if (t->landscape) {
        /* no height to spare above the keys: the line goes in the right half of the
         * number's box (a whole number takes less than the left half) */
        int box_y = body.y + ui_theme_size_px(t, UI_SIZE_EDIT_TITLE) * 4 / 3 + ui_theme_px(t, 12);
        int box_h = ui_theme_size_px(t, UI_SIZE_EDIT_VALUE) * 2;
        SDL_Rect msg = {body.x + body.w / 2, box_y + box_h / 5, body.w / 2 - ui_theme_px(t, 20),
                        box_h * 3 / 5};
        ui_label_fit(c, line, msg, ui_theme_size(t, UI_SIZE_HINT), bad ? t->error : t->muted,
                     UI_TEXT_LEFT);
        draw_keypad(c, area, REGISTRATION_INPUT_DIGITS);
        return;
    }
    int lh = ui_theme_size_px(t, UI_SIZE_HINT) * 3 / 2;
    SDL_Rect msg = {area.x, area.y, area.w, lh};
    ui_label_fit(c, line, msg, ui_theme_size(t, UI_SIZE_HINT), bad ? t->error : t->muted,
                 UI_TEXT_LEFT);
    int gap = ui_theme_px(t, 12);
    draw_keypad(c, (SDL_Rect){area.x, area.y + lh + gap, area.w, area.h - lh - gap},
                REGISTRATION_INPUT_DIGITS);
}

static void draw_editor(ui_ctx *c, const ui_form_env *env, const ui_form_edit *e, SDL_Rect body)
{
    registration_input kind = input_of(e->field);
    switch (kind) {
    case REGISTRATION_INPUT_CODE:
        draw_code_editor(c, env, e, body, 0);
        return;
    case REGISTRATION_INPUT_MULTI:
        draw_code_editor(c, env, e, body, 1);
        return;
    case REGISTRATION_INPUT_YESNO:
        draw_yesno(c, env, e, body);
        return;
    case REGISTRATION_INPUT_MONTH:
        draw_month(c, env, e, body);
        return;
    case REGISTRATION_INPUT_DATE: /* asked: its month, then its day */
        if (e->day_stage)
            draw_days(c, e, body);
        else
            draw_month(c, env, e, body);
        return;
    case REGISTRATION_INPUT_DIVISION:
        draw_division(c, env, e, body);
        return;
    case REGISTRATION_INPUT_DIGITS:
    case REGISTRATION_INPUT_PHONE:
    case REGISTRATION_INPUT_IDNUM:
        if (e->field == REGISTRATION_MOBILE) {
            draw_mobile(c, e, body);
            return;
        }
        draw_keypad(c, done_cancel(c, editor_frame(c, e, body, e->text), 1), kind);
        return;
    case REGISTRATION_INPUT_TEXT:
        if (env->hand && !e->pinyin) {
            ui_handpad_draw(c, env->hand, done_cancel(c, text_frame(c, e, body), 1));
            return;
        }
        __attribute__((fallthrough)); /* the pinyin keyboard */
    case REGISTRATION_INPUT_ASCII:
        draw_keyboard(c, env, e, done_cancel(c, text_frame(c, e, body), 1),
                      kind == REGISTRATION_INPUT_ASCII);
        return;
    }
}

void ui_form_draw(ui_ctx *c, const ui_form_env *env, const flow_view *v, const ui_form_edit *e,
                  ui_form_scroll *scroll, SDL_Rect body)
{
    if (e->active)
        draw_editor(c, env, e, body);
    else
        draw_page(c, env, v, scroll, body);
}

/* ---- taps -------------------------------------------------------------------------- */

static void open_editor(const ui_form_env *env, ui_form_edit *e, registration_field f)
{
    ui_form_edit_wipe(e);
    e->active = 1;
    e->field = f;
    char raw[UI_FORM_TEXT_MAX];
    const char *v = registration_value(env->rec, f, ",", raw, sizeof raw);
    switch (input_of(f)) {
    case REGISTRATION_INPUT_DATE: {
        /* the months first (back, or ahead for 可到岗日期), then the day */
        int now = month_index(env->today), d;
        e->last_month = now + (date_forward(f) ? 11 : 0);
        if (!v || sscanf(v, "%4d-%2d-%2d", &e->year, &e->month, &d) != 3 || e->month < 1 ||
            e->month > 12)
            e->year = e->month = 0;
        break;
    }
    case REGISTRATION_INPUT_MONTH: {
        /* the twelve months up to this one, where most answers lie; a value given
         * earlier is brought into view a year at a time */
        int now = month_index(env->today);
        e->last_month = now;
        if (!v || sscanf(v, "%4d-%2d", &e->year, &e->month) != 2 || e->month < 1 || e->month > 12) {
            e->year = 0;
            e->month = 0;
        } else {
            while (e->last_month - 11 > e->year * 12 + e->month - 1 && e->last_month > 12 * 1950)
                e->last_month -= 12;
        }
        break;
    }
    case REGISTRATION_INPUT_DIVISION:
        /* start at the hall's own district, where most citizens live (the stored value
         * shows on the page); "其他地区" goes to the provinces */
        if (env->home && env->home[0] && env->divs && divisions_name(env->divs, env->home))
            snprintf(e->division, sizeof e->division, "%s", env->home);
        /* the area of work is a district: the hall's city, its districts to choose from */
        if (f == REGISTRATION_JOB_AREA && strlen(e->division) > 4)
            e->division[4] = '\0';
        break;
    case REGISTRATION_INPUT_MULTI: {
        char buf[128];
        snprintf(buf, sizeof buf, "%s", v ? v : "");
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && e->nchosen < 8;
             tok = strtok_r(NULL, ",", &save))
            snprintf(e->chosen[e->nchosen++], sizeof e->chosen[0], "%s", tok);
        break;
    }
    default:
        snprintf(e->text, sizeof e->text, "%s", v ? v : "");
        /* an address's detail is mostly a house number: the digits come first */
        if (f == REGISTRATION_HOUSEHOLD_DETAIL || f == REGISTRATION_RESIDENCE_DETAIL)
            e->symbols = 1;
        break;
    }
    explicit_bzero(raw, sizeof raw);
    if (env->pinyin)
        ui_pinyin_reset(env->pinyin);
    ui_handwriting_clear(env->hand);
}

static void close_editor(const ui_form_env *env, ui_form_edit *e)
{
    if (env->pinyin)
        ui_pinyin_reset(env->pinyin);
    ui_handwriting_clear(env->hand);
    ui_form_edit_wipe(e);
}

int ui_form_open_next(const ui_form_env *env, ui_form_edit *e, registration_field field)
{
    if (e->active)
        return 0;
    size_t n;
    const registration_field_info *schema = registration_type_schema(env->rec->type, &n);
    if (!schema)
        return 0;
    size_t at = 0;
    while (at < n && schema[at].field != field)
        at++;
    if (at == n)
        return 0;
    /* what the rules ask for now: a disability grade after a 6x health, the words of
     * 其他 after that reason */
    registration_issue issues[REGISTRATION_FIELD_COUNT];
    size_t nissues = 0;
    if (env->codes && env->divs &&
        registration_validate(env->rec, env->codes, env->divs, env->today, issues,
                              REGISTRATION_FIELD_COUNT, &nissues) == KIOSK_RANGE)
        nissues = 0;
    if (nissues > REGISTRATION_FIELD_COUNT)
        nissues = REGISTRATION_FIELD_COUNT;
    for (size_t i = at + 1; i < n && schema[i].section == schema[at].section; i++) {
        const registration_field_info *fi = &schema[i];
        char raw[UI_FORM_TEXT_MAX];
        int needed = fi->required;
        for (size_t k = 0; k < nissues && !needed; k++)
            needed = issues[k].field == fi->field && issues[k].error == REGISTRATION_ERR_REQUIRED;
        if (!needed || !fi->on_form || fi->field == REGISTRATION_BIRTH_DATE ||
            registration_is_locked(env->rec, fi->field))
            continue;
        int empty = !*registration_value(env->rec, fi->field, ",", raw, sizeof raw);
        explicit_bzero(raw, sizeof raw);
        if (empty) {
            open_editor(env, e, fi->field);
            return 1;
        }
    }
    return 0;
}

static void take(ui_form_edit *e, ui_form_action *out, const char *text)
{
    out->set = 1;
    out->field = e->field;
    snprintf(out->text, sizeof out->text, "%s", text);
}

/* Insert s at the caret; the caret moves past it. */
static void append(ui_form_edit *e, const char *s)
{
    size_t n = strlen(e->text), k = strlen(s), at = e->after <= n ? n - e->after : 0;
    if (n + k >= sizeof e->text)
        return;
    memmove(e->text + at + k, e->text + at, n - at + 1);
    memcpy(e->text + at, s, k);
}

/* Bytes of the character that starts at s[i] … or ends before s[i]. */
static size_t char_after(const char *s, size_t i)
{
    size_t len = s[i] ? 1 : 0;
    while (s[i + len] && ((unsigned char)s[i + len] & 0xC0) == 0x80)
        len++;
    return len;
}

static size_t char_before(const char *s, size_t i)
{
    size_t len = i > 0 ? 1 : 0;
    while (len < i && ((unsigned char)s[i - len] & 0xC0) == 0x80)
        len++;
    return len;
}

/* Delete the character before the caret. */
static void backspace(ui_form_edit *e)
{
    size_t n = strlen(e->text), at = e->after <= n ? n - e->after : 0;
    size_t len = char_before(e->text, at);
    memmove(e->text + at - len, e->text + at, n - at + 1);
    explicit_bzero(e->text + n - len, len);
}

/* ◀ ▶ and a tap in the value: the caret's moves. Returns 1 for those ids. */
static int caret_tap(ui_form_edit *e, const char *id)
{
    size_t n = strlen(e->text), at = e->after <= n ? n - e->after : 0;
    if (!strcmp(id, UI_ID_CARET_LEFT))
        e->after += char_before(e->text, at);
    else if (!strcmp(id, UI_ID_CARET_RIGHT))
        e->after -= char_after(e->text, at);
    else if (!strncmp(id, "caret_", 6)) {
        char *end;
        unsigned long k = strtoul(id + 6, &end, 10);
        /* only between characters, never inside one */
        if (!*end && end != id + 6 && k <= n && ((unsigned char)e->text[k] & 0xC0) != 0x80)
            e->after = n - k;
    } else
        return 0;
    return 1;
}

static int keyboard_tap(const ui_form_env *env, ui_form_edit *e, const char *id)
{
    registration_input kind = input_of(e->field);
    struct ui_pinyin *py = kind == REGISTRATION_INPUT_TEXT ? env->pinyin : NULL;
    if (caret_tap(e, id))
        return 1;
    if (kind == REGISTRATION_INPUT_TEXT && env->hand) {
        /* handwriting and pinyin: one tap from each other */
        if (!strcmp(id, UI_ID_KB_PINYIN) || !strcmp(id, UI_ID_KB_HAND)) {
            e->pinyin = !strcmp(id, UI_ID_KB_PINYIN);
            e->symbols = 0;
            e->cand_page = 0;
            ui_handwriting_clear(env->hand);
            if (py)
                ui_pinyin_reset(py);
            return 1;
        }
        char chosen[UI_HANDWRITING_CANDIDATE_BYTES];
        int used = e->pinyin ? 0 : ui_handpad_tap(env->hand, id, chosen, sizeof chosen);
        if (used == 1)
            append(e, chosen);
        if (used)
            return 1;
    }
    if (!strcmp(id, "kb_mode")) {
        e->symbols = !e->symbols;
        return 1;
    }
    if (!strcmp(id, "kb_del")) {
        if (py && ui_pinyin_spelling(py)[0])
            ui_pinyin_backspace(py);
        else
            backspace(e);
        e->cand_page = 0;
        return 1;
    }
    if (!strcmp(id, "kb_space")) {
        if (py && ui_pinyin_spelling(py)[0]) {
            /* space takes the first candidate, as on a phone */
            char out[64];
            int done = 0;
            if (ui_pinyin_choose(py, 0, out, sizeof out, &done) == KIOSK_OK)
                append(e, out);
        } else {
            append(e, " ");
        }
        e->cand_page = 0;
        return 1;
    }
    if (!strncmp(id, "cand_", 5) && py) {
        if (!strcmp(id + 5, "prev")) {
            e->cand_page -= e->cand_page > 0;
        } else if (!strcmp(id + 5, "next")) {
            e->cand_page++;
        } else {
            char out[64];
            int done = 0;
            size_t k = (size_t)e->cand_page * CANDIDATES_PER_PAGE + (size_t)atoi(id + 5);
            if (ui_pinyin_choose(py, k, out, sizeof out, &done) == KIOSK_OK)
                append(e, out);
            e->cand_page = 0;
        }
        return 1;
    }
    if (!strncmp(id, "kb_", 3) && id[3]) {
        const char *key = id + 3;
        if (py && !e->symbols && key[0] >= 'a' && key[0] <= 'z' && !key[1]) {
            if (ui_pinyin_type(py, key[0]) != KIOSK_OK)
                kiosk_log_debug("ui", "the pinyin spelling is full");
            e->cand_page = 0;
        } else {
            append(e, key);
        }
        return 1;
    }
    return 0;
}

int ui_form_tap(const ui_form_env *env, ui_form_edit *e, const char *id, ui_form_action *out)
{
    memset(out, 0, sizeof *out);
    if (!e->active) {
        if (strncmp(id, "field_", 6) != 0)
            return 0;
        for (int f = 0; f < REGISTRATION_FIELD_COUNT; f++)
            if (!strcmp(id + 6, registration_field_key((registration_field)f)) &&
                !registration_is_locked(env->rec, (registration_field)f)) {
                open_editor(env, e, (registration_field)f);
                return 1;
            }
        return 0;
    }
    registration_input kind = input_of(e->field);
    if (!strcmp(id, "edit_cancel")) {
        close_editor(env, e);
        return 1;
    }
    if (!strcmp(id, "list_prev")) {
        e->list_page -= e->list_page > 0;
        return 1;
    }
    if (!strcmp(id, "list_next")) {
        e->list_page++;
        return 1;
    }
    if (!strcmp(id, "edit_done")) {
        char text[UI_FORM_TEXT_MAX];
        if (e->field == REGISTRATION_MOBILE &&
            registration_mobile_check(e->text, NULL) != REGISTRATION_MOBILE_OK)
            return 1; /* 完成 is greyed: the line above it says why */
        if (kind == REGISTRATION_INPUT_DIVISION && e->division[0] &&
            e->field != REGISTRATION_JOB_AREA) {
            /* a division is chosen: on to its detail, the next thing the citizen gives */
            registration_field detail = detail_of(e->field);
            take(e, out, e->division);
            open_editor(env, e, detail);
            return 1;
        }
        if (kind == REGISTRATION_INPUT_DATE)
            return 1; /* a date is chosen by its day */
        if (kind == REGISTRATION_INPUT_MONTH) {
            if (!e->month)
                return 1;
            snprintf(text, sizeof text, "%04d-%02d", e->year, e->month);
        } else if (kind == REGISTRATION_INPUT_DIVISION) {
            snprintf(text, sizeof text, "%s", e->division);
        } else if (kind == REGISTRATION_INPUT_MULTI) {
            size_t used = 0;
            text[0] = '\0';
            for (int i = 0; i < e->nchosen; i++)
                used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", i ? "," : "",
                                         e->chosen[i]);
        } else {
            if (env->pinyin && ui_pinyin_spelling(env->pinyin)[0]) {
                char first[64];
                int done = 0;
                if (ui_pinyin_choose(env->pinyin, 0, first, sizeof first, &done) == KIOSK_OK)
                    append(e, first);
            }
            /* a character written and not chosen: the best guess, shown first */
            if (env->hand && ui_handwriting_candidate_count(env->hand) > 0)
                append(e, ui_handwriting_candidate(env->hand, 0));
            snprintf(text, sizeof text, "%s", e->text);
        }
        take(e, out, text);
        close_editor(env, e);
        return 1;
    }
    switch (kind) {
    case REGISTRATION_INPUT_CODE:
    case REGISTRATION_INPUT_YESNO:
        if (!strncmp(id, "opt_", 4)) {
            take(e, out, id + 4);
            close_editor(env, e);
        }
        return 1;
    case REGISTRATION_INPUT_MULTI:
        if (!strncmp(id, "opt_", 4)) {
            int found = -1;
            for (int i = 0; i < e->nchosen; i++)
                if (!strcmp(e->chosen[i], id + 4))
                    found = i;
            if (found >= 0) {
                memmove(e->chosen[found], e->chosen[found + 1],
                        (size_t)(e->nchosen - found - 1) * sizeof e->chosen[0]);
                e->nchosen--;
            } else if (e->nchosen < (e->field == REGISTRATION_JOB_CATEGORIES
                                         ? REGISTRATION_JOB_CATEGORIES_MAX
                                         : 8)) {
                snprintf(e->chosen[e->nchosen++], sizeof e->chosen[0], "%s", id + 4);
            }
        }
        return 1;
    case REGISTRATION_INPUT_MONTH:
        if (!strcmp(id, "year_minus") && e->last_month - 12 >= 1950 * 12 + 11)
            e->last_month -= 12;
        else if (!strcmp(id, "year_plus") && e->last_month + 12 <= month_index(env->today))
            e->last_month += 12;
        else if (!strncmp(id, "month_", 6)) {
            /* the month of that name among the twelve shown: chosen, and the editor
             * closes (one tap, as a list's option) */
            int m = atoi(id + 6);
            if (m < 1 || m > 12)
                return 1;
            int k = e->last_month - ((e->last_month % 12) - (m - 1) + 12) % 12;
            char text[16];
            snprintf(text, sizeof text, "%04d-%02d", k / 12, k % 12 + 1);
            take(e, out, text);
            close_editor(env, e);
        }
        return 1;
    case REGISTRATION_INPUT_DATE:
        if (!strcmp(id, "day_back")) {
            e->day_stage = 0;
        } else if (!e->day_stage && !date_forward(e->field) && !strcmp(id, "year_minus") &&
                   e->last_month - 12 >= 1950 * 12 + 11) {
            e->last_month -= 12;
        } else if (!e->day_stage && !date_forward(e->field) && !strcmp(id, "year_plus") &&
                   e->last_month + 12 <= month_index(env->today)) {
            e->last_month += 12;
        } else if (!e->day_stage && date_forward(e->field) && !strcmp(id, UI_ID_DATE_TODAY)) {
            char text[40];
            snprintf(text, sizeof text, "%04d-%02d-%02d", env->today.year, env->today.month,
                     env->today.day);
            take(e, out, text);
            close_editor(env, e);
        } else if (!e->day_stage && !strncmp(id, "month_", 6)) {
            int m = atoi(id + 6);
            if (m < 1 || m > 12)
                return 1;
            int k = e->last_month - ((e->last_month % 12) - (m - 1) + 12) % 12;
            e->year = k / 12;
            e->month = k % 12 + 1;
            e->day_stage = 1;
        } else if (e->day_stage && !strncmp(id, "day_", 4)) {
            int d = atoi(id + 4);
            if (d < 1 || d > days_in_month(e->year, e->month))
                return 1;
            char text[40];
            snprintf(text, sizeof text, "%04d-%02d-%02d", e->year, e->month, d);
            take(e, out, text);
            close_editor(env, e);
        }
        return 1;
    case REGISTRATION_INPUT_DIVISION:
        if (!strncmp(id, "div_", 4) && id[4] >= '0' && id[4] <= '9') { /* a code */
            snprintf(e->division, sizeof e->division, "%s", id + 4);
            e->list_page = 0;
            if (e->field == REGISTRATION_JOB_AREA && strlen(e->division) >= 6) {
                take(e, out, e->division); /* a district is the answer */
                close_editor(env, e);
                return 1;
            }
            const char *const *kids;
            /* a street or community with nothing below it is the answer: on to the detail */
            if (divisions_children(env->divs, e->division, &kids) == 0) {
                registration_field detail = detail_of(e->field);
                take(e, out, e->division);
                open_editor(env, e, detail);
            }
        } else if (!strcmp(id, "div_up")) {
            /* codes nest by prefix: community 12, street 9 digits, county 6, city 4,
             * province 2 */
            size_t len = strlen(e->division);
            e->division[len == 12 ? 9 : len == 9 ? 6 : len == 6 ? 4 : len == 4 ? 2 : 0] = '\0';
            e->list_page = 0;
        } else if (!strcmp(id, "div_other")) {
            e->division[0] = '\0';
            e->list_page = 0;
        } else if (!strcmp(id, "div_same") && same_available(env, e)) {
            take(e, out, env->rec->household.division);
            out->set2 = 1;
            out->field2 = REGISTRATION_RESIDENCE_DETAIL;
            /* the detail's cap is a byte above the action's text; a whole detail of 100
             * four-byte characters is the only one cut */
            size_t n = strnlen(env->rec->household.detail, sizeof out->text2 - 1);
            memcpy(out->text2, env->rec->household.detail, n);
            out->text2[n] = '\0';
            close_editor(env, e);
        }
        return 1;
    case REGISTRATION_INPUT_DIGITS:
    case REGISTRATION_INPUT_PHONE:
    case REGISTRATION_INPUT_IDNUM:
        if (!strcmp(id, "kb_del"))
            backspace(e);
        else if (!strncmp(id, "kb_", 3) &&
                 strlen(e->text) < (e->field == REGISTRATION_MOBILE ? 11u : 32u))
            append(e, id + 3);
        return 1;
    default:
        return keyboard_tap(env, e, id);
    }
}
