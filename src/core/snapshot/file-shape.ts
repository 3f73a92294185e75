import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { formatBytes } from '../format/bytes.js';
import { HEADER_READ_BYTES, databaseBytes, hasBoltMagic, parseMeta, pickMeta, type BoltMeta } from './bolt-header.js';

/** The file is not something to read as a snapshot: type, size or header. Said before any byte past the header is read. */
export class SnapshotFileError extends Error {
  override name = 'SnapshotFileError';
  constructor(
    message: string,
    /** The errno code when the file system said it (ENOENT: the file is not there). */
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface SnapshotShape {
  bytes: number;
  meta: BoltMeta;
  /** pgid * pageSize: what the header says the database holds. */
  databaseBytes: number;
  /** A 32-byte SHA-256 trailer follows the database (a streamed snapshot); false for a raw db copy. */
  trailer: boolean;
}

const TRAILER = 32;
/** bbolt grows a db file past its high-water mark by at most one page plus its 16 MiB allocation step. */
const RAW_COPY_SLACK = 16 * 1024 * 1024;

export function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** stat() errors in the operator's words. */
export function explainStatError(file: string, err: unknown): SnapshotFileError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new SnapshotFileError(`no such file: ${file}`, code);
  if (code === 'ENOTDIR') return new SnapshotFileError(`no such file: ${file} (a part of its path is a file, not a folder)`, code);
  if (code === 'EACCES' || code === 'EPERM') return new SnapshotFileError(`cannot read ${file}: permission denied`);
  if (code === 'ELOOP') return new SnapshotFileError(`cannot read ${file}: too many symbolic links`);
  return new SnapshotFileError(`cannot read ${file}: ${(err as Error).message}`);
}

/** Reads at most two pages of header; never blocks on a FIFO (O_NONBLOCK) and never reads the body. */
async function readHeaderPages(file: string, size: number): Promise<{ first: Buffer; second: Buffer }> {
  const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const info = await fh.stat();
    if (!info.isFile()) throw new SnapshotFileError(`${file} is ${kindOf(info)}, not a snapshot file`);
    const first = Buffer.alloc(Math.min(size, HEADER_READ_BYTES));
    await fh.read(first, 0, first.length, 0);
    const pageSize = parseMeta(first)?.pageSize ?? HEADER_READ_BYTES;
    const second = Buffer.alloc(Math.max(0, Math.min(size - pageSize, HEADER_READ_BYTES)));
    if (second.length > 0) await fh.read(second, 0, second.length, pageSize);
    return { first, second };
  } finally {
    await fh.close();
  }
}

/**
 * Checks what a file is before anything reads it: a regular file, not
 * empty, a bbolt header, and a size that matches what the header says (so a
 * 16 GiB sparse file is refused at once instead of being hashed for minutes).
 */
export async function inspectSnapshotFile(file: string): Promise<SnapshotShape> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (err) {
    throw explainStatError(file, err);
  }
  if (!info.isFile()) throw new SnapshotFileError(`${file} is ${kindOf(info)}, not a snapshot file`);
  const bytes = info.size;
  if (bytes === 0) throw new SnapshotFileError(`${file} is empty, not an etcd snapshot`);
  let pages;
  try {
    pages = await readHeaderPages(file, bytes);
  } catch (err) {
    if (err instanceof SnapshotFileError) throw err;
    throw explainStatError(file, err);
  }
  const meta = pickMeta(parseMeta(pages.first), parseMeta(pages.second));
  if (!meta) {
    if (hasBoltMagic(pages.first))
      throw new SnapshotFileError(`${file} is not a usable etcd snapshot: both bbolt meta pages of its header are damaged`);
    throw new SnapshotFileError(`${file} is not an etcd snapshot: it does not start with a bbolt database header`);
  }
  const database = databaseBytes(meta);
  const shape = { bytes, meta, databaseBytes: database };
  if (bytes === database + TRAILER) return { ...shape, trailer: true };
  if (bytes >= database && bytes <= database + meta.pageSize + RAW_COPY_SLACK && bytes % 512 === 0) return { ...shape, trailer: false };
  if (bytes < database)
    throw new SnapshotFileError(`${file} is truncated: its header says ${formatBytes(database)} of database, the file has ${formatBytes(bytes)}`);
  throw new SnapshotFileError(
    `${file} is ${formatBytes(bytes)} but its header says the database is ${formatBytes(database)}: not a sane snapshot, refusing to read it`,
  );
}

/** True when the regular file at `file` starts with a bbolt header: a snapshot or a db copy, maybe damaged further on. */
export async function looksLikeSnapshot(file: string, size: number): Promise<boolean> {
  if (size < 80) return false;
  const { first } = await readHeaderPages(file, size);
  return hasBoltMagic(first);
}
