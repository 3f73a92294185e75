import { formatBytes } from '../format/bytes.js';
import { planDefrag, type AutoDefragPolicy, type DefragStep } from './defrag-plan.js';
import { sleep, type OperationContext } from './context.js';

export interface DefragResult {
  name: string;
  wasLeader?: boolean;
  skipped?: string;
  before?: number;
  after?: number;
  ms?: number;
}

/**
 * Defragments the given members (all by default) one at a time, followers
 * first, the leader last after moving leadership to a follower, pausing
 * between members. Stops at the first member that fails.
 */
export async function defragMembers(
  ctx: OperationContext,
  options: { force: boolean; endpoints?: string[]; auto?: AutoDefragPolicy },
): Promise<DefragResult[]> {
  const chosen = ctx.members().filter((m) => !options.endpoints || options.endpoints.includes(m.endpoint));
  const plan = planDefrag(chosen, options);
  const results: DefragResult[] = [];
  let first = true;
  for (const step of plan) {
    if (step.skip) {
      ctx.log(`${step.name}: skipped, ${step.skip}`);
      results.push({ name: step.name, wasLeader: step.wasLeader, skipped: step.skip });
      continue;
    }
    if (!first && ctx.pauseMs > 0) await sleep(ctx.pauseMs);
    first = false;
    if (step.wasLeader) await moveLeadershipAway(ctx, step);
    results.push(await defragOne(ctx, step));
    await healthGate(ctx, step);
  }
  return results;
}

const HEALTH_GATE_MS = 30_000;

/** The next member waits until this one serves quorum reads again: never two members out at once. */
async function healthGate(ctx: OperationContext, step: DefragStep): Promise<void> {
  const deadline = Date.now() + HEALTH_GATE_MS;
  for (;;) {
    const result = await ctx.clientFor(step.endpoint).probe();
    if (result.ok && result.sample.quorumRead === 'ok' && result.sample.leaderId) return;
    if (Date.now() > deadline) {
      const why = result.ok ? (result.sample.quorumReadReason ?? 'no leader') : result.reason;
      throw new Error(`${step.name} is not healthy ${HEALTH_GATE_MS / 1000} s after its defragment (${why}): stopped before the next member`);
    }
    await sleep(500);
  }
}

async function defragOne(ctx: OperationContext, step: DefragStep): Promise<DefragResult> {
  const client = ctx.clientFor(step.endpoint);
  const before = (await client.status()).dbSize;
  ctx.log(`${step.name}: defragmenting (${formatBytes(before)}); its reads and writes wait until it is done`);
  const started = Date.now();
  await client.defragment(ctx.longDeadlineMs);
  const ms = Date.now() - started;
  const after = (await client.status()).dbSize;
  ctx.log(`${step.name}: ${formatBytes(before)} -> ${formatBytes(after)} in ${ms} ms`);
  return { name: step.name, wasLeader: step.wasLeader, before, after, ms };
}

/** Hands leadership to the healthiest follower so the leader's defrag does not stall the cluster. */
async function moveLeadershipAway(ctx: OperationContext, leader: DefragStep): Promise<void> {
  const target = ctx
    .members()
    .filter((m) => m.endpoint !== leader.endpoint && m.health === 'ok' && m.last && !m.last.isLearner)
    .sort((a, b) => (b.last?.raftAppliedIndex ?? 0) - (a.last?.raftAppliedIndex ?? 0))[0];
  if (!target?.last) {
    ctx.log(`${leader.name}: no healthy follower to take over; defragmenting it as leader`);
    return;
  }
  ctx.log(`${leader.name}: moving leadership to ${target.name} first`);
  await ctx.clientFor(leader.endpoint).moveLeader(target.last.memberId, ctx.longDeadlineMs);
  const status = await ctx.clientFor(leader.endpoint).status();
  if (status.leaderId === status.memberId) throw new Error(`${leader.name} is still the leader after move-leader`);
  ctx.log(`${target.name} is the leader now`);
}
