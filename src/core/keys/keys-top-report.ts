import { formatBytes, formatPercent } from '../format/bytes.js';
import { displayPrefix } from './key-prefix.js';
import type { PrefixTotals, TopSort } from './prefix-tally.js';

/** What one `keys top` scan found, with where and at which revision it read. */
export interface KeysTopResult {
  /** The revision every page was read at. */
  revision: string;
  /** The member that served the reads, and whether it was a follower then. */
  member: { name: string; role: 'follower' | 'leader' | 'unknown' };
  prefix?: string;
  depth: number;
  sort: TopSort;
  totalKeys: number;
  totalBytes: number;
  /** Distinct prefixes found (capped; `overflowed` when keys beyond the cap were counted as other prefixes). */
  prefixCount: number;
  overflowed: boolean;
  rows: PrefixTotals[];
  pages: number;
  ms: number;
}

export function keysTopJson(r: KeysTopResult): Record<string, unknown> {
  return {
    revision: r.revision,
    member: r.member.name,
    memberRole: r.member.role,
    prefix: r.prefix ?? null,
    depth: r.depth,
    sort: r.sort,
    totalKeys: r.totalKeys,
    totalBytes: r.totalBytes,
    prefixCount: r.prefixCount,
    overflowed: r.overflowed,
    pages: r.pages,
    ms: r.ms,
    top: r.rows.map((row) => ({ prefix: displayPrefix(row.prefix), keys: row.keys, bytes: row.bytes })),
  };
}

/** One line saying what was read: `revision 8812 · 1,000,000 keys · 152 MB · 34 prefixes at depth 2 · read from etcd-2 (follower) in 4.2 s`. */
export function keysTopSummary(r: KeysTopResult): string {
  const scope = r.prefix !== undefined ? ` under ${displayPrefix(r.prefix)}` : '';
  const prefixes = `${r.prefixCount.toLocaleString('en-US')}${r.overflowed ? '+' : ''} prefix${r.prefixCount === 1 ? '' : 'es'} at depth ${r.depth}`;
  const role = r.member.role === 'unknown' ? '' : ` (${r.member.role})`;
  return `revision ${r.revision} · ${count(r.totalKeys)} keys${scope} · ${formatBytes(r.totalBytes)} · ${prefixes} · read from ${r.member.name}${role} in ${seconds(r.ms)}`;
}

/** The table under the summary: prefix, keys, bytes and their share of the total by the sort measure. */
export function keysTopTable(r: KeysTopResult): string {
  const total = r.sort === 'bytes' ? r.totalBytes : r.totalKeys;
  const lines = [
    ['PREFIX', 'KEYS', 'BYTES', 'SHARE'],
    ...r.rows.map((row) => [displayPrefix(row.prefix), count(row.keys), formatBytes(row.bytes), formatPercent(total === 0 ? 0 : (r.sort === 'bytes' ? row.bytes : row.keys) / total)]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const body = lines.map((l) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
  if (r.overflowed) body.push(`more than ${count(r.prefixCount)} distinct prefixes: the rest are counted as one row; a lower --depth groups them`);
  return [keysTopSummary(r), ...body].join('\n');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
