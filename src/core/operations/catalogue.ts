/**
 * Every operation the cockpit can run, once: the TUI's keys and `:` commands
 * (ui/operation-action.ts) and the CLI's verbs (cli/commands/operation-verb.ts)
 * are read from here, and both run what `plan` builds through runOperation.
 * Adding an operation: one entry here, one core function, one test.
 */
import { resolve } from 'node:path';
import type * as ServiceOps from './service/index.js';
import type { MemberState } from '../cluster/types.js';
import type { SnapshotStatusReader } from '../snapshot/verify.js';
import type { AutoDefragPolicy } from './defrag-plan.js';
import { buildRequest, type ActionName, type OperationRequest } from './requests.js';
import { memberNamed, ServiceOpRefused, type ServiceDeps } from './service/context.js';
import { parseSize, QUOTA_SIZE_HINT } from './service/quota-size.js';

export interface PlanInput {
  cluster: string;
  members: MemberState[];
  /** The member it is about: the TUI's selection, the CLI's NAME or --member NAME. */
  member?: string;
  /** Its free text: the quota's SIZE, the restore's FILE. */
  arg?: string;
  force: boolean;
  pauseMs: number;
  keep?: number;
  autoDefrag?: AutoDefragPolicy;
  /** Where snapshots go (and where a restore without FILE finds the newest verified one). */
  snapshotDir: string;
  etcdutl: SnapshotStatusReader;
  /** Each node's service, transport and paths: given when the entry says needsInventory. */
  service?: ServiceDeps;
}

export interface OperationEntry {
  /** Its name on the `:` line. */
  id: string;
  /** Its name in the audit log (both defrag entries are `defrag`). */
  action: ActionName;
  /** The TUI keys that run it. */
  keys: readonly string[];
  title: string;
  target: 'member' | 'cluster';
  /** Changes nothing in etcd (a snapshot): runs read-only, without a question or the lock. */
  readOnlyAllowed: boolean;
  /** Needs a majority of members serving: refused up front while quorum is lost (the CLI's --force skips this check). */
  needsQuorum: boolean;
  /** Reaches each node's etcd service as the runbook set it up; the text says why (the error without an inventory). */
  needsInventory?: string;
  /** Free text after its name (`:quota 8GiB`, `restore FILE`). */
  arg?: {
    name: string;
    hint?: string;
    /** The key opens the `:` line for it (quota); otherwise the key runs without one (restore: the newest snapshot). */
    opensLine: boolean;
    /** Throws the operator's words when the text cannot be right, before anything is contacted. */
    check?: (text: string) => void;
  };
  /** The CLI's words: `member replace NAME`. `operand` is the word after them; `memberFlag`: --member NAME names the member. */
  cli?: { words: readonly string[]; operand?: { name: string; missing: string }; memberFlag?: boolean };
  /** The key on one selected member means "do it", as --force does on the CLI (defrag's worth-it rule is for sweeps). */
  keyForces?: boolean;
  /** Takes --dry-run: prints the plan's lines, changes nothing. */
  dryRun?: boolean;
  /** Why it cannot run with these members, beyond quorum, inventory and the member answering. */
  unavailable?: (members: MemberState[], member: MemberState | undefined) => string | undefined;
  plan(input: PlanInput): OperationRequest | Promise<OperationRequest>;
}

const INVENTORY_FOR_SERVICE = "it reaches each node's etcd service the way the runbook set it up";
const INVENTORY_FOR_CERTS = 'it reissues what the runbook issued, from its CA';

export const CATALOGUE: readonly OperationEntry[] = [
  {
    id: 'defrag-member',
    action: 'defrag',
    keys: ['d'],
    title: 'defragment the selected member',
    target: 'member',
    readOnlyAllowed: false,
    needsQuorum: true,
    keyForces: true,
    cli: { words: ['defrag'], memberFlag: true },
    plan: (i) => buildRequest('defrag', { ...i, member: memberNamed(i.members, i.member ?? '') }),
  },
  {
    id: 'defrag-cluster',
    action: 'defrag',
    keys: ['D'],
    title: 'defragment the cluster (followers first, leader last)',
    target: 'cluster',
    readOnlyAllowed: false,
    needsQuorum: true,
    cli: { words: ['defrag'] },
    plan: (i) => buildRequest('defrag', { ...i, member: undefined }),
  },
  {
    id: 'compact',
    action: 'compact',
    keys: ['c'],
    title: 'compact history to the current revision',
    target: 'cluster',
    readOnlyAllowed: false,
    needsQuorum: true,
    cli: { words: ['compact'] },
    plan: (i) => buildRequest('compact', { ...i, member: undefined }),
  },
  {
    id: 'move-leader',
    action: 'move-leader',
    keys: ['L'],
    title: 'make the selected member the leader',
    target: 'member',
    readOnlyAllowed: false,
    needsQuorum: true,
    cli: { words: ['move-leader'], operand: { name: 'NAME', missing: 'the name of the member to lead' } },
    unavailable: (_members, m) => (m?.last && m.last.leaderId === m.last.memberId ? `${m.name} is already the leader` : undefined),
    plan: (i) => buildRequest('move-leader', { ...i, member: memberNamed(i.members, i.member ?? '') }),
  },
  {
    id: 'alarm-disarm',
    action: 'alarm-disarm',
    keys: ['A'],
    title: 'disarm all alarms',
    target: 'cluster',
    readOnlyAllowed: false,
    needsQuorum: true,
    cli: { words: ['alarm', 'disarm'] },
    unavailable: (members) => (members.some((m) => m.last?.alarms.length) ? undefined : 'no alarm is raised'),
    plan: (i) => buildRequest('alarm-disarm', { ...i, member: undefined }),
  },
  {
    id: 'snapshot',
    action: 'snapshot',
    keys: ['s'],
    title: 'snapshot the selected member to a file, then verify it',
    target: 'member',
    readOnlyAllowed: true,
    needsQuorum: false,
    // The CLI's `snapshot save [FILE|-]` streams to a file or stdout: cli/commands/snapshot.ts.
    plan: (i) => buildRequest('snapshot', { ...i, member: memberNamed(i.members, i.member ?? '') }),
  },
  {
    id: 'restart',
    action: 'restart',
    keys: ['r'],
    title: 'restart the selected member, wait until healthy',
    target: 'member',
    readOnlyAllowed: false,
    needsQuorum: false,
    needsInventory: INVENTORY_FOR_SERVICE,
    cli: { words: ['restart'], operand: { name: 'NAME', missing: 'the name of the member to restart' } },
    plan: async (i) => (await service()).buildRestartRequest({ ...i, member: i.member ?? '' }, deps(i)),
  },
  {
    id: 'rolling-restart',
    action: 'rolling-restart',
    keys: ['W'],
    title: 'rolling restart: followers first, leader last',
    target: 'cluster',
    readOnlyAllowed: false,
    needsQuorum: true,
    needsInventory: INVENTORY_FOR_SERVICE,
    cli: { words: ['rolling-restart'] },
    plan: async (i) => (await service()).buildRollingRestartRequest(i, deps(i)),
  },
  {
    id: 'member-replace',
    action: 'member-replace',
    keys: ['X'],
    title: 'replace the selected member (remove, wipe, re-add as learner, promote)',
    target: 'member',
    readOnlyAllowed: false,
    needsQuorum: true,
    needsInventory: INVENTORY_FOR_SERVICE,
    cli: { words: ['member', 'replace'], operand: { name: 'NAME', missing: 'the name of the member to replace' } },
    plan: async (i) => (await service()).buildReplaceMemberRequest({ ...i, member: i.member ?? '' }, deps(i)),
  },
  {
    id: 'restore',
    action: 'restore',
    keys: ['U'],
    title: 'restore every member from a verified snapshot: the newest in the folder, or :restore FILE',
    target: 'cluster',
    readOnlyAllowed: false,
    needsQuorum: false,
    needsInventory: INVENTORY_FOR_SERVICE,
    arg: { name: 'FILE', opensLine: false },
    cli: { words: ['restore'], operand: { name: 'FILE', missing: 'the snapshot file' } },
    plan: async (i) => {
      const ops = await service();
      const file = i.arg === undefined ? (await ops.findFreshSnapshot(i.snapshotDir, deps(i).etcdutl(), Number.POSITIVE_INFINITY))?.file : resolve(i.arg);
      if (!file) throw new ServiceOpRefused(`no verified snapshot in ${i.snapshotDir}: take one with s first, or name one (:restore FILE)`);
      return ops.buildRestoreRequest({ cluster: i.cluster, members: i.members, file }, deps(i));
    },
  },
  {
    id: 'quota',
    action: 'quota',
    keys: ['Q'],
    title: 'set quota-backend-bytes on every member (:quota 8GiB), rolling restart',
    target: 'cluster',
    readOnlyAllowed: false,
    needsQuorum: true,
    needsInventory: INVENTORY_FOR_SERVICE,
    arg: { name: 'SIZE', hint: QUOTA_SIZE_HINT, opensLine: true, check: (text) => void parseSize(text) },
    cli: { words: ['quota'], operand: { name: 'SIZE', missing: 'the new size, like 4GiB' } },
    plan: async (i) => (await service()).buildQuotaRequest({ ...i, bytes: parseSize(i.arg ?? '') }, deps(i)),
  },
  {
    id: 'rebootstrap',
    action: 'rebootstrap',
    keys: ['B'],
    title: 're-bootstrap: wipe, bootstrap again, recreate RBAC (a verified snapshot first)',
    target: 'cluster',
    readOnlyAllowed: false,
    needsQuorum: false,
    needsInventory: INVENTORY_FOR_SERVICE,
    cli: { words: ['rebootstrap'] },
    plan: async (i) => (await service()).buildRebootstrapRequest(i, deps(i)),
  },
  {
    id: 'nospace-recover',
    action: 'nospace-recover',
    keys: ['N'],
    title: 'NOSPACE recovery: compact, defragment all, disarm, test write',
    target: 'cluster',
    readOnlyAllowed: false,
    needsQuorum: true,
    cli: { words: ['nospace-recover'] },
    plan: (i) => buildRequest('nospace-recover', { ...i, member: undefined }),
  },
  {
    id: 'certs-renew',
    action: 'certs-renew',
    keys: ['T'],
    title: 'renew the server and peer certificates from the runbook CA, rolling restart',
    target: 'cluster',
    readOnlyAllowed: false,
    needsQuorum: true,
    needsInventory: INVENTORY_FOR_CERTS,
    dryRun: true,
    cli: { words: ['certs', 'renew'] },
    plan: async (i) => resumable('certs renew', await (await import('./certs/renew.js')).buildRenewRequest(i, deps(i))),
  },
  {
    id: 'certs-rotate-ca',
    action: 'certs-rotate-ca',
    keys: [],
    title: 'rotate the CA, one phase per run: trust the new CA, reissue, drop the old',
    target: 'cluster',
    readOnlyAllowed: false,
    needsQuorum: true,
    needsInventory: INVENTORY_FOR_CERTS,
    dryRun: true,
    cli: { words: ['certs', 'rotate-ca'] },
    plan: async (i) => resumable('certs rotate-ca', await (await import('./certs/rotate-ca.js')).buildRotateRequest(i, deps(i))),
  },
];

export function catalogueEntry(id: string): OperationEntry | undefined {
  return CATALOGUE.find((e) => e.id === id);
}

/** The service code (SSH, runbook engine) loads only when one of its operations is asked for. */
function service(): Promise<typeof ServiceOps> {
  return import('./service/index.js');
}

function deps(input: PlanInput): ServiceDeps {
  if (!input.service) throw new ServiceOpRefused('this operation reaches the nodes: it needs an inventory with a runbook: section (-f cluster.yaml)');
  return input.service;
}

/** Work that continues where an interrupted run stopped says so when it fails. */
function resumable<R extends OperationRequest>(name: string, request: R): R {
  return {
    ...request,
    work: async (ctx, prior) => {
      try {
        return await request.work(ctx, prior);
      } catch (err) {
        ctx.log(`run ${name} again to finish: it continues where this run stopped`);
        throw err;
      }
    },
  };
}
