/*
 * The text layer. A block is decoded into items (one per character, with the index of
 * the first font that has it), broken into lines, and each line drawn as runs of
 * consecutive characters of one font (TTF_RenderUTF8_Blended) placed by the glyphs'
 * advances onto one surface, with boxes where no font has the character; the surface
 * becomes a texture (on the software renderer it is the texture's own pixels) kept in an
 * LRU cache keyed by text and style. Font files are mapped
 * once. Each font has one face per TTF style (the plain one opened at create, the others
 * on first use), switched between pixel sizes with TTF_SetFontSize: a face of the CJK
 * font holds about 0.7 MB of parsed tables, so a face per size cost more than the rest of
 * the screen. A size switch flushes SDL2_ttf's glyph cache, which is why measuring goes
 * through a cache of its own: the screens measure the same labels every frame.
 * Scratch arrays grow to the longest block seen and are then reused.
 */
#include "ui/ui_text.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL_ttf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_linebreak.h"
#include "core/kiosk_log.h"

#define LOG_MODULE "ui_text"
#define OPEN_PX 16      /* size a face is opened at, before its first use sets one */
#define STYLES 4        /* plain, bold, underline, bold and underline */
#define MEASURE_MAX 128 /* measured blocks remembered */

typedef enum item_kind {
    K_GLYPH,   /* a character a font has */
    K_MISSING, /* no font has it (or an invalid byte): drawn as a box */
    K_SPACE,   /* advances the pen, drawn as nothing, a break opportunity */
    K_NEWLINE, /* hard line break */
    K_IGNORED, /* control or default-ignorable: no width, no ink */
} item_kind;

/* Line-breaking classes ("W" wide/CJK, "N" narrow/Latin). */

typedef struct item {
    uint32_t cp;
    uint32_t off; /* byte offset in the text */
    int adv;      /* advance in pixels */
    uint8_t len;  /* bytes */
    uint8_t kind; /* item_kind */
    uint8_t brk;  /* kiosk_brk */
    int8_t font;  /* index in the stack, -1 for none */
} item;

typedef struct line {
    size_t first, end; /* items [first, end), trailing spaces excluded */
    int w;
} line;

typedef struct font_file {
    void *data; /* the file mapped read-only: its pages are shared with the receipt
                 * renderer's FreeType, which maps the same file */
    size_t size;
} font_file;

/* Map a font file; NULL on failure. */
static void *map_file(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    void *p = NULL;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size <= INT32_MAX) {
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            p = NULL;
        } else {
            *size = (size_t)st.st_size;
            /* glyphs are read one here, one there: without this the kernel maps the pages
             * around each one too, and opening the 5 MB rare-name font, of which a screen
             * rarely needs a glyph, made 3 MB of it resident */
            madvise(p, (size_t)st.st_size, MADV_RANDOM);
        }
    }
    if (fd >= 0)
        close(fd);
    return p;
}

typedef struct styled_faces {
    int px; /* the size the faces are set to; 0: not opened */
    TTF_Font *face[UI_TEXT_MAX_FONTS];
} styled_faces;

/* A measured block: the layout's result without the texture. */
typedef struct measure_entry {
    uint64_t hash;
    char *text; /* owned copy, len bytes */
    size_t len;
    ui_text_style style; /* colour ignored */
    int width;
    ui_text_block block;
    uint64_t used;
} measure_entry;

typedef struct cache_entry {
    uint64_t hash;
    char *text; /* owned copy, len bytes */
    size_t len;
    ui_text_style style;
    int width;
    SDL_Texture *tex; /* NULL for a block without ink */
    ui_text_block block;
    uint64_t used;
} cache_entry;

/* A laid-out block in the scratch arrays. */
typedef struct layout {
    size_t nitems, nlines;
    ui_text_block block;
    int line_h, ascent, height;
    int pad; /* extra width on the right for synthesised bold */
} layout;

struct ui_text {
    SDL_Renderer *renderer;
    int software;             /* the software renderer: textures are drawn into in place */
    int max_tex_w, max_tex_h; /* 0: no limit */
    size_t nfonts;
    font_file file[UI_TEXT_MAX_FONTS];
    styled_faces styles[STYLES]; /* [0] (plain) doubles as the probe of which font has a
                                  * character, which no size changes */
    measure_entry measured[MEASURE_MAX];
    size_t measured_n;
    cache_entry *cache;
    size_t cache_cap, cache_n, cache_pixels, renders;
    uint64_t clock;
    uint64_t frame_mark;  /* clock when the last frame was done */
    size_t frame_renders; /* renders when the last frame was done */
    item *items;
    size_t items_cap;
    line *lines;
    size_t lines_cap;
    char *run;
    size_t run_cap;
};

/* ---- characters ---------------------------------------------------------------- */

static int in(uint32_t cp, uint32_t lo, uint32_t hi)
{
    return cp >= lo && cp <= hi;
}

/* The line-break class (core/kiosk_linebreak.h, the rules the receipt shares); a
 * character no font has is drawn as a box and breaks like an ideograph. */
static kiosk_brk classify(uint32_t cp, item_kind kind)
{
    return kind == K_MISSING ? KIOSK_BRK_IDEO : kiosk_brk_class(cp);
}

/* Which font of the stack has cp, or -1. */
static int font_for(const ui_text *t, uint32_t cp)
{
    for (size_t f = 0; f < t->nfonts; f++)
        if (TTF_GlyphIsProvided32(t->styles[0].face[f], cp))
            return (int)f;
    return -1;
}

/* Decode one character of s[*pos..len) and classify it; advances *pos. */
static item_kind next_char(const ui_text *t, const char *s, size_t len, size_t *pos, uint32_t *cp,
                           int *font)
{
    unsigned v;
    size_t n = kiosk_utf8_decode(s + *pos, len - *pos, &v);
    *font = -1;
    if (n == 0) {
        *cp = 0xFFFD;
        *pos += 1;
        return K_MISSING;
    }
    *pos += n;
    *cp = v;
    if (v == '\n')
        return K_NEWLINE;
    if (v == ' ' || v == '\t' || v == 0x3000) {
        *font = font_for(t, v == '\t' ? ' ' : v);
        return K_SPACE;
    }
    if (kiosk_brk_ignorable(v))
        return K_IGNORED;
    *font = font_for(t, v);
    return *font < 0 ? K_MISSING : K_GLYPH;
}

size_t ui_text_count_missing(ui_text *t, const char *utf8)
{
    if (!t || !utf8)
        return 0;
    size_t len = strlen(utf8), pos = 0, missing = 0;
    while (pos < len) {
        uint32_t cp;
        int font;
        if (next_char(t, utf8, len, &pos, &cp, &font) == K_MISSING)
            missing++;
    }
    return missing;
}

/* ---- fonts ----------------------------------------------------------------------- */

static TTF_Font *open_face(const font_file *file, int px)
{
    SDL_RWops *rw = SDL_RWFromConstMem(file->data, (int)file->size);
    if (!rw)
        return NULL;
    return TTF_OpenFontRW(rw, 1, px);
}

static void close_styled(ui_text *t, styled_faces *s)
{
    for (size_t f = 0; f < t->nfonts; f++)
        if (s->face[f])
            TTF_CloseFont(s->face[f]);
    memset(s, 0, sizeof *s);
}

static size_t style_slot(int ttf_style)
{
    return ((ttf_style & TTF_STYLE_BOLD) ? 1u : 0u) | ((ttf_style & TTF_STYLE_UNDERLINE) ? 2u : 0u);
}

/* Open the stack's faces in a TTF style (from the mapped files). */
static kiosk_rc open_styled(ui_text *t, styled_faces *slot, int ttf_style)
{
    for (size_t f = 0; f < t->nfonts; f++) {
        slot->face[f] = open_face(&t->file[f], OPEN_PX);
        if (!slot->face[f]) {
            kiosk_log_error(LOG_MODULE, "cannot open font %zu: %s", f, TTF_GetError());
            close_styled(t, slot);
            return KIOSK_FONT;
        }
        TTF_SetFontStyle(slot->face[f], ttf_style);
    }
    slot->px = OPEN_PX;
    return KIOSK_OK;
}

/* The stack's faces in a TTF style, set to px. A style has faces of its own: switching a
 * face's style would flush SDL2_ttf's glyph cache as a size switch does. */
static kiosk_rc faces_at(ui_text *t, int px, int ttf_style, TTF_Font ***out)
{
    styled_faces *slot = &t->styles[style_slot(ttf_style)];
    if (!slot->px) {
        kiosk_rc rc = open_styled(t, slot, ttf_style);
        if (rc)
            return rc;
    }
    if (slot->px != px) {
        for (size_t f = 0; f < t->nfonts; f++)
            if (TTF_SetFontSize(slot->face[f], px) != 0) {
                kiosk_log_error(LOG_MODULE, "cannot set font %zu to %d px: %s", f, px,
                                TTF_GetError());
                slot->px = -1; /* sizes now mixed: set them all on the next use */
                return KIOSK_FONT;
            }
        slot->px = px;
    }
    *out = slot->face;
    return KIOSK_OK;
}

kiosk_rc ui_text_create(SDL_Renderer *renderer, const char *const *paths, size_t n, ui_text **out)
{
    if (!out)
        return KIOSK_INVALID;
    *out = NULL;
    if (!paths || n == 0 || n > UI_TEXT_MAX_FONTS)
        return KIOSK_INVALID;
    for (size_t i = 0; i < n; i++)
        if (!paths[i])
            return KIOSK_INVALID;
    if (TTF_Init() != 0) {
        kiosk_log_error(LOG_MODULE, "TTF_Init failed: %s", TTF_GetError());
        return KIOSK_FONT;
    }
    ui_text *t = calloc(1, sizeof *t);
    if (!t) {
        TTF_Quit();
        return KIOSK_NOMEM;
    }
    t->renderer = renderer;
    t->cache_cap = UI_TEXT_CACHE_MAX;
    t->cache = calloc(t->cache_cap, sizeof *t->cache);
    if (!t->cache) {
        ui_text_destroy(t);
        return KIOSK_NOMEM;
    }
    if (renderer) {
        SDL_RendererInfo info;
        if (SDL_GetRendererInfo(renderer, &info) == 0) {
            t->max_tex_w = info.max_texture_width;
            t->max_tex_h = info.max_texture_height;
            t->software = (info.flags & SDL_RENDERER_SOFTWARE) != 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        font_file *file = &t->file[i];
        file->data = map_file(paths[i], &file->size);
        if (!file->data || file->size == 0 || file->size > INT32_MAX) {
            kiosk_log_error(LOG_MODULE, "cannot read font %s", paths[i]);
            ui_text_destroy(t);
            return KIOSK_FONT;
        }
        t->nfonts++;
        /* opened here so that a file that is no font fails create, not a later draw */
        t->styles[0].face[i] = open_face(file, OPEN_PX);
        if (!t->styles[0].face[i]) {
            kiosk_log_error(LOG_MODULE, "not a font: %s: %s", paths[i], TTF_GetError());
            ui_text_destroy(t);
            return KIOSK_FONT;
        }
    }
    t->styles[0].px = OPEN_PX;
    *out = t;
    return KIOSK_OK;
}

static void measured_clear(ui_text *t)
{
    for (size_t i = 0; i < t->measured_n; i++) {
        explicit_bzero(t->measured[i].text, t->measured[i].len);
        free(t->measured[i].text);
    }
    t->measured_n = 0;
}

static void cache_clear(ui_text *t)
{
    for (size_t i = 0; i < t->cache_n; i++) {
        if (t->cache[i].tex)
            SDL_DestroyTexture(t->cache[i].tex);
        explicit_bzero(t->cache[i].text, t->cache[i].len); /* it may be a citizen's name */
        free(t->cache[i].text);
    }
    t->cache_n = 0;
    t->cache_pixels = 0;
    measured_clear(t);
}

/* Hand back the font files' pages read so far (3-4 MB of the CJK font after a journey):
 * the next glyphs map theirs again from the page cache. FreeType keeps pointers into the
 * mappings, which stay; only their resident pages go. */
static void release_fonts(ui_text *t)
{
    for (size_t i = 0; i < t->nfonts; i++)
        if (t->file[i].data)
            madvise(t->file[i].data, t->file[i].size, MADV_DONTNEED);
}

void ui_text_forget(ui_text *t)
{
    if (t) {
        cache_clear(t);
        release_fonts(t);
    }
}

void ui_text_destroy(ui_text *t)
{
    if (!t)
        return;
    if (t->cache)
        cache_clear(t);
    free(t->cache);
    for (size_t i = 0; i < STYLES; i++)
        close_styled(t, &t->styles[i]);
    for (size_t i = 0; i < t->nfonts; i++) {
        if (t->file[i].data)
            munmap(t->file[i].data, t->file[i].size);
    }
    free(t->items);
    free(t->lines);
    free(t->run);
    free(t);
    TTF_Quit();
}

static uint64_t key_hash(const char *s, size_t len, const ui_text_style *st, int width);

/* ---- layout ------------------------------------------------------------------------ */

static kiosk_rc check_args(const ui_text *t, const char *utf8, const ui_text_style *style,
                           size_t *len)
{
    if (!t || !utf8 || !style)
        return KIOSK_INVALID;
    if (style->px < UI_TEXT_PX_MIN || style->px > UI_TEXT_PX_MAX || style->line_pct < 0 ||
        style->line_pct > 1000)
        return KIOSK_RANGE;
    *len = strnlen(utf8, UI_TEXT_BYTES_MAX + 1);
    return *len > UI_TEXT_BYTES_MAX ? KIOSK_RANGE : KIOSK_OK;
}

static int ttf_style_of(const ui_text_style *style)
{
    return ((style->flags & UI_TEXT_BOLD) ? TTF_STYLE_BOLD : 0) |
           ((style->flags & UI_TEXT_UNDERLINE) ? TTF_STYLE_UNDERLINE : 0);
}

static int advance_of(TTF_Font *face, uint32_t cp)
{
    int minx, maxx, miny, maxy, adv = 0;
    if (TTF_GlyphMetrics32(face, cp, &minx, &maxx, &miny, &maxy, &adv) != 0)
        return 0;
    return adv;
}

/* Width of the box drawn for a missing character. */
static int box_advance(int px)
{
    return (px * 4 + 2) / 5;
}

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *p = realloc(*buf, n * elem);
    if (!p)
        return 0;
    *buf = p;
    *cap = n;
    return 1;
}

static int add_line(ui_text *t, layout *lo, size_t first, size_t end)
{
    while (end > first &&
           (t->items[end - 1].kind == K_SPACE || t->items[end - 1].kind == K_IGNORED))
        end--;
    if (!grow((void **)&t->lines, &t->lines_cap, lo->nlines + 1, sizeof *t->lines))
        return 0;
    int w = 0;
    for (size_t i = first; i < end; i++)
        w += t->items[i].adv;
    t->lines[lo->nlines++] = (line){first, end, w};
    if (w > lo->block.w)
        lo->block.w = w;
    return 1;
}

/* Greedy line filling: a line ends at the last break opportunity before the character
 * that overflows, or just before that character when the line has none. */
static kiosk_rc break_items(ui_text *t, layout *lo, int width)
{
    size_t start = 0, n = lo->nitems;
    int hard = 1; /* the line follows the text start or a newline: keep its spaces */
    if (n == 0)
        return KIOSK_OK;
    for (;;) {
        if (!hard) {
            while (start < n && t->items[start].kind == K_SPACE)
                start++;
            if (start == n)
                break;
        }
        size_t j = start, brk = 0;
        int x = 0, soft = 0;
        for (; j < n; j++) {
            const item *it = &t->items[j];
            if (it->kind == K_NEWLINE)
                break;
            if (j > start && kiosk_brk_allowed((kiosk_brk)t->items[j - 1].brk, (kiosk_brk)it->brk))
                brk = j;
            if (it->kind != K_SPACE && width > 0 && j > start && x + it->adv > width) {
                soft = 1;
                break;
            }
            x += it->adv;
        }
        size_t end = soft && brk > start ? brk : j;
        if (!add_line(t, lo, start, end))
            return KIOSK_NOMEM;
        if (soft) {
            start = end;
            hard = 0;
        } else if (j == n) {
            break;
        } else {
            start = j + 1; /* past the newline; a text ending in one ends in an empty line */
            hard = 1;
        }
    }
    return KIOSK_OK;
}

/* Decode, measure and break utf8 into t->items / t->lines. */
static kiosk_rc lay_out(ui_text *t, const char *utf8, size_t len, const ui_text_style *style,
                        int width, TTF_Font **faces, layout *lo)
{
    memset(lo, 0, sizeof *lo);
    lo->ascent = TTF_FontAscent(faces[0]);
    lo->height = TTF_FontHeight(faces[0]);
    lo->line_h =
        style->line_pct > 0 ? (style->px * style->line_pct + 50) / 100 : TTF_FontLineSkip(faces[0]);
    if (!grow((void **)&t->items, &t->items_cap, len, sizeof *t->items))
        return KIOSK_NOMEM;
    int space_adv = -1;
    size_t pos = 0;
    while (pos < len) {
        item *it = &t->items[lo->nitems++];
        size_t at = pos;
        int font;
        it->kind = (uint8_t)next_char(t, utf8, len, &pos, &it->cp, &font);
        it->off = (uint32_t)at;
        it->len = (uint8_t)(pos - at);
        it->font = (int8_t)font;
        it->brk = (uint8_t)classify(it->cp, (item_kind)it->kind);
        switch ((item_kind)it->kind) {
        case K_GLYPH:
            it->adv = advance_of(faces[font], it->cp);
            break;
        case K_MISSING:
            it->adv = box_advance(style->px);
            lo->block.missing++;
            break;
        case K_SPACE:
            if (it->cp == '\t' || it->cp == ' ') {
                if (space_adv < 0)
                    space_adv = font >= 0 ? advance_of(faces[font], ' ') : style->px / 4;
                it->adv = it->cp == '\t' ? 4 * space_adv : space_adv;
            } else {
                it->adv = font >= 0 ? advance_of(faces[font], it->cp) : style->px;
            }
            break;
        case K_NEWLINE:
        case K_IGNORED:
            it->adv = 0;
            break;
        }
    }
    kiosk_rc rc = break_items(t, lo, width);
    if (rc)
        return rc;
    /* Bold thickens the outlines by about a tenth of the size without moving the pen
     * (SDL2_ttf places glyphs by the regular advances), so only the last one sticks out. */
    if ((style->flags & UI_TEXT_BOLD) && lo->block.w > 0) {
        lo->pad = (style->px + 9) / 10;
        lo->block.w += lo->pad;
    }
    lo->block.lines = (int)lo->nlines;
    lo->block.h = lo->nlines ? (int)(lo->nlines - 1) * lo->line_h + lo->height : 0;
    return KIOSK_OK;
}

static int same_layout(const ui_text_style *a, const ui_text_style *b)
{
    return a->px == b->px && a->flags == b->flags && a->align == b->align &&
           a->line_pct == b->line_pct;
}

static uint64_t layout_hash(const char *s, size_t len, const ui_text_style *st, int width)
{
    ui_text_style plain = *st;
    plain.color = (SDL_Color){0, 0, 0, 0};
    return key_hash(s, len, &plain, width);
}

/* Remember a measured block, in place of the least recently used when full; a copy
 * that cannot be made is simply not remembered. */
static void measured_add(ui_text *t, uint64_t h, const char *utf8, size_t len,
                         const ui_text_style *style, int width, const ui_text_block *block)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, utf8, len);
    copy[len] = '\0';
    measure_entry *e = &t->measured[t->measured_n];
    if (t->measured_n == MEASURE_MAX) {
        e = &t->measured[0];
        for (size_t i = 1; i < MEASURE_MAX; i++)
            if (t->measured[i].used < e->used)
                e = &t->measured[i];
        explicit_bzero(e->text, e->len);
        free(e->text);
    } else {
        t->measured_n++;
    }
    *e = (measure_entry){.hash = h,
                         .text = copy,
                         .len = len,
                         .style = *style,
                         .width = width,
                         .block = *block,
                         .used = ++t->clock};
}

kiosk_rc ui_text_measure_block(ui_text *t, const char *utf8, const ui_text_style *style, int width,
                               ui_text_block *out)
{
    size_t len;
    if (out)
        memset(out, 0, sizeof *out);
    kiosk_rc rc = check_args(t, utf8, style, &len);
    if (rc)
        return rc;
    if (width < 0)
        width = 0;
    uint64_t h = layout_hash(utf8, len, style, width);
    for (size_t i = 0; i < t->measured_n; i++) {
        measure_entry *e = &t->measured[i];
        if (e->hash == h && e->len == len && e->width == width && same_layout(&e->style, style) &&
            memcmp(e->text, utf8, len) == 0) {
            e->used = ++t->clock;
            if (out)
                *out = e->block;
            return KIOSK_OK;
        }
    }
    TTF_Font **faces;
    rc = faces_at(t, style->px, TTF_STYLE_NORMAL, &faces);
    if (rc)
        return rc;
    layout lo;
    rc = lay_out(t, utf8, len, style, width, faces, &lo);
    if (rc)
        return rc;
    measured_add(t, h, utf8, len, style, width, &lo.block);
    if (out)
        *out = lo.block;
    return KIOSK_OK;
}

kiosk_rc ui_text_break_lines(ui_text *t, const char *utf8, const ui_text_style *style, int width,
                             size_t *starts, size_t max, size_t *nlines)
{
    size_t len;
    if (nlines)
        *nlines = 0;
    if (!nlines || (max && !starts))
        return KIOSK_INVALID;
    kiosk_rc rc = check_args(t, utf8, style, &len);
    if (rc)
        return rc;
    TTF_Font **faces;
    rc = faces_at(t, style->px, TTF_STYLE_NORMAL, &faces);
    if (rc)
        return rc;
    layout lo;
    rc = lay_out(t, utf8, len, style, width, faces, &lo);
    if (rc)
        return rc;
    for (size_t i = 0; i < lo.nlines && i < max; i++) {
        size_t first = t->lines[i].first;
        starts[i] = first < lo.nitems ? t->items[first].off : len;
    }
    *nlines = lo.nlines;
    return KIOSK_OK;
}

/* ---- rasterising ------------------------------------------------------------------- */

/* Copy src onto dst at (x, y), keeping the more opaque pixel: every pixel of a block has
 * the same colour, so this composes overlapping runs without darkening their edges. */
static void compose(SDL_Surface *dst, SDL_Surface *src, int x, int y)
{
    for (int sy = 0; sy < src->h; sy++) {
        int dy = y + sy;
        if (dy < 0 || dy >= dst->h)
            continue;
        const uint32_t *s = (const uint32_t *)((const uint8_t *)src->pixels + sy * src->pitch);
        uint32_t *d = (uint32_t *)((uint8_t *)dst->pixels + dy * dst->pitch);
        for (int sx = 0; sx < src->w; sx++) {
            int dx = x + sx;
            if (dx < 0 || dx >= dst->w)
                continue;
            if ((s[sx] >> 24) > (d[dx] >> 24))
                d[dx] = s[sx];
        }
    }
}

static void fill(SDL_Surface *dst, int x, int y, int w, int h, uint32_t pixel)
{
    for (int yy = y < 0 ? 0 : y; yy < y + h && yy < dst->h; yy++) {
        uint32_t *d = (uint32_t *)((uint8_t *)dst->pixels + yy * dst->pitch);
        for (int xx = x < 0 ? 0 : x; xx < x + w && xx < dst->w; xx++)
            d[xx] = pixel;
    }
}

/* The placeholder for a character no font has: a hollow box on the baseline. */
static void draw_box(SDL_Surface *dst, int pen, int baseline, int px, uint32_t pixel)
{
    int adv = box_advance(px), inset = px / 10, stroke = px / 16 > 1 ? px / 16 : 1;
    int x = pen + inset, w = adv - 2 * inset;
    int top = baseline - (px * 86) / 100, h = (px * 94) / 100;
    fill(dst, x, top, w, stroke, pixel);
    fill(dst, x, top + h - stroke, w, stroke, pixel);
    fill(dst, x, top, stroke, h, pixel);
    fill(dst, x + w - stroke, top, stroke, h, pixel);
}

static kiosk_rc draw_run(ui_text *t, SDL_Surface *dst, TTF_Font *face, const char *utf8,
                         size_t from, size_t to, SDL_Color color, int x, int y)
{
    if (!grow((void **)&t->run, &t->run_cap, to - from + 1, 1))
        return KIOSK_NOMEM;
    memcpy(t->run, utf8 + from, to - from);
    t->run[to - from] = '\0';
    SDL_Surface *s = TTF_RenderUTF8_Blended(face, t->run, color);
    if (!s) {
        kiosk_log_error(LOG_MODULE, "TTF_RenderUTF8_Blended failed: %s", TTF_GetError());
        return KIOSK_FONT;
    }
    SDL_Surface *argb = s;
    if (s->format->format != SDL_PIXELFORMAT_ARGB8888)
        argb = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
    if (argb) {
        SDL_LockSurface(argb);
        compose(dst, argb, x, y);
        SDL_UnlockSurface(argb);
    }
    if (argb != s)
        SDL_FreeSurface(argb);
    SDL_FreeSurface(s);
    return argb ? KIOSK_OK : KIOSK_NOMEM;
}

/* What kinds of characters were missing, for the log: never the characters. */
static const char *missing_classes(const ui_text *t, const layout *lo, char *buf, size_t n)
{
    static const struct {
        uint32_t lo, hi;
        const char *name;
    } classes[] = {
        {0xFFFD, 0xFFFD, "invalid UTF-8 or U+FFFD"},
        {0x3400, 0x9FFF, "CJK ideograph U+3400-U+9FFF"},
        {0xF900, 0xFAFF, "CJK compatibility ideograph"},
        {0x20000, 0x3FFFF, "CJK ideograph planes 2-3"},
        {0xE000, 0xF8FF, "private use"},
        {0xF0000, 0x10FFFF, "private use planes 15-16"},
        {0x2000, 0x2BFF, "symbol U+2000-U+2BFF"},
        {0x1F000, 0x1FAFF, "emoji or pictograph"},
        {0, 0x10FFFF, "other"},
    };
    unsigned seen = 0;
    for (size_t i = 0; i < lo->nitems; i++) {
        if (t->items[i].kind != K_MISSING)
            continue;
        for (unsigned c = 0; c < sizeof classes / sizeof classes[0]; c++)
            if (in(t->items[i].cp, classes[c].lo, classes[c].hi)) {
                seen |= 1u << c;
                break;
            }
    }
    buf[0] = '\0';
    for (unsigned c = 0; c < sizeof classes / sizeof classes[0]; c++)
        if (seen & (1u << c)) {
            size_t used = strlen(buf);
            snprintf(buf + used, n - used, "%s%s", used ? ", " : "", classes[c].name);
        }
    return buf;
}

/* Draw the laid-out block onto dst (ARGB, lo->block's size, cleared to transparent). */
static kiosk_rc rasterise_onto(ui_text *t, const char *utf8, const ui_text_style *style,
                               TTF_Font **faces, const layout *lo, SDL_Surface *dst)
{
    uint32_t box_pixel = ((uint32_t)style->color.a << 24) | ((uint32_t)style->color.r << 16) |
                         ((uint32_t)style->color.g << 8) | style->color.b;
    kiosk_rc rc = KIOSK_OK;
    for (size_t l = 0; l < lo->nlines && rc == KIOSK_OK; l++) {
        const line *ln = &t->lines[l];
        int top = (int)l * lo->line_h, baseline = top + lo->ascent;
        int pen = style->align == UI_TEXT_CENTER ? (lo->block.w - lo->pad - ln->w) / 2 : 0;
        size_t i = ln->first;
        while (i < ln->end && rc == KIOSK_OK) {
            const item *it = &t->items[i];
            if (it->kind != K_GLYPH) {
                if (it->kind == K_MISSING)
                    draw_box(dst, pen, baseline, style->px, box_pixel);
                pen += it->adv;
                i++;
                continue;
            }
            size_t j = i;
            int run_w = 0;
            while (j < ln->end && t->items[j].kind == K_GLYPH && t->items[j].font == it->font)
                run_w += t->items[j++].adv;
            TTF_Font *face = faces[(int)it->font];
            rc = draw_run(t, dst, face, utf8, it->off, t->items[j - 1].off + t->items[j - 1].len,
                          style->color, pen, baseline - TTF_FontAscent(face));
            pen += run_w;
            i = j;
        }
    }
    return rc;
}

/* Draw the laid-out block onto a new ARGB surface. */
static kiosk_rc rasterise(ui_text *t, const char *utf8, const ui_text_style *style,
                          TTF_Font **faces, const layout *lo, SDL_Surface **out)
{
    *out = NULL;
    SDL_Surface *dst =
        SDL_CreateRGBSurfaceWithFormat(0, lo->block.w, lo->block.h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!dst)
        return KIOSK_NOMEM;
    SDL_FillRect(dst, NULL, 0);
    kiosk_rc rc = rasterise_onto(t, utf8, style, faces, lo, dst);
    if (rc) {
        SDL_FreeSurface(dst);
        return rc;
    }
    *out = dst;
    return KIOSK_OK;
}

/* On the software renderer a texture is a surface in memory and locking it hands out its
 * pixels: the block is drawn straight into it, without a surface of the same size beside
 * it for the copy (the commitment's text is a block of 8 MB). Elsewhere a streaming
 * texture would keep a second copy for good, so the block goes through a surface. */
static kiosk_rc texture_of(ui_text *t, const char *utf8, const ui_text_style *style,
                           TTF_Font **faces, const layout *lo, SDL_Texture **out)
{
    *out = NULL;
    if (t->software) {
        SDL_Texture *tex = SDL_CreateTexture(t->renderer, SDL_PIXELFORMAT_ARGB8888,
                                             SDL_TEXTUREACCESS_STREAMING, lo->block.w, lo->block.h);
        void *pixels;
        int pitch;
        if (tex && SDL_LockTexture(tex, NULL, &pixels, &pitch) == 0) {
            SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormatFrom(
                pixels, lo->block.w, lo->block.h, 32, pitch, SDL_PIXELFORMAT_ARGB8888);
            kiosk_rc rc = dst ? KIOSK_OK : KIOSK_NOMEM;
            if (dst) {
                SDL_FillRect(dst, NULL, 0);
                rc = rasterise_onto(t, utf8, style, faces, lo, dst);
                SDL_FreeSurface(dst);
            }
            SDL_UnlockTexture(tex);
            if (rc) {
                SDL_DestroyTexture(tex);
                return rc;
            }
            *out = tex;
            return KIOSK_OK;
        }
        if (tex)
            SDL_DestroyTexture(tex);
    }
    SDL_Surface *surface;
    kiosk_rc rc = rasterise(t, utf8, style, faces, lo, &surface);
    if (rc)
        return rc;
    *out = SDL_CreateTextureFromSurface(t->renderer, surface);
    SDL_FreeSurface(surface);
    return *out ? KIOSK_OK : KIOSK_NOMEM;
}

/* ---- cache ------------------------------------------------------------------------- */

static uint64_t key_hash(const char *s, size_t len, const ui_text_style *st, int width)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    const int params[] = {st->px,         st->color.r, st->color.g,  st->color.b, st->color.a,
                          (int)st->flags, st->align,   st->line_pct, width};
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        h = (h ^ (uint64_t)(unsigned)params[i]) * 1099511628211ull;
    return h;
}

static int same_style(const ui_text_style *a, const ui_text_style *b)
{
    return a->px == b->px && a->color.r == b->color.r && a->color.g == b->color.g &&
           a->color.b == b->color.b && a->color.a == b->color.a && a->flags == b->flags &&
           a->align == b->align && a->line_pct == b->line_pct;
}

static void cache_evict(ui_text *t, size_t i)
{
    cache_entry *e = &t->cache[i];
    if (e->tex) {
        SDL_DestroyTexture(e->tex);
        t->cache_pixels -= (size_t)e->block.w * (size_t)e->block.h;
    }
    explicit_bzero(e->text, e->len);
    free(e->text);
    t->cache[i] = t->cache[--t->cache_n];
}

static size_t cache_lru(const ui_text *t, size_t except)
{
    size_t lru = except == 0 ? 1 : 0;
    for (size_t i = 0; i < t->cache_n; i++)
        if (i != except && t->cache[i].used < t->cache[lru].used)
            lru = i;
    return lru;
}

/* The index of the cached block of utf8 (len bytes) in style at width, or cache_n. */
static size_t cache_find(const ui_text *t, const char *utf8, size_t len, const ui_text_style *style,
                         int width)
{
    uint64_t h = key_hash(utf8, len, style, width);
    for (size_t i = 0; i < t->cache_n; i++) {
        const cache_entry *e = &t->cache[i];
        if (e->hash == h && e->len == len && e->width == width && same_style(&e->style, style) &&
            memcmp(e->text, utf8, len) == 0)
            return i;
    }
    return t->cache_n;
}

/* The cache entry of the block, rendering it on a miss. */
static kiosk_rc block_entry(ui_text *t, const char *utf8, const ui_text_style *style, int width,
                            cache_entry **out)
{
    size_t len;
    *out = NULL;
    kiosk_rc rc = check_args(t, utf8, style, &len);
    if (rc)
        return rc;
    if (!t->renderer)
        return KIOSK_INVALID;
    if (width < 0)
        width = 0;
    uint64_t h = key_hash(utf8, len, style, width);
    size_t hit = cache_find(t, utf8, len, style, width);
    if (hit < t->cache_n) {
        t->cache[hit].used = ++t->clock;
        *out = &t->cache[hit];
        return KIOSK_OK;
    }

    TTF_Font **faces;
    rc = faces_at(t, style->px, TTF_STYLE_NORMAL, &faces);
    if (rc)
        return rc;
    layout lo;
    rc = lay_out(t, utf8, len, style, width, faces, &lo);
    if (rc)
        return rc;
    if ((t->max_tex_w && lo.block.w > t->max_tex_w) ||
        (t->max_tex_h && lo.block.h > t->max_tex_h)) {
        kiosk_log_error(LOG_MODULE, "text block of %dx%d px exceeds the largest texture %dx%d",
                        lo.block.w, lo.block.h, t->max_tex_w, t->max_tex_h);
        return KIOSK_RANGE;
    }
    if (lo.block.missing) {
        char classes[256];
        kiosk_log_warn(LOG_MODULE,
                       "%zu character(s) without a glyph in any font, drawn as boxes (%s)",
                       lo.block.missing, missing_classes(t, &lo, classes, sizeof classes));
    }
    SDL_Texture *tex = NULL;
    if (lo.block.w > 0 && lo.block.h > 0) {
        if (ttf_style_of(style) != TTF_STYLE_NORMAL) {
            rc = faces_at(t, style->px, ttf_style_of(style), &faces);
            if (rc)
                return rc;
        }
        rc = texture_of(t, utf8, style, faces, &lo, &tex);
        if (rc == KIOSK_FONT)
            return rc;
        if (!tex) {
            kiosk_log_error(LOG_MODULE, "cannot create a %dx%d texture: %s", lo.block.w, lo.block.h,
                            SDL_GetError());
            return KIOSK_NOMEM;
        }
        SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        if (tex)
            SDL_DestroyTexture(tex);
        return KIOSK_NOMEM;
    }
    memcpy(copy, utf8, len);
    copy[len] = '\0';
    t->renders++;

    if (t->cache_n == t->cache_cap)
        cache_evict(t, cache_lru(t, SIZE_MAX));
    cache_entry *e = &t->cache[t->cache_n++];
    *e = (cache_entry){.hash = h,
                       .text = copy,
                       .len = len,
                       .style = *style,
                       .width = width,
                       .tex = tex,
                       .block = lo.block,
                       .used = ++t->clock};
    if (tex)
        t->cache_pixels += (size_t)lo.block.w * (size_t)lo.block.h;
    size_t self = t->cache_n - 1;
    while (t->cache_pixels > UI_TEXT_CACHE_PIXELS && t->cache_n > 1) {
        size_t victim = cache_lru(t, self);
        cache_evict(t, victim);
        if (self == t->cache_n) /* the last entry moved into the victim's slot */
            self = victim;
    }
    *out = &t->cache[self];
    return KIOSK_OK;
}

kiosk_rc ui_text_get_texture(ui_text *t, const char *utf8, const ui_text_style *style, int width,
                             SDL_Texture **tex, ui_text_block *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!tex)
        return KIOSK_INVALID;
    *tex = NULL;
    cache_entry *e;
    kiosk_rc rc = block_entry(t, utf8, style, width, &e);
    if (rc)
        return rc;
    *tex = e->tex;
    if (out)
        *out = e->block;
    return KIOSK_OK;
}

void ui_text_drop(ui_text *t, const char *utf8, const ui_text_style *style, int width)
{
    size_t len;
    if (!t || check_args(t, utf8, style, &len) != KIOSK_OK)
        return;
    if (width < 0)
        width = 0;
    size_t i = cache_find(t, utf8, len, style, width);
    if (i < t->cache_n)
        cache_evict(t, i);
}

kiosk_rc ui_text_draw_block(ui_text *t, const char *utf8, const ui_text_style *style, SDL_Rect box,
                            ui_text_block *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    cache_entry *e;
    kiosk_rc rc = block_entry(t, utf8, style, box.w, &e);
    if (rc)
        return rc;
    if (out)
        *out = e->block;
    if (!e->tex)
        return KIOSK_OK;
    SDL_Rect dst = {box.x, box.y, e->block.w, e->block.h};
    if (style->align == UI_TEXT_CENTER && box.w > 0)
        dst.x += (box.w - e->block.w) / 2;
    if (SDL_RenderCopy(t->renderer, e->tex, NULL, &dst) != 0) {
        kiosk_log_error(LOG_MODULE, "SDL_RenderCopy failed: %s", SDL_GetError());
        return KIOSK_IO;
    }
    return KIOSK_OK;
}

void ui_text_frame_done(ui_text *t, size_t slack_pixels)
{
    if (!t)
        return;
    size_t drawn = 0;
    for (size_t i = 0; i < t->cache_n; i++)
        if (t->cache[i].used > t->frame_mark && t->cache[i].tex)
            drawn += (size_t)t->cache[i].block.w * (size_t)t->cache[i].block.h;
    while (t->cache_pixels > drawn + slack_pixels) {
        size_t lru = cache_lru(t, SIZE_MAX);
        if (lru >= t->cache_n || t->cache[lru].used > t->frame_mark)
            break; /* only this frame's blocks are left */
        cache_evict(t, lru);
    }
    t->frame_mark = t->clock;
    if (t->renders != t->frame_renders) {
        /* text was rasterised: the glyphs' pages of the font files go back (clean, in the
         * page cache; the next rasterisation maps what it needs again) */
        release_fonts(t);
        t->frame_renders = t->renders;
    }
}

void ui_text_trim(ui_text *t, size_t keep_pixels)
{
    if (!t)
        return;
    while (t->cache_n > 0 && t->cache_pixels > keep_pixels)
        cache_evict(t, cache_lru(t, SIZE_MAX));
    release_fonts(t);
}

kiosk_rc ui_text_set_cache_capacity(ui_text *t, size_t blocks)
{
    if (!t || blocks == 0 || blocks > 65536)
        return KIOSK_INVALID;
    cache_entry *c = calloc(blocks, sizeof *c);
    if (!c)
        return KIOSK_NOMEM;
    cache_clear(t);
    free(t->cache);
    t->cache = c;
    t->cache_cap = blocks;
    return KIOSK_OK;
}

size_t ui_text_cache_entries(const ui_text *t)
{
    return t ? t->cache_n : 0;
}

size_t ui_text_cache_renders(const ui_text *t)
{
    return t ? t->renders : 0;
}

/* ---- plain style ------------------------------------------------------------------- */

kiosk_rc ui_text_measure(ui_text *t, const char *utf8, int px, int *w, int *h)
{
    ui_text_style style = {.px = px};
    ui_text_block b;
    kiosk_rc rc = ui_text_measure_block(t, utf8, &style, 0, &b);
    if (w)
        *w = b.w;
    if (h)
        *h = b.h;
    return rc;
}

kiosk_rc ui_text_draw(ui_text *t, const char *utf8, int px, SDL_Color color, int x, int y, int *w,
                      int *h)
{
    ui_text_style style = {.px = px, .color = color};
    ui_text_block b;
    kiosk_rc rc = ui_text_draw_block(t, utf8, &style, (SDL_Rect){x, y, 0, 0}, &b);
    if (w)
        *w = b.w;
    if (h)
        *h = b.h;
    return rc;
}

kiosk_rc ui_text_draw_wrapped(ui_text *t, const char *utf8, int px, SDL_Color color, SDL_Rect box,
                              ui_text_align align, int *used_h)
{
    ui_text_style style = {.px = px, .color = color, .align = align};
    ui_text_block b;
    kiosk_rc rc = ui_text_draw_block(t, utf8, &style, box, &b);
    if (used_h)
        *used_h = b.h;
    return rc;
}
