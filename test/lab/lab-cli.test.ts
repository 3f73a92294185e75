/**
 * `npm run lab -- ...` as a user runs it: bad input, up / status / shell /
 * down leaving nothing behind, a signal in the middle of `up`, and two labs
 * side by side.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireLabTools, type RunResult } from './fixture.js';
import { labDir } from './lab.js';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));
const started: string[] = [];

function lab(args: string[], timeoutMs = 300_000, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  const at = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: timeoutMs, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, ms: Date.now() - at });
    });
  });
}

const uniqueName = () => {
  const name = `c${randomBytes(3).toString('hex')}`;
  started.push(name);
  return name;
};

/** Everything a lab leaves on the machine while it is up: its folder, namespace, mounts, processes, cgroups. */
function traces(name: string): string[] {
  const found: string[] = [];
  if (existsSync(labDir(name))) found.push(labDir(name));
  if (existsSync(`/run/netns/ecl-${name}`)) found.push(`netns ecl-${name}`);
  if (readFileSync('/proc/mounts', 'utf8').includes(labDir(name))) found.push('mounts');
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.includes('systemd-nspawn') && cmd.includes(labDir(name))) found.push(`nspawn pid ${pid}`);
  }
  for (const h of ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified']) if (existsSync(`${h}/etcd-cockpit-lab-${name}`)) found.push(`cgroup in ${h}`);
  return found;
}

beforeAll(() => requireLabTools());

afterAll(async () => {
  for (const name of started) if (existsSync(labDir(name))) await lab(['down', '--name', name]);
}, 120_000);

describe('npm run lab', () => {
  it.each([
    [['bogus'], 'lab: unknown command "bogus" (up, down, status, shell HOST, soak N)'],
    [[], 'lab: a command is needed: up, down, status, shell HOST or soak N'],
    [['up', '--hosts', '7'], 'lab: --hosts must be 1, 2 or 3, not "7"'],
    [['up', '--name', 'Bad Name'], `lab: lab name "Bad Name" must be 1-20 lowercase letters, digits or '-'`],
    [['up', '--frobnicate'], /^lab: Unknown option '--frobnicate'.*\(npm run lab -- --help\)$/],
    [['shell'], 'lab: shell needs a host name, like etcd-1'],
    [['soak', 'many'], 'lab: soak needs a number of runs from 1 to 100, not "many"'],
    [['down', '--name', 'nosuchlab'], /^lab: no lab "nosuchlab" on this machine \(labs: .*\)$/],
  ])('%j: one line on stderr, exit 2', async (args, message) => {
    const r = await lab(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    if (typeof message === 'string') expect(lines[0]).toBe(message);
    else expect(lines[0]).toMatch(message);
  });

  it('a missing tool is one line saying what to install, exit 1', async () => {
    const r = await lab(['up', '--name', 'never'], 30_000, { ...process.env, PATH: '/usr/bin:/bin' }); // no /usr/sbin: no debootstrap
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^lab: the lab needs debootstrap[^\n]*: apt-get install -y debootstrap[^\n]*\n$/);
    expect(existsSync(labDir('never'))).toBe(false);
  });

  it('up boots a host with sshd and sudo, status and shell see it, down leaves nothing behind', async () => {
    const name = uniqueName();
    const up = await lab(['up', '--hosts', '1', '--name', name]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`bin/etcd-cockpit runbook run -f ${labDir(name)}/cluster.yaml`);
    const status = await lab(['status', '--name', name]);
    expect(status.stdout).toMatch(/etcd-1\s+10\.\d+\.\d+\.11\s+etcd host\s+running/);
    const shell = await lab(['shell', 'etcd-1', '--name', name, '--', 'hostname; sudo -n id -un; systemctl is-system-running --wait']);
    expect(shell.stdout.trim().split('\n')).toEqual(['etcd-1', 'root', 'running']);
    expect(readFileSync(`${labDir(name)}/cluster.yaml`, 'utf8')).toMatch(/identityFile: \.\/id_ed25519/);
    expect(traces(name).length).toBeGreaterThan(0);
    const down = await lab(['down', '--name', name]);
    expect(down.code, down.stderr).toBe(0);
    expect(traces(name)).toEqual([]);
  }, 300_000);

  it('SIGTERM in the middle of up stops what was started and exits 143', async () => {
    const name = uniqueName();
    const child = spawn(process.execPath, [CLI, 'up', '--hosts', '2', '--name', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // wait until hosts are booting: their nspawn processes exist
    const deadline = Date.now() + 240_000;
    while (!traces(name).some((t) => t.startsWith('nspawn')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(traces(name).some((t) => t.startsWith('nspawn'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain('lab: SIGTERM: stopping what was started');
    expect(traces(name)).toEqual([]);
  }, 300_000);

  it('two labs side by side: own namespaces and subnets, and taking one down leaves the other working', async () => {
    const [a, b] = [uniqueName(), uniqueName()];
    const ups = await Promise.all([a, b].map((n) => lab(['up', '--hosts', '1', '--name', n])));
    for (const up of ups) expect(up.code, up.stderr).toBe(0);
    const state = (n: string) => JSON.parse(readFileSync(`${labDir(n)}/lab.json`, 'utf8')) as { netns: string; subnet: string };
    expect(state(a).netns).not.toBe(state(b).netns);
    expect(state(a).subnet).not.toBe(state(b).subnet);
    expect((await lab(['down', '--name', a])).code).toBe(0);
    const shell = await lab(['shell', 'etcd-1', '--name', b, '--', 'hostname']);
    expect(shell.stdout.trim()).toBe('etcd-1');
    expect((await lab(['down', '--name', b])).code).toBe(0);
    expect([...traces(a), ...traces(b)]).toEqual([]);
  }, 300_000);
});
