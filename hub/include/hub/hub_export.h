/*
 * Export for the provincial system: the holder of the upstream secret key opens every
 * stored record, checks it is what the device signed, and writes one CSV row per
 * registration (UTF-8 with BOM, CRLF, RFC 4180, spreadsheet-injection safe) with code
 * names and division paths beside the codes. Plaintext goes to the output stream only;
 * decrypted buffers are wiped. A record that does not open or verify is counted, logged
 * by UUID, and never exported.
 */
#ifndef KIOSK_HUB_EXPORT_H
#define KIOSK_HUB_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/kiosk_error.h"
#include "domain/codes.h"
#include "domain/divisions.h"
#include "hub/hub_db.h"

typedef struct hub_export_stats {
    size_t exported;         /* rows written */
    size_t failed;           /* records not exported, the sum of the four below */
    size_t failed_open;      /* the sealed box does not open with this key */
    size_t failed_signature; /* the envelope signature does not verify with the device key */
    size_t failed_identity;  /* envelope device, uuid or seq differ from the stored record */
    size_t failed_content;   /* not a schema-1 envelope with a canonical registration */
} hub_export_stats;

/* Write the CSV of every record in db (ordered by device, seq) to out (borrowed; not
 * closed). upstream_pk/upstream_sk: the X25519 key pair the devices seal to (borrowed).
 * codes and divs (borrowed) give the names; an unknown code gets an empty name. stats
 * (caller storage, may be NULL) is filled also on failure. Replaces jansson's allocator
 * with a wiping one (json_set_alloc_funcs), so call it while no other thread uses
 * jansson. KIOSK_OK (failed records are not an error: check stats->failed), KIOSK_IO
 * when out cannot be written, KIOSK_NOMEM, a database error. */
kiosk_rc hub_export_csv(hub_db *db, const uint8_t upstream_pk[32], const uint8_t upstream_sk[32],
                        const codes_tables *codes, const divisions *divs, FILE *out,
                        hub_export_stats *stats);

/* Which devices' records an export holds (the console's hall staff: their halls' units):
 * non-zero to keep the records of device (32 bytes, borrowed). */
typedef int (*hub_export_keep_fn)(void *ctx, const uint8_t device[32]);
/* hub_export_csv for the records of the devices keep (NULL: all) accepts; keep_ctx kept
 * for the call. */
kiosk_rc hub_export_csv_devices(hub_db *db, const uint8_t upstream_pk[32],
                                const uint8_t upstream_sk[32], const codes_tables *codes,
                                const divisions *divs, hub_export_keep_fn keep, void *keep_ctx,
                                FILE *out, hub_export_stats *stats);

/* Write one CSV cell (no separator) to out (borrowed): quoted when it holds a comma,
 * quote, CR or LF (quotes doubled), and prefixed with ' inside the cell when it starts
 * with = + - @ TAB or CR, so a spreadsheet never takes it for a formula. KIOSK_OK or
 * KIOSK_IO. */
kiosk_rc hub_export_cell(FILE *out, const char *value);

#endif
