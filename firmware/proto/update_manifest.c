/*
 * The update manifest's JSON, the bundle names the hub serves and Debian's version
 * order. Parsing is strict: the manifest is outside bytes even when signed.
 */
#include "proto/update_manifest.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sync_proto.h"

int update_version_ok(const char *v)
{
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n >= UPDATE_VERSION_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)v[i]) && !strchr(".+~-", v[i]))
            return 0;
    return 1;
}

int update_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n <= 6 || n >= UPDATE_NAME_MAX || name[0] == '.' || strcmp(name + n - 6, ".raucb") != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("._+~-", name[i]))
            return 0;
    return 1;
}

int update_name_version(const char *name, const char *arch, char *version)
{
    if (!update_name_ok(name) || strncmp(name, "kiosk-", 6) != 0)
        return 0;
    size_t n = strlen(name), a = strlen(arch);
    /* kiosk-<version>-<arch>.raucb */
    if (n < 6 + 1 + 1 + a + 6 || name[n - 6 - a - 1] != '-' ||
        strncmp(name + n - 6 - a, arch, a) != 0)
        return 0;
    size_t vlen = n - 6 - a - 1 - 6;
    if (vlen == 0 || vlen >= UPDATE_VERSION_MAX)
        return 0;
    memcpy(version, name + 6, vlen);
    version[vlen] = '\0';
    return update_version_ok(version);
}

/* dpkg's order of a character: '~' first, then the end, then letters, then the rest */
static int order(int c)
{
    if (isdigit(c))
        return 0;
    if (isalpha(c))
        return c;
    if (c == '~')
        return -1;
    if (c)
        return c + 256;
    return 0;
}

int update_version_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        int first_diff = 0;
        while ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b))) {
            int ac = order((unsigned char)*a), bc = order((unsigned char)*b);
            if (ac != bc)
                return ac - bc;
            a++;
            b++;
        }
        while (*a == '0')
            a++;
        while (*b == '0')
            b++;
        while (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            if (!first_diff)
                first_diff = *a - *b;
            a++;
            b++;
        }
        if (isdigit((unsigned char)*a))
            return 1;
        if (isdigit((unsigned char)*b))
            return -1;
        if (first_diff)
            return first_diff;
    }
    return 0;
}

kiosk_rc update_manifest_encode(const update_manifest *m, char **out, size_t *len)
{
    *out = NULL;
    char buf[512];
    int n;
    if (!m->version[0]) {
        n = snprintf(buf, sizeof buf, "{\"version\":\"\"}");
    } else {
        char hex[65];
        sync_hex_format(m->sha256, 32, hex);
        n = snprintf(buf, sizeof buf,
                     "{\"version\":\"%s\",\"size\":%llu,\"sha256\":\"%s\",\"path\":\"%s%s\"}",
                     m->version, (unsigned long long)m->size, hex, UPDATE_PATH_BUNDLE, m->name);
    }
    if (n < 0 || (size_t)n >= sizeof buf)
        return KIOSK_INVALID;
    *out = malloc((size_t)n + 1);
    if (!*out)
        return KIOSK_NOMEM;
    memcpy(*out, buf, (size_t)n + 1);
    if (len)
        *len = (size_t)n;
    return KIOSK_OK;
}

kiosk_rc update_manifest_decode(const char *body, size_t len, update_manifest *m)
{
    memset(m, 0, sizeof *m);
    json_error_t err;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    kiosk_rc rc = KIOSK_INVALID;
    if (!root || !json_is_object(root))
        goto out;
    json_t *v = json_object_get(root, "version");
    if (!json_is_string(v))
        goto out;
    const char *version = json_string_value(v);
    if (!version[0]) {
        rc = json_object_size(root) == 1 ? KIOSK_OK : KIOSK_INVALID;
        goto out;
    }
    json_t *size = json_object_get(root, "size"), *sha = json_object_get(root, "sha256"),
           *path = json_object_get(root, "path");
    if (json_object_size(root) != 4 || !update_version_ok(version) || !json_is_integer(size) ||
        json_integer_value(size) <= 0 || !json_is_string(sha) ||
        strlen(json_string_value(sha)) != 64 ||
        !sync_hex_parse(json_string_value(sha), m->sha256, 32) || !json_is_string(path))
        goto out;
    const char *p = json_string_value(path);
    size_t pre = strlen(UPDATE_PATH_BUNDLE);
    if (strncmp(p, UPDATE_PATH_BUNDLE, pre) != 0 || !update_name_ok(p + pre))
        goto out;
    snprintf(m->version, sizeof m->version, "%s", version);
    snprintf(m->name, sizeof m->name, "%s", p + pre);
    m->size = (uint64_t)json_integer_value(size);
    rc = KIOSK_OK;
out:
    if (rc != KIOSK_OK)
        memset(m, 0, sizeof *m);
    json_decref(root);
    return rc;
}
