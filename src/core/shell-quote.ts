/**
 * Quotes one word for a POSIX shell. Safe words are returned as they are (so
 * logged commands stay readable); everything else is wrapped in single quotes,
 * with each `'` written as `'\''`.
 */
export function shq(s: string): string {
  if (s.includes('\0')) throw new Error('shq: a shell word cannot contain a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
