/**
 * Every day-2 action on three real systemd hosts, through the built command
 * as a user runs it (inside the lab's network namespace): snapshot save,
 * restart, rolling-restart, quota, defrag, member replace, nospace-recover,
 * restore, rebootstrap. Each is checked on the hosts, not only by its exit code.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cockpit, etcdctl, runbook, runbookFromEmpty, startTestLab, until, type Lab } from './fixture.js';

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

const snapshotFile = () => join(lab.dir, 'snap-before.db');
const op = (args: string[]) => cockpit(lab, [...args, '--yes', '-f', lab.inventoryPath, '--audit-log', join(lab.dir, 'audit.log')], { timeoutMs: 300_000 });

interface Status {
  answering: number;
  total: number;
  quorum: string;
  alarms: string[];
  leader: { name: string } | null;
  members: Array<{ name: string; id: string; health: string; quotaBytes: number | null }>;
}

async function status(): Promise<Status> {
  return JSON.parse((await cockpit(lab, ['status', '-o', 'json', '-f', lab.inventoryPath])).stdout) as Status;
}

const allHealthy = async (): Promise<Status | false> => {
  const s = await status();
  return s.answering === 3 && s.members.every((m) => m.health === 'ok') ? s : false;
};

async function mainPid(host: string): Promise<string> {
  return (await lab.ssh(host, ['systemctl', 'show', '-p', 'MainPID', '--value', 'etcd'])).stdout.trim();
}

async function put(key: string, value: string): Promise<void> {
  const r = await etcdctl(lab, ['put', key, value]);
  expect(r.code, r.stderr).toBe(0);
}

async function get(key: string): Promise<string> {
  return (await etcdctl(lab, ['get', key, '--print-value-only'])).stdout.trim();
}

describe('day-2 actions on real hosts, through the CLI', () => {
  it('snapshot save streams from a follower into a file that verifies', async () => {
    await put('/service/before', 'one');
    const r = await op(['snapshot', 'save', snapshotFile()]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(existsSync(snapshotFile())).toBe(true);
    const verify = await cockpit(lab, ['snapshot', 'verify', snapshotFile()]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    await put('/service/after', 'two');
  }, 120_000);

  it('restart NAME restarts that member under systemd and waits until it is healthy', async () => {
    const before = await mainPid('etcd-2');
    const r = await op(['restart', 'etcd-2']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await mainPid('etcd-2')).not.toBe(before);
    expect(await allHealthy()).toBeTruthy();
  }, 180_000);

  it('rolling-restart restarts every member, followers first, the leader last', async () => {
    const before = await Promise.all(HOSTS.map(mainPid));
    const leader = (await status()).leader!.name;
    const r = await op(['rolling-restart', '--pause', '1s']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = await Promise.all(HOSTS.map(mainPid));
    after.forEach((pid, i) => expect(pid).not.toBe(before[i]));
    const order = r.stdout.match(/rolling restart, in this order: (.*)/)?.[1]?.split(', ') ?? [];
    expect([...order].sort()).toEqual(HOSTS);
    expect(order.at(-1)).toBe(leader);
    expect(await until('3 healthy members', allHealthy, 30_000)).toBeTruthy();
  }, 240_000);

  it('quota sets quota-backend-bytes in every config and every member runs with it', async () => {
    const r = await op(['quota', '3GiB']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const host of HOSTS) {
      const config = await lab.ssh(host, ['sudo', '-n', 'cat', '/etc/etcd/etcd.conf.yml']);
      expect(config.stdout).toMatch(/^quota-backend-bytes: 3221225472$/m);
    }
    const s = await until('3 healthy members', allHealthy, 30_000);
    expect(s.members.map((m) => m.quotaBytes)).toEqual([3221225472, 3221225472, 3221225472]);
  }, 300_000);

  it('defrag defragments every member, followers first, leadership moved off the leader first', async () => {
    const leader = (await status()).leader!.name;
    const r = await op(['defrag', '--force', '--pause', '1s']); // --force: a small database has little to gain
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await status()).leader!.name).not.toBe(leader);
    expect(await until('3 healthy members', allHealthy, 30_000)).toBeTruthy();
  }, 180_000);

  it('member replace removes a member, wipes it, adds it back as a learner, promotes it once in sync', async () => {
    const before = (await status()).members.find((m) => m.name === 'etcd-3')!.id;
    const r = await op(['member', 'replace', 'etcd-3']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const s = await until('3 healthy members', allHealthy, 60_000);
    const after = s.members.find((m) => m.name === 'etcd-3')!.id;
    expect(after).not.toBe(before);
    const list = await etcdctl(lab, ['member', 'list']);
    expect(list.stdout.trim().split('\n')).toHaveLength(3);
    expect(list.stdout).not.toContain('true'); // no learner left
    expect(await get('/service/before')).toBe('one'); // its data came back from the others
  }, 240_000);

  it('nospace-recover clears a real NOSPACE alarm: compact, defragment all, disarm, a test write', async () => {
    expect((await op(['quota', '24MiB'])).code).toBe(0);
    const megabyte = 'x'.repeat(1024 * 1024);
    let full = '';
    for (let i = 0; i < 60 && !full; i++) {
      const r = await etcdctl(lab, ['put', '/service/filler'], { input: megabyte });
      if (r.code !== 0) full = r.stderr;
    }
    expect(full).toMatch(/database space exceeded/);
    expect((await status()).alarms.join(', ')).toMatch(/NOSPACE/);
    const r = await op(['nospace-recover']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await status()).alarms).toEqual([]);
    await put('/service/after-nospace', 'ok');
    expect((await op(['quota', '2GiB'])).code).toBe(0);
  }, 420_000);

  it('restore puts the verified snapshot back on every member', async () => {
    const r = await op(['restore', snapshotFile()]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await until('3 healthy members', allHealthy, 60_000);
    expect(await get('/service/before')).toBe('one');
    expect(await get('/service/after')).toBe('');
    for (const host of HOSTS) expect((await lab.ssh(host, ['systemctl', 'is-active', 'etcd'])).stdout.trim()).toBe('active');
  }, 300_000);

  it('rebootstrap (with a fresh snapshot taken first) wipes and bootstraps again; RBAC is back and the checkpoint passes', async () => {
    const r = await op(['rebootstrap', '--take-snapshot', '--snapshot-dir', join(lab.dir, 'snapshots')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await until('3 healthy members', allHealthy, 60_000);
    expect(await get('/service/before')).toBe('');
    const check = await runbook(lab, ['--phase', '8']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout.split('\n').filter((l) => /^\s*\d+\s+PASS\s/.test(l))).toHaveLength(10);
  }, 300_000);
});
