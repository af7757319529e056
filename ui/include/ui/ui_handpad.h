/*
 * The handwriting keyboard (手写) of the form's text editor: the recogniser's candidates
 * as big buttons sized by their text, the pad the citizen writes on with the ink drawn
 * thick, 重写 (clear the pad), 删除, the caret's ◀ ▶, 拼音 (the pinyin keyboard, one tap
 * away), the address words (号 楼 栋 单元 室 …) and the digits. Draws and names touch
 * targets; what a tap does to the text is the form's (ui_form.c). The pad's strokes are
 * ui_handwriting's.
 */
#ifndef UI_HANDPAD_H
#define UI_HANDPAD_H

#include "ui/ui_handwriting.h"
#include "ui/ui_widget.h"

/* Touch targets besides "cand_<i>" (candidate i) and "kb_<text>" (a word or a digit: the
 * text goes in at the caret, as a keyboard key's). */
#define UI_ID_HW_CLEAR "hw_clear"       /* 重写: wipe the pad */
#define UI_ID_KB_DELETE "kb_del"        /* the character before the caret */
#define UI_ID_CARET_LEFT "caret_left"   /* the caret one character left */
#define UI_ID_CARET_RIGHT "caret_right" /* … right */
#define UI_ID_KB_PINYIN "kb_pinyin"     /* to the pinyin keyboard */
#define UI_ID_KB_HAND "kb_hand"         /* from the pinyin keyboard to the pad */

/* Draw the keyboard into area and place the pad (ui_handwriting_place) where strokes are
 * taken. hw is kept (its strokes and candidates are read, its place set). */
void ui_handpad_draw(ui_ctx *c, ui_handwriting *hw, SDL_Rect area);

/* A tap on "cand_<i>" or UI_ID_HW_CLEAR: for a candidate, its text (copied into out, at
 * most outsz bytes) is to go in at the caret, and the pad is cleared; returns 1 then, 2
 * for a tap the pad used alone (重写, a candidate that is not there), 0 for any other id. */
int ui_handpad_tap(ui_handwriting *hw, const char *id, char *out, size_t outsz);

#endif
