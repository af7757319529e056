/*
 * Line-break classes by table lookups over small lists; see kiosk_linebreak.h.
 */
#include "core/kiosk_linebreak.h"

static int in(uint32_t cp, uint32_t lo, uint32_t hi)
{
    return cp >= lo && cp <= hi;
}

static int in_list(uint32_t cp, const uint16_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == cp)
            return 1;
    return 0;
}

int kiosk_brk_ignorable(uint32_t cp)
{
    return cp < 0x20 || in(cp, 0x7F, 0x9F) || cp == 0xAD || in(cp, 0x180B, 0x180F) ||
           in(cp, 0x200B, 0x200F) || in(cp, 0x202A, 0x202E) || in(cp, 0x2060, 0x206F) ||
           in(cp, 0xFE00, 0xFE0F) || cp == 0xFEFF || in(cp, 0xE0000, 0xE0FFF);
}

kiosk_brk kiosk_brk_class(uint32_t cp)
{
    static const uint16_t close_w[] = {
        0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0xFF09, 0xFF3D, 0xFF5D,
        0xFF60, 0xFF61, 0xFF63, 0xFF64, 0xFF65, 0xFF70, 0xFF05, 0x3009, 0x300B, 0x300D, 0x300F,
        0x3011, 0x3015, 0x3017, 0x3019, 0x301B, 0x301E, 0x301F, 0x2026, 0x2025, 0x2014, 0x2015,
        0x2E3A, 0x2E3B, 0x30FB, 0x30FC, 0x00B7, 0x3005, 0x303B, 0x309D, 0x309E, 0x30FD, 0x30FE,
        0x2103, 0x00B0, 0x2030, 0x2032, 0x2033, 0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063,
        0x3083, 0x3085, 0x3087, 0x308E, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3,
        0x30E5, 0x30E7, 0x30EE, 0x30F5, 0x30F6};
    static const uint16_t close_n[] = {')', ']', '}', ',',    '.',    ':',    ';',
                                       '!', '?', '%', 0x2019, 0x201D, 0x203A, 0x00BB};
    static const uint16_t open_w[] = {0xFF08, 0xFF3B, 0xFF5B, 0xFF5F, 0xFF62, 0x3008,
                                      0x300A, 0x300C, 0x300E, 0x3010, 0x3014, 0x3016,
                                      0x3018, 0x301A, 0x301D, 0xFFE5, 0xFF04, 0xFFE1};
    static const uint16_t open_n[] = {'(',    '[',    '{', 0x2018, 0x201C, 0x2039,
                                      0x00AB, 0x00A5, '$', 0x00A3, 0x20AC};
    if (cp == ' ' || cp == '\t' || cp == 0x3000)
        return KIOSK_BRK_SPACE;
    if (cp == 0x200B)
        return KIOSK_BRK_ZW;
    if (cp == '\n' || kiosk_brk_ignorable(cp))
        return KIOSK_BRK_GLUE;
    if (cp > 0xFFFF)
        return in(cp, 0x1F000, 0x1FAFF) || cp >= 0x20000 ? KIOSK_BRK_IDEO : KIOSK_BRK_OTHER;
    if (in_list(cp, close_w, sizeof close_w / sizeof close_w[0]))
        return KIOSK_BRK_CLOSE_W;
    if (in_list(cp, close_n, sizeof close_n / sizeof close_n[0]))
        return KIOSK_BRK_CLOSE_N;
    if (in_list(cp, open_w, sizeof open_w / sizeof open_w[0]))
        return KIOSK_BRK_OPEN_W;
    if (in_list(cp, open_n, sizeof open_n / sizeof open_n[0]))
        return KIOSK_BRK_OPEN_N;
    if (in(cp, 0x2190, 0x21FF) || in(cp, 0x2460, 0x27BF) || in(cp, 0x2E80, 0xA4CF) ||
        in(cp, 0xAC00, 0xD7AF) || in(cp, 0xE000, 0xFAFF) || in(cp, 0xFE10, 0xFE6F) ||
        in(cp, 0xFF00, 0xFFEF))
        return KIOSK_BRK_IDEO;
    return KIOSK_BRK_OTHER;
}

int kiosk_brk_allowed(kiosk_brk a, kiosk_brk b)
{
    if (b == KIOSK_BRK_SPACE || b == KIOSK_BRK_CLOSE_W || b == KIOSK_BRK_CLOSE_N ||
        b == KIOSK_BRK_GLUE)
        return 0;
    if (a == KIOSK_BRK_OPEN_W || a == KIOSK_BRK_OPEN_N || a == KIOSK_BRK_GLUE)
        return 0;
    if (a == KIOSK_BRK_SPACE || a == KIOSK_BRK_ZW || a == KIOSK_BRK_IDEO || a == KIOSK_BRK_CLOSE_W)
        return 1;
    return b == KIOSK_BRK_IDEO || b == KIOSK_BRK_OPEN_W;
}
