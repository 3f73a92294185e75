import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { TlsFiles } from '../../core/inventory/types.js';

/**
 * Calls `changed` when a TLS file is replaced or rewritten on disk (a renewed
 * client certificate, a rotated CA), so a long-running cockpit picks it up
 * without a restart. Polls the files' stat (works across atomic renames,
 * unlike inotify on the old inode); never keeps the process alive.
 */
export function watchTlsFiles(files: TlsFiles, changed: () => void, everyMs = 2000): () => void {
  const paths = [files.cacert, files.cert, files.key].filter((p): p is string => Boolean(p));
  const listener = (now: Stats, before: Stats): void => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) changed();
  };
  for (const path of paths) watchFile(path, { interval: everyMs, persistent: false }, listener);
  return () => {
    for (const path of paths) unwatchFile(path, listener);
  };
}
