/*
 * The citizen's session: the application layer between the workers and the screen. It
 * owns the journey's state machine (flow.h), the card reader worker (identity.h), the
 * I/O worker that saves and prints (app_io.h), the signature pad, the PIN typed so far,
 * the answers, the commitment text shown and the battery of a portable unit. The UI
 * hands it intents (a PIN digit, an answer, a field's value, next, cancel, a stroke …)
 * and draws what session_get_view() says; it decides nothing. Here the record is
 * assembled and handed to the store, the receipt's print job is started, sync is woken
 * and every way out wipes the citizen's data. No SDL: the whole journey runs in a test.
 *
 * Threads: the workers report on their own threads into a small queue here and call
 * options.wake; everything else — every function below — is for one thread, the UI's,
 * which drains the queue with session_pump().
 */
#ifndef KIOSK_APP_SESSION_H
#define KIOSK_APP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app_io.h"
#include "app/signature.h"
#include "config/kiosk_config.h"
#include "config/kiosk_info.h"
#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"
#include "flow/flow.h"
#include "identity/identity.h"
#include "power/power.h"
#include "receipt/receipt.h"

#define SESSION_PIN_DIGITS 6

/* Batteries: a registration takes about ten minutes (power.h). */
#define SESSION_MIN_BATTERY_PERCENT 20
#define SESSION_MIN_BATTERY_MINUTES 15

typedef struct session session;

/* What changed, for the UI (session_options.changed). */
enum {
    SESSION_REDRAW = 1,  /* something on screen changed */
    SESSION_WIPED = 2,   /* the citizen's data left: clear what the screens cached of it */
    SESSION_RECEIPT = 4, /* a new receipt image (or none) for the done screen */
    SESSION_PREFS = 8,   /* language, large text, contrast or voice changed (view.prefs) */
};

/* How the citizen wants to read and hear: chosen on any screen, back to the hall's
 * defaults (cfg->language, normal text and contrast, cfg->voice_enabled) when the session
 * ends or, on the attract screen, after idle_timeout_s without a card. Nothing of one
 * citizen carries over. */
typedef struct session_prefs {
    char language[8]; /* "zh_CN", "en", "zh_Hant" (kiosk_langs) */
    bool large_text;
    bool high_contrast;
    bool voice; /* each step's instruction spoken (app/voice.h) */
} session_prefs;

typedef struct session_options {
    const kiosk_clock *clock; /* kept; NULL: the system clock */
    int with_reader;          /* start the card reader worker ([reader] backend) */
    int with_store;           /* start the I/O worker: save records, print receipts */
    /* Any thread: a worker queued something; the UI thread should call session_pump
     * soon (e.g. push an SDL event to end its wait). May be NULL (then poll). */
    void (*wake)(void *ctx);
    void *wake_ctx;
    /* UI thread, from within a session_* call: what changed (SESSION_* bits). */
    void (*changed)(void *ctx, unsigned what);
    /* UI thread: a result of a staff job (APP_IO_LOGIN and later kinds, and APP_IO_PRINT
     * while staff_mode is on), for the maintenance menu. r is borrowed. */
    void (*staff_result)(void *ctx, const app_io_result *r);
    /* UI thread: a card event while staff_mode is on (reader test, staff card login);
     * never a citizen's session. ev is borrowed. */
    void (*staff_card)(void *ctx, const identity_event *ev);
    void *ui_ctx; /* the ctx of changed, staff_result and staff_card */
    /* UI thread, after a record was saved or a help request queued for the hub: there is
     * something to send (e.g. sync_worker_wake). May be NULL. */
    void (*record_saved)(void *ctx);
    void *record_saved_ctx;
} session_options;

/* What the screens show besides the flow's view (all borrowed until the next call). */
typedef struct session_view {
    const flow_view *flow;
    const registration *record;    /* the registration being filled in */
    int pin_len;                   /* PIN digits typed (never the digits) */
    int answers[4];                /* -1 not answered, 0 no, 1 yes */
    bool show_missing;             /* "answer every question" after next with gaps */
    const char *signature_problem; /* string key of the last refused signature, or NULL */
    const signature *pad;          /* the strokes drawn, NULL before the pad is laid out */
    const char *commitment;        /* the text shown, without its version line */
    bool commitment_end_reached;   /* the citizen scrolled to its end once */
    const receipt_bitmap *receipt; /* the receipt as printed (done screen), bits NULL: none */
    bool reader_started;           /* there is a reader worker */
    bool reader_ok;                /* the reader worker's last word: working */
    bool reader_fault;             /* …or silent or gone: no card can be read now */
    bool out_of_service;           /* staff took the kiosk out of service */
    bool printer_fault;            /* no printer could be opened (looked for again) */
    bool printer_required;         /* [printer] required: a fault stops new sessions */
    bool store_fault;              /* no record can be saved now: no session starts */
    kiosk_rc store_rc;             /* why (KIOSK_CONFIG: no upstream key, KIOSK_DISK_FULL …) */
    bool has_power;                /* a portable unit's power supply is read */
    power_status power;
    bool battery_low;     /* too low to start a registration */
    bool battery_refused; /* a card came while it was too low */
    bool card_on_reader;  /* a card lies on the reader ("请取回社保卡" when a session ends) */
    int taps;             /* this session's taps so far (session_tap) */
    kiosk_date answer_by; /* done: the hall answers by then ([policy] processing_days
                             working days; public holidays move it on) */
    int processing_days;
    session_prefs prefs;
    bool help_shown; /* 求助 was asked: "工作人员马上就来" until closed or the session ends */
    /* 我的办理记录 (FLOW_RECORDS): this citizen's records on this unit, newest first, once
     * flow->records_loading is over; wiped with the session */
    app_io_record records[APP_IO_RECORDS_MAX];
    int nrecords;
    int64_t records_heard_ms; /* when the unit last heard from the hub (0: never) */
    /* the hub's processing states in records[].hub_*: 0 being asked (the local list is
     * shown meanwhile), 1 the hub answered now, -1 it could not be asked (the last known
     * states shown, heard at records_hub_heard_ms), 2 no hub to ask */
    int records_hub;
    int64_t records_hub_heard_ms;
    /* FLOW_SERVICES: this citizen's unfinished form from before a power cut or a crash is
     * there (store/draft.h): "继续上次的登记？" until session_resume answers */
    bool resume_offer;
    int64_t resume_written_ms;     /* when that form was last kept (wall clock) */
    registration_type resume_type; /* that form's record type (the offer names it) */
    /* 政策和服务机构: the hall's policies and agencies in the screen's language (zh_CN's
     * where that language has no file; NULL: the hall has none), borrowed from the session */
    const kiosk_info *info;
    /* the follow-up plan of the registration just saved (done screen and receipt; off
     * outside a registration's end): the intents (1 << followup_intent, 0: the general
     * "131" plan) and the date, FOLLOWUP_WORKING_DAYS working days on by the hall's
     * calendar (assets/info/calendar.ini) */
    bool plan_on;
    unsigned plan_intents;
    kiosk_date plan_by;
} session_view;

/* Create the session for cfg (copied): loads the code tables, divisions and the
 * commitment text of cfg->language (a kiosk without them must not start), starts the
 * workers asked for. On failure *out is NULL and the reason is logged: KIOSK_NOT_FOUND,
 * KIOSK_CORRUPT, KIOSK_NOMEM. *out is owned: session_destroy. */
kiosk_rc session_create(const kiosk_config *cfg, const session_options *opt, session **out);

/* Stop the workers (a save in progress completes), wipe and free. NULL is fine. */
void session_destroy(session *s);

/* Handle what the workers queued, then let time pass (idle countdown, battery). */
void session_pump(session *s);

/* Handle one queued worker report and nothing else (time does not pass): 1 when there
 * was one. For tests that look at a step the next report leaves (reading the card). */
int session_pump_one(session *s);

/* Tests and scripts: wait up to ms for a worker to queue something (1) or not (0). */
int session_wait(session *s, int ms);

/* The view (borrowed until the next session_* call). */
const session_view *session_get_view(session *s);

/* The code tables and divisions the form needs (borrowed; live as long as s). */
const codes_tables *session_codes(const session *s);
const divisions *session_divisions(const session *s);
/* The tables whose names the screens show: the Traditional ones while the language is
 * zh_Hant (same codes, names converted at build time), else the same as above. */
const codes_tables *session_codes_shown(const session *s);
const divisions *session_divisions_shown(const session *s);
/* The hall's own division ([device] division) when the division data knows it, else ""
 * (borrowed; lives as long as s): where the address picker opens. */
const char *session_home_division(const session *s);

/* The citizen's language ("zh_CN", "en"): its commitment text is loaded now and shown
 * from now on; view.prefs.language follows. */
kiosk_rc session_set_language(session *s, const char *lang);
void session_set_large_text(session *s, bool on);
void session_set_high_contrast(session *s, bool on);
/* The 🔊 toggle: view.prefs.voice (SESSION_PREFS). */
void session_set_voice(session *s, bool on);

/* ---- the citizen's intents ---- */

void session_touch(session *s); /* any touch: the citizen is still there */
/* A tap of the citizen's (not a stroke of the signature): still there, and counted for
 * the session's log line (taps, duration, time per step; no personal data). */
void session_tap(session *s);
void session_pin_digit(session *s, int digit);
void session_pin_delete(session *s);
void session_pin_clear(session *s);
/* Six digits typed: hand them to the reader worker. */
void session_pin_confirm(session *s);
/* Question q (0..3: pension, employed, able, wants work) answered. The answer that
 * leaves none open goes on by itself (as session_next); later changes wait for it. */
void session_answer(session *s, int q, bool yes);
/* The value of a form field as typed or chosen (copied). */
void session_set_field(session *s, registration_field field, const char *text);
void session_next(session *s);
void session_back(session *s);
void session_cancel(session *s);         /* asks first once the card was read */
void session_cancel_confirm(session *s); /* "确定取消" (or "结束" while the card is away) */
void session_cancel_keep(session *s);    /* "继续办理" */
void session_more_time(session *s);
void session_edit_page(session *s, flow_page page); /* "修改" on the review */
void session_scroll(session *s);                    /* reading on (commitment, review) */
void session_commitment_end_reached(session *s);    /* the last line was on screen */
void session_agree(session *s);                     /* only once the end was reached */
void session_reprint(session *s);
/* A tile of the services screen (FLOW_SERVICES). */
void session_service(session *s, flow_service service);
/* The answer to view.resume_offer: yes goes on with the unfinished form where it was
 * (the questions answered, every field given, the page reached; a form already reviewed
 * opens at the review: the commitment is read and signed again); no removes it. */
void session_resume(session *s, bool yes);
/* 我的办理记录: print a copy (副本) of view.records[index]. */
void session_reprint_record(session *s, int index);

/* 政策和服务机构 (FLOW_INFO): open page (index, first: see flow_view), and 打印 the item
 * shown as a slip. UI thread. */
void session_info_open(session *s, flow_info_page page, int index, int first);
void session_print_slip(session *s);

/* The hall's calendar (holidays, make-up working days), borrowed. */
const kiosk_calendar *session_calendar(const session *s);
/* 求助: view.help_shown, and an audit entry through the I/O worker — actor "citizen",
 * action "help.request", subject the step's name (voice_prompt_name), detail the hall
 * code; its time is the entry's. Nothing about the citizen. Logged too. */
void session_help(session *s);
void session_help_close(session *s); /* "好的" on the help dialog */

/* The signature pad laid out at w x h pixels on a screen of px_per_mm (made once). */
kiosk_rc session_pad_layout(session *s, int w, int h, float px_per_mm);
/* A finger on the pad, in pad pixels: phase 0 down, 1 move, 2 up. */
void session_stroke(session *s, int phase, float x, float y);
bool session_stroke_open(const session *s);
void session_sign_clear(session *s);
void session_sign_confirm(session *s);

/* ---- the kiosk around the session ---- */

/* Staff are at the kiosk (the maintenance menu is open): cards go to staff_card. */
void session_set_staff_mode(session *s, bool on);

/* How long no one has used the kiosk, in ms: no citizen's session (the flow on the attract
 * screen), no staff at the desk, no touch since; -1 while either is open. Any thread (the
 * update worker installs only after a while of this). */
int64_t session_idle_ms(session *s);
/* The I/O worker for the menu's jobs (borrowed; NULL without a store). */
app_io *session_io(session *s);
/* Out of service (staff, or the store's word at start): cards start nothing. */
void session_set_out_of_service(session *s, bool on, const char *who);
/* Demo and scripts: the simulated card on the reader or off (KIOSK_UNSUPPORTED
 * without a simulated reader). */
kiosk_rc session_sim_card(session *s, bool present);
bool session_has_sim_card(session *s);

#endif
