/* libFuzzer target: the unit's health report (POST /v3/health, "-health.kb" bundles) — the
 * hub's parser of a report — and the parser of the updater's update-status.json. A report
 * that parses must re-encode to exactly its bytes (one encoding per content) and parse
 * again to the same report; a status file that parses must hold a valid update. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/health_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    health_report r, again;
    kiosk_rc rc = health_report_decode((const char *)data, size, &r);
    if (rc == KIOSK_OK) {
        char *out = NULL;
        size_t olen = 0;
        if (!health_report_valid(&r) || health_report_encode(&r, &out, &olen) != KIOSK_OK ||
            olen != size || memcmp(out, data, size) != 0 ||
            health_report_decode(out, olen, &again) != KIOSK_OK ||
            memcmp(&r, &again, sizeof r) != 0)
            abort();
        free(out);
    } else if (rc != KIOSK_INVALID && rc != KIOSK_RANGE) {
        abort();
    }
    health_update u;
    rc = health_update_parse((const char *)data, size, &u);
    if (rc == KIOSK_OK) {
        health_report h = {.seq = 1, .version = "1", .battery_pct = -1, .has_update = 1};
        h.update = u;
        if (!health_report_valid(&h))
            abort();
    } else if (rc != KIOSK_INVALID) {
        abort();
    }
    return 0;
}
