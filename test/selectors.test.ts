import { describe, expect, it } from 'vitest';
import { createCockpitStore, type CockpitState } from '../src/state/store.js';
import { sameInputs, selectClusterSummary } from '../src/state/selectors.js';

const sample = { memberId: 'a1', clusterId: 'c', version: '3.5.30', dbSize: 1000, dbSizeInUse: 800, leaderId: 'a1', raftTerm: 2, raftIndex: 10, raftAppliedIndex: 10, revision: 5, isLearner: false, errors: [], alarms: [], quorumRead: 'ok' as const, latencyMs: 3 };

describe('selectors', () => {
  it('sameInputs recomputes only when one of its inputs is another object', () => {
    const store = createCockpitStore({ clusterName: 'c', members: [{ endpoint: 'e1' }] });
    let runs = 0;
    const select = sameInputs((s: CockpitState) => [s.members], (s) => (runs++, Object.keys(s.members).length));
    select(store.getState());
    store.getState().setOverlay('help');
    store.getState().addEvent('something');
    expect(select(store.getState())).toBe(1);
    expect(runs).toBe(1);
    store.getState().addMember('e2');
    expect(select(store.getState())).toBe(2);
    expect(runs).toBe(2);
  });

  it('the cluster summary follows the members (a key press does not recount it, a probe does)', () => {
    const store = createCockpitStore({ clusterName: 'c', members: [{ endpoint: 'e1' }] });
    const before = selectClusterSummary(store.getState());
    expect(before.answering).toBe(0);
    store.getState().setOverlay('help');
    expect(selectClusterSummary(store.getState())).toBe(before);
    store.getState().applyProbe('e1', { ok: true, sample }, 1000);
    const after = selectClusterSummary(store.getState());
    expect(after.answering).toBe(1);
    expect(after.leaderName).toBe('e1');
  });
});
