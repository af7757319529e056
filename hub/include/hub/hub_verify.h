/*
 * The receipt check a citizen's phone opens: the receipt's QR code holds the hub's page
 * ([receipt] verify_url on the unit) followed by the signed payload (proto/receipt_payload.h).
 * The hub finds the issuing unit among its registered devices by the payload's device id
 * and checks the signature with that unit's key — the same check kioskctl verify makes
 * offline — so a receipt from a unit that has never synced checks out as soon as the unit
 * is registered. The page says valid or altered, the unit's name (its hall), the date and
 * the receipt number; nothing personal is in the payload, so nothing personal can be on
 * the page.
 */
#ifndef KIOSK_HUB_VERIFY_H
#define KIOSK_HUB_VERIFY_H

#include <stddef.h>

#include "core/kiosk_error.h"
#include "hub/hub_db.h"
#include "proto/receipt_payload.h"

/* Where the page is served: GET <HUB_VERIFY_PATH><payload> (also "/R/", as a QR code in
 * alphanumeric mode spells it). */
#define HUB_VERIFY_PATH "/r/"

typedef enum hub_receipt_verdict {
    HUB_RECEIPT_VALID = 0,          /* signed by a registered unit */
    HUB_RECEIPT_RETIRED = 1,        /* signed by a unit since removed from the hub */
    HUB_RECEIPT_ALTERED = 2,        /* a registered unit's id, but the signature fails */
    HUB_RECEIPT_UNKNOWN_DEVICE = 3, /* no registered unit has this id */
    HUB_RECEIPT_UNREADABLE = 4,     /* not a receipt code */
} hub_receipt_verdict;

typedef struct hub_receipt_check {
    hub_receipt_verdict verdict;
    receipt_claim claim;                 /* as parsed (VALID, RETIRED, ALTERED) */
    char unit_name[HUB_DEVICE_NAME_MAX]; /* the registered unit's name (VALID, RETIRED) */
    /* VALID, RETIRED: the record this receipt is for, found by (unit, receipt number) in
     * the records' metadata; state.s.state SYNC_STATE_UNKNOWN when the unit has not sent
     * it yet (or sent it without metadata): "本机尚未上传，状态未知" */
    hub_record_state state;
} hub_receipt_check;

/* Check text (a bare payload, or the path after HUB_VERIFY_PATH) against db's devices,
 * and for a genuine receipt the record's processing state (out->state). KIOSK_OK with
 * *out filled (every verdict is an answer), or a database error. */
kiosk_rc hub_verify_receipt(hub_db *db, const char *text, hub_receipt_check *out);

/* The page for a check: a small self-contained HTML document (Chinese, then English;
 * readable on a phone), *html owned (free()), *len its length. KIOSK_NOMEM. */
kiosk_rc hub_verify_page(const hub_receipt_check *chk, char **html, size_t *len);

#endif
