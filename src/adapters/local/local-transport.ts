/**
 * Transport that runs a node's steps on this machine, under a root directory
 * standing in for the node's filesystem.
 *
 * Path mapping: writeFile/readFile paths are mapped under rootDir, so
 * `/etc/etcd/pki/ca.crt` (or `etc/etcd/pki/ca.crt`) means
 * `<rootDir>/etc/etcd/pki/ca.crt`; `..` cannot climb out of the root.
 * exec() does NOT rewrite command lines: commands run with cwd=rootDir and
 * `NODE_ROOT=<rootDir>` in the environment, so steps written as
 * `mkdir -p "$NODE_ROOT/etc/etcd"` work both here and over SSH (where
 * NODE_ROOT is unset, i.e. empty).
 *
 * `sudo` is ignored. `owner` is applied only when running as root and the
 * user exists here; otherwise it is ignored.
 */
import { childEnv } from '../child-env.js';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, copyFile, open, readFile, rename, unlink } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';
import type { ExecOptions, ExecResult, Transport, WriteFileOptions } from '../../core/transport.js';

const execFileP = promisify(execFile);

export class LocalTransport implements Transport {
  readonly label: string;
  readonly rootDir: string;
  /** Process-group ids of commands still running (killed by close()). */
  private readonly running = new Set<number>();

  constructor(rootDir: string, label?: string) {
    this.rootDir = resolve(rootDir);
    this.label = label ?? `local ${this.rootDir}`;
  }

  /** The real path of a node path: always inside rootDir. */
  async copyFromLocal(file: string, path: string): Promise<void> {
    await copyFile(file, this.resolvePath(path));
  }

  resolvePath(path: string): string {
    return join(this.rootDir, resolve('/', path));
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const name = command.trim().split(/\s+/)[0] || '(empty command)';
    return new Promise<ExecResult>((resolvePromise, reject) => {
      // detached: the command leads its own process group, so a timeout kills its children too
      const child = spawn('sh', ['-c', command], {
        cwd: this.rootDir,
        env: childEnv(process.env, { NODE_ROOT: this.rootDir }),
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const pid = child.pid;
      if (pid !== undefined) this.running.add(pid);
      const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
      const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        if (pid !== undefined) this.running.delete(pid);
      };
      const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
        chunks[stream].push(chunk);
        const text = options.onOutput ? decoders[stream].write(chunk) : '';
        if (text) options.onOutput?.(text, stream);
      };

      child.stdout.on('data', onData('stdout'));
      child.stderr.on('data', onData('stderr'));
      child.on('error', (err) => {
        if (settled) return;
        finish();
        reject(new Error(`${name}: cannot start on ${this.label}: ${err.message}`, { cause: err }));
      });
      child.on('close', (code, signal) => {
        if (settled) return;
        finish();
        for (const stream of ['stdout', 'stderr'] as const) {
          const rest = options.onOutput ? decoders[stream].end() : '';
          if (rest) options.onOutput?.(rest, stream);
        }
        resolvePromise({
          code: code ?? 128 + (signal ? osConstants.signals[signal] : 127),
          stdout: Buffer.concat(chunks.stdout).toString('utf8'),
          stderr: Buffer.concat(chunks.stderr).toString('utf8'),
        });
      });

      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          if (settled) return;
          finish();
          if (pid !== undefined) killGroup(pid);
          reject(Object.assign(new Error(`${name}: timed out after ${options.timeoutMs} ms on ${this.label}`), { code: 'ETIMEDOUT' }));
        }, options.timeoutMs);
      }
      child.stdin.on('error', () => {}); // EPIPE when the command doesn't read its stdin
      child.stdin.end(options.stdin);
    });
  }

  async writeFile(path: string, content: string | Buffer, options: WriteFileOptions): Promise<void> {
    const { mode } = options;
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new Error(`writeFile ${path}: invalid mode ${mode}`);
    const target = this.resolvePath(path);
    const tmp = `${target}.tmp.${randomBytes(6).toString('hex')}`;
    try {
      // created owner-only and exclusively; the final mode is set once the content is in
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(content);
        await fh.chmod(mode);
        await fh.sync();
      } finally {
        await fh.close();
      }
      const ids = options.owner ? await lookupOwner(options.owner) : undefined;
      if (ids) await chown(tmp, ids.uid, ids.gid);
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw new Error(`writeFile ${path} on ${this.label} (${target}): ${(err as Error).message}`, { cause: err });
    }
  }

  async readFile(path: string): Promise<Buffer> {
    const real = this.resolvePath(path);
    try {
      return await readFile(real);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw Object.assign(new Error(`${path}: no such file on ${this.label} (${real})`), { code: 'ENOENT', path });
      }
      throw new Error(`cannot read ${path} on ${this.label} (${real}): ${(err as Error).message}`, { cause: err });
    }
  }

  /** Kills commands still running. */
  async close(): Promise<void> {
    for (const pid of this.running) killGroup(pid);
    this.running.clear();
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** uid/gid for `user[:group]` when we are root and the user exists here; else undefined (owner ignored). */
async function lookupOwner(owner: string): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [user = '', group] = owner.split(':');
  const uid = await getentId('passwd', user);
  if (uid === undefined) return undefined;
  const gid = group ? await getentId('group', group) : undefined;
  return { uid, gid: gid ?? -1 };
}

async function getentId(db: 'passwd' | 'group', name: string): Promise<number | undefined> {
  if (!name) return undefined;
  try {
    const { stdout } = await execFileP('getent', [db, name]);
    const id = Number(stdout.split(':')[2]);
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
