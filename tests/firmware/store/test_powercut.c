/* Power cuts, not only kills. A child process runs the store as the kiosk does — a saving
 * connection and the sync worker's connection (pending batch, mark sent, the hub's
 * answers applied) — over crashvfs (tests/tools), which cuts the power at a random write
 * or sync and leaves the files as a disk could: every write since the file's last sync
 * dropped, kept, reordered or torn. The real store then opens them, and: every record
 * whose save returned (the citizen saw "saved") is there once with its sequence number,
 * sequence numbers have no gap, an answer the store took is never undone (no
 * acknowledged record back in the outbox, no pending record lost), PRAGMA
 * integrity_check is ok and the audit chain verifies. KIOSK_POWERCUTS cuts (default
 * 1,000), KIOSK_POWERCUT_SEED the first seed; a failure names the seed and cut. Also: the
 * first boot (create, migrate, provision) cut at each of its writes comes up again. And
 * the test can fail: the same harness on a disk that ignores syncs loses records, and
 * each check fires on a database damaged on purpose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crashvfs.h"
#include "store/store.h"

/* A fresh store every EPOCH cuts keeps each check small; within an epoch each cut starts
 * from the files the last one left, so recovery itself runs under the next cuts. */
#define EPOCH 50
/* The cut falls within this many writes and syncs of the child's start: a few saves and
 * sync rounds, checkpoints included. */
#define CUT_RANGE 700
#ifndef KIOSK_POWERCUTS_DEFAULT
#define KIOSK_POWERCUTS_DEFAULT 1000 /* the sanitizer build sets fewer */
#endif
#define HALL "DEMO01"
#define T0_MS 1795363199000LL /* 2026-11-22 23:59:59 +08: the day turns during a run */

static char dir[512], db[600];
static store_device_key key;
static uint8_t commit_hash[32];
static uint8_t up_pk[32], up_sk[32]; /* the upstream's: the test opens what was sealed */
static char evidence[16384];

static const char registration[] =
    "{\"schema\":1,\"name\":\"张三丰\",\"sex\":\"1\",\"ethnicity\":\"01\",\"political\":\"13\","
    "\"education\":\"21\",\"health\":\"1\",\"disability_grade\":\"\",\"birth_date\":\"1979-"
    "03-15\",\"unemployed_since\":\"2026-09\",\"document_type\":\"01\",\"document_number\":"
    "\"370102197903154519\",\"household\":{\"division\":\"370102\",\"detail\":\"解放路12号\"},"
    "\"residence\":{\"division\":\"370102\",\"detail\":\"解放路12号\"},\"mobile\":"
    "\"13812345678\",\"reason\":\"05\",\"claims_insurance\":\"yes\",\"services\":[\"1\",\"2\"]}";

/* ---- deterministic randomness: uuids, keys and cuts follow the seed --------------- */

static uint64_t det_state = 1;

static uint64_t det_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const char *det_name(void)
{
    return "powercut-deterministic";
}

static uint32_t det_random(void)
{
    return (uint32_t)det_next(&det_state);
}

static void det_buf(void *const buf, const size_t n)
{
    unsigned char *b = buf;
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)det_next(&det_state);
}

static randombytes_implementation det_impl = {
    .implementation_name = det_name,
    .random = det_random,
    .stir = NULL,
    .uniform = NULL,
    .buf = det_buf,
    .close = NULL,
};

/* ---- the model: what the citizens and the sync worker were told ------------------- */

typedef struct rec {
    char uuid[STORE_UUID_LEN + 1];
    int64_t seq;
    int state;  /* as last found on disk (or 0 when only just saved) */
    int tried;  /* the answer the sync worker was applying (2 or 3), 0: none */
    int taken;  /* that answer's transaction returned KIOSK_OK */
    int opened; /* the sealed bytes were opened and matched once; digest is theirs */
    uint8_t digest[32];
} rec;

typedef struct model {
    rec *v;
    size_t n, cap;
    size_t saved_seen, acked_seen, rejected_seen; /* over the whole run */
    /* what the cuts did: cuts with writes waiting, in a checkpoint; writes kept whole,
     * torn, lost; the largest WAL a boot had to recover */
    size_t cuts_pending, cuts_checkpoint, applied, torn, dropped;
    long long wal_max;
} model;

static rec *model_find(model *m, const char *uuid)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->v[i].uuid, uuid))
            return &m->v[i];
    return NULL;
}

static rec *model_add(model *m, const char *uuid, int64_t seq)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 256;
        m->v = realloc(m->v, m->cap * sizeof *m->v);
        assert_non_null(m->v);
    }
    rec *r = &m->v[m->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->uuid, sizeof r->uuid, "%s", uuid);
    r->seq = seq;
    return r;
}

/* ---- the child: the kiosk until the power goes ----------------------------------- */

static void report(int fd, const char *fmt, ...)
{
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n <= 0 || n >= (int)sizeof line || write(fd, line, (size_t)n) != n)
        _exit(2);
}

typedef struct batch {
    char uuid[16][STORE_UUID_LEN + 1];
    int64_t last_seq;
    size_t n, cap;
} batch;

static int collect(void *ctx, const store_pending *p)
{
    batch *b = ctx;
    snprintf(b->uuid[b->n++], STORE_UUID_LEN + 1, "%s", p->uuid);
    b->last_seq = p->seq;
    return b->n >= b->cap;
}

static void die(const char *what, kiosk_rc rc)
{
    fprintf(stderr, "powercut child: %s: %s\n", what, kiosk_strerror(rc));
    _exit(3);
}

/* The child's last words: what the cut did to the writes that were waiting. */
static void last_words(void *ctx)
{
    crashvfs_stats st;
    crashvfs_get_stats(&st);
    report(*(int *)ctx, "X %llu %llu %llu %llu %llu\n", (unsigned long long)st.cut_pending,
           (unsigned long long)st.cut_applied, (unsigned long long)st.cut_torn,
           (unsigned long long)st.cut_dropped, (unsigned long long)st.cut_db);
}

/* Save and sync with two connections until crashvfs cuts the power (_exit). */
static void child(uint64_t seed, int fd, int ignore_sync, int64_t t_ms)
{
    det_state = seed * 7919 + 1;
    uint64_t r = seed;
    if (crashvfs_register(1) != SQLITE_OK)
        _exit(4);
    crashvfs_seed(seed);
    crashvfs_ignore_sync(ignore_sync);
    kiosk_clock_manual clk;
    kiosk_clock_manual_init(&clk, t_ms);
    store *saver, *syncer;
    kiosk_rc rc = store_open(db, HALL, &key, &clk.clock, &saver);
    if (rc != KIOSK_OK)
        die("open (saving)", rc);
    if ((rc = store_open(db, HALL, &key, &clk.clock, &syncer)) != KIOSK_OK)
        die("open (sync)", rc);
    crashvfs_on_cut(last_words, &fd);
    crashvfs_arm(1 + det_next(&r) % CUT_RANGE);
    store_submission sub = {
        .registration_json = registration,
        .evidence_json = evidence,
        .commitment_version = "2026.1",
        .commitment_sha256 = commit_hash,
        .masked_name = "张*丰",
        .masked_id = "3701**********4519",
    };
    for (;;) {
        kiosk_clock_manual_advance(&clk, 1000 + (int64_t)(det_next(&r) % 60000));
        if (det_next(&r) % 3) {
            store_saved sv;
            if ((rc = store_save(saver, &sub, &sv)) != KIOSK_OK)
                die("save", rc);
            report(fd, "S %s %lld\n", sv.uuid, (long long)sv.seq);
            continue;
        }
        /* one batch of a sync round, the hub's answers as the sync client applies them */
        batch b = {.cap = 1 + det_next(&r) % 16};
        if ((rc = store_pending_each(syncer, 0, b.cap, collect, &b, NULL)) != KIOSK_OK)
            die("pending", rc);
        if (!b.n)
            continue;
        if ((rc = store_mark_sent(syncer, 0, b.last_seq)) != KIOSK_OK)
            die("mark sent", rc);
        store_outcome out[16];
        for (size_t i = 0; i < b.n; i++) {
            int ack = det_next(&r) % 10 != 0;
            out[i] =
                (store_outcome){.uuid = b.uuid[i],
                                .acknowledged = ack,
                                .reason = ack ? NULL : "invalid_record",
                                .hub_signed = 1}; /* as the sync client passes a verified reply */
            report(fd, "T %s %d\n", b.uuid[i], ack ? STORE_ACKED : STORE_REJECTED);
        }
        size_t changed;
        if ((rc = store_apply_outcomes(syncer, out, b.n, &changed)) != KIOSK_OK)
            die("apply outcomes", rc);
        report(fd, "C\n");
        if ((rc = store_note_sync(syncer, 1, kiosk_clock_now_ms(&clk.clock), "")) != KIOSK_OK)
            die("note sync", rc);
    }
}

/* ---- the parent: run one cut, then look at what the disk kept --------------------- */

static void provision(void)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    crypto_box_keypair(up_pk, up_sk);
    store *s;
    assert_int_equal(store_open(db, HALL, &key, NULL, &s), KIOSK_OK);
    assert_int_equal(store_set_upstream_key(s, up_pk), KIOSK_OK);
    store_close(s);
}

/* Run the child; read its report into m. 0, or 1 when it ended other than by the cut. */
static int run_child(model *m, uint64_t seed, int ignore_sync, int64_t t_ms, char *why,
                     size_t why_size)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        child(seed, p[1], ignore_sync, t_ms);
        _exit(1);
    }
    close(p[1]);
    size_t len = 0, cap = 4096;
    char *text = malloc(cap);
    assert_non_null(text);
    ssize_t got;
    while ((got = read(p[0], text + len, cap - len - 1)) > 0 || (got < 0 && errno == EINTR)) {
        if (got > 0)
            len += (size_t)got;
        if (cap - len < 256) {
            text = realloc(text, cap *= 2);
            assert_non_null(text);
        }
    }
    close(p[0]);
    text[len] = '\0';
    int st = 0;
    waitpid(pid, &st, 0);

    rec *tried[16];
    size_t ntried = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char uuid[64];
        long long v;
        if (sscanf(line, "S %63s %lld", uuid, &v) == 2) {
            rec *r = model_find(m, uuid);
            if (!r)
                r = model_add(m, uuid, v);
            m->saved_seen++;
            ntried = 0;
        } else if (sscanf(line, "T %63s %lld", uuid, &v) == 2) {
            rec *r = model_find(m, uuid);
            if (!r) { /* only a record saved and not yet found: should not happen */
                snprintf(why, why_size, "the outbox gave %s, which nobody saw saved", uuid);
                free(text);
                return 1;
            }
            if (!r->tried)
                r->tried = (int)v;
            if (ntried < 16)
                tried[ntried++] = r;
        } else if (line[0] == 'X') {
            unsigned long long pending, applied, torn, dropped, dbw;
            if (sscanf(line, "X %llu %llu %llu %llu %llu", &pending, &applied, &torn, &dropped,
                       &dbw) == 5) {
                m->cuts_pending += pending > 0;
                m->cuts_checkpoint += dbw > 0;
                m->applied += applied;
                m->torn += torn;
                m->dropped += dropped;
            }
        } else if (!strcmp(line, "C")) {
            for (size_t i = 0; i < ntried; i++) {
                tried[i]->taken = 1;
                if (tried[i]->tried == STORE_ACKED)
                    m->acked_seen++;
                else
                    m->rejected_seen++;
            }
            ntried = 0;
        }
    }
    free(text);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != CRASHVFS_EXIT) {
        snprintf(why, why_size, "the child ended with status %d (signal %d), not by the cut",
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
        return 1;
    }
    return 0;
}

static int max_lines = 8; /* broken promises printed per cut */

typedef struct found {
    char uuid[STORE_UUID_LEN + 1];
    int64_t seq;
    int state;
    int sealed_len;
    int sealed_ok; /* opened and matching its hash now, or unchanged since it was */
    uint8_t digest[32];
} found;

/* The record's sealed bytes are whole: the first time they are seen they must open with
 * the upstream's key (the sealed box authenticates every byte) to an envelope whose
 * SHA-256 is the record's hash; afterwards they must not change. */
static int sealed_whole(rec *known, const uint8_t *sealed, size_t len, const uint8_t *hash,
                        int hash_len, uint8_t digest[32])
{
    crypto_generichash(digest, 32, sealed, len, NULL, 0);
    if (known && known->opened)
        return memcmp(known->digest, digest, 32) == 0;
    if (len < 64 + crypto_box_SEALBYTES || hash_len != 32)
        return 0;
    uint8_t *plain = malloc(len);
    assert_non_null(plain);
    int ok = crypto_box_seal_open(plain, sealed, len, up_pk, up_sk) == 0;
    if (ok) {
        uint8_t h[32];
        crypto_hash_sha256(h, plain + 64, len - crypto_box_SEALBYTES - 64);
        ok = memcmp(h, hash, 32) == 0;
    }
    free(plain);
    return ok;
}

/* What the real store makes of the files: the number of broken promises (each printed
 * with the cut), and m brought up to date with the disk. */
static int check(model *m, int cut, uint64_t seed)
{
    int bad = 0;
#define BAD(...)                                                                                   \
    do {                                                                                           \
        if (++bad <= max_lines) {                                                                  \
            printf("power cut %d (seed %llu): ", cut, (unsigned long long)seed);                   \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

    char wal[640];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", db);
    if (stat(wal, &sb) == 0 && (long long)sb.st_size > m->wal_max)
        m->wal_max = (long long)sb.st_size;

    /* a raw connection first, kept open last and closed without a checkpoint: the next
     * child recovers the very files the cut left */
    sqlite3 *raw = NULL;
    if (sqlite3_open_v2(db, &raw, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        BAD("cannot open the database: %s", raw ? sqlite3_errmsg(raw) : "?");
        sqlite3_close(raw);
        return bad;
    }
    sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    sqlite3_stmt *st;
    int rows = 0;
    if (sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            if (rows++ == 0 && t && !strcmp(t, "ok"))
                continue;
            BAD("integrity_check: %s", t ? t : "?");
        }
        sqlite3_finalize(st);
    }
    if (!rows)
        BAD("integrity_check did not run: %s", sqlite3_errmsg(raw));

    store *s = NULL;
    kiosk_rc rc = store_open(db, HALL, &key, NULL, &s);
    if (rc != KIOSK_OK) {
        BAD("the store does not open: %s", kiosk_strerror(rc));
    } else {
        store_audit_check ac;
        if ((rc = store_audit_verify(s, &ac)) != KIOSK_OK)
            BAD("the audit log does not verify (%s, first bad entry %lld)", kiosk_strerror(rc),
                (long long)ac.first_bad);
    }

    /* every record on disk, in seq order */
    found *f = NULL;
    size_t nf = 0, capf = 0;
    int64_t last_seq = 0;
    if (sqlite3_prepare_v2(raw,
                           "SELECT r.uuid, r.seq, r.state, b.sealed, r.hash FROM records r"
                           " LEFT JOIN record_blobs b ON b.record_id = r.id ORDER BY r.seq",
                           -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (nf == capf) {
                capf = capf ? capf * 2 : 256;
                f = realloc(f, capf * sizeof *f);
                assert_non_null(f);
            }
            snprintf(f[nf].uuid, sizeof f[nf].uuid, "%s", sqlite3_column_text(st, 0));
            f[nf].seq = sqlite3_column_int64(st, 1);
            f[nf].state = sqlite3_column_int(st, 2);
            f[nf].sealed_len = sqlite3_column_bytes(st, 3);
            f[nf].sealed_ok = sealed_whole(model_find(m, f[nf].uuid), sqlite3_column_blob(st, 3),
                                           (size_t)f[nf].sealed_len, sqlite3_column_blob(st, 4),
                                           sqlite3_column_bytes(st, 4), f[nf].digest);
            nf++;
        }
        sqlite3_finalize(st);
    } else {
        BAD("cannot read the records: %s", sqlite3_errmsg(raw));
    }
    if (sqlite3_prepare_v2(raw, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_seq'",
                           -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            last_seq = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    store_close(s);
    sqlite3_close(raw);

    /* sequence numbers 1..n, no gap, no repeat; the counter where the records end */
    for (size_t i = 0; i < nf; i++) {
        if (f[i].seq != (int64_t)i + 1) {
            BAD("sequence gap or repeat: record %zu has seq %lld", i + 1, (long long)f[i].seq);
            break;
        }
        if (f[i].sealed_len < 5000)
            BAD("record seq %lld has %d sealed bytes", (long long)f[i].seq, f[i].sealed_len);
        else if (!f[i].sealed_ok)
            BAD("record seq %lld: its sealed bytes are damaged", (long long)f[i].seq);
    }
    if (last_seq != (int64_t)nf)
        BAD("the sequence counter says %lld, %zu records are there", (long long)last_seq, nf);

    /* every promise kept */
    for (size_t i = 0; i < m->n; i++) {
        rec *r = &m->v[i];
        found *hit = NULL;
        int times = 0;
        for (size_t k = 0; k < nf; k++)
            if (!strcmp(f[k].uuid, r->uuid)) {
                hit = &f[k];
                times++;
            }
        if (times != 1) {
            BAD("record %s (seq %lld, saved) is there %d times", r->uuid, (long long)r->seq, times);
            continue;
        }
        if (hit->seq != r->seq)
            BAD("record %s was saved as seq %lld, now seq %lld", r->uuid, (long long)r->seq,
                (long long)hit->seq);
        if (r->state >= STORE_ACKED && hit->state != r->state)
            BAD("record %s was in state %d, is back in state %d", r->uuid, r->state, hit->state);
        else if (r->taken && hit->state != r->tried)
            BAD("record %s: the answer %d was taken, the record is in state %d", r->uuid, r->tried,
                hit->state);
        else if (hit->state >= STORE_ACKED && hit->state != r->tried && hit->state != r->state)
            BAD("record %s is in state %d that nobody gave it", r->uuid, hit->state);
    }

    /* the disk may hold more: a save that committed before the power went but had not yet
     * returned. From now on those are promises too. */
    for (size_t k = 0; k < nf; k++) {
        rec *r = model_find(m, f[k].uuid);
        if (!r) {
            r = model_add(m, f[k].uuid, f[k].seq);
            if (f[k].state >= STORE_ACKED)
                BAD("record %s appeared already answered (state %d)", f[k].uuid, f[k].state);
        }
        r->state = f[k].state;
        if (f[k].sealed_ok && !r->opened) {
            r->opened = 1;
            memcpy(r->digest, f[k].digest, 32);
        }
        if (r->state >= STORE_ACKED || !r->taken) {
            r->tried = 0;
            r->taken = 0;
        }
    }
    free(f);
    if (bad > max_lines)
        printf("power cut %d (seed %llu): ... and %d more\n", cut, (unsigned long long)seed,
               bad - max_lines);
    return bad;
#undef BAD
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : dflt;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct run_result {
    int cuts_done;
    int bad_cuts;
    model m;
} run_result;

/* cuts power cuts from seed base; stops at the first cut that breaks a promise unless
 * keep_going. */
static void run_cuts(int cuts, uint64_t base, int ignore_sync, int keep_going, run_result *res)
{
    memset(res, 0, sizeof *res);
    for (int i = 0; i < cuts; i++) {
        if (i % EPOCH == 0) {
            provision();
            res->m.n = 0;
        }
        uint64_t seed = base + (uint64_t)i;
        char why[200] = "";
        int bad =
            run_child(&res->m, seed, ignore_sync, T0_MS + (int64_t)i * 600000, why, sizeof why);
        if (bad)
            printf("power cut %d (seed %llu): %s\n", i, (unsigned long long)seed, why);
        else
            bad = check(&res->m, i, seed);
        res->cuts_done++;
        if (bad) {
            res->bad_cuts++;
            if (!keep_going) {
                printf("reproduce: KIOSK_POWERCUT_SEED=%llu KIOSK_POWERCUTS=%d (cut %d is in the "
                       "epoch that starts at cut %d)\n",
                       (unsigned long long)base, i + 1, i, i - i % EPOCH);
                break;
            }
            provision(); /* a broken store would fail every later cut */
            res->m.n = 0;
        }
    }
}

static void setup_paths(const char *name)
{
    snprintf(dir, sizeof dir, "%s/%s-%d", KIOSK_TEST_TMP, name, (int)getpid());
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
}

static void cleanup(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
}

/* ---- the first boot: creating and migrating the database ----------------------- */

/* Provision the store under crashvfs (create, migrate, the upstream key, close), the
 * power cut before the at_op-th write or sync (0: never; then report how many there were). */
static void provision_child(uint64_t seed, uint64_t at_op, int fd)
{
    if (crashvfs_register(1) != SQLITE_OK)
        _exit(4);
    crashvfs_seed(seed);
    crashvfs_arm(at_op);
    crashvfs_stats before;
    crashvfs_get_stats(&before);
    store *s;
    kiosk_rc rc = store_open(db, HALL, &key, NULL, &s);
    if (rc != KIOSK_OK)
        die("open", rc);
    if ((rc = store_set_upstream_key(s, up_pk)) != KIOSK_OK)
        die("upstream key", rc);
    store_close(s);
    crashvfs_stats st;
    crashvfs_get_stats(&st);
    report(fd, "N %llu\n", (unsigned long long)(st.ops - before.ops));
    _exit(0);
}

/* Run provision_child; its exit status, and the ops it reported (if any) in *ops. */
static int run_provision_child(uint64_t seed, uint64_t at_op, unsigned long long *ops)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        provision_child(seed, at_op, p[1]);
    }
    close(p[1]);
    char text[64] = "";
    ssize_t n = read(p[0], text, sizeof text - 1);
    close(p[0]);
    if (n > 0)
        text[n] = '\0';
    if (ops && sscanf(text, "N %llu", ops) != 1)
        *ops = 0;
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the tests ------------------------------------------------------------------- */

static unsigned char file_byte(const char *path, off_t at)
{
    unsigned char b = 0xEE;
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        if (pread(fd, &b, 1, at) != 1)
            b = 0xEE;
        close(fd);
    }
    return b;
}

/* The VFS itself: what was synced stays, what was not may go. */
static void test_vfs_keeps_synced_drops_unsynced(void **state)
{
    (void)state;
    setup_paths("crashvfs");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(crashvfs_register(0), SQLITE_OK);
    sqlite3_vfs *vfs = sqlite3_vfs_find("crashvfs");
    assert_non_null(vfs);
    int lost = 0, kept = 0;
    for (uint64_t seed = 1; seed <= 64; seed++) {
        unlink(db);
        crashvfs_seed(seed);
        sqlite3_file *f = calloc(1, (size_t)vfs->szOsFile);
        assert_non_null(f);
        int out;
        assert_int_equal(
            vfs->xOpen(vfs, db, f, SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                       &out),
            SQLITE_OK);
        unsigned char a[4096], b[4096], back[4096];
        memset(a, 'A', sizeof a);
        memset(b, 'B', sizeof b);
        assert_int_equal(f->pMethods->xWrite(f, a, sizeof a, 0), SQLITE_OK);
        assert_int_equal(f->pMethods->xSync(f, SQLITE_SYNC_FULL), SQLITE_OK);
        assert_int_equal(f->pMethods->xWrite(f, b, sizeof b, 0), SQLITE_OK);
        assert_int_equal(f->pMethods->xWrite(f, b, sizeof b, 4096), SQLITE_OK);
        /* before the cut SQLite reads what it wrote */
        assert_int_equal(f->pMethods->xRead(f, back, sizeof back, 4096), SQLITE_OK);
        assert_memory_equal(back, b, sizeof b);
        sqlite3_int64 size;
        assert_int_equal(f->pMethods->xFileSize(f, &size), SQLITE_OK);
        assert_int_equal(size, 8192);
        assert_int_equal(file_byte(db, 0), 'A'); /* nothing unsynced reached the file */
        crashvfs_cut_now();
        assert_int_equal(f->pMethods->xWrite(f, b, sizeof b, 0), SQLITE_IOERR_WRITE);
        f->pMethods->xClose(f);
        free(f);
        /* every byte is the synced one or the written one or, torn, garbage — and the
         * unsynced first page is sometimes wholly lost */
        int fd = open(db, O_RDONLY);
        assert_true(fd >= 0);
        ssize_t n = read(fd, back, sizeof back);
        close(fd);
        assert_int_equal(n, 4096);
        int all_a = 1;
        for (int i = 0; i < 4096; i++)
            all_a &= back[i] == 'A';
        lost += all_a;
        kept += !all_a;
    }
    printf("crashvfs: of 64 cuts, the unsynced write was lost in %d and reached the disk "
           "(whole or torn) in %d\n",
           lost, kept);
    assert_true(lost > 0);
    assert_true(kept > 0);
    cleanup();
}

static void test_power_cuts_during_save_and_sync(void **state)
{
    (void)state;
    setup_paths("powercut");
    int cuts = (int)env_u64("KIOSK_POWERCUTS", KIOSK_POWERCUTS_DEFAULT);
    uint64_t base = env_u64("KIOSK_POWERCUT_SEED", 20261204);
    double t0 = now_s();
    run_result res;
    run_cuts(cuts, base, 0, 0, &res);
    double took = now_s() - t0;
    printf("power cuts: %d of %d in %.1f s (seeds %llu..%llu); %zu saves returned, %zu "
           "acknowledgements and %zu rejections taken; %d cuts broke a promise\n",
           res.cuts_done, cuts, took, (unsigned long long)base,
           (unsigned long long)(base + (uint64_t)cuts - 1), res.m.saved_seen, res.m.acked_seen,
           res.m.rejected_seen, res.bad_cuts);
    printf("power cuts: %zu cut with writes waiting (%zu inside a checkpoint); waiting writes "
           "kept %zu, torn %zu, lost %zu; WAL up to %lld KiB recovered\n",
           res.m.cuts_pending, res.m.cuts_checkpoint, res.m.applied, res.m.torn, res.m.dropped,
           res.m.wal_max / 1024);
    free(res.m.v);
    assert_int_equal(res.bad_cuts, 0);
    assert_int_equal(res.cuts_done, cuts);
    assert_true(res.m.saved_seen > (size_t)cuts / 2); /* the children did real work */
    assert_true(res.m.acked_seen > 0);
    cleanup();
}

/* A unit whose first boot (the database created, migrated, provisioned) loses power at
 * any write or sync comes up again: the store opens, takes its upstream key if the cut
 * lost it, saves, and its audit log verifies. Every cut point, three tearings each. */
static void test_power_cuts_while_provisioning(void **state)
{
    (void)state;
    setup_paths("powercut-first-boot");
    char cmd[2600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(store_device_key_load(dir, &key), KIOSK_OK);
    crypto_box_keypair(up_pk, up_sk);
    unsigned long long total = 0;
    assert_int_equal(run_provision_child(1, 0, &total), 0);
    assert_true(total > 5);
    store_submission sub = {
        .registration_json = registration,
        .evidence_json = evidence,
        .commitment_version = "2026.1",
        .commitment_sha256 = commit_hash,
        .masked_name = "张*丰",
        .masked_id = "3701**********4519",
    };
    int bad = 0, runs = 0;
    for (unsigned long long at = 1; at <= total; at++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            static const char *const parts[] = {"", "-wal", "-shm", "-journal"};
            for (size_t i = 0; i < 4; i++) {
                snprintf(cmd, sizeof cmd, "%s%s", db, parts[i]);
                assert_true(unlink(cmd) == 0 || errno == ENOENT);
            }
            int st = run_provision_child(seed * 1000 + at, at, NULL);
            runs++;
            store *s = NULL;
            kiosk_rc rc = st == CRASHVFS_EXIT ? store_open(db, HALL, &key, NULL, &s) : KIOSK_IO;
            uint8_t have[32];
            if (rc == KIOSK_OK && store_upstream_key(s, have) != KIOSK_OK)
                rc = store_set_upstream_key(s, up_pk);
            else if (rc == KIOSK_OK && memcmp(have, up_pk, 32) != 0)
                rc = KIOSK_CORRUPT;
            store_saved sv;
            if (rc == KIOSK_OK)
                rc = store_save(s, &sub, &sv);
            store_audit_check ac;
            if (rc == KIOSK_OK)
                rc = store_audit_verify(s, &ac);
            store_close(s);
            if (rc != KIOSK_OK) {
                printf("first boot cut at write/sync %llu of %llu (seed %llu, child status %d): "
                       "%s\n",
                       at, total, (unsigned long long)(seed * 1000 + at), st, kiosk_strerror(rc));
                bad++;
            }
        }
    printf("first boot: %d power cuts over %llu writes and syncs, %d left a unit that does not "
           "come up\n",
           runs, total, bad);
    assert_int_equal(bad, 0);
    cleanup();
}

/* Each check above can fail: the files of a few good cuts, each time damaged in one way
 * the checks promise to see, are caught. */
static void test_each_check_can_fail(void **state)
{
    (void)state;
    setup_paths("powercut-checks");
    run_result res;
    run_cuts(8, 4242, 0, 0, &res);
    assert_int_equal(res.bad_cuts, 0);
    size_t acked = 0, pending = 0;
    for (size_t i = 0; i < res.m.n; i++) {
        acked += res.m.v[i].state == STORE_ACKED;
        pending += res.m.v[i].state < STORE_ACKED;
    }
    assert_true(acked > 0 && pending > 0);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s/keep' && cp '%s' '%s/keep/' && (cp '%s-wal' '%s/keep/' || true)", dir,
             db, dir, db, dir);
    assert_int_equal(system(cmd), 0);
    static const struct {
        const char *what, *sql;
    } harm[] = {
        {"an acknowledged record back in the outbox",
         "UPDATE records SET state = 0 WHERE id = (SELECT min(id) FROM records WHERE state = 2)"},
        {"a record acknowledged that nobody acknowledged",
         "UPDATE records SET state = 2 WHERE id = (SELECT min(id) FROM records WHERE state < 2)"},
        {"a saved record lost",
         "DELETE FROM record_blobs WHERE record_id = (SELECT max(id) FROM records);"
         "DELETE FROM records WHERE id = (SELECT max(id) FROM records);"
         "UPDATE meta SET value = value - 1 WHERE key = 'last_seq'"},
        {"a sealed record lost",
         "DELETE FROM record_blobs WHERE record_id = (SELECT min(id) FROM records)"},
        {"a sequence gap",
         "UPDATE records SET seq = seq + 1 WHERE seq = (SELECT max(seq) FROM records);"
         "UPDATE meta SET value = value + 1 WHERE key = 'last_seq'"},
        {"a sequence counter behind", "UPDATE meta SET value = value - 1 WHERE key = 'last_seq'"},
        {"an audit entry altered", "UPDATE audit SET detail = 'x' WHERE id = 2"},
        {"a damaged page of sealed bytes", NULL},
        {"an index out of step with its table (integrity_check)",
         "PRAGMA writable_schema = 1; UPDATE sqlite_schema SET sql = 'CREATE INDEX"
         " records_pending ON records(state, seq) WHERE state IN (0, 1)'"
         " WHERE name = 'records_pending'"},
    };
    for (size_t h = 0; h < sizeof harm / sizeof *harm; h++) {
        snprintf(cmd, sizeof cmd, "rm -f '%s-wal' '%s-shm' && cp '%s/keep/'* '%s/'", db, db, dir,
                 dir);
        assert_int_equal(system(cmd), 0);
        model copy = res.m;
        copy.v = malloc(res.m.n * sizeof *copy.v);
        assert_non_null(copy.v);
        memcpy(copy.v, res.m.v, res.m.n * sizeof *copy.v);
        sqlite3 *raw;
        assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
        if (harm[h].sql)
            assert_int_equal(sqlite3_exec(raw, harm[h].sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw); /* checkpointed: the file holds everything */
        if (!harm[h].sql) { /* 64 bytes in the middle of one page of sealed bytes */
            assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
            sqlite3_stmt *st;
            assert_int_equal(sqlite3_prepare_v2(raw,
                                                "SELECT pageno FROM dbstat WHERE name ="
                                                " 'record_blobs' AND pagetype = 'overflow'"
                                                " LIMIT 1",
                                                -1, &st, NULL),
                             SQLITE_OK);
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            off_t page = (off_t)sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA page_size", -1, &st, NULL), SQLITE_OK);
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            off_t page_size = (off_t)sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            sqlite3_close(raw);
            int fd = open(db, O_WRONLY);
            unsigned char junk[64];
            memset(junk, 0xA5, sizeof junk);
            assert_int_equal(pwrite(fd, junk, sizeof junk, (page - 1) * page_size + page_size / 2),
                             (ssize_t)sizeof junk);
            close(fd);
        }
        printf("-- damaged on purpose: %s --\n", harm[h].what);
        int bad = check(&copy, -1, 0);
        free(copy.v);
        if (!bad)
            fail_msg("the checks did not see %s", harm[h].what);
    }
    free(res.m.v);
    cleanup();
}

/* The same harness on a disk that ignores syncs (as a store with synchronous=OFF would
 * never ask for one) must find records lost: the check above can fail. */
static void test_unsynced_store_loses_records(void **state)
{
    (void)state;
    setup_paths("powercut-nosync");
    run_result res;
    printf("-- a disk that ignores syncs; the broken promises below are expected --\n");
    max_lines = 1;
    run_cuts(20, 77, 1, 1, &res);
    max_lines = 8;
    printf("-- %d of %d cuts on that disk broke a promise --\n", res.bad_cuts, res.cuts_done);
    free(res.m.v);
    assert_true(res.bad_cuts > 0);
    cleanup();
}

int main(void)
{
    /* before sodium_init: every child's uuids and seals follow its seed */
    randombytes_set_implementation(&det_impl);
    if (sodium_init() < 0)
        return 1;
    crypto_hash_sha256(commit_hash, (const uint8_t *)"承诺 v1", strlen("承诺 v1"));
    /* a signature of 450 points: about 7.5 KB sealed, a real registration's size */
    int off = snprintf(evidence, sizeof evidence, "{\"strokes\":[[");
    for (int i = 0; i < 450; i++)
        off += snprintf(evidence + off, sizeof evidence - (size_t)off, "%s[%d,%d,%d]", i ? "," : "",
                        100 + i % 700, 200 + i / 2, i * 16);
    snprintf(evidence + off, sizeof evidence - (size_t)off, "]]}");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vfs_keeps_synced_drops_unsynced),
        cmocka_unit_test(test_each_check_can_fail),
        cmocka_unit_test(test_unsynced_store_loses_records),
        cmocka_unit_test(test_power_cuts_while_provisioning),
        cmocka_unit_test(test_power_cuts_during_save_and_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
