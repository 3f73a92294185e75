#!/usr/bin/env node
// npm run bench: measures the cockpit against its targets on a local 3-member
// TLS cluster (the demo's setup) and prints the numbers. Not a test: numbers,
// not pass/fail gates, though each line says whether its target was met.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';
import xtermHeadless from '@xterm/headless';

process.noDeprecation = true;
const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin/etcd-cockpit');
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const { startLocalCluster } = await import('../dist/adapters/local/local-cluster.js');

const setup = spawnSync('bash', [join(root, 'scripts/install-etcd.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
if (setup.status !== 0) process.exit(1);

const dir = mkdtempSync(join(tmpdir(), 'etcd-cockpit-bench-'));
const cluster = await startLocalCluster({ dir, clusterName: 'bench', caBits: 2048 });
const results = [];
const report = (name, value, target, ok) => results.push({ name, value, target, ok });

try {
  await measureTui();
  measureStatus();
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log('\netcd-cockpit bench (3-member TLS cluster on loopback, etcd ' + cluster.binaries.version + ')');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'MISS'} ${r.name.padEnd(44)} ${String(r.value).padEnd(22)} target ${r.target}`);

async function measureTui() {
  const term = new xtermHeadless.Terminal({ cols: 120, rows: 40, allowProposedApi: true });
  let bytes = 0;
  const started = performance.now();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm-256color', XDG_CONFIG_HOME: '/nonexistent/etcd-cockpit-bench' };
  // Run it the way users do: through its shebang.
  const proc = pty.spawn(BIN, ['-f', cluster.inventoryPath], { cols: 120, rows: 40, env });
  proc.onData((d) => {
    bytes += Buffer.byteLength(d);
    term.write(d);
  });
  const screen = () => {
    const b = term.buffer.active;
    return Array.from({ length: 40 }, (_, y) => b.getLine(y)?.translateToString(true) ?? '').join('\n');
  };
  try {
    while (!/3\/3 answering/.test(screen()) || !/★ leader/.test(screen())) {
      if (performance.now() - started > 20_000) throw new Error('no first frame within 20 s:\n' + screen());
      await new Promise((r) => setTimeout(r, 5));
    }
    const firstFrameMs = Math.round(performance.now() - started);
    report('first frame with live data after launch', `${firstFrameMs} ms`, '<= 1000 ms', firstFrameMs <= 1000);

    await new Promise((r) => setTimeout(r, 3000)); // settle: connections, member list, quota read
    const cpu0 = cpuTicks(proc.pid);
    const bytes0 = bytes;
    let maxRss = 0;
    const t0 = performance.now();
    for (let i = 0; i < IDLE_SECONDS; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      maxRss = Math.max(maxRss, rssKb(proc.pid));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpuPct = ((cpuTicks(proc.pid) - cpu0) / ticksPerSecond() / seconds) * 100;
    const bytesPerSecond = (bytes - bytes0) / seconds;
    report(`idle CPU over ${IDLE_SECONDS} s (1 s polling)`, `${cpuPct.toFixed(2)} % of a core`, '<= 1 %', cpuPct <= 1);
    report(`peak RSS over ${IDLE_SECONDS} s`, `${(maxRss / 1024).toFixed(1)} MB`, '<= 100 MB', maxRss / 1024 <= 100);
    report('bytes written to the terminal while idle', `${bytesPerSecond.toFixed(0)} B/s`, '<= 500 B/s', bytesPerSecond <= 500);
  } finally {
    try {
      process.kill(proc.pid, 'SIGTERM');
    } catch {}
  }
}

function measureStatus() {
  const env = { ...process.env, ETCDCTL_CACERT: cluster.tls.cacert, ETCDCTL_CERT: cluster.tls.cert, ETCDCTL_KEY: cluster.tls.key };
  const ours = median(RUNS, () => execFileSync(process.execPath, [BIN, 'status', '-o', 'json', '-f', cluster.inventoryPath], { env }));
  const theirs = median(RUNS, () =>
    execFileSync(cluster.binaries.etcdctl, ['--endpoints', cluster.nodes[0].clientUrl, 'endpoint', 'status', '--cluster', '-w', 'json'], { env }),
  );
  const ratio = ours / theirs;
  report(`status -o json wall time (median of ${RUNS})`, `${ours.toFixed(0)} ms`, '', true);
  report(`etcdctl endpoint status --cluster -w json`, `${theirs.toFixed(0)} ms`, '', true);
  report('status -o json / etcdctl', `${ratio.toFixed(2)}x`, '<= 3x', ratio <= 3);
}

function median(n, fn) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)];
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
