#!/usr/bin/env node
// Cluster defrag: the cockpit's defragMembers (followers first, leader last
// after moving leadership, no pause) vs `etcdctl defrag` run on each member in
// sequence, on the same fragmented 3-member TLS cluster. Run after
// `npm run build`. Env: BENCH_DEFRAG_MB (default 60), BENCH_DEFRAG_RUNS (2).
import { cleanup, clientTls, installEtcd, run, startBenchCluster } from './lib.js';

const { createMemberClient, createPooledClient } = await import('../dist/adapters/etcd/member-client.js');
const { createCockpitStore } = await import('../dist/state/store.js');
const { Poller } = await import('../dist/state/poller.js');
const { defragMembers } = await import('../dist/core/operations/defrag.js');

const TARGET_MB = Number(process.env.BENCH_DEFRAG_MB ?? 60);
const RUNS = Number(process.env.BENCH_DEFRAG_RUNS ?? 2);
const line = (name, value) => console.log(`${name.padEnd(44)} ${value}`);

let cluster;
try {
  installEtcd();
  ({ cluster } = await startBenchCluster('defragbench'));
  const tls = clientTls(cluster);
  const pooled = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls, credentials: {}, deadlineMs: 30_000 });
  const ours = [];
  const theirs = [];
  for (let i = 0; i < RUNS; i++) {
    line(`run ${i + 1}: fragmented db (MB)`, (await fragment(pooled, tls)).toFixed(1));
    ours.push(await timeOurs(tls));
    line(`run ${i + 1}: fragmented db (MB)`, (await fragment(pooled, tls)).toFixed(1));
    theirs.push(await timeEtcdctl());
  }
  pooled.close();
  ours.forEach((ms, i) => line(`cockpit defrag, cluster, run ${i + 1} (ms)`, ms.toFixed(0)));
  theirs.forEach((ms, i) => line(`etcdctl defrag x3 in sequence, run ${i + 1} (ms)`, ms.toFixed(0)));
  const a = ours.reduce((x, y) => x + y) / RUNS;
  const b = theirs.reduce((x, y) => x + y) / RUNS;
  line('ratio cockpit/etcdctl (lower is faster)', (a / b).toFixed(2));
} catch (err) {
  console.error(`defrag bench failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

/** Writes ~TARGET_MB of 100 KB values, then deletes them and compacts: a file mostly free inside. */
async function fragment(pooled, tls) {
  const value = 'x'.repeat(100 * 1024);
  const count = Math.ceil((TARGET_MB * 1e6) / value.length);
  for (let i = 0; i < count; i += 20) {
    await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, j) => pooled.put(`/frag/${i + j}`).value(value)));
  }
  await pooled.delete().prefix('/frag/');
  const probe = createMemberClient(cluster.nodes[0].clientUrl, { tls, credentials: {}, deadlineMs: 30_000 });
  const status = await probe.maintenance.status();
  await probe.kv.compact({ revision: status.header.revision, physical: true });
  const after = Number((await probe.maintenance.status()).dbSize);
  probe.close();
  return after / 1e6;
}

async function timeOurs(tls) {
  const store = createCockpitStore({ clusterName: 'bench', members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
  const poller = new Poller(store, { intervalMs: 1000, clientOptions: () => ({ tls, credentials: {}, deadlineMs: 5000 }) });
  await poller.pollOnce();
  const ctx = {
    clientFor: (e) => poller.memberFor(e),
    members: () => store.getState().order.map((e) => store.getState().members[e]),
    log: () => {},
    longDeadlineMs: 10 * 60_000,
    pauseMs: 0,
  };
  const started = performance.now();
  await defragMembers(ctx, { force: true });
  const ms = performance.now() - started;
  poller.stop();
  return ms;
}

async function timeEtcdctl() {
  const env = { ...process.env, ETCDCTL_CACERT: cluster.tls.cacert, ETCDCTL_CERT: cluster.tls.cert, ETCDCTL_KEY: cluster.tls.key };
  const started = performance.now();
  for (const node of cluster.nodes) {
    await run(cluster.binaries.etcdctl, ['--endpoints', node.clientUrl, '--command-timeout', '10m', 'defrag'], { env });
  }
  return performance.now() - started;
}
