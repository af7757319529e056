/*
 * kioskctl psam: is the PSAM in its slot, and which one (its serial number; never a key).
 */
#include "kioskctl.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config/kiosk_config.h"
#include "identity/identity_psam.h"

int cmd_psam(int argc, char **argv)
{
    static const struct option opts[] = {{"reader", required_argument, NULL, 'r'},
                                         {"config", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *slot = NULL, *config_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:c:", opts, NULL)) != -1) {
        if (c == 'r')
            slot = optarg;
        else if (c == 'c')
            config_path = optarg;
        else
            return EXIT_USAGE;
    }
    if (optind != argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_DEFAULT_ASSETS, KIOSK_DEFAULT_FONTS);
    kiosk_config_error err;
    if (config_path && kiosk_config_load(&cfg, config_path, &err) != KIOSK_OK) {
        fprintf(stderr, "kioskctl: %s:%d: %s\n", config_path, err.line, err.message);
        return EXIT_USAGE;
    }
    if (slot)
        snprintf(cfg.psam_reader, sizeof cfg.psam_reader, "%s", slot);
    if (!cfg.psam_reader[0]) {
        printf("no PSAM configured ([reader] psam): 3rd-generation cards need the ID number "
               "keyed\n");
        return EXIT_NOTHING;
    }
    identity_psam *p;
    if (identity_psam_create(&cfg, &p) != KIOSK_OK)
        return EXIT_STATE;
    char serial[SSC_PSAM_SERIAL_HEX];
    kiosk_rc rc = identity_psam_probe(p, serial);
    identity_psam_destroy(p);
    switch (rc) {
    case KIOSK_OK:
        printf("PSAM present in %s: serial %s, key %d\n", cfg.psam_reader, serial, cfg.psam_key);
        return EXIT_VALID;
    case KIOSK_NO_CARD:
        printf("no PSAM in %s: the slot is empty\n", cfg.psam_reader);
        return EXIT_NO_CARD;
    case KIOSK_CARD:
        printf("the card in %s is not a PSAM of the social security system\n", cfg.psam_reader);
        return EXIT_CARD_UNREADABLE;
    default:
        printf("PSAM slot %s: card reader fault (pcscd running? reader plugged in?)\n",
               cfg.psam_reader);
        return EXIT_READER_FAULT;
    }
}
