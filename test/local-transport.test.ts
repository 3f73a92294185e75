import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalTransport } from '../src/adapters/local/local-transport.js';
import { shq } from '../src/core/shell-quote.js';

let root: string;
let t: LocalTransport;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'cockpit-local-')));
  t = new LocalTransport(root);
});

afterEach(async () => {
  await t.close();
  rmSync(root, { recursive: true, force: true });
});

describe('LocalTransport exec', () => {
  it('returns stdout, stderr and exit code; runs in the root with NODE_ROOT set', async () => {
    expect(t.label).toBe(`local ${root}`);
    expect(new LocalTransport(root, 'etcd-1').label).toBe('etcd-1');
    expect(await t.exec('echo out; echo err >&2; exit 3')).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect((await t.exec('pwd; echo "$NODE_ROOT"')).stdout).toBe(`${root}\n${root}\n`);
    expect((await t.exec('kill -s TERM $$')).code).toBe(128 + 15);
  });

  it('streams output chunks as they arrive', async () => {
    const chunks: Array<[string, string, number]> = [];
    const start = Date.now();
    await t.exec('echo first; sleep 0.4; echo second >&2; echo third', {
      onOutput: (chunk, stream) => chunks.push([chunk, stream, Date.now() - start]),
    });
    expect(chunks.filter(([, s]) => s === 'stdout').map(([c]) => c).join('')).toBe('first\nthird\n');
    expect(chunks.filter(([, s]) => s === 'stderr').map(([c]) => c).join('')).toBe('second\n');
    const first = chunks.find(([c]) => c.includes('first'));
    const third = chunks.find(([c]) => c.includes('third'));
    expect(third![2] - first![2]).toBeGreaterThanOrEqual(300);
  });

  it('delivers stdin, and tolerates commands that ignore it', async () => {
    expect((await t.exec('cat', { stdin: Buffer.from('hello\nworld') })).stdout).toBe('hello\nworld');
    const secret = `s3cret-${Date.now()}`;
    const r = await t.exec('read -r pw; test -n "$pw" && ps -eo args', { stdin: `${secret}\n` });
    expect(r.stdout).toContain('ps -eo args');
    expect(r.stdout).not.toContain(secret);
    expect((await t.exec('true', { stdin: 'x'.repeat(1 << 20) })).code).toBe(0);
  });

  it('times out: kills the whole process group and rejects quickly', async () => {
    const start = Date.now();
    // `; true` keeps sh from exec'ing sleep, so the sleep is a grandchild
    await expect(t.exec('sleep 39; true', { timeoutMs: 500 })).rejects.toThrow(/sleep.*timed out after 500 ms/);
    expect(Date.now() - start).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 100));
    const ps = await t.exec('ps -eo args');
    expect(ps.stdout.split('\n').filter((l) => l.trim() === 'sleep 39')).toEqual([]);
  });

  it('close() kills commands still running', async () => {
    const running = t.exec('sleep 41; true');
    await new Promise((r) => setTimeout(r, 200));
    await t.close();
    expect((await running).code).toBe(128 + 9);
  });
});

describe('LocalTransport files', () => {
  it('maps absolute and relative paths under the root, never above it', () => {
    expect(t.resolvePath('/etc/etcd/pki/ca.crt')).toBe(join(root, 'etc/etcd/pki/ca.crt'));
    expect(t.resolvePath('etc/etcd/pki/ca.crt')).toBe(join(root, 'etc/etcd/pki/ca.crt'));
    expect(t.resolvePath('/../../etc/passwd')).toBe(join(root, 'etc/passwd'));
  });

  it('writeFile creates the file with the mode and content, leaving no temp file', async () => {
    mkdirSync(join(root, 'etc/etcd/pki'), { recursive: true });
    await t.writeFile('/etc/etcd/pki/server.key', 'KEY DATA\n', { mode: 0o600, sudo: true });
    const real = join(root, 'etc/etcd/pki/server.key');
    expect(readFileSync(real, 'utf8')).toBe('KEY DATA\n');
    expect(statSync(real).mode & 0o7777).toBe(0o600);
    await t.writeFile('/etc/etcd/pki/ca.crt', 'CERT', { mode: 0o644, owner: 'no-such-user-xyz:nogroup' });
    expect(statSync(join(root, 'etc/etcd/pki/ca.crt')).mode & 0o7777).toBe(0o644);
    await t.writeFile('/etc/etcd/pki/server.key', 'NEW', { mode: 0o600 });
    expect(readFileSync(real, 'utf8')).toBe('NEW');
    expect(readdirSync(join(root, 'etc/etcd/pki')).sort()).toEqual(['ca.crt', 'server.key']);
  });

  it('writeFile applies owner when root', async () => {
    if (process.getuid?.() !== 0) throw new Error('needs root: only root may chown a file to nobody; run the tests as root, as CI does');
    await t.writeFile('/owned', 'x', { mode: 0o600, owner: 'nobody:nogroup' });
    const st = statSync(join(root, 'owned'));
    expect(st.uid).not.toBe(0);
  });

  it('writeFile into a missing directory rejects naming the path and leaves nothing', async () => {
    await expect(t.writeFile('/nope/x', 'x', { mode: 0o600 })).rejects.toThrow('/nope/x');
    expect(readdirSync(root)).toEqual([]);
  });

  it('readFile round-trips binary content and names a missing path', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await t.writeFile('/blob.bin', bytes, { mode: 0o600 });
    expect((await t.readFile('/blob.bin')).equals(bytes)).toBe(true);
    await expect(t.readFile('/etc/etcd/pki/missing.crt')).rejects.toThrow('/etc/etcd/pki/missing.crt');
  });

  it('exec sees files written through the mapped path via $NODE_ROOT', async () => {
    await t.writeFile('/hello.txt', "it's here", { mode: 0o640 });
    expect((await t.exec(`cat "$NODE_ROOT"/${shq('hello.txt')}`)).stdout).toBe("it's here");
    expect(existsSync(join(root, 'hello.txt'))).toBe(true);
  });
});

describe('shq', () => {
  it('quotes so that sh reads back the exact string', async () => {
    for (const s of ['plain', '', "it's", 'a b', '$HOME `x` "q" \\ \n!*?', '-rf']) {
      expect((await t.exec(`printf %s ${shq(s)}`)).stdout).toBe(s);
    }
    expect(shq('/etc/etcd/ca.crt')).toBe('/etc/etcd/ca.crt');
    expect(() => shq('a\0b')).toThrow();
  });
});
