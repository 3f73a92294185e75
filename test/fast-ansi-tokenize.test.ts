import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { randomStrings } from './helpers/random-strings.js';
import { tokenize } from '@alcalzone/ansi-tokenize';
import { fastAnsiTokenize } from '../scripts/fast-ansi-tokenize.mjs';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-ansi-tokenize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The library as the bundle ships it: built through the plugin. */
async function patched(): Promise<typeof tokenize> {
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, "export { tokenize } from '@alcalzone/ansi-tokenize';\n");
  const outfile = join(dir, 'out.mjs');
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile, plugins: [fastAnsiTokenize], nodePaths: [join(process.cwd(), 'node_modules')], logLevel: 'silent' });
  expect(readFileSync(outfile, 'utf8')).toContain('function libraryTokenize(');
  return ((await import(pathToFileURL(outfile).href)) as { tokenize: typeof tokenize }).tokenize;
}

const E = '\x1b[';
/** What Ink's lines hold: styles (compound, 8- and 24-bit), links, box drawing, and what must go the long way. */
const PIECES = [
  'etcd-1', ' ', '│', '─', '╭', '▁', '█', '●', '·', '✓', '⚠', '→', '…', 'é', '°',
  `${E}1m`, `${E}22m`, `${E}31m`, `${E}39m`, `${E}1;3;31m`, `${E}38;5;208m`, `${E}48;2;10;20;30m`, `${E}0m`, `${E}m`, '\x1b', '\x1b[', '\x1bx', `${E}12`,
  '\x1b]8;;https://etcd.io\x07', '\x1b]8;;\x07', '\x1b]8;', '\x9b31m',
  '\u0301', '\u200d', '\ufe0f', '\u1100', '\u1161', '\u0915', '\u093f', '\r', '\n', '中', '👍', '🏽', '🇩🇪', '\ud800',
];

describe("the bundle's fast path in ansi-tokenize's tokenize", () => {
  it('gives the same tokens as the library for every code point below U+3100, alone and between styles', async () => {
    const fast = await patched();
    for (let code = 0; code < 0x3100; code++) {
      for (const s of [String.fromCharCode(code), `${E}1m${String.fromCharCode(code)}x${E}22m`]) {
        expect(fast(s), `U+${code.toString(16)}`).toEqual(tokenize(s));
      }
    }
  });

  it('gives the same tokens for mixed lines (escape codes, links, marks, joiners, emoji, CJK), with and without a width limit', async () => {
    const fast = await patched();
    for (const s of [...PIECES, ...randomStrings(PIECES, 20_000, 11, 10), `${E}2m│${E}22m etcd-1 ${E}32m●${E}39m leader ▁▂▃▅▇ 12.3 MB`]) {
      expect(fast(s), JSON.stringify(s)).toEqual(tokenize(s));
      expect(fast(s, 3), JSON.stringify(s)).toEqual(tokenize(s, 3));
    }
  });
});
