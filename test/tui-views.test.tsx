import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { KEYS, renderAt, tick } from './helpers/render.js';
import { Root } from '../src/ui/Root.js';
import { createCockpitStore, selectedMember, type CockpitStore } from '../src/state/store.js';
import { Poller } from '../src/state/poller.js';
import { loadTheme } from '../src/ui/theme.js';
import { addPoint, emptyHistory, HISTORY_STEP_MS } from '../src/state/history.js';
import { emptyRunbookView } from '../src/state/runbook-view.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let cluster: Cluster;
let store: CockpitStore;
let poller: Poller;
const dark = loadTheme('dark');

beforeAll(async () => {
  cluster = await startTestCluster();
  store = createCockpitStore({ clusterName: 'views', members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
  const tls = clusterTls(cluster);
  // metricsEveryMs 0: every poll reads /metrics, so the detail view has readings at once.
  poller = new Poller(store, { intervalMs: 1000, metricsEveryMs: 0, clientOptions: () => ({ tls, credentials: {}, deadlineMs: 1000 }) });
  await poller.pollOnce();
  await poller.pollOnce();
});
afterAll(async () => {
  poller?.stop();
  await cluster?.cleanup();
});

/** A history of real samples: the member's state now, at 30 s steps, with a growing raft index. */
function fillHistory(points: number): void {
  const state = store.getState();
  const start = Date.now() - points * HISTORY_STEP_MS;
  const history = Object.fromEntries(
    state.order.map((endpoint) => {
      const m = state.members[endpoint]!;
      let h = emptyHistory();
      for (let i = 0; i < points; i++) {
        const last = m.last && { ...m.last, raftIndex: m.last.raftIndex + i * i * 30, dbSize: m.last.dbSize + i * 4096 };
        h = addPoint(h, { ...m, last }, start + i * HISTORY_STEP_MS);
      }
      return [endpoint, h];
    }),
  );
  store.setState({ history });
}

describe('member detail view', () => {
  it('Enter opens it for the selected member: all readings, three plots with their numbers, the latest points', async () => {
    fillHistory(30);
    store.setState({ selected: 1, overlay: 'none' });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press('\r');
    const frame = ui.lastFrame();
    const member = selectedMember(store.getState())!;
    expect(frame).toContain(member.name);
    expect(frame).toContain(`id ${member.last!.memberId}`);
    expect(frame).toContain(`revision ${member.last!.revision}`);
    for (const label of ['fsync p99', 'commit p99', 'peer RTT p99', 'leader changes', 'proposals failed', 'proposals pending', 'applied lag']) {
      expect(frame).toContain(label);
    }
    for (const title of ['DB size', 'writes per second', 'WAL fsync p99']) expect(frame).toMatch(new RegExp(`${title} · 15 min`));
    expect(frame).toMatch(/now [\d.]+ (kB|MB) · min [\d.]+ (kB|MB) · mean/);
    // Taller plots: several rows of bars under the writes title, the newest column the tallest.
    const rows = frame.split('\n');
    const writesAt = rows.findIndex((l) => l.includes('writes per second · 15 min'));
    const chart = rows.slice(writesAt + 1, writesAt + 3);
    expect(chart.every((l) => /┤/.test(l))).toBe(true);
    expect(chart[0]).toMatch(/█\s*│?\s*$/);
    // The numbers behind the plots: clock times of the latest points.
    expect(frame).toMatch(/time\s+DB size\s+writes per second\s+WAL fsync p99/);
    expect(frame).toMatch(/\d\d:\d\d:\d\d\s+[\d.]+ (kB|MB)/);
    ui.unmount();
  });

  it('→ shows the next member, Esc goes back to the panes', async () => {
    store.setState({ selected: 0, overlay: 'none' });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press('i');
    expect(ui.lastFrame()).toContain(`${cluster.nodes[0]!.name} `);
    await ui.press(KEYS.right);
    expect(ui.lastFrame().split('\n')[2]).toContain(cluster.nodes[1]!.name);
    await ui.press(KEYS.escape);
    await tick(80);
    expect(store.getState().overlay).toBe('none');
    expect(ui.lastFrame()).not.toContain('writes per second · 15 min');
    ui.unmount();
  });

  it('fits 80x24: nothing wider than 80 columns, nothing past row 23', async () => {
    store.setState({ selected: 0, overlay: 'detail' });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 80, rows: 24 });
    await tick();
    const lines = ui.lastFrame().split('\n');
    ui.unmount();
    store.setState({ overlay: 'none' });
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect([...line.replace(/\x1b\[[0-9;]*m/g, '')].length).toBeLessThanOrEqual(80);
    expect(lines.join('\n')).toContain('DB size');
  });
});

describe('a leader that went down', () => {
  it('shows as "was leader", dimmed, in the pane and in the detail view: never two leaders on screen', async () => {
    const before = store.getState().members;
    const leader = Object.values(before).find((m) => m.last && m.last.leaderId === m.last.memberId)!;
    const down = { ...leader, health: 'unreachable' as const, reason: 'connection refused', downSince: Date.now() - 5000, lastSeen: Date.now() - 5000 };
    store.setState({ members: { ...before, [leader.endpoint]: down }, overlay: 'none' });
    try {
      const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
      expect(ui.lastFrame()).toContain(`${leader.name} was leader`);
      store.getState().selectByName(leader.name);
      await ui.press('\r');
      const detail = ui.lastFrame();
      ui.unmount();
      expect(detail).toContain(`${leader.name} was leader`);
      expect(detail).not.toContain('★ leader');
      expect(detail).toContain('the last read before the member stopped answering');
    } finally {
      store.setState({ members: before, overlay: 'none' });
    }
  });
});

describe(': command line', () => {
  it('Tab completes, the candidates show with their labels, Enter runs the action', async () => {
    store.setState({ overlay: 'none', command: undefined });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press(':');
    for (const ch of 'he') await ui.press(ch);
    expect(ui.lastFrame()).toMatch(/help\s+help/);
    await ui.press(KEYS.tab);
    expect(store.getState().command?.text).toBe('help');
    await ui.press('\r');
    expect(store.getState().command).toBeUndefined();
    expect(store.getState().overlay).toBe('help');
    await ui.press(KEYS.escape);
    ui.unmount();
  });

  it('select NAME moves the selection; an unknown command says so under the line and keeps it open', async () => {
    store.setState({ overlay: 'none', command: undefined, selected: 0 });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press(':');
    for (const ch of `select ${cluster.nodes[2]!.name}`) await ui.press(ch);
    await ui.press('\r');
    expect(selectedMember(store.getState())!.name).toBe(cluster.nodes[2]!.name);
    await ui.press(':');
    for (const ch of 'frob') await ui.press(ch);
    await ui.press('\r');
    expect(ui.lastFrame()).toContain('unknown command "frob" (Tab lists them)');
    expect(store.getState().command?.text).toBe('frob');
    await ui.press(KEYS.escape);
    expect(store.getState().command).toBeUndefined();
    ui.unmount();
  });

  it('Q needs the runbook inventory; with one it opens the line ready for the size', async () => {
    store.setState({ overlay: 'none', command: undefined, runbook: undefined, events: [] });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press('Q');
    expect(store.getState().events.at(-1)?.text).toMatch(/unavailable, needs an inventory with a runbook: section/);
    store.setState({ runbook: emptyRunbookView([]) });
    await ui.press('Q');
    expect(store.getState().command).toEqual({ text: 'quota ' });
    expect(ui.lastFrame()).toContain(':quota ');
    await ui.press(KEYS.escape);
    ui.unmount();
    store.setState({ runbook: undefined });
  });

  it('detail NAME opens the detail view of that member', async () => {
    store.setState({ overlay: 'none', command: undefined, selected: 0 });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press(':');
    for (const ch of `detail ${cluster.nodes[1]!.name}`) await ui.press(ch);
    await ui.press('\r');
    expect(store.getState().overlay).toBe('detail');
    expect(selectedMember(store.getState())!.name).toBe(cluster.nodes[1]!.name);
    ui.unmount();
    store.setState({ overlay: 'none' });
  });
});
