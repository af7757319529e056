/*
 * The unit's side of updates: the signed manifest, the resumable download, the install
 * through RAUC when idle, the reboot, the status file and the boot check. One worker
 * thread of its own, at low priority (nice 10), with its own store connection for the
 * audit; the network never blocks the UI. See update.h.
 */
#include "update/update.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "core/kiosk_buf.h"
#include "core/kiosk_log.h"
#include "proto/sync_proto.h"

#define DEFAULT_MARGIN (256ull << 20)
#define DEFAULT_INTERVAL_MS (3600 * 1000)
#define DEFAULT_IDLE_MS (5 * 60 * 1000)
#define DEFAULT_REBOOT_RETRY_MS (3600 * 1000)
#define MANIFEST_MAX 4096

static void set_detail(char *d, size_t n, const char *code)
{
    if (d && n)
        snprintf(d, n, "%s", code);
}

const char *update_arch(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__arm__)
    return "armhf";
#elif defined(__i386__)
    return "i386";
#else
    return "unknown";
#endif
}

void update_running_version(const char *release_file, const char *fallback, char *out)
{
    snprintf(out, UPDATE_VERSION_MAX, "%s", fallback ? fallback : "");
    FILE *f = release_file ? fopen(release_file, "r") : NULL;
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "KIOSK_VERSION=", 14) != 0)
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        if (update_version_ok(line + 14))
            snprintf(out, UPDATE_VERSION_MAX, "%.63s", line + 14);
        break;
    }
    fclose(f);
}

/* ---- the status file ---- */

static kiosk_rc write_atomic(const char *dir, const char *name, const char *data, size_t n)
{
    char path[1200], tmp[1210];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return KIOSK_IO;
    int ok = write(fd, data, n) == (ssize_t)n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return KIOSK_IO;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return KIOSK_OK;
}

static int ascii_code(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

kiosk_rc update_status_write(const char *state_dir, const update_status *st)
{
    if (!ascii_code(st->detail) || !ascii_code(st->result) ||
        (st->version[0] && !update_version_ok(st->version)))
        return KIOSK_INVALID;
    char buf[256];
    int n = snprintf(buf, sizeof buf,
                     "{\"version\":\"%s\",\"result\":\"%s\",\"at_ms\":%lld,\"detail\":\"%s\"}\n",
                     st->version, st->result, (long long)st->at_ms, st->detail);
    if (n < 0 || (size_t)n >= sizeof buf)
        return KIOSK_INVALID;
    return write_atomic(state_dir, UPDATE_STATUS_FILE, buf, (size_t)n);
}

kiosk_rc update_status_read(const char *state_dir, update_status *st)
{
    memset(st, 0, sizeof *st);
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", state_dir, UPDATE_STATUS_FILE);
    json_error_t err;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        return access(path, F_OK) == 0 ? KIOSK_INVALID : KIOSK_NOT_FOUND;
    json_t *v = json_object_get(j, "version"), *r = json_object_get(j, "result"),
           *a = json_object_get(j, "at_ms"), *d = json_object_get(j, "detail");
    kiosk_rc rc = KIOSK_INVALID;
    if (json_is_string(v) && json_is_string(r) && json_is_integer(a) && json_is_string(d)) {
        snprintf(st->version, sizeof st->version, "%s", json_string_value(v));
        snprintf(st->result, sizeof st->result, "%s", json_string_value(r));
        st->at_ms = json_integer_value(a);
        snprintf(st->detail, sizeof st->detail, "%s", json_string_value(d));
        rc = KIOSK_OK;
    }
    json_decref(j);
    return rc;
}

static int64_t now_ms(const update_config *cfg)
{
    return kiosk_clock_now_ms(cfg->clock ? cfg->clock : kiosk_clock_system());
}

/* The status file and the audit, for one step. s may be NULL. */
static void report(const update_config *cfg, store *s, const char *version, const char *result,
                   const char *detail, const char *action)
{
    update_status st;
    memset(&st, 0, sizeof st);
    snprintf(st.version, sizeof st.version, "%s", update_version_ok(version) ? version : "");
    snprintf(st.result, sizeof st.result, "%s", result);
    st.at_ms = now_ms(cfg);
    snprintf(st.detail, sizeof st.detail, "%s", detail);
    if (result[0] && update_status_write(cfg->state_dir, &st) != KIOSK_OK)
        kiosk_log_error("update", "cannot write %s/%s", cfg->state_dir, UPDATE_STATUS_FILE);
    kiosk_log_info("update", "%s %s: %s%s%s", action, version, result, result[0] ? " " : "",
                   detail);
    if (s && store_audit(s, "update", action, version, detail) != KIOSK_OK)
        kiosk_log_error("update", "cannot audit %s", action);
}

/* ---- HTTP ---- */

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void curl_init_once(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, curl_init);
}

typedef struct http {
    CURL *c;
    struct curl_slist *hdrs;
    uint8_t sig[64];
    char hub_sig[129];
} http;

static size_t on_header(char *line, size_t size, size_t nitems, void *ud)
{
    http *h = ud;
    size_t n = size * nitems, k = strlen(SYNC_HDR_HUB_SIGNATURE);
    if (n > k + 2 && strncasecmp(line, SYNC_HDR_HUB_SIGNATURE, k) == 0 && line[k] == ':') {
        const char *v = line + k + 1;
        while (*v == ' ')
            v++;
        size_t m = strcspn(v, "\r\n");
        if (m == 128) {
            memcpy(h->hub_sig, v, 128);
            h->hub_sig[128] = '\0';
        }
    }
    return n;
}

/* A signed GET of path (borrowed). */
static kiosk_rc http_open(const update_config *cfg, const char *path, http *h)
{
    memset(h, 0, sizeof *h);
    if (!cfg->url || !cfg->key ||
        !(strncmp(cfg->url, "https://", 8) == 0 ||
          (cfg->allow_plain_http_loopback && (strncmp(cfg->url, "http://127.0.0.1", 16) == 0 ||
                                              strncmp(cfg->url, "http://[::1]", 12) == 0))))
        return KIOSK_CONFIG;
    curl_init_once();
    h->c = curl_easy_init();
    if (!h->c)
        return KIOSK_NOMEM;
    int64_t t = now_ms(cfg);
    uint8_t empty[32];
    sync_sha256(empty, "", 0);
    sync_request_sign_v2(cfg->key->secret_key, "GET", path, t, empty, 0, h->sig);
    char dev[65], sig[129], sha[65], line[256], url[1200];
    sync_hex_format(cfg->key->public_key, 32, dev);
    sync_hex_format(h->sig, 64, sig);
    sync_hex_format(empty, 32, sha);
    snprintf(line, sizeof line, "%s: %s", SYNC_HDR_DEVICE, dev);
    h->hdrs = curl_slist_append(h->hdrs, line);
    snprintf(line, sizeof line, "%s: %lld", SYNC_HDR_TIME, (long long)t);
    h->hdrs = curl_slist_append(h->hdrs, line);
    snprintf(line, sizeof line, "%s: %s", SYNC_HDR_SIGNATURE, sig);
    h->hdrs = curl_slist_append(h->hdrs, line);
    snprintf(line, sizeof line, "%s: %s", SYNC_HDR_BODY_SHA256, sha);
    h->hdrs = curl_slist_append(h->hdrs, line);
    snprintf(url, sizeof url, "%s%s", cfg->url, path);
    curl_easy_setopt(h->c, CURLOPT_URL, url);
    curl_easy_setopt(h->c, CURLOPT_PROTOCOLS_STR,
                     cfg->allow_plain_http_loopback ? "https,http" : "https");
    curl_easy_setopt(h->c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h->c, CURLOPT_HTTPHEADER, h->hdrs);
    curl_easy_setopt(h->c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h->c, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(h->c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h->c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h->c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h->c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (cfg->ca_file && cfg->ca_file[0])
        curl_easy_setopt(h->c, CURLOPT_CAINFO, cfg->ca_file);
    return KIOSK_OK;
}

static void http_close(http *h)
{
    if (h->c)
        curl_easy_cleanup(h->c);
    curl_slist_free_all(h->hdrs);
    memset(h, 0, sizeof *h);
}

static size_t to_buf(char *p, size_t size, size_t n, void *ud)
{
    return kiosk_buf_append(ud, p, size * n) == KIOSK_OK ? size * n : 0;
}

kiosk_rc update_check(const update_config *cfg, const uint8_t hub_key[32], update_manifest *m,
                      char *error, size_t error_size)
{
    memset(m, 0, sizeof *m);
    set_detail(error, error_size, "");
    if (!hub_key) {
        set_detail(error, error_size, "no hub key provisioned");
        return KIOSK_CONFIG;
    }
    char path[64];
    snprintf(path, sizeof path, "%s%s", UPDATE_PATH_MANIFEST, update_arch());
    http h;
    kiosk_rc rc = http_open(cfg, path, &h);
    if (rc != KIOSK_OK) {
        set_detail(error, error_size, "bad hub url or no device key");
        return rc;
    }
    kiosk_buf body;
    kiosk_buf_init(&body, MANIFEST_MAX, 0);
    curl_easy_setopt(h.c, CURLOPT_WRITEFUNCTION, to_buf);
    curl_easy_setopt(h.c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h.c, CURLOPT_TIMEOUT, cfg->timeout_s ? cfg->timeout_s : 30L);
    CURLcode cc = curl_easy_perform(h.c);
    long status = 0;
    curl_easy_getinfo(h.c, CURLINFO_RESPONSE_CODE, &status);
    uint8_t hs[64];
    if (cc != CURLE_OK) {
        snprintf(error, error_size, "hub unreachable: %s", curl_easy_strerror(cc));
        rc = KIOSK_NET;
    } else if (status != 200) {
        snprintf(error, error_size, "hub answered %ld", status);
        rc = status >= 500 ? KIOSK_NET : KIOSK_AUTH;
    } else if (!sync_hex_parse(h.hub_sig, hs, 64) ||
               !sync_reply_verify(hub_key, cfg->key->public_key, h.sig, 200, kiosk_buf_str(&body),
                                  body.len, hs)) {
        snprintf(error, error_size, "manifest not signed by the hub key: ignored");
        rc = KIOSK_CRYPTO;
    } else {
        rc = update_manifest_decode(kiosk_buf_str(&body), body.len, m);
        if (rc != KIOSK_OK)
            snprintf(error, error_size, "manifest malformed");
    }
    kiosk_buf_deinit(&body);
    http_close(&h);
    return rc;
}

/* ---- the download ---- */

typedef struct sink {
    FILE *f;
    uint64_t have, limit;
    int started, truncate_first;
    long status;
    CURL *c;
    const atomic_int *stop;
} sink;

static size_t to_file(char *p, size_t size, size_t n, void *ud)
{
    sink *k = ud;
    size_t len = size * n;
    if (!k->started) {
        curl_easy_getinfo(k->c, CURLINFO_RESPONSE_CODE, &k->status);
        if (k->status == 200 && k->have) { /* the hub sent it whole: start again */
            if (ftruncate(fileno(k->f), 0) != 0 || fseek(k->f, 0, SEEK_SET) != 0)
                return 0;
            k->have = 0;
        } else if (k->status != 206 && k->status != 200) {
            return 0;
        }
        k->started = 1;
    }
    if (k->have + len > k->limit || fwrite(p, 1, len, k->f) != len)
        return 0;
    k->have += len;
    return len;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    const sink *k = ud;
    return k->stop && atomic_load(k->stop);
}

static kiosk_rc file_sha256(const char *path, uint8_t out[32])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return KIOSK_IO;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&h, buf, n);
    int bad = ferror(f);
    fclose(f);
    crypto_hash_sha256_final(&h, out);
    return bad ? KIOSK_IO : KIOSK_OK;
}

/* A whole part: its hash checked, then renamed to the bundle (or removed). */
static kiosk_rc finish(const char *part, const update_manifest *m, update_fetched *out,
                       char *detail, size_t dn)
{
    uint8_t sum[32];
    if (file_sha256(part, sum) != KIOSK_OK || sodium_memcmp(sum, m->sha256, 32) != 0) {
        unlink(part);
        set_detail(detail, dn, "hash_mismatch");
        return KIOSK_CORRUPT;
    }
    if (rename(part, out->path) != 0) {
        set_detail(detail, dn, "io_error");
        return KIOSK_IO;
    }
    return KIOSK_OK;
}

static kiosk_rc download(const update_config *cfg, const update_manifest *m, update_fetched *out,
                         char *detail, size_t dn, const atomic_int *stop)
{
    memset(out, 0, sizeof *out);
    char dir[900], hex[65], part[1200];
    snprintf(dir, sizeof dir, "%s/update", cfg->state_dir);
    mkdir(dir, 0700);
    sync_hex_format(m->sha256, 32, hex);
    snprintf(part, sizeof part, "%s/%s.part", dir, hex);
    snprintf(out->path, sizeof out->path, "%s/%s.raucb", dir, hex);
    struct stat st;
    if (stat(out->path, &st) == 0 && (uint64_t)st.st_size == m->size)
        return KIOSK_OK; /* fetched before (its hash was checked then) */
    uint64_t have = stat(part, &st) == 0 ? (uint64_t)st.st_size : 0;
    if (have > m->size) {
        unlink(part);
        have = 0;
    }
    if (have == m->size) { /* stopped between the last byte and the rename */
        out->resumed_from = have;
        return finish(part, m, out, detail, dn);
    }
    struct statvfs vfs;
    uint64_t margin = cfg->margin_bytes ? cfg->margin_bytes : DEFAULT_MARGIN;
    if (statvfs(dir, &vfs) == 0) {
        uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        if (avail < (m->size - have) + margin) {
            set_detail(detail, dn, "no_space");
            return KIOSK_RANGE;
        }
    }
    out->resumed_from = have;
    char path[300];
    snprintf(path, sizeof path, "%s%s", UPDATE_PATH_BUNDLE, m->name);
    http h;
    kiosk_rc rc = http_open(cfg, path, &h);
    if (rc != KIOSK_OK) {
        set_detail(detail, dn, "bad_config");
        return rc;
    }
    FILE *f = fopen(part, "ab");
    if (!f) {
        http_close(&h);
        set_detail(detail, dn, "io_error");
        return KIOSK_IO;
    }
    sink k = {.f = f, .have = have, .limit = m->size, .c = h.c, .stop = stop};
    char range[40];
    if (have) {
        snprintf(range, sizeof range, "%llu-", (unsigned long long)have);
        curl_easy_setopt(h.c, CURLOPT_RANGE, range);
    }
    curl_easy_setopt(h.c, CURLOPT_WRITEFUNCTION, to_file);
    curl_easy_setopt(h.c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(h.c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h.c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h.c, CURLOPT_XFERINFODATA, &k);
    /* bad links: give up only when under 1 KiB/s for a minute (the part stays) */
    curl_easy_setopt(h.c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(h.c, CURLOPT_LOW_SPEED_TIME, 60L);
    CURLcode cc = curl_easy_perform(h.c);
    long status = 0;
    curl_easy_getinfo(h.c, CURLINFO_RESPONSE_CODE, &status);
    int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    http_close(&h);
    out->received = k.have >= have ? k.have - have : k.have;
    if (cc != CURLE_OK || (status != 200 && status != 206) || !ok) {
        if (k.have > m->size || status == 416) {
            unlink(part);
            set_detail(detail, dn, "hash_mismatch");
            return KIOSK_CORRUPT;
        }
        set_detail(detail, dn,
                   cc == CURLE_OK && status && status < 500 ? "hub_refused" : "hub_down");
        return status && status < 500 && cc == CURLE_OK ? KIOSK_AUTH : KIOSK_NET;
    }
    if (k.have != m->size) {
        unlink(part);
        set_detail(detail, dn, "hash_mismatch");
        return KIOSK_CORRUPT;
    }
    return finish(part, m, out, detail, dn);
}

kiosk_rc update_download(const update_config *cfg, const update_manifest *m, update_fetched *out,
                         char *detail, size_t dn)
{
    set_detail(detail, dn, "");
    return download(cfg, m, out, detail, dn, NULL);
}

/* ---- install ---- */

static void marker_path(const update_config *cfg, char *out, size_t n)
{
    snprintf(out, n, "%s/update/installed", cfg->state_dir);
}

/* This boot's id (the kernel's random boot_id), "" when unknown. */
static void boot_id(const update_config *cfg, char out[64])
{
    out[0] = '\0';
    FILE *f = fopen(cfg->boot_id_file ? cfg->boot_id_file : "/proc/sys/kernel/random/boot_id", "r");
    if (!f)
        return;
    if (!fgets(out, 64, f))
        out[0] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    fclose(f);
}

kiosk_rc update_install(const update_config *cfg, const update_rauc *rauc, store *s,
                        const char *bundle, char *version, char *detail, size_t dn)
{
    char v[UPDATE_VERSION_MAX] = "", d[UPDATE_DETAIL_MAX] = "";
    if (version)
        version[0] = '\0';
    kiosk_rc rc = rauc->info(rauc->ctx, bundle, v, d, sizeof d);
    if (rc != KIOSK_OK) {
        if (!d[0])
            snprintf(d, sizeof d, "bad_signature");
        report(cfg, s, v, "refused", d, "update refused");
        set_detail(detail, dn, d);
        return rc;
    }
    if (version)
        snprintf(version, UPDATE_VERSION_MAX, "%s", v);
    if (cfg->running_version && update_version_cmp(v, cfg->running_version) < 0) {
        report(cfg, s, v, "refused", "older_version", "update refused");
        set_detail(detail, dn, "older_version");
        return KIOSK_RANGE;
    }
    char booted[16] = "";
    if (rauc->booted)
        rauc->booted(rauc->ctx, booted, sizeof booted);
    rc = rauc->install(rauc->ctx, bundle, cfg->progress, d, sizeof d);
    if (rc != KIOSK_OK) {
        if (!d[0])
            snprintf(d, sizeof d, "install_failed");
        int refused = !strcmp(d, "older_version") || !strcmp(d, "bad_signature") ||
                      !strcmp(d, "not_compatible");
        report(cfg, s, v, refused ? "refused" : "failed", d,
               refused ? "update refused" : "update failed");
        set_detail(detail, dn, d);
        return rc;
    }
    /* the boot check compares the next start's system with this */
    char dir[1100], m[1200], body[200], boot[64];
    snprintf(dir, sizeof dir, "%s/update", cfg->state_dir);
    mkdir(dir, 0700);
    marker_path(cfg, m, sizeof m);
    boot_id(cfg, boot);
    int n = snprintf(body, sizeof body, "%s\n%s\n%s\n", v, booted, boot);
    if (write_atomic(dir, "installed", body, (size_t)n) != KIOSK_OK)
        kiosk_log_error("update", "cannot write %s", m);
    report(cfg, s, v, "installed", "reboot_pending", "update installed");
    set_detail(detail, dn, "reboot_pending");
    return KIOSK_OK;
}

int update_boot_check(const update_config *cfg, const update_rauc *rauc, store *s)
{
    char m[1200], line[160];
    marker_path(cfg, m, sizeof m);
    FILE *f = fopen(m, "r");
    if (!f)
        return 0;
    char v[UPDATE_VERSION_MAX] = "", old_slot[16] = "", then[64] = "", boot[64];
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(v, sizeof v, "%.63s", line);
    }
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(old_slot, sizeof old_slot, "%.15s", line);
    }
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(then, sizeof then, "%.63s", line);
    }
    fclose(f);
    boot_id(cfg, boot);
    if (then[0] && strcmp(then, boot) == 0)
        return 0; /* the kiosk restarted, the system did not: the update waits for it */
    unlink(m);
    char booted[16] = "";
    if (rauc && rauc->booted)
        rauc->booted(rauc->ctx, booted, sizeof booted);
    int same_slot = old_slot[0] && booted[0] && strcmp(old_slot, booted) == 0;
    int fallback = (cfg->running_version && strcmp(cfg->running_version, v) != 0) || same_slot;
    if (fallback)
        report(cfg, s, v, "fallback", "old_slot_booted", "update fallback");
    else
        report(cfg, s, v, "installed", "booted", "update booted");
    return fallback;
}

/* ---- the worker ---- */

struct update_worker {
    update_config cfg;
    update_rauc rauc;
    update_idle_fn idle;
    void *idle_ctx;
    char url[1024], ca_file[1024], state_dir[1024], db_path[1100], hall[64],
        running[UPDATE_VERSION_MAX];
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    atomic_int stop;
    int wake;
    update_worker_info info;
};

static void copy_str(char *dst, size_t n, const char **field)
{
    snprintf(dst, n, "%s", *field ? *field : "");
    *field = *field ? dst : NULL;
}

/* Sleep up to ms (clock of the system: the worker's naps are short), 0 when stopped. */
static int nap(update_worker *w, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&w->lock);
    while (!atomic_load(&w->stop) && !w->wake)
        if (pthread_cond_timedwait(&w->cv, &w->lock, &ts) == ETIMEDOUT)
            break;
    w->wake = 0;
    int go = !atomic_load(&w->stop);
    pthread_mutex_unlock(&w->lock);
    return go;
}

static int quiet_moment(update_worker *w)
{
    int64_t idle = w->idle(w->idle_ctx);
    int64_t need = w->cfg.idle_min_ms ? w->cfg.idle_min_ms : DEFAULT_IDLE_MS;
    return idle >= 0 && idle >= need;
}

static int reboot_time(update_worker *w)
{
    if (w->cfg.reboot_hour < 0)
        return 1;
    time_t t = (time_t)(now_ms(&w->cfg) / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    int now = tm.tm_hour * 60 + tm.tm_min, at = w->cfg.reboot_hour * 60 + w->cfg.reboot_minute;
    return now >= at && now < at + 60; /* within the hour after the set time */
}

static void *worker(void *arg)
{
    update_worker *w = arg;
    if (setpriority(PRIO_PROCESS, 0, 10) != 0) {
        /* a thread's nice value on Linux; only politeness is lost */
    }
    store *s = NULL;
    if (w->cfg.db_path &&
        store_open(w->cfg.db_path, w->cfg.hall_code, w->cfg.key, w->cfg.clock, &s) != KIOSK_OK)
        kiosk_log_error("update", "the store cannot be opened: steps are logged, not audited");
    update_boot_check(&w->cfg, &w->rauc, s);
    int64_t interval = w->cfg.check_interval_ms ? w->cfg.check_interval_ms : DEFAULT_INTERVAL_MS;
    uint8_t refused[32] = {0};
    /* the bundle last refused for want of disk space: checked again every interval (space
     * may come free), said once (not an audit line an hour while it lasts) */
    uint8_t no_space[32] = {0};
    char ready[1024] = "";
    int installed = 0;
    int64_t reboot_after = 0; /* a refused reboot: asked again from then */
    int64_t retry = w->cfg.reboot_retry_ms ? w->cfg.reboot_retry_ms : DEFAULT_REBOOT_RETRY_MS;
    while (!atomic_load(&w->stop)) {
        if (installed) {
            if (installed == 1 && now_ms(&w->cfg) >= reboot_after && quiet_moment(w) &&
                reboot_time(w)) {
                report(&w->cfg, s, w->info.version, "", "reboot", "update reboot");
                pthread_mutex_lock(&w->lock);
                w->info.reboot_asked = 1;
                pthread_mutex_unlock(&w->lock);
                if (w->rauc.reboot && w->rauc.reboot(w->rauc.ctx) != KIOSK_OK) {
                    /* the update runs after the next restart; asked again meanwhile */
                    report(&w->cfg, s, w->info.version, "", "reboot_refused",
                           "update reboot refused");
                    reboot_after = now_ms(&w->cfg) + retry;
                } else {
                    installed = 2; /* asked: wait for the system to go down */
                }
            }
            if (!nap(w, 1000))
                break;
            continue;
        }
        if (ready[0]) {
            if (quiet_moment(w)) {
                char d[UPDATE_DETAIL_MAX];
                kiosk_rc rc = update_install(&w->cfg, &w->rauc, s, ready, NULL, d, sizeof d);
                unlink(ready);
                ready[0] = '\0';
                pthread_mutex_lock(&w->lock);
                w->info.waiting_idle = 0;
                if (rc == KIOSK_OK)
                    w->info.installs++;
                pthread_mutex_unlock(&w->lock);
                installed = rc == KIOSK_OK;
            }
            if (!nap(w, 1000))
                break;
            continue;
        }
        uint8_t hub_key[32];
        const uint8_t *hk = w->cfg.hub_key;
        if (!hk && s && store_hub_key(s, hub_key) == KIOSK_OK)
            hk = hub_key;
        update_manifest m;
        char err[160];
        kiosk_rc rc = update_check(&w->cfg, hk, &m, err, sizeof err);
        if (rc != KIOSK_OK)
            kiosk_log_info("update", "no manifest: %s", err);
        if (rc == KIOSK_OK && m.version[0] &&
            update_version_cmp(m.version, w->cfg.running_version) > 0 &&
            sodium_memcmp(m.sha256, refused, 32) != 0) {
            update_fetched got;
            char d[UPDATE_DETAIL_MAX] = "";
            rc = download(&w->cfg, &m, &got, d, sizeof d, &w->stop);
            if (rc == KIOSK_OK) {
                char v[UPDATE_VERSION_MAX] = "";
                memset(no_space, 0, sizeof no_space);
                report(&w->cfg, s, m.version, "", "downloaded", "update downloaded");
                rc = w->rauc.info(w->rauc.ctx, got.path, v, d, sizeof d);
                if (rc != KIOSK_OK || strcmp(v, m.version) != 0) {
                    report(&w->cfg, s, m.version, "refused",
                           rc != KIOSK_OK ? (d[0] ? d : "bad_signature") : "version_mismatch",
                           "update refused");
                    memcpy(refused, m.sha256, 32);
                    unlink(got.path);
                } else {
                    snprintf(ready, sizeof ready, "%s", got.path);
                    pthread_mutex_lock(&w->lock);
                    w->info.waiting_idle = 1;
                    snprintf(w->info.version, sizeof w->info.version, "%s", v);
                    pthread_mutex_unlock(&w->lock);
                    continue;
                }
            } else if (rc == KIOSK_RANGE && sodium_memcmp(m.sha256, no_space, 32) == 0) {
                kiosk_log_info("update", "still no space for %s", m.version);
            } else if (rc == KIOSK_RANGE || rc == KIOSK_CORRUPT) {
                report(&w->cfg, s, m.version, "refused", d, "update refused");
                if (rc == KIOSK_RANGE)
                    memcpy(no_space, m.sha256, 32);
                if (rc == KIOSK_CORRUPT)
                    continue; /* fetched again from the start at once */
            } else if (!atomic_load(&w->stop)) {
                kiosk_log_info("update", "download of %s stopped (%s): resumed later", m.version,
                               d);
            }
        }
        if (!nap(w, interval))
            break;
    }
    store_close(s);
    return NULL;
}

kiosk_rc update_worker_create(const update_config *cfg, const update_rauc *rauc,
                              update_idle_fn idle, void *idle_ctx, update_worker **out)
{
    *out = NULL;
    if (!cfg || !cfg->url || !cfg->url[0] || !cfg->key || !cfg->state_dir || !rauc || !idle)
        return KIOSK_CONFIG;
    update_worker *w = calloc(1, sizeof *w);
    if (!w)
        return KIOSK_NOMEM;
    w->cfg = *cfg;
    w->rauc = *rauc;
    w->idle = idle;
    w->idle_ctx = idle_ctx;
    copy_str(w->url, sizeof w->url, &w->cfg.url);
    copy_str(w->ca_file, sizeof w->ca_file, &w->cfg.ca_file);
    copy_str(w->state_dir, sizeof w->state_dir, &w->cfg.state_dir);
    copy_str(w->db_path, sizeof w->db_path, &w->cfg.db_path);
    copy_str(w->hall, sizeof w->hall, &w->cfg.hall_code);
    copy_str(w->running, sizeof w->running, &w->cfg.running_version);
    w->cfg.running_version = w->running;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, worker, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cv);
        free(w);
        return KIOSK_NOMEM;
    }
    *out = w;
    return KIOSK_OK;
}

void update_worker_destroy(update_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    atomic_store(&w->stop, 1);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cv);
    free(w);
}

void update_worker_wake(update_worker *w)
{
    pthread_mutex_lock(&w->lock);
    w->wake = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->lock);
}

void update_worker_info_get(update_worker *w, update_worker_info *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->info;
    pthread_mutex_unlock(&w->lock);
}
