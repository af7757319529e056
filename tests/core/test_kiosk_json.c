/* Tests of the JSON syntax check: what it must accept (every shape the firmware embeds,
 * escapes, surrogate pairs, int64 edges) and refuse (trailing garbage, bad escapes, lone
 * surrogates, \u0000, control characters, invalid UTF-8, integers over int64, deep
 * nesting, anything but an object at the top). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/kiosk_json.h"

static int ok(const char *s)
{
    return kiosk_json_object_valid(s, strlen(s));
}

static void test_accepts(void **state)
{
    (void)state;
    const char *good[] = {
        "{}",
        " \t\r\n{ } \n",
        "{\"schema\":1,\"name\":\"张三丰\",\"services\":[\"1\",\"2\"],\"household\":{\"division\":"
        "\"370102\"}}",
        "{\"strokes\":[[[10,20,0],[12,24,16]]]}",
        "{\"a\":[true,false,null,-0,0.5,-1.25e-3,1E+9,\"\"]}",
        "{\"e\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\"}",
        "{\"upper\":\"\\u00E9 \\uD83D\\uDE00 \\uFFFF\"}",
        "{\"max\":9223372036854775807,\"min\":-9223372036854775808}",
        "{\"𠀀\":\"𠮷\"}",
        /* reals at the edge of a double, and ones that underflow to 0 (jansson takes
         * those) */
        "{\"a\":1.7976931348623157e308,\"b\":-1e308,\"c\":1e-400,\"d\":0.0e99999}",
        "{\"a\":0.000017976931348623157e313,\"b\":17976931348623157000e288}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!ok(good[i]))
            fail_msg("refused: %s", good[i]);
}

static void test_refuses(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "[]",
        "\"text\"",
        "{",
        "{}}",
        "{} x",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{a:1}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":1e}",
        "{\"a\":+1}",
        "{\"a\":tru}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"\\u 123\"}",
        "{\"a\":\"\\u+123\"}",
        "{\"a\":\"\\u00e",
        "{\"a\":\"\\u0000\"}",
        "{\"a\":\"\\ud83d\"}",
        "{\"a\":\"\\ude00\"}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":\"\xff\"}",
        "{\"a\":\"\xc0\xaf\"}",
        "{\"a\":9223372036854775808}",
        "{\"a\":-9223372036854775809}",
        /* reals beyond a double (jansson: "real number overflow") */
        "{\"a\":1e309}",
        "{\"a\":-2.5e3000}",
        "{\"a\":1.8e308}",
        "{\"a\":100000000000000000000e300}",
        "{\"a\":0.1e310}",
        "{\"a\":\"unterminated}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ok(bad[i]))
            fail_msg("accepted: %s", bad[i]);
    assert_false(kiosk_json_object_valid(NULL, 0));
    /* a NUL inside the given length is not JSON */
    assert_false(kiosk_json_object_valid("{\"a\":\"x\0y\"}", 11));
    /* nesting: 64 levels pass, 65 do not */
    char deep[200];
    size_t n = 0;
    deep[n++] = '{';
    deep[n++] = '"';
    deep[n++] = 'a';
    deep[n++] = '"';
    deep[n++] = ':';
    for (int i = 0; i < 63; i++)
        deep[n++] = '[';
    for (int i = 0; i < 63; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    assert_true(kiosk_json_object_valid(deep, n));
    memmove(deep + 6, deep + 5, n - 5);
    deep[5] = '[';
    memmove(deep + 6 + 64, deep + 5 + 64, n - 5 - 63);
    deep[5 + 64] = ']';
    assert_false(kiosk_json_object_valid(deep, n + 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
