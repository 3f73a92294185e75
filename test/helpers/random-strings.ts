/** `count` strings of 1 to `maxPieces` pieces drawn from `pieces`, the same every run for a `seed`. */
export function randomStrings(pieces: readonly string[], count: number, seed: number, maxPieces: number): string[] {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + next(maxPieces) }, () => pieces[next(pieces.length)]).join(''));
}
