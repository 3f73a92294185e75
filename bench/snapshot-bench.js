#!/usr/bin/env node
// Snapshot throughput: saveSnapshot vs `etcdctl snapshot save` from the same
// member of a local 3-member TLS cluster filled to ~100 MB. Run after
// `npm run build`. Env: BENCH_SNAPSHOT_MB (default 100), BENCH_SNAPSHOT_RUNS (3).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

process.noDeprecation = true; // grpc-js + an IP as TLS server name
const { startLocalCluster } = await import('../dist/adapters/local/local-cluster.js');
const { createMemberClient, createPooledClient } = await import('../dist/adapters/etcd/member-client.js');
const { saveSnapshot } = await import('../dist/adapters/etcd/snapshot.js');

const TARGET_MB = Number(process.env.BENCH_SNAPSHOT_MB ?? 100);
const RUNS = Number(process.env.BENCH_SNAPSHOT_RUNS ?? 3);
const VALUE_BYTES = 100 * 1024;
const run = promisify(execFile);
const line = (name, value) => console.log(`${name.padEnd(34)} ${value}`);

const dir = mkdtempSync(join(tmpdir(), 'etcd-cockpit-snapbench-'));
let cluster;
let stopping = false;
async function cleanup() {
  if (stopping) return;
  stopping = true;
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void cleanup().then(() => process.exit(130)));

try {
  cluster = await startLocalCluster({ dir, clusterName: 'snapbench', caBits: 2048 });
  const tls = { ca: readFileSync(cluster.tls.cacert), cert: readFileSync(cluster.tls.cert), key: readFileSync(cluster.tls.key) };
  const member = cluster.nodes[0];

  const fillMs = await fill(tls);
  const probe = createMemberClient(member.clientUrl, { tls, credentials: {}, deadlineMs: 5000 });
  const dbSize = Number((await probe.maintenance.status()).dbSize);
  probe.close();
  line('fill time (s)', (fillMs / 1000).toFixed(1));
  line(`db size on ${member.name} (MB)`, (dbSize / 1e6).toFixed(1));

  const ours = [];
  const theirs = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await timeOurs(tls, member, join(dir, `ours-${i}.db`)));
    theirs.push(await timeEtcdctl(member, join(dir, `etcdctl-${i}.db`)));
  }
  ours.forEach((r, i) => line(`ours run ${i + 1} (MB/s)`, r.toFixed(1)));
  theirs.forEach((r, i) => line(`etcdctl run ${i + 1} (MB/s)`, r.toFixed(1)));
  const a = median(ours);
  const b = median(theirs);
  line('ours median (MB/s)', a.toFixed(1));
  line('etcdctl median (MB/s)', b.toFixed(1));
  line('ratio ours/etcdctl (target >= 0.9)', (a / b).toFixed(2));
} catch (err) {
  console.error(`snapshot bench failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

async function fill(tls) {
  const started = performance.now();
  const pool = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls, credentials: {}, deadlineMs: 20_000 });
  try {
    const keys = Math.ceil((TARGET_MB * 1e6) / VALUE_BYTES);
    const value = Buffer.alloc(VALUE_BYTES, 'x');
    for (let i = 0; i < keys; i += 16) {
      const batch = Array.from({ length: Math.min(16, keys - i) }, (_, j) => pool.put(`/bench/snap/${i + j}`).value(value));
      await Promise.all(batch);
    }
  } finally {
    pool.close();
  }
  return performance.now() - started;
}

/** Whole job like etcdctl's: connect, stream, fsync, rename. */
async function timeOurs(tls, member, file) {
  const started = performance.now();
  const client = createMemberClient(member.clientUrl, { tls, credentials: {}, deadlineMs: 5000 });
  try {
    const { bytes } = await saveSnapshot(client, file);
    return mbPerSecond(bytes, performance.now() - started);
  } finally {
    client.close();
    rmSync(file, { force: true });
  }
}

async function timeEtcdctl(member, file) {
  const env = { ...process.env, ETCDCTL_CACERT: cluster.tls.cacert, ETCDCTL_CERT: cluster.tls.cert, ETCDCTL_KEY: cluster.tls.key };
  const started = performance.now();
  try {
    await run(cluster.binaries.etcdctl, ['--endpoints', member.clientUrl, 'snapshot', 'save', file], { env });
    return mbPerSecond(statSync(file).size, performance.now() - started);
  } finally {
    rmSync(file, { force: true });
  }
}

function mbPerSecond(bytes, ms) {
  return bytes / 1e6 / (ms / 1000);
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}
