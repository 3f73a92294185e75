import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startWatchedCluster, testRunner, type TestCluster, type WatchedCluster } from './helpers/watched-cluster.js';
import { KEYS, frameOnceItShows, renderAt, tick } from './helpers/render.js';
import { Root } from '../src/ui/Root.js';
import type { CockpitStore } from '../src/state/store.js';
import type { Poller } from '../src/state/poller.js';
import { loadTheme } from '../src/ui/theme.js';
import type { OperationRunner } from '../src/state/operation-runner.js';
import { emptyRunbookView } from '../src/state/runbook-view.js';
import { parseInventory } from '../src/core/inventory/parse.js';
import { summarizeCluster } from '../src/core/cluster/summary.js';
import { membersInOrder } from '../src/state/store.js';
import { formatClock } from '../src/core/format/time.js';

let cluster: TestCluster;
let store: CockpitStore;
let poller: Poller;
let dir: string;
const dark = loadTheme('dark');

let watched: WatchedCluster;
beforeAll(async () => {
  watched = await startWatchedCluster('truth');
  ({ cluster, store, poller, dir } = watched);
});
afterAll(async () => {
  await watched?.stop();
});

function runner(audit: string): OperationRunner {
  return testRunner(watched, {
    audit,
    cluster: 'truth',
    snapshotDir: join(dir, 'snapshots'),
    openRun: (inventory) => {
      const run = createRunContext({ inventory });
      return { run, close: () => closeRunContext(run) };
    },
  });
}

function auditLines(file: string): Record<string, unknown>[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
}

const plain = (frame: string): string[] => frame.replace(/\x1b\[[0-9;]*m/g, '').split('\n');

describe('events pane', () => {
  it('collapses repeats into one line with the count and the first time', () => {
    const start = new Date(2026, 0, 1, 4, 10, 0).getTime();
    store.setState({ events: [], overlay: 'none', confirm: undefined });
    for (let i = 0; i < 12; i++) store.getState().addEvent('etcd-2 slow disk', 'warning', start + i * 20_000);
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    const lines = plain(ui.lastFrame());
    ui.unmount();
    const slow = lines.filter((l) => l.includes('etcd-2 slow disk'));
    expect(slow, lines.join('\n')).toHaveLength(1);
    expect(slow[0]).toContain(`${formatClock(start + 11 * 20_000)} etcd-2 slow disk x12 since 04:10`);
  });

  it('collapses repeats whose readings differ, with several members in turn, and keeps the newest reading', () => {
    const start = new Date(2026, 0, 1, 4, 10, 0).getTime();
    store.setState({ events: [], overlay: 'none', confirm: undefined });
    for (let round = 0; round < 5; round++) {
      for (const name of ['etcd-1', 'etcd-2', 'etcd-3']) {
        store.getState().addEvent(`${name}: fsync p99 ${150 + round} ms > 10 ms: slow disk`, 'warning', start + round * 15_000);
        store.getState().addEvent(`${name}: backend commit p99 ${70 + round} ms > 25 ms: slow disk`, 'warning', start + round * 15_000);
      }
    }
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    const lines = plain(ui.lastFrame()).filter((l) => /^\d\d:\d\d:\d\d .* p99 \d+ ms > /.test(l));
    ui.unmount();
    store.setState({ events: [] });
    expect(lines).toHaveLength(6);
    expect(lines.join('\n')).toContain('etcd-2: fsync p99 154 ms > 10 ms: slow disk x5 since 04:10');
    expect(lines.join('\n')).not.toContain('fsync p99 150 ms');
  });

  it('grows into the rows the panes leave free', () => {
    store.setState({ events: [], overlay: 'none', confirm: undefined });
    const word = (i: number): string => `event ${String.fromCharCode(97 + i)}${String.fromCharCode(97 + i)}`;
    for (let i = 0; i < 20; i++) store.getState().addEvent(word(i), 'normal', Date.now() + i);
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    const lines = plain(ui.lastFrame());
    ui.unmount();
    store.setState({ events: [] });
    expect(lines.length).toBeLessThanOrEqual(39);
    const shown = lines.filter((l) => /event ([a-z])\1$/.test(l)).length;
    // Wide panes take 24 rows of 39: the header and footer 2, so up to 13 rows for events (was 4).
    expect(shown).toBeGreaterThanOrEqual(12);
    expect(lines.join('\n')).toContain(word(19));
    expect(lines.at(-1)).toContain('? help');
  });
});

describe('long actions and their arguments', () => {
  const inventory = (): ReturnType<typeof parseInventory> =>
    parseInventory(
      stringify({ cluster: 'truth', nodes: cluster.nodes.map((n, i) => ({ name: n.name, address: `127.0.0.${i + 1}`, clientUrl: n.clientUrl })), runbook: { workdir: join(dir, 'work') } }),
      join(dir, 'cluster.yaml'),
    );

  it('Q opens the : line with the size formats it accepts', async () => {
    store.setState({ events: [], command: undefined, runbook: emptyRunbookView([]) });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} />, { columns: 120, rows: 40 });
    await ui.press('Q');
    const frame = ui.lastFrame();
    await ui.press(KEYS.escape);
    ui.unmount();
    store.setState({ runbook: undefined });
    expect(frame).toContain(':quota ');
    expect(frame).toContain('SIZE: 8GiB, 512MiB, 2GB or bytes (4294967296)');
  });

  it('B says at once that it is preparing, then asks with the backup it will take named; Esc cancels, recorded with that backup', async () => {
    const audit = join(dir, 'audit-b.log');
    store.setState({ events: [], command: undefined, runbook: emptyRunbookView([]) });
    const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} operations={runner(audit)} inventory={inventory()} />, { columns: 120, rows: 40 });
    await ui.press('B');
    // Before any node or etcd has answered: the press itself is acknowledged.
    expect(ui.lastFrame()).toContain('rebootstrap: preparing, reaching the nodes before asking');
    const frame = await frameOnceItShows(ui, 'Backup first');
    await ui.press(KEYS.escape);
    for (let i = 0; i < 100 && !existsSync(audit); i++) await tick(50);
    ui.unmount();
    store.setState({ runbook: undefined });
    // No snapshot in the test's snapshot dir yet: the question says one will be taken, from a member that answers.
    expect(plain(frame).join(' ').replace(/\s+/g, ' ')).toMatch(/Backup first: a snapshot of etcd-\d into .*snapshots, verified before anything changes/);
    const records = auditLines(audit);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: 'rebootstrap', target: 'cluster', result: 'cancelled', params: { backup: `new in ${join(dir, 'snapshots')}` } });
    expect(readdirSync(dir)).not.toContain('snapshots');
  });
});

describe('while quorum is lost', () => {
  it('actions that need it are shown off with the reason, and pressing one says why and is audited as refused', async () => {
    const audit = join(dir, 'audit-quorum.log');
    const [, second, third] = cluster.nodes;
    store.setState({ events: [], overlay: 'none', confirm: undefined, command: undefined, selected: 0 });
    cluster.members.get(second!.name)!.signal('SIGSTOP');
    cluster.members.get(third!.name)!.signal('SIGSTOP');
    try {
      for (let i = 0; i < 20 && summarizeCluster(membersInOrder(store.getState()), store.getState().memberList).quorum !== 'lost'; i++) await poller.pollOnce();
      expect(summarizeCluster(membersInOrder(store.getState()), store.getState().memberList).quorum).toBe('lost');
      const ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} operations={runner(audit)} />, { columns: 120, rows: 40 });
      expect(plain(ui.lastFrame()).at(-1)).toContain('d D c L A W X Q N T off: quorum lost  ? help  q quit');
      await ui.press('c');
      expect(store.getState().confirm).toBeUndefined();
      expect(ui.lastFrame()).toContain('compact history to the current revision: unavailable, quorum is lost');
      await ui.press('?');
      expect(ui.lastFrame()).toMatch(/c\s+off, quorum is lost \(1\/3 answering\): compact history to the current revision/);
      await ui.press(KEYS.escape);
      ui.unmount();
      const records = auditLines(audit);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ action: 'compact', result: 'refused', cluster: 'truth' });
      expect(String(records[0]!.error)).toContain('quorum is lost');
    } finally {
      cluster.members.get(second!.name)!.signal('SIGCONT');
      cluster.members.get(third!.name)!.signal('SIGCONT');
    }
  });
});
