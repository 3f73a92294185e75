import type { Key } from 'ink';
import type { CockpitStore } from '../state/store.js';
import type { OperationRunner } from '../state/operation-runner.js';

/**
 * Keys while a confirmation is open: the dialog takes every key first. Enter
 * on Cancel cancels; for what cannot be undone only the typed name confirms.
 */
export function handleConfirmKey(input: string, key: Key, store: CockpitStore, runner: OperationRunner | undefined): void {
  const pending = store.getState().confirm;
  if (!pending || !runner) return;
  if (key.escape) return runner.cancel();
  if (pending.request.typed) {
    if (key.return) {
      if (pending.typed === pending.request.typed) void runner.confirm();
      return;
    }
    if (key.backspace || key.delete) return store.getState().setConfirm({ ...pending, typed: pending.typed.slice(0, -1) });
    if (input && !key.ctrl && !key.meta && !key.tab) store.getState().setConfirm({ ...pending, typed: pending.typed + input });
    return;
  }
  if (key.tab || key.leftArrow || key.rightArrow) {
    store.getState().setConfirm({ ...pending, focus: pending.focus === 'cancel' ? 'confirm' : 'cancel' });
    return;
  }
  if (key.return) {
    if (pending.focus === 'confirm') void runner.confirm();
    else runner.cancel();
  }
}
