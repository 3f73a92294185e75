/**
 * The whole runbook on three empty systemd hosts over SSH with sudo, then
 * Patroni 3.0.2 + PostgreSQL 15 (Debian's packages) on a fourth host given
 * the runbook's printed etcd3: block, then etcd leader moves (cluster
 * defrag, move-leader, rolling restart, certs renew, a CA rotation) while
 * Patroni keeps its leader key.
 */
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cockpit, etcdctl, runbook, runbookFromEmpty, startTestLab, until, type Lab, type RunResult } from './fixture.js';
import { SCOPE, etcd3BlockOf, givePatroni, isPrimary, patroniApi, patroniLog, startPatroni, watchPrimary, type PatroniState } from './patroni.js';

let lab: Lab;
let first: RunResult;
const ETCD_HOSTS = ['etcd-1', 'etcd-2', 'etcd-3'];

beforeAll(async () => {
  lab = await startTestLab({ patroni: true });
  first = await runbookFromEmpty(lab);
}, 900_000);

afterAll(async () => {
  await lab?.down();
}, 60_000);

const pki = (...parts: string[]) => join(lab.dir, 'work', 'pki', ...parts);

async function statusJson(): Promise<{ leader: { name: string } | null; answering: number; members: Array<{ name: string; health: string }> }> {
  const r = await cockpit(lab, ['status', '-o', 'json', '-f', lab.inventoryPath]);
  return JSON.parse(r.stdout);
}

async function leaderName(): Promise<string> {
  return until('an etcd leader', async () => (await statusJson()).leader?.name, 20_000);
}

describe('the runbook on three real systemd hosts', () => {
  it('goes from empty hosts to 10/10 over SSH with sudo', () => {
    expect(first.code, first.stderr).toBe(0);
    console.log(`runbook on 3 lab hosts, first run: ${(first.ms / 1000).toFixed(1)} s (hosts up in ${((lab.state.timings?.hostsUpMs ?? 0) / 1000).toFixed(1)} s)`);
    const rows = first.stdout.split('\n').filter((l) => /^\s*\d+\s+(PASS|FAIL)\s/.test(l));
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.includes('PASS'))).toBe(true);
    expect(first.stdout).toMatch(/8\s+PASS\s+Patroni user can write \/service\/: put \/service\/test "ok" as patroni over the JSON gateway: OK/);
    expect(first.stderr).toMatch(/done\s+preflight\.reach etcd-1: ssh ops@[\d.]+:22, sudo ok/);
    expect(first.stderr).toMatch(/done\s+host\.user etcd-2: created user etcd/);
  });

  it.each(ETCD_HOSTS)('%s: etcd active and enabled under systemd; user, folders, owners and modes as the runbook says; keys 0600', async (host) => {
    const r = await lab.ssh(host, [
      'systemctl is-active etcd; systemctl is-enabled etcd; id -un etcd;',
      'sudo -n stat -c "%n %a %U:%G" /etc/etcd /etc/etcd/pki /var/lib/etcd /etc/etcd/etcd.conf.yml /etc/etcd/pki/{ca,server,peer}.crt /etc/etcd/pki/{server,peer,jwt}.key /etc/etcd/pki/jwt.pub /etc/systemd/system/etcd.service /usr/local/bin/etcd',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['active', 'enabled', 'etcd']);
    const modes = Object.fromEntries(lines.slice(3).map((l) => [l.split(' ')[0], l.split(' ').slice(1).join(' ')]));
    expect(modes).toEqual({
      '/etc/etcd': '750 etcd:etcd',
      '/etc/etcd/pki': '750 etcd:etcd',
      '/var/lib/etcd': '700 etcd:etcd',
      '/etc/etcd/etcd.conf.yml': '640 etcd:etcd',
      '/etc/etcd/pki/ca.crt': '644 etcd:etcd',
      '/etc/etcd/pki/server.crt': '644 etcd:etcd',
      '/etc/etcd/pki/peer.crt': '644 etcd:etcd',
      '/etc/etcd/pki/server.key': '600 etcd:etcd',
      '/etc/etcd/pki/peer.key': '600 etcd:etcd',
      '/etc/etcd/pki/jwt.key': '600 etcd:etcd',
      '/etc/etcd/pki/jwt.pub': '644 etcd:etcd',
      '/etc/systemd/system/etcd.service': '644 root:root',
      '/usr/local/bin/etcd': '755 root:root',
    });
    const unit = await lab.ssh(host, ['cat', '/etc/systemd/system/etcd.service']);
    expect(unit.stdout).toContain('TimeoutStartSec=0');
    const config = await lab.ssh(host, ['sudo', '-n', 'cat', '/etc/etcd/etcd.conf.yml']);
    expect(config.stdout).toContain('auth-token: jwt,pub-key=/etc/etcd/pki/jwt.pub,priv-key=/etc/etcd/pki/jwt.key,sign-method=RS256');
  });

  it('a second run changes nothing: every step is found done, no file on a host is touched', async () => {
    // every file the runbook wrote, with its change time, and the etcd process (not restarted)
    const stamp = 'sudo -n find /etc/etcd /etc/systemd/system/etcd.service /usr/local/bin -printf "%p %C@ %m %u\\n" | sort; systemctl show -p MainPID -p ActiveEnterTimestampMonotonic etcd';
    const before = await Promise.all(ETCD_HOSTS.map((h) => lab.ssh(h, [stamp])));
    const again = await runbook(lab);
    expect(again.code, again.stderr).toBe(0);
    console.log(`runbook on 3 lab hosts, rerun: ${(again.ms / 1000).toFixed(1)} s`);
    const steps = again.stderr.split('\n').filter((l) => /^\s+(done|ok|n\/a|FAILED)\s/.test(l));
    expect(steps.length).toBeGreaterThan(20);
    expect(steps.filter((l) => !/^\s+ok\s/.test(l))).toEqual([]);
    const after = await Promise.all(ETCD_HOSTS.map((h) => lab.ssh(h, [stamp])));
    expect(after.map((r) => r.stdout)).toEqual(before.map((r) => r.stdout));
  }, 120_000);

  it("Patroni's client certificate has no CN; operator and root keep theirs (a gRPC client's CN is its etcd user)", async () => {
    const subject = async (file: string) => (await lab.exec(['openssl', 'x509', '-noout', '-subject', '-in', file])).stdout.trim();
    expect(await subject(pki('clients', 'patroni.crt'))).toBe('subject=OU = patroni');
    expect(await subject(pki('clients', 'root.crt'))).toBe('subject=CN = root');
    expect(await subject(pki('clients', 'operator.crt'))).toBe('subject=CN = operator');
  });
});

describe('Patroni on top, from the printed etcd3: block', () => {
  beforeAll(async () => {
    const block = etcd3BlockOf(first.stdout);
    expect(block).toContain("password: '<patroni password: generated file ");
    await startPatroni(lab, { ca: pki('ca.crt'), cert: pki('clients', 'patroni.crt'), key: pki('clients', 'patroni.key') }, block);
  }, 60_000);

  it('becomes primary and holds the leader key in etcd', async () => {
    const started = Date.now();
    // right after initdb PostgreSQL runs as primary a moment before Patroni writes its leader key,
    // so /patroni says primary while /cluster still says replica: wait for both
    const leaderOf = async () => ((await patroniApi(lab, 'cluster')) as { members: Array<{ name: string; role: string }> }).members;
    await until('Patroni primary holding the leader key', async () => isPrimary((await patroniApi(lab, 'patroni')) as PatroniState) && (await leaderOf()).some((m) => m.role === 'leader'), 90_000, 500);
    console.log(`Patroni primary ${((Date.now() - started) / 1000).toFixed(1)} s after systemctl start`);
    expect(await leaderOf()).toEqual([expect.objectContaining({ name: 'pg-1', role: 'leader' })]);
    // the leader key itself, read the way Patroni reads it
    const key = await readKey(`/service/${SCOPE}/leader`);
    expect(key).toBe('pg-1');
    expect(await patroniLog(lab)).not.toMatch(/CommonName of client/);
  }, 120_000);

  it('keeps its leader key with no demotion through a cluster defrag that moves the etcd leader, move-leader and a rolling restart', async () => {
    const logBefore = (await patroniLog(lab)).length;
    const watch = watchPrimary(lab);
    const failed = await moveTheEtcdLeaderAround().then(() => undefined, (err: unknown) => err);
    const sampled = await watch.stop();
    if (failed) throw failed;
    console.log(`Patroni sampled ${sampled.samples} times during the etcd operations`);
    const log = (await patroniLog(lab)).slice(logBefore);
    if (sampled.bad.length) console.log(log.split('\n').filter((l) => /WARN|ERROR|demot|lock/i.test(l)).join('\n'));
    expect(sampled.bad, sampled.bad.join("\n")).toEqual([]);
    expect(sampled.samples).toBeGreaterThan(10);
    expect(log).not.toMatch(/demot/i);
    expect(log).not.toMatch(/failed to update leader lock/i);
    expect(log).toMatch(/no action\. I am \(pg-1\), the leader with the lock/);
    expect(await readKey(`/service/${SCOPE}/leader`)).toBe('pg-1');
  }, 420_000);

  it('keeps its leader key through certs renew: new server and peer certificates on every member, a rolling restart', async () => {
    const serial = async (host: string) => new X509Certificate((await lab.ssh(host, ['sudo', '-n', 'cat', '/etc/etcd/pki/server.crt'])).stdout).serialNumber;
    const before = await Promise.all(ETCD_HOSTS.map(serial));
    const logBefore = (await patroniLog(lab)).length;
    const watch = watchPrimary(lab);
    const r: RunResult = await cockpit(lab, ['certs', 'renew', '--yes', '-f', lab.inventoryPath], { timeoutMs: 300_000 });
    const sampled = await watch.stop();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    console.log(`Patroni sampled ${sampled.samples} times during certs renew`);
    const log = (await patroniLog(lab)).slice(logBefore);
    expect(sampled.bad, sampled.bad.join('\n')).toEqual([]);
    expect(sampled.samples).toBeGreaterThan(5);
    expect(log).not.toMatch(/demot/i);
    expect(log).not.toMatch(/failed to update leader lock/i);
    const after = await Promise.all(ETCD_HOSTS.map(serial));
    after.forEach((s, i) => expect(s).not.toBe(before[i]));
    expect(await readKey(`/service/${SCOPE}/leader`)).toBe('pg-1');
  }, 420_000);

  it("keeps its leader key through a CA rotation when the operator does what each phase's closing hint says", async () => {
    const logBefore = (await patroniLog(lab)).length;
    const watch = watchPrimary(lab);
    const phases: string[] = [];
    const failed = await (async () => {
      for (const phase of ['a', 'b', 'c']) {
        const r: RunResult = await cockpit(lab, ['certs', 'rotate-ca', '--yes', '-f', lab.inventoryPath], { timeoutMs: 300_000 });
        expect(r.code, `phase ${phase}: ${r.stdout}${r.stderr}`).toBe(0);
        const hint = [...r.stdout.split('\n'), ...r.stderr.split('\n')].reverse().find((l) => /then (copy|run) |that ends the rotation/.test(l)) ?? '(no hint)';
        phases.push(`${phase}: ${hint}`);
        // What the hint asks of the clients, done the way an operator would: files copied, Patroni left running.
        if (/copy pki\/ca\.crt/.test(hint)) await givePatroni(lab, { ca: pki('ca.crt') });
        if (/copy pki\/clients/.test(hint)) await givePatroni(lab, { cert: pki('clients', 'patroni.crt'), key: pki('clients', 'patroni.key') });
      }
    })().then(() => undefined, (err: unknown) => err);
    const sampled = await watch.stop();
    if (failed) throw failed;
    console.log(`Patroni sampled ${sampled.samples} times during the CA rotation; hints:\n${phases.join('\n')}`);
    expect(phases[0]).toMatch(/copy pki\/ca\.crt/);
    expect(phases[1]).toMatch(/copy pki\/clients/);
    const log = (await patroniLog(lab)).slice(logBefore);
    expect(sampled.bad, sampled.bad.join('\n') + '\n' + log.split('\n').filter((l) => /WARN|ERROR|demot|lock/i.test(l)).join('\n')).toEqual([]);
    expect(log).not.toMatch(/demot/i);
    expect(log).not.toMatch(/failed to update leader lock/i);
    expect(await readKey(`/service/${SCOPE}/leader`)).toBe('pg-1');
  }, 900_000);
});

async function moveTheEtcdLeaderAround(): Promise<void> {
  const leaderBefore = await leaderName();
  const defrag = await cockpit(lab, ['defrag', '--force', '--yes', '--pause', '1s', '-f', lab.inventoryPath]);
  expect(defrag.code, defrag.stdout + defrag.stderr).toBe(0);
  const leaderAfterDefrag = await leaderName();
  expect(leaderAfterDefrag).not.toBe(leaderBefore);

  const target = ETCD_HOSTS.find((h) => h !== leaderAfterDefrag)!;
  const move = await cockpit(lab, ['move-leader', target, '--yes', '-f', lab.inventoryPath]);
  expect(move.code, move.stdout + move.stderr).toBe(0);
  expect(await leaderName()).toBe(target);

  const rolling = await cockpit(lab, ['rolling-restart', '--yes', '--pause', '2s', '-f', lab.inventoryPath], { timeoutMs: 300_000 });
  expect(rolling.code, rolling.stdout + rolling.stderr).toBe(0);
}

/** A key's value, read as root over gRPC (the root certificate's CN makes it root). */
async function readKey(key: string): Promise<string> {
  const r = await etcdctl(lab, ['get', key, '--print-value-only']);
  if (r.code !== 0) throw new Error(`get ${key}: ${r.stderr}`);
  return r.stdout.trim();
}
