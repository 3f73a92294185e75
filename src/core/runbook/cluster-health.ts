/**
 * The bootstrap's idea of "the cluster is up": every member answers and
 * serves a quorum read, all agree on exactly one leader, and the member list
 * shows every member started. Probes use the root client certificate, which
 * works before and after auth is enabled.
 */
import type { EtcdAdmin } from '../ports/etcd-connector.js';
import type { ProbeResult } from '../ports/etcd.js';
import type { MemberListEntry } from '../cluster/types.js';
import { explainEtcdError } from '../errors/explain-etcd-error.js';
import type { NodeSpec } from '../inventory/types.js';
import { memberClient } from './etcd-access.js';
import type { RunContext } from './types.js';

export interface MemberProbe {
  node: NodeSpec;
  result: ProbeResult;
}

export interface ClusterHealth {
  probes: MemberProbe[];
  members?: MemberListEntry[];
  memberListError?: string;
  /** Names of the nodes the members agree lead (by member id); one entry when healthy. */
  leaders: string[];
  healthy: boolean;
  /** One line per problem, naming the node. */
  problems: string[];
}

export interface ClusterProber {
  probe(): Promise<ClusterHealth>;
  close(): void;
}

export function openClusterProber(run: RunContext, deadlineMs = 1500): ClusterProber {
  const clients: Array<{ node: NodeSpec; client: EtcdAdmin }> = run.inventory.nodes.map((node) => ({
    node,
    client: memberClient(run, node, 'root', {}, deadlineMs),
  }));
  return {
    probe: async () => {
      const probes = await Promise.all(clients.map(async ({ node, client }) => ({ node, result: await client.probe() })));
      let members: MemberListEntry[] | undefined;
      let memberListError: string | undefined;
      const answering = clients.find((_, i) => probes[i]!.result.ok);
      if (answering) {
        try {
          members = await answering.client.listMembers();
        } catch (err) {
          memberListError = explainEtcdError(err).message;
        }
      }
      return assessHealth(run.inventory.nodes, probes, members, memberListError);
    },
    close: () => {
      for (const { client } of clients) client.close();
    },
  };
}

export function assessHealth(nodes: NodeSpec[], probes: MemberProbe[], members?: MemberListEntry[], memberListError?: string): ClusterHealth {
  const problems: string[] = [];
  for (const { node, result } of probes) {
    if (!result.ok) problems.push(`${node.name} (${node.clientUrl}): ${result.reason}`);
    else if (result.sample.quorumRead !== 'ok') problems.push(`${node.name}: answers but cannot serve a quorum read (${result.sample.quorumReadReason ?? 'no leader'})`);
  }
  const leaderIds = new Set(probes.flatMap(({ result }) => (result.ok && result.sample.leaderId ? [result.sample.leaderId] : [])));
  const nameOf = (id: string) => probes.find((p) => p.result.ok && p.result.sample.memberId === id)?.node.name ?? id;
  const leaders = [...leaderIds].map(nameOf);
  if (leaderIds.size > 1) problems.push(`members disagree on the leader: ${leaders.join(', ')}`);
  if (members) {
    for (const node of nodes) {
      const m = members.find((e) => e.name === node.name || e.peerUrls.includes(node.peerUrl));
      if (!m) problems.push(`${node.name} is not in the member list`);
      else if (!m.started) problems.push(`${node.name} is in the member list but has not started`);
    }
  } else if (memberListError) {
    problems.push(`member list: ${memberListError}`);
  } else {
    problems.push('no member answers');
  }
  const healthy = problems.length === 0 && leaderIds.size === 1;
  if (problems.length === 0 && leaderIds.size === 0) problems.push('no leader elected yet');
  return { probes, members, memberListError, leaders, healthy, problems };
}

/** A zap JSON log line as `level: msg (error)`; other lines as they are. */
export function readableLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const error = typeof entry.error === 'string' ? `: ${entry.error}` : '';
    return `${String(entry.level ?? '')}: ${String(entry.msg ?? '')}${error}`;
  } catch {
    return line;
  }
}
