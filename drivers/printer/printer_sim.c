/*
 * A printer that reads its own ESC/POS input back into paper. The stream is parsed
 * incrementally (a command may span two writes); raster bands are appended to the paper
 * image (a band narrower than the paper leaves the rest white); ESC J feeds dots, ESC d
 * feeds 30-dot lines (the default 1/6-inch line at 203 dpi, rounded).
 */
#include "printer/printer_sim.h"

#include <stdlib.h>
#include <string.h>

#include "core/kiosk_buf.h"

#define LINE_DOTS 30
#define MAX_ROWS 20000 /* 2.5 m of paper: a runaway job is an error, not an OOM */

typedef struct sim_printer {
    printer base;
    int width_dots;
    printer_sim_faults faults;
    long accepted;
    kiosk_buf pending; /* bytes of an incomplete command */
    kiosk_buf paper;   /* rows of width_dots / 8 bytes, capped at MAX_ROWS */
    int rows, cuts, errors;
} sim_printer;

static kiosk_rc add_rows(sim_printer *s, int rows)
{
    if (rows <= 0)
        return KIOSK_OK;
    if (s->rows + rows > MAX_ROWS) {
        s->errors++;
        return KIOSK_RANGE;
    }
    uint8_t *blank;
    kiosk_rc rc = kiosk_buf_extend(&s->paper, (size_t)rows * ((size_t)s->width_dots / 8), &blank);
    if (rc == KIOSK_OK)
        s->rows += rows;
    return rc;
}

/* Parse one command at p (n bytes available). Returns bytes consumed, 0 when the
 * command is incomplete. */
static size_t parse_one(sim_printer *s, const uint8_t *p, size_t n)
{
    if (p[0] == 0x1B) {
        if (n < 2)
            return 0;
        if (p[1] == 0x40)
            return 2;
        if (p[1] == 0x4A) {
            if (n < 3)
                return 0;
            add_rows(s, p[2]);
            return 3;
        }
        if (p[1] == 0x64) {
            if (n < 3)
                return 0;
            add_rows(s, p[2] * LINE_DOTS);
            return 3;
        }
    } else if (p[0] == 0x1D) {
        if (n < 2)
            return 0;
        if (p[1] == 0x56) {
            if (n < 3)
                return 0;
            if (p[2] == 0 || p[2] == 1 || p[2] == 48 || p[2] == 49) {
                s->cuts++;
                return 3;
            }
            if (p[2] == 65 || p[2] == 66) {
                if (n < 4)
                    return 0;
                add_rows(s, p[3]);
                s->cuts++;
                return 4;
            }
        } else if (p[1] == 0x76) {
            if (n < 8)
                return 0;
            size_t wb = (size_t)p[4] | (size_t)p[5] << 8, h = (size_t)p[6] | (size_t)p[7] << 8;
            if (p[2] != 0x30 || p[3] > 3 || wb == 0) {
                s->errors++;
                return 1;
            }
            if (n < 8 + wb * h)
                return 0;
            size_t pw = (size_t)s->width_dots / 8;
            if (wb > pw) {
                s->errors++; /* wider than the paper: a real printer garbles it */
                return 8 + wb * h;
            }
            int top = s->rows;
            if (add_rows(s, (int)h) == KIOSK_OK)
                for (size_t y = 0; y < h; y++)
                    memcpy(s->paper.data + ((size_t)top + y) * pw, p + 8 + y * wb, wb);
            return 8 + wb * h;
        }
    } else if (p[0] == 0x10) {
        if (n < 3)
            return 0;
        if (p[1] == 0x04 && p[2] >= 1 && p[2] <= 4)
            return 3;
    } else if (p[0] == 0x0A) {
        add_rows(s, LINE_DOTS);
        return 1;
    }
    s->errors++;
    return 1;
}

static kiosk_rc sim_write(printer *p, const uint8_t *bytes, size_t n)
{
    sim_printer *s = (sim_printer *)p;
    if (s->faults.offline || s->faults.cover_open)
        return KIOSK_PRINTER;
    kiosk_rc result = KIOSK_OK;
    if (s->faults.paper_out_after >= 0) {
        long room = s->faults.paper_out_after - s->accepted;
        if (room <= 0)
            return KIOSK_PAPER_OUT;
        if ((long)n > room) {
            n = (size_t)room;
            result = KIOSK_PAPER_OUT;
        }
    }
    s->accepted += (long)n;
    kiosk_rc rc = kiosk_buf_append(&s->pending, bytes, n);
    if (rc != KIOSK_OK)
        return rc;
    size_t pos = 0;
    while (pos < s->pending.len) {
        size_t used = parse_one(s, s->pending.data + pos, s->pending.len - pos);
        if (used == 0)
            break;
        pos += used;
    }
    kiosk_buf_consume(&s->pending, pos);
    return result;
}

static kiosk_rc sim_status(printer *p, escpos_status *out)
{
    sim_printer *s = (sim_printer *)p;
    memset(out, 0, sizeof *out);
    if (s->faults.garbage_status)
        return escpos_status_parse(ESCPOS_STATUS_PRINTER, 0x00, out);
    int paper_out = s->faults.paper_out_after >= 0 && s->accepted >= s->faults.paper_out_after;
    uint8_t r1 = 0x12 | ((s->faults.offline || s->faults.cover_open || paper_out) ? 0x08 : 0);
    uint8_t r2 = 0x12 | (s->faults.cover_open ? 0x04 : 0) | (paper_out ? 0x20 : 0);
    uint8_t r4 = 0x12 | (paper_out ? 0x6C : 0);
    escpos_status_parse(ESCPOS_STATUS_PRINTER, r1, out);
    escpos_status_parse(ESCPOS_STATUS_OFFLINE, r2, out);
    escpos_status_parse(ESCPOS_STATUS_PAPER, r4, out);
    return KIOSK_OK;
}

static void sim_close(printer *p)
{
    sim_printer *s = (sim_printer *)p;
    kiosk_buf_deinit(&s->pending);
    kiosk_buf_deinit(&s->paper);
    free(s);
}

static const printer_ops sim_ops = {"simulated", sim_write, sim_status, sim_close, NULL};

kiosk_rc printer_sim_create(int width_dots, const printer_sim_faults *faults, printer **out)
{
    *out = NULL;
    if (width_dots <= 0 || width_dots % 8 != 0)
        return KIOSK_INVALID;
    sim_printer *s = calloc(1, sizeof *s);
    if (!s)
        return KIOSK_NOMEM;
    s->base.ops = &sim_ops;
    s->width_dots = width_dots;
    /* no cap of its own, as a printer's input has none: the job's buffer bounds it */
    kiosk_buf_init(&s->pending, SIZE_MAX - 1, 0);
    /* a receipt shows a masked name: torn-off paper is wiped */
    kiosk_buf_init(&s->paper, (size_t)MAX_ROWS * ((size_t)width_dots / 8), KIOSK_BUF_WIPE);
    if (faults)
        s->faults = *faults;
    else
        s->faults.paper_out_after = -1;
    *out = &s->base;
    return KIOSK_OK;
}

const uint8_t *printer_sim_paper(printer *p, int *rows)
{
    sim_printer *s = (sim_printer *)p;
    *rows = s->rows;
    return s->paper.data;
}

int printer_sim_cuts(printer *p)
{
    return ((sim_printer *)p)->cuts;
}

int printer_sim_errors(printer *p)
{
    return ((sim_printer *)p)->errors;
}

void printer_sim_set_faults(printer *p, const printer_sim_faults *faults)
{
    ((sim_printer *)p)->faults = *faults;
}

void printer_sim_clear(printer *p)
{
    sim_printer *s = (sim_printer *)p;
    kiosk_buf_deinit(&s->paper); /* wiped; the buffer stays usable, empty */
    s->rows = 0;
}
