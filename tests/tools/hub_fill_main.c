/*
 * hub_fill as a program, for the console's browser test: hub_fill DB UNITS PER_UNIT HALLS
 * GAP_EVERY HELP_PER_UNIT fills the store at DB (a SQLite path or postgresql:// URL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hub_fill.h"

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: hub_fill DB UNITS PER_UNIT HALLS GAP_EVERY HELP_PER_UNIT\n");
        return 2;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    hub_fill_plan plan = {
        .units = strtoul(argv[2], NULL, 10),
        .per_unit = strtoll(argv[3], NULL, 10),
        .halls = strtoul(argv[4], NULL, 10),
        .gap_every = strtoul(argv[5], NULL, 10),
        .help_per_unit = strtoul(argv[6], NULL, 10),
        .now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
        .spread_days = 20,
        .sealed_len = 64,
        .with_meta = 1,
        .with_health = 1,
    };
    hub_db *db;
    kiosk_rc rc = hub_db_open(argv[1], &db);
    if (rc == KIOSK_OK)
        rc = hub_fill(db, &plan);
    hub_db_close(db);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "hub_fill: %s\n", kiosk_strerror(rc));
        return 1;
    }
    return 0;
}
