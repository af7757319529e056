/* libFuzzer target: the kiosk events of POST /v2/events — the hub's parser of a unit's
 * events body and the unit's parser of the hub's answer. Whatever parses must encode back
 * and parse again to the same events (or seqs). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sync_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sync_event *ev = NULL, *again = NULL;
    size_t n = 0, m = 0;
    kiosk_rc rc = sync_events_decode((const char *)data, size, &ev, &n);
    if (rc == KIOSK_OK) {
        char *out = NULL;
        size_t olen = 0;
        if (sync_events_encode(ev, n, &out, &olen) != KIOSK_OK ||
            sync_events_decode(out, olen, &again, &m) != KIOSK_OK || m != n ||
            (n && memcmp(ev, again, n * sizeof *ev)))
            abort();
        free(out);
        free(again);
        free(ev);
    } else if (ev || n) {
        abort();
    }
    int64_t *seqs = NULL, *seqs2 = NULL, now = 0, now2 = 0;
    rc = sync_event_acks_decode((const char *)data, size, &seqs, &n, &now);
    if (rc == KIOSK_OK) {
        char *out = NULL;
        size_t olen = 0;
        if (sync_event_acks_encode(seqs, n, now, &out, &olen) != KIOSK_OK ||
            sync_event_acks_decode(out, olen, &seqs2, &m, &now2) != KIOSK_OK || m != n ||
            now2 != now || (n && memcmp(seqs, seqs2, n * sizeof *seqs)))
            abort();
        free(out);
        free(seqs2);
        free(seqs);
    } else if (seqs || n || now) {
        abort();
    }
    return 0;
}
