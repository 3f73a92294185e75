/**
 * What each part of the screen reads from the store, in one place. A
 * component subscribes to the selector of what it shows, so a change
 * elsewhere (a /metrics round, one member's probe) re-renders only what shows
 * it. Selectors that build an array are used with `useShallow`; the cluster
 * summary keeps its previous object while its content is the same.
 */
import { summarizeCluster, type ClusterSummary } from '../core/cluster/summary.js';
import type { MemberState } from '../core/cluster/types.js';
import type { MemberHistory } from './history.js';
import { membersInOrder, selectedMember, visibleEndpoints, type CockpitState } from './store.js';

type Selector<T> = (s: CockpitState) => T;

export const selectClusterName: Selector<string> = (s) => s.clusterName;
export const selectReadOnly: Selector<boolean> = (s) => s.readOnly;
export const selectOverlay: Selector<CockpitState['overlay']> = (s) => s.overlay;
export const selectConfirm: Selector<CockpitState['confirm']> = (s) => s.confirm;
export const selectBusy: Selector<string | undefined> = (s) => s.busy;
export const selectFilter: Selector<CockpitState['filter']> = (s) => s.filter;
export const selectCommand: Selector<CockpitState['command']> = (s) => s.command;
export const selectRunbook: Selector<CockpitState['runbook']> = (s) => s.runbook;
export const selectContexts: Selector<string[]> = (s) => s.contexts;
export const selectEvents: Selector<CockpitState['events']> = (s) => s.events;
export const selectMemberList: Selector<CockpitState['memberList']> = (s) => s.memberList;
export const selectMemberCount: Selector<number> = (s) => s.order.length;

/** The endpoints the `/` filter lets through, in display order (use with useShallow). */
export const selectVisibleEndpoints: Selector<string[]> = (s) => visibleEndpoints(s);

/** Member names in display order, for the `:` line's completion (use with useShallow). */
export const selectMemberNames: Selector<string[]> = (s) => membersInOrder(s).map((m) => m.name);

/** The endpoint the selection is on. */
export const selectSelectedEndpoint: Selector<string | undefined> = (s) => s.order[s.selected];

export const selectSelectedMember: Selector<MemberState | undefined> = (s) => selectedMember(s);
export const selectHasSelectedMember: Selector<boolean> = (s) => selectedMember(s) !== undefined;
export const selectHasRunbook: Selector<boolean> = (s) => s.runbook !== undefined;

export function selectMember(endpoint: string): Selector<MemberState | undefined> {
  return (s) => s.members[endpoint];
}

/** Whether this member is down now (its pane's clock ticks only then). */
export function selectMemberDown(endpoint: string): Selector<boolean> {
  return (s) => s.members[endpoint]?.downSince !== undefined;
}

export function selectMemberHistory(endpoint: string | undefined): Selector<MemberHistory | undefined> {
  return (s) => (endpoint === undefined ? undefined : s.history[endpoint]);
}

/** Whether any member is down now: the clock only needs to tick for "down since". */
export const selectAnyMemberDown: Selector<boolean> = (s) => s.order.some((e) => s.members[e]?.downSince !== undefined);

/**
 * The header's quorum, leader, term, revision and alarms; the same object while none of them change.
 * Header, footer and layout all ask on every store update (a key press too): a store whose members
 * and member list are the objects of last time gets last time's answer without a recount.
 */
export const selectClusterSummary: Selector<ClusterSummary> = sameInputs(
  (s) => [s.order, s.members, s.memberList],
  keepWhileEqual((s) => summarizeCluster(membersInOrder(s), s.memberList)),
);

/** The header takes a second line for the alarm banner. */
export const selectHasAlarms: Selector<boolean> = (s) => selectClusterSummary(s).alarms.length > 0;

/** Each poll source's health (member list, metrics, certificates); a new object only when one of them moves. */
export const selectPollSources: Selector<CockpitState['sources']> = (s) => s.sources;

/** How many poll sources are failing now: the screen gives each a line. */
export const selectFailingSourceCount: Selector<number> = (s) => Object.values(s.sources).filter((state) => state && !state.ok).length;

/** Actions that need a serving majority wait while this holds. */
export const selectQuorumLost: Selector<boolean> = (s) => selectClusterSummary(s).quorum === 'lost';

/** Why each of these actions is unavailable now (undefined where it is available), in their order (use with useShallow). */
export function selectDisabledReasons(actions: readonly { disabledReason?: (s: CockpitState) => string | undefined }[]): Selector<(string | undefined)[]> {
  return (s) => actions.map((a) => a.disabledReason?.(s));
}

/**
 * Wraps a selector that builds a new object on every call so it hands back
 * the previous one while the content is equal: a poll that changes nothing
 * the result holds does not re-render its readers.
 */
export function keepWhileEqual<T>(select: Selector<T>): Selector<T> {
  let last: { json: string; value: T } | undefined;
  return (s) => {
    const value = select(s);
    const json = JSON.stringify(value);
    if (last?.json === json) return last.value;
    last = { json, value };
    return value;
  };
}

/** Runs `select` only when one of the values `inputs` picks is not the one of the last call. */
export function sameInputs<T>(inputs: (s: CockpitState) => unknown[], select: Selector<T>): Selector<T> {
  let last: { inputs: unknown[]; value: T } | undefined;
  return (s) => {
    const now = inputs(s);
    if (last && now.length === last.inputs.length && now.every((v, i) => v === last!.inputs[i])) return last.value;
    last = { inputs: now, value: select(s) };
    return last.value;
  };
}
