/**
 * What the service-level operations need besides an OperationContext: each
 * node's service manager, transport and paths (the runbook's RunContext), and
 * how long a member gets to come back.
 */
import type { SnapshotStatusReader } from '../../snapshot/verify.js';
import type { MemberState } from '../../cluster/types.js';
import type { NodeRuntime } from '../../runbook/node-runtime.js';
import type { RunContext } from '../../runbook/types.js';
import { explainEtcdError } from '../../errors/explain-etcd-error.js';
import type { OperationContext } from '../context.js';
import type { OperationRequest } from '../requests.js';
import type { VerifiedSnapshot } from './fresh-snapshot.js';

export type ServiceOpKind = 'restart' | 'rolling-restart' | 'restore' | 'rebootstrap' | 'member-replace' | 'quota';

/** An OperationRequest whose action is a service operation (OperationRequest once its action type includes ServiceOpKind). */
export type ServiceOperationRequest = Omit<OperationRequest, 'action'> & { action: ServiceOpKind };

export interface ServiceDeps {
  /** The inventory, settings, and each node's transport, paths and service manager. */
  run: RunContext;
  /** How long a restarted member gets to answer healthy again. */
  healthTimeoutMs: number;
  /** etcdutl on this machine (verifies snapshots before anything is stopped); looked up when first needed. */
  etcdutl(): SnapshotStatusReader;
}

export type ServiceOpsContext = OperationContext & ServiceDeps;

export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;

export function serviceDeps(run: RunContext, options: { healthTimeoutMs?: number } = {}): ServiceDeps {
  return {
    run,
    healthTimeoutMs: options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
    etcdutl: () => run.snapshotStatus,
  };
}

export function withDeps(ctx: OperationContext, deps: ServiceDeps): ServiceOpsContext {
  return { ...ctx, ...deps };
}

/**
 * A request's `work`: the deps joined to the context the runner gives. The
 * runner records only a one-line explanation of a failure, so a failure with
 * more to say (a log tail, where the old data dirs are) is logged in full first.
 */
export function serviceWork<T>(
  deps: ServiceDeps,
  fn: (ctx: ServiceOpsContext, prior?: { backup?: VerifiedSnapshot }) => Promise<T>,
): (ctx: OperationContext, prior?: { backup?: VerifiedSnapshot }) => Promise<T> {
  return async (base, prior) => {
    const ctx = withDeps(base, deps);
    try {
      return await fn(ctx, prior);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (explainEtcdError(err).message !== message) for (const line of message.split('\n')) ctx.log(line);
      throw err;
    }
  };
}

/** Refused before anything changed (bad input, quorum, an unverified snapshot): the CLI exits 2. */
export class ServiceOpRefused extends Error {
  override name = 'ServiceOpRefused';
}

/** The inventory node of a polled member: by name, else by client URL. */
export function nodeOf(run: RunContext, member: MemberState): NodeRuntime {
  const node = run.nodes.find((n) => n.spec.name === member.name) ?? run.nodes.find((n) => sameUrl(n.spec.clientUrl, member.endpoint));
  if (!node) throw new ServiceOpRefused(`member ${member.name} (${member.endpoint}) is not a node of the inventory: its service cannot be reached`);
  return node;
}

export function memberNamed(members: MemberState[], name: string): MemberState {
  const member = members.find((m) => m.name === name);
  if (!member) throw new ServiceOpRefused(`no member named "${name}" (members: ${members.map((m) => m.name).join(', ')})`);
  return member;
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
