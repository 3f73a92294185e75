import type { MemberState } from '../cluster/types.js';
import type { ClusterSummary } from '../cluster/summary.js';
import { memberView, type MemberView } from './member-view.js';
import type { MemberListEntry } from '../cluster/types.js';

export const STATUS_COLUMNS: { title: string; cell: (v: MemberView) => string }[] = [
  { title: 'NAME', cell: (v) => v.name },
  { title: 'ENDPOINT', cell: (v) => v.endpoint },
  { title: 'ID', cell: (v) => v.id },
  { title: 'ROLE', cell: (v) => v.role },
  { title: 'STATE', cell: (v) => v.state.text },
  { title: 'HEALTH', cell: (v) => (v.reason ? `${v.health.text}: ${v.reason}` : v.health.text) },
  { title: 'LATENCY', cell: (v) => v.latency },
  { title: 'TERM', cell: (v) => v.raftTerm },
  { title: 'INDEX', cell: (v) => v.raftIndex },
  { title: 'APPLIED', cell: (v) => v.appliedIndex },
  { title: 'DB SIZE', cell: (v) => v.dbSize },
  { title: 'IN USE', cell: (v) => v.inUse.text },
  { title: 'QUOTA', cell: (v) => v.quota.text },
  { title: 'VERSION', cell: (v) => v.version },
  { title: 'ALARMS', cell: (v) => v.alarms.text },
  { title: 'ERRORS', cell: (v) => v.errors.text },
];

export function summaryLine(clusterName: string, s: ClusterSummary): string {
  const quorum =
    s.quorum === 'unknown'
      ? `quorum ? (${s.quorumReason ?? 'unknown'})`
      : s.quorum === 'ok'
        ? `quorum OK (tolerates ${s.tolerates} more failure${s.tolerates === 1 ? '' : 's'})`
        : 'quorum LOST';
  const parts = [
    clusterName,
    `${s.answering}/${s.total} answering`,
    quorum,
    `leader ${s.leaderName ?? 'none'}`,
    `term ${s.raftTerm ?? '?'}`,
    `rev ${s.revision ?? '?'}`,
  ];
  if (s.unstarted) parts.push(`${s.unstarted} unstarted`);
  if (s.alarms.length) parts.push(`ALARM ${s.alarms.join(', ')}`);
  return parts.join('  ');
}

/** Plain aligned table, one header row and a row per member. */
export function statusTable(members: MemberState[], now: number, memberList?: MemberListEntry[]): string {
  const views = members.map((m) => memberView(m, now, memberList));
  const rows = [STATUS_COLUMNS.map((c) => c.title), ...views.map((v) => STATUS_COLUMNS.map((c) => c.cell(v)))];
  const widths = STATUS_COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function statusJson(
  clusterName: string,
  members: MemberState[],
  summary: ClusterSummary,
  now: number,
  memberList?: MemberListEntry[],
): object {
  return {
    cluster: clusterName,
    quorum: summary.quorum,
    quorumReason: summary.quorumReason ?? null,
    tolerates: summary.tolerates,
    answering: summary.answering,
    total: summary.total,
    leader: summary.leaderId ? { id: summary.leaderId, name: summary.leaderName } : null,
    raftTerm: summary.raftTerm ?? null,
    revision: summary.revision ?? null,
    alarms: summary.alarms,
    members: members.map((m) => {
      const view = memberView(m, now, memberList);
      const s = m.last;
      return {
        name: m.name,
        endpoint: m.endpoint,
        id: view.id === '?' ? null : view.id,
        role: view.role,
        state: view.state.text,
        health: m.health,
        reason: m.reason ?? null,
        latencyMs: s && !view.stale ? s.latencyMs : null,
        raftTerm: s?.raftTerm ?? null,
        raftIndex: s?.raftIndex ?? null,
        raftAppliedIndex: s?.raftAppliedIndex ?? null,
        dbSize: s?.dbSize ?? null,
        dbSizeInUse: s?.dbSizeInUse ?? null,
        quotaBytes: m.quotaBytes ?? null,
        version: s?.version ?? null,
        alarms: s?.alarms ?? [],
        errors: s?.errors ?? [],
        signals: m.signals ?? null,
        cert: m.cert ?? null,
        advice: view.advice,
        stale: view.stale,
        lastSeen: view.stale ? (m.lastSeen ? new Date(m.lastSeen).toISOString() : null) : m.last ? new Date(now).toISOString() : null,
        downSince: m.downSince ? new Date(m.downSince).toISOString() : null,
      };
    }),
  };
}
