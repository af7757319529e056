/*
 * The libnfc reader backend: PN532 over UART/I2C/SPI, ACR122 over USB, or whatever the
 * connection string names (empty: the first reader libnfc finds). Polls ISO 14443
 * Type A then Type B at 106 kbps without libnfc's infinite select, exchanges APDUs with
 * the caller's timeout, and maps every libnfc error to a kiosk_rc.
 */
#ifndef KIOSK_READER_NFC_H
#define KIOSK_READER_NFC_H

#include "nfc/reader.h"

/* Open the reader at connstring (copied; NULL or "" for the first found). On failure
 * *out is NULL: KIOSK_READER (no such reader, or it does not answer), KIOSK_NOMEM. */
kiosk_rc reader_nfc_open(const char *connstring, reader **out);

/* The kiosk_rc for a libnfc error code (NFC_E*), exposed for tests. */
kiosk_rc reader_nfc_rc(int nfc_error);

#endif
