import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, renameSync } from 'node:fs';
import { parseCli } from '../src/cli/args.js';
import { planConnection } from '../src/cli/connection.js';
import { openSession } from '../src/cli/session.js';
import { join } from 'node:path';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { runCli } from './helpers/cli.js';
import { createCockpitStore } from '../src/state/store.js';
import { Poller } from '../src/state/poller.js';
import { createPooledClient } from '../src/adapters/etcd/member-client.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;

/**
 * What `status` says must be true: the operator's own setup is not a cluster
 * state, and a member down since the start still has its name and ID.
 */
describe('status tells the operator’s setup from the cluster’s state', () => {
  let cluster: Cluster;
  let otherCa: string;
  const tlsFlags = (cacert?: string) => ['--cacert', cacert ?? cluster.tls.cacert, '--cert', cluster.tls.cert, '--key', cluster.tls.key];
  const endpoints = () => cluster.nodes.map((n) => n.clientUrl).join(',');

  beforeAll(async () => {
    cluster = await startTestCluster();
    otherCa = join(cluster.dir, 'other-ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=some other CA', '-keyout', join(cluster.dir, 'other-ca.key'), '-out', otherCa], { stdio: 'ignore' });
  });
  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('a wrong CA: quorum unknown with the reason, exit 3, never "quorum LOST"', async () => {
    const json = await runCli(['status', '-o', 'json', '--endpoints', endpoints(), ...tlsFlags(otherCa)]);
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout);
    expect(report.quorum).toBe('unknown');
    expect(report.quorumReason).toMatch(/not signed by the CA given in --cacert/);
    expect(report.members.every((m: { health: string }) => m.health === 'setup')).toBe(true);
    const table = await runCli(['status', '--endpoints', endpoints(), ...tlsFlags(otherCa)]);
    expect(table.code).toBe(3);
    expect(table.stdout).not.toMatch(/LOST/);
    expect(table.stdout).toMatch(/quorum \? \(cannot check .*unknown CA\)/);
    expect(table.stdout).toMatch(/NO ACCESS/);
  });

  it('the right CA: exit 0 and quorum ok (the same command, so the test above can fail)', async () => {
    const run = await runCli(['status', '-o', 'json', '--endpoints', endpoints(), ...tlsFlags()]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ quorum: 'ok', quorumReason: null });
  });

  it('TLS files replaced on disk are picked up without a restart', async () => {
    const cacert = join(cluster.dir, 'swapped-ca.pem');
    copyFileSync(otherCa, cacert);
    const opts = parseCli(['--endpoints', endpoints(), '--cacert', cacert, '--cert', cluster.tls.cert, '--key', cluster.tls.key, '--interval', '250ms']);
    const session = await openSession(planConnection(opts, {}), opts);
    const health = () => Object.values(session.store.getState().members).map((m) => m.health);
    const until = async (what: string, ok: () => boolean) => {
      for (const deadline = Date.now() + 15_000; !ok(); await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() > deadline) throw new Error(`${what}: still ${health().join(',')}`);
      }
    };
    session.poller.start();
    try {
      await until('the wrong CA is refused', () => health().every((h) => h === 'setup'));
      const staged = `${cacert}.new`;
      copyFileSync(cluster.tls.cacert, staged);
      renameSync(staged, cacert); // how renewals land: an atomic rename
      await until('the new CA is used', () => health().every((h) => h === 'ok'));
      expect(session.store.getState().events.map((e) => e.text)).toContain('TLS files changed on disk: reconnecting with them');
    } finally {
      session.poller.stop();
    }
  }, 40_000);

  it('a wrong password: exit 3, and the live poller backs off instead of retrying every interval', async () => {
    const root = createPooledClient(cluster.nodes.map((n) => n.clientUrl), { tls: clusterTls(cluster, cluster.clientCerts.root), credentials: {}, deadlineMs: 5000 });
    try {
      await root.user('root').create('right-password');
      await root.role('root').create().catch(() => undefined);
      await root.user('root').addRole('root');
      await root.auth.authEnable();
    } finally {
      root.close();
    }
    const run = await runCli(['status', '-o', 'json', '--endpoints', endpoints(), '--user', 'root', ...tlsFlags()], { ETCDCTL_PASSWORD: 'wrong-password' });
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report.quorum).toBe('unknown');
    expect(report.quorumReason).toMatch(/wrong user name or password/);
    expect(run.stdout + run.stderr).not.toMatch(/wrong-password/);

    const store = createCockpitStore({ clusterName: 'test', members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
    const tls = clusterTls(cluster);
    const poller = new Poller(store, { intervalMs: 250, clientOptions: () => ({ tls, credentials: { user: 'root', password: 'wrong-password' }, deadlineMs: 2000 }) });
    let attempts = 0;
    const apply = store.getState().applyProbe;
    store.setState({ applyProbe: (endpoint, result, now) => (attempts++, apply(endpoint, result, now)) });
    poller.start();
    await new Promise((r) => setTimeout(r, 8000));
    poller.stop();
    // Every 250 ms for 8 s would be 32 tries per member; backing off 2, 4, 8 s leaves 3 or 4.
    expect(attempts / cluster.nodes.length).toBeLessThanOrEqual(5);
    expect(store.getState().members[cluster.nodes[0]!.clientUrl]!.reason).toMatch(/wrong user name or password \(next try in \d+ s\)/);
  }, 60_000);

  it('a member down since the start is shown by its name and ID from the member list', async () => {
    const down = cluster.nodes[2]!;
    await cluster.members.get(down.name)!.stop();
    const run = await runCli(['status', '-o', 'json', '--endpoints', endpoints(), '--user', 'root', ...tlsFlags()], { ETCDCTL_PASSWORD: 'right-password' });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.quorum).toBe('ok');
    const member = report.members.find((m: { endpoint: string }) => m.endpoint === down.clientUrl);
    expect(member).toMatchObject({ name: down.name, health: 'unreachable', state: 'started' });
    // hex as etcdctl prints it (%x): no leading zeros, so an ID can be shorter than 16 digits
    expect(member.id).toMatch(/^[1-9a-f][0-9a-f]{0,15}$/);
  });
});
