/** The SnapshotSource port (src/core/ports/snapshot-stream.ts) over bytes made in memory: no etcd, a real file on disk. */
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import type { SaveSnapshotOptions, SnapshotSaved, SnapshotSource, SnapshotStreamed, StreamSnapshotOptions } from '../../src/core/ports/snapshot-stream.js';

export class FakeSnapshotSource implements SnapshotSource {
  constructor(private readonly bytes: () => Buffer) {}

  async saveSnapshot(file: string, options: SaveSnapshotOptions = {}): Promise<SnapshotSaved> {
    const started = Date.now();
    const data = this.read(options);
    const part = `${file}.part`;
    await writeFile(part, data, { mode: 0o600 });
    const streamed: SnapshotStreamed = { bytes: data.length, ms: Date.now() - started, sha256Trailer: 'ok' };
    await options.beforeRename?.(part, streamed);
    await rename(part, file);
    return { file, ...streamed };
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

/**
 * What etcd streams: a bbolt file of `pages` pages (two valid meta pages with
 * their FNV-1a checksum, the rest filled) and its 32-byte SHA-256 trailer.
 * Enough for our shape and trailer checks; etcdutl is faked beside it.
 */
export function boltSnapshotBytes(pages: number, fill: string, pageSize = 4096): Buffer {
  const db = Buffer.alloc(pages * pageSize, fill);
  for (const [page, txid] of [[0, 1n], [1, 2n]] as const) {
    const at = page * pageSize;
    db.fill(0, at, at + 16 + 64);
    db.writeUInt32LE(0xed0cdaed, at + 16);
    db.writeUInt32LE(2, at + 20);
    db.writeUInt32LE(pageSize, at + 24);
    db.writeBigUInt64LE(BigInt(pages), at + 16 + 40);
    db.writeBigUInt64LE(txid, at + 16 + 48);
    db.writeBigUInt64LE(fnv1a64(db.subarray(at + 16, at + 16 + 56)), at + 16 + 56);
  }
  return Buffer.concat([db, createHash('sha256').update(db).digest()]);
}

function fnv1a64(bytes: Buffer): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const b of bytes) hash = ((hash ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash;
}
