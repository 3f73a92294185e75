import type { Key } from 'ink';

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
};

/** CSI (ESC [ params final), SS3 (ESC O x), ESC + one character (Alt), a lone ESC, or one character. */
const TOKEN = /\x1b\[[0-9;:<=>?]*[ -/]*[@-~]|\x1bO[\x20-\x7e]|\x1b[^\x1b[O]|\x1b\[|\x1bO|\x1b|[\s\S]/gu;

/**
 * Splits one chunk read from the terminal into the keys it holds, in order.
 * A terminal sends several escape sequences in one read when arrows are
 * pressed fast ("\x1b[B\x1b[Bd"): each must count as one key, or the action
 * that follows aims at the wrong member.
 */
export function splitRawKeys(raw: string): [string, Key][] {
  return (raw.match(TOKEN) ?? []).map(keyOfToken);
}

const CSI_FINAL: Record<string, keyof Key> = { A: 'upArrow', B: 'downArrow', C: 'rightArrow', D: 'leftArrow', H: 'home', F: 'end' };
const CSI_TILDE: Record<string, keyof Key> = { '1': 'home', '7': 'home', '4': 'end', '8': 'end', '5': 'pageUp', '6': 'pageDown', '3': 'delete' };

function keyOfToken(token: string): [string, Key] {
  if (token.startsWith('\x1b[') || token.startsWith('\x1bO')) return csiKey(token);
  if (token === '\x1b') return ['', { ...NO_KEY, escape: true, meta: true }];
  if (token.startsWith('\x1b')) {
    const [input, key] = keyOfToken(token.slice(1));
    return [input, { ...key, meta: true }];
  }
  if (token === '\r' || token === '\n') return ['\r', { ...NO_KEY, return: true }];
  if (token === '\t') return ['\t', { ...NO_KEY, tab: true }];
  if (token === '\x7f' || token === '\b') return ['', { ...NO_KEY, backspace: true }];
  const code = token.codePointAt(0)!;
  if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }];
  if (code < 32) return ['', { ...NO_KEY }];
  return [token, { ...NO_KEY, shift: /^[A-Z]$/.test(token) }];
}

function csiKey(token: string): [string, Key] {
  const body = token.slice(2);
  const final = body.slice(-1);
  const params = body.slice(0, -1).split(';');
  // xterm modifiers: 1 + (shift 1, alt 2, ctrl 4).
  const modifier = Math.max(0, Number(params[1] ?? 1) - 1) || 0;
  const mods = { shift: Boolean(modifier & 1), meta: Boolean(modifier & 2), ctrl: Boolean(modifier & 4) };
  if (final === 'Z') return ['', { ...NO_KEY, tab: true, shift: true }];
  const name = final === '~' ? CSI_TILDE[params[0] ?? ''] : CSI_FINAL[final];
  // An unknown sequence is no key at all: never letters that could run an action.
  if (!name) return ['', { ...NO_KEY }];
  return ['', { ...NO_KEY, ...mods, [name]: true }];
}
