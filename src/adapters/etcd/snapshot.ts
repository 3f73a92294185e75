import { monotonicMs } from './monotonic.js';
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import type { Etcd3, ISnapshotResponse } from 'etcd3';
import type { PollClient } from './light/poll-client.js';
import { decodeSnapshotResponse } from './light/snapshot-response.js';
import { TrailerHasher } from '../../core/snapshot/verify.js';
import { explainEtcdError } from '../../core/errors/explain-etcd-error.js';
import { SnapshotError, type SaveSnapshotOptions, type SnapshotSaved, type SnapshotStreamed, type StreamSnapshotOptions } from '../../core/ports/snapshot-stream.js';

/** A member's snapshot as it arrives, whichever gRPC client carries it. */
export interface SnapshotStream {
  /** `blob` in the pieces it arrived in. */
  start(handlers: { chunk(blob: Buffer[], remainingBytes: number): void; end(): void; error(err: Error): void }): void;
  pause(): void;
  resume(): void;
  cancel(): void;
}

/** Opens the stream (connects, authenticates, sends the request); rejects when the member cannot be asked. */
export type OpenSnapshot = () => Promise<SnapshotStream>;

const TRAILER = 32;
const BATCH_BYTES = 4 << 20;
/** Messages (32 KiB each) queued for writing before the stream pauses, and resumes. */
const PAUSE_AT = 256;
const RESUME_AT = 64;
const BATCHES_IN_FLIGHT = 2;
const ACCEPTED: Promise<void> = Promise.resolve();

/** Part files being written right now: what a second Ctrl-C removes before the process exits at once. */
const partFilesInProgress = new Set<string>();

export function removePartFilesNow(): void {
  for (const part of partFilesInProgress) {
    try {
      unlinkSync(part);
    } catch {
      // already gone
    }
  }
  partFilesInProgress.clear();
}

/**
 * Streams a snapshot from the member `openStream` asks into `write`, checking the SHA-256 trailer as the bytes pass.
 * Rejects when the member stalls, the stream is cut short, the trailer does
 * not match, or `signal` aborts.
 */
export async function streamSnapshot(
  openStream: OpenSnapshot,
  write: (chunk: Buffer) => Promise<void>,
  options: StreamSnapshotOptions = {},
): Promise<SnapshotStreamed> {
  const started = monotonicMs();
  const idleMs = options.idleTimeoutMs ?? 10_000;
  const { signal } = options;
  let stream: SnapshotStream | undefined;
  let stopError: Error | undefined;
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const stop = (err: Error) => {
    stopError ??= err;
    stream?.cancel();
    fail(stopError);
  };
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => stop(new SnapshotError(`snapshot stalled: the member sent nothing for ${idleMs} ms (hung, overloaded or partitioned)`, 'timeout')),
      idleMs,
    );
  };
  const onAbort = () => stop(abortReason(signal));
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    signal?.throwIfAborted();
    arm();
    const opening = openStream();
    opening.then((s) => stopError && s.cancel(), () => undefined);
    stream = await Promise.race([opening, failed]);

    const hasher = new TrailerHasher();
    let received = 0;
    let total = 0;
    let dbDone = false;
    const source = stream;
    // Events, not `for await`: no promise per 32 KiB message. Writes are queued
    // in order without waiting; the stream pauses while too many are pending.
    const pumping = new Promise<void>((resolve, reject) => {
      let pendingWrites = 0;
      let paused = false;
      let ended = false;
      const written = () => {
        pendingWrites--;
        if (paused && pendingWrites <= RESUME_AT) {
          paused = false;
          arm(); // the member is waited on again from now
          source.resume();
        }
        if (ended && pendingWrites === 0) resolve();
      };
      const failWrite = (err: unknown) => reject(err instanceof Error ? err : new Error(String(err)));
      source.start({
        chunk: (blob, remaining) => {
          if (stopError) return;
          timer?.refresh();
          let last: Buffer | undefined;
          for (const piece of blob) {
            received += piece.length;
            hasher.update(piece);
            if (last) write(last).catch(failWrite);
            last = piece;
          }
          // remaining_bytes counts the db part only; the trailer follows in a message of its own.
          if (!dbDone) {
            total = received + remaining + TRAILER;
            dbDone = remaining === 0;
          }
          if (!last) return;
          // One wait per message: writes complete in order, so its last piece's stands for the rest.
          pendingWrites++;
          write(last).then(written, failWrite);
          options.onProgress?.(received, Math.max(total, received));
          if (!paused && pendingWrites >= PAUSE_AT) {
            paused = true;
            clearTimeout(timer); // our own writes are slow, not the member
            source.pause();
          }
        },
        end: () => {
          ended = true;
          if (pendingWrites === 0) resolve();
        },
        error: reject,
      });
    });
    pumping.catch(() => undefined); // when `failed` wins the race, the pump's own error is not news
    await Promise.race([pumping, failed]);
    clearTimeout(timer);
    if (stopError) throw stopError;

    const trailer = hasher.finish();
    if (received === 0) throw new SnapshotError('snapshot failed: the member sent an empty stream', 'error');
    if (!dbDone || received < total)
      throw new SnapshotError(`snapshot stream was cut short: ${received} of ${total} bytes arrived`, 'error');
    if (trailer.status === 'mismatch')
      throw new SnapshotError('snapshot is corrupted in transit: its SHA-256 trailer does not match the data received', 'error');
    return { bytes: received, ms: Math.round(monotonicMs() - started), sha256Trailer: trailer.status };
  } catch (err) {
    clearTimeout(timer);
    stream?.cancel();
    throw toSnapshotError(stopError ?? err);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Streams a snapshot into `<file>.part.<random>`, then fsyncs it while
 * `beforeRename` (the verification) reads it, and only when both are done
 * renames it onto `file` and fsyncs the folder. On any failure or abort the
 * part file is removed and `file` is untouched.
 */
export async function saveSnapshot(openStream: OpenSnapshot, file: string, options: SaveSnapshotOptions = {}): Promise<SnapshotSaved> {
  const part = `${file}.part.${randomBytes(6).toString('hex')}`;
  const fh = await open(part, 'wx', 0o600);
  partFilesInProgress.add(part);
  let closed = false;
  try {
    const sink = new FileSink(fh);
    const streamed = await streamSnapshot(openStream, (chunk) => sink.write(chunk), options);
    await sink.flush();
    // The verification reads what is in the page cache; the disk catches up meanwhile.
    const [synced, checked] = await Promise.allSettled([fh.sync(), options.beforeRename?.(part, streamed)]);
    closed = true;
    await fh.close();
    if (synced.status === 'rejected') throw synced.reason;
    if (checked.status === 'rejected') throw checked.reason;
    options.signal?.throwIfAborted();
    await rename(part, file);
    partFilesInProgress.delete(part);
    await syncDir(dirname(file));
    return { file, ...streamed };
  } catch (err) {
    if (!closed) await fh.close().catch(() => undefined);
    await unlink(part).catch(() => undefined);
    partFilesInProgress.delete(part);
    throw options.signal?.aborted ? abortReason(options.signal) : err;
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new SnapshotError('snapshot interrupted', 'error');
}

function toSnapshotError(err: unknown): Error {
  if (err instanceof SnapshotError) return err;
  if (err instanceof Error && err.name === 'Interrupted') return err;
  if ((err as NodeJS.ErrnoException).syscall) return err as Error; // local file system trouble: keep the errno message
  const explained = explainEtcdError(err);
  return new SnapshotError(`snapshot failed: ${explained.message}`, explained.kind, { cause: err });
}

/** The snapshot over the light gRPC client: no etcd3, grpc-js or protobufjs, and no copy of each message. */
export function lightSnapshot(client: PollClient): OpenSnapshot {
  return async () => {
    const messages = await client.snapshotStream();
    return {
      start: (handlers) =>
        messages.start({
          message: (parts) => {
            let chunk;
            try {
              chunk = decodeSnapshotResponse(parts);
            } catch (err) {
              messages.cancel();
              return handlers.error(err as Error);
            }
            handlers.chunk(chunk.blob, chunk.remainingBytes);
          },
          end: handlers.end,
          error: handlers.error,
        }),
      pause: () => messages.pause(),
      resume: () => messages.resume(),
      cancel: () => messages.cancel(),
    };
  };
}

interface MaintenancePool {
  withConnection<R>(service: 'Maintenance', fn: (args: { client: unknown; metadata: unknown }) => R): Promise<R>;
}

/** The snapshot over an etcd3 client (a client not made by createMemberClient, whose endpoint we do not know). */
export function etcd3Snapshot(client: Etcd3): OpenSnapshot {
  return async () => {
    const stream = await openEtcd3Stream(client);
    return {
      start: (handlers) => {
        stream.on('data', (msg: ISnapshotResponse) => handlers.chunk([msg.blob], Number(msg.remaining_bytes)));
        stream.once('end', handlers.end);
        stream.once('error', handlers.error);
      },
      pause: () => void stream.pause(),
      resume: () => void stream.resume(),
      cancel: () => stream.cancel(),
    };
  };
}

/**
 * etcd3 1.1.2's `maintenance.snapshot()` passes the auth metadata where the
 * request message goes, so the token is dropped and a password-authenticated
 * snapshot fails ("auth: user not found" / permission denied). We make the
 * same call through its connection pool with the arguments in the right order.
 */
function openEtcd3Stream(client: Etcd3): Promise<Readable & { cancel(): void }> {
  type Stream = Readable & { cancel(): void };
  const pool = (client.maintenance as unknown as { client?: Partial<MaintenancePool> }).client;
  if (typeof pool?.withConnection !== 'function') return client.maintenance.snapshot() as unknown as Promise<Stream>;
  return (pool as MaintenancePool).withConnection('Maintenance', ({ client: grpc, metadata }) =>
    (grpc as { snapshot(req: object, md: unknown, opts: object): Stream }).snapshot({}, metadata, {}),
  );
}

/**
 * Batches the member's 32 KiB chunks into ~4 MiB writes, each at its own
 * offset, one after the other. A write is accepted at once while at most two
 * batches are on their way to the disk; past that the caller waits for the
 * oldest. The first failure fails every later write and the flush.
 */
class FileSink {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private position = 0;
  private readonly writing: Array<Promise<void>> = [];
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly fh: FileHandle) {}

  write(chunk: Buffer): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= BATCH_BYTES) this.kick();
    return this.writing.length > BATCHES_IN_FLIGHT ? this.writing[0]! : ACCEPTED;
  }

  async flush(): Promise<void> {
    this.kick();
    await this.tail;
    if (this.failure !== undefined) throw this.failure;
  }

  private kick(): void {
    if (this.pending.length === 0) return;
    const chunks = this.pending;
    const at = this.position;
    this.position += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const batch = this.tail.then(() => writeAll(this.fh, chunks, at));
    this.tail = batch;
    this.writing.push(batch);
    batch.then(
      () => void this.writing.splice(this.writing.indexOf(batch), 1),
      (err: unknown) => (this.failure ??= err),
    );
  }
}

async function writeAll(fh: FileHandle, chunks: Buffer[], position: number): Promise<void> {
  const size = chunks.reduce((n, c) => n + c.length, 0);
  const { bytesWritten } = await fh.writev(chunks, position);
  if (bytesWritten === size) return;
  const rest = Buffer.concat(chunks).subarray(bytesWritten);
  let off = 0;
  while (off < rest.length) off += (await fh.write(rest, off, rest.length - off, position + bytesWritten + off)).bytesWritten;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
