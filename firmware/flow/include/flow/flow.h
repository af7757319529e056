/*
 * The citizen journey as an explicit state machine, with no screen: attract → reading
 * the card → PIN → services (失业登记 goes on; 我的办理记录 lists the citizen's records;
 * the others say where to go instead) → questions → eligibility → form pages → review → commitment
 * → signature → saving → printing → done → attract. It consumes events (from the identity worker,
 * the UI, the store and the printer, and idle ticks) and exposes the current step and a view model
 * the UI draws. It asks the app to act through returned actions (save, print); it never does I/O.
 * Leaving before the record is saved — card pulled, cancel, idle timeout — wipes the citizen's
 * data; after saving, pulling the card loses nothing. A card taken away after the PIN screen is
 * shown is waited for (FLOW_CARD_AWAY): the same card (by its card number, FLOW_EV_CARD_NUMBER) put
 * back within card_away_s continues where the citizen was; another card, or the end of the wait,
 * wipes and says so. (At the PIN nothing is at stake: any card put back is asked for its PIN.)
 * Cancelling after the card was read asks first (view.confirm_cancel). UI thread only.
 */
#ifndef KIOSK_FLOW_H
#define KIOSK_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kiosk_clock.h"
#include "domain/codes.h"
#include "domain/divisions.h"
#include "domain/eligibility.h"
#include "domain/registration.h"
#include "ssc/ssc.h"

typedef enum flow_step {
    FLOW_ATTRACT = 0,
    FLOW_READING_CARD, /* card on the reader, reading */
    FLOW_PIN,          /* keypad; view.tries_left after a wrong PIN */
    FLOW_CHECKING_PIN, /* PIN handed to the reader, waiting */
    FLOW_QUESTIONS,    /* pension? job? able to work? want work? */
    FLOW_ELIGIBILITY,  /* the outcome explained (only when not eligible) */
    FLOW_FORM,         /* view.page of FLOW_PAGE_COUNT */
    FLOW_REVIEW,
    FLOW_COMMITMENT, /* the promise text; never times out while read */
    FLOW_SIGNATURE,
    FLOW_SAVING,   /* the app is saving (action FLOW_ACT_SAVE) */
    FLOW_PRINTING, /* the app is printing (action FLOW_ACT_PRINT) */
    FLOW_DONE,
    FLOW_MESSAGE,   /* a card or reader problem explained; any touch or removal ends it */
    FLOW_CARD_AWAY, /* the card left before saving: view.away_s to put the same card back */
    FLOW_SERVICES,  /* after the PIN: the hall's services as tiles */
    FLOW_RECORDS, /* 我的办理记录: the app lists them (FLOW_ACT_QUERY); a reprint stays here */
    FLOW_INFO, /* 政策和服务机构: view.info_page; 打印 prints a slip (FLOW_ACT_PRINT_SLIP) */
    FLOW_STEP_COUNT
} flow_step;

/* "attract", "pin", "form" … (scripts, logs); "?" outside the enum. */
const char *flow_step_name(flow_step step);

/* The tiles of the services screen, in the order shown. */
typedef enum flow_service {
    FLOW_SERVICE_REGISTER = 0, /* 失业登记: on to the questions */
    FLOW_SERVICE_RECORDS,      /* 我的办理记录 */
    FLOW_SERVICE_REPORT,       /* 就业/失业注销申报: its one form page (a deregistration) */
    FLOW_SERVICE_JOBSEEKER, /* 求职登记: its one form page (also from the eligibility outcome) */
    FLOW_SERVICE_POLICIES,  /* 政策和服务机构: FLOW_INFO */
    FLOW_SERVICE_COUNT
} flow_service;

/* "register", "records", "report", "jobseeker", "policies" (widget ids, prompts, keys);
 * NULL outside the enum. */
const char *flow_service_name(flow_service service);

/* The pages of 政策和服务机构 (FLOW_INFO). */
typedef enum flow_info_page {
    FLOW_INFO_POLICIES = 0, /* the policies' titles, from view.info_first */
    FLOW_INFO_POLICY,       /* one policy: view.info_index */
    FLOW_INFO_AGENCIES,     /* the agencies of level view.info_index (0 city … 3 community),
                               the view.info_first-th of them */
    FLOW_INFO_PAGE_COUNT
} flow_info_page;

/* Form pages, in order. */
typedef enum flow_page {
    FLOW_PAGE_PERSONAL = 0, /* name … health, birth date */
    FLOW_PAGE_DOCUMENT,     /* document, addresses */
    FLOW_PAGE_CONTACT,      /* phones, e-mail */
    FLOW_PAGE_UNEMPLOYMENT, /* since, reason, insurance, where to register */
    FLOW_PAGE_WISHES,       /* qualifications, job wanted, help wanted, remarks */
    FLOW_PAGE_COUNT,        /* the registration's pages; the other record types' follow */
    FLOW_PAGE_DEREGISTRATION = FLOW_PAGE_COUNT, /* 就业/失业注销申报: situation, date, detail */
    FLOW_PAGE_JOBSEEKER,                        /* 求职登记: jobs, area, wage, from, mobile */
} flow_page;

typedef enum flow_event_type {
    FLOW_EV_CARD_PRESENT = 1,
    FLOW_EV_CARD_READ,   /* card; tries_left: the PIN's retry counter (-1: not told) */
    FLOW_EV_PIN_ENTERED, /* the UI gave the PIN to the reader worker */
    FLOW_EV_PIN_WRONG,   /* tries_left */
    FLOW_EV_PIN_BLOCKED,
    FLOW_EV_HOLDER,          /* holder (copied into the registration, then wipe yours) */
    FLOW_EV_NEEDS_ID_ENTRY,  /* 3rd-generation card without a key holder */
    FLOW_EV_CARD_UNREADABLE, /* rc */
    FLOW_EV_CARD_REMOVED,
    FLOW_EV_READER_FAULT,
    FLOW_EV_ANSWERS,   /* answers[0..3]: pension, employed, able, wants work */
    FLOW_EV_FIELD_SET, /* field, text */
    FLOW_EV_NEXT,
    FLOW_EV_BACK,
    FLOW_EV_EDIT, /* page: from the review */
    FLOW_EV_CANCEL,
    FLOW_EV_SCROLL,            /* reading the commitment */
    FLOW_EV_SIGNED,            /* signature accepted by the pad */
    FLOW_EV_SAVED,             /* rc; receipt_no on success */
    FLOW_EV_PRINTED,           /* rc */
    FLOW_EV_TOUCH,             /* any touch: the citizen is still there */
    FLOW_EV_MORE_TIME,         /* "还需要更多时间吗？" answered yes */
    FLOW_EV_TICK,              /* time passes (the clock is read) */
    FLOW_EV_REPRINT,           /* on the done screen after a failed print: try again (a copy) */
    FLOW_EV_STORE_UNAVAILABLE, /* rc: the store cannot save now (asked before signing) */
    FLOW_EV_CANCEL_CONFIRM,    /* "确定取消" in the cancel question, or "结束" while away */
    FLOW_EV_CANCEL_KEEP,       /* "继续办理" in the cancel question */
    FLOW_EV_CARD_NUMBER,       /* card: the session's card number, read after the PIN */
    FLOW_EV_HELP_OPEN,         /* 求助: "工作人员马上就来" shows; the idle timer pauses */
    FLOW_EV_HELP_CLOSE,        /* the help dialog closed: the idle timer runs again, afresh */
    FLOW_EV_CARD_MISMATCH,     /* the card read, but its holder record disagrees with itself */
    FLOW_EV_SERVICE,           /* service: a tile of the services screen */
    FLOW_EV_RECORDS,           /* rc: the app has the citizen's records (or could not look) */
    FLOW_EV_REPRINT_RECORD,    /* receipt_no: on the records screen, print a copy (副本) */
    FLOW_EV_INFO,              /* info_page, index, first: open a page of 政策和服务机构 */
    FLOW_EV_PRINT_SLIP,        /* 打印 on a policy or the agencies: a slip (FLOW_EV_PRINTED) */
} flow_event_type;

typedef struct flow_event {
    flow_event_type type;
    kiosk_rc rc;
    int tries_left;
    const ssc_card *card;
    const ssc_holder *holder;
    bool answers[4];
    flow_page page;
    registration_field field;
    const char *text;
    const char *receipt_no;
    flow_service service;
    flow_info_page info_page;
    int index, first; /* FLOW_EV_INFO: 0 .. FLOW_INFO_INDEX_MAX - 1 */
} flow_event;

#define FLOW_INFO_INDEX_MAX 64

/* What the app must do after an event (bit set). */
enum {
    FLOW_ACT_NONE = 0,
    FLOW_ACT_SAVE = 1,        /* save flow_record() now, then send FLOW_EV_SAVED */
    FLOW_ACT_PRINT = 2,       /* print view.receipt_no, then send FLOW_EV_PRINTED */
    FLOW_ACT_WIPE = 4,        /* the citizen's data was wiped: clear screens and caches */
    FLOW_ACT_QUERY = 8,       /* look up the citizen's records (by flow_record()'s ID number),
                                 then send FLOW_EV_RECORDS */
    FLOW_ACT_PRINT_SLIP = 16, /* print the slip of view.info_page (info_index, info_first):
                                 no record, nothing personal; then send FLOW_EV_PRINTED */
};

#define FLOW_MAX_ISSUES 16

/* Before the first digit, the PIN screen tells the tries the card's counter allows when
 * this many or fewer are left (and the last one plainly). */
#define FLOW_PIN_TRIES_TOLD 2

typedef struct flow_view {
    flow_step step;
    flow_page page;
    bool back_to_review;     /* the page was opened from the review */
    int tries_left;          /* after a wrong PIN, else -1 */
    int pin_tries;           /* before any digit: the tries the card's counter allows,
                                -1 when the card does not tell */
    const char *message_key; /* FLOW_MESSAGE, FLOW_ELIGIBILITY, print failures */
    int countdown_s;         /* > 0: show "还需要更多时间吗？" with this many seconds */
    int card_generation;
    eligibility_result eligibility;
    registration_issue issues[FLOW_MAX_ISSUES]; /* of the current page or the review */
    int nissues;
    char receipt_no[40];
    bool printed;
    bool copy;           /* the print asked for is a reprint: mark it 副本 */
    bool confirm_cancel; /* "确定要取消吗？" is asked (FLOW_EV_CANCEL after identity) */
    bool help_waiting;   /* 求助 asked: the citizen waits for staff, no idle countdown */
    int away_s;          /* FLOW_CARD_AWAY: seconds left to put the same card back */
    bool card_known;     /* the session's card number is known: a card taken away after
                            the PIN can be waited for (the app asks the reader for it) */
    const char *place_hint_key; /* 登记失业地 was preselected from the addresses: the
                                   one line saying why ("form.hint.place_…"); NULL once
                                   the citizen chose it */
    bool records_loading;       /* FLOW_RECORDS: the app is looking (FLOW_ACT_QUERY) */
    kiosk_rc records_rc;        /* FLOW_RECORDS: how the look-up went */
    bool reprinting;            /* FLOW_RECORDS: a copy is being printed (view.receipt_no) */
    const char *records_note;   /* FLOW_RECORDS: the last reprint's outcome, a string key */
    flow_info_page info_page;   /* FLOW_INFO: the page shown */
    int info_index;             /* FLOW_INFO_POLICY: the policy; _AGENCIES: the level */
    int info_first;             /* the first item shown (a list's ▲ ▼; the level's agency) */
    bool slip_printing;         /* FLOW_INFO: a slip is being printed */
    const char *info_note;      /* FLOW_INFO: the last slip's outcome, a string key */
    bool id_keyed; /* the card's holder record was not read (3rd generation without a PSAM):
                      the citizen keys the ID number; 我的办理记录, 注销申报 and 求职登记 say
                      why they are not offered (message_key "services.needs_holder") */
} flow_view;

typedef struct flow_config {
    const codes_tables *codes;  /* kept */
    const divisions *divisions; /* kept */
    const kiosk_clock *clock;   /* kept */
    int idle_timeout_s;         /* without a touch, then the countdown */
    int countdown_s;            /* length of the "more time?" countdown */
    int done_timeout_s;         /* how long the done screen stays */
    int card_away_s;            /* how long a card taken away may come back; default 20 */
    const char *home_division;  /* kept: the hall's division ([device] division), which
                                   preselects 登记失业地; NULL or "" for none */
} flow_config;

typedef struct flow flow;

/* *out is owned: flow_destroy (which wipes). */
kiosk_rc flow_create(const flow_config *cfg, flow **out);
void flow_destroy(flow *f);

/* Feed an event; returns FLOW_ACT_* bits. */
unsigned flow_handle(flow *f, const flow_event *ev);

/* The view model (borrowed until the next event). */
const flow_view *flow_get_view(const flow *f);

/* The registration being filled in (borrowed; empty outside a session). */
const registration *flow_record(const flow *f);

/* The page a field belongs to (in a registration). */
flow_page flow_page_of(registration_field field);

/* The pages of the record being filled in (flow_record()'s type): the registration's
 * FLOW_PAGE_PERSONAL … WISHES, or the other type's one page; *first gets the first. */
int flow_pages(const flow *f, flow_page *first);

#endif
