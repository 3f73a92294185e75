import { readFileSync } from 'node:fs';
import { fetchMetricsText } from '../../src/adapters/etcd/metrics.js';

/** etcd's own count of handled gRPC calls of these methods over every member, from /metrics: what really reached the server. */
export async function handledCalls(cluster: { nodes: { clientUrl: string }[]; tls: { cacert: string; cert: string; key: string } }, methods: string[]): Promise<number> {
  const tls = { ca: readFileSync(cluster.tls.cacert), cert: readFileSync(cluster.tls.cert), key: readFileSync(cluster.tls.key) };
  let total = 0;
  for (const node of cluster.nodes) {
    const text = await fetchMetricsText(node.clientUrl, tls, 2000);
    for (const line of text.split('\n')) {
      const m = line.match(/^grpc_server_handled_total\{[^}]*grpc_method="(\w+)"[^}]*\} (\d+)/);
      if (m && methods.includes(m[1]!)) total += Number(m[2]);
    }
  }
  return total;
}
