import type { MemberListEntry, MemberState } from './types.js';

export interface ClusterSummary {
  /** Voting members (learners do not count towards quorum). */
  voters: number;
  /** Members that answered their last poll. */
  answering: number;
  /** Members polled or listed, learners included. */
  total: number;
  quorum: 'ok' | 'lost' | 'unknown';
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

  const quorum = !anyKnown ? 'unknown' : servingVoters >= majority(voters) ? 'ok' : 'lost';
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
    tolerates,
    leaderId,
    leaderName,
    raftTerm: terms.length ? Math.max(...terms) : undefined,
    revision: revisions.length ? Math.max(...revisions) : undefined,
    alarms,
    unstarted: memberList?.filter((m) => !m.started).length ?? 0,
  };
}

function nameOf(id: string, members: MemberState[], memberList?: MemberListEntry[]): string {
  return memberList?.find((m) => m.id === id)?.name || members.find((m) => m.last?.memberId === id)?.name || id;
}
