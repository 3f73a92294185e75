#!/usr/bin/env node
// keys top on a large keyspace: loads BENCH_KEYS keys (default 1,000,000) into a
// single-member TLS etcd, then runs `etcd-cockpit keys top` and reports its wall
// time and peak RSS (/usr/bin/time -v). Numbers, not gates.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, onCleanup, track } from './lib.js';

process.noDeprecation = true;
const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin/etcd-cockpit');
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const VALUE_BYTES = 100;
const TXN_OPS = 128; // etcd's default --max-txn-ops
const CONCURRENCY = 16;
if (!Number.isInteger(KEYS) || KEYS < 1) {
  console.error(`keys-bench: BENCH_KEYS must be a whole number above 0, not "${process.env.BENCH_KEYS}"`);
  process.exit(2);
}
const { startLocalCluster } = await import('../dist/adapters/local/local-cluster.js');
const { createPooledClient } = await import('../dist/adapters/etcd/member-client.js');

const setup = spawnSync('bash', [join(root, 'scripts/install-etcd.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
if (setup.status !== 0) process.exit(1);

const dir = mkdtempSync(join(tmpdir(), 'etcd-cockpit-keys-bench-'));
onCleanup(() => rmSync(dir, { recursive: true, force: true }));
const fmt = (n) => n.toLocaleString('en-US');
let cluster;
try {
  cluster = await startLocalCluster({ dir, clusterName: 'keys-bench', caBits: 2048, size: 1 });
  onCleanup(() => cluster.stop());
  const loadMs = await load();
  console.log(`loaded ${fmt(KEYS)} keys (${VALUE_BYTES} B values) in ${(loadMs / 1000).toFixed(1)} s`);
  const run = await keysTop();
  console.log(`keys top ${fmt(KEYS)} keys: ${(run.ms / 1000).toFixed(1)} s, peak RSS ${run.peakMb} MB (exit ${run.code})`);
  console.log(run.stdout.split('\n').slice(0, 6).join('\n'));
} finally {
  await cleanup();
}

/** Kubernetes-like keys over 8 kinds and 50 namespaces, in txns of 128 puts, 16 at a time. */
async function load() {
  const tls = { ca: readFileSync(cluster.tls.cacert), cert: readFileSync(cluster.tls.cert), key: readFileSync(cluster.tls.key) };
  const client = createPooledClient([cluster.nodes[0].clientUrl], { tls, credentials: {}, deadlineMs: 60_000 });
  const kinds = ['pods', 'events', 'configmaps', 'secrets', 'services', 'deployments', 'replicasets', 'leases'];
  const value = 'v'.repeat(VALUE_BYTES);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const from = next;
      if (from >= KEYS) return;
      next = Math.min(KEYS, from + TXN_OPS);
      const txn = client.if('/', 'Create', '>', -1);
      const puts = [];
      for (let i = from; i < next; i++) puts.push(client.put(`/registry/${kinds[i % kinds.length]}/ns-${i % 50}/object-${i}`).value(value));
      await txn.then(...puts).commit();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  client.close();
  return performance.now() - started;
}

function keysTop() {
  const args = [BIN, 'keys', 'top', '-f', cluster.inventoryPath, '--command-timeout', '30s'];
  const useTime = existsSync('/usr/bin/time');
  const [cmd, argv] = useTime ? ['/usr/bin/time', ['-v', process.execPath, ...args]] : [process.execPath, args];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = track(spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'no-config') } }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const kb = stderr.match(/Maximum resident set size \(kbytes\): (\d+)/)?.[1];
      resolve({ code, ms, stdout, peakMb: kb ? Math.round(Number(kb) / 1024) : '?' });
    });
  });
}
