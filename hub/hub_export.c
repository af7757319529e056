/*
 * Opening and exporting records. Each record is opened (crypto_box_seal_open), its
 * envelope signature checked against the device key it was stored under, its identity
 * (device, uuid, seq) compared with the stored row, and its registration parsed by the
 * domain's strict canonical parser. Only then is a row written. Working copies of
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

static const char *const header[] = {
    "回执编号(receipt_no)",
    "记录编号(uuid)",
    "设备(device)",
    "序号(seq)",
    "登记时间(created)",
    "承诺书版本(commitment_version)",
    "承诺书摘要(commitment_sha256)",
    "姓名(name)",
    "性别代码(sex)",
    "性别(sex_name)",
    "民族代码(ethnicity)",
    "民族(ethnicity_name)",
    "政治面貌代码(political)",
    "政治面貌(political_name)",
    "学历代码(education)",
    "学历(education_name)",
    "健康状况代码(health)",
    "健康状况(health_name)",
    "残疾等级代码(disability_grade)",
    "残疾等级(disability_grade_name)",
    "出生日期(birth_date)",
    "失业时间(unemployed_since)",
    "证件类型代码(document_type)",
    "证件类型(document_type_name)",
    "证件号码(document_number)",
    "户籍地区划代码(household_division)",
    "户籍地区划(household_division_name)",
    "户籍地详细地址(household_detail)",
    "常住地区划代码(residence_division)",
    "常住地区划(residence_division_name)",
    "常住地详细地址(residence_detail)",
    "职业资格1(qualification_1)",
    "职业资格1等级(qualification_1_level)",
    "职业资格2(qualification_2)",
    "职业资格2等级(qualification_2_level)",
    "职业资格3(qualification_3)",
    "职业资格3等级(qualification_3_level)",
    "手机(mobile)",
    "固定电话(landline)",
    "电子邮件(email)",
    "其他联系方式(other_contact)",
    "登记失业地代码(registration_place)",
    "登记失业地(registration_place_name)",
    "失业原因代码(reason)",
    "失业原因(reason_name)",
    "其他失业原因(reason_other)",
    "是否申领失业保险金(claims_insurance)",
    "求职意向1(job_intention_1)",
    "求职意向2(job_intention_2)",
    "其他需要说明的事项(remarks)",
    "服务需求代码(services)",
    "服务需求(services_name)",
    "读卡字段(from_card)",
};
#define COLUMNS (sizeof header / sizeof header[0])

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
    if (r->rc == KIOSK_OK && r->cells != COLUMNS) {
        kiosk_log_error("hub_export", "row of %zu cells, header of %zu", r->cells, (size_t)COLUMNS);
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
    char date[16];
    char month[16];
    char household[DIVISIONS_PATH_MAX];
    char residence[DIVISIONS_PATH_MAX];
    char services[REGISTRATION_SERVICES_MAX * (REGISTRATION_CODE_CAP + 1) + 1];
    char service_names[1024];
    char from_card[REGISTRATION_FIELD_COUNT * 24];
} scratch;

typedef struct exporter {
    const uint8_t *pk, *sk;
    const codes_tables *codes;
    const divisions *divs;
    FILE *out;
    hub_export_stats stats;
    scratch s;
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
    s->date[0] = s->month[0] = '\0';
    if (g->birth_date.year)
        snprintf(s->date, sizeof s->date, "%04d-%02d-%02d", g->birth_date.year, g->birth_date.month,
                 g->birth_date.day);
    if (g->unemployed_since.year)
        snprintf(s->month, sizeof s->month, "%04d-%02d", g->unemployed_since.year,
                 g->unemployed_since.month);
    division_path(ex, g->household.division, s->household, sizeof s->household);
    division_path(ex, g->residence.division, s->residence, sizeof s->residence);
    s->services[0] = s->service_names[0] = s->from_card[0] = '\0';
    for (size_t i = 0; i < g->service_count && i < REGISTRATION_SERVICES_MAX; i++) {
        join(s->services, sizeof s->services, g->services[i], ";");
        join(s->service_names, sizeof s->service_names,
             code_name(ex, CODES_SERVICE, g->services[i]), "；");
    }
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
    cell(&r, g->name);
    cell(&r, g->sex);
    cell(&r, code_name(ex, CODES_SEX, g->sex));
    cell(&r, g->ethnicity);
    cell(&r, code_name(ex, CODES_ETHNICITY, g->ethnicity));
    cell(&r, g->political);
    cell(&r, code_name(ex, CODES_POLITICAL, g->political));
    cell(&r, g->education);
    cell(&r, code_name(ex, CODES_EDUCATION, g->education));
    cell(&r, g->health);
    cell(&r, code_name(ex, CODES_HEALTH, g->health));
    cell(&r, g->disability_grade);
    cell(&r, code_name(ex, CODES_DISABILITY_GRADE, g->disability_grade));
    cell(&r, s->date);
    cell(&r, s->month);
    cell(&r, g->document_type);
    cell(&r, code_name(ex, CODES_DOCUMENT_TYPE, g->document_type));
    cell(&r, g->document_number);
    cell(&r, g->household.division);
    cell(&r, s->household);
    cell(&r, g->household.detail);
    cell(&r, g->residence.division);
    cell(&r, s->residence);
    cell(&r, g->residence.detail);
    for (int i = 0; i < REGISTRATION_QUALIFICATIONS; i++) {
        cell(&r, g->qualifications[i].name);
        cell(&r, g->qualifications[i].level);
    }
    cell(&r, g->mobile);
    cell(&r, g->landline);
    cell(&r, g->email);
    cell(&r, g->other_contact);
    cell(&r, g->registration_place);
    cell(&r, code_name(ex, CODES_REGISTRATION_PLACE, g->registration_place));
    cell(&r, g->reason);
    cell(&r, code_name(ex, CODES_UNEMPLOYMENT_REASON, g->reason));
    cell(&r, g->reason_other);
    cell(&r, g->claims_insurance == REGISTRATION_YES  ? "yes"
             : g->claims_insurance == REGISTRATION_NO ? "no"
                                                      : "");
    cell(&r, g->job_intention[0]);
    cell(&r, g->job_intention[1]);
    cell(&r, g->remarks);
    cell(&r, s->services);
    cell(&r, s->service_names);
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
                                      "its content is not a schema-1 registration"};
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

    kiosk_rc rc = fputs("\xEF\xBB\xBF", out) == EOF ? KIOSK_IO : KIOSK_OK;
    row r = {out, 0, rc};
    for (size_t i = 0; i < COLUMNS; i++)
        cell(&r, header[i]);
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
