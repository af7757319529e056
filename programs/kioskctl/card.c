/*
 * `kioskctl card`: the card on a reader, and with its PIN from standard input the
 * holder's identity.
 */
#include "kioskctl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <time.h>

#include "config/kiosk_config.h"
#include "identity/identity.h"
#include "nfc/reader_nfc.h"
#include "pcsc/reader_pcsc.h"
#include "ssc/reader_sim.h"
#include "ssc/ssc.h"

/* Read a PIN line from standard input into pin (7 bytes); 0 on a malformed line. */
static int read_pin(char pin[7])
{
    char line[64];
    if (!fgets(line, sizeof line, stdin))
        return 0;
    line[strcspn(line, "\r\n")] = '\0';
    int ok = strlen(line) == 6 && strspn(line, "0123456789") == 6;
    if (ok)
        memcpy(pin, line, 7);
    explicit_bzero(line, sizeof line);
    return ok;
}

static int card_exit(kiosk_rc rc)
{
    switch (rc) {
    case KIOSK_NO_CARD:
    case KIOSK_CARD_REMOVED:
        return EXIT_NO_CARD;
    case KIOSK_PIN_WRONG:
        return EXIT_PIN_WRONG;
    case KIOSK_PIN_BLOCKED:
        return EXIT_PIN_BLOCKED;
    case KIOSK_READER:
    case KIOSK_TIMEOUT:
        return EXIT_READER_FAULT;
    default:
        return EXIT_CARD_UNREADABLE;
    }
}

static const char *card_message(kiosk_rc rc)
{
    switch (card_exit(rc)) {
    case EXIT_NO_CARD:
        return "no card on the reader";
    case EXIT_PIN_WRONG:
        return "wrong PIN";
    case EXIT_PIN_BLOCKED:
        return "PIN blocked: the holder must go to the counter";
    case EXIT_READER_FAULT:
        return "card reader fault";
    default:
        return "unreadable card (not a social security card, or damaged)";
    }
}

int cmd_card(int argc, char **argv)
{
    static const struct option opts[] = {
        {"reader", required_argument, NULL, 'r'}, {"config", required_argument, NULL, 'c'},
        {"wait", required_argument, NULL, 'w'},   {"pin-stdin", no_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},         {NULL, 0, NULL, 0}};
    const char *conn = NULL, *config_path = NULL;
    int wait_s = 5, pin_stdin = 0, json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:c:w:pj", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            conn = optarg;
            break;
        case 'c':
            config_path = optarg;
            break;
        case 'w':
            wait_s = atoi(optarg);
            break;
        case 'p':
            pin_stdin = 1;
            break;
        case 'j':
            json = 1;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind != argc || wait_s < 0 || wait_s > 600) {
        usage(stderr);
        return EXIT_USAGE;
    }
    char pin[7] = "";
    if (pin_stdin && !read_pin(pin)) {
        fprintf(stderr, "kioskctl: the PIN on standard input must be 6 digits\n");
        return EXIT_USAGE;
    }
    reader *r = NULL;
    kiosk_rc rc;
    if (config_path && !conn) {
        /* the reader the kiosk itself uses */
        kiosk_config cfg;
        kiosk_config_error err;
        kiosk_config_defaults(&cfg, KIOSK_DEFAULT_ASSETS, KIOSK_DEFAULT_FONTS);
        if (kiosk_config_load(&cfg, config_path, &err) != KIOSK_OK) {
            fprintf(stderr, "kioskctl: %s:%d: %s\n", config_path, err.line, err.message);
            explicit_bzero(pin, sizeof pin);
            return EXIT_USAGE;
        }
        rc = identity_open_configured(&cfg, &r);
    } else if (conn && !strncmp(conn, "sim:", 4)) {
        rc = reader_sim_create(conn + 4, NULL, &r);
    } else if (conn && !strncmp(conn, "pcsc:", 5)) {
        rc = reader_pcsc_open(conn + 5, &r); /* a PC/SC reader by (the start of) its name */
    } else {
        rc = reader_nfc_open(conn, &r);
    }
    if (rc != KIOSK_OK) {
        explicit_bzero(pin, sizeof pin);
        printf("%s\n", card_message(KIOSK_READER));
        return EXIT_READER_FAULT;
    }
    reader_target t;
    time_t until = time(NULL) + wait_s;
    while ((rc = r->ops->poll(r, 200, &t)) == KIOSK_NO_CARD && time(NULL) < until)
        ;
    ssc_card card;
    ssc_holder holder;
    int tries = -1, have_holder = 0;
    memset(&holder, 0, sizeof holder);
    if (rc == KIOSK_OK)
        rc = ssc_read_card(r, &card);
    if (rc == KIOSK_OK) {
        /* the retry counter, no try spent: a blocked card is told without a PIN */
        kiosk_rc counter = ssc_pin_tries(r, &tries);
        if (counter == KIOSK_PIN_BLOCKED || counter == KIOSK_CARD_REMOVED ||
            counter == KIOSK_READER || counter == KIOSK_TIMEOUT)
            rc = counter;
        else if (counter != KIOSK_OK)
            tries = -1;
    }
    int refused = 0;
    if (rc == KIOSK_OK && pin_stdin) {
        rc = ssc_verify_pin(r, pin, &tries);
        if (rc == KIOSK_OK) {
            time_t now = time(NULL);
            struct tm tm;
            localtime_r(&now, &tm);
            kiosk_date today = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
            rc = ssc_read_holder(r, &holder);
            have_holder = rc == KIOSK_OK;
            /* exactly the kiosk's acceptance: a record it would refuse is not "fine" */
            if (have_holder && identity_holder_check(&holder, today) != KIOSK_OK) {
                refused = 1;
                rc = KIOSK_CARD;
            }
            if (rc == KIOSK_UNSUPPORTED)
                rc = KIOSK_OK; /* 3rd generation without a key holder: card data only */
        }
    }
    explicit_bzero(pin, sizeof pin);
    reader_close(r);

    int code = rc == KIOSK_OK ? EXIT_VALID : card_exit(rc);
    const char *why = refused ? "refused: the ID number on the card is not valid, so the kiosk "
                                "would not accept this card"
                              : card_message(rc);
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "result", json_string(code == 0 ? "ok" : why));
        json_object_set_new(o, "exit", json_integer(code));
        if (code == 0 || code == EXIT_PIN_WRONG || code == EXIT_PIN_BLOCKED) {
            json_object_set_new(o, "card_number", json_string(card.card_number));
            json_object_set_new(o, "spec_version", json_string(card.spec_version));
            json_object_set_new(o, "generation", json_integer(card.generation));
        }
        if (tries >= 0)
            json_object_set_new(o, "tries_left", json_integer(tries));
        if (have_holder) {
            char birth[11];
            snprintf(birth, sizeof birth, "%04d-%02d-%02d", holder.birth.year, holder.birth.month,
                     holder.birth.day);
            json_object_set_new(o, "id_number", json_string(holder.id_number));
            json_object_set_new(o, "name", json_string(holder.name));
            json_object_set_new(o, "sex", json_stringn(&holder.sex, 1));
            json_object_set_new(o, "ethnicity", json_string(holder.ethnicity));
            json_object_set_new(o, "birth_date", json_string(birth));
        }
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text)
            printf("%s\n", text);
        free(text);
        json_decref(o);
    } else if (code == 0 || code == EXIT_PIN_WRONG || code == EXIT_PIN_BLOCKED) {
        printf("card number:   %s\nspecification: %s (generation %d)\n", card.card_number,
               card.spec_version, card.generation);
        if (code != 0)
            printf("%s\n", card_message(rc));
        if (tries >= 0)
            printf("tries left:    %d\n", tries);
        if (have_holder)
            printf("name:          %s\nID number:     %s\nsex:           %c\n"
                   "ethnicity:     %s\nbirth date:    %04d-%02d-%02d\n",
                   holder.name, holder.id_number, holder.sex, holder.ethnicity, holder.birth.year,
                   holder.birth.month, holder.birth.day);
        else if (code == 0 && pin_stdin)
            printf("holder:        needs terminal authentication (3rd-generation card)\n");
    } else {
        printf("%s\n", why);
    }
    ssc_holder_wipe(&holder);
    return code;
}
