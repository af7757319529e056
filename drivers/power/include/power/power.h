/*
 * Battery and mains state behind one small ops table: read the level, whether the unit
 * charges or runs on mains, a time-to-empty estimate, and decide whether a new citizen
 * registration may start. Backends: Linux sysfs (/sys/class/power_supply) and a
 * simulation that parses the same file layout from a test directory and can inject
 * read failures. It does not shut the unit down, log history or estimate time-to-full.
 */
#ifndef KIOSK_POWER_H
#define KIOSK_POWER_H

#include "core/kiosk_error.h"

/* Default root of the real backend. */
#define POWER_SYSFS_ROOT "/sys/class/power_supply"
/* At or below this percent, discharging, the battery is critical. */
#define POWER_CRITICAL_PERCENT 5
/* Estimates above this are clamped: they only mean the draw reading is near zero. */
#define POWER_MINUTES_MAX 6000

/* One snapshot, aggregated over every system battery (caller storage, plain values). */
typedef struct power_status {
    int has_battery;  /* 1 when at least one present, system-scope battery was seen */
    int percent;      /* 0..100, -1 unknown (or no battery) */
    int charging;     /* 1 when a Mains/USB supply is online or a battery says
                         Charging or Full */
    int on_mains;     /* 1 when a Mains/USB/Wireless supply is online */
    int minutes_left; /* time to empty while discharging, -1 unknown, charging or no
                         battery; 0..POWER_MINUTES_MAX, rounded down */
    int critical;     /* 1 when discharging and a battery says capacity_level
                         "Critical" or percent <= POWER_CRITICAL_PERCENT */
} power_status;

typedef struct power power;

typedef struct power_ops {
    const char *name;
    /* Fill *out (borrowed). KIOSK_NOT_FOUND when the source is gone, KIOSK_IO. On
     * failure *out holds "unknown" (has_battery 0, percent and minutes -1). */
    kiosk_rc (*read)(power *p, power_status *out);
    void (*close)(power *p);
} power_ops;

struct power {
    const power_ops *ops;
};

/* Open the sysfs backend at root (copied; normally POWER_SYSFS_ROOT). On failure *out is
 * NULL: KIOSK_NOT_FOUND (root missing or not a directory), KIOSK_INVALID (root NULL, empty
 * or too long), KIOSK_NOMEM. *out is owned: close it with power_close. Any thread. */
kiosk_rc power_open_sysfs(const char *root, power **out);

/* Open the simulated backend: dir (copied) holds <name>/type, <name>/capacity ... exactly
 * like sysfs, written by the test or demo; change the files between reads to change the
 * state. Same errors and ownership as power_open_sysfs. Any thread. */
kiosk_rc power_open_sim(const char *dir, power **out);

/* Make the next `times` reads of a simulated handle fail with rc (times < 0: every read
 * until called again; rc KIOSK_OK or times 0 clears). Passing a non-simulated handle is a
 * programming error (assert). Any thread. */
void power_sim_fail(power *p, kiosk_rc rc, int times);

/* Read the current state into *out (borrowed). KIOSK_OK also when the machine has no
 * battery (has_battery 0, the hall kiosks) and when some files are missing or unparseable
 * (those values are unknown). KIOSK_NOT_FOUND when the root vanished, KIOSK_IO, or the
 * simulated fault. No allocation; at most 64 bytes read per file; cheap enough for the UI
 * thread every few seconds. Any thread; concurrent reads of one handle are safe (the handle
 * is immutable after open, the simulated fault counter is atomic); never concurrently
 * with power_close. */
kiosk_rc power_read(power *p, power_status *out);

/* 1 when a new registration may start, 0 when it must be refused:
 *   allowed when there is no battery, or it charges / runs on mains;
 *   otherwise only when not critical, percent >= min_percent (unknown percent refuses),
 *   and minutes_left is unknown or >= min_minutes.
 * Why: a registration takes about ten minutes (card, photo, signature, receipt). The
 * record is saved before printing, so a unit dying mid-session does not lose data, but it
 * wastes the citizen's time and trust; refusing before the start costs nothing. An
 * unknown time estimate does not refuse (many gauges report no draw), an unknown level on
 * battery does: we cannot promise the session would finish. st is borrowed. Pure: any
 * thread. */
int power_can_start_session(const power_status *st, int min_percent, int min_minutes);

/* Close and free (NULL is fine). Not concurrently with power_read on the same handle. */
void power_close(power *p);

#endif
