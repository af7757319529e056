/*
 * The UI thread's application object. Window and renderer are created once; every
 * screen is redrawn only when something changed (a touch, a mode switch, an expose),
 * so an idle kiosk sleeps in SDL_WaitEventTimeout. Mode switches rebuild the theme but
 * keep the text cache; a language switch reloads the string table.
 */
#include "ui/ui_app.h"

#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/kiosk_strings.h"
#include "core/kiosk_log.h"
#include "core/kiosk_notify.h"
#include "domain/codes.h"
#include "domain/divisions.h"
#include "identity/identity.h"
#include "ssc/reader_sim.h"
#include "ui/ui_attract.h"
#include "ui/ui_draw.h"
#include "ui/ui_io.h"
#include "power/power.h"
#include "ui/ui_journey.h"
#include "ui/ui_menu.h"
#include "ui/ui_pinyin.h"
#include "ui/ui_signature.h"
#include "ui/ui_widget.h"
#include "ui/ui_screenshot.h"
#include "ui/ui_text.h"
#include "ui/ui_theme.h"

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
    ui_widgets widgets; /* touch targets of the last frame */
    /* the journey */
    const kiosk_clock *clock;
    codes_tables *codes;
    divisions *divs;
    flow *flow;
    ui_journey_state js;
    int last_countdown;
    identity_worker *identity;
    reader *sim;           /* the simulated reader (owned by the worker), for scripts */
    Uint32 identity_event; /* SDL user event type carrying an identity_event copy */
    int headless;
    ui_pinyin *pinyin; /* NULL without the dictionary: letters go in as typed */
    int pinyin_tried;  /* loaded on the first form page */
    ui_signature *pad; /* made when the signature screen is first laid out */
    char *commitment;  /* the text shown, in the current language */
    char commitment_version[32];
    ui_io *io;            /* NULL without a store (screenshots, some tests) */
    Uint32 io_event;      /* SDL user event type carrying a ui_io_result copy */
    SDL_Texture *receipt; /* the done screen's preview */
    int receipt_w, receipt_h;
    int pad_drawing; /* a stroke is open on the pad */
    ui_app_options opt;
    ui_menu menu;
    int reader_ok;         /* the reader worker's last word: working */
    int restart_requested; /* staff asked; the loop ends and systemd starts us again */
    power *power;          /* portable units: batteries and mains */
    power_status pw;
    int64_t pw_read_ms;
    int battery_refused; /* a card came while the battery was too low */
};

/* Batteries: a registration takes about ten minutes (power.h). */
#define MIN_BATTERY_PERCENT 20
#define MIN_BATTERY_MINUTES 15

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

static kiosk_rc renderer_info(ui_app *app)
{
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(app->renderer, &info) == 0)
        kiosk_log_info("ui", "video driver %s, renderer %s, %dx%d%s", SDL_GetCurrentVideoDriver(),
                       info.name, app->w, app->h, app->canvas ? ", through a canvas" : "");
    return KIOSK_OK;
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
    /* An unturned panel of exactly the logical size (the device, headless runs) is drawn
     * on directly; a turned panel or a scaled-down development window gets a canvas
     * texture that is presented turned and scaled. A screen-sized buffer saved. */
    int ow = 0, oh = 0;
    SDL_GetRendererOutputSize(app->renderer, &ow, &oh);
    if (app->cfg.rotation_quarters == 0 && ow == app->w && oh == app->h)
        return renderer_info(app);
    app->canvas = SDL_CreateTexture(app->renderer, SDL_PIXELFORMAT_ARGB8888,
                                    SDL_TEXTUREACCESS_TARGET, app->w, app->h);
    if (!app->canvas) {
        kiosk_log_error("ui", "cannot create the screen canvas: %s", SDL_GetError());
        return KIOSK_UNSUPPORTED;
    }
    return renderer_info(app);
}

/* The code tables and divisions every form screen needs: a kiosk without them must not
 * start. */
static kiosk_rc load_domain(ui_app *app)
{
    char path[KIOSK_CONFIG_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/codes", app->cfg.assets_dir);
    kiosk_rc rc = codes_load(path, &app->codes);
    if (rc != KIOSK_OK) {
        kiosk_log_error("ui", "code tables in %s: %s", path, kiosk_strerror(rc));
        return rc;
    }
    snprintf(path, sizeof path, "%s/divisions/divisions.txt", app->cfg.assets_dir);
    rc = divisions_load(path, &app->divs);
    if (rc != KIOSK_OK)
        kiosk_log_error("ui", "division data %s: %s", path, kiosk_strerror(rc));
    return rc;
}

/* ---- the card reader worker: its events cross to the UI thread as SDL user events -- */

static void free_identity_event(void *p)
{
    if (p) {
        explicit_bzero(p, sizeof(identity_event));
        free(p);
    }
}

/* From a worker thread: a copy of size bytes at data to the UI thread, as an SDL user
 * event of type (SDL_PushEvent is thread-safe). A copy that cannot be queued is wiped. */
static int post_copy(Uint32 type, const void *data, size_t size)
{
    void *copy = malloc(size);
    SDL_Event e;
    SDL_zero(e);
    e.type = type;
    e.user.data1 = copy;
    if (copy)
        memcpy(copy, data, size);
    if (!copy || SDL_PushEvent(&e) != 1) {
        kiosk_log_error("ui", "an event from a worker was lost: %s",
                        copy ? SDL_GetError() : "out of memory");
        if (copy)
            explicit_bzero(copy, size);
        free(copy);
        return 0;
    }
    return 1;
}

/* Worker thread: the event is copied (the worker wipes the holder after we return). */
static void on_identity(void *ctx, const identity_event *ev)
{
    (void)post_copy(((ui_app *)ctx)->identity_event, ev, sizeof *ev);
}

static kiosk_rc open_reader(void *ctx, reader **out)
{
    ui_app *app = ctx;
    if (app->cfg.reader_backend != KIOSK_READER_SIMULATED)
        return identity_open_configured(&app->cfg, out);
    /* the demo card waits off the reader until a citizen (or a script) puts it there */
    kiosk_rc rc = reader_sim_create(app->cfg.reader_card_profile, NULL, out);
    if (rc == KIOSK_OK) {
        reader_sim_set_present(*out, 0);
        __atomic_store_n(&app->sim, *out, __ATOMIC_SEQ_CST);
    }
    return rc;
}

static kiosk_rc start_reader(ui_app *app)
{
    app->identity_event = SDL_RegisterEvents(1);
    if (app->identity_event == (Uint32)-1)
        return KIOSK_NOMEM;
    identity_config ic = {.open = open_reader,
                          .open_ctx = app,
                          .callback = on_identity,
                          .callback_ctx = app,
                          .clock = app->clock};
    kiosk_rc rc = identity_worker_start(&ic, &app->identity);
    if (rc != KIOSK_OK)
        kiosk_log_error("ui", "cannot start the card reader worker: %s", kiosk_strerror(rc));
    return rc;
}

/* The commitment text of lang: "version: X" on the first line, a blank line, the text. */
static kiosk_rc load_commitment(ui_app *app, const char *lang)
{
    char path[KIOSK_CONFIG_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/commitment/%s.txt", app->cfg.assets_dir, lang);
    FILE *f = fopen(path, "rb");
    if (!f) {
        kiosk_log_error("ui", "the commitment text %s is missing", path);
        return KIOSK_NOT_FOUND;
    }
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (!buf)
        return KIOSK_NOMEM;
    buf[n] = '\0';
    char version[32];
    const char *body = strstr(buf, "\n\n");
    if (sscanf(buf, "version: %31s", version) != 1 || !body || n == 65535) {
        kiosk_log_error("ui", "%s: the first line must be 'version: X', then a blank line", path);
        free(buf);
        return KIOSK_CORRUPT;
    }
    memmove(buf, body + 2, strlen(body + 2) + 1);
    free(app->commitment);
    app->commitment = buf;
    snprintf(app->commitment_version, sizeof app->commitment_version, "%s", version);
    return KIOSK_OK;
}

/* An I/O result and the receipt it may carry, wiped (the receipt shows a masked name). */
static void free_io_result(ui_io_result *r)
{
    if (r->preview.bits)
        explicit_bzero(r->preview.bits, (size_t)r->preview.width / 8 * (size_t)r->preview.rows);
    receipt_bitmap_deinit(&r->preview);
    explicit_bzero(r, sizeof *r);
}

/* I/O worker thread: hand the result (and its receipt) to the UI thread. */
static void on_io(void *ctx, const ui_io_result *r)
{
    if (!post_copy(((ui_app *)ctx)->io_event, r, sizeof *r)) {
        ui_io_result lost = *r;
        free_io_result(&lost);
    }
}

static void drop_receipt(ui_app *app)
{
    if (app->receipt)
        SDL_DestroyTexture(app->receipt);
    app->receipt = NULL;
    app->receipt_w = app->receipt_h = 0;
}

/* The receipt as printed, for the done screen: scaled once, smoothly, to the size the
 * screen shows it at (at most 55 % of the screen's height; 72 % beside the text in
 * landscape), so no scaling in the frame loop. */
static void load_receipt(ui_app *app, const receipt_bitmap *b)
{
    drop_receipt(app);
    if (!b->bits || b->width <= 0 || b->rows <= 0)
        return;
    SDL_Surface *s =
        SDL_CreateRGBSurfaceWithFormat(0, b->width, b->rows, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s)
        return;
    size_t wb = (size_t)b->width / 8;
    for (int y = 0; y < b->rows; y++) {
        uint32_t *row = (uint32_t *)((uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < b->width; x++) {
            int ink = b->bits[(size_t)y * wb + (size_t)x / 8] & (0x80 >> (x % 8));
            row[x] = ink ? SDL_MapRGBA(s->format, 0, 0, 0, 255)
                         : SDL_MapRGBA(s->format, 255, 255, 255, 255);
        }
    }
    float k = (float)app->h * (app->w > app->h ? 0.72f : 0.55f) / (float)b->rows;
    if (k > (float)app->w * 0.8f / (float)b->width)
        k = (float)app->w * 0.8f / (float)b->width;
    if (k > 1.0f)
        k = 1.0f;
    int w = (int)((float)b->width * k), h = (int)((float)b->rows * k);
    SDL_Surface *small =
        w > 0 && h > 0 ? SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32) : NULL;
    if (small && SDL_SoftStretchLinear(s, NULL, small, NULL) == 0) {
        app->receipt = SDL_CreateTextureFromSurface(app->renderer, small);
        app->receipt_w = w;
        app->receipt_h = h;
    }
    SDL_FreeSurface(small);
    SDL_FreeSurface(s);
}

kiosk_rc ui_app_create(const kiosk_config *cfg, const ui_app_options *opt, ui_app **out)
{
    *out = NULL;
    ui_app *app = calloc(1, sizeof *app);
    if (!app)
        return KIOSK_NOMEM;
    app->cfg = *cfg;
    app->headless = opt->headless;
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
    if (rc == KIOSK_OK)
        rc = load_domain(app);
    if (rc == KIOSK_OK) {
        app->clock = opt->clock ? opt->clock : kiosk_clock_system();
        flow_config fc = {.codes = app->codes,
                          .divisions = app->divs,
                          .clock = app->clock,
                          .idle_timeout_s = cfg->idle_timeout_s,
                          .countdown_s = 30,
                          .done_timeout_s = 60};
        rc = flow_create(&fc, &app->flow);
    }
    ui_journey_state_wipe(&app->js);
    app->opt = *opt;
    if (rc == KIOSK_OK)
        rc = load_commitment(app, app->language);
    if (rc == KIOSK_OK && opt->with_store) {
        app->io_event = SDL_RegisterEvents(1);
        rc = app->io_event == (Uint32)-1 ? KIOSK_NOMEM : ui_io_start(cfg, on_io, app, &app->io);
    }
    if (rc == KIOSK_OK && opt->with_reader)
        rc = start_reader(app);
    if (rc == KIOSK_OK && cfg->mode == KIOSK_MODE_PORTABLE) {
        if (power_open_sysfs(cfg->power_supply, &app->power) == KIOSK_OK)
            power_read(app->power, &app->pw);
        else
            kiosk_log_warn("ui", "no power supply information under %s", cfg->power_supply);
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
    identity_worker_stop(app->identity); /* joins: no event is queued after this */
    SDL_Event ev;
    while (app->identity_event &&
           SDL_PeepEvents(&ev, 1, SDL_GETEVENT, app->identity_event, app->identity_event) == 1)
        free_identity_event(ev.user.data1);
    ui_io_stop(app->io);
    while (app->io_event &&
           SDL_PeepEvents(&ev, 1, SDL_GETEVENT, app->io_event, app->io_event) == 1) {
        free_io_result(ev.user.data1);
        free(ev.user.data1);
    }
    flow_destroy(app->flow);
    power_close(app->power);
    ui_menu_wipe(&app->menu);
    ui_journey_state_wipe(&app->js);
    ui_signature_destroy(app->pad);
    ui_pinyin_destroy(app->pinyin);
    drop_receipt(app);
    free(app->commitment);
    codes_destroy(app->codes);
    divisions_destroy(app->divs);
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

static void attract_status(ui_app *app, ui_ctx *c);

/* "电量 45% · 充电中" into line, or "" without a battery. */
static void battery_text(const ui_app *app, char *line, size_t size)
{
    line[0] = '\0';
    if (!app->power || !app->pw.has_battery)
        return;
    char pct[16];
    snprintf(pct, sizeof pct, "%d%%", app->pw.percent);
    const char *tmpl = kiosk_strings_get(app->strings, "screen.battery");
    const char *at = strstr(tmpl, "{}");
    snprintf(line, size, "%.*s%s%s%s%s", at ? (int)(at - tmpl) : (int)strlen(tmpl), tmpl, pct,
             at ? at + 2 : "", app->pw.charging ? " · " : "",
             app->pw.charging ? kiosk_strings_get(app->strings, "screen.charging") : "");
}

kiosk_rc ui_app_render(ui_app *app)
{
    SDL_SetRenderTarget(app->renderer, app->canvas);
    ui_widgets_clear(&app->widgets);
    const flow_view *v = flow_get_view(app->flow);
    kiosk_rc rc;
    if (app->menu.screen != UI_MENU_OFF) {
        ui_ctx c = {app->renderer, app->text, &app->theme, app->strings,
                    &app->widgets, app->w,    app->h};
        char battery[200];
        battery_text(app, battery, sizeof battery);
        ui_menu_env env = {.battery = battery[0] ? battery : NULL,
                           .hall_code = app->cfg.hall_code,
                           .hall_name = app->cfg.hall_name,
                           .agency_phone = app->cfg.agency_phone,
                           .version = app->opt.version ? app->opt.version : "?",
                           .retention_days = app->cfg.retention_days,
                           .reader_state = !app->identity   ? "screen.m_reader_none"
                                           : app->reader_ok ? "screen.m_reader_ok"
                                                            : "screen.m_reader_fault",
                           .printer_state = app->cfg.printer_backend == KIOSK_PRINTER_FILE
                                                ? "screen.m_printer_file"
                                                : "screen.m_printer_ready"};
        ui_menu_draw(&c, &app->menu, &env);
        rc = KIOSK_OK;
    } else if (v->step == FLOW_ATTRACT) {
        rc = ui_attract_draw(app->renderer, app->text, &app->theme, app->strings,
                             app->cfg.hall_name, app->w, app->h, &app->attract);
        /* the discreet way to the maintenance menu: five quick taps on the kiosk's name */
        SDL_Rect corner = {0, 0, app->w / 3, app->attract.language.y + app->attract.language.h};
        ui_widgets_add(&app->widgets, "staff_corner", corner);
        ui_widgets_add(&app->widgets, "language", app->attract.language);
        ui_widgets_add(&app->widgets, "large_text", app->attract.large_text);
        ui_widgets_add(&app->widgets, "contrast", app->attract.contrast);
        ui_ctx c = {app->renderer, app->text, &app->theme, app->strings,
                    &app->widgets, app->w,    app->h};
        attract_status(app, &c);
    } else {
        ui_ctx c = {app->renderer, app->text, &app->theme, app->strings,
                    &app->widgets, app->w,    app->h};
        ui_journey_env env = {.form = {app->codes, app->divs, flow_record(app->flow), app->pinyin,
                                       strcmp(app->language, "en") == 0 ? CODES_EN : CODES_ZH},
                              .pad = app->pad,
                              .commitment = app->commitment,
                              .receipt = app->receipt,
                              .receipt_w = app->receipt_w,
                              .receipt_h = app->receipt_h};
        rc = ui_journey_draw(&c, v, &app->js, &env);
        if (v->step == FLOW_SIGNATURE && !app->pad && app->js.pad_rect.w > 0)
            ui_signature_create(app->js.pad_rect.w, app->js.pad_rect.h, (float)app->cfg.dpi / 25.4f,
                                &app->pad);
    }
    app->last_countdown = v->countdown_s;
    app->dirty = 0;
    /* draw now: SDL batches commands until a present, and a headless app (scripts,
     * screenshots, tests) may render many frames without one */
    SDL_RenderFlush(app->renderer);
    return rc;
}

/* What the attract screen adds: out of service, and on portable units the battery, the
 * network and a refusal to start on a low battery. */
static void attract_status(ui_app *app, ui_ctx *c)
{
    const ui_theme *t = c->t;
    SDL_Color red = t->high_contrast ? t->accent : (SDL_Color){190, 30, 30, 255};
    if (app->menu.out_of_service) {
        SDL_Rect veil = {0, 0, app->w, app->h};
        ui_draw_fill_rect(c->r, veil, (SDL_Color){0, 0, 0, 170});
        SDL_Rect box =
            t->landscape ? ui_px_rect(c, 140, 200, 1000, 400) : ui_px_rect(c, 60, 640, 960, 640);
        ui_draw_fill_round_rect(c->r, box, ui_theme_px(t, 32), t->panel);
        SDL_Rect in = {box.x + box.w / 12, box.y + box.h / 4, box.w * 5 / 6, box.h / 2};
        ui_label(c, kiosk_strings_get(c->s, "attract.out_of_service"), in, t->landscape ? 52 : 68,
                 t->fg, UI_TEXT_CENTER);
        ui_widgets_add(c->ws, "staff_corner", (SDL_Rect){0, 0, app->w / 3, app->h / 12});
        return;
    }
    if (!app->power && !app->opt.is_offline)
        return;
    char line[200], part[96];
    battery_text(app, line, sizeof line);
    if (app->opt.is_offline && app->opt.is_offline(app->opt.sync_ctx)) {
        snprintf(part, sizeof part, "%s", kiosk_strings_get(c->s, "screen.offline"));
        size_t used = strlen(line);
        snprintf(line + used, sizeof line - used, "%s%s", used ? " · " : "", part);
    }
    int low =
        app->power && !power_can_start_session(&app->pw, MIN_BATTERY_PERCENT, MIN_BATTERY_MINUTES);
    SDL_Rect status =
        t->landscape ? ui_px_rect(c, 40, 84, 700, 40) : ui_px_rect(c, 48, 120, 984, 50);
    if (line[0])
        ui_label_fit(c, line, status, t->landscape ? 24 : 30, low ? red : t->muted, UI_TEXT_LEFT);
    if (low || app->battery_refused) {
        SDL_Rect banner =
            t->landscape ? ui_px_rect(c, 560, 470, 680, 80) : ui_px_rect(c, 40, 1330, 1000, 90);
        ui_draw_fill_round_rect(c->r, banner, ui_theme_px(t, 16), red);
        SDL_Rect in = {banner.x + 16, banner.y + banner.h / 6, banner.w - 32, banner.h * 2 / 3};
        ui_label_fit(c, kiosk_strings_get(c->s, "screen.battery_low"), in, t->landscape ? 28 : 34,
                     (SDL_Color){255, 255, 255, 255}, UI_TEXT_CENTER);
    }
}

/* ---- events into the flow ---------------------------------------------------------- */

static void dispatch(ui_app *app, const flow_event *ev);

/* The flow asked for the record to be saved: hand the sealed-to-be submission to the
 * I/O worker. The readable copies made here are wiped before returning. */
static void start_save(ui_app *app)
{
    const registration *rec = flow_record(app->flow);
    char *json = NULL, *evidence = NULL;
    size_t evidence_len = 0;
    char name[64], id[32];
    kiosk_rc rc = app->io ? KIOSK_OK : KIOSK_UNSUPPORTED;
    if (rc == KIOSK_OK)
        rc = registration_to_json(rec, &json, NULL);
    if (rc == KIOSK_OK)
        rc = ui_signature_evidence_json(app->pad, "screen", &evidence, &evidence_len);
    if (rc == KIOSK_OK && (kiosk_mask_name(registration_get_text(rec, REGISTRATION_NAME), name,
                                           sizeof name) != KIOSK_OK ||
                           kiosk_mask_id(registration_get_text(rec, REGISTRATION_DOCUMENT_NUMBER),
                                         id, sizeof id) != KIOSK_OK))
        rc = KIOSK_INVALID;
    if (rc == KIOSK_OK) {
        ui_io_submission sub = {json, evidence, app->commitment_version, {0}, name, id};
        /* the hash of the exact text the citizen read */
        crypto_hash_sha256(sub.commitment_sha256, (const unsigned char *)app->commitment,
                           strlen(app->commitment));
        rc = ui_io_save(app->io, &sub);
    }
    if (json)
        explicit_bzero(json, strlen(json));
    if (evidence)
        explicit_bzero(evidence, strlen(evidence));
    free(json);
    free(evidence);
    explicit_bzero(name, sizeof name);
    explicit_bzero(id, sizeof id);
    if (rc != KIOSK_OK) {
        kiosk_log_error("ui", "cannot hand the record to the store: %s", kiosk_strerror(rc));
        flow_event ev = {.type = FLOW_EV_SAVED, .rc = rc};
        dispatch(app, &ev);
    }
}

static void dispatch(ui_app *app, const flow_event *ev)
{
    flow_step before = flow_get_view(app->flow)->step;
    unsigned acts = flow_handle(app->flow, ev);
    const flow_view *v = flow_get_view(app->flow);
    if ((acts & FLOW_ACT_WIPE) || v->step == FLOW_ATTRACT || v->step == FLOW_MESSAGE) {
        ui_journey_state_wipe(&app->js); /* the citizen's data leaves the UI too */
        if (app->pad)
            ui_signature_clear(app->pad);
        app->pad_drawing = 0;
        if (app->pinyin)
            ui_pinyin_reset(app->pinyin);
        if (v->step != FLOW_PRINTING)
            drop_receipt(app);
        if (v->step != before) {
            /* the screens drew the citizen's data: their rasterised text goes too, the
             * pinyin engine (its search buffers held what was typed) is closed until the
             * next citizen needs it, and the freed memory goes back to the system */
            ui_text_forget(app->text);
            ui_pinyin_destroy(app->pinyin);
            app->pinyin = NULL;
            app->pinyin_tried = 0;
            malloc_trim(0);
        }
    } else if (v->step != FLOW_PIN) {
        explicit_bzero(app->js.pin, sizeof app->js.pin);
        app->js.pin_len = 0;
    }
    reader *sim = __atomic_load_n(&app->sim, __ATOMIC_SEQ_CST);
    if (v->step != before && v->step == FLOW_ATTRACT && sim)
        reader_sim_set_present(sim, 0); /* the demo citizen takes the card back */
    if (v->step == FLOW_FORM && !app->pinyin && !app->pinyin_tried) {
        /* the dictionary (a few MB) is loaded when a citizen first needs the keyboard */
        app->pinyin_tried = 1;
        if (ui_pinyin_create(NULL, &app->pinyin) != KIOSK_OK)
            kiosk_log_warn("ui", "no pinyin dictionary: the keyboard types letters only");
    }
    if (v->step != before && v->step == FLOW_REVIEW)
        app->js.review_scroll = 0;
    if (v->step != before && v->step == FLOW_COMMITMENT) {
        /* can a record be saved? asked before the citizen reads and signs */
        app->js.commitment_scroll = 0;
        if (app->io)
            ui_io_check_ready(app->io);
    }
    if (acts & FLOW_ACT_SAVE)
        start_save(app);
    if ((acts & FLOW_ACT_PRINT) &&
        (!app->io || ui_io_print(app->io, v->receipt_no, v->copy) != KIOSK_OK)) {
        flow_event pe = {.type = FLOW_EV_PRINTED, .rc = KIOSK_PRINTER};
        dispatch(app, &pe);
    }
    if (v->step != before || v->countdown_s != app->last_countdown || ev->type != FLOW_EV_TICK)
        app->dirty = 1;
}

static void on_io_result(ui_app *app, const ui_io_result *r)
{
    if (r->kind == UI_IO_SERVICE) {
        app->menu.out_of_service = r->count != 0;
        app->dirty = 1;
        return;
    }
    if (r->kind >= UI_IO_LOGIN || (r->kind == UI_IO_PRINT && app->menu.screen != UI_MENU_OFF)) {
        ui_menu_result(&app->menu, r);
        if (r->kind == UI_IO_LOGIN && r->rc == KIOSK_OK && app->io)
            ui_io_dashboard(app->io);
        if (r->kind == UI_IO_EXPORT || r->kind == UI_IO_PURGE || r->kind == UI_IO_PRINT)
            if (app->io)
                ui_io_dashboard(app->io);
        app->dirty = 1;
        return;
    }
    flow_event ev = {.rc = r->rc};
    switch (r->kind) {
    case UI_IO_READY:
        if (r->rc == KIOSK_OK)
            return;
        kiosk_log_error("ui", "records cannot be saved now: %s", kiosk_strerror(r->rc));
        ev.type = FLOW_EV_STORE_UNAVAILABLE;
        break;
    case UI_IO_SAVE:
        ev.type = FLOW_EV_SAVED;
        ev.receipt_no = r->receipt_no;
        if (r->rc == KIOSK_OK && app->opt.record_saved)
            app->opt.record_saved(app->opt.record_saved_ctx);
        break;
    case UI_IO_PRINT:
        load_receipt(app, &r->preview);
        ev.type = FLOW_EV_PRINTED;
        break;
    default: /* the menu's kinds, handled above */
        return;
    }
    dispatch(app, &ev);
}

static void send(ui_app *app, flow_event_type type)
{
    flow_event ev = {.type = type};
    dispatch(app, &ev);
}

/* Reader test in the maintenance menu: only the card's own details, never the holder's. */
static void menu_card(ui_app *app, const identity_event *ie)
{
    char info[128];
    if (ie->type == IDENTITY_CARD_READ) {
        /* the generation and specification only: the card number belongs to its holder */
        snprintf(info, sizeof info, "gen %d · spec %s", ie->card.generation, ie->card.spec_version);
        const char *tmpl = kiosk_strings_get(app->strings, "screen.m_card_info");
        const char *at = strstr(tmpl, "{}");
        snprintf(app->menu.card_info, sizeof app->menu.card_info, "%.*s%s%s",
                 at ? (int)(at - tmpl) : (int)strlen(tmpl), tmpl, info, at ? at + 2 : "");
    } else if (ie->type == IDENTITY_CARD_UNREADABLE) {
        const char *tmpl = kiosk_strings_get(app->strings, "screen.m_card_bad");
        const char *at = strstr(tmpl, "{}");
        snprintf(app->menu.card_info, sizeof app->menu.card_info, "%.*s%s%s",
                 at ? (int)(at - tmpl) : (int)strlen(tmpl), tmpl, kiosk_rc_name(ie->rc),
                 at ? at + 2 : "");
    }
    app->dirty = 1;
}

static void on_identity_event(ui_app *app, identity_event *ie)
{
    if (ie->type == IDENTITY_READER_FAULT || ie->type == IDENTITY_READER_OK)
        app->reader_ok = ie->type == IDENTITY_READER_OK;
    if (app->menu.screen != UI_MENU_OFF) {
        /* staff at the kiosk: cards are the reader test, never a citizen's session */
        if (app->menu.screen == UI_MENU_READER)
            menu_card(app, ie);
        /* a staff card on the login screen: its UID plus the PIN log in */
        if (app->menu.screen == UI_MENU_LOGIN && ie->type == IDENTITY_CARD_PRESENT) {
            snprintf(app->menu.card_uid, sizeof app->menu.card_uid, "%s", ie->uid);
            app->menu.note_key = NULL;
            app->dirty = 1;
        } else if (app->menu.screen == UI_MENU_LOGIN && ie->type == IDENTITY_CARD_REMOVED) {
            app->menu.card_uid[0] = '\0';
            app->dirty = 1;
        }
        return;
    }
    if (ie->type == IDENTITY_CARD_PRESENT && flow_get_view(app->flow)->step == FLOW_ATTRACT) {
        if (app->menu.out_of_service)
            return;
        if (app->power &&
            !power_can_start_session(&app->pw, MIN_BATTERY_PERCENT, MIN_BATTERY_MINUTES)) {
            app->battery_refused = 1;
            app->dirty = 1;
            kiosk_log_warn("ui", "battery too low to start a registration");
            return;
        }
        app->battery_refused = 0;
    }
    flow_event ev = {.rc = ie->rc, .tries_left = ie->tries_left};
    switch (ie->type) {
    case IDENTITY_CARD_PRESENT:
        ev.type = FLOW_EV_CARD_PRESENT;
        break;
    case IDENTITY_CARD_READ:
        ev.type = FLOW_EV_CARD_READ;
        ev.card = &ie->card;
        break;
    case IDENTITY_PIN_WRONG:
        ev.type = FLOW_EV_PIN_WRONG;
        break;
    case IDENTITY_PIN_BLOCKED:
        ev.type = FLOW_EV_PIN_BLOCKED;
        break;
    case IDENTITY_HOLDER:
        ev.type = FLOW_EV_HOLDER;
        ev.card = &ie->card;
        ev.holder = &ie->holder;
        break;
    case IDENTITY_NEEDS_ID_ENTRY:
        ev.type = FLOW_EV_NEEDS_ID_ENTRY;
        break;
    case IDENTITY_CARD_UNREADABLE:
        ev.type = FLOW_EV_CARD_UNREADABLE;
        break;
    case IDENTITY_CARD_REMOVED:
        ev.type = FLOW_EV_CARD_REMOVED;
        break;
    case IDENTITY_READER_FAULT:
        ev.type = FLOW_EV_READER_FAULT;
        break;
    case IDENTITY_READER_OK:
        return;
    }
    dispatch(app, &ev);
}

static void tick(ui_app *app)
{
    int64_t now = kiosk_clock_mono_ms(app->clock);
    if (app->menu.screen != UI_MENU_OFF) {
        char who[40];
        snprintf(who, sizeof who, "%s", app->menu.staff);
        if (ui_menu_wants_figures(&app->menu, now) && app->io)
            ui_io_dashboard(app->io);
        if (ui_menu_tick(&app->menu, now)) {
            if (app->io)
                ui_io_audit(app->io, who, "staff.logout", "", "idle");
            app->dirty = 1;
        }
    }
    if (app->power && now - app->pw_read_ms >= 5000) {
        power_status before = app->pw;
        app->pw_read_ms = now;
        if (power_read(app->power, &app->pw) == KIOSK_OK &&
            (before.percent != app->pw.percent || before.charging != app->pw.charging))
            app->dirty = 1;
        if (app->pw.charging)
            app->battery_refused = 0;
    }
    send(app, FLOW_EV_TICK);
}

/* Draw the canvas onto the window, turned and scaled (no present). */
static void compose(ui_app *app)
{
    SDL_Rect dst;
    float s;
    if (!app->canvas)
        return; /* drawn on the window itself */
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

static void on_pin_key(ui_app *app, const char *id)
{
    ui_journey_state *js = &app->js;
    if (!strncmp(id, "key", 3) && id[3] >= '0' && id[3] <= '9' && !id[4]) {
        if (js->pin_len < UI_PIN_DIGITS)
            js->pin[js->pin_len++] = id[3];
    } else if (!strcmp(id, UI_ID_PIN_DELETE)) {
        if (js->pin_len > 0)
            js->pin[--js->pin_len] = '\0';
    } else if (!strcmp(id, UI_ID_PIN_CLEAR)) {
        explicit_bzero(js->pin, sizeof js->pin);
        js->pin_len = 0;
    } else if (!strcmp(id, UI_ID_PIN_CONFIRM) && js->pin_len == UI_PIN_DIGITS) {
        kiosk_rc rc =
            app->identity ? identity_worker_submit_pin(app->identity, js->pin) : KIOSK_NO_CARD;
        explicit_bzero(js->pin, sizeof js->pin);
        js->pin_len = 0;
        if (rc == KIOSK_OK)
            send(app, FLOW_EV_PIN_ENTERED);
        else
            kiosk_log_warn("ui", "the reader did not take the PIN: %s", kiosk_strerror(rc));
    }
    app->dirty = 1;
}

static void on_answer(ui_app *app, const char *id)
{
    ui_journey_state *js = &app->js;
    if (id[0] == 'q' && id[1] >= '0' && id[1] <= '3' && id[2] == '_') {
        js->answers[id[1] - '0'] = !strcmp(id + 3, "yes");
        js->show_missing = 0;
    } else if (!strcmp(id, UI_ID_NEXT)) {
        flow_event ev = {.type = FLOW_EV_ANSWERS};
        for (int i = 0; i < 4; i++) {
            if (js->answers[i] < 0) {
                js->show_missing = 1;
                app->dirty = 1;
                return;
            }
            ev.answers[i] = js->answers[i] == 1;
        }
        dispatch(app, &ev);
    }
    app->dirty = 1;
}

static void on_form(ui_app *app, const char *id)
{
    ui_form_env env = {app->codes, app->divs, flow_record(app->flow), app->pinyin,
                       strcmp(app->language, "en") == 0 ? CODES_EN : CODES_ZH};
    ui_form_action act;
    if (ui_form_tap(&env, &app->js.edit, id, &act)) {
        if (act.set) {
            flow_event ev = {.type = FLOW_EV_FIELD_SET, .field = act.field, .text = act.text};
            dispatch(app, &ev);
            explicit_bzero(act.text, sizeof act.text);
        } else {
            send(app, FLOW_EV_TOUCH);
        }
    } else if (!strcmp(id, UI_ID_NEXT)) {
        send(app, FLOW_EV_NEXT);
    } else if (!strcmp(id, UI_ID_BACK)) {
        send(app, FLOW_EV_BACK);
    }
}

/* How far the screen of step is scrolled, or NULL for one that does not scroll. */
static int *scroll_of(ui_app *app, flow_step step)
{
    switch (step) {
    case FLOW_FORM:
        return app->js.edit.active ? NULL : &app->js.form_scroll.y;
    case FLOW_REVIEW:
        return &app->js.review_scroll;
    case FLOW_COMMITMENT:
        return &app->js.commitment_scroll;
    default:
        return NULL;
    }
}

static void on_signature_button(ui_app *app, const char *id)
{
    if (!strcmp(id, UI_ID_SIGN_CLEAR)) {
        if (app->pad)
            ui_signature_clear(app->pad);
        app->js.signature_problem = NULL;
        send(app, FLOW_EV_TOUCH);
    } else if (!strcmp(id, UI_ID_SIGN_CONFIRM)) {
        ui_signature_verdict why = UI_SIGNATURE_EMPTY;
        if (app->pad && ui_signature_check(app->pad, &why) == KIOSK_OK) {
            app->js.signature_problem = NULL;
            send(app, FLOW_EV_SIGNED);
        } else {
            static const char *const keys[] = {
                [UI_SIGNATURE_EMPTY] = "screen.signature_empty",
                [UI_SIGNATURE_TOO_SMALL] = "screen.signature_too_small",
                [UI_SIGNATURE_TOO_SHORT] = "screen.signature_too_short",
                [UI_SIGNATURE_A_DOT_OR_LINE] = "screen.signature_line"};
            app->js.signature_problem = (unsigned)why < sizeof keys / sizeof keys[0] && keys[why]
                                            ? keys[why]
                                            : "screen.signature_empty";
            send(app, FLOW_EV_TOUCH);
        }
    } else if (!strcmp(id, UI_ID_BACK)) {
        send(app, FLOW_EV_BACK);
    }
}

void ui_app_stroke(ui_app *app, int phase, int x, int y)
{
    if (flow_get_view(app->flow)->step != FLOW_SIGNATURE || !app->pad)
        return;
    SDL_Rect r = app->js.pad_rect;
    SDL_Point p = {x, y};
    int64_t t = kiosk_clock_mono_ms(app->clock);
    if (phase == 0) {
        if (!SDL_PointInRect(&p, &r))
            return;
        app->pad_drawing =
            ui_signature_begin(app->pad, (float)(x - r.x), (float)(y - r.y), t) == KIOSK_OK;
        app->js.signature_problem = NULL;
        send(app, FLOW_EV_TOUCH);
    } else if (app->pad_drawing && phase == 1) {
        ui_signature_move(app->pad, (float)(x - r.x), (float)(y - r.y), t);
    } else if (app->pad_drawing) {
        ui_signature_end(app->pad, t);
        app->pad_drawing = 0;
    }
    app->dirty = 1;
}

static void menu_action(ui_app *app, ui_menu_action a)
{
    ui_menu *m = &app->menu;
    char who[40];
    snprintf(who, sizeof who, "%s", m->staff[0] ? m->staff : "staff");
    switch (a) {
    case UI_MENU_NONE:
        break;
    case UI_MENU_DO_LOGIN:
        if (!app->io ||
            ui_io_login(app->io, m->card_uid[0] ? m->card_uid : NULL, m->pin) != KIOSK_OK) {
            ui_io_result r = {.kind = UI_IO_LOGIN, .rc = KIOSK_UNSUPPORTED};
            ui_menu_result(m, &r);
        }
        explicit_bzero(m->pin, sizeof m->pin);
        m->pin_len = 0;
        break;
    case UI_MENU_DO_DASHBOARD:
        if (app->io)
            ui_io_dashboard(app->io);
        break;
    case UI_MENU_DO_SYNC:
        if (app->opt.sync_now)
            app->opt.sync_now(app->opt.sync_ctx);
        if (app->io)
            ui_io_audit(app->io, who, "sync.now", "", "");
        break;
    case UI_MENU_DO_PRINT_TEST:
        if (app->io)
            ui_io_print_test(app->io);
        break;
    case UI_MENU_DO_REPRINT:
        snprintf(m->receipt_no, sizeof m->receipt_no, "%s-%.8s-%.4s", app->cfg.hall_code, m->digits,
                 m->digits + 8);
        if (app->io)
            ui_io_print(app->io, m->receipt_no, 1);
        break;
    case UI_MENU_DO_EXPORT:
        if (app->io)
            ui_io_export(app->io, app->cfg.export_dir, who);
        break;
    case UI_MENU_DO_PURGE:
        if (app->io)
            ui_io_purge(app->io, app->cfg.retention_days, who);
        break;
    case UI_MENU_DO_SERVICE:
        if (app->io)
            ui_io_service(app->io, m->out_of_service, who);
        kiosk_log_info("ui", "kiosk %s by staff",
                       m->out_of_service ? "out of service" : "in service");
        break;
    case UI_MENU_DO_RESTART: {
        if (app->io)
            ui_io_audit(app->io, who, "kiosk.restart", "", "");
        app->restart_requested = 1;
        SDL_Event q;
        SDL_zero(q);
        q.type = SDL_QUIT;
        SDL_PushEvent(&q);
        break;
    }
    case UI_MENU_DO_LOGOUT:
        if (app->io)
            ui_io_audit(app->io, who, "staff.logout", "", "");
        break;
    }
    app->dirty = 1;
}

/* A tap on widget id of the current screen. */
static void on_widget(ui_app *app, const char *id)
{
    flow_step step = flow_get_view(app->flow)->step;
    int64_t now = kiosk_clock_mono_ms(app->clock);
    if (app->menu.screen != UI_MENU_OFF) {
        /* the staff name, kept for the logout's audit entry before the tap clears it */
        char who[sizeof app->menu.staff];
        memcpy(who, app->menu.staff, sizeof who);
        ui_menu_action a = ui_menu_tap(&app->menu, id, now);
        if (a == UI_MENU_DO_LOGOUT)
            memcpy(app->menu.staff, who, sizeof who);
        menu_action(app, a);
        if (a == UI_MENU_DO_LOGOUT)
            app->menu.staff[0] = '\0';
        app->dirty = 1;
        return;
    }
    if (!strcmp(id, "staff_corner")) {
        if (ui_menu_corner_tap(&app->menu, now))
            app->dirty = 1;
        return;
    }
    if (!strcmp(id, "language")) {
        load_strings(app, strcmp(app->language, "en") == 0 ? "zh_CN" : "en");
        load_commitment(app, app->language);
        app->dirty = 1;
    } else if (!strcmp(id, "large_text")) {
        app->large_text = !app->large_text;
        rebuild_theme(app);
    } else if (!strcmp(id, "contrast")) {
        app->high_contrast = !app->high_contrast;
        rebuild_theme(app);
    } else if (!strcmp(id, UI_ID_MORE_TIME)) {
        send(app, FLOW_EV_MORE_TIME);
    } else if (!strcmp(id, UI_ID_CANCEL)) {
        send(app, FLOW_EV_CANCEL);
    } else if (!strcmp(id, UI_ID_OK)) {
        send(app, FLOW_EV_NEXT);
    } else if (ui_scroll_dir(id) && scroll_of(app, step)) {
        /* a third of the screen a tap; the draw keeps it within what there is */
        int *y = scroll_of(app, step);
        *y += ui_scroll_dir(id) * app->h / 3;
        if (*y < 0)
            *y = 0;
        send(app, FLOW_EV_SCROLL);
    } else if (step == FLOW_ELIGIBILITY && !strcmp(id, UI_ID_BACK)) {
        send(app, FLOW_EV_BACK);
    } else if (step == FLOW_PIN) {
        on_pin_key(app, id);
    } else if (step == FLOW_QUESTIONS) {
        on_answer(app, id);
    } else if (step == FLOW_FORM) {
        on_form(app, id);
    } else if (step == FLOW_REVIEW) {
        if (!strncmp(id, "edit_", 5)) {
            flow_event ev = {.type = FLOW_EV_EDIT, .page = (flow_page)atoi(id + 5)};
            dispatch(app, &ev);
        } else if (!strcmp(id, UI_ID_NEXT)) {
            send(app, FLOW_EV_NEXT);
        } else if (!strcmp(id, UI_ID_BACK)) {
            send(app, FLOW_EV_BACK);
        }
    } else if (step == FLOW_COMMITMENT) {
        if (!strcmp(id, UI_ID_AGREE)) {
            send(app, FLOW_EV_NEXT);
        } else if (!strcmp(id, UI_ID_BACK)) {
            send(app, FLOW_EV_BACK);
        }
    } else if (step == FLOW_SIGNATURE) {
        on_signature_button(app, id);
    } else if (step == FLOW_DONE) {
        if (!strcmp(id, UI_ID_REPRINT))
            send(app, FLOW_EV_REPRINT);
        else if (!strcmp(id, UI_ID_FINISH))
            send(app, FLOW_EV_NEXT);
    }
    app->dirty = 1;
}

void ui_app_tap(ui_app *app, int x, int y)
{
    const char *id = ui_widgets_hit(&app->widgets, x, y);
    int attract = flow_get_view(app->flow)->step == FLOW_ATTRACT;
    if (!attract)
        send(app, FLOW_EV_TOUCH); /* the citizen is still there */
    else if (!id && __atomic_load_n(&app->sim, __ATOMIC_SEQ_CST))
        ui_app_sim_card(app, 1); /* demo: touching the screen puts the simulated card on */
    if (id) {
        char copy[UI_WIDGET_ID_MAX];
        snprintf(copy, sizeof copy, "%s", id); /* the list is rebuilt by a redraw */
        on_widget(app, copy);
    }
}

kiosk_rc ui_app_tap_id(ui_app *app, const char *id)
{
    SDL_Rect r;
    if (!ui_widgets_find(&app->widgets, id, &r))
        return KIOSK_NOT_FOUND;
    ui_app_tap(app, r.x + r.w / 2, r.y + r.h / 2);
    return KIOSK_OK;
}

kiosk_rc ui_app_sim_card(ui_app *app, int present)
{
    reader *sim = __atomic_load_n(&app->sim, __ATOMIC_SEQ_CST);
    /* the worker opens the reader on its own thread: give it a moment after start */
    for (int i = 0;
         !sim && app->identity && app->cfg.reader_backend == KIOSK_READER_SIMULATED && i < 200;
         i++) {
        SDL_Delay(10);
        sim = __atomic_load_n(&app->sim, __ATOMIC_SEQ_CST);
    }
    if (!sim)
        return KIOSK_UNSUPPORTED;
    reader_sim_set_present(sim, present);
    return KIOSK_OK;
}

int ui_app_pad_rect(const ui_app *app, SDL_Rect *out)
{
    if (flow_get_view(app->flow)->step != FLOW_SIGNATURE || app->js.pad_rect.w <= 0)
        return 0;
    *out = app->js.pad_rect;
    return 1;
}

const flow_view *ui_app_view(const ui_app *app)
{
    return flow_get_view(app->flow);
}

int ui_app_handle_event(ui_app *app, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT:
        return 1;
    case SDL_FINGERDOWN:
    case SDL_FINGERMOTION:
    case SDL_FINGERUP: {
        /* finger coordinates are normalised 0..1 over the window (the panel) */
        int W, H, x, y;
        panel_size(app, &W, &H);
        to_logical(app, ev->tfinger.x * (float)W, ev->tfinger.y * (float)H, &x, &y);
        int phase = ev->type == SDL_FINGERDOWN ? 0 : ev->type == SDL_FINGERMOTION ? 1 : 2;
        ui_app_stroke(app, phase, x, y);
        if (phase == 0 && !app->pad_drawing)
            ui_app_tap(app, x, y);
        break;
    }
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEMOTION: {
        if (ev->button.which == SDL_TOUCH_MOUSEID) /* touches arrive as fingers too */
            break;
        int x, y;
        if (ev->type == SDL_MOUSEMOTION) {
            if (!(ev->motion.state & SDL_BUTTON_LMASK))
                break;
            to_logical(app, (float)ev->motion.x, (float)ev->motion.y, &x, &y);
            ui_app_stroke(app, 1, x, y);
            break;
        }
        to_logical(app, (float)ev->button.x, (float)ev->button.y, &x, &y);
        int phase = ev->type == SDL_MOUSEBUTTONDOWN ? 0 : 2;
        ui_app_stroke(app, phase, x, y);
        if (phase == 0 && !app->pad_drawing)
            ui_app_tap(app, x, y);
        break;
    }
    case SDL_WINDOWEVENT:
        app->dirty = 1;
        break;
    case SDL_KEYDOWN:
        /* demo and development: F2 puts the simulated card on the reader or takes it off */
        if (ev->key.keysym.sym == SDLK_F2 && __atomic_load_n(&app->sim, __ATOMIC_SEQ_CST)) {
            static int on;
            on = !on;
            ui_app_sim_card(app, on);
        }
        break;
    default:
        if (app->identity_event && ev->type == app->identity_event) {
            on_identity_event(app, ev->user.data1);
            free_identity_event(ev->user.data1);
        } else if (app->io_event && ev->type == app->io_event) {
            on_io_result(app, ev->user.data1);
            free_io_result(ev->user.data1);
            free(ev->user.data1);
        }
        break;
    }
    return 0;
}

void ui_app_pump(ui_app *app)
{
    SDL_Event ev;
    while (SDL_PollEvent(&ev))
        ui_app_handle_event(app, &ev);
    tick(app);
    if (app->dirty) {
        ui_app_render(app);
        if (!app->headless)
            present(app); /* a script replayed in a window is watched */
    }
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
        tick(app);
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

int ui_app_menu_screen(const ui_app *app)
{
    return (int)app->menu.screen;
}

int ui_app_out_of_service(const ui_app *app)
{
    return app->menu.out_of_service;
}

int ui_app_restart_requested(const ui_app *app)
{
    return app->restart_requested;
}
