/**
 * Issue 17: exit statuses of fast commands were lost on real networks. The
 * cause, shown here on loopback with a proxy that forwards the server's bytes
 * in one write per 10 ms, or 50 ms where the merge must not miss (as a real
 * network often delivers them): ssh2 parses a whole TCP read at once, so a
 * fast command's exit status is emitted while the exec reply is still being
 * handled, before any `await` resumes.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandLostError } from '../src/core/errors/command-lost.js';
import { SshTransport } from '../src/adapters/ssh/ssh-transport.js';
import { startCoalescingProxy, type CoalescingProxy } from './helpers/coalescing-proxy.js';
import { startSshd, type TestSshd } from './helpers/sshd.js';

const hasSudo = existsSync('/usr/bin/sudo');
let sshd: TestSshd;
let proxy: CoalescingProxy;
let slowProxy: CoalescingProxy;
let proxyKnownHosts: string;
const open: Array<{ close(): unknown }> = [];

beforeAll(async () => {
  sshd = await startSshd({ sudo: hasSudo });
  proxy = await startCoalescingProxy({ host: sshd.host, port: sshd.port }, 10);
  slowProxy = await startCoalescingProxy({ host: sshd.host, port: sshd.port }, 50);
  proxyKnownHosts = join(sshd.dir, 'known_hosts_proxy');
  const key = sshd.hostPublicKeyLine.split(' ').slice(0, 2).join(' ');
  writeFileSync(proxyKnownHosts, [proxy, slowProxy].map((p) => `[127.0.0.1]:${p.port} ${key}\n`).join(''));
}, 30_000);

afterAll(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
  await proxy?.close();
  await slowProxy?.close();
  await sshd?.stop();
});

function viaProxy(p = proxy): SshTransport {
  const t = new SshTransport(
    { host: '127.0.0.1', port: p.port, user: sshd.user, identityFile: sshd.identityFile, sudo: false },
    { knownHostsPath: proxyKnownHosts },
  );
  open.push(t);
  return t;
}

describe('exit statuses of fast commands', () => {
  it('cause: ssh2 emits the exit status before an awaited exec callback resumes', async () => {
    const client = new ssh2.Client();
    open.push({ close: () => client.end() });
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve()).once('error', reject);
      client.connect({ host: '127.0.0.1', port: slowProxy.port, username: sshd.user, privateKey: readFileSync(sshd.identityFile), hostVerifier: () => true });
    });
    const runs = 30;
    let early = 0;
    let late = 0;
    for (let i = 0; i < runs; i++) {
      const channel = await new Promise<ClientChannel>((resolve, reject) => {
        client.exec('true', (err, ch) => {
          if (err) return reject(err);
          ch.once('exit', () => early++); // attached inside the callback
          resolve(ch);
        });
      });
      channel.once('exit', () => late++); // attached after the await, as run() did
      await new Promise((resolve) => channel.once('close', resolve).resume());
    }
    console.log(`exit seen by a listener attached in the exec callback: ${early}/${runs}; attached after an await: ${late}/${runs}; merged writes ${slowProxy.mergedWrites}`);
    expect(early).toBe(runs);
    expect(late).toBeLessThan(runs);
  });

  it('every exit status is observed when the exec reply and the exit status arrive together', async () => {
    const t = viaProxy(slowProxy);
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await t.exec(i % 2 ? 'true' : `echo ${i}; exit 3`));
    results.forEach((r, i) => expect(r).toEqual(i % 2 ? { code: 0, stdout: '', stderr: '' } : { code: 3, stdout: `${i}\n`, stderr: '' }));
  });

  it('1,000 fast commands, 8 at a time, over one reused connection: none lost', async () => {
    if (!hasSudo) console.log('`sudo -n true` commands left out: sudo is not installed here (apt-get install -y sudo)');
    const t = viaProxy();
    const dir = sshd.userDir('many');
    const connectionsBefore = proxy.connections;
    type Kind = { name: string; run(i: number): Promise<number> };
    const kinds: Kind[] = [
      { name: 'true', run: async () => (await t.exec('true')).code },
      { name: 'exit 3', run: async () => (await t.exec('exit 3')).code },
      { name: 'mkdir -p', run: async (i) => (await t.exec(`mkdir -p ${dir}/d${i}`)).code },
      { name: 'writeFile', run: async (i) => (await t.writeFile(join(dir, `f${i}`), `${i}\n`, { mode: 0o640 }), 0) },
      ...(hasSudo ? [{ name: 'sudo -n true', run: async () => (await t.exec('sudo -n true')).code }] : []),
    ];
    const expected: Record<string, number> = { 'exit 3': 3 };
    const total = 1000;
    const failures: string[] = [];
    const counts: Record<string, number> = {};
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < total) {
          const i = next++;
          const kind = kinds[i % kinds.length]!;
          counts[kind.name] = (counts[kind.name] ?? 0) + 1;
          try {
            const code = await kind.run(i);
            if (code !== (expected[kind.name] ?? 0)) failures.push(`#${i} ${kind.name}: exit ${code}`);
          } catch (err) {
            failures.push(`#${i} ${kind.name}: ${(err as Error).message}`);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const why: Record<string, number> = {};
    for (const f of failures) {
      const reason = f.replace(/^.*?127\.0\.0\.1:\d+: /, '').replace(/writeFile \S+/, 'writeFile');
      why[reason] = (why[reason] ?? 0) + 1;
    }
    console.log(`${total} commands (${JSON.stringify(counts)}), 8 at a time: ${seconds.toFixed(1)} s, ${failures.length} failed ${JSON.stringify(why)}, merged writes ${proxy.mergedWrites}`);
    expect(failures.slice(0, 5)).toEqual([]);
    expect(proxy.connections - connectionsBefore).toBe(1);
    const names = readdirSync(dir);
    expect(names.filter((n) => /^d\d+$/.test(n))).toHaveLength(counts['mkdir -p']!);
    expect(names.filter((n) => /^f\d+$/.test(n))).toHaveLength(counts.writeFile!);
    expect(names.filter((n) => n.includes('.tmp.'))).toEqual([]);
    expect(seconds).toBeLessThan(60);
  }, 90_000);
});

describe('a command whose connection really goes away', () => {
  it('network cut: the error names the host and says the command may or may not have run; the next command reconnects', async () => {
    const t = viaProxy();
    expect((await t.exec('true')).code).toBe(0);
    const connectionsBefore = proxy.connections;
    const running = t.exec('sleep 5');
    await new Promise((r) => setTimeout(r, 300));
    proxy.cut();
    const err = await running.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CommandLostError);
    expect((err as Error).message).toBe(
      `sleep on ssh ${sshd.user}@127.0.0.1:${proxy.port}: the connection to 127.0.0.1 was lost (closed by the other end) before the command reported its exit status; it may or may not have run (sshd killed, host down or network cut?)`,
    );
    expect((await t.exec('echo again')).stdout).toBe('again\n');
    expect(proxy.connections).toBe(connectionsBefore + 1);
  });

  it('sshd killed: the same, in plain words', async () => {
    const t = new SshTransport(
      { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, sudo: false },
      { knownHostsPath: sshd.knownHostsPath },
    );
    open.push(t);
    let out = '';
    const running = t.exec('echo $PPID; sleep 5', { onOutput: (chunk) => (out += chunk) });
    while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 20));
    // $PPID is this connection's sshd session process, a child of our sshd
    process.kill(Number(out.trim()), 'SIGKILL');
    await expect(running).rejects.toThrow(
      new RegExp(`^echo on ssh ${sshd.user}@127\\.0\\.0\\.1:${sshd.port}: the connection to 127\\.0\\.0\\.1 was lost \\(.+\\) before the command reported its exit status; it may or may not have run`),
    );
  });
});
