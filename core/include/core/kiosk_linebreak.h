/*
 * Where a line of text may break: one set of rules for the screen (ui_text) and the
 * printed receipt. Chinese rules, simply (a small subset of UAX #14 and of the Chinese
 * layout rules, GB/T 15834 kinsoku): closing marks never start a line, opening marks
 * never end one, ideographs break on either side, Latin words break only at spaces.
 * Pure functions of code points; no allocation, any thread.
 */
#ifndef KIOSK_LINEBREAK_H
#define KIOSK_LINEBREAK_H

#include <stddef.h>
#include <stdint.h>

typedef enum kiosk_brk {
    KIOSK_BRK_OTHER,   /* letters, digits: no break inside a word */
    KIOSK_BRK_IDEO,    /* ideographs, kana, full-width forms, boxes: break on either side */
    KIOSK_BRK_SPACE,   /* break after, never before */
    KIOSK_BRK_ZW,      /* zero-width space: break after */
    KIOSK_BRK_GLUE,    /* joiners, variation selectors, controls: never break next to */
    KIOSK_BRK_CLOSE_W, /* ，。、）》… : not at line start, break after */
    KIOSK_BRK_CLOSE_N, /* , . ) : not at line start */
    KIOSK_BRK_OPEN_W,  /* （《「 : not at line end, break before */
    KIOSK_BRK_OPEN_N,  /* ( “ ¥ : not at line end */
} kiosk_brk;

/* The class of a character as text holds it (a space, a control, a mark …). A renderer
 * that draws a character it has no glyph for as a box may class it KIOSK_BRK_IDEO. */
kiosk_brk kiosk_brk_class(uint32_t cp);

/* 1 when a line may break between a character of class a and the next of class b. */
int kiosk_brk_allowed(kiosk_brk a, kiosk_brk b);

/* 1 for a character that takes no room and is never drawn (controls, joiners,
 * variation selectors, the BOM …). */
int kiosk_brk_ignorable(uint32_t cp);

#endif
