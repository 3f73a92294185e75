/**
 * One cleanup process per harness (cleanup-watchdog.mjs): everything the
 * harness creates is registered with it first, and it removes all of it when
 * finish() is called or when this process dies, however it dies.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export interface Watchdog {
  /** Registers something to remove; call it before creating the thing. */
  register(kind: 'pid' | 'user' | 'file' | 'dir', value: string | number): void;
  /** Removes everything registered; rejects when a user could not be removed. */
  finish(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./cleanup-watchdog.mjs', import.meta.url));

export function startWatchdog(): Watchdog {
  const dog = spawn(process.execPath, [SCRIPT], { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
  const stdin = dog.stdin as Writable & { unref?: () => void };
  let stderr = '';
  dog.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => dog.once('exit', (code) => resolve(code)));
  // Neither the process nor its pipes keep this process alive.
  stdin.unref?.();
  (dog.stderr as unknown as { unref?: () => void }).unref?.();
  dog.unref();
  let finished: Promise<void> | undefined;
  return {
    register(kind, value) {
      if (String(value).includes('\n')) throw new Error(`watchdog: bad ${kind} ${value}`);
      stdin.write(`${kind} ${value}\n`);
    },
    finish() {
      finished ??= (async () => {
        stdin.end();
        const code = await exited;
        if (code !== 0) throw new Error(`test cleanup failed (exit ${code}): ${stderr.trim()}`);
      })();
      return finished;
    },
  };
}
