/* 我的办理记录 in the store: a citizen's records found again by a keyed hash of the ID
 * number (schema 8), never another's, never by another unit's key, gone with the record at
 * purge; and the ID number nowhere in the database's files in clear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

static char dir[512], db[600];
static uint8_t up_pk[32], up_sk[32], commit_hash[32];
static kiosk_clock_manual clk;

static const char *const id_a = "37010219900307451X";
static const char *const id_b = "370102198512120023";

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/store-citizen-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    crypto_box_keypair(up_pk, up_sk);
    crypto_hash_sha256(commit_hash, (const uint8_t *)"承诺文本 v1", strlen("承诺文本 v1"));
    kiosk_clock_manual_init(&clk, 1795363199000LL - 3600000);
    return 0;
}

static store_submission sample(void)
{
    store_submission sub = {
        .registration_json = "{\"schema\":1,\"name\":\"张三丰\"}",
        .evidence_json = "{\"strokes\":[]}",
        .commitment_version = "2026.1",
        .commitment_sha256 = commit_hash,
        .masked_name = "张*丰",
        .masked_id = "3701**********451X",
    };
    return sub;
}

static store *open_store(store_device_key *key)
{
    assert_int_equal(store_device_key_load(dir, key), KIOSK_OK);
    store *s;
    assert_int_equal(store_open(db, "DEMO01", key, &clk.clock, &s), KIOSK_OK);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    return s;
}

/* Does the file at path hold the n bytes of needle anywhere? */
static int file_holds(const char *path, const void *needle, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)size + 1);
    size_t got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    int found = 0;
    for (size_t i = 0; !found && got >= n && i <= got - n; i++)
        found = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return found;
}

static void test_finds_own_records_only(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    store_submission sub = sample();
    store_saved a1, a2, b1, old;
    assert_int_equal(store_save_citizen(s, &sub, id_a, &a1), KIOSK_OK);
    assert_int_equal(store_save_citizen(s, &sub, id_b, &b1), KIOSK_OK);
    assert_int_equal(store_save(s, &sub, &old), KIOSK_OK); /* as before schema 8: no hash */
    assert_int_equal(store_save_citizen(s, &sub, id_a, &a2), KIOSK_OK);

    store_summary out[4];
    size_t n = 99;
    assert_int_equal(store_records_of(s, id_a, out, 4, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].receipt_no, a2.receipt_no); /* newest first */
    assert_string_equal(out[1].receipt_no, a1.receipt_no);
    assert_int_equal(out[0].state, STORE_QUEUED);
    assert_int_equal(out[1].created_ms, a1.created_ms);
    /* the card's X and a typed x are the same number */
    char lower[19];
    snprintf(lower, sizeof lower, "%s", id_a);
    lower[17] = 'x';
    assert_int_equal(store_records_of(s, lower, out, 4, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    /* max is kept */
    assert_int_equal(store_records_of(s, id_a, out, 1, &n), KIOSK_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].receipt_no, a2.receipt_no);
    /* another citizen sees only theirs; a stranger nothing; nobody the old record */
    assert_int_equal(store_records_of(s, id_b, out, 4, &n), KIOSK_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].receipt_no, b1.receipt_no);
    assert_int_equal(store_records_of(s, "110101199001010011", out, 4, &n), KIOSK_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_records_of(s, "", out, 4, &n), KIOSK_INVALID);
    assert_int_equal(store_records_of(s, NULL, out, 4, &n), KIOSK_INVALID);
    store_close(s);

    /* the ID number is nowhere in the database's files, nor its plain (unkeyed) hashes */
    char path[700];
    uint8_t plain[32], sha[32];
    crypto_generichash(plain, 32, (const uint8_t *)id_a, strlen(id_a), NULL, 0);
    crypto_hash_sha256(sha, (const uint8_t *)id_a, strlen(id_a));
    const char *const suffixes[] = {"", "-wal", ".mark"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s%s", db, suffixes[i]);
        assert_false(file_holds(path, id_a, strlen(id_a)));
        assert_false(file_holds(path, id_b, strlen(id_b)));
        assert_false(file_holds(path, "19900307451", 11)); /* nor most of it */
        assert_false(file_holds(path, plain, 32));
        assert_false(file_holds(path, sha, 32));
    }
    /* the search itself finds what is there: the receipt number, in clear by design */
    char wal[700];
    snprintf(wal, sizeof wal, "%s-wal", db);
    assert_true(file_holds(db, a1.receipt_no, strlen(a1.receipt_no)) ||
                file_holds(wal, a1.receipt_no, strlen(a1.receipt_no)));

    /* another unit's key (the database carried off) finds nothing: the hash is keyed */
    char other[700];
    snprintf(other, sizeof other, "%s/other", dir);
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/kiosk.db'", other, db, other);
    assert_int_equal(system(cmd), 0);
    store_device_key key2;
    assert_int_equal(store_device_key_load(other, &key2), KIOSK_OK);
    char db2[800];
    snprintf(db2, sizeof db2, "%s/kiosk.db", other);
    store *s2;
    assert_int_equal(store_open(db2, "DEMO02", &key2, &clk.clock, &s2), KIOSK_OK);
    assert_int_equal(store_records_of(s2, id_a, out, 4, &n), KIOSK_OK);
    assert_int_equal(n, 0);
    store_close(s2);
}

static void test_purged_with_the_record(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    store_submission sub = sample();
    store_saved a1, a2;
    assert_int_equal(store_save_citizen(s, &sub, id_a, &a1), KIOSK_OK);
    assert_int_equal(store_save_citizen(s, &sub, id_a, &a2), KIOSK_OK);
    store_outcome o = {.uuid = a1.uuid, .acknowledged = 1, .hub_signed = 1};
    size_t changed = 0;
    assert_int_equal(store_apply_outcomes(s, &o, 1, &changed), KIOSK_OK);
    assert_int_equal(changed, 1);
    store_summary out[4];
    size_t n = 0;
    assert_int_equal(store_records_of(s, id_a, out, 4, &n), KIOSK_OK);
    assert_int_equal(n, 2);
    assert_int_equal(out[1].state, STORE_ACKED); /* "已上传，等待大厅处理" */
    kiosk_clock_manual_advance(&clk, (int64_t)(STORE_RETENTION_DEFAULT_DAYS + 1) * 86400000);
    int64_t purged = 0;
    assert_int_equal(store_purge_acked(s, kiosk_clock_now_ms(&clk.clock), "tester", &purged),
                     KIOSK_OK);
    assert_int_equal(purged, 1);
    assert_int_equal(store_records_of(s, id_a, out, 4, &n), KIOSK_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].receipt_no, a2.receipt_no);
    store_close(s);
}

/* Each record keeps its type (schema 9) for the receipt and 我的办理记录: a registration
 * writes none and reads as one, as every record saved before the types does. */
static void test_record_types(void **state)
{
    (void)state;
    store_device_key key;
    store *s = open_store(&key);
    store_submission sub = sample();
    store_saved reg, dereg, job;
    assert_int_equal(store_save_citizen(s, &sub, id_a, &reg), KIOSK_OK);
    sub.record_type = "deregistration";
    assert_int_equal(store_save_citizen(s, &sub, id_a, &dereg), KIOSK_OK);
    sub.record_type = "jobseeker";
    assert_int_equal(store_save_citizen(s, &sub, id_a, &job), KIOSK_OK);
    sub.record_type = "registration";
    store_saved reg2;
    assert_int_equal(store_save(s, &sub, &reg2), KIOSK_OK);
    store_summary out[4];
    size_t n = 0;
    assert_int_equal(store_records_of(s, id_a, out, 4, &n), KIOSK_OK);
    assert_int_equal(n, 3);
    assert_string_equal(out[0].record_type, "jobseeker");
    assert_string_equal(out[1].record_type, "deregistration");
    assert_string_equal(out[2].record_type, "registration");
    store_summary one;
    assert_int_equal(store_find(s, dereg.receipt_no, &one), KIOSK_OK);
    assert_string_equal(one.record_type, "deregistration");
    assert_int_equal(store_find(s, reg2.receipt_no, &one), KIOSK_OK);
    assert_string_equal(one.record_type, "registration");
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_finds_own_records_only, setup),
        cmocka_unit_test_setup(test_purged_with_the_record, setup),
        cmocka_unit_test_setup(test_record_types, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
