/*
 * The outbox worker. A round takes pending records in seq order, batch by batch: marks
 * them sent, signs each and the request (protocol v2: over the body's hash and length),
 * POSTs over HTTPS, checks the hub's signature on the reply against the provisioned hub
 * key, and applies the per-record answers in one transaction. An answer that is not
 * signed by the hub acknowledges nothing: the records stay pending and the round is a
 * hub fault. Anything without an answer stays pending and goes again; nothing is
 * deleted here. While the hub decides on one batch the round prepares the next (see
 * "two batches in turn"). Between rounds the thread sleeps on a condition variable: woken by a new
 * record or "sync now", else after the backoff (full jitter) or the idle poll.
 */
#include "sync/sync.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/kiosk_buf.h"
#include "core/kiosk_log.h"
#include "core/kiosk_url.h"
#include "proto/sync_proto.h"

#define REPLY_MAX (4u << 20)
#define ROUND_RETRIES 3

/* What lives across rounds: the connection (keep-alive), the learned clock offset and the
 * last request time, so request times never repeat. */
typedef struct session {
    CURL *curl;
    int64_t offset_ms;
    int64_t last_time_ms;
    size_t batch;
    const atomic_int *stop;
    int v2_only; /* the hub answered 404 to /v3/records: JSON bodies from now on */
    int no_meta; /* the hub refused a body with record metadata: none from now on */
} session;

/* One request: what is signed and sent, and what came back. Each keeps its own signature,
 * which the hub's reply signature covers, so a batch can be signed while the one before
 * it is still with the hub. */
typedef struct request {
    const char *path;
    const char *body; /* borrowed: the caller keeps it until request_finish */
    size_t len;
    uint8_t sig[64];
    char hub_sig[129]; /* X-Hub-Signature of the reply, "" when none */
    char url[1100];
    struct curl_slist *hdrs;
    kiosk_buf *rep;
    CURLcode cc;
    long status;
} request;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

__attribute__((format(printf, 3, 4))) static void set_error(char *error, size_t size,
                                                            const char *fmt, ...)
{
    if (!error || !size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, size, fmt, ap);
    va_end(ap);
}

/* ---- one request ----------------------------------------------------------------- */

/* The reply is gathered in a kiosk_buf capped at REPLY_MAX. Over the cap (or out of
 * memory) the callback takes nothing and curl fails the transfer with CURLE_WRITE_ERROR. */
static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    size_t n = size * nmemb;
    return kiosk_buf_append(ud, ptr, n) == KIOSK_OK ? n : 0;
}

/* Keeps the hub's signature header of the reply; every other header is ignored. */
static size_t on_header(char *line, size_t size, size_t nitems, void *ud)
{
    request *rq = ud;
    size_t n = size * nitems, k = sizeof SYNC_HDR_HUB_SIGNATURE - 1;
    if (n > k + 1 && strncasecmp(line, SYNC_HDR_HUB_SIGNATURE, k) == 0 && line[k] == ':') {
        const char *v = line + k + 1;
        size_t vl = n - k - 1;
        while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
        if (vl == 128) {
            memcpy(rq->hub_sig, v, 128);
            rq->hub_sig[128] = '\0';
        }
    }
    return n;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    const atomic_int *stop = ud;
    return stop && atomic_load(stop) ? 1 : 0;
}

/* Sign a request (time, body hash and length) and build its headers. Main thread of the
 * round; the curl handle is not touched, so the request before may still be in flight.
 * KIOSK_NOMEM. */
static kiosk_rc request_prepare(session *se, const sync_config *cfg, request *rq, const char *path,
                                const char *body, size_t len, kiosk_buf *rep)
{
    memset(rq, 0, sizeof *rq);
    rq->path = path;
    rq->body = body;
    rq->len = len;
    rq->rep = rep;
    int64_t now = kiosk_clock_now_ms(cfg->clock ? cfg->clock : kiosk_clock_system());
    int64_t t = now + se->offset_ms;
    if (t <= se->last_time_ms)
        t = se->last_time_ms + 1;
    se->last_time_ms = t;

    uint8_t body_sha[32];
    char dev[65], sighex[129], shahex[65], h_dev[100], h_time[64], h_sig[180], h_sha[120];
    sync_sha256(body_sha, (const uint8_t *)body, len);
    sync_request_sign_v2(cfg->key->secret_key, "POST", path, t, body_sha, (uint64_t)len, rq->sig);
    sync_hex_format(cfg->key->public_key, 32, dev);
    sync_hex_format(rq->sig, 64, sighex);
    sync_hex_format(body_sha, 32, shahex);
    snprintf(h_dev, sizeof h_dev, SYNC_HDR_DEVICE ": %s", dev);
    snprintf(h_time, sizeof h_time, SYNC_HDR_TIME ": %lld", (long long)t);
    snprintf(h_sig, sizeof h_sig, SYNC_HDR_SIGNATURE ": %s", sighex);
    snprintf(h_sha, sizeof h_sha, SYNC_HDR_BODY_SHA256 ": %s", shahex);
    size_t ul = strlen(cfg->url);
    snprintf(rq->url, sizeof rq->url, "%.*s%s", (int)(ul && cfg->url[ul - 1] == '/' ? ul - 1 : ul),
             cfg->url, path);

    /* Expect: 100-continue: the hub judges the headers first, so a refusal (a stale
     * clock, say) arrives before the body is sent rather than as a reset mid-upload */
    const char *lines[] = {strcmp(path, SYNC_PATH_RECORDS_V3) == 0
                               ? "Content-Type: application/octet-stream"
                               : "Content-Type: application/json",
                           "Expect: 100-continue",
                           h_dev,
                           h_time,
                           h_sha,
                           h_sig};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct curl_slist *tmp = curl_slist_append(rq->hdrs, lines[i]);
        if (!tmp) {
            curl_slist_free_all(rq->hdrs);
            rq->hdrs = NULL;
            return KIOSK_NOMEM;
        }
        rq->hdrs = tmp;
    }
    return KIOSK_OK;
}

/* Send a prepared request and gather the reply (rq->cc, rq->status). Touches only the
 * session's curl handle, its stop flag and the request: it runs on the round's thread or
 * on the thread that carries a batch while the round prepares the next. */
static void request_perform(session *se, const sync_config *cfg, request *rq)
{
    CURL *c = se->curl;
    long timeout = cfg->timeout_s > 0 ? cfg->timeout_s : 30;
    rq->hub_sig[0] = '\0';
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, rq->url);
    /* https only; plain http only where the development setting allows it (loopback) */
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
                     kiosk_url_hub_allowed(cfg->url, 0) ? "https" : "http");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, rq);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, rq->hdrs);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, rq->rep);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)se->stop);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (cfg->ca_file && *cfg->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
    kiosk_buf_consume(rq->rep, rq->rep->len); /* the last reply is used up; its room stays */
    rq->cc = curl_easy_perform(c);
    rq->status = 0;
    if (rq->cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rq->status);
}

/* What became of a performed request: KIOSK_OK with *status the HTTP status, or the
 * transport's failure with the reason in error. Frees the headers. */
static kiosk_rc request_finish(request *rq, long *status, char *error, size_t error_size)
{
    curl_slist_free_all(rq->hdrs);
    rq->hdrs = NULL;
    *status = rq->status;
    CURLcode cc = rq->cc;
    if (cc == CURLE_OK)
        return KIOSK_OK;
    set_error(error, error_size, "hub unreachable: %s", curl_easy_strerror(cc));
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return KIOSK_TIMEOUT;
    case CURLE_ABORTED_BY_CALLBACK:
        return KIOSK_BUSY;
    case CURLE_WRITE_ERROR:
        set_error(error, error_size, "%s", "the hub's reply is too large");
        return KIOSK_INVALID;
    case CURLE_OUT_OF_MEMORY:
        return KIOSK_NOMEM;
    default:
        return KIOSK_NET;
    }
}

/* One request, start to end, on the calling thread. */
static kiosk_rc post(session *se, const sync_config *cfg, request *rq, const char *path,
                     const char *body, size_t len, long *status, kiosk_buf *rep, char *error,
                     size_t error_size)
{
    *status = 0;
    kiosk_rc rc = request_prepare(se, cfg, rq, path, body, len, rep);
    if (rc != KIOSK_OK)
        return rc;
    request_perform(se, cfg, rq);
    return request_finish(rq, status, error, error_size);
}

/* ---- a batch --------------------------------------------------------------------- */

typedef struct batch {
    sync_record *recs;
    size_t n, cap;
    const store_device_key *key;
    int failed;
    int has_epoch; /* every record of a batch is of one store epoch, named in the head */
    uint8_t epoch[16];
    int with_meta; /* records carry their metadata, signed by version 3 (sync_proto.h) */
} batch;

/* 1 when p goes with its metadata: signed by version 3 at the save (a record re-signed now
 * goes without it), with a type and receipt number that fit a sync_record. */
static int pending_meta(const store_pending *p)
{
    return p->meta_sig && p->record_sig && p->epoch && p->record_type && p->receipt_no &&
           strlen(p->record_type) < sizeof((sync_record *)0)->record_type &&
           strlen(p->receipt_no) < sizeof((sync_record *)0)->receipt_no;
}

/* The encoded size of p in a v2 body as a batch with (with_meta) or without metadata
 * writes it. */
static size_t pending_size(const store_pending *p, int with_meta, int first)
{
    return with_meta && pending_meta(p) ? sync_body_record_size_meta(p->seq, p->sealed_len, first,
                                                                     p->record_type, p->receipt_no)
                                        : sync_body_record_size(p->seq, p->sealed_len, first);
}

static int collect(void *ctx, const store_pending *p)
{
    batch *b = ctx;
    if (b->n == b->cap)
        return 1;
    if (b->n == 0) {
        b->has_epoch = p->epoch != NULL;
        if (p->epoch)
            memcpy(b->epoch, p->epoch, 16);
    } else if ((p->epoch != NULL) != b->has_epoch ||
               (p->epoch && memcmp(p->epoch, b->epoch, 16) != 0)) {
        return 1; /* the next epoch goes in the next request, under its own head */
    }
    sync_record *r = &b->recs[b->n];
    memset(r, 0, sizeof *r);
    r->sealed = malloc(p->sealed_len ? p->sealed_len : 1);
    if (!r->sealed || strlen(p->uuid) != SYNC_UUID_LEN) {
        free(r->sealed);
        r->sealed = NULL;
        b->failed = 1;
        return 1;
    }
    memcpy(r->uuid, p->uuid, SYNC_UUID_LEN + 1);
    r->seq = p->seq;
    memcpy(r->sealed, p->sealed, p->sealed_len);
    r->sealed_len = p->sealed_len;
    if (b->with_meta && pending_meta(p)) {
        memcpy(r->sig, p->meta_sig, 64);
        memcpy(r->record_type, p->record_type, strlen(p->record_type) + 1);
        memcpy(r->receipt_no, p->receipt_no, strlen(p->receipt_no) + 1);
    } else if (p->record_sig)
        memcpy(r->sig, p->record_sig, 64);
    else if (p->epoch)
        sync_record_sign_epoch(r, p->epoch, b->key->secret_key);
    else
        sync_record_sign(r, b->key->secret_key);
    b->n++;
    return 0;
}

static void batch_clear(batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->recs[i].sealed);
    b->n = 0;
    b->failed = 0;
    b->has_epoch = 0;
}

/* 1 when a record of b carries metadata. */
static int carries_meta(const batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->recs[i].record_type[0])
            return 1;
    return 0;
}

/* 1 when rep is the hub's "malformed" error. */
static int malformed(const kiosk_buf *rep)
{
    char code[32] = "";
    int64_t now = 0;
    return rep->len &&
           sync_error_decode((const char *)rep->data, rep->len, code, sizeof code, &now) ==
               KIOSK_OK &&
           strcmp(code, "malformed") == 0;
}

/* Fill b with up to b->cap pending records after after_seq. */
static kiosk_rc batch_fill(batch *b, store *s, int64_t after_seq)
{
    batch_clear(b);
    kiosk_rc rc = store_pending_each(s, after_seq, b->cap, collect, b, NULL);
    if (rc == KIOSK_OK && b->failed)
        rc = KIOSK_NOMEM;
    return rc;
}

/* Is this 200 reply signed by the unit's hub? 0, or KIOSK_CONFIG (no hub key) /
 * KIOSK_CRYPTO (unsigned or wrongly signed) with the reason in error. */
static kiosk_rc check_hub_signature(const request *rq, const sync_config *cfg, store *s,
                                    const kiosk_buf *rep, char *error, size_t error_size)
{
    uint8_t hub_pk[32], hub_sig[64];
    if (cfg->hub_key)
        memcpy(hub_pk, cfg->hub_key, 32);
    else if (store_hub_key(s, hub_pk) != KIOSK_OK) {
        set_error(error, error_size, "%s",
                  "hub fault: no hub key provisioned (kioskctl provision --hub-key); nothing is"
                  " taken as acknowledged");
        return KIOSK_CONFIG;
    }
    if (!rq->hub_sig[0] || !sync_hex_parse(rq->hub_sig, hub_sig, 64) ||
        !sync_reply_verify(hub_pk, cfg->key->public_key, rq->sig, 200, rep->data, rep->len,
                           hub_sig)) {
        set_error(error, error_size, "hub fault: %s; the records stay queued",
                  rq->hub_sig[0] ? "the reply's signature is not the provisioned hub's"
                                 : "the reply is not signed");
        return KIOSK_CRYPTO;
    }
    return KIOSK_OK;
}

/* The hub's signed mark for one of our epochs. When it is about the epoch this unit numbers
 * in now and the hub holds a seq beyond the last one issued here, this store went back (a
 * restore, or a copy behind another): a new epoch begins and the alarm is raised before
 * any number is issued twice. A mark about an older epoch of ours is no news (seq goes on
 * across epochs), and a mark without an epoch (a hub keyed by device alone) is taken only
 * through seq_conflict (apply_reply). A hub keyed by epoch also gets the records it
 * refused as seq_conflict by the older keying once more (store_requeue_conflicts). */
static void apply_mark(store *s, const sync_mark *mark, sync_round *round)
{
    if (!mark->present)
        return;
    if (store_audit_anchor_check(s, mark->audit_id, mark->audit_hash) == KIOSK_CORRUPT)
        round->audit_rolled_back = 1;
    if (!mark->has_epoch)
        return;
    store_epoch ep;
    if (store_epoch_info(s, &ep) != KIOSK_OK)
        return;
    if (sodium_memcmp(ep.id, mark->epoch, 16) == 0 && mark->max_seq > ep.last_seq) {
        int started = 0;
        if (store_epoch_past(s, mark->max_seq, 0,
                             "the hub holds later numbers of this epoch (restored database)",
                             &started) == KIOSK_OK &&
            started)
            round->hub_ahead = 1;
    }
    size_t requeued = 0;
    if (store_requeue_conflicts(s, &requeued) == KIOSK_OK && requeued) {
        round->requeued += requeued;
        kiosk_log_info("sync",
                       "%zu records the hub once refused as seq_conflict go again under"
                       " their own epoch",
                       requeued);
    }
}

/* Apply a signed 200 reply to the store: answers for records of this batch only, each
 * about the very bytes sent. */
static kiosk_rc apply_reply(store *s, const batch *b, const kiosk_buf *rep, sync_round *round,
                            char *error, size_t error_size)
{
    sync_result *res = NULL;
    size_t nres = 0;
    int64_t now_ms = 0;
    sync_mark mark;
    kiosk_rc rc =
        sync_results_decode_mark(kiosk_buf_str(rep), rep->len, &res, &nres, &now_ms, &mark);
    if (rc != KIOSK_OK) {
        set_error(error, error_size, "%s", "the hub's reply is not the sync protocol");
        return KIOSK_INVALID;
    }
    int conflict = 0;
    for (size_t i = 0; i < nres; i++)
        conflict |= res[i].status == SYNC_REJECTED && !strcmp(res[i].reason, "seq_conflict");
    if (conflict) {
        /* a seq of ours is already taken at the hub (signed): this unit went back or is a
         * copy. Numbering moves to a block of its own in a new epoch, the alarm is raised.
         * The mark's max_seq alone is no trigger: two copies would chase each other. */
        int started = 0;
        if (store_epoch_past(s, mark.present ? mark.max_seq : 0, 1,
                             "the hub holds our numbers (restored or copied database)",
                             &started) == KIOSK_OK &&
            started)
            round->hub_ahead = 1;
    }
    store_outcome *out = calloc(nres ? nres : 1, sizeof *out);
    size_t nout = 0;
    if (!out) {
        free(res);
        return KIOSK_NOMEM;
    }
    size_t mismatched = 0;
    for (size_t i = 0; i < nres; i++) {
        const sync_record *mine = NULL;
        for (size_t k = 0; k < b->n && !mine; k++)
            if (strcmp(b->recs[k].uuid, res[i].uuid) == 0)
                mine = &b->recs[k];
        if (!mine)
            continue;
        uint8_t h[32];
        sync_sha256(h, mine->sealed, mine->sealed_len);
        if (!res[i].has_sealed_sha256 || sodium_memcmp(h, res[i].sealed_sha256, 32) != 0) {
            mismatched++; /* signed, but not about what we sent: no decision */
            continue;
        }
        out[nout].uuid = res[i].uuid;
        out[nout].acknowledged = res[i].status != SYNC_REJECTED;
        out[nout].reason = res[i].reason;
        out[nout].hub_signed = 1;
        if (res[i].status == SYNC_REJECTED) {
            round->rejected++;
            kiosk_log_warn("sync", "the hub rejected record %s: %s", res[i].uuid, res[i].reason);
        } else {
            round->acked++;
        }
        nout++;
    }
    if (mismatched)
        kiosk_log_warn("sync", "hub fault: %zu answers name other sealed bytes; ignored",
                       mismatched);
    size_t changed = 0;
    rc = store_apply_outcomes(s, out, nout, &changed);
    if (rc == KIOSK_OK)
        apply_mark(s, &mark, round); /* after the answers: a requeue sees this round's */
    round->undecided += b->n - (nout < b->n ? nout : b->n);
    free(out);
    free(res);
    return rc;
}

/* What a refused request means for the round. */
typedef enum verdict { RETRY_NOW, SHRINK, GIVE_UP } verdict;

static verdict judge_error(session *se, const sync_config *cfg, long status, const kiosk_buf *rep,
                           kiosk_rc *rc, char *error, size_t error_size)
{
    char code[32];
    int64_t hub_now = 0;
    if (sync_error_decode(kiosk_buf_str(rep), rep->len, code, sizeof code, &hub_now) != KIOSK_OK)
        snprintf(code, sizeof code, "none");
    char what[96];
    snprintf(what, sizeof what, "HTTP %ld (%s)", status, code);
    set_error(error, error_size, "the hub refused the request: %s", what);
    if (status == 401 && !strcmp(code, "stale_time") && hub_now > 0) {
        int64_t now = kiosk_clock_now_ms(cfg->clock ? cfg->clock : kiosk_clock_system());
        se->offset_ms = hub_now - now;
        se->last_time_ms = 0;
        kiosk_log_warn("sync", "our clock is %lld s off the hub's; correcting",
                       (long long)(se->offset_ms / 1000));
        *rc = KIOSK_AUTH;
        return RETRY_NOW;
    }
    if (status == 409) {
        *rc = KIOSK_BUSY;
        return RETRY_NOW;
    }
    if (status == 413) {
        *rc = KIOSK_RANGE;
        return SHRINK;
    }
    if (status == 401 || status == 403) {
        if (!strcmp(code, "unknown_device"))
            set_error(error, error_size, "%s",
                      "the hub does not know this device: register its key at the hub");
        *rc = KIOSK_AUTH;
        return GIVE_UP;
    }
    *rc = status >= 500 ? KIOSK_NET : KIOSK_INVALID;
    return GIVE_UP;
}

/* ---- kiosk events (help requests): sent before the records ------------------------ */

#define EVENTS_BATCH 50

/* Mark sent the events of this batch that a signed reply names. */
static kiosk_rc apply_event_acks(store *s, const sync_event *evs, size_t n, const kiosk_buf *rep,
                                 int64_t now_ms, size_t *acked, char *error, size_t error_size)
{
    int64_t *seqs = NULL, hub_now = 0;
    size_t m = 0;
    *acked = 0;
    if (sync_event_acks_decode(kiosk_buf_str(rep), rep->len, &seqs, &m, &hub_now) != KIOSK_OK) {
        set_error(error, error_size, "%s", "the hub's answer to the events is not the protocol");
        return KIOSK_INVALID;
    }
    size_t k = 0;
    for (size_t i = 0; i < m; i++) /* only seqs this request carried */
        for (size_t j = 0; j < n; j++)
            if (seqs[i] == evs[j].seq) {
                seqs[k++] = seqs[i];
                break;
            }
    kiosk_rc rc = store_events_mark_sent(s, seqs, k, now_ms, acked);
    free(seqs);
    return rc;
}

/* Send every pending event. KIOSK_OK when none is left; a hub that does not know the
 * route (404: older than the events) leaves them queued without failing the round, so the
 * records still go. Other failures as for records. */
static kiosk_rc send_events(session *se, const sync_config *cfg, store *s, sync_round *round,
                            kiosk_buf *rep, char *error, size_t error_size)
{
    sync_event evs[EVENTS_BATCH];
    int retries = 0;
    for (;;) {
        if (se->stop && atomic_load(se->stop))
            return KIOSK_BUSY;
        size_t n = 0;
        kiosk_rc rc = store_events_pending(s, evs, EVENTS_BATCH, &n);
        if (rc != KIOSK_OK || n == 0)
            return rc;
        char *body = NULL;
        size_t len = 0;
        rc = sync_events_encode(evs, n, &body, &len);
        long status = 0;
        request rq;
        if (rc == KIOSK_OK)
            rc = post(se, cfg, &rq, SYNC_PATH_EVENTS, body, len, &status, rep, error, error_size);
        free(body);
        if (rc != KIOSK_OK)
            return rc;
        round->requests++;
        round->events_sent += n;
        if (status == 200) {
            rc = check_hub_signature(&rq, cfg, s, rep, error, error_size);
            if (rc != KIOSK_OK)
                return rc;
            size_t acked = 0;
            int64_t now = kiosk_clock_now_ms(cfg->clock ? cfg->clock : kiosk_clock_system());
            rc = apply_event_acks(s, evs, n, rep, now, &acked, error, error_size);
            if (rc != KIOSK_OK)
                return rc;
            round->events_acked += acked;
            if (acked < n) {
                set_error(error, error_size, "the hub left %zu events without an answer",
                          n - acked);
                return KIOSK_NET;
            }
            retries = 0;
            continue;
        }
        if (status == 404) {
            kiosk_log_warn("sync", "the hub does not take kiosk events (HTTP 404): help"
                                   " requests stay queued");
            return KIOSK_OK;
        }
        verdict v = judge_error(se, cfg, status, rep, &rc, error, error_size);
        if (v != RETRY_NOW || ++retries > ROUND_RETRIES)
            return rc;
    }
}

/* ---- the records: two batches in turn ------------------------------------------------
 * While the hub decides on one batch, the round reads, marks, encodes and signs the next
 * (a request carries its own signature), and it sends that one before it applies the
 * answers to the first: the kiosk's work and the hub's overlap instead of taking turns.
 * The store stays on the round's thread; only the HTTP transfer runs on a helper thread,
 * one request at a time on the one connection. A prepared batch that is not sent (the
 * batch before it failed, or the round stops) is already marked sent: it is still
 * pending, and the next request takes it again from the first undecided seq. */
typedef struct slot {
    batch b;
    char *body;
    size_t len;
    request rq;
    kiosk_buf rep;
    int prepared; /* body signed and ready to go */
    int flying;   /* its transfer thread is running */
    pthread_t thread;
} slot;

typedef struct flight {
    session *se;
    const sync_config *cfg;
    slot *sl;
} flight;

static void slot_drop(slot *sl)
{
    batch_clear(&sl->b);
    free(sl->body);
    sl->body = NULL;
    curl_slist_free_all(sl->rq.hdrs);
    sl->rq.hdrs = NULL;
    sl->prepared = 0;
}

/* Read up to se->batch pending records after after_seq, mark them sent, encode them with
 * the audit head and sign the request. KIOSK_OK with sl->b.n == 0 when none is pending. */
static kiosk_rc slot_prepare(session *se, const sync_config *cfg, store *s, slot *sl,
                             int64_t after_seq)
{
    slot_drop(sl);
    sl->b.cap = se->batch;
    sl->b.with_meta = !se->no_meta;
    kiosk_rc rc = batch_fill(&sl->b, s, after_seq);
    if (rc != KIOSK_OK || sl->b.n == 0)
        return rc;
    rc = store_mark_sent(s, after_seq, sl->b.recs[sl->b.n - 1].seq);
    /* the audit head goes with the records (signed with the body); the hub keeps it */
    sync_head head = {0};
    if (rc == KIOSK_OK && store_audit_head(s, &head.audit_id, head.audit_hash) == KIOSK_OK)
        head.present = 1;
    head.has_epoch = sl->b.has_epoch; /* a batch is of one epoch (batch_fill) */
    memcpy(head.epoch, sl->b.epoch, 16);
    /* the binary body (version 3) unless this hub is older than it */
    if (rc == KIOSK_OK)
        rc = se->v2_only ? sync_body_encode_head(sl->b.recs, sl->b.n, &head, &sl->body, &sl->len)
                         : sync_body_encode_v3(sl->b.recs, sl->b.n, &head, &sl->body, &sl->len);
    if (rc == KIOSK_OK)
        rc = request_prepare(se, cfg, &sl->rq,
                             se->v2_only ? SYNC_PATH_RECORDS_V2 : SYNC_PATH_RECORDS_V3, sl->body,
                             sl->len, &sl->rep);
    sl->prepared = rc == KIOSK_OK;
    return rc;
}

static void *fly(void *arg)
{
    flight *f = arg;
    request_perform(f->se, f->cfg, &f->sl->rq);
    return NULL;
}

/* Send a prepared slot: on a helper thread, or here when no thread can be made. */
static void slot_send(flight *f, slot *sl)
{
    f->sl = sl;
    sl->flying = pthread_create(&sl->thread, NULL, fly, f) == 0;
    if (!sl->flying)
        request_perform(f->se, f->cfg, &sl->rq);
}

static void slot_land(slot *sl)
{
    if (sl->flying)
        pthread_join(sl->thread, NULL);
    sl->flying = 0;
}

/* An empty records request with the head of the epoch this unit numbers in: the hub
 * answers its signed mark for that epoch (apply_mark). */
static kiosk_rc probe_mark(session *se, const sync_config *cfg, store *s, sync_round *round,
                           kiosk_buf *rep, char *error, size_t error_size)
{
    store_epoch ep;
    sync_head head = {.present = 1, .has_epoch = 1};
    kiosk_rc rc = store_epoch_info(s, &ep);
    if (rc == KIOSK_OK)
        rc = store_audit_head(s, &head.audit_id, head.audit_hash);
    if (rc != KIOSK_OK)
        return rc;
    memcpy(head.epoch, ep.id, 16);
    for (int retries = 0;; retries++) {
        char *body = NULL;
        size_t len = 0;
        long status = 0;
        request rq;
        rc = sync_body_encode_head(NULL, 0, &head, &body, &len);
        kiosk_buf_consume(rep, rep->len);
        if (rc == KIOSK_OK)
            rc = post(se, cfg, &rq, SYNC_PATH_RECORDS_V2, body, len, &status, rep, error,
                      error_size);
        free(body);
        if (rc != KIOSK_OK)
            return rc;
        round->requests++;
        if (status == 200) {
            rc = check_hub_signature(&rq, cfg, s, rep, error, error_size);
            if (rc != KIOSK_OK)
                return rc;
            sync_result *res = NULL;
            size_t nres = 0;
            int64_t now_ms = 0;
            sync_mark mark;
            rc =
                sync_results_decode_mark(kiosk_buf_str(rep), rep->len, &res, &nres, &now_ms, &mark);
            free(res);
            if (rc != KIOSK_OK) {
                set_error(error, error_size, "%s", "the hub's reply is not the sync protocol");
                return KIOSK_INVALID;
            }
            round->probed = 1;
            apply_mark(s, &mark, round);
            return KIOSK_OK;
        }
        verdict v = judge_error(se, cfg, status, rep, &rc, error, error_size);
        if (v != RETRY_NOW || retries >= ROUND_RETRIES)
            return rc;
    }
}

static kiosk_rc run_round(session *se, const sync_config *cfg, store *s, sync_round *round,
                          char *error, size_t error_size)
{
    memset(round, 0, sizeof *round);
    if (error && error_size)
        error[0] = '\0';
    {
        kiosk_buf erep;
        kiosk_buf_init(&erep, REPLY_MAX, 0);
        kiosk_rc erc = send_events(se, cfg, s, round, &erep, error, error_size);
        kiosk_buf_deinit(&erep);
        if (erc != KIOSK_OK)
            return erc;
    }
    slot sl[2];
    memset(sl, 0, sizeof sl);
    size_t cap = se->batch > cfg->batch ? se->batch : cfg->batch;
    for (int i = 0; i < 2; i++) {
        sl[i].b = (batch){.cap = cap, .key = cfg->key};
        kiosk_buf_init(&sl[i].rep, REPLY_MAX, 0);
    }
    sl[0].b.recs = calloc(cap, sizeof *sl[0].b.recs);
    sl[1].b.recs = calloc(cap, sizeof *sl[1].b.recs);
    kiosk_rc rc = sl[0].b.recs && sl[1].b.recs ? KIOSK_OK : KIOSK_NOMEM;
    flight f = {.se = se, .cfg = cfg};
    int64_t after = 0;
    int retries = 0, cur = 0;
    if (rc == KIOSK_OK && se->stop && atomic_load(se->stop))
        rc = KIOSK_BUSY;
    if (rc == KIOSK_OK)
        rc = slot_prepare(se, cfg, s, &sl[cur], after);
    int go = rc == KIOSK_OK && sl[cur].b.n > 0;
    if (go)
        slot_send(&f, &sl[cur]);
    while (go) {
        slot *c = &sl[cur], *nx = &sl[!cur];
        /* the next batch, while the hub works on this one (a short batch was the last) */
        kiosk_rc nrc = KIOSK_OK;
        if (c->b.n == c->b.cap)
            nrc = slot_prepare(se, cfg, s, nx, c->b.recs[c->b.n - 1].seq);
        slot_land(c);
        long status = 0;
        rc = request_finish(&c->rq, &status, error, error_size);
        if (rc != KIOSK_OK)
            break;
        round->requests++;
        round->sent += c->b.n;
        if (status != 200) {
            if (status == 404 && !se->v2_only && !strcmp(c->rq.path, SYNC_PATH_RECORDS_V3)) {
                /* a hub of before the binary body: the same batch again as JSON */
                kiosk_log_info("sync", "the hub does not know %s; sending %s", SYNC_PATH_RECORDS_V3,
                               SYNC_PATH_RECORDS_V2);
                se->v2_only = 1;
            } else if (status == 400 && !se->no_meta && carries_meta(&c->b) && malformed(&c->rep)) {
                /* a hub of before record metadata: the same batch again without it */
                kiosk_log_info("sync", "the hub refuses record metadata; sending records"
                                       " without it");
                se->no_meta = 1;
            } else {
                verdict v = judge_error(se, cfg, status, &c->rep, &rc, error, error_size);
                if (v == GIVE_UP || ++retries > ROUND_RETRIES)
                    break;
                if (v == SHRINK) {
                    if (se->batch == 1)
                        break;
                    se->batch = se->batch / 2;
                }
            }
            /* again from the first undecided seq; the prepared next batch goes with it */
            slot_drop(nx);
            rc = slot_prepare(se, cfg, s, c, after);
            if (rc != KIOSK_OK || c->b.n == 0)
                break;
            if (se->stop && atomic_load(se->stop)) {
                rc = KIOSK_BUSY;
                break;
            }
            slot_send(&f, c);
            continue;
        }
        rc = check_hub_signature(&c->rq, cfg, s, &c->rep, error, error_size);
        if (rc != KIOSK_OK) {
            round->undecided += c->b.n;
            break;
        }
        retries = 0;
        int stop = se->stop && atomic_load(se->stop);
        /* the next one goes before this one's answers are applied */
        if (nrc == KIOSK_OK && nx->prepared && !stop)
            slot_send(&f, nx);
        rc = apply_reply(s, &c->b, &c->rep, round, error, error_size);
        after = c->b.recs[c->b.n - 1].seq;
        slot_drop(c);
        if (rc == KIOSK_OK)
            rc = nrc;
        if (rc == KIOSK_OK && stop)
            rc = KIOSK_BUSY;
        if (rc != KIOSK_OK)
            break;
        if (!nx->flying && !nx->prepared) {
            /* this batch was short: records saved meanwhile, if any, start a new one */
            rc = slot_prepare(se, cfg, s, nx, after);
            if (rc != KIOSK_OK || nx->b.n == 0)
                break;
            slot_send(&f, nx);
        }
        cur = !cur;
    }
    for (int i = 0; i < 2; i++) {
        slot_land(&sl[i]);
        slot_drop(&sl[i]);
        free(sl[i].b.recs);
        kiosk_buf_deinit(&sl[i].rep);
    }
    /* nothing went out: ask the hub for its mark all the same (an empty signed request),
     * so an idle unit whose store was restored finds out before it numbers again */
    if (rc == KIOSK_OK && round->sent == 0) {
        kiosk_buf prep;
        kiosk_buf_init(&prep, REPLY_MAX, 0);
        rc = probe_mark(se, cfg, s, round, &prep, error, error_size);
        kiosk_buf_deinit(&prep);
    }
    if (rc == KIOSK_OK && round->undecided) {
        set_error(error, error_size, "the hub left %zu records without an answer",
                  round->undecided);
        rc = KIOSK_NET;
    }
    if (rc == KIOSK_OK && se->batch < cfg->batch)
        se->batch = se->batch * 2 > cfg->batch ? cfg->batch : se->batch * 2;
    return rc;
}

static size_t batch_size(const sync_config *cfg)
{
    size_t n = cfg->batch ? cfg->batch : 200;
    return n > SYNC_MAX_RECORDS ? SYNC_MAX_RECORDS : n;
}

kiosk_rc sync_run_once(const sync_config *cfg, store *s, sync_round *round, char *error,
                       size_t error_size)
{
    sync_round dummy;
    if (!round)
        round = &dummy;
    memset(round, 0, sizeof *round);
    if (!cfg || !cfg->url || !*cfg->url || !cfg->key || !s)
        return KIOSK_CONFIG;
    if (!kiosk_url_hub_allowed(cfg->url, cfg->allow_plain_http_loopback)) {
        set_error(error, error_size, "%s",
                  "refusing a hub URL that is not https:// (plain http only to 127.0.0.1 or"
                  " [::1] with allow_plain_http_loopback)");
        return KIOSK_CONFIG;
    }
    pthread_once(&curl_once, curl_init_once);
    sync_config c = *cfg;
    c.batch = batch_size(cfg);
    session se = {.curl = curl_easy_init(), .batch = c.batch};
    if (!se.curl)
        return KIOSK_NOMEM;
    kiosk_rc rc = run_round(&se, &c, s, round, error, error_size);
    curl_easy_cleanup(se.curl);
    return rc;
}

/* ---- the health report (POST /v3/health) --------------------------------------------
 * A snapshot, not a queue: made fresh each time from the store's counters (summed since
 * the last report the hub acknowledged) and the source's view of the hardware; a report
 * that could not go is simply made again, newer, next time. */

kiosk_rc sync_health_make(store *s, const sync_health_source *src, int64_t now_ms, health_report *r,
                          store_health *covers)
{
    memset(r, 0, sizeof *r);
    memset(covers, 0, sizeof *covers);
    kiosk_rc rc = store_health_take(s, covers);
    if (rc != KIOSK_OK)
        return rc;
    r->seq = covers->seq;
    r->at_ms = now_ms > 0 ? now_ms : 0;
    const char *version = src && src->version ? src->version : "unknown";
    snprintf(r->version, sizeof r->version, "%s", health_text_ok(version, 0) ? version : "unknown");
    if (src && src->started_ms > 0 && now_ms > src->started_ms)
        r->uptime_s = (now_ms - src->started_ms) / 1000;
    r->reader = HEALTH_READER_UNKNOWN;
    r->printer = HEALTH_PRINTER_UNKNOWN;
    r->power = HEALTH_POWER_UNKNOWN;
    r->battery_pct = -1;
    r->disk_free_bytes = covers->disk_free_bytes;
    r->disk_free_pct = covers->disk_free_pct;
    r->backlog = covers->backlog > HEALTH_COUNT_MAX ? HEALTH_COUNT_MAX : covers->backlog;
    r->sessions = covers->sessions > HEALTH_COUNT_MAX ? HEALTH_COUNT_MAX : covers->sessions;
    r->median_taps = covers->median_taps;
    r->help_requests =
        covers->help_requests > HEALTH_COUNT_MAX ? HEALTH_COUNT_MAX : covers->help_requests;
    memcpy(r->epoch, covers->epoch, sizeof r->epoch);
    /* the updater's word, carried as given when it validates, nothing when it does not */
    if (src && src->state_dir && health_update_read(src->state_dir, &r->update) == KIOSK_OK)
        r->has_update = 1;
    else
        memset(&r->update, 0, sizeof r->update);
    if (src && src->fill)
        src->fill(src->ctx, r);
    if (!health_report_valid(r)) { /* a fill that broke a field: what the store knows */
        kiosk_log_warn("sync", "the health report's hardware fields are out of range: unknown");
        r->reader = HEALTH_READER_UNKNOWN;
        r->printer = HEALTH_PRINTER_UNKNOWN;
        r->power = HEALTH_POWER_UNKNOWN;
        r->battery_pct = -1;
        if (!health_text_ok(r->version, 0))
            snprintf(r->version, sizeof r->version, "unknown");
    }
    return health_report_valid(r) ? KIOSK_OK : KIOSK_INVALID;
}

static kiosk_rc send_health(session *se, const sync_config *cfg, store *s, kiosk_buf *rep,
                            char *error, size_t error_size)
{
    int64_t now = kiosk_clock_now_ms(cfg->clock ? cfg->clock : kiosk_clock_system());
    health_report r;
    store_health covers;
    kiosk_rc rc = sync_health_make(s, &cfg->health, now, &r, &covers);
    char *body = NULL;
    size_t len = 0;
    if (rc == KIOSK_OK)
        rc = health_report_encode(&r, &body, &len);
    for (int retries = 0; rc == KIOSK_OK;) {
        long status = 0;
        request rq;
        rc = post(se, cfg, &rq, HEALTH_REPORT_PATH, body, len, &status, rep, error, error_size);
        if (rc != KIOSK_OK)
            break;
        if (status == 200) {
            rc = check_hub_signature(&rq, cfg, s, rep, error, error_size);
            int64_t *seqs = NULL, hub_now = 0;
            size_t m = 0;
            if (rc == KIOSK_OK && sync_event_acks_decode(kiosk_buf_str(rep), rep->len, &seqs, &m,
                                                         &hub_now) != KIOSK_OK) {
                set_error(error, error_size, "%s",
                          "the hub's answer to the health report is not the protocol");
                rc = KIOSK_INVALID;
            }
            if (rc == KIOSK_OK && !(m == 1 && seqs[0] == r.seq)) {
                set_error(error, error_size, "%s", "the hub did not name the health report");
                rc = KIOSK_INVALID;
            }
            free(seqs);
            if (rc == KIOSK_OK)
                rc = store_health_reported(s, &covers);
            break;
        }
        if (status == 404) {
            rc = KIOSK_UNSUPPORTED;
            set_error(error, error_size, "%s", "the hub does not take health reports (HTTP 404)");
            break;
        }
        verdict v = judge_error(se, cfg, status, rep, &rc, error, error_size);
        if (v != RETRY_NOW || ++retries > ROUND_RETRIES)
            break;
        /* a corrected clock: the same report, signed again at the new time */
        rc = KIOSK_OK;
    }
    free(body);
    return rc;
}

kiosk_rc sync_send_health(const sync_config *cfg, store *s, char *error, size_t error_size)
{
    if (!cfg || !cfg->url || !*cfg->url || !cfg->key || !s)
        return KIOSK_CONFIG;
    if (!kiosk_url_hub_allowed(cfg->url, cfg->allow_plain_http_loopback)) {
        set_error(error, error_size, "%s", "refusing a hub URL that is not https://");
        return KIOSK_CONFIG;
    }
    pthread_once(&curl_once, curl_init_once);
    session se = {.curl = curl_easy_init(), .batch = batch_size(cfg)};
    if (!se.curl)
        return KIOSK_NOMEM;
    kiosk_buf rep;
    kiosk_buf_init(&rep, REPLY_MAX, 0);
    kiosk_rc rc = send_health(&se, cfg, s, &rep, error, error_size);
    kiosk_buf_deinit(&rep);
    curl_easy_cleanup(se.curl);
    return rc;
}

/* ---- the worker ------------------------------------------------------------------ */

struct sync_worker {
    sync_config cfg;
    char url[1024], ca_file[512], db_path[512], hall_code[16];
    char health_version[HEALTH_TEXT_MAX], health_dir[512];
    int64_t health_next_ms; /* monotonic: when the next health report is due (0: now) */
    uint8_t hub_key[32];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_int stop;
    int wake;
    sync_status_info status;
};

static int64_t clock_ms(const sync_worker *sy)
{
    return kiosk_clock_now_ms(sy->cfg.clock);
}

/* Sleep until woken, stopped, or delay_ms passed. Returns 1 when woken by sync_worker_wake. */
static int nap(sync_worker *sy, int64_t delay_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(delay_ms / 1000);
    until.tv_nsec += (long)(delay_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&sy->mu);
    while (!sy->wake && !atomic_load(&sy->stop))
        if (pthread_cond_timedwait(&sy->cv, &sy->mu, &until) != 0)
            break;
    int woken = sy->wake;
    sy->wake = 0;
    pthread_mutex_unlock(&sy->mu);
    return woken;
}

/* Full jitter: uniform in [0, min(cap, base * 2^attempt)]. */
static int64_t backoff_ms(const sync_config *c, int attempt)
{
    int64_t span = c->backoff_min_ms;
    for (int i = 1; i < attempt && span < c->backoff_max_ms; i++)
        span *= 2;
    if (span > c->backoff_max_ms)
        span = c->backoff_max_ms;
    return (int64_t)randombytes_uniform((uint32_t)(span > 0xFFFFFFF ? 0xFFFFFFF : span) + 1);
}

/* The worker's health report: at its start and every health interval, after a round that
 * reached the hub. One that fails goes again after the next good round; a hub without the
 * route (404) is asked again at the next interval. *delay shortened to the next one due. */
static void health_round(sync_worker *sy, session *se, store *s, kiosk_rc round_rc, int64_t *delay)
{
    if (sy->cfg.health_interval_ms < 0 || !s)
        return;
    int64_t mono = kiosk_clock_mono_ms(sy->cfg.clock);
    if (round_rc == KIOSK_OK && mono >= sy->health_next_ms && !atomic_load(&sy->stop)) {
        char err[128] = "";
        kiosk_buf rep;
        kiosk_buf_init(&rep, REPLY_MAX, 0);
        kiosk_rc rc = send_health(se, &sy->cfg, s, &rep, err, sizeof err);
        kiosk_buf_deinit(&rep);
        /* sent, or a hub without the route: at the next interval; failed: at the next
         * poll (nothing is queued: the next report is made afresh) */
        sy->health_next_ms =
            mono + (rc == KIOSK_OK || rc == KIOSK_UNSUPPORTED ? sy->cfg.health_interval_ms
                                                              : sy->cfg.idle_poll_ms);
        if (rc == KIOSK_OK)
            kiosk_log_info("sync", "health report sent");
        if (rc != KIOSK_OK)
            kiosk_log_warn("sync", "health report: %s", err[0] ? err : kiosk_strerror(rc));
    }
    int64_t until = sy->health_next_ms - mono;
    if (until < 1000)
        until = 1000;
    if (round_rc == KIOSK_OK && until < *delay)
        *delay = until;
}

static void *worker(void *arg)
{
    sync_worker *sy = arg;
    store *s = NULL;
    session se = {.curl = curl_easy_init(), .batch = sy->cfg.batch, .stop = &sy->stop};
    int attempt = 0;
    while (!atomic_load(&sy->stop)) {
        pthread_mutex_lock(&sy->mu);
        sy->status.busy = 1;
        pthread_mutex_unlock(&sy->mu);
        char err[128] = "";
        sync_round round = {0};
        store_counts counts = {0};
        kiosk_rc rc = KIOSK_OK;
        if (!s)
            rc = store_open(sy->db_path, sy->hall_code, sy->cfg.key, sy->cfg.clock, &s);
        if (rc != KIOSK_OK)
            snprintf(err, sizeof err, "cannot open the record store: %s", kiosk_strerror(rc));
        else if (!se.curl)
            rc = KIOSK_NOMEM;
        else
            rc = run_round(&se, &sy->cfg, s, &round, err, sizeof err);
        if (atomic_load(&sy->stop))
            break;
        int64_t now = clock_ms(sy);
        if (s) {
            store_count(s, &counts);
            if (round.requests || rc != KIOSK_OK)
                store_note_sync(s, rc == KIOSK_OK, now, err);
        }
        if (round.events_acked)
            kiosk_log_info("sync", "the hub has %zu kiosk events (help requests)",
                           round.events_acked);
        if (rc == KIOSK_OK && round.sent)
            kiosk_log_info("sync", "sent %zu records: %zu acknowledged, %zu rejected", round.sent,
                           round.acked, round.rejected);
        else if (rc != KIOSK_OK)
            kiosk_log_warn("sync", "%s", err[0] ? err : kiosk_strerror(rc));
        attempt = rc == KIOSK_OK ? 0 : attempt + 1;
        int64_t delay = rc == KIOSK_OK ? sy->cfg.idle_poll_ms : backoff_ms(&sy->cfg, attempt);
        health_round(sy, &se, s, rc, &delay);
        pthread_mutex_lock(&sy->mu);
        sy->status.busy = 0;
        sy->status.counts = counts;
        sy->status.rounds++;
        sy->status.last_attempt_ms = now;
        if (rc == KIOSK_OK)
            sy->status.last_ok_ms = now;
        sy->status.last_rc = rc;
        snprintf(sy->status.last_error, sizeof sy->status.last_error, "%s", err);
        sy->status.clock_offset_ms = se.offset_ms;
        sy->status.next_try_ms = now + delay;
        pthread_mutex_unlock(&sy->mu);
        if (nap(sy, delay))
            attempt = 0;
    }
    if (se.curl)
        curl_easy_cleanup(se.curl);
    store_close(s);
    return NULL;
}

kiosk_rc sync_worker_create(const sync_config *cfg, sync_worker **out)
{
    *out = NULL;
    if (!cfg || !cfg->url || !*cfg->url || !cfg->key || !cfg->db_path)
        return KIOSK_CONFIG;
    if (!kiosk_url_hub_allowed(cfg->url, cfg->allow_plain_http_loopback)) {
        kiosk_log_error("sync", "refusing a hub URL that is not https:// (plain http only to"
                                " 127.0.0.1 or [::1] with allow_plain_http_loopback)");
        return KIOSK_CONFIG;
    }
    pthread_once(&curl_once, curl_init_once);
    if (sodium_init() < 0)
        return KIOSK_CRYPTO;
    sync_worker *sy = calloc(1, sizeof *sy);
    if (!sy)
        return KIOSK_NOMEM;
    sy->cfg = *cfg;
    snprintf(sy->url, sizeof sy->url, "%s", cfg->url);
    snprintf(sy->ca_file, sizeof sy->ca_file, "%s", cfg->ca_file ? cfg->ca_file : "");
    snprintf(sy->db_path, sizeof sy->db_path, "%s", cfg->db_path);
    snprintf(sy->hall_code, sizeof sy->hall_code, "%s", cfg->hall_code ? cfg->hall_code : "");
    if (cfg->hub_key) {
        memcpy(sy->hub_key, cfg->hub_key, 32);
        sy->cfg.hub_key = sy->hub_key;
    }
    sy->cfg.url = sy->url;
    sy->cfg.ca_file = sy->ca_file;
    sy->cfg.db_path = sy->db_path;
    sy->cfg.hall_code = sy->hall_code;
    sy->cfg.batch = batch_size(cfg);
    sy->cfg.backoff_min_ms = cfg->backoff_min_ms > 0 ? cfg->backoff_min_ms : 1000;
    sy->cfg.backoff_max_ms = cfg->backoff_max_ms > 0 ? cfg->backoff_max_ms : 300000;
    if (sy->cfg.backoff_max_ms < sy->cfg.backoff_min_ms)
        sy->cfg.backoff_max_ms = sy->cfg.backoff_min_ms;
    sy->cfg.idle_poll_ms = cfg->idle_poll_ms > 0 ? cfg->idle_poll_ms : 300000;
    if (sy->cfg.health_interval_ms == 0)
        sy->cfg.health_interval_ms = 15 * 60 * 1000;
    snprintf(sy->health_version, sizeof sy->health_version, "%s",
             cfg->health.version ? cfg->health.version : "unknown");
    snprintf(sy->health_dir, sizeof sy->health_dir, "%s",
             cfg->health.state_dir ? cfg->health.state_dir : "");
    sy->cfg.health.version = sy->health_version;
    sy->cfg.health.state_dir = sy->health_dir[0] ? sy->health_dir : NULL;
    if (!sy->cfg.clock)
        sy->cfg.clock = kiosk_clock_system();
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sy->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&sy->mu, NULL);
    atomic_init(&sy->stop, 0);
    if (pthread_create(&sy->thread, NULL, worker, sy) != 0) {
        pthread_cond_destroy(&sy->cv);
        pthread_mutex_destroy(&sy->mu);
        free(sy);
        return KIOSK_NOMEM;
    }
    *out = sy;
    return KIOSK_OK;
}

void sync_worker_destroy(sync_worker *sy)
{
    if (!sy)
        return;
    pthread_mutex_lock(&sy->mu);
    atomic_store(&sy->stop, 1);
    pthread_cond_signal(&sy->cv);
    pthread_mutex_unlock(&sy->mu);
    pthread_join(sy->thread, NULL);
    pthread_cond_destroy(&sy->cv);
    pthread_mutex_destroy(&sy->mu);
    free(sy);
}

void sync_worker_wake(sync_worker *sy)
{
    if (!sy)
        return;
    pthread_mutex_lock(&sy->mu);
    sy->wake = 1;
    pthread_cond_signal(&sy->cv);
    pthread_mutex_unlock(&sy->mu);
}

void sync_worker_status(sync_worker *sy, sync_status_info *out)
{
    pthread_mutex_lock(&sy->mu);
    *out = sy->status;
    pthread_mutex_unlock(&sy->mu);
}

/* ---- bundles --------------------------------------------------------------------- */

static int stop_at_first(void *ctx, const store_pending *p)
{
    (void)ctx;
    (void)p;
    return 1;
}
#define NULL_STOP stop_at_first

kiosk_rc sync_export_bundle(store *s, const store_device_key *key, const char *path, int64_t now_ms,
                            size_t *count)
{
    if (count)
        *count = 0;
    batch b = {.cap = 1024, .key = key, .with_meta = 1};
    b.recs = calloc(b.cap, sizeof *b.recs);
    if (!b.recs)
        return KIOSK_NOMEM;
    kiosk_rc rc = KIOSK_OK;
    int64_t after = 0;
    /* grow the batch until it holds every pending record (or the protocol's cap) */
    for (;;) {
        batch more = {.cap = b.cap - b.n, .key = key, .recs = b.recs + b.n, .with_meta = 1};
        rc = store_pending_each(s, after, more.cap, collect, &more, NULL);
        if (rc == KIOSK_OK && more.failed)
            rc = KIOSK_NOMEM;
        if (b.n == 0) {
            b.has_epoch = more.has_epoch;
            memcpy(b.epoch, more.epoch, 16);
        } else if (more.n &&
                   (more.has_epoch != b.has_epoch || memcmp(more.epoch, b.epoch, 16) != 0)) {
            batch_clear(&more);
            rc = KIOSK_RANGE; /* another epoch: one file holds one (sync_export_bundles) */
            break;
        }
        b.n += more.n;
        if (rc == KIOSK_OK && more.n < more.cap && b.n) {
            /* the batch stopped at another epoch: one file holds one (sync_export_bundles) */
            size_t left = 0;
            if (store_pending_each(s, b.recs[b.n - 1].seq, 1, NULL_STOP, NULL, &left) == KIOSK_OK &&
                left) {
                rc = KIOSK_RANGE;
                break;
            }
        }
        if (rc != KIOSK_OK || more.n < more.cap || b.n >= SYNC_MAX_RECORDS)
            break;
        after = b.recs[b.n - 1].seq;
        size_t cap = b.cap * 2 > SYNC_MAX_RECORDS ? SYNC_MAX_RECORDS : b.cap * 2;
        sync_record *p = realloc(b.recs, cap * sizeof *p);
        if (!p) {
            rc = KIOSK_NOMEM;
            break;
        }
        b.recs = p;
        b.cap = cap;
    }
    char *body = NULL;
    size_t len = 0;
    if (rc == KIOSK_OK && b.n == 0)
        rc = KIOSK_NOT_FOUND;
    sync_head head = {.present = b.has_epoch, .has_epoch = b.has_epoch};
    memcpy(head.epoch, b.epoch, 16);
    if (rc == KIOSK_OK)
        rc = sync_body_encode_head(b.recs, b.n, &head, &body, &len);
    if (rc == KIOSK_OK && len > SYNC_MAX_BODY)
        rc = KIOSK_RANGE; /* the hub would refuse it: sync_export_bundles splits */
    if (rc == KIOSK_OK)
        rc = sync_bundle_write(path, key->public_key, key->secret_key, now_ms, body, len);
    if (rc == KIOSK_OK && count)
        *count = b.n;
    if (rc == KIOSK_OK)
        kiosk_log_info("sync", "wrote a bundle of %zu records", b.n);
    free(body);
    batch_clear(&b);
    free(b.recs);
    return rc;
}

/* One bundle of an export: the pending records with seq in (after, last], all of one
 * store epoch (named in the body's head). */
typedef struct part {
    int64_t after, last;
    size_t count;
    int has_epoch;
    uint8_t epoch[16];
} part;

/* The bytes the head adds to a bundle's body: ,"head":{"audit_id":0,"audit_hash":"<64
 * hex>","epoch":"<32 hex>"} (audit id 0: a bundle carries no audit head). */
#define BUNDLE_HEAD_BYTES                                                                          \
    (sizeof ",\"head\":{\"audit_id\":0,\"audit_hash\":\"\",\"epoch\":\"\"}" - 1 + 96)

/* The cut of the backlog into parts, made from each record's exact encoded size. */
typedef struct plan {
    part *parts;
    size_t n, cap;
    size_t bytes; /* of the open part's body so far */
    size_t max_body, max_records;
    int64_t last_seen;
    int failed; /* KIOSK_NOMEM or KIOSK_RANGE */
} plan;

static int plan_add(void *ctx, const store_pending *p)
{
    plan *pl = ctx;
    part *cur = pl->n ? &pl->parts[pl->n - 1] : NULL;
    size_t one = pending_size(p, 1, 1);
    if (SYNC_BODY_FRAME + BUNDLE_HEAD_BYTES + one > pl->max_body) {
        pl->failed = KIOSK_RANGE; /* one record alone over the cap */
        return 1;
    }
    int other_epoch = cur && ((p->epoch != NULL) != cur->has_epoch ||
                              (p->epoch && memcmp(p->epoch, cur->epoch, 16) != 0));
    if (!cur || other_epoch || cur->count >= pl->max_records ||
        pl->bytes + pending_size(p, 1, 0) > pl->max_body) {
        if (pl->n == pl->cap) {
            size_t cap = pl->cap ? pl->cap * 2 : 8;
            part *np = realloc(pl->parts, cap * sizeof *np);
            if (!np) {
                pl->failed = KIOSK_NOMEM;
                return 1;
            }
            pl->parts = np;
            pl->cap = cap;
        }
        cur = &pl->parts[pl->n++];
        *cur = (part){.after = pl->last_seen, .last = p->seq, .count = 1, .has_epoch = !!p->epoch};
        if (p->epoch)
            memcpy(cur->epoch, p->epoch, 16);
        pl->bytes = SYNC_BODY_FRAME + BUNDLE_HEAD_BYTES + one;
    } else {
        cur->last = p->seq;
        cur->count++;
        pl->bytes += pending_size(p, 1, 0);
    }
    pl->last_seen = p->seq;
    return 0;
}

/* collect(), but only up to a part's last seq. */
typedef struct part_batch {
    batch b;
    int64_t last;
} part_batch;

static int collect_part(void *ctx, const store_pending *p)
{
    part_batch *pb = ctx;
    return p->seq > pb->last ? 1 : collect(&pb->b, p);
}

/* Remove what an interrupted export left in dir: hidden ".<name>.kb.part" files. */
static size_t remove_stale_parts(const char *dir)
{
    DIR *d = opendir(dir);
    size_t removed = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (!sync_bundle_is_temp_name(e->d_name) || n < 9 ||
            strcmp(e->d_name + n - 8, ".kb.part") != 0)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    if (removed)
        kiosk_log_warn("sync", "removed %zu unfinished bundle files of an interrupted export",
                       removed);
    return removed;
}

static int part_paths(const char *dir, const char *base, size_t i, size_t n, char *final, char *tmp,
                      size_t size)
{
    char name[512];
    int k = n == 1 ? snprintf(name, sizeof name, "%s.kb", base)
                   : snprintf(name, sizeof name, "%s-%03zuof%03zu.kb", base, i + 1, n);
    if (k <= 0 || (size_t)k >= sizeof name)
        return 0;
    k = snprintf(final, size, "%s/%s", dir, name);
    if (k <= 0 || (size_t)k >= size)
        return 0;
    char t[600];
    if (!sync_bundle_temp_name(name, t, sizeof t))
        return 0;
    k = snprintf(tmp, size, "%s/%s", dir, t);
    return k > 0 && (size_t)k < size;
}

kiosk_rc sync_export_bundles(store *s, const store_device_key *key, const char *dir,
                             const char *base, int64_t now_ms, const sync_export_options *opt,
                             sync_export_result *out)
{
    sync_export_result res = {0};
    if (out)
        *out = res;
    if (!s || !key || !dir || !base || !base[0] || strchr(base, '/'))
        return KIOSK_INVALID;
    res.stale_removed = remove_stale_parts(dir);
    plan pl = {.max_body = opt && opt->max_body ? opt->max_body : SYNC_MAX_BODY,
               .max_records = opt && opt->max_records ? opt->max_records : SYNC_MAX_RECORDS};
    if (pl.max_body > SYNC_MAX_BODY)
        pl.max_body = SYNC_MAX_BODY;
    if (pl.max_records > SYNC_MAX_RECORDS)
        pl.max_records = SYNC_MAX_RECORDS;
    kiosk_rc rc = KIOSK_OK;
    /* the pending records, or (opt->refused) those the hub refused, for its reconciliation */
    kiosk_rc (*each)(store *, int64_t, size_t, store_pending_fn, void *, size_t *) =
        opt && opt->refused ? store_refused_each : store_pending_each;
    /* pass 1: sizes only, so every file can carry its number "of N" */
    for (;;) {
        size_t got = 0;
        rc = each(s, pl.last_seen, 4096, plan_add, &pl, &got);
        if (rc == KIOSK_OK && pl.failed)
            rc = (kiosk_rc)pl.failed;
        if (rc != KIOSK_OK || got < 4096)
            break;
    }
    /* the pending kiosk events (help requests) travel too, in one "-events" bundle of their
     * own: they stay queued here (the hub keeps each once, by device, seq and time) */
    sync_event *evs = NULL;
    size_t nev = 0;
    if (rc == KIOSK_OK && !(opt && opt->refused)) {
        evs = calloc(SYNC_MAX_EVENTS, sizeof *evs);
        rc = evs ? store_events_pending(s, evs, SYNC_MAX_EVENTS, &nev) : KIOSK_NOMEM;
    }
    if (rc == KIOSK_OK && pl.n == 0 && nev == 0)
        rc = KIOSK_NOT_FOUND;
    /* the unit's health travels with every export ("-health"): a snapshot, its counters
     * reported once the files are written */
    int with_health = rc == KIOSK_OK && opt && opt->health && !opt->refused;
    size_t nfiles = pl.n + (nev ? 1 : 0) + (with_health ? 1 : 0);
    size_t hi = pl.n + (nev ? 1 : 0); /* the health file's index */
    store_health covers;
    memset(&covers, 0, sizeof covers);
    char(*finals)[SYNC_EXPORT_PATH_MAX] = NULL, (*tmps)[SYNC_EXPORT_PATH_MAX] = NULL;
    if (rc == KIOSK_OK) {
        finals = calloc(nfiles, sizeof *finals);
        tmps = calloc(nfiles, sizeof *tmps);
        if (!finals || !tmps)
            rc = KIOSK_NOMEM;
    }
    for (size_t i = 0; rc == KIOSK_OK && i < pl.n; i++)
        if (!part_paths(dir, base, i, pl.n, finals[i], tmps[i], SYNC_EXPORT_PATH_MAX))
            rc = KIOSK_INVALID;
    if (rc == KIOSK_OK && nev) {
        char evbase[600];
        int k = snprintf(evbase, sizeof evbase, "%s-events", base);
        if (k <= 0 || (size_t)k >= sizeof evbase ||
            !part_paths(dir, evbase, 0, 1, finals[pl.n], tmps[pl.n], SYNC_EXPORT_PATH_MAX))
            rc = KIOSK_INVALID;
    }
    if (rc == KIOSK_OK && nev) {
        char *body = NULL;
        size_t len = 0;
        rc = sync_events_encode(evs, nev, &body, &len);
        if (rc == KIOSK_OK)
            rc = sync_bundle_write_temp_for(tmps[pl.n], SYNC_PATH_EVENTS, key->public_key,
                                            key->secret_key, now_ms, body, len);
        free(body);
    }
    free(evs);
    if (rc == KIOSK_OK && with_health) {
        char hbase[600];
        int k = snprintf(hbase, sizeof hbase, "%s-health", base);
        if (k <= 0 || (size_t)k >= sizeof hbase ||
            !part_paths(dir, hbase, 0, 1, finals[hi], tmps[hi], SYNC_EXPORT_PATH_MAX))
            rc = KIOSK_INVALID;
        health_report hr;
        char *body = NULL;
        size_t len = 0;
        if (rc == KIOSK_OK)
            rc = sync_health_make(s, opt->health, now_ms, &hr, &covers);
        if (rc == KIOSK_OK)
            rc = health_report_encode(&hr, &body, &len);
        if (rc == KIOSK_OK)
            rc = sync_bundle_write_temp_for(tmps[hi], HEALTH_REPORT_PATH, key->public_key,
                                            key->secret_key, now_ms, body, len);
        free(body);
    }
    /* pass 2: each part encoded, signed and written under its hidden name */
    size_t records = 0;
    for (size_t i = 0; rc == KIOSK_OK && i < pl.n; i++) {
        part_batch pb = {.b = {.cap = pl.parts[i].count, .key = key, .with_meta = 1},
                         .last = pl.parts[i].last};
        pb.b.recs = calloc(pb.b.cap, sizeof *pb.b.recs);
        if (!pb.b.recs) {
            rc = KIOSK_NOMEM;
            break;
        }
        rc = each(s, pl.parts[i].after, pb.b.cap, collect_part, &pb, NULL);
        if (rc == KIOSK_OK && pb.b.failed)
            rc = KIOSK_NOMEM;
        char *body = NULL;
        size_t len = 0;
        /* the head names the records' epoch (the hub keys seqs by it); no audit head */
        sync_head head = {.present = pl.parts[i].has_epoch, .has_epoch = pl.parts[i].has_epoch};
        memcpy(head.epoch, pl.parts[i].epoch, 16);
        if (rc == KIOSK_OK)
            rc = sync_body_encode_head(pb.b.recs, pb.b.n, &head, &body, &len);
        if (rc == KIOSK_OK && len > pl.max_body) {
            kiosk_log_error("sync", "bundle %zu: %zu bytes over the planned %zu", i + 1, len,
                            pl.max_body);
            rc = KIOSK_RANGE; /* sync_body_record_size disagrees with the encoder */
        }
        if (rc == KIOSK_OK)
            rc = sync_bundle_write_temp(tmps[i], key->public_key, key->secret_key, now_ms, body,
                                        len);
        if (rc == KIOSK_OK)
            records += pb.b.n;
        free(body);
        batch_clear(&pb.b);
        free(pb.b.recs);
    }
    /* every part is on the medium: now they become bundles */
    size_t renamed = 0;
    for (size_t i = 0; rc == KIOSK_OK && i < nfiles; i++) {
        if (rename(tmps[i], finals[i]) != 0)
            rc = errno == ENOSPC ? KIOSK_DISK_FULL : KIOSK_IO;
        else
            renamed++;
    }
    if (rc == KIOSK_OK) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        res.records = records;
        res.files = pl.n;
        res.events = nev;
        res.health = with_health;
        if (with_health && store_health_reported(s, &covers) != KIOSK_OK)
            kiosk_log_warn("sync", "the health counters stay: the next report repeats them");
        snprintf(res.first, sizeof res.first, "%s", finals[0]);
        kiosk_log_info("sync", "wrote %zu records in %zu bundles, %zu kiosk events", records, pl.n,
                       nev);
    } else if (finals) {
        for (size_t i = 0; i < nfiles && tmps[i][0]; i++)
            unlink(i < renamed ? finals[i] : tmps[i]); /* no partial set is left either */
    }
    free(finals);
    free(tmps);
    free(pl.parts);
    if (out)
        *out = res;
    return rc;
}

/* ---- acknowledgements on a stick ---------------------------------------------------- */

static int result_cmp(const void *a, const void *b)
{
    return strcmp(((const sync_result *)a)->uuid, ((const sync_result *)b)->uuid);
}

typedef struct ack_walk {
    const sync_result *results;
    size_t n;
    char (*uuids)[SYNC_UUID_LEN + 1]; /* records to acknowledge */
    size_t nuuids;
    size_t mismatched;
    int64_t last_seq; /* of the last pending record walked */
} ack_walk;

static int ack_match(void *ctx, const store_pending *p)
{
    ack_walk *w = ctx;
    w->last_seq = p->seq;
    sync_result key = {0};
    snprintf(key.uuid, sizeof key.uuid, "%s", p->uuid);
    const sync_result *r = bsearch(&key, w->results, w->n, sizeof *w->results, result_cmp);
    if (!r || r->status == SYNC_REJECTED)
        return 0;
    uint8_t h[32];
    sync_sha256(h, p->sealed, p->sealed_len);
    if (!r->has_sealed_sha256 || sodium_memcmp(h, r->sealed_sha256, 32) != 0) {
        w->mismatched++; /* the hub holds other bytes under this uuid: not this record */
        return 0;
    }
    memcpy(w->uuids[w->nuuids++], p->uuid, SYNC_UUID_LEN + 1);
    return 0;
}

static kiosk_rc read_whole(const char *path, size_t cap, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? KIOSK_NOT_FOUND : KIOSK_IO;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return KIOSK_NOMEM;
    }
    size_t n = fread(buf, 1, cap + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > cap) {
        free(buf);
        return bad ? KIOSK_IO : KIOSK_RANGE;
    }
    *data = buf;
    *len = n;
    return KIOSK_OK;
}

kiosk_rc sync_import_acks(store *s, const store_device_key *key, const char *path, const char *who,
                          sync_acks_report *report, char *error, size_t error_size)
{
    sync_acks_report rep = {0};
    if (report)
        *report = rep;
    set_error(error, error_size, "%s", "");
    char *data = NULL;
    size_t len = 0;
    sync_acks a;
    sync_result *results = NULL;
    size_t n = 0;
    int64_t hub_now = 0;
    uint8_t hub_pk[32];
    char fp[17];
    ack_walk w = {0};
    kiosk_rc rc = read_whole(path, (size_t)SYNC_MAX_BODY + 4096, &data, &len);
    if (rc != KIOSK_OK) {
        set_error(error, error_size, "cannot read the file: %s", kiosk_strerror(rc));
        goto out;
    }
    rc = sync_acks_parse(data, len, &a);
    if (rc != KIOSK_OK) {
        set_error(error, error_size, "not an acknowledgement bundle");
        rc = KIOSK_INVALID;
        goto out;
    }
    if (sodium_memcmp(a.device, key->public_key, 32) != 0) {
        sync_hex_format(a.device, 8, fp);
        set_error(error, error_size, "made for another unit (device %s…), not this one", fp);
        rc = KIOSK_AUTH;
        goto out;
    }
    if (store_hub_key(s, hub_pk) != KIOSK_OK) {
        set_error(error, error_size, "no hub key provisioned (kioskctl provision --hub-key)");
        rc = KIOSK_CONFIG;
        goto out;
    }
    if (sodium_memcmp(a.hub, hub_pk, 32) != 0) {
        sync_hex_format(a.hub, 8, fp);
        set_error(error, error_size, "signed by another key (%s…), not the provisioned hub key",
                  fp);
        rc = KIOSK_CRYPTO;
        goto out;
    }
    if (!sync_acks_verify(hub_pk, a.device, a.time_ms, a.body, a.body_len, a.sig)) {
        set_error(error, error_size, "the hub's signature does not verify: the file was altered");
        rc = KIOSK_CRYPTO;
        goto out;
    }
    rc = sync_results_decode(a.body, a.body_len, &results, &n, &hub_now);
    if (rc != KIOSK_OK) {
        set_error(error, error_size, "signed, but its list is malformed");
        rc = rc == KIOSK_NOMEM ? rc : KIOSK_INVALID;
        goto out;
    }
    rep.listed = n;
    if (n) {
        qsort(results, n, sizeof *results, result_cmp);
        w.results = results;
        w.n = n;
        w.uuids = calloc(n, sizeof *w.uuids);
        if (!w.uuids) {
            rc = KIOSK_NOMEM;
            goto out;
        }
        for (;;) {
            size_t seen = 0;
            rc = store_pending_each(s, w.last_seq, 4096, ack_match, &w, &seen);
            if (rc != KIOSK_OK || seen < 4096)
                break;
        }
        for (size_t i = 0; rc == KIOSK_OK && i < w.nuuids; i += 1000) {
            size_t m = w.nuuids - i < 1000 ? w.nuuids - i : 1000, changed = 0;
            store_outcome o[1000];
            for (size_t k = 0; k < m; k++)
                o[k] = (store_outcome){.uuid = w.uuids[i + k], .acknowledged = 1, .hub_signed = 1};
            rc = store_apply_outcomes(s, o, m, &changed);
            rep.acked += changed;
        }
    }
    rep.mismatched = w.mismatched;
out:;
    char detail[96];
    if (rc == KIOSK_OK)
        snprintf(detail, sizeof detail, "%zu listed, %zu acknowledged, %zu differ", rep.listed,
                 rep.acked, rep.mismatched);
    else
        snprintf(detail, sizeof detail, "refused: %s", kiosk_rc_name(rc));
    store_audit(s, who ? who : "staff", "acks.import", "", detail);
    if (rc == KIOSK_OK)
        kiosk_log_info("sync", "acknowledgement bundle: %s", detail);
    else
        kiosk_log_warn("sync", "acknowledgement bundle refused: %s",
                       error && error[0] ? error : kiosk_strerror(rc));
    free(w.uuids);
    free(results);
    free(data);
    if (report)
        *report = rep;
    return rc;
}

/* ---- 我的办理记录: POST /v3/status ------------------------------------------------------ */

kiosk_rc sync_query_states(const sync_config *cfg, store *s, const char (*uuids)[SYNC_UUID_LEN + 1],
                           size_t n, sync_record_state *out, int64_t *hub_now_ms, char *error,
                           size_t error_size)
{
    *hub_now_ms = 0;
    if (!cfg || !cfg->url || !*cfg->url || !cfg->key || !s)
        return KIOSK_CONFIG;
    if (!kiosk_url_hub_allowed(cfg->url, cfg->allow_plain_http_loopback)) {
        set_error(error, error_size, "%s", "refusing a hub URL that is not https://");
        return KIOSK_CONFIG;
    }
    char *body = NULL;
    size_t len = 0;
    kiosk_rc rc = sync_status_request_encode(uuids, n, &body, &len);
    if (rc != KIOSK_OK)
        return rc;
    pthread_once(&curl_once, curl_init_once);
    session se = {.curl = curl_easy_init()};
    kiosk_buf rep;
    kiosk_buf_init(&rep, SYNC_STATUS_MAX_BODY, 0);
    long status = 0;
    request rq;
    rc = se.curl
             ? post(&se, cfg, &rq, SYNC_PATH_STATUS, body, len, &status, &rep, error, error_size)
             : KIOSK_NOMEM;
    free(body);
    if (rc == KIOSK_OK && status == 200)
        rc = check_hub_signature(&rq, cfg, s, &rep, error, error_size);
    else if (rc == KIOSK_OK && status == 404) {
        set_error(error, error_size, "%s", "the hub does not answer for states (HTTP 404)");
        rc = KIOSK_UNSUPPORTED;
    } else if (rc == KIOSK_OK) {
        char code[32] = "";
        int64_t now = 0;
        if (rep.len)
            sync_error_decode((const char *)rep.data, rep.len, code, sizeof code, &now);
        set_error(error, error_size, "the hub refused the status request: HTTP %ld %s", status,
                  code);
        rc = status == 401 || status == 403 ? KIOSK_AUTH
             : status >= 500                ? KIOSK_NET
                                            : KIOSK_INVALID;
    }
    size_t got = 0;
    if (rc == KIOSK_OK) {
        rc = rep.len
                 ? sync_status_reply_decode((const char *)rep.data, rep.len, out, &got, hub_now_ms)
                 : KIOSK_INVALID;
        for (size_t i = 0; rc == KIOSK_OK && i < n; i++)
            if (got != n || strcmp(out[i].uuid, uuids[i]) != 0)
                rc = KIOSK_INVALID;
        if (rc != KIOSK_OK) {
            set_error(error, error_size, "%s", "the hub's status reply is not the protocol");
            rc = KIOSK_INVALID;
        }
    }
    kiosk_buf_deinit(&rep);
    if (se.curl)
        curl_easy_cleanup(se.curl);
    return rc;
}
