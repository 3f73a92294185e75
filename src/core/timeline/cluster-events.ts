import type { MemberListEntry, MemberState } from '../cluster/types.js';
import { summarizeCluster } from '../cluster/summary.js';
import { formatAge, formatClock } from '../format/time.js';
import { leaderDiagnosisFor } from '../metrics/leader-diagnosis.js';
import { CERT_EXPIRY_THRESHOLDS, certExpiryVerdict } from '../certs/expiry.js';

export interface TimelineEvent {
  text: string;
  tone: 'normal' | 'warning' | 'critical' | 'healthy';
}

interface View {
  order: string[];
  members: Record<string, MemberState>;
  memberList?: MemberListEntry[];
}

const UP = new Set(['ok', 'degraded']);

/**
 * What changed between two polls that an incident report needs: leader
 * changes (from whom to whom, term), members going down and coming back,
 * alarms raised and cleared, quorum lost and regained. Pure.
 */
export function clusterEvents(before: View, after: View, now: number): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const members = (v: View) => v.order.map((e) => v.members[e]).filter((m): m is MemberState => Boolean(m));
  const was = summarizeCluster(members(before), before.memberList);
  const is = summarizeCluster(members(after), after.memberList);

  if (is.leaderId && was.leaderId && is.leaderId !== was.leaderId) {
    events.push({ text: `leader changed from ${was.leaderName} to ${is.leaderName} (term ${is.raftTerm ?? '?'})`, tone: 'warning' });
  } else if (is.leaderId && !was.leaderId && was.quorum !== 'unknown') {
    events.push({ text: `${is.leaderName} is the leader (term ${is.raftTerm ?? '?'})`, tone: 'healthy' });
  }
  if (was.quorum !== 'lost' && is.quorum === 'lost') {
    const since = is.lostSince === undefined ? '' : ` (first failure at ${formatClock(is.lostSince)})`;
    events.push({ text: `quorum LOST: the cluster accepts no writes${since}`, tone: 'critical' });
  }
  if (was.quorum === 'lost' && is.quorum === 'ok') events.push({ text: 'quorum regained', tone: 'healthy' });

  for (const endpoint of after.order) {
    const a = after.members[endpoint];
    const b = before.members[endpoint];
    if (!a || !b) continue;
    for (const [which, was, is] of [['server', b.cert, a.cert], ['peer', b.peerCert, a.peerCert]] as const) {
      const critical = (c: typeof is) => c !== undefined && c.daysLeft < CERT_EXPIRY_THRESHOLDS.criticalDays;
      if (critical(is) && !critical(was)) events.push({ text: `${a.name}: ${certExpiryVerdict(is!.daysLeft, which).why}`, tone: 'critical' });
    }
    if (b.health === 'unknown') continue;
    if (UP.has(b.health) && !UP.has(a.health)) events.push({ text: `${a.name} down: ${a.reason ?? a.health}`, tone: 'critical' });
    if (!UP.has(b.health) && UP.has(a.health)) {
      const away = b.downSince === undefined ? '' : ` after ${formatAge(now - b.downSince)}`;
      events.push({ text: `${a.name} back${away}`, tone: 'healthy' });
    }
    const alarmsBefore = new Set(b.last?.alarms ?? []);
    const alarmsAfter = new Set(a.last?.alarms ?? []);
    for (const alarm of alarmsAfter) if (!alarmsBefore.has(alarm)) events.push({ text: `alarm ${alarm} raised on ${a.name}`, tone: 'critical' });
    if (UP.has(a.health)) {
      for (const alarm of alarmsBefore) if (!alarmsAfter.has(alarm)) events.push({ text: `alarm ${alarm} cleared on ${a.name}`, tone: 'healthy' });
    }
    const problemsBefore = new Set(b.signals?.problems.map((p) => p.text.split(':')[0]) ?? []);
    for (const p of a.signals?.problems ?? []) {
      if (!problemsBefore.has(p.text.split(':')[0])) events.push({ text: `${a.name}: ${p.text}`, tone: p.tone });
    }
  }
  // Said once per cause, not on every /metrics read that moves its numbers.
  const diagnosis = leaderDiagnosisFor(members(after));
  if (diagnosis && diagnosis.key !== leaderDiagnosisFor(members(before))?.key) events.push({ text: diagnosis.text, tone: 'warning' });
  return events;
}
