/**
 * The import rules of ARCHITECTURE.md, checked from the source: core is the
 * domain and depends on nothing outside it; adapters implement core's ports;
 * the TUI (ui) and the plain commands (cli) never reach into each other; only
 * the wiring root (app) sees everything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const LAYERS = ['core', 'adapters', 'state', 'ui', 'cli', 'app'] as const;
type Layer = (typeof LAYERS)[number];

/** Which layers each layer may import (its own included). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  core: ['core'],
  adapters: ['adapters', 'core'],
  state: ['state', 'core', 'adapters'],
  ui: ['ui', 'state', 'core'],
  cli: ['cli', 'state', 'core', 'adapters'],
  app: [...LAYERS],
};

/** Packages that talk to the outside world: adapters (or the wiring above them) only. */
const CORE_FORBIDDEN_PACKAGES = ['etcd3', 'ssh2', 'ink', 'react', 'zustand', 'cockatiel', 'node:child_process', 'child_process', 'node:https', 'node:http'];

interface ImportRef {
  file: string;
  line: number;
  spec: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Static imports, re-exports and dynamic import() calls, type-only ones included. */
export function importsOf(file: string): ImportRef[] {
  const refs: ImportRef[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/g)) refs.push({ file, line: i + 1, spec: m[2]! });
    });
  return refs;
}

function layerOf(path: string): Layer | undefined {
  const top = relative(SRC, path).split('/')[0];
  return (LAYERS as readonly string[]).includes(top ?? '') ? (top as Layer) : undefined;
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    if (!from) {
      found.push(`${relative(SRC, file)}: outside every layer (${LAYERS.join(', ')})`);
      continue;
    }
    for (const ref of importsOf(file)) {
      const where = `src/${relative(SRC, ref.file)}:${ref.line}`;
      if (ref.spec.startsWith('.')) {
        const to = layerOf(resolve(dirname(ref.file), ref.spec));
        if (!to || !MAY_IMPORT[from].includes(to)) found.push(`${where}: ${from} imports ${to ?? 'outside src'} (${ref.spec})`);
      } else if (from === 'core' && CORE_FORBIDDEN_PACKAGES.includes(ref.spec)) {
        found.push(`${where}: core imports ${ref.spec} (declare a port in src/core/ports and implement it in adapters)`);
      }
    }
  }
  return found;
}

describe('layers', () => {
  it('every import follows the layer rules of ARCHITECTURE.md', () => {
    expect(violations()).toEqual([]);
  });

  it('the checker sees static, type-only, re-exported and dynamic imports', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const sample = join(dir, 'fixtures', 'layer-sample.ts.txt');
    expect(importsOf(sample).map((r) => r.spec)).toEqual(['../adapters/a.js', '../adapters/b.js', '../cli/c.js', '../ui/d.js', 'etcd3', './side-effect.js']);
  });
});
