/*
 * The UI thread's application object. Window and renderer are created once; every
 * screen is redrawn only when something changed (a touch, a mode switch, an expose),
 * so an idle kiosk sleeps in SDL_WaitEventTimeout. Mode switches rebuild the theme but
 * keep the text cache; a language switch reloads the string table.
 */
#include "ui_app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/kiosk_strings.h"
#include "core/kiosk_log.h"
#include "core/kiosk_notify.h"
#include "ui_attract.h"
#include "ui_screenshot.h"
#include "ui_text.h"
#include "ui_theme.h"

#define FONT_PRIMARY "NotoSansCJKsc-Kiosk.otf"
#define FONT_FALLBACK "NotoSansCJKsc-Kiosk-Ext.otf"

struct ui_app {
    kiosk_config cfg;
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_Texture *canvas; /* the logical screen; presented turned by the configured rotation */
    ui_text *text;
    ui_theme theme;
    kiosk_strings *strings;
    char language[8];
    int w, h; /* logical size */
    int large_text, high_contrast;
    int dirty;
    ui_attract_layout attract;
};

static kiosk_rc load_strings(ui_app *app, const char *lang)
{
    kiosk_strings *s;
    int line = 0;
    char dir[KIOSK_CONFIG_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/strings", app->cfg.assets_dir);
    kiosk_rc rc = kiosk_strings_load(dir, lang, &s, &line);
    if (rc != KIOSK_OK) {
        kiosk_log_error("ui", "cannot load strings %s/%s.ini (line %d): %s", dir, lang, line,
                        kiosk_strerror(rc));
        return rc;
    }
    kiosk_strings_destroy(app->strings);
    app->strings = s;
    snprintf(app->language, sizeof app->language, "%s", lang);
    return KIOSK_OK;
}

static void rebuild_theme(ui_app *app)
{
    ui_theme_init(&app->theme, app->w, app->h, app->cfg.dpi, app->large_text, app->high_contrast);
    app->dirty = 1;
}

static kiosk_rc open_display(ui_app *app, const ui_app_options *opt)
{
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        kiosk_log_error("ui", "SDL_Init failed: %s", SDL_GetError());
        return KIOSK_UNSUPPORTED;
    }
    int quarter_turn = app->cfg.rotation_quarters % 2;
    int ww = quarter_turn ? app->h : app->w, wh = quarter_turn ? app->w : app->h;
    Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
    if (opt->headless) {
        flags |= SDL_WINDOW_HIDDEN;
    } else if (app->cfg.fullscreen) {
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    } else {
        /* A development desktop is smaller than a hall kiosk: shrink the window to fit
         * and let the renderer scale the logical size down. */
        SDL_Rect usable;
        if (SDL_GetDisplayUsableBounds(0, &usable) == 0 && usable.w > 0 && usable.h > 0) {
            float sx = (float)usable.w * 0.95f / (float)ww,
                  sy = (float)usable.h * 0.95f / (float)wh;
            float s = sx < sy ? sx : sy;
            if (s < 1.0f) {
                ww = (int)((float)ww * s);
                wh = (int)((float)wh * s);
            }
        }
    }
    app->window =
        SDL_CreateWindow("kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, ww, wh, flags);
    if (!app->window) {
        kiosk_log_error("ui", "cannot open a window: %s", SDL_GetError());
        return KIOSK_UNSUPPORTED;
    }
    app->renderer =
        SDL_CreateRenderer(app->window, -1,
                           opt->headless ? SDL_RENDERER_SOFTWARE
                                         : SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!app->renderer) {
        kiosk_log_warn("ui", "no accelerated renderer (%s), using software", SDL_GetError());
        app->renderer = SDL_CreateRenderer(app->window, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!app->renderer) {
        kiosk_log_error("ui", "cannot create a renderer: %s", SDL_GetError());
        return KIOSK_UNSUPPORTED;
    }
    SDL_SetRenderDrawBlendMode(app->renderer, SDL_BLENDMODE_BLEND);
    app->canvas = SDL_CreateTexture(app->renderer, SDL_PIXELFORMAT_ARGB8888,
                                    SDL_TEXTUREACCESS_TARGET, app->w, app->h);
    if (!app->canvas) {
        kiosk_log_error("ui", "cannot create the screen canvas: %s", SDL_GetError());
        return KIOSK_UNSUPPORTED;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(app->renderer, &info) == 0)
        kiosk_log_info("ui", "video driver %s, renderer %s, %dx%d", SDL_GetCurrentVideoDriver(),
                       info.name, app->w, app->h);
    return KIOSK_OK;
}

kiosk_rc ui_app_create(const kiosk_config *cfg, const ui_app_options *opt, ui_app **out)
{
    *out = NULL;
    ui_app *app = calloc(1, sizeof *app);
    if (!app)
        return KIOSK_NOMEM;
    app->cfg = *cfg;
    kiosk_config_screen_size(cfg, &app->w, &app->h);
    kiosk_rc rc = load_strings(app, cfg->language);
    if (rc == KIOSK_OK)
        rc = open_display(app, opt);
    if (rc == KIOSK_OK) {
        char primary[KIOSK_CONFIG_PATH_MAX + 64], fallback[KIOSK_CONFIG_PATH_MAX + 64];
        snprintf(primary, sizeof primary, "%s/%s", cfg->fonts_dir, FONT_PRIMARY);
        snprintf(fallback, sizeof fallback, "%s/%s", cfg->fonts_dir, FONT_FALLBACK);
        const char *fonts[] = {primary, fallback};
        rc = ui_text_create(app->renderer, fonts, 2, &app->text);
        if (rc != KIOSK_OK)
            kiosk_log_error("ui", "cannot load fonts from %s: %s", cfg->fonts_dir,
                            kiosk_strerror(rc));
    }
    if (rc != KIOSK_OK) {
        ui_app_destroy(app);
        return rc;
    }
    rebuild_theme(app);
    *out = app;
    return KIOSK_OK;
}

void ui_app_destroy(ui_app *app)
{
    if (!app)
        return;
    ui_text_destroy(app->text);
    if (app->canvas)
        SDL_DestroyTexture(app->canvas);
    if (app->renderer)
        SDL_DestroyRenderer(app->renderer);
    if (app->window)
        SDL_DestroyWindow(app->window);
    kiosk_strings_destroy(app->strings);
    SDL_Quit();
    free(app);
}

/* The window's size in pixels (the output size follows the render target, so ask with
 * the window as the target). */
static void panel_size(const ui_app *app, int *W, int *H)
{
    SDL_Texture *target = SDL_GetRenderTarget(app->renderer);
    if (target)
        SDL_SetRenderTarget(app->renderer, NULL);
    SDL_GetRendererOutputSize(app->renderer, W, H);
    if (target)
        SDL_SetRenderTarget(app->renderer, target);
}

/* Where the canvas lands in the window: scaled to fit, centred, turned clockwise. */
static void placement(const ui_app *app, SDL_Rect *dst, float *scale)
{
    int W, H;
    panel_size(app, &W, &H);
    int quarter_turn = app->cfg.rotation_quarters % 2;
    float cw = (float)(quarter_turn ? app->h : app->w),
          ch = (float)(quarter_turn ? app->w : app->h);
    float sx = (float)W / cw, sy = (float)H / ch;
    *scale = sx < sy ? sx : sy;
    int dw = (int)((float)app->w * *scale), dh = (int)((float)app->h * *scale);
    *dst = (SDL_Rect){(W - dw) / 2, (H - dh) / 2, dw, dh};
}

/* Window pixels to logical pixels: undo the placement and the turn. */
static void to_logical(const ui_app *app, float wx, float wy, int *lx, int *ly)
{
    SDL_Rect dst;
    float s;
    placement(app, &dst, &s);
    float ux = (wx - ((float)dst.x + (float)dst.w / 2.0f)) / s;
    float uy = (wy - ((float)dst.y + (float)dst.h / 2.0f)) / s;
    float x = ux, y = uy;
    switch (app->cfg.rotation_quarters) {
    case 1:
        x = uy, y = -ux;
        break;
    case 2:
        x = -ux, y = -uy;
        break;
    case 3:
        x = -uy, y = ux;
        break;
    default:
        break;
    }
    *lx = (int)(x + (float)app->w / 2.0f);
    *ly = (int)(y + (float)app->h / 2.0f);
}

kiosk_rc ui_app_render(ui_app *app)
{
    SDL_SetRenderTarget(app->renderer, app->canvas);
    kiosk_rc rc = ui_attract_draw(app->renderer, app->text, &app->theme, app->strings,
                                  app->cfg.hall_name, app->w, app->h, &app->attract);
    app->dirty = 0;
    return rc;
}

/* Draw the canvas onto the window, turned and scaled (no present). */
static void compose(ui_app *app)
{
    SDL_Rect dst;
    float s;
    SDL_SetRenderTarget(app->renderer, NULL);
    SDL_SetRenderDrawColor(app->renderer, 0, 0, 0, 255);
    SDL_RenderClear(app->renderer);
    placement(app, &dst, &s);
    SDL_RenderCopyEx(app->renderer, app->canvas, NULL, &dst, 90.0 * app->cfg.rotation_quarters,
                     NULL, SDL_FLIP_NONE);
}

/* Show the canvas on the panel. */
static void present(ui_app *app)
{
    compose(app);
    SDL_RenderPresent(app->renderer);
}

kiosk_rc ui_app_screenshot(ui_app *app, const char *path)
{
    kiosk_rc rc = ui_app_render(app); /* leaves the canvas as the target */
    if (rc == KIOSK_OK)
        rc = ui_screenshot_save(app->renderer, path);
    return rc;
}

kiosk_rc ui_app_screenshot_panel(ui_app *app, const char *path)
{
    kiosk_rc rc = ui_app_render(app);
    if (rc != KIOSK_OK)
        return rc;
    compose(app);
    return ui_screenshot_save(app->renderer, path);
}

static void on_tap(ui_app *app, int x, int y)
{
    switch (ui_attract_hit_test(&app->attract, x, y)) {
    case UI_ATTRACT_HIT_LANGUAGE:
        load_strings(app, strcmp(app->language, "en") == 0 ? "zh_CN" : "en");
        app->dirty = 1;
        break;
    case UI_ATTRACT_HIT_LARGE_TEXT:
        app->large_text = !app->large_text;
        rebuild_theme(app);
        break;
    case UI_ATTRACT_HIT_CONTRAST:
        app->high_contrast = !app->high_contrast;
        rebuild_theme(app);
        break;
    case UI_ATTRACT_HIT_NONE:
        break;
    }
}

int ui_app_handle_event(ui_app *app, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT:
        return 1;
    case SDL_FINGERDOWN: {
        /* finger coordinates are normalised 0..1 over the window (the panel) */
        int W, H, x, y;
        panel_size(app, &W, &H);
        to_logical(app, ev->tfinger.x * (float)W, ev->tfinger.y * (float)H, &x, &y);
        on_tap(app, x, y);
        break;
    }
    case SDL_MOUSEBUTTONDOWN:
        if (ev->button.which != SDL_TOUCH_MOUSEID) { /* touches arrive as fingers too */
            int x, y;
            to_logical(app, (float)ev->button.x, (float)ev->button.y, &x, &y);
            on_tap(app, x, y);
        }
        break;
    case SDL_WINDOWEVENT:
        app->dirty = 1;
        break;
    default:
        break;
    }
    return 0;
}

kiosk_rc ui_app_run(ui_app *app)
{
    /* The watchdog is fed from this loop itself, so a hung UI thread stops the pings
     * and systemd restarts the kiosk. */
    int64_t ping_ms = kiosk_notify_watchdog_ms();
    int wait_ms = ping_ms > 0 && ping_ms < 500 ? (int)ping_ms : 500;
    int64_t next_ping = 0;
    ui_app_render(app);
    present(app);
    kiosk_notify("READY=1");
    for (;;) {
        SDL_Event ev;
        if (SDL_WaitEventTimeout(&ev, wait_ms)) {
            do {
                if (ui_app_handle_event(app, &ev)) {
                    kiosk_notify("STOPPING=1");
                    return KIOSK_OK;
                }
            } while (SDL_PollEvent(&ev));
        }
        if (app->dirty) {
            ui_app_render(app);
            present(app);
        }
        int64_t now = (int64_t)SDL_GetTicks64();
        if (ping_ms > 0 && now >= next_ping) {
            kiosk_notify("WATCHDOG=1");
            next_ping = now + ping_ms;
        }
    }
}

void ui_app_size(const ui_app *app, int *w, int *h)
{
    *w = app->w;
    *h = app->h;
}

const char *ui_app_language(const ui_app *app)
{
    return app->language;
}

int ui_app_large_text(const ui_app *app)
{
    return app->large_text;
}

int ui_app_high_contrast(const ui_app *app)
{
    return app->high_contrast;
}

size_t ui_app_missing_glyphs(ui_app *app)
{
    size_t missing = 0;
    const char *langs[] = {"zh_CN", "en"};
    char dir[KIOSK_CONFIG_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/strings", app->cfg.assets_dir);
    for (size_t l = 0; l < 2; l++) {
        kiosk_strings *s;
        if (kiosk_strings_load(dir, langs[l], &s, NULL) != KIOSK_OK)
            return (size_t)-1;
        for (size_t i = 0; i < kiosk_strings_count(s); i++)
            missing +=
                ui_text_count_missing(app->text, kiosk_strings_find(s, kiosk_strings_key_at(s, i)));
        kiosk_strings_destroy(s);
    }
    missing += ui_text_count_missing(app->text, app->cfg.hall_name);
    return missing;
}

const ui_attract_layout *ui_app_attract_layout(const ui_app *app)
{
    return &app->attract;
}
