import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { BIN, runCli } from './helpers/cli.js';
import { createCockpitStore } from '../src/state/store.js';
import { Poller } from '../src/state/poller.js';
import { createPooledClient } from '../src/adapters/etcd/member-client.js';
import { acquireClusterLock, CLUSTER_LOCK_KEY, CLUSTER_LOCK_TTL_S } from '../src/core/operations/cluster-lock.js';
import type { OperationContext } from '../src/core/operations/context.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;

describe('one operation at a time per cluster: the lock lives in etcd', () => {
  let cluster: Cluster;
  let poller: Poller;
  let ctx: OperationContext;
  let pooled: ReturnType<typeof createPooledClient>;
  const lines: string[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
    const tls = clusterTls(cluster);
    const store = createCockpitStore({ clusterName: cluster.name, members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
    poller = new Poller(store, { intervalMs: 500, clientOptions: () => ({ tls, credentials: {}, deadlineMs: 2000 }) });
    ctx = {
      clientFor: (e) => poller.memberFor(e),
      members: () => store.getState().order.map((e) => store.getState().members[e]!),
      log: (line) => lines.push(line),
      longDeadlineMs: 60_000,
      pauseMs: 0,
    };
    pooled = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls, credentials: {}, deadlineMs: 5000 });
    await poller.pollOnce();
  });
  afterAll(async () => {
    poller?.stop();
    pooled?.close();
    await cluster?.cleanup();
  });

  const defrag = (audit: string, extra: string[] = []) =>
    runCli(['defrag', '--force', '--yes', '--pause', '1s', ...extra, '-f', cluster.inventoryPath, '--audit-log', audit], {}, 60_000);

  it('a second cockpit is refused with exit 4 and told who holds the lock; nothing is defragmented', async () => {
    const held = await acquireClusterLock(ctx, 'rolling-restart cluster');
    const audit = join(cluster.dir, 'held.log');
    try {
      const run = await defrag(audit);
      expect(run.code).toBe(4);
      expect(run.stdout).toMatch(new RegExp(`another operation holds the cluster: rolling-restart cluster by \\S+@${hostname()} since \\d\\d:\\d\\d:\\d\\d`));
      expect(run.stdout).not.toMatch(/defragmenting/);
      const entries = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ action: 'defrag', result: 'refused' });
    } finally {
      await held.release();
    }
    expect(await pooled.get(CLUSTER_LOCK_KEY).string()).toBeNull();
    const after = await defrag(join(cluster.dir, 'after.log'));
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/defragmenting/);
    expect(await pooled.get(CLUSTER_LOCK_KEY).string()).toBeNull(); // released at the end
  });

  it('two defrag runs started together: one defragments, the other exits 4', async () => {
    const [a, b] = await Promise.all([defrag(join(cluster.dir, 'a.log')), defrag(join(cluster.dir, 'b.log'))]);
    expect([a.code, b.code].sort()).toEqual([0, 4]);
    const loser = a.code === 4 ? a : b;
    expect(loser.stdout).toMatch(/another operation holds the cluster: defrag cluster by /);
    expect(loser.stdout).not.toMatch(/defragmenting/);
  });

  it('a cockpit killed mid-operation frees the lock by itself when its lease runs out', async () => {
    const child = spawn(process.execPath, [BIN, 'defrag', '--force', '--yes', '--pause', '5m', '-f', cluster.inventoryPath, '--audit-log', join(cluster.dir, 'k.log')], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_CONFIG_HOME: '/nonexistent/etcd-cockpit-tests' },
      stdio: 'ignore',
    });
    try {
      const deadline = Date.now() + 20_000;
      while ((await pooled.get(CLUSTER_LOCK_KEY).string()) === null) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(JSON.parse((await pooled.get(CLUSTER_LOCK_KEY).string())!)).toMatchObject({ operation: 'defrag cluster', pid: child.pid });
    } finally {
      child.kill('SIGKILL');
    }
    const killedAt = Date.now();
    while ((await pooled.get(CLUSTER_LOCK_KEY).string()) !== null) {
      expect(Date.now() - killedAt).toBeLessThan((CLUSTER_LOCK_TTL_S + 10) * 1000);
      await new Promise((r) => setTimeout(r, 500));
    }
    const held = await acquireClusterLock(ctx, 'after the crash');
    await held.release();
  }, 60_000);
});
