/** Wraps text into lines of at most `width` cells (words kept whole when they fit), for overlays that must count their rows. */
export function wrapLines(text: string, width: number): string[] {
  const max = Math.max(1, width);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line ? `${line} ${word}` : word;
      if ([...candidate].length <= max) {
        line = candidate;
        continue;
      }
      if (line) out.push(line);
      let rest = [...word];
      while (rest.length > max) {
        out.push(rest.slice(0, max).join(''));
        rest = rest.slice(max);
      }
      line = rest.join('');
    }
    out.push(line);
  }
  return out;
}

/** The rows of `lines` from `offset` that fit in `rows`, with the offset clamped; marks say what is hidden above and below. */
export function scrollWindow(lines: string[], rows: number, offset: number): { shown: string[]; offset: number; above: number; below: number } {
  const room = Math.max(1, rows);
  if (lines.length <= room) return { shown: lines, offset: 0, above: 0, below: 0 };
  // One row each for the "more above/below" marks.
  const body = Math.max(1, room - 2);
  const clamped = Math.max(0, Math.min(offset, lines.length - body));
  return { shown: lines.slice(clamped, clamped + body), offset: clamped, above: clamped, below: lines.length - clamped - body };
}
