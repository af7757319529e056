/* libFuzzer target: arbitrary bytes as a registration record's JSON (what the hub may
 * send back). Must never crash, leak or read past the buffer; what is accepted must be
 * canonical after one trip: to_json of the parsed record parses again to the same
 * record and the same bytes. Failures leave the record empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/registration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static registration a, b, empty;
    /* a copy the exact size of the input, so ASan sees any read past it */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);

    kiosk_rc rc = registration_from_json(buf, size, &a);
    free(buf);
    if (rc != KIOSK_OK) {
        registration_init(&empty);
        if ((rc != KIOSK_INVALID && rc != KIOSK_UNSUPPORTED && rc != KIOSK_NOMEM) ||
            memcmp(&a, &empty, sizeof a) != 0)
            abort();
        return 0;
    }

    char *j1 = NULL, *j2 = NULL;
    size_t l1 = 0, l2 = 0;
    if (registration_to_json(&a, &j1, &l1) != KIOSK_OK || strlen(j1) != l1)
        abort();
    if (registration_from_json(j1, l1, &b) != KIOSK_OK || memcmp(&a, &b, sizeof a) != 0)
        abort();
    if (registration_to_json(&b, &j2, &l2) != KIOSK_OK || l1 != l2 || memcmp(j1, j2, l1) != 0)
        abort();
    free(j1);
    free(j2);
    registration_wipe(&a);
    registration_wipe(&b);
    return 0;
}
