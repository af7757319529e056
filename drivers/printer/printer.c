/*
 * Device printer backends. USB printer class and serial ports are both file
 * descriptors: they share the write loop (poll with a timeout, so a printer that stops
 * taking bytes cannot hang the print worker) and the status exchange (DLE EOT n, one
 * byte back). They differ only in how the port is set up. errno values are translated
 * here: ENOSPC from usblp means paper out; ENODEV/EIO mean unplugged or broken.
 */
#include "printer/printer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/kiosk_buf.h"
#include "core/kiosk_log.h"

#define WRITE_TIMEOUT_MS 10000
#define STATUS_TIMEOUT_MS 500

typedef struct fd_printer {
    printer base;
    int fd;
    int can_read; /* file backend: no status */
} fd_printer;

static kiosk_rc errno_rc(int e)
{
    switch (e) {
    case ENOSPC:
        return KIOSK_PAPER_OUT;
    case ENOENT:
        return KIOSK_NOT_FOUND;
    case ENODEV:
    case ENXIO:
    case EIO:
    case EPIPE:
        return KIOSK_PRINTER;
    case ETIMEDOUT:
        return KIOSK_TIMEOUT;
    default:
        return KIOSK_IO;
    }
}

static kiosk_rc fd_write(printer *p, const uint8_t *bytes, size_t n)
{
    fd_printer *fp = (fd_printer *)p;
    size_t done = 0;
    while (done < n) {
        struct pollfd pfd = {fp->fd, POLLOUT, 0};
        int r = poll(&pfd, 1, WRITE_TIMEOUT_MS);
        if (r == 0)
            return KIOSK_TIMEOUT;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno_rc(errno);
        }
        if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
            return KIOSK_PRINTER;
        ssize_t w = write(fp->fd, bytes + done, n - done);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return errno_rc(errno);
        }
        done += (size_t)w;
    }
    return KIOSK_OK;
}

static kiosk_rc fd_query(fd_printer *fp, escpos_status_query q, escpos_status *st)
{
    kiosk_buf b;
    uint8_t reply;
    kiosk_buf_init(&b, 8, 0);
    kiosk_rc rc = escpos_status_request(&b, q);
    if (rc == KIOSK_OK)
        rc = fd_write(&fp->base, b.data, b.len);
    kiosk_buf_deinit(&b);
    if (rc != KIOSK_OK)
        return rc;
    for (;;) {
        struct pollfd pfd = {fp->fd, POLLIN, 0};
        int r = poll(&pfd, 1, STATUS_TIMEOUT_MS);
        if (r == 0)
            return KIOSK_TIMEOUT;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno_rc(errno);
        ssize_t got = read(fp->fd, &reply, 1);
        if (got == 1)
            return escpos_status_parse(q, reply, st);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        return got == 0 ? KIOSK_TIMEOUT : errno_rc(errno);
    }
}

static kiosk_rc fd_status(printer *p, escpos_status *out)
{
    fd_printer *fp = (fd_printer *)p;
    if (!fp->can_read)
        return KIOSK_UNSUPPORTED;
    memset(out, 0, sizeof *out);
    static const escpos_status_query order[] = {ESCPOS_STATUS_PRINTER, ESCPOS_STATUS_OFFLINE,
                                                ESCPOS_STATUS_PAPER};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        kiosk_rc rc = fd_query(fp, order[i], out);
        if (rc != KIOSK_OK)
            return rc;
    }
    return KIOSK_OK;
}

static void fd_close(printer *p)
{
    fd_printer *fp = (fd_printer *)p;
    close(fp->fd);
    free(fp);
}

static const printer_ops usb_ops = {"usb", fd_write, fd_status, fd_close, NULL};
static const printer_ops serial_ops = {"serial", fd_write, fd_status, fd_close, NULL};
static const printer_ops file_ops = {"file", fd_write, fd_status, fd_close, NULL};

static kiosk_rc fd_open(const char *path, int flags, const printer_ops *ops, int can_read,
                        printer **out)
{
    *out = NULL;
    int fd = open(path, flags | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        kiosk_rc rc = errno_rc(errno);
        kiosk_log_debug("printer", "cannot open %s printer %s: %s", ops->name, path,
                        strerror(errno));
        return rc;
    }
    fd_printer *fp = calloc(1, sizeof *fp);
    if (!fp) {
        close(fd);
        return KIOSK_NOMEM;
    }
    fp->base.ops = ops;
    fp->fd = fd;
    fp->can_read = can_read;
    *out = &fp->base;
    return KIOSK_OK;
}

kiosk_rc printer_open_usb(const char *path, printer **out)
{
    return fd_open(path, O_RDWR | O_NONBLOCK, &usb_ops, 1, out);
}

static speed_t baud_speed(int baud)
{
    switch (baud) {
    case 9600:
        return B9600;
    case 19200:
        return B19200;
    case 38400:
        return B38400;
    case 57600:
        return B57600;
    case 115200:
        return B115200;
    default:
        return 0;
    }
}

kiosk_rc printer_open_serial(const char *path, int baud, printer **out)
{
    *out = NULL;
    speed_t speed = baud_speed(baud);
    if (!speed)
        return KIOSK_INVALID;
    kiosk_rc rc = fd_open(path, O_RDWR | O_NONBLOCK, &serial_ops, 1, out);
    if (rc != KIOSK_OK)
        return rc;
    fd_printer *fp = (fd_printer *)*out;
    struct termios tio;
    if (tcgetattr(fp->fd, &tio) != 0) {
        printer_close(*out);
        *out = NULL;
        return KIOSK_IO;
    }
    cfmakeraw(&tio);
    cfsetispeed(&tio, speed);
    cfsetospeed(&tio, speed);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~(tcflag_t)CRTSCTS;
    if (tcsetattr(fp->fd, TCSANOW, &tio) != 0) {
        printer_close(*out);
        *out = NULL;
        return KIOSK_IO;
    }
    tcflush(fp->fd, TCIOFLUSH);
    return KIOSK_OK;
}

kiosk_rc printer_open_file(const char *path, printer **out)
{
    return fd_open(path, O_WRONLY | O_CREAT | O_APPEND, &file_ops, 0, out);
}

kiosk_rc printer_print(printer *p, const uint8_t *bytes, size_t n)
{
    escpos_status st;
    kiosk_rc rc = p->ops->status(p, &st);
    if (rc == KIOSK_OK) {
        rc = escpos_status_rc(&st);
        if (rc != KIOSK_OK)
            return rc;
    } else if (rc != KIOSK_UNSUPPORTED && rc != KIOSK_TIMEOUT) {
        /* Not every printer answers DLE EOT (one-way USB); a garbled answer or a dead
         * port is worth stopping for. */
        return rc;
    }
    return p->ops->write(p, bytes, n);
}

void printer_close(printer *p)
{
    if (p)
        p->ops->close(p);
}

void printer_set_title(printer *p, const char *title)
{
    if (p && p->ops->title)
        p->ops->title(p, title);
}
