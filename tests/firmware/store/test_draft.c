#define _GNU_SOURCE /* memmem */
/* Tests of the unfinished form's file (store/draft.h): it opens for its own citizen only,
 * only while young, only with this device's key; nothing of it reads in clear; a changed
 * byte anywhere is refused; the old and the foreign are cleared. */
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

#include "store/draft.h"

static char dir[512];
static store_device_key key, other;

#define ID "370102199003074519"
#define BODY "{\"v\":1,\"fields\":[[3,\"和平小区12号楼3单元402室\"],[9,\"13812345678\"]]}"
#define T0 1795363200000LL

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/draft-%d", KIOSK_TEST_TMP, (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return -1;
    crypto_sign_keypair(key.public_key, key.secret_key);
    crypto_sign_keypair(other.public_key, other.secret_key);
    return 0;
}

static uint8_t *file_bytes(size_t *n)
{
    char path[600];
    store_draft_path(dir, path, sizeof path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 16];
    *n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static void put_back(const uint8_t *bytes, size_t n)
{
    char path[600];
    store_draft_path(dir, path, sizeof path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

static void test_round_trip_for_its_citizen_only(void **state)
{
    (void)state;
    uint8_t *body;
    size_t n;
    int64_t when = 0;
    assert_int_equal(store_draft_read(dir, &key, ID, T0, 1000, &body, &n, &when), KIOSK_NOT_FOUND);
    assert_int_equal(store_draft_write(dir, &key, ID, BODY, strlen(BODY), T0), KIOSK_OK);
    assert_int_equal(store_draft_read(dir, &key, ID, T0 + 500, 1000, &body, &n, &when), KIOSK_OK);
    assert_int_equal(n, strlen(BODY));
    assert_string_equal((char *)body, BODY);
    assert_int_equal(when, T0);
    free(body);
    /* the number as an x, lower case: the same citizen */
    assert_int_equal(store_draft_write(dir, &key, "11010519850612002x", "a", 1, T0), KIOSK_OK);
    assert_int_equal(store_draft_read(dir, &key, "11010519850612002X", T0, 1000, &body, &n, NULL),
                     KIOSK_OK);
    free(body);
    /* another citizen: not found, and the draft is left for its own */
    assert_int_equal(store_draft_read(dir, &key, ID, T0, 1000, &body, &n, NULL), KIOSK_NOT_FOUND);
    assert_null(body);
    assert_int_equal(store_draft_read(dir, &key, "11010519850612002X", T0, 1000, &body, &n, NULL),
                     KIOSK_OK);
    free(body);
    assert_int_equal(store_draft_write(dir, &key, "", "a", 1, T0), KIOSK_INVALID);
    assert_int_equal(store_draft_clear(dir), KIOSK_OK);
    assert_int_equal(store_draft_clear(dir), KIOSK_OK); /* none is fine */
}

static void test_nothing_in_clear_and_every_byte_counts(void **state)
{
    (void)state;
    assert_int_equal(store_draft_write(dir, &key, ID, BODY, strlen(BODY), T0), KIOSK_OK);
    size_t n;
    uint8_t *file = file_bytes(&n);
    uint8_t copy[1 << 16];
    memcpy(copy, file, n);
    assert_null(memmem(copy, n, ID, strlen(ID)));
    assert_null(memmem(copy, n, "13812345678", 11));
    assert_null(memmem(copy, n, "和平小区", strlen("和平小区")));
    for (size_t i = 0; i < n; i++) {
        uint8_t bad[1 << 16];
        memcpy(bad, copy, n);
        bad[i] ^= 0x01;
        put_back(bad, n);
        uint8_t *body = NULL;
        size_t bn;
        kiosk_rc rc = store_draft_read(dir, &key, ID, T0, 1000, &body, &bn, NULL);
        /* the clear part's hash or time changed: not this citizen's, or too old; anything
         * else: it does not open */
        assert_true(rc == KIOSK_CRYPTO || rc == KIOSK_NOT_FOUND);
        assert_null(body);
    }
    put_back(copy, n);
    uint8_t *body;
    size_t bn;
    assert_int_equal(store_draft_read(dir, &key, ID, T0, 1000, &body, &bn, NULL), KIOSK_OK);
    free(body);
    /* another unit's key: the hash is not its, nor would the body open */
    assert_int_equal(store_draft_read(dir, &other, ID, T0, 1000, &body, &bn, NULL),
                     KIOSK_NOT_FOUND);
    put_back(copy, n - 1); /* cut short */
    assert_int_equal(store_draft_read(dir, &key, ID, T0, 1000, &body, &bn, NULL), KIOSK_CRYPTO);
    assert_int_equal(store_draft_clear(dir), KIOSK_OK);
}

static void test_old_and_foreign_cleared(void **state)
{
    (void)state;
    uint8_t *body;
    size_t n;
    assert_int_equal(store_draft_write(dir, &key, ID, BODY, strlen(BODY), T0), KIOSK_OK);
    assert_int_equal(store_draft_clear_expired(dir, &key, T0 + 1000, 1000), 0); /* young */
    assert_int_equal(store_draft_read(dir, &key, ID, T0 + 1001, 1000, &body, &n, NULL),
                     KIOSK_NOT_FOUND); /* too old to open */
    assert_int_equal(store_draft_clear_expired(dir, &key, T0 + 1001, 1000), 1);
    assert_int_equal(store_draft_read(dir, &key, ID, T0, 1000, &body, &n, NULL), KIOSK_NOT_FOUND);
    /* written "in the future" (a clock set back): not trusted, cleared */
    assert_int_equal(store_draft_write(dir, &key, ID, BODY, strlen(BODY), T0 + 3600000), KIOSK_OK);
    assert_int_equal(store_draft_read(dir, &key, ID, T0, 1000, &body, &n, NULL), KIOSK_NOT_FOUND);
    assert_int_equal(store_draft_clear_expired(dir, &key, T0, 1000), 1);
    /* another unit's draft (a copied state directory): cleared */
    assert_int_equal(store_draft_write(dir, &other, ID, BODY, strlen(BODY), T0), KIOSK_OK);
    assert_int_equal(store_draft_clear_expired(dir, &key, T0, 1000), 1);
    assert_int_equal(store_draft_clear_expired(dir, &key, T0, 1000), 0); /* none left */
    /* too big to be a form */
    char *big = calloc(1, STORE_DRAFT_MAX + 1);
    assert_int_equal(store_draft_write(dir, &key, ID, big, STORE_DRAFT_MAX + 1, T0), KIOSK_INVALID);
    free(big);
}

/* A draft of another record type (the session's JSON names it: "type") replaces the
 * citizen's earlier one whole and comes back byte for byte; its type is sealed with the
 * rest (the file does not tell a job seeker's form from a registration's). */
static void test_a_typed_draft_replaces_and_keeps_its_type(void **state)
{
    (void)state;
    static const char typed[] =
        "{\"v\":1,\"type\":\"jobseeker\",\"answers\":[-1,-1,-1,-1],\"step\":\"review\","
        "\"page\":6,\"fields\":[[34,\"05,06\"],[9,\"13812345678\"]]}";
    assert_int_equal(store_draft_write(dir, &key, ID, BODY, strlen(BODY), T0), KIOSK_OK);
    assert_int_equal(store_draft_write(dir, &key, ID, typed, strlen(typed), T0 + 10), KIOSK_OK);
    uint8_t *body = NULL;
    size_t n = 0;
    int64_t when = 0;
    assert_int_equal(store_draft_read(dir, &key, ID, T0 + 20, 1000, &body, &n, &when), KIOSK_OK);
    assert_int_equal(n, strlen(typed));
    assert_memory_equal(body, typed, n);
    assert_int_equal(when, T0 + 10);
    sodium_memzero(body, n);
    free(body);
    size_t fn;
    const uint8_t *file = file_bytes(&fn);
    assert_null(memmem(file, fn, "jobseeker", 9));
    assert_null(memmem(file, fn, "13812345678", 11));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_for_its_citizen_only),
        cmocka_unit_test(test_nothing_in_clear_and_every_byte_counts),
        cmocka_unit_test(test_old_and_foreign_cleared),
        cmocka_unit_test(test_a_typed_draft_replaces_and_keeps_its_type),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
