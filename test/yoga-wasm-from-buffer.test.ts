import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { yogaWasmFromBuffer } from '../scripts/yoga-wasm-from-buffer.mjs';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-yoga-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small flex tree (rows, a column, padding, a fixed and a growing child) laid out at two widths. */
const ENTRY = `
import Yoga from 'yoga-layout';
export function layouts() {
  const out = [];
  for (const width of [120, 37]) {
    const root = Yoga.Node.create();
    root.setWidth(width);
    root.setFlexDirection(Yoga.FLEX_DIRECTION_ROW);
    root.setPadding(Yoga.EDGE_ALL, 1);
    const fixed = Yoga.Node.create();
    fixed.setWidth(10);
    fixed.setHeight(3);
    const grow = Yoga.Node.create();
    grow.setFlexGrow(1);
    grow.setFlexDirection(Yoga.FLEX_DIRECTION_COLUMN);
    const inner = Yoga.Node.create();
    inner.setHeight(2);
    grow.insertChild(inner, 0);
    root.insertChild(fixed, 0);
    root.insertChild(grow, 1);
    root.calculateLayout(undefined, undefined, Yoga.DIRECTION_LTR);
    out.push([root, fixed, grow, inner].map((n) => n.getComputedLayout()));
    root.freeRecursive();
  }
  return out;
}
`;

async function bundled(name: string, plugins: Plugin[]): Promise<{ layouts: () => unknown }> {
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, ENTRY);
  const outfile = join(dir, `${name}.mjs`);
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile, plugins, nodePaths: [join(process.cwd(), 'node_modules')], logLevel: 'silent' });
  return (await import(pathToFileURL(outfile).href)) as never;
}

describe("the bundle's yoga loader", () => {
  it('reads the wasm from its data URL without fetch, and lays out exactly as the library does', async () => {
    const realFetch = globalThis.fetch;
    let fetchCalls = 0;
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
      fetchCalls++;
      return realFetch(...args);
    }) as typeof fetch;
    try {
      const patched = await bundled('patched', [yogaWasmFromBuffer]);
      expect(fetchCalls).toBe(0);
      expect(readFileSync(join(dir, 'patched.mjs'), 'utf8')).toContain('Buffer.from(H.slice(37)');
      const plain = await bundled('plain', []);
      expect(fetchCalls).toBe(1); // the library's own way: fetch(dataURL)
      expect(patched.layouts()).toEqual(plain.layouts());
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
