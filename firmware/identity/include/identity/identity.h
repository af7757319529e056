/*
 * The identity worker: a thread that owns the card reader and turns what happens on it
 * into events for the flow — card present, card read, PIN wrong/blocked, identity read,
 * card removed, unreadable card, reader fault and recovery. The UI thread never waits
 * on the reader: it submits the PIN and receives events through a callback (which
 * should only queue them, e.g. as SDL user events). A holder record is passed on only
 * when its ID number is valid and agrees with the card's sex and birth date (idnum.h);
 * anything else is an unreadable card. The holder's data in an event is
 * wiped by the worker after the callback returns: the callback copies what it needs.
 */
#ifndef KIOSK_IDENTITY_H
#define KIOSK_IDENTITY_H

#include "config/kiosk_config.h"
#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"
#include "nfc/reader.h"
#include "ssc/ssc.h"

typedef enum identity_event_type {
    IDENTITY_CARD_PRESENT = 1, /* a card arrived; reading it */
    IDENTITY_CARD_READ,        /* EF05 read: specification and generation (no card
                                  number: ssc_select_card); PIN next;
                                  tries_left: the PIN's retry counter (-1: not told) */
    IDENTITY_PIN_WRONG,        /* tries_left set */
    IDENTITY_PIN_BLOCKED,      /* go to the counter (also before any PIN, from the counter) */
    IDENTITY_HOLDER,           /* the holder's identity, after a correct PIN */
    IDENTITY_NEEDS_ID_ENTRY,   /* 3rd-generation card, no key holder: ask for the ID */
    IDENTITY_CARD_UNREADABLE,  /* not a social security card, or a damaged one */
    IDENTITY_CARD_REMOVED,     /* the card left the reader */
    IDENTITY_READER_FAULT,     /* the reader is gone or hung (ends any card session);
                                  the worker keeps reopening it */
    IDENTITY_READER_OK,        /* the reader works (again) */
    IDENTITY_CARD_NUMBER,      /* card.card_number, as asked (identity_worker_want_card_number) */
    IDENTITY_CARD_MISMATCH,    /* read after a right PIN, but the holder record disagrees
                                  with itself (the ID number's birth date or check
                                  character): the card works, its data cannot be used */
} identity_event_type;

typedef struct identity_event {
    identity_event_type type;
    kiosk_rc rc;                      /* the cause, for faults and unreadable cards */
    int tries_left;                   /* IDENTITY_PIN_WRONG, IDENTITY_CARD_READ */
    ssc_card card;                    /* from IDENTITY_CARD_READ on */
    ssc_holder holder;                /* IDENTITY_HOLDER only; wiped after the callback */
    char uid[2 * READER_UID_MAX + 1]; /* the card's UID in hex, from IDENTITY_CARD_PRESENT on:
                                       * a staff card is known by it (a citizen's card
                                       * usually shows a random one) */
} identity_event;

/* Called on the worker thread; ev is borrowed for the call. */
typedef void (*identity_callback)(void *ctx, const identity_event *ev);

/* Opens the reader (again after a fault). On failure *out is NULL. */
typedef kiosk_rc (*identity_open_reader)(void *ctx, reader **out);

typedef struct identity_worker identity_worker;

typedef struct identity_config {
    identity_open_reader open;
    void *open_ctx;
    identity_callback callback;
    void *callback_ctx;
    const kiosk_clock *clock; /* for "today" when checking birth dates */
    int poll_ms;              /* how long one poll waits; default 200 */
    int retry_ms;             /* wait between reopen attempts; default 1000 */
    /* Terminal authentication for 3rd-generation cards (PSAM, HSM); NULL callback: none,
     * and such cards end in IDENTITY_NEEDS_ID_ENTRY. */
    ssc_key_holder key_holder;
    /* Where to publish the reader's health (identity_health.h) for kioskctl status: the
     * state directory (kept); NULL: nowhere. Written on each change, removed on stop. */
    const char *health_dir;
} identity_config;

/* An identity_open_reader for the configured backend: libnfc at [reader] connstring, or
 * the simulated reader holding [reader] card_profile. ctx is a kiosk_config (kept). */
kiosk_rc identity_open_configured(void *ctx, reader **out);

/* The kiosk's acceptance of a holder record read from a card (ssc_read_holder): its ID
 * number valid on today (check character, region, a real birth date not after today);
 * sex and birth date are then taken from it into h. KIOSK_OK, or KIOSK_CARD for a record
 * the kiosk refuses (staff tools say so too; the worker tells it as IDENTITY_CARD_MISMATCH,
 * not as an unreadable card). Any thread. */
kiosk_rc identity_holder_check(ssc_holder *h, kiosk_date today);

/* Start the worker (cfg copied). *out is owned: identity_worker_stop. */
kiosk_rc identity_worker_start(const identity_config *cfg, identity_worker **out);

/* Hand over the citizen's PIN (copied, wiped after use) for the card now on the reader.
 * KIOSK_BUSY if a PIN is already waiting, KIOSK_NO_CARD if no card has been read,
 * KIOSK_INVALID if it is not 6 digits. Any thread. */
kiosk_rc identity_worker_submit_pin(identity_worker *w, const char *pin);

/* Read the card number at the next chance (one APDU, never on the tap → PIN path): of
 * the card on the reader now, as IDENTITY_CARD_NUMBER, or else of the next card, in its
 * IDENTITY_CARD_READ. A session asks once it has a citizen worth resuming, and while it
 * waits for a card taken away, to tell the same card from another. Any thread. */
void identity_worker_want_card_number(identity_worker *w);

/* Stop the thread, close the reader, wipe everything. NULL is fine. */
void identity_worker_stop(identity_worker *w);

#endif
