import type { Etcd3 } from 'etcd3';
import type { MemberState } from '../core/cluster/types.js';
import { chooseScanMember } from '../core/keys/scan-member.js';
import { PrefixTally, type TopSort } from '../core/keys/prefix-tally.js';
import type { KeysTopResult } from '../core/keys/keys-top-report.js';
import { scanKeyspace, type ScanProgress } from '../adapters/etcd/keyspace-scan.js';

export interface KeysTopRequest {
  depth: number;
  prefix?: string;
  limit: number;
  sort: TopSort;
}

/** One `keys top` scan (CLI and TUI): picks the member, reads every page, tallies per prefix. */
export async function keysTop(
  clientFor: (endpoint: string) => Etcd3,
  members: MemberState[],
  request: KeysTopRequest,
  onPage?: (progress: ScanProgress) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<KeysTopResult> {
  const member = chooseScanMember(members);
  if (!member) throw new Error('no member to read from');
  const { depth, prefix, limit, sort } = request;
  const prefixBytes = prefix === undefined ? undefined : Buffer.from(prefix, 'utf8');
  const tally = new PrefixTally(depth);
  const started = performance.now();
  const done = await scanKeyspace(clientFor(member.endpoint), {
    prefix: prefixBytes,
    onKey: (key, valueBytes) => tally.add(key, valueBytes),
    onPage,
    signal,
  });
  return {
    revision: done.revision,
    member: { name: member.name, role: member.role },
    prefix: prefixBytes?.toString('latin1'),
    depth,
    sort,
    totalKeys: tally.totalKeys,
    totalBytes: tally.totalBytes,
    prefixCount: tally.prefixCount,
    overflowed: tally.overflowed,
    rows: tally.top(limit, sort),
    pages: done.pages,
    ms: Math.round(performance.now() - started),
  };
}
