/*
 * The journey's transitions. Time comes from the injected clock (monotonic for idle),
 * so tests drive timeouts with a manual clock. The registration lives inside the flow
 * and is wiped whenever a session ends unsaved; card fields are locked once copied.
 */
#include "flow/flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"

struct flow {
    flow_config cfg;
    flow_view view;
    registration rec;
    bool session;        /* a citizen is being served */
    bool saved;          /* the record is committed: nothing can be lost now */
    bool need_questions; /* ID keyed in by hand: ask the questions after the page */
    int64_t last_activity_ms;
    int64_t done_at_ms;
    char card_number[sizeof(((ssc_card *)0)->card_number)]; /* the session's card */
    flow_step away_from; /* FLOW_CARD_AWAY: where the citizen was */
    int64_t away_at_ms;
    uint64_t touched;    /* bit (1 << field): the citizen has given (or changed) the field */
    bool page_checked;   /* 下一步 was refused on this page: every problem of it is shown */
    bool via_services;   /* the questions were reached from the services screen (back there) */
    flow_step type_from; /* another record type's page: where its back goes (services or the
                            eligibility outcome) */
};

/* The form's pages are the paper form's sections (registration_section), in order. */
_Static_assert((int)FLOW_PAGE_COUNT == (int)REGISTRATION_SECTION_COUNT &&
                   (int)FLOW_PAGE_WISHES == (int)REGISTRATION_SECTION_WISHES,
               "flow pages and registration sections differ");
_Static_assert((int)FLOW_PAGE_DEREGISTRATION == (int)REGISTRATION_SECTION_DEREGISTRATION &&
                   (int)FLOW_PAGE_JOBSEEKER == (int)REGISTRATION_SECTION_JOBSEEKER,
               "flow pages and record types' sections differ");

static const char *const step_names[FLOW_STEP_COUNT] = {
    [FLOW_ATTRACT] = "attract",
    [FLOW_READING_CARD] = "reading_card",
    [FLOW_PIN] = "pin",
    [FLOW_CHECKING_PIN] = "checking_pin",
    [FLOW_QUESTIONS] = "questions",
    [FLOW_ELIGIBILITY] = "eligibility",
    [FLOW_FORM] = "form",
    [FLOW_REVIEW] = "review",
    [FLOW_COMMITMENT] = "commitment",
    [FLOW_SIGNATURE] = "signature",
    [FLOW_SAVING] = "saving",
    [FLOW_PRINTING] = "printing",
    [FLOW_DONE] = "done",
    [FLOW_MESSAGE] = "message",
    [FLOW_CARD_AWAY] = "card_away",
    [FLOW_SERVICES] = "services",
    [FLOW_RECORDS] = "records",
    [FLOW_INFO] = "info",
};

static const char *const service_names[FLOW_SERVICE_COUNT] = {
    [FLOW_SERVICE_REGISTER] = "register", [FLOW_SERVICE_RECORDS] = "records",
    [FLOW_SERVICE_REPORT] = "report",     [FLOW_SERVICE_JOBSEEKER] = "jobseeker",
    [FLOW_SERVICE_POLICIES] = "policies",
};

const char *flow_service_name(flow_service service)
{
    return (unsigned)service < FLOW_SERVICE_COUNT ? service_names[service] : NULL;
}

const char *flow_step_name(flow_step step)
{
    return (unsigned)step < FLOW_STEP_COUNT && step_names[step] ? step_names[step] : "?";
}

flow_page flow_page_of(registration_field field)
{
    const registration_field_info *fi = registration_field_get(field);
    return fi ? (flow_page)fi->section : FLOW_PAGE_PERSONAL;
}

/* The page of a field in the record being filled in (the mobile is on the job seeker's
 * page there). */
static flow_page page_of(const flow *f, registration_field field)
{
    const registration_field_info *fi = registration_type_field(f->rec.type, field);
    return fi ? (flow_page)fi->section : flow_page_of(field);
}

int flow_pages(const flow *f, flow_page *first)
{
    switch (f->rec.type) {
    case REGISTRATION_TYPE_DEREGISTRATION:
        *first = FLOW_PAGE_DEREGISTRATION;
        return 1;
    case REGISTRATION_TYPE_JOBSEEKER:
        *first = FLOW_PAGE_JOBSEEKER;
        return 1;
    case REGISTRATION_TYPE_REGISTRATION:
    case REGISTRATION_TYPE_COUNT:
        break;
    }
    *first = FLOW_PAGE_PERSONAL;
    return FLOW_PAGE_COUNT;
}

static int64_t now(const flow *f)
{
    return kiosk_clock_mono_ms(f->cfg.clock);
}

static void go(flow *f, flow_step step)
{
    f->view.step = step;
    f->view.nissues = 0;
    f->view.countdown_s = 0;
    f->view.confirm_cancel = false;
    f->view.records_note = NULL;
    f->view.info_note = NULL;
    f->page_checked = false;
}

/* End the session: wipe everything the citizen gave, back to the attract screen. */
static unsigned end_session(flow *f, flow_step next, const char *message_key)
{
    registration_wipe(&f->rec);
    explicit_bzero(f->card_number, sizeof f->card_number);
    f->view = (flow_view){0}; /* no personal data in the view beyond the receipt number */
    f->view.tries_left = -1;
    f->view.pin_tries = -1;
    f->session = f->saved = f->need_questions = f->via_services = false;
    f->touched = 0;
    f->view.message_key = message_key;
    go(f, next);
    f->last_activity_ms = now(f);
    return FLOW_ACT_WIPE;
}

kiosk_rc flow_create(const flow_config *cfg, flow **out)
{
    *out = NULL;
    flow *f = calloc(1, sizeof *f);
    if (!f)
        return KIOSK_NOMEM;
    f->cfg = *cfg;
    if (f->cfg.idle_timeout_s <= 0)
        f->cfg.idle_timeout_s = 90;
    if (f->cfg.countdown_s <= 0)
        f->cfg.countdown_s = 20;
    if (f->cfg.done_timeout_s <= 0)
        f->cfg.done_timeout_s = 60;
    if (f->cfg.card_away_s <= 0)
        f->cfg.card_away_s = 20;
    registration_init(&f->rec);
    end_session(f, FLOW_ATTRACT, NULL);
    *out = f;
    return KIOSK_OK;
}

void flow_destroy(flow *f)
{
    if (!f)
        return;
    registration_wipe(&f->rec);
    explicit_bzero(f, sizeof *f);
    free(f);
}

const flow_view *flow_get_view(const flow *f)
{
    return &f->view;
}

const registration *flow_record(const flow *f)
{
    return &f->rec;
}

/* Validation issues of one page (page < 0: all). Returns how many. */
static int check(flow *f, int page)
{
    registration_issue all[REGISTRATION_FIELD_COUNT];
    size_t n = 0;
    registration_validate(&f->rec, f->cfg.codes, f->cfg.divisions, kiosk_clock_today(f->cfg.clock),
                          all, REGISTRATION_FIELD_COUNT, &n);
    f->view.nissues = 0;
    for (size_t i = 0; i < n && f->view.nissues < FLOW_MAX_ISSUES; i++)
        if (page < 0 || (int)page_of(f, all[i].field) == page)
            f->view.issues[f->view.nissues++] = all[i];
    return f->view.nissues;
}

/* The problems of the page's fields the citizen has already given — each said next to
 * its field as it is left, not later; the untouched ones wait for 下一步 (once it was
 * refused, every problem of the page shows). */
static void check_left(flow *f)
{
    check(f, (int)f->view.page);
    if (f->page_checked)
        return;
    int kept = 0;
    for (int i = 0; i < f->view.nissues; i++)
        if (f->touched & (UINT64_C(1) << f->view.issues[i].field))
            f->view.issues[kept++] = f->view.issues[i];
    f->view.nissues = kept;
}

/* 登记失业地 follows the addresses until the citizen chooses it: the household's when the
 * household address is in the hall's own county or neither is, the residence's when only
 * the residence is (where the citizen lives and the hall serves). view.place_hint_key
 * says why, on the row. */
static void preselect_place(flow *f)
{
    const char *h = f->rec.household.division, *r = f->rec.residence.division;
    const char *home = f->cfg.home_division ? f->cfg.home_division : "";
    if (!h[0] && !r[0])
        return;
    size_t hn = strlen(home) < 6 ? strlen(home) : 6; /* the hall's county (or above) */
    int h_local = hn > 0 && h[0] && strncmp(h, home, hn) == 0;
    int r_local = hn > 0 && r[0] && strncmp(r, home, hn) == 0;
    const char *code = REGISTRATION_PLACE_HOUSEHOLD, *key = "form.hint.place_household";
    if (h_local) {
        key = "form.hint.place_household_local";
    } else if (r_local || !h[0]) {
        code = REGISTRATION_PLACE_RESIDENCE;
        key = r_local ? "form.hint.place_residence_local" : "form.hint.place_residence";
    }
    if (registration_set_text(&f->rec, REGISTRATION_PLACE, code) == KIOSK_OK)
        f->view.place_hint_key = key;
}

/* Set a field from its text form: dates "YYYYMMDD", 失业时间 "YYYY-MM", insurance
 * "yes"/"no", services as comma-separated codes; everything else as text. */
static kiosk_rc set_field(flow *f, registration_field field, const char *text)
{
    switch (field) {
    case REGISTRATION_BIRTH_DATE: {
        kiosk_date d;
        if (kiosk_date_parse(text, &d) != KIOSK_OK)
            return KIOSK_INVALID;
        return registration_set_birth_date(&f->rec, d);
    }
    case REGISTRATION_UNEMPLOYED_SINCE: {
        int y, m;
        char extra;
        if (sscanf(text, "%4d-%2d%c", &y, &m, &extra) != 2)
            return KIOSK_INVALID;
        return registration_set_unemployed_since(&f->rec, y, m);
    }
    case REGISTRATION_CLAIMS_INSURANCE:
        if (strcmp(text, "yes") && strcmp(text, "no"))
            return KIOSK_INVALID;
        return registration_set_claims_insurance(
            &f->rec, strcmp(text, "yes") == 0 ? REGISTRATION_YES : REGISTRATION_NO);
    case REGISTRATION_SITUATION_DATE:
    case REGISTRATION_AVAILABLE_FROM: {
        kiosk_date d = {0, 0, 0};
        if (text[0] && kiosk_date_parse(text, &d) != KIOSK_OK)
            return KIOSK_INVALID;
        return registration_set_date(&f->rec, field, d);
    }
    case REGISTRATION_JOB_CATEGORIES: {
        char buf[64];
        while (f->rec.job_category_count > 0)
            registration_remove_choice(&f->rec, field, f->rec.job_categories[0]);
        snprintf(buf, sizeof buf, "%s", text);
        kiosk_rc rc = KIOSK_OK;
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && rc == KIOSK_OK;
             tok = strtok_r(NULL, ",", &save))
            rc = registration_add_choice(&f->rec, field, tok);
        return rc;
    }
    case REGISTRATION_SERVICES: {
        char buf[64];
        const char *codes[8];
        size_t n = 0;
        snprintf(buf, sizeof buf, "%s", text);
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && n < 8;
             tok = strtok_r(NULL, ",", &save))
            codes[n++] = tok;
        return registration_set_services(&f->rec, codes, n);
    }
    default:
        return registration_set_text(&f->rec, field, text);
    }
}

static void take_holder(flow *f, const ssc_holder *h)
{
    char sex[2] = {h->sex, '\0'};
    registration_set_text(&f->rec, REGISTRATION_NAME, h->name);
    registration_set_text(&f->rec, REGISTRATION_SEX, sex);
    registration_set_text(&f->rec, REGISTRATION_ETHNICITY, h->ethnicity);
    registration_set_birth_date(&f->rec, h->birth);
    registration_set_text(&f->rec, REGISTRATION_DOCUMENT_TYPE, REGISTRATION_DOC_SOCIAL_SECURITY);
    registration_set_text(&f->rec, REGISTRATION_DOCUMENT_NUMBER, h->id_number);
    const registration_field locked[] = {REGISTRATION_NAME,          REGISTRATION_SEX,
                                         REGISTRATION_ETHNICITY,     REGISTRATION_BIRTH_DATE,
                                         REGISTRATION_DOCUMENT_TYPE, REGISTRATION_DOCUMENT_NUMBER};
    for (size_t i = 0; i < sizeof locked / sizeof locked[0]; i++)
        registration_lock(&f->rec, locked[i]);
}

/* Eligibility from the answers and the record's own birth date and sex. */
static unsigned decide(flow *f, const bool answers[4])
{
    idnum_info id;
    kiosk_date today = kiosk_clock_today(f->cfg.clock);
    if (idnum_parse18(registration_get_text(&f->rec, REGISTRATION_DOCUMENT_NUMBER), today, &id) !=
        KIOSK_OK) {
        go(f, FLOW_FORM);
        f->view.page = FLOW_PAGE_DOCUMENT;
        check(f, FLOW_PAGE_DOCUMENT);
        return FLOW_ACT_NONE;
    }
    eligibility_input in = {.birth = id.birth,
                            .sex = id.sex,
                            .women_group = ELIGIBILITY_WOMEN_UNKNOWN,
                            .today = today,
                            .receiving_pension = answers[0],
                            .employed = answers[1],
                            .able_to_work = answers[2],
                            .wants_work = answers[3]};
    explicit_bzero(&id, sizeof id);
    if (eligibility_decide(&in, &f->view.eligibility) != KIOSK_OK) {
        go(f, FLOW_MESSAGE);
        f->view.message_key = "flow.see_staff";
        return FLOW_ACT_NONE;
    }
    if (f->view.eligibility.outcome == ELIGIBILITY_ELIGIBLE) {
        go(f, FLOW_FORM);
        f->view.page = FLOW_PAGE_PERSONAL;
    } else {
        go(f, FLOW_ELIGIBILITY);
        f->view.message_key = eligibility_reason_key(f->view.eligibility.reason);
    }
    return FLOW_ACT_NONE;
}

static unsigned next_in_form(flow *f)
{
    if (check(f, (int)f->view.page) > 0) {
        f->page_checked = true;
        return FLOW_ACT_NONE;
    }
    if (f->need_questions && f->view.page == FLOW_PAGE_DOCUMENT) {
        f->need_questions = false;
        go(f, FLOW_QUESTIONS);
        return FLOW_ACT_NONE;
    }
    if (f->view.back_to_review || f->view.page + 1 >= FLOW_PAGE_COUNT) {
        f->view.back_to_review = false;
        go(f, FLOW_REVIEW);
        return FLOW_ACT_NONE;
    }
    f->view.page++;
    go(f, FLOW_FORM);
    return FLOW_ACT_NONE;
}

/* Steps during which the kiosk waits on the machine, not the citizen. */
static bool machine_busy(flow_step s)
{
    return s == FLOW_ATTRACT || s == FLOW_READING_CARD || s == FLOW_CHECKING_PIN ||
           s == FLOW_SAVING || s == FLOW_PRINTING;
}

static unsigned tick(flow *f)
{
    int64_t t = now(f);
    if (f->view.step == FLOW_DONE) {
        if (t - f->done_at_ms >= (int64_t)f->cfg.done_timeout_s * 1000)
            return end_session(f, FLOW_ATTRACT, NULL);
        return FLOW_ACT_NONE;
    }
    if (f->view.step == FLOW_CARD_AWAY) {
        int64_t left = (int64_t)f->cfg.card_away_s * 1000 - (t - f->away_at_ms);
        if (left <= 0) {
            kiosk_log_info("flow", "the card did not come back: session ended");
            return end_session(f, FLOW_MESSAGE, "flow.card_away_ended");
        }
        f->view.away_s = (int)((left + 999) / 1000);
        return FLOW_ACT_NONE;
    }
    if (machine_busy(f->view.step))
        return FLOW_ACT_NONE;
    if (f->view.help_waiting) {
        /* the citizen waits for staff: the wait is not inactivity */
        f->last_activity_ms = t;
        f->view.countdown_s = 0;
        return FLOW_ACT_NONE;
    }
    int64_t idle = t - f->last_activity_ms, limit = (int64_t)f->cfg.idle_timeout_s * 1000;
    if (idle < limit) {
        f->view.countdown_s = 0;
        return FLOW_ACT_NONE;
    }
    int64_t left = (int64_t)f->cfg.countdown_s * 1000 - (idle - limit);
    if (left <= 0) {
        kiosk_log_info("flow", "session ended after inactivity");
        return end_session(f, FLOW_ATTRACT, NULL);
    }
    f->view.countdown_s = (int)((left + 999) / 1000);
    return FLOW_ACT_NONE;
}

static bool is_activity(flow_event_type t)
{
    return t == FLOW_EV_PIN_ENTERED || t == FLOW_EV_ANSWERS || t == FLOW_EV_FIELD_SET ||
           t == FLOW_EV_NEXT || t == FLOW_EV_BACK || t == FLOW_EV_EDIT || t == FLOW_EV_SCROLL ||
           t == FLOW_EV_SIGNED || t == FLOW_EV_TOUCH || t == FLOW_EV_MORE_TIME ||
           t == FLOW_EV_CARD_PRESENT || t == FLOW_EV_REPRINT || t == FLOW_EV_CANCEL ||
           t == FLOW_EV_CANCEL_KEEP || t == FLOW_EV_SERVICE || t == FLOW_EV_REPRINT_RECORD ||
           t == FLOW_EV_INFO || t == FLOW_EV_PRINT_SLIP;
}

/* A page of 政策和服务机构; nothing of the citizen's is shown or kept there. */
static unsigned open_info(flow *f, flow_info_page page, int index, int first)
{
    if ((unsigned)page >= FLOW_INFO_PAGE_COUNT || index < 0 || index >= FLOW_INFO_INDEX_MAX ||
        first < 0 || first >= FLOW_INFO_INDEX_MAX || f->view.slip_printing)
        return FLOW_ACT_NONE;
    go(f, FLOW_INFO);
    f->view.info_page = page;
    f->view.info_index = index;
    f->view.info_first = first;
    return FLOW_ACT_NONE;
}

/* Another record type (注销申报, 求职登记) over the same holder: its one page, then the
 * review, commitment, signature, saving and printing of a registration. */
static unsigned start_type(flow *f, registration_type type)
{
    registration_set_type(&f->rec, type);
    f->type_from = f->view.step;
    f->touched = 0;
    f->view.back_to_review = false;
    f->view.message_key = NULL;
    flow_page first;
    flow_pages(f, &first);
    go(f, FLOW_FORM);
    f->view.page = first;
    return FLOW_ACT_NONE;
}

/* Back from another type's page: what was given there goes, the record is a
 * registration again, and the citizen is where the type was chosen. */
static void leave_type(flow *f)
{
    registration_field fields[16];
    size_t n = registration_section_fields((registration_section)f->view.page, fields, 16);
    for (size_t i = 0; i < n; i++)
        set_field(f, fields[i], "");
    registration_set_type(&f->rec, REGISTRATION_TYPE_REGISTRATION);
    f->touched = 0;
    go(f, f->type_from);
    if (f->type_from == FLOW_ELIGIBILITY)
        f->view.message_key = eligibility_reason_key(f->view.eligibility.reason);
}

/* A tile of the services screen. A service not on this kiosk yet stays on the screen
 * with its note (never a tile that silently does nothing). */
static unsigned choose_service(flow *f, flow_service service)
{
    f->view.message_key = NULL;
    if (f->view.id_keyed && service != FLOW_SERVICE_REGISTER && service != FLOW_SERVICE_POLICIES &&
        service < FLOW_SERVICE_COUNT) {
        /* the card's holder record was not read (a 3rd-generation card without a PSAM):
         * a service that answers for, or signs as, the card's holder says why, and stays */
        f->view.message_key = "services.needs_holder";
        return FLOW_ACT_NONE;
    }
    switch (service) {
    case FLOW_SERVICE_REGISTER:
        if (f->view.id_keyed) { /* the ID number first, then the questions */
            f->need_questions = true;
            go(f, FLOW_FORM);
            f->view.page = FLOW_PAGE_DOCUMENT;
            f->view.message_key = "flow.enter_id";
            return FLOW_ACT_NONE;
        }
        go(f, FLOW_QUESTIONS);
        return FLOW_ACT_NONE;
    case FLOW_SERVICE_RECORDS:
        go(f, FLOW_RECORDS);
        f->view.records_loading = true;
        f->view.records_rc = KIOSK_OK;
        return FLOW_ACT_QUERY;
    case FLOW_SERVICE_POLICIES:
        return open_info(f, FLOW_INFO_POLICIES, 0, 0);
    case FLOW_SERVICE_REPORT:
        return start_type(f, REGISTRATION_TYPE_DEREGISTRATION);
    case FLOW_SERVICE_JOBSEEKER:
        return start_type(f, REGISTRATION_TYPE_JOBSEEKER);
    case FLOW_SERVICE_COUNT:
        break;
    }
    return FLOW_ACT_NONE;
}

/* A card read while the session's card was away: the same card continues where the
 * citizen was; another one ends the session (its holder starts afresh after taking it
 * back and tapping again). */
static unsigned card_back(flow *f, const flow_event *ev)
{
    if (f->away_from == FLOW_PIN) {
        /* nothing was given yet: whichever card it is, it is asked for its PIN */
        f->view.card_generation = ev->card->generation;
    } else if (!ev->card->card_number[0] || strcmp(ev->card->card_number, f->card_number) != 0) {
        kiosk_log_info("flow", "another card came while the session's card was away");
        return end_session(f, FLOW_MESSAGE, "flow.other_card");
    }
    flow_step back = f->away_from;
    go(f, back);
    f->view.away_s = 0;
    if (back == FLOW_PIN) /* a PIN check the removal interrupted is asked again */
        f->view.pin_tries = ev->tries_left > 0 ? ev->tries_left : -1;
    kiosk_log_info("flow", "the session's card came back: continuing");
    return FLOW_ACT_NONE;
}

unsigned flow_handle(flow *f, const flow_event *ev)
{
    flow_step s = f->view.step;
    if (is_activity(ev->type)) {
        f->last_activity_ms = now(f);
        f->view.countdown_s = 0;
    }
    switch (ev->type) {
    case FLOW_EV_TICK:
        return tick(f);
    case FLOW_EV_CARD_PRESENT:
        if (s == FLOW_ATTRACT || s == FLOW_MESSAGE) {
            end_session(f, FLOW_READING_CARD, NULL);
            f->session = true;
        }
        return FLOW_ACT_NONE;
    case FLOW_EV_CARD_NUMBER:
        if (f->session && !f->saved && ev->card && ev->card->card_number[0] &&
            !f->view.card_known) {
            snprintf(f->card_number, sizeof f->card_number, "%s", ev->card->card_number);
            f->view.card_known = true;
        }
        return FLOW_ACT_NONE;
    case FLOW_EV_CARD_READ:
        if (s == FLOW_CARD_AWAY && ev->card)
            return card_back(f, ev);
        if (s == FLOW_READING_CARD && ev->card) {
            f->view.card_generation = ev->card->generation;
            /* the card's counter, before any digit (0 never comes: a blocked card is
             * FLOW_EV_PIN_BLOCKED) */
            f->view.pin_tries = ev->tries_left > 0 ? ev->tries_left : -1;
            go(f, FLOW_PIN);
        }
        return FLOW_ACT_NONE;
    case FLOW_EV_PIN_ENTERED:
        if (s == FLOW_PIN)
            go(f, FLOW_CHECKING_PIN);
        return FLOW_ACT_NONE;
    case FLOW_EV_PIN_WRONG:
        if (s == FLOW_CHECKING_PIN) {
            go(f, FLOW_PIN);
            f->view.tries_left = ev->tries_left;
        }
        return FLOW_ACT_NONE;
    case FLOW_EV_PIN_BLOCKED:
        return f->saved ? FLOW_ACT_NONE : end_session(f, FLOW_MESSAGE, "flow.pin_blocked");
    case FLOW_EV_HOLDER:
        if (s == FLOW_CHECKING_PIN && ev->holder) {
            take_holder(f, ev->holder);
            f->view.tries_left = -1;
            f->via_services = true;
            go(f, FLOW_SERVICES); /* which service: 失业登记 goes on to the questions */
        }
        return FLOW_ACT_NONE;
    case FLOW_EV_NEEDS_ID_ENTRY:
        if (s == FLOW_CHECKING_PIN) {
            /* identity is still bound to the card by its PIN; the citizen keys the ID
             * once a service that needs it is chosen (失业登记) */
            registration_set_text(&f->rec, REGISTRATION_DOCUMENT_TYPE,
                                  REGISTRATION_DOC_SOCIAL_SECURITY);
            f->view.tries_left = -1;
            f->view.id_keyed = true;
            f->via_services = true;
            go(f, FLOW_SERVICES);
        }
        return FLOW_ACT_NONE;
    case FLOW_EV_CARD_UNREADABLE:
        return f->saved ? FLOW_ACT_NONE : end_session(f, FLOW_MESSAGE, "flow.card_unreadable");
    case FLOW_EV_CARD_MISMATCH:
        /* not "unreadable": the card is fine to take back, its data need the counter */
        return f->saved ? FLOW_ACT_NONE : end_session(f, FLOW_MESSAGE, "flow.card_mismatch");
    case FLOW_EV_READER_FAULT:
        if (f->saved || !f->session)
            return FLOW_ACT_NONE;
        return end_session(f, FLOW_MESSAGE, "flow.reader_fault");
    case FLOW_EV_CARD_REMOVED:
        /* after saving, the card is no longer needed (taking it from the done screen,
         * once the receipt printed, ends the session); before, the session ends — and says
         * why (a reader fault has its own message). A card only tapped, or taken back
         * from a message, just ends it. */
        if (s == FLOW_DONE && f->view.printed)
            return end_session(f, FLOW_ATTRACT, NULL); /* the receipt in hand, the card back:
                                                         nothing is left to do here */
        if (f->saved || s == FLOW_ATTRACT || s == FLOW_CARD_AWAY)
            return FLOW_ACT_NONE;
        if (s == FLOW_READING_CARD || s == FLOW_MESSAGE || s == FLOW_ELIGIBILITY ||
            s == FLOW_SERVICES || s == FLOW_RECORDS || s == FLOW_INFO)
            return end_session(f, FLOW_ATTRACT, NULL); /* as the ending asked ("请取回"); on
                                                          the services and the records
                                                          nothing is given that could be lost */
        if (!f->view.card_known && s != FLOW_PIN && s != FLOW_CHECKING_PIN)
            return end_session(f, FLOW_MESSAGE, "flow.card_removed"); /* no telling it */
        /* the citizen may only have taken it to look at it: wait for it a while */
        f->away_from = s == FLOW_CHECKING_PIN ? FLOW_PIN : s;
        f->away_at_ms = now(f);
        go(f, FLOW_CARD_AWAY);
        f->view.away_s = f->cfg.card_away_s;
        return FLOW_ACT_NONE;
    case FLOW_EV_ANSWERS:
        return s == FLOW_QUESTIONS ? decide(f, ev->answers) : FLOW_ACT_NONE;
    case FLOW_EV_FIELD_SET:
        if (s == FLOW_FORM && ev->text) {
            kiosk_rc rc = set_field(f, ev->field, ev->text);
            if (rc != KIOSK_READ_ONLY && (unsigned)ev->field < 64)
                f->touched |= UINT64_C(1) << ev->field;
            if (ev->field == REGISTRATION_PLACE)
                f->view.place_hint_key = NULL; /* the citizen's own choice */
            else if ((ev->field == REGISTRATION_HOUSEHOLD_DIVISION ||
                      ev->field == REGISTRATION_RESIDENCE_DIVISION) &&
                     (f->view.place_hint_key || !f->rec.registration_place[0]))
                preselect_place(f);
            /* the field just left says at once what is wrong with it (a fixed one loses
             * its red frame as soon as it is fixed); the others wait until given */
            check_left(f);
        }
        return FLOW_ACT_NONE;
    case FLOW_EV_NEXT:
        switch (s) {
        case FLOW_FORM:
            return next_in_form(f);
        case FLOW_REVIEW:
            if (check(f, -1) == 0)
                go(f, FLOW_COMMITMENT);
            return FLOW_ACT_NONE;
        case FLOW_COMMITMENT:
            go(f, FLOW_SIGNATURE);
            return FLOW_ACT_NONE;
        case FLOW_ELIGIBILITY:
        case FLOW_MESSAGE:
        case FLOW_DONE:
        case FLOW_SERVICES: /* 结束 */
        case FLOW_RECORDS:
        case FLOW_INFO:
            return end_session(f, FLOW_ATTRACT, NULL);
        default:
            return FLOW_ACT_NONE;
        }
    case FLOW_EV_BACK:
        if (s == FLOW_FORM && f->view.back_to_review) {
            f->view.back_to_review = false;
            go(f, FLOW_REVIEW);
        } else if (s == FLOW_FORM && f->view.page >= FLOW_PAGE_COUNT) {
            leave_type(f);
        } else if (s == FLOW_FORM && f->need_questions && f->view.page == FLOW_PAGE_DOCUMENT) {
            f->need_questions = false; /* the ID keyed before the questions: back to the tiles */
            f->view.message_key = NULL;
            go(f, FLOW_SERVICES);
        } else if (s == FLOW_FORM && f->view.page > 0) {
            f->view.page--;
            go(f, FLOW_FORM);
        } else if (s == FLOW_FORM || s == FLOW_ELIGIBILITY) {
            /* from the outcome too: a mistaken answer is put right, not paid for with
             * the card and the PIN again */
            f->view.message_key = NULL;
            go(f, FLOW_QUESTIONS);
        } else if (s == FLOW_REVIEW) {
            flow_page first;
            int npages = flow_pages(f, &first);
            f->view.page = (flow_page)((int)first + npages - 1);
            go(f, FLOW_FORM);
        } else if (s == FLOW_COMMITMENT) {
            go(f, FLOW_REVIEW);
        } else if (s == FLOW_SIGNATURE) {
            go(f, FLOW_COMMITMENT);
        } else if ((s == FLOW_QUESTIONS && f->via_services) || s == FLOW_RECORDS) {
            f->view.message_key = NULL;
            f->view.records_loading = f->view.reprinting = false;
            go(f, FLOW_SERVICES); /* another service, with the same card and PIN */
        } else if (s == FLOW_INFO && !f->view.slip_printing) {
            if (f->view.info_page == FLOW_INFO_POLICY) /* back to the list, where it was */
                open_info(f, FLOW_INFO_POLICIES, 0, f->view.info_index);
            else
                go(f, FLOW_SERVICES);
        }
        return FLOW_ACT_NONE;
    case FLOW_EV_EDIT: {
        flow_page first;
        int npages = flow_pages(f, &first);
        if (s == FLOW_REVIEW && ev->page >= first && (int)ev->page < (int)first + npages) {
            go(f, FLOW_FORM);
            f->view.page = ev->page;
            f->view.back_to_review = true;
        }
        return FLOW_ACT_NONE;
    }
    case FLOW_EV_CANCEL:
        if (f->saved || !f->session)
            return FLOW_ACT_NONE;
        /* before the PIN nothing was given yet; after it, one tap must not lose a
         * half-filled form */
        if (s == FLOW_READING_CARD || s == FLOW_PIN || s == FLOW_CHECKING_PIN ||
            s == FLOW_SERVICES || s == FLOW_RECORDS || s == FLOW_INFO)
            return end_session(f, FLOW_ATTRACT, NULL);
        if (s == FLOW_CARD_AWAY)
            return end_session(f, FLOW_MESSAGE, "flow.cancelled");
        f->view.confirm_cancel = true;
        return FLOW_ACT_NONE;
    case FLOW_EV_CANCEL_CONFIRM:
        if (f->saved || !f->session || (!f->view.confirm_cancel && s != FLOW_CARD_AWAY))
            return FLOW_ACT_NONE;
        kiosk_log_info("flow", "the citizen cancelled");
        return end_session(f, FLOW_MESSAGE, "flow.cancelled");
    case FLOW_EV_CANCEL_KEEP:
        f->view.confirm_cancel = false;
        return FLOW_ACT_NONE;
    case FLOW_EV_SIGNED:
        if (s != FLOW_SIGNATURE)
            return FLOW_ACT_NONE;
        go(f, FLOW_SAVING);
        return FLOW_ACT_SAVE;
    case FLOW_EV_SAVED:
        if (s != FLOW_SAVING)
            return FLOW_ACT_NONE;
        if (ev->rc != KIOSK_OK || !ev->receipt_no)
            return end_session(f, FLOW_MESSAGE, "flow.save_failed");
        f->saved = true;
        snprintf(f->view.receipt_no, sizeof f->view.receipt_no, "%s", ev->receipt_no);
        /* the readable record is no longer needed: the store has it sealed */
        registration_wipe(&f->rec);
        go(f, FLOW_PRINTING);
        return FLOW_ACT_PRINT | FLOW_ACT_WIPE;
    case FLOW_EV_PRINTED:
        if (s == FLOW_INFO && f->view.slip_printing) {
            f->view.slip_printing = false;
            f->view.info_note = ev->rc == KIOSK_OK ? "info.printed" : "info.print_failed";
            return FLOW_ACT_NONE;
        }
        if (s == FLOW_RECORDS && f->view.reprinting) {
            f->view.reprinting = false;
            f->view.records_note =
                ev->rc == KIOSK_OK ? "records.reprinted" : "records.reprint_failed";
            return FLOW_ACT_NONE;
        }
        if (s != FLOW_PRINTING)
            return FLOW_ACT_NONE;
        f->view.printed = ev->rc == KIOSK_OK;
        go(f, FLOW_DONE);
        f->view.message_key = f->view.printed ? NULL : "flow.print_failed";
        f->done_at_ms = now(f);
        return FLOW_ACT_NONE;
    case FLOW_EV_REPRINT:
        if (s != FLOW_DONE || f->view.printed)
            return FLOW_ACT_NONE;
        f->view.copy = true;
        go(f, FLOW_PRINTING);
        return FLOW_ACT_PRINT;
    case FLOW_EV_STORE_UNAVAILABLE:
        /* nobody signs into the void: before the signature, the session ends here */
        if (f->saved || !f->session || s == FLOW_SAVING)
            return FLOW_ACT_NONE;
        return end_session(f, FLOW_MESSAGE, "flow.cannot_save");
    case FLOW_EV_SERVICE:
        /* the outcome that cannot register offers 求职登记 here (the counter is the other way) */
        if (s == FLOW_ELIGIBILITY && ev->service == FLOW_SERVICE_JOBSEEKER)
            return start_type(f, REGISTRATION_TYPE_JOBSEEKER);
        return s == FLOW_SERVICES ? choose_service(f, ev->service) : FLOW_ACT_NONE;
    case FLOW_EV_RECORDS:
        if (s == FLOW_RECORDS && f->view.records_loading) {
            f->view.records_loading = false;
            f->view.records_rc = ev->rc;
        }
        return FLOW_ACT_NONE;
    case FLOW_EV_REPRINT_RECORD:
        if (s != FLOW_RECORDS || f->view.records_loading || f->view.reprinting || !ev->receipt_no ||
            !ev->receipt_no[0] || strlen(ev->receipt_no) >= sizeof f->view.receipt_no)
            return FLOW_ACT_NONE;
        snprintf(f->view.receipt_no, sizeof f->view.receipt_no, "%s", ev->receipt_no);
        f->view.copy = true;
        f->view.reprinting = true;
        f->view.records_note = NULL;
        return FLOW_ACT_PRINT;
    case FLOW_EV_INFO:
        return s == FLOW_INFO ? open_info(f, ev->info_page, ev->index, ev->first) : FLOW_ACT_NONE;
    case FLOW_EV_PRINT_SLIP:
        if (s != FLOW_INFO || f->view.slip_printing || f->view.info_page == FLOW_INFO_POLICIES)
            return FLOW_ACT_NONE;
        f->view.slip_printing = true;
        f->view.info_note = NULL;
        return FLOW_ACT_PRINT_SLIP;
    case FLOW_EV_HELP_OPEN:
        f->view.help_waiting = true;
        f->last_activity_ms = now(f);
        f->view.countdown_s = 0;
        return FLOW_ACT_NONE;
    case FLOW_EV_HELP_CLOSE:
        f->view.help_waiting = false;
        f->last_activity_ms = now(f);
        return FLOW_ACT_NONE;
    case FLOW_EV_TOUCH:
    case FLOW_EV_MORE_TIME:
    case FLOW_EV_SCROLL:
        return FLOW_ACT_NONE;
    }
    return FLOW_ACT_NONE;
}
