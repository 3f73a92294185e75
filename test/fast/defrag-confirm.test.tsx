// Fast tier: the TUI's confirm dialog -> runOperation path for a defrag, over a fake cluster and a fake audit sink.
// Our ordering, guards and audit logic; defrag against real etcd is tested in test/operations.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { Root } from '../../src/ui/Root.js';
import { loadTheme } from '../../src/ui/theme.js';
import { buildRequest } from '../../src/core/operations/requests.js';
import { CLUSTER_LOCK_KEY } from '../../src/core/operations/cluster-lock.js';
import { membersInOrder, type CockpitStore } from '../../src/state/store.js';
import { downMembers, fakeRunner, fixtureCluster, fixtureStore, pollOnce } from '../fakes/fixture-store.js';
import type { FakeEtcdCluster } from '../fakes/fake-etcd-member.js';
import { KEYS, plainText, renderAt } from '../helpers/render.js';

const dark = loadTheme('dark');
let ui: ReturnType<typeof renderAt> | undefined;
afterEach(() => ui?.unmount());

function open(cluster: FakeEtcdCluster, store: CockpitStore) {
  const { runner, audit } = fakeRunner(store, cluster);
  ui = renderAt(<Root store={store} theme={dark} onQuit={() => {}} operations={runner} />, { columns: 120, rows: 40 });
  return { ui, runner, audit };
}

describe('fake cluster: defrag through the confirm dialog and runOperation', () => {
  it('confirmed: followers first, the leader last after its leadership moved, under the cluster lock, audited', async () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    const { ui, audit } = open(cluster, store);
    await ui.press('D');
    const dialog = plainText(await ui.waitFor('[ Cancel ]'));
    expect(dialog).toContain('defrag cluster');
    expect(dialog).toMatch(/1\. etcd-2: up to 300 MB to reclaim[\s\S]*2\. etcd-3: up to 300 MB[\s\S]*3\. etcd-1 \(leader: leadership moves away first\)/);
    expect(cluster.calls, 'nothing runs before the answer').toEqual([]);

    await ui.press(KEYS.tab);
    await ui.waitFor('[ Confirm ]');
    await ui.press('\r');
    const done = plainText(await ui.waitFor('defrag cluster: done'));

    expect(cluster.calls).toEqual([
      `etcd-1 lock ${CLUSTER_LOCK_KEY}`,
      'etcd-2 defragment',
      'etcd-3 defragment',
      'etcd-1 move-leader etcd-2',
      'etcd-1 defragment',
      `etcd-1 unlock ${CLUSTER_LOCK_KEY}`,
    ]);
    expect(cluster.node('etcd-1').dbSize).toBe(cluster.node('etcd-1').dbSizeInUse);
    // Start and end on screen, in order, and one audit entry spanning them.
    expect(done.indexOf('defrag cluster: started')).toBeGreaterThan(-1);
    expect(done.indexOf('defrag cluster: started')).toBeLessThan(done.indexOf('defrag cluster: done'));
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ action: 'defrag', target: 'cluster', cluster: 'fixture', result: 'ok', params: { force: false } });
    expect(Date.parse(audit.entries[0]!.time)).toBeLessThanOrEqual(Date.now() - audit.entries[0]!.durationMs);
    expect(store.getState().busy).toBeUndefined();
  });

  it('cancelled (Enter on Cancel, focused first): nothing runs, the audit says cancelled', async () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    const { ui, audit } = open(cluster, store);
    await ui.press('D');
    await ui.waitFor('[ Cancel ]');
    await ui.press('\r');
    await ui.waitFor('defrag cluster: cancelled, nothing was changed');
    expect(cluster.calls).toEqual([]);
    expect(audit.entries.map((e) => [e.result, e.error])).toEqual([['cancelled', 'not confirmed']]);
  });

  it('a member that does not answer is skipped and said so; the others go on', async () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    cluster.kill('etcd-3');
    pollOnce(store, cluster);
    pollOnce(store, cluster);
    const { ui } = open(cluster, store);
    await ui.press('D');
    expect(plainText(await ui.waitFor('[ Cancel ]'))).toMatch(/etcd-3: skip, not answering \(unreachable\)/);
    await ui.press(KEYS.tab);
    await ui.press('\r');
    await ui.waitFor('defrag cluster: done');
    expect(cluster.calls.filter((c) => c.includes('defragment'))).toEqual(['etcd-2 defragment', 'etcd-1 defragment']);
  });

  it('another cockpit holds the cluster lock: refused, nothing defragmented, audited as refused', async () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    cluster.keys.set(CLUSTER_LOCK_KEY, { value: JSON.stringify({ user: 'alice', host: 'jump-2', pid: 42, operation: 'compact cluster', since: new Date().toISOString() }) });
    const { ui, audit } = open(cluster, store);
    await ui.press('D');
    await ui.press(KEYS.tab);
    await ui.press('\r');
    await ui.waitFor('another operation holds the cluster: compact cluster by alice@jump-2');
    expect(cluster.calls).toEqual([]);
    expect(audit.entries.map((e) => e.result)).toEqual(['refused']);
  });

  it('quorum lost: the guard refuses what needs quorum before any dialog, and audits the refusal', async () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster);
    downMembers(store, cluster, 'etcd-2', 'etcd-3');
    const { ui, audit } = open(cluster, store);
    await ui.press('c');
    const frame = plainText(await ui.waitFor('unavailable, quorum is lost (1/3 answering)'));
    expect(frame).not.toContain('[ Cancel ]');
    expect(store.getState().confirm).toBeUndefined();
    expect(audit.entries).toMatchObject([{ action: 'compact', result: 'refused', error: 'quorum is lost (1/3 answering)' }]);
    expect(cluster.calls).toEqual([]);
  });

  it('read-only: the defrag keys do nothing, and the runner refuses a defrag even when asked directly', async () => {
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster, { readOnly: true });
    const { ui, runner, audit } = open(cluster, store);
    await ui.waitFor('READ-ONLY');
    await ui.press('D');
    await ui.press('d');
    expect(store.getState().confirm).toBeUndefined();
    expect(audit.entries).toEqual([]);

    runner.ask(buildRequest('defrag', { cluster: 'fixture', members: membersInOrder(store.getState()) }));
    await ui.waitFor(() => audit.entries.length > 0);
    expect(audit.entries).toMatchObject([{ action: 'defrag', result: 'refused', error: 'read-only mode' }]);
    expect(store.getState().confirm).toBeUndefined();
    expect(cluster.calls).toEqual([]);
  });
});
