import { runRunbook } from '../../runbook/engine.js';
import type { RunbookEvent } from '../../runbook/events.js';
import type { PhaseNumber } from '../../runbook/types.js';
import type { ServiceOpsContext } from './context.js';

/**
 * Runs runbook phases (6: start all inside the bootstrap window and wait for
 * one leader; 7: RBAC) with their checks, redaction and failure advice;
 * progress goes to the operation's log. Throws on the first failed step.
 */
export async function runRunbookPhases(ctx: ServiceOpsContext, phases: PhaseNumber[]): Promise<void> {
  const report = await runRunbook(ctx.run, { phases, listener: (event) => logEvent(ctx, event) });
  const failed = report.failed;
  if (failed) throw new Error(`${failed.stepId} failed: ${failed.error ?? 'no detail'}${failed.advice ? `\n${failed.advice}` : ''}`);
}

function logEvent(ctx: ServiceOpsContext, event: RunbookEvent): void {
  if (event.type === 'step-state' && event.state === 'done') ctx.log(`${event.stepId}: ${event.detail ?? 'done'}`);
  if (event.type === 'output' && event.stream === 'info') ctx.log(`${event.stepId}: ${event.chunk.trimEnd()}`);
  if (event.type === 'warning') ctx.log(`${event.stepId}: warning: ${event.message}`);
}
