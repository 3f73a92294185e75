/**
 * The verified snapshot taken before an operation that can lose data
 * (restore, re-bootstrap, member replace, quota, NOSPACE recovery): planned
 * before the confirmation, so the question names it, and carried out inside
 * the cluster lock before the first change. A failed snapshot changes nothing.
 */
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MemberState } from '../cluster/types.js';
import { formatBytes } from '../format/bytes.js';
import { formatAge } from '../format/time.js';
import { listSnapshots } from '../snapshot/catalog.js';
import { verifySnapshot, type SnapshotStatusReader } from '../snapshot/verify.js';
import type { OperationContext } from './context.js';
import { snapshotNow, type VerifiedSnapshot } from './service/fresh-snapshot.js';
import { isAnswering } from './service/live-members.js';
import { describeSnapshot, snapshotSource } from './snapshot.js';

/** `required`: no snapshot, no operation. `if-reachable`: a restore of a dead cluster goes on without one (it keeps the old data dirs). */
export type BackupNeed = 'required' | 'if-reachable';

export interface BackupPolicy {
  /** Where snapshots go, and where a fresh one is looked for. */
  dir: string;
  /** A verified snapshot the cockpit wrote within this long counts as the backup. */
  maxAgeMs: number;
  etcdutl: SnapshotStatusReader;
  /** --take-snapshot: a new one even when a fresh one exists. */
  alwaysTake?: boolean;
}

export type BackupPlan =
  | { kind: 'existing'; snapshot: VerifiedSnapshot; ageMs: number; revisionNow: number }
  | { kind: 'take'; dir: string; from: string }
  | { kind: 'none'; why: string };

export const DEFAULT_BACKUP_MAX_AGE_MS = 60 * 60_000;

/** What the confirmation says about the backup, and what the audit log records. */
export function backupLine(plan: BackupPlan, policy: BackupPolicy): string {
  switch (plan.kind) {
    case 'existing': {
      const since = plan.revisionNow - plan.snapshot.revision;
      const missing = since > 0 ? `; the ${since} revision${since === 1 ? '' : 's'} written since are not in it (--take-snapshot takes a new one)` : '';
      return `Backup: ${describeSnapshot(plan.snapshot)}, saved ${formatAge(plan.ageMs)} ago (younger than --max-age ${formatAge(policy.maxAgeMs)})${missing}.`;
    }
    case 'take':
      return `Backup first: a snapshot of ${plan.from} into ${plan.dir}, verified before anything changes; if it fails, nothing changes.`;
    case 'none':
      return `Backup: none, ${plan.why}.`;
  }
}

export function backupParam(plan: BackupPlan): string {
  return plan.kind === 'existing' ? plan.snapshot.file : plan.kind === 'take' ? `new in ${plan.dir}` : 'none';
}

/**
 * The newest snapshot the cockpit saved and verified for `cluster` within the
 * policy's age that still verifies; else a new one from a follower that
 * answers; else none (with why). `exclude`: the file a restore reads.
 */
export async function planBackup(
  need: BackupNeed,
  policy: BackupPolicy,
  input: { cluster: string; members: MemberState[]; exclude?: string; now?: number },
): Promise<BackupPlan> {
  const now = input.now ?? Date.now();
  if (!policy.alwaysTake) {
    const fresh = await freshRecordedSnapshot(policy, input.cluster, now, input.exclude);
    if (fresh) return { kind: 'existing', ...fresh, revisionNow: Math.max(0, ...input.members.map((m) => m.last?.revision ?? 0)) };
  }
  const source = snapshotSource(input.members);
  if (!source) {
    const why = 'no member answers, so the current data cannot be saved first';
    return { kind: 'none', why: need === 'if-reachable' ? `${why} (the old data dirs are kept aside)` : why };
  }
  const room = await roomFor(policy.dir, largestDb(input.members));
  if (room) return { kind: 'none', why: room };
  return { kind: 'take', dir: policy.dir, from: source.name };
}

/** Runs the plan inside the operation: the existing snapshot is verified again, or a new one is taken and verified. */
export async function carryOutBackup(ctx: OperationContext, plan: BackupPlan, policy: BackupPolicy, cluster: string): Promise<VerifiedSnapshot | undefined> {
  if (plan.kind === 'none') return undefined;
  let snapshot: VerifiedSnapshot;
  if (plan.kind === 'take') {
    snapshot = await snapshotNow(ctx, { cluster, dir: plan.dir, etcdutl: policy.etcdutl }).catch((err: unknown) => {
      throw new Error(`the backup snapshot failed (${err instanceof Error ? err.message : String(err)}): nothing was changed`);
    });
  } else {
    const again = await verifySnapshot(plan.snapshot.file, policy.etcdutl);
    if (!again.ok) throw new Error(`the backup ${plan.snapshot.file} no longer verifies (${again.problem}): nothing was changed`);
    snapshot = again;
  }
  ctx.log(`backup: ${describeSnapshot(snapshot)}`);
  return snapshot;
}

async function freshRecordedSnapshot(
  policy: BackupPolicy,
  cluster: string,
  now: number,
  exclude?: string,
): Promise<{ snapshot: VerifiedSnapshot; ageMs: number } | undefined> {
  const files = await listSnapshots(policy.dir).catch(() => []);
  for (const file of files) {
    if (now - file.mtimeMs > policy.maxAgeMs) break; // newest first: the rest are older still
    if (file.path === exclude || file.record?.cluster !== cluster) continue;
    const verified = await verifySnapshot(file.path, policy.etcdutl).catch(() => undefined);
    if (verified?.ok) return { snapshot: verified, ageMs: now - file.mtimeMs };
  }
  return undefined;
}

function largestDb(members: MemberState[]): number {
  return Math.max(0, ...members.filter(isAnswering).map((m) => m.last?.dbSize ?? 0));
}

/** Why `dir` (or the nearest folder above it that exists) cannot hold `bytes` more, or undefined. */
async function roomFor(dir: string, bytes: number): Promise<string | undefined> {
  for (let at = dir; ; at = dirname(at)) {
    const fs = await statfs(at).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ENOTDIR' ? undefined : null));
    if (fs === null) return undefined; // unreadable: the snapshot itself will say why
    if (fs) {
      const free = fs.bavail * fs.bsize;
      return free < bytes * 1.1 ? `${at} has ${formatBytes(free)} free and the snapshot needs about ${formatBytes(bytes)}` : undefined;
    }
    if (dirname(at) === at) return undefined;
  }
}
