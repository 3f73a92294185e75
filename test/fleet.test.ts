import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startTestCluster } from './helpers/cluster.js';
import { PtyScreen } from './helpers/pty-screen.js';
import { BIN } from './helpers/cli.js';
import { runCli } from './helpers/cli.js';
import { parseCli } from '../src/cli/args.js';
import { planContexts } from '../src/cli/connection.js';
import { openSession, type Session } from '../src/cli/session.js';
import { loadUserConfig } from '../src/cli/user-config-file.js';
import { Fleet, rowAlert, type ContextRow } from '../src/state/fleet.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let prod: Cluster;
let staging: Cluster;
let dir: string;
let configPath: string;
let screen: PtyScreen | undefined;

beforeAll(async () => {
  [prod, staging] = await Promise.all([startTestCluster({ clusterName: 'prod' }), startTestCluster({ clusterName: 'staging' })]);
  dir = mkdtempSync(join(tmpdir(), 'cockpit-fleet-'));
  configPath = join(dir, 'config.yaml');
  writeFileSync(
    configPath,
    stringify({
      'current-context': 'prod',
      contexts: {
        prod: { inventory: prod.inventoryPath },
        staging: { endpoints: staging.nodes.map((n) => n.clientUrl), cacert: staging.tls.cacert, cert: staging.tls.cert, key: staging.tls.key },
        broken: { endpoints: ['https://127.0.0.1:9'], cacert: join(dir, 'missing-ca.crt') },
      },
    }),
  );
}, 120_000);

afterAll(async () => {
  screen?.kill();
  await Promise.all([prod?.cleanup(), staging?.cleanup()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until<T>(get: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The config's clusters as the cockpit runs them: prod on screen at `intervalMs`, the others in the overview. */
async function startFleet(
  rates: { intervalMs: number; overviewEveryMs: number },
  onAttention?: (name: string, text: string) => void,
): Promise<{ fleet: Fleet<Session>; first: Session }> {
  const opts = { ...parseCli([]), commandTimeoutMs: 1000, intervalMs: rates.intervalMs };
  const contexts = planContexts(opts, loadUserConfig(configPath, {})).map(({ name, plan }) => ({ name, open: () => openSession(plan(), opts) }));
  const first = await contexts[0]!.open();
  const fleet = new Fleet<Session>(contexts, { name: 'prod', session: first }, rates.overviewEveryMs, onAttention);
  first.poller.start();
  fleet.start();
  return { fleet, first };
}

describe('what a cluster out of view says', () => {
  const summary = (quorum: 'ok' | 'lost', answering: number, alarms: string[] = []) => ({
    voters: 3, answering, total: 3, quorum, tolerates: Math.max(0, answering - 2), alarms, unstarted: 0,
  });
  const row = (s?: ReturnType<typeof summary>, error?: string): ContextRow => ({ name: 'staging', active: false, summary: s, error });
  it.each([
    [row(), row(summary('ok', 3)), undefined],
    [row(), row(summary('lost', 1)), { text: 'quorum LOST (1/3 answering)', tone: 'critical' }],
    [row(summary('ok', 3)), row(summary('ok', 2)), { text: '2/3 answering, tolerates 0 more failures', tone: 'warning' }],
    [row(summary('ok', 2)), row(summary('lost', 1)), { text: 'quorum LOST (1/3 answering)', tone: 'critical' }],
    [row(summary('lost', 1)), row(summary('ok', 3)), { text: 'quorum back (3/3 answering)', tone: 'healthy' }],
    [row(summary('ok', 3)), row(summary('ok', 3, ['NOSPACE on etcd-2'])), { text: 'ALARM NOSPACE on etcd-2', tone: 'critical' }],
    [row(summary('ok', 3, ['NOSPACE on etcd-2'])), row(summary('ok', 3, ['NOSPACE on etcd-2'])), undefined],
    [row(summary('ok', 2)), row(summary('ok', 3)), undefined],
    [row(), row(undefined, 'no such file'), { text: 'cannot be polled: no such file', tone: 'warning' }],
    [row(undefined, 'no such file'), row(undefined, 'no such file'), undefined],
  ])('%#', (before, after, alert) => {
    expect(rowAlert(before, after)).toEqual(alert);
  });
});

describe('several clusters from one user config', () => {
  it('the overview polls the clusters out of view: quorum, answering, alarms; a member killed there shows; switching moves the fast poll', async () => {
    const told: string[] = [];
    const { fleet, first } = await startFleet({ intervalMs: 200, overviewEveryMs: 300 }, (name, text) => told.push(`${name}: ${text}`));
    const row = (name: string): ContextRow => fleet.rows.getState().rows.find((r) => r.name === name)!;
    try {
      await until(() => row('staging').summary?.answering === 3, 10_000, 'staging polled');
      expect(row('staging').summary).toMatchObject({ quorum: 'ok', tolerates: 1, total: 3, alarms: [] });
      expect(row('staging').active).toBe(false);
      expect(row('prod').active).toBe(true);
      expect(row('broken').error).toMatch(/cannot read CA certificate \(cacert of context broken\) .*missing-ca.crt: no such file/);
      expect(first.store.getState().contexts).toEqual(['prod', 'staging', 'broken']);

      // A member of the cluster out of view dies: the overview says so on its next round.
      await staging.members.get('etcd-2')!.stop({ graceMs: 0 });
      await until(() => row('staging').summary?.answering === 2, 5000, 'staging 2/3 in the overview');
      expect(row('staging').summary!.quorum).toBe('ok');
      expect(row('staging').summary!.tolerates).toBe(0);
      // The one looking at prod hears of it, and of broken once.
      expect(told).toContain('staging: 2/3 answering, tolerates 0 more failures');
      expect(told.filter((t) => t.startsWith('broken: cannot be polled: cannot read CA certificate'))).toHaveLength(1);

      // Switching puts staging at full rate; the broken one cannot be switched to and nothing changes.
      const next = await fleet.switchTo('staging');
      expect(fleet.activeName()).toBe('staging');
      expect(row('staging').active).toBe(true);
      expect(row('prod').active).toBe(false);
      await until(() => /unreachable|timeout/.test(next.store.getState().members[staging.nodes[1]!.clientUrl]!.health), 3000, 'staging etcd-2 down on screen');
      await expect(fleet.switchTo('broken')).rejects.toThrow(/missing-ca.crt/);
      expect(fleet.activeName()).toBe('staging');
    } finally {
      fleet.stop();
      await staging.members.get('etcd-2')!.start();
    }
  });

  it('the cluster switched away from stops its fast poll: a member killed there is seen only at the next overview round', async () => {
    // One overview round at start, the next a minute later: nothing but the fast loop could notice a change meanwhile.
    const { fleet, first } = await startFleet({ intervalMs: 100, overviewEveryMs: 60_000 });
    const prodMember = prod.nodes[2]!;
    const health = () => first.store.getState().members[prodMember.clientUrl]!.health;
    try {
      await until(() => health() === 'ok', 5000, 'prod polled');
      await fleet.switchTo('staging');
      await new Promise((r) => setTimeout(r, 300)); // a tick already in flight at the switch may still land
      await prod.members.get(prodMember.name)!.stop({ graceMs: 0 });
      await new Promise((r) => setTimeout(r, 1000)); // ten fast intervals
      expect(health()).toBe('ok');
      await fleet.switchTo('prod');
      await until(() => /unreachable|timeout/.test(health()), 3000, 'prod member down once prod is back on screen');
    } finally {
      fleet.stop();
      await prod.members.get(prodMember.name)!.start();
    }
  });

  it('contexts: one line per cluster, exit 0 only when every one has quorum and no alarm', async () => {
    const r = await runCli(['contexts', '--config', configPath]);
    expect(r.code).toBe(1); // broken cannot be read
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CONTEXT\s+QUORUM\s+ANSWERING\s+LEADER\s+ALARMS$/);
    expect(lines[1]).toMatch(/^prod\s+OK, tolerates \d\s+\d\/3\s+etcd-\d\s+none$/);
    expect(lines[2]).toMatch(/^staging\s+OK, tolerates \d\s+\d\/3\s+etcd-\d\s+none$/);
    expect(lines[3]).toMatch(/^broken\s+error: cannot read CA certificate/);
    const json = JSON.parse((await runCli(['contexts', '--config', configPath, '-o', 'json'])).stdout) as { context: string }[];
    expect(json.map((c) => c.context)).toEqual(['prod', 'staging', 'broken']);
  });

  it('in the built cockpit: C lists the clusters, :ctx staging switches, the header follows, trouble out of view is told', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm-256color' };
    screen = new PtyScreen(process.execPath, [BIN, '--config', configPath], { columns: 120, rows: 40, env });
    const header = (s: string) => s.split('\n')[0] ?? '';
    await screen.waitFor((s) => /^prod\s+\d\/3 answering/.test(header(s)), 10_000, 'prod on screen');
    screen.type('C');
    await screen.waitFor((s) => /staging\s+OK · tolerates/.test(s) && /broken\s+cannot read CA/.test(s), 15_000, 'overview with staging and broken');
    screen.type('\x1b');
    await screen.waitFor((s) => !s.includes('Clusters (user config'), 2000, 'overview closed');
    screen.type(':');
    for (const ch of 'ctx st') screen.type(ch);
    screen.type('\t');
    await screen.waitFor((s) => s.includes(':ctx staging'), 2000, 'completed to ctx staging');
    screen.type('\r');
    await screen.waitFor((s) => /^staging\s+\d\/3 answering/.test(header(s)), 5000, 'staging on screen');
    await screen.waitFor((s) => s.includes('switched from prod to staging'), 2000, 'the switch in the events pane');
    // prod is out of view now: a member of it dying is said on staging's screen at the next overview round.
    const victim = prod.members.get(prod.nodes[0]!.name)!;
    await victim.stop({ graceMs: 0 });
    try {
      await screen.waitFor((s) => /prod: 2\/3 answering, tolerates 0 more failures \(C lists every cluster\)/.test(s), 15_000, 'prod trouble told on staging');
    } finally {
      await victim.start();
    }
    screen.type('q');
    expect(await screen.waitForExit(5000)).toBe(0);
    screen = undefined;
  });
});
