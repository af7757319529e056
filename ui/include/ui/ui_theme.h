/*
 * The visual theme: colours named by their role, for the normal and high-contrast modes;
 * sizes scaled by screen density and the large-text mode; and the minimum touch target
 * (9 mm at the configured DPI). One layout is designed at a base size (1080×1920
 * portrait, 1280×800 landscape) and scaled; nothing here draws.
 */
#ifndef UI_THEME_H
#define UI_THEME_H

#include <SDL.h>

typedef struct ui_theme {
    /* colours by role; high contrast picks its own in ui_theme_init */
    SDL_Color bg;          /* behind everything */
    SDL_Color fg;          /* text */
    SDL_Color muted;       /* secondary text, frames of keys and boxes */
    SDL_Color panel;       /* panels, key faces, the header */
    SDL_Color accent;      /* titles, the way forward, outlines */
    SDL_Color on_accent;   /* text on the accent */
    SDL_Color error;       /* what needs putting right: a wrong PIN, a problem, a low battery */
    SDL_Color on_error;    /* text on the error colour (the low-battery banner) */
    SDL_Color veil;        /* darkens the screen under a dialog */
    SDL_Color veil_closed; /* darkens the attract screen while out of service */
    SDL_Color card, on_card, card_shadow, chip; /* the card drawn on the attract screen */
    SDL_Color paper, paper_rule, ink;           /* the signature pad, its baseline, the signature */

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
