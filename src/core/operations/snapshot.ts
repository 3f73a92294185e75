import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { saveSnapshot } from '../../adapters/etcd/snapshot.js';
import { verifySnapshot, type SnapshotVerification } from '../snapshot/verify.js';
import type { MemberState } from '../cluster/types.js';
import { formatBytes } from '../format/bytes.js';
import type { OperationContext } from './context.js';

/** A follower that answers, else whatever answers: a snapshot streams the whole database, spare the leader. */
export function snapshotSource(members: MemberState[]): MemberState | undefined {
  const up = members.filter((m) => m.health === 'ok' || m.health === 'degraded');
  return up.find((m) => m.last && m.last.leaderId !== m.last.memberId) ?? up[0];
}

export function defaultSnapshotFile(dir: string, cluster: string, member: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return join(dir, `${cluster}-${member}-${stamp}.db`);
}

/** The numbers `etcdutl snapshot status` prints, in its words. */
export function describeSnapshot(v: SnapshotVerification): string {
  if (!v.ok) return `${v.file}: REFUSED: ${v.problem}`;
  return `${v.file} (${formatBytes(v.bytes)}): hash ${v.hash}, revision ${v.revision}, total keys ${v.totalKeys}, total size ${v.totalSize}`;
}

/**
 * Streams a snapshot from one member into `file` (atomically: temp file,
 * fsync, rename), then verifies it the way a restore will: SHA-256 trailer and
 * `etcdutl snapshot status`.
 */
export async function takeSnapshot(
  ctx: OperationContext,
  options: { member: MemberState; file: string; etcdutl: string },
): Promise<SnapshotVerification> {
  const { member, file } = options;
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  ctx.log(`${member.name}: streaming a snapshot to ${file}`);
  let nextReport = 0.25;
  const saved = await saveSnapshot(ctx.clientFor(member.endpoint), file, {
    onProgress: (bytes, total) => {
      if (!total || bytes / total < nextReport) return;
      ctx.log(`${member.name}: ${Math.floor((bytes / total) * 100)}% (${formatBytes(bytes)} of ${formatBytes(total)})`);
      nextReport = Math.floor((bytes / total) * 4) / 4 + 0.25;
    },
  });
  ctx.log(`${member.name}: saved ${formatBytes(saved.bytes)} in ${saved.ms} ms; verifying`);
  const verified = await verifySnapshot(file, options.etcdutl);
  ctx.log(describeSnapshot(verified));
  if (!verified.ok) throw new Error(`snapshot failed verification: ${verified.problem}`);
  return verified;
}
