import type { ActionContext, ActionDef } from './actions.js';

/**
 * Runs one action the way a key press does: an unavailable action says why in
 * the events pane, and nothing an action throws may take the screen down.
 */
export function runAction(action: ActionDef, ctx: ActionContext): void {
  const { store } = ctx;
  const reason = action.disabledReason?.(store.getState());
  if (reason) {
    if (action.id !== 'close') store.getState().addEvent(`${action.label}: unavailable, ${reason}`, 'warning');
    return;
  }
  try {
    action.run(ctx);
  } catch (err) {
    store.getState().addEvent(`${action.label}: ${(err as Error).message}`, 'critical');
  }
}
