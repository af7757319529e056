/*
 * The PC/SC reader backend: one slot of a reader that pcscd serves (a CCID reader's
 * contact slot, its SAM slot, a dual reader's contactless slot), behind the same reader
 * ops as the NFC readers, so the ssc protocol runs on it unchanged. A poll waits for a
 * card in the slot and connects to it (T=0 or T=1, as its ATR offers); an exchange is
 * SCardTransmit; a card taken out reads as gone; a reader unplugged, or pcscd stopped,
 * is KIOSK_READER, and the next open finds it again.
 */
#ifndef KIOSK_READER_PCSC_H
#define KIOSK_READER_PCSC_H

#include <stddef.h>

#include "nfc/reader.h"

/* Open the slot named (copied): PC/SC reader names carry the slot's number at their end
 * ("Virtual PCD 00 00"); the first reader whose name starts with name is taken, NULL or
 * "" for the first reader pcscd lists. On failure *out is NULL: KIOSK_READER (pcscd not
 * running, no such reader), KIOSK_NOMEM. */
kiosk_rc reader_pcsc_open(const char *name, reader **out);

/* The full PC/SC name of the slot r opened (borrowed), for logs and `kioskctl`. */
const char *reader_pcsc_name(const reader *r);

/* The ATR of the card connected by the last poll (borrowed, *len bytes; NULL when none). */
const unsigned char *reader_pcsc_atr(const reader *r, size_t *len);

/* The kiosk_rc for a PC/SC result code (SCARD_*), exposed for tests. */
kiosk_rc reader_pcsc_rc(long scard_rc);

#endif
