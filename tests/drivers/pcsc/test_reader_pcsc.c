/* Tests of the PC/SC reader backend through the real stack: pcsc-lite's pcscd, the
 * vsmartcard virtual reader driver, and a card profile's simulated card in the slot
 * (tests/tools/pcsc_peer). A 2nd-generation card read through a contact slot with the
 * ssc protocol, a card taken out, an empty slot, a reader that is not there, pcscd
 * stopped under the kiosk and started again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <winscard.h>

#include "core/kiosk_log.h"
#include "pcsc/reader_pcsc.h"
#include "pcsc_peer.h"
#include "ssc/reader_sim.h"
#include "ssc/ssc.h"
#include "ssc/ssc_psam.h"

typedef struct rig {
    reader *card;
    pcsc_peer *peer;
    reader *r;
} rig;

/* The stack with the card of profile in slot 0 (present or not); skips the test on a
 * machine that cannot run it (pcsc_peer says why). */
static void rig_up(rig *g, const char *profile, int present)
{
    memset(g, 0, sizeof *g);
    kiosk_rc rc = pcsc_peer_start_cards(profile, NULL, &g->card, NULL, &g->peer);
    if (rc == KIOSK_UNSUPPORTED)
        skip();
    assert_int_equal(rc, KIOSK_OK);
    pcsc_peer_insert(g->peer, 0, present);
    assert_true(pcsc_peer_wait(0, present, 5000));
    assert_int_equal(reader_pcsc_open(PCSC_PEER_SLOT0, &g->r), KIOSK_OK);
}

static void rig_down(rig *g)
{
    reader_close(g->r);
    pcsc_peer_stop_cards(g->peer, g->card, NULL);
}

static void test_second_generation_card_in_the_contact_slot(void **state)
{
    (void)state;
    rig g;
    rig_up(&g, KIOSK_TEST_ASSETS "/cards/demo.ini", 1);
    assert_string_equal(reader_pcsc_name(g.r), PCSC_PEER_SLOT0);
    reader_target t;
    assert_int_equal(g.r->ops->poll(g.r, 2000, &t), KIOSK_OK);
    assert_int_equal(t.contact, 1);
    assert_int_equal(t.uid_len, 0);
    size_t atr_len;
    const unsigned char *atr = reader_pcsc_atr(g.r, &atr_len);
    assert_non_null(atr);
    assert_int_equal(atr[0], 0x3B);
    ssc_card card;
    assert_int_equal(ssc_read_card(g.r, &card), KIOSK_OK);
    assert_int_equal(card.generation, 2);
    int tries;
    assert_int_equal(ssc_verify_pin(g.r, "654321", &tries), KIOSK_PIN_WRONG);
    assert_int_equal(tries, 2);
    assert_int_equal(ssc_verify_pin(g.r, "123456", &tries), KIOSK_OK);
    ssc_holder h;
    assert_int_equal(ssc_read_holder(g.r, &h), KIOSK_OK);
    assert_string_equal(h.name, "张三丰");
    assert_string_equal(h.id_number, "370102199003074519");
    ssc_holder_wipe(&h);
    assert_true(pcsc_peer_apdus(g.peer, 0) >= 8); /* through pcscd and the driver */
    assert_int_equal(g.r->ops->present(g.r), KIOSK_OK);
    /* the citizen takes the card out of the slot */
    pcsc_peer_insert(g.peer, 0, 0);
    kiosk_rc rc = KIOSK_OK;
    for (int waited = 0; waited < 5000 && rc == KIOSK_OK; waited += 20) {
        /* pcscd looks every 400 ms; a command to a card that left fails at once */
        rc = g.r->ops->present(g.r);
        if (rc == KIOSK_OK) {
            uint8_t resp[8];
            size_t got;
            static const uint8_t ping[4] = {0x00, 0x20, 0x00, 0x00};
            rc = g.r->ops->transceive(g.r, ping, sizeof ping, resp, sizeof resp, &got, 2000);
            rc = rc == KIOSK_OK ? KIOSK_OK : KIOSK_NO_CARD;
        }
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(rc, KIOSK_NO_CARD);
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_NO_CARD);
    /* and puts it back: found again, and read again */
    pcsc_peer_insert(g.peer, 0, 1);
    assert_int_equal(g.r->ops->poll(g.r, 3000, &t), KIOSK_OK);
    assert_int_equal(ssc_read_card(g.r, &card), KIOSK_OK);
    assert_int_equal(ssc_read_holder(g.r, &h), KIOSK_OK);
    ssc_holder_wipe(&h);
    rig_down(&g);
}

static void test_empty_slot_and_a_card_put_in(void **state)
{
    (void)state;
    rig g;
    rig_up(&g, KIOSK_TEST_ASSETS "/cards/demo.ini", 0);
    reader_target t;
    assert_int_equal(g.r->ops->poll(g.r, 300, &t), KIOSK_NO_CARD);
    assert_int_equal(g.r->ops->present(g.r), KIOSK_NO_CARD);
    pcsc_peer_insert(g.peer, 0, 1);
    assert_int_equal(g.r->ops->poll(g.r, 3000, &t), KIOSK_OK); /* the poll waits for it */
    ssc_card card;
    assert_int_equal(ssc_read_card(g.r, &card), KIOSK_OK);
    rig_down(&g);
}

/* The log's "back after N tries" lines (the reader's retries are counted per slot). */
static int back_after_lines;

static void count_back_after(void *ctx, kiosk_log_level level, const char *module, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)module;
    if (strstr(msg, "back after"))
        back_after_lines++;
}

static void test_no_such_reader_and_pcscd_gone(void **state)
{
    (void)state;
    rig g;
    rig_up(&g, KIOSK_TEST_ASSETS "/cards/demo.ini", 1);
    back_after_lines = 0;
    kiosk_log_set_level(KIOSK_LOG_INFO);
    kiosk_log_set_sink(count_back_after, NULL);
    reader *other;
    assert_int_equal(reader_pcsc_open("Another Reader", &other), KIOSK_READER);
    assert_null(other);
    reader *first; /* no name: the first reader pcscd lists */
    assert_int_equal(reader_pcsc_open("", &first), KIOSK_OK);
    assert_string_equal(reader_pcsc_name(first), PCSC_PEER_SLOT0);
    reader_close(first);
    /* the other reader's failure is not this one's: it was never away */
    kiosk_log_set_sink(NULL, NULL);
    kiosk_log_set_level(KIOSK_LOG_ERROR);
    assert_int_equal(back_after_lines, 0);
    reader_target t;
    assert_int_equal(g.r->ops->poll(g.r, 2000, &t), KIOSK_OK);
    /* the service stops under the kiosk: a reader fault, not a card gone */
    pcsc_peer_stop_daemon(g.peer);
    assert_int_equal(g.r->ops->poll(g.r, 200, &t), KIOSK_READER);
    assert_int_equal(reader_pcsc_open(PCSC_PEER_SLOT0, &other), KIOSK_READER);
    rig_down(&g);
}

/* A key holder that takes the citizen's card out of the slot between the challenge and
 * the authentication, then asks the PSAM. */
typedef struct pull_then_psam {
    pcsc_peer *peer;
    ssc_psam *psam;
} pull_then_psam;

static kiosk_rc pull_card_then_ask(void *ctx, const uint8_t card_id[16], const uint8_t challenge[8],
                                   uint8_t out[8])
{
    pull_then_psam *p = ctx;
    pcsc_peer_insert(p->peer, 0, 0);
    return ssc_psam_cryptogram(p->psam, card_id, challenge, out);
}

/* A 3rd-generation card in the card slot and the PSAM in the SAM slot of one PC/SC
 * reader, both through pcscd: the holder read in full after terminal authentication (no
 * ID number typed); the PSAM taken out mid-read (the card is not "taken away": the kiosk
 * carries on as without a PSAM); the card taken out between the challenge and the
 * authentication (seen as taken away). */
static void test_third_generation_card_with_the_psam(void **state)
{
    (void)state;
    reader *card, *sam;
    pcsc_peer *peer;
    kiosk_rc rc = pcsc_peer_start_cards(KIOSK_TEST_FIXTURES "/cards/gen3-sm4.ini",
                                        KIOSK_TEST_FIXTURES "/cards/psam.ini", &card, &sam, &peer);
    if (rc == KIOSK_UNSUPPORTED)
        skip();
    assert_int_equal(rc, KIOSK_OK);
    reader *r, *s;
    assert_int_equal(reader_pcsc_open(PCSC_PEER_SLOT0, &r), KIOSK_OK);
    assert_int_equal(reader_pcsc_open(PCSC_PEER_SLOT1, &s), KIOSK_OK);
    ssc_psam *psam;
    assert_int_equal(ssc_psam_open(s, 0x01, &psam), KIOSK_OK);
    assert_string_equal(ssc_psam_serial(psam), "44030000000000000001");
    reader_target t;
    assert_int_equal(r->ops->poll(r, 2000, &t), KIOSK_OK);
    ssc_card c;
    assert_int_equal(ssc_read_card(r, &c), KIOSK_OK);
    assert_int_equal(c.generation, 3);
    int tries;
    assert_int_equal(ssc_verify_pin(r, "111111", &tries), KIOSK_OK);
    ssc_key_holder kh = {ssc_psam_cryptogram, psam, 0x01};
    assert_int_equal(ssc_authenticate(r, &c, &kh), KIOSK_OK);
    ssc_holder h;
    assert_int_equal(ssc_read_holder(r, &h), KIOSK_OK);
    assert_string_equal(h.name, "王芳");
    assert_string_equal(h.id_number, "440306197209180021");
    ssc_holder_wipe(&h);

    /* the PSAM taken out of its slot mid-read */
    r->ops->release(r); /* the card reset: what it granted goes */
    assert_int_equal(r->ops->poll(r, 2000, &t), KIOSK_OK);
    assert_int_equal(ssc_read_card(r, &c), KIOSK_OK);
    pcsc_peer_insert(peer, 1, 0);
    assert_true(pcsc_peer_wait(1, 0, 5000));
    rc = ssc_authenticate(r, &c, &kh);
    assert_int_equal(rc, KIOSK_UNSUPPORTED);
    assert_int_equal(r->ops->present(r), KIOSK_OK); /* the citizen's card is still there */
    assert_int_equal(ssc_read_holder(r, &h), KIOSK_UNSUPPORTED);
    ssc_psam_close(psam);
    assert_int_equal(ssc_psam_open(s, 0x01, &psam), KIOSK_NO_CARD); /* the slot is empty */

    /* put back; the citizen's card leaves between the challenge and the authentication */
    pcsc_peer_insert(peer, 1, 1);
    assert_true(pcsc_peer_wait(1, 1, 5000));
    assert_int_equal(ssc_psam_open(s, 0x01, &psam), KIOSK_OK);
    assert_int_equal(r->ops->poll(r, 2000, &t), KIOSK_OK);
    assert_int_equal(ssc_read_card(r, &c), KIOSK_OK);
    pull_then_psam pp = {peer, psam};
    ssc_key_holder pulling = {pull_card_then_ask, &pp, 0x01};
    assert_int_equal(ssc_authenticate(r, &c, &pulling), KIOSK_CARD_REMOVED);
    ssc_psam_close(psam);
    reader_close(r);
    reader_close(s);
    pcsc_peer_stop_cards(peer, card, sam);
}

static void test_error_mapping(void **state)
{
    (void)state;
    assert_int_equal(reader_pcsc_rc(SCARD_S_SUCCESS), KIOSK_OK);
    assert_int_equal(reader_pcsc_rc(SCARD_W_REMOVED_CARD), KIOSK_CARD_REMOVED);
    assert_int_equal(reader_pcsc_rc(SCARD_E_NO_SMARTCARD), KIOSK_NO_CARD);
    assert_int_equal(reader_pcsc_rc(SCARD_E_NO_SERVICE), KIOSK_READER);
    assert_int_equal(reader_pcsc_rc(SCARD_E_READER_UNAVAILABLE), KIOSK_READER);
    assert_int_equal(reader_pcsc_rc(SCARD_E_SHARING_VIOLATION), KIOSK_BUSY);
    assert_int_equal(reader_pcsc_rc(SCARD_E_TIMEOUT), KIOSK_TIMEOUT);
    assert_int_equal(reader_pcsc_rc(SCARD_E_NOT_TRANSACTED), KIOSK_CARD);
}

int main(void)
{
    kiosk_log_set_level(KIOSK_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_mapping),
        cmocka_unit_test(test_second_generation_card_in_the_contact_slot),
        cmocka_unit_test(test_empty_slot_and_a_card_put_in),
        cmocka_unit_test(test_no_such_reader_and_pcscd_gone),
        cmocka_unit_test(test_third_generation_card_with_the_psam),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
