// Fast tier: each part of the screen re-renders for the store slice it shows, and only for it (fake cluster, fixture store).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Root } from '../../src/ui/Root.js';
import { loadTheme } from '../../src/ui/theme.js';
import type { CockpitStore } from '../../src/state/store.js';
import { downMembers, fixtureCluster, fixtureStore, signals } from '../fakes/fixture-store.js';
import type { FakeEtcdCluster } from '../fakes/fake-etcd-member.js';
import { renderAt } from '../helpers/render.js';
import { addPoint, emptyHistory, HISTORY_POINTS, HISTORY_STEP_MS } from '../../src/state/history.js';
import type * as HeaderModule from '../../src/ui/Header.js';
import type * as EventsPaneModule from '../../src/ui/EventsPane.js';
import type * as HelpScreenModule from '../../src/ui/HelpScreen.js';
import type * as FooterModule from '../../src/ui/Footer.js';
import type * as MemberSlotModule from '../../src/ui/MemberSlot.js';

const renders = vi.hoisted(() => ({}) as Record<string, number>);

vi.mock('../../src/ui/Header.js', async (original) => {
  const { countRenders } = await import('../helpers/render.js');
  const m = await original<typeof HeaderModule>();
  return { ...m, Header: countRenders(m.Header, () => 'Header', renders) };
});
vi.mock('../../src/ui/EventsPane.js', async (original) => {
  const { countRenders } = await import('../helpers/render.js');
  const m = await original<typeof EventsPaneModule>();
  return { ...m, EventsPane: countRenders(m.EventsPane, () => 'EventsPane', renders) };
});
vi.mock('../../src/ui/HelpScreen.js', async (original) => {
  const { countRenders } = await import('../helpers/render.js');
  const m = await original<typeof HelpScreenModule>();
  return { ...m, HelpScreen: countRenders(m.HelpScreen, () => 'HelpScreen', renders) };
});
vi.mock('../../src/ui/Footer.js', async (original) => {
  const { countRenders } = await import('../helpers/render.js');
  const m = await original<typeof FooterModule>();
  return { ...m, Footer: countRenders(m.Footer, () => 'Footer', renders) };
});
vi.mock('../../src/ui/MemberSlot.js', async (original) => {
  const { countRenders } = await import('../helpers/render.js');
  const m = await original<typeof MemberSlotModule>();
  return { ...m, MemberSlot: countRenders(m.MemberSlot, (p: { endpoint: string }) => `MemberSlot ${p.endpoint}`, renders) };
});

const dark = loadTheme('dark');
let cluster: FakeEtcdCluster;
let store: CockpitStore;
let ui: ReturnType<typeof renderAt>;
const endpoint = (name: string): string => cluster.node(name).endpoint;
const slot = (name: string): number => renders[`MemberSlot ${endpoint(name)}`] ?? 0;

/** A newer raft index for one member: a status change the header does not show. */
function advanceIndex(name: string): void {
  const last = store.getState().members[endpoint(name)]!.last!;
  store.getState().applyProbe(endpoint(name), { ok: true, sample: { ...last, raftIndex: last.raftIndex + 5, raftAppliedIndex: last.raftAppliedIndex + 5 } }, Date.now());
}

/** One sparkline point for every member, as recordHistory takes it every 30 s. */
function historyPoint(at: number): void {
  const s = store.getState();
  store.setState({ history: Object.fromEntries(s.order.map((e) => [e, addPoint(s.history[e] ?? emptyHistory(), s.members[e]!, at)])) });
}

/** Counts from now on. */
function resetCounts(): void {
  for (const k of Object.keys(renders)) delete renders[k];
}

beforeEach(async () => {
  cluster = fixtureCluster();
  store = fixtureStore(cluster);
  store.getState().addEvent('an earlier event, so the events pane is on screen');
  ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
  await ui.waitFor('an earlier event');
  resetCounts();
});
afterEach(() => ui.unmount());

describe('fake cluster: store slices, each part re-renders for what it shows', () => {
  it('a /metrics round re-renders the member it is about, not the header, the events pane, the footer or the other members', async () => {
    store.getState().applySignals([{ endpoint: endpoint('etcd-2'), signals: signals(48) }]);
    await ui.waitFor('48 ms');
    expect(slot('etcd-2')).toBeGreaterThan(0);
    expect(renders).toEqual({ [`MemberSlot ${endpoint('etcd-2')}`]: slot('etcd-2') });
  });

  it('a member status update re-renders that member only, not the help screen or the events pane', async () => {
    advanceIndex('etcd-3');
    await ui.waitFor(/115 · applied 115/);
    expect(slot('etcd-3')).toBeGreaterThan(0);
    expect(slot('etcd-1') + slot('etcd-2')).toBe(0);
    expect(renders.Header ?? 0).toBe(0);
    expect(renders.EventsPane ?? 0).toBe(0);

    await ui.press('?');
    await ui.waitFor('Keys');
    resetCounts();
    for (const name of ['etcd-1', 'etcd-2', 'etcd-3']) advanceIndex(name);
    // The help shows none of what moved; an event after it, once on screen, says the screen has caught up.
    store.getState().addEvent('a later event');
    await ui.waitFor('a later event');
    expect(store.getState().members[endpoint('etcd-1')]!.last!.raftIndex).toBe(115);
    expect(renders.HelpScreen ?? 0).toBe(0);
    expect(renders.Header ?? 0).toBe(0);
  });

  it('a /metrics round that moves only what the detail view shows re-renders no pane (no frame while idle)', async () => {
    store.getState().applySignals([{ endpoint: endpoint('etcd-2'), signals: signals(48) }]);
    await ui.waitFor('48 ms');
    resetCounts();
    // Another round: the leader-change window grew, the pane's fsync and commit p99 read the same.
    store.getState().applySignals([{ endpoint: endpoint('etcd-2'), signals: { ...signals(48), leaderChangesSpanMs: 15_000 } }]);
    expect(store.getState().members[endpoint('etcd-2')]!.signals!.leaderChangesSpanMs).toBe(15_000);
    store.getState().addEvent('a later event');
    await ui.waitFor('a later event');
    expect(slot('etcd-1') + slot('etcd-2') + slot('etcd-3')).toBe(0);
  });

  it('a history point that draws every sparkline as before re-renders no pane; one that draws a new bar does', async () => {
    const t0 = Date.now();
    for (let i = 0; i < HISTORY_POINTS; i++) historyPoint(t0 + i * HISTORY_STEP_MS);
    store.getState().addEvent('15 minutes of history');
    await ui.waitFor('15 minutes of history');
    resetCounts();
    // An idle cluster: the same db size, no writes. The plots are full width and flat, so the point changes nothing drawn.
    historyPoint(t0 + HISTORY_POINTS * HISTORY_STEP_MS);
    store.getState().addEvent('a later event');
    await ui.waitFor('a later event');
    expect(store.getState().history[endpoint('etcd-2')]!.at.at(-1)).toBe(t0 + HISTORY_POINTS * HISTORY_STEP_MS);
    expect(slot('etcd-1') + slot('etcd-2') + slot('etcd-3')).toBe(0);

    const last = store.getState().members[endpoint('etcd-2')]!.last!;
    store.getState().applyProbe(endpoint('etcd-2'), { ok: true, sample: { ...last, dbSize: last.dbSize * 4 } }, Date.now());
    resetCounts();
    historyPoint(t0 + (HISTORY_POINTS + 1) * HISTORY_STEP_MS);
    await ui.waitFor('█');
    expect(slot('etcd-2')).toBeGreaterThan(0);
    expect(slot('etcd-1') + slot('etcd-3')).toBe(0);
  });

  it('an event re-renders the events pane, not the header or the member panes', async () => {
    store.getState().addEvent('etcd-2 slow disk: fsync p99 48 ms > 10 ms', 'warning');
    await ui.waitFor('etcd-2 slow disk');
    expect(renders.EventsPane).toBeGreaterThan(0);
    expect(renders.Header ?? 0).toBe(0);
    expect(slot('etcd-1') + slot('etcd-2') + slot('etcd-3')).toBe(0);
  });

  it('the counters do see a re-render: a member going down changes the header and the footer', async () => {
    downMembers(store, cluster, 'etcd-2', 'etcd-3');
    await ui.waitFor(/quorum LOST/i);
    expect(renders.Header).toBeGreaterThan(0);
    expect(renders.Footer).toBeGreaterThan(0);
    expect(slot('etcd-2')).toBeGreaterThan(0);
  });
});
