import type { ClusterSummary } from '../cluster/summary.js';
import type { MemberState } from '../cluster/types.js';
import { CERT_EXPIRY_THRESHOLDS } from '../certs/expiry.js';

/** 0 all well; 3 the cockpit's own setup hides the answer; 1 anything an operator must look at. */
export function statusExitCode(summary: ClusterSummary, members: MemberState[]): number {
  if (summary.quorum === 'unknown' && members.some((m) => m.health === 'setup')) return 3;
  const healthy = summary.quorum === 'ok' && members.every((m) => m.health === 'ok');
  const certSoon = members.some((m) => [m.cert, m.peerCert].some((c) => c !== undefined && c.daysLeft < CERT_EXPIRY_THRESHOLDS.criticalDays));
  return healthy && !certSoon ? 0 : 1;
}
