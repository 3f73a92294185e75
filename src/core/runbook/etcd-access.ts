/**
 * etcd clients the runbook uses, from the PKI it generated. Admin work uses
 * the root client certificate: under client-cert auth its CN makes it root,
 * before and after auth is enabled, without a password.
 */
import { readFileSync } from 'node:fs';
import type { Credentials, EtcdAdmin, GatewayClient } from '../ports/etcd-connector.js';
import type { TlsMaterial } from '../tls/material.js';
import type { NodeSpec } from '../inventory/types.js';
import { RunbookFailure } from './failures.js';
import { localPki } from './local-pki.js';
import type { RunContext } from './types.js';

export const CALL_DEADLINE_MS = 3000;

export function clientTls(ctx: RunContext, cn: string): TlsMaterial {
  const pki = localPki(ctx.workdir);
  const files = pki.client(cn);
  try {
    return { ca: readFileSync(pki.caCert), cert: readFileSync(files.cert), key: readFileSync(files.key) };
  } catch (err) {
    throw new RunbookFailure('config', `client certificate for ${cn} not found in ${pki.dir} (run phase 3 first): ${(err as Error).message}`);
  }
}

/** A client bound to one member; the server name is the node name (a DNS SAN of its certificate). */
export function memberClient(ctx: RunContext, node: NodeSpec, cn: string, credentials: Credentials = {}, deadlineMs = CALL_DEADLINE_MS): EtcdAdmin {
  return ctx.etcd.connect(node.clientUrl, {
    tls: clientTls(ctx, cn),
    credentials,
    deadlineMs,
    serverName: node.tlsServerName ?? node.name,
  });
}

export async function withMemberClient<T>(
  ctx: RunContext,
  node: NodeSpec,
  cn: string,
  credentials: Credentials,
  fn: (client: EtcdAdmin) => Promise<T>,
): Promise<T> {
  const client = memberClient(ctx, node, cn, credentials);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** Runs fn against the first member that answers (members are tried in inventory order). */
export async function withAnyMember<T>(ctx: RunContext, cn: string, credentials: Credentials, fn: (client: EtcdAdmin, node: NodeSpec) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (const node of ctx.inventory.nodes) {
    try {
      return await withMemberClient(ctx, node, cn, credentials, (c) => fn(c, node));
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      lastError = err;
    }
  }
  throw lastError ?? new Error('no members in the inventory');
}

/**
 * Runs fn on etcd's JSON gateway of the first member that answers, logged in
 * as `user` with a CN-less client certificate: what Patroni does.
 */
export async function withAnyGateway<T>(
  ctx: RunContext,
  certName: string,
  login: { user: string; password: string },
  fn: (client: GatewayClient, node: NodeSpec) => Promise<T>,
): Promise<T> {
  const tls = clientTls(ctx, certName);
  let lastError: unknown;
  for (const node of ctx.inventory.nodes) {
    try {
      const client = await ctx.etcd.gateway(node.clientUrl, { tls, serverName: node.tlsServerName ?? node.name, timeoutMs: CALL_DEADLINE_MS }, login);
      return await fn(client, node);
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      lastError = err;
    }
  }
  throw lastError ?? new Error('no members in the inventory');
}

function isUnreachable(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /ECONNREFUSED|EHOSTUNREACH|UNAVAILABLE|DEADLINE_EXCEEDED|deadline exceeded|No connection established/i.test(message);
}
