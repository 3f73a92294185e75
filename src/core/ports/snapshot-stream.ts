/** A member's snapshot as a stream (the etcd Maintenance.Snapshot RPC), as core asks for it. */
import type { FailureKind } from '../errors/explain-etcd-error.js';
import type { TrailerStatus } from '../snapshot/verify.js';

export interface SnapshotStreamed {
  bytes: number;
  ms: number;
  /** Never 'mismatch': a stream whose trailer does not match is refused. */
  sha256Trailer: TrailerStatus;
}

export interface SnapshotSaved extends SnapshotStreamed {
  file: string;
}

export interface StreamSnapshotOptions {
  /** Called after each chunk; `totalBytes` is known from the member's remaining_bytes (trailer included). */
  onProgress?: (bytesSoFar: number, totalBytes?: number) => void;
  /** Give up when the member sends nothing for this long (a hung member never ends the stream). Default 10 s. */
  idleTimeoutMs?: number;
  /** Cancels the stream (and, for a file, removes the part file); the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

export interface SaveSnapshotOptions extends StreamSnapshotOptions {
  /**
   * Runs on the complete part file (with what the stream saw: its size and
   * trailer) while the file is fsynced; the rename waits for both. A throw
   * keeps `file` untouched.
   */
  beforeRename?: (partFile: string, streamed: SnapshotStreamed) => Promise<void>;
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

export interface SnapshotSource {
  /** Streams into `file` through a part file renamed into place only after beforeRename passes. */
  saveSnapshot(file: string, options?: SaveSnapshotOptions): Promise<SnapshotSaved>;
  /** Streams to `write` (stdout); the SHA-256 trailer is checked on the way. */
  streamSnapshot(write: (chunk: Buffer) => Promise<void>, options?: StreamSnapshotOptions): Promise<SnapshotStreamed>;
}
