/* Tests of the log scrubber and the masking helpers: personal data never reaches a sink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/kiosk_log.h"

static char captured[KIOSK_LOG_LINE_MAX];
static int captured_count;

static void capture(void *ctx, kiosk_log_level level, const char *module, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)module;
    snprintf(captured, sizeof captured, "%s", msg);
    captured_count++;
}

static void scrubbed(const char *in, const char *expect)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", in);
    kiosk_log_scrub(buf);
    assert_string_equal(buf, expect);
}

static void test_scrub_id_numbers(void **state)
{
    (void)state;
    scrubbed("id 11010519491231002X read", "id 1101**********002X read");
    scrubbed("id 11010519491231002x.", "id 1101**********002x.");
    scrubbed("old 110105491231002", "old 1101*******1002");
    scrubbed("phone 13812345678", "phone 138******78");
    scrubbed("permit H12345678 ok", "permit H12****78 ok");
}

static void test_scrub_keeps_short_numbers_and_words(void **state)
{
    (void)state;
    scrubbed("sent 12 records in 350 ms, rc=0", "sent 12 records in 350 ms, rc=0");
    scrubbed("sqlite error 2067 at 2026-11-22", "sqlite error 2067 at 2026-11-22");
    /* digits glued to letters are identifiers (hashes), not ID numbers */
    scrubbed("hash ab12345678cd", "hash ab12345678cd");
    /* a record's UUID passes whole, even with groups of digits only */
    scrubbed("record 31415926-5358-4979-8323-846264338327 not exported",
             "record 31415926-5358-4979-8323-846264338327 not exported");
    scrubbed("31415926-aaaa-4bbb-8ccc-123456789012", "31415926-aaaa-4bbb-8ccc-123456789012");
    /* but not a look-alike: glued to more, or an ID number with dashes */
    scrubbed("x31415926-5358-4979-8323-846264338327", "x31415926-5358-4979-8323-846*******27");
    scrubbed("31415926-5358-4979-8323-8462643383271", "314***26-5358-4979-8323-846********71");
}

/* Issue 14: digits glued to letters, phone numbers in groups and full-width digits. */
static void test_scrub_glued_grouped_and_full_width(void **state)
{
    (void)state;
    scrubbed("ID110101199003071234x", "ID1101***********234x");
    scrubbed("tel13812345678.", "tel138******78.");
    scrubbed("id:11010519491231002Xok", "id:1101**********002Xok");
    scrubbed("phone 138-1234-5678 ok", "phone 138-****-**78 ok");
    scrubbed("phone 138 1234 5678", "phone 138 **** **78");
    scrubbed("+86 138 1234 5678", "+86 138 **** **78");
    scrubbed("id 110105 19491231 002X", "id 1101** ******** 002X");
    scrubbed("phone １３８１２３４５６７８ ok", "phone １３８******７８ ok");
    scrubbed("id１１０１０５１９４９１２３１００２Ｘ", "id１１０１**********００２Ｘ");
    /* still short numbers, dates, times, counts and hashes */
    scrubbed("at 2026-11-22 10:00:01, 3 of 12", "at 2026-11-22 10:00:01, 3 of 12");
    scrubbed("sent 120 records in 350 ms", "sent 120 records in 350 ms");
    scrubbed("１２ 件", "１２ 件");
    /* groups that do not make a phone or ID number stay apart */
    scrubbed("ports 8080-8081", "ports 8080-8081");
}

static void test_scrub_names(void **state)
{
    (void)state;
    scrubbed("name 张三丰 ok", "name 张** ok");
    scrubbed("name 买买提·艾力 ok", "name 买***** ok");
    scrubbed("rare 𠮷野 x", "rare 𠮷* x");
    scrubbed("address 山东省济南市", "address 山*****");
}

static void test_log_goes_through_scrubber(void **state)
{
    (void)state;
    kiosk_log_set_sink(capture, NULL);
    kiosk_log_info("test", "citizen %s with id %s", "李四", "440524188001010014");
    assert_int_equal(captured_count, 1);
    assert_string_equal(captured, "citizen 李* with id 4405**********0014");
    kiosk_log_set_level(KIOSK_LOG_WARN);
    kiosk_log_info("test", "dropped");
    assert_int_equal(captured_count, 1);
    kiosk_log_warn("test", "kept");
    assert_int_equal(captured_count, 2);
    kiosk_log_set_level(KIOSK_LOG_INFO);
    kiosk_log_set_sink(NULL, NULL);
}

static void test_log_cuts_long_lines_on_char_boundary(void **state)
{
    (void)state;
    char big[2000];
    size_t n = 0;
    while (n + 3 < sizeof big - 1) {
        memcpy(big + n, "a中", 4);
        n += 4;
    }
    big[n] = '\0';
    kiosk_log_set_sink(capture, NULL);
    kiosk_log_error("test", "%s", big);
    kiosk_log_set_sink(NULL, NULL);
    assert_true(strlen(captured) < KIOSK_LOG_LINE_MAX);
    /* the result is valid UTF-8 all the way */
    size_t len = strlen(captured);
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t k = kiosk_utf8_decode(captured + i, len - i, &cp);
        assert_true(k > 0);
        i += k;
    }
}

static void test_mask_name(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(kiosk_mask_name("张三丰", out, sizeof out), KIOSK_OK);
    assert_string_equal(out, "张*丰");
    assert_int_equal(kiosk_mask_name("张三", out, sizeof out), KIOSK_OK);
    assert_string_equal(out, "张*");
    assert_int_equal(kiosk_mask_name("欧阳娜娜", out, sizeof out), KIOSK_OK);
    assert_string_equal(out, "欧**娜");
    assert_int_equal(kiosk_mask_name("王", out, sizeof out), KIOSK_OK);
    assert_string_equal(out, "*");
    assert_int_equal(kiosk_mask_name("张三丰", out, 5), KIOSK_RANGE);
    assert_int_equal(kiosk_mask_name("\xff\xfe", out, sizeof out), KIOSK_INVALID);
}

static void test_mask_id(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(kiosk_mask_id("37010219900101123X", out, sizeof out), KIOSK_OK);
    assert_string_equal(out, "3701**********123X");
    assert_int_equal(kiosk_mask_id("H1234567801", out, sizeof out), KIOSK_OK);
    assert_string_equal(out, "H********01");
    assert_int_equal(kiosk_mask_id("12", out, sizeof out), KIOSK_OK);
    assert_string_equal(out, "**");
    assert_int_equal(kiosk_mask_id("3701-02", out, sizeof out), KIOSK_INVALID);
    assert_int_equal(kiosk_mask_id("37010219900101123X", out, 18), KIOSK_RANGE);
}

static void test_utf8_decode_rejects_bad_sequences(void **state)
{
    (void)state;
    unsigned cp;
    assert_int_equal(kiosk_utf8_decode("\xe4\xb8\xad", 3, &cp), 3);
    assert_int_equal(cp, 0x4E2D);
    assert_int_equal(kiosk_utf8_decode("\xf0\xa0\xae\xb7", 4, &cp), 4);
    assert_int_equal(cp, 0x20BB7);
    assert_int_equal(kiosk_utf8_decode("\xc0\x80", 2, &cp), 0);         /* overlong */
    assert_int_equal(kiosk_utf8_decode("\xed\xa0\x80", 3, &cp), 0);     /* surrogate */
    assert_int_equal(kiosk_utf8_decode("\xe4\xb8", 2, &cp), 0);         /* truncated */
    assert_int_equal(kiosk_utf8_decode("\xf4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scrub_id_numbers),
        cmocka_unit_test(test_scrub_keeps_short_numbers_and_words),
        cmocka_unit_test(test_scrub_glued_grouped_and_full_width),
        cmocka_unit_test(test_scrub_names),
        cmocka_unit_test(test_log_goes_through_scrubber),
        cmocka_unit_test(test_log_cuts_long_lines_on_char_boundary),
        cmocka_unit_test(test_mask_name),
        cmocka_unit_test(test_mask_id),
        cmocka_unit_test(test_utf8_decode_rejects_bad_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
