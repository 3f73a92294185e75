import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { inkOutputLineCache } from '../scripts/ink-output-line-cache.mjs';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-ink-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Frames of a screen like the cockpit's (borders, colours, dim text, wide
 * characters, emoji, a Transform, a clipped box, lines that change and lines
 * that stay), drawn by a real Ink into a fake terminal: every write, in order.
 */
const ENTRY = `
import React from 'react';
import { render, Box, Text, Transform } from 'ink';
import { EventEmitter } from 'node:events';
const h = React.createElement;
function Screen({ n }) {
  return h(Box, { flexDirection: 'column', width: 60 },
    h(Box, { borderStyle: 'round', borderColor: n % 2 ? 'green' : 'red', flexDirection: 'column' },
      h(Text, { bold: true }, 'etcd-1 ', h(Text, { color: 'yellow' }, '★ leader'), ' term ', String(n)),
      h(Text, { dimColor: true }, 'db 20.5 kB · in use 16.4 kB (80%) ▁▂▃▅▇'),
      h(Text, null, n % 3 ? '中文 👍 ok' : 'é and e\\u0301 · ✓'),
      h(Transform, { transform: (line) => line.toUpperCase() }, h(Text, { color: 'cyan' }, 'transformed ' + (n % 2))),
    ),
    h(Box, { width: 12, overflow: 'hidden' }, h(Text, { inverse: n % 2 === 0 }, 'a long line that is clipped at twelve columns ' + n)),
    h(Text, null, 'the same line every frame'),
    h(Text, null, 'the same start, then ' + (n % 4)),
    h(Text, { color: n % 2 ? 'green' : 'red' }, 'the same text in another colour'),
  );
}
export async function frames(count) {
  const writes = [];
  const out = new EventEmitter();
  Object.assign(out, { columns: 80, rows: 24, isTTY: true, write: (s) => (writes.push(s), true) });
  const stdin = new EventEmitter();
  Object.assign(stdin, { isTTY: true, setRawMode() {}, setEncoding() {}, read: () => null, ref() {}, unref() {}, resume() {}, pause() {} });
  const app = render(h(Screen, { n: 0 }), { stdout: out, stdin, exitOnCtrlC: false, patchConsole: false, debug: true });
  for (let n = 1; n < count; n++) app.rerender(h(Screen, { n }));
  app.unmount();
  return writes;
}
`;

/** Ink imports React DevTools only with DEV=true; in one file without splitting the import would be hoisted. */
const noDevtools: Plugin = {
  name: 'no-devtools',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default {};', loader: 'js' }));
  },
};

async function bundled(name: string, plugins: Plugin[]): Promise<{ frames: (count: number) => Promise<string[]> }> {
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, ENTRY);
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    plugins: [...plugins, noDevtools],
    nodePaths: [join(process.cwd(), 'node_modules')],
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  return (await import(pathToFileURL(outfile).href)) as never;
}

describe("the bundle's line cache in Ink's output", () => {
  it('draws every frame exactly as Ink without it does', async () => {
    const plain = await (await bundled('plain', [])).frames(8);
    const cached = await (await bundled('cached', [inkOutputLineCache])).frames(8);
    expect(plain.length).toBeGreaterThanOrEqual(8);
    expect(cached).toEqual(plain);
    expect(new Set(plain).size).toBeGreaterThan(2); // the frames differ: the cache was asked for new lines, not only old ones
  });
});
