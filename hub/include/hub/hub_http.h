/*
 * The hub's HTTP service (libmicrohttpd): POST /v2/records checks a kiosk's signed
 * request from its headers (sync_proto.h), then its body, stores its records through
 * hub_db and signs its answer with the hub's key; GET /v1/health answers liveness.
 * Strangers cannot starve it: unauthenticated requests are refused before their body is
 * read, bodies are capped, connections are limited per address and time out. One internal polling
 * thread serves every connection, so the hub_db is used from that thread only while the server
 * runs. A refused request changes nothing. It never opens a sealed record. Fault injection for the
 * sync client's tests is built in.
 */
#ifndef KIOSK_HUB_HTTP_H
#define KIOSK_HUB_HTTP_H

#include <stdint.h>

#include "core/kiosk_error.h"
#include "hub/hub_db.h"

typedef struct hub_server hub_server;

typedef struct hub_server_options {
    const char *bind_address;  /* numeric IPv4 or IPv6 address; NULL: "127.0.0.1" */
    uint16_t port;             /* 0: an ephemeral port (see hub_server_port) */
    const char *tls_cert_file; /* PEM; both or neither: HTTPS instead of HTTP */
    const char *tls_key_file;
    /* Without a certificate the hub refuses to start, unless this is set and the address
     * is 127.0.0.1 or ::1: plain HTTP is for loopback tests and the demo only. */
    int plain_http_loopback_test;
    /* The hub's Ed25519 secret key (64 bytes, copied): signs every 200 reply, so a kiosk
     * provisioned with its public key trusts no other acknowledgement. Required. */
    const uint8_t *sign_secret_key;
    unsigned connection_limit;   /* 0: 1000 connections at once */
    unsigned per_ip_limit;       /* 0: 32 connections from one address */
    unsigned idle_timeout_s;     /* 0: 10 s without a byte closes a connection */
    unsigned request_deadline_s; /* 0: 30 s from the headers to the end of the body */
    unsigned header_deadline_s;  /* 0: 15 s for a request's headers, however they trickle */
    /* Wall clock in ms since 1970 for the time window and replies; NULL: the real clock.
     * Called from the server thread. */
    int64_t (*now_ms)(void *ctx);
    void *clock_ctx; /* kept: passed to now_ms */
    /* The web console under /console/ (hub_console.h): the upstream key file and assets
     * folder for its CSV export (NULL: the page says to use the CLI), and, for loopback tests
     * only, logins over plain HTTP (otherwise refused without TLS). */
    const char *console_upstream_key_file;
    const char *console_assets_dir;
    int console_plain_http_login;
    /* Update bundles offered to the units (hub_update.h: GET /v3/update/<arch> and
     * /v3/update/bundle/<file>); NULL: none offered. Borrowed for the call (copied). */
    const char *updates_dir;
} hub_server_options;

/* Defaults: 127.0.0.1, ephemeral port, no TLS (so: refused unless
 * plain_http_loopback_test), no signing key (required), real clock. opt is caller storage. */
void hub_server_options_init(hub_server_options *opt);

/* Start serving db (kept: alive and unused by others until hub_server_stop). opt and its
 * strings are borrowed for the call (the files are read here). On failure *out is NULL:
 * KIOSK_INVALID (bad address, one TLS file without the other, no signing key),
 * KIOSK_CONFIG (no certificate and not a loopback test), KIOSK_NOT_FOUND /
 * KIOSK_IO (a TLS file), KIOSK_UNSUPPORTED (no TLS in libmicrohttpd), KIOSK_NET (cannot
 * bind or start), KIOSK_NOMEM. */
kiosk_rc hub_server_start(hub_db *db, const hub_server_options *opt, hub_server **out);

/* Stop: closes the listening socket and every connection, joins the thread, frees srv.
 * NULL is fine. Not from the server thread. */
void hub_server_stop(hub_server *srv);

/* The port the server listens on (the real one when started with port 0). */
uint16_t hub_server_port(const hub_server *srv);

/* POST requests received since start (any path, counted when their headers arrive).
 * Any thread. */
uint64_t hub_server_requests(const hub_server *srv);

/* TEST HOOK, not for production: make the next `count` POSTs to /v1/records misbehave
 * (count < 0: until cleared with HUB_FAULT_NONE; 0 clears). Any thread.
 *   HUB_FAULT_500, HUB_FAULT_503: an error reply ("internal"), nothing stored.
 *   HUB_FAULT_RESET: the request is processed (records stored), then the connection is
 *     closed without any reply: a lost acknowledgement.
 *   HUB_FAULT_GARBAGE: processed, then 200 with a body that is not JSON.
 *   HUB_FAULT_PARTIAL: processed, but the reply carries results for only the first half
 *     of the records (rounded down).
 *   HUB_FAULT_SLOW: the server thread sleeps 2 s, then answers normally (every other
 *     connection waits too). */
typedef enum hub_fault {
    HUB_FAULT_NONE = 0,
    HUB_FAULT_500,
    HUB_FAULT_503,
    HUB_FAULT_RESET,
    HUB_FAULT_GARBAGE,
    HUB_FAULT_PARTIAL,
    HUB_FAULT_SLOW,
    HUB_FAULT_NO_META, /* a records body whose records carry metadata is refused as an
                        * older hub refuses it: 400 "malformed", nothing stored */
} hub_fault;

void hub_server_set_fault(hub_server *srv, hub_fault fault, int count);

#endif
