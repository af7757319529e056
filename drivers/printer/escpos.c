/*
 * ESC/POS byte encoding. Every command goes through kiosk_buf_append so the buffer's
 * size cap holds everywhere; raster bands carry their own width and height so a printer
 * that drops a band loses only that band.
 */
#include "printer/escpos.h"

#include "core/kiosk_buf.h"

kiosk_rc escpos_init(kiosk_buf *b)
{
    static const uint8_t cmd[] = {0x1B, 0x40};
    return kiosk_buf_append(b, cmd, sizeof cmd);
}

kiosk_rc escpos_raster(kiosk_buf *b, const uint8_t *bits, int width_bytes, int rows, int band_rows)
{
    if (width_bytes < 1 || width_bytes > 0xFFFF || rows < 0 || band_rows < 1 || band_rows > 2047)
        return KIOSK_INVALID;
    for (int y = 0; y < rows; y += band_rows) {
        int h = rows - y < band_rows ? rows - y : band_rows;
        const uint8_t head[] = {0x1D,
                                0x76,
                                0x30,
                                0x00, /* m = 0: normal density */
                                (uint8_t)(width_bytes & 0xFF),
                                (uint8_t)(width_bytes >> 8),
                                (uint8_t)(h & 0xFF),
                                (uint8_t)(h >> 8)};
        kiosk_rc rc = kiosk_buf_append(b, head, sizeof head);
        if (rc == KIOSK_OK)
            rc = kiosk_buf_append(b, bits + (size_t)y * (size_t)width_bytes,
                                  (size_t)h * (size_t)width_bytes);
        if (rc != KIOSK_OK)
            return rc;
    }
    return KIOSK_OK;
}

static int row_ink(const uint8_t *row, int width_bytes)
{
    int last = -1;
    for (int i = 0; i < width_bytes; i++)
        if (row[i])
            last = i;
    return last + 1; /* bytes up to and including the last inked one */
}

kiosk_rc escpos_raster_compact(kiosk_buf *b, const uint8_t *bits, int width_bytes, int rows,
                               int band_rows)
{
    if (width_bytes < 1 || width_bytes > 0xFFFF || rows < 0 || band_rows < 1 || band_rows > 2047)
        return KIOSK_INVALID;
    int y = 0;
    while (y < rows) {
        const uint8_t *row = bits + (size_t)y * (size_t)width_bytes;
        if (row_ink(row, width_bytes) == 0) {
            int blank = 0;
            while (y + blank < rows && blank < 255 &&
                   row_ink(bits + (size_t)(y + blank) * (size_t)width_bytes, width_bytes) == 0)
                blank++;
            kiosk_rc rc = escpos_feed_dots(b, blank);
            if (rc != KIOSK_OK)
                return rc;
            y += blank;
            continue;
        }
        /* an inked run of up to band_rows rows, as wide as its widest row */
        int h = 0, w = 0;
        while (y + h < rows && h < band_rows) {
            int ink = row_ink(bits + (size_t)(y + h) * (size_t)width_bytes, width_bytes);
            if (ink == 0)
                break;
            w = ink > w ? ink : w;
            h++;
        }
        const uint8_t head[] = {0x1D,
                                0x76,
                                0x30,
                                0x00,
                                (uint8_t)(w & 0xFF),
                                (uint8_t)(w >> 8),
                                (uint8_t)(h & 0xFF),
                                (uint8_t)(h >> 8)};
        kiosk_rc rc = kiosk_buf_append(b, head, sizeof head);
        for (int r = 0; r < h && rc == KIOSK_OK; r++)
            rc = kiosk_buf_append(b, bits + (size_t)(y + r) * (size_t)width_bytes, (size_t)w);
        if (rc != KIOSK_OK)
            return rc;
        y += h;
    }
    return KIOSK_OK;
}

kiosk_rc escpos_feed_dots(kiosk_buf *b, int dots)
{
    if (dots < 0 || dots > 255)
        return KIOSK_INVALID;
    const uint8_t cmd[] = {0x1B, 0x4A, (uint8_t)dots};
    return kiosk_buf_append(b, cmd, sizeof cmd);
}

kiosk_rc escpos_feed_lines(kiosk_buf *b, int lines)
{
    if (lines < 0 || lines > 255)
        return KIOSK_INVALID;
    const uint8_t cmd[] = {0x1B, 0x64, (uint8_t)lines};
    return kiosk_buf_append(b, cmd, sizeof cmd);
}

kiosk_rc escpos_cut(kiosk_buf *b)
{
    static const uint8_t cmd[] = {0x1D, 0x56, 0x42, 0x00};
    return kiosk_buf_append(b, cmd, sizeof cmd);
}

kiosk_rc escpos_status_request(kiosk_buf *b, escpos_status_query n)
{
    if (n < ESCPOS_STATUS_PRINTER || n > ESCPOS_STATUS_PAPER)
        return KIOSK_INVALID;
    const uint8_t cmd[] = {0x10, 0x04, (uint8_t)n};
    return kiosk_buf_append(b, cmd, sizeof cmd);
}

kiosk_rc escpos_status_parse(escpos_status_query n, uint8_t reply, escpos_status *st)
{
    if ((reply & 0x93) != 0x12)
        return KIOSK_CORRUPT;
    switch (n) {
    case ESCPOS_STATUS_PRINTER:
        st->offline |= (reply & 0x08) != 0;
        break;
    case ESCPOS_STATUS_OFFLINE:
        st->cover_open |= (reply & 0x04) != 0;
        st->paper_out |= (reply & 0x20) != 0; /* printing stopped by paper end */
        st->error |= (reply & 0x40) != 0;
        break;
    case ESCPOS_STATUS_ERROR:
        st->error |= (reply & 0x68) != 0; /* cutter 0x08, unrecoverable 0x20, auto 0x40 */
        break;
    case ESCPOS_STATUS_PAPER:
        st->paper_near_end |= (reply & 0x0C) != 0;
        st->paper_out |= (reply & 0x60) != 0;
        break;
    default:
        return KIOSK_INVALID;
    }
    return KIOSK_OK;
}

kiosk_rc escpos_status_rc(const escpos_status *st)
{
    if (st->paper_out)
        return KIOSK_PAPER_OUT;
    if (st->offline || st->cover_open || st->error)
        return KIOSK_PRINTER;
    return KIOSK_OK;
}
