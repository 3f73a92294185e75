import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handledCalls } from './helpers/etcd-calls.js';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { runCli } from './helpers/cli.js';
import { createCockpitStore } from '../src/state/store.js';
import { Poller } from '../src/state/poller.js';
import { createPooledClient } from '../src/adapters/etcd/member-client.js';
import { defragMembers } from '../src/core/operations/defrag.js';
import { compactHistory } from '../src/core/operations/compact.js';
import { moveLeaderTo } from '../src/core/operations/leader.js';
import { alarmList, recoverFromNospace } from '../src/core/operations/alarms.js';
import type { OperationContext } from '../src/core/operations/context.js';
import { verifySnapshot } from '../src/core/snapshot/verify.js';
import { etcdutlStatusReader } from '../src/adapters/local/etcdutl-status.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;

function harness(cluster: Cluster) {
  const tls = clusterTls(cluster);
  const store = createCockpitStore({ clusterName: cluster.name, members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
  const poller = new Poller(store, { intervalMs: 500, clientOptions: () => ({ tls, credentials: {}, deadlineMs: 2000 }) });
  const lines: string[] = [];
  const ctx: OperationContext = {
    clientFor: (e) => poller.memberFor(e),
    members: () => store.getState().order.map((e) => store.getState().members[e]!),
    log: (line) => lines.push(line),
    longDeadlineMs: 60_000,
    pauseMs: 0,
  };
  const pooled = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls, credentials: {}, deadlineMs: 5000 });
  return { store, poller, ctx, lines, pooled, tls, close: () => (poller.stop(), pooled.close()) };
}

function leaderName(h: ReturnType<typeof harness>): string {
  const members = h.ctx.members();
  return members.find((m) => m.last && m.last.leaderId === m.last.memberId)!.name;
}

describe('day-2 operations on a real cluster', () => {
  let cluster: Cluster;
  let h: ReturnType<typeof harness>;
  beforeAll(async () => {
    cluster = await startTestCluster();
    h = harness(cluster);
    for (let i = 0; i < 300; i++) await h.pooled.put(`/frag/${i % 30}`).value('v'.repeat(2000));
    await h.poller.pollOnce();
  });
  afterAll(async () => {
    h?.close();
    await cluster?.cleanup();
  });

  it('defragments the cluster one member at a time, the leader last after moving leadership away', async () => {
    const before = leaderName(h);
    h.lines.length = 0;
    const results = await defragMembers(h.ctx, { force: true });
    expect(results.map((r) => r.name).at(-1)).toBe(before);
    expect(results.every((r) => r.after !== undefined && r.skipped === undefined)).toBe(true);
    const defragLines = h.lines.filter((l) => /: defragmenting/.test(l)).map((l) => l.split(':')[0]);
    expect(defragLines.at(-1)).toBe(before);
    const movedAt = h.lines.findIndex((l) => l.startsWith(`${before}: moving leadership to`));
    const leaderDefragAt = h.lines.findIndex((l) => l.startsWith(`${before}: defragmenting`));
    expect(movedAt).toBeGreaterThanOrEqual(0);
    expect(movedAt).toBeLessThan(leaderDefragAt);
    // etcd itself says the old leader is a follower now.
    const old = cluster.nodes.find((n) => n.name === before)!;
    const status = await h.poller.clientFor(old.clientUrl).maintenance.status();
    expect(status.leader).not.toBe(status.header.member_id);
  });

  it('skips members with little to gain unless forced', async () => {
    await h.poller.pollOnce();
    const results = await defragMembers(h.ctx, { force: false });
    expect(results.every((r) => r.skipped?.startsWith('little to gain'))).toBe(true);
  });

  it('moves the leader to the chosen member', async () => {
    await h.poller.pollOnce();
    const target = h.ctx.members().find((m) => m.last && m.last.leaderId !== m.last.memberId)!;
    await moveLeaderTo(h.ctx, target.endpoint);
    const status = await h.poller.clientFor(target.endpoint).maintenance.status();
    expect(status.leader).toBe(status.header.member_id);
  });

  it('compacts history: older revisions are gone', async () => {
    await h.poller.pollOnce();
    const old = Number((await h.pooled.get('/frag/1').exec()).header.revision) - 5;
    const { revision } = await compactHistory(h.ctx, {});
    expect(revision).toBeGreaterThan(old);
    await expect(h.pooled.get('/frag/1').revision(old).string()).rejects.toThrow(/compacted/);
  });

  it('the CLI asks, refuses without a terminal, and records everything in the audit log', async () => {
    const audit = join(cluster.dir, 'audit.log');
    const refused = await runCli(['compact', '-f', cluster.inventoryPath, '--audit-log', audit]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Compact the history of test up to the current revision[^]*\netcd-cockpit: refusing to change the cluster without --yes: stdin is not a terminal to ask on\n$/);
    const done = await runCli(['defrag', '--member', cluster.nodes[0]!.name, '--force', '--yes', '-f', cluster.inventoryPath, '--audit-log', audit]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/defragmenting/);
    const entries = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(entries.at(-1)).toMatchObject({ action: 'defrag', target: cluster.nodes[0]!.name, result: 'ok', cluster: 'test' });
    expect(typeof entries.at(-1).user).toBe('string');
  });

  it('--read-only: every mutating command is refused and no mutating request reaches etcd', async () => {
    const mutating = ['Defragment', 'Compact', 'MoveLeader', 'Alarm', 'Put', 'DeleteRange', 'Txn'];
    const before = await handledCalls(cluster, mutating);
    expect(before).toBeGreaterThan(0); // the metric is there and counts (the puts above)
    const audit = join(cluster.dir, 'audit-ro.log');
    for (const argv of [['defrag', '--force'], ['compact'], ['move-leader', cluster.nodes[1]!.name], ['alarm', 'disarm'], ['nospace-recover']]) {
      const run = await runCli([...argv, '--yes', '--read-only', '-f', cluster.inventoryPath, '--audit-log', audit]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^etcd-cockpit: refused: .* changes the cluster and --read-only is on\n$/);
    }
    expect(await handledCalls(cluster, mutating)).toBe(before);
    const entries = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(entries.every((e) => e.result === 'refused')).toBe(true);
  });
  it('while quorum is lost, what needs it is refused up front (exit 2, audited), not left to time out', async () => {
    const audit = join(cluster.dir, 'audit-quorum.log');
    const stopped = [cluster.nodes[1]!.name, cluster.nodes[2]!.name];
    for (const name of stopped) cluster.members.get(name)!.signal('SIGSTOP');
    try {
      const started = Date.now();
      const run = await runCli(['compact', '--yes', '--command-timeout', '2s', '-f', cluster.inventoryPath, '--audit-log', audit], {}, 60_000);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toBe('etcd-cockpit: refused: compact needs quorum and quorum is lost (1/3 answering): nothing was changed (--force tries anyway)\n');
      expect(Date.now() - started).toBeLessThan(15_000);
      const entries = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(entries).toEqual([expect.objectContaining({ action: 'compact', result: 'refused' })]);
    } finally {
      for (const name of stopped) cluster.members.get(name)!.signal('SIGCONT');
    }
  });
  it('when no member answers at all (a wrong endpoint), the refusal says that and why, not "quorum is lost"', async () => {
    const tls = ['--cacert', cluster.tls.cacert, '--cert', cluster.tls.cert, '--key', cluster.tls.key];
    const run = await runCli(['compact', '--yes', '--endpoints', 'https://127.0.0.1:1', ...tls, '--audit-log', join(cluster.dir, 'audit-nobody.log')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'etcd-cockpit: refused: compact needs quorum and no member answers at https://127.0.0.1:1 (connection refused at 127.0.0.1:1 (etcd not running or not listening there)): nothing was changed (--force tries anyway)\n',
    );
  });
});

describe('NOSPACE: a cluster with a small quota is filled until the alarm fires, then recovered', () => {
  let cluster: Cluster;
  let h: ReturnType<typeof harness>;
  beforeAll(async () => {
    cluster = await startTestCluster({ tuning: { quotaBackendBytes: 8 * 1024 * 1024 } });
    h = harness(cluster);
  });
  afterAll(async () => {
    h?.close();
    await cluster?.cleanup();
  });

  it('guided recovery ends with a successful write', async () => {
    const value = 'x'.repeat(100_000);
    let filled = false;
    for (let i = 0; i < 400 && !filled; i++) {
      try {
        await h.pooled.put(`/fill/${i % 10}`).value(value);
      } catch (err) {
        expect((err as Error).message).toMatch(/database space exceeded/);
        filled = true;
      }
    }
    expect(filled).toBe(true);
    await h.poller.pollOnce();
    expect((await alarmList(h.ctx)).map((a) => a.alarm)).toContain('NOSPACE');
    expect(h.ctx.members().some((m) => m.last?.alarms.includes('NOSPACE'))).toBe(true);

    // Through the command, as an operator runs it: a verified snapshot first, named in the question.
    const snapshots = join(cluster.dir, 'before-recovery');
    const audit = join(cluster.dir, 'audit-nospace.log');
    const args = ['nospace-recover', '--yes', '-f', cluster.inventoryPath, '--audit-log', audit];
    const notAFolder = await runCli([...args, '--snapshot-dir', cluster.inventoryPath]);
    expect(notAFolder.code).toBe(2);
    expect(notAFolder.stderr).toMatch(/^etcd-cockpit: --snapshot-dir .* is a file, not a folder\n$/);
    expect((await alarmList(h.ctx)).map((a) => a.alarm)).toContain('NOSPACE');

    const run = await runCli([...args, '--snapshot-dir', snapshots], {}, 120_000);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // --yes: the plan is still said (on stderr), so a cron job's log shows which backup it took.
    expect(run.stderr).toMatch(new RegExp(`^Backup first: a snapshot of etcd-\\d into ${snapshots}, verified before anything changes; if it fails, nothing changes\\.$`, 'm'));
    const out = run.stdout.split('\n');
    expect(run.stdout).not.toMatch(/lock was lost/);
    const backup = out.findIndex((l) => l.startsWith('backup: '));
    expect(backup).toBeGreaterThan(-1);
    expect(backup).toBeLessThan(out.findIndex((l) => /compact/i.test(l) && !l.startsWith('1.')));
    const saved = readdirSync(snapshots).filter((n) => n.endsWith('.db'));
    expect(saved).toHaveLength(1);
    expect((await verifySnapshot(join(snapshots, saved[0]!), etcdutlStatusReader(cluster.binaries.etcdutl))).ok).toBe(true);
    expect(readFileSync(audit, 'utf8')).toContain(`"backup":"new in ${snapshots}"`);
    expect(run.stdout).toMatch(/^room to work: the database fills \d+(\.\d+)? ?% of the 8(\.0)? MiB quota/m);
    await h.poller.pollOnce();
    expect(await alarmList(h.ctx)).toEqual([]);
    await h.pooled.put('/after-recovery').value('ok');
    expect(await h.pooled.get('/after-recovery').string()).toBe('ok');
  }, 120_000);

  it('when the live data itself fills the quota, recovery does not say done: it says what to do next', async () => {
    const value = 'y'.repeat(100_000);
    let filled = false;
    for (let i = 0; i < 400 && !filled; i++) {
      try {
        await h.pooled.put(`/live/${i}`).value(value); // distinct keys: nothing for compaction to give back
      } catch (err) {
        expect((err as Error).message).toMatch(/database space exceeded/);
        filled = true;
      }
    }
    expect(filled).toBe(true);
    await h.poller.pollOnce();
    await expect(recoverFromNospace(h.ctx)).rejects.toThrow(/not recovered: .* still fills \d+(\.\d+)? ?% of the 8(\.0)? MiB quota .* delete keys that are not needed, or raise the quota/);
    await h.pooled.delete().prefix('/live/');
  });
});

describe('snapshots from the command line', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startTestCluster();
    const h = harness(cluster);
    for (let i = 0; i < 50; i++) await h.pooled.put(`/snap/${i}`).value(String(i));
    h.close();
  });
  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('save streams from a follower, verifies with the numbers etcdutl prints, and list shows it', async () => {
    const dir = join(cluster.dir, 'snaps');
    const save = await runCli(['snapshot', 'save', '-f', cluster.inventoryPath, '--snapshot-dir', dir, '--audit-log', join(cluster.dir, 'a.log')]);
    expect(save.code).toBe(0);
    const summary = save.stdout.split('\n').find((l) => /hash [0-9a-f]+, revision \d+, total keys \d+/.test(l))!;
    const file = summary.split(' (')[0]!;
    expect(file.startsWith(join(dir, 'test-etcd-'))).toBe(true);
    const { execFileSync } = await import('node:child_process');
    const real = execFileSync(cluster.binaries.etcdutl, ['snapshot', 'status', file, '-w', 'simple'], { encoding: 'utf8' }).trim().split(', ');
    expect(summary).toContain(`hash ${real[0]}, revision ${real[1]}, total keys ${real[2]}`);
    const list = await runCli(['snapshot', 'list', dir]);
    expect(list.stdout).toContain(file);
    const verify = await runCli(['snapshot', 'verify', file]);
    expect(verify.code).toBe(0);
  });

  it('verify refuses a corrupted snapshot', async () => {
    const dir = join(cluster.dir, 'snaps');
    const { readdirSync, writeFileSync } = await import('node:fs');
    const good = join(dir, readdirSync(dir).find((n) => n.endsWith('.db'))!); // not its .cockpit.json record
    const bytes = readFileSync(good);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    const bad = join(cluster.dir, 'bad.db');
    writeFileSync(bad, bytes);
    const run = await runCli(['snapshot', 'verify', bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('REFUSED: snapshot is corrupted');
  });
});
