import { UsageError } from './usage-error.js';

/** The documented range of every numeric flag (README "Exit codes and ranges" lists the same). */
export const DURATION_RANGES = {
  '--command-timeout': { minMs: 50, maxMs: 10 * 60_000, default: '2s' },
  '--interval': { minMs: 50, maxMs: 60 * 60_000, default: '1s' },
  '--pause': { minMs: 0, maxMs: 60 * 60_000, default: '2s' },
  '--wait': { minMs: 1000, maxMs: 60 * 60_000, default: '60s' },
  '--max-age': { minMs: 1000, maxMs: 30 * 24 * 3_600_000, default: '1h' },
} as const;
export type DurationFlag = keyof typeof DURATION_RANGES;

/** --keep: revisions kept below the current one when compacting. */
export const KEEP_RANGE = { min: 0, max: 1_000_000_000 } as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function formatMs(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function rangeText(minMs: number, maxMs: number): string {
  return `${formatMs(minMs)} to ${formatMs(maxMs)}`;
}

/** "2s", "500ms", "1m", "1h", "7d" (etcdctl style); a bare number is seconds. Bounded so timers never overflow. */
export function parseDuration(text: string, flag: string, minMs = 50, maxMs = 24 * 3_600_000): number {
  const trimmed = text.trim();
  if (trimmed === '') throw new UsageError(`${flag} is empty: give a duration like 500ms, 2s, 1m or 1h (${rangeText(minMs, maxMs)})`);
  if (trimmed.startsWith('-')) throw new UsageError(`${flag} ${text} is negative: give ${rangeText(minMs, maxMs)}`);
  const match = trimmed.match(/^(\d{1,15}(?:\.\d{1,6})?)(ms|s|m|h|d)?$/);
  if (!match) throw new UsageError(`${flag} "${text}" is not a duration like 500ms, 2s, 1m or 1h`);
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000);
  if (ms < minMs) throw new UsageError(`${flag} ${text} is too short (${rangeText(minMs, maxMs)})`);
  if (ms > maxMs) throw new UsageError(`${flag} ${text} is too long (${rangeText(minMs, maxMs)})`);
  return Math.round(ms);
}

export function parseFlagDuration(flag: DurationFlag, text: string | undefined): number {
  const range = DURATION_RANGES[flag];
  return parseDuration(text ?? range.default, flag, range.minMs, range.maxMs);
}

export function parseKeep(text: string): number {
  const range = `${KEEP_RANGE.min} to ${KEEP_RANGE.max}`;
  if (text.trim() === '') throw new UsageError(`--keep is empty: give a whole number of revisions (${range})`);
  if (text.trim().startsWith('-')) throw new UsageError(`--keep ${text} is negative: give ${range}`);
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`--keep must be a whole number of revisions, not "${text}"`);
  const keep = Number(text.trim());
  if (keep > KEEP_RANGE.max) throw new UsageError(`--keep ${text} is too large (${range})`);
  return keep;
}

/** defrag --auto thresholds: free space as a whole percentage of the file, and free bytes. */
export const MIN_FREE_PERCENT_RANGE = { min: 1, max: 99, default: 45 } as const;
export const MIN_FREE_BYTES_RANGE = { min: 0, max: 8 * 1024 ** 3, default: '100MB' } as const;

/** "45" or "45%": a whole percentage, 1 to 99. */
export function parseMinFreePercent(text: string): number {
  const range = `${MIN_FREE_PERCENT_RANGE.min} to ${MIN_FREE_PERCENT_RANGE.max}`;
  const match = text.trim().match(/^(\d{1,3})%?$/);
  if (!match) throw new UsageError(`--min-free-percent must be a whole percentage like 45 (${range}), not "${text}"`);
  const percent = Number(match[1]);
  if (percent < MIN_FREE_PERCENT_RANGE.min || percent > MIN_FREE_PERCENT_RANGE.max) {
    throw new UsageError(`--min-free-percent ${text} is out of range (${range})`);
  }
  return percent;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  kb: 1000, kib: 1024, k: 1024,
  mb: 1000 ** 2, mib: 1024 ** 2, m: 1024 ** 2,
  gb: 1000 ** 3, gib: 1024 ** 3, g: 1024 ** 3,
};

/** "100MB" (decimal), "1GiB" (binary), "1048576" (bytes), 0 to 8 GiB. */
export function parseMinFreeBytes(text: string): number {
  const range = '0 to 8GiB';
  const match = text.trim().match(/^(\d{1,15}(?:\.\d{1,6})?)\s*([a-z]*)$/i);
  const unit = SIZE_UNITS[(match?.[2] ?? '').toLowerCase()];
  if (!match || unit === undefined) throw new UsageError(`--min-free-bytes must be a size like 100MB, 512MiB or 1GiB (${range}), not "${text}"`);
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes > MIN_FREE_BYTES_RANGE.max) throw new UsageError(`--min-free-bytes ${text} is too large (${range})`);
  return bytes;
}

/** `keys top`: how many path segments make a prefix, and how many prefixes are listed. */
export const COUNT_RANGES = {
  '--depth': { min: 1, max: 16, default: 2 },
  '--limit': { min: 1, max: 1000, default: 20 },
} as const;
export type CountFlag = keyof typeof COUNT_RANGES;

/** A whole number within the flag's range (its default when not given). */
export function parseCount(flag: CountFlag, text: string | undefined): number {
  const range = COUNT_RANGES[flag];
  if (text === undefined) return range.default;
  const span = `${range.min} to ${range.max}`;
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new UsageError(`${flag} must be a whole number (${span}), not "${text}"`);
  const n = Number(trimmed);
  if (n < range.min || n > range.max) throw new UsageError(`${flag} ${text} is out of range (${span})`);
  return n;
}
