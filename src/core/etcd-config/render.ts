import { stringify } from 'yaml';
import type { NodeSpec } from '../inventory/types.js';

export interface Tuning {
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
  snapshotCount: number;
  quotaBackendBytes: number;
  autoCompactionMode: 'periodic' | 'revision';
  autoCompactionRetention: string;
}

/** The bootstrap runbook's values (step 7); they suit an RTT up to ~10 ms. */
export const RUNBOOK_TUNING: Tuning = {
  heartbeatIntervalMs: 250,
  electionTimeoutMs: 2500,
  snapshotCount: 10000,
  quotaBackendBytes: 2 * 1024 ** 3,
  autoCompactionMode: 'periodic',
  autoCompactionRetention: '1h',
};

export interface PkiPaths {
  ca: string;
  serverCert: string;
  serverKey: string;
  peerCert: string;
  peerKey: string;
}

export interface MemberConfigInput {
  node: NodeSpec;
  cluster: NodeSpec[];
  clusterToken: string;
  state: 'new' | 'existing';
  dataDir: string;
  pki: PkiPaths;
  tuning: Tuning;
  /** Also listen on https://127.0.0.1:2379 (real hosts; not when several members share one machine). */
  listenOnLocalhost: boolean;
  /** Log to this file instead of stderr (etcd's own `log-outputs`). */
  logFile?: string;
  /** etcd's `auth-token` (the runbook's JWT setting); etcd's in-memory "simple" tokens when absent. */
  authToken?: string;
}

/** etcd.conf.yml for one member (runbook steps 4-6), as etcd reads it via --config-file. */
export function memberConfig(input: MemberConfigInput): Record<string, unknown> {
  const { node, cluster, pki, tuning } = input;
  const clientPort = new URL(node.clientUrl).port || '2379';
  const listenClient = [node.clientUrl];
  if (input.listenOnLocalhost) listenClient.push(`https://127.0.0.1:${clientPort}`);
  return {
    name: node.name,
    'data-dir': input.dataDir,
    'listen-peer-urls': node.peerUrl,
    'initial-advertise-peer-urls': node.peerUrl,
    'listen-client-urls': listenClient.join(','),
    'advertise-client-urls': node.clientUrl,
    'initial-cluster-token': input.clusterToken,
    'initial-cluster-state': input.state,
    'initial-cluster': cluster.map((n) => `${n.name}=${n.peerUrl}`).join(','),
    'heartbeat-interval': tuning.heartbeatIntervalMs,
    'election-timeout': tuning.electionTimeoutMs,
    'snapshot-count': tuning.snapshotCount,
    'quota-backend-bytes': tuning.quotaBackendBytes,
    'auto-compaction-mode': tuning.autoCompactionMode,
    'auto-compaction-retention': tuning.autoCompactionRetention,
    'client-transport-security': {
      'cert-file': pki.serverCert,
      'key-file': pki.serverKey,
      'trusted-ca-file': pki.ca,
      'client-cert-auth': true,
    },
    'peer-transport-security': {
      'cert-file': pki.peerCert,
      'key-file': pki.peerKey,
      'trusted-ca-file': pki.ca,
      'client-cert-auth': true,
    },
    ...(input.authToken ? { 'auth-token': input.authToken } : {}),
    ...(input.logFile ? { logger: 'zap', 'log-outputs': [input.logFile] } : {}),
  };
}

export function renderMemberConfig(input: MemberConfigInput): string {
  return stringify(memberConfig(input), { lineWidth: 0 });
}
