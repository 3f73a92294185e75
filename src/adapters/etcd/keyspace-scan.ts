import type { Etcd3, IRangeResponse } from 'etcd3';
import { keyAfter, prefixRangeEnd } from '../../core/keys/key-prefix.js';
import { PAGE_LIMITS, nextPageLimit } from '../../core/keys/page-size.js';

export interface ScanProgress {
  keys: number;
  bytes: number;
  /** Keys in the range at the scan's revision (etcd counts them with the first page). */
  totalKeys: number;
  pages: number;
}

export interface ScanOptions {
  /** Only keys starting with these bytes; every key when absent. */
  prefix?: Uint8Array;
  /** Called for every key read; `valueBytes` is the value's length. */
  onKey: (key: Uint8Array, valueBytes: number) => void;
  /** Called after each page; the next page is read once a returned promise settles. */
  onPage?: (progress: ScanProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface ScanDone extends ScanProgress {
  revision: string;
}

/** A scan that could not finish, in the operator's words. */
export class KeyspaceScanError extends Error {
  override name = 'KeyspaceScanError';
  readonly exitCode = 1;
}

/**
 * Reads every key of a range in pages from the one member `client` is bound
 * to, all at the revision of the first page (one consistent view; ErrCompacted
 * if someone compacts past it meanwhile), with serializable reads that the
 * member serves on its own, one page at a time. Only one page is held at once.
 */
export async function scanKeyspace(client: Etcd3, options: ScanOptions): Promise<ScanDone> {
  const end = options.prefix && options.prefix.length > 0 ? prefixRangeEnd(options.prefix) : Uint8Array.of(0);
  let start: Uint8Array = options.prefix && options.prefix.length > 0 ? options.prefix : Uint8Array.of(0);
  let revision = '0';
  let limit: number = PAGE_LIMITS.first;
  const progress: ScanProgress = { keys: 0, bytes: 0, totalKeys: 0, pages: 0 };
  for (;;) {
    options.signal?.throwIfAborted();
    const page = await readPage(client, start, end, limit, revision);
    if (progress.pages === 0) {
      revision = page.header.revision;
      progress.totalKeys = Number(page.count);
    }
    let pageBytes = 0;
    for (const kv of page.kvs) {
      options.onKey(kv.key, kv.value.length);
      pageBytes += kv.key.length + kv.value.length;
    }
    progress.pages++;
    progress.keys += page.kvs.length;
    progress.bytes += pageBytes;
    await options.onPage?.({ ...progress });
    const last = page.kvs.at(-1);
    if (!page.more || !last) return { ...progress, revision };
    start = keyAfter(last.key);
    limit = nextPageLimit(page.kvs.length, pageBytes);
  }
}

/** One page; a page over gRPC's message limit (huge values) is asked again with half the keys. */
async function readPage(client: Etcd3, key: Uint8Array, rangeEnd: Uint8Array, limit: number, revision: string): Promise<IRangeResponse> {
  for (let keys = limit; ; keys = Math.ceil(keys / 2)) {
    try {
      return await client.kv.range({ key: Buffer.from(key), range_end: Buffer.from(rangeEnd), limit: keys, revision, serializable: true });
    } catch (err) {
      const message = (err as Error).message ?? '';
      if (/compacted/i.test(message)) {
        throw new KeyspaceScanError(`history was compacted past revision ${revision} during the scan; run it again`);
      }
      if (keys > 1 && /RESOURCE_EXHAUSTED|larger than max/i.test(message)) continue;
      throw err;
    }
  }
}
