/*
 * The visual theme: colours for the normal and high-contrast modes, sizes scaled by
 * screen density and the large-text mode, and the minimum touch target (9 mm at the
 * configured DPI). One layout is designed at a base size (1080×1920 portrait, 1280×800
 * landscape) and scaled; nothing here draws.
 */
#ifndef UI_THEME_H
#define UI_THEME_H

#include <SDL.h>

typedef struct ui_theme {
    SDL_Color bg, fg, muted, panel, accent, accent_fg, card, card_fg, chip;
    float scale;       /* screen pixels per layout pixel */
    float text_scale;  /* extra factor for large text */
    int landscape;     /* 1 for the portable unit's layout */
    int min_target_px; /* smallest touch target, screen pixels */
    int large_text, high_contrast;
} ui_theme;

/* Set up a theme for a w×h screen at dpi with the given modes. */
void ui_theme_init(ui_theme *t, int w, int h, int dpi, int large_text, int high_contrast);

/* A layout length in screen pixels. */
int ui_theme_px(const ui_theme *t, int layout_px);

/* A font size in screen pixels (large text applied). */
int ui_theme_font_px(const ui_theme *t, int layout_px);

/* A touch target's side in screen pixels: layout size, but never under 9 mm. */
int ui_theme_target_px(const ui_theme *t, int layout_px);

#endif
