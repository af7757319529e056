/*
 * Update bundles served from a directory: the manifest for a unit and the bytes with
 * Range. A bundle's SHA-256 is computed once per (path, size, mtime) and kept in a small
 * cache, so a manifest asked for by a whole hall reads the file once. Publishing is
 * copying a file in (README: "Updates"); nothing here writes.
 */
#include "hub_update.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/kiosk_log.h"
#include "proto/sync_proto.h"
#include "proto/update_manifest.h"

#define CACHE_SLOTS 8
#define PATH_MAX_LEN 1024

typedef struct cached {
    char path[PATH_MAX_LEN];
    uint64_t size;
    int64_t mtime_ns;
    uint8_t sha256[32];
    uint64_t used;
} cached;

#define DIR_MAX_LEN 512
#define UNIT_DIR_LEN (DIR_MAX_LEN + 80)

struct hub_update {
    char dir[DIR_MAX_LEN];
    cached cache[CACHE_SLOTS];
    uint64_t tick;
};

kiosk_rc hub_update_create(const char *dir, hub_update **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return KIOSK_NOMEM;
    snprintf((*out)->dir, sizeof(*out)->dir, "%s", dir ? dir : "");
    return KIOSK_OK;
}

void hub_update_destroy(hub_update *u)
{
    free(u);
}

int hub_update_path(const char *url)
{
    return strncmp(url, UPDATE_PATH_MANIFEST, strlen(UPDATE_PATH_MANIFEST)) == 0;
}

static kiosk_rc file_sha256(hub_update *u, const char *path, const struct stat *st, uint8_t out[32])
{
    int64_t mt = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    cached *slot = &u->cache[0];
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        cached *c = &u->cache[i];
        if (!strcmp(c->path, path) && c->size == (uint64_t)st->st_size && c->mtime_ns == mt) {
            c->used = ++u->tick;
            memcpy(out, c->sha256, 32);
            return KIOSK_OK;
        }
        if (c->used < slot->used)
            slot = c;
    }
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
    if (bad)
        return KIOSK_IO;
    crypto_hash_sha256_final(&h, out);
    snprintf(slot->path, sizeof slot->path, "%s", path);
    slot->size = (uint64_t)st->st_size;
    slot->mtime_ns = mt;
    memcpy(slot->sha256, out, 32);
    slot->used = ++u->tick;
    return KIOSK_OK;
}

/* The newest "kiosk-<v>-<arch>.raucb" in dir: 1 found (better than *best so far). */
static int newest_in(const char *dir, const char *arch, char *best_version, char *best_path)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    char v[UPDATE_VERSION_MAX];
    while ((e = readdir(d)) != NULL) {
        if (!update_name_version(e->d_name, arch, v))
            continue;
        if (best_version[0] && update_version_cmp(v, best_version) <= 0)
            continue;
        snprintf(best_version, UPDATE_VERSION_MAX, "%s", v);
        snprintf(best_path, PATH_MAX_LEN, "%s/%s", dir, e->d_name);
        found = 1;
    }
    closedir(d);
    return found;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, char *body, size_t len,
                                 const char *hub_sig)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (hub_sig)
        MHD_add_response_header(r, SYNC_HDR_HUB_SIGNATURE, hub_sig);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(const hub_update_env *env, struct MHD_Connection *c,
                                  const char *who, unsigned status, const char *code,
                                  const char *message)
{
    kiosk_log_info("hub", "%s -> %u %s", who, status, code);
    char *body;
    size_t len;
    if (sync_error_encode(code, message, env->now_ms, &body, &len) != KIOSK_OK)
        return MHD_NO;
    return send_json(c, status, body, len, NULL);
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || strlen(s) > 19)
        return 0;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return 1;
}

/* The device's signed headers over (method, path, empty body): 0 when good, with the
 * device and its signature; else the refusal is queued and its result in *ret. */
static int authenticate(const hub_update_env *env, struct MHD_Connection *c, const char *url,
                        const char *who, uint8_t device[32], uint8_t sig[64], enum MHD_Result *ret)
{
    const char *hdev = MHD_lookup_connection_value(c, MHD_HEADER_KIND, SYNC_HDR_DEVICE);
    const char *htime = MHD_lookup_connection_value(c, MHD_HEADER_KIND, SYNC_HDR_TIME);
    const char *hsig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, SYNC_HDR_SIGNATURE);
    uint64_t t = 0;
    if (!hdev || !htime || !hsig || !sync_hex_parse(hdev, device, 32) || !parse_u64(htime, &t) ||
        !sync_hex_parse(hsig, sig, 64)) {
        *ret = send_error(env, c, who, 400, "malformed", "missing or malformed X-Kiosk headers");
        return 1;
    }
    kiosk_rc rc = hub_db_device_known(env->db, device);
    if (rc != KIOSK_OK) {
        *ret = rc == KIOSK_NOT_FOUND
                   ? send_error(env, c, who, 403, "unknown_device", "device not registered")
                   : send_error(env, c, who, 500, "internal", "database error");
        return 1;
    }
    if ((int64_t)t > env->now_ms + SYNC_SKEW_MS || (int64_t)t < env->now_ms - SYNC_SKEW_MS) {
        *ret = send_error(env, c, who, 401, "stale_time", "device clock outside the window");
        return 1;
    }
    uint8_t empty[32];
    sync_sha256(empty, (const uint8_t *)"", 0);
    if (!sync_request_verify_v2(device, "GET", url, (int64_t)t, empty, 0, sig)) {
        *ret = send_error(env, c, who, 401, "bad_signature", "request signature does not verify");
        return 1;
    }
    int seen = 0;
    rc = hub_db_seen_request(env->db, sig, env->now_ms, 1, &seen);
    if (rc != KIOSK_OK || seen) {
        *ret = rc != KIOSK_OK ? send_error(env, c, who, 500, "internal", "database error")
                              : send_error(env, c, who, 409, "replayed", "request seen before");
        return 1;
    }
    return 0;
}

static void unit_dir(const hub_update *u, const uint8_t device[32], char out[UNIT_DIR_LEN])
{
    char hex[65];
    sync_hex_format(device, 32, hex);
    snprintf(out, UNIT_DIR_LEN, "%s/units/%s", u->dir, hex);
}

static enum MHD_Result manifest(hub_update *u, const hub_update_env *env, struct MHD_Connection *c,
                                const char *arch, const uint8_t device[32], const uint8_t sig[64],
                                const char *who)
{
    update_manifest m;
    memset(&m, 0, sizeof m);
    char path[PATH_MAX_LEN] = "", udir[UNIT_DIR_LEN];
    if (u->dir[0]) {
        unit_dir(u, device, udir);
        newest_in(u->dir, arch, m.version, path);
        char v[UPDATE_VERSION_MAX + 1];
        snprintf(v, sizeof v, "%s", m.version);
        /* the unit's own folder wins on a tie: compare against one below the best */
        if (v[0])
            snprintf(v, sizeof v, "%s~", m.version);
        if (newest_in(udir, arch, v, path))
            memcpy(m.version, v, sizeof m.version);
    }
    if (m.version[0]) {
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
            file_sha256(u, path, &st, m.sha256) != KIOSK_OK) {
            kiosk_log_error("hub", "update bundle %s cannot be read", path);
            return send_error(env, c, who, 500, "internal", "bundle unreadable");
        }
        m.size = (uint64_t)st.st_size;
        snprintf(m.name, sizeof m.name, "%s", strrchr(path, '/') + 1);
    }
    char *body;
    size_t len;
    if (update_manifest_encode(&m, &body, &len) != KIOSK_OK)
        return MHD_NO;
    uint8_t rs[64];
    char hub_sig[129];
    sync_reply_sign(env->sign_sk, device, sig, 200, body, len, rs);
    sync_hex_format(rs, 64, hub_sig);
    kiosk_log_info("hub", "%s -> 200 %s", who, m.version[0] ? m.version : "nothing offered");
    return send_json(c, 200, body, len, hub_sig);
}

static enum MHD_Result bundle(hub_update *u, const hub_update_env *env, struct MHD_Connection *c,
                              const char *name, const uint8_t device[32], const char *who)
{
    if (!u->dir[0] || !update_name_ok(name))
        return send_error(env, c, who, 404, "not_found", "no such bundle");
    char udir[UNIT_DIR_LEN], path[UNIT_DIR_LEN + UPDATE_NAME_MAX + 2];
    unit_dir(u, device, udir);
    snprintf(path, sizeof path, "%s/%s", udir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(path, sizeof path, "%s/%s", u->dir, name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return send_error(env, c, who, 404, "not_found", "no such bundle");
    }
    uint64_t size = (uint64_t)st.st_size, from = 0;
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
    int partial = 0;
    if (range) {
        /* only what a unit sends: "bytes=N-" */
        char num[24];
        size_t n = strlen(range);
        if (strncmp(range, "bytes=", 6) != 0 || n < 8 || range[n - 1] != '-' ||
            n - 7 >= sizeof num) {
            close(fd);
            return send_error(env, c, who, 416, "range", "only bytes=N- is served");
        }
        memcpy(num, range + 6, n - 7);
        num[n - 7] = '\0';
        if (!parse_u64(num, &from) || from >= size) {
            close(fd);
            return send_error(env, c, who, 416, "range", "range past the end");
        }
        partial = 1;
    }
    struct MHD_Response *r = MHD_create_response_from_fd_at_offset64(size - from, fd, from);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    if (partial) {
        char cr[80];
        snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)from,
                 (unsigned long long)(size - 1), (unsigned long long)size);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
    }
    kiosk_log_info("hub", "%s -> %u from %llu of %llu", who, partial ? 206u : 200u,
                   (unsigned long long)from, (unsigned long long)size);
    enum MHD_Result ret = MHD_queue_response(c, partial ? 206 : 200, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result hub_update_handle(hub_update *u, const hub_update_env *env,
                                  struct MHD_Connection *c, const char *url, const char *method)
{
    int is_bundle = strncmp(url, UPDATE_PATH_BUNDLE, strlen(UPDATE_PATH_BUNDLE)) == 0;
    const char *who = is_bundle ? "GET " UPDATE_PATH_BUNDLE : "GET " UPDATE_PATH_MANIFEST;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
        return send_error(env, c, who, 405, "method", "use GET");
    uint8_t device[32], sig[64];
    enum MHD_Result ret;
    if (authenticate(env, c, url, who, device, sig, &ret))
        return ret;
    if (is_bundle)
        return bundle(u, env, c, url + strlen(UPDATE_PATH_BUNDLE), device, who);
    const char *arch = url + strlen(UPDATE_PATH_MANIFEST);
    size_t an = strlen(arch);
    if (an == 0 || an > 16 || strspn(arch, "abcdefghijklmnopqrstuvwxyz0123456789") != an)
        return send_error(env, c, who, 404, "not_found", "no such architecture");
    return manifest(u, env, c, arch, device, sig, who);
}
