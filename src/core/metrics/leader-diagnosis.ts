/**
 * Leader changes set beside disk and network latency, in one sentence:
 * "3 leader changes in 10 min while etcd-2's fsync p99 was 180 ms: etcd-2's
 * disk is the likely cause". Pure.
 */
import type { MemberState } from '../cluster/types.js';
import { LEADER_CHANGE_WINDOW_MS } from './leader-history.js';

export interface MemberLatencies {
  name: string;
  walFsyncP99Ms?: number;
  backendCommitP99Ms?: number;
  peerRttP99Ms?: number;
  /** Leader changes this member saw in its window. */
  leaderChanges?: number;
  /** How long that window really is (shorter while the cockpit has watched less than 15 min). */
  leaderChangesSpanMs?: number;
}

export interface LeaderDiagnosis {
  /** The cause without the numbers: a new timeline event only when this changes. */
  key: string;
  cause: 'disk' | 'network' | 'unknown';
  text: string;
}

/** Fewer changes than this in the window is an election now and then, not a pattern. */
export const DIAGNOSIS_MIN_CHANGES = 3;

/**
 * Past these a member plausibly costs the cluster its leader: a WAL fsync
 * slower than the default 100 ms heartbeat delays the leader's heartbeats;
 * commit and RTT limits are etcd-mixin's critical values.
 */
export const SUSPECT_LATENCY_MS = { walFsyncP99Ms: 100, backendCommitP99Ms: 250, peerRttP99Ms: 150 } as const;
type Latency = keyof typeof SUSPECT_LATENCY_MS;

const LABEL: Record<Latency, string> = { walFsyncP99Ms: 'fsync p99', backendCommitP99Ms: 'backend commit p99', peerRttP99Ms: 'peer RTT p99' };

export function diagnoseLeaderChanges(members: readonly MemberLatencies[]): LeaderDiagnosis | undefined {
  const counted = members.filter((m) => m.leaderChanges !== undefined);
  if (counted.length === 0) return undefined;
  const most = counted.reduce((a, b) => (b.leaderChanges! > a.leaderChanges! ? b : a));
  const changes = most.leaderChanges!;
  if (changes < DIAGNOSIS_MIN_CHANGES) return undefined;
  const span = Math.max(60_000, Math.min(most.leaderChangesSpanMs ?? LEADER_CHANGE_WINDOW_MS, LEADER_CHANGE_WINDOW_MS));
  const head = `${changes} leader changes in ${Math.round(span / 60_000)} min`;

  let worst: { name: string; signal: Latency; value: number; ratio: number } | undefined;
  for (const m of members) {
    for (const signal of Object.keys(SUSPECT_LATENCY_MS) as Latency[]) {
      const value = m[signal];
      if (value === undefined) continue;
      const ratio = value / SUSPECT_LATENCY_MS[signal];
      if (ratio > 1 && (!worst || ratio > worst.ratio)) worst = { name: m.name, signal, value, ratio };
    }
  }
  if (!worst) {
    return {
      key: 'unknown',
      cause: 'unknown',
      text: `${head} with fsync, commit and peer RTT p99 within limits: look for CPU starvation or members restarting`,
    };
  }
  const reading = `while ${worst.name}'s ${LABEL[worst.signal]} was ${formatMs(worst.value)}`;
  if (worst.signal === 'peerRttP99Ms') {
    return { key: `network:${worst.name}`, cause: 'network', text: `${head} ${reading}: the network between ${worst.name} and its peers is the likely cause` };
  }
  return { key: `disk:${worst.name}`, cause: 'disk', text: `${head} ${reading}: ${worst.name}'s disk is the likely cause` };
}

function formatMs(ms: number): string {
  return `${ms >= 10 ? Math.round(ms) : Number(ms.toPrecision(2))} ms`;
}

/** The diagnosis over the members answering now, with what their last /metrics read said. */
export function leaderDiagnosisFor(members: readonly MemberState[]): LeaderDiagnosis | undefined {
  return diagnoseLeaderChanges(
    members
      .filter((m) => (m.health === 'ok' || m.health === 'degraded') && m.signals)
      .map((m) => ({
        name: m.name,
        walFsyncP99Ms: m.signals!.walFsyncP99Ms,
        backendCommitP99Ms: m.signals!.backendCommitP99Ms,
        peerRttP99Ms: m.signals!.peerRttP99Ms,
        leaderChanges: m.signals!.leaderChanges15m,
        leaderChangesSpanMs: m.signals!.leaderChangesSpanMs,
      })),
  );
}
