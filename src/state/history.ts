import type { MemberState } from '../core/cluster/types.js';
import type { CockpitStore } from './store.js';

/** One point per member every STEP_MS, 15 minutes kept: what the pane sparklines draw. */
export interface MemberHistory {
  dbSize: (number | undefined)[];
  writesPerSecond: (number | undefined)[];
  fsyncP99Ms: (number | undefined)[];
  /** When each point was taken (epoch ms), for the detail view's table. */
  at: number[];
  /** Raft index and time of the previous point, for the write rate. */
  lastIndex?: { index: number; at: number };
}

export const HISTORY_STEP_MS = 30_000;
export const HISTORY_POINTS = 30; // 15 minutes

export function emptyHistory(): MemberHistory {
  return { dbSize: [], writesPerSecond: [], fsyncP99Ms: [], at: [] };
}

/** The history with one more point from the member's current state (pure). */
export function addPoint(h: MemberHistory, m: MemberState, at: number): MemberHistory {
  const up = m.health === 'ok' || m.health === 'degraded';
  const s = up ? m.last : undefined;
  const rate =
    s && h.lastIndex && at > h.lastIndex.at ? Math.max(0, (s.raftIndex - h.lastIndex.index) / ((at - h.lastIndex.at) / 1000)) : undefined;
  const keep = <T>(list: T[], value: T): T[] => [...list, value].slice(-HISTORY_POINTS);
  return {
    dbSize: keep(h.dbSize, s?.dbSize),
    writesPerSecond: keep(h.writesPerSecond, rate),
    fsyncP99Ms: keep(h.fsyncP99Ms, up ? m.signals?.walFsyncP99Ms : undefined),
    at: keep(h.at, at),
    lastIndex: s ? { index: s.raftIndex, at } : h.lastIndex,
  };
}

/** Takes a point for every member every HISTORY_STEP_MS (one redraw per step, not per poll). Returns the stop. */
export function recordHistory(store: CockpitStore, now: () => number = Date.now): () => void {
  const take = (): void => {
    const state = store.getState();
    const at = now();
    const history = Object.fromEntries(
      state.order.map((e) => [e, addPoint(state.history[e] ?? emptyHistory(), state.members[e]!, at)]),
    );
    store.setState({ history });
  };
  take();
  const timer = setInterval(take, HISTORY_STEP_MS);
  timer.unref?.();
  return () => clearInterval(timer);
}
