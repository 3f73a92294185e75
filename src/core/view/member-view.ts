import type { MemberListEntry, MemberState } from '../cluster/types.js';
import { formatBinaryBytes, formatBytes, formatPercent } from '../format/bytes.js';
import { formatAge, formatClock } from '../format/time.js';
import type { Tone } from './tone.js';
import { dbQuotaVerdict, fragmentationVerdict } from '../metrics/thresholds.js';
import { certExpiryVerdict } from '../certs/expiry.js';
import { listedEntry } from '../cluster/listed-entry.js';
import { AUTO_DEFRAG_DEFAULTS, autoSkip } from '../operations/defrag-plan.js';

export type Role = 'leader' | 'follower' | 'learner' | 'unknown';

export interface Field {
  text: string;
  tone: Tone;
}

/**
 * Everything shown about one member, already formatted. The TUI pane and
 * `status -o table` both print this, so they cannot disagree.
 */
export interface MemberView {
  name: string;
  endpoint: string;
  id: string;
  role: Role;
  state: Field;
  health: Field;
  /** Why the member is not healthy, in plain words (empty when it is). */
  reason: string;
  latency: string;
  raftTerm: string;
  raftIndex: string;
  appliedIndex: string;
  dbSize: string;
  inUse: Field;
  quota: Field;
  version: string;
  alarms: Field;
  errors: Field;
  seen: Field;
  /** WAL fsync and backend commit p99 from /metrics ("fsync 2.1 ms · commit 4.8 ms"). */
  disk: Field;
  /** Days until the member's server certificate expires. */
  cert: Field;
  /** Days until the peer certificate on the member's node expires (needs SSH or local access to the node). */
  peerCert: Field;
  /** What the numbers call for, in words, worst first (slow disk, quota filling up, fragmentation worth a defragment). */
  advice: string[];
  /** Values are from an earlier poll (the member is not answering now). */
  stale: boolean;
}


export function memberView(m: MemberState, now: number, memberList?: MemberListEntry[]): MemberView {
  const s = m.last;
  const up = m.health === 'ok' || m.health === 'degraded';
  const listed = listedEntry(m, memberList);
  const role: Role = !s ? 'unknown' : s.isLearner ? 'learner' : s.leaderId === s.memberId ? 'leader' : 'follower';
  const inUseRatio = s && s.dbSize > 0 ? s.dbSizeInUse / s.dbSize : NaN;
  const quotaRatio = s && m.quotaBytes ? s.dbSize / m.quotaBytes : NaN;
  const fragmentation = fragmentationVerdict(s?.dbSizeInUse, s?.dbSize);
  const quota = dbQuotaVerdict(s?.dbSize, m.quotaBytes);

  return {
    name: m.name,
    endpoint: m.endpoint,
    id: s?.memberId ?? listed?.id ?? '?',
    role,
    state: listed ? { text: listed.started ? 'started' : 'unstarted', tone: listed.started ? 'normal' : 'warning' } : { text: '?', tone: 'dim' },
    health: healthField(m),
    reason: m.health === 'ok' || m.health === 'unknown' ? '' : (m.reason ?? ''),
    latency: up && s ? latencyBucket(s.latencyMs) : '-',
    raftTerm: s ? String(s.raftTerm) : '?',
    raftIndex: s ? String(s.raftIndex) : '?',
    appliedIndex: s ? String(s.raftAppliedIndex) : '?',
    dbSize: s ? formatBytes(s.dbSize) : '?',
    inUse: s
      ? {
          text: `${formatBytes(s.dbSizeInUse)} (${formatPercent(inUseRatio)})`,
          tone: fragmentation.why ? fragmentation.tone : 'normal',
        }
      : { text: '?', tone: 'dim' },
    quota: m.quotaBytes
      ? {
          text: `${formatPercent(quotaRatio)} of ${formatBinaryBytes(m.quotaBytes)}`,
          tone: quota.why ? quota.tone : 'normal',
        }
      : { text: '?', tone: 'dim' },
    version: s?.version ?? '?',
    alarms: s?.alarms.length ? { text: s.alarms.join(', '), tone: 'critical' } : { text: 'none', tone: 'dim' },
    errors: s?.errors.length ? { text: s.errors.join('; '), tone: 'critical' } : { text: 'none', tone: 'dim' },
    seen: seenField(m, now),
    disk: diskField(m),
    cert: certField(m.cert),
    peerCert: certField(m.peerCert),
    // Numbers from before a member went down are history, not advice.
    advice: up
      ? [
          ...(m.signals?.problems.map((p) => p.text) ?? []),
          m.cert ? certExpiryVerdict(m.cert.daysLeft).why : undefined,
          m.peerCert ? certExpiryVerdict(m.peerCert.daysLeft, 'peer').why : undefined,
          quota.why,
          defragAdvice(s) ?? (fragmentation.why && `${fragmentation.why} (d)`),
        ].filter((w): w is string => Boolean(w))
      : [],
    stale: !up && s !== undefined,
  };
}

/** When `defrag --auto` with its defaults would take this member: what it would get back. */
function defragAdvice(s: MemberState['last']): string | undefined {
  if (!s || autoSkip(s.dbSize, s.dbSizeInUse, AUTO_DEFRAG_DEFAULTS)) return undefined;
  return `defrag would reclaim ${formatBytes(s.dbSize - s.dbSizeInUse)} (d)`;
}

function healthField(m: MemberState): Field {
  switch (m.health) {
    case 'ok':
      return { text: 'healthy', tone: 'healthy' };
    case 'degraded':
      return { text: 'degraded', tone: 'warning' };
    case 'timeout':
      return { text: 'TIMEOUT', tone: 'critical' };
    case 'unreachable':
      return { text: 'DOWN', tone: 'critical' };
    case 'error':
      return { text: 'ERROR', tone: 'critical' };
    case 'setup':
      return { text: 'NO ACCESS', tone: 'warning' };
    case 'unknown':
      return { text: 'connecting…', tone: 'dim' };
  }
}

function diskField(m: MemberState): Field {
  const sig = m.signals;
  if (!sig || (sig.walFsyncP99Ms === undefined && sig.backendCommitP99Ms === undefined)) return { text: '?', tone: 'dim' };
  const ms = (v: number | undefined) => (v === undefined ? '?' : `${v} ms`);
  const slow = sig.problems.find((p) => /fsync|backend commit/.test(p.text));
  return { text: `fsync ${ms(sig.walFsyncP99Ms)} · commit ${ms(sig.backendCommitP99Ms)}`, tone: slow?.tone ?? 'normal' };
}

function certField(cert: { daysLeft: number } | undefined): Field {
  if (!cert) return { text: '?', tone: 'dim' };
  const verdict = certExpiryVerdict(cert.daysLeft);
  const text = cert.daysLeft < 0 ? 'EXPIRED' : cert.daysLeft === 1 ? '1 day' : `${cert.daysLeft} days`;
  return { text, tone: verdict.why ? verdict.tone : 'normal' };
}

function seenField(m: MemberState, now: number): Field {
  if (m.downSince !== undefined) {
    const since = `down since ${formatClock(m.downSince)} (${formatAge(now - m.downSince)})`;
    const last = m.lastSeen ? `, last seen ${formatClock(m.lastSeen)}` : ', never seen';
    return { text: since + last, tone: 'critical' };
  }
  if (m.health === 'unknown') return { text: 'not yet', tone: 'dim' };
  return { text: 'live', tone: 'healthy' };
}

const LATENCY_STEPS_MS = [10, 100, 1000];

/**
 * Latency in decade steps ("<10 ms", "<100 ms", "<1 s", "≥1 s"): exact
 * milliseconds jitter on every poll and would redraw every pane every second
 * over the user's SSH link for no insight. `status -o json` has the exact value.
 */
export function latencyBucket(ms: number): string {
  const { high } = latencyStep(ms);
  if (high === Infinity) return '≥1 s';
  return high >= 1000 ? '<1 s' : `<${high} ms`;
}

export function latencyStep(ms: number): { low: number; high: number } {
  const index = LATENCY_STEPS_MS.findIndex((limit) => ms < limit);
  if (index === -1) return { low: LATENCY_STEPS_MS.at(-1)!, high: Infinity };
  return { low: index === 0 ? 0 : LATENCY_STEPS_MS[index - 1]!, high: LATENCY_STEPS_MS[index]! };
}
