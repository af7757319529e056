/*
 * libmicrohttpd front of the hub. One internal polling thread (no thread per
 * connection) runs every handler, so the single SQLite connection of hub_db never sees
 * two threads; slow peers cost a socket each, never the thread. A POST is judged from
 * its headers first (device known, time window, signature over the body's hash and
 * length, not a replay) and refused before a byte of its body is accepted; only then is
 * the body gathered, up to the length it announced and within a deadline, and checked
 * against the signed hash. Every refusal happens before anything is written. A 200 reply
 * is signed with the hub's key. Only the fault setter and the request counter are
 * touched from other threads.
 */
#include "hub/hub_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/kiosk_buf.h"
#include "core/kiosk_log.h"
#include "hub/hub_console.h"
#include "hub/hub_verify.h"
#include "hub_update.h"
#include "proto/sync_proto.h"

#define HEALTH_PATH "/v1/health"
#define SLOW_FAULT_MS 2000
/* Per-connection buffer. Over TLS the body arrives a record (16 KiB) at a read whatever
 * the room, and a buffer over 32 KiB is a fresh mmap per connection, its pages faulted in,
 * zeroed and unmapped again (bench_hub: ~12 us of the hub's CPU a record at 256 KiB). In
 * plain HTTP (tests on loopback) a backlog batch (megabytes) arrives in 256 KiB reads. */
#define CONNECTION_MEMORY_TLS (32u * 1024u)
#define CONNECTION_MEMORY_PLAIN (256u * 1024u)
#define DEFAULT_CONNECTION_LIMIT 1000u
#define DEFAULT_PER_IP_LIMIT 32u
#define DEFAULT_IDLE_TIMEOUT_S 10u
#define DEFAULT_REQUEST_DEADLINE_S 30u
#define DEFAULT_HEADER_DEADLINE_S 15u

/* A connection as the header watchdog sees it (its MHD socket context). Between two
 * requests and until the headers of the next are in, it runs against the header
 * deadline; libmicrohttpd's own timeout only counts idle time, so headers sent a byte at
 * a time would otherwise hold a slot for ever. */
typedef struct hub_conn {
    struct hub_conn *prev, *next;
    int fd;
    int in_request;     /* headers in: the request deadline (in the handler) applies */
    int64_t waiting_ms; /* monotonic: since when it waits for headers */
    int cut;            /* shut down once */
} hub_conn;

struct hub_server {
    hub_db *db;
    struct MHD_Daemon *daemon;
    uint16_t port;
    int64_t (*now_ms)(void *ctx);
    void *clock_ctx;
    char *tls_cert;
    char *tls_key;
    size_t tls_key_len;
    uint8_t sign_sk[64]; /* the hub's Ed25519 key: signs every 200 reply */
    int64_t deadline_ms; /* a request's body must be in by then after its headers */
    int64_t header_deadline_ms;
    pthread_mutex_t conn_lock; /* the list below: the server thread and the watchdog */
    hub_conn conns;            /* list head */
    pthread_t watchdog;
    int watchdog_running;
    pthread_cond_t stop_cv;
    int stopping;
    _Atomic uint64_t requests;
    pthread_mutex_t fault_lock;
    hub_fault fault;
    int fault_count;
    hub_console *console; /* /console/: the staff's web console */
    hub_update *updates;  /* the update routes (hub_update.c) */
};

/* One request in flight: the body gathered so far and its verdict. */
typedef struct hub_request {
    kiosk_buf body; /* capped at the announced length */
    int replied;    /* a reply was queued when the headers arrived */
    hub_fault fault;
    /* from the headers, checked before the body is read */
    uint8_t device[32];
    uint8_t sig[64];
    uint8_t body_sha256[32];
    uint64_t announced; /* Content-Length */
    int64_t time_ms;
    int64_t started_ms;           /* monotonic, when the headers arrived */
    int events;                   /* POST /v2/events, not the records */
    int v3;                       /* POST /v3/records: the binary body (sync_body_decode_v3) */
    int status;                   /* POST /v3/status: the states of the device's records */
    int report;                   /* POST /v3/health: a unit's health report (health_proto.h) */
    int console;                  /* a form posted to the console (hub_console) */
    hub_console_pending *pending; /* the console's work away from this thread (a login) */
    char who[64];
} hub_request;

static int64_t real_now_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the header watchdog ---------------------------------------------------------- */

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    hub_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        hub_conn *hc = calloc(1, sizeof *hc);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!hc || !ci) {
            free(hc);
            *socket_context = NULL;
            return;
        }
        hc->fd = ci->connect_fd;
        hc->waiting_ms = mono_ms();
        pthread_mutex_lock(&srv->conn_lock);
        hc->next = srv->conns.next;
        hc->prev = &srv->conns;
        srv->conns.next->prev = hc;
        srv->conns.next = hc;
        pthread_mutex_unlock(&srv->conn_lock);
        *socket_context = hc;
    } else if (*socket_context) {
        /* called before libmicrohttpd closes the socket: once unlinked here, the
         * watchdog never touches this descriptor again */
        hub_conn *hc = *socket_context;
        pthread_mutex_lock(&srv->conn_lock);
        hc->prev->next = hc->next;
        hc->next->prev = hc->prev;
        pthread_mutex_unlock(&srv->conn_lock);
        free(hc);
        *socket_context = NULL;
    }
}

static hub_conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void conn_mark(hub_server *srv, struct MHD_Connection *c, int in_request)
{
    hub_conn *hc = conn_of(c);
    if (!hc)
        return;
    pthread_mutex_lock(&srv->conn_lock);
    hc->in_request = in_request;
    hc->waiting_ms = mono_ms();
    pthread_mutex_unlock(&srv->conn_lock);
}

/* Twice a second: shut down (never close: the descriptor stays libmicrohttpd's) every
 * connection that has waited for its headers longer than the header deadline. */
static void *watchdog(void *arg)
{
    hub_server *srv = arg;
    pthread_mutex_lock(&srv->conn_lock);
    while (!srv->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += 500000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->stop_cv, &srv->conn_lock, &until);
        int64_t now = mono_ms();
        for (hub_conn *hc = srv->conns.next; hc != &srv->conns; hc = hc->next) {
            if (!hc->in_request && !hc->cut && now - hc->waiting_ms > srv->header_deadline_ms) {
                shutdown(hc->fd, SHUT_RDWR);
                hc->cut = 1;
                kiosk_log_info("hub", "a connection sent no complete headers in %lld s; cut off",
                               (long long)(srv->header_deadline_ms / 1000));
            }
        }
    }
    pthread_mutex_unlock(&srv->conn_lock);
    return NULL;
}

void hub_server_options_init(hub_server_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->bind_address = "127.0.0.1";
}

/* ---- faults ---------------------------------------------------------------------- */

void hub_server_set_fault(hub_server *srv, hub_fault fault, int count)
{
    pthread_mutex_lock(&srv->fault_lock);
    srv->fault = count == 0 ? HUB_FAULT_NONE : fault;
    srv->fault_count = fault == HUB_FAULT_NONE ? 0 : count;
    pthread_mutex_unlock(&srv->fault_lock);
}

static hub_fault take_fault(hub_server *srv)
{
    pthread_mutex_lock(&srv->fault_lock);
    hub_fault f = srv->fault;
    if (f != HUB_FAULT_NONE && srv->fault_count > 0 && --srv->fault_count == 0)
        srv->fault = HUB_FAULT_NONE;
    pthread_mutex_unlock(&srv->fault_lock);
    return f;
}

uint64_t hub_server_requests(const hub_server *srv)
{
    return atomic_load(&((hub_server *)srv)->requests);
}

uint16_t hub_server_port(const hub_server *srv)
{
    return srv->port;
}

/* ---- replies --------------------------------------------------------------------- */

/* A reply decided but not yet queued, so a fault can still replace it. */
typedef struct hub_reply {
    unsigned status;
    char *body; /* owned, malloc'd; NULL: close the connection without a reply */
    size_t len;
} hub_reply;

/* Queue body (owned, malloc'd; freed by libmicrohttpd or here). */
static enum MHD_Result reply_signed(struct MHD_Connection *c, unsigned status, char *body,
                                    size_t len, const char *allow, const char *hub_sig)
{
    if (!body)
        return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (hub_sig)
        MHD_add_response_header(resp, SYNC_HDR_HUB_SIGNATURE, hub_sig);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
                             const char *allow)
{
    return reply_signed(c, status, body, len, allow, NULL);
}

static hub_reply error_reply(hub_server *srv, const char *what, unsigned status, const char *code,
                             const char *message)
{
    hub_reply r = {status, NULL, 0};
    kiosk_log_info("hub", "%s -> %u %s", what, status, code);
    if (sync_error_encode(code, message, srv->now_ms(srv->clock_ctx), &r.body, &r.len) != KIOSK_OK)
        r.body = NULL;
    return r;
}

static enum MHD_Result reply_error(hub_server *srv, struct MHD_Connection *c, const char *what,
                                   unsigned status, const char *code, const char *message,
                                   const char *allow)
{
    hub_reply r = error_reply(srv, what, status, code, message);
    return reply(c, r.status, r.body, r.len, allow);
}

static enum MHD_Result reply_health(hub_server *srv, struct MHD_Connection *c)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "{\"ok\":true,\"now_ms\":%lld}",
                     (long long)srv->now_ms(srv->clock_ctx));
    char *body = malloc((size_t)n + 1);
    if (!body)
        return MHD_NO;
    memcpy(body, buf, (size_t)n + 1);
    kiosk_log_info("hub", "GET " HEALTH_PATH " -> 200");
    return reply(c, 200, body, (size_t)n, NULL);
}

/* GET /r/<payload>: the receipt check a citizen's phone opens from the QR code (public:
 * nothing personal is in the payload or on the page). */
static enum MHD_Result reply_receipt_check(hub_server *srv, struct MHD_Connection *c,
                                           const char *payload)
{
    hub_receipt_check chk;
    char *html = NULL;
    size_t len = 0;
    kiosk_rc rc = hub_verify_receipt(srv->db, payload, &chk);
    if (rc != KIOSK_OK)
        return reply_error(srv, c, "receipt check", 503, "store", kiosk_strerror(rc), NULL);
    if (hub_verify_page(&chk, &html, &len) != KIOSK_OK)
        return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, html, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(html);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    unsigned status = chk.verdict == HUB_RECEIPT_UNREADABLE ? 400 : 200;
    kiosk_log_info("hub", "GET receipt check -> %u (verdict %d)", status, (int)chk.verdict);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- POST /v1/records ------------------------------------------------------------ */

static int parse_time(const char *s, int64_t *out)
{
    if (!s || !*s || strlen(s) > 18)
        return 0;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 1;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Judge a request from its headers alone, before any of its body is accepted: 0 when it
 * may send its body, else the refusal to queue in *r. Cheapest checks first. */
static int check_headers(hub_server *srv, struct MHD_Connection *c, hub_request *rq, hub_reply *r)
{
    const char *path = rq->events ? SYNC_PATH_EVENTS
                       : rq->v3   ? SYNC_PATH_RECORDS_V3
                                  : SYNC_PATH_RECORDS_V2;
    const char *what = rq->events ? "POST " SYNC_PATH_EVENTS
                       : rq->v3   ? "POST " SYNC_PATH_RECORDS_V3
                                  : "POST " SYNC_PATH_RECORDS_V2;
    uint64_t max = rq->events ? SYNC_MAX_EVENTS_BODY : SYNC_MAX_BODY;
    if (rq->report) {
        path = HEALTH_REPORT_PATH;
        what = "POST " HEALTH_REPORT_PATH;
        max = HEALTH_MAX_BODY;
    }
    if (rq->status) {
        path = SYNC_PATH_STATUS;
        what = "POST " SYNC_PATH_STATUS;
        max = SYNC_STATUS_MAX_BODY;
    }
    snprintf(rq->who, sizeof rq->who, "%s", what);
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *hdev = MHD_lookup_connection_value(c, MHD_HEADER_KIND, SYNC_HDR_DEVICE);
    const char *htime = MHD_lookup_connection_value(c, MHD_HEADER_KIND, SYNC_HDR_TIME);
    const char *hsig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, SYNC_HDR_SIGNATURE);
    const char *hsha = MHD_lookup_connection_value(c, MHD_HEADER_KIND, SYNC_HDR_BODY_SHA256);
    int64_t len = 0;
    if (!cl || !parse_time(cl, &len)) {
        *r = error_reply(srv, what, 411, "malformed", "a Content-Length is required");
        return 1;
    }
    if ((uint64_t)len > max) {
        *r = error_reply(srv, what, 413, "too_large", "request body over the limit");
        return 1;
    }
    rq->announced = (uint64_t)len;
    if (!hdev || !htime || !hsig || !hsha || !sync_hex_parse(hdev, rq->device, 32) ||
        !parse_time(htime, &rq->time_ms) || !sync_hex_parse(hsig, rq->sig, 64) ||
        strlen(hsha) != 64 || !sync_hex_parse(hsha, rq->body_sha256, 32)) {
        *r = error_reply(srv, what, 400, "malformed", "missing or malformed X-Kiosk headers");
        return 1;
    }
    snprintf(rq->who, sizeof rq->who, "%s device %.8s", what, hdev);
    int64_t now = srv->now_ms(srv->clock_ctx);
    int seen = 0;
    kiosk_rc rc = hub_db_request_admit(srv->db, rq->device, rq->sig, now, &seen);
    if (rc == KIOSK_NOT_FOUND) {
        *r = error_reply(srv, rq->who, 403, "unknown_device", "device not registered");
        return 1;
    }
    if (rc != KIOSK_OK) {
        *r = error_reply(srv, rq->who, 500, "internal", "database error");
        return 1;
    }
    if (rq->time_ms > now + SYNC_SKEW_MS || rq->time_ms < now - SYNC_SKEW_MS) {
        *r = error_reply(srv, rq->who, 401, "stale_time", "device clock outside the window");
        return 1;
    }
    if (!sync_request_verify_v2(rq->device, "POST", path, rq->time_ms, rq->body_sha256,
                                rq->announced, rq->sig)) {
        *r = error_reply(srv, rq->who, 401, "bad_signature", "request signature does not verify");
        return 1;
    }
    if (seen) {
        *r = error_reply(srv, rq->who, 409, "replayed", "request seen before");
        return 1;
    }
    /* authenticated: room for the body it announced, up to 1 MiB at once */
    if (kiosk_buf_reserve(&rq->body, rq->announced < (1u << 20) ? rq->announced + 1 : (1u << 20)) !=
        KIOSK_OK) {
        *r = error_reply(srv, rq->who, 500, "internal", "out of memory");
        return 1;
    }
    return 0;
}

/* The injected faults of a test hub, then the body against the hash and length the
 * headers signed: 1 when the body may be judged, else 0 with the reply in *refused. */
static int body_ok(hub_server *srv, hub_request *rq, hub_reply *refused)
{
    const char *who = rq->who;
    if (rq->fault == HUB_FAULT_500 || rq->fault == HUB_FAULT_503) {
        *refused = error_reply(srv, who, rq->fault == HUB_FAULT_500 ? 500 : 503, "internal",
                               "injected fault");
        return 0;
    }
    if (rq->fault == HUB_FAULT_SLOW)
        sleep_ms(SLOW_FAULT_MS);
    uint8_t h[32];
    sync_sha256(h, (const uint8_t *)kiosk_buf_str(&rq->body), rq->body.len);
    if (rq->body.len != rq->announced || sodium_memcmp(h, rq->body_sha256, 32) != 0) {
        *refused = error_reply(srv, who, 400, "bad_signature", "the body is not the one signed");
        return 0;
    }
    return 1;
}

/* 1 when a record of recs carries metadata (HUB_FAULT_NO_META). */
static int any_meta(const sync_record *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (recs[i].record_type[0])
            return 1;
    return 0;
}

/* Judge a complete, header-checked request: the reply to queue (signed when 200). */
static hub_reply post_records(hub_server *srv, hub_request *rq, char hub_sig[129])
{
    const char *who = rq->who;
    hub_sig[0] = '\0';
    hub_reply refused;
    if (!body_ok(srv, rq, &refused))
        return refused;
    const char *body = kiosk_buf_str(&rq->body);
    const uint8_t *device = rq->device, *sig = rq->sig;
    int64_t now = srv->now_ms(srv->clock_ctx);
    kiosk_rc rc;

    sync_record *recs = NULL;
    size_t n = 0;
    sync_head head;
    kiosk_rc drc = rq->v3 ? sync_body_decode_v3(body, rq->body.len, &recs, &n, &head)
                          : sync_body_decode_head(body, rq->body.len, &recs, &n, &head);
    /* A replay is found by the ingest (a request that came in twice while its body was on
     * the way: remembered only once stored, so a refused request changes nothing). */
    hub_reply ret;
    if (drc == KIOSK_NOMEM) {
        ret = error_reply(srv, who, 500, "internal", "out of memory");
    } else if (drc == KIOSK_RANGE) {
        ret = error_reply(srv, who, 413, "too_large", "request body over the limit");
    } else if (drc != KIOSK_OK || (rq->fault == HUB_FAULT_NO_META && any_meta(recs, n))) {
        ret = error_reply(srv, who, 400, "malformed", "malformed body");
    } else {
        sync_result *results = n ? calloc(n, sizeof *results) : NULL;
        /* the records, the signature remembered and the device's mark (a unit that gave
         * its audit head learns it; older units get none): one transaction on PostgreSQL */
        sync_mark mark = {0};
        int replayed = 0;
        rc = n && !results
                 ? KIOSK_NOMEM
                 : hub_db_ingest_request(srv->db, device, head.has_epoch ? head.epoch : NULL, recs,
                                         n, now, sig, &head, results, &replayed, &mark);
        /* replayed: nothing of this request was stored, its results are not valid */
        for (size_t i = 0; rc == KIOSK_OK && !replayed && i < n; i++) {
            /* every answer names the bytes decided on, so it cannot be moved to others
             * (hub_db hashed those whose signature it checked) */
            if (!results[i].has_sealed_sha256) {
                sync_sha256(results[i].sealed_sha256, recs[i].sealed, recs[i].sealed_len);
                results[i].has_sealed_sha256 = 1;
            }
        }
        if (rc == KIOSK_NOT_FOUND) {
            ret = error_reply(srv, who, 403, "unknown_device", "device not registered");
        } else if (rc != KIOSK_OK) {
            ret = error_reply(srv, who, 500, "internal", "cannot store the records");
        } else if (replayed) {
            ret = error_reply(srv, who, 409, "replayed", "request seen before");
        } else {
            size_t counts[3] = {0, 0, 0};
            for (size_t i = 0; i < n; i++)
                counts[results[i].status]++;
            size_t shown = rq->fault == HUB_FAULT_PARTIAL ? n / 2 : n;
            char *out = NULL;
            size_t out_len = 0;
            if (sync_results_encode_mark(results, shown, now, &mark, &out, &out_len) != KIOSK_OK) {
                ret = error_reply(srv, who, 500, "internal", "out of memory");
            } else {
                kiosk_log_info("hub",
                               "%s -> 200 records %zu accepted %zu duplicate %zu"
                               " rejected %zu",
                               who, n, counts[SYNC_ACCEPTED], counts[SYNC_DUPLICATE],
                               counts[SYNC_REJECTED]);
                uint8_t rs[64];
                sync_reply_sign(srv->sign_sk, device, sig, 200, out, out_len, rs);
                sync_hex_format(rs, 64, hub_sig);
                ret = (hub_reply){200, out, out_len};
            }
        }
        free(results);
    }
    sync_records_free(recs, n);
    return ret;
}

/* The start of every signed route but the records': a whole body within its limit
 * (body_ok), and a request signature not seen before. 1 with *now (the hub's clock), or 0
 * with the refusal in *refused. */
static int fresh_request(hub_server *srv, hub_request *rq, int64_t *now, hub_reply *refused)
{
    if (!body_ok(srv, rq, refused))
        return 0;
    *now = srv->now_ms(srv->clock_ctx);
    int seen = 0;
    if (hub_db_seen_request(srv->db, rq->sig, *now, 0, &seen) != KIOSK_OK) {
        *refused = error_reply(srv, rq->who, 500, "internal", "database error");
        return 0;
    }
    if (seen) {
        *refused = error_reply(srv, rq->who, 409, "replayed", "request seen before");
        return 0;
    }
    return 1;
}

/* ---- POST /v2/events ---------------------------------------------------------------- */

/* Judge a complete, header-checked events request: store the events (idempotent on
 * (device, seq, at_ms)) and answer every seq held, signed. */
static hub_reply post_events(hub_server *srv, hub_request *rq, char hub_sig[129])
{
    const char *who = rq->who;
    hub_sig[0] = '\0';
    hub_reply refused;
    int64_t now;
    if (!fresh_request(srv, rq, &now, &refused))
        return refused;
    kiosk_rc rc = KIOSK_OK;
    int seen = 0;
    const char *body = kiosk_buf_str(&rq->body);
    sync_event *evs = NULL;
    size_t n = 0;
    kiosk_rc drc = sync_events_decode(body, rq->body.len, &evs, &n);
    if (drc == KIOSK_NOMEM)
        return error_reply(srv, who, 500, "internal", "out of memory");
    if (drc == KIOSK_RANGE)
        return error_reply(srv, who, 413, "too_large", "request body over the limit");
    if (drc != KIOSK_OK)
        return error_reply(srv, who, 400, "malformed", "malformed body");
    hub_reply ret;
    rc = hub_db_events_add(srv->db, rq->device, evs, n, now);
    int64_t *seqs = n ? calloc(n, sizeof *seqs) : NULL;
    char *out = NULL;
    size_t out_len = 0;
    if (rc == KIOSK_NOT_FOUND) {
        ret = error_reply(srv, who, 403, "unknown_device", "device not registered");
    } else if (rc != KIOSK_OK) {
        ret = error_reply(srv, who, 500, "internal", "cannot store the events");
    } else if (n && !seqs) {
        ret = error_reply(srv, who, 500, "internal", "out of memory");
    } else {
        /* the partial fault answers half: the rest stays queued on the unit */
        size_t shown = rq->fault == HUB_FAULT_PARTIAL ? n / 2 : n;
        for (size_t i = 0; i < shown; i++)
            seqs[i] = evs[i].seq;
        if (hub_db_seen_request(srv->db, rq->sig, now, 1, &seen) != KIOSK_OK)
            kiosk_log_warn("hub", "%s: cannot remember the request signature", who);
        if (sync_event_acks_encode(seqs, shown, now, &out, &out_len) != KIOSK_OK) {
            ret = error_reply(srv, who, 500, "internal", "out of memory");
        } else {
            size_t help = 0;
            for (size_t i = 0; i < n; i++)
                help += strcmp(evs[i].kind, SYNC_EVENT_HELP) == 0;
            kiosk_log_info("hub", "%s -> 200 events %zu (help requests %zu)", who, n, help);
            uint8_t rs[64];
            sync_reply_sign(srv->sign_sk, rq->device, rq->sig, 200, out, out_len, rs);
            sync_hex_format(rs, 64, hub_sig);
            ret = (hub_reply){200, out, out_len};
        }
    }
    free(seqs);
    free(evs);
    return ret;
}

/* ---- POST /v3/status ---------------------------------------------------------------- */

/* Judge a complete, header-checked status request: the state of each record asked, only
 * for records of the asking device (another device's record is answered "unknown"),
 * signed as acknowledgements are. Reads only; the request signature is remembered so a
 * replay is refused as on the other routes. */
static hub_reply post_status(hub_server *srv, hub_request *rq, char hub_sig[129])
{
    const char *who = rq->who;
    hub_sig[0] = '\0';
    hub_reply refused;
    int64_t now;
    if (!fresh_request(srv, rq, &now, &refused))
        return refused;
    kiosk_rc rc = KIOSK_OK;
    int seen = 0;
    char uuids[SYNC_STATUS_MAX][SYNC_UUID_LEN + 1];
    size_t n = 0;
    kiosk_rc drc = sync_status_request_decode(kiosk_buf_str(&rq->body), rq->body.len, uuids, &n);
    if (drc == KIOSK_RANGE)
        return error_reply(srv, who, 413, "too_large", "request body over the limit");
    if (drc != KIOSK_OK)
        return error_reply(srv, who, 400, "malformed", "malformed body");
    sync_record_state states[SYNC_STATUS_MAX];
    size_t held = 0;
    for (size_t i = 0; rc == KIOSK_OK && i < n; i++) {
        hub_record_state st;
        rc = hub_db_state_get(srv->db, rq->device, uuids[i], &st);
        states[i] = st.s;
        held += st.s.state != SYNC_STATE_UNKNOWN;
    }
    if (rc != KIOSK_OK)
        return error_reply(srv, who, 500, "internal", "database error");
    if (hub_db_seen_request(srv->db, rq->sig, now, 1, &seen) != KIOSK_OK)
        kiosk_log_warn("hub", "%s: cannot remember the request signature", who);
    char *out = NULL;
    size_t out_len = 0;
    if (sync_status_reply_encode(states, n, now, &out, &out_len) != KIOSK_OK)
        return error_reply(srv, who, 500, "internal", "out of memory");
    kiosk_log_info("hub", "%s -> 200 status %zu (held %zu)", who, n, held);
    uint8_t rs[64];
    sync_reply_sign(srv->sign_sk, rq->device, rq->sig, 200, out, out_len, rs);
    sync_hex_format(rs, 64, hub_sig);
    return (hub_reply){200, out, out_len};
}

/* ---- POST /v3/health ---------------------------------------------------------------- */

/* Judge a complete, header-checked health report: store it (idempotent on (device, seq,
 * at_ms)) and answer its seq, signed as the events are. */
static hub_reply post_health(hub_server *srv, hub_request *rq, char hub_sig[129])
{
    const char *who = rq->who;
    hub_sig[0] = '\0';
    hub_reply refused;
    int64_t now;
    if (!fresh_request(srv, rq, &now, &refused))
        return refused;
    kiosk_rc rc = KIOSK_OK;
    int seen = 0;
    health_report hr;
    kiosk_rc drc = health_report_decode(kiosk_buf_str(&rq->body), rq->body.len, &hr);
    if (drc == KIOSK_NOMEM)
        return error_reply(srv, who, 500, "internal", "out of memory");
    if (drc == KIOSK_RANGE)
        return error_reply(srv, who, 413, "too_large", "request body over the limit");
    if (drc != KIOSK_OK)
        return error_reply(srv, who, 400, "malformed", "malformed health report");
    rc = hub_db_health_add(srv->db, rq->device, &hr, "http", now, NULL);
    if (rc == KIOSK_NOT_FOUND)
        return error_reply(srv, who, 403, "unknown_device", "device not registered");
    if (rc != KIOSK_OK)
        return error_reply(srv, who, 500, "internal", "cannot store the health report");
    if (hub_db_seen_request(srv->db, rq->sig, now, 1, &seen) != KIOSK_OK)
        kiosk_log_warn("hub", "%s: cannot remember the request signature", who);
    char *out = NULL;
    size_t out_len = 0;
    if (sync_event_acks_encode(&hr.seq, 1, now, &out, &out_len) != KIOSK_OK)
        return error_reply(srv, who, 500, "internal", "out of memory");
    char why[160];
    kiosk_log_info("hub", "%s -> 200 health report %lld%s%s", who, (long long)hr.seq,
                   hub_health_problem(&hr, why, sizeof why) ? ": " : "",
                   hub_health_problem(&hr, why, sizeof why) ? why : "");
    uint8_t rs[64];
    sync_reply_sign(srv->sign_sk, rq->device, rq->sig, 200, out, out_len, rs);
    sync_hex_format(rs, 64, hub_sig);
    return (hub_reply){200, out, out_len};
}

/* ---- the handler ------------------------------------------------------------------- */

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    (void)version;
    hub_server *srv = cls;
    hub_request *rq = *con_cls;
    int is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        kiosk_buf_init(&rq->body, SYNC_MAX_BODY, 0);
        rq->started_ms = mono_ms();
        *con_cls = rq;
        conn_mark(srv, c, 1);
        if (is_post)
            atomic_fetch_add(&srv->requests, 1);
        rq->replied = 1; /* unless it is a POST to the records, below */
        if (strcmp(url, HEALTH_PATH) == 0) {
            if (strcmp(method, MHD_HTTP_METHOD_GET) == 0)
                return reply_health(srv, c);
            return reply_error(srv, c, "health", 405, "method", "use GET", "GET");
        }
        if (!strncmp(url, HUB_VERIFY_PATH, 3) || !strncmp(url, "/R/", 3)) {
            if (strcmp(method, MHD_HTTP_METHOD_GET) == 0)
                return reply_receipt_check(srv, c, url + 3);
            return reply_error(srv, c, "receipt check", 405, "method", "use GET", "GET");
        }
        if (!strncmp(url, HUB_CONSOLE_PATH, 8) && (url[8] == '\0' || url[8] == '/')) {
            if (!is_post)
                return hub_console_serve(srv->console, c, method, url, NULL, 0,
                                         srv->now_ms(srv->clock_ctx), NULL);
            const char *cl =
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            char *end = NULL;
            unsigned long long n = cl ? strtoull(cl, &end, 10) : 0;
            if (!cl || *end || n > HUB_CONSOLE_MAX_BODY)
                return reply_error(srv, c, "console", 413, "too_large", "form too large", NULL);
            rq->announced = n;
            rq->console = 1;
            kiosk_buf_init(&rq->body, HUB_CONSOLE_MAX_BODY, KIOSK_BUF_WIPE); /* a password */
            rq->replied = 0;
            snprintf(rq->who, sizeof rq->who, "console");
            return MHD_YES;
        }
        if (hub_update_path(url)) {
            hub_update_env env = {srv->db, srv->sign_sk, srv->now_ms(srv->clock_ctx)};
            return hub_update_handle(srv->updates, &env, c, url, method);
        }
        if (strcmp(url, SYNC_PATH_RECORDS) == 0)
            return reply_error(srv, c, "POST " SYNC_PATH_RECORDS, 410, "old_protocol",
                               "this hub speaks protocol version 2: update the kiosk", NULL);
        rq->events = strcmp(url, SYNC_PATH_EVENTS) == 0;
        rq->v3 = strcmp(url, SYNC_PATH_RECORDS_V3) == 0;
        rq->status = strcmp(url, SYNC_PATH_STATUS) == 0;
        rq->report = strcmp(url, HEALTH_REPORT_PATH) == 0;
        if (!rq->events && !rq->v3 && !rq->status && !rq->report &&
            strcmp(url, SYNC_PATH_RECORDS_V2) != 0)
            return reply_error(srv, c, "request for another path", 404, "not_found",
                               "no such resource", NULL);
        if (!is_post)
            return reply_error(srv, c, rq->events ? "events" : "records", 405, "method", "use POST",
                               "POST");
        rq->fault = take_fault(srv);
        hub_reply r;
        if (check_headers(srv, c, rq, &r)) /* refused before a byte of the body is read */
            return reply(c, r.status, r.body, r.len, NULL);
        rq->replied = 0;
        return MHD_YES;
    }
    if (rq->replied) { /* the answer is out: whatever body follows is dropped */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (rq->body.len + n > rq->announced || mono_ms() - rq->started_ms > srv->deadline_ms) {
            /* more than it announced, or a body dribbled in too slowly: cut off */
            kiosk_log_info("hub", "%s: body %s; connection closed", rq->who,
                           rq->body.len + n > rq->announced ? "over its length" : "too slow");
            return MHD_NO;
        }
        return kiosk_buf_append(&rq->body, upload_data, n) == KIOSK_OK ? MHD_YES : MHD_NO;
    }
    if (rq->console)
        return hub_console_serve(srv->console, c, method, url, (const char *)rq->body.data,
                                 rq->body.len, srv->now_ms(srv->clock_ctx), &rq->pending);
    char hub_sig[129];
    hub_reply r = rq->status   ? post_status(srv, rq, hub_sig)
                  : rq->events ? post_events(srv, rq, hub_sig)
                  : rq->report ? post_health(srv, rq, hub_sig)
                               : post_records(srv, rq, hub_sig);
    if (rq->fault == HUB_FAULT_RESET) {
        kiosk_log_info("hub", "injected fault: connection dropped without a reply");
        free(r.body);
        return MHD_NO;
    }
    if (rq->fault == HUB_FAULT_GARBAGE) {
        static const char garbage[] = "<html>502 gateway says hello</html>\x01\xff";
        free(r.body);
        r.status = 200;
        r.len = sizeof garbage - 1;
        r.body = malloc(r.len);
        if (r.body)
            memcpy(r.body, garbage, r.len);
        hub_sig[0] = '\0';
        kiosk_log_info("hub", "injected fault: reply replaced by garbage");
    }
    return reply_signed(c, r.status, r.body, r.len, NULL, hub_sig[0] ? hub_sig : NULL);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    conn_mark(cls, c, 0); /* the next request's headers run against the header deadline */
    hub_request *rq = *con_cls;
    if (rq) {
        kiosk_buf_deinit(&rq->body);
        hub_console_pending_free(rq->pending);
        free(rq);
        *con_cls = NULL;
    }
}

/* ---- start and stop ---------------------------------------------------------------- */

static kiosk_rc read_pem(const char *path, char **out, size_t *len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? KIOSK_NOT_FOUND : KIOSK_IO;
    size_t cap = 1 << 20, n;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return KIOSK_NOMEM;
    }
    n = fread(buf, 1, cap, f);
    int bad = ferror(f) || n == 0 || n == cap;
    fclose(f);
    if (bad) {
        sodium_memzero(buf, cap);
        free(buf);
        return KIOSK_IO;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = cap;
    return KIOSK_OK;
}

static void free_server(hub_server *srv)
{
    hub_console_destroy(srv->console);
    free(srv->tls_cert);
    if (srv->tls_key) {
        sodium_memzero(srv->tls_key, srv->tls_key_len);
        free(srv->tls_key);
    }
    pthread_mutex_destroy(&srv->fault_lock);
    pthread_mutex_destroy(&srv->conn_lock);
    pthread_cond_destroy(&srv->stop_cv);
    hub_update_destroy(srv->updates);
    sodium_memzero(srv->sign_sk, sizeof srv->sign_sk);
    free(srv);
}

kiosk_rc hub_server_start(hub_db *db, const hub_server_options *opt, hub_server **out)
{
    *out = NULL;
    if (!db || !opt || (!opt->tls_cert_file != !opt->tls_key_file) || !opt->sign_secret_key)
        return KIOSK_INVALID;
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    const char *addr = opt->bind_address ? opt->bind_address : "127.0.0.1";
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    /* suspend and resume: a console login's password is checked on a thread of its own */
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(opt->port);
    } else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(opt->port);
        flags |= MHD_USE_IPv6;
    } else {
        kiosk_log_error("hub", "not a numeric address: %s", addr);
        return KIOSK_INVALID;
    }

    if (!opt->tls_cert_file && (!opt->plain_http_loopback_test ||
                                !(strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0))) {
        kiosk_log_error("hub",
                        "refusing to serve without a TLS certificate on %s (plain HTTP is"
                        " only for a loopback test)",
                        addr);
        return KIOSK_CONFIG;
    }

    hub_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return KIOSK_NOMEM;
    pthread_mutex_init(&srv->fault_lock, NULL);
    pthread_mutex_init(&srv->conn_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->stop_cv, &ca);
    pthread_condattr_destroy(&ca);
    srv->conns.next = srv->conns.prev = &srv->conns;
    if (hub_update_create(opt->updates_dir, &srv->updates) != KIOSK_OK) {
        free_server(srv);
        return KIOSK_NOMEM;
    }
    srv->header_deadline_ms = 1000 * (int64_t)(opt->header_deadline_s ? opt->header_deadline_s
                                                                      : DEFAULT_HEADER_DEADLINE_S);
    memcpy(srv->sign_sk, opt->sign_secret_key, 64);
    srv->deadline_ms = 1000 * (int64_t)(opt->request_deadline_s ? opt->request_deadline_s
                                                                : DEFAULT_REQUEST_DEADLINE_S);
    unsigned limit = opt->connection_limit ? opt->connection_limit : DEFAULT_CONNECTION_LIMIT;
    unsigned per_ip = opt->per_ip_limit ? opt->per_ip_limit : DEFAULT_PER_IP_LIMIT;
    unsigned idle = opt->idle_timeout_s ? opt->idle_timeout_s : DEFAULT_IDLE_TIMEOUT_S;
    srv->db = db;
    srv->now_ms = opt->now_ms ? opt->now_ms : real_now_ms;
    srv->clock_ctx = opt->clock_ctx;
    atomic_init(&srv->requests, 0);
    hub_console_options co = {opt->console_upstream_key_file, opt->console_assets_dir,
                              opt->tls_cert_file != NULL, opt->console_plain_http_login};
    if (hub_console_create(db, &co, &srv->console) != KIOSK_OK) {
        free_server(srv);
        return KIOSK_NOMEM;
    }
    if (opt->tls_cert_file) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            free_server(srv);
            return KIOSK_UNSUPPORTED;
        }
        kiosk_rc rc = read_pem(opt->tls_cert_file, &srv->tls_cert, NULL);
        if (rc == KIOSK_OK)
            rc = read_pem(opt->tls_key_file, &srv->tls_key, &srv->tls_key_len);
        if (rc != KIOSK_OK) {
            kiosk_log_error("hub", "cannot read the TLS certificate or key: %s",
                            kiosk_strerror(rc));
            free_server(srv);
            return rc;
        }
        flags |= MHD_USE_TLS;
    }
    if (srv->tls_cert)
        srv->daemon = MHD_start_daemon(
            flags, opt->port, NULL, NULL, handle, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
            MHD_OPTION_NOTIFY_COMPLETED, completed, srv, MHD_OPTION_NOTIFY_CONNECTION,
            on_connection, srv, MHD_OPTION_CONNECTION_TIMEOUT, idle, MHD_OPTION_CONNECTION_LIMIT,
            limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
            (size_t)CONNECTION_MEMORY_TLS, MHD_OPTION_HTTPS_MEM_KEY, srv->tls_key,
            MHD_OPTION_HTTPS_MEM_CERT, srv->tls_cert, MHD_OPTION_END);
    else
        srv->daemon = MHD_start_daemon(
            flags, opt->port, NULL, NULL, handle, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
            MHD_OPTION_NOTIFY_COMPLETED, completed, srv, MHD_OPTION_NOTIFY_CONNECTION,
            on_connection, srv, MHD_OPTION_CONNECTION_TIMEOUT, idle, MHD_OPTION_CONNECTION_LIMIT,
            limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
            (size_t)CONNECTION_MEMORY_PLAIN, MHD_OPTION_END);
    if (!srv->daemon) {
        kiosk_log_error("hub", "cannot listen on %s port %u", addr, (unsigned)opt->port);
        free_server(srv);
        return KIOSK_NET;
    }
    if (pthread_create(&srv->watchdog, NULL, watchdog, srv) != 0) {
        MHD_stop_daemon(srv->daemon);
        free_server(srv);
        return KIOSK_NOMEM;
    }
    srv->watchdog_running = 1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : opt->port;
    kiosk_log_info("hub", "listening on %s port %u (%s)", addr, (unsigned)srv->port,
                   srv->tls_cert ? "https" : "http");
    *out = srv;
    return KIOSK_OK;
}

void hub_server_stop(hub_server *srv)
{
    if (!srv)
        return;
    pthread_mutex_lock(&srv->conn_lock);
    srv->stopping = 1;
    pthread_cond_signal(&srv->stop_cv);
    pthread_mutex_unlock(&srv->conn_lock);
    if (srv->watchdog_running)
        pthread_join(srv->watchdog, NULL);
    hub_console_quiesce(srv->console); /* every suspended login resumed */
    MHD_stop_daemon(srv->daemon);
    /* every connection was told closed on the way; anything left is freed here */
    while (srv->conns.next != &srv->conns) {
        hub_conn *hc = srv->conns.next;
        srv->conns.next = hc->next;
        free(hc);
    }
    free_server(srv);
}
