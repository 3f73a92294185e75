import { createRequire } from 'node:module';
import type * as Etcd3Module from 'etcd3';
import type * as CockatielModule from 'cockatiel';
import type { Etcd3, IOptions } from 'etcd3';
import type { TlsMaterial } from '../../core/tls/material.js';
import type { Credentials } from '../../core/ports/etcd-connector.js';

// etcd3 (grpc-js, protobufjs) and cockatiel take ~0.3 s to load: they load with
// the first client, so `status` and polling (the light client) never pay for them.
const load = createRequire(import.meta.url);
const etcd3 = (): typeof Etcd3Module => load('etcd3');
const cockatiel = (): typeof CockatielModule => load('cockatiel');


export interface ClientOptions {
  tls: TlsMaterial;
  credentials: Credentials;
  /** Deadline for every call, fresh per call. */
  deadlineMs: number;
  /** Name to check the server certificate against instead of the URL's host (a DNS SAN). */
  serverName?: string;
}

/**
 * A client bound to exactly one endpoint: etcd3 picks a random host per call,
 * so maintenance calls (status, defrag, alarms, snapshot) need one client per
 * member. Retries and the circuit breaker are off so a dead member shows up
 * after one deadline instead of three retries later.
 */
export function createMemberClient(endpoint: string, options: ClientOptions): Etcd3 {
  const client = new (etcd3().Etcd3)(clientConfig([endpoint], options));
  targets.set(client, { endpoint, options });
  return client;
}

const targets = new WeakMap<Etcd3, { endpoint: string; options: ClientOptions }>();

/** The one member a client from createMemberClient talks to, and how: a snapshot streams there over the light client. */
export function memberClientTarget(client: Etcd3): { endpoint: string; options: ClientOptions } | undefined {
  return targets.get(client);
}

/** A pooled client over all endpoints for key-value work (any member will do). */
export function createPooledClient(endpoints: string[], options: ClientOptions): Etcd3 {
  return new (etcd3().Etcd3)(clientConfig(endpoints, options));
}

function clientConfig(hosts: string[], options: ClientOptions): IOptions {
  const { tls, credentials, deadlineMs, serverName } = options;
  const secure = hosts.some((h) => h.startsWith('https://'));
  const { noop } = cockatiel();
  const grpcOptions: IOptions['grpcOptions'] = {
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 1000,
    // A 16 MiB HTTP/2 window (Go gRPC's cap) lets snapshots stream as fast as etcdctl; 64 KiB halves it.
    'grpc-node.flow_control_window': 16 * 1024 * 1024,
  };
  if (serverName) grpcOptions['grpc.ssl_target_name_override'] = serverName;
  return {
    hosts,
    credentials: secure
      ? { rootCertificate: tls.ca ?? (undefined as unknown as Buffer), certChain: tls.cert, privateKey: tls.key }
      : undefined,
    auth:
      credentials.user && credentials.password !== undefined
        ? {
            username: credentials.user,
            password: credentials.password,
            callOptions: () => ({ deadline: Date.now() + deadlineMs }),
          }
        : undefined,
    grpcOptions,
    dialTimeout: deadlineMs,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + deadlineMs }),
    faultHandling: { host: () => noop, global: noop },
  };
}
