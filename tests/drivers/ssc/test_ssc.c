/* Tests of the card protocol against the simulated card: a full read, wrong and blocked
 * PINs, GB18030 names with extensions, T=0 GET RESPONSE, card removal mid-read,
 * malformed records, slow cards, third-generation cards and strange cards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ssc/reader_sim.h"
#include "ssc/ssc.h"

#define DEMO KIOSK_TEST_ASSETS "/cards/demo.ini"
#define CARDS KIOSK_TEST_FIXTURES "/cards/"

static reader *open_card(const char *profile, const reader_sim_faults *f)
{
    reader *r;
    assert_int_equal(reader_sim_create(profile, f, &r), KIOSK_OK);
    reader_target t;
    assert_int_equal(r->ops->poll(r, 100, &t), KIOSK_OK);
    assert_true(t.uid_len > 0);
    return r;
}

static void test_full_read(void **state)
{
    (void)state;
    reader *r = open_card(DEMO, NULL);
    ssc_card card;
    assert_int_equal(ssc_read_card(r, &card), KIOSK_OK);
    assert_string_equal(card.card_number, "D37010201");
    assert_string_equal(card.spec_version, "2.00");
    assert_int_equal(card.generation, 2);
    int tries;
    assert_int_equal(ssc_verify_pin(r, "123456", &tries), KIOSK_OK);
    ssc_holder h;
    assert_int_equal(ssc_read_holder(r, &h), KIOSK_OK);
    assert_string_equal(h.id_number, "370102199003074519");
    assert_string_equal(h.name, "张三丰");
    assert_string_equal(h.ethnicity, "01");
    assert_int_equal(h.sex, 0); /* the caller's, from the ID number */
    /* few APDUs make a quick tap: select the application, two reads of EF05 by SFI,
     * VERIFY, four reads of EF06 by SFI (no SELECT EF, no identification code on a
     * 2nd-generation card, sex and birth date from the ID number, no birthplace) */
    assert_int_equal(reader_sim_apdus(r), 8);
    ssc_holder_wipe(&h);
    assert_int_equal(h.name[0], 0);
    reader_close(r);
}

/* The kiosk's tap: the application and the specification only — no card number. */
static void test_select_card_reads_what_the_kiosk_needs(void **state)
{
    (void)state;
    reader *r = open_card(DEMO, NULL);
    ssc_card card;
    assert_int_equal(ssc_select_card(r, &card), KIOSK_OK);
    assert_string_equal(card.card_number, "");
    assert_string_equal(card.spec_version, "2.00");
    assert_int_equal(card.generation, 2);
    assert_int_equal(reader_sim_apdus(r), 2);
    reader_close(r);
    /* a 3rd-generation card also gives its identification code, for authentication */
    r = open_card(CARDS "gen3.ini", NULL);
    assert_int_equal(ssc_select_card(r, &card), KIOSK_OK);
    assert_int_equal(card.generation, 3);
    assert_int_equal(reader_sim_apdus(r), 3);
    reader_close(r);
}

static void test_wrong_then_right_pin(void **state)
{
    (void)state;
    reader *r = open_card(DEMO, NULL);
    ssc_card card;
    assert_int_equal(ssc_read_card(r, &card), KIOSK_OK);
    int tries;
    assert_int_equal(ssc_verify_pin(r, "000000", &tries), KIOSK_PIN_WRONG);
    assert_int_equal(tries, 2);
    assert_int_equal(ssc_verify_pin(r, "000001", &tries), KIOSK_PIN_WRONG);
    assert_int_equal(tries, 1);
    assert_int_equal(ssc_verify_pin(r, "123456", &tries), KIOSK_OK);
    assert_int_equal(reader_sim_pin_tries(r), 3); /* a right PIN resets the counter */
    /* malformed PINs are refused without a byte sent */
    int before = reader_sim_apdus(r);
    assert_int_equal(ssc_verify_pin(r, "12345", &tries), KIOSK_INVALID);
    assert_int_equal(ssc_verify_pin(r, "12345a", &tries), KIOSK_INVALID);
    assert_int_equal(ssc_verify_pin(r, NULL, &tries), KIOSK_INVALID);
    assert_int_equal(reader_sim_apdus(r), before);
    reader_close(r);
}

static void test_pin_runs_out_and_blocked_card(void **state)
{
    (void)state;
    reader *r = open_card(CARDS "rare-name.ini", NULL); /* 2 tries left */
    ssc_card card;
    assert_int_equal(ssc_read_card(r, &card), KIOSK_OK);
    int tries;
    assert_int_equal(ssc_verify_pin(r, "111111", &tries), KIOSK_PIN_WRONG);
    assert_int_equal(tries, 1);
    assert_int_equal(ssc_verify_pin(r, "111111", &tries), KIOSK_PIN_BLOCKED);
    assert_int_equal(ssc_verify_pin(r, "246810", &tries), KIOSK_PIN_BLOCKED);
    reader_close(r);
    r = open_card(CARDS "blocked.ini", NULL);
    assert_int_equal(ssc_read_card(r, &card), KIOSK_OK);
    assert_int_equal(ssc_verify_pin(r, "123456", &tries), KIOSK_PIN_BLOCKED);
    reader_close(r);
}

static void test_rare_name_with_extension_and_t0(void **state)
{
    (void)state;
    reader_sim_faults f = {.t0_get_response = 1};
    reader *r = open_card(CARDS "rare-name.ini", &f);
    ssc_card card;
    assert_int_equal(ssc_read_card(r, &card), KIOSK_OK);
    int tries;
    assert_int_equal(ssc_verify_pin(r, "246810", &tries), KIOSK_OK);
    ssc_holder h;
    assert_int_equal(ssc_read_holder(r, &h), KIOSK_OK);
    assert_string_equal(h.name, "𠮷丽·阿依古丽");
    assert_string_equal(h.ethnicity, "03");
    reader_close(r);
}

static void test_card_removed_mid_read(void **state)
{
    (void)state;
    reader_sim_faults f = {.remove_after_apdus = 3};
    reader *r = open_card(DEMO, &f);
    ssc_card card;
    int tries;
    assert_int_equal(ssc_read_card(r, &card), KIOSK_OK); /* 3 APDUs */
    assert_int_equal(ssc_verify_pin(r, "123456", &tries), KIOSK_CARD_REMOVED);
    assert_int_equal(r->ops->present(r), KIOSK_NO_CARD);
    reader_target t;
    assert_int_equal(r->ops->poll(r, 10, &t), KIOSK_NO_CARD);
    reader_close(r);
}

static void test_malformed_records_and_slow_card(void **state)
{
    (void)state;
    reader_sim_faults f = {.malformed = 1};
    reader *r = open_card(DEMO, &f);
    ssc_card card;
    assert_int_equal(ssc_read_card(r, &card), KIOSK_CARD);
    assert_string_equal(card.card_number, "");
    reader_close(r);
    /* a card slower than libnfc's default but within ours still reads */
    f = (reader_sim_faults){.delay_ms = 400};
    r = open_card(DEMO, &f);
    assert_int_equal(ssc_read_card(r, &card), KIOSK_OK);
    reader_close(r);
}

static void test_third_generation_needs_authentication(void **state)
{
    (void)state;
    reader *r = open_card(CARDS "gen3.ini", NULL);
    ssc_card card;
    assert_int_equal(ssc_read_card(r, &card), KIOSK_OK);
    assert_int_equal(card.generation, 3);
    int tries;
    assert_int_equal(ssc_verify_pin(r, "111111", &tries), KIOSK_OK);
    ssc_holder h;
    assert_int_equal(ssc_read_holder(r, &h), KIOSK_UNSUPPORTED);
    assert_string_equal(h.id_number, "");
    reader_close(r);
}

static void test_third_generation_with_key_holder(void **state)
{
    (void)state;
    uint8_t key[32], wrong[32];
    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)i;
        wrong[i] = (uint8_t)(i + 1);
    }
    ssc_key_holder kh = {ssc_test_cryptogram, key, 0x01};
    reader *r = open_card(CARDS "gen3.ini", NULL);
    ssc_card card;
    assert_int_equal(ssc_read_card(r, &card), KIOSK_OK);
    int tries;
    assert_int_equal(ssc_verify_pin(r, "111111", &tries), KIOSK_OK);
    /* a wrong key is refused, and EF06 stays closed */
    ssc_key_holder bad = {ssc_test_cryptogram, wrong, 0x01};
    assert_int_equal(ssc_authenticate(r, &card, &bad), KIOSK_CRYPTO);
    ssc_holder h;
    assert_int_equal(ssc_read_holder(r, &h), KIOSK_UNSUPPORTED);
    assert_int_equal(ssc_authenticate(r, &card, &kh), KIOSK_OK);
    assert_int_equal(ssc_read_holder(r, &h), KIOSK_OK);
    assert_string_equal(h.name, "王芳");
    assert_string_equal(h.id_number, "440306197209180021");
    reader_close(r);
}

static void test_strange_profiles(void **state)
{
    (void)state;
    reader *r = (reader *)1;
    assert_int_equal(reader_sim_create(CARDS "no-such.ini", NULL, &r), KIOSK_NOT_FOUND);
    assert_null(r);
    assert_int_equal(reader_sim_create(KIOSK_TEST_ASSETS "/strings/en.ini", NULL, &r),
                     KIOSK_CONFIG);
    assert_null(r);
}

/* Issue 14: eight [holder] entries and a crafted ninth overwrote the card's record
 * counts (release `kioskctl card` died with SIGSEGV). A ninth record, or a field given
 * twice, is a bad profile line. */
static void test_profile_with_too_many_records(void **state)
{
    (void)state;
    reader *r = (reader *)1;
    assert_int_equal(reader_sim_create(CARDS "nine-holder-records.ini", NULL, &r), KIOSK_CONFIG);
    assert_null(r);
    static const char twice[] = "[card]\ncard_number = D37010201\ncard_number = D37010202\n";
    r = (reader *)1;
    assert_int_equal(reader_sim_create_mem(twice, sizeof twice - 1, NULL, &r), KIOSK_CONFIG);
    assert_null(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_read),
        cmocka_unit_test(test_select_card_reads_what_the_kiosk_needs),
        cmocka_unit_test(test_wrong_then_right_pin),
        cmocka_unit_test(test_pin_runs_out_and_blocked_card),
        cmocka_unit_test(test_rare_name_with_extension_and_t0),
        cmocka_unit_test(test_card_removed_mid_read),
        cmocka_unit_test(test_malformed_records_and_slow_card),
        cmocka_unit_test(test_third_generation_needs_authentication),
        cmocka_unit_test(test_third_generation_with_key_holder),
        cmocka_unit_test(test_strange_profiles),
        cmocka_unit_test(test_profile_with_too_many_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
