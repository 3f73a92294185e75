/**
 * Runs a node's etcd as a child process on this machine, the way systemd runs
 * it on a real host: the node's own binary, ETCD_CONFIG_FILE pointing at its
 * rendered config, output appended to a log file, the pid kept in a pid file
 * under the node root. Only that pid is ever signalled, and only after
 * /proc confirms it still runs that node's binary.
 *
 * The process is detached so it outlives the command that started it (like a
 * service); `killOnExit` ties it to this process instead (tests, the demo).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PlannedAction } from '../../core/runbook/actions.js';
import type { EnableResult, ServiceManager, ServiceOperation, ServiceStatus, StopOptions } from '../../core/ports/service-manager.js';

export interface ProcessSupervisorOptions {
  /** The node's root directory (its "/"); "/" with absolute paths for a member whose files are not laid out like a host's (local test clusters). */
  rootDir: string;
  /** Node paths, mapped under rootDir. */
  binary?: string;
  configFile?: string;
  pidFile?: string;
  logFile?: string;
  /** Kill the process when this Node process exits (tests, demo). Default false. */
  killOnExit?: boolean;
}

export const SUPERVISOR_PATHS = {
  binary: '/usr/local/bin/etcd',
  configFile: '/etc/etcd/etcd.conf.yml',
  pidFile: '/run/etcd/etcd.pid',
  logFile: '/var/log/etcd/etcd.log',
} as const;

const ownedPids = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of ownedPids) signal(pid, 'SIGKILL');
  });
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export class ProcessSupervisor implements ServiceManager {
  readonly kind = 'process' as const;
  readonly binary: string;
  readonly configFile: string;
  readonly pidFile: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;

  constructor(private readonly options: ProcessSupervisorOptions) {
    const under = (p: string) => join(options.rootDir, p);
    this.binary = under(options.binary ?? SUPERVISOR_PATHS.binary);
    this.configFile = under(options.configFile ?? SUPERVISOR_PATHS.configFile);
    this.pidFile = under(options.pidFile ?? SUPERVISOR_PATHS.pidFile);
    this.logFile = under(options.logFile ?? SUPERVISOR_PATHS.logFile);
  }

  async start(): Promise<void> {
    if ((await this.status()).state === 'active') return;
    mkdirSync(dirname(this.logFile), { recursive: true, mode: 0o750 });
    mkdirSync(dirname(this.pidFile), { recursive: true, mode: 0o755 });
    const out = openSync(this.logFile, 'a', 0o640);
    let child: ChildProcess;
    try {
      child = spawn(this.binary, [], {
        cwd: this.options.rootDir,
        // A clean environment: etcd reads every ETCD_* variable as a flag.
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ETCD_CONFIG_FILE: this.configFile },
        detached: true,
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    // Every listener before the first await: an exit must not go unheard.
    let exited = false;
    child.once('exit', () => {
      exited = true;
      if (child.pid !== undefined) ownedPids.delete(child.pid);
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', (err) => reject(new Error(`cannot start ${this.binary}: ${err.message}`, { cause: err })));
    });
    this.child = child;
    child.unref();
    writeFileSync(this.pidFile, `${pid}\n`, { mode: 0o644 });
    if (this.options.killOnExit && !exited) {
      installExitHook();
      ownedPids.add(pid);
    }
  }

  /** SIGSTOP, SIGCONT, SIGKILL...: to the recorded pid, only while it is still this node's etcd. */
  signal(sig: NodeJS.Signals): void {
    const pid = this.ourPid();
    if (pid !== undefined) signal(pid, sig);
  }

  async stop(options: StopOptions = {}): Promise<void> {
    const pid = this.ourPid();
    if (pid !== undefined) {
      signal(pid, 'SIGCONT'); // a stopped process cannot act on SIGTERM
      const graceMs = options.graceMs ?? 10_000;
      signal(pid, graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
      const deadline = Date.now() + graceMs;
      while (this.alive(pid)) {
        if (Date.now() >= deadline) signal(pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 25));
      }
      ownedPids.delete(pid);
    }
    rmSync(this.pidFile, { force: true });
  }

  async status(): Promise<ServiceStatus> {
    const recorded = this.recordedPid();
    if (recorded === undefined) return { state: 'inactive', detail: 'not started' };
    const pid = this.ourPid();
    if (pid !== undefined) return { state: 'active', detail: `pid ${pid}`, pid };
    const exit = this.child?.pid === recorded && this.child.exitCode !== null ? ` with code ${this.child.exitCode}` : '';
    return { state: 'failed', detail: `etcd (pid ${recorded}) exited${exit}; see ${this.logFile}` };
  }

  async enable(): Promise<EnableResult> {
    return { kind: 'not-applicable', reason: 'local nodes have no init system: the process supervisor starts etcd directly' };
  }

  async logsTail(lines: number): Promise<string> {
    try {
      const text = await readFile(this.logFile, 'utf8');
      return text.trimEnd().split('\n').slice(-Math.max(1, lines)).join('\n');
    } catch {
      return `(no log yet at ${this.logFile})`;
    }
  }

  /** The supervisor works on this machine's files, whatever the transport. */
  over(): ServiceManager {
    return this;
  }

  plan(operation: ServiceOperation): PlannedAction[] {
    const local = (description: string): PlannedAction => ({ kind: 'local', description });
    switch (operation) {
      case 'start':
        return [local(`start ${this.binary} with ETCD_CONFIG_FILE=${this.configFile}, output to ${this.logFile}, pid in ${this.pidFile}`)];
      case 'stop':
        return [local(`stop the pid in ${this.pidFile} (SIGTERM, SIGKILL after the grace time)`)];
      case 'status':
        return [local(`check that the pid in ${this.pidFile} still runs ${this.binary}`)];
      case 'enable':
        return [];
      case 'logs-tail':
        return [local(`read the end of ${this.logFile}`)];
    }
  }

  private recordedPid(): number | undefined {
    try {
      const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
      return Number.isInteger(pid) && pid > 1 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** The recorded pid, only while it is alive and still this node's etcd (pids get reused). */
  private ourPid(): number | undefined {
    const pid = this.recordedPid();
    if (pid === undefined || !this.alive(pid)) return undefined;
    try {
      // argv[1] when the binary is a script run by its interpreter
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 2);
      return argv.includes(this.binary) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private alive(pid: number): boolean {
    if (!signal(pid, 0)) return false;
    try {
      // An exited child of ours stays a zombie until Node reaps it. A killed
      // etcd's main thread shows as a zombie while its other threads still
      // exit, its sockets still open: gone only once it is the last one.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z') return true;
      return readdirSync(`/proc/${pid}/task`).length > 1;
    } catch {
      return false;
    }
  }
}
