#!/usr/bin/env node
// npm run bench, first part: the live view and `status` on a local 3-member
// TLS cluster (the demo's setup), against the goals of issue 14. Not a test:
// numbers, though each line says whether its target was met. Env:
// BENCH_IDLE_SECONDS (default 60), BENCH_RUNS (status runs, default 7).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Report, cleanup, fmtMs, installEtcd, median, startBenchCluster } from './lib.js';
import { statusEtcdctl, statusNodeFloor, statusOurs } from './jobs.js';
import { TuiInPty } from './tui-pty.js';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

try {
  installEtcd();
  const { dir, cluster } = await startBenchCluster('bench');
  const report = new Report(`etcd-cockpit bench (3-member TLS cluster on loopback, etcd ${cluster.binaries.version})`);
  await measureTui(report, cluster, dir);
  await measureStatus(report, cluster, dir);
  report.print();
} catch (err) {
  console.error(`bench failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

async function measureTui(report, cluster, dir) {
  // One launch is at the mercy of whatever else the machine does that second: the median of three.
  const launches = [];
  for (let i = 0; i < 2; i++) {
    const quick = new TuiInPty(cluster, dir);
    try {
      launches.push(await quick.firstFrame());
    } finally {
      await quick.stop();
    }
  }
  const tui = new TuiInPty(cluster, dir);
  try {
    launches.push(await tui.firstFrame());
    const firstFrameMs = median(launches);
    report.figure('first frame with live data after launch, median of 3', `${firstFrameMs} ms`, '<= 600 ms', firstFrameMs <= 600, launches.join(', '));

    await new Promise((r) => setTimeout(r, 3000)); // settle: connections, member list, quota read
    const cpu0 = cpuTicks(tui.pid);
    const bytes0 = tui.bytes;
    let maxRss = 0;
    const t0 = performance.now();
    for (let i = 0; i < IDLE_SECONDS; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      maxRss = Math.max(maxRss, rssKb(tui.pid));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpuPct = ((cpuTicks(tui.pid) - cpu0) / ticksPerSecond() / seconds) * 100;
    const bytesPerSecond = (tui.bytes - bytes0) / seconds;
    report.figure(`idle CPU over ${IDLE_SECONDS} s (1 s polling)`, `${cpuPct.toFixed(2)} %`, '<= 1 %', cpuPct <= 1, 'of one core');
    report.figure(`peak RSS over ${IDLE_SECONDS} s`, `${(maxRss / 1024).toFixed(1)} MB`, '<= 80 MB', maxRss / 1024 <= 80);
    report.figure('bytes written to the terminal while idle', `${bytesPerSecond.toFixed(0)} B/s`, '<= 500 B/s', bytesPerSecond <= 500);
    const presses = [];
    for (let i = 0; i < 5; i++) presses.push(await tui.timeHelp());
    const worst = Math.max(...presses);
    report.figure('`?` until the help screen shows, idle (worst of 5)', `${Math.round(worst)} ms`, '<= 100 ms', worst <= 100);
  } finally {
    await tui.stop();
  }
}

async function measureStatus(report, cluster, dir) {
  const ours = [];
  const theirs = [];
  const floor = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await statusOurs(cluster, dir));
    theirs.push(await statusEtcdctl(cluster));
    floor.push(await statusNodeFloor(cluster));
  }
  report.ratio(`status -o json / etcdctl endpoint status --cluster, median of ${RUNS}`, median(ours), median(theirs), 2);
  // What no Node program can beat: the gap between this and the line above is the cockpit's own.
  report.figure('  Node floor: 3 TLS Status calls, no cockpit code', `${(median(floor) / median(theirs)).toFixed(2)}x`, '', undefined, `${fmtMs(median(floor))} vs etcdctl ${fmtMs(median(theirs))}`);
}

function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssKb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) : 0;
}

function ticksPerSecond() {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
}
