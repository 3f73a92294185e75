import { etcdutlStatusReader } from '../src/adapters/local/etcdutl-status.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEYS, renderAt, tick } from './helpers/render.js';
import { localFixture, teardownLocal, type LocalFixture } from './helpers/runbook-fixture.js';
import { Root } from '../src/ui/Root.js';
import { createCockpitStore, type CockpitStore } from '../src/state/store.js';
import { loadTheme } from '../src/ui/theme.js';
import { OperationRunner } from '../src/state/operation-runner.js';
import { AuditLog } from '../src/adapters/audit-log.js';
import { emptyRunbookView } from '../src/state/runbook-view.js';
import { runbookRows } from '../src/state/runbook-runner.js';
import { Poller } from '../src/state/poller.js';
import { findEtcdBinaries } from '../src/adapters/local/etcd-binaries.js';
import { closeRunContext, createRunContext } from '../src/adapters/runbook/run-context.js';

let fx: LocalFixture;
let store: CockpitStore;
let runner: OperationRunner;

beforeAll(async () => {
  fx = await localFixture({ prefix: 'cockpit-tui-runbook-' });
  store = createCockpitStore({ clusterName: fx.inventory.cluster, members: fx.inventory.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
  store.getState().setRunbook(emptyRunbookView(runbookRows(fx.inventory)));
  runner = new OperationRunner(
    store,
    (log) => ({
      clientFor: (e) => livePoller().memberFor(e),
      members: () => store.getState().order.map((e) => store.getState().members[e]!),
      log,
      longDeadlineMs: 30_000,
      pauseMs: 0,
    }),
    new AuditLog(join(fx.dir, 'audit.log')),
    { cluster: fx.inventory.cluster },
    () => ({
      snapshotDir: join(fx.dir, 'snapshots'),
      etcdutl: etcdutlStatusReader(findEtcdBinaries().etcdutl),
      pauseMs: 0,
      openRun: (inventory) => {
        const run = createRunContext({ inventory });
        return { run, close: () => closeRunContext(run) };
      },
    }),
  );
});
afterAll(async () => {
  poller?.stop();
  if (fx) await teardownLocal(fx.dir, fx.workdir);
});

let poller: Poller | undefined;
/** Watches the cluster the runbook built (its root client certificate exists only after phase 3). */
function livePoller(): Poller {
  if (poller) return poller;
  const pki = join(fx.workdir, 'pki');
  const tls = { ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'clients/root.crt')), key: readFileSync(join(pki, 'clients/root.key')) };
  poller = new Poller(store, { intervalMs: 300, clientOptions: () => ({ tls, credentials: {}, deadlineMs: 2000 }) });
  poller.start();
  return poller;
}

async function waitFor(ui: ReturnType<typeof renderAt>, test: (frame: string) => boolean, ms: number): Promise<string> {
  for (let waited = 0; waited < ms; waited += 100) {
    if (test(ui.lastFrame())) return ui.lastFrame();
    await tick(100);
  }
  throw new Error(`timed out; last frame:\n${ui.lastFrame()}`);
}

describe('the runbook sidebar drives the real engine on 3 local nodes', () => {
  const theme = loadTheme('dark');

  it('b shows every phase pending; P shows the exact plan and touches nothing', async () => {
    const ui = renderAt(<Root store={store} theme={theme} onQuit={() => {}} operations={runner} inventory={fx.inventory} />, { columns: 120, rows: 40 });
    await ui.press('b');
    const first = ui.lastFrame();
    expect(first).toContain('Runbook: not run: P shows the plan, R runs it');
    for (const title of ['0 Preflight', '3 TLS certificates', '6 Bootstrap the cluster', '8 Verification checkpoint']) expect(first).toContain(title);
    await ui.press('P');
    const planned = await waitFor(ui, (f) => f.includes('dry run shown below'), 20_000);
    ui.unmount();
    expect(planned).toContain('○');
    expect(existsSync(join(fx.workdir, 'nodes'))).toBe(false);
  });

  it('R asks first (Cancel focused), then runs all phases to 10/10 with the Patroni block', async () => {
    const ui = renderAt(<Root store={store} theme={theme} onQuit={() => {}} operations={runner} inventory={fx.inventory} />, { columns: 120, rows: 40 });
    await ui.press('R');
    // The runbook engine loads on first use: wait for the question, then check Cancel is what Enter would choose.
    expect(await waitFor(ui, (f) => f.includes('[ Cancel ]'), 10_000)).toContain('[ Cancel ]');
    await ui.press(KEYS.tab);
    await ui.press('\r');
    const done = await waitFor(ui, (f) => f.includes('Runbook: done'), 60_000);
    ui.unmount();
    expect((done.match(/PASS/g) ?? []).length).toBe(10);
    expect(done).toContain('etcd3:');
    expect(done).not.toContain('FAIL ');
    const secrets = ['root', 'patroni'].map((u) => readFileSync(join(fx.workdir, 'secrets', `${u}.password`), 'utf8').trim());
    for (const secret of secrets) expect(done).not.toContain(secret);
    const audit = readFileSync(join(fx.dir, 'audit.log'), 'utf8');
    expect(audit).toContain('"action":"runbook-run"');
    for (const secret of secrets) expect(audit).not.toContain(secret);
  });
});

describe('service actions on the cluster the runbook built', () => {
  const theme = loadTheme('dark');

  it('r restarts the selected member through its service and waits until it is healthy', async () => {
    livePoller();
    for (let i = 0; i < 50 && Object.values(store.getState().members).some((m) => m.health !== 'ok'); i++) await tick(100);
    store.setState({ selected: 0 });
    const name = store.getState().members[store.getState().order[0]!]!.name;
    const ui = renderAt(<Root store={store} theme={theme} onQuit={() => {}} operations={runner} inventory={fx.inventory} />, { columns: 120, rows: 40 });
    await ui.press('r');
    await waitFor(ui, (f) => f.includes('[ Cancel ]'), 10_000);
    expect(ui.lastFrame()).toContain(`restart ${name}`);
    await ui.press(KEYS.tab);
    await ui.press('\r');
    const done = await waitFor(ui, (f) => f.includes(`restart ${name}: done`) || f.includes('FAILED'), 60_000);
    ui.unmount();
    expect(done).toContain(`restart ${name}: done`);
  });

  it('U without a snapshot is refused in words, and nothing is stopped', async () => {
    const ui = renderAt(<Root store={store} theme={theme} onQuit={() => {}} operations={runner} inventory={fx.inventory} />, { columns: 120, rows: 40 });
    await ui.press('U');
    const frame = await waitFor(ui, (f) => f.includes('refused'), 10_000);
    ui.unmount();
    expect(frame).toContain('no verified snapshot in');
    expect(store.getState().confirm).toBeUndefined();
  });
});
