/**
 * Phase 0, what the runbook lists as prerequisites and never checks: the node
 * answers, sudo works, 2379/2380 are free, the peer port of every other node
 * is reachable (and how far away it is), the disk syncs fast enough, clocks
 * agree. The measured RTT becomes the tuning phase 4 writes.
 */
import { createServer, connect } from 'node:net';
import { shq } from '../../shell-quote.js';
import type { NodeSpec } from '../../inventory/types.js';
import { execAction, type PlannedAction } from '../actions.js';
import { RunbookFailure } from '../failures.js';
import type { NodeRuntime } from '../node-runtime.js';
import { NODE_PATHS, p } from '../paths.js';
import type { NodePreflight, PreflightRecord } from '../run-state.js';
import { recommendTuning } from '../tuning.js';
import type { ClusterStep, ClusterStepContext, NodeStep, NodeStepContext, RunContext } from '../types.js';
import { exec, mustExec, preflightRecorded, standardAdvice } from './common.js';

export const DISK_TARGET_MS = 10;
export const CLOCK_SKEW_WARN_MS = 1000;
/** A trivial remote command slower than this means a slow login shell (sshd runs every command through it). */
export const SLOW_COMMAND_WARN_MS = 500;
const RTT_SAMPLES = 5;
const RTT_TIMEOUT_MS = 5000;

// ---- exact commands and their parsers (pure) ----

export const REACH_COMMAND = 'true';
export const SUDO_COMMAND = 'sudo -n true';
export const PORTS_COMMAND = 'ss -Hltn 2>/dev/null || netstat -ltn 2>/dev/null';
export const CLOCK_COMMAND = 'date +%s.%N';

export function portsOf(node: NodeSpec): number[] {
  return [urlPort(node.clientUrl, 2379), urlPort(node.peerUrl, 2380)];
}

function urlPort(url: string, fallback: number): number {
  return Number(new URL(url).port) || fallback;
}

export interface Listener {
  address: string;
  port: number;
}

/** Listening sockets from `ss -Hltn` or `netstat -ltn` output. */
export function parseListeners(output: string): Listener[] {
  const out: Listener[] = [];
  for (const line of output.split('\n')) {
    const local = line.trim().split(/\s+/).find((t) => /^(\S*):(\d+)$/.test(t) && !/:\*$/.test(t));
    const m = local?.match(/^(\S*):(\d+)$/);
    if (m) out.push({ address: m[1]!.replace(/^\[|\]$/g, '').replace(/%\S+$/, ''), port: Number(m[2]) });
  }
  return out;
}

/** Ports among `ports` that something already listens on at `address` (or on every address). */
export function busyPorts(listeners: Listener[], address: string, ports: number[]): number[] {
  const wildcard = new Set(['0.0.0.0', '*', '::', '']);
  const matches = (a: string) => wildcard.has(a) || a === address || a === `::ffff:${address}`;
  return ports.filter((port) => listeners.some((l) => l.port === port && matches(l.address)));
}

/** Times TCP connects from the node to host:port with bash's /dev/tcp (a refusal still measures the round trip). */
export function rttCommand(host: string, port: number, samples = RTT_SAMPLES): string {
  const script = `for i in $(seq ${samples}); do s=$EPOCHREALTIME; : 2>/dev/null 3<>/dev/tcp/"$0"/"$1"; rc=$?; e=$EPOCHREALTIME; echo "$rc $s $e"; done`;
  return `LC_ALL=C bash -c ${shq(script)} ${shq(host)} ${port}`;
}

/** Round trips in ms from rttCommand output. */
export function parseRttSamples(output: string): number[] {
  const samples: number[] = [];
  for (const line of output.split('\n')) {
    const m = line.trim().match(/^\d+ (\d+\.\d+) (\d+\.\d+)$/);
    if (m) samples.push((Number(m[2]) - Number(m[1])) * 1000);
  }
  return samples;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** dd with synchronous writes in the data dir (or its nearest existing parent), as the runbook's performance check. */
export function diskCommand(node: NodeRuntime, writes: number): string {
  const candidates = [NODE_PATHS.dataDir, '/var/lib', '/var', '/'].map((d) => p(node, d)).join(' ');
  return (
    `for d in ${candidates}; do [ -d "$d" ] && break; done; f="$d/.etcd-cockpit-ddtest"; ` +
    `dd if=/dev/zero of="$f" bs=512 count=${writes} oflag=dsync 2>&1; rc=$?; rm -f "$f"; exit $rc`
  );
}

/** Seconds dd reports (`... copied, 0.123 s, 832 kB/s`), or undefined. */
export function parseDdSeconds(output: string): number | undefined {
  const m = output.match(/copied, ([\d.]+(?:e-?\d+)?) s/);
  return m ? Number(m[1]) : undefined;
}

/** An SSH node whose paths live under a prefix (runbook.nodeRoot): that prefix is its "/" and must exist. */
function stagingRoot(node: NodeRuntime): boolean {
  return node.kind === 'ssh' && node.root !== '';
}

export function stagingRootCommand(node: NodeRuntime): string {
  return `mkdir -p ${shq(node.root)}`;
}

// ---- run-scoped measurements ----

interface PreflightScratch {
  nodes: Record<string, NodePreflight>;
  warnings: string[];
}

function scratch(run: RunContext): PreflightScratch {
  let s = run.scratch.get('preflight') as PreflightScratch | undefined;
  if (!s) {
    s = { nodes: {}, warnings: [] };
    run.scratch.set('preflight', s);
  }
  return s;
}

function nodeScratch(run: RunContext, name: string): NodePreflight {
  const s = scratch(run);
  return (s.nodes[name] ??= { rttMs: {} });
}

function warn(ctx: NodeStepContext | ClusterStepContext, message: string): void {
  scratch(ctx.run).warnings.push(message);
  ctx.warn(message);
}

const base = { phase: 0 as const, advice: standardAdvice };
const recorded = async (ctx: { run: RunContext; node?: NodeRuntime }) => preflightRecorded(ctx.run, ctx.node?.spec.name);

// ---- steps ----

const reach: NodeStep = {
  ...base,
  id: 'preflight.reach',
  idempotent: true,
  title: 'Node reachable, sudo works',
  scope: 'node',
  check: recorded,
  async plan({ node }) {
    return [
      execAction(REACH_COMMAND, false),
      ...(node.sudo ? [execAction(SUDO_COMMAND, false)] : []),
      ...(stagingRoot(node) ? [execAction(stagingRootCommand(node), node.sudo)] : []),
    ];
  },
  async apply({ node }) {
    await mustExec(node, REACH_COMMAND, 'a first command', { kind: 'unreachable' });
    if (stagingRoot(node)) await mustExec(node, stagingRootCommand(node), 'creating the node root', { privileged: true });
    if (node.sudo) {
      const r = await exec(node, SUDO_COMMAND);
      if (r.code !== 0) throw new RunbookFailure('sudo', `${node.spec.name}: sudo -n true failed (exit ${r.code}): ${r.stderr.trim() || 'sudo needs a password'}`, [node.spec.name]);
    }
    return `${node.transport.label}${node.sudo ? ', sudo ok' : ''}`;
  },
};

const ports: NodeStep = {
  ...base,
  id: 'preflight.ports',
  idempotent: true,
  title: 'Client and peer ports free',
  scope: 'node',
  check: recorded,
  async plan({ node }) {
    const list = portsOf(node.spec).join(' and ');
    if (node.kind === 'local') return [{ kind: 'local', description: `bind ${node.spec.address} ports ${list} to prove they are free` }];
    return [execAction(PORTS_COMMAND, false)];
  },
  async apply({ node }) {
    const wanted = portsOf(node.spec);
    let busy: number[];
    if (node.kind === 'local') {
      busy = [];
      for (const port of wanted) if (!(await canBind(node.spec.address, port))) busy.push(port);
    } else {
      const r = await exec(node, PORTS_COMMAND);
      if (r.code !== 0) throw new RunbookFailure('missing-tool', `${node.spec.name}: neither ss nor netstat works (exit ${r.code})`, [node.spec.name]);
      busy = busyPorts(parseListeners(r.stdout), node.spec.address, wanted);
    }
    if (busy.length > 0) {
      const what = busy.map((port) => `port ${port}`).join(' and ');
      throw new RunbookFailure('port-busy', `${node.spec.name}: ${what} on ${node.spec.address} ${busy.length > 1 ? 'are' : 'is'} already in use`, [node.spec.name]);
    }
    return `${wanted.join(', ')} free on ${node.spec.address}`;
  },
};

const rtt: ClusterStep = {
  ...base,
  id: 'preflight.rtt',
  idempotent: true,
  title: 'Round trip between nodes (peer port)',
  scope: 'cluster',
  check: recorded,
  async plan({ nodes }) {
    const actions: PlannedAction[] = [];
    for (const from of nodes) {
      for (const to of nodes) {
        if (to === from) continue;
        const port = urlPort(to.spec.peerUrl, 2380);
        actions.push(
          from.kind === 'local'
            ? { kind: 'local', description: `time TCP connects to ${to.spec.address}:${port}`, on: from.spec.name }
            : { kind: 'exec', command: rttCommand(to.spec.address, port), sudo: false, on: from.spec.name },
        );
      }
    }
    return actions;
  },
  async apply(ctx) {
    const pairs = ctx.nodes.flatMap((from) => ctx.nodes.filter((to) => to !== from).map((to) => ({ from, to })));
    const unreachable: string[] = [];
    await Promise.all(
      pairs.map(async ({ from, to }) => {
        const port = urlPort(to.spec.peerUrl, 2380);
        const ms = from.kind === 'local' ? await localRtt(to.spec.address, port) : await remoteRtt(from, to.spec.address, port);
        if (ms === undefined) unreachable.push(`${from.spec.name} -> ${to.spec.name} (${to.spec.address}:${port})`);
        else nodeScratch(ctx.run, from.spec.name).rttMs[to.spec.name] = round(ms);
      }),
    );
    if (unreachable.length > 0) {
      throw new RunbookFailure(
        'peer-unreachable',
        `no TCP answer (not even a refusal) within ${RTT_TIMEOUT_MS / 1000} s: ${unreachable.join(', ')}; a firewall probably drops port 2380`,
        [...new Set(unreachable.map((u) => u.split(' ')[0]!))],
      );
    }
    const all = Object.values(scratch(ctx.run).nodes).flatMap((n) => Object.values(n.rttMs));
    const max = all.length ? Math.max(...all) : 0;
    const rec = recommendTuning(max);
    if (max > 10) warn(ctx, `RTT up to ${max} ms: heartbeat ${rec.heartbeatIntervalMs} ms / election ${rec.electionTimeoutMs} ms instead of the runbook's 250/2500`);
    return `max RTT ${max} ms -> heartbeat ${rec.heartbeatIntervalMs} ms, election ${rec.electionTimeoutMs} ms`;
  },
};

const disk: NodeStep = {
  ...base,
  id: 'preflight.disk',
  idempotent: true,
  title: 'Disk sync latency (dd oflag=dsync)',
  scope: 'node',
  check: recorded,
  async plan(ctx) {
    return [execAction(diskCommand(ctx.node, ctx.run.settings.diskTestWrites), ctx.node.sudo)];
  },
  async apply(ctx) {
    const writes = ctx.run.settings.diskTestWrites;
    const r = await mustExec(ctx.node, diskCommand(ctx.node, writes), 'the dd sync write test', { privileged: true });
    const seconds = parseDdSeconds(r.stdout);
    if (seconds === undefined) {
      warn(ctx, `${ctx.node.spec.name}: cannot read the dd result (${r.stdout.trim().split('\n').pop()})`);
      return 'dd result unreadable';
    }
    const perWrite = round((seconds * 1000) / writes);
    nodeScratch(ctx.run, ctx.node.spec.name).diskMsPerWrite = perWrite;
    if (perWrite >= DISK_TARGET_MS) {
      warn(ctx, `${ctx.node.spec.name}: ${perWrite} ms per synchronous write (target < ${DISK_TARGET_MS} ms): put /var/lib/etcd on SSD storage`);
    }
    return `${perWrite} ms per synchronous write`;
  },
};

const clock: NodeStep = {
  ...base,
  id: 'preflight.clock',
  idempotent: true,
  title: 'Clock skew against this machine',
  scope: 'node',
  check: recorded,
  async plan() {
    return [execAction(CLOCK_COMMAND, false)];
  },
  async apply(ctx) {
    const before = Date.now();
    const r = await mustExec(ctx.node, CLOCK_COMMAND, 'date');
    const after = Date.now();
    const remote = Number(r.stdout.trim()) * 1000;
    if (!Number.isFinite(remote)) {
      warn(ctx, `${ctx.node.spec.name}: cannot read the node's clock (${r.stdout.trim()})`);
      return 'clock unreadable';
    }
    const skew = Math.round(remote - (before + after) / 2);
    nodeScratch(ctx.run, ctx.node.spec.name).clockSkewMs = skew;
    if (Math.abs(skew) > CLOCK_SKEW_WARN_MS) warn(ctx, `${ctx.node.spec.name}: clock differs by ${(skew / 1000).toFixed(1)} s from this machine: enable NTP (chronyd)`);
    // `date` is as cheap as `true`: its round trip is what every command, so every step, pays.
    const commandMs = after - before;
    if (ctx.node.kind === 'ssh' && commandMs >= SLOW_COMMAND_WARN_MS) warn(ctx, slowLoginWarning(ctx.node, commandMs));
    return `skew ${skew} ms, a command takes ${commandMs} ms`;
  },
};

const record: ClusterStep = {
  ...base,
  id: 'preflight.record',
  title: 'Record measurements and recommended tuning',
  scope: 'cluster',
  check: recorded,
  async plan({ run }) {
    return [{ kind: 'local', description: `write the measurements and recommended tuning to ${run.state.path}` }];
  },
  async apply(ctx) {
    const s = scratch(ctx.run);
    const rtts = Object.values(s.nodes).flatMap((n) => Object.values(n.rttMs));
    const maxRttMs = rtts.length ? Math.max(...rtts) : 0;
    const preflight: PreflightRecord = {
      measuredAt: new Date().toISOString(),
      nodes: s.nodes,
      maxRttMs,
      recommended: recommendTuning(maxRttMs),
      warnings: s.warnings,
    };
    ctx.run.state.update((state) => {
      state.preflight = preflight;
    });
    return `heartbeat ${preflight.recommended.heartbeatIntervalMs} ms, election ${preflight.recommended.electionTimeoutMs} ms`;
  },
};

export const PREFLIGHT_STEPS = [reach, ports, rtt, disk, clock, record];

// ---- measuring helpers ----

export function slowLoginWarning(node: NodeRuntime, ms: number): string {
  const user = node.spec.ssh?.user ?? 'the SSH user';
  return (
    `${node.spec.name}: one trivial command (date) took ${(ms / 1000).toFixed(1)} s over SSH: the login shell of ${user} ` +
    `on ${node.spec.ssh?.host ?? node.spec.address} is slow to start; check its shell start-up files (~/.bashrc, ~/.profile): every runbook step pays it`
  );
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Median TCP connect (or refusal) time from this machine; undefined when nothing answers in time. */
async function localRtt(host: string, port: number): Promise<number | undefined> {
  const samples: number[] = [];
  for (let i = 0; i < RTT_SAMPLES; i++) {
    const ms = await new Promise<number | undefined>((resolve) => {
      const started = performance.now();
      const socket = connect({ host, port });
      const done = (value: number | undefined) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(value);
      };
      const timer = setTimeout(() => done(undefined), RTT_TIMEOUT_MS);
      socket.once('connect', () => done(performance.now() - started));
      socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? performance.now() - started : undefined));
    });
    if (ms === undefined) return undefined;
    samples.push(ms);
  }
  return median(samples);
}

async function remoteRtt(from: NodeRuntime, host: string, port: number): Promise<number | undefined> {
  try {
    const r = await from.transport.exec(rttCommand(host, port), { timeoutMs: RTT_TIMEOUT_MS + 2000 });
    const samples = parseRttSamples(r.stdout);
    if (samples.length === 0) {
      throw new RunbookFailure('missing-tool', `${from.spec.name}: cannot time TCP connects (needs bash 5 with /dev/tcp): ${(r.stderr || r.stdout).trim()}`, [from.spec.name]);
    }
    return median(samples);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ETIMEDOUT') return undefined;
    throw err;
  }
}
