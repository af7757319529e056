/*
 * `kioskctl provision`: the device key shown, the upstream key given.
 */
#include "kioskctl.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config/kiosk_config.h"
#include "store/store.h"
#include "receipt/receipt_payload.h"

int cmd_provision(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"upstream-key", required_argument, NULL, 'u'},
                                         {"replace", no_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *config_path = NULL, *upstream = NULL;
    int c, replace = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:u:", opts, NULL)) != -1) {
        if (c == 'c')
            config_path = optarg;
        else if (c == 'u')
            upstream = optarg;
        else if (c == 'r')
            replace = 1;
        else
            return EXIT_USAGE;
    }
    uint8_t up[32];
    size_t got = 0;
    if (optind != argc ||
        (upstream &&
         (strlen(upstream) != 64 ||
          sodium_hex2bin(up, sizeof up, upstream, 64, NULL, &got, NULL) != 0 || got != 32))) {
        usage(stderr);
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    uint8_t had[32];
    char hadhex[17];
    int has = store_upstream_key(st, had) == KIOSK_OK;
    sodium_bin2hex(hadhex, sizeof hadhex, had, 8);
    if (upstream && has && sodium_memcmp(had, up, 32) != 0 && !replace) {
        /* a unit's records are sealed to this key: changing it is never a slip */
        fprintf(stderr,
                "kioskctl: already provisioned with upstream key %s…; add --replace to change it"
                " (records saved so far stay sealed to the old key)\n",
                hadhex);
        close_state(st, &key);
        return EXIT_USAGE;
    }
    if (upstream && store_set_upstream_key(st, up) != KIOSK_OK) {
        fprintf(stderr, "kioskctl: cannot store the upstream key\n");
        code = EXIT_STATE;
    }
    has = store_upstream_key(st, had) == KIOSK_OK;
    sodium_bin2hex(hadhex, sizeof hadhex, had, 8);
    char hex[65], id[RECEIPT_DEVICE_ID_LEN + 1];
    sodium_bin2hex(hex, sizeof hex, key.public_key, 32);
    receipt_device_id(key.public_key, id);
    uint8_t fp[32];
    char fphex[17];
    crypto_hash_sha256(fp, key.public_key, 32);
    sodium_bin2hex(fphex, sizeof fphex, fp, 8);
    printf("device id:         %s\ndevice public key: %s\nkey fingerprint:   %s\n"
           "hall code:         %s\n",
           id, hex, fphex, cfg.hall_code);
    if (has)
        printf("upstream key:      provisioned (%s…)\n", hadhex);
    else
        printf("upstream key:      not provisioned\n");
    close_state(st, &key);
    return code;
}
