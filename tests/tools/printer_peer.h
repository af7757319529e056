/*
 * The far end of a pseudo-terminal acting as a receipt printer, for tests: it collects
 * what is sent and answers DLE EOT n with the configured reply byte (or stays silent,
 * as a one-way printer does). Runs on a thread of its own between start and stop.
 */
#ifndef PRINTER_PEER_H
#define PRINTER_PEER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct printer_peer {
    int master, slave;
    char name[128];     /* the device to open, e.g. /dev/pts/7 */
    uint8_t replies[5]; /* index n of DLE EOT n; 0 = do not answer */
    uint8_t got[1 << 16];
    size_t got_len;
    int stop; /* atomic */
    pthread_t thread;
} printer_peer;

/* Open a pty and start answering on it. 0 on success, -1 (errno) on failure. */
int printer_peer_start(printer_peer *pe, const uint8_t replies[5]);
/* Stop the thread and close the pty; got and got_len stay readable. */
void printer_peer_stop(printer_peer *pe);

#endif
