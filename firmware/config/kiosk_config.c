/*
 * INI parsing of the configuration with inih. A table maps each section/key to a
 * typed slot in kiosk_config and its allowed values; everything not in the table is
 * an error. Values are checked strictly (whole-string integers in range, enumerations
 * spelled exactly, each setting once, the sync URL well formed), so a typo stops the
 * kiosk at start with a line number.
 */
#include "config/kiosk_config.h"

#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config/kiosk_strings.h"
#include "core/kiosk_url.h"

typedef enum { T_STR, T_INT, T_BOOL, T_ENUM } slot_type;

typedef struct {
    const char *section, *key;
    slot_type type;
    size_t offset, size;      /* size: buffer size for T_STR */
    long min, max;            /* T_INT */
    const char *const *names; /* T_ENUM: index = value; T_STR: allowed values or NULL */
} slot;

static const char *const mode_names[] = {"hall", "portable", NULL};
static const char *const reader_names[] = {"simulated", "libnfc", "pcsc", NULL};
static const char *const printer_names[] = {"file", "usb", "serial", NULL};
static const char *const level_names[] = {"debug", "info", "warn", "error", NULL};
static const char *const rotation_names[] = {"0", "90", "180", "270", NULL};

#define STRC(sec, k, field, allowed)                                                               \
    {                                                                                              \
        sec, k, T_STR, offsetof(kiosk_config, field), sizeof(((kiosk_config *)0)->field), 0, 0,    \
            allowed                                                                                \
    }
#define STR(sec, k, field) STRC(sec, k, field, NULL)
#define INT(sec, k, field, lo, hi)                                                                 \
    {                                                                                              \
        sec, k, T_INT, offsetof(kiosk_config, field), 0, lo, hi, NULL                              \
    }
#define BOOL(sec, k, field)                                                                        \
    {                                                                                              \
        sec, k, T_BOOL, offsetof(kiosk_config, field), 0, 0, 1, NULL                               \
    }
#define ENUM(sec, k, field, n)                                                                     \
    {                                                                                              \
        sec, k, T_ENUM, offsetof(kiosk_config, field), 0, 0, 0, n                                  \
    }

static const slot slots[] = {
    ENUM("device", "mode", mode, mode_names),
    STR("device", "hall_code", hall_code),
    STR("device", "division", division),
    STR("device", "hall_name", hall_name),
    STR("device", "agency_address", agency_address),
    STR("device", "agency_phone", agency_phone),
    STR("device", "power_supply", power_supply),
    STR("paths", "export_dir", export_dir),
    BOOL("paths", "export_mount", export_mount),
    INT("policy", "retention_days", retention_days, 7, 3650),
    STR("paths", "state_dir", state_dir),
    STR("paths", "assets_dir", assets_dir),
    STR("paths", "fonts_dir", fonts_dir),
    INT("display", "width", width, 0, 8192),
    INT("display", "height", height, 0, 8192),
    BOOL("display", "fullscreen", fullscreen),
    ENUM("display", "rotation", rotation_quarters, rotation_names),
    INT("display", "dpi", dpi, 50, 1000),
    STRC("display", "language", language, kiosk_langs),
    ENUM("reader", "backend", reader_backend, reader_names),
    STR("reader", "connstring", reader_connstring),
    STR("reader", "card_profile", reader_card_profile),
    STR("reader", "contact", reader_contact),
    STR("reader", "psam", psam_reader),
    INT("reader", "psam_key", psam_key, 1, 255),
    ENUM("printer", "backend", printer_backend, printer_names),
    STR("printer", "device", printer_device),
    INT("printer", "width_dots", printer_width_dots, 384, 576),
    INT("printer", "baud", printer_baud, 9600, 115200),
    STR("printer", "output_dir", printer_output_dir),
    BOOL("printer", "required", printer_required),
    STR("receipt", "verify_url", receipt_verify_url),
    INT("policy", "processing_days", processing_days, 1, 60),
    INT("policy", "idle_timeout_s", idle_timeout_s, 15, 3600),
    STR("sync", "url", sync_url),
    STR("sync", "ca_file", sync_ca_file),
    BOOL("sync", "allow_plain_http_loopback", sync_allow_plain_http_loopback),
    INT("sync", "batch", sync_batch, 1, 5000),
    INT("sync", "retry_max_s", sync_retry_max_s, 5, 86400),
    INT("sync", "health_interval", sync_health_interval_min, 1, 1440),
    ENUM("log", "level", log_level, level_names),
    STR("input", "handwriting_model", handwriting_model),
    BOOL("voice", "enabled", voice_enabled),
    INT("voice", "volume", voice_volume, 0, 100),
    STR("voice", "prompts_dir", voice_prompts_dir),
    BOOL("update", "enabled", update_enabled),
    STR("update", "keyring", update_keyring),
    STR("update", "release_file", update_release_file),
    INT("update", "idle_min_s", update_idle_min_s, 10, 86400),
    INT("update", "reboot_hour", update_reboot_hour, -1, 23),
    INT("update", "margin_mb", update_margin_mb, 16, 65536),
    INT("update", "check_interval_s", update_check_interval_s, 30, 7 * 86400),
};

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

void kiosk_config_defaults(kiosk_config *cfg, const char *assets_dir, const char *fonts_dir)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->mode = KIOSK_MODE_HALL;
    copy_text(cfg->hall_code, sizeof cfg->hall_code, "DEMO01");
    copy_text(cfg->hall_name, sizeof cfg->hall_name, "示范公共就业服务大厅");
    copy_text(cfg->agency_address, sizeof cfg->agency_address, "示范市人民路1号");
    copy_text(cfg->agency_phone, sizeof cfg->agency_phone, "12333");
    copy_text(cfg->division, sizeof cfg->division, "370102"); /* the demo hall: 济南市历下区 */
    copy_text(cfg->state_dir, sizeof cfg->state_dir, "var");
    copy_text(cfg->assets_dir, sizeof cfg->assets_dir, assets_dir);
    copy_text(cfg->fonts_dir, sizeof cfg->fonts_dir, fonts_dir);
    cfg->dpi = 160;
    copy_text(cfg->language, sizeof cfg->language, "zh_CN");
    cfg->reader_backend = KIOSK_READER_SIMULATED;
    snprintf(cfg->reader_card_profile, sizeof cfg->reader_card_profile, "%s/cards/demo.ini",
             assets_dir);
    cfg->printer_backend = KIOSK_PRINTER_FILE;
    cfg->printer_width_dots = 576;
    cfg->printer_baud = 115200;
    copy_text(cfg->printer_output_dir, sizeof cfg->printer_output_dir, "var/receipts");
    cfg->processing_days = 7;
    copy_text(cfg->power_supply, sizeof cfg->power_supply, "/sys/class/power_supply");
    copy_text(cfg->export_dir, sizeof cfg->export_dir, "var/export");
    cfg->retention_days = 90;
    cfg->idle_timeout_s = 90;
    cfg->psam_key = 1;
    cfg->sync_batch = 200;
    cfg->sync_retry_max_s = 300;
    cfg->sync_health_interval_min = 15;
    cfg->log_level = KIOSK_LOG_INFO;
    cfg->update_enabled = 1;
    copy_text(cfg->update_keyring, sizeof cfg->update_keyring, "/etc/rauc/keyring.pem");
    copy_text(cfg->update_release_file, sizeof cfg->update_release_file, "/etc/kiosk-release");
    cfg->update_idle_min_s = 300;
    cfg->update_reboot_hour = -1;
    cfg->update_margin_mb = 256;
    cfg->update_check_interval_s = 3600;
    /* Debian's tegaki-zinnia-simplified-chinese */
    copy_text(cfg->handwriting_model, sizeof cfg->handwriting_model,
              "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model");
    cfg->voice_enabled = 1;
    cfg->voice_volume = 80;
}

_Static_assert(KIOSK_INI_LINE_MAX == INI_MAX_LINE, "inih reads lines of another length");

#define SLOT_COUNT (sizeof slots / sizeof slots[0])

typedef struct {
    kiosk_config *cfg;
    int seen_line[SLOT_COUNT]; /* where each setting was given, 0 if not yet */
    kiosk_config_error *err;
    int lines_read; /* lines handed to inih so far: the one being handled */
    int fail_line;  /* line of the first value error, 0 if none */
    int long_line;  /* a line too long for inih, 0 if none: the read stopped there */
    int url_line;   /* the line of [sync] url, checked when the whole file is read */
    /* input: a file or a string */
    FILE *file;
    const char *text;
} parse_ctx;

/* Records the first value error only; inih keeps going and returns the first bad line. */
static int fail(parse_ctx *p, const char *section, const char *key, const char *what)
{
    if (p->fail_line == 0) {
        p->fail_line = p->lines_read;
        snprintf(p->err->message, sizeof p->err->message, "%s.%s %s",
                 section[0] ? section : "(no section)", key, what);
    }
    return 0;
}

/* NULL when url is a well-formed URL, scheme://host[:port][/path], else what is wrong
 * with it. Only the shape: which schemes the sync client allows is its own check. */
static const char *url_problem(const char *url)
{
    const char *p = url;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return "must start with a scheme (scheme://host[:port][/path])";
    p += strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    if (strncmp(p, "://", 3) != 0)
        return "must start with a scheme (scheme://host[:port][/path])";
    p += 3;
    size_t host;
    if (*p == '[') { /* an IPv6 address */
        host = strspn(p + 1, "0123456789abcdefABCDEF:.");
        if (host == 0 || p[1 + host] != ']')
            return "has a malformed [IPv6] host";
        p += host + 2;
    } else {
        host = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
        if (host == 0 || p[0] == '.' || p[0] == '-' || p[host - 1] == '-')
            return "has no host or a malformed one";
        p += host;
    }
    if (*p == ':') {
        size_t digits = strspn(p + 1, "0123456789");
        long port = digits && digits <= 5 ? strtol(p + 1, NULL, 10) : 0;
        if (port < 1 || port > 65535)
            return "has a port that is not 1..65535";
        p += 1 + digits;
    }
    if (*p != '\0' && *p != '/')
        return "has junk after the host (scheme://host[:port][/path])";
    for (; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F || strchr("\"<>\\^`{|}", *p))
            return "has a path with spaces or characters a URL cannot hold";
    return NULL;
}

static int set_slot(parse_ctx *p, const slot *s, const char *value)
{
    char *field = (char *)p->cfg + s->offset;
    switch (s->type) {
    case T_STR:
        if (s->names) {
            int ok = 0;
            for (int i = 0; s->names[i]; i++)
                ok |= !strcmp(value, s->names[i]);
            if (!ok)
                return fail(p, s->section, s->key, "has a value that is not allowed");
        }
        if (strlen(value) >= s->size)
            return fail(p, s->section, s->key, "is too long");
        /* the hall code goes into receipt numbers and QR codes: 0-9, A-Z and '-' only */
        if (s->offset == offsetof(kiosk_config, hall_code) &&
            (value[0] == '\0' ||
             strspn(value, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-") != strlen(value)))
            return fail(p, s->section, s->key, "may hold only 0-9, A-Z and '-'");
        /* the hall's own division, where the address picker opens: a code of 2 (province),
         * 4, 6 (county), 9 (street) or 12 digits; "" opens at the provinces. Whether the
         * division data knows it is the session's check (it has the data). */
        if (s->offset == offsetof(kiosk_config, division) && value[0]) {
            size_t n = strlen(value);
            if (strspn(value, "0123456789") != n ||
                (n != 2 && n != 4 && n != 6 && n != 9 && n != 12))
                return fail(p, s->section, s->key,
                            "must be a division code of 2, 4, 6, 9 or 12 digits (370102)");
        }
        /* the page a phone opens from the receipt's QR code: https, the payload follows */
        if (s->offset == offsetof(kiosk_config, receipt_verify_url) && value[0]) {
            const char *why = url_problem(value);
            if (!why && strncasecmp(value, "https://", 8) != 0)
                why = "must be https:// (a phone opens it from the receipt)";
            if (!why && value[strlen(value) - 1] != '/')
                why = "must end with '/' (the receipt's code follows it)";
            if (why)
                return fail(p, s->section, s->key, why);
        }
        /* "" keeps sync off (bundles only) */
        if (s->offset == offsetof(kiosk_config, sync_url) && value[0]) {
            const char *why = url_problem(value);
            if (why)
                return fail(p, s->section, s->key, why);
        }
        copy_text(field, s->size, value);
        return 1;
    case T_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end != '\0')
            return fail(p, s->section, s->key, "must be a whole number");
        if (v < s->min || v > s->max) {
            char range[64];
            snprintf(range, sizeof range, "must be between %ld and %ld", s->min, s->max);
            return fail(p, s->section, s->key, range);
        }
        *(int *)field = (int)v;
        return 1;
    }
    case T_BOOL:
        if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1"))
            *(int *)field = 1;
        else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0"))
            *(int *)field = 0;
        else
            return fail(p, s->section, s->key, "must be true or false");
        return 1;
    case T_ENUM:
        for (int i = 0; s->names[i]; i++) {
            if (!strcmp(value, s->names[i])) {
                *(int *)field = i;
                return 1;
            }
        }
        return fail(p, s->section, s->key, "has a value that is not allowed");
    }
    return 0;
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
    parse_ctx *p = user;
    if (key == NULL) /* a section header alone (INI_CALL_HANDLER_ON_NEW_SECTION builds) */
        return 1;
    for (size_t i = 0; i < SLOT_COUNT; i++) {
        if (!strcmp(section, slots[i].section) && !strcmp(key, slots[i].key)) {
            if (p->seen_line[i]) {
                /* which of two values is meant cannot be known: neither is taken */
                char what[64];
                snprintf(what, sizeof what, "is set twice (first on line %d)", p->seen_line[i]);
                return fail(p, section, key, what);
            }
            p->seen_line[i] = p->lines_read;
            if (slots[i].offset == offsetof(kiosk_config, sync_url))
                p->url_line = p->lines_read;
            return set_slot(p, &slots[i], value);
        }
    }
    return fail(p, section, key, "is not a known setting");
}

/* inih's reader: one line per call, counted so value errors know their line. */
kiosk_card_entry kiosk_config_card_entry(const kiosk_config *cfg)
{
    if (cfg->reader_backend == KIOSK_READER_PCSC)
        return KIOSK_CARD_INSERT;
    if (cfg->reader_backend == KIOSK_READER_LIBNFC && cfg->reader_contact[0])
        return KIOSK_CARD_EITHER;
    return KIOSK_CARD_TAP;
}

const char *kiosk_config_default_path(void)
{
    const char *env = getenv("KIOSK_CONFIG");
    if (env)
        return env[0] ? env : NULL;
    return access(KIOSK_CONFIG_SYSTEM_PATH, F_OK) == 0 ? KIOSK_CONFIG_SYSTEM_PATH : NULL;
}

char *kiosk_ini_gets(char *buf, int size, FILE *f, int *overlong)
{
    if (!fgets(buf, size, f))
        return NULL;
    size_t n = strlen(buf);
    if (n == (size_t)size - 1 && buf[n - 1] != '\n') {
        int c = fgetc(f);
        if (c != EOF) {
            *overlong = 1;
            return NULL;
        }
    }
    return buf;
}

static char *read_line(char *buf, int size, void *stream)
{
    parse_ctx *p = stream;
    int overlong = 0;
    if (p->file) {
        if (!kiosk_ini_gets(buf, size, p->file, &overlong)) {
            if (overlong)
                p->long_line = p->lines_read + 1;
            return NULL;
        }
    } else {
        if (*p->text == '\0')
            return NULL;
        size_t n = strcspn(p->text, "\n");
        size_t take = n + (p->text[n] == '\n');
        if (take > (size_t)size - 1) {
            p->long_line = p->lines_read + 1;
            return NULL;
        }
        memcpy(buf, p->text, take);
        buf[take] = '\0';
        p->text += take;
    }
    p->lines_read++;
    return buf;
}

int kiosk_config_sync_url_ok(const char *url, int allow_plain_http_loopback)
{
    return kiosk_url_hub_allowed(url, allow_plain_http_loopback);
}

static kiosk_rc parse(parse_ctx *p)
{
    int line = ini_parse_stream(read_line, p, on_entry, p);
    if (line == 0 && !p->long_line && p->cfg->sync_url[0] &&
        !kiosk_config_sync_url_ok(p->cfg->sync_url, p->cfg->sync_allow_plain_http_loopback)) {
        p->err->line = p->url_line;
        snprintf(p->err->message, sizeof p->err->message, "%s",
                 p->cfg->sync_allow_plain_http_loopback
                     ? "sync.url must be https:// (plain http:// only to 127.0.0.1 or [::1])"
                     : "sync.url must be https:// (records are acknowledged over TLS only;"
                       " a development hub on this machine needs"
                       " allow_plain_http_loopback = true)");
        return KIOSK_CONFIG;
    }
    if (line == 0 && p->long_line) {
        p->err->line = p->long_line;
        snprintf(p->err->message, sizeof p->err->message,
                 "longer than %d bytes: shorten it (a long path can be a symbolic link)",
                 KIOSK_INI_LINE_MAX - 1);
        return KIOSK_CONFIG;
    }
    if (line == 0)
        return KIOSK_OK;
    if (line < 0) {
        snprintf(p->err->message, sizeof p->err->message, "out of memory");
        return KIOSK_NOMEM;
    }
    p->err->line = line;
    if (p->fail_line != line)
        snprintf(p->err->message, sizeof p->err->message,
                 "not a [section] header or a 'key = value' line");
    return KIOSK_CONFIG;
}

kiosk_rc kiosk_config_load(kiosk_config *cfg, const char *path, kiosk_config_error *err)
{
    parse_ctx p = {.cfg = cfg, .err = err};
    memset(err, 0, sizeof *err);
    p.file = fopen(path, "r");
    if (!p.file) {
        int e = errno;
        snprintf(err->message, sizeof err->message, "cannot open: %s", strerror(e));
        return e == ENOENT ? KIOSK_NOT_FOUND : KIOSK_IO;
    }
    kiosk_rc rc = parse(&p);
    fclose(p.file);
    return rc;
}

kiosk_rc kiosk_config_load_string(kiosk_config *cfg, const char *text, kiosk_config_error *err)
{
    parse_ctx p = {.cfg = cfg, .err = err, .text = text};
    memset(err, 0, sizeof *err);
    return parse(&p);
}

void kiosk_config_screen_size(const kiosk_config *cfg, int *w, int *h)
{
    int dw = cfg->mode == KIOSK_MODE_PORTABLE ? 1280 : 1080;
    int dh = cfg->mode == KIOSK_MODE_PORTABLE ? 800 : 1920;
    *w = cfg->width ? cfg->width : dw;
    *h = cfg->height ? cfg->height : dh;
}

void kiosk_config_font_paths(const kiosk_config *cfg, kiosk_config_fonts *out)
{
    kiosk_config_font_paths_lang(cfg, NULL, out);
}

void kiosk_config_font_paths_lang(const kiosk_config *cfg, const char *lang,
                                  kiosk_config_fonts *out)
{
    static const char *const files[KIOSK_FONTS] = {
        "NotoSansCJKtc-Kiosk.otf",     /* Traditional: the TC face's ideographs, punctuation */
        "NotoSansCJKsc-Kiosk.otf",     /* Latin, symbols, GBK, Extension A */
        "NotoSansCJKsc-Kiosk-Ext.otf", /* Noto's other ideographs (生僻字) */
        "KioskRareHan.ttf",            /* Extensions B-F that Noto lacks (HanaMinB) */
    };
    size_t first = kiosk_lang_is_hant(lang) ? 0 : 1;
    out->n = 0;
    for (size_t i = first; i < KIOSK_FONTS; i++, out->n++) {
        snprintf(out->path[out->n], sizeof out->path[out->n], "%s/%s", cfg->fonts_dir, files[i]);
        out->list[out->n] = out->path[out->n];
    }
}
