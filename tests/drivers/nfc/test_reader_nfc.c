/* Tests of the libnfc reader backend through libnfc's real pn532_uart driver, talking
 * to the PN532 emulator on a pseudo-terminal: open, poll, read a card with the ssc
 * protocol, verify a PIN, notice removal, survive slow cards, and report a reader that
 * stops answering. The emulator's wire is checked too: the card's time per APDU and
 * the baud rate are really spent, and the PIN's retry counter comes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <nfc/nfc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/kiosk_log.h"
#include "nfc/reader_nfc.h"
#include "ssc/reader_sim.h"
#include "pn532_emu.h"
#include "ssc/ssc.h"

static int setup(void **state)
{
    (void)state;
    /* only the device we name; no scanning of the machine's serial ports */
    setenv("LIBNFC_AUTO_SCAN", "false", 1);
    setenv("LIBNFC_INTRUSIVE_SCAN", "false", 1);
    setenv("LIBNFC_LOG_LEVEL", "0", 1);
    return 0;
}

typedef struct {
    reader *card;
    pn532_emu *emu;
    reader *r;
} rig;

static void rig_up(rig *g, const char *profile, const reader_sim_faults *f)
{
    assert_int_equal(reader_sim_create(profile, f, &g->card), KIOSK_OK);
    assert_int_equal(pn532_emu_start(g->card, &g->emu), KIOSK_OK);
    assert_int_equal(reader_nfc_open(pn532_emu_connstring(g->emu), &g->r), KIOSK_OK);
}

static void rig_down(rig *g)
{
    reader_close(g->r);
    pn532_emu_stop(g->emu);
    reader_close(g->card);
}

static void test_read_card_through_libnfc(void **state)
{
    (void)state;
    rig g;
    rig_up(&g, KIOSK_TEST_ASSETS "/cards/demo.ini", NULL);
    reader_target t;
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_OK);
    assert_int_equal(t.type_b, 0);
    assert_int_equal(t.uid_len, 4);
    assert_int_equal(t.uid[0], 0x08);
    ssc_card card;
    assert_int_equal(ssc_read_card(g.r, &card), KIOSK_OK);
    assert_string_equal(card.card_number, "D37010201");
    int tries;
    assert_int_equal(ssc_verify_pin(g.r, "654321", &tries), KIOSK_PIN_WRONG);
    assert_int_equal(tries, 2);
    assert_int_equal(ssc_verify_pin(g.r, "123456", &tries), KIOSK_OK);
    ssc_holder h;
    assert_int_equal(ssc_read_holder(g.r, &h), KIOSK_OK);
    assert_string_equal(h.name, "张三丰");
    assert_string_equal(h.id_number, "370102199003074519");
    assert_true(pn532_emu_exchanges(g.emu) >= 9); /* 3 + 2 VERIFY + 4, through libnfc */
    assert_int_equal(g.r->ops->present(g.r), KIOSK_OK);
    /* the citizen takes the card */
    reader_sim_set_present(g.card, 0);
    assert_int_equal(g.r->ops->present(g.r), KIOSK_NO_CARD);
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_NO_CARD);
    rig_down(&g);
}

static void test_removed_mid_read_and_empty_field(void **state)
{
    (void)state;
    rig g;
    reader_sim_faults f = {.remove_after_apdus = 2};
    rig_up(&g, KIOSK_TEST_ASSETS "/cards/demo.ini", &f);
    reader_target t;
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_OK);
    ssc_card card;
    assert_int_equal(ssc_read_card(g.r, &card), KIOSK_CARD_REMOVED);
    rig_down(&g);
}

static void test_slow_card_within_our_timeout(void **state)
{
    (void)state;
    rig g;
    /* slower than libnfc's 350 ms default, within SSC_APDU_TIMEOUT_MS */
    reader_sim_faults f = {.delay_ms = 450};
    rig_up(&g, KIOSK_TEST_ASSETS "/cards/demo.ini", &f);
    reader_target t;
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_OK);
    ssc_card card;
    assert_int_equal(ssc_read_card(g.r, &card), KIOSK_OK);
    assert_string_equal(card.card_number, "D37010201");
    rig_down(&g);
}

static void test_reader_that_stops_answering(void **state)
{
    (void)state;
    rig g;
    rig_up(&g, KIOSK_TEST_ASSETS "/cards/demo.ini", NULL);
    reader_target t;
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_OK);
    pn532_emu_set_silent(g.emu, 1);
    ssc_card card;
    kiosk_rc rc = ssc_read_card(g.r, &card);
    assert_true(rc == KIOSK_TIMEOUT || rc == KIOSK_READER);
    rig_down(&g);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Lower bounds only: a sleep never ends early, so these cannot fail on a slow machine. */
static void test_wire_and_card_time_are_spent(void **state)
{
    (void)state;
    rig g;
    rig_up(&g, KIOSK_TEST_ASSETS "/cards/demo.ini", NULL);
    reader_target t;
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_OK);
    ssc_card card;
    assert_int_equal(ssc_select_card(g.r, &card), KIOSK_OK);
    int tries;
    /* the card's 40 ms per APDU */
    pn532_emu_set_card_delay(g.emu, 40);
    double t0 = now_ms();
    assert_int_equal(ssc_pin_tries(g.r, &tries), KIOSK_OK);
    assert_true(now_ms() - t0 >= 40.0);
    /* no card time: the wire alone, 20 exchanges of at least 9 + 6 + 11 bytes at 86.8 us */
    pn532_emu_set_card_delay(g.emu, 0);
    t0 = now_ms();
    for (int i = 0; i < 20; i++)
        assert_int_equal(ssc_pin_tries(g.r, &tries), KIOSK_OK);
    double wire = now_ms() - t0;
    print_message("20 counter reads on the wire alone: %.1f ms\n", wire);
    assert_true(wire >= 20 * 26 * 0.0868);
    rig_down(&g);
}

/* The retry counter through libnfc: VERIFY with no data, no try spent. */
static void test_retry_counter_through_libnfc(void **state)
{
    (void)state;
    rig g;
    rig_up(&g, KIOSK_TEST_FIXTURES "/cards/last-try.ini", NULL);
    reader_target t;
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_OK);
    ssc_card card;
    assert_int_equal(ssc_select_card(g.r, &card), KIOSK_OK);
    int tries;
    assert_int_equal(ssc_pin_tries(g.r, &tries), KIOSK_OK);
    assert_int_equal(tries, 1);
    assert_int_equal(reader_sim_pin_tries(g.card), 1); /* none spent */
    rig_down(&g);
    rig_up(&g, KIOSK_TEST_FIXTURES "/cards/blocked.ini", NULL);
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_OK);
    assert_int_equal(ssc_select_card(g.r, &card), KIOSK_OK);
    assert_int_equal(ssc_pin_tries(g.r, &tries), KIOSK_PIN_BLOCKED);
    rig_down(&g);
}

static int warnings;
static void count_warnings(void *ctx, kiosk_log_level level, const char *module, const char *msg)
{
    (void)ctx;
    (void)msg;
    warnings += level >= KIOSK_LOG_WARN && !strcmp(module, "reader");
}

static void test_no_reader_and_error_mapping(void **state)
{
    (void)state;
    reader *r = (reader *)1;
    /* a reader that stays away is said once, then once a minute of tries, not each time */
    warnings = 0;
    kiosk_log_set_sink(count_warnings, NULL);
    for (int i = 0; i < 59; i++) {
        assert_int_equal(reader_nfc_open("pn532_uart:/dev/nonexistent-tty:115200", &r),
                         KIOSK_READER);
        assert_null(r);
    }
    assert_int_equal(warnings, 1);
    assert_int_equal(reader_nfc_open("pn532_uart:/dev/nonexistent-tty:115200", &r), KIOSK_READER);
    assert_int_equal(warnings, 2);
    kiosk_log_set_sink(NULL, NULL);
    assert_int_equal(reader_nfc_rc(NFC_ETIMEOUT), KIOSK_TIMEOUT);
    assert_int_equal(reader_nfc_rc(NFC_ERFTRANS), KIOSK_CARD_REMOVED);
    assert_int_equal(reader_nfc_rc(NFC_ETGRELEASED), KIOSK_CARD_REMOVED);
    assert_int_equal(reader_nfc_rc(NFC_EIO), KIOSK_READER);
    assert_int_equal(reader_nfc_rc(NFC_ENOTSUCHDEV), KIOSK_READER);
    assert_int_equal(reader_nfc_rc(NFC_EOVFLOW), KIOSK_CARD);
    assert_int_equal(reader_nfc_rc(NFC_EDEVNOTSUPP), KIOSK_UNSUPPORTED);
    assert_int_equal(reader_nfc_rc(NFC_EINVARG), KIOSK_INVALID);
}

/* A card that answers only Type B polls (a 3rd-generation dual-interface card of some
 * issuers) is found by the Type B poll through libnfc, read over it, and keeps its
 * holder file closed (69 82) until terminal authentication; the Type A poll alone would
 * never have seen it. */
static void test_type_b_third_generation_card(void **state)
{
    (void)state;
    rig g;
    rig_up(&g, KIOSK_TEST_FIXTURES "/cards/gen3-typeb.ini", NULL);
    reader_target t;
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_OK);
    assert_int_equal(t.type_b, 1);
    assert_int_equal(t.uid_len, 4); /* the PUPI */
    assert_int_equal(t.uid[0], 0x08);
    ssc_card card;
    assert_int_equal(ssc_read_card(g.r, &card), KIOSK_OK);
    assert_int_equal(card.generation, 3);
    int tries;
    assert_int_equal(ssc_verify_pin(g.r, "111111", &tries), KIOSK_OK);
    ssc_holder h;
    assert_int_equal(ssc_read_holder(g.r, &h), KIOSK_UNSUPPORTED); /* 69 82 */
    assert_string_equal(h.id_number, "");
    uint8_t key[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    ssc_key_holder kh = {ssc_test_cryptogram, key, 0x01};
    assert_int_equal(ssc_authenticate(g.r, &card, &kh), KIOSK_OK);
    assert_int_equal(ssc_read_holder(g.r, &h), KIOSK_OK);
    assert_string_equal(h.name, "王芳");
    ssc_holder_wipe(&h);
    assert_int_equal(g.r->ops->present(g.r), KIOSK_OK);
    reader_sim_set_present(g.card, 0); /* taken away */
    assert_int_equal(g.r->ops->present(g.r), KIOSK_NO_CARD);
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_NO_CARD);
    rig_down(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_card_through_libnfc),
        cmocka_unit_test(test_type_b_third_generation_card),
        cmocka_unit_test(test_removed_mid_read_and_empty_field),
        cmocka_unit_test(test_slow_card_within_our_timeout),
        cmocka_unit_test(test_reader_that_stops_answering),
        cmocka_unit_test(test_wire_and_card_time_are_spent),
        cmocka_unit_test(test_retry_counter_through_libnfc),
        cmocka_unit_test(test_no_reader_and_error_mapping),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
