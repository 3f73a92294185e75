import type { CockpitState } from '../state/store.js';
import { quorumLostReason } from '../state/quorum-lost.js';
import type { ActionDef } from './actions.js';

/** The keys that wait for quorum now, for the footer; empty while the cluster has it. */
export function keysWaitingForQuorum(actions: readonly ActionDef[], state: CockpitState): string[] {
  if (!quorumLostReason(state)) return [];
  return actions.filter((a) => a.needsQuorum && a.keys.length > 0).map((a) => a.keys[0]!);
}
