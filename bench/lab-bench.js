#!/usr/bin/env node
// The bootstrap runbook's wall time, phases 0-8 from nothing, on three real
// systemd hosts over SSH with sudo (the lab: systemd-nspawn in a network
// namespace of its own; needs root, debootstrap and systemd-container) next to
// the same runbook on three local members on loopback. Both through the
// built command, as a user runs it. Run after `npm run build`.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { cleanup, onCleanup, track } from './lib.js';

process.noDeprecation = true;
const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin/etcd-cockpit');
const { pickLoopbackAddresses } = await import('../dist/adapters/local/loopback.js');
const { ProcessSupervisor } = await import('../dist/adapters/service/process-supervisor.js');
const { labPrerequisiteProblem } = await import('../test/lab/prereqs.js');
const { startLab, downLab } = await import('../test/lab/lab.js');
const { runRunbookIn } = await import('../test/lab/soak.js');
const { rootfsPaths } = await import('../test/lab/rootfs.js');

const line = (name, value, note = '') => console.log(`${name.padEnd(50)} ${String(value).padEnd(8)} ${note}`);
const seconds = (ms) => (ms / 1000).toFixed(1);

console.log('\nbootstrap runbook wall time (phases 0-8, 3 members, RSA 4096 CA)');
try {
  await loopback();
  await labHosts();
} finally {
  await cleanup();
}

async function loopback() {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-cockpit-labbench-'));
  const stopMembers = async () => {
    const nodeRoots = join(dir, 'work', 'nodes');
    if (existsSync(nodeRoots)) {
      await Promise.all(readdirSync(nodeRoots).map((name) => new ProcessSupervisor({ rootDir: join(nodeRoots, name) }).stop({ graceMs: 0 })));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  onCleanup(stopMembers); // on Ctrl-C; the finally below does it on the way out
  try {
    const addresses = await pickLoopbackAddresses(3, [2379, 2380]);
    const nodes = addresses.map((address, i) => ({ name: `etcd-${i + 1}`, address }));
    const inventory = join(dir, 'cluster.yaml');
    writeFileSync(inventory, stringify({ cluster: 'bench-loopback', nodes, runbook: { workdir: './work' } }));
    const started = Date.now();
    const r = await cli(['runbook', 'run', '-f', inventory]);
    line('loopback: 3 local members', `${seconds(Date.now() - started)} s`, r.code === 0 ? '' : `FAILED: ${lastLine(r.stderr)}`);
  } finally {
    await stopMembers();
  }
}

async function labHosts() {
  const problem = labPrerequisiteProblem();
  if (problem) {
    line('lab: 3 systemd hosts over SSH', 'not run', problem);
    process.exitCode = 1;
    return;
  }
  const cached = existsSync(rootfsPaths().base);
  // A run that fails (issue 17: an SSH exit status lost on fresh hosts) is reported, then tried once more on fresh hosts.
  for (let attempt = 1; attempt <= 2; attempt++) {
    let lab;
    try {
      lab = await startLab({
        name: `bench${process.pid}-${attempt}`,
        onCreated: (l) => {
          lab = l;
          onCleanup(() => downLab(l));
        },
      });
      const { rootfsMs, hostsUpMs } = lab.state.timings;
      if (!cached && attempt === 1) line('lab: root filesystem built (cold cache)', `${seconds(rootfsMs)} s`);
      line('lab: 3 hosts booted, sshd answering', `${seconds(hostsUpMs)} s`);
      const first = await runRunbookIn(lab);
      if (first.code !== 0) {
        line('lab: 3 systemd hosts over SSH, sudo: first run', 'failed', lastLine(first.stderr));
        process.exitCode = 1;
        continue;
      }
      line('lab: 3 systemd hosts over SSH, sudo: first run', `${seconds(first.ms)} s`, `target <= 30 s${first.ms <= 30_000 ? ' (met)' : ' (MISSED)'}`);
      const again = await runRunbookIn(lab);
      line('lab: rerun (every step checked, none redone)', again.code === 0 ? `${seconds(again.ms)} s` : 'failed', again.code === 0 ? '' : lastLine(again.stderr));
      process.exitCode = again.code === 0 ? 0 : 1;
      return;
    } catch (err) {
      line('lab: 3 systemd hosts over SSH', 'failed', err.message.split('\n')[0]);
      process.exitCode = 1;
      return;
    } finally {
      if (lab) await downLab(lab);
    }
  }
}

function cli(args) {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, XDG_CONFIG_HOME: '/nonexistent/etcd-cockpit-bench' } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    track(child);
  });
}

function lastLine(text) {
  const failed = text.split('\n').find((l) => /^\s+FAILED\s/.test(l));
  return (failed ?? text.trim().split('\n').pop() ?? '').trim().replace(/\s+/g, ' ');
}
