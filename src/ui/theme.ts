import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { TOKENS, type Token } from './theme-rules.js';
import { parseThemeFile } from './theme-validate.js';
import { findThemeFile, type Env } from './theme-files.js';

export { TOKENS, type Token };

export interface Theme {
  name: string;
  description?: string;
  /** Ink colour per token; undefined means the terminal's own colour (monochrome). */
  color: (token: Token) => string | undefined;
  monochrome: boolean;
}

const BUILT_IN_THEMES = fileURLToPath(new URL('../../themes/', import.meta.url));

/**
 * A theme by name (the user's themes dir first, then the built-in ones) or by path (anything with a
 * "/" or ending in ".json"). A bad theme throws an Error with a one-line message.
 */
export function loadTheme(requested: string, env: Env = process.env): Theme {
  return themeFromFile(findThemeFile(requested, env, BUILT_IN_THEMES));
}

/** NO_COLOR (https://no-color.org) wins over any chosen theme, the user's config file included. */
export function chooseTheme(env: Env = process.env, requested = 'dark'): Theme {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return themeFromFile(join(BUILT_IN_THEMES, 'monochrome.json'));
  return loadTheme(requested, env);
}

function themeFromFile(file: string): Theme {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    throw new Error(`${file}: ${code === 'EISDIR' ? 'is a directory, not a theme file' : `cannot read it (${message.split('\n')[0]})`}`, { cause: err });
  }
  const { name, description, tokens } = parseThemeFile(text, file);
  return {
    name,
    ...(description === undefined ? {} : { description }),
    monochrome: TOKENS.every((token) => tokens[token] === null),
    color: (token) => tokens[token] ?? undefined,
  };
}
