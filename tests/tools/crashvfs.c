/* A power cut for SQLite; see crashvfs.h. Each tracked file (database, WAL, journal) is a
 * node shared by every handle on its path: the ordered writes and truncations since its
 * last xSync, and the size SQLite sees. Syncs flush a node's log to the real file (no
 * real fsync: the test's durability is this model, not the disk's). */
#include "crashvfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct cv_op {
    sqlite3_int64 off;   /* write: where; truncation: the new size */
    int len;             /* -1: a truncation */
    unsigned char *data; /* owned */
} cv_op;

typedef struct cv_node {
    char *path;
    int refs;
    int main_db;
    sqlite3_int64 size; /* as SQLite sees it */
    cv_op *ops;
    size_t nops, cap;
    struct cv_node *next;
} cv_node;

typedef struct cv_file {
    sqlite3_file base;
    cv_node *node; /* NULL: not tracked (temporary files) */
    unsigned gen;  /* the power "boot" it was opened in */
} cv_file;

#define CV_FILE_SIZE ((sizeof(cv_file) + 15) & ~(size_t)15)
#define REAL(f) ((sqlite3_file *)((char *)(f) + CV_FILE_SIZE))

static struct {
    sqlite3_vfs vfs;
    sqlite3_vfs *real;
    cv_node *nodes;
    uint64_t rng;
    uint64_t arm_at;
    int ignore_sync;
    unsigned gen;
    crashvfs_stats st;
    void (*on_cut)(void *ctx);
    void *on_cut_ctx;
} g = {.gen = 1, .rng = 0x9E3779B97F4A7C15ull};

static uint64_t rnd(void)
{
    uint64_t z = (g.rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned rnd_below(unsigned n)
{
    return n ? (unsigned)(rnd() % n) : 0;
}

/* ---- nodes ----------------------------------------------------------------------- */

static cv_node *node_find(const char *path)
{
    for (cv_node *n = g.nodes; n; n = n->next)
        if (!strcmp(n->path, path))
            return n;
    return NULL;
}

static void node_clear(cv_node *n)
{
    for (size_t i = 0; i < n->nops; i++)
        free(n->ops[i].data);
    n->nops = 0;
}

static void node_release(cv_node *n)
{
    if (n->refs > 0 || n->nops > 0)
        return;
    for (cv_node **p = &g.nodes; *p; p = &(*p)->next)
        if (*p == n) {
            *p = n->next;
            break;
        }
    free(n->ops);
    free(n->path);
    free(n);
}

static int node_push(cv_node *n, sqlite3_int64 off, int len, const void *data)
{
    if (n->nops == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 64;
        cv_op *ops = realloc(n->ops, cap * sizeof *ops);
        if (!ops)
            return SQLITE_NOMEM;
        n->ops = ops;
        n->cap = cap;
    }
    cv_op *op = &n->ops[n->nops];
    op->off = off;
    op->len = len;
    op->data = NULL;
    if (len > 0) {
        if (!(op->data = malloc((size_t)len)))
            return SQLITE_NOMEM;
        memcpy(op->data, data, (size_t)len);
    }
    n->nops++;
    return SQLITE_OK;
}

/* ---- the cut --------------------------------------------------------------------- */

static void put(int fd, const void *p, size_t n, off_t off)
{
    if (n && pwrite(fd, p, n, off) != (ssize_t)n)
        abort(); /* the test's own disk failed: nothing to learn from going on */
}

/* A write as a disk might have left it: each 512-byte piece written, lost, half written
 * or garbage — only ever bytes inside the write. */
static void write_torn(int fd, const cv_op *op)
{
    sqlite3_int64 end = op->off + op->len;
    for (sqlite3_int64 at = op->off; at < end;) {
        sqlite3_int64 next = (at / 512 + 1) * 512;
        if (next > end)
            next = end;
        size_t n = (size_t)(next - at);
        const unsigned char *src = op->data + (at - op->off);
        switch (rnd_below(4)) {
        case 0:
            put(fd, src, n, (off_t)at);
            break;
        case 1:
            break;
        case 2:
            put(fd, src, rnd_below((unsigned)n), (off_t)at);
            break;
        default: {
            unsigned char junk[512];
            for (size_t i = 0; i < n; i++)
                junk[i] = (unsigned char)rnd();
            put(fd, junk, n, (off_t)at);
        }
        }
        at = next;
    }
}

static void apply(int fd, const cv_op *op, int torn)
{
    if (op->len < 0) {
        if (ftruncate(fd, (off_t)op->off) != 0)
            abort();
    } else if (torn) {
        write_torn(fd, op);
    } else {
        put(fd, op->data, (size_t)op->len, (off_t)op->off);
    }
}

enum { CUT_NONE, CUT_PREFIX, CUT_SUBSET, CUT_ALL };

static void node_cut(cv_node *n)
{
    g.st.cut_pending += n->nops;
    if (n->main_db)
        g.st.cut_db += n->nops;
    int fd = open(n->path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        g.st.cut_dropped += n->nops;
        return;
    }
    size_t *order = malloc((n->nops ? n->nops : 1) * sizeof *order);
    if (!order)
        abort();
    for (size_t i = 0; i < n->nops; i++)
        order[i] = i;
    int mode = (int)rnd_below(4);
    size_t prefix = n->nops ? rnd_below((unsigned)n->nops + 1) : 0;
    if (mode == CUT_SUBSET)
        for (size_t i = n->nops; i > 1; i--) { /* any order: the disk's elevator */
            size_t j = rnd_below((unsigned)i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
    for (size_t k = 0; k < n->nops; k++) {
        const cv_op *op = &n->ops[order[k]];
        int how; /* 0 lost, 1 whole, 2 torn */
        if (mode == CUT_NONE)
            how = 0;
        else if (mode == CUT_ALL)
            how = 1;
        else if (mode == CUT_PREFIX)
            how = k < prefix ? 1 : k == prefix && rnd_below(2) ? 2 : 0;
        else
            how = (int)rnd_below(4) % 3; /* lost, whole, torn, lost */
        if (how)
            apply(fd, op, how == 2 && op->len > 0);
        g.st.cut_applied += how == 1 || (how == 2 && op->len < 0);
        g.st.cut_torn += how == 2 && op->len > 0;
        g.st.cut_dropped += how == 0;
    }
    free(order);
    struct stat sb;
    n->size = fstat(fd, &sb) == 0 ? (sqlite3_int64)sb.st_size : 0;
    close(fd);
    node_clear(n);
}

void crashvfs_cut_now(void)
{
    g.st.cut_pending = g.st.cut_applied = g.st.cut_torn = g.st.cut_dropped = g.st.cut_db = 0;
    for (cv_node *n = g.nodes; n;) {
        cv_node *next = n->next;
        node_cut(n);
        node_release(n);
        n = next;
    }
    g.gen++;
    g.arm_at = 0;
}

/* Count one write, truncation or sync; cut the power when the armed one comes. */
static void tick(void)
{
    g.st.ops++;
    if (g.arm_at && g.st.ops >= g.arm_at) {
        crashvfs_cut_now();
        if (g.on_cut)
            g.on_cut(g.on_cut_ctx);
        _exit(CRASHVFS_EXIT);
    }
}

/* ---- the file methods ------------------------------------------------------------ */

static int dead(const cv_file *f)
{
    return f->node && f->gen != g.gen;
}

static int cv_close(sqlite3_file *file)
{
    cv_file *f = (cv_file *)file;
    int rc = REAL(f)->pMethods->xClose(REAL(f));
    if (f->node) {
        f->node->refs--;
        node_release(f->node);
        f->node = NULL;
    }
    return rc;
}

static int cv_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
    cv_file *f = (cv_file *)file;
    if (dead(f))
        return SQLITE_IOERR_READ;
    int rc = REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
    if (!f->node || (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ))
        return rc;
    unsigned char *b = buf;
    sqlite3_int64 end = off + amt;
    for (size_t i = 0; i < f->node->nops; i++) {
        const cv_op *op = &f->node->ops[i];
        if (op->len < 0) {
            if (op->off < end) {
                sqlite3_int64 from = op->off > off ? op->off : off;
                memset(b + (from - off), 0, (size_t)(end - from));
            }
            continue;
        }
        sqlite3_int64 lo = op->off > off ? op->off : off;
        sqlite3_int64 hi = op->off + op->len < end ? op->off + op->len : end;
        if (lo < hi)
            memcpy(b + (lo - off), op->data + (lo - op->off), (size_t)(hi - lo));
    }
    if (end > f->node->size) {
        sqlite3_int64 from = f->node->size > off ? f->node->size : off;
        memset(b + (from - off), 0, (size_t)(end - from));
        return SQLITE_IOERR_SHORT_READ;
    }
    return SQLITE_OK;
}

static int cv_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
    cv_file *f = (cv_file *)file;
    if (dead(f))
        return SQLITE_IOERR_WRITE;
    if (!f->node)
        return REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
    tick();
    int rc = node_push(f->node, off, amt, buf);
    if (rc == SQLITE_OK && off + amt > f->node->size)
        f->node->size = off + amt;
    return rc;
}

static int cv_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    cv_file *f = (cv_file *)file;
    if (dead(f))
        return SQLITE_IOERR_TRUNCATE;
    if (!f->node)
        return REAL(f)->pMethods->xTruncate(REAL(f), size);
    tick();
    int rc = node_push(f->node, size, -1, NULL);
    if (rc == SQLITE_OK)
        f->node->size = size;
    return rc;
}

static int cv_sync(sqlite3_file *file, int flags)
{
    cv_file *f = (cv_file *)file;
    if (dead(f))
        return SQLITE_IOERR_FSYNC;
    if (!f->node)
        return REAL(f)->pMethods->xSync(REAL(f), flags);
    tick();
    if (g.ignore_sync)
        return SQLITE_OK;
    sqlite3_file *r = REAL(f);
    cv_node *n = f->node;
    for (size_t i = 0; i < n->nops; i++) {
        const cv_op *op = &n->ops[i];
        int rc = op->len < 0 ? r->pMethods->xTruncate(r, op->off)
                             : r->pMethods->xWrite(r, op->data, op->len, op->off);
        if (rc != SQLITE_OK)
            return rc;
    }
    node_clear(n);
    return SQLITE_OK;
}

static int cv_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    cv_file *f = (cv_file *)file;
    if (dead(f))
        return SQLITE_IOERR_FSTAT;
    if (!f->node)
        return REAL(f)->pMethods->xFileSize(REAL(f), size);
    *size = f->node->size;
    return SQLITE_OK;
}

static int cv_lock(sqlite3_file *file, int lock)
{
    return REAL(file)->pMethods->xLock(REAL(file), lock);
}

static int cv_unlock(sqlite3_file *file, int lock)
{
    return REAL(file)->pMethods->xUnlock(REAL(file), lock);
}

static int cv_check_reserved(sqlite3_file *file, int *out)
{
    return REAL(file)->pMethods->xCheckReservedLock(REAL(file), out);
}

static int cv_file_control(sqlite3_file *file, int op, void *arg)
{
    cv_file *f = (cv_file *)file;
    /* the real file would grow or round its size behind the log's back */
    if (f->node && (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_CHUNK_SIZE))
        return SQLITE_OK;
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int cv_sector_size(sqlite3_file *file)
{
    return REAL(file)->pMethods->xSectorSize(REAL(file));
}

static int cv_device_characteristics(sqlite3_file *file)
{
    return REAL(file)->pMethods->xDeviceCharacteristics(REAL(file));
}

static int cv_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **out)
{
    return REAL(file)->pMethods->xShmMap(REAL(file), page, size, extend, out);
}

static int cv_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    return REAL(file)->pMethods->xShmLock(REAL(file), offset, n, flags);
}

static void cv_shm_barrier(sqlite3_file *file)
{
    REAL(file)->pMethods->xShmBarrier(REAL(file));
}

static int cv_shm_unmap(sqlite3_file *file, int delete_flag)
{
    return REAL(file)->pMethods->xShmUnmap(REAL(file), delete_flag);
}

/* Version 2: shared memory for WAL, but no memory-mapped reads past the log. */
static const sqlite3_io_methods cv_methods = {
    .iVersion = 2,
    .xClose = cv_close,
    .xRead = cv_read,
    .xWrite = cv_write,
    .xTruncate = cv_truncate,
    .xSync = cv_sync,
    .xFileSize = cv_file_size,
    .xLock = cv_lock,
    .xUnlock = cv_unlock,
    .xCheckReservedLock = cv_check_reserved,
    .xFileControl = cv_file_control,
    .xSectorSize = cv_sector_size,
    .xDeviceCharacteristics = cv_device_characteristics,
    .xShmMap = cv_shm_map,
    .xShmLock = cv_shm_lock,
    .xShmBarrier = cv_shm_barrier,
    .xShmUnmap = cv_shm_unmap,
    .xFetch = NULL,
    .xUnfetch = NULL,
};

/* ---- the VFS --------------------------------------------------------------------- */

static int cv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                   int *out_flags)
{
    (void)vfs;
    cv_file *f = (cv_file *)file;
    memset(f, 0, sizeof *f);
    int rc = g.real->xOpen(g.real, name, REAL(f), flags, out_flags);
    if (rc != SQLITE_OK) {
        f->base.pMethods = NULL;
        return rc;
    }
    if (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL))) {
        cv_node *n = node_find(name);
        if (!n) {
            n = calloc(1, sizeof *n);
            if (n)
                n->path = strdup(name);
            if (!n || !n->path || REAL(f)->pMethods->xFileSize(REAL(f), &n->size) != SQLITE_OK) {
                if (n)
                    free(n->path);
                free(n);
                REAL(f)->pMethods->xClose(REAL(f));
                f->base.pMethods = NULL;
                return SQLITE_NOMEM;
            }
            n->next = g.nodes;
            g.nodes = n;
        }
        n->refs++;
        n->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
        f->node = n;
    }
    f->gen = g.gen;
    f->base.pMethods = &cv_methods;
    return SQLITE_OK;
}

static int cv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    cv_node *n = node_find(name);
    if (n) {
        node_clear(n);
        n->size = 0;
        node_release(n);
    }
    return g.real->xDelete(g.real, name, sync_dir);
}

static int cv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return g.real->xAccess(g.real, name, flags, out);
}

static int cv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return g.real->xFullPathname(g.real, name, n, out);
}

static void *cv_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return g.real->xDlOpen(g.real, name);
}

static void cv_dl_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    g.real->xDlError(g.real, n, out);
}

static void (*cv_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return g.real->xDlSym(g.real, h, sym);
}

static void cv_dl_close(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    g.real->xDlClose(g.real, h);
}

static int cv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return g.real->xRandomness(g.real, n, out);
}

static int cv_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return g.real->xSleep(g.real, us);
}

static int cv_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return g.real->xCurrentTime(g.real, out);
}

static int cv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return g.real->xGetLastError(g.real, n, out);
}

static int cv_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return g.real->xCurrentTimeInt64(g.real, out);
}

int crashvfs_register(int make_default)
{
    if (!g.real) {
        sqlite3_vfs *real = sqlite3_vfs_find(NULL);
        if (!real || real->iVersion < 2)
            return SQLITE_ERROR;
        g.real = real;
        g.vfs = (sqlite3_vfs){
            .iVersion = 2,
            .szOsFile = (int)(CV_FILE_SIZE + (size_t)real->szOsFile),
            .mxPathname = real->mxPathname,
            .pNext = NULL,
            .zName = "crashvfs",
            .pAppData = NULL,
            .xOpen = cv_open,
            .xDelete = cv_delete,
            .xAccess = cv_access,
            .xFullPathname = cv_full_pathname,
            .xDlOpen = cv_dl_open,
            .xDlError = cv_dl_error,
            .xDlSym = cv_dl_sym,
            .xDlClose = cv_dl_close,
            .xRandomness = cv_randomness,
            .xSleep = cv_sleep,
            .xCurrentTime = cv_current_time,
            .xGetLastError = cv_last_error,
            .xCurrentTimeInt64 = cv_current_time64,
            .xSetSystemCall = NULL,
            .xGetSystemCall = NULL,
            .xNextSystemCall = NULL,
        };
    }
    return sqlite3_vfs_register(&g.vfs, make_default);
}

void crashvfs_seed(uint64_t seed)
{
    g.rng = seed ^ 0x5DEECE66Dull;
}

void crashvfs_arm(uint64_t at_op)
{
    g.arm_at = at_op ? g.st.ops + at_op : 0;
}

void crashvfs_ignore_sync(int on)
{
    g.ignore_sync = on;
}

void crashvfs_get_stats(crashvfs_stats *out)
{
    *out = g.st;
}

void crashvfs_on_cut(void (*fn)(void *ctx), void *ctx)
{
    g.on_cut = fn;
    g.on_cut_ctx = ctx;
}
