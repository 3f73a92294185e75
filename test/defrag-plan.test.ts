import { describe, expect, it } from 'vitest';
import { AUTO_DEFRAG_DEFAULTS, autoSkip, planDefrag } from '../src/core/operations/defrag-plan.js';
import type { MemberState } from '../src/core/cluster/types.js';

const MB = 1000 * 1000;

function member(name: string, dbSize: number, inUse: number, leader = false): MemberState {
  return {
    endpoint: `https://${name}:2379`,
    name,
    health: 'ok',
    last: {
      memberId: name, clusterId: 'c', version: '3.5.30', dbSize, dbSizeInUse: inUse, leaderId: leader ? name : 'x', raftTerm: 2, raftIndex: 1,
      raftAppliedIndex: 1, revision: 1, isLearner: false, errors: [], alarms: [], quorumRead: 'ok', latencyMs: 1,
    },
  };
}

describe('defrag --auto: only where it is worth the stall', () => {
  it.each([
    ['half free and 500 MB free', 1000 * MB, 500 * MB, undefined],
    ['45 % free exactly and 450 MB', 1000 * MB, 550 * MB, undefined],
    ['40 % free', 1000 * MB, 600 * MB, 'not worth it: 40% free (needs 45%)'],
    ['90 % free but only 9 MB', 10 * MB, 1 * MB, 'not worth it: 9 MB free (needs 100 MB)'],
    ['10 % free and 10 MB', 100 * MB, 90 * MB, 'not worth it: 10% free (needs 45%), 10 MB free (needs 100 MB)'],
  ])('%s', (_label, dbSize, inUse, why) => {
    expect(autoSkip(dbSize, inUse, AUTO_DEFRAG_DEFAULTS)).toBe(why);
  });

  it('keeps the order (followers first, leader last) and skips what is not worth it, even under --force', () => {
    const plan = planDefrag([member('a', 1000 * MB, 100 * MB, true), member('b', 1000 * MB, 900 * MB), member('c', 1000 * MB, 200 * MB)], {
      force: true,
      auto: AUTO_DEFRAG_DEFAULTS,
    });
    expect(plan.map((s) => [s.name, s.skip ?? 'defrag'])).toEqual([
      ['b', 'not worth it: 10% free (needs 45%)'],
      ['c', 'defrag'],
      ['a', 'defrag'],
    ]);
  });

  it('thresholds are the operator’s to set', () => {
    expect(autoSkip(1000 * MB, 600 * MB, { minFreeRatio: 0.3, minFreeBytes: 50 * MB })).toBeUndefined();
  });
});
