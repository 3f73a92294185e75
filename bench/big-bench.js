#!/usr/bin/env node
// The big-database envelope: a database near BENCH_BIG_GB (default 0.5, so
// `npm run bench` stays quick; 8 for the 8 GB) under a quota set to
// fit, fragmented a quarter, then snapshot, defrag and status each timed
// through the CLI against etcdctl in the same run, while the live view runs
// in a pty and `?` is pressed again and again: the worst time until the help
// shows, per operation. Run after `npm run build`.
import { Report, cleanup, clientTls, dbSize, etcdctlEnv, fill, fmtMs, installEtcd, median, run, startBenchCluster } from './lib.js';
import { defragEtcdctl, defragOurs, saveEtcdctl, saveOurs, statusEtcdctl, statusOurs } from './jobs.js';
import { TuiInPty } from './tui-pty.js';

const GB = Number(process.env.BENCH_BIG_GB ?? 0.5);
const STATUS_RUNS = 5;
// etcd keeps the raft entries since its last snapshot plus 5000 more in memory:
// with 100 KB values and a snapshot every 1000 entries, ~0.6 GB per member.
const VALUE_BYTES = 100_000;
const SNAPSHOT_COUNT = 1000;
const HELP_MS = 100;

try {
  installEtcd();
  const bytes = GB * 1e9;
  const quota = Math.max(2 * 1024 ** 3, Math.ceil(bytes * 1.25));
  const { dir, cluster } = await startBenchCluster('bigbench', { quotaBackendBytes: quota, snapshotCount: SNAPSHOT_COUNT });
  const [leader, a, b] = await byRole(cluster);
  // By tenths until the member says its file is that big (a value takes more than its bytes of pages).
  let keys = 0;
  let fillMs = 0;
  const tenth = Math.ceil(bytes / 10 / VALUE_BYTES);
  for (let size = 0; size < bytes * 0.95; size = await dbSize(cluster, a)) {
    if (keys) console.error(`big bench: ${keys} keys, ${(size / 1e9).toFixed(2)} GB after ${fmtMs(fillMs)}`);
    fillMs += await fill(cluster, { mb: (tenth * VALUE_BYTES) / 1e6, valueBytes: VALUE_BYTES, prefix: '/big/', first: keys, parallel: 16 });
    keys += tenth;
  }
  await fragment(cluster, keys);
  const size = await dbSize(cluster, a);

  const report = new Report(
    `big database: ${(size / 1e9).toFixed(2)} GB on each member (filled in ${fmtMs(fillMs)}, a quarter deleted and compacted), quota ${(quota / 1024 ** 3).toFixed(1)} GiB`,
  );
  // BENCH_TUI_NODE_ARGS (e.g. "--max-semi-space-size=1 --cpu-prof --cpu-prof-dir=/tmp/p") runs the live view with these node flags instead of its shebang's.
  const nodeArgs = process.env.BENCH_TUI_NODE_ARGS?.split(/\s+/).filter(Boolean);
  const tui = new TuiInPty(cluster, dir, { nodeArgs });
  try {
    await tui.firstFrame(60_000);
    const responsive = (what, r) =>
      report.figure(`\`?\` until help shows, during ${what} (worst of ${r.presses})`, `${Math.round(r.worst)} ms`, `<= ${HELP_MS} ms`, r.worst <= HELP_MS, `median ${Math.round(r.median)} ms, p95 ${Math.round(r.p95)} ms`);

    // Snapshots from a follower, each way twice in the order ours, theirs, theirs, ours (the
    // first read of the file warms the page cache for the next), with `?` pressed throughout.
    let ours = 0;
    let theirs = 0;
    const snap = await tui.helpDuring(
      (async () => {
        ours += await saveOurs(cluster, dir, a, 'big-1');
        theirs += await saveEtcdctl(cluster, dir, a, 'big-1');
        theirs += await saveEtcdctl(cluster, dir, a, 'big-2');
        ours += await saveOurs(cluster, dir, a, 'big-2');
      })(),
    );
    report.ratio(`snapshot save + verify, ${(size / 1e9).toFixed(2)} GB, sum of 2 each`, ours, theirs, 1.0);
    responsive('snapshot save', snap);

    // Defrag: two followers with the same free space, one each way.
    const defrag = await tui.helpDuring(
      (async () => {
        ours = await defragOurs(cluster, dir, a);
        theirs = await defragEtcdctl(cluster, b);
      })(),
    );
    report.ratio(`defrag --member (${a.name}) / etcdctl defrag (${b.name})`, ours, theirs, 1.0);
    responsive('defrag', defrag);

    const oursStatus = [];
    const theirsStatus = [];
    const status = await tui.helpDuring(
      (async () => {
        for (let i = 0; i < STATUS_RUNS; i++) {
          oursStatus.push(await statusOurs(cluster, dir));
          theirsStatus.push(await statusEtcdctl(cluster));
        }
      })(),
    );
    report.ratio(`status -o json / etcdctl endpoint status, median of ${STATUS_RUNS}`, median(oursStatus), median(theirsStatus), 2);
    responsive('status', status);
    report.figure('leader (not snapshotted or defragmented)', leader.name, '', undefined);
  } finally {
    await tui.stop();
  }
  report.print();
} catch (err) {
  console.error(`big bench failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

/** The leader first, then the followers: the heavy work goes to followers as an operator would do it. */
async function byRole(cluster) {
  const out = await run(cluster.binaries.etcdctl, ['--endpoints', cluster.nodes.map((n) => n.clientUrl).join(','), 'endpoint', 'status', '-w', 'json'], {
    env: etcdctlEnv(cluster),
  });
  const statuses = JSON.parse(out);
  const isLeader = (n) => statuses.some((s) => s.Endpoint === n.clientUrl && s.Status.leader === s.Status.header.member_id);
  return [...cluster.nodes].sort((x, y) => Number(isLeader(y)) - Number(isLeader(x)));
}

/** Deletes every fourth key and compacts: a quarter of the file is free pages, which defrag gives back. */
async function fragment(cluster, keys) {
  const { createPooledClient } = await import('../dist/adapters/etcd/member-client.js');
  // A physical compaction of gigabytes takes minutes.
  const pool = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls: clientTls(cluster), credentials: {}, deadlineMs: 15 * 60_000 });
  try {
    console.error(`big bench: deleting every fourth of ${keys} keys, then compacting`);
    const doomed = Array.from({ length: Math.ceil(keys / 4) }, (_, i) => `/big/${i * 4}`);
    for (let i = 0; i < doomed.length; i += 32) await Promise.all(doomed.slice(i, i + 32).map((k) => pool.delete().key(k)));
    const revision = (await pool.get('/big/1').exec()).header.revision;
    await pool.kv.compact({ revision, physical: true });
  } finally {
    pool.close();
  }
}
