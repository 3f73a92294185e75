import { closestWord } from '../core/format/closest-word.js';
import { lineAndColumn, scanJson, type JsonLocation } from './json-scan.js';
import { COLOUR_HINT, isColour, NAMED_COLOURS, THEME_KEYS, TOKENS, type Token } from './theme-rules.js';

export interface ThemeFile {
  name: string;
  description?: string;
  /** null: the terminal's own colour. */
  tokens: Record<Token, string | null>;
}

/**
 * Parses and checks a theme file's text. A bad file throws an Error whose message is one line,
 * "FILE:LINE:COL: what is wrong", pointing at the offending key or value.
 */
export function parseThemeFile(text: string, file: string): ThemeFile {
  const source = text.replace(/^\uFEFF/, '');
  const fail = (offset: number | undefined, message: string): never => {
    if (offset === undefined) throw new Error(`${file}: ${message}`);
    const { line, column } = lineAndColumn(source, offset);
    throw new Error(`${file}:${line}:${column}: ${message}`);
  };

  const scan = scanJson(source);
  if (!scan.ok) return fail(scan.offset, scan.message);
  const at = (path: string, part: keyof JsonLocation = 'value'): number | undefined => {
    const location = scan.locations.get(path);
    return location?.[part] ?? location?.value;
  };

  const root: unknown = JSON.parse(source);
  if (!isObject(root)) return fail(at(''), 'a theme is a JSON object with "name" and "tokens"');
  for (const key of Object.keys(root)) {
    if (!(THEME_KEYS as readonly string[]).includes(key)) fail(at(pointer(key), 'key'), unknown('key', key, THEME_KEYS));
  }
  if (!Object.hasOwn(root, 'name')) fail(at(''), '"name" is missing (the theme\'s name, like "dark")');
  if (typeof root.name !== 'string' || root.name === '') fail(at('/name'), '"name" must be a non-empty string');
  for (const key of ['description', '$schema'] as const) {
    if (Object.hasOwn(root, key) && typeof root[key] !== 'string') fail(at(pointer(key)), `"${key}" must be a string`);
  }

  if (!Object.hasOwn(root, 'tokens')) fail(at(''), `"tokens" is missing (an object that sets ${TOKENS.join(', ')})`);
  const tokens = root.tokens;
  if (!isObject(tokens)) return fail(at('/tokens'), `"tokens" must be an object that sets ${TOKENS.join(', ')}`);
  for (const key of Object.keys(tokens)) {
    if (!(TOKENS as readonly string[]).includes(key)) fail(at(`/tokens${pointer(key)}`, 'key'), unknown('token', key, TOKENS));
  }
  const missing = TOKENS.filter((token) => !Object.hasOwn(tokens, token));
  if (missing.length > 0) {
    const list = missing.map((token) => `"${token}"`).join(', ');
    fail(at('/tokens', 'key'), `missing ${missing.length === 1 ? 'token' : 'tokens'} ${list} (a theme sets every token; null means the terminal's own colour)`);
  }
  for (const token of TOKENS) {
    const value = tokens[token];
    if (value === null || isColour(value)) continue;
    const guess = typeof value === 'string' ? closestWord(value, NAMED_COLOURS) : undefined;
    fail(at(`/tokens/${token}`), `token "${token}": ${JSON.stringify(value)} is not a colour${guess ? `, did you mean "${guess}"?` : ''} (${COLOUR_HINT})`);
  }

  return {
    name: root.name as string,
    ...(typeof root.description === 'string' ? { description: root.description } : {}),
    tokens: tokens as Record<Token, string | null>,
  };
}

function unknown(what: 'key' | 'token', word: string, known: readonly string[]): string {
  const guess = closestWord(word, known);
  return `unknown ${what} "${word}"${guess ? `, did you mean "${guess}"?` : ''} (${what}s: ${known.join(', ')})`;
}

function pointer(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
