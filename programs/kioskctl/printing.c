/*
 * `kioskctl reprint` and `print-test`: a stored record's receipt printed again (a copy),
 * a test page.
 */
#include "kioskctl.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config/kiosk_config.h"
#include "config/kiosk_strings.h"
#include "receipt/receipt_job.h"
#include "store/store.h"

/* The receipt's fonts and texts (the configured language). Said on stderr when missing. */
kiosk_rc load_receipt_assets(const kiosk_config *cfg, receipt_fonts **fonts,
                             kiosk_strings **strings)
{
    kiosk_config_fonts font_paths;
    kiosk_config_font_paths(cfg, &font_paths);
    char strings_dir[KIOSK_CONFIG_PATH_MAX + 16];
    snprintf(strings_dir, sizeof strings_dir, "%s/strings", cfg->assets_dir);
    kiosk_rc rc = receipt_fonts_load(font_paths.list, font_paths.n, fonts);
    if (rc == KIOSK_OK)
        rc = kiosk_strings_load(strings_dir, cfg->language, strings, NULL);
    if (rc != KIOSK_OK)
        fprintf(stderr, "kioskctl: fonts or strings are missing\n");
    return rc;
}

int cmd_reprint(int argc, char **argv)
{
    const char *config_path = NULL;
    if (!config_only(argc, argv, &config_path) || optind != argc - 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *receipt_no = argv[optind];
    kiosk_config cfg;
    store_device_key key;
    store *st = NULL;
    receipt_fonts *fonts = NULL;
    kiosk_strings *strings = NULL;
    printer *p = NULL;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    code = EXIT_STATE;
    if (load_receipt_assets(&cfg, &fonts, &strings) != KIOSK_OK)
        goto out;
    kiosk_rc prc = receipt_printer_open(&cfg, &p);
    if (prc != KIOSK_OK) {
        printf("printer problem: cannot open the printer: %s\n", kiosk_strerror(prc));
        code = EXIT_PRINTER;
        goto out;
    }
    receipt_job job = {st, &key, fonts, strings, &cfg, p};
    kiosk_rc rc = receipt_job_print(&job, receipt_no, 1, NULL);
    if (rc == KIOSK_OK) {
        if (cfg.printer_backend == KIOSK_PRINTER_FILE)
            printf("printed: a copy of %s, image %s/%s-copy.png\n", receipt_no,
                   cfg.printer_output_dir, receipt_no);
        else
            printf("printed: a copy of %s\n", receipt_no);
        code = EXIT_VALID;
    } else if (rc == KIOSK_NOT_FOUND) {
        printf("no such receipt: %s\n", receipt_no);
        code = EXIT_NO_RECEIPT;
    } else {
        printf("printer problem: %s\n", kiosk_strerror(rc));
        code = EXIT_PRINTER;
    }
out:
    printer_close(p);
    kiosk_strings_destroy(strings);
    receipt_fonts_destroy(fonts);
    close_state(st, &key);
    return code;
}

int cmd_print_test(int argc, char **argv)
{
    const char *config_path = NULL;
    if (!config_only(argc, argv, &config_path) || optind != argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_DEFAULT_ASSETS, KIOSK_DEFAULT_FONTS);
    kiosk_config_error err;
    if (config_path && kiosk_config_load(&cfg, config_path, &err) != KIOSK_OK) {
        fprintf(stderr, "kioskctl: %s:%d: %s\n", config_path, err.line, err.message);
        return EXIT_STATE;
    }
    printer *p = NULL;
    kiosk_rc prc = receipt_printer_open(&cfg, &p);
    if (prc != KIOSK_OK) {
        printf("printer problem: cannot open the printer: %s\n", kiosk_strerror(prc));
        return EXIT_PRINTER;
    }
    if (cfg.printer_backend == KIOSK_PRINTER_FILE) {
        printf("the file printer writes images to %s: nothing to test\n", cfg.printer_output_dir);
        printer_close(p);
        return EXIT_VALID;
    }
    receipt_fonts *fonts = NULL;
    kiosk_strings *strings = NULL;
    kiosk_rc rc = load_receipt_assets(&cfg, &fonts, &strings);
    if (rc == KIOSK_OK)
        rc = receipt_print_test_page(fonts, strings, &cfg, p);
    kiosk_strings_destroy(strings);
    receipt_fonts_destroy(fonts);
    printer_close(p);
    if (rc != KIOSK_OK) {
        printf("printer problem: %s\n", kiosk_strerror(rc));
        return EXIT_PRINTER;
    }
    printf("test page printed\n");
    return EXIT_VALID;
}
