/*
 * A store filled fast for the console (hub_fill.h): one INSERT … SELECT per unit over a
 * generated series (a recursive CTE on SQLite, generate_series on PostgreSQL).
 */
#include "hub_fill.h"

#include <stdio.h>
#include <string.h>

#include "hub/hub_staff.h"

static const char records_sql[] =
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $2)"
    " INSERT INTO records(uuid, device, seq, sealed, sig, sealed_sha256, received_ms, source,"
    " epoch) SELECT $3 || '-' || i, $1, i, zeroblob($6), zeroblob(64), zeroblob(32),"
    " $4 + i * $5, 'http', zeroblob(16) FROM s WHERE NOT (i BETWEEN $7 AND $8)";
static const char records_pg[] =
    "INSERT INTO records(uuid, device, seq, sealed, sig, sealed_sha256, received_ms, source,"
    " epoch) SELECT $3 || '-' || i, $1, i, decode(repeat('00', $6::integer), 'hex'),"
    " decode(repeat('00', 64), 'hex'), decode(repeat('00', 32), 'hex'), $4 + i * $5, 'http',"
    " decode(repeat('00', 16), 'hex') FROM generate_series(1::bigint, $2) i"
    " WHERE NOT (i BETWEEN $7 AND $8)";

kiosk_rc hub_fill(hub_db *db, const hub_fill_plan *plan)
{
    int64_t spread = (plan->spread_days > 0 ? plan->spread_days : 1) * 86400000LL;
    int64_t step = plan->per_unit > 0 ? spread / plan->per_unit : 1;
    if (step < 1)
        step = 1;
    int64_t start = plan->now_ms - 60000 - step * plan->per_unit;
    kiosk_rc rc = KIOSK_OK;
    for (size_t u = 0; rc == KIOSK_OK && u < plan->units; u++) {
        if (u % 50 == 0)
            rc = hub_db_query(db, "BEGIN", NULL, NULL, 0, NULL, NULL);
        uint8_t pk[32] = {0x4b, 0x48};
        pk[28] = (uint8_t)(u >> 24);
        pk[29] = (uint8_t)(u >> 16);
        pk[30] = (uint8_t)(u >> 8);
        pk[31] = (uint8_t)u;
        char name[64], hall[32], prefix[32];
        snprintf(name, sizeof name, "自助机 %04zu", u + 1);
        snprintf(hall, sizeof hall, "H%03zu", u % (plan->halls ? plan->halls : 1) + 1);
        snprintf(prefix, sizeof prefix, "fill-%zu", u);
        if (rc == KIOSK_OK)
            rc = hub_db_device_add(db, pk, name, plan->now_ms - spread);
        if (rc == KIOSK_OK)
            rc = hub_device_set_hall(db, pk, hall);
        int gap = plan->gap_every && u % plan->gap_every == 0;
        hub_qparam p[] = {
            {.kind = 'b', .b = pk, .len = 32}, {.kind = 'i', .i = plan->per_unit},
            {.kind = 't', .t = prefix},        {.kind = 'i', .i = start},
            {.kind = 'i', .i = step},          {.kind = 'i', .i = (int64_t)plan->sealed_len},
            {.kind = 'i', .i = gap ? 3 : 0},   {.kind = 'i', .i = gap ? 4 : -1},
        };
        if (rc == KIOSK_OK && plan->per_unit > 0)
            rc = hub_db_query(db, records_sql, records_pg, p, 8, NULL, NULL);
        for (size_t e = 0; rc == KIOSK_OK && e < plan->help_per_unit; e++) {
            int64_t at = plan->now_ms - 3600000 + (int64_t)(e + 1) * 60000 + (int64_t)u * 1000;
            hub_qparam q[] = {{.kind = 'b', .b = pk, .len = 32},
                              {.kind = 'i', .i = (int64_t)e + 1},
                              {.kind = 't', .t = e % 2 ? "form" : "card_read"},
                              {.kind = 't', .t = hall},
                              {.kind = 'i', .i = at}};
            rc = hub_db_query(db,
                              "INSERT INTO events(device, seq, kind, step, hall_code, at_ms,"
                              " received_ms) VALUES($1, $2, 'help.request', $3, $4, $5, $5)",
                              NULL, q, 5, NULL, NULL);
        }
        if (rc == KIOSK_OK && (u % 50 == 49 || u + 1 == plan->units))
            rc = hub_db_query(db, "COMMIT", NULL, NULL, 0, NULL, NULL);
    }
    if (rc != KIOSK_OK)
        hub_db_query(db, "ROLLBACK", NULL, NULL, 0, NULL, NULL);
    return rc;
}
