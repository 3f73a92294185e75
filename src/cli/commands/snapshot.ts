import { join } from 'node:path';
import type { CliOptions } from '../args.js';
import type { Session } from '../session.js';
import { UsageError } from '../usage-error.js';
import { operationContext } from '../operation-context.js';
import { AuditLog, defaultAuditLogPath, stateDir } from '../../adapters/audit-log.js';
import { findEtcdBinaries } from '../../adapters/local/etcd-binaries.js';
import { runAudited } from '../../core/operations/run-audited.js';
import { defaultSnapshotFile, describeSnapshot, snapshotSource, takeSnapshot } from '../../core/operations/snapshot.js';
import { verifySnapshot } from '../../core/snapshot/verify.js';
import { listSnapshots, snapshotAge } from '../../core/snapshot/catalog.js';
import { formatBytes } from '../../core/format/bytes.js';

export function snapshotDir(opts: CliOptions, cluster: string): string {
  return opts.snapshotDir ?? join(stateDir(), 'snapshots', cluster);
}

/** `snapshot verify FILE` and `snapshot list [DIR]` need no cluster. */
export async function runOfflineSnapshotCommand(opts: CliOptions): Promise<number> {
  const [sub, arg] = opts.args;
  if (sub === 'verify') {
    if (!arg) throw new UsageError('snapshot verify needs the snapshot file');
    const verified = await verifySnapshot(arg, findEtcdBinaries().etcdutl).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(err.code === 'ENOENT' ? `no such file: ${arg}` : err.message);
    });
    process.stdout.write(describeSnapshot(verified) + '\n');
    return verified.ok ? 0 : 1;
  }
  if (sub === 'list') {
    const dir = arg ?? opts.snapshotDir ?? join(stateDir(), 'snapshots');
    const files = await listSnapshots(dir);
    if (files.length === 0) process.stdout.write(`no snapshots in ${dir}\n`);
    for (const f of files) process.stdout.write(`${snapshotAge(f, Date.now()).padStart(7)} old  ${formatBytes(f.bytes).padStart(8)}  ${f.path}\n`);
    return 0;
  }
  throw new UsageError(`snapshot takes save, verify or list, not "${sub ?? ''}"`);
}

/** `snapshot save [FILE] [--member NAME]`: from a follower by default; verified before it counts. */
export async function runSnapshotSave(session: Session, opts: CliOptions): Promise<number> {
  await session.poller.pollOnce();
  const say = (line: string): void => void process.stdout.write(line + '\n');
  const ctx = operationContext(session, say, 0);
  const members = ctx.members();
  const member = opts.member ? members.find((m) => m.name === opts.member) : snapshotSource(members);
  if (!member) throw new UsageError(opts.member ? `no member named "${opts.member}"` : 'no member is answering');
  const cluster = session.plan.clusterName;
  const file = opts.args[1] ?? defaultSnapshotFile(snapshotDir(opts, cluster), cluster, member.name);
  const etcdutl = findEtcdBinaries().etcdutl;
  const audit = new AuditLog(opts.auditLog ?? defaultAuditLogPath());
  const meta = { action: 'snapshot', target: member.name, params: { file }, cluster, etcdUser: session.plan.user };
  const outcome = await runAudited(audit, meta, say, () => takeSnapshot(ctx, { member, file, etcdutl }));
  return outcome.ok ? 0 : 1;
}
