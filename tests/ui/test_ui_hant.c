/* Traditional Chinese on the screen: the TC subset (fonts/NotoSansCJKtc-Kiosk.otf) holds
 * every ideograph and CJK punctuation mark of the generated zh_Hant strings, commitment,
 * code names and division names, so none of them takes an SC shape; and the zh_Hant
 * stack (TC first, then the Simplified fonts) draws all of that text with no box. A TC
 * character differs from SC in shape: 骨 is drawn differently by the two faces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "config/kiosk_config.h"
#include "config/kiosk_strings.h"
#include "ui/ui_text.h"

#define TC_FONT KIOSK_TEST_FONTS "/NotoSansCJKtc-Kiosk.otf"
#define REGEN "toolchain/gen-fonts.sh --tc build/assets remakes the TC subset"

/* The ideographs and CJK punctuation of text, appended to out (cap bytes). */
static void cjk_of(const char *text, char *out, size_t cap)
{
    size_t n = strlen(out);
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        uint32_t cp = len == 1 ? *p : (uint32_t)(*p & (0xFF >> (len + 1)));
        for (size_t i = 1; i < len && p[i]; i++)
            cp = cp << 6 | (p[i] & 0x3F);
        int cjk = (cp >= 0x3001 && cp <= 0x303F) || (cp >= 0x3400 && cp <= 0x9FFF);
        if (cjk && n + len < cap) {
            memcpy(out + n, p, len);
            n += len;
        }
        p += len;
    }
    out[n] = '\0';
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = '\0';
    fclose(f);
    return buf;
}

static void test_tc_subset_holds_the_kiosk_text(void **state)
{
    (void)state;
    const char *paths[] = {TC_FONT};
    ui_text *tc;
    assert_int_equal(ui_text_create(NULL, paths, 1, &tc), KIOSK_OK);
    kiosk_strings *s;
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", "zh_Hant", &s, NULL),
                     KIOSK_OK);
    static char cjk[1 << 20];
    cjk[0] = '\0';
    for (size_t i = 0; i < kiosk_strings_count(s); i++)
        cjk_of(kiosk_strings_find(s, kiosk_strings_key_at(s, i)), cjk, sizeof cjk);
    assert_true(strlen(cjk) > 3000);
    size_t missing = ui_text_count_missing(tc, cjk);
    if (missing)
        fail_msg("%zu characters of zh_Hant.ini are not in the TC subset: %s", missing, REGEN);
    const char *files[] = {KIOSK_TEST_ASSETS "/commitment/zh_Hant.txt",
                           KIOSK_TEST_ASSETS "/divisions/divisions.zh_Hant.txt",
                           KIOSK_TEST_ASSETS "/codes.zh_Hant/document_type.tsv",
                           KIOSK_TEST_ASSETS "/codes.zh_Hant/education.tsv",
                           KIOSK_TEST_ASSETS "/codes.zh_Hant/unemployment_reason.tsv"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char *text = read_file(files[f]);
        cjk[0] = '\0';
        cjk_of(text, cjk, sizeof cjk);
        free(text);
        missing = ui_text_count_missing(tc, cjk);
        if (missing)
            fail_msg("%zu characters of %s are not in the TC subset: %s", missing, files[f], REGEN);
    }
    kiosk_strings_destroy(s);
    ui_text_destroy(tc);
}

/* The whole zh_Hant stack: every string, commitment line and division name, no box. */
static void test_hant_stack_draws_everything(void **state)
{
    (void)state;
    kiosk_config cfg;
    kiosk_config_defaults(&cfg, KIOSK_TEST_ASSETS, KIOSK_TEST_FONTS);
    kiosk_config_fonts fp;
    kiosk_config_font_paths_lang(&cfg, "zh_Hant", &fp);
    assert_int_equal(fp.n, 4);
    assert_non_null(strstr(fp.list[0], "NotoSansCJKtc-Kiosk.otf"));
    kiosk_config_font_paths_lang(&cfg, "zh_CN", &fp);
    assert_int_equal(fp.n, 3);
    assert_null(strstr(fp.list[0], "tc-Kiosk"));
    kiosk_config_font_paths_lang(&cfg, "zh_Hant", &fp);
    ui_text *t;
    assert_int_equal(ui_text_create(NULL, fp.list, fp.n, &t), KIOSK_OK);
    kiosk_strings *s;
    assert_int_equal(kiosk_strings_load(KIOSK_TEST_ASSETS "/strings", "zh_Hant", &s, NULL),
                     KIOSK_OK);
    for (size_t i = 0; i < kiosk_strings_count(s); i++) {
        const char *key = kiosk_strings_key_at(s, i);
        if (ui_text_count_missing(t, kiosk_strings_find(s, key)))
            fail_msg("%s: a box in zh_Hant", key);
    }
    const char *files[] = {KIOSK_TEST_ASSETS "/commitment/zh_Hant.txt",
                           KIOSK_TEST_ASSETS "/divisions/divisions.zh_Hant.txt"};
    for (size_t f = 0; f < 2; f++) {
        char *text = read_file(files[f]);
        /* tabs and digits are Latin: drawn by the SC font, no box either */
        assert_int_equal(ui_text_count_missing(t, text), 0);
        free(text);
    }
    kiosk_strings_destroy(s);
    ui_text_destroy(t);
}

/* The TC face's 骨 is not the SC face's: the subset really brings Traditional shapes. */
static void test_tc_shapes_differ(void **state)
{
    (void)state;
    TTF_Font *tc = TTF_OpenFont(TC_FONT, 64);
    TTF_Font *sc = TTF_OpenFont(KIOSK_TEST_FONTS "/NotoSansCJKsc-Kiosk.otf", 64);
    assert_non_null(tc);
    assert_non_null(sc);
    SDL_Color black = {0, 0, 0, 255};
    SDL_Surface *a = TTF_RenderUTF8_Solid(tc, "骨", black);
    SDL_Surface *b = TTF_RenderUTF8_Solid(sc, "骨", black);
    assert_non_null(a);
    assert_non_null(b);
    int differ = a->w != b->w || a->h != b->h;
    for (int y = 0; !differ && y < a->h; y++)
        differ = memcmp((uint8_t *)a->pixels + y * a->pitch, (uint8_t *)b->pixels + y * b->pitch,
                        (size_t)a->w) != 0;
    assert_true(differ);
    /* Latin is left to the SC font */
    assert_false(TTF_GlyphIsProvided32(tc, 'A'));
    assert_true(TTF_GlyphIsProvided32(tc, 0x3002)); /* 。centred */
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    TTF_CloseFont(tc);
    TTF_CloseFont(sc);
}

static int setup(void **state)
{
    (void)state;
    return TTF_Init();
}

static int teardown(void **state)
{
    (void)state;
    TTF_Quit();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tc_subset_holds_the_kiosk_text),
        cmocka_unit_test(test_hant_stack_draws_everything),
        cmocka_unit_test(test_tc_shapes_differ),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
