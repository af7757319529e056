/*
 * Receipt rendering. Text is drawn glyph by glyph with FreeType into an 8-bit canvas
 * (anti-aliased coverage), then thresholded to 1 bit: thermal heads print dots, and a
 * threshold slightly under half coverage keeps thin CJK strokes from breaking up. The
 * QR code is drawn with whole-dot modules and a 4-module quiet zone so scanners read it
 * off paper. Layout is a single top-to-bottom pass; the canvas grows as needed.
 */
#include "receipt/receipt.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kiosk_buf.h"
#include "core/kiosk_linebreak.h"
#include "core/kiosk_log.h"
#include "printer/printer.h"

#define MAX_FONTS 4
#define MARGIN 16
#define INK_THRESHOLD 100
#define MAX_ROWS 8000

struct receipt_fonts {
    FT_Library lib;
    FT_Face faces[MAX_FONTS];
    int sizes[MAX_FONTS]; /* pixel size currently set on each face */
    size_t n;
};

kiosk_rc receipt_fonts_load(const char *const *paths, size_t n, receipt_fonts **out)
{
    *out = NULL;
    if (n == 0 || n > MAX_FONTS)
        return KIOSK_INVALID;
    receipt_fonts *f = calloc(1, sizeof *f);
    if (!f)
        return KIOSK_NOMEM;
    if (FT_Init_FreeType(&f->lib) != 0) {
        free(f);
        return KIOSK_FONT;
    }
    for (size_t i = 0; i < n; i++) {
        if (FT_New_Face(f->lib, paths[i], 0, &f->faces[i]) != 0) {
            kiosk_log_error("receipt", "cannot open font %s", paths[i]);
            receipt_fonts_destroy(f);
            return KIOSK_FONT;
        }
        f->n++;
    }
    *out = f;
    return KIOSK_OK;
}

void receipt_fonts_destroy(receipt_fonts *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        FT_Done_Face(f->faces[i]);
    FT_Done_FreeType(f->lib);
    free(f);
}

typedef struct canvas {
    int width, rows, cap; /* cap: rows allocated and white, drawing is clipped to them */
    kiosk_buf px;         /* one byte per dot, 0 = white, 255 = black */
    size_t missing;
    receipt_fonts *fonts;
} canvas;

/* Rows grow by doubling from 1024, so a MAX_ROWS receipt allocates at most this many. */
#define CAP_ROWS_MAX (2 * MAX_ROWS)

static kiosk_rc canvas_reserve(canvas *c, int rows)
{
    if (rows <= c->cap)
        return KIOSK_OK;
    if (rows > MAX_ROWS)
        return KIOSK_RANGE;
    int cap = c->cap ? c->cap : 1024;
    while (cap < rows)
        cap *= 2;
    size_t more = (size_t)(cap - c->cap) * (size_t)c->width;
    uint8_t *white;
    kiosk_rc rc = kiosk_buf_reserve(&c->px, more); /* exactly: the doubling is in rows */
    if (rc == KIOSK_OK)
        rc = kiosk_buf_extend(&c->px, more, &white);
    if (rc == KIOSK_OK)
        c->cap = cap;
    return rc;
}

static uint8_t *canvas_row(canvas *c, int y)
{
    return c->px.data + (size_t)y * (size_t)c->width;
}

static void fill(canvas *c, int x, int y, int w, int h)
{
    for (int yy = y; yy < y + h; yy++) {
        if (yy < 0 || yy >= c->cap)
            continue;
        for (int xx = x; xx < x + w; xx++)
            if (xx >= 0 && xx < c->width)
                canvas_row(c, yy)[xx] = 255;
    }
}

/* The face that has cp, sized to px, and its glyph index; NULL when none has it. */
static FT_Face face_for(receipt_fonts *f, unsigned cp, int px, FT_UInt *index)
{
    for (size_t i = 0; i < f->n; i++) {
        FT_UInt gi = FT_Get_Char_Index(f->faces[i], cp);
        if (gi) {
            if (f->sizes[i] != px) {
                FT_Set_Pixel_Sizes(f->faces[i], 0, (FT_UInt)px);
                f->sizes[i] = px;
            }
            *index = gi;
            return f->faces[i];
        }
    }
    return NULL;
}

static int advance_of(canvas *c, unsigned cp, int px)
{
    FT_UInt gi;
    FT_Face face = face_for(c->fonts, cp, px, &gi);
    if (!face)
        return px; /* the box drawn for a missing character */
    if (FT_Load_Glyph(face, gi, FT_LOAD_DEFAULT) != 0)
        return px;
    return (int)(face->glyph->advance.x >> 6);
}

/* Draw cp with its origin at (x, baseline). */
static void draw_glyph(canvas *c, unsigned cp, int px, int x, int baseline)
{
    FT_UInt gi;
    FT_Face face = face_for(c->fonts, cp, px, &gi);
    if (!face || FT_Load_Glyph(face, gi, FT_LOAD_RENDER) != 0) {
        /* a visible box, never a silent gap: staff can see something is missing */
        int s = px * 3 / 4, t = px / 12 + 1, top = baseline - s;
        fill(c, x + 1, top, s - 2, t);
        fill(c, x + 1, baseline - t, s - 2, t);
        fill(c, x + 1, top, t, s);
        fill(c, x + s - 1 - t, top, t, s);
        c->missing++;
        return;
    }
    FT_Bitmap *bm = &face->glyph->bitmap;
    int x0 = x + face->glyph->bitmap_left, y0 = baseline - face->glyph->bitmap_top;
    for (unsigned r = 0; r < bm->rows; r++) {
        int y = y0 + (int)r;
        if (y < 0 || y >= c->cap)
            continue;
        const uint8_t *src = bm->buffer + (long)r * bm->pitch;
        uint8_t *dst = canvas_row(c, y);
        for (unsigned col = 0; col < bm->width; col++) {
            int xx = x0 + (int)col;
            if (xx >= 0 && xx < c->width && src[col] > dst[xx])
                dst[xx] = src[col];
        }
    }
}

typedef enum { ALIGN_LEFT, ALIGN_CENTER } align;

/* Lay out text from y (top) in [x, x + w), wrapping; returns the y below it. */
static int text_block(canvas *c, const char *text, int px, int x, int w, align al, int y)
{
    int line_h = px * 3 / 2;
    size_t len = strlen(text), pos = 0;
    while (pos <= len) {
        /* find how much fits on this line: up to the last place the line-break rules
         * (the screen's, core/kiosk_linebreak.h) allow, or, for a word longer than the
         * line, as much of it as fits */
        size_t end = pos, brk = pos;
        int width = 0;
        kiosk_brk prev = KIOSK_BRK_GLUE;
        while (end < len && text[end] != '\n') {
            size_t next = end;
            unsigned cp = kiosk_utf8_next(text, len, &next);
            kiosk_brk cls = kiosk_brk_class(cp);
            if (end > pos && kiosk_brk_allowed(prev, cls))
                brk = end;
            int adv = advance_of(c, cp, px);
            if (width + adv > w && end > pos && cls != KIOSK_BRK_SPACE) {
                if (brk > pos)
                    end = brk;
                break;
            }
            width += adv;
            end = next;
            prev = cls;
        }
        int soft = end < len && text[end] != '\n';
        size_t stop = end; /* spaces at a soft break neither count nor show */
        while (soft && stop > pos && text[stop - 1] == ' ')
            stop--;
        if (canvas_reserve(c, y + line_h + px) != KIOSK_OK)
            return y;
        /* measure the chosen line for centring, then draw it */
        int lw = 0;
        for (size_t i = pos; i < stop;)
            lw += advance_of(c, kiosk_utf8_next(text, stop, &i), px);
        int pen = al == ALIGN_CENTER ? x + (w - lw) / 2 : x;
        int baseline = y + px * 11 / 10;
        for (size_t i = pos; i < stop;) {
            unsigned cp = kiosk_utf8_next(text, stop, &i);
            draw_glyph(c, cp, px, pen, baseline);
            pen += advance_of(c, cp, px);
        }
        y += line_h;
        if (end >= len)
            break;
        pos = end + (text[end] == '\n');
        while (soft && pos < len && text[pos] == ' ')
            pos++;
    }
    return y;
}

static int text_width(canvas *c, const char *text, int px)
{
    int w = 0;
    size_t len = strlen(text);
    for (size_t i = 0; i < len;)
        w += advance_of(c, kiosk_utf8_next(text, len, &i), px);
    return w;
}

/* The width of the widest piece of text between two places the line-break rules allow a
 * break: a receipt number ("KR-370102-20261205-0001") is one such piece. */
static int widest_unbroken(canvas *c, const char *text, int px)
{
    size_t len = strlen(text);
    int widest = 0, run = 0;
    kiosk_brk prev = KIOSK_BRK_GLUE;
    for (size_t i = 0; i < len;) {
        size_t at = i;
        unsigned cp = kiosk_utf8_next(text, len, &i);
        kiosk_brk cls = kiosk_brk_class(cp);
        if (at > 0 && kiosk_brk_allowed(prev, cls))
            run = 0;
        if (cls != KIOSK_BRK_SPACE)
            run += advance_of(c, cp, px);
        widest = run > widest ? run : widest;
        prev = cls;
    }
    return widest;
}

static int rule(canvas *c, int y)
{
    canvas_reserve(c, y + 24);
    for (int x = MARGIN; x < c->width - MARGIN; x += 12)
        fill(c, x, y + 10, 6, 2);
    return y + 24;
}

static kiosk_rc draw_qr(canvas *c, const char *payload, int *y)
{
    QRcode *qr = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return KIOSK_RANGE;
    int quiet = 4, span = qr->width + 2 * quiet;
    int module = (c->width - 2 * MARGIN) / span;
    if (module > 5)
        module = 5;
    if (module < 2) {
        QRcode_free(qr);
        return KIOSK_RANGE;
    }
    int size = span * module, x0 = (c->width - size) / 2 + quiet * module;
    int y0 = *y + quiet * module;
    kiosk_rc rc = canvas_reserve(c, *y + size);
    if (rc == KIOSK_OK) {
        for (int my = 0; my < qr->width; my++)
            for (int mx = 0; mx < qr->width; mx++)
                if (qr->data[my * qr->width + mx] & 1)
                    fill(c, x0 + mx * module, y0 + my * module, module, module);
        *y += size;
    }
    QRcode_free(qr);
    return rc;
}

kiosk_rc receipt_render(receipt_fonts *fonts, const receipt_doc *doc, int width_dots,
                        receipt_bitmap *out)
{
    memset(out, 0, sizeof *out);
    if ((width_dots != 384 && width_dots != 576) || !doc->title || !doc->qr_payload ||
        doc->nlines > RECEIPT_MAX_LINES || doc->nparas > RECEIPT_MAX_PARAS)
        return KIOSK_INVALID;
    int wide = width_dots == 576;
    int body = wide ? 26 : 22, title = wide ? 44 : 36, small = wide ? 22 : 20;
    canvas c = {.width = width_dots, .fonts = fonts};
    kiosk_buf_init(&c.px, (size_t)CAP_ROWS_MAX * (size_t)width_dots, 0);
    kiosk_rc rc = canvas_reserve(&c, 1024);
    if (rc != KIOSK_OK) {
        kiosk_buf_deinit(&c.px);
        return rc;
    }
    int inner = width_dots - 2 * MARGIN, y = 8;

    /* the title on one line where a slightly smaller size lets it (就业/失业注销申报回执 is
     * eleven characters: at 58 mm one wrapped alone to a second line), never under the
     * body's size; longer still, it wraps */
    int title_min = body + 6;
    while (title > title_min && text_width(&c, doc->title, title) > inner)
        title -= 2;
    y = text_block(&c, doc->title, title, MARGIN, inner, ALIGN_CENTER, y);
    if (doc->copy_mark) {
        /* a reprint says so in a framed box under the title */
        int tw = text_width(&c, doc->copy_mark, body) + 24, x = (width_dots - tw) / 2;
        int top = y + 4;
        y = text_block(&c, doc->copy_mark, body, MARGIN, inner, ALIGN_CENTER, y + 8);
        fill(&c, x, top, tw, 3);
        fill(&c, x, y, tw, 3);
        fill(&c, x, top, 3, y - top + 3);
        fill(&c, x + tw - 3, top, 3, y - top + 3);
        y += 8;
    }
    if (doc->hall_name)
        y = text_block(&c, doc->hall_name, body, MARGIN, inner, ALIGN_CENTER, y);
    y = rule(&c, y);

    int label_w = 0;
    for (size_t i = 0; i < doc->nlines; i++) {
        int w = text_width(&c, doc->lines[i].label, body);
        label_w = w > label_w ? w : label_w;
    }
    label_w += body / 2;
    if (label_w > inner / 2)
        label_w = inner / 2;
    for (size_t i = 0; i < doc->nlines; i++) {
        int top = y;
        const char *value = doc->lines[i].value ? doc->lines[i].value : "";
        int below = text_block(&c, doc->lines[i].label, body, MARGIN, label_w, ALIGN_LEFT, top);
        int run = widest_unbroken(&c, value, body);
        if (run <= inner - label_w) {
            y = text_block(&c, value, body, MARGIN + label_w, inner - label_w, ALIGN_LEFT, top);
            continue;
        }
        /* a value that cannot break where the rules allow (a receipt number beside a long
         * English label) goes under its label at the full width, smaller if even that is
         * too narrow: never cut inside */
        int px = body;
        while (px > 8 && widest_unbroken(&c, value, px) > inner)
            px--;
        y = text_block(&c, value, px, MARGIN, inner, ALIGN_LEFT, below);
    }
    y = rule(&c, y);
    for (size_t i = 0; i < doc->nparas; i++)
        y = text_block(&c, doc->paras[i], small, MARGIN, inner, ALIGN_LEFT, y) + small / 3;
    rc = draw_qr(&c, doc->qr_payload, &y);
    if (rc == KIOSK_OK && doc->qr_caption)
        y = text_block(&c, doc->qr_caption, small, MARGIN, inner, ALIGN_CENTER, y);
    if (rc == KIOSK_OK)
        rc = canvas_reserve(&c, y + 16);
    if (rc != KIOSK_OK) {
        kiosk_buf_deinit(&c.px);
        return rc;
    }
    y += 16;

    size_t wb = (size_t)width_dots / 8;
    out->bits = calloc((size_t)y, wb);
    if (!out->bits) {
        kiosk_buf_deinit(&c.px);
        return KIOSK_NOMEM;
    }
    for (int r = 0; r < y; r++)
        for (int x = 0; x < width_dots; x++)
            if (canvas_row(&c, r)[x] >= INK_THRESHOLD)
                out->bits[(size_t)r * wb + (size_t)x / 8] |= (uint8_t)(0x80 >> (x % 8));
    out->width = width_dots;
    out->rows = y;
    out->missing_glyphs = c.missing;
    kiosk_buf_deinit(&c.px);
    if (c.missing)
        kiosk_log_warn("receipt", "%zu characters had no glyph in any font", c.missing);
    return KIOSK_OK;
}

void receipt_bitmap_deinit(receipt_bitmap *b)
{
    free(b->bits);
    memset(b, 0, sizeof *b);
}

kiosk_rc receipt_bitmap_write_png(const receipt_bitmap *b, const char *path)
{
    return printer_write_png(path, b->bits, b->width, b->rows);
}

kiosk_rc receipt_encode_escpos(const receipt_bitmap *b, kiosk_buf *buf)
{
    kiosk_rc rc = escpos_init(buf);
    if (rc == KIOSK_OK)
        rc = escpos_raster_compact(buf, b->bits, b->width / 8, b->rows, 128);
    if (rc == KIOSK_OK)
        rc = escpos_feed_lines(buf, 3);
    if (rc == KIOSK_OK)
        rc = escpos_cut(buf);
    return rc;
}
