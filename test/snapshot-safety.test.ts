/**
 * The snapshot pipeline as an operator drives it: the built command against a
 * real 3-member TLS cluster. Targets that are not plain files, interrupts
 * while streaming and while verifying, kernel filesystems, missing folders,
 * files that are not sane, `save -` and `prune`.
 */
import { etcdutlStatusReader } from '../src/adapters/local/etcdutl-status.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startTestCluster } from './helpers/cluster.js';
import { BIN, runCli, type CliRun } from './helpers/cli.js';
import { startThrottleProxy, type ThrottleProxy } from './helpers/throttle-proxy.js';
import { createPooledClient } from '../src/adapters/etcd/member-client.js';
import { clusterTls } from './helpers/cluster.js';
import { verifySnapshot } from '../src/core/snapshot/verify.js';
import { requireVerifiedSnapshot } from '../src/core/operations/service/restore.js';
import { checkSaveTarget, checkSnapshotFolder } from '../src/core/snapshot/target.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let cluster: Cluster;
let work: string;
let stateHome: string;
let proxy: ThrottleProxy;
let good: string; // a snapshot saved by the cockpit
const children: ChildProcess[] = [];
const sleepers: string[] = [];

const env = () => ({ XDG_STATE_HOME: stateHome });
const inventory = () => ['-f', cluster.inventoryPath];
const tlsFlags = () => ['--cacert', cluster.tls.cacert, '--cert', cluster.tls.cert, '--key', cluster.tls.key];
// The member behind the proxy, named: unnamed, `snapshot save` picks any follower the member list
// shows, and that may stream at full speed from a member the proxy does not stand in front of.
const throttled = () => ['--endpoints', `https://${cluster.nodes[1]!.address}:${proxy.port}`, '--member', cluster.nodes[1]!.name, ...tlsFlags()];
const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('.part.'));

function fresh(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One clear line on stderr: the exit-2 contract. */
function expectOneLineRefusal(run: CliRun, pattern: RegExp): void {
  expect(run.code, run.stderr + run.stdout).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.ms).toBeLessThan(5000);
}

function spawnCli(args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_CONFIG_HOME: '/nonexistent/etcd-cockpit-tests', ...env(), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = Buffer.alloc(0);
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout = Buffer.concat([stdout, d])));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exited, stderr: () => stderr, stdoutBytes: () => stdout.length };
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  cluster = await startTestCluster();
  work = mkdtempSync(join(tmpdir(), 'cockpit-snap-'));
  stateHome = join(work, 'state');
  const pool = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls: clusterTls(cluster), credentials: {}, deadlineMs: 5000 });
  try {
    // ~4 MB: at the proxy's 1.6 MB/s a stream takes a few seconds.
    for (let i = 0; i < 400; i += 40) {
      await Promise.all(Array.from({ length: 40 }, (_, j) => pool.put(`/safety/key-${i + j}`).value('x'.repeat(10_000))));
    }
  } finally {
    pool.close();
  }
  const node = cluster.nodes[1]!;
  proxy = await startThrottleProxy(node.address, { host: node.address, port: 2379 });
  good = join(fresh('good'), 'good.db');
  const run = await runCli(['snapshot', 'save', good, ...inventory()], env(), 60_000);
  expect(run.code, run.stderr + run.stdout).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pidFile of sleepers) {
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await proxy?.close();
  await cluster?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('snapshot save: the target', () => {
  it('refuses a FIFO, leaves it a FIFO and writes nothing', async () => {
    const dir = fresh('fifo');
    const fifo = join(dir, 'pipe.db');
    execFileSync('mkfifo', [fifo]);
    const run = await runCli(['snapshot', 'save', fifo, ...inventory()], env());
    expectOneLineRefusal(run, /refusing to write the snapshot to .*pipe\.db: it is a FIFO \(named pipe\)/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe.db']);
  });

  it('refuses a folder and a symbolic link', async () => {
    const dir = fresh('folder');
    const sub = join(dir, 'sub.db');
    mkdirSync(sub);
    expectOneLineRefusal(await runCli(['snapshot', 'save', sub, ...inventory()], env()), /it is a directory/);
    expect(statSync(sub).isDirectory()).toBe(true);
    const link = join(dir, 'link.db');
    symlinkSync(good, link);
    expectOneLineRefusal(await runCli(['snapshot', 'save', link, ...inventory()], env()), /it is a symbolic link \(to a file\)/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['link.db', 'sub.db']);
  });

  it('a character device is refused by the check itself, before anything is written (checked without the CLI)', async () => {
    const dir = fresh('chardev');
    const link = join(dir, 'null.db');
    symlinkSync('/dev/null', link); // only lstat/stat are called on it
    await expect(checkSaveTarget(link, { force: true })).rejects.toThrow(/symbolic link \(to a character device\)/);
    await expect(checkSaveTarget('/dev/null', { force: true })).rejects.toThrow(/is under \/dev, a kernel filesystem/);
  });

  it('refuses to overwrite a regular file that is not a snapshot unless --force; overwrites a snapshot', async () => {
    const dir = fresh('overwrite');
    const notes = join(dir, 'notes.db');
    writeFileSync(notes, 'my notes, not a snapshot\n');
    const refused = await runCli(['snapshot', 'save', notes, ...inventory()], env());
    expectOneLineRefusal(refused, /refusing to overwrite .*notes\.db: it exists and is not an etcd snapshot \(add --force to replace it\)/);
    expect(readFileSync(notes, 'utf8')).toBe('my notes, not a snapshot\n');

    const forced = await runCli(['snapshot', 'save', notes, '--force', ...inventory()], env(), 60_000);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await verifySnapshot(notes, etcdutlStatusReader(cluster.binaries.etcdutl))).ok).toBe(true);

    const again = await runCli(['snapshot', 'save', notes, ...inventory()], env(), 60_000); // now a snapshot: replaced without --force
    expect(again.code, again.stderr).toBe(0);
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('snapshot save: folders on kernel filesystems', () => {
  it.each(['/proc/x', '/sys/x', '/proc/self'])('--snapshot-dir %s is refused at once with one line', async (dir) => {
    const run = await runCli(['snapshot', 'save', '--snapshot-dir', dir, ...inventory()], env(), 10_000);
    expectOneLineRefusal(run, new RegExp(`--snapshot-dir ${dir} is (under /(proc|sys)|on (proc|sysfs)), a kernel filesystem`));
  });

  it('/dev is refused by the folder check (checked without writing), /dev/shm is not', async () => {
    await expect(checkSnapshotFolder('/dev/x')).rejects.toThrow(/under \/dev, a kernel filesystem/);
    if (existsSync('/dev/shm')) await expect(checkSnapshotFolder('/dev/shm/cockpit-not-created')).resolves.toBeUndefined();
  });
});

describe('interrupts leave nothing behind', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s while streaming: no part file, no target, exit 1', async (sig) => {
    const dir = fresh(`interrupt-${sig}`);
    const target = join(dir, 'snap.db');
    const cli = spawnCli(['snapshot', 'save', target, ...throttled()]);
    await until('the part file to grow', () => readdirSync(dir).some((n) => n.includes('.part.') && statSync(join(dir, n)).size > 0));
    cli.child.kill(sig);
    const end = await cli.exited;
    expect(end.code, end.stderr).toBe(1);
    expect(end.stdout.toString() + end.stderr).toMatch(new RegExp(`interrupted by ${sig}; .*snap\\.db was not written`));
    expect(readdirSync(dir)).toEqual([]);
  }, 30_000);

  it('SIGINT while verifying: no part file, no unverified target, exit 1', async () => {
    const dir = fresh('interrupt-verify');
    const bin = fresh('slow-etcdutl');
    const marker = join(bin, 'etcdutl.pid');
    sleepers.push(marker);
    for (const name of ['etcd', 'etcdctl']) symlinkSync(join(cluster.binaries.etcdutl, '..', name), join(bin, name));
    // Stands in for an etcdutl that takes long to check a big file; it never answers.
    writeFileSync(join(bin, 'etcdutl'), `#!/bin/sh\necho $$ > '${marker}'\nexec sleep 60\n`, { mode: 0o755 });
    const target = join(dir, 'snap.db');
    const cli = spawnCli(['snapshot', 'save', target, ...inventory()], { ETCD_BIN_DIR: bin });
    await until('etcdutl to start verifying', () => existsSync(marker) && readFileSync(marker, 'utf8').trim() !== '', 30_000);
    expect(readdirSync(dir).filter((n) => n.includes('.part.'))).toHaveLength(1); // the verified-to-be file is still a part file
    cli.child.kill('SIGINT');
    const end = await cli.exited;
    expect(end.code, end.stderr).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    const pid = Number(readFileSync(marker, 'utf8'));
    await until('etcdutl to be killed', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 5000);
  }, 60_000);
});

describe('snapshot list', () => {
  it('of a folder that does not exist: says so, exit 2', async () => {
    expectOneLineRefusal(await runCli(['snapshot', 'list', join(work, 'absent')], env()), /^etcd-cockpit: no such folder: .*absent$/);
  });

  it('of a path under a file: a clear line, exit 2 (no ENOTDIR, no scandir)', async () => {
    const run = await runCli(['snapshot', 'list', join(good, 'x')], env());
    expectOneLineRefusal(run, /good\.db\/x is not a folder: .*good\.db is a file$/);
    expect(run.stderr).not.toMatch(/ENOTDIR|scandir/);
  });

  it('extra words and an empty --snapshot-dir are refused, not ignored', async () => {
    expectOneLineRefusal(await runCli(['snapshot', 'list', work, 'extra'], env()), /snapshot list: unexpected argument "extra"/);
    expectOneLineRefusal(await runCli(['snapshot', 'verify', good, 'extra'], env()), /snapshot verify: unexpected argument "extra"/);
    expectOneLineRefusal(await runCli(['snapshot', 'list', '--snapshot-dir', ''], env()), /--snapshot-dir is empty/);
  });

  it('finds the snapshots saved under a derived cluster name', async () => {
    const endpoints = cluster.nodes.map((n) => n.clientUrl).join(',');
    const saved = await runCli(['snapshot', 'save', '--endpoints', endpoints, ...tlsFlags()], env(), 60_000);
    expect(saved.code, saved.stderr).toBe(0);
    const root = join(stateHome, 'etcd-cockpit', 'snapshots');
    const folder = `${cluster.nodes[0]!.address}-3m`; // the derived name: first host, member count
    const names = readdirSync(join(root, folder)).filter((n) => n.endsWith('.db'));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(new RegExp(`^${folder.replace(/\./g, '\\.')}-etcd-\\d-\\d{8}-\\d{6}Z\\.db$`));
    const listed = await runCli(['snapshot', 'list'], env());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(join(root, folder, names[0]!));
    expect(listed.stdout).toMatch(/verified, revision \d+/);
  }, 60_000);
});

describe('files that are not sane are refused before they are read', () => {
  it('a 16 GiB sparse file of zeros: verify and restore refuse at once', async () => {
    const sparse = join(fresh('sparse'), 'big.db');
    writeFileSync(sparse, '');
    truncateSync(sparse, 16 * 1024 ** 3);
    expectOneLineRefusal(await runCli(['snapshot', 'verify', sparse], env(), 10_000), /big\.db is not an etcd snapshot: it does not start with a bbolt database header/);
    const started = Date.now();
    await expect(requireVerifiedSnapshot(sparse, etcdutlStatusReader(cluster.binaries.etcdutl))).rejects.toThrow(/refused: .*big\.db is not an etcd snapshot.*nothing was stopped/);
    expect(Date.now() - started).toBeLessThan(1000);
  }, 20_000);

  it('a 16 GiB sparse file behind a real snapshot header: its size does not match the header', async () => {
    const sparse = join(fresh('sparse-header'), 'big.db');
    const fd = openSync(sparse, 'w');
    writeSync(fd, readFileSync(good).subarray(0, 8192));
    closeSync(fd);
    truncateSync(sparse, 16 * 1024 ** 3);
    const run = await runCli(['snapshot', 'verify', sparse], env(), 10_000);
    expectOneLineRefusal(run, /big\.db is 17\.2 GB but its header says the database is [\d.]+ [kM]B: not a sane snapshot, refusing to read it/);
  }, 20_000);

  it('a FIFO and a folder are refused by type (verify would block on a FIFO)', async () => {
    const dir = fresh('verify-types');
    const fifo = join(dir, 'pipe.db');
    execFileSync('mkfifo', [fifo]);
    expectOneLineRefusal(await runCli(['snapshot', 'verify', fifo], env()), /pipe\.db is a named pipe \(FIFO\), expected a regular file/);
    expectOneLineRefusal(await runCli(['snapshot', 'verify', dir], env()), /is a (directory|folder)/);
  });

  it('a truncated copy: the header says how much is missing', async () => {
    const cut = join(fresh('cut'), 'cut.db');
    writeFileSync(cut, readFileSync(good).subarray(0, 64 * 1024));
    expectOneLineRefusal(await runCli(['snapshot', 'verify', cut], env()), /cut\.db is truncated: its header says [\d.]+ [kM]B of database, the file has 65\.5 kB/);
  });
});

describe('snapshot save - (stdout)', () => {
  it('streams a snapshot that verifies, with progress on stderr only', async () => {
    const cli = spawnCli(['snapshot', 'save', '-', ...inventory()]);
    const end = await cli.exited;
    expect(end.code, end.stderr).toBe(0);
    const out = join(fresh('stdout'), 'piped.db');
    writeFileSync(out, end.stdout);
    const v = await verifySnapshot(out, etcdutlStatusReader(cluster.binaries.etcdutl));
    expect(v.ok).toBe(true);
    expect(end.stderr).toMatch(/streamed [\d.]+ MB .*SHA-256 trailer ok/);
    expect(end.stderr).toMatch(/snapshot etcd-\d: done/);
    expect(end.stderr).not.toMatch(/\d+% \(/); // arrived within a second: no progress lines
  }, 60_000);

  it('exits 1 and says so when the stream is cut', async () => {
    const cli = spawnCli(['snapshot', 'save', '-', ...throttled()]);
    await until('bytes on stdout', () => cli.stdoutBytes() > 0);
    await new Promise((r) => setTimeout(r, 300));
    proxy.cut();
    const end = await cli.exited;
    expect(end.code, end.stderr).toBe(1);
    expect(end.stderr).toMatch(new RegExp(`snapshot ${cluster.nodes[1]!.name}: .*FAILED`));
  }, 60_000);

  it('refuses a terminal as stdout', async () => {
    const { PtyScreen } = await import('./helpers/pty-screen.js');
    const screen = new PtyScreen(process.execPath, [BIN, 'snapshot', 'save', '-', ...inventory()], {
      columns: 120,
      rows: 10,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_CONFIG_HOME: '/nonexistent', ...env() },
    });
    expect(await screen.waitForExit(20_000)).toBe(2);
    expect(screen.raw).toMatch(/refusing to write a snapshot to a terminal/);
  }, 30_000);
});

describe('snapshot prune', () => {
  it('is a dry run without --yes, then deletes only old snapshots the cockpit recorded', async () => {
    const dir = fresh('prune');
    const record = JSON.parse(readFileSync(good + '.cockpit.json', 'utf8')) as { savedAt: string; file: string };
    const hour = 3600_000;
    const ages = { 'a.db': 0.1, 'b.db': 2, 'c.db': 5, 'd.db': 30 };
    for (const [name, hours] of Object.entries(ages)) {
      copyFileSync(good, join(dir, name));
      writeFileSync(join(dir, name + '.cockpit.json'), JSON.stringify({ ...record, file: name, savedAt: new Date(Date.now() - hours * hour).toISOString() }));
    }
    copyFileSync(good, join(dir, 'foreign.db')); // not recorded by the cockpit
    writeFileSync(join(dir, 'notes.txt'), 'notes');
    copyFileSync(good, join(dir, 'changed.db')); // recorded, then its bytes changed
    writeFileSync(join(dir, 'changed.db.cockpit.json'), JSON.stringify({ ...record, file: 'changed.db', savedAt: new Date(Date.now() - 50 * hour).toISOString() }));
    writeFileSync(join(dir, 'changed.db'), Buffer.concat([readFileSync(good).subarray(0, -1), Buffer.from([0])]));
    const before = readdirSync(dir).sort();

    const dry = await runCli(['snapshot', 'prune', dir, '--keep', '1', '--max-age', '3h'], env());
    expect(dry.code, dry.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(dry.stdout).toMatch(/would delete .*c\.db/);
    expect(dry.stdout).toMatch(/would delete .*d\.db/);
    expect(dry.stdout).toMatch(/dry run: would delete 2, keep 2 .*2 file\(s\) not saved and verified by the cockpit left alone; add --yes/);

    const real = await runCli(['snapshot', 'prune', dir, '--keep', '1', '--max-age', '3h', '--yes'], env());
    expect(real.code, real.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(
      ['a.db', 'a.db.cockpit.json', 'b.db', 'b.db.cockpit.json', 'changed.db', 'changed.db.cockpit.json', 'foreign.db', 'notes.txt'].sort(),
    );
    expect(real.stdout).toMatch(/deleted 2, kept 2/);
  });

  it('refuses --keep 0 and a missing --keep; a missing folder says so', async () => {
    expectOneLineRefusal(await runCli(['snapshot', 'prune', work, '--keep', '0'], env()), /--keep must be at least 1/);
    expectOneLineRefusal(await runCli(['snapshot', 'prune', work], env()), /needs --keep N/);
    expectOneLineRefusal(await runCli(['snapshot', 'prune', join(work, 'absent'), '--keep', '2'], env()), /no such folder/);
  });

  it('the save wrote a record that matches its snapshot', () => {
    const record = JSON.parse(readFileSync(good + '.cockpit.json', 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ tool: 'etcd-cockpit', file: basename(good), bytes: statSync(good).size, cluster: 'test' });
    expect(record.trailer).toBe(readFileSync(good).subarray(-32).toString('hex'));
  });
});
