/* Tests of the identity worker with the simulated card: the whole tap-PIN-identity
 * sequence as events, a wrong PIN, removal, an unreadable card, a reader that fails to
 * open and then recovers, and PIN submission rules. Through real libnfc and the PN532
 * emulator: every reader fault (silent, silent mid-frame, unplugged) and a card removal
 * in every state (waiting for a card, at the PIN, on the form), each told apart, each
 * recovered from without a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdio.h>

#include "identity/identity.h"
#include "identity/identity_psam.h"
#include "nfc/reader_nfc.h"
#include "ssc/reader_sim.h"
#include "pcsc_peer.h"
#include "pn532_emu.h"

#define MAX_EVENTS 32

typedef struct {
    pthread_mutex_t lock;
    identity_event ev[MAX_EVENTS];
    int n;
    const char *profile;
    reader *sim; /* the reader the worker opened (tests poke its card) */
    int fail_opens;
} harness;

static void on_event(void *ctx, const identity_event *ev)
{
    harness *h = ctx;
    pthread_mutex_lock(&h->lock);
    if (h->n < MAX_EVENTS)
        h->ev[h->n++] = *ev;
    pthread_mutex_unlock(&h->lock);
}

static kiosk_rc open_sim(void *ctx, reader **out)
{
    harness *h = ctx;
    if (h->fail_opens > 0) {
        h->fail_opens--;
        *out = NULL;
        return KIOSK_READER;
    }
    kiosk_rc rc = reader_sim_create(h->profile, NULL, out);
    h->sim = *out;
    return rc;
}

/* Wait until event number i has arrived; return its type (0 on timeout). */
static identity_event_type wait_event(harness *h, int i)
{
    for (int waited = 0; waited < 5000; waited += 10) {
        pthread_mutex_lock(&h->lock);
        int n = h->n;
        identity_event_type t = n > i ? h->ev[i].type : 0;
        pthread_mutex_unlock(&h->lock);
        if (t)
            return t;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static identity_worker *start(harness *h, const char *profile)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->lock, NULL);
    h->profile = profile;
    identity_config cfg = {.open = open_sim,
                           .open_ctx = h,
                           .callback = on_event,
                           .callback_ctx = h,
                           .poll_ms = 20,
                           .retry_ms = 20};
    identity_worker *w;
    assert_int_equal(identity_worker_start(&cfg, &w), KIOSK_OK);
    return w;
}

/* The worker on the configured reader (kc, kept), its events into h, with the key holder
 * kh (none: NULL callback). */
static identity_worker *start_configured(harness *h, kiosk_config *kc, ssc_key_holder kh)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->lock, NULL);
    identity_config cfg = {.open = identity_open_configured,
                           .open_ctx = kc,
                           .callback = on_event,
                           .callback_ctx = h,
                           .poll_ms = 100,
                           .retry_ms = 200,
                           .key_holder = kh};
    identity_worker *w;
    assert_int_equal(identity_worker_start(&cfg, &w), KIOSK_OK);
    return w;
}

static void test_tap_pin_identity_removal(void **state)
{
    (void)state;
    harness h;
    identity_worker *w = start(&h, KIOSK_TEST_ASSETS "/cards/demo.ini");
    assert_int_equal(wait_event(&h, 0), IDENTITY_READER_OK);
    assert_int_equal(wait_event(&h, 1), IDENTITY_CARD_PRESENT);
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    assert_string_equal(h.ev[2].card.spec_version, "2.00");
    assert_string_equal(h.ev[2].card.card_number, ""); /* not read: the journey needs none */
    assert_int_equal(identity_worker_submit_pin(w, "12345"), KIOSK_INVALID);
    assert_int_equal(identity_worker_submit_pin(w, "000000"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 3), IDENTITY_PIN_WRONG);
    assert_int_equal(h.ev[3].tries_left, 2);
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 4), IDENTITY_HOLDER);
    assert_string_equal(h.ev[4].holder.name, "张三丰");
    assert_string_equal(h.ev[4].holder.id_number, "370102199003074519");
    assert_int_equal(h.ev[4].holder.sex, '1'); /* from the ID number */
    assert_int_equal(h.ev[4].holder.birth.year, 1990);
    /* the card commands: select, the specification (EF05), the retry counter, two VERIFYs
     * (a wrong PIN, then the right one), four EF06 reads — eight for a citizen who types
     * it right (nine with the card number, fourteen before SFI reads) */
    assert_int_equal(reader_sim_apdus(h.sim), 9);
    /* after the identity is read, no PIN is taken */
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_NO_CARD);
    /* the session asks for the card number (to tell this card from another, should it be
     * taken away): one command, off the tap → PIN path */
    identity_worker_want_card_number(w);
    assert_int_equal(wait_event(&h, 5), IDENTITY_CARD_NUMBER);
    assert_string_equal(h.ev[5].card.card_number, "D37010201");
    assert_string_equal(h.ev[5].holder.id_number, ""); /* wiped after the holder went out */
    assert_int_equal(reader_sim_apdus(h.sim), 10);
    reader_sim_set_present(h.sim, 0);
    assert_int_equal(wait_event(&h, 6), IDENTITY_CARD_REMOVED);
    /* asked while no card is there: the next card's read carries it */
    identity_worker_want_card_number(w);
    reader_sim_set_present(h.sim, 1);
    assert_int_equal(wait_event(&h, 7), IDENTITY_CARD_PRESENT);
    assert_int_equal(wait_event(&h, 8), IDENTITY_CARD_READ);
    assert_string_equal(h.ev[8].card.card_number, "D37010201");
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);
}

static void test_removed_while_waiting_for_pin(void **state)
{
    (void)state;
    harness h;
    identity_worker *w = start(&h, KIOSK_TEST_ASSETS "/cards/demo.ini");
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    reader_sim_set_present(h.sim, 0);
    assert_int_equal(wait_event(&h, 3), IDENTITY_CARD_REMOVED);
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_NO_CARD);
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);
}

static void test_blocked_and_third_generation(void **state)
{
    (void)state;
    harness h;
    identity_worker *w = start(&h, KIOSK_TEST_FIXTURES "/cards/blocked.ini");
    /* told from the counter, before any PIN: no keypad for a blocked card */
    assert_int_equal(wait_event(&h, 2), IDENTITY_PIN_BLOCKED);
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_NO_CARD);
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);

    /* one try left: the counter says so with the card, no try spent */
    w = start(&h, KIOSK_TEST_FIXTURES "/cards/last-try.ini");
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    assert_int_equal(h.ev[2].tries_left, 1);
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 3), IDENTITY_HOLDER);
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);

    /* a card that does not tell its counter: nothing said about tries */
    w = start(&h, KIOSK_TEST_FIXTURES "/cards/no-counter.ini");
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    assert_int_equal(h.ev[2].tries_left, -1);
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);

    w = start(&h, KIOSK_TEST_FIXTURES "/cards/gen3.ini");
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    assert_int_equal(h.ev[2].card.generation, 3);
    assert_int_equal(identity_worker_submit_pin(w, "111111"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 3), IDENTITY_NEEDS_ID_ENTRY);
    assert_string_equal(h.ev[3].holder.id_number, "");
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);
}

static void test_key_holder_and_inconsistent_cards(void **state)
{
    (void)state;
    harness h;
    memset(&h, 0, sizeof h);
    pthread_mutex_init(&h.lock, NULL);
    h.profile = KIOSK_TEST_FIXTURES "/cards/gen3.ini";
    uint8_t key[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    identity_config cfg = {.open = open_sim,
                           .open_ctx = &h,
                           .callback = on_event,
                           .callback_ctx = &h,
                           .poll_ms = 20,
                           .retry_ms = 20,
                           .key_holder = {ssc_test_cryptogram, key, 0x01}};
    identity_worker *w;
    assert_int_equal(identity_worker_start(&cfg, &w), KIOSK_OK);
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    assert_int_equal(identity_worker_submit_pin(w, "111111"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 3), IDENTITY_HOLDER);
    assert_string_equal(h.ev[3].holder.name, "王芳");
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);

    /* an ID number that fails its check character: refused as data that disagree (the
     * card itself read well), nothing of it kept */
    w = start(&h, KIOSK_TEST_FIXTURES "/cards/bad-id.ini");
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 3), IDENTITY_CARD_MISMATCH);
    assert_int_equal(h.ev[3].rc, KIOSK_CARD);
    assert_string_equal(h.ev[3].holder.name, "");
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);

    /* sex and birth date come from the ID number: a card whose own birth record says
     * otherwise is not asked, so there is nothing to disagree with */
    w = start(&h, KIOSK_TEST_FIXTURES "/cards/inconsistent.ini");
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 3), IDENTITY_HOLDER);
    assert_int_equal(h.ev[3].holder.birth.year, 1990);
    assert_int_equal(h.ev[3].holder.sex, '1');
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);
}

/* A 3rd-generation card in the card slot, the PSAM in the SAM slot of one PC/SC reader
 * (the configured [reader] psam): the worker authenticates through the PSAM and reads
 * the holder in full — no ID number to key in. With the PSAM taken out the next citizen
 * goes on as without one (the ID number keyed), and with it put back the one after is
 * read in full again: no restart. */
static void test_third_generation_through_the_psam(void **state)
{
    (void)state;
    reader *card, *sam;
    pcsc_peer *peer;
    kiosk_rc rc = pcsc_peer_start_cards(KIOSK_TEST_FIXTURES "/cards/gen3-sm4.ini",
                                        KIOSK_TEST_FIXTURES "/cards/psam.ini", &card, &sam, &peer);
    if (rc == KIOSK_UNSUPPORTED)
        skip();
    assert_int_equal(rc, KIOSK_OK);
    static kiosk_config kc;
    kiosk_config_defaults(&kc, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    kc.reader_backend = KIOSK_READER_PCSC;
    snprintf(kc.reader_connstring, sizeof kc.reader_connstring, "%s", PCSC_PEER_SLOT0);
    snprintf(kc.psam_reader, sizeof kc.psam_reader, "%s", PCSC_PEER_SLOT1);
    identity_psam *psam;
    assert_int_equal(identity_psam_create(&kc, &psam), KIOSK_OK);
    assert_non_null(psam);
    char serial[SSC_PSAM_SERIAL_HEX];
    assert_int_equal(identity_psam_probe(psam, serial), KIOSK_OK);
    assert_string_equal(serial, "44030000000000000001");
    harness h;
    identity_worker *w = start_configured(&h, &kc, identity_psam_key_holder(psam));
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    assert_int_equal(h.ev[2].card.generation, 3);
    assert_int_equal(identity_worker_submit_pin(w, "111111"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 3), IDENTITY_HOLDER);
    assert_string_equal(h.ev[3].holder.name, "王芳");
    assert_string_equal(h.ev[3].holder.id_number, "440306197209180021");
    /* the PSAM taken out, the card taken and put back: the ID number is keyed */
    pcsc_peer_insert(peer, 1, 0);
    assert_true(pcsc_peer_wait(1, 0, 5000));
    pcsc_peer_insert(peer, 0, 0);
    assert_int_equal(wait_event(&h, 4), IDENTITY_CARD_REMOVED);
    pcsc_peer_insert(peer, 0, 1);
    assert_int_equal(wait_event(&h, 6), IDENTITY_CARD_READ);
    assert_int_equal(identity_worker_submit_pin(w, "111111"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 7), IDENTITY_NEEDS_ID_ENTRY);
    assert_string_equal(h.ev[7].holder.id_number, "");
    /* the PSAM put back: found again for the next card */
    pcsc_peer_insert(peer, 1, 1);
    assert_true(pcsc_peer_wait(1, 1, 5000));
    pcsc_peer_insert(peer, 0, 0);
    assert_int_equal(wait_event(&h, 8), IDENTITY_CARD_REMOVED);
    pcsc_peer_insert(peer, 0, 1);
    assert_int_equal(wait_event(&h, 10), IDENTITY_CARD_READ);
    assert_int_equal(identity_worker_submit_pin(w, "111111"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 11), IDENTITY_HOLDER);
    assert_string_equal(h.ev[11].holder.name, "王芳");
    identity_worker_stop(w);
    identity_psam_destroy(psam);
    pthread_mutex_destroy(&h.lock);
    pcsc_peer_stop_cards(peer, card, sam);
}

/* Tap or insert: an NFC reader (libnfc, the PN532 emulator) and a PC/SC contact slot
 * (pcscd) configured together ([reader] contact): a card tapped is read, then a card
 * inserted into the slot, each through the same events, each seen taken away. */
static void test_tap_or_insert(void **state)
{
    (void)state;
    reader *inserted, *tapped;
    pcsc_peer *peer;
    kiosk_rc rc =
        pcsc_peer_start_cards(KIOSK_TEST_ASSETS "/cards/demo.ini", NULL, &inserted, NULL, &peer);
    if (rc == KIOSK_UNSUPPORTED)
        skip();
    assert_int_equal(rc, KIOSK_OK);
    assert_int_equal(reader_sim_create(KIOSK_TEST_ASSETS "/cards/demo.ini", NULL, &tapped),
                     KIOSK_OK);
    reader_sim_set_present(tapped, 0);
    pcsc_peer_insert(peer, 0, 0);
    assert_true(pcsc_peer_wait(0, 0, 5000));
    pn532_emu *emu;
    assert_int_equal(pn532_emu_start(tapped, &emu), KIOSK_OK);
    setenv("LIBNFC_AUTO_SCAN", "false", 1);
    setenv("LIBNFC_LOG_LEVEL", "0", 1);
    static kiosk_config kc;
    kiosk_config_defaults(&kc, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    kc.reader_backend = KIOSK_READER_LIBNFC;
    snprintf(kc.reader_connstring, sizeof kc.reader_connstring, "%s", pn532_emu_connstring(emu));
    snprintf(kc.reader_contact, sizeof kc.reader_contact, "%s", PCSC_PEER_READER);
    harness h;
    identity_worker *w = start_configured(&h, &kc, (ssc_key_holder){NULL, NULL, 0});
    assert_int_equal(wait_event(&h, 0), IDENTITY_READER_OK);
    reader_sim_set_present(tapped, 1); /* tapped */
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 3), IDENTITY_HOLDER);
    reader_sim_set_present(tapped, 0);
    assert_int_equal(wait_event(&h, 4), IDENTITY_CARD_REMOVED);
    pcsc_peer_insert(peer, 0, 1); /* inserted */
    assert_int_equal(wait_event(&h, 6), IDENTITY_CARD_READ);
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 7), IDENTITY_HOLDER);
    assert_string_equal(h.ev[7].holder.name, "张三丰");
    assert_true(pcsc_peer_apdus(peer, 0) >= 8); /* read through the slot */
    pcsc_peer_insert(peer, 0, 0);
    assert_int_equal(wait_event(&h, 8), IDENTITY_CARD_REMOVED);
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);
    pn532_emu_stop(emu);
    reader_close(tapped);
    pcsc_peer_stop_cards(peer, inserted, NULL);
}

static void test_open_configured(void **state)
{
    (void)state;
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    reader *r;
    assert_int_equal(identity_open_configured(&cfg, &r), KIOSK_OK);
    reader_target t;
    assert_int_equal(r->ops->poll(r, 10, &t), KIOSK_OK); /* the demo card is there */
    reader_close(r);
    cfg.reader_backend = KIOSK_READER_LIBNFC;
    snprintf(cfg.reader_connstring, sizeof cfg.reader_connstring, "%s",
             "pn532_uart:/dev/nonexistent-tty:115200");
    setenv("LIBNFC_AUTO_SCAN", "false", 1);
    assert_int_equal(identity_open_configured(&cfg, &r), KIOSK_READER);
    cfg.reader_backend = KIOSK_READER_PCSC; /* no pcscd here, or no such reader in it */
    snprintf(cfg.reader_connstring, sizeof cfg.reader_connstring, "%s", "No Such Reader");
    assert_int_equal(identity_open_configured(&cfg, &r), KIOSK_READER);
}

/* A 2nd-generation card in a contact slot, through pcscd and the virtual reader
 * (tests/tools/pcsc_peer): the worker on the configured PC/SC backend reads it as it
 * reads a tapped card — the same events, the same holder — and sees it taken out. */
static void test_contact_card_through_pcsc(void **state)
{
    (void)state;
    reader *card;
    pcsc_peer *peer;
    kiosk_rc rc =
        pcsc_peer_start_cards(KIOSK_TEST_ASSETS "/cards/demo.ini", NULL, &card, NULL, &peer);
    if (rc == KIOSK_UNSUPPORTED)
        skip();
    assert_int_equal(rc, KIOSK_OK);
    static kiosk_config kc;
    kiosk_config_defaults(&kc, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    kc.reader_backend = KIOSK_READER_PCSC;
    snprintf(kc.reader_connstring, sizeof kc.reader_connstring, "%s", PCSC_PEER_READER);
    harness h;
    identity_worker *w = start_configured(&h, &kc, (ssc_key_holder){NULL, NULL, 0});
    assert_int_equal(wait_event(&h, 0), IDENTITY_READER_OK);
    assert_int_equal(wait_event(&h, 1), IDENTITY_CARD_PRESENT);
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    assert_string_equal(h.ev[2].card.spec_version, "2.00");
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 3), IDENTITY_HOLDER);
    assert_string_equal(h.ev[3].holder.name, "张三丰");
    assert_string_equal(h.ev[3].holder.id_number, "370102199003074519");
    pcsc_peer_insert(peer, 0, 0); /* taken out of the slot */
    assert_int_equal(wait_event(&h, 4), IDENTITY_CARD_REMOVED);
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);
    pcsc_peer_stop_cards(peer, card, NULL);
}

static void test_reader_fault_and_recovery(void **state)
{
    (void)state;
    harness h;
    memset(&h, 0, sizeof h);
    pthread_mutex_init(&h.lock, NULL);
    h.profile = KIOSK_TEST_ASSETS "/cards/demo.ini";
    h.fail_opens = 3;
    identity_config cfg = {.open = open_sim,
                           .open_ctx = &h,
                           .callback = on_event,
                           .callback_ctx = &h,
                           .poll_ms = 20,
                           .retry_ms = 20};
    identity_worker *w;
    assert_int_equal(identity_worker_start(&cfg, &w), KIOSK_OK);
    assert_int_equal(wait_event(&h, 0), IDENTITY_READER_FAULT);
    assert_int_equal(h.ev[0].rc, KIOSK_READER);
    /* one fault event for the outage, not one per retry */
    assert_int_equal(wait_event(&h, 1), IDENTITY_READER_OK);
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_PRESENT);
    identity_worker_stop(w);
    pthread_mutex_destroy(&h.lock);
}

static kiosk_rc open_emulated(void *ctx, reader **out)
{
    return reader_nfc_open(pn532_emu_connstring(ctx), out);
}

/* A real libnfc reader (the PN532 emulator) that hangs mid-session and comes back. */
static void test_hung_reader_is_reopened(void **state)
{
    (void)state;
    setenv("LIBNFC_AUTO_SCAN", "false", 1);
    setenv("LIBNFC_LOG_LEVEL", "0", 1);
    reader *card;
    assert_int_equal(reader_sim_create(KIOSK_TEST_ASSETS "/cards/demo.ini", NULL, &card), KIOSK_OK);
    pn532_emu *emu;
    assert_int_equal(pn532_emu_start(card, &emu), KIOSK_OK);
    harness h;
    memset(&h, 0, sizeof h);
    pthread_mutex_init(&h.lock, NULL);
    identity_config cfg = {.open = open_emulated,
                           .open_ctx = emu,
                           .callback = on_event,
                           .callback_ctx = &h,
                           .poll_ms = 50,
                           .retry_ms = 50};
    identity_worker *w;
    assert_int_equal(identity_worker_start(&cfg, &w), KIOSK_OK);
    assert_int_equal(wait_event(&h, 0), IDENTITY_READER_OK);
    assert_int_equal(wait_event(&h, 2), IDENTITY_CARD_READ);
    pn532_emu_set_silent(emu, 1);
    assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_OK);
    assert_int_equal(wait_event(&h, 3), IDENTITY_READER_FAULT);
    pn532_emu_set_silent(emu, 0);
    assert_int_equal(wait_event(&h, 4), IDENTITY_READER_OK);
    assert_int_equal(wait_event(&h, 5), IDENTITY_CARD_PRESENT);
    identity_worker_stop(w);
    pn532_emu_stop(emu);
    reader_close(card);
    pthread_mutex_destroy(&h.lock);
}

/* A reader that goes silent is a reader fault within 3 s, whatever the kiosk is doing:
 * waiting for a card, and waiting for a PIN with the card on it (not a removal). */
static void test_silent_reader_is_a_fault_in_every_state(void **state)
{
    (void)state;
    setenv("LIBNFC_AUTO_SCAN", "false", 1);
    setenv("LIBNFC_LOG_LEVEL", "0", 1);
    reader *card;
    assert_int_equal(reader_sim_create(KIOSK_TEST_ASSETS "/cards/demo.ini", NULL, &card), KIOSK_OK);
    reader_sim_set_present(card, 0);
    pn532_emu *emu;
    assert_int_equal(pn532_emu_start(card, &emu), KIOSK_OK);
    harness h;
    memset(&h, 0, sizeof h);
    pthread_mutex_init(&h.lock, NULL);
    identity_config cfg = {.open = open_emulated,
                           .open_ctx = emu,
                           .callback = on_event,
                           .callback_ctx = &h,
                           .retry_ms = 200};
    identity_worker *w;
    assert_int_equal(identity_worker_start(&cfg, &w), KIOSK_OK);
    assert_int_equal(wait_event(&h, 0), IDENTITY_READER_OK);
    /* idle: no card, the reader goes silent */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pn532_emu_set_silent(emu, 1);
    assert_int_equal(wait_event(&h, 1), IDENTITY_READER_FAULT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    print_message("silent while idle: reported after %ld ms\n", ms);
    assert_true(ms <= 3000);
    pn532_emu_set_silent(emu, 0);
    assert_int_equal(wait_event(&h, 2), IDENTITY_READER_OK);
    /* a card waiting for its PIN: silence is a fault, never a removal */
    reader_sim_set_present(card, 1);
    assert_int_equal(wait_event(&h, 3), IDENTITY_CARD_PRESENT);
    assert_int_equal(wait_event(&h, 4), IDENTITY_CARD_READ);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pn532_emu_set_silent(emu, 1);
    assert_int_equal(wait_event(&h, 5), IDENTITY_READER_FAULT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    print_message("silent while waiting for the PIN: reported after %ld ms\n", ms);
    assert_true(ms <= 3000);
    identity_worker_stop(w);
    pn532_emu_stop(emu);
    reader_close(card);
    pthread_mutex_destroy(&h.lock);
}

typedef enum { AT_IDLE, AT_PIN, AT_FORM } at_state;
typedef enum { GOES_SILENT, HANGS_MID_FRAME, UNPLUGGED, CARD_TAKEN } trouble;

static const char *const at_names[] = {"waiting for a card", "at the PIN", "on the form"};
static const char *const trouble_names[] = {"silent", "hangs mid-frame", "unplugged", "card taken"};

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* One trouble in one state, through libnfc: a fault is IDENTITY_READER_FAULT within 3 s
 * and never a removal; a card taken is IDENTITY_CARD_REMOVED; then the reader answers
 * again (or the card comes back) and the worker carries on with no restart. */
static void trouble_in_state(at_state at, trouble what)
{
    reader *card;
    assert_int_equal(reader_sim_create(KIOSK_TEST_ASSETS "/cards/demo.ini", NULL, &card), KIOSK_OK);
    reader_sim_set_present(card, at != AT_IDLE);
    pn532_emu *emu;
    assert_int_equal(pn532_emu_start(card, &emu), KIOSK_OK);
    harness h;
    memset(&h, 0, sizeof h);
    pthread_mutex_init(&h.lock, NULL);
    identity_config cfg = {.open = open_emulated,
                           .open_ctx = emu,
                           .callback = on_event,
                           .callback_ctx = &h,
                           .retry_ms = 200};
    identity_worker *w;
    assert_int_equal(identity_worker_start(&cfg, &w), KIOSK_OK);
    assert_int_equal(wait_event(&h, 0), IDENTITY_READER_OK);
    int next = 1;
    if (at != AT_IDLE) {
        assert_int_equal(wait_event(&h, next++), IDENTITY_CARD_PRESENT);
        assert_int_equal(wait_event(&h, next++), IDENTITY_CARD_READ);
    }
    if (at == AT_FORM) {
        assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_OK);
        assert_int_equal(wait_event(&h, next++), IDENTITY_HOLDER);
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    switch (what) {
    case GOES_SILENT:
        pn532_emu_set_silent(emu, 1);
        break;
    case HANGS_MID_FRAME:
        /* the ACK and the frame's preamble and length, then nothing */
        pn532_emu_silent_after(emu, 5);
        if (at == AT_PIN) /* the PIN's VERIFY, or the presence check before it */
            assert_int_equal(identity_worker_submit_pin(w, "123456"), KIOSK_OK);
        break;
    case UNPLUGGED:
        pn532_emu_unplug(emu);
        break;
    case CARD_TAKEN:
        reader_sim_set_present(card, 0);
        break;
    }
    identity_event_type want = what == CARD_TAKEN ? IDENTITY_CARD_REMOVED : IDENTITY_READER_FAULT;
    assert_int_equal(wait_event(&h, next), want);
    long ms = ms_since(&t0);
    print_message("%-18s %-16s -> %s after %ld ms\n", at_names[at], trouble_names[what],
                  want == IDENTITY_CARD_REMOVED ? "card removed" : "reader fault", ms);
    assert_true(ms <= 3000);
    if (want == IDENTITY_READER_FAULT)
        assert_int_equal(h.ev[next].rc, KIOSK_READER);
    next++;

    /* recovery, no restart */
    switch (what) {
    case GOES_SILENT:
    case HANGS_MID_FRAME:
        pn532_emu_set_silent(emu, 0);
        break;
    case UNPLUGGED:
        pn532_emu_replug(emu);
        break;
    case CARD_TAKEN:
        reader_sim_set_present(card, 1);
        break;
    }
    if (want == IDENTITY_READER_FAULT) {
        assert_int_equal(wait_event(&h, next++), IDENTITY_READER_OK);
        if (at == AT_IDLE) /* a card tapped on the recovered reader is read */
            reader_sim_set_present(card, 1);
    }
    assert_int_equal(wait_event(&h, next++), IDENTITY_CARD_PRESENT);
    assert_int_equal(wait_event(&h, next++), IDENTITY_CARD_READ);
    /* nothing in between was taken for a removal */
    pthread_mutex_lock(&h.lock);
    for (int i = 0; i < h.n; i++)
        if (want == IDENTITY_READER_FAULT)
            assert_int_not_equal(h.ev[i].type, IDENTITY_CARD_REMOVED);
    pthread_mutex_unlock(&h.lock);
    identity_worker_stop(w);
    pn532_emu_stop(emu);
    reader_close(card);
    pthread_mutex_destroy(&h.lock);
}

static void test_reader_troubles_in_every_state(void **state)
{
    (void)state;
    setenv("LIBNFC_AUTO_SCAN", "false", 1);
    setenv("LIBNFC_LOG_LEVEL", "0", 1);
    for (int at = AT_IDLE; at <= AT_FORM; at++)
        for (int what = GOES_SILENT; what <= CARD_TAKEN; what++)
            if (!(at == AT_IDLE && what == CARD_TAKEN)) /* no card to take */
                trouble_in_state((at_state)at, (trouble)what);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_silent_reader_is_a_fault_in_every_state),
        cmocka_unit_test(test_tap_pin_identity_removal),
        cmocka_unit_test(test_removed_while_waiting_for_pin),
        cmocka_unit_test(test_blocked_and_third_generation),
        cmocka_unit_test(test_key_holder_and_inconsistent_cards),
        cmocka_unit_test(test_contact_card_through_pcsc),
        cmocka_unit_test(test_third_generation_through_the_psam),
        cmocka_unit_test(test_tap_or_insert),
        cmocka_unit_test(test_open_configured),
        cmocka_unit_test(test_reader_fault_and_recovery),
        cmocka_unit_test(test_hung_reader_is_reopened),
        cmocka_unit_test(test_reader_troubles_in_every_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
