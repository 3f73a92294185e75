import type { CockpitEvent } from '../state/store.js';

export interface EventGroup {
  text: string;
  tone: CockpitEvent['tone'];
  /** When it first and last happened in this run of repeats. */
  first: number;
  last: number;
  count: number;
}

/** How many of the latest groups a repeat may join: every member's slow-disk lines of one round still collapse. */
const JOIN_WINDOW = 8;

/** Readings change from one repeat to the next ("fsync p99 159 ms", then "160 ms"); names like etcd-2 do not. */
function sameKind(text: string): string {
  return text.replace(/(?<![\w-])\d+(\.\d+)?/g, '#');
}

/**
 * Collapses repeats ("etcd-2 slow disk" twelve times, whatever the readings
 * in it) into one line with a count and the time of the first. A repeat joins its group only while that
 * group is among the latest few, so the order of what happened stays true.
 */
export function collapseEvents(events: readonly CockpitEvent[]): EventGroup[] {
  const groups: EventGroup[] = [];
  for (const e of events) {
    const from = Math.max(0, groups.length - JOIN_WINDOW);
    const at = groups.findIndex((g, i) => i >= from && sameKind(g.text) === sameKind(e.text) && g.tone === e.tone);
    if (at === -1) {
      groups.push({ text: e.text, tone: e.tone, first: e.at, last: e.at, count: 1 });
      continue;
    }
    const [group] = groups.splice(at, 1);
    // The latest wording: its numbers are the newest readings.
    groups.push({ ...group!, text: e.text, last: e.at, count: group!.count + 1 });
  }
  return groups;
}
