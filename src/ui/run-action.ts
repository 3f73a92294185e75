import type { ActionContext, ActionDef } from './actions.js';
import { selectedMember } from '../state/store.js';

/**
 * Runs one action the way a key press does: an unavailable action says why in
 * the events pane (and, when it would change the cluster, in the audit log as
 * a refusal, like the CLI's), and nothing an action throws may take the screen down.
 */
export function runAction(action: ActionDef, ctx: ActionContext): void {
  const { store } = ctx;
  const reason = action.disabledReason?.(store.getState());
  if (reason) {
    if (action.id !== 'close') store.getState().addEvent(`${action.label}: unavailable, ${reason}`, 'warning');
    if (action.dangerous) ctx.operations?.refused({ action: action.auditAs ?? action.id, target: actionTarget(action, ctx) }, reason);
    return;
  }
  try {
    action.run(ctx);
  } catch (err) {
    store.getState().addEvent(`${action.label}: ${(err as Error).message}`, 'critical');
  }
}

/** What the action would have acted on: the selected member, or the cluster. */
export function actionTarget(action: Pick<ActionDef, 'scope'>, ctx: Pick<ActionContext, 'store'>): string {
  const state = ctx.store.getState();
  return action.scope === 'member' ? (selectedMember(state)?.name ?? 'no member') : `cluster ${state.clusterName}`;
}
