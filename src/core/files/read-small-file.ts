import type { Stats } from 'node:fs';
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { ExitCodedError } from '../errors/exit-coded-error.js';

/** Documented limits: nothing the operator points at is read whole before its kind and size are known. */
export const FILE_LIMITS = {
  inventory: 256 * 1024,
  config: 256 * 1024,
  password: 64 * 1024,
  tls: 1024 * 1024,
  theme: 256 * 1024,
} as const;

export class FileCheckError extends ExitCodedError {
  override name = 'FileCheckError';
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/**
 * Reads a small regular file: refuses directories, FIFOs, devices (`-f /dev/zero`)
 * and anything over `maxBytes` before reading a byte. `what` names the file to
 * the operator ("inventory", "client certificate (--cert)").
 * Errors carry exitCode 2 (what was given is wrong), or 3 when the operator may
 * not read it (permission denied).
 */
export function readSmallFile(path: string, what: string, maxBytes: number): Buffer {
  const stats = statRegularFile(path, what);
  if (stats.size > maxBytes) throw new FileCheckError(`${what} ${path} is ${sizeText(stats.size)}, over the ${sizeText(maxBytes)} limit`);
  let fd;
  try {
    // O_NONBLOCK: should the path become a FIFO between stat and open, open must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw openError(err, path, what);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw new FileCheckError(`${what} ${path} is ${kindOf(opened)}, expected a regular file`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw new FileCheckError(`${what} ${path} is over the ${sizeText(maxBytes)} limit`);
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** A file argument that is read elsewhere (a snapshot): it exists and is a regular file. */
export function checkRegularFile(path: string, what: string): void {
  statRegularFile(path, what);
}

function statRegularFile(path: string, what: string): Stats {
  let stats;
  try {
    stats = statSync(path);
  } catch (err) {
    throw openError(err, path, what);
  }
  if (!stats.isFile()) throw new FileCheckError(`${what} ${path} is ${kindOf(stats)}, expected a regular file`);
  return stats;
}

export function readSmallTextFile(path: string, what: string, maxBytes: number): string {
  return readSmallFile(path, what, maxBytes).toString('utf8');
}

function openError(err: unknown, path: string, what: string): FileCheckError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new FileCheckError(`cannot read ${what} ${path}: no such file`);
  if (code === 'ENOTDIR') return new FileCheckError(`cannot read ${what} ${path}: a part of the path is not a directory`);
  if (code === 'EACCES' || code === 'EPERM') return new FileCheckError(`cannot read ${what} ${path}: permission denied`, 3);
  if (code === 'ELOOP') return new FileCheckError(`cannot read ${what} ${path}: too many symbolic links`);
  if (code === 'ENAMETOOLONG') return new FileCheckError(`cannot read ${what}: the path is too long`);
  return new FileCheckError(`cannot read ${what} ${path}: ${code ?? (err as Error).message}`);
}
