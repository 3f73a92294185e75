// Ink draws every frame through @alcalzone/ansi-tokenize, which diffs the
// styles of each cell against its neighbour with three new Sets per cell:
// ~6 MB of garbage per 120x40 frame, most of it for cells whose styles did not
// change. This esbuild plugin adds the two cases that need no Sets (no styles
// on either side; the same styles on both) in front of diffAnsiCodes, with the
// result the full diff would give. The build fails if the function changed.
import { readFile } from 'node:fs/promises';

const SIGNATURE = 'export function diffAnsiCodes(from, to) {';
const FAST_PATH = `
    if (from.length === 0) return to.slice();
    if (from.length === to.length && from.every((c, i) => c.code === to[i].code && c.endCode === to[i].endCode)) return [];`;

export const fastAnsiDiff = {
  name: 'fast-ansi-diff',
  setup(b) {
    b.onLoad({ filter: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]diff\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(SIGNATURE)) {
        return { errors: [{ text: `fast-ansi-diff: ${args.path} no longer has "${SIGNATURE}": check the fast path against the new code` }] };
      }
      return { contents: source.replace(SIGNATURE, SIGNATURE + FAST_PATH), loader: 'js' };
    });
  },
};
