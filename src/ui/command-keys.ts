import type { Key } from 'ink';
import type { ActionContext } from './actions.js';
import { ACTIONS, visibleActions } from './actions.js';
import { commandEntries, completeCommand, parseCommand, type CommandEntry } from './command-line.js';
import { runAction } from './run-action.js';
import { membersInOrder } from '../state/store.js';

export interface CommandContext extends ActionContext {
  /** Names of the clusters of the user config; `ctx NAME` switches to one. */
  contexts: string[];
  switchContext?: (name: string) => void;
}

/** The commands on offer now (read-only mode offers no mutating action). */
export function currentEntries(ctx: CommandContext): CommandEntry[] {
  const state = ctx.store.getState();
  return commandEntries(visibleActions(state.readOnly, ACTIONS), membersInOrder(state).map((m) => m.name), ctx.contexts);
}

/** Keys while the `:` line is open: Tab completes, Enter runs, Esc closes, Backspace on an empty line closes. */
export function handleCommandKey(input: string, key: Key, ctx: CommandContext): void {
  const state = ctx.store.getState();
  const text = state.command?.text ?? '';
  if (key.escape) return state.setCommand(undefined);
  if (key.tab) return state.setCommand({ text: completeCommand(text, currentEntries(ctx)).text });
  if (key.backspace || key.delete) return state.setCommand(text ? { text: text.slice(0, -1) } : undefined);
  if (key.return) {
    const parsed = parseCommand(text, currentEntries(ctx));
    if ('error' in parsed) return state.setCommand({ text, error: parsed.error });
    state.setCommand(undefined);
    return runCommand(parsed.entry, parsed.arg, ctx);
  }
  if (input && !key.ctrl && !key.meta) state.setCommand({ text: text + input });
}

function runCommand(entry: CommandEntry, arg: string | undefined, ctx: CommandContext): void {
  const state = ctx.store.getState();
  if (entry.name === 'select') {
    state.selectByName(arg!);
    return;
  }
  if (entry.name === 'ctx') {
    if (arg === undefined) state.setOverlay('contexts');
    else ctx.switchContext?.(arg);
    return;
  }
  const action = ACTIONS.find((a) => a.id === entry.actionId);
  if (!action) return;
  // A member-scoped action's argument is the member; a text one's is its own.
  if (arg !== undefined && !entry.freeText) state.selectByName(arg);
  runAction(action, { ...ctx, arg: entry.freeText ? arg : undefined });
}
