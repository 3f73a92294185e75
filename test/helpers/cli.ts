import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/etcd-cockpit', import.meta.url));
// Only bin/etcd-cockpit names the entry point inside dist/.
const BUILT = fileURLToPath(new URL('../../dist/', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built command (not the sources): what a user runs. Secrets go through `env`, never argv. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<CliRun> {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      // No user config of whoever runs the tests: a test that wants one passes --config.
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_CONFIG_HOME: '/nonexistent/etcd-cockpit-tests', ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}
