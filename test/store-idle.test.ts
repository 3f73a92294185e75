// Pure unit test of the store: a poll that brings nothing new leaves the state object as it was, so no
// subscriber re-renders and Ink draws no frame while the cluster is idle (issue 14).
import { describe, expect, it } from 'vitest';
import { createCockpitStore, type CockpitStore } from '../src/state/store.js';
import type { MemberListEntry } from '../src/core/cluster/types.js';

const sample = { memberId: 'a1', clusterId: 'c', version: '3.5.30', dbSize: 1000, dbSizeInUse: 800, leaderId: 'a1', raftTerm: 2, raftIndex: 10, raftAppliedIndex: 10, revision: 5, isLearner: false, errors: [], alarms: [], quorumRead: 'ok' as const, latencyMs: 3 };
const signals = { walFsyncP99Ms: 2, backendCommitP99Ms: 4, peerRttP99Ms: 1, leaderChanges15m: 0, problems: [] };
const list = (): MemberListEntry[] => [{ id: 'a1', name: 'etcd-1', clientUrls: ['e1'], peerUrls: ['p1'], isLearner: false, started: true }];

function polledStore(): CockpitStore {
  const store = createCockpitStore({ clusterName: 'c', members: [{ endpoint: 'e1' }] });
  store.getState().applyProbe('e1', { ok: true, sample }, 1000);
  store.getState().setMemberList(list());
  store.getState().applySignals([{ endpoint: 'e1', signals, quotaBytes: 2 ** 31 }]);
  store.getState().setCert('e1', { daysLeft: 300, notAfter: '2027-10-01T00:00:00.000Z' });
  store.getState().recordSource('metrics', {}, 1000, 15_000);
  store.getState().recordSource('member list', {}, 1000, 5000);
  return store;
}

describe('store: an idle poll changes nothing', () => {
  it('the same probe, member list, /metrics round, certificate and source outcome leave the state object unchanged', () => {
    const store = polledStore();
    const before = store.getState();
    store.getState().applyProbe('e1', { ok: true, sample: { ...sample } }, 2000);
    store.getState().setMemberList(list());
    store.getState().applySignals([{ endpoint: 'e1', signals: { ...signals }, quotaBytes: 2 ** 31 }]);
    store.getState().setCert('e1', { daysLeft: 300, notAfter: '2027-10-01T00:00:00.000Z' });
    store.getState().recordSource('metrics', {}, 16_000, 15_000);
    store.getState().recordSource('member list', {}, 6000, 5000);
    expect(store.getState()).toBe(before);
  });

  it('each of them does change the state when what it brings is new', () => {
    const store = polledStore();
    const changes: string[] = [];
    const step = (name: string, act: () => void): void => {
      const before = store.getState();
      act();
      if (store.getState() !== before) changes.push(name);
    };
    step('probe', () => store.getState().applyProbe('e1', { ok: true, sample: { ...sample, raftIndex: 11, raftAppliedIndex: 11 } }, 2000));
    step('member list', () => store.getState().setMemberList([{ ...list()[0]!, name: 'etcd-one' }]));
    step('signals', () => store.getState().applySignals([{ endpoint: 'e1', signals: { ...signals, walFsyncP99Ms: 40 } }]));
    step('cert', () => store.getState().setCert('e1', { daysLeft: 299, notAfter: '2027-10-01T00:00:00.000Z' }));
    step('source', () => store.getState().recordSource('metrics', { error: 'e1: /metrics timed out' }, 16_000, 15_000));
    expect(changes).toEqual(['probe', 'member list', 'signals', 'cert', 'source']);
  });
});
