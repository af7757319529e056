/*
 * Screenshots: what the renderer currently shows, written as a PNG (libpng). Used by
 * `kiosk --screenshot`, the UI tests and staff diagnostics. Not for the frame loop.
 */
#ifndef UI_SCREENSHOT_H
#define UI_SCREENSHOT_H

#include <SDL.h>

#include "core/kiosk_error.h"

/* Read the renderer's current target and write it to path as an 8-bit RGB PNG.
 * KIOSK_IO when the file cannot be written, KIOSK_UNSUPPORTED when the renderer cannot
 * read pixels back, KIOSK_NOMEM. UI thread only. */
kiosk_rc ui_screenshot_save(SDL_Renderer *renderer, const char *path);

/* Write RGBA pixels (caller's, borrowed; pitch in bytes) as an 8-bit RGB PNG. */
kiosk_rc ui_png_write_rgba(const char *path, int w, int h, const unsigned char *rgba, int pitch);

#endif
