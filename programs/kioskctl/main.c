/*
 * The command line: which subcommand runs, the --config placed before it, the usage
 * text.
 */
#include "kioskctl.h"

#include <stdio.h>
#include <string.h>

#include "config/kiosk_config.h"
#include "core/kiosk_log.h"

void usage(FILE *f)
{
    fprintf(f,
            "usage: kioskctl verify --key FILE (PAYLOAD | IMAGE.png)\n"
            "         --key FILE   the device's Ed25519 public key: 32 raw bytes or 64 hex\n"
            "         exit: 0 valid, 1 altered, 2 unknown device, 3 unreadable\n"
            "       kioskctl card [--reader CONNSTRING | --config FILE] [--wait SECONDS] "
            "[--pin-stdin]\n"
            "                     [--json]\n"
            "         --reader     a libnfc connection string (default: the first reader),\n"
            "                      or pcsc:NAME for a PC/SC reader (the start of its name),\n"
            "                      or sim:PROFILE for a simulated card\n"
            "         --pin-stdin  read the card PIN from standard input and show the holder\n"
            "         exit: 0 read, 10 no card, 11 wrong PIN, 12 PIN blocked,\n"
            "               13 unreadable card, 14 reader fault\n"
            "       kioskctl psam [--reader NAME | --config FILE]\n"
            "                     the PSAM in its PC/SC SAM slot: present, its serial number\n"
            "         exit: 0 present, 10 slot empty, 13 not a PSAM, 14 reader fault,\n"
            "               23 no PSAM configured\n"
            "       kioskctl provision [--config FILE] [--upstream-key HEX] [--hub-key HEX]"
            " [--replace]\n"
            "                     the device key; a different upstream key needs --replace\n"
            "       kioskctl reprint [--config FILE] RECEIPT_NO\n"
            "       kioskctl status [--config FILE] [--clear-alarm]\n"
            "                     records by state, last sync, disk, reader, store epoch and\n"
            "                     alarm, the records the hub refused; --clear-alarm: staff saw it\n"
            "       kioskctl sync [--config FILE]     send pending records to the hub now\n"
            "         exit: 0 all sent, 30 hub unreachable or failing, 31 hub refused,\n"
            "               32 the hub refused records (kept; kioskctl status lists them),\n"
            "               33 the hub holds later numbers or audit entries (alarm raised)\n"
            "       kioskctl export [--config FILE] [--refused] (DIR | FILE.kb)\n"
            "                     signed bundles of pending records for the hub, as many\n"
            "                     as the hub's import limit needs (NAME-001of003.kb …);\n"
            "                     --refused: the records the hub refused, for its\n"
            "                     reconciliation (they stay rejected here)\n"
            "         exit: 0 written, 23 nothing pending, 22 not written (nothing left)\n"
            "       kioskctl import-acks [--config FILE] FILE.acks\n"
            "                     the hub's signed list of what it holds: marks those\n"
            "                     records acknowledged (purge may then delete them)\n"
            "         exit: 0 applied, 24 refused (another key, altered, another unit),\n"
            "               3 unreadable\n"
            "       kioskctl purge --days N --yes [--config FILE]\n"
            "                     delete records acknowledged more than N days ago\n"
            "       kioskctl staff add NAME [--role hall|technician] [--card UID] < PIN\n"
            "       kioskctl staff remove NAME | staff list\n"
            "         exit: 24 refused (name, card or PIN taken; bad input; no such name)\n"
            "       kioskctl audit verify    exit 1 when an entry was altered or removed, or the\n"
            "                     log lacks the head the hub was last given (rolled back)\n"
            "       kioskctl audit show [-n LINES]\n"
            "       kioskctl print-test      a test page on the configured printer\n"
            "       kioskctl update status | check | install BUNDLE.raucb   [--config FILE]\n"
            "                     the running version and the last update's result; ask\n"
            "                     the hub and download a newer bundle; check a bundle's\n"
            "                     signature and version and install it (then reboot)\n"
            "         exit: 0 done, 23 nothing newer, 24 refused (signature, older,\n"
            "               space), 30 hub unreachable, 31 hub refused or unsigned\n"
            "       exit 22: the kiosk's state cannot be used; 64: usage error\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    kiosk_log_set_level(KIOSK_LOG_WARN); /* stdout is for the answer */
    /* --config FILE may come before the command as well as after it; without one, the
     * device's own configuration (kiosk_config_default_path) is used */
    char *args[argc + 3];
    int n = 0, has_config = 0;
    args[n++] = argv[0];
    int first = 1;
    const char *moved = NULL;
    if ((!strcmp(argv[1], "--config") || !strcmp(argv[1], "-c")) && argc >= 3) {
        moved = argv[2];
        first = 3;
    } else if (!strncmp(argv[1], "--config=", 9)) {
        moved = argv[1] + 9;
        first = 2;
    }
    if (first >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    args[n++] = argv[first];
    for (int i = first + 1; i < argc; i++) {
        has_config |= !strcmp(argv[i], "--config") || !strcmp(argv[i], "-c") ||
                      !strncmp(argv[i], "--config=", 9);
        args[n++] = argv[i];
    }
    const char *fallback = moved ? moved : has_config ? NULL : kiosk_config_default_path();
    if (fallback && strcmp(args[1], "verify") != 0) {
        args[n++] = "--config";
        args[n++] = (char *)fallback;
    }
    args[n] = NULL;
    argc = n;
    argv = args;
    if (!strcmp(argv[1], "verify"))
        return cmd_verify(argc - 1, argv + 1);
    if (!strcmp(argv[1], "card"))
        return cmd_card(argc - 1, argv + 1);
    if (!strcmp(argv[1], "psam"))
        return cmd_psam(argc - 1, argv + 1);
    if (!strcmp(argv[1], "provision"))
        return cmd_provision(argc - 1, argv + 1);
    if (!strcmp(argv[1], "reprint"))
        return cmd_reprint(argc - 1, argv + 1);
    if (!strcmp(argv[1], "status"))
        return cmd_status(argc - 1, argv + 1);
    if (!strcmp(argv[1], "sync"))
        return cmd_sync(argc - 1, argv + 1);
    if (!strcmp(argv[1], "export"))
        return cmd_export(argc - 1, argv + 1);
    if (!strcmp(argv[1], "import-acks"))
        return cmd_import_acks(argc - 1, argv + 1);
    if (!strcmp(argv[1], "update"))
        return cmd_update(argc - 1, argv + 1);
    if (!strcmp(argv[1], "purge"))
        return cmd_purge(argc - 1, argv + 1);
    if (!strcmp(argv[1], "staff"))
        return cmd_staff(argc - 1, argv + 1);
    if (!strcmp(argv[1], "audit"))
        return cmd_audit(argc - 1, argv + 1);
    if (!strcmp(argv[1], "print-test"))
        return cmd_print_test(argc - 1, argv + 1);
    fprintf(stderr, "kioskctl: unknown command %s\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
