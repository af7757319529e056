/* Helpers the fuzz targets share: a private scratch directory for the loaders that read
 * files (removed at exit), and a log sink that drops every line, so a parser's error
 * messages still pass through the scrubber but do not flood the fuzzer's output. */
#ifndef KIOSK_FUZZ_UTIL_H
#define KIOSK_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/kiosk_log.h"

static char fuzz_dir[64];
static char fuzz_files[16][128];
static size_t fuzz_nfiles;

__attribute__((unused)) static void fuzz_cleanup(void)
{
    for (size_t i = 0; i < fuzz_nfiles; i++)
        unlink(fuzz_files[i]);
    if (fuzz_dir[0])
        rmdir(fuzz_dir);
}

static void fuzz_drop_log(void *ctx, kiosk_log_level level, const char *module, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)module;
    (void)msg;
}

/* The scratch directory, made on the first call; logging is silenced then too. */
__attribute__((unused)) static const char *fuzz_scratch(void)
{
    if (!fuzz_dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/kiosk-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(fuzz_dir))
            abort();
        atexit(fuzz_cleanup);
        kiosk_log_set_sink(fuzz_drop_log, NULL);
    }
    return fuzz_dir;
}

/* Write data to <scratch>/<name> (replacing it); returns the path (static storage). */
__attribute__((unused)) static const char *fuzz_write(const char *name, const uint8_t *data,
                                                      size_t size)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", fuzz_scratch(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    size_t i = 0;
    while (i < fuzz_nfiles && strcmp(fuzz_files[i], path) != 0)
        i++;
    if (i == fuzz_nfiles && fuzz_nfiles < sizeof fuzz_files / sizeof fuzz_files[0])
        snprintf(fuzz_files[fuzz_nfiles++], sizeof fuzz_files[0], "%s", path);
    return path;
}

#endif
