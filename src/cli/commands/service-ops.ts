/**
 * `restart NAME | rolling-restart | restore FILE | rebootstrap | member
 * replace NAME | quota SIZE`: plan, confirm, run, audit, like the other
 * operations. They reach each node's etcd service, so they need an inventory
 * with a `runbook:` section. Exit 0 done, 1 failed or cancelled, 2 refused.
 */
import { resolve } from 'node:path';
import type { Inventory } from '../../core/inventory/types.js';
import type { Session } from '../session.js';
import { UsageError } from '../usage-error.js';
import { confirmInCli } from '../confirm.js';
import { operationContext } from '../operation-context.js';
import { AuditLog, defaultAuditLogPath } from '../../adapters/audit-log.js';
import { backupPolicyOf, snapshotDir } from './snapshot.js';
import { recordRefusal } from '../../core/operations/run-audited.js';
import { exitCodeOf, metaOf, readOnlyRefusal, runOperation, type OperationPorts } from '../../core/operations/run-operation.js';
import { closeRunContext, createRunContext } from '../../adapters/runbook/run-context.js';
import type { MemberState } from '../../core/cluster/types.js';
import {
  buildQuotaRequest,
  buildRebootstrapRequest,
  buildReplaceMemberRequest,
  buildRestartRequest,
  buildRestoreRequest,
  buildRollingRestartRequest,
  parseSize,
  serviceDeps,
  ServiceOpRefused,
  type ServiceDeps,
  type ServiceOpKind,
  type ServiceOperationRequest,
} from '../../core/operations/service/index.js';

export const SERVICE_COMMANDS = ['restart', 'rolling-restart', 'restore', 'rebootstrap', 'member', 'quota'] as const;
export type ServiceCommand = (typeof SERVICE_COMMANDS)[number];

export function isServiceCommand(command: string): command is ServiceCommand {
  return (SERVICE_COMMANDS as readonly string[]).includes(command);
}

export interface ServiceOpsOptions {
  command: string;
  /** Words after the command: `restart etcd-2`, `member replace etcd-2`, `quota 4GiB`. */
  args: string[];
  force: boolean;
  yes: boolean;
  readOnly: boolean;
  pauseMs: number;
  auditLog?: string;
  snapshotDir?: string;
  /** Operations that can lose data: how young a verified snapshot must be to count as the backup (default 1 h). */
  maxAgeMs?: number;
  /** Take a new backup snapshot even when a fresh one exists. */
  takeSnapshot?: boolean;
  /** How long a restarted member gets to serve again (default 60 s). */
  waitMs?: number;
}

type Parsed =
  | { kind: 'restart' | 'member-replace'; target: string; name: string }
  | { kind: 'rolling-restart' | 'rebootstrap'; target: 'cluster' }
  | { kind: 'restore'; target: 'cluster'; file: string }
  | { kind: 'quota'; target: 'cluster'; bytes: number };

/** The command words, checked before anything is contacted. Throws UsageError. */
export function parseServiceArgs(opts: Pick<ServiceOpsOptions, 'command' | 'args'>): Parsed {
  const [first, second, ...extra] = opts.args;
  const none = (n: number) => {
    const left = opts.args.slice(n);
    if (left.length > 0) throw new UsageError(`${opts.command}: unexpected argument "${left[0]}"`);
  };
  switch (opts.command) {
    case 'restart':
      if (!first) throw new UsageError('restart needs the name of the member to restart');
      none(1);
      return { kind: 'restart', target: first, name: first };
    case 'rolling-restart':
      none(0);
      return { kind: 'rolling-restart', target: 'cluster' };
    case 'restore':
      if (!first) throw new UsageError('restore needs the snapshot file');
      none(1);
      return { kind: 'restore', target: 'cluster', file: resolve(first) };
    case 'rebootstrap':
      none(0);
      return { kind: 'rebootstrap', target: 'cluster' };
    case 'member':
      if (first !== 'replace') throw new UsageError(`member takes replace NAME${first ? `, not "${first}"` : ''}`);
      if (!second) throw new UsageError('member replace needs the name of the member to replace');
      if (extra.length > 0) throw new UsageError(`member replace: unexpected argument "${extra[0]}"`);
      return { kind: 'member-replace', target: second, name: second };
    case 'quota': {
      if (!first) throw new UsageError('quota needs the new size, like 4GiB');
      none(1);
      try {
        return { kind: 'quota', target: 'cluster', bytes: parseSize(first) };
      } catch (err) {
        throw new UsageError(`quota: ${(err as Error).message}`);
      }
    }
    default:
      throw new UsageError(`${opts.command} is not a service operation`);
  }
}

export interface ServiceOpsIo {
  out(line: string): void;
}

const stdoutIo: ServiceOpsIo = { out: (line) => void process.stdout.write(line + '\n') };

export async function runServiceOpsCommand(
  session: Session,
  opts: ServiceOpsOptions,
  inventory: Inventory | undefined = session.plan.inventory,
  io: ServiceOpsIo = stdoutIo,
): Promise<number> {
  const parsed = parseServiceArgs(opts);
  if (!inventory?.runbook) {
    throw new UsageError(
      `${opts.command} needs an inventory with a runbook: section (-f cluster.yaml): it reaches each node's etcd service the way the runbook set it up`,
    );
  }
  const cluster = session.plan.clusterName;
  const ports: OperationPorts = {
    audit: new AuditLog(opts.auditLog ?? defaultAuditLogPath()),
    who: { cluster, etcdUser: session.plan.user },
    readOnly: opts.readOnly,
    confirm: (r) => confirmInCli({ summary: r.summary.join('\n'), typed: r.typed, yes: opts.yes }),
  };
  const first = { action: parsed.kind, target: parsed.target, params: {} };
  // Before any node is reached.
  const readOnly = readOnlyRefusal(first, ports);
  if (readOnly?.result === 'refused') throw new UsageError(readOnly.why);
  ports.backup = await backupPolicyOf(opts, cluster);
  const run = createRunContext({ inventory });
  try {
    const say = (line: string): void => io.out(run.secrets.redact(line));
    await session.poller.pollOnce();
    const ctx = operationContext(session, say, opts.pauseMs);
    const deps = serviceDeps(run, opts.waitMs === undefined ? {} : { healthTimeoutMs: opts.waitMs });
    let request: ServiceOperationRequest;
    try {
      request = await requestFor(parsed, { cluster, members: ctx.members(), deps, opts });
    } catch (err) {
      if (!(err instanceof ServiceOpRefused)) throw err;
      recordRefusal(ports.audit, metaOf(first, ports), 'refused', err.message);
      throw new UsageError(err.message);
    }
    const outcome = await runOperation(request, ctx, ports);
    if (outcome.result === 'refused' && !outcome.lockHeld) throw new UsageError(outcome.why);
    return exitCodeOf(outcome);
  } finally {
    await closeRunContext(run);
  }
}

function requestFor(
  parsed: Parsed,
  input: { cluster: string; members: MemberState[]; deps: ServiceDeps; opts: ServiceOpsOptions },
): Promise<ServiceOperationRequest> | ServiceOperationRequest {
  const { cluster, members, deps, opts } = input;
  const base = { cluster, members, force: opts.force };
  const kind: ServiceOpKind = parsed.kind;
  switch (parsed.kind) {
    case 'restart':
      return buildRestartRequest({ ...base, member: parsed.name }, deps);
    case 'member-replace':
      return buildReplaceMemberRequest({ ...base, member: parsed.name }, deps);
    case 'rolling-restart':
      return buildRollingRestartRequest({ ...base, pauseMs: opts.pauseMs }, deps);
    case 'restore':
      return buildRestoreRequest({ cluster, members, file: parsed.file }, deps);
    case 'rebootstrap':
      return buildRebootstrapRequest({ cluster, members, snapshotDir: snapshotDir(opts, cluster) }, deps);
    case 'quota':
      return buildQuotaRequest({ ...base, bytes: parsed.bytes }, deps);
    default:
      throw new UsageError(`${kind} is not a service operation`);
  }
}
