/**
 * What the TUI tests share: a real 3-member TLS cluster, a store that a
 * poller keeps up to date from it, a temp dir, and an OperationRunner wired
 * the way the wiring root wires it (snapshots into the temp dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../src/adapters/audit-log.js';
import { etcdutlStatusReader } from '../../src/adapters/local/etcdutl-status.js';
import { OperationRunner, type RunnerSettings } from '../../src/state/operation-runner.js';
import { Poller } from '../../src/state/poller.js';
import { createCockpitStore, type CockpitStore } from '../../src/state/store.js';
import { clusterTls, startTestCluster } from './cluster.js';

export type TestCluster = Awaited<ReturnType<typeof startTestCluster>>;

export interface WatchedCluster {
  cluster: TestCluster;
  store: CockpitStore;
  poller: Poller;
  dir: string;
  stop(): Promise<void>;
}

export async function startWatchedCluster(clusterName: string, options: { deadlineMs?: number } = {}): Promise<WatchedCluster> {
  const cluster = await startTestCluster();
  const dir = mkdtempSync(join(tmpdir(), `cockpit-${clusterName}-`));
  const store = createCockpitStore({ clusterName, members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
  const tls = clusterTls(cluster);
  const poller = new Poller(store, { intervalMs: 1000, clientOptions: () => ({ tls, credentials: {}, deadlineMs: options.deadlineMs ?? 1000 }) });
  await poller.pollOnce();
  return {
    cluster,
    store,
    poller,
    dir,
    stop: async () => {
      poller.stop();
      await cluster.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The runner of `on` (default: the watched store), its audit log in `audit`, snapshots under `snapshotDir`. */
export function testRunner(
  watched: Pick<WatchedCluster, 'cluster' | 'poller' | 'store'>,
  options: { audit: string; cluster: string; snapshotDir: string; on?: CockpitStore; openRun?: RunnerSettings['openRun'] },
): OperationRunner {
  const on = options.on ?? watched.store;
  return new OperationRunner(
    on,
    (log) => ({
      clientFor: (e) => watched.poller.memberFor(e),
      members: () => on.getState().order.map((e) => on.getState().members[e]!),
      log,
      longDeadlineMs: 30_000,
      pauseMs: 0,
    }),
    new AuditLog(options.audit),
    { cluster: options.cluster },
    () => ({
      snapshotDir: options.snapshotDir,
      etcdutl: etcdutlStatusReader(watched.cluster.binaries.etcdutl),
      pauseMs: 0,
      ...(options.openRun ? { openRun: options.openRun } : {}),
    }),
  );
}
