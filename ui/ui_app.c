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

#include "app/session.h"
#include "app/voice.h"
#include "config/kiosk_config.h"
#include "config/kiosk_strings.h"
#include "core/kiosk_log.h"
#include "core/kiosk_notify.h"
#include "ui/ui_attract.h"
#include "ui/ui_draw.h"
#include "ui/ui_handpad.h"
#include "ui/ui_handwriting.h"
#include "ui/ui_icon.h"
#include "ui/ui_journey.h"
#include "ui/ui_menu.h"
#include "ui/ui_pinyin.h"
#include "ui/ui_screenshot.h"
#include "ui/ui_info.h"
#include "ui/ui_services.h"
#include "ui/ui_text.h"
#include "ui/ui_theme.h"
#include "ui/ui_voice.h"
#include "ui/ui_widget.h"

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
    /* the journey: the session decides, the screens show it */
    const kiosk_clock *clock;
    session *session;
    Uint32 wake_event; /* SDL user event type: a worker queued something for the session */
    flow_step last_step;
    int resume_said;     /* the resume offer's prompt was spoken */
    int records_said;    /* 我的办理记录: the hub's answer (or its absence) was spoken */
    flow_page last_page; /* the form page last shown: a new one trims the text cache */
    ui_journey_state js;
    int headless;
    ui_pinyin *pinyin;    /* NULL without the dictionary: letters go in as typed */
    int pinyin_tried;     /* loaded when first needed (want_pinyin) */
    ui_handwriting *hand; /* the handwriting pad; NULL without the model: pinyin only */
    int hand_tried;
    SDL_Texture *receipt; /* the done screen's preview */
    int receipt_w, receipt_h;
    ui_app_options opt;
    desk desk; /* the maintenance desk: staff at the kiosk */
    /* sound: opened when first needed (start-up stays quick); NULL on a silent unit */
    ui_voice *voice;
    int voice_tried;
    int voice_on; /* session_prefs.voice as last seen */
    /* the finger on the screen (not on a drawing pad): a tap on release, or a drag */
    struct {
        int down, dragging;
        int x0, y0;  /* where it went down */
        int scroll0; /* the screen's scroll then */
    } press;
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

/* The font stack of lang: Traditional Chinese draws with the TC face first. A new stack
 * is a new ui_text (its cache held the other shapes); on failure the old one stays. */
static kiosk_rc load_fonts(ui_app *app, const char *lang)
{
    kiosk_config_fonts fonts;
    kiosk_config_font_paths_lang(&app->cfg, lang, &fonts);
    ui_text *t;
    kiosk_rc rc = ui_text_create(app->renderer, fonts.list, fonts.n, &t);
    if (rc != KIOSK_OK) {
        kiosk_log_error("ui", "cannot load the fonts of %s from %s: %s", lang, app->cfg.fonts_dir,
                        kiosk_strerror(rc));
        return rc;
    }
    ui_text_destroy(app->text);
    app->text = t;
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

/* Any thread: the session has worker reports queued; end the loop's wait. */
static void wake(void *ctx)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = ((ui_app *)ctx)->wake_event;
    SDL_PushEvent(&e); /* a full queue already wakes the loop */
}

static void drop_receipt(ui_app *app)
{
    if (app->receipt)
        SDL_DestroyTexture(app->receipt);
    app->receipt = NULL;
    app->receipt_w = app->receipt_h = 0;
}

/* One axis of an area-average downscale: destination cell i of m covers source cells
 * [i·n/m, (i+1)·n/m), the edge ones in part. Fills the first source cell and up to
 * AREA_MAX weights adding up to 1; returns how many. */
#define AREA_MAX 64
static int area_weights(int n, int m, int i, int *first, float *wt)
{
    double lo = (double)i * n / m, hi = (double)(i + 1) * n / m, span = hi - lo;
    int k = 0;
    *first = (int)lo;
    for (int src = (int)lo; src < n && src < hi && k < AREA_MAX; src++) {
        double a = src > lo ? src : lo, b = src + 1 < hi ? src + 1 : hi;
        wt[k++] = (float)((b - a) / span);
    }
    return k;
}

/* The receipt's 1-bit image averaged over areas into w×h grey (0 ink … 1 paper): every
 * source pixel counts, so thin strokes of small characters ("张*丰", "携带") stay as
 * grey instead of dropping out or doubling as a point sample or a bilinear stretch over
 * more than 2:1 does. Once per receipt, off the frame loop. Returns NULL on no memory. */
static float *receipt_area_average(const receipt_bitmap *b, int w, int h)
{
    size_t wb = (size_t)b->width / 8;
    float *rows = calloc((size_t)w * (size_t)b->rows, sizeof *rows); /* columns done */
    float *out = calloc((size_t)w * (size_t)h, sizeof *out);
    if (!rows || !out) {
        free(rows);
        free(out);
        return NULL;
    }
    for (int y = 0; y < b->rows; y++) {
        const uint8_t *src = b->bits + (size_t)y * wb;
        float *dst = rows + (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++) {
            int x0;
            float wt[AREA_MAX], ink = 0.0f;
            int k = area_weights(b->width, w, x, &x0, wt);
            for (int j = 0; j < k; j++)
                if (src[(x0 + j) / 8] & (0x80 >> ((x0 + j) % 8)))
                    ink += wt[j];
            dst[x] = ink;
        }
    }
    for (int y = 0; y < h; y++) {
        float *dst = out + (size_t)y * (size_t)w;
        int y0;
        float wt[AREA_MAX];
        int k = area_weights(b->rows, h, y, &y0, wt);
        for (int j = 0; j < k; j++) {
            const float *src = rows + (size_t)(y0 + j) * (size_t)w;
            for (int x = 0; x < w; x++)
                dst[x] += src[x] * wt[j];
        }
        for (int x = 0; x < w; x++)
            dst[x] = 1.0f - (dst[x] > 1.0f ? 1.0f : dst[x]);
    }
    free(rows);
    return out;
}

/* The receipt as printed, for the done screen: scaled once, by area averaging, to the
 * size the screen shows it at (at most 55 % of the screen's height; 72 % beside the text
 * in landscape), so no scaling in the frame loop; should the screen still shrink it a
 * little, the texture is scaled linearly, never by dropping pixels. */
static void load_receipt(ui_app *app, const receipt_bitmap *b)
{
    if (!app->renderer)
        return;
    drop_receipt(app);
    if (!b->bits || b->width <= 0 || b->rows <= 0)
        return;
    float k = (float)app->h * (app->w > app->h ? 0.72f : 0.55f) / (float)b->rows;
    if (k > (float)app->w * 0.8f / (float)b->width)
        k = (float)app->w * 0.8f / (float)b->width;
    if (k > 1.0f)
        k = 1.0f;
    int w = (int)((float)b->width * k), h = (int)((float)b->rows * k);
    if (w <= 0 || h <= 0)
        return;
    float *grey = receipt_area_average(b, w, h);
    SDL_Surface *small =
        grey ? SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888) : NULL;
    if (small) {
        for (int y = 0; y < h; y++) {
            uint32_t *row =
                (uint32_t *)((uint8_t *)small->pixels + (size_t)y * (size_t)small->pitch);
            for (int x = 0; x < w; x++) {
                Uint8 g = (Uint8)(grey[(size_t)y * (size_t)w + (size_t)x] * 255.0f + 0.5f);
                row[x] = SDL_MapRGBA(small->format, g, g, g, 255);
            }
        }
        app->receipt = SDL_CreateTextureFromSurface(app->renderer, small);
        if (app->receipt) {
            /* the screen's own pixel format, opaque: a frame copies it, no blending */
            SDL_SetTextureBlendMode(app->receipt, SDL_BLENDMODE_NONE);
            SDL_SetTextureScaleMode(app->receipt, SDL_ScaleModeLinear);
            app->receipt_w = w;
            app->receipt_h = h;
        }
    }
    SDL_FreeSurface(small);
    free(grey);
}

static ui_voice *voice(ui_app *app)
{
    if (!app->voice && !app->voice_tried) {
        app->voice_tried = 1;
        ui_voice_create(app->cfg.voice_prompts_dir, app->cfg.voice_volume, &app->voice);
    }
    return app->voice;
}

/* The instruction of step, spoken in the citizen's language when the sound is on (a
 * fixed prompt from the assets: nothing the citizen entered is ever said). */
static void say_step(ui_app *app, flow_step step)
{
    const char *name = step == FLOW_ATTRACT
                           ? voice_attract_prompt(kiosk_config_card_entry(&app->cfg))
                           : voice_prompt_name_page(step, (flow_page)app->last_page);
    if (!app->voice_on || !name || app->desk.screen != DESK_OFF || !voice(app))
        return;
    ui_voice_say(app->voice, app->language, name);
}

/* UI thread: the session changed (SESSION_* bits). */
/* The text input engines go: the pinyin engine (its dictionary, about 10 MB, and search
 * buffers that held what was typed) and the handwriting recogniser (the strokes, the
 * pad's picture and the model's 27 MB mapping, most of it touched by a recognition).
 * Each comes back when a form next needs it (want_pinyin, on_session's FLOW_FORM). */
static void drop_text_input(ui_app *app)
{
    ui_pinyin_destroy(app->pinyin);
    app->pinyin = NULL;
    app->pinyin_tried = 0;
    ui_handwriting_destroy(app->hand);
    app->hand = NULL;
    app->hand_tried = 0;
}

static void on_session_changed(void *ctx, unsigned what)
{
    ui_app *app = ctx;
    if (!app->session)
        return; /* still being made */
    const session_view *sv = session_get_view(app->session);
    flow_step step = sv->flow->step;
    int say = 0;
    if (what & SESSION_WIPED) {
        /* the citizen's data leaves the screens too: what they showed, the rasterised
         * text, the pinyin engine (its search buffers held what was typed, closed until
         * the next citizen needs it) and the freed memory goes back to the system */
        ui_journey_state_wipe(&app->js);
        ui_text_forget(app->text);
        drop_text_input(app);
        malloc_trim(0);
    }
    if (what & SESSION_PREFS) {
        /* the session decides how the citizen reads (and resets it for the next one) */
        if (strcmp(sv->prefs.language, app->language) != 0) {
            if (kiosk_lang_is_hant(sv->prefs.language) != kiosk_lang_is_hant(app->language))
                load_fonts(app, sv->prefs.language);
            load_strings(app, sv->prefs.language);
            say = 1; /* the instruction again, in the language chosen */
        }
        if (sv->prefs.voice != (app->voice_on != 0)) {
            app->voice_on = sv->prefs.voice;
            if (app->voice_on)
                say = 1;
            else
                ui_voice_stop(app->voice);
        }
        if (sv->prefs.large_text != (app->large_text != 0) ||
            sv->prefs.high_contrast != (app->high_contrast != 0)) {
            app->large_text = sv->prefs.large_text;
            app->high_contrast = sv->prefs.high_contrast;
            rebuild_theme(app);
        }
        app->dirty = 1;
    }
    if (what & SESSION_RECEIPT) {
        if (sv->receipt->bits)
            load_receipt(app, sv->receipt);
        else
            drop_receipt(app);
    }
    if (step != app->last_step || (step == FLOW_FORM && sv->flow->page != app->last_page)) {
        /* another screen (a form page too): the last one's text goes, and the memory it
         * held */
        ui_text_trim(app->text, UI_TEXT_TRIM_PIXELS);
        malloc_trim(0);
        app->last_page = sv->flow->page;
    }
    if (step != app->last_step) {
        if (step == FLOW_REVIEW)
            app->js.review_scroll = app->js.review_part = 0;
        if (step == FLOW_COMMITMENT)
            app->js.commitment_scroll = 0;
        if (step == FLOW_REVIEW || step == FLOW_COMMITMENT)
            drop_text_input(app); /* the form is done; a change from the review gets them again */
        app->last_step = step;
        say = 1;
    }
    /* the attract screen speaks only when asked (on_widget): never by itself, a hall
     * would hear it after every citizen */
    if (say && step != FLOW_ATTRACT)
        say_step(app, step);
    /* "接着填？" comes a moment after the services screen: said when it shows */
    if (sv->resume_offer && !app->resume_said) {
        app->resume_said = 1;
        /* the kept form's own name (注销申报, 求职登记) */
        if (app->voice_on && app->desk.screen == DESK_OFF && voice(app))
            ui_voice_say(app->voice, app->language, voice_resume_prompt(sv->resume_type));
    } else if (!sv->resume_offer) {
        app->resume_said = 0;
    }
    /* 我的办理记录: the newest record's state once the hub answered, or that it could not */
    if (step == FLOW_RECORDS && !app->records_said &&
        (sv->records_hub == 1 || sv->records_hub == -1)) {
        static const char *const said[] = {NULL, "records_received", "records_processing",
                                           "records_approved", "records_needs_materials"};
        int st = sv->nrecords > 0 ? sv->records[0].hub_state : 0;
        const char *prompt = sv->records_hub == -1                              ? "records_offline"
                             : st > 0 && st < (int)(sizeof said / sizeof *said) ? said[st]
                                                                                : NULL;
        app->records_said = 1;
        if (prompt && app->voice_on && app->desk.screen == DESK_OFF && voice(app))
            ui_voice_say(app->voice, app->language, prompt);
    } else if (step != FLOW_RECORDS) {
        app->records_said = 0;
    }
    if (step == FLOW_FORM && !app->hand && !app->hand_tried) {
        app->hand_tried = 1;
        if (ui_handwriting_create(app->cfg.handwriting_model, &app->hand) != KIOSK_OK)
            kiosk_log_warn("ui", "no handwriting model at %s: Chinese text is typed in pinyin",
                           app->cfg.handwriting_model);
    }
    app->dirty = 1;
}

/* UI thread: a staff job's result, and a card while staff are at the kiosk: the desk's. */
static void on_staff_result(void *ctx, const app_io_result *r)
{
    ui_app *app = ctx;
    desk_result(&app->desk, r);
    app->dirty = 1;
}

static void on_staff_card(void *ctx, const identity_event *ie)
{
    ui_app *app = ctx;
    desk_card_event(&app->desk, ie);
    app->dirty = 1;
}

/* Staff asked for a restart: the loop ends, systemd starts the kiosk again. */
static void restart(void *ctx)
{
    (void)ctx;
    SDL_Event q;
    SDL_zero(q);
    q.type = SDL_QUIT;
    SDL_PushEvent(&q);
}

kiosk_rc ui_app_create(const kiosk_config *cfg, const ui_app_options *opt, ui_app **out)
{
    *out = NULL;
    /* The screen's pictures (a block of text, a page of the commitment, the pad's ink)
     * come and go by the hundred kilobytes. glibc would raise its mmap threshold to the
     * largest freed and keep such blocks in a heap that only grows; fixed thresholds give
     * them back to the system when they go (the process's peak memory is budgeted). */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024);
    ui_app *app = calloc(1, sizeof *app);
    if (!app)
        return KIOSK_NOMEM;
    app->cfg = *cfg;
    app->headless = opt->headless;
    kiosk_config_screen_size(cfg, &app->w, &app->h);
    kiosk_rc rc = load_strings(app, cfg->language);
    if (rc == KIOSK_OK)
        rc = open_display(app, opt);
    if (rc == KIOSK_OK)
        rc = load_fonts(app, cfg->language);
    app->opt = *opt;
    app->clock = opt->clock ? opt->clock : kiosk_clock_system();
    ui_journey_state_wipe(&app->js);
    if (rc == KIOSK_OK) {
        app->wake_event = SDL_RegisterEvents(1);
        if (app->wake_event == (Uint32)-1)
            rc = KIOSK_NOMEM;
    }
    if (rc == KIOSK_OK) {
        session_options so = {.clock = app->clock,
                              .with_reader = opt->with_reader,
                              .with_store = opt->with_store,
                              .wake = wake,
                              .wake_ctx = app,
                              .changed = on_session_changed,
                              .staff_result = on_staff_result,
                              .staff_card = on_staff_card,
                              .ui_ctx = app,
                              .record_saved = opt->record_saved,
                              .record_saved_ctx = opt->record_saved_ctx};
        desk_env de = {
            .cfg = &app->cfg, .sync_now = opt->sync_now, .restart = restart, .ctx = opt->sync_ctx};
        desk_init(&app->desk, &de);
        rc = session_create(cfg, &so, &app->session);
        app->desk.env.session = app->session;
        if (rc == KIOSK_OK)
            app->voice_on = session_get_view(app->session)->prefs.voice;
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
    session_destroy(app->session); /* joins the workers */
    app->session = NULL;
    ui_voice_destroy(app->voice);
    app->desk.env.session = NULL; /* the desk outlives it only to be wiped */
    desk_wipe(&app->desk);
    ui_journey_state_wipe(&app->js);
    ui_pinyin_destroy(app->pinyin);
    ui_handwriting_destroy(app->hand);
    drop_receipt(app);
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

static void attract_status(ui_app *app, const session_view *sv, ui_ctx *c);

/* "电量 45% · 充电中" into line, or "" without a battery. */
static void battery_text(const ui_app *app, const session_view *sv, char *line, size_t size)
{
    line[0] = '\0';
    if (!sv->has_power || !sv->power.has_battery)
        return;
    char pct[16], level[96];
    snprintf(pct, sizeof pct, "%d%%", sv->power.percent);
    static const char *const anon = "";
    const char *value = pct;
    kiosk_strings_fill(kiosk_strings_get(app->strings, "screen.battery"), &anon, &value, 1, level,
                       sizeof level);
    snprintf(line, size, "%s%s%s", level, sv->power.charging ? " · " : "",
             sv->power.charging ? kiosk_strings_get(app->strings, "screen.charging") : "");
}

/* What the form's editors need: the session's tables and record, the input methods,
 * the hall's division and today's date. */
static ui_form_env form_env(ui_app *app)
{
    return (ui_form_env){.codes = session_codes_shown(app->session),
                         .divs = session_divisions_shown(app->session),
                         .rec = session_get_view(app->session)->record,
                         .pinyin = app->pinyin,
                         .lang = strcmp(app->language, "en") == 0 ? CODES_EN : CODES_ZH,
                         .home = session_home_division(app->session),
                         .hand = app->hand,
                         .today = kiosk_clock_today(app->clock)};
}

kiosk_rc ui_app_render(ui_app *app)
{
    SDL_SetRenderTarget(app->renderer, app->canvas);
    ui_widgets_clear(&app->widgets);
    ui_handwriting_place(app->hand, 0, 0, 0, 0); /* until the text editor draws it */
    const session_view *sv = session_get_view(app->session);
    const flow_view *v = sv->flow;
    kiosk_rc rc;
    ui_ctx c = {app->renderer, app->text, &app->theme, app->strings, &app->widgets, app->w, app->h};
    if (app->desk.screen != DESK_OFF) {
        char battery[200];
        battery_text(app, sv, battery, sizeof battery);
        ui_menu_env env = {.battery = battery[0] ? battery : NULL,
                           .hall_code = app->cfg.hall_code,
                           .hall_name = app->cfg.hall_name,
                           .agency_phone = app->cfg.agency_phone,
                           .version = app->opt.version ? app->opt.version : "?",
                           .retention_days = app->cfg.retention_days,
                           .reader_state = !sv->reader_started ? "screen.m_reader_none"
                                           : sv->reader_ok     ? "screen.m_reader_ok"
                                                               : "screen.m_reader_fault",
                           .store_state = !sv->store_fault               ? NULL
                                          : sv->store_rc == KIOSK_CONFIG ? "screen.m_store_no_key"
                                          : sv->store_rc == KIOSK_DISK_FULL
                                              ? "screen.m_store_full"
                                              : "screen.m_store_fault",
                           .printer_state = app->cfg.printer_backend == KIOSK_PRINTER_FILE
                                                ? "screen.m_printer_file"
                                            : sv->printer_fault ? "screen.m_printer_fault"
                                                                : "screen.m_printer_ready"};
        ui_menu_draw(&c, &app->desk, &env);
        rc = KIOSK_OK;
    } else if (v->step == FLOW_ATTRACT) {
        rc = ui_attract_draw(app->renderer, app->text, &app->theme, app->strings,
                             app->cfg.hall_name, app->w, app->h, app->voice_on,
                             kiosk_config_card_entry(&app->cfg), &app->attract);
        /* the discreet way to the maintenance menu: five quick taps on the kiosk's name */
        int corner_h = app->attract.language.y + app->attract.language.h;
        if (app->attract.name.w && app->attract.name.y + app->attract.name.h > corner_h)
            corner_h = app->attract.name.y + app->attract.name.h;
        SDL_Rect corner = {0, 0, app->w / 3, corner_h};
        ui_widgets_add(&app->widgets, "staff_corner", corner);
        ui_widgets_add(&app->widgets, "language", app->attract.language);
        ui_widgets_add(&app->widgets, "large_text", app->attract.large_text);
        ui_widgets_add(&app->widgets, "contrast", app->attract.contrast);
        ui_widgets_add(&app->widgets, UI_ID_VOICE, app->attract.voice);
        ui_widgets_add(&app->widgets, UI_ID_HELP, app->attract.help);
        attract_status(app, sv, &c);
        if (sv->help_shown) {
            ui_widgets_clear(&app->widgets); /* modal */
            ui_attract_help_dialog(&c);
        }
    } else {
        ui_journey_env env = {.form = form_env(app),
                              .session = sv,
                              .receipt = app->receipt,
                              .agency_phone = app->cfg.agency_phone,
                              .voice_on = app->voice_on,
                              .receipt_w = app->receipt_w,
                              .receipt_h = app->receipt_h,
                              .anim_ms = kiosk_clock_mono_ms(app->clock)};
        rc = ui_journey_draw(&c, v, &app->js, &env);
        if (v->step == FLOW_SIGNATURE && !sv->pad && app->js.pad_rect.w > 0)
            session_pad_layout(app->session, app->js.pad_rect.w, app->js.pad_rect.h,
                               (float)app->cfg.dpi / 25.4f);
        if (v->step == FLOW_COMMITMENT && app->js.commitment_seen_end)
            session_commitment_end_reached(app->session);
    }
    app->dirty = 0;
    /* draw now: SDL batches commands until a present, and a headless app (scripts,
     * screenshots, tests) may render many frames without one */
    SDL_RenderFlush(app->renderer);
    /* the screen's own text stays cached, what it no longer shows goes; so does the
     * pad's picture of the ink (2 MB) when the pad is not on the screen */
    ui_text_frame_done(app->text, UI_TEXT_SLACK_PIXELS);
    int px, py, pw, ph;
    if (app->hand && !ui_handwriting_rect(app->hand, &px, &py, &pw, &ph))
        ui_handwriting_set_view(app->hand, NULL, NULL);
    return rc;
}

/* What the attract screen adds: out of service, and on portable units the battery, the
 * network and a refusal to start on a low battery. */
static void attract_status(ui_app *app, const session_view *sv, ui_ctx *c)
{
    const ui_theme *t = c->t;
    /* no card can be read (the reader is silent or gone), or staff closed the kiosk, or
     * a required printer is missing: citizens are not invited to tap a card */
    int closed = sv->out_of_service || sv->reader_fault || sv->store_fault ||
                 (sv->printer_fault && sv->printer_required);
    if (closed) {
        SDL_Rect veil = {0, 0, app->w, app->h};
        ui_draw_fill_rect(c->r, veil, t->veil_closed);
        SDL_Rect box =
            t->landscape ? ui_px_rect(c, 140, 200, 1000, 400) : ui_px_rect(c, 60, 640, 960, 640);
        ui_draw_fill_round_rect(c->r, box, ui_theme_px(t, 32), t->panel);
        SDL_Rect in = {box.x + box.w / 12, box.y + box.h / 4, box.w * 5 / 6, box.h / 2};
        ui_label(c,
                 kiosk_strings_get(c->s, sv->out_of_service ? "attract.out_of_service"
                                         : sv->reader_fault ? "attract.no_reader"
                                         : sv->store_fault  ? "attract.cannot_save"
                                                            : "attract.no_printer_closed"),
                 in, ui_theme_size(t, UI_SIZE_NOTICE), t->fg, UI_TEXT_CENTER);
        ui_widgets_add(c->ws, "staff_corner", (SDL_Rect){0, 0, app->w / 3, app->h / 12});
        return;
    }
    if (sv->card_on_reader && !sv->battery_refused) {
        /* a session ended with the card still there: the next step is to take it (a
         * new session starts with the next card put down) */
        SDL_Rect veil = {0, 0, app->w, app->h};
        ui_draw_fill_rect(c->r, veil, t->veil);
        SDL_Rect box =
            t->landscape ? ui_px_rect(c, 240, 250, 800, 300) : ui_px_rect(c, 90, 760, 900, 400);
        ui_draw_fill_round_rect(c->r, box, ui_theme_px(t, 32), t->accent);
        /* the card to take back above the words */
        int ih = box.h / 3;
        ui_icon_draw(c->r, t, UI_ICON_CARD_ON_FILL,
                     (SDL_Rect){box.x, box.y + box.h / 8, box.w, ih});
        SDL_Rect words = {box.x, box.y + box.h / 8 + ih, box.w, box.h - box.h / 8 - ih};
        ui_label_fit(c, kiosk_strings_get(c->s, "attract.take_card"), words,
                     ui_theme_size(t, UI_SIZE_NOTICE), t->on_accent, UI_TEXT_CENTER);
        ui_widgets_add(c->ws, "staff_corner", (SDL_Rect){0, 0, app->w / 3, app->h / 12});
        return;
    }
    if (sv->printer_fault) {
        /* told before they start: the registration is kept, the receipt comes later. It
         * covers the steps, whose last one ("取回执") is not true now. */
        SDL_Rect banner =
            t->landscape ? ui_px_rect(c, 40, 560, 1200, 150) : ui_px_rect(c, 40, 1425, 1000, 290);
        ui_draw_fill_round_rect(c->r, banner, ui_theme_px(t, 24), t->error);
        const char *words = kiosk_strings_get(c->s, "attract.no_printer");
        int px = ui_theme_size_px(t, UI_SIZE_NOTICE_BANNER);
        SDL_Rect in = {banner.x + banner.w / 20, banner.y, banner.w * 9 / 10, banner.h};
        ui_text_style st = {.px = px, .align = UI_TEXT_CENTER};
        ui_text_block b = {0};
        /* the largest size whose lines fit the banner, centred in it */
        while (ui_text_measure_block(c->text, words, &st, in.w, &b) == KIOSK_OK &&
               b.h > in.h * 9 / 10 && st.px > 16)
            st.px -= 2;
        in.y += (in.h - b.h) / 2;
        in.h = b.h;
        ui_text_draw_wrapped(c->text, words, st.px, t->on_error, in, UI_TEXT_CENTER, NULL);
    }
    if (!sv->has_power && !app->opt.is_offline)
        return;
    char line[200], part[96];
    battery_text(app, sv, line, sizeof line);
    if (app->opt.is_offline && app->opt.is_offline(app->opt.sync_ctx)) {
        snprintf(part, sizeof part, "%s", kiosk_strings_get(c->s, "screen.offline"));
        size_t used = strlen(line);
        snprintf(line + used, sizeof line - used, "%s%s", used ? " · " : "", part);
    }
    int low = sv->battery_low;
    SDL_Rect status =
        t->landscape ? ui_px_rect(c, 40, 84, 700, 40) : ui_px_rect(c, 48, 120, 984, 50);
    /* under the switches where they reach over it (large text, English); beside the
     * kiosk's name when that went under them too */
    const ui_attract_layout *al = &app->attract;
    int below = al->help.y + al->help.h + ui_theme_px(t, 4);
    if (status.x + status.w > al->voice.x && status.y < below) {
        status.y = below;
        if (al->name.w && al->name.y >= al->help.y + al->help.h) { /* the name under them */
            int right = status.x + status.w;
            status.x = al->name.x + al->name.w + ui_theme_px(t, 24);
            status.y = al->name.y;
            status.w = right - status.x;
        }
    }
    if (line[0])
        ui_label_fit(c, line, status, ui_theme_size(t, UI_SIZE_STATUS), low ? t->error : t->muted,
                     UI_TEXT_LEFT);
    if (low || sv->battery_refused) {
        /* between the instruction and the steps, covering neither (the landscape
         * instruction ends at 500, the steps start at 560) */
        SDL_Rect banner =
            t->landscape ? ui_px_rect(c, 560, 504, 680, 50) : ui_px_rect(c, 40, 1330, 1000, 90);
        ui_draw_fill_round_rect(c->r, banner, ui_theme_px(t, 16), t->error);
        SDL_Rect in = {banner.x + 16, banner.y + banner.h / 6, banner.w - 32, banner.h * 2 / 3};
        ui_label_fit(c, kiosk_strings_get(c->s, "screen.battery_low"), in,
                     ui_theme_size(t, UI_SIZE_BANNER), t->on_error, UI_TEXT_CENTER);
    }
}

static void tick(ui_app *app)
{
    if (desk_tick(&app->desk, kiosk_clock_mono_ms(app->clock)))
        app->dirty = 1;
    session_pump(app->session);
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
    if (!strncmp(id, "key", 3) && id[3] >= '0' && id[3] <= '9' && !id[4])
        session_pin_digit(app->session, id[3] - '0');
    else if (!strcmp(id, UI_ID_PIN_DELETE))
        session_pin_delete(app->session);
    else if (!strcmp(id, UI_ID_PIN_CLEAR))
        session_pin_clear(app->session);
    else if (!strcmp(id, UI_ID_PIN_CONFIRM))
        session_pin_confirm(app->session);
}

static void on_answer(ui_app *app, const char *id)
{
    if (id[0] == 'q' && id[1] >= '0' && id[1] <= '3' && id[2] == '_')
        session_answer(app->session, id[1] - '0', !strcmp(id + 3, "yes"));
    else if (!strcmp(id, UI_ID_NEXT))
        session_next(app->session);
}

/* The pinyin engine, loaded when a citizen first needs it — the 拼音 key, or a Chinese
 * text field on a unit without the handwriting model — not for every form: most citizens
 * write by hand, and the dictionary (about 10 MB) stays in the process once loaded. */
static void want_pinyin(ui_app *app, const char *id)
{
    const ui_form_edit *e = &app->js.edit;
    int text = e->active && registration_field_get(e->field)->input == REGISTRATION_INPUT_TEXT;
    if (app->pinyin || app->pinyin_tried ||
        !(strcmp(id, UI_ID_KB_PINYIN) == 0 || (text && (e->pinyin || !app->hand))))
        return;
    app->pinyin_tried = 1;
    if (ui_pinyin_create(NULL, &app->pinyin) != KIOSK_OK)
        kiosk_log_warn("ui", "no pinyin dictionary: the keyboard types letters only");
}

static void on_form(ui_app *app, const char *id)
{
    want_pinyin(app, id);
    ui_form_env env = form_env(app);
    ui_form_action act;
    if (ui_form_tap(&env, &app->js.edit, id, &act)) {
        if (act.set) {
            char raw[8];
            int first = !*registration_value(env.rec, act.field, ",", raw, sizeof raw);
            explicit_bzero(raw, sizeof raw);
            session_set_field(app->session, act.field, act.text);
            if (act.set2) /* 与户籍地址相同: the detail too */
                session_set_field(app->session, act.field2, act.text2);
            /* a field given for the first time: the page's next one to give opens by
             * itself (a field changed later leaves the citizen on the page) */
            if (first)
                ui_form_open_next(&env, &app->js.edit, act.set2 ? act.field2 : act.field);
            explicit_bzero(&act, sizeof act);
        } else {
            session_touch(app->session);
        }
    } else if (!strcmp(id, UI_ID_NEXT)) {
        session_next(app->session);
    } else if (!strcmp(id, UI_ID_BACK)) {
        session_back(app->session);
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

/* The most the screen of step scrolls (set by the last draw), 0 for one that does not. */
static int max_scroll_of(const ui_app *app, flow_step step)
{
    switch (step) {
    case FLOW_FORM:
        return app->js.edit.active ? 0 : app->js.form_scroll.max;
    case FLOW_REVIEW:
        return app->js.review_max_scroll;
    case FLOW_COMMITMENT:
        return app->js.commitment_max_scroll;
    default:
        return 0;
    }
}

void ui_app_scroll_get(const ui_app *app, int *y, int *max)
{
    flow_step step = session_get_view(app->session)->flow->step;
    int *p = app->desk.screen == DESK_OFF ? scroll_of((ui_app *)app, step) : NULL;
    *y = p ? *p : 0;
    *max = p ? max_scroll_of(app, step) : 0;
}

static void on_signature_button(ui_app *app, const char *id)
{
    if (!strcmp(id, UI_ID_SIGN_CLEAR))
        session_sign_clear(app->session);
    else if (!strcmp(id, UI_ID_SIGN_CONFIRM))
        session_sign_confirm(app->session);
    else if (!strcmp(id, UI_ID_BACK))
        session_back(app->session);
}

/* 1 when the handwriting pad took the point as ink. */
static int stroke(ui_app *app, int phase, int x, int y)
{
    if (ui_handwriting_stroke(app->hand, phase, x, y)) {
        app->dirty = 1; /* the ink, and after a stroke the candidates */
        return 1;
    }
    SDL_Rect r = app->js.pad_rect;
    SDL_Point p = {x, y};
    if (phase == 0 && !SDL_PointInRect(&p, &r))
        return 0;
    session_stroke(app->session, phase, (float)(x - r.x), (float)(y - r.y));
    return 0;
}

void ui_app_stroke(ui_app *app, int phase, int x, int y)
{
    stroke(app, phase, x, y);
}

/* A tap on widget id of the current screen. */
static void on_widget(ui_app *app, const char *id)
{
    session *ss = app->session;
    flow_step step = session_get_view(ss)->flow->step;
    int64_t now = kiosk_clock_mono_ms(app->clock);
    if (app->desk.screen != DESK_OFF) {
        desk_tap(&app->desk, id, now);
        app->dirty = 1;
        return;
    }
    if (!strcmp(id, "staff_corner")) {
        if (desk_corner_tap(&app->desk, now))
            app->dirty = 1;
        return;
    }
    if (!strcmp(id, "language")) {
        session_set_language(ss, kiosk_lang_next(app->language));
    } else if (!strcmp(id, "large_text")) {
        session_set_large_text(ss, !app->large_text);
    } else if (!strcmp(id, "contrast")) {
        session_set_high_contrast(ss, !app->high_contrast);
    } else if (!strcmp(id, UI_ID_VOICE)) {
        session_set_voice(ss, !app->voice_on);
        if (step == FLOW_ATTRACT && app->voice_on) /* switched on here: the prompt, once */
            say_step(app, step);
    } else if (!strcmp(id, UI_ID_REPLAY)) {
        say_step(app, step);
    } else if (!strcmp(id, UI_ID_HELP)) {
        /* the chime tells the citizen (and the hall) that the call went out */
        session_help(ss);
        if (voice(app))
            ui_voice_chime(app->voice);
    } else if (!strcmp(id, UI_ID_HELP_OK)) {
        session_help_close(ss);
    } else if (!strcmp(id, UI_ID_CANCEL_CONFIRM)) {
        session_cancel_confirm(ss);
    } else if (!strcmp(id, UI_ID_CANCEL_KEEP)) {
        session_cancel_keep(ss);
    } else if (!strcmp(id, UI_ID_RESUME_YES) || !strcmp(id, UI_ID_RESUME_NO)) {
        session_resume(ss, !strcmp(id, UI_ID_RESUME_YES));
    } else if (!strcmp(id, UI_ID_MORE_TIME)) {
        session_more_time(ss);
    } else if (!strcmp(id, UI_ID_CANCEL)) {
        session_cancel(ss);
    } else if (!strcmp(id, UI_ID_OK)) {
        session_next(ss);
    } else if (ui_scroll_dir(id) && scroll_of(app, step)) {
        /* a third of the screen a tap (the commitment: a page less two lines); the draw
         * keeps it within what there is */
        int *y = scroll_of(app, step);
        int by = step == FLOW_COMMITMENT && app->js.commitment_page > app->h / 3
                     ? app->js.commitment_page
                     : app->h / 3;
        *y += ui_scroll_dir(id) * by;
        if (*y < 0)
            *y = 0;
        session_scroll(ss);
    } else if (step == FLOW_ELIGIBILITY && !strcmp(id, UI_ID_BACK)) {
        session_back(ss);
    } else if (step == FLOW_SERVICES || step == FLOW_RECORDS || step == FLOW_ELIGIBILITY) {
        const char *prompt = ui_services_tap(ss, step, id);
        if (prompt && app->voice_on && voice(app))
            ui_voice_say(app->voice, app->language, prompt);
    } else if (step == FLOW_INFO) {
        char buf[64];
        const char *prompt = ui_info_tap(ss, session_get_view(ss)->flow, id, buf, sizeof buf);
        if (prompt && app->voice_on && voice(app)) /* the item opened, read out */
            ui_voice_say(app->voice, app->language, prompt);
    } else if (step == FLOW_PIN) {
        on_pin_key(app, id);
    } else if (step == FLOW_QUESTIONS) {
        on_answer(app, id);
    } else if (step == FLOW_FORM) {
        on_form(app, id);
    } else if (step == FLOW_REVIEW) {
        int part = app->js.review_part, parts = app->js.review_parts;
        if (!strncmp(id, "edit_", 5))
            session_edit_page(ss, (flow_page)atoi(id + 5));
        else if (!strcmp(id, UI_ID_NEXT) && part + 1 < parts)
            app->js.review_part++; /* the review's second part first */
        else if (!strcmp(id, UI_ID_NEXT))
            session_next(ss);
        else if (!strcmp(id, UI_ID_BACK) && part > 0)
            app->js.review_part--;
        else if (!strcmp(id, UI_ID_BACK))
            session_back(ss);
    } else if (step == FLOW_COMMITMENT) {
        if (!strcmp(id, UI_ID_AGREE))
            session_agree(ss);
        else if (!strcmp(id, UI_ID_BACK))
            session_back(ss);
    } else if (step == FLOW_SIGNATURE) {
        on_signature_button(app, id);
    } else if (step == FLOW_DONE) {
        if (!strcmp(id, UI_ID_REPRINT))
            session_reprint(ss);
        else if (!strcmp(id, UI_ID_FINISH))
            session_next(ss);
    }
    app->dirty = 1;
}

void ui_app_tap(ui_app *app, int x, int y)
{
    const char *id = ui_widgets_hit(&app->widgets, x, y);
    int attract = session_get_view(app->session)->flow->step == FLOW_ATTRACT;
    if (!attract)
        session_tap(app->session); /* the citizen is still there; counted */
    else if (!id && session_has_sim_card(app->session))
        ui_app_sim_card(app, 1); /* demo: touching the screen puts the simulated card on */
    if (id) {
        char copy[UI_WIDGET_ID_MAX];
        snprintf(copy, sizeof copy, "%s", id); /* the list is rebuilt by a redraw */
        on_widget(app, copy);
    }
}

int ui_app_widget_rect(const ui_app *app, const char *id, SDL_Rect *out)
{
    return ui_widgets_find(&app->widgets, id, out);
}

kiosk_rc ui_app_tap_id(ui_app *app, const char *id)
{
    SDL_Rect r;
    if (!ui_widgets_find(&app->widgets, id, &r))
        return KIOSK_NOT_FOUND;
    ui_app_touch(app, 0, r.x + r.w / 2, r.y + r.h / 2);
    ui_app_touch(app, 2, r.x + r.w / 2, r.y + r.h / 2);
    return KIOSK_OK;
}

/* The finger moved from where it went down: beyond the threshold it is a drag, which
 * moves a scrolling screen with it (the draw keeps the figure in range). */
static void touch_move(ui_app *app, int x, int y)
{
    int dx = x - app->press.x0, dy = y - app->press.y0;
    if (!app->press.dragging && dx * dx + dy * dy <= app->theme.drag_px * app->theme.drag_px)
        return;
    if (!app->press.dragging) {
        app->press.dragging = 1;
        app->widgets.pressed[0] = '\0'; /* nothing will act: not drawn pressed */
        app->dirty = 1;
    }
    if (app->desk.screen != DESK_OFF)
        return;
    flow_step step = session_get_view(app->session)->flow->step;
    int *sy = scroll_of(app, step), max = max_scroll_of(app, step);
    if (!sy || max <= 0)
        return;
    int to = app->press.scroll0 - dy; /* the content follows the finger */
    to = to < 0 ? 0 : to > max ? max : to;
    if (to != *sy) {
        *sy = to;
        app->dirty = 1;
    }
}

void ui_app_touch(ui_app *app, int phase, int x, int y)
{
    int ink = stroke(app, phase, x, y);
    if (phase == 0) {
        if (ink || session_stroke_open(app->session))
            return; /* a stroke on a pad: the pad's, from the first point */
        int sy = 0, max = 0;
        ui_app_scroll_get(app, &sy, &max);
        app->press.down = 1;
        app->press.dragging = 0;
        app->press.x0 = x;
        app->press.y0 = y;
        app->press.scroll0 = sy;
        const char *id = ui_widgets_hit(&app->widgets, x, y);
        snprintf(app->widgets.pressed, sizeof app->widgets.pressed, "%s", id ? id : "");
        if (id)
            app->dirty = 1; /* drawn pressed until the finger lifts */
        return;
    }
    if (!app->press.down)
        return;
    touch_move(app, x, y);
    if (phase != 2)
        return;
    app->press.down = 0;
    if (app->widgets.pressed[0])
        app->dirty = 1;
    app->widgets.pressed[0] = '\0';
    if (!app->press.dragging) {
        ui_app_tap(app, app->press.x0, app->press.y0); /* where it went down */
    } else if (app->session && app->desk.screen == DESK_OFF) {
        flow_step step = session_get_view(app->session)->flow->step;
        session_tap(app->session); /* a swipe is a touch too: the citizen is there */
        if (scroll_of(app, step))
            session_scroll(app->session);
    }
}

kiosk_rc ui_app_sim_card(ui_app *app, int present)
{
    return session_sim_card(app->session, present != 0);
}

int ui_app_pad_rect(const ui_app *app, SDL_Rect *out)
{
    if (ui_handwriting_rect(app->hand, &out->x, &out->y, &out->w, &out->h))
        return 1; /* the handwriting pad of the text editor */
    if (session_get_view(app->session)->flow->step != FLOW_SIGNATURE || app->js.pad_rect.w <= 0)
        return 0;
    *out = app->js.pad_rect;
    return 1;
}

const struct ui_handwriting *ui_app_handwriting(const ui_app *app)
{
    return app->hand;
}

int ui_app_pinyin_loaded(const ui_app *app)
{
    return app->pinyin != NULL;
}

const flow_view *ui_app_view(const ui_app *app)
{
    return session_get_view(app->session)->flow;
}

session *ui_app_session(ui_app *app)
{
    return app->session;
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
        ui_app_touch(app, phase, x, y);
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
            ui_app_touch(app, 1, x, y);
            break;
        }
        to_logical(app, (float)ev->button.x, (float)ev->button.y, &x, &y);
        ui_app_touch(app, ev->type == SDL_MOUSEBUTTONDOWN ? 0 : 2, x, y);
        break;
    }
    case SDL_WINDOWEVENT:
        app->dirty = 1;
        break;
    case SDL_KEYDOWN:
        /* demo and development: F2 puts the simulated card on the reader or takes it off */
        if (ev->key.keysym.sym == SDLK_F2 && session_has_sim_card(app->session)) {
            static int on;
            on = !on;
            ui_app_sim_card(app, on);
        }
        break;
    default: /* the session's wake-up: handled by the tick after the events */
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
    int64_t next_frame = 0;
    for (;;) {
        SDL_Event ev;
        /* a waiting screen's indicator turns: a frame every UI_JOURNEY_ANIM_MS while it
         * shows; any other screen sleeps until something happens */
        int animating = ui_journey_animates(session_get_view(app->session)->flow->step);
        int wait = wait_ms;
        if (animating) {
            int64_t until = next_frame - (int64_t)SDL_GetTicks64();
            wait = until <= 0 ? 0 : until < wait_ms ? (int)until : wait_ms;
        }
        if (SDL_WaitEventTimeout(&ev, wait)) {
            do {
                if (ui_app_handle_event(app, &ev)) {
                    kiosk_notify("STOPPING=1");
                    return KIOSK_OK;
                }
            } while (SDL_PollEvent(&ev));
        }
        tick(app);
        if (animating && (int64_t)SDL_GetTicks64() >= next_frame) {
            app->dirty = 1;
            next_frame = (int64_t)SDL_GetTicks64() + UI_JOURNEY_ANIM_MS;
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
    char dir[KIOSK_CONFIG_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/strings", app->cfg.assets_dir);
    for (size_t l = 0; l < KIOSK_LANGS; l++) {
        kiosk_strings *s;
        if (kiosk_strings_load(dir, kiosk_langs[l], &s, NULL) != KIOSK_OK)
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
    return (int)app->desk.screen;
}

int ui_app_menu_checking(const ui_app *app)
{
    return app->desk.checking;
}

int ui_app_out_of_service(const ui_app *app)
{
    return session_get_view(app->session)->out_of_service;
}

int ui_app_restart_requested(const ui_app *app)
{
    return app->desk.restart_requested;
}
