import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EtcdBinaries } from '../../core/ports/etcd-binaries.js';


const PROJECT_CACHE = fileURLToPath(new URL('../../../.cache/etcd/bin', import.meta.url));

export const INSTALL_HINT =
  'etcd 3.5 not found: run `npm run setup:etcd` (installs etcd, etcdctl and etcdutl 3.5 from Debian packages into .cache/etcd/bin) or set ETCD_BIN_DIR to a folder holding them';

/** Finds etcd 3.5: $ETCD_BIN_DIR, then the project cache, then $PATH. Throws with install instructions. */
export function findEtcdBinaries(env: Record<string, string | undefined> = process.env): EtcdBinaries {
  for (const dir of candidateDirs(env)) {
    const etcd = join(dir, 'etcd');
    if (!existsSync(etcd)) continue;
    const found = binariesIn(dir, versionOf(etcd));
    if (found) return found;
  }
  throw new Error(INSTALL_HINT);
}

/** The same search without blocking: `etcd --version` runs while the caller goes on (a snapshot streaming, say). */
export async function findEtcdBinariesAsync(env: Record<string, string | undefined> = process.env): Promise<EtcdBinaries> {
  for (const dir of candidateDirs(env)) {
    const etcd = join(dir, 'etcd');
    if (!existsSync(etcd)) continue;
    const found = binariesIn(dir, await versionOfAsync(etcd));
    if (found) return found;
  }
  throw new Error(INSTALL_HINT);
}

function candidateDirs(env: Record<string, string | undefined>): string[] {
  return [env.ETCD_BIN_DIR, PROJECT_CACHE, ...(env.PATH ?? '').split(delimiter)].filter((d): d is string => !!d);
}

function binariesIn(dir: string, version: string | undefined): EtcdBinaries | undefined {
  if (!version?.startsWith('3.5.')) return undefined;
  const etcdctl = join(dir, 'etcdctl');
  const etcdutl = join(dir, 'etcdutl');
  return existsSync(etcdctl) && existsSync(etcdutl) ? { etcd: join(dir, 'etcd'), etcdctl, etcdutl, version } : undefined;
}

function versionOf(etcd: string): string | undefined {
  try {
    return versionIn(execFileSync(etcd, ['--version'], { encoding: 'utf8', timeout: 5000 }));
  } catch {
    return undefined;
  }
}

function versionOfAsync(etcd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(etcd, ['--version'], { encoding: 'utf8', timeout: 5000 }, (err, out) => resolve(err ? undefined : versionIn(out)));
  });
}

function versionIn(out: string): string | undefined {
  return out.match(/etcd Version: (\S+)/)?.[1];
}
