/**
 * Rolling readings of etcd_server_leader_changes_seen_total, enough to count
 * leader changes over the last 15 minutes without Prometheus. Pure: each
 * function returns a new history.
 */

export interface CounterReading {
  at: number;
  total: number;
}

/** Oldest first; at most one reading older than the window (the baseline). */
export type LeaderChangeHistory = readonly CounterReading[];

export const LEADER_CHANGE_WINDOW_MS = 15 * 60 * 1000;

/** Adds a reading (ignored when not newer than the last one) and drops what the window no longer needs. */
export function recordReading(
  history: LeaderChangeHistory,
  reading: CounterReading,
  windowMs = LEADER_CHANGE_WINDOW_MS,
): LeaderChangeHistory {
  const last = history[history.length - 1];
  if (last && reading.at <= last.at) return history;
  const all = [...history, reading];
  const windowStart = reading.at - windowMs;
  const firstInside = all.findIndex((r) => r.at > windowStart);
  // Keep one reading before the window: the increase up to the first reading inside it counts.
  return all.slice(Math.max(0, firstInside - 1));
}

/**
 * Leader changes whose reading falls inside (now - window, now]. A counter
 * that went down means the member restarted; its new value is the increase
 * (as PromQL's increase() treats resets). undefined without any reading.
 */
export function changesInWindow(history: LeaderChangeHistory, now: number, windowMs = LEADER_CHANGE_WINDOW_MS): number | undefined {
  if (history.length === 0) return undefined;
  let changes = 0;
  for (let i = 1; i < history.length; i++) {
    const before = history[i - 1]!;
    const after = history[i]!;
    if (after.at <= now - windowMs || after.at > now) continue;
    changes += after.total >= before.total ? after.total - before.total : after.total;
  }
  return changes;
}

/** How much of the window the readings cover: shorter than the window while there is no reading from before it. */
export function coveredSpan(history: LeaderChangeHistory, now: number, windowMs = LEADER_CHANGE_WINDOW_MS): number | undefined {
  const first = history[0];
  if (!first) return undefined;
  return Math.min(windowMs, Math.max(0, now - first.at));
}
