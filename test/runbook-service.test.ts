/** ProcessSupervisor against the real etcd binary: pid file, status, log tail, stop by pid only. */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEtcdBinaries } from '../src/adapters/local/etcd-binaries.js';
import { pickLoopbackAddresses } from '../src/adapters/local/loopback.js';
import { ProcessSupervisor } from '../src/adapters/service/process-supervisor.js';

let root: string;
let supervisor: ProcessSupervisor;

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'cockpit-rb-svc-')));
  const [address] = await pickLoopbackAddresses(1, [2379, 2380]);
  mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  mkdirSync(join(root, 'etc/etcd'), { recursive: true });
  symlinkSync(findEtcdBinaries().etcd, join(root, 'usr/local/bin/etcd'));
  writeFileSync(
    join(root, 'etc/etcd/etcd.conf.yml'),
    [
      'name: s1',
      `data-dir: ${join(root, 'var/lib/etcd')}`,
      `listen-client-urls: http://${address}:2379`,
      `advertise-client-urls: http://${address}:2379`,
      `listen-peer-urls: http://${address}:2380`,
      `initial-advertise-peer-urls: http://${address}:2380`,
      `initial-cluster: s1=http://${address}:2380`,
      '',
    ].join('\n'),
  );
  supervisor = new ProcessSupervisor({ rootDir: root, killOnExit: true });
});

afterAll(async () => {
  await supervisor?.stop({ graceMs: 0 });
  rmSync(root, { recursive: true, force: true });
});

describe('ProcessSupervisor', () => {
  it('starts etcd from ETCD_CONFIG_FILE, records its pid, tails its log, stops it by pid', async () => {
    expect(await supervisor.status()).toEqual({ state: 'inactive', detail: 'not started' });
    await supervisor.start();
    const status = await supervisor.status();
    expect(status.state).toBe('active');
    const pid = Number(readFileSync(join(root, 'run/etcd/etcd.pid'), 'utf8'));
    expect(status.pid).toBe(pid);
    await supervisor.start(); // idempotent: still the same process
    expect((await supervisor.status()).pid).toBe(pid);

    let tail = '';
    for (let i = 0; i < 100 && !tail.includes('ready to serve client requests'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      tail = await supervisor.logsTail(50);
    }
    expect(tail).toContain('ready to serve client requests');
    expect(tail).toContain(join(root, 'etc/etcd/etcd.conf.yml'));
    expect((await supervisor.logsTail(2)).split('\n')).toHaveLength(2);

    await supervisor.stop({ graceMs: 5000 });
    expect(await supervisor.status()).toEqual({ state: 'inactive', detail: 'not started' });
    expect(existsSync(join(root, 'run/etcd/etcd.pid'))).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('never signals a pid that is not its etcd (a reused pid)', async () => {
    writeFileSync(join(root, 'run/etcd/etcd.pid'), `${process.pid}\n`);
    const status = await supervisor.status();
    expect(status.state).toBe('failed');
    expect(status.detail).toContain(`pid ${process.pid}`);
    await supervisor.stop({ graceMs: 0 }); // must not kill this test process
    expect(process.kill(process.pid, 0)).toBe(true);
    expect(existsSync(join(root, 'run/etcd/etcd.pid'))).toBe(false);
  });

  it('plans its operations as descriptions (no init system to show)', () => {
    expect(supervisor.plan('start')).toEqual([
      {
        kind: 'local',
        description: `start ${join(root, 'usr/local/bin/etcd')} with ETCD_CONFIG_FILE=${join(root, 'etc/etcd/etcd.conf.yml')}, output to ${join(root, 'var/log/etcd/etcd.log')}, pid in ${join(root, 'run/etcd/etcd.pid')}`,
      },
    ]);
  });
});
