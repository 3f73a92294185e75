import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { ReactElement } from 'react';

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
    resize: async (columns: number, rows: number): Promise<void> => {
      stdout.resize(columns, rows);
      await tick();
    },
    unmount: () => instance.unmount(),
  };
}

export function tick(ms = 30): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export const KEYS = { right: '\x1b[C', left: '\x1b[D', down: '\x1b[B', up: '\x1b[A', tab: '\t', escape: '\x1b' } as const;
