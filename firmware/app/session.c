/*
 * The session: worker reports cross into a fixed ring under a mutex and are handled on
 * the UI thread by session_pump; every citizen intent becomes a flow event, and the
 * flow's answer (save, print, wipe) is acted on here. Readable copies of the record
 * (its JSON, the masked name) live only inside start_save.
 */
#include "app/session.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/voice.h"
#include "config/kiosk_strings.h"
#include "core/kiosk_buf.h"
#include "core/kiosk_log.h"
#include "domain/followup.h"
#include "identity/identity_psam.h"
#include "ssc/reader_sim.h"
#include "store/draft.h"

/* Worker reports waiting for the UI thread; more than this and one is lost (logged). */
#define SESSION_QUEUE 16
/* How long the demo citizen (the simulated card) leaves the card on the reader after the
 * session ends: long enough to see the "take your card" overlay. */
#define SIM_TAKEBACK_MS 1500

typedef enum item_kind { ITEM_IDENTITY = 1, ITEM_IO } item_kind;

typedef struct item {
    item_kind kind;
    union {
        identity_event id;
        app_io_result io;
    } u;
} item;

struct session {
    kiosk_config cfg;
    session_options opt;
    const kiosk_clock *clock;
    codes_tables *codes;
    divisions *divs;
    codes_tables *codes_hant;     /* the same tables with Traditional names: loaded at the first */
    divisions *divs_hant;         /* zh_Hant session, kept (display only; codes are the same) */
    bool permit_seen;             /* this session already chose zh_Hant for a permit holder */
    app_io_type_lines type_lines; /* the saved record's type lines for its receipt, wiped */
    kiosk_info *info[3]; /* 政策和服务机构 of kiosk_langs[i], loaded when first shown */
    bool info_tried[3];
    kiosk_info_calendar calendar; /* holidays and make-up working days ([info] calendar) */
    flow *flow;
    identity_worker *identity;
    identity_psam *psam; /* the configured PSAM (the worker's key holder), or NULL */
    reader *sim;         /* the simulated reader (owned by the worker); atomic */
    app_io *io;
    signature *pad;
    bool pad_drawing;
    char pin[SESSION_PIN_DIGITS + 1];
    char *commitment; /* the text shown, in the current language */
    char commitment_version[32];
    receipt_bitmap receipt;
    bool staff_mode;
    bool service_set; /* staff set the service state in this run */
    power *power;
    int64_t power_read_ms;
    int last_countdown, last_away;
    /* the session's measure: taps, and how long each step held the citizen */
    int64_t step_ms[FLOW_STEP_COUNT];
    int64_t step_since_ms, session_since_ms;
    flow_step measured_step;
    bool in_session;         /* the flow was away from the attract screen */
    int64_t prefs_set_ms;    /* when the prefs were last chosen (attract idle reset) */
    int64_t sim_takeback_ms; /* when the demo citizen takes the card back (0: not due) */
    /* the unfinished form, kept on every change (app_io_draft_put) so a power cut loses
     * nothing: the fields in the order given (FLOW_EV_FIELD_SET, replayed on resume) */
    kiosk_buf draft_fields; /* JSON array members, wiped */
    bool draft_kept;        /* this session kept one (removed when it ends) */
    bool draft_asked;       /* asked for this citizen's at the services screen */
    flow_page draft_page;   /* the page when it was last kept */
    char *draft;            /* the one found (the resume offer), wiped */
    session_view view;
    /* the workers' ring */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    item ring[SESSION_QUEUE];
    size_t head, count;
    /* since when no one uses the kiosk (monotonic ms; 0 while a citizen's session or the
     * staff desk is open): session_idle_ms, asked by the update worker's thread */
    _Atomic int64_t idle_since_ms;
};

static void forget_draft(session *s);
static void note_idle(session *s, int64_t now);

static void changed(session *s, unsigned what)
{
    if (s->opt.changed && what)
        s->opt.changed(s->opt.ui_ctx, what);
}

/* ---- the workers' ring -------------------------------------------------------------- */

static void item_wipe(item *it)
{
    if (it->kind == ITEM_IO && it->u.io.draft) {
        explicit_bzero(it->u.io.draft, it->u.io.draft_len);
        free(it->u.io.draft);
    }
    if (it->kind == ITEM_IO && it->u.io.preview.bits) {
        explicit_bzero(it->u.io.preview.bits,
                       (size_t)it->u.io.preview.width / 8 * (size_t)it->u.io.preview.rows);
        receipt_bitmap_deinit(&it->u.io.preview);
    }
    explicit_bzero(it, sizeof *it);
}

/* Worker thread: a copy into the ring (the worker wipes its own after we return). */
static void post(session *s, const item *it)
{
    pthread_mutex_lock(&s->mu);
    int queued = s->count < SESSION_QUEUE;
    if (queued) {
        s->ring[(s->head + s->count) % SESSION_QUEUE] = *it;
        s->count++;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    if (!queued) {
        kiosk_log_error("session", "a worker's report was lost: %zu are waiting", s->count);
        item lost = *it;
        item_wipe(&lost);
        return;
    }
    if (s->opt.wake)
        s->opt.wake(s->opt.wake_ctx);
}

static void on_identity(void *ctx, const identity_event *ev)
{
    item it = {.kind = ITEM_IDENTITY};
    it.u.id = *ev;
    post(ctx, &it);
    explicit_bzero(&it, sizeof it);
}

static void on_io(void *ctx, const app_io_result *r)
{
    item it = {.kind = ITEM_IO};
    it.u.io = *r; /* the preview's bits are ours now */
    post(ctx, &it);
}

static int take(session *s, item *out)
{
    pthread_mutex_lock(&s->mu);
    int got = s->count > 0;
    if (got) {
        *out = s->ring[s->head];
        explicit_bzero(&s->ring[s->head], sizeof s->ring[0]);
        s->head = (s->head + 1) % SESSION_QUEUE;
        s->count--;
    }
    pthread_mutex_unlock(&s->mu);
    return got;
}

int session_wait(session *s, int ms)
{
    struct timespec until = kiosk_deadline_in_ms(ms);
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    while (!s->count && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&s->cv, &s->mu, &until);
    int got = s->count > 0;
    pthread_mutex_unlock(&s->mu);
    return got;
}

/* ---- loading ------------------------------------------------------------------------ */

/* The code tables and divisions every form screen needs. */
static kiosk_rc load_domain(session *s)
{
    char path[KIOSK_CONFIG_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/codes", s->cfg.assets_dir);
    kiosk_rc rc = codes_load(path, &s->codes);
    if (rc != KIOSK_OK) {
        kiosk_log_error("session", "code tables in %s: %s", path, kiosk_strerror(rc));
        return rc;
    }
    snprintf(path, sizeof path, "%s/divisions/divisions.txt", s->cfg.assets_dir);
    rc = divisions_load(path, &s->divs);
    if (rc != KIOSK_OK) {
        kiosk_log_error("session", "division data %s: %s", path, kiosk_strerror(rc));
        return rc;
    }
    if (s->cfg.division[0] && !divisions_name(s->divs, s->cfg.division)) {
        kiosk_log_warn("session",
                       "[device] division %s is not in the division data: the "
                       "address picker opens at the provinces",
                       s->cfg.division);
        s->cfg.division[0] = '\0';
    }
    return KIOSK_OK;
}

/* The Traditional names of the codes and divisions (made at build time beside the
 * Simplified ones), for a zh_Hant screen; a unit without them shows Simplified names. */
static void load_hant(session *s)
{
    char path[KIOSK_CONFIG_PATH_MAX + 64];
    if (!s->codes_hant) {
        snprintf(path, sizeof path, "%s/codes.zh_Hant", s->cfg.assets_dir);
        if (codes_load(path, &s->codes_hant) != KIOSK_OK)
            kiosk_log_warn("session", "no Traditional code names in %s", path);
    }
    if (!s->divs_hant) {
        snprintf(path, sizeof path, "%s/divisions/divisions.zh_Hant.txt", s->cfg.assets_dir);
        if (divisions_load(path, &s->divs_hant) != KIOSK_OK)
            kiosk_log_warn("session", "no Traditional division names in %s", path);
    }
}

/* The policies and agencies of lang (assets/info/<lang>.ini), loaded at its first use;
 * NULL when neither lang nor zh_CN has a file that loads. KIOSK_CORRUPT only for a file
 * that is there and refused (logged with its line). */
static kiosk_rc load_info(session *s, const char *lang, const kiosk_info **out)
{
    *out = NULL;
    int i = 0;
    while (i < 3 && kiosk_langs[i] && strcmp(kiosk_langs[i], lang) != 0)
        i++;
    if (i >= 3 || !kiosk_langs[i])
        i = 0;
    kiosk_rc rc = KIOSK_OK;
    if (!s->info_tried[i]) {
        char dir[KIOSK_CONFIG_PATH_MAX + 16];
        snprintf(dir, sizeof dir, "%s/info", s->cfg.assets_dir);
        int line = 0;
        s->info_tried[i] = true;
        rc = kiosk_info_load(dir, kiosk_langs[i], &s->info[i], &line);
        if (rc == KIOSK_NOT_FOUND)
            kiosk_log_warn("session", "no policies and agencies in %s/%s.ini", dir, kiosk_langs[i]);
        else if (rc != KIOSK_OK)
            kiosk_log_error("session", "%s/%s.ini: line %d refused (%s)", dir, kiosk_langs[i], line,
                            kiosk_strerror(rc));
    }
    *out = s->info[i];
    if (!*out && i != 0) { /* the hall's Simplified list rather than none */
        const kiosk_info *zh;
        load_info(s, kiosk_langs[0], &zh);
        *out = zh;
    }
    return rc == KIOSK_CORRUPT ? rc : KIOSK_OK;
}

/* The hall's calendar: a missing file means weekends only; a refused one stops the start. */
static kiosk_rc load_calendar(session *s)
{
    char path[KIOSK_CONFIG_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/info/calendar.ini", s->cfg.assets_dir);
    int line = 0;
    kiosk_rc rc = kiosk_info_calendar_load(path, &s->calendar, &line);
    if (rc == KIOSK_NOT_FOUND) {
        kiosk_log_warn("session", "no %s: working days skip weekends only", path);
        return KIOSK_OK;
    }
    if (rc != KIOSK_OK)
        kiosk_log_error("session", "%s: line %d refused (%s)", path, line, kiosk_strerror(rc));
    return rc;
}

const kiosk_calendar *session_calendar(const session *s)
{
    return &s->calendar.cal;
}

/* The commitment text of lang: "version: X" on the first line, a blank line, the text. */
kiosk_rc session_set_language(session *s, const char *lang)
{
    char path[KIOSK_CONFIG_PATH_MAX + 64];
    if (kiosk_lang_is_hant(lang))
        load_hant(s);
    snprintf(path, sizeof path, "%s/commitment/%s.txt", s->cfg.assets_dir, lang);
    FILE *f = fopen(path, "rb");
    if (!f) {
        kiosk_log_error("session", "the commitment text %s is missing", path);
        return KIOSK_NOT_FOUND;
    }
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (!buf)
        return KIOSK_NOMEM;
    buf[n] = '\0';
    char version[32];
    const char *body = strstr(buf, "\n\n");
    if (sscanf(buf, "version: %31s", version) != 1 || !body || n == 65535) {
        kiosk_log_error("session", "%s: the first line must be 'version: X', then a blank line",
                        path);
        free(buf);
        return KIOSK_CORRUPT;
    }
    memmove(buf, body + 2, strlen(body + 2) + 1);
    kiosk_rc irc = load_info(s, lang, &s->view.info);
    if (irc != KIOSK_OK && !strcmp(lang, s->cfg.language)) {
        free(buf); /* the hall's own list refused: a technician must see it at the start */
        return irc;
    }
    free(s->commitment);
    s->commitment = buf;
    snprintf(s->commitment_version, sizeof s->commitment_version, "%s", version);
    unsigned what = SESSION_REDRAW;
    if (strcmp(s->view.prefs.language, lang) != 0) {
        snprintf(s->view.prefs.language, sizeof s->view.prefs.language, "%s", lang);
        what |= SESSION_PREFS;
    }
    s->prefs_set_ms = kiosk_clock_mono_ms(s->clock);
    changed(s, what);
    return KIOSK_OK;
}

void session_set_large_text(session *s, bool on)
{
    s->view.prefs.large_text = on;
    s->prefs_set_ms = kiosk_clock_mono_ms(s->clock);
    changed(s, SESSION_PREFS | SESSION_REDRAW);
}

void session_set_voice(session *s, bool on)
{
    s->view.prefs.voice = on;
    s->prefs_set_ms = kiosk_clock_mono_ms(s->clock);
    changed(s, SESSION_PREFS | SESSION_REDRAW);
}

void session_set_high_contrast(session *s, bool on)
{
    s->view.prefs.high_contrast = on;
    s->prefs_set_ms = kiosk_clock_mono_ms(s->clock);
    changed(s, SESSION_PREFS | SESSION_REDRAW);
}

/* A resident of Hong Kong, Macao or Taiwan — a residence permit number (region 81, 82,
 * 83: DOMAIN.md §3) on the card or typed, or a permit chosen as the document — reads
 * Traditional Chinese: the session switches to zh_Hant once, and only while the citizen
 * has not chosen a language (still the hall's), so a tap back to 简体 stays. */
static void permit_language(session *s, const char *id_number, const char *document_type)
{
    bool permit = false;
    if (id_number && strlen(id_number) == 18 && id_number[0] == '8' && id_number[1] >= '1' &&
        id_number[1] <= '3')
        permit = true;
    if (document_type && (!strcmp(document_type, REGISTRATION_DOC_PERMIT_HKMO) ||
                          !strcmp(document_type, REGISTRATION_DOC_PERMIT_TW) ||
                          !strcmp(document_type, REGISTRATION_DOC_RESIDENCE_PERMIT)))
        permit = true;
    if (!permit || s->permit_seen || strcmp(s->view.prefs.language, s->cfg.language) != 0 ||
        kiosk_lang_is_hant(s->cfg.language))
        return;
    s->permit_seen = true;
    /* nothing logged on success: that a permit holder was here is the citizen's own */
    if (session_set_language(s, "zh_Hant") != KIOSK_OK)
        kiosk_log_warn("session", "no zh_Hant: the hall's language stays");
}

/* The hall's defaults again, for the next citizen. */
static void reset_prefs(session *s)
{
    s->permit_seen = false;
    bool lang = strcmp(s->view.prefs.language, s->cfg.language) != 0;
    bool voice = s->cfg.voice_enabled != 0;
    if (!lang && !s->view.prefs.large_text && !s->view.prefs.high_contrast &&
        s->view.prefs.voice == voice)
        return;
    s->view.prefs.large_text = s->view.prefs.high_contrast = false;
    s->view.prefs.voice = voice;
    if (lang && session_set_language(s, s->cfg.language) != KIOSK_OK)
        kiosk_log_error("session", "cannot return to the hall's language");
    changed(s, SESSION_PREFS | SESSION_REDRAW);
}

static kiosk_rc open_reader(void *ctx, reader **out)
{
    session *s = ctx;
    if (s->cfg.reader_backend != KIOSK_READER_SIMULATED)
        return identity_open_configured(&s->cfg, out);
    /* the demo card waits off the reader until a citizen (or a script) puts it there */
    kiosk_rc rc = reader_sim_create(s->cfg.reader_card_profile, NULL, out);
    if (rc == KIOSK_OK) {
        reader_sim_set_present(*out, 0);
        __atomic_store_n(&s->sim, *out, __ATOMIC_SEQ_CST);
    }
    return rc;
}

static kiosk_rc start_reader(session *s)
{
    /* a PSAM in the SAM slot, when configured: 3rd-generation cards read in full */
    kiosk_rc rc = identity_psam_create(&s->cfg, &s->psam);
    if (rc != KIOSK_OK)
        return rc;
    identity_config ic = {.open = open_reader,
                          .open_ctx = s,
                          .callback = on_identity,
                          .callback_ctx = s,
                          .clock = s->clock,
                          .key_holder = identity_psam_key_holder(s->psam),
                          .health_dir = s->cfg.state_dir};
    rc = identity_worker_start(&ic, &s->identity);
    if (rc != KIOSK_OK)
        kiosk_log_error("session", "cannot start the card reader worker: %s", kiosk_strerror(rc));
    return rc;
}

kiosk_rc session_create(const kiosk_config *cfg, const session_options *opt, session **out)
{
    *out = NULL;
    session *s = calloc(1, sizeof *s);
    if (!s)
        return KIOSK_NOMEM;
    s->cfg = *cfg;
    s->opt = *opt;
    s->clock = opt->clock ? opt->clock : kiosk_clock_system();
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    kiosk_buf_init(&s->draft_fields, STORE_DRAFT_MAX / 2, KIOSK_BUF_WIPE);
    kiosk_rc rc = load_domain(s);
    if (rc == KIOSK_OK)
        rc = load_calendar(s);
    if (rc == KIOSK_OK) {
        flow_config fc = {.codes = s->codes,
                          .divisions = s->divs,
                          .clock = s->clock,
                          .idle_timeout_s = cfg->idle_timeout_s,
                          .countdown_s = 30,
                          .done_timeout_s = 60,
                          .home_division = s->cfg.division};
        rc = flow_create(&fc, &s->flow);
    }
    if (rc == KIOSK_OK)
        rc = session_set_language(s, cfg->language);
    if (rc == KIOSK_OK && opt->with_store)
        rc = app_io_start(cfg, s->clock, on_io, s, &s->io);
    if (rc == KIOSK_OK && opt->with_reader)
        rc = start_reader(s);
    if (rc == KIOSK_OK && cfg->mode == KIOSK_MODE_PORTABLE) {
        if (power_open_sysfs(cfg->power_supply, &s->power) == KIOSK_OK)
            power_read(s->power, &s->view.power);
        else
            kiosk_log_warn("session", "no power supply information under %s", cfg->power_supply);
    }
    if (rc != KIOSK_OK) {
        session_destroy(s);
        return rc;
    }
    for (int i = 0; i < 4; i++)
        s->view.answers[i] = -1;
    s->view.prefs.voice = cfg->voice_enabled != 0;
    *out = s;
    return KIOSK_OK;
}

void session_destroy(session *s)
{
    if (!s)
        return;
    identity_worker_stop(s->identity); /* joins: nothing is posted after this */
    identity_psam_destroy(s->psam);    /* the worker's key holder, after the worker */
    app_io_stop(s->io);
    item it;
    while (take(s, &it))
        item_wipe(&it);
    flow_destroy(s->flow);
    power_close(s->power);
    signature_destroy(s->pad);
    if (s->receipt.bits)
        explicit_bzero(s->receipt.bits, (size_t)s->receipt.width / 8 * (size_t)s->receipt.rows);
    receipt_bitmap_deinit(&s->receipt);
    explicit_bzero(s->pin, sizeof s->pin);
    forget_draft(s); /* the file stays: a stop mid-form is resumed as a power cut is */
    free(s->commitment);
    codes_destroy(s->codes);
    divisions_destroy(s->divs);
    codes_destroy(s->codes_hant);
    divisions_destroy(s->divs_hant);
    for (int i = 0; i < 3; i++)
        kiosk_info_destroy(s->info[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    explicit_bzero(s, sizeof *s);
    free(s);
}

/* ---- the journey -------------------------------------------------------------------- */

static void dispatch(session *s, const flow_event *ev);

static void drop_receipt(session *s)
{
    if (!s->receipt.bits)
        return;
    explicit_bzero(s->receipt.bits, (size_t)s->receipt.width / 8 * (size_t)s->receipt.rows);
    receipt_bitmap_deinit(&s->receipt);
    memset(&s->receipt, 0, sizeof s->receipt);
    changed(s, SESSION_RECEIPT);
}

/* ---- the unfinished form (store/draft.h) ------------------------------------------- */

/* The steps whose progress is worth keeping: the questions (the answers given so far),
 * the form and what follows it. */
static bool draft_step(flow_step st)
{
    return st == FLOW_QUESTIONS || st == FLOW_FORM || st == FLOW_REVIEW || st == FLOW_COMMITMENT ||
           st == FLOW_SIGNATURE;
}

/* The session's copy of the draft goes (the file stays: a power cut keeps it). */
static void forget_draft(session *s)
{
    kiosk_buf_deinit(&s->draft_fields);
    if (s->draft) {
        explicit_bzero(s->draft, strlen(s->draft));
        free(s->draft);
        s->draft = NULL;
    }
    s->draft_asked = false;
    s->view.resume_offer = false;
    s->view.resume_written_ms = 0;
    s->view.resume_type = REGISTRATION_TYPE_REGISTRATION;
}

/* text as a JSON string (quotes, backslashes and control characters escaped). */
static void json_string_to(kiosk_buf *b, const char *text)
{
    kiosk_buf_append_str(b, "\"");
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            kiosk_buf_printf(b, "\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            kiosk_buf_printf(b, "\\u%04x", (unsigned)(unsigned char)*p);
        else
            kiosk_buf_append(b, p, 1);
    }
    kiosk_buf_append_str(b, "\"");
}

/* A field the citizen gave, in order: replayed as given on resume. */
static void draft_note_field(session *s, registration_field field, const char *text)
{
    if (s->draft_fields.len)
        kiosk_buf_append_str(&s->draft_fields, ",");
    kiosk_buf_printf(&s->draft_fields, "[%d,", (int)field);
    json_string_to(&s->draft_fields, text);
    kiosk_buf_append_str(&s->draft_fields, "]");
}

/* Hand the form as it stands to the I/O worker, sealed there to this device. */
static void keep_draft(session *s)
{
    const flow_view *v = flow_get_view(s->flow);
    const registration *rec = flow_record(s->flow);
    const char *id = registration_get_text(rec, REGISTRATION_DOCUMENT_NUMBER);
    /* only an ID number the card gave: a typed one would offer this form to whoever
     * holds the card of that number */
    if (!s->io || !draft_step(v->step) || !id || !id[0] ||
        !registration_is_locked(rec, REGISTRATION_DOCUMENT_NUMBER))
        return;
    kiosk_buf b;
    kiosk_buf_init(&b, STORE_DRAFT_MAX, KIOSK_BUF_WIPE);
    kiosk_buf_printf(&b,
                     "{\"v\":1,\"type\":\"%s\",\"answers\":[%d,%d,%d,%d],\"step\":\"%s\","
                     "\"page\":%d,\"fields\":[",
                     registration_type_key(rec->type), s->view.answers[0], s->view.answers[1],
                     s->view.answers[2], s->view.answers[3], flow_step_name(v->step), (int)v->page);
    kiosk_buf_append(&b, s->draft_fields.data, s->draft_fields.len);
    if (kiosk_buf_append_str(&b, "]}") == KIOSK_OK &&
        app_io_draft_put(s->io, id, kiosk_buf_str(&b)) == KIOSK_OK)
        s->draft_kept = true;
    kiosk_buf_deinit(&b);
}

/* The citizen's session ended or the record is saved: the kept form goes. */
static void drop_draft(session *s)
{
    if (s->draft_kept && s->io)
        app_io_draft_clear(s->io);
    s->draft_kept = false;
}

/* Everything the citizen typed, drew or was shown leaves the session. */
static void wipe_citizen(session *s, bool keep_receipt)
{
    explicit_bzero(s->pin, sizeof s->pin);
    for (int i = 0; i < 4; i++)
        s->view.answers[i] = -1;
    s->view.show_missing = false;
    s->view.signature_problem = NULL;
    s->view.commitment_end_reached = false;
    if (s->pad)
        signature_clear(s->pad);
    s->pad_drawing = false;
    if (!keep_receipt)
        drop_receipt(s);
    explicit_bzero(s->view.records, sizeof s->view.records);
    s->view.nrecords = 0;
    s->view.records_heard_ms = 0;
    s->view.records_hub = 0;
    s->view.records_hub_heard_ms = 0;
    forget_draft(s);
    if (!keep_receipt) { /* the plan outlives the save's wipe, until the session ends */
        s->view.plan_on = false;
        s->view.plan_intents = 0;
        explicit_bzero(&s->type_lines, sizeof s->type_lines);
        s->view.plan_by = (kiosk_date){0};
    }
}

/* The follow-up plan of the record about to be saved (its 服务需求): kept for the done
 * screen and the receipt, since the readable record is wiped once it is saved. */
static void take_plan(session *s)
{
    const registration *rec = flow_record(s->flow);
    const char *codes[REGISTRATION_SERVICES_MAX];
    size_t n = 0;
    for (size_t i = 0; i < REGISTRATION_SERVICES_MAX && rec->services[i][0]; i++)
        codes[n++] = rec->services[i];
    /* a report of the end of unemployment asks for no follow-up services */
    s->view.plan_on = rec->type != REGISTRATION_TYPE_DEREGISTRATION;
    s->view.plan_intents = followup_plans(codes, n);
    s->view.plan_by = followup_due(kiosk_clock_today(s->clock), &s->calendar.cal);
}

/* text into out, cut to at most chars characters (then "…"), never inside a character. */
static void short_text(const char *text, size_t chars, char *out, size_t size)
{
    size_t len = strlen(text), pos = 0, n = 0;
    while (pos < len && n < chars) {
        kiosk_utf8_next(text, len, &pos);
        n++;
    }
    const char *more = pos < len ? "…" : "";
    while (pos > 0 && pos + strlen("…") + 1 > size) { /* out is smaller: whole characters */
        pos--;
        while (pos > 0 && ((unsigned char)text[pos] & 0xC0) == 0x80)
            pos--;
        more = "…";
    }
    snprintf(out, size, "%.*s%s", (int)pos, text, more);
}

static void type_line(app_io_type_lines *l, const char *key, const char *value)
{
    if (l->n >= APP_IO_TYPE_LINES_MAX || !value || !value[0])
        return;
    snprintf(l->key[l->n], sizeof l->key[l->n], "%s", key);
    short_text(value, 40, l->value[l->n], sizeof l->value[l->n]);
    l->n++;
}

/* The receipt's lines of the record's own type, in the receipt's language (the code
 * and division names of a Traditional screen are Traditional), taken before the readable
 * record is wiped: 注销申报 the situation, its date and the employer or business (short);
 * 求职登记 the jobs, the area, the wage range and the day work can start. Nothing that
 * identifies the citizen beyond what the registration's lines show. */
static void take_type_lines(session *s)
{
    const registration *rec = flow_record(s->flow);
    const codes_tables *codes = session_codes_shown(s);
    app_io_type_lines *l = &s->type_lines;
    explicit_bzero(l, sizeof *l);
    char buf[160];
    if (rec->type == REGISTRATION_TYPE_DEREGISTRATION) {
        type_line(l, "receipt.situation",
                  codes_name(codes, CODES_DEREGISTRATION_SITUATION, rec->situation, CODES_ZH));
        type_line(l, "receipt.situation_date",
                  registration_value(rec, REGISTRATION_SITUATION_DATE, "", buf, sizeof buf));
        char detail[64];
        short_text(rec->situation_detail, 12, detail, sizeof detail);
        type_line(l, "receipt.situation_detail", detail);
        explicit_bzero(detail, sizeof detail);
    } else if (rec->type == REGISTRATION_TYPE_JOBSEEKER) {
        char jobs[128] = "";
        for (size_t i = 0; i < rec->job_category_count && i < REGISTRATION_JOB_CATEGORIES_MAX;
             i++) {
            const char *name =
                codes_name(codes, CODES_JOB_CATEGORY, rec->job_categories[i], CODES_ZH);
            size_t len = strlen(jobs);
            if (name)
                snprintf(jobs + len, sizeof jobs - len, "%s%s", len ? "、" : "", name);
        }
        type_line(l, "receipt.jobs", jobs);
        type_line(l, "receipt.job_area", divisions_name(session_divisions_shown(s), rec->job_area));
        type_line(l, "receipt.wage",
                  codes_name(codes, CODES_WAGE_RANGE, rec->expected_wage, CODES_ZH));
        type_line(l, "receipt.available",
                  registration_value(rec, REGISTRATION_AVAILABLE_FROM, "", buf, sizeof buf));
    }
    explicit_bzero(buf, sizeof buf);
}

/* The flow asked for a slip of the item shown on 政策和服务机构: its texts in the
 * receipt's language (zh_Hant for a Traditional screen, else the hall's zh_CN). */
static void start_slip(session *s)
{
    const flow_view *v = flow_get_view(s->flow);
    const char *lang = kiosk_lang_is_hant(s->view.prefs.language) ? "zh_Hant" : "zh_CN";
    const kiosk_info *info = NULL;
    load_info(s, lang, &info);
    app_io_slip slip = {0};
    char id[KIOSK_INFO_ID_MAX + 8];
    kiosk_rc rc = KIOSK_NOT_FOUND;
    if (v->info_page == FLOW_INFO_POLICY) {
        const kiosk_info_policy *p = kiosk_info_policy_at(info, (size_t)v->info_index);
        if (p) {
            snprintf(id, sizeof id, "policy.%s", p->id);
            slip = (app_io_slip){.id = id, .title = p->title, .values = {p->who, p->how}};
            rc = KIOSK_OK;
        }
    } else if (v->info_page == FLOW_INFO_AGENCIES) {
        const kiosk_info_agency *a =
            kiosk_info_agency_of(info, (kiosk_info_level)v->info_index, (size_t)v->info_first);
        if (a) {
            snprintf(id, sizeof id, "agency.%s", a->id);
            slip = (app_io_slip){.agency = true,
                                 .id = id,
                                 .title = a->name,
                                 .level = (int)a->level,
                                 .values = {a->address, a->phone, a->hours}};
            rc = KIOSK_OK;
        }
    }
    if (rc == KIOSK_OK)
        rc = s->io ? app_io_print_slip(s->io, &slip, lang) : KIOSK_UNSUPPORTED;
    if (rc != KIOSK_OK) {
        kiosk_log_error("session", "cannot print the slip: %s", kiosk_strerror(rc));
        flow_event ev = {.type = FLOW_EV_PRINTED, .rc = KIOSK_PRINTER};
        dispatch(s, &ev);
    }
}

/* The flow asked for the citizen's records: the look-up goes by the ID number the card
 * gave (a keyed hash of it in the store); nothing is kept here but what the screen lists. */
static void start_query(session *s)
{
    const char *id = registration_get_text(flow_record(s->flow), REGISTRATION_DOCUMENT_NUMBER);
    kiosk_rc rc = !s->io ? KIOSK_UNSUPPORTED : !id || !id[0] ? KIOSK_INVALID : KIOSK_OK;
    if (rc == KIOSK_OK)
        rc = app_io_records(s->io, id);
    if (rc != KIOSK_OK) {
        kiosk_log_error("session", "cannot look up the records: %s", kiosk_strerror(rc));
        flow_event ev = {.type = FLOW_EV_RECORDS, .rc = rc};
        dispatch(s, &ev);
    }
}

/* The flow asked for the record to be saved: hand the sealed-to-be submission to the
 * I/O worker. The readable copies made here are wiped before returning. */
static void start_save(session *s)
{
    const registration *rec = flow_record(s->flow);
    char *json = NULL, *evidence = NULL;
    size_t evidence_len = 0;
    char name[64], id[32];
    kiosk_rc rc = s->io ? KIOSK_OK : KIOSK_UNSUPPORTED;
    if (rc == KIOSK_OK)
        rc = registration_to_json(rec, &json, NULL);
    if (rc == KIOSK_OK)
        rc = s->pad ? signature_evidence_json(s->pad, "screen", &evidence, &evidence_len)
                    : KIOSK_INVALID;
    if (rc == KIOSK_OK && (kiosk_mask_name(registration_get_text(rec, REGISTRATION_NAME), name,
                                           sizeof name) != KIOSK_OK ||
                           kiosk_mask_id(registration_get_text(rec, REGISTRATION_DOCUMENT_NUMBER),
                                         id, sizeof id) != KIOSK_OK))
        rc = KIOSK_INVALID;
    if (rc == KIOSK_OK) {
        app_io_submission sub = {json,
                                 evidence,
                                 s->commitment_version,
                                 {0},
                                 name,
                                 id,
                                 registration_get_text(rec, REGISTRATION_DOCUMENT_NUMBER),
                                 registration_type_key(rec->type),
                                 s->view.plan_on,
                                 s->view.plan_intents,
                                 s->view.plan_by};
        /* the hash of the exact text the citizen read */
        crypto_hash_sha256(sub.commitment_sha256, (const unsigned char *)s->commitment,
                           strlen(s->commitment));
        rc = app_io_save(s->io, &sub);
    }
    if (json)
        explicit_bzero(json, strlen(json));
    if (evidence)
        explicit_bzero(evidence, strlen(evidence));
    free(json);
    free(evidence);
    explicit_bzero(name, sizeof name);
    explicit_bzero(id, sizeof id);
    if (rc != KIOSK_OK) {
        kiosk_log_error("session", "cannot hand the record to the store: %s", kiosk_strerror(rc));
        flow_event ev = {.type = FLOW_EV_SAVED, .rc = rc};
        dispatch(s, &ev);
    }
}

/* The step changed from before to now: add the time spent to its step; at the end of a
 * session, one log line with the taps, the duration and the time per step (how a
 * first-time citizen fares, measured where it happens; nothing personal in it). */
static void measure_step(session *s, flow_step before, flow_step now)
{
    int64_t t = kiosk_clock_mono_ms(s->clock);
    if (before == FLOW_ATTRACT) {
        memset(s->step_ms, 0, sizeof s->step_ms);
        s->session_since_ms = t;
        s->view.taps = 0;
    } else if ((unsigned)before < FLOW_STEP_COUNT) {
        s->step_ms[before] += t - s->step_since_ms;
    }
    s->step_since_ms = t;
    if (now != FLOW_ATTRACT || before == FLOW_ATTRACT)
        return;
    char steps[512];
    size_t used = 0;
    steps[0] = '\0';
    for (int i = 1; i < FLOW_STEP_COUNT && used < sizeof steps; i++) {
        if (!s->step_ms[i])
            continue;
        int w = snprintf(steps + used, sizeof steps - used, "%s%s %.1f s", used ? ", " : "",
                         flow_step_name((flow_step)i), (double)s->step_ms[i] / 1000.0);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    kiosk_log_info("session", "session ended after %s: %d taps, %.0f s (%s)",
                   flow_step_name(before), s->view.taps, (double)(t - s->session_since_ms) / 1000.0,
                   steps);
    /* the health report's sessions and their median touches: the number alone */
    if (s->io && app_io_session_end(s->io, s->view.taps) != KIOSK_OK)
        kiosk_log_warn("session", "the session's touches were not counted (I/O queue full)");
}

static void dispatch(session *s, const flow_event *ev)
{
    flow_step before = flow_get_view(s->flow)->step;
    unsigned acts = flow_handle(s->flow, ev);
    const flow_view *v = flow_get_view(s->flow);
    unsigned what = 0;
    if (ev->type == FLOW_EV_FIELD_SET && before == FLOW_FORM && ev->text)
        draft_note_field(s, ev->field, ev->text);
    if ((acts & FLOW_ACT_WIPE) || v->step == FLOW_ATTRACT || v->step == FLOW_MESSAGE) {
        drop_draft(s); /* ended as the citizen or the kiosk chose: nothing to resume */
        wipe_citizen(s, v->step == FLOW_PRINTING);
        if (v->step != before || (acts & FLOW_ACT_WIPE))
            what |= SESSION_WIPED;
    } else if (v->step != FLOW_PIN) {
        explicit_bzero(s->pin, sizeof s->pin);
    }
    reader *sim = __atomic_load_n(&s->sim, __ATOMIC_SEQ_CST);
    if (v->step != before && v->step == FLOW_ATTRACT && sim)
        /* the demo citizen takes the card back once "请取回您的社保卡" has been seen */
        s->sim_takeback_ms = kiosk_clock_mono_ms(s->clock) + SIM_TAKEBACK_MS;
    if (v->step != before)
        measure_step(s, before, v->step);
    if (before == FLOW_RECORDS && v->step != FLOW_RECORDS) {
        /* the list leaves with the screen (back to the services, or the end) */
        explicit_bzero(s->view.records, sizeof s->view.records);
        s->view.nrecords = 0;
        s->view.records_heard_ms = 0;
        s->view.records_hub = 0;
        s->view.records_hub_heard_ms = 0;
    }
    if (v->step != FLOW_ATTRACT)
        s->in_session = true;
    else if (s->in_session) {
        s->in_session = false; /* the next citizen starts with the hall's defaults */
        s->view.help_shown = false;
        reset_prefs(s);
    }
    /* the help dialog outlives a new step (an ending's message, a card tapped on the
     * attract screen): the idle timer keeps waiting with the citizen */
    if (s->view.help_shown && !v->help_waiting && v->step != FLOW_ATTRACT)
        flow_handle(s->flow, &(flow_event){.type = FLOW_EV_HELP_OPEN});
    /* a citizen worth resuming: the card number tells their card from another, should
     * it be taken away (asked off the tap → PIN path; and for the card coming back) */
    if (v->step != before && s->identity &&
        ((v->step == FLOW_SERVICES || v->step == FLOW_QUESTIONS || v->step == FLOW_FORM)
             ? !v->card_known
             : v->step == FLOW_CARD_AWAY))
        identity_worker_want_card_number(s->identity);
    if (v->step != before && v->step == FLOW_DONE) {
        s->view.processing_days = s->cfg.processing_days;
        s->view.answer_by = kiosk_date_add_working_days_in(
            kiosk_clock_today(s->clock), s->cfg.processing_days, &s->calendar.cal);
    }
    if (v->step != before && v->step == FLOW_COMMITMENT) {
        /* can a record be saved? asked before the citizen reads and signs */
        if (s->io)
            app_io_check_ready(s->io);
    }
    if ((before == FLOW_SERVICES || before == FLOW_ELIGIBILITY) && v->step == FLOW_FORM)
        kiosk_buf_deinit(&s->draft_fields); /* a type's page: its form is kept from here on */
    if ((before == FLOW_FORM || before == FLOW_QUESTIONS) &&
        (v->step == FLOW_SERVICES || v->step == FLOW_ELIGIBILITY)) {
        /* back from a record type's page (its answers cleared), or the questions left for
         * the tiles or an outcome that sends elsewhere: nothing left to resume */
        kiosk_buf_deinit(&s->draft_fields);
        drop_draft(s);
    }
    if (ev->type == FLOW_EV_SAVED && ev->rc == KIOSK_OK)
        drop_draft(s); /* saved: the record is the citizen's now */
    else if (draft_step(v->step) && (ev->type == FLOW_EV_FIELD_SET || ev->type == FLOW_EV_ANSWERS ||
                                     v->step != before || v->page != s->draft_page))
        keep_draft(s);
    s->draft_page = v->page;
    /* back at the services screen with a card and PIN just verified: is there a form
     * this citizen did not finish (a power cut, a crash)? */
    if (v->step == FLOW_SERVICES && !s->draft_asked && s->io) {
        const char *id = registration_get_text(flow_record(s->flow), REGISTRATION_DOCUMENT_NUMBER);
        s->draft_asked = true;
        if (id && id[0])
            app_io_draft_take(s->io, id);
    }
    if (acts & FLOW_ACT_SAVE) {
        take_plan(s);
        take_type_lines(s);
        start_save(s);
    }
    if (acts & FLOW_ACT_PRINT_SLIP)
        start_slip(s);
    if (acts & FLOW_ACT_QUERY)
        start_query(s);
    app_io_plan plan = {s->view.plan_on, s->view.plan_intents, s->view.plan_by, {0}};
    if ((acts & FLOW_ACT_PRINT) && !(v->step == FLOW_RECORDS))
        plan.lines = s->type_lines; /* the record just saved (a 副本 from 我的办理记录: none) */
    if ((acts & FLOW_ACT_PRINT) &&
        (!s->io || app_io_print_plan(s->io, v->receipt_no, v->copy, s->view.prefs.language,
                                     &plan) != KIOSK_OK)) {
        explicit_bzero(&plan, sizeof plan);
        flow_event pe = {.type = FLOW_EV_PRINTED, .rc = KIOSK_PRINTER};
        dispatch(s, &pe);
    }
    explicit_bzero(&plan, sizeof plan);
    if (v->step != before || v->countdown_s != s->last_countdown || v->away_s != s->last_away ||
        ev->type != FLOW_EV_TICK)
        what |= SESSION_REDRAW;
    s->last_countdown = v->countdown_s;
    s->last_away = v->away_s;
    changed(s, what);
}

static void send(session *s, flow_event_type type)
{
    flow_event ev = {.type = type};
    dispatch(s, &ev);
}

/* The receipt preview in r is taken (zeroed in r) when it is the citizen's receipt. */
static void on_io_result(session *s, app_io_result *r)
{
    if (r->kind == APP_IO_HELP) {
        /* urgent: the hub should hear of it within seconds (record_saved wakes sync) */
        if (r->rc == KIOSK_OK && s->opt.record_saved)
            s->opt.record_saved(s->opt.record_saved_ctx);
        return;
    }
    if (r->kind == APP_IO_STORE) {
        s->view.store_fault = r->rc != KIOSK_OK;
        s->view.store_rc = r->rc;
        changed(s, SESSION_REDRAW);
        return;
    }
    if (r->kind == APP_IO_RECORDS) {
        const flow_view *fv = flow_get_view(s->flow);
        if (fv->step != FLOW_RECORDS || !fv->records_loading)
            return; /* the citizen left before the answer: it is dropped (and wiped) */
        s->view.nrecords = r->rc == KIOSK_OK ? r->nrecords : 0;
        for (int i = 0; i < s->view.nrecords && i < APP_IO_RECORDS_MAX; i++)
            s->view.records[i] = r->records[i];
        s->view.records_heard_ms = r->last_sync_ok_ms;
        s->view.records_hub = r->rc == KIOSK_OK ? r->hub_answer : 2;
        s->view.records_hub_heard_ms = r->hub_heard_ms;
        flow_event ev = {.type = FLOW_EV_RECORDS, .rc = r->rc};
        dispatch(s, &ev);
        return;
    }
    if (r->kind == APP_IO_RECORD_STATES) {
        /* the hub's word on the list shown: taken only for that same list */
        const flow_view *fv = flow_get_view(s->flow);
        if (fv->step != FLOW_RECORDS || fv->records_loading || s->view.records_hub != 0 ||
            r->nrecords != s->view.nrecords)
            return;
        for (int i = 0; i < s->view.nrecords; i++) {
            app_io_record *o = &s->view.records[i];
            if (strcmp(o->receipt_no, r->records[i].receipt_no) != 0)
                return;
        }
        for (int i = 0; i < s->view.nrecords; i++) {
            app_io_record *o = &s->view.records[i];
            o->hub_state = r->records[i].hub_state;
            memcpy(o->hub_note, r->records[i].hub_note, sizeof o->hub_note);
            o->hub_changed_ms = r->records[i].hub_changed_ms;
        }
        s->view.records_hub = r->hub_answer;
        s->view.records_hub_heard_ms = r->hub_heard_ms;
        changed(s, SESSION_REDRAW);
        return;
    }
    if (r->kind == APP_IO_DRAFT) {
        if (flow_get_view(s->flow)->step != FLOW_SERVICES || r->rc != KIOSK_OK || !r->draft ||
            s->draft)
            return;          /* none, or the citizen went on meanwhile (item_wipe wipes it) */
        s->draft = r->draft; /* the session's until resumed, declined or wiped */
        r->draft = NULL;
        r->draft_len = 0;
        s->view.resume_offer = true;
        s->view.resume_written_ms = r->created_ms;
        s->view.resume_type = REGISTRATION_TYPE_REGISTRATION;
        json_t *root = json_loads(s->draft, 0, NULL); /* which form: the offer names it */
        const char *type = json_string_value(json_object_get(root, "type"));
        registration_type rt;
        if (type && registration_type_parse(type, &rt) == KIOSK_OK)
            s->view.resume_type = rt;
        json_decref(root);
        kiosk_log_info("session", "an unfinished form of this citizen is kept: offered");
        changed(s, SESSION_REDRAW);
        return;
    }
    if (r->kind == APP_IO_PRINTER) {
        s->view.printer_fault = r->rc != KIOSK_OK;
        changed(s, SESSION_REDRAW);
        return;
    }
    if (r->kind == APP_IO_SERVICE) {
        /* the state kept from before the start, unless staff changed it since */
        if (!r->at_start || !s->service_set)
            s->view.out_of_service = r->count != 0;
        if (s->opt.staff_result)
            s->opt.staff_result(s->opt.ui_ctx, r);
        changed(s, SESSION_REDRAW);
        return;
    }
    if (r->kind == APP_IO_SLIP) {
        const flow_view *fv = flow_get_view(s->flow);
        if (fv->step != FLOW_INFO || !fv->slip_printing)
            return; /* the citizen left meanwhile */
        flow_event ev = {.type = FLOW_EV_PRINTED, .rc = r->rc};
        dispatch(s, &ev);
        return;
    }
    if (r->kind >= APP_IO_LOGIN || (r->kind == APP_IO_PRINT && s->staff_mode)) {
        if (s->opt.staff_result)
            s->opt.staff_result(s->opt.ui_ctx, r);
        changed(s, SESSION_REDRAW);
        return;
    }
    flow_event ev = {.rc = r->rc};
    switch (r->kind) {
    case APP_IO_READY:
        if (r->rc == KIOSK_OK)
            return;
        kiosk_log_error("session", "records cannot be saved now: %s", kiosk_strerror(r->rc));
        ev.type = FLOW_EV_STORE_UNAVAILABLE;
        break;
    case APP_IO_SAVE:
        ev.type = FLOW_EV_SAVED;
        ev.receipt_no = r->receipt_no;
        if (r->rc == KIOSK_OK && s->opt.record_saved)
            s->opt.record_saved(s->opt.record_saved_ctx);
        break;
    case APP_IO_PRINT:
        drop_receipt(s);
        s->receipt = r->preview;
        r->preview = (receipt_bitmap){0};
        changed(s, SESSION_RECEIPT);
        ev.type = FLOW_EV_PRINTED;
        break;
    default: /* the staff kinds, handled above */
        return;
    }
    dispatch(s, &ev);
}

static bool battery_low(const session *s)
{
    return s->power && !power_can_start_session(&s->view.power, SESSION_MIN_BATTERY_PERCENT,
                                                SESSION_MIN_BATTERY_MINUTES);
}

static void on_identity_event(session *s, const identity_event *ie)
{
    bool on = ie->type == IDENTITY_CARD_PRESENT ||
              (s->view.card_on_reader && ie->type != IDENTITY_CARD_REMOVED &&
               ie->type != IDENTITY_READER_FAULT);
    if (on != s->view.card_on_reader) {
        s->view.card_on_reader = on;
        changed(s, SESSION_REDRAW);
    }
    if (ie->type == IDENTITY_READER_FAULT || ie->type == IDENTITY_READER_OK) {
        s->view.reader_ok = ie->type == IDENTITY_READER_OK;
        s->view.reader_fault = ie->type == IDENTITY_READER_FAULT;
        changed(s, SESSION_REDRAW);
    }
    if (s->staff_mode) {
        /* staff at the kiosk: cards are the reader test or a staff login, never a
         * citizen's session */
        if (s->opt.staff_card)
            s->opt.staff_card(s->opt.ui_ctx, ie);
        return;
    }
    if (ie->type == IDENTITY_CARD_PRESENT && flow_get_view(s->flow)->step == FLOW_ATTRACT) {
        if (s->view.out_of_service)
            return;
        if (s->view.store_fault) {
            kiosk_log_warn("session", "records cannot be saved: a card starts nothing");
            return;
        }
        if (s->view.printer_fault && s->cfg.printer_required) {
            kiosk_log_warn("session", "no printer: a card starts nothing ([printer] required)");
            return;
        }
        if (battery_low(s)) {
            s->view.battery_refused = true;
            changed(s, SESSION_REDRAW);
            kiosk_log_warn("session", "battery too low to start a registration");
            return;
        }
        s->view.battery_refused = false;
    }
    flow_event ev = {.rc = ie->rc, .tries_left = ie->tries_left};
    switch (ie->type) {
    case IDENTITY_CARD_PRESENT:
        ev.type = FLOW_EV_CARD_PRESENT;
        break;
    case IDENTITY_CARD_READ:
        ev.type = FLOW_EV_CARD_READ;
        ev.card = &ie->card;
        break;
    case IDENTITY_PIN_WRONG:
        ev.type = FLOW_EV_PIN_WRONG;
        break;
    case IDENTITY_PIN_BLOCKED:
        ev.type = FLOW_EV_PIN_BLOCKED;
        break;
    case IDENTITY_HOLDER:
        ev.type = FLOW_EV_HOLDER;
        ev.card = &ie->card;
        ev.holder = &ie->holder;
        permit_language(s, ie->holder.id_number, NULL);
        break;
    case IDENTITY_NEEDS_ID_ENTRY:
        ev.type = FLOW_EV_NEEDS_ID_ENTRY;
        break;
    case IDENTITY_CARD_UNREADABLE:
        ev.type = FLOW_EV_CARD_UNREADABLE;
        break;
    case IDENTITY_CARD_MISMATCH:
        ev.type = FLOW_EV_CARD_MISMATCH;
        break;
    case IDENTITY_CARD_REMOVED:
        ev.type = FLOW_EV_CARD_REMOVED;
        break;
    case IDENTITY_READER_FAULT:
        ev.type = FLOW_EV_READER_FAULT;
        break;
    case IDENTITY_CARD_NUMBER:
        ev.type = FLOW_EV_CARD_NUMBER;
        ev.card = &ie->card;
        break;
    case IDENTITY_READER_OK:
        return;
    }
    dispatch(s, &ev);
}

int session_pump_one(session *s)
{
    item it;
    if (!take(s, &it))
        return 0;
    if (it.kind == ITEM_IDENTITY)
        on_identity_event(s, &it.u.id);
    else
        on_io_result(s, &it.u.io);
    item_wipe(&it);
    return 1;
}

void session_pump(session *s)
{
    while (session_pump_one(s))
        ;
    int64_t now = kiosk_clock_mono_ms(s->clock);
    if (s->sim_takeback_ms && now >= s->sim_takeback_ms) {
        s->sim_takeback_ms = 0;
        reader *sim = __atomic_load_n(&s->sim, __ATOMIC_SEQ_CST);
        if (sim && flow_get_view(s->flow)->step == FLOW_ATTRACT)
            reader_sim_set_present(sim, 0);
    }
    if (s->power && now - s->power_read_ms >= 5000) {
        power_status before = s->view.power;
        s->power_read_ms = now;
        if (power_read(s->power, &s->view.power) == KIOSK_OK &&
            (before.percent != s->view.power.percent || before.charging != s->view.power.charging))
            changed(s, SESSION_REDRAW);
        if (s->view.power.charging)
            s->view.battery_refused = false;
    }
    /* reading aids chosen on the attract screen by someone who then walked away */
    if (flow_get_view(s->flow)->step == FLOW_ATTRACT &&
        now - s->prefs_set_ms >=
            (int64_t)(s->cfg.idle_timeout_s > 0 ? s->cfg.idle_timeout_s : 90) * 1000)
        reset_prefs(s);
    send(s, FLOW_EV_TICK);
    note_idle(s, now);
}

const session_view *session_get_view(session *s)
{
    session_view *v = &s->view;
    v->flow = flow_get_view(s->flow);
    v->record = flow_record(s->flow);
    v->pin_len = (int)strlen(s->pin);
    v->pad = s->pad;
    v->commitment = s->commitment;
    v->receipt = &s->receipt;
    v->reader_started = s->identity != NULL;
    v->has_power = s->power != NULL;
    v->printer_required = s->cfg.printer_required != 0;
    v->battery_low = battery_low(s);
    return v;
}

const codes_tables *session_codes(const session *s)
{
    return s->codes;
}

const divisions *session_divisions(const session *s)
{
    return s->divs;
}

const codes_tables *session_codes_shown(const session *s)
{
    return kiosk_lang_is_hant(s->view.prefs.language) && s->codes_hant ? s->codes_hant : s->codes;
}

const divisions *session_divisions_shown(const session *s)
{
    return kiosk_lang_is_hant(s->view.prefs.language) && s->divs_hant ? s->divs_hant : s->divs;
}

const char *session_home_division(const session *s)
{
    return s->cfg.division;
}

/* ---- intents ------------------------------------------------------------------------ */

void session_help(session *s)
{
    const char *step = voice_prompt_name(flow_get_view(s->flow)->step);
    /* the kiosk and the step, never the citizen: staff come to the screen to see */
    kiosk_log_info("session", "help asked for at step %s", step ? step : "?");
    /* queued for the hub with its audit entry; the result wakes the sync worker */
    if (s->io && app_io_help(s->io, step ? step : "unknown") != KIOSK_OK)
        kiosk_log_error("session", "the help request could not be queued for the hub");
    s->view.help_shown = true;
    send(s, FLOW_EV_HELP_OPEN); /* the idle timer waits with the citizen */
    changed(s, SESSION_REDRAW);
}

void session_help_close(session *s)
{
    s->view.help_shown = false;
    send(s, FLOW_EV_HELP_CLOSE);
    changed(s, SESSION_REDRAW);
}

void session_touch(session *s)
{
    send(s, FLOW_EV_TOUCH);
    if (atomic_load(&s->idle_since_ms)) /* someone at the attract screen: idle again from now */
        atomic_store(&s->idle_since_ms, kiosk_clock_mono_ms(s->clock));
}

void session_tap(session *s)
{
    if (flow_get_view(s->flow)->step != FLOW_ATTRACT)
        s->view.taps++;
    send(s, FLOW_EV_TOUCH);
}

void session_pin_digit(session *s, int digit)
{
    size_t n = strlen(s->pin);
    if (flow_get_view(s->flow)->step == FLOW_PIN && digit >= 0 && digit <= 9 &&
        n < SESSION_PIN_DIGITS)
        s->pin[n] = (char)('0' + digit);
    changed(s, SESSION_REDRAW);
}

void session_pin_delete(session *s)
{
    size_t n = strlen(s->pin);
    if (n > 0)
        s->pin[n - 1] = '\0';
    changed(s, SESSION_REDRAW);
}

void session_pin_clear(session *s)
{
    explicit_bzero(s->pin, sizeof s->pin);
    changed(s, SESSION_REDRAW);
}

void session_pin_confirm(session *s)
{
    if (flow_get_view(s->flow)->step != FLOW_PIN || strlen(s->pin) != SESSION_PIN_DIGITS)
        return;
    kiosk_rc rc = s->identity ? identity_worker_submit_pin(s->identity, s->pin) : KIOSK_NO_CARD;
    explicit_bzero(s->pin, sizeof s->pin);
    if (rc == KIOSK_OK)
        send(s, FLOW_EV_PIN_ENTERED);
    else
        kiosk_log_warn("session", "the reader did not take the PIN: %s", kiosk_strerror(rc));
    changed(s, SESSION_REDRAW);
}

static void answers_next(session *s);

void session_answer(session *s, int q, bool yes)
{
    if (q < 0 || q > 3 || flow_get_view(s->flow)->step != FLOW_QUESTIONS)
        return;
    int was_open = s->view.answers[q] < 0, open = 0;
    s->view.answers[q] = yes ? 1 : 0;
    s->view.show_missing = false;
    for (int i = 0; i < 4; i++)
        open += s->view.answers[i] < 0;
    if (was_open && open == 0) {
        /* the last question answered: on at once (the outcome, or the form), one tap
         * less; an answer changed afterwards waits for 下一步 */
        answers_next(s);
        return;
    }
    keep_draft(s); /* the answers so far outlive a power cut */
    changed(s, SESSION_REDRAW);
}

static void answers_next(session *s)
{
    flow_event ev = {.type = FLOW_EV_ANSWERS};
    for (int i = 0; i < 4; i++) {
        if (s->view.answers[i] < 0) {
            s->view.show_missing = true;
            changed(s, SESSION_REDRAW);
            return;
        }
        ev.answers[i] = s->view.answers[i] == 1;
    }
    dispatch(s, &ev);
}

void session_set_field(session *s, registration_field field, const char *text)
{
    if (field == REGISTRATION_DOCUMENT_NUMBER)
        permit_language(s, text, NULL);
    else if (field == REGISTRATION_DOCUMENT_TYPE)
        permit_language(s, NULL, text);
    flow_event ev = {.type = FLOW_EV_FIELD_SET, .field = field, .text = text};
    dispatch(s, &ev);
}

void session_next(session *s)
{
    switch (flow_get_view(s->flow)->step) {
    case FLOW_QUESTIONS:
        answers_next(s);
        break;
    case FLOW_COMMITMENT:
        session_agree(s);
        break;
    case FLOW_SIGNATURE:
        session_sign_confirm(s);
        break;
    default:
        send(s, FLOW_EV_NEXT);
    }
}

void session_back(session *s)
{
    send(s, FLOW_EV_BACK);
}

void session_cancel(session *s)
{
    send(s, FLOW_EV_CANCEL);
}

void session_cancel_confirm(session *s)
{
    send(s, FLOW_EV_CANCEL_CONFIRM);
}

void session_cancel_keep(session *s)
{
    send(s, FLOW_EV_CANCEL_KEEP);
}

void session_more_time(session *s)
{
    send(s, FLOW_EV_MORE_TIME);
}

void session_edit_page(session *s, flow_page page)
{
    flow_event ev = {.type = FLOW_EV_EDIT, .page = page};
    dispatch(s, &ev);
}

void session_scroll(session *s)
{
    send(s, FLOW_EV_SCROLL);
}

void session_commitment_end_reached(session *s)
{
    if (flow_get_view(s->flow)->step == FLOW_COMMITMENT && !s->view.commitment_end_reached) {
        s->view.commitment_end_reached = true;
        changed(s, SESSION_REDRAW);
    }
}

void session_agree(session *s)
{
    if (flow_get_view(s->flow)->step != FLOW_COMMITMENT || !s->view.commitment_end_reached)
        return; /* agreeing to what was not read is no agreement */
    send(s, FLOW_EV_NEXT);
}

void session_reprint(session *s)
{
    send(s, FLOW_EV_REPRINT);
}

void session_service(session *s, flow_service service)
{
    flow_event ev = {.type = FLOW_EV_SERVICE, .service = service};
    dispatch(s, &ev);
}

/* Replay draft (the kept form's JSON) through the flow: the questions, every field as
 * given, then on to the page reached (a reviewed form: to the review). */
static kiosk_rc replay_draft(session *s, const char *draft)
{
    json_error_t err;
    json_t *root = json_loads(draft, 0, &err);
    json_t *answers = json_object_get(root, "answers"), *fields = json_object_get(root, "fields");
    const char *step = json_string_value(json_object_get(root, "step"));
    json_int_t page = json_integer_value(json_object_get(root, "page"));
    /* the record's type (a draft of before had none: a registration) */
    const char *type_key = json_string_value(json_object_get(root, "type"));
    registration_type type = REGISTRATION_TYPE_REGISTRATION;
    kiosk_rc rc = KIOSK_OK;
    if (!json_is_array(answers) || json_array_size(answers) != 4 || !json_is_array(fields) ||
        !step || (type_key && registration_type_parse(type_key, &type) != KIOSK_OK))
        rc = KIOSK_CORRUPT;
    if (rc == KIOSK_OK && type != REGISTRATION_TYPE_REGISTRATION) {
        /* 注销申报, 求职登记: the type's tile opens its one page */
        session_service(s, type == REGISTRATION_TYPE_DEREGISTRATION ? FLOW_SERVICE_REPORT
                                                                    : FLOW_SERVICE_JOBSEEKER);
        if (flow_get_view(s->flow)->step != FLOW_FORM || flow_record(s->flow)->type != type)
            rc = KIOSK_INVALID;
    } else if (rc == KIOSK_OK) {
        session_service(s, FLOW_SERVICE_REGISTER);
        if (flow_get_view(s->flow)->step != FLOW_QUESTIONS)
            rc = KIOSK_INVALID;
        int at_questions = strcmp(step, "questions") == 0;
        for (size_t i = 0; rc == KIOSK_OK && i < 4; i++) {
            json_int_t a = json_integer_value(json_array_get(answers, i));
            /* cut at the questions: the ones not yet answered stay open */
            s->view.answers[i] = a == 1 ? 1 : at_questions && a < 0 ? -1 : 0;
        }
        if (rc == KIOSK_OK && at_questions) {
            keep_draft(s); /* kept as resumed: a second cut finds the same */
        } else if (rc == KIOSK_OK) {
            answers_next(s);
            if (flow_get_view(s->flow)->step != FLOW_FORM)
                rc = KIOSK_INVALID;
        }
    }
    for (size_t i = 0; rc == KIOSK_OK && i < json_array_size(fields); i++) {
        json_t *f = json_array_get(fields, i);
        json_int_t id = json_integer_value(json_array_get(f, 0));
        const char *text = json_string_value(json_array_get(f, 1));
        if (text && id >= 0 && id < REGISTRATION_FIELD_COUNT)
            session_set_field(s, (registration_field)id, text);
    }
    int reviewed = strcmp(step, "form") != 0;
    for (int guard = 0; rc == KIOSK_OK && guard < FLOW_PAGE_COUNT + 1 &&
                        flow_get_view(s->flow)->step == FLOW_FORM &&
                        (reviewed || (json_int_t)flow_get_view(s->flow)->page < page);
         guard++) {
        flow_page was = flow_get_view(s->flow)->page;
        send(s, FLOW_EV_NEXT);
        if (flow_get_view(s->flow)->step == FLOW_FORM && flow_get_view(s->flow)->page == was)
            break; /* the page asks for something: the citizen sees it there */
    }
    json_decref(root); /* jansson's copies of the texts: freed, as registration_to_json's */
    return rc;
}

void session_resume(session *s, bool yes)
{
    if (!s->view.resume_offer || flow_get_view(s->flow)->step != FLOW_SERVICES)
        return;
    s->view.resume_offer = false;
    char *draft = s->draft;
    s->draft = NULL;
    if (!yes) {
        s->draft_kept = true; /* declined: it goes now */
        drop_draft(s);
        kiosk_log_info("session", "the unfinished form was declined: removed");
    } else {
        kiosk_rc rc = draft ? replay_draft(s, draft) : KIOSK_NOT_FOUND;
        kiosk_log_info("session", "the unfinished form was resumed: %s", kiosk_strerror(rc));
    }
    if (draft) {
        explicit_bzero(draft, strlen(draft));
        free(draft);
    }
    changed(s, SESSION_REDRAW);
}

void session_reprint_record(session *s, int index)
{
    if (index < 0 || index >= s->view.nrecords)
        return;
    flow_event ev = {.type = FLOW_EV_REPRINT_RECORD,
                     .receipt_no = s->view.records[index].receipt_no};
    dispatch(s, &ev);
}

void session_info_open(session *s, flow_info_page page, int index, int first)
{
    flow_event ev = {.type = FLOW_EV_INFO, .info_page = page, .index = index, .first = first};
    dispatch(s, &ev);
}

void session_print_slip(session *s)
{
    send(s, FLOW_EV_PRINT_SLIP);
}

/* ---- the signature ------------------------------------------------------------------ */

kiosk_rc session_pad_layout(session *s, int w, int h, float px_per_mm)
{
    if (s->pad)
        return KIOSK_OK;
    return signature_create(w, h, px_per_mm, &s->pad);
}

void session_stroke(session *s, int phase, float x, float y)
{
    if (flow_get_view(s->flow)->step != FLOW_SIGNATURE || !s->pad)
        return;
    int64_t t = kiosk_clock_mono_ms(s->clock);
    if (phase == 0) {
        s->pad_drawing = signature_begin(s->pad, x, y, t) == KIOSK_OK;
        s->view.signature_problem = NULL;
        send(s, FLOW_EV_TOUCH);
    } else if (s->pad_drawing && phase == 1) {
        signature_move(s->pad, x, y, t);
        changed(s, SESSION_REDRAW);
    } else if (s->pad_drawing) {
        signature_end(s->pad, t);
        s->pad_drawing = false;
        changed(s, SESSION_REDRAW);
    }
}

bool session_stroke_open(const session *s)
{
    return s->pad_drawing;
}

void session_sign_clear(session *s)
{
    if (s->pad)
        signature_clear(s->pad);
    s->pad_drawing = false;
    s->view.signature_problem = NULL;
    send(s, FLOW_EV_TOUCH);
}

void session_sign_confirm(session *s)
{
    if (flow_get_view(s->flow)->step != FLOW_SIGNATURE)
        return;
    signature_verdict why = SIGNATURE_EMPTY;
    if (s->pad && signature_check(s->pad, &why) == KIOSK_OK) {
        s->view.signature_problem = NULL;
        send(s, FLOW_EV_SIGNED);
        return;
    }
    static const char *const keys[] = {[SIGNATURE_EMPTY] = "screen.signature_empty",
                                       [SIGNATURE_TOO_SMALL] = "screen.signature_too_small",
                                       [SIGNATURE_TOO_SHORT] = "screen.signature_too_short",
                                       [SIGNATURE_A_DOT_OR_LINE] = "screen.signature_line"};
    s->view.signature_problem = (unsigned)why < sizeof keys / sizeof keys[0] && keys[why]
                                    ? keys[why]
                                    : "screen.signature_empty";
    send(s, FLOW_EV_TOUCH);
}

/* ---- around the session ------------------------------------------------------------- */

void session_set_staff_mode(session *s, bool on)
{
    s->staff_mode = on;
    note_idle(s, kiosk_clock_mono_ms(s->clock));
}

/* ---- idle, for the update worker ---- */

/* UI thread: busy while the flow is away from the attract screen or staff are at the
 * desk; idle from the moment both end. */
static void note_idle(session *s, int64_t now)
{
    bool busy = s->staff_mode || flow_get_view(s->flow)->step != FLOW_ATTRACT;
    int64_t since = atomic_load(&s->idle_since_ms);
    if (busy && since)
        atomic_store(&s->idle_since_ms, 0);
    else if (!busy && !since)
        atomic_store(&s->idle_since_ms, now > 0 ? now : 1);
}

int64_t session_idle_ms(session *s)
{
    int64_t since = atomic_load(&s->idle_since_ms);
    if (!since)
        return -1;
    int64_t d = kiosk_clock_mono_ms(s->clock) - since;
    return d > 0 ? d : 0;
}

app_io *session_io(session *s)
{
    return s->io;
}

void session_set_out_of_service(session *s, bool on, const char *who)
{
    s->view.out_of_service = on;
    s->service_set = true;
    if (s->io)
        app_io_service(s->io, on, who);
    kiosk_log_info("session", "kiosk %s by staff", on ? "out of service" : "in service");
    changed(s, SESSION_REDRAW);
}

bool session_has_sim_card(session *s)
{
    return __atomic_load_n(&s->sim, __ATOMIC_SEQ_CST) != NULL;
}

kiosk_rc session_sim_card(session *s, bool present)
{
    reader *sim = __atomic_load_n(&s->sim, __ATOMIC_SEQ_CST);
    /* the worker opens the reader on its own thread: give it a moment after start */
    for (int i = 0;
         !sim && s->identity && s->cfg.reader_backend == KIOSK_READER_SIMULATED && i < 200; i++) {
        nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
        sim = __atomic_load_n(&s->sim, __ATOMIC_SEQ_CST);
    }
    if (!sim)
        return KIOSK_UNSUPPORTED;
    bool taking_back = s->sim_takeback_ms != 0;
    s->sim_takeback_ms = 0;
    if (present && taking_back)
        reader_sim_swap_card(sim); /* the last citizen's card makes way for this one */
    else
        reader_sim_set_present(sim, present);
    return KIOSK_OK;
}
