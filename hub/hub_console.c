/*
 * The web console's pages (hub_console.h): each request is judged (path, session, role,
 * CSRF token on a POST), its data read through hub_db, and its page written into one
 * buffer with every stored text HTML-escaped. Chinese first with English beside, large
 * type, one stylesheet, no script (the CSP forbids any). It never opens a sealed record
 * except for the CSV export, with the upstream key file, for staff who asked for it.
 */
#include "hub/hub_console.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "core/kiosk_buf.h"
#include "core/kiosk_log.h"
#include "domain/codes.h"
#include "domain/divisions.h"
#include "hub/hub_export.h"
#include "hub/hub_staff.h"
#include "proto/receipt_payload.h"
#include "proto/sync_proto.h"
#include "proto/sync_status.h"

#define COOKIE_SESSION "kh_session"
#define COOKIE_LOGIN "kh_login" /* the login form's CSRF token (double submit) */
#define PAGE_MAX (8u << 20)
#define DAY_MS 86400000LL
#define CST_MS (8 * 3600000LL) /* the halls' time: China Standard Time, UTC+8 */
#define HELP_WINDOW_MS DAY_MS
#define STALE_MS DAY_MS /* a unit silent this long is shown in red */

/* The records' counts per (unit, store epoch) and per (unit, day of the last 31), for the
 * units and days pages: a region's million records are not counted again on each view.
 * Records received up to `cutoff` (SETTLE_MS before the last view) are counted here once;
 * those after it are counted at each view. Records are never deleted at the hub, and a
 * record's arrival time is its hub's clock when it commits, so a record counted late (a
 * transaction or a hub's clock more than SETTLE_MS behind) is the one thing this misses
 * until the hub restarts. */
#define SETTLE_MS (10 * 60000LL)
#define DAYS_KEPT 31

typedef struct ep_row {
    char key[65], epoch[33];
    int64_t count, lo, hi;
} ep_row;

/* the services a record's metadata names (record_meta.record_type), then any other type,
 * then records sent without metadata (units from before it) */
enum { SVC_REGISTRATION, SVC_DEREGISTRATION, SVC_JOBSEEKER, SVC_OTHER, SVC_NONE, SVC_COUNT };
static const struct {
    const char *type, *zh, *en;
} services[SVC_COUNT] = {
    [SVC_REGISTRATION] = {"registration", "失业登记", "Unemployment registration"},
    [SVC_DEREGISTRATION] = {"deregistration", "就业/失业注销申报", "Deregistration"},
    [SVC_JOBSEEKER] = {"jobseeker", "求职登记", "Jobseeker registration"},
    [SVC_OTHER] = {NULL, "其他", "Other"},
    [SVC_NONE] = {"", "未注明", "Not stated (older units)"},
};

static int service_of(const char *type)
{
    for (int i = 0; i < SVC_COUNT; i++)
        if (services[i].type && strcmp(services[i].type, type) == 0)
            return i;
    return SVC_OTHER;
}

typedef struct day_row {
    char key[65];
    int64_t day, count, last; /* last: the latest arrival that day */
    int64_t per[SVC_COUNT];   /* count per service */
} day_row;

typedef struct counts {
    ep_row *ep; /* sorted by (key, epoch) */
    size_t nep, cap_ep;
    day_row *day; /* unsorted; one (key, day) may be there several times: they add up */
    size_t nday, cap_day, compacted;
} counts;

struct hub_console {
    hub_db *db;
    char *key_file;
    char *assets_dir;
    int tls;
    int allow_plain_login;
    counts cache;
    int64_t cutoff; /* counted up to here (received_ms) */
    int built;
    pthread_mutex_t mu; /* checks: the password checks running */
    pthread_cond_t idle;
    int checks;
    int stopping; /* hub_console_quiesce: no check starts any more */
};

struct hub_console_pending {
    hub_console *con;
    struct MHD_Connection *c;
    hub_staff_login_job job;
};

kiosk_rc hub_console_create(hub_db *db, const hub_console_options *opt, hub_console **out)
{
    *out = NULL;
    hub_console *con = calloc(1, sizeof *con);
    if (!con)
        return KIOSK_NOMEM;
    con->db = db;
    pthread_mutex_init(&con->mu, NULL);
    pthread_cond_init(&con->idle, NULL);
    con->tls = opt->tls;
    con->allow_plain_login = opt->allow_plain_login;
    if ((opt->upstream_key_file && !(con->key_file = strdup(opt->upstream_key_file))) ||
        (opt->assets_dir && !(con->assets_dir = strdup(opt->assets_dir)))) {
        hub_console_destroy(con);
        return KIOSK_NOMEM;
    }
    *out = con;
    return KIOSK_OK;
}

void hub_console_destroy(hub_console *con)
{
    if (!con)
        return;
    free(con->key_file);
    free(con->assets_dir);
    free(con->cache.ep);
    free(con->cache.day);
    pthread_cond_destroy(&con->idle);
    pthread_mutex_destroy(&con->mu);
    free(con);
}

void hub_console_quiesce(hub_console *con)
{
    if (!con)
        return;
    pthread_mutex_lock(&con->mu);
    con->stopping = 1;
    while (con->checks > 0)
        pthread_cond_wait(&con->idle, &con->mu);
    pthread_mutex_unlock(&con->mu);
}

void hub_console_pending_free(hub_console_pending *p)
{
    if (!p)
        return;
    sodium_memzero(p, sizeof *p);
    free(p);
}

/* ---- writing HTML ------------------------------------------------------------------- */

static void put(kiosk_buf *b, const char *s)
{
    (void)kiosk_buf_append_str(b, s); /* a page over its cap is refused at the end */
}

/* text with the five characters HTML gives meaning escaped */
static void esc(kiosk_buf *b, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        switch (*p) {
        case '&':
            put(b, "&amp;");
            break;
        case '<':
            put(b, "&lt;");
            break;
        case '>':
            put(b, "&gt;");
            break;
        case '"':
            put(b, "&quot;");
            break;
        case '\'':
            put(b, "&#39;");
            break;
        default:
            (void)kiosk_buf_append(b, p, 1);
        }
    }
}

static void fmt_time(int64_t ms, char *out, size_t size)
{
    if (ms <= 0) {
        snprintf(out, size, "—");
        return;
    }
    time_t t = (time_t)((ms + CST_MS) / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(out, size, "%Y-%m-%d %H:%M", &tm);
    else
        snprintf(out, size, "?");
}

static void fmt_day(int64_t day, char *out, size_t size)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(out, size, "%Y-%m-%d", &tm);
    else
        snprintf(out, size, "?");
}

typedef enum nav_item {
    NAV_UNITS,
    NAV_DAYS,
    NAV_HELP,
    NAV_EXPORT,
    NAV_AUDIT,
    NAV_FIND,
    NAV_NONE
} nav_item;

static const struct {
    const char *path, *zh, *en;
} nav[] = {
    [NAV_UNITS] = {"/console/units", "设备", "Units"},
    [NAV_DAYS] = {"/console/days", "每日记录", "Records per day"},
    [NAV_HELP] = {"/console/help", "求助", "Help requests"},
    [NAV_EXPORT] = {"/console/export", "导出", "Export"},
    [NAV_AUDIT] = {"/console/audit", "审计", "Audit"},
    [NAV_FIND] = {"/console/find", "查回执", "Find a receipt"},
};

/* The page's head and navigation; who NULL on the login page. refresh_s > 0: the page
 * reloads itself (no script). */
static void page_begin(kiosk_buf *b, const char *title_zh, const char *title_en,
                       const hub_staff *who, const char *csrf, nav_item at, int refresh_s)
{
    put(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    if (refresh_s > 0)
        (void)kiosk_buf_printf(b, "<meta http-equiv=\"refresh\" content=\"%d\">", refresh_s);
    put(b, "<link rel=\"stylesheet\" href=\"/console/style.css\"><title>");
    esc(b, title_zh);
    put(b, " ");
    esc(b, title_en);
    put(b, " · 公共就业服务自助设备</title></head><body><header><div class=\"brand\">"
           "公共就业服务自助设备 <span class=\"en\">Kiosk hub console</span></div>");
    if (who) {
        put(b, "<nav>");
        for (int i = 0; i < NAV_NONE; i++) {
            if (i == NAV_AUDIT && who->role != HUB_STAFF_REGION)
                continue;
            (void)kiosk_buf_printf(b, "<a href=\"%s\"%s>%s <span class=\"en\">%s</span></a>",
                                   nav[i].path, (int)at == i ? " class=\"at\"" : "", nav[i].zh,
                                   nav[i].en);
        }
        put(b, "</nav><form class=\"who\" method=\"post\" action=\"/console/logout\">");
        esc(b, who->name);
        (void)kiosk_buf_printf(b,
                               " <span class=\"en\">(%s)</span><input type=\"hidden\" "
                               "name=\"csrf\" value=\"%s\"><button>退出 <span "
                               "class=\"en\">Log out</span></button></form>",
                               who->role == HUB_STAFF_REGION ? "区域 region" : "大厅 hall", csrf);
    }
    put(b, "</header><main><h1>");
    esc(b, title_zh);
    put(b, " <span class=\"en\">");
    esc(b, title_en);
    put(b, "</span></h1>");
}

static void page_end(kiosk_buf *b)
{
    put(b, "</main></body></html>\n");
}

static const char stylesheet[] =
    "html{font-size:20px}body{font-family:\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\","
    "sans-serif;margin:0;color:#1a1a1a;background:#f6f6f4;line-height:1.45}"
    "header{background:#0b4f8a;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;"
    "align-items:center;gap:.6rem 1.2rem}.brand{font-weight:bold;font-size:1.1rem}"
    "header .en{color:#d6e6f5}nav{display:flex;flex-wrap:wrap;gap:.3rem}"
    "nav a{color:#fff;text-decoration:none;padding:.35rem .7rem;border-radius:.3rem}"
    "nav a.at,nav a:hover{background:#fff;color:#0b4f8a}nav a.at .en{color:#0b4f8a}"
    ".who{margin-left:auto}main{padding:1rem;max-width:84rem}"
    "h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:1.4rem 0 .5rem}"
    ".en{color:#5a5a5a;font-size:.8em;font-weight:normal}"
    ".scroll{overflow-x:auto}table{border-collapse:collapse;background:#fff;min-width:60%}"
    "th,td{border:1px solid #c8c8c8;padding:.4rem .6rem;text-align:left;vertical-align:top}"
    "th{background:#e8eef4}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.alarm "
    "td{background:#fde8e8}td.t{white-space:nowrap}.bad{color:#a30000;font-weight:bold}.ok{color:#"
    "1b5e20}"
    ".old{color:#8a5a00}a{color:#0b4f8a}"
    "button{font-size:1rem;padding:.45rem 1rem;border-radius:.3rem;border:1px solid #0b4f8a;"
    "background:#0b4f8a;color:#fff;cursor:pointer}button .en{color:#d6e6f5}header "
    "button{background:#fff;"
    "color:#0b4f8a}header button .en{color:#0b4f8a}"
    "label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{"
    "font-size:1.1rem;padding:.4rem;width:18rem;max-width:90%}"
    ".box{background:#fff;border:1px solid #c8c8c8;padding:1rem 1.2rem;max-width:40rem}"
    ".note{background:#fff8e1;border:1px solid #e0c46c;padding:.6rem .9rem;max-width:50rem}"
    ".summary{font-size:1.1rem;margin:0 0 .8rem}"
    "td.health{font-size:.85rem;min-width:15rem}table.compact td{font-size:.85rem}"
    "select{font-size:1.1rem;padding:.35rem;max-width:90%}";

/* ---- requests ------------------------------------------------------------------------ */

static void add_security_headers(struct MHD_Response *resp, int tls, int no_store)
{
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; style-src 'self'; img-src 'self';"
                            " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (no_store)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

static void wipe_free(void *p)
{
    /* the export's plaintext: its length is not known here, so the buffer carries it */
    size_t *len = (size_t *)p - 1;
    sodium_memzero(len, *len + sizeof *len);
    free(len);
}

/* Queue body (owned, freed here) with status and content type; cookies (may be NULL,
 * up to 2) as Set-Cookie; location (may be NULL) for a redirect. */
static int send_page(hub_console *con, struct MHD_Connection *c, unsigned status, const char *type,
                     char *body, size_t len, const char *const *cookies, const char *location)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    add_security_headers(resp, con->tls, 1);
    for (int i = 0; cookies && i < 2 && cookies[i]; i++)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookies[i]);
    if (location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
    int ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static int send_buf(hub_console *con, struct MHD_Connection *c, unsigned status, kiosk_buf *b,
                    const char *const *cookies)
{
    char *body = NULL;
    size_t len = 0;
    kiosk_rc rc = kiosk_buf_take(b, &body, &len);
    kiosk_buf_deinit(b);
    if (rc != KIOSK_OK)
        return MHD_NO;
    return send_page(con, c, status, "text/html; charset=utf-8", body, len, cookies, NULL);
}

static int redirect(hub_console *con, struct MHD_Connection *c, const char *to,
                    const char *const *cookies)
{
    return send_page(con, c, 303, "text/plain; charset=utf-8", NULL, 0, cookies, to);
}

static int simple_page(hub_console *con, struct MHD_Connection *c, unsigned status, const char *zh,
                       const char *en, const hub_staff *who, const char *csrf)
{
    kiosk_buf b;
    kiosk_buf_init(&b, PAGE_MAX, 0);
    page_begin(&b, zh, en, who, csrf, NAV_NONE, 0);
    (void)kiosk_buf_printf(&b, "<p><a href=\"/console/units\">返回设备列表</a> <span "
                               "class=\"en\">Back to the units</span></p>");
    page_end(&b);
    return send_buf(con, c, status, &b, NULL);
}

static void client_address(struct MHD_Connection *c, char *out, size_t size)
{
    snprintf(out, size, "?");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)size);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hub_console_form_get(const char *body, size_t len, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    if (!body)
        return 0;
    size_t klen = strlen(key);
    const char *p = body, *end = body + len;
    while (p && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t o = 0;
            for (const char *q = p + klen + 1; q < stop; q++) {
                char ch = *q;
                if (ch == '+') {
                    ch = ' ';
                } else if (ch == '%' && stop - q > 2 && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
                    ch = (char)(hexval(q[1]) * 16 + hexval(q[2]));
                    q += 2;
                }
                if (o + 1 >= cap) {
                    sodium_memzero(out, cap);
                    return 0;
                }
                out[o++] = ch;
            }
            out[o] = '\0';
            return 1;
        }
        p = amp ? amp + 1 : NULL;
    }
    return 0;
}

static int token_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == HUB_STAFF_TOKEN_HEX - 1 && strlen(b) == n && sodium_memcmp(a, b, n) == 0;
}

/* ---- the units --------------------------------------------------------------------- */

typedef struct unit {
    char key[65];
    char name[HUB_DEVICE_NAME_MAX];
    char hall[64];
    int removed;
    int64_t last_ms;
    int64_t records, max_seq, missing, epochs, conflicts, help_24h;
    int has_health; /* its latest health report, when it sent one */
    int64_t health_received_ms;
    health_report health;
} unit;

static const char units_sql[] =
    "SELECT lower(hex(d.public_key)), d.name, d.hall, d.removed_ms,"
    " max(coalesce((SELECT updated_ms FROM device_heads h WHERE h.device = d.public_key), 0),"
    " coalesce((SELECT max(received_ms) FROM events e WHERE e.device = d.public_key), 0)),"
    " (SELECT count(*) FROM reconcile c WHERE c.device = d.public_key),"
    " (SELECT count(*) FROM events e WHERE e.device = d.public_key AND e.received_ms >= $1)"
    " FROM devices d ORDER BY d.public_key";
static const char units_pg[] =
    "SELECT encode(d.public_key, 'hex'), d.name, d.hall, d.removed_ms,"
    " greatest(coalesce((SELECT updated_ms FROM device_heads h WHERE h.device = d.public_key), 0),"
    " coalesce((SELECT max(received_ms) FROM events e WHERE e.device = d.public_key), 0)),"
    " (SELECT count(*) FROM reconcile c WHERE c.device = d.public_key),"
    " (SELECT count(*) FROM events e WHERE e.device = d.public_key AND e.received_ms >= $1)"
    " FROM devices d ORDER BY d.public_key";

/* every record per (unit, epoch), from the unique index (device, epoch, seq) alone: a
 * record's sealed bytes (kilobytes, before the other columns) are never read */
static const char full_ep_sql[] =
    "SELECT lower(hex(device)), lower(hex(epoch)), count(*), min(seq), max(seq)"
    " FROM records GROUP BY device, epoch ORDER BY device, epoch";
static const char full_ep_pg[] =
    "SELECT encode(device, 'hex'), encode(epoch, 'hex'), count(*), min(seq), max(seq)"
    " FROM records GROUP BY device, epoch ORDER BY device, epoch";
/* those of them that arrived after $1 (counted again at each view), from the arrival index
 * (GROUP BY 1, 2: grouping by the columns would lead SQLite to the unique index, and to
 * every row) */
static const char after_sql[] =
    "SELECT lower(hex(device)), lower(hex(epoch)), count(*) FROM records"
    " WHERE received_ms > $1 AND received_ms <= $2 GROUP BY 1, 2";
static const char after_pg[] =
    "SELECT encode(device, 'hex'), encode(epoch, 'hex'), count(*) FROM records"
    " WHERE received_ms > $1 AND received_ms <= $2 GROUP BY 1, 2";
/* per (unit, day) in ($1, $2], from the arrival index (received_ms, device, epoch, seq) */
/* (and per service: the record's metadata, by its uuid) */
static const char full_day_sql[] =
    "SELECT lower(hex(r.device)), (r.received_ms + 28800000) / 86400000, count(*),"
    " max(r.received_ms), coalesce(m.record_type, '') FROM records r"
    " LEFT JOIN record_meta m ON m.uuid = r.uuid"
    " WHERE r.received_ms > $1 AND r.received_ms <= $2 GROUP BY 1, 2, 5";
static const char full_day_pg[] =
    "SELECT encode(r.device, 'hex'), (r.received_ms + 28800000) / 86400000, count(*),"
    " max(r.received_ms), coalesce(m.record_type, '') FROM records r"
    " LEFT JOIN record_meta m ON m.uuid = r.uuid"
    " WHERE r.received_ms > $1 AND r.received_ms <= $2 GROUP BY 1, 2, 5";
/* what arrived in ($1, $2], per (unit, epoch, day), from the arrival index */
static const char delta_sql[] =
    "SELECT lower(hex(r.device)), lower(hex(r.epoch)), (r.received_ms + 28800000) / 86400000,"
    " count(*), min(r.seq), max(r.seq), max(r.received_ms), coalesce(m.record_type, '')"
    " FROM records r LEFT JOIN record_meta m ON m.uuid = r.uuid"
    " WHERE r.received_ms > $1 AND r.received_ms <= $2 GROUP BY 1, 2, 3, 8";
static const char delta_pg[] =
    "SELECT encode(r.device, 'hex'), encode(r.epoch, 'hex'), (r.received_ms + 28800000) /"
    " 86400000, count(*), min(r.seq), max(r.seq), max(r.received_ms),"
    " coalesce(m.record_type, '') FROM records r LEFT JOIN record_meta m ON m.uuid = r.uuid"
    " WHERE r.received_ms > $1 AND r.received_ms <= $2 GROUP BY 1, 2, 3, 8";

static int ep_cmp(const void *a, const void *b)
{
    const ep_row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->epoch, y->epoch);
}

static int day_cmp(const void *a, const void *b)
{
    const day_row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->day > y->day) - (x->day < y->day);
}

static kiosk_rc counts_add_ep(counts *k, const char *key, const char *epoch, int64_t count,
                              int64_t lo, int64_t hi)
{
    ep_row probe;
    snprintf(probe.key, sizeof probe.key, "%s", key);
    snprintf(probe.epoch, sizeof probe.epoch, "%s", epoch);
    ep_row *e = k->nep ? bsearch(&probe, k->ep, k->nep, sizeof *k->ep, ep_cmp) : NULL;
    if (e) {
        e->count += count;
        e->lo = lo < e->lo ? lo : e->lo;
        e->hi = hi > e->hi ? hi : e->hi;
        return KIOSK_OK;
    }
    if (k->nep == k->cap_ep) {
        size_t cap = k->cap_ep ? 2 * k->cap_ep : 256;
        ep_row *grown = realloc(k->ep, cap * sizeof *grown);
        if (!grown)
            return KIOSK_NOMEM;
        k->ep = grown;
        k->cap_ep = cap;
    }
    size_t at = k->nep;
    while (at > 0 && ep_cmp(&k->ep[at - 1], &probe) > 0)
        at--;
    memmove(&k->ep[at + 1], &k->ep[at], (k->nep - at) * sizeof *k->ep);
    probe.count = count;
    probe.lo = lo;
    probe.hi = hi;
    k->ep[at] = probe;
    k->nep++;
    return KIOSK_OK;
}

static kiosk_rc counts_add_day(counts *k, const char *key, int64_t day, int64_t count, int64_t last,
                               const char *type)
{
    if (k->nday == k->cap_day) {
        size_t cap = k->cap_day ? 2 * k->cap_day : 1024;
        day_row *grown = realloc(k->day, cap * sizeof *grown);
        if (!grown)
            return KIOSK_NOMEM;
        k->day = grown;
        k->cap_day = cap;
    }
    day_row *d = &k->day[k->nday++];
    snprintf(d->key, sizeof d->key, "%s", key);
    d->day = day;
    d->count = count;
    d->last = last;
    memset(d->per, 0, sizeof d->per);
    d->per[service_of(type)] = count;
    return KIOSK_OK;
}

/* drop the days before first, and add up the rows of one (unit, day) */
static void counts_compact(counts *k, int64_t first)
{
    size_t o = 0;
    for (size_t i = 0; i < k->nday; i++)
        if (k->day[i].day >= first)
            k->day[o++] = k->day[i];
    k->nday = o;
    if (k->nday > 1)
        qsort(k->day, k->nday, sizeof *k->day, day_cmp);
    o = 0;
    for (size_t i = 0; i < k->nday; i++) {
        if (o && day_cmp(&k->day[o - 1], &k->day[i]) == 0) {
            k->day[o - 1].count += k->day[i].count;
            for (int s = 0; s < SVC_COUNT; s++)
                k->day[o - 1].per[s] += k->day[i].per[s];
            if (k->day[i].last > k->day[o - 1].last)
                k->day[o - 1].last = k->day[i].last;
        } else {
            k->day[o++] = k->day[i];
        }
    }
    k->nday = o;
    k->compacted = o;
}

/* add what arrived in (from, to] */
static kiosk_rc counts_delta(hub_console *con, counts *k, int64_t from, int64_t to, int64_t first)
{
    hub_qparam p[] = {{.kind = 'i', .i = from}, {.kind = 'i', .i = to}};
    hub_rows *r;
    kiosk_rc rc = hub_db_query(con->db, delta_sql, delta_pg, p, 2, &r, NULL);
    for (size_t i = 0; rc == KIOSK_OK && i < r->nrows; i++) {
        rc = counts_add_ep(k, hub_rows_get(r, i, 0), hub_rows_get(r, i, 1), hub_rows_i64(r, i, 3),
                           hub_rows_i64(r, i, 4), hub_rows_i64(r, i, 5));
        if (rc == KIOSK_OK && hub_rows_i64(r, i, 2) >= first)
            rc =
                counts_add_day(k, hub_rows_get(r, i, 0), hub_rows_i64(r, i, 2),
                               hub_rows_i64(r, i, 3), hub_rows_i64(r, i, 6), hub_rows_get(r, i, 7));
    }
    hub_rows_free(r);
    return rc;
}

static void counts_free(counts *k)
{
    free(k->ep);
    free(k->day);
    memset(k, 0, sizeof *k);
}

/* The counts as of now into *out (caller frees with counts_free): the cache brought up to
 * now - SETTLE_MS, then a copy with what arrived since. */
static kiosk_rc counts_now(hub_console *con, int64_t now_ms, counts *out)
{
    memset(out, 0, sizeof *out);
    int64_t cutoff = now_ms - SETTLE_MS;
    int64_t first = (now_ms + CST_MS) / DAY_MS - (DAYS_KEPT - 1);
    counts *k = &con->cache;
    kiosk_rc rc = KIOSK_OK;
    if (!con->built) {
        counts_free(k);
        /* every record, less those after the cut (they are counted at each view; a lowest
         * and highest seq or arrival counted twice is still the same one) */
        hub_rows *r;
        rc = hub_db_query(con->db, full_ep_sql, full_ep_pg, NULL, 0, &r, NULL);
        for (size_t i = 0; rc == KIOSK_OK && i < r->nrows; i++)
            rc = counts_add_ep(k, hub_rows_get(r, i, 0), hub_rows_get(r, i, 1),
                               hub_rows_i64(r, i, 2), hub_rows_i64(r, i, 3), hub_rows_i64(r, i, 4));
        hub_rows_free(r);
        r = NULL;
        hub_qparam p[] = {{.kind = 'i', .i = cutoff}, {.kind = 'i', .i = INT64_MAX}};
        if (rc == KIOSK_OK)
            rc = hub_db_query(con->db, after_sql, after_pg, p, 2, &r, NULL);
        for (size_t i = 0; rc == KIOSK_OK && i < r->nrows; i++) {
            ep_row probe;
            snprintf(probe.key, sizeof probe.key, "%s", hub_rows_get(r, i, 0));
            snprintf(probe.epoch, sizeof probe.epoch, "%s", hub_rows_get(r, i, 1));
            ep_row *e = bsearch(&probe, k->ep, k->nep, sizeof *k->ep, ep_cmp);
            if (e) /* else: it arrived between the two statements, and is counted later */
                e->count -= hub_rows_i64(r, i, 2);
        }
        hub_rows_free(r);
        r = NULL;
        hub_qparam q[] = {{.kind = 'i', .i = first * DAY_MS - CST_MS - 1},
                          {.kind = 'i', .i = cutoff}};
        if (rc == KIOSK_OK)
            rc = hub_db_query(con->db, full_day_sql, full_day_pg, q, 2, &r, NULL);
        for (size_t i = 0; rc == KIOSK_OK && i < r->nrows; i++)
            rc =
                counts_add_day(k, hub_rows_get(r, i, 0), hub_rows_i64(r, i, 1),
                               hub_rows_i64(r, i, 2), hub_rows_i64(r, i, 3), hub_rows_get(r, i, 4));
        hub_rows_free(r);
        if (rc != KIOSK_OK) {
            counts_free(k);
            return rc;
        }
        con->cutoff = cutoff;
        con->built = 1;
        counts_compact(k, first);
    } else if (cutoff > con->cutoff) {
        rc = counts_delta(con, k, con->cutoff, cutoff, first);
        if (rc != KIOSK_OK) { /* half added: count again from scratch next time */
            con->built = 0;
            return rc;
        }
        con->cutoff = cutoff;
        if (k->nday > 2 * k->compacted + 1024 || (k->nday && k->day[0].day < first))
            counts_compact(k, first);
    }
    out->ep = k->nep ? malloc(k->nep * sizeof *out->ep) : NULL;
    out->day = k->nday ? malloc(k->nday * sizeof *out->day) : NULL;
    if ((k->nep && !out->ep) || (k->nday && !out->day)) {
        counts_free(out);
        return KIOSK_NOMEM;
    }
    if (k->nep)
        memcpy(out->ep, k->ep, k->nep * sizeof *out->ep);
    if (k->nday)
        memcpy(out->day, k->day, k->nday * sizeof *out->day);
    out->nep = out->cap_ep = k->nep;
    out->nday = out->cap_day = k->nday;
    rc = counts_delta(con, out, con->cutoff, INT64_MAX, first);
    if (rc != KIOSK_OK)
        counts_free(out);
    return rc;
}

static int unit_cmp_key(const void *a, const void *b)
{
    return strcmp(((const unit *)a)->key, ((const unit *)b)->key);
}

static int unit_cmp_show(const void *a, const void *b)
{
    const unit *x = a, *y = b;
    int c = strcmp(x->hall, y->hall);
    if (c == 0)
        c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->key, y->key);
}

typedef struct health_ctx {
    unit *u;
    size_t n;
} health_ctx;

static kiosk_rc take_health(void *ctx, const hub_db_health *h)
{
    health_ctx *k = ctx;
    unit probe;
    sync_hex_format(h->device, 32, probe.key);
    unit *x = bsearch(&probe, k->u, k->n, sizeof *k->u, unit_cmp_key);
    if (x) {
        x->has_health = 1;
        x->health = h->report;
        x->health_received_ms = h->received_ms;
    }
    return KIOSK_OK;
}

/* The units who may see, ordered by key; with_counts: records, gaps, epochs, the last
 * record's arrival (counts_now) and the latest health report too. *out owned (free()). */
static kiosk_rc load_units(hub_console *con, const hub_staff *who, int64_t now_ms, int with_counts,
                           unit **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    hub_qparam p[] = {{.kind = 'i', .i = now_ms - HELP_WINDOW_MS}};
    hub_rows *r;
    kiosk_rc rc = hub_db_query(con->db, units_sql, units_pg, p, 1, &r, NULL);
    if (rc != KIOSK_OK)
        return rc;
    unit *u = r->nrows ? calloc(r->nrows, sizeof *u) : NULL;
    if (r->nrows && !u) {
        hub_rows_free(r);
        return KIOSK_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < r->nrows; i++) {
        if (!hub_staff_sees_hall(who, hub_rows_get(r, i, 2)))
            continue;
        unit *x = &u[k++];
        snprintf(x->key, sizeof x->key, "%s", hub_rows_get(r, i, 0));
        snprintf(x->name, sizeof x->name, "%s", hub_rows_get(r, i, 1));
        snprintf(x->hall, sizeof x->hall, "%s", hub_rows_get(r, i, 2));
        x->removed = hub_rows_get(r, i, 3)[0] != '\0';
        x->last_ms = hub_rows_i64(r, i, 4);
        x->conflicts = hub_rows_i64(r, i, 5);
        x->help_24h = hub_rows_i64(r, i, 6);
    }
    hub_rows_free(r);
    if (with_counts && k) {
        counts now;
        rc = counts_now(con, now_ms, &now);
        if (rc != KIOSK_OK) {
            free(u);
            return rc;
        }
        /* rows ordered by unit: the epoch with the lowest seq is the unit's first, its
         * numbers start at 1; a later one's between its lowest and highest */
        for (size_t i = 0; i < now.nep;) {
            size_t j = i;
            while (j < now.nep && strcmp(now.ep[j].key, now.ep[i].key) == 0)
                j++;
            unit probe;
            memcpy(probe.key, now.ep[i].key, sizeof probe.key);
            unit *x = bsearch(&probe, u, k, sizeof *u, unit_cmp_key);
            if (x) {
                size_t first = i;
                for (size_t e = i; e < j; e++)
                    if (now.ep[e].lo < now.ep[first].lo)
                        first = e;
                for (size_t e = i; e < j; e++) {
                    const ep_row *er = &now.ep[e];
                    x->records += er->count;
                    x->max_seq = er->hi > x->max_seq ? er->hi : x->max_seq;
                    x->missing += (e == first ? er->hi : er->hi - er->lo + 1) - er->count;
                    x->epochs++;
                }
            }
            i = j;
        }
        /* the last record's arrival, when it was within DAYS_KEPT days */
        for (size_t i = 0; i < now.nday; i++) {
            unit probe;
            memcpy(probe.key, now.day[i].key, sizeof probe.key);
            unit *x = bsearch(&probe, u, k, sizeof *u, unit_cmp_key);
            if (x && now.day[i].last > x->last_ms)
                x->last_ms = now.day[i].last;
        }
        counts_free(&now);
        health_ctx hc = {u, k};
        rc = hub_db_health_latest(con->db, take_health, &hc);
        if (rc != KIOSK_OK) {
            free(u);
            return rc;
        }
    }
    *out = u;
    *n = k;
    return KIOSK_OK;
}

/* The units table is a list of columns, so a column (a unit's health: reader, printer,
 * disk, battery, backlog, version) is one more row here. */
typedef struct unit_column {
    const char *zh, *en;
    void (*cell)(kiosk_buf *b, const unit *u, int64_t now_ms);
} unit_column;

static void cell_name(kiosk_buf *b, const unit *u, int64_t now_ms)
{
    (void)now_ms;
    (void)kiosk_buf_printf(b, "<td><a href=\"/console/unit?id=%s\">", u->key);
    esc(b, u->name[0] ? u->name : "(未命名 unnamed)");
    /* a health problem shows beside the name too: the health column may be off a tablet's
     * screen */
    int problem = u->has_health && hub_health_problem(&u->health, NULL, 0);
    (void)kiosk_buf_printf(b, "</a>%s%s<br><span class=\"en\">%.12s…</span></td>",
                           u->removed ? " <span class=\"old\">已停用 retired</span>" : "",
                           problem ? " <span class=\"bad\" title=\"设备状态 health\">⚠</span>" : "",
                           u->key);
}

static void cell_hall(kiosk_buf *b, const unit *u, int64_t now_ms)
{
    (void)now_ms;
    put(b, "<td>");
    esc(b, u->hall[0] ? u->hall : "—");
    put(b, "</td>");
}

static void cell_last(kiosk_buf *b, const unit *u, int64_t now_ms)
{
    char t[32];
    fmt_time(u->last_ms, t, sizeof t);
    int stale = !u->removed && (u->last_ms <= 0 || now_ms - u->last_ms > STALE_MS);
    (void)kiosk_buf_printf(b, "<td class=\"t%s\">%s</td>", stale ? " old" : "", t);
}

static void cell_records(kiosk_buf *b, const unit *u, int64_t now_ms)
{
    (void)now_ms;
    (void)kiosk_buf_printf(b, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td>",
                           (long long)u->records, (long long)u->max_seq);
}

static void cell_missing(kiosk_buf *b, const unit *u, int64_t now_ms)
{
    (void)now_ms;
    if (u->missing > 0)
        (void)kiosk_buf_printf(b, "<td class=\"n bad\">%lld 缺号 missing</td>",
                               (long long)u->missing);
    else
        put(b, "<td class=\"n ok\">0</td>");
}

static void cell_epochs(kiosk_buf *b, const unit *u, int64_t now_ms)
{
    (void)now_ms;
    (void)kiosk_buf_printf(b, "<td class=\"n%s\">%lld</td>", u->epochs > 1 ? " old" : "",
                           (long long)u->epochs);
    if (u->conflicts > 0)
        (void)kiosk_buf_printf(b, "<td class=\"n bad\">%lld</td>", (long long)u->conflicts);
    else
        put(b, "<td class=\"n ok\">0</td>");
}

static void cell_help(kiosk_buf *b, const unit *u, int64_t now_ms)
{
    (void)now_ms;
    (void)kiosk_buf_printf(b, "<td class=\"n%s\">%lld</td>", u->help_24h ? " old" : "",
                           (long long)u->help_24h);
}

static const char *reader_zh(health_reader r)
{
    switch (r) {
    case HEALTH_READER_OK:
        return "正常 ok";
    case HEALTH_READER_FAULT:
        return "故障 fault";
    case HEALTH_READER_UNKNOWN:
    case HEALTH_READER_COUNT:
        break;
    }
    return "未知 unknown";
}

static const char *printer_zh(health_printer p)
{
    switch (p) {
    case HEALTH_PRINTER_OK:
        return "正常 ok";
    case HEALTH_PRINTER_IMAGE:
        return "图像 image";
    case HEALTH_PRINTER_PAPER_OUT:
        return "缺纸 paper out";
    case HEALTH_PRINTER_OFFLINE:
        return "离线 offline";
    case HEALTH_PRINTER_FAULT:
        return "故障 fault";
    case HEALTH_PRINTER_UNKNOWN:
    case HEALTH_PRINTER_COUNT:
        break;
    }
    return "未知 unknown";
}

static void put_disk(kiosk_buf *b, const health_report *r)
{
    (void)kiosk_buf_printf(b, "%d%% (%.1f GB)", r->disk_free_pct, (double)r->disk_free_bytes / 1e9);
}

static void put_battery(kiosk_buf *b, const health_report *r)
{
    if (r->battery_pct < 0)
        put(b, r->power == HEALTH_POWER_MAINS ? "市电 mains" : "—");
    else
        (void)kiosk_buf_printf(b, "%d%%%s", r->battery_pct,
                               r->power == HEALTH_POWER_CHARGING ? " 充电 charging" : "");
}

static void put_update(kiosk_buf *b, const health_report *r)
{
    if (!r->has_update) {
        put(b, "—");
        return;
    }
    int bad = r->update.result != HEALTH_UPDATE_INSTALLED;
    put(b, bad ? "<span class=\"bad\">" : "<span>");
    esc(b, r->update.version);
    put(b, " ");
    esc(b, health_update_result_name(r->update.result));
    if (r->update.detail[0]) {
        put(b, " (");
        esc(b, r->update.detail);
        put(b, ")");
    }
    put(b, "</span>");
}

/* the unit's latest health report in one cell: a problem (hub_health_problem) first, in red */
static void cell_health(kiosk_buf *b, const unit *u, int64_t now_ms)
{
    (void)now_ms;
    if (!u->has_health) {
        put(b, "<td class=\"health old\">尚无报告 <span class=\"en\">no report yet</span></td>");
        return;
    }
    const health_report *r = &u->health;
    char why[320];
    int problem = hub_health_problem_zh(r, why, sizeof why);
    put(b, problem ? "<td class=\"health\"><span class=\"bad\">⚠ " : "<td class=\"health\">");
    if (problem) {
        esc(b, why);
        put(b, "</span><br>");
    }
    put(b, "版本 <span class=\"en\">version</span> ");
    esc(b, r->version);
    (void)kiosk_buf_printf(b,
                           "<br>读卡器 <span class=\"en\">reader</span> %s · 打印机 <span "
                           "class=\"en\">printer</span> %s<br>磁盘 <span class=\"en\">disk "
                           "free</span> ",
                           reader_zh(r->reader), printer_zh(r->printer));
    put_disk(b, r);
    put(b, " · 电池 <span class=\"en\">battery</span> ");
    put_battery(b, r);
    (void)kiosk_buf_printf(b, "<br>积压 <span class=\"en\">backlog</span> <span%s>%lld</span>",
                           r->backlog > 0 ? " class=\"old\"" : "", (long long)r->backlog);
    put(b, "</td>");
}

/* a cell function may write several cells: its header names them all */
static const unit_column unit_columns[] = {
    {"设备", "Unit", cell_name},
    {"大厅", "Hall", cell_hall},
    {"最后联系", "Last contact", cell_last},
    {"记录数</th><th>最高序号", "Records</th><th>Highest seq", cell_records},
    {"缺号", "Gaps", cell_missing},
    {"存储纪元</th><th>待核对", "Store epochs</th><th>Conflicts", cell_epochs},
    {"求助(24小时)", "Help (24 h)", cell_help},
    {"设备状态", "Health", cell_health},
};

static void unit_header(kiosk_buf *b)
{
    put(b, "<tr>");
    for (size_t i = 0; i < sizeof unit_columns / sizeof unit_columns[0]; i++) {
        /* a header of two cells: "zh1</th><th>zh2" and "en1</th><th>en2" */
        const char *zs = strstr(unit_columns[i].zh, "</th><th>");
        const char *es = strstr(unit_columns[i].en, "</th><th>");
        if (zs && es)
            (void)kiosk_buf_printf(b,
                                   "<th>%.*s <span class=\"en\">%.*s</span></th><th>%s <span "
                                   "class=\"en\">%s</span></th>",
                                   (int)(zs - unit_columns[i].zh), unit_columns[i].zh,
                                   (int)(es - unit_columns[i].en), unit_columns[i].en, zs + 9,
                                   es + 9);
        else
            (void)kiosk_buf_printf(b, "<th>%s <span class=\"en\">%s</span></th>",
                                   unit_columns[i].zh, unit_columns[i].en);
    }
    put(b, "</tr>");
}

static void unit_row(kiosk_buf *b, const unit *u, int64_t now_ms)
{
    put(b, u->missing > 0 || u->conflicts > 0 ? "<tr class=\"alarm\">" : "<tr>");
    for (size_t i = 0; i < sizeof unit_columns / sizeof unit_columns[0]; i++)
        unit_columns[i].cell(b, u, now_ms);
    put(b, "</tr>");
}

static int page_units(hub_console *con, struct MHD_Connection *c, const hub_staff *who,
                      const char *csrf, int64_t now_ms)
{
    unit *u;
    size_t n;
    kiosk_rc rc = load_units(con, who, now_ms, 1, &u, &n);
    if (rc != KIOSK_OK)
        return simple_page(con, c, 503, "数据库暂不可用", "The store is not available", who, csrf);
    qsort(u, n, sizeof *u, unit_cmp_show);
    size_t gaps = 0, conflicts = 0, stale = 0;
    for (size_t i = 0; i < n; i++) {
        gaps += u[i].missing > 0;
        conflicts += u[i].conflicts > 0;
        stale += !u[i].removed && (u[i].last_ms <= 0 || now_ms - u[i].last_ms > STALE_MS);
    }
    kiosk_buf b;
    kiosk_buf_init(&b, PAGE_MAX, 0);
    page_begin(&b, "设备", "Units", who, csrf, NAV_UNITS, 0);
    (void)kiosk_buf_printf(
        &b,
        "<p class=\"summary\">共 %zu 台 <span class=\"en\">units</span> · <span%s>%zu 台缺号 "
        "<span class=\"en\">with gaps</span></span> · <span%s>%zu 台待核对 <span "
        "class=\"en\">with conflicts</span></span> · <span%s>%zu 台超过一天未联系 <span "
        "class=\"en\">silent over a day</span></span></p><div class=\"scroll\"><table>",
        n, gaps ? " class=\"bad\"" : "", gaps, conflicts ? " class=\"bad\"" : "", conflicts,
        stale ? " class=\"old\"" : "", stale);
    unit_header(&b);
    for (size_t i = 0; i < n; i++)
        unit_row(&b, &u[i], now_ms);
    put(&b, "</table></div>");
    if (n == 0)
        put(&b, "<p>没有可显示的设备。<span class=\"en\">No units to show.</span></p>");
    page_end(&b);
    free(u);
    return send_buf(con, c, 200, &b, NULL);
}

/* The unit of id (hex key) if who may see it: 1 and *out filled, else 0. */
static int find_unit(hub_console *con, const hub_staff *who, const char *id, int64_t now_ms,
                     unit *out)
{
    if (!id || strlen(id) != 64)
        return 0;
    unit *u;
    size_t n;
    if (load_units(con, who, now_ms, 1, &u, &n) != KIOSK_OK)
        return 0;
    unit probe;
    snprintf(probe.key, sizeof probe.key, "%s", id);
    for (char *p = probe.key; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    unit *x = bsearch(&probe, u, n, sizeof *u, unit_cmp_key);
    if (x)
        *out = *x;
    free(u);
    return x != NULL;
}

static const char *state_zh(const char *state)
{
    if (strcmp(state, "received") == 0)
        return "已收到";
    if (strcmp(state, "processing") == 0)
        return "办理中";
    if (strcmp(state, "approved") == 0)
        return "已办结";
    if (strcmp(state, "needs_materials") == 0)
        return "需补材料";
    return "?";
}

/* a note code (sync_state_notes) as staff read it */
static const char *note_zh(const char *code)
{
    static const struct {
        const char *code, *zh;
    } names[] = {
        {"id_document", "身份证件"},
        {"household", "户口簿或居住证"},
        {"contract_end", "解除或终止劳动合同证明"},
        {"photo", "照片"},
        {"bank_account", "银行账户"},
        {"education", "学历证明"},
        {"signature", "本人签字"},
        {"other", "其他（请到窗口）"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].code, code) == 0)
            return names[i].zh;
    return "";
}

static void put_state(kiosk_buf *b, const char *state, const char *note)
{
    (void)kiosk_buf_printf(b, "<span class=\"%s\">%s <span class=\"en\">",
                           strcmp(state, "needs_materials") == 0 ? "old"
                           : strcmp(state, "approved") == 0      ? "ok"
                                                                 : "",
                           state_zh(state));
    esc(b, state);
    if (note && note[0]) {
        put(b, ": ");
        esc(b, note);
    }
    put(b, "</span></span>");
    if (note && note[0] && note_zh(note)[0])
        (void)kiosk_buf_printf(b, " · 缺%s", note_zh(note));
}

static void put_service(kiosk_buf *b, const char *type)
{
    int s = service_of(type);
    (void)kiosk_buf_printf(b, "%s <span class=\"en\">", services[s].zh);
    esc(b, s == SVC_OTHER ? type : services[s].en);
    put(b, "</span>");
}

typedef struct history_ctx {
    hub_db_health *rows;
    size_t n, cap;
} history_ctx;

static kiosk_rc take_history(void *ctx, const hub_db_health *h)
{
    history_ctx *k = ctx;
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 64;
        hub_db_health *grown = realloc(k->rows, cap * sizeof *grown);
        if (!grown)
            return KIOSK_NOMEM;
        k->rows = grown;
        k->cap = cap;
    }
    hub_db_health *x = &k->rows[k->n++];
    *x = *h;
    x->device = NULL; /* borrowed for the callback only: not kept */
    x->device_name = NULL;
    x->source = strcmp(h->source, "bundle") == 0 ? "bundle" : "http";
    return KIOSK_OK;
}

/* one unit's health reports of the last HUB_HEALTH_RETENTION_DAYS days, newest first */
static void put_health_history(hub_console *con, kiosk_buf *b, const uint8_t pk[32], int64_t now_ms)
{
    (void)kiosk_buf_printf(b,
                           "<h2>设备状态（最近%d天） <span class=\"en\">Health reports, the last "
                           "%d days</span></h2>",
                           HUB_HEALTH_RETENTION_DAYS, HUB_HEALTH_RETENTION_DAYS);
    history_ctx k = {0};
    kiosk_rc rc =
        hub_db_health_history(con->db, pk, now_ms - HUB_HEALTH_RETENTION_MS, take_history, &k);
    if (rc != KIOSK_OK || k.n == 0) {
        put(b, rc == KIOSK_OK ? "<p class=\"old\">尚无报告。<span class=\"en\">No report "
                                "yet.</span></p>"
                              : "<p class=\"bad\">数据库暂不可用。<span class=\"en\">The store "
                                "is not available.</span></p>");
        free(k.rows);
        return;
    }
    put(b, "<div class=\"scroll\"><table class=\"compact\"><tr><th>设备时间 <span "
           "class=\"en\">Unit's clock</span></th><th>版本 <span class=\"en\">Version</span>"
           "</th><th>读卡器 <span class=\"en\">Reader</span></th><th>打印机 <span "
           "class=\"en\">Printer</span></th><th>磁盘 <span class=\"en\">Disk free</span></th>"
           "<th>电池 <span class=\"en\">Battery</span></th><th>积压 <span "
           "class=\"en\">Backlog</span></th><th>办理/求助 <span class=\"en\">Sessions / "
           "help</span></th><th>更新 <span class=\"en\">Update</span></th><th>问题 <span "
           "class=\"en\">Problem</span></th></tr>");
    for (size_t i = k.n; i-- > 0 && k.n - i <= 200;) {
        const health_report *r = &k.rows[i].report;
        char t[32], why[320];
        fmt_time(r->at_ms, t, sizeof t);
        int problem = hub_health_problem_zh(r, why, sizeof why);
        (void)kiosk_buf_printf(b, "<tr%s><td class=\"t\">%s</td><td>",
                               problem ? " class=\"alarm\"" : "", t);
        esc(b, r->version);
        (void)kiosk_buf_printf(b, "</td><td>%s</td><td>%s</td><td class=\"n\">",
                               reader_zh(r->reader), printer_zh(r->printer));
        put_disk(b, r);
        put(b, "</td><td class=\"n\">");
        put_battery(b, r);
        (void)kiosk_buf_printf(b,
                               "</td><td class=\"n\">%lld</td><td class=\"n\">%lld / %lld</td>"
                               "<td>",
                               (long long)r->backlog, (long long)r->sessions,
                               (long long)r->help_requests);
        put_update(b, r);
        put(b, "</td><td>");
        if (problem) {
            put(b, "<span class=\"bad\">");
            esc(b, why);
            put(b, "</span>");
        }
        put(b, "</td></tr>");
    }
    put(b, "</table></div>");
    free(k.rows);
}

static int page_unit(hub_console *con, struct MHD_Connection *c, const hub_staff *who,
                     const char *csrf, int64_t now_ms)
{
    const char *id = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id");
    unit u;
    uint8_t pk[32];
    /* another hall's unit is answered exactly as a unit that does not exist */
    if (!find_unit(con, who, id, now_ms, &u) || !sync_hex_parse(u.key, pk, sizeof pk))
        return simple_page(con, c, 404, "没有这台设备", "No such unit", who, csrf);
    kiosk_buf b;
    kiosk_buf_init(&b, PAGE_MAX, 0);
    page_begin(&b, u.name[0] ? u.name : "设备", "Unit", who, csrf, NAV_UNITS, 0);
    put(&b, "<div class=\"scroll\"><table>");
    unit_header(&b);
    unit_row(&b, &u, now_ms);
    put(&b, "</table></div>");
    put_health_history(con, &b, pk, now_ms);
    put(&b, "<h2>缺号 <span class=\"en\">Gaps (missing sequence numbers)</span></h2>");
    hub_gap *gaps = NULL;
    size_t ng = 0;
    if (hub_db_gaps(con->db, pk, &gaps, &ng) == KIOSK_OK && ng) {
        put(&b, "<table><tr><th>存储纪元 <span class=\"en\">Store epoch</span></th><th>从 <span "
                "class=\"en\">From</span></th><th>到 <span class=\"en\">To</span></th><th>缺 "
                "<span class=\"en\">Missing</span></th></tr>");
        for (size_t i = 0; i < ng && i < 200; i++) {
            char ep[33];
            sync_hex_format(gaps[i].epoch, 16, ep);
            (void)kiosk_buf_printf(&b,
                                   "<tr class=\"bad\"><td>%.8s…</td><td class=\"n\">%lld</td><td "
                                   "class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>",
                                   ep, (long long)gaps[i].first, (long long)gaps[i].last,
                                   (long long)(gaps[i].last - gaps[i].first + 1));
        }
        put(&b, "</table>");
    } else {
        put(&b, "<p class=\"ok\">没有缺号。<span class=\"en\">No gaps.</span></p>");
    }
    free(gaps);

    hub_qparam p[] = {{.kind = 'b', .b = pk, .len = 32}};
    hub_rows *r = NULL;
    put(&b, "<h2>最新的记录 <span class=\"en\">The latest records</span></h2>");
    if (hub_db_query(con->db,
                     /* the highest numbers: from the unique index, then 20 rows (a SQLite
                      * row's sealed bytes come before its other columns) */
                     "SELECT r.seq, r.received_ms, r.source, r.uuid, coalesce(m.record_type, ''),"
                     " coalesce(m.receipt_no, ''), coalesce(s.state, 'received'),"
                     " coalesce(s.note, '') FROM records r"
                     " LEFT JOIN record_meta m ON m.uuid = r.uuid"
                     " LEFT JOIN record_states s ON s.uuid = r.uuid WHERE r.rowid IN"
                     " (SELECT rowid FROM records WHERE device = $1 ORDER BY seq DESC LIMIT 20)"
                     " ORDER BY r.seq DESC",
                     "SELECT r.seq, r.received_ms, r.source, r.uuid, coalesce(m.record_type, ''),"
                     " coalesce(m.receipt_no, ''), coalesce(s.state, 'received'),"
                     " coalesce(s.note, '') FROM records r"
                     " LEFT JOIN record_meta m ON m.uuid = r.uuid"
                     " LEFT JOIN record_states s ON s.uuid = r.uuid WHERE r.device = $1"
                     " ORDER BY r.seq DESC LIMIT 20",
                     p, 1, &r, NULL) == KIOSK_OK &&
        r->nrows) {
        put(&b, "<table><tr><th>序号 <span class=\"en\">Seq</span></th><th>收到 <span "
                "class=\"en\">Received</span></th><th>途径 <span class=\"en\">By</span></th>"
                "<th>业务 <span class=\"en\">Service</span></th><th>回执号 <span "
                "class=\"en\">Receipt</span></th><th>办理状态 <span class=\"en\">State</span>"
                "</th></tr>");
        for (size_t i = 0; i < r->nrows; i++) {
            char t[32];
            fmt_time(hub_rows_i64(r, i, 1), t, sizeof t);
            (void)kiosk_buf_printf(&b, "<tr><td class=\"n\"><a href=\"/console/record?uuid=");
            esc(&b, hub_rows_get(r, i, 3));
            (void)kiosk_buf_printf(&b, "\">%lld</a></td><td class=\"t\">%s</td><td>",
                                   (long long)hub_rows_i64(r, i, 0), t);
            esc(&b,
                strcmp(hub_rows_get(r, i, 2), "bundle") == 0 ? "U盘 USB stick" : "网络 network");
            put(&b, "</td><td>");
            put_service(&b, hub_rows_get(r, i, 4));
            put(&b, "</td><td>");
            esc(&b, hub_rows_get(r, i, 5)[0] ? hub_rows_get(r, i, 5) : "—");
            put(&b, "</td><td>");
            put_state(&b, hub_rows_get(r, i, 6), hub_rows_get(r, i, 7));
            put(&b, "</td></tr>");
        }
        put(&b, "</table>");
    } else {
        put(&b, "<p>还没有记录。<span class=\"en\">No records yet.</span></p>");
    }
    hub_rows_free(r);
    r = NULL;
    put(&b, "<h2>拒收待核对 <span class=\"en\">Refused, kept for reconciliation</span></h2>");
    if (hub_db_query(con->db,
                     "SELECT seq, reason, received_ms FROM reconcile WHERE device = $1"
                     " ORDER BY received_ms DESC LIMIT 20",
                     NULL, p, 1, &r, NULL) == KIOSK_OK &&
        r->nrows) {
        put(&b, "<table><tr><th>序号 <span class=\"en\">Seq</span></th><th>原因 <span "
                "class=\"en\">Reason</span></th><th>收到 <span class=\"en\">Received</span></th>"
                "</tr>");
        for (size_t i = 0; i < r->nrows; i++) {
            char t[32];
            fmt_time(hub_rows_i64(r, i, 2), t, sizeof t);
            (void)kiosk_buf_printf(&b, "<tr class=\"bad\"><td class=\"n\">%lld</td><td>",
                                   (long long)hub_rows_i64(r, i, 0));
            esc(&b, hub_rows_get(r, i, 1));
            (void)kiosk_buf_printf(&b, "</td><td>%s</td></tr>", t);
        }
        put(&b, "</table>");
    } else {
        put(&b, "<p class=\"ok\">没有。<span class=\"en\">None.</span></p>");
    }
    hub_rows_free(r);
    r = NULL;
    put(&b, "<h2>求助 <span class=\"en\">Help requests</span></h2>");
    if (hub_db_query(con->db,
                     "SELECT kind, step, at_ms, received_ms FROM events WHERE device = $1"
                     " ORDER BY received_ms DESC LIMIT 20",
                     NULL, p, 1, &r, NULL) == KIOSK_OK &&
        r->nrows) {
        put(&b, "<table><tr><th>类别 <span class=\"en\">Kind</span></th><th>步骤 <span "
                "class=\"en\">Step</span></th><th>时间 <span class=\"en\">At</span></th></tr>");
        for (size_t i = 0; i < r->nrows; i++) {
            char t[32];
            fmt_time(hub_rows_i64(r, i, 2), t, sizeof t);
            put(&b, "<tr><td>");
            esc(&b, hub_rows_get(r, i, 0));
            put(&b, "</td><td>");
            esc(&b, hub_rows_get(r, i, 1));
            (void)kiosk_buf_printf(&b, "</td><td>%s</td></tr>", t);
        }
        put(&b, "</table>");
    } else {
        put(&b, "<p>没有。<span class=\"en\">None.</span></p>");
    }
    hub_rows_free(r);
    page_end(&b);
    return send_buf(con, c, 200, &b, NULL);
}

/* ---- one record: its state, set by staff; finding a receipt ------------------------------ */

/* a uuid as the console takes it in a link or a form: [0-9A-Za-z-], 1..64 bytes */
static int uuid_arg_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-'))
            return 0;
    return 1;
}

/* The record uuid's unsealed facts, when who may see its unit: 1 and *u, *rows (owned: device
 * hex, seq, received_ms, source, record_type, receipt_no) filled; 0 when it is not held or
 * is another hall's (answered alike), -1 when the store failed. */
static int find_record(hub_console *con, const hub_staff *who, const char *uuid, int64_t now_ms,
                       unit *u, hub_rows **rows)
{
    *rows = NULL;
    if (!uuid_arg_ok(uuid))
        return 0;
    hub_qparam p[] = {{.kind = 't', .t = uuid}};
    hub_rows *r;
    if (hub_db_query(con->db,
                     "SELECT lower(hex(r.device)), r.seq, r.received_ms, r.source,"
                     " coalesce(m.record_type, ''), coalesce(m.receipt_no, '') FROM records r"
                     " LEFT JOIN record_meta m ON m.uuid = r.uuid WHERE r.uuid = $1",
                     "SELECT encode(r.device, 'hex'), r.seq, r.received_ms, r.source,"
                     " coalesce(m.record_type, ''), coalesce(m.receipt_no, '') FROM records r"
                     " LEFT JOIN record_meta m ON m.uuid = r.uuid WHERE r.uuid = $1",
                     p, 1, &r, NULL) != KIOSK_OK)
        return -1;
    unit *all;
    size_t n;
    if (r->nrows != 1 || load_units(con, who, now_ms, 0, &all, &n) != KIOSK_OK) {
        int found = r->nrows == 1 ? -1 : 0;
        hub_rows_free(r);
        return found;
    }
    unit probe;
    snprintf(probe.key, sizeof probe.key, "%s", hub_rows_get(r, 0, 0));
    unit *x = bsearch(&probe, all, n, sizeof *all, unit_cmp_key);
    if (x)
        *u = *x;
    free(all);
    if (!x) {
        hub_rows_free(r);
        return 0;
    }
    *rows = r;
    return 1;
}

static kiosk_rc put_change(void *ctx, const hub_db_state_change *ch)
{
    kiosk_buf *b = ctx;
    char t[32];
    fmt_time(ch->changed_ms, t, sizeof t);
    (void)kiosk_buf_printf(b, "<tr><td class=\"t\">%s</td><td>", t);
    put_state(b, ch->state, ch->note);
    put(b, "</td><td>");
    esc(b, ch->changed_by);
    put(b, "</td></tr>");
    return KIOSK_OK;
}

static int page_record(hub_console *con, struct MHD_Connection *c, const hub_staff *who,
                       const char *csrf, const char *uuid, const char *problem, int64_t now_ms)
{
    unit u;
    hub_rows *r;
    int found = find_record(con, who, uuid, now_ms, &u, &r);
    if (found < 0)
        return simple_page(con, c, 503, "数据库暂不可用", "The store is not available", who, csrf);
    if (found == 0) /* another hall's record is answered exactly as one not held */
        return simple_page(con, c, 404, "没有这条记录", "No such record", who, csrf);
    hub_record_state st;
    memset(&st, 0, sizeof st);
    kiosk_rc rc = hub_db_state_get(con->db, NULL, uuid, &st);
    kiosk_buf b;
    kiosk_buf_init(&b, PAGE_MAX, 0);
    page_begin(&b, "办理记录", "Record", who, csrf, NAV_NONE, 0);
    if (problem) {
        put(&b, "<p class=\"note bad\">");
        esc(&b, problem);
        put(&b, "</p>");
    }
    uint8_t pk[32];
    char dev_id[RECEIPT_DEVICE_ID_LEN + 1] = "?";
    if (sync_hex_parse(u.key, pk, sizeof pk))
        receipt_device_id(pk, dev_id);
    char t[32];
    fmt_time(hub_rows_i64(r, 0, 2), t, sizeof t);
    put(&b, "<p class=\"summary\">只显示未加密的信息；记录内容保持加密，这里不显示。<span "
            "class=\"en\">Only what is not sealed: the record's content stays sealed and is "
            "never shown here.</span></p><table><tr><th>设备 <span class=\"en\">Unit</span></th>"
            "<td>");
    (void)kiosk_buf_printf(&b, "<a href=\"/console/unit?id=%s\">", u.key);
    esc(&b, u.name[0] ? u.name : "(未命名 unnamed)");
    (void)kiosk_buf_printf(&b,
                           "</a> <span class=\"en\">%s</span></td></tr><tr><th>大厅 <span "
                           "class=\"en\">Hall</span></th><td>",
                           dev_id);
    esc(&b, u.hall[0] ? u.hall : "—");
    put(&b, "</td></tr><tr><th>业务 <span class=\"en\">Service</span></th><td>");
    put_service(&b, hub_rows_get(r, 0, 4));
    (void)kiosk_buf_printf(
        &b,
        "</td></tr><tr><th>收到 <span class=\"en\">Received</span></th><td>%s "
        "<span class=\"en\">(%s, 序号 seq %lld)</span></td></tr><tr><th>回执号 "
        "<span class=\"en\">Receipt</span></th><td>",
        t, strcmp(hub_rows_get(r, 0, 3), "bundle") == 0 ? "U盘 USB stick" : "网络 network",
        (long long)hub_rows_i64(r, 0, 1));
    if (hub_rows_get(r, 0, 5)[0]) {
        (void)kiosk_buf_printf(&b, "%s/", dev_id);
        esc(&b, hub_rows_get(r, 0, 5));
    } else {
        put(&b, "— <span class=\"en\">(sent without metadata)</span>");
    }
    put(&b, "</td></tr><tr><th>记录编号 <span class=\"en\">Record uuid</span></th><td>");
    esc(&b, uuid);
    put(&b, "</td></tr><tr><th>办理状态 <span class=\"en\">State</span></th><td id=\"state\">");
    if (rc == KIOSK_OK && st.s.state != SYNC_STATE_UNKNOWN) {
        const char *name = sync_state_name(st.s.state);
        put_state(&b, name ? name : "?", st.s.note);
        fmt_time(st.s.changed_ms, t, sizeof t);
        (void)kiosk_buf_printf(&b, " <span class=\"en\">%s, ", t);
        esc(&b, st.changed_by);
        put(&b, "</span>");
    } else {
        put(&b, "?");
    }
    put(&b, "</td></tr></table>");
    hub_rows_free(r);

    /* the form: processing / approved / needs_materials (+ a note code) */
    put(&b, "<h2>更改办理状态 <span class=\"en\">Set the processing state</span></h2>"
            "<form class=\"box\" method=\"post\" action=\"/console/record\">");
    (void)kiosk_buf_printf(&b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", csrf);
    put(&b, "<input type=\"hidden\" name=\"uuid\" value=\"");
    esc(&b, uuid);
    put(&b, "\"><label for=\"set\">状态 <span class=\"en\">State</span></label><select "
            "id=\"set\" name=\"state\"><option value=\"processing\">办理中 processing</option>"
            "<option value=\"approved\">已办结 approved</option><option "
            "value=\"needs_materials\">需补材料 needs materials</option></select><label "
            "for=\"note\">缺少的材料（仅“需补材料”） <span class=\"en\">Missing material "
            "(needs materials only)</span></label><select id=\"note\" name=\"note\"><option "
            "value=\"\">—</option>");
    for (size_t i = 0; sync_state_notes[i]; i++)
        (void)kiosk_buf_printf(&b, "<option value=\"%s\">%s %s</option>", sync_state_notes[i],
                               note_zh(sync_state_notes[i]), sync_state_notes[i]);
    put(&b, "</select><p><button id=\"set_state\">保存 <span class=\"en\">Save</span></button>"
            "</p><p class=\"en\">每次更改都记入审计和状态历史。Every change is audited and kept "
            "in the state's history.</p></form>");

    put(&b, "<h2>状态历史 <span class=\"en\">State history</span></h2><table><tr><th>时间 "
            "<span class=\"en\">At</span></th><th>状态 <span class=\"en\">State</span></th>"
            "<th>由 <span class=\"en\">By</span></th></tr>");
    (void)hub_db_state_history(con->db, uuid, put_change, &b);
    put(&b, "</table><p class=\"en\">收到之前没有更改的记录为“已收到”。A record no one has "
            "changed is \"received\".</p>");
    page_end(&b);
    return send_buf(con, c, problem ? 400 : 200, &b, NULL);
}

static int do_record_state(hub_console *con, struct MHD_Connection *c, const hub_staff *who,
                           const char *csrf, const char *body, size_t len, const char *address,
                           int64_t now_ms)
{
    char uuid[72], state_s[24], note[SYNC_STATE_NOTE_MAX + 1];
    hub_console_form_get(body, len, "uuid", uuid, sizeof uuid);
    hub_console_form_get(body, len, "state", state_s, sizeof state_s);
    hub_console_form_get(body, len, "note", note, sizeof note);
    unit u;
    hub_rows *r;
    int found = find_record(con, who, uuid, now_ms, &u, &r);
    hub_rows_free(r);
    if (found < 0)
        return simple_page(con, c, 503, "数据库暂不可用", "The store is not available", who, csrf);
    if (found == 0)
        return simple_page(con, c, 404, "没有这条记录", "No such record", who, csrf);
    sync_state st;
    if (!sync_state_parse(state_s, &st) ||
        (st != SYNC_STATE_PROCESSING && st != SYNC_STATE_APPROVED &&
         st != SYNC_STATE_NEEDS_MATERIALS) ||
        !sync_state_note_valid(note) || (note[0] && st != SYNC_STATE_NEEDS_MATERIALS))
        return page_record(con, c, who, csrf, uuid,
                           "状态或材料代码不对。The state or the note code is not valid.", now_ms);
    char actor[HUB_STATE_ACTOR_MAX];
    snprintf(actor, sizeof actor, "console:%.55s", who->name);
    kiosk_rc rc = hub_db_state_set(con->db, uuid, st, note, actor, now_ms);
    char detail[160];
    snprintf(detail, sizeof detail, "%s %s%s%s: %s", uuid, state_s, note[0] ? " " : "", note,
             rc == KIOSK_OK ? "ok" : kiosk_strerror(rc));
    hub_staff_audit(con->db, now_ms, who->name, "record_state", detail, address);
    if (rc != KIOSK_OK)
        return page_record(con, c, who, csrf, uuid,
                           "未能保存，请查看中心日志。The state was not saved.", now_ms);
    char to[128];
    snprintf(to, sizeof to, "/console/record?uuid=%s", uuid);
    return redirect(con, c, to, NULL);
}

static int page_find(hub_console *con, struct MHD_Connection *c, const hub_staff *who,
                     const char *csrf, int64_t now_ms)
{
    const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
    char want[80] = "";
    if (q) { /* trimmed */
        while (*q == ' ')
            q++;
        snprintf(want, sizeof want, "%s", q);
        for (size_t n = strlen(want); n > 0 && want[n - 1] == ' ';)
            want[--n] = '\0';
    }
    const char *problem = NULL;
    if (want[0]) {
        char uuid[SYNC_UUID_LEN + 1] = "";
        const char *slash = strchr(want, '/');
        kiosk_rc rc = KIOSK_NOT_FOUND;
        if (slash && slash - want == RECEIPT_DEVICE_ID_LEN && hub_db_meta_receipt_ok(slash + 1)) {
            unit *u;
            size_t n;
            rc = load_units(con, who, now_ms, 0, &u, &n);
            if (rc == KIOSK_OK) {
                rc = KIOSK_NOT_FOUND;
                for (size_t i = 0; i < n && rc == KIOSK_NOT_FOUND; i++) {
                    uint8_t pk[32];
                    char id[RECEIPT_DEVICE_ID_LEN + 1];
                    if (!sync_hex_parse(u[i].key, pk, sizeof pk))
                        continue;
                    receipt_device_id(pk, id);
                    if (strncasecmp(id, want, RECEIPT_DEVICE_ID_LEN) == 0)
                        rc = hub_db_find_receipt(con->db, pk, slash + 1, uuid);
                }
                free(u);
            }
        } else if (uuid_arg_ok(want)) {
            unit x;
            hub_rows *r;
            int found = find_record(con, who, want, now_ms, &x, &r);
            hub_rows_free(r);
            rc = found > 0 ? KIOSK_OK : found == 0 ? KIOSK_NOT_FOUND : KIOSK_IO;
            if (found > 0)
                snprintf(uuid, sizeof uuid, "%.36s", want);
        }
        if (rc == KIOSK_OK && uuid_arg_ok(uuid)) {
            char to[128];
            snprintf(to, sizeof to, "/console/record?uuid=%s", uuid);
            return redirect(con, c, to, NULL);
        }
        problem = rc == KIOSK_NOT_FOUND ? "没有找到这张回执（可能尚未同步，或是旧设备未注明）。"
                                          "No such receipt here (not synced yet, or sent "
                                          "without its metadata)."
                                        : "数据库暂不可用。The store is not available.";
    }
    kiosk_buf b;
    kiosk_buf_init(&b, PAGE_MAX, 0);
    page_begin(&b, "查回执", "Find a receipt", who, csrf, NAV_FIND, 0);
    if (problem) {
        put(&b, "<p class=\"note bad\" id=\"problem\">");
        esc(&b, problem);
        put(&b, "</p>");
    }
    put(&b, "<form class=\"box\" method=\"get\" action=\"/console/find\"><label "
            "for=\"q\">回执上的编号（设备号/回执号）或记录编号 <span class=\"en\">As printed on "
            "the receipt (DEVICE-ID/RECEIPT-NO), or a record uuid</span></label><input "
            "type=\"text\" id=\"q\" name=\"q\" autocomplete=\"off\" value=\"");
    esc(&b, want);
    put(&b, "\" placeholder=\"ABCD2345/H001-20261205-0001\"><p><button id=\"find\">查找 <span "
            "class=\"en\">Find</span></button></p></form>");
    page_end(&b);
    return send_buf(con, c, problem ? 404 : 200, &b, NULL);
}

/* ---- records per hall per day -------------------------------------------------------- */

static int page_days(hub_console *con, struct MHD_Connection *c, const hub_staff *who,
                     const char *csrf, int64_t now_ms)
{
    int64_t today = (now_ms + CST_MS) / DAY_MS, first = today - 29;
    unit *u = NULL;
    size_t n = 0;
    counts now = {0};
    kiosk_rc rc = load_units(con, who, now_ms, 0, &u, &n);
    if (rc == KIOSK_OK)
        rc = counts_now(con, now_ms, &now);
    if (rc != KIOSK_OK) {
        free(u);
        return simple_page(con, c, 503, "数据库暂不可用", "The store is not available", who, csrf);
    }
    /* the halls seen, in order; per[hall][day] */
    enum { HALLS_MAX = 512 };
    const char **halls = calloc(HALLS_MAX, sizeof *halls);
    int64_t(*per)[30] = calloc(HALLS_MAX, sizeof *per);
    int64_t(*svc)[SVC_COUNT] = calloc(HALLS_MAX, sizeof *svc); /* per hall, 30 days */
    int64_t svc_day[30][SVC_COUNT];
    memset(svc_day, 0, sizeof svc_day);
    size_t nh = 0;
    for (size_t i = 0; halls && per && svc && i < now.nday; i++) {
        unit probe;
        memcpy(probe.key, now.day[i].key, sizeof probe.key);
        const unit *x = bsearch(&probe, u, n, sizeof *u, unit_cmp_key);
        int64_t day = now.day[i].day - first;
        if (!x || day < 0 || day >= 30) /* another hall's, or older */
            continue;
        const char *h = x->hall;
        size_t k = 0;
        while (k < nh && strcmp(halls[k], h) != 0)
            k++;
        if (k == nh) {
            if (nh == HALLS_MAX)
                continue;
            halls[nh++] = h;
        }
        per[k][day] += now.day[i].count;
        for (int t = 0; t < SVC_COUNT; t++) {
            svc[k][t] += now.day[i].per[t];
            svc_day[day][t] += now.day[i].per[t];
        }
    }
    /* halls in code order (insertion sort: a few hundred at most) */
    for (size_t i = 1; halls && per && svc && i < nh; i++)
        for (size_t j = i; j > 0 && strcmp(halls[j - 1], halls[j]) > 0; j--) {
            const char *t = halls[j];
            halls[j] = halls[j - 1];
            halls[j - 1] = t;
            int64_t tc[30];
            memcpy(tc, per[j], sizeof tc);
            memcpy(per[j], per[j - 1], sizeof tc);
            memcpy(per[j - 1], tc, sizeof tc);
            int64_t ts[SVC_COUNT];
            memcpy(ts, svc[j], sizeof ts);
            memcpy(svc[j], svc[j - 1], sizeof ts);
            memcpy(svc[j - 1], ts, sizeof ts);
        }
    kiosk_buf b;
    kiosk_buf_init(&b, PAGE_MAX, 0);
    page_begin(&b, "每日记录", "Records per hall per day", who, csrf, NAV_DAYS, 0);
    put(&b, "<p class=\"summary\">最近30天，按收到的日期（北京时间）。<span class=\"en\">The last "
            "30 days, by the day the hub received them (China time).</span></p>");
    if (halls && per && svc) {
        /* per service: each hall over the 30 days first; each day further down */
        put(&b, "<h2>按业务（最近30天） <span class=\"en\">Per service, the last 30 days</span>"
                "</h2><p class=\"en\">“未注明”：旧设备发来的记录不带业务类型。\"Not stated\": "
                "older units send records without their type.</p><div class=\"scroll\"><table "
                "id=\"services\"><tr><th>大厅 <span class=\"en\">Hall</span></th>");
        for (int t = 0; t < SVC_COUNT; t++)
            (void)kiosk_buf_printf(&b, "<th>%s <span class=\"en\">%s</span></th>", services[t].zh,
                                   services[t].en);
        put(&b, "<th>合计 <span class=\"en\">Total</span></th></tr>");
        int64_t col[SVC_COUNT] = {0};
        for (size_t k = 0; k < nh; k++) {
            put(&b, "<tr><td>");
            esc(&b, halls[k][0] ? halls[k] : "(无大厅 no hall)");
            put(&b, "</td>");
            int64_t total = 0;
            for (int t = 0; t < SVC_COUNT; t++) {
                (void)kiosk_buf_printf(&b, "<td class=\"n\">%lld</td>", (long long)svc[k][t]);
                total += svc[k][t];
                col[t] += svc[k][t];
            }
            (void)kiosk_buf_printf(&b, "<td class=\"n\"><b>%lld</b></td></tr>", (long long)total);
        }
        put(&b, "<tr><th>合计 <span class=\"en\">Total</span></th>");
        int64_t all = 0;
        for (int t = 0; t < SVC_COUNT; t++) {
            (void)kiosk_buf_printf(&b, "<td class=\"n\"><b>%lld</b></td>", (long long)col[t]);
            all += col[t];
        }
        (void)kiosk_buf_printf(&b, "<td class=\"n\"><b>%lld</b></td></tr></table></div>",
                               (long long)all);
    }
    put(&b, "<h2>每个大厅每天 <span class=\"en\">Per hall per day</span></h2>"
            "<div class=\"scroll\"><table><tr><th>日期 <span class=\"en\">Day</span></th>");
    for (size_t k = 0; k < nh; k++) {
        put(&b, "<th>");
        esc(&b, halls[k][0] ? halls[k] : "(无大厅 no hall)");
        put(&b, "</th>");
    }
    put(&b, "<th>合计 <span class=\"en\">Total</span></th></tr>");
    for (int d = 29; halls && per && d >= 0; d--) {
        char day[16];
        fmt_day(first + d, day, sizeof day);
        (void)kiosk_buf_printf(&b, "<tr><td>%s</td>", day);
        int64_t total = 0;
        for (size_t k = 0; k < nh; k++) {
            (void)kiosk_buf_printf(&b, "<td class=\"n\">%lld</td>", (long long)per[k][d]);
            total += per[k][d];
        }
        (void)kiosk_buf_printf(&b, "<td class=\"n\"><b>%lld</b></td></tr>", (long long)total);
    }
    put(&b, "</table></div>");
    if (halls && per && svc) {
        put(&b, "<h2>每日按业务 <span class=\"en\">Per day and service</span></h2><div "
                "class=\"scroll\"><table><tr><th>日期 <span class=\"en\">Day</span></th>");
        for (int t = 0; t < SVC_COUNT; t++)
            (void)kiosk_buf_printf(&b, "<th>%s <span class=\"en\">%s</span></th>", services[t].zh,
                                   services[t].en);
        put(&b, "</tr>");
        for (int d = 29; d >= 0; d--) {
            char day[16];
            fmt_day(first + d, day, sizeof day);
            (void)kiosk_buf_printf(&b, "<tr><td>%s</td>", day);
            for (int t = 0; t < SVC_COUNT; t++)
                (void)kiosk_buf_printf(&b, "<td class=\"n\">%lld</td>", (long long)svc_day[d][t]);
            put(&b, "</tr>");
        }
        put(&b, "</table></div>");
    }
    page_end(&b);
    free(halls);
    free(per);
    free(svc);
    counts_free(&now);
    free(u);
    return send_buf(con, c, 200, &b, NULL);
}

/* ---- help requests -------------------------------------------------------------------- */

static int page_help(hub_console *con, struct MHD_Connection *c, const hub_staff *who,
                     const char *csrf, int64_t now_ms)
{
    unit *u;
    size_t n;
    if (load_units(con, who, now_ms, 0, &u, &n) != KIOSK_OK)
        return simple_page(con, c, 503, "数据库暂不可用", "The store is not available", who, csrf);
    kiosk_buf b;
    kiosk_buf_init(&b, PAGE_MAX, 0);
    page_begin(&b, "求助", "Help requests", who, csrf, NAV_HELP, 15);
    put(&b,
        "<p class=\"summary\">最近24小时，最新的在上面，本页每15秒自动刷新。<span class=\"en\">The "
        "last 24 hours, newest first; this page reloads itself every 15 seconds.</span></p><div "
        "class=\"scroll\">"
        "<table><tr><th>收到 <span class=\"en\">Received</span></th><th>设备 <span "
        "class=\"en\">Unit</span></th><th>大厅 <span class=\"en\">Hall</span></th><th>类别 "
        "<span class=\"en\">Kind</span></th><th>步骤 <span class=\"en\">Step</span></th>"
        "<th>设备时间 <span class=\"en\">Unit's clock</span></th></tr>");
    hub_qparam p[] = {{.kind = 'i', .i = now_ms - HELP_WINDOW_MS}};
    hub_rows *r = NULL;
    kiosk_rc rc = hub_db_query(con->db,
                               "SELECT lower(hex(device)), kind, step, at_ms, received_ms"
                               " FROM events WHERE received_ms >= $1"
                               " ORDER BY received_ms DESC, at_ms DESC LIMIT 2000",
                               "SELECT encode(device, 'hex'), kind, step, at_ms, received_ms"
                               " FROM events WHERE received_ms >= $1"
                               " ORDER BY received_ms DESC, at_ms DESC LIMIT 2000",
                               p, 1, &r, NULL);
    size_t shown = 0;
    for (size_t i = 0; rc == KIOSK_OK && i < r->nrows; i++) {
        unit probe;
        snprintf(probe.key, sizeof probe.key, "%s", hub_rows_get(r, i, 0));
        const unit *x = bsearch(&probe, u, n, sizeof *u, unit_cmp_key);
        if (!x) /* another hall's */
            continue;
        char at[32], got[32];
        fmt_time(hub_rows_i64(r, i, 3), at, sizeof at);
        fmt_time(hub_rows_i64(r, i, 4), got, sizeof got);
        (void)kiosk_buf_printf(
            &b, "<tr><td class=\"t\">%s</td><td><a href=\"/console/unit?id=%s\">", got, x->key);
        esc(&b, x->name[0] ? x->name : x->key);
        put(&b, "</a></td><td>");
        esc(&b, x->hall);
        put(&b, "</td><td>");
        esc(&b, hub_rows_get(r, i, 1));
        put(&b, "</td><td>");
        esc(&b, hub_rows_get(r, i, 2));
        (void)kiosk_buf_printf(&b, "</td><td class=\"t\">%s</td></tr>", at);
        shown++;
    }
    hub_rows_free(r);
    put(&b, "</table></div>");
    if (rc == KIOSK_OK && shown == 0)
        put(&b, "<p>没有求助。<span class=\"en\">No help requests.</span></p>");
    page_end(&b);
    free(u);
    return send_buf(con, c, 200, &b, NULL);
}

/* ---- the audit ---------------------------------------------------------------------- */

static int page_audit(hub_console *con, struct MHD_Connection *c, const hub_staff *who,
                      const char *csrf)
{
    if (who->role != HUB_STAFF_REGION)
        return simple_page(con, c, 403, "只有区域工作人员可以查看", "Region staff only", who, csrf);
    hub_rows *r;
    if (hub_db_query(con->db,
                     "SELECT at_ms, who, action, detail, address FROM staff_audit"
                     " ORDER BY id DESC LIMIT 300",
                     NULL, NULL, 0, &r, NULL) != KIOSK_OK)
        return simple_page(con, c, 503, "数据库暂不可用", "The store is not available", who, csrf);
    kiosk_buf b;
    kiosk_buf_init(&b, PAGE_MAX, 0);
    page_begin(&b, "审计", "Audit log", who, csrf, NAV_AUDIT, 0);
    put(&b, "<p class=\"summary\">最近300条。<span class=\"en\">The latest 300 entries.</span></p>"
            "<div class=\"scroll\"><table><tr><th>时间 <span class=\"en\">At</span></th><th>账号 "
            "<span class=\"en\">Account</span></th><th>操作 <span class=\"en\">Action</span></th>"
            "<th>详情 <span class=\"en\">Detail</span></th><th>地址 <span "
            "class=\"en\">Address</span></th></tr>");
    for (size_t i = 0; i < r->nrows; i++) {
        char t[32];
        fmt_time(hub_rows_i64(r, i, 0), t, sizeof t);
        const char *action = hub_rows_get(r, i, 2);
        (void)kiosk_buf_printf(&b, "<tr%s><td>%s</td>",
                               strncmp(action, "login_failed", 12) == 0 ||
                                       strcmp(action, "locked") == 0
                                   ? " class=\"bad\""
                                   : "",
                               t);
        for (size_t col = 1; col < 5; col++) {
            put(&b, "<td>");
            esc(&b, hub_rows_get(r, i, col));
            put(&b, "</td>");
        }
        put(&b, "</tr>");
    }
    put(&b, "</table></div>");
    page_end(&b);
    hub_rows_free(r);
    return send_buf(con, c, 200, &b, NULL);
}

/* ---- the export ---------------------------------------------------------------------- */

static int page_export(hub_console *con, struct MHD_Connection *c, const hub_staff *who,
                       const char *csrf, const char *problem)
{
    kiosk_buf b;
    kiosk_buf_init(&b, PAGE_MAX, 0);
    page_begin(&b, "导出", "CSV export for the provincial system", who, csrf, NAV_EXPORT, 0);
    if (problem) {
        put(&b, "<p class=\"note bad\">");
        esc(&b, problem);
        put(&b, "</p>");
    }
    if (con->key_file && con->assets_dir) {
        (void)kiosk_buf_printf(
            &b,
            "<div class=\"box\"><p>导出%s的全部登记记录（CSV，UTF-8）。文件含个人信息：请只保存在"
            "单位指定的电脑上。每次导出都记入审计。</p><p class=\"en\">Every registration of %s as "
            "CSV (UTF-8). The file holds personal data: keep it only on the computer your "
            "office names. Each export is audited.</p><form method=\"post\" "
            "action=\"/console/export\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
            "<button id=\"export\">下载 CSV <span class=\"en\">Download CSV</span></button>"
            "</form></div>",
            who->role == HUB_STAFF_REGION ? "本区域" : "您所在大厅",
            who->role == HUB_STAFF_REGION ? "the region" : "your halls", csrf);
    } else {
        put(&b, "<div class=\"note\"><p>此中心未配置网页导出（需要上游私钥）。请在中心服务器上运行"
                "<code>kiosk-hub export</code>。</p><p class=\"en\">This hub has no upstream key "
                "for the console ([console] upstream_key and assets in kiosk-hub.conf): run "
                "<code>kiosk-hub export --key … --out …</code> on the hub's machine.</p></div>");
    }
    page_end(&b);
    return send_buf(con, c, problem ? 503 : 200, &b, NULL);
}

typedef struct keep_ctx {
    const unit *units;
    size_t n;
} keep_ctx;

static int keep_device(void *ctx, const uint8_t device[32])
{
    keep_ctx *k = ctx;
    unit probe;
    sync_hex_format(device, 32, probe.key);
    return bsearch(&probe, k->units, k->n, sizeof *k->units, unit_cmp_key) != NULL;
}

static kiosk_rc read_key(const char *path, uint8_t pk[32], uint8_t sk[32])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return KIOSK_NOT_FOUND;
    uint8_t buf[33];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n != 32) {
        sodium_memzero(buf, sizeof buf);
        return KIOSK_CONFIG;
    }
    memcpy(sk, buf, 32);
    sodium_memzero(buf, sizeof buf);
    crypto_scalarmult_base(pk, sk);
    return KIOSK_OK;
}

static int do_export(hub_console *con, struct MHD_Connection *c, const hub_staff *who,
                     const char *csrf, const char *address, int64_t now_ms)
{
    if (!con->key_file || !con->assets_dir)
        return page_export(con, c, who, csrf, NULL);
    unit *u;
    size_t n;
    if (load_units(con, who, now_ms, 0, &u, &n) != KIOSK_OK)
        return page_export(con, c, who, csrf, "数据库暂不可用 The store is not available");
    uint8_t pk[32], sk[32];
    char path[4200];
    codes_tables *codes = NULL;
    divisions *divs = NULL;
    snprintf(path, sizeof path, "%s/codes", con->assets_dir);
    kiosk_rc rc = codes_load(path, &codes);
    if (rc == KIOSK_OK) {
        snprintf(path, sizeof path, "%s/divisions/divisions.txt", con->assets_dir);
        rc = divisions_load(path, &divs);
    }
    if (rc == KIOSK_OK)
        rc = read_key(con->key_file, pk, sk);
    char *csv = NULL;
    size_t len = 0;
    hub_export_stats stats = {0};
    if (rc == KIOSK_OK) {
        /* the plaintext goes into a buffer the response wipes when it is sent */
        FILE *f = open_memstream(&csv, &len);
        if (!f) {
            rc = KIOSK_NOMEM;
        } else {
            keep_ctx k = {u, n};
            rc = hub_export_csv_devices(con->db, pk, sk, codes, divs,
                                        who->role == HUB_STAFF_REGION ? NULL : keep_device, &k, f,
                                        &stats);
            if (fclose(f) != 0 && rc == KIOSK_OK)
                rc = KIOSK_NOMEM;
        }
    }
    sodium_memzero(sk, sizeof sk);
    codes_destroy(codes);
    divisions_destroy(divs);
    free(u);
    char detail[128];
    snprintf(detail, sizeof detail, "%s: %zu rows, %zu not opened",
             rc == KIOSK_OK ? "csv" : kiosk_strerror(rc), stats.exported, stats.failed);
    hub_staff_audit(con->db, now_ms, who->name, "export", detail, address);
    if (rc != KIOSK_OK) {
        if (csv) {
            sodium_memzero(csv, len);
            free(csv);
        }
        kiosk_log_error("hub_console", "export failed: %s", kiosk_strerror(rc));
        return page_export(con, c, who, csrf,
                           "导出失败，请查看中心日志。The export failed: see the hub's log.");
    }
    /* a length-prefixed copy, so the free callback knows what to wipe */
    size_t *box = malloc(sizeof *box + len);
    if (!box) {
        sodium_memzero(csv, len);
        free(csv);
        return MHD_NO;
    }
    *box = len;
    memcpy(box + 1, csv, len);
    sodium_memzero(csv, len);
    free(csv);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(len, box + 1, wipe_free);
    if (!resp) {
        wipe_free(box + 1);
        return MHD_NO;
    }
    char day[16], disp[96];
    fmt_day((now_ms + CST_MS) / DAY_MS, day, sizeof day);
    snprintf(disp, sizeof disp, "attachment; filename=\"kiosk-export-%s.csv\"", day);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/csv; charset=utf-8");
    MHD_add_response_header(resp, "Content-Disposition", disp);
    add_security_headers(resp, con->tls, 1);
    int ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- login and logout ------------------------------------------------------------------ */

static int page_login(hub_console *con, struct MHD_Connection *c, unsigned status,
                      const char *problem)
{
    uint8_t raw[32];
    char t[HUB_STAFF_TOKEN_HEX];
    randombytes_buf(raw, sizeof raw);
    sync_hex_format(raw, sizeof raw, t);
    char cookie[160];
    snprintf(cookie, sizeof cookie,
             COOKIE_LOGIN "=%s; Path=/console; HttpOnly; Secure; SameSite=Strict; Max-Age=1800", t);
    const char *cookies[] = {cookie, NULL};
    kiosk_buf b;
    kiosk_buf_init(&b, PAGE_MAX, 0);
    page_begin(&b, "工作人员登录", "Staff login", NULL, NULL, NAV_NONE, 0);
    if (problem) {
        put(&b, "<p class=\"note bad\">");
        esc(&b, problem);
        put(&b, "</p>");
    }
    if (!con->tls && !con->allow_plain_login)
        put(&b, "<p class=\"note bad\">此中心未启用 HTTPS，不能登录。<span class=\"en\">This hub "
                "serves no HTTPS: logins are refused.</span></p>");
    (void)kiosk_buf_printf(
        &b,
        "<form class=\"box\" method=\"post\" action=\"/console/login\"><input type=\"hidden\" "
        "name=\"csrf\" value=\"%s\"><label for=\"name\">账号 <span class=\"en\">Account</span>"
        "</label><input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"username\" "
        "autocapitalize=\"none\" required><label for=\"password\">密码 <span "
        "class=\"en\">Password</span></label><input type=\"password\" id=\"password\" "
        "name=\"password\" autocomplete=\"current-password\" required><p><button "
        "id=\"login\">登录 <span class=\"en\">Log in</span></button></p><p class=\"en\">连续输错"
        "5次，账号锁定15分钟。Five wrong passwords lock the account for 15 minutes.</p></form>",
        t);
    page_end(&b);
    return send_buf(con, c, status, &b, cookies);
}

/* The password check of a suspended login, on a thread of its own: the connection resumed
 * last (then the request may be finished and p freed at once). */
static void *login_check(void *arg)
{
    hub_console_pending *p = arg;
    hub_console *con = p->con;
    hub_staff_login_job *job = &p->job;
    hub_staff_login_check(job);
    pthread_mutex_lock(&con->mu);
    MHD_resume_connection(p->c);
    if (--con->checks == 0)
        pthread_cond_broadcast(&con->idle);
    pthread_mutex_unlock(&con->mu);
    return NULL;
}

/* Start the login of job's password away from this thread: c suspended until checked. 1
 * when started, 0 when no thread could be (p untouched: check it here). */
static int login_start(hub_console *con, struct MHD_Connection *c, hub_console_pending *p)
{
    p->con = con;
    p->c = c;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return 0;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    pthread_mutex_lock(&con->mu);
    int started = 0;
    if (!con->stopping) {
        MHD_suspend_connection(c);
        started = pthread_create(&th, &attr, login_check, p) == 0;
        if (started)
            con->checks++;
        else
            MHD_resume_connection(c);
    }
    pthread_mutex_unlock(&con->mu);
    pthread_attr_destroy(&attr);
    return started;
}

/* The login's answer: the units with the session's cookie (token: wiped), or the form
 * again saying why. */
static int login_answer(hub_console *con, struct MHD_Connection *c, kiosk_rc rc,
                        char token[HUB_STAFF_TOKEN_HEX])
{
    if (rc == KIOSK_BUSY)
        return page_login(con, c, 429,
                          "账号已锁定，请15分钟后再试。The account is locked for 15 minutes.");
    if (rc == KIOSK_AUTH)
        return page_login(con, c, 403, "账号或密码不对。Wrong account or password.");
    if (rc != KIOSK_OK)
        return page_login(con, c, 503, "数据库暂不可用。The store is not available.");
    char cookie[200], clear[160];
    snprintf(cookie, sizeof cookie,
             COOKIE_SESSION "=%s; Path=/console; HttpOnly; Secure; SameSite=Strict", token);
    snprintf(clear, sizeof clear,
             COOKIE_LOGIN "=; Path=/console; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    sodium_memzero(token, HUB_STAFF_TOKEN_HEX);
    const char *cookies[] = {cookie, clear};
    int ret = redirect(con, c, "/console/units", cookies);
    sodium_memzero(cookie, sizeof cookie);
    return ret;
}

static int do_login(hub_console *con, struct MHD_Connection *c, const char *body, size_t len,
                    const char *address, int64_t now_ms, hub_console_pending **pending)
{
    hub_staff who;
    char token[HUB_STAFF_TOKEN_HEX], csrf[HUB_STAFF_TOKEN_HEX];
    kiosk_rc rc;
    if (pending && *pending) { /* resumed: the password was checked */
        rc = hub_staff_login_finish(con->db, &(*pending)->job, token, csrf, &who);
        hub_console_pending_free(*pending);
        *pending = NULL;
        return login_answer(con, c, rc, token);
    }
    if (!con->tls && !con->allow_plain_login)
        return page_login(con, c, 403, "此中心未启用 HTTPS，不能登录。Logins need HTTPS.");
    char form_csrf[HUB_STAFF_TOKEN_HEX + 1], name[HUB_STAFF_NAME_MAX + 1];
    char password[HUB_STAFF_PASSWORD_MAX + 2];
    const char *cookie_csrf = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_LOGIN);
    if (!hub_console_form_get(body, len, "csrf", form_csrf, sizeof form_csrf) || !cookie_csrf ||
        !token_equal(form_csrf, cookie_csrf))
        return page_login(con, c, 403, "页面已过期，请再试一次。The page expired: try again.");
    hub_console_form_get(body, len, "name", name, sizeof name);
    hub_console_form_get(body, len, "password", password, sizeof password);
    hub_console_pending *p = pending ? calloc(1, sizeof *p) : NULL;
    if (p) {
        /* argon2id takes ~0.2 s: on this thread every kiosk of this hub would wait */
        rc = hub_staff_login_begin(con->db, name, password, address, now_ms, &p->job);
        sodium_memzero(password, sizeof password);
        if (rc == KIOSK_OK && login_start(con, c, p)) {
            *pending = p;
            return MHD_YES;
        }
        if (rc == KIOSK_OK) {
            hub_staff_login_check(&p->job);
            rc = hub_staff_login_finish(con->db, &p->job, token, csrf, &who);
        }
        hub_console_pending_free(p);
    } else {
        rc = hub_staff_login(con->db, name, password, address, now_ms, token, csrf, &who);
        sodium_memzero(password, sizeof password);
    }
    return login_answer(con, c, rc, token);
}

/* ---- dispatch ------------------------------------------------------------------------- */

int hub_console_serve(hub_console *con, struct MHD_Connection *c, const char *method,
                      const char *url, const char *body, size_t len, int64_t now_ms,
                      hub_console_pending **pending)
{
    int get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    int post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    char address[64];
    client_address(c, address, sizeof address);
    if (get && strcmp(url, "/console/style.css") == 0) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            sizeof stylesheet - 1, (void *)stylesheet, MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/css; charset=utf-8");
        add_security_headers(resp, con->tls, 0);
        MHD_add_response_header(resp, "Cache-Control", "max-age=3600");
        int ret = MHD_queue_response(c, 200, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    if (!get && !post)
        return simple_page(con, c, 405, "不支持的请求", "Method not allowed", NULL, NULL);
    if (strcmp(url, "/console/login") == 0)
        return post ? do_login(con, c, body ? body : "", len, address, now_ms, pending)
                    : page_login(con, c, 200, NULL);

    hub_staff who;
    char csrf[HUB_STAFF_TOKEN_HEX];
    const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_SESSION);
    kiosk_rc rc = token ? hub_staff_session(con->db, token, now_ms, &who, csrf) : KIOSK_AUTH;
    if (rc == KIOSK_AUTH)
        return redirect(con, c, "/console/login", NULL);
    if (rc != KIOSK_OK)
        return simple_page(con, c, 503, "数据库暂不可用", "The store is not available", NULL, NULL);
    if (post) {
        char given[HUB_STAFF_TOKEN_HEX + 1];
        if (!hub_console_form_get(body ? body : "", len, "csrf", given, sizeof given) ||
            !token_equal(given, csrf)) {
            hub_staff_audit(con->db, now_ms, who.name, "csrf_refused", url, address);
            return simple_page(con, c, 403, "页面已过期，请重新打开",
                               "The page expired: open it again", &who, csrf);
        }
        if (strcmp(url, "/console/logout") == 0) {
            hub_staff_logout(con->db, token, address, now_ms);
            const char *cookies[] = {COOKIE_SESSION "=; Path=/console; HttpOnly; Secure;"
                                                    " SameSite=Strict; Max-Age=0",
                                     NULL};
            return redirect(con, c, "/console/login", cookies);
        }
        if (strcmp(url, "/console/export") == 0)
            return do_export(con, c, &who, csrf, address, now_ms);
        if (strcmp(url, "/console/record") == 0)
            return do_record_state(con, c, &who, csrf, body ? body : "", len, address, now_ms);
        return simple_page(con, c, 404, "没有这个页面", "No such page", &who, csrf);
    }
    if (strcmp(url, "/console") == 0 || strcmp(url, "/console/") == 0)
        return redirect(con, c, "/console/units", NULL);
    if (strcmp(url, "/console/units") == 0)
        return page_units(con, c, &who, csrf, now_ms);
    if (strcmp(url, "/console/unit") == 0)
        return page_unit(con, c, &who, csrf, now_ms);
    if (strcmp(url, "/console/days") == 0)
        return page_days(con, c, &who, csrf, now_ms);
    if (strcmp(url, "/console/help") == 0)
        return page_help(con, c, &who, csrf, now_ms);
    if (strcmp(url, "/console/export") == 0)
        return page_export(con, c, &who, csrf, NULL);
    if (strcmp(url, "/console/audit") == 0)
        return page_audit(con, c, &who, csrf);
    if (strcmp(url, "/console/find") == 0)
        return page_find(con, c, &who, csrf, now_ms);
    if (strcmp(url, "/console/record") == 0)
        return page_record(con, c, &who, csrf,
                           MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "uuid"), NULL,
                           now_ms);
    return simple_page(con, c, 404, "没有这个页面", "No such page", &who, csrf);
}
