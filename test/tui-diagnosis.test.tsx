import { describe, expect, it } from 'vitest';
import { renderAt } from './helpers/render.js';
import { Root } from '../src/ui/Root.js';
import { createCockpitStore, type CockpitStore } from '../src/state/store.js';
import { watchClusterEvents } from '../src/state/timeline.js';
import { addPoint, emptyHistory, HISTORY_STEP_MS } from '../src/state/history.js';
import { loadTheme } from '../src/ui/theme.js';
import type { MemberSample, SignalSummary } from '../src/core/cluster/types.js';

// What the screen makes of given readings: crafted member states, no etcd (the pollers have their own tests against real clusters).
const dark = loadTheme('dark');
const GiB = 1024 ** 3;
const MB = 1_000_000;
const NAMES = ['etcd-1', 'etcd-2', 'etcd-3'];
const endpoint = (name: string): string => `https://${name}.test:2379`;

function sample(name: string, dbSize: number, inUse: number): MemberSample {
  return {
    memberId: `${name}-id`, clusterId: 'c', version: '3.5.30', dbSize, dbSizeInUse: inUse, leaderId: 'etcd-1-id', raftTerm: 7, raftIndex: 900,
    raftAppliedIndex: 900, revision: 500, isLearner: false, errors: [], alarms: [], quorumRead: 'ok', latencyMs: 2,
  };
}

const signals = (s: Partial<SignalSummary>): SignalSummary => ({ walFsyncP99Ms: 2, backendCommitP99Ms: 5, peerRttP99Ms: 1, problems: [], ...s });

/** etcd-1 fragmented (defrag --auto would take it), etcd-3 growing toward its quota for 15 minutes, then three leader changes while etcd-2's disk is slow. */
function craftedStore(): CockpitStore {
  const store = createCockpitStore({ clusterName: 'prod', members: NAMES.map((name) => ({ endpoint: endpoint(name), name })) });
  const now = Date.now();
  const sizes: Record<string, [number, number]> = { 'etcd-1': [300 * MB, 100 * MB], 'etcd-2': [20 * MB, 20 * MB], 'etcd-3': [GiB, GiB] };
  for (const name of NAMES) store.getState().applyProbe(endpoint(name), { ok: true, sample: sample(name, ...sizes[name]!) }, now);
  store.getState().applySignals(NAMES.map((name) => ({ endpoint: endpoint(name), signals: signals({ leaderChanges15m: 0 }), quotaBytes: 2 * GiB })));
  const m3 = store.getState().members[endpoint('etcd-3')]!;
  let h = emptyHistory();
  for (let i = 0; i < 30; i++) {
    const at = now - (30 - i) * HISTORY_STEP_MS;
    h = addPoint(h, { ...m3, last: { ...m3.last!, dbSize: GiB + (i * HISTORY_STEP_MS * GiB) / (72 * 3_600_000) } }, at);
  }
  store.setState({ history: { [endpoint('etcd-3')]: h } });
  watchClusterEvents(store);
  store.getState().applySignals([
    { endpoint: endpoint('etcd-1'), signals: signals({ leaderChanges15m: 3, leaderChangesSpanMs: 10 * 60_000 }) },
    { endpoint: endpoint('etcd-2'), signals: signals({ walFsyncP99Ms: 180, leaderChanges15m: 3, leaderChangesSpanMs: 10 * 60_000 }) },
  ]);
  return store;
}

const plain = (frame: string): string[] => frame.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
const SENTENCE = "3 leader changes in 10 min while etcd-2's fsync p99 was 180 ms: etcd-2's disk is the likely cause";

describe('diagnosis in words on screen', () => {
  it('the leader-change sentence is a timeline event; the panes say what defrag would reclaim and when the quota fills', () => {
    const store = craftedStore();
    expect(store.getState().events.map((e) => e.text)).toContain(SENTENCE);
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 160, rows: 40 });
    const text = plain(ui.lastFrame()).join('\n');
    ui.unmount();
    expect(text).toContain(SENTENCE);
    expect(text).toContain('defrag would reclaim 200 MB (d)');
    expect(text).toContain('quota full in about 3 days at the current growth');
  });

  it.each([
    { columns: 80, rows: 24, advice: true },
    // One line per member there: no room for advice, as for every other reading.
    { columns: 60, rows: 20, advice: false },
  ])('fits $columns x $rows: the start of the sentence (and the pane advice where panes have it), nothing wider or taller', (size) => {
    const store = craftedStore();
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);
    const lines = plain(ui.lastFrame());
    ui.unmount();
    expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(size.columns);
    const text = lines.join('\n');
    expect(text).toContain('3 leader changes in 10 min while etcd-2');
    if (size.advice) {
      expect(text).toContain('defrag would reclaim 200 MB');
      expect(text).toContain('quota full in about 3 days');
    }
    expect(text).toContain('? help');
  });

  it('Enter on the growing member shows the estimate in its detail view at 80 x 24', async () => {
    const store = craftedStore();
    store.setState({ selected: 2 });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 80, rows: 24 });
    await ui.press('\r');
    const text = plain(ui.lastFrame()).join('\n');
    ui.unmount();
    expect(text).toContain('etcd-3');
    expect(text).toContain('quota full in about 3 days at the current growth');
  });
});
