import type { MemberState } from '../cluster/types.js';
import { leaderDiagnosisFor } from '../metrics/leader-diagnosis.js';
import { quotaFullForecast, type SizeSample } from '../metrics/quota-forecast.js';

/** DB sizes per endpoint, oldest first: what `status -w` has seen so far. */
export type SizeHistory = Readonly<Record<string, readonly SizeSample[]>>;

export const SIZE_HISTORY_MS = 15 * 60_000;

/** The history with each answering member's size now, older than the window dropped (pure). */
export function recordSizes(history: SizeHistory, members: readonly MemberState[], now: number): SizeHistory {
  const next: Record<string, readonly SizeSample[]> = {};
  for (const m of members) {
    const kept = (history[m.endpoint] ?? []).filter((s) => now - s.at <= SIZE_HISTORY_MS);
    const up = m.health === 'ok' || m.health === 'degraded';
    next[m.endpoint] = up && m.last ? [...kept, { at: now, dbSize: m.last.dbSize }] : kept;
  }
  return next;
}

export interface StatusDiagnosis {
  /** Sentences for the end of the table, cluster-wide first. */
  lines: string[];
  /** The leader-change sentence, or null. */
  leaderChanges: string | null;
  /** Per member name: when its DB reaches the quota at the current growth. */
  quotaFull: Record<string, { inSeconds: number; text: string }>;
}

export function statusDiagnosis(members: readonly MemberState[], sizes: SizeHistory): StatusDiagnosis {
  const leader = leaderDiagnosisFor(members);
  const quotaFull: StatusDiagnosis['quotaFull'] = {};
  for (const m of members) {
    const forecast = quotaFullForecast(sizes[m.endpoint] ?? [], m.quotaBytes);
    if (forecast) quotaFull[m.name] = { inSeconds: Math.round(forecast.msLeft / 1000), text: forecast.text };
  }
  return {
    lines: [...(leader ? [leader.text] : []), ...Object.entries(quotaFull).map(([name, f]) => `${name}: ${f.text}`)],
    leaderChanges: leader?.text ?? null,
    quotaFull,
  };
}

/** status -o json with the diagnosis: `diagnosis` at the top, `quotaFull` on each member (null when there is no estimate). */
export function withStatusDiagnosis<T extends { members: { name: string }[] }>(json: T, d: StatusDiagnosis): T & { diagnosis: { leaderChanges: string | null; lines: string[] } } {
  return {
    ...json,
    diagnosis: { leaderChanges: d.leaderChanges, lines: d.lines },
    members: json.members.map((m) => ({ ...m, quotaFull: d.quotaFull[m.name] ?? null })),
  };
}
