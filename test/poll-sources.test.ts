import { describe, expect, it } from 'vitest';
import { failingSources, nextSourceState, sourceBackoffMs } from '../src/core/cluster/poll-sources.js';
import { createCockpitStore } from '../src/state/store.js';

const T0 = Date.parse('2026-12-05T14:05:12Z');

describe('poll sources', () => {
  it('back off 2, 4, 8 ... up to 60 s, never below their own period', () => {
    expect([1, 2, 3, 6, 10].map((n) => sourceBackoffMs(n, 1000))).toEqual([2000, 4000, 8000, 60_000, 60_000]);
    expect(sourceBackoffMs(1, 15_000)).toBe(15_000);
  });

  it('a failing source keeps its first failure time and counts failures; success resets it', () => {
    const a = nextSourceState(undefined, { error: 'timed out' }, T0, 1000);
    const b = nextSourceState(a, { error: 'refused' }, T0 + 2000, 1000);
    expect(b).toMatchObject({ ok: false, failingSince: T0, failures: 2, error: 'refused', nextTryAt: T0 + 2000 + 4000 });
    const c = nextSourceState(b, {}, T0 + 9000, 1000);
    expect(c).toEqual({ ok: true, since: T0 + 9000 });
    expect(nextSourceState(c, {}, T0 + 20_000, 1000)).toBe(c);
  });

  it('the store says a source failing once, not on every retry, and says when it is back', () => {
    const store = createCockpitStore({ clusterName: 'c', members: [{ endpoint: 'https://127.0.0.1:2379', name: 'etcd-1' }] });
    const s = () => store.getState();
    s().recordSource('metrics', {}, T0, 15_000);
    s().recordSource('metrics', { error: 'etcd-2: /metrics timed out' }, T0 + 15_000, 15_000);
    s().recordSource('metrics', { error: 'etcd-2: /metrics timed out' }, T0 + 45_000, 15_000);
    s().recordSource('metrics', {}, T0 + 105_000, 15_000);
    const texts = s().events.map((e) => e.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^metrics: cannot be read since \d\d:\d\d:\d\d \(etcd-2: \/metrics timed out\); fsync, commit, RTT and leader-change figures are stale; next try in 15 s$/);
    expect(texts[1]).toBe('metrics: read again after 90 s of failures');
  });

  it('status lists what is failing, with when to expect the next try', () => {
    const failing = nextSourceState(undefined, { error: 'permission denied' }, T0, 5000);
    expect(failingSources({ 'member list': failing, metrics: { ok: true, since: T0 } }, T0 + 1000)).toEqual([
      expect.stringMatching(/^member list failing since \d\d:\d\d:\d\d: permission denied \(next try in 4 s\)$/),
    ]);
    // `status` without -w answers once: it promises no next try.
    expect(failingSources({ 'member list': failing }, T0 + 1000, false)).toEqual([expect.stringMatching(/^member list failing since \d\d:\d\d:\d\d: permission denied$/)]);
  });
});
