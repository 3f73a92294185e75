import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { randomStrings } from './helpers/random-strings.js';
import { fastStringWidth, TABLE_END } from '../scripts/fast-string-width.mjs';

type StringWidth = (input: string, options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean }) => number;

const dir = mkdtempSync(join(tmpdir(), 'cockpit-string-width-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Ink uses string-width 8 itself; wrap-ansi and widest-line bring 7, which measures hundreds of code points differently.
const VERSIONS = { 'string-width 8 (ink)': 'node_modules/string-width/index.js', 'string-width 7 (wrap-ansi)': 'node_modules/wrap-ansi/node_modules/string-width/index.js' };

/** One version as the bundle ships it (through the plugin), and as the library is. */
async function both(path: string): Promise<{ fast: StringWidth; library: StringWidth }> {
  const name = path.replaceAll('/', '_');
  const entry = join(dir, `${name}.entry.mjs`);
  writeFileSync(entry, `export { default } from ${JSON.stringify(join(process.cwd(), path))};\n`);
  const outfile = join(dir, `${name}.out.mjs`);
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile, plugins: [fastStringWidth], logLevel: 'silent' });
  expect(readFileSync(outfile, 'utf8')).toContain('function libraryStringWidth(');
  const fast = ((await import(pathToFileURL(outfile).href)) as { default: StringWidth }).default;
  const library = ((await import(pathToFileURL(join(process.cwd(), path)).href)) as { default: StringWidth }).default;
  return { fast, library };
}

/** Pieces that stand alone and pieces that join or escape: what a pane, a sparkline or a member name can hold. */
const PIECES = [
  'etcd-1', ' ', '│', '─', '┌', '╭', '▁', '▃', '█', '●', '○', '·', '✓', '✗', '⚠', '↑', '→', '…', 'é', 'ß', '°',
  '\u0301', '\u200d', '\ufe0f', '\u20e3', '\u1100', '\u1161', '\u11a8', '\u0915', '\u093f', '\u0600', '\r', '\n', '\t',
  '\x1b[31m', '\x1b[0m', '\x9b', '\u00ad', '中', '\u3000', '👍', '🏽', '\ud800', '❤', '#', '1', '\u2026', '\u2e80',
];

describe("the bundle's table in front of string-width", () => {
  for (const [label, path] of Object.entries(VERSIONS)) {
    it(`measures every code point below U+${TABLE_END.toString(16)} as ${label} does`, async () => {
      const { fast, library } = await both(path);
      for (let code = 0; code < TABLE_END + 0x100; code++) {
        const s = String.fromCharCode(code);
        if (fast(s) !== library(s)) expect.fail(`U+${code.toString(16)}: ${fast(s)} vs ${library(s)}`);
      }
    });

    it(`measures mixed strings (joiners, marks, escape codes, emoji, CJK) as ${label} does`, async () => {
      const { fast, library } = await both(path);
      for (const s of [...PIECES, ...randomStrings(PIECES, 20_000, 7, 8), '│ etcd-1 ● leader ▁▂▃▅▇ 12.3 MB · ok │']) {
        if (fast(s) !== library(s)) expect.fail(`${JSON.stringify(s)}: ${fast(s)} vs ${library(s)}`);
      }
      expect(fast('│ ● ·', { ambiguousIsNarrow: false })).toBe(library('│ ● ·', { ambiguousIsNarrow: false }));
      expect(fast('\x1b[31m│\x1b[0m', { countAnsiEscapeCodes: true })).toBe(library('\x1b[31m│\x1b[0m', { countAnsiEscapeCodes: true }));
    });
  }
});
