import type { MemberState } from '../cluster/types.js';

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
 * The order etcd's maintenance guide asks for: one member at a time,
 * followers first, the leader last (after moving leadership away). A member
 * that would gain little is skipped unless forced; one that is not answering
 * is always skipped, and said so.
 */
export function planDefrag(members: MemberState[], options: { force: boolean }): DefragStep[] {
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
