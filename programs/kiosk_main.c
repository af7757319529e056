/*
 * `kiosk`: the program that owns the screen. It reads the configuration (refusing to
 * start on a bad line), checks that its assets load, then hands the main thread to the
 * UI's event loop. With no display it runs headless; --screenshot renders the first
 * screen to a PNG and exits, so a headless machine can prove what a citizen would see.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/app_io.h"
#include "config/kiosk_config.h"
#include "core/kiosk_log.h"
#include "store/store.h"
#include "sync/sync.h"
#include "ui/ui_app.h"
#include "update/update.h"
#include "ui/ui_script.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: kiosk [--config FILE] [--headless] [--screenshot FILE] [--script FILE]\n"
               "  --config FILE      read configuration from FILE (default: built-in)\n"
               "  --headless         do not open a window\n"
               "  --screenshot FILE  render the attract screen to FILE (PNG) and exit\n"
               "  --script FILE      replay a scripted journey (see README), then exit;\n"
               "                     exit 3 when a line fails\n"
               "  --shots DIR        where the script's screenshots go (default:\n"
               "                     <state_dir>/screens)\n"
               "  --version          print the version\n");
}

/* A record was saved: send it upstream now rather than at the next poll. */
static void wake_sync(void *ctx)
{
    sync_worker_wake(ctx);
}

/* Offline: no hub configured, or the last try to reach it failed. */
static int is_offline(void *ctx)
{
    if (!ctx)
        return 1;
    sync_status_info st;
    sync_worker_status(ctx, &st);
    return st.rounds > 0 && st.last_rc != KIOSK_OK;
}

/* How long no one has used the kiosk (the update worker installs only after a while). */
static int64_t kiosk_idle_ms(void *ctx)
{
    return session_idle_ms(ui_app_session(ctx));
}

/* Updates the hub offers: fetched in the background, installed when idle (README:
 * "Updates"). NULL when there is no hub or updates are off. */
static update_worker *start_updates(const kiosk_config *cfg, const store_device_key *key,
                                    const char *db_path, ui_app *app, update_rauc *rauc,
                                    update_rauc_cli *cli)
{
    if (!cfg->sync_url[0] || !cfg->update_enabled)
        return NULL;
    char running[UPDATE_VERSION_MAX];
    update_running_version(cfg->update_release_file, KIOSK_VERSION, running);
    update_rauc_cli_init(rauc, cli, cfg->update_keyring);
    update_config uc = {.url = cfg->sync_url,
                        .allow_plain_http_loopback = cfg->sync_allow_plain_http_loopback,
                        .ca_file = cfg->sync_ca_file[0] ? cfg->sync_ca_file : NULL,
                        .key = key,
                        .state_dir = cfg->state_dir,
                        .db_path = db_path,
                        .hall_code = cfg->hall_code,
                        .running_version = running,
                        .margin_bytes = (uint64_t)cfg->update_margin_mb << 20,
                        .check_interval_ms = (int64_t)cfg->update_check_interval_s * 1000,
                        .idle_min_ms = (int64_t)cfg->update_idle_min_s * 1000,
                        .reboot_hour = cfg->update_reboot_hour};
    update_worker *w = NULL;
    kiosk_rc rc = update_worker_create(&uc, rauc, kiosk_idle_ms, app, &w);
    if (rc != KIOSK_OK)
        kiosk_log_error("main", "updates cannot start: %s", kiosk_strerror(rc));
    return w;
}

static int has_display(void)
{
    return getenv("SDL_VIDEODRIVER") || getenv("DISPLAY") || getenv("WAYLAND_DISPLAY");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"headless", no_argument, NULL, 'H'},
        {"screenshot", required_argument, NULL, 's'},
        {"script", required_argument, NULL, 'S'},
        {"shots", required_argument, NULL, 'o'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* the kiosk says what is wrong with the reader itself, once; libnfc's own lines would
     * repeat every second while a reader is away (set LIBNFC_LOG_LEVEL to see them) */
    setenv("LIBNFC_LOG_LEVEL", "0", 0);
    const char *config_path = NULL, *screenshot = NULL, *script = NULL, *shots = NULL;
    int headless = 0, c;
    while ((c = getopt_long(argc, argv, "c:Hs:S:o:Vh", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'H':
            headless = 1;
            break;
        case 's':
            screenshot = optarg;
            break;
        case 'S':
            script = optarg;
            break;
        case 'o':
            shots = optarg;
            break;
        case 'V':
            printf("kiosk %s\n", KIOSK_VERSION);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }

    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_DEFAULT_ASSETS, KIOSK_DEFAULT_FONTS);
    if (!config_path)
        config_path = kiosk_config_default_path();
    if (config_path) {
        kiosk_config_error err;
        kiosk_rc rc = kiosk_config_load(&cfg, config_path, &err);
        if (rc != KIOSK_OK) {
            if (err.line > 0)
                fprintf(stderr, "kiosk: %s:%d: %s\n", config_path, err.line, err.message);
            else
                fprintf(stderr, "kiosk: %s: %s\n", config_path, err.message);
            fprintf(stderr, "kiosk: refusing to start with a bad configuration\n");
            return 1;
        }
    }
    kiosk_log_set_level(cfg.log_level);
    kiosk_log_info("main", "kiosk %s starting, mode %s, configuration %s", KIOSK_VERSION,
                   cfg.mode == KIOSK_MODE_PORTABLE ? "portable" : "hall",
                   config_path ? config_path : "built in");
    if (screenshot)
        headless = 1;
    if (!headless && !has_display()) {
        kiosk_log_info("main", "no display found: running headless");
        headless = 1;
    }
    if (headless && !getenv("SDL_VIDEODRIVER"))
        setenv("SDL_VIDEODRIVER", "dummy", 1);

    /* Records left by earlier runs go upstream in the background from the start. */
    store_device_key key;
    sync_worker *sync = NULL;
    char db_path[KIOSK_CONFIG_PATH_MAX + 16];
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", cfg.state_dir);
    if (!screenshot && cfg.sync_url[0]) {
        sync_config sc = {.url = cfg.sync_url,
                          .allow_plain_http_loopback = cfg.sync_allow_plain_http_loopback,
                          .ca_file = cfg.sync_ca_file,
                          .db_path = db_path,
                          .hall_code = cfg.hall_code,
                          .key = &key,
                          .batch = (size_t)cfg.sync_batch,
                          .backoff_max_ms = (int64_t)cfg.sync_retry_max_s * 1000,
                          .idle_poll_ms = 60000,
                          /* the unit's health to the hub: at start, then every interval */
                          .health_interval_ms = (int64_t)cfg.sync_health_interval_min * 60000,
                          .health = {.version = KIOSK_VERSION,
                                     .state_dir = cfg.state_dir,
                                     .started_ms = kiosk_clock_now_ms(kiosk_clock_system()),
                                     .fill = app_io_health_fill,
                                     .ctx = cfg.state_dir}};
        kiosk_rc krc = store_device_key_load(cfg.state_dir, &key);
        if (krc == KIOSK_OK)
            krc = sync_worker_create(&sc, &sync);
        if (krc != KIOSK_OK)
            kiosk_log_error("main", "sync cannot start: %s; records stay on this unit",
                            kiosk_strerror(krc));
    } else if (!screenshot) {
        kiosk_log_info("main", "no hub configured ([sync] url): records leave by bundle only");
    }

    int exit_code = 0;
    ui_app *app;
    ui_app_options uopt = {.headless = headless,
                           .with_reader = !screenshot,
                           .with_store = !screenshot,
                           .record_saved = sync ? wake_sync : NULL,
                           .record_saved_ctx = sync,
                           .sync_now = sync ? wake_sync : NULL,
                           .is_offline = is_offline,
                           .sync_ctx = sync,
                           .version = KIOSK_VERSION};
    kiosk_rc rc = ui_app_create(&cfg, &uopt, &app);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: cannot start: %s (assets under %s, fonts, display; see log)\n",
                kiosk_strerror(rc), cfg.assets_dir);
        sync_worker_destroy(sync);
        return 1;
    }
    if (screenshot) {
        rc = ui_app_screenshot(app, screenshot);
        if (rc == KIOSK_OK)
            kiosk_log_info("main", "screenshot written to %s", screenshot);
        else
            fprintf(stderr, "kiosk: cannot write %s: %s\n", screenshot, kiosk_strerror(rc));
    } else if (script) {
        ui_script_result res;
        char dir[KIOSK_CONFIG_PATH_MAX + 16];
        if (!shots) {
            snprintf(dir, sizeof dir, "%s/screens", cfg.state_dir);
            mkdir(cfg.state_dir, 0700);
            mkdir(dir, 0755);
            shots = dir;
        } else {
            mkdir(shots, 0755); /* a missing folder is made; a failure shows at the shot */
        }
        rc = ui_script_run_file(app, script, shots, &res);
        if (rc != KIOSK_OK) {
            fprintf(stderr, "kiosk: %s:%d: %s\n", script, res.line, res.message);
            exit_code = 3;
        } else {
            printf("script ran: %d screenshots\n", res.screenshots);
        }
    } else {
        update_rauc rauc;
        update_rauc_cli cli;
        update_worker *updates = sync ? start_updates(&cfg, &key, db_path, app, &rauc, &cli) : NULL;
        rc = ui_app_run(app);
        update_worker_destroy(updates);
        if (ui_app_restart_requested(app))
            kiosk_log_info("main", "restart asked for by staff; systemd starts the kiosk again");
    }
    ui_app_destroy(app);
    sync_worker_destroy(sync);
    sodium_memzero(&key, sizeof key);
    kiosk_log_info("main", "kiosk stopped");
    return exit_code ? exit_code : rc == KIOSK_OK ? 0 : 1;
}
