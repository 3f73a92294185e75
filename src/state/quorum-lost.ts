import { summarizeCluster } from '../core/cluster/summary.js';
import { membersInOrder, type CockpitState } from './store.js';

/** Why an operation that needs quorum cannot run now, or undefined while the cluster has it (the TUI's keys and the CLI's verbs alike). */
export function quorumLostReason(state: Pick<CockpitState, 'order' | 'members' | 'memberList'>): string | undefined {
  const summary = summarizeCluster(membersInOrder(state), state.memberList);
  if (summary.quorum !== 'lost') return undefined;
  return `quorum is lost (${summary.answering}/${summary.total} answering)`;
}
