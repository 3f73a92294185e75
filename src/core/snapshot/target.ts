import { lstat, realpath, stat, statfs } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { SnapshotFileError, explainStatError, kindOf, looksLikeSnapshot } from './file-shape.js';

/** Kernel filesystems (linux/magic.h): writing or listing snapshots there makes no sense and can spin or hang. */
const KERNEL_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
  [0x65735543, 'fusectl'],
  [0x6e736673, 'nsfs'],
  [0x958458f6, 'hugetlbfs'],
]);

/** devtmpfs reports tmpfs's magic: /dev is known by its path (/dev/shm, a plain tmpfs, stays usable). */
function kernelPrefix(real: string): string | undefined {
  for (const prefix of ['/proc', '/sys', '/dev']) {
    if (real !== prefix && !real.startsWith(prefix + sep)) continue;
    if (prefix === '/dev' && (real === '/dev/shm' || real.startsWith('/dev/shm/'))) return undefined;
    return prefix;
  }
  return undefined;
}

/** The path itself if it exists, else its nearest existing ancestor. */
async function nearestExisting(path: string): Promise<{ path: string; isDirectory: boolean }> {
  let probe = path;
  for (;;) {
    try {
      const info = await stat(probe);
      return { path: probe, isDirectory: info.isDirectory() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(probe) !== probe) {
        probe = dirname(probe);
        continue;
      }
      throw explainStatError(probe, err);
    }
  }
}

/**
 * A folder snapshots are written to, listed or pruned in: it may not exist
 * yet, but it is not under a file and not on a kernel filesystem (/proc,
 * /sys, /dev). `label` names the input at fault ("--snapshot-dir /proc/x").
 */
export async function checkSnapshotFolder(dir: string, label = dir): Promise<void> {
  const abs = resolve(dir);
  const found = await nearestExisting(abs);
  if (!found.isDirectory) {
    if (found.path === abs) throw new SnapshotFileError(`${label} is a file, not a folder`);
    throw new SnapshotFileError(`${label} is not a folder: ${found.path} is a file`);
  }
  const real = await realpath(found.path).catch(() => found.path);
  const prefix = kernelPrefix(real);
  if (prefix) throw new SnapshotFileError(`${label} is under ${prefix}, a kernel filesystem, not a disk: give a folder on a disk`);
  const fs = await statfs(real).catch(() => undefined);
  const name = fs ? KERNEL_FILESYSTEMS.get(Number(fs.type)) : undefined;
  if (name) throw new SnapshotFileError(`${label} is on ${name}, a kernel filesystem, not a disk: give a folder on a disk`);
}

/**
 * Where `snapshot save` may write: a new file, or an existing regular file
 * that is an etcd snapshot (any other regular file only with `force`). Never
 * a device, FIFO, socket, folder or symbolic link: the final rename would
 * replace it (as root, `snapshot save /dev/null` would remove /dev/null).
 */
export async function checkSaveTarget(file: string, options: { force: boolean }): Promise<void> {
  await checkSnapshotFolder(dirname(resolve(file)), `${file}: its folder`);
  let info;
  try {
    info = await lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw explainStatError(file, err);
  }
  if (info.isSymbolicLink()) {
    const to = await stat(file).catch(() => undefined);
    const what = to ? (to.isFile() ? 'a file' : kindOf(to)) : 'nothing';
    throw new SnapshotFileError(`refusing to write the snapshot to ${file}: it is a symbolic link (to ${what}); give the path it points to or a new name`);
  }
  if (!info.isFile()) throw new SnapshotFileError(`refusing to write the snapshot to ${file}: it is ${kindOf(info)}; give a new file name`);
  if (options.force) return;
  if (!(await looksLikeSnapshot(file, info.size).catch(() => false)))
    throw new SnapshotFileError(`refusing to overwrite ${file}: it exists and is not an etcd snapshot (add --force to replace it)`);
}

/** Letters, digits, dot, dash and underscore only: a name an operator can type without quotes. */
export function typeableName(text: string, fallback = 'etcd'): string {
  const safe = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return safe || fallback;
}
