import type * as RunbookRunnerModule from '../state/runbook-runner.js';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { selectedMember, type CockpitState, type CockpitStore } from '../state/store.js';
import type { OperationRunner } from '../state/operation-runner.js';
import type { KeyName } from './keys.js';
import type { Inventory } from '../core/inventory/types.js';
import { CATALOGUE } from '../core/operations/catalogue.js';
import { operationAction } from './operation-action.js';

export interface ActionContext {
  store: CockpitStore;
  quit: () => void;
  /** Present when the cockpit can act on the cluster (absent in tests of the bare view). */
  operations?: OperationRunner;
  inventory?: Inventory;
  /** What followed the action's name on the `:` line (`:quota 8GiB`, `:filter db`). */
  arg?: string;
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
  /** A shorter label for the footer, where room is scarce. */
  hint?: string;
  /** The action takes free text on the `:` line; this names it (SIZE, TEXT). */
  textArg?: string;
  /** What the free text may look like, shown under the `:` line while it is typed. */
  argHint?: string;
  /** Why the action cannot run now, or undefined when it can. */
  disabledReason?: (state: CockpitState) => string | undefined;
  /** Needs a majority of members serving: shown off, with the reason, while quorum is lost. */
  needsQuorum?: boolean;
  /** Its name in the audit log when it differs from the id (both defrag keys are `defrag`). */
  auditAs?: string;
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
    hint: 'next',
    run: ({ store }) => store.getState().moveSelection(1),
  },
  {
    id: 'select-prev',
    keys: ['left', 'up', 'h', 'k', 'shift-tab'],
    label: 'previous member',
    scope: 'global',
    dangerous: false,
    footer: true,
    hint: 'previous',
    run: ({ store }) => store.getState().moveSelection(-1),
  },
  {
    id: 'filter',
    keys: ['/'],
    label: 'filter members by name',
    scope: 'global',
    dangerous: false,
    footer: false,
    textArg: 'TEXT',
    run: ({ store, arg }) =>
      store.getState().setFilter(arg === undefined ? { text: store.getState().filter.text, editing: true } : { text: arg, editing: false }),
  },
  {
    id: 'command-line',
    keys: [':'],
    label: 'command line: actions and views by name, Tab completes',
    scope: 'global',
    dangerous: false,
    footer: true,
    hint: 'command',
    run: ({ store }) => store.getState().setCommand({ text: '' }),
  },
  {
    id: 'detail',
    keys: ['return', 'i'],
    label: 'details of the selected member: larger plots and every reading',
    scope: 'member',
    dangerous: false,
    footer: true,
    hint: 'details',
    disabledReason: (s) => (selectedMember(s) ? undefined : 'no member selected'),
    run: ({ store }) => store.getState().setOverlay(store.getState().overlay === 'detail' ? 'none' : 'detail'),
  },
  {
    id: 'contexts',
    keys: ['C'],
    label: 'every cluster of the user config: quorum and alarms (:ctx NAME switches)',
    scope: 'global',
    dangerous: false,
    footer: false,
    disabledReason: (s) => (s.contexts.length > 1 ? undefined : 'the user config has no other cluster (contexts: in ~/.config/etcd-cockpit/config.yaml)'),
    run: ({ store }) => store.getState().setOverlay(store.getState().overlay === 'contexts' ? 'none' : 'contexts'),
  },
  {
    id: 'keyspace',
    keys: ['K'],
    label: 'keyspace: keys and bytes per key prefix, scanned when opened (read-only)',
    scope: 'global',
    dangerous: false,
    footer: false,
    run: ({ store }) => store.getState().setOverlay(store.getState().overlay === 'keyspace' ? 'none' : 'keyspace'),
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
    label: 'close this screen, or clear the filter',
    scope: 'global',
    dangerous: false,
    footer: false,
    disabledReason: (s) => (s.overlay === 'none' && !s.filter.text ? 'nothing to close' : undefined),
    run: ({ store }) => {
      if (store.getState().overlay !== 'none') store.getState().setOverlay('none');
      else store.getState().setFilter({ text: '', editing: false });
    },
  },
  ...CATALOGUE.map(operationAction),
  {
    id: 'runbook',
    keys: ['b'],
    label: 'bootstrap runbook',
    scope: 'global',
    dangerous: false,
    footer: true,
    hint: 'runbook',
    disabledReason: (s) => (s.runbook ? undefined : 'needs an inventory: start with -f cluster.yaml'),
    run: ({ store, inventory }) => {
      store.getState().setOverlay(store.getState().overlay === 'runbook' ? 'none' : 'runbook');
      if (inventory) void loadRunbook(store, inventory);
    },
  },
  runbookAction({ id: 'runbook-plan', keys: ['P'], label: 'runbook dry run: show exact commands and files, touch nothing', dryRun: true }),
  runbookAction({ id: 'runbook-run', keys: ['R'], label: 'run the bootstrap runbook (resumes: finished steps are checked, not redone)', dryRun: false }),
  {
    id: 'export-timeline',
    keys: ['e'],
    label: 'write the event timeline to files (JSON lines and text)',
    scope: 'global',
    dangerous: false,
    footer: false,
    disabledReason: (s) => (s.events.length === 0 ? 'nothing happened yet' : undefined),
    run: ({ store, operations }) => {
      const dir = operations?.settings?.().timelineDir;
      if (!dir) return;
      void import('../state/timeline.js').then(({ exportTimeline }) => {
        const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
        const file = join(dir, `${store.getState().clusterName}-${stamp}.jsonl`);
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        const { count, textFile } = exportTimeline(store, file);
        store.getState().addEvent(`timeline written to ${file} and ${textFile} (${count} events)`, 'healthy');
      });
    },
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


/** Loads the runbook engine and, the first time, fills the sidebar with its steps (all pending). */
async function loadRunbook(store: CockpitStore, inventory: Inventory): Promise<typeof RunbookRunnerModule> {
  const runner = await import('../state/runbook-runner.js');
  const view = store.getState().runbook;
  if (view && view.steps.length === 0) store.getState().setRunbook({ ...view, steps: runner.runbookRows(inventory) });
  return runner;
}

/** The runbook's dry run shows at once; the real run asks first. Both load the engine only when used. */
function runbookAction(spec: { id: string; keys: KeyName[]; label: string; dryRun: boolean }): ActionDef {
  return {
    id: spec.id,
    keys: spec.keys,
    label: spec.label,
    scope: 'global',
    dangerous: !spec.dryRun,
    footer: false,
    disabledReason: (s) => (!s.runbook ? 'needs an inventory: start with -f cluster.yaml' : s.busy ? `busy: ${s.busy} is running` : undefined),
    run: ({ store, operations, inventory }) => {
      if (!operations || !inventory) return;
      store.getState().setOverlay('runbook');
      void loadRunbook(store, inventory).then(({ runbookRequest }) => {
        const request = runbookRequest(store, inventory, spec.dryRun);
        return spec.dryRun ? operations.run(request) : operations.ask(request);
      });
    },
  };
}
