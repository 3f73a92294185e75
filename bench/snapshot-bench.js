#!/usr/bin/env node
// Snapshot save with verification, the whole job as an operator runs it:
// `etcd-cockpit snapshot save FILE --member NAME` (stream, SHA-256 trailer,
// fsync, bbolt header, etcdutl snapshot status, rename) against
// `etcdctl snapshot save FILE` followed by `etcdutl snapshot status FILE`, from
// the same member of a local 3-member TLS cluster filled to ~100 MB.
// Run after `npm run build`. Env: BENCH_SNAPSHOT_MB (default 100; 1000 for
// the 1 GB figure), BENCH_SNAPSHOT_RUNS (default 3).
import { Report, cleanup, dbSize, fill, fmtMs, installEtcd, median, startBenchCluster } from './lib.js';
import { saveEtcdctl, saveOurs } from './jobs.js';

const TARGET_MB = Number(process.env.BENCH_SNAPSHOT_MB ?? 100);
const RUNS = Number(process.env.BENCH_SNAPSHOT_RUNS ?? 3);
const MAX_RATIO = 1.0;

try {
  installEtcd();
  // Room for the data plus its history: the quota must not be what the bench measures.
  const quota = Math.max(2 * 1024 ** 3, Math.ceil(TARGET_MB * 1e6 * 3));
  const { dir, cluster } = await startBenchCluster('snapbench', { quotaBackendBytes: quota });
  const member = cluster.nodes[0];
  const fillMs = await fill(cluster, { mb: TARGET_MB });
  const size = await dbSize(cluster, member);

  const report = new Report(`snapshot save with verification, ${(size / 1e6).toFixed(0)} MB db (filled in ${fmtMs(fillMs)}), ${member.name}, ${RUNS} runs each`);
  const ours = [];
  const theirs = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternate who goes first so neither always finds the other's pages in the cache.
    const pair = [() => saveOurs(cluster, dir, member, i).then((ms) => ours.push(ms)), () => saveEtcdctl(cluster, dir, member, i).then((ms) => theirs.push(ms))];
    if (i % 2 === 1) pair.reverse();
    for (const step of pair) await step();
  }
  report.figure('cockpit snapshot save (runs)', ours.map(fmtMs).join(', '), '', undefined);
  report.figure('etcdctl snapshot save + etcdutl snapshot status (runs)', theirs.map(fmtMs).join(', '), '', undefined);
  report.ratio(`snapshot save + verify, ${(size / 1e6).toFixed(0)} MB, median`, median(ours), median(theirs), MAX_RATIO);
  report.print();
} catch (err) {
  console.error(`snapshot bench failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
