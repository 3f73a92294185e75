import { describe, expect, it } from 'vitest';
import { sparkline } from '../src/core/format/sparkline.js';
import { addPoint, emptyHistory, HISTORY_POINTS } from '../src/state/history.js';
import type { MemberState } from '../src/core/cluster/types.js';

describe('sparkline', () => {
  it.each([
    [[1, 2, 3, 4, 5, 6, 7, 8], 8, '▁▂▃▄▅▆▇█'],
    [[5, 5, 5], 3, '▁▁▁'],
    [[1, undefined, 8], 3, '▁ █'],
    [[1, 2, 3, 4], 2, '▁█'],
    [[], 5, ''],
  ])('%j in %d cells -> %j', (values, width, text) => {
    expect(sparkline(values as (number | undefined)[], width)).toBe(text);
  });

  it('from zero, noise around a steady rate stays flat', () => {
    expect(sparkline([4.9, 5.1, 5.0], 3, { fromZero: true })).toBe('███');
  });
});

describe('history points', () => {
  const member = (raftIndex: number, health: MemberState['health'] = 'ok'): MemberState => ({
    endpoint: 'e', name: 'a', health,
    last: { memberId: 'a', clusterId: 'c', version: '3.5.30', dbSize: 1000 + raftIndex, dbSizeInUse: 900, leaderId: 'a', raftTerm: 2, raftIndex, raftAppliedIndex: raftIndex, revision: 1, isLearner: false, errors: [], alarms: [], quorumRead: 'ok', latencyMs: 1 },
    signals: { walFsyncP99Ms: 2.5, problems: [] },
  });

  it('turns raft index deltas into writes per second, and leaves gaps while a member is down', () => {
    let h = addPoint(emptyHistory(), member(100), 0);
    h = addPoint(h, member(400), 30_000);
    h = addPoint(h, member(400, 'unreachable'), 60_000);
    h = addPoint(h, member(1000), 90_000);
    expect(h.writesPerSecond).toEqual([undefined, 10, undefined, 10]);
    expect(h.dbSize).toEqual([1100, 1400, undefined, 2000]);
    expect(h.fsyncP99Ms).toEqual([2.5, 2.5, undefined, 2.5]);
  });

  it('keeps 15 minutes of points', () => {
    let h = emptyHistory();
    for (let i = 0; i < HISTORY_POINTS + 10; i++) h = addPoint(h, member(i * 30), i * 30_000);
    expect(h.dbSize).toHaveLength(HISTORY_POINTS);
    expect(h.dbSize.at(-1)).toBe(1000 + (HISTORY_POINTS + 9) * 30);
  });
});
