/**
 * Phase 6 (runbook step 9): start every member at once, well inside the 30 s
 * bootstrap window, and wait until all have started, all are healthy and
 * exactly one leads. When a member is missing, say which and why, with the
 * tail of its log and the runbook's clean-up and retry advice.
 */
import { existsSync } from 'node:fs';
import { isRunning } from '../../ports/service-manager.js';
import { BOOTSTRAP_ADVICE } from '../advice.js';
import type { PlannedAction } from '../actions.js';
import { openClusterProber, readableLogLine, type ClusterHealth } from '../cluster-health.js';
import { RunbookFailure } from '../failures.js';
import { localPki } from '../local-pki.js';
import type { NodeRuntime } from '../node-runtime.js';
import type { ClusterStep, ClusterStepContext } from '../types.js';
import { standardAdvice } from './common.js';

const POLL_MS = 250;
/** After a member's process is seen dead, how long the others get to settle before the report. */
const SETTLE_AFTER_EXIT_MS = 3000;
const LOG_TAIL_LINES = 6;

export async function describeMissing(nodes: NodeRuntime[], health: ClusterHealth | undefined, missing: string[]): Promise<string> {
  const parts: string[] = [];
  for (const node of nodes.filter((n) => missing.includes(n.spec.name))) {
    const probe = health?.probes.find((p) => p.node.name === node.spec.name)?.result;
    const why = !probe ? 'never probed' : probe.ok ? 'answers but is not serving' : probe.reason;
    const status = await node.service.status().catch((err: Error) => ({ state: 'unknown' as const, detail: err.message }));
    const tail = await node.service.logsTail(LOG_TAIL_LINES).catch((err: Error) => `(cannot read the log: ${err.message})`);
    parts.push(
      `${node.spec.name}: ${why}; service ${status.state}${status.detail ? ` (${status.detail})` : ''}\n` +
        tail.split('\n').map((l) => `    | ${readableLogLine(l)}`).join('\n'),
    );
  }
  return parts.join('\n');
}

function missingNodes(nodes: NodeRuntime[], health: ClusterHealth | undefined): string[] {
  if (!health) return nodes.map((n) => n.spec.name);
  return nodes
    .map((n) => n.spec.name)
    .filter((name) => health.problems.some((p) => p.startsWith(`${name} `) || p.startsWith(`${name}:`)));
}

async function waitForCluster(ctx: ClusterStepContext, timeoutMs: number): Promise<ClusterHealth> {
  const prober = openClusterProber(ctx.run);
  const started = Date.now();
  let health: ClusterHealth | undefined;
  let exitedAt: number | undefined;
  let exited: string[];
  try {
    for (;;) {
      health = await prober.probe();
      if (health.healthy) return health;
      const statuses = await Promise.all(ctx.nodes.map(async (n) => ({ n, s: await n.service.status().catch(() => undefined) })));
      const dead = statuses.filter(({ s }) => s !== undefined && !isRunning(s.state)).map(({ n }) => n.spec.name);
      if (dead.length > 0 && exitedAt === undefined) exitedAt = Date.now();
      exited = dead;
      const settled = exitedAt !== undefined && Date.now() - exitedAt >= SETTLE_AFTER_EXIT_MS;
      if (settled || Date.now() - started >= timeoutMs) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    prober.close();
  }
  const missing = [...new Set([...exited, ...missingNodes(ctx.nodes, health)])];
  const details = await describeMissing(ctx.nodes, health, missing);
  const elapsed = Math.round((Date.now() - started) / 1000);
  if (exited.length > 0) {
    throw new RunbookFailure('member-exited', `bootstrap failed: ${exited.join(', ')} stopped running (after ${elapsed} s)\n${details}`, missing);
  }
  throw new RunbookFailure(
    'bootstrap-timeout',
    `bootstrap timed out after ${elapsed} s: ${missing.join(', ') || 'no member'} not healthy (${health?.problems.join('; ') ?? 'no answer'})\n${details}`,
    missing,
  );
}

const start: ClusterStep = {
  id: 'bootstrap.start',
  title: 'Start all members together and wait for one leader',
  phase: 6,
  scope: 'cluster',
  advice: (error) => (error instanceof RunbookFailure && (error.kind === 'bootstrap-timeout' || error.kind === 'member-exited') ? BOOTSTRAP_ADVICE : standardAdvice(error)),
  async check({ run }) {
    if (!existsSync(localPki(run.workdir).client('root').cert)) return { done: false, reason: 'no root client certificate yet (phase 3)' };
    const prober = openClusterProber(run);
    try {
      const health = await prober.probe();
      return health.healthy
        ? { done: true, detail: `${health.members?.length ?? 0} members started, leader ${health.leaders[0]}` }
        : { done: false, reason: health.problems[0] };
    } finally {
      prober.close();
    }
  },
  async plan(ctx) {
    const actions: PlannedAction[] = [];
    for (const node of ctx.nodes) {
      for (const a of node.service.plan('start')) {
        actions.push(a.kind === 'exec' || a.kind === 'local' ? { ...a, on: node.spec.name } : a);
      }
    }
    actions.push({
      kind: 'etcd',
      call: `every ${POLL_MS} ms for up to ${ctx.run.settings.bootstrapTimeoutMs / 1000} s: Status, alarms and a quorum read on each member, MemberList (root client certificate) until all ${ctx.nodes.length} are started and healthy with one leader`,
    });
    return actions;
  },
  async apply(ctx) {
    const t0 = Date.now();
    await Promise.all(ctx.nodes.map((n) => n.service.start()));
    ctx.log(`started ${ctx.nodes.length} members within ${Date.now() - t0} ms`);
    const health = await waitForCluster(ctx, ctx.run.settings.bootstrapTimeoutMs);
    return `${health.members?.length ?? 0} members started, leader ${health.leaders[0]} (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
  },
};

export const BOOTSTRAP_STEPS = [start];
