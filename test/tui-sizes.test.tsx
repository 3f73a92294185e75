import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startWatchedCluster, testRunner, type TestCluster, type WatchedCluster } from './helpers/watched-cluster.js';
import { KEYS, renderAt, tick } from './helpers/render.js';
import { Root } from '../src/ui/Root.js';
import { createCockpitStore, type CockpitStore } from '../src/state/store.js';
import { loadTheme } from '../src/ui/theme.js';
import type { OperationRunner } from '../src/state/operation-runner.js';
import { cellKey, emptyRunbookView } from '../src/state/runbook-view.js';
import { runbookRows } from '../src/state/runbook-runner.js';
import { parseInventory } from '../src/core/inventory/parse.js';

let cluster: TestCluster;
let base: CockpitStore;
let dir: string;
const dark = loadTheme('dark');
const NAME = 'a-rather-long-cluster-name-prod-eu-west-1';

/** A store that watches the real cluster (named long, to push the header). */
function liveStore(): CockpitStore {
  const s = createCockpitStore({ clusterName: NAME, members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
  for (const [endpoint, m] of Object.entries(base.getState().members)) {
    if (m.last) s.getState().applyProbe(endpoint, { ok: true, sample: m.last }, Date.now());
  }
  return s;
}

let watched: WatchedCluster;
beforeAll(async () => {
  watched = await startWatchedCluster('base', { deadlineMs: 2000 });
  ({ cluster, dir } = watched);
  base = watched.store;
});
afterAll(async () => {
  await watched?.stop();
});

function runnerFor(store: CockpitStore): OperationRunner {
  return testRunner(watched, { audit: join(dir, 'audit.log'), cluster: NAME, snapshotDir: join(dir, 'snapshots'), on: store });
}

const plain = (frame: string): string[] => frame.replace(/\x1b\[[0-9;]*m/g, '').split('\n');

/** Every line within the width, the frame within the height (one row short: Ink's last line), and `must` all visible. */
function expectFits(frame: string, size: { columns: number; rows: number }, must: (string | RegExp)[], what: string): void {
  const lines = plain(frame);
  expect(lines.length, `${what}: ${lines.length} rows at ${size.columns}x${size.rows}\n${lines.join('\n')}`).toBeLessThanOrEqual(size.rows - 1);
  for (const line of lines) expect([...line].length, `${what}: a line wider than ${size.columns}: "${line}"`).toBeLessThanOrEqual(size.columns);
  const text = lines.join('\n');
  for (const m of must) {
    if (typeof m === 'string') expect(text, `${what} at ${size.columns}x${size.rows}\n${text}`).toContain(m);
    else expect(text, `${what} at ${size.columns}x${size.rows}\n${text}`).toMatch(m);
  }
}

const SIZES = [
  { columns: 80, rows: 24 },
  { columns: 60, rows: 20 },
];

describe.each(SIZES)('at $columns x $rows nothing corrupts', (size) => {
  it('the panes: the header is one line, quorum first to stay, the footer last', () => {
    const store = liveStore();
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);
    const frame = ui.lastFrame();
    ui.unmount();
    expectFits(frame, size, ['quorum OK', '? help'], 'panes');
    // The footer drops hints that do not fit, whole: none is cut.
    expect(plain(frame).at(-1)).not.toContain('…');
    expect(plain(frame)[0]).toContain('quorum OK');
    expect(plain(frame)[1]).not.toMatch(/^\s*(term|rev|leader) /);
  });

  it('the NOSPACE banner and a long event fit', () => {
    const store = liveStore();
    const endpoint = store.getState().order[1]!;
    const m = store.getState().members[endpoint]!;
    store.getState().applyProbe(endpoint, { ok: true, sample: { ...m.last!, alarms: ['NOSPACE'] } }, Date.now());
    store.getState().addEvent(`defrag ${m.name}: FAILED: ${'a very long reason that goes on and on '.repeat(6)}`, 'critical');
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);
    const frame = ui.lastFrame();
    ui.unmount();
    expectFits(frame, size, [`ALARM NOSPACE on ${m.name}`, `defrag ${m.name}: FAILED`, '? help'], 'NOSPACE banner');
  });

  it('help (?) fits and scrolls to its last action', async () => {
    const store = liveStore();
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);
    await ui.press('?');
    expectFits(ui.lastFrame(), size, ['Keys', 'more below', 'Esc closes this help'], 'help');
    for (let i = 0; i < 4; i++) await ui.press('\x1b[6~'); // PgDn
    const end = ui.lastFrame();
    ui.unmount();
    expectFits(end, size, ['quit', 'more above'], 'help scrolled down');
    expect(plain(end).join('\n')).not.toContain('more below');
  });

  it('a confirmation names the member and shows the buttons', async () => {
    const store = liveStore();
    store.setState({ selected: 2 });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} operations={runnerFor(store)} />, size);
    await ui.press('d');
    const frame = ui.lastFrame();
    await ui.press(KEYS.escape);
    ui.unmount();
    expectFits(frame, size, [`defrag ${cluster.nodes[2]!.name}`, '[ Cancel ]', 'Confirm'], 'confirmation');
  });

  it('a typed confirmation keeps the name to type and the input line', async () => {
    const store = liveStore();
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} operations={runnerFor(store)} />, size);
    await ui.press('N');
    for (let i = 0; i < 100 && !ui.lastFrame().includes('Type'); i++) await tick(30);
    const frame = ui.lastFrame();
    await ui.press(KEYS.escape);
    ui.unmount();
    expectFits(frame, size, ['nospace-recover', 'Type', NAME, '> '], 'typed confirmation');
  });

  it('the runbook plan (P) sidebar fits', async () => {
    const store = liveStore();
    const inventory = parseInventory(
      stringify({ cluster: 'sizes', nodes: cluster.nodes.map((n, i) => ({ name: n.name, address: `127.0.0.${i + 1}`, clientUrl: n.clientUrl })), runbook: { workdir: './work' } }),
      join(dir, 'cluster.yaml'),
    );
    const view = emptyRunbookView(runbookRows(inventory));
    const log = Array.from({ length: 40 }, (_, i) => `line ${i}: etcd-${(i % 3) + 1} would write /etc/etcd/etcd.conf.yml with ${"x".repeat(90)}`);
    store.getState().setRunbook({ ...view, outcome: 'dry-run', log, cells: Object.fromEntries(view.steps.flatMap((s) => s.targets.map((t) => [cellKey(s.id, t), { state: 'skipped' as const, skip: 'dry-run' as const }]))) });
    store.setState({ overlay: 'runbook' });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);
    const frame = ui.lastFrame();
    ui.unmount();
    expectFits(frame, size, ['Runbook: dry run shown below', 'line 39: etcd-1'], 'runbook plan');
  });

  it('the : line with the quota size format fits', async () => {
    const store = liveStore();
    store.getState().setRunbook(emptyRunbookView([]));
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);
    await ui.press('Q');
    const frame = ui.lastFrame();
    await ui.press(KEYS.escape);
    ui.unmount();
    expectFits(frame, size, ['SIZE: 8GiB, 512MiB', ':quota '], 'quota prompt');
  });

  it('the member detail fits', async () => {
    const store = liveStore();
    store.setState({ overlay: 'detail', selected: 1 });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);
    await tick();
    const frame = ui.lastFrame();
    ui.unmount();
    expectFits(frame, size, [cluster.nodes[1]!.name], 'detail');
  });
});

describe('Ctrl-L', () => {
  it('draws one empty frame then the whole screen again', async () => {
    const store = liveStore();
    let repaints = 0;
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} onRepaint={() => repaints++} />, { columns: 80, rows: 24 });
    const before = ui.lastFrame();
    const count = ui.frameCount();
    await ui.press('\x0c');
    await tick(60);
    expect(repaints).toBe(1);
    expect(ui.frameCount()).toBeGreaterThanOrEqual(count + 2);
    expect(ui.lastFrame()).toBe(before);
    ui.unmount();
  });
});
