import { spawn, type ChildProcess } from 'node:child_process';
import { childEnv } from '../child-env.js';
import { appendFileSync, openSync, closeSync, readFileSync } from 'node:fs';

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last resort: never leave an etcd behind when this process ends (also on a crash). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) if (child.pid && child.exitCode === null) safeKill(child.pid, 'SIGKILL');
  });
}

function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** One etcd member running on this machine, controlled by its pid only. */
export class EtcdProcess {
  private child?: ChildProcess;

  constructor(
    readonly name: string,
    private readonly etcdBinary: string,
    readonly configFile: string,
    readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  start(): void {
    if (this.pid) return;
    installExitHook();
    const out = openSync(this.logFile, 'a');
    const child = spawn(this.etcdBinary, ['--config-file', this.configFile], { stdio: ['ignore', out, out], env: childEnv(withoutEtcdFlags(process.env)) });
    closeSync(out);
    running.add(child);
    child.once('exit', () => running.delete(child));
    // Without a listener, a binary that cannot be started would crash this process.
    child.once('error', (err) => {
      running.delete(child);
      try {
        appendFileSync(this.logFile, `cannot start ${this.etcdBinary}: ${err.message}\n`);
      } catch {
        /* the log tail then says "(no log yet)" */
      }
    });
    this.child = child;
  }

  signal(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid) safeKill(pid, signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 2000): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    safeKill(child.pid, 'SIGCONT'); // a stopped process cannot act on SIGTERM
    safeKill(child.pid, graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
    const timer = setTimeout(() => child.pid && safeKill(child.pid, 'SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  logTail(lines = 5): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log yet)';
    }
  }
}

/** etcd reads every ETCD_* variable as a flag: only the config file may configure it. */
function withoutEtcdFlags(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('ETCD_')));
}
