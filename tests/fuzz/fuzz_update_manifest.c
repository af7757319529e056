/* libFuzzer target: the hub's update manifest as the unit parses it (after its signature
 * checked: still outside bytes). What parses must be well formed — a version, a bundle
 * name the unit may ask for — and survive a round trip; the version order must hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/update_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    update_manifest m, again;
    kiosk_rc rc = update_manifest_decode((const char *)data, size, &m);
    if (rc == KIOSK_OK) {
        if (m.version[0] && (!update_version_ok(m.version) || !update_name_ok(m.name) || !m.size))
            abort();
        char *out = NULL;
        size_t len = 0;
        if (update_manifest_encode(&m, &out, &len) != KIOSK_OK ||
            update_manifest_decode(out, len, &again) != KIOSK_OK ||
            memcmp(&m, &again, sizeof m) != 0)
            abort();
        free(out);
    } else {
        update_manifest zero;
        memset(&zero, 0, sizeof zero);
        if (memcmp(&m, &zero, sizeof m) != 0)
            abort();
    }
    /* the first half against the second as versions: antisymmetric, reflexive */
    char a[64], b[64];
    size_t h = size / 2 < 63 ? size / 2 : 63, k = size - size / 2 < 63 ? size - size / 2 : 63;
    memcpy(a, data, h);
    a[h] = '\0';
    memcpy(b, data + size / 2, k);
    b[k] = '\0';
    if (update_version_ok(a) && update_version_ok(b)) {
        int ab = update_version_cmp(a, b), ba = update_version_cmp(b, a);
        if ((ab > 0) != (ba < 0) || (ab == 0) != (ba == 0) || update_version_cmp(a, a) != 0)
            abort();
    }
    return 0;
}
