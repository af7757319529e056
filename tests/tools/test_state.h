/*
 * A kiosk state directory for tests, made the way a provisioned unit has it: a device
 * key, the store, an upstream key (random: nothing in a test opens the sealed records)
 * and an empty receipts folder.
 */
#ifndef TEST_STATE_H
#define TEST_STATE_H

#include "core/kiosk_error.h"
#include "store/store.h"

/* Make dir afresh (anything there is removed) for hall_code and open its store: *out is
 * owned (store_close), key (may be NULL) receives the device key. */
kiosk_rc test_state_open(const char *dir, const char *hall_code, store_device_key *key,
                         store **out);

/* The same, closed again: a unit ready to take registrations. */
kiosk_rc test_state_provision(const char *dir, const char *hall_code);

/* How many records of the state dir's store are in state which; -1 when it cannot be
 * read. */
int64_t test_state_records(const char *dir, const char *hall_code, store_state which);

#endif
