import type { MemberListEntry, MemberState } from './types.js';

export interface ClusterSummary {
  /** Voting members (learners do not count towards quorum). */
  voters: number;
  /** Members that answered their last poll. */
  answering: number;
  /** Members polled or listed, learners included. */
  total: number;
  quorum: 'ok' | 'lost' | 'unknown';
  /** Why quorum is unknown: the cockpit's own setup, or a failure not yet confirmed by a second poll. */
  quorumReason?: string;
  /** Since when quorum has been lost: the first failure of the members that are down now. */
  lostSince?: number;
  /** How many more voting members may fail before quorum is lost (0 when lost). */
  tolerates: number;
  leaderId?: string;
  leaderName?: string;
  raftTerm?: number;
  revision?: number;
  /** "NOSPACE on etcd-2" */
  alarms: string[];
  unstarted: number;
}

const UP = new Set(['ok', 'degraded']);

export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

export function summarizeCluster(members: MemberState[], memberList?: MemberListEntry[]): ClusterSummary {
  const listedVoters = memberList?.filter((m) => !m.isLearner).length;
  const polledVoters = members.filter((m) => !m.last?.isLearner).length;
  const voters = listedVoters ?? polledVoters;
  const up = members.filter((m) => UP.has(m.health));
  const servingVoters = up.filter((m) => !m.last?.isLearner && m.last?.quorumRead === 'ok').length;
  const anyKnown = members.some((m) => m.health !== 'unknown');

  const verdict = quorumVerdict(members, voters, servingVoters, anyKnown);
  const quorum = verdict.quorum;
  const tolerates = quorum === 'ok' ? servingVoters - majority(voters) : 0;

  const leaderId = up.map((m) => m.last?.leaderId).find((id) => id);
  const leaderName = leaderId ? nameOf(leaderId, members, memberList) : undefined;
  const terms = up.map((m) => m.last?.raftTerm ?? 0);
  const revisions = up.map((m) => m.last?.revision ?? 0);
  const alarms = members.flatMap((m) => (m.last && UP.has(m.health) ? m.last.alarms.map((a) => `${a} on ${m.name}`) : []));

  return {
    voters,
    answering: up.length,
    total: Math.max(members.length, memberList?.length ?? 0),
    quorum,
    quorumReason: verdict.reason,
    lostSince: verdict.lostSince,
    tolerates,
    leaderId,
    leaderName,
    raftTerm: terms.length ? Math.max(...terms) : undefined,
    revision: revisions.length ? Math.max(...revisions) : undefined,
    alarms,
    unstarted: memberList?.filter((m) => !m.started).length ?? 0,
  };
}

const serves = (m: MemberState): boolean => UP.has(m.health) && m.last?.quorumRead === 'ok';

/**
 * Lost only when too many voters are known not to serve: each failed two
 * polls in a row (one late answer is not an outage). Voters the cockpit
 * cannot ask (its own TLS files, password or permissions) make it unknown,
 * with the reason.
 */
function quorumVerdict(
  members: MemberState[],
  voters: number,
  servingVoters: number,
  anyKnown: boolean,
): { quorum: ClusterSummary['quorum']; reason?: string; lostSince?: number } {
  if (!anyKnown) return { quorum: 'unknown', reason: 'no answer yet' };
  const need = majority(voters);
  if (servingVoters >= need) return { quorum: 'ok' };
  const notServing = members.filter((m) => !m.last?.isLearner && !serves(m));
  const confirmedDown = notServing.filter((m) => m.health !== 'setup' && m.health !== 'unknown' && (m.strikes ?? 0) >= 2);
  if (voters - confirmedDown.length < need) {
    const firsts = confirmedDown.map((m) => m.downSince).filter((t): t is number => t !== undefined);
    return { quorum: 'lost', lostSince: firsts.length ? Math.min(...firsts) : undefined };
  }
  const blocked = notServing.find((m) => m.health === 'setup');
  if (blocked) return { quorum: 'unknown', reason: `cannot check ${blocked.name}: ${blocked.reason ?? 'no access'}` };
  const unconfirmed = notServing.filter((m) => !confirmedDown.includes(m)).map((m) => m.name);
  return { quorum: 'unknown', reason: `${unconfirmed.join(', ')} failed one poll; waiting for the next to confirm` };
}

function nameOf(id: string, members: MemberState[], memberList?: MemberListEntry[]): string {
  return memberList?.find((m) => m.id === id)?.name || members.find((m) => m.last?.memberId === id)?.name || id;
}
