import type { MemberState } from '../cluster/types.js';

export interface ScanMember {
  endpoint: string;
  name: string;
  role: 'follower' | 'leader' | 'unknown';
}

/**
 * Where a keyspace scan reads: a healthy voting follower (serializable reads
 * there cost the leader nothing), else the leader, else any member that
 * answered, else the first one (its error will say why).
 */
export function chooseScanMember(members: MemberState[]): ScanMember | undefined {
  const healthy = members.filter((m) => m.health === 'ok' && m.last);
  const isLeader = (m: MemberState): boolean => m.last!.leaderId === m.last!.memberId;
  const follower = healthy.find((m) => !isLeader(m) && !m.last!.isLearner);
  if (follower) return { endpoint: follower.endpoint, name: follower.name, role: 'follower' };
  const leader = healthy.find(isLeader);
  if (leader) return { endpoint: leader.endpoint, name: leader.name, role: 'leader' };
  const any = members.find((m) => m.last) ?? members[0];
  return any && { endpoint: any.endpoint, name: any.name, role: 'unknown' };
}
