/* Tests of the `kiosk-hub` program, run as a separate process (fork/exec of the built binary):
 * keygen and its refusal to overwrite, usage errors (exit 2), device add/list/remove,
 * importing a bundle written by sync_bundle_write twice (the second time all
 * duplicates), refusing bundles from unknown devices or with a bad signature, status
 * with gaps, export to a private CSV file, and serve on an ephemeral port until SIGTERM; the
 * config file under the flags, READY=1 and STOPPING=1 to systemd, the systemd unit; and
 * import, status, export and serve again on PostgreSQL (a private server). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "domain/registration.h"
#include "hub/hub_db.h"
#include "store/store.h"
#include "pg_server.h"
#include "proto/sync_proto.h"

#ifndef KIOSK_HUB_BIN
#error "KIOSK_HUB_BIN (the hub program) comes from hub/CMakeLists.txt"
#endif

static char dir[512], keys[600], hub_db_path[600], out_path[600], err_path[600];
static char out_text[16384], err_text[16384];

static int shell_rm(int recreate)
{
    char cmd[1400];
    if (recreate)
        snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    else
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/hub-cli-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(keys, sizeof keys, "%s/keys", dir);
    snprintf(hub_db_path, sizeof hub_db_path, "%s/hub.db", dir);
    snprintf(out_path, sizeof out_path, "%s/stdout.txt", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", dir);
    return shell_rm(1) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    return shell_rm(0) == 0 ? 0 : -1;
}

static void slurp(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static pid_t spawn(const char *const *args)
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = KIOSK_HUB_BIN;
    for (; args[n - 1] && n < 31; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(127);
        execv(KIOSK_HUB_BIN, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static int finish(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    slurp(out_path, out_text, sizeof out_text);
    slurp(err_path, err_text, sizeof err_text);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Run `hub args...` to the end: its exit code; stdout and stderr in out_text, err_text. */
static int hub(const char *const *args)
{
    return finish(spawn(args));
}

#define HUB(...) hub((const char *const[]){__VA_ARGS__, NULL})

/* ---- a kiosk that saves records and writes bundles ------------------------------- */

static store_device_key dev;
static uint8_t upstream_pk[32];
static store *st;
static kiosk_clock_manual clk;

static void kiosk_start(const char *name)
{
    char kdir[700], path[800];
    snprintf(kdir, sizeof kdir, "%s/%s", dir, name);
    snprintf(path, sizeof path, "%s/kiosk.db", kdir);
    assert_int_equal(store_device_key_load(kdir, &dev), KIOSK_OK);
    kiosk_clock_manual_init(&clk, 1795363199000LL - 3600000);
    assert_int_equal(store_open(path, "DEMO01", &dev, &clk.clock, &st), KIOSK_OK);
    assert_int_equal(store_set_upstream_key(st, upstream_pk), KIOSK_OK);
}

static void kiosk_save(sync_record *rec, const char *name)
{
    registration r;
    registration_init(&r);
    assert_int_equal(registration_set_text(&r, REGISTRATION_NAME, name), KIOSK_OK);
    assert_int_equal(registration_set_text(&r, REGISTRATION_SEX, "2"), KIOSK_OK);
    char *json;
    assert_int_equal(registration_to_json(&r, &json, NULL), KIOSK_OK);
    uint8_t h[32] = {0};
    store_submission sub = {
        .registration_json = json,
        .evidence_json = "{}",
        .commitment_version = "2026.1",
        .commitment_sha256 = h,
        .masked_name = "某*",
        .masked_id = "3701**********0000",
    };
    store_saved sv;
    assert_int_equal(store_save(st, &sub, &sv), KIOSK_OK);
    free(json);
    memset(rec, 0, sizeof *rec);
    memcpy(rec->uuid, sv.uuid, sizeof rec->uuid);
    rec->seq = sv.seq;
    assert_int_equal(store_sealed(st, sv.uuid, &rec->sealed, &rec->sealed_len), KIOSK_OK);
    sync_record_sign(rec, dev.secret_key);
}

static void write_bundle(const char *path, const sync_record *recs, size_t n)
{
    char *body;
    size_t len;
    assert_int_equal(sync_body_encode(recs, n, &body, &len), KIOSK_OK);
    assert_int_equal(sync_bundle_write(path, dev.public_key, dev.secret_key,
                                       kiosk_clock_now_ms(&clk.clock), body, len),
                     KIOSK_OK);
    free(body);
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_usage(void **state)
{
    (void)state;
    assert_int_equal(hub((const char *const[]){NULL}), 2);
    assert_non_null(strstr(err_text, "usage:"));
    assert_int_equal(HUB("frobnicate"), 2);
    assert_non_null(strstr(err_text, "kiosk-hub: unknown command frobnicate"));
    assert_int_equal(HUB("keygen"), 2);
    assert_int_equal(HUB("keygen", "--out"), 2);
    assert_int_equal(HUB("status", "--db", hub_db_path, "--bogus", "1"), 2);
    assert_int_equal(HUB("device", "add", "--db", hub_db_path, "not-hex"), 2);
    assert_int_equal(HUB("serve", "--db", hub_db_path, "--listen", "nowhere"), 2);
    assert_int_equal(HUB("serve", "--db", hub_db_path, "--tls-cert", "x.pem"), 2);
    /* no signing key; no certificate without the loopback test flag; the flag off
     * loopback */
    assert_int_equal(HUB("serve", "--db", hub_db_path, "--plain-http-loopback-test"), 2);
    assert_int_equal(HUB("serve", "--db", hub_db_path, "--sign-key", "/nonexistent/k"), 2);
    assert_int_equal(HUB("serve", "--db", hub_db_path, "--sign-key", "/nonexistent/k",
                         "--plain-http-loopback-test", "--listen", "0.0.0.0:0"),
                     2);
    assert_int_equal(HUB("sign-key"), 2);
    assert_int_equal(HUB("serve", "--db", hub_db_path, "--sign-key", "/nonexistent/k",
                         "--plain-http-loopback-test", "--per-ip-limit", "0"),
                     2);
    /* operational failure, not usage: a database that is not there */
    char missing[700];
    snprintf(missing, sizeof missing, "%s/none.db", dir);
    assert_int_equal(HUB("status", "--db", missing), 1);
    assert_non_null(strstr(err_text, "no database"));
}

static void test_keygen(void **state)
{
    (void)state;
    assert_int_equal(HUB("keygen", "--out", keys), 0);
    assert_int_equal(strlen(out_text), 65);
    assert_int_equal(out_text[64], '\n');
    char hex[65];
    memcpy(hex, out_text, 64);
    hex[64] = '\0';
    assert_true(sync_hex_parse(hex, upstream_pk, 32));

    char path[800], pub[256];
    struct stat sb;
    snprintf(path, sizeof path, "%s/upstream.key", keys);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 32);
    /* the secret key belongs to the printed public key */
    uint8_t sk[32], pk[32];
    FILE *f = fopen(path, "rb");
    assert_int_equal(fread(sk, 1, 32, f), 32);
    fclose(f);
    crypto_scalarmult_base(pk, sk);
    assert_memory_equal(pk, upstream_pk, 32);
    sodium_memzero(sk, sizeof sk);
    snprintf(path, sizeof path, "%s/upstream.pub", keys);
    slurp(path, pub, sizeof pub);
    assert_string_equal(pub, out_text);

    /* never overwritten */
    assert_int_equal(HUB("keygen", "--out", keys), 1);
    assert_non_null(strstr(err_text, "refusing to overwrite"));
    assert_string_equal(out_text, "");
}

static void test_import_status_export(void **state)
{
    (void)state;
    kiosk_start("kiosk1");
    sync_record recs[5];
    static const char *const names[] = {"赵一", "钱二", "孙三", "李四", "周五"};
    for (int i = 0; i < 5; i++)
        kiosk_save(&recs[i], names[i]);
    char bundle[700], bundle2[700], bad[700], pkhex[65];
    snprintf(bundle, sizeof bundle, "%s/b1.kiosk-bundle", dir);
    snprintf(bundle2, sizeof bundle2, "%s/b2.kiosk-bundle", dir);
    snprintf(bad, sizeof bad, "%s/bad.kiosk-bundle", dir);
    sync_record pick[3] = {recs[0], recs[1], recs[4]}; /* seq 3 and 4 still on the kiosk */
    write_bundle(bundle, pick, 3);
    write_bundle(bundle2, &recs[2], 1);
    sync_hex_format(dev.public_key, 32, pkhex);

    /* not registered yet */
    assert_int_equal(HUB("import", "--db", hub_db_path, bundle), 1);
    assert_non_null(strstr(err_text, "device not registered"));

    assert_int_equal(HUB("device", "add", "--db", hub_db_path, pkhex, "大厅 kiosk-01"), 0);
    assert_int_equal(HUB("device", "list", "--db", hub_db_path), 0);
    assert_non_null(strstr(out_text, pkhex));
    assert_non_null(strstr(out_text, "大厅 kiosk-01"));

    char want[900];
    assert_int_equal(HUB("import", "--db", hub_db_path, bundle), 0);
    snprintf(want, sizeof want, "%s: accepted 3 duplicate 0 rejected 0\n", bundle);
    assert_string_equal(out_text, want);
    /* the same bundle again changes nothing */
    assert_int_equal(HUB("import", "--db", hub_db_path, bundle), 0);
    snprintf(want, sizeof want, "%s: accepted 0 duplicate 3 rejected 0\n", bundle);
    assert_string_equal(out_text, want);

    assert_int_equal(HUB("status", "--db", hub_db_path), 0);
    assert_non_null(strstr(out_text, "records 3 max_seq 5 gaps: 3-4\n"));
    assert_non_null(strstr(out_text, "help requests in the last hour: 0"));

    char prefix[32];
    snprintf(prefix, sizeof prefix, "device %.16s", pkhex);
    assert_non_null(strstr(out_text, prefix));
    assert_non_null(strstr(out_text, "大厅 kiosk-01"));

    /* help requests as POST /v2/events stores them: listed by hub events, counted by
     * hub status over the last hour */
    {
        hub_db *hdb;
        assert_int_equal(hub_db_open(hub_db_path, &hdb), KIOSK_OK);
        sync_event ev[2] = {{.seq = 1, .at_ms = 1795363199000LL},
                            {.seq = 2, .at_ms = 1795363200000LL}};
        for (int i = 0; i < 2; i++) {
            snprintf(ev[i].kind, sizeof ev[i].kind, "%s", SYNC_EVENT_HELP);
            snprintf(ev[i].hall_code, sizeof ev[i].hall_code, "DEMO01");
        }
        snprintf(ev[0].step, sizeof ev[0].step, "form");
        snprintf(ev[1].step, sizeof ev[1].step, "review");
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        assert_int_equal(hub_db_events_add(hdb, dev.public_key, ev, 1, now - 2 * 3600000),
                         KIOSK_OK);
        assert_int_equal(hub_db_events_add(hdb, dev.public_key, ev, 2, now), KIOSK_OK);
        hub_db_close(hdb);
    }
    assert_int_equal(HUB("status", "--db", hub_db_path), 0);
    assert_non_null(strstr(out_text, "help requests in the last hour: 1"));
    {
        /* sent again (no answer reached the unit): held once; the same number at
         * another time (a unit restored from a backup numbers again): a new request */
        hub_db *hdb;
        assert_int_equal(hub_db_open(hub_db_path, &hdb), KIOSK_OK);
        sync_event again = {.seq = 2, .at_ms = 1795363200000LL};
        snprintf(again.kind, sizeof again.kind, "%s", SYNC_EVENT_HELP);
        snprintf(again.step, sizeof again.step, "review");
        snprintf(again.hall_code, sizeof again.hall_code, "DEMO01");
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        assert_int_equal(hub_db_events_add(hdb, dev.public_key, &again, 1, now), KIOSK_OK);
        hub_db_close(hdb);
        assert_int_equal(HUB("status", "--db", hub_db_path), 0);
        assert_non_null(strstr(out_text, "help requests in the last hour: 1"));
        assert_int_equal(hub_db_open(hub_db_path, &hdb), KIOSK_OK);
        again.at_ms += 86400000;
        snprintf(again.step, sizeof again.step, "pin");
        assert_int_equal(hub_db_events_add(hdb, dev.public_key, &again, 1, now), KIOSK_OK);
        hub_db_close(hdb);
    }
    assert_int_equal(HUB("status", "--db", hub_db_path), 0);
    assert_non_null(strstr(out_text, "help requests in the last hour: 2"));
    assert_int_equal(HUB("events", "--db", hub_db_path), 0);
    assert_non_null(strstr(out_text, "step form")); /* two hours ago: within the day */
    assert_non_null(strstr(out_text, "step review"));
    assert_non_null(strstr(out_text, "hall DEMO01"));
    assert_non_null(strstr(out_text, "大厅 kiosk-01"));
    assert_int_equal(HUB("events", "--db", hub_db_path, "--since", "1h"), 0);
    assert_null(strstr(out_text, "step form"));
    assert_non_null(strstr(out_text, "step review"));
    assert_int_equal(HUB("events", "--db", hub_db_path, "--since", "soon"), 2);

    /* a bundle altered after signing */
    char *data = NULL;
    size_t len = 0;
    FILE *f = fopen(bundle2, "rb");
    assert_non_null(f);
    data = malloc(1 << 16);
    len = fread(data, 1, 1 << 16, f);
    fclose(f);
    data[len - 5] = data[len - 5] == 'A' ? 'B' : 'A';
    f = fopen(bad, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    free(data);
    assert_int_equal(HUB("import", "--db", hub_db_path, bad, bundle2), 1);
    assert_non_null(strstr(err_text, "bad bundle signature"));
    snprintf(want, sizeof want, "%s: accepted 1 duplicate 0 rejected 0\n", bundle2);
    assert_string_equal(out_text, want);
    assert_int_equal(HUB("status", "--db", hub_db_path), 0);
    assert_non_null(strstr(out_text, "records 4 max_seq 5 gaps: 4\n"));

    /* a bundle whose record the hub rejects (its record signature broken): the file is
     * read, the record is not stored, and the exit says records were rejected */
    char rej[700];
    snprintf(rej, sizeof rej, "%s/rejected.kiosk-bundle", dir);
    sync_record broken = recs[3];
    broken.sig[0] ^= 1;
    write_bundle(rej, &broken, 1);
    assert_int_equal(HUB("import", "--db", hub_db_path, rej), 3);
    assert_non_null(strstr(out_text, "accepted 0 duplicate 0 rejected 1"));
    assert_non_null(strstr(err_text, "bad_record_signature"));
    assert_int_equal(HUB("status", "--db", hub_db_path), 0);
    assert_non_null(strstr(out_text, "records 4 max_seq 5 gaps: 4\n"));

    /* export with the upstream key */
    char csv[700], assets[700];
    snprintf(csv, sizeof csv, "%s/out.csv", dir);
    snprintf(assets, sizeof assets, "%s", KIOSK_TEST_ASSETS);
    if (HUB("export", "--db", hub_db_path, "--key", keys, "--assets", assets, "--out", csv) != 0)
        fail_msg("export: %s", err_text);
    assert_string_equal(out_text, "exported 4 failed 0\n");
    struct stat sb;
    assert_int_equal(stat(csv, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    static char text[1 << 16];
    slurp(csv, text, sizeof text);
    assert_memory_equal(text, "\xEF\xBB\xBF回执编号(receipt_no),",
                        strlen("回执编号(receipt_no),") + 3);
    for (int i = 0; i < 5; i++) { /* seq 4 never reached the hub */
        assert_true((strstr(text, names[i]) != NULL) == (i != 3));
        assert_true((strstr(text, recs[i].uuid) != NULL) == (i != 3));
    }
    assert_non_null(strstr(text, ",2,女性,"));

    /* removal refuses new imports but keeps the records */
    assert_int_equal(HUB("device", "remove", "--db", hub_db_path, pkhex), 0);
    assert_int_equal(HUB("device", "remove", "--db", hub_db_path, pkhex), 1);
    assert_int_equal(HUB("import", "--db", hub_db_path, bundle), 1);
    assert_int_equal(HUB("status", "--db", hub_db_path), 0);
    assert_non_null(strstr(out_text, "(removed) records 4"));

    for (int i = 0; i < 5; i++)
        free(recs[i].sealed);
    store_close(st);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    size_t *total = ud;
    *total += size * n;
    return size * n;
}

static void test_serve(void **state)
{
    (void)state;
    char port_file[700], sign_key[700];
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    snprintf(sign_key, sizeof sign_key, "%s/hub-sign.key", dir);
    /* the signing key: made on first use, the same public key ever after */
    assert_int_equal(HUB("sign-key", "--key", sign_key), 0);
    struct stat kst;
    assert_int_equal(stat(sign_key, &kst), 0);
    assert_int_equal(kst.st_mode & 0777, 0600);
    assert_int_equal(kst.st_size, 64);
    pid_t pid = spawn((const char *const[]){
        "serve", "--db", hub_db_path, "--listen", "127.0.0.1:0", "--sign-key", sign_key,
        "--plain-http-loopback-test", "--per-ip-limit", "64", "--port-file", port_file, NULL});
    char port[32] = "";
    for (int i = 0; i < 200 && !port[0]; i++) {
        usleep(25000);
        slurp(port_file, port, sizeof port);
    }
    assert_true(port[0] != '\0');
    int p = atoi(port);
    assert_true(p > 0 && p < 65536);

    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/health", p);
    size_t got = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 200);
    assert_true(got > 10);
    curl_easy_cleanup(c);

    assert_int_equal(kill(pid, SIGTERM), 0);
    assert_int_equal(finish(pid), 0);
    assert_non_null(strstr(err_text, "shutting down"));
}

/* The next datagram on the notify socket, within ms; 0 when none came. */
static int next_message(int fd, char *buf, size_t size, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssize_t n = recv(fd, buf, size - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return 1;
}

/* The config file gives every setting, a flag overrides it, an unknown key is refused
 * with its line; serve tells systemd READY=1 once it listens and STOPPING=1 on SIGTERM. */
static void test_config_and_notify(void **state)
{
    (void)state;
    char conf[700], bad[700], sign_key[700], port_file[700], missing[700], sock[64];
    snprintf(conf, sizeof conf, "%s/kiosk-hub.conf", dir);
    snprintf(bad, sizeof bad, "%s/bad.conf", dir);
    snprintf(sign_key, sizeof sign_key, "%s/conf-sign.key", dir);
    snprintf(port_file, sizeof port_file, "%s/conf-port", dir);
    snprintf(missing, sizeof missing, "%s/missing.db", dir);
    /* a short path: a socket address holds 107 bytes */
    snprintf(sock, sizeof sock, "/tmp/kiosk-hub-notify-%d.sock", (int)getpid());
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f,
            "[hub]\ndb = %s\nlisten = 127.0.0.1:0\nsign_key = %s\n[limits]\nper_ip = 8\n"
            "connections = 50\n",
            missing, sign_key);
    fclose(f);
    f = fopen(bad, "w");
    assert_non_null(f);
    fprintf(f, "[hub]\ndb = %s\n\nlisten_on = 127.0.0.1:0\n", missing);
    fclose(f);
    /* the file's db is not there; --db wins over it */
    assert_int_equal(HUB("status", "--config", conf), 1);
    assert_non_null(strstr(err_text, "no database"));
    assert_non_null(strstr(err_text, missing));
    assert_int_equal(HUB("device", "list", "--db", hub_db_path, "--config", conf), 0);
    assert_int_equal(HUB("status", "--config", bad), 2);
    assert_non_null(strstr(err_text, "line 4"));
    snprintf(missing, sizeof missing, "%s/no.conf", dir);
    assert_int_equal(HUB("status", "--config", missing), 1);

    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
    unlink(sock);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    setenv("NOTIFY_SOCKET", sock, 1);
    pid_t pid =
        spawn((const char *const[]){"serve", "--config", conf, "--db", hub_db_path,
                                    "--plain-http-loopback-test", "--port-file", port_file, NULL});
    unsetenv("NOTIFY_SOCKET");
    char msg[256];
    int ready = 0;
    while (!ready && next_message(fd, msg, sizeof msg, 10000))
        ready = strcmp(msg, "READY=1") == 0;
    assert_true(ready);
    char port[32] = "";
    slurp(port_file, port, sizeof port); /* written before READY=1 */
    assert_true(atoi(port) > 0);
    assert_int_equal(kill(pid, SIGTERM), 0);
    int stopping = 0;
    while (!stopping && next_message(fd, msg, sizeof msg, 10000))
        stopping = strcmp(msg, "STOPPING=1") == 0;
    assert_true(stopping);
    assert_int_equal(finish(pid), 0);
    close(fd);
    unlink(sock);
}

/* systemd-analyze accepts the unit as built (ExecStart pointing at this build). */
static void test_unit_verifies(void **state)
{
    (void)state;
    if (system("command -v systemd-analyze >/dev/null 2>&1") != 0) {
        printf("# systemd-analyze missing: the unit is not verified here\n");
        return;
    }
    char unit[700], cmd[2400], out[4096];
    snprintf(unit, sizeof unit, "%s/kiosk-hub.service", dir);
    snprintf(cmd, sizeof cmd, "sed 's|^ExecStart=[^ ]*|ExecStart=%s|' '%s' > '%s'", KIOSK_HUB_BIN,
             KIOSK_HUB_UNIT, unit);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "systemd-analyze verify '%s' 2>&1", unit);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strstr(out, "kiosk-hub.service"))
        fail_msg("systemd-analyze verify: %s", out);
    snprintf(cmd, sizeof cmd, "grep -q '^Type=notify$' '%s' && grep -q '^User=kiosk-hub$' '%s'",
             unit, unit);
    assert_int_equal(system(cmd), 0);
}

/* ---- the same commands on PostgreSQL ---------------------------------------------------- */

static pg_server *pg;

static int pg_setup(void **state)
{
    if (setup(state) != 0)
        return -1;
    return pg_server_fresh_db(pg, "hub_cli", hub_db_path, sizeof hub_db_path) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_keygen),
        cmocka_unit_test(test_import_status_export),
        cmocka_unit_test(test_serve),
        cmocka_unit_test(test_config_and_notify),
        cmocka_unit_test(test_unit_verifies),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, setup, teardown);
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test(test_keygen), /* the upstream key the export opens records with */
        cmocka_unit_test(test_import_status_export),
        cmocka_unit_test(test_serve),
    };
    int started = pg_server_start(0, &pg);
    if (started == 1)
        return failed; /* said why: PostgreSQL is not installed */
    if (started != 0)
        return failed + 1;
    failed += cmocka_run_group_tests_name("postgresql", pg_tests, pg_setup, teardown);
    pg_server_stop(pg);
    return failed;
}
