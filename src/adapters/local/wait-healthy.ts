import { readFileSync } from 'node:fs';
import { createMemberClient } from '../etcd/member-client.js';
import { probeMember } from '../etcd/probe.js';
import type { ProbeResult } from '../../core/ports/etcd.js';
import type { NodeSpec } from '../../core/inventory/types.js';
import type { ServiceManager } from '../../core/ports/service-manager.js';

interface ClusterLike {
  nodes: NodeSpec[];
  members: Map<string, Pick<ServiceManager, 'logsTail'>>;
  tls: { cacert: string; cert: string; key: string };
}

/**
 * Waits until every member answers, serves quorum reads, and all agree on one
 * leader. On timeout the error names the members that are missing and why,
 * with the tail of their logs.
 */
export async function waitForHealthyCluster(cluster: ClusterLike, timeoutMs: number): Promise<void> {
  const tls = {
    ca: readFileSync(cluster.tls.cacert),
    cert: readFileSync(cluster.tls.cert),
    key: readFileSync(cluster.tls.key),
  };
  const clients = cluster.nodes.map((n) =>
    createMemberClient(n.clientUrl, { tls, credentials: {}, deadlineMs: 1000 }),
  );
  const deadline = Date.now() + timeoutMs;
  let last: ProbeResult[] = [];
  try {
    while (Date.now() < deadline) {
      last = await Promise.all(clients.map((c) => probeMember(c)));
      const leaders = new Set(last.map((r) => (r.ok ? r.sample.leaderId : '')));
      const allUp = last.every((r) => r.ok && r.sample.quorumRead === 'ok');
      if (allUp && leaders.size === 1 && !leaders.has('')) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    for (const c of clients) c.close();
  }
  const missing = await Promise.all(
    cluster.nodes
      .map((node, i) => ({ node, result: last[i] }))
      .filter(({ result }) => !result?.ok || result.sample.quorumRead !== 'ok')
      .map(async ({ node, result }) => {
        const why = !result ? 'never answered' : result.ok ? 'cannot serve reads' : result.reason;
        const tail = (await cluster.members.get(node.name)?.logsTail(3)) ?? '';
        return `${node.name} (${node.clientUrl}): ${why}\n${tail}`;
      }),
  );
  throw new Error(`cluster not healthy after ${Math.round(timeoutMs / 1000)} s:\n${missing.join('\n') || 'members disagree on the leader'}`);
}
