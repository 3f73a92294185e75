import type { Key } from 'ink';

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
};

/**
 * Ink hands over a whole chunk of typed text as one input. Over SSH, keys
 * typed quickly (or pasted) arrive in one chunk: ":ctx st\t" must act as
 * seven keys, not as one unknown one. Escape sequences stay whole.
 */
export function splitKeys(input: string, key: Key): [string, Key][] {
  if (input.length <= 1 || key.ctrl || key.meta || key.escape || input.includes('\x1b')) return [[input, key]];
  return [...input].map((ch) => [
    ch,
    {
      ...NO_KEY,
      return: ch === '\r' || ch === '\n',
      tab: ch === '\t',
      backspace: ch === '\x7f' || ch === '\b',
      shift: /[A-Z]/.test(ch),
    },
  ]);
}
