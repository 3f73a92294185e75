import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { diffAnsiCodes, styledCharsFromTokens, styledCharsToString, tokenize } from '@alcalzone/ansi-tokenize';
import { fastAnsiDiff } from '../scripts/fast-ansi-diff.mjs';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-ansi-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The library as the bundle ships it: built through the plugin. */
async function patched(): Promise<{ diffAnsiCodes: typeof diffAnsiCodes; styledCharsToString: typeof styledCharsToString }> {
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, "export { diffAnsiCodes, styledCharsToString } from '@alcalzone/ansi-tokenize';\n");
  const outfile = join(dir, 'out.mjs');
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile, plugins: [fastAnsiDiff], nodePaths: [join(process.cwd(), 'node_modules')], logLevel: 'silent' });
  expect(readFileSync(outfile, 'utf8')).toContain('if (from.length === 0) return to.slice();');
  return (await import(pathToFileURL(outfile).href)) as never;
}

const E = '\x1b[';
const samples = [
  'plain text',
  `${E}1mbold${E}22m then ${E}2mdim${E}22m and ${E}1m${E}2mboth${E}22m`,
  `${E}31mred ${E}1mbold red${E}39m bold${E}22m none`,
  `${E}38;5;208morange${E}39m ${E}48;2;10;20;30mbg${E}49m ${E}4m${E}7munder inverse${E}27m${E}24m`,
  `${E}32m${E}1mgreen bold${E}0m reset ${E}90mgrey${E}39m`,
];

describe('the bundle\'s fast path in ansi-tokenize\'s style diff', () => {
  it('diffs every pair of styles of real strings exactly as the library does', async () => {
    const fast = await patched();
    const styles = samples.flatMap((s) => styledCharsFromTokens(tokenize(s)).map((c) => c.styles));
    let pairs = 0;
    for (const from of styles) {
      for (const to of styles) {
        expect(fast.diffAnsiCodes(from, to)).toEqual(diffAnsiCodes(from, to));
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(1000);
  });

  it('renders whole lines to the same bytes', async () => {
    const fast = await patched();
    for (const s of samples) {
      const chars = styledCharsFromTokens(tokenize(s));
      expect(fast.styledCharsToString(chars)).toBe(styledCharsToString(chars));
    }
  });
});
