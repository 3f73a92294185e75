import type { Etcd3 } from 'etcd3';
import { createMemberClient } from '../../src/adapters/etcd/member-client.js';
import type { TlsMaterial } from '../../src/core/tls/material.js';

export interface ClientLoop {
  /** New TLS files for the clients, the way an operator hands them out between phases. */
  setTls(tls: TlsMaterial): void;
  stop(): Promise<{ rounds: number; failures: string[] }>;
}

/**
 * A client of every endpoint: each round (every 50 ms) writes then reads `key`,
 * trying the members in turn; a round fails only when no member answers.
 */
export function startClientLoop(nodes: { clientUrl: string; name: string }[], tls: TlsMaterial, key: string): ClientLoop {
  let clients: Etcd3[] = [];
  const connect = (material: TlsMaterial): void => {
    for (const c of clients) c.close();
    clients = nodes.map((n) => createMemberClient(n.clientUrl, { tls: material, credentials: {}, deadlineMs: 2000, serverName: n.name }));
  };
  connect(tls);
  const failures: string[] = [];
  let rounds = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const value = String(rounds);
      const errors: string[] = [];
      let ok = false;
      for (let i = 0; i < clients.length && !ok; i++) {
        const client = clients[(rounds + i) % clients.length]!;
        try {
          await client.put(key).value(value);
          ok = (await client.get(key).string()) === value;
        } catch (err) {
          errors.push((err as Error).message.split('\n')[0]!);
        }
      }
      if (!ok) failures.push(`round ${rounds}: ${errors.join(' / ')}`);
      rounds++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    setTls: connect,
    stop: async () => {
      running = false;
      await loop;
      for (const c of clients) c.close();
      return { rounds, failures };
    },
  };
}
