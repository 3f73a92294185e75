import type { MemberHistory } from '../state/history.js';
import { sparkline } from '../core/format/sparkline.js';
import { formatBytes } from '../core/format/bytes.js';

/** One sparkline row of the wide pane, as drawn. */
export interface TrendRow {
  label: string;
  line: string;
  latest: string;
}

/**
 * The wide pane's three sparklines as the text they draw. The pane compares
 * these, not the history: a new point that draws the same (a flat series whose
 * plot is already full width) renders nothing, so Ink draws no frame.
 */
export function trendRows(history: MemberHistory | undefined, paneWidth: number | undefined): TrendRow[] {
  const width = trendWidth(paneWidth);
  const row = (label: string, values: (number | undefined)[] | undefined, unit: (v: number) => string, fromZero = false): TrendRow => {
    const latest = [...(values ?? [])].reverse().find((v) => v !== undefined);
    return { label, line: sparkline(values ?? [], width, { fromZero }).padEnd(width), latest: latest === undefined ? '' : unit(latest) };
  };
  return [
    row('db 15m', history?.dbSize, formatBytes),
    row('writes/s', history?.writesPerSecond, (r) => r.toFixed(r < 10 ? 1 : 0), true),
    row('fsync', history?.fsyncP99Ms, (ms) => `${ms} ms`, true),
  ];
}

/** Sparkline cells: what is left of the pane after border, padding, label and the latest value. */
function trendWidth(paneWidth: number | undefined): number {
  return Math.max(8, Math.min(30, (paneWidth ?? 40) - 4 - 9 - 10));
}
