// One lab host: its own overlay of a cached root filesystem, its identity
// (hostname, machine id, address, SSH host key, the operator's authorized
// key), booted with systemd-nspawn on the lab's bridge inside the lab's
// network namespace. Processes are found and killed by pid, never by name.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHostCgroups } from './cgroups.js';
import { OPERATOR } from './rootfs.js';
import { alive, containerInit, isContainerInit, isNspawnOf, kill, must, run, sleep, waitGone } from './proc.js';

export const NSENTER = 'nsenter';

/** argv run inside the lab's network namespace (not `ip netns exec`: it remounts /sys and breaks systemd in the hosts). */
export function inNetns(netns, argv) {
  return [NSENTER, `--net=/run/netns/${netns}`, ...argv];
}

export function hostPaths(labDir, name) {
  const dir = join(labDir, 'hosts', name);
  return { dir, root: join(dir, 'root'), upper: join(dir, 'upper'), work: join(dir, 'work'), console: join(dir, 'console.log') };
}

function idsOf(root, user) {
  const line = readFileSync(join(root, 'etc/passwd'), 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user} in ${root}/etc/passwd`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Mounts the host's overlay and writes its identity; returns its known_hosts key ("type base64"). */
export async function createHost(lab, host) {
  const p = hostPaths(lab.dir, host.name);
  for (const d of [p.upper, p.work, p.root]) mkdirSync(d, { recursive: true });
  await must(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${host.rootfs},upperdir=${p.upper},workdir=${p.work}`, p.root]);
  const etc = (f) => join(p.root, 'etc', f);
  writeFileSync(etc('hostname'), `${host.name}\n`);
  const others = lab.hosts.map((h) => `${h.ip}\t${h.name}`).join('\n');
  writeFileSync(etc('hosts'), `127.0.0.1\tlocalhost\n::1\tlocalhost\n${others}\n`);
  writeFileSync(etc('machine-id'), `${randomBytes(16).toString('hex')}\n`);
  mkdirSync(etc('systemd/network'), { recursive: true });
  writeFileSync(etc('systemd/network/10-host0.network'), `[Match]\nName=host0\n\n[Network]\nAddress=${host.ip}/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`);
  writeFileSync(etc('ssh/sshd_config.d/lab.conf'), 'HostKey /etc/ssh/ssh_host_ed25519_key\nPasswordAuthentication no\n');
  await newHostKey(p.root);
  const { uid, gid } = idsOf(p.root, OPERATOR);
  const authorized = join(p.root, 'home', OPERATOR, '.ssh', 'authorized_keys');
  writeFileSync(authorized, readFileSync(`${lab.identityFile}.pub`), { mode: 0o600 });
  chownSync(authorized, uid, gid);
  return hostKey(p.root);
}

/** A fresh ed25519 host key in the host's /etc/ssh (the old one is gone). */
export async function newHostKey(root) {
  const key = join(root, 'etc/ssh/ssh_host_ed25519_key');
  rmSync(key, { force: true });
  rmSync(`${key}.pub`, { force: true });
  await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'lab-host', '-f', key]);
}

export function hostKey(root) {
  return readFileSync(join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

/** Boots the host in the background (detached: it outlives `lab up`); records nspawn's pid and the container's PID 1. */
export async function bootHost(lab, host) {
  const p = hostPaths(lab.dir, host.name);
  const argv = inNetns(lab.netns, [
    'systemd-nspawn', '-q', '-D', p.root, '-M', host.name, '--register=no', '--keep-unit',
    `--network-bridge=${lab.bridge}`, ...(host.tmpfs ? [`--tmpfs=${host.tmpfs}`] : []), '-b',
  ]);
  host.cgroups = createHostCgroups(lab.name, host.name);
  // The shell joins the host's cgroups, then becomes nsenter, which becomes nspawn: one pid throughout.
  const joinCgroups = 'IFS=:; for d in $LAB_CGROUPS; do echo $$ > "$d/cgroup.procs" || exit 1; done; unset IFS; exec "$@"';
  const out = openSync(p.console, 'a');
  const child = spawn('sh', ['-c', joinCgroups, 'lab-boot', ...argv], {
    stdio: ['ignore', out, out],
    detached: true,
    env: { ...process.env, LAB_CGROUPS: host.cgroups.join(':') },
  });
  closeSync(out);
  child.unref();
  host.nspawnPid = child.pid;
  host.pid1 = undefined;
  const deadline = Date.now() + 15_000;
  while (!host.pid1) {
    if (!alive(child.pid)) throw new Error(`${host.name}: systemd-nspawn exited at once (see ${p.console})`);
    if (Date.now() > deadline) throw new Error(`${host.name}: no container init found under nspawn pid ${child.pid}`);
    // Until it is nspawn, the pid is still the shell joining the cgroups.
    host.pid1 = isNspawnOf(child.pid, p.root) ? containerInit(child.pid, p.root) : undefined;
    if (!host.pid1) await sleep(50);
  }
}

/** Waits until the operator can log in over SSH and the host key is the known one. */
export async function waitForSsh(lab, host, { timeoutMs = 90_000, signal } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (!alive(host.nspawnPid)) throw new Error(`${host.name}: the container stopped while booting (see ${hostPaths(lab.dir, host.name).console})`);
    last = await run(inNetns(lab.netns, sshArgv(lab, host, ['true'], ['-o', 'ConnectTimeout=2'])), { timeoutMs: 10_000 });
    if (last.code === 0) return;
    await sleep(200);
  }
  throw new Error(`${host.name}: no SSH login within ${timeoutMs / 1000} s: ${last?.stderr.trim()}`);
}

/** ssh argv as the operator, checking the host key against the lab's known_hosts only. */
export function sshArgv(lab, host, command, extra = []) {
  return [
    'ssh', '-F', '/dev/null', '-i', lab.identityFile, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${lab.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    ...extra, `${OPERATOR}@${host.ip}`, ...command,
  ];
}

/** argv run as root inside the booted host (all of its namespaces), without SSH. */
export function asRootIn(host, argv) {
  if (!host.pid1 || !alive(host.pid1)) throw new Error(`${host.name} is not running`);
  return [NSENTER, '-t', String(host.pid1), '-m', '-u', '-i', '-n', '-p', '--', ...argv];
}

/**
 * A power cut: SIGKILL the container's PID 1 (its whole pid namespace dies),
 * then nspawn. Checks each pid still is ours first.
 */
export async function killHost(lab, host) {
  const root = hostPaths(lab.dir, host.name).root;
  const nspawn = host.nspawnPid && isNspawnOf(host.nspawnPid, root) ? host.nspawnPid : undefined;
  // Asked again: the recorded init may be stale; killing nspawn alone would leave the container running.
  const init = [host.pid1, nspawn && containerInit(nspawn, root)].find((pid) => pid && isContainerInit(pid, root));
  if (init) kill(init, 'SIGKILL');
  if (nspawn && !(await waitGone([nspawn], 5000))) {
    kill(nspawn, 'SIGKILL');
    await waitGone([nspawn], 5000);
  }
  host.pid1 = undefined;
  host.nspawnPid = undefined;
}

/** Waits for nspawn to exit after the host asked for a reboot itself, then boots it again the same way. */
export async function rebootedHost(lab, host, { timeoutMs = 60_000, offMs = 0 } = {}) {
  if (host.nspawnPid && !(await waitGone([host.nspawnPid], timeoutMs))) throw new Error(`${host.name}: did not go down for the reboot within ${timeoutMs / 1000} s`);
  await sleep(offMs);
  await bootHost(lab, host);
}

/** Unmounts the host's overlay (lazily when something still holds it) and removes its files. */
export async function removeHost(lab, host) {
  const p = hostPaths(lab.dir, host.name);
  const r = await run(['umount', p.root]);
  if (r.code !== 0 && !/not mounted|no mount point/.test(r.stderr)) await run(['umount', '-l', p.root]);
  await run(['rm', '-rf', '--one-file-system', p.dir]);
}
