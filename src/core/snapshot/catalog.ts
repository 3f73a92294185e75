import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatAge } from '../format/time.js';

export interface SnapshotFile {
  name: string;
  path: string;
  bytes: number;
  mtimeMs: number;
}

/** `*.db` and `*.snapshot`; half-written `<name>.part.<random>` files never match. */
export function isSnapshotName(name: string): boolean {
  return /\.(db|snapshot)$/.test(name) && !name.startsWith('.');
}

/** Newest first; equal times by name so the order is stable. */
export function sortNewestFirst(files: SnapshotFile[]): SnapshotFile[] {
  return [...files].sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
}

/** "3m05s" since the file was written. */
export function snapshotAge(file: SnapshotFile, now: number): string {
  return formatAge(now - file.mtimeMs);
}

/** Snapshot files in `dir` (not recursive), newest first. A folder that does not exist holds none. */
export async function listSnapshots(dir: string): Promise<SnapshotFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: SnapshotFile[] = [];
  for (const name of names.filter(isSnapshotName)) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined); // vanished meanwhile, or a dangling link
    if (info?.isFile()) files.push({ name, path, bytes: info.size, mtimeMs: info.mtimeMs });
  }
  return sortNewestFirst(files);
}
