import type { CockpitEvent } from '../state/store.js';

export interface EventGroup {
  text: string;
  tone: CockpitEvent['tone'];
  /** When it first and last happened in this run of repeats. */
  first: number;
  last: number;
  count: number;
}

/** How many of the latest groups a repeat may join: two members flapping in turn still collapse. */
const JOIN_WINDOW = 3;

/**
 * Collapses repeats ("etcd-2 slow disk" twelve times) into one line with a
 * count and the time of the first. A repeat joins its group only while that
 * group is among the latest few, so the order of what happened stays true.
 */
export function collapseEvents(events: readonly CockpitEvent[]): EventGroup[] {
  const groups: EventGroup[] = [];
  for (const e of events) {
    const from = Math.max(0, groups.length - JOIN_WINDOW);
    const at = groups.findIndex((g, i) => i >= from && g.text === e.text && g.tone === e.tone);
    if (at === -1) {
      groups.push({ text: e.text, tone: e.tone, first: e.at, last: e.at, count: 1 });
      continue;
    }
    const [group] = groups.splice(at, 1);
    groups.push({ ...group!, last: e.at, count: group!.count + 1 });
  }
  return groups;
}
