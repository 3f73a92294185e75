#!/usr/bin/env node
// Rewrites the README key table between its markers from the action registry (after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const table = execFileSync(process.execPath, [fileURLToPath(new URL('./print-key-table.mjs', import.meta.url))], { encoding: 'utf8' }).trim();
const text = readFileSync(readme, 'utf8');
const start = '<!-- keys:start -->';
const end = '<!-- keys:end -->';
const from = text.indexOf(start) + start.length;
const to = text.indexOf(end);
if (from < start.length || to < from) throw new Error('README.md has no key table markers');
writeFileSync(readme, `${text.slice(0, from)}\n${table}\n${text.slice(to)}`);
