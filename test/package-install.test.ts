/**
 * What a user does on a jump host: `npm pack`, `npm install -g` of the tarball
 * (here into a temporary prefix), then the installed `etcd-cockpit` (the
 * bundle npm pack builds): --version,
 * `status -o json` against a real 3-member TLS cluster, the live view in a
 * real pseudo-terminal, and a runbook dry run on a local inventory.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster } from './helpers/cluster.js';
import { PtyScreen } from './helpers/pty-screen.js';
import { localFixture, teardownLocal, type LocalFixture } from './helpers/runbook-fixture.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let tmp: string;
let prefix: string;
let packed: { filename: string; size: number; entryCount: number; files: { path: string }[] };
let cluster: Cluster | undefined;
let fx: LocalFixture | undefined;
let screen: PtyScreen | undefined;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** execFile that resolves with the exit code; the timeout kills the child by its pid. */
function run(file: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** npm as the user runs it: their npm config and cache, none of the variables `npm test` sets for its scripts. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_ENV' && k !== 'VITEST'));
}

/** The installed command, found on PATH like a user's shell finds it; no user config, a home of its own. */
function cockpitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: [join(prefix, 'bin'), process.env.PATH ?? ''].join(delimiter),
    HOME: join(tmp, 'home'),
    XDG_CONFIG_HOME: join(tmp, 'home', '.config'),
    ...extra,
  };
}

async function npm(args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  const r = await run('npm', args, { cwd, env: npmEnv(), timeoutMs });
  if (r.code !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  return r;
}

async function packAndInstall(): Promise<void> {
  // prepack builds dist/ first: exactly what `npm pack` does in a checkout.
  const pack = await npm(['pack', '--json', '--pack-destination', tmp], ROOT, 60_000);
  [packed] = JSON.parse(pack.stdout);
  await npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(tmp, packed.filename)], tmp, 90_000);
}

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'cockpit-pack-')));
  prefix = join(tmp, 'prefix');
  mkdirSync(join(tmp, 'home'));
  // Packing and installing wait on tsc and npm; the cluster starts meanwhile.
  const results = await Promise.allSettled([
    packAndInstall(),
    startTestCluster().then((c) => void (cluster = c)),
    localFixture({ prefix: 'cockpit-pack-runbook-' }).then((f) => void (fx = f)),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}, 150_000);

afterAll(async () => {
  screen?.kill();
  await cluster?.cleanup();
  if (fx) await teardownLocal(fx.dir, fx.workdir);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm pack, npm install -g, etcd-cockpit', () => {
  it('the tarball holds what runs and nothing else: bin/, dist/ without source maps, themes/, README, LICENSE', () => {
    const paths = packed.files.map((f) => f.path);
    const unexpected = paths.filter((p) => !/^(bin|dist|themes)\//.test(p) && !['package.json', 'README.md', 'LICENSE'].includes(p));
    expect(unexpected).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    for (const p of ['bin/etcd-cockpit', 'LICENSE', 'README.md', 'themes/dark.json', 'themes/schema.json']) expect(paths).toContain(p);
    expect(paths.some((p) => p.startsWith('dist/') && p.endsWith('.js'))).toBe(true);
    expect(paths).toContain('dist/bundle/etcd-cockpit.js');
  });

  it('the installed command runs the bundle: it loads no module of dist/ outside dist/bundle/', async () => {
    const r = await run('etcd-cockpit', ['--version'], { env: { ...cockpitEnv(), NODE_DEBUG: 'esm' }, timeoutMs: 20_000 });
    expect(r.code).toBe(0);
    const loaded = [...new Set([...r.stderr.matchAll(/file:\/\/\S*\/dist\/\S+\.js/g)].map((m) => m[0]))];
    expect(loaded.some((url) => url.endsWith('/dist/bundle/etcd-cockpit.js'))).toBe(true);
    expect(loaded.filter((url) => !url.includes('/dist/bundle/'))).toEqual([]);
  });

  it('--version prints the package version', async () => {
    const r = await run('etcd-cockpit', ['--version'], { env: cockpitEnv(), timeoutMs: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.name} ${pkg.version}\n`);
  });

  it('status -o json against a real 3-member TLS cluster', async () => {
    const c = cluster!;
    const r = await run('etcd-cockpit', ['status', '-o', 'json', '-f', c.inventoryPath], { env: cockpitEnv(), timeoutMs: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.cluster).toBe('test');
    expect(json.quorum).toBe('ok');
    expect(json.members).toHaveLength(3);
    expect(json.members.filter((m: { role: string }) => m.role === 'leader')).toHaveLength(1);
  });

  it('the live view draws the cluster in a terminal and quits on q', async () => {
    const c = cluster!;
    screen = new PtyScreen(join(prefix, 'bin', 'etcd-cockpit'), ['-f', c.inventoryPath], { columns: 120, rows: 40, env: { ...cockpitEnv(), TERM: 'xterm-256color' } });
    await screen.waitFor((s) => /3\/3 answering/.test(s) && (s.match(/★ leader/g) ?? []).length === 1, 15_000, 'first frame with 3 healthy members');
    screen.type('q');
    expect(await screen.waitForExit(5000)).toBe(0);
  });

  it('runbook plan -f on a local inventory: the dry run of every phase, nothing touched', async () => {
    const f = fx!;
    // An installed copy has no project cache of etcd binaries: point it at the ones the cluster runs.
    const etcdBinDir = dirname(cluster!.binaries.etcd);
    const r = await run('etcd-cockpit', ['runbook', 'plan', '-f', f.inventoryPath], { env: cockpitEnv({ ETCD_BIN_DIR: etcdBinDir }), timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('== Phase 6: Bootstrap the cluster');
    expect(r.stderr).toContain('Dry run of phases 0, 1, 2, 3, 4, 5, 6, 7, 8: nothing was changed.');
  });
});
