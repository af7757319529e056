/*
 * The text layer. A block (text, size, wrap width, alignment) is laid out into lines,
 * each line split into runs by the first font that has each character, rendered white
 * into one surface, and kept as a texture; colour is applied at draw time with
 * SDL_SetTextureColorMod, so one texture serves every colour. Fonts are opened per
 * pixel size on first use and kept (a screen uses a handful of sizes).
 */
#include "ui_text.h"

#include <SDL_ttf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_log.h"

#define MAX_FONTS 4
#define MAX_SIZES 24
#define MAX_LINES 64
#define PROBE_PX 16

typedef struct sized_font {
    int px;
    TTF_Font *font[MAX_FONTS];
} sized_font;

typedef struct cache_entry {
    char *text;
    uint32_t hash;
    int px, wrap, align;
    SDL_Texture *tex;
    int w, h;
    uint64_t used;
} cache_entry;

struct ui_text {
    SDL_Renderer *renderer;
    char *paths[MAX_FONTS];
    size_t nfonts;
    sized_font sizes[MAX_SIZES];
    size_t nsizes;
    cache_entry cache[UI_TEXT_CACHE_MAX];
    size_t nentries;
    uint64_t clock;
    size_t renders;
};

static int ttf_users;

static TTF_Font *const *fonts_at(ui_text *t, int px)
{
    for (size_t i = 0; i < t->nsizes; i++)
        if (t->sizes[i].px == px)
            return t->sizes[i].font;
    if (t->nsizes == MAX_SIZES) {
        /* Sizes are few by design; drop the oldest if a screen misbehaves. */
        for (size_t f = 0; f < t->nfonts; f++)
            TTF_CloseFont(t->sizes[0].font[f]);
        memmove(&t->sizes[0], &t->sizes[1], (MAX_SIZES - 1) * sizeof t->sizes[0]);
        t->nsizes--;
    }
    sized_font *s = &t->sizes[t->nsizes];
    memset(s, 0, sizeof *s);
    s->px = px;
    for (size_t f = 0; f < t->nfonts; f++) {
        s->font[f] = TTF_OpenFont(t->paths[f], px);
        if (!s->font[f]) {
            kiosk_log_error("ui", "cannot open font %s: %s", t->paths[f], TTF_GetError());
            for (size_t g = 0; g < f; g++)
                TTF_CloseFont(s->font[g]);
            return NULL;
        }
    }
    t->nsizes++;
    return s->font;
}

kiosk_rc ui_text_create(SDL_Renderer *renderer, const char *const *paths, size_t n, ui_text **out)
{
    *out = NULL;
    if (n == 0 || n > MAX_FONTS)
        return KIOSK_INVALID;
    if (ttf_users == 0 && TTF_Init() != 0) {
        kiosk_log_error("ui", "TTF_Init failed: %s", TTF_GetError());
        return KIOSK_FONT;
    }
    ttf_users++;
    ui_text *t = calloc(1, sizeof *t);
    if (!t) {
        if (--ttf_users == 0)
            TTF_Quit();
        return KIOSK_NOMEM;
    }
    t->renderer = renderer;
    for (size_t i = 0; i < n; i++) {
        t->paths[i] = strdup(paths[i]);
        if (!t->paths[i]) {
            ui_text_destroy(t);
            return KIOSK_NOMEM;
        }
        t->nfonts++;
    }
    if (!fonts_at(t, PROBE_PX)) {
        ui_text_destroy(t);
        return KIOSK_FONT;
    }
    *out = t;
    return KIOSK_OK;
}

void ui_text_destroy(ui_text *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nentries; i++) {
        SDL_DestroyTexture(t->cache[i].tex);
        free(t->cache[i].text);
    }
    for (size_t i = 0; i < t->nsizes; i++)
        for (size_t f = 0; f < t->nfonts; f++)
            TTF_CloseFont(t->sizes[i].font[f]);
    for (size_t i = 0; i < t->nfonts; i++)
        free(t->paths[i]);
    free(t);
    if (--ttf_users == 0)
        TTF_Quit();
}

/* Next code point of s at *pos (bytes left: len - *pos); invalid bytes give U+FFFD. */
static unsigned next_cp(const char *s, size_t len, size_t *pos)
{
    unsigned cp;
    size_t n = kiosk_utf8_decode(s + *pos, len - *pos, &cp);
    if (n == 0) {
        *pos += 1;
        return 0xFFFD;
    }
    *pos += n;
    return cp;
}

/* Index of the first font with cp, or -1. */
static int font_for(ui_text *t, TTF_Font *const *fonts, unsigned cp)
{
    for (size_t f = 0; f < t->nfonts; f++)
        if (TTF_GlyphIsProvided32(fonts[f], cp))
            return (int)f;
    return -1;
}

static int advance(ui_text *t, TTF_Font *const *fonts, unsigned cp, int px)
{
    int f = font_for(t, fonts, cp), adv = 0;
    if (f < 0 || TTF_GlyphMetrics32(fonts[f], cp, NULL, NULL, NULL, NULL, &adv) != 0)
        return px * 3 / 4; /* the missing-character box */
    return adv;
}

static int no_line_start(unsigned cp)
{
    static const unsigned closing[] = {
        0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF1F, 0xFF01, 0xFF09, 0x300B, 0x300D, 0x300F,
        0x3011, 0x2019, 0x201D, 0x2026, ',',    '.',    ';',    ':',    '?',    '!',    ')'};
    for (size_t i = 0; i < sizeof closing / sizeof closing[0]; i++)
        if (closing[i] == cp)
            return 1;
    return 0;
}

static int no_line_end(unsigned cp)
{
    return cp == 0xFF08 || cp == 0x300A || cp == 0x300C || cp == 0x300E || cp == 0x3010 ||
           cp == 0x2018 || cp == 0x201C || cp == '(';
}

typedef struct line {
    size_t start, end; /* bytes of the text */
    int width;
} line;

static int is_cjk(unsigned cp)
{
    return cp >= 0x2E80;
}

/* May a line break between prev and cp? */
static int break_allowed(unsigned prev, unsigned cp)
{
    if (prev == ' ')
        return 1;
    return (is_cjk(cp) || is_cjk(prev)) && !no_line_start(cp) && !no_line_end(prev) && cp != ' ';
}

/* Split text into lines no wider than wrap (0: no wrapping). Returns the count. */
static size_t layout(ui_text *t, TTF_Font *const *fonts, const char *s, int px, int wrap,
                     line *lines)
{
    size_t len = strlen(s), n = 0, pos = 0;
    while (n < MAX_LINES) {
        line *l = &lines[n++];
        l->start = pos;
        l->width = 0;
        size_t brk = 0; /* last position on this line where a break is allowed */
        int brk_width = 0;
        unsigned prev = 0;
        while (pos < len && s[pos] != '\n') {
            size_t at = pos;
            unsigned cp = next_cp(s, len, &pos);
            int adv = advance(t, fonts, cp, px);
            int can_break = at > l->start && break_allowed(prev, cp);
            if (wrap > 0 && l->width + adv > wrap && at > l->start && cp != ' ') {
                if (can_break) {
                    pos = at;
                } else if (brk > l->start) {
                    pos = brk;
                    l->width = brk_width;
                } else {
                    pos = at; /* nothing better: cut the word */
                }
                break;
            }
            if (can_break) {
                brk = at;
                brk_width = l->width;
            }
            l->width += adv;
            prev = cp;
        }
        l->end = pos;
        while (l->end > l->start && s[l->end - 1] == ' ') { /* trailing spaces do not count */
            l->end--;
            l->width -= advance(t, fonts, ' ', px);
        }
        if (pos >= len)
            break;
        if (s[pos] == '\n')
            pos++;
        while (wrap > 0 && pos < len && s[pos] == ' ')
            pos++;
    }
    return n;
}

static void draw_box(SDL_Surface *dst, int x, int y, int w, int h)
{
    int t = h / 14 + 1;
    SDL_Rect r[4] = {{x, y, w, t}, {x, y + h - t, w, t}, {x, y, t, h}, {x + w - t, y, t, h}};
    SDL_FillRects(dst, r, 4, SDL_MapRGBA(dst->format, 255, 255, 255, 255));
}

/* Render one line into dst at (0, top) .. aligned within block_w. */
static void render_line(ui_text *t, TTF_Font *const *fonts, const char *s, const line *l, int px,
                        int ascent, int x, SDL_Surface *dst, int top)
{
    char run[1024];
    size_t pos = l->start;
    while (pos < l->end) {
        size_t at = pos;
        unsigned cp = next_cp(s, l->end, &pos);
        int f = font_for(t, fonts, cp);
        if (f < 0) {
            int bw = px * 3 / 4;
            draw_box(dst, x + px / 16, top + ascent - bw, bw - px / 8, bw);
            x += bw;
            continue;
        }
        /* extend the run while the same font has the characters */
        size_t end = pos;
        while (end < l->end) {
            size_t probe = end;
            unsigned c2 = next_cp(s, l->end, &probe);
            if (font_for(t, fonts, c2) != f || probe - at >= sizeof run)
                break;
            end = probe;
        }
        memcpy(run, s + at, end - at);
        run[end - at] = '\0';
        pos = end;
        SDL_Surface *rs = TTF_RenderUTF8_Blended(fonts[f], run, (SDL_Color){255, 255, 255, 255});
        if (rs) {
            SDL_Rect d = {x, top + ascent - TTF_FontAscent(fonts[f]), rs->w, rs->h};
            SDL_SetSurfaceBlendMode(rs, SDL_BLENDMODE_BLEND);
            SDL_BlitSurface(rs, NULL, dst, &d);
            x += rs->w;
            SDL_FreeSurface(rs);
        }
    }
}

static uint32_t hash_key(const char *s, int px, int wrap, int align)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    h = (h ^ (uint32_t)px) * 16777619u;
    h = (h ^ (uint32_t)wrap) * 16777619u;
    return (h ^ (uint32_t)align) * 16777619u;
}

/* The cached block for the key, rendering it on a miss. */
static cache_entry *block(ui_text *t, const char *s, int px, int wrap, int align)
{
    uint32_t h = hash_key(s, px, wrap, align);
    for (size_t i = 0; i < t->nentries; i++) {
        cache_entry *e = &t->cache[i];
        if (e->hash == h && e->px == px && e->wrap == wrap && e->align == align &&
            strcmp(e->text, s) == 0) {
            e->used = ++t->clock;
            return e;
        }
    }
    TTF_Font *const *fonts = fonts_at(t, px);
    if (!fonts)
        return NULL;
    line lines[MAX_LINES];
    size_t n = layout(t, fonts, s, px, wrap, lines);
    int line_h = TTF_FontLineSkip(fonts[0]), ascent = TTF_FontAscent(fonts[0]);
    for (size_t f = 1; f < t->nfonts; f++)
        if (TTF_FontAscent(fonts[f]) > ascent)
            ascent = TTF_FontAscent(fonts[f]);
    int bw = 1;
    for (size_t i = 0; i < n; i++)
        bw = lines[i].width > bw ? lines[i].width : bw;
    if (wrap > 0 && align == UI_TEXT_CENTER)
        bw = bw > wrap ? bw : wrap;
    int bh = line_h * (int)n + (line_h - TTF_FontHeight(fonts[0]) > 0 ? 0 : 1);
    SDL_Surface *surf =
        SDL_CreateRGBSurfaceWithFormat(0, bw, bh > 0 ? bh : 1, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!surf)
        return NULL;
    SDL_FillRect(surf, NULL, SDL_MapRGBA(surf->format, 255, 255, 255, 0));
    for (size_t i = 0; i < n; i++) {
        int x = align == UI_TEXT_CENTER ? (bw - lines[i].width) / 2 : 0;
        render_line(t, fonts, s, &lines[i], px, ascent, x, surf, (int)i * line_h);
    }
    SDL_Texture *tex = SDL_CreateTextureFromSurface(t->renderer, surf);
    SDL_FreeSurface(surf);
    if (!tex)
        return NULL;
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    t->renders++;

    cache_entry *e;
    if (t->nentries < UI_TEXT_CACHE_MAX) {
        e = &t->cache[t->nentries++];
    } else {
        e = &t->cache[0];
        for (size_t i = 1; i < t->nentries; i++)
            if (t->cache[i].used < e->used)
                e = &t->cache[i];
        SDL_DestroyTexture(e->tex);
        free(e->text);
    }
    e->text = strdup(s);
    if (!e->text) {
        SDL_DestroyTexture(tex);
        *e = t->cache[--t->nentries];
        return NULL;
    }
    e->hash = h;
    e->px = px;
    e->wrap = wrap;
    e->align = align;
    e->tex = tex;
    e->w = bw;
    e->h = bh;
    e->used = ++t->clock;
    return e;
}

kiosk_rc ui_text_measure(ui_text *t, const char *utf8, int px, int *w, int *h)
{
    TTF_Font *const *fonts = fonts_at(t, px);
    if (!fonts)
        return KIOSK_FONT;
    line lines[MAX_LINES];
    size_t n = layout(t, fonts, utf8, px, 0, lines);
    int mw = 0;
    for (size_t i = 0; i < n; i++)
        mw = lines[i].width > mw ? lines[i].width : mw;
    if (w)
        *w = mw;
    if (h)
        *h = TTF_FontLineSkip(fonts[0]) * (int)n;
    return KIOSK_OK;
}

static kiosk_rc blit(ui_text *t, cache_entry *e, SDL_Color c, int x, int y)
{
    SDL_SetTextureColorMod(e->tex, c.r, c.g, c.b);
    SDL_SetTextureAlphaMod(e->tex, c.a);
    SDL_Rect d = {x, y, e->w, e->h};
    return SDL_RenderCopy(t->renderer, e->tex, NULL, &d) == 0 ? KIOSK_OK : KIOSK_UNSUPPORTED;
}

kiosk_rc ui_text_draw_wrapped(ui_text *t, const char *utf8, int px, SDL_Color color, SDL_Rect box,
                              ui_text_align align, int *used_h)
{
    cache_entry *e = block(t, utf8, px, box.w > 0 ? box.w : 1, align);
    if (!e)
        return KIOSK_NOMEM;
    int x = align == UI_TEXT_CENTER ? box.x + (box.w - e->w) / 2 : box.x;
    if (used_h)
        *used_h = e->h;
    return blit(t, e, color, x, box.y);
}

kiosk_rc ui_text_draw(ui_text *t, const char *utf8, int px, SDL_Color color, int x, int y, int *w,
                      int *h)
{
    cache_entry *e = block(t, utf8, px, 0, UI_TEXT_LEFT);
    if (!e)
        return KIOSK_NOMEM;
    if (w)
        *w = e->w;
    if (h)
        *h = e->h;
    return blit(t, e, color, x, y);
}

size_t ui_text_count_missing(ui_text *t, const char *utf8)
{
    TTF_Font *const *fonts = fonts_at(t, PROBE_PX);
    size_t len = strlen(utf8), pos = 0, missing = 0;
    while (pos < len) {
        unsigned cp = next_cp(utf8, len, &pos);
        if (cp < 0x20 || cp == 0x7F)
            continue;
        if (!fonts || font_for(t, fonts, cp) < 0)
            missing++;
    }
    return missing;
}

size_t ui_text_cache_entries(const ui_text *t)
{
    return t->nentries;
}

size_t ui_text_cache_renders(const ui_text *t)
{
    return t->renders;
}
