import type { Tone } from '../core/view/tone.js';

/**
 * What a theme file may say. themes/schema.json states the same rules for editors; test/theme.test.ts
 * checks that the two agree, so a change here needs the same change there.
 */
export type Token = Tone | 'border' | 'focus';
export const TOKENS: readonly Token[] = ['normal', 'healthy', 'warning', 'critical', 'dim', 'leader', 'accent', 'border', 'focus'];

export const THEME_KEYS = ['$schema', 'name', 'description', 'tokens'] as const;

/** chalk's foreground colours: the names Ink's <Text color> draws. */
export const NAMED_COLOURS = [
  'black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white',
  'blackBright', 'gray', 'grey', 'redBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright', 'cyanBright', 'whiteBright',
] as const;

const BYTE = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** #rgb, #rrggbb, rgb(r,g,b) and ansi256(n), spaced the way Ink's own parser allows. */
export const COLOUR_PATTERN = `^(?:#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|rgb\\(\\s?${BYTE},\\s?${BYTE},\\s?${BYTE}\\s?\\)|ansi256\\(\\s?${BYTE}\\s?\\))$`;
const COLOUR_REGEX = new RegExp(COLOUR_PATTERN, 'u');

export const COLOUR_HINT = 'names like yellow, #rrggbb, rgb(r,g,b), ansi256(n)';

export function isColour(value: unknown): value is string {
  return typeof value === 'string' && ((NAMED_COLOURS as readonly string[]).includes(value) || COLOUR_REGEX.test(value));
}
