/* What the benchmarks share; see bench_util.h. */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
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

void bench_rss_pss(double *rss_mb, double *pss_mb)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    long rss = -1, pss = -1;
    while (f && fgets(line, sizeof line, f)) {
        sscanf(line, "Rss: %ld kB", &rss);
        sscanf(line, "Pss: %ld kB", &pss);
    }
    if (f)
        fclose(f);
    if (rss_mb)
        *rss_mb = rss < 0 ? -1.0 : (double)rss / 1024.0;
    if (pss_mb)
        *pss_mb = pss < 0 ? -1.0 : (double)pss / 1024.0;
}
