import { readFileSync } from 'node:fs';
import { createPooledClient } from '../etcd/member-client.js';
import type { NodeSpec } from '../../core/inventory/types.js';

/** A small steady write load so the demo's numbers move: keys /demo/load/0..99, overwritten in turn. */
export function startWriteLoad(
  cluster: { nodes: NodeSpec[]; tls: { cacert: string; cert: string; key: string } },
  options: { writesPerSecond: number },
): { stop(): void } {
  const client = createPooledClient(
    cluster.nodes.map((n) => n.clientUrl),
    {
      tls: { ca: readFileSync(cluster.tls.cacert), cert: readFileSync(cluster.tls.cert), key: readFileSync(cluster.tls.key) },
      credentials: {},
      deadlineMs: 1000,
    },
  );
  let n = 0;
  const timer = setInterval(() => {
    const key = `/demo/load/${n++ % 100}`;
    client
      .put(key)
      .value(`${new Date().toISOString()} ${'x'.repeat(200)}`)
      .catch(() => undefined); // a member being down is part of the demo
  }, Math.max(10, Math.round(1000 / options.writesPerSecond)));
  return {
    stop() {
      clearInterval(timer);
      client.close();
    },
  };
}
