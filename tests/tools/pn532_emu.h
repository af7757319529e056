/*
 * A PN532 emulator for tests: it speaks the PN532 host frame protocol (preamble,
 * LEN/LCS, TFI D4/D5, DCS, ACK) on the master side of a pseudo-terminal, so libnfc's
 * own pn532_uart driver opens the slave side like a serial reader and runs its real
 * code end to end. The card in its field is a simulated card (ssc/reader_sim.h), so
 * card behaviour, its PIN retry counter and card faults come from card profiles; the
 * emulator adds the wire and the reader's faults:
 *   - the wire: bytes in both directions take the time a UART at 115200 baud takes
 *     (10 bits a byte, about 86.8 us), and the card takes a settable time per APDU
 *     (15 ms by default) before the reader answers an InDataExchange;
 *   - a reader that goes silent: at once (idle, or between commands), or mid-command
 *     after sending the first N bytes of its next response frame;
 *   - unplugging: the pseudo-terminal's master is closed, so the host's reads and
 *     writes fail (EIO, as for a USB serial adapter pulled out) and the device path
 *     disappears; plugging in again makes a new one under the same path.
 * The device path is a symlink in a private temporary folder, so the connection string
 * stays the same across an unplug. Not modelled: a real chip's own processing time.
 */
#ifndef KIOSK_PN532_EMU_H
#define KIOSK_PN532_EMU_H

#include "nfc/reader.h"

typedef struct pn532_emu pn532_emu;

/* Start an emulator on a new pseudo-terminal with card (kept; may be NULL for an empty
 * field; the emulator exchanges APDUs with it), at 115200 baud and 15 ms per APDU.
 * *out is owned: pn532_emu_stop. KIOSK_IO (no pseudo-terminal), KIOSK_NOMEM. */
kiosk_rc pn532_emu_start(reader *card, pn532_emu **out);

/* The libnfc connection string, "pn532_uart:/tmp/pn532-emu-XXXXXX/ttyPN532:115200"
 * (borrowed; the same for the emulator's whole life, across unplugs). */
const char *pn532_emu_connstring(const pn532_emu *e);

/* The card's time per APDU in ms (0: the answer follows at once). Any thread. */
void pn532_emu_set_card_delay(pn532_emu *e, int ms);

/* Stop answering frames — no ACK, no response — (a reader that hangs), or answer
 * again (silent 0 also cancels a pending pn532_emu_silent_after). Any thread. */
void pn532_emu_set_silent(pn532_emu *e, int silent);

/* Answer the next command with its ACK and only the first `bytes` bytes of its response
 * frame (0: none of it), then fall silent as pn532_emu_set_silent(e, 1). Any thread. */
void pn532_emu_silent_after(pn532_emu *e, int bytes);

/* Pull the reader out (the host side sees EIO; the path goes away), and plug it in
 * again (a new pseudo-terminal behind the same path, answering, card as it was). Both
 * return once the emulator thread has done it. Any thread but the emulator's. */
void pn532_emu_unplug(pn532_emu *e);
void pn532_emu_replug(pn532_emu *e);

/* Frames handled so far, and InDataExchange commands (APDUs) among them. */
int pn532_emu_frames(const pn532_emu *e);
int pn532_emu_exchanges(const pn532_emu *e);

/* Stop the thread, close the pseudo-terminal, remove the path. NULL is fine. */
void pn532_emu_stop(pn532_emu *e);

#endif
