/**
 * Phases 0-4 over SSH against a real OpenSSH sshd on loopback, logged in as
 * the harness's throwaway user with passwordless sudo, as an operator would.
 * The node paths live under a temp dir (runbook.nodeRoot) so nothing touches
 * this machine's /etc; files are chowned to nobody:nogroup, which exists
 * here, so no system user is created. Host key and connection failures are
 * reported clearly.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickLoopbackAddresses } from '../src/adapters/local/loopback.js';
import { parseInventory } from '../src/core/inventory/parse.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { runRunbook } from '../src/core/runbook/engine.js';
import type { RunReport, RunbookEvent } from '../src/core/runbook/events.js';
import { freePort, startSshd, type TestSshd } from './helpers/sshd.js';
import { collect } from './helpers/runbook-fixture.js';

let sshd: TestSshd;
let dir: string;
let addresses: string[];

beforeAll(async () => {
  sshd = await startSshd({ sudo: true });
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'cockpit-rb-ssh-')));
  chmodSync(dir, 0o755); // like / on a host: the unprivileged checks (etcd --version) can reach the node paths
  addresses = await pickLoopbackAddresses(3, [2379, 2380]);
}, 30_000);

afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function sshInventory(name: string, options: { nodes?: number; port?: number; knownHosts?: string } = {}) {
  const base = join(dir, name);
  const doc = {
    cluster: 'rb-ssh',
    nodes: addresses.slice(0, options.nodes ?? 3).map((address, i) => ({
      name: `etcd-${i + 1}`,
      address,
      ssh: { host: '127.0.0.1', port: options.port ?? sshd.port, user: sshd.user, identityFile: sshd.identityFile, sudo: true },
    })),
    runbook: {
      workdir: join(base, 'work'),
      nodeRoot: join(base, 'remote', '{node}'),
      knownHosts: options.knownHosts ?? sshd.knownHostsPath,
      serviceUser: 'nobody',
      serviceGroup: 'nogroup',
      caBits: 2048,
      diskTestWrites: 50,
    },
  };
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, stringify(doc));
  return { inventory: parseInventory(readFileSync(path, 'utf8'), path), remote: (node: string, p: string) => join(base, 'remote', node, p) };
}

const perStep = (report: RunReport) => report.records.map((r) => `${r.stepId}@${r.target}:${r.state}${r.skip ? `/${r.skip}` : ''}`);

describe('runbook over SSH (real sshd)', () => {
  it('runs phases 0-4: preflight, upload, user and folders, PKI deploy + verify on the node, config; a rerun skips all', async () => {
    const { inventory, remote } = sshInventory('full');
    const ctx = createRunContext({ inventory });
    try {
      const c = collect();
      const started = performance.now();
      const report = await runRunbook(ctx, { phases: [0, 1, 2, 3, 4], listener: c.listener });
      console.log(`SSH phases 0-4 on 3 nodes: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(report.failed).toBeUndefined();
      expect(perStep(report)).toEqual(expect.arrayContaining([
        'preflight.ports@etcd-1:done',
        'preflight.rtt@cluster:done',
        'install.binaries@etcd-2:done',
        'host.user@etcd-1:skipped/done-by-check', // nobody exists: no useradd
        'host.dirs@etcd-3:done',
        'pki.deploy@etcd-1:done',
        'pki.verify@etcd-1:skipped/done-by-check',
        'config.write@etcd-3:done',
      ]));
      // what really landed on the "remote" disk
      const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
      const key = remote('etcd-2', 'etc/etcd/pki/server.key');
      expect(statSync(key).mode & 0o777).toBe(0o600);
      expect(statSync(key).uid).toBe(nobody);
      expect(statSync(remote('etcd-2', 'etc/etcd/pki/ca.crt')).mode & 0o777).toBe(0o644);
      expect(statSync(remote('etcd-2', 'var/lib/etcd')).mode & 0o777).toBe(0o700);
      expect(statSync(remote('etcd-2', 'etc/etcd/etcd.conf.yml')).mode & 0o777).toBe(0o640);
      expect(execFileSync(remote('etcd-1', 'usr/local/bin/etcd'), ['--version'], { encoding: 'utf8' })).toMatch(/etcd Version: 3\.5\./);
      const config = readFileSync(remote('etcd-1', 'etc/etcd/etcd.conf.yml'), 'utf8');
      expect(config).toContain(`data-dir: ${remote('etcd-1', 'var/lib/etcd')}`);
      expect(config).toContain(`listen-client-urls: https://${addresses[0]}:2379,https://127.0.0.1:2379`);
      // the command run is exactly the one planned, chown included (through sudo)
      const dirsPlan = c.events.find((e) => e.type === 'plan' && e.stepId === 'host.dirs' && e.target === 'etcd-1') as Extract<RunbookEvent, { type: 'plan' }>;
      const planned = dirsPlan.actions[0]!;
      expect(planned).toMatchObject({ kind: 'exec', sudo: true });
      expect(planned.kind === 'exec' && planned.command).toContain(`chown nobody:nogroup ${remote('etcd-1', 'var/lib/etcd')}`);
      const actions = c.events.filter((e) => e.type === 'action').map((e) => (e as { what: string }).what);
      expect(actions).toContain(`sudo $ ${planned.kind === 'exec' ? planned.command : ''}`);
      expect(actions.some((a) => a.includes('ca.key'))).toBe(false);
      const keyBody = readFileSync(key, 'utf8').split('\n')[3]!;
      expect(JSON.stringify(c.events)).not.toContain(keyBody);

      const rerun = await runRunbook(ctx, { phases: [0, 1, 2, 3, 4] });
      expect(rerun.records.every((r) => r.state === 'skipped' && r.skip === 'done-by-check')).toBe(true);
    } finally {
      await closeRunContext(ctx);
    }
  });

  it('an unknown host key fails preflight with the SHA256 fingerprint to compare', async () => {
    const empty = join(dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const { inventory } = sshInventory('unknown', { nodes: 1, knownHosts: empty });
    const ctx = createRunContext({ inventory });
    try {
      const report = await runRunbook(ctx, { phases: [0] });
      expect(report.failed).toMatchObject({ stepId: 'preflight.reach', target: 'etcd-1', failure: 'host-key-unknown' });
      expect(report.failed!.error).toContain(sshd.hostKeyFingerprint);
      expect(report.failed!.advice).toMatch(/fingerprint/);
    } finally {
      await closeRunContext(ctx);
    }
  });

  it('a changed host key is refused and nothing runs', async () => {
    const other = join(dir, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const known = join(dir, 'changed_known_hosts');
    writeFileSync(known, `[127.0.0.1]:${sshd.port} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const { inventory, remote } = sshInventory('changed', { nodes: 1, knownHosts: known });
    const ctx = createRunContext({ inventory });
    try {
      const report = await runRunbook(ctx, { phases: [0, 1, 2] });
      expect(report.failed).toMatchObject({ stepId: 'preflight.reach', failure: 'host-key-changed' });
      expect(report.failed!.error).toMatch(/HOST KEY CHANGED.*man-in-the-middle/);
      expect(() => statSync(remote('etcd-1', 'usr'))).toThrow();
    } finally {
      await closeRunContext(ctx);
    }
  });

  it('an unreachable host fails preflight clearly and quickly', async () => {
    const port = await freePort();
    const { inventory } = sshInventory('unreachable', { nodes: 1, port });
    const ctx = createRunContext({ inventory });
    try {
      const started = Date.now();
      const report = await runRunbook(ctx, { phases: [0] });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(report.failed).toMatchObject({ stepId: 'preflight.reach', failure: 'unreachable' });
      expect(report.failed!.error).toBe(`ssh ${sshd.user}@127.0.0.1:${port}: connection refused`);
      expect(report.failed!.advice).toMatch(/sshd/);
    } finally {
      await closeRunContext(ctx);
    }
  });
});
