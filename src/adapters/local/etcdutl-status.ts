import { execFile } from 'node:child_process';
import { childEnv } from '../child-env.js';
import { EtcdutlStatusError, etcdutlReason, parseEtcdutlStatus, type SnapshotStatus, type SnapshotStatusReader } from '../../core/snapshot/verify.js';

/**
 * The reader core verifies snapshots with; `path` is looked up when a
 * snapshot is read, or earlier by `prepare()` (a lookup that failed there is
 * tried again, and reported, at the read).
 */
export function etcdutlStatusReader(path: string | (() => string)): SnapshotStatusReader {
  let found: string | undefined = typeof path === 'string' ? path : undefined;
  const lookUp = (): string => (found ??= (path as () => string)());
  const reader: SnapshotStatusReader = (file, options = {}) => snapshotStatus(file, lookUp(), options.timeoutMs, options.signal);
  reader.prepare = () => {
    try {
      lookUp();
    } catch {
      // said by the read itself
    }
  };
  return reader;
}

/** Runs `etcdutl snapshot status <file> -w json` (argv, no shell). Rejects with EtcdutlStatusError when etcdutl refuses the file. */
export function snapshotStatus(file: string, etcdutlPath: string, timeoutMs = 120_000, signal?: AbortSignal): Promise<SnapshotStatus> {
  return new Promise((resolve, reject) => {
    const options = { timeout: timeoutMs, maxBuffer: 1 << 20, env: childEnv(), ...(signal ? { signal } : {}) };
    execFile(etcdutlPath, ['snapshot', 'status', file, '-w', 'json'], options, (err, stdout, stderr) => {
      if (signal?.aborted) return reject(signal.reason);
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (typeof code === 'string') return reject(new Error(`cannot run etcdutl at ${etcdutlPath}: ${code}`));
        if (err.killed) return reject(new Error(`etcdutl snapshot status took longer than ${timeoutMs} ms`));
        return reject(new EtcdutlStatusError(etcdutlReason(stderr)));
      }
      try {
        resolve(parseEtcdutlStatus(stdout));
      } catch (parseErr) {
        reject(parseErr);
      }
    });
  });
}

