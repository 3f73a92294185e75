#!/usr/bin/env node
// Bundles tsc's output (dist/app/main.js) and its dependencies into
// dist/bundle/: one entry file and the chunks it imports on demand (the live
// view, the runbook, SSH), so a one-shot command loads a few files instead of
// hundreds. bin/etcd-cockpit runs it when it is newer than dist/app/main.js.
import { rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { fastAnsiDiff } from './fast-ansi-diff.mjs';
import { fastAnsiTokenize } from './fast-ansi-tokenize.mjs';
import { fastStringWidth } from './fast-string-width.mjs';
import { inkOutputLineCache } from './ink-output-line-cache.mjs';
import { yogaWasmFromBuffer } from './yoga-wasm-from-buffer.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const outdir = join(dist, 'bundle');

/**
 * Our modules find files next to them (package.json, themes/, the PKI worker,
 * the project's etcd cache) and require etcd3 through `import.meta.url`. In
 * the bundle that URL would be the bundle's; this gives each module the URL
 * it has in dist/, which ships beside the bundle.
 */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist + sep)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromBundle = relative(outdir, args.path).split(sep).join('/');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

// Chunk names change with their content: old ones must not linger and ship.
rmSync(outdir, { recursive: true, force: true });

/**
 * yaml's build for Node is CommonJS: bundled, every one of its modules runs
 * when the inventory is first read. Its ES module build (the same code) lets
 * esbuild keep only what the cockpit uses.
 */
const yamlAsEsm = {
  name: 'yaml-as-esm',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, async (args) => {
      // Its exports map names only package.json and the two entry points, not the file itself.
      const pkg = await b.resolve('yaml/package.json', { kind: args.kind, resolveDir: args.resolveDir });
      if (pkg.errors.length > 0) return { errors: pkg.errors };
      return { path: join(dirname(pkg.path), 'browser', 'index.js') };
    });
  },
};

const result = await build({
  entryPoints: { 'etcd-cockpit': join(dist, 'app/main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // React picks its production build at run time from NODE_ENV; the bin sets it, so only that build is bundled.
  define: { 'process.env.NODE_ENV': '"production"' },
  external: [
    // ssh2's optional native speed-ups: never built by npm 11 (install scripts are skipped); ssh2 catches their absence.
    'cpu-features',
    '*.node',
    // Loaded with require() when an operation first needs a client (the poller never does), so it stays out of what status loads.
    'etcd3',
    // Ink imports it only with DEV=true, for React DevTools; not a dependency.
    'react-devtools-core',
  ],
  // Bundled CommonJS modules call require() for Node's built-ins, and ssh2 reads __dirname when it loads (for files it never opens on Linux).
  banner: {
    js: [
      "import { createRequire as __cockpitRequire } from 'node:module';",
      "import { dirname as __cockpitDirname } from 'node:path';",
      "import { fileURLToPath as __cockpitFileURLToPath } from 'node:url';",
      'const require = __cockpitRequire(import.meta.url);',
      'const __filename = __cockpitFileURLToPath(import.meta.url);',
      'const __dirname = __cockpitDirname(__filename);',
    ].join(' '),
  },
  plugins: [keepModuleUrls, yamlAsEsm, fastAnsiDiff, fastAnsiTokenize, fastStringWidth, inkOutputLineCache, yogaWasmFromBuffer],
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // To see what a command loads: BUNDLE_METAFILE=/tmp/meta.json npm run build, then scripts/bundle-startup.mjs.
  metafile: Boolean(process.env.BUNDLE_METAFILE),
}).catch(() => process.exit(1)); // esbuild has printed what failed and where
if (process.env.BUNDLE_METAFILE) writeFileSync(process.env.BUNDLE_METAFILE, JSON.stringify(result.metafile));
