import { hostname } from 'node:os';
import { osUser } from '../../adapters/audit-log.js';
import type { Etcd3, Lease } from 'etcd3';
import type { OperationContext } from './context.js';
import type { ActionName } from './requests.js';
import { explainEtcdError } from '../errors/explain-etcd-error.js';
import { formatClock } from '../format/time.js';

/**
 * One key in the cluster itself, so every cockpit that reaches this cluster
 * (whatever it calls the cluster) meets the same lock.
 */
export const CLUSTER_LOCK_KEY = '/etcd-cockpit/lock';

/** A crashed or cut-off cockpit's lock frees itself this long after its last keepalive. */
export const CLUSTER_LOCK_TTL_S = 20;

/** Actions that only read from etcd take no lock. */
const LOCK_FREE: ReadonlySet<ActionName> = new Set(['snapshot', 'runbook-plan']);

export interface LockHolder {
  user: string;
  host: string;
  pid: number;
  operation: string;
  since: string;
}

export class ClusterLockHeldError extends Error {
  readonly exitCode = 4;
  constructor(readonly holder: LockHolder) {
    super(`refused: ${describeHolder(holder)} (etcd key ${CLUSTER_LOCK_KEY}; it frees itself ${CLUSTER_LOCK_TTL_S} s after that cockpit stops)`);
    this.name = 'ClusterLockHeldError';
  }
}

export function describeHolder(h: LockHolder): string {
  const since = Number.isNaN(Date.parse(h.since)) ? h.since : formatClock(Date.parse(h.since));
  return `another operation holds the cluster: ${h.operation} by ${h.user}@${h.host} since ${since}`;
}

export interface HeldLock {
  release(): Promise<void>;
}

export type LockAcquirer = () => Promise<HeldLock>;

/** The acquirer for a mutating action, or undefined for one that takes no lock. */
export function clusterLockFor(action: ActionName, target: string, ctx: OperationContext): LockAcquirer | undefined {
  if (LOCK_FREE.has(action)) return undefined;
  return () => acquireClusterLock(ctx, `${action} ${target}`);
}

/**
 * Takes the cluster lock with a lease kept alive while the operation runs.
 * Held by someone else: throws ClusterLockHeldError. Cannot be taken at all
 * (no quorum, NOSPACE refuses the lease, no member answering): says so and
 * goes on without it, because those are the moments recovery must run.
 */
export async function acquireClusterLock(ctx: OperationContext, operation: string): Promise<HeldLock> {
  const member = ctx.members().find((m) => m.health === 'ok');
  if (!member) return unlocked(ctx, 'no member serves quorum reads');
  const client = ctx.clientFor(member.endpoint);
  const holder: LockHolder = { user: osUser(), host: hostname(), pid: process.pid, operation, since: new Date().toISOString() };
  const lease = client.lease(CLUSTER_LOCK_TTL_S, { autoKeepAlive: true });
  lease.on('lost', () => ctx.log(`warning: the cluster lock was lost (${member.name} stopped answering); another cockpit may start an operation now`));
  let taken: boolean;
  try {
    taken = await putIfAbsent(client, lease, holder);
  } catch (err) {
    await lease.revoke().catch(() => undefined);
    return unlocked(ctx, explainEtcdError(err).message);
  }
  if (!taken) {
    const current = await readHolder(client);
    await lease.revoke().catch(() => undefined);
    throw new ClusterLockHeldError(current);
  }
  return { release: () => revokeLock(ctx, lease, member.endpoint) };
}

/**
 * An operation that restarts the member the lock was taken through gets a
 * new client for it, and the old one (the lease's) is closed: the lease is
 * then revoked by its id through the member's current client, or the lock
 * would outlive the operation by its whole TTL.
 */
async function revokeLock(ctx: OperationContext, lease: Lease, endpoint: string): Promise<void> {
  try {
    await lease.revoke();
    return;
  } catch {
    // the lease's client is closed or the member is away: below
  }
  const id = await lease.grant().catch(() => undefined);
  if (id === undefined) return;
  const endpoints = [endpoint, ...ctx.members().filter((m) => m.health === 'ok' && m.endpoint !== endpoint).map((m) => m.endpoint)];
  for (const e of endpoints) {
    try {
      await ctx.clientFor(e).leaseClient.leaseRevoke({ ID: id });
      return;
    } catch {
      // try the next member; the lease expires by itself otherwise
    }
  }
}

async function putIfAbsent(client: Etcd3, lease: Lease, holder: LockHolder): Promise<boolean> {
  const leaseId = await lease.grant();
  const result = await client.if(CLUSTER_LOCK_KEY, 'Create', '==', 0).then(client.put(CLUSTER_LOCK_KEY).value(JSON.stringify(holder)).lease(leaseId)).commit();
  return result.succeeded;
}

async function readHolder(client: Etcd3): Promise<LockHolder> {
  const text = await client.get(CLUSTER_LOCK_KEY).string().catch(() => null);
  try {
    const parsed = JSON.parse(text ?? '') as Partial<LockHolder>;
    return { user: parsed.user ?? '?', host: parsed.host ?? '?', pid: parsed.pid ?? 0, operation: parsed.operation ?? '?', since: parsed.since ?? '?' };
  } catch {
    return { user: '?', host: '?', pid: 0, operation: 'an unknown operation', since: '?' };
  }
}

function unlocked(ctx: OperationContext, why: string): HeldLock {
  ctx.log(`warning: the cluster lock cannot be taken (${why}); nothing stops another cockpit from working on this cluster meanwhile`);
  return { release: async () => undefined };
}
