import type { SignalSummary } from '../cluster/types.js';
import type { LatencySignal, MemberSignals, Signal } from './signals.js';
import type { Tone } from '../view/tone.js';

/**
 * Rounds what the panes show so that jitter does not redraw them, and lists
 * the signals past their thresholds in words. Quota and fragmentation are left
 * to the pane's own status-based view (they come with every poll).
 */
export function summarizeSignals(s: MemberSignals): SignalSummary {
  const checked: Signal[] = [s.walFsyncP99Ms, s.backendCommitP99Ms, s.peerRttP99Ms, s.leaderChanges15m, s.proposalsFailedRate, s.proposalsPending, s.appliedLag];
  const problems = checked
    .filter((sig) => (sig.verdict.tone === 'warning' || sig.verdict.tone === 'critical') && sig.verdict.why)
    .map((sig) => ({ text: sig.verdict.why!, tone: sig.verdict.tone as 'warning' | 'critical' }))
    .sort((a, b) => (a.tone === b.tone ? 0 : a.tone === 'critical' ? -1 : 1));
  return {
    walFsyncP99Ms: roundMs(s.walFsyncP99Ms.value),
    backendCommitP99Ms: roundMs(s.backendCommitP99Ms.value),
    peerRttP99Ms: roundMs(s.peerRttP99Ms.value),
    leaderChanges15m: s.leaderChanges15m.value,
    problems,
    readings: [
      reading('fsync p99', s.walFsyncP99Ms, (v) => `${roundMs(v)} ms${basisNote(s.walFsyncP99Ms)}`),
      reading('commit p99', s.backendCommitP99Ms, (v) => `${roundMs(v)} ms${basisNote(s.backendCommitP99Ms)}`),
      reading('peer RTT p99', s.peerRttP99Ms, (v) => `${roundMs(v)} ms${s.peerRttP99Ms.peer ? ` (to ${s.peerRttP99Ms.peer})` : ''}`),
      reading('leader changes', s.leaderChanges15m, (v) => `${v} in 15 min`),
      reading('proposals failed', s.proposalsFailedRate, (v) => `${Math.round(v)}/15 min`),
      reading('proposals pending', s.proposalsPending, String),
      reading('applied lag', s.appliedLag, (v) => `${v} entries`),
    ],
  };
}

function reading(label: string, signal: Signal, format: (value: number) => string): { label: string; text: string; tone: Tone } {
  if (signal.value === undefined) return { label, text: 'not reported', tone: 'dim' };
  return { label, text: format(signal.value), tone: signal.verdict.why ? signal.verdict.tone : 'normal' };
}

function basisNote(signal: LatencySignal): string {
  return signal.basis === 'since-start' ? ' (lifetime)' : '';
}

/** Two significant digits: 0.83 ms, 4.1 ms, 48 ms, 1200 ms. */
function roundMs(ms: number | undefined): number | undefined {
  if (ms === undefined) return undefined;
  if (ms === 0) return 0;
  const digits = Math.max(0, 1 - Math.floor(Math.log10(ms)));
  return Number(ms.toFixed(digits));
}
