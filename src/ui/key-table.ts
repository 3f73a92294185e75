import { ACTIONS } from './actions.js';
import { actionKeysLabel } from './keys.js';

/** The README's key table, from the same registry as the keys, the footer and the help screen. */
export function keyTableMarkdown(): string {
  const rows = ACTIONS.map((a) => `| ${actionKeysLabel(a)} | ${a.label}${a.dangerous ? ' (asks first; hidden with --read-only)' : ''} |`);
  return ['| keys | action |', '|---|---|', ...rows].join('\n');
}
