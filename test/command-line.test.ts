import { describe, expect, it } from 'vitest';
import { ACTIONS, visibleActions } from '../src/ui/actions.js';
import { commandEntries, completeCommand, parseCommand } from '../src/ui/command-line.js';
import { plotRows, seriesStats } from '../src/core/format/plot.js';

const entries = commandEntries(ACTIONS, ['etcd-1', 'etcd-2', 'db-3'], ['prod', 'staging']);

describe(': command line', () => {
  it('offers every registry action by its id, plus select and ctx', () => {
    const names = entries.map((e) => e.name);
    for (const a of ACTIONS.filter((a) => !['select-next', 'select-prev', 'close', 'command-line'].includes(a.id))) expect(names).toContain(a.id);
    expect(names).toContain('select');
    expect(names).toContain('ctx');
  });

  it('read-only mode offers no mutating action', () => {
    const names = commandEntries(visibleActions(true, ACTIONS), [], []).map((e) => e.name);
    expect(names).not.toContain('defrag-cluster');
    expect(names).not.toContain('restore');
    expect(names).toContain('snapshot');
    expect(names).not.toContain('ctx'); // no contexts configured
  });

  it.each([
    ['defrag-c', 'defrag-cluster'],
    ['defr', 'defrag-'],
    ['ct', 'ctx '],
    ['ctx st', 'ctx staging'],
    ['move-leader etcd', 'move-leader etcd-'],
    ['select d', 'select db-3'],
    ['filt', 'filter '],
    ['zzz', 'zzz'],
  ])('Tab on %j gives %j', (typed, completed) => {
    expect(completeCommand(typed, entries).text).toBe(completed);
  });

  it('actions that take text say so: quota SIZE, filter TEXT', () => {
    const quota = entries.find((e) => e.name === 'quota')!;
    expect(quota).toMatchObject({ freeText: true, actionId: 'quota' });
    expect(quota.label).toMatch(/^quota SIZE: set quota-backend-bytes/);
    expect(parseCommand('quota 8GiB', entries)).toMatchObject({ arg: '8GiB' });
    expect(completeCommand('quo', entries).text).toBe('quota ');
  });

  it('lists the candidates with their labels', () => {
    const c = completeCommand('defrag', entries).candidates;
    expect(c.map((x) => x.name)).toEqual(['defrag-member', 'defrag-cluster']);
    expect(c[0]!.label).toMatch(/defragment the selected member/);
  });

  it.each([
    ['compact', { name: 'compact', arg: undefined }],
    ['comp', { name: 'compact', arg: undefined }],
    ['move-leader etcd-2', { name: 'move-leader', arg: 'etcd-2' }],
    ['ctx prod', { name: 'ctx', arg: 'prod' }],
    ['ctx', { name: 'ctx', arg: undefined }],
    ['filter db', { name: 'filter', arg: 'db' }],
  ])('Enter on %j runs %j', (typed, want) => {
    const parsed = parseCommand(typed, entries);
    expect('entry' in parsed && { name: parsed.entry.name, arg: parsed.arg }).toEqual(want);
  });

  it.each([
    ['', 'no command (Tab lists them)'],
    ['frob', 'unknown command "frob" (Tab lists them)'],
    ['defrag', '"defrag" could be defrag-member, defrag-cluster'],
    ['ctx qa', 'ctx: no "qa" (prod, staging)'],
    ['select', 'select needs one of: etcd-1, etcd-2, db-3'],
    ['compact now', 'compact takes no argument'],
  ])('Enter on %j says %j', (typed, error) => {
    expect(parseCommand(typed, entries)).toEqual({ error });
  });
});

describe('detail plots', () => {
  it('fills columns from the bottom in eighths, a known zero still visible, a gap blank', () => {
    expect(plotRows([0, 8, undefined, 16], 2, { fromZero: true })).toEqual(['   █', '▁█ █']);
  });

  it('stretches each point over cellsPerPoint columns', () => {
    expect(plotRows([1, 2], 1, { cellsPerPoint: 3 })).toEqual(['▁▁▁███']);
  });

  it('a series with no value is blank, as wide as the points', () => {
    expect(plotRows([undefined, undefined], 2)).toEqual(['  ', '  ']);
  });

  it('stats: last, min, max and mean of the known points', () => {
    expect(seriesStats([2, undefined, 4, 3])).toEqual({ last: 3, min: 2, max: 4, mean: 3, count: 3 });
    expect(seriesStats([undefined])).toBeUndefined();
  });
});

describe('keys that arrive in one chunk', () => {
  it('typed text splits into keys, Tab and Enter included; escape sequences stay whole', async () => {
    const { splitKeys } = await import('../src/ui/split-keys.js');
    const none = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false };
    const keys = splitKeys(':ctx st\t\r', none);
    expect(keys.map(([i]) => i).join('')).toBe(':ctx st\t\r');
    expect(keys.at(-2)![1].tab).toBe(true);
    expect(keys.at(-1)![1].return).toBe(true);
    expect(splitKeys('q', none)).toEqual([['q', none]]);
    expect(splitKeys('\x1b[A', { ...none, upArrow: true })).toHaveLength(1);
  });
});
