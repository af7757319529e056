/*
 * The configured PSAM as the identity worker's key holder: the SAM slot named by
 * [reader] psam (a PC/SC reader name, or its start) and the key [reader] psam_key. The
 * slot and the PSAM are opened when a 3rd-generation card first needs them, and opened
 * again after any failure, so a PSAM put back (or a reader plugged in again) is found
 * without a restart; until then such cards go on as without a PSAM (the ID number keyed).
 * Only the identity worker's thread uses it once made.
 */
#ifndef KIOSK_IDENTITY_PSAM_H
#define KIOSK_IDENTITY_PSAM_H

#include "config/kiosk_config.h"
#include "ssc/ssc.h"
#include "ssc/ssc_psam.h"

typedef struct identity_psam identity_psam;

/* *out NULL (and KIOSK_OK) when the configuration names no PSAM. KIOSK_NOMEM. */
kiosk_rc identity_psam_create(const kiosk_config *cfg, identity_psam **out);

/* The key holder for identity_config (its ctx is p); none (NULL callback) for NULL p. */
ssc_key_holder identity_psam_key_holder(identity_psam *p);

/* Open the slot and the PSAM now (for kioskctl psam and the start-up log): KIOSK_OK with
 * the PSAM's serial number, KIOSK_READER (no such reader, pcscd not running),
 * KIOSK_NO_CARD (the slot is empty), KIOSK_CARD (not a PSAM). */
kiosk_rc identity_psam_probe(identity_psam *p, char serial[SSC_PSAM_SERIAL_HEX]);

/* Close the PSAM and its slot, free p. NULL is fine. */
void identity_psam_destroy(identity_psam *p);

#endif
