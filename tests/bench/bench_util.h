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

/* This process's memory now (/proc/self/smaps_rollup), in MB, -1 when unknown: RSS (every
 * page it maps, shared ones whole), PSS (shared pages divided among the processes that
 * map them: what the budgets count) and USS (pages no other process maps). PSS depends
 * on what else runs: on a busy build machine the libraries' pages are shared with other
 * programs and count less; RSS bounds it from above on any machine. */
typedef struct bench_mem {
    double rss, pss, uss;
} bench_mem;
void bench_mem_now(bench_mem *m);

/* Where the PSS is now (/proc/self/smaps): the mappings summed by name (a file's path,
 * [heap], [anon] for unnamed memory, [stack] …), largest first, those of at least 0.1 MB,
 * one "  %6.1f MB  name" line each, into buf (n bytes, always terminated). */
void bench_pss_breakdown(char *buf, size_t n);

#endif
