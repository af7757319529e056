/*
 * The services screen and 我的办理记录. Tiles are buttons drawn without a label, with an
 * icon (SDL geometry, the ui_icon style: no image files) and two lines over them; a tile
 * whose service is not on this kiosk is drawn muted and says so, never hidden. The
 * records list is what the session's view holds (session_view.records): nothing here is
 * kept between frames.
 */
#include "ui/ui_services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/ui_draw.h"

static const char *S(const ui_ctx *c, const char *key)
{
    return kiosk_strings_get(c->s, key);
}

/* A stroke from (x0, y0) to (x1, y1), w pixels wide: two triangles. */
static void line(SDL_Renderer *r, float x0, float y0, float x1, float y1, float w, SDL_Color col)
{
    float dx = x1 - x0, dy = y1 - y0, len = SDL_sqrtf(dx * dx + dy * dy);
    if (len <= 0)
        return;
    float nx = -dy / len * w / 2, ny = dx / len * w / 2;
    SDL_FPoint a = {x0 + nx, y0 + ny}, b = {x1 + nx, y1 + ny}, c = {x1 - nx, y1 - ny},
               d = {x0 - nx, y0 - ny};
    ui_draw_fill_triangle(r, a, b, c, col);
    ui_draw_fill_triangle(r, a, c, d, col);
}

/* A sheet of paper with ruled lines in box (the form; the records under the lens). */
static void sheet(SDL_Renderer *r, SDL_Rect b, int lines, SDL_Color fg, SDL_Color ground)
{
    int w = b.w * 62 / 100, h = b.h * 80 / 100, x = b.x + (b.w - w) / 2, y = b.y + (b.h - h) / 2;
    int t = b.w / 18 + 1;
    ui_draw_round_frame(r, (SDL_Rect){x, y, w, h}, b.w / 12, t, fg, ground);
    for (int i = 0; i < lines; i++)
        ui_draw_fill_rect(r,
                          (SDL_Rect){x + w / 5, y + h * (i + 1) / (lines + 1) - t / 2,
                                     i == lines - 1 ? w * 2 / 5 : w * 3 / 5, t},
                          fg);
}

/* The icon of a service's tile in box (a square), in fg on ground. */
static void service_icon(SDL_Renderer *r, flow_service svc, SDL_Rect b, SDL_Color fg,
                         SDL_Color ground)
{
    int t = b.w / 14 + 1, cx = b.x + b.w / 2;
    switch (svc) {
    case FLOW_SERVICE_REGISTER: /* the form, with a pen across its corner */
        sheet(r, b, 3, fg, ground);
        line(r, (float)(b.x + b.w * 0.55f), (float)(b.y + b.h * 0.85f), (float)(b.x + b.w * 0.92f),
             (float)(b.y + b.h * 0.42f), (float)t * 1.6f, fg);
        break;
    case FLOW_SERVICE_RECORDS: { /* the records, under a magnifying glass */
        sheet(r, (SDL_Rect){b.x - b.w / 8, b.y, b.w, b.h}, 3, fg, ground);
        int lr = b.w / 5, lx = b.x + b.w * 62 / 100, ly = b.y + b.h * 55 / 100;
        ui_draw_fill_circle(r, lx, ly, lr + t, fg);
        ui_draw_fill_circle(r, lx, ly, lr - t / 2, ground);
        line(r, (float)lx + lr * 0.7f, (float)ly + lr * 0.7f, (float)(b.x + b.w * 0.95f),
             (float)(b.y + b.h * 0.95f), (float)t * 1.8f, fg);
        break;
    }
    case FLOW_SERVICE_REPORT: { /* a briefcase: work found */
        int w = b.w * 80 / 100, h = b.h * 55 / 100, x = b.x + (b.w - w) / 2,
            y = b.y + b.h * 32 / 100;
        ui_draw_round_frame(r, (SDL_Rect){cx - w / 5, y - b.h / 7, w * 2 / 5, b.h / 7 + t}, t, t,
                            fg, ground);
        ui_draw_fill_round_rect(r, (SDL_Rect){x, y, w, h}, b.w / 12, fg);
        ui_draw_fill_rect(r, (SDL_Rect){x, y + h * 2 / 5, w, t}, ground);
        ui_draw_fill_rect(r, (SDL_Rect){cx - t * 3 / 2, y + h * 2 / 5 - t, t * 3, t * 3}, ground);
        break;
    }
    case FLOW_SERVICE_JOBSEEKER: { /* a person: the one looking for work */
        int hr = b.w * 17 / 100;
        ui_draw_fill_circle(r, cx, b.y + b.h * 30 / 100, hr, fg);
        int br = b.w * 34 / 100, top = b.y + b.h * 52 / 100;
        ui_draw_fill_round_rect(r, (SDL_Rect){cx - br, top, 2 * br, b.y + b.h * 95 / 100 - top},
                                br * 3 / 4, fg);
        break;
    }
    case FLOW_SERVICE_POLICIES: { /* a public building: the agencies and their rules */
        int w = b.w * 84 / 100, x = b.x + (b.w - w) / 2, top = b.y + b.h * 10 / 100;
        int roof = b.h * 26 / 100, base = b.y + b.h * 88 / 100;
        ui_draw_fill_triangle(r, (SDL_FPoint){(float)cx, (float)top},
                              (SDL_FPoint){(float)(x + w), (float)(top + roof)},
                              (SDL_FPoint){(float)x, (float)(top + roof)}, fg);
        int col_w = w / 9, ctop = top + roof + t;
        for (int i = 0; i < 4; i++)
            ui_draw_fill_rect(
                r,
                (SDL_Rect){x + col_w / 2 + i * (w - col_w * 2) / 3, ctop, col_w, base - ctop - t},
                fg);
        ui_draw_fill_rect(r, (SDL_Rect){x, base - t, w, t * 2}, fg);
        break;
    }
    case FLOW_SERVICE_COUNT:
        break;
    }
}

/* unavailable: the service needs the card's holder record, which this card did not give
 * (view.id_keyed): the tile stays, its name greyed, its second line saying why. */
static void tile(ui_ctx *c, flow_service svc, SDL_Rect box, bool unavailable)
{
    const ui_theme *t = c->t;
    const char *name = flow_service_name(svc);
    char id[UI_WIDGET_ID_MAX], key[64], sub[64];
    snprintf(id, sizeof id, UI_ID_SERVICE_PREFIX "%s", name);
    snprintf(key, sizeof key, "services.%s", name);
    snprintf(sub, sizeof sub, unavailable ? "services.keyed_sub" : "services.%s_sub", name);
    ui_button_kind kind = svc == FLOW_SERVICE_REGISTER ? UI_BUTTON_PRIMARY : UI_BUTTON_SECONDARY;
    /* still a button: a tap says why at length under the tiles */
    box = ui_button(c, id, box, "", ui_theme_size(t, UI_SIZE_BUTTON), kind);
    SDL_Color fg = kind == UI_BUTTON_PRIMARY ? t->on_accent : unavailable ? t->muted : t->accent;
    SDL_Color ground = kind == UI_BUTTON_PRIMARY ? t->accent : t->panel;
    SDL_Color second = kind == UI_BUTTON_PRIMARY ? t->on_accent : t->fg;
    int pad = ui_theme_px(t, 20);
    int d = box.h - 2 * pad;
    if (d > box.w / 4)
        d = box.w / 4;
    service_icon(c->r, svc, (SDL_Rect){box.x + pad, box.y + (box.h - d) / 2, d, d}, fg, ground);
    int tx = box.x + 2 * pad + d, tw = box.x + box.w - pad - tx;
    int npx = ui_theme_size(t, UI_SIZE_BUTTON_MAIN), spx = ui_theme_size(t, UI_SIZE_HINT);
    int nh = 0, sh = 0;
    ui_text_measure(c->text, S(c, key), ui_theme_font_px(t, npx), NULL, &nh);
    const char *subtext = S(c, sub);
    ui_text_measure(c->text, subtext, ui_theme_font_px(t, spx), NULL, &sh);
    int room = box.h - 2 * pad / 2, gap = ui_theme_px(t, 6);
    if (nh + gap + sh > room) { /* large text on a short tile: both lines shrink */
        npx = npx * room / (nh + gap + sh);
        spx = spx * room / (nh + gap + sh);
        nh = nh * room / (nh + gap + sh);
        sh = room - nh - gap;
    }
    int y = box.y + (box.h - nh - gap - sh) / 2;
    ui_label_fit(c, S(c, key), (SDL_Rect){tx, y, tw, nh}, npx, fg, UI_TEXT_LEFT);
    ui_label_fit(c, subtext, (SDL_Rect){tx, y + nh + gap, tw, sh}, spx, second, UI_TEXT_LEFT);
}

static int text_h(ui_ctx *c, const char *text, int px, int w);

static void services_screen(ui_ctx *c, const ui_journey_frame *f, const flow_view *v)
{
    const ui_theme *t = c->t;
    ui_journey_header(c, f, v, 1);
    ui_journey_title(c, f, S(c, "services.title"));
    SDL_Rect body = f->body;
    int gap = ui_theme_px(t, f->landscape ? 16 : 20);
    SDL_Rect slots[FLOW_SERVICE_COUNT + 1];
    if (f->landscape) { /* two columns of three: the sixth place holds the note */
        int w = (body.w - gap) / 2, h = (body.h - 2 * gap) / 3;
        for (int i = 0; i <= FLOW_SERVICE_COUNT; i++)
            slots[i] = (SDL_Rect){body.x + (i % 2) * (w + gap), body.y + (i / 2) * (h + gap), w, h};
    } else { /* one tile a row, the note under them */
        int note_h = ui_theme_px(t, 230);
        int h = (body.h - note_h - FLOW_SERVICE_COUNT * gap) / FLOW_SERVICE_COUNT;
        for (int i = 0; i < FLOW_SERVICE_COUNT; i++)
            slots[i] = (SDL_Rect){body.x, body.y + i * (h + gap), body.w, h};
        slots[FLOW_SERVICE_COUNT] =
            (SDL_Rect){body.x, body.y + FLOW_SERVICE_COUNT * (h + gap), body.w, note_h};
    }
    for (int i = 0; i < FLOW_SERVICE_COUNT; i++)
        tile(c, (flow_service)i, slots[i],
             v->id_keyed && i != FLOW_SERVICE_REGISTER && i != FLOW_SERVICE_POLICIES);
    const char *note = v->message_key ? S(c, v->message_key) : S(c, "services.hint");
    SDL_Rect nb = slots[FLOW_SERVICE_COUNT];
    int npx = ui_theme_size(t, UI_SIZE_HINT);
    if (v->message_key) /* the reason, long in large text on the portable unit: it shrinks */
        while (npx > 12 && text_h(c, note, npx, nb.w) > nb.h)
            npx = npx * 9 / 10;
    ui_label(c, note, nb, npx, v->message_key ? t->fg : t->muted, UI_TEXT_LEFT);
    ui_journey_footer(c, f, NULL, NULL, UI_ID_FINISH, S(c, "services.finish"));
}

/* "2026-12-05 10:32" of a record's time (the unit's local time, as on the receipt). */
static void when(int64_t ms, char *out, size_t size)
{
    time_t tt = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

static const char *state_key(int state)
{
    switch (state) {
    case 0:
        return "records.state_queued";
    case 1:
        return "records.state_sent";
    case 2:
        return "records.state_acked";
    default:
        return "records.state_rejected";
    }
}

/* The hub's state of rec in words ("办理中"; a needs_materials with the material) into out,
 * and "更新于 2026-12-05 10:32" into upd ("" without a time); 0 when the hub's state is
 * not known (the unit's own is shown then). */
static int hub_state_text(ui_ctx *c, const app_io_record *rec, char *out, size_t size, char *upd,
                          size_t upd_size)
{
    upd[0] = '\0';
    static const char *const keys[] = {NULL, "records.hub_received", "records.hub_processing",
                                       "records.hub_approved", "records.hub_needs_materials"};
    if (rec->hub_state <= 0 || rec->hub_state >= (int)(sizeof keys / sizeof keys[0]))
        return 0;
    char note_key[48], time_s[32];
    const char *name = "note", *value;
    snprintf(note_key, sizeof note_key, "records.note_%s",
             rec->hub_note[0] ? rec->hub_note : "other");
    value = S(c, note_key);
    kiosk_strings_fill(S(c, keys[rec->hub_state]), &name, &value, 1, out, size);
    if (rec->hub_changed_ms > 0) {
        when(rec->hub_changed_ms, time_s, sizeof time_s);
        name = "time";
        value = time_s;
        kiosk_strings_fill(S(c, "records.hub_updated"), &name, &value, 1, upd, upd_size);
    }
    return 1;
}

/* One record: type and date, receipt number, state in words; its 副本 button. */
static void record_card(ui_ctx *c, const ui_journey_frame *f, const app_io_record *rec, int i,
                        SDL_Rect box, int can_print, int row, int lines)
{
    const ui_theme *t = c->t;
    int pad = ui_theme_px(t, 16);
    ui_draw_round_frame(c->r, box, pad, ui_theme_px(t, 2) + 1, t->muted, t->panel);
    int bw = box.w * (f->landscape ? 36 : 34) / 100;
    SDL_Rect text = {box.x + pad, box.y + pad / 2, box.w - bw - 3 * pad, box.h - pad};
    char date[32], l2[160];
    when(rec->created_ms, date, sizeof date);
    const char *name = "no", *value = rec->receipt_no;
    kiosk_strings_fill(S(c, "records.number"), &name, &value, 1, l2, sizeof l2);
    /* the record type, its date, its receipt number, its state: a line each */
    int lh = text.h / lines, px = ui_theme_size(t, (ui_size)row);
    char kind[48];
    snprintf(kind, sizeof kind, "records.kind_%s",
             rec->record_type[0] ? rec->record_type : "registration");
    ui_label_fit(c, S(c, kind), (SDL_Rect){text.x, text.y, text.w, lh}, px, t->fg, UI_TEXT_LEFT);
    ui_label_fit(c, date, (SDL_Rect){text.x, text.y + lh, text.w, lh}, px, t->fg, UI_TEXT_LEFT);
    ui_label_fit(c, l2, (SDL_Rect){text.x, text.y + 2 * lh, text.w, lh}, px, t->fg, UI_TEXT_LEFT);
    char hub[320], upd[160];
    if (hub_state_text(c, rec, hub, sizeof hub, upd, sizeof upd)) {
        /* the hub's state, and when it changed on a fifth line */
        ui_label_fit(c, hub, (SDL_Rect){text.x, text.y + 3 * lh, text.w, lh}, px,
                     rec->hub_state == 4 ? t->error : t->accent, UI_TEXT_LEFT);
        if (upd[0] && lines > 4)
            ui_label_fit(c, upd, (SDL_Rect){text.x, text.y + 4 * lh, text.w, lh}, px, t->muted,
                         UI_TEXT_LEFT);
    } else
        ui_label_fit(c, S(c, state_key(rec->state)),
                     (SDL_Rect){text.x, text.y + 3 * lh, text.w, lh}, px,
                     rec->state == 3 ? t->error : t->accent, UI_TEXT_LEFT);
    char id[UI_WIDGET_ID_MAX];
    snprintf(id, sizeof id, UI_ID_RECORD_REPRINT "%d", i);
    int bh = box.h - 2 * pad;
    ui_button(c, id, (SDL_Rect){box.x + box.w - pad - bw, box.y + pad, bw, bh},
              S(c, "records.reprint"), ui_theme_size(t, UI_SIZE_BUTTON_SMALL),
              can_print ? UI_BUTTON_SECONDARY : UI_BUTTON_DISABLED);
}

/* The height text takes wrapped to w at layout size px. */
static int text_h(ui_ctx *c, const char *text, int px, int w)
{
    ui_text_style st = {.px = ui_theme_font_px(c->t, px), .align = UI_TEXT_LEFT};
    ui_text_block b;
    if (ui_text_measure_block(c->text, text, &st, w, &b) != KIOSK_OK)
        return ui_theme_font_px(c->t, px) * 3 / 2;
    return b.h;
}

static void records_screen(ui_ctx *c, const ui_journey_frame *f, const flow_view *v,
                           const ui_journey_env *env)
{
    const ui_theme *t = c->t;
    const session_view *sv = env->session;
    ui_journey_header(c, f, v, 1);
    ui_journey_title(c, f, S(c, "records.title"));
    SDL_Rect body = f->body;
    int hint_px = ui_theme_size(t, UI_SIZE_HINT), lead_px = ui_theme_size(t, UI_SIZE_LEAD);
    int gap = ui_theme_px(t, f->landscape ? 10 : 24);
    /* under the list: the last reprint's outcome, what the unit knows of the hub */
    char heard[256], when_s[32];
    if (sv->records_heard_ms > 0) {
        when(sv->records_heard_ms, when_s, sizeof when_s);
        const char *name = "time", *value = when_s;
        kiosk_strings_fill(S(c, "records.heard"), &name, &value, 1, heard, sizeof heard);
    } else {
        snprintf(heard, sizeof heard, "%s", S(c, "records.heard_never"));
    }
    char foot[768];
    snprintf(foot, sizeof foot, "%s %s", heard, S(c, "records.upstream"));
    /* the hub's word: being asked, answered now, or not to be had (offline) */
    int64_t last = sv->records_hub_heard_ms > sv->records_heard_ms ? sv->records_hub_heard_ms
                                                                   : sv->records_heard_ms;
    if (!v->records_loading && v->records_rc == KIOSK_OK && sv->nrecords > 0) {
        const char *name = "time", *value = when_s;
        if (sv->records_hub == 0) {
            snprintf(foot, sizeof foot, "%s", S(c, "records.hub_asking"));
        } else if (sv->records_hub == 1) {
            when(sv->records_hub_heard_ms, when_s, sizeof when_s);
            kiosk_strings_fill(S(c, "records.hub_now"), &name, &value, 1, foot, sizeof foot);
        } else if (sv->records_hub == -1 && last > 0) {
            when(last, when_s, sizeof when_s);
            kiosk_strings_fill(S(c, "records.hub_offline"), &name, &value, 1, foot, sizeof foot);
        } else if (sv->records_hub == -1) {
            snprintf(foot, sizeof foot, "%s", S(c, "records.hub_offline_never"));
        }
    }
    const char *status = v->reprinting     ? S(c, "records.reprinting")
                         : v->records_note ? S(c, v->records_note)
                                           : NULL;
    int status_h = ui_theme_size_px(t, UI_SIZE_LEAD) * 3 / 2 * (f->landscape ? 1 : 2);
    int foot_h = text_h(c, foot, hint_px, body.w);
    int scope_h = text_h(c, S(c, "records.scope"), hint_px, body.w);
    ui_label(c, S(c, "records.scope"), (SDL_Rect){body.x, body.y, body.w, scope_h}, hint_px,
             t->muted, UI_TEXT_LEFT);
    SDL_Rect list = {body.x, body.y + scope_h + gap, body.w,
                     body.h - scope_h - gap - status_h - foot_h - 2 * gap};
    if (v->records_loading) {
        ui_label(c, S(c, "records.loading"), list, lead_px, t->fg, UI_TEXT_LEFT);
    } else if (v->records_rc != KIOSK_OK) {
        ui_label(c, S(c, "records.failed"), list, lead_px, t->error, UI_TEXT_LEFT);
    } else if (sv->nrecords == 0) {
        ui_label(c, S(c, "records.none"), list, lead_px, t->fg, UI_TEXT_LEFT);
    } else {
        /* cards of four lines: one a row on the kiosk, two a row on the portable unit */
        int row = f->landscape ? UI_SIZE_REVIEW_ROW : UI_SIZE_LEAD, cols = f->landscape ? 2 : 1;
        int any_hub = 0; /* a record with the hub's state: a fifth line for its time */
        for (int i = 0; i < sv->nrecords; i++)
            any_hub |= sv->records[i].hub_state > 0;
        int card_h = ui_theme_size_px(t, row) * (any_hub ? 15 : 12) / 2 + ui_theme_px(t, 16);
        int card_w = (list.w - (cols - 1) * gap) / cols;
        int fits = (list.h + gap) / (card_h + gap) * cols, shown = sv->nrecords;
        if (fits < 1)
            fits = 1;
        if (shown > fits) /* the last place says that there are more */
            shown = fits > 1 ? fits - 1 : 1;
        for (int i = 0; i < shown; i++)
            record_card(c, f, &sv->records[i], i,
                        (SDL_Rect){list.x + (i % cols) * (card_w + gap),
                                   list.y + (i / cols) * (card_h + gap), card_w, card_h},
                        !v->reprinting, row, any_hub ? 5 : 4);
        if (shown < sv->nrecords) {
            char more[160];
            ui_journey_fill_number(S(c, "records.more"), sv->nrecords - shown, more, sizeof more);
            ui_label(c, more,
                     (SDL_Rect){list.x + (shown % cols) * (card_w + gap),
                                list.y + (shown / cols) * (card_h + gap), card_w, card_h},
                     hint_px, t->muted, UI_TEXT_LEFT);
        }
    }
    int y = list.y + list.h + gap;
    if (status)
        ui_label(c, status, (SDL_Rect){body.x, y, body.w, status_h}, lead_px,
                 v->records_note && !strcmp(v->records_note, "records.reprint_failed") ? t->error
                                                                                       : t->fg,
                 UI_TEXT_LEFT);
    ui_label(c, foot, (SDL_Rect){body.x, y + status_h + gap, body.w, foot_h}, hint_px,
             sv->records_hub == -1 ? t->fg : t->muted, UI_TEXT_LEFT);
    ui_journey_footer(c, f, UI_ID_BACK, S(c, "records.back"), UI_ID_FINISH, S(c, "records.finish"));
}

void ui_services_draw(ui_ctx *c, const ui_journey_frame *f, const flow_view *v,
                      const ui_journey_env *env)
{
    if (v->step == FLOW_SERVICES)
        services_screen(c, f, v);
    else
        records_screen(c, f, v, env);
}

const char *ui_services_tap(session *s, flow_step step, const char *id)
{
    if (!strcmp(id, UI_ID_FINISH)) {
        session_next(s);
        return NULL;
    }
    if (!strcmp(id, UI_ID_BACK)) {
        session_back(s);
        return NULL;
    }
    size_t pn = strlen(UI_ID_SERVICE_PREFIX), rn = strlen(UI_ID_RECORD_REPRINT);
    if (step == FLOW_ELIGIBILITY && !strcmp(id, UI_ID_SERVICE_PREFIX "jobseeker")) {
        session_service(s, FLOW_SERVICE_JOBSEEKER); /* offered by the outcome */
        return NULL;
    }
    if (step == FLOW_SERVICES && !strncmp(id, UI_ID_SERVICE_PREFIX, pn)) {
        for (int i = 0; i < FLOW_SERVICE_COUNT; i++) {
            if (strcmp(id + pn, flow_service_name((flow_service)i)) != 0)
                continue;
            session_service(s, (flow_service)i);
            return NULL;
        }
    } else if (step == FLOW_RECORDS && !strncmp(id, UI_ID_RECORD_REPRINT, rn)) {
        session_reprint_record(s, atoi(id + rn));
    }
    return NULL;
}
