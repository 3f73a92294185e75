/**
 * The one path of every mutating operation, from a TUI key, a `:` command or
 * a CLI verb: read-only guard -> confirmation (dialog, prompt or --yes; the
 * same summary) -> cluster lock -> audit start and end -> run with progress
 * lines. Callers only build the request and say how to confirm.
 */
import type { AuditSink } from '../ports/audit.js';
import { clusterLockFor } from './cluster-lock.js';
import type { OperationContext } from './context.js';
import { changesCluster, type OperationRequest } from './requests.js';
import { recordRefusal, runAudited, type ActionMeta } from './run-audited.js';

export interface OperationPorts {
  audit: AuditSink;
  who: { cluster: string; etcdUser?: string };
  /** Refuses everything that changes the cluster (snapshots change nothing in etcd). */
  readOnly: boolean;
  /** Shows request.summary and waits for yes (with request.typed typed, when set). */
  confirm(request: OperationRequest): Promise<boolean>;
}

export type OperationOutcome =
  | { result: 'done'; value: unknown }
  | { result: 'failed'; error: string }
  | { result: 'cancelled' }
  | { result: 'refused'; why: string; lockHeld?: boolean };

export async function runOperation(request: OperationRequest, ctx: OperationContext, ports: OperationPorts): Promise<OperationOutcome> {
  const meta = metaOf(request, ports);
  const readOnly = readOnlyRefusal(request, ports);
  if (readOnly) return readOnly;
  if (changesCluster(request.action) && !(await ports.confirm(request))) {
    recordRefusal(ports.audit, meta, 'cancelled', 'not confirmed', ctx.log);
    ctx.log(`${request.action} ${request.target}: cancelled, nothing was changed`);
    return { result: 'cancelled' };
  }
  const outcome = await runAudited(ports.audit, meta, ctx.log, () => request.work(ctx), clusterLockFor(request.action, request.target, ctx));
  if (outcome.ok) return { result: 'done', value: outcome.value };
  return outcome.lockHeld ? { result: 'refused', why: outcome.error, lockHeld: true } : { result: 'failed', error: outcome.error };
}

/** Read-only mode refuses (and records) an action that changes the cluster; callers that reach nodes ask this first. */
export function readOnlyRefusal(request: Pick<OperationRequest, 'action' | 'target' | 'params'>, ports: OperationPorts): OperationOutcome | undefined {
  if (!ports.readOnly || !changesCluster(request.action)) return undefined;
  recordRefusal(ports.audit, metaOf(request, ports), 'refused', 'read-only mode');
  return { result: 'refused', why: `refused: ${request.action} changes the cluster and --read-only is on` };
}

/** The CLI's exit code for an outcome: 0 done, 1 failed or cancelled, 2 refused, 4 another operation holds the cluster. */
export function exitCodeOf(outcome: OperationOutcome): number {
  switch (outcome.result) {
    case 'done':
      return 0;
    case 'failed':
    case 'cancelled':
      return 1;
    case 'refused':
      return outcome.lockHeld ? 4 : 2;
  }
}

export function metaOf(request: Pick<OperationRequest, 'action' | 'target' | 'params'>, ports: Pick<OperationPorts, 'who'>): ActionMeta {
  return { action: request.action, target: request.target, params: request.params, ...ports.who };
}
