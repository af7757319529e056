/*
 * Theme values. The normal palette is a calm blue on white with text darker than WCAG
 * AA needs; the high-contrast palette is white on black with yellow accents, for
 * citizens with low vision. The screens name a colour's role, never its value.
 */
#include "ui/ui_theme.h"

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
    if (high_contrast) {
        t->bg = (SDL_Color){0, 0, 0, 255};
        t->fg = (SDL_Color){255, 255, 255, 255};
        t->muted = (SDL_Color){230, 230, 230, 255};
        t->panel = (SDL_Color){30, 30, 30, 255};
        t->accent = (SDL_Color){255, 221, 0, 255};
        t->on_accent = (SDL_Color){0, 0, 0, 255};
        t->error = t->accent; /* dark red is lost on black: the yellow stands out */
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
        t->card = (SDL_Color){0, 102, 204, 255};
        t->on_card = (SDL_Color){255, 255, 255, 255};
        t->card_shadow = (SDL_Color){205, 214, 228, 255};
        t->chip = (SDL_Color){232, 184, 74, 255};
    }
    /* the same in both modes */
    t->on_error = (SDL_Color){255, 255, 255, 255};
    t->veil = (SDL_Color){0, 0, 0, 160};
    t->veil_closed = (SDL_Color){0, 0, 0, 170}; /* a shade darker than veil, as it was */
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

int ui_theme_target_px(const ui_theme *t, int layout_px)
{
    int px = ui_theme_px(t, layout_px);
    return px < t->min_target_px ? t->min_target_px : px;
}
