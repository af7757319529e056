/*
 * `kioskctl provision`: the device key shown, the upstream key (sealing) and the hub key
 * (the only signature that acknowledges records) given.
 */
#include "kioskctl.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config/kiosk_config.h"
#include "store/store.h"
#include "proto/receipt_payload.h"

int cmd_provision(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"upstream-key", required_argument, NULL, 'u'},
                                         {"hub-key", required_argument, NULL, 'h'},
                                         {"replace", no_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *config_path = NULL, *upstream = NULL, *hub = NULL;
    int c, replace = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:u:", opts, NULL)) != -1) {
        if (c == 'c')
            config_path = optarg;
        else if (c == 'u')
            upstream = optarg;
        else if (c == 'h')
            hub = optarg;
        else if (c == 'r')
            replace = 1;
        else
            return EXIT_USAGE;
    }
    uint8_t up[32], hk[32];
    size_t got = 0, hgot = 0;
    if (optind != argc ||
        (upstream &&
         (strlen(upstream) != 64 ||
          sodium_hex2bin(up, sizeof up, upstream, 64, NULL, &got, NULL) != 0 || got != 32)) ||
        (hub && (strlen(hub) != 64 ||
                 sodium_hex2bin(hk, sizeof hk, hub, 64, NULL, &hgot, NULL) != 0 || hgot != 32))) {
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
    uint8_t hub_had[32];
    char hubhex[17];
    int has_hub = store_hub_key(st, hub_had) == KIOSK_OK;
    sodium_bin2hex(hubhex, sizeof hubhex, hub_had, 8);
    if (hub && has_hub && sodium_memcmp(hub_had, hk, 32) != 0 && !replace) {
        /* a new hub key is what a fake hub would need: never a slip either */
        fprintf(stderr,
                "kioskctl: already provisioned with hub key %s…; add --replace to change it\n",
                hubhex);
        close_state(st, &key);
        return EXIT_USAGE;
    }
    if (upstream && store_set_upstream_key(st, up) != KIOSK_OK) {
        fprintf(stderr, "kioskctl: cannot store the upstream key\n");
        code = EXIT_STATE;
    }
    if (hub && store_set_hub_key(st, hk) != KIOSK_OK) {
        fprintf(stderr, "kioskctl: cannot store the hub key\n");
        code = EXIT_STATE;
    }
    has_hub = store_hub_key(st, hub_had) == KIOSK_OK;
    sodium_bin2hex(hubhex, sizeof hubhex, hub_had, 8);
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
    if (has_hub)
        printf("hub key:           provisioned (%s…)\n", hubhex);
    else
        printf("hub key:           not provisioned (no acknowledgement is trusted)\n");
    close_state(st, &key);
    return code;
}
