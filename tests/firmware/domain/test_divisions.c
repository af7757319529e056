/* Tests of the division asset as shipped (exact counts, a walk of the whole tree, names,
 * placeholder rows, children, full paths, Taiwan/Hong Kong/Macao) and of damaged assets
 * written to KIOSK_TEST_TMP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "domain/divisions.h"

#define ASSET KIOSK_TEST_ASSETS "/divisions/divisions.txt"

static divisions *div;

static int setup(void **state)
{
    (void)state;
    return divisions_load(ASSET, &div) == KIOSK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    divisions_destroy(div);
    return 0;
}

static void test_counts(void **state)
{
    (void)state;
    /* 31 mainland + 71 Taiwan, 81 Hong Kong, 82 Macao */
    assert_int_equal(divisions_count(div, DIVISIONS_PROVINCE), 34);
    /* 342 mainland + 20 Taiwan + 3 Hong Kong + 2 Macao */
    assert_int_equal(divisions_count(div, DIVISIONS_CITY), 342 + 20 + 3 + 2);
    /* 2978 mainland + 358 Taiwan + 18 Hong Kong + 7 Macao */
    assert_int_equal(divisions_count(div, DIVISIONS_COUNTY), 2978 + 358 + 18 + 7);
    assert_int_equal(divisions_count(div, DIVISIONS_STREET), 41352);
    assert_int_equal(divisions_count(div, (divisions_level)0), 0);
    /* the demo communities and villages under 370102 历下区 (invented: NOTICE) */
    assert_int_equal(divisions_count(div, DIVISIONS_COMMUNITY), 20);
    assert_int_equal(divisions_count(div, (divisions_level)6), 0);

    struct stat st;
    assert_int_equal(stat(ASSET, &st), 0);
    assert_true(st.st_size < 800 * 1000); /* the source pcas-code.json is 1.9 MB */
}

typedef struct walk {
    size_t level[6];     /* all entries */
    size_t mainland[6];  /* codes below 71 */
    size_t grouping;     /* grouping rows */
    size_t longest_path; /* bytes, without the NUL */
    char longest[13];    /* its code */
} walk;

/* Every code reached from the provinces: level, code shape, order, name, path. */
static void walk_tree(const char *code, int level, walk *w)
{
    static const size_t code_len[6] = {0, 2, 4, 6, 9, 12};
    const char *const *kids;
    size_t n = divisions_children(div, code, &kids);
    for (size_t i = 0; i < n; i++) {
        const char *c = kids[i];
        assert_int_equal(strlen(c), code_len[level + 1]);
        assert_int_equal(strspn(c, "0123456789"), code_len[level + 1]);
        assert_memory_equal(c, code ? code : "", code ? strlen(code) : 0);
        if (i > 0)
            assert_true(strcmp(kids[i - 1], c) < 0);
        assert_int_equal(divisions_level_of(div, c), level + 1);
        const char *name = divisions_name(div, c);
        assert_non_null(name);
        assert_true(name[0] != '\0');
        char path[DIVISIONS_PATH_MAX];
        assert_int_equal(divisions_path(div, c, path, sizeof path), KIOSK_OK);
        if (strlen(path) > w->longest_path) {
            w->longest_path = strlen(path);
            strcpy(w->longest, c);
        }
        w->level[level + 1]++;
        w->mainland[level + 1] += strcmp(c, "71") < 0;
        w->grouping += (size_t)divisions_is_grouping(div, c);
        if (level + 1 < DIVISIONS_LEVELS)
            walk_tree(c, level + 1, w);
    }
}

static void test_whole_tree(void **state)
{
    (void)state;
    walk w = {0};
    walk_tree(NULL, 0, &w);
    for (int l = DIVISIONS_PROVINCE; l <= DIVISIONS_COMMUNITY; l++)
        assert_int_equal(w.level[l], divisions_count(div, (divisions_level)l));
    assert_int_equal(w.mainland[1], 31);
    assert_int_equal(w.mainland[2], 342);
    assert_int_equal(w.mainland[3], 2978);
    assert_int_equal(w.mainland[4], 41352);
    /* 9 city placeholders, 4 cities without districts, 11 直辖村, 2 streets = county */
    assert_int_equal(w.grouping, 9 + 4 + 11 + 2);
    assert_true(w.longest_path < DIVISIONS_PATH_MAX / 2);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(divisions_name(div, "37"), "山东省");
    assert_string_equal(divisions_name(div, "3701"), "济南市");
    assert_string_equal(divisions_name(div, "370102"), "历下区");
    assert_string_equal(divisions_name(div, "370102001"), "解放路街道");
    assert_string_equal(divisions_name(div, "110101"), "东城区");
    assert_string_equal(divisions_name(div, "110101001"), "东华门街道");
    assert_string_equal(divisions_name(div, "65"), "新疆维吾尔自治区");
    assert_string_equal(divisions_name(div, "71"), "台湾省");
    assert_string_equal(divisions_name(div, "81"), "香港特别行政区");
    assert_string_equal(divisions_name(div, "82"), "澳门特别行政区");
    assert_string_equal(divisions_name(div, "7101"), "台北市");
    assert_string_equal(divisions_name(div, "710101"), "大安区");
    assert_string_equal(divisions_name(div, "8101"), "香港岛");
    assert_string_equal(divisions_name(div, "810101"), "中西区");
    assert_string_equal(divisions_name(div, "820202"), "圣方济各堂区（路环）");

    assert_int_equal(divisions_level_of(div, "37"), DIVISIONS_PROVINCE);
    assert_int_equal(divisions_level_of(div, "1101"), DIVISIONS_CITY);
    assert_int_equal(divisions_level_of(div, "810101"), DIVISIONS_COUNTY);
    assert_int_equal(divisions_level_of(div, "370102001"), DIVISIONS_STREET);
}

/* The community level (居委会 / 村委会) of the demo district: names, levels, paths, and a
 * street without communities stays a leaf. */
static void test_communities(void **state)
{
    (void)state;
    assert_string_equal(divisions_name(div, "370102001001"), "和平小区社区居委会");
    assert_int_equal(divisions_level_of(div, "370102001001"), DIVISIONS_COMMUNITY);
    assert_string_equal(divisions_name(div, "370102012201"), "龙洞村村委会");
    const char *const *c;
    assert_int_equal(divisions_children(div, "370102001", &c), 6);
    assert_string_equal(c[0], "370102001001");
    assert_int_equal(divisions_children(div, "370102001001", &c), 0);
    assert_null(c);
    assert_int_equal(divisions_children(div, "370102003", &c), 0); /* no demo rows */
    char p[DIVISIONS_PATH_MAX];
    assert_int_equal(divisions_path(div, "370102001001", p, sizeof p), KIOSK_OK);
    assert_string_equal(p, "山东省济南市历下区解放路街道和平小区社区居委会");
    assert_null(divisions_name(div, "370102001999"));
    assert_null(divisions_name(div, "3701020010011"));
}

static void test_placeholder_rows(void **state)
{
    (void)state;
    static const struct {
        const char *code, *name;
        int grouping;
    } rows[] = {
        {"1101", "北京市", 1}, /* 市辖区 */
        {"1201", "天津市", 1},
        {"3101", "上海市", 1},
        {"5001", "重庆市", 1},
        {"5002", "重庆市（县）", 1},         /* 县 */
        {"4190", "河南省直辖县级行政区", 1}, /* 省直辖县级行政区划 */
        {"4290", "湖北省直辖县级行政区", 1},
        {"4690", "海南省直辖县级行政区", 1},
        {"6590", "新疆维吾尔自治区直辖县级行政区", 1}, /* 自治区直辖县级行政区划 */
        {"441900", "东莞市", 1},                       /* a city without districts */
        {"620201", "嘉峪关市", 1},
        {"469001198", "五指山市直辖村", 1}, /* 县直辖村级区划 */
        {"330383198", "龙港市直辖村", 1},   /* 龙港县直辖村级区划 under 龙港市 */
        {"230803198", "向阳区直辖村", 1},
        {"350527000", "金门县", 1},
        {"11", "北京市", 0},
        {"4419", "东莞市", 0},
        {"429004", "仙桃市", 0},
        {"8101", "香港岛", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_string_equal(divisions_name(div, rows[i].code), rows[i].name);
        assert_int_equal(divisions_is_grouping(div, rows[i].code), rows[i].grouping);
    }
    assert_int_equal(divisions_is_grouping(div, "99"), 0);
    assert_int_equal(divisions_is_grouping(div, NULL), 0);
}

static void test_unknown_codes(void **state)
{
    (void)state;
    static const char *const unknown[] = {
        "",     "1",     "99",         "83", /* 83 is a residence-permit prefix only */
        "3799", "37010", "370199",     "370102999", "3701020010", "3701029999999",
        "11 ",  "1101a", "110101001x", "８１",
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_null(divisions_name(div, unknown[i]));
        assert_int_equal(divisions_level_of(div, unknown[i]), 0);
        char p[DIVISIONS_PATH_MAX];
        assert_int_equal(divisions_path(div, unknown[i], p, sizeof p), KIOSK_NOT_FOUND);
    }
    assert_null(divisions_name(div, NULL));
    assert_int_equal(divisions_level_of(div, NULL), 0);
}

static void test_children(void **state)
{
    (void)state;
    const char *const *c;
    assert_int_equal(divisions_children(div, NULL, &c), 34);
    assert_string_equal(c[0], "11");
    assert_string_equal(c[30], "65");
    assert_string_equal(c[31], "71");
    assert_string_equal(c[32], "81");
    assert_string_equal(c[33], "82");
    assert_int_equal(divisions_children(div, "", &c), 34);
    assert_string_equal(c[0], "11");

    assert_int_equal(divisions_children(div, "11", &c), 1);
    assert_string_equal(c[0], "1101");
    assert_int_equal(divisions_children(div, "1101", &c), 16);
    assert_string_equal(c[0], "110101");
    assert_string_equal(c[15], "110119");
    assert_int_equal(divisions_children(div, "370102", &c), 13);
    assert_string_equal(c[0], "370102001");
    assert_string_equal(c[12], "370102013");
    assert_int_equal(divisions_children(div, "50", &c), 2);
    assert_string_equal(c[0], "5001");
    assert_string_equal(c[1], "5002");
    assert_int_equal(divisions_children(div, "5002", &c), 12);
    assert_string_equal(divisions_name(div, c[0]), "城口县");
    assert_int_equal(divisions_children(div, "4290", &c), 4);
    assert_string_equal(c[3], "429021");
    assert_string_equal(divisions_name(div, c[3]), "神农架林区");
    assert_int_equal(divisions_children(div, "4419", &c), 1);
    assert_string_equal(c[0], "441900");
    assert_int_equal(divisions_children(div, "441900", &c), 36);

    static const char *const hk[] = {"香港岛", "九龙", "新界"};
    static const size_t hk_districts[] = {4, 5, 9};
    assert_int_equal(divisions_children(div, "81", &c), 3);
    for (size_t i = 0; i < 3; i++) {
        const char *const *d;
        assert_string_equal(divisions_name(div, c[i]), hk[i]);
        assert_int_equal(divisions_children(div, c[i], &d), hk_districts[i]);
    }
    assert_int_equal(divisions_children(div, "8203", &c), 0);
    assert_int_equal(divisions_children(div, "8201", &c), 5);
    assert_int_equal(divisions_children(div, "8202", &c), 2);
    assert_int_equal(divisions_children(div, "71", &c), 20);
    assert_int_equal(divisions_children(div, "810101", &c), 0); /* no street level */
    assert_null(c);

    c = (const char *const *)1;
    assert_int_equal(divisions_children(div, "110101001", &c), 0); /* leaf */
    assert_null(c);
    c = (const char *const *)1;
    assert_int_equal(divisions_children(div, "98", &c), 0); /* unknown */
    assert_null(c);
}

static void test_paths(void **state)
{
    (void)state;
    static const struct {
        const char *code, *path;
    } paths[] = {
        {"37", "山东省"},
        {"370102", "山东省济南市历下区"},
        {"370102001", "山东省济南市历下区解放路街道"},
        {"110101", "北京市东城区"},
        {"110101001", "北京市东城区东华门街道"},
        {"1101", "北京市"}, /* a grouping row's path is its parent's */
        {"5002", "重庆市"},
        {"500229", "重庆市城口县"},
        {"500101", "重庆市万州区"},
        {"429004", "湖北省仙桃市"},
        {"4290", "湖北省"},
        {"659001", "新疆维吾尔自治区石河子市"},
        {"441900003", "广东省东莞市东城街道"},
        {"441900", "广东省东莞市"},
        {"350527000", "福建省泉州市金门县"},
        {"469001198", "海南省五指山市"},
        {"71", "台湾省"},
        {"710101", "台湾省台北市大安区"},
        {"810101", "香港特别行政区香港岛中西区"},
        {"820201", "澳门特别行政区澳门外岛嘉模堂区（氹仔）"},
    };
    char p[DIVISIONS_PATH_MAX];
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        assert_int_equal(divisions_path(div, paths[i].code, p, sizeof p), KIOSK_OK);
        assert_string_equal(p, paths[i].path);
    }

    /* 山东省济南市历下区: 27 bytes; 28 hold it with the NUL, 27 do not. */
    assert_int_equal(divisions_path(div, "370102", p, 28), KIOSK_OK);
    assert_string_equal(p, "山东省济南市历下区");
    memset(p, 'x', sizeof p);
    assert_int_equal(divisions_path(div, "370102", p, 27), KIOSK_RANGE);
    assert_string_equal(p, "");
    assert_int_equal(divisions_path(div, "370102", p, 0), KIOSK_RANGE);
    assert_int_equal(divisions_path(div, "3799", p, sizeof p), KIOSK_NOT_FOUND);
    assert_int_equal(divisions_path(div, NULL, p, sizeof p), KIOSK_NOT_FOUND);
}

#define HEADER "# kiosk divisions v1 | test\n"

/* Loads text as an asset; on failure also checks that *out is NULL. */
static kiosk_rc load_text(const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/divisions-test.txt", KIOSK_TEST_TMP);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    divisions *d = (divisions *)1;
    kiosk_rc rc = divisions_load(path, &d);
    if (rc == KIOSK_OK) {
        assert_non_null(d);
        divisions_destroy(d);
    } else {
        assert_null(d);
    }
    return rc;
}

#define LOAD(s) load_text(s, sizeof(s) - 1)

static void test_small_assets(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/divisions-small.txt", KIOSK_TEST_TMP);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    /* CRLF, comments, blank lines, no final newline */
    fputs(HEADER "111\t北京市\r\n201*\t北京市\r\n# comment\n\n301\t东城区\r\n"
                 "4001\t东华门街道\n137\t山东省\n201\t济南市\n302\t历下区",
          f);
    assert_int_equal(fclose(f), 0);
    divisions *d;
    assert_int_equal(divisions_load(path, &d), KIOSK_OK);
    assert_int_equal(divisions_count(d, DIVISIONS_PROVINCE), 2);
    assert_int_equal(divisions_count(d, DIVISIONS_CITY), 2);
    assert_int_equal(divisions_count(d, DIVISIONS_COUNTY), 2);
    assert_int_equal(divisions_count(d, DIVISIONS_STREET), 1);
    assert_string_equal(divisions_name(d, "1101"), "北京市");
    assert_string_equal(divisions_name(d, "370102"), "历下区");
    assert_int_equal(divisions_is_grouping(d, "1101"), 1);
    const char *const *c;
    assert_int_equal(divisions_children(d, NULL, &c), 2);
    assert_string_equal(c[1], "37");
    char p[DIVISIONS_PATH_MAX];
    assert_int_equal(divisions_path(d, "110101001", p, sizeof p), KIOSK_OK);
    assert_string_equal(p, "北京市东城区东华门街道");
    divisions_destroy(d);
}

static void test_damaged_assets(void **state)
{
    (void)state;
    divisions *d = (divisions *)1;
    assert_int_equal(divisions_load(KIOSK_TEST_TMP "/no-such-file", &d), KIOSK_NOT_FOUND);
    assert_null(d);
    d = (divisions *)1;
    assert_int_equal(divisions_load(KIOSK_TEST_TMP "/no-such-dir/divisions.txt", &d),
                     KIOSK_NOT_FOUND);
    assert_null(d);
    d = (divisions *)1;
    assert_int_equal(divisions_load(KIOSK_TEST_TMP, &d), KIOSK_IO); /* a directory */
    assert_null(d);

    assert_int_equal(LOAD(HEADER "111\t北京市\n201\t北京市\n301\t东城区\n"), KIOSK_OK);
    assert_int_equal(LOAD(""), KIOSK_CORRUPT);
    assert_int_equal(LOAD(HEADER), KIOSK_CORRUPT);          /* empty */
    assert_int_equal(LOAD("111\t北京市\n"), KIOSK_CORRUPT); /* no header */
    assert_int_equal(LOAD("# kiosk divisions v2 | x\n111\t北京市\n"), KIOSK_CORRUPT);
    assert_int_equal(LOAD("# kiosk divisions v10 | x\n111\t北京市\n"), KIOSK_CORRUPT);
    assert_int_equal(LOAD(HEADER "111\t北京市\n301\t东城区\n"), KIOSK_CORRUPT); /* no city */
    assert_int_equal(LOAD(HEADER "201\t北京市\n"), KIOSK_CORRUPT);              /* no province */
    assert_int_equal(LOAD(HEADER "112\t天津市\n111\t北京市\n"), KIOSK_CORRUPT); /* order */
    assert_int_equal(LOAD(HEADER "111\t北京市\n111\t北京市\n"), KIOSK_CORRUPT); /* repeat */
    assert_int_equal(LOAD(HEADER "111\t北京市\n201\ta\n201\tb\n"), KIOSK_CORRUPT);
    assert_int_equal(LOAD(HEADER "11A\t北京市\n"), KIOSK_CORRUPT);
    assert_int_equal(LOAD(HEADER "1-1\t北京市\n"), KIOSK_CORRUPT);
    assert_int_equal(LOAD(HEADER "11\t北京市\n"), KIOSK_CORRUPT);   /* short suffix */
    assert_int_equal(LOAD(HEADER "1111\t北京市\n"), KIOSK_CORRUPT); /* long suffix */
    assert_int_equal(LOAD(HEADER "111*\t北京市\n"), KIOSK_CORRUPT); /* grouping province */
    assert_int_equal(LOAD(HEADER "111**\t北京市\n"), KIOSK_CORRUPT);
    assert_int_equal(LOAD(HEADER "111 北京市\n"), KIOSK_CORRUPT); /* no tab */
    assert_int_equal(LOAD(HEADER "111\t\n"), KIOSK_CORRUPT);      /* no name */
    assert_int_equal(LOAD(HEADER "111\t北京\t市\n"), KIOSK_CORRUPT);
    assert_int_equal(LOAD(HEADER "011\t北京市\n"), KIOSK_CORRUPT);  /* level 0 */
    assert_int_equal(LOAD(HEADER "511\t北京市\n"), KIOSK_CORRUPT);  /* level 5: 3 digits */
    assert_int_equal(LOAD(HEADER "6011\t北京市\n"), KIOSK_CORRUPT); /* level 6 */
    /* a community needs its street */
    assert_int_equal(LOAD(HEADER "111\ta\n201\tb\n301\tc\n5001\te\n"), KIOSK_CORRUPT);
    assert_int_equal(LOAD(HEADER "111\ta\n201\tb\n301\tc\n4001\td\n5001\te\n"), KIOSK_OK);
    assert_int_equal(LOAD(HEADER "\t北京市\n"), KIOSK_CORRUPT);
    assert_int_equal(LOAD(HEADER "111\t\xe5\x8c\n"), KIOSK_CORRUPT); /* truncated UTF-8 */
    assert_int_equal(LOAD(HEADER "111\t\xc0\xaf\n"), KIOSK_CORRUPT); /* overlong */
    assert_int_equal(LOAD(HEADER "111\t北京\0市\n"), KIOSK_CORRUPT); /* NUL byte */
    /* a street under a county of another province */
    assert_int_equal(LOAD(HEADER "111\ta\n201\tb\n301\tc\n112\td\n4001\te\n"), KIOSK_CORRUPT);

    /* Paths must fit DIVISIONS_PATH_MAX: 4 names of 63 bytes fit, of 64 do not. */
    char big[1024];
    char name63[64], name64[65];
    memset(name63, 'a', 63);
    name63[63] = '\0';
    memset(name64, 'b', 64);
    name64[64] = '\0';
    int n = snprintf(big, sizeof big, HEADER "111\t%s\n201\t%s\n301\t%s\n4001\t%s\n", name63,
                     name63, name63, name63);
    assert_int_equal(load_text(big, (size_t)n), KIOSK_OK);
    n = snprintf(big, sizeof big, HEADER "111\t%s\n201\t%s\n301\t%s\n4001\t%s\n", name64, name64,
                 name64, name64);
    assert_int_equal(load_text(big, (size_t)n), KIOSK_CORRUPT);
    /* ... unless a grouping row stays out of them */
    n = snprintf(big, sizeof big, HEADER "111\t%s\n201*\t%s\n301\t%s\n4001\t%s\n", name64, name64,
                 name64, name64);
    assert_int_equal(load_text(big, (size_t)n), KIOSK_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),         cmocka_unit_test(test_whole_tree),
        cmocka_unit_test(test_names),          cmocka_unit_test(test_placeholder_rows),
        cmocka_unit_test(test_unknown_codes),  cmocka_unit_test(test_children),
        cmocka_unit_test(test_paths),          cmocka_unit_test(test_small_assets),
        cmocka_unit_test(test_damaged_assets), cmocka_unit_test(test_communities),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
