/* The line-break rules the screen and the receipt share: where a line may break between
 * two characters, by class. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/kiosk_linebreak.h"

static int may_break(uint32_t a, uint32_t b)
{
    return kiosk_brk_allowed(kiosk_brk_class(a), kiosk_brk_class(b));
}

static void test_classes(void **state)
{
    (void)state;
    assert_int_equal(kiosk_brk_class(0x5931), KIOSK_BRK_IDEO);  /* 失 */
    assert_int_equal(kiosk_brk_class(0x20000), KIOSK_BRK_IDEO); /* 𠀀, beyond the BMP */
    assert_int_equal(kiosk_brk_class('a'), KIOSK_BRK_OTHER);
    assert_int_equal(kiosk_brk_class('7'), KIOSK_BRK_OTHER);
    assert_int_equal(kiosk_brk_class(' '), KIOSK_BRK_SPACE);
    assert_int_equal(kiosk_brk_class(0x3000), KIOSK_BRK_SPACE); /* ideographic space */
    assert_int_equal(kiosk_brk_class(0x200B), KIOSK_BRK_ZW);
    assert_int_equal(kiosk_brk_class(0x200D), KIOSK_BRK_GLUE); /* zero-width joiner */
    assert_int_equal(kiosk_brk_class('\n'), KIOSK_BRK_GLUE);
    assert_int_equal(kiosk_brk_class(0xFF0C), KIOSK_BRK_CLOSE_W); /* ， */
    assert_int_equal(kiosk_brk_class(0x3002), KIOSK_BRK_CLOSE_W); /* 。 */
    assert_int_equal(kiosk_brk_class(','), KIOSK_BRK_CLOSE_N);
    assert_int_equal(kiosk_brk_class(0x300A), KIOSK_BRK_OPEN_W); /* 《 */
    assert_int_equal(kiosk_brk_class('('), KIOSK_BRK_OPEN_N);
    assert_true(kiosk_brk_ignorable(0xFEFF));
    assert_true(kiosk_brk_ignorable(0xFE0F));
    assert_false(kiosk_brk_ignorable(0x4E00));
}

static void test_rules(void **state)
{
    (void)state;
    assert_true(may_break(0x5931, 0x4E1A));  /* 失|业 */
    assert_false(may_break(0x5931, 0xFF0C)); /* a comma never starts a line */
    assert_true(may_break(0xFF0C, 0x4E1A));  /* ，|业 */
    assert_false(may_break(0x300A, 0x4E1A)); /* 《 never ends a line */
    assert_true(may_break(0x4E1A, 0x300A));  /* 业|《 */
    assert_false(may_break('a', 'b'));       /* inside a word */
    assert_true(may_break(' ', 'b'));        /* after a space */
    assert_false(may_break('a', ' '));       /* never before one */
    assert_true(may_break('a', 0x4E1A));     /* a Latin word, then Chinese */
    assert_true(may_break(0x4E1A, 'a'));
    assert_false(may_break('1', '%'));
    assert_false(may_break(0x4E1A, 0x200D)); /* next to a joiner */
    assert_true(may_break(0x200B, 'a'));     /* after a zero-width space */
}

/* A receipt number is one word: no place inside it to break, on the screen or on paper;
 * after a Chinese label's colon the only break is before the number. */
static void test_receipt_number_is_one_word(void **state)
{
    (void)state;
    static const char number[] = "KR-370102-20261205-0001";
    for (size_t i = 0; number[i + 1]; i++)
        if (may_break((uint32_t)(unsigned char)number[i], (uint32_t)(unsigned char)number[i + 1]))
            fail_msg("a break allowed between %c and %c", number[i], number[i + 1]);
    assert_true(may_break(0xFF1A, 'K'));     /* 号：|KR */
    assert_false(may_break(0x53F7, 0xFF1A)); /* 号|： never */
    assert_false(may_break('-', '3'));
    assert_false(may_break('2', '-'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_receipt_number_is_one_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
