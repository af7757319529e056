/*
 * The kiosk state the subcommands share: the configuration, the device key and the
 * record store, opened as the kiosk opens them, and files handed back to the state
 * directory's owner.
 */
#include "kioskctl.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/kiosk_config.h"
#include "store/store.h"

/* The state directory of the open store, for give_back. */
static char state_dir_open[KIOSK_CONFIG_PATH_MAX];

/* Root (a technician's shell) works on a state directory that belongs to the service's
 * user: files it makes there — the database's -wal and -shm, a first device key — are
 * given to the directory's owner, or the service could no longer write its records. */
void give_back(const char *dir)
{
    static const char *const names[] = {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "kiosk.db.mark",
                                        "device.key"};
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
int open_state(const char *config_path, kiosk_config *cfg, store_device_key *key, store **st)
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
    store_set_retention_days(*st, cfg->retention_days); /* the purge floor */
    snprintf(state_dir_open, sizeof state_dir_open, "%s", cfg->state_dir);
    give_back(state_dir_open);
    return EXIT_VALID;
}

void close_state(store *st, store_device_key *key)
{
    give_back(state_dir_open); /* before the close, while the -wal and -shm are there */
    store_close(st);
    give_back(state_dir_open);
    sodium_memzero(key, sizeof *key);
}

/* Parse a command whose only option is --config FILE. 0 on anything else. */
int config_and_flag(int argc, char **argv, const char *flag, const char **config_path, int *set)
{
    const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                  {flag ? flag : "config", no_argument, NULL, 'f'},
                                  {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    if (set)
        *set = 0;
    while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        if (c == 'c')
            *config_path = optarg;
        else if (c == 'f' && flag && set)
            *set = 1;
        else
            return 0;
    }
    return 1;
}

int config_only(int argc, char **argv, const char **config_path)
{
    return config_and_flag(argc, argv, NULL, config_path, NULL);
}
