/* Headless journey tests: the app with the simulated reader, driven by scripts exactly as
 * `kiosk --script` runs them — card on, wrong PIN then right, the questions, eligible
 * and not eligible, the card pulled mid-journey (the PIN typed so far is gone), a blocked
 * PIN, and the idle countdown on a manual clock. Every screen passed is saved as a PNG
 * in tests/tmp/screens/ (both layouts), for a reviewer to page through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>
#include <sodium.h>

#include "printer_peer.h"
#include "test_state.h"
#include "store/store.h"
#include "ui/ui_app.h"
#include "ui/ui_handwriting.h"
#include "ui/ui_script.h"

static kiosk_config cfg;
static char shots[512];

static int setup(void **state)
{
    (void)state;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    cfg.idle_timeout_s = 90;
    snprintf(shots, sizeof shots, "%s/screens", KIOSK_TEST_TMP);
    mkdir(shots, 0755);
    return 0;
}

static ui_app *start(kiosk_mode mode, const char *profile, const kiosk_clock *clock)
{
    cfg.mode = mode;
    snprintf(cfg.reader_card_profile, sizeof cfg.reader_card_profile, "%s", profile);
    ui_app *app;
    ui_app_options opt = {.headless = 1, .with_reader = 1, .clock = clock};
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    return app;
}

static void run(ui_app *app, const char *script)
{
    ui_script_result res;
    kiosk_rc rc = ui_script_run(app, script, shots, &res);
    if (rc != KIOSK_OK)
        fail_msg("script line %d: %s", res.line, res.message);
}

static const char demo_card[] = KIOSK_TEST_ASSETS "/cards/demo.ini";

static void journey_to_the_questions(kiosk_mode mode, const char *tag)
{
    ui_app *app = start(mode, demo_card, NULL);
    char script[2048];
    snprintf(script, sizeof script,
             "expect attract\n"
             "screenshot %s-01-attract.png\n"
             "card insert\n"
             "wait-for pin\n"
             "screenshot %s-02-pin.png\n"
             "pin 111111\n"
             "screenshot %s-03-pin-typed.png\n"
             "tap pin_ok\n"
             "wait-for pin\n"
             "screenshot %s-04-pin-wrong.png\n"
             "pin 123456\n"
             "tap pin_ok\n"
             "wait-for services\ntap svc_register\nexpect questions\n"
             "screenshot %s-05-questions.png\n"
             "tap next\n"
             "expect questions\n"
             "screenshot %s-06-questions-missing.png\n"
             "tap q0_no\ntap q1_no\ntap q2_yes\n"
             "screenshot %s-07-questions-answered.png\n"
             "tap q3_yes\n" /* the last answer goes on by itself */
             "expect form\n"
             "screenshot %s-08-form-not-on-screen.png\n"
             "tap cancel\n"
             "expect form\n" /* asked first */
             "screenshot %s-09-cancel-question.png\n"
             "tap cancel_confirm\n"
             "expect message\n"
             "tap ok\n"
             "expect attract\n",
             tag, tag, tag, tag, tag, tag, tag, tag, tag);
    run(app, script);
    assert_int_equal(ui_app_view(app)->tries_left, -1);
    ui_app_destroy(app);
}

static void test_happy_path_portrait(void **state)
{
    (void)state;
    journey_to_the_questions(KIOSK_MODE_HALL, "hall");
}

static void test_happy_path_landscape(void **state)
{
    (void)state;
    journey_to_the_questions(KIOSK_MODE_PORTABLE, "portable");
}

static void test_not_eligible_is_explained(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL, demo_card, NULL);
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n"
             "tap q0_yes\ntap q1_no\ntap q2_yes\ntap q3_yes\n"
             "expect eligibility\n"
             "screenshot hall-09-eligibility-pension.png\n"
             /* a mistaken answer is put right without the card and PIN again */
             "tap back\nexpect questions\n"
             "tap q0_no\ntap next\nexpect form\n"
             "tap back\nexpect questions\n"
             "tap q0_yes\ntap next\nexpect eligibility\n"
             "tap ok\nexpect attract\n");
    ui_app_destroy(app);
}

static void test_card_pulled_wipes(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL, demo_card, NULL);
    run(app, "card insert\nwait-for pin\npin 123\ncard remove\nwait-for card_away\n"
             "screenshot hall-10-card-away.png\ntap cancel_confirm\nexpect message\n"
             "tap ok\nexpect attract\n"
             "card insert\nwait-for pin\n"
             "screenshot hall-10-pin-after-pull.png\n");
    /* the digits typed before the card left are gone: a full PIN now gets through */
    run(app, "pin 123456\ntap pin_ok\nwait-for services\ntap svc_register\nexpect questions\n");
    ui_app_destroy(app);
}

static void test_blocked_pin_sends_to_counter(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL, KIOSK_TEST_FIXTURES "/cards/blocked.ini", NULL);
    run(app, "card insert\nwait-for message\n" /* before any digit */
             "screenshot hall-11-pin-blocked.png\n"
             "tap ok\nexpect attract\n");
    ui_app_destroy(app);
}

static void test_idle_countdown(void **state)
{
    (void)state;
    kiosk_clock_manual clk;
    kiosk_clock_manual_init(&clk, 1795363199000LL);
    ui_app *app = start(KIOSK_MODE_HALL, demo_card, &clk.clock);
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n");
    /* ninety seconds without a touch: the "more time?" dialog counts down */
    kiosk_clock_manual_advance(&clk, 91 * 1000);
    ui_app_pump(app);
    assert_true(ui_app_view(app)->countdown_s > 0);
    run(app, "screenshot hall-12-more-time.png\ntap more_time\n");
    assert_int_equal(ui_app_view(app)->countdown_s, 0);
    assert_int_equal(ui_app_view(app)->step, FLOW_QUESTIONS);
    /* and without an answer the session ends */
    kiosk_clock_manual_advance(&clk, 91 * 1000);
    ui_app_pump(app);
    kiosk_clock_manual_advance(&clk, 31 * 1000);
    ui_app_pump(app);
    assert_int_equal(ui_app_view(app)->step, FLOW_ATTRACT);
    ui_app_destroy(app);
}

/* A kiosk state with the upstream key provisioned, receipts to a folder. */
static void provision(const char *dir)
{
    assert_int_equal(test_state_provision(dir, "DEMO01"), KIOSK_OK);
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%.200s", dir);
    snprintf(cfg.printer_output_dir, sizeof cfg.printer_output_dir, "%.200s/receipts", dir);
    cfg.printer_backend = KIOSK_PRINTER_FILE;
}

static int saved_calls;
static void on_saved(void *ctx)
{
    (void)ctx;
    saved_calls++;
}

/* The whole journey, as a citizen makes it, with the record saved and the receipt made. */
static void whole_journey(kiosk_mode mode, const char *tag)
{
    char dir[200];
    snprintf(dir, sizeof dir, "%s/journey-%s-%d", KIOSK_TEST_TMP, tag, (int)getpid());
    provision(dir);
    cfg.mode = mode;
    snprintf(cfg.reader_card_profile, sizeof cfg.reader_card_profile, "%s", demo_card);
    ui_app *app;
    saved_calls = 0;
    ui_app_options opt = {
        .headless = 1, .with_reader = 1, .with_store = 1, .record_saved = on_saved};
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    char script[6000];
    snprintf(script, sizeof script,
             "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n"
             "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\n"
             "expect form\n"
             "screenshot %s-20-form-personal.png\n"
             "tap next\n"
             "screenshot %s-21-form-personal-errors.png\n"
             "tap field_education\n"
             "screenshot %s-22-choice-education.png\n"
             "pick opt_21\n" /* health opens by itself */
             "tap opt_10\n"
             "screenshot %s-23-form-personal-filled.png\n"
             "tap next\n"
             /* the picker opens at the hall's own district (历下区), down to the
              * community; the detail follows at once, digits first */
             "tap field_household_division\n"
             "screenshot %s-24-address-home.png\n"
             "pick div_370102001\n"
             "screenshot %s-25-address-communities.png\n"
             "pick div_370102001001\n"
             "type 12\ntap kb_pinyin\ntype hao\n"
             "screenshot %s-26-keyboard-pinyin.png\n"
             "choose 0\n"
             "screenshot %s-27-keyboard-typed.png\n"
             "tap edit_done\n" /* the residence opens by itself */
             "tap div_same\n"
             "screenshot %s-28-form-document.png\n"
             "tap next\n"
             "tap field_mobile\ntype 1381234567\n"
             "screenshot %s-29-keypad-mobile.png\n"
             "type 8\ntap edit_done\n"
             "tap next\n"
             "tap field_unemployed_since\n"
             "screenshot %s-30-month-picker.png\n"
             "tap month_9\n" /* then the reason and the insurance open by themselves */
             "tap opt_05\n"
             "tap opt_yes\n"
             "screenshot %s-31-form-unemployment.png\n"
             "tap next\n"
             "tap field_services\ntap opt_1\ntap opt_2\n"
             "screenshot %s-32-services.png\n"
             "tap edit_done\n"
             /* on the portable unit the page is too long for the screen: it scrolls to
              * its last field, which opens as any other (the hall's fits: two columns) */
             "tap-while scroll_down\n"
             "screenshot %s-32b-wishes-end.png\n"
             "tap field_job_intention_2\nexpect form\ntap edit_cancel\n"
             "%s"
             "tap next\n"
             "expect review\n"
             "screenshot %s-33-review.png\n"
             /* every card is reachable: in landscape by scrolling, and the last one's
              * change button leads to its page and back */
             "%s"
             "screenshot %s-33b-review-end.png\n"
             "tap edit_4\nexpect form\ntap next\nexpect review\n"
             "tap next\n"
             "expect commitment\n"
             "screenshot %s-34-commitment.png\n"
             "tap-while scroll_down\n"
             "screenshot %s-35-commitment-read.png\n"
             "tap agree\n"
             "expect signature\n"
             "tap sign_ok\n"
             "screenshot %s-36-signature-empty.png\n"
             "stroke 40 40 300 44\n"
             "tap sign_ok\n"
             "screenshot %s-37-signature-line.png\n"
             "tap sign_clear\n"
             "sign\n"
             "screenshot %s-38-signature.png\n"
             "tap sign_ok\n"
             "wait-for done 10000\n"
             "screenshot %s-39-done.png\n"
             "tap finish\n"
             "expect attract\n",
             tag, tag, tag, tag, tag, tag, tag, tag, tag, tag, tag, tag, tag, tag,
             mode == KIOSK_MODE_PORTABLE ? "tap scroll_up\n" : "", tag,
             /* the landscape review scrolls (down to the end, up, down again); the hall's
              * fits (test_ui_fit) */
             mode == KIOSK_MODE_PORTABLE
                 ? "tap-while scroll_down\ntap scroll_up\ntap-while scroll_down\n"
                 : "",
             tag, tag, tag, tag, tag, tag, tag);
    run(app, script);
    assert_int_equal(saved_calls, 1);
    ui_app_destroy(app);
    /* the record is in the store, sealed, and its receipt was made */
    assert_int_equal(test_state_records(dir, "DEMO01", STORE_QUEUED), 1);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ls '%s'/receipts/DEMO01-*.png >/dev/null 2>&1", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_whole_journey_portrait(void **state)
{
    (void)state;
    whole_journey(KIOSK_MODE_HALL, "hall");
}

static void test_whole_journey_landscape(void **state)
{
    (void)state;
    whole_journey(KIOSK_MODE_PORTABLE, "portable");
}

/* Pixels of pure black in a PNG: the receipt's QR modules and print; the screens' own
 * text is a dark blue-grey. */
static long black_pixels(const char *path)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return -1;
    img.format = PNG_FORMAT_RGB;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
    long n = -1;
    if (px && png_image_finish_read(&img, NULL, px, 0, NULL)) {
        n = 0;
        for (size_t i = 0; i + 2 < PNG_IMAGE_SIZE(img); i += 3)
            n += px[i] == 0 && px[i + 1] == 0 && px[i + 2] == 0;
    } else {
        png_image_free(&img);
    }
    free(px);
    return n;
}

/* The happy path on a real printer (serial, on a pty): the receipt goes to the printer,
 * the done screen shows it, and no image of it stays on the unit afterwards. */
static void test_receipt_on_a_real_printer(void **state)
{
    (void)state;
    char dir[200], shots_dir[260];
    snprintf(dir, sizeof dir, "%s/journey-serial-%d", KIOSK_TEST_TMP, (int)getpid());
    provision(dir);
    snprintf(shots_dir, sizeof shots_dir, "%s/shots", dir);
    mkdir(shots_dir, 0755);
    static printer_peer pe;
    const uint8_t healthy[5] = {0, 0x12, 0x12, 0x12, 0x12};
    assert_int_equal(printer_peer_start(&pe, healthy), 0);
    cfg.mode = KIOSK_MODE_HALL;
    cfg.printer_backend = KIOSK_PRINTER_SERIAL;
    snprintf(cfg.printer_device, sizeof cfg.printer_device, "%s", pe.name);
    snprintf(cfg.reader_card_profile, sizeof cfg.reader_card_profile, "%s", demo_card);
    ui_app *app;
    ui_app_options opt = {.headless = 1, .with_reader = 1, .with_store = 1};
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    ui_script_result res;
    kiosk_rc rc = ui_script_run_file(app, KIOSK_TEST_FIXTURES "/../scripts/happy-path.script",
                                     shots_dir, &res);
    if (rc != KIOSK_OK)
        fail_msg("script line %d: %s", res.line, res.message);
    ui_app_destroy(app);
    printer_peer_stop(&pe); /* got_len is the peer thread's until it stops */
    size_t sent = pe.got_len;
    cfg.printer_backend = KIOSK_PRINTER_FILE;
    assert_true(sent > 1000);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls '%s/receipts')\"", dir);
    assert_int_equal(system(cmd), 0);
    /* the done screen showed the receipt (its QR code) before the image went; the receipt
     * with its follow-up plan is long, so its preview is small: its QR code alone is
     * some 3,000 black pixels */
    snprintf(cmd, sizeof cmd, "%s/05-done.png", shots_dir);
    long done_black = black_pixels(cmd);
    snprintf(cmd, sizeof cmd, "%s/03-review.png", shots_dir);
    long review_black = black_pixels(cmd);
    print_message("black pixels: done %ld, review %ld\n", done_black, review_black);
    assert_true(review_black >= 0 && done_black > review_black + 2500);
}

static void test_store_without_upstream_key_starts_nothing(void **state)
{
    (void)state;
    char dir[200], cmd[1200];
    snprintf(dir, sizeof dir, "%s/journey-nokey-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cfg.state_dir, sizeof cfg.state_dir, "%s", dir);
    cfg.mode = KIOSK_MODE_HALL;
    snprintf(cfg.reader_card_profile, sizeof cfg.reader_card_profile, "%s", demo_card);
    ui_app *app;
    ui_app_options opt = {.headless = 1, .with_reader = 1, .with_store = 1};
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    /* out of service before a card: the card starts nothing */
    run(app, "wait 800\nscreenshot hall-40-cannot-save.png\n"
             "card insert\nwait 800\nexpect attract\n");
    assert_true(session_get_view(ui_app_session(app))->store_fault);
    ui_app_destroy(app);
}

static int has_issue(ui_app *app, const char *key)
{
    const flow_view *v = ui_app_view(app);
    for (int i = 0; i < v->nissues; i++)
        if (!strcmp(v->issues[i].key, key))
            return 1;
    return 0;
}

/* Each kind of message once, each shown where the citizen fixes it. */
static void test_validation_messages(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL, demo_card, NULL);
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n"
             "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\n"
             "tap next\n");
    assert_true(has_issue(app, "form.error.education_required"));
    assert_true(has_issue(app, "form.error.health_required"));
    /* disabled (6x) needs a grade */
    run(app, "tap field_education\npick opt_21\npick opt_61\n"
             "expect form\ntap edit_cancel\ntap next\n"); /* the grade opened by itself */
    assert_true(has_issue(app, "form.error.disability_grade_required"));
    run(app, "screenshot hall-41-disability-grade-needed.png\n"
             "tap field_health\npick opt_10\ntap next\n"
             "tap field_household_division\ntap edit_done\ntype 1\ntap edit_done\n"
             "tap div_other\npick div_11\npick div_1101\n"
             "pick div_110105\ntap edit_done\ntype 1\ntap edit_done\n"
             "tap next\nexpect form\n"
             "tap field_mobile\ntype 12345\n");
    /* a mobile number that cannot be right is refused before 完成, with the reason */
    assert_int_not_equal(ui_app_tap_id(app, "edit_done"), KIOSK_OK);
    run(app, "tap edit_cancel\n"
             "tap field_landline\ntype 123\ntap edit_done\n"
             "tap field_email\ntype zhang\ntap edit_done\n"
             "tap next\n"
             "screenshot hall-42-contact-errors.png\n"
             "tap large_text\ntap contrast\n"
             "screenshot hall-44-contact-large-contrast.png\n"
             "tap language\n"
             "screenshot hall-45-contact-english.png\n"
             "tap language\ntap language\ntap large_text\ntap contrast\n"); /* en → 繁體 → 中文 */
    assert_true(has_issue(app, "form.error.mobile_required"));
    assert_true(has_issue(app, "form.error.landline_format"));
    assert_true(has_issue(app, "form.error.email_format"));
    /* fixed one by one, the messages go */
    run(app, "tap field_mobile\ntype 13812345678\ntap edit_done\n");
    assert_false(has_issue(app, "form.error.mobile_required"));
    assert_true(has_issue(app, "form.error.landline_format"));
    run(app, "tap field_landline\ntap kb_del\ntap kb_del\ntap kb_del\ntype 0531-88886666\n"
             "tap edit_done\n"
             "tap field_email\ntap kb_mode\ntype @\ntap kb_mode\ntype qq\ntap kb_mode\ntype .\n"
             "tap kb_mode\ntype com\ntap edit_done\n"
             "tap next\n"
             /* 其他 asks for its words next */
             "tap field_unemployed_since\ntap month_1\n"
             "pick opt_13\nexpect form\ntap edit_cancel\n"
             "tap field_claims_insurance\ntap opt_no\n"
             "tap next\n"
             "screenshot hall-43-unemployment-errors.png\n");
    assert_int_equal(ui_app_view(app)->page, FLOW_PAGE_UNEMPLOYMENT);
    assert_true(has_issue(app, "form.error.reason_other_required"));
    ui_app_destroy(app);
}

/* The card taken away halfway through the form: everything typed is gone, the next
 * citizen starts from nothing; a rare-character name renders from the card. */
static void test_card_pulled_mid_form_and_rare_name(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL, demo_card, NULL);
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n"
             "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\n"
             "tap field_education\npick opt_21\npick opt_10\ntap next\n"
             "tap field_household_detail\ntap kb_pinyin\ntype jiefanglu\nchoose 0\n"
             "tap edit_done\n"
             /* taken and put back: on where the citizen was */
             "card remove\nwait-for card_away\ncard insert\nwait-for form\n"
             /* taken and ended: wiped */
             "card remove\nwait-for card_away\ntap cancel_confirm\nexpect message\n"
             "tap ok\nexpect attract\n");
    /* the flow's record is empty again */
    assert_int_equal(ui_app_view(app)->nissues, 0);
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n"
             "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n"
             "tap next\n");
    /* education is asked again: nothing of the first citizen's answers is left */
    const flow_view *v = ui_app_view(app);
    int education_missing = 0;
    for (int i = 0; i < v->nissues; i++)
        education_missing |= !strcmp(v->issues[i].key, "form.error.education_required");
    assert_true(education_missing);
    /* the keyboard's pinyin works for the next citizen too (the engine was closed) */
    run(app, "tap field_education\npick opt_21\npick opt_10\ntap next\n"
             "tap field_household_detail\ntap kb_pinyin\ntype quan\nchoose 0\ntap edit_done\n");
    ui_app_destroy(app);
    app = start(KIOSK_MODE_HALL, KIOSK_TEST_FIXTURES "/cards/rare-name.ini", NULL);
    run(app, "card insert\nwait-for pin\npin 246810\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n"
             "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n"
             "screenshot hall-46-rare-name.png\n");
    assert_int_equal(ui_app_missing_glyphs(app), 0);
    ui_app_destroy(app);
}

/* The touches of the demo registration's address entry (household and residence,
 * "…和平小区…12号楼3单元402室"), counted as a citizen makes them: the picker opens at the
 * hall's 历下区, goes down to the community, the detail follows on the handwriting
 * keyboard (its digits and address words: no character needs writing here), and the
 * residence is "与户籍地址相同" — 16 touches (37 with the detail in pinyin). Before the
 * picker opened at the hall's district the same entry took 104
 * touches (provinces from the top, 完成 and a tap on each detail row, letters first, the
 * residence entered again: see the README). */
static void test_address_touches(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL, demo_card, NULL);
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n"
             "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\n"
             "tap field_education\npick opt_21\npick opt_10\ntap next\n");
    ui_script_result res;
    kiosk_rc rc = ui_script_run(app,
                                "tap field_household_division\npick div_370102001\n"
                                "pick div_370102001001\n"
                                /* the handwriting keyboard's digits and address words */
                                "type 12\ntap kb_号\ntap kb_楼\ntype 3\ntap kb_单元\n"
                                "type 402\ntap kb_室\ntap edit_done\n"
                                /* the residence's picker opens by itself */
                                "tap div_same\n",
                                shots, &res);
    if (rc != KIOSK_OK)
        fail_msg("script line %d: %s", res.line, res.message);
    printf("address entry (household + residence): %d touches\n", res.taps);
    assert_int_equal(res.taps, 15);
    const registration *r = session_get_view(ui_app_session(app))->record;
    assert_string_equal(r->household.division, "370102001001");
    assert_string_equal(r->residence.division, "370102001001");
    assert_string_equal(r->residence.detail, r->household.detail);
    assert_string_equal(r->household.detail, "12号楼3单元402室");
    ui_app_destroy(app);
}

/* Whether two files hold the same bytes. */
static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    assert_non_null(fa);
    assert_non_null(fb);
    int same = 1, ca, cb;
    do {
        ca = fgetc(fa);
        cb = fgetc(fb);
        same = ca == cb;
    } while (same && ca != EOF);
    fclose(fa);
    fclose(fb);
    return same;
}

/* A form row under a finger is drawn pressed, as a button is; a finger that slides off
 * (a swipe) leaves it as it was and opens nothing. */
static void test_form_row_drawn_pressed(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL, demo_card, NULL);
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n"
             "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\nexpect form\n");
    SDL_Rect r;
    assert_true(ui_app_widget_rect(app, "field_education", &r));
    char up[600], down[600], slid[600];
    snprintf(up, sizeof up, "%s/row-up.png", shots);
    snprintf(down, sizeof down, "%s/row-down.png", shots);
    snprintf(slid, sizeof slid, "%s/row-slid.png", shots);
    assert_int_equal(ui_app_screenshot(app, up), KIOSK_OK);
    ui_app_touch(app, 0, r.x + r.w / 2, r.y + r.h / 2);
    assert_int_equal(ui_app_screenshot(app, down), KIOSK_OK);
    assert_false(same_file(up, down));                        /* drawn pressed */
    ui_app_touch(app, 1, r.x + r.w / 2, r.y + r.h / 2 + 200); /* a swipe, not a tap */
    ui_app_touch(app, 2, r.x + r.w / 2, r.y + r.h / 2 + 200);
    assert_int_equal(ui_app_screenshot(app, slid), KIOSK_OK);
    assert_true(same_file(up, slid)); /* as before, and no editor opened */
    ui_app_destroy(app);
}

/* The text input engines go once the form is behind (at the review, and on to the
 * commitment) and come back should the citizen return to change a field: the recogniser
 * with the form, the pinyin engine when asked for. */
static void test_recogniser_leaves_with_the_form(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL, demo_card, NULL);
    FILE *f = fopen(KIOSK_TEST_FIXTURES "/../scripts/happy-path.script", "r");
    assert_non_null(f);
    static char script[8192];
    size_t n = fread(script, 1, sizeof script - 1, f);
    fclose(f);
    script[n] = '\0';
    char *cut = strstr(script, "expect commitment\n");
    assert_non_null(cut);
    cut[strlen("expect commitment\n")] = '\0'; /* the demo registration up to the commitment */
    char *review = strstr(script, "expect review\n");
    assert_non_null(review);
    review += strlen("expect review\n");
    char rest = *review;
    *review = '\0';
    run(app, script); /* the form done, at the review */
    assert_null(ui_app_handwriting(app));
    *review = rest;
    run(app, review); /* on to the commitment */
    assert_null(ui_app_handwriting(app));
    run(app, "tap back\nexpect review\ntap edit_1\nexpect form\n");
    assert_non_null(ui_app_handwriting(app));
    /* the pinyin engine is loaded when a citizen asks for it, and goes with the form */
    assert_false(ui_app_pinyin_loaded(app));
    run(app, "tap field_household_detail\ntap kb_pinyin\n");
    assert_true(ui_app_pinyin_loaded(app));
    run(app, "tap edit_cancel\ntap next\nexpect review\n");
    assert_false(ui_app_pinyin_loaded(app));
    ui_app_destroy(app);
}

/* An address written by hand: digits from the keyboard's row, 号 written with a finger
 * on the pad (stroke by stroke, the candidates after each) and chosen, 楼 from the
 * address words, a 3 put in before it with the caret moved back; the record holds what
 * was entered. Then strokes on the pad are wiped with the session. */
static void test_handwriting_entry(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL, demo_card, NULL);
    run(app, "card insert\nwait-for pin\npin 123456\ntap pin_ok\nwait-for services\ntap "
             "svc_register\nexpect questions\n"
             "tap q0_no\ntap q1_no\ntap q2_yes\ntap q3_yes\n"
             "tap field_education\npick opt_21\npick opt_10\ntap next\n"
             "tap field_household_detail\ntype 12\n"
             "stroke 190 60 194 210\nstroke 190 60 410 60 406 210\nstroke 194 206 406 206\n"
             "stroke 80 290 520 290\nstroke 230 300 190 410 450 410 430 560 350 536\n");
    const ui_handwriting *hw = ui_app_handwriting(app);
    assert_non_null(hw);
    assert_int_equal(ui_handwriting_stroke_count(hw), 5);
    assert_string_equal(ui_handwriting_candidate(hw, 0), "号");
    run(app, "choose 0\ntap kb_楼\ntap caret_left\ntype 3\ntap edit_done\n"
             "tap edit_cancel\n"); /* the residence's picker, opened by itself */
    assert_int_equal(ui_handwriting_stroke_count(hw), 0); /* chosen: the pad is clear */
    assert_null(ui_handwriting_view(hw));                 /* the pad's picture went with the pad */
    session *ss = ui_app_session(app);
    assert_string_equal(
        registration_get_text(session_get_view(ss)->record, REGISTRATION_HOUSEHOLD_DETAIL),
        "12号3楼");
    /* a tap in the value puts the caret there; 删除 takes the character before it */
    run(app, "tap field_household_detail\ntap caret_2\ntap kb_del\ntap edit_done\n");
    assert_string_equal(
        registration_get_text(session_get_view(ss)->record, REGISTRATION_HOUSEHOLD_DETAIL),
        "1号3楼");
    /* the citizen's writing goes with the session */
    run(app, "tap field_household_detail\nstroke 80 290 520 290\n");
    assert_int_equal(ui_handwriting_stroke_count(hw), 1);
    assert_true(ui_handwriting_candidate_count(hw) > 0);
    run(app, "card remove\nwait-for card_away\ntap cancel_confirm\nexpect message\n");
    /* the recogniser is closed with the session (strokes, candidates and the model's
     * mapping go), and opened again for the next citizen's form */
    assert_null(ui_app_handwriting(app));
    run(app, "tap ok\nexpect attract\ncard insert\nwait-for pin\npin 123456\ntap pin_ok\n"
             "wait-for services\ntap svc_register\nexpect questions\ntap q0_no\ntap q1_no\ntap "
             "q2_yes\ntap q3_yes\n"
             "expect form\n");
    hw = ui_app_handwriting(app);
    assert_non_null(hw);
    assert_int_equal(ui_handwriting_stroke_count(hw), 0);
    assert_int_equal(ui_handwriting_candidate_count(hw), 0);
    ui_app_destroy(app);
}

static void test_script_errors_name_their_line(void **state)
{
    (void)state;
    ui_app *app = start(KIOSK_MODE_HALL, demo_card, NULL);
    ui_script_result res;
    assert_int_equal(ui_script_run(app, "# comment\n\nfly away\n", shots, &res), KIOSK_INVALID);
    assert_int_equal(res.line, 3);
    assert_int_equal(ui_script_run(app, "tap pin_ok\n", shots, &res), KIOSK_NOT_FOUND);
    assert_non_null(strstr(res.message, "attract"));
    assert_int_equal(ui_script_run(app, "expect pin\n", shots, &res), KIOSK_RANGE);
    assert_int_equal(ui_script_run(app, "wait-for pin 50\n", shots, &res), KIOSK_TIMEOUT);
    assert_int_equal(ui_script_run(app, "wait-for nowhere\n", shots, &res), KIOSK_INVALID);
    ui_app_destroy(app);
    /* without a simulated reader, card commands say so */
    ui_app_options opt = {.headless = 1};
    assert_int_equal(ui_app_create(&cfg, &opt, &app), KIOSK_OK);
    assert_int_equal(ui_script_run(app, "card insert\n", shots, &res), KIOSK_UNSUPPORTED);
    ui_app_destroy(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_happy_path_portrait, setup),
        cmocka_unit_test_setup(test_happy_path_landscape, setup),
        cmocka_unit_test_setup(test_not_eligible_is_explained, setup),
        cmocka_unit_test_setup(test_card_pulled_wipes, setup),
        cmocka_unit_test_setup(test_blocked_pin_sends_to_counter, setup),
        cmocka_unit_test_setup(test_idle_countdown, setup),
        cmocka_unit_test_setup(test_script_errors_name_their_line, setup),
        cmocka_unit_test_setup(test_validation_messages, setup),
        cmocka_unit_test_setup(test_address_touches, setup),
        cmocka_unit_test_setup(test_card_pulled_mid_form_and_rare_name, setup),
        cmocka_unit_test_setup(test_form_row_drawn_pressed, setup),
        cmocka_unit_test_setup(test_recogniser_leaves_with_the_form, setup),
        cmocka_unit_test_setup(test_handwriting_entry, setup),
        cmocka_unit_test_setup(test_whole_journey_portrait, setup),
        cmocka_unit_test_setup(test_whole_journey_landscape, setup),
        cmocka_unit_test_setup(test_receipt_on_a_real_printer, setup),
        cmocka_unit_test_setup(test_store_without_upstream_key_starts_nothing, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
