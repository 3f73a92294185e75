/**
 * What the lab tests share: a lab of their own (unique name, torn down by pid
 * in afterAll, and by a watchdog if the test process dies first), and the
 * built cockpit run inside the lab's network namespace as a user runs it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findEtcdBinaries } from '../../src/adapters/local/etcd-binaries.js';
import { startLab } from './lab.js';
import { labPrerequisiteProblem } from './prereqs.js';
import { runRunbookIn } from './soak.js';

export const BIN = fileURLToPath(new URL('../../bin/etcd-cockpit', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/app/main.js', import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface LabHost {
  name: string;
  ip: string;
  variant: 'base' | 'patroni';
  pid1?: number;
  nspawnPid?: number;
}

/** The JavaScript Lab class, as the tests use it. */
export interface Lab {
  name: string;
  dir: string;
  netns: string;
  hosts: LabHost[];
  identityFile: string;
  knownHosts: string;
  inventoryPath: string;
  state: { subnet: string; gateway: string; timings?: { rootfsMs: number; hostsUpMs: number } };
  host(name: string): LabHost;
  netnsArgv(argv: string[]): string[];
  exec(argv: string[], options?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  ssh(host: string, command: string[], options?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  root(host: string, argv: string[], options?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  rootDir(host: string): string;
  crash(host: string): Promise<void>;
  boot(host: string): Promise<void>;
  reboot(host: string, options?: { offMs?: number }): Promise<void>;
  link(host: string, up: boolean): Promise<void>;
  hostKeyNow(host: string): string;
  down(): Promise<void>;
}

/** Throws the one line that says what to install when the lab cannot run here: never a silent skip. */
export function requireLabTools(): void {
  const problem = labPrerequisiteProblem() as string | undefined;
  if (problem) throw new Error(problem);
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
}

export async function startTestLab(options: { etcdHosts?: number; patroni?: boolean; tmpfs?: Record<string, string> } = {}): Promise<Lab> {
  requireLabTools();
  const name = `t${randomBytes(4).toString('hex')}`;
  const lab = (await startLab({ name, watchdog: true, log: (l: string) => console.log(`lab ${name}: ${l}`), ...options })) as Lab;
  mkdirSync(join(lab.dir, 'home'), { recursive: true, mode: 0o700 });
  return lab;
}

/** The built command inside the lab's namespace, with a HOME of the lab's own (audit log, snapshots, no user config). */
export function cockpit(lab: Lab, args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
  const argv = lab.netnsArgv([process.execPath, BIN, ...args]);
  const env = { PATH: process.env.PATH ?? '', HOME: join(lab.dir, 'home'), XDG_CONFIG_HOME: '/nonexistent/etcd-cockpit-tests', ...options.env };
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { env, timeout: options.timeoutMs ?? 180_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** `runbook run` on the lab's hosts through the built command. */
export function runbook(lab: Lab, extraArgs: string[] = []): Promise<RunResult> {
  return runRunbookIn(lab, { extraArgs }) as Promise<RunResult>;
}

/** The runbook from empty hosts: one run, no retry (issue 17's lost exit status is fixed in the transport). */
export function runbookFromEmpty(lab: Lab): Promise<RunResult> {
  return runbook(lab);
}

/** Polls until check() is truthy; throws with the last value seen. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * etcdctl against etcd-1 (or `endpoint`) with the runbook's root client
 * certificate: CN=root is root over gRPC, so no password goes on argv.
 */
export function etcdctl(lab: Lab, args: string[], options: { input?: string; endpoint?: string } = {}): Promise<RunResult> {
  const pki = (...parts: string[]) => join(lab.dir, 'work', 'pki', ...parts);
  const endpoint = options.endpoint ?? `https://${lab.host('etcd-1').ip}:2379`;
  return lab.exec(
    [findEtcdBinaries().etcdctl, `--endpoints=${endpoint}`, `--cacert=${pki('ca.crt')}`, `--cert=${pki('clients', 'root.crt')}`, `--key=${pki('clients', 'root.key')}`, ...args],
    { ...(options.input !== undefined ? { input: options.input } : {}), timeoutMs: 30_000 },
  );
}
