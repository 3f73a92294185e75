#!/usr/bin/env node
// Where the live view spends its time while idle: the TUI in a pty against a
// bench cluster with --cpu-prof, then the top functions by self time and the
// frames it drew per second. Not part of `npm run bench`; a tool for tuning.
// Env: BENCH_IDLE_SECONDS (default 30), BENCH_WARMUP_SECONDS (idle before the
// measured window, default 3; 600 shows the steady state once the 15-minute
// sparklines are full width), BENCH_PROFILE_DIR (default: a temp
// dir, printed), BENCH_TOP (rows, default 25). Run after `npm run build`.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanup, installEtcd, startBenchCluster } from './lib.js';
import { TuiInPty } from './tui-pty.js';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const TOP = Number(process.env.BENCH_TOP ?? 25);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

/** Milliseconds after launch when the idle window starts and ends: start-up before it and the `?` presses after it are summarized apart. */
let idleFromMs = 0;
let idleToMs = Infinity;

try {
  installEtcd();
  const profileDir = process.env.BENCH_PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'etcd-cockpit-profile-'));
  const { dir, cluster } = await startBenchCluster('profile');
  const shebang = readFileSync(BIN, 'utf8').split('\n')[0].split(/\s+/).filter((a) => a.startsWith('--'));
  const flags = process.env.BENCH_NODE_ARGS === undefined ? shebang : process.env.BENCH_NODE_ARGS.split(/\s+/).filter(Boolean);
  const profiling = process.env.BENCH_PROFILE !== '0';
  const profileFlags = profiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=200'] : [];
  console.log(`node flags: ${[...flags, ...profileFlags].join(' ')}`);
  const tui = new TuiInPty(cluster, dir, { nodeArgs: [...flags, ...profileFlags] });
  try {
    console.log(`first frame with live data: ${await tui.firstFrame()} ms (profiling slows it)`);
    await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
    idleFromMs = performance.now() - tui.started;
    const bursts0 = tui.bursts;
    const bytes0 = tui.bytes;
    const cpu0 = cpuTicks(tui.pid);
    let maxRss = 0;
    for (let i = 0; i < IDLE_SECONDS; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      maxRss = Math.max(maxRss, rssKb(tui.pid));
    }
    idleToMs = performance.now() - tui.started;
    const cpuPct = ((cpuTicks(tui.pid) - cpu0) / 100 / IDLE_SECONDS) * 100; // USER_HZ is 100 on Linux
    console.log(
      `idle ${IDLE_SECONDS} s: CPU ${cpuPct.toFixed(2)} % of a core, peak RSS ${(maxRss / 1024).toFixed(1)} MB, ` +
        `${((tui.bursts - bursts0) / IDLE_SECONDS).toFixed(2)} frames/s, ${((tui.bytes - bytes0) / IDLE_SECONDS).toFixed(0)} B/s`,
    );
    // BENCH_DOWN=1: one follower killed and another SIGSTOPped first (the e2e test's scenario: a ticking clock, a hung member).
    if (process.env.BENCH_DOWN === '1') {
      const names = [...cluster.members.keys()];
      cluster.members.get(names[1]).signal('SIGKILL');
      cluster.members.get(names[2]).signal('SIGSTOP');
      await new Promise((r) => setTimeout(r, 3000));
    }
    const presses = [];
    for (let i = 0; i < 9; i++) presses.push(Math.round(await tui.timeHelp()));
    if (process.env.BENCH_DOWN === '1') cluster.members.get([...cluster.members.keys()][2]).signal('SIGCONT');
    console.log(`\`?\` until the help shows, 9 presses: ${presses.join(' ')} ms; RSS after them ${(rssKb(tui.pid) / 1024).toFixed(1)} MB`);
  } finally {
    await tui.stop();
  }
  if (profiling) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
    console.log(`profile: ${join(profileDir, file)}`);
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8'));
    console.log('\n== start-up and first frame ==');
    summarize(profile, (ms) => ms < idleFromMs);
    console.log('\n== idle ==');
    summarize(profile, (ms) => ms >= idleFromMs && ms < idleToMs);
    console.log('\n== the `?` presses ==');
    summarize(profile, (ms) => ms >= idleToMs);
  }
} catch (err) {
  console.error(`profile failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKb(pid) {
  return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
}

/** Self time per function and per file, and the share that is not idle, of the samples `when` (ms since the profile began) takes. */
function summarize(profile, when) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const inclusive = new Map();
  const self = new Map();
  const dt = profile.timeDeltas;
  let at = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += dt[i] ?? 0;
    if (!when(at / 1e3)) continue;
    const n = byId.get(profile.samples[i]);
    self.set(n, (self.get(n) ?? 0) + (dt[i] ?? 0));
    total += dt[i] ?? 0;
    const seen = new Set();
    for (let f = n; f; f = parent.get(f.id)) {
      const name = f.callFrame.functionName;
      if (!name || seen.has(name) || name === '(root)') continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + (dt[i] ?? 0));
    }
  }
  const idle = [...self].filter(([n]) => n.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  console.log(`profiled ${(total / 1e6).toFixed(1)} s, busy ${((total - idle) / 1e3).toFixed(0)} ms (${(((total - idle) / total) * 100).toFixed(2)} %)`);
  const add = (map, key, t) => map.set(key, (map.get(key) ?? 0) + t);
  const fns = new Map();
  const files = new Map();
  for (const [n, t] of self) {
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    const where = url ? `${url.replace(/^.*\/(node_modules\/|dist\/)/, '$1')}:${lineNumber + 1}` : '';
    add(fns, `${functionName || '(anonymous)'} ${where}`, t);
    add(files, url ? url.replace(/^.*\/(node_modules\/[^/]+|dist\/.*)$/, '$1') : functionName, t);
  }
  const print = (title, map) => {
    console.log(`\n${title}`);
    for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${(t / 1e3).toFixed(1).padStart(9)} ms  ${k}`);
  };
  print('self time by function', fns);
  inclusive.delete('(idle)');
  print('total time by function name (with what it calls)', inclusive);
  print('self time by file', files);
}
