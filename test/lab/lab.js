// A lab: N systemd hosts booted with systemd-nspawn in a private network
// namespace with its own bridge and 10.x.y.0/24, an operator key, a
// known_hosts of the hosts' keys and an inventory for the cockpit. Its state
// (lab.json in its folder) is written as it grows, so `down` from any process
// removes exactly what was started, by pid.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { bootHost, createHost, hostPaths, inNetns, killHost, removeHost, sshArgv, asRootIn, waitForSsh, rebootedHost, hostKey } from './host.js';
import { ensureRootfs } from './rootfs.js';
import { removeLabCgroups } from './cgroups.js';
import { kill, must, run, sleep } from './proc.js';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));
const NAME = /^[a-z0-9][a-z0-9-]{0,19}$/;
export const BRIDGE = 'labbr0';
const PREFIX = 'etcd-cockpit-lab-';

export class LabInputError extends Error {}

export function labDir(name) {
  return join(tmpdir(), `${PREFIX}${name}`);
}

export function checkName(name) {
  if (!NAME.test(name ?? '')) throw new LabInputError(`lab name "${name}" must be 1-20 lowercase letters, digits or '-'`);
}

/** Names of the labs whose folder exists on this machine. */
export function listLabs() {
  return readdirSync(tmpdir())
    .filter((f) => f.startsWith(PREFIX) && existsSync(join(tmpdir(), f, 'lab.json')))
    .map((f) => f.slice(PREFIX.length));
}

/** A /24 of 10.200-249.x.0 that no other lab on this machine uses. */
function pickSubnet(name) {
  const used = new Set(listLabs().filter((n) => n !== name).map((n) => openLab(n).state.subnet));
  const h = createHash('sha256').update(name).digest();
  for (let i = 0; i < 12_800; i++) {
    const n = (h.readUInt16BE(0) + i) % 12_800;
    const subnet = `10.${200 + Math.floor(n / 256)}.${n % 256}`;
    if (!used.has(subnet)) return subnet;
  }
  throw new Error('no free 10.x.y.0/24 for the lab');
}

/** The hosts of a lab: etcd-1..N (etcd hosts), then pg-1 on the Patroni root filesystem. */
export function hostPlan(subnet, { etcdHosts = 3, patroni = false, tmpfs = {} }) {
  const hosts = [];
  for (let i = 1; i <= etcdHosts; i++) hosts.push({ name: `etcd-${i}`, ip: `${subnet}.${10 + i}`, variant: 'base' });
  if (patroni) hosts.push({ name: 'pg-1', ip: `${subnet}.31`, variant: 'patroni' });
  for (const h of hosts) if (tmpfs[h.name]) h.tmpfs = tmpfs[h.name];
  return hosts;
}

export class Lab {
  constructor(state) {
    this.state = state;
  }

  get name() { return this.state.name; }
  get dir() { return this.state.dir; }
  get netns() { return this.state.netns; }
  get bridge() { return this.state.bridge; }
  get hosts() { return this.state.hosts; }
  get identityFile() { return this.state.identityFile; }
  get knownHosts() { return this.state.knownHosts; }
  get inventoryPath() { return join(this.dir, 'cluster.yaml'); }

  host(name) {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new LabInputError(`no host "${name}" in lab ${this.name} (hosts: ${this.hosts.map((x) => x.name).join(', ')})`);
    return h;
  }

  save() {
    const file = join(this.dir, 'lab.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(this.state, null, 2));
    renameSync(`${file}.tmp`, file);
  }

  /** argv that runs inside the lab's network namespace. */
  netnsArgv(argv) {
    return inNetns(this.netns, argv);
  }

  /** Runs argv inside the lab's network namespace. */
  exec(argv, options) {
    return run(this.netnsArgv(argv), options);
  }

  /** Runs a command on a host over SSH as the operator. */
  ssh(hostName, command, options) {
    return run(this.netnsArgv(sshArgv(this, this.host(hostName), command)), options);
  }

  /** Runs argv as root inside a host (no SSH): for faults and checks. */
  root(hostName, argv, options) {
    return run(asRootIn(this.host(hostName), argv), options);
  }

  rootDir(hostName) {
    return hostPaths(this.dir, hostName).root;
  }

  async crash(hostName) {
    await killHost(this, this.host(hostName));
    this.save();
  }

  async boot(hostName) {
    const h = this.host(hostName);
    await bootHost(this, h);
    this.save();
    await waitForSsh(this, h);
  }

  /**
   * `systemctl reboot` inside the host; the lab starts nspawn again once it
   * exits (as systemd-nspawn@.service would), after `offMs` (a machine's firmware takes a while too).
   */
  async reboot(hostName, { offMs = 0 } = {}) {
    const h = this.host(hostName);
    await run(asRootIn(h, ['systemctl', 'reboot']));
    await rebootedHost(this, h, { offMs });
    this.save();
    await waitForSsh(this, h);
  }

  /** Takes the host's veth (bridge side) down or up: a network partition. */
  async link(hostName, up) {
    await must(this.netnsArgv(['ip', 'link', 'set', `vb-${hostName}`, up ? 'up' : 'down']));
  }

  /** The known_hosts key the lab trusts for a host, and what the host has now. */
  hostKeyNow(hostName) {
    return hostKey(this.rootDir(hostName));
  }

  async down() {
    await downLab(this);
  }
}

export function openLab(name) {
  checkName(name);
  const file = join(labDir(name), 'lab.json');
  if (!existsSync(file)) throw new LabInputError(`no lab "${name}" on this machine (labs: ${listLabs().join(', ') || 'none'})`);
  return new Lab(JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * Starts a lab. `track(child)` sees long-running children (rootfs builds) so a
 * signal handler can stop them; `onCreated(lab)` gets the lab as soon as it
 * has a folder, so a handler can tear down a half-started lab.
 */
/** @param {{ name: string, etcdHosts?: number, patroni?: boolean, tmpfs?: Record<string, string>, log?: (line: string) => void, track?: any, onCreated?: any, watchdog?: boolean, signal?: AbortSignal }} options */
export async function startLab({ name, etcdHosts = 3, patroni = false, tmpfs = {}, log = () => {}, track, onCreated, watchdog = false, signal }) {
  checkName(name);
  if (!Number.isInteger(etcdHosts) || etcdHosts < 1 || etcdHosts > 3) throw new LabInputError(`--hosts must be 1, 2 or 3 (at most 3 etcd hosts on this machine), not ${etcdHosts}`);
  const dir = labDir(name);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if (err.code === 'EEXIST') throw new LabInputError(`lab "${name}" already exists (${dir}): \`npm run lab -- down --name ${name}\` first`);
    throw err;
  }
  const subnet = pickSubnet(name);
  const lab = new Lab({
    name,
    dir,
    netns: `ecl-${name}`,
    bridge: BRIDGE,
    subnet,
    gateway: `${subnet}.1`,
    identityFile: join(dir, 'id_ed25519'),
    knownHosts: join(dir, 'known_hosts'),
    hosts: hostPlan(subnet, { etcdHosts, patroni, tmpfs }),
    netnsCreated: false,
  });
  lab.save();
  onCreated?.(lab);
  if (watchdog) {
    lab.state.watchdogPid = startWatchdog(name);
    lab.save();
  }
  const started = Date.now();
  const rootfs = { base: await ensureRootfs('base', { log, track }) };
  if (patroni) rootfs.patroni = await ensureRootfs('patroni', { log, track });
  signal?.throwIfAborted();
  const hostsFrom = Date.now();
  await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `etcd-cockpit-lab-${name}`, '-f', lab.identityFile]);
  await createNetns(lab);
  const known = [];
  for (const h of lab.hosts) {
    signal?.throwIfAborted();
    h.rootfs = rootfs[h.variant];
    h.created = true;
    lab.save();
    known.push(`${h.ip} ${await createHost(lab, h)}`);
  }
  writeFileSync(lab.knownHosts, known.join('\n') + '\n', { mode: 0o600 });
  signal?.throwIfAborted();
  await Promise.all(lab.hosts.map(async (h) => {
    await bootHost(lab, h);
    lab.save();
  }));
  await Promise.all(lab.hosts.map((h) => waitForSsh(lab, h, { signal })));
  writeInventory(lab);
  lab.state.timings = { rootfsMs: hostsFrom - started, hostsUpMs: Date.now() - hostsFrom };
  lab.save();
  log(`${lab.hosts.length} hosts up with sshd answering in ${((Date.now() - hostsFrom) / 1000).toFixed(1)} s`);
  return lab;
}

async function createNetns(lab) {
  await must(['ip', 'netns', 'add', lab.netns]);
  lab.state.netnsCreated = true;
  lab.save();
  // A fixed MAC: a bridge without one takes its lowest port's MAC and changes it as hosts join,
  // and a host that cached the old one may not answer for a while (seen: a host unreachable for 90 s).
  const mac = `02:${randomBytes(5).toString('hex').match(/../g).join(':')}`;
  for (const args of [
    ['link', 'set', 'lo', 'up'],
    ['link', 'add', lab.bridge, 'address', mac, 'type', 'bridge'],
    ['addr', 'add', `${lab.state.gateway}/24`, 'dev', lab.bridge],
    ['link', 'set', lab.bridge, 'up'],
  ]) await must(lab.netnsArgv(['ip', ...args]));
}

/** The cockpit's inventory of the etcd hosts: SSH as the operator with sudo, host keys from the lab's known_hosts. */
function writeInventory(lab) {
  const nodes = lab.hosts.filter((h) => h.variant === 'base').map((h) => ({
    name: h.name,
    address: h.ip,
    ssh: { user: 'ops', sudo: true, identityFile: './id_ed25519' },
  }));
  const doc = { cluster: `lab-${lab.name}`, nodes, runbook: { workdir: './work', knownHosts: './known_hosts' } };
  writeFileSync(lab.inventoryPath, `# etcd-cockpit inventory of lab ${lab.name} (written by npm run lab -- up)\n${stringify(doc)}`);
}

/**
 * A detached shell reading a pipe from this process: when this process dies
 * without tearing the lab down (a killed test worker), the pipe closes and it
 * runs `down`.
 */
function startWatchdog(name) {
  const script = 'read _ || :; exec "$0" "$1" down --name "$2" --quiet';
  const dog = spawn('sh', ['-c', script, process.execPath, CLI, name], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  dog.stdin.unref?.();
  dog.stdin.on('error', () => {});
  dog.unref();
  return dog.pid;
}

/** A killed container's tasks leave its cgroups a moment after SIGKILL. */
async function removeCgroupsOnceEmpty(dirs) {
  for (let i = 0; ; i++) {
    try {
      return removeLabCgroups(dirs);
    } catch (err) {
      if (i === 50) throw err;
      await sleep(100);
    }
  }
}

/** Stops every host by pid, removes overlays, the namespace and the folder. Safe to call on a half-started lab. */
export async function downLab(lab) {
  // The watchdog itself runs `down` as the same pid (exec): it must not kill itself.
  if (lab.state.watchdogPid && lab.state.watchdogPid !== process.pid) kill(lab.state.watchdogPid, 'SIGKILL');
  await Promise.all(lab.hosts.filter((h) => h.created).map(async (h) => {
    await killHost(lab, h);
    await removeHost(lab, h);
  }));
  await removeCgroupsOnceEmpty(lab.hosts.flatMap((h) => h.cgroups ?? []));
  if (lab.state.netnsCreated) {
    const r = await run(['ip', 'netns', 'delete', lab.netns]);
    if (r.code !== 0 && !/No such file/.test(r.stderr)) throw new Error(`ip netns delete ${lab.netns}: ${r.stderr.trim()}`);
  }
  await run(['rm', '-rf', '--one-file-system', lab.dir]);
  if (existsSync(lab.dir)) throw new Error(`could not remove ${lab.dir} (something is still mounted below it?)`);
}
