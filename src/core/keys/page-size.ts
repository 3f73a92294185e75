/**
 * Keys per range request: bounds memory per page and keeps each request short
 * for the member serving it. The first page is small (values can be 1.5 MiB
 * each) and 1 MiB a page stays well under gRPC's 4 MiB message limit.
 */
export const PAGE_LIMITS = { first: 64, min: 1, max: 10_000, targetBytes: 1024 * 1024 } as const;

/**
 * The next page's key limit from the bytes per key seen on the last one:
 * about `targetBytes` per page, never fewer than `min` nor more than `max` keys.
 */
export function nextPageLimit(lastKeys: number, lastBytes: number, limits = PAGE_LIMITS): number {
  if (lastKeys === 0) return limits.first;
  const perKey = Math.max(1, lastBytes / lastKeys);
  return Math.max(limits.min, Math.min(limits.max, Math.floor(limits.targetBytes / perKey)));
}
