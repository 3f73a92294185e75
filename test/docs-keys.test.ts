import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { keyTableMarkdown } from '../src/ui/key-table.js';

describe('README key table', () => {
  it('is the one the action registry generates', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.split('<!-- keys:start -->\n')[1]?.split('\n<!-- keys:end -->')[0];
    expect(table, 'README key table is out of date: run `npm run build && node scripts/update-readme-keys.mjs`').toBe(keyTableMarkdown());
  });
});
