/**
 * `<snapshot>.cockpit.json`: written next to each snapshot the cockpit saved
 * and verified. It is what `snapshot prune` goes by: a file without one, or
 * whose size or SHA-256 trailer no longer match it, is never deleted.
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

export const SIDECAR_SUFFIX = '.cockpit.json';
const TRAILER = 32;

export interface SnapshotRecord {
  tool: 'etcd-cockpit';
  format: 1;
  /** The snapshot's file name (no folder: the pair can be moved together). */
  file: string;
  bytes: number;
  /** The 32-byte SHA-256 trailer in hex: ties this record to these exact bytes. */
  trailer: string;
  cluster: string;
  member: string;
  savedAt: string;
  revision: number;
  hash: string;
  totalKeys: number;
}

export function sidecarPath(file: string): string {
  return file + SIDECAR_SUFFIX;
}

export async function readTrailerHex(file: string, bytes: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const tail = Buffer.alloc(TRAILER);
    await fh.read(tail, 0, TRAILER, Math.max(0, bytes - TRAILER));
    return tail.toString('hex');
  } finally {
    await fh.close();
  }
}

export async function writeSidecar(file: string, record: SnapshotRecord): Promise<void> {
  const path = sidecarPath(file);
  const part = `${path}.part.${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(part, JSON.stringify(record, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await rename(part, path);
  } catch (err) {
    await unlink(part).catch(() => undefined);
    throw err;
  }
}

function isRecord(v: unknown): v is SnapshotRecord {
  const r = v as Partial<SnapshotRecord> | null;
  return (
    !!r &&
    r.tool === 'etcd-cockpit' &&
    r.format === 1 &&
    typeof r.file === 'string' &&
    Number.isSafeInteger(r.bytes) &&
    typeof r.trailer === 'string' &&
    /^[0-9a-f]{64}$/.test(r.trailer) &&
    typeof r.savedAt === 'string' &&
    Number.isFinite(Date.parse(r.savedAt))
  );
}

/** The record of `file` when there is one and it still describes the file's bytes (size and trailer); else undefined. */
export async function readMatchingSidecar(file: string, bytes: number): Promise<SnapshotRecord | undefined> {
  let parsed: unknown;
  try {
    const info = await lstat(sidecarPath(file));
    if (!info.isFile() || info.size > 64 * 1024) return undefined; // never block on a FIFO or read a huge file
    parsed = JSON.parse(await readFile(sidecarPath(file), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed.file !== basename(file) || parsed.bytes !== bytes) return undefined;
  const trailer = await readTrailerHex(file, bytes).catch(() => undefined);
  return trailer === parsed.trailer ? parsed : undefined;
}
