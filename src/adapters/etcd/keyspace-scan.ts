import type { Etcd3, IRangeResponse } from 'etcd3';
import { keyAfter, prefixRangeEnd } from '../../core/keys/key-prefix.js';
import { PAGE_LIMITS, nextPageLimit } from '../../core/keys/page-size.js';
import { nextWindowLength, windowEnd } from '../../core/keys/scan-window.js';

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
 * to, all at the revision of a first count of the range (one consistent view;
 * ErrCompacted if someone compacts past it meanwhile), with serializable
 * reads that the member serves on its own, one page at a time, each within a
 * window (see scan-window.ts). Only one page is held at once.
 */
export async function scanKeyspace(client: Etcd3, options: ScanOptions): Promise<ScanDone> {
  const hasPrefix = options.prefix !== undefined && options.prefix.length > 0;
  const scanEnd = hasPrefix ? prefixRangeEnd(options.prefix!) : Uint8Array.of(0);
  let start: Uint8Array = hasPrefix ? options.prefix! : Uint8Array.of(0);
  // One count of the whole range fixes the revision and gives the progress its total.
  const counted = await client.kv.range({ key: Buffer.from(start), range_end: Buffer.from(scanEnd), count_only: true, serializable: true });
  const revision = counted.header.revision;
  const progress: ScanProgress = { keys: 0, bytes: 0, totalKeys: Number(counted.count), pages: 0 };
  let limit: number = PAGE_LIMITS.first;
  let windowLength = 0;
  let end = scanEnd;
  for (;;) {
    options.signal?.throwIfAborted();
    const page = await readPage(client, start, end, limit, revision);
    let pageBytes = 0;
    for (const kv of page.kvs) {
      options.onKey(kv.key, kv.value.length);
      pageBytes += kv.key.length + kv.value.length;
    }
    progress.pages++;
    progress.keys += page.kvs.length;
    progress.bytes += pageBytes;
    await options.onPage?.({ ...progress });
    const first = page.kvs[0];
    const last = page.kvs.at(-1);
    if (first && last) limit = nextPageLimit(page.kvs.length, pageBytes);
    const atScanEnd = end === scanEnd;
    if (first && last && page.more) {
      start = keyAfter(last.key);
      windowLength = nextWindowLength(windowLength, first.key, last.key, Number(page.count), limit);
      end = windowEnd(start, windowLength, scanEnd);
    } else if (atScanEnd) {
      return { ...progress, revision };
    } else {
      // The window is used up: the next one starts where it ended, one byte wider after an empty one
      // (numbered keys leave many gaps: a far end would cost a count of every key left).
      start = end;
      if (page.kvs.length === 0) windowLength = Math.min(windowLength, start.length) - 1;
      end = windowLength <= 0 ? scanEnd : windowEnd(start, windowLength, scanEnd);
    }
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
