import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatAge } from '../format/time.js';
import { SnapshotFileError } from './file-shape.js';
import { SIDECAR_SUFFIX, readMatchingSidecar, type SnapshotRecord } from './sidecar.js';

export interface SnapshotFile {
  name: string;
  path: string;
  bytes: number;
  mtimeMs: number;
  /** Present when the cockpit saved and verified this file and it is unchanged since. */
  record?: SnapshotRecord;
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

export interface ListOptions {
  /** Also look one level down: the default folder holds one sub-folder per cluster. */
  subfolders?: boolean;
  /** Refuse (SnapshotFileError) a folder that does not exist instead of listing none. */
  mustExist?: boolean;
}

async function readFolder(dir: string, mustExist: boolean): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !mustExist) return [];
    if (code === 'ENOENT') throw new SnapshotFileError(`no such folder: ${dir}`);
    if (code === 'ENOTDIR') throw new SnapshotFileError(`${dir} is not a folder (it is a file, or a part of its path is)`);
    if (code === 'EACCES' || code === 'EPERM') throw new SnapshotFileError(`cannot list ${dir}: permission denied`);
    throw err;
  }
}

/** Snapshot files in `dir` (and with `subfolders`, in its sub-folders), newest first: by name, or by a matching `.cockpit.json` record. */
export async function listSnapshots(dir: string, options: ListOptions = {}): Promise<SnapshotFile[]> {
  const names = await readFolder(dir, options.mustExist ?? false);
  const files: SnapshotFile[] = [];
  const recorded = new Set(names.filter((n) => n.endsWith(SIDECAR_SUFFIX)).map((n) => n.slice(0, -SIDECAR_SUFFIX.length)));
  for (const name of names) {
    if (name.startsWith('.') || name.includes('.part.') || name.endsWith(SIDECAR_SUFFIX)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined); // vanished meanwhile, or a dangling link
    if (info?.isDirectory() && options.subfolders) {
      files.push(...(await listSnapshots(path, { mustExist: false }).catch(() => [])));
      continue;
    }
    if (!info?.isFile() || !(isSnapshotName(name) || recorded.has(name))) continue;
    const file: SnapshotFile = { name, path, bytes: info.size, mtimeMs: info.mtimeMs };
    const record = recorded.has(name) ? await readMatchingSidecar(path, info.size) : undefined;
    if (record) file.record = record;
    files.push(file);
  }
  return sortNewestFirst(files);
}
