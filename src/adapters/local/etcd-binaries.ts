import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EtcdBinaries } from '../../core/ports/etcd-binaries.js';


const PROJECT_CACHE = fileURLToPath(new URL('../../../.cache/etcd/bin', import.meta.url));

export const INSTALL_HINT =
  'etcd 3.5 not found: run `npm run setup:etcd` (installs etcd, etcdctl and etcdutl 3.5 from Debian packages into .cache/etcd/bin) or set ETCD_BIN_DIR to a folder holding them';

/** Finds etcd 3.5: $ETCD_BIN_DIR, then the project cache, then $PATH. Throws with install instructions. */
export function findEtcdBinaries(env: Record<string, string | undefined> = process.env): EtcdBinaries {
  const dirs = [env.ETCD_BIN_DIR, PROJECT_CACHE, ...(env.PATH ?? '').split(delimiter)].filter((d): d is string => !!d);
  for (const dir of dirs) {
    const etcd = join(dir, 'etcd');
    if (!existsSync(etcd)) continue;
    const version = versionOf(etcd);
    if (!version?.startsWith('3.5.')) continue;
    const etcdctl = join(dir, 'etcdctl');
    const etcdutl = join(dir, 'etcdutl');
    if (existsSync(etcdctl) && existsSync(etcdutl)) return { etcd, etcdctl, etcdutl, version };
  }
  throw new Error(INSTALL_HINT);
}

function versionOf(etcd: string): string | undefined {
  try {
    const out = execFileSync(etcd, ['--version'], { encoding: 'utf8', timeout: 5000 });
    return out.match(/etcd Version: (\S+)/)?.[1];
  } catch {
    return undefined;
  }
}
