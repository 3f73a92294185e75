// The live view as a user runs it: the real command in a pseudo-terminal
// (node-pty), its output fed to a headless xterm so the screen can be read.
import pty from 'node-pty';
import xtermHeadless from '@xterm/headless';
import { BIN, killPid, trackPid, untrackPid } from './lib.js';
import { cockpitEnv } from './jobs.js';

const COLS = 120;
const ROWS = 40;
/** The last line of the help screen (HelpScreen.tsx): there once the help is drawn. */
const HELP_SHOWN = 'closes this help';

export class TuiInPty {
  bytes = 0;
  listeners = new Set();

  /** Output bursts (a gap of more than 5 ms between chunks starts a new one): about one per frame Ink draws. */
  bursts = 0;
  lastChunkAt = -Infinity;

  /**
   * `nodeArgs` (e.g. --cpu-prof, which NODE_OPTIONS refuses) runs the script
   * under node with these flags; they replace the shebang's, so repeat those.
   */
  constructor(cluster, dir, { nodeArgs } = {}) {
    this.started = performance.now();
    this.term = new xtermHeadless.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
    const env = { ...cockpitEnv(cluster, dir), TERM: 'xterm-256color' };
    const [file, args] = nodeArgs ? [process.execPath, [...nodeArgs, BIN]] : [BIN, []];
    this.proc = pty.spawn(file, [...args, '-f', cluster.inventoryPath], { cols: COLS, rows: ROWS, env, name: 'xterm-256color' });
    this.pid = this.proc.pid;
    trackPid(this.pid);
    this.exited = new Promise((resolve) =>
      this.proc.onExit(() => {
        untrackPid(this.pid);
        resolve();
      }),
    );
    this.proc.onData((d) => {
      this.bytes += Buffer.byteLength(d);
      const at = performance.now();
      if (at - this.lastChunkAt > 5) this.bursts++;
      this.lastChunkAt = at;
      this.term.write(d, () => {
        for (const l of this.listeners) l(at);
      });
    });
  }

  screen() {
    const b = this.term.buffer.active;
    return Array.from({ length: ROWS }, (_, y) => b.getLine(b.viewportY + y)?.translateToString(true) ?? '').join('\n');
  }

  /** Milliseconds from launch until every member answers and the leader is shown. */
  async firstFrame(timeoutMs = 20_000) {
    await this.until(() => /3\/3 answering/.test(this.screen()) && /★ leader/.test(this.screen()), timeoutMs, 'no first frame with live data');
    return Math.round(performance.now() - this.started);
  }

  /**
   * Presses `?` and times until the bytes that put the help on the screen
   * arrive (timed at their arrival, not polled), then closes it again and
   * waits until it is gone.
   */
  async timeHelp(timeoutMs = 10_000) {
    const shown = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no help screen ${timeoutMs} ms after pressing ?:\n${this.screen()}`));
      }, timeoutMs);
      const listener = (arrived) => {
        if (!this.screen().includes(HELP_SHOWN)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(arrived);
      };
      this.listeners.add(listener);
    });
    const pressed = performance.now();
    this.proc.write('?');
    const ms = (await shown) - pressed;
    this.proc.write('?');
    await this.until(() => !this.screen().includes(HELP_SHOWN), timeoutMs, 'the help screen did not close');
    return ms;
  }

  /** Times the help again and again until `work` settles: the worst and how many presses. */
  async helpDuring(work, gapMs = 150) {
    let done = false;
    const finished = work.finally(() => (done = true));
    finished.catch(() => undefined);
    const samples = [];
    do {
      samples.push(await this.timeHelp());
      await new Promise((r) => setTimeout(r, gapMs));
    } while (!done);
    await finished;
    const sorted = [...samples].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { worst: sorted.at(-1), median: at(0.5), p95: at(0.95), presses: samples.length };
  }

  async until(test, timeoutMs, what) {
    const started = performance.now();
    while (!test()) {
      if (performance.now() - started > timeoutMs) throw new Error(`${what} within ${timeoutMs} ms:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** SIGTERM, then SIGKILL if it has not gone within 2 s. */
  async stop() {
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => killPid(this.pid), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}
