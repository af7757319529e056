/*
 * Power supply state from the Linux power_supply class layout: one directory per supply
 * holding tiny text attributes. The sysfs and simulated backends share this parser and
 * differ only in their root and in the simulation's fault injection. Reads allocate
 * nothing: the root is listed with getdents64 into a stack buffer (opendir would malloc)
 * and each attribute is read once, at most 64 bytes. Anything unreadable or unparseable
 * becomes "unknown"; only a missing or unreadable root is an error.
 */
#include "power/power.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/kiosk_log.h"

#define ATTR_MAX 64                  /* bytes read per attribute, per the kernel ABI all fit */
#define SUPPLIES_MAX 32              /* supplies examined per read; more are ignored */
#define VALUE_MAX 1000000000000000LL /* 1e15 µWh/µAh/µW/µA: anything above is garbage */
#define DIRENT_BUF 4096

enum { ST_UNKNOWN, ST_CHARGING, ST_DISCHARGING, ST_FULL, ST_NOT_CHARGING };

typedef struct fs_power {
    power base;
    int sim;
    atomic_int fail_rc;
    atomic_int fail_times; /* 0 none, >0 that many reads, <0 every read */
    char root[4096];
} fs_power;

/* One battery's raw facts; -1 is unknown. */
typedef struct battery {
    int percent;
    int status;
    int level_critical;
    long long energy_now, energy_full, power_now;
    long long charge_now, charge_full, current_now;
} battery;

/* Read attribute `name` of the supply open at dirfd into buf (ATTR_MAX + 1), trailing
 * whitespace removed. -1 when missing or unreadable. */
static int read_attr(int dirfd, const char *name, char *buf)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    ssize_t n;
    do {
        n = read(fd, buf, ATTR_MAX);
    } while (n < 0 && errno == EINTR);
    close(fd);
    if (n < 0)
        return -1;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t' ||
                     buf[n - 1] == '\r' || buf[n - 1] == '\0'))
        n--;
    buf[n] = '\0';
    return (int)n;
}

/* A whole decimal integer, optional sign, nothing else; |v| <= VALUE_MAX. */
static int parse_ll(const char *s, long long *out)
{
    int neg = 0;
    long long v = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
        if (v > VALUE_MAX)
            return -1;
    }
    if (*s != '\0')
        return -1;
    *out = neg ? -v : v;
    return 0;
}

/* An attribute as an integer, or -1 when missing/unparseable/negative. Signed readings
 * (power_now, current_now) go through read_abs instead. */
static long long read_nonneg(int dirfd, const char *name)
{
    char buf[ATTR_MAX + 1];
    long long v;
    if (read_attr(dirfd, name, buf) < 0 || parse_ll(buf, &v) != 0 || v < 0)
        return -1;
    return v;
}

/* Some drivers report the draw negative while discharging: keep the magnitude. */
static long long read_abs(int dirfd, const char *name)
{
    char buf[ATTR_MAX + 1];
    long long v;
    if (read_attr(dirfd, name, buf) < 0 || parse_ll(buf, &v) != 0)
        return -1;
    return v < 0 ? -v : v;
}

static int percent_of(long long now, long long full)
{
    if (now < 0 || full <= 0)
        return -1;
    long long p = (now * 100 + full / 2) / full;
    return p > 100 ? 100 : (int)p;
}

static void read_battery(int dirfd, battery *b)
{
    char buf[ATTR_MAX + 1];
    long long v;

    b->status = ST_UNKNOWN;
    if (read_attr(dirfd, "status", buf) >= 0) {
        if (strcmp(buf, "Charging") == 0)
            b->status = ST_CHARGING;
        else if (strcmp(buf, "Discharging") == 0)
            b->status = ST_DISCHARGING;
        else if (strcmp(buf, "Full") == 0)
            b->status = ST_FULL;
        else if (strcmp(buf, "Not charging") == 0)
            b->status = ST_NOT_CHARGING;
    }
    b->level_critical =
        read_attr(dirfd, "capacity_level", buf) >= 0 && strcmp(buf, "Critical") == 0;

    b->energy_now = read_nonneg(dirfd, "energy_now");
    b->energy_full = read_nonneg(dirfd, "energy_full");
    b->power_now = read_abs(dirfd, "power_now");
    /* Drivers expose either the energy or the charge family; skip the other's opens. */
    if (b->energy_now >= 0 && b->energy_full > 0) {
        b->charge_now = b->charge_full = b->current_now = -1;
    } else {
        b->charge_now = read_nonneg(dirfd, "charge_now");
        b->charge_full = read_nonneg(dirfd, "charge_full");
        b->current_now = read_abs(dirfd, "current_now");
    }

    /* capacity: 0..100; above 100 is clamped (gauges report 101-105 after a
     * recalibration); negative, empty or not a number is unknown and the level falls back
     * to energy_now/energy_full, then charge_now/charge_full. */
    b->percent = -1;
    if (read_attr(dirfd, "capacity", buf) >= 0 && parse_ll(buf, &v) == 0 && v >= 0)
        b->percent = v > 100 ? 100 : (int)v;
    if (b->percent < 0)
        b->percent = percent_of(b->energy_now, b->energy_full);
    if (b->percent < 0)
        b->percent = percent_of(b->charge_now, b->charge_full);
}

static int is_external(const char *type)
{
    /* Mains, USB and the old USB_DCP/USB_C/USB_PD... spellings, and wireless chargers. */
    return strcmp(type, "Mains") == 0 || strncmp(type, "USB", 3) == 0 ||
           strcmp(type, "Wireless") == 0;
}

/* Look at one supply directory; adds to bats/n or sets *mains. */
static void read_supply(int dirfd, battery *bats, int *n, int *mains)
{
    char buf[ATTR_MAX + 1];
    long long v;
    if (read_attr(dirfd, "type", buf) < 0)
        return;
    if (strcmp(buf, "Battery") == 0) {
        /* A wireless mouse or a pen also registers a Battery, with scope Device. */
        if (read_attr(dirfd, "scope", buf) >= 0 && strcmp(buf, "Device") == 0)
            return;
        if (read_attr(dirfd, "present", buf) >= 0 && parse_ll(buf, &v) == 0 && v == 0)
            return; /* empty bay */
        if (*n < SUPPLIES_MAX)
            read_battery(dirfd, &bats[(*n)++]);
    } else if (is_external(buf)) {
        /* online: 0 offline, 1 online, 2 online programmable */
        if (read_attr(dirfd, "online", buf) >= 0 && parse_ll(buf, &v) == 0 && v > 0)
            *mains = 1;
    }
}

static void aggregate(const battery *bats, int n, int mains, power_status *out)
{
    out->has_battery = n > 0;
    out->on_mains = mains;
    out->charging = mains;
    out->percent = -1;
    out->minutes_left = -1;
    out->critical = 0;
    if (n == 0)
        return;

    /* Weight each pack's level by its size: all energy_full when every pack with a level
     * has one, else all charge_full, else equal weights. */
    int all_energy = 1, all_charge = 1, known = 0, level_critical = 0;
    for (int i = 0; i < n; i++) {
        if (bats[i].status == ST_CHARGING || bats[i].status == ST_FULL)
            out->charging = 1;
        level_critical |= bats[i].level_critical;
        if (bats[i].percent < 0)
            continue;
        known++;
        all_energy &= bats[i].energy_full > 0;
        all_charge &= bats[i].charge_full > 0;
    }
    if (known > 0) {
        long long num = 0, den = 0;
        for (int i = 0; i < n; i++) {
            if (bats[i].percent < 0)
                continue;
            long long w = all_energy ? bats[i].energy_full : all_charge ? bats[i].charge_full : 1;
            num += bats[i].percent * w;
            den += w;
        }
        out->percent = (int)((num + den / 2) / den);
    }

    if (out->charging)
        return;

    /* Time to empty: all remaining energy over the total draw (packs may discharge in
     * turn, so only the sums are meaningful). Every pack must report its content in one
     * unit family; µWh/µW is preferred, µAh/µA otherwise. */
    long long e = 0, p = 0, c = 0, i_draw = 0;
    int have_e = 1, have_c = 1;
    for (int i = 0; i < n; i++) {
        have_e &= bats[i].energy_now >= 0;
        have_c &= bats[i].charge_now >= 0;
        if (bats[i].energy_now >= 0)
            e += bats[i].energy_now;
        if (bats[i].power_now > 0)
            p += bats[i].power_now;
        if (bats[i].charge_now >= 0)
            c += bats[i].charge_now;
        if (bats[i].current_now > 0)
            i_draw += bats[i].current_now;
    }
    long long m = -1;
    if (have_e && p > 0)
        m = e * 60 / p;
    else if (have_c && i_draw > 0)
        m = c * 60 / i_draw;
    if (m >= 0)
        out->minutes_left = m > POWER_MINUTES_MAX ? POWER_MINUTES_MAX : (int)m;

    out->critical = level_critical || (out->percent >= 0 && out->percent <= POWER_CRITICAL_PERCENT);
}

static void set_unknown(power_status *out)
{
    out->has_battery = 0;
    out->percent = -1;
    out->charging = 0;
    out->on_mains = 0;
    out->minutes_left = -1;
    out->critical = 0;
}

/* The record layout of getdents64 (not exported by glibc headers). */
struct dirent64_rec {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};
_Static_assert(offsetof(struct dirent64_rec, name) == 19, "linux_dirent64 layout");

static kiosk_rc fs_read(power *base, power_status *out)
{
    fs_power *fp = (fs_power *)base;
    set_unknown(out);

    if (fp->sim) {
        int t = atomic_load(&fp->fail_times);
        while (t != 0) {
            kiosk_rc rc = (kiosk_rc)atomic_load(&fp->fail_rc);
            if (t < 0)
                return rc;
            if (atomic_compare_exchange_weak(&fp->fail_times, &t, t - 1))
                return rc;
        }
    }

    int rootfd = open(fp->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return errno == ENOENT || errno == ENOTDIR ? KIOSK_NOT_FOUND : KIOSK_IO;

    battery bats[SUPPLIES_MAX];
    int n = 0, mains = 0, seen = 0;
    _Alignas(8) char buf[DIRENT_BUF];
    kiosk_rc rc = KIOSK_OK;
    for (;;) {
        long got = syscall(SYS_getdents64, rootfd, buf, sizeof buf);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = KIOSK_IO;
            break;
        }
        if (got == 0)
            break;
        for (long off = 0; off < got;) {
            const struct dirent64_rec *d = (const struct dirent64_rec *)(buf + off);
            if (d->reclen == 0)
                break; /* never from a sane kernel; do not spin */
            off += d->reclen;
            if (d->name[0] == '.' || seen >= SUPPLIES_MAX)
                continue;
            /* sysfs entries are symlinks to the device directories: follow them. */
            int dfd = openat(rootfd, d->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd < 0)
                continue;
            seen++;
            read_supply(dfd, bats, &n, &mains);
            close(dfd);
        }
    }
    close(rootfd);
    if (rc != KIOSK_OK)
        return rc;
    aggregate(bats, n, mains, out);
    return KIOSK_OK;
}

static void fs_close(power *base)
{
    free(base);
}

static const power_ops sysfs_ops = {"sysfs", fs_read, fs_close};
static const power_ops sim_ops = {"sim", fs_read, fs_close};

static kiosk_rc fs_open(const char *root, int sim, power **out)
{
    *out = NULL;
    if (root == NULL || root[0] == '\0')
        return KIOSK_INVALID;
    size_t len = strlen(root);
    if (len >= sizeof((fs_power *)0)->root)
        return KIOSK_INVALID;
    struct stat st;
    if (stat(root, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR ? KIOSK_NOT_FOUND : KIOSK_IO;
    if (!S_ISDIR(st.st_mode))
        return KIOSK_NOT_FOUND;
    fs_power *fp = calloc(1, sizeof *fp);
    if (fp == NULL)
        return KIOSK_NOMEM;
    fp->base.ops = sim ? &sim_ops : &sysfs_ops;
    fp->sim = sim;
    atomic_init(&fp->fail_rc, KIOSK_OK);
    atomic_init(&fp->fail_times, 0);
    memcpy(fp->root, root, len + 1);
    *out = &fp->base;
    return KIOSK_OK;
}

kiosk_rc power_open_sysfs(const char *root, power **out)
{
    return fs_open(root, 0, out);
}

kiosk_rc power_open_sim(const char *dir, power **out)
{
    return fs_open(dir, 1, out);
}

void power_sim_fail(power *p, kiosk_rc rc, int times)
{
    if (p == NULL || p->ops != &sim_ops) {
        kiosk_log_error("power", "power_sim_fail on a %s handle", p ? p->ops->name : "NULL");
        abort();
    }
    fs_power *fp = (fs_power *)p;
    if (rc == KIOSK_OK)
        times = 0;
    atomic_store(&fp->fail_rc, (int)rc);
    atomic_store(&fp->fail_times, times);
}

kiosk_rc power_read(power *p, power_status *out)
{
    return p->ops->read(p, out);
}

int power_can_start_session(const power_status *st, int min_percent, int min_minutes)
{
    if (!st->has_battery || st->charging || st->on_mains)
        return 1;
    if (st->critical || st->percent < 0 || st->percent < min_percent)
        return 0;
    return st->minutes_left < 0 || st->minutes_left >= min_minutes;
}

void power_close(power *p)
{
    if (p)
        p->ops->close(p);
}
