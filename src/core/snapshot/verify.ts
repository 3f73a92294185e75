import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { inspectSnapshotFile } from './file-shape.js';

/**
 * An etcd snapshot is the member's bbolt file followed by a 32-byte SHA-256
 * of that file. etcd tells the two apart by size: bbolt files are whole
 * pages, so `size % 512 === 32` means "has a trailer" and `=== 0` means a raw
 * db copy (restorable only with --skip-hash-check). Any other size is cut off.
 */
export type TrailerStatus = 'ok' | 'missing' | 'mismatch';

const TRAILER = 32;
const SECTOR = 512;

export interface TrailerCheck {
  status: TrailerStatus;
  bytes: number;
}

/** Incremental trailer check: feed every byte in order, then `finish()`. Holds at most 32 bytes back. */
export class TrailerHasher {
  private readonly hash: Hash = createHash('sha256');
  private tail: Buffer = Buffer.alloc(0);
  private bytes = 0;

  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (chunk.length >= TRAILER) {
      this.hash.update(this.tail);
      this.hash.update(chunk.subarray(0, chunk.length - TRAILER));
      this.tail = Buffer.from(chunk.subarray(chunk.length - TRAILER));
    } else {
      const joined = Buffer.concat([this.tail, chunk]);
      const spill = Math.max(0, joined.length - TRAILER);
      this.hash.update(joined.subarray(0, spill));
      this.tail = joined.subarray(spill);
    }
  }

  finish(): TrailerCheck {
    const { bytes } = this;
    if (bytes > 0 && bytes % SECTOR === 0) return { status: 'missing', bytes };
    if (bytes % SECTOR !== TRAILER) return { status: bytes === 0 ? 'missing' : 'mismatch', bytes };
    const matches = timingSafeEqual(this.hash.digest(), this.tail);
    return { status: matches ? 'ok' : 'mismatch', bytes };
  }
}

/** True when the size cannot be whole pages with or without a trailer: the file was cut off. */
export function isTruncatedSize(bytes: number): boolean {
  return bytes % SECTOR !== 0 && bytes % SECTOR !== TRAILER;
}

/** Streams the file through a TrailerHasher (never the whole file in memory). */
export async function checkSha256Trailer(file: string, signal?: AbortSignal): Promise<TrailerCheck> {
  const hasher = new TrailerHasher();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })) hasher.update(chunk as Buffer);
  signal?.throwIfAborted();
  return hasher.finish();
}

export interface SnapshotStatus {
  /** As etcdutl's simple/table output prints it: lowercase hex, not zero-padded (e.g. 'c25fd181'). */
  hash: string;
  revision: number;
  totalKeys: number;
  totalSize: number;
  /** Storage version; etcdutl 3.5 does not print it (3.6 does). */
  version?: string;
}

/**
 * Parses `etcdutl snapshot status -w json`. etcdutl 3.5.30 prints
 * `{"hash":4281929901,"revision":51,"totalKey":58,"totalSize":20480}`:
 * the hash is a decimal uint32 (crc32 of keys and values), no version field.
 */
export function parseEtcdutlStatus(text: string): SnapshotStatus {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`etcdutl printed something that is not JSON: ${firstLine(text)}`);
  }
  const o = (raw ?? {}) as Record<string, unknown>;
  const num = (key: string): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`etcdutl status JSON has no usable "${key}": ${firstLine(text)}`);
    return v;
  };
  const status: SnapshotStatus = {
    hash: num('hash').toString(16),
    revision: num('revision'),
    totalKeys: num('totalKey'),
    totalSize: num('totalSize'),
  };
  if (typeof o.version === 'string' && o.version) status.version = o.version;
  return status;
}

/** The line of etcdutl's stderr that says what went wrong (it may be a Go panic with a long trace). */
export function etcdutlReason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /^(Error:|panic:|fatal error:|unexpected fault address)/.test(l)) ?? lines[0] ?? 'no output';
  return line.replace(/^Error:\s*/, '').slice(0, 200);
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 200);
}

export class EtcdutlStatusError extends Error {
  override name = 'EtcdutlStatusError';
}

/**
 * `etcdutl snapshot status` on a file (the adapters run it); rejects with
 * EtcdutlStatusError when etcdutl refuses the file. `prepare` finds etcdutl
 * ahead of time (a save calls it while the stream runs, so the lookup is not
 * on the path between the last byte and the verdict).
 */
export type SnapshotStatusReader = ((file: string, options?: { timeoutMs?: number; signal?: AbortSignal }) => Promise<SnapshotStatus>) & {
  prepare?: () => void;
};

interface VerificationBase {
  file: string;
  bytes: number;
  sha256: TrailerStatus;
}
export type SnapshotVerification =
  | (VerificationBase & SnapshotStatus & { ok: true; problem?: undefined })
  | (VerificationBase & Partial<SnapshotStatus> & { ok: false; problem: string });

export interface VerifyOptions {
  /** Accept a raw copy of a member's db file (no trailer); restore then needs --skip-hash-check. */
  allowMissingTrailer?: boolean;
  etcdutlTimeoutMs?: number;
  /** Stops reading and kills etcdutl (an interrupted save). */
  signal?: AbortSignal;
}

/** The verdict in plain words, from the trailer check and etcdutl's answer (or its refusal). Pure. */
export function judgeSnapshot(
  file: string,
  trailer: TrailerCheck,
  status: SnapshotStatus | { refused: string },
  options: Pick<VerifyOptions, 'allowMissingTrailer'> = {},
): SnapshotVerification {
  const base = { file, bytes: trailer.bytes, sha256: trailer.status };
  const problem = (): string | undefined => {
    if (trailer.bytes === 0) return 'snapshot file is empty';
    if (isTruncatedSize(trailer.bytes))
      return `snapshot is truncated: ${trailer.bytes} bytes is not whole database pages plus the 32-byte SHA-256 trailer`;
    if (trailer.status === 'mismatch') return 'snapshot is corrupted: its SHA-256 trailer does not match its contents';
    if ('refused' in status) return `not an etcd snapshot: etcdutl says ${status.refused}`;
    if (trailer.status === 'missing' && !options.allowMissingTrailer)
      return 'no SHA-256 trailer: this is a raw copy of a member db file, not a snapshot; its integrity cannot be checked and restoring it needs --skip-hash-check';
    return undefined;
  };
  const found = problem();
  if ('refused' in status) return { ...base, ok: false, problem: found ?? status.refused };
  if (found !== undefined) return { ...base, ...status, ok: false, problem: found };
  return { ...base, ...status, ok: true };
}

/**
 * Type, size and header first (a SnapshotFileError, before any byte past the
 * header is read), then the trailer check and `etcdutl snapshot status`:
 * what a restore calls before stopping anything.
 */
export async function verifySnapshot(file: string, readStatus: SnapshotStatusReader, options: VerifyOptions = {}): Promise<SnapshotVerification> {
  await inspectSnapshotFile(file);
  const trailer = await checkSha256Trailer(file, options.signal);
  return judgeWithEtcdutl(file, trailer, readStatus, options);
}

/**
 * The same verdict for a file just saved from a stream whose SHA-256 trailer
 * was checked as its bytes passed (`streamed`): the header and size are read
 * from the file, etcdutl reads it once, and nothing hashes it a second time.
 */
export async function verifyStreamedSnapshot(
  file: string,
  streamed: TrailerCheck,
  readStatus: SnapshotStatusReader,
  options: VerifyOptions = {},
): Promise<SnapshotVerification> {
  const shape = await inspectSnapshotFile(file);
  if (shape.bytes !== streamed.bytes)
    return { file, bytes: shape.bytes, sha256: 'mismatch', ok: false, problem: `the saved file has ${shape.bytes} bytes, the stream had ${streamed.bytes}` };
  return judgeWithEtcdutl(file, streamed, readStatus, options);
}

async function judgeWithEtcdutl(file: string, trailer: TrailerCheck, readStatus: SnapshotStatusReader, options: VerifyOptions): Promise<SnapshotVerification> {
  let status: SnapshotStatus | { refused: string };
  try {
    status = await readStatus(file, { ...(options.etcdutlTimeoutMs ? { timeoutMs: options.etcdutlTimeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  } catch (err) {
    if (!(err instanceof EtcdutlStatusError)) throw err;
    status = { refused: err.message };
  }
  return judgeSnapshot(file, trailer, status, options);
}
