import pty from 'node-pty';
import xtermHeadless from '@xterm/headless';

const { Terminal } = xtermHeadless;

/**
 * Runs a command in a real pseudo-terminal and keeps a headless xterm fed with
 * its output, so tests read the screen exactly as a user's terminal shows it.
 */
export class PtyScreen {
  private readonly term: InstanceType<typeof Terminal>;
  private readonly proc: pty.IPty;
  raw = '';
  private readonly dataListeners = new Set<() => void>();
  exitCode: number | undefined;
  private readonly exited: Promise<number>;

  constructor(command: string, args: string[], options: { columns: number; rows: number; env: Record<string, string> }) {
    this.term = new Terminal({ cols: options.columns, rows: options.rows, allowProposedApi: true });
    this.proc = pty.spawn(command, args, { cols: options.columns, rows: options.rows, env: options.env, name: 'xterm-256color' });
    this.proc.onData((d) => {
      this.raw += d;
      this.term.write(d);
      for (const listener of this.dataListeners) listener();
    });
    this.exited = new Promise((resolve) =>
      this.proc.onExit(({ exitCode }) => {
        this.exitCode = exitCode;
        resolve(exitCode);
      }),
    );
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** The visible screen as lines of text. */
  text(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  type(keys: string): void {
    this.proc.write(keys);
  }

  /**
   * Types keys and resolves with the milliseconds until the program wrote
   * `expected`, timed at the moment its bytes arrive (no polling delay).
   */
  typeAndTime(keys: string, expected: string, timeoutMs: number): Promise<number> {
    const from = this.raw.length;
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const check = (): void => {
        if (!this.raw.slice(from).includes(expected)) return;
        cleanup();
        resolve(performance.now() - started);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no "${expected}" within ${timeoutMs} ms of typing ${JSON.stringify(keys)}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.dataListeners.delete(check);
      };
      this.dataListeners.add(check);
      this.proc.write(keys);
    });
  }

  /** Polls the screen until `test` passes; returns how long it took. Throws with the screen on timeout. */
  async waitFor(test: (screen: string) => boolean, timeoutMs: number, what: string): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < timeoutMs) {
      await new Promise<void>((r) => this.term.write('', () => r()));
      if (test(this.text())) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${this.text()}`);
  }

  waitForExit(timeoutMs: number): Promise<number> {
    return Promise.race([
      this.exited,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error('process did not exit')), timeoutMs)),
    ]);
  }

  kill(): void {
    if (this.exitCode === undefined) {
      try {
        process.kill(this.proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}
