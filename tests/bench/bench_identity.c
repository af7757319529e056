/* Benchmark of a tap through real libnfc: the kiosk's reader worker (identity) on the
 * pn532_uart driver, talking to the project's PN532 emulator at 115200 baud with the
 * card taking 15 ms per APDU (by default). Prints figures beside their targets; asserts
 * nothing.
 *   1. APDUs for identity + PIN (target <= 8) and the time from the first APDU sent to
 *      the last answer received (target <= 200 ms), the PIN given the moment the keypad
 *      would show;
 *   2. card tap -> PIN screen (the IDENTITY_CARD_READ event the session turns into the
 *      keypad), also from the moment the poll saw the card;
 *   3. PIN -> form (the PIN submitted -> IDENTITY_HOLDER, after which the form shows).
 * Then the same for a 3rd-generation card authenticated through a PSAM (target <= 11 card
 * APDUs, <= 300 ms first -> last): the PSAM is the simulated one on its own reader, taking
 * PSAM_MS per command as a contact SAM slot does (its commands are not card APDUs).
 * Usage: bench_identity [TAPS] [CARD_MS_PER_APDU] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "identity/identity.h"
#include "nfc/reader_nfc.h"
#include "ssc/reader_sim.h"
#include "ssc/ssc_psam.h"
#include "pn532_emu.h"

/* The libnfc reader wrapped so each APDU is counted and timed where the kiosk sends it. */
typedef struct timed_reader {
    reader base;
    reader *inner;
} timed_reader;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int apdus;
static double first_apdu, last_apdu, seen_at, read_at, pin_at, holder_at, removed_at;
static identity_worker *worker;
static const char *card_pin;

#define PSAM_MS 10 /* a PSAM's time per command in a contact slot */

static kiosk_rc t_poll(reader *r, int timeout_ms, reader_target *out)
{
    return ((timed_reader *)r)->inner->ops->poll(((timed_reader *)r)->inner, timeout_ms, out);
}

static kiosk_rc t_transceive(reader *r, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap,
                             size_t *len, int timeout_ms)
{
    reader *in = ((timed_reader *)r)->inner;
    double t0 = bench_now_ms();
    kiosk_rc rc = in->ops->transceive(in, apdu, n, resp, cap, len, timeout_ms);
    double t1 = bench_now_ms();
    pthread_mutex_lock(&mu);
    if (apdus++ == 0)
        first_apdu = t0;
    last_apdu = t1;
    pthread_mutex_unlock(&mu);
    return rc;
}

static kiosk_rc t_present(reader *r)
{
    return ((timed_reader *)r)->inner->ops->present(((timed_reader *)r)->inner);
}

static void t_release(reader *r)
{
    ((timed_reader *)r)->inner->ops->release(((timed_reader *)r)->inner);
}

static void t_close(reader *r)
{
    reader_close(((timed_reader *)r)->inner);
    free(r);
}

static const reader_ops timed_ops = {"timed libnfc", t_poll,    t_transceive,
                                     t_present,      t_release, t_close};

static kiosk_rc open_timed(void *ctx, reader **out)
{
    *out = NULL;
    timed_reader *t = calloc(1, sizeof *t);
    if (!t)
        return KIOSK_NOMEM;
    kiosk_rc rc = reader_nfc_open(pn532_emu_connstring(ctx), &t->inner);
    if (rc != KIOSK_OK) {
        free(t);
        return rc;
    }
    t->base.ops = &timed_ops;
    *out = &t->base;
    return KIOSK_OK;
}

static void on_event(void *ctx, const identity_event *ev)
{
    (void)ctx;
    double t = bench_now_ms();
    pthread_mutex_lock(&mu);
    switch (ev->type) {
    case IDENTITY_CARD_PRESENT:
        seen_at = t;
        break;
    case IDENTITY_CARD_READ:
        read_at = t;
        /* the citizen types at once: the card's time alone, not the citizen's */
        pin_at = bench_now_ms();
        if (identity_worker_submit_pin(worker, card_pin) != KIOSK_OK)
            pin_at = -1;
        break;
    case IDENTITY_HOLDER:
        holder_at = t;
        break;
    case IDENTITY_CARD_REMOVED:
        removed_at = t;
        break;
    default:
        break;
    }
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

/* Wait (up to 10 s) until *when is set. */
static int wait_for(double *when)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&mu);
    while (*when == 0 && pthread_cond_timedwait(&cv, &mu, &until) == 0)
        ;
    int ok = *when != 0;
    pthread_mutex_unlock(&mu);
    return ok;
}

static void row(const char *what, double *v, int n, const char *target)
{
    bench_sort(v, (size_t)n);
    printf("%-34s p50 %6.1f ms   max %6.1f ms%s%s\n", what, v[n / 2], v[n - 1],
           *target ? "   " : "", target);
}

/* One card's taps through the worker; its figures printed. 0 when it went well. */
static int run(const char *label, const char *profile, const char *pin, ssc_key_holder kh, int taps,
               int card_ms, const char *apdu_target, const char *span_target)
{
    reader *card;
    pn532_emu *emu;
    if (reader_sim_create(profile, NULL, &card) != KIOSK_OK)
        return 1;
    reader_sim_set_present(card, 0);
    if (pn532_emu_start(card, &emu) != KIOSK_OK)
        return 1;
    pn532_emu_set_card_delay(emu, card_ms);
    card_pin = pin;
    /* the kiosk's own worker settings (poll every 200 ms, reopen every second) */
    identity_config cfg = {
        .open = open_timed, .open_ctx = emu, .callback = on_event, .key_holder = kh};
    if (identity_worker_start(&cfg, &worker) != KIOSK_OK)
        return 1;

    static double span[100], tap_read[100], seen_read[100], pin_form[100];
    int counts[100];
    for (int i = 0; i < taps; i++) {
        pthread_mutex_lock(&mu);
        apdus = 0;
        first_apdu = last_apdu = seen_at = read_at = pin_at = holder_at = removed_at = 0;
        pthread_mutex_unlock(&mu);
        int frames0 = pn532_emu_exchanges(emu);
        double tap = bench_now_ms();
        reader_sim_set_present(card, 1);
        if (!wait_for(&holder_at) || pin_at < 0) {
            fprintf(stderr, "bench_identity: tap %d did not reach the holder\n", i + 1);
            return 1;
        }
        pthread_mutex_lock(&mu);
        counts[i] = apdus;
        span[i] = last_apdu - first_apdu;
        tap_read[i] = read_at - tap;
        seen_read[i] = read_at - seen_at;
        pin_form[i] = holder_at - pin_at;
        pthread_mutex_unlock(&mu);
        if (pn532_emu_exchanges(emu) - frames0 != counts[i]) {
            fprintf(stderr, "bench_identity: the emulator saw %d APDUs, the kiosk sent %d\n",
                    pn532_emu_exchanges(emu) - frames0, counts[i]);
            return 1;
        }
        reader_sim_set_present(card, 0);
        if (!wait_for(&removed_at))
            return 1;
    }
    int most = 0;
    for (int i = 0; i < taps; i++)
        most = counts[i] > most ? counts[i] : most;
    printf("%s: libnfc pn532_uart, emulator at 115200 baud, card %d ms/APDU, %d taps\n", label,
           card_ms, taps);
    printf("%-34s %d APDUs                        %s\n", "identity + PIN:", most, apdu_target);
    row("first -> last APDU:", span, taps, span_target);
    row("card tap -> PIN screen:", tap_read, taps, "(includes waiting for the next poll)");
    row("card seen -> PIN screen:", seen_read, taps, "");
    row("PIN -> form:", pin_form, taps, "");
    identity_worker_stop(worker);
    pn532_emu_stop(emu);
    reader_close(card);
    return 0;
}

int main(int argc, char **argv)
{
    int taps = argc > 1 ? atoi(argv[1]) : 10;
    int card_ms = argc > 2 ? atoi(argv[2]) : 15;
    if (taps < 1 || taps > 100 || card_ms < 0)
        return 2;
    setenv("LIBNFC_AUTO_SCAN", "false", 1);
    setenv("LIBNFC_LOG_LEVEL", "0", 1);
    ssc_key_holder none = {NULL, NULL, 0};
    if (run("2nd-generation card", KIOSK_BENCH_ASSETS "/cards/demo.ini", "123456", none, taps,
            card_ms, "(target <= 8)", "(target <= 200 ms)") != 0)
        return 1;
    reader *sam;
    ssc_psam *psam;
    reader_sim_faults slow = {.delay_ms = PSAM_MS};
    if (reader_sim_create(KIOSK_BENCH_FIXTURES "/cards/psam.ini", &slow, &sam) != KIOSK_OK ||
        ssc_psam_open(sam, 0x01, &psam) != KIOSK_OK)
        return 1;
    ssc_key_holder kh = {ssc_psam_cryptogram, psam, 0x01};
    printf("\n");
    int rc = run("3rd-generation card through a PSAM ("
                 "10 ms per PSAM command)",
                 KIOSK_BENCH_FIXTURES "/cards/gen3-sm4.ini", "111111", kh, taps, card_ms,
                 "(target <= 11)", "(target <= 300 ms)");
    ssc_psam_close(psam);
    reader_close(sam);
    return rc;
}
