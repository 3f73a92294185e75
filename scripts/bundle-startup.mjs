#!/usr/bin/env node
// What a command loads from the bundle: the entry's static imports plus those
// of the modules it imports on demand (named as in dist/, e.g.
// dist/cli/commands/status.js), and the sources in them by size. Usage:
//   BUNDLE_METAFILE=/tmp/meta.json node scripts/bundle.mjs
//   node scripts/bundle-startup.mjs /tmp/meta.json [dist/cli/commands/status.js ...]
import { readFileSync } from 'node:fs';

const [metafile, ...onDemand] = process.argv.slice(2);
const { outputs } = JSON.parse(readFileSync(metafile, 'utf8'));
const chunkOf = (entryPoint) => Object.keys(outputs).find((path) => outputs[path].entryPoint === entryPoint);
// Dynamic import targets are entry points too: the command's entry is the one named after it.
const entry = Object.keys(outputs).find((path) => path.endsWith('/etcd-cockpit.js'));
const loaded = new Set();
const pending = [entry, ...onDemand.map(chunkOf)];
while (pending.length > 0) {
  const path = pending.pop();
  if (path === undefined || loaded.has(path)) continue;
  loaded.add(path);
  for (const imported of outputs[path].imports) if (imported.kind === 'import-statement' && outputs[imported.path]) pending.push(imported.path);
}
const sources = [...loaded].flatMap((path) => Object.entries(outputs[path].inputs).map(([input, { bytesInOutput }]) => [input, bytesInOutput]));
const total = sources.reduce((sum, [, bytes]) => sum + bytes, 0);
const builtins = new Set([...loaded].flatMap((path) => outputs[path].imports.filter((i) => i.external).map((i) => i.path)));
console.log(`${loaded.size} files, ${total} bytes loaded; external: ${[...builtins].sort().join(' ')}`);
for (const [input, bytes] of sources.sort((a, b) => b[1] - a[1])) if (bytes > 0) console.log(String(bytes).padStart(8), input);
