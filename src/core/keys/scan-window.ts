import { prefixRangeEnd } from './key-prefix.js';

/**
 * etcd 3.5 counts every key from a page's start to its range end, whatever
 * the limit: paging a million keys to one far range end costs O(n²) (44 s
 * for 1M keys here). So after the first page each request reads a window:
 * the keys sharing the first `length` bytes of where it starts, sized from
 * the page before (one byte past the prefix its first and last key share,
 * so about a page's spread) and narrowed when etcd counts many pages in it.
 * An empty window is followed by a window one byte wider, down to the far
 * end of the scan.
 */
export const WINDOW = { pagesPerWindow: 4, max: 1024 } as const;

/** [start, end) of the window of `length` bytes, never past the scan's own end (a single 0 byte means "no end"). */
export function windowEnd(start: Uint8Array, length: number, scanEnd: Uint8Array): Uint8Array {
  const end = prefixRangeEnd(start.subarray(0, Math.min(length, start.length)));
  if (isOpenEnd(end)) return scanEnd;
  if (isOpenEnd(scanEnd)) return end;
  return Buffer.compare(end, scanEnd) <= 0 ? end : scanEnd;
}

/** The window length after a page that had more keys: about that page's spread, narrower when etcd counted many pages ahead. */
export function nextWindowLength(previous: number, first: Uint8Array, last: Uint8Array, counted: number, pageLimit: number): number {
  const spread = commonPrefixLength(first, last) + 1;
  const crowded = counted > WINDOW.pagesPerWindow * pageLimit;
  return Math.min(WINDOW.max, crowded ? Math.max(spread, previous + 1) : spread);
}

export function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export function isOpenEnd(end: Uint8Array): boolean {
  return end.length === 1 && end[0] === 0;
}
