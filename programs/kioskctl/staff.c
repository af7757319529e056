/*
 * `kioskctl staff`: staff accounts added, listed and removed (PINs from standard input,
 * kept as argon2id hashes).
 */
#include "kioskctl.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config/kiosk_config.h"
#include "store/staff.h"
#include "store/store.h"

/* A staff PIN from standard input (a script pipes it; never on the command line). */
static int read_staff_pin(char *pin, size_t size)
{
    if (!fgets(pin, (int)size, stdin))
        return 0;
    pin[strcspn(pin, "\r\n")] = '\0';
    return pin[0] != '\0';
}

static int print_staff(void *ctx, const staff_account *a)
{
    (void)ctx;
    printf("%-16s %-10s %s\n", a->name, staff_role_name(a->role), a->has_card ? "card" : "");
    return 0;
}

int cmd_staff(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"card", required_argument, NULL, 'u'},
                                         {NULL, 0, NULL, 0}};
    const char *config_path = NULL, *role_name = "hall", *card = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:r:u:", opts, NULL)) != -1) {
        if (c == 'c')
            config_path = optarg;
        else if (c == 'r')
            role_name = optarg;
        else if (c == 'u')
            card = optarg;
        else
            return EXIT_USAGE;
    }
    const char *what = optind < argc ? argv[optind] : "";
    int nargs = argc - optind;
    staff_role role = !strcmp(role_name, "technician") ? STAFF_TECHNICIAN
                      : !strcmp(role_name, "hall")     ? STAFF_HALL
                                                       : 0;
    if (!role ||
        !((!strcmp(what, "add") && nargs == 2) || (!strcmp(what, "remove") && nargs == 2) ||
          (!strcmp(what, "list") && nargs == 1))) {
        usage(stderr);
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    kiosk_rc rc = KIOSK_OK;
    if (!strcmp(what, "list")) {
        rc = staff_list(st, print_staff, NULL);
    } else if (!strcmp(what, "remove")) {
        rc = staff_remove(st, argv[optind + 1], "kioskctl");
        if (rc == KIOSK_OK)
            printf("removed %s\n", argv[optind + 1]);
    } else {
        char pin[64] = "";
        if (!read_staff_pin(pin, sizeof pin)) {
            fprintf(stderr, "kioskctl: give the new PIN on standard input\n");
            close_state(st, &key);
            return EXIT_USAGE;
        }
        rc = staff_add(st, argv[optind + 1], role, pin, card, "kioskctl");
        sodium_memzero(pin, sizeof pin);
        if (rc == KIOSK_OK)
            printf("added %s (%s)\n", argv[optind + 1], staff_role_name(role));
        else if (rc == KIOSK_INVALID)
            fprintf(stderr,
                    "kioskctl: name: letters, digits, - and _; PIN: %d to %d digits, not "
                    "all the same; card: 8 to 20 hex digits\n",
                    STAFF_PIN_MIN, STAFF_PIN_MAX);
        else if (rc == KIOSK_BUSY)
            fprintf(stderr, "kioskctl: that name, card or PIN is taken\n");
    }
    if (rc == KIOSK_NOT_FOUND)
        fprintf(stderr, "kioskctl: no such staff account\n");
    close_state(st, &key);
    return rc == KIOSK_OK                                                     ? EXIT_VALID
           : rc == KIOSK_NOT_FOUND || rc == KIOSK_BUSY || rc == KIOSK_INVALID ? EXIT_REFUSED
                                                                              : EXIT_STATE;
}
