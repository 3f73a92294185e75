import { PANE_HEIGHT, type PaneVariant } from './MemberPane.js';

export interface PaneLayout {
  variant: PaneVariant;
  /** Panes per row (wide variant only; others stack). */
  perRow: number;
  paneWidth?: number;
}

const WIDE_MIN_WIDTH = 38;

/**
 * Picks the roomiest pane form that fits: wide panes side by side, then
 * compact panes stacked, then one line per member. `rows` is what is left
 * after the header and footer.
 */
export function chooseLayout(members: number, columns: number, rows: number): PaneLayout {
  const count = Math.max(1, members);
  const perRow = Math.max(1, Math.min(count, Math.floor(columns / WIDE_MIN_WIDTH)));
  const wideRows = Math.ceil(count / perRow);
  if (perRow > 1 && wideRows * PANE_HEIGHT.wide <= rows) {
    return { variant: 'wide', perRow, paneWidth: Math.floor(columns / perRow) };
  }
  if (count * PANE_HEIGHT.compact <= rows) return { variant: 'compact', perRow: 1, paneWidth: columns };
  return { variant: 'line', perRow: 1, paneWidth: columns };
}
