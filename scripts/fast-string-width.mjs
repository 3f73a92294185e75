// Ink measures every cell of every frame with string-width, and any string
// that is not plain ASCII (a box border, a sparkline, a bullet) goes through
// Intl.Segmenter and three Unicode-property regexes: ~10 µs per cell, and the
// first call compiles those regexes (~35 ms of the first frame). This esbuild
// plugin puts a table in front: the width the library itself gives each code
// point below U+3000, computed at build time from the very file being bundled
// (string-width 7 and 8 disagree on hundreds of them). A string made only of
// code points that always stand alone as a grapheme is the sum of theirs,
// once stripped of escape codes as the library strips them; anything else
// (combining marks, joiners, variation selectors, Hangul jamo, surrogates,
// U+3000 and up, options) goes to the library as before. The build fails if the function it wraps changed.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const SIGNATURE = 'export default function stringWidth(';
/** Both versions strip escape codes with it; the fast path strips them the same way. */
const STRIP_IMPORT = "import stripAnsi from 'strip-ansi';";
export const TABLE_END = 0x3000;
/** In the table: "ask the library" (the code point can join its neighbours, or starts an escape code). */
const ASK = 3;

/** Whether a code point is its own grapheme whatever stands around it. */
function standsAlone(code, segmenter) {
  if (code === 0x1b || code === 0x9b) return false; // ANSI escape codes: the library strips them first
  if (code >= 0xd800 && code <= 0xdfff) return false;
  if (code >= 0x1100 && code <= 0x11ff) return false; // Hangul jamo join each other
  const c = String.fromCharCode(code);
  for (const around of ['a', ' ', '\r', '\n', '\u0915', '\u1100', c]) {
    if ([...segmenter.segment(around + c + around)].length !== 3) return false;
  }
  return true;
}

/** A value per code point below TABLE_END, as `[start, value]` runs (a few hundred, not 12,288 numbers in the bundle). */
export function tableRuns(valueOf) {
  const segmenter = new Intl.Segmenter();
  const runs = [];
  let previous = -1;
  for (let code = 0; code < TABLE_END; code++) {
    const value = valueOf(code, standsAlone(code, segmenter));
    if (value !== previous) runs.push([code, value]);
    previous = value;
  }
  return runs;
}

/** The code that rebuilds such a table as a Uint8Array named `name` when the bundle loads. */
export function tableSource(name, runs) {
  return `const ${name} = new Uint8Array(${TABLE_END});
{
  const runs = ${JSON.stringify(runs)};
  runs.forEach(([start, value], i) => ${name}.fill(value, start, i + 1 < runs.length ? runs[i + 1][0] : ${TABLE_END}));
}`;
}

/** The library's width of each lone code point, or ASK. */
export async function widthRuns(stringWidthPath) {
  const { default: stringWidth } = await import(pathToFileURL(stringWidthPath).href);
  return tableRuns((code, alone) => {
    const value = alone ? stringWidth(String.fromCharCode(code)) : ASK;
    if (![0, 1, 2, ASK].includes(value)) throw new Error(`fast-string-width: U+${code.toString(16)} is ${value} wide`);
    return value;
  });
}

function fastPath(runs) {
  return `
${tableSource('fastWidths', runs)}
export default function stringWidth(input, options) {
  if (options === undefined && typeof input === 'string') {
    const text = input.includes('\\u001B') || input.includes('\\u009B') ? stripAnsi(input) : input;
    let width = 0;
    let i = 0;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= ${TABLE_END} || fastWidths[code] === ${ASK}) break;
      width += fastWidths[code];
    }
    if (i === text.length) return width;
  }
  return libraryStringWidth(input, options);
}
`;
}

export const fastStringWidth = {
  name: 'fast-string-width',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(SIGNATURE) || !source.includes(STRIP_IMPORT)) {
        return { errors: [{ text: `fast-string-width: ${args.path} no longer has "${SIGNATURE}" and "${STRIP_IMPORT}": check the fast path against the new code` }] };
      }
      const renamed = source.replace(SIGNATURE, 'function libraryStringWidth(');
      return { contents: renamed + fastPath(await widthRuns(args.path)), loader: 'js' };
    });
  },
};
