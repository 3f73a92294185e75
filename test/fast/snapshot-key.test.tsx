// Fast tier: the snapshot key (s) through the runner over FakeSnapshotSource and a fake etcdutl; our verify-then-rename path.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Root } from '../../src/ui/Root.js';
import { loadTheme } from '../../src/ui/theme.js';
import { fakeRunner, fixtureCluster, fixtureStore } from '../fakes/fixture-store.js';
import { renderAt } from '../helpers/render.js';

let dir: string | undefined;
let ui: ReturnType<typeof renderAt> | undefined;
afterEach(() => {
  ui?.unmount();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fake cluster: snapshot of the selected member', () => {
  it('allowed read-only: streamed, verified, renamed into place 0600, audited', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cockpit-fast-snap-'));
    const cluster = fixtureCluster();
    const store = fixtureStore(cluster, { readOnly: true });
    store.setState({ selected: 1 });
    const etcdutl = async () => ({ hash: 'c25fd181', revision: 100, totalKeys: 7, totalSize: 65536 });
    const { runner, audit } = fakeRunner(store, cluster, undefined, { dir, etcdutl });
    ui = renderAt(<Root store={store} theme={loadTheme('dark')} onQuit={() => {}} operations={runner} />, { columns: 120, rows: 40 });
    await ui.press('s');
    await ui.waitFor('snapshot etcd-2: done', 5000);
    expect(cluster.calls).toEqual(['etcd-2 snapshot']);
    const files = readdirSync(dir).filter((f) => f.endsWith('.db'));
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).some((f) => f.includes('.part'))).toBe(false);
    expect(existsSync(join(dir, `${files[0]}.cockpit.json`))).toBe(true);
    expect(audit.entries).toMatchObject([{ action: 'snapshot', target: 'etcd-2', result: 'ok' }]);
  });
});
