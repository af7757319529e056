/* The kiosk as a systemd service: started with a notification socket and a watchdog
 * timeout, it says READY, pings the watchdog from its UI loop, and says STOPPING on
 * SIGTERM; systemd-analyze accepts the installed unit. And `kiosk --script` runs the
 * README's happy-path script through the real program: a record saved, its receipt
 * made, the screenshots written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sodium.h>
#include <unistd.h>

#include "domain/codes.h"
#include "domain/divisions.h"
#include "hub/hub_db.h"
#include "hub/hub_export.h"
#include "hub/hub_http.h"
#include "sync/sync.h"
#include "proto/sync_proto.h"
#include "store/store.h"
#include "test_state.h"

static int next_message(int fd, char *buf, size_t size, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0)
        return 0;
    ssize_t n = recv(fd, buf, size - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return 1;
}

static void test_ready_watchdog_stopping(void **state)
{
    (void)state;
    char path[100];
    snprintf(path, sizeof path, "/tmp/kiosk-notify-%d.sock", (int)getpid());
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);

    pid_t pid = fork();
    if (pid == 0) {
        char wpid[32];
        snprintf(wpid, sizeof wpid, "%d", (int)getpid());
        setenv("NOTIFY_SOCKET", path, 1);
        setenv("WATCHDOG_USEC", "400000", 1);
        setenv("WATCHDOG_PID", wpid, 1);
        setenv("SDL_VIDEODRIVER", "dummy", 1);
        execl(KIOSK_BIN, KIOSK_BIN, "--headless", (char *)NULL);
        _exit(127);
    }
    char msg[128];
    assert_true(next_message(fd, msg, sizeof msg, 10000));
    assert_string_equal(msg, "READY=1");
    int pings = 0;
    while (pings < 3 && next_message(fd, msg, sizeof msg, 2000))
        pings += strcmp(msg, "WATCHDOG=1") == 0;
    assert_int_equal(pings, 3);
    kill(pid, SIGTERM);
    int stopping = 0;
    while (!stopping && next_message(fd, msg, sizeof msg, 5000))
        stopping = strcmp(msg, "STOPPING=1") == 0;
    assert_true(stopping);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(fd);
    unlink(path);
}

static void test_unit_verifies(void **state)
{
    (void)state;
    /* the unit as built, with ExecStart pointing at this build's kiosk */
    char unit[512], cmd[2048], out[4096];
    snprintf(unit, sizeof unit, "%s/kiosk.service", KIOSK_TEST_TMP);
    snprintf(cmd, sizeof cmd, "sed 's|^ExecStart=[^ ]*|ExecStart=%s|' '%s' > '%s'", KIOSK_BIN,
             KIOSK_UNIT, unit);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "systemd-analyze verify '%s' 2>&1", unit);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    /* exit 0 and not a word about our unit (bad values are only warnings) */
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strstr(out, "kiosk.service"))
        fail_msg("systemd-analyze verify: %s", out);
}

/* A provisioned unit in a fresh state directory (dir, 256 bytes) with a configuration
 * (conf) for the file printer; db: its database's path (300 bytes each). */
static void provisioned_unit(const char *tag, char *dir, char *conf, char *db,
                             store_device_key *key)
{
    snprintf(dir, 256, "%s/kiosk-%s-%d", KIOSK_TEST_TMP, tag, (int)getpid());
    store *st;
    assert_int_equal(test_state_open(dir, "DEMO01", key, &st), KIOSK_OK);
    store_close(st);
    snprintf(db, 300, "%s/kiosk.db", dir);
    snprintf(conf, 300, "%s/kiosk.conf", dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f, "[paths]\nstate_dir = %s\n[printer]\nbackend = file\noutput_dir = %s/receipts\n",
            dir, dir);
    fclose(f);
}

/* Run the real kiosk on script with conf, screenshots into dir, its log in dir/log (the
 * log's tail printed when it fails); it must end with exit 0. */
static void run_kiosk_script(const char *conf, const char *script, const char *dir)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "SDL_VIDEODRIVER=dummy '%s' --config '%s' --script '%s' --shots '%s' >'%s/log' 2>&1",
             KIOSK_BIN, conf, script, dir, dir);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    if (WEXITSTATUS(rc) != 0) {
        snprintf(cmd, sizeof cmd, "tail -20 '%s/log'", dir);
        (void)system(cmd);
    }
    assert_int_equal(WEXITSTATUS(rc), 0);
}

static void test_script_happy_path(void **state)
{
    (void)state;
    char dir[256], cmd[2048], conf[300], db[300];
    store_device_key key;
    store *st;
    provisioned_unit("script", dir, conf, db, &key);
    run_kiosk_script(conf, KIOSK_TEST_FIXTURES "/../scripts/happy-path.script", dir);
    for (int i = 1; i <= 5; i++) {
        snprintf(cmd, sizeof cmd, "ls '%s'/0%d-*.png >/dev/null 2>&1", dir, i);
        assert_int_equal(system(cmd), 0);
    }
    snprintf(cmd, sizeof cmd, "ls '%s'/receipts/DEMO01-*.png >/dev/null 2>&1", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &st), KIOSK_OK);
    store_counts n;
    assert_int_equal(store_count(st, &n), KIOSK_OK);
    assert_int_equal(n.by_state[STORE_QUEUED], 1);
    store_close(st);
    /* a script line that fails: exit 3 and the line named */
    snprintf(cmd, sizeof cmd, "printf 'expect pin\\n' > '%s/bad.script'", dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "SDL_VIDEODRIVER=dummy '%s' --config '%s' --script '%s/bad.script' 2>&1 | grep -q "
             "'bad.script:1: at attract, expected pin'",
             KIOSK_BIN, conf, dir);
    assert_int_equal(system(cmd), 0);
}

static int find_reprint(void *ctx, const store_audit_entry *e)
{
    if (!strcmp(e->action, "receipt.reprint") && !strcmp(e->actor, "citizen") &&
        !strcmp(e->detail, "KIOSK_OK")) {
        char *out = ctx;
        size_t n = strnlen(e->subject, STORE_RECEIPT_NO_MAX);
        memcpy(out, e->subject, n);
        out[n] = '\0';
    }
    return 0;
}

/* tests/scripts/self-query.script through the real program: a registration, then the same
 * card opens 我的办理记录, finds the record and prints it again as a copy (副本). */
static void test_script_self_query(void **state)
{
    (void)state;
    char dir[256], cmd[2048], conf[300], db[300];
    store_device_key key;
    store *st;
    provisioned_unit("selfquery", dir, conf, db, &key);
    run_kiosk_script(conf, KIOSK_TEST_FIXTURES "/../scripts/self-query.script", dir);
    for (int i = 1; i <= 3; i++) {
        snprintf(cmd, sizeof cmd, "ls '%s'/0%d-*.png >/dev/null 2>&1", dir, i);
        assert_int_equal(system(cmd), 0);
    }
    /* the one record, found by the card and printed again: the copy's page beside the
     * receipt's (the print job of a copy marks it 副本: test_receipt reads that) */
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &st), KIOSK_OK);
    store_summary found[2];
    size_t n = 0;
    assert_int_equal(store_records_of(st, "370102199003074519", found, 2, &n), KIOSK_OK);
    assert_int_equal(n, 1);
    char reprinted[STORE_RECEIPT_NO_MAX + 1] = "";
    assert_int_equal(store_audit_recent(st, 50, find_reprint, reprinted), KIOSK_OK);
    assert_string_equal(reprinted, found[0].receipt_no);
    store_close(st);
    snprintf(cmd, sizeof cmd, "test -s '%s/receipts/%s.png' && test -s '%s/receipts/%s-copy.png'",
             dir, found[0].receipt_no, dir, found[0].receipt_no);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "! cmp -s '%s/receipts/%s.png' '%s/receipts/%s-copy.png'", dir,
             found[0].receipt_no, dir, found[0].receipt_no);
    assert_int_equal(system(cmd), 0); /* the copy is marked, not the same page */
    /* the ID number is nowhere in the unit's files in clear */
    snprintf(cmd, sizeof cmd, "grep -rqa 370102199003074519 '%s'", dir);
    assert_int_not_equal(system(cmd), 0);
}

/* 我的办理记录 with the hub's word, through the real program and a loopback hub: a
 * registration (happy-path.script) synced to the hub, `kiosk-hub state set` marks it
 * needs_materials (contract_end), and self-query-hub.script shows it — the unit keeps what
 * the hub said; then with the hub gone the same script shows the kept state offline. */
static void test_script_self_query_hub(void **state)
{
    (void)state;
    char dir[256], cmd[4096], conf[300], db[300], hubdb[400];
    store_device_key key;
    store *st;
    provisioned_unit("selfqueryhub", dir, conf, db, &key);
    /* the hub: this unit registered, its signing key provisioned on the unit */
    uint8_t hub_pk[32], hub_sk[64];
    crypto_sign_keypair(hub_pk, hub_sk);
    snprintf(hubdb, sizeof hubdb, "%s/hub.db", dir);
    hub_db *hdb;
    assert_int_equal(hub_db_open(hubdb, &hdb), KIOSK_OK);
    assert_int_equal(hub_db_device_add(hdb, key.public_key, "DEMO01", 1), KIOSK_OK);
    hub_server_options o;
    hub_server_options_init(&o);
    o.sign_secret_key = hub_sk;
    o.plain_http_loopback_test = 1;
    hub_server *srv;
    assert_int_equal(hub_server_start(hdb, &o, &srv), KIOSK_OK);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)hub_server_port(srv));
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &st), KIOSK_OK);
    assert_int_equal(store_set_hub_key(st, hub_pk), KIOSK_OK);
    store_close(st);
    FILE *f = fopen(conf, "a");
    assert_non_null(f);
    fprintf(f, "[sync]\nurl = %s\nallow_plain_http_loopback = true\n", url);
    fclose(f);

    run_kiosk_script(conf, KIOSK_TEST_FIXTURES "/../scripts/happy-path.script", dir);
    /* the record reaches the hub (the unit's worker may have sent it already) */
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &st), KIOSK_OK);
    sync_config sc = {.url = url, .allow_plain_http_loopback = 1, .key = &key};
    char why[160] = "";
    assert_int_equal(sync_run_once(&sc, st, NULL, why, sizeof why), KIOSK_OK);
    store_summary found[2];
    size_t n = 0;
    assert_int_equal(store_records_of(st, "370102199003074519", found, 2, &n), KIOSK_OK);
    assert_int_equal(n, 1);
    store_close(st);
    /* staff mark it: needs the proof that the job ended */
    snprintf(cmd, sizeof cmd,
             "KIOSK_HUB_CONFIG= '%s' state set --db '%s' %s needs_materials --note contract_end"
             " --by test",
             KIOSK_HUB_BIN, hubdb, found[0].uuid);
    assert_int_equal(system(cmd), 0);

    run_kiosk_script(conf, KIOSK_TEST_FIXTURES "/../scripts/self-query-hub.script", dir);
    snprintf(cmd, sizeof cmd,
             "test -s '%s/01-records-hub.png' && cp '%s/01-records-hub.png'"
             " '%s/01-records-hub-online.png'",
             dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "grep -q 'the hub answered for 1 records' '%s/log'", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &st), KIOSK_OK);
    store_hub_state hs;
    assert_int_equal(store_hub_state_get(st, found[0].uuid, &hs), KIOSK_OK);
    assert_int_equal(hs.state, SYNC_STATE_NEEDS_MATERIALS);
    assert_string_equal(hs.note, "contract_end");
    assert_true(hs.heard_ms > 0);
    store_close(st);

    /* the hub goes away: the same screen says so and shows what it last heard */
    hub_server_stop(srv);
    hub_db_close(hdb);
    run_kiosk_script(conf, KIOSK_TEST_FIXTURES "/../scripts/self-query-hub.script", dir);
    snprintf(cmd, sizeof cmd, "grep -q \"the hub's states of 1 records were not had\" '%s/log'",
             dir);
    assert_int_equal(system(cmd), 0);
    /* the ID number is nowhere in the unit's files in clear */
    snprintf(cmd, sizeof cmd, "grep -rqa 370102199003074519 '%s'", dir);
    assert_int_not_equal(system(cmd), 0);
}

/* A script's text (tests/scripts/<name>), whole; the buffer is the next call's. */
static char *script_text(const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/../scripts/%s", KIOSK_TEST_FIXTURES, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static void write_text(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
}

/* The real program killed with SIGKILL (as a power cut leaves it) mid-form — on the first
 * page, at the review, at the signature — and started again: the same card and PIN are
 * offered the form, "接着填" opens it where it was (a reviewed one at the review), the rest
 * of the happy path saves the record once, and the kept form is gone. */
static void test_killed_mid_form_resumes(void **state)
{
    (void)state;
    static const struct {
        const char *script; /* tests/scripts/… */
        const char *cut;    /* the happy path up to and including this line, then the kill */
        const char *expect; /* where "接着填" opens */
        const char *rest;   /* the happy path goes on after this line */
        const char *again;  /* what the citizen does first on resuming */
    } cuts[] = {
        /* mid-questions: back at the questions, the two answers given */
        {"happy-path.script", "tap q1_no\n", "questions", "tap q1_no\n", ""},
        /* the form opens with no editor open: health is chosen from its row */
        {"happy-path.script", "tap field_education\npick opt_21\n", "form", "pick opt_10\n",
         "tap field_health\npick opt_10\n"},
        {"happy-path.script", "expect review\n", "review", "expect review\n", ""},
        {"happy-path.script", "expect commitment\n", "review", "expect review\n", ""},
        {"happy-path.script", "expect signature\n", "review", "expect review\n", ""},
        /* a 求职登记 reviewed: resumed as one, at its review */
        {"jobseeker.script", "expect review\n", "review", "expect review\n", ""},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        const char *path = script_text(cuts[i].script);
        char dir[256], cmd[2048], conf[300], db[300], script[400], draft[320];
        char tag[16];
        snprintf(tag, sizeof tag, "killed%zu", i);
        store_device_key key;
        provisioned_unit(tag, dir, conf, db, &key);
        snprintf(draft, sizeof draft, "%s/draft", dir);
        /* up to the cut, then it waits: killed there */
        const char *at = strstr(path, cuts[i].cut);
        assert_non_null(at);
        snprintf(script, sizeof script, "%s/first.script", dir);
        char *first = malloc(16384);
        size_t n = (size_t)(at - path) + strlen(cuts[i].cut);
        memcpy(first, path, n);
        n += (size_t)snprintf(first + n, 16384 - n, "screenshot zz-cut.png\nwait 60000\n");
        write_text(script, first, n);
        free(first);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            snprintf(cmd, sizeof cmd,
                     "exec env SDL_VIDEODRIVER=dummy '%s' --config '%s' --script '%s' --shots "
                     "'%s' >'%s/first.log' 2>&1",
                     KIOSK_BIN, conf, script, dir, dir);
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
            _exit(127);
        }
        /* the cut is reached (its screenshot is there); a moment more for the form's last
         * change to be kept */
        char cut_shot[320];
        snprintf(cut_shot, sizeof cut_shot, "%s/zz-cut.png", dir);
        int waited = 0;
        for (; access(cut_shot, F_OK) != 0 && waited < 60000; waited += 50)
            usleep(50 * 1000);
        assert_true(waited < 60000);
        usleep(1000 * 1000);
        assert_int_equal(access(draft, F_OK), 0);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));
        /* started again: the same citizen goes on, then the rest of the happy path */
        const char *rest = strstr(path, cuts[i].rest);
        assert_non_null(rest);
        rest += strlen(cuts[i].rest);
        char *second = malloc(16384);
        n = (size_t)snprintf(second, 16384,
                             "card insert\nwait-for pin\npin 123456\ntap pin_ok\n"
                             "wait-for services\nwait 1000\ntap resume_yes\nexpect %s\n%s%s",
                             cuts[i].expect, cuts[i].again, rest);
        snprintf(script, sizeof script, "%s/second.script", dir);
        write_text(script, second, n);
        free(second);
        run_kiosk_script(conf, script, dir);
        store *st;
        assert_int_equal(store_open(db, "DEMO01", &key, NULL, &st), KIOSK_OK);
        store_counts c;
        assert_int_equal(store_count(st, &c), KIOSK_OK);
        assert_int_equal(c.by_state[STORE_QUEUED], 1);
        store_summary saved[2];
        size_t nsaved = 0;
        assert_int_equal(store_records_of(st, "370102199003074519", saved, 2, &nsaved), KIOSK_OK);
        assert_int_equal(nsaved, 1);
        assert_string_equal(saved[0].record_type, strcmp(cuts[i].script, "jobseeker.script")
                                                      ? "registration"
                                                      : "jobseeker");
        store_close(st);
        assert_int_not_equal(access(draft, F_OK), 0);
        /* nothing of the citizen's in clear in the unit's files, the kept form's included */
        snprintf(cmd, sizeof cmd,
                 "grep -rqa --exclude='*.script' -e 370102199003074519 -e 13812345678 '%s'", dir);
        assert_int_not_equal(system(cmd), 0);
    }
}

/* tests/scripts/policies.script through the real program: 政策和服务机构, a policy and an
 * agency printed as slips (the image printer's pages), no record saved. */
static void test_script_policies(void **state)
{
    (void)state;
    char dir[256], cmd[2048], conf[300], db[300];
    store_device_key key;
    provisioned_unit("policies", dir, conf, db, &key);
    run_kiosk_script(conf, KIOSK_TEST_FIXTURES "/../scripts/policies.script", dir);
    snprintf(cmd, sizeof cmd,
             "test -s '%s/receipts/slip-policy.png' && test -s '%s/receipts/slip-agency.png'", dir,
             dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(test_state_records(dir, "DEMO01", STORE_QUEUED), 0);
}

/* tests/scripts/<name>.script (report, jobseeker) through the real program: the record
 * saved as its own type, found by the card, its receipt printed with its own title; the
 * session's taps (the log line at its end, card and PIN included) held at budget. */
/* The unit's pending records, as the sync worker sends them, into the hub. */
typedef struct to_hub {
    hub_db *db;
    const uint8_t *device;
    int n;
} to_hub;

static int send_to_hub(void *ctx, const store_pending *p)
{
    to_hub *h = ctx;
    sync_record rec;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.uuid, sizeof rec.uuid, "%s", p->uuid);
    rec.seq = p->seq;
    rec.sealed = (uint8_t *)p->sealed;
    rec.sealed_len = p->sealed_len;
    assert_non_null(p->record_sig);
    memcpy(rec.sig, p->record_sig, 64);
    sync_result res;
    assert_int_equal(
        hub_db_ingest_epoch(h->db, h->device, p->epoch, &rec, 1, "http", 1795363199000LL, &res),
        KIOSK_OK);
    assert_int_equal(res.status, SYNC_ACCEPTED);
    h->n++;
    return 0;
}

/* The record the script saved, through the hub's ingest (what a sync round does once the
 * bytes arrived) and `hub export`'s CSV: its type in its column, its fields named. */
static void export_at_hub(const char *dir, const store_device_key *key, const uint8_t up_pk[32],
                          const uint8_t up_sk[32], const char *type, const char *expect)
{
    char path[400];
    snprintf(path, sizeof path, "%s/hub.db", dir);
    hub_db *db;
    assert_int_equal(hub_db_open(path, &db), KIOSK_OK);
    assert_int_equal(hub_db_device_add(db, key->public_key, "kiosk-01", 1), KIOSK_OK);
    store *st;
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    assert_int_equal(store_open(path, "DEMO01", key, NULL, &st), KIOSK_OK);
    to_hub h = {db, key->public_key, 0};
    assert_int_equal(store_pending_each(st, 0, 10, send_to_hub, &h, NULL), KIOSK_OK);
    store_close(st);
    assert_int_equal(h.n, 1);
    codes_tables *codes;
    divisions *divs;
    assert_int_equal(codes_load(KIOSK_TEST_ASSETS "/codes", &codes), KIOSK_OK);
    assert_int_equal(divisions_load(KIOSK_TEST_ASSETS "/divisions/divisions.txt", &divs), KIOSK_OK);
    char *csv = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&csv, &len);
    assert_non_null(out);
    hub_export_stats stats;
    assert_int_equal(hub_export_csv(db, up_pk, up_sk, codes, divs, out, &stats), KIOSK_OK);
    fclose(out);
    assert_int_equal(stats.exported, 1);
    char cell[64];
    snprintf(cell, sizeof cell, ",%s,张三丰,", type);
    assert_non_null(strstr(csv, cell));
    assert_non_null(strstr(csv, expect));
    free(csv);
    codes_destroy(codes);
    divisions_destroy(divs);
    hub_db_close(db);
}

static void run_record_type_script(const char *name, const char *type, int budget,
                                   const char *expect)
{
    uint8_t up_pk[32], up_sk[32];
    crypto_box_keypair(up_pk, up_sk);
    char dir[256], cmd[2048], conf[300], db[300];
    store_device_key key;
    store *st;
    provisioned_unit(name, dir, conf, db, &key);
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &st), KIOSK_OK);
    assert_int_equal(store_set_upstream_key(st, up_pk), KIOSK_OK); /* one this test opens */
    store_close(st);
    char script[400];
    snprintf(script, sizeof script, "%s/../scripts/%s.script", KIOSK_TEST_FIXTURES, name);
    run_kiosk_script(conf, script, dir);
    assert_int_equal(store_open(db, "DEMO01", &key, NULL, &st), KIOSK_OK);
    store_summary found[2];
    size_t n = 0;
    assert_int_equal(store_records_of(st, "370102199003074519", found, 2, &n), KIOSK_OK);
    assert_int_equal(n, 1);
    assert_string_equal(found[0].record_type, type);
    store_close(st);
    snprintf(cmd, sizeof cmd, "test -s '%s/receipts/%s.png'", dir, found[0].receipt_no);
    assert_int_equal(system(cmd), 0);
    /* the session's one log line: its taps */
    snprintf(cmd, sizeof cmd, "%s/log", dir);
    FILE *f = fopen(cmd, "r");
    assert_non_null(f);
    char line[1024];
    int taps = -1;
    while (fgets(line, sizeof line, f)) {
        const char *at = strstr(line, "session ended after");
        const char *colon = at ? strstr(at, ": ") : NULL;
        if (colon)
            taps = atoi(colon + 2);
    }
    fclose(f);
    print_message("%s: %d taps (target 25, held at %d)\n", name, taps, budget);
    assert_true(taps > 0);
    assert_true(taps <= budget);
    snprintf(cmd, sizeof cmd, "grep -rqa 370102199003074519 '%s'", dir);
    assert_int_not_equal(system(cmd), 0);
    export_at_hub(dir, &key, up_pk, up_sk, type, expect);
    sodium_memzero(up_sk, sizeof up_sk);
}

static void test_script_report(void **state)
{
    (void)state;
    run_record_type_script("report", "deregistration", 25, ",01,被用人单位录用或招聘,");
}

static void test_script_jobseeker(void **state)
{
    (void)state;
    /* over the target: the mobile number alone is 12 of them (11 digits and 完成) */
    run_record_type_script(
        "jobseeker", "jobseeker", 33,
        ",05;06,住宿餐饮；家政和养老护理,370102,山东省济南市历下区,2,3000至4999元,");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_watchdog_stopping),
        cmocka_unit_test(test_unit_verifies),
        cmocka_unit_test(test_script_happy_path),
        cmocka_unit_test(test_script_self_query),
        cmocka_unit_test(test_script_self_query_hub),
        cmocka_unit_test(test_killed_mid_form_resumes),
        cmocka_unit_test(test_script_report),
        cmocka_unit_test(test_script_jobseeker),
        cmocka_unit_test(test_script_policies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
