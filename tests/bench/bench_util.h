/*
 * What the benchmarks share: clocks, sorting and percentiles, and the process's memory
 * as the kernel counts it. Nothing here asserts; the benchmarks print figures beside their
 * targets.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>

/* Wall time (CLOCK_MONOTONIC) in ms. */
double bench_now_ms(void);

/* CPU time of the calling thread in ms: a busy machine slows a frame's wall time, not the
 * work it takes (the UI thread draws on the software renderer alone). */
double bench_thread_cpu_ms(void);

/* CPU time of the whole process in ms. */
double bench_process_cpu_ms(void);

/* Sort v (n values) ascending. */
void bench_sort(double *v, size_t n);

/* Sort v (n values) ascending and return its p-th percentile (0..100); 0 for n 0. */
double bench_pct(double *v, size_t n, int p);

/* RSS and PSS of this process now (/proc/self/smaps_rollup), in MB; -1 when unknown.
 * Either pointer may be NULL. */
void bench_rss_pss(double *rss_mb, double *pss_mb);

#endif
