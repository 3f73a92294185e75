import type * as ServiceOpsModule from '../core/operations/service/index.js';
import type { ActionDef, ActionContext } from './actions.js';
import type { KeyName } from './keys.js';
import { membersInOrder, selectedMember } from '../state/store.js';
import type { MemberState } from '../core/cluster/types.js';
import type { ServiceDeps, ServiceOperationRequest } from '../core/operations/service/index.js';
import { quorumLostReason } from './quorum-gate.js';

type ServiceKind = 'restart' | 'rolling-restart' | 'member-replace' | 'restore' | 'rebootstrap' | 'quota';

interface BuildInput {
  cluster: string;
  members: MemberState[];
  member?: MemberState;
  snapshotDir: string;
  pauseMs: number;
  /** The `:` line's argument (quota: the new size). */
  arg?: string;
}

/**
 * Actions that reach each node's etcd service (restart, restore, ...). They
 * need the inventory's runbook section; the service code (SSH, runbook
 * engine) is loaded only when one is asked for. A refusal (quorum guard, no
 * fresh snapshot) is said in the events pane.
 */
export function serviceAction(spec: {
  id: string;
  keys: KeyName[];
  kind: ServiceKind;
  label: string;
  needsMember?: boolean;
  needsQuorum?: boolean;
  textArg?: string;
  argHint?: string;
}): ActionDef {
  return {
    id: spec.id,
    keys: spec.keys,
    label: spec.label,
    scope: spec.needsMember ? 'member' : 'global',
    dangerous: true,
    footer: false,
    textArg: spec.textArg,
    argHint: spec.argHint,
    needsQuorum: spec.needsQuorum,
    disabledReason: (state) => {
      if (!state.runbook) return 'needs an inventory with a runbook: section (-f cluster.yaml)';
      if (state.busy) return `busy: ${state.busy} is running`;
      const lost = spec.needsQuorum ? quorumLostReason(state) : undefined;
      if (lost) return lost;
      if (spec.needsMember && !selectedMember(state)) return 'no member selected';
      return undefined;
    },
    run: (ctx) => {
      // An argument is typed on the `:` line: the key opens it ready for one.
      if (spec.textArg && ctx.arg === undefined) return ctx.store.getState().setCommand({ text: `${spec.id} ` });
      // Reaching the nodes takes a while before the question can be asked: say so at once.
      ctx.store.getState().addEvent(`${spec.label}: preparing, reaching the nodes before asking`);
      void ask(ctx, spec);
    },
  };
}

async function ask(ctx: ActionContext, spec: { kind: ServiceKind; label: string; needsMember?: boolean }): Promise<void> {
  const { store, operations, inventory } = ctx;
  const settings = operations?.settings?.();
  if (!operations || !inventory || !settings?.openRun) {
    store.getState().addEvent(`${spec.label}: unavailable, the cockpit was started without an inventory to act with`, 'warning');
    return;
  }
  const state = store.getState();
  const ops = await import('../core/operations/service/index.js');
  const { run, close } = await settings.openRun(inventory);
  try {
    const deps = ops.serviceDeps(run);
    const input: BuildInput = {
      cluster: state.clusterName,
      members: membersInOrder(state),
      member: spec.needsMember ? selectedMember(state) : undefined,
      snapshotDir: settings.snapshotDir,
      pauseMs: settings.pauseMs,
      arg: ctx.arg,
    };
    const request = await build(ops, spec.kind, input, deps);
    // The run context (SSH connections) lives as long as the action, cancelled or refused too.
    operations.ask(request, close);
  } catch (err) {
    await close();
    const why = (err as Error).message.split('\n')[0] ?? '';
    store.getState().addEvent(`${spec.label}: refused, ${why}`, 'critical');
    const target = spec.needsMember ? (selectedMember(state)?.name ?? 'no member') : `cluster ${state.clusterName}`;
    operations.refused({ action: spec.kind, target, params: ctx.arg === undefined ? {} : { arg: ctx.arg } }, why);
  }
}

async function build(
  ops: typeof ServiceOpsModule,
  kind: ServiceKind,
  input: BuildInput,
  deps: ServiceDeps,
): Promise<ServiceOperationRequest> {
  const base = { cluster: input.cluster, members: input.members, force: false };
  switch (kind) {
    case 'restart':
      return ops.buildRestartRequest({ ...base, member: input.member!.name }, deps);
    case 'member-replace':
      return ops.buildReplaceMemberRequest({ ...base, member: input.member!.name }, deps);
    case 'rolling-restart':
      return ops.buildRollingRestartRequest({ ...base, pauseMs: input.pauseMs }, deps);
    case 'rebootstrap':
      return ops.buildRebootstrapRequest({ cluster: input.cluster, members: input.members, snapshotDir: input.snapshotDir }, deps);
    case 'quota':
      return ops.buildQuotaRequest({ ...base, bytes: ops.parseSize(input.arg ?? '') }, deps);
    case 'restore': {
      const newest = await ops.findFreshSnapshot(input.snapshotDir, deps.etcdutl(), Number.POSITIVE_INFINITY);
      if (!newest) throw new Error(`no verified snapshot in ${input.snapshotDir}: take one with s first`);
      return ops.buildRestoreRequest({ cluster: input.cluster, members: input.members, file: newest.file }, deps);
    }
  }
}
