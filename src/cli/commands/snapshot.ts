import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CliOptions } from '../args.js';
import type { Session } from '../session.js';
import { UsageError } from '../usage-error.js';
import { operationContext } from '../operation-context.js';
import { trapInterrupts } from '../interrupt.js';
import { AuditLog, defaultAuditLogPath, stateDir } from '../../adapters/audit-log.js';
import { lightEtcdMember } from '../../adapters/etcd/etcd-member.js';
import { PollClient } from '../../adapters/etcd/light/poll-client.js';
import type { OperationContext } from '../../core/operations/context.js';
import { findEtcdBinaries, findEtcdBinariesAsync } from '../../adapters/local/etcd-binaries.js';
import { etcdutlStatusReader } from '../../adapters/local/etcdutl-status.js';
import { runAudited } from '../../core/operations/run-audited.js';
import { defaultSnapshotFile, describeSnapshot, snapshotSource, streamSnapshotTo, takeSnapshot } from '../../core/operations/snapshot.js';
import { verifySnapshot, type SnapshotStatusReader } from '../../core/snapshot/verify.js';
import { listSnapshots, snapshotAge, type SnapshotFile } from '../../core/snapshot/catalog.js';
import { SnapshotFileError } from '../../core/snapshot/file-shape.js';
import { checkSaveTarget, checkSnapshotFolder, typeableName } from '../../core/snapshot/target.js';
import { planPrune, removeRecordedSnapshot } from '../../core/snapshot/prune.js';
import { formatBytes } from '../../core/format/bytes.js';
import { formatAge } from '../../core/format/time.js';
import { DEFAULT_BACKUP_MAX_AGE_MS, type BackupPolicy } from '../../core/operations/backup-first.js';

/** Where snapshots of `cluster` go: --snapshot-dir, else one folder per cluster under the state dir (a name without spaces). */
export function snapshotDir(opts: Pick<CliOptions, 'snapshotDir'>, cluster: string): string {
  return opts.snapshotDir ?? join(snapshotRoot(), typeableName(cluster));
}

/** Where and how an operation that can lose data finds or takes its backup (--snapshot-dir, --max-age, --take-snapshot). */
export async function backupPolicyOf(opts: { snapshotDir?: string; maxAgeMs?: number; takeSnapshot?: boolean }, cluster: string): Promise<BackupPolicy> {
  if (opts.snapshotDir !== undefined) await asUsage(checkSnapshotFolder(opts.snapshotDir, `--snapshot-dir ${opts.snapshotDir}`));
  return {
    dir: snapshotDir(opts, cluster),
    maxAgeMs: opts.maxAgeMs ?? DEFAULT_BACKUP_MAX_AGE_MS,
    etcdutl: etcdutlStatusReader(() => findEtcdBinaries().etcdutl),
    alwaysTake: opts.takeSnapshot,
  };
}

function snapshotRoot(): string {
  return join(stateDir(), 'snapshots');
}

/** Our file checks speak the operator's words already: they become exit 2. */
async function asUsage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof SnapshotFileError) throw new UsageError(err.message);
    throw err;
  }
}

function noMoreWords(words: string[], from: number, usage: string): void {
  const extra = words[from];
  if (extra !== undefined) throw new UsageError(`snapshot ${usage}: unexpected argument "${extra}"`);
}

/** The folder `list` and `prune` look in, and whether the operator named it (then it must exist). */
function folderToRead(opts: CliOptions, arg: string | undefined): { dir: string; named: boolean; label: string } {
  if (arg !== undefined) return { dir: arg, named: true, label: arg };
  if (opts.snapshotDir !== undefined) return { dir: opts.snapshotDir, named: true, label: `--snapshot-dir ${opts.snapshotDir}` };
  return { dir: snapshotRoot(), named: false, label: snapshotRoot() };
}

function checkNotEmpty(opts: CliOptions): void {
  if (opts.snapshotDir === '') throw new UsageError('--snapshot-dir is empty: give a folder');
}

/** `snapshot verify FILE`, `snapshot list [DIR]` and `snapshot prune [DIR] --keep N` need no cluster. */
export async function runOfflineSnapshotCommand(opts: CliOptions): Promise<number> {
  const [sub, arg] = opts.args;
  checkNotEmpty(opts);
  if (sub === 'verify') {
    if (!arg) throw new UsageError('snapshot verify needs the snapshot file');
    noMoreWords(opts.args, 2, 'verify FILE');
    const verified = await asUsage(verifySnapshot(arg, etcdutlStatusReader(findEtcdBinaries().etcdutl)));
    process.stdout.write(describeSnapshot(verified) + '\n');
    return verified.ok ? 0 : 1;
  }
  if (sub === 'list') {
    noMoreWords(opts.args, 2, 'list [DIR]');
    const where = folderToRead(opts, arg);
    if (!where.named && !existsSync(where.dir)) {
      process.stdout.write(`no snapshots yet: ${where.dir} does not exist\n`);
      return 0;
    }
    await asUsage(checkSnapshotFolder(where.dir, where.label));
    const files = await asUsage(listSnapshots(where.dir, { subfolders: true, mustExist: true }));
    if (files.length === 0) process.stdout.write(`no snapshots in ${where.dir}\n`);
    const now = Date.now();
    for (const f of files) process.stdout.write(listLine(f, now) + '\n');
    return 0;
  }
  if (sub === 'prune') return runPrune(opts, arg);
  throw new UsageError(`snapshot takes save, verify, list or prune, not "${sub ?? ''}"`);
}

function listLine(f: SnapshotFile, now: number): string {
  const mark = f.record ? `  verified, revision ${f.record.revision}` : '';
  return `${snapshotAge(f, now).padStart(7)} old  ${formatBytes(f.bytes).padStart(8)}  ${f.path}${mark}`;
}

/**
 * `snapshot prune [DIR] --keep N [--max-age D] [--yes]`: a dry run unless
 * --yes. Only snapshots the cockpit saved and verified (a matching
 * `.cockpit.json` record) are ever deleted; other files are left alone.
 */
async function runPrune(opts: CliOptions, arg: string | undefined): Promise<number> {
  noMoreWords(opts.args, 2, 'prune [DIR]');
  if (opts.keep === undefined) throw new UsageError('snapshot prune needs --keep N (how many of the newest snapshots to keep)');
  if (opts.keep < 1) throw new UsageError('snapshot prune --keep must be at least 1: prune never deletes every snapshot');
  const where = folderToRead(opts, arg);
  if (!where.named && !existsSync(where.dir)) {
    process.stdout.write(`no snapshots yet: ${where.dir} does not exist\n`);
    return 0;
  }
  await asUsage(checkSnapshotFolder(where.dir, where.label));
  const files = await asUsage(listSnapshots(where.dir, { subfolders: true, mustExist: true }));
  const now = Date.now();
  const plan = planPrune(files, { keep: opts.keep, ...(opts.maxAgeMs === undefined ? {} : { maxAgeMs: opts.maxAgeMs }) }, now);
  const line = (verb: string, f: SnapshotFile) => `${verb.padEnd(12)} ${snapshotAge(f, now).padStart(7)} old  ${formatBytes(f.bytes).padStart(8)}  ${f.path}`;
  for (const f of plan.keep) process.stdout.write(line('keep', f) + '\n');
  const rule = `the newest ${opts.keep}${opts.maxAgeMs === undefined ? '' : ` and all younger than ${formatAge(opts.maxAgeMs)}`}`;
  const others = `${plan.ignored.length} file(s) not saved and verified by the cockpit left alone`;
  if (!opts.yes) {
    for (const f of plan.remove) process.stdout.write(line('would delete', f) + '\n');
    process.stdout.write(`dry run: would delete ${plan.remove.length}, keep ${plan.keep.length} (${rule}); ${others}; add --yes to delete\n`);
    return 0;
  }
  let failed = 0;
  let deleted = 0;
  for (const f of plan.remove) {
    const gone = await removeRecordedSnapshot(f).catch((err: Error) => {
      process.stderr.write(`etcd-cockpit: could not delete ${f.path}: ${err.message}\n`);
      failed++;
      return undefined;
    });
    if (gone === false) process.stdout.write(line('left alone', f) + ' (changed since it was listed)\n');
    if (gone) {
      deleted++;
      process.stdout.write(line('deleted', f) + '\n');
    }
  }
  process.stdout.write(`deleted ${deleted}, kept ${plan.keep.length} (${rule}); ${others}\n`);
  return failed > 0 ? 1 : 0;
}

/** What `snapshot save` checks before contacting the cluster: its words, the target file or folder. */
async function checkSaveInput(opts: CliOptions): Promise<void> {
  checkNotEmpty(opts);
  noMoreWords(opts.args, 2, 'save [FILE|-]');
  const file = opts.args[1];
  if (file === '') throw new UsageError('snapshot save: the file name is empty');
  if (file === '-') {
    if (process.stdout.isTTY) throw new UsageError('refusing to write a snapshot to a terminal: redirect stdout (snapshot save - > FILE, or | ssh HOST ...)');
    return;
  }
  if (file !== undefined) return asUsage(checkSaveTarget(file, { force: opts.force }));
  if (opts.snapshotDir !== undefined) return asUsage(checkSnapshotFolder(opts.snapshotDir, `--snapshot-dir ${opts.snapshotDir}`));
}

/**
 * `snapshot save [FILE|-] [--member NAME] [--force]`: from a follower by
 * default. A file is verified before it takes its name; `-` streams to
 * stdout with progress on stderr.
 */
export async function runSnapshotSave(session: Session, opts: CliOptions): Promise<number> {
  await checkSaveInput(opts);
  const toStdout = opts.args[1] === '-';
  const out = toStdout ? process.stderr : process.stdout;
  // Progress is for whoever reads it: a reader gone (`| head -1`) must not kill the save and leave its part file.
  out.on('error', () => undefined);
  const say = (line: string): void => void out.write(line + '\n');
  const named = opts.member === undefined ? undefined : session.plan.members.find((m) => m.name === opts.member);
  const light = named ? new PollClient(named.endpoint, session.clientOptions(named.endpoint), { bulk: true }) : undefined;
  try {
    return await saveFrom(session, opts, light ? namedOnly(session, light, say) : await polledAll(session, say), say);
  } finally {
    light?.close();
  }
}

/** Every member polled: the follower to spare the leader, or a member only the member list names. */
async function polledAll(session: Session, say: (line: string) => void): Promise<OperationContext> {
  await session.poller.pollOnce();
  return operationContext(session, say, 0);
}

/**
 * A member the inventory or the endpoints name: asked for its snapshot at
 * once. No poll of every member, not even a probe of this one: the stream
 * itself says in the same words when the member does not answer.
 */
function namedOnly(session: Session, light: PollClient, say: (line: string) => void): OperationContext {
  const ctx = operationContext(session, say, 0);
  const member = lightEtcdMember(light, session.clientOptions(light.endpoint));
  return { ...ctx, clientFor: (endpoint) => (endpoint === light.endpoint ? member : ctx.clientFor(endpoint)) };
}

/**
 * etcdutl is looked up (`etcd --version`) when the first bytes arrive
 * (prepare), without blocking: the stream goes on meanwhile. A failed lookup
 * is said when the snapshot is read.
 */
function etcdutlFoundWhileStreaming(): SnapshotStatusReader {
  let path: Promise<string> | undefined;
  const lookUp = (): Promise<string> => {
    if (!path) {
      path = findEtcdBinariesAsync().then((b) => b.etcdutl);
      path.catch(() => undefined);
    }
    return path;
  };
  const reader: SnapshotStatusReader = async (file, options) => etcdutlStatusReader(await lookUp())(file, options);
  reader.prepare = () => void lookUp();
  return reader;
}

async function saveFrom(session: Session, opts: CliOptions, ctx: OperationContext, say: (line: string) => void): Promise<number> {
  const toStdout = opts.args[1] === '-';
  const members = ctx.members();
  const member = opts.member ? members.find((m) => m.name === opts.member) : snapshotSource(members);
  if (!member) throw new UsageError(opts.member ? `no member named "${opts.member}"` : 'no member is answering');
  const cluster = session.plan.clusterName;
  const file = opts.args[1] ?? defaultSnapshotFile(snapshotDir(opts, cluster), cluster, member.name);
  if (!toStdout) await asUsage(checkSaveTarget(file, { force: opts.force }));
  const audit = new AuditLog(opts.auditLog ?? defaultAuditLogPath());
  const meta = { action: 'snapshot', target: member.name, params: { file }, cluster, etcdUser: session.plan.user };
  const interrupts = trapInterrupts();
  const { signal } = interrupts;
  if (toStdout) process.stdout.on('error', () => undefined); // EPIPE is reported by the stream, not as a crash
  try {
    const work: () => Promise<unknown> = toStdout
      ? () => streamSnapshotTo(ctx, { member, out: process.stdout, signal })
      : () => takeSnapshot(ctx, { member, file, etcdutl: etcdutlFoundWhileStreaming(), cluster, force: opts.force, signal });
    const outcome = await runAudited(audit, meta, say, work);
    return outcome.ok ? 0 : 1;
  } finally {
    interrupts.release();
  }
}
