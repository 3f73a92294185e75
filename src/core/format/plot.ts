const EIGHTHS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export interface SeriesStats {
  last: number;
  min: number;
  max: number;
  mean: number;
  /** Points with a value (a member that was down leaves gaps). */
  count: number;
}

/** Last, min, max and mean of the known values, or undefined when there are none. */
export function seriesStats(values: (number | undefined)[]): SeriesStats | undefined {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (known.length === 0) return undefined;
  return {
    last: known.at(-1)!,
    min: Math.min(...known),
    max: Math.max(...known),
    mean: known.reduce((a, b) => a + b, 0) / known.length,
    count: known.length,
  };
}

/**
 * A bar chart `height` rows tall: each point is `cellsPerPoint` columns, filled
 * in eighths of a row from the bottom, scaled between the smallest value (or
 * zero with fromZero) and the largest. A known value always shows at least one
 * eighth, so "zero" and "no data" (blank) differ. Rows are top first.
 */
export function plotRows(
  values: (number | undefined)[],
  height: number,
  options: { fromZero?: boolean; cellsPerPoint?: number } = {},
): string[] {
  const stats = seriesStats(values);
  const cells = Math.max(1, options.cellsPerPoint ?? 1);
  const rows = Array.from({ length: height }, () => '');
  if (!stats) return rows.map(() => ' '.repeat(values.length * cells));
  const min = options.fromZero ? Math.min(0, stats.min) : stats.min;
  const span = stats.max - min;
  const total = height * 8;
  for (const v of values) {
    const known = v !== undefined && Number.isFinite(v);
    const level = !known ? 0 : Math.max(1, span === 0 ? 1 : Math.round(((v - min) / span) * total));
    for (let r = 0; r < height; r++) {
      const fill = Math.min(8, Math.max(0, level - (height - 1 - r) * 8));
      rows[r] += (fill === 0 ? ' ' : EIGHTHS[fill - 1]!).repeat(cells);
    }
  }
  return rows;
}
