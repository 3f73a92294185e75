import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { generatePki } from '../../core/pki/generate.js';
import { writePki } from '../../core/pki/write.js';
import { renderMemberConfig, RUNBOOK_TUNING, type Tuning } from '../../core/etcd-config/render.js';
import type { NodeSpec } from '../../core/inventory/types.js';
import { findEtcdBinaries } from './etcd-binaries.js';
import type { EtcdBinaries } from '../../core/ports/etcd-binaries.js';
import { pickLoopbackAddresses } from './loopback.js';
import { ProcessSupervisor } from '../service/process-supervisor.js';
import { waitForHealthyCluster } from './wait-healthy.js';

export interface LocalClusterOptions {
  /** A fresh folder of its own: PKI, configs, data dirs and logs go here. */
  dir: string;
  clusterName?: string;
  size?: number;
  /** Fast elections on loopback; the runbook's 250/2500 ms suits real networks. */
  tuning?: Partial<Tuning>;
  /** CA key size; tests use 2048 for speed, the demo the runbook's 4096. */
  caBits?: number;
  startTimeoutMs?: number;
}

export interface LocalCluster {
  name: string;
  dir: string;
  nodes: NodeSpec[];
  /** Each member's etcd, by name: started, signalled and stopped by its recorded pid. */
  members: Map<string, ProcessSupervisor>;
  inventoryPath: string;
  tls: { cacert: string; cert: string; key: string };
  /** Client certs by CN (operator, root, patroni). */
  clientCerts: Record<string, { cert: string; key: string }>;
  binaries: EtcdBinaries;
  stop(): Promise<void>;
}

const CLIENTS = ['operator', 'root', 'patroni'];

/**
 * A TLS etcd cluster with client-cert auth on this machine: each member on its
 * own 127.x address with the runbook's ports 2379/2380, like production.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const binaries = findEtcdBinaries();
  const size = options.size ?? 3;
  const name = options.clusterName ?? 'local';
  const dir = options.dir;
  const addresses = await pickLoopbackAddresses(size, [2379, 2380]);
  const nodes: NodeSpec[] = addresses.map((address, i) => ({
    name: `etcd-${i + 1}`,
    address,
    dnsName: `etcd-${i + 1}`,
    clientUrl: `https://${address}:2379`,
    peerUrl: `https://${address}:2380`,
  }));

  const pkiDir = join(dir, 'pki');
  const pki = await generatePki({
    org: name,
    nodes: nodes.map((n) => ({ name: n.name, ip: n.address })),
    clients: CLIENTS,
    caBits: options.caBits,
  });
  writePki(pkiDir, pki);

  const tuning: Tuning = { ...RUNBOOK_TUNING, heartbeatIntervalMs: 100, electionTimeoutMs: 1000, ...options.tuning };
  const token = `${name}-${randomBytes(4).toString('hex')}`;
  const members = new Map<string, ProcessSupervisor>();
  for (const node of nodes) {
    const nodeDir = join(dir, node.name);
    mkdirSync(nodeDir, { recursive: true, mode: 0o700 });
    const configFile = join(nodeDir, 'etcd.conf.yml');
    const config = renderMemberConfig({
      node,
      cluster: nodes,
      clusterToken: token,
      state: 'new',
      dataDir: join(nodeDir, 'data'),
      pki: {
        ca: join(pkiDir, 'ca.crt'),
        serverCert: join(pkiDir, node.name, 'server.crt'),
        serverKey: join(pkiDir, node.name, 'server.key'),
        peerCert: join(pkiDir, node.name, 'peer.crt'),
        peerKey: join(pkiDir, node.name, 'peer.key'),
      },
      tuning,
      listenOnLocalhost: false,
    });
    writeFileSync(configFile, config, { mode: 0o640 });
    members.set(
      node.name,
      new ProcessSupervisor({ rootDir: '/', binary: binaries.etcd, configFile, pidFile: join(nodeDir, 'etcd.pid'), logFile: join(nodeDir, 'etcd.log'), killOnExit: true }),
    );
  }

  const clientCerts = Object.fromEntries(
    CLIENTS.map((cn) => [cn, { cert: join(pkiDir, 'clients', `${cn}.crt`), key: join(pkiDir, 'clients', `${cn}.key`) }]),
  );
  const tls = { cacert: join(pkiDir, 'ca.crt'), ...clientCerts.operator! };
  const inventoryPath = join(dir, 'cluster.yaml');
  writeFileSync(
    inventoryPath,
    stringify({
      cluster: name,
      tls: { cacert: 'pki/ca.crt', cert: 'pki/clients/operator.crt', key: 'pki/clients/operator.key' },
      nodes: nodes.map((n) => ({ name: n.name, address: n.address, clientUrl: n.clientUrl, peerUrl: n.peerUrl })),
    }),
  );

  const cluster: LocalCluster = {
    name,
    dir,
    nodes,
    members,
    inventoryPath,
    tls,
    clientCerts,
    binaries,
    stop: async () => {
      await Promise.all([...members.values()].map((m) => m.stop({ graceMs: 0 })));
    },
  };
  // All members at once: a new cluster only forms when a quorum starts inside the bootstrap window.
  try {
    await Promise.all([...members.values()].map((m) => m.start()));
    await waitForHealthyCluster(cluster, options.startTimeoutMs ?? 30_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
