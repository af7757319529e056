/* A provisioned kiosk state for tests; see test_state.h. */
#include "test_state.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

kiosk_rc test_state_open(const char *dir, const char *hall_code, store_device_key *key, store **out)
{
    *out = NULL;
    char cmd[1200], db[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/receipts'", dir, dir);
    if (system(cmd) != 0 || sodium_init() < 0)
        return KIOSK_IO;
    store_device_key k;
    kiosk_rc rc = store_device_key_load(dir, &k);
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    if (rc == KIOSK_OK)
        rc = store_open(db, hall_code, &k, NULL, out);
    uint8_t pk[32], sk[32];
    crypto_box_keypair(pk, sk);
    sodium_memzero(sk, sizeof sk);
    if (rc == KIOSK_OK)
        rc = store_set_upstream_key(*out, pk);
    if (rc != KIOSK_OK) {
        store_close(*out);
        *out = NULL;
    }
    if (key)
        *key = k;
    sodium_memzero(&k, sizeof k);
    return rc;
}

kiosk_rc test_state_provision(const char *dir, const char *hall_code)
{
    store *st;
    kiosk_rc rc = test_state_open(dir, hall_code, NULL, &st);
    store_close(st);
    return rc;
}

int64_t test_state_records(const char *dir, const char *hall_code, store_state which)
{
    store_device_key key;
    char db[600];
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    store *st = NULL;
    store_counts n;
    kiosk_rc rc = store_device_key_load(dir, &key);
    if (rc == KIOSK_OK)
        rc = store_open(db, hall_code, &key, NULL, &st);
    if (rc == KIOSK_OK)
        rc = store_count(st, &n);
    store_close(st);
    sodium_memzero(&key, sizeof key);
    return rc == KIOSK_OK ? n.by_state[which] : -1;
}
