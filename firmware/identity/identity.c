/*
 * The identity worker's loop: open the reader; poll for a card; select it, read its
 * generation (EF05) and the PIN's retry counter; wait for a PIN while watching that the
 * card stays; verify; read EF06; then watch for removal. Eight APDUs for a citizen who
 * types the PIN right. A reader that stops answering, in any of these, is a fault.
 * A PIN crosses threads in a mutex-protected slot and is wiped as soon as it is sent.
 */
#include "identity/identity.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/kiosk_log.h"
#include "domain/idnum.h"
#include "identity/identity_health.h"
#include "nfc/reader_nfc.h"
#include "pcsc/reader_pcsc.h"
#include "ssc/reader_sim.h"

struct identity_worker {
    identity_config cfg;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    int card_ready;                  /* EF05 read, a PIN may be submitted */
    int want_number;                 /* identity_worker_want_card_number asked */
    char pin[7];                     /* waiting PIN, "" if none */
    identity_health_state published; /* what the health file says (worker thread) */
    int health_warned;
};

static void emit(identity_worker *w, identity_event *ev)
{
    w->cfg.callback(w->cfg.callback_ctx, ev);
    ssc_holder_wipe(&ev->holder);
}

static int stopping(identity_worker *w)
{
    pthread_mutex_lock(&w->lock);
    int s = w->stop;
    pthread_mutex_unlock(&w->lock);
    return s;
}

/* Sleep up to ms or until stopped/woken; returns 1 when stopping. */
static int wait_ms(identity_worker *w, int ms)
{
    struct timespec until = kiosk_deadline_in_ms(ms);
    pthread_mutex_lock(&w->lock);
    if (!w->stop && !w->pin[0] && !w->want_number)
        pthread_cond_timedwait(&w->wake, &w->lock, &until);
    int s = w->stop;
    pthread_mutex_unlock(&w->lock);
    return s;
}

/* Take the waiting PIN into pin (7 bytes); 0 if none. */
static int take_pin(identity_worker *w, char pin[7])
{
    pthread_mutex_lock(&w->lock);
    int have = w->pin[0] != '\0';
    if (have) {
        memcpy(pin, w->pin, 7);
        explicit_bzero(w->pin, sizeof w->pin);
    }
    pthread_mutex_unlock(&w->lock);
    return have;
}

/* A reader that fails or stops answering is closed and reopened: a hung PN532 or an
 * unplugged USB reader comes back that way. */
static int reader_lost(kiosk_rc rc)
{
    return rc == KIOSK_READER || rc == KIOSK_TIMEOUT;
}

/* Was the card number asked for? (Taken: asked once, read once.) */
static int take_want_number(identity_worker *w)
{
    pthread_mutex_lock(&w->lock);
    int want = w->want_number;
    w->want_number = 0;
    pthread_mutex_unlock(&w->lock);
    return want;
}

void identity_worker_want_card_number(identity_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->want_number = 1;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

/* The card number now, as asked: IDENTITY_CARD_NUMBER ("" when it could not be read).
 * Returns the reader's error to act on (removed, lost), else KIOSK_OK. */
static kiosk_rc tell_card_number(identity_worker *w, reader *r, identity_event *ev)
{
    kiosk_rc rc = ssc_read_card_number(r, &ev->card);
    if (rc == KIOSK_CARD_REMOVED || reader_lost(rc))
        return rc;
    identity_event_type was = ev->type;
    ev->type = IDENTITY_CARD_NUMBER;
    emit(w, ev);
    ev->type = was;
    return KIOSK_OK;
}

static void set_card_ready(identity_worker *w, int ready)
{
    pthread_mutex_lock(&w->lock);
    w->card_ready = ready;
    if (!ready)
        explicit_bzero(w->pin, sizeof w->pin);
    pthread_mutex_unlock(&w->lock);
}

kiosk_rc identity_holder_check(ssc_holder *h, kiosk_date today)
{
    idnum_info info;
    if (idnum_parse18(h->id_number, today, &info) != KIOSK_OK)
        return KIOSK_CARD;
    h->sex = info.sex == IDNUM_MALE ? '1' : '2';
    h->birth = info.birth;
    explicit_bzero(&info, sizeof info);
    return KIOSK_OK;
}

/* Serve one card from arrival to removal. Returns a reader-level error to reopen. */
static kiosk_rc serve_card(identity_worker *w, reader *r, const reader_target *t)
{
    identity_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = IDENTITY_CARD_PRESENT;
    for (size_t i = 0; i < t->uid_len && i < READER_UID_MAX; i++)
        snprintf(ev.uid + 2 * i, 3, "%02X", t->uid[i]);
    emit(w, &ev);

    kiosk_rc rc = ssc_select_card(r, &ev.card);
    if (rc == KIOSK_CARD_REMOVED)
        goto removed;
    if (reader_lost(rc))
        return KIOSK_READER;
    if (rc != KIOSK_OK) {
        ev.type = IDENTITY_CARD_UNREADABLE;
        ev.rc = rc;
        emit(w, &ev);
        goto wait_removal;
    }
    /* the PIN's retry counter, no try spent: a blocked card is told before any digit,
     * and the keypad can say how many tries are left */
    int counter = -1;
    rc = ssc_pin_tries(r, &counter);
    if (rc == KIOSK_CARD_REMOVED)
        goto removed;
    if (reader_lost(rc))
        return KIOSK_READER;
    if (rc == KIOSK_PIN_BLOCKED) {
        ev.type = IDENTITY_PIN_BLOCKED;
        emit(w, &ev);
        goto wait_removal;
    }
    /* a session waiting for its card to come back tells them apart by the number */
    if (take_want_number(w)) {
        rc = ssc_read_card_number(r, &ev.card);
        if (rc == KIOSK_CARD_REMOVED)
            goto removed;
        if (reader_lost(rc))
            return KIOSK_READER;
    }
    /* ready before the word goes out: a PIN typed the instant the keypad shows must be
     * taken, not refused as "no card" */
    set_card_ready(w, 1);
    ev.type = IDENTITY_CARD_READ;
    ev.tries_left = rc == KIOSK_OK ? counter : -1;
    emit(w, &ev);
    ev.tries_left = 0;

    for (;;) {
        char pin[7];
        if (stopping(w))
            return KIOSK_OK;
        if (!take_pin(w, pin)) {
            if (take_want_number(w)) {
                kiosk_rc n = tell_card_number(w, r, &ev);
                if (n == KIOSK_CARD_REMOVED)
                    goto removed;
                if (reader_lost(n)) {
                    set_card_ready(w, 0);
                    return KIOSK_READER;
                }
            }
            kiosk_rc p = r->ops->present(r);
            if (p == KIOSK_READER) {
                set_card_ready(w, 0);
                return KIOSK_READER;
            }
            if (p != KIOSK_OK)
                goto removed;
            wait_ms(w, w->cfg.poll_ms);
            continue;
        }
        int tries = -1;
        rc = ssc_verify_pin(r, pin, &tries);
        explicit_bzero(pin, sizeof pin);
        if (rc == KIOSK_PIN_WRONG) {
            ev.type = IDENTITY_PIN_WRONG;
            ev.tries_left = tries;
            emit(w, &ev);
            continue;
        }
        if (rc == KIOSK_PIN_BLOCKED) {
            ev.type = IDENTITY_PIN_BLOCKED;
            emit(w, &ev);
            set_card_ready(w, 0);
            goto wait_removal;
        }
        if (rc == KIOSK_CARD_REMOVED)
            goto removed;
        if (reader_lost(rc)) {
            set_card_ready(w, 0);
            return KIOSK_READER;
        }
        if (rc != KIOSK_OK) {
            ev.type = IDENTITY_CARD_UNREADABLE;
            ev.rc = rc;
            emit(w, &ev);
            set_card_ready(w, 0);
            goto wait_removal;
        }
        break;
    }
    set_card_ready(w, 0);
    kiosk_date today = kiosk_clock_today(w->cfg.clock);
    rc = KIOSK_OK;
    if (ev.card.generation >= 3 && w->cfg.key_holder.cryptogram) {
        rc = ssc_authenticate(r, &ev.card, &w->cfg.key_holder);
        if (rc != KIOSK_OK && rc != KIOSK_CARD_REMOVED)
            kiosk_log_warn("identity", "terminal authentication failed: %s", kiosk_strerror(rc));
        /* the PSAM away or refused (UNSUPPORTED), or its cryptogram refused by the card
         * (CRYPTO: a PSAM of another key): the citizen goes on as without a PSAM, the ID
         * number keyed and bound to the card by its PIN */
        if (rc == KIOSK_CRYPTO)
            rc = KIOSK_UNSUPPORTED;
    }
    if (rc == KIOSK_OK)
        rc = ssc_read_holder(r, &ev.holder);
    if (rc == KIOSK_CARD_REMOVED)
        goto removed;
    if (reader_lost(rc))
        return KIOSK_READER;
    int mismatch = 0;
    if (rc == KIOSK_OK && identity_holder_check(&ev.holder, today) != KIOSK_OK) {
        kiosk_log_warn("identity", "card holder's ID number is not valid");
        ssc_holder_wipe(&ev.holder);
        rc = KIOSK_CARD;
        mismatch = 1; /* read well: the card's data disagree, the card is not broken */
    }
    if (mismatch) {
        ev.type = IDENTITY_CARD_MISMATCH;
        ev.rc = rc;
    } else if (rc == KIOSK_UNSUPPORTED) {
        ev.type = IDENTITY_NEEDS_ID_ENTRY; /* identity still bound to the card by its PIN */
    } else if (rc != KIOSK_OK) {
        ev.type = IDENTITY_CARD_UNREADABLE;
        ev.rc = rc;
    } else {
        ev.type = IDENTITY_HOLDER;
    }
    emit(w, &ev);

wait_removal:
    /* the card stays while the citizen fills the form: a reader that stops answering
     * now is a fault, not a card taken away */
    for (;;) {
        if (stopping(w))
            return KIOSK_OK;
        if (take_want_number(w)) {
            kiosk_rc n = tell_card_number(w, r, &ev);
            if (n == KIOSK_CARD_REMOVED)
                break;
            if (reader_lost(n))
                return KIOSK_READER;
        }
        kiosk_rc p = r->ops->present(r);
        if (p == KIOSK_READER)
            return KIOSK_READER;
        if (p != KIOSK_OK)
            break;
        wait_ms(w, w->cfg.poll_ms);
    }
removed:
    set_card_ready(w, 0);
    memset(&ev, 0, sizeof ev);
    ev.type = IDENTITY_CARD_REMOVED;
    emit(w, &ev);
    r->ops->release(r);
    return KIOSK_OK;
}

/* The reader's health for kioskctl status, written only when it changes. */
static void publish(identity_worker *w, identity_health_state state, const char *reason)
{
    if (!w->cfg.health_dir || state == w->published)
        return;
    identity_health h = {
        .state = state, .since_ms = kiosk_clock_now_ms(w->cfg.clock), .pid = (long)getpid()};
    snprintf(h.reason, sizeof h.reason, "%s", reason);
    if (identity_health_write(w->cfg.health_dir, &h) != KIOSK_OK) {
        if (!w->health_warned++)
            kiosk_log_warn("identity", "cannot write the reader's health under %s",
                           w->cfg.health_dir);
        return;
    }
    w->published = state;
}

static void *worker_main(void *arg)
{
    identity_worker *w = arg;
    reader *r = NULL;
    int faulted = 0;
    while (!stopping(w)) {
        if (!r) {
            kiosk_rc rc = w->cfg.open(w->cfg.open_ctx, &r);
            identity_event ev;
            memset(&ev, 0, sizeof ev);
            if (rc != KIOSK_OK) {
                if (!faulted) {
                    kiosk_log_warn("identity", "card reader unavailable: %s", kiosk_strerror(rc));
                    ev.type = IDENTITY_READER_FAULT;
                    ev.rc = rc;
                    emit(w, &ev);
                    publish(w, IDENTITY_HEALTH_FAULT, "cannot open the reader");
                    faulted = 1;
                }
                wait_ms(w, w->cfg.retry_ms);
                continue;
            }
            ev.type = IDENTITY_READER_OK;
            emit(w, &ev);
            publish(w, IDENTITY_HEALTH_OK, "");
            faulted = 0;
        }
        reader_target t;
        kiosk_rc rc = r->ops->poll(r, w->cfg.poll_ms, &t);
        if (rc == KIOSK_OK)
            rc = serve_card(w, r, &t);
        if (rc == KIOSK_READER) {
            identity_event ev;
            memset(&ev, 0, sizeof ev);
            kiosk_log_warn("identity", "card reader stopped answering; reopening it");
            ev.type = IDENTITY_READER_FAULT;
            ev.rc = KIOSK_READER;
            emit(w, &ev);
            publish(w, IDENTITY_HEALTH_FAULT, "the reader stopped answering");
            faulted = 1;
            reader_close(r);
            r = NULL;
        }
    }
    reader_close(r);
    if (w->cfg.health_dir)
        identity_health_remove(w->cfg.health_dir);
    return NULL;
}

kiosk_rc identity_worker_start(const identity_config *cfg, identity_worker **out)
{
    *out = NULL;
    identity_worker *w = calloc(1, sizeof *w);
    if (!w)
        return KIOSK_NOMEM;
    w->cfg = *cfg;
    if (w->cfg.poll_ms <= 0)
        w->cfg.poll_ms = 200;
    if (w->cfg.retry_ms <= 0)
        w->cfg.retry_ms = 1000;
    if (!w->cfg.clock)
        w->cfg.clock = kiosk_clock_system();
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        free(w);
        return KIOSK_NOMEM;
    }
    *out = w;
    return KIOSK_OK;
}

kiosk_rc identity_worker_submit_pin(identity_worker *w, const char *pin)
{
    if (!pin || strlen(pin) != 6 || strspn(pin, "0123456789") != 6)
        return KIOSK_INVALID;
    pthread_mutex_lock(&w->lock);
    kiosk_rc rc = KIOSK_OK;
    if (!w->card_ready)
        rc = KIOSK_NO_CARD;
    else if (w->pin[0])
        rc = KIOSK_BUSY;
    else
        memcpy(w->pin, pin, 7);
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    return rc;
}

void identity_worker_stop(identity_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    explicit_bzero(w, sizeof *w);
    free(w);
}

kiosk_rc identity_open_configured(void *ctx, reader **out)
{
    const kiosk_config *cfg = ctx;
    if (cfg->reader_backend == KIOSK_READER_LIBNFC && cfg->reader_contact[0]) {
        /* tap or insert: the NFC reader and a PC/SC contact slot, both needed */
        reader *tap = NULL, *slot = NULL;
        kiosk_rc rc = reader_nfc_open(cfg->reader_connstring, &tap);
        if (rc == KIOSK_OK)
            rc = reader_pcsc_open(cfg->reader_contact, &slot);
        if (rc != KIOSK_OK) {
            reader_close(tap);
            *out = NULL;
            return rc;
        }
        return reader_either(tap, slot, out);
    }
    if (cfg->reader_backend == KIOSK_READER_LIBNFC)
        return reader_nfc_open(cfg->reader_connstring, out);
    if (cfg->reader_backend == KIOSK_READER_PCSC)
        return reader_pcsc_open(cfg->reader_connstring, out);
    return reader_sim_create(cfg->reader_card_profile, NULL, out);
}
