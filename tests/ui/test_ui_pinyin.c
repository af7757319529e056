/* Tests of pinyin input against Debian's libgooglepinyin dictionary: common words and
 * surnames come first, a name converts in steps and the pieces join up, candidates page,
 * backspace and reset, refused characters, the length cap and the engine's pool guard
 * (which keeps the library's assert from aborting the kiosk), and dictionary errors. The
 * log must never see what was typed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"
#include "ui/ui_pinyin.h"

#define TMP_EMPTY KIOSK_TEST_TMP "/pinyin_empty.dat"

static ui_pinyin *py;
static int log_lines;

static void count_log(void *ctx, kiosk_log_level level, const char *module, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)module;
    (void)msg;
    log_lines++;
}

static int setup(void **state)
{
    (void)state;
    kiosk_log_set_sink(count_log, NULL);
    return ui_pinyin_create(NULL, &py) == KIOSK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ui_pinyin_destroy(py);
    py = NULL;
    kiosk_log_set_sink(NULL, NULL);
    return 0;
}

static void type_all(const char *s)
{
    for (; *s; s++)
        assert_int_equal(ui_pinyin_type(py, *s), KIOSK_OK);
}

/* Index of want among the first max candidates, or -1. */
static int find(const char *want, size_t max)
{
    char c[UI_PINYIN_CANDIDATE_BYTES];
    size_t n = ui_pinyin_candidate_count(py);
    for (size_t i = 0; i < n && i < max; i++) {
        assert_int_equal(ui_pinyin_candidate(py, i, c, sizeof(c)), KIOSK_OK);
        if (strcmp(c, want) == 0)
            return (int)i;
    }
    return -1;
}

static void test_beijing(void **state)
{
    (void)state;
    ui_pinyin_reset(py);
    log_lines = 0;
    type_all("beijing");
    assert_string_equal(ui_pinyin_spelling(py), "bei'jing");
    int i = find("北京", 3);
    assert_true(i >= 0);

    char out[UI_PINYIN_CANDIDATE_BYTES];
    int done = -1;
    assert_int_equal(ui_pinyin_choose(py, (size_t)i, out, sizeof(out), &done), KIOSK_OK);
    assert_string_equal(out, "北京");
    assert_int_equal(done, 1);
    assert_string_equal(ui_pinyin_spelling(py), "");
    assert_int_equal(ui_pinyin_candidate_count(py), 0);
    assert_int_equal(log_lines, 0);
}

static void test_surnames(void **state)
{
    (void)state;
    static const struct {
        const char *spelling, *want;
    } cases[] = {{"zhang", "张"}, {"wang", "王"}, {"li", "李"},     {"liu", "刘"},
                 {"chen", "陈"},  {"lv", "吕"},   {"xi'an", "西安"}};
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        ui_pinyin_reset(py);
        type_all(cases[k].spelling);
        assert_string_equal(ui_pinyin_spelling(py), cases[k].spelling);
        assert_true(find(cases[k].want, 10) >= 0);
    }
    /* Initials only, as people in a hurry type. */
    ui_pinyin_reset(py);
    type_all("bj");
    assert_string_equal(ui_pinyin_spelling(py), "b'j");
    assert_true(find("北京", 5) >= 0);
    ui_pinyin_reset(py);
}

static void test_phrase_in_steps(void **state)
{
    (void)state;
    char out[UI_PINYIN_CANDIDATE_BYTES], text[64] = "";
    int done = -1;
    ui_pinyin_reset(py);
    log_lines = 0;
    type_all("zhangsan");
    assert_string_equal(ui_pinyin_spelling(py), "zhang'san");

    /* 张 alone (not the sentence guess at 0). */
    int i = find("张", 10);
    assert_true(i > 0);
    assert_int_equal(ui_pinyin_choose(py, (size_t)i, out, sizeof(out), &done), KIOSK_OK);
    assert_string_equal(out, "张");
    assert_int_equal(done, 0);
    strcat(text, out);
    assert_string_equal(ui_pinyin_spelling(py), "san");
    assert_true(ui_pinyin_candidate_count(py) > 0);

    /* Candidate 0 is now only the new text, never 张 again. */
    assert_int_equal(ui_pinyin_candidate(py, 0, out, sizeof(out)), KIOSK_OK);
    assert_string_equal(out, "三");
    i = find("三", 10);
    assert_true(i >= 0);
    assert_int_equal(ui_pinyin_choose(py, (size_t)i, out, sizeof(out), &done), KIOSK_OK);
    assert_int_equal(done, 1);
    strcat(text, out);
    assert_string_equal(text, "张三");
    assert_string_equal(ui_pinyin_spelling(py), "");

    /* Three steps, the last a word: 张 + 三 + 丰. */
    text[0] = '\0';
    type_all("zhangsanfeng");
    assert_int_equal(ui_pinyin_choose(py, (size_t)find("张", 10), out, sizeof(out), &done),
                     KIOSK_OK);
    strcat(text, out);
    assert_int_equal(done, 0);
    assert_string_equal(ui_pinyin_spelling(py), "san'feng");
    i = find("三", 10);
    assert_true(i > 0);
    assert_int_equal(ui_pinyin_choose(py, (size_t)i, out, sizeof(out), &done), KIOSK_OK);
    strcat(text, out);
    assert_int_equal(done, 0);
    assert_string_equal(ui_pinyin_spelling(py), "feng");
    i = find("丰", 10);
    assert_true(i >= 0);
    assert_int_equal(ui_pinyin_choose(py, (size_t)i, out, sizeof(out), &done), KIOSK_OK);
    strcat(text, out);
    assert_int_equal(done, 1);
    assert_string_equal(text, "张三丰");

    /* Letters typed after a partial choice extend the pending part. */
    text[0] = '\0';
    type_all("beijing");
    assert_int_equal(ui_pinyin_choose(py, (size_t)find("北京", 10), out, sizeof(out), &done),
                     KIOSK_OK);
    assert_int_equal(done, 1);
    type_all("beijingshi");
    i = find("北京", 10);
    assert_true(i > 0);
    assert_int_equal(ui_pinyin_choose(py, (size_t)i, out, sizeof(out), &done), KIOSK_OK);
    assert_int_equal(done, 0);
    strcat(text, out);
    assert_string_equal(ui_pinyin_spelling(py), "shi");
    i = find("市", 10);
    assert_true(i >= 0);
    assert_int_equal(ui_pinyin_choose(py, (size_t)i, out, sizeof(out), &done), KIOSK_OK);
    assert_int_equal(done, 1);
    strcat(text, out);
    assert_string_equal(text, "北京市");
    assert_int_equal(log_lines, 0);
}

static void test_paging(void **state)
{
    (void)state;
    char first[UI_PINYIN_CANDIDATE_BYTES], later[UI_PINYIN_CANDIDATE_BYTES];
    ui_pinyin_reset(py);
    /* "a" has only 7 candidates in this dictionary; "li" has about 190. */
    type_all("li");
    size_t n = ui_pinyin_candidate_count(py);
    assert_true(n > 20);
    assert_int_equal(ui_pinyin_candidate(py, 0, first, sizeof(first)), KIOSK_OK);
    for (size_t i = 20; i < 30; i++) {
        assert_int_equal(ui_pinyin_candidate(py, i, later, sizeof(later)), KIOSK_OK);
        assert_true(strlen(later) >= 3); /* at least one Chinese character */
        assert_string_not_equal(later, first);
    }
    assert_int_equal(ui_pinyin_candidate(py, n - 1, later, sizeof(later)), KIOSK_OK);
    assert_true(later[0] != '\0');
    assert_int_equal(ui_pinyin_candidate(py, n, later, sizeof(later)), KIOSK_RANGE);
    assert_string_equal(later, "");

    /* A buffer too small for one character, then exactly big enough. */
    char small[3] = "x";
    assert_int_equal(ui_pinyin_candidate(py, 0, small, sizeof(small)), KIOSK_RANGE);
    assert_string_equal(small, "");
    char fits[4];
    assert_int_equal(ui_pinyin_candidate(py, 0, fits, sizeof(fits)), KIOSK_OK);
    assert_int_equal(strlen(fits), 3);
    int done = -1;
    assert_int_equal(ui_pinyin_choose(py, 0, small, sizeof(small), &done), KIOSK_RANGE);
    assert_int_equal(done, 0);
    assert_int_equal(ui_pinyin_choose(py, n, first, sizeof(first), &done), KIOSK_RANGE);
    assert_string_equal(ui_pinyin_spelling(py), "li"); /* failures changed nothing */
    assert_int_equal(ui_pinyin_candidate_count(py), n);

    /* A single initial offers hundreds. */
    ui_pinyin_reset(py);
    type_all("b");
    assert_true(ui_pinyin_candidate_count(py) > 100);
    ui_pinyin_reset(py);
}

static void test_backspace_reset(void **state)
{
    (void)state;
    char out[UI_PINYIN_CANDIDATE_BYTES];
    int done;
    ui_pinyin_reset(py);
    assert_int_equal(ui_pinyin_backspace(py), KIOSK_NOT_FOUND);
    type_all("beij");
    assert_int_equal(ui_pinyin_backspace(py), KIOSK_OK);
    assert_string_equal(ui_pinyin_spelling(py), "bei");
    assert_true(find("北", 10) >= 0);
    type_all("jing");
    assert_int_equal(find("北京", 1), 0);
    for (int i = 0; i < 7; i++)
        assert_int_equal(ui_pinyin_backspace(py), KIOSK_OK);
    assert_string_equal(ui_pinyin_spelling(py), "");
    assert_int_equal(ui_pinyin_candidate_count(py), 0);
    assert_int_equal(ui_pinyin_backspace(py), KIOSK_NOT_FOUND);

    /* Backspace after a partial choice edits the pending part and keeps the choice. */
    type_all("zhangsan");
    assert_int_equal(ui_pinyin_choose(py, (size_t)find("张", 10), out, sizeof(out), &done),
                     KIOSK_OK);
    assert_int_equal(done, 0);
    assert_int_equal(ui_pinyin_backspace(py), KIOSK_OK);
    assert_string_equal(ui_pinyin_spelling(py), "sa");
    assert_true(find("萨", 10) >= 0);
    assert_true(find("张", 1) < 0); /* candidate 0 is new text only */
    type_all("n");
    assert_int_equal(ui_pinyin_candidate(py, 0, out, sizeof(out)), KIOSK_OK);
    assert_string_equal(out, "三");
    /* Deleting the last pending letters ends the phrase; 张 stays with the caller. */
    assert_int_equal(ui_pinyin_backspace(py), KIOSK_OK);
    assert_int_equal(ui_pinyin_backspace(py), KIOSK_OK);
    assert_string_equal(ui_pinyin_spelling(py), "s");
    assert_int_equal(ui_pinyin_backspace(py), KIOSK_OK);
    assert_string_equal(ui_pinyin_spelling(py), "");
    assert_int_equal(ui_pinyin_candidate_count(py), 0);
    assert_int_equal(ui_pinyin_backspace(py), KIOSK_NOT_FOUND);
    type_all("wang");
    assert_true(find("王", 10) >= 0);

    /* Reset drops a partial choice too. */
    ui_pinyin_reset(py);
    type_all("zhangsan");
    assert_int_equal(ui_pinyin_choose(py, (size_t)find("张", 10), out, sizeof(out), &done),
                     KIOSK_OK);
    ui_pinyin_reset(py);
    assert_string_equal(ui_pinyin_spelling(py), "");
    assert_int_equal(ui_pinyin_candidate_count(py), 0);
    type_all("li");
    assert_true(find("李", 10) >= 0);
    ui_pinyin_reset(py);
}

static void test_refused(void **state)
{
    (void)state;
    ui_pinyin_reset(py);
    static const char bad[] = {'1', '0', ' ', '-', '.', '\n', '\0', (char)0xC3, 'z' + 1, '@'};
    for (size_t i = 0; i < sizeof(bad); i++)
        assert_int_equal(ui_pinyin_type(py, bad[i]), KIOSK_INVALID);
    /* No letter starts with i, u or v; no leading or doubled separator. */
    assert_int_equal(ui_pinyin_type(py, 'i'), KIOSK_INVALID);
    assert_int_equal(ui_pinyin_type(py, 'u'), KIOSK_INVALID);
    assert_int_equal(ui_pinyin_type(py, 'v'), KIOSK_INVALID);
    assert_int_equal(ui_pinyin_type(py, '\''), KIOSK_INVALID);
    assert_string_equal(ui_pinyin_spelling(py), "");
    assert_int_equal(ui_pinyin_candidate_count(py), 0);

    /* Upper case folds. */
    type_all("BeiJing");
    assert_string_equal(ui_pinyin_spelling(py), "bei'jing");
    size_t n = ui_pinyin_candidate_count(py);
    /* A letter that cannot continue is refused and changes nothing. */
    assert_int_equal(ui_pinyin_type(py, 'v'), KIOSK_INVALID);
    assert_int_equal(ui_pinyin_type(py, '3'), KIOSK_INVALID);
    assert_string_equal(ui_pinyin_spelling(py), "bei'jing");
    assert_int_equal(ui_pinyin_candidate_count(py), n);
    assert_int_equal(find("北京", 1), 0);
    assert_int_equal(ui_pinyin_type(py, '\''), KIOSK_OK);
    assert_int_equal(ui_pinyin_type(py, '\''), KIOSK_INVALID);
    assert_string_equal(ui_pinyin_spelling(py), "bei'jing'");

    /* The same after a partial choice. */
    ui_pinyin_reset(py);
    char out[UI_PINYIN_CANDIDATE_BYTES];
    int done;
    type_all("beijing");
    assert_int_equal(ui_pinyin_choose(py, (size_t)find("北", 10), out, sizeof(out), &done),
                     KIOSK_OK);
    assert_int_equal(done, 0);
    assert_string_equal(ui_pinyin_spelling(py), "jing");
    n = ui_pinyin_candidate_count(py);
    char first[UI_PINYIN_CANDIDATE_BYTES];
    assert_int_equal(ui_pinyin_candidate(py, 0, first, sizeof(first)), KIOSK_OK);
    assert_int_equal(ui_pinyin_type(py, 'v'), KIOSK_INVALID);
    assert_string_equal(ui_pinyin_spelling(py), "jing");
    assert_int_equal(ui_pinyin_candidate_count(py), n);
    assert_int_equal(ui_pinyin_candidate(py, 0, out, sizeof(out)), KIOSK_OK);
    assert_string_equal(out, first);
    assert_int_equal(strlen(out), 3); /* one character: 北 is not repeated */
    assert_true(find("京", 10) >= 0);
    /* "f" is an initial, but "fi" is no spelling. */
    assert_int_equal(ui_pinyin_type(py, 'f'), KIOSK_OK);
    assert_int_equal(ui_pinyin_type(py, 'i'), KIOSK_INVALID);
    assert_string_equal(ui_pinyin_spelling(py), "jing'f");
    assert_true(ui_pinyin_candidate_count(py) > 0);
    assert_int_equal(ui_pinyin_candidate(py, 0, out, sizeof(out)), KIOSK_OK);
    assert_int_equal(strlen(out), 6); /* two characters for jing'f, 北 not repeated */
    ui_pinyin_reset(py);
    type_all("df");
    assert_int_equal(ui_pinyin_type(py, 'i'), KIOSK_INVALID);
    assert_string_equal(ui_pinyin_spelling(py), "d'f");
    assert_true(find("地方", 5) >= 0);

    /* NULL handling. */
    assert_int_equal(ui_pinyin_type(NULL, 'a'), KIOSK_INVALID);
    assert_int_equal(ui_pinyin_backspace(NULL), KIOSK_INVALID);
    assert_string_equal(ui_pinyin_spelling(NULL), "");
    assert_int_equal(ui_pinyin_candidate_count(NULL), 0);
    assert_int_equal(ui_pinyin_candidate(py, 0, NULL, 8), KIOSK_INVALID);
    assert_int_equal(ui_pinyin_choose(py, 0, out, sizeof(out), NULL), KIOSK_INVALID);
    ui_pinyin_reset(NULL);
    ui_pinyin_destroy(NULL);
    ui_pinyin_reset(py);
}

static void test_too_long(void **state)
{
    (void)state;
    /* A 41-letter address: the first UI_PINYIN_SPELLING_MAX go in, then KIOSK_RANGE. */
    const char *addr = "beijingshichaoyangqujianguomenwaidajieyihao";
    ui_pinyin_reset(py);
    log_lines = 0;
    for (size_t i = 0; i < UI_PINYIN_SPELLING_MAX; i++)
        assert_int_equal(ui_pinyin_type(py, addr[i]), KIOSK_OK);
    assert_int_equal(ui_pinyin_type(py, addr[UI_PINYIN_SPELLING_MAX]), KIOSK_RANGE);
    assert_true(strlen(ui_pinyin_spelling(py)) < UI_PINYIN_SPELLING_BYTES);
    assert_true(ui_pinyin_candidate_count(py) > 0);
    char out[UI_PINYIN_CANDIDATE_BYTES];
    assert_int_equal(ui_pinyin_candidate(py, 0, out, sizeof(out)), KIOSK_OK);
    assert_true(strncmp(out, "北京市朝阳区", strlen("北京市朝阳区")) == 0);
    assert_int_equal(ui_pinyin_backspace(py), KIOSK_OK);
    assert_int_equal(ui_pinyin_type(py, 'a'), KIOSK_OK);

    /* Runs that fill the library's search pools long before 32 letters: refused with
     * KIOSK_RANGE instead of the library aborting (16 letters of "an" used to). */
    static const char *const floods[] = {"an", "a", "ang", "er", "n", "bjsczxhg", "ggnnhhzz"};
    for (size_t k = 0; k < sizeof(floods) / sizeof(floods[0]); k++) {
        ui_pinyin_reset(py);
        kiosk_rc rc = KIOSK_OK;
        size_t typed = 0;
        for (size_t i = 0; rc == KIOSK_OK && i < 200; i++) {
            rc = ui_pinyin_type(py, floods[k][i % strlen(floods[k])]);
            typed += rc == KIOSK_OK;
        }
        assert_int_equal(rc, KIOSK_RANGE);
        assert_true(typed <= UI_PINYIN_SPELLING_MAX);
        assert_true(ui_pinyin_candidate_count(py) > 0);
        assert_int_equal(ui_pinyin_type(py, floods[k][typed % strlen(floods[k])]), KIOSK_RANGE);
        /* Choosing the whole guess still works, and so does backspace. */
        assert_int_equal(ui_pinyin_backspace(py), KIOSK_OK);
        int done = 0;
        assert_int_equal(ui_pinyin_choose(py, 0, out, sizeof(out), &done), KIOSK_OK);
        assert_int_equal(done, 1);
    }
    ui_pinyin_reset(py);
    assert_int_equal(log_lines, 0);
}

/* Keystrokes at random (fixed seed): letters, separators, backspace, choices, resets. The
 * library must never abort and the module's answers must stay consistent. */
static void test_random_keys(void **state)
{
    (void)state;
    static const char keys[] = "abcdefghijklmnopqrstuvwxyz'anngiehzsh";
    uint32_t seed = 12345;
    char out[UI_PINYIN_CANDIDATE_BYTES];
    ui_pinyin_reset(py);
    log_lines = 0;
    for (int step = 0; step < 4000; step++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t r = (seed >> 8) % 100;
        if (r < 80) {
            kiosk_rc rc = ui_pinyin_type(py, keys[(seed >> 16) % (sizeof(keys) - 1)]);
            assert_true(rc == KIOSK_OK || rc == KIOSK_INVALID || rc == KIOSK_RANGE);
        } else if (r < 90) {
            kiosk_rc rc = ui_pinyin_backspace(py);
            assert_true(rc == KIOSK_OK || rc == KIOSK_NOT_FOUND);
        } else if (r < 98) {
            size_t n = ui_pinyin_candidate_count(py);
            int done = 0;
            if (n == 0)
                continue;
            size_t idx = (seed >> 12) % (n < 12 ? n : 12);
            assert_int_equal(ui_pinyin_choose(py, idx, out, sizeof(out), &done), KIOSK_OK);
            assert_true(out[0] != '\0');
        } else {
            ui_pinyin_reset(py);
        }
        const char *s = ui_pinyin_spelling(py);
        assert_true(strlen(s) < UI_PINYIN_SPELLING_BYTES);
        assert_true((s[0] == '\0') == (ui_pinyin_candidate_count(py) == 0));
    }
    ui_pinyin_reset(py);
    assert_int_equal(log_lines, 0);
}

static void test_create_errors(void **state)
{
    (void)state;
    ui_pinyin *other = (ui_pinyin *)&other;
    assert_int_equal(ui_pinyin_create(KIOSK_TEST_TMP "/no-such-dict.dat", &other), KIOSK_NOT_FOUND);
    assert_null(other);
    other = (ui_pinyin *)&other;
    assert_int_equal(ui_pinyin_create("/nonexistent-dir/dict_pinyin.dat", &other), KIOSK_NOT_FOUND);
    assert_null(other);
    other = (ui_pinyin *)&other;
    assert_int_equal(ui_pinyin_create(KIOSK_TEST_TMP, &other), KIOSK_NOT_FOUND); /* a dir */
    assert_null(other);

    FILE *f = fopen(TMP_EMPTY, "wb");
    assert_non_null(f);
    fclose(f);
    other = (ui_pinyin *)&other;
    assert_int_equal(ui_pinyin_create(TMP_EMPTY, &other), KIOSK_CORRUPT);
    assert_null(other);
    remove(TMP_EMPTY);

    /* One engine per process. */
    other = (ui_pinyin *)&other;
    assert_int_equal(ui_pinyin_create(NULL, &other), KIOSK_BUSY);
    assert_null(other);
    assert_int_equal(ui_pinyin_create(NULL, NULL), KIOSK_INVALID);
}

static void test_reopen(void **state)
{
    (void)state;
    char out[UI_PINYIN_CANDIDATE_BYTES];
    int done;
    type_all("wang");
    ui_pinyin_destroy(py);
    py = NULL;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(ui_pinyin_create(NULL, &py), KIOSK_OK);
        assert_string_equal(ui_pinyin_spelling(py), "");
        type_all("beijing");
        assert_int_equal(ui_pinyin_choose(py, (size_t)find("北京", 3), out, sizeof(out), &done),
                         KIOSK_OK);
        assert_string_equal(out, "北京");
        if (i == 0) {
            ui_pinyin_destroy(py);
            py = NULL;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beijing),         cmocka_unit_test(test_surnames),
        cmocka_unit_test(test_phrase_in_steps), cmocka_unit_test(test_paging),
        cmocka_unit_test(test_backspace_reset), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_too_long),        cmocka_unit_test(test_random_keys),
        cmocka_unit_test(test_create_errors),   cmocka_unit_test(test_reopen),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
