/* Tests of the audit log and the staff accounts: record state changes and staff actions
 * land in the chain; the chain verifies, and an altered, removed or cut-off entry or a
 * forged head is caught with the first bad entry named; staff PINs are argon2id hashes,
 * a PIN alone or a card plus PIN logs in, wrong PINs lock the login with a growing delay
 * that survives a restart, removed accounts cannot log in. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/staff.h"
#include "store/store.h"

static char dir[512], db[600];
static uint8_t up_pk[32], up_sk[32], commit_hash[32];
static kiosk_clock_manual clk;
static store_device_key key;

static const store_submission sample = {
    .registration_json = "{\"schema\":1,\"name\":\"张三丰\"}",
    .evidence_json = "{\"strokes\":[]}",
    .commitment_version = "2026.1",
    .commitment_sha256 = commit_hash,
    .masked_name = "张*丰",
    .masked_id = "3701**********4519",
};

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/audit-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    crypto_box_keypair(up_pk, up_sk);
    kiosk_clock_manual_init(&clk, 1795363199000LL);
    return store_device_key_load(dir, &key) == KIOSK_OK ? 0 : -1;
}

static store *open_store(void)
{
    store *s;
    assert_int_equal(store_open(db, "DEMO01", &key, &clk.clock, &s), KIOSK_OK);
    return s;
}

static void raw_sql(const char *sql)
{
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
}

typedef struct seen {
    char action[16][48];
    int n;
} seen;

static int note(void *ctx, const store_audit_entry *e)
{
    seen *sn = ctx;
    if (sn->n < 16)
        snprintf(sn->action[sn->n++], sizeof sn->action[0], "%s", e->action);
    /* never personal data */
    assert_null(strstr(e->subject, "张"));
    assert_null(strstr(e->detail, "张"));
    return 0;
}

static void test_chain_of_record_changes(void **state)
{
    (void)state;
    store *s = open_store();
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_saved sv[2];
    assert_int_equal(store_save(s, &sample, &sv[0]), KIOSK_OK);
    assert_int_equal(store_save(s, &sample, &sv[1]), KIOSK_OK);
    assert_int_equal(store_mark_sent(s, 0, 2), KIOSK_OK);
    store_outcome o[2] = {{.uuid = sv[0].uuid, .acknowledged = 1, .hub_signed = 1},
                          {.uuid = sv[1].uuid, .reason = "seq_conflict"}};
    assert_int_equal(store_apply_outcomes(s, o, 2, NULL), KIOSK_OK);
    kiosk_clock_manual_advance(&clk, 1000);
    assert_int_equal(store_purge_acked(s, INT64_MAX, "A017", NULL), KIOSK_OK);
    assert_int_equal(store_audit(s, "A017", "receipt.reprint", sv[0].receipt_no, ""), KIOSK_OK);
    seen sn = {0};
    assert_int_equal(store_audit_recent(s, 16, note, &sn), KIOSK_OK);
    const char *want[] = {"provision.upstream_key", "record.saved",    "record.saved",
                          "records.sent",           "record.rejected", "records.acked",
                          "records.purged",         "receipt.reprint"};
    assert_int_equal(sn.n, 8);
    for (int i = 0; i < 8; i++)
        assert_string_equal(sn.action[i], want[i]);
    store_audit_check chk;
    assert_int_equal(store_audit_verify(s, &chk), KIOSK_OK);
    assert_int_equal(chk.entries, 8);
    store_close(s);
    /* the chain goes on across restarts */
    s = open_store();
    assert_int_equal(store_audit(s, "system", "kiosk.start", "", ""), KIOSK_OK);
    assert_int_equal(store_audit_verify(s, &chk), KIOSK_OK);
    assert_int_equal(chk.entries, 9);
    store_close(s);
}

static void fresh_chain(int entries)
{
    char mark[700];
    snprintf(mark, sizeof mark, "%s.mark", db);
    unlink(db);
    unlink(mark); /* a unit made anew, not a database lost beside its mark */
    store *s = open_store();
    for (int i = 0; i < entries; i++) {
        char subject[16];
        snprintf(subject, sizeof subject, "n%d", i);
        assert_int_equal(store_audit(s, "A017", "test.entry", subject, "detail"), KIOSK_OK);
    }
    store_close(s);
}

static void expect_broken_at(int64_t first_bad)
{
    store *s = open_store();
    store_audit_check chk;
    assert_int_equal(store_audit_verify(s, &chk), KIOSK_CORRUPT);
    assert_int_equal(chk.first_bad, first_bad);
    store_close(s);
}

static void test_tampering_is_caught(void **state)
{
    (void)state;
    fresh_chain(5);
    raw_sql("UPDATE audit SET detail = 'nothing happened' WHERE id = 3");
    expect_broken_at(3);
    fresh_chain(5);
    raw_sql("DELETE FROM audit WHERE id = 2");
    expect_broken_at(2);
    fresh_chain(5);
    raw_sql("DELETE FROM audit WHERE id = 5"); /* cut off the end */
    expect_broken_at(5);
    fresh_chain(5);
    raw_sql("UPDATE audit SET at_ms = at_ms + 1 WHERE id = 1");
    expect_broken_at(1);
    /* rewriting the last entry and its hash consistently still fails: the head is signed */
    fresh_chain(5);
    raw_sql("DELETE FROM audit WHERE id = 5; UPDATE meta SET value = zeroblob(104)"
            " WHERE key = 'audit_head'");
    expect_broken_at(5);
    /* an untouched chain, and an empty one, verify */
    fresh_chain(3);
    store *s = open_store();
    store_audit_check chk;
    assert_int_equal(store_audit_verify(s, &chk), KIOSK_OK);
    assert_int_equal(chk.entries, 3);
    store_close(s);
    fresh_chain(0);
    s = open_store();
    assert_int_equal(store_audit_verify(s, &chk), KIOSK_OK);
    assert_int_equal(chk.entries, 0);
    store_close(s);
}

static int count_staff(void *ctx, const staff_account *a)
{
    (void)a;
    ++*(int *)ctx;
    return 0;
}

static void test_staff_accounts_and_lockout(void **state)
{
    (void)state;
    store *s = open_store();
    assert_int_equal(staff_add(s, "A017", STAFF_HALL, "482915", NULL, "kioskctl"), KIOSK_OK);
    assert_int_equal(staff_add(s, "T001", STAFF_TECHNICIAN, "730146", "04A1B2C3D4", "kioskctl"),
                     KIOSK_OK);
    /* refusals: a taken name, a taken PIN, weak or malformed input */
    assert_int_equal(staff_add(s, "A017", STAFF_HALL, "551234", NULL, NULL), KIOSK_BUSY);
    assert_int_equal(staff_add(s, "B002", STAFF_HALL, "482915", NULL, NULL), KIOSK_BUSY);
    assert_int_equal(staff_add(s, "B002", STAFF_HALL, "111111", NULL, NULL), KIOSK_INVALID);
    assert_int_equal(staff_add(s, "B002", STAFF_HALL, "12345", NULL, NULL), KIOSK_INVALID);
    assert_int_equal(staff_add(s, "B 002", STAFF_HALL, "551234", NULL, NULL), KIOSK_INVALID);
    assert_int_equal(staff_add(s, "B002", STAFF_HALL, "551234", "zz", NULL), KIOSK_INVALID);
    int n = 0;
    assert_int_equal(staff_list(s, count_staff, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    /* the PIN is not in the database, only its argon2id hash */
    store_close(s);
    FILE *f = fopen(db, "rb");
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_null(memmem(buf, len, "482915", 6));
    assert_non_null(memmem(buf, len, "$argon2id$", 10));
    s = open_store();

    staff_account who;
    int64_t retry;
    assert_int_equal(staff_login(s, NULL, "482915", &who, &retry), KIOSK_OK);
    assert_string_equal(who.name, "A017");
    assert_int_equal(who.role, STAFF_HALL);
    assert_int_equal(staff_login(s, "04A1B2C3D4", "730146", &who, &retry), KIOSK_OK);
    assert_int_equal(who.role, STAFF_TECHNICIAN);
    /* a card with another account's PIN is no login */
    assert_int_equal(staff_login(s, "04A1B2C3D4", "482915", &who, &retry), KIOSK_AUTH);
    assert_int_equal(staff_login(s, NULL, "000001", &who, &retry), KIOSK_AUTH);
    assert_int_equal(retry, 0);
    assert_int_equal(staff_login(s, NULL, "000002", &who, &retry), KIOSK_AUTH);
    assert_int_equal(retry, 30000); /* the third failure locks for 30 s */
    assert_int_equal(staff_login(s, NULL, "482915", &who, &retry), KIOSK_BUSY);
    assert_true(retry > 0 && retry <= 30000);
    store_close(s);
    /* a restart does not lift the lock */
    s = open_store();
    assert_int_equal(staff_login(s, NULL, "482915", &who, &retry), KIOSK_BUSY);
    kiosk_clock_manual_advance(&clk, 30001);
    assert_int_equal(staff_login(s, NULL, "999999", &who, &retry), KIOSK_AUTH);
    assert_int_equal(retry, 60000); /* growing */
    kiosk_clock_manual_advance(&clk, 60001);
    assert_int_equal(staff_login(s, NULL, "482915", &who, &retry), KIOSK_OK);
    /* and a success clears the count */
    assert_int_equal(staff_login(s, NULL, "000001", &who, &retry), KIOSK_AUTH);
    assert_int_equal(retry, 0);
    /* removed accounts cannot log in; the name can be given again */
    assert_int_equal(staff_remove(s, "A017", "T001"), KIOSK_OK);
    assert_int_equal(staff_remove(s, "A017", "T001"), KIOSK_NOT_FOUND);
    assert_int_equal(staff_login(s, NULL, "482915", &who, &retry), KIOSK_AUTH);
    assert_int_equal(staff_add(s, "A017", STAFF_HALL, "660123", NULL, "T001"), KIOSK_OK);
    store_audit_check chk;
    assert_int_equal(store_audit_verify(s, &chk), KIOSK_OK);
    assert_true(chk.entries >= 12);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_chain_of_record_changes, setup),
        cmocka_unit_test_setup(test_tampering_is_caught, setup),
        cmocka_unit_test_setup(test_staff_accounts_and_lockout, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
