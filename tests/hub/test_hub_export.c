/* Tests of the CSV export: records sealed by the real store (store_save, as a kiosk
 * does), sent to the hub database, then opened with the upstream key and written as
 * exact bytes (BOM, header, CRLF, code and division names, RFC 4180 quoting, the
 * spreadsheet-injection prefix). Records that do not open, carry a bad signature, claim
 * another identity or hold no registration are counted and never exported; the log
 * names them by UUID only. */
#define _GNU_SOURCE /* memmem, open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#ifdef KIOSK_HUB_POSTGRESQL
#include <libpq-fe.h>
#endif
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/kiosk_log.h"
#include "domain/registration.h"
#include "pg_server.h"
#include "hub/hub_export.h"
#include "store/store.h"

#define T0 (1795363199000LL - 3600000) /* 2026-11-22T22:59:59+08:00 */

static char dir[512], hub_path[600], store_path[600];
static uint8_t up_pk[32], up_sk[32], commit_hash[32];
static store_device_key key;
static codes_tables *codes;
static divisions *divs;
static kiosk_clock_manual clk;
static hub_db *db;
static store *st;

/* The log, as the sinks see it. */
static char log_text[8192];

static void capture(void *ctx, kiosk_log_level level, const char *module, const char *msg)
{
    (void)ctx;
    (void)level;
    size_t n = strlen(log_text);
    snprintf(log_text + n, sizeof log_text - n, "%s: %s\n", module, msg);
}

static int shell_rm(int recreate)
{
    char cmd[1400];
    if (recreate)
        snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    else
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* NULL: the group on SQLite; else the one on a database of this private server */
static pg_server *pg;

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/hub-export-%d", KIOSK_TEST_TMP, (int)getpid());
    if (shell_rm(1) != 0)
        return -1;
    if (pg) {
        if (pg_server_fresh_db(pg, "hub_export", hub_path, sizeof hub_path) != 0)
            return -1;
    } else {
        snprintf(hub_path, sizeof hub_path, "%s/hub.db", dir);
    }
    snprintf(store_path, sizeof store_path, "%s/kiosk.db", dir);
    crypto_box_keypair(up_pk, up_sk);
    crypto_hash_sha256(commit_hash, (const uint8_t *)"承诺文本 v1", strlen("承诺文本 v1"));
    kiosk_clock_manual_init(&clk, T0);
    if (codes_load(KIOSK_TEST_ASSETS "/codes", &codes) != KIOSK_OK ||
        divisions_load(KIOSK_TEST_ASSETS "/divisions/divisions.txt", &divs) != KIOSK_OK ||
        store_device_key_load(dir, &key) != KIOSK_OK ||
        store_open(store_path, "DEMO01", &key, &clk.clock, &st) != KIOSK_OK ||
        store_set_upstream_key(st, up_pk) != KIOSK_OK || hub_db_open(hub_path, &db) != KIOSK_OK ||
        hub_db_device_add(db, key.public_key, "kiosk-01", 1) != KIOSK_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hub_db_close(db);
    store_close(st);
    codes_destroy(codes);
    divisions_destroy(divs);
    sodium_memzero(&key, sizeof key);
    return shell_rm(0) == 0 ? 0 : -1;
}

static void set(registration *r, registration_field f, const char *v)
{
    assert_int_equal(registration_set_text(r, f, v), KIOSK_OK);
}

/* A complete record of a made-up person (synthetic ID number), with text that needs
 * quoting and text that a spreadsheet would take for a formula. */
static void full_record(registration *r)
{
    registration_init(r);
    set(r, REGISTRATION_NAME, "李四");
    set(r, REGISTRATION_SEX, "1");
    set(r, REGISTRATION_ETHNICITY, "01");
    set(r, REGISTRATION_POLITICAL, "13");
    set(r, REGISTRATION_EDUCATION, "21");
    set(r, REGISTRATION_HEALTH, "10");
    assert_int_equal(registration_set_birth_date(r, (kiosk_date){1990, 3, 7}), KIOSK_OK);
    assert_int_equal(registration_set_unemployed_since(r, 2025, 12), KIOSK_OK);
    set(r, REGISTRATION_DOCUMENT_TYPE, "01");
    set(r, REGISTRATION_DOCUMENT_NUMBER, "370102199003071238");
    set(r, REGISTRATION_HOUSEHOLD_DIVISION, "370102001");
    set(r, REGISTRATION_HOUSEHOLD_DETAIL, "泉城路100号");
    set(r, REGISTRATION_RESIDENCE_DIVISION, "110105004");
    set(r, REGISTRATION_RESIDENCE_DETAIL, "三里屯路1号院2单元301室");
    set(r, REGISTRATION_QUALIFICATION_1, "电工,高级");
    set(r, REGISTRATION_QUALIFICATION_1_LEVEL, "=1+1");
    set(r, REGISTRATION_QUALIFICATION_2, "叉车司机");
    set(r, REGISTRATION_MOBILE, "13800138000");
    set(r, REGISTRATION_LANDLINE, "0531-88886666");
    set(r, REGISTRATION_EMAIL, "@li.si");
    set(r, REGISTRATION_OTHER_CONTACT, "=HYPERLINK(\"http://x\")");
    set(r, REGISTRATION_PLACE, "2");
    set(r, REGISTRATION_REASON, "02");
    assert_int_equal(registration_set_claims_insurance(r, REGISTRATION_YES), KIOSK_OK);
    set(r, REGISTRATION_JOB_INTENTION_1, "+电工");
    set(r, REGISTRATION_JOB_INTENTION_2, "-仓库管理");
    set(r, REGISTRATION_REMARKS, "希望在历下区就业\n不上\"夜班\"");
    assert_int_equal(registration_set_services(r, (const char *[]){"4", "1", "2"}, 3), KIOSK_OK);
    static const registration_field card[] = {
        REGISTRATION_NAME, REGISTRATION_SEX, REGISTRATION_DOCUMENT_NUMBER, REGISTRATION_BIRTH_DATE};
    for (size_t i = 0; i < sizeof card / sizeof card[0]; i++)
        assert_int_equal(registration_lock(r, card[i]), KIOSK_OK);
}

/* Save through the store exactly as the kiosk does, and send it to the hub. */
static void save_and_send(const registration *r, store_saved *sv)
{
    char *json;
    assert_int_equal(registration_to_json(r, &json, NULL), KIOSK_OK);
    store_submission sub = {
        .registration_json = json,
        .evidence_json = "{\"strokes\":[[[10,20,0],[12,24,16]]]}",
        .commitment_version = "2026.1",
        .commitment_sha256 = commit_hash,
        .masked_name = "李*",
        .masked_id = "3701**********1238",
    };
    assert_int_equal(store_save(st, &sub, sv), KIOSK_OK);
    free(json);
    sync_record rec;
    memset(&rec, 0, sizeof rec);
    memcpy(rec.uuid, sv->uuid, sizeof rec.uuid);
    rec.seq = sv->seq;
    assert_int_equal(store_sealed(st, sv->uuid, &rec.sealed, &rec.sealed_len), KIOSK_OK);
    sync_record_sign(&rec, key.secret_key);
    sync_result res;
    assert_int_equal(hub_db_ingest(db, key.public_key, &rec, 1, "http", T0, &res), KIOSK_OK);
    assert_int_equal(res.status, SYNC_ACCEPTED);
    free(rec.sealed);
}

/* A record built by hand: envelope text env, its signature by sign_sk, sealed to the
 * upstream key, stored under row_uuid and row_seq. */
static void send_hand_built(const char *env, const uint8_t sign_sk[64], const char *row_uuid,
                            int64_t row_seq)
{
    size_t env_len = strlen(env), plain_len = 64 + env_len;
    uint8_t *plain = malloc(plain_len);
    assert_non_null(plain);
    crypto_sign_detached(plain, NULL, (const uint8_t *)env, env_len, sign_sk);
    memcpy(plain + 64, env, env_len);
    sync_record rec;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.uuid, sizeof rec.uuid, "%s", row_uuid);
    rec.seq = row_seq;
    rec.sealed_len = plain_len + crypto_box_SEALBYTES;
    rec.sealed = malloc(rec.sealed_len);
    assert_int_equal(crypto_box_seal(rec.sealed, plain, plain_len, up_pk), 0);
    sync_record_sign(&rec, key.secret_key);
    sync_result res;
    assert_int_equal(hub_db_ingest(db, key.public_key, &rec, 1, "bundle", T0, &res), KIOSK_OK);
    assert_int_equal(res.status, SYNC_ACCEPTED);
    free(plain);
    free(rec.sealed);
}

static char *envelope(const char *uuid, const char *device_hex, int64_t seq, const char *reg)
{
    static char buf[8192];
    snprintf(buf, sizeof buf,
             "{\"schema\":1,\"uuid\":\"%s\",\"device\":\"%s\",\"seq\":%lld,"
             "\"receipt_no\":\"DEMO01-20261122-0099\",\"created_ms\":%lld,"
             "\"commitment\":{\"version\":\"2026.1\",\"sha256\":\"00\"},"
             "\"registration\":%s,\"evidence\":{}}",
             uuid, device_hex, (long long)seq, (long long)T0, reg);
    return buf;
}

static char *export_all(hub_export_stats *stats, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    assert_int_equal(hub_export_csv(db, up_pk, up_sk, codes, divs, f, stats), KIOSK_OK);
    fclose(f);
    return buf;
}

static const char header[] =
    "\xEF\xBB\xBF"
    "回执编号(receipt_no),记录编号(uuid),设备(device),序号(seq),登记时间(created),"
    "承诺书版本(commitment_version),承诺书摘要(commitment_sha256),记录类型(type),姓名(name),"
    "性别代码(sex),"
    "性别(sex_name),民族代码(ethnicity),民族(ethnicity_name),政治面貌代码(political),"
    "政治面貌(political_name),学历代码(education),学历(education_name),健康状况代码(health),"
    "健康状况(health_name),残疾等级代码(disability_grade),残疾等级(disability_grade_name),"
    "出生日期(birth_date),失业时间(unemployed_since),证件类型代码(document_type),"
    "证件类型(document_type_name),证件号码(document_number),"
    "户籍地区划代码(household_division),户籍地区划(household_division_name),"
    "户籍地详细地址(household_detail),常住地区划代码(residence_division),"
    "常住地区划(residence_division_name),常住地详细地址(residence_detail),"
    "职业资格1(qualification_1),职业资格1等级(qualification_1_level),"
    "职业资格2(qualification_2),职业资格2等级(qualification_2_level),"
    "职业资格3(qualification_3),职业资格3等级(qualification_3_level),手机(mobile),"
    "固定电话(landline),电子邮件(email),其他联系方式(other_contact),"
    "登记失业地代码(registration_place),登记失业地(registration_place_name),"
    "失业原因代码(reason),失业原因(reason_name),其他失业原因(reason_other),"
    "是否申领失业保险金(claims_insurance),求职意向1(job_intention_1),"
    "求职意向2(job_intention_2),其他需要说明的事项(remarks),服务需求代码(services),"
    "服务需求(services_name),注销情形代码(situation),注销情形(situation_name),"
    "情形发生日期(situation_date),单位或经营名称(situation_detail),意向岗位代码(job_categories),"
    "意向岗位(job_categories_name),意向工作地区代码(job_area),意向工作地区(job_area_name),"
    "期望月薪代码(expected_wage),期望月薪(expected_wage_name),可到岗日期(available_from),"
    "读卡字段(from_card)\r\n";

static void test_cells(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"plain 文字", "plain 文字"},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\rlf", "\"cr\rlf\""},
        {"=SUM(A1)", "'=SUM(A1)"},
        {"+1", "'+1"},
        {"-1", "'-1"},
        {"@cmd", "'@cmd"},
        {"\tx", "'\tx"},
        {"\rx", "\"'\rx\""},
        {"=a,b", "\"'=a,b\""},
        {"1-2", "1-2"},
        {"'quoted", "'quoted"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_int_equal(hub_export_cell(f, cases[i].in), KIOSK_OK);
        fclose(f);
        assert_string_equal(buf, cases[i].out);
        free(buf);
    }
}

static void test_export(void **state)
{
    (void)state;
    kiosk_log_set_sink(capture, NULL);
    registration r;
    store_saved sv1, sv2, sv3;
    full_record(&r);
    save_and_send(&r, &sv1);
    registration_init(&r);
    set(&r, REGISTRATION_NAME, "王五");
    save_and_send(&r, &sv2);
    save_and_send(&r, &sv3);
    char *reg_json;
    assert_int_equal(registration_to_json(&r, &reg_json, NULL), KIOSK_OK);
    registration_wipe(&r);

    /* record 3: its sealed bytes damaged in the hub's database */
    uint8_t *sealed;
    size_t sealed_len;
    assert_int_equal(store_sealed(st, sv3.uuid, &sealed, &sealed_len), KIOSK_OK);
    sealed[sealed_len / 2] ^= 0x01;
#ifdef KIOSK_HUB_POSTGRESQL
    if (pg) {
        PGconn *c = PQconnectdb(hub_path);
        const char *vals[2] = {(const char *)sealed, sv3.uuid};
        int lens[2] = {(int)sealed_len, 0}, fmts[2] = {1, 0};
        PGresult *res = PQexecParams(c, "UPDATE records SET sealed = $1 WHERE uuid = $2", 2, NULL,
                                     vals, lens, fmts, 0);
        assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
        assert_string_equal(PQcmdTuples(res), "1");
        PQclear(res);
        PQfinish(c);
    } else
#endif
    {
        sqlite3 *raw;
        assert_int_equal(sqlite3_open(hub_path, &raw), SQLITE_OK);
        sqlite3_stmt *upd;
        assert_int_equal(
            sqlite3_prepare_v2(raw, "UPDATE records SET sealed = ? WHERE uuid = ?", -1, &upd, NULL),
            SQLITE_OK);
        sqlite3_bind_blob(upd, 1, sealed, (int)sealed_len, SQLITE_STATIC);
        sqlite3_bind_text(upd, 2, sv3.uuid, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(upd), SQLITE_DONE);
        assert_int_equal(sqlite3_changes(raw), 1);
        sqlite3_finalize(upd);
        sqlite3_close(raw);
    }
    free(sealed);

    /* hand-built records: signed by another key; claiming another uuid, seq or device;
     * a registration of an unknown schema */
    char dev_hex[65];
    sync_hex_format(key.public_key, 32, dev_hex);
    uint8_t opk[32], osk[64];
    crypto_sign_keypair(opk, osk);
    char ohex[65];
    sync_hex_format(opk, 32, ohex);
    const char *u10 = "0a0a0a0a-0000-4000-8000-00000000000a";
    const char *u11 = "0b0b0b0b-0000-4000-8000-00000000000b";
    const char *u12 = "0c0c0c0c-0000-4000-8000-00000000000c";
    const char *u13 = "0d0d0d0d-0000-4000-8000-00000000000d";
    const char *u14 = "0e0e0e0e-0000-4000-8000-00000000000e";
    const char *u15 = "0f0f0f0f-0000-4000-8000-00000000000f";
    send_hand_built(envelope(u10, dev_hex, 10, reg_json), osk, u10, 10);
    send_hand_built(envelope(u10, dev_hex, 11, reg_json), key.secret_key, u11, 11);
    send_hand_built(envelope(u12, dev_hex, 99, reg_json), key.secret_key, u12, 12);
    send_hand_built(envelope(u13, ohex, 13, reg_json), key.secret_key, u13, 13);
    send_hand_built(envelope(u14, dev_hex, 14, "{\"schema\":2}"), key.secret_key, u14, 14);
    /* and a good hand-built one, to show the checks are not simply refusing all */
    send_hand_built(envelope(u15, dev_hex, 15, reg_json), key.secret_key, u15, 15);
    free(reg_json);

    hub_export_stats stats;
    size_t len;
    log_text[0] = '\0';
    char *csv = export_all(&stats, &len);
    kiosk_log_set_sink(NULL, NULL);
    assert_int_equal(stats.exported, 3);
    assert_int_equal(stats.failed, 6);
    assert_int_equal(stats.failed_open, 1);
    assert_int_equal(stats.failed_signature, 1);
    assert_int_equal(stats.failed_identity, 3);
    assert_int_equal(stats.failed_content, 1);

    /* every failure is named by its uuid, and nothing personal is logged */
    const char *failed[] = {sv3.uuid, u10, u11, u12, u13, u14};
    for (size_t i = 0; i < 6; i++)
        assert_non_null(strstr(log_text, failed[i]));
    assert_null(strstr(log_text, "王五"));
    assert_null(strstr(log_text, "李四"));

    char commit_hex[65];
    sync_hex_format(commit_hash, 32, commit_hex);
    char row1[4096], row2[2048], row15[2048];
    snprintf(row1, sizeof row1,
             "DEMO01-20261122-0001,%s,%s,1,2026-11-22T22:59:59+08:00,2026.1,%s,"
             "registration,李四,1,男性,01,汉族,13,群众,21,大学本科毕业,10,健康或良好,,,"
             "1990-03-07,2025-12,01,居民身份证,370102199003071238,"
             "370102001,山东省济南市历下区解放路街道,泉城路100号,"
             "110105004,北京市朝阳区三里屯街道,三里屯路1号院2单元301室,"
             "\"电工,高级\",'=1+1,叉车司机,,,,13800138000,0531-88886666,'@li.si,"
             "\"'=HYPERLINK(\"\"http://x\"\")\",2,常住地,02,被各类企业解除或终止劳动关系,,"
             "yes,'+电工,'-仓库管理,\"希望在历下区就业\n不上\"\"夜班\"\"\","
             "1;2;4,找工作；参加职业培训；申领失业保险金,,,,,,,,,,,,name;sex;birth_date;document_"
             "number\r\n",
             sv1.uuid, dev_hex, commit_hex);
    char empty[64] = ""; /* the 56 cells after the name */
    for (int i = 0; i < 56; i++)
        strcat(empty, ",");
    snprintf(row2, sizeof row2,
             "DEMO01-20261122-0002,%s,%s,2,2026-11-22T22:59:59+08:00,2026.1,%s,registration,"
             "王五%s\r\n",
             sv2.uuid, dev_hex, commit_hex, empty);
    snprintf(row15, sizeof row15,
             "DEMO01-20261122-0099,%s,%s,15,2026-11-22T22:59:59+08:00,2026.1,00,registration,"
             "王五%s\r\n",
             u15, dev_hex, empty);
    size_t hl = strlen(header), l1 = strlen(row1), l2 = strlen(row2), l15 = strlen(row15);
    if (len != hl + l1 + l2 + l15)
        fprintf(stderr, "got:\n%s\n", csv);
    assert_int_equal(len, hl + l1 + l2 + l15);
    assert_memory_equal(csv, header, hl);
    assert_memory_equal(csv + hl, row1, l1);
    assert_memory_equal(csv + hl + l1, row2, l2);
    assert_memory_equal(csv + hl + l1 + l2, row15, l15);
    free(csv);

    /* the hub's database never held the plaintext */
    if (pg) {
        /* every row of every table, as pg_dump writes it (the stored uuids in it, the
         * phone number not) */
        char cmd[1400], dump[700];
        snprintf(dump, sizeof dump, "%s/dump.sql", dir);
        snprintf(cmd, sizeof cmd, "'%s/pg_dump' -a '%s' > '%s'", pg_server_bindir(), hub_path,
                 dump);
        assert_int_equal(system(cmd), 0);
        FILE *f = fopen(dump, "rb");
        assert_non_null(f);
        static char dumped[1 << 20];
        size_t n = fread(dumped, 1, sizeof dumped, f);
        fclose(f);
        assert_non_null(memmem(dumped, n, sv1.uuid, strlen(sv1.uuid)));
        assert_null(memmem(dumped, n, "13800138000", 11));
        assert_null(memmem(dumped, n, "3133383030313338303030", 22)); /* in a bytea's hex */
    } else {
        FILE *f = fopen(hub_path, "rb");
        assert_non_null(f);
        static char dbbytes[1 << 20];
        size_t n = fread(dbbytes, 1, sizeof dbbytes, f);
        fclose(f);
        assert_null(memmem(dbbytes, n, "13800138000", 11));
    }

    /* the wrong upstream key opens nothing */
    uint8_t wpk[32], wsk[32];
    crypto_box_keypair(wpk, wsk);
    char *buf = NULL;
    FILE *out = open_memstream(&buf, &len);
    assert_int_equal(hub_export_csv(db, wpk, wsk, codes, divs, out, &stats), KIOSK_OK);
    fclose(out);
    assert_int_equal(stats.exported, 0);
    assert_int_equal(stats.failed_open, 9);
    assert_int_equal(len, hl);
    free(buf);
}

/* The other record types go through the same store, hub and CSV: one file, the type in
 * its column, each type's cells filled and the others' left empty. */
static void test_export_types(void **state)
{
    (void)state;
    registration r;
    store_saved sv;
    registration_init(&r);
    assert_int_equal(registration_set_type(&r, REGISTRATION_TYPE_DEREGISTRATION), KIOSK_OK);
    set(&r, REGISTRATION_NAME, "赵六");
    set(&r, REGISTRATION_SITUATION, "03");
    assert_int_equal(
        registration_set_date(&r, REGISTRATION_SITUATION_DATE, (kiosk_date){2026, 11, 2}),
        KIOSK_OK);
    set(&r, REGISTRATION_SITUATION_DETAIL, "赵记面馆");
    save_and_send(&r, &sv);
    char dereg_uuid[64];
    snprintf(dereg_uuid, sizeof dereg_uuid, "%s", sv.uuid);

    registration_init(&r);
    assert_int_equal(registration_set_type(&r, REGISTRATION_TYPE_JOBSEEKER), KIOSK_OK);
    set(&r, REGISTRATION_NAME, "钱七");
    assert_int_equal(registration_add_choice(&r, REGISTRATION_JOB_CATEGORIES, "06"), KIOSK_OK);
    assert_int_equal(registration_add_choice(&r, REGISTRATION_JOB_CATEGORIES, "01"), KIOSK_OK);
    set(&r, REGISTRATION_JOB_AREA, "370102");
    set(&r, REGISTRATION_EXPECTED_WAGE, "3");
    assert_int_equal(
        registration_set_date(&r, REGISTRATION_AVAILABLE_FROM, (kiosk_date){2026, 12, 1}),
        KIOSK_OK);
    set(&r, REGISTRATION_MOBILE, "13900139000");
    save_and_send(&r, &sv);
    registration_wipe(&r);

    hub_export_stats stats;
    size_t len;
    char *csv = export_all(&stats, &len);
    assert_int_equal(stats.exported, 5);
    char *row = strstr(csv, dereg_uuid);
    assert_non_null(row);
    assert_non_null(strstr(row, ",deregistration,赵六,"));
    assert_non_null(strstr(row, ",03,个体经营,2026-11-02,赵记面馆,,,,,,,,\r\n"));
    row = strstr(csv, sv.uuid);
    assert_non_null(row);
    assert_non_null(strstr(row, ",jobseeker,钱七,"));
    assert_non_null(strstr(row, ",13900139000,"));
    assert_non_null(strstr(row, ",,,,,01;06,生产制造；家政和养老护理,370102,山东省济南市历下区,3,"
                                "5000至7999元,2026-12-01,\r\n"));
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cells),
        cmocka_unit_test(test_export),
        cmocka_unit_test(test_export_types),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, setup, teardown);
    /* the same export from the PostgreSQL backend */
    int started = pg_server_start(0, &pg);
    if (started == 1)
        return failed; /* said why: PostgreSQL is not installed */
    if (started != 0)
        return failed + 1;
    failed += cmocka_run_group_tests_name("postgresql", tests, setup, teardown);
    pg_server_stop(pg);
    return failed;
}
