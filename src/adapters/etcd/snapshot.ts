import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import type { Etcd3, ISnapshotResponse } from 'etcd3';
import { TrailerHasher, type TrailerStatus } from '../../core/snapshot/verify.js';
import { explainEtcdError, type FailureKind } from '../../core/errors/explain-etcd-error.js';

export interface SnapshotSaved {
  file: string;
  bytes: number;
  ms: number;
  /** Never 'mismatch': a stream whose trailer does not match is refused and nothing is written. */
  sha256Trailer: TrailerStatus;
}

export interface SaveSnapshotOptions {
  /** Called after each chunk; `totalBytes` is known from the member's remaining_bytes (trailer included). */
  onProgress?: (bytesSoFar: number, totalBytes?: number) => void;
  /** Give up when the member sends nothing for this long (a hung member never ends the stream). Default 10 s. */
  idleTimeoutMs?: number;
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
  constructor(
    message: string,
    readonly kind: FailureKind,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

type SnapshotStream = Readable & { cancel(): void };

const TRAILER = 32;
const BATCH_BYTES = 1 << 20;

/**
 * Streams a snapshot from the member `client` is bound to (use a per-member
 * client) into `<file>.part.<random>`, fsyncs it, renames it onto `file` and
 * fsyncs the folder. On any failure the part file is removed and `file` is untouched.
 */
export async function saveSnapshot(client: Etcd3, file: string, options: SaveSnapshotOptions = {}): Promise<SnapshotSaved> {
  const started = performance.now();
  const idleMs = options.idleTimeoutMs ?? 10_000;
  const part = `${file}.part.${randomBytes(6).toString('hex')}`;
  const fh = await open(part, 'wx', 0o600);
  let closed = false;
  let stream: SnapshotStream | undefined;
  let idleError: SnapshotError | undefined;
  let failIdle: (err: Error) => void = () => undefined;
  const idled = new Promise<never>((_, reject) => (failIdle = reject));
  idled.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idleError = new SnapshotError(
        `snapshot stalled: the member sent nothing for ${idleMs} ms (hung, overloaded or partitioned); ${file} is untouched`,
        'timeout',
      );
      stream?.cancel();
      failIdle(idleError);
    }, idleMs);
  };

  try {
    arm();
    const opening = openSnapshotStream(client);
    opening.then((s) => idleError && s.cancel(), () => undefined);
    stream = await Promise.race([opening, idled]);

    const hasher = new TrailerHasher();
    const sink = new FileSink(fh);
    let received = 0;
    let total = 0;
    let dbDone = false;
    for await (const msg of stream as AsyncIterable<ISnapshotResponse>) {
      clearTimeout(timer);
      const blob = msg.blob;
      received += blob.length;
      hasher.update(blob);
      // remaining_bytes counts the db part only; the trailer follows in a message of its own.
      if (!dbDone) {
        const remaining = Number(msg.remaining_bytes);
        total = received + remaining + TRAILER;
        dbDone = remaining === 0;
      }
      await sink.write(blob);
      options.onProgress?.(received, Math.max(total, received));
      arm();
    }
    clearTimeout(timer);
    if (idleError) throw idleError;

    const trailer = hasher.finish();
    if (received === 0) throw new SnapshotError('snapshot failed: the member sent an empty stream', 'error');
    if (trailer.status === 'mismatch')
      throw new SnapshotError('snapshot is corrupted in transit: its SHA-256 trailer does not match the data received', 'error');

    await sink.flush();
    await fh.sync();
    closed = true;
    await fh.close();
    await rename(part, file);
    await syncDir(dirname(file));
    return { file, bytes: received, ms: Math.round(performance.now() - started), sha256Trailer: trailer.status };
  } catch (err) {
    clearTimeout(timer);
    stream?.cancel();
    if (!closed) await fh.close().catch(() => undefined);
    await unlink(part).catch(() => undefined);
    throw toSnapshotError(idleError ?? err);
  }
}

function toSnapshotError(err: unknown): Error {
  if (err instanceof SnapshotError) return err;
  if ((err as NodeJS.ErrnoException).syscall) return err as Error; // local file system trouble: keep the errno message
  const explained = explainEtcdError(err);
  return new SnapshotError(`snapshot failed: ${explained.message}`, explained.kind, { cause: err });
}

interface MaintenancePool {
  withConnection<R>(service: 'Maintenance', fn: (args: { client: unknown; metadata: unknown }) => R): Promise<R>;
}

/**
 * etcd3 1.1.2's `maintenance.snapshot()` passes the auth metadata where the
 * request message goes, so the token is dropped and a password-authenticated
 * snapshot fails ("auth: user not found" / permission denied). We make the
 * same call through its connection pool with the arguments in the right order.
 */
function openSnapshotStream(client: Etcd3): Promise<SnapshotStream> {
  const pool = (client.maintenance as unknown as { client?: Partial<MaintenancePool> }).client;
  if (typeof pool?.withConnection !== 'function') return client.maintenance.snapshot() as unknown as Promise<SnapshotStream>;
  return (pool as MaintenancePool).withConnection('Maintenance', ({ client: grpc, metadata }) =>
    (grpc as { snapshot(req: object, md: unknown, opts: object): SnapshotStream }).snapshot({}, metadata, {}),
  );
}

/** Batches the member's 32 KiB chunks into ~1 MiB writes and keeps one write in flight while the next batch arrives. */
class FileSink {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private inflight: Promise<void> = Promise.resolve();

  constructor(private readonly fh: FileHandle) {}

  async write(chunk: Buffer): Promise<void> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= BATCH_BYTES) await this.kick();
  }

  async flush(): Promise<void> {
    await this.kick();
    await this.inflight;
  }

  private async kick(): Promise<void> {
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    await this.inflight;
    if (chunks.length === 0) return;
    this.inflight = writeAll(this.fh, chunks);
    this.inflight.catch(() => undefined); // awaited by the next kick or flush
  }
}

async function writeAll(fh: FileHandle, chunks: Buffer[]): Promise<void> {
  const size = chunks.reduce((n, c) => n + c.length, 0);
  const { bytesWritten } = await fh.writev(chunks);
  if (bytesWritten === size) return;
  const rest = Buffer.concat(chunks).subarray(bytesWritten);
  let off = 0;
  while (off < rest.length) off += (await fh.write(rest, off)).bytesWritten;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
