// Fast tier: service operations through runOperation over fakes (FakeServiceManager per node, FakeEtcdConnector).
// Our ordering, guards and reading of results; systemd and real members are the service-ops and lab tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runOperation } from '../../src/core/operations/run-operation.js';
import { buildRestartRequest } from '../../src/core/operations/service/restart.js';
import { quotaFromMetrics } from '../../src/core/operations/service/quota.js';
import { serviceDeps, withDeps, ServiceOpRefused } from '../../src/core/operations/service/context.js';
import { localPki } from '../../src/core/runbook/local-pki.js';
import type { RunContext } from '../../src/core/runbook/types.js';
import type { NodeRuntime } from '../../src/core/runbook/node-runtime.js';
import type { OperationContext } from '../../src/core/operations/context.js';
import { membersInOrder } from '../../src/state/store.js';
import { fixtureCluster, fixtureStore, pollOnce } from '../fakes/fixture-store.js';
import { FakeServiceManager } from '../fakes/fake-service-manager.js';
import { FakeEtcdConnector } from '../fakes/fake-etcd-connector.js';
import { FakeAuditSink } from '../fakes/fake-audit-sink.js';
import type { FakeEtcdCluster } from '../fakes/fake-etcd-member.js';

let workdir: string | undefined;
afterEach(() => {
  if (workdir) rmSync(workdir, { recursive: true, force: true });
  workdir = undefined;
});

/** Only what the service operations read of a RunContext: the nodes (name, client URL, service) and the connector. */
function fakeRun(cluster: FakeEtcdCluster, connector = new FakeEtcdConnector(cluster)): RunContext {
  workdir = mkdtempSync(join(tmpdir(), 'cockpit-fast-'));
  const nodes = cluster.nodes.map((n) => ({ spec: { name: n.name, clientUrl: n.endpoint }, service: new FakeServiceManager(cluster, n.name) }) as unknown as NodeRuntime);
  return { nodes, workdir, etcd: connector } as unknown as RunContext;
}

function contextFor(cluster: FakeEtcdCluster, members: () => ReturnType<typeof membersInOrder>, lines: string[]): OperationContext {
  return { clientFor: (e) => cluster.clientFor(e), members, log: (l) => lines.push(l), longDeadlineMs: 5000, pauseMs: 0 };
}

describe('fake cluster: restart through runOperation', () => {
  it('the leader: leadership handed over first, then stop, start, healthy again; audited once', async () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    const run = fakeRun(cluster);
    const members = membersInOrder(store.getState());
    const request = buildRestartRequest({ cluster: 'fixture', members, member: 'etcd-1' }, { ...serviceDeps(run, { healthTimeoutMs: 2000 }) });
    expect(request.summary.join('\n')).toContain('etcd-1 leads: leadership moves to a healthy follower first.');
    const audit = new FakeAuditSink();
    const lines: string[] = [];
    const outcome = await runOperation(request, contextFor(cluster, () => membersInOrder(store.getState()), lines), {
      audit,
      who: { cluster: 'fixture' },
      readOnly: false,
      confirm: async () => true,
    });
    expect(outcome.result, lines.join('\n')).toBe('done');
    expect(cluster.calls.filter((c) => !c.includes('lock'))).toEqual(['etcd-1 move-leader etcd-2', 'etcd-1 service stop', 'etcd-1 service start']);
    expect(cluster.node('etcd-1').up).toBe(true);
    expect(lines.some((l) => /^etcd-1: healthy again after \d+\.\d s/.test(l))).toBe(true);
    expect(audit.entries).toMatchObject([{ action: 'restart', target: 'etcd-1', result: 'ok' }]);
  });

  it('a member whose service dies at start: the failure carries its log tail, the audit says failed', async () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    const run = fakeRun(cluster);
    (run.nodes[2]!.service as FakeServiceManager).crashOnStart = 'etcdmain: open /var/lib/etcd/member/wal: permission denied';
    const request = buildRestartRequest({ cluster: 'fixture', members: membersInOrder(store.getState()), member: 'etcd-3' }, serviceDeps(run, { healthTimeoutMs: 10_000 }));
    const audit = new FakeAuditSink();
    const lines: string[] = [];
    const outcome = await runOperation(request, contextFor(cluster, () => membersInOrder(store.getState()), lines), { audit, who: { cluster: 'fixture' }, readOnly: false, confirm: async () => true });
    expect(outcome.result).toBe('failed');
    expect(lines.join('\n')).toContain('permission denied');
    expect(audit.entries).toMatchObject([{ action: 'restart', target: 'etcd-3', result: 'failed' }]);
  });

  it('the quorum guard refuses a restart that would leave no majority, before anything is stopped', () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    cluster.kill('etcd-3');
    pollOnce(store, cluster);
    pollOnce(store, cluster);
    const run = fakeRun(cluster);
    expect(() => buildRestartRequest({ cluster: 'fixture', members: membersInOrder(store.getState()), member: 'etcd-2' }, serviceDeps(run))).toThrow(ServiceOpRefused);
    expect(cluster.calls).toEqual([]);
  });
});

describe('fake cluster: quota read back through the connector', () => {
  it('every member’s quota-backend-bytes from its /metrics', async () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    const connector = new FakeEtcdConnector(cluster);
    connector.quota.set('etcd-2', 8 * 1024 ** 3);
    const run = fakeRun(cluster, connector);
    // The root client certificate files are read before any call (their bytes are only handed to the connector).
    const pki = localPki(run.workdir);
    for (const file of [pki.caCert, pki.client('root').cert, pki.client('root').key]) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, 'not read by the fake', { mode: 0o600 });
    }
    const ctx = withDeps(contextFor(cluster, () => membersInOrder(store.getState()), []), serviceDeps(run));
    expect(await quotaFromMetrics(ctx)).toEqual({ 'etcd-1': 2 * 1024 ** 3, 'etcd-2': 8 * 1024 ** 3, 'etcd-3': 2 * 1024 ** 3 });
    cluster.kill('etcd-3');
    await expect(quotaFromMetrics(ctx)).rejects.toThrow(/ECONNREFUSED 127\.0\.0\.3:2379/);
  });
});
