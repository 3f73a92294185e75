import type { CockpitState, CockpitStore } from '../state/store.js';
import type { KeyName } from './keys.js';

export interface ActionContext {
  store: CockpitStore;
  quit: () => void;
}

export type ActionScope = 'global' | 'member';

/**
 * One registry of what the keys do. It drives the key handler, the footer and
 * the help screen; later actions (defrag, snapshot...) are added here only.
 */
export interface ActionDef {
  id: string;
  keys: KeyName[];
  label: string;
  scope: ActionScope;
  /** Changes the cluster; hidden in --read-only mode and confirmed before it runs. */
  dangerous: boolean;
  /** Shown in the footer. */
  footer: boolean;
  /** Why the action cannot run now, or undefined when it can. */
  disabledReason?: (state: CockpitState) => string | undefined;
  run: (ctx: ActionContext) => void;
}

export const ACTIONS: readonly ActionDef[] = [
  {
    id: 'select-next',
    keys: ['right', 'down', 'l', 'j', 'tab'],
    label: 'next member',
    scope: 'global',
    dangerous: false,
    footer: true,
    run: ({ store }) => store.getState().moveSelection(1),
  },
  {
    id: 'select-prev',
    keys: ['left', 'up', 'h', 'k', 'shift-tab'],
    label: 'previous member',
    scope: 'global',
    dangerous: false,
    footer: true,
    run: ({ store }) => store.getState().moveSelection(-1),
  },
  {
    id: 'help',
    keys: ['?'],
    label: 'help',
    scope: 'global',
    dangerous: false,
    footer: true,
    run: ({ store }) => store.getState().setOverlay(store.getState().overlay === 'help' ? 'none' : 'help'),
  },
  {
    id: 'close',
    keys: ['escape'],
    label: 'close this screen',
    scope: 'global',
    dangerous: false,
    footer: false,
    disabledReason: (s) => (s.overlay === 'none' ? 'nothing to close' : undefined),
    run: ({ store }) => store.getState().setOverlay('none'),
  },
  {
    id: 'quit',
    keys: ['q', 'ctrl-c'],
    label: 'quit',
    scope: 'global',
    dangerous: false,
    footer: true,
    run: ({ quit }) => quit(),
  },
];

/** The actions visible in this mode: read-only removes every dangerous one in one place. */
export function visibleActions(readOnly: boolean, actions: readonly ActionDef[] = ACTIONS): ActionDef[] {
  return actions.filter((a) => !(readOnly && a.dangerous));
}

export function actionForKey(key: KeyName, readOnly: boolean): ActionDef | undefined {
  return visibleActions(readOnly).find((a) => a.keys.includes(key));
}
