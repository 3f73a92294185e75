// Fast tier: the screen drawn from a fixture store over a fake cluster (test/fakes). Our layout logic, not etcd.
import { describe, expect, it } from 'vitest';
import { Root } from '../../src/ui/Root.js';
import { loadTheme } from '../../src/ui/theme.js';
import { downMembers, fixtureCluster, fixtureStore, signals } from '../fakes/fixture-store.js';
import { plainText, renderAt } from '../helpers/render.js';

const dark = loadTheme('dark');
const lines = (frame: string): string[] => plainText(frame).split('\n');

function expectFits(frame: string, size: { columns: number; rows: number }): void {
  const rows = lines(frame);
  expect(rows.length, plainText(frame)).toBeLessThanOrEqual(size.rows - 1);
  for (const line of rows) expect([...line].length, `wider than ${size.columns}: "${line}"`).toBeLessThanOrEqual(size.columns);
}

describe('fake cluster: the member panes from a fixture store', () => {
  it('at 120x40: panes side by side, every field on its own line, header and footer', () => {
    const store = fixtureStore();
    store.getState().applySignals([{ endpoint: store.getState().order[1]!, signals: signals(7) }]);
    const size = { columns: 120, rows: 40 };
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);
    const frame = ui.lastFrame();
    ui.unmount();
    expectFits(frame, size);
    const text = lines(frame);
    expect(text[0]).toMatch(/^fixture .*3\/3 answering.*quorum OK · tolerates 1.*leader etcd-1/);
    // Wide panes: all three names on one row.
    expect(text.some((l) => /etcd-1.*etcd-2.*etcd-3/.test(l)), plainText(frame)).toBe(true);
    expect(plainText(frame)).toMatch(/★ leader/);
    expect(plainText(frame)).toContain('7 ms');
    expect(text.at(-1)).toContain('? help');
  });

  it('at 80x24: compact panes stacked, one member down said in its pane', () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    downMembers(store, cluster, 'etcd-2');
    const size = { columns: 80, rows: 24 };
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, size);
    const frame = ui.lastFrame();
    ui.unmount();
    expectFits(frame, size);
    const text = plainText(frame);
    expect(lines(frame)[0]).toMatch(/2\/3 answering.*quorum OK · tolerates 0/);
    const names = ['etcd-1', 'etcd-2', 'etcd-3'].map((n) => lines(frame).findIndex((l) => new RegExp(`^[│║] ${n} `).test(l)));
    expect(names.every((i, k) => i > 0 && (k === 0 || i > names[k - 1]!)), text).toBe(true);
    expect(text).toContain('DOWN: connection refused at 127.0.0.2:2379');
    expect(text).toMatch(/down since \d\d:\d\d:\d\d/);
  });

  it('quorum lost: the header says so and the footer names the keys that wait for it', () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    downMembers(store, cluster, 'etcd-2', 'etcd-3');
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    const frame = ui.lastFrame();
    ui.unmount();
    expect(lines(frame)[0]).toMatch(/1\/3 answering.*quorum LOST/i);
    expect(lines(frame).at(-1)).toMatch(/^d D c L A .* off: quorum lost/);
  });
});
