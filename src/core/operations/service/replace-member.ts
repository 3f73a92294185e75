import type { MemberListEntry, MemberState } from '../../cluster/types.js';
import type { EtcdMember } from '../../ports/etcd.js';
import { wipeDataDirCommand } from '../../runbook/cleanup.js';
import type { NodeRuntime } from '../../runbook/node-runtime.js';
import { NODE_PATHS } from '../../runbook/paths.js';
import { mustExec } from '../../runbook/phases/common.js';
import { sleep } from '../context.js';
import { guardMembers, quorumGuard } from '../quorum-guard.js';
import { memberNamed, nodeOf, ServiceOpRefused, serviceWork, type ServiceDeps, type ServiceOperationRequest, type ServiceOpsContext } from './context.js';
import { enforceQuorum } from './guard.js';
import { isAnswering, leaderOf, liveMembers } from './live-members.js';
import { replacementConfig } from './replacement-config.js';
import { handOverLeadership } from './restart.js';
import { serviceReport, waitHealthy } from './wait-healthy.js';
import { writeNodeConfig } from './config-file.js';

const PROMOTE_RETRY_MS = 500;
const NOT_IN_SYNC = /in sync with leader|not ready|too many learner/i;
const UNHEALTHY = /unhealthy cluster/i;

export interface ReplaceResult {
  name: string;
  oldId?: string;
  newId: string;
  voters: number;
}

/**
 * Domain notes, membership: remove the member, empty its data dir, add it
 * back as a learner, start it with `initial-cluster-state: existing`, promote
 * it once it is in sync. One membership change at a time.
 */
export async function replaceMember(ctx: ServiceOpsContext, name: string, options: { force?: boolean } = {}): Promise<ReplaceResult> {
  let members = await liveMembers(ctx);
  const member = memberNamed(members, name);
  const node = nodeOf(ctx.run, member);
  enforceQuorum(members, [name], 'remove', { force: options.force, log: ctx.log });
  if (leaderOf(members)?.name === name) {
    await handOverLeadership(ctx, members, member);
    members = await liveMembers(ctx);
  }
  const admin = adminClient(ctx, members, name);
  const list = await admin.listMembers();
  const pending = list.filter((e) => (e.isLearner || !e.started) && !isEntryOf(e, node));
  if (pending.length > 0) throw new ServiceOpRefused(`refused: another membership change is in progress (${pending.map(describeEntry).join(', ')}): one change at a time`);
  const entry = list.find((e) => isEntryOf(e, node));

  ctx.log(`${name}: stopping etcd`);
  await node.service.stop();
  if (entry) {
    await whenReconfigAllowed(ctx, () => admin.removeMember(entry.id));
    ctx.log(`${name}: removed member ${entry.id} from the cluster`);
  } else {
    ctx.log(`${name}: not in the member list (removed before); adding it back`);
  }
  await mustExec(node, wipeDataDirCommand(node), `emptying ${NODE_PATHS.dataDir}`, { privileged: true });
  ctx.log(`${name}: emptied ${NODE_PATHS.dataDir}`);

  const added = await whenReconfigAllowed(ctx, () => admin.addLearner(node.spec.peerUrl));
  const newId = added.id;
  ctx.log(`${name}: added back as learner ${newId}`);
  const initialCluster = added.members
    .flatMap((m) => m.peerUrls.map((url) => `${m.id === newId ? name : m.name}=${url}`))
    .join(',');
  try {
    await writeNodeConfig(node, await replacementConfig(ctx.run, node, initialCluster));
    ctx.log(`${name}: config rendered with initial-cluster-state existing`);
    await node.service.start();
    await waitHealthy(ctx, member, node, { readiness: 'started' });
    ctx.log(`${name}: started as a learner; promoting once it is in sync`);
    await promoteWhenInSync(ctx, node, newId);
    await waitHealthy(ctx, member, node);
  } catch (err) {
    const [first, ...rest] = (err as Error).message.split('\n');
    const state = `${name} is in the cluster as learner ${newId} but not serving; the others carry on without it (member replace ${name} again starts over)`;
    throw new Error([`${first}; ${state}`, ...rest].join('\n'), { cause: err });
  }
  const after = await admin.listMembers();
  const voters = after.filter((e) => !e.isLearner && e.started).length;
  ctx.log(`${name}: healthy voting member again; ${voters} of ${after.length} members are started voters`);
  return { name, ...(entry ? { oldId: entry.id } : {}), newId, voters };
}

/** A healthy member other than the one being replaced, the leader if it can be: membership calls go there. */
function adminClient(ctx: ServiceOpsContext, members: MemberState[], except: string): EtcdMember {
  const candidates = members.filter((m) => m.name !== except && m.health === 'ok');
  const leader = leaderOf(candidates);
  const chosen = leader ?? candidates[0] ?? members.find((m) => m.name !== except && isAnswering(m));
  if (!chosen) throw new Error('no other member answers: membership cannot change');
  return ctx.clientFor(chosen.endpoint);
}

/**
 * etcd's strict reconfig check refuses a membership change ("unhealthy
 * cluster") until enough members have been connected to each other for 5 s,
 * e.g. right after a restart: wait that out.
 */
async function whenReconfigAllowed<T>(ctx: ServiceOpsContext, change: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let said = false;
  for (;;) {
    try {
      return await change();
    } catch (err) {
      if (!UNHEALTHY.test((err as Error).message) || Date.now() - started >= ctx.healthTimeoutMs) throw err;
      if (!said) ctx.log('etcd refuses membership changes until its members have been connected for 5 s; waiting');
      said = true;
    }
    await sleep(PROMOTE_RETRY_MS);
  }
}

async function promoteWhenInSync(ctx: ServiceOpsContext, node: NodeRuntime, id: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    const members = await liveMembers(ctx);
    try {
      await adminClient(ctx, members, node.spec.name).promoteMember(id);
      ctx.log(`${node.spec.name}: promoted to a voting member after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return;
    } catch (err) {
      const message = (err as Error).message;
      if (!NOT_IN_SYNC.test(message)) throw err;
      if (Date.now() - started >= ctx.healthTimeoutMs) {
        throw new Error(`${node.spec.name}: still not in sync after ${ctx.healthTimeoutMs / 1000} s (${message})\n${await serviceReport(node)}`, { cause: err });
      }
    }
    await sleep(PROMOTE_RETRY_MS);
  }
}

function isEntryOf(e: MemberListEntry, node: NodeRuntime): boolean {
  return e.name === node.spec.name || e.peerUrls.includes(node.spec.peerUrl);
}

function describeEntry(e: MemberListEntry): string {
  return `${e.name || e.peerUrls.join(',')} ${e.isLearner ? 'is a learner' : 'has not started'}`;
}

export function buildReplaceMemberRequest(
  input: { cluster: string; members: MemberState[]; member: string; force?: boolean },
  deps: ServiceDeps,
): ServiceOperationRequest {
  const member = memberNamed(input.members, input.member);
  const node = nodeOf(deps.run, member);
  const force = input.force ?? false;
  const verdict = quorumGuard(guardMembers(input.members), [member.name], 'remove');
  if (!verdict.allowed && !force) throw new ServiceOpRefused(`refused: ${verdict.reason} (force overrides this, with the member name typed to confirm)`);
  return {
    action: 'member-replace',
    target: member.name,
    params: { force, peerUrl: node.spec.peerUrl },
    summary: [
      `Replace member ${member.name} of ${input.cluster} (its data is discarded; it syncs again from the others):`,
      `1. stop etcd on ${member.name}${leaderOf(input.members)?.name === member.name ? ' (it leads: leadership moves away first)' : ''} and remove it from the cluster`,
      `2. empty ${NODE_PATHS.dataDir} on ${member.name}`,
      `3. add it back as a learner (${node.spec.peerUrl}), start it with initial-cluster-state existing`,
      `4. promote it to a voting member once it is in sync, wait until it serves`,
      verdict.allowed ? `Quorum: ${verdict.reason}.` : `WARNING: ${verdict.reason}.`,
    ],
    typed: member.name,
    backupFirst: { need: 'required' },
    work: serviceWork(deps, (ctx) => replaceMember(ctx, member.name, { force })),
  };
}
