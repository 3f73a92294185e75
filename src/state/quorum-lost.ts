import type { CockpitState } from './store.js';
import { selectClusterSummary } from './selectors.js';

/** Why an operation that needs quorum cannot run now, or undefined while the cluster has it (the TUI's keys and the CLI's verbs alike). */
export function quorumLostReason(state: CockpitState): string | undefined {
  // The summary the header shows, counted once per change of the members, not once per key asking.
  const summary = selectClusterSummary(state);
  if (summary.quorum !== 'lost') return undefined;
  if (summary.answering > 0) return `quorum is lost (${summary.answering}/${summary.total} answering)`;
  // Nobody answers: more often a wrong endpoint or etcd not running there than a cluster without quorum.
  const members = state.order.map((e) => state.members[e]);
  const reasons = [...new Set(members.map((m) => m?.reason).filter((r): r is string => Boolean(r)))];
  const where = members.length === 1 ? members[0]?.endpoint : `${members.length} endpoints`;
  return `no member answers at ${where}${reasons.length ? ` (${reasons.slice(0, 2).join('; ')})` : ''}`;
}
