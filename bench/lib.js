// What the bench scripts share: a local 3-member TLS cluster that is always
// cleaned up (exit, error, Ctrl-C), the CLI and etcdctl run side by side, and
// one line per figure with its ratio to etcdctl and its target.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.noDeprecation = true; // grpc-js + an IP as TLS server name
export const root = fileURLToPath(new URL('..', import.meta.url));
/** Run the way users do: through its shebang (its node flags count). */
export const BIN = join(root, 'bin/etcd-cockpit');

const cleanups = [];
const children = new Set();
let cleaning;

/** Runs every registered cleanup once, newest first: children by pid, then clusters by pid, then temp dirs. */
export function cleanup() {
  cleaning ??= (async () => {
    for (const pid of children) killPid(pid);
    children.clear();
    while (cleanups.length > 0) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (err) {
        console.error(`bench cleanup: ${err instanceof Error ? err.message : err}`);
      }
    }
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping the bench cluster and removing its files`);
    void cleanup().then(() => process.exit(130));
  });
}

export function onCleanup(fn) {
  cleanups.push(fn);
}

export function killPid(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A child process the bench waits on; killed by pid if the bench is interrupted. */
export function track(child) {
  children.add(child.pid);
  child.once('exit', () => children.delete(child.pid));
  return child;
}

/** The same for a process known only by its pid (one in a pty); `untrackPid` once it is gone. */
export function trackPid(pid) {
  children.add(pid);
}

export function untrackPid(pid) {
  children.delete(pid);
}

export function installEtcd() {
  const setup = spawnSync('bash', [join(root, 'scripts/install-etcd.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (setup.status !== 0) process.exit(1);
}

/** A temp dir and a cluster in it, both removed on exit or interrupt. `tuning` goes to the members' config (quota). */
export async function startBenchCluster(name, tuning = {}) {
  const { startLocalCluster } = await import('../dist/adapters/local/local-cluster.js');
  const dir = mkdtempSync(join(tmpdir(), `etcd-cockpit-${name}-`));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const cluster = await startLocalCluster({ dir, clusterName: name, caBits: 2048, tuning });
  onCleanup(() => cluster.stop());
  return { dir, cluster };
}

export function etcdctlEnv(cluster) {
  return { ...process.env, ETCDCTL_CACERT: cluster.tls.cacert, ETCDCTL_CERT: cluster.tls.cert, ETCDCTL_KEY: cluster.tls.key };
}

export function clientTls(cluster) {
  return { ca: readFileSync(cluster.tls.cacert), cert: readFileSync(cluster.tls.cert), key: readFileSync(cluster.tls.key) };
}

/** Writes about `mb` MB of `valueBytes` values under `prefix` (keys numbered from `first`), `parallel` puts at a time; resolves with the milliseconds it took. */
export async function fill(cluster, { mb, valueBytes = 100 * 1024, prefix = '/bench/fill/', first = 0, parallel = 16, onProgress }) {
  const { createPooledClient } = await import('../dist/adapters/etcd/member-client.js');
  const started = performance.now();
  const pool = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls: clientTls(cluster), credentials: {}, deadlineMs: 10 * 60_000 }); // a put can wait on the disk for long when gigabytes are being written
  try {
    const keys = Math.ceil((mb * 1e6) / valueBytes);
    const value = Buffer.alloc(valueBytes, 'x');
    for (let i = 0; i < keys; i += parallel) {
      await Promise.all(Array.from({ length: Math.min(parallel, keys - i) }, (_, j) => pool.put(`${prefix}${first + i + j}`).value(value)));
      onProgress?.(i + parallel, keys);
    }
  } finally {
    pool.close();
  }
  return performance.now() - started;
}

/** The member's db size in bytes, as it reports it. */
export async function dbSize(cluster, member) {
  const { createMemberClient } = await import('../dist/adapters/etcd/member-client.js');
  const probe = createMemberClient(member.clientUrl, { tls: clientTls(cluster), credentials: {}, deadlineMs: 30_000 });
  try {
    return Number((await probe.maintenance.status()).dbSize);
  } finally {
    probe.close();
  }
}

/** Runs a program to its end; rejects with its stderr when it exits non-zero. Resolves with stdout. */
export function run(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 64 << 20, ...options }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file.split('/').pop()} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve(stdout);
    });
    track(child);
  });
}

export async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

/** The figures of one bench: each with its value, what etcdctl did in the same run, the ratio and the target. */
export class Report {
  rows = [];
  constructor(title) {
    this.title = title;
  }

  /** A figure with a target of its own (`ok` says whether it was met); `note` adds what it was measured against. */
  figure(name, value, target, ok, note = '') {
    this.rows.push({ name, value, target, ok, note });
  }

  /** Ours against etcdctl's time for the same job: both times and the ratio against `maxRatio`. */
  ratio(name, oursMs, theirsMs, maxRatio) {
    const r = oursMs / theirsMs;
    this.figure(name, `${r.toFixed(2)}x`, `<= ${maxRatio}x`, r <= maxRatio, `${fmtMs(oursMs)} vs etcdctl ${fmtMs(theirsMs)}`);
  }

  print() {
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`\n${this.title} (load average ${load} on ${availableParallelism()} cores)`);
    for (const r of this.rows) {
      const mark = r.ok === undefined ? '    ' : r.ok ? 'ok  ' : 'MISS';
      console.log(`${mark} ${r.name.padEnd(58)} ${String(r.value).padEnd(14)} ${(r.target ? `target ${r.target}` : '').padEnd(18)} ${r.note}`.trimEnd());
    }
  }
}

export function fmtMs(ms) {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
