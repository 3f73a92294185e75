import { listSnapshots } from '../../snapshot/catalog.js';
import { verifySnapshot, type SnapshotStatusReader, type SnapshotVerification } from '../../snapshot/verify.js';
import type { OperationContext } from '../context.js';
import { defaultSnapshotFile, snapshotSource, takeSnapshot } from '../snapshot.js';
import { liveMembers } from './live-members.js';

export type VerifiedSnapshot = Extract<SnapshotVerification, { ok: true }>;

/** The newest snapshot in `dir` written within `maxAgeMs` that passes verification, or undefined. */
export async function findFreshSnapshot(dir: string, etcdutl: SnapshotStatusReader, maxAgeMs: number, now = Date.now()): Promise<VerifiedSnapshot | undefined> {
  for (const file of await listSnapshots(dir)) {
    if (now - file.mtimeMs > maxAgeMs) break; // newest first: the rest are older still
    const verified = await verifySnapshot(file.path, etcdutl).catch(() => undefined);
    if (verified?.ok) return verified;
  }
  return undefined;
}

/** Takes a snapshot now (from a follower that answers) into `dir` and verifies it. */
export async function snapshotNow(ctx: OperationContext, options: { cluster: string; dir: string; etcdutl: SnapshotStatusReader }): Promise<VerifiedSnapshot> {
  const member = snapshotSource(await liveMembers(ctx));
  if (!member) throw new Error('no member answers: no snapshot can be taken');
  const file = defaultSnapshotFile(options.dir, options.cluster, member.name);
  const verified = await takeSnapshot(ctx, { member, file, etcdutl: options.etcdutl, cluster: options.cluster });
  if (!verified.ok) throw new Error(`snapshot failed verification: ${verified.problem}`);
  return verified;
}
