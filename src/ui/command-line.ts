import type { ActionDef } from './actions.js';

/** One thing `:` can run: an action of the registry, or a command with an argument. */
export interface CommandEntry {
  name: string;
  label: string;
  /** What the argument can be (member names, contexts); completion offers them. */
  args?: string[];
  /** The argument is required (ctx NAME, select NAME); otherwise it is optional. */
  argRequired?: boolean;
  /** The argument is free text (filter TEXT). */
  freeText?: boolean;
  /** The registry action it runs, when it is one. */
  actionId?: string;
  /** What the free text may look like (quota: the size formats). */
  argHint?: string;
}

/** Keys that only make sense as keys. */
const KEY_ONLY = new Set(['select-next', 'select-prev', 'close', 'command-line']);

/** Everything the command line offers, from the action registry plus the commands that take an argument. */
export function commandEntries(actions: readonly ActionDef[], members: string[], contexts: string[]): CommandEntry[] {
  const fromActions: CommandEntry[] = actions
    .filter((a) => !KEY_ONLY.has(a.id))
    .map((a) => ({
      name: a.id,
      label: a.textArg ? `${a.id} ${a.textArg}: ${a.label}` : a.label,
      actionId: a.id,
      args: a.scope === 'member' ? members : undefined,
      freeText: Boolean(a.textArg),
      argHint: a.argHint,
    }));
  return [
    ...fromActions,
    { name: 'select', label: 'select a member by name', args: members, argRequired: true },
    ...(contexts.length > 0 ? [{ name: 'ctx', label: 'switch to another cluster of the config; no name: the overview', args: contexts }] : []),
  ];
}

export interface Completion {
  text: string;
  /** What could follow what is typed, for the list under the line. */
  candidates: { name: string; label?: string }[];
}

/** Tab: completes to the only match, or to the longest prefix the matches share. */
export function completeCommand(text: string, entries: CommandEntry[]): Completion {
  const space = text.indexOf(' ');
  if (space === -1) {
    const matches = entries.filter((e) => e.name.startsWith(text));
    if (matches.length === 1) {
      const only = matches[0]!;
      return { text: only.name + (only.args || only.freeText ? ' ' : ''), candidates: matches };
    }
    return { text: commonPrefix(matches.map((m) => m.name), text), candidates: matches };
  }
  const entry = findEntry(text.slice(0, space), entries);
  const argText = text.slice(space + 1);
  if (!entry?.args) return { text, candidates: [] };
  const matches = entry.args.filter((a) => a.startsWith(argText));
  const head = `${entry.name} `;
  if (matches.length === 1) return { text: head + matches[0]!, candidates: [{ name: matches[0]! }] };
  return { text: head + commonPrefix(matches, argText), candidates: matches.map((name) => ({ name })) };
}

/** What Enter runs: a command and its argument, or why not. A unique prefix counts as the command. */
export function parseCommand(text: string, entries: CommandEntry[]): { entry: CommandEntry; arg?: string } | { error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { error: 'no command (Tab lists them)' };
  const [word, ...rest] = trimmed.split(/\s+/);
  const entry = findEntry(word!, entries);
  if (!entry) {
    const matches = entries.filter((e) => e.name.startsWith(word!));
    if (matches.length > 1) return { error: `"${word}" could be ${matches.map((m) => m.name).join(', ')}` };
    return { error: `unknown command "${word}" (Tab lists them)` };
  }
  const arg = rest.join(' ') || undefined;
  if (arg === undefined && entry.argRequired) return { error: `${entry.name} needs one of: ${(entry.args ?? []).join(', ')}` };
  if (arg !== undefined && entry.args && !entry.args.includes(arg)) {
    return { error: `${entry.name}: no "${arg}" (${entry.args.join(', ') || 'none known'})` };
  }
  if (arg !== undefined && !entry.args && !entry.freeText) return { error: `${entry.name} takes no argument` };
  return { entry, arg };
}

function findEntry(word: string, entries: CommandEntry[]): CommandEntry | undefined {
  const exact = entries.find((e) => e.name === word);
  if (exact) return exact;
  const matches = entries.filter((e) => e.name.startsWith(word));
  return matches.length === 1 ? matches[0] : undefined;
}

function commonPrefix(words: string[], typed: string): string {
  if (words.length === 0) return typed;
  let prefix = words[0]!;
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.length > typed.length ? prefix : typed;
}

/** The hint for the argument being typed (`quota ` shows the size formats), if the command has one. */
export function argumentHint(text: string, entries: CommandEntry[]): string | undefined {
  const space = text.indexOf(' ');
  if (space === -1) return undefined;
  return findEntry(text.slice(0, space), entries)?.argHint;
}
