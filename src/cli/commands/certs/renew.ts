/**
 * `etcd-cockpit certs renew|rotate-ca -f cluster.yaml [--dry-run] [--yes]`:
 * plan, confirm, run under the cluster lock, audit, like the service
 * operations. Exit 0 done (or dry run printed), 1 failed or cancelled, 2
 * refused, 4 locked.
 */
import { AuditLog, defaultAuditLogPath } from '../../../adapters/audit-log.js';
import type { Inventory } from '../../../core/inventory/types.js';
import { buildRenewRequest } from '../../../core/operations/certs/renew.js';
import { buildRotateRequest } from '../../../core/operations/certs/rotate-ca.js';
import { clusterLockFor } from '../../../core/operations/cluster-lock.js';
import { recordRefusal, runAudited, type ActionMeta } from '../../../core/operations/run-audited.js';
import { serviceDeps, ServiceOpRefused } from '../../../core/operations/service/index.js';
import { closeRunContext, createRunContext } from '../../../adapters/runbook/run-context.js';
import { confirmInCli } from '../../confirm.js';
import { operationContext } from '../../operation-context.js';
import type { Session } from '../../session.js';
import { UsageError } from '../../usage-error.js';

export interface CertsChangeOptions {
  yes: boolean;
  dryRun: boolean;
  readOnly: boolean;
  pauseMs: number;
  auditLog?: string;
  waitMs?: number;
}

export type CertsChange = 'renew' | 'rotate-ca';

export function runCertsRenew(session: Session, opts: CertsChangeOptions, inventory?: Inventory, out?: (line: string) => void): Promise<number> {
  return runCertsChange('renew', session, opts, inventory, out);
}

export function runCertsRotateCa(session: Session, opts: CertsChangeOptions, inventory?: Inventory, out?: (line: string) => void): Promise<number> {
  return runCertsChange('rotate-ca', session, opts, inventory, out);
}

async function runCertsChange(
  change: CertsChange,
  session: Session,
  opts: CertsChangeOptions,
  inventory: Inventory | undefined = session.plan.inventory,
  out: (line: string) => void = (line) => void process.stdout.write(line + '\n'),
): Promise<number> {
  const name = `certs ${change}`;
  if (!inventory?.runbook) {
    throw new UsageError(`${name} needs an inventory with a runbook: section (-f cluster.yaml): it reissues what the runbook issued, from its CA`);
  }
  const cluster = session.plan.clusterName;
  const audit = new AuditLog(opts.auditLog ?? defaultAuditLogPath());
  const firstMeta: ActionMeta = { action: `certs-${change}`, target: 'cluster', params: {}, cluster, etcdUser: session.plan.user };
  if (opts.readOnly && !opts.dryRun) {
    recordRefusal(audit, firstMeta, 'refused', 'read-only mode');
    throw new UsageError(`refused: ${name} changes the cluster and --read-only is on`);
  }
  const run = createRunContext({ inventory });
  try {
    const say = (line: string): void => out(run.secrets.redact(line));
    await session.poller.pollOnce();
    const ctx = operationContext(session, say, opts.pauseMs);
    const deps = serviceDeps(run, opts.waitMs === undefined ? {} : { healthTimeoutMs: opts.waitMs });
    let request;
    try {
      const input = { cluster, members: ctx.members() };
      request = change === 'renew' ? await buildRenewRequest(input, deps) : await buildRotateRequest(input, deps);
    } catch (err) {
      if (!(err instanceof ServiceOpRefused)) throw err;
      if (!opts.dryRun) recordRefusal(audit, firstMeta, 'refused', err.message);
      throw new UsageError(err.message);
    }
    if (opts.dryRun) {
      say(`dry run: ${name} of ${cluster} would do, in this order:`);
      for (const line of request.lines) say(line);
      say('nothing was changed');
      return 0;
    }
    const meta: ActionMeta = { ...firstMeta, params: request.params };
    if (!(await confirmInCli({ summary: request.summary.join('\n'), yes: opts.yes }))) {
      recordRefusal(audit, meta, 'cancelled', 'not confirmed');
      say('cancelled: nothing was changed');
      return 1;
    }
    const outcome = await runAudited(audit, meta, say, () => request.work(ctx), clusterLockFor(request.action, request.target, ctx));
    if (!outcome.ok && !outcome.lockHeld) say(`run \`etcd-cockpit ${name}\` again to finish: it continues where this run stopped`);
    return outcome.ok ? 0 : outcome.lockHeld ? 4 : 1;
  } finally {
    await closeRunContext(run);
  }
}
