/**
 * Phase 1 (runbook step 1, option B): the pinned etcd, etcdctl and etcdutl in
 * /usr/local/bin. Local nodes get a copy of this machine's binaries; SSH
 * nodes get them uploaded (no internet needed) unless they already have the
 * pinned version.
 */
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { shq } from '../../shell-quote.js';
import { binaryFileAction, execAction, type PlannedAction } from '../actions.js';
import { RunbookFailure } from '../failures.js';
import type { NodeRuntime } from '../node-runtime.js';
import { NODE_PATHS, p, realPath, transportPath } from '../paths.js';
import type { NodeStep, NodeStepContext } from '../types.js';
import { exec, mustExec, standardAdvice } from './common.js';

export const ETCD_TOOLS = ['etcd', 'etcdctl', 'etcdutl'] as const;
type Tool = (typeof ETCD_TOOLS)[number];

export function versionCommand(node: NodeRuntime): string {
  return [
    `${p(node, NODE_PATHS.etcd)} --version 2>&1 | head -n 1`,
    `${p(node, NODE_PATHS.etcdctl)} version 2>&1 | head -n 1`,
    `${p(node, NODE_PATHS.etcdutl)} version 2>&1 | head -n 1`,
  ].join('; ');
}

/** Versions from versionCommand output, in ETCD_TOOLS order (undefined when a tool did not answer). */
export function parseVersions(output: string): Record<Tool, string | undefined> {
  const lines = output.split('\n');
  const pick = (i: number) => lines[i]?.match(/version:\s*v?(\d+\.\d+\.\d+\S*)/i)?.[1];
  return { etcd: pick(0), etcdctl: pick(1), etcdutl: pick(2) };
}

export function localInstallCommand(node: NodeRuntime, sources: Record<Tool, string>): string {
  const dir = p(node, NODE_PATHS.binDir);
  return [`mkdir -p ${dir}`, ...ETCD_TOOLS.map((t) => `install -m 0755 ${shq(sources[t])} ${dir}/${t}`)].join(' && ');
}

export const UNAME_COMMAND = 'uname -sm';

/** `uname -sm` for the machine whose binaries we ship. */
export function localUname(): string {
  const machine = arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch();
  return `Linux ${machine}`;
}

async function installedVersions(node: NodeRuntime) {
  const r = await exec(node, versionCommand(node));
  return parseVersions(r.stdout);
}

function describeVersions(v: Record<Tool, string | undefined>): string {
  return ETCD_TOOLS.map((t) => `${t} ${v[t] ?? 'missing'}`).join(', ');
}

async function checkInstalled(ctx: NodeStepContext) {
  const pinned = ctx.run.pinnedVersion();
  const v = await installedVersions(ctx.node);
  const ok = ETCD_TOOLS.every((t) => v[t] === pinned);
  return ok ? { done: true as const, detail: `etcd ${pinned}` } : { done: false as const, reason: describeVersions(v) };
}

const install: NodeStep = {
  id: 'install.binaries',
  idempotent: true,
  title: 'Install etcd, etcdctl, etcdutl (pinned version)',
  phase: 1,
  scope: 'node',
  advice: standardAdvice,
  check: checkInstalled,
  async plan(ctx) {
    const { node, run } = ctx;
    const bins = run.localBinaries();
    if (node.kind === 'local') return [execAction(localInstallCommand(node, bins), false)];
    const actions: PlannedAction[] = [execAction(UNAME_COMMAND, false), execAction(`mkdir -p ${p(node, NODE_PATHS.binDir)}`, node.sudo)];
    for (const tool of ETCD_TOOLS) {
      actions.push(binaryFileAction(realPath(node, `${NODE_PATHS.binDir}/${tool}`), 0o755, `<${tool} ${bins.version} binary from ${bins[tool]}>`));
    }
    return actions;
  },
  async apply(ctx) {
    const { node, run } = ctx;
    const bins = run.localBinaries();
    if (bins.version !== run.pinnedVersion()) {
      throw new RunbookFailure('binary', `the local binaries are etcd ${bins.version} but the inventory pins ${run.pinnedVersion()}`);
    }
    if (node.kind === 'local') {
      await mustExec(node, localInstallCommand(node, bins), 'installing the binaries');
      return `copied etcd ${bins.version}`;
    }
    const uname = (await mustExec(node, UNAME_COMMAND, 'uname')).stdout.trim();
    if (uname !== localUname()) {
      throw new RunbookFailure('binary', `${node.spec.name} is ${uname} but the binaries here are for ${localUname()}`, [node.spec.name]);
    }
    await mustExec(node, `mkdir -p ${p(node, NODE_PATHS.binDir)}`, 'creating the binary folder', { privileged: true });
    for (const tool of ETCD_TOOLS) {
      ctx.log(`uploading ${tool} to ${node.spec.name}`);
      await node.transport.writeFile(transportPath(node, `${NODE_PATHS.binDir}/${tool}`), readFileSync(bins[tool]), { mode: 0o755, sudo: node.sudo });
    }
    return `uploaded etcd ${bins.version}`;
  },
};

const verify: NodeStep = {
  id: 'install.verify',
  idempotent: true,
  title: 'Verify etcd --version on the node',
  phase: 1,
  scope: 'node',
  advice: standardAdvice,
  check: checkInstalled,
  async plan({ node }) {
    return [execAction(versionCommand(node), false)];
  },
  async apply(ctx) {
    const result = await checkInstalled(ctx);
    if (!result.done) {
      throw new RunbookFailure('binary', `${ctx.node.spec.name}: expected etcd ${ctx.run.pinnedVersion()}, found ${result.reason}`, [ctx.node.spec.name]);
    }
    return result.detail;
  },
};

export const INSTALL_STEPS = [install, verify];
