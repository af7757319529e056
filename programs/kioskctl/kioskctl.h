/*
 * `kioskctl`: the staff and field-team tool for a shell.
 * `verify` checks a receipt's QR payload offline — given as text, or as a photo or scan
 * of the receipt (PNG, decoded with zbar): 0 valid, 1 altered, 2 unknown device,
 * 3 not a receipt code / unreadable.
 * `card` reads whatever card is on the reader and, with a PIN from standard input, the
 * holder's identity: 0 read, 10 no card, 11 wrong PIN, 12 PIN blocked, 13 unreadable
 * card, 14 reader fault.
 * `provision`, `reprint`, `status`, `sync`, `export`, `import-acks` and `purge` work on the
 * kiosk's state (its configuration, device key and record store): 22 state unusable, 23
 * nothing to export, 30 hub unreachable or failing, 31 hub refused this unit, 20/21
 * reprint, 24 acknowledgements refused (another key, altered, another unit), 3 the
 * acknowledgement file unreadable.
 * 64 is a usage error for every command.
 */
#ifndef KIOSKCTL_H
#define KIOSKCTL_H

#include <stdint.h>
#include <stdio.h>

#include "config/kiosk_config.h"
#include "config/kiosk_strings.h"
#include "receipt/receipt.h"
#include "store/store.h"

enum {
    EXIT_VALID = 0,
    EXIT_ALTERED = 1,
    EXIT_UNKNOWN_DEVICE = 2,
    EXIT_UNREADABLE = 3,
    EXIT_NO_CARD = 10,
    EXIT_PIN_WRONG = 11,
    EXIT_PIN_BLOCKED = 12,
    EXIT_CARD_UNREADABLE = 13,
    EXIT_READER_FAULT = 14,
    EXIT_NO_RECEIPT = 20,
    EXIT_PRINTER = 21,
    EXIT_STATE = 22,
    EXIT_NOTHING = 23,
    EXIT_HUB_UNREACHABLE = 30,
    EXIT_HUB_REFUSED = 31,
    EXIT_RECORDS_REFUSED = 32, /* sync: the hub refused records (kept: status lists them) */
    EXIT_ALARM = 33, /* sync: the hub's mark shows this unit went back (store alarm raised) */
    EXIT_REFUSED = 24,
    EXIT_USAGE = 64
};

/* The usage text, to f. */
void usage(FILE *f);

/* The kiosk's state (state.c): configuration, device key and store, opened as the kiosk
 * does; an exit code (EXIT_VALID when open). close_state closes and wipes the key. */
int open_state(const char *config_path, kiosk_config *cfg, store_device_key *key, store **st);
void close_state(store *st, store_device_key *key);
/* Files made in the state directory as root go to the directory's owner. */
void give_back(const char *dir);
/* A subcommand whose only option is --config: 1 when the options parse, 0 when not
 * (optind then at the first operand). */
int config_only(int argc, char **argv, const char **config_path);
/* The same with one more option, --FLAG (no argument): *set 1 when given. */
int config_and_flag(int argc, char **argv, const char *flag, const char **config_path, int *set);

/* The receipt's fonts and its (Chinese) strings (printing.c). */
kiosk_rc load_receipt_assets(const kiosk_config *cfg, receipt_fonts **fonts,
                             kiosk_strings **strings);

/* The subcommands: argv[0] is the subcommand's name; each returns the exit code. */
int cmd_verify(int argc, char **argv);
int cmd_card(int argc, char **argv);
int cmd_psam(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import_acks(int argc, char **argv);
int cmd_purge(int argc, char **argv);
int cmd_provision(int argc, char **argv);
int cmd_reprint(int argc, char **argv);
int cmd_staff(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_print_test(int argc, char **argv);
int cmd_update(int argc, char **argv);

#endif
