/*
 * Terminal authentication through a PSAM (the SAM card in the reader's SAM slot) for
 * 3rd-generation cards, behind ssc_key_holder: the PSAM diversifies its key with the
 * user card's identification code and turns the card's challenge into the cryptogram
 * EXTERNAL AUTHENTICATE expects; the key never leaves the PSAM. The PSAM's commands are
 * one table in ssc_psam.c, with their sources, for a deployment to match against its
 * PSAM's documentation. The PSAM sits on any reader behind reader ops (a PC/SC SAM
 * slot in practice); this code only speaks to it.
 *
 * The scheme, SM4 (GB/T 32907) in place of PBOC's 3DES:
 *   card key   = SM4(master key, card identification code [16 bytes])
 *   cryptogram = first 8 bytes of SM4(card key, challenge [8] || 80 00 00 00 00 00 00 00)
 * The simulated card and the simulated PSAM (reader_sim profiles with sm4_master) compute
 * the same with ssc_sm4_encrypt, for tests and the demo.
 */
#ifndef KIOSK_SSC_PSAM_H
#define KIOSK_SSC_PSAM_H

#include <stdint.h>

#include "nfc/reader.h"
#include "ssc/ssc.h"

typedef struct ssc_psam ssc_psam;

#define SSC_PSAM_SERIAL_HEX 21 /* the PSAM's 10-byte serial number in hex, terminated */

/* Find the PSAM on sam (borrowed: it must outlive the PSAM): activate the card in the
 * slot, select the SAM application, read its serial number. key_index picks the PSAM's
 * key (P2 of the diversification command). KIOSK_NO_CARD (the slot is empty),
 * KIOSK_CARD (not a PSAM with the SAM application), the reader's errors, KIOSK_NOMEM. */
kiosk_rc ssc_psam_open(reader *sam, uint8_t key_index, ssc_psam **out);

/* The PSAM's serial number, hex (no secret: it identifies the PSAM to staff). */
const char *ssc_psam_serial(const ssc_psam *p);

/* The ssc_key_holder cryptogram function; ctx is the ssc_psam. KIOSK_UNSUPPORTED when
 * the PSAM cannot answer (taken out, refused the key, reader gone: logged; the caller
 * carries on as without a PSAM), so a PSAM's trouble never reads as the citizen's card
 * taken away. Every key-derived byte passing through is wiped. */
kiosk_rc ssc_psam_cryptogram(void *ctx, const uint8_t card_id[16], const uint8_t challenge[8],
                             uint8_t out[8]);

/* Forget the PSAM (the reader stays the caller's). NULL is fine. */
void ssc_psam_close(ssc_psam *p);

/* One SM4 block: out = SM4_encrypt(key, in) (OpenSSL's SM4). KIOSK_CRYPTO on failure. */
kiosk_rc ssc_sm4_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);

#endif
