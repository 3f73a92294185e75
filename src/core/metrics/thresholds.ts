/**
 * When a member signal is bad, and why, in one table the UI and docs can list.
 * Sources: etcd FAQ targets, etcd-mixin alerts, etcd 3.5 source.
 */
import { formatBytes } from '../format/bytes.js';
import type { Tone } from '../view/tone.js';

export interface Verdict {
  tone: Tone;
  why?: string;
}

export interface ThresholdRow {
  label: string;
  metric: string;
  unit: string;
  /** How value and threshold compare when the value is bad. */
  bad: '>' | '>=' | '<';
  warning?: number;
  critical?: number;
  /** Fragmentation only counts when this much could be reclaimed. */
  minReclaimBytes?: number;
  source: string;
}

export const SIGNAL_THRESHOLDS = {
  walFsyncP99Ms: {
    label: 'WAL fsync p99',
    metric: 'etcd_disk_wal_fsync_duration_seconds',
    unit: 'ms',
    bad: '>',
    warning: 10,
    critical: 500,
    source: 'etcd FAQ target < 10 ms; etcd-mixin alerts at 0.5 s',
  },
  backendCommitP99Ms: {
    label: 'backend commit p99',
    metric: 'etcd_disk_backend_commit_duration_seconds',
    unit: 'ms',
    bad: '>',
    warning: 25,
    critical: 250,
    source: 'etcd FAQ target < 25 ms; etcd-mixin alerts at 0.25 s',
  },
  peerRttP99Ms: {
    label: 'peer RTT p99 (worst peer)',
    metric: 'etcd_network_peer_round_trip_time_seconds',
    unit: 'ms',
    bad: '>',
    critical: 150,
    source: 'etcd-mixin: > 0.15 s',
  },
  leaderChanges15m: {
    label: 'leader changes in 15 min',
    metric: 'etcd_server_leader_changes_seen_total',
    unit: 'changes',
    bad: '>=',
    critical: 4,
    source: 'etcd-mixin: >= 4 in 15 min',
  },
  proposalsFailedRate: {
    label: 'failed proposals per 15 min',
    metric: 'etcd_server_proposals_failed_total',
    unit: 'per 15 min',
    bad: '>',
    warning: 5,
    source: 'domain notes: > 5 per 15 min',
  },
  proposalsPending: {
    label: 'proposals pending (and rising)',
    metric: 'etcd_server_proposals_pending',
    unit: 'proposals',
    bad: '>',
    warning: 10,
    source: 'etcd monitoring guide: rising pending proposals mean a loaded leader or lost quorum',
  },
  appliedLag: {
    label: 'applied lag (committed - applied)',
    metric: 'etcd_server_proposals_committed_total - etcd_server_proposals_applied_total',
    unit: 'entries',
    bad: '>',
    warning: 2500,
    critical: 5000,
    source: 'etcd 3.5 refuses new proposals ("too many requests") beyond a gap of 5000',
  },
  dbSize: {
    label: 'db size / quota',
    metric: 'etcd_mvcc_db_total_size_in_bytes / etcd_server_quota_backend_bytes',
    unit: '% of quota',
    bad: '>',
    warning: 80,
    critical: 95,
    source: 'domain notes: > 80 % warn, > 95 % critical (NOSPACE at 100 %)',
  },
  dbSizeInUse: {
    label: 'in use / db size',
    metric: 'etcd_mvcc_db_total_size_in_use_in_bytes / etcd_mvcc_db_total_size_in_bytes',
    unit: '% in use',
    bad: '<',
    warning: 50,
    minReclaimBytes: 50_000_000,
    source: 'etcd maintenance guide: defragment when in use < 50 % and the free space matters',
  },
} as const satisfies Record<string, ThresholdRow>;

export type ThresholdName = keyof typeof SIGNAL_THRESHOLDS;

const OK: Verdict = { tone: 'normal' };
export const NO_DATA: Verdict = { tone: 'dim' };

/** "48 ms", "2.9 ms"; one decimal when rounding would land on the threshold. */
export function formatMs(ms: number, threshold?: number): string {
  const whole = Math.round(ms);
  return `${ms >= 10 && whole !== threshold ? whole : Number(ms.toFixed(1))} ms`;
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n < 100 ? n.toFixed(1) : String(Math.round(n));
}

/** Whole percent, unless rounding would land on the threshold and hide the crossing. */
function formatPct(pct: number, threshold: number): string {
  const whole = Math.round(pct);
  return `${whole === threshold ? pct.toFixed(1) : whole} %`;
}

function level(value: number, row: ThresholdRow): { tone: 'warning' | 'critical'; limit: number } | undefined {
  const crosses = (limit: number | undefined): limit is number =>
    limit !== undefined && (row.bad === '>' ? value > limit : row.bad === '>=' ? value >= limit : value < limit);
  if (crosses(row.critical)) return { tone: 'critical', limit: row.critical };
  if (crosses(row.warning)) return { tone: 'warning', limit: row.warning };
  return undefined;
}

export function latencyVerdict(
  name: 'walFsyncP99Ms' | 'backendCommitP99Ms' | 'peerRttP99Ms',
  ms: number | undefined,
  sinceStart = false,
): Verdict {
  if (ms === undefined) return NO_DATA;
  const hit = level(ms, SIGNAL_THRESHOLDS[name]);
  if (!hit) return OK;
  const what = { walFsyncP99Ms: 'fsync p99', backendCommitP99Ms: 'backend commit p99', peerRttP99Ms: 'peer RTT p99' }[name];
  const cause = name === 'peerRttP99Ms' ? 'slow network' : 'slow disk';
  const when = sinceStart ? ' (since member start)' : '';
  return { tone: hit.tone, why: `${what} ${formatMs(ms, hit.limit)} > ${hit.limit} ms: ${cause}${when}` };
}

export function leaderChangesVerdict(changes: number | undefined): Verdict {
  if (changes === undefined) return NO_DATA;
  const hit = level(changes, SIGNAL_THRESHOLDS.leaderChanges15m);
  return hit ? { tone: hit.tone, why: `${changes} leader changes in 15 min >= ${hit.limit}: unstable leadership` } : OK;
}

export function proposalsFailedVerdict(per15m: number | undefined): Verdict {
  if (per15m === undefined) return NO_DATA;
  const hit = level(per15m, SIGNAL_THRESHOLDS.proposalsFailedRate);
  if (!hit) return OK;
  return { tone: hit.tone, why: `${formatCount(per15m)} failed proposals per 15 min > ${hit.limit}: elections or lost quorum` };
}

export function proposalsPendingVerdict(pending: number | undefined, before: number | undefined): Verdict {
  if (pending === undefined) return NO_DATA;
  const hit = level(pending, SIGNAL_THRESHOLDS.proposalsPending);
  if (!hit || before === undefined || pending <= before) return OK;
  return { tone: hit.tone, why: `${pending} proposals pending, up from ${before}: commits are not keeping up` };
}

export function appliedLagVerdict(lag: number | undefined): Verdict {
  if (lag === undefined) return NO_DATA;
  const hit = level(lag, SIGNAL_THRESHOLDS.appliedLag);
  if (!hit) return OK;
  const effect = hit.tone === 'critical' ? 'etcd rejects new requests ("too many requests")' : 'member is slow to apply';
  return { tone: hit.tone, why: `applied lag ${lag} entries > ${hit.limit}: ${effect}` };
}

export function dbQuotaVerdict(dbSize: number | undefined, quota: number | undefined): Verdict {
  if (dbSize === undefined) return NO_DATA;
  if (quota === undefined || quota <= 0) return OK;
  const pct = (dbSize / quota) * 100;
  const hit = level(pct, SIGNAL_THRESHOLDS.dbSize);
  if (!hit) return OK;
  const advice = hit.tone === 'critical' ? 'NOSPACE alarm is near' : 'compact and defragment, or raise the quota';
  return {
    tone: hit.tone,
    why: `db ${formatPct(pct, hit.limit)} of quota (${formatBytes(dbSize)} of ${formatBytes(quota)}) > ${hit.limit} %: ${advice}`,
  };
}

export function fragmentationVerdict(inUse: number | undefined, dbSize: number | undefined): Verdict {
  if (inUse === undefined || dbSize === undefined || dbSize <= 0) return NO_DATA;
  const row = SIGNAL_THRESHOLDS.dbSizeInUse;
  const pct = (inUse / dbSize) * 100;
  const reclaim = dbSize - inUse;
  if (!level(pct, row) || reclaim < row.minReclaimBytes) return OK;
  return { tone: 'warning', why: `fragmented: ${formatPct(pct, row.warning)} in use, ${formatBytes(reclaim)} to reclaim with defragment` };
}
