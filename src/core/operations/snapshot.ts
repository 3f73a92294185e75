import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { SnapshotError, type SnapshotStreamed } from '../ports/snapshot-stream.js';
import { verifyStreamedSnapshot, type SnapshotStatusReader, type SnapshotVerification } from '../snapshot/verify.js';
import { SnapshotFileError } from '../snapshot/file-shape.js';
import { readTrailerHex, sidecarPath, writeSidecar } from '../snapshot/sidecar.js';
import { checkSaveTarget, typeableName } from '../snapshot/target.js';
import type { MemberState } from '../cluster/types.js';
import { formatBytes } from '../format/bytes.js';
import type { OperationContext } from './context.js';

type Verified = Extract<SnapshotVerification, { ok: true }>;

/** A follower that answers, else whatever answers: a snapshot streams the whole database, spare the leader. */
export function snapshotSource(members: MemberState[]): MemberState | undefined {
  const up = members.filter((m) => m.health === 'ok' || m.health === 'degraded');
  return up.find((m) => m.last && m.last.leaderId !== m.last.memberId) ?? up[0];
}

/** `<cluster>-<member>-<YYYYMMDD-HHMMSSZ>.db`, with names reduced to characters an operator can type (a derived "10.0.0.1 +2" has a space). */
export function defaultSnapshotFile(dir: string, cluster: string, member: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return join(dir, `${typeableName(cluster)}-${typeableName(member, 'member')}-${stamp}.db`);
}

/** The numbers `etcdutl snapshot status` prints, in its words. */
export function describeSnapshot(v: SnapshotVerification): string {
  if (!v.ok) return `${v.file}: REFUSED: ${v.problem}`;
  return `${v.file} (${formatBytes(v.bytes)}): hash ${v.hash}, revision ${v.revision}, total keys ${v.totalKeys}, total size ${v.totalSize}`;
}

export interface TakeSnapshotOptions {
  member: MemberState;
  file: string;
  etcdutl: SnapshotStatusReader;
  /** Recorded next to the snapshot (what `snapshot prune` goes by). */
  cluster?: string;
  /** Overwrite an existing regular file that is not an etcd snapshot. */
  force?: boolean;
  /** An interrupt: the stream or the verification stops, the part file goes, `file` is untouched. */
  signal?: AbortSignal;
}

/**
 * A line at each quarter, once the stream has run a second: a snapshot that
 * arrives sooner needs none ("99% (20.5 kB of 20.5 kB)" said nothing), and
 * the last quarter is said by the line that follows ("received; verifying").
 */
function progressLogger(ctx: OperationContext, name: string, now: () => number = Date.now): (bytes: number, total?: number) => void {
  const started = now();
  let nextReport = 0.25;
  return (bytes, total) => {
    if (!total || bytes >= total || bytes / total < nextReport) return;
    nextReport = Math.floor((bytes / total) * 4) / 4 + 0.25;
    if (now() - started < 1000) return;
    ctx.log(`${name}: ${Math.floor((bytes / total) * 100)}% (${formatBytes(bytes)} of ${formatBytes(total)})`);
  };
}

/**
 * Streams a snapshot from one member into `<file>.part.<random>`, verifies
 * that part file the way a restore will (SHA-256 trailer, checked as the
 * bytes pass, bbolt header and `etcdutl snapshot status`), and only then
 * renames it onto `file`: an interrupt at
 * any point leaves no part file and no unverified `file`. Records
 * `<file>.cockpit.json` last.
 */
export async function takeSnapshot(ctx: OperationContext, options: TakeSnapshotOptions): Promise<Verified> {
  const { member, file, signal } = options;
  const force = options.force ?? false;
  await checkSaveTarget(file, { force });
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  ctx.log(`${member.name}: streaming a snapshot to ${file}`);
  let verified: Verified | undefined;
  const logProgress = progressLogger(ctx, member.name);
  let etcdutlFound = false;
  const saving = ctx.clientFor(member.endpoint).saveSnapshot(file, {
    onProgress: (bytes, total) => {
      if (!etcdutlFound) {
        etcdutlFound = true;
        options.etcdutl.prepare?.(); // while the member sends, not after the last byte
      }
      logProgress(bytes, total);
    },
    ...(signal ? { signal } : {}),
    beforeRename: async (part, streamed) => {
      ctx.log(`${member.name}: received; verifying before it takes the name ${basename(file)}`);
      const trailer = { status: streamed.sha256Trailer, bytes: streamed.bytes };
      const v = await verifyStreamedSnapshot(part, trailer, options.etcdutl, signal ? { signal } : {}).catch((err: unknown) => {
        if (err instanceof SnapshotFileError) throw new SnapshotError(`snapshot failed verification: ${err.message}`, 'error');
        throw err;
      });
      if (!v.ok) throw new SnapshotError(`snapshot failed verification: ${v.problem}`, 'error');
      await checkSaveTarget(file, { force }); // nothing put a device or FIFO there meanwhile
      verified = { ...v, file };
    },
  });
  const saved = await saving.catch((err: unknown) => {
    if (err instanceof Error) err.message += `; ${file} was not written (the partial download is removed)`;
    throw err;
  });
  if (!verified) throw new Error('snapshot was renamed without a verification'); // cannot happen: beforeRename ran
  ctx.log(`${member.name}: saved ${formatBytes(saved.bytes)} in ${saved.ms} ms, verified`);
  ctx.log(describeSnapshot(verified));
  await recordSnapshot(file, verified, options.cluster ?? '', member.name).catch((err: Error) =>
    ctx.log(`warning: could not write ${sidecarPath(file)} (${err.message}): snapshot prune will leave this snapshot alone`),
  );
  return verified;
}

async function recordSnapshot(file: string, v: Verified, cluster: string, member: string): Promise<void> {
  await writeSidecar(file, {
    tool: 'etcd-cockpit',
    format: 1,
    file: basename(file),
    bytes: v.bytes,
    trailer: await readTrailerHex(file, v.bytes),
    cluster,
    member,
    savedAt: new Date().toISOString(),
    revision: v.revision,
    hash: v.hash,
    totalKeys: v.totalKeys,
  });
}

/**
 * `snapshot save -`: the bytes go to `out` as they arrive, so nothing can be
 * verified before the reader uses them. What it guarantees instead: the
 * SHA-256 trailer is checked as the bytes pass, and it rejects (exit 1) when
 * the stream was cut short, corrupted, stalled or interrupted.
 */
export async function streamSnapshotTo(
  ctx: OperationContext,
  options: { member: MemberState; out: Writable; signal?: AbortSignal },
): Promise<SnapshotStreamed> {
  const { member, out } = options;
  let written = 0;
  let readerGone: Error | undefined;
  const onError = (err: Error) => (readerGone ??= err);
  out.on('error', onError);
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (readerGone) return reject(closedBy(readerGone, written));
      out.write(chunk, (err) => {
        if (err) return reject(closedBy(err, written));
        written += chunk.length;
        resolve();
      });
    });
  ctx.log(`${member.name}: streaming a snapshot to stdout`);
  try {
    const streamed = await ctx.clientFor(member.endpoint).streamSnapshot(write, {
      onProgress: progressLogger(ctx, member.name),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    ctx.log(`${member.name}: streamed ${formatBytes(streamed.bytes)} in ${streamed.ms} ms; SHA-256 trailer ${streamed.sha256Trailer}`);
    return streamed;
  } finally {
    out.off('error', onError);
  }
}

function closedBy(err: Error, written: number): SnapshotError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'EPIPE' ? 'the reader of stdout went away' : `writing to stdout failed (${code ?? err.message})`;
  return new SnapshotError(`${why} after ${formatBytes(written)}: what it received is not a whole snapshot`, 'error');
}
