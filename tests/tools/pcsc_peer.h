/*
 * A real PC/SC stack for tests: pcsc-lite's own pcscd, started by the test in mount and
 * network namespaces of its own (its socket directory /run/pcscd is a private tmpfs, so
 * a pcscd of the machine is neither seen nor disturbed; the network is loopback alone),
 * serving Debian's vsmartcard virtual reader driver (vpcd) with two slots. Each slot's
 * card is a virtual ICC this peer runs, connected to vpcd over loopback (the vpcd
 * protocol: a 2-byte length, then a control byte or an APDU), answering with a card
 * profile's simulated card (reader_sim). Cards are put in and taken out at will.
 *
 * Needs root (for the namespaces), pcscd and the vpcd driver: otherwise start answers
 * KIOSK_UNSUPPORTED and says why, and the test skips. The test process enters the
 * namespaces at the first start, so it starts the peer before any thread of its own
 * (threads made later share them). One peer at a time per process.
 *
 * For a test that fails here: PCSC_PEER_TRACE=1 prints every control byte and APDU a
 * virtual card gets and runs pcscd with its debug and APDU logs; PCSC_PEER_KEEP=1 keeps
 * the peer's directory (/tmp/pcsc-peer-*: pcscd.log, the reader's configuration).
 */
#ifndef KIOSK_PCSC_PEER_H
#define KIOSK_PCSC_PEER_H

#include "nfc/reader.h"

typedef struct pcsc_peer pcsc_peer;

#define PCSC_PEER_SLOTS 2
/* The PC/SC names of the two slots: a CCID-style reader's card slot and SAM slot. */
#define PCSC_PEER_READER "Kiosk Test Reader"
#define PCSC_PEER_SLOT0 PCSC_PEER_READER " 00 00"
#define PCSC_PEER_SLOT1 PCSC_PEER_READER " 00 01"

/* Start pcscd with the virtual reader; slot i holds card[i] (borrowed, may be NULL for
 * an empty slot), put in at once when present is set. The reader is listed by pcscd
 * when this returns. KIOSK_UNSUPPORTED (see above), KIOSK_IO, KIOSK_TIMEOUT. */
kiosk_rc pcsc_peer_start(reader *card0, reader *card1, pcsc_peer **out);

/* The same with each slot's card made from a card profile (NULL: an empty slot): the
 * simulated cards into *card0 and *card1 (either pointer may be NULL when its profile
 * is), put in at once. On failure nothing is left open and the pointers are NULL;
 * KIOSK_UNSUPPORTED is the test's cue to skip. */
kiosk_rc pcsc_peer_start_cards(const char *profile0, const char *profile1, reader **card0,
                               reader **card1, pcsc_peer **out);

/* Stop p, then close the cards it held (NULL is fine for each). */
void pcsc_peer_stop_cards(pcsc_peer *p, reader *card0, reader *card1);

/* Put a card into slot i (1) or take it out (0): the virtual ICC answers or hangs up. */
void pcsc_peer_insert(pcsc_peer *p, int slot, int present);

/* Wait up to timeout_ms until pcscd reports slot i with a card (present 1) or empty (0):
 * it looks every 400 ms. 1 when it does. */
int pcsc_peer_wait(int slot, int present, int timeout_ms);

/* APDUs slot i's card has answered so far. */
int pcsc_peer_apdus(const pcsc_peer *p, int slot);

/* Stop pcscd alone (SIGTERM), as a service that goes away: the slots stay. */
void pcsc_peer_stop_daemon(pcsc_peer *p);

/* Stop pcscd and the virtual cards, free p (NULL is fine). */
void pcsc_peer_stop(pcsc_peer *p);

#endif
