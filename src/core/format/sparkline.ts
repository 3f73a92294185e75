const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * A one-line plot of `values` (oldest first), `width` cells wide: the newest
 * values, scaled between the smallest (or zero, for rates and latencies, so
 * that noise does not look like a cliff) and the largest shown. Missing
 * points are blank; a flat series sits on the bottom bar.
 */
export function sparkline(values: (number | undefined)[], width: number, options: { fromZero?: boolean } = {}): string {
  const shown = values.slice(-width);
  const known = shown.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (known.length === 0) return ''.padStart(Math.min(width, shown.length));
  const min = options.fromZero ? Math.min(0, ...known) : Math.min(...known);
  const max = Math.max(...known);
  const span = max - min;
  return shown
    .map((v) => {
      if (v === undefined || !Number.isFinite(v)) return ' ';
      const level = span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1));
      return BARS[level]!;
    })
    .join('');
}
