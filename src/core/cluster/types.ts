import type { Tone } from '../view/tone.js';
/** What one poll of one member returned, in plain data. IDs are hex strings. */
export interface MemberSample {
  memberId: string;
  clusterId: string;
  version: string;
  dbSize: number;
  dbSizeInUse: number;
  leaderId: string;
  raftTerm: number;
  raftIndex: number;
  raftAppliedIndex: number;
  revision: number;
  isLearner: boolean;
  errors: string[];
  /** Alarms raised on this member (NOSPACE, CORRUPT). */
  alarms: string[];
  /** Whether a linearizable read through this member succeeded (needs quorum). */
  quorumRead: 'ok' | 'failed';
  quorumReadReason?: string;
  latencyMs: number;
}


export interface MemberListEntry {
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
  /** An added member that has never started has no name yet. */
  started: boolean;
}

/**
 * ok: answers and serves quorum reads; degraded: answers but cannot serve (no
 * quorum, alarm); setup: the cockpit's own TLS files, credentials or
 * permissions stop it from asking, so the member's state is unknown.
 */
export type MemberHealth = 'ok' | 'degraded' | 'timeout' | 'unreachable' | 'error' | 'setup' | 'unknown';

export interface MemberState {
  endpoint: string;
  /** Inventory or member-list name; the endpoint until known. */
  name: string;
  health: MemberHealth;
  /** Why it is not ok, in plain words. */
  reason?: string;
  /** Last successful sample; kept (and shown dimmed) while the member is down. */
  last?: MemberSample;
  /** When it last answered; set once it stops answering (while it answers it is live). */
  lastSeen?: number;
  /** When it stopped answering (undefined while it answers). */
  downSince?: number;
  /** Consecutive polls (counted up to 2) in which it did not serve a quorum read: one late answer is not an outage. */
  strikes?: number;
  /** quota-backend-bytes read from the member's /metrics. */
  quotaBytes?: number;
  /** What /metrics says about disk, network and leadership (read at a slower rate than status). */
  signals?: SignalSummary;
  /** The server certificate the member presents in the TLS handshake. */
  cert?: { daysLeft: number; notAfter: string };
  /** The peer certificate file on the member's node, read over the inventory's SSH (or local) access. */
  peerCert?: { daysLeft: number; notAfter: string; path: string };
}

/** Display-ready digest of a member's /metrics: rounded values, and the problems in words. */
export interface SignalSummary {
  walFsyncP99Ms?: number;
  backendCommitP99Ms?: number;
  peerRttP99Ms?: number;
  leaderChanges15m?: number;
  /** How much of the 15 minutes leaderChanges15m covers (less while the cockpit has watched less). */
  leaderChangesSpanMs?: number;
  /** Each signal past its threshold, worst first: "fsync p99 48 ms > 10 ms: slow disk". */
  problems: { text: string; tone: 'warning' | 'critical' }[];
  /** Every signal as a labelled, rounded reading with its tone, for the member detail view. */
  readings?: { label: string; text: string; tone: Tone }[];
}
