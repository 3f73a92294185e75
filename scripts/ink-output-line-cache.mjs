// Ink draws each frame from scratch: a new blank cell (an object and a styles
// array) for every cell of the screen, then every line of every text node cut
// into styled cells again (tokenize, an object and a styles array per cell),
// though most lines are the very strings of the frame before. This esbuild
// plugin fills the grid with one shared blank cell and keeps the cells of the
// lines of the last two frames drawn, handing those out again for an equal
// line: Ink only places cells in its grid and reads them, never changes one.
// So a row of the grid made of the very cells of the frame before is the same
// text, and is not turned into a string again. The build fails if Ink's code
// around it changed.
import { readFile } from 'node:fs/promises';

const CUT = 'const characters = styledCharsFromTokens(tokenize(line));';
const FRAME_START = '    get() {';
const BLANK_CELL = `                row.push({
                    type: 'char',
                    value: ' ',
                    fullWidth: false,
                    styles: [],
                });`;
const ROW_TEXT = 'return styledCharsToString(lineWithoutEmptyItems).trimEnd();';
const ROWS = '            .map(line => {';
const CACHE = `
const BLANK_CELL = Object.freeze({ type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([]) });
/** The cells of each line written in this frame and the one before (see scripts/ink-output-line-cache.mjs). */
let cellsThisFrame = new Map();
let cellsLastFrame = new Map();
function cellsOf(line) {
    let cells = cellsThisFrame.get(line);
    if (cells === undefined) {
        cells = cellsLastFrame.get(line) ?? styledCharsFromTokens(tokenize(line));
        cellsThisFrame.set(line, cells);
    }
    return cells;
}
/** Each row's cells and text in the frame before, by row. */
let rowsLastFrame = [];
let rowsThisFrame = [];
function rowText(cells, y) {
    const last = rowsLastFrame[y];
    if (last !== undefined && last.cells.length === cells.length && last.cells.every((cell, x) => cell === cells[x])) {
        rowsThisFrame[y] = last;
        return last.text;
    }
    const text = styledCharsToString(cells).trimEnd();
    rowsThisFrame[y] = { cells, text };
    return text;
}
`;

export const inkOutputLineCache = {
  name: 'ink-output-line-cache',
  setup(b) {
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]output\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const missing = [CUT, FRAME_START, BLANK_CELL, ROW_TEXT, ROWS].find((needed) => source.split(needed).length !== 2);
      if (missing) return { errors: [{ text: `ink-output-line-cache: ${args.path} no longer has "${missing}" once: check the cache against the new code` }] };
      const patched = source
        .replace(CUT, 'const characters = cellsOf(line);')
        .replace(BLANK_CELL, '                row.push(BLANK_CELL);')
        .replace(ROW_TEXT, 'return rowText(lineWithoutEmptyItems, y);')
        .replace(ROWS, '            .map((line, y) => {')
        .replace(FRAME_START, `${FRAME_START}\n        cellsLastFrame = cellsThisFrame;\n        cellsThisFrame = new Map();\n        rowsLastFrame = rowsThisFrame;\n        rowsThisFrame = [];`);
      return { contents: patched + CACHE, loader: 'js' };
    });
  },
};
