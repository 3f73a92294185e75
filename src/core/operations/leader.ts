import type { OperationContext } from './context.js';

/** Transfers leadership to the member at `targetEndpoint`; the request goes to the current leader. */
export async function moveLeaderTo(ctx: OperationContext, targetEndpoint: string): Promise<void> {
  const members = ctx.members();
  const target = members.find((m) => m.endpoint === targetEndpoint);
  if (!target?.last) throw new Error(`${target?.name ?? targetEndpoint} has not answered yet`);
  if (target.last.isLearner) throw new Error(`${target.name} is a learner: promote it before it can lead`);
  const leaderId = target.last.leaderId;
  if (leaderId === target.last.memberId) {
    ctx.log(`${target.name} is already the leader`);
    return;
  }
  const leader = members.find((m) => m.last?.memberId === leaderId && (m.health === 'ok' || m.health === 'degraded'));
  if (!leader) throw new Error('the current leader is not answering: move-leader must be sent to the leader');
  ctx.log(`moving leadership from ${leader.name} to ${target.name}`);
  await ctx.clientFor(leader.endpoint).moveLeader(target.last.memberId, ctx.longDeadlineMs);
  ctx.log(`${target.name} is the leader now`);
}
