import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Etcd3 } from 'etcd3';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { KEYS, renderAt, tick } from './helpers/render.js';
import { Root } from '../src/ui/Root.js';
import { createCockpitStore, membersInOrder, type CockpitStore } from '../src/state/store.js';
import { Poller } from '../src/state/poller.js';
import { loadTheme } from '../src/ui/theme.js';
import { createPooledClient } from '../src/adapters/etcd/member-client.js';
import { keysTop } from '../src/state/keys-top.js';
import type { KeyspaceScanner } from '../src/ui/KeyspaceView.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let cluster: Cluster;
let poller: Poller;
let store: CockpitStore;
let pooled: Etcd3;
const dark = loadTheme('dark');

beforeAll(async () => {
  cluster = await startTestCluster();
  const tls = clusterTls(cluster);
  pooled = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls, credentials: {}, deadlineMs: 10_000 });
  // 300 pods of 1 kB, 100 events of 100 B, one very long prefix that must be cut to fit.
  for (let i = 0; i < 300; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => pooled.put(`/registry/pods/p-${i + j}`).value('p'.repeat(1000))));
  await Promise.all(Array.from({ length: 100 }, (_, i) => pooled.put(`/registry/events/e-${i}`).value('e'.repeat(100))));
  await pooled.put(`/${'very-long-segment-'.repeat(6)}end/x/y`).value('z');
  store = createCockpitStore({ clusterName: 'test', members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
  poller = new Poller(store, { intervalMs: 1000, clientOptions: () => ({ tls, credentials: {}, deadlineMs: 5000 }) });
  await poller.pollOnce();
}, 60_000);
afterAll(async () => {
  poller?.stop();
  pooled?.close();
  await cluster?.cleanup();
});

/** The scan the cockpit wires in run-tui, against the real cluster; `gate` holds it after its first page. */
function scanner(gate?: Promise<void>): KeyspaceScanner {
  return (onProgress, signal) =>
    keysTop((e) => poller.clientFor(e), membersInOrder(store.getState()), { depth: 2, limit: 50, sort: 'bytes' }, async (p) => {
      onProgress(p.keys, p.totalKeys);
      await gate;
    }, signal);
}

const plain = (frame: string): string[] => frame.replace(/\x1b\[[0-9;]*m/g, '').split('\n');

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await tick(50);
  }
}

describe.each([
  { columns: 80, rows: 24 },
  { columns: 60, rows: 20 },
])('keyspace view (K) at $columns x $rows', (size) => {
  it('shows progress, then the top prefixes with exact counts, within the screen; q closes it without quitting', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let quit = false;
    store.getState().setOverlay('none');
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => (quit = true)} keyspace={scanner(gate)} />, size);
    await ui.press('K');
    await until(() => /scanning… \d+ of 401 keys/.test(ui.lastFrame()));
    release();
    await until(() => ui.lastFrame().includes('/registry/pods'));
    const lines = plain(ui.lastFrame());
    expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(size.columns);
    const text = lines.join('\n');
    expect(text).toMatch(/401 keys/);
    expect(text).toMatch(/\/registry\/pods\s+300\s+3\d\d kB/);
    expect(text).toMatch(/\/registry\/events\s+100\s+1\d\.\d kB/);
    expect(text).toMatch(/\/very-long-segm.*….*segment-end\/x/);
    expect(text).toContain('Esc or q closes');
    await ui.press('q');
    expect(store.getState().overlay).toBe('none');
    expect(quit).toBe(false);
    ui.unmount();
  });
});

describe('keyspace view', () => {
  it('Esc during a scan closes the view and stops the scan', async () => {
    let aborted: AbortSignal | undefined;
    const hold: KeyspaceScanner = (onProgress, signal) => {
      aborted = signal;
      return scanner(new Promise(() => undefined))(onProgress, signal);
    };
    store.getState().setOverlay('none');
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} keyspace={hold} />, { columns: 80, rows: 24 });
    await ui.press('K');
    await until(() => ui.lastFrame().includes('scanning…'));
    await ui.press(KEYS.escape);
    expect(store.getState().overlay).toBe('none');
    expect(aborted?.aborted).toBe(true);
    ui.unmount();
  });

  it('is listed in the help', async () => {
    store.getState().setOverlay('none');
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 60 });
    await ui.press('?');
    expect(ui.lastFrame()).toContain('keyspace: keys and bytes per key prefix');
    ui.unmount();
  });
});
