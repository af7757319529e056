/*
 * `kioskctl status`, `sync`, `export`, `import-acks` and `purge`: the outbox of records and
 * its way upstream (by network, or by USB stick both ways); `status` also shows the reader's health
 * as the running kiosk publishes it.
 */
#include "kioskctl.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "config/kiosk_config.h"
#include "identity/identity_health.h"
#include "store/store.h"
#include "proto/sync_proto.h"
#include "sync/sync.h"
#include "proto/receipt_payload.h"

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

/* The reader as the running kiosk last published it: the service holds the reader, so
 * this command cannot ask it. */
static void print_reader(const char *state_dir)
{
    identity_health h;
    if (identity_health_read(state_dir, &h) != KIOSK_OK) {
        printf("reader:            unknown (%s/%s unreadable)\n", state_dir, IDENTITY_HEALTH_FILE);
        return;
    }
    if (h.state == IDENTITY_HEALTH_UNKNOWN) {
        printf("reader:            unknown (kiosk not running)\n");
        return;
    }
    time_t t = (time_t)(h.since_ms / 1000);
    struct tm tm;
    char since[32];
    localtime_r(&t, &tm);
    strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S", &tm);
    if (h.state == IDENTITY_HEALTH_OK)
        printf("reader:            ok (since %s)\n", since);
    else
        printf("reader:            fault since %s: %s\n", since, h.reason);
}

/* A refused record for staff: receipt number, uuid and the hub's reason; no personal
 * data, not even masked (the listing goes into tickets to the hub's operators). */
static int print_rejected(void *ctx, const store_summary *rec, const char *reason)
{
    (void)ctx;
    printf("  rejected: %s %s — %s\n", rec->receipt_no, rec->uuid, reason);
    return 0;
}

/* The refused records counted by the hub's reason, for the summary line. */
typedef struct reasons {
    struct {
        char reason[SYNC_REASON_MAX];
        long long n;
    } r[8];
    size_t n;
    long long other;
} reasons;

static int count_reason(void *ctx, const store_summary *rec, const char *reason)
{
    (void)rec;
    reasons *rs = ctx;
    for (size_t i = 0; i < rs->n; i++)
        if (!strcmp(rs->r[i].reason, reason)) {
            rs->r[i].n++;
            return 0;
        }
    if (rs->n == sizeof rs->r / sizeof rs->r[0]) {
        rs->other++;
        return 0;
    }
    snprintf(rs->r[rs->n].reason, sizeof rs->r[rs->n].reason, "%s", reason);
    rs->r[rs->n++].n = 1;
    return 0;
}

/* "refused by hub:    2 (seq_conflict 2); kioskctl export --refused DIR takes them to
 * the hub's reconciliation" — or "none". */
static void print_refused(store *st)
{
    reasons rs = {0};
    long long total = 0;
    if (store_rejected_each(st, count_reason, &rs) != KIOSK_OK) {
        printf("refused by hub:    unreadable\n");
        return;
    }
    for (size_t i = 0; i < rs.n; i++)
        total += rs.r[i].n;
    total += rs.other;
    if (!total) {
        printf("refused by hub:    none\n");
        return;
    }
    printf("refused by hub:    %lld (", total);
    for (size_t i = 0; i < rs.n; i++)
        printf("%s%s %lld", i ? ", " : "", rs.r[i].reason[0] ? rs.r[i].reason : "no reason",
               rs.r[i].n);
    if (rs.other)
        printf(", other %lld", rs.other);
    printf("); kept here; kioskctl export --refused DIR takes them to the hub's"
           " reconciliation\n");
}

static void print_epoch(store *st)
{
    store_epoch ep;
    if (store_epoch_info(st, &ep) != KIOSK_OK) {
        printf("store epoch:       unreadable\n");
        return;
    }
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, ep.id, 16);
    printf("store epoch:       %s (%lld in this database)\n", hex, (long long)ep.epochs);
    if (ep.alarm[0]) {
        printf("store alarm:       %s; numbering went on in a new epoch"
               " (kioskctl status --clear-alarm once seen)\n",
               ep.alarm);
        print_time("alarm raised:     ", ep.alarm_ms);
    } else {
        printf("store alarm:       none\n");
    }
}

int cmd_status(int argc, char **argv)
{
    const char *config_path = NULL;
    int clear_alarm = 0;
    if (!config_and_flag(argc, argv, "clear-alarm", &config_path, &clear_alarm)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (optind != argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    if (clear_alarm && store_alarm_clear(st, "kioskctl") != KIOSK_OK) {
        fprintf(stderr, "kioskctl: cannot clear the store alarm\n");
        close_state(st, &key);
        return EXIT_STATE;
    }
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
    uint8_t hub_pk[32];
    printf("hub key:           %s\n",
           store_hub_key(st, hub_pk) == KIOSK_OK ? "provisioned" : "not provisioned");
    printf("hub:               %s\n", cfg.sync_url[0] ? cfg.sync_url : "none (bundles only)");
    printf("records:           %lld queued, %lld sent, %lld acknowledged, %lld rejected\n",
           (long long)n.by_state[STORE_QUEUED], (long long)n.by_state[STORE_SENT],
           (long long)n.by_state[STORE_ACKED], (long long)n.by_state[STORE_REJECTED]);
    print_time("last sync:        ", note.last_ok_ms);
    print_time("last attempt:     ", note.last_attempt_ms);
    printf("last error:        %s\n", note.last_error[0] ? note.last_error : "none");
    print_epoch(st);
    print_refused(st);
    printf("free disk:         %llu MiB in %s\n", free_mb, cfg.state_dir);
    print_reader(cfg.state_dir);
    store_rejected_each(st, print_rejected, NULL);
    close_state(st, &key);
    return EXIT_VALID;
}

int cmd_sync(int argc, char **argv)
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
                      .allow_plain_http_loopback = cfg.sync_allow_plain_http_loopback,
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
        code = rc == KIOSK_AUTH || rc == KIOSK_CRYPTO || rc == KIOSK_CONFIG ? EXIT_HUB_REFUSED
                                                                            : EXIT_HUB_UNREACHABLE;
    }
    if (r.hub_ahead)
        printf("ALARM: the hub holds later numbers of this unit (a copied or restored"
               " database): numbering went on past them in a new store epoch\n");
    if (r.audit_rolled_back)
        printf("ALARM: the hub holds an audit entry this log lacks: the audit log was rolled"
               " back or copied\n");
    if (rc == KIOSK_OK && r.rejected) {
        /* nothing refused passes silently: the records stay, listed by kioskctl status */
        printf("the hub refused %zu records: kioskctl status lists them\n", r.rejected);
        code = EXIT_RECORDS_REFUSED;
    } else if (rc == KIOSK_OK && (r.hub_ahead || r.audit_rolled_back)) {
        code = EXIT_ALARM;
    }
    close_state(st, &key);
    return code;
}

/* KIOSKCTL_BUNDLE_MAX_BODY (tests only): a lower cap on one bundle's body, so a test can
 * split a backlog without writing tens of megabytes. Never above the hub's limit. */
static size_t bundle_max_body(void)
{
    const char *v = getenv("KIOSKCTL_BUNDLE_MAX_BODY");
    char *end;
    unsigned long long n = v && *v ? strtoull(v, &end, 10) : 0;
    return n && !*end && n < SYNC_MAX_BODY ? (size_t)n : 0;
}

/* The health report's reader state for an export from the shell: the running kiosk's
 * reader.state (the printer and power stay unknown here: the kiosk holds the printer). */
static void export_health_fill(void *ctx, health_report *r)
{
    identity_health ih;
    if (identity_health_read(ctx, &ih) == KIOSK_OK)
        r->reader = ih.state == IDENTITY_HEALTH_OK      ? HEALTH_READER_OK
                    : ih.state == IDENTITY_HEALTH_FAULT ? HEALTH_READER_FAULT
                                                        : HEALTH_READER_UNKNOWN;
}

int cmd_export(int argc, char **argv)
{
    const char *config_path = NULL;
    int refused = 0;
    if (!config_and_flag(argc, argv, "refused", &config_path, &refused)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (optind != argc - 1) {
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
    /* a directory (the USB stick) gets files named after the unit and the time; FILE.kb
     * names them itself (FILE-001of002.kb … when the backlog needs several) */
    char dir[KIOSK_CONFIG_PATH_MAX + 128], base[KIOSK_CONFIG_PATH_MAX + 128];
    struct stat sb;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    if (stat(target, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(dir, sizeof dir, "%s", target);
        receipt_bundle_base(cfg.hall_code, key.public_key, now.tv_sec, base, sizeof base);
        if (refused) /* a name of its own: the hub's operator sees what it is for */
            snprintf(base + strlen(base), sizeof base - strlen(base), "-refused");
    } else {
        const char *slash = strrchr(target, '/');
        const char *name = slash ? slash + 1 : target;
        size_t nl = strlen(name);
        if (slash)
            snprintf(dir, sizeof dir, "%.*s", (int)(slash == target ? 1 : slash - target), target);
        else
            snprintf(dir, sizeof dir, ".");
        snprintf(base, sizeof base, "%.*s",
                 (int)(nl > 3 && !strcmp(name + nl - 3, ".kb") ? nl - 3 : nl), name);
    }
    sync_health_source hs = {.version = KIOSK_VERSION,
                             .state_dir = cfg.state_dir,
                             .fill = export_health_fill,
                             .ctx = cfg.state_dir};
    sync_export_options opt = {.max_body = bundle_max_body(), .refused = refused, .health = &hs};
    sync_export_result res;
    kiosk_rc rc = sync_export_bundles(st, &key, dir, base, now_ms, &opt, &res);
    if (res.stale_removed)
        printf("removed %zu unfinished files of an interrupted export\n", res.stale_removed);
    if (rc == KIOSK_OK) {
        if (res.files == 1)
            printf("exported %zu records to %s\n", res.records, res.first);
        else
            printf("exported %zu records to %zu bundles in %s (%s-001of%03zu.kb …)\n", res.records,
                   res.files, dir, base, res.files);
        if (res.events)
            printf("and %zu help requests (kiosk events) for the hub; they stay queued here\n",
                   res.events);
        if (res.health)
            printf("and this unit's health report (%s-health.kb)\n", base);
        if (refused)
            printf("records the hub refused: it keeps them for reconciliation (hub status);"
                   " they stay rejected here\n");
        else
            printf("they stay on this unit until the hub acknowledges them (next sync, or"
                   " kioskctl import-acks)\n");
    } else if (rc == KIOSK_NOT_FOUND) {
        printf(refused ? "nothing to export: the hub refused no record\n"
                       : "nothing to export: every record is acknowledged or rejected\n");
        code = EXIT_NOTHING;
    } else {
        printf("export failed: %s (%s); no bundle was left behind\n", kiosk_strerror(rc), dir);
        code = EXIT_STATE;
    }
    close_state(st, &key);
    return code;
}

int cmd_import_acks(int argc, char **argv)
{
    const char *config_path = NULL;
    if (!config_only(argc, argv, &config_path) || optind != argc - 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *path = argv[optind];
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    sync_acks_report rep;
    char err[160] = "";
    kiosk_rc rc = sync_import_acks(st, &key, path, "kioskctl", &rep, err, sizeof err);
    if (rc == KIOSK_OK) {
        printf("the hub holds %zu records of this unit: %zu newly acknowledged", rep.listed,
               rep.acked);
        if (rep.mismatched)
            printf(", %zu differ from what this unit holds (left pending)", rep.mismatched);
        printf("\n");
    } else {
        printf("acknowledgements refused: %s\nnothing was changed\n",
               err[0] ? err : kiosk_strerror(rc));
        code = rc == KIOSK_NOT_FOUND || rc == KIOSK_IO ? EXIT_UNREADABLE
               : rc == KIOSK_INVALID || rc == KIOSK_AUTH || rc == KIOSK_CRYPTO || rc == KIOSK_CONFIG
                   ? EXIT_REFUSED
                   : EXIT_STATE;
    }
    close_state(st, &key);
    return code;
}

int cmd_purge(int argc, char **argv)
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
    if (days < cfg.retention_days) {
        /* the same floor as the maintenance menu's: the configured retention */
        fprintf(stderr,
                "kioskctl: purge keeps every record for [policy] retention_days = %d days;"
                " --days %ld is below it\n",
                cfg.retention_days, days);
        close_state(st, &key);
        return EXIT_REFUSED;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t cutoff = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - (int64_t)days * 86400000;
    int64_t purged = 0;
    if (store_purge_acked(st, cutoff, "kioskctl", &purged) == KIOSK_OK) {
        printf("purged %lld records the hub acknowledged (signed) more than %ld days ago\n",
               (long long)purged, days);
    } else {
        printf("purge failed\n");
        code = EXIT_STATE;
    }
    close_state(st, &key);
    return code;
}
