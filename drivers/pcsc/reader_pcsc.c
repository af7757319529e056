/*
 * pcsc-lite behind the reader ops. Each reader has its own PC/SC context, so reopening
 * after pcscd restarts or the reader is unplugged starts clean. A card is connected
 * exclusively (no other program talks to it during a citizen's session), T=0 or T=1 as
 * its ATR offers; the ssc layer does T=0's GET RESPONSE itself.
 */
#include "pcsc/reader_pcsc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <winscard.h>

#include "core/kiosk_log.h"

#define NAME_MAX_BYTES 256

typedef struct pcsc_reader {
    reader base;
    SCARDCONTEXT ctx;
    int have_ctx;
    SCARDHANDLE card;
    int have_card;
    DWORD protocol;
    char name[NAME_MAX_BYTES];
    unsigned char atr[MAX_ATR_SIZE];
    size_t atr_len;
} pcsc_reader;

kiosk_rc reader_pcsc_rc(long rc)
{
    switch ((LONG)rc) {
    case SCARD_S_SUCCESS:
        return KIOSK_OK;
    case SCARD_E_TIMEOUT:
        return KIOSK_TIMEOUT;
    case SCARD_E_NO_SMARTCARD:
        return KIOSK_NO_CARD;
    case SCARD_W_REMOVED_CARD:
    case SCARD_W_RESET_CARD:
    case SCARD_W_UNPOWERED_CARD:
        return KIOSK_CARD_REMOVED;
    case SCARD_W_UNRESPONSIVE_CARD:
    case SCARD_W_UNSUPPORTED_CARD:
    case SCARD_E_NOT_TRANSACTED: /* the card's exchange failed; the reader is fine */
    case SCARD_E_PROTO_MISMATCH:
    case SCARD_E_INSUFFICIENT_BUFFER:
        return KIOSK_CARD;
    case SCARD_E_SHARING_VIOLATION:
        return KIOSK_BUSY;
    case SCARD_E_NO_MEMORY:
        return KIOSK_NOMEM;
    case SCARD_E_INVALID_PARAMETER:
    case SCARD_E_INVALID_VALUE:
        return KIOSK_INVALID;
    default: /* no service, service stopped, reader unavailable or unknown, comm errors */
        return KIOSK_READER;
    }
}

static void disconnect(pcsc_reader *p, DWORD disposition)
{
    if (p->have_card)
        SCardDisconnect(p->card, disposition);
    p->have_card = 0;
    p->atr_len = 0;
}

static kiosk_rc pcsc_poll(reader *r, int timeout_ms, reader_target *out)
{
    pcsc_reader *p = (pcsc_reader *)r;
    disconnect(p, SCARD_LEAVE_CARD);
    SCARD_READERSTATE st = {.szReader = p->name, .dwCurrentState = SCARD_STATE_UNAWARE};
    LONG rc = SCardGetStatusChange(p->ctx, 0, &st, 1);
    if (rc == SCARD_S_SUCCESS && !(st.dwEventState & SCARD_STATE_PRESENT) && timeout_ms > 0) {
        /* wait for the slot to change (a card put in) */
        st.dwCurrentState = st.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
        rc = SCardGetStatusChange(p->ctx, (DWORD)timeout_ms, &st, 1);
        if (rc == SCARD_E_TIMEOUT)
            return KIOSK_NO_CARD;
    }
    if (rc != SCARD_S_SUCCESS)
        return reader_pcsc_rc(rc) == KIOSK_TIMEOUT ? KIOSK_NO_CARD : KIOSK_READER;
    if (st.dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE))
        return KIOSK_READER;
    if (!(st.dwEventState & SCARD_STATE_PRESENT) || (st.dwEventState & SCARD_STATE_MUTE))
        return KIOSK_NO_CARD;
    /* a card just put in is being powered up by pcscd (a sharing violation meanwhile) */
    for (int waited = 0;; waited += 20) {
        rc = SCardConnect(p->ctx, p->name, SCARD_SHARE_EXCLUSIVE,
                          SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->card, &p->protocol);
        if (rc != SCARD_E_SHARING_VIOLATION || waited >= (timeout_ms > 500 ? timeout_ms : 500))
            break;
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    if (rc != SCARD_S_SUCCESS) {
        kiosk_rc k = reader_pcsc_rc(rc);
        return k == KIOSK_READER || k == KIOSK_BUSY ? k : KIOSK_NO_CARD;
    }
    p->have_card = 1;
    DWORD atr_len = sizeof p->atr, state, proto, name_len = 0;
    if (SCardStatus(p->card, NULL, &name_len, &state, &proto, p->atr, &atr_len) == SCARD_S_SUCCESS)
        p->atr_len = atr_len;
    memset(out, 0, sizeof *out); /* a contact card has no UID: the card number tells */
    out->contact = 1;
    return KIOSK_OK;
}

/* After a command failed: whether the card left the slot, given the moment pcscd takes to
 * look (it polls a slot every 400 ms). A reader that is gone answers no. */
static int card_left(pcsc_reader *p)
{
    SCARD_READERSTATE st = {.szReader = p->name, .dwCurrentState = SCARD_STATE_UNAWARE};
    if (SCardGetStatusChange(p->ctx, 0, &st, 1) != SCARD_S_SUCCESS)
        return 0;
    if (st.dwEventState & SCARD_STATE_PRESENT) {
        st.dwCurrentState = st.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
        if (SCardGetStatusChange(p->ctx, 1000, &st, 1) != SCARD_S_SUCCESS)
            return 0; /* no change within a second: the card is there */
    }
    return (st.dwEventState & SCARD_STATE_EMPTY) != 0;
}

static kiosk_rc pcsc_transceive(reader *r, const uint8_t *apdu, size_t n, uint8_t *resp, size_t cap,
                                size_t *got, int timeout_ms)
{
    pcsc_reader *p = (pcsc_reader *)r;
    (void)timeout_ms; /* PC/SC has no per-command timeout: the reader's driver keeps its own */
    if (!p->have_card)
        return KIOSK_CARD_REMOVED;
    DWORD len = (DWORD)cap;
    const SCARD_IO_REQUEST *pci = p->protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    LONG rc = SCardTransmit(p->card, pci, apdu, (DWORD)n, NULL, resp, &len);
    if (rc != SCARD_S_SUCCESS) {
        kiosk_rc k = reader_pcsc_rc(rc);
        if (k != KIOSK_CARD_REMOVED && k != KIOSK_NO_CARD && card_left(p))
            k = KIOSK_CARD_REMOVED; /* pulled out mid-command: pcscd notices a moment later */
        if (k == KIOSK_CARD_REMOVED || k == KIOSK_NO_CARD) {
            disconnect(p, SCARD_LEAVE_CARD);
            return KIOSK_CARD_REMOVED;
        }
        return k;
    }
    *got = len;
    return KIOSK_OK;
}

static kiosk_rc pcsc_present(reader *r)
{
    pcsc_reader *p = (pcsc_reader *)r;
    if (!p->have_card)
        return KIOSK_NO_CARD;
    DWORD state, proto, name_len = 0, atr_len = sizeof p->atr;
    unsigned char atr[MAX_ATR_SIZE];
    LONG rc = SCardStatus(p->card, NULL, &name_len, &state, &proto, atr, &atr_len);
    if (rc == SCARD_S_SUCCESS && (state & SCARD_PRESENT))
        return KIOSK_OK;
    disconnect(p, SCARD_LEAVE_CARD);
    kiosk_rc k = reader_pcsc_rc(rc);
    return k == KIOSK_READER ? KIOSK_READER : KIOSK_NO_CARD;
}

static void pcsc_release(reader *r)
{
    /* the card's state goes with it: a PIN verified, an authentication passed */
    disconnect((pcsc_reader *)r, SCARD_RESET_CARD);
}

static void pcsc_close(reader *r)
{
    pcsc_reader *p = (pcsc_reader *)r;
    disconnect(p, SCARD_RESET_CARD);
    if (p->have_ctx)
        SCardReleaseContext(p->ctx);
    free(p);
}

static const reader_ops pcsc_ops = {"pcsc",       pcsc_poll,    pcsc_transceive,
                                    pcsc_present, pcsc_release, pcsc_close};

/* The first reader in pcscd's list whose name starts with want ("" any) into p->name. */
static kiosk_rc find_reader(pcsc_reader *p, const char *want)
{
    DWORD len = 0;
    LONG rc = SCardListReaders(p->ctx, NULL, NULL, &len);
    if (rc != SCARD_S_SUCCESS)
        return rc == SCARD_E_NO_READERS_AVAILABLE ? KIOSK_NOT_FOUND : reader_pcsc_rc(rc);
    char *list = malloc(len ? len : 1);
    if (!list)
        return KIOSK_NOMEM;
    rc = SCardListReaders(p->ctx, NULL, list, &len);
    kiosk_rc k = rc == SCARD_S_SUCCESS ? KIOSK_NOT_FOUND : reader_pcsc_rc(rc);
    for (const char *s = list; rc == SCARD_S_SUCCESS && s < list + len && *s; s += strlen(s) + 1)
        if (!strncmp(s, want, strlen(want)) && strlen(s) < sizeof p->name) {
            memcpy(p->name, s, strlen(s) + 1);
            k = KIOSK_OK;
            break;
        }
    free(list);
    return k;
}

/* Failed opens in a row per wanted reader name (the card slot and the PSAM's SAM slot are
 * retried apart, each counted on its own); a few slots, the last one shared past that. */
#define PCSC_COUNTED_SLOTS 4
static struct {
    char want[64];
    unsigned failures;
} open_failures[PCSC_COUNTED_SLOTS];
static pthread_mutex_t open_failures_lock = PTHREAD_MUTEX_INITIALIZER;

/* Count one more failed open of want (fail) or clear its count; returns the count before
 * clearing or after counting. */
static unsigned count_open(const char *want, int fail)
{
    pthread_mutex_lock(&open_failures_lock);
    size_t i = 0;
    while (i < PCSC_COUNTED_SLOTS - 1 && open_failures[i].want[0] &&
           strncmp(open_failures[i].want, want, sizeof open_failures[i].want - 1))
        i++;
    if (!open_failures[i].want[0])
        snprintf(open_failures[i].want, sizeof open_failures[i].want, "%s", *want ? want : "*");
    unsigned n = fail ? ++open_failures[i].failures : open_failures[i].failures;
    if (!fail)
        open_failures[i].failures = 0;
    pthread_mutex_unlock(&open_failures_lock);
    return n;
}

kiosk_rc reader_pcsc_open(const char *name, reader **out)
{
    *out = NULL;
    pcsc_reader *p = calloc(1, sizeof *p);
    if (!p)
        return KIOSK_NOMEM;
    p->base.ops = &pcsc_ops;
    const char *want = name ? name : "";
    /* a reader that stays away is tried again every second: said once, then once a
     * minute with the count */
    LONG rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
    kiosk_rc k = reader_pcsc_rc(rc);
    p->have_ctx = rc == SCARD_S_SUCCESS;
    if (k == KIOSK_OK)
        k = find_reader(p, want);
    if (k != KIOSK_OK) {
        unsigned seen = count_open(want, 1);
        if (seen == 1 || seen % 60 == 0)
            kiosk_log_warn("reader", "no PC/SC reader %s: %s (%u tries)", *want ? want : "(first)",
                           rc != SCARD_S_SUCCESS ? pcsc_stringify_error(rc) : "not in pcscd's list",
                           seen);
        pcsc_close(&p->base);
        return k == KIOSK_NOMEM ? k : KIOSK_READER;
    }
    unsigned failed = count_open(want, 0);
    if (failed > 0)
        kiosk_log_info("reader", "PC/SC reader back after %u tries", failed);
    kiosk_log_info("reader", "PC/SC reader %s ready", p->name);
    *out = &p->base;
    return KIOSK_OK;
}

const char *reader_pcsc_name(const reader *r)
{
    return ((const pcsc_reader *)r)->name;
}

const unsigned char *reader_pcsc_atr(const reader *r, size_t *len)
{
    const pcsc_reader *p = (const pcsc_reader *)r;
    *len = p->atr_len;
    return p->atr_len ? p->atr : NULL;
}
