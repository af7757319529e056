/* Tests of the journey state machine with no screen: a whole registration from card to
 * receipt, wrong PIN, eligibility routes, page validation and edits from the review,
 * card removal before and after saving, the idle countdown, and 3rd-generation cards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "flow/flow.h"

static codes_tables *codes;
static divisions *divs;
static kiosk_clock_manual clk;
static flow *f;

static int setup_all(void **state)
{
    (void)state;
    if (codes_load(KIOSK_TEST_ASSETS "/codes", &codes) != KIOSK_OK)
        return -1;
    return divisions_load(KIOSK_TEST_ASSETS "/divisions/divisions.txt", &divs) == KIOSK_OK ? 0 : -1;
}

static int teardown_all(void **state)
{
    (void)state;
    codes_destroy(codes);
    divisions_destroy(divs);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    kiosk_clock_manual_init(&clk, 1795363199000LL - 3600000);              /* 2026-11-22 */
    flow_config cfg = {codes, divs, &clk.clock, 90, 20, 60, 20, "370102"}; /* the hall: 历下区 */
    return flow_create(&cfg, &f) == KIOSK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    flow_destroy(f);
    return 0;
}

static unsigned send(flow_event_type t)
{
    flow_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = t;
    return flow_handle(f, &ev);
}

static void set(registration_field field, const char *text)
{
    flow_event ev = {.type = FLOW_EV_FIELD_SET, .field = field, .text = text};
    flow_handle(f, &ev);
}

static flow_step step(void)
{
    return flow_get_view(f)->step;
}

static const ssc_holder holder = {
    .id_number = "370102199003074519",
    .name = "张三丰",
    .sex = '1',
    .ethnicity = "01",
    .birth = {1990, 3, 7},
};
static const ssc_card card = {.card_number = "D37010201", .spec_version = "2.00", .generation = 2};

static unsigned choose(flow_service service)
{
    flow_event ev = {.type = FLOW_EV_SERVICE, .service = service};
    return flow_handle(f, &ev);
}

/* Tap, PIN, identity: on the services screen. */
static void to_services(void)
{
    send(FLOW_EV_CARD_PRESENT);
    flow_event ev = {.type = FLOW_EV_CARD_READ, .card = &card};
    flow_handle(f, &ev);
    send(FLOW_EV_PIN_ENTERED);
    ev = (flow_event){.type = FLOW_EV_HOLDER, .holder = &holder};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_SERVICES);
}

/* Tap, PIN, identity, 失业登记, eligible answers: on the first form page. */
static void to_form(void)
{
    send(FLOW_EV_CARD_PRESENT);
    assert_int_equal(step(), FLOW_READING_CARD);
    flow_event ev = {.type = FLOW_EV_CARD_READ, .card = &card};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_PIN);
    send(FLOW_EV_PIN_ENTERED);
    assert_int_equal(step(), FLOW_CHECKING_PIN);
    ev = (flow_event){.type = FLOW_EV_HOLDER, .holder = &holder};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_SERVICES);
    assert_int_equal(choose(FLOW_SERVICE_REGISTER), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_QUESTIONS);
    ev = (flow_event){.type = FLOW_EV_ANSWERS, .answers = {false, false, true, true}};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_FORM);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_PERSONAL);
}

static void fill_all_pages(void)
{
    set(REGISTRATION_EDUCATION, "21");
    set(REGISTRATION_HEALTH, "10");
    assert_int_equal(send(FLOW_EV_NEXT), FLOW_ACT_NONE);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_DOCUMENT);
    set(REGISTRATION_HOUSEHOLD_DIVISION, "370102001");
    set(REGISTRATION_HOUSEHOLD_DETAIL, "泉城路100号");
    set(REGISTRATION_RESIDENCE_DIVISION, "370102001");
    set(REGISTRATION_RESIDENCE_DETAIL, "泉城路100号");
    send(FLOW_EV_NEXT);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_CONTACT);
    set(REGISTRATION_MOBILE, "13800138000");
    send(FLOW_EV_NEXT);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_UNEMPLOYMENT);
    set(REGISTRATION_UNEMPLOYED_SINCE, "2026-09");
    set(REGISTRATION_REASON, "05");
    set(REGISTRATION_CLAIMS_INSURANCE, "yes");
    set(REGISTRATION_PLACE, "1");
    send(FLOW_EV_NEXT);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_WISHES);
    set(REGISTRATION_SERVICES, "1,2");
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_REVIEW);
}

static void test_whole_journey(void **state)
{
    (void)state;
    to_form();
    /* card fields came from the card and cannot be changed */
    set(REGISTRATION_NAME, "别人");
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_NAME), "张三丰");
    fill_all_pages();
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_COMMITMENT);
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_SIGNATURE);
    assert_int_equal(send(FLOW_EV_SIGNED), FLOW_ACT_SAVE);
    assert_int_equal(step(), FLOW_SAVING);
    flow_event ev = {.type = FLOW_EV_SAVED, .rc = KIOSK_OK, .receipt_no = "DEMO01-20261122-0001"};
    unsigned act = flow_handle(f, &ev);
    assert_true(act & FLOW_ACT_PRINT);
    assert_int_equal(step(), FLOW_PRINTING);
    /* saved: the readable record is gone from memory, pulling the card loses nothing */
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_NAME), "");
    send(FLOW_EV_CARD_REMOVED);
    assert_int_equal(step(), FLOW_PRINTING);
    ev = (flow_event){.type = FLOW_EV_PRINTED, .rc = KIOSK_OK};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_DONE);
    assert_true(flow_get_view(f)->printed);
    assert_string_equal(flow_get_view(f)->receipt_no, "DEMO01-20261122-0001");
    /* the done screen goes away by itself */
    kiosk_clock_manual_advance(&clk, 61 * 1000);
    assert_int_equal(send(FLOW_EV_TICK), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    assert_string_equal(flow_get_view(f)->receipt_no, "");
}

/* Saved and printed to the done screen, card on the reader all along. */
static void to_done(int printed)
{
    to_form();
    fill_all_pages();
    send(FLOW_EV_NEXT);
    send(FLOW_EV_NEXT);
    send(FLOW_EV_SIGNED);
    flow_event ev = {.type = FLOW_EV_SAVED, .rc = KIOSK_OK, .receipt_no = "DEMO01-20261122-0001"};
    flow_handle(f, &ev);
    ev = (flow_event){.type = FLOW_EV_PRINTED, .rc = printed ? KIOSK_OK : KIOSK_IO};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_DONE);
}

/* Taking the card from the done screen, once the receipt printed, is the citizen's last
 * act: the session ends at once (no 结束 to tap, nothing left for the next citizen to
 * see). After a failed print the done screen stays, with 重新打印, until its time. */
static void test_done_ends_when_card_taken(void **state)
{
    (void)state;
    to_done(1);
    assert_int_equal(send(FLOW_EV_CARD_REMOVED), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    assert_string_equal(flow_get_view(f)->receipt_no, "");
    to_done(0); /* the next citizen, whose receipt did not print */
    assert_int_equal(send(FLOW_EV_CARD_REMOVED), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_DONE);
    assert_false(flow_get_view(f)->printed);
}

static void test_wrong_pin_and_blocked(void **state)
{
    (void)state;
    send(FLOW_EV_CARD_PRESENT);
    flow_event ev = {.type = FLOW_EV_CARD_READ, .card = &card};
    flow_handle(f, &ev);
    send(FLOW_EV_PIN_ENTERED);
    ev = (flow_event){.type = FLOW_EV_PIN_WRONG, .tries_left = 2};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_PIN);
    assert_int_equal(flow_get_view(f)->tries_left, 2);
    send(FLOW_EV_PIN_ENTERED);
    assert_int_equal(send(FLOW_EV_PIN_BLOCKED), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_MESSAGE);
    assert_string_equal(flow_get_view(f)->message_key, "flow.pin_blocked");
    send(FLOW_EV_CARD_REMOVED);
    assert_int_equal(step(), FLOW_ATTRACT);
}

static void test_eligibility_routes(void **state)
{
    (void)state;
    send(FLOW_EV_CARD_PRESENT);
    flow_event ev = {.type = FLOW_EV_CARD_READ, .card = &card};
    flow_handle(f, &ev);
    send(FLOW_EV_PIN_ENTERED);
    ev = (flow_event){.type = FLOW_EV_HOLDER, .holder = &holder};
    flow_handle(f, &ev);
    choose(FLOW_SERVICE_REGISTER);
    ev = (flow_event){.type = FLOW_EV_ANSWERS, .answers = {false, true, true, true}};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_ELIGIBILITY);
    assert_int_equal(flow_get_view(f)->eligibility.outcome, ELIGIBILITY_OFFER_JOBSEEKER);
    assert_string_equal(flow_get_view(f)->message_key, "eligibility.employed");
    /* back: the questions again, nothing wiped; a corrected answer goes on to the form */
    assert_int_equal(send(FLOW_EV_BACK), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_QUESTIONS);
    assert_null(flow_get_view(f)->message_key);
    assert_string_not_equal(registration_get_text(flow_record(f), REGISTRATION_NAME), "");
    ev = (flow_event){.type = FLOW_EV_ANSWERS, .answers = {false, false, true, true}};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_FORM);
    send(FLOW_EV_BACK);
    assert_int_equal(step(), FLOW_QUESTIONS);
    ev = (flow_event){.type = FLOW_EV_ANSWERS, .answers = {false, true, true, true}};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_ELIGIBILITY);
    assert_int_equal(send(FLOW_EV_NEXT), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_NAME), "");
}

static void test_page_validation_and_review_edits(void **state)
{
    (void)state;
    to_form();
    send(FLOW_EV_NEXT); /* education and health missing */
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_PERSONAL);
    assert_int_equal(flow_get_view(f)->nissues, 2);
    assert_string_equal(flow_get_view(f)->issues[0].key, "form.error.education_required");
    /* messages follow the fix: education set, only health is left */
    set(REGISTRATION_EDUCATION, "21");
    assert_int_equal(flow_get_view(f)->nissues, 1);
    assert_string_equal(flow_get_view(f)->issues[0].key, "form.error.health_required");
    fill_all_pages();
    /* edit the contact page from the review, come straight back */
    flow_event ev = {.type = FLOW_EV_EDIT, .page = FLOW_PAGE_CONTACT};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_FORM);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_CONTACT);
    set(REGISTRATION_MOBILE, "12345");
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_FORM);
    assert_string_equal(flow_get_view(f)->issues[0].key, "form.error.mobile_format");
    set(REGISTRATION_MOBILE, "13900139000");
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_REVIEW);
    send(FLOW_EV_BACK);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_WISHES);
    /* cancel asks first: keeping on loses nothing */
    assert_int_equal(send(FLOW_EV_CANCEL), FLOW_ACT_NONE);
    assert_true(flow_get_view(f)->confirm_cancel);
    assert_int_equal(step(), FLOW_FORM);
    send(FLOW_EV_CANCEL_KEEP);
    assert_false(flow_get_view(f)->confirm_cancel);
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_MOBILE), "13900139000");
    /* a confirmation nobody asked for does nothing */
    assert_int_equal(send(FLOW_EV_CANCEL_CONFIRM), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_FORM);
    /* cancelled for real: wiped, and said */
    send(FLOW_EV_CANCEL);
    assert_int_equal(send(FLOW_EV_CANCEL_CONFIRM), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_MESSAGE);
    assert_string_equal(flow_get_view(f)->message_key, "flow.cancelled");
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_MOBILE), "");
    /* on the PIN screen nothing was given yet: cancel ends at once */
    send(FLOW_EV_NEXT);
    send(FLOW_EV_CARD_PRESENT);
    flow_event rd = {.type = FLOW_EV_CARD_READ, .card = &card};
    flow_handle(f, &rd);
    assert_int_equal(step(), FLOW_PIN);
    assert_int_equal(send(FLOW_EV_CANCEL), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
}

/* Each field says what is wrong with it when it is left, the untouched ones wait for
 * 下一步; once 下一步 was refused, every problem of the page shows. */
static void test_problems_when_left(void **state)
{
    (void)state;
    to_form();
    set(REGISTRATION_EDUCATION, "21");
    assert_int_equal(flow_get_view(f)->nissues, 0); /* health untouched: nothing red yet */
    send(FLOW_EV_NEXT);
    assert_int_equal(flow_get_view(f)->nissues, 1);
    set(REGISTRATION_HEALTH, "10");
    send(FLOW_EV_NEXT);
    /* a household division alone: its detail, not yet given, is not red */
    set(REGISTRATION_HOUSEHOLD_DIVISION, "370102001");
    assert_int_equal(flow_get_view(f)->nissues, 0);
    set(REGISTRATION_HOUSEHOLD_DETAIL, "12号楼3单元402室");
    set(REGISTRATION_RESIDENCE_DIVISION, "370102001001");
    set(REGISTRATION_RESIDENCE_DETAIL, "12号楼3单元402室");
    send(FLOW_EV_NEXT);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_CONTACT);
    /* a bad e-mail says so as it is left, before 下一步; the mobile, untouched, waits */
    set(REGISTRATION_EMAIL, "zhang");
    assert_int_equal(flow_get_view(f)->nissues, 1);
    assert_string_equal(flow_get_view(f)->issues[0].key, "form.error.email_format");
    set(REGISTRATION_EMAIL, "");
    assert_int_equal(flow_get_view(f)->nissues, 0);
    send(FLOW_EV_NEXT);
    assert_string_equal(flow_get_view(f)->issues[0].key, "form.error.mobile_required");
}

/* 登记失业地 follows the addresses until the citizen chooses: the household's when it is
 * in the hall's county, the residence's when only that is, with the reason's key. */
static void test_place_preselected(void **state)
{
    (void)state;
    to_form();
    set(REGISTRATION_EDUCATION, "21");
    set(REGISTRATION_HEALTH, "10");
    send(FLOW_EV_NEXT);
    set(REGISTRATION_HOUSEHOLD_DIVISION, "110105004"); /* 北京: not the hall's */
    assert_string_equal(flow_record(f)->registration_place, REGISTRATION_PLACE_HOUSEHOLD);
    assert_string_equal(flow_get_view(f)->place_hint_key, "form.hint.place_household");
    set(REGISTRATION_RESIDENCE_DIVISION, "370102001001"); /* lives in 历下区 */
    assert_string_equal(flow_record(f)->registration_place, REGISTRATION_PLACE_RESIDENCE);
    assert_string_equal(flow_get_view(f)->place_hint_key, "form.hint.place_residence_local");
    set(REGISTRATION_HOUSEHOLD_DIVISION, "370102012");
    assert_string_equal(flow_record(f)->registration_place, REGISTRATION_PLACE_HOUSEHOLD);
    assert_string_equal(flow_get_view(f)->place_hint_key, "form.hint.place_household_local");
    /* the citizen's own choice stays */
    set(REGISTRATION_PLACE, "2");
    assert_null(flow_get_view(f)->place_hint_key);
    set(REGISTRATION_HOUSEHOLD_DIVISION, "110105004");
    assert_string_equal(flow_record(f)->registration_place, "2");
    assert_null(flow_get_view(f)->place_hint_key);
}

static void card_read(const ssc_card *c)
{
    send(FLOW_EV_CARD_PRESENT);
    flow_event ev = {.type = FLOW_EV_CARD_READ, .card = c, .tries_left = 3};
    flow_handle(f, &ev);
}

/* The reader told the session's card number (after the PIN, as the app asks). */
static void card_number_known(void)
{
    flow_event ev = {.type = FLOW_EV_CARD_NUMBER, .card = &card};
    flow_handle(f, &ev);
    assert_true(flow_get_view(f)->card_known);
}

static void test_card_pulled_mid_form(void **state)
{
    (void)state;
    /* a card whose number could not be read cannot be told from another: wiped, said */
    to_form();
    set(REGISTRATION_EDUCATION, "21");
    assert_false(flow_get_view(f)->card_known);
    assert_int_equal(send(FLOW_EV_CARD_REMOVED), FLOW_ACT_WIPE);
    assert_string_equal(flow_get_view(f)->message_key, "flow.card_removed");
    send(FLOW_EV_NEXT);
    to_form();
    card_number_known();
    set(REGISTRATION_EDUCATION, "21");
    /* taken away: nothing is lost yet, the kiosk waits for it */
    assert_int_equal(send(FLOW_EV_CARD_REMOVED), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_CARD_AWAY);
    assert_int_equal(flow_get_view(f)->away_s, 20);
    kiosk_clock_manual_advance(&clk, 12 * 1000);
    send(FLOW_EV_TICK);
    assert_int_equal(flow_get_view(f)->away_s, 8);
    /* the same card put back: on where the citizen was, every answer kept */
    card_read(&card);
    assert_int_equal(step(), FLOW_FORM);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_PERSONAL);
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_EDUCATION), "21");
    /* taken again and not brought back: wiped, and said */
    send(FLOW_EV_CARD_REMOVED);
    kiosk_clock_manual_advance(&clk, 19 * 1000);
    send(FLOW_EV_TICK);
    assert_int_equal(step(), FLOW_CARD_AWAY);
    kiosk_clock_manual_advance(&clk, 1000);
    assert_int_equal(send(FLOW_EV_TICK), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_MESSAGE);
    assert_string_equal(flow_get_view(f)->message_key, "flow.card_away_ended");
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_EDUCATION), "");
    send(FLOW_EV_NEXT);
    /* another card while away: wiped, and said */
    to_form();
    card_number_known();
    set(REGISTRATION_EDUCATION, "21");
    send(FLOW_EV_CARD_REMOVED);
    ssc_card other = card;
    memcpy(other.card_number, "D37010299", 10);
    send(FLOW_EV_CARD_PRESENT);
    assert_int_equal(step(), FLOW_CARD_AWAY);
    flow_event ev = {.type = FLOW_EV_CARD_READ, .card = &other};
    assert_int_equal(flow_handle(f, &ev), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_MESSAGE);
    assert_string_equal(flow_get_view(f)->message_key, "flow.other_card");
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_EDUCATION), "");
    send(FLOW_EV_NEXT);
    /* ending it while away: "结束" needs no second question */
    to_form();
    card_number_known();
    send(FLOW_EV_CARD_REMOVED);
    assert_int_equal(send(FLOW_EV_CANCEL_CONFIRM), FLOW_ACT_WIPE);
    assert_string_equal(flow_get_view(f)->message_key, "flow.cancelled");
    send(FLOW_EV_NEXT);
    /* taken from the not-eligible outcome, as it asks: that ends it, no waiting */
    to_form();
    send(FLOW_EV_BACK);
    flow_event no = {.type = FLOW_EV_ANSWERS, .answers = {true, false, true, true}};
    flow_handle(f, &no);
    assert_int_equal(step(), FLOW_ELIGIBILITY);
    assert_int_equal(send(FLOW_EV_CARD_REMOVED), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    /* taken during the PIN check: back at the PIN with the card's fresh counter */
    card_read(&card);
    send(FLOW_EV_PIN_ENTERED);
    send(FLOW_EV_CARD_REMOVED);
    assert_int_equal(step(), FLOW_CARD_AWAY);
    /* (whichever card: nothing was given yet, and it is asked for its PIN) */
    ssc_card any = card;
    any.card_number[0] = '\0';
    flow_event again = {.type = FLOW_EV_CARD_READ, .card = &any, .tries_left = 2};
    send(FLOW_EV_CARD_PRESENT);
    flow_handle(f, &again);
    assert_int_equal(step(), FLOW_PIN);
    assert_int_equal(flow_get_view(f)->pin_tries, 2);
    send(FLOW_EV_CANCEL);
    assert_int_equal(step(), FLOW_ATTRACT);
    assert_int_equal(step(), FLOW_ATTRACT);
    /* a card only tapped (still being read) just ends it */
    send(FLOW_EV_CARD_PRESENT);
    assert_int_equal(step(), FLOW_READING_CARD);
    send(FLOW_EV_CARD_REMOVED);
    assert_int_equal(step(), FLOW_ATTRACT);
    /* and the reader going away says so differently */
    to_form();
    send(FLOW_EV_READER_FAULT);
    assert_int_equal(step(), FLOW_MESSAGE);
    assert_string_equal(flow_get_view(f)->message_key, "flow.reader_fault");
}

static void test_idle_countdown(void **state)
{
    (void)state;
    to_form();
    kiosk_clock_manual_advance(&clk, 89 * 1000);
    send(FLOW_EV_TICK);
    assert_int_equal(flow_get_view(f)->countdown_s, 0);
    kiosk_clock_manual_advance(&clk, 2 * 1000);
    send(FLOW_EV_TICK);
    assert_int_equal(flow_get_view(f)->countdown_s, 19); /* visible before anything ends */
    send(FLOW_EV_MORE_TIME);
    assert_int_equal(flow_get_view(f)->countdown_s, 0);
    assert_int_equal(step(), FLOW_FORM);
    /* reading the commitment: scrolling keeps it alive */
    kiosk_clock_manual_advance(&clk, 80 * 1000);
    send(FLOW_EV_SCROLL);
    kiosk_clock_manual_advance(&clk, 80 * 1000);
    send(FLOW_EV_TICK);
    assert_int_equal(step(), FLOW_FORM);
    /* nobody there: the session ends and its data is wiped */
    kiosk_clock_manual_advance(&clk, 111 * 1000);
    assert_int_equal(send(FLOW_EV_TICK), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
}

/* 求助: while "工作人员马上就来" shows, the citizen waits for staff; the idle timer must
 * not run out and wipe the session. It runs again, afresh, once the dialog closes. */
static void test_help_pauses_the_idle_timer(void **state)
{
    (void)state;
    to_form();
    kiosk_clock_manual_advance(&clk, 60 * 1000);
    send(FLOW_EV_HELP_OPEN);
    assert_true(flow_get_view(f)->help_waiting);
    for (int i = 0; i < 10; i++) { /* ten minutes waiting for staff */
        kiosk_clock_manual_advance(&clk, 60 * 1000);
        assert_int_equal(send(FLOW_EV_TICK), FLOW_ACT_NONE);
        assert_int_equal(flow_get_view(f)->countdown_s, 0);
    }
    assert_int_equal(step(), FLOW_FORM);
    send(FLOW_EV_HELP_CLOSE);
    assert_false(flow_get_view(f)->help_waiting);
    kiosk_clock_manual_advance(&clk, 89 * 1000);
    send(FLOW_EV_TICK);
    assert_int_equal(flow_get_view(f)->countdown_s, 0); /* a fresh 90 s from the close */
    kiosk_clock_manual_advance(&clk, 2 * 1000);
    send(FLOW_EV_TICK);
    assert_int_equal(flow_get_view(f)->countdown_s, 19);
    kiosk_clock_manual_advance(&clk, 20 * 1000);
    assert_int_equal(send(FLOW_EV_TICK), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    assert_false(flow_get_view(f)->help_waiting);
}

static void test_third_generation_keys_the_id(void **state)
{
    (void)state;
    send(FLOW_EV_CARD_PRESENT);
    ssc_card c3 = card;
    c3.generation = 3;
    flow_event ev = {.type = FLOW_EV_CARD_READ, .card = &c3};
    flow_handle(f, &ev);
    send(FLOW_EV_PIN_ENTERED);
    send(FLOW_EV_NEEDS_ID_ENTRY);
    /* the services screen, as for every card that identified its holder by the PIN */
    assert_int_equal(step(), FLOW_SERVICES);
    assert_true(flow_get_view(f)->id_keyed);
    /* what answers for or signs as the card's holder says why, and stays */
    const flow_service held[] = {FLOW_SERVICE_RECORDS, FLOW_SERVICE_REPORT, FLOW_SERVICE_JOBSEEKER};
    for (size_t i = 0; i < sizeof held / sizeof held[0]; i++) {
        assert_int_equal(choose(held[i]), FLOW_ACT_NONE);
        assert_int_equal(step(), FLOW_SERVICES);
        assert_string_equal(flow_get_view(f)->message_key, "services.needs_holder");
    }
    /* the policies need nothing of the citizen */
    choose(FLOW_SERVICE_POLICIES);
    assert_int_equal(step(), FLOW_INFO);
    send(FLOW_EV_BACK);
    assert_int_equal(step(), FLOW_SERVICES);
    /* 失业登记: the ID number keyed first; back from there: the tiles */
    choose(FLOW_SERVICE_REGISTER);
    assert_int_equal(step(), FLOW_FORM);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_DOCUMENT);
    assert_string_equal(flow_get_view(f)->message_key, "flow.enter_id");
    send(FLOW_EV_BACK);
    assert_int_equal(step(), FLOW_SERVICES);
    assert_null(flow_get_view(f)->message_key);
    choose(FLOW_SERVICE_REGISTER);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_DOCUMENT);
    set(REGISTRATION_DOCUMENT_NUMBER, "370102199003074519");
    set(REGISTRATION_HOUSEHOLD_DIVISION, "370102001");
    set(REGISTRATION_HOUSEHOLD_DETAIL, "泉城路100号");
    set(REGISTRATION_RESIDENCE_DIVISION, "370102001");
    set(REGISTRATION_RESIDENCE_DETAIL, "泉城路100号");
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_QUESTIONS);
    ev = (flow_event){.type = FLOW_EV_ANSWERS, .answers = {false, false, true, true}};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_FORM);
}

/* The services screen: each tile, and every way out of it and of 我的办理记录. */
static void test_services_tiles(void **state)
{
    (void)state;
    to_services();
    /* nothing else happens here: the answers wait for 失业登记 */
    flow_event ev = {.type = FLOW_EV_ANSWERS, .answers = {false, false, true, true}};
    assert_int_equal(flow_handle(f, &ev), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_SERVICES);
    assert_int_equal(choose(FLOW_SERVICE_COUNT), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_SERVICES);
    assert_string_equal(flow_service_name(FLOW_SERVICE_RECORDS), "records");
    assert_null(flow_service_name(FLOW_SERVICE_COUNT));
    /* 失业登记: the questions; back: the services again, the card's data kept */
    assert_int_equal(choose(FLOW_SERVICE_REGISTER), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_QUESTIONS);
    send(FLOW_EV_BACK);
    assert_int_equal(step(), FLOW_SERVICES);
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_DOCUMENT_NUMBER),
                        "370102199003074519");
    /* a tile tapped elsewhere does nothing */
    choose(FLOW_SERVICE_REGISTER);
    assert_int_equal(choose(FLOW_SERVICE_RECORDS), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_QUESTIONS);
    send(FLOW_EV_BACK);
    /* 结束: the session ends, everything wiped */
    assert_true(send(FLOW_EV_NEXT) & FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_DOCUMENT_NUMBER), "");
}

static void test_services_exits(void **state)
{
    (void)state;
    /* cancel: nothing was given, no question asked */
    to_services();
    assert_true(send(FLOW_EV_CANCEL) & FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    /* the card taken away: the session ends ("请取回" is the attract screen's) */
    to_services();
    assert_true(send(FLOW_EV_CARD_REMOVED) & FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    /* a reader fault: the message */
    to_services();
    send(FLOW_EV_READER_FAULT);
    assert_int_equal(step(), FLOW_MESSAGE);
    assert_string_equal(flow_get_view(f)->message_key, "flow.reader_fault");
    send(FLOW_EV_NEXT);
    /* idle: the countdown, then the end */
    to_services();
    kiosk_clock_manual_advance(&clk, 91000);
    send(FLOW_EV_TICK);
    assert_true(flow_get_view(f)->countdown_s > 0);
    assert_int_equal(step(), FLOW_SERVICES);
    kiosk_clock_manual_advance(&clk, 21000);
    assert_true(send(FLOW_EV_TICK) & FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    /* the PIN blocked meanwhile (a second reader report): the message */
    to_services();
    send(FLOW_EV_PIN_BLOCKED);
    assert_int_equal(step(), FLOW_MESSAGE);
}

static unsigned info(flow_info_page page, int index, int first)
{
    flow_event ev = {.type = FLOW_EV_INFO, .info_page = page, .index = index, .first = first};
    return flow_handle(f, &ev);
}

/* 政策和服务机构: the pages, the slip (only of one item, one at a time), back, and every
 * way out wiping as from the services screen. */
static void test_info(void **state)
{
    (void)state;
    to_services();
    assert_int_equal(choose(FLOW_SERVICE_POLICIES), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_INFO);
    assert_int_equal(flow_get_view(f)->info_page, FLOW_INFO_POLICIES);
    assert_string_equal(flow_step_name(FLOW_INFO), "info");
    /* the list is not printed; nonsense pages and indexes are refused */
    assert_int_equal(send(FLOW_EV_PRINT_SLIP), FLOW_ACT_NONE);
    info(FLOW_INFO_PAGE_COUNT, 0, 0);
    info(FLOW_INFO_POLICY, -1, 0);
    info(FLOW_INFO_POLICY, FLOW_INFO_INDEX_MAX, 0);
    assert_int_equal(flow_get_view(f)->info_page, FLOW_INFO_POLICIES);
    /* a policy, printed: one slip at a time, the outcome said */
    info(FLOW_INFO_POLICY, 3, 0);
    assert_int_equal(flow_get_view(f)->info_page, FLOW_INFO_POLICY);
    assert_int_equal(flow_get_view(f)->info_index, 3);
    assert_int_equal(send(FLOW_EV_PRINT_SLIP), FLOW_ACT_PRINT_SLIP);
    assert_true(flow_get_view(f)->slip_printing);
    assert_int_equal(send(FLOW_EV_PRINT_SLIP), FLOW_ACT_NONE);
    info(FLOW_INFO_AGENCIES, 0, 0); /* no page change while it prints */
    assert_int_equal(flow_get_view(f)->info_page, FLOW_INFO_POLICY);
    send(FLOW_EV_BACK);
    assert_int_equal(step(), FLOW_INFO);
    flow_event printed = {.type = FLOW_EV_PRINTED, .rc = KIOSK_PAPER_OUT};
    assert_int_equal(flow_handle(f, &printed), FLOW_ACT_NONE);
    assert_false(flow_get_view(f)->slip_printing);
    assert_string_equal(flow_get_view(f)->info_note, "info.print_failed");
    assert_int_equal(step(), FLOW_INFO);
    /* back from a policy: its list, where it was */
    send(FLOW_EV_BACK);
    assert_int_equal(flow_get_view(f)->info_page, FLOW_INFO_POLICIES);
    assert_int_equal(flow_get_view(f)->info_first, 3);
    assert_null(flow_get_view(f)->info_note);
    /* the agencies of a level, the second of them, printed */
    info(FLOW_INFO_AGENCIES, 2, 1);
    assert_int_equal(flow_get_view(f)->info_index, 2);
    assert_int_equal(flow_get_view(f)->info_first, 1);
    assert_int_equal(send(FLOW_EV_PRINT_SLIP), FLOW_ACT_PRINT_SLIP);
    printed.rc = KIOSK_OK;
    flow_handle(f, &printed);
    assert_string_equal(flow_get_view(f)->info_note, "info.printed");
    /* back from the agencies: the services, the card's data kept */
    send(FLOW_EV_BACK);
    assert_int_equal(step(), FLOW_SERVICES);
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_DOCUMENT_NUMBER),
                        "370102199003074519");
    /* an info event elsewhere does nothing */
    assert_int_equal(info(FLOW_INFO_POLICY, 0, 0), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_SERVICES);
    /* every way out of it wipes: 结束, cancel, the card taken, the idle countdown */
    static const flow_event_type outs[] = {FLOW_EV_NEXT, FLOW_EV_CANCEL, FLOW_EV_CARD_REMOVED};
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        choose(FLOW_SERVICE_POLICIES);
        info(FLOW_INFO_POLICY, 1, 0);
        assert_true(send(outs[i]) & FLOW_ACT_WIPE);
        assert_int_equal(step(), FLOW_ATTRACT);
        assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_DOCUMENT_NUMBER),
                            "");
        assert_int_equal(flow_get_view(f)->info_page, FLOW_INFO_POLICIES);
        to_services();
    }
    choose(FLOW_SERVICE_POLICIES);
    kiosk_clock_manual_advance(&clk, 91000);
    send(FLOW_EV_TICK);
    assert_true(flow_get_view(f)->countdown_s > 0);
    kiosk_clock_manual_advance(&clk, 21000);
    assert_true(send(FLOW_EV_TICK) & FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    /* a slip's outcome after the end changes nothing */
    assert_int_equal(flow_handle(f, &printed), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_ATTRACT);
}

/* 就业/失业注销申报 from the services screen: its one page, then the same review,
 * commitment, signature, saving and printing as a registration. */
static void test_deregistration_journey(void **state)
{
    (void)state;
    to_services();
    assert_int_equal(choose(FLOW_SERVICE_REPORT), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_FORM);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_DEREGISTRATION);
    assert_int_equal(flow_record(f)->type, REGISTRATION_TYPE_DEREGISTRATION);
    flow_page first;
    assert_int_equal(flow_pages(f, &first), 1);
    assert_int_equal(first, FLOW_PAGE_DEREGISTRATION);
    /* nothing given: 下一步 is refused with the page's problems */
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_FORM);
    assert_int_equal(flow_get_view(f)->nissues, 2); /* situation, date */
    set(REGISTRATION_SITUATION, "01");
    set(REGISTRATION_SITUATION_DATE, "2026-11-02");
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_FORM); /* hired: by whom? */
    assert_int_equal(flow_get_view(f)->nissues, 1);
    assert_int_equal(flow_get_view(f)->issues[0].field, REGISTRATION_SITUATION_DETAIL);
    set(REGISTRATION_SITUATION_DETAIL, "济南泉城物流有限公司");
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_REVIEW);
    /* the review's back and edit go to the type's page, not the registration's */
    send(FLOW_EV_BACK);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_DEREGISTRATION);
    send(FLOW_EV_NEXT);
    flow_event ev = {.type = FLOW_EV_EDIT, .page = FLOW_PAGE_PERSONAL};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_REVIEW);
    ev.page = FLOW_PAGE_DEREGISTRATION;
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_FORM);
    assert_true(flow_get_view(f)->back_to_review);
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_REVIEW);
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_COMMITMENT);
    send(FLOW_EV_NEXT);
    assert_int_equal(send(FLOW_EV_SIGNED), FLOW_ACT_SAVE);
    assert_int_equal(flow_record(f)->type, REGISTRATION_TYPE_DEREGISTRATION);
    ev = (flow_event){.type = FLOW_EV_SAVED, .rc = KIOSK_OK, .receipt_no = "DEMO01-20261122-0002"};
    assert_true(flow_handle(f, &ev) & FLOW_ACT_PRINT);
    ev = (flow_event){.type = FLOW_EV_PRINTED, .rc = KIOSK_OK};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_DONE);
    assert_true(send(FLOW_EV_NEXT) & FLOW_ACT_WIPE);
    assert_int_equal(flow_record(f)->type, REGISTRATION_TYPE_REGISTRATION);
}

/* 求职登记, from the services screen and from the outcome that cannot register; back
 * returns where it was chosen with the page's answers gone. */
static void test_jobseeker_journey(void **state)
{
    (void)state;
    to_services();
    choose(FLOW_SERVICE_JOBSEEKER);
    assert_int_equal(step(), FLOW_FORM);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_JOBSEEKER);
    set(REGISTRATION_JOB_CATEGORIES, "05,03");
    assert_int_equal(flow_record(f)->job_category_count, 2);
    set(REGISTRATION_JOB_CATEGORIES, "01,02,03,04"); /* a fourth is refused: none kept */
    assert_true(flow_record(f)->job_category_count <= 3);
    set(REGISTRATION_JOB_CATEGORIES, "05,03");
    set(REGISTRATION_JOB_AREA, "370102");
    set(REGISTRATION_EXPECTED_WAGE, "2");
    set(REGISTRATION_AVAILABLE_FROM, "2026-12-01");
    set(REGISTRATION_MOBILE, "1380013800"); /* one digit short: said when left */
    assert_int_equal(flow_get_view(f)->nissues, 1);
    assert_int_equal(flow_get_view(f)->issues[0].field, REGISTRATION_MOBILE);
    set(REGISTRATION_MOBILE, "13800138000");
    assert_int_equal(flow_get_view(f)->nissues, 0);
    /* back: the services again, the page's answers gone, a registration again */
    send(FLOW_EV_BACK);
    assert_int_equal(step(), FLOW_SERVICES);
    assert_int_equal(flow_record(f)->type, REGISTRATION_TYPE_REGISTRATION);
    assert_int_equal(flow_record(f)->job_category_count, 0);
    assert_string_equal(flow_record(f)->mobile, "");
    assert_string_equal(flow_record(f)->name, "张三丰");

    /* from the outcome: employed, so 求职登记 is offered here */
    choose(FLOW_SERVICE_REGISTER);
    flow_event ev = {.type = FLOW_EV_ANSWERS, .answers = {false, true, true, true}};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_ELIGIBILITY);
    choose(FLOW_SERVICE_REPORT); /* only 求职登记 is offered there */
    assert_int_equal(step(), FLOW_ELIGIBILITY);
    choose(FLOW_SERVICE_JOBSEEKER);
    assert_int_equal(step(), FLOW_FORM);
    assert_int_equal(flow_get_view(f)->page, FLOW_PAGE_JOBSEEKER);
    send(FLOW_EV_BACK);
    assert_int_equal(step(), FLOW_ELIGIBILITY);
    assert_string_equal(flow_get_view(f)->message_key, "eligibility.employed");
    choose(FLOW_SERVICE_JOBSEEKER);
    set(REGISTRATION_JOB_CATEGORIES, "05");
    set(REGISTRATION_JOB_AREA, "370102");
    set(REGISTRATION_EXPECTED_WAGE, "6");
    set(REGISTRATION_AVAILABLE_FROM, "2026-11-23");
    set(REGISTRATION_MOBILE, "13800138000");
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_REVIEW);
    send(FLOW_EV_NEXT);
    send(FLOW_EV_NEXT);
    assert_int_equal(send(FLOW_EV_SIGNED), FLOW_ACT_SAVE);
    assert_int_equal(flow_record(f)->type, REGISTRATION_TYPE_JOBSEEKER);
}

/* Every way out of the new pages before saving wipes the citizen's data. */
static void test_record_type_exits(void **state)
{
    (void)state;
    static const flow_service svc[] = {FLOW_SERVICE_REPORT, FLOW_SERVICE_JOBSEEKER};
    for (size_t i = 0; i < 2; i++) {
        /* cancel, confirmed */
        to_services();
        choose(svc[i]);
        set(REGISTRATION_SITUATION, "06");
        send(FLOW_EV_CANCEL);
        assert_true(flow_get_view(f)->confirm_cancel);
        assert_true(send(FLOW_EV_CANCEL_CONFIRM) & FLOW_ACT_WIPE);
        assert_int_equal(step(), FLOW_MESSAGE);
        assert_string_equal(flow_record(f)->name, "");
        assert_int_equal(flow_record(f)->type, REGISTRATION_TYPE_REGISTRATION);
        send(FLOW_EV_NEXT);
        /* the card taken and not brought back (its number unknown: at once) */
        to_services();
        choose(svc[i]);
        assert_true(send(FLOW_EV_CARD_REMOVED) & FLOW_ACT_WIPE);
        assert_int_equal(step(), FLOW_MESSAGE);
        assert_string_equal(flow_get_view(f)->message_key, "flow.card_removed");
        assert_string_equal(flow_record(f)->situation, "");
        send(FLOW_EV_NEXT);
        /* idle: the countdown, then the end */
        to_services();
        choose(svc[i]);
        kiosk_clock_manual_advance(&clk, 91000);
        send(FLOW_EV_TICK);
        assert_true(flow_get_view(f)->countdown_s > 0);
        kiosk_clock_manual_advance(&clk, 21000);
        assert_true(send(FLOW_EV_TICK) & FLOW_ACT_WIPE);
        assert_int_equal(step(), FLOW_ATTRACT);
        assert_string_equal(flow_record(f)->document_number, "");
    }
}

static void test_records(void **state)
{
    (void)state;
    to_services();
    assert_int_equal(choose(FLOW_SERVICE_RECORDS), FLOW_ACT_QUERY);
    assert_int_equal(step(), FLOW_RECORDS);
    assert_true(flow_get_view(f)->records_loading);
    /* nothing to reprint before the list came */
    flow_event ev = {.type = FLOW_EV_REPRINT_RECORD, .receipt_no = "DEMO01-20261122-0001"};
    assert_int_equal(flow_handle(f, &ev), FLOW_ACT_NONE);
    flow_event got = {.type = FLOW_EV_RECORDS, .rc = KIOSK_OK};
    flow_handle(f, &got);
    assert_false(flow_get_view(f)->records_loading);
    assert_int_equal(flow_get_view(f)->records_rc, KIOSK_OK);
    /* a copy: printed from here, marked 副本, and the screen stays */
    assert_int_equal(flow_handle(f, &ev), FLOW_ACT_PRINT);
    assert_int_equal(step(), FLOW_RECORDS);
    assert_true(flow_get_view(f)->copy);
    assert_true(flow_get_view(f)->reprinting);
    assert_string_equal(flow_get_view(f)->receipt_no, "DEMO01-20261122-0001");
    assert_int_equal(flow_handle(f, &ev), FLOW_ACT_NONE); /* one at a time */
    flow_event printed = {.type = FLOW_EV_PRINTED, .rc = KIOSK_OK};
    assert_int_equal(flow_handle(f, &printed), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_RECORDS);
    assert_false(flow_get_view(f)->reprinting);
    assert_string_equal(flow_get_view(f)->records_note, "records.reprinted");
    flow_handle(f, &ev);
    printed.rc = KIOSK_PAPER_OUT;
    flow_handle(f, &printed);
    assert_string_equal(flow_get_view(f)->records_note, "records.reprint_failed");
    /* no receipt number, or one too long: nothing */
    ev.receipt_no = "";
    assert_int_equal(flow_handle(f, &ev), FLOW_ACT_NONE);
    ev.receipt_no = NULL;
    assert_int_equal(flow_handle(f, &ev), FLOW_ACT_NONE);
    /* back: the services; the look-up again sees a failure as such */
    send(FLOW_EV_BACK);
    assert_int_equal(step(), FLOW_SERVICES);
    assert_null(flow_get_view(f)->records_note);
    assert_int_equal(choose(FLOW_SERVICE_RECORDS), FLOW_ACT_QUERY);
    got.rc = KIOSK_IO;
    flow_handle(f, &got);
    assert_int_equal(flow_get_view(f)->records_rc, KIOSK_IO);
    /* a late answer after the citizen left changes nothing */
    send(FLOW_EV_BACK);
    got.rc = KIOSK_OK;
    flow_handle(f, &got);
    assert_int_equal(step(), FLOW_SERVICES);
    /* 结束 from the records: the end */
    choose(FLOW_SERVICE_RECORDS);
    assert_true(send(FLOW_EV_NEXT) & FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    /* cancel and the card taken away end it too */
    to_services();
    choose(FLOW_SERVICE_RECORDS);
    assert_true(send(FLOW_EV_CANCEL) & FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    to_services();
    choose(FLOW_SERVICE_RECORDS);
    assert_true(send(FLOW_EV_CARD_REMOVED) & FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_ATTRACT);
    assert_string_equal(flow_get_view(f)->receipt_no, "");
}

static void test_save_failure(void **state)
{
    (void)state;
    to_form();
    fill_all_pages();
    send(FLOW_EV_NEXT);
    send(FLOW_EV_NEXT);
    send(FLOW_EV_SIGNED);
    flow_event ev = {.type = FLOW_EV_SAVED, .rc = KIOSK_DISK_FULL};
    assert_int_equal(flow_handle(f, &ev), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_MESSAGE);
    assert_string_equal(flow_get_view(f)->message_key, "flow.save_failed");
}

static void test_store_unavailable_before_signing(void **state)
{
    (void)state;
    to_form();
    fill_all_pages();
    send(FLOW_EV_NEXT);
    assert_int_equal(step(), FLOW_COMMITMENT);
    flow_event ev = {.type = FLOW_EV_STORE_UNAVAILABLE, .rc = KIOSK_DISK_FULL};
    assert_int_equal(flow_handle(f, &ev), FLOW_ACT_WIPE);
    assert_int_equal(step(), FLOW_MESSAGE);
    assert_string_equal(flow_get_view(f)->message_key, "flow.cannot_save");
    assert_string_equal(registration_get_text(flow_record(f), REGISTRATION_NAME), "");
    /* once saved, nothing the store says afterwards takes the receipt away */
    to_form();
    fill_all_pages();
    send(FLOW_EV_NEXT);
    send(FLOW_EV_NEXT);
    send(FLOW_EV_SIGNED);
    ev = (flow_event){.type = FLOW_EV_SAVED, .rc = KIOSK_OK, .receipt_no = "DEMO01-20261122-0001"};
    flow_handle(f, &ev);
    ev = (flow_event){.type = FLOW_EV_STORE_UNAVAILABLE, .rc = KIOSK_DISK_FULL};
    assert_int_equal(flow_handle(f, &ev), FLOW_ACT_NONE);
    assert_int_equal(step(), FLOW_PRINTING);
}

static void test_failed_print_and_reprint(void **state)
{
    (void)state;
    to_form();
    fill_all_pages();
    send(FLOW_EV_NEXT);
    send(FLOW_EV_NEXT);
    send(FLOW_EV_SIGNED);
    flow_event ev = {.type = FLOW_EV_SAVED, .rc = KIOSK_OK, .receipt_no = "DEMO01-20261122-0002"};
    flow_handle(f, &ev);
    ev = (flow_event){.type = FLOW_EV_PRINTED, .rc = KIOSK_PAPER_OUT};
    flow_handle(f, &ev);
    assert_int_equal(step(), FLOW_DONE);
    assert_false(flow_get_view(f)->printed);
    assert_string_equal(flow_get_view(f)->message_key, "flow.print_failed");
    /* the record is safe; a reprint is a copy */
    assert_int_equal(send(FLOW_EV_REPRINT), FLOW_ACT_PRINT);
    assert_int_equal(step(), FLOW_PRINTING);
    assert_true(flow_get_view(f)->copy);
    ev = (flow_event){.type = FLOW_EV_PRINTED, .rc = KIOSK_OK};
    flow_handle(f, &ev);
    assert_true(flow_get_view(f)->printed);
    assert_int_equal(send(FLOW_EV_REPRINT), FLOW_ACT_NONE); /* once printed, no more */
    assert_string_equal(flow_get_view(f)->receipt_no, "DEMO01-20261122-0002");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_whole_journey, setup, teardown),
        cmocka_unit_test_setup_teardown(test_done_ends_when_card_taken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_pin_and_blocked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eligibility_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_validation_and_review_edits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_problems_when_left, setup, teardown),
        cmocka_unit_test_setup_teardown(test_place_preselected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_card_pulled_mid_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_countdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_pauses_the_idle_timer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_third_generation_keys_the_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_services_tiles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_services_exits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_print_and_reprint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_unavailable_before_signing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deregistration_journey, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jobseeker_journey, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_type_exits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
