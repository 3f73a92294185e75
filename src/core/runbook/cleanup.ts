/**
 * The runbook's bootstrap clean-up (Troubleshooting, steps 1-2) as an
 * operation the user can run: stop etcd on every node, then empty every data
 * directory. Destructive: show cleanupPlan() and confirm first.
 */
import { execAction, type PlannedAction } from './actions.js';
import { errorMessage } from './error-message.js';
import type { NodeRuntime } from './node-runtime.js';
import { NODE_PATHS, p } from './paths.js';
import { exec } from './phases/common.js';
import type { RunContext } from './types.js';

export function wipeDataDirCommand(node: NodeRuntime): string {
  const dir = p(node, NODE_PATHS.dataDir);
  return `[ ! -d ${dir} ] || find ${dir} -mindepth 1 -delete`;
}

export interface NodePlan {
  node: string;
  actions: PlannedAction[];
}

export function cleanupPlan(ctx: RunContext): NodePlan[] {
  return ctx.nodes.map((node) => ({
    node: node.spec.name,
    actions: [...node.service.plan('stop'), execAction(wipeDataDirCommand(node), node.sudo)],
  }));
}

export interface CleanupResult {
  node: string;
  stopped: boolean;
  wiped: boolean;
  error?: string;
}

/** Stops all members at once, then wipes their data dirs. Reports per node; never throws for one node's failure. */
export async function cleanupBootstrap(ctx: RunContext, options: { graceMs?: number } = {}): Promise<CleanupResult[]> {
  return Promise.all(
    ctx.nodes.map(async (node): Promise<CleanupResult> => {
      const result: CleanupResult = { node: node.spec.name, stopped: false, wiped: false };
      try {
        await node.service.stop({ graceMs: options.graceMs ?? 2000 });
        result.stopped = true;
        const r = await exec(node, wipeDataDirCommand(node), { privileged: true });
        if (r.code !== 0) throw new Error(`emptying ${NODE_PATHS.dataDir} failed (exit ${r.code}): ${r.stderr.trim()}`);
        result.wiped = true;
      } catch (err) {
        result.error = ctx.secrets.redact(errorMessage(err));
      }
      return result;
    }),
  );
}
