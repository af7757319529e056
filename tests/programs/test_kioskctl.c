/* Tests of `kioskctl verify` as staff run it: on a receipt image and on payload text,
 * with the right key, an altered payload and another device's key; the exit codes are
 * the contract scripts rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/kiosk_config.h"
#include "identity/identity.h"
#include "identity/identity_health.h"
#include "nfc/reader_nfc.h"
#include "pcsc_peer.h"
#include "pn532_emu.h"
#include "printer_peer.h"
#include "receipt/receipt.h"
#include "ssc/reader_sim.h"
#include "proto/receipt_payload.h"
#include "store/store.h"

static char payload[RECEIPT_PAYLOAD_MAX];
static char key_path[512], other_key_path[512], png_path[512];
static uint8_t device_pk[32];

static void write_hex_key(const char *path, const uint8_t pk[32])
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, pk, 32);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", hex);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    uint8_t pk[32], sk[64], pk2[32], sk2[64], hash[32] = {9};
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    snprintf(key_path, sizeof key_path, "%s/ctl-device.pub", KIOSK_TEST_TMP);
    snprintf(other_key_path, sizeof other_key_path, "%s/ctl-other.pub", KIOSK_TEST_TMP);
    snprintf(png_path, sizeof png_path, "%s/ctl-receipt.png", KIOSK_TEST_TMP);
    write_hex_key(key_path, pk);
    write_hex_key(other_key_path, pk2);
    memcpy(device_pk, pk, 32);
    if (receipt_payload_make("DEMO01-20261122-0042", "20261122101500", hash, sk, pk, payload))
        return -1;
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    kiosk_config_fonts fonts;
    kiosk_config_font_paths(&cfg, &fonts);
    receipt_fonts *f;
    if (receipt_fonts_load(fonts.list, fonts.n, &f) != KIOSK_OK)
        return -1;
    receipt_doc d;
    memset(&d, 0, sizeof d);
    d.title = "失业登记回执";
    d.lines[d.nlines++] = (receipt_line){"回执编号", "DEMO01-20261122-0042"};
    d.qr_payload = payload;
    receipt_bitmap bmp;
    kiosk_rc rc = receipt_render(f, &d, 384, &bmp);
    if (rc == KIOSK_OK)
        rc = receipt_bitmap_write_png(&bmp, png_path);
    receipt_bitmap_deinit(&bmp);
    receipt_fonts_destroy(f);
    return rc == KIOSK_OK ? 0 : -1;
}

/* Run a shell command; its standard output in out, its exit code returned. */
static int run(const char *cmd, char *out, size_t outsz)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, outsz - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int run_ctl(const char *key, const char *what, char *out, size_t outsz)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' verify --key '%s' '%s'", KIOSK_KIOSKCTL, key, what);
    return run(cmd, out, outsz);
}

static void test_verify_image_and_text(void **state)
{
    (void)state;
    char out[1024];
    assert_int_equal(run_ctl(key_path, png_path, out, sizeof out), 0);
    assert_non_null(strstr(out, "valid: receipt DEMO01-20261122-0042, issued 2026-11-22 10:15"));
    assert_int_equal(run_ctl(key_path, payload, out, sizeof out), 0);
    /* the receipt's QR with the hub's check page before the payload ([receipt] verify_url):
     * checked offline the same */
    char url[RECEIPT_PAYLOAD_MAX + 64];
    snprintf(url, sizeof url, "https://hub.example.gov.cn/r/%s", payload);
    assert_int_equal(run_ctl(key_path, url, out, sizeof out), 0);
    assert_non_null(strstr(out, "valid: receipt DEMO01-20261122-0042"));
    snprintf(url, sizeof url, "https://hub.example.gov.cn/r/");
    assert_int_equal(run_ctl(key_path, url, out, sizeof out), 3);
}

static void test_verify_failures(void **state)
{
    (void)state;
    char out[1024], altered[RECEIPT_PAYLOAD_MAX];
    snprintf(altered, sizeof altered, "%s", payload);
    char *no = strstr(altered, "0042");
    no[3] = '3'; /* a different receipt number under the same signature */
    assert_int_equal(run_ctl(key_path, altered, out, sizeof out), 1);
    assert_non_null(strstr(out, "altered"));
    assert_int_equal(run_ctl(other_key_path, payload, out, sizeof out), 2);
    assert_non_null(strstr(out, "unknown device"));
    assert_int_equal(run_ctl(key_path, "HELLO", out, sizeof out), 3);
    char blank[512];
    snprintf(blank, sizeof blank, "%s/ctl-nothing.png", KIOSK_TEST_TMP);
    FILE *f = fopen(blank, "w");
    fclose(f);
    assert_int_equal(run_ctl(key_path, blank, out, sizeof out), 3);
    assert_int_equal(run_ctl("/nonexistent", payload, out, sizeof out), 64);
}

/* The key file forms verify accepts: 32 raw bytes, or 64 hex digits in either case with
 * whitespace between pairs; and what it refuses (exit 64) as it always did. */
static void test_verify_key_file_forms(void **state)
{
    (void)state;
    char path[600], hex[65], text[200], out[1024];
    snprintf(path, sizeof path, "%s/ctl-forms.pub", KIOSK_TEST_TMP);
    sodium_bin2hex(hex, sizeof hex, device_pk, 32);
    static const struct {
        int upper, sep; /* sep: a byte between pairs, -1 for none */
        const char *tail;
        int want;
    } forms[] = {
        {0, -1, "\n", 0}, {1, -1, "", 0},    {0, ' ', " \r\n\t", 0}, {1, '\n', "\n", 0},
        {0, '\t', "", 0}, {0, -1, "0", 64},  {0, -1, "00", 64},      {0, -1, "x", 64},
        {0, ':', "", 64}, {0, '\v', "", 64}, {0, '\0', "", 64}, /* a NUL is not whitespace */
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t n = 0;
        for (int k = 0; k < 64; k++) {
            if (k && k % 2 == 0 && forms[i].sep >= 0)
                text[n++] = (char)forms[i].sep;
            text[n++] = forms[i].upper ? (char)toupper((unsigned char)hex[k]) : hex[k];
        }
        memcpy(text + n, forms[i].tail, strlen(forms[i].tail));
        n += strlen(forms[i].tail);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, n, f), n);
        fclose(f);
        if (run_ctl(path, payload, out, sizeof out) != forms[i].want)
            fail_msg("key file form %zu: want exit %d", i, forms[i].want);
    }
    /* whitespace inside a pair */
    snprintf(text, sizeof text, "%.1s %s", hex, hex + 1);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(run_ctl(path, payload, out, sizeof out), 64);
    /* 32 raw bytes */
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(device_pk, 1, 32, f), 32);
    fclose(f);
    assert_int_equal(run_ctl(path, payload, out, sizeof out), 0);
    unlink(path);
}

/* Run `kioskctl card` with stdin_text piped in; the exit code, output in out. */
static int run_card(const char *stdin_text, const char *args, char *out, size_t outsz)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "printf '%s' | '%s' card %s", stdin_text, KIOSK_KIOSKCTL, args);
    return run(cmd, out, outsz);
}

static void test_card_reads_and_pins(void **state)
{
    (void)state;
    char out[4096];
    const char *demo = "--reader sim:" KIOSK_TEST_ASSETS "/cards/demo.ini";
    char args[1024];
    /* without a PIN: card data only, nothing personal */
    assert_int_equal(run_card("", demo, out, sizeof out), 0);
    assert_non_null(strstr(out, "D37010201"));
    assert_null(strstr(out, "张三丰"));
    snprintf(args, sizeof args, "%s --pin-stdin --json", demo);
    assert_int_equal(run_card("123456\\n", args, out, sizeof out), 0);
    assert_non_null(strstr(out, "\"name\": \"张三丰\""));
    assert_non_null(strstr(out, "\"id_number\": \"370102199003074519\""));
    assert_non_null(strstr(out, "\"birth_date\": \"1990-03-07\""));
    assert_int_equal(run_card("000000\\n", args, out, sizeof out), 11);
    assert_non_null(strstr(out, "\"tries_left\": 2"));
    assert_null(strstr(out, "张三丰"));
    snprintf(args, sizeof args, "--reader sim:%s/cards/blocked.ini --pin-stdin",
             KIOSK_TEST_FIXTURES);
    assert_int_equal(run_card("123456\\n", args, out, sizeof out), 12);
    /* blocked is told from the counter, without a PIN; the tries left too */
    snprintf(args, sizeof args, "--reader sim:%s/cards/blocked.ini", KIOSK_TEST_FIXTURES);
    assert_int_equal(run_card("", args, out, sizeof out), 12);
    snprintf(args, sizeof args, "--reader sim:%s/cards/last-try.ini", KIOSK_TEST_FIXTURES);
    assert_int_equal(run_card("", args, out, sizeof out), 0);
    assert_non_null(strstr(out, "tries left:    1"));
    /* exactly the kiosk's acceptance: an ID number that fails its check is refused */
    snprintf(args, sizeof args, "--reader sim:%s/cards/bad-id.ini --pin-stdin",
             KIOSK_TEST_FIXTURES);
    assert_int_equal(run_card("123456\\n", args, out, sizeof out), 13);
    assert_non_null(strstr(out, "refused"));
    /* issue 14: a profile with a ninth [holder] record is refused, not read past its end
     * (the release build died with SIGSEGV): a reader fault */
    snprintf(args, sizeof args, "--reader sim:%s/cards/nine-holder-records.ini --pin-stdin",
             KIOSK_TEST_FIXTURES);
    assert_int_equal(run_card("123456\\n", args, out, sizeof out), 14);

    /* the reader the configuration names (here: the simulated demo card) */
    char conf[256];
    snprintf(conf, sizeof conf, "%s/ctl-card-%d.conf", KIOSK_TEST_TMP, (int)getpid());
    FILE *cf = fopen(conf, "w");
    assert_non_null(cf);
    fprintf(cf, "[reader]\nbackend = simulated\ncard_profile = %s/cards/demo.ini\n",
            KIOSK_TEST_ASSETS);
    fclose(cf);
    snprintf(args, sizeof args, "--config %s", conf);
    assert_int_equal(run_card("", args, out, sizeof out), 0);
    assert_non_null(strstr(out, "D37010201"));
    /* a PIN that is not 6 digits is refused before any card access */
    snprintf(args, sizeof args, "%s --pin-stdin", demo);
    assert_int_equal(run_card("12ab\\n", args, out, sizeof out), 64);
}

static void test_card_reader_states(void **state)
{
    (void)state;
    char out[4096], args[512];
    setenv("LIBNFC_AUTO_SCAN", "false", 1);
    setenv("LIBNFC_LOG_LEVEL", "0", 1);
    assert_int_equal(
        run_card("", "--reader pn532_uart:/dev/nonexistent-tty:115200", out, sizeof out), 14);
    assert_non_null(strstr(out, "reader fault"));
    /* a working reader with nothing on it */
    pn532_emu *emu;
    assert_int_equal(pn532_emu_start(NULL, &emu), KIOSK_OK);
    snprintf(args, sizeof args, "--reader %s --wait 1", pn532_emu_connstring(emu));
    assert_int_equal(run_card("", args, out, sizeof out), 10);
    assert_non_null(strstr(out, "no card"));
    /* a reader that is there but does not answer is a fault, not "no card" */
    pn532_emu_set_silent(emu, 1);
    assert_int_equal(run_card("", args, out, sizeof out), 14);
    assert_non_null(strstr(out, "reader fault"));
    pn532_emu_stop(emu);
    /* the same libnfc path with a card on it reads it; unplugged, it is a fault */
    reader *card;
    assert_int_equal(reader_sim_create(KIOSK_TEST_ASSETS "/cards/demo.ini", NULL, &card), KIOSK_OK);
    assert_int_equal(pn532_emu_start(card, &emu), KIOSK_OK);
    snprintf(args, sizeof args, "--reader %s --wait 1", pn532_emu_connstring(emu));
    assert_int_equal(run_card("", args, out, sizeof out), 0);
    assert_non_null(strstr(out, "D37010201"));
    pn532_emu_unplug(emu);
    assert_int_equal(run_card("", args, out, sizeof out), 14);
    pn532_emu_stop(emu);
    reader_close(card);
}

/* Through pcscd (tests/tools/pcsc_peer): a card in a contact slot read by
 * `kioskctl card --reader pcsc:NAME`, and `kioskctl psam` telling the PSAM in the SAM slot
 * (its serial), a slot holding a user card (not a PSAM), an empty slot, a reader that is
 * not there, and no PSAM configured. */
static void test_pcsc_card_and_psam(void **state)
{
    (void)state;
    reader *card, *sam;
    pcsc_peer *peer;
    kiosk_rc rc = pcsc_peer_start_cards(KIOSK_TEST_ASSETS "/cards/demo.ini",
                                        KIOSK_TEST_FIXTURES "/cards/psam.ini", &card, &sam, &peer);
    if (rc == KIOSK_UNSUPPORTED)
        skip();
    assert_int_equal(rc, KIOSK_OK);
    char out[4096], cmd[1024];
    assert_int_equal(
        run_card("123456\\n", "--reader 'pcsc:" PCSC_PEER_SLOT0 "' --pin-stdin", out, sizeof out),
        0);
    assert_non_null(strstr(out, "D37010201"));
    assert_non_null(strstr(out, "张三丰"));
    snprintf(cmd, sizeof cmd, "'%s' psam --reader '%s'", KIOSK_KIOSKCTL, PCSC_PEER_SLOT1);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "44030000000000000001"));
    snprintf(cmd, sizeof cmd, "'%s' psam --reader '%s'", KIOSK_KIOSKCTL, PCSC_PEER_SLOT0);
    assert_int_equal(run(cmd, out, sizeof out), 13); /* a citizen's card, not a PSAM */
    pcsc_peer_insert(peer, 1, 0);
    assert_true(pcsc_peer_wait(1, 0, 5000));
    snprintf(cmd, sizeof cmd, "'%s' psam --reader '%s'", KIOSK_KIOSKCTL, PCSC_PEER_SLOT1);
    assert_int_equal(run(cmd, out, sizeof out), 10);
    assert_non_null(strstr(out, "empty"));
    snprintf(cmd, sizeof cmd, "'%s' psam --reader 'No Such Reader'", KIOSK_KIOSKCTL);
    assert_int_equal(run(cmd, out, sizeof out), 14);
    snprintf(cmd, sizeof cmd, "'%s' psam", KIOSK_KIOSKCTL);
    assert_int_equal(run(cmd, out, sizeof out), 23);
    assert_non_null(strstr(out, "no PSAM configured"));
    pcsc_peer_stop_cards(peer, card, sam);
}

static void test_reprint(void **state)
{
    (void)state;
    char dir[256], conf[300], cmd[1024], out[2048];
    snprintf(dir, sizeof dir, "%s/ctl-state-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    /* a kiosk state with one saved record */
    store_device_key key;
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    char db[300];
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    store *st;
    assert_int_equal(store_open(db, "H7", &key, NULL, &st), KIOSK_OK);
    uint8_t up_pk[32], up_sk[32], commit[32] = {3};
    crypto_box_keypair(up_pk, up_sk);
    assert_int_equal(store_set_upstream_key(st, up_pk), KIOSK_OK);
    store_submission sub = {"{}", "{}", "2026.1", commit, "李*", "1101**********0026", NULL};
    store_saved saved;
    assert_int_equal(store_save(st, &sub, &saved), KIOSK_OK);
    store_close(st);
    snprintf(conf, sizeof conf, "%s/kiosk.conf", dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f,
            "[device]\nhall_code = H7\n[paths]\nstate_dir = %s\n[printer]\nbackend = file\n"
            "output_dir = %s/receipts\nwidth_dots = 384\n",
            dir, dir);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' reprint --config '%s' %s", KIOSK_KIOSKCTL, conf,
             saved.receipt_no);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "printed: a copy of H7-"));
    assert_non_null(strstr(out, "-copy.png"));
    snprintf(cmd, sizeof cmd, "'%s' reprint --config '%s' H7-20000101-0001", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 20);
    /* on a real printer (serial, on a pty): printed, and no image left behind */
    static printer_peer pe;
    const uint8_t healthy[5] = {0, 0x12, 0x12, 0x12, 0x12};
    assert_int_equal(printer_peer_start(&pe, healthy), 0);
    char conf_serial[300];
    snprintf(conf_serial, sizeof conf_serial, "%s/serial.conf", dir);
    f = fopen(conf_serial, "w");
    assert_non_null(f);
    fprintf(f,
            "[device]\nhall_code = H7\n[paths]\nstate_dir = %s\n[printer]\nbackend = serial\n"
            "device = %s\noutput_dir = %s/receipts-serial\n",
            dir, pe.name, dir);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' reprint --config '%s' %s", KIOSK_KIOSKCTL, conf_serial,
             saved.receipt_no);
    int printed = run(cmd, out, sizeof out);
    printer_peer_stop(&pe); /* got_len is the peer thread's until it stops */
    size_t sent = pe.got_len;
    assert_int_equal(printed, 0);
    assert_true(sent > 1000);
    assert_null(strstr(out, ".png"));
    snprintf(cmd, sizeof cmd, "test -z \"$(ls '%s/receipts-serial')\"", dir);
    assert_int_equal(system(cmd), 0);
    /* provisioning: the device key is shown, an upstream key is stored */
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "upstream key:      provisioned"));
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, key.public_key, 32);
    assert_non_null(strstr(out, hex));
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s' --upstream-key 12zz", KIOSK_KIOSKCTL,
             conf);
    assert_int_equal(run(cmd, out, sizeof out), 64);
    /* a fresh unit: not provisioned until the upstream key is given */
    char conf2[300];
    snprintf(conf2, sizeof conf2, "%s/fresh.conf", dir);
    f = fopen(conf2, "w");
    fprintf(f, "[paths]\nstate_dir = %s/fresh\n", dir);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s'", KIOSK_KIOSKCTL, conf2);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "upstream key:      not provisioned"));
    char up_hex[65];
    sodium_bin2hex(up_hex, sizeof up_hex, up_pk, 32);
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s' --upstream-key %s", KIOSK_KIOSKCTL,
             conf2, up_hex);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "upstream key:      provisioned"));
    char fp[17];
    memcpy(fp, up_hex, 16);
    fp[16] = '\0';
    assert_non_null(strstr(out, fp));
    /* the same key again is fine; another one needs --replace */
    assert_int_equal(run(cmd, out, sizeof out), 0);
    uint8_t other_pk[32], other_sk[32];
    crypto_box_keypair(other_pk, other_sk);
    char other_hex[65];
    sodium_bin2hex(other_hex, sizeof other_hex, other_pk, 32);
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s' --upstream-key %s 2>&1", KIOSK_KIOSKCTL,
             conf2, other_hex);
    assert_int_equal(run(cmd, out, sizeof out), 64);
    assert_non_null(strstr(out, "--replace"));
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s' --upstream-key %s", KIOSK_KIOSKCTL,
             conf2, up_hex);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, fp)); /* unchanged */
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s' --upstream-key %s --replace",
             KIOSK_KIOSKCTL, conf2, other_hex);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    other_hex[16] = '\0';
    assert_non_null(strstr(out, other_hex));
    /* a serial printer that is not there */
    /* (written anew: a setting given twice is a configuration error) */
    f = fopen(conf, "w");
    fprintf(f,
            "[device]\nhall_code = H7\n[paths]\nstate_dir = %s\n[printer]\nbackend = serial\n"
            "device = /dev/nonexistent-printer\noutput_dir = %s/receipts\nwidth_dots = 384\n",
            dir, dir);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' reprint --config '%s' %s", KIOSK_KIOSKCTL, conf,
             saved.receipt_no);
    assert_int_equal(run(cmd, out, sizeof out), 21);
}

static pid_t hub_pid; /* killed by the teardown too, so a failed check leaves no server */

static int stop_hub(void **state)
{
    (void)state;
    if (hub_pid > 0) {
        kill(hub_pid, SIGTERM);
        waitpid(hub_pid, NULL, 0);
    }
    hub_pid = 0;
    return 0;
}

/* Start `hub serve` (plain HTTP, a loopback test) on an ephemeral port with the signing
 * key in <dir>/hub-sign.key; returns its pid, port in *port. */
static pid_t start_hub(const char *hubdb, const char *dir, unsigned *port)
{
    char port_file[600], sign_key[600];
    snprintf(port_file, sizeof port_file, "%s/hub.port", dir);
    snprintf(sign_key, sizeof sign_key, "%s/hub-sign.key", dir);
    unlink(port_file);
    pid_t pid = fork();
    if (pid == 0) {
        execl(KIOSK_HUB, KIOSK_HUB, "serve", "--db", hubdb, "--listen", "127.0.0.1:0", "--sign-key",
              sign_key, "--plain-http-loopback-test", "--port-file", port_file, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(port_file, "r");
        if (f && fscanf(f, "%u", port) == 1 && *port) {
            fclose(f);
            return pid;
        }
        if (f)
            fclose(f);
        usleep(10000);
    }
    fail_msg("hub did not start");
    return -1;
}

static kiosk_rc open_emulated(void *ctx, reader **out)
{
    return reader_nfc_open(pn532_emu_connstring(ctx), out);
}

static void ignore_event(void *ctx, const identity_event *ev)
{
    (void)ctx;
    (void)ev;
}

/* Run `status` until its reader line holds want (the worker publishes on its thread). */
static int status_says(const char *conf, const char *want, char *out, size_t outsz)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' status --config '%s'", KIOSK_KIOSKCTL, conf);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(run(cmd, out, outsz), 0);
        if (strstr(out, want))
            return 1;
        usleep(50000);
    }
    return 0;
}

/* The running kiosk holds the reader; status shows what its reader worker publishes
 * (this test process plays the kiosk, with a PN532 emulator as its reader). */
static void test_status_shows_the_kiosks_reader(void **state)
{
    (void)state;
    setenv("LIBNFC_AUTO_SCAN", "false", 1);
    setenv("LIBNFC_LOG_LEVEL", "0", 1);
    char dir[256], conf[300], cmd[600], out[4096], db[300];
    snprintf(dir, sizeof dir, "%s/ctl-reader-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    store_device_key key;
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    store *st;
    assert_int_equal(store_open(db, "H7", &key, NULL, &st), KIOSK_OK);
    store_close(st);
    snprintf(conf, sizeof conf, "%s/kiosk.conf", dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f, "[device]\nhall_code = H7\n[paths]\nstate_dir = %s\n", dir);
    fclose(f);

    assert_true(
        status_says(conf, "reader:            unknown (kiosk not running)", out, sizeof out));
    pn532_emu *emu;
    assert_int_equal(pn532_emu_start(NULL, &emu), KIOSK_OK);
    identity_config ic = {.open = open_emulated,
                          .open_ctx = emu,
                          .callback = ignore_event,
                          .retry_ms = 200,
                          .health_dir = dir};
    identity_worker *w;
    assert_int_equal(identity_worker_start(&ic, &w), KIOSK_OK);
    assert_true(status_says(conf, "reader:            ok (since ", out, sizeof out));
    pn532_emu_unplug(emu);
    assert_true(status_says(conf, "reader:            fault since ", out, sizeof out));
    assert_non_null(strstr(out, "the reader stopped answering"));
    pn532_emu_replug(emu);
    assert_true(status_says(conf, "reader:            ok (since ", out, sizeof out));
    identity_worker_stop(w);
    pn532_emu_stop(emu);
    assert_true(
        status_says(conf, "reader:            unknown (kiosk not running)", out, sizeof out));

    /* a kiosk that died with a fault on file: its word no longer counts */
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    identity_health h = {.state = IDENTITY_HEALTH_FAULT, .since_ms = 1, .pid = (long)child};
    snprintf(h.reason, sizeof h.reason, "cannot open the reader");
    assert_int_equal(identity_health_write(dir, &h), KIOSK_OK);
    assert_true(
        status_says(conf, "reader:            unknown (kiosk not running)", out, sizeof out));
    /* and one that runs (this process) is believed */
    h.pid = (long)getpid();
    assert_int_equal(identity_health_write(dir, &h), KIOSK_OK);
    assert_true(status_says(conf, "fault since ", out, sizeof out));
    assert_non_null(strstr(out, "cannot open the reader"));
    identity_health_remove(dir);
    sodium_memzero(&key, sizeof key);
}

static void test_status_sync_export_purge(void **state)
{
    (void)state;
    char dir[256], conf[300], cmd[2048], out[4096], db[300], hubdb[300];
    snprintf(dir, sizeof dir, "%s/ctl-sync-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/usb'", dir, dir);
    assert_int_equal(system(cmd), 0);
    store_device_key key;
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    snprintf(hubdb, sizeof hubdb, "%s/hub.db", dir);
    store *st;
    assert_int_equal(store_open(db, "H7", &key, NULL, &st), KIOSK_OK);
    uint8_t up_pk[32], up_sk[32], commit[32] = {3};
    crypto_box_keypair(up_pk, up_sk);
    assert_int_equal(store_set_upstream_key(st, up_pk), KIOSK_OK);
    store_submission sub = {"{}", "{}", "2026.1", commit, "李*", "1101**********0026", NULL};
    store_saved saved;
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_save(st, &sub, &saved), KIOSK_OK);
    store_close(st);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, key.public_key, 32);
    snprintf(cmd, sizeof cmd, "'%s' device add --db '%s' %s field-unit-1 2>&1", KIOSK_HUB, hubdb,
             hex);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    /* the hub's signing key, made by the hub, its public half provisioned on the unit */
    char hub_hex[80];
    snprintf(cmd, sizeof cmd, "'%s' sign-key --key '%s/hub-sign.key'", KIOSK_HUB, dir);
    assert_int_equal(run(cmd, hub_hex, sizeof hub_hex), 0);
    assert_int_equal(strlen(hub_hex), 65);
    hub_hex[64] = '\0';
    unsigned port = 0;
    hub_pid = start_hub(hubdb, dir, &port);
    snprintf(conf, sizeof conf, "%s/kiosk.conf", dir);
    /* plain http without the development setting is refused at start, with its line */
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(
        f, "[device]\nhall_code = H7\n[paths]\nstate_dir = %s\n[sync]\nurl = http://127.0.0.1:%u\n",
        dir, port);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' status --config '%s' 2>&1", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 22);
    assert_non_null(strstr(out, ":6: sync.url must be https://"));
    f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f,
            "[device]\nhall_code = H7\n[paths]\nstate_dir = %s\n[policy]\nretention_days = 7\n"
            "[sync]\nurl = http://127.0.0.1:%u\nallow_plain_http_loopback = true\n",
            dir, port);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s' --hub-key %s", KIOSK_KIOSKCTL, conf,
             hub_hex);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "hub key:           provisioned"));

    snprintf(cmd, sizeof cmd, "'%s' status --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "3 queued, 0 sent, 0 acknowledged, 0 rejected"));
    assert_non_null(strstr(out, "last sync:         never"));
    assert_non_null(strstr(out, hex));
    /* the same state found without --config after the command: before it, or as the
     * device's configuration ($KIOSK_CONFIG standing in for /etc/kiosk/kiosk.conf) */
    snprintf(cmd, sizeof cmd, "'%s' --config '%s' status", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, hex));
    snprintf(cmd, sizeof cmd, "KIOSK_CONFIG='%s' '%s' status", conf, KIOSK_KIOSKCTL);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, hex));
    assert_non_null(strstr(out, conf));

    /* a field unit without network: a bundle on the USB stick, imported at the hub */
    snprintf(cmd, sizeof cmd, "'%s' export --config '%s' '%s/usb'", KIOSK_KIOSKCTL, conf, dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "exported 3 records to"));
    snprintf(cmd, sizeof cmd, "'%s' import --db '%s' '%s'/usb/H7-*.kb 2>/dev/null", KIOSK_HUB,
             hubdb, dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "accepted 3"));
    snprintf(cmd, sizeof cmd, "'%s' export --config '%s' /nonexistent/dir/x.kb", KIOSK_KIOSKCTL,
             conf);
    assert_int_equal(run(cmd, out, sizeof out), 22);

    /* the next sync learns the hub has them */
    snprintf(cmd, sizeof cmd, "'%s' sync --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "sent 3: 3 acknowledged, 0 rejected"));
    snprintf(cmd, sizeof cmd, "'%s' status --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "0 queued, 0 sent, 3 acknowledged, 0 rejected"));
    assert_non_null(strstr(out, "last error:        none"));
    snprintf(cmd, sizeof cmd, "'%s' export --config '%s' '%s/usb'", KIOSK_KIOSKCTL, conf, dir);
    assert_int_equal(run(cmd, out, sizeof out), 23);

    /* purge: only with --yes */
    snprintf(cmd, sizeof cmd, "'%s' purge --config '%s' --days 0 2>/dev/null", KIOSK_KIOSKCTL,
             conf);
    assert_int_equal(run(cmd, out, sizeof out), 64);
    snprintf(cmd, sizeof cmd, "'%s' purge --config '%s' --days 30 --yes", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "purged 0 records"));
    /* never below the configured retention (the menu's floor too) */
    snprintf(cmd, sizeof cmd, "'%s' purge --config '%s' --days 0 --yes 2>&1", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 24);
    assert_non_null(strstr(out, "retention_days = 7"));
    snprintf(cmd, sizeof cmd, "'%s' purge --config '%s' --days 7 --yes", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "purged 0 records"));
    /* eight days later (acknowledgements moved back): purged */
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' \"UPDATE records SET acked_ms = acked_ms - 8 * 86400000\"", db);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' purge --config '%s' --days 7 --yes", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "purged 3 records"));

    /* the hub goes away: sync says so, and status shows it */
    stop_hub(NULL);
    st = NULL;
    assert_int_equal(store_open(db, "H7", &key, NULL, &st), KIOSK_OK);
    assert_int_equal(store_save(st, &sub, &saved), KIOSK_OK);
    store_close(st);
    snprintf(cmd, sizeof cmd, "'%s' sync --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 30);
    assert_non_null(strstr(out, "hub unreachable"));
    snprintf(cmd, sizeof cmd, "'%s' status --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "last error:        hub unreachable"));
    assert_non_null(strstr(out, "0 queued, 1 sent, 0 acknowledged"));
}

/* Issue 14, 4: back up kiosk.db, save more, sync, restore the backup, save, sync: the
 * restored unit goes on past every number it issued (a new store epoch), the hub takes
 * everything, status raises the alarm. Then a copy of the whole state directory (a
 * clone, which the unit alone cannot see) saves the same seq as the original: the hub
 * refuses it, the refusal is listed for staff and sync exits 32. */
static void test_restored_database_never_reuses_numbers(void **state)
{
    (void)state;
    char dir[256], dir2[300], conf[300], conf2[320], cmd[2048], out[4096], db[300], hubdb[300];
    snprintf(dir, sizeof dir, "%s/ctl-epoch-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(dir2, sizeof dir2, "%s-clone", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' && mkdir -p '%s'", dir, dir2, dir);
    assert_int_equal(system(cmd), 0);
    store_device_key key;
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    snprintf(hubdb, sizeof hubdb, "%s/hub.db", dir);
    uint8_t up_pk[32], up_sk[32], commit[32] = {3};
    crypto_box_keypair(up_pk, up_sk);
    store_submission sub = {"{}", "{}", "2026.1", commit, "李*", "1101**********0026", NULL};
    char receipts[16][STORE_RECEIPT_NO_MAX + 1];
    int64_t seqs[16];
    int n = 0;
    store *st;
    store_saved saved;
#define SAVE(path, times)                                                                          \
    do {                                                                                           \
        assert_int_equal(store_open(path, "H7", &key, NULL, &st), KIOSK_OK);                       \
        assert_int_equal(store_set_upstream_key(st, up_pk), KIOSK_OK);                             \
        for (int i_ = 0; i_ < (times); i_++, n++) {                                                \
            assert_int_equal(store_save(st, &sub, &saved), KIOSK_OK);                              \
            seqs[n] = saved.seq;                                                                   \
            snprintf(receipts[n], sizeof receipts[n], "%s", saved.receipt_no);                     \
        }                                                                                          \
        store_close(st);                                                                           \
    } while (0)
    SAVE(db, 2);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, key.public_key, 32);
    snprintf(cmd, sizeof cmd, "'%s' device add --db '%s' %s field-unit-1 2>&1", KIOSK_HUB, hubdb,
             hex);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    char hub_hex[80];
    snprintf(cmd, sizeof cmd, "'%s' sign-key --key '%s/hub-sign.key'", KIOSK_HUB, dir);
    assert_int_equal(run(cmd, hub_hex, sizeof hub_hex), 0);
    hub_hex[64] = '\0';
    unsigned port = 0;
    hub_pid = start_hub(hubdb, dir, &port);
    snprintf(conf, sizeof conf, "%s/kiosk.conf", dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f,
            "[device]\nhall_code = H7\n[paths]\nstate_dir = %s\n"
            "[sync]\nurl = http://127.0.0.1:%u\nallow_plain_http_loopback = true\n",
            dir, port);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s' --hub-key %s", KIOSK_KIOSKCTL, conf,
             hub_hex);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "'%s' sync --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    /* the backup */
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/backup.db'", db, dir);
    assert_int_equal(system(cmd), 0);
    SAVE(db, 3);
    snprintf(cmd, sizeof cmd, "'%s' sync --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "sent 3: 3 acknowledged, 0 rejected"));
    /* the restore */
    snprintf(cmd, sizeof cmd, "cp '%s/backup.db' '%s' && rm -f '%s-wal' '%s-shm'", dir, db, db, db);
    assert_int_equal(system(cmd), 0);
    SAVE(db, 2);
    /* no number repeats, so the hub takes them; but the audit log went back with the
     * database, and the hub holds the head it was given before: said, exit 33 */
    snprintf(cmd, sizeof cmd, "'%s' sync --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 33);
    assert_non_null(strstr(out, "sent 2: 2 acknowledged, 0 rejected"));
    assert_non_null(strstr(out, "ALARM: the hub holds an audit entry this log lacks"));
    snprintf(cmd, sizeof cmd, "'%s' audit verify --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 1);
    assert_non_null(strstr(out, "audit log rolled back: the hub holds entry"));
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++) {
            assert_true(seqs[a] != seqs[b]);
            assert_string_not_equal(receipts[a], receipts[b]);
        }
    snprintf(cmd, sizeof cmd, "'%s' status --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "store alarm:       audit log rolled back"));
    assert_non_null(strstr(out, "(2 in this database)"));
    assert_non_null(strstr(out, "last error:        ALARM: "));
    snprintf(cmd, sizeof cmd, "'%s' status --config '%s' --clear-alarm", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "store alarm:       none"));

    /* a clone: the whole state directory copied, both units save and sync */
    snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", dir, dir2);
    assert_int_equal(system(cmd), 0);
    snprintf(conf2, sizeof conf2, "%s/kiosk.conf", dir2);
    f = fopen(conf2, "w");
    assert_non_null(f);
    fprintf(f,
            "[device]\nhall_code = H7\n[paths]\nstate_dir = %s\n"
            "[sync]\nurl = http://127.0.0.1:%u\nallow_plain_http_loopback = true\n",
            dir2, port);
    fclose(f);
    char db2[400];
    snprintf(db2, sizeof db2, "%s/kiosk.db", dir2);
    SAVE(db, 1);
    SAVE(db2, 1);
    snprintf(cmd, sizeof cmd, "'%s' sync --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "'%s' sync --config '%s'", KIOSK_KIOSKCTL, conf2);
    assert_int_equal(run(cmd, out, sizeof out), 32);
    assert_non_null(strstr(out, "the hub refused 1 records"));
    assert_non_null(strstr(out, "ALARM: the hub holds later numbers"));
    snprintf(cmd, sizeof cmd, "'%s' status --config '%s'", KIOSK_KIOSKCTL, conf2);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "1 rejected"));
    assert_non_null(strstr(out, "seq_conflict"));
    /* the last word of the alarm is the audit log's: a copy's log went its own way */
    assert_non_null(strstr(out, "store alarm:       audit log rolled back or copied"));
    assert_null(strstr(out, "1101**********0026")); /* not even the masked ID */
    assert_non_null(strstr(out, "refused by hub:    1 (seq_conflict 1); kept here"));
    /* the refused record goes to the hub's reconciliation on a stick; it stays here */
    char stick[400];
    snprintf(stick, sizeof stick, "%s/stick", dir2);
    /* named so that it comes first on the stick: the hub goes on past its rejection */
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && '%s' export --refused --config '%s' '%s/0-refused.kb'", stick,
             KIOSK_KIOSKCTL, conf2, stick);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "exported 1 records to "));
    assert_non_null(strstr(out, "-refused.kb"));
    snprintf(cmd, sizeof cmd, "'%s' export --config '%s' '%s'", KIOSK_KIOSKCTL, conf2, stick);
    assert_int_equal(run(cmd, out, sizeof out), 23); /* nothing pending */
    snprintf(cmd, sizeof cmd, "'%s' import --db '%s' '%s' 2>&1", KIOSK_HUB, hubdb, stick);
    assert_int_equal(run(cmd, out, sizeof out), 3); /* refused again, and kept */
    assert_non_null(strstr(out, "seq_conflict"));
    snprintf(cmd, sizeof cmd, "'%s' status --db '%s'", KIOSK_HUB, hubdb);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "refused records kept for reconciliation: 1 (seq_conflict 1,"));
    snprintf(cmd, sizeof cmd, "'%s' status --config '%s'", KIOSK_KIOSKCTL, conf2);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "1 rejected"));
    /* a help request on a unit without a network goes on the stick too, and the hub
     * keeps it once however often it is imported */
    assert_int_equal(store_open(db2, "H7", &key, NULL, &st), KIOSK_OK);
    int64_t ev_seq = 0;
    assert_int_equal(store_event_add(st, "help.request", "form", &ev_seq), KIOSK_OK);
    store_close(st);
    snprintf(cmd, sizeof cmd, "'%s' export --config '%s' '%s'", KIOSK_KIOSKCTL, conf2, stick);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "and 1 help requests"));
    for (int i = 0; i < 2; i++) {
        snprintf(cmd, sizeof cmd, "'%s' import --db '%s' '%s' 2>&1", KIOSK_HUB, hubdb, stick);
        assert_int_equal(run(cmd, out, sizeof out), 3); /* the refused bundle is still there */
        assert_non_null(strstr(out, "1 kiosk events (help requests)"));
    }
    snprintf(cmd, sizeof cmd, "'%s' events --db '%s' --since 1h", KIOSK_HUB, hubdb);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "help.request"));
    assert_non_null(strstr(out, "step form"));
    assert_null(strstr(strstr(out, "help.request") + 1, "help.request")); /* once */
    /* from now on the two copies never meet: each saves and syncs in turn */
    /* (their audit logs still differ: a sync may say so, exit 33, never 32) */
    for (int round = 0; round < 3; round++) {
        SAVE(db, 1);
        SAVE(db2, 1);
        const char *const confs[] = {conf, conf2};
        for (int u = 0; u < 2; u++) {
            snprintf(cmd, sizeof cmd, "'%s' sync --config '%s'", KIOSK_KIOSKCTL, confs[u]);
            int code = run(cmd, out, sizeof out);
            assert_true(code == 0 || code == 33);
            assert_non_null(strstr(out, "sent 1: 1 acknowledged, 0 rejected"));
        }
    }
#undef SAVE
}

static void test_staff_audit_print_test(void **state)
{
    (void)state;
    char dir[256], conf[300], cmd[2048], out[4096];
    snprintf(dir, sizeof dir, "%s/ctl-staff-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(conf, sizeof conf, "%s/kiosk.conf", dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f, "[paths]\nstate_dir = %s\n[printer]\nbackend = file\noutput_dir = %s/r\n", dir, dir);
    fclose(f);
    snprintf(cmd, sizeof cmd, "printf '482915\\n' | '%s' staff add A017 --config '%s'",
             KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "added A017 (hall)"));
    snprintf(cmd, sizeof cmd,
             "printf '482915\\n' | '%s' staff add T001 --role technician --config '%s' 2>&1",
             KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 24); /* the PIN is taken */
    snprintf(cmd, sizeof cmd,
             "printf '730146\\n' | '%s' staff add T001 --role technician --card 04A1B2C3D4 "
             "--config '%s'",
             KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "'%s' staff list --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "A017"));
    assert_non_null(strstr(out, "technician"));
    snprintf(cmd, sizeof cmd, "'%s' staff remove NOBODY --config '%s' 2>/dev/null", KIOSK_KIOSKCTL,
             conf);
    assert_int_equal(run(cmd, out, sizeof out), 24);
    snprintf(cmd, sizeof cmd, "'%s' audit verify --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "audit log intact: 2 entries"));
    snprintf(cmd, sizeof cmd, "'%s' audit show --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "staff.add"));
    /* an entry changed behind the kiosk's back */
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/kiosk.db' \"UPDATE audit SET actor = 'x' WHERE id = 1\"",
             dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' audit verify --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 1);
    assert_non_null(strstr(out, "entry 1"));
    /* the test page: nothing to do for the file printer; a missing serial printer fails */
    snprintf(cmd, sizeof cmd, "'%s' print-test --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    f = fopen(conf, "w"); /* anew: a setting given twice is a configuration error */
    fprintf(f,
            "[paths]\nstate_dir = %s\n[printer]\nbackend = serial\n"
            "device = /dev/nonexistent-printer\noutput_dir = %s/r\n",
            dir, dir);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' print-test --config '%s' 2>/dev/null", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 21);
}

/* Root's kioskctl on a state directory of the service's user leaves nothing of root's
 * there: the service must still be able to write its records and read its key. */
static void test_root_gives_state_files_back(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    char dir[256], conf[300], cmd[1200], out[4096];
    snprintf(dir, sizeof dir, "%s/ctl-owner-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/state' && chown 65534:65534 '%s/state'",
             dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(conf, sizeof conf, "%s/kiosk.conf", dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f, "[paths]\nstate_dir = %s/state\n", dir);
    fclose(f);
    /* a first run makes the key and the database; a staff account writes to it */
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "echo 246810 | '%s' staff add Z001 --config '%s'", KIOSK_KIOSKCTL,
             conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    static const char *const names[] = {"kiosk.db", "device.key"};
    for (size_t i = 0; i < 2; i++) {
        char path[400];
        struct stat st;
        snprintf(path, sizeof path, "%s/state/%s", dir, names[i]);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_uid, 65534);
    }
    /* nothing in the directory is root's */
    snprintf(cmd, sizeof cmd, "test -z \"$(find '%s/state' -user 0)\"", dir);
    assert_int_equal(system(cmd), 0);
}

/* A field unit that never sees a network, round trip by USB stick: a backlog split into
 * several bundles (a lowered cap), the whole stick imported at the hub, which writes its
 * signed acknowledgements back onto the stick; the unit imports them and may purge.
 * Refusals say so in the exit code: a stick with a damaged bundle (hub: 1), an
 * acknowledgement file signed by another key (kioskctl: 24). */
static void test_usb_round_trip(void **state)
{
    (void)state;
    char dir[256], conf[300], cmd[2400], out[4096], db[300], hubdb[300], hub_hex[80], hex[65];
    snprintf(dir, sizeof dir, "%s/ctl-usb-%d", KIOSK_TEST_TMP, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/usb' '%s/other'", dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    store_device_key key;
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    snprintf(hubdb, sizeof hubdb, "%s/hub.db", dir);
    store *st;
    assert_int_equal(store_open(db, "H9", &key, NULL, &st), KIOSK_OK);
    uint8_t up_pk[32], up_sk[32], commit[32] = {3};
    crypto_box_keypair(up_pk, up_sk);
    assert_int_equal(store_set_upstream_key(st, up_pk), KIOSK_OK);
    store_submission sub = {"{}", "{}", "2026.1", commit, "李*", "1101**********0026", NULL};
    store_saved saved;
    for (int i = 0; i < 12; i++)
        assert_int_equal(store_save(st, &sub, &saved), KIOSK_OK);
    store_close(st);
    sodium_bin2hex(hex, sizeof hex, key.public_key, 32);
    snprintf(cmd, sizeof cmd, "'%s' device add --db '%s' %s field-unit-9 2>&1", KIOSK_HUB, hubdb,
             hex);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "'%s' sign-key --key '%s/hub-sign.key'", KIOSK_HUB, dir);
    assert_int_equal(run(cmd, hub_hex, sizeof hub_hex), 0);
    hub_hex[64] = '\0';
    snprintf(conf, sizeof conf, "%s/kiosk.conf", dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f, "[device]\nhall_code = H9\n[paths]\nstate_dir = %s\n[policy]\nretention_days = 7\n",
            dir);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' provision --config '%s' --hub-key %s", KIOSK_KIOSKCTL, conf,
             hub_hex);
    assert_int_equal(run(cmd, out, sizeof out), 0);

    /* 1. at the unit: export onto the stick, a cap of about three records a bundle; an
     * earlier export's leftover is cleared */
    snprintf(cmd, sizeof cmd, "touch '%s/usb/.H9-old.kb.part'", dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "KIOSKCTL_BUNDLE_MAX_BODY=1500 '%s' export --config '%s' '%s/usb'",
             KIOSK_KIOSKCTL, conf, dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "removed 1 unfinished files"));
    assert_non_null(strstr(out, "exported 12 records to "));
    assert_non_null(strstr(out, " bundles in "));
    snprintf(cmd, sizeof cmd, "ls -A '%s/usb' | grep -c -- '-0[0-9][0-9]of0[0-9][0-9]\\.kb$'", dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_true(atoi(out) >= 4);
    snprintf(cmd, sizeof cmd, "ls -A '%s/usb' | grep -c -v -- '\\.kb$'", dir);
    assert_int_equal(run(cmd, out, sizeof out), 1); /* nothing else on the stick */
    assert_int_equal(atoi(out), 0);

    /* 2. at the hub: the whole stick, the acknowledgements written back onto it */
    snprintf(cmd, sizeof cmd,
             "'%s' import --db '%s' --sign-key '%s/hub-sign.key' --acks-dir '%s/usb' '%s/usb'",
             KIOSK_HUB, hubdb, dir, dir, dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "acknowledges 12 records"));
    /* again: all duplicates, still exit 0 */
    snprintf(cmd, sizeof cmd, "'%s' import --db '%s' '%s/usb'", KIOSK_HUB, hubdb, dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "accepted 0 duplicate"));
    assert_null(strstr(out, "accepted 1"));
    /* a damaged bundle among them: the others go in, the exit says one was refused */
    snprintf(cmd, sizeof cmd, "cp '%s'/usb/*.kb '%s/other/' && echo junk > '%s/other/zz.kb'", dir,
             dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' import --db '%s' '%s/other' 2>&1", KIOSK_HUB, hubdb, dir);
    assert_int_equal(run(cmd, out, sizeof out), 1);
    assert_non_null(strstr(out, "zz.kb: not a bundle"));
    /* the same list by hand, for one unit */
    snprintf(cmd, sizeof cmd,
             "'%s' export-acks --db '%s' --sign-key '%s/hub-sign.key' --device %s --out "
             "'%s/other/unit.acks'",
             KIOSK_HUB, hubdb, dir, hex, dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "acknowledges 12 records"));
    /* without the hub's key there is nothing to sign with: refused, no key made */
    snprintf(cmd, sizeof cmd,
             "'%s' export-acks --db '%s' --sign-key '%s/none.key' --device %s --out "
             "'%s/other/x.acks' 2>&1",
             KIOSK_HUB, hubdb, dir, hex, dir);
    assert_int_equal(run(cmd, out, sizeof out), 1);
    snprintf(cmd, sizeof cmd, "test ! -e '%s/none.key' && test ! -e '%s/other/x.acks'", dir, dir);
    assert_int_equal(system(cmd), 0);

    /* 3. back at the unit: a list signed by another hub key changes nothing */
    snprintf(cmd, sizeof cmd,
             "'%s' sign-key --key '%s/other.key' >/dev/null && '%s' export-acks --db '%s' "
             "--sign-key '%s/other.key' --device %s --out '%s/other/forged.acks'",
             KIOSK_HUB, dir, KIOSK_HUB, hubdb, dir, hex, dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "'%s' import-acks --config '%s' '%s/other/forged.acks'",
             KIOSK_KIOSKCTL, conf, dir);
    assert_int_equal(run(cmd, out, sizeof out), 24);
    assert_non_null(strstr(out, "signed by another key"));
    snprintf(cmd, sizeof cmd, "'%s' import-acks --config '%s' '%s/other/missing.acks'",
             KIOSK_KIOSKCTL, conf, dir);
    assert_int_equal(run(cmd, out, sizeof out), 3);
    snprintf(cmd, sizeof cmd, "'%s' status --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "12 queued, 0 sent, 0 acknowledged"));
    /* the hub's own list: acknowledged, and purge may take them */
    snprintf(cmd, sizeof cmd, "'%s' import-acks --config '%s' '%s'/usb/*.acks", KIOSK_KIOSKCTL,
             conf, dir);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "the hub holds 12 records of this unit: 12 newly acknowledged"));
    snprintf(cmd, sizeof cmd, "'%s' status --config '%s'", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "0 queued, 0 sent, 12 acknowledged"));
    snprintf(cmd, sizeof cmd, "'%s' export --config '%s' '%s/usb'", KIOSK_KIOSKCTL, conf, dir);
    assert_int_equal(run(cmd, out, sizeof out), 23);
    /* purge as after a signed network reply: never below the retention floor */
    snprintf(cmd, sizeof cmd, "'%s' purge --config '%s' --days 7 --yes", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "purged 0 records"));
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' \"UPDATE records SET acked_ms = acked_ms - 8 * 86400000\"", db);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' purge --config '%s' --days 7 --yes", KIOSK_KIOSKCTL, conf);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "purged 12 records"));
    sodium_memzero(&key, sizeof key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_image_and_text),
        cmocka_unit_test(test_pcsc_card_and_psam),
        cmocka_unit_test(test_verify_failures),
        cmocka_unit_test(test_verify_key_file_forms),
        cmocka_unit_test(test_card_reads_and_pins),
        cmocka_unit_test(test_card_reader_states),
        cmocka_unit_test(test_reprint),
        cmocka_unit_test_teardown(test_status_sync_export_purge, stop_hub),
        cmocka_unit_test(test_usb_round_trip),
        cmocka_unit_test_teardown(test_restored_database_never_reuses_numbers, stop_hub),
        cmocka_unit_test(test_status_shows_the_kiosks_reader),
        cmocka_unit_test(test_staff_audit_print_test),
        cmocka_unit_test(test_root_gives_state_files_back),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
