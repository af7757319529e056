/* libFuzzer target: arbitrary bytes as the division asset (assets/divisions). Loading
 * must refuse or give a tree in which every child names its parent's code as prefix, is
 * one level down, and has a path that fits DIVISIONS_PATH_MAX. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/divisions.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t visited;

static void walk(const divisions *d, const char *code, int level)
{
    const char *const *kids;
    size_t n = divisions_children(d, code, &kids);
    for (size_t i = 0; i < n && visited < 2000; i++, visited++) {
        const char *k = kids[i];
        char path[DIVISIONS_PATH_MAX];
        if (divisions_level_of(d, k) != level + 1 || strncmp(k, code, strlen(code)) != 0 ||
            !divisions_name(d, k) || divisions_path(d, k, path, sizeof path) != KIOSK_OK)
            abort();
        (void)divisions_is_grouping(d, k);
        if (level + 1 < DIVISIONS_STREET)
            walk(d, k, level + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("divisions.txt", data, size);
    divisions *d = (divisions *)1;
    kiosk_rc rc = divisions_load(path, &d);
    if (rc != KIOSK_OK) {
        if (d != NULL || (rc != KIOSK_CORRUPT && rc != KIOSK_NOMEM))
            abort();
        return 0;
    }
    if (divisions_count(d, DIVISIONS_PROVINCE) == 0)
        abort();
    visited = 0;
    walk(d, "", 0);
    char out[DIVISIONS_PATH_MAX];
    if (divisions_name(d, "x") || divisions_path(d, "999999999", out, sizeof out) == KIOSK_OK)
        abort();
    divisions_destroy(d);
    return 0;
}
