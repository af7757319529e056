/* libFuzzer target: the JSON syntax check against jansson. Whatever the check accepts,
 * jansson must parse as an object (the hub parses what the kiosk embedded), and the other
 * way round, except for two known differences where the check is the stricter: duplicate
 * keys (neither looks for them) and a NUL byte, which jansson 2.14 lets through right
 * after a number ({"a":5<NUL>}) and the check refuses. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int ours = kiosk_json_object_valid((const char *)data, size);
    json_error_t err;
    json_t *j = json_loadb((const char *)data, size, 0, &err);
    int theirs = j && json_is_object(j);
    json_decref(j);
    if (ours && !theirs)
        abort(); /* the check let through what the hub cannot parse */
    if (theirs && !ours && !memchr(data, '\0', size))
        abort(); /* the check refuses a real object */
    return 0;
}
