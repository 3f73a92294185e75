/**
 * "quota full in about 3 days at the current growth": a straight line
 * through the DB size since its last drop (a defragment shrinks the file;
 * growth before it says nothing about growth after it). Pure.
 */

export interface SizeSample {
  at: number;
  dbSize: number;
}

export interface QuotaForecast {
  /** Until the DB size reaches the quota at the fitted growth. */
  msLeft: number;
  bytesPerHour: number;
  text: string;
}

/** Fewer points, or a shorter stretch, and the slope is noise. */
export const FORECAST_MIN_SAMPLES = 4;
export const FORECAST_MIN_SPAN_MS = 60_000;
/** Beyond this the line says nothing useful. */
export const FORECAST_MAX_MS = 365 * 86_400_000;

/**
 * The estimate, or undefined when there is no quota, too few samples since
 * the last drop, no growth, the quota is reached already (the NOSPACE alarm
 * says that) or it is more than a year away. Samples are oldest first;
 * missing sizes (the member was down) are left out.
 */
export function quotaFullForecast(samples: readonly (SizeSample | undefined)[], quotaBytes: number | undefined): QuotaForecast | undefined {
  if (!quotaBytes || quotaBytes <= 0) return undefined;
  const known = samples.filter((s): s is SizeSample => s !== undefined && Number.isFinite(s.dbSize));
  const segment = sinceLastDrop(known);
  if (segment.length < FORECAST_MIN_SAMPLES) return undefined;
  const first = segment[0]!;
  const last = segment[segment.length - 1]!;
  if (last.at - first.at < FORECAST_MIN_SPAN_MS) return undefined;
  const slopePerMs = leastSquaresSlope(segment);
  if (!(slopePerMs > 0)) return undefined;
  const left = quotaBytes - last.dbSize;
  if (left <= 0) return undefined;
  const msLeft = left / slopePerMs;
  if (msLeft > FORECAST_MAX_MS) return undefined;
  return { msLeft, bytesPerHour: slopePerMs * 3_600_000, text: `quota full in about ${aboutDuration(msLeft)} at the current growth` };
}

function sinceLastDrop(samples: SizeSample[]): SizeSample[] {
  let start = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i]!.dbSize < samples[i - 1]!.dbSize) start = i;
  return samples.slice(start);
}

/** Bytes per ms of the least-squares line through the samples. */
function leastSquaresSlope(samples: SizeSample[]): number {
  const n = samples.length;
  const t0 = samples[0]!.at;
  const meanT = samples.reduce((s, p) => s + (p.at - t0), 0) / n;
  const meanY = samples.reduce((s, p) => s + p.dbSize, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of samples) {
    const dt = p.at - t0 - meanT;
    num += dt * (p.dbSize - meanY);
    den += dt * dt;
  }
  return den === 0 ? 0 : num / den;
}

/** "40 min", "5 hours", "3 days": rounded, as a person would say it. */
export function aboutDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(ms / 86_400_000)} days`;
}
