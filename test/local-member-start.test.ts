import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessSupervisor } from '../src/adapters/service/process-supervisor.js';
import { findEtcdBinaries } from '../src/adapters/local/etcd-binaries.js';
import { pickLoopbackAddresses } from '../src/adapters/local/loopback.js';

/** 'accepted', or the error code of a TCP connect (ECONNREFUSED once nothing listens). */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

async function untilAccepted(host: string, port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await tryConnect(host, port)) !== 'accepted') {
    if (Date.now() > deadline) throw new Error(`etcd did not listen on ${host}:${port} within 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a local member (the process supervisor with absolute paths, as local test clusters use it)', () => {
  it('a binary that cannot be started is a plain error, not an unheard event (which would crash the process); nothing is left running', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cockpit-local-member-'));
    const missing = join(dir, 'no-such-etcd');
    const member = new ProcessSupervisor({ rootDir: '/', binary: missing, configFile: join(dir, 'etcd.conf.yml'), pidFile: join(dir, 'etcd.pid'), logFile: join(dir, 'etcd.log'), killOnExit: true });
    await expect(member.start()).rejects.toThrow(`cannot start ${missing}: spawn ${missing} ENOENT`);
    expect(await member.status()).toEqual({ state: 'inactive', detail: 'not started' });
    member.signal('SIGKILL'); // no pid: nothing is signalled
    await member.stop({ graceMs: 0 });
  });

  it('stop with no grace returns only once every thread of etcd is gone: its client port refuses at once (a killed Go process shows as a zombie while its threads still exit)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cockpit-local-member-'));
    const [address] = await pickLoopbackAddresses(1, [2379, 2380]);
    const configFile = join(dir, 'etcd.conf.yml');
    writeFileSync(
      configFile,
      [
        'name: solo',
        `data-dir: ${join(dir, 'data')}`,
        `listen-client-urls: http://${address}:2379`,
        `advertise-client-urls: http://${address}:2379`,
        `listen-peer-urls: http://${address}:2380`,
        `initial-advertise-peer-urls: http://${address}:2380`,
        `initial-cluster: solo=http://${address}:2380`,
        '',
      ].join('\n'),
    );
    const member = new ProcessSupervisor({ rootDir: '/', binary: findEtcdBinaries().etcd, configFile, pidFile: join(dir, 'etcd.pid'), logFile: join(dir, 'etcd.log'), killOnExit: true });
    try {
      for (let round = 0; round < 5; round++) {
        await member.start();
        await untilAccepted(address!, 2379);
        await member.stop({ graceMs: 0 });
        expect(await tryConnect(address!, 2379)).toBe('ECONNREFUSED');
      }
    } finally {
      await member.stop({ graceMs: 0 });
    }
  });
});
