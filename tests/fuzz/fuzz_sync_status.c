/* libFuzzer target: POST /v3/status — the hub's parser of a unit's status request and the
 * unit's parser of the hub's answer (sync_status.h). Whatever parses must encode back and
 * parse again to the same uuids (or states), byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sync_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char uuids[SYNC_STATUS_MAX][SYNC_UUID_LEN + 1], again[SYNC_STATUS_MAX][SYNC_UUID_LEN + 1];
    size_t n = 0, m = 0;
    kiosk_rc rc = sync_status_request_decode((const char *)data, size, uuids, &n);
    if (rc == KIOSK_OK) {
        char *out = NULL, *out2 = NULL;
        size_t olen = 0, olen2 = 0;
        if (n == 0 ||
            sync_status_request_encode((const char(*)[SYNC_UUID_LEN + 1]) uuids, n, &out, &olen) !=
                KIOSK_OK ||
            sync_status_request_decode(out, olen, again, &m) != KIOSK_OK || m != n ||
            memcmp(uuids, again, n * sizeof uuids[0]) ||
            sync_status_request_encode((const char(*)[SYNC_UUID_LEN + 1]) again, m, &out2,
                                       &olen2) != KIOSK_OK ||
            olen2 != olen || memcmp(out, out2, olen))
            abort();
        free(out);
        free(out2);
    } else if (n) {
        abort();
    }
    sync_record_state st[SYNC_STATUS_MAX], st2[SYNC_STATUS_MAX];
    memset(st, 0, sizeof st);
    memset(st2, 0, sizeof st2);
    int64_t now = 0, now2 = 0;
    rc = sync_status_reply_decode((const char *)data, size, st, &n, &now);
    if (rc == KIOSK_OK) {
        char *out = NULL, *out2 = NULL;
        size_t olen = 0, olen2 = 0;
        if (sync_status_reply_encode(st, n, now, &out, &olen) != KIOSK_OK ||
            sync_status_reply_decode(out, olen, st2, &m, &now2) != KIOSK_OK || m != n ||
            now2 != now || (n && memcmp(st, st2, n * sizeof st[0])) ||
            sync_status_reply_encode(st2, m, now2, &out2, &olen2) != KIOSK_OK || olen2 != olen ||
            memcmp(out, out2, olen))
            abort();
        free(out);
        free(out2);
    } else if (n || now) {
        abort();
    }
    return 0;
}
