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
    " epoch) SELECT $3 || printf('%012x', i), $1, i, zeroblob($6), zeroblob(64), zeroblob(32),"
    " $4 + i * $5, 'http', zeroblob(16) FROM s WHERE NOT (i BETWEEN $7 AND $8)";
static const char records_pg[] =
    "INSERT INTO records(uuid, device, seq, sealed, sig, sealed_sha256, received_ms, source,"
    " epoch) SELECT $3 || lpad(to_hex(i), 12, '0'), $1, i,"
    " decode(repeat('00', $6::integer), 'hex'),"
    " decode(repeat('00', 64), 'hex'), decode(repeat('00', 32), 'hex'), $4 + i * $5, 'http',"
    " decode(repeat('00', 16), 'hex') FROM generate_series(1::bigint, $2) i"
    " WHERE NOT (i BETWEEN $7 AND $8)";

/* a record's unsealed metadata, three in four (SQL the same for both backends) */
static const char meta_sql[] =
    "INSERT INTO record_meta(uuid, device, record_type, receipt_no)"
    " SELECT uuid, device, CASE seq % 4 WHEN 1 THEN 'registration'"
    " WHEN 2 THEN 'deregistration' ELSE 'jobseeker' END, $2 || '-' || seq"
    " FROM records WHERE device = $1 AND seq % 4 <> 0";

static kiosk_rc fill_health(hub_db *db, const uint8_t pk[32], size_t u, int64_t now_ms)
{
    kiosk_rc rc = KIOSK_OK;
    for (int k = 0; rc == KIOSK_OK && k < 2 && u % 4 != 3; k++) {
        health_report h;
        memset(&h, 0, sizeof h);
        h.seq = k + 1;
        h.at_ms = now_ms - (k ? 60000 : 86400000);
        snprintf(h.version, sizeof h.version, "1.%d.0", 3 + k);
        h.uptime_s = 3600 * (k + 1);
        h.reader = HEALTH_READER_OK;
        h.printer = k && u % 4 == 1 ? HEALTH_PRINTER_PAPER_OUT : HEALTH_PRINTER_OK;
        h.disk_free_pct = 40 + (int)(u % 50);
        h.disk_free_bytes = (int64_t)h.disk_free_pct * 300000000LL;
        h.battery_pct = u % 2 ? 80 : -1;
        h.power = u % 2 ? HEALTH_POWER_CHARGING : HEALTH_POWER_MAINS;
        h.backlog = (int64_t)(u % 3);
        h.sessions = 10 + (int64_t)u;
        h.median_taps = 18;
        rc = hub_db_health_add(db, pk, &h, "http", h.at_ms, NULL);
    }
    return rc;
}

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
        char name[64], hall[32], prefix[48];
        snprintf(name, sizeof name, "自助机 %04zu", u + 1);
        snprintf(hall, sizeof hall, "H%03zu", u % (plan->halls ? plan->halls : 1) + 1);
        snprintf(prefix, sizeof prefix, "%08zx-0000-4000-8000-", u); /* a uuid's shape */
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
        hub_qparam m[] = {{.kind = 'b', .b = pk, .len = 32}, {.kind = 't', .t = hall}};
        if (rc == KIOSK_OK && plan->with_meta && plan->per_unit > 0)
            rc = hub_db_query(db, meta_sql, NULL, m, 2, NULL, NULL);
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
    /* health reports through the store's own operation (a transaction each) */
    for (size_t u = 0; rc == KIOSK_OK && plan->with_health && u < plan->units; u++) {
        uint8_t pk[32] = {0x4b, 0x48};
        pk[28] = (uint8_t)(u >> 24);
        pk[29] = (uint8_t)(u >> 16);
        pk[30] = (uint8_t)(u >> 8);
        pk[31] = (uint8_t)u;
        rc = fill_health(db, pk, u, plan->now_ms);
    }
    return rc;
}
