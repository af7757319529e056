/*
 * Fill a hub store fast for the console's tests and benchmark: units with halls and
 * records inserted directly (one statement per unit, not through HTTP nor the signature
 * check — the console never opens a record), with chosen gaps and help requests. Both
 * backends (hub_db_query). The records' sealed bytes and signatures are filler.
 */
#ifndef KIOSK_HUB_FILL_H
#define KIOSK_HUB_FILL_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"
#include "hub/hub_db.h"

typedef struct hub_fill_plan {
    size_t units;         /* units, named "自助机 NNNN", hall "H" + (unit % halls) */
    size_t halls;         /* 1 or more */
    int64_t per_unit;     /* records of each unit, seq 1..per_unit */
    int64_t now_ms;       /* the newest record arrives just before now */
    int64_t spread_days;  /* records arrive evenly over this many days back (1 or more) */
    size_t gap_every;     /* every gap_every-th unit misses seqs 3..4 (0: none) */
    size_t help_per_unit; /* help requests per unit, in the last hour */
    size_t sealed_len;    /* bytes of filler sealed data per record (the real size: ~1,200) */
    int with_meta;        /* 1: record_meta for three records in four (seq % 4: 1 registration,
                             2 deregistration, 3 jobseeker; 0 none, as from an older unit), receipt
                             number "<hall>-<seq>" */
    int with_health;      /* 1: two health reports per unit (a day apart) but every 4th unit's
                             (u % 4 == 3: none); u % 4 == 1 out of paper in the latest */
} hub_fill_plan;

/* Fill db (an empty store) after plan (borrowed); the unit keys are 32 bytes of unit
 * number (big-endian in the last 4 bytes). KIOSK_OK or a database error. */
kiosk_rc hub_fill(hub_db *db, const hub_fill_plan *plan);

#endif
