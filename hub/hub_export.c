/*
 * Opening and exporting records. Each record is opened (crypto_box_seal_open), its
 * envelope signature checked against the device key it was stored under, its identity
 * (device, uuid, seq) compared with the stored row, and its registration parsed by the
 * domain's strict canonical parser (any record type). Only then is a row written. Working copies of
 * personal data are wiped: the decrypted buffer, the parsed record, jansson's heap.
 */
#include "hub/hub_export.h"

#include <jansson.h>
#include <malloc.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/kiosk_log.h"
#include "domain/registration.h"
#include "proto/sync_proto.h"

#define SHANGHAI_OFFSET_MS (8 * 3600 * 1000LL) /* no daylight saving since 1991 */

/* One file for every record type: the record's own columns, its type ("registration",
 * "deregistration", "jobseeker"), then every field of every type in field order as the
 * schema describes it (a coded field or division as its code and its name; the cells of
 * fields a type does not carry stay empty), then what came from the card. */
static const char *const head[] = {
    "回执编号(receipt_no)",
    "记录编号(uuid)",
    "设备(device)",
    "序号(seq)",
    "登记时间(created)",
    "承诺书版本(commitment_version)",
    "承诺书摘要(commitment_sha256)",
};
#define HEAD (sizeof head / sizeof head[0])
#define TYPE_TITLE "记录类型(type)"
#define FROM_CARD_TITLE "读卡字段(from_card)"

/* A field's value has a name beside it in the CSV: a code or a division. */
static int named(const registration_field_info *fi)
{
    return fi->table >= 0 || fi->input == REGISTRATION_INPUT_DIVISION;
}

static size_t columns(void)
{
    size_t n = HEAD + 2;
    for (int f = 0; f < REGISTRATION_FIELD_COUNT; f++)
        n += 1 + (size_t)named(registration_field_get((registration_field)f));
    return n;
}

/* ---- CSV ------------------------------------------------------------------------- */

kiosk_rc hub_export_cell(FILE *out, const char *value)
{
    const char *v = value ? value : "";
    int inject = v[0] && strchr("=+-@\t\r", v[0]) != NULL;
    int quote = strpbrk(v, ",\"\r\n") != NULL;
    if (quote && fputc('"', out) == EOF)
        return KIOSK_IO;
    if (inject && fputc('\'', out) == EOF)
        return KIOSK_IO;
    for (const char *p = v; *p; p++) {
        if (*p == '"' && fputc('"', out) == EOF)
            return KIOSK_IO;
        if (fputc(*p, out) == EOF)
            return KIOSK_IO;
    }
    if (quote && fputc('"', out) == EOF)
        return KIOSK_IO;
    return KIOSK_OK;
}

/* A row being written: cells go straight to the stream. */
typedef struct row {
    FILE *out;
    size_t cells;
    kiosk_rc rc;
} row;

static void cell(row *r, const char *v)
{
    if (r->rc != KIOSK_OK)
        return;
    if (r->cells++ && fputc(',', r->out) == EOF)
        r->rc = KIOSK_IO;
    else
        r->rc = hub_export_cell(r->out, v);
}

static kiosk_rc end_row(row *r)
{
    if (r->rc == KIOSK_OK && fputs("\r\n", r->out) == EOF)
        r->rc = KIOSK_IO;
    if (r->rc == KIOSK_OK && r->cells != columns()) {
        kiosk_log_error("hub_export", "row of %zu cells, header of %zu", r->cells, columns());
        abort(); /* a broken invariant of this file */
    }
    return r->rc;
}

/* ---- one record ------------------------------------------------------------------- */

/* Scratch of one row, wiped after use. */
typedef struct scratch {
    registration reg;
    char created[64];
    char seq[24];
    char device[65];
    char value[REGISTRATION_TEXT_CAP(REGISTRATION_REMARKS_CHARS) + 1];
    char name[DIVISIONS_PATH_MAX + 1024];
    char from_card[REGISTRATION_FIELD_COUNT * 24];
} scratch;

typedef struct exporter {
    const uint8_t *pk, *sk;
    const codes_tables *codes;
    const divisions *divs;
    FILE *out;
    hub_export_stats stats;
    scratch s;
    hub_export_keep_fn keep; /* NULL: every record */
    void *keep_ctx;
} exporter;

static const char *code_name(const exporter *ex, codes_table t, const char *code)
{
    const char *n = code[0] ? codes_name(ex->codes, t, code, CODES_ZH) : NULL;
    return n ? n : "";
}

static void join(char *dst, size_t size, const char *item, const char *sep)
{
    size_t len = strlen(dst);
    snprintf(dst + len, size - len, "%s%s", len ? sep : "", item);
}

static void division_path(const exporter *ex, const char *code, char *out, size_t size)
{
    out[0] = '\0';
    if (code[0] && divisions_path(ex->divs, code, out, size) != KIOSK_OK)
        out[0] = '\0';
}

static void format_created(int64_t created_ms, char out[64])
{
    int64_t local_ms = created_ms + SHANGHAI_OFFSET_MS;
    time_t t = (time_t)(local_ms >= 0 ? local_ms / 1000 : (local_ms - 999) / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
        out[0] = '\0';
        return;
    }
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static kiosk_rc write_row(exporter *ex, const hub_db_record *rec, const char *receipt_no,
                          const char *version, const char *sha256, int64_t created_ms)
{
    scratch *s = &ex->s;
    const registration *g = &s->reg;
    row r = {ex->out, 0, KIOSK_OK};
    sync_hex_format(rec->device, 32, s->device);
    snprintf(s->seq, sizeof s->seq, "%lld", (long long)rec->seq);
    format_created(created_ms, s->created);
    s->from_card[0] = '\0';
    for (int f = 0; f < REGISTRATION_FIELD_COUNT; f++)
        if (g->from_card & ((uint64_t)1 << f))
            join(s->from_card, sizeof s->from_card, registration_field_key((registration_field)f),
                 ";");

    cell(&r, receipt_no);
    cell(&r, rec->uuid);
    cell(&r, s->device);
    cell(&r, s->seq);
    cell(&r, s->created);
    cell(&r, version);
    cell(&r, sha256);
    cell(&r, registration_type_key(g->type));
    for (int f = 0; f < REGISTRATION_FIELD_COUNT; f++) {
        const registration_field_info *fi = registration_field_get((registration_field)f);
        cell(&r, registration_value(g, fi->field, ";", s->value, sizeof s->value));
        if (!named(fi))
            continue;
        s->name[0] = '\0';
        if (fi->input == REGISTRATION_INPUT_DIVISION)
            division_path(ex, s->value, s->name, sizeof s->name);
        else if (fi->field == REGISTRATION_SERVICES)
            for (size_t i = 0; i < g->service_count && i < REGISTRATION_SERVICES_MAX; i++)
                join(s->name, sizeof s->name, code_name(ex, (codes_table)fi->table, g->services[i]),
                     "；");
        else if (fi->field == REGISTRATION_JOB_CATEGORIES)
            for (size_t i = 0; i < g->job_category_count && i < REGISTRATION_JOB_CATEGORIES_MAX;
                 i++)
                join(s->name, sizeof s->name,
                     code_name(ex, (codes_table)fi->table, g->job_categories[i]), "；");
        else
            snprintf(s->name, sizeof s->name, "%s",
                     code_name(ex, (codes_table)fi->table, s->value));
        cell(&r, s->name);
    }
    cell(&r, s->from_card);
    return end_row(&r);
}

typedef enum verdict {
    V_OK,
    V_OPEN,
    V_SIGNATURE,
    V_IDENTITY,
    V_CONTENT,
} verdict;

static const char *str_of(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Check the envelope (env_len bytes) against the stored row and write its row. */
static verdict check_and_write(exporter *ex, const hub_db_record *rec, const char *env,
                               size_t env_len, kiosk_rc *rc)
{
    json_error_t jerr;
    json_t *root = json_loadb(env, env_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return json_error_code(&jerr) == json_error_out_of_memory ? (*rc = KIOSK_NOMEM, V_OK)
                                                                  : V_CONTENT;
    verdict v = V_CONTENT;
    const json_t *schema = json_object_get(root, "schema");
    const json_t *seq = json_object_get(root, "seq");
    const json_t *created = json_object_get(root, "created_ms");
    const json_t *commitment = json_object_get(root, "commitment");
    const json_t *reg = json_object_get(root, "registration");
    const char *uuid = str_of(root, "uuid"), *device = str_of(root, "device");
    const char *receipt_no = str_of(root, "receipt_no");
    const char *version = str_of(commitment, "version"), *sha256 = str_of(commitment, "sha256");
    uint8_t dev[32];
    if (!json_is_integer(schema) || json_integer_value(schema) != 1 || !json_is_integer(seq) ||
        !json_is_integer(created) || !uuid || !device || !receipt_no || !version || !sha256 ||
        !json_is_object(reg)) {
        v = V_CONTENT;
    } else if (!sync_hex_parse(device, dev, sizeof dev) || memcmp(dev, rec->device, 32) != 0 ||
               strcmp(uuid, rec->uuid) != 0 || json_integer_value(seq) != rec->seq) {
        v = V_IDENTITY;
    } else {
        size_t n = json_dumpb(reg, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
        char *text = n ? malloc(n) : NULL;
        if (n && !text) {
            *rc = KIOSK_NOMEM;
            v = V_OK;
        } else if (text && json_dumpb(reg, text, n, JSON_COMPACT | JSON_PRESERVE_ORDER) == n &&
                   registration_from_json(text, n, &ex->s.reg) == KIOSK_OK) {
            *rc = write_row(ex, rec, receipt_no, version, sha256, json_integer_value(created));
            v = V_OK;
        }
        if (text) {
            sodium_memzero(text, n);
            free(text);
        }
    }
    json_decref(root);
    return v;
}

static kiosk_rc export_one(void *ctx, const hub_db_record *rec)
{
    if (((exporter *)ctx)->keep &&
        !((exporter *)ctx)->keep(((exporter *)ctx)->keep_ctx, rec->device))
        return KIOSK_OK;
    exporter *ex = ctx;
    kiosk_rc rc = KIOSK_OK;
    verdict v = V_OPEN;
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    if (rec->sealed_len >= crypto_box_SEALBYTES + 64) {
        plain_len = rec->sealed_len - crypto_box_SEALBYTES;
        plain = malloc(plain_len);
        if (!plain)
            return KIOSK_NOMEM;
        if (crypto_box_seal_open(plain, rec->sealed, rec->sealed_len, ex->pk, ex->sk) != 0)
            v = V_OPEN;
        else if (crypto_sign_verify_detached(plain, plain + 64, plain_len - 64, rec->device) != 0)
            v = V_SIGNATURE;
        else
            v = check_and_write(ex, rec, (const char *)plain + 64, plain_len - 64, &rc);
    }
    if (plain) {
        sodium_memzero(plain, plain_len);
        free(plain);
    }
    registration_wipe(&ex->s.reg);
    sodium_memzero(&ex->s, sizeof ex->s);
    if (rc != KIOSK_OK)
        return rc;
    static const char *const why[] = {"", "it does not open with this key",
                                      "its signature does not verify",
                                      "its device, uuid or seq differ from the stored record",
                                      "its content is not a schema-1 record of a known type"};
    switch (v) {
    case V_OK:
        ex->stats.exported++;
        return KIOSK_OK;
    case V_OPEN:
        ex->stats.failed_open++;
        break;
    case V_SIGNATURE:
        ex->stats.failed_signature++;
        break;
    case V_IDENTITY:
        ex->stats.failed_identity++;
        break;
    case V_CONTENT:
        ex->stats.failed_content++;
        break;
    }
    ex->stats.failed++;
    kiosk_log_warn("hub_export", "record %s not exported: %s", rec->uuid, why[v]);
    return KIOSK_OK;
}

/* ---- the export ------------------------------------------------------------------- */

static void wiping_free(void *p)
{
    if (p) {
        sodium_memzero(p, malloc_usable_size(p));
        free(p);
    }
}

kiosk_rc hub_export_csv(hub_db *db, const uint8_t upstream_pk[32], const uint8_t upstream_sk[32],
                        const codes_tables *codes, const divisions *divs, FILE *out,
                        hub_export_stats *stats)
{
    return hub_export_csv_devices(db, upstream_pk, upstream_sk, codes, divs, NULL, NULL, out,
                                  stats);
}

kiosk_rc hub_export_csv_devices(hub_db *db, const uint8_t upstream_pk[32],
                                const uint8_t upstream_sk[32], const codes_tables *codes,
                                const divisions *divs, hub_export_keep_fn keep, void *keep_ctx,
                                FILE *out, hub_export_stats *stats)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!db || !upstream_pk || !upstream_sk || !codes || !divs || !out)
        return KIOSK_INVALID;
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    json_set_alloc_funcs(malloc, wiping_free);
    exporter *ex = calloc(1, sizeof *ex);
    if (!ex)
        return KIOSK_NOMEM;
    ex->pk = upstream_pk;
    ex->sk = upstream_sk;
    ex->codes = codes;
    ex->divs = divs;
    ex->out = out;
    ex->keep = keep;
    ex->keep_ctx = keep_ctx;

    kiosk_rc rc = fputs("\xEF\xBB\xBF", out) == EOF ? KIOSK_IO : KIOSK_OK;
    row r = {out, 0, rc};
    char title[160];
    for (size_t i = 0; i < HEAD; i++)
        cell(&r, head[i]);
    cell(&r, TYPE_TITLE);
    for (int f = 0; f < REGISTRATION_FIELD_COUNT; f++) {
        const registration_field_info *fi = registration_field_get((registration_field)f);
        snprintf(title, sizeof title, "%s%s(%s)", fi->title, named(fi) ? "代码" : "", fi->key);
        cell(&r, title);
        if (named(fi)) {
            snprintf(title, sizeof title, "%s(%s_name)", fi->title, fi->key);
            cell(&r, title);
        }
    }
    cell(&r, FROM_CARD_TITLE);
    rc = end_row(&r);
    if (rc == KIOSK_OK)
        rc = hub_db_foreach_record(db, export_one, ex);
    if (rc == KIOSK_OK && (fflush(out) != 0 || ferror(out)))
        rc = KIOSK_IO;
    if (stats)
        *stats = ex->stats;
    kiosk_log_info("hub_export", "exported %zu records, %zu not exported", ex->stats.exported,
                   ex->stats.failed);
    sodium_memzero(ex, sizeof *ex);
    free(ex);
    return rc;
}
