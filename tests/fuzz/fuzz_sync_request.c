/* libFuzzer target: what the hub parses from the outside — a request body (version 2's
 * JSON, version 3's binary, with or without the records' metadata: KSR4) and a bundle file.
 * Whatever parses must encode back and parse again to the same records; a version 3 body encodes
 * back to exactly its bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sync_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_body(const char *body, size_t len)
{
    sync_record *recs = NULL, *again = NULL;
    size_t n = 0, m = 0;
    sync_head head, head2; /* the hub's parser takes the audit head too */
    kiosk_rc rc = sync_body_decode_head(body, len, &recs, &n, &head);
    if (rc != KIOSK_OK) {
        if (recs || n || (rc != KIOSK_INVALID && rc != KIOSK_RANGE && rc != KIOSK_NOMEM))
            abort();
        return;
    }
    char *out = NULL;
    size_t olen = 0;
    if (sync_body_encode_head(recs, n, &head, &out, &olen) != KIOSK_OK ||
        sync_body_decode_head(out, olen, &again, &m, &head2) != KIOSK_OK || m != n ||
        head2.present != head.present ||
        (head.present &&
         (head2.audit_id != head.audit_id || memcmp(head2.audit_hash, head.audit_hash, 32) ||
          head2.has_epoch != head.has_epoch ||
          (head.has_epoch && memcmp(head2.epoch, head.epoch, 16)))))
        abort();
    /* the sizes a bundle writer cuts a backlog by are exactly the encoder's (a bundle's
     * body has no audit head: sync_body_encode) */
    size_t want = SYNC_BODY_FRAME, plain_len = 0;
    char *plain = NULL;
    for (size_t i = 0; i < n; i++)
        want += sync_body_record_size_meta(recs[i].seq, recs[i].sealed_len, i == 0,
                                           recs[i].record_type, recs[i].receipt_no);
    if (sync_body_encode(recs, n, &plain, &plain_len) != KIOSK_OK || want != plain_len)
        abort();
    free(plain);
    for (size_t i = 0; i < n; i++)
        if (strcmp(recs[i].uuid, again[i].uuid) || recs[i].seq != again[i].seq ||
            recs[i].sealed_len != again[i].sealed_len ||
            memcmp(recs[i].sealed, again[i].sealed, recs[i].sealed_len) ||
            memcmp(recs[i].sig, again[i].sig, 64) ||
            strcmp(recs[i].record_type, again[i].record_type) ||
            strcmp(recs[i].receipt_no, again[i].receipt_no) || !sync_record_meta_ok(&recs[i]))
            abort();
    free(out);
    sync_records_free(recs, n);
    sync_records_free(again, m);
}

/* Version 3: one encoding per content, so a body that parses is the encoder's output
 * byte for byte; the same records also go through version 2's JSON and back. */
static void check_body_v3(const char *body, size_t len)
{
    sync_record *recs = NULL, *again = NULL;
    size_t n = 0, m = 0;
    sync_head head, head2;
    kiosk_rc rc = sync_body_decode_v3(body, len, &recs, &n, &head);
    if (rc != KIOSK_OK) {
        if (recs || n || (rc != KIOSK_INVALID && rc != KIOSK_RANGE && rc != KIOSK_NOMEM))
            abort();
        return;
    }
    char *out = NULL, *json = NULL;
    size_t olen = 0, jlen = 0;
    if (sync_body_encode_v3(recs, n, &head, &out, &olen) != KIOSK_OK || olen != len ||
        memcmp(out, body, len) != 0)
        abort();
    if (sync_body_encode_head(recs, n, &head, &json, &jlen) != KIOSK_OK ||
        sync_body_decode_head(json, jlen, &again, &m, &head2) != KIOSK_OK || m != n ||
        head2.present != head.present || head2.has_epoch != head.has_epoch)
        abort();
    for (size_t i = 0; i < n; i++)
        if (strcmp(recs[i].uuid, again[i].uuid) || recs[i].seq != again[i].seq ||
            recs[i].sealed_len != again[i].sealed_len ||
            memcmp(recs[i].sealed, again[i].sealed, recs[i].sealed_len) ||
            memcmp(recs[i].sig, again[i].sig, 64) ||
            strcmp(recs[i].record_type, again[i].record_type) ||
            strcmp(recs[i].receipt_no, again[i].receipt_no) || !sync_record_meta_ok(&recs[i]))
            abort();
    free(out);
    free(json);
    sync_records_free(recs, n);
    sync_records_free(again, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_body((const char *)data, size);
    check_body_v3((const char *)data, size);
    sync_bundle b;
    kiosk_rc rc = sync_bundle_parse((const char *)data, size, &b);
    if (rc == KIOSK_OK) {
        if (b.body < (const char *)data || b.body + b.body_len != (const char *)data + size)
            abort();
        check_body(b.body, b.body_len);
    } else if (rc != KIOSK_INVALID && rc != KIOSK_RANGE) {
        abort();
    }
    return 0;
}
