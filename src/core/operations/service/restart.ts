import type { MemberState } from '../../cluster/types.js';
import { moveLeaderTo } from '../leader.js';
import { guardMembers, quorumGuard } from '../quorum-guard.js';
import { enforceQuorum } from './guard.js';
import { bestSuccessor, leaderOf, liveMembers } from './live-members.js';
import { waitHealthy } from './wait-healthy.js';
import { memberNamed, nodeOf, ServiceOpRefused, serviceWork, type ServiceDeps, type ServiceOperationRequest, type ServiceOpsContext } from './context.js';

export interface RestartResult {
  name: string;
  wasLeader: boolean;
  /** From the stop to healthy again. */
  ms: number;
  revision: number;
}

/** Restarts one member through its service manager and waits until it serves again. The quorum guard runs on live probes first. */
export async function restartMember(ctx: ServiceOpsContext, name: string, options: { force?: boolean } = {}): Promise<RestartResult> {
  const members = await liveMembers(ctx);
  memberNamed(members, name);
  enforceQuorum(members, [name], 'restart', { force: options.force, log: ctx.log });
  return restartChecked(ctx, members, name);
}

/** The restart itself, on members probed just now and already guarded. */
export async function restartChecked(ctx: ServiceOpsContext, members: MemberState[], name: string): Promise<RestartResult> {
  const member = memberNamed(members, name);
  const node = nodeOf(ctx.run, member);
  // Reach the node before touching anything: a failed SSH login must not come after "stopping etcd".
  await node.service.status().catch((err: Error) => {
    throw new Error(`${name}: cannot reach its node to manage etcd (${err.message.split('\n')[0]}): nothing was stopped`, { cause: err });
  });
  const wasLeader = leaderOf(members)?.name === name;
  if (wasLeader) await handOverLeadership(ctx, members, member);
  const started = Date.now();
  ctx.log(`${name}: stopping etcd (${node.service.kind})`);
  await node.service.stop();
  ctx.log(`${name}: starting etcd`);
  await node.service.start();
  const sample = await waitHealthy(ctx, member, node);
  const ms = Date.now() - started;
  ctx.log(`${name}: healthy again after ${(ms / 1000).toFixed(1)} s (revision ${sample.revision})`);
  return { name, wasLeader, ms, revision: sample.revision };
}

/** Moves leadership to the healthiest other voter, so the restart costs no election timeout. */
export async function handOverLeadership(ctx: ServiceOpsContext, members: MemberState[], leader: MemberState): Promise<void> {
  const successor = bestSuccessor(members, leader.name);
  if (!successor) {
    ctx.log(`${leader.name} leads and no other member is healthy: an election follows its stop`);
    return;
  }
  await moveLeaderTo({ ...ctx, members: () => members }, successor.endpoint);
}

export function buildRestartRequest(
  input: { cluster: string; members: MemberState[]; member: string; force?: boolean },
  deps: ServiceDeps,
): ServiceOperationRequest {
  const member = memberNamed(input.members, input.member);
  nodeOf(deps.run, member);
  const force = input.force ?? false;
  const verdict = quorumGuard(guardMembers(input.members), [member.name], 'restart');
  if (!verdict.allowed && !force) throw new ServiceOpRefused(`refused: ${verdict.reason} (force overrides this, with the member name typed to confirm)`);
  const leads = leaderOf(input.members)?.name === member.name;
  return {
    action: 'restart',
    target: member.name,
    params: { force },
    summary: [
      `Restart etcd on ${member.name} of ${input.cluster} through its ${nodeOf(deps.run, member).service.kind} service, then wait until it serves again (up to ${deps.healthTimeoutMs / 1000} s).`,
      ...(leads ? [`${member.name} leads: leadership moves to a healthy follower first.`] : []),
      verdict.allowed ? `Quorum: ${verdict.reason}.` : `WARNING: ${verdict.reason}.`,
    ],
    ...(verdict.allowed ? {} : { typed: member.name }),
    work: serviceWork(deps, (ctx) => restartMember(ctx, member.name, { force })),
  };
}
