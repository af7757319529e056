/* libFuzzer target: arbitrary bytes as a configuration file and as a string table must
 * give KIOSK_OK or an error with a line number, never a crash or a leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/kiosk_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    kiosk_config cfg;
    kiosk_config_error err;
    kiosk_config_defaults(&cfg, "/a", "/f");
    kiosk_rc rc = kiosk_config_load_string(&cfg, text, &err);
    if (rc == KIOSK_CONFIG && err.line <= 0)
        abort(); /* every parse error names its line */
    if (memchr(err.message, '\0', sizeof err.message) == NULL)
        abort();
    free(text);
    return 0;
}
