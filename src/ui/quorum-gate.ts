import { summarizeCluster } from '../core/cluster/summary.js';
import { membersInOrder, type CockpitState } from '../state/store.js';
import type { ActionDef } from './actions.js';

/** Why an action that needs quorum cannot run now, or undefined while the cluster has it. */
export function quorumLostReason(state: Pick<CockpitState, 'order' | 'members' | 'memberList'>): string | undefined {
  const summary = summarizeCluster(membersInOrder(state), state.memberList);
  if (summary.quorum !== 'lost') return undefined;
  return `quorum is lost (${summary.answering}/${summary.total} answering)`;
}

/** The keys that wait for quorum now, for the footer; empty while the cluster has it. */
export function keysWaitingForQuorum(actions: readonly ActionDef[], state: CockpitState): string[] {
  if (!quorumLostReason(state)) return [];
  return actions.filter((a) => a.needsQuorum && a.keys.length > 0).map((a) => a.keys[0]!);
}
