/* libFuzzer target: what the sync client parses from the hub — a results reply and an
 * error reply. Whatever parses must encode back and parse again to the same results. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sync_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sync_result *res = NULL, *again = NULL;
    size_t n = 0, m = 0;
    int64_t now = 0, now2 = 0;
    kiosk_rc rc = sync_results_decode((const char *)data, size, &res, &n, &now);
    if (rc == KIOSK_OK) {
        char *out = NULL;
        size_t olen = 0;
        if (sync_results_encode(res, n, now, &out, &olen) != KIOSK_OK ||
            sync_results_decode(out, olen, &again, &m, &now2) != KIOSK_OK || m != n ||
            now2 != now || (n && memcmp(res, again, n * sizeof *res)))
            abort();
        free(out);
        free(again);
        free(res);
    } else if (res || n || now) {
        abort();
    }
    char code[32];
    rc = sync_error_decode((const char *)data, size, code, sizeof code, &now);
    if (rc != KIOSK_OK && (code[0] || now))
        abort();
    return 0;
}
