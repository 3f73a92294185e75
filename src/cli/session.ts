import { loadTlsMaterial, type TlsMaterial } from '../core/tls/material.js';
import { watchTlsFiles } from '../adapters/etcd/tls-reload.js';
import type { ClientOptions } from '../adapters/etcd/member-client.js';
import { createCockpitStore, type CockpitStore } from '../state/store.js';
import { Poller } from '../state/poller.js';
import type { ConnectionPlan } from './connection.js';
import { resolvePassword } from './secrets.js';

export interface Session {
  store: CockpitStore;
  poller: Poller;
  plan: ConnectionPlan;
  /** How to reach one member (TLS, credentials, deadline, server name), for a command that does without the poller. */
  clientOptions: (endpoint: string) => ClientOptions;
}

/**
 * Reads TLS files and the password, then wires store and poller. Nothing is
 * polled yet. `oneShot`: the command answers once and exits (no reloading of
 * TLS files that change on disk).
 */
export async function openSession(
  plan: ConnectionPlan,
  opts: { intervalMs: number; commandTimeoutMs: number; readOnly: boolean },
  options: { tlsMayNotExistYet?: boolean; oneShot?: boolean } = {},
): Promise<Session> {
  // A cluster the runbook has not built yet has no certificates: the panes say so until it has.
  let tlsCache = options.tlsMayNotExistYet ? undefined : loadTlsMaterial(plan.tls, plan.contextName);
  for (const warning of tlsCache?.warnings ?? []) process.stderr.write(`etcd-cockpit: ${warning}\n`);
  const tls = (): TlsMaterial => (tlsCache ??= loadTlsMaterial(plan.tls, plan.contextName));
  const password = await resolvePassword(plan.password, plan.user);
  const store = createCockpitStore({ clusterName: plan.clusterName, members: plan.members, readOnly: opts.readOnly });
  const serverNames = new Map(plan.members.map((m) => [m.endpoint, m.serverName]));
  const clientOptions = (endpoint: string): ClientOptions => ({
    tls: tls(),
    credentials: { user: plan.user, password },
    deadlineMs: opts.commandTimeoutMs,
    serverName: serverNames.get(endpoint),
  });
  const poller = new Poller(store, { intervalMs: opts.intervalMs, clientOptions, oneShot: options.oneShot ?? false });
  // A one-shot answer is over long before a renewed certificate would matter.
  if (!options.oneShot) {
    watchTlsFiles(plan.tls, () => {
      tlsCache = undefined;
      poller.reconnect();
      store.getState().addEvent('TLS files changed on disk: reconnecting with them');
    });
  }
  return { store, poller, plan, clientOptions };
}
