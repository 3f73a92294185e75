/**
 * Quantiles from Prometheus cumulative histogram buckets, computed the way
 * PromQL's histogram_quantile does (linear interpolation inside the bucket).
 * Pure; every result is a finite number or undefined, never NaN.
 */
import type { Bucket } from './prometheus.js';

/**
 * q in [0, 1]. undefined when there are no observations, no +Inf bucket, or
 * fewer than two buckets. A rank in the +Inf bucket answers the highest
 * finite bound (as Prometheus does): the true value is only known to be above it.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  if (!(q >= 0 && q <= 1)) return undefined;
  if (buckets.length < 2) return undefined;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted[sorted.length - 1]!.le !== Infinity) return undefined;
  // Scrapes are not atomic, so counts can be slightly non-monotonic: clamp like Prometheus.
  let max = 0;
  const cum = sorted.map((b) => ({ le: b.le, count: (max = Math.max(max, b.count)) }));
  const observations = cum[cum.length - 1]!.count;
  if (!(observations > 0)) return undefined;

  const rank = q * observations;
  let b = cum.findIndex((bucket, i) => i < cum.length - 1 && bucket.count >= rank && bucket.count > 0);
  if (b === -1) b = cum.length - 1;
  if (b === cum.length - 1) return cum[cum.length - 2]!.le;
  const end = cum[b]!.le;
  if (b === 0 && end <= 0) return end;
  const start = b === 0 ? 0 : cum[b - 1]!.le;
  const below = b === 0 ? 0 : cum[b - 1]!.count;
  const inBucket = cum[b]!.count - below;
  return start + (end - start) * ((rank - below) / inBucket);
}

/**
 * Buckets of `current - previous`: the observations made between two scrapes.
 * A counter reset (member restarted: any bucket went down, or the bucket
 * bounds changed) makes `current` alone the interval's observations.
 */
export function bucketDelta(previous: readonly Bucket[], current: readonly Bucket[]): Bucket[] {
  const before = new Map(previous.map((b) => [b.le, b.count]));
  const sameBounds = previous.length === current.length && current.every((b) => before.has(b.le));
  if (!sameBounds) return current.map((b) => ({ ...b }));
  const delta = current.map((b) => ({ le: b.le, count: b.count - before.get(b.le)! }));
  return delta.some((b) => b.count < 0) ? current.map((b) => ({ ...b })) : delta;
}

/** Quantile over the interval between two scrapes; undefined when nothing was observed in it. */
export function deltaQuantile(q: number, previous: readonly Bucket[], current: readonly Bucket[]): number | undefined {
  return histogramQuantile(q, bucketDelta(previous, current));
}
