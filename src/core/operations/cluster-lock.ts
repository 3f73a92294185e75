import { hostname } from 'node:os';
import { osUser } from '../ports/audit.js';
import type { OperationContext } from './context.js';
import type { HeldKey } from '../ports/etcd.js';
import { changesCluster, type ActionName } from './requests.js';
import { explainEtcdError } from '../errors/explain-etcd-error.js';
import { formatClock } from '../format/time.js';

/**
 * One key in the cluster itself, so every cockpit that reaches this cluster
 * (whatever it calls the cluster) meets the same lock.
 */
export const CLUSTER_LOCK_KEY = '/etcd-cockpit/lock';

/** A crashed or cut-off cockpit's lock frees itself this long after its last keepalive. */
export const CLUSTER_LOCK_TTL_S = 20;


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
  if (!changesCluster(action)) return undefined;
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
  const lost = () => ctx.log(`warning: the cluster lock was lost (${member.name} stopped answering); another cockpit may start an operation now`);
  let result;
  try {
    result = await client.createLeased(CLUSTER_LOCK_KEY, JSON.stringify(holder), CLUSTER_LOCK_TTL_S, lost);
  } catch (err) {
    return unlocked(ctx, explainEtcdError(err).message);
  }
  if (!result.created) throw new ClusterLockHeldError(parseHolder(result.current));
  const held = result.held;
  return { release: () => revokeLock(ctx, held, member.endpoint) };
}

/**
 * An operation that restarts the member the lock was taken through gets a
 * new client for it, and the old one (the lease's) is closed: the lease is
 * then revoked by its id through the member's current client, or the lock
 * would outlive the operation by its whole TTL.
 */
async function revokeLock(ctx: OperationContext, held: HeldKey, endpoint: string): Promise<void> {
  try {
    await held.release();
    return;
  } catch {
    // the lease's client is closed or the member is away: below
  }
  const endpoints = [endpoint, ...ctx.members().filter((m) => m.health === 'ok' && m.endpoint !== endpoint).map((m) => m.endpoint)];
  for (const e of endpoints) {
    try {
      await ctx.clientFor(e).revokeLease(held.leaseId);
      return;
    } catch {
      // try the next member; the lease expires by itself otherwise
    }
  }
}

function parseHolder(text: string | null): LockHolder {
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
