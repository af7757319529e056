/*
 * The unfinished form's file: "KD1\n", the time written (8 bytes, little-endian), the
 * keyed hash of the ID number (32), the nonce (24), then the body sealed with
 * XChaCha20-Poly1305 (body + 16), the clear part as associated data, so neither the time
 * nor the hash can be changed without the file failing to open.
 */
#include "store/draft.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

#define MAGIC "KD1\n"
#define HEAD (4 + 8 + 32)
#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES

void store_draft_path(const char *state_dir, char *out, size_t size)
{
    snprintf(out, size, "%s/draft", state_dir);
}

/* A key of this device for label (32 bytes into out). */
static void derive(const store_device_key *key, const char *label, uint8_t out[32])
{
    crypto_generichash(out, 32, (const uint8_t *)label, strlen(label), key->secret_key,
                       sizeof key->secret_key);
}

/* The keyed hash of an ID number, this file's own label (store_keyed_id). */
static int id_hash(const store_device_key *key, const char *id_number, uint8_t out[32])
{
    return store_keyed_id(key, "kiosk.store.draft-id.v1", id_number, out);
}

kiosk_rc store_draft_write(const char *state_dir, const store_device_key *key,
                           const char *id_number, const void *body, size_t n, int64_t now_ms)
{
    if (n > STORE_DRAFT_MAX)
        return KIOSK_INVALID;
    size_t total = HEAD + NONCE + n + TAG;
    uint8_t *file = malloc(total);
    if (!file)
        return KIOSK_NOMEM;
    memcpy(file, MAGIC, 4);
    for (int i = 0; i < 8; i++)
        file[4 + i] = (uint8_t)((uint64_t)now_ms >> (8 * i));
    if (!id_hash(key, id_number, file + 12)) {
        free(file);
        return KIOSK_INVALID;
    }
    randombytes_buf(file + HEAD, NONCE);
    uint8_t k[32];
    derive(key, "kiosk.store.draft-seal.v1", k);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(file + HEAD + NONCE, &clen, body, n, file, HEAD,
                                               NULL, file + HEAD, k);
    sodium_memzero(k, sizeof k);
    char path[600];
    store_draft_path(state_dir, path, sizeof path);
    kiosk_rc rc = store_write_file_atomic(state_dir, path, file, total);
    free(file); /* sealed: nothing readable to wipe */
    return rc;
}

/* The whole file (at most the largest draft); NULL with *rc when there is none. */
static uint8_t *read_all(const char *state_dir, size_t *len, kiosk_rc *rc)
{
    char path[600];
    store_draft_path(state_dir, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *rc = errno == ENOENT ? KIOSK_NOT_FOUND : KIOSK_IO;
        return NULL;
    }
    size_t cap = HEAD + NONCE + STORE_DRAFT_MAX + TAG + 1, got = 0;
    uint8_t *buf = malloc(cap);
    ssize_t r = 0;
    while (buf && got < cap && (r = read(fd, buf + got, cap - got)) > 0)
        got += (size_t)r;
    close(fd);
    if (!buf || r < 0 || got == cap) {
        free(buf);
        *rc = buf ? KIOSK_CRYPTO : KIOSK_NOMEM; /* too long to be a draft */
        return NULL;
    }
    *len = got;
    *rc = KIOSK_OK;
    return buf;
}

static int64_t written_at(const uint8_t *file)
{
    uint64_t t = 0;
    for (int i = 0; i < 8; i++)
        t |= (uint64_t)file[4 + i] << (8 * i);
    return (int64_t)t;
}

/* Open file (len bytes) with key: the body into a new buffer. */
static kiosk_rc open_body(const store_device_key *key, const uint8_t *file, size_t len,
                          uint8_t **body, size_t *n)
{
    if (len < HEAD + NONCE + TAG || memcmp(file, MAGIC, 4) != 0)
        return KIOSK_CRYPTO;
    size_t clen = len - HEAD - NONCE;
    uint8_t *out = malloc(clen - TAG + 1);
    if (!out)
        return KIOSK_NOMEM;
    uint8_t k[32];
    derive(key, "kiosk.store.draft-seal.v1", k);
    unsigned long long mlen = 0;
    int bad = crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, file + HEAD + NONCE,
                                                         clen, file, HEAD, file + HEAD, k);
    sodium_memzero(k, sizeof k);
    if (bad) {
        free(out);
        return KIOSK_CRYPTO;
    }
    out[mlen] = 0; /* a text body reads as a string */
    *body = out;
    *n = (size_t)mlen;
    return KIOSK_OK;
}

kiosk_rc store_draft_read(const char *state_dir, const store_device_key *key, const char *id_number,
                          int64_t now_ms, int64_t max_age_ms, uint8_t **body, size_t *n,
                          int64_t *written_ms)
{
    *body = NULL;
    *n = 0;
    size_t len = 0;
    kiosk_rc rc;
    uint8_t *file = read_all(state_dir, &len, &rc);
    if (!file)
        return rc;
    uint8_t want[32];
    if (len < HEAD || memcmp(file, MAGIC, 4) != 0)
        rc = KIOSK_CRYPTO;
    else if (!id_hash(key, id_number, want) || sodium_memcmp(want, file + 12, 32) != 0 ||
             now_ms - written_at(file) > max_age_ms || written_at(file) > now_ms + 60000)
        rc = KIOSK_NOT_FOUND;
    else
        rc = open_body(key, file, len, body, n);
    if (rc == KIOSK_OK && written_ms)
        *written_ms = written_at(file);
    free(file);
    return rc;
}

kiosk_rc store_draft_clear(const char *state_dir)
{
    char path[600];
    store_draft_path(state_dir, path, sizeof path);
    if (unlink(path) != 0 && errno != ENOENT)
        return KIOSK_IO;
    return KIOSK_OK;
}

int store_draft_clear_expired(const char *state_dir, const store_device_key *key, int64_t now_ms,
                              int64_t max_age_ms)
{
    size_t len = 0;
    kiosk_rc rc;
    uint8_t *file = read_all(state_dir, &len, &rc);
    if (!file)
        return rc == KIOSK_CRYPTO ? store_draft_clear(state_dir) == KIOSK_OK : 0;
    int stale = len < HEAD || memcmp(file, MAGIC, 4) != 0 ||
                now_ms - written_at(file) > max_age_ms || written_at(file) > now_ms + 60000;
    if (!stale) {
        uint8_t *body = NULL;
        size_t n = 0;
        stale = open_body(key, file, len, &body, &n) == KIOSK_CRYPTO;
        if (body) {
            sodium_memzero(body, n);
            free(body);
        }
    }
    free(file);
    return stale && store_draft_clear(state_dir) == KIOSK_OK;
}
