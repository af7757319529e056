/*
 * The health report's encoder and its strict decoder (health_proto.h), and the reader of
 * the updater's status file. The encoder writes the one canonical form; the decoder parses
 * with jansson, checks every field, then re-encodes and compares, so whatever it accepts
 * is exactly what the encoder writes. Nothing personal is ever in a report.
 */
#include "proto/health_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/sync_proto.h"

static const char *const reader_names[HEALTH_READER_COUNT] = {"unknown", "ok", "fault"};
static const char *const printer_names[HEALTH_PRINTER_COUNT] = {"unknown",   "ok",      "image",
                                                                "paper_out", "offline", "fault"};
static const char *const power_names[HEALTH_POWER_COUNT] = {"unknown", "mains", "charging",
                                                            "battery"};
static const char *const update_names[HEALTH_UPDATE_COUNT] = {"installed", "failed", "refused",
                                                              "fallback"};

const char *health_reader_name(health_reader r)
{
    return (unsigned)r < HEALTH_READER_COUNT ? reader_names[r] : "?";
}

const char *health_printer_name(health_printer p)
{
    return (unsigned)p < HEALTH_PRINTER_COUNT ? printer_names[p] : "?";
}

const char *health_power_name(health_power p)
{
    return (unsigned)p < HEALTH_POWER_COUNT ? power_names[p] : "?";
}

const char *health_update_result_name(health_update_result r)
{
    return (unsigned)r < HEALTH_UPDATE_COUNT ? update_names[r] : "?";
}

/* The index of s in names, or -1. */
static int name_index(const char *s, const char *const *names, int n)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int health_reader_parse(const char *s, health_reader *out)
{
    int i = name_index(s, reader_names, HEALTH_READER_COUNT);
    if (i >= 0)
        *out = (health_reader)i;
    return i >= 0;
}

int health_printer_parse(const char *s, health_printer *out)
{
    int i = name_index(s, printer_names, HEALTH_PRINTER_COUNT);
    if (i >= 0)
        *out = (health_printer)i;
    return i >= 0;
}

int health_power_parse(const char *s, health_power *out)
{
    int i = name_index(s, power_names, HEALTH_POWER_COUNT);
    if (i >= 0)
        *out = (health_power)i;
    return i >= 0;
}

int health_update_result_parse(const char *s, health_update_result *out)
{
    int i = name_index(s, update_names, HEALTH_UPDATE_COUNT);
    if (i >= 0)
        *out = (health_update_result)i;
    return i >= 0;
}

int health_text_ok(const char *s, int detail)
{
    if (!s)
        return 0;
    size_t n = strnlen(s, HEALTH_TEXT_MAX);
    if (n >= HEALTH_TEXT_MAX || (n == 0 && !detail))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == '-' || (!detail && (c == '+' || c == '~'));
        if (!ok)
            return 0;
    }
    return 1;
}

static int update_valid(const health_update *u)
{
    return health_text_ok(u->version, 0) && (unsigned)u->result < HEALTH_UPDATE_COUNT &&
           u->at_ms >= 0 && health_text_ok(u->detail, 1);
}

static int count_ok(int64_t v)
{
    return v >= 0 && v <= HEALTH_COUNT_MAX;
}

int health_report_valid(const health_report *r)
{
    return r->seq >= 1 && r->at_ms >= 0 && health_text_ok(r->version, 0) && r->uptime_s >= 0 &&
           (unsigned)r->reader < HEALTH_READER_COUNT &&
           (unsigned)r->printer < HEALTH_PRINTER_COUNT && r->disk_free_bytes >= 0 &&
           r->disk_free_pct >= 0 && r->disk_free_pct <= 100 && r->battery_pct >= -1 &&
           r->battery_pct <= 100 && (unsigned)r->power < HEALTH_POWER_COUNT &&
           count_ok(r->backlog) && count_ok(r->sessions) && r->median_taps >= 0 &&
           r->median_taps <= HEALTH_TAPS_MAX && count_ok(r->help_requests) &&
           (r->has_update == 0 || (r->has_update == 1 && update_valid(&r->update)));
}

kiosk_rc health_report_encode(const health_report *r, char **body, size_t *len)
{
    *body = NULL;
    if (len)
        *len = 0;
    if (!health_report_valid(r))
        return KIOSK_INVALID;
    char epoch[33], upd[256] = "";
    sync_hex_format(r->epoch, 16, epoch);
    if (r->has_update)
        snprintf(upd, sizeof upd,
                 ",\"update\":{\"version\":\"%s\",\"result\":\"%s\",\"at_ms\":%" PRId64
                 ",\"detail\":\"%s\"}",
                 r->update.version, update_names[r->update.result], r->update.at_ms,
                 r->update.detail);
    char *out = malloc(HEALTH_MAX_BODY);
    if (!out)
        return KIOSK_NOMEM;
    int n =
        snprintf(out, HEALTH_MAX_BODY,
                 "{\"v\":%d,\"seq\":%" PRId64 ",\"at_ms\":%" PRId64 ",\"version\":\"%s\","
                 "\"uptime_s\":%" PRId64 ",\"reader\":\"%s\",\"printer\":\"%s\","
                 "\"disk_free_bytes\":%" PRId64 ",\"disk_free_pct\":%d,\"battery_pct\":%d,"
                 "\"power\":\"%s\",\"backlog\":%" PRId64 ",\"sessions\":%" PRId64
                 ",\"median_taps\":%" PRId64 ",\"help_requests\":%" PRId64 ",\"epoch\":\"%s\"%s}",
                 HEALTH_VERSION, r->seq, r->at_ms, r->version, r->uptime_s, reader_names[r->reader],
                 printer_names[r->printer], r->disk_free_bytes, r->disk_free_pct, r->battery_pct,
                 power_names[r->power], r->backlog, r->sessions, r->median_taps, r->help_requests,
                 epoch, upd);
    if (n < 0 || n >= HEALTH_MAX_BODY) {
        free(out);
        return KIOSK_INVALID;
    }
    *body = out;
    if (len)
        *len = (size_t)n;
    return KIOSK_OK;
}

/* ---- decoding ---------------------------------------------------------------------- */

static int get_int(const json_t *o, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        return 0;
    *out = (int64_t)json_integer_value(v);
    return 1;
}

static int get_text(const json_t *o, const char *key, char *out, size_t size)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || strlen(s) >= size)
        return 0;
    memcpy(out, s, strlen(s) + 1);
    return 1;
}

static int get_name(const json_t *o, const char *key, const char *const *names, int n, int *out)
{
    *out = name_index(json_string_value(json_object_get(o, key)), names, n);
    return *out >= 0;
}

/* The update object (the report's or the status file's): exactly its four keys. */
static int update_of(const json_t *o, health_update *u)
{
    int result = -1;
    memset(u, 0, sizeof *u);
    return json_is_object(o) && json_object_size(o) == 4 &&
           get_text(o, "version", u->version, sizeof u->version) &&
           get_name(o, "result", update_names, HEALTH_UPDATE_COUNT, &result) &&
           (u->result = (health_update_result)result, get_int(o, "at_ms", &u->at_ms)) &&
           get_text(o, "detail", u->detail, sizeof u->detail) && update_valid(u);
}

kiosk_rc health_report_decode(const char *body, size_t len, health_report *out)
{
    memset(out, 0, sizeof *out);
    if (len > HEALTH_MAX_BODY)
        return KIOSK_RANGE;
    json_error_t err;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    health_report r;
    memset(&r, 0, sizeof r);
    int64_t v = 0, pct = 0, bat = 0;
    int reader = -1, printer = -1, power = -1;
    char epoch[40];
    const json_t *upd = json_object_get(o, "update");
    int ok = json_is_object(o) && json_object_size(o) == (upd ? 17u : 16u) && get_int(o, "v", &v) &&
             v == HEALTH_VERSION && get_int(o, "seq", &r.seq) && get_int(o, "at_ms", &r.at_ms) &&
             get_text(o, "version", r.version, sizeof r.version) &&
             get_int(o, "uptime_s", &r.uptime_s) &&
             get_name(o, "reader", reader_names, HEALTH_READER_COUNT, &reader) &&
             get_name(o, "printer", printer_names, HEALTH_PRINTER_COUNT, &printer) &&
             get_int(o, "disk_free_bytes", &r.disk_free_bytes) &&
             get_int(o, "disk_free_pct", &pct) && pct >= 0 && pct <= 100 &&
             get_int(o, "battery_pct", &bat) && bat >= -1 && bat <= 100 &&
             get_name(o, "power", power_names, HEALTH_POWER_COUNT, &power) &&
             get_int(o, "backlog", &r.backlog) && get_int(o, "sessions", &r.sessions) &&
             get_int(o, "median_taps", &r.median_taps) &&
             get_int(o, "help_requests", &r.help_requests) &&
             get_text(o, "epoch", epoch, sizeof epoch) && sync_hex_parse(epoch, r.epoch, 16);
    if (ok) {
        r.reader = (health_reader)reader;
        r.printer = (health_printer)printer;
        r.power = (health_power)power;
        r.disk_free_pct = (int)pct;
        r.battery_pct = (int)bat;
        r.has_update = upd != NULL;
        ok = !upd || update_of(upd, &r.update);
    }
    json_decref(o);
    if (!ok || !health_report_valid(&r))
        return KIOSK_INVALID;
    /* one encoding per content: the bytes must be exactly what the encoder writes */
    char *again = NULL;
    size_t n = 0;
    kiosk_rc rc = health_report_encode(&r, &again, &n);
    if (rc != KIOSK_OK)
        return rc == KIOSK_NOMEM ? rc : KIOSK_INVALID;
    ok = n == len && memcmp(again, body, len) == 0;
    free(again);
    if (!ok)
        return KIOSK_INVALID;
    *out = r;
    return KIOSK_OK;
}

kiosk_rc health_update_parse(const char *data, size_t len, health_update *out)
{
    memset(out, 0, sizeof *out);
    if (len > HEALTH_UPDATE_STATUS_MAX)
        return KIOSK_INVALID;
    json_error_t err;
    json_t *o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    health_update u;
    int ok = update_of(o, &u);
    json_decref(o);
    if (!ok)
        return KIOSK_INVALID;
    *out = u;
    return KIOSK_OK;
}

kiosk_rc health_update_read(const char *dir, health_update *out)
{
    memset(out, 0, sizeof *out);
    char path[1100];
    if (!dir ||
        snprintf(path, sizeof path, "%s/%s", dir, HEALTH_UPDATE_STATUS_FILE) >= (int)sizeof path)
        return KIOSK_INVALID;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? KIOSK_NOT_FOUND : KIOSK_IO;
    char buf[HEALTH_UPDATE_STATUS_MAX + 1];
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, buf + got, sizeof buf - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == sizeof buf)
            break;
    }
    close(fd);
    if (got > HEALTH_UPDATE_STATUS_MAX)
        return KIOSK_INVALID;
    return health_update_parse(buf, got, out);
}
