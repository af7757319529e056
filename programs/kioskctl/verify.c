/*
 * `kioskctl verify`: a receipt's QR payload checked offline, given as text or as a photo
 * or scan (PNG, zbar).
 */
#include "kioskctl.h"

#include <getopt.h>
#include <png.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "proto/receipt_payload.h"

/* A public key file: 32 raw bytes, or 64 hex digits (either case) with whitespace allowed
 * between the pairs, not inside one. */
static int read_key(const char *path, uint8_t key[32])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint8_t buf[256];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n == 32) {
        memcpy(key, buf, 32);
        return 1;
    }
    size_t got = 0;
    /* a NUL must be refused first: sodium_hex2bin's strchr(ignore, c) finds the
     * terminator, so it would skip a NUL as whitespace */
    return !memchr(buf, '\0', n) &&
           sodium_hex2bin(key, 32, (const char *)buf, n, " \n\r\t", &got, NULL) == 0 && got == 32;
}

/* Decode the first QR code in a PNG into out. */
static int scan_png(const char *path, char *out, size_t outsz)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return 0;
    img.format = PNG_FORMAT_GRAY;
    size_t size = PNG_IMAGE_SIZE(img);
    uint8_t *gray = malloc(size);
    if (!gray || !png_image_finish_read(&img, NULL, gray, 0, NULL)) {
        png_image_free(&img);
        free(gray);
        return 0;
    }
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_t *z = zbar_image_create();
    zbar_image_set_format(z, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(z, img.width, img.height);
    zbar_image_set_data(z, gray, size, NULL);
    int found = zbar_scan_image(sc, z) > 0;
    if (found)
        snprintf(out, outsz, "%s", zbar_symbol_get_data(zbar_image_first_symbol(z)));
    zbar_image_destroy(z);
    zbar_image_scanner_destroy(sc);
    free(gray);
    return found;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'}, {NULL, 0, NULL, 0}};
    const char *key_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
        if (c == 'k')
            key_path = optarg;
        else
            return EXIT_USAGE;
    }
    if (!key_path || optind != argc - 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    uint8_t key[32];
    if (!read_key(key_path, key)) {
        fprintf(stderr, "kioskctl: %s is not a device public key\n", key_path);
        return EXIT_USAGE;
    }
    const char *arg = argv[optind];
    char payload[1024];
    size_t len = strlen(arg);
    if (len > 4 && strcmp(arg + len - 4, ".png") == 0) {
        if (!scan_png(arg, payload, sizeof payload)) {
            printf("unreadable: no receipt code found in %s\n", arg);
            return EXIT_UNREADABLE;
        }
    } else {
        snprintf(payload, sizeof payload, "%s", arg);
    }
    receipt_claim claim; /* the bare payload, or the hub's check page's URL ending in it */
    const char *found = receipt_payload_in(payload);
    switch (found ? receipt_payload_verify(found, key, &claim) : KIOSK_INVALID) {
    case KIOSK_OK:
        printf("valid: receipt %s, issued %.4s-%.2s-%.2s %.2s:%.2s, device %s\n", claim.receipt_no,
               claim.time, claim.time + 4, claim.time + 6, claim.time + 8, claim.time + 10,
               claim.device_id);
        return EXIT_VALID;
    case KIOSK_CRYPTO:
        printf("altered: the signature does not match this receipt\n");
        return EXIT_ALTERED;
    case KIOSK_NOT_FOUND:
        printf("unknown device: this receipt was not issued by the device of this key\n");
        return EXIT_UNKNOWN_DEVICE;
    default:
        printf("unreadable: not a receipt code\n");
        return EXIT_UNREADABLE;
    }
}
