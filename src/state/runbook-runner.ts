import type { Inventory } from '../core/inventory/types.js';
import { closeRunContext, createRunContext } from '../adapters/runbook/run-context.js';
import { runRunbook } from '../core/runbook/engine.js';
import { patroniEtcd3Block } from '../core/runbook/checkpoint.js';
import { RUNBOOK_STEPS } from '../core/runbook/phases/index.js';
import { CLUSTER_TARGET } from '../core/runbook/types.js';
import type { OperationRequest } from '../core/operations/requests.js';
import type { CockpitStore } from './store.js';
import type { RunbookStepRow } from './runbook-view.js';

/** Every runbook step with the nodes it runs on, before anything ran (all pending). */
export function runbookRows(inventory: Inventory): RunbookStepRow[] {
  return RUNBOOK_STEPS.map((step) => ({
    id: step.id,
    phase: step.phase,
    title: step.title,
    targets: step.scope === 'cluster' ? [CLUSTER_TARGET] : inventory.nodes.map((n) => n.name),
  }));
}

/**
 * The bootstrap runbook as one action: the engine's events go to the sidebar
 * as they happen; a rerun resumes by each step's own check. The operation
 * runner asks, audits and marks the cockpit busy, as for any other action.
 */
export function runbookRequest(store: CockpitStore, inventory: Inventory, dryRun: boolean): OperationRequest {
  const nodes = inventory.nodes.map((n) => n.name).join(', ');
  return {
    action: dryRun ? 'runbook-plan' : 'runbook-run',
    target: 'cluster',
    params: { dryRun },
    summary: dryRun
      ? [`Show what the bootstrap runbook would run on ${nodes}: exact commands and files, secrets masked. Nothing is touched.`]
      : [
          `Run the bootstrap runbook on ${nodes}, phases 0-8: preflight, install, user and directories, PKI, config, service, bootstrap (all members at once), RBAC, verification.`,
          'Each step first checks whether it is already done and is skipped if so; the run stops at the first failure and says what is left.',
        ],
    work: async () => {
      const ctx = createRunContext({ inventory });
      try {
        const report = await runRunbook(ctx, { dryRun, listener: (e) => store.getState().applyRunbookEvent(e) });
        if (report.outcome === 'failed') {
          throw new Error(`${report.failed?.title ?? 'a step'} failed on ${report.failed?.target}: ${report.failed?.error ?? ''}`);
        }
        if (!dryRun) store.getState().setRunbookPatroni(patroniEtcd3Block(ctx));
      } finally {
        await closeRunContext(ctx);
      }
    },
  };
}
