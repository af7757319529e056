/*
 * A PN532 emulator for tests: it speaks the PN532 host frame protocol (preamble,
 * LEN/LCS, TFI D4/D5, DCS, ACK) on the master side of a pseudo-terminal, so libnfc's
 * own pn532_uart driver opens the slave side like a serial reader and runs its real
 * code end to end. The card in its field is a simulated card (nfc/reader_sim.h), so
 * card behaviour and faults come from card profiles; the emulator adds reader faults.
 */
#ifndef KIOSK_PN532_EMU_H
#define KIOSK_PN532_EMU_H

#include "nfc/reader.h"

typedef struct pn532_emu pn532_emu;

/* Start an emulator on a new pseudo-terminal with card (kept; may be NULL for an empty
 * field; the emulator exchanges APDUs with it). *out is owned: pn532_emu_stop. */
kiosk_rc pn532_emu_start(reader *card, pn532_emu **out);

/* The libnfc connection string for it: "pn532_uart:/dev/pts/N:115200" (borrowed). */
const char *pn532_emu_connstring(const pn532_emu *e);

/* Stop answering frames (a reader that hangs), or answer again. */
void pn532_emu_set_silent(pn532_emu *e, int silent);

/* Frames handled so far, and InDataExchange commands among them. */
int pn532_emu_frames(const pn532_emu *e);
int pn532_emu_exchanges(const pn532_emu *e);

void pn532_emu_stop(pn532_emu *e);

#endif
