/**
 * The one path of every mutating operation, from a TUI key, a `:` command or
 * a CLI verb: read-only guard -> backup plan (for what can lose data) ->
 * confirmation (dialog, prompt or --yes; the same summary, naming the backup)
 * -> cluster lock -> audit start and end -> the backup -> run with progress
 * lines. Callers only build the request and say how to confirm.
 */
import type { AuditSink } from '../ports/audit.js';
import { backupLine, backupParam, carryOutBackup, planBackup, type BackupPlan, type BackupPolicy } from './backup-first.js';
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
  /** Where the snapshot before a data-losing operation goes (requests with backupFirst are refused without it). */
  backup?: BackupPolicy;
}

export type OperationOutcome =
  | { result: 'done'; value: unknown }
  | { result: 'failed'; error: string }
  | { result: 'cancelled' }
  | { result: 'refused'; why: string; lockHeld?: boolean };

export async function runOperation(asked: OperationRequest, ctx: OperationContext, ports: OperationPorts): Promise<OperationOutcome> {
  const readOnly = readOnlyRefusal(asked, ports);
  if (readOnly) return readOnly;
  const planned = await withBackupPlan(asked, ctx, ports);
  if ('refused' in planned) {
    recordRefusal(ports.audit, metaOf(asked, ports), 'refused', planned.refused);
    return { result: 'refused', why: planned.refused };
  }
  const { request, backup } = planned;
  const meta = metaOf(request, ports);
  if (changesCluster(request.action) && !(await ports.confirm(request))) {
    recordRefusal(ports.audit, meta, 'cancelled', 'not confirmed', ctx.log);
    ctx.log(`${request.action} ${request.target}: cancelled, nothing was changed`);
    return { result: 'cancelled' };
  }
  const work = async () => {
    const snapshot = backup && ports.backup ? await carryOutBackup(ctx, backup, ports.backup, ports.who.cluster) : undefined;
    return request.work(ctx, snapshot ? { backup: snapshot } : {});
  };
  const outcome = await runAudited(ports.audit, meta, ctx.log, work, clusterLockFor(request.action, request.target, ctx));
  if (outcome.ok) return { result: 'done', value: outcome.value };
  return outcome.lockHeld ? { result: 'refused', why: outcome.error, lockHeld: true } : { result: 'failed', error: outcome.error };
}

/** The request with its backup named in the summary and the audit params, or why it cannot run. */
async function withBackupPlan(
  request: OperationRequest,
  ctx: OperationContext,
  ports: OperationPorts,
): Promise<{ request: OperationRequest; backup?: BackupPlan } | { refused: string }> {
  const first = request.backupFirst;
  if (!first) return { request };
  const what = `${request.action} can lose data, so it takes a verified snapshot first`;
  if (!ports.backup) return { refused: `refused: ${what}, and no snapshot folder is set: nothing was changed` };
  ctx.log(`${request.action}: looking for a verified snapshot younger than the limit in ${ports.backup.dir}`);
  const plan = await planBackup(first.need, ports.backup, { cluster: ports.who.cluster, members: ctx.members(), ...(first.exclude ? { exclude: first.exclude } : {}) });
  if (plan.kind === 'none' && first.need === 'required') return { refused: `refused: ${what}, and ${plan.why}: nothing was changed` };
  const [title, ...rest] = request.summary;
  return {
    request: { ...request, summary: [title ?? '', backupLine(plan, ports.backup), ...rest], params: { ...request.params, backup: backupParam(plan) } },
    backup: plan,
  };
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
