import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startTestCluster, clusterTls } from './helpers/cluster.js';
import { handledCalls } from './helpers/etcd-calls.js';
import { runCli } from './helpers/cli.js';
import { createCockpitStore } from '../src/state/store.js';
import { Poller } from '../src/state/poller.js';
import { createMemberClient } from '../src/adapters/etcd/member-client.js';
import { generatePkiSync } from '../src/core/pki/generate.js';
import { idToHex } from '../src/core/ids.js';

type Cluster = Awaited<ReturnType<typeof startTestCluster>>;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});
afterAll(async () => {
  await cluster?.cleanup();
});

function tls(cert?: string, key?: string) {
  return clusterTls(cluster, { cert, key });
}

function makePoller(deadlineMs = 1000) {
  const store = createCockpitStore({ clusterName: 'test', members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
  const material = tls();
  const poller = new Poller(store, {
    intervalMs: 200,
    clientOptions: () => ({ tls: material, credentials: {}, deadlineMs }),
  });
  return { store, poller };
}

describe('polling a real 3-member TLS cluster', () => {
  it('a steady cluster gets status every poll and the linearizable read only every quorumReadEveryMs', async () => {
    const store = createCockpitStore({ clusterName: 'test', members: cluster.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
    const material = tls();
    const poller = new Poller(store, { intervalMs: 200, quorumReadEveryMs: 1500, metricsEveryMs: 60_000, clientOptions: () => ({ tls: material, credentials: {}, deadlineMs: 1000 }) });
    try {
      await poller.pollOnce();
      const [status0, range0] = [await handledCalls(cluster, ['Status']), await handledCalls(cluster, ['Range'])];
      poller.start();
      await new Promise((r) => setTimeout(r, 3000));
      poller.pause();
      const status = (await handledCalls(cluster, ['Status'])) - status0;
      const reads = (await handledCalls(cluster, ['Range'])) - range0;
      // ~15 polls per member in 3 s; reads at most every 1.5 s per member (+1 at start).
      expect(status).toBeGreaterThanOrEqual(3 * 10);
      expect(reads).toBeGreaterThanOrEqual(3);
      expect(reads).toBeLessThanOrEqual(3 * 3);
      for (const m of Object.values(store.getState().members)) expect(m.last?.quorumRead).toBe('ok');
    } finally {
      poller.stop();
    }
  });

  it('sees every member healthy, exactly one leader, and IDs that match etcdctl', async () => {
    const { store, poller } = makePoller();
    try {
      await poller.pollOnce();
      const members = Object.values(store.getState().members);
      expect(members.map((m) => m.health)).toEqual(['ok', 'ok', 'ok']);
      const leaders = members.filter((m) => m.last?.leaderId === m.last?.memberId);
      expect(leaders).toHaveLength(1);

      const out = execFileSync(
        cluster.binaries.etcdctl,
        ['--endpoints', cluster.nodes[0]!.clientUrl, '--cacert', cluster.tls.cacert, '--cert', cluster.tls.cert, '--key', cluster.tls.key, 'member', 'list', '-w', 'json'],
        { encoding: 'utf8' },
      );
      // etcdctl prints uint64 IDs as JSON numbers; read them as text so no precision is lost.
      const ids = [...out.matchAll(/"ID":(\d+)/g)].map((m) => idToHex(m[1]!)).sort();
      expect(members.map((m) => m.last!.memberId).sort()).toEqual(ids);
      expect(store.getState().memberList?.map((m) => m.name).sort()).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
      expect(members.every((m) => m.quotaBytes === 2 * 1024 ** 3)).toBe(true);
      // /metrics and the TLS handshake: disk latencies and the certificate each member presents (5 years).
      for (const m of members) {
        expect(m.signals?.walFsyncP99Ms).toBeGreaterThan(0);
        expect(m.signals?.backendCommitP99Ms).toBeGreaterThan(0);
        expect(m.cert?.daysLeft).toBeGreaterThanOrEqual(1824);
        expect(m.cert?.daysLeft).toBeLessThanOrEqual(1825);
      }
    } finally {
      poller.stop();
    }
  });

  it('a hung member (SIGSTOP) costs one deadline and does not delay the others', async () => {
    const { store, poller } = makePoller(800);
    // A follower: stopping the leader would also stall the others' quorum reads until an election.
    let victimName = '';
    try {
      await poller.pollOnce(); // connections up
      victimName = Object.values(store.getState().members).find((m) => m.last && m.last.leaderId !== m.last.memberId)!.name;
      cluster.members.get(victimName)!.signal('SIGSTOP');
      const started = Date.now();
      await poller.pollOnce();
      const took = Date.now() - started;
      expect(took).toBeLessThan(1800);
      const members = Object.values(store.getState().members);
      const victim = members.find((m) => m.name === victimName)!;
      expect(victim.health).toBe('timeout');
      expect(victim.reason).toMatch(/no answer before the deadline/);
      expect(members.filter((m) => m.name !== victimName).map((m) => m.health)).toEqual(['ok', 'ok']);
    } finally {
      if (victimName) cluster.members.get(victimName)!.signal('SIGCONT');
      poller.stop();
    }
  });
});

describe('etcd-cockpit status (the built command)', () => {
  it('prints JSON with hex member IDs and exits 0 when all is healthy', async () => {
    const run = await runCli(['status', '-o', 'json', '-f', cluster.inventoryPath]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.cluster).toBe('test');
    expect(json.quorum).toBe('ok');
    expect(json.members).toHaveLength(3);
    for (const m of json.members) expect(m.id).toMatch(/^[0-9a-f]+$/);
    expect(json.members.filter((m: { role: string }) => m.role === 'leader')).toHaveLength(1);
  });

  it('prints the same data as a table', async () => {
    const run = await runCli(['status', '-f', cluster.inventoryPath]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^test {2}3\/3 answering {2}quorum OK \(tolerates 1 more failure\) {2}leader etcd-\d/);
    expect(lines.slice(2).every((l) => /healthy/.test(l))).toBe(true);
  });

  it('works from ETCDCTL_* variables alone, discovering the other members', async () => {
    const run = await runCli(['status', '-o', 'json'], {
      ETCDCTL_ENDPOINTS: cluster.nodes[0]!.clientUrl,
      ETCDCTL_CACERT: cluster.tls.cacert,
      ETCDCTL_CERT: cluster.tls.cert,
      ETCDCTL_KEY: cluster.tls.key,
    });
    expect(run.code).toBe(0);
    const members = (JSON.parse(run.stdout) as { members: { name: string; quotaBytes: number | null }[] }).members;
    expect(members.map((m) => m.name).sort()).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
    // The members found through the member list have their /metrics read too, not only the one named.
    expect(members.map((m) => m.quotaBytes)).toEqual([2 * 1024 ** 3, 2 * 1024 ** 3, 2 * 1024 ** 3]);
  });

  it('exits 1 and says why when a member is down', async () => {
    const endpoints = [...cluster.nodes.map((n) => n.clientUrl), 'https://127.0.0.1:1'].join(',');
    const run = await runCli(['status', '--endpoints', endpoints, '--cacert', cluster.tls.cacert, '--cert', cluster.tls.cert, '--key', cluster.tls.key]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('DOWN: connection refused at 127.0.0.1:1');
  });
});

describe('errors a user will hit, in plain words', () => {
  const endpoint = () => cluster.nodes[0]!.clientUrl;

  describe('a URL that is not an etcd client URL: says so, exit 3, not "down" nor "quorum lost"', () => {
    const withUrl = (url: string) => runCli(['status', '--endpoints', url, '--cacert', cluster.tls.cacert, '--cert', cluster.tls.cert, '--key', cluster.tls.key]);

    it('http:// for a member that serves TLS, and the peer port', async () => {
      for (const url of [endpoint().replace('https://', 'http://'), cluster.nodes[0]!.peerUrl]) {
        const run = await withUrl(url);
        expect(run.code).toBe(3);
        expect(run.stdout).toContain("the endpoint takes connections but does not speak etcd's gRPC: check its URL");
        expect(run.stdout).not.toMatch(/DOWN|quorum LOST/);
      }
    });

    it('a plain HTTP/1 server (a metrics port), as https:// and as http://', async () => {
      const server = createServer((_req, res) => res.end('etcd_server_has_leader 1\n'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as AddressInfo).port;
        const tlsRun = await withUrl(`https://127.0.0.1:${port}`);
        expect(tlsRun.code).toBe(3);
        expect(tlsRun.stdout).toContain('the endpoint does not speak TLS: use http://');
        const plainRun = await withUrl(`http://127.0.0.1:${port}`);
        expect(plainRun.code).toBe(3);
        expect(plainRun.stdout).toContain("the endpoint answers in HTTP/1, not etcd's gRPC");
      } finally {
        server.close();
      }
    });
  });

  it('no client certificate against client-cert-auth', async () => {
    const run = await runCli(['status', '--endpoints', endpoint(), '--cacert', cluster.tls.cacert]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('server requires a client certificate (client-cert-auth is on): pass --cert and --key');
  });

  it('a CA that did not sign the server certificate', async () => {
    const other = generatePkiSync({ nodes: [], clients: [], caBits: 2048 });
    const file = join(cluster.dir, 'other-ca.crt');
    writeFileSync(file, other.ca.certPem);
    const run = await runCli(['status', '--endpoints', endpoint(), '--cacert', file, '--cert', cluster.tls.cert, '--key', cluster.tls.key]);
    expect(run.stdout).toContain('server certificate is not signed by the CA given in --cacert');
    expect(run.stdout).not.toContain('next try'); // a one-shot answer tries no more
  });

  it('a server name the certificate does not cover', async () => {
    const client = createMemberClient(endpoint(), { tls: tls(), credentials: {}, deadlineMs: 1000, serverName: 'wrong.example' });
    const { probeMember } = await import('../src/adapters/etcd/probe.js');
    const result = await probeMember(client);
    client.close();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/server certificate does not cover "wrong\.example" \(its SANs: IP Address:127\./);
  });

  it('a missing key file is a one-line config error with exit 2', async () => {
    const run = await runCli(['status', '--endpoints', endpoint(), '--cacert', cluster.tls.cacert, '--cert', cluster.tls.cert, '--key', '/nope/key.pem']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('etcd-cockpit: cannot read client key (--key) /nope/key.pem: no such file\n');
  });

  it('a YAML error names file:line:col, exit 2, no stack trace', async () => {
    const file = join(cluster.dir, 'broken.yaml');
    writeFileSync(file, 'cluster: x\nnodes:\n  - name: a\n    address: 10.0.0.1\n    clientUrl: nope\n');
    const run = await runCli(['status', '-f', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`etcd-cockpit: ${file}:5:16: nodes[0].clientUrl "nope" is not an http(s):// URL\n`);
  });

  describe('with auth enabled', () => {
    const rootPassword = 'r00t-' + Math.random().toString(36).slice(2);
    beforeAll(async () => {
      const root = createMemberClient(endpoint(), { tls: tls(cluster.clientCerts.root!.cert, cluster.clientCerts.root!.key), credentials: {}, deadlineMs: 2000 });
      await root.user('root').create(rootPassword);
      await root.user('root').addRole('root');
      await root.user('operator').create('operator-' + rootPassword); // a user without roles: CN=operator becomes it
      await root.auth.authEnable({});
      root.close();
    });

    it('maintenance status without root: permission denied, said plainly', async () => {
      const run = await runCli(['status', '--endpoints', endpoint(), '--cacert', cluster.tls.cacert, '--cert', cluster.tls.cert, '--key', cluster.tls.key]);
      expect(run.code).toBe(3);
      expect(run.stdout).toContain('permission denied: maintenance calls (status, defragment) need the root user when auth is on');
    });

    it('a certificate whose CN is no etcd user, and no --user', async () => {
      const patroni = cluster.clientCerts.patroni!;
      const run = await runCli(['status', '--endpoints', endpoint(), '--cacert', cluster.tls.cacert, '--cert', patroni.cert, '--key', patroni.key]);
      expect(run.code).toBe(3);
      expect(run.stdout).toContain("auth is on and this client is no etcd user (the certificate's CN counts as the user name): pass --user root");
    });

    it('a wrong password', async () => {
      const run = await runCli(
        ['status', '--endpoints', endpoint(), '--cacert', cluster.tls.cacert, '--cert', cluster.tls.cert, '--key', cluster.tls.key, '--user', 'root'],
        { ETCDCTL_PASSWORD: 'wrong' },
      );
      expect(run.code).toBe(3);
      expect(run.stdout).toContain('wrong user name or password');
    });

    it('the right password from a file works, and never shows up in the output', async () => {
      const file = join(cluster.dir, 'root.pw');
      writeFileSync(file, rootPassword + '\n', { mode: 0o600 });
      const run = await runCli([
        'status', '-o', 'json', '--endpoints', endpoint(), '--cacert', cluster.tls.cacert, '--cert', cluster.tls.cert, '--key', cluster.tls.key,
        '--user', 'root', '--password-file', file,
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout + run.stderr).not.toContain(rootPassword);
    });
  });
});
