import type { ActionContext, ActionDef } from './actions.js';
import { membersInOrder, selectedMember, type CockpitState } from '../state/store.js';
import type { OperationEntry, PlanInput } from '../core/operations/catalogue.js';
// Already loaded with the catalogue (light: the heavy service code is imported by each entry's plan).
import { serviceDeps } from '../core/operations/service/context.js';
import type { OpenedRun } from '../state/operation-runner.js';
import { quorumLostReason } from '../state/quorum-lost.js';

const UP = new Set(['ok', 'degraded']);

/**
 * A catalogue entry as a key and a `:` command: shown off (with why) when it
 * cannot run, and when it can, planned and handed to the runner, which asks
 * (dialog), locks, audits and runs it. Entries that reach the nodes open
 * their SSH connections first and close them whatever the outcome.
 */
export function operationAction(entry: OperationEntry): ActionDef {
  return {
    id: entry.id,
    keys: [...entry.keys],
    label: entry.title,
    scope: entry.target === 'member' ? 'member' : 'global',
    dangerous: !entry.readOnlyAllowed,
    footer: false,
    textArg: entry.arg?.name,
    argHint: entry.arg?.hint,
    needsQuorum: entry.needsQuorum,
    auditAs: entry.action,
    disabledReason: (state) => unavailableReason(entry, state),
    run: (ctx) => {
      // The key opens the `:` line ready for the argument it needs.
      if (entry.arg?.opensLine && ctx.arg === undefined) return ctx.store.getState().setCommand({ text: `${entry.id} ` });
      void prepare(entry, ctx);
    },
  };
}

function unavailableReason(entry: OperationEntry, state: CockpitState): string | undefined {
  if (entry.needsInventory && !state.runbook) return 'needs an inventory with a runbook: section (-f cluster.yaml)';
  if (state.busy) return `busy: ${state.busy} is running`;
  const lost = entry.needsQuorum ? quorumLostReason(state) : undefined;
  if (lost) return lost;
  const members = membersInOrder(state);
  const member = selectedMember(state);
  if (entry.target === 'member' && !member) return 'no member selected';
  // Through etcd's API the member must answer; through its service (restart, replace) it need not.
  if (!entry.needsInventory) {
    if (entry.target === 'member' && !UP.has(member!.health)) return `${member!.name} is not answering`;
    if (!members.some((m) => UP.has(m.health))) return 'no member is answering';
  }
  return entry.unavailable?.(members, member);
}

async function prepare(entry: OperationEntry, ctx: ActionContext): Promise<void> {
  const { store, operations, inventory } = ctx;
  const settings = operations?.settings?.();
  if (!operations || !settings) return;
  const state = store.getState();
  const member = entry.target === 'member' ? selectedMember(state)?.name : undefined;
  let opened: OpenedRun | undefined;
  try {
    if (ctx.arg !== undefined) entry.arg?.check?.(ctx.arg);
    if (entry.needsInventory) {
      if (!inventory || !settings.openRun) throw new Error('the cockpit was started without an inventory to act with');
      // Reaching the nodes takes a while before the question can be asked: say so at once.
      store.getState().addEvent(`${entry.id}: preparing, reaching the nodes before asking`);
      opened = await settings.openRun(inventory);
    }
    const service = opened ? serviceDeps(opened.run) : undefined;
    const input: PlanInput = {
      cluster: state.clusterName,
      members: membersInOrder(state),
      member,
      arg: ctx.arg,
      force: entry.keyForces ?? false,
      pauseMs: settings.pauseMs,
      snapshotDir: settings.snapshotDir,
      etcdutl: settings.etcdutl,
      service,
    };
    const request = await entry.plan(input);
    if (entry.readOnlyAllowed) await operations.run(request);
    else operations.ask(request, opened ? () => opened!.close() : undefined);
  } catch (err) {
    await opened?.close();
    const why = (err as Error).message.split('\n')[0] ?? '';
    store.getState().addEvent(`${entry.id}: refused, ${why}`, 'critical');
    const target = member ?? `cluster ${state.clusterName}`;
    if (!entry.readOnlyAllowed) operations.refused({ action: entry.action, target, params: ctx.arg === undefined ? {} : { arg: ctx.arg } }, why);
  }
}
