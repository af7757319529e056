/* libFuzzer target: arbitrary bytes as one code table (assets/codes/<table>.tsv); the first
 * byte picks the table, the other tables hold one valid entry. Loading must refuse or
 * give tables whose every listed entry is found again by its code with both names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/codes.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t one[] = "1\t\xe7\x94\xb7\tmale\n"; /* 1 男 male */
    if (size == 0)
        return 0;
    static int written = -1; /* the table that holds the last input, -1: none yet */
    codes_table pick = (codes_table)(data[0] % CODES_TABLE_COUNT);
    for (int i = 0; i < CODES_TABLE_COUNT; i++) /* the others hold one entry */
        if (written < 0 || (i == written && i != (int)pick))
            fuzz_write(codes_file((codes_table)i), one, sizeof one - 1);
    fuzz_write(codes_file(pick), data + 1, size - 1);
    written = (int)pick;
    codes_tables *t = (codes_tables *)1;
    kiosk_rc rc = codes_load(fuzz_scratch(), &t);
    if (rc != KIOSK_OK) {
        if (t != NULL || (rc != KIOSK_CORRUPT && rc != KIOSK_NOMEM))
            abort();
        return 0;
    }
    const codes_entry *e;
    size_t n = codes_list(t, pick, &e);
    if (n == 0)
        abort(); /* a table without entries is refused */
    for (size_t i = 0; i < n; i++) {
        size_t cl = strlen(e[i].code);
        if (cl == 0 || cl > CODES_CODE_MAX || codes_check(t, pick, e[i].code) != KIOSK_OK ||
            codes_name(t, pick, e[i].code, CODES_ZH) != e[i].name[CODES_ZH] ||
            codes_name(t, pick, e[i].code, CODES_EN) != e[i].name[CODES_EN])
            abort();
    }
    if (codes_check(t, pick, "") == KIOSK_OK || codes_check(t, pick, "123456789") == KIOSK_OK)
        abort();
    codes_destroy(t);
    return 0;
}
