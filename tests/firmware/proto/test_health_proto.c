/* Tests of the health report (health_proto): its exact bytes, a round trip with and
 * without the update, the decoder's refusals (every non-canonical form, out-of-range
 * values, unknown names and keys), and the updater's status file read defensively. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/health_proto.h"

static const char exact[] =
    "{\"v\":1,\"seq\":3,\"at_ms\":1764900000000,\"version\":\"0.9.0\",\"uptime_s\":900,"
    "\"reader\":\"ok\",\"printer\":\"paper_out\",\"disk_free_bytes\":1073741824,"
    "\"disk_free_pct\":42,\"battery_pct\":-1,\"power\":\"mains\",\"backlog\":12,\"sessions\":4,"
    "\"median_taps\":37,\"help_requests\":1,\"epoch\":\"00112233445566778899aabbccddeeff\"}";

static health_report sample(void)
{
    health_report r = {.seq = 3,
                       .at_ms = 1764900000000,
                       .version = "0.9.0",
                       .uptime_s = 900,
                       .reader = HEALTH_READER_OK,
                       .printer = HEALTH_PRINTER_PAPER_OUT,
                       .disk_free_bytes = 1073741824,
                       .disk_free_pct = 42,
                       .battery_pct = -1,
                       .power = HEALTH_POWER_MAINS,
                       .backlog = 12,
                       .sessions = 4,
                       .median_taps = 37,
                       .help_requests = 1};
    for (int i = 0; i < 16; i++)
        r.epoch[i] = (uint8_t)(i * 0x11);
    return r;
}

static void test_exact_bytes_and_round_trip(void **state)
{
    (void)state;
    health_report r = sample(), back;
    char *body = NULL;
    size_t len = 0;
    assert_int_equal(health_report_encode(&r, &body, &len), KIOSK_OK);
    assert_string_equal(body, exact);
    assert_int_equal(len, strlen(exact));
    assert_int_equal(health_report_decode(body, len, &back), KIOSK_OK);
    assert_memory_equal(&r, &back, sizeof r);
    free(body);

    r.has_update = 1;
    r.update = (health_update){.version = "1.0.1+deb12~1",
                               .result = HEALTH_UPDATE_FALLBACK,
                               .at_ms = 5,
                               .detail = "not_healthy"};
    assert_int_equal(health_report_encode(&r, &body, &len), KIOSK_OK);
    assert_non_null(strstr(body, ",\"update\":{\"version\":\"1.0.1+deb12~1\",\"result\":"
                                 "\"fallback\",\"at_ms\":5,\"detail\":\"not_healthy\"}}"));
    assert_int_equal(health_report_decode(body, len, &back), KIOSK_OK);
    assert_memory_equal(&r, &back, sizeof r);
    free(body);
}

/* exact with the first occurrence of from replaced by to */
static int decode_with(const char *from, const char *to)
{
    char buf[1024];
    const char *p = strstr(exact, from);
    assert_non_null(p);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - exact), exact, to, p + strlen(from));
    health_report r;
    memset(&r, 0x55, sizeof r);
    kiosk_rc rc = health_report_decode(buf, strlen(buf), &r);
    if (rc != KIOSK_OK) {
        health_report zero;
        memset(&zero, 0, sizeof zero);
        assert_memory_equal(&r, &zero, sizeof r); /* nothing half-filled */
    }
    return rc;
}

static void test_refusals(void **state)
{
    (void)state;
    health_report r;
    assert_int_equal(decode_with("\"seq\":3", "\"seq\":3"), KIOSK_OK);
    assert_int_equal(decode_with("{\"v\":1", "{\"v\":2"), KIOSK_INVALID);
    assert_int_equal(decode_with("\"seq\":3", "\"seq\":0"), KIOSK_INVALID);
    assert_int_equal(decode_with("\"seq\":3", "\"seq\": 3"), KIOSK_INVALID);  /* spacing */
    assert_int_equal(decode_with("\"seq\":3", "\"seq\":3.0"), KIOSK_INVALID); /* a real */
    assert_int_equal(decode_with("\"reader\":\"ok\"", "\"reader\":\"fine\""), KIOSK_INVALID);
    assert_int_equal(decode_with("\"printer\":\"paper_out\"", "\"printer\":\"paper\""),
                     KIOSK_INVALID);
    assert_int_equal(decode_with("\"power\":\"mains\"", "\"power\":\"solar\""), KIOSK_INVALID);
    assert_int_equal(decode_with("\"disk_free_pct\":42", "\"disk_free_pct\":101"), KIOSK_INVALID);
    assert_int_equal(decode_with("\"battery_pct\":-1", "\"battery_pct\":-2"), KIOSK_INVALID);
    assert_int_equal(decode_with("\"backlog\":12", "\"backlog\":-1"), KIOSK_INVALID);
    assert_int_equal(decode_with("\"version\":\"0.9.0\"", "\"version\":\"\""), KIOSK_INVALID);
    assert_int_equal(decode_with("\"version\":\"0.9.0\"", "\"version\":\"0.9 0\""), KIOSK_INVALID);
    assert_int_equal(decode_with("\"version\":\"0.9.0\"", "\"version\":\"0.9\\u002e0\""),
                     KIOSK_INVALID); /* an escape the encoder never writes */
    assert_int_equal(decode_with("\"epoch\":\"00", "\"epoch\":\"0"), KIOSK_INVALID);
    assert_int_equal(decode_with("\"epoch\":\"00112233445566778899aabbccddeeff\"",
                                 "\"epoch\":\"00112233445566778899AABBCCDDEEFF\""),
                     KIOSK_INVALID); /* upper-case hex: not the canonical form */
    /* order, unknown and missing keys, a duplicate */
    assert_int_equal(decode_with("{\"v\":1,\"seq\":3", "{\"seq\":3,\"v\":1"), KIOSK_INVALID);
    assert_int_equal(decode_with("\"help_requests\":1", "\"help_requests\":1,\"name\":\"x\""),
                     KIOSK_INVALID);
    assert_int_equal(decode_with(",\"help_requests\":1", ""), KIOSK_INVALID);
    assert_int_equal(decode_with("\"help_requests\":1", "\"help_requests\":1,\"sessions\":4"),
                     KIOSK_INVALID);
    assert_int_equal(decode_with("}", ",\"update\":{\"version\":\"1\",\"result\":\"maybe\","
                                      "\"at_ms\":1,\"detail\":\"\"}}"),
                     KIOSK_INVALID);
    assert_int_equal(decode_with("}", ",\"update\":{\"version\":\"1\",\"result\":\"failed\","
                                      "\"at_ms\":1,\"detail\":\"\"}}"),
                     KIOSK_OK);
    assert_int_equal(health_report_decode(exact, strlen(exact) - 1, &r), KIOSK_INVALID);
    assert_int_equal(health_report_decode("", 0, &r), KIOSK_INVALID);
    assert_int_equal(health_report_decode(exact, HEALTH_MAX_BODY + 1, &r), KIOSK_RANGE);
    /* the encoder refuses what the decoder would */
    health_report bad = sample();
    char *body = (char *)1;
    bad.printer = HEALTH_PRINTER_COUNT;
    assert_int_equal(health_report_encode(&bad, &body, NULL), KIOSK_INVALID);
    assert_null(body);
    bad = sample();
    snprintf(bad.version, sizeof bad.version, "%s", "名字");
    assert_int_equal(health_report_encode(&bad, &body, NULL), KIOSK_INVALID);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_update_status_file(void **state)
{
    (void)state;
    char dir[256], path[300];
    snprintf(dir, sizeof dir, "%s/health_proto.XXXXXX", KIOSK_TEST_TMP);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/%s", dir, HEALTH_UPDATE_STATUS_FILE);
    health_update u;
    assert_int_equal(health_update_read(dir, &u), KIOSK_NOT_FOUND);
    write_file(path, "{\n  \"detail\": \"signature_ok\",\n  \"at_ms\": 1764900000000,\n"
                     "  \"result\": \"installed\", \"version\": \"1.0.1\"\n}\n");
    assert_int_equal(health_update_read(dir, &u), KIOSK_OK);
    assert_string_equal(u.version, "1.0.1");
    assert_int_equal(u.result, HEALTH_UPDATE_INSTALLED);
    assert_int_equal(u.at_ms, 1764900000000);
    assert_string_equal(u.detail, "signature_ok");
    static const char *const bad[] = {
        "",
        "not json",
        "{\"version\":\"1\",\"result\":\"installed\",\"at_ms\":1}", /* no detail */
        "{\"version\":\"1\",\"result\":\"installed\",\"at_ms\":1,\"detail\":\"\",\"x\":1}",
        "{\"version\":\"1\",\"result\":\"done\",\"at_ms\":1,\"detail\":\"\"}",
        "{\"version\":\"1\",\"result\":\"failed\",\"at_ms\":-1,\"detail\":\"\"}",
        "{\"version\":\"1\",\"result\":\"failed\",\"at_ms\":1,\"detail\":\"bad sig\"}",
        "{\"version\":\"\",\"result\":\"failed\",\"at_ms\":1,\"detail\":\"\"}",
        "{\"version\":\"1\",\"result\":\"failed\",\"at_ms\":\"1\",\"detail\":\"\"}",
        "{\"version\":\"1\",\"version\":\"2\",\"result\":\"failed\",\"at_ms\":1,\"detail\":\"\"}",
        "[1]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_file(path, bad[i]);
        assert_int_equal(health_update_read(dir, &u), KIOSK_INVALID);
    }
    /* a file far too large is not read whole */
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 10000; i++)
        fputc(' ', f);
    fputs("{\"version\":\"1\",\"result\":\"failed\",\"at_ms\":1,\"detail\":\"\"}", f);
    fclose(f);
    assert_int_equal(health_update_read(dir, &u), KIOSK_INVALID);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_bytes_and_round_trip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_update_status_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
