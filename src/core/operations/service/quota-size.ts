import { ServiceOpRefused } from './context.js';

/** The sizes parseSize accepts, in the operator's words. */
export const QUOTA_SIZE_HINT = 'SIZE: 8GiB, 512MiB, 2GB or bytes (4294967296); KiB MiB GiB count 1024s, kB MB GB 1000s';

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, ki: 1024, kib: 1024, kb: 1000,
  m: 1024 ** 2, mi: 1024 ** 2, mib: 1024 ** 2, mb: 1000 ** 2,
  g: 1024 ** 3, gi: 1024 ** 3, gib: 1024 ** 3, gb: 1000 ** 3,
};

/** "4GiB", "4G" (both binary), "4GB" (decimal), "512MiB", "4294967296" (bytes). */
export function parseSize(text: string): number {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)\s*([a-z]*)$/i);
  const unit = UNITS[(match?.[2] ?? '').toLowerCase()];
  if (!match || unit === undefined) throw new ServiceOpRefused(`"${text}" is not a size like 4GiB, 512MiB or 4294967296`);
  const bytes = Math.round(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new ServiceOpRefused(`"${text}" is not a usable quota`);
  return bytes;
}

