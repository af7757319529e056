/*
 * The unit's health report: a small, versioned snapshot a kiosk sends its hub on its normal
 * sync (POST /v3/health) and puts in every USB export ("-health.kb"), so staff see every
 * unit's state without visiting it. Nothing personal: the firmware's version, how long it
 * has run, the reader, printer, disk and power, the backlog, how many sessions ended and
 * their median touches, how many help requests, the store epoch, and the last update's
 * result. Shared by the unit (sync) and the hub; no I/O here but the update-status file.
 *
 * Wire form (version 1): compact JSON, keys in exactly this order, no spaces:
 *   {"v":1,"seq":N,"at_ms":N,"version":"S","uptime_s":N,"reader":"E","printer":"E",
 *    "disk_free_bytes":N,"disk_free_pct":N,"battery_pct":N,"power":"E","backlog":N,
 *    "sessions":N,"median_taps":N,"help_requests":N,"epoch":"<32 hex>"
 *    [,"update":{"version":"S","result":"E","at_ms":N,"detail":"S"}]}
 * One encoding per content: the decoder refuses any byte sequence the encoder would not
 * write for what it parsed (other order, spaces, escapes, "1.0"), so a parsed report
 * re-encodes to exactly its bytes. The counters (sessions, median_taps, help_requests)
 * cover the time since the last report the hub acknowledged.
 *
 * Request: POST /v3/health, signed exactly as a records request (sync_request_sign_v2
 *   over "POST", HEALTH_REPORT_PATH, time, body length and hash; the same headers); the body
 *   is the report. Reply 200: sync_event_acks_encode's {"now_ms":N,"acked":[seq]} naming
 *   the report's seq, signed by sync_reply_sign() as for records. A hub of before answers
 *   404: the unit keeps working and tries again at its next interval.
 * Bundle: sync_bundle_write_temp_for(…, HEALTH_REPORT_PATH, …): a bundle whose body is one report,
 *   signed sync_request_sign(key, "BUNDLE", HEALTH_REPORT_PATH, time, body).
 */
#ifndef KIOSK_HEALTH_PROTO_H
#define KIOSK_HEALTH_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"

#define HEALTH_REPORT_PATH "/v3/health"
#define HEALTH_VERSION 1
#define HEALTH_MAX_BODY 2048 /* a report body over this is refused (one is about 500 bytes) */
#define HEALTH_TEXT_MAX 48   /* version and detail strings: at most 47 bytes */
#define HEALTH_TAPS_MAX 100000
#define HEALTH_COUNT_MAX 100000000 /* sessions, help requests, backlog: far beyond reality */

typedef enum health_reader {
    HEALTH_READER_UNKNOWN = 0, /* no word from the reader worker (not running) */
    HEALTH_READER_OK,
    HEALTH_READER_FAULT,
    HEALTH_READER_COUNT
} health_reader;

typedef enum health_printer {
    HEALTH_PRINTER_UNKNOWN = 0,
    HEALTH_PRINTER_OK,
    HEALTH_PRINTER_IMAGE, /* the demo's image printer: no paper to run out */
    HEALTH_PRINTER_PAPER_OUT,
    HEALTH_PRINTER_OFFLINE, /* could not be opened (unplugged, off) */
    HEALTH_PRINTER_FAULT,   /* answered with an error (cover open, cutter) */
    HEALTH_PRINTER_COUNT
} health_printer;

typedef enum health_power {
    HEALTH_POWER_UNKNOWN = 0,
    HEALTH_POWER_MAINS,    /* no battery: a hall kiosk on mains */
    HEALTH_POWER_CHARGING, /* a battery, on mains or charging */
    HEALTH_POWER_BATTERY,  /* on battery, discharging */
    HEALTH_POWER_COUNT
} health_power;

typedef enum health_update_result {
    HEALTH_UPDATE_INSTALLED = 0,
    HEALTH_UPDATE_FAILED,
    HEALTH_UPDATE_REFUSED,
    HEALTH_UPDATE_FALLBACK,
    HEALTH_UPDATE_COUNT
} health_update_result;

/* The last update's result as <state>/update-status.json gives it. */
typedef struct health_update {
    char version[HEALTH_TEXT_MAX]; /* [A-Za-z0-9._+~-]{1,47} */
    health_update_result result;
    int64_t at_ms;                /* >= 0 */
    char detail[HEALTH_TEXT_MAX]; /* [A-Za-z0-9_.-]{0,47} */
} health_update;

typedef struct health_report {
    int64_t seq;                   /* the unit's report number, >= 1 */
    int64_t at_ms;                 /* the unit's clock, >= 0 */
    char version[HEALTH_TEXT_MAX]; /* firmware version, [A-Za-z0-9._+~-]{1,47} */
    int64_t uptime_s;              /* seconds since the kiosk started, >= 0 */
    health_reader reader;
    health_printer printer;
    int64_t disk_free_bytes; /* >= 0, of the state directory's file system */
    int disk_free_pct;       /* 0..100 */
    int battery_pct;         /* 0..100, -1 no battery or unknown */
    health_power power;
    int64_t backlog;       /* records not yet acknowledged (queued or sent) */
    int64_t sessions;      /* citizens' sessions ended since the last report */
    int64_t median_taps;   /* their median number of touches (0 when no session) */
    int64_t help_requests; /* 求助 pressed since the last report */
    uint8_t epoch[16];     /* the store epoch */
    int has_update;        /* 1: update below holds the last update's result */
    health_update update;
} health_report;

const char *health_reader_name(health_reader r);               /* "?" outside the enum */
const char *health_printer_name(health_printer p);             /* "?" outside the enum */
const char *health_power_name(health_power p);                 /* "?" outside the enum */
const char *health_update_result_name(health_update_result r); /* "?" outside the enum */

/* The names back to their values (for a hub reading its own columns): 1 and *out set
 * when s (borrowed) is one of the names above, else 0. */
int health_reader_parse(const char *s, health_reader *out);
int health_printer_parse(const char *s, health_printer *out);
int health_power_parse(const char *s, health_power *out);
int health_update_result_parse(const char *s, health_update_result *out);

/* 1 when s is a version string (allow_empty 0) or a detail code (allow_empty 1) as the
 * report carries them. */
int health_text_ok(const char *s, int detail);

/* 1 when r (borrowed) is a report the decoder would accept. */
int health_report_valid(const health_report *r);

/* Encode r (borrowed) into *body (owned, free(); NUL-terminated) and *len (may be NULL).
 * KIOSK_INVALID when r is not valid, KIOSK_NOMEM. Any thread. */
kiosk_rc health_report_encode(const health_report *r, char **body, size_t *len);

/* Decode len bytes of body (outside bytes, borrowed) into *out (caller storage). KIOSK_OK;
 * KIOSK_RANGE over HEALTH_MAX_BODY; KIOSK_INVALID for anything else the encoder would not
 * have written byte for byte (a field out of range, an unknown name, an unknown or missing
 * key, a version other than 1); KIOSK_NOMEM. Any thread. */
kiosk_rc health_report_decode(const char *body, size_t len, health_report *out);

/* The file the updater writes in the state directory after each attempt. */
#define HEALTH_UPDATE_STATUS_FILE "update-status.json"
#define HEALTH_UPDATE_STATUS_MAX 4096

/* Parse an update-status file's bytes (outside bytes, borrowed):
 * {"version":"…","result":"installed"|"failed"|"refused"|"fallback","at_ms":N,
 *  "detail":"…"} in any key order and spacing, each key once, no other keys. KIOSK_OK with
 * *out filled; KIOSK_INVALID for anything else (the report then carries no update). */
kiosk_rc health_update_parse(const char *data, size_t len, health_update *out);

/* Read <dir>/update-status.json into *out: KIOSK_OK when it exists and validates,
 * KIOSK_NOT_FOUND when there is none, KIOSK_INVALID (too large, malformed), KIOSK_IO. */
kiosk_rc health_update_read(const char *dir, health_update *out);

#endif
