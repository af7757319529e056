/*
 * `kioskctl update`: for a technician at the unit's shell. `status` shows the running
 * version and the last update's result (update-status.json); `check` asks the hub which
 * bundle it offers and, when newer, downloads it (resumed, hash checked) into
 * <state_dir>/update/; `install BUNDLE` checks a bundle's signature and version and
 * installs it through RAUC (audited; the reboot is the technician's).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kioskctl.h"
#include "update/update.h"

static void config_of(const kiosk_config *cfg, const store_device_key *key, const char *db,
                      const char *running, update_config *uc)
{
    update_config c = {.url = cfg->sync_url,
                       .allow_plain_http_loopback = cfg->sync_allow_plain_http_loopback,
                       .ca_file = cfg->sync_ca_file[0] ? cfg->sync_ca_file : NULL,
                       .key = key,
                       .state_dir = cfg->state_dir,
                       .db_path = db,
                       .hall_code = cfg->hall_code,
                       .running_version = running,
                       .margin_bytes = (uint64_t)cfg->update_margin_mb << 20,
                       .reboot_hour = cfg->update_reboot_hour};
    *uc = c;
}

static int update_status_cmd(const kiosk_config *cfg, const char *running)
{
    printf("running version: %s\n", running);
    update_status st;
    kiosk_rc rc = update_status_read(cfg->state_dir, &st);
    if (rc == KIOSK_NOT_FOUND) {
        printf("last update: none\n");
        return EXIT_VALID;
    }
    if (rc != KIOSK_OK) {
        printf("last update: %s/%s unreadable\n", cfg->state_dir, UPDATE_STATUS_FILE);
        return EXIT_STATE;
    }
    time_t t = (time_t)(st.at_ms / 1000);
    struct tm tm;
    char when[32];
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    printf("last update: %s %s (%s) at %s\n", st.version, st.result, st.detail, when);
    return EXIT_VALID;
}

static int update_check_cmd(const update_config *uc, store *st)
{
    uint8_t hub_key[32];
    if (store_hub_key(st, hub_key) != KIOSK_OK) {
        fprintf(stderr, "kioskctl: no hub key provisioned (kioskctl provision --hub-key)\n");
        return EXIT_STATE;
    }
    update_manifest m;
    char err[160];
    kiosk_rc rc = update_check(uc, hub_key, &m, err, sizeof err);
    if (rc != KIOSK_OK) {
        printf("check failed: %s\n", err);
        return rc == KIOSK_NET ? EXIT_HUB_UNREACHABLE : EXIT_HUB_REFUSED;
    }
    if (!m.version[0] || update_version_cmp(m.version, uc->running_version) <= 0) {
        printf("nothing newer offered (hub: %s, running %s)\n", m.version[0] ? m.version : "none",
               uc->running_version);
        return EXIT_NOTHING;
    }
    printf("offered: %s (%llu bytes)\n", m.version, (unsigned long long)m.size);
    update_fetched got;
    char d[UPDATE_DETAIL_MAX];
    rc = update_download(uc, &m, &got, d, sizeof d);
    if (rc != KIOSK_OK) {
        printf("download stopped: %s%s\n", d,
               rc == KIOSK_NET ? " (run again: it resumes where it stopped)" : "");
        store_audit(st, "update", "update refused", m.version, d);
        return rc == KIOSK_NET ? EXIT_HUB_UNREACHABLE : EXIT_REFUSED;
    }
    store_audit(st, "update", "update downloaded", m.version, "kioskctl");
    printf("downloaded%s: %s\n", got.resumed_from ? " (resumed)" : "", got.path);
    return EXIT_VALID;
}

static int update_install_cmd(const kiosk_config *cfg, const update_config *uc, store *st,
                              const char *bundle)
{
    update_rauc rauc;
    update_rauc_cli cli;
    update_rauc_cli_init(&rauc, &cli, cfg->update_keyring);
    char version[UPDATE_VERSION_MAX], d[UPDATE_DETAIL_MAX];
    kiosk_rc rc = update_install(uc, &rauc, st, bundle, version, d, sizeof d);
    if (rc == KIOSK_OK) {
        printf("installed %s: restart the unit to run it (systemctl reboot)\n", version);
        return EXIT_VALID;
    }
    printf("not installed: %s\n", d);
    return rc == KIOSK_CRYPTO || rc == KIOSK_RANGE || !strcmp(d, "not_compatible") ? EXIT_REFUSED
                                                                                   : EXIT_STATE;
}

int cmd_update(int argc, char **argv)
{
    const char *config_path = NULL;
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *what = argv[1];
    if (!config_only(argc - 1, argv + 1, &config_path)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    int operands = argc - 1 - optind;
    const char *bundle = operands == 1 ? argv[1 + optind] : NULL;
    int is_install = !strcmp(what, "install");
    if ((is_install && !bundle) || (!is_install && operands) ||
        (!is_install && strcmp(what, "status") && strcmp(what, "check"))) {
        usage(stderr);
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    char running[UPDATE_VERSION_MAX], db[KIOSK_CONFIG_PATH_MAX + 16];
    update_running_version(cfg.update_release_file, KIOSK_VERSION, running);
    snprintf(db, sizeof db, "%s/kiosk.db", cfg.state_dir);
    update_config uc;
    config_of(&cfg, &key, db, running, &uc);
    if (!strcmp(what, "status")) {
        code = update_status_cmd(&cfg, running);
    } else if (!strcmp(what, "check")) {
        if (!cfg.sync_url[0]) {
            fprintf(stderr, "kioskctl: no hub configured ([sync] url)\n");
            code = EXIT_STATE;
        } else {
            code = update_check_cmd(&uc, st);
        }
    } else {
        code = update_install_cmd(&cfg, &uc, st, bundle);
    }
    close_state(st, &key);
    give_back(cfg.state_dir);
    return code;
}
