import { EventEmitter } from 'node:events';
import { render } from 'ink';
import { memo, type FunctionComponent, type ReactElement, type ReactNode } from 'react';

class FakeStdout extends EventEmitter {
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private pending: string | null = null;
  write(data: string): void {
    this.pending = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = (): string | null => {
    const data = this.pending;
    this.pending = null;
    return data;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

/**
 * Renders like the user sees it, at a chosen terminal size, with keys typed
 * into stdin. Ink's debug mode writes each whole frame, so lastFrame() is the
 * screen as text.
 */
export function renderAt(element: ReactElement, size: { columns: number; rows: number }) {
  const stdout = new FakeStdout(size.columns, size.rows);
  const stdin = new FakeStdin();
  const instance = render(element, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new FakeStdout(size.columns, size.rows) as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    lastFrame: (): string => stdout.frames.at(-1) ?? '',
    frameCount: (): number => stdout.frames.length,
    press: async (key: string): Promise<void> => {
      stdin.write(key);
      await tick();
    },
    /** Waits until the screen shows what `seen` looks for (a string, a pattern or a test), or fails with the last frame. */
    waitFor: async (seen: string | RegExp | ((frame: string) => boolean), timeoutMs = 3000): Promise<string> => {
      const test = typeof seen === 'string' ? (f: string) => plainText(f).includes(seen) : seen instanceof RegExp ? (f: string) => seen.test(plainText(f)) : seen;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = stdout.frames.at(-1) ?? '';
        if (test(frame)) return frame;
        if (Date.now() > deadline) throw new Error(`the screen never showed ${String(seen)}; last frame:\n${plainText(frame)}`);
        await tick(10);
      }
    },
    resize: async (columns: number, rows: number): Promise<void> => {
      stdout.resize(columns, rows);
      await tick();
    },
    unmount: () => instance.unmount(),
  };
}

/** A frame without its colours. */
export function plainText(frame: string): string {
  return frame.replace(/\x1b\[[0-9;]*m/g, '');
}

/**
 * Wraps a memo component (as vi.mock hands it over) so each run of its body
 * is counted under `name(props)`: same props comparison, same hooks, so the
 * count is the component's own re-renders, not its parent's.
 */
export function countRenders<P extends object>(component: unknown, name: (props: P) => string, counts: Record<string, number>): FunctionComponent<P> {
  const body = (component as { type?: (props: P) => ReactNode }).type;
  if (typeof body !== 'function') throw new Error('countRenders needs a component made with memo()');
  return memo((props: P) => {
    const key = name(props);
    counts[key] = (counts[key] ?? 0) + 1;
    return body(props);
  });
}

/** The frame once it shows `text`, or the last one after `tries` waits of 50 ms (the caller's expect says what was missing). */
export async function frameOnceItShows(ui: { lastFrame(): string }, text: string, tries = 200): Promise<string> {
  let frame = ui.lastFrame();
  for (let i = 0; i < tries && !frame.includes(text); i++) {
    await tick(50);
    frame = ui.lastFrame();
  }
  return frame;
}

export function tick(ms = 30): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export const KEYS = { right: '\x1b[C', left: '\x1b[D', down: '\x1b[B', up: '\x1b[A', tab: '\t', escape: '\x1b' } as const;
