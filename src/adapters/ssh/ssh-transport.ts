/**
 * Transport over one reused ssh2 connection. Host keys are checked against a
 * known_hosts file (see host-keys.ts); file writes go through `cat` on stdin
 * rather than SFTP so that they also work through `sudo`.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import ssh2 from 'ssh2';
import type { Client as SshClient, ClientChannel, ConnectConfig, ServerHostKeyAlgorithm } from 'ssh2';
import type { SshTarget } from '../../core/inventory/types.js';
import type { ExecOptions, ExecResult, Transport, WriteFileOptions } from '../../core/transport.js';
import { shq } from '../../core/shell-quote.js';
import { CommandLostError } from '../../core/errors/command-lost.js';
import { HostKeyError } from '../../core/errors/host-key-error.js';
import {
  checkHostKey,
  defaultKnownHostsPath,
  fingerprintSha256,
  hostKeyAlgorithmsFor,
  keyTypeOf,
  knownKeyTypes,
  readKnownHosts,
} from './host-keys.js';

const { Client } = ssh2;

export interface SshTransportOptions {
  /** Default `~/.ssh/known_hosts`. */
  knownHostsPath?: string;
  /**
   * A `SHA256:...` fingerprint the user already confirmed: accepted when the host
   * is not in known_hosts. A *changed* key is refused regardless.
   */
  trustedFingerprint?: string;
  /** Handshake timeout (TCP connect + key exchange + auth). Default 10 000 ms. */
  readyTimeoutMs?: number;
  /** Sees each command line as sent (for logs). Lines never hold secrets: those go on stdin. */
  onCommand?: (commandLine: string) => void;
}

/** Tries to open a channel the server refused (MaxSessions reached): ~5 s in all. */
const OPEN_ATTEMPTS = 15;

interface RawResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

export class SshTransport implements Transport {
  readonly label: string;
  private connecting: Promise<SshClient> | undefined;
  private client: SshClient | undefined;
  /** Per connection: resolves when it closes. */
  private readonly closed = new WeakMap<SshClient, Promise<void>>();
  /** Per connection that closed after it was ready: how it ended. */
  private readonly lost = new WeakMap<SshClient, string>();

  constructor(
    readonly target: SshTarget,
    private readonly options: SshTransportOptions = {},
  ) {
    this.label = `ssh ${target.user}@${target.host}:${target.port}`;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(command, firstWord(command), options);
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async writeFile(path: string, content: string | Buffer, options: WriteFileOptions): Promise<void> {
    const { mode } = options;
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new Error(`writeFile ${path}: invalid mode ${mode}`);
    const tmp = shq(`${path}.tmp.${randomBytes(6).toString('hex')}`);
    // noclobber + umask 077: the temp file is created fresh and owner-only, so
    // content is never readable by others, even before chmod.
    const steps = ['set -C', 'umask 077', `cat > ${tmp}`, `chmod ${mode.toString(8)} -- ${tmp}`];
    if (options.owner) steps.push(`chown -- ${shq(options.owner)} ${tmp}`);
    steps.push(`mv -f -- ${tmp} ${shq(path)}`);
    const script = `${steps.join(' && ')} || { rc=$?; rm -f -- ${tmp}; exit $rc; }`;
    const r = await this.run(script, `writeFile ${path}`, { stdin: content, ...(options.sudo ? { sudo: true } : {}) });
    if (r.code !== 0) {
      throw new Error(`writeFile ${path} on ${this.label} failed (exit ${r.code}): ${r.stderr.toString().trim()}`);
    }
  }

  async readFile(path: string, options: { sudo?: boolean } = {}): Promise<Buffer> {
    const r = await this.run(`cat -- ${shq(path)}`, `readFile ${path}`, options);
    if (r.code === 0) return r.stdout;
    const stderr = r.stderr.toString().trim();
    if (/no such file/i.test(stderr)) {
      throw Object.assign(new Error(`${path}: no such file on ${this.label}`), { code: 'ENOENT', path });
    }
    throw new Error(`cannot read ${path} on ${this.label} (exit ${r.code}): ${stderr}`);
  }

  /** Ends the connection; a later call opens a new one. */
  async close(): Promise<void> {
    const pending = this.connecting;
    this.connecting = undefined;
    this.client = undefined;
    if (!pending) return;
    let client: SshClient;
    try {
      client = await pending;
    } catch {
      return;
    }
    if (this.client === client) this.client = undefined;
    client.end();
    await Promise.race([this.closed.get(client), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  private connection(): Promise<SshClient> {
    if (!this.connecting) {
      const p = this.open();
      this.connecting = p;
      p.catch(() => {
        if (this.connecting === p) this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  private async open(): Promise<SshClient> {
    const { host, port, user } = this.target;
    const readyTimeout = this.options.readyTimeoutMs ?? 10_000;
    const knownHostsPath = this.options.knownHostsPath ?? defaultKnownHostsPath();
    const auth = await this.auth();
    const entries = await readKnownHosts(knownHostsPath);
    // Like OpenSSH: ask for a key type we can check, if known_hosts has one.
    const preferred = hostKeyAlgorithmsFor(knownKeyTypes(entries, host, port)) as ServerHostKeyAlgorithm[];
    let hostKeyError: Error | undefined;

    const config: ConnectConfig = {
      host,
      port,
      username: user,
      readyTimeout,
      ...auth,
      ...(preferred.length > 0 ? { algorithms: { serverHostKey: { remove: preferred, prepend: preferred, append: [] } } } : {}),
      hostVerifier: (key: Buffer): boolean => {
        try {
          hostKeyError = this.verifyHostKey(key, entries, knownHostsPath);
        } catch (err) {
          hostKeyError = new Error(`${this.label}: cannot check the host key: ${(err as Error).message}`, { cause: err });
        }
        return hostKeyError === undefined;
      },
    };

    const client = new Client();
    let lastError: Error | undefined;
    this.closed.set(client, new Promise((resolve) => client.once('close', () => resolve())));
    return new Promise<SshClient>((resolve, reject) => {
      let ready = false;
      client.on('ready', () => {
        ready = true;
        this.client = client;
        resolve(client);
      });
      client.on('error', (err: Error) => {
        lastError = err;
        if (!ready) reject(hostKeyError ?? this.connectError(err, readyTimeout));
      });
      // ssh2 emits this before it closes the connection's channels, so a
      // command cut off by it can say how the connection ended.
      client.on('close', () => {
        if (!ready) return reject(hostKeyError ?? new Error(`${this.label}: connection closed during handshake`));
        this.lost.set(client, describeLoss(lastError));
        if (this.client === client) {
          // closed on its own: the next call reconnects
          this.client = undefined;
          this.connecting = undefined;
        }
      });
      try {
        client.connect(config);
      } catch (err) {
        // ssh2 throws synchronously for unusable keys (e.g. passphrase-protected).
        const what = this.target.identityFile ? `identity file ${this.target.identityFile}` : 'ssh agent';
        reject(new Error(`${this.label}: cannot use ${what}: ${(err as Error).message}`, { cause: err }));
      }
    });
  }

  private async auth(): Promise<Pick<ConnectConfig, 'privateKey' | 'agent'>> {
    const { identityFile } = this.target;
    if (identityFile) {
      try {
        return { privateKey: await readFile(identityFile) };
      } catch (err) {
        throw new Error(`${this.label}: cannot read identity file ${identityFile}: ${(err as Error).message}`, { cause: err });
      }
    }
    const agent = process.env.SSH_AUTH_SOCK;
    if (agent) return { agent };
    throw new Error(`${this.label}: no identityFile configured and no SSH agent running (SSH_AUTH_SOCK is not set)`);
  }

  private verifyHostKey(key: Buffer, entries: Parameters<typeof checkHostKey>[0], knownHostsPath: string): HostKeyError | undefined {
    const { host, port } = this.target;
    const check = checkHostKey(entries, host, port, key);
    if (check.status === 'match') return undefined;
    const details = {
      host, port, knownHostsPath,
      keyType: keyTypeOf(key),
      fingerprint: fingerprintSha256(key),
      keyBase64: key.toString('base64'),
    };
    if (check.status === 'unknown') {
      const trusted = this.options.trustedFingerprint;
      if (trusted && normalizeFingerprint(trusted) === details.fingerprint) return undefined;
      return new HostKeyError('unknown', { ...details, knownTypes: check.knownTypes });
    }
    return new HostKeyError(check.status, { ...details, line: check.line });
  }

  private connectError(err: Error, readyTimeout: number): Error {
    const code = (err as NodeJS.ErrnoException).code;
    const level = (err as { level?: string }).level;
    let what: string;
    if (code === 'ECONNREFUSED') what = 'connection refused';
    else if (code === 'ETIMEDOUT' || level === 'client-timeout') what = `connection timed out after ${readyTimeout} ms`;
    else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') what = 'host not found';
    else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') what = 'host unreachable';
    else if (code === 'ECONNRESET') what = 'connection reset by peer';
    else if (level === 'client-authentication') {
      what = `authentication failed (${this.target.identityFile ? `key ${this.target.identityFile}` : 'ssh agent'})`;
    } else what = err.message;
    return new Error(`${this.label}: ${what}`, { cause: err });
  }

  /** Runs one command line; `name` is what errors call it (never the full line). */
  private async run(command: string, name: string, options: ExecOptions): Promise<RawResult> {
    const sudo = Boolean(options.sudo && this.target.sudo);
    let line = sudo ? `sudo -n sh -c ${shq(command)}` : command;
    // With a timeout, the line first prints its shell's pid, which is also its
    // process group (sshd starts each command with setsid), so a timeout can
    // kill the whole group. The ssh "signal" request can't do it: sshd refuses
    // it for root logins, and a user can't signal a sudo'ed command.
    if (options.timeoutMs !== undefined) line = `echo $$; ${line}`;
    this.options.onCommand?.(line);
    for (let attempt = 1; ; attempt++) {
      const client = await this.connection();
      try {
        return await this.runOn(client, line, name, options, sudo);
      } catch (err) {
        // sshd refuses new channels while MaxSessions (10) are open, and frees
        // a slot a moment after a command ends. Nothing ran: wait and retry.
        const refused = typeof ((err as Error).cause as { reason?: unknown } | undefined)?.reason === 'number';
        if (!refused || attempt >= OPEN_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.min(10 * 2 ** attempt, 500)));
      }
    }
  }

  private runOn(client: SshClient, line: string, name: string, options: ExecOptions, sudo: boolean): Promise<RawResult> {
    return new Promise<RawResult>((resolve, reject) => {
      const started = (err: Error | undefined, channel: ClientChannel) => {
        if (err) return reject(new Error(`${this.label}: cannot start ${name}: ${err.message}`, { cause: err }));
        // Listeners go on here, before this callback returns: ssh2 parses a
        // whole TCP read at once, so the exit status of a fast command can
        // arrive with this reply and be emitted right after it (issue 17).
        collect(channel, {
          name,
          label: this.label,
          options,
          onTimeout: (pid) => this.killGroup(pid, sudo),
          lost: () => new CommandLostError(name, this.label, this.target.host, this.lost.get(client)),
        }).then(resolve, reject);
      };
      try {
        client.exec(line, started);
      } catch (err) {
        // "Not connected": the connection closed since we got it; nothing was sent.
        reject(new Error(`${this.label}: cannot start ${name}: ${(err as Error).message}`, { cause: err }));
      }
    });
  }

  private async killGroup(pid: number | undefined, sudo: boolean): Promise<void> {
    if (pid === undefined) return;
    const kill = this.run(`kill -s KILL -- -${pid}`, 'kill', sudo ? { sudo } : {}).catch(() => undefined);
    await Promise.race([kill, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}

interface CollectOptions {
  name: string;
  label: string;
  options: ExecOptions;
  /** Called on timeout with the remote process group id (read from the first stdout line). */
  onTimeout: (pid: number | undefined) => Promise<void>;
  /** The error for a channel that closed without an exit status. */
  lost: () => Error;
}

function collect(channel: ClientChannel, { name, label, options, onTimeout, lost }: CollectOptions): Promise<RawResult> {
  return new Promise<RawResult>((resolve, reject) => {
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    let header: Buffer | undefined = options.timeoutMs !== undefined ? Buffer.alloc(0) : undefined;
    let pid: number | undefined;
    let code: number | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const emit = (stream: 'stdout' | 'stderr', chunk: Buffer) => {
      chunks[stream].push(chunk);
      const text = options.onOutput ? decoders[stream].write(chunk) : '';
      if (text) options.onOutput?.(text, stream);
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };

    channel.on('data', (chunk: Buffer) => {
      if (header) {
        header = Buffer.concat([header, chunk]);
        const nl = header.indexOf(0x0a);
        if (nl === -1) return;
        const n = Number(header.subarray(0, nl).toString());
        if (Number.isInteger(n) && n > 1) pid = n;
        chunk = header.subarray(nl + 1);
        header = undefined;
        if (chunk.length === 0) return;
      }
      emit('stdout', chunk);
    });
    channel.stderr.on('data', (chunk: Buffer) => emit('stderr', chunk));
    channel.on('exit', (status: number | null, signal?: string) => {
      code = status ?? 128 + (osConstants.signals[`SIG${signal}` as NodeJS.Signals] ?? 127);
    });
    channel.on('error', (err: Error) => fail(new Error(`${name} on ${label}: ${err.message}`, { cause: err })));
    channel.on('close', () => {
      if (settled) return;
      if (code === undefined) return fail(lost());
      settled = true;
      clearTimeout(timer);
      if (header?.length) emit('stdout', header);
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = options.onOutput ? decoders[stream].end() : '';
        if (rest) options.onOutput?.(rest, stream);
      }
      resolve({ code, stdout: Buffer.concat(chunks.stdout), stderr: Buffer.concat(chunks.stderr) });
    });

    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        const err = Object.assign(new Error(`${name}: timed out after ${options.timeoutMs} ms on ${label}`), { code: 'ETIMEDOUT' });
        void onTimeout(pid).finally(() => {
          channel.close();
          reject(err);
        });
      }, options.timeoutMs);
    }
    if (options.stdin !== undefined) channel.end(options.stdin);
    else channel.end();
  });
}

function describeLoss(err: Error | undefined): string {
  if (!err) return 'closed by the other end';
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'ETIMEDOUT') return 'timed out';
  if (code === 'EPIPE') return 'broken pipe';
  return err.message;
}

function firstWord(command: string): string {
  return command.trim().split(/\s+/)[0] || '(empty command)';
}

function normalizeFingerprint(fp: string): string {
  const bare = fp.trim().replace(/^SHA256:/i, '').replace(/=+$/, '');
  return `SHA256:${bare}`;
}
