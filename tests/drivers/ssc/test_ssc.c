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
#include "ssc/ssc_psam.h"

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

/* SM4 as GB/T 32907 appendix A gives it: key = plaintext = 0123456789abcdeffedcba9876543210. */
static void test_sm4_standard_vector(void **state)
{
    (void)state;
    static const uint8_t key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                    0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
    static const uint8_t want[16] = {0x68, 0x1e, 0xdf, 0x34, 0xd2, 0x06, 0x96, 0x5e,
                                     0x86, 0xb3, 0xe9, 0x4f, 0x53, 0x6e, 0x42, 0x46};
    uint8_t out[16];
    assert_int_equal(ssc_sm4_encrypt(key, key, out), KIOSK_OK);
    assert_memory_equal(out, want, 16);
}

/* A 3rd-generation card authenticated through the PSAM: the holder read in full; a PSAM
 * of another key is refused by the card and the holder stays closed; an empty SAM slot
 * and a card that is not a PSAM are told apart at open. */
static void test_psam_authentication(void **state)
{
    (void)state;
    reader *sam, *other, *card = open_card(CARDS "gen3-sm4.ini", NULL);
    assert_int_equal(reader_sim_create(CARDS "psam.ini", NULL, &sam), KIOSK_OK);
    ssc_psam *psam;
    assert_int_equal(ssc_psam_open(sam, 0x01, &psam), KIOSK_OK);
    assert_string_equal(ssc_psam_serial(psam), "44030000000000000001");
    ssc_card c;
    assert_int_equal(ssc_read_card(card, &c), KIOSK_OK);
    assert_int_equal(c.generation, 3);
    int tries;
    assert_int_equal(ssc_verify_pin(card, "111111", &tries), KIOSK_OK);
    ssc_holder h;
    assert_int_equal(ssc_read_holder(card, &h), KIOSK_UNSUPPORTED); /* 69 82 */
    ssc_key_holder kh = {ssc_psam_cryptogram, psam, 0x01};
    int before = reader_sim_apdus(card);
    assert_int_equal(ssc_authenticate(card, &c, &kh), KIOSK_OK);
    assert_int_equal(reader_sim_apdus(card) - before, 2); /* GET CHALLENGE, EXTERNAL AUTH */
    assert_int_equal(ssc_read_holder(card, &h), KIOSK_OK);
    assert_string_equal(h.name, "王芳");
    assert_string_equal(h.id_number, "440306197209180021");
    ssc_holder_wipe(&h);
    ssc_psam_close(psam);
    reader_close(card);

    /* a PSAM of another key: the card refuses its cryptogram */
    card = open_card(CARDS "gen3-sm4.ini", NULL);
    assert_int_equal(reader_sim_create(CARDS "psam-other-key.ini", NULL, &other), KIOSK_OK);
    assert_int_equal(ssc_psam_open(other, 0x01, &psam), KIOSK_OK);
    kh.ctx = psam;
    assert_int_equal(ssc_read_card(card, &c), KIOSK_OK);
    assert_int_equal(ssc_authenticate(card, &c, &kh), KIOSK_CRYPTO);
    assert_int_equal(ssc_read_holder(card, &h), KIOSK_UNSUPPORTED);
    /* the PSAM taken out: its trouble is not the citizen's card taken away */
    reader_sim_set_present(other, 0);
    assert_int_equal(ssc_authenticate(card, &c, &kh), KIOSK_UNSUPPORTED);
    ssc_psam_close(psam);
    assert_int_equal(ssc_psam_open(other, 0x01, &psam), KIOSK_NO_CARD); /* an empty slot */
    reader_close(other);

    /* a user card in the SAM slot is not a PSAM */
    reader *not_sam;
    assert_int_equal(reader_sim_create(DEMO, NULL, &not_sam), KIOSK_OK);
    assert_int_equal(ssc_psam_open(not_sam, 0x01, &psam), KIOSK_CARD);
    reader_close(not_sam);
    reader_close(card);
    reader_close(sam);
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
        cmocka_unit_test(test_sm4_standard_vector),
        cmocka_unit_test(test_psam_authentication),
        cmocka_unit_test(test_strange_profiles),
        cmocka_unit_test(test_profile_with_too_many_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
