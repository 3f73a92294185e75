import { execFile } from 'node:child_process';
import { childEnv } from '../child-env.js';
import { EtcdutlStatusError, etcdutlReason, parseEtcdutlStatus, type SnapshotStatus, type SnapshotStatusReader } from '../../core/snapshot/verify.js';

/** The reader core verifies snapshots with; `path` is looked up only when a snapshot is read. */
export function etcdutlStatusReader(path: string | (() => string)): SnapshotStatusReader {
  return (file, options = {}) => snapshotStatus(file, typeof path === 'string' ? path : path(), options.timeoutMs, options.signal);
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

