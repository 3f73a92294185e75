/**
 * What to watch on one member, from two /metrics scrapes: values plus a
 * verdict each (thresholds in thresholds.ts). Pure; missing values are
 * undefined, never NaN.
 *
 * Latency p99s cover the interval between the two scrapes (bucket deltas).
 * When nothing was observed in it (an idle member does not fsync; etcd adds a
 * peer RTT sample only every 30 s) or there is no previous scrape, they fall
 * back to the histogram since member start and say so in `basis`.
 *
 * appliedLag is etcd_server_proposals_committed_total -
 * etcd_server_proposals_applied_total. In etcd 3.5 both are gauges holding the
 * committed and applied raft indexes, so this equals the status fields
 * raftIndex - raftAppliedIndex, from the same scrape (no second call).
 */
import { histogramQuantile, deltaQuantile } from './histogram.js';
import { changesInWindow, recordReading, type LeaderChangeHistory } from './leader-history.js';
import { histogramsOf, labelKey, metricValue, parsePrometheusText, type ParsedMetrics } from './prometheus.js';
import {
  appliedLagVerdict,
  dbQuotaVerdict,
  fragmentationVerdict,
  latencyVerdict,
  leaderChangesVerdict,
  proposalsFailedVerdict,
  proposalsPendingVerdict,
  type Verdict,
} from './thresholds.js';

export type { LeaderChangeHistory } from './leader-history.js';

export interface Scrape {
  /** When it was taken, epoch ms. */
  at: number;
  metrics: ParsedMetrics;
}

/** The families computeSignals reads; the rest of /metrics is skipped while parsing. */
export const SIGNAL_FAMILIES: ReadonlySet<string> = new Set([
  'etcd_disk_backend_commit_duration_seconds',
  'etcd_disk_wal_fsync_duration_seconds',
  'etcd_mvcc_db_total_size_in_bytes',
  'etcd_mvcc_db_total_size_in_use_in_bytes',
  'etcd_network_peer_round_trip_time_seconds',
  'etcd_server_leader_changes_seen_total',
  'etcd_server_proposals_applied_total',
  'etcd_server_proposals_committed_total',
  'etcd_server_proposals_failed_total',
  'etcd_server_proposals_pending',
  'etcd_server_quota_backend_bytes',
]);

export function toScrape(text: string, at: number): Scrape {
  return { at, metrics: parsePrometheusText(text, SIGNAL_FAMILIES) };
}

export interface Signal {
  value: number | undefined;
  verdict: Verdict;
}

export interface LatencySignal extends Signal {
  /** interval: between the two scrapes; since-start: whole histogram (no new observations). */
  basis?: 'interval' | 'since-start';
}

export interface PeerRttSignal extends LatencySignal {
  /** Member ID (hex) of the slowest peer. */
  peer?: string;
}

export interface MemberSignals {
  walFsyncP99Ms: LatencySignal;
  backendCommitP99Ms: LatencySignal;
  peerRttP99Ms: PeerRttSignal;
  leaderChanges15m: Signal;
  /** Failed proposals per 15 min, extrapolated from the delta between the scrapes. */
  proposalsFailedRate: Signal;
  proposalsPending: Signal;
  appliedLag: Signal;
  /** Verdict: none beyond dim when missing. */
  quotaBytes: Signal;
  /** Verdict: db size against the quota. */
  dbSize: Signal;
  /** Verdict: fragmentation (in use / db size). */
  dbSizeInUse: Signal;
}

const FIFTEEN_MIN_MS = 15 * 60 * 1000;

/**
 * How often the live view reads every member's /metrics: the step of the
 * sparkline history, and each reading redraws the panes (the p99s move).
 */
export const METRICS_EVERY_MS = 30_000;

/** How far back the peer RTT verdict looks. */
export const RTT_WINDOW_MS = 5 * 60 * 1000;

/** The scrapes to keep for the RTT window (the newest last), and the one to measure from. */
export function rttWindow(scrapes: Scrape[], current: Scrape): { keep: Scrape[]; base: Scrape | undefined } {
  const keep = [...scrapes.filter((s) => current.at - s.at <= RTT_WINDOW_MS), current];
  return { keep, base: keep.length > 1 ? keep[0] : undefined };
}
const LEADER_CHANGES = 'etcd_server_leader_changes_seen_total';

/** The history with this scrape's leader-change reading added; keep it between calls. */
export function recordLeaderChanges(history: LeaderChangeHistory, scrape: Scrape): LeaderChangeHistory {
  const total = metricValue(scrape.metrics, LEADER_CHANGES);
  return total === undefined ? history : recordReading(history, { at: scrape.at, total });
}

/**
 * `rttBase`: a scrape from the start of the recent window (RTT_WINDOW_MS).
 * etcd adds one peer RTT sample every 30 s, so the interval since the last
 * scrape often holds none; a few minutes does, and is still "now", unlike the
 * histogram since the member started.
 */
export function computeSignals(previous: Scrape | undefined, current: Scrape, history: LeaderChangeHistory, rttBase: Scrape | undefined = previous): MemberSignals {
  const cur = current.metrics;
  const value = (name: string) => metricValue(cur, name);
  // Recording is idempotent, so a history that already holds these scrapes is fine too.
  let withCurrent = previous ? recordLeaderChanges(history, previous) : history;
  withCurrent = recordLeaderChanges(withCurrent, current);
  const leaderChanges = value(LEADER_CHANGES) === undefined ? undefined : changesInWindow(withCurrent, current.at);

  const fsync = worstP99Ms(previous?.metrics, cur, 'etcd_disk_wal_fsync_duration_seconds');
  const commit = worstP99Ms(previous?.metrics, cur, 'etcd_disk_backend_commit_duration_seconds');
  const rtt = worstP99Ms(rttBase?.metrics, cur, 'etcd_network_peer_round_trip_time_seconds');

  const failedRate = ratePer15m(previous, current, 'etcd_server_proposals_failed_total');
  const pending = value('etcd_server_proposals_pending');
  const pendingBefore = previous ? metricValue(previous.metrics, 'etcd_server_proposals_pending') : undefined;
  const committed = value('etcd_server_proposals_committed_total');
  const applied = value('etcd_server_proposals_applied_total');
  // Two gauges read at slightly different moments: applied can overtake committed.
  const appliedLag = committed === undefined || applied === undefined ? undefined : Math.max(0, committed - applied);
  const quota = value('etcd_server_quota_backend_bytes');
  const dbSize = value('etcd_mvcc_db_total_size_in_bytes');
  const inUse = value('etcd_mvcc_db_total_size_in_use_in_bytes');

  return {
    walFsyncP99Ms: latencySignal('walFsyncP99Ms', fsync),
    backendCommitP99Ms: latencySignal('backendCommitP99Ms', commit),
    peerRttP99Ms: { ...latencySignal('peerRttP99Ms', rtt), ...(rtt?.labels.To ? { peer: rtt.labels.To } : {}) },
    leaderChanges15m: { value: leaderChanges, verdict: leaderChangesVerdict(leaderChanges) },
    proposalsFailedRate: { value: failedRate, verdict: proposalsFailedVerdict(failedRate) },
    proposalsPending: { value: pending, verdict: proposalsPendingVerdict(pending, pendingBefore) },
    appliedLag: { value: appliedLag, verdict: appliedLagVerdict(appliedLag) },
    quotaBytes: { value: quota, verdict: quota === undefined ? { tone: 'dim' } : { tone: 'normal' } },
    dbSize: { value: dbSize, verdict: dbQuotaVerdict(dbSize, quota) },
    dbSizeInUse: { value: inUse, verdict: fragmentationVerdict(inUse, dbSize) },
  };
}

interface P99 {
  ms: number;
  basis: 'interval' | 'since-start';
  labels: Readonly<Record<string, string>>;
}

function latencySignal(name: 'walFsyncP99Ms' | 'backendCommitP99Ms' | 'peerRttP99Ms', p: P99 | undefined): LatencySignal {
  if (!p) return { value: undefined, verdict: latencyVerdict(name, undefined) };
  return { value: p.ms, basis: p.basis, verdict: latencyVerdict(name, p.ms, p.basis === 'since-start') };
}

/** p99 in ms of the slowest series of a histogram family (one series per peer for RTT). */
function worstP99Ms(previous: ParsedMetrics | undefined, current: ParsedMetrics, family: string): P99 | undefined {
  const before = new Map((previous ? histogramsOf(previous, family) : []).map((h) => [labelKey(h.labels), h]));
  let worst: P99 | undefined;
  for (const h of histogramsOf(current, family)) {
    const prev = before.get(labelKey(h.labels));
    const interval = prev ? deltaQuantile(0.99, prev.buckets, h.buckets) : undefined;
    const seconds = interval ?? histogramQuantile(0.99, h.buckets);
    if (seconds === undefined) continue;
    const p: P99 = { ms: seconds * 1000, basis: interval === undefined ? 'since-start' : 'interval', labels: h.labels };
    if (!worst || p.ms > worst.ms) worst = p;
  }
  return worst;
}

function ratePer15m(previous: Scrape | undefined, current: Scrape, counter: string): number | undefined {
  if (!previous) return undefined;
  const before = metricValue(previous.metrics, counter);
  const after = metricValue(current.metrics, counter);
  const elapsed = current.at - previous.at;
  if (before === undefined || after === undefined || elapsed <= 0) return undefined;
  const increase = after >= before ? after - before : after; // a decrease is a restart
  return (increase / elapsed) * FIFTEEN_MIN_MS;
}
