/** How the runbook reaches etcd: gRPC clients for admin work, the JSON gateway as Patroni uses it. */
import type { TlsMaterial } from '../tls/material.js';
import type { EtcdMember } from './etcd.js';

export interface Credentials {
  user?: string;
  password?: string;
}

export interface ConnectOptions {
  tls: TlsMaterial;
  /** The name the member's certificate is checked against (a DNS SAN). */
  serverName: string;
  credentials?: Credentials;
  deadlineMs: number;
}

export interface PrefixPermission {
  role: string;
  prefix: string;
}

/** A client for the runbook's RBAC work and proofs; close it when done. */
export interface EtcdAdmin extends EtcdMember {
  authEnabled(): Promise<boolean>;
  enableAuth(): Promise<void>;
  users(): Promise<string[]>;
  rolesOf(user: string): Promise<string[]>;
  roles(): Promise<string[]>;
  /** True when `role` may read and write every key under `prefix`. */
  hasReadwritePrefix(permission: PrefixPermission): Promise<boolean>;
  addUser(name: string, password: string): Promise<void>;
  addRole(name: string): Promise<void>;
  grantReadwritePrefix(permission: PrefixPermission): Promise<void>;
  grantRole(user: string, role: string): Promise<void>;
  getString(key: string): Promise<string | null>;
  close(): void;
}

/** etcd's JSON gateway, logged in: what Patroni speaks. */
export interface GatewayClient {
  put(key: string, value: string): Promise<void>;
  get(key: string): Promise<string | null>;
  delete(key: string): Promise<void>;
}

export interface EtcdConnector {
  /** The member's Prometheus text from /metrics (mTLS applies there; RBAC does not). */
  metricsText(endpoint: string, options: { tls: TlsMaterial; serverName: string; timeoutMs: number }): Promise<string>;
  connect(endpoint: string, options: ConnectOptions): EtcdAdmin;
  gateway(endpoint: string, options: { tls: TlsMaterial; serverName: string; timeoutMs: number }, login: { user: string; password: string }): Promise<GatewayClient>;
}
