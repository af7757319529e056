/*
 * A round-robin TCP proxy on loopback for the hub's failover test: what a load balancer
 * in front of several hub processes does. Each new connection goes to the next backend in
 * turn; one that refuses the connection (its process is down) is skipped for the next
 * one. Bytes are copied both ways until either side closes. Backends come and go (their
 * port set to 0 while down) at any time, from any thread.
 */
#ifndef KIOSK_PG_PROXY_H
#define KIOSK_PG_PROXY_H

#include <stdint.h>

#define PG_PROXY_BACKENDS 4

typedef struct pg_proxy pg_proxy;

/* Listen on 127.0.0.1 (an ephemeral port: *port). 0 or -1. */
int pg_proxy_start(pg_proxy **out, uint16_t *port);

/* Backend i (0 .. PG_PROXY_BACKENDS - 1) is 127.0.0.1:port from now on; 0: none. */
void pg_proxy_set_backend(pg_proxy *p, int i, uint16_t port);

/* Connections handed to a backend so far. */
uint64_t pg_proxy_connections(pg_proxy *p);

/* Stop accepting, close every connection, join every thread, free. NULL is fine. */
void pg_proxy_stop(pg_proxy *p);

#endif
