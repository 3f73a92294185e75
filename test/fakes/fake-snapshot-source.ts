/** The SnapshotSource port (src/core/ports/snapshot-stream.ts) over bytes made in memory: no etcd, a real file on disk. */
import { rename, writeFile } from 'node:fs/promises';
import type { SaveSnapshotOptions, SnapshotSaved, SnapshotSource, SnapshotStreamed, StreamSnapshotOptions } from '../../src/core/ports/snapshot-stream.js';

export class FakeSnapshotSource implements SnapshotSource {
  constructor(private readonly bytes: () => Buffer) {}

  async saveSnapshot(file: string, options: SaveSnapshotOptions = {}): Promise<SnapshotSaved> {
    const started = Date.now();
    const data = this.read(options);
    const part = `${file}.part`;
    await writeFile(part, data, { mode: 0o600 });
    await options.beforeRename?.(part);
    await rename(part, file);
    return { file, bytes: data.length, ms: Date.now() - started, sha256Trailer: 'ok' };
  }

  async streamSnapshot(write: (chunk: Buffer) => Promise<void>, options: StreamSnapshotOptions = {}): Promise<SnapshotStreamed> {
    const started = Date.now();
    const data = this.read(options);
    await write(data);
    return { bytes: data.length, ms: Date.now() - started, sha256Trailer: 'ok' };
  }

  private read(options: StreamSnapshotOptions): Buffer {
    if (options.signal?.aborted) throw options.signal.reason;
    const data = this.bytes();
    options.onProgress?.(data.length, data.length);
    return data;
  }
}
