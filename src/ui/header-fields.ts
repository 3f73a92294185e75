import type { ClusterSummary } from '../core/cluster/summary.js';
import type { Token } from './theme.js';

export interface HeaderField {
  text: string;
  tone: Token | 'plain';
  bold?: boolean;
  /** Lower is kept longer when the line is short of room. */
  priority: number;
}

const GAP = 2;

/** The header's fields in display order, each with how much it matters at 3 a.m. */
export function headerFields(clusterName: string, s: ClusterSummary, readOnly: boolean): HeaderField[] {
  const quorumTone: Token = s.quorum === 'ok' ? (s.tolerates === 0 ? 'warning' : 'healthy') : s.quorum === 'lost' ? 'critical' : 'dim';
  const quorumText = s.quorum === 'ok' ? `quorum OK · tolerates ${s.tolerates}` : s.quorum === 'lost' ? 'quorum LOST' : 'quorum ?';
  const fields: (HeaderField | false)[] = [
    { text: clusterName, tone: 'plain', bold: true, priority: 1 },
    { text: `${s.answering}/${s.total} answering`, tone: s.answering === s.total ? 'healthy' : 'warning', priority: 2 },
    { text: quorumText, tone: quorumTone, bold: true, priority: 0 },
    { text: `leader ${s.leaderName ?? 'none'}`, tone: s.leaderName ? 'leader' : 'critical', priority: 3 },
    { text: `term ${s.raftTerm ?? '?'}`, tone: 'plain', priority: 7 },
    { text: `rev ${s.revision ?? '?'}`, tone: 'plain', priority: 6 },
    s.unstarted > 0 && { text: `${s.unstarted} unstarted`, tone: 'warning', priority: 5 },
    readOnly && { text: 'READ-ONLY', tone: 'accent', priority: 4 },
  ];
  return fields.filter((f): f is HeaderField => Boolean(f));
}

/**
 * The fields that fit on one line of `columns`, least important dropped
 * first; the last one left is cut to fit. The header never wraps.
 */
export function fitHeader(fields: HeaderField[], columns: number): HeaderField[] {
  let kept = [...fields];
  const width = (list: HeaderField[]): number => list.reduce((n, f) => n + [...f.text].length, 0) + GAP * Math.max(0, list.length - 1);
  while (kept.length > 1 && width(kept) > columns) {
    const drop = kept.reduce((worst, f) => (f.priority > worst.priority ? f : worst));
    kept = kept.filter((f) => f !== drop);
  }
  if (width(kept) > columns) kept = [{ ...kept[0]!, text: [...kept[0]!.text].slice(0, Math.max(1, columns - 1)).join('') + '…' }];
  return kept;
}

export const HEADER_GAP = GAP;
