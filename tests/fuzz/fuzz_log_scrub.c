/* libFuzzer target: arbitrary bytes as a log line through the scrubber (log lines carry
 * what cards, forms and hubs sent). The line never grows, valid UTF-8 stays valid, and
 * no run of 13 or more digits survives (the longest kept run is a UUID's last group). */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    size_t before = strlen(line);
    int was_utf8 = kiosk_utf8_valid(line);
    kiosk_log_scrub(line);
    size_t after = strlen(line), run = 0;
    if (after > before || (was_utf8 && !kiosk_utf8_valid(line)))
        abort();
    for (size_t i = 0; i < after; i++) {
        run = isdigit((unsigned char)line[i]) ? run + 1 : 0;
        if (run >= 13)
            abort();
    }
    free(line);
    return 0;
}
