/**
 * Milliseconds on a monotonic clock. The global `performance` loads
 * perf_hooks on first use (~15 ms of a one-shot command's start).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
