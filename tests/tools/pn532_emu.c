/*
 * The emulator thread reads host frames from the pty master, acknowledges each one and
 * answers the commands libnfc uses with a PN532: Diagnose, GetFirmwareVersion,
 * Read/WriteRegister, SetParameters, SAMConfiguration, RFConfiguration, PowerDown,
 * InListPassiveTarget (ISO 14443-4 Type A with an ATS), InDataExchange,
 * InCommunicateThru (libnfc's presence check), InDeselect and InRelease. Registers
 * read as zero; a real chip's timing is not modelled beyond what the card adds.
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
#include <unistd.h>

struct pn532_emu {
    reader *card;
    int master, slave;
    char connstring[96];
    pthread_t thread;
    int stop, silent, frames, exchanges;
    int selected;
    uint8_t in[4096];
    size_t in_len;
};

static void send_all(pn532_emu *e, const uint8_t *b, size_t n)
{
    while (n > 0) {
        ssize_t w = write(e->master, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        b += w;
        n -= (size_t)w;
    }
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
    send_all(e, f, k);
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
    case 0x4A: { /* InListPassiveTarget */
        reader_target t;
        if (n >= 3 && d[2] == 0x00 && e->card && e->card->ops->poll(e->card, 0, &t) == KIOSK_OK) {
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
        } else {
            out[k++] = 0x00; /* no target (Type B and others: this card is Type A) */
        }
        break;
    }
    case 0x40: { /* InDataExchange: Tg, APDU */
        __atomic_add_fetch(&e->exchanges, 1, __ATOMIC_SEQ_CST);
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
        send_ack(e);
        handle(e, body + 1, len - 1);
    }
    memmove(e->in, e->in + i, e->in_len - i);
    e->in_len -= i;
}

static void *emu_main(void *arg)
{
    pn532_emu *e = arg;
    while (!__atomic_load_n(&e->stop, __ATOMIC_SEQ_CST)) {
        struct pollfd p = {e->master, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t r = read(e->master, e->in + e->in_len, sizeof e->in - e->in_len);
        if (r <= 0)
            continue;
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
    char name[64];
    struct termios raw;
    memset(&raw, 0, sizeof raw);
    cfmakeraw(&raw);
    if (openpty(&e->master, &e->slave, name, &raw, NULL) != 0) {
        free(e);
        return KIOSK_IO;
    }
    snprintf(e->connstring, sizeof e->connstring, "pn532_uart:%s:115200", name);
    e->card = card;
    if (pthread_create(&e->thread, NULL, emu_main, e) != 0) {
        close(e->master);
        close(e->slave);
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

void pn532_emu_set_silent(pn532_emu *e, int silent)
{
    __atomic_store_n(&e->silent, silent, __ATOMIC_SEQ_CST);
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
    close(e->master);
    close(e->slave);
    free(e);
}
