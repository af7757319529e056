/*
 * The image printer: a simulated printer that never fails, whose paper is torn off at
 * every cut and kept as a PNG. It takes exactly the bytes a real printer takes, so the
 * demo exercises the ESC/POS encoder too; it is a printer like the others, never a
 * fall-back for a missing one.
 */
#include "printer/printer.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/kiosk_log.h"
#include "printer/printer_sim.h"

#define TITLE_MAX 64

typedef struct image_printer {
    printer base;
    printer *paper; /* the simulated printer that reads the job back */
    int width_dots;
    int cuts;  /* seen so far */
    int pages; /* written so far, for untitled pages */
    char dir[4096];
    char title[TITLE_MAX];
} image_printer;

kiosk_rc printer_write_png(const char *path, const uint8_t *bits, int width, int rows)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return KIOSK_IO;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        return KIOSK_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        return KIOSK_IO;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)rows, 1, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_set_invert_mono(png); /* our 1 = black; PNG gray 1 = white */
    size_t wb = (size_t)width / 8;
    for (int r = 0; r < rows; r++)
        png_write_row(png, bits + (size_t)r * wb);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return fclose(f) == 0 ? KIOSK_OK : KIOSK_IO;
}

/* A title is a file name: nothing that could climb out of the folder. */
static int title_ok(const char *t)
{
    if (!t || !t[0] || t[0] == '.' || strlen(t) >= TITLE_MAX)
        return 0;
    for (; *t; t++)
        if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') ||
              *t == '-' || *t == '_' || *t == '.'))
            return 0;
    return 1;
}

static kiosk_rc image_write(printer *p, const uint8_t *bytes, size_t n)
{
    image_printer *ip = (image_printer *)p;
    kiosk_rc rc = ip->paper->ops->write(ip->paper, bytes, n);
    if (rc == KIOSK_OK && printer_sim_errors(ip->paper) > 0) {
        /* what a real printer would garble: a fault, and fresh paper for the next job */
        kiosk_log_error("printer", "the image printer cannot read the job back");
        printer *fresh;
        if (printer_sim_create(ip->width_dots, NULL, &fresh) == KIOSK_OK) {
            printer_close(ip->paper);
            ip->paper = fresh;
            ip->cuts = 0;
        }
        return KIOSK_PRINTER;
    }
    if (rc != KIOSK_OK)
        return rc;
    int cuts = printer_sim_cuts(ip->paper);
    if (cuts == ip->cuts)
        return KIOSK_OK; /* the page goes on */
    ip->cuts = cuts;
    if (mkdir(ip->dir, 0700) != 0 && errno != EEXIST)
        return KIOSK_IO;
    char path[4096 + TITLE_MAX + 8];
    if (ip->title[0])
        snprintf(path, sizeof path, "%s/%s.png", ip->dir, ip->title);
    else
        snprintf(path, sizeof path, "%s/page-%d.png", ip->dir, ip->pages + 1);
    int rows = 0;
    const uint8_t *bits = printer_sim_paper(ip->paper, &rows);
    rc = rows > 0 ? printer_write_png(path, bits, ip->width_dots, rows) : KIOSK_OK;
    if (rc != KIOSK_OK)
        kiosk_log_error("printer", "cannot write the page %s: %s", path, kiosk_strerror(rc));
    ip->pages++;
    ip->title[0] = '\0';
    printer_sim_clear(ip->paper);
    return rc;
}

static kiosk_rc image_status(printer *p, escpos_status *out)
{
    image_printer *ip = (image_printer *)p;
    return ip->paper->ops->status(ip->paper, out);
}

static void image_close(printer *p)
{
    image_printer *ip = (image_printer *)p;
    printer_close(ip->paper);
    free(ip);
}

static void image_title(printer *p, const char *title)
{
    image_printer *ip = (image_printer *)p;
    if (title_ok(title))
        snprintf(ip->title, sizeof ip->title, "%s", title);
    else
        ip->title[0] = '\0';
}

static const printer_ops image_ops = {"image", image_write, image_status, image_close, image_title};

kiosk_rc printer_open_images(const char *dir, int width_dots, printer **out)
{
    *out = NULL;
    if (strlen(dir) >= sizeof((image_printer *)0)->dir)
        return KIOSK_INVALID;
    image_printer *ip = calloc(1, sizeof *ip);
    if (!ip)
        return KIOSK_NOMEM;
    kiosk_rc rc = printer_sim_create(width_dots, NULL, &ip->paper);
    if (rc != KIOSK_OK) {
        free(ip);
        return rc;
    }
    ip->base.ops = &image_ops;
    ip->width_dots = width_dots;
    snprintf(ip->dir, sizeof ip->dir, "%s", dir);
    *out = &ip->base;
    return KIOSK_OK;
}
