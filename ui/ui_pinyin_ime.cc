/*
 * The C++ side of ui_pinyin: libgooglepinyin's decoder (ime_pinyin::MatrixSearch) behind
 * the extern "C" functions declared in ui_pinyin.h, so all logic stays in ui_pinyin.c.
 * The engine is used directly rather than through pinyinime.h's im_* wrappers: those keep
 * a hidden global decoder and cannot tell how full the search pools are. No exception
 * crosses into C. Nothing here logs. UI thread only.
 *
 * Why the pools are inspected: the Debian build keeps assert() on, and the dictionary
 * trie has fixed pools (100 mile stones, 600 parsing marks per search). When a search
 * exhausts them the library aborts the process (matrixsearch.cpp extend_dmi: assert
 * 0 != handles[0]) or writes past mile_stones_. Realistic 32-letter spellings use up to
 * about 70 mile stones; runs like "anananananananan" (16 letters) or long strings of
 * initials use them all. So before each character ui_pinyin asks ui_pinyin_ime_has_room,
 * which reads the two counters. They are private members: they are read through the
 * standard explicit-instantiation access rule below, against the headers of the same
 * package as the library (libgooglepinyin0-dev 0.1.2).
 */
#define UI_PINYIN_IME_INTERNAL
#include "ui/ui_pinyin.h"

#include <cstring>
#include <new>

#include <dicttrie.h>
#include <matrixsearch.h>

using ime_pinyin::DictTrie;
using ime_pinyin::MatrixSearch;

static_assert(sizeof(ime_pinyin::char16) == sizeof(uint16_t), "char16 is UTF-16");
static_assert(sizeof(ime_pinyin::uint16) == sizeof(uint16_t), "uint16 is 16 bits");

namespace
{

/* DictTrie::kMaxMileStone and kMaxParsingMark (private in dicttrie.h). */
const unsigned kMileStones = 100;
const unsigned kParsingMarks = 600;
/* Room one character needs at most, with a wide margin: fuzzing 120 000 spellings (random
 * letters, random syllables and initials, separators) saw at most 8 mile stones and 51
 * parsing marks added by one character. */
const unsigned kMileStoneRoom = 20;
const unsigned kParsingMarkRoom = 128;

/* Explicit instantiation may name private members; the friend function it defines hands
 * out the member pointer. */
template <typename Tag, typename Tag::type Member> struct peek {
    friend typename Tag::type member_of(Tag)
    {
        return Member;
    }
};

struct trie_of {
    typedef DictTrie *MatrixSearch::*type;
    friend type member_of(trie_of);
};
template struct peek<trie_of, &MatrixSearch::dict_trie_>;

struct mile_stones_of {
    typedef ime_pinyin::MileStoneHandle DictTrie::*type;
    friend type member_of(mile_stones_of);
};
template struct peek<mile_stones_of, &DictTrie::mile_stones_pos_>;

struct parsing_marks_of {
    typedef ime_pinyin::uint16 DictTrie::*type;
    friend type member_of(parsing_marks_of);
};
template struct peek<parsing_marks_of, &DictTrie::parsing_marks_pos_>;

} // namespace

struct ui_pinyin_ime {
    MatrixSearch *ms;
};

extern "C" kiosk_rc ui_pinyin_ime_open(const char *sys_dict, ui_pinyin_ime **out)
{
    *out = nullptr;
    ui_pinyin_ime *e = new (std::nothrow) ui_pinyin_ime;
    if (!e)
        return KIOSK_NOMEM;
    e->ms = nullptr;
    kiosk_rc rc = KIOSK_OK;
    try {
        e->ms = new MatrixSearch();
        /* The library insists on a user dictionary path. /dev/null makes its loader fail
         * harmlessly, so the engine runs without one: it learns nothing from citizens and
         * writes nothing to disk. */
        if (!e->ms->init(sys_dict, "/dev/null"))
            rc = KIOSK_CORRUPT;
    } catch (const std::bad_alloc &) {
        /* A damaged file makes the loader ask for absurd sizes. */
        rc = KIOSK_CORRUPT;
    } catch (...) {
        rc = KIOSK_CORRUPT;
    }
    if (rc != KIOSK_OK) {
        /* After a failed init only the destructor is safe (close() touches the half-made
         * user dictionary and crashes). */
        delete e->ms;
        delete e;
        return rc;
    }
    *out = e;
    return KIOSK_OK;
}

extern "C" void ui_pinyin_ime_close(ui_pinyin_ime *e)
{
    if (!e)
        return;
    try {
        e->ms->close();
    } catch (...) {
    }
    delete e->ms;
    delete e;
}

extern "C" void ui_pinyin_ime_reset(ui_pinyin_ime *e)
{
    try {
        e->ms->reset_search();
    } catch (...) {
    }
}

extern "C" size_t ui_pinyin_ime_search(ui_pinyin_ime *e, const char *sps, size_t len)
{
    /* The engine compares the new spelling with the old one up to the old one's length
     * and copies len minus the common prefix: hand it a terminated copy so a shorter
     * spelling stops the comparison at len. */
    char buf[ime_pinyin::kMaxSearchSteps];
    if (len >= sizeof(buf))
        len = sizeof(buf) - 1;
    memcpy(buf, sps, len);
    buf[len] = '\0';
    size_t decoded = 0;
    try {
        e->ms->search(buf, len);
        e->ms->get_pystr(&decoded);
    } catch (...) {
        return 0;
    }
    return decoded;
}

extern "C" void ui_pinyin_ime_delete(ui_pinyin_ime *e, size_t pos)
{
    try {
        e->ms->delsearch(pos, false, false);
    } catch (...) {
    }
}

extern "C" const char *ui_pinyin_ime_spelling(ui_pinyin_ime *e, size_t *decoded)
{
    *decoded = 0;
    try {
        const char *s = e->ms->get_pystr(decoded);
        return s ? s : "";
    } catch (...) {
        return "";
    }
}

extern "C" size_t ui_pinyin_ime_syllables(ui_pinyin_ime *e, const uint16_t **starts)
{
    static const uint16_t none[1] = {0};
    *starts = none;
    try {
        const ime_pinyin::uint16 *s = nullptr;
        size_t n = e->ms->get_spl_start(s);
        if (s)
            *starts = s;
        else
            n = 0;
        return n;
    } catch (...) {
        return 0;
    }
}

extern "C" size_t ui_pinyin_ime_fixed(ui_pinyin_ime *e)
{
    try {
        return e->ms->get_fixedlen();
    } catch (...) {
        return 0;
    }
}

extern "C" size_t ui_pinyin_ime_count(ui_pinyin_ime *e)
{
    try {
        return e->ms->get_candidate_num();
    } catch (...) {
        return 0;
    }
}

extern "C" size_t ui_pinyin_ime_candidate(ui_pinyin_ime *e, size_t index, uint16_t *buf, size_t max)
{
    if (max == 0)
        return 0;
    buf[0] = 0;
    try {
        if (!e->ms->get_candidate(index, buf, max))
            return 0;
    } catch (...) {
        return 0;
    }
    buf[max - 1] = 0;
    size_t n = 0;
    while (buf[n])
        n++;
    return n;
}

extern "C" size_t ui_pinyin_ime_choose(ui_pinyin_ime *e, size_t index)
{
    try {
        return e->ms->choose(index);
    } catch (...) {
        return 0;
    }
}

extern "C" int ui_pinyin_ime_has_room(ui_pinyin_ime *e)
{
    const DictTrie *trie = e->ms->*member_of(trie_of());
    if (!trie)
        return 0;
    unsigned stones = trie->*member_of(mile_stones_of());
    unsigned marks = trie->*member_of(parsing_marks_of());
    return stones + kMileStoneRoom <= kMileStones && marks + kParsingMarkRoom <= kParsingMarks;
}
