import type { NativeConnectOptions } from '../temporal/connection.js';

/**
 * The bench's own connections (its workers' and its generator's) send requests plain, not
 * gzipped: its payloads are tens of bytes, so compression only costs CPU at both ends (a deflate
 * state per request). With 4 workers at 50/s, over 7 alternated pairs: 6.37 → 6.08 CPU s per
 * 1,000 starts (median), the core's Tokio threads 0.5 s less a run, peak RSS 20–40 MB lower
 * (docs/bench.md, "Sixth round").
 */
export const BENCH_CONNECTION: NativeConnectOptions = { gzip: false };
