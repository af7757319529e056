/* What the benchmarks share; see bench_util.h. */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double ms_of(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double bench_now_ms(void)
{
    return ms_of(CLOCK_MONOTONIC);
}

double bench_thread_cpu_ms(void)
{
    return ms_of(CLOCK_THREAD_CPUTIME_ID);
}

double bench_process_cpu_ms(void)
{
    return ms_of(CLOCK_PROCESS_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void bench_sort(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
}

double bench_pct(double *v, size_t n, int p)
{
    if (n == 0)
        return 0;
    bench_sort(v, n);
    size_t i = n * (size_t)p / 100;
    return v[i < n ? i : n - 1];
}

void bench_mem_now(bench_mem *m)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    long rss = -1, pss = -1, clean = -1, dirty = -1, kb;
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "Rss: %ld kB", &kb) == 1)
            rss = kb;
        else if (sscanf(line, "Pss: %ld kB", &kb) == 1)
            pss = kb;
        else if (sscanf(line, "Private_Clean: %ld kB", &kb) == 1)
            clean = kb;
        else if (sscanf(line, "Private_Dirty: %ld kB", &kb) == 1)
            dirty = kb;
    }
    if (f)
        fclose(f);
    m->rss = rss < 0 ? -1.0 : (double)rss / 1024.0;
    m->pss = pss < 0 ? -1.0 : (double)pss / 1024.0;
    m->uss = clean < 0 || dirty < 0 ? -1.0 : (double)(clean + dirty) / 1024.0;
}

void bench_rss_pss(double *rss_mb, double *pss_mb)
{
    bench_mem m;
    bench_mem_now(&m);
    if (rss_mb)
        *rss_mb = m.rss;
    if (pss_mb)
        *pss_mb = m.pss;
}

/* One named region of bench_pss_breakdown. */
typedef struct pss_part {
    char name[160];
    long kb;
} pss_part;

static int part_larger(const void *a, const void *b)
{
    long x = ((const pss_part *)a)->kb, y = ((const pss_part *)b)->kb;
    return (x < y) - (x > y);
}

void bench_pss_breakdown(char *buf, size_t n)
{
    enum { MAX_PARTS = 256 };
    static pss_part parts[MAX_PARTS];
    size_t count = 0, cur = MAX_PARTS;
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        int off = 0;
        long kb;
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &off) == 2 && off > 0) {
            char name[160] = "[anon]";
            if (sscanf(line + off, "%159s", name) != 1)
                snprintf(name, sizeof name, "[anon]");
            for (cur = 0; cur < count && strcmp(parts[cur].name, name); cur++)
                ;
            if (cur == count && count < MAX_PARTS) {
                snprintf(parts[count].name, sizeof parts[count].name, "%s", name);
                parts[count++].kb = 0;
            }
        } else if (sscanf(line, "Pss: %ld kB", &kb) == 1 && cur < count) {
            parts[cur].kb += kb;
        }
    }
    if (f)
        fclose(f);
    qsort(parts, count, sizeof parts[0], part_larger);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && parts[i].kb >= 100 && used < n; i++) {
        int w = snprintf(buf + used, n - used, "  %6.1f MB  %s\n", (double)parts[i].kb / 1024.0,
                         parts[i].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}
