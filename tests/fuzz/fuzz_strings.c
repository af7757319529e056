/* libFuzzer target: arbitrary bytes as a strings file (assets/strings/<lang>.ini, which
 * a hall may replace). Loading must refuse with a line or give a table whose every key
 * is found again and whose texts are NUL-terminated; never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/kiosk_strings.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write("fz.ini", data, size);
    kiosk_strings *s = (kiosk_strings *)1;
    int bad_line = -1;
    kiosk_rc rc = kiosk_strings_load(fuzz_scratch(), "fz", &s, &bad_line);
    if (rc != KIOSK_OK) {
        if (s != NULL || (rc == KIOSK_CORRUPT && bad_line <= 0))
            abort();
        return 0;
    }
    size_t n = kiosk_strings_count(s);
    const char *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *key = kiosk_strings_key_at(s, i);
        const char *text = key ? kiosk_strings_find(s, key) : NULL;
        if (!text || (prev && strcmp(prev, key) >= 0)) /* sorted, each key once */
            abort();
        (void)strlen(text);
        prev = key;
    }
    if (kiosk_strings_find(s, "no.such.key.anywhere") != NULL)
        abort();
    kiosk_strings_destroy(s);
    return 0;
}
