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
    sync_mark mark, mark2; /* the client's parser takes the hub's mark too */
    kiosk_rc rc = sync_results_decode_mark((const char *)data, size, &res, &n, &now, &mark);
    if (rc == KIOSK_OK) {
        char *out = NULL;
        size_t olen = 0;
        if (sync_results_encode_mark(res, n, now, &mark, &out, &olen) != KIOSK_OK ||
            sync_results_decode_mark(out, olen, &again, &m, &now2, &mark2) != KIOSK_OK || m != n ||
            now2 != now || (n && memcmp(res, again, n * sizeof *res)) ||
            memcmp(&mark, &mark2, sizeof mark))
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
