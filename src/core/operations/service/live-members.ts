import type { MemberState } from '../../cluster/types.js';
import type { OperationContext } from '../context.js';

/**
 * Every member probed now (status and a quorum read, in parallel). Polled
 * state may be seconds old, and a guard or a leader hand-over must not act on
 * a member that died or lost leadership since.
 */
export async function liveMembers(ctx: OperationContext): Promise<MemberState[]> {
  return Promise.all(
    ctx.members().map(async (m): Promise<MemberState> => {
      const result = await ctx.clientFor(m.endpoint).probe();
      if (!result.ok) return { ...m, health: result.kind, reason: result.reason };
      const s = result.sample;
      const degraded = s.quorumRead !== 'ok' ? (s.quorumReadReason ?? 'cannot serve a quorum read') : undefined;
      return { ...m, health: degraded ? 'degraded' : 'ok', reason: degraded, last: s };
    }),
  );
}

export function isAnswering(m: MemberState): boolean {
  return m.health === 'ok' || m.health === 'degraded';
}

/** The member that answers and says it leads. */
export function leaderOf(members: MemberState[]): MemberState | undefined {
  return members.find((m) => isAnswering(m) && m.last && m.last.leaderId !== '' && m.last.leaderId === m.last.memberId);
}

/** The healthy voting member furthest along in the log, other than `except`: the best one to hand leadership to. */
export function bestSuccessor(members: MemberState[], except: string): MemberState | undefined {
  return members
    .filter((m) => m.name !== except && m.health === 'ok' && m.last && !m.last.isLearner)
    .sort((a, b) => (b.last?.raftAppliedIndex ?? 0) - (a.last?.raftAppliedIndex ?? 0))[0];
}
