/**
 * Each thing the poller reads besides member status (the member list, the
 * /metrics scrapes, the server certificates) has its own health, so a failing
 * one is said on screen instead of leaving stale numbers that look current.
 */
import { formatClock } from '../format/time.js';

export const POLL_SOURCES = ['member list', 'metrics', 'certificates'] as const;
export type PollSource = (typeof POLL_SOURCES)[number];

export type SourceState =
  | { ok: true; since: number }
  | { ok: false; failingSince: number; failures: number; error: string; nextTryAt: number };

/** After n failures in a row, wait this long before asking again: 2, 4, 8 ... up to 60 s, never below the source's own period. */
export function sourceBackoffMs(failures: number, periodMs: number): number {
  return Math.min(60_000, Math.max(periodMs, 1000 * 2 ** failures));
}

export function nextSourceState(prev: SourceState | undefined, outcome: { error?: string }, now: number, periodMs: number): SourceState {
  if (outcome.error === undefined) return prev?.ok ? prev : { ok: true, since: now };
  const failures = prev && !prev.ok ? prev.failures + 1 : 1;
  return { ok: false, failingSince: prev && !prev.ok ? prev.failingSince : now, failures, error: outcome.error, nextTryAt: now + sourceBackoffMs(failures, periodMs) };
}

/** The event line for a change of state, or undefined when nothing changed worth saying. */
export function sourceTransition(source: PollSource, prev: SourceState | undefined, next: SourceState, now: number): { text: string; tone: 'warning' | 'healthy' } | undefined {
  if (!next.ok && (!prev || prev.ok)) {
    return { text: `${source}: cannot be read since ${formatClock(next.failingSince)} (${next.error}); ${STALE[source]}; next try in ${Math.round((next.nextTryAt - now) / 1000)} s`, tone: 'warning' };
  }
  if (next.ok && prev && !prev.ok) {
    return { text: `${source}: read again after ${Math.round((now - prev.failingSince) / 1000)} s of failures`, tone: 'healthy' };
  }
  return undefined;
}

const STALE: Record<PollSource, string> = {
  'member list': 'members added or removed meanwhile are not shown',
  metrics: 'fsync, commit, RTT and leader-change figures are stale',
  certificates: 'certificate days-left are stale',
};

/** For `status` and the detail view: one line per failing source; `retrying` false (a one-shot answer) leaves out the next try. */
export function failingSources(sources: Partial<Record<PollSource, SourceState>>, now: number, retrying = true): string[] {
  return POLL_SOURCES.flatMap((name) => {
    const s = sources[name];
    if (!s || s.ok) return [];
    const nextTry = retrying ? ` (next try in ${Math.max(0, Math.round((s.nextTryAt - now) / 1000))} s)` : '';
    return [`${name} failing since ${formatClock(s.failingSince)}: ${s.error}${nextTry}`];
  });
}
