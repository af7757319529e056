/*
 * Theme values. The normal palette is a calm blue on white with text darker than WCAG
 * AA needs; the high-contrast palette is white on black with yellow accents, for
 * citizens with low vision. The screens name a colour's or a text size's role, never its
 * value.
 */
#include "ui/ui_theme.h"

/* Layout font sizes by role, portrait and landscape. Roles with near sizes (the hints,
 * the three keypads' digits) are kept apart so that naming them moved no pixel; bringing
 * them together is a design change of its own. */
static const struct {
    short portrait, landscape;
} sizes[UI_SIZE_COUNT] = {
    [UI_SIZE_TITLE] = {72, 56},
    [UI_SIZE_STEP] = {44, 36},
    [UI_SIZE_TOGGLE] = {30, 26},
    [UI_SIZE_HEADLINE] = {84, 64},
    [UI_SIZE_LEAD] = {52, 40},
    [UI_SIZE_EXPLAIN] = {60, 44},
    [UI_SIZE_BODY] = {44, 32},
    [UI_SIZE_READING] = {46, 32},
    [UI_SIZE_HINT] = {40, 30},
    [UI_SIZE_PIN_HINT] = {44, 34},
    [UI_SIZE_PAGE_HINT] = {38, 28},
    [UI_SIZE_FIELD_LABEL] = {34, 26},
    [UI_SIZE_FIELD_VALUE] = {44, 32},
    [UI_SIZE_CARD_HEAD] = {38, 28},
    [UI_SIZE_REVIEW_ROW] = {32, 26},
    [UI_SIZE_DIALOG] = {76, 56},
    [UI_SIZE_BIG_DIGIT] = {140, 96},
    [UI_SIZE_NOTICE] = {68, 52},
    [UI_SIZE_STATUS] = {30, 24},
    [UI_SIZE_BANNER] = {34, 28},
    [UI_SIZE_NOTICE_BANNER] = {48, 34},
    [UI_SIZE_EDIT_TITLE] = {52, 38},
    [UI_SIZE_EDIT_VALUE] = {52, 36},
    [UI_SIZE_OPTION] = {38, 28},
    [UI_SIZE_YEAR] = {64, 48},
    [UI_SIZE_MONTH] = {40, 40},
    [UI_SIZE_KEY] = {44, 44},
    [UI_SIZE_CANDIDATE] = {40, 40},
    [UI_SIZE_SPELLING] = {32, 32},
    [UI_SIZE_MENU_TITLE] = {44, 34},
    [UI_SIZE_MENU_HEADING] = {48, 36},
    [UI_SIZE_MENU_TEXT] = {46, 34},
    [UI_SIZE_MENU_HINT] = {44, 32},
    [UI_SIZE_MENU_VALUE] = {52, 40},
    [UI_SIZE_MENU_NOTE] = {36, 28},
    [UI_SIZE_MENU_ROW] = {34, 26},
    [UI_SIZE_MENU_ACTION] = {36, 26},
    [UI_SIZE_LOG] = {24, 18},
    [UI_SIZE_ATTRACT_TITLE] = {104, 72},
    [UI_SIZE_ATTRACT_SUBTITLE] = {48, 36},
    [UI_SIZE_ATTRACT_INSTRUCTION] = {76, 52},
    [UI_SIZE_ATTRACT_STEP] = {38, 30},
    [UI_SIZE_ATTRACT_SMALL] = {36, 28},
    [UI_SIZE_ATTRACT_TOGGLE] = {32, 32},
    [UI_SIZE_BUTTON_MAIN] = {52, 52},
    [UI_SIZE_BUTTON] = {48, 48},
    [UI_SIZE_BUTTON_SMALL] = {44, 44},
    [UI_SIZE_BUTTON_COMPACT] = {36, 36},
    [UI_SIZE_BUTTON_BAR] = {34, 34},
    [UI_SIZE_BUTTON_EDIT] = {32, 32},
    [UI_SIZE_SCROLL] = {64, 64},
    [UI_SIZE_PIN_DIGIT] = {64, 64},
    [UI_SIZE_PAD_DIGIT] = {60, 60},
    [UI_SIZE_STAFF_DIGIT] = {56, 56},
    [UI_SIZE_KEY_SYMBOL] = {56, 56},
    [UI_SIZE_KEY_WORD] = {40, 40},
    [UI_SIZE_STAFF_KEY_WORD] = {36, 36},
};

void ui_theme_init(ui_theme *t, int w, int h, int dpi, int large_text, int high_contrast)
{
    t->landscape = w > h;
    float bw = t->landscape ? 1280.0f : 1080.0f, bh = t->landscape ? 800.0f : 1920.0f;
    float sx = (float)w / bw, sy = (float)h / bh;
    t->scale = sx < sy ? sx : sy;
    t->large_text = large_text;
    t->high_contrast = high_contrast;
    t->text_scale = large_text ? 1.3f : 1.0f;
    t->min_target_px = (int)((float)dpi * 9.0f / 25.4f + 0.5f);
    t->drag_px = (int)((float)dpi * 3.0f / 25.4f + 0.5f);
    if (high_contrast) {
        t->bg = (SDL_Color){0, 0, 0, 255};
        t->fg = (SDL_Color){255, 255, 255, 255};
        t->muted = (SDL_Color){230, 230, 230, 255};
        t->panel = (SDL_Color){30, 30, 30, 255};
        t->accent = (SDL_Color){255, 221, 0, 255};
        t->on_accent = (SDL_Color){0, 0, 0, 255};
        t->error = t->accent; /* dark red is lost on black: the yellow stands out */
        t->success = (SDL_Color){0, 230, 118, 255};
        t->notice = t->accent;
        t->card = (SDL_Color){255, 255, 255, 255};
        t->on_card = (SDL_Color){0, 0, 0, 255};
        t->card_shadow = (SDL_Color){90, 90, 90, 255};
        t->chip = (SDL_Color){255, 221, 0, 255};
    } else {
        t->bg = (SDL_Color){246, 248, 251, 255};
        t->fg = (SDL_Color){23, 32, 51, 255};
        t->muted = (SDL_Color){70, 82, 104, 255};
        t->panel = (SDL_Color){255, 255, 255, 255};
        t->accent = (SDL_Color){0, 87, 184, 255};
        t->on_accent = (SDL_Color){255, 255, 255, 255};
        t->error = (SDL_Color){190, 30, 30, 255};
        t->success = (SDL_Color){22, 128, 61, 255};
        t->notice = (SDL_Color){196, 102, 0, 255};
        t->card = (SDL_Color){0, 102, 204, 255};
        t->on_card = (SDL_Color){255, 255, 255, 255};
        t->card_shadow = (SDL_Color){205, 214, 228, 255};
        t->chip = (SDL_Color){232, 184, 74, 255};
    }
    /* the same in both modes */
    t->on_error = (SDL_Color){255, 255, 255, 255};
    t->veil = (SDL_Color){0, 0, 0, 160};
    t->veil_closed = (SDL_Color){0, 0, 0, 170}; /* a shade darker than veil, as it was */
    t->pressed = high_contrast ? (SDL_Color){255, 255, 255, 90} : (SDL_Color){0, 0, 0, 70};
    t->paper = (SDL_Color){255, 255, 255, 255}; /* a signature is dark ink on white */
    t->paper_rule = (SDL_Color){200, 205, 215, 255};
    t->ink = (SDL_Color){0, 0, 0, 255};
}

int ui_theme_px(const ui_theme *t, int layout_px)
{
    return (int)((float)layout_px * t->scale + 0.5f);
}

int ui_theme_font_px(const ui_theme *t, int layout_px)
{
    return (int)((float)layout_px * t->scale * t->text_scale + 0.5f);
}

int ui_theme_size(const ui_theme *t, ui_size role)
{
    return t->landscape ? sizes[role].landscape : sizes[role].portrait;
}

int ui_theme_size_px(const ui_theme *t, ui_size role)
{
    return ui_theme_font_px(t, ui_theme_size(t, role));
}

int ui_theme_text_target_px(const ui_theme *t, int layout_px)
{
    int px = ui_theme_font_px(t, layout_px);
    return px < t->min_target_px ? t->min_target_px : px;
}

int ui_theme_target_px(const ui_theme *t, int layout_px)
{
    int px = ui_theme_px(t, layout_px);
    return px < t->min_target_px ? t->min_target_px : px;
}
