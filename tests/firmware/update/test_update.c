/* The unit's updates against a real hub on 127.0.0.1 (hub_http + hub_db in this process,
 * bundles served from a folder): the signed manifest (and one signed by another key,
 * ignored), the unit's own folder first, the download resumed after an interruption, a
 * damaged part (wrong hash), the hub down, not enough disk; the install only when idle —
 * never while a session is open — with RAUC behind a test double; the refusals; the
 * status file's exact format; the fall-back found at the next start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/kiosk_clock.h"
#include "hub/hub_db.h"
#include "hub/hub_http.h"
#include "proto/sync_proto.h"
#include "store/store.h"
#include "update/update.h"

static char dir[512], state[600], hubdir[600], hubdb[700], db[700], url[128], boot_file[600];
static uint8_t hub_pk[32], hub_sk[64];
static store_device_key key;
static hub_db *hdb;
static hub_server *srv;
static unsigned char *bundle_bytes;
static size_t bundle_size = 300000;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void hub_up(void)
{
    hub_server_options opt;
    hub_server_options_init(&opt);
    opt.sign_secret_key = hub_sk;
    opt.plain_http_loopback_test = 1;
    opt.updates_dir = hubdir;
    assert_int_equal(hub_server_start(hdb, &opt, &srv), KIOSK_OK);
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)hub_server_port(srv));
}

static int setup(void **st)
{
    (void)st;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/update-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[1700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/state' '%s/hub'", dir, dir, dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(hubdir, sizeof hubdir, "%s/hub", dir);
    snprintf(hubdb, sizeof hubdb, "%s/hub.db", dir);
    snprintf(db, sizeof db, "%s/kiosk.db", state);
    snprintf(boot_file, sizeof boot_file, "%s/boot_id", dir);
    write_file(boot_file, "boot-1\n", 7);
    crypto_sign_keypair(hub_pk, hub_sk);
    if (store_device_key_load(state, &key) != KIOSK_OK || hub_db_open(hubdb, &hdb) != KIOSK_OK ||
        hub_db_device_add(hdb, key.public_key, "test kiosk", 0) != KIOSK_OK)
        return -1;
    bundle_bytes = malloc(bundle_size);
    randombytes_buf(bundle_bytes, bundle_size);
    char path[800];
    snprintf(path, sizeof path, "%s/kiosk-2.0-%s.raucb", hubdir, update_arch());
    write_file(path, bundle_bytes, bundle_size);
    snprintf(path, sizeof path, "%s/kiosk-1.9-%s.raucb", hubdir, update_arch());
    write_file(path, "old", 3);
    snprintf(path, sizeof path, "%s/kiosk-9.0-otherarch.raucb", hubdir);
    write_file(path, "other", 5);
    hub_up();
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    hub_server_stop(srv);
    hub_db_close(hdb);
    free(bundle_bytes);
    return 0;
}

static void clean_state(void)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/update' '%s/%s'", state, state, UPDATE_STATUS_FILE);
    assert_int_equal(system(cmd), 0);
}

static update_config config(void)
{
    update_config c = {.url = url,
                       .allow_plain_http_loopback = 1,
                       .key = &key,
                       .state_dir = state,
                       .db_path = db,
                       .hall_code = "DEMO01",
                       .running_version = "1.0",
                       .margin_bytes = 1 << 20,
                       .check_interval_ms = 200,
                       .idle_min_ms = 1000,
                       .reboot_hour = -1,
                       .boot_id_file = boot_file};
    return c;
}

/* ---- RAUC as a test double ---- */

typedef struct fake_rauc {
    kiosk_rc info_rc;
    const char *version; /* what info names; NULL: "2.0" */
    const char *booted;
    atomic_int infos, installs, reboots;
    atomic_int refuse_reboots; /* the system refuses this many reboots first */
} fake_rauc;

static kiosk_rc fake_info(void *ctx, const char *bundle, char *version, char *detail, size_t dn)
{
    fake_rauc *f = ctx;
    atomic_fetch_add(&f->infos, 1);
    assert_int_equal(access(bundle, R_OK), 0);
    if (f->info_rc != KIOSK_OK) {
        snprintf(detail, dn, "bad_signature");
        return f->info_rc;
    }
    snprintf(version, UPDATE_VERSION_MAX, "%s", f->version ? f->version : "2.0");
    return KIOSK_OK;
}

static kiosk_rc fake_install(void *ctx, const char *bundle, _Atomic int *progress, char *detail,
                             size_t dn)
{
    (void)progress;
    (void)bundle;
    (void)detail;
    (void)dn;
    atomic_fetch_add(&((fake_rauc *)ctx)->installs, 1);
    return KIOSK_OK;
}

static kiosk_rc fake_booted(void *ctx, char *slot, size_t n)
{
    fake_rauc *f = ctx;
    snprintf(slot, n, "%s", f->booted ? f->booted : "A");
    return KIOSK_OK;
}

static kiosk_rc fake_reboot(void *ctx)
{
    fake_rauc *f = ctx;
    atomic_fetch_add(&f->reboots, 1);
    return atomic_fetch_sub(&f->refuse_reboots, 1) > 0 ? KIOSK_IO : KIOSK_OK;
}

static update_rauc rauc_of(fake_rauc *f)
{
    update_rauc r = {fake_info, fake_install, fake_booted, fake_reboot, f};
    return r;
}

/* ---- the manifest ---- */

static void test_manifest_names_the_newest_for_this_arch(void **st)
{
    (void)st;
    update_config c = config();
    update_manifest m;
    char err[160];
    assert_int_equal(update_check(&c, hub_pk, &m, err, sizeof err), KIOSK_OK);
    assert_string_equal(m.version, "2.0");
    assert_int_equal(m.size, bundle_size);
    uint8_t sum[32];
    crypto_hash_sha256(sum, bundle_bytes, bundle_size);
    assert_memory_equal(m.sha256, sum, 32);
    char name[128];
    snprintf(name, sizeof name, "kiosk-2.0-%s.raucb", update_arch());
    assert_string_equal(m.name, name);
}

static void test_manifest_signed_by_another_key_is_ignored(void **st)
{
    (void)st;
    uint8_t other_pk[32], other_sk[64];
    crypto_sign_keypair(other_pk, other_sk);
    update_config c = config();
    update_manifest m;
    char err[160];
    assert_int_equal(update_check(&c, other_pk, &m, err, sizeof err), KIOSK_CRYPTO);
    assert_string_equal(m.version, "");
    assert_non_null(strstr(err, "not signed"));
}

static void test_unit_folder_first(void **st)
{
    (void)st;
    char hex[65], path[1000];
    sync_hex_format(key.public_key, 32, hex);
    snprintf(path, sizeof path, "%s/units/%s", hubdir, hex);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    assert_int_equal(system(cmd), 0);
    snprintf(path + strlen(path), sizeof path - strlen(path), "/kiosk-2.1~pilot-%s.raucb",
             update_arch());
    write_file(path, "pilot", 5);
    update_config c = config();
    update_manifest m;
    char err[160];
    assert_int_equal(update_check(&c, hub_pk, &m, err, sizeof err), KIOSK_OK);
    assert_string_equal(m.version, "2.1~pilot");
    assert_int_equal(m.size, 5);
    update_fetched got;
    char d[UPDATE_DETAIL_MAX];
    assert_int_equal(update_download(&c, &m, &got, d, sizeof d), KIOSK_OK);
    unlink(path);
    clean_state();
}

/* ---- the download ---- */

static void fetch_manifest(update_config *c, update_manifest *m)
{
    char err[160];
    assert_int_equal(update_check(c, hub_pk, m, err, sizeof err), KIOSK_OK);
    assert_string_equal(m->version, "2.0");
}

static void assert_bundle_is(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *got = malloc(bundle_size + 1);
    assert_int_equal(fread(got, 1, bundle_size + 1, f), bundle_size);
    fclose(f);
    assert_memory_equal(got, bundle_bytes, bundle_size);
    free(got);
}

static void part_path(const update_manifest *m, char *out, size_t n)
{
    char hex[65];
    sync_hex_format(m->sha256, 32, hex);
    snprintf(out, n, "%s/update/%s.part", state, hex);
}

/* A download stopped earlier: the manifest fetched and n bytes of data (borrowed) already
 * in the bundle's part file, whose path goes to part (caller storage, 1200 bytes). */
static update_config with_part(update_manifest *m, char part[1200], const void *data, size_t n)
{
    clean_state();
    update_config c = config();
    fetch_manifest(&c, m);
    mkdir(state, 0700);
    snprintf(part, 1200, "%s/update", state);
    mkdir(part, 0700);
    part_path(m, part, 1200);
    write_file(part, data, n);
    return c;
}

static void test_download_whole(void **st)
{
    (void)st;
    clean_state();
    update_config c = config();
    update_manifest m;
    fetch_manifest(&c, &m);
    update_fetched got;
    char d[UPDATE_DETAIL_MAX];
    assert_int_equal(update_download(&c, &m, &got, d, sizeof d), KIOSK_OK);
    assert_int_equal(got.resumed_from, 0);
    assert_int_equal(got.received, bundle_size);
    assert_bundle_is(got.path);
    clean_state();
}

static void test_download_resumes_where_it_stopped(void **st)
{
    (void)st;
    update_manifest m;
    char part[1200], d[UPDATE_DETAIL_MAX];
    update_config c = with_part(&m, part, bundle_bytes, 123456); /* an interrupted download */
    update_fetched got;
    assert_int_equal(update_download(&c, &m, &got, d, sizeof d), KIOSK_OK);
    assert_int_equal(got.resumed_from, 123456);
    assert_int_equal(got.received, bundle_size - 123456);
    assert_bundle_is(got.path);
    assert_int_not_equal(access(part, F_OK), 0);
    clean_state();
}

static void test_download_whole_part_is_only_checked(void **st)
{
    (void)st;
    update_manifest m;
    char part[1200], d[UPDATE_DETAIL_MAX];
    update_config c = with_part(&m, part, bundle_bytes, bundle_size); /* before the rename */
    update_fetched got;
    assert_int_equal(update_download(&c, &m, &got, d, sizeof d), KIOSK_OK);
    assert_int_equal(got.received, 0);
    assert_bundle_is(got.path);
    clean_state();
}

static void test_download_with_a_damaged_part_is_refused_then_fetched_again(void **st)
{
    (void)st;
    unsigned char junk[5000];
    memset(junk, 0x5a, sizeof junk);
    update_manifest m;
    char part[1200], d[UPDATE_DETAIL_MAX];
    update_config c = with_part(&m, part, junk, sizeof junk);
    update_fetched got;
    assert_int_equal(update_download(&c, &m, &got, d, sizeof d), KIOSK_CORRUPT);
    assert_string_equal(d, "hash_mismatch");
    assert_int_not_equal(access(part, F_OK), 0);
    assert_int_not_equal(access(got.path, F_OK), 0);
    assert_int_equal(update_download(&c, &m, &got, d, sizeof d), KIOSK_OK);
    assert_bundle_is(got.path);
    clean_state();
}

static void test_download_refused_without_disk_space(void **st)
{
    (void)st;
    clean_state();
    update_config c = config();
    update_manifest m;
    fetch_manifest(&c, &m);
    c.margin_bytes = (uint64_t)1 << 62; /* more than any disk: the records come first */
    update_fetched got;
    char d[UPDATE_DETAIL_MAX], part[1200];
    assert_int_equal(update_download(&c, &m, &got, d, sizeof d), KIOSK_RANGE);
    assert_string_equal(d, "no_space");
    part_path(&m, part, sizeof part);
    assert_int_not_equal(access(part, F_OK), 0);
    clean_state();
}

static void test_hub_down(void **st)
{
    (void)st;
    clean_state();
    update_config c = config();
    update_manifest m;
    fetch_manifest(&c, &m);
    hub_server_stop(srv);
    srv = NULL;
    char err[160], d[UPDATE_DETAIL_MAX];
    update_manifest m2;
    assert_int_equal(update_check(&c, hub_pk, &m2, err, sizeof err), KIOSK_NET);
    update_fetched got;
    assert_int_equal(update_download(&c, &m, &got, d, sizeof d), KIOSK_NET);
    assert_string_equal(d, "hub_down");
    hub_up();
    clean_state();
}

/* ---- RAUC's command line ---- */

/* `rauc install`'s progress lines, as the real command prints them, become the install's
 * percentage as they come; a failure keeps the last one and says why. A `rauc` script of
 * the test's own stands first on PATH. */
static void test_rauc_cli_progress(void **st)
{
    (void)st;
    assert_int_equal(update_rauc_progress_line("  0% Installing"), 0);
    assert_int_equal(update_rauc_progress_line(" 40% Copying image to rootfs.1"), 40);
    assert_int_equal(update_rauc_progress_line("100% Installing done."), 100);
    assert_int_equal(update_rauc_progress_line("installing `/x.raucb`: succeeded"), -1);
    assert_int_equal(update_rauc_progress_line("1000% x"), -1);
    assert_int_equal(update_rauc_progress_line("40%x"), -1);
    char bin[700], script[800], path[2048];
    snprintf(bin, sizeof bin, "%s/fake-rauc", state);
    mkdir(bin, 0700);
    snprintf(script, sizeof script, "%s/rauc", bin);
    static const char body[] = "#!/bin/sh\n"
                               "[ \"$1\" = install ] || exit 1\n"
                               "echo installing\n"
                               "echo '  0% Installing'\n"
                               "echo ' 20% Checking bundle'\n"
                               "case \"$2\" in *full*) echo ' 55% Copying image to rootfs.1'\n"
                               "  echo 'LastError: No space left on device' >&2; exit 1 ;; esac\n"
                               "echo ' 80% Copying image to rootfs.1 done.'\n"
                               "echo '100% Installing done.'\n"
                               "echo \"installing \\`$2\\`: succeeded\"\n";
    write_file(script, body, sizeof body - 1);
    assert_int_equal(chmod(script, 0700), 0);
    const char *old = getenv("PATH");
    char *saved = strdup(old ? old : "");
    snprintf(path, sizeof path, "%s:%s", bin, saved);
    setenv("PATH", path, 1);
    update_rauc ops;
    update_rauc_cli cli;
    update_rauc_cli_init(&ops, &cli, NULL);
    _Atomic int progress = -1;
    char d[UPDATE_DETAIL_MAX] = "";
    assert_int_equal(ops.install(ops.ctx, "/tmp/kiosk-2.0-amd64.raucb", &progress, d, sizeof d),
                     KIOSK_OK);
    assert_int_equal(atomic_load(&progress), 100);
    atomic_store(&progress, -1);
    assert_int_equal(ops.install(ops.ctx, "/tmp/full.raucb", &progress, d, sizeof d), KIOSK_IO);
    assert_int_equal(atomic_load(&progress), 55);
    assert_string_equal(d, "no_space");
    /* not asked: nothing to tell */
    assert_int_equal(ops.install(ops.ctx, "/tmp/kiosk-2.0-amd64.raucb", NULL, d, sizeof d),
                     KIOSK_OK);
    setenv("PATH", saved, 1);
    free(saved);
    unlink(script);
    rmdir(bin);
}

/* ---- the status file ---- */

static void test_status_file_format(void **st)
{
    (void)st;
    clean_state();
    update_config c = config();
    update_status s = {
        .version = "2.0", .result = "refused", .at_ms = 1764921600123, .detail = "older_version"};
    (void)c;
    assert_int_equal(update_status_write(state, &s), KIOSK_OK);
    char path[800], buf[256];
    snprintf(path, sizeof path, "%s/%s", state, UPDATE_STATUS_FILE);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, "{\"version\":\"2.0\",\"result\":\"refused\",\"at_ms\":1764921600123,"
                             "\"detail\":\"older_version\"}\n");
    update_status back;
    assert_int_equal(update_status_read(state, &back), KIOSK_OK);
    assert_string_equal(back.detail, "older_version");
    /* only short ASCII codes: nothing else can reach the health report */
    update_status bad = s;
    snprintf(bad.detail, sizeof bad.detail, "Bad \"detail\"");
    assert_int_equal(update_status_write(state, &bad), KIOSK_INVALID);
    clean_state();
}

static void test_version_order(void **st)
{
    (void)st;
    assert_true(update_version_cmp("2.0", "1.9") > 0);
    assert_true(update_version_cmp("1.10", "1.9") > 0);
    assert_true(update_version_cmp("2.0~rc1", "2.0") < 0);
    assert_true(update_version_cmp("2.0", "2.0") == 0);
    assert_true(update_version_cmp("2.0a", "2.0") > 0);
    assert_true(update_version_cmp("2.0.1", "2.0") > 0);
    char v[UPDATE_VERSION_MAX];
    assert_true(update_name_version("kiosk-2.0.1-amd64.raucb", "amd64", v));
    assert_string_equal(v, "2.0.1");
    assert_false(update_name_version("kiosk-2.0-arm64.raucb", "amd64", v));
    assert_false(update_name_version("../kiosk-2.0-amd64.raucb", "amd64", v));
    assert_false(update_name_ok(".kiosk.raucb"));
}

/* ---- install, idle, reboot ---- */

typedef struct idle_state {
    atomic_llong idle_ms; /* negative: a session is open */
} idle_state;

static int64_t idle_of(void *ctx)
{
    return atomic_load(&((idle_state *)ctx)->idle_ms);
}

static int wait_for(atomic_int *v, int at_least, int ms)
{
    for (int i = 0; i < ms / 20 && atomic_load(v) < at_least; i++)
        sleep_ms(20);
    return atomic_load(v) >= at_least;
}

typedef struct audit_find {
    const char *action;
    int found;
} audit_find;

static int find_action(void *ctx, const store_audit_entry *e)
{
    audit_find *a = ctx;
    if (strcmp(e->action, a->action) == 0 && strcmp(e->actor, "update") == 0)
        a->found++;
    return 0;
}

static int audited(const char *action)
{
    store *s;
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &s), KIOSK_OK);
    audit_find a = {action, 0};
    assert_int_equal(store_audit_recent(s, 500, find_action, &a), KIOSK_OK);
    store_close(s);
    return a.found;
}

static void test_install_waits_while_a_session_is_open(void **st)
{
    (void)st;
    clean_state();
    update_config c = config();
    c.hub_key = hub_pk;
    fake_rauc f = {0};
    update_rauc r = rauc_of(&f);
    idle_state idle;
    atomic_init(&idle.idle_ms, -1); /* a citizen is being served */
    update_worker *w;
    int before = audited("update installed");
    assert_int_equal(update_worker_create(&c, &r, idle_of, &idle, &w), KIOSK_OK);
    assert_true(wait_for(&f.infos, 1, 10000)); /* downloaded and its signature checked */
    update_worker_info info;
    for (int i = 0; i < 100; i++) {
        update_worker_info_get(w, &info);
        if (info.waiting_idle)
            break;
        sleep_ms(20);
    }
    assert_true(info.waiting_idle);
    sleep_ms(1500); /* the session goes on: nothing is installed */
    assert_int_equal(atomic_load(&f.installs), 0);
    /* the session ended, but the kiosk has been idle for only a moment */
    atomic_store(&idle.idle_ms, 10);
    sleep_ms(1200);
    assert_int_equal(atomic_load(&f.installs), 0);
    /* idle long enough: installed, then the reboot */
    atomic_store(&idle.idle_ms, 60000);
    assert_true(wait_for(&f.installs, 1, 5000));
    assert_true(wait_for(&f.reboots, 1, 5000));
    update_worker_destroy(w);
    update_status s;
    assert_int_equal(update_status_read(state, &s), KIOSK_OK);
    assert_string_equal(s.version, "2.0");
    assert_string_equal(s.result, "installed");
    assert_string_equal(s.detail, "reboot_pending");
    assert_int_equal(audited("update installed"), before + 1);
    assert_true(audited("update downloaded") >= 1);
    assert_true(audited("update reboot") >= 1);
    /* the kiosk restarted before the reboot: nothing changes, the update still waits */
    assert_int_equal(update_boot_check(&c, &r, NULL), 0);
    assert_int_equal(update_status_read(state, &s), KIOSK_OK);
    assert_string_equal(s.detail, "reboot_pending");
    /* the next boot finds the new version running on the other slot */
    write_file(boot_file, "boot-2\n", 7);
    c.running_version = "2.0";
    f.booted = "B";
    assert_int_equal(update_boot_check(&c, &r, NULL), 0);
    assert_int_equal(update_status_read(state, &s), KIOSK_OK);
    assert_string_equal(s.result, "installed");
    assert_string_equal(s.detail, "booted");
    clean_state();
}

/* A worker on c with RAUC as f, the kiosk idle for a minute (idle: the caller's). */
static update_worker *idle_worker(const update_config *c, fake_rauc *f, idle_state *idle)
{
    atomic_init(&idle->idle_ms, 60000);
    update_rauc r = rauc_of(f);
    update_worker *w;
    assert_int_equal(update_worker_create(c, &r, idle_of, idle, &w), KIOSK_OK);
    return w;
}

/* A reboot the system refused is asked again later (reboot_retry_ms), and said so in the
 * audit; not left until someone restarts the unit. */
static void test_refused_reboot_asked_again(void **st)
{
    (void)st;
    clean_state();
    update_config c = config();
    c.hub_key = hub_pk;
    c.reboot_retry_ms = 300;
    fake_rauc f = {0};
    atomic_init(&f.refuse_reboots, 1);
    idle_state idle;
    int before = audited("update reboot refused");
    update_worker *w = idle_worker(&c, &f, &idle);
    assert_true(wait_for(&f.reboots, 2, 10000));
    sleep_ms(1500); /* the second was taken: not asked a third time */
    update_worker_destroy(w);
    assert_int_equal(atomic_load(&f.reboots), 2);
    assert_int_equal(atomic_load(&f.installs), 1);
    assert_int_equal(audited("update reboot refused"), before + 1);
    clean_state();
}

/* No room for a bundle: looked at again every interval (space may come free), refused in
 * the audit and the status once, not at every look. */
static void test_no_space_said_once(void **st)
{
    (void)st;
    clean_state();
    update_config c = config();
    c.hub_key = hub_pk;
    c.margin_bytes = (uint64_t)1 << 62;
    fake_rauc f = {0};
    idle_state idle;
    int before = audited("update refused");
    update_worker *w = idle_worker(&c, &f, &idle);
    sleep_ms(2000); /* ten intervals of 200 ms */
    update_worker_destroy(w);
    assert_int_equal(audited("update refused"), before + 1);
    update_status s;
    assert_int_equal(update_status_read(state, &s), KIOSK_OK);
    assert_string_equal(s.result, "refused");
    assert_string_equal(s.detail, "no_space");
    assert_int_equal(atomic_load(&f.infos), 0);
    clean_state();
}

/* Installed when idle, rebooted only at the set hour (local time). */
static void test_reboot_waits_for_the_set_hour(void **st)
{
    (void)st;
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    if (tm.tm_min == 59 && tm.tm_sec > 45) { /* not across the hour's end */
        sleep_ms(16000);
        t = time(NULL);
        localtime_r(&t, &tm);
    }
    for (int run = 0; run < 2; run++) {
        clean_state();
        update_config c = config();
        c.hub_key = hub_pk;
        c.reboot_hour = run == 0 ? (tm.tm_hour + 2) % 24 : tm.tm_hour; /* later; this hour */
        c.reboot_minute = 0;
        fake_rauc f = {0};
        update_rauc r = rauc_of(&f);
        idle_state idle;
        atomic_init(&idle.idle_ms, 3600000);
        update_worker *w;
        assert_int_equal(update_worker_create(&c, &r, idle_of, &idle, &w), KIOSK_OK);
        assert_true(wait_for(&f.installs, 1, 10000));
        if (run == 0) {
            sleep_ms(2500); /* idle all along, but not the hour */
            assert_int_equal(atomic_load(&f.reboots), 0);
        } else {
            assert_true(wait_for(&f.reboots, 1, 5000));
        }
        update_worker_destroy(w);
    }
    clean_state();
}

static void test_bad_signature_is_refused_and_not_installed(void **st)
{
    (void)st;
    clean_state();
    update_config c = config();
    c.hub_key = hub_pk;
    fake_rauc f = {.info_rc = KIOSK_CRYPTO};
    update_rauc r = rauc_of(&f);
    idle_state idle;
    atomic_init(&idle.idle_ms, 3600000);
    update_worker *w;
    assert_int_equal(update_worker_create(&c, &r, idle_of, &idle, &w), KIOSK_OK);
    assert_true(wait_for(&f.infos, 1, 10000));
    sleep_ms(700); /* more checks: the same bundle is not fetched again */
    update_worker_destroy(w);
    assert_int_equal(atomic_load(&f.installs), 0);
    assert_int_equal(atomic_load(&f.infos), 1);
    update_status s;
    assert_int_equal(update_status_read(state, &s), KIOSK_OK);
    assert_string_equal(s.result, "refused");
    assert_string_equal(s.detail, "bad_signature");
    clean_state();
}

static void test_install_refuses_older_and_finds_fallback(void **st)
{
    (void)st;
    clean_state();
    update_config c = config();
    c.running_version = "2.0";
    fake_rauc f = {.version = "1.5"};
    update_rauc r = rauc_of(&f);
    char path[800], v[UPDATE_VERSION_MAX], d[UPDATE_DETAIL_MAX];
    snprintf(path, sizeof path, "%s/stick.raucb", dir);
    write_file(path, "bundle", 6);
    assert_int_equal(update_install(&c, &r, NULL, path, v, d, sizeof d), KIOSK_RANGE);
    assert_string_equal(d, "older_version");
    assert_int_equal(atomic_load(&f.installs), 0);
    /* 2.1 installs from slot A; the next start runs 2.0 on A again: fallback */
    f.version = "2.1";
    assert_int_equal(update_install(&c, &r, NULL, path, v, d, sizeof d), KIOSK_OK);
    assert_string_equal(v, "2.1");
    write_file(boot_file, "boot-3\n", 7); /* rebooted */
    assert_int_equal(update_boot_check(&c, &r, NULL), 1);
    update_status s;
    assert_int_equal(update_status_read(state, &s), KIOSK_OK);
    assert_string_equal(s.version, "2.1");
    assert_string_equal(s.result, "fallback");
    /* said once: the marker is gone */
    assert_int_equal(update_boot_check(&c, &r, NULL), 0);
    clean_state();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_order),
        cmocka_unit_test(test_rauc_cli_progress),
        cmocka_unit_test(test_status_file_format),
        cmocka_unit_test(test_manifest_names_the_newest_for_this_arch),
        cmocka_unit_test(test_manifest_signed_by_another_key_is_ignored),
        cmocka_unit_test(test_unit_folder_first),
        cmocka_unit_test(test_download_whole),
        cmocka_unit_test(test_download_resumes_where_it_stopped),
        cmocka_unit_test(test_download_whole_part_is_only_checked),
        cmocka_unit_test(test_download_with_a_damaged_part_is_refused_then_fetched_again),
        cmocka_unit_test(test_download_refused_without_disk_space),
        cmocka_unit_test(test_hub_down),
        cmocka_unit_test(test_install_waits_while_a_session_is_open),
        cmocka_unit_test(test_reboot_waits_for_the_set_hour),
        cmocka_unit_test(test_refused_reboot_asked_again),
        cmocka_unit_test(test_no_space_said_once),
        cmocka_unit_test(test_bad_signature_is_refused_and_not_installed),
        cmocka_unit_test(test_install_refuses_older_and_finds_fallback),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
