import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startSshd, type TestSshd } from './helpers/sshd.js';
import { generatePkiSync } from '../src/core/pki/generate.js';
import { parseInventory } from '../src/core/inventory/parse.js';
import { createCockpitStore } from '../src/state/store.js';
import { watchPeerCertificates } from '../src/state/peer-certs.js';
import { memberView } from '../src/core/view/member-view.js';

let sshd: TestSshd;
let dir: string;

beforeAll(async () => {
  sshd = await startSshd();
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'cockpit-peer-certs-')));
  chmodSync(dir, 0o755); // the SSH user reads peer.crt under it, as on a host
}, 30_000);

afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('peer certificate expiry, read from the node over SSH', () => {
  it('a peer certificate that expires in 5 days raises the alarm in the member view; an unreadable node is said once', async () => {
    // Two nodes behind a real OpenSSH server: etcd-1's peer certificate lives 5 days, etcd-2 has none.
    const pki = generatePkiSync({ nodes: [{ name: 'etcd-1', ip: '127.0.0.1' }], clients: [], caBits: 2048, leafDays: 5 });
    const remote = (node: string) => join(dir, 'remote', node);
    mkdirSync(join(remote('etcd-1'), 'etc/etcd/pki'), { recursive: true });
    writeFileSync(join(remote('etcd-1'), 'etc/etcd/pki/peer.crt'), pki.nodes['etcd-1']!.peer.certPem);
    const ssh = { host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: sshd.identityFile };
    const path = join(dir, 'cluster.yaml');
    writeFileSync(
      path,
      stringify({
        cluster: 'peer',
        nodes: [
          { name: 'etcd-1', address: '127.0.0.1', ssh },
          { name: 'etcd-2', address: '127.0.0.2', ssh: { ...ssh } },
        ],
        runbook: { workdir: join(dir, 'work'), nodeRoot: join(dir, 'remote', '{node}'), knownHosts: sshd.knownHostsPath },
      }),
    );
    const inventory = parseInventory(readFileSync(path, 'utf8'), path);
    const store = createCockpitStore({ clusterName: 'peer', members: inventory.nodes.map((n) => ({ endpoint: n.clientUrl, name: n.name })) });
    const stop = watchPeerCertificates(store, inventory, 200);
    try {
      await until(() => store.getState().members[inventory.nodes[0]!.clientUrl]!.peerCert !== undefined);
      const member = store.getState().members[inventory.nodes[0]!.clientUrl]!;
      expect(member.peerCert!.path).toBe('/etc/etcd/pki/peer.crt');
      expect([4, 5]).toContain(member.peerCert!.daysLeft);
      // The view shows it; with the member answering, the advice names it as critical.
      const up = { ...member, health: 'ok' as const };
      const view = memberView(up, Date.now());
      expect(view.peerCert).toEqual({ text: `${member.peerCert!.daysLeft} days`, tone: 'critical' });
      expect(view.advice.join(' | ')).toMatch(/peer certificate expires in [45] days \(< 7\): renew now/);

      await until(() => store.getState().events.some((e) => e.text.includes('etcd-2')));
      await new Promise((r) => setTimeout(r, 600)); // several more rounds
      const aboutEtcd2 = store.getState().events.filter((e) => e.text.includes('peer certificate of etcd-2'));
      expect(aboutEtcd2).toHaveLength(1);
      expect(aboutEtcd2[0]!.text).toMatch(new RegExp(`peer certificate of etcd-2 not read \\(ssh ${sshd.user}@127.0.0.1:${sshd.port}\\): .*peer.crt`));
      expect(aboutEtcd2[0]!.tone).toBe('warning');
    } finally {
      stop();
    }
  });

  it('reads the peer certificate where the inventory says it is (peerCert, for clusters the runbook did not build)', async () => {
    const pki = generatePkiSync({ nodes: [{ name: 'etcd-1', ip: '127.0.0.1' }], clients: [], caBits: 2048, leafDays: 40 });
    const root = join(dir, 'elsewhere', 'etcd-1');
    mkdirSync(join(root, 'opt/tls'), { recursive: true });
    writeFileSync(join(root, 'opt/tls/peer.pem'), pki.nodes['etcd-1']!.peer.certPem);
    const ssh = { host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: sshd.identityFile };
    const path = join(dir, 'elsewhere.yaml');
    writeFileSync(path, stringify({
      cluster: 'peer', peerCert: '/opt/tls/peer.pem', nodes: [{ name: 'etcd-1', address: '127.0.0.1', ssh }],
      runbook: { workdir: join(dir, 'work2'), nodeRoot: join(dir, 'elsewhere', '{node}'), knownHosts: sshd.knownHostsPath },
    }));
    const inventory = parseInventory(readFileSync(path, 'utf8'), path);
    const url = inventory.nodes[0]!.clientUrl;
    const store = createCockpitStore({ clusterName: 'peer', members: [{ endpoint: url, name: 'etcd-1' }] });
    const stop = watchPeerCertificates(store, inventory, 200);
    try {
      await until(() => store.getState().members[url]!.peerCert !== undefined);
      expect(store.getState().members[url]!.peerCert).toMatchObject({ path: '/opt/tls/peer.pem' });
      expect([39, 40]).toContain(store.getState().members[url]!.peerCert!.daysLeft);
    } finally {
      stop();
    }
    const relative = 'cluster: x\nnodes:\n  - name: a\n    address: 10.0.0.1\n    peerCert: pki/peer.crt\n';
    expect(() => parseInventory(relative, 'c.yaml')).toThrow('c.yaml:5:15: nodes[0].peerCert "pki/peer.crt" must be an absolute path on the node');
  });
});
