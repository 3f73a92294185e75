import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import chalk, { foregroundColorNames } from 'chalk';
import { chooseTheme, loadTheme } from '../src/ui/theme.js';
import { parseThemeFile } from '../src/ui/theme-validate.js';
import { COLOUR_PATTERN, isColour, NAMED_COLOURS, THEME_KEYS, TOKENS } from '../src/ui/theme-rules.js';
import { BIN } from './helpers/cli.js';
import { PtyScreen } from './helpers/pty-screen.js';
// Ink's own colour parser: what <Text color> really draws (not exported, so by path).
import colorize from '../node_modules/ink/build/colorize.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const THEMES = join(ROOT, 'themes');
const SCHEMA = JSON.parse(readFileSync(join(THEMES, 'schema.json'), 'utf8')) as Schema;
const BUILT_IN = ['dark', 'high-contrast', 'light', 'monochrome'];

const scratch = mkdtempSync(join(tmpdir(), 'cockpit-theme-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
/** An environment with its own config dir, so the machine's ~/.config never leaks in. */
const isolated = (extra: Record<string, string> = {}) => ({ XDG_CONFIG_HOME: join(scratch, 'empty-config'), ...extra });

const DARK = JSON.parse(readFileSync(join(THEMES, 'dark.json'), 'utf8')) as { tokens: Record<string, unknown> };
const themeText = (tokens: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'mine', ...extra, tokens }, null, 2);
const errorOf = (text: string, file = 'mine.json'): string => {
  try {
    parseThemeFile(text, file);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('no error');
};

describe('built-in themes', () => {
  it('are exactly dark, high-contrast, light and monochrome, next to the schema', () => {
    expect(readdirSync(THEMES).sort()).toEqual([...BUILT_IN.map((n) => `${n}.json`), 'schema.json'].sort());
  });

  it.each(BUILT_IN)('%s validates, is named like its file and points editors at the schema', (name) => {
    const text = readFileSync(join(THEMES, `${name}.json`), 'utf8');
    expect(parseThemeFile(text, `${name}.json`).name).toBe(name);
    expect(JSON.parse(text).$schema).toBe('./schema.json');
    expect(validateBySchema(JSON.parse(text))).toBe(true);
    expect(loadTheme(name, isolated()).name).toBe(name);
  });

  it('only monochrome leaves every token to the terminal', () => {
    for (const name of BUILT_IN) expect(loadTheme(name, isolated()).monochrome).toBe(name === 'monochrome');
  });
});

describe('the schema and the checker state the same rules', () => {
  const colour = SCHEMA.$defs!.colour!;
  const tokensSchema = SCHEMA.properties!.tokens!;

  it('same keys, same tokens, same colour names and pattern', () => {
    expect(Object.keys(SCHEMA.properties!)).toEqual([...THEME_KEYS]);
    expect(SCHEMA.required).toEqual(['name', 'tokens']);
    expect(SCHEMA.additionalProperties).toBe(false);
    expect(Object.keys(tokensSchema.properties!)).toEqual([...TOKENS]);
    expect(tokensSchema.required).toEqual([...TOKENS]);
    expect(tokensSchema.additionalProperties).toBe(false);
    expect(colour.anyOf).toEqual([
      { type: 'null' },
      { enum: [...NAMED_COLOURS] },
      { type: 'string', pattern: COLOUR_PATTERN },
    ]);
  });

  it('the colour names are exactly the foreground colours of chalk, which Ink draws with', () => {
    expect([...NAMED_COLOURS].sort()).toEqual([...foregroundColorNames].sort());
  });

  const SAMPLES: unknown[] = [
    'yellow', 'gray', 'grey', 'cyanBright', 'Yellow', 'orange', 'bold', 'bgRed', 'hex', '', ' red',
    '#fff', '#B35900', '#ffff', '#ggg', '#12345', 'fff',
    'rgb(1,2,3)', 'rgb( 0, 128, 255 )', 'rgb(256,0,0)', 'rgb(1,2)', 'rgb(1, 2, 3', 'rgb(01,2,3)', 'rgb(  1,2,3)',
    'ansi256(0)', 'ansi256(255)', 'ansi256( 7 )', 'ansi256(256)', 'ansi256(-1)', 'ansi256(07)',
    null, 3, true, ['red'], { name: 'red' },
  ];

  it.each(SAMPLES.map((s) => [JSON.stringify(s), s]))('colour %s: the checker and the schema give the same answer', (_, sample) => {
    const accepted = isColour(sample) || sample === null;
    expect(validateBySchema(sample, colour)).toBe(accepted);
    const text = themeText({ ...DARK.tokens, warning: sample });
    expect(validateBySchema(JSON.parse(text))).toBe(accepted);
    if (accepted) expect(() => parseThemeFile(text, 'mine.json')).not.toThrow();
    else expect(() => parseThemeFile(text, 'mine.json')).toThrow(/is not a colour/);
  });

  it('every colour the checker accepts is one Ink really draws', () => {
    const level = chalk.level;
    chalk.level = 3;
    try {
      for (const sample of SAMPLES.filter((s): s is string => isColour(s))) expect(colorize('x', sample, 'foreground'), sample).not.toBe('x');
    } finally {
      chalk.level = level;
    }
  });

  const DOCUMENTS: [string, unknown][] = [
    ['an array', []],
    ['no name', { tokens: DARK.tokens }],
    ['an empty name', { name: '', tokens: DARK.tokens }],
    ['a number as name', { name: 3, tokens: DARK.tokens }],
    ['a number as description', { name: 'x', description: 3, tokens: DARK.tokens }],
    ['a description', { name: 'x', description: 'mine', tokens: DARK.tokens }],
    ['an unknown key', { name: 'x', colours: {}, tokens: DARK.tokens }],
    ['no tokens', { name: 'x' }],
    ['tokens as an array', { name: 'x', tokens: [] }],
    ['a missing token', { name: 'x', tokens: { ...DARK.tokens, focus: undefined } }],
    ['an unknown token', { name: 'x', tokens: { ...DARK.tokens, leadr: 'red' } }],
    ['a $schema that is not a string', { $schema: 1, name: 'x', tokens: DARK.tokens }],
  ];

  it.each(DOCUMENTS)('a theme with %s: the checker and the schema give the same answer', (_, document) => {
    const text = JSON.stringify(document);
    let checker = true;
    try {
      parseThemeFile(text, 'mine.json');
    } catch {
      checker = false;
    }
    expect(validateBySchema(JSON.parse(text))).toBe(checker);
  });
});

describe('a bad theme file: one line that says file, line, column and what is wrong', () => {
  it('a JSON syntax error', () => {
    const text = '{\n  "name": "mine",\n  "tokens": {\n    "normal": "white",\n  }\n}\n';
    expect(errorOf(text)).toBe("mine.json:4:22: a comma before '}' (JSON allows none after the last entry)");
    expect(errorOf('{\n  "name": "mine",\n  "tokens": }\n')).toBe("mine.json:3:13: unexpected '}', expected a value");
    expect(errorOf('{\n  "name": mine\n}')).toBe('mine.json:2:11: unexpected mine, expected a value (strings need double quotes)');
    expect(errorOf('{\n  "name" "mine"\n}')).toBe(`mine.json:2:10: unexpected '"', expected ':' after "name"`);
    expect(errorOf("{'name': 'mine'}")).toBe(`mine.json:1:2: unexpected "'", expected a property name in double quotes`);
    expect(errorOf('{\n  "name": "mine",\n  "tokens": {\n')).toBe('mine.json:4:1: unexpected end of file, expected a property name in double quotes');
    expect(errorOf('{"name": "mi\nne"}')).toBe('mine.json:1:13: a line break inside a string (missing closing "?)');
    expect(errorOf('{} {}')).toBe("mine.json:1:4: unexpected '{' after the end of the JSON document");
    expect(errorOf('')).toBe('mine.json:1:1: the file is empty');
  });

  it('an unknown token, with the closest known one', () => {
    const text = themeText({ ...DARK.tokens, leadr: 'cyan' });
    expect(errorOf(text)).toBe(
      'mine.json:13:5: unknown token "leadr", did you mean "leader"? (tokens: normal, healthy, warning, critical, dim, leader, accent, border, focus)',
    );
    expect(errorOf(themeText({ ...DARK.tokens, background: 'black' }))).toBe(
      'mine.json:13:5: unknown token "background" (tokens: normal, healthy, warning, critical, dim, leader, accent, border, focus)',
    );
  });

  it('an unknown key', () => {
    expect(errorOf(themeText(DARK.tokens, { colors: {} }))).toBe('mine.json:3:3: unknown key "colors" (keys: $schema, name, description, tokens)');
  });

  it('a missing token, at the tokens object', () => {
    const { focus: _, ...withoutFocus } = DARK.tokens;
    expect(errorOf(themeText(withoutFocus))).toBe(
      `mine.json:3:3: missing token "focus" (a theme sets every token; null means the terminal's own colour)`,
    );
    const { leader: _l, border: _b, ...withoutTwo } = DARK.tokens;
    expect(errorOf(themeText(withoutTwo))).toMatch(/^mine\.json:3:3: missing tokens "leader", "border" \(/);
  });

  it('a bad colour, at its value', () => {
    expect(errorOf(themeText({ ...DARK.tokens, warning: 'orang' }))).toBe(
      'mine.json:6:16: token "warning": "orang" is not a colour (names like yellow, #rrggbb, rgb(r,g,b), ansi256(n))',
    );
    expect(errorOf(themeText({ ...DARK.tokens, warning: 'yelow' }))).toBe(
      'mine.json:6:16: token "warning": "yelow" is not a colour, did you mean "yellow"? (names like yellow, #rrggbb, rgb(r,g,b), ansi256(n))',
    );
    expect(errorOf(themeText({ ...DARK.tokens, dim: 244 }))).toBe(
      'mine.json:8:12: token "dim": 244 is not a colour (names like yellow, #rrggbb, rgb(r,g,b), ansi256(n))',
    );
  });

  it('not an object, no name, no tokens', () => {
    expect(errorOf('[]')).toBe('mine.json:1:1: a theme is a JSON object with "name" and "tokens"');
    expect(errorOf('{"tokens": {}}')).toBe(`mine.json:1:1: "name" is missing (the theme's name, like "dark")`);
    expect(errorOf('{"name": "mine"}')).toMatch(/^mine\.json:1:1: "tokens" is missing \(an object that sets normal, healthy, /);
    expect(errorOf('{"name": "mine", "tokens": "dark"}')).toMatch(/^mine\.json:1:28: "tokens" must be an object/);
  });

  it('Windows line endings and a byte order mark count as editors count them', () => {
    const text = '\uFEFF' + themeText({ ...DARK.tokens, warning: 'orang' }).replaceAll('\n', '\r\n');
    expect(errorOf(text)).toMatch(/^mine\.json:6:16: token "warning"/);
  });
});

describe('choosing a theme', () => {
  const home = join(scratch, 'home');
  const userConfig = join(home, '.config');
  const userThemes = join(userConfig, 'etcd-cockpit', 'themes');
  mkdirSync(userThemes, { recursive: true });
  const solarized = themeText({ ...DARK.tokens, leader: '#268bd2' }, { name: 'solarized' });
  writeFileSync(join(userThemes, 'solarized.json'), solarized);
  writeFileSync(join(userThemes, 'dark.json'), themeText({ ...DARK.tokens, leader: 'ansi256(33)' }, { name: 'my-dark' }));
  writeFileSync(join(userThemes, 'monochrome.json'), themeText({ ...DARK.tokens }, { name: 'not-monochrome' }));
  const ownFile = join(scratch, 'own.json');
  writeFileSync(ownFile, themeText({ ...DARK.tokens, critical: 'rgb(255,0,0)' }, { name: 'own' }));

  it('a path to the user\'s own file (with a / or ending in .json)', () => {
    const theme = chooseTheme(isolated(), ownFile);
    expect(theme.name).toBe('own');
    expect(theme.color('critical')).toBe('rgb(255,0,0)');
    const fromCwd = relative(process.cwd(), ownFile);
    expect(chooseTheme(isolated(), fromCwd.includes('/') ? fromCwd : `./${fromCwd}`).name).toBe('own');
    expect(chooseTheme(isolated({ HOME: scratch }), '~/own.json').name).toBe('own');
  });

  it('a name: the user\'s themes dir ($XDG_CONFIG_HOME, else ~/.config) first, then the built-in ones', () => {
    expect(chooseTheme({ XDG_CONFIG_HOME: userConfig }, 'solarized').color('leader')).toBe('#268bd2');
    expect(chooseTheme({ XDG_CONFIG_HOME: userConfig }, 'dark').name).toBe('my-dark');
    expect(chooseTheme({ HOME: home, XDG_CONFIG_HOME: 'relative/is/ignored' }, 'solarized').name).toBe('solarized');
    expect(chooseTheme({ XDG_CONFIG_HOME: userConfig }, 'light').name).toBe('light');
  });

  it('NO_COLOR picks the built-in monochrome over any requested theme', () => {
    for (const requested of ['dark', 'solarized', 'monochrome', ownFile, 'no-such-theme']) {
      const theme = chooseTheme({ XDG_CONFIG_HOME: userConfig, NO_COLOR: '1' }, requested);
      expect(theme.name).toBe('monochrome');
      expect(theme.monochrome).toBe(true);
      expect(theme.color('critical')).toBeUndefined();
    }
    expect(chooseTheme({ XDG_CONFIG_HOME: userConfig, NO_COLOR: '' }, 'light').name).toBe('light');
  });

  it('a theme that does not exist says which ones do', () => {
    expect(() => chooseTheme({ XDG_CONFIG_HOME: userConfig }, 'neon')).toThrow(
      `theme neon: no such theme (themes: dark, high-contrast, light, monochrome, solarized); yours go in ${userThemes}/, or pass a path like ./neon.json`,
    );
    expect(() => chooseTheme(isolated(), './nope.json')).toThrow(
      './nope.json: no such theme file (a theme is a name like dark, light, high-contrast or monochrome, or a path to a theme file)',
    );
    expect(() => chooseTheme(isolated(), 'dark theme')).toThrow('theme "dark theme": a theme is a name like dark');
    expect(() => chooseTheme(isolated(), scratch + '/')).toThrow(`${scratch}/: is a directory, not a theme file`);
  });

  it('a bad user theme names its own file', () => {
    writeFileSync(join(userThemes, 'broken.json'), themeText({ ...DARK.tokens, warning: 'orang' }));
    expect(() => chooseTheme({ XDG_CONFIG_HOME: userConfig }, 'broken')).toThrow(
      `${join(userThemes, 'broken.json')}:6:16: token "warning": "orang" is not a colour`,
    );
  });
});

describe('the command with a bad theme file', () => {
  // Without a terminal the command stops at "the live view needs a terminal" before it loads a theme,
  // so this runs it in a pseudo-terminal; no cluster is needed, nothing is contacted before the theme loads.
  it('exits 2 with one line naming the file, line and column, before the screen is taken over', async () => {
    const bad = join(scratch, 'bad-theme.json');
    writeFileSync(bad, themeText({ ...DARK.tokens, leadr: 'cyan' }));
    const env = { PATH: process.env.PATH ?? '', HOME: scratch, XDG_CONFIG_HOME: join(scratch, 'empty-config'), TERM: 'xterm-256color' };
    const screen = new PtyScreen(process.execPath, [BIN, '--endpoints', '127.0.0.1:1', '--theme', bad], { columns: 300, rows: 10, env });
    try {
      expect(await screen.waitForExit(15_000)).toBe(2);
      expect(screen.raw.trim()).toBe(
        `etcd-cockpit: ${bad}:13:5: unknown token "leadr", did you mean "leader"? (tokens: normal, healthy, warning, critical, dim, leader, accent, border, focus)`,
      );
    } finally {
      screen.kill();
    }
  }, 20_000);
});

/** A raw colour in a component, instead of a theme token. */
const RAW_COLOUR = [
  /\b(?:color|backgroundColor|borderColor)\s*=\s*\{?\s*["'`]/, // <Text color="red"> or color={'red'}
  /\b(?:color|backgroundColor|borderColor)\s*:\s*["'`]/, // { borderColor: 'gray' }
  /\bbackgroundColor\s*[=:]/, // no token is a background
  /\bchalk\.|from ["']chalk["']/,
  /\\(?:x1b|u001b|033)\[[0-9;]*m/i, // hand-written SGR colour codes
];

describe('components use theme tokens, never raw colours', () => {
  it('the scan catches what it is meant to catch', () => {
    for (const bad of ['<Text color="red">', "<Text color={'red'}>", '<Box borderColor="gray">', '{ borderColor: "gray" }', '<Text backgroundColor={x}>', "import chalk from 'chalk'", "'\\x1b[31m'"]) {
      expect(RAW_COLOUR.some((r) => r.test(bad)), bad).toBe(true);
    }
    for (const good of ['<Text color={color}>', "borderColor={theme.color('focus')}", "borderColor: theme.color(selected ? 'focus' : 'border')", '<Text dimColor>']) {
      expect(RAW_COLOUR.some((r) => r.test(good)), good).toBe(false);
    }
  });

  it('no file under src/ui has one', () => {
    const uiDir = join(ROOT, 'src', 'ui');
    const files = readdirSync(uiDir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
    expect(files.length).toBeGreaterThan(5);
    const violations: string[] = [];
    for (const file of files) {
      readFileSync(join(uiDir, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (RAW_COLOUR.some((r) => r.test(line))) violations.push(`src/ui/${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(violations).toEqual([]);
  });
});

/**
 * The subset of JSON Schema 2020-12 that themes/schema.json uses. A keyword this does not know fails
 * the test, so the schema cannot grow a rule that the comparison above silently ignores.
 */
interface Schema {
  [keyword: string]: unknown;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  $defs?: Record<string, Schema>;
  $ref?: string;
  anyOf?: Schema[];
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
}
const ANNOTATIONS = new Set(['$schema', 'title', 'description', '$defs']);

function validateBySchema(value: unknown, schema: Schema = SCHEMA): boolean {
  for (const keyword of Object.keys(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    if (!validKeyword(keyword, value, schema)) return false;
  }
  return true;
}

function validKeyword(keyword: string, value: unknown, schema: Schema): boolean {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  const object = value as Record<string, unknown>;
  switch (keyword) {
    case 'type':
      return schema.type === 'null' ? value === null : schema.type === 'object' ? isObject : typeof value === schema.type;
    case 'properties':
      return !isObject || Object.entries(schema.properties!).every(([k, s]) => !Object.hasOwn(object, k) || validateBySchema(object[k], s));
    case 'required':
      return !isObject || schema.required!.every((k) => Object.hasOwn(object, k));
    case 'additionalProperties':
      return !isObject || schema.additionalProperties !== false || Object.keys(object).every((k) => Object.hasOwn(schema.properties ?? {}, k));
    case '$ref': {
      const [, defs, name] = schema.$ref!.split('/');
      return validateBySchema(value, (SCHEMA[defs!] as Record<string, Schema>)[name!]!);
    }
    case 'anyOf':
      return schema.anyOf!.some((s) => validateBySchema(value, s));
    case 'enum':
      return schema.enum!.some((e) => e === value);
    case 'pattern':
      return typeof value !== 'string' || new RegExp(schema.pattern!, 'u').test(value);
    case 'minLength':
      return typeof value !== 'string' || [...value].length >= schema.minLength!;
    default:
      throw new Error(`themes/schema.json uses "${keyword}", which this test's schema reader does not know`);
  }
}
