import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { runCli } from './helpers/cli.js';
import { handledCalls } from './helpers/etcd-calls.js';
import { createPooledClient } from '../src/adapters/etcd/member-client.js';
import type { DefragReport } from '../src/core/operations/defrag-report.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;

/** The member that leads now, as etcd itself says (status -o json through the built CLI). */
async function leaderName(cluster: Cluster): Promise<string> {
  const run = await runCli(['status', '-o', 'json', '-f', cluster.inventoryPath]);
  const status = JSON.parse(run.stdout) as { leader: { name?: string } | null; diagnosis: unknown; members: { quotaFull: unknown }[] };
  // One look has no history: the diagnosis fields are there, and empty.
  expect(status.diagnosis).toEqual({ leaderChanges: null, lines: [] });
  expect(status.members.map((m) => m.quotaFull)).toEqual([null, null, null]);
  if (!status.leader?.name) throw new Error(`no leader in status: ${run.stdout}`);
  return status.leader.name;
}

describe('defrag --auto on a real cluster, through the built CLI', () => {
  let cluster: Cluster;
  let audit: string;
  beforeAll(async () => {
    cluster = await startTestCluster();
    audit = join(cluster.dir, 'audit.log');
  });
  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('thresholds not met: exit 0, nothing defragmented, a reason for every member, no question asked', async () => {
    const before = await handledCalls(cluster, ['Defragment']);
    // No --yes and no terminal: nothing would change, so nothing needs confirming.
    const run = await runCli(['defrag', '--auto', '-f', cluster.inventoryPath, '--audit-log', audit]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('defrag --auto: no member is worth defragmenting');
    for (const node of cluster.nodes) {
      expect(run.stdout).toMatch(new RegExp(`^${node.name} .*skipped: not worth it: .*free \\(needs 45%\\).*free \\(needs 100 MB\\)$`, 'm'));
    }
    expect(run.stdout.trim().split('\n').at(-1)).toBe('nothing defragmented');
    expect(await handledCalls(cluster, ['Defragment'])).toBe(before);
    expect(existsSync(audit)).toBe(false);
  });

  it('reclaims the space of deleted and compacted keys, followers first and the leader last, from cron (no terminal, --yes)', async () => {
    const pooled = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls: clusterTls(cluster), credentials: {}, deadlineMs: 5000 });
    try {
      const value = 'x'.repeat(100_000);
      for (let i = 0; i < 60; i++) await pooled.put(`/big/${i}`).value(value);
      await pooled.delete().prefix('/big/');
    } finally {
      pooled.close();
    }
    const compacted = await runCli(['compact', '--yes', '-f', cluster.inventoryPath, '--audit-log', audit]);
    expect(compacted.code).toBe(0);
    // The backend commits the freed pages within its batch interval: wait until every member reports them free.
    await untilFreed(cluster, 0.2, 15_000);

    const flags = ['--min-free-percent', '20', '--min-free-bytes', '1MB', '--pause', '0', '-f', cluster.inventoryPath, '--audit-log', audit];
    const refused = await runCli(['defrag', '--auto', ...flags]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/\netcd-cockpit: refusing to change the cluster without --yes: stdin is not a terminal to ask on\n$/);

    const leader = await leaderName(cluster);
    const before = await handledCalls(cluster, ['Defragment']);
    const run = await runCli(['defrag', '--auto', '--yes', '-o', 'json', ...flags], {}, 120_000);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as DefragReport;
    expect(report.policy).toEqual({ minFreePercent: 20, minFreeBytes: 1_000_000 });
    expect(report.members.map((m) => m.name).sort()).toEqual(cluster.nodes.map((n) => n.name).sort());
    for (const m of report.members) {
      expect(m.defragmented, `${m.name}: ${m.skipped}`).toBe(true);
      expect(m.reclaimedBytes!).toBeGreaterThan(1_000_000);
      expect(m.afterBytes!).toBeLessThan(m.beforeBytes!);
      expect(m.ms!).toBeGreaterThanOrEqual(0);
    }
    expect(report.members.at(-1)).toMatchObject({ name: leader, wasLeader: true, order: 3 });
    expect(report.members.slice(0, 2).every((m) => !m.wasLeader)).toBe(true);
    expect(report.reclaimedBytes).toBe(report.members.reduce((s, m) => s + m.reclaimedBytes!, 0));
    // Progress went to stderr, leadership moved away before the old leader's turn.
    expect(run.stderr).toMatch(new RegExp(`${leader}: moving leadership to`));
    expect(await handledCalls(cluster, ['Defragment'])).toBe(before + 3);
    expect(await leaderName(cluster)).not.toBe(leader);

    // Everything reclaimed: a second run finds nothing worth it.
    const again = await runCli(['defrag', '--auto', '--yes', '-o', 'json', ...flags]);
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as DefragReport;
    expect(second.members.every((m) => !m.defragmented && m.skipped?.startsWith('not worth it'))).toBe(true);
  });
});

/** Waits until every member reports at least `ratio` of its file free (dbSize - dbSizeInUse), `ms` at the most. */
async function untilFreed(cluster: Awaited<ReturnType<typeof startTestCluster>>, ratio: number, ms: number): Promise<void> {
  const clients = cluster.nodes.map((n) => createPooledClient([n.clientUrl], { tls: clusterTls(cluster), credentials: {}, deadlineMs: 2000 }));
  try {
    for (const deadline = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 100))) {
      const statuses = await Promise.all(clients.map((c) => c.maintenance.status()));
      const free = statuses.map((s) => 1 - Number(s.dbSizeInUse) / Number(s.dbSize));
      if (free.every((f) => f >= ratio)) return;
      if (Date.now() > deadline) {
        // The defrag run below is the judge; this only says what it will find.
        console.log(`after ${ms} ms, free: ${free.map((f) => f.toFixed(2)).join(', ')} (${statuses.map((s) => `${s.dbSizeInUse}/${s.dbSize}`).join(', ')})`);
        return;
      }
    }
  } finally {
    for (const c of clients) c.close();
  }
}
