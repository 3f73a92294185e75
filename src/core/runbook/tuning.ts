/**
 * Runbook step 7 / domain notes "Tuning from measured RTT": heartbeat ~1.5 x
 * RTT, at least 20 ms, rounded up to 10 ms; election timeout = 10 x heartbeat.
 */
import { RUNBOOK_TUNING, type Tuning } from '../etcd-config/render.js';
import type { RunbookSettings } from './settings.js';
import type { RunState } from './run-state.js';

export interface TimingRecommendation {
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
}

export function recommendTuning(rttMs: number): TimingRecommendation {
  if (!Number.isFinite(rttMs) || rttMs < 0) throw new Error(`invalid RTT ${rttMs} ms`);
  const raw = Math.max(20, Math.ceil(1.5 * rttMs));
  const heartbeatIntervalMs = Math.ceil(raw / 10) * 10;
  return { heartbeatIntervalMs, electionTimeoutMs: 10 * heartbeatIntervalMs };
}

export type TuningSource = 'measured' | 'runbook-default' | 'override';

/** The tuning phase 4 writes: settings override > phase 0's measurement > the runbook's 250/2500. */
export function effectiveTuning(state: RunState, settings: RunbookSettings): { tuning: Tuning; source: TuningSource } {
  const measured = state.preflight?.recommended;
  const base: Tuning = measured ? { ...RUNBOOK_TUNING, ...measured } : { ...RUNBOOK_TUNING };
  if (state.quotaBackendBytes) base.quotaBackendBytes = state.quotaBackendBytes;
  const { heartbeatIntervalMs, electionTimeoutMs } = settings.tuning;
  if (heartbeatIntervalMs === undefined && electionTimeoutMs === undefined) {
    return { tuning: base, source: measured ? 'measured' : 'runbook-default' };
  }
  const hb = heartbeatIntervalMs ?? base.heartbeatIntervalMs;
  return {
    tuning: { ...base, heartbeatIntervalMs: hb, electionTimeoutMs: electionTimeoutMs ?? 10 * hb },
    source: 'override',
  };
}
