import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Tone } from '../core/view/tone.js';

export type Token = Tone | 'border' | 'focus';
export const TOKENS: readonly Token[] = ['normal', 'healthy', 'warning', 'critical', 'dim', 'leader', 'accent', 'border', 'focus'];

export interface Theme {
  name: string;
  /** Ink colour per token; undefined means the terminal's own colour (monochrome). */
  color: (token: Token) => string | undefined;
  monochrome: boolean;
}

const THEMES_DIR = fileURLToPath(new URL('../../themes/', import.meta.url));

export function loadTheme(name: string): Theme {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`theme "${name}": a theme is a name like dark, light, high-contrast or monochrome`);
  const path = `${THEMES_DIR}${name}.json`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      const known = readdirSync(THEMES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
      throw new Error(`theme ${name}: no such theme (themes: ${known.join(', ')})`);
    }
    throw new Error(`theme ${name}: cannot load ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const tokens = (raw as { tokens?: Record<string, unknown> }).tokens;
  if (!tokens || typeof tokens !== 'object') throw new Error(`theme ${name}: ${path} has no "tokens" object`);
  for (const token of TOKENS) {
    const value = tokens[token];
    if (value !== null && typeof value !== 'string') throw new Error(`theme ${name}: token "${token}" must be a colour name or null`);
  }
  const monochrome = TOKENS.every((t) => tokens[t] === null);
  return { name, monochrome, color: (token) => (tokens[token] as string | null) ?? undefined };
}

/** NO_COLOR (https://no-color.org) wins over any chosen theme. */
export function chooseTheme(env: Record<string, string | undefined> = process.env, requested = 'dark'): Theme {
  return loadTheme(env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? 'monochrome' : requested);
}
