/** Value of an unlabelled gauge/counter in Prometheus text, or undefined. */
export function readMetric(text: string, name: string): number | undefined {
  const match = text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? ([^\\s]+)`, 'm'));
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : undefined;
}
