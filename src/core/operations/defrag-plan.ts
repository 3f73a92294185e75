import type { MemberState } from '../cluster/types.js';
import { formatBytes } from '../format/bytes.js';

export interface DefragStep {
  endpoint: string;
  name: string;
  memberId: string;
  wasLeader: boolean;
  /** Why this member is left alone (not worth it, not answering); undefined when it is defragmented. */
  skip?: string;
  /** Bytes the file could shrink by (db size - in use). */
  reclaimable: number;
}

/** Defrag pays off when under half the file is in use, or when a lot could be reclaimed. */
export const WORTH_IT_RATIO = 0.5;
export const WORTH_IT_BYTES = 100 * 1024 * 1024;

/**
 * `defrag --auto`: only where it is worth the stall, as OpenShift's etcd
 * operator decides: free space (db size - in use) at least this share of the
 * file AND at least this many bytes.
 */
export interface AutoDefragPolicy {
  minFreeRatio: number;
  minFreeBytes: number;
}

export const AUTO_DEFRAG_DEFAULTS: AutoDefragPolicy = { minFreeRatio: 0.45, minFreeBytes: 100 * 1000 * 1000 };

/**
 * The order etcd's maintenance guide asks for: one member at a time,
 * followers first, the leader last (after moving leadership away). A member
 * that would gain little is skipped unless forced; one that is not answering
 * is always skipped, and said so.
 */
export function planDefrag(members: MemberState[], options: { force: boolean; auto?: AutoDefragPolicy }): DefragStep[] {
  const steps = members.map((m): DefragStep => {
    const s = m.last;
    const reclaimable = s ? Math.max(0, s.dbSize - s.dbSizeInUse) : 0;
    const step: DefragStep = {
      endpoint: m.endpoint,
      name: m.name,
      memberId: s?.memberId ?? '',
      wasLeader: Boolean(s && s.leaderId === s.memberId),
      reclaimable,
    };
    if (m.health !== 'ok' && m.health !== 'degraded') return { ...step, skip: `not answering (${m.health})` };
    if (!s) return { ...step, skip: 'no status yet' };
    if (options.auto) {
      const why = autoSkip(s.dbSize, s.dbSizeInUse, options.auto);
      return why ? { ...step, skip: why } : step;
    }
    if (!options.force && !worthIt(s.dbSize, s.dbSizeInUse)) {
      return { ...step, skip: `little to gain: ${Math.round((s.dbSizeInUse / Math.max(1, s.dbSize)) * 100)}% in use` };
    }
    return step;
  });
  return [...steps.filter((s) => !s.wasLeader), ...steps.filter((s) => s.wasLeader)];
}

export function worthIt(dbSize: number, inUse: number): boolean {
  if (dbSize <= 0) return false;
  return inUse / dbSize < WORTH_IT_RATIO || dbSize - inUse >= WORTH_IT_BYTES;
}

/** Why `--auto` leaves a member alone, or undefined when it is worth it. */
export function autoSkip(dbSize: number, inUse: number, policy: AutoDefragPolicy): string | undefined {
  const free = Math.max(0, dbSize - inUse);
  const ratio = dbSize > 0 ? free / dbSize : 0;
  const short: string[] = [];
  if (ratio < policy.minFreeRatio) short.push(`${Math.round(ratio * 100)}% free (needs ${Math.round(policy.minFreeRatio * 100)}%)`);
  if (free < policy.minFreeBytes) short.push(`${formatBytes(free)} free (needs ${formatBytes(policy.minFreeBytes)})`);
  return short.length ? `not worth it: ${short.join(', ')}` : undefined;
}
