import type { NodeRuntime } from '../../runbook/node-runtime.js';
import type { ServiceOpsContext } from './context.js';
import { leaderOf, liveMembers } from './live-members.js';

/**
 * Stops every member: the followers together, then the leader. A leader
 * stopped while its followers are going away too tries to hand leadership
 * to one of them and can take ~10 s to exit; alone, it exits at once.
 */
export async function stopAllMembers(ctx: ServiceOpsContext): Promise<void> {
  const leader = leaderOf(await liveMembers(ctx));
  const nodes = ctx.run.nodes;
  const last = leader ? nodes.find((n) => n.spec.name === leader.name || n.spec.clientUrl === leader.endpoint) : undefined;
  await Promise.all(nodes.filter((n) => n !== last).map((n) => stopOne(ctx, n)));
  if (last) await stopOne(ctx, last, 'the leader, last');
}

async function stopOne(ctx: ServiceOpsContext, node: NodeRuntime, note?: string): Promise<void> {
  const started = Date.now();
  await node.service.stop();
  ctx.log(`${node.spec.name}: stopped${note ? ` (${note})` : ''} in ${Date.now() - started} ms`);
}
