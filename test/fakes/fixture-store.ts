/**
 * A cockpit store filled from a fake cluster the way the poller fills it
 * (probes, member list), and the TUI's operation runner wired to the fakes,
 * for fast tests of the screen and the operation path.
 */
import { createCockpitStore, membersInOrder, type CockpitStore } from '../../src/state/store.js';
import { OperationRunner } from '../../src/state/operation-runner.js';
import type { SignalSummary } from '../../src/core/cluster/types.js';
import type { SnapshotStatusReader } from '../../src/core/snapshot/verify.js';
import { FakeEtcdCluster } from './fake-etcd-member.js';
import { FakeAuditSink } from './fake-audit-sink.js';

export function fixtureCluster(): FakeEtcdCluster {
  return new FakeEtcdCluster([{ name: 'etcd-1' }, { name: 'etcd-2' }, { name: 'etcd-3' }], 'etcd-1');
}

export function fixtureStore(cluster = fixtureCluster(), options: { clusterName?: string; readOnly?: boolean } = {}): CockpitStore {
  const store = createCockpitStore({
    clusterName: options.clusterName ?? 'fixture',
    members: cluster.nodes.map((n) => ({ endpoint: n.endpoint, name: n.name })),
    readOnly: options.readOnly,
  });
  if (cluster.hasQuorum()) store.getState().setMemberList(cluster.memberList());
  pollOnce(store, cluster);
  return store;
}

/** One status round, as the poller's: every member probed (two rounds make a failure count). */
export function pollOnce(store: CockpitStore, cluster: FakeEtcdCluster, now = Date.now()): void {
  for (const n of cluster.nodes) store.getState().applyProbe(n.endpoint, cluster.probe(n.endpoint), now);
}

/** Kills these members and polls twice, so the store counts them down (as the poller would after two failed rounds). */
export function downMembers(store: CockpitStore, cluster: FakeEtcdCluster, ...names: string[]): void {
  for (const name of names) cluster.kill(name);
  pollOnce(store, cluster);
  pollOnce(store, cluster);
}

export function signals(fsyncMs: number): SignalSummary {
  return { walFsyncP99Ms: fsyncMs, backendCommitP99Ms: 4, peerRttP99Ms: 1, leaderChanges15m: 0, problems: [] };
}

/** The TUI's runner over the fake cluster: confirmations go through the store's dialog, as on screen. */
export function fakeRunner(
  store: CockpitStore,
  cluster: FakeEtcdCluster,
  audit = new FakeAuditSink(),
  snapshots: { dir: string; etcdutl: SnapshotStatusReader } = { dir: '/nonexistent', etcdutl: noEtcdutl },
): { runner: OperationRunner; audit: FakeAuditSink } {
  const runner = new OperationRunner(
    store,
    (log) => ({ clientFor: (e) => cluster.clientFor(e), members: () => membersInOrder(store.getState()), log, longDeadlineMs: 5000, pauseMs: 0 }),
    audit,
    { cluster: store.getState().clusterName },
    () => ({ snapshotDir: snapshots.dir, etcdutl: snapshots.etcdutl, pauseMs: 0 }),
  );
  return { runner, audit };
}

async function noEtcdutl(): Promise<never> {
  throw new Error('no etcdutl in the fast tier');
}
