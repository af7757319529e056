/*
 * The `kiosk-hub` program: key generation, the HTTP service, device registration, USB bundle
 * import (files or a whole stick, any number in any order), the signed acknowledgement
 * bundle a field unit takes back on the stick, status with gaps, and CSV export. Exit 0 on success,
 * 1 on an operational failure, 2 on a usage error; messages on stderr start with "kiosk-hub: " so
 * a script can show them. Settings come from the config file (/etc/kiosk-hub/kiosk-hub.conf,
 * --config FILE or $KIOSK_HUB_CONFIG; INI) and flags override them. `serve` tells systemd
 * READY=1 once it listens (Type=notify). Output meant for scripts (public key, port, counts) goes
 * to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <ini.h>
#include <unistd.h>

#include "core/kiosk_log.h"
#include "core/kiosk_notify.h"
#include "domain/codes.h"
#include "domain/divisions.h"
#include "hub/hub_db.h"
#include "hub/hub_export.h"
#include "hub/hub_staff.h"
#include "hub/hub_http.h"
#include "hub/hub_state.h"
#include "proto/receipt_payload.h"
#include "proto/sync_proto.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_REJECTED 3 /* import: every file read, but the hub rejected some records */
#define ACKS_DEVICES_MAX 64
#define DEFAULT_PORT 8080

static const char usage_text[] =
    "usage:\n"
    "  kiosk-hub keygen --out DIR\n"
    "  kiosk-hub sign-key --key FILE\n"
    "  kiosk-hub serve --db PATH --sign-key FILE (--tls-cert FILE --tls-key FILE |"
    " --plain-http-loopback-test) [--listen ADDR:PORT] [--per-ip-limit N]"
    " [--connection-limit N] [--port-file FILE] [--updates-dir DIR]\n"
    "  kiosk-hub device add --db PATH HEXPK [NAME] [--hall CODE]\n"
    "  kiosk-hub device hall --db PATH HEXPK CODE   (the unit's hall, for the console)\n"
    "  kiosk-hub device list --db PATH\n"
    "  kiosk-hub device remove --db PATH HEXPK\n"
    "  kiosk-hub import --db PATH (BUNDLE | DIR)... [--sign-key FILE --acks-dir DIR]\n"
    "      exit 0 every file imported, 1 a file refused, 3 records rejected\n"
    "  kiosk-hub export-acks --db PATH --sign-key FILE --device HEXPK --out FILE\n"
    "  kiosk-hub export --db PATH --key DIR_OR_FILE --assets DIR --out FILE.csv\n"
    "  kiosk-hub status --db PATH\n"
    "  kiosk-hub events --db PATH [--since DURATION | MS]   (DURATION: 30m, 2h, 7d; default 24h)\n"
    "  kiosk-hub state set --db PATH RECORD STATE [--note CODE] [--by NAME]\n"
    "  kiosk-hub state import --db PATH FILE.csv [--by NAME]   (lines: uuid,state,note)\n"
    "  kiosk-hub state show --db PATH RECORD   (RECORD: a uuid or DEVICE-ID/RECEIPT-NO)\n"
    "      STATE: received, processing, approved, needs_materials; exit 3 lines refused\n"
    "  kiosk-hub health --db PATH [--device HEX] [--days N]   (the units' health; default 30"
    " days)\n"
    "  kiosk-hub staff add --db PATH NAME --role hall|region [--hall CODE[,CODE…]]\n"
    "  kiosk-hub staff passwd --db PATH NAME      (the password is read from stdin or the tty)\n"
    "  kiosk-hub staff disable|enable --db PATH NAME\n"
    "  kiosk-hub staff list --db PATH\n"
    "serve also takes [--console-key FILE --console-assets DIR] (the web console's CSV\n"
    "export) and, with --plain-http-loopback-test only, --console-plain-login.\n"
    "--db takes a SQLite file (one hall) or a postgresql://… URL (a region: several hub\n"
    "processes on one database). Every command also reads --config FILE "
    "(default\n" KIOSK_HUB_CONFIG_DEFAULT
    ", when there; $KIOSK_HUB_CONFIG names another, empty for none):\n"
    "[hub] db, listen, sign_key, tls_cert, tls_key; [limits] per_ip, connections;\n"
    "[console] upstream_key, assets.\n"
    "[updates] dir (bundles offered to the units: README, \"Updates\").\n"
    "A flag given wins over the file.\n";

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kiosk-hub: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kiosk-hub: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
    return EXIT_FAIL;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- arguments ------------------------------------------------------------------- */

/* Options of a subcommand: --name VALUE pairs (known names only) and positionals. */
typedef struct args {
    const char *names[16];
    const char *values[16];
    size_t n_names;
    const char *pos[64];
    size_t n_pos;
} args;

/* Returns 0, or EXIT_USAGE after printing why. */
static int parse_args(int argc, char **argv, const char *const *known, args *a)
{
    memset(a, 0, sizeof *a);
    for (size_t i = 0; known[i]; i++)
        a->names[a->n_names++] = known[i];
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (strncmp(s, "--", 2) == 0) {
            size_t k = 0;
            while (k < a->n_names && strcmp(a->names[k], s + 2) != 0)
                k++;
            if (k == a->n_names)
                return usage("unknown option %s", s);
            if (i + 1 >= argc)
                return usage("option %s needs a value", s);
            if (a->values[k])
                return usage("option %s given twice", s);
            a->values[k] = argv[++i];
        } else {
            if (a->n_pos == sizeof a->pos / sizeof a->pos[0])
                return usage("too many arguments");
            a->pos[a->n_pos++] = s;
        }
    }
    return 0;
}

/* ---- the config file ---------------------------------------------------------------- */

/* Each config key stands for the flag of the same meaning. */
static const struct {
    const char *section, *key, *option;
} conf_keys[] = {
    {"hub", "db", "db"},
    {"hub", "listen", "listen"},
    {"hub", "sign_key", "sign-key"},
    {"hub", "tls_cert", "tls-cert"},
    {"hub", "tls_key", "tls-key"},
    {"limits", "per_ip", "per-ip-limit"},
    {"limits", "connections", "connection-limit"},
    {"console", "upstream_key", "console-key"},
    {"console", "assets", "console-assets"},
    {"updates", "dir", "updates-dir"},
};
#define CONF_KEYS (sizeof conf_keys / sizeof conf_keys[0])
static char *conf_values[CONF_KEYS];

static int conf_handler(void *user, const char *section, const char *name, const char *value)
{
    (void)user;
    for (size_t i = 0; i < CONF_KEYS; i++) {
        if (strcmp(conf_keys[i].section, section) == 0 && strcmp(conf_keys[i].key, name) == 0) {
            free(conf_values[i]);
            conf_values[i] = *value ? strdup(value) : NULL;
            return 1;
        }
    }
    return 0; /* an unknown key: refused, with its line */
}

/* Read the config file: explicit (--config), else $KIOSK_HUB_CONFIG (empty: none), else
 * the default path when it exists. 0, or EXIT_USAGE / EXIT_FAIL after saying why. */
static int load_config(const char *explicit_path)
{
    const char *path = explicit_path;
    int must_exist = path != NULL;
    if (!path) {
        const char *env = getenv("KIOSK_HUB_CONFIG");
        if (env) {
            if (!*env)
                return 0;
            path = env;
            must_exist = 1;
        } else {
            path = KIOSK_HUB_CONFIG_DEFAULT;
        }
    }
    if (!must_exist && access(path, F_OK) != 0)
        return 0;
    int line = ini_parse(path, conf_handler, NULL);
    if (line < 0)
        return fail("cannot read the config file %s", path);
    if (line > 0) {
        return usage("%s line %d: not a known setting ([hub] db, listen, sign_key, tls_cert,"
                     " tls_key; [limits] per_ip, connections; [console] upstream_key, assets;"
                     " [updates] dir)",
                     path, line);
    }
    return 0;
}

static const char *conf_value(const char *option)
{
    for (size_t i = 0; i < CONF_KEYS; i++)
        if (strcmp(conf_keys[i].option, option) == 0)
            return conf_values[i];
    return NULL;
}

/* A flag's value; without the flag, the config file's value for it. */
static const char *opt(const args *a, const char *name)
{
    for (size_t k = 0; k < a->n_names; k++)
        if (strcmp(a->names[k], name) == 0)
            return a->values[k] ? a->values[k] : conf_value(name);
    return NULL;
}

/* Open the database; must_exist: refuse to create one (read-only commands). */
static int open_db(const char *path, int must_exist, hub_db **db)
{
    struct stat st;
    if (must_exist && !hub_db_is_url(path) && stat(path, &st) != 0)
        return fail("no database at %s", path);
    kiosk_rc rc = hub_db_open(path, db);
    if (rc != KIOSK_OK)
        return fail("cannot open the database %s: %s", path, kiosk_strerror(rc));
    return 0;
}

/* ---- keygen ---------------------------------------------------------------------- */

static int write_new_file(const char *path, const void *data, size_t n, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, data, n);
    int ok = w == (ssize_t)n && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        unlink(path);
        return -1;
    }
    return 0;
}

static int cmd_keygen(int argc, char **argv)
{
    static const char *const known[] = {"out", NULL};
    args a;
    int u = parse_args(argc, argv, known, &a);
    if (u)
        return u;
    const char *dir = opt(&a, "out");
    if (!dir || a.n_pos)
        return usage("keygen takes --out DIR");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return fail("cannot create %s: %s", dir, strerror(errno));
    char key_path[4096], pub_path[4096];
    snprintf(key_path, sizeof key_path, "%s/upstream.key", dir);
    snprintf(pub_path, sizeof pub_path, "%s/upstream.pub", dir);
    struct stat st;
    if (stat(key_path, &st) == 0 || stat(pub_path, &st) == 0)
        return fail("%s already holds a key; refusing to overwrite it", dir);
    uint8_t pk[32], sk[32];
    crypto_box_keypair(pk, sk);
    char hex[66];
    sync_hex_format(pk, 32, hex);
    int r = write_new_file(key_path, sk, sizeof sk, 0600);
    sodium_memzero(sk, sizeof sk);
    if (r != 0)
        return fail("cannot write %s: %s", key_path, strerror(errno));
    size_t hl = strlen(hex);
    hex[hl] = '\n';
    if (write_new_file(pub_path, hex, hl + 1, 0644) != 0) {
        unlink(key_path);
        return fail("cannot write %s: %s", pub_path, strerror(errno));
    }
    fwrite(hex, 1, hl + 1, stdout);
    return 0;
}

/* ---- the hub's signing key -------------------------------------------------------- */

/* Load the hub's Ed25519 key from path, making it (mode 0600) when there is none.
 * 0 or EXIT_FAIL (message printed). A damaged key is never replaced: every unit is
 * provisioned with its public half. */
static int load_sign_key_ex(const char *path, int must_exist, uint8_t pk[32], uint8_t sk[64])
{
    FILE *f = fopen(path, "rb");
    if (!f && errno == ENOENT && must_exist)
        return fail("no hub signing key at %s: acknowledgements are signed with the key the"
                    " units hold (the one `kiosk-hub serve --sign-key` uses)",
                    path);
    if (!f && errno == ENOENT) {
        crypto_sign_keypair(pk, sk);
        if (write_new_file(path, sk, 64, 0600) != 0) {
            sodium_memzero(sk, 64);
            return fail("cannot write the signing key %s: %s", path, strerror(errno));
        }
        kiosk_log_warn("hub",
                       "made a new signing key in %s: provision its public key onto"
                       " every unit (kioskctl provision --hub-key)",
                       path);
        return 0;
    }
    if (!f)
        return fail("cannot read the signing key %s: %s", path, strerror(errno));
    uint8_t buf[65];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n != 64) {
        sodium_memzero(buf, sizeof buf);
        return fail("%s is not a hub signing key (64 bytes); refusing to replace it", path);
    }
    memcpy(sk, buf, 64);
    sodium_memzero(buf, sizeof buf);
    crypto_sign_ed25519_sk_to_pk(pk, sk);
    return 0;
}

static int load_sign_key(const char *path, uint8_t pk[32], uint8_t sk[64])
{
    return load_sign_key_ex(path, 0, pk, sk);
}

static int cmd_sign_key(int argc, char **argv)
{
    static const char *const known[] = {"key", NULL};
    args a;
    int u = parse_args(argc, argv, known, &a);
    if (u)
        return u;
    const char *path = opt(&a, "key");
    if (!path || a.n_pos)
        return usage("sign-key takes --key FILE");
    uint8_t pk[32], sk[64];
    int r = load_sign_key(path, pk, sk);
    sodium_memzero(sk, sizeof sk);
    if (r)
        return r;
    char hex[65];
    sync_hex_format(pk, 32, hex);
    printf("%s\n", hex);
    return 0;
}

/* ---- serve ----------------------------------------------------------------------- */

static int parse_listen(const char *s, char *addr, size_t size, uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return 0;
    const char *a = s;
    size_t alen = (size_t)(colon - s);
    if (a[0] == '[') {
        if (alen < 3 || a[alen - 1] != ']')
            return 0;
        a++;
        alen -= 2;
    }
    if (alen == 0 || alen >= size)
        return 0;
    memcpy(addr, a, alen);
    addr[alen] = '\0';
    char *end;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || p > 65535)
        return 0;
    *port = (uint16_t)p;
    return 1;
}

static int write_port_file(const char *path, uint16_t port)
{
    char tmp[4200], text[16];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int n = snprintf(text, sizeof text, "%u\n", (unsigned)port);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int ok = fwrite(text, 1, (size_t)n, f) == (size_t)n;
    if (fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    static const char *const known[] = {
        "db",          "listen",         "tls-cert",     "tls-key",
        "sign-key",    "port-file",      "per-ip-limit", "connection-limit",
        "console-key", "console-assets", "updates-dir",  NULL};
    /* the options without a value, taken out before the pairs are read */
    int plain = 0, plain_login = 0, m = 0;
    char *rest[64];
    for (int i = 0; i < argc && m < 64; i++) {
        if (strcmp(argv[i], "--plain-http-loopback-test") == 0)
            plain = 1;
        else if (strcmp(argv[i], "--console-plain-login") == 0)
            plain_login = 1;
        else
            rest[m++] = argv[i];
    }
    args a;
    int u = parse_args(m, rest, known, &a);
    if (u)
        return u;
    const char *db_path = opt(&a, "db"), *listen = opt(&a, "listen");
    if (!db_path || a.n_pos)
        return usage("serve needs --db PATH");
    if (!opt(&a, "sign-key"))
        return usage("serve needs --sign-key FILE (the hub's signing key; made when missing)");
    if (!opt(&a, "tls-cert") != !opt(&a, "tls-key"))
        return usage("--tls-cert and --tls-key go together");
    if (!opt(&a, "tls-cert") && !plain)
        return usage("serve needs --tls-cert and --tls-key (plain HTTP only with"
                     " --plain-http-loopback-test, on 127.0.0.1 or ::1)");
    hub_server_options o;
    hub_server_options_init(&o);
    char addr[128] = "127.0.0.1";
    o.port = DEFAULT_PORT;
    if (listen && !parse_listen(listen, addr, sizeof addr, &o.port))
        return usage("--listen takes ADDR:PORT, e.g. 127.0.0.1:8080 or [::1]:8080");
    o.bind_address = addr;
    o.tls_cert_file = opt(&a, "tls-cert");
    o.tls_key_file = opt(&a, "tls-key");
    o.plain_http_loopback_test = plain;
    if (plain_login && !plain)
        return usage("--console-plain-login goes only with --plain-http-loopback-test");
    o.console_plain_http_login = plain_login;
    o.console_upstream_key_file = opt(&a, "console-key");
    o.console_assets_dir = opt(&a, "console-assets");
    if (!o.console_upstream_key_file != !o.console_assets_dir)
        return usage("--console-key and --console-assets go together");
    o.updates_dir = opt(&a, "updates-dir"); /* README: "Updates" */
    if (opt(&a, "per-ip-limit")) {
        /* kiosks behind one NAT address share this limit */
        char *end;
        unsigned long v = strtoul(opt(&a, "per-ip-limit"), &end, 10);
        if (*end || v < 1 || v > 1000)
            return usage("--per-ip-limit takes 1 to 1000 connections");
        o.per_ip_limit = (unsigned)v;
    }
    if (opt(&a, "connection-limit")) {
        char *end;
        unsigned long v = strtoul(opt(&a, "connection-limit"), &end, 10);
        if (*end || v < 1 || v > 100000)
            return usage("--connection-limit takes 1 to 100000 connections");
        o.connection_limit = (unsigned)v;
    }
    if (plain && strcmp(addr, "127.0.0.1") != 0 && strcmp(addr, "::1") != 0)
        return usage("--plain-http-loopback-test listens on 127.0.0.1 or ::1 only");
    uint8_t sign_pk[32], sign_sk[64];
    int kr = load_sign_key(opt(&a, "sign-key"), sign_pk, sign_sk);
    if (kr)
        return kr;
    o.sign_secret_key = sign_sk;
    /* room for the connection limit: one descriptor per connection */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    /* Block the stop signals in every thread (the server thread inherits the mask), so
     * only sigwait below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    hub_db *db = NULL;
    int r = open_db(db_path, 0, &db);
    if (r) {
        sodium_memzero(sign_sk, sizeof sign_sk);
        return r;
    }
    hub_server *srv = NULL;
    kiosk_rc rc = hub_server_start(db, &o, &srv);
    sodium_memzero(sign_sk, sizeof sign_sk); /* the server keeps its own copy */
    if (rc != KIOSK_OK) {
        hub_db_close(db);
        return fail("cannot serve on %s port %u: %s", addr, (unsigned)o.port, kiosk_strerror(rc));
    }
    const char *port_file = opt(&a, "port-file");
    if (port_file && write_port_file(port_file, hub_server_port(srv)) != 0) {
        hub_server_stop(srv);
        hub_db_close(db);
        return fail("cannot write the port file %s", port_file);
    }
    /* systemd (Type=notify): started only now, listening and with its database open */
    char status[96];
    snprintf(status, sizeof status, "STATUS=listening on port %u, %s store",
             (unsigned)hub_server_port(srv), hub_db_backend(db));
    kiosk_notify(status);
    kiosk_notify("READY=1");
    int sig = 0;
    while (sigwait(&stop, &sig) != 0) {
    }
    kiosk_notify("STOPPING=1");
    kiosk_log_info("hub", "signal %d: shutting down", sig);
    hub_server_stop(srv);
    hub_db_close(db);
    return 0;
}

/* ---- device ---------------------------------------------------------------------- */

static void format_local(int64_t ms, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (localtime_r(&t, &tm))
        strftime(out, size, "%Y-%m-%dT%H:%M:%S%z", &tm);
    else
        snprintf(out, size, "?");
}

static int cmd_device(int argc, char **argv)
{
    if (argc < 1)
        return usage("device needs add, list or remove");
    const char *verb = argv[0];
    static const char *const known[] = {"db", "hall", NULL};
    args a;
    int u = parse_args(argc - 1, argv + 1, known, &a);
    if (u)
        return u;
    const char *db_path = opt(&a, "db");
    if (!db_path)
        return usage("device %s needs --db PATH", verb);
    uint8_t pk[32];
    hub_db *db = NULL;
    int r;
    kiosk_rc rc;
    if (strcmp(verb, "add") == 0) {
        if (a.n_pos < 1 || a.n_pos > 2)
            return usage("device add takes HEXPK [NAME]");
        if (!sync_hex_parse(a.pos[0], pk, sizeof pk))
            return usage("HEXPK must be 64 hex digits (the device's public key)");
        if ((r = open_db(db_path, 0, &db)))
            return r;
        rc = hub_db_device_add(db, pk, a.n_pos > 1 ? a.pos[1] : "", now_ms());
        if (rc == KIOSK_OK && opt(&a, "hall"))
            rc = hub_device_set_hall(db, pk, opt(&a, "hall"));
        hub_db_close(db);
        if (rc != KIOSK_OK)
            return fail("cannot add the device: %s", kiosk_strerror(rc));
        return 0;
    }
    if (strcmp(verb, "hall") == 0) {
        if (a.n_pos != 2 || !sync_hex_parse(a.pos[0], pk, sizeof pk))
            return usage("device hall takes HEXPK CODE");
        if ((r = open_db(db_path, 1, &db)))
            return r;
        rc = hub_device_set_hall(db, pk, a.pos[1]);
        hub_db_close(db);
        if (rc == KIOSK_NOT_FOUND)
            return fail("no such device");
        if (rc != KIOSK_OK)
            return fail("cannot set the hall: %s", kiosk_strerror(rc));
        return 0;
    }
    if (strcmp(verb, "remove") == 0) {
        if (a.n_pos != 1)
            return usage("device remove takes HEXPK");
        if (!sync_hex_parse(a.pos[0], pk, sizeof pk))
            return usage("HEXPK must be 64 hex digits (the device's public key)");
        if ((r = open_db(db_path, 1, &db)))
            return r;
        rc = hub_db_device_remove(db, pk);
        hub_db_close(db);
        if (rc == KIOSK_NOT_FOUND)
            return fail("no such device");
        if (rc != KIOSK_OK)
            return fail("cannot remove the device: %s", kiosk_strerror(rc));
        return 0;
    }
    if (strcmp(verb, "list") == 0) {
        if (a.n_pos)
            return usage("device list takes no arguments");
        if ((r = open_db(db_path, 1, &db)))
            return r;
        hub_device *list;
        size_t n;
        rc = hub_db_device_list(db, &list, &n);
        hub_db_close(db);
        if (rc != KIOSK_OK)
            return fail("cannot list the devices: %s", kiosk_strerror(rc));
        for (size_t i = 0; i < n; i++) {
            char hex[65], added[40];
            sync_hex_format(list[i].public_key, 32, hex);
            format_local(list[i].added_ms, added, sizeof added);
            printf("%s %s records %lld%s %s\n", hex, added, (long long)list[i].records,
                   list[i].removed ? " removed" : "", list[i].name);
        }
        free(list);
        return 0;
    }
    return usage("unknown device command %s", verb);
}

/* ---- import ---------------------------------------------------------------------- */

static int read_file(const char *path, size_t cap, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return -1;
    }
    size_t n = fread(buf, 1, cap + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > cap) {
        free(buf);
        errno = bad ? EIO : EFBIG;
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

/* The devices an import touched, for their acknowledgement bundles. */
typedef struct touched {
    uint8_t devices[ACKS_DEVICES_MAX][32];
    size_t n;
} touched;

static void touch(touched *t, const uint8_t device[32])
{
    for (size_t i = 0; i < t->n; i++)
        if (memcmp(t->devices[i], device, 32) == 0)
            return;
    if (t->n < ACKS_DEVICES_MAX)
        memcpy(t->devices[t->n++], device, 32);
}

/* Import one bundle; 0, EXIT_REJECTED (some records rejected) or EXIT_FAIL (the file
 * refused); the message is printed. */
static int import_one(hub_db *db, const char *path, touched *t)
{
    char *data;
    size_t len;
    if (read_file(path, (size_t)SYNC_MAX_BODY + 4096, &data, &len) != 0)
        return fail("%s: cannot read: %s%s", path, strerror(errno),
                    errno == EFBIG ? " (over the hub's limit: export again with this"
                                     " firmware, which splits a backlog into several bundles)"
                                   : "");
    sync_bundle b;
    kiosk_rc rc = sync_bundle_parse(data, len, &b);
    int r = 0;
    sync_record *recs = NULL;
    size_t n = 0;
    sync_result *results = NULL;
    sync_head head;
    if (rc != KIOSK_OK) {
        r = fail("%s: not a bundle (%s)", path, kiosk_strerror(rc));
    } else if ((rc = hub_db_device_known(db, b.device)) != KIOSK_OK) {
        r = rc == KIOSK_NOT_FOUND ? fail("%s: device not registered", path)
                                  : fail("%s: %s", path, kiosk_strerror(rc));
    } else if (sync_request_verify(b.device, SYNC_BUNDLE_METHOD, SYNC_PATH_EVENTS, b.time_ms,
                                   b.body, b.body_len, b.sig)) {
        /* kiosk events (help requests) a unit without a network carried: kept as the
         * HTTP path keeps them, once per (device, seq, at_ms) */
        sync_event *evs = NULL;
        size_t nev = 0;
        if ((rc = sync_events_decode(b.body, b.body_len, &evs, &nev)) != KIOSK_OK)
            r = fail("%s: malformed events (%s)", path, kiosk_strerror(rc));
        else if ((rc = hub_db_events_add(db, b.device, evs, nev, now_ms())) != KIOSK_OK)
            r = fail("%s: cannot store the events: %s", path, kiosk_strerror(rc));
        else
            printf("%s: %zu kiosk events (help requests)\n", path, nev);
        free(evs);
    } else if (sync_request_verify(b.device, SYNC_BUNDLE_METHOD, HEALTH_REPORT_PATH, b.time_ms,
                                   b.body, b.body_len, b.sig)) {
        /* the unit's health report ("-health.kb"), kept as the HTTP path keeps it */
        health_report hr;
        int added = 0;
        if ((rc = health_report_decode(b.body, b.body_len, &hr)) != KIOSK_OK)
            r = fail("%s: malformed health report (%s)", path, kiosk_strerror(rc));
        else if ((rc = hub_db_health_add(db, b.device, &hr, "bundle", now_ms(), &added)) !=
                 KIOSK_OK)
            r = fail("%s: cannot store the health report: %s", path, kiosk_strerror(rc));
        else
            printf("%s: health report %lld%s\n", path, (long long)hr.seq,
                   added ? "" : " (held already)");
    } else if (!sync_request_verify(b.device, SYNC_BUNDLE_METHOD, SYNC_PATH_RECORDS, b.time_ms,
                                    b.body, b.body_len, b.sig)) {
        r = fail("%s: bad bundle signature", path);
    } else if ((rc = sync_body_decode_head(b.body, b.body_len, &recs, &n, &head)) != KIOSK_OK) {
        r = fail("%s: malformed body (%s)", path, kiosk_strerror(rc));
    } else if (n && !(results = calloc(n, sizeof *results))) {
        r = fail("%s: out of memory", path);
    } else if ((rc = hub_db_ingest_epoch(db, b.device, head.has_epoch ? head.epoch : NULL, recs, n,
                                         "bundle", now_ms(), results)) != KIOSK_OK) {
        r = fail("%s: cannot store the records: %s", path, kiosk_strerror(rc));
    } else {
        size_t c[3] = {0, 0, 0};
        for (size_t i = 0; i < n; i++)
            c[results[i].status]++;
        printf("%s: accepted %zu duplicate %zu rejected %zu\n", path, c[SYNC_ACCEPTED],
               c[SYNC_DUPLICATE], c[SYNC_REJECTED]);
        for (size_t i = 0; i < n; i++)
            if (results[i].status == SYNC_REJECTED)
                fprintf(stderr, "hub: %s: record %s rejected: %s\n", path, results[i].uuid,
                        results[i].reason);
        if (c[SYNC_REJECTED])
            r = EXIT_REJECTED;
        touch(t, b.device);
    }
    free(results);
    sync_records_free(recs, n);
    free(data);
    return r;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every bundle in a directory (a USB stick): visible files ending in ".kb", by name.
 * Hidden files — an interrupted export's ".<name>.kb.part" — are never bundles. */
static int import_dir(hub_db *db, const char *dir, touched *t)
{
    DIR *d = opendir(dir);
    if (!d)
        return fail("%s: cannot read: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 4 || strcmp(e->d_name + l - 3, ".kb") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = realloc(names, cap * sizeof *p);
            if (!p) {
                r = fail("out of memory");
                break;
            }
            names = p;
        }
        if (!(names[n] = strdup(e->d_name))) {
            r = fail("out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (!r && n == 0)
        r = fail("%s: no bundles (*.kb) in it", dir);
    if (!r)
        qsort(names, n, sizeof *names, name_cmp);
    int listed = !r; /* the names were read: every file is tried, whatever one did */
    for (size_t i = 0; listed && i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        int one = import_one(db, path, t);
        if (one == EXIT_FAIL || (one && !r))
            r = one;
    }
    /* keep going after a refused file: r is the worst, EXIT_FAIL over EXIT_REJECTED */
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return r;
}

/* Write the acknowledgement bundle of one device to path. 0 or EXIT_FAIL. */
static int write_acks(hub_db *db, const uint8_t sk[64], const uint8_t device[32], const char *path)
{
    sync_result *res = NULL;
    size_t n = 0;
    char *body = NULL;
    size_t len = 0;
    int64_t t = now_ms();
    kiosk_rc rc = hub_db_device_results(db, device, SYNC_MAX_RECORDS, &res, &n);
    if (rc == KIOSK_OK)
        rc = sync_results_encode(res, n, t, &body, &len);
    if (rc == KIOSK_OK)
        rc = sync_acks_write(path, sk, device, t, body, len);
    free(body);
    free(res);
    if (rc == KIOSK_NOT_FOUND)
        return fail("no such device");
    if (rc != KIOSK_OK)
        return fail("cannot write the acknowledgements %s: %s", path, kiosk_strerror(rc));
    printf("%s: acknowledges %zu records\n", path, n);
    return 0;
}

static int cmd_import(int argc, char **argv)
{
    static const char *const known[] = {"db", "sign-key", "acks-dir", NULL};
    args a;
    int u = parse_args(argc, argv, known, &a);
    if (u)
        return u;
    const char *db_path = opt(&a, "db"), *key_path = opt(&a, "sign-key");
    const char *acks_dir = opt(&a, "acks-dir");
    if (!db_path || a.n_pos == 0)
        return usage("import needs --db PATH and at least one BUNDLE or DIR");
    if (!key_path != !acks_dir)
        return usage("--sign-key and --acks-dir go together");
    uint8_t pk[32], sk[64];
    if (key_path && load_sign_key_ex(key_path, 1, pk, sk) != 0)
        return EXIT_FAIL;
    hub_db *db = NULL;
    int r = open_db(db_path, 0, &db);
    if (r) {
        sodium_memzero(sk, sizeof sk);
        return r;
    }
    touched *t = calloc(1, sizeof *t);
    if (!t) {
        hub_db_close(db);
        sodium_memzero(sk, sizeof sk);
        return fail("out of memory");
    }
    for (size_t i = 0; i < a.n_pos; i++) {
        struct stat st;
        int one = stat(a.pos[i], &st) == 0 && S_ISDIR(st.st_mode) ? import_dir(db, a.pos[i], t)
                                                                  : import_one(db, a.pos[i], t);
        if (one == EXIT_FAIL || (one && !r))
            r = one;
    }
    /* what the hub now holds for each unit it heard from, signed, for the way back */
    for (size_t i = 0; acks_dir && i < t->n; i++) {
        char name[SYNC_ACKS_NAME_MAX], path[4200];
        sync_acks_file_name(t->devices[i], name);
        snprintf(path, sizeof path, "%s/%s", acks_dir, name);
        if (write_acks(db, sk, t->devices[i], path) != 0)
            r = EXIT_FAIL;
    }
    sodium_memzero(sk, sizeof sk);
    free(t);
    fflush(stdout);
    hub_db_close(db);
    return r;
}

static int cmd_export_acks(int argc, char **argv)
{
    static const char *const known[] = {"db", "sign-key", "device", "out", NULL};
    args a;
    int u = parse_args(argc, argv, known, &a);
    if (u)
        return u;
    const char *db_path = opt(&a, "db"), *key_path = opt(&a, "sign-key");
    const char *dev = opt(&a, "device"), *out = opt(&a, "out");
    uint8_t device[32];
    if (!db_path || !key_path || !dev || !out || a.n_pos)
        return usage("export-acks needs --db, --sign-key, --device and --out");
    if (!sync_hex_parse(dev, device, sizeof device))
        return usage("--device takes the unit's public key, 64 hex digits (kioskctl status)");
    uint8_t pk[32], sk[64];
    if (load_sign_key_ex(key_path, 1, pk, sk) != 0)
        return EXIT_FAIL;
    hub_db *db = NULL;
    int r = open_db(db_path, 1, &db);
    if (!r)
        r = write_acks(db, sk, device, out);
    sodium_memzero(sk, sizeof sk);
    hub_db_close(db);
    return r;
}

/* ---- export ---------------------------------------------------------------------- */

static int load_secret_key(const char *path, uint8_t pk[32], uint8_t sk[32])
{
    char file[4200];
    struct stat st;
    if (stat(path, &st) != 0)
        return fail("no key at %s", path);
    if (S_ISDIR(st.st_mode))
        snprintf(file, sizeof file, "%s/upstream.key", path);
    else
        snprintf(file, sizeof file, "%s", path);
    FILE *f = fopen(file, "rb");
    if (!f)
        return fail("cannot read the key %s: %s", file, strerror(errno));
    uint8_t buf[33];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n != 32) {
        sodium_memzero(buf, sizeof buf);
        return fail("%s is not an upstream key (32 bytes)", file);
    }
    memcpy(sk, buf, 32);
    sodium_memzero(buf, sizeof buf);
    crypto_scalarmult_base(pk, sk);
    return 0;
}

static int cmd_export(int argc, char **argv)
{
    static const char *const known[] = {"db", "key", "assets", "out", NULL};
    args a;
    int u = parse_args(argc, argv, known, &a);
    if (u)
        return u;
    const char *db_path = opt(&a, "db"), *key = opt(&a, "key"), *assets = opt(&a, "assets");
    const char *out_path = opt(&a, "out");
    if (!db_path || !key || !assets || !out_path || a.n_pos)
        return usage("export needs --db, --key, --assets and --out");
    uint8_t pk[32], sk[32];
    int r = load_secret_key(key, pk, sk);
    if (r)
        return r;
    char path[4200];
    codes_tables *codes = NULL;
    divisions *divs = NULL;
    hub_db *db = NULL;
    snprintf(path, sizeof path, "%s/codes", assets);
    kiosk_rc rc = codes_load(path, &codes);
    if (rc != KIOSK_OK) {
        r = fail("cannot load the code tables in %s: %s", path, kiosk_strerror(rc));
        goto out;
    }
    snprintf(path, sizeof path, "%s/divisions/divisions.txt", assets);
    rc = divisions_load(path, &divs);
    if (rc != KIOSK_OK) {
        r = fail("cannot load the divisions %s: %s", path, kiosk_strerror(rc));
        goto out;
    }
    if ((r = open_db(db_path, 1, &db)))
        goto out;
    /* Plaintext: written to a private temporary file, renamed only when complete. */
    snprintf(path, sizeof path, "%s.part", out_path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        r = fail("cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    hub_export_stats stats;
    rc = hub_export_csv(db, pk, sk, codes, divs, f, &stats);
    if (fsync(fileno(f)) != 0 && rc == KIOSK_OK)
        rc = KIOSK_IO;
    if (fclose(f) != 0 && rc == KIOSK_OK)
        rc = KIOSK_IO;
    if (rc == KIOSK_OK && rename(path, out_path) != 0)
        rc = KIOSK_IO;
    if (rc != KIOSK_OK) {
        unlink(path);
        r = fail("export failed: %s", kiosk_strerror(rc));
        goto out;
    }
    printf("exported %zu failed %zu\n", stats.exported, stats.failed);
    if (stats.failed)
        r = fail("%zu records could not be opened or verified and were not exported"
                 " (their uuids are in the log above)",
                 stats.failed);
out:
    sodium_memzero(sk, sizeof sk);
    hub_db_close(db);
    divisions_destroy(divs);
    codes_destroy(codes);
    return r;
}

/* ---- status ---------------------------------------------------------------------- */

/* One line per unit whose latest health report shows a problem (hub_health_problem). */
static kiosk_rc status_health_one(void *ctx, const hub_db_health *h)
{
    size_t *count = ctx;
    char why[160], hex[65], at[32];
    if (!hub_health_problem(&h->report, why, sizeof why))
        return KIOSK_OK;
    sync_hex_format(h->device, 32, hex);
    format_local(h->report.at_ms, at, sizeof at);
    printf("unit health: device %.16s name \"%s\": %s (report of %s)\n", hex, h->device_name, why,
           at);
    (*count)++;
    return KIOSK_OK;
}

static void status_health(hub_db *db)
{
    size_t count = 0;
    if (hub_db_health_latest(db, status_health_one, &count) == KIOSK_OK && count == 0)
        printf("unit health: no problem reported (kiosk-hub health)\n");
}

static int cmd_status(int argc, char **argv)
{
    static const char *const known[] = {"db", NULL};
    args a;
    int u = parse_args(argc, argv, known, &a);
    if (u)
        return u;
    const char *db_path = opt(&a, "db");
    if (!db_path || a.n_pos)
        return usage("status needs --db PATH");
    hub_db *db = NULL;
    int r = open_db(db_path, 1, &db);
    if (r)
        return r;
    hub_device *list = NULL;
    size_t n = 0;
    kiosk_rc rc = hub_db_device_list(db, &list, &n);
    if (rc != KIOSK_OK)
        r = fail("cannot list the devices: %s", kiosk_strerror(rc));
    if (rc == KIOSK_OK && n == 0)
        printf("no devices\n");
    for (size_t i = 0; rc == KIOSK_OK && i < n; i++) {
        hub_gap *gaps = NULL;
        size_t ng = 0;
        rc = hub_db_gaps(db, list[i].public_key, &gaps, &ng);
        if (rc != KIOSK_OK) {
            r = fail("cannot compute gaps: %s", kiosk_strerror(rc));
            break;
        }
        char hex[65];
        sync_hex_format(list[i].public_key, 32, hex);
        printf("device %.16s name \"%s\"%s records %lld max_seq %lld gaps: ", hex, list[i].name,
               list[i].removed ? " (removed)" : "", (long long)list[i].records,
               (long long)list[i].max_seq);
        if (ng == 0)
            printf("none");
        static const uint8_t legacy[16];
        for (size_t g = 0; g < ng; g++) {
            /* seqs are per store epoch: a gap outside the legacy epoch names its epoch */
            char ep[20] = "";
            if (memcmp(gaps[g].epoch, legacy, 16) != 0) {
                char ehex[33];
                sync_hex_format(gaps[g].epoch, 16, ehex);
                snprintf(ep, sizeof ep, "epoch %.8s ", ehex);
            }
            if (gaps[g].first == gaps[g].last)
                printf("%s%s%lld", g ? ", " : "", ep, (long long)gaps[g].first);
            else
                printf("%s%s%lld-%lld", g ? ", " : "", ep, (long long)gaps[g].first,
                       (long long)gaps[g].last);
        }
        printf("\n");
        free(gaps);
    }
    free(list);
    int64_t kept = 0, conflicts = 0;
    if (r == 0 && hub_db_reconcile_count(db, &kept, &conflicts) == KIOSK_OK)
        printf("refused records kept for reconciliation: %lld (seq_conflict %lld, uuid_conflict"
               " %lld)\n",
               (long long)kept, (long long)conflicts, (long long)(kept - conflicts));
    int64_t help = 0;
    if (r == 0 && hub_db_event_count(db, SYNC_EVENT_HELP, now_ms() - 3600000, &help) == KIOSK_OK)
        printf("help requests in the last hour: %lld (hub events --since 1h)\n", (long long)help);
    if (r == 0)
        status_health(db);
    hub_db_close(db);
    return r;
}

/* ---- events ---------------------------------------------------------------------- */

/* "30m", "2h", "7d", "90s" back from now, or milliseconds since 1970; 1 good. */
static int parse_since(const char *s, int64_t now, int64_t *out)
{
    char *end = NULL;
    if (!s || !*s || *s == '-')
        return 0;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || v < 0)
        return 0;
    int64_t unit = 0;
    if (!strcmp(end, "s"))
        unit = 1000;
    else if (!strcmp(end, "m"))
        unit = 60000;
    else if (!strcmp(end, "h"))
        unit = 3600000;
    else if (!strcmp(end, "d"))
        unit = 86400000;
    else if (*end)
        return 0;
    if (!unit) {
        *out = v;
        return 1;
    }
    if (v > 100000 * 365LL)
        return 0;
    *out = now - (int64_t)v * unit;
    return 1;
}

static kiosk_rc print_event(void *ctx, const hub_db_event *e)
{
    size_t *count = ctx;
    char hex[65], at[32], got[32];
    sync_hex_format(e->device, 32, hex);
    format_local(e->at_ms, at, sizeof at);
    format_local(e->received_ms, got, sizeof got);
    printf("%s  %-12s device %.16s name \"%s\" hall %s step %s seq %lld (unit clock %s)\n", got,
           e->kind, hex, e->device_name, e->hall_code[0] ? e->hall_code : "-", e->step,
           (long long)e->seq, at);
    (*count)++;
    return KIOSK_OK;
}

static int cmd_events(int argc, char **argv)
{
    static const char *const known[] = {"db", "since", NULL};
    args a;
    int u = parse_args(argc, argv, known, &a);
    if (u)
        return u;
    const char *db_path = opt(&a, "db");
    if (!db_path || a.n_pos)
        return usage("events needs --db PATH");
    int64_t now = now_ms(), since = now - 86400000;
    if (opt(&a, "since") && !parse_since(opt(&a, "since"), now, &since))
        return usage("--since takes a duration (30m, 2h, 7d) or milliseconds since 1970");
    hub_db *db = NULL;
    int r = open_db(db_path, 1, &db);
    if (r)
        return r;
    size_t count = 0;
    kiosk_rc rc = hub_db_foreach_event(db, since, print_event, &count);
    if (rc != KIOSK_OK)
        r = fail("cannot list the events: %s", kiosk_strerror(rc));
    else if (count == 0)
        printf("no events\n");
    hub_db_close(db);
    return r;
}

/* ---- processing state --------------------------------------------------------------- */

/* Who changes a state, for its history: --by NAME, else the login running the command. */
static void state_actor(const char *by, const char *kind, char *out, size_t size)
{
    const char *who = by ? by : getenv("SUDO_USER") ? getenv("SUDO_USER") : getenv("USER");
    snprintf(out, size, "%s:%s", kind, who && who[0] ? who : "unknown");
    for (char *c = out; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            *c = '?';
}

/* A record named as its uuid, or as the receipt shows it: DEVICE-ID/RECEIPT-NO (the unit's
 * id printed on the receipt, e.g. a1b2c3d4/DEMO01-20261205-0001), found through the records'
 * metadata. 0 with uuid set, or the exit code after saying why. */
static int state_target(hub_db *db, const char *arg, char uuid[SYNC_UUID_LEN + 1])
{
    if (sync_uuid_valid(arg)) {
        memcpy(uuid, arg, SYNC_UUID_LEN + 1);
        return 0;
    }
    const char *slash = strchr(arg, '/');
    if (!slash || slash - arg != RECEIPT_DEVICE_ID_LEN || !hub_db_meta_receipt_ok(slash + 1))
        return usage("a record is its uuid or DEVICE-ID/RECEIPT-NO as on the receipt");
    hub_device *devs;
    size_t n;
    kiosk_rc rc = hub_db_device_list(db, &devs, &n);
    if (rc != KIOSK_OK)
        return fail("cannot list the devices: %s", kiosk_strerror(rc));
    rc = KIOSK_NOT_FOUND;
    for (size_t i = 0; i < n && rc == KIOSK_NOT_FOUND; i++) {
        char id[RECEIPT_DEVICE_ID_LEN + 1];
        receipt_device_id(devs[i].public_key, id);
        if (strncmp(id, arg, RECEIPT_DEVICE_ID_LEN) == 0)
            rc = hub_db_find_receipt(db, devs[i].public_key, slash + 1, uuid);
    }
    free(devs);
    if (rc == KIOSK_NOT_FOUND)
        return fail("no record with receipt %s at this hub (not synced yet, or sent without"
                    " its metadata)",
                    arg);
    return rc == KIOSK_OK ? 0 : fail("cannot look the receipt up: %s", kiosk_strerror(rc));
}

static void print_refused(void *ctx, size_t line, const char *reason)
{
    fprintf(stderr, "kiosk-hub: %s line %zu refused: %s\n", (const char *)ctx, line, reason);
}

static kiosk_rc print_change(void *ctx, const hub_db_state_change *c)
{
    (void)ctx;
    char at[40];
    format_local(c->changed_ms, at, sizeof at);
    printf("  %s %s%s%s by %s\n", at, c->state, c->note[0] ? " " : "", c->note, c->changed_by);
    return KIOSK_OK;
}

static int cmd_state(int argc, char **argv)
{
    if (argc < 1)
        return usage("state needs set, import or show");
    const char *verb = argv[0];
    static const char *const known[] = {"db", "note", "by", NULL};
    args a;
    int u = parse_args(argc - 1, argv + 1, known, &a);
    if (u)
        return u;
    const char *db_path = opt(&a, "db");
    if (!db_path)
        return usage("state %s needs --db PATH", verb);
    hub_db *db = NULL;
    int r;
    char actor[HUB_STATE_ACTOR_MAX];
    if (strcmp(verb, "set") == 0) {
        if (a.n_pos != 2)
            return usage("state set takes RECORD STATE (a uuid or DEVICE-ID/RECEIPT-NO)");
        sync_state st;
        const char *note = opt(&a, "note") ? opt(&a, "note") : "";
        if (!sync_state_parse(a.pos[1], &st) || st == SYNC_STATE_UNKNOWN)
            return usage("STATE is received, processing, approved or needs_materials");
        if (!sync_state_note_valid(note) || (note[0] && st != SYNC_STATE_NEEDS_MATERIALS))
            return usage("--note takes a material code, with needs_materials only");
        if ((r = open_db(db_path, 1, &db)))
            return r;
        char uuid[SYNC_UUID_LEN + 1];
        if ((r = state_target(db, a.pos[0], uuid))) {
            hub_db_close(db);
            return r;
        }
        state_actor(opt(&a, "by"), "cli", actor, sizeof actor);
        kiosk_rc rc = hub_db_state_set(db, uuid, st, note, actor, now_ms());
        hub_db_close(db);
        if (rc == KIOSK_NOT_FOUND)
            return fail("no record %s at this hub", a.pos[0]);
        if (rc != KIOSK_OK)
            return fail("cannot set the state: %s", kiosk_strerror(rc));
        return 0;
    }
    if (strcmp(verb, "import") == 0) {
        if (a.n_pos != 1 || opt(&a, "note"))
            return usage("state import takes FILE.csv (lines: uuid,state,note)");
        FILE *in = fopen(a.pos[0], "r");
        if (!in)
            return fail("cannot read %s: %s", a.pos[0], strerror(errno));
        if ((r = open_db(db_path, 1, &db))) {
            fclose(in);
            return r;
        }
        const char *base = strrchr(a.pos[0], '/') ? strrchr(a.pos[0], '/') + 1 : a.pos[0];
        state_actor(opt(&a, "by"), "import", actor, sizeof actor);
        size_t used = strlen(actor);
        snprintf(actor + used, sizeof actor - used, "@%s", base);
        hub_state_import_result res;
        kiosk_rc rc =
            hub_state_import(db, in, actor, now_ms(), print_refused, (void *)a.pos[0], &res);
        fclose(in);
        hub_db_close(db);
        printf("applied %zu refused %zu\n", res.applied, res.refused);
        if (rc != KIOSK_OK)
            return fail("import stopped: %s", kiosk_strerror(rc));
        return res.refused ? EXIT_REJECTED : 0;
    }
    if (strcmp(verb, "show") == 0) {
        if (a.n_pos != 1)
            return usage("state show takes RECORD (a uuid or DEVICE-ID/RECEIPT-NO)");
        if ((r = open_db(db_path, 1, &db)))
            return r;
        char uuid[SYNC_UUID_LEN + 1];
        if ((r = state_target(db, a.pos[0], uuid))) {
            hub_db_close(db);
            return r;
        }
        hub_record_state st;
        kiosk_rc rc = hub_db_state_get(db, NULL, uuid, &st);
        if (rc == KIOSK_OK && st.s.state != SYNC_STATE_UNKNOWN) {
            char at[40];
            format_local(st.s.changed_ms, at, sizeof at);
            printf("%s %s%s%s since %s by %s\n", st.s.uuid, sync_state_name(st.s.state),
                   st.s.note[0] ? " " : "", st.s.note, at, st.changed_by);
            rc = hub_db_state_history(db, uuid, print_change, NULL);
        }
        hub_db_close(db);
        if (rc != KIOSK_OK)
            return fail("cannot read the state: %s", kiosk_strerror(rc));
        if (st.s.state == SYNC_STATE_UNKNOWN)
            return fail("no record %s at this hub", a.pos[0]);
        return 0;
    }
    return usage("unknown state command %s", verb);
}

/* ---- staff (the web console's accounts) --------------------------------------------- */

/* A password from the terminal (asked twice, not echoed) or one line of stdin; never from
 * the command line, where ps and the shell's history would show it. 0 or -1. */
static int read_password(char *out, size_t cap)
{
    int tty = isatty(STDIN_FILENO);
    char again[HUB_STAFF_PASSWORD_MAX + 2];
    struct termios old, quiet;
    for (int round = 0; round < (tty ? 2 : 1); round++) {
        char *buf = round ? again : out;
        size_t size = round ? sizeof again : cap;
        if (tty) {
            fputs(round ? "again: " : "password: ", stderr);
            fflush(stderr);
            tcgetattr(STDIN_FILENO, &old);
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        char *got = fgets(buf, (int)size, stdin);
        if (tty) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
            fputs("\n", stderr);
        }
        if (!got)
            return -1;
        buf[strcspn(buf, "\r\n")] = '\0';
    }
    int same = !tty || strcmp(out, again) == 0;
    sodium_memzero(again, sizeof again);
    return same ? 0 : -1;
}

static int cmd_staff(int argc, char **argv)
{
    if (argc < 1)
        return usage("staff needs add, passwd, disable, enable or list");
    const char *verb = argv[0];
    static const char *const known[] = {"db", "role", "hall", NULL};
    args a;
    int u = parse_args(argc - 1, argv + 1, known, &a);
    if (u)
        return u;
    const char *db_path = opt(&a, "db");
    if (!db_path)
        return usage("staff %s needs --db PATH", verb);
    hub_db *db = NULL;
    int r;
    kiosk_rc rc;
    if (strcmp(verb, "list") == 0) {
        if (a.n_pos)
            return usage("staff list takes no arguments");
        if ((r = open_db(db_path, 1, &db)))
            return r;
        hub_staff *list;
        size_t n;
        rc = hub_staff_list(db, &list, &n);
        hub_db_close(db);
        if (rc != KIOSK_OK)
            return fail("cannot list the accounts: %s", kiosk_strerror(rc));
        for (size_t i = 0; i < n; i++)
            printf("%s %s%s%s%s%s\n", list[i].name, hub_staff_role_name(list[i].role),
                   list[i].halls[0] ? " halls " : "", list[i].halls,
                   list[i].disabled ? " disabled" : "",
                   list[i].locked_until_ms > now_ms() ? " locked" : "");
        free(list);
        return 0;
    }
    if (a.n_pos != 1 || !hub_staff_name_ok(a.pos[0]))
        return usage("staff %s takes one NAME (letters, digits, . _ -)", verb);
    const char *name = a.pos[0];
    if (strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0) {
        int add = strcmp(verb, "add") == 0;
        hub_staff_role role = HUB_STAFF_HALL;
        if (add && hub_staff_role_parse(opt(&a, "role"), &role) != 0)
            return usage("staff add needs --role hall or --role region");
        if (add && role == HUB_STAFF_HALL && !opt(&a, "hall"))
            return usage("a hall account needs --hall CODE[,CODE…]");
        char pw[HUB_STAFF_PASSWORD_MAX + 2];
        if (read_password(pw, sizeof pw) != 0) {
            sodium_memzero(pw, sizeof pw);
            return fail("no password read (or the two differ)");
        }
        if (strlen(pw) < HUB_STAFF_PASSWORD_MIN || strlen(pw) > HUB_STAFF_PASSWORD_MAX) {
            sodium_memzero(pw, sizeof pw);
            return fail("a password has %d to %d characters", HUB_STAFF_PASSWORD_MIN,
                        HUB_STAFF_PASSWORD_MAX);
        }
        if ((r = open_db(db_path, 0, &db))) {
            sodium_memzero(pw, sizeof pw);
            return r;
        }
        rc = add ? hub_staff_add(db, name, pw, role, opt(&a, "hall"), "cli", now_ms())
                 : hub_staff_set_password(db, name, pw, "cli", now_ms());
        sodium_memzero(pw, sizeof pw);
        hub_db_close(db);
        if (rc == KIOSK_NOT_FOUND)
            return fail("no account %s", name);
        if (rc == KIOSK_INVALID)
            return fail(add ? "cannot add %s: the name is taken, or a hall code is not valid"
                            : "cannot change the password of %s",
                        name);
        if (rc != KIOSK_OK)
            return fail("cannot %s %s: %s", verb, name, kiosk_strerror(rc));
        return 0;
    }
    if (strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0) {
        if ((r = open_db(db_path, 1, &db)))
            return r;
        rc = hub_staff_set_disabled(db, name, strcmp(verb, "disable") == 0, "cli", now_ms());
        hub_db_close(db);
        if (rc == KIOSK_NOT_FOUND)
            return fail("no account %s", name);
        if (rc != KIOSK_OK)
            return fail("cannot %s %s: %s", verb, name, kiosk_strerror(rc));
        return 0;
    }
    return usage("unknown staff command %s", verb);
}

/* ---- health ---------------------------------------------------------------------- */

static void print_health(const hub_db_health *h, int history)
{
    const health_report *r = &h->report;
    char hex[65], at[32], got[32], why[160];
    sync_hex_format(h->device, 32, hex);
    format_local(r->at_ms, at, sizeof at);
    format_local(h->received_ms, got, sizeof got);
    char battery[24];
    if (r->battery_pct >= 0)
        snprintf(battery, sizeof battery, "%d %%", r->battery_pct);
    else
        snprintf(battery, sizeof battery, "-");
    if (!history)
        printf("device %.16s name \"%s\"\n", hex, h->device_name);
    printf("%s%s (received %s, %s) version %s up %lldh%02lldm reader %s printer %s disk %d %% free"
           " (%lld MB) power %s battery %s backlog %lld sessions %lld median taps %lld help"
           " %lld\n",
           history ? "  " : "  latest ", at, got, h->source, r->version,
           (long long)(r->uptime_s / 3600), (long long)(r->uptime_s / 60 % 60),
           health_reader_name(r->reader), health_printer_name(r->printer), r->disk_free_pct,
           (long long)(r->disk_free_bytes >> 20), health_power_name(r->power), battery,
           (long long)r->backlog, (long long)r->sessions, (long long)r->median_taps,
           (long long)r->help_requests);
    if (!history && r->has_update) {
        char uat[32];
        format_local(r->update.at_ms, uat, sizeof uat);
        printf("  last update %s: %s at %s%s%s\n", r->update.version,
               health_update_result_name(r->update.result), uat, r->update.detail[0] ? " " : "",
               r->update.detail);
    }
    if (!history && hub_health_problem(r, why, sizeof why))
        printf("  problem: %s\n", why);
}

typedef struct health_walk {
    size_t count;
    const uint8_t *device; /* NULL: every device */
} health_walk;

static kiosk_rc print_latest(void *ctx, const hub_db_health *h)
{
    health_walk *w = ctx;
    if (w->device && memcmp(w->device, h->device, 32) != 0)
        return KIOSK_OK;
    print_health(h, 0);
    w->count++;
    return KIOSK_OK;
}

static kiosk_rc print_history(void *ctx, const hub_db_health *h)
{
    health_walk *w = ctx;
    static uint8_t last[32];
    if (w->count == 0 || memcmp(last, h->device, 32) != 0) {
        char hex[65];
        sync_hex_format(h->device, 32, hex);
        printf("history of %.16s \"%s\":\n", hex, h->device_name);
        memcpy(last, h->device, 32);
    }
    print_health(h, 1);
    w->count++;
    return KIOSK_OK;
}

static int cmd_health(int argc, char **argv)
{
    static const char *const known[] = {"db", "device", "days", NULL};
    args a;
    int u = parse_args(argc, argv, known, &a);
    if (u)
        return u;
    const char *db_path = opt(&a, "db");
    if (!db_path || a.n_pos)
        return usage("health needs --db PATH");
    uint8_t device[32];
    const char *dev = opt(&a, "device");
    if (dev && !sync_hex_parse(dev, device, 32))
        return usage("--device takes the unit's public key, 64 hex digits");
    long days = HUB_HEALTH_RETENTION_DAYS;
    if (opt(&a, "days")) {
        char *end = NULL;
        days = strtol(opt(&a, "days"), &end, 10);
        if (!end || *end || days < 1 || days > 3650)
            return usage("--days takes a number of days (1 to 3650)");
    }
    hub_db *db = NULL;
    int r = open_db(db_path, 1, &db);
    if (r)
        return r;
    health_walk w = {.device = dev ? device : NULL};
    kiosk_rc rc = hub_db_health_latest(db, print_latest, &w);
    if (rc == KIOSK_OK && w.count == 0)
        printf("no health reports\n");
    if (rc == KIOSK_OK && w.count) {
        w.count = 0;
        rc = hub_db_health_history(db, dev ? device : NULL, now_ms() - days * 86400000LL,
                                   print_history, &w);
    }
    if (rc != KIOSK_OK)
        r = fail("cannot list the health reports: %s", kiosk_strerror(rc));
    hub_db_close(db);
    return r;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return fail("libsodium failed to start");
    if (argc < 2)
        return usage("no command");
    const char *cmd = argv[1];
    /* --config FILE, anywhere after the command, is taken out before the command reads
     * its flags */
    const char *config = NULL;
    int m = 2;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc)
                return usage("option --config needs a value");
            config = argv[++i];
        } else {
            argv[m++] = argv[i];
        }
    }
    argc = m;
    if (strcmp(cmd, "--help") != 0 && strcmp(cmd, "help") != 0) {
        int c = load_config(config);
        if (c)
            return c;
    }
    if (strcmp(cmd, "serve") != 0)
        kiosk_log_set_level(KIOSK_LOG_WARN);
    if (strcmp(cmd, "keygen") == 0)
        return cmd_keygen(argc - 2, argv + 2);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "sign-key") == 0)
        return cmd_sign_key(argc - 2, argv + 2);
    if (strcmp(cmd, "device") == 0)
        return cmd_device(argc - 2, argv + 2);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(argc - 2, argv + 2);
    if (strcmp(cmd, "export") == 0)
        return cmd_export(argc - 2, argv + 2);
    if (strcmp(cmd, "export-acks") == 0)
        return cmd_export_acks(argc - 2, argv + 2);
    if (strcmp(cmd, "status") == 0)
        return cmd_status(argc - 2, argv + 2);
    if (strcmp(cmd, "events") == 0)
        return cmd_events(argc - 2, argv + 2);
    if (strcmp(cmd, "state") == 0)
        return cmd_state(argc - 2, argv + 2);
    if (strcmp(cmd, "health") == 0)
        return cmd_health(argc - 2, argv + 2);
    if (strcmp(cmd, "staff") == 0)
        return cmd_staff(argc - 2, argv + 2);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    return usage("unknown command %s", cmd);
}
