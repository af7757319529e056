/*
 * `kioskctl`: the staff and field-team tool for a shell. This first part holds
 * `verify`, which checks a receipt's QR payload offline — given as text, or as a photo
 * or scan of the receipt (PNG, decoded with zbar). Exit codes are for scripts:
 *   0 valid, 1 altered, 2 unknown device, 3 not a receipt code / unreadable, 64 usage.
 */
#include <getopt.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "receipt/receipt_payload.h"

enum {
    EXIT_VALID = 0,
    EXIT_ALTERED = 1,
    EXIT_UNKNOWN_DEVICE = 2,
    EXIT_UNREADABLE = 3,
    EXIT_USAGE = 64
};

static void usage(FILE *f)
{
    fprintf(f, "usage: kioskctl verify --key FILE (PAYLOAD | IMAGE.png)\n"
               "  --key FILE   the device's Ed25519 public key: 32 raw bytes or 64 hex digits\n"
               "exit: 0 valid, 1 altered, 2 unknown device, 3 unreadable, 64 usage\n");
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A public key file: 32 raw bytes, or 64 hex digits with optional whitespace. */
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
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')
            continue;
        int hi = hexval(buf[i]), lo = i + 1 < n ? hexval(buf[i + 1]) : -1;
        if (hi < 0 || lo < 0 || k == 32)
            return 0;
        key[k++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    return k == 32;
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

static int cmd_verify(int argc, char **argv)
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
    receipt_claim claim;
    switch (receipt_payload_verify(payload, key, &claim)) {
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

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "verify"))
        return cmd_verify(argc - 1, argv + 1);
    fprintf(stderr, "kioskctl: unknown command %s\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
