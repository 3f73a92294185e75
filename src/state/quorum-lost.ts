import type { CockpitState } from './store.js';
import { selectClusterSummary } from './selectors.js';

/** Why an operation that needs quorum cannot run now, or undefined while the cluster has it (the TUI's keys and the CLI's verbs alike). */
export function quorumLostReason(state: CockpitState): string | undefined {
  // The summary the header shows, counted once per change of the members, not once per key asking.
  const summary = selectClusterSummary(state);
  if (summary.quorum !== 'lost') return undefined;
  return `quorum is lost (${summary.answering}/${summary.total} answering)`;
}
