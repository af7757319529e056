/*
 * The receipt's QR payload: a compact, versioned, signed text that staff can check
 * offline with the device's public key. Every character is in the QR alphanumeric set
 * (0-9 A-Z space $ % * + - . / :) so the code stays small:
 *
 *   KR1/<device>/<receipt no>/<time>/<hash>/<signature>
 *
 * (after the hub's verification URL when one is configured: the phone's camera opens the
 * hub's public page, which checks it as kioskctl verify does offline).
 * device: base32 of the first 5 bytes of SHA-256(device public key) (8 chars);
 * receipt no: 1..32 of [0-9A-Z-]; time: local YYYYMMDDHHMMSS; hash: base32 of the
 * first 10 bytes of the record hash (16 chars); signature: Ed25519 by the device key
 * over every byte before it (including the last '/'), base32 without padding (103).
 * Base32 is RFC 4648's alphabet. Nothing personal is in the payload.
 */
#ifndef KIOSK_RECEIPT_PAYLOAD_H
#define KIOSK_RECEIPT_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/kiosk_error.h"

#define RECEIPT_PAYLOAD_MAX 256
#define RECEIPT_NO_MAX 32
#define RECEIPT_DEVICE_ID_LEN 8
#define RECEIPT_HASH_PREFIX 10

typedef struct receipt_claim {
    char device_id[RECEIPT_DEVICE_ID_LEN + 1];
    char receipt_no[RECEIPT_NO_MAX + 1];
    char time[15]; /* YYYYMMDDHHMMSS */
    uint8_t hash_prefix[RECEIPT_HASH_PREFIX];
} receipt_claim;

/* The device id for a 32-byte Ed25519 public key (9 bytes with the terminator). */
void receipt_device_id(const uint8_t public_key[32], char out[RECEIPT_DEVICE_ID_LEN + 1]);

/* The name a USB export's bundles start with: "<hall>-<device id>-<YYYYMMDD-HHMMSS>" in
 * local time (the menu and kioskctl name them alike; sync_export_bundles adds the rest). */
void receipt_bundle_base(const char *hall_code, const uint8_t public_key[32], time_t when,
                         char *out, size_t size);

/* Build and sign a payload. record_hash is the record's 32-byte hash; secret_key is
 * the 64-byte libsodium Ed25519 secret key (borrowed). out gets at most
 * RECEIPT_PAYLOAD_MAX bytes. KIOSK_INVALID for a receipt number or time that does not
 * fit the format. */
kiosk_rc receipt_payload_make(const char *receipt_no, const char *time,
                              const uint8_t record_hash[32], const uint8_t secret_key[64],
                              const uint8_t public_key[32], char out[RECEIPT_PAYLOAD_MAX]);

/* The payload a scanned text holds: the text itself when it starts with the payload, or
 * the payload ending a verification URL ("https://hub.example.gov.cn/r/KR1/…", the
 * receipt's QR when [receipt] verify_url is set); NULL when it holds neither. Whether the
 * payload is well formed is receipt_payload_parse's to say. */
const char *receipt_payload_in(const char *text);

/* Split a payload into its claim without checking the signature. KIOSK_INVALID for
 * anything not in the format (unknown version, bad field, trailing bytes). */
kiosk_rc receipt_payload_parse(const char *payload, receipt_claim *out);

/* Check a payload against a device public key: KIOSK_OK (valid), KIOSK_NOT_FOUND (the
 * device id is not this key's: unknown device), KIOSK_CRYPTO (altered), KIOSK_INVALID
 * (not a payload). On KIOSK_OK, *out (may be NULL) holds the claim. */
kiosk_rc receipt_payload_verify(const char *payload, const uint8_t public_key[32],
                                receipt_claim *out);

#endif
