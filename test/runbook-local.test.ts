/**
 * The whole runbook on 3 local nodes (LocalTransport + ProcessSupervisor on
 * loopback addresses with the runbook's ports), against real etcd 3.5,
 * cross-checked with the real etcdctl and openssl.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEtcdBinaries } from '../src/adapters/local/etcd-binaries.js';
import { runRunbookCommand } from '../src/cli/commands/runbook.js';
import { exportCaKey } from '../src/core/runbook/ca-key-export.js';
import type { CheckpointRow } from '../src/core/runbook/checkpoint-rows.js';
import { patroniEtcd3Block } from '../src/core/runbook/checkpoint.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { runRunbook } from '../src/core/runbook/engine.js';
import type { RunbookEvent } from '../src/core/runbook/events.js';
import type { RunContext } from '../src/core/runbook/types.js';
import { collect, localFixture, teardownLocal, type LocalFixture } from './helpers/runbook-fixture.js';

let fx: LocalFixture;
let ctx: RunContext;
let firstRun: RunbookEvent[] = [];

beforeAll(async () => {
  fx = await localFixture();
  ctx = createRunContext({ inventory: fx.inventory, killOnExit: true });
});

afterAll(async () => {
  if (ctx) await closeRunContext(ctx);
  if (fx) await teardownLocal(fx.dir, fx.workdir);
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const nodeRoot = (name: string) => join(fx.workdir, 'nodes', name);
const pki = (...parts: string[]) => join(fx.workdir, 'pki', ...parts);
const password = (user: string) => readFileSync(join(fx.workdir, 'secrets', `${user}.password`), 'utf8').trim();

function etcdctl(args: string[], env: Record<string, string> = {}) {
  const endpoints = fx.addresses.map((a) => `https://${a}:2379`).join(',');
  return spawnSync(findEtcdBinaries().etcdctl, ['--endpoints', endpoints, '--cacert', pki('ca.crt'), '--dial-timeout', '3s', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
}

function sink() {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, cb) => ((text += String(chunk)), cb()) });
  return { stream, text: () => text };
}

describe('whole runbook on 3 local nodes', () => {
  it('goes from nothing to 10/10 checkpoint rows against real etcd', async () => {
    const c = collect();
    const started = performance.now();
    const report = await runRunbook(ctx, { listener: c.listener });
    const seconds = (performance.now() - started) / 1000;
    console.log(`full local bootstrap: ${seconds.toFixed(1)} s from nothing to 10/10`);
    firstRun = c.events;
    expect(report.failed).toBeUndefined();
    expect(report.outcome).toBe('done');
    const checkpoints = c.events.filter((e): e is Extract<RunbookEvent, { type: 'checkpoint' }> => e.type === 'checkpoint');
    const rows: CheckpointRow[] = checkpoints.at(-1)!.rows;
    expect(rows.map((r) => [r.n, r.pass])).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1, true]));
    expect(rows.find((r) => r.n === 10)!.detail).toMatch(/denied/);
  });

  it('left real etcd that etcdctl and openssl agree with', () => {
    const members = etcdctl(['--cert', pki('clients', 'root.crt'), '--key', pki('clients', 'root.key'), 'member', 'list', '-w', 'json']);
    expect(members.status, members.stderr).toBe(0);
    const list = JSON.parse(members.stdout) as { members: Array<{ name: string; clientURLs: string[] }> };
    expect(list.members.map((m) => m.name).sort()).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);

    // patroni's password goes in the environment, never argv
    const asPatroni = { ETCDCTL_USER: `patroni:${password('patroni')}` };
    const patroniTls = ['--cert', pki('clients', 'patroni.crt'), '--key', pki('clients', 'patroni.key')];
    const put = etcdctl([...patroniTls, 'put', '/service/etcdctl-check', 'ok'], asPatroni);
    expect(put.stdout.trim(), put.stderr).toBe('OK');
    const get = etcdctl([...patroniTls, 'get', '/service/etcdctl-check', '--print-value-only'], asPatroni);
    expect(get.stdout.trim()).toBe('ok');
    const outside = etcdctl([...patroniTls, 'put', '/other/x', 'no'], asPatroni);
    expect(outside.status).not.toBe(0);
    expect(outside.stderr).toMatch(/permission denied/);
    const anonymous = etcdctl(['--cert', pki('clients', 'operator.crt'), '--key', pki('clients', 'operator.key'), 'get', '/service/', '--prefix']);
    expect(anonymous.status).not.toBe(0);

    for (const name of ['etcd-1', 'etcd-2', 'etcd-3']) {
      const dir = join(nodeRoot(name), 'etc/etcd/pki');
      const out = execFileSync('openssl', ['verify', '-CAfile', pki('ca.crt'), join(dir, 'server.crt'), join(dir, 'peer.crt')], { encoding: 'utf8' });
      expect(out).toBe(`${join(dir, 'server.crt')}: OK\n${join(dir, 'peer.crt')}: OK\n`);
    }
  });

  it('wrote files with the runbook modes and a config from the measured tuning', () => {
    const root = nodeRoot('etcd-2');
    expect(mode(join(root, 'var/lib/etcd'))).toBe('700');
    expect(mode(join(root, 'etc/etcd'))).toBe('750');
    expect(mode(join(root, 'etc/etcd/pki'))).toBe('750');
    expect(mode(join(root, 'etc/etcd/pki/ca.crt'))).toBe('644');
    expect(mode(join(root, 'etc/etcd/pki/server.key'))).toBe('600');
    expect(mode(join(root, 'etc/etcd/pki/peer.key'))).toBe('600');
    expect(mode(join(root, 'etc/etcd/etcd.conf.yml'))).toBe('640');
    expect(mode(join(root, 'usr/local/bin/etcd'))).toBe('755');
    expect(existsSync(join(root, 'etc/etcd/pki/ca.key'))).toBe(false);
    expect(mode(join(fx.workdir, 'secrets'))).toBe('700');
    expect(mode(join(fx.workdir, 'secrets/patroni.password'))).toBe('600');
    expect(mode(pki('ca.key'))).toBe('600');

    const state = JSON.parse(readFileSync(join(fx.workdir, 'state.json'), 'utf8'));
    const config = parse(readFileSync(join(root, 'etc/etcd/etcd.conf.yml'), 'utf8'));
    expect(config['heartbeat-interval']).toBe(state.preflight.recommended.heartbeatIntervalMs);
    expect(config['election-timeout']).toBe(10 * config['heartbeat-interval']);
    expect(config['data-dir']).toBe(join(root, 'var/lib/etcd'));
    expect(config['client-transport-security']['key-file']).toBe(join(root, 'etc/etcd/pki/server.key'));
    expect(config['initial-cluster']).toBe(fx.addresses.map((a, i) => `etcd-${i + 1}=https://${a}:2380`).join(','));
  });

  it('never let a password or private key into an event', () => {
    const text = JSON.stringify(firstRun);
    for (const user of ['root', 'patroni']) expect(text).not.toContain(password(user));
    const keyBody = readFileSync(pki('etcd-1', 'server.key'), 'utf8').split('\n')[5]!;
    expect(keyBody.length).toBeGreaterThan(40);
    expect(text).not.toContain(keyBody);
  });

  it('a rerun checks every step and re-applies nothing', async () => {
    const c = collect();
    const report = await runRunbook(ctx, { listener: c.listener });
    expect(report.outcome).toBe('done');
    const finals = c.finalStates();
    expect(finals.length).toBe(report.records.length);
    for (const s of finals) {
      expect(s.state, `${s.stepId}@${s.target}`).toBe('skipped');
      expect(['done-by-check', 'not-applicable']).toContain(s.skip);
    }
    expect(finals.filter((s) => s.skip === 'done-by-check').length).toBeGreaterThanOrEqual(20);
    expect(c.events.filter((e) => e.type === 'action' || e.type === 'plan')).toEqual([]);
  });

  it('a wrong password read from a file fails the RBAC proof clearly, and says what is done', async () => {
    const wrong = join(fx.dir, 'wrong-patroni.password');
    writeFileSync(wrong, 'not-the-password\n', { mode: 0o600 });
    const wrongCtx = createRunContext({
      inventory: fx.inventory,
      settings: { ...ctx.settings, passwords: { patroni: { kind: 'file', path: wrong } } },
    });
    try {
      const c = collect();
      const report = await runRunbook(wrongCtx, { phases: [7, 8], listener: c.listener });
      expect(report.outcome).toBe('failed');
      expect(report.failed).toMatchObject({ stepId: 'rbac.prove', target: 'cluster', state: 'failed', failure: 'auth' });
      expect(report.failed!.error).toContain(`etcd rejects the patroni password from file ${wrong}`);
      expect(report.failed!.advice).toMatch(/Auth Lockout/);
      const byStep = Object.fromEntries(report.records.map((r) => [r.stepId, [r.state, r.skip]]));
      expect(byStep).toEqual({
        'rbac.passwords': ['skipped', 'done-by-check'],
        'rbac.users': ['skipped', 'done-by-check'],
        'rbac.enable-auth': ['skipped', 'done-by-check'],
        'rbac.prove': ['failed', undefined],
        'verify.checkpoint': ['pending', undefined],
      });
      expect(JSON.stringify(c.events)).not.toContain('not-the-password');
    } finally {
      await closeRunContext(wrongCtx);
    }
  });

  it('the CLI verifies phase 8 and prints the checkpoint and the Patroni block, no secrets', async () => {
    const out = sink();
    const err = sink();
    const code = await runRunbookCommand(['run', '-f', fx.inventoryPath, '--phase', '8'], { stdout: out.stream, stderr: err.stream });
    expect(err.text()).toMatch(/verify\.checkpoint/);
    expect(code).toBe(0);
    expect(out.text()).toMatch(/10 {2}PASS {2}Unauthenticated access denied/);
    expect(out.text()).toContain('etcd3:\n  hosts:\n');
    expect(out.text()).toContain(`    - ${fx.addresses[0]}:2379\n`);
    expect(out.text()).toContain('  username: patroni\n');
    for (const user of ['root', 'patroni']) expect(out.text() + err.text()).not.toContain(password(user));
    expect(patroniEtcd3Block(ctx)).toMatch(/password: '<patroni password: generated file .*patroni\.password>'/);
  });

  it('exports the CA key encrypted (passphrase from a file) and deletes the local copy', async () => {
    const passFile = join(fx.dir, 'ca-passphrase');
    writeFileSync(passFile, 'correct horse battery staple\n', { mode: 0o600 });
    const destination = join(fx.dir, 'ca.key.enc');
    const original = execFileSync('openssl', ['pkey', '-in', pki('ca.key'), '-pubout'], { encoding: 'utf8' });
    const result = await exportCaKey({ workdir: fx.workdir, destination, passphrase: { kind: 'file', path: passFile } });
    expect(result).toEqual({ destination, deletedLocal: true });
    expect(existsSync(pki('ca.key'))).toBe(false);
    expect(mode(destination)).toBe('600');
    expect(readFileSync(destination, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const back = execFileSync('openssl', ['pkey', '-in', destination, '-passin', `file:${passFile}`, '-pubout'], { encoding: 'utf8' });
    expect(back).toBe(original);
    // the PKI step still counts as done without the CA key
    const report = await runRunbook(ctx, { phases: [3] });
    expect(report.records.every((r) => r.state === 'skipped' && r.skip === 'done-by-check')).toBe(true);
  });
});
