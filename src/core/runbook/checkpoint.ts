/**
 * The runbook's verification checkpoint, each row checked live, and the
 * ready-to-paste Patroni `etcd3:` block.
 */
import { posix } from 'node:path';
import { inspectCert } from '../pki/inspect.js';
import { CHECKPOINT_CHECKS, type CheckpointNumber, type CheckpointRow } from './checkpoint-rows.js';
import { openClusterProber } from './cluster-health.js';
import { localPki } from './local-pki.js';
import type { NodeRuntime } from './node-runtime.js';
import { describeOrigin, passwordOrigin } from './passwords.js';
import { NODE_PATHS, PKI_FILES, p, pkiPath, transportPath } from './paths.js';
import { exec } from './phases/common.js';
import { parseVersions, versionCommand } from './phases/phase1-install.js';
import { cleanupTestKey, proveAuthEnabled, provePatroniRead, provePatroniWrite, proveUnauthenticatedDenied, type Proof } from './rbac-proof.js';
import type { RunContext } from './types.js';

function row(n: CheckpointNumber, proof: Proof): CheckpointRow {
  const def = CHECKPOINT_CHECKS.find((c) => c.n === n)!;
  return { n, check: def.check, expected: def.expected, pass: proof.pass, detail: proof.detail };
}

async function perNode(nodes: NodeRuntime[], test: (node: NodeRuntime) => Promise<Proof>): Promise<Proof> {
  const results = await Promise.all(
    nodes.map(async (node) => {
      try {
        return { node, proof: await test(node) };
      } catch (err) {
        return { node, proof: { pass: false, detail: (err as Error).message.split('\n')[0]! } };
      }
    }),
  );
  return {
    pass: results.every((r) => r.proof.pass),
    detail: results.map((r) => `${r.node.spec.name}: ${r.proof.detail}`).join('; '),
  };
}

export function pkiListCommand(node: NodeRuntime): string {
  return `for f in ${PKI_FILES.join(' ')}; do [ -f ${p(node, NODE_PATHS.pkiDir)}/$f ] && echo $f; done`;
}

/** All ten rows, checked against the live nodes and cluster. */
export async function runCheckpoint(run: RunContext, nodes: NodeRuntime[] = run.nodes): Promise<CheckpointRow[]> {
  const rows: CheckpointRow[] = [];
  rows.push(
    row(
      1,
      await perNode(nodes, async (node) => {
        const v = parseVersions((await exec(node, versionCommand(node))).stdout).etcd;
        return { pass: v?.startsWith('3.5.') ?? false, detail: v ? `etcd ${v}` : 'etcd not found' };
      }),
    ),
  );
  rows.push(
    row(
      2,
      await perNode(nodes, async (node) => {
        const present = (await exec(node, pkiListCommand(node), { privileged: true })).stdout.split('\n').filter(Boolean);
        const missing = PKI_FILES.filter((f) => !present.includes(f));
        return { pass: missing.length === 0, detail: missing.length ? `missing ${missing.join(', ')}` : 'all 5 present' };
      }),
    ),
  );
  rows.push(
    row(
      3,
      await perNode(nodes, async (node) => {
        const pem = (await node.transport.readFile(transportPath(node, pkiPath('server.crt')), { sudo: node.sudo })).toString('utf8');
        const ips = inspectCert(pem).sans.ips;
        return { pass: ips.includes(node.spec.address), detail: `SAN IPs ${ips.join(', ')}` };
      }),
    ),
  );

  const prober = openClusterProber(run, 3000);
  try {
    const health = await prober.probe();
    const members = health.members ?? [];
    const started = members.filter((m) => m.started).length;
    rows.push(
      row(4, {
        pass: members.length === run.inventory.nodes.length && started === members.length,
        detail: health.members ? `${members.length} members, ${started} started (${members.map((m) => m.name || m.id).join(', ')})` : (health.memberListError ?? 'no member answers'),
      }),
    );
    const unhealthy = health.probes.filter((p) => !p.result.ok || p.result.sample.quorumRead !== 'ok');
    rows.push(
      row(5, {
        pass: unhealthy.length === 0,
        detail: unhealthy.length === 0 ? `all ${health.probes.length} healthy` : health.problems.filter((pr) => !pr.startsWith('members disagree')).join('; '),
      }),
    );
    rows.push(row(6, { pass: health.leaders.length === 1, detail: health.leaders.length ? `leader: ${health.leaders.join(', ')}` : 'no leader' }));
  } finally {
    prober.close();
  }

  rows.push(row(7, await proveAuthEnabled(run)));
  const write = await provePatroniWrite(run, 'ok');
  rows.push(row(8, write));
  rows.push(row(9, write.pass ? await provePatroniRead(run, 'ok') : { pass: false, detail: 'not tried: the write failed' }));
  if (write.pass) await cleanupTestKey(run);
  rows.push(row(10, await proveUnauthenticatedDenied(run)));
  return rows;
}

export function checkpointTable(rows: CheckpointRow[]): string {
  return rows.map((r) => `${String(r.n).padStart(2)}  ${r.pass ? 'PASS' : 'FAIL'}  ${r.check}: ${r.detail}`).join('\n');
}

/** Patroni's `etcd3:` section for this cluster; the password stays a placeholder. */
export function patroniEtcd3Block(run: RunContext): string {
  const dir = run.settings.patroniPkiDir;
  const pki = localPki(run.workdir);
  const hosts = run.inventory.nodes.map((n) => {
    const u = new URL(n.clientUrl);
    return `${u.hostname}:${u.port || '2379'}`;
  });
  return [
    `# Copy ${pki.caCert}, ${pki.client('patroni').cert} and ${pki.client('patroni').key}`,
    `# to ${dir}/ on every Patroni host (key 0600, owned by postgres).`,
    'etcd3:',
    '  hosts:',
    ...hosts.map((h) => `    - ${h}`),
    '  protocol: https',
    `  cacert: ${posix.join(dir, 'ca.crt')}`,
    `  cert: ${posix.join(dir, 'patroni.crt')}`,
    `  key: ${posix.join(dir, 'patroni.key')}`,
    '  username: patroni',
    `  password: '<patroni password: ${describeOrigin(passwordOrigin(run, 'patroni')).replace(/'/g, "''")}>'`,
    '',
  ].join('\n');
}
