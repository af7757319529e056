/*
 * The emulator thread reads host frames from the pty master, acknowledges each one and
 * answers the commands libnfc uses with a PN532: Diagnose, GetFirmwareVersion,
 * Read/WriteRegister, SetParameters, SAMConfiguration, RFConfiguration, PowerDown,
 * InListPassiveTarget (ISO 14443-4 Type A with an ATS, or Type B with an ATQB, as the
 * card's profile says), InDataExchange, InCommunicateThru (libnfc's presence check),
 * InDeselect and InRelease. Registers read as zero. Bytes are paced on absolute deadlines, so the
 * sleeps' own slack does not add up over a frame; unplug and replug are requests the thread carries
 * out between frames, so the master descriptor is only ever touched by the thread.
 */
#include "pn532_emu.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define EMU_BAUD 115200
#define EMU_BYTE_NS (10LL * 1000000000LL / EMU_BAUD) /* start + 8 data + stop bits */

struct pn532_emu {
    reader *card;
    int master, slave;
    char dir[64], link[96], connstring[160];
    pthread_t thread;
    int stop, silent, frames, exchanges;
    int card_delay_ms;
    int cut_after;     /* -1, or bytes of the next response frame before falling silent */
    int request, done; /* 1 unplug, 2 replug; done counts requests carried out */
    int selected;
    int64_t tx_free_ns, rx_free_ns; /* when the line each way is next idle */
    uint8_t in[4096];
    size_t in_len;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until_ns(int64_t t)
{
    struct timespec ts = {(time_t)(t / 1000000000LL), (long)(t % 1000000000LL)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* Write n bytes as the UART would: one every EMU_BYTE_NS, after what is already on the
 * line. Bytes that are due go out together, so a late wake-up catches up. */
static void send_all(pn532_emu *e, const uint8_t *b, size_t n)
{
    if (e->master < 0)
        return;
    int64_t now = mono_ns();
    int64_t t0 = e->tx_free_ns > now ? e->tx_free_ns : now;
    size_t sent = 0;
    while (sent < n) {
        now = mono_ns();
        size_t due = (size_t)((now - t0) / EMU_BYTE_NS) + 1;
        if (due > n)
            due = n;
        if (due <= sent) {
            sleep_until_ns(t0 + (int64_t)sent * EMU_BYTE_NS);
            continue;
        }
        ssize_t w = write(e->master, b + sent, due - sent);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        sent += (size_t)w;
    }
    e->tx_free_ns = t0 + (int64_t)n * EMU_BYTE_NS;
    sleep_until_ns(e->tx_free_ns); /* the last byte's own time on the line */
}

/* A response frame goes out whole, or cut short once for a reader that hangs mid-frame. */
static void send_frame(pn532_emu *e, const uint8_t *f, size_t k)
{
    int cut = __atomic_exchange_n(&e->cut_after, -1, __ATOMIC_SEQ_CST);
    if (cut >= 0) {
        send_all(e, f, (size_t)cut < k ? (size_t)cut : k);
        __atomic_store_n(&e->silent, 1, __ATOMIC_SEQ_CST);
        return;
    }
    send_all(e, f, k);
}

static void send_ack(pn532_emu *e)
{
    static const uint8_t ack[6] = {0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00};
    send_all(e, ack, sizeof ack);
}

/* A response frame: D5, cmd + 1, data. */
static void respond(pn532_emu *e, uint8_t cmd, const uint8_t *data, size_t n)
{
    uint8_t f[300];
    size_t len = n + 2, k = 0;
    uint8_t sum = 0xD5 + (uint8_t)(cmd + 1);
    f[k++] = 0x00;
    f[k++] = 0x00;
    f[k++] = 0xFF;
    f[k++] = (uint8_t)len;
    f[k++] = (uint8_t)(0x100 - len);
    f[k++] = 0xD5;
    f[k++] = (uint8_t)(cmd + 1);
    for (size_t i = 0; i < n; i++) {
        f[k++] = data[i];
        sum = (uint8_t)(sum + data[i]);
    }
    f[k++] = (uint8_t)(0x100 - sum);
    f[k++] = 0x00;
    send_frame(e, f, k);
}

static int card_present(pn532_emu *e)
{
    return e->card && e->card->ops->present(e->card) == KIOSK_OK;
}

static void handle(pn532_emu *e, const uint8_t *d, size_t n)
{
    uint8_t cmd = d[0], out[280];
    size_t k = 0;
    __atomic_add_fetch(&e->frames, 1, __ATOMIC_SEQ_CST);
    switch (cmd) {
    case 0x00: /* Diagnose: communication test echoes its data */
        if (n >= 2 && d[1] == 0x00) {
            memcpy(out, d + 1, n - 1);
            k = n - 1;
        } else {
            out[k++] = card_present(e) ? 0x00 : 0x01;
        }
        break;
    case 0x02: /* GetFirmwareVersion: PN532 v1.6, ISO 14443 A and B */
        out[k++] = 0x32;
        out[k++] = 0x01;
        out[k++] = 0x06;
        out[k++] = 0x07;
        break;
    case 0x06: /* ReadRegister: two address bytes per register */
        for (size_t i = 1; i + 1 < n; i += 2)
            out[k++] = 0x00;
        break;
    case 0x08: /* WriteRegister */
    case 0x12: /* SetParameters */
    case 0x14: /* SAMConfiguration */
    case 0x32: /* RFConfiguration */
        break;
    case 0x16: /* PowerDown */
        out[k++] = 0x00;
        break;
    case 0x4A: { /* InListPassiveTarget: MaxTg, BrTy, initiator data */
        reader_target t;
        int polled = n >= 3 && e->card && e->card->ops->poll(e->card, 0, &t) == KIOSK_OK;
        if (polled && d[2] == 0x00 && !t.type_b) { /* 106 kbps Type A */
            static const uint8_t ats[5] = {0x05, 0x78, 0x80, 0x70, 0x02};
            out[k++] = 0x01; /* NbTg */
            out[k++] = 0x01; /* Tg */
            out[k++] = 0x00; /* ATQA */
            out[k++] = 0x04;
            out[k++] = 0x20; /* SAK: ISO 14443-4 */
            out[k++] = (uint8_t)t.uid_len;
            memcpy(out + k, t.uid, t.uid_len);
            k += t.uid_len;
            memcpy(out + k, ats, sizeof ats);
            k += sizeof ats;
            e->selected = 1;
        } else if (polled && d[2] == 0x03 && t.type_b) { /* 106 kbps Type B */
            /* ATQB: 50, PUPI (4), application data (4), protocol info (3: 256-byte frames,
             * ISO 14443-4, FWI 8); then the ATTRIB answer (its length, then CID 0) */
            static const uint8_t app[4] = {0x00, 0x00, 0x00, 0x00}, proto[3] = {0x80, 0x81, 0x85};
            out[k++] = 0x01; /* NbTg */
            out[k++] = 0x01; /* Tg */
            out[k++] = 0x50;
            for (size_t i = 0; i < 4; i++)
                out[k++] = i < t.uid_len ? t.uid[i] : 0x00;
            memcpy(out + k, app, sizeof app);
            k += sizeof app;
            memcpy(out + k, proto, sizeof proto);
            k += sizeof proto;
            out[k++] = 0x01; /* ATTRIB_RES length */
            out[k++] = 0x00; /* MBLI 0, CID 0 */
            e->selected = 1;
        } else {
            out[k++] = 0x00; /* no target of the kind asked for */
        }
        break;
    }
    case 0x40: { /* InDataExchange: Tg, APDU */
        __atomic_add_fetch(&e->exchanges, 1, __ATOMIC_SEQ_CST);
        int delay = __atomic_load_n(&e->card_delay_ms, __ATOMIC_SEQ_CST);
        if (delay > 0) /* the card thinks; the reader waits for it */
            sleep_until_ns(mono_ns() + (int64_t)delay * 1000000LL);
        size_t got = 0;
        if (!e->selected || n < 3 ||
            e->card->ops->transceive(e->card, d + 2, n - 2, out + 1, sizeof out - 1, &got, 60000) !=
                KIOSK_OK) {
            e->selected = 0;
            out[k++] = 0x01; /* timeout: the card did not answer */
        } else {
            out[0] = 0x00;
            k = 1 + got;
        }
        break;
    }
    case 0x42: /* InCommunicateThru: libnfc's presence ping (an R(NAK) block) */
        if (e->selected && card_present(e)) {
            out[k++] = 0x00;
            out[k++] = (uint8_t)(0xA2 | (d[1] & 0x01)); /* R(ACK) */
        } else {
            e->selected = 0;
            out[k++] = 0x01;
        }
        break;
    case 0x44: /* InDeselect */
    case 0x52: /* InRelease */
        e->selected = 0;
        out[k++] = 0x00;
        break;
    default:
        out[k++] = 0x27; /* "command not acceptable in this context" */
        break;
    }
    respond(e, cmd, out, k);
}

/* Take complete frames off the input buffer. */
static void parse(pn532_emu *e)
{
    size_t i = 0;
    for (;;) {
        while (i + 1 < e->in_len && !(e->in[i] == 0x00 && e->in[i + 1] == 0xFF))
            i++;
        if (i + 4 > e->in_len)
            break;
        uint8_t len = e->in[i + 2], lcs = e->in[i + 3];
        if (len == 0x00 && lcs == 0xFF) { /* an ACK from the host (abort) */
            i += 5;
            continue;
        }
        if ((uint8_t)(len + lcs) != 0) {
            i += 2;
            continue;
        }
        if (i + 4 + len + 2 > e->in_len)
            break;
        const uint8_t *body = e->in + i + 4;
        uint8_t sum = 0;
        for (size_t j = 0; j < len; j++)
            sum = (uint8_t)(sum + body[j]);
        int ok = body[0] == 0xD4 && (uint8_t)(sum + body[len]) == 0;
        i += 4 + len + 2;
        if (!ok || __atomic_load_n(&e->silent, __ATOMIC_SEQ_CST))
            continue;
        sleep_until_ns(e->rx_free_ns); /* the frame's last byte has arrived on the line */
        send_ack(e);
        handle(e, body + 1, len - 1);
    }
    memmove(e->in, e->in + i, e->in_len - i);
    e->in_len -= i;
}

/* A new pseudo-terminal behind the emulator's path. */
static int plug(pn532_emu *e)
{
    char name[64];
    struct termios raw;
    memset(&raw, 0, sizeof raw);
    cfmakeraw(&raw);
    if (openpty(&e->master, &e->slave, name, &raw, NULL) != 0) {
        e->master = e->slave = -1;
        return -1;
    }
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s.new", e->link);
    unlink(tmp);
    if (symlink(name, tmp) != 0 || rename(tmp, e->link) != 0) {
        close(e->master);
        close(e->slave);
        e->master = e->slave = -1;
        return -1;
    }
    e->in_len = 0;
    e->selected = 0;
    e->tx_free_ns = e->rx_free_ns = 0;
    __atomic_store_n(&e->silent, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&e->cut_after, -1, __ATOMIC_SEQ_CST);
    return 0;
}

/* Pulled out: the host's descriptor hangs up (EIO) and the path is gone. */
static void unplug(pn532_emu *e)
{
    unlink(e->link);
    if (e->master >= 0)
        close(e->master);
    if (e->slave >= 0)
        close(e->slave);
    e->master = e->slave = -1;
}

static void *emu_main(void *arg)
{
    pn532_emu *e = arg;
    while (!__atomic_load_n(&e->stop, __ATOMIC_SEQ_CST)) {
        int req = __atomic_exchange_n(&e->request, 0, __ATOMIC_SEQ_CST);
        if (req == 1)
            unplug(e);
        else if (req == 2 && e->master < 0)
            plug(e);
        if (req)
            __atomic_add_fetch(&e->done, 1, __ATOMIC_SEQ_CST);
        if (e->master < 0) {
            sleep_until_ns(mono_ns() + 5 * 1000000LL);
            continue;
        }
        struct pollfd p = {e->master, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0 || !(p.revents & POLLIN))
            continue;
        ssize_t r = read(e->master, e->in + e->in_len, sizeof e->in - e->in_len);
        if (r <= 0)
            continue;
        /* the host's bytes cross the line at the baud rate too */
        int64_t now = mono_ns();
        e->rx_free_ns = (e->rx_free_ns > now ? e->rx_free_ns : now) + r * EMU_BYTE_NS;
        e->in_len += (size_t)r;
        parse(e);
        if (e->in_len == sizeof e->in)
            e->in_len = 0;
    }
    return NULL;
}

kiosk_rc pn532_emu_start(reader *card, pn532_emu **out)
{
    *out = NULL;
    pn532_emu *e = calloc(1, sizeof *e);
    if (!e)
        return KIOSK_NOMEM;
    snprintf(e->dir, sizeof e->dir, "/tmp/pn532-emu-XXXXXX");
    if (!mkdtemp(e->dir)) {
        free(e);
        return KIOSK_IO;
    }
    snprintf(e->link, sizeof e->link, "%s/ttyPN532", e->dir);
    snprintf(e->connstring, sizeof e->connstring, "pn532_uart:%s:%d", e->link, EMU_BAUD);
    e->card = card;
    e->card_delay_ms = 15;
    if (plug(e) != 0) {
        rmdir(e->dir);
        free(e);
        return KIOSK_IO;
    }
    if (pthread_create(&e->thread, NULL, emu_main, e) != 0) {
        unplug(e);
        rmdir(e->dir);
        free(e);
        return KIOSK_NOMEM;
    }
    *out = e;
    return KIOSK_OK;
}

const char *pn532_emu_connstring(const pn532_emu *e)
{
    return e->connstring;
}

void pn532_emu_set_card_delay(pn532_emu *e, int ms)
{
    __atomic_store_n(&e->card_delay_ms, ms, __ATOMIC_SEQ_CST);
}

void pn532_emu_set_silent(pn532_emu *e, int silent)
{
    if (!silent)
        __atomic_store_n(&e->cut_after, -1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&e->silent, silent, __ATOMIC_SEQ_CST);
}

void pn532_emu_silent_after(pn532_emu *e, int bytes)
{
    __atomic_store_n(&e->cut_after, bytes < 0 ? 0 : bytes, __ATOMIC_SEQ_CST);
}

static void request(pn532_emu *e, int what)
{
    int before = __atomic_load_n(&e->done, __ATOMIC_SEQ_CST);
    __atomic_store_n(&e->request, what, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&e->done, __ATOMIC_SEQ_CST) == before)
        sleep_until_ns(mono_ns() + 1000000LL);
}

void pn532_emu_unplug(pn532_emu *e)
{
    request(e, 1);
}

void pn532_emu_replug(pn532_emu *e)
{
    request(e, 2);
}

int pn532_emu_frames(const pn532_emu *e)
{
    return __atomic_load_n(&e->frames, __ATOMIC_SEQ_CST);
}

int pn532_emu_exchanges(const pn532_emu *e)
{
    return __atomic_load_n(&e->exchanges, __ATOMIC_SEQ_CST);
}

void pn532_emu_stop(pn532_emu *e)
{
    if (!e)
        return;
    __atomic_store_n(&e->stop, 1, __ATOMIC_SEQ_CST);
    pthread_join(e->thread, NULL);
    unplug(e);
    rmdir(e->dir);
    free(e);
}
