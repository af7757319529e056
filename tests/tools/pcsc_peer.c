/*
 * The virtual ICCs are one thread each, connected to vpcd's port for its slot (vpcd
 * listens, as its own vpicc expects: its client mode cannot survive a card taken out —
 * pcscd aborts on the next presence check). The process runs in a network namespace of
 * its own as well, where only loopback exists, so vpcd's listening sockets are reachable
 * from this test alone. A card put in connects; a card taken out hangs up, which vpcd
 * reports to pcscd as an empty slot.
 */
#define _GNU_SOURCE
#include "pcsc_peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <winscard.h>

#include "ssc/reader_sim.h"

#define VPCD_DRIVER "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
#define PCSCD "/usr/sbin/pcscd"

/* vpcd's control bytes (a message of one byte) */
enum { CTRL_OFF = 0, CTRL_ON = 1, CTRL_RESET = 2, CTRL_ATR = 4 };

typedef struct slot {
    pcsc_peer *peer;
    int index;
    reader *card;
    int client_fd;
    int present, apdus;
    pthread_t thread;
} slot;

#define VPCD_PORT 35963 /* vpcd's own: slot i listens on VPCD_PORT + i */

struct pcsc_peer {
    slot slots[PCSC_PEER_SLOTS];
    int stop;
    pid_t pcscd;
    char dir[64];
};

/* An ATR of a T=0 card with two historical bytes: what a contact CPU card offers. */
static const uint8_t atr[] = {0x3B, 0x02, 0x14, 0x50};

static int read_all(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, buf + got, n - got, 0);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            return 0;
        }
        got += (size_t)r;
    }
    return 1;
}

static int send_msg(int fd, const uint8_t *data, size_t n)
{
    uint8_t buf[2 + READER_RESP_MAX];
    if (n > READER_RESP_MAX)
        return 0;
    buf[0] = (uint8_t)(n >> 8);
    buf[1] = (uint8_t)n;
    memcpy(buf + 2, data, n);
    return send(fd, buf, n + 2, MSG_NOSIGNAL) == (ssize_t)(n + 2);
}

static void hang_up(slot *s)
{
    if (s->client_fd >= 0)
        close(s->client_fd);
    s->client_fd = -1;
}

/* One message from vpcd; 0 when the connection is to go. */
static int serve(slot *s)
{
    uint8_t head[2], msg[READER_APDU_MAX + 16];
    if (!read_all(s->client_fd, head, 2))
        return 0;
    size_t n = (size_t)head[0] << 8 | head[1];
    if (n == 0 || n > sizeof msg || !read_all(s->client_fd, msg, n))
        return 0;
    if (!__atomic_load_n(&s->present, __ATOMIC_SEQ_CST))
        return 0;
    if (n == 1) {
        if (getenv("PCSC_PEER_TRACE"))
            fprintf(stderr, "pcsc_peer: slot %d control %d\n", s->index, msg[0]);
        if (msg[0] == CTRL_ATR)
            return send_msg(s->client_fd, atr, sizeof atr);
        if (msg[0] == CTRL_ON || msg[0] == CTRL_RESET) {
            reader_target t; /* a cold or warm reset: the card forgets its session */
            if (s->card)
                s->card->ops->poll(s->card, 0, &t);
        }
        return 1; /* power off, on and reset have no answer */
    }
    uint8_t resp[READER_RESP_MAX];
    size_t got = 0;
    if (getenv("PCSC_PEER_TRACE"))
        fprintf(stderr, "pcsc_peer: slot %d apdu %02X %02X %02X %02X\n", s->index, msg[0], msg[1],
                msg[2], msg[3]);
    if (!s->card ||
        s->card->ops->transceive(s->card, msg, n, resp, sizeof resp, &got, 60000) != KIOSK_OK) {
        resp[0] = 0x6F; /* no precise diagnosis */
        resp[1] = 0x00;
        got = 2;
    }
    __atomic_add_fetch(&s->apdus, 1, __ATOMIC_SEQ_CST);
    return send_msg(s->client_fd, resp, got);
}

/* Connect to vpcd's port for slot i: the card is in. */
static int connect_slot(int i)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)(VPCD_PORT + i)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

static void *icc_thread(void *arg)
{
    slot *s = arg;
    while (!__atomic_load_n(&s->peer->stop, __ATOMIC_SEQ_CST)) {
        int present = __atomic_load_n(&s->present, __ATOMIC_SEQ_CST);
        if (!present)
            hang_up(s);
        else if (s->client_fd < 0)
            s->client_fd = connect_slot(s->index); /* again and again until vpcd is up */
        if (s->client_fd < 0) {
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
            continue;
        }
        struct pollfd fd = {s->client_fd, POLLIN, 0};
        if (poll(&fd, 1, 20) > 0 && !serve(s))
            hang_up(s);
    }
    hang_up(s);
    return NULL;
}

/* This process's own /run/pcscd and network (loopback alone, up): namespaces, once per
 * process, entered before any thread of the test starts. */
static kiosk_rc private_namespaces(void)
{
    static int done;
    if (done)
        return KIOSK_OK;
    if (geteuid() != 0) {
        fprintf(stderr, "pcsc_peer: needs root for a private /run/pcscd and network\n");
        return KIOSK_UNSUPPORTED;
    }
    if (unshare(CLONE_NEWNS | CLONE_NEWNET) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "pcsc_peer: no namespaces: %s\n", strerror(errno));
        return KIOSK_UNSUPPORTED;
    }
    mkdir("/run/pcscd", 0755);
    if (mount("tmpfs", "/run/pcscd", "tmpfs", 0, "mode=0755,size=1m") != 0) {
        fprintf(stderr, "pcsc_peer: cannot mount /run/pcscd: %s\n", strerror(errno));
        return KIOSK_UNSUPPORTED;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int up = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 &&
             (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) == 0);
    if (fd >= 0)
        close(fd);
    if (!up) {
        fprintf(stderr, "pcsc_peer: cannot bring up loopback: %s\n", strerror(errno));
        return KIOSK_UNSUPPORTED;
    }
    done = 1;
    return KIOSK_OK;
}

/* pcscd lists the reader's first slot. */
static int reader_listed(void)
{
    SCARDCONTEXT ctx;
    if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS)
        return 0;
    char list[1024];
    DWORD len = sizeof list;
    int found = 0;
    if (SCardListReaders(ctx, NULL, list, &len) == SCARD_S_SUCCESS)
        for (const char *s = list; s < list + len && *s; s += strlen(s) + 1)
            found |= !strcmp(s, PCSC_PEER_SLOT0);
    SCardReleaseContext(ctx);
    return found;
}

/* A pcscd left in this process's namespace by a test that failed before it stopped its
 * peer: stopped, so the next one starts clean (the namespace is this process's own). */
static void stop_leftover_daemon(void)
{
    FILE *f = fopen("/run/pcscd/pcscd.pid", "r");
    int pid = 0;
    if (f && fscanf(f, "%d", &pid) == 1 && pid > 1) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    if (f)
        fclose(f);
    unlink("/run/pcscd/pcscd.comm");
    unlink("/run/pcscd/pcscd.pid");
}

static kiosk_rc start_daemon(pcsc_peer *p)
{
    stop_leftover_daemon();
    char conf[96], path[160], log[160];
    snprintf(conf, sizeof conf, "%s/reader.conf.d", p->dir);
    mkdir(conf, 0755);
    snprintf(path, sizeof path, "%s/kiosk-test", conf);
    FILE *f = fopen(path, "w");
    if (!f)
        return KIOSK_IO;
    fprintf(f, "FRIENDLYNAME \"%s\"\nDEVICENAME /dev/null:0x%04X\nLIBPATH %s\nCHANNELID 0x%04X\n",
            PCSC_PEER_READER, VPCD_PORT, VPCD_DRIVER, VPCD_PORT);
    fclose(f);
    snprintf(log, sizeof log, "%s/pcscd.log", p->dir);
    pid_t pid = fork();
    if (pid < 0)
        return KIOSK_IO;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (getenv("PCSC_PEER_TRACE"))
            execl(PCSCD, PCSCD, "--foreground", "--debug", "--apdu", "--config", conf,
                  (char *)NULL);
        execl(PCSCD, PCSCD, "--foreground", "--config", conf, (char *)NULL);
        _exit(127);
    }
    p->pcscd = pid;
    for (int i = 0; i < 250; i++) { /* 5 s */
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            p->pcscd = 0;
            fprintf(stderr, "pcsc_peer: pcscd exited (see %s)\n", log);
            return KIOSK_IO;
        }
        if (reader_listed())
            return KIOSK_OK;
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "pcsc_peer: pcscd did not list the reader (see %s)\n", log);
    return KIOSK_TIMEOUT;
}

int pcsc_peer_wait(int slot_index, int present, int timeout_ms)
{
    SCARDCONTEXT ctx;
    if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS)
        return 0;
    SCARD_READERSTATE st = {.szReader = slot_index ? PCSC_PEER_SLOT1 : PCSC_PEER_SLOT0,
                            .dwCurrentState = SCARD_STATE_UNAWARE};
    int seen = 0;
    for (int waited = 0; !seen && waited <= timeout_ms; waited += 20) {
        if (SCardGetStatusChange(ctx, 0, &st, 1) != SCARD_S_SUCCESS)
            break;
        seen = !(st.dwEventState & SCARD_STATE_PRESENT) == !present;
        if (!seen) {
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
        }
    }
    SCardReleaseContext(ctx);
    return seen;
}

kiosk_rc pcsc_peer_start(reader *card0, reader *card1, pcsc_peer **out)
{
    *out = NULL;
    if (access(PCSCD, X_OK) != 0 || access(VPCD_DRIVER, R_OK) != 0) {
        fprintf(stderr, "pcsc_peer: needs %s and %s (toolchain/install-deps.sh)\n", PCSCD,
                VPCD_DRIVER);
        return KIOSK_UNSUPPORTED;
    }
    kiosk_rc rc = private_namespaces();
    if (rc != KIOSK_OK)
        return rc;
    pcsc_peer *p = calloc(1, sizeof *p);
    if (!p)
        return KIOSK_NOMEM;
    snprintf(p->dir, sizeof p->dir, "/tmp/pcsc-peer-XXXXXX");
    if (!mkdtemp(p->dir)) {
        free(p);
        return KIOSK_IO;
    }
    reader *cards[PCSC_PEER_SLOTS] = {card0, card1};
    for (int i = 0; i < PCSC_PEER_SLOTS; i++)
        p->slots[i] = (slot){
            .peer = p, .index = i, .card = cards[i], .client_fd = -1, .present = cards[i] != NULL};
    rc = start_daemon(p); /* first: no thread of ours is copied by its fork */
    if (rc != KIOSK_OK) {
        pcsc_peer_stop(p);
        return rc;
    }
    for (int i = 0; i < PCSC_PEER_SLOTS; i++)
        pthread_create(&p->slots[i].thread, NULL, icc_thread, &p->slots[i]);
    for (int i = 0; i < PCSC_PEER_SLOTS; i++) /* the cards put in are seen by pcscd */
        if (p->slots[i].present && !pcsc_peer_wait(i, 1, 5000)) {
            fprintf(stderr, "pcsc_peer: pcscd does not see the card in slot %d\n", i);
            pcsc_peer_stop(p);
            return KIOSK_TIMEOUT;
        }
    *out = p;
    return KIOSK_OK;
}

void pcsc_peer_insert(pcsc_peer *p, int slot_index, int present)
{
    slot *s = &p->slots[slot_index];
    if (s->card)
        reader_sim_set_present(s->card, present);
    __atomic_store_n(&s->present, present && s->card, __ATOMIC_SEQ_CST);
}

int pcsc_peer_apdus(const pcsc_peer *p, int slot_index)
{
    return __atomic_load_n(&p->slots[slot_index].apdus, __ATOMIC_SEQ_CST);
}

void pcsc_peer_stop_daemon(pcsc_peer *p)
{
    if (p->pcscd > 0) {
        kill(p->pcscd, SIGTERM);
        waitpid(p->pcscd, NULL, 0);
    }
    p->pcscd = 0;
}

void pcsc_peer_stop(pcsc_peer *p)
{
    if (!p)
        return;
    pcsc_peer_stop_daemon(p);
    __atomic_store_n(&p->stop, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < PCSC_PEER_SLOTS; i++) {
        if (p->slots[i].thread)
            pthread_join(p->slots[i].thread, NULL);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
    if (!getenv("PCSC_PEER_KEEP") && system(cmd) != 0)
        fprintf(stderr, "pcsc_peer: cannot remove %s\n", p->dir);
    free(p);
}

kiosk_rc pcsc_peer_start_cards(const char *profile0, const char *profile1, reader **card0,
                               reader **card1, pcsc_peer **out)
{
    const char *profiles[PCSC_PEER_SLOTS] = {profile0, profile1};
    reader *cards[PCSC_PEER_SLOTS] = {NULL, NULL};
    kiosk_rc rc = KIOSK_OK;
    for (int i = 0; i < PCSC_PEER_SLOTS && rc == KIOSK_OK; i++)
        if (profiles[i])
            rc = reader_sim_create(profiles[i], NULL, &cards[i]);
    if (rc == KIOSK_OK)
        rc = pcsc_peer_start(cards[0], cards[1], out);
    if (rc != KIOSK_OK) {
        *out = NULL;
        reader_close(cards[0]);
        reader_close(cards[1]);
        cards[0] = cards[1] = NULL;
    }
    if (card0)
        *card0 = cards[0];
    if (card1)
        *card1 = cards[1];
    return rc;
}

void pcsc_peer_stop_cards(pcsc_peer *p, reader *card0, reader *card1)
{
    pcsc_peer_stop(p);
    reader_close(card0);
    reader_close(card1);
}
