import { prefixAtDepth } from './key-prefix.js';

export interface PrefixTotals {
  prefix: string;
  keys: number;
  bytes: number;
}

export type TopSort = 'bytes' | 'count';

/** The prefix row that collects keys once `maxPrefixes` distinct prefixes are held. */
export const OTHER_PREFIXES = '(other prefixes)';

/**
 * Key count and bytes (key + value) per prefix, added one key at a time so a
 * scan never holds the keys themselves. Memory is bounded by `maxPrefixes`:
 * keys of prefixes first seen after that are counted under OTHER_PREFIXES
 * (at a deep --depth on random keys every key could be its own prefix).
 */
export class PrefixTally {
  private readonly rows = new Map<string, { keys: number; bytes: number }>();
  private other = { keys: 0, bytes: 0 };
  totalKeys = 0;
  totalBytes = 0;

  constructor(
    readonly depth: number,
    readonly maxPrefixes = 100_000,
  ) {}

  add(key: Uint8Array, valueBytes: number): void {
    this.addToPrefix(prefixAtDepth(key, this.depth), 1, key.length + valueBytes);
  }

  addToPrefix(prefix: string, keys: number, bytes: number): void {
    this.totalKeys += keys;
    this.totalBytes += bytes;
    const row = this.rows.get(prefix);
    if (row) {
      row.keys += keys;
      row.bytes += bytes;
    } else if (this.rows.size < this.maxPrefixes) {
      this.rows.set(prefix, { keys, bytes });
    } else {
      this.other.keys += keys;
      this.other.bytes += bytes;
    }
  }

  merge(other: PrefixTally): void {
    for (const row of other.entries()) this.addToPrefix(row.prefix, row.keys, row.bytes);
  }

  /** Distinct prefixes held (OTHER_PREFIXES not included). */
  get prefixCount(): number {
    return this.rows.size;
  }

  /** True when some keys went to OTHER_PREFIXES. */
  get overflowed(): boolean {
    return this.other.keys > 0;
  }

  entries(): PrefixTotals[] {
    const rows = [...this.rows].map(([prefix, t]) => ({ prefix, keys: t.keys, bytes: t.bytes }));
    if (this.overflowed) rows.push({ prefix: OTHER_PREFIXES, ...this.other });
    return rows;
  }

  /** The `limit` largest prefixes by bytes or key count; ties by the other measure, then by name, so output is stable. */
  top(limit: number, sort: TopSort = 'bytes'): PrefixTotals[] {
    return topPrefixes(this.entries(), limit, sort);
  }
}

export function topPrefixes(rows: PrefixTotals[], limit: number, sort: TopSort): PrefixTotals[] {
  const [first, second] = sort === 'bytes' ? (['bytes', 'keys'] as const) : (['keys', 'bytes'] as const);
  return [...rows]
    .sort((a, b) => b[first] - a[first] || b[second] - a[second] || (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0))
    .slice(0, limit);
}
