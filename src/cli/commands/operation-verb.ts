/**
 * Every operation verb of the catalogue (defrag, compact, move-leader, alarm
 * disarm, nospace-recover, restart, rolling-restart, member replace, restore,
 * rebootstrap, quota, certs renew, certs rotate-ca): words checked, plan,
 * confirm, lock, audit, run, like the TUI's keys. Exit 0 done (or a dry run
 * printed), 1 failed or cancelled, 2 refused, 4 another operation holds the
 * cluster lock.
 */
import type { CliOptions } from '../args.js';
import type { Inventory } from '../../core/inventory/types.js';
import type { Session } from '../session.js';
import type { PlanInput } from '../../core/operations/catalogue.js';
import type { OperationRequest } from '../../core/operations/requests.js';
import { UsageError } from '../usage-error.js';
import { confirmInCli } from '../confirm.js';
import { parseVerb } from '../verb-words.js';
import { quorumLostReason } from '../../state/quorum-lost.js';
import { operationContext } from '../operation-context.js';
import { backupPolicyOf, snapshotDir } from './snapshot.js';
import { afterDefrag, quietAutoDefrag } from './defrag-report.js';
import { AuditLog, defaultAuditLogPath } from '../../adapters/audit-log.js';
import { recordRefusal } from '../../core/operations/run-audited.js';
import { exitCodeOf, metaOf, readOnlyRefusal, runOperation, type OperationPorts } from '../../core/operations/run-operation.js';
import { ServiceOpRefused, serviceDeps, type ServiceDeps } from '../../core/operations/service/context.js';

export type VerbOptions = Pick<CliOptions, 'command' | 'args' | 'force' | 'yes' | 'readOnly' | 'pauseMs'> &
  Partial<Pick<CliOptions, 'member' | 'auditLog' | 'snapshotDir' | 'maxAgeMs' | 'takeSnapshot' | 'waitMs' | 'dryRun' | 'keep' | 'autoDefrag' | 'output'>>;

export async function runOperationVerb(
  session: Session,
  opts: VerbOptions,
  inventory: Inventory | undefined = session.plan.inventory,
  out: (line: string) => void = (line) => void process.stdout.write(line + '\n'),
): Promise<number> {
  const { entry, member, arg } = parseVerb(opts);
  const name = entry.cli!.words.join(' ');
  if (entry.needsInventory && !inventory?.runbook) {
    throw new UsageError(`${name} needs an inventory with a runbook: section (-f cluster.yaml): ${entry.needsInventory}`);
  }
  const dryRun = Boolean(opts.dryRun && entry.dryRun);
  const cluster = session.plan.clusterName;
  // With -o json, stdout holds the defrag report alone; what happens along the way goes to stderr.
  const progressOut = opts.command === 'defrag' && opts.output === 'json' ? (line: string) => void process.stderr.write(line + '\n') : out;
  const ports: OperationPorts = {
    audit: new AuditLog(opts.auditLog ?? defaultAuditLogPath()),
    who: { cluster, etcdUser: session.plan.user },
    readOnly: opts.readOnly,
    confirm: (r) => confirmInCli({ summary: [...r.summary, ...forceHint(r)].join('\n'), typed: r.typed, yes: opts.yes }),
  };
  const first = { action: entry.action, target: member ?? 'cluster', params: {} };
  // Before any node is reached.
  const readOnly = dryRun ? undefined : readOnlyRefusal(first, ports);
  if (readOnly?.result === 'refused') throw new UsageError(readOnly.why);
  ports.backup = await backupPolicyOf(opts, cluster);

  const run = entry.needsInventory ? await openRun(inventory!) : undefined;
  try {
    const say = (line: string): void => progressOut(run ? run.redact(line) : line);
    // Quorum is called lost only on a second failed poll: one late answer must not refuse an operation.
    await (entry.needsQuorum ? session.poller.pollSettled() : session.poller.pollOnce());
    const ctx = operationContext(session, say, opts.pauseMs);
    const input: PlanInput = {
      cluster,
      members: ctx.members(),
      member,
      arg,
      force: opts.force,
      pauseMs: opts.pauseMs,
      keep: opts.keep,
      autoDefrag: opts.autoDefrag,
      snapshotDir: snapshotDir(opts, cluster),
      etcdutl: ports.backup.etcdutl,
      service: run?.deps(opts.waitMs),
    };
    const lost = entry.needsQuorum && !opts.force ? quorumLostReason(session.store.getState()) : undefined;
    if (lost) {
      const why = `refused: ${name} needs quorum and ${lost}: nothing was changed (--force tries anyway)`;
      recordRefusal(ports.audit, metaOf(first, ports), 'refused', why);
      throw new UsageError(why);
    }
    if (entry.id === 'defrag-cluster' && opts.autoDefrag) {
      const quiet = quietAutoDefrag(session, opts, input.members, say);
      if (quiet !== undefined) return quiet;
    }
    let request: OperationRequest;
    try {
      request = await entry.plan(input);
    } catch (err) {
      if (!(err instanceof ServiceOpRefused)) throw err;
      if (!dryRun) recordRefusal(ports.audit, metaOf(first, ports), 'refused', err.message);
      throw new UsageError(err.message);
    }
    if (dryRun) {
      say(`dry run: ${name} of ${cluster} would do, in this order:`);
      for (const line of request.lines ?? request.summary) say(line);
      say('nothing was changed');
      return 0;
    }
    const outcome = await runOperation(request, ctx, ports);
    if (outcome.result === 'refused' && !outcome.lockHeld) throw new UsageError(outcome.why);
    if (outcome.result !== 'done') return exitCodeOf(outcome);
    return entry.id.startsWith('defrag') ? afterDefrag(session, opts, outcome.value) : 0;
  } finally {
    await run?.close();
  }
}

/** A defrag that skips members with little to gain says how to include them. */
function forceHint(request: OperationRequest): string[] {
  return request.summary.some((l) => l.includes('little to gain')) ? ['(--force defragments those anyway)'] : [];
}

interface NodesRun {
  deps(waitMs: number | undefined): ServiceDeps;
  redact(line: string): string;
  close(): Promise<void>;
}

/** The inventory's nodes (SSH or local), loaded only for operations that reach them. */
async function openRun(inventory: Inventory): Promise<NodesRun> {
  const { createRunContext, closeRunContext } = await import('../../adapters/runbook/run-context.js');
  const run = createRunContext({ inventory });
  return {
    deps: (waitMs) => serviceDeps(run, waitMs === undefined ? {} : { healthTimeoutMs: waitMs }),
    redact: (line) => run.secrets.redact(line),
    close: () => closeRunContext(run),
  };
}
