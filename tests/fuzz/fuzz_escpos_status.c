/* libFuzzer target: status reply bytes from a printer (untrusted: a serial line can
 * deliver anything) folded through the parser for every query kind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "printer/escpos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    escpos_status st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < size; i++) {
        kiosk_rc rc = escpos_status_parse((escpos_status_query)(1 + i % 4), data[i], &st);
        if (rc != KIOSK_OK && rc != KIOSK_CORRUPT)
            abort();
    }
    kiosk_rc rc = escpos_status_rc(&st);
    if (rc != KIOSK_OK && rc != KIOSK_PAPER_OUT && rc != KIOSK_PRINTER)
        abort();
    return 0;
}
