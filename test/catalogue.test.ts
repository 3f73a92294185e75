import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../src/core/operations/catalogue.js';
import { ACTIONS } from '../src/ui/actions.js';
import { commandEntries } from '../src/ui/command-line.js';
import { COMMANDS, SUBCOMMANDS } from '../src/cli/args.js';
import { parseVerb } from '../src/cli/verb-words.js';
import { changesCluster } from '../src/core/operations/requests.js';

/** One entry is the whole of an operation: the TUI key, the `:` command and the CLI verb all come from it. */
describe('the operation catalogue', () => {
  it('has unique ids, and every key is bound to one action only', () => {
    expect(new Set(CATALOGUE.map((e) => e.id)).size).toBe(CATALOGUE.length);
    const keys = ACTIONS.flatMap((a) => a.keys);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  it.each(CATALOGUE.map((e) => [e.id, e] as const))('%s is a TUI action with the same keys, title, danger and quorum need', (_id, entry) => {
    const action = ACTIONS.find((a) => a.id === entry.id);
    expect(action).toBeDefined();
    expect(action!.keys).toEqual(entry.keys);
    expect(action!.label).toBe(entry.title);
    expect(action!.dangerous).toBe(!entry.readOnlyAllowed);
    expect(Boolean(action!.needsQuorum)).toBe(entry.needsQuorum);
    expect(action!.scope).toBe(entry.target === 'member' ? 'member' : 'global');
    expect(changesCluster(entry.action)).toBe(!entry.readOnlyAllowed);
  });

  it.each(CATALOGUE.map((e) => [e.id, e] as const))('%s is on the : line, hidden read-only when it changes the cluster', (_id, entry) => {
    const all = commandEntries(ACTIONS, ['etcd-1'], []).map((c) => c.name);
    const readOnly = commandEntries(ACTIONS.filter((a) => !a.dangerous), ['etcd-1'], []).map((c) => c.name);
    expect(all).toContain(entry.id);
    expect(readOnly.includes(entry.id)).toBe(entry.readOnlyAllowed);
  });

  it.each(CATALOGUE.filter((e) => e.cli).map((e) => [e.cli!.words.join(' '), e] as const))('`%s` is a CLI verb that names this entry', (_words, entry) => {
    const [command, sub] = entry.cli!.words;
    expect(COMMANDS).toContain(command);
    if (sub) expect((SUBCOMMANDS as Record<string, readonly string[]>)[command!]).toContain(sub);
    const operand = entry.cli!.operand ? [entry.cli!.operand.name === 'SIZE' ? '4GiB' : 'x'] : [];
    const args = [...entry.cli!.words.slice(1), ...operand];
    const parsed = parseVerb({ command: command!, args, ...(entry.cli!.memberFlag ? { member: 'etcd-1' } : {}) });
    expect(parsed.entry.id).toBe(entry.id);
  });

  it('alarm list and snapshot save are their own commands, not operation verbs', () => {
    expect(() => parseVerb({ command: 'alarm', args: ['list'] })).toThrow('alarm takes disarm, not "list"');
    expect(() => parseVerb({ command: 'snapshot', args: ['save'] })).toThrow('snapshot is not an operation');
  });
});
