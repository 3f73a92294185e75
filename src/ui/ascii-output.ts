/**
 * For terminals without box-drawing characters: every non-ASCII glyph the UI
 * draws has a one-column ASCII stand-in, swapped in on the way to the
 * terminal, so the layout (computed in cells) is unchanged.
 */
const ASCII: Record<string, string> = {
  '─': '-', '━': '-', '═': '=', '│': '|', '┃': '|', '║': '|',
  '╭': '+', '╮': '+', '╰': '+', '╯': '+', '┌': '+', '┐': '+', '└': '+', '┘': '+',
  '╔': '+', '╗': '+', '╚': '+', '╝': '+', '┏': '+', '┓': '+', '┗': '+', '┛': '+',
  '·': '-', '—': '-', '★': '*', '▶': '>', '✓': '+', '✗': 'x', '○': 'o', '…': '~', '≥': '>',
  '←': '<', '→': '>', '↑': '^', '↓': 'v',
  '▁': '_', '▂': '.', '▃': '-', '▄': '~', '▅': '=', '▆': '+', '▇': '*', '█': '#',
};
const NON_ASCII = /[^\x00-\x7f]/g;

export function toAscii(text: string): string {
  return text.replace(NON_ASCII, (ch) => ASCII[ch] ?? '?');
}

/** A view of the terminal stream that writes ASCII only (everything else passes through). */
export function asciiStream(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  return new Proxy(stream, {
    get(target, prop, receiver) {
      if (prop === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...a: unknown[]) => boolean)(typeof chunk === 'string' ? toAscii(chunk) : chunk, ...rest);
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** --ascii, ETCD_COCKPIT_ASCII=1, or a locale that is set and is not UTF-8. */
export function wantsAscii(flag: boolean, env: Record<string, string | undefined> = process.env): boolean {
  if (flag || env.ETCD_COCKPIT_ASCII === '1') return true;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG;
  return Boolean(locale) && !/utf-?8/i.test(locale!);
}
