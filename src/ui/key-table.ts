import { ACTIONS } from './actions.js';
import { keyLabel } from './keys.js';

/** The README's key table, from the same registry as the keys, the footer and the help screen. */
export function keyTableMarkdown(): string {
  const rows = ACTIONS.map((a) => `| ${a.keys.map(keyLabel).join(' ')} | ${a.label}${a.dangerous ? ' (asks first; hidden with --read-only)' : ''} |`);
  return ['| keys | action |', '|---|---|', ...rows].join('\n');
}
