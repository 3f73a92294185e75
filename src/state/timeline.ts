import { writeFileSync } from 'node:fs';
import { clusterEvents } from '../core/timeline/cluster-events.js';
import type { CockpitStore } from './store.js';

/** Adds what happened to the cluster to the events pane as polls bring it in. Returns the unsubscribe. */
export function watchClusterEvents(store: CockpitStore, now: () => number = Date.now): () => void {
  return store.subscribe((after, before) => {
    if (after.members === before.members && after.memberList === before.memberList) return;
    for (const e of clusterEvents(before, after, now())) store.getState().addEvent(e.text, e.tone);
  });
}

/** Writes the events (cluster changes and actions) as JSON lines, for the incident report. */
export function exportTimeline(store: CockpitStore, file: string): number {
  const { events, clusterName } = store.getState();
  const lines = events.map((e) => JSON.stringify({ time: new Date(e.at).toISOString(), cluster: clusterName, event: e.text, severity: e.tone }));
  writeFileSync(file, lines.join('\n') + (lines.length ? '\n' : ''), { mode: 0o600 });
  return lines.length;
}
