import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SshTarget } from '../src/core/inventory/types.js';
import { HostKeyError } from '../src/core/errors/host-key-error.js';
import {
  acceptHostKey,
  checkHostKey,
  hostMatches,
  parseKnownHosts,
} from '../src/adapters/ssh/host-keys.js';
import { SshTransport, type SshTransportOptions } from '../src/adapters/ssh/ssh-transport.js';
import { freePort, keygenFingerprint, startSshd, type TestSshd } from './helpers/sshd.js';

let sshd: TestSshd;
let work: string;
const open: SshTransport[] = [];

beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);

afterAll(async () => {
  await sshd?.stop();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
  if (work) rmSync(work, { recursive: true, force: true });
});

function target(extra: Partial<SshTarget> = {}): SshTarget {
  return { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, sudo: false, ...extra };
}

function transport(options: SshTransportOptions = {}, extra: Partial<SshTarget> = {}): SshTransport {
  const t = new SshTransport(target(extra), { knownHostsPath: sshd.knownHostsPath, ...options });
  open.push(t);
  return t;
}

/** A fresh dir the test user owns (the SSH side writes as that user). */
function workDir(): string {
  work = sshd.userDir('t');
  return work;
}

async function hostKeyError(p: Promise<unknown>): Promise<HostKeyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HostKeyError);
  return err as HostKeyError;
}

describe('SshTransport exec', () => {
  it('returns stdout, stderr and a non-zero exit code as a result', async () => {
    const t = transport();
    expect(t.label).toBe(`ssh ${sshd.user}@127.0.0.1:${sshd.port}`);
    const r = await t.exec('echo out; echo err >&2; exit 3');
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('logs in as the throwaway test user, never as one of this machine\'s users', async () => {
    const t = transport();
    expect(sshd.user).not.toBe(userInfo().username);
    expect(sshd.user).not.toBe('root');
    expect(await t.exec('id -un; echo "$SHELL"; ls -A ~')).toEqual({ code: 0, stdout: `${sshd.user}\n/bin/sh\n.ssh\n`, stderr: '' });
  });

  it('streams output chunks as they arrive', async () => {
    const t = transport();
    const chunks: Array<[string, string, number]> = [];
    const start = Date.now();
    const r = await t.exec('echo first; sleep 0.4; echo second >&2; echo third', {
      onOutput: (chunk, stream) => chunks.push([chunk, stream, Date.now() - start]),
    });
    expect(r.code).toBe(0);
    expect(chunks.filter(([, s]) => s === 'stdout').map(([c]) => c).join('')).toBe('first\nthird\n');
    expect(chunks.filter(([, s]) => s === 'stderr').map(([c]) => c).join('')).toBe('second\n');
    const first = chunks.find(([c]) => c.includes('first'));
    const third = chunks.find(([c]) => c.includes('third'));
    expect(third![2] - first![2]).toBeGreaterThanOrEqual(300);
  });

  it('delivers stdin, and a secret sent on stdin is not in any argv', async () => {
    const commands: string[] = [];
    const t = transport({ onCommand: (c) => commands.push(c) });
    expect((await t.exec('cat', { stdin: 'hello\nworld' })).stdout).toBe('hello\nworld');

    const secret = `s3cret-${Date.now()}`;
    // While the command holds the secret, list every process's argv on the server.
    const r = await t.exec('read -r pw; test -n "$pw" && ps -eo args', { stdin: `${secret}\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ps -eo args');
    expect(r.stdout).not.toContain(secret);

    const dir = workDir();
    await t.writeFile(join(dir, 'secret.key'), secret, { mode: 0o600 });
    expect(commands.length).toBeGreaterThan(0);
    for (const c of commands) expect(c).not.toContain(secret);
  });

  it('reuses one connection for several commands', async () => {
    const t = transport();
    const a = await t.exec('echo $SSH_CONNECTION');
    const b = await t.exec('echo $SSH_CONNECTION');
    expect(a.stdout.trim()).not.toBe('');
    expect(b.stdout).toBe(a.stdout);
  });

  it('wraps sudo commands only when the target allows sudo', async () => {
    const seen: string[] = [];
    const plain = transport({ onCommand: (c) => seen.push(c) });
    await plain.exec('id -u', { sudo: true });
    expect(seen.pop()).toBe('id -u');
    const withSudo = transport({ onCommand: (c) => seen.push(c) }, { sudo: true });
    await withSudo.exec("echo 'a b'", { sudo: true });
    expect(seen.pop()).toBe(`sudo -n sh -c 'echo '\\''a b'\\'''`);
  });

  it('times out: kills the remote command and rejects quickly', async () => {
    const t = transport();
    const start = Date.now();
    await expect(t.exec('sleep 37', { timeoutMs: 500 })).rejects.toThrow(/sleep.*timed out after 500 ms/);
    expect(Date.now() - start).toBeLessThan(3000);
    // the remote command's process group was killed, not just abandoned
    const ps = await t.exec('ps -eo args');
    expect(ps.stdout.split('\n').filter((l) => l.trim() === 'sleep 37')).toEqual([]);
    // a command that finishes in time is unaffected by the timeout machinery
    expect(await t.exec('echo in time; echo e >&2', { timeoutMs: 5000 })).toEqual({ code: 0, stdout: 'in time\n', stderr: 'e\n' });
  }, 10_000);
});

describe('SshTransport files', () => {
  it('writeFile creates the file with the mode and content, leaving no temp file', async () => {
    const dir = workDir();
    const t = transport();
    const path = join(dir, 'server.key');
    await t.writeFile(path, 'KEY DATA\n', { mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('KEY DATA\n');
    expect(statSync(path).mode & 0o7777).toBe(0o600);
    await t.writeFile(join(dir, 'ca.crt'), 'CERT', { mode: 0o644, owner: `${sshd.user}:${sshd.user}` });
    expect(statSync(join(dir, 'ca.crt')).mode & 0o7777).toBe(0o644);
    expect(statSync(join(dir, 'ca.crt')).uid).toBe(sshd.uid);
    // overwrite keeps it atomic and tidy
    await t.writeFile(path, 'NEW', { mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('NEW');
    expect(readdirSync(dir).sort()).toEqual(['ca.crt', 'server.key']);
  });

  it('writeFile into a missing directory rejects naming the path', async () => {
    const dir = workDir();
    const t = transport();
    await expect(t.writeFile(join(dir, 'nope', 'x'), 'x', { mode: 0o600 })).rejects.toThrow(join(dir, 'nope', 'x'));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('readFile round-trips binary content', async () => {
    const dir = workDir();
    const t = transport();
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xff, 0xfe, 0, 0xc3])]);
    await t.writeFile(join(dir, 'blob.bin'), bytes, { mode: 0o600 });
    expect((await t.readFile(join(dir, 'blob.bin'))).equals(bytes)).toBe(true);
  });

  it('readFile of a missing path rejects naming the path', async () => {
    const t = transport();
    const missing = join(tmpdir(), `cockpit-missing-${Date.now()}`, 'ca.crt');
    await expect(t.readFile(missing)).rejects.toThrow(missing);
  });
});

describe('SshTransport host keys', () => {
  it('rejects an unknown host with its fingerprint, then connects once the key is accepted', async () => {
    const dir = workDir();
    const knownHostsPath = join(dir, 'ssh', 'known_hosts');
    const t = transport({ knownHostsPath });
    const err = await hostKeyError(t.exec('true'));
    expect(err.kind).toBe('unknown');
    expect(err.host).toBe('127.0.0.1');
    expect(err.port).toBe(sshd.port);
    expect(err.keyType).toBe('ssh-ed25519');
    expect(err.fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(err.keyBase64).toBe(sshd.hostPublicKeyLine.split(' ')[1]);

    await acceptHostKey(knownHostsPath, err.host, err.port, err.keyType, err.keyBase64);
    expect(readFileSync(knownHostsPath, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ssh-ed25519 ${err.keyBase64}\n`);
    expect(statSync(knownHostsPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ssh')).mode & 0o777).toBe(0o700);
    expect((await t.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('accepts an unknown host whose fingerprint the caller already confirmed', async () => {
    const dir = workDir();
    const knownHostsPath = join(dir, 'known_hosts');
    const ok = transport({ knownHostsPath, trustedFingerprint: sshd.hostKeyFingerprint });
    expect((await ok.exec('echo ok')).stdout).toBe('ok\n');
    const wrong = transport({ knownHostsPath, trustedFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect((await hostKeyError(wrong.exec('true'))).kind).toBe('unknown');
  });

  it('refuses a changed key and runs nothing', async () => {
    const dir = workDir();
    const other = join(dir, 'other');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherB64 = readFileSync(`${other}.pub`, 'utf8').split(' ')[1];
    const knownHostsPath = join(dir, 'known_hosts');
    writeFileSync(knownHostsPath, `# comment\n[127.0.0.1]:${sshd.port} ssh-ed25519 ${otherB64}\n`);
    const marker = join(dir, 'ran');
    const t = transport({ knownHostsPath, trustedFingerprint: sshd.hostKeyFingerprint });
    const err = await hostKeyError(t.exec(`touch ${marker}`));
    expect(err.kind).toBe('changed');
    expect(err.line).toBe(2);
    expect(err.fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(err.message).toMatch(/man-in-the-middle/);
    expect(err.message).toContain(`${knownHostsPath} line 2`);
    expect(existsSync(marker)).toBe(false);
  });

  it('matches a hashed known_hosts entry', async () => {
    const dir = workDir();
    const knownHostsPath = join(dir, 'known_hosts');
    writeFileSync(knownHostsPath, readFileSync(sshd.knownHostsPath));
    execFileSync('ssh-keygen', ['-H', '-f', knownHostsPath], { stdio: 'pipe' });
    const text = readFileSync(knownHostsPath, 'utf8');
    expect(text).toMatch(/^\|1\|/);
    expect(text).not.toContain('127.0.0.1');
    const t = transport({ knownHostsPath });
    expect((await t.exec('echo hashed')).stdout).toBe('hashed\n');
  });

  it('fingerprints match ssh-keygen for the key the helper reports', () => {
    expect(sshd.hostKeyFingerprint).toBe(keygenFingerprint(join(sshd.dir, 'host_ed25519.pub')));
    expect(sshd.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('SshTransport connection errors', () => {
  it('reports connection refused quickly for a port with nothing listening', async () => {
    const port = await freePort();
    const t = transport({}, { port });
    const start = Date.now();
    await expect(t.exec('true')).rejects.toThrow(`ssh ${sshd.user}@127.0.0.1:${port}: connection refused`);
    expect(Date.now() - start).toBeLessThan(3000);
  });

  it('times out a handshake that never completes', async () => {
    const silent = net.createServer(() => {}); // accepts, never speaks SSH
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const t = transport({ readyTimeoutMs: 500 }, { port });
      const start = Date.now();
      await expect(t.exec('true')).rejects.toThrow(`127.0.0.1:${port}: connection timed out after 500 ms`);
      expect(Date.now() - start).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });

  it('uses the SSH agent when there is no identity file, and says so when there is none', async () => {
    const dir = workDir();
    const sock = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
      execFileSync('ssh-add', [sshd.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
      process.env.SSH_AUTH_SOCK = sock;
      const viaAgent = transport({}, { identityFile: undefined });
      expect((await viaAgent.exec('echo agent')).stdout).toBe('agent\n');
      delete process.env.SSH_AUTH_SOCK;
      await expect(transport({}, { identityFile: undefined }).exec('true')).rejects.toThrow(/SSH_AUTH_SOCK/);
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      if (agent.pid !== undefined) process.kill(agent.pid, 'SIGTERM');
    }
  });

  it('names an unreadable identity file', async () => {
    const t = transport({}, { identityFile: '/nonexistent/id_ed25519' });
    await expect(t.exec('true')).rejects.toThrow('/nonexistent/id_ed25519');
  });

  it('reports a rejected key as an authentication failure', async () => {
    const dir = workDir();
    const stranger = join(dir, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const t = transport({}, { identityFile: stranger });
    await expect(t.exec('true')).rejects.toThrow(/authentication failed/);
  });
});

describe('known_hosts matching', () => {
  it('handles comma lists, [host]:port, wildcards and negation', () => {
    expect(hostMatches('a.example,10.0.0.1', '10.0.0.1')).toBe(true);
    expect(hostMatches('[10.0.0.1]:2222', '10.0.0.1')).toBe(false);
    expect(hostMatches('[10.0.0.1]:2222', '[10.0.0.1]:2222')).toBe(true);
    expect(hostMatches('*.example,!bad.example', 'good.example')).toBe(true);
    expect(hostMatches('*.example,!bad.example', 'bad.example')).toBe(false);
    expect(hostMatches('node-?', 'node-1')).toBe(true);
    expect(hostMatches('node-?', 'node-10')).toBe(false);
  });

  it('honours @revoked and ignores @cert-authority lines', () => {
    const [keyType, b64] = sshd.hostPublicKeyLine.split(' ') as [string, string];
    const key = Buffer.from(b64, 'base64');
    const host = `[127.0.0.1]:${sshd.port}`;
    expect(checkHostKey(parseKnownHosts(`@cert-authority ${host} ${keyType} ${b64}\n`), '127.0.0.1', sshd.port, key))
      .toEqual({ status: 'unknown', knownTypes: [] });
    const revoked = parseKnownHosts(`${host} ${keyType} ${b64}\n@revoked * ${keyType} ${b64}\n`);
    expect(checkHostKey(revoked, '127.0.0.1', sshd.port, key)).toEqual({ status: 'revoked', line: 2 });
  });
});
