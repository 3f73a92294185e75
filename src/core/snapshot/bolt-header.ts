/**
 * The bbolt header of an etcd snapshot, read without reading the file.
 *
 * A bbolt file starts with two meta pages (page 0 at offset 0, page 1 at
 * offset pageSize). Each is a 16-byte page header followed by the meta:
 * magic 0xED0CDAED, version 2, pageSize, flags, root bucket (16), freelist
 * page id, high-water page id ("pgid"), txid, then an FNV-1a 64 checksum of
 * the 56 meta bytes before it (little-endian on every platform etcd ships
 * for). A snapshot streamed by etcd is exactly pgid * pageSize bytes
 * (bbolt's Tx.WriteTo) plus a 32-byte SHA-256 trailer; a raw copy of a
 * member's db file is at least pgid * pageSize and may carry bbolt's
 * preallocation (at most one page plus 16 MiB) at the end.
 */
export const BOLT_MAGIC = 0xed0cdaed;
const META_OFFSET = 16;
const META_BYTES = 64;
const CHECKSUM_AT = META_OFFSET + 56;
export const HEADER_READ_BYTES = 4096;

export interface BoltMeta {
  pageSize: number;
  /** Pages in use (the high-water mark): the database is pgid * pageSize bytes. */
  pgid: number;
  txid: number;
}

/** The meta at `offset` of `bytes`, or undefined when it is not a valid one. */
export function parseMeta(bytes: Buffer, offset = 0): BoltMeta | undefined {
  if (bytes.length < offset + META_OFFSET + META_BYTES) return undefined;
  const m = bytes.subarray(offset, offset + META_OFFSET + META_BYTES);
  if (m.readUInt32LE(META_OFFSET) !== BOLT_MAGIC || m.readUInt32LE(META_OFFSET + 4) !== 2) return undefined;
  if (m.readBigUInt64LE(CHECKSUM_AT) !== fnv1a64(m.subarray(META_OFFSET, CHECKSUM_AT))) return undefined;
  const pageSize = m.readUInt32LE(META_OFFSET + 8);
  if (pageSize < 512 || pageSize > 1 << 16 || (pageSize & (pageSize - 1)) !== 0) return undefined;
  const pgid = m.readBigUInt64LE(META_OFFSET + 40);
  const txid = m.readBigUInt64LE(META_OFFSET + 48);
  if (pgid < 2n || pgid > BigInt(Number.MAX_SAFE_INTEGER) / BigInt(pageSize)) return undefined;
  return { pageSize, pgid: Number(pgid), txid: Number(txid > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : txid) };
}

/** True when the first page carries a bbolt meta with the right magic (checksum not required). */
export function hasBoltMagic(bytes: Buffer): boolean {
  return bytes.length >= META_OFFSET + 4 && bytes.readUInt32LE(META_OFFSET) === BOLT_MAGIC;
}

/** The newer of the two valid metas, as bbolt itself picks. `second` is the page at offset meta0.pageSize (or 4096). */
export function pickMeta(first: BoltMeta | undefined, second: BoltMeta | undefined): BoltMeta | undefined {
  if (first && second) return second.txid > first.txid ? second : first;
  return first ?? second;
}

export function databaseBytes(meta: BoltMeta): number {
  return meta.pgid * meta.pageSize;
}

function fnv1a64(bytes: Buffer): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const b of bytes) {
    hash ^= BigInt(b);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}
