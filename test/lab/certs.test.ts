/**
 * `certs status`, `certs renew` and `certs rotate-ca` on three real systemd
 * hosts over SSH with sudo, through the built command as a user runs it
 * (inside the lab's network namespace), with etcdctl writing (with failover
 * between the members) during renew. Checked on the hosts, not only by the exit codes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEtcdBinaries } from '../../src/adapters/local/etcd-binaries.js';
import { cockpit, runbookFromEmpty, startTestLab, type Lab } from './fixture.js';

let lab: Lab;
const HOSTS = ['etcd-1', 'etcd-2', 'etcd-3'];

beforeAll(async () => {
  lab = await startTestLab();
  const r = await runbookFromEmpty(lab);
  expect(r.code, r.stderr).toBe(0);
}, 900_000);

afterAll(async () => {
  await lab?.down();
}, 60_000);

const pki = (...parts: string[]) => join(lab.dir, 'work', 'pki', ...parts);
const certs = (args: string[]) => cockpit(lab, ['certs', ...args, '-f', lab.inventoryPath, '--audit-log', join(lab.dir, 'audit.log')], { timeoutMs: 300_000 });

async function onHost(host: string, file: string): Promise<string> {
  const r = await lab.ssh(host, ['sudo', '-n', 'cat', `/etc/etcd/pki/${file}`]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

async function statusJson(): Promise<{ exitCode: number; problems: string[] }> {
  const r = await certs(['status', '-o', 'json']);
  return { ...(JSON.parse(r.stdout) as { problems: string[] }), exitCode: r.code };
}

/**
 * etcdctl put, over and over until stopped, the way a client with failover
 * writes: one member at a time in turn, the next one when it fails; a round
 * fails only when no member takes the write. Attempts that failed over are counted too.
 */
function writeLoop() {
  let running = true;
  let rounds = 0;
  let failedOver = 0;
  const failures: string[] = [];
  const endpoints = HOSTS.map((h) => `https://${lab.host(h).ip}:2379`);
  const put = (endpoint: string, value: string) =>
    lab.exec(
      [findEtcdBinaries().etcdctl, `--endpoints=${endpoint}`, `--cacert=${pki('ca.crt')}`, `--cert=${pki('clients', 'root.crt')}`, `--key=${pki('clients', 'root.key')}`, '--command-timeout=3s', 'put', '/lab-certs/loop', value],
      { timeoutMs: 30_000 },
    );
  const done = (async () => {
    while (running) {
      const errors: string[] = [];
      for (let i = 0; i < endpoints.length; i++) {
        const r = await put(endpoints[(rounds + i) % endpoints.length]!, String(rounds));
        if (r.code === 0) break;
        errors.push(r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`);
      }
      if (errors.length > 0) failedOver++;
      if (errors.length === endpoints.length) failures.push(`round ${rounds}: ${errors.join(' / ')}`);
      rounds++;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { rounds, failures, failedOver };
    },
  };
}

describe('certificates on real hosts, through the CLI', () => {
  it('status reads every certificate over SSH with sudo: all good', async () => {
    const s = await statusJson();
    expect(s.problems).toEqual([]);
    expect(s.exitCode).toBe(0);
  });

  it('renew: new serials from the same CA on every host, keys 0600 etcd:etcd, writes with failover never fail', async () => {
    const before = Object.fromEntries(await Promise.all(HOSTS.map(async (h) => [h, new X509Certificate(await onHost(h, 'server.crt')).serialNumber] as const)));
    const caBefore = readFileSync(pki('ca.crt'), 'utf8');
    const loop = writeLoop();
    const t0 = Date.now();
    const r = await certs(['renew', '--yes']);
    const { rounds, failures, failedOver } = await loop.stop();
    console.log(`lab certs renew: ${((Date.now() - t0) / 1000).toFixed(1)} s, etcdctl rounds ${rounds}, failed over ${failedOver}, failures ${failures.length}`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(failures).toEqual([]);
    expect(rounds).toBeGreaterThan(5);
    for (const h of HOSTS) {
      const cert = new X509Certificate(await onHost(h, 'server.crt'));
      expect(cert.serialNumber).not.toBe(before[h]);
      expect(cert.verify(new X509Certificate(caBefore).publicKey)).toBe(true);
      expect((await lab.ssh(h, ['sudo', '-n', 'stat', '-c', '%a:%U:%G', '/etc/etcd/pki/server.key', '/etc/etcd/pki/peer.key'])).stdout.trim().split('\n')).toEqual(['600:etcd:etcd', '600:etcd:etcd']);
    }
    expect((await statusJson()).exitCode).toBe(0);
  }, 600_000);

  it('rotate-ca: three runs end with every host trusting only the new CA, leaves signed by it, the cluster healthy', async () => {
    const oldCa = new X509Certificate(readFileSync(pki('ca.crt'))).fingerprint256;
    for (const phase of ['a', 'b', 'c']) {
      const r = await certs(['rotate-ca', '--yes']);
      expect(r.code, `phase ${phase}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`phase ${phase} of 3`);
    }
    const newCa = new X509Certificate(readFileSync(pki('ca.crt')));
    expect(newCa.fingerprint256).not.toBe(oldCa);
    for (const h of HOSTS) {
      expect(new X509Certificate(await onHost(h, 'ca.crt')).fingerprint256).toBe(newCa.fingerprint256);
      expect((await onHost(h, 'ca.crt')).match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
      expect(new X509Certificate(await onHost(h, 'peer.crt')).verify(newCa.publicKey)).toBe(true);
    }
    const s = await statusJson();
    expect(s.problems).toEqual([]);
    const health = await cockpit(lab, ['status', '-o', 'json', '-f', lab.inventoryPath]);
    expect(health.code, health.stdout).toBe(0);
  }, 900_000);
});
