/* libFuzzer target: the JSON syntax check against jansson. Whatever the check accepts,
 * jansson must parse as an object (the hub parses what the kiosk embedded), and the other
 * way round, except for duplicate keys, which the check does not look for. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/kiosk_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int ours = kiosk_json_object_valid((const char *)data, size);
    json_error_t err;
    json_t *j = json_loadb((const char *)data, size, 0, &err);
    int theirs = j && json_is_object(j);
    json_decref(j);
    if (ours != theirs) {
        /* jansson accepts duplicate keys (flag 0) and so does the check; any other
         * disagreement is a bug in the check */
        abort();
    }
    return 0;
}
