import type { Etcd3 } from 'etcd3';

interface Callable {
  exec(service: string, method: string, params: unknown): Promise<unknown>;
}

/**
 * Maintenance.HashKV at `revision`. etcd3 1.1.2's maintenance.hashKV() calls
 * the gRPC method "hashKV", which its generated client does not have (only
 * "HashKV" and "hashKv"): it throws "client[method] is not a function". This
 * goes through the same connection pool with the proto's own method name.
 */
export async function hashKv(client: Etcd3, revision: number): Promise<string> {
  const pool = (client.maintenance as unknown as { client: Callable }).client;
  const res = (await pool.exec('Maintenance', 'HashKV', { revision: String(revision) })) as { hash?: unknown };
  if (typeof res.hash !== 'string' && typeof res.hash !== 'number') throw new Error('HashKV answered without a hash');
  return String(res.hash);
}
