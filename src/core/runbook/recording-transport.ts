/**
 * The transport a step sees: the node's own, plus a record of every command
 * and file write it performs (and their output), with secrets redacted.
 * Recording is off while the engine runs a step's check.
 */
import type { ExecOptions, ExecResult, Transport, WriteFileOptions } from '../transport.js';
import { modeText } from './actions.js';
import type { OutputStream } from './events.js';

export interface TransportRecorder {
  output(stream: OutputStream, chunk: string): void;
  action(what: string, ok: boolean): void;
}

export class RecordingTransport implements Transport {
  /** When false, commands run silently (checks). */
  recording = false;

  constructor(
    private readonly inner: Transport,
    private readonly recorder: TransportRecorder,
  ) {}

  get label(): string {
    return this.inner.label;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const recording = this.recording;
    const onOutput = (chunk: string, stream: 'stdout' | 'stderr') => {
      if (recording) this.recorder.output(stream, chunk);
      options.onOutput?.(chunk, stream);
    };
    const what = `${options.sudo ? 'sudo ' : ''}$ ${command}`;
    try {
      const result = await this.inner.exec(command, { ...options, onOutput });
      if (recording) this.recorder.action(result.code === 0 ? what : `${what}  (exit ${result.code})`, result.code === 0);
      return result;
    } catch (err) {
      if (recording) this.recorder.action(`${what}  (${(err as Error).message})`, false);
      throw err;
    }
  }

  async writeFile(path: string, content: string | Buffer, options: WriteFileOptions): Promise<void> {
    const what = `write ${path} (mode ${modeText(options.mode)}${options.owner ? `, owner ${options.owner}` : ''}, ${Buffer.byteLength(content)} bytes)`;
    try {
      await this.inner.writeFile(path, content, options);
      if (this.recording) this.recorder.action(what, true);
    } catch (err) {
      if (this.recording) this.recorder.action(`${what}: ${(err as Error).message}`, false);
      throw err;
    }
  }

  readFile(path: string, options?: { sudo?: boolean }): Promise<Buffer> {
    return this.inner.readFile(path, options);
  }

  /** The node's connection is shared by all steps: the engine closes it, not a step. */
  async close(): Promise<void> {}
}
