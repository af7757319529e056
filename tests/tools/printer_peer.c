/* A printer on a pty for tests; see printer_peer.h. */
#include "printer_peer.h"

#include <poll.h>
#include <pty.h>
#include <string.h>
#include <unistd.h>

static void *peer_main(void *arg)
{
    printer_peer *pe = arg;
    while (!__atomic_load_n(&pe->stop, __ATOMIC_ACQUIRE)) {
        struct pollfd pfd = {pe->master, POLLIN, 0};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        uint8_t buf[512];
        ssize_t n = read(pe->master, buf, sizeof buf);
        for (ssize_t i = 0; i < n && pe->got_len < sizeof pe->got; i++) {
            pe->got[pe->got_len++] = buf[i];
            size_t l = pe->got_len;
            if (l >= 3 && pe->got[l - 3] == 0x10 && pe->got[l - 2] == 0x04 && pe->got[l - 1] >= 1 &&
                pe->got[l - 1] <= 4 && pe->replies[pe->got[l - 1]]) {
                if (write(pe->master, &pe->replies[pe->got[l - 1]], 1) != 1)
                    return NULL;
            }
        }
    }
    return NULL;
}

int printer_peer_start(printer_peer *pe, const uint8_t replies[5])
{
    memset(pe, 0, sizeof *pe);
    if (openpty(&pe->master, &pe->slave, pe->name, NULL, NULL) != 0)
        return -1;
    memcpy(pe->replies, replies, 5);
    if (pthread_create(&pe->thread, NULL, peer_main, pe) != 0) {
        close(pe->master);
        close(pe->slave);
        return -1;
    }
    return 0;
}

void printer_peer_stop(printer_peer *pe)
{
    __atomic_store_n(&pe->stop, 1, __ATOMIC_RELEASE);
    pthread_join(pe->thread, NULL);
    close(pe->slave);
    close(pe->master);
}
