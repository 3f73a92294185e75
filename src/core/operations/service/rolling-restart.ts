import type { MemberState } from '../../cluster/types.js';
import { sleep } from '../context.js';
import { guardMembers, quorumGuard, type GuardVerdict } from '../quorum-guard.js';
import { enforceQuorum } from './guard.js';
import { isAnswering, leaderOf, liveMembers } from './live-members.js';
import { restartChecked, type RestartResult } from './restart.js';
import { nodeOf, ServiceOpRefused, serviceWork, type ServiceDeps, type ServiceOperationRequest, type ServiceOpsContext } from './context.js';

/**
 * Members already down first (restarting them can only help quorum), then the
 * followers, the leader last.
 */
export function rollingOrder(members: MemberState[]): MemberState[] {
  const leader = leaderOf(members)?.name;
  const rank = (m: MemberState) => (!isAnswering(m) ? 0 : m.name === leader ? 2 : 1);
  return [...members].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** The guard for each step in turn, assuming every member restarted before comes back: the first refusal, else allowed. */
export function guardRolling(members: MemberState[]): GuardVerdict {
  const state = guardMembers(members);
  for (const m of rollingOrder(members)) {
    const verdict = quorumGuard(state, [m.name], 'restart');
    if (!verdict.allowed) return verdict;
    const restarted = state.find((s) => s.name === m.name)!;
    restarted.health = 'ok';
  }
  return { allowed: true, reason: `one member at a time, at most one voting member is down` };
}

/**
 * Restarts every member, one at a time in rollingOrder, pausing between them.
 * The guard runs on live probes before each member; the first member that
 * does not come back healthy stops the run.
 */
export async function rollingRestart(ctx: ServiceOpsContext, options: { force?: boolean; why?: string } = {}): Promise<RestartResult[]> {
  const order = rollingOrder(await liveMembers(ctx)).map((m) => m.name);
  ctx.log(`rolling restart${options.why ? ` (${options.why})` : ''}, in this order: ${order.join(', ')}`);
  const results: RestartResult[] = [];
  for (const [i, name] of order.entries()) {
    if (i > 0 && ctx.pauseMs > 0) await sleep(ctx.pauseMs);
    const members = await liveMembers(ctx);
    try {
      enforceQuorum(members, [name], 'restart', { force: options.force, log: ctx.log });
      results.push(await restartChecked(ctx, members, name));
    } catch (err) {
      const done = results.map((r) => r.name);
      const left = order.slice(i + 1);
      throw new Error(
        `rolling restart stopped at ${name}${done.length ? ` (restarted: ${done.join(', ')}` : ' (nothing restarted'}${left.length ? `; not restarted: ${left.join(', ')})` : ')'}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return results;
}

export function buildRollingRestartRequest(
  input: { cluster: string; members: MemberState[]; force?: boolean; pauseMs?: number },
  deps: ServiceDeps,
): ServiceOperationRequest {
  for (const m of input.members) nodeOf(deps.run, m);
  const force = input.force ?? false;
  const verdict = guardRolling(input.members);
  if (!verdict.allowed && !force) throw new ServiceOpRefused(`refused: ${verdict.reason} (force overrides this, with the cluster name typed to confirm)`);
  return {
    action: 'rolling-restart',
    target: 'cluster',
    params: { force, pauseMs: input.pauseMs ?? 0 },
    summary: [...rollingSummary(input.cluster, input.members, deps), verdict.allowed ? `Quorum: ${verdict.reason}.` : `WARNING: ${verdict.reason}.`],
    ...(verdict.allowed ? {} : { typed: input.cluster }),
    work: serviceWork(deps, (ctx) => rollingRestart(ctx, { force })),
  };
}

export function rollingSummary(cluster: string, members: MemberState[], deps: ServiceDeps): string[] {
  const leader = leaderOf(members)?.name;
  return [
    `Restart every member of ${cluster}, one at a time; each must serve again (up to ${deps.healthTimeoutMs / 1000} s) before the next, and the first that does not stops the run:`,
    ...rollingOrder(members).map(
      (m, i) => `${i + 1}. ${m.name}${m.name === leader ? ' (leader: leadership moves to a restarted follower first)' : isAnswering(m) ? '' : ' (down now)'}`,
    ),
  ];
}
