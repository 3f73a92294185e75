// Ink cuts every line of every frame into graphemes with ansi-tokenize's
// tokenize(), which walks the whole line with Intl.Segmenter: an object per
// grapheme from ICU, the largest single cost of a frame and much of its
// garbage. This esbuild plugin puts a loop over UTF-16 units in front for
// lines made only of escape codes and code points below U+3000 that are
// their own grapheme whatever surrounds them (fast-string-width.mjs decides
// which, at build time): one grapheme per code point, so the same tokens in
// the same order. Any other line
// (a combining mark, a joiner, emoji, CJK) goes to the library as before.
// The build fails if the function it wraps changed.
import { readFile } from 'node:fs/promises';
import { TABLE_END, tableRuns, tableSource } from './fast-string-width.mjs';

const SIGNATURE = 'export function tokenize(str, endChar = Number.POSITIVE_INFINITY) {';
/** What the loop calls in the library's own module: it must still define them. */
const NEEDS = [
  'function parseLinkCode(',
  'function parseSGRSequence(',
  'function splitCompoundSGRSequences(',
  'import isFullwidthCodePoint from "is-fullwidth-code-point";',
  'import { CSI, ESCAPES, getEndCode, linkCodePrefix, linkCodePrefixCharCodes, OSC, } from "./ansiCodes.js";',
];

/** 1 where the code point is its own grapheme whatever surrounds it. */
export function aloneRuns() {
  return tableRuns((_code, alone) => (alone ? 1 : 0));
}

function fastPath(runs) {
  return `
${tableSource('standsAlone', runs)}
export function tokenize(str, endChar = Number.POSITIVE_INFINITY) {
  // The whole line first: a mark or joiner anywhere would join the grapheme before it.
  for (let index = 0; index < str.length; index++) {
    const codePoint = str.charCodeAt(index);
    if (codePoint !== 0x1b && (codePoint >= ${TABLE_END} || standsAlone[codePoint] === 0)) return libraryTokenize(str, endChar);
  }
  const ret = [];
  let visible = 0;
  for (let index = 0; index < str.length; ) {
    const codePoint = str.charCodeAt(index);
    if (codePoint === 0x1b) {
      let code;
      const nextCodePoint = str.codePointAt(index + 1);
      if (nextCodePoint === OSC) {
        code = parseLinkCode(str, index);
        if (code) ret.push({ type: "ansi", code: code, endCode: getEndCode(code) });
      } else if (nextCodePoint === CSI) {
        code = parseSGRSequence(str, index);
        if (code) {
          for (const individualCode of splitCompoundSGRSequences(code)) ret.push({ type: "ansi", code: individualCode, endCode: getEndCode(individualCode) });
        }
      }
      if (code) {
        index += code.length;
        continue;
      }
    }
    const fullWidth = isFullwidthCodePoint(codePoint);
    ret.push({ type: "char", value: str[index], fullWidth });
    visible += fullWidth ? 2 : 1;
    if (visible >= endChar) break;
    index++;
  }
  return ret;
}
`;
}

export const fastAnsiTokenize = {
  name: 'fast-ansi-tokenize',
  setup(b) {
    let runs;
    b.onLoad({ filter: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const missing = [SIGNATURE, ...NEEDS].find((needed) => !source.includes(needed));
      if (missing) return { errors: [{ text: `fast-ansi-tokenize: ${args.path} no longer has "${missing}": check the fast path against the new code` }] };
      runs ??= aloneRuns();
      return { contents: source.replace(SIGNATURE, 'function libraryTokenize(str, endChar = Number.POSITIVE_INFINITY) {') + fastPath(runs), loader: 'js' };
    });
  },
};
