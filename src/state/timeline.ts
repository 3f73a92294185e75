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

/**
 * Writes the events (cluster changes and actions) for the incident report:
 * JSON lines to `file` (.jsonl) and the same as plain text beside it (.txt).
 */
export function exportTimeline(store: CockpitStore, file: string): { count: number; textFile: string } {
  const { events, clusterName } = store.getState();
  const records = events.map((e) => ({ time: new Date(e.at).toISOString(), cluster: clusterName, event: e.text, severity: e.tone }));
  const textFile = file.replace(/\.jsonl$/, '') + '.txt';
  const write = (path: string, lines: string[]) => writeFileSync(path, lines.join('\n') + (lines.length ? '\n' : ''), { mode: 0o600 });
  write(file, records.map((r) => JSON.stringify(r)));
  write(textFile, records.map((r) => `${r.time}  ${r.severity.padEnd(8)}  ${r.event}`));
  return { count: records.length, textFile };
}
