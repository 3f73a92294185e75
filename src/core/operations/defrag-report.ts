import { formatBytes } from '../format/bytes.js';
import type { AutoDefragPolicy, DefragStep } from './defrag-plan.js';
import type { DefragResult } from './defrag.js';

/** What a defrag did to one member (the shape defragMembers returns). */
export type DefragOutcome = DefragResult;

/** One member in `defrag -o json`, in the order the members were taken. Documented in the README; keep it stable. */
export interface DefragReportMember {
  name: string;
  order: number;
  wasLeader: boolean;
  defragmented: boolean;
  beforeBytes: number | null;
  afterBytes: number | null;
  reclaimedBytes: number | null;
  ms: number | null;
  skipped: string | null;
}

export interface DefragReport {
  cluster: string;
  /** The --auto thresholds, or null for a plain defrag. */
  policy: { minFreePercent: number; minFreeBytes: number } | null;
  members: DefragReportMember[];
  reclaimedBytes: number;
}

export function defragReport(cluster: string, policy: AutoDefragPolicy | undefined, outcomes: DefragOutcome[]): DefragReport {
  const members = outcomes.map((o, i): DefragReportMember => {
    const done = o.skipped === undefined && o.before !== undefined && o.after !== undefined;
    return {
      name: o.name,
      order: i + 1,
      wasLeader: o.wasLeader ?? false,
      defragmented: done,
      beforeBytes: o.before ?? null,
      afterBytes: o.after ?? null,
      reclaimedBytes: done ? Math.max(0, o.before! - o.after!) : null,
      ms: o.ms ?? null,
      skipped: o.skipped ?? null,
    };
  });
  return {
    cluster,
    policy: policy ? { minFreePercent: Math.round(policy.minFreeRatio * 100), minFreeBytes: policy.minFreeBytes } : null,
    members,
    reclaimedBytes: members.reduce((sum, m) => sum + (m.reclaimedBytes ?? 0), 0),
  };
}

/** A plan where every member is skipped: the outcomes without running anything. */
export function skippedOutcomes(steps: DefragStep[]): DefragOutcome[] {
  return steps.map((s) => ({ name: s.name, wasLeader: s.wasLeader, skipped: s.skip ?? 'not planned' }));
}

/** The report as a table: one row per member, why it was skipped at the end of its row. */
export function formatDefragReport(report: DefragReport): string {
  const header = ['member', 'role', 'before', 'after', 'reclaimed', 'time', 'result'];
  const rows = report.members.map((m) => [
    m.name,
    m.wasLeader ? 'leader' : 'follower',
    m.beforeBytes === null ? '-' : formatBytes(m.beforeBytes),
    m.afterBytes === null ? '-' : formatBytes(m.afterBytes),
    m.reclaimedBytes === null ? '-' : formatBytes(m.reclaimedBytes),
    m.ms === null ? '-' : formatSeconds(m.ms),
    m.defragmented ? 'defragmented' : `skipped: ${m.skipped}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const done = report.members.filter((m) => m.defragmented).length;
  const total = done === 0 ? 'nothing defragmented' : `${done} defragmented, ${formatBytes(report.reclaimedBytes)} reclaimed`;
  return [line(header), ...rows.map(line), total].join('\n');
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms / 1000)} s`;
}
