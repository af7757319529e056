/* Tests of the byte buffer: growth keeps the bytes and the NUL after them, the cap is
 * hard for every way of adding bytes, a wiping buffer lets go of no block unwiped, take
 * hands over the bytes, and every allocation that fails (a simulated out-of-memory)
 * leaves the buffer as it was and leaks nothing, while reserved room needs none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_buf.h"

/* A counting allocator that can fail, and checks what is freed. */
typedef struct fake_heap {
    long fail_after; /* allocations (not frees) that still succeed; negative: all */
    long allocs, live;
    int want_wiped;  /* every freed block must be all zeros */
    int saw_unwiped; /* a freed block held a non-zero byte */
} fake_heap;

static fake_heap heap;

static void *fake_alloc(void *ctx, void *p, size_t osize, size_t nsize)
{
    fake_heap *h = ctx;
    if (nsize == 0) {
        if (p) {
            for (size_t i = 0; i < osize; i++)
                if (((const uint8_t *)p)[i])
                    h->saw_unwiped = 1;
            if (h->want_wiped && h->saw_unwiped)
                fail_msg("a block of %zu bytes was freed unwiped", osize);
            h->live--;
        }
        free(p);
        return NULL;
    }
    if (h->fail_after == 0)
        return NULL;
    if (h->fail_after > 0)
        h->fail_after--;
    void *q = realloc(p, nsize);
    if (q) {
        h->allocs++;
        if (!p)
            h->live++;
    }
    return q;
}

static int setup(void **state)
{
    (void)state;
    memset(&heap, 0, sizeof heap);
    heap.fail_after = -1;
    kiosk_buf_set_allocator(fake_alloc, &heap);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kiosk_buf_set_allocator(NULL, NULL);
    assert_int_equal(heap.live, 0); /* nothing leaked */
    return 0;
}

static void test_growth_keeps_bytes_and_terminator(void **state)
{
    (void)state;
    kiosk_buf b;
    kiosk_buf_init(&b, 1 << 20, 0);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(kiosk_buf_str(&b), "");
    for (int i = 0; i < 100000; i++) {
        uint8_t c = (uint8_t)('a' + i % 26);
        assert_int_equal(kiosk_buf_append(&b, &c, 1), KIOSK_OK);
    }
    assert_int_equal(b.len, 100000);
    assert_int_equal(b.data[b.len], '\0');
    for (size_t i = 0; i < b.len; i++)
        assert_int_equal(b.data[i], 'a' + i % 26);
    /* doubling from 256: 256 .. 131072, ten allocations for 100000 bytes */
    assert_int_equal(heap.allocs, 10);
    kiosk_buf_deinit(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);

    /* strings, printf, zero-filled room written in place */
    assert_int_equal(kiosk_buf_append_str(&b, "seq "), KIOSK_OK);
    assert_int_equal(kiosk_buf_printf(&b, "%d-%s", 42, "x"), KIOSK_OK);
    assert_int_equal(kiosk_buf_append(&b, "", 0), KIOSK_OK);
    uint8_t *at;
    assert_int_equal(kiosk_buf_extend(&b, 3, &at), KIOSK_OK);
    assert_memory_equal(at, "\0\0\0", 4);
    memcpy(at, "abc", 3);
    assert_string_equal(kiosk_buf_str(&b), "seq 42-xabc");
    assert_int_equal(b.len, 11);
    /* a printf longer than the whole first allocation */
    char big[1000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(kiosk_buf_printf(&b, "[%s]", big), KIOSK_OK);
    assert_int_equal(b.len, 11 + 1001);
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    kiosk_buf_deinit(&b);
}

static void test_consume_keeps_the_tail(void **state)
{
    (void)state;
    kiosk_buf b;
    kiosk_buf_init(&b, 64, 0);
    assert_int_equal(kiosk_buf_append_str(&b, "0123456789"), KIOSK_OK);
    kiosk_buf_consume(&b, 0);
    assert_string_equal(kiosk_buf_str(&b), "0123456789");
    kiosk_buf_consume(&b, 7);
    assert_string_equal(kiosk_buf_str(&b), "789");
    assert_int_equal(b.len, 3);
    kiosk_buf_consume(&b, 3);
    assert_int_equal(b.len, 0);
    assert_string_equal(kiosk_buf_str(&b), "");
    kiosk_buf_deinit(&b);
}

static void test_cap_is_hard(void **state)
{
    (void)state;
    kiosk_buf b;
    kiosk_buf_init(&b, 10, 0);
    assert_int_equal(kiosk_buf_append(&b, "0123456789", 10), KIOSK_OK);
    assert_int_equal(kiosk_buf_append(&b, "x", 1), KIOSK_RANGE);
    assert_int_equal(kiosk_buf_append_str(&b, "x"), KIOSK_RANGE);
    assert_int_equal(kiosk_buf_printf(&b, "%d", 1), KIOSK_RANGE);
    assert_int_equal(kiosk_buf_reserve(&b, 1), KIOSK_RANGE);
    uint8_t *at = (uint8_t *)&b;
    assert_int_equal(kiosk_buf_extend(&b, 1, &at), KIOSK_RANGE);
    assert_null(at);
    assert_int_equal(kiosk_buf_append(&b, "", 0), KIOSK_OK);
    /* what was there is untouched, and the allocation never passed limit + NUL */
    assert_int_equal(b.len, 10);
    assert_string_equal(kiosk_buf_str(&b), "0123456789");
    assert_true(b.cap <= 11);
    kiosk_buf_consume(&b, 4);
    assert_int_equal(kiosk_buf_append(&b, "abcd", 4), KIOSK_OK);
    assert_string_equal(kiosk_buf_str(&b), "456789abcd");
    kiosk_buf_deinit(&b);

    /* a refused request that would overflow size_t arithmetic */
    kiosk_buf_init(&b, 1000, 0);
    assert_int_equal(kiosk_buf_append(&b, "ab", 2), KIOSK_OK);
    assert_int_equal(kiosk_buf_reserve(&b, SIZE_MAX), KIOSK_RANGE);
    assert_int_equal(kiosk_buf_extend(&b, SIZE_MAX - 1, &at), KIOSK_RANGE);
    kiosk_buf_deinit(&b);

    /* a zero limit holds nothing but can still hand over "" */
    kiosk_buf_init(&b, 0, 0);
    assert_int_equal(kiosk_buf_append(&b, "x", 1), KIOSK_RANGE);
    char *s;
    size_t n = 9;
    assert_int_equal(kiosk_buf_take(&b, &s, &n), KIOSK_OK);
    assert_string_equal(s, "");
    assert_int_equal(n, 0);
    free(s);
    heap.live--; /* freed by the caller, not through the buffer */
}

static void test_reserve_is_exact_and_needs_no_more_memory(void **state)
{
    (void)state;
    kiosk_buf b;
    kiosk_buf_init(&b, 1 << 20, 0);
    assert_int_equal(kiosk_buf_reserve(&b, 5000), KIOSK_OK);
    assert_int_equal(b.cap, 5001);
    assert_int_equal(b.len, 0);
    assert_string_equal(kiosk_buf_str(&b), "");
    heap.fail_after = 0; /* from now on every allocation fails */
    uint8_t *at;
    assert_int_equal(kiosk_buf_append(&b, "head", 4), KIOSK_OK);
    assert_int_equal(kiosk_buf_printf(&b, "%04d", 7), KIOSK_OK);
    assert_int_equal(kiosk_buf_extend(&b, 4990, &at), KIOSK_OK);
    assert_int_equal(kiosk_buf_reserve(&b, 2), KIOSK_OK);
    assert_int_equal(kiosk_buf_append(&b, "!!", 2), KIOSK_OK);
    assert_int_equal(b.len, 5000);
    assert_int_equal(kiosk_buf_append(&b, "x", 1), KIOSK_NOMEM);
    kiosk_buf_deinit(&b);
}

static void test_nomem_leaves_buffer_unchanged(void **state)
{
    (void)state;
    for (unsigned flags = 0; flags <= KIOSK_BUF_WIPE; flags++) {
        kiosk_buf b;
        kiosk_buf_init(&b, 1 << 20, flags);
        heap.fail_after = 0;
        uint8_t *at = (uint8_t *)&b;
        char *s = (char *)&b;
        size_t n = 1;
        /* empty: nothing allocated, nothing to lose */
        assert_int_equal(kiosk_buf_append(&b, "x", 1), KIOSK_NOMEM);
        assert_int_equal(kiosk_buf_take(&b, &s, &n), KIOSK_NOMEM);
        assert_null(s);
        assert_int_equal(n, 0);
        assert_null(b.data);
        heap.fail_after = 1;
        assert_int_equal(kiosk_buf_append_str(&b, "kept"), KIOSK_OK);
        /* every way of growing fails the same and keeps "kept" */
        char big[300];
        memset(big, 'b', sizeof big);
        assert_int_equal(kiosk_buf_append(&b, big, sizeof big), KIOSK_NOMEM);
        assert_int_equal(kiosk_buf_reserve(&b, 300), KIOSK_NOMEM);
        assert_int_equal(kiosk_buf_printf(&b, "%300d", 1), KIOSK_NOMEM);
        assert_int_equal(kiosk_buf_extend(&b, 300, &at), KIOSK_NOMEM);
        assert_null(at);
        assert_int_equal(b.len, 4);
        assert_string_equal(kiosk_buf_str(&b), "kept");
        /* room already there needs no allocation */
        assert_int_equal(kiosk_buf_append(&b, big, 200), KIOSK_OK);
        assert_int_equal(b.len, 204);
        heap.fail_after = -1;
        assert_int_equal(kiosk_buf_append(&b, big, sizeof big), KIOSK_OK);
        assert_int_equal(b.len, 504);
        assert_memory_equal(b.data, "keptbbbb", 8);
        kiosk_buf_deinit(&b);
        assert_int_equal(heap.live, 0);
    }
}

static void test_wiping_frees_nothing_unwiped(void **state)
{
    (void)state;
    kiosk_buf b;
    /* control: a plain buffer frees its bytes as they are */
    kiosk_buf_init(&b, 1 << 20, 0);
    for (int i = 0; i < 40; i++)
        assert_int_equal(kiosk_buf_append_str(&b, "370102197903154519 张三丰 "), KIOSK_OK);
    kiosk_buf_deinit(&b);
    assert_true(heap.saw_unwiped);

    heap.saw_unwiped = 0;
    heap.want_wiped = 1;
    kiosk_buf_init(&b, 1 << 20, KIOSK_BUF_WIPE);
    for (int i = 0; i < 400; i++) /* several growths, each freeing the old block */
        assert_int_equal(kiosk_buf_append_str(&b, "370102197903154519 张三丰 "), KIOSK_OK);
    assert_true(heap.allocs >= 4);
    kiosk_buf_consume(&b, 3 * 29); /* three of the 29-byte lines */
    /* what consume moved down is not left behind beyond the end */
    for (size_t i = b.len; i <= b.len + 3 * 29; i++)
        assert_int_equal(b.data[i], 0);
    assert_int_equal(kiosk_buf_reserve(&b, 100000), KIOSK_OK);
    assert_int_equal(strncmp(kiosk_buf_str(&b), "370102197903154519", 18), 0);
    kiosk_buf_deinit(&b);
    assert_false(heap.saw_unwiped);
    /* still usable, still wiping */
    assert_int_equal(kiosk_buf_append_str(&b, "13812345678"), KIOSK_OK);
    kiosk_buf_deinit(&b);
    assert_false(heap.saw_unwiped);
}

static void test_take_hands_over_the_bytes(void **state)
{
    (void)state;
    kiosk_buf b;
    kiosk_buf_init(&b, 100, 0);
    assert_int_equal(kiosk_buf_append(&b, "a\0b", 3), KIOSK_OK);
    char *s;
    size_t n;
    assert_int_equal(kiosk_buf_take(&b, &s, &n), KIOSK_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "a\0b\0", 4);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(s);
    heap.live--;
    /* the buffer starts afresh with its limit */
    assert_int_equal(kiosk_buf_append(&b, "again", 5), KIOSK_OK);
    assert_int_equal(kiosk_buf_take(&b, &s, NULL), KIOSK_OK);
    assert_string_equal(s, "again");
    free(s);
    heap.live--;
    assert_int_equal(kiosk_buf_take(&b, &s, &n), KIOSK_OK);
    assert_string_equal(s, "");
    assert_int_equal(n, 0);
    free(s);
    heap.live--;
    kiosk_buf_deinit(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_growth_keeps_bytes_and_terminator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consume_keeps_the_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap_is_hard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserve_is_exact_and_needs_no_more_memory, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_nomem_leaves_buffer_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wiping_frees_nothing_unwiped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_take_hands_over_the_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
