/*
 * `kioskctl`: the staff and field-team tool for a shell.
 * `verify` checks a receipt's QR payload offline — given as text, or as a photo or scan
 * of the receipt (PNG, decoded with zbar): 0 valid, 1 altered, 2 unknown device,
 * 3 not a receipt code / unreadable.
 * `card` reads whatever card is on the reader and, with a PIN from standard input, the
 * holder's identity: 0 read, 10 no card, 11 wrong PIN, 12 PIN blocked, 13 unreadable
 * card, 14 reader fault.
 * `provision`, `reprint`, `status`, `sync`, `export` and `purge` work on the kiosk's state
 * (its configuration, device key and record store): 22 state unusable, 23 nothing to
 * export, 30 hub unreachable or failing, 31 hub refused this unit, 20/21 reprint.
 * 64 is a usage error for every command.
 */
#include <errno.h>
#include <getopt.h>
#include <png.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zbar.h>

#include <jansson.h>
#include <time.h>

#include "config/kiosk_config.h"
#include "config/kiosk_strings.h"
#include "core/kiosk_log.h"
#include "identity/identity.h"
#include "nfc/reader_nfc.h"
#include "ssc/reader_sim.h"
#include "receipt/receipt_job.h"
#include "receipt/receipt_payload.h"
#include "ssc/ssc.h"
#include "store/staff.h"
#include "store/store.h"
#include "sync/sync.h"

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
    EXIT_REFUSED = 24,
    EXIT_USAGE = 64
};

static void usage(FILE *f)
{
    fprintf(f, "usage: kioskctl verify --key FILE (PAYLOAD | IMAGE.png)\n"
               "         --key FILE   the device's Ed25519 public key: 32 raw bytes or 64 hex\n"
               "         exit: 0 valid, 1 altered, 2 unknown device, 3 unreadable\n"
               "       kioskctl card [--reader CONNSTRING | --config FILE] [--wait SECONDS] "
               "[--pin-stdin]\n"
               "                     [--json]\n"
               "         --reader     a libnfc connection string (default: the first reader),\n"
               "                      or sim:PROFILE for a simulated card\n"
               "         --pin-stdin  read the card PIN from standard input and show the holder\n"
               "         exit: 0 read, 10 no card, 11 wrong PIN, 12 PIN blocked,\n"
               "               13 unreadable card, 14 reader fault\n"
               "       kioskctl provision [--config FILE] [--upstream-key HEX [--replace]]\n"
               "                     the device key; a different upstream key needs --replace\n"
               "       kioskctl reprint [--config FILE] RECEIPT_NO\n"
               "       kioskctl status [--config FILE]   records by state, last sync, disk\n"
               "       kioskctl sync [--config FILE]     send pending records to the hub now\n"
               "         exit: 0 all sent, 30 hub unreachable or failing, 31 hub refused\n"
               "       kioskctl export [--config FILE] (DIR | FILE.kb)\n"
               "                     a signed bundle of pending records for the hub\n"
               "         exit: 0 written, 23 nothing pending\n"
               "       kioskctl purge --days N --yes [--config FILE]\n"
               "                     delete records acknowledged more than N days ago\n"
               "       kioskctl staff add NAME [--role hall|technician] [--card UID] < PIN\n"
               "       kioskctl staff remove NAME | staff list\n"
               "         exit: 24 refused (name, card or PIN taken; bad input; no such name)\n"
               "       kioskctl audit verify    exit 1 when an entry was altered or removed\n"
               "       kioskctl audit show [-n LINES]\n"
               "       kioskctl print-test      a test page on the configured printer\n"
               "       exit 22: the kiosk's state cannot be used; 64: usage error\n");
}

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

static int cmd_card(int argc, char **argv)
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
    if (rc == KIOSK_OK && pin_stdin) {
        rc = ssc_verify_pin(r, pin, &tries);
        if (rc == KIOSK_OK) {
            time_t now = time(NULL);
            struct tm tm;
            localtime_r(&now, &tm);
            kiosk_date today = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
            rc = ssc_read_holder(r, today, &holder);
            have_holder = rc == KIOSK_OK;
            if (rc == KIOSK_UNSUPPORTED)
                rc = KIOSK_OK; /* 3rd generation without a key holder: card data only */
        }
    }
    explicit_bzero(pin, sizeof pin);
    reader_close(r);

    int code = rc == KIOSK_OK ? EXIT_VALID : card_exit(rc);
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "result", json_string(code == 0 ? "ok" : card_message(rc)));
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
            json_object_set_new(o, "birthplace", json_string(holder.birthplace));
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
        if (tries >= 0 && code == EXIT_PIN_WRONG)
            printf("tries left:    %d\n", tries);
        if (have_holder)
            printf("name:          %s\nID number:     %s\nsex:           %c\n"
                   "ethnicity:     %s\nbirthplace:    %s\nbirth date:    %04d-%02d-%02d\n",
                   holder.name, holder.id_number, holder.sex, holder.ethnicity, holder.birthplace,
                   holder.birth.year, holder.birth.month, holder.birth.day);
        else if (code == 0 && pin_stdin)
            printf("holder:        needs terminal authentication (3rd-generation card)\n");
    } else {
        printf("%s\n", card_message(rc));
    }
    ssc_holder_wipe(&holder);
    return code;
}

/* The state directory of the open store, for give_back. */
static char state_dir_open[KIOSK_CONFIG_PATH_MAX];

/* Root (a technician's shell) works on a state directory that belongs to the service's
 * user: files it makes there — the database's -wal and -shm, a first device key — are
 * given to the directory's owner, or the service could no longer write its records. */
static void give_back(const char *dir)
{
    static const char *const names[] = {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "device.key"};
    struct stat ds;
    if (geteuid() != 0 || stat(dir, &ds) != 0 || ds.st_uid == 0)
        return;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[KIOSK_CONFIG_PATH_MAX + 16];
        struct stat fs;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (lstat(path, &fs) == 0 && S_ISREG(fs.st_mode) && fs.st_uid == 0 &&
            chown(path, ds.st_uid, ds.st_gid) != 0)
            fprintf(stderr, "kioskctl: cannot give %s to the kiosk's user: %s\n", path,
                    strerror(errno));
    }
}

/* The configuration (defaults, then config_path when given), the device key and the
 * store: what every state command starts from. EXIT_VALID or EXIT_STATE (said on
 * stderr). On failure nothing is left open. */
static int open_state(const char *config_path, kiosk_config *cfg, store_device_key *key, store **st)
{
    *st = NULL;
    kiosk_config_defaults(cfg, KIOSK_DEFAULT_ASSETS, KIOSK_DEFAULT_FONTS);
    kiosk_config_error err;
    if (config_path && kiosk_config_load(cfg, config_path, &err) != KIOSK_OK) {
        fprintf(stderr, "kioskctl: %s:%d: %s\n", config_path, err.line, err.message);
        return EXIT_STATE;
    }
    char path[KIOSK_CONFIG_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/kiosk.db", cfg->state_dir);
    if (store_device_key_load(cfg->state_dir, key) != KIOSK_OK ||
        store_open(path, cfg->hall_code, key, NULL, st) != KIOSK_OK) {
        fprintf(stderr, "kioskctl: cannot open the kiosk's state in %s\n", cfg->state_dir);
        sodium_memzero(key, sizeof *key);
        give_back(cfg->state_dir);
        return EXIT_STATE;
    }
    snprintf(state_dir_open, sizeof state_dir_open, "%s", cfg->state_dir);
    give_back(state_dir_open);
    return EXIT_VALID;
}

static void close_state(store *st, store_device_key *key)
{
    give_back(state_dir_open); /* before the close, while the -wal and -shm are there */
    store_close(st);
    give_back(state_dir_open);
    sodium_memzero(key, sizeof *key);
}

/* Parse a command whose only option is --config FILE. 0 on anything else. */
static int config_only(int argc, char **argv, const char **config_path)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        if (c != 'c')
            return 0;
        *config_path = optarg;
    }
    return 1;
}

static void print_time(const char *label, int64_t ms)
{
    if (!ms) {
        printf("%s never\n", label);
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];
    localtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    printf("%s %s\n", label, buf);
}

static int print_rejected(void *ctx, const store_summary *rec, const char *reason)
{
    (void)ctx;
    printf("  rejected: %s %s %s — %s\n", rec->receipt_no, rec->masked_name, rec->masked_id,
           reason);
    return 0;
}

static int cmd_status(int argc, char **argv)
{
    const char *config_path = NULL;
    if (!config_only(argc, argv, &config_path) || optind != argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    store_counts n;
    store_sync_note note;
    char hex[65], id[RECEIPT_DEVICE_ID_LEN + 1];
    sodium_bin2hex(hex, sizeof hex, key.public_key, 32);
    receipt_device_id(key.public_key, id);
    if (store_count(st, &n) != KIOSK_OK || store_sync_info(st, &note) != KIOSK_OK) {
        fprintf(stderr, "kioskctl: cannot read the record store\n");
        close_state(st, &key);
        return EXIT_STATE;
    }
    struct statvfs vfs;
    unsigned long long free_mb = statvfs(cfg.state_dir, &vfs) == 0
                                     ? (unsigned long long)vfs.f_bavail * vfs.f_frsize >> 20
                                     : 0;
    printf("configuration:     %s\nstate directory:   %s\n",
           config_path ? config_path : "built in (no --config, no " KIOSK_CONFIG_SYSTEM_PATH ")",
           cfg.state_dir);
    printf("device id:         %s\ndevice public key: %s\n", id, hex);
    printf("hall code:         %s\n", cfg.hall_code);
    printf("upstream key:      %s\n",
           store_ready(st, 0) == KIOSK_CONFIG ? "not provisioned" : "provisioned");
    printf("hub:               %s\n", cfg.sync_url[0] ? cfg.sync_url : "none (bundles only)");
    printf("records:           %lld queued, %lld sent, %lld acknowledged, %lld rejected\n",
           (long long)n.by_state[STORE_QUEUED], (long long)n.by_state[STORE_SENT],
           (long long)n.by_state[STORE_ACKED], (long long)n.by_state[STORE_REJECTED]);
    print_time("last sync:        ", note.last_ok_ms);
    print_time("last attempt:     ", note.last_attempt_ms);
    printf("last error:        %s\n", note.last_error[0] ? note.last_error : "none");
    printf("free disk:         %llu MiB in %s\n", free_mb, cfg.state_dir);
    store_rejected_each(st, print_rejected, NULL);
    close_state(st, &key);
    return EXIT_VALID;
}

static int cmd_sync(int argc, char **argv)
{
    const char *config_path = NULL;
    if (!config_only(argc, argv, &config_path) || optind != argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    if (!cfg.sync_url[0]) {
        fprintf(stderr, "kioskctl: no hub configured ([sync] url); use kioskctl export\n");
        close_state(st, &key);
        return EXIT_STATE;
    }
    char path[KIOSK_CONFIG_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/kiosk.db", cfg.state_dir);
    sync_config sc = {.url = cfg.sync_url,
                      .ca_file = cfg.sync_ca_file,
                      .db_path = path,
                      .hall_code = cfg.hall_code,
                      .key = &key,
                      .batch = (size_t)cfg.sync_batch};
    sync_round r;
    char err[128] = "";
    kiosk_rc rc = sync_run_once(&sc, st, &r, err, sizeof err);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    store_note_sync(st, rc == KIOSK_OK, (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, err);
    printf("sent %zu: %zu acknowledged, %zu rejected, %zu without an answer\n", r.sent, r.acked,
           r.rejected, r.undecided);
    if (rc != KIOSK_OK) {
        printf("sync failed: %s\n", err[0] ? err : kiosk_strerror(rc));
        code = rc == KIOSK_AUTH ? EXIT_HUB_REFUSED : EXIT_HUB_UNREACHABLE;
    }
    close_state(st, &key);
    return code;
}

static int cmd_export(int argc, char **argv)
{
    const char *config_path = NULL;
    if (!config_only(argc, argv, &config_path) || optind != argc - 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *target = argv[optind];
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    /* a directory (the USB stick) gets a file named after the unit and the time */
    char path[KIOSK_CONFIG_PATH_MAX + 128];
    struct stat sb;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    if (stat(target, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        char id[RECEIPT_DEVICE_ID_LEN + 1], stamp[32];
        struct tm tm;
        receipt_device_id(key.public_key, id);
        localtime_r(&now.tv_sec, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        snprintf(path, sizeof path, "%s/%s-%s-%s.kb", target, cfg.hall_code, id, stamp);
    } else {
        snprintf(path, sizeof path, "%s", target);
    }
    size_t n = 0;
    kiosk_rc rc = sync_export_bundle(st, &key, path, now_ms, &n);
    if (rc == KIOSK_OK) {
        printf("exported %zu records to %s\n", n, path);
        printf("they stay on this unit until the hub acknowledges them (next sync)\n");
    } else if (rc == KIOSK_NOT_FOUND) {
        printf("nothing to export: every record is acknowledged or rejected\n");
        code = EXIT_NOTHING;
    } else {
        printf("export failed: %s (%s)\n", kiosk_strerror(rc), path);
        code = EXIT_STATE;
    }
    close_state(st, &key);
    return code;
}

static int cmd_purge(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"days", required_argument, NULL, 'd'},
                                         {"yes", no_argument, NULL, 'y'},
                                         {NULL, 0, NULL, 0}};
    const char *config_path = NULL;
    long days = -1;
    int yes = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:d:y", opts, NULL)) != -1) {
        char *end;
        if (c == 'c') {
            config_path = optarg;
        } else if (c == 'd') {
            days = strtol(optarg, &end, 10);
            if (*end || end == optarg || days < 0 || days > 36500)
                days = -1;
        } else if (c == 'y') {
            yes = 1;
        } else {
            return EXIT_USAGE;
        }
    }
    if (optind != argc || days < 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!yes) {
        fprintf(stderr, "kioskctl: purge deletes acknowledged records for good; add --yes\n");
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t cutoff = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - (int64_t)days * 86400000;
    int64_t purged = 0;
    if (store_purge_acked(st, cutoff, "kioskctl", &purged) == KIOSK_OK) {
        printf("purged %lld records acknowledged more than %ld days ago\n", (long long)purged,
               days);
    } else {
        printf("purge failed\n");
        code = EXIT_STATE;
    }
    close_state(st, &key);
    return code;
}

static int cmd_provision(int argc, char **argv)
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

/* The receipt's fonts and texts (the configured language). Said on stderr when missing. */
static kiosk_rc load_receipt_assets(const kiosk_config *cfg, receipt_fonts **fonts,
                                    kiosk_strings **strings)
{
    char path[KIOSK_CONFIG_PATH_MAX + 64], font2[KIOSK_CONFIG_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/NotoSansCJKsc-Kiosk.otf", cfg->fonts_dir);
    snprintf(font2, sizeof font2, "%s/NotoSansCJKsc-Kiosk-Ext.otf", cfg->fonts_dir);
    const char *font_paths[] = {path, font2};
    char strings_dir[KIOSK_CONFIG_PATH_MAX + 16];
    snprintf(strings_dir, sizeof strings_dir, "%s/strings", cfg->assets_dir);
    kiosk_rc rc = receipt_fonts_load(font_paths, 2, fonts);
    if (rc == KIOSK_OK)
        rc = kiosk_strings_load(strings_dir, cfg->language, strings, NULL);
    if (rc != KIOSK_OK)
        fprintf(stderr, "kioskctl: fonts or strings are missing\n");
    return rc;
}

static int cmd_reprint(int argc, char **argv)
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

static int cmd_staff(int argc, char **argv)
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

static int print_audit(void *ctx, const store_audit_entry *e)
{
    (void)ctx;
    time_t t = (time_t)(e->at_ms / 1000);
    struct tm tm;
    char when[32];
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    printf("%6lld %s %-12s %-22s %s%s%s\n", (long long)e->id, when, e->actor, e->action, e->subject,
           e->subject[0] && e->detail[0] ? " " : "", e->detail);
    return 0;
}

static int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"lines", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    const char *config_path = NULL;
    long lines = 30;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:n:", opts, NULL)) != -1) {
        if (c == 'c')
            config_path = optarg;
        else if (c == 'n')
            lines = strtol(optarg, NULL, 10);
        else
            return EXIT_USAGE;
    }
    const char *what = optind < argc ? argv[optind] : "";
    if (optind != argc - 1 || (strcmp(what, "verify") && strcmp(what, "show")) || lines < 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    if (!strcmp(what, "show")) {
        code = store_audit_recent(st, (size_t)lines, print_audit, NULL) == KIOSK_OK ? EXIT_VALID
                                                                                    : EXIT_STATE;
    } else {
        store_audit_check chk;
        kiosk_rc rc = store_audit_verify(st, &chk);
        if (rc == KIOSK_OK) {
            printf("audit log intact: %lld entries\n", (long long)chk.entries);
        } else if (rc == KIOSK_CORRUPT) {
            printf("audit log altered: entry %lld was changed, removed or cut off\n",
                   (long long)chk.first_bad);
            code = EXIT_ALTERED;
        } else {
            code = EXIT_STATE;
        }
    }
    close_state(st, &key);
    return code;
}

static int cmd_print_test(int argc, char **argv)
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
