/*
 * PNG writing for screenshots. Pixels are read back as RGBA32 (R,G,B,A bytes in memory on
 * every CPU), so a PNG row is a plain copy without the alpha byte.
 */
#include "ui/ui_screenshot.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/kiosk_log.h"

kiosk_rc ui_png_write_rgba(const char *path, int w, int h, const unsigned char *rgba, int pitch)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        kiosk_log_error("ui", "cannot write screenshot %s", path);
        return KIOSK_IO;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *row = malloc((size_t)w * 3);
    if (!png || !info || !row) {
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(f);
        return KIOSK_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(f);
        return KIOSK_IO;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        const unsigned char *src = rgba + (size_t)y * (size_t)pitch;
        for (int x = 0; x < w; x++) {
            row[x * 3 + 0] = src[x * 4 + 0];
            row[x * 3 + 1] = src[x * 4 + 1];
            row[x * 3 + 2] = src[x * 4 + 2];
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    if (fclose(f) != 0)
        return KIOSK_IO;
    return KIOSK_OK;
}

kiosk_rc ui_screenshot_save(SDL_Renderer *renderer, const char *path)
{
    int w, h;
    if (SDL_GetRendererOutputSize(renderer, &w, &h) != 0)
        return KIOSK_UNSUPPORTED;
    unsigned char *pixels = malloc((size_t)w * (size_t)h * 4);
    if (!pixels)
        return KIOSK_NOMEM;
    if (SDL_RenderReadPixels(renderer, NULL, SDL_PIXELFORMAT_RGBA32, pixels, w * 4) != 0) {
        kiosk_log_error("ui", "cannot read pixels back: %s", SDL_GetError());
        free(pixels);
        return KIOSK_UNSUPPORTED;
    }
    kiosk_rc rc = ui_png_write_rgba(path, w, h, pixels, w * 4);
    free(pixels);
    return rc;
}
